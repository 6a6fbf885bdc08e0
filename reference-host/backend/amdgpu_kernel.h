/* SPDX-License-Identifier: MIT */

/*
 * The amdgpu kernel driver as the amdgpu handlers use it: the values of its
 * UAPI (Linux include/uapi/drm/amdgpu_drm.h) that the generated headers do
 * not emit (spec/amdgpu.xml lists them as c-emit="none" enums), the structs
 * of its ioctls that the wire does not carry, and struct
 * vdrm_backend_amdgpu_ops: one operation per ioctl, with the kernel's
 * arguments and semantics (0 or the negative errno where the ioctl fails).
 * Names are spelled KAMDGPU_* / kamdgpu_* so that they never clash with a
 * copy of amdgpu_drm.h that a real-kernel backend may include.
 */

#ifndef VH_AMDGPU_KERNEL_H_
#define VH_AMDGPU_KERNEL_H_

#include <stddef.h>
#include <stdint.h>

#include "amdgpu_codec.h"
#include "backend.h"

/* AMDGPU_HW_IP_*: GFX .. VPE; AMDGPU_HW_IP_NUM of them. */
#define KAMDGPU_HW_IP_GFX 0u
#define KAMDGPU_HW_IP_COMPUTE 1u
#define KAMDGPU_HW_IP_DMA 2u
#define KAMDGPU_HW_IP_UVD 3u
#define KAMDGPU_HW_IP_VCE 4u
#define KAMDGPU_HW_IP_UVD_ENC 5u
#define KAMDGPU_HW_IP_VCN_DEC 6u
#define KAMDGPU_HW_IP_VCN_ENC 7u
#define KAMDGPU_HW_IP_VCN_JPEG 8u
#define KAMDGPU_HW_IP_VPE 9u
#define KAMDGPU_HW_IP_NUM 10u
#define KAMDGPU_HW_IP_INSTANCE_MAX_COUNT 1u
#define KAMDGPU_RING_MAX 32u   /* available_rings is a 32-bit mask */

/* AMDGPU_CHUNK_ID_*. */
#define KAMDGPU_CHUNK_ID_IB 0x01u
#define KAMDGPU_CHUNK_ID_FENCE 0x02u
#define KAMDGPU_CHUNK_ID_DEPENDENCIES 0x03u
#define KAMDGPU_CHUNK_ID_SYNCOBJ_IN 0x04u
#define KAMDGPU_CHUNK_ID_SYNCOBJ_OUT 0x05u
#define KAMDGPU_CHUNK_ID_BO_HANDLES 0x06u

/* AMDGPU_GEM_DOMAIN_*. */
#define KAMDGPU_GEM_DOMAIN_CPU 0x1u
#define KAMDGPU_GEM_DOMAIN_GTT 0x2u
#define KAMDGPU_GEM_DOMAIN_VRAM 0x4u
#define KAMDGPU_GEM_DOMAIN_GDS 0x8u
#define KAMDGPU_GEM_DOMAIN_GWS 0x10u
#define KAMDGPU_GEM_DOMAIN_OA 0x20u
#define KAMDGPU_GEM_DOMAIN_DOORBELL 0x40u
#define KAMDGPU_GEM_DOMAIN_MASK 0x7fu

/* AMDGPU_GEM_CREATE_*. */
#define KAMDGPU_GEM_CREATE_CPU_ACCESS_REQUIRED (1ull << 0)
#define KAMDGPU_GEM_CREATE_NO_CPU_ACCESS (1ull << 1)
#define KAMDGPU_GEM_CREATE_CPU_GTT_USWC (1ull << 2)
#define KAMDGPU_GEM_CREATE_VRAM_CLEARED (1ull << 3)
#define KAMDGPU_GEM_CREATE_VRAM_CONTIGUOUS (1ull << 5)
#define KAMDGPU_GEM_CREATE_VM_ALWAYS_VALID (1ull << 6)
#define KAMDGPU_GEM_CREATE_EXPLICIT_SYNC (1ull << 7)
#define KAMDGPU_GEM_CREATE_CP_MQD_GFX9 (1ull << 8)
#define KAMDGPU_GEM_CREATE_VRAM_WIPE_ON_RELEASE (1ull << 9)
#define KAMDGPU_GEM_CREATE_ENCRYPTED (1ull << 10)
#define KAMDGPU_GEM_CREATE_PREEMPTIBLE (1ull << 11)
#define KAMDGPU_GEM_CREATE_DISCARDABLE (1ull << 12)
#define KAMDGPU_GEM_CREATE_COHERENT (1ull << 13)
#define KAMDGPU_GEM_CREATE_UNCACHED (1ull << 14)
#define KAMDGPU_GEM_CREATE_EXT_COHERENT (1ull << 15)
#define KAMDGPU_GEM_CREATE_GFX12_DCC (1ull << 16)

