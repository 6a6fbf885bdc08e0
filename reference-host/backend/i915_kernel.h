/* SPDX-License-Identifier: MIT */

/*
 * The i915 kernel driver as the i915 handlers see it: the values of its
 * UAPI (Linux include/uapi/drm/i915_drm.h) they use, spelled KI915_* so that
 * they never clash with a copy of i915_drm.h a real-kernel backend includes,
 * the arguments of the ioctls whose structs the generated i915_uapi.h does
 * not carry (they hold pointers, so they never travel), and struct
 * vdrm_backend_i915_ops: one operation per ioctl, with the kernel's
 * arguments and semantics, 0 or a negative errno exactly where the ioctl
 * fails. Pointers in these structs (extension chains, object and relocation
 * arrays, query data) are host addresses the handlers built.
 */

#ifndef VH_I915_KERNEL_H_
#define VH_I915_KERNEL_H_

#include <stdint.h>

#include "i915_uapi.h"

struct vdrm_backend_file;
struct vdrm_backend_fence;

/* I915_PARAM_* (GETPARAM). */
#define KI915_PARAM_CHIPSET_ID 4
#define KI915_PARAM_HAS_GEM 5
#define KI915_PARAM_HAS_EXECBUF2 9
#define KI915_PARAM_HAS_BSD 10
#define KI915_PARAM_HAS_BLT 11
#define KI915_PARAM_HAS_LLC 17
#define KI915_PARAM_HAS_ALIASING_PPGTT 18
#define KI915_PARAM_HAS_VEBOX 22
#define KI915_PARAM_HAS_SECURE_BATCHES 23
#define KI915_PARAM_HAS_EXEC_NO_RELOC 25
#define KI915_PARAM_HAS_EXEC_HANDLE_LUT 26
#define KI915_PARAM_REVISION 32
#define KI915_PARAM_SUBSLICE_TOTAL 33
#define KI915_PARAM_EU_TOTAL 34
#define KI915_PARAM_HAS_EXEC_SOFTPIN 37
#define KI915_PARAM_MMAP_GTT_VERSION 40
#define KI915_PARAM_HAS_SCHEDULER 41
#define KI915_PARAM_HAS_EXEC_ASYNC 43
#define KI915_PARAM_HAS_EXEC_FENCE 44
#define KI915_PARAM_HAS_EXEC_CAPTURE 45
#define KI915_PARAM_SLICE_MASK 46
#define KI915_PARAM_SUBSLICE_MASK 47
#define KI915_PARAM_HAS_EXEC_BATCH_FIRST 48
#define KI915_PARAM_HAS_EXEC_FENCE_ARRAY 49
#define KI915_PARAM_CS_TIMESTAMP_FREQUENCY 51
#define KI915_PARAM_HAS_EXEC_TIMELINE_FENCES 55
#define KI915_PARAM_PXP_STATUS 58
/* The MMAP_GTT_VERSION a host may report through virtio-gpu (no partial mappings). */
#define KI915_MMAP_GTT_VERSION_MAX_VIRTIO 4

/* DRM_I915_QUERY_* item ids. */
#define KI915_QUERY_TOPOLOGY_INFO 1
#define KI915_QUERY_ENGINE_INFO 2
#define KI915_QUERY_PERF_CONFIG 3
#define KI915_QUERY_MEMORY_REGIONS 4
#define KI915_QUERY_HWCONFIG_BLOB 5
#define KI915_QUERY_GEOMETRY_SUBSLICES 6
#define KI915_QUERY_GUC_SUBMISSION_VERSION 7

#define KI915_ENGINE_CLASS_RENDER 0
#define KI915_ENGINE_CLASS_COPY 1
#define KI915_ENGINE_CLASS_VIDEO 2
#define KI915_ENGINE_CLASS_VIDEO_ENHANCE 3
#define KI915_ENGINE_CLASS_COMPUTE 4
#define KI915_ENGINE_CLASS_INVALID 0xffffu
#define KI915_ENGINE_CLASS_INVALID_NONE 0xffffu
#define KI915_ENGINE_CLASS_INVALID_VIRTUAL 0xfffeu

