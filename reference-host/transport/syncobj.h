/* SPDX-License-Identifier: MIT */

/*
 * DRM syncobjs, kept by the transport (the sim has no kernel syncobjs).
 *
 * A syncobj has a binary payload and a timeline. The binary payload is
 * none, signalled, or pending on a fence descriptor: any descriptor that
 * polls readable once its fence has signalled (a submit's eventfd, or a
 * sync file a client imported), so a payload outlives the submit or client
 * that installed it, as a kernel fence does. The timeline is the highest
 * point signalled and the highest point a submit will signal.
 *
 * Syncobjs are reference-counted: a client's handle table holds one
 * reference per handle, a pending submit one per timeline point it will
 * signal. DRM_SYNC_HANDLE_TO_FD gives a syncobj a token (a memfd the server
 * keeps open, so its inode stays unique) and DRM_SYNC_FD_TO_HANDLE finds the
 * syncobj by the inode of the descriptor it is given, in any client of the
 * server: how a kernel shares a syncobj between processes. Unlike a kernel
 * syncobj file, a token does not keep its syncobj alive: once the last
 * handle and submit let go of it, its descriptor imports nothing.
 */

#ifndef VT_SYNCOBJ_H_
#define VT_SYNCOBJ_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "idmap.h"

/* Kernel UAPI values (drm.h). */
#define VT_SYNCOBJ_CREATE_SIGNALED 0x1u
#define VT_SYNCOBJ_WAIT_ALL 0x1u
#define VT_SYNCOBJ_WAIT_FOR_SUBMIT 0x2u
#define VT_SYNCOBJ_WAIT_AVAILABLE 0x4u

struct vt_syncobj_registry;

struct vt_syncobj {
   uint32_t refs;
   bool binary_fence;          /* a binary payload is installed */
   bool binary_signaled;
   int binary_fd;              /* a pending payload's fence descriptor, or -1 */
   uint64_t point;             /* highest timeline point signalled */
   uint64_t pending_point;     /* highest point a submit will signal */
   /* Its token, once exported (DRM_SYNC_HANDLE_TO_FD). */
   struct vt_syncobj_registry *registry;
   struct vt_syncobj *reg_prev, *reg_next;
   int token_fd;
   dev_t token_dev;
   ino_t token_ino;
};

/* The syncobjs of a server that have a token. */
struct vt_syncobj_registry {
   struct vt_syncobj *head;
};

/* One client's handles. */
struct vt_syncobjs {
   struct vh_idmap map;
   uint32_t next;
   uint32_t max;
};

void vt_syncobjs_init(struct vt_syncobjs *t, uint32_t max);
/* Drops every handle's reference. */
void vt_syncobjs_fini(struct vt_syncobjs *t);
/* 0, -ENOSPC at the limit, -ENOMEM. */
int vt_syncobj_create(struct vt_syncobjs *t, uint32_t flags, uint32_t *handle);
/* A new handle of an existing syncobj (a reference taken): 0, -ENOSPC, -ENOMEM. */
int vt_syncobj_add(struct vt_syncobjs *t, struct vt_syncobj *s, uint32_t *handle);
struct vt_syncobj *vt_syncobj_get(struct vt_syncobjs *t, uint32_t handle);
/* 0 or -ENOENT. */
int vt_syncobj_destroy(struct vt_syncobjs *t, uint32_t handle);

void vt_syncobj_ref(struct vt_syncobj *s);
void vt_syncobj_unref(struct vt_syncobj *s);

/*
 * The binary payload becomes pending on fence_fd (the syncobj owns it from
 * now on, even on failure); 0 or -EINVAL for a negative descriptor.
 */
int vt_syncobj_install_fd(struct vt_syncobj *s, int fence_fd);
/* A submit will signal point (> 0). */
void vt_syncobj_install_point(struct vt_syncobj *s, uint64_t point);
/* The submit that promised point signalled it. */
void vt_syncobj_signal_point(struct vt_syncobj *s, uint64_t point);
/* Signals at once (DRM_SYNC_SIGNAL with point 0, TIMELINE_SIGNAL). */
void vt_syncobj_signal_now(struct vt_syncobj *s, uint64_t point);
/* No binary payload any more. */
void vt_syncobj_reset(struct vt_syncobj *s);

/* Whether point (0: binary) is signalled (looks at a pending payload's descriptor). */
bool vt_syncobj_ready(struct vt_syncobj *s, uint64_t point);
/* Whether a fence for point exists at all. */
bool vt_syncobj_has_fence(const struct vt_syncobj *s, uint64_t point);

/*
 * A descriptor of the binary payload's fence, owned by the caller: a dup of
 * the pending one, or a new eventfd already signalled. -EINVAL without a
 * payload (as the kernel), -errno when no descriptor can be made.
 */
int vt_syncobj_export_fence(struct vt_syncobj *s, int *fd);

/* A descriptor of the syncobj's token, owned by the caller; 0 or -errno. */
int vt_syncobj_export_token(struct vt_syncobj_registry *r, struct vt_syncobj *s, int *fd);
/* The syncobj whose token fd is a descriptor of, or NULL. */
struct vt_syncobj *vt_syncobj_lookup_token(struct vt_syncobj_registry *r, int fd);

#endif /* VT_SYNCOBJ_H_ */
