/* SPDX-License-Identifier: MIT */

/*
 * The amdgpu driver on a real render node: each operation of
 * vdrm_backend_amdgpu_ops is its DRM_AMDGPU_* ioctl with the UAPI struct
 * filled from the interface's arguments. A submission's completion is the
 * sync_file of a syncobj the CS signals (AMDGPU_CHUNK_ID_SYNCOBJ_OUT); each
 * file keeps one syncobj for that, replaced by every CS.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <amdgpu_drm.h>
#include <xf86drm.h>

#include "amdgpu_kernel.h"
#include "drm_hw.h"
#include "drm_internal.h"

/* The file's syncobj that each CS replaces with its fence. */
struct da_file {
   uint32_t cs_syncobj;
};

static int
da_file_init(struct vdrm_drm_file *f)
{
   struct da_file *p = calloc(1, sizeof(*p));
   struct drm_syncobj_create create = { 0 };
   int ret;

   if (!p)
      return -ENOMEM;
   ret = vdrm_drm_ioctl(f->fd, DRM_IOCTL_SYNCOBJ_CREATE, &create);
   if (ret) {
      free(p);
      return ret;
   }
   p->cs_syncobj = create.handle;
   f->priv = p;
   return 0;
}

static void
da_file_fini(struct vdrm_drm_file *f)
{
   struct da_file *p = f->priv;

   if (!p)
      return;
   vdrm_drm_ioctl(f->fd, DRM_IOCTL_SYNCOBJ_DESTROY, &(struct drm_syncobj_destroy){ .handle = p->cs_syncobj });
   free(p);
   f->priv = NULL;
}

static int
da_mmap_offset(struct vdrm_drm_file *f, uint32_t handle, uint64_t *offset)
{
   union drm_amdgpu_gem_mmap args = { .in.handle = handle };
   int ret = vdrm_drm_ioctl(f->fd, DRM_IOCTL_AMDGPU_GEM_MMAP, &args);

   if (ret == 0)
      *offset = args.out.addr_ptr;
   return ret;
}

/*
 * Room for the largest struct an INFO query answers. The kernel writes at
 * most return_size bytes, but a driver stand-in (Mesa's drm-shim) writes
 * its whole struct whatever return_size says: a smaller answer goes through
 * this buffer so that the caller's is never overrun.
 */
#define DA_INFO_BOUNCE_BYTES 4096u

static int
da_info(struct vdrm_backend_file *file, const struct drm_amdgpu_info *q, void *out)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);
   struct drm_amdgpu_info args = *q;
   uint64_t bounce[DA_INFO_BOUNCE_BYTES / sizeof(uint64_t)];
   bool bounced = q->return_size < DA_INFO_BOUNCE_BYTES;
   int ret;

   if (q->return_size == 0)
      return -EINVAL;
   if (bounced) {
      /* What the driver does not write stays as the caller left it. */
      memcpy(bounce, out, q->return_size);
      args.return_pointer = (uint64_t)(uintptr_t)bounce;
   } else {
      args.return_pointer = (uint64_t)(uintptr_t)out;
   }
   ret = vdrm_drm_ioctl(f->fd, DRM_IOCTL_AMDGPU_INFO, &args);
   if (ret == 0 && bounced)
      memcpy(out, bounce, q->return_size);
   return ret;
}

static int
da_gem_create(struct vdrm_backend_file *file, const struct kamdgpu_gem_create_in *in, uint32_t *handle)
{
   union drm_amdgpu_gem_create args = {
      .in = {
         .bo_size = in->bo_size,
         .alignment = in->alignment,
         .domains = in->domains,
         .domain_flags = in->domain_flags,
      },
   };
   int ret = vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_GEM_CREATE, &args);

   if (ret == 0)
      *handle = args.out.handle;
   return ret;
}

static int
da_gem_metadata(struct vdrm_backend_file *file, uint32_t handle, uint32_t op, struct kamdgpu_gem_metadata *md)
{
   struct drm_amdgpu_gem_metadata args = { .handle = handle, .op = op };
   int ret;

   _Static_assert(sizeof(args.data.data) == sizeof(md->data), "64 metadata dwords");
   if (op == AMDGPU_GEM_METADATA_OP_SET_METADATA) {
      args.data.flags = md->flags;
      args.data.tiling_info = md->tiling_info;
      args.data.data_size_bytes = md->data_size_bytes;
      memcpy(args.data.data, md->data, sizeof(args.data.data));
   }
   ret = vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_GEM_METADATA, &args);
   if (ret == 0 && op == AMDGPU_GEM_METADATA_OP_GET_METADATA) {
      md->flags = args.data.flags;
      md->tiling_info = args.data.tiling_info;
      md->data_size_bytes = args.data.data_size_bytes;
      memcpy(md->data, args.data.data, sizeof(md->data));
   }
   return ret;
}

