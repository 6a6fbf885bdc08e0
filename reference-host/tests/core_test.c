/* SPDX-License-Identifier: MIT */

/*
 * The context core through the API: shmem and response-region edges, the
 * stream rules, seqno and async_error, the log and its rate limit, every
 * limit with its own error, resources and their fds, the capset, fence rings.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#define VA 0x100000000ull

static int32_t
cpu_prep_ret(struct tguest *g, uint32_t off)
{
   struct msm_ccmd_gem_cpu_prep_rsp rsp;
   struct vdrm_error err;

   assert_int_equal(msm_ccmd_gem_cpu_prep_rsp_decode(tg_rsp(g, off), 8, &rsp, &err), VDRM_OK);
   return rsp.ret;
}

/* ---- shmem ---- */

static void
shmem_too_small(void **state)
{
   struct tg_opts o = { .shmem_size = UINT32_MAX };
   struct tguest *g = tg_new(&o);
   uint32_t res;
   int fd;

   (void)state;
   /* Smaller than struct msm_shmem (16): the region size would wrap. 8 is what the deployed host allows. */
   for (uint32_t size = 0; size < sizeof(struct msm_shmem); size++)
      assert_int_equal(vdrm_host_blob_create(g->client, 0, size, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                       VDRM_HOST_E_INVAL);
   /* Not mappable: the guest could never read a response. */
   assert_true(tg_line_has(g, "RESOURCE_CREATE_BLOB: size: a 15-byte shmem cannot hold the 16-byte msm header", NULL));
   assert_int_equal(vdrm_host_blob_create(g->client, 0, 4096, VDRM_HOST_BLOB_SHAREABLE, &res, &fd),
                    VDRM_HOST_E_INVAL);
   assert_true(tg_line_has(g, "blob_flags", "mappable", NULL));
   /* Above max_shmem_size, and beyond 32 bits. */
   assert_int_equal(vdrm_host_blob_create(g->client, 0, (16u << 20) + 1, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_LIMIT_SHMEM_SIZE);
   assert_int_equal(vdrm_host_blob_create(g->client, 0, 1ull << 32, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_LIMIT_SHMEM_SIZE);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_SHMEM_SIZE], 2);
   assert_int_equal(tg_stats(g).resources, 0);
   /* Exactly the header: a region of 0 bytes that no response fits in. */
   tg_shmem(g, sizeof(struct msm_shmem));
   assert_int_equal(g->rsp_size, 0);
   res = tg_bo(g, 1, 4096, 0, NULL);
   tg_cpu_prep(g, res, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CPU_PREP", "hdr.rsp_off", "does not fit the 0-byte response region", NULL));
   assert_int_equal(tg_async_error(g), 1);
   /* One shmem per context. */
   assert_int_equal(vdrm_host_blob_create(g->client, 0, 4096, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                    VDRM_HOST_E_EXIST);
   tg_free(g);
}

static void
shmem_header(void **state)
{
   struct tguest *g = TG(state);
   struct msm_shmem s;

   memcpy(&s, g->shmem, sizeof(s));
   assert_int_equal(s.base.rsp_mem_offset, sizeof(struct msm_shmem));
   assert_true(vdrm_shmem_has_field(&s, global_faults));
   assert_int_equal(s.base.seqno, 0);
   assert_int_equal(s.async_error, 0);
   assert_int_equal(tg_stats(g).shmem_bytes, 4096);
}

/* Commands with a response need the shmem; the others run without it. */
static void
response_before_shmem(void **state)
{
   struct tg_opts o = { .shmem_size = UINT32_MAX };
   struct tguest *g = tg_new(&o);
   uint64_t v;

   (void)state;
   tg_nop(g);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_gem_new(g, 1, 4096, KMSM_BO_WC, VA);
   {
      struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = KMSM_PARAM_GPU_ID };

      tg_ioctl(g, tg_ioc_get_param(sizeof(p)), &p, 0);
   }
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "hdr.rsp_off", "no shared-memory buffer", NULL));
   assert_int_equal(tg_stats(g).objects, 1);   /* the GEM_NEW before it ran */
   assert_int_equal(tg_stats(g).async_errors, 0);   /* nowhere to count it yet */
   tg_shmem(g, 4096);
   assert_int_equal(tg_get_param(g, KMSM_PARAM_GPU_ID, &v), 0);
   assert_int_equal(v, 630);
   tg_free(g);
}

