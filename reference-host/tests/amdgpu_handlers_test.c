/* SPDX-License-Identifier: MIT */

/*
 * Every amdgpu handler on the sim backend (a Navi 21), success and each
 * failure path, through guest_base.h's test guest, its requests built with
 * the generated encoders and its responses read with the generated decoders. The
 * defects of generated/doc/amdgpu.md's "Upstream defects" section each have
 * a test named upstream_defect_<name> (check_defects.py holds us to it);
 * the flaws its prose names (crashes on unknown ids, stale responses, the
 * ring bound, several FENCE chunks, blocking waits, forwarded queries) have
 * tests of their own.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest_base.h"
#include "amdgpu/sim_amdgpu.h"
#include "amdgpu_codec.h"
#include "amdgpu_kernel.h"
#include "vdrm_host.h"

#define VA 0x800000ull          /* above the reserved bottom */
#define RING_GFX 1u             /* ring_idx of GFX ring 0 */
#define RING_COMPUTE0 2u
#define RING_JPEG 14u           /* the last: VCN_JPEG ring 0 */
#define NRINGS 15u

struct ag_opts {
   bool privileged;
   bool real_clock;
   uint64_t submit_ns;            /* default 1000 */
   bool no_shmem;
   bool set_limits;
   struct vdrm_host_limits limits;
};

/* Everything the host made the kernel allocate is gone with it once pending work completed. */
static void
drained(struct vdrm_backend *sim)
{
   struct vdrm_sim_amdgpu_stats s;

   vdrm_sim_amdgpu_advance(sim, 10000000000ull);
   vdrm_sim_amdgpu_get_stats(sim, &s);
   assert_int_equal(s.pending, 0);
   assert_int_equal(s.files, 0);
   assert_int_equal(s.objects, 0);
   assert_int_equal(s.mappings, 0);
   assert_int_equal(s.contexts, 0);
   assert_int_equal(s.fences, 0);
   assert_int_equal(s.reserved_vmids, 0);
   assert_int_equal(s.vram_usage, 0);
   assert_int_equal(s.gtt_usage, 0);
   assert_int_equal(s.pstate_owner, 0);
}

static struct tguest *
ag_new(const struct ag_opts *opts)
{
   static const struct ag_opts defaults;
   const struct ag_opts *o = opts ? opts : &defaults;
   struct tguest *g = tg_alloc();
   struct vdrm_sim_amdgpu_config sc = {
      .clock = o->real_clock ? VDRM_SIM_CLOCK_MONOTONIC : VDRM_SIM_CLOCK_MANUAL,
      .submit_ns = o->submit_ns ? o->submit_ns : 1000,
      .privileged = o->privileged,
   };

   assert_int_equal(vdrm_sim_amdgpu_create(&sc, &g->sim), 0);
   tg_init(g, &(struct tg_config){
      .name = "amdgpu guest",
      .shmem_header = sizeof(struct amdvgpu_shmem),
      .shmem_size = o->no_shmem ? 0 : 8192,
      .limits = o->set_limits ? &o->limits : NULL,
      /* Requests at 4 mod 8 in memory, where a guest's batch may put them and these tests always did. */
      .start = 4,
      .drained = drained,
   });
   return g;
}

static struct vdrm_sim_amdgpu_stats
ag_sim(struct tguest *g)
{
   struct vdrm_sim_amdgpu_stats s;

   vdrm_sim_amdgpu_get_stats(g->sim, &s);
   return s;
}

static int
setup(void **state)
{
   *state = ag_new(NULL);
   return 0;
}

/* Reserves a response slot as Mesa does: its size in the slot's len (the rest as poison() left it). */
static void
reserve(struct tguest *g, uint32_t rsp_off, uint32_t size)
{
   if (g->rsp && (uint64_t)rsp_off + 4 <= g->rsp_size)
      memcpy(g->rsp + rsp_off, &size, sizeof(size));
}

static uint32_t
async_error(struct tguest *g)
{
   return tg_shmem_u32(g, offsetof(struct amdvgpu_shmem, async_error));
}

/* Marks a response slot so that an untouched one can be told apart. */
static void
poison(struct tguest *g, uint32_t off, uint32_t len)
{
   memset(g->rsp + off, 0xa5, len);
}

static bool
untouched(struct tguest *g, uint32_t off, uint32_t len)
{
   /* The first 4 bytes are the guest's reservation. */
   for (uint32_t i = 4; i < len; i++)
      if (g->rsp[off + i] != 0xa5)
         return false;
   return true;
}

static struct amdgpu_ccmd_rsp
rsp_hdr(struct tguest *g, uint32_t off)
{
   struct amdgpu_ccmd_rsp r;
   struct vdrm_error err;

   assert_int_equal(amdgpu_ccmd_rsp_decode(g->rsp + off, g->rsp_size - off, &r, &err), VDRM_OK);
   return r;
}

/* ---- request builders ---- */

