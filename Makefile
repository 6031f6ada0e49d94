# SPDX-License-Identifier: GPL-2.0-only
#
# accmdev: the user-facing targets. Kbuild (read by kbuild itself) lists
# what the module is made of; this file only drives the builds and tests.
#
#   make                 module (driver/accmdev.ko) for KDIR, and the tools
#   make KVER=<version>  the same, against a kernel cached by 'make deps'
#   make deps            install/fetch everything (idempotent)
#   make demo            boot a VM and walk through what accmdev does
#                        (fetches only what the demo needs: one kernel)
#   make shell           boot a VM with accmdev loaded, interactive shell
#   make sweep           build accmdev against every Debian kernel series
#   make check           every test suite, on every kernel of the matrix
#   make lint            checkpatch --strict on driver/
#   make install         accctl, its man page, bash completion, the mdevctl
#                        callout and udev rule (DESTDIR, PREFIX=/usr/local)
#   make deb             Debian packages accmdev-dkms and accmdev-tools,
#                        in build/deb/ (dpkg-buildpackage, debhelper, dh-dkms)
#
# make check honours KERNELS="<version> ..." to run a subset of the matrix,
# and DEBUG_KERNEL=0 to skip the debug lane (make check DEBUG_KERNEL=0).

ifeq ($(ACCMDEV_CACHE),)
ACCMDEV_CACHE := $(shell bash -c '. tests/vm/common.sh && echo "$$ACCMDEV_CACHE"')
endif
ifneq ($(KVER),)
KDIR ?= $(ACCMDEV_CACHE)/kernels/$(KVER)/usr/src/linux-headers-$(KVER)
endif
KDIR ?= /lib/modules/$(shell uname -r)/build
CHECKPATCH ?= $(firstword $(wildcard /usr/src/linux-source-*/scripts/checkpatch.pl) \
		$(ACCMDEV_CACHE)/checkpatch/scripts/checkpatch.pl)

.PHONY: all modules tools clean deps deps-demo demo shell check sweep lint help

all: modules tools

modules:
	@test -f "$(KDIR)/Makefile" || { \
	  echo "accmdev: no kernel headers in $(KDIR)" >&2; \
	  echo "accmdev: pass KDIR=<headers>, or run 'make deps' and use" \
	       "'make KVER=<version>' (versions: $(ACCMDEV_CACHE)/matrix)" >&2; \
	  exit 1; }
	@if [ -n "$(KVER)" ] && [ -f "$(ACCMDEV_CACHE)/kernels/$(KVER)/.release" ]; then \
	  echo "accmdev: $(KVER) needs its release's compiler; run:" \
	       "tests/kernel/modbuild.sh $(KVER) build/$(KVER)" >&2; exit 1; fi
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

tools:
	$(MAKE) -C tools
	$(MAKE) -C tools/vfio

deps:
	@bash tests/deps.sh

deps-demo:
	@bash tests/deps.sh --demo

demo: deps-demo
	@bash tests/vm/demo tour

shell: deps-demo
	@bash tests/vm/demo shell

sweep:
	@bash tests/kernel/sweep.sh

check: deps
	@bash tests/check.sh

lint:
	@bash tests/lint.sh

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then \
	  $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	$(MAKE) -C tools clean
	$(MAKE) -C tools/vfio clean
	$(MAKE) -C tests/bin clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
	rm -rf build

help:
	@sed -n '3,22p' Makefile | sed 's/^# \{0,1\}//'

# ---- installing on a host (Documentation/admin-guide.rst) ---------------
VERSION		:= $(shell cat VERSION)
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/accmdev
LIBEXECDIR	?= $(PREFIX)/lib/accmdev
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR	?= /etc
# udev reads /etc, /run and /lib (or /usr/lib): not /usr/local.
UDEVRULESDIR	?= $(SYSCONFDIR)/udev/rules.d
MDEVCTL_CALLOUTS ?= $(SYSCONFDIR)/mdevctl.d/scripts.d/callouts
RST2MAN		?= rst2man

.PHONY: man install deb

man: build/man/accctl.8

build/man/accctl.8: Documentation/accctl.rst VERSION
	@command -v $(RST2MAN) >/dev/null || { \
	  echo "accmdev: no $(RST2MAN) (Debian: python3-docutils)" >&2; exit 1; }
	mkdir -p build/man
	$(RST2MAN) --exit-status=warning Documentation/accctl.rst >$@.tmp
	sed -i 's/^\.TH "\{0,1\}ACCCTL"\{0,1\} \([^ ]*\) .*/.TH ACCCTL \1 "" "accmdev $(VERSION)" "accmdev"/' $@.tmp
	mv $@.tmp $@

install: man
	$(MAKE) -C tools
	install -D -m 0755 tools/build/accctl "$(DESTDIR)$(BINDIR)/accctl"
	install -D -m 0644 build/man/accctl.8 "$(DESTDIR)$(MANDIR)/man8/accctl.8"
	install -D -m 0644 data/accctl.bash-completion "$(DESTDIR)$(BASHCOMPDIR)/accctl"
	install -D -m 0755 data/mdevctl-callout "$(DESTDIR)$(MDEVCTL_CALLOUTS)/accmdev"
	install -D -m 0755 data/accmdev-start-parent \
		"$(DESTDIR)$(LIBEXECDIR)/accmdev-start-parent"
	mkdir -p "$(DESTDIR)$(UDEVRULESDIR)"
	sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' data/61-accmdev.rules.in \
		>"$(DESTDIR)$(UDEVRULESDIR)/61-accmdev.rules"
	chmod 0644 "$(DESTDIR)$(UDEVRULESDIR)/61-accmdev.rules"
	install -D -m 0644 data/examples/modprobe.d-accmdev.conf \
		"$(DESTDIR)$(DOCDIR)/examples/modprobe.d/accmdev.conf"
	install -D -m 0644 data/examples/modules-load.d-accmdev.conf \
		"$(DESTDIR)$(DOCDIR)/examples/modules-load.d/accmdev.conf"

# The packages are built from a copy in build/deb/accmdev-VERSION, whose
# debian/changelog is written from VERSION (the one place of the version).
deb:
	@bash debian/build-deb.sh
