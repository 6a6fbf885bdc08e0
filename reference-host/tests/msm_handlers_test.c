/* SPDX-License-Identifier: MIT */

/* Every msm handler on the sim backend: its success path and each failure path. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#define VA 0x100000000ull

/* The response at off as the generated decoders read it. */
static int32_t
cpu_prep_ret(struct tguest *g, uint32_t off)
{
   struct msm_ccmd_gem_cpu_prep_rsp rsp;
   struct vdrm_error err;

   assert_int_equal(msm_ccmd_gem_cpu_prep_rsp_decode(tg_rsp(g, off), 8, &rsp, &err), VDRM_OK);
   return rsp.ret;
}

static int32_t
wait_ret(struct tguest *g, uint32_t off)
{
   struct msm_ccmd_wait_fence_rsp rsp;
   struct vdrm_error err;

   assert_int_equal(msm_ccmd_wait_fence_rsp_decode(tg_rsp(g, off), 8, &rsp, &err), VDRM_OK);
   return rsp.ret;
}

static int32_t
ask_cpu_prep(struct tguest *g, uint32_t res, uint32_t op)
{
   tg_reserve(g, 64, 8);
   tg_cpu_prep(g, res, op, 64);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   return cpu_prep_ret(g, 64);
}

static int32_t
ask_wait(struct tguest *g, uint32_t queue, uint32_t fence)
{
   tg_reserve(g, 96, 8);
   tg_wait_fence(g, queue, fence, 96);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   return wait_ret(g, 96);
}

/* A batch that must be rejected: the status, one more async_error, and a log line naming what. */
static void
expect_rejected(struct tguest *g, const char *command, const char *field)
{
   uint32_t before = tg_async_error(g);
   uint32_t lines = g->nlines;

   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_async_error(g), before + 1);
   assert_int_equal(g->nlines, lines + 1);
   assert_true(tg_line_has(g, "ctx 1 \"test guest\" (msm)", command, field, NULL));
}

static struct drm_msm_gem_submit_cmd
cmd_buf(uint32_t idx, uint32_t off, uint32_t size)
{
   return (struct drm_msm_gem_submit_cmd){ .type = KMSM_SUBMIT_CMD_BUF, .submit_idx = idx,
                                           .submit_offset = off, .size = size };
}

/* ---- NOP ---- */

static void
nop_publishes_seqno(void **state)
{
   struct tguest *g = TG(state);
   uint32_t s1 = tg_nop(g), s2 = tg_nop(g);

   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_true(s2 == s1 + 1);
   assert_int_equal(tg_seqno_published(g), s2);
   assert_int_equal(tg_stats(g).requests, 2);
   assert_int_equal(tg_async_error(g), 0);
}

/* ---- IOCTL_SIMPLE ---- */

static void
get_param_answers_from_profile(void **state)
{
   struct tguest *g = TG(state);
   const struct vdrm_sim_profile *p = &vdrm_sim_profile_a630;
   uint64_t v;

   assert_int_equal(tg_get_param(g, KMSM_PARAM_GPU_ID, &v), 0);
   assert_int_equal(v, p->gpu_id);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_CHIP_ID, &v), 0);
   assert_int_equal(v, p->chip_id);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_GMEM_SIZE, &v), 0);
   assert_int_equal(v, p->gmem_size);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_PRIORITIES, &v), 0);
   assert_int_equal(v, p->priorities);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_VA_START, &v), 0);
   assert_int_equal(v, p->va_start);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_VA_SIZE, &v), 0);
   assert_int_equal(v, p->va_size);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_UCHE_TRAP_BASE, &v), 0);
   assert_int_equal(v, p->uche_trap_base);
   /* The a630's kernel predates MSM_PARAM_HAS_PRR; write-only and unknown params fail too. */
   assert_int_equal(tg_get_param(g, KMSM_PARAM_HAS_PRR, &v), -1);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_COMM, &v), -1);
   assert_int_equal(tg_get_param(g, 0x77, &v), -1);
   /* TIMESTAMP follows the sim clock: 1 s is 19.2 M ticks. */
   assert_int_equal(tg_get_param(g, KMSM_PARAM_TIMESTAMP, &v), 0);
   {
      uint64_t t0 = v;

      vdrm_sim_advance(g->sim, 1000000000u);
      assert_int_equal(tg_get_param(g, KMSM_PARAM_TIMESTAMP, &v), 0);
      assert_int_equal(v - t0, 19200000);
   }
   assert_int_equal(tg_async_error(g), 0);
}

