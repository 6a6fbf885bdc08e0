/* SPDX-License-Identifier: MIT */

/*
 * The sim backend's panfrost device: a software fake of the panfrost kernel
 * driver with real state, on the sim's generic parts (memfd GEM objects and
 * handles, PRIME export, the GPU address ranges of a file, the monotonic or
 * manual clock):
 *
 *  - CREATE_BO: the kernel's checks (size non-zero, known flags, HEAP only
 *    with NOEXEC), sizes page aligned (heaps to 2 MiB), and the GPU address
 *    the kernel chooses in the file's address space [32 MiB, 4 GiB):
 *    executable buffers aligned to their size (never crossing a 16 MiB
 *    boundary), NOEXEC buffers of 2 MiB or more to 2 MiB; -ENOSPC when full.
 *  - MMAP_BO: fake offsets from 4 GiB (DRM_FILE_PAGE_OFFSET_START), one per
 *    object; heaps refused. GET_BO_OFFSET, WAIT_BO (absolute deadline:
 *    -EBUSY when already past, -ETIMEDOUT after waiting), MADVISE (purged
 *    buffers stay purged; vdrm_sim_panfrost_reclaim() is the shrinker).
 *  - SUBMIT: jc non-zero, known requirements, every handle known; the job
 *    runs on slot 0 (FS) or 1 after the previous job of its slot and after
 *    every pending job sharing one of its buffers (implicit sync), job_ns of
 *    GPU time; a job whose jc lies in no mapped buffer, or that uses a purged
 *    one, faults (counted). Its out-fence signals when it completes.
 *  - GET_PARAM from a device profile (a Mali-G57), timestamps from the clock.
 *
 * vdrm_sim_advance() and vdrm_sim_now() work on this device too.
 */

#ifndef VDRM_SIM_PANFROST_H_
#define VDRM_SIM_PANFROST_H_

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "panfrost_kernel.h"
#include "sim.h"

struct vdrm_sim_panfrost_profile {
   const char *name;
   uint32_t gpu_prod_id;
   uint32_t gpu_revision;
   uint64_t shader_present;
   uint64_t tiler_present;
   uint64_t l2_present;
   uint64_t stack_present;
   uint32_t as_present;
   uint32_t js_present;
   uint32_t l2_features;
   uint32_t core_features;
   uint32_t tiler_features;
   uint32_t mem_features;
   uint32_t mmu_features;
   uint32_t thread_features;
   uint32_t max_threads;
   uint32_t thread_max_workgroup_sz;
   uint32_t thread_max_barrier_sz;
   uint32_t coherency_features;
   uint32_t texture_features[4];
   uint32_t js_features[16];
   uint32_t nr_core_groups;
   uint32_t thread_tls_alloc;
   uint32_t afbc_features;
   uint64_t timestamp_hz;
   uint32_t max_param;          /* the newest DRM_PANFROST_PARAM_* this kernel knows */
   bool wb_mmap;                /* PANFROST_BO_WB_MMAP known */
   struct vdrm_backend_version version;
};

/* Mali-G57 MC5 (Valhall, job manager): representative values, not a particular board. */
extern const struct vdrm_sim_panfrost_profile vdrm_sim_profile_mali_g57;

struct vdrm_sim_panfrost_config {
   const struct vdrm_sim_panfrost_profile *profile;   /* NULL: Mali-G57 */
   enum vdrm_sim_clock clock;
   uint64_t job_ns;             /* GPU time of one job; 0 completes at once */
};

struct vdrm_sim_panfrost_stats {
   uint64_t ioctls;             /* every panfrost operation asked for */
   uint64_t get_params;
   uint64_t bos_created;
   uint64_t submits;            /* accepted jobs */
   uint64_t submit_calls;       /* SUBMITs asked for, accepted or not */
   uint64_t faults;             /* jobs that faulted */
   uint64_t mmap_offsets;       /* fake mmap offsets handed out */
   uint64_t last_mmap_offset;
   uint64_t waits;              /* WAIT_BOs */
   uint64_t blocking_waits;     /* WAIT_BOs whose deadline was still ahead */
   uint64_t purged;             /* buffers the shrinker reclaimed */
   uint64_t last_jc;
   uint32_t last_bo_count;      /* bo_handle_count of the last SUBMIT asked for */
   uint32_t last_requirements;
   uint32_t files;              /* open files */
   uint32_t objects;            /* live GEM objects */
   uint32_t mappings;           /* GPU address ranges in use */
   uint32_t pending;            /* jobs not completed */
   uint32_t fences;             /* live job fences */
};

int vdrm_sim_panfrost_create(const struct vdrm_sim_panfrost_config *config, struct vdrm_backend **dev);
void vdrm_sim_panfrost_get_stats(struct vdrm_backend *dev, struct vdrm_sim_panfrost_stats *stats);
/* The shrinker: purges every idle DONTNEED buffer (contents lost); returns how many. */
uint32_t vdrm_sim_panfrost_reclaim(struct vdrm_backend *dev);

#endif /* VDRM_SIM_PANFROST_H_ */