static uint32_t
ag_query(struct tguest *g, const struct drm_amdgpu_info *info, uint32_t rsp_off)
{
   struct amdgpu_ccmd_query_info_req req = { .hdr = tg_hdr(g, rsp_off), .info = *info };
   size_t len;

   reserve(g, rsp_off, 8 + info->return_size);

   assert_int_equal(amdgpu_ccmd_query_info_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* Runs one query: ret, payload copied to out (cap bytes). */
static int
ag_info(struct tguest *g, const struct drm_amdgpu_info *info, void *out, uint32_t cap)
{
   struct amdgpu_ccmd_query_info_rsp rsp;
   struct amdgpu_ccmd_query_info_rsp_view view;
   struct vdrm_error err;

   ag_query(g, info, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   if (amdgpu_ccmd_query_info_rsp_decode(g->rsp, g->rsp_size, &rsp, &view, &err))
      fail_msg("%s", err.message);
   assert_int_equal(view.payload.size, info->return_size);
   memset(out, 0, cap);
   memcpy(out, view.payload.data, view.payload.size < cap ? view.payload.size : cap);
   return rsp.hdr.ret;
}

static uint32_t
ag_gem_new(struct tguest *g, uint64_t blob_id, uint64_t size, uint32_t heap, uint64_t flags)
{
   struct amdgpu_ccmd_gem_new_req req = {
      .hdr = tg_hdr(g, 0), .blob_id = blob_id,
      .r = { .alloc_size = size, .phys_alignment = 4096, .preferred_heap = heap, .flags = flags },
   };
   size_t len;

   assert_int_equal(amdgpu_ccmd_gem_new_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* A buffer and its blob resource; the fd is kept in *fd if fd. */
static uint32_t
ag_bo(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t heap, uint64_t flags, int *fd)
{
   uint32_t res;
   int nfd;

   ag_gem_new(g, blob_id, size, heap, flags);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, blob_id, size, VDRM_HOST_BLOB_MAPPABLE, &res, &nfd),
                    VDRM_HOST_OK);
   if (fd)
      *fd = nfd;
   else
      close(nfd);
   return res;
}

static uint32_t
ag_va(struct tguest *g, uint32_t res_id, uint32_t op, uint64_t va, uint64_t size, uint64_t offset, uint64_t flags,
      uint64_t flags2, uint32_t rsp_off)
{
   struct amdgpu_ccmd_bo_va_op_req req = {
      .hdr = tg_hdr(g, rsp_off), .va = va, .vm_map_size = size, .flags = flags, .flags2 = flags2,
      .offset = offset, .res_id = res_id, .op = op,
   };
   size_t len;

   reserve(g, rsp_off, 8);

   assert_int_equal(amdgpu_ccmd_bo_va_op_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* BO_VA_OP run alone: ret of its response. */
static int
ag_va_run(struct tguest *g, uint32_t res_id, uint32_t op, uint64_t va, uint64_t size, uint64_t offset, uint64_t flags,
          uint64_t flags2)
{
   ag_va(g, res_id, op, va, size, offset, flags, flags2, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   return rsp_hdr(g, 0).ret;
}

static uint32_t
ag_create_ctx(struct tguest *g, int32_t priority, uint32_t id, uint32_t flags, uint32_t rsp_off)
{
   struct amdgpu_ccmd_create_ctx_req req = { .hdr = tg_hdr(g, rsp_off), .flags = flags };
   size_t len;

   reserve(g, rsp_off, 16);

   if (flags & AMDGPU_CCMD_CREATE_CTX_DESTROY)
      req.id = id;
   else
      req.priority = priority;
   assert_int_equal(amdgpu_ccmd_create_ctx_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

/* CREATE_CTX: ret, the id in *ctx_id. */
static int
ag_ctx_new(struct tguest *g, int32_t priority, uint32_t *ctx_id)
{
   struct amdgpu_ccmd_create_ctx_rsp rsp;
   struct vdrm_error err;

   ag_create_ctx(g, priority, 0, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_create_ctx_rsp_decode(g->rsp, g->rsp_size, &rsp, &err), VDRM_OK);
   *ctx_id = rsp.ctx_id;
   return rsp.hdr.ret;
}

static uint32_t
ag_ctx(struct tguest *g)
{
   uint32_t id = 0;

   assert_int_equal(ag_ctx_new(g, 0, &id), 0);
   assert_int_not_equal(id, 0);
   return id;
}

/* A CS_SUBMIT being put together: descriptors and chunk bytes. */
struct ag_cs {
   struct amdgpu_ccmd_cs_submit_chunk descs[16];
   uint32_t n;
   uint8_t chunks[4096];
   uint32_t size;
};

static void
cs_chunk(struct ag_cs *cs, uint16_t id, const void *data, uint32_t bytes)
{
   cs->descs[cs->n++] = (struct amdgpu_ccmd_cs_submit_chunk){ .chunk_id = id, .length_dw = (uint16_t)(bytes / 4),
                                                              .offset = cs->size };
   memcpy(cs->chunks + cs->size, data, bytes);
   cs->size += (bytes + 7) & ~7u;
}

static void
cs_ib(struct ag_cs *cs, uint32_t ip, uint32_t ring, uint64_t va, uint32_t bytes)
{
   struct drm_amdgpu_cs_chunk_ib ib = { .va_start = va, .ib_bytes = bytes, .ip_type = ip, .ring = ring };

   cs_chunk(cs, KAMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
}

static uint32_t
ag_submit(struct tguest *g, uint32_t ctx_id, uint32_t ring_idx, const struct ag_cs *cs, uint32_t pad, uint32_t rsp_off)
{
   struct amdgpu_ccmd_cs_submit_req req = { .hdr = tg_hdr(g, rsp_off), .ctx_id = ctx_id, .num_chunks = cs->n,
                                            .pad = pad, .ring_idx = ring_idx };
   size_t len;

   reserve(g, rsp_off, 8);

   assert_int_equal(amdgpu_ccmd_cs_submit_req_encode(TG_ROOM(g), &req, cs->descs, cs->chunks, cs->size, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
ag_set_metadata(struct tguest *g, uint32_t res_id, uint64_t tiling, const uint32_t *md, uint32_t size, uint32_t rsp_off)
{
   struct amdgpu_ccmd_set_metadata_req req = { .hdr = tg_hdr(g, rsp_off), .flags = 1, .tiling_info = tiling,
                                               .res_id = res_id, .size_metadata = size };
   size_t len;

   reserve(g, rsp_off, 8);

   assert_int_equal(amdgpu_ccmd_set_metadata_req_encode(TG_ROOM(g), &req, md, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static struct amdgpu_ccmd_bo_query_info_rsp
ag_bo_query(struct tguest *g, uint32_t res_id)
{
   struct amdgpu_ccmd_bo_query_info_req req = { .hdr = tg_hdr(g, 0), .res_id = res_id };
   struct amdgpu_ccmd_bo_query_info_rsp rsp;
   struct vdrm_error err;
   size_t len;

   reserve(g, 0, 320);

   assert_int_equal(amdgpu_ccmd_bo_query_info_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_bo_query_info_rsp_decode(g->rsp, g->rsp_size, &rsp, &err), VDRM_OK);
   return rsp;
}

static uint32_t
ag_reserve_vmid(struct tguest *g, uint64_t flags, uint32_t rsp_off)
{
   struct amdgpu_ccmd_reserve_vmid_req req = { .hdr = tg_hdr(g, rsp_off), .flags = flags };
   size_t len;

   reserve(g, rsp_off, 8);

   assert_int_equal(amdgpu_ccmd_reserve_vmid_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static uint32_t
ag_pstate(struct tguest *g, uint32_t ctx_id, uint32_t op, uint32_t flags, uint32_t rsp_off)
{
   struct amdgpu_ccmd_set_pstate_req req = { .hdr = tg_hdr(g, rsp_off), .ctx_id = ctx_id, .op = op, .flags = flags };
   size_t len;

   reserve(g, rsp_off, 16);

   assert_int_equal(amdgpu_ccmd_set_pstate_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static struct amdgpu_ccmd_set_pstate_rsp
ag_pstate_run(struct tguest *g, uint32_t ctx_id, uint32_t op, uint32_t flags)
{
   struct amdgpu_ccmd_set_pstate_rsp rsp;
   struct vdrm_error err;

   ag_pstate(g, ctx_id, op, flags, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_set_pstate_rsp_decode(g->rsp, g->rsp_size, &rsp, &err), VDRM_OK);
   return rsp;
}

static uint32_t
ag_fence_status(struct tguest *g, uint32_t ctx_id, uint32_t ip, uint32_t ring, uint64_t fence, uint64_t timeout,
                uint32_t rsp_off)
{
   struct amdgpu_ccmd_cs_query_fence_status_req req = { .hdr = tg_hdr(g, rsp_off), .ctx_id = ctx_id, .ip_type = ip,
                                                        .ring = ring, .fence = fence, .timeout_ns = timeout };
   size_t len;

   reserve(g, rsp_off, 16);

   assert_int_equal(amdgpu_ccmd_cs_query_fence_status_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   return g->seqno;
}

static struct amdgpu_ccmd_cs_query_fence_status_rsp
ag_fence_status_run(struct tguest *g, uint32_t ctx_id, uint32_t ip, uint32_t ring, uint64_t fence, uint64_t timeout)
{
   struct amdgpu_ccmd_cs_query_fence_status_rsp rsp;
   struct vdrm_error err;

   ag_fence_status(g, ctx_id, ip, ring, fence, timeout, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_cs_query_fence_status_rsp_decode(g->rsp, g->rsp_size, &rsp, &err), VDRM_OK);
   return rsp;
}

/* A mapped 64 KiB command buffer at VA: its res_id. */
static uint32_t
ag_ib_bo(struct tguest *g, uint32_t blob_id)
{
   uint32_t res = ag_bo(g, blob_id, 65536, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);

   assert_int_equal(ag_va_run(g, res, KAMDGPU_VA_OP_MAP, VA, 65536, 0,
                              KAMDGPU_VM_PAGE_READABLE | KAMDGPU_VM_PAGE_EXECUTABLE, 0), 0);
   return res;
}

/* ---- the device and the context ---- */

static void
capset_from_device(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   size_t size;

   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size), VDRM_HOST_OK);
   assert_int_equal(size, sizeof(caps));
   assert_int_equal(caps.context_type, VIRTGPU_DRM_CONTEXT_AMDGPU);
   assert_int_equal(caps.wire_format_version, 0);
   assert_int_equal(caps.version_major, 3);
   assert_int_equal(caps.version_minor, 57);
   assert_int_equal(caps.u.amdgpu.address32_hi, 0xffff8000u);
   assert_int_equal(caps.u.amdgpu.has_vm_always_valid, 0);
   assert_string_equal(caps.u.amdgpu.marketing_name, "AMD Radeon RX 6800 XT");
}

static void
rings_numbered_like_the_guest(void **state)
{
   struct tguest *g = TG(state);

   /* CPU, GFX 1, COMPUTE 4, SDMA 4, VCN_DEC 2, VCN_ENC 2, VCN_JPEG 1. */
   assert_int_equal(vdrm_host_num_rings(g->client), NRINGS);
}

static void
shmem_heaps_published(void **state)
{
   struct tguest *g = TG(state);
   struct amdvgpu_shmem sh;
   const struct vdrm_sim_amdgpu_profile *p = vdrm_sim_amdgpu_get_profile(g->sim);

   ag_bo(g, 1, 1 << 20, KAMDGPU_GEM_DOMAIN_VRAM, KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED, NULL);
   ag_bo(g, 2, 3 << 20, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   memcpy(&sh, g->shmem, sizeof(sh));
   /* libdrm's amdgpu_query_heap_info(): usable sizes, max_allocation the CPU-visible VRAM. */
   assert_int_equal(sh.vram.heap_size, p->vram_size - p->reserved_vram);
   assert_int_equal(sh.vram.heap_usage, 1 << 20);
   assert_int_equal(sh.vram.max_allocation, p->vis_vram_size);
   assert_int_equal(sh.vis_vram.heap_size, p->vis_vram_size);
   assert_int_equal(sh.vis_vram.heap_usage, 1 << 20);
   assert_int_equal(sh.vis_vram.max_allocation, p->vis_vram_size);
   assert_int_equal(sh.gtt.heap_size, p->gtt_size);
   assert_int_equal(sh.gtt.heap_usage, 3 << 20);
   assert_int_equal(sh.gtt.max_allocation, p->vis_vram_size);
   assert_int_equal(sh.__pad, 0);
}

/* ---- QUERY_INFO ---- */

static void
query_dev_info(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = sizeof(struct kamdgpu_info_device), .query = KAMDGPU_INFO_DEV_INFO,
                                .return_pointer = 0x7ffd12345678ull };
   struct kamdgpu_info_device di;
   uint8_t cut[448];

   assert_int_equal(ag_info(g, &q, &di, sizeof(di)), 0);
   assert_int_equal(di.device_id, 0x73bf);
   assert_int_equal(di.family, KAMDGPU_FAMILY_NV);
   assert_int_equal(di.external_rev, 0x28);
   assert_int_equal(di.vram_type, KAMDGPU_VRAM_TYPE_GDDR6);
   assert_int_equal(di.num_shader_engines, 4);
   assert_int_equal(di.high_va_offset, KAMDGPU_GMC_HOLE_END);
   /* An i386 guest asks for 432 bytes: it gets 432 of the host's 440. */
   q.return_size = 432;
   assert_int_equal(ag_info(g, &q, cut, sizeof(cut)), 0);
   assert_memory_equal(cut, &di, 432);
   assert_int_equal(ag_sim(g).info_seen[KAMDGPU_INFO_DEV_INFO], 3);   /* the capset's, and these two */
}

static void
query_hw_ip(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = sizeof(struct amdgpu_info_hw_ip), .query = KAMDGPU_INFO_HW_IP_INFO };
   struct amdgpu_info_hw_ip ip;
   uint32_t count;

   q.query_hw_ip.type = KAMDGPU_HW_IP_COMPUTE;
   assert_int_equal(ag_info(g, &q, &ip, sizeof(ip)), 0);
   assert_int_equal(ip.available_rings, 0xf);
   assert_int_equal(ip.hw_ip_version_major, 10);
   assert_int_equal(ip.ip_discovery_version, 0x0a0300);
   /* An IP the chip lacks has no rings; a type past the last is the kernel's -EINVAL, zeros. */
   q.query_hw_ip.type = KAMDGPU_HW_IP_UVD;
   assert_int_equal(ag_info(g, &q, &ip, sizeof(ip)), 0);
   assert_int_equal(ip.available_rings, 0);
   q.query_hw_ip.type = KAMDGPU_HW_IP_NUM;
   assert_int_equal(ag_info(g, &q, &ip, sizeof(ip)), -EINVAL);
   assert_int_equal(ip.available_rings, 0);
   q.query_hw_ip.type = KAMDGPU_HW_IP_GFX;
   q.query_hw_ip.ip_instance = 1;
   assert_int_equal(ag_info(g, &q, &ip, sizeof(ip)), -EINVAL);
   q = (struct drm_amdgpu_info){ .return_size = 4, .query = KAMDGPU_INFO_HW_IP_COUNT };
   q.query_hw_ip.type = KAMDGPU_HW_IP_DMA;
   assert_int_equal(ag_info(g, &q, &count, sizeof(count)), 0);
   assert_int_equal(count, 1);
}

static void
query_memory_fw_caps(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = sizeof(struct drm_amdgpu_memory_info), .query = KAMDGPU_INFO_MEMORY };
   struct drm_amdgpu_memory_info m;
   struct drm_amdgpu_info_firmware fw;
   struct drm_amdgpu_info_video_caps caps;
   struct drm_amdgpu_info_vram_gtt vg;
   uint64_t ts1, ts2;

   ag_bo(g, 1, 8192, KAMDGPU_GEM_DOMAIN_VRAM, 0, NULL);
   assert_int_equal(ag_info(g, &q, &m, sizeof(m)), 0);
   assert_int_equal(m.vram.heap_usage, 8192);
   assert_int_equal(m.gtt.total_heap_size, vdrm_sim_amdgpu_get_profile(g->sim)->gtt_size);
   q = (struct drm_amdgpu_info){ .return_size = sizeof(vg), .query = KAMDGPU_INFO_VRAM_GTT };
   assert_int_equal(ag_info(g, &q, &vg, sizeof(vg)), 0);
   assert_int_equal(vg.vram_cpu_accessible_size, 256ull << 20);
   /* FW_VERSION: a known type, a type past the last; the guest's uninitialised _pad does not matter. */
   q = (struct drm_amdgpu_info){ .return_size = sizeof(fw), .query = KAMDGPU_INFO_FW_VERSION };
   q.query_fw.fw_type = KAMDGPU_INFO_FW_GFX_MEC;
   q.query_fw._pad = 0xdeadbeef;
   assert_int_equal(ag_info(g, &q, &fw, sizeof(fw)), 0);
   assert_int_equal(fw.ver, 0x76);
   q.query_fw.fw_type = 0x100;
   assert_int_equal(ag_info(g, &q, &fw, sizeof(fw)), -EINVAL);
   q = (struct drm_amdgpu_info){ .return_size = sizeof(caps), .query = KAMDGPU_INFO_VIDEO_CAPS };
   q.video_cap.type = KAMDGPU_INFO_VIDEO_CAPS_DECODE;
   assert_int_equal(ag_info(g, &q, &caps, sizeof(caps)), 0);
   assert_int_equal(caps.codec_info[4].max_width, 8192);
   q.video_cap.type = 7;
   assert_int_equal(ag_info(g, &q, &caps, sizeof(caps)), -EINVAL);
   /* TIMESTAMP follows the device clock (100 MHz). */
   q = (struct drm_amdgpu_info){ .return_size = 8, .query = KAMDGPU_INFO_TIMESTAMP };
   assert_int_equal(ag_info(g, &q, &ts1, sizeof(ts1)), 0);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   assert_int_equal(ag_info(g, &q, &ts2, sizeof(ts2)), 0);
   assert_int_equal(ts2 - ts1, 100);
   /* return_size 0: the kernel's -EINVAL, an empty payload. */
   q = (struct drm_amdgpu_info){ .return_size = 0, .query = KAMDGPU_INFO_ACCEL_WORKING };
   assert_int_equal(ag_info(g, &q, &ts1, sizeof(ts1)), -EINVAL);
}

/* The deployed host forwards every query: register reads, VBIOS, sensors, fault addresses. */
static void
query_not_forwarded(void **state)
{
   struct tguest *g = TG(state);
   const uint32_t refused[] = { KAMDGPU_INFO_READ_MMR_REG, KAMDGPU_INFO_VBIOS, KAMDGPU_INFO_SENSOR,
                                KAMDGPU_INFO_GPUVM_FAULT, KAMDGPU_INFO_NUM_EVICTIONS, KAMDGPU_INFO_CRTC_FROM_ID,
                                KAMDGPU_INFO_NUM_BYTES_MOVED, 0x3f };
   uint8_t out[64];

   for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
      struct drm_amdgpu_info q = { .return_size = 16, .query = refused[i] };

      q.read_mmr_reg.count = 4;
      memset(out, 0x55, sizeof(out));
      assert_int_equal(ag_info(g, &q, out, sizeof(out)), -EINVAL);
      for (int k = 0; k < 16; k++)
         assert_int_equal(out[k], 0);
      assert_int_equal(ag_sim(g).info_seen[refused[i]], 0);
   }
   assert_int_equal(async_error(g), 0);
}

static void
query_response_bounds(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = 0xfffffff8u, .query = KAMDGPU_INFO_DEV_INFO };
   uint64_t before = ag_sim(g).info_seen[KAMDGPU_INFO_DEV_INFO];

   /* 8 + return_size past the region (and the 32-bit overflow of the sum): refused, not crashed. */
   ag_query(g, &q, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "QUERY_INFO", NULL));
   q.return_size = g->rsp_size;   /* one header too many */
   ag_query(g, &q, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   q.return_size = 8;
   ag_query(g, &q, g->rsp_size - 8);   /* at the end: no room */
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).info_seen[KAMDGPU_INFO_DEV_INFO], before);
   assert_int_equal(async_error(g), 3);
}

static void
query_without_shmem(void **state)
{
   struct tguest *g = ag_new(&(struct ag_opts){ .no_shmem = true });
   struct drm_amdgpu_info q = { .return_size = 4, .query = KAMDGPU_INFO_ACCEL_WORKING };

   (void)state;
   ag_query(g, &q, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "QUERY_INFO", "hdr.rsp_off", NULL));
   tg_free(g);
}

/* ---- GEM_NEW ---- */

static void
gem_new_blob_maps_buffer(void **state)
{
   struct tguest *g = TG(state);
   int fd;
   uint32_t res = ag_bo(g, 7, 5000, KAMDGPU_GEM_DOMAIN_GTT, KAMDGPU_GEM_CREATE_CPU_GTT_USWC, &fd);
   struct amdgpu_ccmd_bo_query_info_rsp info;
   uint8_t *map;
   int fd2;

   assert_int_not_equal(res, 0);
   assert_int_equal(ag_sim(g).objects, 1);
   assert_int_equal(ag_sim(g).gtt_usage, 8192);   /* page rounded */
   /* The blob fd maps the buffer: what one mapping writes another export sees. */
   map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(map != MAP_FAILED);
   memcpy(map + 4096, "radv", 4);
   munmap(map, 8192);
   assert_int_equal(vdrm_host_resource_export(g->client, res, &fd2), VDRM_HOST_OK);
   map = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd2, 0);
   assert_true(map != MAP_FAILED);
   assert_memory_equal(map + 4096, "radv", 4);
   munmap(map, 8192);
   close(fd2);
   close(fd);
   info = ag_bo_query(g, res);
   assert_int_equal(info.hdr.ret, 0);
   assert_int_equal(info.info.alloc_size, 8192);
   assert_int_equal(info.info.preferred_heap, KAMDGPU_GEM_DOMAIN_GTT);
   assert_int_equal(info.info.alloc_flags, KAMDGPU_GEM_CREATE_CPU_GTT_USWC);
   assert_int_equal(info.info.phys_alignment, 4096);
   /* Unref frees it (no GPU work holds it). */
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).objects, 0);
   assert_int_equal(ag_sim(g).gtt_usage, 0);
}

static void
gem_new_kernel_refuses(void **state)
{
   struct tguest *g = TG(state);

   /* Unknown domain bit, unknown flag, size 0, more than VRAM and GTT hold, TMZ without TMZ. */
   ag_gem_new(g, 1, 4096, 0x80, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "DRM_AMDGPU_GEM_CREATE failed", "EINVAL", NULL));
   ag_gem_new(g, 1, 4096, KAMDGPU_GEM_DOMAIN_GTT, 1ull << 40);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   ag_gem_new(g, 1, 0, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   ag_gem_new(g, 1, 64ull << 30, KAMDGPU_GEM_DOMAIN_VRAM | KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "max_buffer_bytes", NULL));
   ag_gem_new(g, 1, 512ull << 20, KAMDGPU_GEM_DOMAIN_VRAM, KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "ENOMEM", NULL));
   ag_gem_new(g, 1, 4096, KAMDGPU_GEM_DOMAIN_VRAM, KAMDGPU_GEM_CREATE_ENCRYPTED);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(async_error(g), 6);
   assert_int_equal(ag_sim(g).objects, 0);
   /* The failed GEM_NEW dropped the rest of its batch. */
   ag_gem_new(g, 1, 0, KAMDGPU_GEM_DOMAIN_GTT, 0);
   ag_gem_new(g, 2, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).objects, 0);
}

static void
gem_new_host_refuses(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res;
   int fd;

   /* A per-VM buffer could never become the blob the guest creates next. */
   ag_gem_new(g, 1, 4096, KAMDGPU_GEM_DOMAIN_VRAM, KAMDGPU_GEM_CREATE_VM_ALWAYS_VALID);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "r.flags", "VM_ALWAYS_VALID", NULL));
   assert_int_equal(ag_sim(g).objects, 0);
   /* A blob_id awaiting its blob cannot be used twice; once the blob exists it can. */
   ag_gem_new(g, 5, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   ag_gem_new(g, 5, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "blob_id", "awaits its blob", NULL));
   assert_int_equal(ag_sim(g).objects, 1);
   assert_int_equal(vdrm_host_blob_create(g->client, 5, 4096, 0, &res, &fd), VDRM_HOST_OK);
   close(fd);
   /* A blob larger than the buffer is refused by the core. */
   ag_gem_new(g, 6, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_blob_create(g->client, 6, 8192, 0, &res, &fd), VDRM_HOST_E_INVAL);
   /* blob_id 0 is the shmem's. */
   ag_gem_new(g, 0, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "blob_id", NULL));
}

static void
gem_new_object_limit(void **state)
{
   struct ag_opts o = { .set_limits = true };
   struct tguest *g;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default((enum vdrm_host_limit)i);
   o.limits.max[VDRM_HOST_LIMIT_OBJECTS] = 2;
   g = ag_new(&o);
   ag_gem_new(g, 1, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   ag_gem_new(g, 2, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   ag_gem_new(g, 3, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_OBJECTS], 1);
   assert_int_equal(ag_sim(g).objects, 2);
   tg_free(g);
}

/* blob_id check: ids of 2^32 and more are refused, never truncated onto another id. */
static void
upstream_defect_amdgpu_ccmd_gem_new_req_check_blob_id(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res;
   int fd;

   ag_gem_new(g, 1, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   /* 2^32 + 1 would collide with 1 once truncated. */
   ag_gem_new(g, (1ull << 32) | 1, 8192, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "GEM_NEW", "blob_id", "VDRM_E_LIMIT", NULL));
   assert_int_equal(ag_sim(g).objects, 1);
   assert_int_equal(async_error(g), 1);
   /* Blob 1 is still the first buffer, 4096 bytes. */
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 8192, 0, &res, &fd), VDRM_HOST_E_INVAL);
   assert_int_equal(vdrm_host_blob_create(g->client, 1, 4096, 0, &res, &fd), VDRM_HOST_OK);
   close(fd);
   ag_gem_new(g, 0xffffffffull, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
}

/* ---- BO_VA_OP ---- */

static void
va_map_unmap_clear_replace(void **state)
{
   struct tguest *g = TG(state);
   uint32_t a = ag_bo(g, 1, 65536, KAMDGPU_GEM_DOMAIN_VRAM, 0, NULL);
   uint32_t b = ag_bo(g, 2, 65536, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   const uint64_t rw = KAMDGPU_VM_PAGE_READABLE | KAMDGPU_VM_PAGE_WRITEABLE;

   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_MAP, VA, 65536, 0, rw, 0), 0);
   assert_int_equal(ag_sim(g).mappings, 1);
   /* Overlap: the kernel's -EINVAL in ret, counted in async_error, the batch goes on. */
   ag_va(g, b, KAMDGPU_VA_OP_MAP, VA + 4096, 4096, 0, rw, 0, 0);
   ag_va(g, b, KAMDGPU_VA_OP_MAP, VA + 65536, 8192, 4096, rw, 0, 8);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(rsp_hdr(g, 0).ret, -EINVAL);
   assert_int_equal(rsp_hdr(g, 8).ret, 0);
   assert_int_equal(async_error(g), 1);
   assert_int_equal(tg_seqno_published(g), g->seqno);
   assert_int_equal(ag_sim(g).mappings, 2);
   /* CLEAR splits a's mapping around a hole; REPLACE puts b there. */
   assert_int_equal(ag_va_run(g, 0, KAMDGPU_VA_OP_CLEAR, VA + 8192, 8192, 0, 0, AMDGPU_CCMD_BO_VA_OP_SPARSE_BO), 0);
   assert_int_equal(ag_sim(g).mappings, 3);
   assert_int_equal(ag_va_run(g, b, KAMDGPU_VA_OP_REPLACE, VA, 16384, 0, rw, 0), 0);
   assert_int_equal(ag_sim(g).mappings, 3);
   /* UNMAP by start address and buffer: a wrong start is the kernel's -ENOENT. */
   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_UNMAP, VA + 4096, 4096, 0, 0, 0), -ENOENT);
   assert_int_equal(ag_va_run(g, b, KAMDGPU_VA_OP_UNMAP, VA, 16384, 0, 0, 0), 0);
   assert_int_equal(ag_sim(g).mappings, 2);
   /* Kernel checks: the reserved bottom, the hole, alignment, flags. */
   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_MAP, 0x1000, 4096, 0, rw, 0), -EINVAL);
   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_MAP, KAMDGPU_GMC_HOLE_START, 4096, 0, rw, 0), -EINVAL);
   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_MAP, VA + 0x100000 + 100, 4096, 0, rw, 0), -EINVAL);
   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_MAP, VA + 0x100000, 4096, 0, 1u << 20, 0), -EINVAL);
   /* The high range works. */
   assert_int_equal(ag_va_run(g, a, KAMDGPU_VA_OP_MAP, KAMDGPU_GMC_HOLE_END + 0x100000, 4096, 0, rw, 0), 0);
   /* Closing the resource drops its mappings with it. */
   assert_int_equal(ag_sim(g).mappings, 3);
   assert_int_equal(vdrm_host_resource_unref(g->client, b), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).mappings, 2);
   assert_int_equal(vdrm_host_resource_unref(g->client, a), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).mappings, 0);
   assert_int_equal(async_error(g), 6);
}

