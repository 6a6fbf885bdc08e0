/* SPDX-License-Identifier: MIT */

/*
 * A frame loop shaped like a driver's, over the driver-layer interface: two
 * frames in flight, buffers from a cache, an upload and a CPU write per
 * frame, a submission with a fence, the queries a driver repeats; each
 * frame's results (buffer contents read back through the mappings, query
 * answers) checked once its fence has signalled.
 */

#ifndef VG_WORKLOAD_H_
#define VG_WORKLOAD_H_

#include <stdbool.h>
#include <stdint.h>

#include "driver.h"

/* Frames before the steady state: the ones that fill the buffer cache. */
#define VG_WARMUP_FRAMES 2u

struct vg_workload_result {
   uint32_t frames_done;
   uint64_t setup_round_trips;      /* opening the device and the driver */
   uint64_t warmup_round_trips;     /* the first VG_WARMUP_FRAMES frames */
   uint64_t steady_round_trips;     /* every later frame */
   uint64_t steady_max_round_trips; /* in the worst steady frame */
   uint64_t steady_messages;        /* sent during steady frames */
   uint64_t steady_bytes;
   uint64_t steady_ccmds;
   uint64_t buffers_created;
   uint64_t bytes_checked;          /* buffer bytes read back and compared */
   uint64_t queries_checked;
};

/* Called about once a second on long runs. */
typedef void (*vg_progress_fn)(void *data, uint32_t frame, uint32_t frames);

struct vg_workload_config {
   uint32_t frames;
   /*
    * Frames of queries alone, each answered before the next frame (one
    * round trip a frame): no buffers, so nothing is mapped or exported, for
    * hosts that cannot export buffers (virglrenderer on Mesa's noop drm-shims).
    */
   bool queries_only;
   vg_progress_fn progress;       /* NULL: none */
   void *progress_data;
};

/* Runs the frames on drv; 0, or -1 with vg_error(dev) saying why. */
int vg_workload_run(const struct vg_driver_ops *ops, struct vg_device *dev, struct vg_driver *drv,
                    const struct vg_workload_config *config, struct vg_workload_result *res);

#endif
