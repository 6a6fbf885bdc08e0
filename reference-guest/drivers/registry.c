/* SPDX-License-Identifier: MIT */

/* The contexts the CLI runs: one line each. */

#include <string.h>

#include "driver.h"

const struct vg_driver_ops *const vg_drivers[] = {
   &vg_msm_driver,
   &vg_amdgpu_driver,
   &vg_i915_driver,
   &vg_asahi_driver,
   &vg_panfrost_driver,
   NULL,
};

const struct vg_driver_ops *
vg_driver_find(const char *name)
{
   for (const struct vg_driver_ops *const *d = vg_drivers; *d; d++) {
      if (strcmp((*d)->name, name) == 0)
         return *d;
   }
   return NULL;
}
