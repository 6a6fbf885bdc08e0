/* SPDX-License-Identifier: MIT */

/*
 * The amdgpu handlers: every AMDGPU_CCMD_*, called by amdgpu_dispatch()
 * with the decoded request (fixed part zero-extended, ignored fields
 * cleared, chunk table and chunks checked against hdr.len). Each checks
 * what the kernel cannot: res_ids and kernel context ids are the guest's
 * own and known, offsets and lengths lie inside their buffers, ring_idx
 * names a timeline of this context and the one its last IB runs on, only
 * the queries and context operations a guest needs reach the kernel, and a
 * wait never blocks the host. Everything else is the kernel's to refuse.
 *
 * The deployed host's general defects cannot happen here by construction:
 * a response is built in the shadow buffer and copied to the region only
 * when the command succeeds (vh_rsp_commit), every rsp_off is bounded by
 * vh_rsp_begin, and a rejected request publishes no seqno but is logged
 * and counted in async_error.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "amdgpu_codec.h"
#include "amdgpu_kernel.h"
#include "context.h"

/* The protocol has no version; the deployed host leaves it 0. */
#define AMDGPU_WIRE_FORMAT_VERSION 0u
/* virtio-gpu's ring_idx is below 64. */
#define AMDGPU_MAX_RINGS 64u

struct amdgpu_timeline {
   uint32_t ip_type;
   uint32_t ring;
};

struct amdgpu_state {
   struct vh_idmap ctxs;     /* kernel ctx id -> (void *)1: the contexts this guest created */
   uint32_t ntimelines;      /* GPU timelines: ring_idx 1 .. ntimelines */
   struct amdgpu_timeline timeline[AMDGPU_MAX_RINGS];
};

static struct amdgpu_state *
state(struct vh_context *ctx)
{
   return ctx->type_data;
}

static const struct vdrm_backend_amdgpu_ops *
kernel(struct vh_context *ctx)
{
   return vh_backend(ctx)->amdgpu;
}

static const char *
errname(int ret)
{
   const char *n = strerrorname_np(-ret);

   return n ? n : "unknown errno";
}

static int
kernel_failed(struct vh_context *ctx, const char *command, const char *field, const char *ioctl, int ret)
{
   return vh_reject(ctx, VDRM_E_HANDLER, command, field, "%s failed: %d (%s)", ioctl, ret, errname(ret));
}

/* A failure the guest learns of from async_error while the batch goes on (BO_VA_OP). */
static void
count_async_error(struct vh_context *ctx)
{
   vh_shmem_increment(&ctx->shmem, ctx->type->async_error_offset);
   ctx->stats.async_errors++;
}

static struct vh_object *
lookup_res(struct vh_context *ctx, uint32_t res_id, const char *command, const char *field)
{
   struct vh_object *obj = vh_object_lookup(ctx, res_id);

   if (!obj)
      vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, field, "%u is not a buffer resource of this context",
                res_id);
   return obj;
}

static bool
ctx_known(struct vh_context *ctx, uint32_t id)
{
   return id != 0 && vh_idmap_get(&state(ctx)->ctxs, id) != NULL;
}

static int
lookup_ctx(struct vh_context *ctx, uint32_t id, const char *command, const char *field)
{
   if (!ctx_known(ctx, id))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, command, field, "%u is not a GPU context of this context", id);
   return 0;
}

static int
commit_rsp(struct vh_context *ctx, const char *command, int status, size_t len)
{
   if (status)
      return vh_reject(ctx, VDRM_E_HANDLER, command, "", "response does not encode");
   vh_rsp_commit(ctx, (uint32_t)len);
   return 0;
}

/* ---- QUERY_INFO ---- */

/*
 * The queries Mesa's radeonsi and radv ask for. Not forwarded: register
 * reads, the video BIOS, sensors, GPU VM fault addresses, display, UVD/VCE
 * tables and device-wide eviction counters (answered -EINVAL like an
 * unknown query, so the guest carries on).
 */
static bool
query_allowed(uint32_t query)
{
   switch (query) {
   case KAMDGPU_INFO_ACCEL_WORKING:
   case KAMDGPU_INFO_HW_IP_INFO:
   case KAMDGPU_INFO_HW_IP_COUNT:
   case KAMDGPU_INFO_TIMESTAMP:
   case KAMDGPU_INFO_FW_VERSION:
   case KAMDGPU_INFO_VRAM_USAGE:
   case KAMDGPU_INFO_GTT_USAGE:
   case KAMDGPU_INFO_VIS_VRAM_USAGE:
   case KAMDGPU_INFO_GDS_CONFIG:
   case KAMDGPU_INFO_VRAM_GTT:
   case KAMDGPU_INFO_DEV_INFO:
   case KAMDGPU_INFO_MEMORY:
   case KAMDGPU_INFO_VRAM_LOST_COUNTER:
   case KAMDGPU_INFO_VIDEO_CAPS:
   case KAMDGPU_INFO_MAX_IBS:
      return true;
   default:
      return false;
   }
}

