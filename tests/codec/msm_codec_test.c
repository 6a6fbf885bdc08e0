/* msm codecs: encode -> decode round trips, truncation and overflow rejection. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "msm_codec.h"

static uint8_t buf[4096];

static void
test_nop(void **state)
{
   (void)state;
   struct msm_ccmd_nop_req req = { .hdr = { .seqno = 5, .rsp_off = 8 } }, out;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_nop_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
   assert_int_equal(len, 16);
   assert_int_equal(msm_ccmd_nop_req_decode(buf, len, &out, &err), VDRM_OK);
   assert_int_equal(out.hdr.cmd, MSM_CCMD_NOP);
   assert_int_equal(out.hdr.len, 16);
   assert_int_equal(out.hdr.seqno, 5);
   assert_int_equal(out.hdr.rsp_off, 8);
}

static void
test_gem_new(void **state)
{
   (void)state;
   struct msm_ccmd_gem_new_req req = { .iova = 0xfffff00000001000ull, .size = 1 << 20,
                                       .flags = 0x10000, .blob_id = 77 }, out;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_gem_new_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
   assert_int_equal(len, 40);
   assert_int_equal(msm_ccmd_gem_new_req_decode(buf, len, &out, &err), VDRM_OK);
   assert_true(out.iova == req.iova);
   assert_true(out.size == req.size);
   assert_int_equal(out.flags, req.flags);
   assert_int_equal(out.blob_id, 77);
   /* Every truncation below the size is rejected as SHORT, naming the command. */
   for (uint32_t l = 16; l < 40; l += 4) {
      memcpy(buf + 4, &l, 4);
      assert_int_equal(msm_ccmd_gem_new_req_decode(buf, l, &out, &err), VDRM_E_SHORT);
      assert_non_null(strstr(err.message, "GEM_NEW"));
   }
   /* hdr.len beyond the buffer. */
   uint32_t big = 44;
   memcpy(buf + 4, &big, 4);
   assert_int_equal(msm_ccmd_gem_new_req_decode(buf, 40, &out, &err), VDRM_E_TRUNCATED);
}

static void
test_gem_set_iova_pad(void **state)
{
   (void)state;
   struct msm_ccmd_gem_set_iova_req req = { .iova = 1ull << 40, .res_id = 3 }, out;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_gem_set_iova_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_gem_set_iova_req_decode(buf, len, &out, &err), VDRM_OK);
   assert_true(out.iova == 1ull << 40);
   assert_int_equal(out.res_id, 3);
   /* __pad is what Mesa's header leaves undeclared: accepted whatever it holds, and cleared. */
   buf[28] = 1;
   assert_int_equal(msm_ccmd_gem_set_iova_req_decode(buf, len, &out, &err), VDRM_OK);
   assert_int_equal(out.__pad, 0);
   req.__pad = 0xdeadbeef;
   assert_int_equal(msm_ccmd_gem_set_iova_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
   assert_int_equal(buf[28] | buf[29] | buf[30] | buf[31], 0);
}

