/* SPDX-License-Identifier: MIT */

/* The sim amdgpu device: its profile, creation, files, and DRM_AMDGPU_INFO. */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_amdgpu_internal.h"

#define MiB (1024ull * 1024ull)
#define GiB (1024ull * MiB)

/* Representative values of a Navi 21 XT board (Radeon RX 6800 XT), not read from one. */
const struct vdrm_sim_amdgpu_profile vdrm_sim_profile_navi21 = {
   .name = "navi21",
   .dev_info = {
      .device_id = 0x73bf,
      .chip_rev = 0x00,
      .external_rev = 0x28,          /* Sienna Cichlid: chip_rev + 0x28 */
      .pci_rev = 0xc1,
      .family = KAMDGPU_FAMILY_NV,
      .num_shader_engines = 4,
      .num_shader_arrays_per_engine = 2,
      .gpu_counter_freq = 100000,    /* 100 MHz */
      .max_engine_clock = 2250000,
      .max_memory_clock = 1000000,
      .cu_active_number = 72,
      .cu_ao_mask = 0,
      .cu_bitmap = { { 0x1ff, 0x1ff, 0, 0 }, { 0x1ff, 0x1ff, 0, 0 },
                     { 0x1ff, 0x1ff, 0, 0 }, { 0x1ff, 0x1ff, 0, 0 } },
      .enabled_rb_pipes_mask = 0xffff,
      .num_rb_pipes = 16,
      .num_hw_gfx_contexts = 8,
      .pcie_gen = 4,
      .ids_flags = 0,
      .virtual_address_offset = 0x200000,     /* the reserved bottom: 2 MiB */
      .virtual_address_max = KAMDGPU_GMC_HOLE_START,
      .virtual_address_alignment = 4096,
      .pte_fragment_size = 2 * 1024 * 1024,
      .gart_page_size = 4096,
      .ce_ram_size = 0,
      .vram_type = KAMDGPU_VRAM_TYPE_GDDR6,
      .vram_bit_width = 256,
      .vce_harvest_config = 0,
      .gc_double_offchip_lds_buf = 1,
      .wave_front_size = 32,
      .num_shader_visible_vgprs = 1024,
      .num_cu_per_sh = 10,
      .num_tcc_blocks = 16,
      .gs_vgt_table_depth = 32,
      .gs_prim_buffer_depth = 1792,
      .max_gs_waves_per_vgt = 32,
      .pcie_num_lanes = 16,
      .high_va_offset = KAMDGPU_GMC_HOLE_END,
      .high_va_max = 0xffffffffffe00000ull,   /* less the reserved top */
      .pa_sc_tile_steering_override = 0,
      .tcc_disabled_mask = 0,
      .min_engine_clock = 500000,
      .min_memory_clock = 96000,
      .tcp_cache_size = 16,
      .num_sqc_per_wgp = 1,
      .sqc_data_cache_size = 16,
      .sqc_inst_cache_size = 32,
      .gl1c_cache_size = 128,
      .gl2c_cache_size = 4096,
      .mall_size = 128 * MiB,
      .enabled_rb_pipes_mask_hi = 0,
      .shadow_size = 0,
      .shadow_alignment = 0,
      .csa_size = 0,
      .csa_alignment = 0,
   },
   .ip = {
      [KAMDGPU_HW_IP_GFX] = { 0x1, 10, 3, 0x0a0300, 32, 32, 192 },
      [KAMDGPU_HW_IP_COMPUTE] = { 0xf, 10, 3, 0x0a0300, 32, 32, 192 },
      [KAMDGPU_HW_IP_DMA] = { 0xf, 5, 2, 0x050200, 256, 4, 50 },
      [KAMDGPU_HW_IP_VCN_DEC] = { 0x3, 3, 0, 0x030000, 64, 64, 1 },
      [KAMDGPU_HW_IP_VCN_ENC] = { 0x3, 3, 0, 0x030000, 64, 64, 1 },
      [KAMDGPU_HW_IP_VCN_JPEG] = { 0x1, 3, 0, 0x030000, 64, 64, 1 },
   },
   .vram_size = 16 * GiB,
   .vis_vram_size = 256 * MiB,
   .gtt_size = 16 * GiB,
   .reserved_vram = 288 * MiB,
   .gds = { 0x10000, 0x10000, 0x10000, 64, 64, 16, 16, 0 },
   .decode_caps = { .codec_info = {
      [0] = { 1, 4096, 4096, 4096 * 4096, 3, 0 },     /* MPEG2 */
      [1] = { 1, 4096, 4096, 4096 * 4096, 5, 0 },     /* MPEG4 */
      [2] = { 1, 4096, 4096, 4096 * 4096, 4, 0 },     /* VC1 */
      [3] = { 1, 4096, 4096, 4096 * 4096, 52, 0 },    /* MPEG4_AVC */
      [4] = { 1, 8192, 4352, 8192 * 4352, 186, 0 },   /* HEVC */
      [5] = { 1, 4096, 4096, 4096 * 4096, 0, 0 },     /* JPEG */
      [6] = { 1, 8192, 4352, 8192 * 4352, 0, 0 },     /* VP9 */
      [7] = { 1, 8192, 4352, 8192 * 4352, 0, 0 },     /* AV1 */
   } },
   .encode_caps = { .codec_info = {
      [3] = { 1, 4096, 2304, 4096 * 2304, 0, 0 },     /* MPEG4_AVC */
      [4] = { 1, 4096, 2304, 4096 * 2304, 0, 0 },     /* HEVC */
   } },
   .fw = {
      [KAMDGPU_INFO_FW_GFX_ME] = { 0x0000004c, 38 },
      [KAMDGPU_INFO_FW_GFX_PFP] = { 0x0000007b, 38 },
      [KAMDGPU_INFO_FW_GFX_CE] = { 0x00000025, 38 },
      [KAMDGPU_INFO_FW_GFX_RLC] = { 0x00000060, 1 },
      [KAMDGPU_INFO_FW_GFX_MEC] = { 0x00000076, 38 },
      [KAMDGPU_INFO_FW_SMC] = { 0x003a5400, 0 },
      [KAMDGPU_INFO_FW_SDMA] = { 0x00000053, 52 },
      [KAMDGPU_INFO_FW_SOS] = { 0x00210e64, 0 },
      [KAMDGPU_INFO_FW_ASD] = { 0x21000110, 0 },
      [KAMDGPU_INFO_FW_VCN] = { 0x0311f002, 0 },
   },
   .tmz = false,
   .version = { 3, 57, 0 },
};

