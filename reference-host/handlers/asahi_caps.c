/* SPDX-License-Identifier: MIT */

/*
 * The asahi part of the capability set. virgl_renderer_capset_drm has no
 * asahi member: the host fills only the common header (core/host.c) and
 * leaves u all zero; the guest reads drm_asahi_params_global with
 * GET_PARAMS. The device is still asked for its parameters here, as a
 * guest would, so that a host never offers a device it cannot describe.
 */

#include <errno.h>
#include <string.h>

#include "asahi_kernel.h"
#include "backend.h"
#include "drm_hw.h"

int vh_asahi_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

int
vh_asahi_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps)
{
   const struct vdrm_backend_asahi_ops *k = f->dev->ops->asahi;
   struct drm_asahi_params_global p;
   struct drm_asahi_get_params a = { .param_group = 0, .size = sizeof(p) };

   if (!k)
      return -EINVAL;
   memset(&p, 0, sizeof(p));
   if (k->get_params(f, &a, &p) || p.gpu_generation == 0 || p.vm_end <= p.vm_start)
      return -EINVAL;
   memset(&caps->u, 0, sizeof(caps->u));
   return 0;
}