static void
test_cpu_prep_and_wait_fence(void **state)
{
   (void)state;
   struct msm_ccmd_gem_cpu_prep_req req = { .res_id = 4, .op = 2 }, out;
   struct msm_ccmd_wait_fence_req wreq = { .queue_id = 1, .fence = 99 }, wout;
   struct msm_ccmd_gem_cpu_prep_rsp rsp = { .ret = -16 }, rout;
   struct msm_ccmd_wait_fence_rsp wrsp = { .ret = -62 }, wrout;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_gem_cpu_prep_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_gem_cpu_prep_req_decode(buf, len, &out, &err), VDRM_OK);
   assert_int_equal(out.res_id, 4);
   assert_int_equal(out.op, 2);
   assert_int_equal(msm_ccmd_gem_cpu_prep_rsp_encode(buf, sizeof(buf), &rsp, &len), VDRM_OK);
   assert_int_equal(len, 8);
   assert_int_equal(msm_ccmd_gem_cpu_prep_rsp_decode(buf, len, &rout, &err), VDRM_OK);
   assert_int_equal(rout.ret, -16);
   assert_int_equal(msm_ccmd_wait_fence_req_encode(buf, sizeof(buf), &wreq, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_wait_fence_req_decode(buf, len, &wout, &err), VDRM_OK);
   assert_int_equal(wout.fence, 99);
   assert_int_equal(msm_ccmd_wait_fence_rsp_encode(buf, sizeof(buf), &wrsp, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_wait_fence_rsp_decode(buf, len, &wrout, &err), VDRM_OK);
   assert_int_equal(wrout.ret, -62);
   assert_int_equal(msm_ccmd_wait_fence_rsp_decode(buf, 2, &wrout, &err), VDRM_E_SHORT);
}

static void
test_ioctl_simple(void **state)
{
   (void)state;
   /* DRM_IOCTL_MSM_GET_PARAM with a 24-byte argument: _IOWR('d', 0x40, 24). */
   uint32_t cmd = 0xc0000000u | (24u << 16) | ('d' << 8) | 0x40u;
   uint8_t arg[24] = { 1, 0, 0, 0, 2 };
   struct msm_ccmd_ioctl_simple_req req = { .cmd = cmd }, out;
   struct msm_ccmd_ioctl_simple_req_view view;
   struct msm_ccmd_ioctl_simple_rsp rsp = { .ret = 0 }, rout;
   struct msm_ccmd_ioctl_simple_rsp_view rview;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_ioctl_simple_req_size(cmd), 44);
   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, arg, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   assert_int_equal(view.payload.size, 24);
   assert_memory_equal(view.payload.data, arg, 24);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_host_size(&req), 32);

   /* Not an allowed ioctl (DRM_MSM_GEM_SUBMIT, nr 0x46). */
   req.cmd = (cmd & ~0xffu) | 0x46u;
   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, arg, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, len, &out, &view, &err), VDRM_E_NOT_ALLOWED);
   assert_string_equal(err.field, "cmd");
   /* An argument above 128 bytes. */
   req.cmd = 0xc0000000u | (132u << 16) | ('d' << 8) | 0x40u;
   uint8_t large[132] = { 0 };
   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, large, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, len, &out, &view, &err), VDRM_E_LIMIT);
   /* hdr.len must match the argument size exactly. */
   req.cmd = cmd;
   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, arg, &len), VDRM_OK);
   uint32_t longer = 48;
   memcpy(buf + 4, &longer, 4);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, 48, &out, &view, &err), VDRM_E_LENGTH);
   uint32_t shorter = 40;
   memcpy(buf + 4, &shorter, 4);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, 40, &out, &view, &err), VDRM_E_TRUNCATED);

   assert_int_equal(msm_ccmd_ioctl_simple_rsp_encode(buf, sizeof(buf), &rsp, arg, 24, &len), VDRM_OK);
   assert_int_equal(len, 32);
   assert_int_equal(msm_ccmd_ioctl_simple_rsp_decode(buf, len, &rout, &rview, &err), VDRM_OK);
   assert_int_equal(rview.payload.size, 24);
   assert_memory_equal(rview.payload.data, arg, 24);
}

