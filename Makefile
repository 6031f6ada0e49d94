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
	@sed -n '3,18p' Makefile | sed 's/^# \{0,1\}//'