static int
h_query_info(void *c, const struct amdgpu_ccmd_query_info_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = amdgpu_ccmd_query_info_rsp_host_size(req);
   struct amdgpu_ccmd_query_info_rsp rsp = { .hdr = { .base = { 0 } } };
   struct drm_amdgpu_info q;
   void *shadow, *data;
   size_t len;
   int ret;

   /* 8 + return_size bytes must fit the region and the shadow (UINT64_MAX never does). */
   if (vh_rsp_begin(ctx, size, "QUERY_INFO", &shadow))
      return -1;
   data = vh_scratch(ctx, req->info.return_size);
   if (!data)
      return vh_reject(ctx, VDRM_E_HANDLER, "QUERY_INFO", "", "out of memory");
   memset(data, 0, req->info.return_size);
   /* The guest's pointer is never used; only the union member of the query goes on. */
   memset(&q, 0, sizeof(q));
   q.return_size = req->info.return_size;
   q.query = req->info.query;
   switch (q.query) {
   case KAMDGPU_INFO_HW_IP_INFO:
   case KAMDGPU_INFO_HW_IP_COUNT:
      q.query_hw_ip = req->info.query_hw_ip;
      break;
   case KAMDGPU_INFO_FW_VERSION:
      q.query_fw = req->info.query_fw;
      q.query_fw._pad = 0;
      break;
   case KAMDGPU_INFO_VIDEO_CAPS:
      q.video_cap.type = req->info.video_cap.type;
      break;
   default:
      break;
   }
   if (!query_allowed(q.query))
      ret = -EINVAL;
   else
      ret = kernel(ctx)->info(vh_file(ctx), &q, data);
   rsp.hdr.ret = ret;
   if (ret)
      memset(data, 0, req->info.return_size);   /* all zeros when the query failed */
   ret = amdgpu_ccmd_query_info_rsp_encode(shadow, (size_t)size, &rsp, data, req->info.return_size, &len);
   return commit_rsp(ctx, "QUERY_INFO", ret, len);
}

/* ---- GEM_NEW ---- */

static int
h_gem_new(void *c, const struct amdgpu_ccmd_gem_new_req *req)
{
   struct vh_context *ctx = c;
   const uint64_t page = 4096;
   uint64_t charged = req->r.alloc_size > UINT64_MAX - (page - 1) ? UINT64_MAX :
                      (req->r.alloc_size + page - 1) & ~(page - 1);
   struct kamdgpu_gem_create_in in;
   uint32_t blob_id = (uint32_t)req->blob_id;   /* the decoder bounds it to 32 bits */
   uint32_t handle;
   int ret;

   if (vh_limit(ctx, VDRM_HOST_LIMIT_OBJECTS, ctx->objects, 1, "GEM_NEW", "blob_id") ||
       vh_limit(ctx, VDRM_HOST_LIMIT_BUFFER_BYTES, ctx->buffer_bytes, charged, "GEM_NEW", "r.alloc_size"))
      return -1;
   if (vh_blob_id_pending(ctx, blob_id))
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_NEW", "blob_id",
                       "%u already names a buffer that awaits its blob", blob_id);
   /* Every buffer becomes a blob resource, and a per-VM buffer cannot be exported. */
   if (req->r.flags & KAMDGPU_GEM_CREATE_VM_ALWAYS_VALID)
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "GEM_NEW", "r.flags",
                       "AMDGPU_GEM_CREATE_VM_ALWAYS_VALID buffers cannot be blob resources");
   in = (struct kamdgpu_gem_create_in){
      .bo_size = req->r.alloc_size,
      .alignment = req->r.phys_alignment,
      .domains = req->r.preferred_heap,
      .domain_flags = req->r.flags,
   };
   ret = kernel(ctx)->gem_create(vh_file(ctx), &in, &handle);
   if (ret)
      return kernel_failed(ctx, "GEM_NEW", "r", "DRM_AMDGPU_GEM_CREATE", ret);
   if (vh_object_create(ctx, handle, charged, blob_id)) {
      vh_backend(ctx)->gem_close(vh_file(ctx), handle);
      return vh_reject(ctx, VDRM_E_HANDLER, "GEM_NEW", "", "out of memory");
   }
   return 0;
}