static void
test_strings(void **state)
{
   (void)state;
   struct msm_ccmd_gem_set_name_req req = { .res_id = 2, .len = 5 }, out;
   struct msm_ccmd_gem_set_name_req_view view;
   struct msm_ccmd_set_debuginfo_req dreq = { .comm_len = 4, .cmdline_len = 9 }, dout;
   struct msm_ccmd_set_debuginfo_req_view dview;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_gem_set_name_req_encode(buf, sizeof(buf), &req, "hello", &len), VDRM_OK);
   assert_int_equal(len, 32); /* 24 + 5, padded to 4 */
   assert_int_equal(msm_ccmd_gem_set_name_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   assert_int_equal(view.payload.size, 5);
   assert_memory_equal(view.payload.data, "hello", 5);
   assert_int_equal(buf[29], 0);
   /* A length that points past hdr.len. */
   out.len = 9;
   memcpy(buf + 20, &out.len, 4);
   assert_int_equal(msm_ccmd_gem_set_name_req_decode(buf, len, &out, &view, &err), VDRM_E_TRUNCATED);
   assert_string_equal(err.field, "payload");

   assert_int_equal(msm_ccmd_set_debuginfo_req_encode(buf, sizeof(buf), &dreq, "comm", "cmd line!", &len), VDRM_OK);
   assert_int_equal(len, 40);
   assert_int_equal(msm_ccmd_set_debuginfo_req_decode(buf, len, &dout, &dview, &err), VDRM_OK);
   assert_memory_equal(dview.comm.data, "comm", 4);
   assert_memory_equal(dview.cmdline.data, "cmd line!", 9);
   /* comm_len + cmdline_len overflowing 32 bits is still caught. */
   uint32_t huge = 0xffffffffu;
   memcpy(buf + 20, &huge, 4);
   assert_int_equal(msm_ccmd_set_debuginfo_req_decode(buf, len, &dout, &dview, &err), VDRM_E_TRUNCATED);
   assert_string_equal(err.field, "cmdline");
}

static void
test_gem_upload(void **state)
{
   (void)state;
   struct msm_ccmd_gem_upload_req req = { .res_id = 1, .off = 64, .len = 6 }, out;
   struct msm_ccmd_gem_upload_req_view view;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_gem_upload_req_encode(buf, sizeof(buf), &req, "\x01\x02\x03\x04\x05\x06", &len), VDRM_OK);
   assert_int_equal(len, 40);
   assert_int_equal(msm_ccmd_gem_upload_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   assert_int_equal(out.off, 64);
   assert_memory_equal(view.payload.data, "\x01\x02\x03\x04\x05\x06", 6);
   buf[20] = 7; /* pad */
   assert_int_equal(msm_ccmd_gem_upload_req_decode(buf, len, &out, &view, &err), VDRM_E_NONZERO);
   assert_string_equal(err.field, "pad");
   /* The encoder never writes past the caller's capacity. */
   assert_int_equal(msm_ccmd_gem_upload_req_encode(buf, 39, &req, "abcdef", &len), VDRM_E_NOSPC);
}