/* DRM_AMDGPU_GEM_METADATA ops; the kernel keeps at most 64 dwords. */
#define KAMDGPU_GEM_METADATA_OP_SET_METADATA 1u
#define KAMDGPU_GEM_METADATA_OP_GET_METADATA 2u
#define KAMDGPU_GEM_METADATA_MAX_DWORDS 64u

/* DRM_AMDGPU_GEM_OP ops. */
#define KAMDGPU_GEM_OP_GET_GEM_CREATE_INFO 0u
#define KAMDGPU_GEM_OP_SET_PLACEMENT 1u

/* AMDGPU_VA_OP_* and AMDGPU_VM_* page flags of DRM_AMDGPU_GEM_VA. */
#define KAMDGPU_VA_OP_MAP 1u
#define KAMDGPU_VA_OP_UNMAP 2u
#define KAMDGPU_VA_OP_CLEAR 3u
#define KAMDGPU_VA_OP_REPLACE 4u
#define KAMDGPU_VM_DELAY_UPDATE (1u << 0)
#define KAMDGPU_VM_PAGE_READABLE (1u << 1)
#define KAMDGPU_VM_PAGE_WRITEABLE (1u << 2)
#define KAMDGPU_VM_PAGE_EXECUTABLE (1u << 3)
#define KAMDGPU_VM_PAGE_PRT (1u << 4)
#define KAMDGPU_VM_MTYPE_MASK (0xfu << 5)
#define KAMDGPU_VM_PAGE_NOALLOC (1u << 9)
/* The GPU VA hole of 48-bit address spaces (sign extension of bit 47). */
#define KAMDGPU_GMC_HOLE_START 0x0000800000000000ull
#define KAMDGPU_GMC_HOLE_END 0xffff800000000000ull

/* DRM_AMDGPU_CTX ops, priorities, stable power states. */
#define KAMDGPU_CTX_OP_ALLOC_CTX 1u
#define KAMDGPU_CTX_OP_FREE_CTX 2u
#define KAMDGPU_CTX_OP_QUERY_STATE 3u
#define KAMDGPU_CTX_OP_QUERY_STATE2 4u
#define KAMDGPU_CTX_OP_GET_STABLE_PSTATE 5u
#define KAMDGPU_CTX_OP_SET_STABLE_PSTATE 6u
#define KAMDGPU_CTX_PRIORITY_VERY_LOW (-1023)
#define KAMDGPU_CTX_PRIORITY_NORMAL 0
#define KAMDGPU_CTX_PRIORITY_HIGH 512
#define KAMDGPU_CTX_PRIORITY_VERY_HIGH 1023
#define KAMDGPU_CTX_STABLE_PSTATE_FLAGS_MASK 0xfu
#define KAMDGPU_CTX_STABLE_PSTATE_NONE 0u
#define KAMDGPU_CTX_STABLE_PSTATE_STANDARD 1u
#define KAMDGPU_CTX_STABLE_PSTATE_MIN_SCLK 2u
#define KAMDGPU_CTX_STABLE_PSTATE_MIN_MCLK 3u
#define KAMDGPU_CTX_STABLE_PSTATE_PEAK 4u
#define KAMDGPU_CTX_QUERY2_FLAGS_RESET (1u << 0)
#define KAMDGPU_CTX_QUERY2_FLAGS_VRAMLOST (1u << 1)
#define KAMDGPU_CTX_QUERY2_FLAGS_GUILTY (1u << 2)

