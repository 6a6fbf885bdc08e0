/* SPDX-License-Identifier: MIT */

/*
 * The sim backend's amdgpu device: a software fake of the amdgpu kernel
 * driver with real state, on the sim's generic parts (memfd GEM objects and
 * handles, so a blob fd maps what the GPU would see; PRIME export; the
 * monotonic or manual clock):
 *
 *  - GEM_CREATE: known domains and flags, sizes page rounded, charged to
 *    the VRAM (and CPU-visible VRAM with CPU_ACCESS_REQUIRED) or GTT heap,
 *    -ENOMEM when the heap is full; ENCRYPTED without TMZ refused;
 *    VM_ALWAYS_VALID objects cannot be exported. GEM_METADATA (at most 64
 *    dwords), GEM_OP GET_GEM_CREATE_INFO.
 *  - GEM_VA: a GPU address space per file with the kernel's checks: the
 *    valid and PRT flag sets, the reserved bottom, the 48-bit hole and the
 *    high range, page alignment, ranges inside their buffer, MAP refusing
 *    overlaps, UNMAP by start address, CLEAR and REPLACE splitting what they
 *    cut; closing a handle removes its mappings.
 *  - CTX: ids from 1, priorities in [-1023, 1023] and above NORMAL only
 *    when privileged, the stable power state held by one context of the
 *    device at a time (-EBUSY for the others), QUERY_STATE2 reporting a
 *    context whose submission faulted. VM: the reserved VMID of a file.
 *  - CS: every IB on an existing ring of instance 0 of its IP type, BO list
 *    handles known (-ENOENT), the user fence in a one-page buffer, every
 *    dependency naming a live context and a submitted sequence number. A
 *    submission gets the next sequence number of the entity (context, IP,
 *    ring) of its last IB and runs submit_ns after the later of the previous
 *    job of its hardware ring and its dependencies, so a ring retires in
 *    order. On completion the GPU writes the 64-bit sequence number at the
 *    user fence. An IB whose range is not inside a mapped buffer faults: the
 *    fault is counted, GPUVM_FAULT reports its address, the context reports a
 *    reset. WAIT_CS waits for a sequence number on an entity.
 *  - INFO from a device profile (Navi 21: Radeon RX 6800 XT): DEV_INFO,
 *    HW_IP_INFO/COUNT for GFX, COMPUTE, SDMA and VCN rings, firmware
 *    versions, heap sizes and usage, GDS, video caps, timestamps from the
 *    clock, MAX_IBS, GPUVM_FAULT; -EINVAL for what the kernel refuses.
 */

#ifndef VDRM_SIM_AMDGPU_H_
#define VDRM_SIM_AMDGPU_H_

#include <stdbool.h>
#include <stdint.h>

#include "amdgpu_kernel.h"
#include "backend.h"
#include "sim.h"

struct vdrm_sim_amdgpu_ip {
   uint32_t available_rings;      /* instance 0's ring mask; 0: no such IP */
   uint32_t version_major;
   uint32_t version_minor;
   uint32_t ip_discovery_version;
   uint32_t ib_start_alignment;
   uint32_t ib_size_alignment;
   uint32_t max_ibs;              /* AMDGPU_INFO_MAX_IBS */
};

struct vdrm_sim_amdgpu_profile {
   const char *name;
   struct kamdgpu_info_device dev_info;
   struct vdrm_sim_amdgpu_ip ip[KAMDGPU_HW_IP_NUM];
   uint64_t vram_size;
   uint64_t vis_vram_size;
   uint64_t gtt_size;
   uint64_t reserved_vram;        /* kernel reservations subtracted from usable VRAM */
   struct drm_amdgpu_info_gds gds;
   struct drm_amdgpu_info_video_caps decode_caps;
   struct drm_amdgpu_info_video_caps encode_caps;
   struct drm_amdgpu_info_firmware fw[KAMDGPU_INFO_FW_MAX + 1];
   bool tmz;                      /* AMDGPU_GEM_CREATE_ENCRYPTED accepted */
   struct vdrm_backend_version version;
};

/* Navi 21 (RDNA2, gfx10.3): a Radeon RX 6800 XT with 16 GiB of GDDR6, no resizable BAR. */
extern const struct vdrm_sim_amdgpu_profile vdrm_sim_profile_navi21;

struct vdrm_sim_amdgpu_config {
   const struct vdrm_sim_amdgpu_profile *profile;   /* NULL: Navi 21 */
   enum vdrm_sim_clock clock;
   uint64_t submit_ns;            /* GPU time of one job; 0 completes at once */
   bool privileged;               /* CAP_SYS_NICE: context priorities above NORMAL granted */
};

struct vdrm_sim_amdgpu_stats {
   uint64_t ioctls;               /* every operation a file was asked for */
   uint64_t infos;                /* INFO queries, by any id */
   uint64_t info_seen[0x40];      /* INFO queries per id (ids below 0x40) */
   uint64_t submits;              /* accepted submissions */
   uint64_t faults;               /* jobs that faulted */
   uint64_t va_ops;               /* GEM_VA calls */
   uint64_t ctx_ops[8];           /* DRM_AMDGPU_CTX calls per op */
   uint64_t wait_cs_timeout_max;  /* the longest WAIT_CS timeout asked for, ns */
   uint64_t vram_usage;
   uint64_t vis_vram_usage;
   uint64_t gtt_usage;
   uint32_t files;
   uint32_t objects;              /* live GEM objects */
   uint32_t mappings;             /* GPU VA mappings */
   uint32_t contexts;             /* live kernel contexts */
   uint32_t pending;              /* jobs not retired */
   uint32_t fences;               /* live fence objects */
   uint32_t reserved_vmids;       /* files holding a reserved VMID */
   uint32_t pstate_owner;         /* ctx id holding the stable power state, 0: none */
   uint32_t pstate;               /* the device's stable power state */
   uint64_t last_fault_addr;
};

int vdrm_sim_amdgpu_create(const struct vdrm_sim_amdgpu_config *config, struct vdrm_backend **dev);
/* Moves the clock forward and retires what completed. */
void vdrm_sim_amdgpu_advance(struct vdrm_backend *dev, uint64_t ns);
uint64_t vdrm_sim_amdgpu_now(struct vdrm_backend *dev);
void vdrm_sim_amdgpu_get_stats(struct vdrm_backend *dev, struct vdrm_sim_amdgpu_stats *stats);
const struct vdrm_sim_amdgpu_profile *vdrm_sim_amdgpu_get_profile(struct vdrm_backend *dev);

#endif /* VDRM_SIM_AMDGPU_H_ */
