// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: the only user of libudev.
 *
 * libudev insists on the real /sys, so the callers use it only when the
 * sysfs root is not moved (see model.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "udev.h"

/* Variables of parent change uevents that monitor prints. */
static const char * const parent_vars[] = { "MDEV_STATE", "ACCMDEV_TYPES" };

struct acc_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
};

int acc_udev_enum(const char *subsystem, struct strv *out)
{
	struct udev_list_entry *entry;
	struct udev_enumerate *e;
	struct udev *udev;
	int ret = -1;

	udev = udev_new();
	if (!udev)
		return acc_err("cannot initialize libudev");
	e = udev_enumerate_new(udev);
	if (!e || udev_enumerate_add_match_subsystem(e, subsystem) < 0 ||
	    udev_enumerate_scan_devices(e) < 0) {
		acc_err("cannot enumerate subsystem %s", subsystem);
		goto out_unref;
	}
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
		const char *path = udev_list_entry_get_name(entry);
		const char *slash = strrchr(path, '/');

		if (slash && strv_add(out, slash + 1))
			goto out_unref;
	}
	strv_sort(out);
	ret = 0;
out_unref:
	e = udev_enumerate_unref(e);
	udev = udev_unref(udev);
	return ret;
}

int acc_monitor_open(struct acc_monitor **monp, bool kernel)
{
	struct acc_monitor *m = xcalloc(1, sizeof(*m));

	m->udev = udev_new();
	if (!m->udev)
		goto out_free;
	m->mon = udev_monitor_new_from_netlink(m->udev,
					       kernel ? "kernel" : "udev");
	if (!m->mon)
		goto out_free;
	if (udev_monitor_filter_add_match_subsystem_devtype(m->mon, "mdev",
							    NULL) < 0 ||
	    udev_monitor_filter_add_match_subsystem_devtype(m->mon, "accmdev",
							    NULL) < 0 ||
	    udev_monitor_enable_receiving(m->mon) < 0)
		goto out_free;
	*monp = m;
	return 0;

out_free:
	acc_monitor_close(m);
	return acc_err("cannot listen to %s uevents",
		       kernel ? "kernel" : "udev");
}

int acc_monitor_fd(const struct acc_monitor *m)
{
	return udev_monitor_get_fd(m->mon);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void collect_vars(struct udev_device *d, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(parent_vars) / sizeof(parent_vars[0]); i++) {
		const char *val = udev_device_get_property_value(d,
								 parent_vars[i]);
		int n;

		if (!val)
			continue;
		n = snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "",
			     parent_vars[i], val);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

int acc_monitor_receive(struct acc_monitor *m, struct acc_event *ev)
{
	struct udev_device *d;

	errno = 0;
	d = udev_monitor_receive_device(m->mon);
	if (!d) {
		if (errno == 0 || errno == EAGAIN || errno == EINTR)
			return 0;
		return acc_err("receiving a uevent failed: %s",
			       strerror(errno));
	}
	copy_str(ev->action, sizeof(ev->action), udev_device_get_action(d));
	copy_str(ev->subsystem, sizeof(ev->subsystem),
		 udev_device_get_subsystem(d));
	copy_str(ev->sysname, sizeof(ev->sysname), udev_device_get_sysname(d));
	copy_str(ev->devpath, sizeof(ev->devpath), udev_device_get_devpath(d));
	/*
	 * The event's own DRIVER, not udev_device_get_driver(): that reads
	 * the driver link in sysfs now, so an add would show the driver of
	 * the bind that followed it.
	 */
	copy_str(ev->driver, sizeof(ev->driver),
		 udev_device_get_property_value(d, "DRIVER"));
	collect_vars(d, ev->vars, sizeof(ev->vars));
	udev_device_unref(d);
	return 1;
}

void acc_monitor_close(struct acc_monitor *m)
{
	if (!m)
		return;
	if (m->mon)
		m->mon = udev_monitor_unref(m->mon);
	if (m->udev)
		m->udev = udev_unref(m->udev);
	free(m);
}
