// SPDX-License-Identifier: GPL-2.0-only
/*
 * accctl: monitor, a line per uevent of accmdev parents and their mdevs.
 *
 *   exists accmdev accmdev0
 *   exists mdev UUID parent=accmdev0 type=accmdev-zip-1qp
 *   add mdev UUID parent=accmdev0 type=accmdev-zip-1qp
 *   bind mdev UUID parent=accmdev0 type=accmdev-zip-1qp driver=...
 *   remove mdev UUID parent=accmdev0
 *   change accmdev accmdev0 ACCMDEV_TYPES=ready
 *
 * It subscribes first and then prints what already exists ("exists"),
 * so no device can slip between the two. The type of an mdev is known
 * only once its mdev_type link exists, which is after its add and bind
 * uevents: the monitor waits for it, with a bound.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "model.h"
#include "udev.h"

/*
 * The mdevs of accmdev's parents: /devices/accmdev/pciD:00/D:00:N.0/UUID
 * (the accelerators' root bus); before it, /devices/virtual/accmdev/
 * accmdevN/UUID.
 */
#define ROOT_DEVPATH	"/devices/accmdev/"
#define PARENTS_DEVPATH	"/devices/virtual/accmdev/"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_mdev(const char *action, const char *uuid,
		       const char *parent, const char *driver, bool wait)
{
	char path[SYSFS_PATH_MAX], type[NAME_MAX_LEN] = "";

	sysfs_wait_reset();
	if (wait &&
	    !sysfs_path(path, sizeof(path), "bus/mdev/devices/%s/mdev_type",
			uuid) &&
	    !sysfs_wait(path))
		sysfs_link_name(path, type, sizeof(type));
	printf("%s mdev %s parent=%s", action, uuid, parent);
	if (type[0])
		printf(" type=%s", type);
	if (driver[0])
		printf(" driver=%s", driver);
	putchar('\n');
}

/*
 * @devpath is .../D:00:N.0/UUID, an mdev of accelerator N's function:
 * its accmdevN, the one entry of the function's accmdev directory, or
 * (once the function is gone) its address. 0, or -1 if @devpath is not
 * an mdev's.
 */
static int parent_of_function(const char *devpath, char *buf, size_t size)
{
	char path[SYSFS_PATH_MAX];
	const char *uuid = strrchr(devpath, '/'), *fn;
	struct strv names = { 0 };
	size_t len;

	if (!uuid || uuid == devpath || strlen(uuid + 1) != UUID_LEN)
		return -1;
	for (fn = uuid - 1; fn > devpath && *fn != '/'; fn--)
		;
	len = (size_t)(uuid - fn - 1);
	if (*fn != '/' || !len || len >= size)
		return -1;
	memcpy(buf, fn + 1, len);
	buf[len] = '\0';
	if (sysfs_path(path, sizeof(path), "%.*s/accmdev",
		       (int)(uuid - devpath - 1), devpath + 1) ||
	    sysfs_list(path, &names) || names.n != 1) {
		strv_free(&names);
		return 0;
	}
	snprintf(buf, size, "%s", names.v[0]);
	strv_free(&names);
	return 0;
}

/* Print one event; returns 1 if it counts, 0 if it is not accmdev's. */
static int print_event(const struct acc_event *ev)
{
	char parent[NAME_MAX_LEN];
	const char *p, *slash;
	bool appears;

	if (!strcmp(ev->subsystem, "accmdev")) {
		printf("%s accmdev %s%s%s\n", ev->action, ev->sysname,
		       ev->vars[0] ? " " : "", ev->vars);
		return 1;
	}
	/* An mdev whose parent is one of ours, named as accctl names it. */
	if (!strncmp(ev->devpath, ROOT_DEVPATH, strlen(ROOT_DEVPATH))) {
		if (parent_of_function(ev->devpath, parent, sizeof(parent)))
			return 0;
	} else if (!strncmp(ev->devpath, PARENTS_DEVPATH,
			    strlen(PARENTS_DEVPATH))) {
		p = ev->devpath + strlen(PARENTS_DEVPATH);
		slash = strchr(p, '/');
		if (!slash || (size_t)(slash - p) >= sizeof(parent))
			return 0;
		memcpy(parent, p, (size_t)(slash - p));
		parent[slash - p] = '\0';
	} else {
		return 0;
	}
	appears = !strcmp(ev->action, "add") || !strcmp(ev->action, "bind") ||
		  !strcmp(ev->action, "change");
	print_mdev(ev->action, ev->sysname, parent, ev->driver, appears);
	return 1;
}

