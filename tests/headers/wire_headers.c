/*
 * Compiled with -Wpadded (and, by check-headers.sh, with -m32): the generated
 * wire headers alone, as virglrenderer and Mesa include them. Their static
 * asserts hold the layout the generator computed.
 */
#include "drm_hw.h"
#include "msm_proto.h"
#include "asahi_proto.h"
#include "i915_proto.h"
#include "amdgpu_virtio_proto.h"
#include "panfrost_proto.h"
#include "vtest_proto.h"

int wire_headers_compile(void);

int
wire_headers_compile(void)
{
   return (int)(sizeof(struct msm_ccmd_gem_submit_req) + sizeof(struct asahi_ccmd_vm_bind_req) +
                sizeof(struct i915_ccmd_gem_execbuffer2_req) + sizeof(struct amdgpu_ccmd_cs_submit_req) +
                sizeof(struct panfrost_ccmd_submit_req) + sizeof(struct vtest_submit_cmd2_req));
}
