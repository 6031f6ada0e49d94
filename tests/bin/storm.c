// SPDX-License-Identifier: GPL-2.0-only
/*
 * storm: several processes hammer accmdev at once, across parents and
 * types, for a fixed time: create, remove, read and write
 * migration_version, write a device's version to its own type, open
 * devices through VFIO (group and container API), run a small request
 * on them and close them. Then the pool must match the devices that are
 * left.
 *
 *   storm [-s SEED] [-t SECONDS] [-p PROCS] [-r DELAY]
 *
 * -t  how long the workers run (default 60)
 * -p  worker processes (default 6)
 * -r  unload under load: DELAY seconds in, try delete_module("accmdev")
 *     every 20 ms until it succeeds or the time is up; the workers keep
 *     going against whatever is left for two more seconds. Without -r
 *     the module must stay.
 *
 * Removes pick devices whose create has returned (any worker's, maybe
 * open in another worker): the mdev core answers a remove that meets a
 * device still being created with EAGAIN after it has already deleted
 * the device's remove file, which leaves the device until the module
 * goes; that is the core's behaviour, not accmdev's, and is left out.
 *
 * Every operation's outcome must be one its situation allows (create:
 * OK or ENOSPC; a device's version written to its own type: OK, or
 * ENODEV on a parent that cannot migrate; anything on a
 * device another worker just removed: ENOENT or ENODEV; after the
 * unload, ENOENT or ENODEV for everything). Anything else is counted as
 * unexpected and printed as "# unexpected ...". A request run on an open
 * device must complete with the right result (crc32c and adler32
 * against bitwise references, sha256 and sha224 against FIPS 180-2
 * vectors).
 *
 * Afterwards (without -r): for each parent, qp_free equals qp_total
 * minus the queue pairs of its devices, every type's
 * available_instances equals qp_free / its queue pairs, the module's
 * reference count is what it was, and after removing every device the
 * pools are full again. Prints "seed=N", one line per operation and
 *
 *   ops=N unexpected=N bad_results=N hung=N pool_ok=0|1 refcnt_ok=0|1
 *   devices_left=N
 *
 * With -r also "unload attempts=N in_use=N unloaded=0|1 under_load=0|1
 * at=SECONDS devices=N": under_load=0 if no attempt found a moment
 * without an open device while the workers ran and the module was only
 * unloaded after them; devices is how many existed just before the
 * successful attempt.
 * Exits 0 only if everything held.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accref.h"
#include "accvfio.h"
#include "fuzzlib.h"
#include "migver.h"

#define MAX_PROCS	32
#define MAX_PARENTS	16
#define MAX_DEVS	256
#define SHOW_UNEXPECTED	30
#define MAX_CREATED	512

enum op {
	OP_CREATE, OP_REMOVE, OP_READ_VER, OP_CHECK_VER, OP_OWN_TYPE, OP_OPEN,
	OP_READ_POOL, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"create", "remove", "read-version", "check-version", "own-type",
	"open-close", "read-pool",
};

/* Counters shared by all workers (MAP_SHARED), updated atomically. */
struct shared {
	atomic_long n[OP_COUNT];
	atomic_long ok[OP_COUNT];
	atomic_long refused[OP_COUNT];	/* an expected failure */
	atomic_long unexpected[OP_COUNT];
	atomic_long computed, bad_results, requests_seen;
	atomic_long shown;
	atomic_int unloading;		/* delete_module has been called */
	atomic_int stop;		/* workers: end now */
	/*
	 * Devices whose create has returned, for removes to pick from. A
	 * remove that meets a device still being created fails with EAGAIN
	 * in the mdev core, and the device has lost its remove file by then
	 * (device_remove_file_self() ran first): it would stay until the
	 * module goes. So removes only pick devices that are fully there.
	 */
	atomic_int slot_state[MAX_CREATED];	/* SLOT_* */
	char slot_uuid[MAX_CREATED][FZ_UUID_LEN + 1];
};

enum { SLOT_FREE, SLOT_BUSY, SLOT_CREATED };

static struct shared *sh;

#define MAX_TYPES	10

/* A type: its directory name and queue pairs (its description's). */
struct type {
	char name[48];
	unsigned int qps;
};

struct parent {
	char name[32];
	unsigned int kind, qp_total;
	bool migratable;
	struct type types[MAX_TYPES];
	int ntypes;
};

static struct parent parents[MAX_PARENTS];
static int nparents;

/* ---- parents --------------------------------------------------------- */