/* ---- response region ---- */

static void
rsp_off_at_the_end(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t last = g->rsp_size - 8;   /* 4072: the last 8 bytes */

   tg_reserve(g, last, 8);
   tg_cpu_prep(g, res, KMSM_PREP_READ, last);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(cpu_prep_ret(g, last), 0);
   /* 4 bytes further: 4 of its 8 bytes would lie past the region. */
   tg_cpu_prep(g, res, KMSM_PREP_READ, last + 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_CPU_PREP", "hdr.rsp_off", "does not fit", NULL));
   /* At the region's end, and where rsp_off + size would wrap 32 bits. */
   tg_cpu_prep(g, res, KMSM_PREP_READ, g->rsp_size);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   tg_cpu_prep(g, res, KMSM_PREP_READ, 0xfffffffcu);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_async_error(g), 3);
   /* The guard wrote nothing outside the mapping: the bytes before the region are the header. */
   assert_int_equal(((struct msm_shmem *)(void *)g->shmem)->base.rsp_mem_offset, 16);
}

/* The guest reserved less than the response: it gets a prefix; more: the rest stays its own. */
static void
response_reservation(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint8_t *r = tg_rsp(g, 128);
   uint32_t len;
   int32_t ret;

   tg_reserve(g, 128, 4);
   r[4] = 0x5a;
   tg_cpu_prep(g, res, 0x100, 128);   /* answer -EINVAL */
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   memcpy(&len, r, 4);
   assert_int_equal(len, 4);
   assert_int_equal(r[4], 0x5a);       /* ret not written: beyond the reservation */
   tg_reserve(g, 128, 64);
   tg_cpu_prep(g, res, 0x100, 128);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   memcpy(&len, r, 4);
   memcpy(&ret, r + 4, 4);
   assert_int_equal(len, 8);
   assert_int_equal(ret, -EINVAL);
   for (unsigned i = 8; i < 64; i++)
      assert_int_equal(r[i], 0xee);
}

/* A response longer than the region (SUBMITQUEUE_QUERY's len), or than max_response_size. */
static void
response_longer_than_region(void **state)
{
   struct tg_opts o = { .shmem_size = 16384 };
   struct tguest *g = tg_new(&o);
   uint32_t q = tg_queue(g, 0);

   (void)state;
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, g->rsp_size, 0);   /* 12 bytes too many */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMITQUEUE_QUERY", "hdr.rsp_off", "does not fit", NULL));
   /* Fits the 16 KiB region but not the 4 KiB shadow: the limit's own error. */
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, 4096, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SUBMITQUEUE_QUERY", "max_response_size", NULL));
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_RESPONSE_SIZE], 1);
   /* Exactly the shadow's size is fine. */
   tg_reserve(g, 0, 4096);
   tg_query(g, q, KMSM_SUBMITQUEUE_PARAM_FAULTS, 4096 - 12, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_free(g);
}

/* ---- stream rules, seqno, async_error ---- */

static void
seqno_published_in_order(void **state)
{
   struct tguest *g = TG(state);
   uint32_t s;

   tg_nop(g);
   tg_nop(g);
   s = tg_nop(g);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), s);
   /* A rejected request is not published; the one before it is. */
   s = tg_nop(g);
   tg_set_iova(g, 1234, VA);
   tg_nop(g);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_seqno_published(g), s);
   assert_int_equal(tg_stats(g).requests, 4);
   assert_int_equal(tg_stats(g).rejected, 1);
}

