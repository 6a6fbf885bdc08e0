/* SPDX-License-Identifier: MIT */

/*
 * libvdrm-guest and the msm driver layer end to end over a real socket,
 * against a private `vdrm-host --context msm` ($VDRM_HOST) started for each
 * test: the workload, the round trips it makes, deferred answers, async
 * errors named by command, syncobjs, a host killed mid-run, a wrong context.
 */

#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "driver.h"
#include "host_spawn.h"
#include "msm_codec.h"
#include "workload.h"

struct fixture {
   struct vg_spawned_host host;
   struct vg_device *dev;
   struct vg_driver *drv;
};

static struct vg_device *
open_msm(struct fixture *f, const struct vg_options *opt)
{
   struct vg_options o = opt ? *opt : vg_msm_driver.options;

   o.record_fd = -1;
   o.timeout_ms = 5000;
   return vg_open_vtest(f->host.socket, &o);
}

static int
setup(void **state)
{
   struct fixture *f = calloc(1, sizeof(*f));
   char err[512];

   assert_non_null(f);
   if (vg_spawn_host("msm", &f->host, err, sizeof(err)))
      fail_msg("%s", err);
   f->dev = open_msm(f, NULL);
   assert_non_null(f->dev);
   assert_null(vg_error(f->dev));
   assert_int_equal(vg_msm_driver.create(f->dev, &f->drv), 0);
   *state = f;
   return 0;
}

static int
teardown(void **state)
{
   struct fixture *f = *state;
   char err[512];

   if (f->drv)
      vg_msm_driver.destroy(f->drv);
   vg_close(f->dev);
   if (f->host.pid > 0)
      assert_int_equal(vg_stop_host(&f->host, err, sizeof(err)), 0);
   free(f);
   return 0;
}

/* The workload: every check passes, and steady frames never wait for the host. */
static void
workload_steady_state_has_no_round_trips(void **state)
{
   struct fixture *f = *state;
   struct vg_workload_result r;
   const uint32_t frames = 12, steady = frames - VG_WARMUP_FRAMES;

   assert_int_equal(vg_workload_run(&vg_msm_driver, f->dev, f->drv, &(struct vg_workload_config){ .frames = frames }, &r), 0);
   assert_null(vg_error(f->dev));
   assert_int_equal(r.frames_done, frames);
   assert_int_equal(r.steady_round_trips, 0);
   assert_int_equal(r.steady_max_round_trips, 0);
   /* Warm-up maps the new buffers: their blob answers are read then. */
   assert_true(r.warmup_round_trips > 0);
   assert_int_equal(r.buffers_created, 6);
   assert_int_equal(r.bytes_checked, frames * (6144u + 4096u));
   assert_int_equal(r.queries_checked, frames * vg_msm_driver.nqueries);
   /* A steady frame: one batch (2 uploads, 3 queries) and the GEM_SUBMIT. */
   assert_int_equal(r.steady_messages, steady * 2);
   assert_int_equal(r.steady_ccmds, steady * 6);
   assert_int_equal(vg_stats(f->dev)->fence_waits, frames);
   assert_int_equal(vg_stats(f->dev)->errors, 0);
}

/* Buffer creation does not wait; the first map reads every answer queued before it. */
static void
blob_answers_are_read_when_needed(void **state)
{
   struct fixture *f = *state;
   uint64_t before = vg_stats(f->dev)->round_trips;
   struct vg_bo *a = vg_msm_driver.bo_new(f->drv, 4096);
   struct vg_bo *b = vg_msm_driver.bo_new(f->drv, 8192);
   uint8_t *map;

   assert_non_null(a);
   assert_non_null(b);
   assert_int_equal(vg_stats(f->dev)->round_trips, before);
   map = vg_msm_driver.bo_map(f->drv, b);
   assert_non_null(map);
   assert_int_equal(vg_stats(f->dev)->round_trips, before + 1);
   /* a's answer came before b's: known without another wait. */
   assert_true(vg_blob_res_id(f->dev, a->blob) != 0);
   assert_true(vg_blob_res_id(f->dev, a->blob) != vg_blob_res_id(f->dev, b->blob));
   assert_int_equal(vg_stats(f->dev)->round_trips, before + 1);
   /* An upload lands in the buffer the guest maps. */
   assert_int_equal(vg_msm_driver.bo_upload(f->drv, b, 4000, "vdrm", 4), 0);
   assert_int_equal(vg_sync(f->dev), 0);
   assert_memory_equal(map + 4000, "vdrm", 4);
   vg_msm_driver.bo_free(f->drv, a);
   vg_msm_driver.bo_free(f->drv, b);
   assert_int_equal(vg_sync(f->dev), 0);
   assert_null(vg_error(f->dev));
}

