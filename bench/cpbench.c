// SPDX-License-Identifier: GPL-2.0-only
/*
 * cpbench: timing loops for the mdev control plane, run inside the guest
 * (a shell loop there costs more than what it would measure).
 *
 *   cpbench cycle N TYPE_DIR...     N rounds; each round creates and
 *                                   removes one device of each type
 *   cpbench create TYPE_DIR N LIST  create N devices, UUIDs into LIST
 *   cpbench remove LIST             remove the devices listed in LIST
 *   cpbench ops N OP...             N rounds; each round runs every OP once:
 *                                   r FILE         open, read, close
 *                                   w FILE STRING  open, one write, close
 *
 * cycle and ops interleave what they compare, so that a change of load
 * during the run (other work on the host, the guest's udevd handling
 * events) affects each side alike.
 *
 * Each measurement prints one line:
 *
 *   <name> n=<N> median=<us> p25=<us> p75=<us> p10=<us> p90=<us>
 *          min=<us> max=<us> total=<ms>
 *
 * with times of one operation in microseconds (CLOCK_MONOTONIC) and the
 * whole loop in milliseconds; cycle names its lines cycle<i>, create<i>
 * and remove<i> and ops op<i>, numbered from 1 in the order of the
 * arguments. create and remove also print the first and
 * the last tenth of their operations (<name>-first, <name>-last), to show
 * how the cost grows with the number of devices. a write op also
 * prints result=<OK|ERRNO>: every write of a loop must end the same way, or
 * cpbench fails. Any failure prints one line on stderr and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define DEVICES "/sys/bus/mdev/devices"
#define UUID_LEN 36

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "cpbench: %s: %s\n", what, strerror(err));
	exit(1);
}

static void new_uuid(char out[UUID_LEN + 1])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		die("getrandom", errno);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* One open, one write(2), one close. Returns 0 or the errno. */
static int write_once(const char *path, const char *s, size_t len)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, s, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EIO;
	close(fd);
	return err;
}

static int read_once(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		err = n < 0 ? errno : EIO;
	close(fd);
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted @v[0..@n). */
static double pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

static void report(const char *name, double *v, size_t n, double total_us,
		   const char *extra)
{
	double median;

	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("%s n=%zu median=%.1f p25=%.1f p75=%.1f p10=%.1f p90=%.1f min=%.1f max=%.1f total=%.1f%s\n",
	       name, n, median, pct(v, n, 25), pct(v, n, 75), pct(v, n, 10),
	       pct(v, n, 90), v[0], v[n - 1], total_us / 1e3, extra);
	fflush(stdout);
}

/* Overall, then the first and the last tenth, in the order measured. */
static void report_spread(const char *name, double *v, size_t n,
			  double total_us)
{
	size_t tenth = n / 10;
	double *head, *tail;
	char label[64];

	if (tenth >= 5) {
		head = malloc(tenth * sizeof(*v));
		tail = malloc(tenth * sizeof(*v));
		if (!head || !tail)
			die("malloc", ENOMEM);
		memcpy(head, v, tenth * sizeof(*v));
		memcpy(tail, v + n - tenth, tenth * sizeof(*v));
	} else {
		head = NULL;
		tail = NULL;
	}
	report(name, v, n, total_us, "");
	if (head) {
		snprintf(label, sizeof(label), "%s-first", name);
		report(label, head, tenth, 0, "");
		snprintf(label, sizeof(label), "%s-last", name);
		report(label, tail, tenth, 0, "");
		free(head);
		free(tail);
	}
}

static double *samples(size_t n)
{
	double *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		die("calloc", ENOMEM);
	return v;
}

static size_t count(const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (*end || !n || n > 1000000)
		die("count", EINVAL);
	return n;
}

static int create_one(const char *create, char uuid[UUID_LEN + 1])
{
	new_uuid(uuid);
	return write_once(create, uuid, UUID_LEN);
}

static int remove_one(const char *uuid)
{
	char path[sizeof(DEVICES) + 160];

	snprintf(path, sizeof(path), DEVICES "/%s/remove", uuid);
	return write_once(path, "1", 1);
}

static int cmd_cycle(size_t n, char **dirs, int nr)
{
	double *c[16], *r[16], *cy[16], t0, t1, t2, start = now_us();
	char create[16][512], uuid[UUID_LEN + 1], name[32];
	size_t i;
	int d, err;

	if (nr < 1 || nr > 16)
		die("cycle: 1 to 16 types", EINVAL);
	for (d = 0; d < nr; d++) {
		snprintf(create[d], sizeof(create[d]), "%s/create", dirs[d]);
		c[d] = samples(n);
		r[d] = samples(n);
		cy[d] = samples(n);
	}
	for (i = 0; i < n; i++) {
		for (d = 0; d < nr; d++) {
			t0 = now_us();
			err = create_one(create[d], uuid);
			if (err)
				die(create[d], err);
			t1 = now_us();
			err = remove_one(uuid);
			if (err)
				die("remove", err);
			t2 = now_us();
			c[d][i] = t1 - t0;
			r[d][i] = t2 - t1;
			cy[d][i] = t2 - t0;
		}
	}
	t0 = now_us() - start;
	for (d = 0; d < nr; d++) {
		snprintf(name, sizeof(name), "cycle%d", d + 1);
		report(name, cy[d], n, t0, "");
		snprintf(name, sizeof(name), "create%d", d + 1);
		report(name, c[d], n, t0, "");
		snprintf(name, sizeof(name), "remove%d", d + 1);
		report(name, r[d], n, t0, "");
	}
	return 0;
}

static int cmd_create(const char *type_dir, size_t n, const char *list)
{
	double *c = samples(n), start = now_us(), t0;
	char create[512], uuid[UUID_LEN + 1];
	FILE *f = fopen(list, "w");
	size_t i;
	int err;

	if (!f)
		die(list, errno);
	snprintf(create, sizeof(create), "%s/create", type_dir);
	for (i = 0; i < n; i++) {
		t0 = now_us();
		err = create_one(create, uuid);
		if (err)
			die("create", err);
		c[i] = now_us() - t0;
		fprintf(f, "%s\n", uuid);
	}
	if (fclose(f))
		die(list, errno);
	report_spread("create-all", c, n, now_us() - start);
	return 0;
}

static int cmd_remove(const char *list)
{
	char line[128];
	double *r, start, t0;
	size_t n = 0, cap = 64;
	FILE *f = fopen(list, "r");
	int err;

	if (!f)
		die(list, errno);
	r = samples(cap);
	start = now_us();
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		if (n == cap) {
			cap *= 2;
			r = realloc(r, cap * sizeof(*r));
			if (!r)
				die("realloc", ENOMEM);
		}
		t0 = now_us();
		err = remove_one(line);
		if (err)
			die("remove", err);
		r[n++] = now_us() - t0;
	}
	fclose(f);
	report_spread("remove-all", r, n, now_us() - start);
	return 0;
}

