/* SPDX-License-Identifier: MIT */

/*
 * The asahi kernel driver (Linux include/uapi/drm/asahi_drm.h) as the asahi
 * handlers see it: the values they and the backends use, spelled KASAHI_*
 * so that they never clash with a copy of asahi_drm.h a real-kernel backend
 * may include, and struct vdrm_backend_asahi_ops, one operation per ioctl.
 * The argument structs that travel on the wire come from the generated
 * asahi_uapi.h; each operation takes them with the kernel's semantics and
 * returns 0 or the negative errno the kernel ioctl returns.
 */

#ifndef VH_ASAHI_KERNEL_H_
#define VH_ASAHI_KERNEL_H_

#include <stdint.h>

#include "asahi_uapi.h"

struct vdrm_backend_file;
struct vdrm_backend_fence;

/* The GPU's page (UAT) size: VM_BIND addresses, offsets and ranges are multiples of it. */
#define KASAHI_PAGE_SIZE 16384u

/* _IOC_NR - DRM_COMMAND_BASE of the ioctls IOCTL_SIMPLE forwards, and their full numbers. */
#define KASAHI_DRM_COMMAND_BASE 0x40u
#define KASAHI_IOCTL_GET_TIME 0x01u
#define KASAHI_IOCTL_VM_CREATE 0x02u
#define KASAHI_IOCTL_VM_DESTROY 0x03u
#define KASAHI_IOCTL_QUEUE_CREATE 0x08u
#define KASAHI_IOCTL_QUEUE_DESTROY 0x09u
/* _IOC(dir, 'd', DRM_COMMAND_BASE + nr, size) as Linux encodes it (dir: 1 write, 2 read). */
#define KASAHI_IOC(dir, nr, size) \
   (((uint32_t)(dir) << 30) | ((uint32_t)(size) << 16) | (0x64u << 8) | (KASAHI_DRM_COMMAND_BASE + (nr)))
#define KASAHI_IOW(nr, type) KASAHI_IOC(1u, nr, sizeof(type))
#define KASAHI_IOWR(nr, type) KASAHI_IOC(3u, nr, sizeof(type))
#define DRM_IOCTL_KASAHI_GET_TIME KASAHI_IOWR(KASAHI_IOCTL_GET_TIME, struct drm_asahi_get_time)
#define DRM_IOCTL_KASAHI_VM_CREATE KASAHI_IOWR(KASAHI_IOCTL_VM_CREATE, struct drm_asahi_vm_create)
#define DRM_IOCTL_KASAHI_VM_DESTROY KASAHI_IOW(KASAHI_IOCTL_VM_DESTROY, struct drm_asahi_vm_destroy)
#define DRM_IOCTL_KASAHI_QUEUE_CREATE KASAHI_IOWR(KASAHI_IOCTL_QUEUE_CREATE, struct drm_asahi_queue_create)
#define DRM_IOCTL_KASAHI_QUEUE_DESTROY KASAHI_IOW(KASAHI_IOCTL_QUEUE_DESTROY, struct drm_asahi_queue_destroy)

/* drm_asahi_params_global.features */
#define KASAHI_FEATURE_SOFT_FAULTS 0x1ull

/* drm_asahi_gem_create.flags */
#define KASAHI_GEM_WRITEBACK 0x1u
#define KASAHI_GEM_VM_PRIVATE 0x2u
#define KASAHI_GEM_FLAGS (KASAHI_GEM_WRITEBACK | KASAHI_GEM_VM_PRIVATE)

/* drm_asahi_gem_bind_op.flags */
#define KASAHI_BIND_UNBIND 0x1u
#define KASAHI_BIND_READ 0x2u
#define KASAHI_BIND_WRITE 0x4u
#define KASAHI_BIND_SINGLE_PAGE 0x8u
#define KASAHI_BIND_FLAGS (KASAHI_BIND_UNBIND | KASAHI_BIND_READ | KASAHI_BIND_WRITE | KASAHI_BIND_SINGLE_PAGE)

/* drm_asahi_gem_bind_object.op and .flags */
#define KASAHI_BIND_OBJECT_OP_BIND 0u
#define KASAHI_BIND_OBJECT_OP_UNBIND 1u
#define KASAHI_BIND_OBJECT_USAGE_TIMESTAMPS 0x1u

/* drm_asahi_queue_create.priority */
#define KASAHI_PRIORITY_LOW 0u
#define KASAHI_PRIORITY_MEDIUM 1u
#define KASAHI_PRIORITY_HIGH 2u
#define KASAHI_PRIORITY_REALTIME 3u
#define KASAHI_PRIORITIES 4u

/*
 * The command buffer of DRM_ASAHI_SUBMIT: a sequence of headers, each
 * followed by size bytes of its command (a render or compute command, or
 * attachments for the following commands of a kind).
 */
