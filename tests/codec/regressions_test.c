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

#include "amdgpu_codec.h"
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

/*
 * Mesa's amdgpu guest sends SET_METADATA unpadded (40 + size_metadata bytes,
 * here 84) and queues the next request right after it, 4-aligned only. The
 * deployed host, requiring lengths to be multiples of 8, drops both.
 */
static void
test_amdgpu_unpadded_set_metadata(void **state)
{
   uint8_t stream[84 + 24];
   struct amdgpu_ccmd_set_metadata_req req = { .res_id = 18, .size_metadata = 44 }, out;
   struct amdgpu_ccmd_set_metadata_req_view view;
   uint32_t meta[11];
   const uint32_t bo_query[6] = { AMDGPU_CCMD_BO_QUERY_INFO, 24, 2, 0, 17, 0 };
   struct vdrm_stream s;
   struct vdrm_ccmd_req hdr;
   const uint8_t *msg;
   struct vdrm_error err;
   size_t len;

   (void)state;
   for (unsigned i = 0; i < 11; i++)
      meta[i] = 0x22220000u + i;
   assert_int_equal(amdgpu_ccmd_set_metadata_req_encode(stream, sizeof(stream), &req, meta, &len), VDRM_OK);
   assert_int_equal(len, 88);   /* a conforming sender pads to the context's 8 */
   stream[4] = 84;              /* as Mesa sends it */
   memcpy(stream + 84, bo_query, sizeof(bo_query));
   vdrm_stream_init(&s, stream, sizeof(stream), AMDGPU_CCMD_ALIGNMENT);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 1);
   assert_int_equal(hdr.len, 84);
   assert_int_equal(amdgpu_ccmd_set_metadata_req_decode(msg, hdr.len, &out, &view, &err), VDRM_OK);
   assert_int_equal(view.umd_metadata.count, 11);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 1);
   assert_int_equal(hdr.cmd, AMDGPU_CCMD_BO_QUERY_INFO);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), 0);
   /* Whole dwords still: 86 is refused. */
   stream[4] = 86;
   vdrm_stream_init(&s, stream, sizeof(stream), AMDGPU_CCMD_ALIGNMENT);
   assert_int_equal(vdrm_stream_next(&s, &msg, &hdr, &err), -1);
   assert_int_equal(err.status, VDRM_E_ALIGN);
   assert_string_equal(err.field, "hdr.len");
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_asahi_get_params_huge_size),
      cmocka_unit_test(test_rsp_shorter_than_header),
      cmocka_unit_test(test_exact_message_without_tail),
      cmocka_unit_test(test_amdgpu_unpadded_set_metadata),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