static void
stream_rules(void **state)
{
   struct tguest *g = TG(state);
   struct vdrm_ccmd_req h = { .cmd = MSM_CCMD_NOP, .len = 16 };
   uint32_t before;

   /* hdr.len not a multiple of 4, below 16, past the batch; trailing bytes; unknown opcode; rsp_off. */
   static const struct {
      uint32_t cmd, len, rsp_off, extra;
      const char *what;
   } bad[] = {
      { MSM_CCMD_NOP, 18, 0, 2, "hdr.len" },
      { MSM_CCMD_NOP, 12, 0, 0, "hdr.len" },
      { MSM_CCMD_NOP, 20, 0, 0, "hdr.len" },
      { MSM_CCMD_NOP, 16, 0, 8, "trailing" },
      { 99, 16, 0, 0, "hdr.cmd" },
      { 0, 16, 0, 0, "hdr.cmd" },
      { MSM_CCMD_NOP, 16, 2, 0, "hdr.rsp_off" },
   };

   for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      uint8_t zeros[8] = { 0 };
      uint32_t good = tg_nop(g);

      h = (struct vdrm_ccmd_req){ .cmd = bad[i].cmd, .len = bad[i].len, .seqno = 1000 + i,
                                  .rsp_off = bad[i].rsp_off };
      before = tg_async_error(g);
      tg_raw(g, &h, sizeof(h));
      tg_raw(g, zeros, bad[i].extra);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      /* The bad part is after a whole NOP in the trailing-bytes case. */
      assert_int_equal(tg_seqno_published(g), bad[i].extra == 8 ? 1000 + i : good);
      assert_int_equal(tg_async_error(g), before + 1);
      assert_true(tg_line_has(g, bad[i].what, NULL));
   }
}

/* A malformed batch between two good ones: nothing of the good ones is lost. */
static void
malformed_between_good_batches(void **state)
{
   struct tguest *g = TG(state);
   uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
   uint8_t back[8];
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t s1, s2, s3;
   int fd;
   struct vdrm_ccmd_req garbage = { .cmd = MSM_CCMD_GEM_UPLOAD, .len = 16, .seqno = 77 };

   tg_upload(g, res, 0, data, 4);
   s1 = tg_nop(g);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);

   s2 = tg_nop(g);
   tg_raw(g, &garbage, sizeof(garbage));   /* a GEM_UPLOAD too short for its fields */
   tg_upload(g, res, 100, data, 8);        /* dropped with the rest of the batch */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "seqno 77", "GEM_UPLOAD", "hdr.len", "VDRM_E_SHORT", "batch offset 20", NULL));
   assert_int_equal(tg_seqno_published(g), s2);

   tg_upload(g, res, 4, data + 4, 4);
   s3 = tg_nop(g);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), s3);
   assert_true(s1 < s2 && s2 < s3);
   assert_int_equal(tg_async_error(g), 1);
   assert_int_equal(g->nlines, 1);
   /* Both good uploads are in the buffer, the dropped one is not. */
   assert_int_equal(vdrm_host_resource_export(g->client, res, &fd), VDRM_HOST_OK);
   assert_int_equal(pread(fd, back, 8, 0), 8);
   assert_memory_equal(back, data, 8);
   assert_int_equal(pread(fd, back, 8, 100), 8);
   for (unsigned i = 0; i < 8; i++)
      assert_int_equal(back[i], 0);
   close(fd);
   assert_int_equal(tg_stats(g).batches, 4);   /* tg_bo's, and these three */
}

/* ---- the log ---- */