static void
get_param_old_struct_and_directions(void **state)
{
   struct tguest *g = TG(state);
   struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = KMSM_PARAM_GPU_ID };
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;

   /* A guest built against the 16-byte drm_msm_param: 16 bytes back. */
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_get_param(16), &p, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 0), 64, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.hdr.len, 8 + 16);
   assert_int_equal(rsp.ret, 0);
   msm_ccmd_ioctl_simple_rsp_payload_get_msm_ioctl_param(&view, &p);
   assert_int_equal(p.value, 630);
   /* Without the _IOC_READ bit nothing comes back but ret. */
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_get_param(24) & ~VDRM_IOC_READ_BIT, &p, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 0), 64, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.hdr.len, 8);
   assert_int_equal(view.payload.size, 0);
   /* Pipe 2D0: the kernel refuses; ret -1, the errno is not transported. */
   p = (struct msm_ioctl_param){ .pipe = KMSM_PIPE_2D0, .param = KMSM_PARAM_GPU_ID };
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_get_param(24), &p, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 0), 64, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, -1);
}

static void
ioctl_not_allowed(void **state)
{
   struct tguest *g = TG(state);
   uint8_t arg[64] = { 0 };
   uint64_t ioctls = tg_sim(g).ioctls;

   /* DRM_MSM_GEM_SUBMIT (nr 0x46) through IOCTL_SIMPLE: refused before the kernel. */
   tg_reserve(g, 0, 128);
   tg_ioctl(g, (3u << 30) | (48u << 16) | ('d' << 8) | 0x46, arg, 0);
   expect_rejected(g, "IOCTL_SIMPLE", "cmd");
   assert_int_equal(tg_sim(g).ioctls, ioctls + 1);   /* only the batch's FAULTS refresh */
   /* SUBMITQUEUE_NEW with an 8-byte argument: not the struct's 12. */
   tg_ioctl(g, (3u << 30) | (8u << 16) | ('d' << 8) | 0x4a, arg, 0);
   expect_rejected(g, "IOCTL_SIMPLE", "payload");
   assert_int_equal(tg_stats(g).queues, 0);
}

static void
submitqueue_new_and_close(void **state)
{
   struct tguest *g = TG(state);
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   uint32_t q1 = tg_queue(g, 0), q2 = tg_queue(g, 2);

   assert_int_not_equal(q1, q2);
   assert_int_equal(tg_stats(g).queues, 2);
   assert_int_equal(tg_sim(g).queues, 2);
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_submitqueue_close(), &q1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 0), 64, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(rsp.hdr.len, 8);   /* _IOW: no payload back */
   assert_int_equal(tg_stats(g).queues, 1);
   assert_int_equal(tg_sim(g).queues, 1);
   /* Closing it again, or a queue never made: the host knows it is not this context's. */
   tg_ioctl(g, tg_ioc_submitqueue_close(), &q1, 0);
   expect_rejected(g, "IOCTL_SIMPLE", "payload");
   assert_int_equal(tg_sim(g).queues, 1);
}

static void
submitqueue_new_kernel_refuses(void **state)
{
   struct tguest *g = TG(state);
   struct drm_msm_submitqueue q[] = {
      { .prio = 3 },                                        /* a630: priorities 0..2 */
      { .flags = KMSM_SUBMITQUEUE_ALLOW_PREEMPT },          /* no preemption on a6xx */
      { .flags = KMSM_SUBMITQUEUE_VM_BIND },
   };
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;

   for (unsigned i = 0; i < 3; i++) {
      tg_reserve(g, 0, 64);
      tg_ioctl(g, tg_ioc_submitqueue_new(), &q[i], 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_OK);
      assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 0), 64, &rsp, &view, &err), VDRM_OK);
      assert_int_equal(rsp.ret, -1);
   }
   assert_int_equal(tg_stats(g).queues, 0);
   assert_int_equal(tg_sim(g).queues, 0);
}