/* DRM_AMDGPU_VM ops. */
#define KAMDGPU_VM_OP_RESERVE_VMID 1u
#define KAMDGPU_VM_OP_UNRESERVE_VMID 2u

/* AMDGPU_INFO_* query ids. */
#define KAMDGPU_INFO_ACCEL_WORKING 0x00u
#define KAMDGPU_INFO_CRTC_FROM_ID 0x01u
#define KAMDGPU_INFO_HW_IP_INFO 0x02u
#define KAMDGPU_INFO_HW_IP_COUNT 0x03u
#define KAMDGPU_INFO_TIMESTAMP 0x05u
#define KAMDGPU_INFO_FW_VERSION 0x0eu
#define KAMDGPU_INFO_NUM_BYTES_MOVED 0x0fu
#define KAMDGPU_INFO_VRAM_USAGE 0x10u
#define KAMDGPU_INFO_GTT_USAGE 0x11u
#define KAMDGPU_INFO_GDS_CONFIG 0x13u
#define KAMDGPU_INFO_VRAM_GTT 0x14u
#define KAMDGPU_INFO_READ_MMR_REG 0x15u
#define KAMDGPU_INFO_DEV_INFO 0x16u
#define KAMDGPU_INFO_VIS_VRAM_USAGE 0x17u
#define KAMDGPU_INFO_NUM_EVICTIONS 0x18u
#define KAMDGPU_INFO_MEMORY 0x19u
#define KAMDGPU_INFO_VCE_CLOCK_TABLE 0x1au
#define KAMDGPU_INFO_VBIOS 0x1bu
#define KAMDGPU_INFO_NUM_HANDLES 0x1cu
#define KAMDGPU_INFO_SENSOR 0x1du
#define KAMDGPU_INFO_NUM_VRAM_CPU_PAGE_FAULTS 0x1eu
#define KAMDGPU_INFO_VRAM_LOST_COUNTER 0x1fu
#define KAMDGPU_INFO_RAS_ENABLED_FEATURES 0x20u
#define KAMDGPU_INFO_VIDEO_CAPS 0x21u
#define KAMDGPU_INFO_MAX_IBS 0x22u
#define KAMDGPU_INFO_GPUVM_FAULT 0x23u
#define KAMDGPU_INFO_READ_MMR_REG_MAX_COUNT 128u
#define KAMDGPU_INFO_VIDEO_CAPS_DECODE 0u
#define KAMDGPU_INFO_VIDEO_CAPS_ENCODE 1u
#define KAMDGPU_INFO_VIDEO_CAPS_CODEC_IDX_COUNT 8u

/* AMDGPU_INFO_FW_* firmware types (query_fw.fw_type), VCE .. the last one this kernel knows. */
#define KAMDGPU_INFO_FW_VCE 0x1u
#define KAMDGPU_INFO_FW_UVD 0x2u
#define KAMDGPU_INFO_FW_GMC 0x3u
#define KAMDGPU_INFO_FW_GFX_ME 0x4u
#define KAMDGPU_INFO_FW_GFX_PFP 0x5u
#define KAMDGPU_INFO_FW_GFX_CE 0x6u
#define KAMDGPU_INFO_FW_GFX_RLC 0x7u
#define KAMDGPU_INFO_FW_GFX_MEC 0x8u
#define KAMDGPU_INFO_FW_SMC 0xau
#define KAMDGPU_INFO_FW_SDMA 0xbu
#define KAMDGPU_INFO_FW_SOS 0xcu
#define KAMDGPU_INFO_FW_ASD 0xdu
#define KAMDGPU_INFO_FW_VCN 0xeu
#define KAMDGPU_INFO_FW_MAX 0x1cu

/* AMDGPU_FAMILY_* and AMDGPU_VRAM_TYPE_* of drm_amdgpu_info_device. */
#define KAMDGPU_FAMILY_NV 143u
#define KAMDGPU_VRAM_TYPE_GDDR6 9u

/*
 * struct drm_amdgpu_info_device (AMDGPU_INFO_DEV_INFO) as an x86-64 kernel
 * lays it out, with the alignment gap after pa_sc_tile_steering_override
 * and the tail made explicit so that the layout is the same on every ABI
 * (440 bytes).
 */