/* A query read before the host ran it is one round trip; read after a sync, none. */
static void
query_round_trips(void **state)
{
   struct fixture *f = *state;
   const struct vg_stats *st = vg_stats(f->dev);
   struct vg_query q;
   uint64_t before = st->round_trips;

   assert_int_equal(vg_msm_driver.query_begin(f->drv, 0, &q), 0);
   assert_int_equal(vg_msm_driver.query_end(f->drv, &q), 0);
   assert_int_equal(st->round_trips, before + 1);
   assert_int_equal(q.value, vg_caps(f->dev)->u.msm.gpu_id);
   assert_int_equal(vg_msm_driver.query_begin(f->drv, 1, &q), 0);
   assert_int_equal(vg_sync(f->dev), 0);
   before = st->round_trips;
   assert_int_equal(vg_msm_driver.query_end(f->drv, &q), 0);
   assert_int_equal(st->round_trips, before);
   assert_int_equal(q.value, vg_caps(f->dev)->u.msm.chip_id);
}

/* A GEM_UPLOAD the host refuses (no such resource) is named with its seqno. */
static void
async_error_names_the_refused_command(void **state)
{
   struct fixture *f = *state;
   struct msm_ccmd_gem_upload_req req;
   uint8_t data[4] = { 1, 2, 3, 4 };
   size_t len;
   void *buf;
   char expect[64];

   assert_int_equal(vg_req_begin(f->dev, &req.hdr, 0, NULL, "GEM_UPLOAD"), 0);
   req.res_id = 999;
   req.pad = 0;
   req.off = 0;
   req.len = sizeof(data);
   buf = vg_req_space(f->dev, msm_ccmd_gem_upload_req_size(4));
   assert_non_null(buf);
   assert_int_equal(msm_ccmd_gem_upload_req_encode(buf, msm_ccmd_gem_upload_req_size(4), &req, data, &len), 0);
   assert_int_equal(vg_req_push(f->dev, len, "GEM_UPLOAD"), 0);
   assert_int_equal(vg_sync(f->dev), -1);
   snprintf(expect, sizeof(expect), "GEM_UPLOAD: seqno %u: the host refused it", req.hdr.seqno);
   assert_non_null(vg_error(f->dev));
   assert_non_null(strstr(vg_error(f->dev), expect));
   /* Everything after the first failure fails fast, without another report. */
   assert_int_equal(vg_sync(f->dev), -1);
   assert_int_equal(vg_stats(f->dev)->errors, 1);
}