static void
log_line_names_everything(void **state)
{
   struct tguest *g = TG(state);

   tg_upload(g, 9, 0, "abcd", 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(g->nlines, 1);
   /* context, request, command, field, reason, status */
   assert_true(tg_line_has(g, "vdrm-host: ctx 1 \"test guest\" (msm)", "seqno 1",
                           "GEM_UPLOAD: res_id: 9 is not a buffer resource of this context",
                           "VDRM_E_NOT_ALLOWED", NULL));
}

static void
log_rate_limited(void **state)
{
   struct tg_opts o = { .log_burst = 3 };
   struct tguest *g = tg_new(&o);

   (void)state;
   for (int i = 0; i < 10; i++) {
      tg_set_iova(g, 500 + (uint32_t)i, VA);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   }
   assert_int_equal(g->nlines, 3);
   assert_int_equal(tg_stats(g).log_suppressed, 7);
   assert_int_equal(tg_async_error(g), 10);   /* the guest learns of every one */
   /* After the interval the next line says how many were dropped. */
   g->now += 1000000000u;
   tg_set_iova(g, 600, VA);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(g->nlines, 4);
   assert_true(tg_line_has(g, "600", "(7 lines suppressed before)", NULL));
   assert_int_equal(tg_stats(g).log_lines, 4);
   tg_free(g);
}

/* ---- limits: each its own error ---- */

static struct tg_opts
limited(enum vdrm_host_limit which, uint64_t max)
{
   struct tg_opts o = { .set_limits = true };

   for (unsigned i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default((enum vdrm_host_limit)i);
   o.limits.max[which] = max;
   return o;
}

static void
limit_objects(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_OBJECTS, 2);
   struct tguest *g = tg_new(&o);

   (void)state;
   tg_gem_new(g, 1, 4096, KMSM_BO_WC, 0);
   tg_gem_new(g, 2, 4096, KMSM_BO_WC, 0);
   tg_gem_new(g, 3, 4096, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "limit max_objects", NULL));
   assert_int_equal(tg_stats(g).objects, 2);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_OBJECTS], 1);
   assert_int_equal(tg_sim(g).objects, 2);
   tg_free(g);
}

static void
limit_buffer_bytes(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_BUFFER_BYTES, 3 * 4096);
   struct tguest *g = tg_new(&o);

   (void)state;
   tg_gem_new(g, 1, 8192, KMSM_BO_WC, 0);
   tg_gem_new(g, 2, 4097, KMSM_BO_WC, 0);   /* 8192 once rounded */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "size", "limit max_buffer_bytes", NULL));
   /* A size whose page rounding would wrap 64 bits. */
   tg_gem_new(g, 2, UINT64_MAX - 10, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   tg_gem_new(g, 2, 4096, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_stats(g).buffer_bytes, 3 * 4096);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_BUFFER_BYTES], 2);
   tg_free(g);
}

static void
limit_queues(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_QUEUES, 2);
   struct tguest *g = tg_new(&o);
   struct drm_msm_submitqueue q = { .prio = 0 };

   (void)state;
   tg_queue(g, 0);
   tg_queue(g, 1);
   tg_reserve(g, 0, 64);
   tg_ioctl(g, tg_ioc_submitqueue_new(), &q, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "IOCTL_SIMPLE", "limit max_queues", NULL));
   assert_int_equal(tg_sim(g).queues, 2);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_QUEUES], 1);
   tg_free(g);
}

static void
limit_pending_fences(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_PENDING_FENCES, 3);
   struct tguest *g = tg_new(&o);
   uint32_t q = tg_queue(g, 0);

   (void)state;
   tg_submit(g, KMSM_PIPE_3D0, q, 1, NULL, 0, NULL, 0);
   tg_submit(g, KMSM_PIPE_3D0, q, 2, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush_fence(g, 1, 100), VDRM_HOST_OK);   /* two submits and a ring fence */
   tg_submit(g, KMSM_PIPE_3D0, q, 3, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_SUBMIT", "limit max_pending_fences", NULL));
   /* A ring fence is refused before its batch runs. */
   tg_nop(g);
   assert_int_equal(tg_flush_fence(g, 0, 101), VDRM_HOST_E_LIMIT_PENDING_FENCES);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_PENDING_FENCES], 2);
   /* Once the GPU is done and the fence delivered, there is room again. */
   vdrm_sim_advance(g->sim, 10000);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
   assert_int_equal(tg_stats(g).pending_fences, 0);
   tg_submit(g, KMSM_PIPE_3D0, q, 3, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_free(g);
}

static void
limit_blobs(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_BLOBS, 2);   /* the shmem and one more */
   struct tguest *g = tg_new(&o);
   uint32_t res;
   int fd;

   (void)state;
   tg_bo(g, 1, 4096, 0, NULL);
   tg_gem_new(g, 2, 4096, KMSM_BO_WC, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, 2, 4096, 0, &res, &fd), VDRM_HOST_E_LIMIT_BLOBS);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_BLOBS], 1);
   assert_int_equal(tg_stats(g).resources, 2);
   tg_free(g);
}

