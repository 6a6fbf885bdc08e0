/* SPDX-License-Identifier: MIT */

/*
 * amdgpu over libvdrm-guest, shaped like Mesa's amdgpu virtio layer: the
 * device information and the rings of every IP type are queried once (the
 * guest numbers the fence timelines as the host does, and keeps its own GPU
 * address space), buffers are GEM_NEW travelling with their blob and mapped
 * into that space with BO_VA_OP, uploads are CPU writes through the blob's
 * mapping (the protocol has no upload command), and submissions are
 * CS_SUBMIT with an IB and a buffer-list chunk on the timeline of the IB's
 * ring, with an out-fence. Heap statistics come from the shmem; the
 * per-frame queries (QUERY_INFO) are answered in response slots read later.
 */

#include <stdlib.h>
#include <string.h>

#include <amdgpu_drm.h>

#include "amdgpu_codec.h"
#include "common.h"

/* The protocol numbers the rings of ten IP types; older amdgpu_drm.h copies stop before VPE. */
#define IP_TYPES 10u
#define PAGE 4096ull
#define MAX_BOS 16u
#define PKT3_NOP 0x10u
#define PKT3_NOP_PAD 0xffff1000u   /* a one-dword type-3 NOP */

struct amdgpu_bo {
   struct vg_bo base;
   bool va_mapped;   /* BO_VA_OP(MAP) sent */
};

struct vg_driver {
   struct vg_device *dev;
   uint32_t ctx_id;                 /* the host kernel's GPU context */
   uint32_t ring_base[IP_TYPES];    /* timeline of ring 0 of each IP type, 0 when it has none */
   uint32_t gfx_rings;              /* GFX available_rings, re-checked every frame */
   uint32_t ib_size_alignment;      /* GFX */
   uint64_t va_next;                /* bump allocator over the device's GPU address range */
   uint64_t va_end;
   uint64_t va_align;
   uint64_t vram_size;              /* usable VRAM as the shmem published it at start-up */
};
VG_DRIVER_DEVICE_FIRST;

