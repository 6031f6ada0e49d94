// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-hold: open a mediated device through the legacy VFIO group and
 * container API, the way QEMU does it, and keep it open.
 *
 *   vfio-hold UUID
 *
 * Steps: read /sys/bus/mdev/devices/UUID/iommu_group, open /dev/vfio/N,
 * attach the group to a new /dev/vfio/vfio container, select the type1v2
 * IOMMU (type1 if v2 is not offered) and ask the group for a device fd
 * named UUID. Once the device is open, prints "open" on standard output
 * and waits until standard input reaches end of file or a signal
 * (SIGINT, SIGTERM, SIGHUP) arrives; then closes everything and exits 0.
 *
 * Any failure prints one line, "vfio-hold: <step>: <error>", on standard
 * error and exits 1. Usage errors exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int fail(const char *step, int err)
{
	fprintf(stderr, "vfio-hold: %s: %s (%s)\n", step, strerror(err),
		strerrorname_np(err) ? strerrorname_np(err) : "?");
	return 1;
}

/* The number at the end of the iommu_group link of the device. */
static int group_of(const char *uuid, char *num, size_t size)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	slash = slash ? slash + 1 : target;
	if (!*slash || strlen(slash) >= size)
		return -EINVAL;
	snprintf(num, size, "%s", slash);
	return 0;
}

/* Block until stdin is at end of file (or broken) or a signal arrives. */
static void wait_for_end(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[256];
	ssize_t n;

	while (!stop) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (pfd.revents & (POLLERR | POLLNVAL))
			return;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return;
	}
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct sigaction sa;
	char num[32], path[64];
	int container, group, device, iommu, ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: vfio-hold UUID\n");
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = group_of(argv[1], num, sizeof(num));
	if (ret)
		return fail("iommu_group", -ret);

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		return fail("open /dev/vfio/vfio", errno);
	ret = ioctl(container, VFIO_GET_API_VERSION);
	if (ret != VFIO_API_VERSION)
		return fail("VFIO_GET_API_VERSION", ret < 0 ? errno : EPROTO);

	snprintf(path, sizeof(path), "/dev/vfio/%s", num);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return fail(path, errno);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		return fail("VFIO_GROUP_GET_STATUS", errno);
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return fail("group not viable", EBUSY);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER", errno);

	if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		iommu = VFIO_TYPE1v2_IOMMU;
	else
		iommu = VFIO_TYPE1_IOMMU;
	if (ioctl(container, VFIO_SET_IOMMU, iommu))
		return fail("VFIO_SET_IOMMU", errno);

	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (device < 0)
		return fail("VFIO_GROUP_GET_DEVICE_FD", errno);

	printf("open\n");
	fflush(stdout);
	wait_for_end();

	close(device);
	close(group);
	close(container);
	return 0;
}
