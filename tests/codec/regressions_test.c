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
      cmocka_unit_test(test_exact_message_without_tail),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