/* QUERY_INFO of info (return_size bytes answered); the answer lands in *rsp. */
static int
query_info(struct vg_driver *drv, const struct drm_amdgpu_info *info, struct vg_rsp *rsp, const char *name)
{
   struct amdgpu_ccmd_query_info_req req = { .info = *info };
   uint64_t rsp_size = amdgpu_ccmd_query_info_rsp_host_size(&req);
   size_t len;
   void *buf;
   int st;

   req.info.return_pointer = 0;   /* a guest pointer means nothing to the host */
   if (rsp_size > UINT32_MAX)
      return vg_fail(drv->dev, name, "a %u-byte answer is too large", info->return_size);
   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)rsp_size, rsp, name) ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   if ((st = amdgpu_ccmd_query_info_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

/*
 * Reads a QUERY_INFO answer: its payload into out, zero-extended, and the
 * host kernel's status into *kret (a failed query still answers).
 */
static int
query_info_read(struct vg_driver *drv, const struct vg_rsp *rsp, void *out, size_t out_size, int *kret)
{
   uint8_t buf[512];
   struct amdgpu_ccmd_query_info_rsp r;
   struct amdgpu_ccmd_query_info_rsp_view view;
   struct vdrm_error err;
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (amdgpu_ccmd_query_info_rsp_decode(buf, len, &r, &view, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   *kret = r.hdr.ret;
   return vg_payload_copy(drv->dev, rsp->command, &view.payload, out, out_size, r.hdr.ret ? 0 : out_size);
}

/* The same, where the query must succeed. */
static int
query_info_answer(struct vg_driver *drv, const struct vg_rsp *rsp, void *out, size_t out_size)
{
   int kret;

   if (query_info_read(drv, rsp, out, out_size, &kret))
      return -1;
   if (kret)
      return vg_kernel_failed(drv->dev, rsp->command, kret);
   return 0;
}

static int
query_dev_info(struct vg_driver *drv, struct vg_rsp *rsp)
{
   struct drm_amdgpu_info q = { .query = AMDGPU_INFO_DEV_INFO, .return_size = sizeof(struct amdgpu_info_device) };

   return query_info(drv, &q, rsp, "QUERY_INFO(DEV_INFO)");
}

static int
query_hw_ip(struct vg_driver *drv, uint32_t type, struct vg_rsp *rsp)
{
   struct drm_amdgpu_info q = { .query = AMDGPU_INFO_HW_IP_INFO, .return_size = sizeof(struct amdgpu_info_hw_ip) };

   q.query_hw_ip.type = type;
   return query_info(drv, &q, rsp, "QUERY_INFO(HW_IP_INFO)");
}

/* CREATE_CTX: creation (the answer in *rsp) or, with AMDGPU_CCMD_CREATE_CTX_DESTROY, freeing id. */
static int
create_ctx(struct vg_driver *drv, uint32_t flags, uint32_t id, struct vg_rsp *rsp, const char *name)
{
   struct amdgpu_ccmd_create_ctx_req req = { .flags = flags };
   size_t len;
   void *buf;
   int st;

   if (flags & AMDGPU_CCMD_CREATE_CTX_DESTROY)
      req.id = id;
   else
      req.priority = AMDGPU_CTX_PRIORITY_NORMAL;
   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)amdgpu_ccmd_create_ctx_rsp_size(), rsp, name) ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   if ((st = amdgpu_ccmd_create_ctx_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

static int
create_ctx_answer(struct vg_driver *drv, const struct vg_rsp *rsp)
{
   struct amdgpu_ccmd_create_ctx_rsp r;
   struct vdrm_error err;
   uint8_t buf[sizeof(r)];
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (amdgpu_ccmd_create_ctx_rsp_decode(buf, len, &r, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.hdr.ret || !r.ctx_id)
      return vg_fail(drv->dev, rsp->command, "ret %d, ctx_id %u", r.hdr.ret, r.ctx_id);
   drv->ctx_id = r.ctx_id;
   return 0;
}

/* Numbers the timelines as the host does: ring 0 is the CPU's, then each type's rings in order. */
static int
number_rings(struct vg_driver *drv, const struct vg_rsp *rsps)
{
   uint32_t next = 1;

   for (uint32_t type = 0; type < IP_TYPES; type++) {
      struct amdgpu_info_hw_ip ip;
      int kret;

      if (query_info_read(drv, &rsps[type], &ip, sizeof(ip), &kret))
         return -1;
      /* A type the host kernel does not know answers -EINVAL: it has no rings. */
      if (kret && type < AMDGPU_HW_IP_NUM)
         return vg_fail(drv->dev, rsps[type].command, "IP type %u: the host kernel failed it (ret %d)", type, kret);
      if (kret)
         continue;
      if (type == AMDGPU_HW_IP_GFX) {
         drv->gfx_rings = ip.available_rings;
         drv->ib_size_alignment = ip.ib_size_alignment;
      }
      if (ip.available_rings) {
         drv->ring_base[type] = next;
         next += (uint32_t)__builtin_popcount(ip.available_rings);
      }
   }
   if (!(drv->gfx_rings & 1u))
      return vg_fail(drv->dev, "QUERY_INFO(HW_IP_INFO)", "the device has no GFX ring 0");
   if (next > 64)
      return vg_fail(drv->dev, "QUERY_INFO(HW_IP_INFO)", "%u rings, virtio-gpu has 64", next - 1);
   return 0;
}

static int
amdvg_create(struct vg_device *dev, struct vg_driver **out)
{
   const volatile struct amdvgpu_shmem *shmem = vg_shmem(dev);
   struct vg_rsp dev_rsp, ip_rsps[IP_TYPES], ctx_rsp;
   struct amdgpu_info_device di;
   struct vg_driver *drv;

   if (!(drv = vg_driver_alloc(dev, sizeof(*drv), "amdgpu")))
      return -1;
   /* Everything the device needs once, in one batch: one round trip. */
   if (query_dev_info(drv, &dev_rsp))
      goto fail;
   for (uint32_t type = 0; type < IP_TYPES; type++) {
      if (query_hw_ip(drv, type, &ip_rsps[type]))
         goto fail;
   }
   if (create_ctx(drv, 0, 0, &ctx_rsp, "CREATE_CTX") || query_info_answer(drv, &dev_rsp, &di, sizeof(di)))
      goto fail;
   /* The one dependency on the capset: where the 32-bit range lives. */
   if ((uint32_t)((di.high_va_offset ? di.high_va_offset : di.virtual_address_offset) >> 32) !=
       vg_caps(dev)->u.amdgpu.address32_hi) {
      vg_fail(dev, "QUERY_INFO(DEV_INFO)", "the 32-bit range is not at 0x%x as the capset says",
              vg_caps(dev)->u.amdgpu.address32_hi);
      goto fail;
   }
   drv->va_align = di.virtual_address_alignment > PAGE ? di.virtual_address_alignment : PAGE;
   drv->va_next = (di.virtual_address_offset + drv->va_align - 1) & ~(drv->va_align - 1);
   drv->va_end = di.virtual_address_max;
   if (drv->va_next < di.virtual_address_offset || drv->va_next >= drv->va_end) {
      vg_fail(dev, "QUERY_INFO(DEV_INFO)", "GPU address range 0x%llx..0x%llx is not usable",
              (unsigned long long)di.virtual_address_offset, (unsigned long long)di.virtual_address_max);
      goto fail;
   }
   if (number_rings(drv, ip_rsps) || create_ctx_answer(drv, &ctx_rsp))
      goto fail;
   drv->vram_size = shmem->vram.heap_size;
   *out = drv;
   return 0;
fail:
   free(drv);
   return -1;
}

static void
amdvg_destroy(struct vg_driver *drv)
{
   struct vg_rsp rsp;

   if (!drv)
      return;
   /* Freed without waiting for the answer: nothing follows that needs it. */
   create_ctx(drv, AMDGPU_CCMD_CREATE_CTX_DESTROY, drv->ctx_id, &rsp, "CREATE_CTX(DESTROY)");
   vg_driver_destroy(drv);
}

static struct vg_bo *
amdvg_bo_new(struct vg_driver *drv, uint64_t size)
{
   struct amdgpu_ccmd_gem_new_req req;
   uint8_t buf[sizeof(req)];
   struct amdgpu_bo *bo;
   uint64_t va;
   size_t len;
   int st;

   if (vg_va_fit(drv->dev, drv->va_next, drv->va_end, &size, drv->va_align, "GEM_NEW") ||
       !(bo = vg_bo_alloc(drv->dev, sizeof(*bo), "GEM_NEW")))
      return NULL;
   va = drv->va_next;
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_NEW"))
      goto fail;
   req.blob_id = vg_blob_id_next(drv->dev);
   req.r.alloc_size = size;
   req.r.phys_alignment = PAGE;
   req.r.preferred_heap = AMDGPU_GEM_DOMAIN_GTT;
   req.r.__pad = 0;
   req.r.flags = AMDGPU_GEM_CREATE_CPU_GTT_USWC;
   if ((st = amdgpu_ccmd_gem_new_req_encode(buf, sizeof(buf), &req, &len))) {
      vg_encode_failed(drv->dev, "GEM_NEW", st);
      goto fail;
   }
   /* The GEM_NEW travels with the blob; neither waits for the host. */
   bo->base.blob = vg_blob_create(drv->dev, size, VG_BLOB_MAPPABLE, (uint32_t)req.blob_id, buf, len, "GEM_NEW");
   if (!bo->base.blob)
      goto fail;
   bo->base.size = size;
   bo->base.iova = va;
   drv->va_next += size;
   return &bo->base;
fail:
   free(bo);
   return NULL;
}

/* BO_VA_OP of the whole buffer at its address; the answer is not read (async_error reports failures). */
static int
va_op(struct vg_driver *drv, struct vg_bo *bo, uint32_t op, const char *name)
{
   struct amdgpu_ccmd_bo_va_op_req req;
   struct vg_rsp rsp;   /* the host always answers: a slot of its own, never read */
   size_t len;
   void *buf;
   int st;

   if (!vg_bo_res_id(drv->dev, bo) ||
       vg_req_begin(drv->dev, &req.hdr, (uint32_t)amdgpu_ccmd_rsp_size(), &rsp, name) ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   req.va = bo->iova;
   req.vm_map_size = bo->size;
   req.flags = AMDGPU_VM_PAGE_READABLE | AMDGPU_VM_PAGE_WRITEABLE | AMDGPU_VM_PAGE_EXECUTABLE;
   req.flags2 = 0;
   req.offset = 0;
   req.res_id = bo->id;
   req.op = op;
   if ((st = amdgpu_ccmd_bo_va_op_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

/* Maps the buffer into the GPU address space before its first use (its res_id is needed). */
static int
va_map(struct vg_driver *drv, struct vg_bo *bo)
{
   struct amdgpu_bo *abo = (struct amdgpu_bo *)bo;

   if (abo->va_mapped)
      return 0;
   if (va_op(drv, bo, AMDGPU_VA_OP_MAP, "BO_VA_OP(MAP)"))
      return -1;
   abo->va_mapped = true;
   return 0;
}

/* The address range is released before the buffer. */
static void
amdvg_bo_free(struct vg_driver *drv, struct vg_bo *bo)
{
   if (bo && ((struct amdgpu_bo *)bo)->va_mapped)
      va_op(drv, bo, AMDGPU_VA_OP_UNMAP, "BO_VA_OP(UNMAP)");
   vg_bo_free(drv, bo);
}

static uint32_t
pkt3(uint32_t opcode, uint32_t body_dwords)
{
   return (3u << 30) | ((body_dwords - 1u) & 0x3fffu) << 16 | (opcode & 0xffu) << 8;
}

/* A PKT3 NOP carrying a marker, padded to the GFX ring's IB size alignment. */
static uint32_t
amdvg_emit_cmds(struct vg_driver *drv, void *map, uint32_t cap, uint32_t frame)
{
   uint32_t words[64] = { pkt3(PKT3_NOP, 2), 0x76646d67u /* "vdmg" */, frame };
   uint32_t align = drv->ib_size_alignment / 4u;
   uint32_t n = 3;

   if (align > sizeof(words) / sizeof(words[0]))
      return 0;
   while (align > 1 && n % align)
      words[n++] = PKT3_NOP_PAD;
   if (cap < n * 4u)
      return 0;
   memcpy(map, words, n * 4u);
   return n * 4u;
}

/* A chunk of a CS_SUBMIT: its descriptor, its data 8-aligned after the previous ones. */
static void
add_chunk(struct amdgpu_ccmd_cs_submit_chunk *descs, uint32_t *ndescs, uint8_t *chunks, uint32_t *size,
          uint16_t id, const void *data, uint32_t bytes)
{
   descs[*ndescs] = (struct amdgpu_ccmd_cs_submit_chunk){ .chunk_id = id, .length_dw = (uint16_t)(bytes / 4u),
                                                         .offset = *size };
   (*ndescs)++;
   memcpy(chunks + *size, data, bytes);
   *size += (bytes + 7u) & ~7u;
}

static int
amdvg_submit(struct vg_driver *drv, struct vg_bo *cmd, uint32_t cmd_size, struct vg_bo *const *bos,
              uint32_t nbos, struct vg_fence *fence)
{
   struct drm_amdgpu_cs_chunk_ib ib = { .ip_type = AMDGPU_HW_IP_GFX, .ring = 0, .va_start = cmd->iova,
                                        .ib_bytes = cmd_size };
   struct drm_amdgpu_bo_list_entry list[MAX_BOS];
   struct amdgpu_ccmd_cs_submit_chunk descs[2];
   struct vg_blob *blobs[MAX_BOS];
   uint8_t chunks[sizeof(ib) + sizeof(list) + 16];
   struct amdgpu_ccmd_cs_submit_req req;
   uint8_t buf[sizeof(req) + sizeof(descs) + sizeof(chunks)];
   uint32_t ndescs = 0, chunks_size = 0, n = 0;
   struct vg_rsp rsp;   /* the host answers every submission: a slot, never read */
   size_t len;
   int st;

   if (nbos >= MAX_BOS)
      return vg_fail(drv->dev, "CS_SUBMIT", "%u buffers, at most %u here", nbos, MAX_BOS - 1);
   /* Every buffer is in the list, the IB's too; each is mapped before the submission runs. */
   for (uint32_t i = 0; i <= nbos; i++) {
      struct vg_bo *bo = i < nbos ? bos[i] : cmd;

      if (bo == cmd && i < nbos)
         continue;
      if (va_map(drv, bo))
         return -1;
      list[n] = (struct drm_amdgpu_bo_list_entry){ .bo_handle = bo->id, .bo_priority = 0 };
      blobs[n++] = bo->blob;
   }
   add_chunk(descs, &ndescs, chunks, &chunks_size, AMDGPU_CHUNK_ID_IB, &ib, sizeof(ib));
   add_chunk(descs, &ndescs, chunks, &chunks_size, AMDGPU_CHUNK_ID_BO_HANDLES, list, n * (uint32_t)sizeof(list[0]));
   /* A refusal is reported through async_error. */
   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)amdgpu_ccmd_rsp_size(), &rsp, "CS_SUBMIT"))
      return -1;
   req.ctx_id = drv->ctx_id;
   req.num_chunks = ndescs;
   req.pad = 0;
   req.ring_idx = drv->ring_base[AMDGPU_HW_IP_GFX] + ib.ring;
   if ((st = amdgpu_ccmd_cs_submit_req_encode(buf, sizeof(buf), &req, descs, chunks, chunks_size, &len)))
      return vg_encode_failed(drv->dev, "CS_SUBMIT", st);
   return vg_execbuf(drv->dev, &(struct vg_execbuf){
                        .ccmd = buf,
                        .len = len,
                        .command = "CS_SUBMIT",
                        .ring_idx = req.ring_idx,
                        .blobs = blobs,
                        .num_blobs = n,
                     }, fence);
}

/* The queries a frame repeats, each checked against what the device said before. */
enum { Q_DEV_INFO, Q_GFX_IP, Q_MEMORY, Q_COUNT };

static int
amdvg_query_begin(struct vg_driver *drv, uint32_t index, struct vg_query *q)
{
   struct drm_amdgpu_info m = { .query = AMDGPU_INFO_MEMORY, .return_size = sizeof(struct drm_amdgpu_memory_info) };

   q->index = index;
   switch (index) {
   case Q_DEV_INFO:
      q->name = "QUERY_INFO(DEV_INFO)";
      return query_dev_info(drv, &q->rsp);
   case Q_GFX_IP:
      q->name = "QUERY_INFO(HW_IP_INFO GFX)";
      return query_hw_ip(drv, AMDGPU_HW_IP_GFX, &q->rsp);
   case Q_MEMORY:
      q->name = "QUERY_INFO(MEMORY)";
      return query_info(drv, &m, &q->rsp, q->name);
   default:
      return vg_fail(drv->dev, "query", "amdgpu has no query %u", index);
   }
}

static int
amdvg_query_end(struct vg_driver *drv, struct vg_query *q)
{
   const struct virgl_renderer_capset_drm *caps = vg_caps(drv->dev);
   struct amdgpu_info_device di;
   struct amdgpu_info_hw_ip ip;
   struct drm_amdgpu_memory_info m;
   uint32_t hi;

   switch (q->index) {
   case Q_DEV_INFO:
      if (query_info_answer(drv, &q->rsp, &di, sizeof(di)))
         return -1;
      hi = (uint32_t)((di.high_va_offset ? di.high_va_offset : di.virtual_address_offset) >> 32);
      q->value = hi;
      if (hi != caps->u.amdgpu.address32_hi)
         return vg_fail(drv->dev, q->name, "the 32-bit range moved to 0x%x, the capset says 0x%x", hi,
                        caps->u.amdgpu.address32_hi);
      return 0;
   case Q_GFX_IP:
      if (query_info_answer(drv, &q->rsp, &ip, sizeof(ip)))
         return -1;
      q->value = ip.available_rings;
      if (ip.available_rings != drv->gfx_rings)
         return vg_fail(drv->dev, q->name, "available_rings 0x%x, 0x%x at start-up", ip.available_rings,
                        drv->gfx_rings);
      return 0;
   case Q_MEMORY:
      if (query_info_answer(drv, &q->rsp, &m, sizeof(m)))
         return -1;
      q->value = m.vram.total_heap_size;
      /* The shmem's heap is the usable part (pinned and reserved memory taken off). */
      if (drv->vram_size > m.vram.total_heap_size)
         return vg_fail(drv->dev, q->name, "VRAM of %llu bytes, the shmem says %llu usable",
                        (unsigned long long)m.vram.total_heap_size, (unsigned long long)drv->vram_size);
      return 0;
   default:
      return vg_fail(drv->dev, "query", "amdgpu has no query %u", q->index);
   }
}

const struct vg_driver_ops vg_amdgpu_driver = {
   .name = "amdgpu",
   .options = {
      .context_type = VIRTGPU_DRM_CONTEXT_AMDGPU,
      .shmem_min = sizeof(struct amdvgpu_shmem),
      .async_error_offset = offsetof(struct amdvgpu_shmem, async_error),
   },
   .create = amdvg_create,
   .destroy = amdvg_destroy,
   .bo_new = amdvg_bo_new,
   .bo_map = vg_bo_map,
   .bo_upload = vg_bo_upload_mapped,   /* no upload command in this protocol: as RADV writes memory */
   .bo_free = amdvg_bo_free,
   .emit_cmds = amdvg_emit_cmds,
   .submit = amdvg_submit,
   .wait = vg_driver_wait,
   .nqueries = Q_COUNT,
   .query_begin = amdvg_query_begin,
   .query_end = amdvg_query_end,
};