static void
submitqueue_preemption_on_a7xx(void **state)
{
   struct tg_opts o = { .profile = &vdrm_sim_profile_a740 };
   struct tguest *g = tg_new(&o);
   struct drm_msm_submitqueue q = { .flags = KMSM_SUBMITQUEUE_ALLOW_PREEMPT, .prio = 11 };
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;

   (void)state;
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_submitqueue_new(), &q, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, 0), 64, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(tg_stats(g).queues, 1);
   tg_free(g);
}

/* A kernel that accepts a priority the host has no ring for: the host closes the queue. */
static void
submitqueue_ring_index_bounded(void **state)
{
   struct tg_opts o = { .quirks = VDRM_SIM_QUIRK_ANY_PRIORITY };
   struct tguest *g = tg_new(&o);
   struct drm_msm_submitqueue q = { .prio = 7 };

   (void)state;
   assert_int_equal(vdrm_host_num_rings(g->client), 4);
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_submitqueue_new(), &q, 0);
   expect_rejected(g, "IOCTL_SIMPLE", "payload.prio");
   assert_int_equal(tg_stats(g).queues, 0);
   assert_int_equal(tg_sim(g).queues, 0);
   tg_free(g);
}

/* ---- GEM_NEW ---- */

static void
gem_new_and_blob(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res, res2;
   int fd;

   tg_gem_new(g, 7, 5000, KMSM_BO_WC, VA);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_stats(g).objects, 1);
   assert_int_equal(tg_stats(g).buffer_bytes, 8192);   /* page-rounded */
   assert_int_equal(tg_sim(g).objects, 1);
   assert_int_equal(tg_sim(g).mappings, 1);
   /* The blob must match the GEM_NEW's id and fit in its buffer. */
   assert_int_equal(vdrm_host_blob_create(g->client, 8, 4096, 0, &res, &fd), VDRM_HOST_E_NOENT);
   assert_true(tg_line_has(g, "ctx 1", "RESOURCE_CREATE_BLOB: blob_id: 8 names no buffer", "VDRM_HOST_E_NOENT", NULL));
   assert_int_equal(vdrm_host_blob_create(g->client, 7, 8193, 0, &res, &fd), VDRM_HOST_E_INVAL);
   assert_true(tg_line_has(g, "RESOURCE_CREATE_BLOB: size: 8193 bytes exceed the 8192-byte buffer", NULL));
   assert_int_equal(vdrm_host_blob_create(g->client, 7, 8192, 0x80, &res, &fd), VDRM_HOST_E_INVAL);
   assert_int_equal(vdrm_host_blob_create(g->client, 7, 8192, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_OK);
   assert_int_not_equal(res, g->shmem_res);
   close(fd);
   /* The id was consumed; it may name a new buffer now. */
   assert_int_equal(vdrm_host_blob_create(g->client, 7, 4096, 0, &res2, &fd), VDRM_HOST_E_NOENT);
   tg_gem_new(g, 7, 4096, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_stats(g).objects, 2);
   assert_int_equal(tg_stats(g).resources, 2);   /* the shmem and the first buffer */
}

static void
gem_new_failures(void **state)
{
   struct tguest *g = TG(state);

   tg_gem_new(g, 1, 4096, KMSM_BO_WC, VA + 0x10000);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   /* blob_id 1 awaits its blob: a second buffer under it could never get one. */
   tg_gem_new(g, 1, 4096, KMSM_BO_WC, VA + 0x20000);
   expect_rejected(g, "GEM_NEW", "blob_id");
   /* The kernel's refusals: an iova overlapping buffer 1, outside the range, unaligned. */
   tg_gem_new(g, 2, 8192, KMSM_BO_WC, VA + 0xf000);
   expect_rejected(g, "GEM_NEW", "MSM_INFO_SET_IOVA");
   tg_gem_new(g, 2, 8192, KMSM_BO_WC, VA - 4096);
   expect_rejected(g, "GEM_NEW", "ENOSPC");
   tg_gem_new(g, 2, 4096, KMSM_BO_WC, VA + 0x100000000ull);
   expect_rejected(g, "GEM_NEW", "ENOSPC");
   tg_gem_new(g, 2, 4096, KMSM_BO_WC, VA + 12);
   expect_rejected(g, "GEM_NEW", "EINVAL");
   /* ... unknown flags, no cache mode, CACHED_COHERENT without coherency, size 0. */
   tg_gem_new(g, 2, 4096, 0x100, 0);
   expect_rejected(g, "GEM_NEW", "DRM_MSM_GEM_NEW");
   tg_gem_new(g, 2, 4096, 0, 0);
   expect_rejected(g, "GEM_NEW", "DRM_MSM_GEM_NEW");
   tg_gem_new(g, 2, 4096, KMSM_BO_CACHED_COHERENT, 0);
   expect_rejected(g, "GEM_NEW", "DRM_MSM_GEM_NEW");
   tg_gem_new(g, 2, 0, KMSM_BO_WC, 0);
   expect_rejected(g, "GEM_NEW", "EINVAL");
   /* None of those left anything behind: the failed set_iova closed its handle. */
   assert_int_equal(tg_stats(g).objects, 1);
   assert_int_equal(tg_sim(g).objects, 1);
   assert_int_equal(tg_sim(g).mappings, 1);
}