static uint64_t
monotonic_ns(void)
{
   struct timespec ts;

   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
vdrm_sim_amdgpu_advance(struct vdrm_backend *dev, uint64_t ns)
{
   sa_dev(dev)->base.advanced += ns;
   sa_retire(sa_dev(dev));
}

uint64_t
vdrm_sim_amdgpu_now(struct vdrm_backend *dev)
{
   return sim_now(&sa_dev(dev)->base);
}

void
vdrm_sim_amdgpu_get_stats(struct vdrm_backend *dev, struct vdrm_sim_amdgpu_stats *stats)
{
   struct sa_device *d = sa_dev(dev);

   sa_retire(d);
   d->stats.objects = d->base.stats.objects;
   d->stats.files = d->base.stats.files;
   d->stats.pstate_owner = d->pstate_owner ? d->pstate_owner->id : 0;
   *stats = d->stats;
}

const struct vdrm_sim_amdgpu_profile *
vdrm_sim_amdgpu_get_profile(struct vdrm_backend *dev)
{
   return &sa_dev(dev)->profile;
}

static int
sa_get_version(struct vdrm_backend *dev, struct vdrm_backend_version *v)
{
   *v = sa_dev(dev)->profile.version;
   return 0;
}

static int
sa_open(struct vdrm_backend *dev, struct vdrm_backend_file **out)
{
   struct sa_file *f = calloc(1, sizeof(*f));

   if (!f)
      return -ENOMEM;
   f->base.base.dev = dev;
   f->base.dev = &sa_dev(dev)->base;
   f->base.next_handle = 1;
   f->next_ctx = 1;
   f->base.dev->stats.files++;
   *out = &f->base.base;
   return 0;
}

static void
sa_close(struct vdrm_backend_file *file)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d;

   if (!f)
      return;
   d = sa_file_dev(f);
   sa_retire(d);
   sa_file_close_ctxs(f);
   if (f->vmid_reserved)
      d->stats.reserved_vmids--;
   sa_file_close_gems(f);
   vh_idmap_fini(&f->base.handles);
   vh_idmap_fini(&f->ctxs);
   d->base.stats.files--;
   free(f);
}

static void
sa_destroy(struct vdrm_backend *dev)
{
   struct sa_device *d = sa_dev(dev);

   /* Whatever is still running completes now. */
   sa_retire_all(d);
   free(d);
}