static void discover(void)
{
	glob_t g, tg;
	char path[PATH_MAX], buf[128];

	if (glob(FZ_ACC_CLASS "/accmdev*", 0, NULL, &g)) {
		printf("not ok - no accmdev parents\n");
		exit(2);
	}
	for (size_t i = 0; i < g.gl_pathc && nparents < MAX_PARENTS; i++) {
		struct parent *p = &parents[nparents++];
		long n;

		snprintf(p->name, sizeof(p->name), "%s", strrchr(g.gl_pathv[i], '/') + 1);
		snprintf(path, sizeof(path), "%s/kind", g.gl_pathv[i]);
		n = fz_read(path, buf, sizeof(buf));
		p->kind = n > 0 ? accmdev_kind_from_name(buf, strcspn(buf, "\n")) : 0;
		snprintf(path, sizeof(path), "%s/qp_total", g.gl_pathv[i]);
		p->qp_total = (unsigned int)fz_read_num(path);
		snprintf(path, sizeof(path), "%s/migratable", g.gl_pathv[i]);
		p->migratable = fz_read_num(path) == 1;
		snprintf(path, sizeof(path), "%s/mdev_supported_types/*", g.gl_pathv[i]);
		if (!glob(path, 0, NULL, &tg)) {
			for (size_t j = 0; j < tg.gl_pathc && p->ntypes < MAX_TYPES; j++) {
				struct type *t = &p->types[p->ntypes];
				const char *q;

				snprintf(path, sizeof(path), "%s/description",
					 tg.gl_pathv[j]);
				n = fz_read(path, buf, sizeof(buf));
				q = n > 0 ? strstr(buf, "qps=") : NULL;
				if (!q)
					continue;
				t->qps = (unsigned int)strtoul(q + 4, NULL, 10);
				snprintf(t->name, sizeof(t->name), "%s",
					 strrchr(tg.gl_pathv[j], '/') + 1);
				if (t->qps)
					p->ntypes++;
			}
			globfree(&tg);
		}
	}
	globfree(&g);
}

static struct parent *parent_by_name(const char *name)
{
	for (int i = 0; i < nparents; i++)
		if (!strcmp(parents[i].name, name))
			return &parents[i];
	return NULL;
}

/* The parent and type of a device, from its mdev_type link. */
static struct parent *device_parent(const char *uuid, struct type **type)
{
	char path[PATH_MAX], link[PATH_MAX], name[32], *t;
	struct parent *p;

	/* /sys/devices/.../D:00:N.0/mdev_supported_types/accmdev-... */
	snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/mdev_type", uuid);
	if (!realpath(path, link))
		return NULL;
	t = strrchr(link, '/');
	*t++ = '\0';
	*strrchr(link, '/') = '\0';
	if (fz_acc_name(link, name, sizeof(name)))
		return NULL;
	p = parent_by_name(name);
	for (int i = 0; p && i < p->ntypes; i++) {
		if (!strcmp(p->types[i].name, t)) {
			*type = &p->types[i];
			return p;
		}
	}
	return NULL;
}

/* Up to @max device UUIDs; returns how many. */
static int list_devices(char (*uuids)[FZ_UUID_LEN + 1], int max)
{
	DIR *d = opendir(FZ_MDEV_DEVS);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (strlen(e->d_name) == FZ_UUID_LEN)
			snprintf(uuids[n++], FZ_UUID_LEN + 1, "%s", e->d_name);
	closedir(d);
	return n;
}

/* ---- bookkeeping ------------------------------------------------------ */

/* Errors any operation may meet: its device or file went away. */
static bool gone(int err)
{
	return err == ENOENT || err == ENODEV;
}

static void count(enum op op, const char *what, int err, bool allowed)
{
	atomic_fetch_add(&sh->n[op], 1);
	if (!err) {
		atomic_fetch_add(&sh->ok[op], 1);
		return;
	}
	if (allowed || gone(err) ||
	    (atomic_load(&sh->unloading) && (err == ENOENT || err == ENODEV))) {
		atomic_fetch_add(&sh->refused[op], 1);
		return;
	}
	atomic_fetch_add(&sh->unexpected[op], 1);
	if (atomic_fetch_add(&sh->shown, 1) < SHOW_UNEXPECTED)
		printf("# unexpected %s %s: %s\n", op_names[op], what,
		       fz_errname(err));
}

static int werr(long ret)
{
	return ret < 0 ? (int)-ret : 0;
}

