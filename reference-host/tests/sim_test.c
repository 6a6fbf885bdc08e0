/* SPDX-License-Identifier: MIT */

/* The sim backend through the backend interface alone: what a kernel would do. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fd_count.h"
#include "backend.h"
#include "msm_kernel.h"
#include "sim.h"

#define VA 0x100000000ull

struct simt {
   struct vdrm_backend *dev;
   struct vdrm_backend_file *f;
   const struct vdrm_backend_ops *ops;
   const struct vdrm_backend_msm_ops *k;
   int fds;
};

static struct simt *
simt_new(const struct vdrm_sim_config *cfg)
{
   struct simt *t = calloc(1, sizeof(*t));

   t->fds = tg_count_fds();
   assert_int_equal(vdrm_sim_create(cfg, &t->dev), 0);
   t->ops = t->dev->ops;
   t->k = t->ops->msm;
   assert_int_equal(t->ops->open(t->dev, &t->f), 0);
   return t;
}

static void
simt_free(struct simt *t)
{
   struct vdrm_sim_stats s;

   if (t->f)
      t->ops->close(t->f);
   vdrm_sim_advance(t->dev, 1000000000u);
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.objects, 0);
   assert_int_equal(s.fences, 0);
   assert_int_equal(s.queues, 0);
   vdrm_backend_destroy(t->dev);
   assert_int_equal(tg_count_fds(), t->fds);
   free(t);
}

static const struct vdrm_sim_config manual = { .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = 1000 };

static uint32_t
bo(struct simt *t, uint64_t size)
{
   uint32_t h;

   assert_int_equal(t->k->gem_new(t->f, size, KMSM_BO_WC, &h), 0);
   return h;
}

static uint32_t
queue(struct simt *t, uint32_t prio)
{
   struct drm_msm_submitqueue q = { .prio = prio };

   assert_int_equal(t->k->submitqueue_new(t->f, &q), 0);
   return q.id;
}

static int
submit(struct simt *t, uint32_t q, uint32_t fence, uint32_t handle, uint32_t bo_flags,
       struct vdrm_backend_fence **out)
{
   struct drm_msm_gem_submit_bo b = { .flags = bo_flags, .handle = handle };
   struct vdrm_backend_msm_submit s = {
      .flags = KMSM_PIPE_3D0 | KMSM_SUBMIT_FENCE_SN_IN, .queue_id = q, .fence = fence,
      .nr_bos = handle ? 1 : 0, .bos = &b,
   };

   return t->k->gem_submit(t->f, &s, out);
}

static void
vm_ranges(void **state)
{
   struct simt *t = simt_new(&manual);
   uint32_t a = bo(t, 8192), b = bo(t, 4096), c = bo(t, 4096);
   const uint64_t end = VA + 0x100000000ull;

   (void)state;
   assert_int_equal(t->k->gem_set_iova(t->f, a, VA), 0);
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA + 4096), -ENOSPC);    /* inside a */
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA - 4096), -ENOSPC);    /* below the range */
   assert_int_equal(t->k->gem_set_iova(t->f, b, end), -ENOSPC);          /* at its end */
   assert_int_equal(t->k->gem_set_iova(t->f, b, 0xfffffffffffff000ull), -ENOSPC);   /* would wrap */
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA + 8193), -EINVAL);    /* unaligned */
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA + 8192), 0);          /* right after a */
   assert_int_equal(t->k->gem_set_iova(t->f, c, end - 4096), 0);         /* the last page */
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA + 8192), 0);          /* the same again */
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA + 16384), -EBUSY);    /* another while mapped */
   assert_int_equal(t->k->gem_set_iova(t->f, 77, VA + 16384), -ENOENT);
   /* Released, the range is free for another buffer. */
   assert_int_equal(t->k->gem_set_iova(t->f, a, 0), 0);
   assert_int_equal(t->k->gem_set_iova(t->f, c, 0), 0);
   assert_int_equal(t->k->gem_set_iova(t->f, c, VA + 4096), 0);
   simt_free(t);
}

