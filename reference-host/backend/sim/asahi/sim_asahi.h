/* SPDX-License-Identifier: MIT */

/*
 * The asahi sim backend: a software fake of the asahi kernel driver (Apple
 * AGX) with real state, on the sim's generic parts (sim_internal.h: memfd
 * GEM objects whose exported fd maps the data, the sim clock, in-order
 * timelines of submits whose fences signal on it).
 *
 *  - GEM_CREATE: 16 KiB pages, WRITEBACK and VM_PRIVATE (a private object
 *    belongs to one VM and maps only there).
 *  - VMs: several per file, each with the kernel's reserved window chosen
 *    at VM_CREATE (inside the profile's [vm_start, vm_end), at least
 *    vm_kernel_min_size); VM_BIND maps and unmaps page-aligned ranges with
 *    the kernel's range checks; a map over mapped addresses replaces what
 *    was there (splitting mappings), an unmap removes whatever lies in its
 *    range. A mapping keeps its object alive; a VM lives while queues use it.
 *  - Queues on a VM with the kernel's priority rules (HIGH and REALTIME need
 *    a privileged caller), one timeline per priority.
 *  - Objects made with GEM_BIND_OBJECT (timestamp buffers), inside their
 *    buffer, keeping it alive until UNBIND.
 *  - SUBMIT: the command buffer walked as the kernel walks it (headers,
 *    sizes, command types, barriers, the profile's limits on commands and
 *    attachments); implicit sync on the external objects (a submit starts
 *    after the pending writers of what it reads and every pending user of
 *    what it writes). A render or compute command whose first word is
 *    VDRM_SIM_HANG_MAGIC faults.
 *  - GET_PARAMS from a device profile (an Apple G13G, M1).
 */

#ifndef VDRM_SIM_ASAHI_H_
#define VDRM_SIM_ASAHI_H_

#include <stdint.h>

#include "asahi_kernel.h"
#include "backend.h"
#include "sim.h"

struct vdrm_sim_asahi_profile {
   const char *name;
   struct drm_asahi_params_global params;   /* parameter group 0 */
   struct vdrm_backend_version version;
};

/* Apple M1 (T8103), GPU G13G revision C0: 8 clusters of one core. */
extern const struct vdrm_sim_asahi_profile vdrm_sim_asahi_profile_g13g;

struct vdrm_sim_asahi_stats {
   uint64_t get_params;
   uint64_t get_params_size;    /* size of the last GET_PARAMS */
   uint64_t vm_binds;           /* accepted VM_BIND ioctls */
   uint64_t bind_ops;           /* ops they applied */
   uint64_t commands;           /* render and compute commands of accepted submits */
   uint64_t syncs;              /* implicit-sync objects of accepted submits */
   uint64_t syncs_skipped;      /* of them, VM_PRIVATE ones */
   uint32_t last_submit_flags;  /* flags of the last submit asked for */
   uint32_t vms;                /* live VMs (destroyed ones a queue still uses included) */
   uint32_t bound_objects;      /* live GEM_BIND_OBJECT objects */
};

/* A mapping as the fake kernel holds it, for tests. */
struct vdrm_sim_asahi_mapping {
   uint64_t start;
   uint64_t end;                /* exclusive */
   uint64_t offset;             /* into the object at start */
   uint32_t flags;              /* KASAHI_BIND_* */
   uint64_t object_size;
};

/* config->profile is ignored (msm only); profile NULL: G13G. */
int vdrm_sim_asahi_create(const struct vdrm_sim_config *config, const struct vdrm_sim_asahi_profile *profile,
                          struct vdrm_backend **dev);
void vdrm_sim_asahi_get_stats(struct vdrm_backend *dev, struct vdrm_sim_asahi_stats *stats);
/* The mapping covering addr in VM vm_id of the most recently opened file that has that VM. */
int vdrm_sim_asahi_find_mapping(struct vdrm_backend *dev, uint32_t vm_id, uint64_t addr,
                                struct vdrm_sim_asahi_mapping *out);
/* Mappings of that VM. */
uint32_t vdrm_sim_asahi_mapping_count(struct vdrm_backend *dev, uint32_t vm_id);

#endif /* VDRM_SIM_ASAHI_H_ */