/* ---- operations ------------------------------------------------------- */

static void op_create(struct fz_rng *r)
{
	struct parent *p = &parents[fz_below(r, nparents)];
	char path[PATH_MAX], uuid[FZ_UUID_LEN + 1];
	int err;

	if (!p->ntypes)
		return;
	fz_uuid(r, uuid);
	snprintf(path, sizeof(path), FZ_ACC_CLASS "/%.31s/mdev_supported_types/%.47s/create",
		 p->name, p->types[fz_below(r, p->ntypes)].name);
	err = werr(fz_write_str(path, uuid));
	count(OP_CREATE, path, err, err == ENOSPC);
	if (err)
		return;
	for (int i = 0; i < MAX_CREATED; i++) {
		int free_slot = SLOT_FREE;

		if (atomic_compare_exchange_strong(&sh->slot_state[i], &free_slot,
						   SLOT_BUSY)) {
			memcpy(sh->slot_uuid[i], uuid, sizeof(uuid));
			atomic_store(&sh->slot_state[i], SLOT_CREATED);
			return;
		}
	}
}

static bool pick_device(struct fz_rng *r, char *uuid)
{
	static char uuids[MAX_DEVS][FZ_UUID_LEN + 1];
	int n = list_devices(uuids, MAX_DEVS);

	if (!n)
		return false;
	memcpy(uuid, uuids[fz_below(r, n)], FZ_UUID_LEN + 1);
	return true;
}

/* Remove a device some worker created (maybe open in another). */
static void op_remove(struct fz_rng *r)
{
	char path[PATH_MAX];
	int start = (int)fz_below(r, MAX_CREATED);

	for (int k = 0; k < MAX_CREATED; k++) {
		int i = (start + k) % MAX_CREATED, created = SLOT_CREATED;

		if (!atomic_compare_exchange_strong(&sh->slot_state[i], &created,
						    SLOT_BUSY))
			continue;
		snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/remove",
			 sh->slot_uuid[i]);
		count(OP_REMOVE, path, werr(fz_write_str(path, "1")), false);
		atomic_store(&sh->slot_state[i], SLOT_FREE);
		return;
	}
}

/* A random type's or device's migration_version file. */
static bool pick_version_file(struct fz_rng *r, char *path, size_t size)
{
	char uuid[FZ_UUID_LEN + 1];

	if (fz_pct(r, 50) && pick_device(r, uuid)) {
		snprintf(path, size, FZ_MDEV_DEVS "/%s/migration_version", uuid);
		return true;
	}
	for (int tries = 0; tries < 4; tries++) {
		struct parent *p = &parents[fz_below(r, nparents)];

		if (!p->ntypes)
			continue;
		snprintf(path, size, FZ_ACC_CLASS "/%.31s/mdev_supported_types/%.47s/migration_version",
			 p->name, p->types[fz_below(r, p->ntypes)].name);
		return true;
	}
	return false;
}

/* Read a version; it must parse. ENODEV is a parent that cannot migrate. */
static void op_read_version(struct fz_rng *r, char *out, size_t size)
{
	char path[PATH_MAX];
	struct accmdev_migver v;
	long n;

	out[0] = '\0';
	if (!pick_version_file(r, path, sizeof(path)))
		return;
	n = fz_read(path, out, size);
	if (n > 0 && accmdev_migver_parse(out, (size_t)n, &v) != ACCMDEV_COMPAT_OK) {
		count(OP_READ_VER, path, EPROTO, false);
		out[0] = '\0';
		return;
	}
	if (n < 0)
		out[0] = '\0';
	count(OP_READ_VER, path, werr(n), false);
}

/* Write a version read somewhere to another node: only compat errnos. */
static void op_check_version(struct fz_rng *r)
{
	char ver[512], path[PATH_MAX];
	int err;

	op_read_version(r, ver, sizeof(ver));
	if (!ver[0] || !pick_version_file(r, path, sizeof(path)))
		return;
	err = werr(fz_write_str(path, ver));
	count(OP_CHECK_VER, path, err,
	      err == EXDEV || err == ERANGE || err == ENOEXEC ||
	      err == EOPNOTSUPP);
}

/*
 * A device's version to its own type's node: a new device of the type
 * would accept it, so the type must (none of these devices was ever a
 * migration's destination, so none was narrowed). ENODEV: a parent that
 * cannot migrate, or the device went away before the read.
 */