struct kamdgpu_info_device {
   uint32_t device_id;
   uint32_t chip_rev;
   uint32_t external_rev;
   uint32_t pci_rev;
   uint32_t family;
   uint32_t num_shader_engines;
   uint32_t num_shader_arrays_per_engine;
   uint32_t gpu_counter_freq;            /* kHz */
   uint64_t max_engine_clock;            /* kHz */
   uint64_t max_memory_clock;            /* kHz */
   uint32_t cu_active_number;
   uint32_t cu_ao_mask;
   uint32_t cu_bitmap[4][4];
   uint32_t enabled_rb_pipes_mask;
   uint32_t num_rb_pipes;
   uint32_t num_hw_gfx_contexts;
   uint32_t pcie_gen;
   uint64_t ids_flags;
   uint64_t virtual_address_offset;
   uint64_t virtual_address_max;
   uint32_t virtual_address_alignment;
   uint32_t pte_fragment_size;
   uint32_t gart_page_size;
   uint32_t ce_ram_size;
   uint32_t vram_type;
   uint32_t vram_bit_width;
   uint32_t vce_harvest_config;
   uint32_t gc_double_offchip_lds_buf;
   uint64_t prim_buf_gpu_addr;
   uint64_t pos_buf_gpu_addr;
   uint64_t cntl_sb_buf_gpu_addr;
   uint64_t param_buf_gpu_addr;
   uint32_t prim_buf_size;
   uint32_t pos_buf_size;
   uint32_t cntl_sb_buf_size;
   uint32_t param_buf_size;
   uint32_t wave_front_size;
   uint32_t num_shader_visible_vgprs;
   uint32_t num_cu_per_sh;
   uint32_t num_tcc_blocks;
   uint32_t gs_vgt_table_depth;
   uint32_t gs_prim_buffer_depth;
   uint32_t max_gs_waves_per_vgt;
   uint32_t pcie_num_lanes;
   uint32_t cu_ao_bitmap[4][4];
   uint64_t high_va_offset;
   uint64_t high_va_max;
   uint32_t pa_sc_tile_steering_override;
   uint32_t _pad_x86_64;                 /* the x86-64 alignment gap */
   uint64_t tcc_disabled_mask;
   uint64_t min_engine_clock;
   uint64_t min_memory_clock;
   uint32_t tcp_cache_size;
   uint32_t num_sqc_per_wgp;
   uint32_t sqc_data_cache_size;
   uint32_t sqc_inst_cache_size;
   uint32_t gl1c_cache_size;
   uint32_t gl2c_cache_size;
   uint64_t mall_size;
   uint32_t enabled_rb_pipes_mask_hi;
   uint32_t shadow_size;
   uint32_t shadow_alignment;
   uint32_t csa_size;
   uint32_t csa_alignment;
   uint32_t _pad_tail;
};
_Static_assert(sizeof(struct kamdgpu_info_device) == 440, "drm_amdgpu_info_device size (x86-64)");
_Static_assert(offsetof(struct kamdgpu_info_device, pa_sc_tile_steering_override) == 352,
               "pa_sc_tile_steering_override offset");
_Static_assert(offsetof(struct kamdgpu_info_device, tcc_disabled_mask) == 360, "tcc_disabled_mask offset");

/* drm_amdgpu_gem_create_in: DRM_AMDGPU_GEM_CREATE's input and GEM_OP GET_GEM_CREATE_INFO's output. */
struct kamdgpu_gem_create_in {
   uint64_t bo_size;
   uint64_t alignment;
   uint64_t domains;
   uint64_t domain_flags;
};

/* The data part of drm_amdgpu_gem_metadata. */
struct kamdgpu_gem_metadata {
   uint64_t flags;
   uint64_t tiling_info;
   uint32_t data_size_bytes;
   uint32_t data[KAMDGPU_GEM_METADATA_MAX_DWORDS];
};

/* struct drm_amdgpu_gem_va. */
struct kamdgpu_gem_va {
   uint32_t handle;        /* ignored by CLEAR and by PRT mappings */
   uint32_t operation;     /* KAMDGPU_VA_OP_* */
   uint32_t flags;         /* KAMDGPU_VM_* */
   uint64_t va_address;
   uint64_t offset_in_bo;
   uint64_t map_size;
};

