/* SPDX-License-Identifier: MIT */

/* Device profiles and DRM_MSM_GET_PARAM / SET_PARAM as the kernel answers them. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

/*
 * Representative values of two Qualcomm parts; a profile is what a kernel
 * on that part reports, not a claim about any particular board.
 */
const struct vdrm_sim_profile vdrm_sim_profile_a630 = {
   .name = "Adreno 630 (sim)",
   .gpu_id = 630,
   .chip_id = 0x06030001,
   .gmem_size = 1024 * 1024,
   .gmem_base = 0x100000,
   .max_freq = 710000000,
   .priorities = 1 * SIM_SCHED_PRIORITIES,   /* one ring */
   .va_start = 0x100000000ull,
   .va_size = 0x100000000ull,
   .highest_bank_bit = 15,
   .ubwc_swizzle = 0x6,
   .macrotile_mode = 0,
   .raytracing = 0,
   .uche_trap_base = 0x1fffffffff000ull,
   .has_prr = 0,
   .preemption = false,
   .cached_coherent = false,
   .max_param = KMSM_PARAM_UCHE_TRAP_BASE,
   .timestamp_hz = 19200000,
   .version = { KMSM_VERSION_MAJOR, KMSM_VERSION_MINOR, KMSM_VERSION_PATCHLEVEL },
};

const struct vdrm_sim_profile vdrm_sim_profile_a740 = {
   .name = "Adreno 740 (sim)",
   .gpu_id = 740,
   .chip_id = 0x43050a01,
   .gmem_size = 3 * 1024 * 1024,
   .gmem_base = 0x100000,
   .max_freq = 680000000,
   .priorities = 4 * SIM_SCHED_PRIORITIES,   /* four rings */
   .va_start = 0x100000000ull,
   .va_size = 0xffff00000000ull,
   .highest_bank_bit = 16,
   .ubwc_swizzle = 0x6,
   .macrotile_mode = 1,
   .raytracing = 1,
   .uche_trap_base = 0x1fffffffff000ull,
   .has_prr = 1,
   .preemption = true,
   .cached_coherent = true,
   .max_param = KMSM_PARAM_HAS_PRR,
   .timestamp_hz = 19200000,
   .version = { KMSM_VERSION_MAJOR, KMSM_VERSION_MINOR, KMSM_VERSION_PATCHLEVEL },
};

static uint64_t
timestamp(struct sim_device *dev)
{
   uint64_t ns = sim_now(dev);
   uint64_t hz = dev->profile.timestamp_hz;

   /* ns * hz / 1e9 without overflowing 64 bits. */
   return ns / 1000000000u * hz + ns % 1000000000u * hz / 1000000000u;
}

int
sim_get_param(struct vdrm_backend_file *file, struct msm_ioctl_param *p)
{
   struct sim_file *f = sim_file(file);
   struct sim_device *dev = f->dev;
   const struct vdrm_sim_profile *prof = &dev->profile;

   dev->stats.ioctls++;
   dev->stats.get_params++;
   if (p->len)
      dev->stats.param_len_seen++;
   /* msm_ioctl_get_param(): only the 3D pipe; then adreno_get_param(): no pointer params. */
   if (p->pipe != KMSM_PIPE_3D0 || p->pad != 0)
      return -EINVAL;
   if (p->len != 0)
      return -EINVAL;
   if (p->param > prof->max_param)
      return -EINVAL;
   switch (p->param) {
   case KMSM_PARAM_GPU_ID: p->value = prof->gpu_id; return 0;
   case KMSM_PARAM_GMEM_SIZE: p->value = prof->gmem_size; return 0;
   case KMSM_PARAM_CHIP_ID: p->value = prof->chip_id; return 0;
   case KMSM_PARAM_MAX_FREQ: p->value = prof->max_freq; return 0;
   case KMSM_PARAM_TIMESTAMP: p->value = timestamp(dev); return 0;
   case KMSM_PARAM_GMEM_BASE: p->value = prof->gmem_base; return 0;
   case KMSM_PARAM_PRIORITIES: p->value = prof->priorities; return 0;
   case KMSM_PARAM_PP_PGTABLE: p->value = 0; return 0;
   case KMSM_PARAM_FAULTS:
      sim_retire(dev);
      p->value = dev->stats.faults;
      return 0;
   case KMSM_PARAM_SUSPENDS: p->value = 0; return 0;
   case KMSM_PARAM_VA_START: p->value = prof->va_start; return 0;
   case KMSM_PARAM_VA_SIZE: p->value = prof->va_size; return 0;
   case KMSM_PARAM_HIGHEST_BANK_BIT: p->value = prof->highest_bank_bit; return 0;
   case KMSM_PARAM_RAYTRACING: p->value = prof->raytracing; return 0;
   case KMSM_PARAM_UBWC_SWIZZLE: p->value = prof->ubwc_swizzle; return 0;
   case KMSM_PARAM_MACROTILE_MODE: p->value = prof->macrotile_mode; return 0;
   case KMSM_PARAM_UCHE_TRAP_BASE: p->value = prof->uche_trap_base; return 0;
   case KMSM_PARAM_HAS_PRR: p->value = prof->has_prr; return 0;
   default:
      /* Write-only parameters (SYSPROF, COMM, CMDLINE, EN_VM_BIND) and unknown ones. */
      return -EINVAL;
   }
}

int
sim_set_param(struct vdrm_backend_file *file, uint32_t param, const void *data, uint32_t len)
{
   struct sim_file *f = sim_file(file);
   char **slot;
   char *s;

   f->dev->stats.ioctls++;
   switch (param) {
   case KMSM_PARAM_COMM: slot = &f->comm; break;
   case KMSM_PARAM_CMDLINE: slot = &f->cmdline; break;
   case KMSM_PARAM_SYSPROF: return -EPERM;   /* needs CAP_SYS_ADMIN */
   default: return -EINVAL;
   }
   /* memdup_user_nul(): the string plus a NUL. */
   s = malloc((size_t)len + 1);
   if (!s)
      return -ENOMEM;
   if (len)
      memcpy(s, data, len);
   s[len] = '\0';
   free(*slot);
   *slot = s;
   if (param == KMSM_PARAM_COMM)
      snprintf(f->dev->stats.last_comm, sizeof(f->dev->stats.last_comm), "%s", s);
   else
      snprintf(f->dev->stats.last_cmdline, sizeof(f->dev->stats.last_cmdline), "%s", s);
   return 0;
}