/* ---- BO_VA_OP ---- */

static int
h_bo_va_op(void *c, const struct amdgpu_ccmd_bo_va_op_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = amdgpu_ccmd_rsp_host_size(req);
   struct amdgpu_ccmd_rsp rsp = { .base = { 0 } };
   struct kamdgpu_gem_va va;
   struct vh_object *obj = NULL;
   void *shadow;
   size_t len;
   int ret;

   if (vh_rsp_begin(ctx, size, "BO_VA_OP", &shadow))
      return -1;
   /* A buffer must exist; a sparse range names none (the kernel then wants PRT). */
   if (!(req->flags2 & AMDGPU_CCMD_BO_VA_OP_SPARSE_BO)) {
      obj = lookup_res(ctx, req->res_id, "BO_VA_OP", "res_id");
      if (!obj)
         return -1;
      if ((req->op == KAMDGPU_VA_OP_MAP || req->op == KAMDGPU_VA_OP_REPLACE) &&
          (req->offset > obj->size || req->vm_map_size > obj->size - req->offset))
         return vh_reject(ctx, VDRM_E_LIMIT, "BO_VA_OP", "vm_map_size",
                          "%llu bytes at offset %llu run past the %llu-byte buffer",
                          (unsigned long long)req->vm_map_size, (unsigned long long)req->offset,
                          (unsigned long long)obj->size);
   }
   va = (struct kamdgpu_gem_va){
      .handle = obj ? obj->handle : 0,
      .operation = req->op,
      .flags = (uint32_t)req->flags,
      .va_address = req->va,
      .offset_in_bo = req->offset,
      .map_size = req->vm_map_size,
   };
   /* libdrm refuses unknown ops, and the kernel's flags are 32 bits. */
   if (req->op < KAMDGPU_VA_OP_MAP || req->op > KAMDGPU_VA_OP_REPLACE || req->flags > UINT32_MAX)
      ret = -EINVAL;
   else
      ret = kernel(ctx)->gem_va(vh_file(ctx), &va);
   rsp.ret = ret;
   if (ret)
      count_async_error(ctx);
   ret = amdgpu_ccmd_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "BO_VA_OP", ret, len);
}

/* ---- CS_SUBMIT ---- */

static uint32_t
timeline_of(struct vh_context *ctx, uint32_t ip_type, uint32_t ip_instance, uint32_t ring)
{
   const struct amdgpu_state *st = state(ctx);

   if (ip_instance != 0)
      return 0;
   for (uint32_t i = 0; i < st->ntimelines; i++) {
      if (st->timeline[i].ip_type == ip_type && st->timeline[i].ring == ring)
         return i + 1;
   }
   return 0;
}

