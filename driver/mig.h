/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * accmdev live migration: VFIO migration v2 (the state machine and its
 * data files) over the stream codec of mig_stream.h.
 */
#ifndef ACCMDEV_MIG_H
#define ACCMDEV_MIG_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "mig_stream.h"

struct accmdev_device;
struct device;
struct file;
struct vfio_device;

/*
 * One data transfer session: the saving or the resuming side. The file
 * holds one reference and the device another while the session lasts;
 * whichever drops last frees it. After ->disabled is set the device may
 * be gone, so nothing but this struct is touched.
 */
struct accmdev_mig_file {
	struct file *filp;
	struct mutex lock;		/* protects everything below */
	bool disabled;			/* session over: I/O fails */
	bool final;			/* saving: stop-copy data appended */
	bool checked;			/* resuming: header accepted */
	int error;			/* resuming: sticky errno, or 0 */
	const char *why;		/* resuming: the rule the error names */
	int why_qp;			/* ... in this QP record, or -1 */
	u8 *buf;			/* the stream */
	size_t size;			/* bytes allocated at buf */
	size_t filled;			/* bytes of stream in buf */
	size_t pos;			/* saving: bytes read so far */
	/* Resuming: what this device accepts, and where to log refusals. */
	struct accmdev_mig_target target;
	struct device *dev;
	/* Saving: poll's waiters, woken when final or disabled is set. */
	wait_queue_head_t wq;
};

void accmdev_mig_init(struct accmdev_device *adev);
void accmdev_mig_destroy(struct accmdev_device *adev);
void accmdev_mig_open(struct accmdev_device *adev);
void accmdev_mig_close(struct accmdev_device *adev);
void accmdev_mig_reset(struct accmdev_device *adev);
int accmdev_mig_device_feature(struct vfio_device *vdev, u32 flags,
			       void __user *arg, size_t argsz);

#endif /* ACCMDEV_MIG_H */
