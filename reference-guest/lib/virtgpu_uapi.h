/* SPDX-License-Identifier: MIT */

/*
 * The virtio_gpu UAPI the transport needs beyond Debian 12's libdrm
 * virtgpu_drm.h (2.4.114), which predates blob resources (Linux 5.11),
 * context init and ring_idx (5.16) and execbuffer syncobjs (6.7). The
 * structs keep the kernel's layout under a vg_ prefix, so they never clash
 * with a newer virtgpu_drm.h, whose own layout is then asserted identical.
 */

#ifndef VG_VIRTGPU_UAPI_H_
#define VG_VIRTGPU_UAPI_H_

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <drm.h>
#include <virtgpu_drm.h>

#define VG_VIRTGPU_EXECBUF_FENCE_FD_IN 0x01u
#define VG_VIRTGPU_EXECBUF_FENCE_FD_OUT 0x02u
#define VG_VIRTGPU_EXECBUF_RING_IDX 0x04u

#define VG_VIRTGPU_BLOB_MEM_HOST3D 0x0002u
#define VG_VIRTGPU_BLOB_FLAG_USE_MAPPABLE 0x0001u
#define VG_VIRTGPU_BLOB_FLAG_USE_SHAREABLE 0x0002u

#define VG_VIRTGPU_CONTEXT_PARAM_CAPSET_ID 0x0001u
#define VG_VIRTGPU_CONTEXT_PARAM_NUM_RINGS 0x0002u

/* DRM_VIRTGPU_EXECBUFFER's argument since ring_idx and syncobjs (64 bytes). */
struct vg_virtgpu_execbuffer {
   uint32_t flags;
   uint32_t size;
   uint64_t command;
   uint64_t bo_handles;
   uint32_t num_bo_handles;
   int32_t fence_fd;
   uint32_t ring_idx;
   uint32_t syncobj_stride;   /* sizeof(struct vg_virtgpu_execbuffer_syncobj) */
   uint32_t num_in_syncobjs;
   uint32_t num_out_syncobjs;
   uint64_t in_syncobjs;
   uint64_t out_syncobjs;
};

struct vg_virtgpu_execbuffer_syncobj {
   uint32_t handle;
   uint32_t flags;
   uint64_t point;
};

struct vg_virtgpu_resource_create_blob {
   uint32_t blob_mem;
   uint32_t blob_flags;
   uint32_t bo_handle;    /* out */
   uint32_t res_handle;   /* out */
   uint64_t size;
   uint32_t pad;
   uint32_t cmd_size;
   uint64_t cmd;          /* the ccmd the host runs before creating the blob */
   uint64_t blob_id;
};

struct vg_virtgpu_context_set_param {
   uint64_t param;
   uint64_t value;
};

struct vg_virtgpu_context_init {
   uint32_t num_params;
   uint32_t pad;
   uint64_t ctx_set_params;
};

static_assert(sizeof(struct vg_virtgpu_execbuffer) == 64, "execbuffer");
static_assert(offsetof(struct vg_virtgpu_execbuffer, ring_idx) == 32, "execbuffer.ring_idx");
static_assert(sizeof(struct vg_virtgpu_execbuffer_syncobj) == 16, "execbuffer_syncobj");
static_assert(sizeof(struct vg_virtgpu_resource_create_blob) == 48, "resource_create_blob");
static_assert(offsetof(struct vg_virtgpu_resource_create_blob, blob_id) == 40, "resource_create_blob.blob_id");
static_assert(sizeof(struct vg_virtgpu_context_init) == 16, "context_init");

#ifdef VIRTGPU_EXECBUF_RING_IDX
static_assert(sizeof(struct drm_virtgpu_execbuffer) >= offsetof(struct vg_virtgpu_execbuffer, num_in_syncobjs),
              "a newer virtgpu_drm.h has the same execbuffer");
#endif

#define VG_DRM_VIRTGPU_RESOURCE_CREATE_BLOB 0x0a
#define VG_DRM_VIRTGPU_CONTEXT_INIT 0x0b

#define VG_IOCTL_VIRTGPU_EXECBUFFER \
   DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_EXECBUFFER, struct vg_virtgpu_execbuffer)
#define VG_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB \
   DRM_IOWR(DRM_COMMAND_BASE + VG_DRM_VIRTGPU_RESOURCE_CREATE_BLOB, struct vg_virtgpu_resource_create_blob)
#define VG_IOCTL_VIRTGPU_CONTEXT_INIT \
   DRM_IOWR(DRM_COMMAND_BASE + VG_DRM_VIRTGPU_CONTEXT_INIT, struct vg_virtgpu_context_init)

#endif