static int
h_cs_submit(void *c, const struct amdgpu_ccmd_cs_submit_req *req, const struct amdgpu_ccmd_cs_submit_req_view *view)
{
   struct vh_context *ctx = c;
   uint64_t size = sizeof(struct amdgpu_ccmd_rsp);
   struct amdgpu_ccmd_rsp rsp = { .base = { 0 } };
   struct vdrm_backend_amdgpu_cs cs = { .ctx_id = req->ctx_id };
   struct drm_amdgpu_cs_chunk_ib *ibs;
   struct drm_amdgpu_cs_chunk_dep *deps;
   struct drm_amdgpu_bo_list_entry *bos;
   struct vdrm_backend_fence *fence;
   uint32_t nr_ibs = 0, nr_deps = 0, nr_bos = 0, fences = 0, ring;
   size_t ibs_bytes = 0, deps_bytes = 0, bos_bytes = 0;
   uint8_t *scratch;
   uint64_t seq;
   void *shadow;
   size_t len;
   int ret;

   if (vh_rsp_begin(ctx, size, "CS_SUBMIT", &shadow))
      return -1;
   if (lookup_ctx(ctx, req->ctx_id, "CS_SUBMIT", "ctx_id"))
      return -1;
   if (req->ring_idx >= ctx->rings.count)
      return vh_reject(ctx, VDRM_E_LIMIT, "CS_SUBMIT", "ring_idx", "ring %u does not exist (the context has %u)",
                       req->ring_idx, ctx->rings.count);
   /* Sizes first: every array comes out of the batch, so max_message_size bounds them. */
   for (uint32_t i = 0; i < view->descs.count; i++) {
      struct amdgpu_ccmd_cs_submit_chunk d;
      struct vdrm_span s;

      amdgpu_ccmd_cs_submit_req_descs_get(view, i, &d);
      s = amdgpu_ccmd_cs_submit_req_chunks_at(view, &d);
      switch (d.chunk_id) {
      case KAMDGPU_CHUNK_ID_IB:
         nr_ibs++;
         break;
      case KAMDGPU_CHUNK_ID_FENCE:
         /* The deployed host passes the last FENCE chunk's data for all of them. */
         if (++fences > 1)
            return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "descs[].chunk_id",
                             "chunk %u: a second FENCE chunk", i);
         break;
      case KAMDGPU_CHUNK_ID_DEPENDENCIES:
         nr_deps += s.size / (uint32_t)sizeof(struct drm_amdgpu_cs_chunk_dep);
         break;
      case KAMDGPU_CHUNK_ID_BO_HANDLES:
         nr_bos += s.size / (uint32_t)sizeof(struct drm_amdgpu_bo_list_entry);
         cs.has_bo_list = 1;
         break;
      default:
         return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "descs[].chunk_id", "chunk %u: kind %u",
                          i, d.chunk_id);
      }
   }
   if (nr_ibs == 0)
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "descs", "no IB chunk");
   ibs_bytes = (size_t)nr_ibs * sizeof(*ibs);
   deps_bytes = (size_t)nr_deps * sizeof(*deps);
   bos_bytes = (size_t)nr_bos * sizeof(*bos);
   scratch = vh_scratch(ctx, ibs_bytes + deps_bytes + bos_bytes);
   if (!scratch)
      return vh_reject(ctx, VDRM_E_HANDLER, "CS_SUBMIT", "", "out of memory");
   ibs = (struct drm_amdgpu_cs_chunk_ib *)(void *)scratch;
   deps = (struct drm_amdgpu_cs_chunk_dep *)(void *)(scratch + ibs_bytes);
   bos = (struct drm_amdgpu_bo_list_entry *)(void *)(scratch + ibs_bytes + deps_bytes);
   nr_ibs = nr_deps = nr_bos = 0;
   for (uint32_t i = 0; i < view->descs.count; i++) {
      struct amdgpu_ccmd_cs_submit_chunk d;
      struct vdrm_span s;

      amdgpu_ccmd_cs_submit_req_descs_get(view, i, &d);
      s = amdgpu_ccmd_cs_submit_req_chunks_at(view, &d);
      if (d.chunk_id == KAMDGPU_CHUNK_ID_IB) {
         /* The decoder checked the size: exactly one struct. */
         memcpy(&ibs[nr_ibs++], s.data, sizeof(*ibs));
      } else if (d.chunk_id == KAMDGPU_CHUNK_ID_FENCE) {
         struct vh_object *obj;

         memcpy(&cs.fence, s.data, sizeof(cs.fence));
         obj = vh_object_lookup(ctx, cs.fence.handle);
         if (!obj)
            return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "fence.handle",
                             "chunk %u: %u is not a buffer resource of this context", i, cs.fence.handle);
         if (cs.fence.offset % 8 || (uint64_t)cs.fence.offset + 8 > obj->size)
            return vh_reject(ctx, VDRM_E_LIMIT, "CS_SUBMIT", "fence.offset",
                             "chunk %u: 8 bytes at %u do not fit the %llu-byte buffer", i, cs.fence.offset,
                             (unsigned long long)obj->size);
         cs.fence.handle = obj->handle;
         cs.has_fence = 1;
      } else if (d.chunk_id == KAMDGPU_CHUNK_ID_DEPENDENCIES) {
         uint32_t n = s.size / (uint32_t)sizeof(*deps);

         for (uint32_t k = 0; k < n; k++) {
            struct drm_amdgpu_cs_chunk_dep *dep = &deps[nr_deps++];

            memcpy(dep, s.data + (size_t)k * sizeof(*dep), sizeof(*dep));
            if (!ctx_known(ctx, dep->ctx_id))
               return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "deps[].ctx_id",
                                "chunk %u: dependency %u: %u is not a GPU context of this context", i, k,
                                dep->ctx_id);
         }
      } else {   /* BO_HANDLES; a trailing partial element is ignored */
         uint32_t n = s.size / (uint32_t)sizeof(*bos);

         for (uint32_t k = 0; k < n; k++) {
            struct drm_amdgpu_bo_list_entry *e = &bos[nr_bos++];
            struct vh_object *obj;

            memcpy(e, s.data + (size_t)k * sizeof(*e), sizeof(*e));
            obj = vh_object_lookup(ctx, e->bo_handle);
            if (!obj)
               return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "bos[].bo_handle",
                                "chunk %u: entry %u: %u is not a buffer resource of this context", i, k,
                                e->bo_handle);
            e->bo_handle = obj->handle;
         }
      }
   }
   /* The fence goes on the timeline of the last IB: ring_idx must be that one. */
   ring = timeline_of(ctx, ibs[nr_ibs - 1].ip_type, ibs[nr_ibs - 1].ip_instance, ibs[nr_ibs - 1].ring);
   if (ring != req->ring_idx)
      return vh_reject(ctx, VDRM_E_NOT_ALLOWED, "CS_SUBMIT", "ring_idx",
                       "ring %u, but the last IB runs on IP %u instance %u ring %u (timeline %u)", req->ring_idx,
                       ibs[nr_ibs - 1].ip_type, ibs[nr_ibs - 1].ip_instance, ibs[nr_ibs - 1].ring, ring);
   if (vh_limit(ctx, VDRM_HOST_LIMIT_PENDING_FENCES, vh_rings_pending(&ctx->rings), 1, "CS_SUBMIT", "ring_idx"))
      return -1;
   if (vh_rings_reserve(&ctx->rings, ring))
      return vh_reject(ctx, VDRM_E_HANDLER, "CS_SUBMIT", "", "out of memory");
   cs.nr_ibs = nr_ibs;
   cs.ibs = ibs;
   cs.nr_deps = nr_deps;
   cs.deps = deps;
   cs.nr_bos = nr_bos;
   cs.bos = bos;
   ret = kernel(ctx)->cs(vh_file(ctx), &cs, &seq, &fence);
   if (ret)
      return kernel_failed(ctx, "CS_SUBMIT", "", "DRM_AMDGPU_CS", ret);
   vh_rings_add_submit(&ctx->rings, ring, fence);
   ret = amdgpu_ccmd_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "CS_SUBMIT", ret, len);
}