static void
va_sparse(void **state)
{
   struct tguest *g = TG(state);

   /* A PRT range needs no buffer; res_id is ignored. */
   assert_int_equal(ag_va_run(g, 999, KAMDGPU_VA_OP_MAP, VA, 1 << 20, 0, KAMDGPU_VM_PAGE_PRT,
                              AMDGPU_CCMD_BO_VA_OP_SPARSE_BO), 0);
   assert_int_equal(ag_sim(g).mappings, 1);
   assert_int_equal(ag_va_run(g, 0, KAMDGPU_VA_OP_UNMAP, VA, 1 << 20, 0, KAMDGPU_VM_PAGE_PRT,
                              AMDGPU_CCMD_BO_VA_OP_SPARSE_BO), 0);
   /* Sparse without PRT: the kernel looks up handle 0, -ENOENT. */
   assert_int_equal(ag_va_run(g, 0, KAMDGPU_VA_OP_MAP, VA, 4096, 0, KAMDGPU_VM_PAGE_READABLE,
                              AMDGPU_CCMD_BO_VA_OP_SPARSE_BO), -ENOENT);
   assert_int_equal(async_error(g), 1);
   /* An undefined flags2 bit: the decoder refuses it. */
   ag_va(g, 0, KAMDGPU_VA_OP_MAP, VA, 4096, 0, KAMDGPU_VM_PAGE_PRT, 2, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "BO_VA_OP", "flags2", NULL));
}