static void
test_gem_submit(void **state)
{
   (void)state;
   struct drm_msm_gem_submit_bo bos[2] = { { .flags = 1, .handle = 5 }, { .flags = 3, .handle = 6, .presumed = 1 } };
   struct drm_msm_gem_submit_cmd cmds[1] = { { .type = 1, .submit_idx = 1, .submit_offset = 16, .size = 256 } };
   struct msm_ccmd_gem_submit_req req = { .flags = 1, .queue_id = 2, .nr_bos = 2, .nr_cmds = 1, .fence = 9 }, out;
   struct msm_ccmd_gem_submit_req_view view;
   struct drm_msm_gem_submit_bo bo;
   struct drm_msm_gem_submit_cmd c;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_gem_submit_req_size(2, 1), 36 + 32 + 32);
   assert_int_equal(msm_ccmd_gem_submit_req_encode(buf, sizeof(buf), &req, bos, cmds, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_gem_submit_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   assert_int_equal(out.fence, 9);
   assert_int_equal(view.bos.count, 2);
   assert_int_equal(view.cmds.count, 1);
   msm_ccmd_gem_submit_req_bos_get(&view, 1, &bo);
   assert_int_equal(bo.handle, 6);
   assert_true(bo.presumed == 1);
   msm_ccmd_gem_submit_req_cmds_get(&view, 0, &c);
   assert_int_equal(c.size, 256);

   /* Counts that overflow any 32-bit product must not pass. */
   uint32_t nr = 0x10000001u;
   memcpy(buf + 24, &nr, 4);
   assert_int_equal(msm_ccmd_gem_submit_req_decode(buf, len, &out, &view, &err), VDRM_E_TRUNCATED);
   assert_string_equal(err.field, "bos");
   nr = 2;
   memcpy(buf + 24, &nr, 4);
   nr = 0xffffffffu;
   memcpy(buf + 28, &nr, 4);
   assert_int_equal(msm_ccmd_gem_submit_req_decode(buf, len, &out, &view, &err), VDRM_E_TRUNCATED);
   assert_string_equal(err.field, "cmds");
   nr = 1;
   memcpy(buf + 28, &nr, 4);
   /* Relocations are refused, with the element named. */
   uint32_t one = 1;
   memcpy(buf + 68 + 20, &one, 4);
   assert_int_equal(msm_ccmd_gem_submit_req_decode(buf, len, &out, &view, &err), VDRM_E_NONZERO);
   assert_string_equal(err.field, "cmds[].nr_relocs");
   assert_int_equal(err.offset, 88);
   /* Every truncation of the message is rejected. */
   memset(buf + 88, 0, 4);
   for (uint32_t l = 16; l < len; l += 4) {
      memcpy(buf + 4, &l, 4);
      assert_int_not_equal(msm_ccmd_gem_submit_req_decode(buf, l, &out, &view, &err), VDRM_OK);
   }
}

static void
test_submitqueue_query(void **state)
{
   (void)state;
   struct msm_ccmd_submitqueue_query_req req = { .queue_id = 1, .param = 0, .len = 4 }, out;
   struct msm_ccmd_submitqueue_query_rsp rsp = { .ret = 0, .out_len = 4 }, rout;
   struct msm_ccmd_submitqueue_query_rsp_view rview;
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_submitqueue_query_req_encode(buf, sizeof(buf), &req, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_req_decode(buf, len, &out, &err), VDRM_OK);
   assert_int_equal(out.len, 4);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_host_size(&out), 16);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_encode(buf, sizeof(buf), &rsp, "\x07\0\0\0", 4, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(buf, len, &rout, &rview, &err), VDRM_OK);
   assert_int_equal(rout.out_len, 4);
   assert_int_equal(rview.payload.data[0], 7);
}

static void
test_dispatch_and_stream(void **state)
{
   (void)state;
   struct msm_ccmd_nop_req nop = { 0 };
   struct msm_ccmd_wait_fence_req wf = { .fence = 3 };
   struct vdrm_stream s;
   struct vdrm_ccmd_req hdr;
   struct vdrm_error err;
   const uint8_t *msg;
   size_t a, b;

   assert_int_equal(msm_ccmd_nop_req_encode(buf, sizeof(buf), &nop, &a), VDRM_OK);
   assert_int_equal(msm_ccmd_wait_fence_req_encode(buf + a, sizeof(buf) - a, &wf, &b), VDRM_OK);
   vdrm_stream_init(&s, buf, a + b, MSM_CCMD_ALIGNMENT);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 1);
   assert_int_equal(hdr.cmd, MSM_CCMD_NOP);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 1);
   assert_int_equal(hdr.cmd, MSM_CCMD_WAIT_FENCE);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 0);
   /* Trailing bytes too few for a header, and a misaligned rsp_off. */
   vdrm_stream_init(&s, buf, a + 4, MSM_CCMD_ALIGNMENT);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 1);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), -1);
   assert_int_equal(err.status, VDRM_E_TRUNCATED);
   buf[12] = 2;
   vdrm_stream_init(&s, buf, a, MSM_CCMD_ALIGNMENT);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), -1);
   assert_int_equal(err.status, VDRM_E_ALIGN);

   /* Unknown opcodes and missing handlers. */
   struct msm_handlers none = { 0 };
   buf[12] = 0;
   assert_int_equal(msm_dispatch(&none, NULL, buf, a, &err), VDRM_E_OPCODE);
   uint32_t bad = MSM_CCMD_LAST;
   memcpy(buf, &bad, 4);
   assert_int_equal(msm_dispatch(&none, NULL, buf, a, &err), VDRM_E_OPCODE);
   assert_string_equal(msm_ccmd_name(MSM_CCMD_GEM_SUBMIT), "GEM_SUBMIT");
   assert_int_equal(msm_ccmd_table[MSM_CCMD_GEM_NEW].min_size, 40);
   assert_int_equal(msm_ccmd_table[MSM_CCMD_WAIT_FENCE].rsp_size, 8);
}