/* ---- SET_METADATA, BO_QUERY_INFO ---- */

static int
h_set_metadata(void *c, const struct amdgpu_ccmd_set_metadata_req *req,
               const struct amdgpu_ccmd_set_metadata_req_view *view)
{
   struct vh_context *ctx = c;
   uint64_t size = sizeof(struct amdgpu_ccmd_rsp);
   struct amdgpu_ccmd_rsp rsp = { .base = { 0 } };
   struct vh_object *obj;
   struct kamdgpu_gem_metadata md;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "SET_METADATA", &shadow))
      return -1;
   obj = lookup_res(ctx, req->res_id, "SET_METADATA", "res_id");
   if (!obj)
      return -1;
   /* The decoder bounded size_metadata to 256 whole dwords inside hdr.len. */
   memset(&md, 0, sizeof(md));
   md.flags = req->flags;
   md.tiling_info = req->tiling_info;
   md.data_size_bytes = req->size_metadata;
   for (uint32_t i = 0; i < view->umd_metadata.count && i < KAMDGPU_GEM_METADATA_MAX_DWORDS; i++)
      amdgpu_ccmd_set_metadata_req_umd_metadata_get(view, i, &md.data[i]);
   rsp.ret = kernel(ctx)->gem_metadata(vh_file(ctx), obj->handle, KAMDGPU_GEM_METADATA_OP_SET_METADATA, &md);
   int ret = amdgpu_ccmd_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "SET_METADATA", ret, len);
}

