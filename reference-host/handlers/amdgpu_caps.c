/* SPDX-License-Identifier: MIT */

/*
 * The amdgpu part of the capability set, read from the device through an
 * open of it like a guest context's: AMDGPU_INFO_DEV_INFO for the 32-bit
 * address range and, in builds with ENABLE_DRM_AMDGPU (whose capset holds
 * libdrm's structs), the buffer size alignments and amdgpu_gpu_info; the
 * marketing name from the PCI ids of the device.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "amdgpu_kernel.h"
#include "backend.h"
#include "drm_hw.h"

int vh_amdgpu_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps);

/* The names libdrm's amdgpu.ids gives the Navi 21 boards (device 0x73bf by PCI revision). */
static const struct {
   uint32_t device_id;
   uint32_t pci_rev;
   const char *name;
} names[] = {
   { 0x73bf, 0xc0, "AMD Radeon RX 6900 XT" },
   { 0x73bf, 0xc1, "AMD Radeon RX 6800 XT" },
   { 0x73bf, 0xc3, "AMD Radeon RX 6800" },
};

int
vh_amdgpu_fill_capset(struct vdrm_backend_file *f, struct virgl_renderer_capset_drm *caps)
{
   const struct vdrm_backend_amdgpu_ops *k = f->dev->ops->amdgpu;
   struct drm_amdgpu_info q = { .return_size = sizeof(struct kamdgpu_info_device),
                                .query = KAMDGPU_INFO_DEV_INFO };
   struct kamdgpu_info_device di;
   const char *name = "AMD Radeon Graphics";

   if (!k)
      return -EINVAL;
   memset(&di, 0, sizeof(di));
   if (k->info(f, &q, &di))
      return -EINVAL;
   /* The 32-bit range lives at the start of the high half when there is one. */
   caps->u.amdgpu.address32_hi = (uint32_t)((di.high_va_offset ? di.high_va_offset : di.virtual_address_offset) >> 32);
   /* Every guest buffer becomes an exportable blob; per-VM buffers cannot be exported. */
   caps->u.amdgpu.has_vm_always_valid = 0;
   for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
      if (names[i].device_id == di.device_id && names[i].pci_rev == di.pci_rev)
         name = names[i].name;
   }
   snprintf(caps->u.amdgpu.marketing_name, sizeof(caps->u.amdgpu.marketing_name), "%s", name);
#ifdef ENABLE_DRM_AMDGPU
   /* What libdrm's amdgpu_query_buffer_size_alignment() and amdgpu_query_gpu_info() report. */
   caps->u.amdgpu.alignments.size_local = di.pte_fragment_size;
   caps->u.amdgpu.alignments.size_remote = di.gart_page_size;
   {
      struct amdgpu_gpu_info *g = &caps->u.amdgpu.gpu_info;

      g->asic_id = di.device_id;
      g->chip_rev = di.chip_rev;
      g->chip_external_rev = di.external_rev;
      g->family_id = di.family;
      g->ids_flags = di.ids_flags;
      g->max_engine_clk = di.max_engine_clock;
      g->max_memory_clk = di.max_memory_clock;
      g->num_shader_engines = di.num_shader_engines;
      g->num_shader_arrays_per_engine = di.num_shader_arrays_per_engine;
      g->num_hw_gfx_contexts = di.num_hw_gfx_contexts;
      g->rb_pipes = di.num_rb_pipes;
      g->enabled_rb_pipes_mask = di.enabled_rb_pipes_mask;
      g->gpu_counter_freq = di.gpu_counter_freq;
      g->cu_active_number = di.cu_active_number;
      g->cu_ao_mask = di.cu_ao_mask;
      memcpy(g->cu_bitmap, di.cu_bitmap, sizeof(g->cu_bitmap));
      g->vram_type = di.vram_type;
      g->vram_bit_width = di.vram_bit_width;
      g->ce_ram_size = di.ce_ram_size;
      g->vce_harvest_config = di.vce_harvest_config;
      g->pci_rev_id = di.pci_rev;
      /* Register-derived fields (gb_addr_cfg, tile modes, raster config) need READ_MMR_REG: left 0. */
   }
#endif
   return 0;
}
