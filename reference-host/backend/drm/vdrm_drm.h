/* SPDX-License-Identifier: MIT */

/*
 * The drm backend: the kernel backend interface (backend.h) on a real DRM
 * render node through libdrm. Each guest context gets its own open file of
 * the node, so GEM handles, queues and address spaces are the kernel's; a
 * fence is the sync_file a submit returns; a blob is a PRIME fd.
 *
 * The node is the one given, or the first render node whose driver serves
 * the context (msm, amdgpu, i915, asahi, panfrost).
 */

#ifndef VDRM_VDRM_DRM_H_
#define VDRM_VDRM_DRM_H_

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

struct vdrm_drm_config {
   /* VIRTGPU_DRM_CONTEXT_* to serve; 0: whatever driver names. */
   uint32_t context_type;
   /* The DRM driver name (drmGetVersion()->name); NULL: the context's driver. */
   const char *driver;
   /* The render node to open; NULL: scan /dev/dri for the driver. */
   const char *render_node;
   /* Where the reason of a failure is written, NUL-terminated (NULL: nowhere). */
   char *error;
   size_t error_size;
};

/*
 * 0 and *dev, or -EINVAL (no context type nor driver, or they disagree),
 * -ENODEV (no render node of that driver, or a driver this backend does not
 * drive), -ENOMEM, or the errno of opening the node.
 */
int vdrm_drm_create(const struct vdrm_drm_config *config, struct vdrm_backend **dev);

/* The path of the render node the device runs on. */
const char *vdrm_drm_get_node(struct vdrm_backend *dev);

#endif /* VDRM_VDRM_DRM_H_ */