/* The deployed host dereferences the missing buffer of an unknown res_id and crashes. */
static void
va_unknown_res_id(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, 8192, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint64_t before = ag_sim(g).va_ops;

   poison(g, 0, 8);
   ag_va(g, 4242, KAMDGPU_VA_OP_MAP, VA, 4096, 0, KAMDGPU_VM_PAGE_READABLE, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "BO_VA_OP", "res_id", "4242", NULL));
   /* A closed resource is just as unknown; the shmem is no buffer either. */
   assert_int_equal(vdrm_host_resource_unref(g->client, res), VDRM_HOST_OK);
   ag_va(g, res, KAMDGPU_VA_OP_UNMAP, VA, 4096, 0, 0, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   ag_va(g, g->shmem_res, KAMDGPU_VA_OP_MAP, VA, 4096, 0, KAMDGPU_VM_PAGE_READABLE, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).va_ops, before);
   assert_true(untouched(g, 0, 8));
   assert_int_equal(async_error(g), 3);
}

static void
va_range_and_op(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, 8192, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint64_t before = ag_sim(g).va_ops;

   /* Past the end of the buffer, and offset + size wrapping: refused before the kernel. */
   ag_va(g, res, KAMDGPU_VA_OP_MAP, VA, 8192, 4096, KAMDGPU_VM_PAGE_READABLE, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "BO_VA_OP", "vm_map_size", "8192-byte buffer", NULL));
   ag_va(g, res, KAMDGPU_VA_OP_REPLACE, VA, UINT64_MAX - 4095, 8192, KAMDGPU_VM_PAGE_READABLE, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).va_ops, before);
   /* An unknown op is libdrm's -EINVAL, and never reaches the kernel. */
   assert_int_equal(ag_va_run(g, res, 9, VA, 4096, 0, KAMDGPU_VM_PAGE_READABLE, 0), -EINVAL);
   assert_int_equal(ag_va_run(g, res, KAMDGPU_VA_OP_MAP, VA, 4096, 0, 1ull << 33, 0), -EINVAL);
   assert_int_equal(ag_sim(g).va_ops, before);
   /* The response must fit the region. */
   ag_va(g, res, KAMDGPU_VA_OP_MAP, VA, 4096, 0, KAMDGPU_VM_PAGE_READABLE, 0, g->rsp_size);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).va_ops, before);
   assert_int_equal(async_error(g), 5);
}

