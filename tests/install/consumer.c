/*
 * A project outside the source tree: every installed header compiles
 * together, and the installed codec library encodes and decodes a message.
 */
#include <stdio.h>
#include <string.h>

#include <amdgpu_codec.h>
#include <asahi_codec.h>
#include <i915_codec.h>
#include <msm_codec.h>
#include <panfrost_codec.h>
#include <vdrm_contexts.h>
#include <vtest_codec.h>

int
main(void)
{
   struct msm_ccmd_nop_req req = { .hdr = { .cmd = MSM_CCMD_NOP, .len = sizeof(req), .seqno = 7 } };
   struct msm_ccmd_nop_req back;
   struct vdrm_error err;
   unsigned char buf[64];
   size_t len = 0;

   if (msm_ccmd_nop_req_encode(buf, sizeof(buf), &req, &len) != VDRM_OK || len != sizeof(req)) {
      fprintf(stderr, "encode: status or length %zu wrong\n", len);
      return 1;
   }
   if (msm_ccmd_nop_req_decode(buf, len, &back, &err) != VDRM_OK) {
      fprintf(stderr, "decode: %s\n", err.message);
      return 1;
   }
   if (back.hdr.seqno != 7 || memcmp(&back, &req, sizeof(req)) != 0) {
      fprintf(stderr, "decode: seqno %u, not the encoded request\n", back.hdr.seqno);
      return 1;
   }
   printf("installed codec: msm NOP of %zu bytes round-trips\n", len);
   return 0;
}