#define KI915_MEMORY_CLASS_SYSTEM 0
#define KI915_MEMORY_CLASS_DEVICE 1

/* GEM_CREATE_EXT extension names and flags. */
#define KI915_GEM_CREATE_EXT_MEMORY_REGIONS 0
#define KI915_GEM_CREATE_EXT_PROTECTED_CONTENT 1
#define KI915_GEM_CREATE_EXT_SET_PAT 2
#define KI915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS 0x1u

/* Context creation. */
#define KI915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS 0x1u
#define KI915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE 0x2u
#define KI915_CONTEXT_CREATE_EXT_SETPARAM 0

#define KI915_CONTEXT_PARAM_BAN_PERIOD 0x1
#define KI915_CONTEXT_PARAM_NO_ZEROMAP 0x2
#define KI915_CONTEXT_PARAM_GTT_SIZE 0x3
#define KI915_CONTEXT_PARAM_NO_ERROR_CAPTURE 0x4
#define KI915_CONTEXT_PARAM_BANNABLE 0x5
#define KI915_CONTEXT_PARAM_PRIORITY 0x6
#define KI915_CONTEXT_PARAM_SSEU 0x7
#define KI915_CONTEXT_PARAM_RECOVERABLE 0x8
#define KI915_CONTEXT_PARAM_VM 0x9
#define KI915_CONTEXT_PARAM_ENGINES 0xa
#define KI915_CONTEXT_PARAM_PERSISTENCE 0xb
#define KI915_CONTEXT_PARAM_RINGSIZE 0xc
#define KI915_CONTEXT_PARAM_PROTECTED_CONTENT 0xd
#define KI915_CONTEXT_MAX_USER_PRIORITY 1023
#define KI915_CONTEXT_MIN_USER_PRIORITY (-1023)
#define KI915_CONTEXT_SSEU_FLAG_ENGINE_INDEX 0x1u

/* GEM_EXECBUFFER2 flags. */
#define KI915_EXEC_RING_MASK 0x3fu
#define KI915_EXEC_DEFAULT 0u
#define KI915_EXEC_RENDER 1u
#define KI915_EXEC_BSD 2u
#define KI915_EXEC_BLT 3u
#define KI915_EXEC_VEBOX 4u
#define KI915_EXEC_CONSTANTS_MASK 0xc0u
#define KI915_EXEC_GEN7_SOL_RESET 0x100u
#define KI915_EXEC_SECURE 0x200u
#define KI915_EXEC_IS_PINNED 0x400u
#define KI915_EXEC_NO_RELOC 0x800u
#define KI915_EXEC_HANDLE_LUT 0x1000u
#define KI915_EXEC_BSD_SHIFT 13
#define KI915_EXEC_BSD_MASK (3u << KI915_EXEC_BSD_SHIFT)
#define KI915_EXEC_RESOURCE_STREAMER 0x8000u
#define KI915_EXEC_FENCE_IN 0x10000u
#define KI915_EXEC_FENCE_OUT 0x20000u
#define KI915_EXEC_BATCH_FIRST 0x40000u
#define KI915_EXEC_FENCE_ARRAY 0x80000u
#define KI915_EXEC_FENCE_SUBMIT 0x100000u
#define KI915_EXEC_USE_EXTENSIONS 0x200000u
/* Bits no kernel defines (__I915_EXEC_UNKNOWN_FLAGS). */
#define KI915_EXEC_UNKNOWN_FLAGS (~(uint64_t)((KI915_EXEC_USE_EXTENSIONS << 1) - 1))
/* What a guest may choose (spec/i915.xml's check of flags). */
#define KI915_EXEC_GUEST_FLAGS 0x479ffu

