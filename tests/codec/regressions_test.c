/*
 * Regression tests for defects found by fuzzing the generated codecs and the
 * runtime, each with the bytes or values that showed it.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "asahi_codec.h"
#include "msm_codec.h"

/*
 * asahi GET_PARAMS asking for params.size = 2^64 - 4 (or 2^64 - 8) bytes: the
 * host size of its response once wrapped to 4 (or 0) bytes, below the
 * response header, and with rsp_off at the end of the region the commit read
 * past it. The request, as found:
 * 0300000028000000010000000000000000000000000000000000000000000000fcffffffffffffff
 */
static void
test_asahi_get_params_huge_size(void **state)
{
   static const uint8_t found[40] = {
      0x03, 0, 0, 0, 0x28, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
   };
   uint8_t mem[64] = { 0 };
   struct vdrm_rsp_region region = { mem, sizeof(mem) };
   struct asahi_ccmd_get_params_req req;
   struct vdrm_error err;

   (void)state;
   assert_int_equal(asahi_ccmd_get_params_req_decode(found, sizeof(found), &req, &err), VDRM_OK);
   assert_true(asahi_ccmd_get_params_rsp_host_size(&req) == UINT64_MAX);
   assert_int_equal(vdrm_rsp_check(&region, sizeof(mem) - 4, asahi_ccmd_get_params_rsp_host_size(&req),
                                   "GET_PARAMS", &err), VDRM_E_RSP_BOUNDS);
   req.params.size = UINT64_MAX - 7;
   assert_true(asahi_ccmd_get_params_rsp_host_size(&req) == UINT64_MAX);
   req.params.size = UINT32_MAX;
   assert_true(asahi_ccmd_get_params_rsp_host_size(&req) ==
               sizeof(struct asahi_ccmd_get_params_rsp) + (uint64_t)UINT32_MAX);
   req.params.size = 16;
   assert_true(asahi_ccmd_get_params_rsp_host_size(&req) == sizeof(struct asahi_ccmd_get_params_rsp) + 16);
}

/* A response shorter than its 4-byte header: refused by the check, never read by the commit. */
static void
test_rsp_shorter_than_header(void **state)
{
   uint8_t mem[8];
   const uint8_t shadow[4] = { 1, 2, 3, 4 };
   struct vdrm_rsp_region region = { mem, sizeof(mem) };
   struct vdrm_error err;

   (void)state;
   for (uint64_t len = 0; len < 4; len++) {
      assert_int_equal(vdrm_rsp_check(&region, 4, len, "NOP", &err), VDRM_E_RSP_BOUNDS);
      assert_string_equal(err.field, "hdr.rsp_off");
      assert_int_equal(err.offset, 12);
   }
   assert_int_equal(vdrm_rsp_check(&region, 4, 4, "NOP", &err), VDRM_OK);
   assert_int_equal(vdrm_rsp_check(&region, 5, 4, "NOP", &err), VDRM_E_RSP_BOUNDS);
   memset(mem, 0xee, sizeof(mem));
   assert_int_equal(vdrm_rsp_commit(&region, 6, shadow, 2), 0);
   for (size_t i = 0; i < sizeof(mem); i++)
      assert_int_equal(mem[i], 0xee);
}

/*
 * An exact-length message whose content is not a multiple of the stream
 * alignment (msm IOCTL_SIMPLE with an _IOC_SIZE of 2): the encoder pads it to
 * 24 bytes, which its own decoder used to refuse.
 */
static void
test_exact_message_padded_to_alignment(void **state)
{
   const uint32_t cmd = 0xc0026440u;   /* _IOWR('d', 0x40, 2 bytes): DRM_MSM_GET_PARAM's number */
   struct msm_ccmd_ioctl_simple_req req = { .cmd = cmd }, out;
   struct msm_ccmd_ioctl_simple_req_view view;
   const uint8_t payload[2] = { 0x12, 0x34 };
   uint8_t buf[32];
   struct vdrm_error err;
   size_t len;

   (void)state;
   assert_int_equal(msm_ccmd_ioctl_simple_req_encode(buf, sizeof(buf), &req, payload, &len), VDRM_OK);
   assert_int_equal(len, 24);
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   assert_int_equal(view.payload.size, 2);
   assert_memory_equal(view.payload.data, payload, 2);
   /* Unpadded, as a lone message outside a stream, is the content exactly. */
   buf[4] = 22;
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, 22, &out, &view, &err), VDRM_OK);
   /* Anything longer than the padded content is not. */
   buf[4] = 28;
   assert_int_equal(msm_ccmd_ioctl_simple_req_decode(buf, 28, &out, &view, &err), VDRM_E_LENGTH);
   assert_string_equal(err.field, "hdr.len");
}

/* asahi GET_PARAMS is exactly 40 bytes: its spec says so and it has no variable part. */
static void
test_exact_message_without_tail(void **state)
{
   uint8_t buf[48] = { 0x03, 0, 0, 0, 48 };
   struct asahi_ccmd_get_params_req req;
   struct vdrm_error err;

   (void)state;
   assert_int_equal(asahi_ccmd_get_params_req_decode(buf, sizeof(buf), &req, &err), VDRM_E_LENGTH);
   assert_string_equal(err.field, "hdr.len");
   assert_int_equal(err.offset, 4);
   buf[4] = 40;
   assert_int_equal(asahi_ccmd_get_params_req_decode(buf, 40, &req, &err), VDRM_OK);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_asahi_get_params_huge_size),
      cmocka_unit_test(test_rsp_shorter_than_header),
      cmocka_unit_test(test_exact_message_padded_to_alignment),
      cmocka_unit_test(test_exact_message_without_tail),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