static int
da_gem_op(struct vdrm_backend_file *file, uint32_t handle, uint32_t op, struct kamdgpu_gem_create_in *info)
{
   struct drm_amdgpu_gem_create_in created = { 0 };
   struct drm_amdgpu_gem_op args = { .handle = handle, .op = op };
   int ret;

   /* GET_GEM_CREATE_INFO writes through value; SET_PLACEMENT takes the domains in it. */
   if (op == AMDGPU_GEM_OP_GET_GEM_CREATE_INFO)
      args.value = (uint64_t)(uintptr_t)&created;
   else
      args.value = info->domains;
   ret = vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_GEM_OP, &args);
   if (ret == 0 && op == AMDGPU_GEM_OP_GET_GEM_CREATE_INFO) {
      info->bo_size = created.bo_size;
      info->alignment = created.alignment;
      info->domains = created.domains;
      info->domain_flags = created.domain_flags;
   }
   return ret;
}

static int
da_gem_va(struct vdrm_backend_file *file, const struct kamdgpu_gem_va *va)
{
   struct drm_amdgpu_gem_va args = {
      .handle = va->handle,
      .operation = va->operation,
      .flags = va->flags,
      .va_address = va->va_address,
      .offset_in_bo = va->offset_in_bo,
      .map_size = va->map_size,
   };

   return vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_GEM_VA, &args);
}

static int
da_ctx(struct vdrm_backend_file *file, struct kamdgpu_ctx *a)
{
   union drm_amdgpu_ctx args = {
      .in = { .op = a->op, .flags = a->flags, .ctx_id = a->ctx_id, .priority = a->priority },
   };
   int ret = vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_CTX, &args);

   if (ret)
      return ret;
   /* The answer overlays the request: read only the member of this op. */
   switch (a->op) {
   case AMDGPU_CTX_OP_ALLOC_CTX:
      a->out_ctx_id = args.out.alloc.ctx_id;
      break;
   case AMDGPU_CTX_OP_QUERY_STATE:
      a->out_hangs = args.out.state.hangs;
      a->out_reset_status = args.out.state.reset_status;
      break;
   case AMDGPU_CTX_OP_QUERY_STATE2:
      a->out_flags = (uint32_t)args.out.state.flags;
      break;
   case AMDGPU_CTX_OP_GET_STABLE_PSTATE:
   case AMDGPU_CTX_OP_SET_STABLE_PSTATE:
      a->out_flags = args.out.pstate.flags;
      break;
   default:
      break;
   }
   return 0;
}

static int
da_vm(struct vdrm_backend_file *file, uint32_t op, uint32_t flags)
{
   union drm_amdgpu_vm args = { .in = { .op = op, .flags = flags } };

   return vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_VM, &args);
}

/* length_dw of a chunk of n elements of size bytes each, or -EINVAL if it does not fit. */
static int
chunk_dwords(uint32_t n, size_t size, uint32_t *dw)
{
   uint64_t bytes = (uint64_t)n * size;

   if (bytes / 4 > UINT32_MAX)
      return -EINVAL;
   *dw = (uint32_t)(bytes / 4);
   return 0;
}