#define KI915_EXEC_OBJECT_NEEDS_FENCE 0x01u
#define KI915_EXEC_OBJECT_NEEDS_GTT 0x02u
#define KI915_EXEC_OBJECT_WRITE 0x04u
#define KI915_EXEC_OBJECT_SUPPORTS_48B_ADDRESS 0x08u
#define KI915_EXEC_OBJECT_PINNED 0x10u
#define KI915_EXEC_OBJECT_PAD_TO_SIZE 0x20u
#define KI915_EXEC_OBJECT_ASYNC 0x40u
#define KI915_EXEC_OBJECT_CAPTURE 0x80u
#define KI915_EXEC_OBJECT_UNKNOWN_FLAGS (~(uint64_t)((KI915_EXEC_OBJECT_CAPTURE << 1) - 1))

#define KI915_TILING_NONE 0
#define KI915_TILING_X 1
#define KI915_TILING_Y 2
#define KI915_BIT_6_SWIZZLE_NONE 0

/* DRM_I915_GEM_MMAP_OFFSET flags (also GEM_SET_MMAP_MODE's). */
#define KI915_MMAP_OFFSET_GTT 0
#define KI915_MMAP_OFFSET_WC 1
#define KI915_MMAP_OFFSET_WB 2
#define KI915_MMAP_OFFSET_UC 3
#define KI915_MMAP_OFFSET_FIXED 4

/* DRM_I915_REG_READ: the render ring timestamp, and the flag asking for its 64-bit read. */
#define KI915_REG_RENDER_RING_TIMESTAMP 0x2358u
#define KI915_REG_READ_8B_WA 0x1u

/* The IOCTL_SIMPLE ioctl numbers (the whole 32-bit values are compared). */
#define KI915_IOCTL_GEM_SET_DOMAIN 0x400c645fu
#define KI915_IOCTL_GEM_SET_TILING 0xc0106461u
#define KI915_IOCTL_GEM_GET_TILING 0xc0106462u
#define KI915_IOCTL_GEM_GET_APERTURE 0x80106463u
#define KI915_IOCTL_GEM_CONTEXT_CREATE 0xc008646du
#define KI915_IOCTL_GEM_CONTEXT_DESTROY 0x4008646eu
#define KI915_IOCTL_REG_READ 0xc0106471u
#define KI915_IOCTL_GET_RESET_STATS 0xc0186472u
#define KI915_IOCTL_GEM_CONTEXT_GETPARAM 0xc0186474u
#define KI915_IOCTL_GEM_CONTEXT_SETPARAM 0xc0186475u
#define KI915_IOCTL_GEM_VM_CREATE 0xc010647au
#define KI915_IOCTL_GEM_VM_DESTROY 0x4010647bu

/* The i915 driver's DRM version the sim reports. */
#define KI915_VERSION_MAJOR 1u
#define KI915_VERSION_MINOR 6u
#define KI915_VERSION_PATCHLEVEL 0u

/* drm_i915_query_item: one item of DRM_IOCTL_I915_QUERY. */
struct ki915_query_item {
   uint64_t query_id;
   int32_t length;       /* in: bytes at data_ptr (0: ask); out: bytes needed/written or -errno */
   uint32_t flags;
   uint64_t data_ptr;    /* host address */
};

/* drm_i915_gem_create_ext. */
struct ki915_gem_create_ext {
   uint64_t size;        /* in: bytes; out: what the kernel allocated */
   uint32_t handle;      /* out */
   uint32_t flags;
   uint64_t extensions;  /* host address of the first i915_user_extension, or 0 */
};

/* drm_i915_gem_context_create_ext. */
struct ki915_gem_context_create_ext {
   uint32_t ctx_id;      /* out */
   uint32_t flags;
   uint64_t extensions;  /* host address of the first setparam, or 0 */
};

/* drm_i915_gem_execbuffer2 (the _WR variant: rsvd2 returns the out-fence). */
struct ki915_execbuffer2 {
   uint64_t buffers_ptr;             /* host address of buffer_count drm_i915_gem_exec_object2 */
   uint32_t buffer_count;
   uint32_t batch_start_offset;
   uint32_t batch_len;
   uint32_t DR1;
   uint32_t DR4;
   uint32_t num_cliprects;
   uint64_t cliprects_ptr;
   uint64_t flags;
   uint64_t rsvd1;                   /* context id in the low 32 bits */
   uint64_t rsvd2;                   /* in-fence fd (FENCE_IN) */
};

