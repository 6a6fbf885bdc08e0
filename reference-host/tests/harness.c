/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "harness.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void
capture(void *data, const char *line)
{
   struct tguest *g = data;

   snprintf(g->lines[g->nlines % TG_MAX_LINES], sizeof(g->lines[0]), "%s", line);
   g->nlines++;
}

static uint64_t
fake_clock(void *data)
{
   return ((struct tguest *)data)->now;
}

struct tguest *
tg_new(const struct tg_opts *opts)
{
   struct tguest *g = calloc(1, sizeof(*g));
   struct vdrm_sim_config sc = { 0 };
   struct vdrm_host_config hc;

   assert_non_null(g);
   if (opts)
      g->opts = *opts;
   g->fds_before = tg_count_fds();
   g->shmem_fd = -1;
   sc.profile = g->opts.profile;
   sc.clock = g->opts.real_clock ? VDRM_SIM_CLOCK_MONOTONIC : VDRM_SIM_CLOCK_MANUAL;
   sc.submit_ns = g->opts.submit_ns ? g->opts.submit_ns : 1000;
   sc.privileged = g->opts.privileged;
   sc.quirks = g->opts.quirks;
   if (g->opts.backend)
      g->sim = g->opts.backend;
   else
      assert_int_equal(vdrm_sim_create(&sc, &g->sim), 0);

   vdrm_host_config_init(&hc);
   if (g->opts.set_limits)
      hc.limits = g->opts.limits;
   hc.log = capture;
   hc.log_data = g;
   hc.log_burst = g->opts.log_burst ? g->opts.log_burst : 1000;
   hc.clock = fake_clock;
   hc.clock_data = g;
   assert_int_equal(vdrm_host_create(g->sim, &hc, &g->host), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_client_create(g->host, &g->client), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_context_init(g->client, VDRM_HOST_CAPSET_DRM, "test guest"), VDRM_HOST_OK);
   if (g->opts.shmem_size != UINT32_MAX)
      tg_shmem(g, g->opts.shmem_size ? g->opts.shmem_size : 4096);
   return g;
}

void
tg_shmem(struct tguest *g, uint32_t size)
{
   struct vdrm_shmem hdr;

   assert_null(g->shmem);
   assert_int_equal(vdrm_host_blob_create(g->client, 0, size, VDRM_HOST_BLOB_MAPPABLE, &g->shmem_res,
                                          &g->shmem_fd), VDRM_HOST_OK);
   g->shmem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->shmem_fd, 0);
   assert_true(g->shmem != MAP_FAILED);
   g->shmem_size = size;
   memcpy(&hdr, g->shmem, sizeof(hdr));
   /* Another context's backend (tg_opts.backend): its own shmem layout, responses after it. */
   if (g->opts.backend)
      assert_true(hdr.rsp_mem_offset >= sizeof(hdr) && hdr.rsp_mem_offset < size);
   else
      assert_int_equal(hdr.rsp_mem_offset, sizeof(struct msm_shmem));
   g->rsp = g->shmem + hdr.rsp_mem_offset;
   g->rsp_size = size - hdr.rsp_mem_offset;
}

void
tg_free(struct tguest *g)
{
   if (g->shmem)
      munmap(g->shmem, g->shmem_size);
   if (g->shmem_fd >= 0)
      close(g->shmem_fd);
   vdrm_host_destroy(g->host);
   if (!g->opts.backend) {
      struct vdrm_sim_stats s;

      /*
       * Everything the host made the kernel allocate is gone with it, once
       * the GPU work still pending has completed.
       */
      vdrm_sim_advance(g->sim, 10000000000ull);
      vdrm_sim_get_stats(g->sim, &s);
      assert_int_equal(s.pending, 0);
      assert_int_equal(s.files, 0);
      assert_int_equal(s.objects, 0);
      assert_int_equal(s.queues, 0);
      assert_int_equal(s.fences, 0);
      assert_int_equal(s.mappings, 0);
   }
   if (!g->opts.backend)
      vdrm_backend_destroy(g->sim);
   assert_int_equal(tg_count_fds(), g->fds_before);
   free(g);
}

int
tg_setup(void **state)
{
   *state = tg_new(NULL);
   return 0;
}

int
tg_teardown(void **state)
{
   tg_free(*state);
   return 0;
}

void
tg_raw(struct tguest *g, const void *msg, size_t len)
{
   assert_true(g->len + len <= sizeof(g->batch));
   memcpy(g->batch + g->len, msg, len);
   g->len += len;
}

int
tg_flush(struct tguest *g)
{
   int ret = vdrm_host_submit(g->client, g->batch, g->len, 0, 0, 0);

   g->len = 0;
   return ret;
}

