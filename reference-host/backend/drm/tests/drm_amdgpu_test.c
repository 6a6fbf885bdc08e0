/* SPDX-License-Identifier: MIT */

/*
 * The amdgpu context on the drm backend: the capset and the rings read from
 * the device, INFO answers through the guest, a buffer, a context, a
 * submission whose fence the host delivers, and every amdgpu op reaching
 * the driver. Under Mesa's noop shim (AMDGPU_GPU_ID=renoir) the answers are
 * that device's; the shim runs nothing, so a submission completes at once,
 * and it cannot PRIME-export, so no buffer becomes a blob resource. On a
 * real GPU only what holds on any device is checked, and nothing is
 * submitted (an IB at an unmapped address would fault it).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "amdgpu_codec.h"
#include "amdgpu_kernel.h"
#include "drm_test.h"

/* Renoir as the shim describes it. */
#define RENOIR_DEVICE_ID 0x15e7u
#define RENOIR_FAMILY 142u                    /* AMDGPU_FAMILY_RV */
#define RENOIR_HIGH_VA 0xffff800000000000ull
#define RENOIR_GFX_RINGS 0x1u
#define RENOIR_COMPUTE_RINGS 0xfu
/* drm_amdgpu_info_device as libdrm 2.4.114 knows it: smaller than the shim's (and today's kernel's) 440 bytes. */
#define OLD_INFO_DEVICE_SIZE 368u

static int
setup(void **state)
{
   return drm_test_setup(state, VIRTGPU_DRM_CONTEXT_AMDGPU);
}