/* ---- GEM_SET_IOVA ---- */

static void
gem_set_iova(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, 0, NULL);

   assert_int_equal(tg_sim(g).mappings, 0);
   tg_set_iova(g, res, VA + 0x4000);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_sim(g).mappings, 1);
   /* The same address again is fine; another one while mapped is -EBUSY. */
   tg_set_iova(g, res, VA + 0x4000);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_set_iova(g, res, VA + 0x8000);
   expect_rejected(g, "GEM_SET_IOVA", "EBUSY");
   /* Released, then mapped elsewhere. */
   tg_set_iova(g, res, 0);
   tg_set_iova(g, res, VA + 0x8000);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_sim(g).mappings, 1);
   /* Not a buffer of this context: an unknown id, and the shmem's. */
   tg_set_iova(g, 99, VA);
   expect_rejected(g, "GEM_SET_IOVA", "res_id");
   tg_set_iova(g, g->shmem_res, VA);
   expect_rejected(g, "GEM_SET_IOVA", "res_id");
}

/* An i386 guest sends 28 bytes: the host zero-extends __pad. */
static void
gem_set_iova_short_request(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, 0, NULL);
   uint32_t short_len = 28, seq;

   seq = tg_set_iova(g, res, VA);
   memcpy(g->batch + g->start + 4, &short_len, 4);
   g->len = 28;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), seq);
   assert_int_equal(tg_sim(g).mappings, 1);
}

/* ---- GEM_CPU_PREP ---- */

static void
gem_cpu_prep(void **state)
{
   struct tguest *g = TG(state);
   uint32_t reader = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t writer = tg_bo(g, 2, 4096, VA + 0x1000, NULL);
   uint32_t q = tg_queue(g, 0);
   struct drm_msm_gem_submit_bo bos[] = {
      { .flags = KMSM_SUBMIT_BO_READ, .handle = reader },
      { .flags = KMSM_SUBMIT_BO_WRITE, .handle = writer },
   };
   struct drm_msm_gem_submit_cmd cmd = cmd_buf(0, 0, 64);

   assert_int_equal(ask_cpu_prep(g, reader, KMSM_PREP_WRITE), 0);
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &cmd, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   /* A CPU write waits for every GPU user, a read only for writers: NOSYNC says -EBUSY. */
   assert_int_equal(ask_cpu_prep(g, reader, KMSM_PREP_WRITE), -EBUSY);
   assert_int_equal(ask_cpu_prep(g, reader, KMSM_PREP_READ), 0);
   assert_int_equal(ask_cpu_prep(g, writer, KMSM_PREP_READ), -EBUSY);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(ask_cpu_prep(g, writer, KMSM_PREP_READ | KMSM_PREP_WRITE), 0);
   /* Unknown op bits: the kernel's -EINVAL, in ret. */
   assert_int_equal(ask_cpu_prep(g, writer, 0x100), -EINVAL);
   /* An unknown res_id: rejected, nothing written. */
   tg_reserve(g, 64, 8);
   tg_cpu_prep(g, 42, KMSM_PREP_READ, 64);
   expect_rejected(g, "GEM_CPU_PREP", "res_id");
   assert_int_equal(*(uint32_t *)tg_rsp(g, 64), 8);   /* still the guest's reservation */
}