static int
h_bo_query_info(void *c, const struct amdgpu_ccmd_bo_query_info_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = amdgpu_ccmd_bo_query_info_rsp_host_size(req);
   struct amdgpu_ccmd_bo_query_info_rsp rsp;
   struct kamdgpu_gem_create_in info;
   struct kamdgpu_gem_metadata md;
   struct vh_object *obj;
   void *shadow;
   size_t len;
   int ret;

   if (vh_rsp_begin(ctx, size, "BO_QUERY_INFO", &shadow))
      return -1;
   memset(&rsp, 0, sizeof(rsp));
   obj = vh_object_lookup(ctx, req->res_id);
   /* An unknown res_id is answered, not failed (the protocol's rule). */
   if (!obj) {
      rsp.hdr.ret = -EINVAL;
   } else {
      memset(&md, 0, sizeof(md));
      ret = kernel(ctx)->gem_op(vh_file(ctx), obj->handle, KAMDGPU_GEM_OP_GET_GEM_CREATE_INFO, &info);
      if (!ret)
         ret = kernel(ctx)->gem_metadata(vh_file(ctx), obj->handle, KAMDGPU_GEM_METADATA_OP_GET_METADATA, &md);
      if (!ret && md.data_size_bytes > sizeof(md.data))
         ret = -EINVAL;
      rsp.hdr.ret = ret;
      if (!ret) {
         rsp.info.alloc_size = info.bo_size;
         rsp.info.phys_alignment = info.alignment;
         rsp.info.preferred_heap = (uint32_t)info.domains;
         rsp.info.alloc_flags = info.domain_flags;
         rsp.info.metadata.flags = md.flags;
         rsp.info.metadata.tiling_info = md.tiling_info;
         rsp.info.metadata.size_metadata = md.data_size_bytes;
         memcpy(rsp.info.metadata.umd_metadata, md.data, md.data_size_bytes);
      }
   }
   ret = amdgpu_ccmd_bo_query_info_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "BO_QUERY_INFO", ret, len);
}

/* ---- CREATE_CTX, RESERVE_VMID, SET_PSTATE, CS_QUERY_FENCE_STATUS ---- */

static int
h_create_ctx(void *c, const struct amdgpu_ccmd_create_ctx_req *req)
{
   struct vh_context *ctx = c;
   struct amdgpu_state *st = state(ctx);
   uint64_t size = amdgpu_ccmd_create_ctx_rsp_host_size(req);
   struct amdgpu_ccmd_create_ctx_rsp rsp;
   struct kamdgpu_ctx a;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "CREATE_CTX", &shadow))
      return -1;
   memset(&rsp, 0, sizeof(rsp));
   if (req->flags & AMDGPU_CCMD_CREATE_CTX_DESTROY) {
      /* Freeing answers 0 even for an unknown id; the kernel sees only this guest's. */
      if (ctx_known(ctx, req->id)) {
         a = (struct kamdgpu_ctx){ .op = KAMDGPU_CTX_OP_FREE_CTX, .ctx_id = req->id };
         if (kernel(ctx)->ctx(vh_file(ctx), &a) == 0) {
            vh_idmap_remove(&st->ctxs, req->id);
            ctx->stats.queues = st->ctxs.count;
         }
      }
   } else {
      if (vh_limit(ctx, VDRM_HOST_LIMIT_QUEUES, st->ctxs.count, 1, "CREATE_CTX", "priority"))
         return -1;
      a = (struct kamdgpu_ctx){ .op = KAMDGPU_CTX_OP_ALLOC_CTX, .priority = req->priority };
      rsp.hdr.ret = kernel(ctx)->ctx(vh_file(ctx), &a);
      if (rsp.hdr.ret == 0) {
         if (vh_idmap_put(&st->ctxs, a.out_ctx_id, (void *)1)) {
            a = (struct kamdgpu_ctx){ .op = KAMDGPU_CTX_OP_FREE_CTX, .ctx_id = a.out_ctx_id };
            kernel(ctx)->ctx(vh_file(ctx), &a);
            return vh_reject(ctx, VDRM_E_HANDLER, "CREATE_CTX", "", "out of memory");
         }
         rsp.ctx_id = a.out_ctx_id;
         ctx->stats.queues = st->ctxs.count;
      }
   }
   int ret = amdgpu_ccmd_create_ctx_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "CREATE_CTX", ret, len);
}

static int
h_reserve_vmid(void *c, const struct amdgpu_ccmd_reserve_vmid_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = sizeof(struct amdgpu_ccmd_rsp);
   struct amdgpu_ccmd_rsp rsp = { .base = { 0 } };
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "RESERVE_VMID", &shadow))
      return -1;
   rsp.ret = kernel(ctx)->vm(vh_file(ctx),
                             (req->flags & AMDGPU_CCMD_RESERVE_VMID_UNRESERVE) ? KAMDGPU_VM_OP_UNRESERVE_VMID :
                                                                                 KAMDGPU_VM_OP_RESERVE_VMID,
                             0);
   int ret = amdgpu_ccmd_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "RESERVE_VMID", ret, len);
}