static void
test_rsp_region(void **state)
{
   (void)state;
   uint8_t mem[64] = { 0 };
   struct vdrm_rsp_region r = { mem, sizeof(mem) };
   struct msm_ccmd_wait_fence_rsp rsp = { .hdr = { .len = 8 }, .ret = -5 };
   struct vdrm_error err;
   uint32_t reserved = 4;

   assert_int_equal(vdrm_rsp_check(&r, 56, 8, "WAIT_FENCE", &err), VDRM_OK);
   assert_int_equal(vdrm_rsp_check(&r, 60, 8, "WAIT_FENCE", &err), VDRM_E_RSP_BOUNDS);
   assert_int_equal(vdrm_rsp_check(&r, 0xfffffffcu, 8, "WAIT_FENCE", &err), VDRM_E_RSP_BOUNDS);
   /* An older guest that reserved 4 bytes gets a 4-byte prefix. */
   memcpy(mem + 8, &reserved, 4);
   assert_int_equal(vdrm_rsp_commit(&r, 8, &rsp, 8), 4);
   assert_int_equal(mem[12], 0);
}

/* Payloads as the structs they hold: ioctl arguments and a query's answer. */
static void
test_typed_payloads(void **state)
{
   (void)state;
   struct msm_ccmd_ioctl_simple_req req = { .cmd = 0xc0106440u }, out;   /* GET_PARAM, 16 bytes (older header) */
   struct msm_ccmd_ioctl_simple_req_view view;
   struct msm_ioctl_param arg = { .pipe = 0x10, .param = 3, .len = 7, .pad = 9 };
   struct msm_ccmd_submitqueue_query_rsp rsp = { .ret = 0, .out_len = 4 }, rout;
   struct msm_ccmd_submitqueue_query_rsp_view rview;
   struct msm_submitqueue_query_faults faults;
   const uint8_t answer[8] = { 5, 0, 0, 0, 0xee, 0xee, 0xee, 0xee };
   struct vdrm_error err;
   size_t len;

   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, &arg, &len), VDRM_OK);
   assert_int_equal(len, 36);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   memset(&arg, 0xff, sizeof(arg));
   msm_ccmd_ioctl_simple_req_payload_get_msm_ioctl_param(&view, &arg);
   assert_int_equal(arg.pipe, 0x10);
   assert_int_equal(arg.param, 3);
   assert_int_equal(arg.len, 0);   /* beyond the 16 bytes sent: zero */
   assert_int_equal(arg.pad, 0);

   assert_int_equal(msm_ccmd_submitqueue_query_rsp_encode(buf, sizeof(buf), &rsp, answer, 8, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(buf, len, &rout, &rview, &err), VDRM_OK);
   msm_ccmd_submitqueue_query_rsp_payload_get_msm_submitqueue_query_faults(&rview, &faults);
   assert_int_equal(faults.faults, 5);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_encode(buf, sizeof(buf), &rsp, answer, 2, &len), VDRM_OK);
   assert_int_equal(msm_ccmd_submitqueue_query_rsp_decode(buf, len, &rout, &rview, &err), VDRM_OK);
   msm_ccmd_submitqueue_query_rsp_payload_get_msm_submitqueue_query_faults(&rview, &faults);
   assert_int_equal(faults.faults, 5);   /* two bytes given, the rest zero */
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nop),
      cmocka_unit_test(test_gem_new),
      cmocka_unit_test(test_gem_set_iova_pad),
      cmocka_unit_test(test_cpu_prep_and_wait_fence),
      cmocka_unit_test(test_ioctl_simple),
      cmocka_unit_test(test_strings),
      cmocka_unit_test(test_gem_upload),
      cmocka_unit_test(test_gem_submit),
      cmocka_unit_test(test_submitqueue_query),
      cmocka_unit_test(test_dispatch_and_stream),
      cmocka_unit_test(test_typed_payloads),
      cmocka_unit_test(test_rsp_region),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