/* ---- GEM_SET_NAME ---- */

static void
gem_set_name(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, 0, NULL);
   const char *turnip = "VkDeviceMemory(user, size=0x40000, idx=2)";   /* 41 bytes */
   char gallium[32] = "resource:0x1234 fmt=R8G8B8A8_UN";             /* NUL is byte 32 */

   tg_set_name(g, res, "ring", 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_string_equal(tg_sim(g).last_name, "ring");
   tg_set_name(g, res, gallium, 32);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_string_equal(tg_sim(g).last_name, gallium);
   /* Longer than the kernel's 31: cut there, not fatal. */
   tg_set_name(g, res, turnip, (uint32_t)strlen(turnip));
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(strlen(tg_sim(g).last_name), 31);
   assert_memory_equal(tg_sim(g).last_name, turnip, 31);
   assert_int_equal(tg_async_error(g), 0);
   tg_set_name(g, 77, "x", 1);
   expect_rejected(g, "GEM_SET_NAME", "res_id");
}

/* ---- GEM_SUBMIT and WAIT_FENCE ---- */

static void
gem_submit_and_wait_fence(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 1);
   struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res, .presumed = VA };
   struct drm_msm_gem_submit_cmd cmd = cmd_buf(0, 0, 256);

   /* A fence never submitted on the queue is the kernel's -EINVAL. */
   assert_int_equal(ask_wait(g, q, 5), -EINVAL);
   tg_submit(g, KMSM_PIPE_3D0 | KMSM_SUBMIT_NO_IMPLICIT, q, 5, &bo, 1, &cmd, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_sim(g).submits, 1);
   assert_int_equal(tg_sim(g).last_submit_flags,
                    KMSM_PIPE_3D0 | KMSM_SUBMIT_NO_IMPLICIT | KMSM_SUBMIT_FENCE_SN_IN);
   assert_int_equal(tg_stats(g).pending_fences, 1);
   assert_int_equal(ask_wait(g, q, 5), -ETIMEDOUT);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(ask_wait(g, q, 5), 0);
   assert_int_equal(tg_stats(g).pending_fences, 0);
   /* Without bos or cmds (a flush with nothing in it) is fine too. */
   tg_submit(g, KMSM_PIPE_3D0, q, 6, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   /* Unknown queues for both. */
   tg_reserve(g, 96, 8);
   tg_wait_fence(g, q + 10, 5, 96);
   expect_rejected(g, "WAIT_FENCE", "queue_id");
   tg_submit(g, KMSM_PIPE_3D0, q + 10, 7, &bo, 1, &cmd, 1);
   expect_rejected(g, "GEM_SUBMIT", "queue_id");
   assert_int_equal(tg_async_error(g), 2);
}

static void
gem_submit_translation_failures(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 0);
   struct drm_msm_gem_submit_bo bos[2] = {
      { .flags = KMSM_SUBMIT_BO_READ, .handle = res },
      { .flags = KMSM_SUBMIT_BO_READ, .handle = 55 },
   };
   struct drm_msm_gem_submit_cmd cmd = cmd_buf(0, 0, 64);
   uint64_t submits = tg_sim(g).submits;

   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &cmd, 1);
   expect_rejected(g, "GEM_SUBMIT", "bos[].handle");
   bos[1].handle = g->shmem_res;
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &cmd, 1);
   expect_rejected(g, "GEM_SUBMIT", "bos[].handle");
   assert_int_equal(tg_sim(g).submits, submits);
}

