/* SPDX-License-Identifier: MIT */

/*
 * The sim backend's i915 device: a software fake of the i915 kernel driver
 * with real state, on the sim's generic parts (memfd GEM objects whose
 * exported fd maps the data, the sim clock).
 *
 *  - GEM objects (GEM_CREATE, GEM_CREATE_EXT with MEMORY_REGIONS,
 *    PROTECTED_CONTENT and SET_PAT walked as the kernel walks them), tiling,
 *    set-domain, busy, mmap offsets of the kinds the device has.
 *  - GEM contexts (the default context 0 and created ones) with their
 *    parameters, engine maps, VM, ban state and reset statistics; VMs by id,
 *    each with its own GPU address space (softpinned and kernel-placed
 *    bindings, never overlapping).
 *  - EXECBUFFER2 checked as the kernel checks it (flags, context, engine,
 *    objects, duplicates, pinned offsets, relocations applied to the
 *    buffers' memory with the targets' GPU addresses, batch range); each
 *    request completes submit_ns after the previous one on its engine, on
 *    the monotonic or manual sim clock. A batch whose first dword is
 *    VDRM_SIM_HANG_MAGIC hangs: its context is banned (EIO afterwards) and
 *    counted guilty.
 *  - GETPARAM and QUERY (engine info, memory regions, topology) from a
 *    device profile: Tiger Lake GT2 (Iris Xe, PCI 8086:9a49).
 */

#ifndef VDRM_SIM_I915_H_
#define VDRM_SIM_I915_H_

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "i915_kernel.h"
#include "sim.h"

#define VDRM_SIM_I915_MAX_PARAM 64
#define VDRM_SIM_I915_MAX_ENGINES 8

struct vdrm_sim_i915_profile {
   const char *name;
   struct ki915_pci_info pci;
   /* GETPARAM answers by I915_PARAM_*: known[p] says the kernel knows p. */
   bool known[VDRM_SIM_I915_MAX_PARAM];
   int32_t param[VDRM_SIM_I915_MAX_PARAM];
   int32_t param_err[VDRM_SIM_I915_MAX_PARAM];   /* non-zero: GETPARAM fails with it */
   uint32_t num_engines;
   struct i915_engine_class_instance engines[VDRM_SIM_I915_MAX_ENGINES];
   uint64_t engine_caps[VDRM_SIM_I915_MAX_ENGINES];
   uint64_t system_memory;     /* probed size of the one system memory region */
   uint16_t max_slices, max_subslices, max_eus_per_subslice;
   uint8_t slice_mask, subslice_mask;
   uint16_t eu_mask;           /* per subslice */
   uint64_t gtt_size;          /* per-VM address space */
   uint64_t aperture;          /* global GTT */
   uint32_t timestamp_hz;
   uint32_t num_pat;           /* valid PAT indices */
   bool pxp;                   /* protected content available */
   struct vdrm_backend_version version;
};

extern const struct vdrm_sim_i915_profile vdrm_sim_profile_tgl;

struct vdrm_sim_i915_config {
   const struct vdrm_sim_i915_profile *profile;   /* NULL: Tiger Lake */
   enum vdrm_sim_clock clock;
   uint64_t submit_ns;
   bool privileged;            /* CAP_SYS_ADMIN: SECURE batches, unbannable contexts, reset counts */
};

struct vdrm_sim_i915_stats {
   uint64_t ioctls;
   uint64_t execbuffers;        /* accepted */
   uint64_t execbuffer_calls;   /* asked for */
   uint64_t unsafe_flags_seen;  /* calls with SECURE, FENCE_IN/SUBMIT/ARRAY or USE_EXTENSIONS */
   uint64_t relocs_applied;
   uint64_t hangs;
   uint64_t reset_stats_calls;
   uint64_t vm_calls;           /* VM_CREATE / VM_DESTROY asked for */
   uint64_t create_ext_calls;
   uint64_t context_create_calls;
   uint64_t chain_records;      /* extension records the kernel read (create and context create) */
   uint64_t last_exec_flags;
   uint64_t last_context_extensions;   /* extensions of the last context creation */
   uint64_t host_pointers_read; /* guest-chosen addresses the kernel would have read (VM, engines) */
   int32_t last_create_pat;     /* PAT index of the last GEM_CREATE_EXT, -1 without SET_PAT */
   bool last_create_protected;
   uint32_t last_create_regions;
   uint64_t last_create_size;   /* as the kernel allocated it */
   uint32_t last_mmap_mode;
   uint32_t files;
   uint32_t objects;
   uint32_t contexts;           /* created GEM contexts alive */
   uint32_t vms;                /* VM ids alive */
   uint32_t bindings;
   uint32_t pending;            /* requests not retired */
   uint32_t fences;             /* live request objects */
};

int vdrm_sim_i915_create(const struct vdrm_sim_i915_config *config, struct vdrm_backend **dev);
void vdrm_sim_i915_get_stats(struct vdrm_backend *dev, struct vdrm_sim_i915_stats *stats);

#endif /* VDRM_SIM_I915_H_ */