/* Syncobjs through SUBMIT_CMD2: an out-syncobj of one batch is the in-syncobj of the next. */
static void
syncobjs_chain_submissions(void **state)
{
   struct fixture *f = *state;
   struct msm_ccmd_nop_req req;
   uint8_t buf[2][sizeof(req)];
   size_t len[2];
   uint32_t h = 0;
   struct vg_syncobj s;
   struct vg_fence fence;

   assert_int_equal(vg_syncobj_create(f->dev, &h), 0);
   assert_true(h != 0);
   s = (struct vg_syncobj){ .handle = h };
   for (int i = 0; i < 2; i++) {
      assert_int_equal(vg_req_begin(f->dev, &req.hdr, 0, NULL, "NOP"), 0);
      assert_int_equal(msm_ccmd_nop_req_encode(buf[i], sizeof(buf[i]), &req, &len[i]), 0);
   }
   assert_int_equal(vg_execbuf(f->dev, &(struct vg_execbuf){ .ccmd = buf[0], .len = len[0], .command = "NOP",
                                                            .ring_idx = 1, .out_syncobjs = &s,
                                                            .num_out_syncobjs = 1 }, NULL), 0);
   assert_int_equal(vg_execbuf(f->dev, &(struct vg_execbuf){ .ccmd = buf[1], .len = len[1], .command = "NOP",
                                                            .ring_idx = 1, .in_syncobjs = &s,
                                                            .num_in_syncobjs = 1 }, &fence), 0);
   assert_int_equal(vg_fence_wait(f->dev, &fence, 5000), 0);
   vg_fence_release(f->dev, &fence);
   assert_int_equal(vg_sync(f->dev), 0);
   vg_syncobj_destroy(f->dev, h);
   assert_int_equal(vg_sync(f->dev), 0);
   assert_null(vg_error(f->dev));
}

/* The host killed mid-run: the next wait fails with a clear message instead of hanging. */
static void
lost_host_is_an_error_not_a_hang(void **state)
{
   struct fixture *f = *state;
   struct vg_workload_result r;
   int status;

   assert_int_equal(vg_workload_run(&vg_msm_driver, f->dev, f->drv, &(struct vg_workload_config){ .frames = 3 }, &r), 0);
   assert_int_equal(kill(f->host.pid, SIGKILL), 0);
   assert_int_equal(waitpid(f->host.pid, &status, 0), f->host.pid);
   f->host.pid = -1;
   assert_int_equal(vg_workload_run(&vg_msm_driver, f->dev, f->drv, &(struct vg_workload_config){ .frames = 3 }, &r), -1);
   assert_non_null(vg_error(f->dev));
   assert_non_null(strstr(vg_error(f->dev), "the host closed the connection"));
   vg_stop_host(&f->host, NULL, 0);   /* the directory */
}

/* A host serving another context is refused at GET_CAPSET. */
static void
wrong_context_type_is_refused(void **state)
{
   struct fixture *f = *state;
   struct vg_options o = vg_msm_driver.options;
   struct vg_device *dev;

   o.context_type = VIRTGPU_DRM_CONTEXT_AMDGPU;
   dev = open_msm(f, &o);
   assert_non_null(dev);
   assert_string_equal(vg_error(dev), "GET_CAPSET: the host serves context type 1, not 2");
   vg_close(dev);
}

/* No host on the socket: the connect error names the path. */
static void
no_host_is_a_connect_error(void **state)
{
   struct vg_options o = vg_msm_driver.options;
   struct vg_device *dev;

   (void)state;
   o.record_fd = -1;
   dev = vg_open_vtest("/nonexistent/vtest.sock", &o);
   assert_non_null(dev);
   assert_string_equal(vg_error(dev), "connect: /nonexistent/vtest.sock: No such file or directory");
   vg_close(dev);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(workload_steady_state_has_no_round_trips, setup, teardown),
      cmocka_unit_test_setup_teardown(blob_answers_are_read_when_needed, setup, teardown),
      cmocka_unit_test_setup_teardown(query_round_trips, setup, teardown),
      cmocka_unit_test_setup_teardown(async_error_names_the_refused_command, setup, teardown),
      cmocka_unit_test_setup_teardown(syncobjs_chain_submissions, setup, teardown),
      cmocka_unit_test_setup_teardown(lost_host_is_an_error_not_a_hang, setup, teardown),
      cmocka_unit_test_setup_teardown(wrong_context_type_is_refused, setup, teardown),
      cmocka_unit_test(no_host_is_a_connect_error),
   };

   signal(SIGPIPE, SIG_IGN);
   return cmocka_run_group_tests(tests, NULL, NULL);
}