static int
da_cs(struct vdrm_backend_file *file, const struct vdrm_backend_amdgpu_cs *cs, uint64_t *seq,
      struct vdrm_backend_fence **fence)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);
   struct da_file *p = f->priv;
   struct drm_amdgpu_bo_list_in bo_list = {
      .operation = ~0u,   /* not a BO_LIST ioctl op: the list of this CS only */
      .bo_number = cs->nr_bos,
      .bo_info_size = sizeof(struct drm_amdgpu_bo_list_entry),
      .bo_info_ptr = (uint64_t)(uintptr_t)cs->bos,
   };
   struct drm_amdgpu_cs_chunk_sem out_sem = { .handle = p->cs_syncobj };
   /* Every IB, then the fence, dependencies, BO list and out-syncobj chunks. */
   uint64_t max_chunks = (uint64_t)cs->nr_ibs + 4;
   struct drm_amdgpu_cs_chunk *chunks;
   uint64_t *chunk_ptrs;
   union drm_amdgpu_cs args;
   uint32_t n = 0;
   int ret;

   if (cs->nr_ibs == 0 || max_chunks > UINT32_MAX)
      return -EINVAL;
   chunks = calloc((size_t)max_chunks, sizeof(*chunks));
   chunk_ptrs = calloc((size_t)max_chunks, sizeof(*chunk_ptrs));
   if (!chunks || !chunk_ptrs) {
      ret = -ENOMEM;
      goto out;
   }
   for (uint32_t i = 0; i < cs->nr_ibs; i++)
      chunks[n++] = (struct drm_amdgpu_cs_chunk){
         .chunk_id = AMDGPU_CHUNK_ID_IB,
         .length_dw = sizeof(cs->ibs[i]) / 4,
         .chunk_data = (uint64_t)(uintptr_t)&cs->ibs[i],
      };
   if (cs->has_fence)
      chunks[n++] = (struct drm_amdgpu_cs_chunk){
         .chunk_id = AMDGPU_CHUNK_ID_FENCE,
         .length_dw = sizeof(cs->fence) / 4,
         .chunk_data = (uint64_t)(uintptr_t)&cs->fence,
      };
   if (cs->nr_deps) {
      chunks[n] = (struct drm_amdgpu_cs_chunk){
         .chunk_id = AMDGPU_CHUNK_ID_DEPENDENCIES,
         .chunk_data = (uint64_t)(uintptr_t)cs->deps,
      };
      ret = chunk_dwords(cs->nr_deps, sizeof(*cs->deps), &chunks[n++].length_dw);
      if (ret)
         goto out;
   }
   if (cs->has_bo_list)
      chunks[n++] = (struct drm_amdgpu_cs_chunk){
         .chunk_id = AMDGPU_CHUNK_ID_BO_HANDLES,
         .length_dw = sizeof(bo_list) / 4,
         .chunk_data = (uint64_t)(uintptr_t)&bo_list,
      };
   chunks[n++] = (struct drm_amdgpu_cs_chunk){
      .chunk_id = AMDGPU_CHUNK_ID_SYNCOBJ_OUT,
      .length_dw = sizeof(out_sem) / 4,
      .chunk_data = (uint64_t)(uintptr_t)&out_sem,
   };
   for (uint32_t i = 0; i < n; i++)
      chunk_ptrs[i] = (uint64_t)(uintptr_t)&chunks[i];
   memset(&args, 0, sizeof(args));
   args.in.ctx_id = cs->ctx_id;
   args.in.num_chunks = n;
   args.in.chunks = (uint64_t)(uintptr_t)chunk_ptrs;
   ret = vdrm_drm_ioctl(f->fd, DRM_IOCTL_AMDGPU_CS, &args);
   if (ret)
      goto out;
   *seq = args.out.handle;
   /* The job is queued whatever happens now; only its fence may be missing. */
   ret = vdrm_drm_fence_from_syncobj(f, p->cs_syncobj, fence);
out:
   free(chunks);
   free(chunk_ptrs);
   return ret;
}

/* DRM_AMDGPU_WAIT_CS takes an absolute CLOCK_MONOTONIC time in ns; 0 (the past) only asks. */
static uint64_t
absolute_timeout(int64_t timeout_ns)
{
   struct timespec now;
   uint64_t t;

   if (timeout_ns <= 0 || clock_gettime(CLOCK_MONOTONIC, &now))
      return 0;
   t = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
   /* Past INT64_MAX the kernel waits forever, which is what such a timeout means. */
   return (uint64_t)timeout_ns > (uint64_t)INT64_MAX - t ? (uint64_t)INT64_MAX : t + (uint64_t)timeout_ns;
}

static int
da_wait_cs(struct vdrm_backend_file *file, uint32_t ctx_id, uint32_t ip_type, uint32_t ip_instance,
           uint32_t ring, uint64_t seq, int64_t timeout_ns, uint32_t *busy)
{
   union drm_amdgpu_wait_cs args = {
      .in = {
         .handle = seq,
         .timeout = absolute_timeout(timeout_ns),
         .ip_type = ip_type,
         .ip_instance = ip_instance,
         .ring = ring,
         .ctx_id = ctx_id,
      },
   };
   int ret = vdrm_drm_ioctl(vdrm_drm_file(file)->fd, DRM_IOCTL_AMDGPU_WAIT_CS, &args);

   if (ret == 0)
      *busy = args.out.status ? 1u : 0u;
   return ret;
}

static const struct vdrm_backend_amdgpu_ops da_ops = {
   .info = da_info,
   .gem_create = da_gem_create,
   .gem_metadata = da_gem_metadata,
   .gem_op = da_gem_op,
   .gem_va = da_gem_va,
   .ctx = da_ctx,
   .vm = da_vm,
   .cs = da_cs,
   .wait_cs = da_wait_cs,
};

const struct vdrm_drm_driver vdrm_drm_amdgpu_driver = {
   .name = "amdgpu",
   .context_type = VIRTGPU_DRM_CONTEXT_AMDGPU,
   .file_init = da_file_init,
   .file_fini = da_file_fini,
   .mmap_offset = da_mmap_offset,
   .amdgpu = &da_ops,
};