static int
h_set_pstate(void *c, const struct amdgpu_ccmd_set_pstate_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = amdgpu_ccmd_set_pstate_rsp_host_size(req);
   struct amdgpu_ccmd_set_pstate_rsp rsp;
   struct kamdgpu_ctx a;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "SET_PSTATE", &shadow))
      return -1;
   if (lookup_ctx(ctx, req->ctx_id, "SET_PSTATE", "ctx_id"))
      return -1;
   memset(&rsp, 0, sizeof(rsp));
   /* The decoder allows only GET_STABLE_PSTATE and SET_STABLE_PSTATE. */
   a = (struct kamdgpu_ctx){ .op = req->op, .ctx_id = req->ctx_id,
                             .flags = req->op == KAMDGPU_CTX_OP_SET_STABLE_PSTATE ? req->flags : 0 };
   rsp.hdr.ret = kernel(ctx)->ctx(vh_file(ctx), &a);
   rsp.out_flags = rsp.hdr.ret ? 0 : a.out_flags;
   int ret = amdgpu_ccmd_set_pstate_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "SET_PSTATE", ret, len);
}

static int
h_cs_query_fence_status(void *c, const struct amdgpu_ccmd_cs_query_fence_status_req *req)
{
   struct vh_context *ctx = c;
   uint64_t size = amdgpu_ccmd_cs_query_fence_status_rsp_host_size(req);
   struct amdgpu_ccmd_cs_query_fence_status_rsp rsp;
   uint32_t busy = 1;
   void *shadow;
   size_t len;

   if (vh_rsp_begin(ctx, size, "CS_QUERY_FENCE_STATUS", &shadow))
      return -1;
   if (lookup_ctx(ctx, req->ctx_id, "CS_QUERY_FENCE_STATUS", "ctx_id"))
      return -1;
   memset(&rsp, 0, sizeof(rsp));
   /* Never block the host on a guest's timeout: poll, and the guest asks again. */
   rsp.hdr.ret = kernel(ctx)->wait_cs(vh_file(ctx), req->ctx_id, req->ip_type, req->ip_instance, req->ring,
                                      req->fence, 0, &busy);
   rsp.expired = (rsp.hdr.ret == 0 && !busy) ? 1u : 0u;
   int ret = amdgpu_ccmd_cs_query_fence_status_rsp_encode(shadow, (size_t)size, &rsp, &len);
   return commit_rsp(ctx, "CS_QUERY_FENCE_STATUS", ret, len);
}

static const struct amdgpu_handlers amdgpu_handlers = {
   .query_info = h_query_info,
   .gem_new = h_gem_new,
   .bo_va_op = h_bo_va_op,
   .cs_submit = h_cs_submit,
   .set_metadata = h_set_metadata,
   .bo_query_info = h_bo_query_info,
   .create_ctx = h_create_ctx,
   .reserve_vmid = h_reserve_vmid,
   .set_pstate = h_set_pstate,
   .cs_query_fence_status = h_cs_query_fence_status,
};

static int
amdgpu_dispatch_one(struct vh_context *ctx, const uint8_t *msg, size_t len, struct vdrm_error *err)
{
   return amdgpu_dispatch(&amdgpu_handlers, ctx, msg, len, err);
}

/*
 * Ring 0 is the CPU; then every available ring of instance 0 of each IP
 * type, in AMDGPU_HW_IP_* order and ring order, as the guest numbers them.
 */
int vh_amdgpu_timelines(struct vdrm_backend_file *f, uint32_t *count, uint32_t *ip_type, uint32_t *ring,
                        uint32_t max);

int
vh_amdgpu_timelines(struct vdrm_backend_file *f, uint32_t *count, uint32_t *ip_type, uint32_t *ring, uint32_t max)
{
   const struct vdrm_backend_amdgpu_ops *k = f->dev->ops->amdgpu;
   uint32_t n = 0;

   for (uint32_t type = 0; type < KAMDGPU_HW_IP_NUM; type++) {
      struct drm_amdgpu_info q = { .return_size = sizeof(struct amdgpu_info_hw_ip),
                                   .query = KAMDGPU_INFO_HW_IP_INFO };
      struct amdgpu_info_hw_ip ip;

      memset(&ip, 0, sizeof(ip));
      q.query_hw_ip.type = type;
      if (k->info(f, &q, &ip))
         continue;
      for (uint32_t r = 0; r < 32; r++) {
         if (!(ip.available_rings & (1u << r)))
            continue;
         if (n == max)
            return -ENOSPC;
         ip_type[n] = type;
         ring[n] = r;
         n++;
      }
   }
   *count = n;
   return 0;
}

