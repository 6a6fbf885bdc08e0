/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "harness.h"

#include <string.h>
#include <unistd.h>

struct tguest *
tg_new(const struct tg_opts *opts)
{
   static const struct tg_opts defaults;
   const struct tg_opts *o = opts ? opts : &defaults;
   struct tguest *g = tg_alloc();
   struct vdrm_sim_config sc = {
      .profile = o->profile,
      .clock = o->real_clock ? VDRM_SIM_CLOCK_MONOTONIC : VDRM_SIM_CLOCK_MANUAL,
      .submit_ns = o->submit_ns ? o->submit_ns : 1000,
      .privileged = o->privileged,
      .quirks = o->quirks,
   };

   if (o->backend)
      g->sim = o->backend;
   else
      assert_int_equal(vdrm_sim_create(&sc, &g->sim), 0);
   tg_init(g, &(struct tg_config){
      .name = "test guest",
      /* Another backend may serve another context: its own shmem layout. */
      .shmem_header = o->backend ? 0 : sizeof(struct msm_shmem),
      .shmem_size = o->shmem_size == UINT32_MAX ? 0 : o->shmem_size ? o->shmem_size : 4096,
      .limits = o->set_limits ? &o->limits : NULL,
      .log_burst = o->log_burst,
      /* Requests at 4 mod 8 in memory, where a guest's batch may put them and these tests always did. */
      .start = 4,
      .drained = o->backend ? NULL : tg_sim_drained,
   });
   return g;
}

void
tg_sim_drained(struct vdrm_backend *sim)
{
   struct vdrm_sim_stats s;

   vdrm_sim_advance(sim, 10000000000ull);
   vdrm_sim_get_stats(sim, &s);
   assert_int_equal(s.pending, 0);
   assert_int_equal(s.files, 0);
   assert_int_equal(s.objects, 0);
   assert_int_equal(s.queues, 0);
   assert_int_equal(s.fences, 0);
   assert_int_equal(s.mappings, 0);
}

int
tg_setup(void **state)
{
   *state = tg_new(NULL);
   return 0;
}

uint32_t
tg_nop(struct tguest *g)
{
   struct msm_ccmd_nop_req req = { .hdr = tg_hdr(g, 0) };
   size_t len;

   assert_int_equal(msm_ccmd_nop_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_gem_new(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t flags, uint64_t iova)
{
   struct msm_ccmd_gem_new_req req = {
      .hdr = tg_hdr(g, 0), .iova = iova, .size = size, .flags = flags, .blob_id = blob_id,
   };
   size_t len;

   assert_int_equal(msm_ccmd_gem_new_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_set_iova(struct tguest *g, uint32_t res_id, uint64_t iova)
{
   struct msm_ccmd_gem_set_iova_req req = { .hdr = tg_hdr(g, 0), .iova = iova, .res_id = res_id };
   size_t len;

   assert_int_equal(msm_ccmd_gem_set_iova_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_cpu_prep(struct tguest *g, uint32_t res_id, uint32_t op, uint32_t rsp_off)
{
   struct msm_ccmd_gem_cpu_prep_req req = { .hdr = tg_hdr(g, rsp_off), .res_id = res_id, .op = op };
   size_t len;

   assert_int_equal(msm_ccmd_gem_cpu_prep_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_set_name(struct tguest *g, uint32_t res_id, const char *name, uint32_t n)
{
   struct msm_ccmd_gem_set_name_req req = { .hdr = tg_hdr(g, 0), .res_id = res_id, .len = n };
   size_t len;

   assert_int_equal(msm_ccmd_gem_set_name_req_encode(TG_ROOM(g), &req, name, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_submit(struct tguest *g, uint32_t flags, uint32_t queue_id, uint32_t fence,
          const struct drm_msm_gem_submit_bo *bos, uint32_t nr_bos,
          const struct drm_msm_gem_submit_cmd *cmds, uint32_t nr_cmds)
{
   struct msm_ccmd_gem_submit_req req = {
      .hdr = tg_hdr(g, 0), .flags = flags, .queue_id = queue_id, .nr_bos = nr_bos, .nr_cmds = nr_cmds,
      .fence = fence,
   };
   size_t len;

   assert_int_equal(msm_ccmd_gem_submit_req_encode(TG_ROOM(g), &req, bos, cmds, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_upload(struct tguest *g, uint32_t res_id, uint32_t off, const void *data, uint32_t n)
{
   struct msm_ccmd_gem_upload_req req = { .hdr = tg_hdr(g, 0), .res_id = res_id, .off = off, .len = n };
   size_t len;

   assert_int_equal(msm_ccmd_gem_upload_req_encode(TG_ROOM(g), &req, data, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_query(struct tguest *g, uint32_t queue_id, uint32_t param, uint32_t n, uint32_t rsp_off)
{
   struct msm_ccmd_submitqueue_query_req req = {
      .hdr = tg_hdr(g, rsp_off), .queue_id = queue_id, .param = param, .len = n,
   };
   size_t len;

   assert_int_equal(msm_ccmd_submitqueue_query_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_wait_fence(struct tguest *g, uint32_t queue_id, uint32_t fence, uint32_t rsp_off)
{
   struct msm_ccmd_wait_fence_req req = { .hdr = tg_hdr(g, rsp_off), .queue_id = queue_id, .fence = fence };
   size_t len;

   assert_int_equal(msm_ccmd_wait_fence_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_debuginfo(struct tguest *g, const char *comm, const char *cmdline)
{
   struct msm_ccmd_set_debuginfo_req req = {
      .hdr = tg_hdr(g, 0), .comm_len = (uint32_t)strlen(comm), .cmdline_len = (uint32_t)strlen(cmdline),
   };
   size_t len;

   assert_int_equal(msm_ccmd_set_debuginfo_req_encode(TG_ROOM(g), &req, comm, cmdline, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

uint32_t
tg_ioctl(struct tguest *g, uint32_t cmd, const void *arg, uint32_t rsp_off)
{
   struct msm_ccmd_ioctl_simple_req req = { .hdr = tg_hdr(g, rsp_off), .cmd = cmd };
   size_t len;

   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(TG_ROOM(g), &req, arg, &len), VDRM_OK);
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

uint32_t
tg_async_error(struct tguest *g)
{
   return tg_shmem_u32(g, offsetof(struct msm_shmem, async_error));
}

uint32_t
tg_global_faults(struct tguest *g)
{
   return tg_shmem_u32(g, offsetof(struct msm_shmem, global_faults));
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