static void op_own_type(struct fz_rng *r)
{
	char uuid[FZ_UUID_LEN + 1], path[PATH_MAX], ver[512];
	struct parent *p;
	struct type *t;
	long n;
	int err;

	if (!pick_device(r, uuid) || !(p = device_parent(uuid, &t)))
		return;
	snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/migration_version", uuid);
	n = fz_read(path, ver, sizeof(ver));
	if (n < 0) {
		err = werr(n);
		count(OP_OWN_TYPE, path, err, err == ENODEV && !p->migratable);
		return;
	}
	snprintf(path, sizeof(path), FZ_ACC_CLASS "/%.31s/mdev_supported_types/%.47s/migration_version",
		 p->name, t->name);
	count(OP_OWN_TYPE, path, werr(fz_write_str(path, ver)), false);
}

/*
 * One request on QP 0 with the first checkable algorithm of the model,
 * checked against a reference. Returns 0, or an errno of the library.
 */
static int compute(struct fz_rng *r, struct acc_dev *d, const char *uuid)
{
	struct acc_qp qp;
	struct acc_dma src;
	struct accmdev_cqe cqe;
	uint8_t want[32];
	size_t want_len;
	uint32_t len = 1 + (uint32_t)fz_below(r, 4096), v;
	int op, ret;

	if (d->algs & (1u << ACCMDEV_OP_CRC32C))
		op = ACCMDEV_OP_CRC32C;
	else if (d->algs & (1u << ACCMDEV_OP_ADLER32))
		op = ACCMDEV_OP_ADLER32;
	else if (d->algs & (1u << ACCMDEV_OP_SHA256))
		op = ACCMDEV_OP_SHA256;
	else if (d->algs & (1u << ACCMDEV_OP_SHA224))
		op = ACCMDEV_OP_SHA224;
	else
		return 0;
	ret = acc_qp_setup(d, &qp, 0, 8, 8);
	if (ret)
		return -ret;
	ret = acc_dma_map(d, 4096, &src);
	if (ret) {
		acc_qp_teardown(&qp);
		return -ret;
	}
	if (op == ACCMDEV_OP_SHA256 || op == ACCMDEV_OP_SHA224) {
		len = 3;
		memcpy(src.va, "abc", 3);
	} else {
		fz_bytes(r, src.va, len);
	}
	switch (op) {
	case ACCMDEV_OP_CRC32C:
		v = htole32(ref_crc32c(src.va, len));
		memcpy(want, &v, 4);
		want_len = 4;
		break;
	case ACCMDEV_OP_ADLER32:
		v = htole32(ref_adler32(src.va, len));
		memcpy(want, &v, 4);
		want_len = 4;
		break;
	case ACCMDEV_OP_SHA256:
		memcpy(want, sha256_abc, 32);
		want_len = 32;
		break;
	default:
		memcpy(want, sha224_abc, 28);
		want_len = 28;
		break;
	}
	ret = acc_oneshot(&qp, (uint8_t)op, 0, &src, len, NULL, 0, &cqe);
	if (!ret) {
		atomic_fetch_add(&sh->computed, 1);
		if (le16toh(cqe.status) != ACCMDEV_ST_OK ||
		    le32toh(cqe.result_len) != want_len ||
		    memcmp(cqe.result, want, want_len)) {
			atomic_fetch_add(&sh->bad_results, 1);
			if (atomic_fetch_add(&sh->shown, 1) < SHOW_UNEXPECTED)
				printf("# bad result %s: %s status %s\n", uuid,
				       acc_op_name((unsigned int)op),
				       acc_status_name(le16toh(cqe.status)));
		}
	}
	acc_dma_unmap(d, &src);
	acc_qp_teardown(&qp);
	return ret < 0 ? -ret : 0;
}