/* Where the device sits on the PCI bus (drmGetDevice2(), not an ioctl). */
struct ki915_pci_info {
   uint32_t domain;
   uint32_t bus;
   uint32_t dev;
   uint32_t func;
   uint32_t device_id;
   uint32_t revision_id;
};

/* The i915 driver's ioctls, one operation each. */
struct vdrm_backend_i915_ops {
   int (*get_pci_info)(struct vdrm_backend_file *f, struct ki915_pci_info *info);
   /* DRM_IOCTL_I915_GETPARAM: *value is the int the kernel writes. */
   int (*getparam)(struct vdrm_backend_file *f, int32_t param, int32_t *value);
   /* DRM_IOCTL_I915_QUERY with one item (flags of the query zero). */
   int (*query)(struct vdrm_backend_file *f, struct ki915_query_item *item);
   /* DRM_IOCTL_I915_GEM_CREATE: *size in bytes, rounded up by the kernel. */
   int (*gem_create)(struct vdrm_backend_file *f, uint64_t *size, uint32_t *handle);
   /* DRM_IOCTL_I915_GEM_CREATE_EXT. */
   int (*gem_create_ext)(struct vdrm_backend_file *f, struct ki915_gem_create_ext *args);
   int (*gem_set_domain)(struct vdrm_backend_file *f, const struct drm_i915_gem_set_domain *args);
   int (*gem_set_tiling)(struct vdrm_backend_file *f, struct drm_i915_gem_set_tiling *args);
   int (*gem_get_tiling)(struct vdrm_backend_file *f, struct drm_i915_gem_get_tiling *args);
   int (*gem_get_aperture)(struct vdrm_backend_file *f, struct drm_i915_gem_get_aperture *args);
   /* DRM_IOCTL_I915_GEM_CONTEXT_CREATE(_EXT): CONTEXT_CREATE is this with extensions 0. */
   int (*gem_context_create_ext)(struct vdrm_backend_file *f, struct ki915_gem_context_create_ext *args);
   int (*gem_context_destroy)(struct vdrm_backend_file *f, const struct drm_i915_gem_context_destroy *args);
   int (*reg_read)(struct vdrm_backend_file *f, struct drm_i915_reg_read *args);
   int (*get_reset_stats)(struct vdrm_backend_file *f, struct drm_i915_reset_stats *args);
   int (*gem_context_getparam)(struct vdrm_backend_file *f, struct drm_i915_gem_context_param *args);
   int (*gem_context_setparam)(struct vdrm_backend_file *f, const struct drm_i915_gem_context_param *args);
   int (*gem_vm_create)(struct vdrm_backend_file *f, struct drm_i915_gem_vm_control *args);
   int (*gem_vm_destroy)(struct vdrm_backend_file *f, const struct drm_i915_gem_vm_control *args);
   /*
    * DRM_IOCTL_I915_GEM_EXECBUFFER2_WR. With I915_EXEC_FENCE_OUT, *fence is
    * on success a new reference to the request's completion (the sync_file
    * the kernel returns in rsvd2).
    */
   int (*gem_execbuffer2)(struct vdrm_backend_file *f, struct ki915_execbuffer2 *args,
                          struct vdrm_backend_fence **fence);
   /* DRM_IOCTL_I915_GEM_BUSY: the busy word. */
   int (*gem_busy)(struct vdrm_backend_file *f, uint32_t handle, uint32_t *busy);
   /* DRM_IOCTL_I915_GEM_MMAP_OFFSET: the fake offset of a CPU mapping of that kind. */
   int (*gem_mmap_offset)(struct vdrm_backend_file *f, uint32_t handle, uint32_t flags, uint64_t *offset);
};

#endif /* VH_I915_KERNEL_H_ */