/* A range released while the GPU still uses its buffer stays reserved until the submit retires. */
static void
vm_release_while_busy(void **state)
{
   struct simt *t = simt_new(&manual);
   uint32_t a = bo(t, 4096), b = bo(t, 4096);
   uint32_t q = queue(t, 0);
   struct vdrm_backend_fence *f;
   struct vdrm_sim_stats s;

   (void)state;
   assert_int_equal(t->k->gem_set_iova(t->f, a, VA), 0);
   assert_int_equal(submit(t, q, 1, a, KMSM_SUBMIT_BO_READ, &f), 0);
   assert_int_equal(t->k->gem_set_iova(t->f, a, 0), 0);
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA), -ENOSPC);
   /* Closing its handle does not free it either. */
   assert_int_equal(t->ops->gem_close(t->f, a), 0);
   assert_int_equal(t->ops->gem_close(t->f, a), -EINVAL);
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.objects, 2);
   vdrm_sim_advance(t->dev, 1000);
   assert_int_equal(t->ops->fence_signaled(f), 1);
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.objects, 1);
   assert_int_equal(s.mappings, 0);
   assert_int_equal(t->k->gem_set_iova(t->f, b, VA), 0);
   t->ops->fence_unref(f);
   simt_free(t);
}

static void
fences_retire_in_order(void **state)
{
   struct simt *t = simt_new(&manual);
   uint32_t q = queue(t, 1), q2 = queue(t, 1), other = queue(t, 0);
   struct vdrm_backend_fence *f[4];

   (void)state;
   assert_int_equal(submit(t, q, 10, 0, 0, &f[0]), 0);     /* done at 1000 */
   assert_int_equal(submit(t, q2, 3, 0, 0, &f[1]), 0);     /* same priority: 2000 */
   assert_int_equal(submit(t, q, 11, 0, 0, &f[2]), 0);     /* 3000 */
   assert_int_equal(submit(t, other, 1, 0, 0, &f[3]), 0);  /* its own timeline: 1000 */
   /* The fence seqno is userspace's: 0 and one still pending are refused. */
   assert_int_equal(submit(t, q, 11, 0, 0, NULL), -EINVAL);
   assert_int_equal(submit(t, q, 0, 0, 0, NULL), -EINVAL);
   assert_int_equal(t->k->wait_fence(t->f, q, 12, 0), -EINVAL);   /* never submitted */
   assert_int_equal(t->k->wait_fence(t->f, q, 10, 0), -ETIMEDOUT);
   vdrm_sim_advance(t->dev, 1500);
   assert_int_equal(t->ops->fence_signaled(f[0]), 1);
   assert_int_equal(t->ops->fence_signaled(f[1]), 0);
   assert_int_equal(t->ops->fence_signaled(f[2]), 0);
   assert_int_equal(t->ops->fence_signaled(f[3]), 1);
   assert_int_equal(t->k->wait_fence(t->f, q, 10, 0), 0);
   assert_int_equal(t->k->wait_fence(t->f, q, 11, 0), -ETIMEDOUT);
   assert_int_equal(t->ops->fence_wait(f[2], 0), -ETIME);
   vdrm_sim_advance(t->dev, 1000);
   assert_int_equal(t->ops->fence_signaled(f[1]), 1);
   assert_int_equal(t->ops->fence_signaled(f[2]), 0);
   vdrm_sim_advance(t->dev, 1000);
   assert_int_equal(t->ops->fence_signaled(f[2]), 1);
   /* Retired, the seqno may be used again. */
   {
      struct vdrm_backend_fence *again;

      assert_int_equal(submit(t, q, 10, 0, 0, &again), 0);
      t->ops->fence_unref(again);
   }
   for (int i = 0; i < 4; i++)
      t->ops->fence_unref(f[i]);
   simt_free(t);
}

