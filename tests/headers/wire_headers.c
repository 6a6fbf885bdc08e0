/*
 * Compiled with -Wpadded (and, by check-headers.sh, with -m32): the generated
 * wire headers alone, as virglrenderer and Mesa include them. Their static
 * asserts hold the layout the generator computed.
 */
#include "drm_hw.h"
#include "msm_proto.h"

int wire_headers_compile(void);

int
wire_headers_compile(void)
{
   return (int)sizeof(struct msm_ccmd_gem_submit_req);
}