struct op {
	const char *file;
	const char *data;	/* NULL for a read */
	double *v;
	int result;
};

static int cmd_ops(size_t n, char **args, int nargs)
{
	struct op ops[16];
	double t0, start;
	char name[32], extra[64];
	int nr = 0, a = 0, k, err;
	size_t i;

	while (a < nargs) {
		if (nr == 16)
			die("ops: at most 16", EINVAL);
		if (!strcmp(args[a], "r") && a + 1 < nargs) {
			ops[nr].file = args[a + 1];
			ops[nr].data = NULL;
			a += 2;
		} else if (!strcmp(args[a], "w") && a + 2 < nargs) {
			ops[nr].file = args[a + 1];
			ops[nr].data = args[a + 2];
			a += 3;
		} else {
			die("ops: want r FILE or w FILE STRING", EINVAL);
		}
		ops[nr].v = samples(n);
		ops[nr].result = -1;
		nr++;
	}
	if (!nr)
		die("ops: nothing to do", EINVAL);
	start = now_us();
	for (i = 0; i < n; i++) {
		for (k = 0; k < nr; k++) {
			t0 = now_us();
			if (ops[k].data)
				err = write_once(ops[k].file, ops[k].data,
						 strlen(ops[k].data));
			else
				err = read_once(ops[k].file);
			ops[k].v[i] = now_us() - t0;
			if (!ops[k].data && err)
				die(ops[k].file, err);
			if (ops[k].result < 0)
				ops[k].result = err;
			else if (err != ops[k].result)
				die("write results differ", err);
		}
	}
	t0 = now_us() - start;
	for (k = 0; k < nr; k++) {
		extra[0] = '\0';
		if (ops[k].data)
			snprintf(extra, sizeof(extra), " result=%s",
				 ops[k].result ?
				 strerrorname_np(ops[k].result) : "OK");
		snprintf(name, sizeof(name), "op%d", k + 1);
		report(name, ops[k].v, n, t0, extra);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "cycle"))
		return cmd_cycle(count(argv[2]), argv + 3, argc - 3);
	if (argc == 5 && !strcmp(argv[1], "create"))
		return cmd_create(argv[2], count(argv[3]), argv[4]);
	if (argc == 3 && !strcmp(argv[1], "remove"))
		return cmd_remove(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "ops"))
		return cmd_ops(count(argv[2]), argv + 3, argc - 3);
	fprintf(stderr,
		"usage: cpbench cycle N TYPE_DIR... | create TYPE_DIR N LIST | remove LIST\n"
		"               | ops N { r FILE | w FILE STRING }...\n");
	return 2;
}