static void
limit_message_size(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_MESSAGE_SIZE, 64);
   struct tguest *g = tg_new(&o);

   (void)state;
   for (int i = 0; i < 5; i++)
      tg_nop(g);   /* 80 bytes */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_LIMIT_MESSAGE_SIZE);
   assert_int_equal(tg_stats(g).requests, 0);
   assert_int_equal(tg_seqno_published(g), 0);
   assert_int_equal(tg_async_error(g), 1);
   assert_true(tg_line_has(g, "stream: size: limit max_message_size", NULL));
   for (int i = 0; i < 4; i++)
      tg_nop(g);   /* 64 bytes */
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_MESSAGE_SIZE], 1);
   tg_free(g);
}

static void
limit_contexts(void **state)
{
   struct tg_opts o = limited(VDRM_HOST_LIMIT_CONTEXTS, 1);
   struct tguest *g = tg_new(&o);
   struct vdrm_host_client *c2;

   (void)state;
   assert_int_equal(vdrm_host_client_create(g->host, &c2), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_context_init(c2, VDRM_HOST_CAPSET_DRM, NULL), VDRM_HOST_E_LIMIT_CONTEXTS);
   assert_int_equal(vdrm_host_submit(c2, NULL, 0, 0, 0, 0), VDRM_HOST_E_NOCTX);
   /* The first context's end makes room. */
   vdrm_host_client_destroy(c2);
   assert_int_equal(tg_sim(g).files, 1);
   tg_free(g);
}

static void
limit_names_and_statuses(void **state)
{
   (void)state;
   for (unsigned i = 0; i < VDRM_HOST_LIMIT_COUNT; i++) {
      char status[64];
      const char *name = vdrm_host_limit_name((enum vdrm_host_limit)i);

      assert_non_null(strstr(name, "max_"));
      assert_true(vdrm_host_limit_default((enum vdrm_host_limit)i) > 0);
      snprintf(status, sizeof(status), "VDRM_HOST_E_LIMIT_%s", name + 4);
      for (char *p = status; *p; p++)
         *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
      assert_string_equal(vdrm_host_status_name(VDRM_HOST_E_LIMIT + (int)i), status);
   }
   assert_string_equal(vdrm_host_status_name(VDRM_HOST_E_PROTOCOL), "VDRM_HOST_E_PROTOCOL");
   assert_string_equal(vdrm_host_status_name(-1), "VDRM_HOST_E_UNKNOWN");
}

/* ---- resources ---- */

static void
unref_while_gpu_busy(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = tg_bo(g, 1, 4096, VA, NULL);
   uint32_t q = tg_queue(g, 0);
   uint32_t magic = 0x12345678, back = 0;
   struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_WRITE, .handle = res };
   struct drm_msm_gem_submit_cmd cmd = { .type = KMSM_SUBMIT_CMD_BUF, .size = 16 };
   int fd;

   assert_int_equal(vdrm_host_resource_export(g->client, res, &fd), VDRM_HOST_OK);
   tg_upload(g, res, 64, &magic, 4);
   tg_submit(g, KMSM_PIPE_3D0, q, 1, &bo, 1, &cmd, 1);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_E_NOENT);
   assert_true(tg_line_has(g, "RESOURCE_UNREF: res_id", "is not a resource of this context", NULL));
   /* The res_id is gone for the guest ... */
   tg_upload(g, res, 0, &magic, 4);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_stats(g).objects, 0);
   /* ... but the kernel keeps the buffer (and its address) until the GPU is done. */
   assert_int_equal(tg_sim(g).objects, 1);
   assert_int_equal(tg_sim(g).mappings, 1);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(tg_sim(g).objects, 0);
   assert_int_equal(tg_sim(g).mappings, 0);
   /* An exported fd outlives both. */
   assert_int_equal(pread(fd, &back, 4, 64), 4);
   assert_int_equal(back, magic);
   close(fd);
}