int
tg_flush_fence(struct tguest *g, uint32_t ring, uint64_t fence_id)
{
   int ret = vdrm_host_submit(g->client, g->batch, g->len, VDRM_HOST_SUBMIT_FENCE, ring, fence_id);

   if (getenv("TG_DEBUG") && ret)
      fprintf(stderr, "flush: %d, last line: %s\n", ret, tg_last_line(g));
   g->len = 0;
   return ret;
}

static struct vdrm_ccmd_req
hdr(struct tguest *g, uint32_t rsp_off)
{
   return (struct vdrm_ccmd_req){ .seqno = ++g->seqno, .rsp_off = rsp_off };
}

/* Room at the end of the batch for an encoder. */
#define ROOM(g) ((g)->batch + (g)->len), (sizeof((g)->batch) - (g)->len)

uint32_t
tg_nop(struct tguest *g)
{
   struct msm_ccmd_nop_req req = { .hdr = hdr(g, 0) };
   size_t len;

   assert_int_equal(msm_ccmd_nop_req_encode(ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_gem_new(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t flags, uint64_t iova)
{
   struct msm_ccmd_gem_new_req req = {
      .hdr = hdr(g, 0), .iova = iova, .size = size, .flags = flags, .blob_id = blob_id,
   };
   size_t len;

   assert_int_equal(msm_ccmd_gem_new_req_encode(ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_set_iova(struct tguest *g, uint32_t res_id, uint64_t iova)
{
   struct msm_ccmd_gem_set_iova_req req = { .hdr = hdr(g, 0), .iova = iova, .res_id = res_id };
   size_t len;

   assert_int_equal(msm_ccmd_gem_set_iova_req_encode(ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_cpu_prep(struct tguest *g, uint32_t res_id, uint32_t op, uint32_t rsp_off)
{
   struct msm_ccmd_gem_cpu_prep_req req = { .hdr = hdr(g, rsp_off), .res_id = res_id, .op = op };
   size_t len;

   assert_int_equal(msm_ccmd_gem_cpu_prep_req_encode(ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_set_name(struct tguest *g, uint32_t res_id, const char *name, uint32_t n)
{
   struct msm_ccmd_gem_set_name_req req = { .hdr = hdr(g, 0), .res_id = res_id, .len = n };
   size_t len;

   assert_int_equal(msm_ccmd_gem_set_name_req_encode(ROOM(g), &req, name, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_submit(struct tguest *g, uint32_t flags, uint32_t queue_id, uint32_t fence,
          const struct drm_msm_gem_submit_bo *bos, uint32_t nr_bos,
          const struct drm_msm_gem_submit_cmd *cmds, uint32_t nr_cmds)
{
   struct msm_ccmd_gem_submit_req req = {
      .hdr = hdr(g, 0), .flags = flags, .queue_id = queue_id, .nr_bos = nr_bos, .nr_cmds = nr_cmds,
      .fence = fence,
   };
   size_t len;

   assert_int_equal(msm_ccmd_gem_submit_req_encode(ROOM(g), &req, bos, cmds, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_upload(struct tguest *g, uint32_t res_id, uint32_t off, const void *data, uint32_t n)
{
   struct msm_ccmd_gem_upload_req req = { .hdr = hdr(g, 0), .res_id = res_id, .off = off, .len = n };
   size_t len;

   assert_int_equal(msm_ccmd_gem_upload_req_encode(ROOM(g), &req, data, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_query(struct tguest *g, uint32_t queue_id, uint32_t param, uint32_t n, uint32_t rsp_off)
{
   struct msm_ccmd_submitqueue_query_req req = {
      .hdr = hdr(g, rsp_off), .queue_id = queue_id, .param = param, .len = n,
   };
   size_t len;

   assert_int_equal(msm_ccmd_submitqueue_query_req_encode(ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_wait_fence(struct tguest *g, uint32_t queue_id, uint32_t fence, uint32_t rsp_off)
{
   struct msm_ccmd_wait_fence_req req = { .hdr = hdr(g, rsp_off), .queue_id = queue_id, .fence = fence };
   size_t len;

   assert_int_equal(msm_ccmd_wait_fence_req_encode(ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_debuginfo(struct tguest *g, const char *comm, const char *cmdline)
{
   struct msm_ccmd_set_debuginfo_req req = {
      .hdr = hdr(g, 0), .comm_len = (uint32_t)strlen(comm), .cmdline_len = (uint32_t)strlen(cmdline),
   };
   size_t len;

   assert_int_equal(msm_ccmd_set_debuginfo_req_encode(ROOM(g), &req, comm, cmdline, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_ioctl(struct tguest *g, uint32_t cmd, const void *arg, uint32_t rsp_off)
{
   struct msm_ccmd_ioctl_simple_req req = { .hdr = hdr(g, rsp_off), .cmd = cmd };
   size_t len;

   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(ROOM(g), &req, arg, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
ioc(uint32_t dir, uint32_t nr, uint32_t size)
{
   return (dir << 30) | (size << 16) | ((uint32_t)'d' << 8) | nr;
}

uint32_t
tg_ioc_get_param(uint32_t size)
{
   return ioc(3, 0x40, size);
}

uint32_t
tg_ioc_submitqueue_new(void)
{
   return ioc(3, 0x4a, 12);
}

uint32_t
tg_ioc_submitqueue_close(void)
{
   return ioc(1, 0x4b, 4);
}

void
tg_reserve(struct tguest *g, uint32_t rsp_off, uint32_t size)
{
   assert_true(rsp_off + size <= g->rsp_size);
   memset(g->rsp + rsp_off, 0xee, size);   /* what a reused slot may hold */
   memcpy(g->rsp + rsp_off, &size, sizeof(size));
}

uint8_t *
tg_rsp(struct tguest *g, uint32_t rsp_off)
{
   return g->rsp + rsp_off;
}

uint32_t
tg_seqno_published(struct tguest *g)
{
   return atomic_load_explicit((_Atomic uint32_t *)(void *)g->shmem, memory_order_acquire);
}

uint32_t
tg_async_error(struct tguest *g)
{
   return atomic_load_explicit((_Atomic uint32_t *)(void *)(g->shmem + offsetof(struct msm_shmem, async_error)),
                               memory_order_acquire);
}

uint32_t
tg_global_faults(struct tguest *g)
{
   return atomic_load_explicit((_Atomic uint32_t *)(void *)(g->shmem + offsetof(struct msm_shmem, global_faults)),
                               memory_order_acquire);
}

struct vdrm_host_stats
tg_stats(struct tguest *g)
{
   struct vdrm_host_stats s;

   assert_int_equal(vdrm_host_get_stats(g->client, &s), VDRM_HOST_OK);
   return s;
}

struct vdrm_sim_stats
tg_sim(struct tguest *g)
{
   struct vdrm_sim_stats s;

   vdrm_sim_get_stats(g->sim, &s);
   return s;
}

uint32_t
tg_bo(struct tguest *g, uint32_t blob_id, uint64_t size, uint64_t iova, int *fd)
{
   uint32_t res_id;
   int bfd;

   assert_int_equal(g->len, 0);
   tg_gem_new(g, blob_id, size, KMSM_BO_WC, iova);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, blob_id, size, VDRM_HOST_BLOB_MAPPABLE, &res_id, &bfd),
                    VDRM_HOST_OK);
   if (fd)
      *fd = bfd;
   else
      close(bfd);
   return res_id;
}

uint32_t
tg_queue(struct tguest *g, uint32_t prio)
{
   struct drm_msm_submitqueue q = { .flags = 0, .prio = prio, .id = 0xdead };
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   const uint32_t off = 512;

   assert_int_equal(g->len, 0);
   tg_reserve(g, off, 8 + sizeof(q));
   tg_ioctl(g, tg_ioc_submitqueue_new(), &q, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, off), 8 + sizeof(q), &rsp, &view, &err), VDRM_OK);
   assert_int_equal(rsp.ret, 0);
   msm_ccmd_ioctl_simple_rsp_payload_get_drm_msm_submitqueue(&view, &q);
   assert_int_equal(q.prio, prio);
   return q.id;
}

int
tg_get_param(struct tguest *g, uint32_t param, uint64_t *value)
{
   struct msm_ioctl_param p = { .pipe = KMSM_PIPE_3D0, .param = param };
   struct msm_ccmd_ioctl_simple_rsp rsp;
   struct msm_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   const uint32_t off = 256;

   assert_int_equal(g->len, 0);
   tg_reserve(g, off, 8 + sizeof(p));
   tg_ioctl(g, tg_ioc_get_param(sizeof(p)), &p, off);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(tg_rsp(g, off), 8 + sizeof(p), &rsp, &view, &err), VDRM_OK);
   assert_int_equal(view.payload.size, sizeof(p));
   msm_ccmd_ioctl_simple_rsp_payload_get_msm_ioctl_param(&view, &p);
   *value = p.value;
   return rsp.ret;
}

const char *
tg_last_line(struct tguest *g)
{
   return g->nlines ? g->lines[(g->nlines - 1) % TG_MAX_LINES] : "";
}

bool
tg_line_has(struct tguest *g, const char *s1, ...)
{
   const char *line = tg_last_line(g);
   va_list ap;
   bool ok = true;

   va_start(ap, s1);
   for (const char *s = s1; s; s = va_arg(ap, const char *)) {
      if (!strstr(line, s)) {
         print_error("log line \"%s\" lacks \"%s\"\n", line, s);
         ok = false;
      }
   }
   va_end(ap);
   return ok;
}
