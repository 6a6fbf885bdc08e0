/* SPDX-License-Identifier: MIT */

/*
 * A client's DRM syncobjs, kept by the transport (the sim has no kernel
 * syncobjs): each is a binary payload (a fence installed by a submit or a
 * signal, signalled or not) and a timeline (the highest point signalled).
 * Submits that name a syncobj as an out-syncobj install their fence in it;
 * when that fence retires (vdrm_host_fence_poll) the payload signals.
 */

#ifndef VT_SYNCOBJ_H_
#define VT_SYNCOBJ_H_

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"

/* Kernel UAPI values (drm.h). */
#define VT_SYNCOBJ_CREATE_SIGNALED 0x1u
#define VT_SYNCOBJ_WAIT_ALL 0x1u
#define VT_SYNCOBJ_WAIT_FOR_SUBMIT 0x2u
#define VT_SYNCOBJ_WAIT_AVAILABLE 0x4u

struct vt_syncobj {
   bool binary_fence;          /* a binary payload is installed */
   bool binary_signaled;
   uint32_t binary_gen;        /* which install the payload is (a reset starts another) */
   uint64_t point;             /* highest timeline point signalled */
   uint64_t pending_point;     /* highest point a submit will signal */
};

struct vt_syncobjs {
   struct vh_idmap map;
   uint32_t next;
   uint32_t max;
};

void vt_syncobjs_init(struct vt_syncobjs *t, uint32_t max);
void vt_syncobjs_fini(struct vt_syncobjs *t);
/* 0, -ENOSPC at the limit, -ENOMEM. */
int vt_syncobj_create(struct vt_syncobjs *t, uint32_t flags, uint32_t *handle);
struct vt_syncobj *vt_syncobj_get(struct vt_syncobjs *t, uint32_t handle);
/* 0 or -ENOENT. */
int vt_syncobj_destroy(struct vt_syncobjs *t, uint32_t handle);

/* Installs a pending payload at point (0: binary); returns the binary generation. */
uint32_t vt_syncobj_install(struct vt_syncobj *s, uint64_t point);
/* Signals the payload install() returned gen for. */
void vt_syncobj_signal(struct vt_syncobj *s, uint64_t point, uint32_t gen);
/* Signals at once (DRM_SYNC_SIGNAL, TIMELINE_SIGNAL). */
void vt_syncobj_signal_now(struct vt_syncobj *s, uint64_t point);
void vt_syncobj_reset(struct vt_syncobj *s);

/* Whether point (0: binary) is signalled, and whether a fence for it exists at all. */
bool vt_syncobj_ready(const struct vt_syncobj *s, uint64_t point);
bool vt_syncobj_has_fence(const struct vt_syncobj *s, uint64_t point);

#endif /* VT_SYNCOBJ_H_ */