static void
shmem_resource(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   uint8_t b[16];

   /* Exporting the shmem gives its memory; unref drops the id but the host keeps answering. */
   assert_int_equal(vdrm_host_resource_export(g->client, g->shmem_res, &fd), VDRM_HOST_OK);
   assert_int_equal(pread(fd, b, 16, 0), 16);
   assert_int_equal(b[4], 16);   /* rsp_mem_offset */
   close(fd);
   assert_int_equal(vdrm_host_resource_unref(g->client, g->shmem_res), VDRM_HOST_OK);
   tg_nop(g);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), 1);
   assert_int_equal(vdrm_host_resource_export(g->client, g->shmem_res, &fd), VDRM_HOST_E_NOENT);
   assert_int_equal(vdrm_host_resource_export(g->client, 999, &fd), VDRM_HOST_E_NOENT);
}

/* ---- capset ---- */

static void
capset_from_profile(void **state)
{
   const struct vdrm_sim_profile *profiles[] = { &vdrm_sim_profile_a630, &vdrm_sim_profile_a740 };

   (void)state;
   for (unsigned i = 0; i < 2; i++) {
      struct tg_opts o = { .profile = profiles[i] };
      struct tguest *g = tg_new(&o);
      const struct vdrm_sim_profile *p = profiles[i];
      struct virgl_renderer_capset_drm c;
      size_t size;

      memset(&c, 0xaa, sizeof(c));
      assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &c, sizeof(c), &size),
                       VDRM_HOST_OK);
      assert_int_equal(size, sizeof(c));
      assert_int_equal(c.wire_format_version, 2);
      assert_int_equal(c.version_major, 1);
      assert_int_equal(c.version_minor, 12);
      assert_int_equal(c.context_type, VIRTGPU_DRM_CONTEXT_MSM);
      assert_int_equal(c.pad, 0);
      assert_int_equal(c.u.msm.gpu_id, p->gpu_id);
      assert_int_equal(c.u.msm.chip_id, p->chip_id);
      assert_int_equal(c.u.msm.gmem_size, p->gmem_size);
      assert_int_equal(c.u.msm.gmem_base, p->gmem_base);
      assert_int_equal(c.u.msm.max_freq, p->max_freq);
      assert_int_equal(c.u.msm.priorities, p->priorities);
      assert_int_equal(c.u.msm.va_start, p->va_start);
      assert_int_equal(c.u.msm.va_size, p->va_size);
      assert_int_equal(c.u.msm.highest_bank_bit, p->highest_bank_bit);
      assert_int_equal(c.u.msm.ubwc_swizzle, p->ubwc_swizzle);
      assert_int_equal(c.u.msm.macrotile_mode, p->macrotile_mode);
      assert_int_equal(c.u.msm.uche_trap_base, p->uche_trap_base);
      assert_int_equal(c.u.msm.has_raytracing,
                       p->raytracing ? VIRTGPU_CAP_BOOL_TRUE : (uint32_t)VIRTGPU_CAP_BOOL_FALSE);
      assert_int_equal(c.u.msm.has_preemption,
                       p->preemption ? VIRTGPU_CAP_BOOL_TRUE : (uint32_t)VIRTGPU_CAP_BOOL_FALSE);
      assert_int_equal(c.u.msm.has_cached_coherent, p->cached_coherent ? 1 : 0);
      /* One ring per priority plus ring 0. */
      assert_int_equal(vdrm_host_num_rings(g->client), p->priorities + 1);
      /* A guest that knows a shorter struct gets a prefix; unknown ids and versions nothing. */
      memset(&c, 0, sizeof(c));
      assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &c, 20, &size), VDRM_HOST_OK);
      assert_int_equal(c.context_type, VIRTGPU_DRM_CONTEXT_MSM);
      assert_int_equal(c.pad, 0);
      assert_int_equal(c.u.msm.gpu_id, 0);
      assert_int_equal(vdrm_host_get_capset(g->host, 5, 0, &c, sizeof(c), &size), VDRM_HOST_E_INVAL);
      assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 1, &c, sizeof(c), &size),
                       VDRM_HOST_E_INVAL);
      /* The probing left nothing behind in the kernel. */
      assert_int_equal(tg_sim(g).files, 1);
      tg_free(g);
   }
}

