#include "msm_codec.h"

int
main(void)
{
   struct msm_ccmd_nop_req nop = { 0 };
   unsigned char buf[16];
   size_t len;

   return msm_ccmd_nop_req_encode(buf, sizeof(buf), &nop, &len) == VDRM_OK && len == 16 ? 0 : 1;
}