static void
fence_wait_monotonic(void **state)
{
   /* A minute of GPU time, so the first checks hold however loaded the machine is. */
   struct vdrm_sim_config cfg = { .clock = VDRM_SIM_CLOCK_MONOTONIC, .submit_ns = 60000000000ull };
   struct simt *t = simt_new(&cfg);
   uint32_t q = queue(t, 0), h = bo(t, 4096);
   struct vdrm_backend_fence *f;
   uint64_t start = vdrm_sim_now(t->dev);

   (void)state;
   assert_int_equal(submit(t, q, 1, h, KMSM_SUBMIT_BO_WRITE, &f), 0);
   /* A blocking CPU_PREP waits too (the host always asks NOSYNC; the kernel can block). */
   assert_int_equal(t->k->gem_cpu_prep(t->f, h, KMSM_PREP_READ | KMSM_PREP_NOSYNC, 0), -EBUSY);
   assert_int_equal(t->k->gem_cpu_prep(t->f, h, KMSM_PREP_READ, 0), -ETIMEDOUT);
   /* Then all but the last 3 ms pass at once: the wait blocks for the rest on the real clock. */
   vdrm_sim_advance(t->dev, 60000000000ull - 3000000);
   assert_int_equal(t->ops->fence_wait(f, 1000000000), 0);
   assert_true(vdrm_sim_now(t->dev) - start >= 60000000000ull);
   assert_int_equal(t->k->gem_cpu_prep(t->f, h, KMSM_PREP_WRITE, 0), 0);
   t->ops->fence_unref(f);
   simt_free(t);
}

static void
gem_memfd(void **state)
{
   struct simt *t = simt_new(&manual);
   uint32_t h = bo(t, 100);   /* one page */
   uint8_t data[] = "uploaded", back[sizeof(data)];
   int fd;

   (void)state;
   assert_int_equal(t->ops->gem_write(t->f, h, 4096 - sizeof(data), data, sizeof(data)), 0);
   assert_int_equal(t->ops->gem_write(t->f, h, 4096 - 1, data, 2), -EINVAL);
   assert_int_equal(t->ops->gem_write(t->f, h, UINT64_MAX, data, 2), -EINVAL);
   assert_int_equal(t->ops->gem_export(t->f, h, &fd), 0);
   assert_int_equal(lseek(fd, 0, SEEK_END), 4096);   /* page-rounded */
   assert_int_equal(pread(fd, back, sizeof(back), 4096 - sizeof(data)), (ssize_t)sizeof(back));
   assert_memory_equal(back, data, sizeof(data));
   close(fd);
   assert_int_equal(t->ops->gem_export(t->f, 99, &fd), -ENOENT);
   /* The kernel's GEM_NEW checks. */
   assert_int_equal(t->k->gem_new(t->f, 0, KMSM_BO_WC, &h), -EINVAL);
   assert_int_equal(t->k->gem_new(t->f, UINT64_MAX, KMSM_BO_WC, &h), -EINVAL);
   assert_int_equal(t->k->gem_new(t->f, 4096, KMSM_BO_WC | KMSM_BO_CACHED, &h), -EINVAL);
   assert_int_equal(t->k->gem_new(t->f, 4096, KMSM_BO_CACHED | KMSM_BO_SCANOUT | KMSM_BO_GPU_READONLY, &h), 0);
   simt_free(t);
}

static void
params_of_a740(void **state)
{
   struct vdrm_sim_config cfg = manual;
   struct simt *t;
   struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0 };
   struct drm_msm_submitqueue q = { .flags = KMSM_SUBMITQUEUE_ALLOW_PREEMPT, .prio = 11 };
   uint32_t h;

   (void)state;
   cfg.profile = &vdrm_sim_profile_a740;
   t = simt_new(&cfg);
   p.param = KMSM_PARAM_PRIORITIES;
   assert_int_equal(t->k->get_param(t->f, &p), 0);
   assert_int_equal(p.value, 12);
   p.param = KMSM_PARAM_HAS_PRR;
   assert_int_equal(t->k->get_param(t->f, &p), 0);
   assert_int_equal(p.value, 1);
   p.param = KMSM_PARAM_EN_VM_BIND;   /* write-only */
   assert_int_equal(t->k->get_param(t->f, &p), -EINVAL);
   p = (struct msm_ioctl_param){ .pipe = KMSM_PIPE_3D0, .param = KMSM_PARAM_GPU_ID, .pad = 1 };
   assert_int_equal(t->k->get_param(t->f, &p), -EINVAL);
   assert_int_equal(t->k->submitqueue_new(t->f, &q), 0);
   q.prio = 12;
   assert_int_equal(t->k->submitqueue_new(t->f, &q), -EINVAL);
   assert_int_equal(t->k->gem_new(t->f, 4096, KMSM_BO_CACHED_COHERENT, &h), 0);
   assert_int_equal(t->k->set_param(t->f, KMSM_PARAM_SYSPROF, "1", 1), -EPERM);
   assert_int_equal(t->k->set_param(t->f, KMSM_PARAM_GPU_ID, "1", 1), -EINVAL);
   simt_free(t);
}