static void
gem_submit_kernel_failures(void **state)
{
   struct tguest *g = TG(state);
   uint32_t a = tg_bo(g, 1, 4096, VA, NULL), b = tg_bo(g, 2, 4096, VA + 0x1000, NULL);
   uint32_t q = tg_queue(g, 0);
   struct drm_msm_gem_submit_bo bos[2] = {
      { .flags = KMSM_SUBMIT_BO_READ, .handle = a },
      { .flags = KMSM_SUBMIT_BO_WRITE, .handle = b },
   };
   struct drm_msm_gem_submit_bo dup[2] = { bos[0], bos[0] };
   struct drm_msm_gem_submit_bo badflags = { .flags = 0x100, .handle = a };
   struct drm_msm_gem_submit_cmd ok = cmd_buf(0, 0, 64);
   struct drm_msm_gem_submit_cmd past = cmd_buf(1, 4032, 128);     /* runs past b's 4096 bytes */
   struct drm_msm_gem_submit_cmd idx = cmd_buf(2, 0, 64);          /* no bos[2] */
   struct drm_msm_gem_submit_cmd odd = cmd_buf(0, 0, 6);           /* not whole dwords */
   struct drm_msm_gem_submit_cmd type = { .type = 9, .size = 64 };

   tg_submit(g, KMSM_PIPE_2D0, q, 1, bos, 2, &ok, 1);              /* only the 3D pipe */
   expect_rejected(g, "GEM_SUBMIT", "EINVAL");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, dup, 2, &ok, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, &badflags, 1, &ok, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &past, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &idx, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &odd, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &type, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   /* An in-fence the host never has; fence 0; a fence the queue has pending. */
   tg_submit(g, KMSM_PIPE_3D0 | KMSM_SUBMIT_FENCE_FD_IN, q, 1, bos, 2, &ok, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 0, bos, 2, &ok, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &ok, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_submit(g, KMSM_PIPE_3D0, q, 1, bos, 2, &ok, 1);
   expect_rejected(g, "GEM_SUBMIT", "DRM_MSM_GEM_SUBMIT");
   assert_int_equal(tg_sim(g).submits, 1);
   assert_int_equal(tg_stats(g).pending_fences, 1);
}

/* A command buffer that hangs: the queue's and the device's fault counts, and shmem.global_faults. */
static void
gem_submit_fault_counts(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 0);
   uint32_t hang = VDRM_SIM_HANG_MAGIC;
   struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res };
   struct drm_msm_gem_submit_cmd cmd = cmd_buf(0, 0, 64);
   struct msm_ccmd_submitqueue_query_rsp rsp;
   struct msm_ccmd_submitqueue_query_rsp_view view;
   struct msm_submitqueue_query_faults faults;
   struct vdrm_error err;

   tg_upload(g, res, 0, &hang, 4);
   tg_submit(g, KMSM_PIPE_3D0, q, 1, &bo, 1, &cmd, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_global_faults(g), 0);
   vdrm_sim_advance(g->sim, 1000);
   tg_reserve(g, 0, 16);
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, 4, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(tg_rsp(g, 0), 16, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(rsp.out_len, 4);
   msm_ccmd_submitqueue_query_rsp_payload_get_msm_submitqueue_query_faults(&view, &faults);
   assert_int_equal(faults.faults, 1);
   /* The batch refreshed the shmem's copy of MSM_PARAM_FAULTS. */
   assert_int_equal(tg_global_faults(g), 1);
}

/* ---- GEM_UPLOAD ---- */

static void
gem_upload_visible_through_fd(void **state)
{
   struct tguest *g = TG(state);
   int fd, efd;
   uint32_t res = tg_bo(g, 1, 8192, VA, &fd);
   uint8_t data[13], back[13];
   uint8_t *map;

   for (unsigned i = 0; i < sizeof(data); i++)
      data[i] = (uint8_t)(i * 7 + 1);
   tg_upload(g, res, 4090, data, sizeof(data));   /* across a page boundary */
   tg_upload(g, res, 8192 - 4, data, 4);           /* the last bytes */
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
   assert_true(map != MAP_FAILED);
   assert_memory_equal(map + 4090, data, sizeof(data));
   assert_memory_equal(map + 8188, data, 4);
   munmap(map, 8192);
   /* An exported fd is a new descriptor of the same memory. */
   assert_int_equal(vdrm_host_resource_export(g->client, res, &efd), VDRM_HOST_OK);
   assert_int_not_equal(efd, fd);
   assert_int_equal(pread(efd, back, sizeof(back), 4090), (ssize_t)sizeof(back));
   assert_memory_equal(back, data, sizeof(data));
   close(efd);
   close(fd);
}

