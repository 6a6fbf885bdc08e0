/*
 * The vtest codec as a host uses it on a socket: a session as Mesa's vdrm
 * sends it, built with the generated encoders, is read back request by
 * request with vtest_request_extent() as bytes trickle in (every prefix
 * copied to a buffer of exactly its size, so that ASan sees any over-read),
 * dispatched through vtest_dispatch(), and the file descriptors each request
 * carries and its answer receives are counted from the table. Also the
 * limits the extent enforces from the header alone, and the command ids of
 * answers.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vtest_codec.h"

#define SESSION_MAX 4096

struct session {
   uint8_t bytes[SESSION_MAX];
   size_t len;
   size_t ends[32];     /* where each request ends */
   unsigned count;
};

static void
append(struct session *s, int ret, const uint8_t *msg, size_t len)
{
   assert_int_equal(ret, VDRM_OK);
   assert_true(s->len + len <= sizeof(s->bytes));
   memcpy(s->bytes + s->len, msg, len);
   s->len += len;
   s->ends[s->count++] = s->len;
}

/* Mesa's vdrm connecting, creating its shared buffer, submitting, waiting on syncobjs. */
static void
build_session(struct session *s)
{
   uint8_t buf[512];
   size_t len = 0;

   /* Encode, then append what was encoded (the call sets len first). */
#define ADD(call)                                                                                 \
   do {                                                                                           \
      int ret_ = (call);                                                                          \
      append(s, ret_, buf, len);                                                                  \
   } while (0)

   memset(s, 0, sizeof(*s));
   {
      struct vtest_create_renderer_req r = { 0 };
      ADD(vtest_create_renderer_req_encode(buf, sizeof(buf), &r, "glxgears", 9, &len));
   }
   {
      struct vtest_ping_protocol_version_req r = { 0 };
      ADD(vtest_ping_protocol_version_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      struct vtest_resource_busy_wait_req r = { .handle = 0, .flags = 0 };
      ADD(vtest_resource_busy_wait_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      struct vtest_protocol_version_req r = { .version = VTEST_PROTOCOL_VERSION };
      ADD(vtest_protocol_version_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      struct vtest_get_capset_req r = { .id = 6, .version = 0 };
      ADD(vtest_get_capset_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      struct vtest_context_init_req r = { .capset_id = 6 };
      ADD(vtest_context_init_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      struct vtest_resource_create_blob_req r = {
         .type = VCMD_BLOB_TYPE_HOST3D, .flags = VCMD_BLOB_FLAG_MAPPABLE, .size_lo = 0x4000,
      };
      ADD(vtest_resource_create_blob_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      struct vtest_get_param_req r = { .param = VCMD_PARAM_HAS_TIMELINE_SYNCOBJ };
      ADD(vtest_get_param_req_encode(buf, sizeof(buf), &r, &len));
   }
   {
      /* An msm NOP ccmd, with an in-fence, an out-fence, one in- and two out-syncobjs. */
      static const uint32_t nop[4] = { 1, 16, 1, 0 };
      const struct vtest_syncobj in[1] = { { 3, 1, 0 } }   /* VIRTGPU_EXECBUF_SYNCOBJ_RESET */;
      const struct vtest_syncobj out[2] = { { 4, 0, 0 }, { 5, 0, 12 } };
      struct vtest_submit_cmd2_req r = {
         .batch_count = 1,
         .batch = {
            .flags = VCMD_SUBMIT_CMD2_FLAG_RING_IDX | VCMD_SUBMIT_CMD2_FLAG_IN_FENCE_FD |
                     VCMD_SUBMIT_CMD2_FLAG_OUT_FENCE_FD,
            .cmd_offset = 9, .cmd_size = 4, .ring_idx = 1, .num_in_syncobj = 1, .num_out_syncobj = 2,
         },
      };
      ADD(vtest_submit_cmd2_req_encode(buf, sizeof(buf), &r, nop, sizeof(nop), in, out, &len));
   }
   {
      const uint32_t handles[3] = { 7, 8, 9 };
      struct vtest_drm_sync_wait_req r = {
         .num_handles = 3, .timeout_lo = 0x5678, .timeout_hi = 0x1234,
         .flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FD | 1u,
      };
      ADD(vtest_drm_sync_wait_req_encode(buf, sizeof(buf), &r, handles, &len));
   }
   {
      struct vtest_drm_sync_fd_to_handle_req r = { 0 };
      ADD(vtest_drm_sync_fd_to_handle_req_encode(buf, sizeof(buf), &r, &len));
   }
}

/* The extent of the request at bytes, from a copy of exactly len bytes of it. */
static int
extent_of(const uint8_t *bytes, size_t len, uint64_t *extent, struct vdrm_error *err)
{
   uint8_t *copy = malloc(len ? len : 1);
   int ret;

   assert_non_null(copy);
   memcpy(copy, bytes, len);
   ret = vtest_request_extent(copy, len, extent, err);
   free(copy);
   return ret;
}

struct calls {
   unsigned n;
   uint32_t cmds[32];
   uint32_t request_fds, response_fds;
};

#define COUNT_CALL(ctx, req)                                                                     \
   do {                                                                                           \
      struct calls *c = ctx;                                                                      \
      const struct vdrm_ccmd_info *row = &vtest_ccmd_table[(req)->hdr.cmd];                       \
      c->cmds[c->n++] = (req)->hdr.cmd;                                                           \
      c->request_fds += row->request_fds ? row->request_fds(req) : 0;                             \
      c->response_fds += row->response_fds ? row->response_fds(req) : 0;                          \
   } while (0)

/* A handler that counts its call and the file descriptors its table row tells of. */
#define HANDLER(name, type)                                                                       \
   static int on_##name(void *ctx, const struct type *req)                                        \
   {                                                                                              \
      COUNT_CALL(ctx, req);                                                                       \
      return 0;                                                                                   \
   }
#define HANDLER_VIEW(name, type)                                                                  \
   static int on_##name(void *ctx, const struct type *req, const struct type##_view *view)        \
   {                                                                                              \
      (void)view;                                                                                 \
      COUNT_CALL(ctx, req);                                                                       \
      return 0;                                                                                   \
   }

HANDLER_VIEW(create_renderer, vtest_create_renderer_req)
HANDLER(ping, vtest_ping_protocol_version_req)
HANDLER(busy_wait, vtest_resource_busy_wait_req)
HANDLER(version, vtest_protocol_version_req)
HANDLER(get_capset, vtest_get_capset_req)
HANDLER(context_init, vtest_context_init_req)
HANDLER(create_blob, vtest_resource_create_blob_req)
HANDLER(get_param, vtest_get_param_req)
HANDLER_VIEW(submit, vtest_submit_cmd2_req)
HANDLER_VIEW(wait, vtest_drm_sync_wait_req)
HANDLER(fd_to_handle, vtest_drm_sync_fd_to_handle_req)

static const struct vtest_handlers handlers = {
   .create_renderer = on_create_renderer, .ping_protocol_version = on_ping,
   .resource_busy_wait = on_busy_wait, .protocol_version = on_version, .get_capset = on_get_capset,
   .context_init = on_context_init, .resource_create_blob = on_create_blob, .get_param = on_get_param,
   .submit_cmd2 = on_submit, .drm_sync_wait = on_wait, .drm_sync_fd_to_handle = on_fd_to_handle,
};

/*
 * Reading the session as a socket delivers it: one byte more at a time, the
 * extent never asks for more than the request has, never less than the
 * bytes it already needs, and settles on the request's end exactly.
 */
static void
test_session_trickles_in(void **state)
{
   struct session s;
   struct calls calls = { 0 };
   size_t pos = 0;

   (void)state;
   build_session(&s);
   for (unsigned i = 0; i < s.count; i++) {
      size_t end = s.ends[i] - pos, have = 0;
      uint64_t need = 0;
      struct vdrm_error err = { 0 };

      for (;;) {
         uint64_t e;

         assert_int_equal(extent_of(s.bytes + pos, have, &e, &err), VDRM_OK);
         assert_true(e <= end);
         assert_true(e >= need);
         need = e;
         if (have >= need)
            break;
         have++;
      }
      assert_true(need == end);
      assert_int_equal(vtest_dispatch(&handlers, &calls, s.bytes + pos, (size_t)need, &err), VDRM_OK);
      pos += (size_t)need;
   }
   assert_true(pos == s.len);
   assert_int_equal(calls.n, s.count);
   assert_int_equal(calls.cmds[0], VCMD_CREATE_RENDERER);
   assert_int_equal(calls.cmds[8], VCMD_SUBMIT_CMD2);
   /* SUBMIT_CMD2's in-fence, DRM_SYNC_FD_TO_HANDLE's syncobj; the blob, the out-fence, the wait pipe. */
   assert_int_equal(calls.request_fds, 2);
   assert_int_equal(calls.response_fds, 3);
}

/* The extent refuses what the header alone shows to be wrong, before the rest is read. */
static void
test_extent_refusals(void **state)
{
   struct vdrm_error err;
   uint64_t e;

   (void)state;
   {
      /* CREATE_RENDERER naming 1 MiB + 1 bytes: refused with the header alone. */
      const uint32_t hdr[2] = { VTEST_RENDERER_NAME_MAX + 1, VCMD_CREATE_RENDERER };
      assert_int_equal(extent_of((const uint8_t *)hdr, sizeof(hdr), &e, &err), VDRM_E_LIMIT);
      assert_string_equal(err.field, "hdr.length");
   }
   {
      /* A legacy virgl command (GET_CAPS2) is unknown. */
      const uint32_t hdr[2] = { 0, 9 };
      assert_int_equal(extent_of((const uint8_t *)hdr, sizeof(hdr), &e, &err), VDRM_E_OPCODE);
      assert_string_equal(err.field, "hdr.cmd");
   }
   {
      /* A trailer of 2 x 2^32 - 2 syncobjs: more than 4 GiB. */
      uint32_t m[11] = { 9, VCMD_SUBMIT_CMD2, 1, VCMD_SUBMIT_CMD2_FLAG_RING_IDX, 9, 0, 0, 0, 0,
                         0xffffffffu, 0xffffffffu };
      assert_int_equal(extent_of((const uint8_t *)m, sizeof(m) - 4, &e, &err), VDRM_OK);
      assert_true(e == sizeof(m));   /* the framed part first */
      assert_int_equal(extent_of((const uint8_t *)m, sizeof(m), &e, &err), VDRM_E_OVERFLOW);
   }
   {
      /* Fewer bytes than a header: read the header first. */
      const uint8_t three[3] = { 1, 0, 0 };
      assert_int_equal(extent_of(three, sizeof(three), &e, &err), VDRM_OK);
      assert_true(e == sizeof(struct vtest_hdr));
   }
}

/* Answers carry their command's id, or the one upstream gives them; decoders check it. */
static void
test_answer_ids(void **state)
{
   uint8_t buf[64];
   size_t len;
   struct vdrm_error err;

   (void)state;
   {
      struct vtest_drm_sync_fd_to_handle_rsp r = { .handle = 8 };
      uint32_t words[3];

      assert_int_equal(vtest_drm_sync_fd_to_handle_rsp_encode(buf, sizeof(buf), &r, &len), VDRM_OK);
      assert_int_equal(len, sizeof(words));
      memcpy(words, buf, sizeof(words));
      assert_int_equal(words[0], 1);
      assert_int_equal(words[1], VCMD_DRM_SYNC_HANDLE_TO_FD);
      assert_int_equal(vtest_drm_sync_fd_to_handle_rsp_decode(buf, len, &r, &err), VDRM_OK);
      words[1] = VCMD_DRM_SYNC_FD_TO_HANDLE;
      memcpy(buf, words, sizeof(words));
      assert_int_equal(vtest_drm_sync_fd_to_handle_rsp_decode(buf, len, &r, &err), VDRM_E_OPCODE);
   }
   {
      /* A timeline wait's result, under DRM_SYNC_WAIT's id. */
      const struct vtest_drm_sync_wait_result res = { 0, -62 };
      struct vtest_drm_sync_timeline_wait_rsp r = { 0 };
      struct vtest_drm_sync_timeline_wait_rsp_view v;
      uint32_t words[2];

      assert_int_equal(vtest_drm_sync_timeline_wait_rsp_encode(buf, sizeof(buf), &r, &res, 1, &len), VDRM_OK);
      memcpy(words, buf, sizeof(words));
      assert_int_equal(words[0], 2);
      assert_int_equal(words[1], VCMD_DRM_SYNC_WAIT);
      assert_int_equal(vtest_drm_sync_timeline_wait_rsp_decode(buf, len, &r, &v, &err), VDRM_OK);
      assert_int_equal(v.result.count, 1);
      /* With WAIT_FD the answer is an empty header. */
      assert_int_equal(vtest_drm_sync_timeline_wait_rsp_encode(buf, sizeof(buf), &r, NULL, 0, &len), VDRM_OK);
      assert_int_equal(len, 8);
   }
   {
      /* DRM_SYNC_QUERY: an empty header, then the points, which its length does not count. */
      const uint64_t points[2] = { 3, 0x200000001ull };
      struct vtest_drm_sync_query_rsp r = { 0 };
      struct vtest_drm_sync_query_rsp_view v;
      uint32_t words[2];

      assert_int_equal(vtest_drm_sync_query_rsp_encode(buf, sizeof(buf), &r, points, 2, &len), VDRM_OK);
      assert_int_equal(len, 8 + sizeof(points));
      memcpy(words, buf, sizeof(words));
      assert_int_equal(words[0], 0);
      assert_int_equal(words[1], VCMD_DRM_SYNC_QUERY);
      assert_int_equal(vtest_drm_sync_query_rsp_decode(buf, len, &r, &v, &err), VDRM_OK);
      assert_int_equal(v.points.count, 2);
   }
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_session_trickles_in),
      cmocka_unit_test(test_extent_refusals),
      cmocka_unit_test(test_answer_ids),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