/* ---- CS_SUBMIT ---- */

static void
cs_submit_runs_and_fences(void **state)
{
   struct tguest *g = TG(state);
   uint32_t ib = ag_ib_bo(g, 1);
   int ffd;
   uint32_t fbo = ag_bo(g, 2, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0, &ffd);
   uint32_t data = ag_bo(g, 3, 1 << 20, KAMDGPU_GEM_DOMAIN_VRAM, 0, NULL);
   uint32_t ctx = ag_ctx(g);
   struct drm_amdgpu_bo_list_entry list[2] = { { ib, 0 }, { data, 3 } };
   struct drm_amdgpu_cs_chunk_fence fence = { .handle = fbo, .offset = 64 };
   struct ag_cs cs = { .n = 0 };
   uint64_t *map;
   struct amdgpu_ccmd_cs_query_fence_status_rsp st;

   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 256);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_BO_HANDLES, list, sizeof(list));
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_FENCE, &fence, sizeof(fence));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush_fence(g, RING_GFX, 77), VDRM_HOST_OK);
   assert_int_equal(rsp_hdr(g, 0).ret, 0);
   assert_int_equal(ag_sim(g).submits, 1);
   assert_int_equal(ag_sim(g).pending, 1);
   /* The buffers stay with the GPU work even when the guest lets go of them. */
   assert_int_equal(vdrm_host_resource_unref(g->client, data), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).objects, 3);
   assert_int_equal(vdrm_host_fence_wait(g->client, RING_GFX, 77, 0), VDRM_HOST_E_TIMEOUT);
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 1, 0);
   assert_int_equal(st.hdr.ret, 0);
   assert_int_equal(st.expired, 0);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, RING_GFX, 77, 0), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).objects, 2);
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 1, 0);
   assert_int_equal(st.expired, 1);
   /* The GPU wrote the sequence number at the user fence, seen through the blob mapping. */
   map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ffd, 0);
   assert_true(map != MAP_FAILED);
   assert_int_equal(map[64 / 8], 1);
   munmap(map, 4096);
   close(ffd);
   assert_int_equal(ag_sim(g).faults, 0);
   assert_int_equal(async_error(g), 0);
}

static void
cs_submit_in_order_and_deps(void **state)
{
   struct tguest *g = TG(state);
   uint32_t ctx;
   struct ag_cs a = { .n = 0 }, b = { .n = 0 };
   struct drm_amdgpu_cs_chunk_dep dep = { .ip_type = KAMDGPU_HW_IP_GFX, .ring = 0, .handle = 1 };

   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   dep.ctx_id = ctx;
   cs_ib(&a, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, ctx, RING_GFX, &a, 0, 0);
   ag_submit(g, ctx, RING_GFX, &a, 0, 8);
   /* A compute job that waits for the first GFX job: it ends after it. */
   cs_ib(&b, KAMDGPU_HW_IP_COMPUTE, 2, VA, 64);
   cs_chunk(&b, KAMDGPU_CHUNK_ID_DEPENDENCIES, &dep, sizeof(dep));
   ag_submit(g, ctx, RING_COMPUTE0 + 2, &b, 0, 16);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).pending, 3);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   /* GFX job 1 is done; GFX job 2 runs after it, and so does the compute job, which waited for it. */
   assert_int_equal(ag_sim(g).pending, 2);
   assert_int_equal(ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 1, 0).expired, 1);
   assert_int_equal(ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 2, 0).expired, 0);
   assert_int_equal(ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_COMPUTE, 2, 1, 0).expired, 0);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   assert_int_equal(ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 2, 0).expired, 1);
   assert_int_equal(ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_COMPUTE, 2, 1, 0).expired, 1);
   /* A dependency on a sequence number never submitted: the kernel's -EINVAL fails the request. */
   dep.handle = 9;
   b = (struct ag_cs){ .n = 0 };
   cs_ib(&b, KAMDGPU_HW_IP_COMPUTE, 2, VA, 64);
   cs_chunk(&b, KAMDGPU_CHUNK_ID_DEPENDENCIES, &dep, sizeof(dep));
   ag_submit(g, ctx, RING_COMPUTE0 + 2, &b, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "DRM_AMDGPU_CS failed", "EINVAL", NULL));
   assert_int_equal(async_error(g), 1);
}

/* The deployed host hands an unknown ctx_id to libdrm, which dereferences a null context. */
static void
cs_submit_unknown_ctx(void **state)
{
   struct tguest *g = TG(state);
   struct ag_cs cs = { .n = 0 };
   uint32_t ctx;

   ag_ib_bo(g, 1);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, 0, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "ctx_id", NULL));
   ctx = ag_ctx(g);
   ag_submit(g, ctx + 1, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   /* A destroyed one is unknown too. */
   ag_create_ctx(g, 0, ctx, AMDGPU_CCMD_CREATE_CTX_DESTROY, 0);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 8);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).submits, 0);
   assert_int_equal(async_error(g), 3);
}

