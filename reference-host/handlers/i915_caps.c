/* SPDX-License-Identifier: MIT */

/* The i915 part of the capability set: where the GPU sits on the PCI bus, read from the device. */

#include <errno.h>

#include "backend.h"
#include "drm_hw.h"
#include "i915_kernel.h"

int vh_i915_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

int
vh_i915_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps)
{
   const struct vdrm_backend_i915_ops *k = f->dev->ops->i915;
   struct ki915_pci_info pci;
   int32_t chipset;

   if (!k || k->get_pci_info(f, &pci))
      return -EINVAL;
   /* A device whose driver does not answer CHIPSET_ID is no i915 device a guest can drive. */
   if (k->getparam(f, KI915_PARAM_CHIPSET_ID, &chipset))
      return -EINVAL;
   caps->u.intel.pci_domain = pci.domain;
   caps->u.intel.pci_bus = pci.bus;
   caps->u.intel.pci_dev = pci.dev;
   caps->u.intel.pci_func = pci.func;
   caps->u.intel.pci_device_id = pci.device_id ? pci.device_id : (uint32_t)chipset;
   caps->u.intel.pci_revision_id = pci.revision_id;
   return 0;
}