static void op_open(struct fz_rng *r)
{
	char uuid[FZ_UUID_LEN + 1];
	struct acc_dev d;
	int err, efd = -1;

	if (!pick_device(r, uuid))
		return;
	err = -acc_open(&d, uuid);
	if (err) {
		const char *why = acc_error(&d);
		/*
		 * EBUSY: another worker has the group open. EINVAL from the
		 * group and container steps: the device is being removed
		 * (the VFIO core detaches the group's container first, and
		 * then a new open finds no IOMMU). ENXIO from opening the
		 * group's node: the group's character device was deleted
		 * between the path lookup and the open (chrdev_open() finds
		 * no cdev for the node's number), the same removal seen a
		 * step earlier.
		 */
		bool race = (err == EINVAL &&
			     (strstr(why, "VFIO_GROUP_") ||
			      strstr(why, "VFIO_SET_IOMMU"))) ||
			    (err == ENXIO && !strncmp(why, "/dev/vfio/", 10));

		count(OP_OPEN, why, err, err == EBUSY || race);
		return;
	}
	if (fz_pct(r, 50))
		efd = acc_req_eventfd(&d);
	if (fz_pct(r, 20))
		err = -acc_reset(&d);
	if (!err && fz_pct(r, 70))
		err = compute(r, &d, uuid);
	if (efd >= 0) {
		struct pollfd pfd = { .fd = efd, .events = POLLIN };

		/* Someone asked for the device (a remove waits for us). */
		if (poll(&pfd, 1, 0) == 1)
			atomic_fetch_add(&sh->requests_seen, 1);
		close(efd);
	}
	if (fz_pct(r, 20))
		usleep((useconds_t)fz_below(r, 20000));
	acc_close(&d);
	count(OP_OPEN, uuid, err, false);
}

static void op_read_pool(struct fz_rng *r)
{
	struct parent *p = &parents[fz_below(r, nparents)];
	char path[PATH_MAX];

	snprintf(path, sizeof(path), FZ_ACC_CLASS "/%.31s/qp_free", p->name);
	count(OP_READ_POOL, path, werr(fz_read_num(path)), false);
}

static void worker(uint64_t seed, double end)
{
	struct fz_rng r = { seed };
	char ver[512];

	while (fz_now() < end && !atomic_load(&sh->stop)) {
		uint64_t k = fz_below(&r, 100);

		if (k < 16)
			op_create(&r);
		else if (k < 26)
			op_remove(&r);
		else if (k < 40)
			op_read_version(&r, ver, sizeof(ver));
		else if (k < 50)
			op_check_version(&r);
		else if (k < 64)
			op_own_type(&r);
		else if (k < 92)
			op_open(&r);
		else
			op_read_pool(&r);
	}
	_exit(0);
}

/* ---- afterwards ------------------------------------------------------- */

static long module_refcnt(void)
{
	return fz_read_num("/sys/module/accmdev/refcnt");
}

/* qp_free and available_instances follow the devices that exist. */
static bool pool_matches(int *ndevs)
{
	static char uuids[MAX_DEVS][FZ_UUID_LEN + 1];
	unsigned int used[MAX_PARENTS] = { 0 };
	int n = list_devices(uuids, MAX_DEVS);
	bool ok = true;

	*ndevs = n;
	for (int i = 0; i < n; i++) {
		struct type *t;
		struct parent *p = device_parent(uuids[i], &t);

		if (p)
			used[p - parents] += t->qps;
	}
	for (int i = 0; i < nparents; i++) {
		struct parent *p = &parents[i];
		char path[PATH_MAX];
		long freeq, avail;

		snprintf(path, sizeof(path), FZ_ACC_CLASS "/%.31s/qp_free", p->name);
		freeq = fz_read_num(path);
		if (freeq != (long)(p->qp_total - used[i])) {
			printf("# %s: qp_free %ld, want %u - %u\n", p->name,
			       freeq, p->qp_total, used[i]);
			ok = false;
		}
		for (int j = 0; j < p->ntypes; j++) {
			unsigned int q = p->types[j].qps;

			snprintf(path, sizeof(path), FZ_ACC_CLASS "/%.31s/mdev_supported_types/%.47s/available_instances",
				 p->name, p->types[j].name);
			avail = fz_read_num(path);
			if (avail != (long)((p->qp_total - used[i]) / q)) {
				printf("# %s: available_instances %ld, want %u\n",
				       path, avail, (p->qp_total - used[i]) / q);
				ok = false;
			}
		}
	}
	return ok;
}

static void remove_all(void)
{
	static char uuids[MAX_DEVS][FZ_UUID_LEN + 1];
	char path[PATH_MAX];
	int n = list_devices(uuids, MAX_DEVS);

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), FZ_MDEV_DEVS "/%s/remove", uuids[i]);
		fz_write_str(path, "1");
	}
}

/* Wait for the workers until @deadline; print and kill the ones left. */
static int reap(pid_t *pids, int n, double deadline)
{
	int left = n, hung = 0;

	while (left && fz_now() < deadline) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);

		if (pid > 0)
			left--;
		else
			usleep(50000);
	}
	for (int i = 0; i < n && left; i++) {
		char path[64], wchan[128] = "";

		if (waitpid(pids[i], NULL, WNOHANG) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/wchan", pids[i]);
		fz_read(path, wchan, sizeof(wchan));
		printf("# worker %d hung in %s\n", pids[i], wchan);
		hung++;
		kill(pids[i], SIGKILL);
	}
	return hung;
}