/*
 * ring_idx: 0 is the CPU's, above the ring count does not exist, and it
 * must be the timeline of the last IB (the deployed host compares neither).
 * Rings above AMDGPU_HW_IP_NUM exist here and work.
 */
static void
cs_submit_ring_idx(void **state)
{
   struct tguest *g = TG(state);
   struct ag_cs cs = { .n = 0 }, jpeg = { .n = 0 };
   uint32_t ctx;

   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, ctx, 0, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "ring_idx", NULL));
   ag_submit(g, ctx, NRINGS, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "ring_idx", "does not exist", NULL));
   ag_submit(g, ctx, RING_COMPUTE0, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "ring_idx", "last IB", NULL));
   /* An IB on instance 1 or a ring the IP lacks has no timeline at all. */
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 1, VA, 64);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).submits, 0);
   /* Timeline 14, VCN_JPEG ring 0: past AMDGPU_HW_IP_NUM, fenced like any other. */
   cs_ib(&jpeg, KAMDGPU_HW_IP_VCN_JPEG, 0, VA, 64);
   ag_submit(g, ctx, RING_JPEG, &jpeg, 0, 0);
   assert_int_equal(tg_flush_fence(g, RING_JPEG, 5), VDRM_HOST_OK);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, RING_JPEG, 5, 0), VDRM_HOST_OK);
   assert_int_equal(async_error(g), 4);
}

static void
cs_submit_translation_checks(void **state)
{
   struct tguest *g = TG(state);
   uint32_t ib = ag_ib_bo(g, 1);
   uint32_t fbo = ag_bo(g, 2, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint32_t big = ag_bo(g, 3, 8192, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint32_t ctx = ag_ctx(g);
   struct drm_amdgpu_bo_list_entry list[2] = { { ib, 0 }, { 999, 0 } };
   struct drm_amdgpu_cs_chunk_fence fence = { .handle = 999, .offset = 0 };
   struct drm_amdgpu_cs_chunk_dep dep = { .ip_type = KAMDGPU_HW_IP_GFX, .ctx_id = 77, .handle = 1 };
   struct ag_cs cs;

   /* A buffer list entry that is no resource of this context. */
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_BO_HANDLES, list, sizeof(list));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "bos[].bo_handle", "999", NULL));
   /* The shmem is no buffer either. */
   list[1].bo_handle = g->shmem_res;
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   /* The user fence: a known buffer, 8 bytes inside it. */
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_FENCE, &fence, sizeof(fence));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "fence.handle", NULL));
   fence = (struct drm_amdgpu_cs_chunk_fence){ .handle = fbo, .offset = 4096 };
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_FENCE, &fence, sizeof(fence));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "fence.offset", NULL));
   /* A two-page fence buffer passes the host but not the kernel (one page only). */
   fence = (struct drm_amdgpu_cs_chunk_fence){ .handle = big, .offset = 0 };
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_FENCE, &fence, sizeof(fence));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "DRM_AMDGPU_CS failed", NULL));
   /* A dependency on a context this guest does not have. */
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_DEPENDENCIES, &dep, sizeof(dep));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "deps[].ctx_id", "77", NULL));
   /* No IB at all. */
   cs = (struct ag_cs){ .n = 0 };
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_DEPENDENCIES, &dep, 0);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "no IB", NULL));
   /* A chunk kind the protocol does not carry: the decoder's. */
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_SYNCOBJ_IN, &dep, 8);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(ag_sim(g).submits, 0);
   assert_int_equal(async_error(g), 8);
   /* A good one still goes. */
   list[1].bo_handle = big;
   cs = (struct ag_cs){ .n = 0 };
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_BO_HANDLES, list, sizeof(list));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).submits, 1);
}

/* Several FENCE chunks: the deployed host passes the last one's data for all of them. */
static void
cs_submit_second_fence_chunk(void **state)
{
   struct tguest *g = TG(state);
   uint32_t fa = ag_bo(g, 2, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint32_t fb = ag_bo(g, 3, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   struct drm_amdgpu_cs_chunk_fence f1 = { .handle = fa, .offset = 0 }, f2 = { .handle = fb, .offset = 8 };
   struct ag_cs cs = { .n = 0 };
   uint32_t ctx;

   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_FENCE, &f1, sizeof(f1));
   cs_chunk(&cs, KAMDGPU_CHUNK_ID_FENCE, &f2, sizeof(f2));
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "second FENCE", NULL));
   assert_int_equal(ag_sim(g).submits, 0);
}

static void
cs_submit_gpu_fault(void **state)
{
   struct tguest *g = TG(state);
   struct ag_cs cs = { .n = 0 };
   uint32_t ctx = ag_ctx(g);

   /* Nothing mapped at the IB: the kernel accepts it and the GPU faults on it. */
   cs_ib(&cs, KAMDGPU_HW_IP_DMA, 3, 0x40000000ull, 64);
   ag_submit(g, ctx, 1 + 1 + 4 + 3, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   assert_int_equal(ag_sim(g).faults, 1);
   assert_int_equal(ag_sim(g).last_fault_addr, 0x40000000ull);
}

static void
cs_submit_pending_limit(void **state)
{
   struct ag_opts o = { .set_limits = true };
   struct ag_cs cs = { .n = 0 };
   struct tguest *g;
   uint32_t ctx;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default((enum vdrm_host_limit)i);
   o.limits.max[VDRM_HOST_LIMIT_PENDING_FENCES] = 2;
   g = ag_new(&o);
   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_PENDING_FENCES], 1);
   assert_int_equal(ag_sim(g).submits, 2);
   vdrm_sim_amdgpu_advance(g->sim, 10000);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   tg_free(g);
}

/*
 * DEV_INFO's answer has one layout on every ABI, the LP64 one of
 * amdgpu_info_device: 440 bytes, with the 4-byte gap after the 32-bit
 * pa_sc_tile_steering_override (offset 352) and tcc_disabled_mask at 360.
 * The deployed protocol leaves the payload in the host kernel's layout,
 * which an i386 guest reads 4 bytes early from tcc_disabled_mask on.
 */
static void
upstream_defect_amdgpu_info_device(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = sizeof(struct amdgpu_info_device), .query = KAMDGPU_INFO_DEV_INFO };
   uint8_t bytes[sizeof(struct amdgpu_info_device)];
   struct amdgpu_info_device wire;
   uint64_t clock;
   uint32_t gap;

   assert_int_equal(sizeof(struct amdgpu_info_device), 440);
   assert_int_equal(ag_info(g, &q, bytes, sizeof(bytes)), 0);
   memcpy(&wire, bytes, sizeof(wire));
   assert_int_equal(wire.device_id, 0x73bf);
   assert_int_equal(wire.pa_sc_tile_steering_override, 0);
   assert_int_equal(wire.tcc_disabled_mask, 0);
   /* The field after the gap is where LP64 puts it, not where i386 would (364). */
   memcpy(&clock, bytes + 368, sizeof(clock));
   assert_int_equal(clock, 500000);
   assert_int_equal(wire.min_engine_clock, 500000);
   memcpy(&gap, bytes + 356, sizeof(gap));
   assert_int_equal(gap, 0);
}

/* pad: must be zero; the deployed host ignores it. */
static void
upstream_defect_amdgpu_ccmd_cs_submit_req_pad(void **state)
{
   struct tguest *g = TG(state);
   struct ag_cs cs = { .n = 0 };
   uint32_t ctx;

   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   poison(g, 0, 8);
   ag_submit(g, ctx, RING_GFX, &cs, 1, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_SUBMIT", "pad", "VDRM_E_NONZERO", NULL));
   assert_true(untouched(g, 0, 8));
   assert_int_equal(ag_sim(g).submits, 0);
   assert_int_equal(async_error(g), 1);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).submits, 1);
}

/* ---- SET_METADATA, BO_QUERY_INFO ---- */