static const struct vdrm_backend_amdgpu_ops sa_amdgpu_ops = {
   .info = sa_info,
   .gem_create = sa_gem_create,
   .gem_metadata = sa_gem_metadata,
   .gem_op = sa_gem_op,
   .gem_va = sa_gem_va,
   .ctx = sa_ctx_ioctl,
   .vm = sa_vm,
   .cs = sa_cs,
   .wait_cs = sa_wait_cs,
};

static const struct vdrm_backend_ops sa_ops = {
   .name = "sim-amdgpu",
   .context_type = VIRTGPU_DRM_CONTEXT_AMDGPU,
   .destroy = sa_destroy,
   .get_version = sa_get_version,
   .open = sa_open,
   .close = sa_close,
   .gem_close = sa_gem_close,
   .gem_export = sa_gem_export,
   .gem_write = sim_gem_write,
   .fence_ref = sa_fence_ref,
   .fence_unref = sa_fence_unref,
   .fence_signaled = sa_fence_signaled,
   .fence_wait = sa_fence_wait,
   .amdgpu = &sa_amdgpu_ops,
};

int
vdrm_sim_amdgpu_create(const struct vdrm_sim_amdgpu_config *config, struct vdrm_backend **out)
{
   struct sa_device *d = calloc(1, sizeof(*d));

   if (!d)
      return -ENOMEM;
   if (config)
      d->config = *config;
   d->profile = d->config.profile ? *d->config.profile : vdrm_sim_profile_navi21;
   d->config.profile = &d->profile;
   /* The generic part: its clock (no msm timelines, so sim_retire() has nothing to do). */
   d->base.config.clock = d->config.clock;
   d->base.config.submit_ns = d->config.submit_ns;
   d->base.clock_base = monotonic_ns();
   d->base.base.ops = &sa_ops;
   *out = &d->base.base;
   return 0;
}

/* ---- DRM_AMDGPU_INFO ---- */

static uint32_t
ip_count(const struct sa_device *d, uint32_t type)
{
   return d->profile.ip[type].available_rings ? 1 : 0;
}

static void
heap(struct drm_amdgpu_heap_info *h, uint64_t total, uint64_t usable, uint64_t usage)
{
   h->total_heap_size = total;
   h->usable_heap_size = usable;
   h->heap_usage = usage;
   h->max_allocation = usable - (usage < usable ? usage : usable);
}

