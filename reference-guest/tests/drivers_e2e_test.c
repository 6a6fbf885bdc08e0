/* SPDX-License-Identifier: MIT */

/*
 * The amdgpu, i915, asahi and panfrost driver layers end to end over a real
 * socket, each against a private `vdrm-host --context <ctx>` ($VDRM_HOST):
 * buffer creation never waits; once its buffers are known a frame's
 * submission, uploads, queries, fence wait and answers cost no round trip;
 * the buffers read back what was written; and an i915 context the kernel
 * banned after a hang is reported at the next wait, naming the submission.
 */

#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver.h"
#include "host_spawn.h"

#define SIM_HANG_MAGIC 0xdead600du   /* the sims' hanging command buffer (backend/sim/sim.h) */
#define FENCE_MS 5000

struct fixture {
   const struct vg_driver_ops *ops;
   struct vg_spawned_host host;
   struct vg_device *dev;
   struct vg_driver *drv;
   struct vg_bo *cmd, *data;
};

static int
setup_for(void **state, const struct vg_driver_ops *ops)
{
   struct fixture *f = calloc(1, sizeof(*f));
   struct vg_options o = ops->options;
   char err[512];

   assert_non_null(f);
   f->ops = ops;
   if (vg_spawn_host(ops->name, &f->host, err, sizeof(err)))
      fail_msg("%s", err);
   o.record_fd = -1;
   o.timeout_ms = FENCE_MS;
   f->dev = vg_open_vtest(f->host.socket, &o);
   assert_non_null(f->dev);
   assert_null(vg_error(f->dev));
   if (ops->create(f->dev, &f->drv))
      fail_msg("%s: %s", ops->name, vg_error(f->dev));
   *state = f;
   return 0;
}

static int setup_amdgpu(void **state) { return setup_for(state, &vg_amdgpu_driver); }
static int setup_i915(void **state) { return setup_for(state, &vg_i915_driver); }
static int setup_asahi(void **state) { return setup_for(state, &vg_asahi_driver); }
static int setup_panfrost(void **state) { return setup_for(state, &vg_panfrost_driver); }

static int
teardown(void **state)
{
   struct fixture *f = *state;
   char err[512];

   f->ops->bo_free(f->drv, f->cmd);
   f->ops->bo_free(f->drv, f->data);
   f->ops->destroy(f->drv);
   vg_close(f->dev);
   assert_int_equal(vg_stop_host(&f->host, err, sizeof(err)), 0);
   free(f);
   return 0;
}

/* Writes frame's commands into the command buffer and submits them with the data buffer. */
static void
submit_frame(struct fixture *f, uint32_t frame, struct vg_fence *fence)
{
   uint8_t *map = f->ops->bo_map(f->drv, f->cmd);
   uint32_t size;

   assert_non_null(map);
   size = f->ops->emit_cmds(f->drv, map, 4096, frame);
   assert_true(size > 0 && size <= 4096);
   if (f->ops->submit(f->drv, f->cmd, size, &f->data, 1, fence))
      fail_msg("%s", vg_error(f->dev));
}

/* A fence signalled, with no failure. */
static void
wait_ok(struct fixture *f, struct vg_fence *fence)
{
   if (f->ops->wait(f->drv, fence, FENCE_MS) != 0)
      fail_msg("%s: %s", f->ops->name, vg_error(f->dev) ? vg_error(f->dev) : "timeout");
   vg_fence_release(f->dev, fence);
}

/* Three buffers asked for: the host is not waited for, whatever the context. */
static void
buffer_creation_never_waits(void **state)
{
   struct fixture *f = *state;
   const struct vg_stats *st = vg_stats(f->dev);
   uint64_t before = st->round_trips;
   struct vg_bo *extra;

   f->cmd = f->ops->bo_new(f->drv, 4096);
   f->data = f->ops->bo_new(f->drv, 65536);
   extra = f->ops->bo_new(f->drv, 100000);
   assert_non_null(f->cmd);
   assert_non_null(f->data);
   assert_non_null(extra);
   assert_int_equal(st->round_trips, before);
   assert_true(extra->size >= 100000);
   f->ops->bo_free(f->drv, extra);
   assert_int_equal(vg_sync(f->dev), 0);
   assert_null(vg_error(f->dev));
}