static void
metadata_roundtrip(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, 65536, KAMDGPU_GEM_DOMAIN_VRAM, KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED, NULL);
   uint32_t md[64];
   struct amdgpu_ccmd_bo_query_info_rsp info;

   for (uint32_t i = 0; i < 64; i++)
      md[i] = 0x1000 + i;
   ag_set_metadata(g, res, 0x1234, md, 40, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(rsp_hdr(g, 0).ret, 0);
   info = ag_bo_query(g, res);
   assert_int_equal(info.hdr.ret, 0);
   assert_int_equal(info.info.alloc_size, 65536);
   assert_int_equal(info.info.preferred_heap, KAMDGPU_GEM_DOMAIN_VRAM);
   assert_int_equal(info.info.alloc_flags, KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED);
   assert_int_equal(info.info.metadata.flags, 1);
   assert_int_equal(info.info.metadata.tiling_info, 0x1234);
   assert_int_equal(info.info.metadata.size_metadata, 40);
   assert_memory_equal(info.info.metadata.umd_metadata, md, 40);
   assert_int_equal(info.info.metadata.umd_metadata[10], 0);
   /* The whole 256 bytes; then less again clears the rest. */
   ag_set_metadata(g, res, 0, md, 256, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_memory_equal(ag_bo_query(g, res).info.metadata.umd_metadata, md, 256);
   ag_set_metadata(g, res, 0, md, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   info = ag_bo_query(g, res);
   assert_int_equal(info.info.metadata.size_metadata, 0);
   assert_int_equal(info.info.metadata.umd_metadata[0], 0);
}

static void
metadata_failures(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint32_t md[80] = { 0 };
   struct amdgpu_ccmd_bo_query_info_rsp info;

   ag_set_metadata(g, 31337, 0, md, 8, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SET_METADATA", "res_id", NULL));
   ag_set_metadata(g, res, 0, md, 264, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SET_METADATA", "size_metadata", NULL));
   /* BO_QUERY_INFO answers an unknown res_id with -EINVAL and zeros. */
   info = ag_bo_query(g, 31337);
   assert_int_equal(info.hdr.ret, -EINVAL);
   assert_int_equal(info.info.alloc_size, 0);
   info = ag_bo_query(g, g->shmem_res);
   assert_int_equal(info.hdr.ret, -EINVAL);
   assert_int_equal(async_error(g), 2);
}

/* size_metadata: whole dwords only (the deployed host takes any byte count). */
static void
upstream_defect_amdgpu_ccmd_set_metadata_req_check_size_metadata(void **state)
{
   struct tguest *g = TG(state);
   uint32_t res = ag_bo(g, 1, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0, NULL);
   uint32_t md[4] = { 1, 2, 3, 4 };
   const uint32_t sizes[] = { 1, 6, 13 };
   uint64_t before = ag_sim(g).ioctls - ag_sim(g).infos;   /* the heap refresh after each batch aside */

   for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
      struct amdgpu_ccmd_set_metadata_req req = { .hdr = tg_hdr(g, 0), .res_id = res, .size_metadata = sizes[i] };
      uint8_t msg[64] = { 0 };

      /* Built by hand around the encoder's padding: 40 + size rounded to 8. */
      req.hdr.cmd = AMDGPU_CCMD_SET_METADATA;
      req.hdr.len = (uint32_t)(40 + ((sizes[i] + 7) & ~7u));
      memcpy(msg, &req, sizeof(req));
      memcpy(msg + 40, md, sizes[i]);
      tg_raw(g, msg, req.hdr.len);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "SET_METADATA", "size_metadata", "VDRM_E_ALIGN", NULL));
   }
   assert_int_equal(ag_sim(g).ioctls - ag_sim(g).infos, before);
   assert_int_equal(ag_bo_query(g, res).info.metadata.size_metadata, 0);
   assert_int_equal(async_error(g), 3);
}

/* ---- CREATE_CTX ---- */

static void
create_ctx_lifecycle(void **state)
{
   struct tguest *g = TG(state);
   uint32_t a = ag_ctx(g), b = ag_ctx(g);
   struct amdgpu_ccmd_create_ctx_rsp rsp;
   struct vdrm_error err;
   struct vdrm_host_stats hs;

   assert_int_not_equal(a, b);
   assert_int_equal(ag_sim(g).contexts, 2);
   assert_int_equal(vdrm_host_get_stats(g->client, &hs), VDRM_HOST_OK);
   assert_int_equal(hs.queues, 2);
   ag_create_ctx(g, 0, a, AMDGPU_CCMD_CREATE_CTX_DESTROY, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_create_ctx_rsp_decode(g->rsp, g->rsp_size, &rsp, &err), VDRM_OK);
   assert_int_equal(rsp.hdr.ret, 0);
   assert_int_equal(ag_sim(g).contexts, 1);
   /* Freeing an unknown (or the same) id answers 0 and never reaches the kernel. */
   ag_create_ctx(g, 0, a, AMDGPU_CCMD_CREATE_CTX_DESTROY, 0);
   ag_create_ctx(g, 0, 12345, AMDGPU_CCMD_CREATE_CTX_DESTROY, 16);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(rsp_hdr(g, 0).ret, 0);
   assert_int_equal(rsp_hdr(g, 16).ret, 0);
   assert_int_equal(ag_sim(g).ctx_ops[KAMDGPU_CTX_OP_FREE_CTX], 1);
   assert_int_equal(ag_sim(g).contexts, 1);
   /* Undefined flag bits: the decoder's. */
   ag_create_ctx(g, 0, 0, 2, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CREATE_CTX", "flags", NULL));
}

static void
create_ctx_priority(void **state)
{
   struct tguest *g = TG(state);
   struct tguest *p;
   uint32_t id = 99;

   /* Above NORMAL needs a privileged host process; out of range is -EINVAL. */
   assert_int_equal(ag_ctx_new(g, KAMDGPU_CTX_PRIORITY_HIGH, &id), -EACCES);
   assert_int_equal(id, 0);
   assert_int_equal(ag_ctx_new(g, 2000, &id), -EINVAL);
   assert_int_equal(ag_ctx_new(g, KAMDGPU_CTX_PRIORITY_VERY_LOW, &id), 0);
   assert_int_not_equal(id, 0);
   assert_int_equal(ag_sim(g).contexts, 1);
   (void)state;
   p = ag_new(&(struct ag_opts){ .privileged = true });
   assert_int_equal(ag_ctx_new(p, KAMDGPU_CTX_PRIORITY_VERY_HIGH, &id), 0);
   tg_free(p);
}

static void
create_ctx_limit(void **state)
{
   struct ag_opts o = { .set_limits = true };
   struct tguest *g;
   uint32_t id;

   (void)state;
   for (int i = 0; i < VDRM_HOST_LIMIT_COUNT; i++)
      o.limits.max[i] = vdrm_host_limit_default((enum vdrm_host_limit)i);
   o.limits.max[VDRM_HOST_LIMIT_QUEUES] = 1;
   g = ag_new(&o);
   assert_int_equal(ag_ctx_new(g, 0, &id), 0);
   ag_create_ctx(g, 0, 0, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_stats(g).limit_hits[VDRM_HOST_LIMIT_QUEUES], 1);
   assert_int_equal(ag_sim(g).contexts, 1);
   /* Destroying one makes room. */
   ag_create_ctx(g, 0, id, AMDGPU_CCMD_CREATE_CTX_DESTROY, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_ctx_new(g, 0, &id), 0);
   tg_free(g);
}

/* A context destroyed while its work runs: the work completes, its fence signals. */
static void
create_ctx_destroy_while_busy(void **state)
{
   struct tguest *g = TG(state);
   struct ag_cs cs = { .n = 0 };
   uint32_t ctx;

   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   ag_create_ctx(g, 0, ctx, AMDGPU_CCMD_CREATE_CTX_DESTROY, 8);
   assert_int_equal(tg_flush_fence(g, RING_GFX, 3), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).contexts, 0);
   assert_int_equal(ag_sim(g).pending, 1);
   vdrm_sim_amdgpu_advance(g->sim, 1000);
   assert_int_equal(vdrm_host_fence_wait(g->client, RING_GFX, 3, 0), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).pending, 0);
}

/* ---- RESERVE_VMID ---- */

static void
reserve_vmid(void **state)
{
   struct tguest *g = TG(state);

   ag_reserve_vmid(g, 0, 0);
   ag_reserve_vmid(g, 0, 8);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(rsp_hdr(g, 0).ret, 0);
   assert_int_equal(rsp_hdr(g, 8).ret, 0);
   assert_int_equal(ag_sim(g).reserved_vmids, 1);
   ag_reserve_vmid(g, AMDGPU_CCMD_RESERVE_VMID_UNRESERVE, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).reserved_vmids, 0);
   /* Left reserved, it goes with the context (ag_free checks). */
   ag_reserve_vmid(g, 0, 0);
   ag_reserve_vmid(g, 4, 8);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "RESERVE_VMID", "flags", NULL));
   assert_int_equal(ag_sim(g).reserved_vmids, 1);
}

/* ---- SET_PSTATE ---- */