/* QUERY_INFO of q alone: its ret; the payload (q->return_size bytes) copied to out. */
static int
query_info(struct tguest *g, const struct drm_amdgpu_info *q, void *out)
{
   struct amdgpu_ccmd_query_info_req req = { .hdr = drm_test_hdr(g, 0, 8 + q->return_size), .info = *q };
   struct amdgpu_ccmd_query_info_rsp rsp;
   struct amdgpu_ccmd_query_info_rsp_view view;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(amdgpu_ccmd_query_info_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   if (amdgpu_ccmd_query_info_rsp_decode(g->rsp, g->rsp_size, &rsp, &view, &err))
      fail_msg("%s", err.message);
   assert_int_equal(view.payload.size, q->return_size);
   memcpy(out, view.payload.data, view.payload.size);
   return rsp.hdr.ret;
}

/* CREATE_CTX: ret; the id in *ctx_id. */
static int
create_ctx(struct tguest *g, uint32_t *ctx_id)
{
   struct amdgpu_ccmd_create_ctx_req req = { .hdr = drm_test_hdr(g, 0, 16) };
   struct amdgpu_ccmd_create_ctx_rsp rsp;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(amdgpu_ccmd_create_ctx_req_encode(TG_ROOM(g), &req, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_create_ctx_rsp_decode(g->rsp, g->rsp_size, &rsp, &err), VDRM_OK);
   *ctx_id = rsp.ctx_id;
   return rsp.hdr.ret;
}

static void
capset_from_the_device(void **state)
{
   struct tguest *g = TG(state);
   struct virgl_renderer_capset_drm caps;
   struct vdrm_backend_version v;
   struct vdrm_backend_file *f;
   struct kamdgpu_info_device di;
   struct drm_amdgpu_info q = { .return_size = sizeof(di), .query = KAMDGPU_INFO_DEV_INFO };

   drm_test_capset(g, VIRTGPU_DRM_CONTEXT_AMDGPU, &caps, &v);
   /* The 32-bit range: what DEV_INFO says, read here through an open of our own. */
   assert_int_equal(g->sim->ops->open(g->sim, &f), 0);
   memset(&di, 0, sizeof(di));
   assert_int_equal(g->sim->ops->amdgpu->info(f, &q, &di), 0);
   g->sim->ops->close(f);
   assert_int_equal(caps.u.amdgpu.address32_hi,
                    (uint32_t)((di.high_va_offset ? di.high_va_offset : di.virtual_address_offset) >> 32));
   if (!drm_test_under_shim())
      return;
   assert_int_equal(v.major, 3);
   assert_int_equal(v.minor, 49);
   assert_int_equal(caps.u.amdgpu.address32_hi, (uint32_t)(RENOIR_HIGH_VA >> 32));
   assert_string_equal(caps.u.amdgpu.marketing_name, "AMD Radeon Graphics");
}

static void
rings_from_hw_ip_info(void **state)
{
   struct tguest *g = TG(state);

   if (!drm_test_under_shim())
      skip();
   /* The CPU's, GFX ring 0, COMPUTE rings 0-3: the only IPs the shim answers for. */
   assert_int_equal(vdrm_host_num_rings(g->client), 1 + 1 + 4);
}

static void
query_info_through_the_guest(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = OLD_INFO_DEVICE_SIZE, .query = KAMDGPU_INFO_DEV_INFO };
   struct kamdgpu_info_device di;
   struct amdgpu_info_hw_ip ip;
   uint32_t accel = 0;

   /* A guest with an older struct gets exactly its size back. */
   memset(&di, 0, sizeof(di));
   assert_int_equal(query_info(g, &q, &di), 0);
   assert_int_not_equal(di.device_id, 0);
   q = (struct drm_amdgpu_info){ .return_size = sizeof(accel), .query = KAMDGPU_INFO_ACCEL_WORKING };
   assert_int_equal(query_info(g, &q, &accel), 0);
   assert_int_equal(accel, 1);
   q = (struct drm_amdgpu_info){ .return_size = sizeof(ip), .query = KAMDGPU_INFO_HW_IP_INFO };
   q.query_hw_ip.type = KAMDGPU_HW_IP_GFX;
   assert_int_equal(query_info(g, &q, &ip), 0);
   assert_int_not_equal(ip.available_rings, 0);
   if (!drm_test_under_shim())
      return;
   assert_int_equal(di.device_id, RENOIR_DEVICE_ID);
   assert_int_equal(di.family, RENOIR_FAMILY);
   assert_int_equal(di.pci_rev, 0xe9);
   assert_int_equal(ip.available_rings, RENOIR_GFX_RINGS);
   assert_int_equal(ip.hw_ip_version_major, 9);
   assert_int_equal(ip.ib_start_alignment, 32);
   q.query_hw_ip.type = KAMDGPU_HW_IP_COMPUTE;
   assert_int_equal(query_info(g, &q, &ip), 0);
   assert_int_equal(ip.available_rings, RENOIR_COMPUTE_RINGS);
}

/*
 * The backend never lets the driver write past return_size, even when it
 * writes whole structs (the shim's 440-byte DEV_INFO into 64 bytes).
 */
static void
info_smaller_than_the_drivers_struct(void **state)
{
   struct tguest *g = TG(state);
   struct drm_amdgpu_info q = { .return_size = 64, .query = KAMDGPU_INFO_DEV_INFO };
   struct vdrm_backend_file *f;
   uint8_t *buf = malloc(128);
   uint32_t device_id;

   assert_non_null(buf);
   memset(buf, 0xa5, 128);
   assert_int_equal(g->sim->ops->open(g->sim, &f), 0);
   assert_int_equal(g->sim->ops->amdgpu->info(f, &q, buf), 0);
   memcpy(&device_id, buf + offsetof(struct kamdgpu_info_device, device_id), sizeof(device_id));
   assert_int_not_equal(device_id, 0xa5a5a5a5u);
   for (uint32_t i = 64; i < 128; i++)
      assert_int_equal(buf[i], 0xa5);
   /* Size 0 is the kernel's -EINVAL, before any driver sees it. */
   q.return_size = 0;
   assert_int_equal(g->sim->ops->amdgpu->info(f, &q, buf), -EINVAL);
   g->sim->ops->close(f);
   free(buf);
}

static void
buffer_context_and_submission(void **state)
{
   struct tguest *g = TG(state);
   struct amdgpu_ccmd_gem_new_req gem = {
      .hdr = drm_test_hdr(g, 0, 8), .blob_id = 1,
      .r = { .alloc_size = 65536, .phys_alignment = 4096, .preferred_heap = KAMDGPU_GEM_DOMAIN_GTT },
   };
   struct drm_amdgpu_cs_chunk_ib ib = { .va_start = 0x800000, .ib_bytes = 64, .ip_type = KAMDGPU_HW_IP_GFX };
   struct amdgpu_ccmd_cs_submit_chunk desc = { .chunk_id = KAMDGPU_CHUNK_ID_IB, .length_dw = sizeof(ib) / 4 };
   struct amdgpu_ccmd_cs_submit_req cs = { .num_chunks = 1, .ring_idx = 1 };
   struct amdgpu_ccmd_cs_query_fence_status_req fs = { .ip_type = KAMDGPU_HW_IP_GFX, .fence = 1 };
   struct amdgpu_ccmd_cs_query_fence_status_rsp fsr;
   struct vdrm_host_stats st;
   struct vdrm_error err;
   uint32_t ctx_id = 0, res;
   size_t len;
   int fd;

   assert_int_equal(amdgpu_ccmd_gem_new_req_encode(TG_ROOM(g), &gem, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_get_stats(g->client, &st), VDRM_HOST_OK);
   assert_int_equal(st.objects, 1);
   if (drm_test_under_shim()) {
      /* DRM_IOCTL_PRIME_HANDLE_TO_FD is not the shim's: the blob is refused, the buffer stays. */
      assert_int_not_equal(vdrm_host_blob_create(g->client, 1, 65536, VDRM_HOST_BLOB_MAPPABLE, &res, &fd),
                           VDRM_HOST_OK);
      assert_non_null(strstr(tg_last_line(g), "export failed"));
   }
   assert_int_equal(create_ctx(g, &ctx_id), 0);
   assert_int_not_equal(ctx_id, 0);
   if (!drm_test_under_shim())
      return;
   /* One IB on GFX ring 0 (ring_idx 1), the host's fence 7 on that ring after it. */
   cs.hdr = drm_test_hdr(g, 0, 8);
   cs.ctx_id = ctx_id;
   assert_int_equal(amdgpu_ccmd_cs_submit_req_encode(TG_ROOM(g), &cs, &desc, &ib, sizeof(ib), &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush_fence(g, 1, 7), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_wait(g->client, 1, 7, 1000000000), VDRM_HOST_OK);
   assert_int_equal(vdrm_host_fence_poll(g->client, NULL, NULL), 1);
   /* CS_QUERY_FENCE_STATUS reaches DRM_AMDGPU_WAIT_CS (the shim leaves its answer unwritten). */
   fs.hdr = drm_test_hdr(g, 0, 16);
   fs.ctx_id = ctx_id;
   assert_int_equal(amdgpu_ccmd_cs_query_fence_status_req_encode(TG_ROOM(g), &fs, &len), VDRM_OK);
   g->len += len;
   assert_int_equal(tg_flush(g), VDRM_HOST_OK);
   assert_int_equal(amdgpu_ccmd_cs_query_fence_status_rsp_decode(g->rsp, g->rsp_size, &fsr, &err), VDRM_OK);
   assert_int_equal(fsr.hdr.ret, 0);
}

/* Every op straight on the backend: each is its ioctl, which the driver answers. */
static void
every_op_reaches_the_driver(void **state)
{
   struct tguest *g = TG(state);
   const struct vdrm_backend_amdgpu_ops *k = g->sim->ops->amdgpu;
   struct kamdgpu_gem_create_in in = { .bo_size = 8192, .alignment = 4096, .domains = KAMDGPU_GEM_DOMAIN_GTT };
   struct kamdgpu_gem_metadata md = { .tiling_info = 0x1234, .data_size_bytes = 8, .data = { 1, 2 } };
   struct kamdgpu_gem_va va = {
      .operation = KAMDGPU_VA_OP_MAP, .va_address = 0x1000000, .map_size = 8192,
      .flags = KAMDGPU_VM_PAGE_READABLE | KAMDGPU_VM_PAGE_WRITEABLE,
   };
   struct kamdgpu_ctx ctx = { .op = KAMDGPU_CTX_OP_ALLOC_CTX, .priority = KAMDGPU_CTX_PRIORITY_NORMAL };
   struct kamdgpu_gem_create_in info;
   struct vdrm_backend_file *f;
   uint32_t handle = 0, busy = 7;
   const char data[] = "written through the GEM_MMAP offset";

   assert_int_equal(g->sim->ops->open(g->sim, &f), 0);
   assert_int_equal(k->gem_create(f, &in, &handle), 0);
   assert_int_not_equal(handle, 0);
   assert_int_equal(g->sim->ops->gem_write(f, handle, 4096, data, sizeof(data)), 0);
   assert_int_equal(k->gem_metadata(f, handle, KAMDGPU_GEM_METADATA_OP_SET_METADATA, &md), 0);
   memset(&md, 0, sizeof(md));
   assert_int_equal(k->gem_metadata(f, handle, KAMDGPU_GEM_METADATA_OP_GET_METADATA, &md), 0);
   assert_true(md.data_size_bytes <= sizeof(md.data));
   memset(&info, 0, sizeof(info));
   assert_int_equal(k->gem_op(f, handle, KAMDGPU_GEM_OP_GET_GEM_CREATE_INFO, &info), 0);
   va.handle = handle;
   assert_int_equal(k->gem_va(f, &va), 0);
   va.operation = KAMDGPU_VA_OP_UNMAP;
   assert_int_equal(k->gem_va(f, &va), 0);
   assert_int_equal(k->vm(f, KAMDGPU_VM_OP_RESERVE_VMID, 0), 0);
   assert_int_equal(k->vm(f, KAMDGPU_VM_OP_UNRESERVE_VMID, 0), 0);
   assert_int_equal(k->ctx(f, &ctx), 0);
   assert_int_not_equal(ctx.out_ctx_id, 0);
   /* Sequence number 0 is "nothing to wait for" on every entity. */
   assert_int_equal(k->wait_cs(f, ctx.out_ctx_id, KAMDGPU_HW_IP_GFX, 0, 0, 0, 0, &busy), 0);
   ctx = (struct kamdgpu_ctx){ .op = KAMDGPU_CTX_OP_QUERY_STATE2, .ctx_id = ctx.out_ctx_id };
   assert_int_equal(k->ctx(f, &ctx), 0);
   ctx.op = KAMDGPU_CTX_OP_FREE_CTX;
   assert_int_equal(k->ctx(f, &ctx), 0);
   assert_int_equal(g->sim->ops->gem_close(f, handle), 0);
   if (!drm_test_under_shim()) {
      /* A real kernel's answers the shim does not give. */
      assert_int_equal(busy, 0);
      assert_int_equal(info.bo_size, 8192);
      assert_int_equal(info.domains, KAMDGPU_GEM_DOMAIN_GTT);
      assert_int_equal(md.tiling_info, 0x1234);
      assert_int_equal(md.data_size_bytes, 8);
   }
   g->sim->ops->close(f);
}

int
drm_test_amdgpu(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(capset_from_the_device, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(rings_from_hw_ip_info, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(query_info_through_the_guest, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(info_smaller_than_the_drivers_struct, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(buffer_context_and_submission, setup, drm_test_teardown),
      cmocka_unit_test_setup_teardown(every_op_reaches_the_driver, setup, drm_test_teardown),
   };

   return cmocka_run_group_tests_name("drm-amdgpu", tests, NULL, NULL);
}