static int
amdgpu_init(struct vh_context *ctx)
{
   struct amdgpu_state *st;
   uint32_t types[AMDGPU_MAX_RINGS - 1], rings[AMDGPU_MAX_RINGS - 1];
   int ret;

   if (!kernel(ctx))
      return VDRM_HOST_E_BACKEND;
   st = calloc(1, sizeof(*st));
   if (!st)
      return VDRM_HOST_E_NOMEM;
   if (vh_amdgpu_timelines(vh_file(ctx), &st->ntimelines, types, rings, AMDGPU_MAX_RINGS - 1) ||
       st->ntimelines == 0) {
      free(st);
      return VDRM_HOST_E_BACKEND;
   }
   for (uint32_t i = 0; i < st->ntimelines; i++)
      st->timeline[i] = (struct amdgpu_timeline){ types[i], rings[i] };
   ret = vh_rings_init(&ctx->rings, vh_backend(ctx), st->ntimelines + 1);
   if (ret) {
      free(st);
      return ret;
   }
   ctx->type_data = st;
   return VDRM_HOST_OK;
}

static void
amdgpu_fini(struct vh_context *ctx)
{
   struct amdgpu_state *st = state(ctx);

   if (!st)
      return;
   /* The kernel frees the contexts with the file. */
   vh_idmap_fini(&st->ctxs);
   free(st);
   ctx->type_data = NULL;
}

/* One u64 INFO query (the *_USAGE ones); 0 or the kernel's error. */
static int
info_u64(struct vh_context *ctx, uint32_t query, uint64_t *value)
{
   struct drm_amdgpu_info q = { .return_size = sizeof(*value), .query = query };

   return kernel(ctx)->info(vh_file(ctx), &q, value);
}

/*
 * The heap statistics of the shmem, refreshed after every batch (GEM_NEW
 * runs in one), with the meaning the deployed host gives them: libdrm's
 * amdgpu_query_heap_info(), which the guest's heap queries stand in for.
 * heap_size is the usable size (AMDGPU_INFO_VRAM_GTT, after the kernel's
 * reservations and pinned memory), heap_usage the *_USAGE query, and
 * max_allocation the usable CPU-visible VRAM for every heap, GTT included.
 */
static void
amdgpu_batch_done(struct vh_context *ctx)
{
   struct drm_amdgpu_info q = { .return_size = sizeof(struct drm_amdgpu_info_vram_gtt),
                                .query = KAMDGPU_INFO_VRAM_GTT };
   struct drm_amdgpu_info_vram_gtt vg;
   struct amdgpu_heap_info h[3] = { 0 };   /* gtt, vram, vis_vram: the shmem's order */

   if (!vh_shmem_present(&ctx->shmem) || kernel(ctx)->info(vh_file(ctx), &q, &vg) ||
       info_u64(ctx, KAMDGPU_INFO_GTT_USAGE, &h[0].heap_usage) ||
       info_u64(ctx, KAMDGPU_INFO_VRAM_USAGE, &h[1].heap_usage) ||
       info_u64(ctx, KAMDGPU_INFO_VIS_VRAM_USAGE, &h[2].heap_usage))
      return;
   h[0].heap_size = vg.gtt_size;
   h[1].heap_size = vg.vram_size;
   h[2].heap_size = vg.vram_cpu_accessible_size;
   for (int i = 0; i < 3; i++)
      h[i].max_allocation = vg.vram_cpu_accessible_size;
   memcpy(ctx->shmem.map + offsetof(struct amdvgpu_shmem, gtt), h, sizeof(h));
}

static uint64_t
amdgpu_heap_bytes(const struct vh_context *ctx)
{
   const struct amdgpu_state *st = ctx->type_data;

   return sizeof(*st) + vh_idmap_bytes(&st->ctxs);
}

int vh_amdgpu_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

const struct vh_context_type vh_amdgpu_context_type = {
   .name = "amdgpu",
   .context_type = VIRTGPU_DRM_CONTEXT_AMDGPU,
   .wire_format_version = AMDGPU_WIRE_FORMAT_VERSION,
   .alignment = AMDGPU_CCMD_ALIGNMENT,
   .shmem_size = sizeof(struct amdvgpu_shmem),
   .async_error_offset = offsetof(struct amdvgpu_shmem, async_error),
   .table = amdgpu_ccmd_table,
   .table_count = AMDGPU_CCMD_COUNT,
   .fill_capset = vh_amdgpu_fill_capset,
   .init = amdgpu_init,
   .fini = amdgpu_fini,
   .dispatch = amdgpu_dispatch_one,
   .batch_done = amdgpu_batch_done,
   .heap_bytes = amdgpu_heap_bytes,
};
