/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accctl: the only user of libudev. Enumeration by subsystem and a
 * uevent monitor for the mdev bus and the accmdev class.
 */
#ifndef ACCCTL_UDEV_H
#define ACCCTL_UDEV_H

#include <stdbool.h>

#include "util.h"

/* Sysnames of the devices of @subsystem, sorted; -1 with a message. */
int acc_udev_enum(const char *subsystem, struct strv *out);

struct acc_monitor;

/* What the tool needs of one uevent; strings are "" when absent. */
struct acc_event {
	char action[16];
	char subsystem[16];
	char sysname[64];
	char devpath[256];
	char driver[64];
	/* The accmdev parent's own variables: "MDEV_STATE=registered". */
	char vars[128];
};

/*
 * Subscribe to subsystems "mdev" and "accmdev" from udevd (or from the
 * kernel directly if @kernel), and start receiving. Call it before
 * enumerating, so that nothing falls between the two.
 */
int acc_monitor_open(struct acc_monitor **mon, bool kernel);
int acc_monitor_fd(const struct acc_monitor *mon);
/* 1 with @ev filled, 0 if nothing was ready, -1 with a message. */
int acc_monitor_receive(struct acc_monitor *mon, struct acc_event *ev);
void acc_monitor_close(struct acc_monitor *mon);

#endif /* ACCCTL_UDEV_H */
