/* SPDX-License-Identifier: MIT */

/*
 * Every defect of generated/doc/msm.md's "Upstream defects" section made
 * impossible, one test each, named upstream_defect_<the defect's name>
 * (check_defects.py fails when a listed defect has no such test). Each shows
 * that the hostile request is refused or normalised before the kernel sees
 * it: the sim backend counts what reaches it. Two more flaws the docs name
 * outside that section follow.
 */

#define _GNU_SOURCE
#include <string.h>

#include "harness.h"

#define VA 0x100000000ull

/* msm_ioctl_param.len: the deployed host forwards any len; this one refuses all but zero. */
static void
upstream_defect_msm_ioctl_param_len(void **state)
{
   struct tguest *g = TG(state);
   uint32_t lens[] = { 1, 8, 0x1000, 0xffffffffu };
   uint64_t v;

   for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
      struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = KMSM_PARAM_COMM, .len = lens[i] };
      uint32_t before = tg_async_error(g);

      tg_reserve(g, 0, 32);
      tg_ioctl(g, tg_ioc_get_param(sizeof(p)), &p, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload.len", "must be zero", "VDRM_E_NONZERO", NULL));
      assert_int_equal(tg_async_error(g), before + 1);
      /* Nothing was written to the response. */
      assert_int_equal(*(uint32_t *)tg_rsp(g, 0), 32);
   }
   /* The kernel never saw a non-zero len; an ordinary GET_PARAM still works. */
   assert_int_equal(tg_sim(g).param_len_seen, 0);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_GPU_ID, &v), 0);
   assert_int_equal(v, 630);
}

/* drm_msm_gem_submit_cmd.nr_relocs: refused, so the kernel never resolves a guest address. */
static void
upstream_defect_drm_msm_gem_submit_cmd_nr_relocs(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 0);
   struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res };
   struct drm_msm_gem_submit_cmd cmds[2] = {
      { .type = KMSM_SUBMIT_CMD_BUF, .size = 64 },
      { .type = KMSM_SUBMIT_CMD_BUF, .size = 64, .nr_relocs = 1, .relocs = 0x7ffd00001000ull },
   };

   tg_submit(g, KMSM_PIPE_3D0, q, 1, &bo, 1, cmds, 2);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_SUBMIT", "cmds[].nr_relocs", "VDRM_E_NONZERO", NULL));
   assert_int_equal(tg_async_error(g), 1);
   assert_int_equal(tg_sim(g).relocs_seen, 0);
   assert_int_equal(tg_sim(g).submits, 0);
   assert_int_equal(tg_sim(g).last_submit_flags, 0);   /* no submit reached the kernel at all */
}

/* drm_msm_gem_submit_cmd.relocs: the garbage Mesa leaves there is cleared, the submit runs. */
static void
upstream_defect_drm_msm_gem_submit_cmd_relocs(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 0);
   struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res };
   struct drm_msm_gem_submit_cmd cmd = {
      .type = KMSM_SUBMIT_CMD_BUF, .size = 64, .relocs = 0xaaaaaaaaaaaaaaaaull,
   };

   tg_submit(g, KMSM_PIPE_3D0, q, 1, &bo, 1, &cmd, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_sim(g).submits, 1);
   assert_int_equal(tg_sim(g).relocs_seen, 0);
   assert_int_equal(tg_async_error(g), 0);
}

/* GEM_SUBMIT flags: SUDO and undefined bits refused even on a host that could run them privileged. */
static void
upstream_defect_msm_ccmd_gem_submit_req_check_flags(void **state)
{
   struct tg_opts o = { .privileged = true };
   struct tguest *g = tg_new(&o);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 0);
   struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res };
   struct drm_msm_gem_submit_cmd cmd = { .type = KMSM_SUBMIT_CMD_BUF, .size = 64 };
   uint32_t bad[] = {
      KMSM_PIPE_3D0 | KMSM_SUBMIT_SUDO,
      KMSM_PIPE_3D0 | KMSM_SUBMIT_SUDO | KMSM_SUBMIT_NO_IMPLICIT,
      KMSM_PIPE_3D0 | 0x01000000u,   /* undefined */
      KMSM_PIPE_3D0 | 0x00ff0000u,   /* undefined */
   };

   (void)state;
   for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      tg_submit(g, bad[i], q, i + 1, &bo, 1, &cmd, 1);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "GEM_SUBMIT", "flags", "VDRM_E_NOT_ALLOWED", NULL));
   }
   assert_int_equal(tg_sim(g).sudo_seen, 0);
   assert_int_equal(tg_sim(g).privileged_submits, 0);
   assert_int_equal(tg_sim(g).submits, 0);
   /* The defined bits still pass. */
   tg_submit(g, KMSM_PIPE_3D0 | KMSM_SUBMIT_NO_IMPLICIT | KMSM_SUBMIT_SYNCOBJ_IN | KMSM_SUBMIT_SYNCOBJ_OUT,
             q, 9, &bo, 1, &cmd, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_sim(g).submits, 1);
   assert_int_equal(tg_sim(g).privileged_submits, 0);
   tg_free(g);
}

/*
 * vdrm.md, shmem-allocation: the deployed host accepts any shmem of at least
 * 8 bytes, and one below msm_shmem's 16 makes the region size wrap.
 */
static void
transport_shmem_allocation_wraps(void **state)
{
   struct tg_opts o = { .shmem_size = UINT32_MAX };
   struct tguest *g = tg_new(&o);
   uint32_t res;
   int fd;

   (void)state;
   for (uint32_t size = 8; size < sizeof(struct msm_shmem); size++)
      assert_int_equal(vdrm_host_blob_create(g->client, 0, size, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                       VDRM_HOST_E_INVAL);
   assert_int_equal(tg_stats(g).shmem_bytes, 0);
   tg_free(g);
}

/*
 * drm_msm_submitqueue (msm.md): the deployed host reads id and prio back
 * without checking that the payload is 12 bytes; here any other size never
 * reaches the kernel.
 */
static void
submitqueue_new_payload_size(void **state)
{
   struct tguest *g = TG(state);
   uint8_t arg[16] = { 0 };
   uint32_t sizes[] = { 0, 4, 8, 16 };

   for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      uint64_t before = tg_sim(g).ioctls;

      tg_reserve(g, 0, 64);
      tg_ioctl(g, (3u << 30) | (sizes[i] << 16) | ('d' << 8) | 0x4a, arg, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "IOCTL_SIMPLE", "payload", "VDRM_E_LENGTH", NULL));
      assert_int_equal(tg_sim(g).ioctls, before + 1);   /* only the FAULTS refresh */
   }
   assert_int_equal(tg_sim(g).queues, 0);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(upstream_defect_msm_ioctl_param_len, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_drm_msm_gem_submit_cmd_nr_relocs, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_drm_msm_gem_submit_cmd_relocs, tg_setup, tg_teardown),
      cmocka_unit_test(upstream_defect_msm_ccmd_gem_submit_req_check_flags),
      cmocka_unit_test(transport_shmem_allocation_wraps),
      cmocka_unit_test_setup_teardown(submitqueue_new_payload_size, tg_setup, tg_teardown),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