static void print_existing(const struct acc_sys *s)
{
	size_t i;

	for (i = 0; i < s->n_parents; i++)
		printf("exists accmdev %s\n", s->parents[i].name);
	for (i = 0; i < s->n_devices; i++)
		print_mdev("exists", s->devices[i].uuid,
			   s->devices[i].parent->name, "", true);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

struct monitor_opts {
	unsigned long count;	/* 0: no limit */
	long timeout_ms;	/* -1: none */
	bool kernel;
};

static int watch(struct acc_monitor *mon, const struct monitor_opts *o,
		 const sigset_t *orig)
{
	struct pollfd pfd = { .fd = acc_monitor_fd(mon), .events = POLLIN };
	long deadline = o->timeout_ms >= 0 ? now_ms() + o->timeout_ms : 0;
	struct timespec ts, *tsp;
	struct acc_event ev;
	unsigned long seen = 0;
	long left;
	int ret;

	while (!stop && (!o->count || seen < o->count)) {
		tsp = NULL;
		if (o->timeout_ms >= 0) {
			left = deadline - now_ms();
			if (left <= 0)
				break;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000L;
			tsp = &ts;
		}
		ret = ppoll(&pfd, 1, tsp, orig);
		if (ret < 0 && errno != EINTR)
			return acc_err("monitor: poll failed: %s",
				       strerror(errno));
		if (ret <= 0)
			continue;
		while ((!o->count || seen < o->count) &&
		       (ret = acc_monitor_receive(mon, &ev)) > 0)
			seen += (unsigned long)print_event(&ev);
		if (ret < 0)
			return -1;
	}
	/* Asked for N events and saw fewer before the timeout. */
	return o->count && seen < o->count && !stop ? 1 : 0;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "kernel", no_argument, NULL, OPT_KERNEL },
		CLI_COMMON_OPTS
	};
	struct monitor_opts o = { .timeout_ms = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct acc_monitor *mon;
	sigset_t block, orig;
	unsigned long val;
	struct acc_sys s;
	char **ops;
	int c, ret;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		if (c == OPT_COUNT && !parse_uint(optarg, 1UL << 30, &val) &&
		    val) {
			o.count = val;
		} else if (c == OPT_TIMEOUT &&
			   !parse_uint(optarg, 86400UL * 365, &val)) {
			o.timeout_ms = (long)val * 1000;
		} else if (c == OPT_KERNEL) {
			o.kernel = true;
		} else if (c == OPT_COUNT || c == OPT_TIMEOUT) {
			acc_err("monitor: bad value '%s' for --%s", optarg,
				c == OPT_COUNT ? "count" : "timeout");
			return EXIT_ERROR;
		} else {
			return cli_bad_opt(c, argv);
		}
	}
	if (cli_operands(argc, argv, 0, 0, &ops))
		return EXIT_ERROR;
	if (!sysfs_is_real()) {
		acc_err("monitor: uevents come from the real /sys only, not from --sysfs-root");
		return EXIT_ERROR;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (acc_monitor_open(&mon, o.kernel))
		return EXIT_ERROR;
	if (model_load(&s)) {
		acc_monitor_close(mon);
		return EXIT_ERROR;
	}
	print_existing(&s);
	model_free(&s);
	ret = watch(mon, &o, &orig);
	acc_monitor_close(mon);
	return ret < 0 ? EXIT_ERROR : ret;
}