static void
context_init_rules(void **state)
{
   struct tguest *g = TG(state);
   struct vdrm_host_client *c;
   uint32_t res;
   int fd;

   assert_int_equal(vdrm_host_context_init(g->client, VDRM_HOST_CAPSET_DRM, NULL), VDRM_HOST_E_EXIST);
   assert_int_equal(vdrm_host_client_create(g->host, &c), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_context_init(c, 1, NULL), VDRM_HOST_E_INVAL);   /* VIRGL */
   assert_int_equal(vdrm_host_blob_create(c, 0, 4096, 1, &res, &fd), VDRM_HOST_E_NOCTX);
   assert_int_equal(vdrm_host_num_rings(c), 0);
   /* A name with control characters and quotes is cleaned for the log. */
   assert_int_equal(vdrm_host_context_init(c, VDRM_HOST_CAPSET_DRM, "bad\n\"name"), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(c, 0, 4096, 1, &res, &fd), VDRM_HOST_OK);
   close(fd);
   {
      struct msm_ccmd_gem_set_iova_req req = { .hdr = { .seqno = 3 }, .res_id = 5 };
      uint8_t buf[32];
      size_t len;

      assert_int_equal(msm_ccmd_gem_set_iova_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
      assert_int_equal(vdrm_host_submit(c, buf, len, 0, 0, 0), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "ctx 2 \"bad??name\" (msm) seqno 3", NULL));
   }
   /* The host destroys the client left open. */
}

/* ---- fence rings ---- */

struct delivered {
   uint32_t n;
   uint32_t ring[16];
   uint64_t id[16];
};

static void
record(void *data, uint32_t ring, uint64_t id)
{
   struct delivered *d = data;

   d->ring[d->n] = ring;
   d->id[d->n] = id;
   d->n++;
}

static void
fence_rings(void **state)
{
   struct tguest *g = TG(state);
   uint32_t q0 = tg_queue(g, 0), q2 = tg_queue(g, 2);
   struct delivered d = { 0 };

   /* Ring 0 (CPU): done once its batch ran. */
   tg_nop(g);
   assert_int_equal(tg_flush_fence(g, 0, 10), VDRM_HOST_OK);
   /* Ring 1 waits for priority 0's submits, ring 3 for priority 2's. */
   tg_submit(g, KMSM_PIPE_3D0, q0, 1, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush_fence(g, 1, 11), VDRM_HOST_OK);
   tg_submit(g, KMSM_PIPE_3D0, q2, 1, NULL, 0, NULL, 0);
   tg_submit(g, KMSM_PIPE_3D0, q2, 2, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush_fence(g, 3, 12), VDRM_HOST_OK);
   assert_int_equal(tg_flush_fence(g, 2, 13), VDRM_HOST_OK);   /* nothing on ring 2 */
   assert_int_equal(vdrm_host_fence_poll(g->client, record, &d), 2);
   assert_int_equal(d.ring[0], 0);
   assert_int_equal(d.id[0], 10);
   assert_int_equal(d.ring[1], 2);
   assert_int_equal(d.id[1], 13);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 11, 0), VDRM_HOST_E_TIMEOUT);
   /* 1000 ns per submit: ring 1's is done, ring 3's second is not. */
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 11, 0), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_poll(g->client, record, &d), 1);
   assert_int_equal(d.ring[2], 1);
   assert_int_equal(d.id[2], 11);
   vdrm_sim_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_poll(g->client, record, &d), 1);
   assert_int_equal(d.id[3], 12);
   assert_int_equal(vdrm_host_fence_poll(g->client, record, &d), 0);
   /* A ring that does not exist: refused before the batch runs. */
   tg_nop(g);
   assert_int_equal(tg_flush_fence(g, 4, 14), VDRM_HOST_E_INVAL);
   assert_int_equal(tg_seqno_published(g), g->seqno - 1);
   assert_int_equal(vdrm_host_fence_wait(g->client, 4, 14, 0), VDRM_HOST_E_INVAL);
}