/*
 * After one frame has made the buffers known, a frame is free of round
 * trips: upload, queries, submission, fence wait, and the answers read
 * after the fence. What the upload wrote reads back through the mapping.
 */
static void
known_buffers_frame_never_waits(void **state)
{
   struct fixture *f = *state;
   const struct vg_stats *st = vg_stats(f->dev);
   struct vg_query q[8];
   struct vg_fence fence;
   const uint8_t bytes[8] = { 'v', 'd', 'r', 'm', 0, 1, 2, 3 };
   const uint8_t *map;
   uint64_t before;

   assert_true(f->ops->nqueries <= 8);
   f->cmd = f->ops->bo_new(f->drv, 4096);
   f->data = f->ops->bo_new(f->drv, 65536);
   assert_non_null(f->cmd);
   assert_non_null(f->data);
   submit_frame(f, 0, &fence);
   wait_ok(f, &fence);
   map = f->ops->bo_map(f->drv, f->data);
   assert_non_null(map);

   before = st->round_trips;
   assert_int_equal(f->ops->bo_upload(f->drv, f->data, 65536 - sizeof(bytes), bytes, sizeof(bytes)), 0);
   for (uint32_t i = 0; i < f->ops->nqueries; i++)
      assert_int_equal(f->ops->query_begin(f->drv, i, &q[i]), 0);
   submit_frame(f, 1, &fence);
   assert_int_equal(st->round_trips, before);
   wait_ok(f, &fence);
   for (uint32_t i = 0; i < f->ops->nqueries; i++) {
      if (f->ops->query_end(f->drv, &q[i]))
         fail_msg("%s: %s", q[i].name, vg_error(f->dev));
   }
   assert_int_equal(st->round_trips, before);
   assert_memory_equal(map + 65536 - sizeof(bytes), bytes, sizeof(bytes));
   assert_int_equal(st->fence_waits, 2);
   assert_null(vg_error(f->dev));
}

/*
 * i915: a hanging batch gets the (non-recoverable) context banned; the
 * next submission is refused with EIO, which its wait reports.
 */
static void
banned_context_is_reported(void **state)
{
   struct fixture *f = *state;
   struct vg_fence fence;
   uint32_t *map;
   uint32_t size;

   f->cmd = f->ops->bo_new(f->drv, 4096);
   f->data = f->ops->bo_new(f->drv, 65536);
   map = f->ops->bo_map(f->drv, f->cmd);
   assert_non_null(map);
   size = f->ops->emit_cmds(f->drv, map, 4096, 0);
   map[0] = SIM_HANG_MAGIC;
   assert_int_equal(f->ops->submit(f->drv, f->cmd, size, &f->data, 1, &fence), 0);
   assert_int_equal(f->ops->wait(f->drv, &fence, FENCE_MS), 0);
   vg_fence_release(f->dev, &fence);
   assert_null(vg_error(f->dev));
   submit_frame(f, 1, &fence);
   assert_int_equal(f->ops->wait(f->drv, &fence, FENCE_MS), -1);
   vg_fence_release(f->dev, &fence);
   assert_non_null(vg_error(f->dev));
   assert_non_null(strstr(vg_error(f->dev), "GEM_EXECBUFFER2"));
   assert_non_null(strstr(vg_error(f->dev), "errno 5"));
}

/* A test for each context, named after it. */
#define ONE(ctx, test) { #ctx ": " #test, test, setup_##ctx, teardown, NULL }
#define PER_CONTEXT(test) ONE(amdgpu, test), ONE(i915, test), ONE(asahi, test), ONE(panfrost, test)

int
main(void)
{
   const struct CMUnitTest tests[] = {
      PER_CONTEXT(buffer_creation_never_waits),
      PER_CONTEXT(known_buffers_frame_never_waits),
      ONE(i915, banned_context_is_reported),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