struct kasahi_cmd_header {
   uint16_t cmd_type;
   uint16_t size;
   uint16_t vdm_barrier;   /* render commands to wait for, or KASAHI_BARRIER_NONE */
   uint16_t cdm_barrier;   /* compute commands to wait for, or KASAHI_BARRIER_NONE */
};
#define KASAHI_CMD_RENDER 0u
#define KASAHI_CMD_COMPUTE 1u
#define KASAHI_SET_VERTEX_ATTACHMENTS 2u
#define KASAHI_SET_FRAGMENT_ATTACHMENTS 3u
#define KASAHI_SET_COMPUTE_ATTACHMENTS 4u
#define KASAHI_BARRIER_NONE 0xffffu
/* sizeof(struct drm_asahi_attachment): pointer, size, pad, flags. */
#define KASAHI_ATTACHMENT_SIZE 24u

/*
 * An external resource of a submit as the host hands it over: a backend
 * GEM handle whose implicit fences the submit honours (the deployed host
 * builds this from dma-buf sync_file export and import around the ioctl).
 * READ waits for the buffer's pending writers; WRITE also attaches the
 * submit's fence to it. A buffer that cannot be shared (VM_PRIVATE) has no
 * implicit fences and is skipped, as its dma-buf export fails.
 */
struct vdrm_backend_asahi_sync {
   uint32_t handle;
   uint32_t flags;   /* KASAHI_SYNC_READ | KASAHI_SYNC_WRITE */
};

#define KASAHI_SYNC_READ 0x1u
#define KASAHI_SYNC_WRITE 0x2u

/* DRM_ASAHI_SUBMIT with its implicit synchronisation. */
struct vdrm_backend_asahi_submit {
   uint32_t flags;        /* zero */
   uint32_t queue_id;
   const void *cmdbuf;    /* cmdbuf_size bytes in the kernel's format */
   uint32_t cmdbuf_size;
   uint32_t nr_syncs;
   const struct vdrm_backend_asahi_sync *syncs;
};

/* The asahi driver's ioctls, one operation each. */
struct vdrm_backend_asahi_ops {
   /* DRM_ASAHI_GET_PARAMS: writes min(size, what the kernel knows) bytes of the group to data. */
   int (*get_params)(struct vdrm_backend_file *f, const struct drm_asahi_get_params *args, void *data);
   /* DRM_ASAHI_GET_TIME: in/out like the ioctl's struct. */
   int (*get_time)(struct vdrm_backend_file *f, struct drm_asahi_get_time *args);
   /* DRM_ASAHI_VM_CREATE: fills args->vm_id. */
   int (*vm_create)(struct vdrm_backend_file *f, struct drm_asahi_vm_create *args);
   /* DRM_ASAHI_VM_DESTROY: the VM lives on while queues use it. */
   int (*vm_destroy)(struct vdrm_backend_file *f, const struct drm_asahi_vm_destroy *args);
   /* DRM_ASAHI_GEM_CREATE: size rounded up to pages; vm_id only with VM_PRIVATE. */
   int (*gem_create)(struct vdrm_backend_file *f, uint64_t size, uint32_t flags, uint32_t vm_id,
                     uint32_t *handle);
   /* DRM_ASAHI_VM_BIND: count ops of 32 bytes, applied in order, stopping at the first failure. */
   int (*vm_bind)(struct vdrm_backend_file *f, uint32_t vm_id, const struct drm_asahi_gem_bind_op *ops,
                  uint32_t count);
   /* DRM_ASAHI_GEM_BIND_OBJECT: BIND fills args->object_handle. */
   int (*gem_bind_object)(struct vdrm_backend_file *f, struct drm_asahi_gem_bind_object *args);
   /* DRM_ASAHI_QUEUE_CREATE: fills args->queue_id. */
   int (*queue_create)(struct vdrm_backend_file *f, struct drm_asahi_queue_create *args);
   /* DRM_ASAHI_QUEUE_DESTROY: pending work still completes. */
   int (*queue_destroy)(struct vdrm_backend_file *f, const struct drm_asahi_queue_destroy *args);
   /* DRM_ASAHI_SUBMIT: on success *fence is a new reference to the submit's completion. */
   int (*submit)(struct vdrm_backend_file *f, const struct vdrm_backend_asahi_submit *submit,
                 struct vdrm_backend_fence **fence);
};

/* The asahi driver's DRM version the sim reports. */
#define KASAHI_VERSION_MAJOR 1u
#define KASAHI_VERSION_MINOR 0u
#define KASAHI_VERSION_PATCHLEVEL 0u

#endif /* VH_ASAHI_KERNEL_H_ */