/* union drm_amdgpu_ctx: in (op, flags, ctx_id, priority) and out. */
struct kamdgpu_ctx {
   uint32_t op;
   uint32_t flags;
   uint32_t ctx_id;
   int32_t priority;
   /* out */
   uint32_t out_ctx_id;        /* ALLOC_CTX */
   uint32_t out_flags;         /* GET/SET_STABLE_PSTATE: the state; QUERY_STATE2: the flags */
   uint32_t out_hangs;         /* QUERY_STATE */
   uint32_t out_reset_status;  /* QUERY_STATE */
};

/*
 * DRM_AMDGPU_CS as the host issues it: handles are backend GEM handles
 * (translated from res_ids), ctx ids the kernel's. The syncobj chunks the
 * deployed host appends (the execbuffer's in-fence, its out-fence) are the
 * fence returned here and the core's ring fences.
 */
struct vdrm_backend_amdgpu_cs {
   uint32_t ctx_id;
   uint32_t nr_ibs;
   const struct drm_amdgpu_cs_chunk_ib *ibs;
   uint32_t nr_deps;
   const struct drm_amdgpu_cs_chunk_dep *deps;
   /* The BO list (AMDGPU_CHUNK_ID_BO_HANDLES), when has_bo_list. */
   uint32_t has_bo_list;
   uint32_t nr_bos;
   const struct drm_amdgpu_bo_list_entry *bos;
   /* The user fence (AMDGPU_CHUNK_ID_FENCE), when has_fence. */
   uint32_t has_fence;
   struct drm_amdgpu_cs_chunk_fence fence;
};

/* The amdgpu driver's ioctls, one operation each. */
struct vdrm_backend_amdgpu_ops {
   /*
    * DRM_AMDGPU_INFO: q->return_size bytes at out (return_pointer is not
    * read); the kernel writes at most that many and -EINVAL for size 0.
    */
   int (*info)(struct vdrm_backend_file *f, const struct drm_amdgpu_info *q, void *out);
   /* DRM_AMDGPU_GEM_CREATE. */
   int (*gem_create)(struct vdrm_backend_file *f, const struct kamdgpu_gem_create_in *in, uint32_t *handle);
   /* DRM_AMDGPU_GEM_METADATA: op SET (md in) or GET (md out). */
   int (*gem_metadata)(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, struct kamdgpu_gem_metadata *md);
   /* DRM_AMDGPU_GEM_OP: GET_GEM_CREATE_INFO fills *info; SET_PLACEMENT reads info->domains. */
   int (*gem_op)(struct vdrm_backend_file *f, uint32_t handle, uint32_t op, struct kamdgpu_gem_create_in *info);
   /* DRM_AMDGPU_GEM_VA. */
   int (*gem_va)(struct vdrm_backend_file *f, const struct kamdgpu_gem_va *va);
   /* DRM_AMDGPU_CTX. */
   int (*ctx)(struct vdrm_backend_file *f, struct kamdgpu_ctx *args);
   /* DRM_AMDGPU_VM: op RESERVE_VMID or UNRESERVE_VMID. */
   int (*vm)(struct vdrm_backend_file *f, uint32_t op, uint32_t flags);
   /*
    * DRM_AMDGPU_CS. On success *seq is the submission's sequence number on
    * the entity of its last IB and *fence a new reference to its completion.
    */
   int (*cs)(struct vdrm_backend_file *f, const struct vdrm_backend_amdgpu_cs *cs, uint64_t *seq,
             struct vdrm_backend_fence **fence);
   /*
    * DRM_AMDGPU_WAIT_CS with a relative timeout (0: just ask): *busy 1 when
    * the submission has not completed when the call returns, 0 when it has.
    */
   int (*wait_cs)(struct vdrm_backend_file *f, uint32_t ctx_id, uint32_t ip_type, uint32_t ip_instance,
                  uint32_t ring, uint64_t seq, int64_t timeout_ns, uint32_t *busy);
};

#endif /* VH_AMDGPU_KERNEL_H_ */