static void
set_pstate(void **state)
{
   struct tguest *g = TG(state);
   uint32_t a = ag_ctx(g), b = ag_ctx(g);
   struct amdgpu_ccmd_set_pstate_rsp r;

   r = ag_pstate_run(g, a, KAMDGPU_CTX_OP_GET_STABLE_PSTATE, 0);
   assert_int_equal(r.hdr.ret, 0);
   assert_int_equal(r.out_flags, KAMDGPU_CTX_STABLE_PSTATE_NONE);
   r = ag_pstate_run(g, a, KAMDGPU_CTX_OP_SET_STABLE_PSTATE, KAMDGPU_CTX_STABLE_PSTATE_PEAK);
   assert_int_equal(r.hdr.ret, 0);
   assert_int_equal(r.out_flags, KAMDGPU_CTX_STABLE_PSTATE_PEAK);
   assert_int_equal(ag_sim(g).pstate_owner, a);
   /* Another context cannot take it; a bad level is the kernel's -EINVAL. */
   r = ag_pstate_run(g, b, KAMDGPU_CTX_OP_SET_STABLE_PSTATE, KAMDGPU_CTX_STABLE_PSTATE_MIN_SCLK);
   assert_int_equal(r.hdr.ret, -EBUSY);
   assert_int_equal(r.out_flags, 0);
   r = ag_pstate_run(g, a, KAMDGPU_CTX_OP_SET_STABLE_PSTATE, 9);
   assert_int_equal(r.hdr.ret, -EINVAL);
   r = ag_pstate_run(g, a, KAMDGPU_CTX_OP_SET_STABLE_PSTATE, KAMDGPU_CTX_STABLE_PSTATE_NONE);
   assert_int_equal(r.hdr.ret, 0);
   assert_int_equal(ag_sim(g).pstate_owner, 0);
   /* An unknown context fails the request without a response. */
   poison(g, 0, 16);
   ag_pstate(g, 4242, KAMDGPU_CTX_OP_GET_STABLE_PSTATE, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "SET_PSTATE", "ctx_id", NULL));
   assert_true(untouched(g, 0, 16));
   /* Destroying the holder gives the power state back. */
   r = ag_pstate_run(g, b, KAMDGPU_CTX_OP_SET_STABLE_PSTATE, KAMDGPU_CTX_STABLE_PSTATE_STANDARD);
   assert_int_equal(ag_sim(g).pstate_owner, b);
   ag_create_ctx(g, 0, b, AMDGPU_CCMD_CREATE_CTX_DESTROY, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).pstate_owner, 0);
}

/* op check: only the two stable power state operations (the deployed host forwards FREE_CTX too). */
static void
upstream_defect_amdgpu_ccmd_set_pstate_req_check_op(void **state)
{
   struct tguest *g = TG(state);
   uint32_t ctx = ag_ctx(g);
   const uint32_t ops[] = { KAMDGPU_CTX_OP_ALLOC_CTX, KAMDGPU_CTX_OP_FREE_CTX, KAMDGPU_CTX_OP_QUERY_STATE,
                            KAMDGPU_CTX_OP_QUERY_STATE2, 0, 7, 0xffffffffu };
   struct ag_cs cs = { .n = 0 };

   for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
      ag_pstate(g, ctx, ops[i], 0, 0);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, "SET_PSTATE", "op", "VDRM_E_NOT_ALLOWED", NULL));
   }
   /* The kernel saw no context operation but the creation; the context still works. */
   assert_int_equal(ag_sim(g).ctx_ops[KAMDGPU_CTX_OP_FREE_CTX], 0);
   assert_int_equal(ag_sim(g).ctx_ops[KAMDGPU_CTX_OP_ALLOC_CTX], 1);
   assert_int_equal(ag_sim(g).contexts, 1);
   ag_ib_bo(g, 1);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(ag_sim(g).submits, 1);
   assert_int_equal(async_error(g), 7);
}

/* ---- CS_QUERY_FENCE_STATUS ---- */

/* The deployed host waits the guest's timeout in its command thread; this one polls. */
static void
fence_status_never_blocks(void **state)
{
   struct tguest *g = ag_new(&(struct ag_opts){ .real_clock = true, .submit_ns = 5000000000ull });
   struct ag_cs cs = { .n = 0 };
   struct amdgpu_ccmd_cs_query_fence_status_rsp st;
   uint64_t t0;
   uint32_t ctx;

   (void)state;
   ag_ib_bo(g, 1);
   ctx = ag_ctx(g);
   cs_ib(&cs, KAMDGPU_HW_IP_GFX, 0, VA, 64);
   ag_submit(g, ctx, RING_GFX, &cs, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   t0 = vdrm_sim_amdgpu_now(g->sim);
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 1, UINT64_MAX);
   assert_int_equal(st.hdr.ret, 0);
   assert_int_equal(st.expired, 0);
   assert_true(vdrm_sim_amdgpu_now(g->sim) - t0 < 1000000000ull);
   assert_int_equal(ag_sim(g).wait_cs_timeout_max, 0);
   tg_free(g);
}

static void
fence_status_failures(void **state)
{
   struct tguest *g = TG(state);
   uint32_t ctx = ag_ctx(g);
   struct amdgpu_ccmd_cs_query_fence_status_rsp st;

   /* Fence 0 counts as complete; a sequence number never submitted, or a bad ring, is -EINVAL. */
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 0, 0);
   assert_int_equal(st.hdr.ret, 0);
   assert_int_equal(st.expired, 1);
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 0, 5, 0);
   assert_int_equal(st.hdr.ret, -EINVAL);
   assert_int_equal(st.expired, 0);
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_GFX, 3, 0, 0);
   assert_int_equal(st.hdr.ret, -EINVAL);
   st = ag_fence_status_run(g, ctx, KAMDGPU_HW_IP_NUM, 0, 0, 0);
   assert_int_equal(st.hdr.ret, -EINVAL);
   /* An unknown context fails the request. */
   ag_fence_status(g, ctx + 7, KAMDGPU_HW_IP_GFX, 0, 1, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_true(tg_line_has(g, "CS_QUERY_FENCE_STATUS", "ctx_id", NULL));
   assert_int_equal(async_error(g), 1);
}

/* ---- the deployed host's general defects ---- */

/*
 * A command failing after it prepared its response leaves nothing behind:
 * the next GEM_NEW (no response of its own) writes nothing anywhere, and
 * the failing command's seqno is not published.
 */
static void
no_stale_response(void **state)
{
   struct tguest *g = TG(state);
   uint32_t good, bad;

   good = ag_reserve_vmid(g, 0, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), good);
   bad = ag_pstate(g, 777, KAMDGPU_CTX_OP_GET_STABLE_PSTATE, 0, 16);
   poison(g, 0, 64);
   assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
   assert_int_equal(tg_seqno_published(g), good);
   (void)bad;
   good = ag_gem_new(g, 1, 4096, KAMDGPU_GEM_DOMAIN_GTT, 0);
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(tg_seqno_published(g), good);
   assert_true(untouched(g, 0, 64));
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(capset_from_device, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(rings_numbered_like_the_guest, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(shmem_heaps_published, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(query_dev_info, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(query_hw_ip, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(query_memory_fw_caps, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(query_not_forwarded, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(query_response_bounds, setup, tg_teardown),
      cmocka_unit_test(query_without_shmem),
      cmocka_unit_test_setup_teardown(gem_new_blob_maps_buffer, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_new_kernel_refuses, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(gem_new_host_refuses, setup, tg_teardown),
      cmocka_unit_test(gem_new_object_limit),
      cmocka_unit_test_setup_teardown(upstream_defect_amdgpu_ccmd_gem_new_req_check_blob_id, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(va_map_unmap_clear_replace, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(va_sparse, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(va_unknown_res_id, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(va_range_and_op, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_runs_and_fences, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_in_order_and_deps, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_unknown_ctx, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_ring_idx, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_translation_checks, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_second_fence_chunk, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(cs_submit_gpu_fault, setup, tg_teardown),
      cmocka_unit_test(cs_submit_pending_limit),
      cmocka_unit_test_setup_teardown(upstream_defect_amdgpu_info_device, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_amdgpu_ccmd_cs_submit_req_pad, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(metadata_roundtrip, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(metadata_failures, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_amdgpu_ccmd_set_metadata_req_check_size_metadata, setup,
                                      tg_teardown),
      cmocka_unit_test_setup_teardown(create_ctx_lifecycle, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(create_ctx_priority, setup, tg_teardown),
      cmocka_unit_test(create_ctx_limit),
      cmocka_unit_test_setup_teardown(create_ctx_destroy_while_busy, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(reserve_vmid, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(set_pstate, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(upstream_defect_amdgpu_ccmd_set_pstate_req_check_op, setup, tg_teardown),
      cmocka_unit_test(fence_status_never_blocks),
      cmocka_unit_test_setup_teardown(fence_status_failures, setup, tg_teardown),
      cmocka_unit_test_setup_teardown(no_stale_response, setup, tg_teardown),
   };

   return cmocka_run_group_tests_name("amdgpu handlers", tests, NULL, NULL);
}