static void
gem_upload_bounds(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint8_t data[32] = { 1 };
   uint64_t writes = tg_sim(g).ioctls;

   tg_upload(g, res, 4096 - 31, data, 32);
   expect_rejected(g, "GEM_UPLOAD", "off");
   /* off + len wraps 32 bits: still refused. */
   tg_upload(g, res, 0xfffffff0u, data, 32);
   expect_rejected(g, "GEM_UPLOAD", "off");
   tg_upload(g, res, 4097, data, 0);
   expect_rejected(g, "GEM_UPLOAD", "off");
   tg_upload(g, 9, 0, data, 4);
   expect_rejected(g, "GEM_UPLOAD", "res_id");
   tg_upload(g, g->shmem_res, 0, data, 4);
   expect_rejected(g, "GEM_UPLOAD", "res_id");
   /* Only the FAULTS refresh after each batch reached the kernel. */
   assert_int_equal(tg_sim(g).ioctls, writes + 5);
}

/* ---- SUBMITQUEUE_QUERY ---- */

static void
submitqueue_query(void **state)
{
   struct tguest *g = TG(state);
   uint32_t q = tg_queue(g, 0);
   struct msm_ccmd_submitqueue_query_rsp rsp;
   struct msm_ccmd_submitqueue_query_rsp_view view;
   struct vdrm_error err;
   uint8_t *r = tg_rsp(g, 0);

   /* An older guest asks for 8 bytes: 4 meaningful, the rest the host's zeros. */
   tg_reserve(g, 0, 20);
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, 8, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(r, 20, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.hdr.len, 20);
   assert_int_equal(rsp.ret, 0);
   assert_int_equal(rsp.out_len, 4);
   assert_int_equal(view.payload.size, 8);
   for (unsigned i = 0; i < 8; i++)
      assert_int_equal(view.payload.data[i], 0);
   /* len 0 asks for the size. */
   tg_reserve(g, 0, 12);
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(r, 12, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.out_len, 4);
   /* Another param: the kernel's -EINVAL. */
   tg_reserve(g, 0, 16);
   tg_query(g, q, 1, 4, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(r, 16, &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, -EINVAL);
   assert_int_equal(rsp.out_len, 0);
   /* An unknown queue; a len whose response could not fit the region. */
   tg_query(g, q + 1, KMSM_SUBMITQUEUE_PARAM_FAULTS, 4, 0);
   expect_rejected(g, "SUBMITQUEUE_QUERY", "queue_id");
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, 0xfffffff8u, 0);
   expect_rejected(g, "SUBMITQUEUE_QUERY", "hdr.rsp_off");
}

/* ---- SET_DEBUGINFO ---- */

static void
set_debuginfo(void **state)
{
   struct tguest *g = TG(state);

   tg_debuginfo(g, "glmark2", "glmark2 --fullscreen");
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_string_equal(tg_sim(g).last_comm, "glmark2");
   assert_string_equal(tg_sim(g).last_cmdline, "glmark2 --fullscreen");
}

/* Turnip sends it before the shmem exists: it runs, nothing is published. */
static void
set_debuginfo_before_shmem(void **state)
{
   struct tg_opts o = { .shmem_size = UINT32_MAX };
   struct tguest *g = tg_new(&o);

   (void)state;
   tg_debuginfo(g, "vkcube", "vkcube --c 100 ");
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_string_equal(tg_sim(g).last_comm, "vkcube");
   assert_int_equal(tg_stats(g).requests, 1);
   tg_shmem(g, 4096);
   assert_int_equal(tg_seqno_published(g), 0);
   tg_free(g);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(nop_publishes_seqno, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(get_param_answers_from_profile, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(get_param_old_struct_and_directions, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(ioctl_not_allowed, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submitqueue_new_and_close, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submitqueue_new_kernel_refuses, tg_setup, tg_teardown),
      cmocka_unit_test(submitqueue_preemption_on_a7xx),
      cmocka_unit_test(submitqueue_ring_index_bounded),
      cmocka_unit_test_setup_teardown(gem_new_and_blob, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_new_failures, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_set_iova, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_set_iova_short_request, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_cpu_prep, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_set_name, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_submit_and_wait_fence, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_submit_translation_failures, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_submit_kernel_failures, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_submit_fault_counts, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_upload_visible_through_fd, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_upload_bounds, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(submitqueue_query, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(set_debuginfo, tg_setup, tg_teardown),
      cmocka_unit_test(set_debuginfo_before_shmem),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
