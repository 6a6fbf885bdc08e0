/* SPDX-License-Identifier: MIT */

/*
 * The sim backend: a software fake of the msm kernel driver with real state.
 *
 *  - GEM objects backed by memfd: the blob fd a guest maps is (a dup of) the
 *    object's memfd, so what GEM_UPLOAD writes is visible through it.
 *  - A GPU address space per open file: iovas page aligned, inside the
 *    profile's va range, never overlapping; an address stays reserved until
 *    the object is idle after it was released.
 *  - Submitqueues with the kernel's priority and flag checks, and submits
 *    checked as DRM_MSM_GEM_SUBMIT checks them (pipe, flags, bo flags and
 *    handles, duplicates, cmd types, cmd ranges inside their buffers, no
 *    relocations, fence seqnos non-zero and unused).
 *  - Fences: each submit completes submit_ns after the previous one of its
 *    priority level finished (so they retire in order), on a monotonic clock
 *    or on a manual one that only vdrm_sim_advance() moves.
 *  - GET_PARAM answers from a device profile (Adreno 6xx or 7xx).
 *  - A command buffer whose first dword is VDRM_SIM_HANG_MAGIC "hangs": the
 *    submit completes with a fault counted for its queue and the device.
 */

#ifndef VDRM_SIM_H_
#define VDRM_SIM_H_

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "msm_kernel.h"

/* What GET_PARAM answers and the capset is filled from. */
struct vdrm_sim_profile {
   const char *name;
   uint32_t gpu_id;
   uint64_t chip_id;
   uint32_t gmem_size;
   uint64_t gmem_base;
   uint32_t max_freq;
   uint32_t priorities;        /* MSM_PARAM_PRIORITIES */
   uint64_t va_start;
   uint64_t va_size;
   uint32_t highest_bank_bit;
   uint64_t ubwc_swizzle;
   uint64_t macrotile_mode;
   uint32_t raytracing;
   uint64_t uche_trap_base;
   uint32_t has_prr;
   bool preemption;            /* MSM_SUBMITQUEUE_ALLOW_PREEMPT accepted */
   bool cached_coherent;       /* MSM_BO_CACHED_COHERENT accepted */
   uint32_t max_param;         /* the newest MSM_PARAM_* this kernel knows */
   uint64_t timestamp_hz;      /* the always-on counter MSM_PARAM_TIMESTAMP reads */
   struct vdrm_backend_version version;
};

/* Adreno 630 (a6xx, one ring) and Adreno 740 (a7xx, four rings, preemption). */
extern const struct vdrm_sim_profile vdrm_sim_profile_a630;
extern const struct vdrm_sim_profile vdrm_sim_profile_a740;

enum vdrm_sim_clock {
   VDRM_SIM_CLOCK_MONOTONIC,   /* CLOCK_MONOTONIC plus whatever vdrm_sim_advance() added */
   VDRM_SIM_CLOCK_MANUAL,      /* only vdrm_sim_advance() moves time */
};

/* A kernel that accepts any submitqueue priority (to test the host's ring bound). */
#define VDRM_SIM_QUIRK_ANY_PRIORITY 0x1u

struct vdrm_sim_config {
   const struct vdrm_sim_profile *profile;   /* NULL: a630 */
   enum vdrm_sim_clock clock;
   uint64_t submit_ns;          /* GPU time of one submit; 0 retires at once */
   bool privileged;             /* the host has CAP_SYS_RAWIO: MSM_SUBMIT_SUDO is honoured */
   uint32_t quirks;             /* VDRM_SIM_QUIRK_* */
};

/* First dword of a command buffer that makes its submit fault. */
#define VDRM_SIM_HANG_MAGIC 0xdead600du

/* What the fake kernel has seen and holds, for tests. */
struct vdrm_sim_stats {
   uint64_t ioctls;             /* every operation a file was asked for */
   uint64_t get_params;
   uint64_t submits;            /* accepted submits */
   uint64_t privileged_submits; /* accepted with MSM_SUBMIT_SUDO */
   uint64_t relocs_seen;        /* submits whose cmds had nr_relocs or relocs non-zero */
   uint64_t sudo_seen;          /* submits asking for MSM_SUBMIT_SUDO */
   uint64_t param_len_seen;     /* GET_PARAMs with a non-zero len */
   uint64_t faults;             /* device-wide GPU faults (MSM_PARAM_FAULTS) */
   uint32_t last_submit_flags;  /* flags of the last submit asked for */
   uint32_t files;              /* open files */
   uint32_t objects;            /* live GEM objects */
   uint32_t mappings;           /* reserved GPU address ranges */
   uint32_t queues;             /* live submitqueues (closed ones with pending work included) */
   uint32_t pending;            /* submits not retired */
   uint32_t fences;             /* live fence objects */
   char last_name[KMSM_GEM_NAME_SIZE];   /* the last GEM name set */
   char last_comm[64];          /* the last MSM_PARAM_COMM set (truncated here) */
   char last_cmdline[64];       /* the last MSM_PARAM_CMDLINE set (truncated here) */
};

int vdrm_sim_create(const struct vdrm_sim_config *config, struct vdrm_backend **dev);
/* Moves the clock forward (any clock kind). */
void vdrm_sim_advance(struct vdrm_backend *dev, uint64_t ns);
uint64_t vdrm_sim_now(struct vdrm_backend *dev);
void vdrm_sim_get_stats(struct vdrm_backend *dev, struct vdrm_sim_stats *stats);
const struct vdrm_sim_profile *vdrm_sim_get_profile(struct vdrm_backend *dev);

#endif /* VDRM_SIM_H_ */