int main(int argc, char **argv)
{
	uint64_t seed = fz_time_seed();
	double seconds = 60, unload_at = -1, t0, end;
	long attempts = 0, in_use = 0, refcnt0, total = 0, unexpected = 0;
	int procs = 6, opt, hung, ndevs = 0, unloaded = 0;
	double unloaded_at = 0;
	int devices_at_unload = 0, under_load = 0;
	pid_t pids[MAX_PROCS];
	bool pool_ok = true, refcnt_ok = true;

	while ((opt = getopt(argc, argv, "s:t:p:r:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 'r':
			unload_at = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: storm [-s SEED] [-t SECONDS] [-p PROCS] [-r DELAY]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > MAX_PROCS)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("seed=%llu\n", (unsigned long long)seed);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	memset(sh, 0, sizeof(*sh));
	discover();
	refcnt0 = module_refcnt();

	t0 = fz_now();
	end = t0 + seconds;
	for (int i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(seed + (uint64_t)i * 0x1000193, end);
		if (pids[i] < 0)
			return 2;
	}
	if (unload_at >= 0) {
		while (fz_now() < t0 + unload_at)
			usleep(100000);
		atomic_store(&sh->unloading, 1);
		while (!unloaded && fz_now() < end - 1) {
			int present = fz_count_devices();

			attempts++;
			if (!syscall(SYS_delete_module, "accmdev", O_NONBLOCK)) {
				devices_at_unload = present;
				unloaded = 1;
				unloaded_at = fz_now() - t0;
				/* Two more seconds against what is gone. */
				usleep(2000000);
				atomic_store(&sh->stop, 1);
			} else if (errno == EWOULDBLOCK || errno == EBUSY) {
				in_use++;
				usleep(20000);
			} else {
				printf("# delete_module: %s\n", fz_errname(errno));
				break;
			}
		}
	}
	/* Workers end at @end; a remove may wait up to 10 s for a close. */
	hung = reap(pids, procs, end + 60);
	/*
	 * A slow kernel (KASAN and lockdep under emulation) may never have
	 * had a moment with nothing open: then unload once the load is over,
	 * which must work as well, and say so.
	 */
	under_load = unloaded;
	if (unload_at >= 0 && !unloaded) {
		int present = fz_count_devices();

		attempts++;
		if (!syscall(SYS_delete_module, "accmdev", O_NONBLOCK)) {
			devices_at_unload = present;
			unloaded = 1;
			unloaded_at = fz_now() - t0;
		} else {
			printf("# delete_module after the load: %s\n", fz_errname(errno));
		}
	}

	for (int op = 0; op < OP_COUNT; op++) {
		printf("op=%s n=%ld ok=%ld refused=%ld unexpected=%ld\n",
		       op_names[op], atomic_load(&sh->n[op]),
		       atomic_load(&sh->ok[op]), atomic_load(&sh->refused[op]),
		       atomic_load(&sh->unexpected[op]));
		total += atomic_load(&sh->n[op]);
		unexpected += atomic_load(&sh->unexpected[op]);
	}
	printf("computed=%ld bad_results=%ld requests_seen=%ld\n",
	       atomic_load(&sh->computed), atomic_load(&sh->bad_results),
	       atomic_load(&sh->requests_seen));
	if (unload_at >= 0) {
		printf("unload attempts=%ld in_use=%ld unloaded=%d under_load=%d at=%.1f devices=%d\n",
		       attempts, in_use, unloaded, under_load, unloaded_at,
		       devices_at_unload);
	} else {
		pool_ok = pool_matches(&ndevs);
		remove_all();
		if (fz_count_devices() != 0)
			pool_ok = false;
		{
			int none;

			pool_ok = pool_matches(&none) && pool_ok;
		}
		refcnt_ok = module_refcnt() == refcnt0;
	}
	printf("ops=%ld unexpected=%ld bad_results=%ld hung=%d pool_ok=%d refcnt_ok=%d devices_left=%d\n",
	       total, unexpected, atomic_load(&sh->bad_results), hung,
	       pool_ok, refcnt_ok, ndevs);
	return unexpected || hung || atomic_load(&sh->bad_results) ||
	       !pool_ok || !refcnt_ok || (unload_at >= 0 && !unloaded);
}