static void
submitqueue_lifetime(void **state)
{
   struct simt *t = simt_new(&manual);
   uint32_t q = queue(t, 0);
   struct vdrm_backend_fence *f;
   struct vdrm_sim_stats s;
   uint32_t faults = 7, len = sizeof(faults);

   (void)state;
   assert_int_equal(t->k->submitqueue_query(t->f, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, &faults, &len), 0);
   assert_int_equal(faults, 0);
   assert_int_equal(len, 4);
   assert_int_equal(submit(t, q, 1, 0, 0, &f), 0);
   /* Closed with work pending: gone for userspace, alive until the work is done. */
   assert_int_equal(t->k->submitqueue_close(t->f, q), 0);
   assert_int_equal(t->k->submitqueue_close(t->f, q), -ENOENT);
   assert_int_equal(t->k->submitqueue_close(t->f, 0), -ENOENT);
   assert_int_equal(t->k->wait_fence(t->f, q, 1, 0), -ENOENT);
   assert_int_equal(t->k->submitqueue_query(t->f, q, 0, &faults, &len), -ENOENT);
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.queues, 1);
   vdrm_sim_advance(t->dev, 1000);
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.queues, 0);
   assert_int_equal(t->ops->fence_signaled(f), 1);
   t->ops->fence_unref(f);
   simt_free(t);
}

/* A file closed with work pending: its objects live until the GPU is done, then nothing leaks. */
static void
close_with_pending_work(void **state)
{
   struct simt *t = simt_new(&manual);
   uint32_t q = queue(t, 0), h = bo(t, 4096);
   struct vdrm_backend_fence *f;
   struct vdrm_sim_stats s;

   (void)state;
   assert_int_equal(t->k->gem_set_iova(t->f, h, VA), 0);
   assert_int_equal(submit(t, q, 1, h, KMSM_SUBMIT_BO_READ, &f), 0);
   t->ops->close(t->f);
   t->f = NULL;
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.files, 0);
   assert_int_equal(s.objects, 1);
   assert_int_equal(s.mappings, 0);
   assert_int_equal(s.pending, 1);
   assert_int_equal(t->ops->fence_signaled(f), 0);
   t->ops->fence_unref(f);
   simt_free(t);
}

/* submit_ns 0 takes simulated GPU time out: a submit is done as soon as it is made. */
static void
gpu_time_disabled(void **state)
{
   struct vdrm_sim_config cfg = { .clock = VDRM_SIM_CLOCK_MANUAL, .submit_ns = 0 };
   struct simt *t = simt_new(&cfg);
   uint32_t q = queue(t, 0), h = bo(t, 4096);
   struct vdrm_backend_fence *f;
   struct vdrm_sim_stats s;

   (void)state;
   assert_int_equal(submit(t, q, 1, h, KMSM_SUBMIT_BO_WRITE, &f), 0);
   assert_int_equal(t->ops->fence_signaled(f), 1);
   assert_int_equal(t->k->wait_fence(t->f, q, 1, 0), 0);
   assert_int_equal(t->k->gem_cpu_prep(t->f, h, KMSM_PREP_WRITE | KMSM_PREP_NOSYNC, 0), 0);
   vdrm_sim_get_stats(t->dev, &s);
   assert_int_equal(s.pending, 0);
   assert_int_equal(vdrm_sim_now(t->dev), 0);   /* the manual clock never moved */
   t->ops->fence_unref(f);
   simt_free(t);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(vm_ranges),
      cmocka_unit_test(vm_release_while_busy),
      cmocka_unit_test(fences_retire_in_order),
      cmocka_unit_test(fence_wait_monotonic),
      cmocka_unit_test(gem_memfd),
      cmocka_unit_test(params_of_a740),
      cmocka_unit_test(submitqueue_lifetime),
      cmocka_unit_test(close_with_pending_work),
      cmocka_unit_test(gpu_time_disabled),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
