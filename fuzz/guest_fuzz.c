/* SPDX-License-Identifier: MIT */

/*
 * Guest-side harness of one context (FUZZ_CONTEXT): the reference guest
 * (libvdrm-guest on its virtio-gpu transport, and the context's driver
 * layer, reference-guest/drivers/) against a hostile host. The input is
 * what that host changes in its answers (virtgpu_host.h: per answer a
 * control byte and edits of the capset or the shmem); without edits the
 * host is the honest reference host.
 *
 * The guest opens the device, creates the driver, then runs two frames as
 * a driver does: two buffers, a command buffer written through its
 * mapping, an upload, every query of the context begun, the submission,
 * its fence waited for, the queries' answers read; then frees everything.
 * It must not crash, read past the shmem, hang (the device's timeout and
 * the fence waits are 1 ms), leak memory or descriptors, or leave a GEM
 * handle open; errors are its answer (vg_error()). Against an honest host
 * it must report none.
 */

#include <string.h>

#include "driver.h"
#include "fuzz.h"
#include "virtgpu_host.h"
#include "vtest_host.h"

#ifndef FUZZ_CONTEXT
#error "FUZZ_CONTEXT names the context (-DFUZZ_CONTEXT=\"msm\")"
#endif

#define FRAMES 2u
#define MAX_QUERIES 8u
#define WAIT_MS 1

/* One frame; 0, or -1 once the guest gave up (its error in vg_error(), or a fence that did not signal). */
static int
frame(const struct vg_driver_ops *ops, struct vg_device *dev, struct vg_driver *drv, uint32_t n)
{
   struct vg_query q[MAX_QUERIES];
   uint32_t nq = 0, begun = 0, cmd_size;
   struct vg_fence fence = { .fd = -1 };
   struct vg_bo *cmd, *data;
   uint8_t upload[64];
   void *map;
   int ret = -1;

   memset(upload, (int)n, sizeof(upload));
   cmd = ops->bo_new(drv, 4096);
   data = ops->bo_new(drv, 8192);
   if (!cmd || !data || !(map = ops->bo_map(drv, cmd)) || !(cmd_size = ops->emit_cmds(drv, map, 4096, n)) ||
       ops->bo_upload(drv, data, 0, upload, sizeof(upload)))
      goto out;
   nq = ops->nqueries < MAX_QUERIES ? ops->nqueries : MAX_QUERIES;
   for (; begun < nq; begun++) {
      if (ops->query_begin(drv, begun, &q[begun]))
         goto out;
   }
   if (ops->submit(drv, cmd, cmd_size, &data, 1, &fence) || ops->wait(drv, &fence, WAIT_MS))
      goto out;
   ret = 0;
out:
   /* Only the answers of queries that were sent (a query read before the host ran it waits). */
   for (uint32_t i = 0; i < begun && !vg_error(dev); i++)
      ops->query_end(drv, &q[i]);
   vg_fence_release(dev, &fence);
   ops->bo_free(drv, data);
   ops->bo_free(drv, cmd);
   return ret || vg_error(dev) ? -1 : 0;
}

/* Over vtest the first byte chooses the context; over virtio-gpu FUZZ_CONTEXT names it. */
static bool
over_vtest(void)
{
   return strcmp(FUZZ_CONTEXT, "vtest") == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   const struct fz_context *ctx;
   const struct vg_driver_ops *ops;
   struct fz_vtest_host vt;
   struct fz_virtgpu v;
   struct vg_options opt;
   struct vg_device *dev;
   struct vg_driver *drv;
   bool hostile;
   uint32_t frames = 0;

   if (over_vtest() && size < 1)
      return 0;
   ctx = over_vtest() ? &fz_contexts[data[0] % fz_ncontexts] : fz_context(FUZZ_CONTEXT);
   ops = vg_driver_find(ctx->name);
   FZ_CHECK(ops, "no driver %s", ctx->name);
   opt = ops->options;
   opt.timeout_ms = WAIT_MS;
   opt.record_fd = -1;
   if (over_vtest()) {
      struct vg_vtest_io io;

      fz_vtest_host_init(&vt, ctx, data + 1, size - 1);
      io = fz_vtest_host_io(&vt);
      dev = vg_open_vtest_socket(fz_vtest_host_take_socket(&vt), &io, &opt);
   } else {
      struct vg_virtgpu_sys sys;

      fz_virtgpu_init(&v, ctx, data, size);
      sys = fz_virtgpu_sys(&v);
      dev = vg_open_virtgpu(FZ_VIRTGPU_FD, &sys, &opt);
   }
   FZ_CHECK(dev, "out of memory");
   if (!vg_error(dev) && ops->create(dev, &drv) == 0) {
      while (frames < FRAMES && frame(ops, dev, drv, frames) == 0)
         frames++;
      ops->destroy(drv);
   }
   hostile = over_vtest() ? vt.in.hostile : v.in.hostile;
   /* FUZZ_VERBOSE: how far the guest got (to tell a seed that gets past the first answers). */
   if (getenv("FUZZ_VERBOSE"))
      fprintf(stderr, "%s over %s: %u frame(s), %llu ccmds; %s\n", ctx->name, vg_transport_name(dev), frames,
              (unsigned long long)vg_stats(dev)->ccmds, vg_error(dev) ? vg_error(dev) : "no error");
   /* The oracle of the honest host: a guest that refuses it is wrong. */
   FZ_CHECK(hostile || !vg_error(dev), "%s: an honest host, yet: %s", ctx->name, vg_error(dev));
   vg_close(dev);
   if (over_vtest())
      fz_vtest_host_fini(&vt);
   else
      fz_virtgpu_fini(&v);
   return 0;
}