int
sa_info(struct vdrm_backend_file *file, const struct drm_amdgpu_info *q, void *out)
{
   struct sa_file *f = sa_file(file);
   struct sa_device *d = sa_file_dev(f);
   const struct vdrm_sim_amdgpu_profile *p = &d->profile;
   union {
      uint32_t u32;
      uint64_t u64;
      struct amdgpu_info_hw_ip hw_ip;
      struct drm_amdgpu_info_firmware fw;
      struct drm_amdgpu_info_gds gds;
      struct drm_amdgpu_info_vram_gtt vram_gtt;
      struct kamdgpu_info_device dev_info;
      struct drm_amdgpu_memory_info memory;
      struct drm_amdgpu_info_video_caps caps;
      struct drm_amdgpu_info_gpuvm_fault fault;
      uint32_t regs[KAMDGPU_INFO_READ_MMR_REG_MAX_COUNT];
      uint32_t max_ibs[KAMDGPU_HW_IP_NUM];
   } a;
   size_t n;
   uint64_t usable_vram = p->vram_size - p->reserved_vram;

   d->stats.ioctls++;
   d->stats.infos++;
   if (q->query < sizeof(d->stats.info_seen) / sizeof(d->stats.info_seen[0]))
      d->stats.info_seen[q->query]++;
   if (q->return_size == 0)
      return -EINVAL;
   memset(&a, 0, sizeof(a));
   switch (q->query) {
   case KAMDGPU_INFO_ACCEL_WORKING:
      a.u32 = 1;
      n = sizeof(a.u32);
      break;
   case KAMDGPU_INFO_HW_IP_INFO: {
      const struct vdrm_sim_amdgpu_ip *ip;

      if (q->query_hw_ip.type >= KAMDGPU_HW_IP_NUM ||
          q->query_hw_ip.ip_instance >= KAMDGPU_HW_IP_INSTANCE_MAX_COUNT)
         return -EINVAL;
      ip = &p->ip[q->query_hw_ip.type];
      /* An IP the device lacks answers with no rings, not an error. */
      if (ip->available_rings) {
         a.hw_ip.hw_ip_version_major = ip->version_major;
         a.hw_ip.hw_ip_version_minor = ip->version_minor;
         a.hw_ip.ib_start_alignment = ip->ib_start_alignment;
         a.hw_ip.ib_size_alignment = ip->ib_size_alignment;
         a.hw_ip.available_rings = ip->available_rings;
         a.hw_ip.ip_discovery_version = ip->ip_discovery_version;
      }
      n = sizeof(a.hw_ip);
      break;
   }
   case KAMDGPU_INFO_HW_IP_COUNT:
      if (q->query_hw_ip.type >= KAMDGPU_HW_IP_NUM)
         return -EINVAL;
      a.u32 = ip_count(d, q->query_hw_ip.type);
      n = sizeof(a.u32);
      break;
   case KAMDGPU_INFO_TIMESTAMP:
      a.u64 = sim_now(&d->base) / 10;   /* 100 MHz */
      n = sizeof(a.u64);
      break;
   case KAMDGPU_INFO_FW_VERSION:
      if (q->query_fw.fw_type == 0 || q->query_fw.fw_type > KAMDGPU_INFO_FW_MAX)
         return -EINVAL;
      a.fw = p->fw[q->query_fw.fw_type];
      n = sizeof(a.fw);
      break;
   case KAMDGPU_INFO_NUM_BYTES_MOVED:
   case KAMDGPU_INFO_NUM_EVICTIONS:
   case KAMDGPU_INFO_NUM_VRAM_CPU_PAGE_FAULTS:
   case KAMDGPU_INFO_RAS_ENABLED_FEATURES:
      a.u64 = 0;
      n = sizeof(a.u64);
      break;
   case KAMDGPU_INFO_VRAM_USAGE:
      a.u64 = d->stats.vram_usage;
      n = sizeof(a.u64);
      break;
   case KAMDGPU_INFO_VIS_VRAM_USAGE:
      a.u64 = d->stats.vis_vram_usage;
      n = sizeof(a.u64);
      break;
   case KAMDGPU_INFO_GTT_USAGE:
      a.u64 = d->stats.gtt_usage;
      n = sizeof(a.u64);
      break;
   case KAMDGPU_INFO_GDS_CONFIG:
      a.gds = p->gds;
      n = sizeof(a.gds);
      break;
   case KAMDGPU_INFO_VRAM_GTT:
      a.vram_gtt.vram_size = usable_vram;
      a.vram_gtt.vram_cpu_accessible_size = p->vis_vram_size;
      a.vram_gtt.gtt_size = p->gtt_size;
      n = sizeof(a.vram_gtt);
      break;
   case KAMDGPU_INFO_READ_MMR_REG:
      /* No register is modelled: they read as zero, within the kernel's bounds. */
      if (q->read_mmr_reg.count == 0 || q->read_mmr_reg.count > KAMDGPU_INFO_READ_MMR_REG_MAX_COUNT)
         return -EINVAL;
      n = (size_t)q->read_mmr_reg.count * 4u;
      break;
   case KAMDGPU_INFO_DEV_INFO:
      a.dev_info = p->dev_info;
      n = sizeof(a.dev_info);
      break;
   case KAMDGPU_INFO_MEMORY:
      heap(&a.memory.vram, p->vram_size, usable_vram, d->stats.vram_usage);
      heap(&a.memory.cpu_accessible_vram, p->vis_vram_size, p->vis_vram_size, d->stats.vis_vram_usage);
      heap(&a.memory.gtt, p->gtt_size, p->gtt_size, d->stats.gtt_usage);
      n = sizeof(a.memory);
      break;
   case KAMDGPU_INFO_VRAM_LOST_COUNTER:
      a.u32 = 0;
      n = sizeof(a.u32);
      break;
   case KAMDGPU_INFO_VIDEO_CAPS:
      if (q->video_cap.type == KAMDGPU_INFO_VIDEO_CAPS_DECODE)
         a.caps = p->decode_caps;
      else if (q->video_cap.type == KAMDGPU_INFO_VIDEO_CAPS_ENCODE)
         a.caps = p->encode_caps;
      else
         return -EINVAL;
      n = sizeof(a.caps);
      break;
   case KAMDGPU_INFO_MAX_IBS:
      for (uint32_t i = 0; i < KAMDGPU_HW_IP_NUM; i++)
         a.max_ibs[i] = p->ip[i].max_ibs;
      n = sizeof(a.max_ibs);
      break;
   case KAMDGPU_INFO_GPUVM_FAULT:
      a.fault = d->last_fault;
      n = sizeof(a.fault);
      break;
   default:
      /* Display, VBIOS, sensors, UVD/VCE tables: nothing this device has. */
      return -EINVAL;
   }
   memcpy(out, &a, n < q->return_size ? n : q->return_size);
   return 0;
}