/* A fence still comes when its batch was rejected: the guest waits for it. */
static void
fence_after_rejected_batch(void **state)
{
   struct tguest *g = TG(state);
   struct delivered d = { 0 };

   tg_set_iova(g, 77, VA);
   assert_int_equal(tg_flush_fence(g, 0, 5), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(vdrm_host_fence_poll(g->client, record, &d), 1);
   assert_int_equal(d.id[0], 5);
}

/* On the monotonic clock a wait sleeps until the GPU is done. */
static void
fence_wait_real_clock(void **state)
{
   /* A minute of GPU time: the first wait times out however loaded the machine is;
    * then the clock is moved past it and a real wait returns at once. */
   struct tg_opts o = { .real_clock = true, .submit_ns = 60000000000ull };
   struct tguest *g = tg_new(&o);
   uint32_t q = tg_queue(g, 0);

   (void)state;
   tg_submit(g, KMSM_PIPE_3D0, q, 1, NULL, 0, NULL, 0);
   assert_int_equal(tg_flush_fence(g, 1, 1), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 1, 1000), VDRM_HOST_E_TIMEOUT);
   vdrm_sim_advance(g->sim, 60000000000ull);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 1, 1000000000), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
   tg_free(g);
}

/* ---- fds and memory ---- */

static void
fds_and_memory_released(void **state)
{
   int before = tg_count_fds();

   (void)state;
   for (int round = 0; round < 3; round++) {
      struct tguest *g = tg_new(NULL);
      uint32_t q = tg_queue(g, 0);
      int fd;

      for (uint32_t i = 1; i <= 8; i++) {
         uint32_t res = tg_bo(g, i, 4096, VA + i * 0x10000, &fd);
         struct drm_msm_gem_submit_bo bo = { .flags = KMSM_SUBMIT_BO_READ, .handle = res };

         close(fd);
         assert_int_equal(vdrm_host_resource_export(g->client, res, &fd), VDRM_HOST_OK);
         close(fd);
         tg_submit(g, KMSM_PIPE_3D0, q, i, &bo, 1, NULL, 0);
         assert_int_equal(tg_flush_fence(g, 1, i), VDRM_HOST_OK);
         if (i % 2)
            assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
      }
      /* Destroyed with work, objects and fences pending: tg_free checks fds and the kernel. */
      tg_free(g);
   }
   assert_int_equal(tg_count_fds(), before);
}

/* What an idle context holds (reported, and bounded here). */
static void
idle_context_memory(void **state)
{
   struct tguest *g = TG(state);
   struct vdrm_host_stats s = tg_stats(g);

   print_message("idle msm context: %llu heap bytes, %llu shmem bytes\n",
                 (unsigned long long)s.heap_bytes, (unsigned long long)s.shmem_bytes);
   /* The context, its rings, and the 4 KiB shadow; tables are empty until used. */
   assert_true(s.heap_bytes >= 4096 && s.heap_bytes < 4096 + 2048);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(shmem_too_small),
      cmocka_unit_test_setup_teardown(shmem_header, tg_setup, tg_teardown),
      cmocka_unit_test(response_before_shmem),
      cmocka_unit_test_setup_teardown(rsp_off_at_the_end, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(response_reservation, tg_setup, tg_teardown),
      cmocka_unit_test(response_longer_than_region),
      cmocka_unit_test_setup_teardown(seqno_published_in_order, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(stream_rules, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(malformed_between_good_batches, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(log_line_names_everything, tg_setup, tg_teardown),
      cmocka_unit_test(log_rate_limited),
      cmocka_unit_test(limit_objects),
      cmocka_unit_test(limit_buffer_bytes),
      cmocka_unit_test(limit_queues),
      cmocka_unit_test(limit_pending_fences),
      cmocka_unit_test(limit_blobs),
      cmocka_unit_test(limit_message_size),
      cmocka_unit_test(limit_contexts),
      cmocka_unit_test(limit_names_and_statuses),
      cmocka_unit_test_setup_teardown(unref_while_gpu_busy, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(shmem_resource, tg_setup, tg_teardown),
      cmocka_unit_test(capset_from_profile),
      cmocka_unit_test_setup_teardown(context_init_rules, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(fence_rings, tg_setup, tg_teardown),
      cmocka_unit_test_setup_teardown(fence_after_rejected_batch, tg_setup, tg_teardown),
      cmocka_unit_test(fence_wait_real_clock),
      cmocka_unit_test(fds_and_memory_released),
      cmocka_unit_test_setup_teardown(idle_context_memory, tg_setup, tg_teardown),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
