/* SPDX-License-Identifier: MIT */

/*
 * The vtest commands of one client, on the in-process host API. Every
 * request is framed by vtest_request_extent(), decoded by the generated
 * decoders and run through the generated dispatch table; every answer is
 * built by the generated encoders. A failed command drops the client, as
 * the deployed server drops the connection; a refused ccmd batch does not
 * (the context logged it and counted async_error, as over virtio-gpu).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "vdrm_host.h"
#include "vtest_codec.h"

/* A handler's result besides 0: wait and run the request again later; drop the client. */
#define VT_AGAIN 1
#define VT_DROP (-1)

#define VT_SUBMIT_KNOWN_FLAGS                                                                      \
   (VCMD_SUBMIT_CMD2_FLAG_RING_IDX | VCMD_SUBMIT_CMD2_FLAG_IN_FENCE_FD |                           \
    VCMD_SUBMIT_CMD2_FLAG_OUT_FENCE_FD)
/* VIRTGPU_EXECBUF_SYNCOBJ_RESET: an in-syncobj is reset once waited for. */
#define VT_EXECBUF_SYNCOBJ_RESET 0x1u

__attribute__((format(printf, 2, 3))) static int
drop(struct vt_client *c, const char *fmt, ...)
{
   va_list ap;

   if (!c->reason[0]) {
      va_start(ap, fmt);
      vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
      va_end(ap);
   }
   return VT_DROP;
}

static int64_t
now_ns(void)
{
   struct timespec ts;

   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Queues an encoded answer. */
static int
reply(struct vt_client *c, const void *buf, size_t len)
{
   if (vt_conn_queue(&c->conn, buf, len))
      return drop(c, "%s", c->conn.error);
   return 0;
}

static int
reply_fd(struct vt_client *c, int fd)
{
   if (vt_conn_queue_fd(&c->conn, fd))
      return drop(c, "%s", c->conn.error);
   return 0;
}


/* The descriptor the request being run carries (the loop closes it afterwards). */
static int
request_fd(const struct vt_client *c)
{
   return c->cur_fds ? c->conn.rx_fds[0] : -1;
}

static int
encode_failed(struct vt_client *c, const char *what, int ret)
{
   return drop(c, "%s: encoding the answer failed: %s", what, vdrm_status_name(ret));
}

/*
 * Sends an answer (encode_ret: its encoder's status) and a descriptor,
 * which is owned: closed whatever happens.
 */
static int
reply_with_fd(struct vt_client *c, const char *what, int encode_ret, const void *buf, size_t len, int fd)
{
   if (encode_ret) {
      close(fd);
      return encode_failed(c, what, encode_ret);
   }
   if (reply(c, buf, len)) {
      close(fd);
      return VT_DROP;
   }
   return reply_fd(c, fd);
}

static bool
has_context(const struct vt_client *c)
{
   return c->capset_id != 0;
}

/* ---- session ---- */

static int
h_create_renderer(void *ctx, const struct vtest_create_renderer_req *req,
                  const struct vtest_create_renderer_req_view *view)
{
   struct vt_client *c = ctx;
   size_t n = 0;
   int ret;

   (void)req;
   if (c->renderer)
      return drop(c, "CREATE_RENDERER: a second one");
   /* The name is for log lines: printable bytes up to the first NUL, cut to fit. */
   for (uint32_t i = 0; i < view->name.size && n + 1 < sizeof(c->name); i++) {
      uint8_t ch = view->name.data[i];

      if (!ch)
         break;
      c->name[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
   }
   c->name[n] = 0;
   ret = vdrm_host_client_create(c->host, &c->hc);
   if (ret)
      return drop(c, "CREATE_RENDERER: %s", vdrm_host_status_name(ret));
   c->renderer = true;
   return 0;
}

static int
h_ping_protocol_version(void *ctx, const struct vtest_ping_protocol_version_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_ping_protocol_version_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int ret;

   (void)req;
   ret = vtest_ping_protocol_version_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return ret ? encode_failed(c, "PING_PROTOCOL_VERSION", ret) : reply(c, buf, len);
}

static int
h_protocol_version(void *ctx, const struct vtest_protocol_version_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_protocol_version_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   uint32_t v = req->version < VTEST_PROTOCOL_VERSION ? req->version : VTEST_PROTOCOL_VERSION;
   size_t len;
   int ret;

   if (v == 1)
      v = 0;
   /* Several clients at once need 3; SUBMIT_CMD2's syncobj fields mean something from 4 on. */
   if (v < VTEST_PROTOCOL_VERSION)
      return drop(c, "PROTOCOL_VERSION: version %u, this host needs %u", req->version,
                  VTEST_PROTOCOL_VERSION);
   c->version = v;
   rsp.version = v;
   ret = vtest_protocol_version_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return ret ? encode_failed(c, "PROTOCOL_VERSION", ret) : reply(c, buf, len);
}

static int
h_get_param(void *ctx, const struct vtest_get_param_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_get_param_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int ret;

   switch (req->param) {
   case VCMD_PARAM_MAX_TIMELINE_COUNT:
      rsp.valid = 1;
      rsp.value = has_context(c) ? vdrm_host_num_rings(c->hc) : VTEST_MAX_TIMELINE_COUNT;
      break;
   case VCMD_PARAM_HAS_TIMELINE_SYNCOBJ:
      /* Syncobjs with timelines, kept here; sync files are not (see README). */
      rsp.valid = 1;
      rsp.value = 1;
      break;
   default:
      break;
   }
   ret = vtest_get_param_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return ret ? encode_failed(c, "GET_PARAM", ret) : reply(c, buf, len);
}

static int
h_get_capset(void *ctx, const struct vtest_get_capset_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_get_capset_rsp rsp = { 0 };
   uint8_t caps[2048] = { 0 };
   uint8_t buf[sizeof(rsp) + sizeof(caps)];
   size_t size = 0, len;
   int ret;

   if (vdrm_host_get_capset(c->host, req->id, req->version, caps, sizeof(caps), &size) == 0 &&
       size <= sizeof(caps)) {
      rsp.valid = 1;
      size = (size + 3) & ~(size_t)3;   /* whole dwords; the rest of caps is zero */
   } else {
      size = 0;
   }
   ret = vtest_get_capset_rsp_encode(buf, sizeof(buf), &rsp, caps, (uint32_t)size, &len);
   return ret ? encode_failed(c, "GET_CAPSET", ret) : reply(c, buf, len);
}

static int
h_context_init(void *ctx, const struct vtest_context_init_req *req)
{
   struct vt_client *c = ctx;
   char name[96];
   int ret;

   if (c->capset_id == req->capset_id)
      return 0;
   if (c->capset_id)
      return drop(c, "CONTEXT_INIT: capset %u after capset %u", req->capset_id, c->capset_id);
   snprintf(name, sizeof(name), "vtest-%u:%s", c->id, c->name);
   ret = vdrm_host_context_init(c->hc, req->capset_id, name);
   if (ret)
      return drop(c, "CONTEXT_INIT: capset %u: %s", req->capset_id, vdrm_host_status_name(ret));
   c->capset_id = req->capset_id;
   return 0;
}

/* ---- resources ---- */

static int
h_resource_create_blob(void *ctx, const struct vtest_resource_create_blob_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_resource_create_blob_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   uint64_t size = (uint64_t)req->size_hi << 32 | req->size_lo;
   size_t len;
   int fd, ret;

   if (!has_context(c))
      return drop(c, "RESOURCE_CREATE_BLOB: no context (CONTEXT_INIT first)");
   if (req->type != VCMD_BLOB_TYPE_HOST3D)
      return drop(c, "RESOURCE_CREATE_BLOB: type %u (a DRM native context has HOST3D blobs only)",
                  req->type);
   if (req->id_hi)
      return drop(c, "RESOURCE_CREATE_BLOB: blob_id 0x%x%08x beyond 32 bits", req->id_hi, req->id_lo);
   ret = vdrm_host_blob_create(c->hc, req->id_lo, size, req->flags, &rsp.res_id, &fd);
   if (ret)
      return drop(c, "RESOURCE_CREATE_BLOB: blob_id %u size %llu flags 0x%x: %s", req->id_lo,
                  (unsigned long long)size, req->flags, vdrm_host_status_name(ret));
   ret = vtest_resource_create_blob_rsp_encode(buf, sizeof(buf), &rsp, &len);
   if (ret) {
      close(fd);
      return encode_failed(c, "RESOURCE_CREATE_BLOB", ret);
   }
   if (reply(c, buf, len)) {
      close(fd);
      return VT_DROP;
   }
   return reply_fd(c, fd);
}

static int
h_resource_export_fd(void *ctx, const struct vtest_resource_export_fd_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_resource_export_fd_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int fd, ret;

   if (!has_context(c))
      return drop(c, "RESOURCE_EXPORT_FD: no context");
   ret = vdrm_host_resource_export(c->hc, req->res_handle, &fd);
   if (ret)
      return drop(c, "RESOURCE_EXPORT_FD: res_id %u: %s", req->res_handle, vdrm_host_status_name(ret));
   ret = vtest_resource_export_fd_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return reply_with_fd(c, "RESOURCE_EXPORT_FD", ret, buf, len, fd);
}

static int
h_resource_unref(void *ctx, const struct vtest_resource_unref_req *req)
{
   struct vt_client *c = ctx;

   /* An unknown res_id is ignored, as the protocol says. */
   if (has_context(c))
      (void)vdrm_host_resource_unref(c->hc, req->res_handle);
   return 0;
}

static int
h_resource_busy_wait(void *ctx, const struct vtest_resource_busy_wait_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_resource_busy_wait_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int ret;

   if (!has_context(c)) {
      if (req->handle)
         return drop(c, "RESOURCE_BUSY_WAIT: handle %u before CONTEXT_INIT", req->handle);
   } else {
      struct vdrm_host_stats st;

      vt_session_poll(c);
      if (vdrm_host_get_stats(c->hc, &st) == 0 && st.pending_fences)
         rsp.busy = 1;
      /* Waiting holds only this client's stream: the request runs again on later ticks. */
      if (rsp.busy && (req->flags & VCMD_BUSY_WAIT_FLAG_WAIT))
         return VT_AGAIN;
   }
   ret = vtest_resource_busy_wait_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return ret ? encode_failed(c, "RESOURCE_BUSY_WAIT", ret) : reply(c, buf, len);
}

/* ---- submits ---- */

static struct vt_syncobj *
syncobj_of(struct vt_client *c, const char *cmd, uint32_t handle)
{
   struct vt_syncobj *s = vt_syncobj_get(&c->syncobjs, handle);

   if (!s)
      drop(c, "%s: syncobj %u unknown", cmd, handle);
   return s;
}

/* Whether the in-syncobjs are signalled: 0, VT_AGAIN, or VT_DROP. */
static int
check_in_syncobjs(struct vt_client *c, const struct vtest_submit_cmd2_req_view *view)
{
   for (uint32_t i = 0; i < view->in_syncobjs.count; i++) {
      struct vtest_syncobj so;
      struct vt_syncobj *s;

      vtest_submit_cmd2_req_in_syncobjs_get(view, i, &so);
      s = syncobj_of(c, "SUBMIT_CMD2 in_syncobjs", so.handle);
      if (!s)
         return VT_DROP;
      if (vt_syncobj_ready(s, so.point))
         continue;
      if (!vt_syncobj_has_fence(s, so.point))
         return drop(c, "SUBMIT_CMD2: in-syncobj %u point %llu has no fence to wait for", so.handle,
                     (unsigned long long)so.point);
      return VT_AGAIN;
   }
   return 0;
}

static int
h_submit_cmd2(void *ctx, const struct vtest_submit_cmd2_req *req,
              const struct vtest_submit_cmd2_req_view *view)
{
   struct vt_client *c = ctx;
   const struct vcmd_submit_cmd2_batch *b = &req->batch;
   bool ring = b->flags & VCMD_SUBMIT_CMD2_FLAG_RING_IDX;
   struct vt_pending_fence *pf = NULL;
   uint32_t flags = 0;
   uint64_t fence_id = 0;
   int ret;

   if (!has_context(c))
      return drop(c, "SUBMIT_CMD2: no context");
   if (b->flags & ~VT_SUBMIT_KNOWN_FLAGS)
      return drop(c, "SUBMIT_CMD2: batch.flags 0x%x has unknown bits", b->flags);
   if (b->sync_count)
      return drop(c, "SUBMIT_CMD2: version-3 sync entries are not supported");
   if (!ring && (b->num_out_syncobj || (b->flags & VCMD_SUBMIT_CMD2_FLAG_OUT_FENCE_FD)))
      return drop(c, "SUBMIT_CMD2: out-syncobjs or an out-fence without RING_IDX");
   if (ring && b->ring_idx >= vdrm_host_num_rings(c->hc))
      return drop(c, "SUBMIT_CMD2: ring_idx %u, the context has %u rings", b->ring_idx,
                  vdrm_host_num_rings(c->hc));
   for (uint32_t i = 0; i < view->out_syncobjs.count; i++) {
      struct vtest_syncobj so;

      vtest_submit_cmd2_req_out_syncobjs_get(view, i, &so);
      if (!syncobj_of(c, "SUBMIT_CMD2 out_syncobjs", so.handle))
         return VT_DROP;
   }
   ret = check_in_syncobjs(c, view);
   if (ret)
      return ret;
   if (b->flags & VCMD_SUBMIT_CMD2_FLAG_IN_FENCE_FD) {
      /* A sync file polls readable once signalled; the descriptor is the first one waiting. */
      struct pollfd p = { .fd = c->conn.rx_fds[0], .events = POLLIN };

      if (poll(&p, 1, 0) == 0)
         return VT_AGAIN;
   }
   /* Everything this batch waits for is there: it runs now. */
   for (uint32_t i = 0; i < view->in_syncobjs.count; i++) {
      struct vtest_syncobj so;

      vtest_submit_cmd2_req_in_syncobjs_get(view, i, &so);
      if ((so.flags & VT_EXECBUF_SYNCOBJ_RESET) && !so.point)
         vt_syncobj_reset(vt_syncobj_get(&c->syncobjs, so.handle));
   }
   if (ring) {
      pf = calloc(1, sizeof(*pf) + view->out_syncobjs.count * sizeof(pf->outs[0]));
      if (!pf)
         return drop(c, "SUBMIT_CMD2: out of memory");
      /* No sync files without a kernel: the fence is an eventfd that polls readable when
       * it retires; binary out-syncobjs and the out-fence hold duplicates of it. */
      pf->fence_fd = eventfd(0, EFD_CLOEXEC);
      if (pf->fence_fd < 0) {
         free(pf);
         return drop(c, "SUBMIT_CMD2: no eventfd for the fence: %s", strerror(errno));
      }
      fence_id = ++c->next_fence_id;
      flags = VDRM_HOST_SUBMIT_FENCE;
   }
   ret = vdrm_host_submit(c->hc, view->data.data + (size_t)(b->cmd_offset - 9) * 4,
                          (size_t)b->cmd_size * 4, flags, b->ring_idx, fence_id);
   if (ret && ret != VDRM_HOST_E_PROTOCOL) {
      if (pf)
         close(pf->fence_fd);
      free(pf);
      return drop(c, "SUBMIT_CMD2: %s", vdrm_host_status_name(ret));
   }
   /* VDRM_HOST_E_PROTOCOL: the context logged the request and counted async_error; the
    * fence exists all the same. */
   if (!pf)
      return 0;
   pf->ring = b->ring_idx;
   pf->fence_id = fence_id;
   *c->fences_tail = pf;
   c->fences_tail = &pf->next;
   for (uint32_t i = 0; i < view->out_syncobjs.count; i++) {
      struct vtest_syncobj so;
      struct vt_syncobj *s;

      vtest_submit_cmd2_req_out_syncobjs_get(view, i, &so);
      s = vt_syncobj_get(&c->syncobjs, so.handle);
      if (so.point) {
         vt_syncobj_install_point(s, so.point);
         vt_syncobj_ref(s);
         pf->outs[pf->nouts].obj = s;
         pf->outs[pf->nouts++].point = so.point;
      } else if (vt_syncobj_install_fd(s, fcntl(pf->fence_fd, F_DUPFD_CLOEXEC, 0))) {
         return drop(c, "SUBMIT_CMD2: no descriptor for out-syncobj %u: %s", so.handle, strerror(errno));
      }
   }
   if (b->flags & VCMD_SUBMIT_CMD2_FLAG_OUT_FENCE_FD) {
      int dup_fd = fcntl(pf->fence_fd, F_DUPFD_CLOEXEC, 0);

      if (dup_fd < 0)
         return drop(c, "SUBMIT_CMD2: no descriptor for the out-fence: %s", strerror(errno));
      return reply_fd(c, dup_fd);
   }
   return 0;
}

/* ---- DRM syncobjs ---- */

static int
h_drm_sync_create(void *ctx, const struct vtest_drm_sync_create_req *req)
{
   struct vt_client *c = ctx;
   struct vtest_drm_sync_create_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int ret;

   if (!has_context(c))
      return drop(c, "DRM_SYNC_CREATE: no context");
   if (req->flags & ~VT_SYNCOBJ_CREATE_SIGNALED)
      return drop(c, "DRM_SYNC_CREATE: flags 0x%x has unknown bits", req->flags);
   ret = vt_syncobj_create(&c->syncobjs, req->flags, &rsp.handle);
   if (ret == -ENOSPC)
      return drop(c, "DRM_SYNC_CREATE: the limit of %u syncobjs is reached", c->syncobjs.max);
   if (ret)
      return drop(c, "DRM_SYNC_CREATE: out of memory");
   ret = vtest_drm_sync_create_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return ret ? encode_failed(c, "DRM_SYNC_CREATE", ret) : reply(c, buf, len);
}

static int
h_drm_sync_destroy(void *ctx, const struct vtest_drm_sync_destroy_req *req)
{
   struct vt_client *c = ctx;

   if (vt_syncobj_destroy(&c->syncobjs, req->handle))
      return drop(c, "DRM_SYNC_DESTROY: syncobj %u unknown", req->handle);
   return 0;
}

/*
 * How a wait stands: 1 over (result filled), 0 not yet. Kernel rules: a
 * point without a fence fails the wait (-EINVAL) unless WAIT_FOR_SUBMIT;
 * WAIT_AVAILABLE is satisfied by a fence being there.
 */
static int
wait_state(struct vt_client *c, uint32_t n, const uint32_t *handles, const uint64_t *points,
           uint32_t flags, int64_t deadline, struct vtest_drm_sync_wait_result *res)
{
   uint32_t ready = 0;

   res->first_signaled = ~0u;
   res->status = 0;
   for (uint32_t i = 0; i < n; i++) {
      struct vt_syncobj *s = vt_syncobj_get(&c->syncobjs, handles[i]);
      uint64_t point = points ? points[i] : 0;
      bool ok;

      if (!s) {
         res->status = -ENOENT;
         return 1;
      }
      if (!vt_syncobj_has_fence(s, point) && !(flags & VT_SYNCOBJ_WAIT_FOR_SUBMIT)) {
         res->status = -EINVAL;
         return 1;
      }
      ok = (flags & VT_SYNCOBJ_WAIT_AVAILABLE) ? vt_syncobj_has_fence(s, point)
                                               : vt_syncobj_ready(s, point);
      if (ok) {
         ready++;
         if (res->first_signaled == ~0u)
            res->first_signaled = i;
      }
   }
   if ((flags & VT_SYNCOBJ_WAIT_ALL) ? ready == n : ready > 0)
      return 1;
   if (now_ns() >= deadline) {
      res->status = -ETIME;
      return 1;
   }
   return 0;
}

static int
wait_common(struct vt_client *c, const char *cmd, bool timeline, uint32_t n,
            const struct vdrm_span *hspan, const struct vdrm_span *pspan, int64_t deadline,
            uint32_t flags)
{
   struct vtest_drm_sync_wait_result res;
   struct vtest_drm_sync_wait_rsp rsp = { 0 };
   struct vtest_drm_sync_timeline_wait_rsp trsp = { 0 };
   uint8_t buf[sizeof(rsp) + sizeof(trsp) + sizeof(res)];
   uint32_t *handles = calloc(n ? n : 1, sizeof(*handles));
   uint64_t *points = timeline ? calloc(n ? n : 1, sizeof(*points)) : NULL;
   bool wait_fd = flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FD;
   size_t len;
   int ret, over, fds[2];

   if (!handles || (timeline && !points)) {
      free(handles);
      free(points);
      return drop(c, "%s: out of memory", cmd);
   }
   memcpy(handles, hspan->data, (size_t)n * sizeof(*handles));
   if (timeline)
      memcpy(points, pspan->data, (size_t)n * sizeof(*points));
   flags &= ~DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FD;
   over = wait_state(c, n, handles, points, flags, deadline, &res);
   if (!wait_fd) {
      free(handles);
      free(points);
      if (!over)
         return VT_AGAIN;   /* only this client's stream waits */
      ret = timeline ? vtest_drm_sync_timeline_wait_rsp_encode(buf, sizeof(buf), &trsp,
                                                                &res, 1, &len)
                     : vtest_drm_sync_wait_rsp_encode(buf, sizeof(buf), &rsp, &res, 1, &len);
      return ret ? encode_failed(c, cmd, ret) : reply(c, buf, len);
   }
   /* WAIT_FD: an empty answer and a pipe the result goes into once the wait is over. */
   if (!over && c->nwaits >= c->limits->max_waits) {
      free(handles);
      free(points);
      return drop(c, "%s: the limit of %u waits is reached", cmd, c->limits->max_waits);
   }
   /* The client blocks reading its end (Mesa's vpipe does): only the server's end is
    * non-blocking, and O_NONBLOCK belongs to each end's own file description. */
   if (pipe2(fds, O_CLOEXEC)) {
      free(handles);
      free(points);
      return drop(c, "%s: no pipe: %s", cmd, strerror(errno));
   }
   if (fcntl(fds[1], F_SETFL, O_NONBLOCK)) {
      close(fds[0]);
      close(fds[1]);
      free(handles);
      free(points);
      return drop(c, "%s: the pipe's write end: %s", cmd, strerror(errno));
   }
   ret = timeline ? vtest_drm_sync_timeline_wait_rsp_encode(buf, sizeof(buf), &trsp, NULL,
                                                             0, &len)
                  : vtest_drm_sync_wait_rsp_encode(buf, sizeof(buf), &rsp, NULL, 0, &len);
   if (ret || reply(c, buf, len) || reply_fd(c, fds[0])) {
      if (ret)
         close(fds[0]);
      close(fds[1]);
      free(handles);
      free(points);
      return ret ? encode_failed(c, cmd, ret) : VT_DROP;
   }
   if (over) {
      (void)!write(fds[1], &res, sizeof(res));
      close(fds[1]);
      free(handles);
      free(points);
      return 0;
   }
   {
      struct vt_wait *w = calloc(1, sizeof(*w));

      if (!w) {
         close(fds[1]);
         free(handles);
         free(points);
         return drop(c, "%s: out of memory", cmd);
      }
      *w = (struct vt_wait){ .next = c->waits, .pipe_wr = fds[1], .deadline = deadline,
                             .flags = flags, .n = n, .handles = handles, .points = points };
      c->waits = w;
      c->nwaits++;
   }
   return 0;
}

static int
h_drm_sync_wait(void *ctx, const struct vtest_drm_sync_wait_req *req,
                const struct vtest_drm_sync_wait_req_view *view)
{
   int64_t deadline = (int64_t)((uint64_t)req->timeout_hi << 32 | req->timeout_lo);

   return wait_common(ctx, "DRM_SYNC_WAIT", false, req->num_handles, &view->handles, NULL, deadline,
                      req->flags);
}

static int
h_drm_sync_timeline_wait(void *ctx, const struct vtest_drm_sync_timeline_wait_req *req,
                         const struct vtest_drm_sync_timeline_wait_req_view *view)
{
   int64_t deadline = (int64_t)((uint64_t)req->timeout_hi << 32 | req->timeout_lo);

   return wait_common(ctx, "DRM_SYNC_TIMELINE_WAIT", true, req->num_handles, &view->handles,
                      &view->points, deadline, req->flags);
}

/* Each handle of span must be a syncobj of the client. */
static int
all_known(struct vt_client *c, const char *cmd, const struct vdrm_span *handles)
{
   for (uint32_t i = 0; i < handles->count; i++) {
      uint32_t h;

      memcpy(&h, handles->data + (size_t)i * 4, 4);
      if (!syncobj_of(c, cmd, h))
         return VT_DROP;
   }
   return 0;
}

static int
h_drm_sync_reset(void *ctx, const struct vtest_drm_sync_reset_req *req,
                 const struct vtest_drm_sync_reset_req_view *view)
{
   struct vt_client *c = ctx;

   (void)req;
   if (all_known(c, "DRM_SYNC_RESET", &view->handles))
      return VT_DROP;
   for (uint32_t i = 0; i < view->handles.count; i++) {
      uint32_t h;

      vtest_drm_sync_reset_req_handles_get(view, i, &h);
      vt_syncobj_reset(vt_syncobj_get(&c->syncobjs, h));
   }
   return 0;
}

static int
h_drm_sync_signal(void *ctx, const struct vtest_drm_sync_signal_req *req,
                  const struct vtest_drm_sync_signal_req_view *view)
{
   struct vt_client *c = ctx;

   (void)req;
   if (all_known(c, "DRM_SYNC_SIGNAL", &view->handles))
      return VT_DROP;
   for (uint32_t i = 0; i < view->handles.count; i++) {
      uint32_t h;

      vtest_drm_sync_signal_req_handles_get(view, i, &h);
      vt_syncobj_signal_now(vt_syncobj_get(&c->syncobjs, h), 0);
   }
   return 0;
}

static int
h_drm_sync_timeline_signal(void *ctx, const struct vtest_drm_sync_timeline_signal_req *req,
                           const struct vtest_drm_sync_timeline_signal_req_view *view)
{
   struct vt_client *c = ctx;

   (void)req;
   if (all_known(c, "DRM_SYNC_TIMELINE_SIGNAL", &view->handles))
      return VT_DROP;
   for (uint32_t i = 0; i < view->handles.count; i++) {
      uint32_t h;
      uint64_t p;

      vtest_drm_sync_timeline_signal_req_handles_get(view, i, &h);
      vtest_drm_sync_timeline_signal_req_points_get(view, i, &p);
      vt_syncobj_signal_now(vt_syncobj_get(&c->syncobjs, h), p);
   }
   return 0;
}

static int
h_drm_sync_query(void *ctx, const struct vtest_drm_sync_query_req *req,
                 const struct vtest_drm_sync_query_req_view *view)
{
   struct vt_client *c = ctx;
   struct vtest_drm_sync_query_rsp rsp = { 0 };
   uint32_t n = view->handles.count;
   uint64_t *points;
   uint8_t *buf;
   size_t len, cap = sizeof(rsp) + (size_t)n * 8;
   int ret;

   (void)req;
   if (all_known(c, "DRM_SYNC_QUERY", &view->handles))
      return VT_DROP;
   points = calloc(n ? n : 1, sizeof(*points));
   buf = malloc(cap);
   if (!points || !buf) {
      free(points);
      free(buf);
      return drop(c, "DRM_SYNC_QUERY: out of memory");
   }
   for (uint32_t i = 0; i < n; i++) {
      uint32_t h;

      vtest_drm_sync_query_req_handles_get(view, i, &h);
      points[i] = vt_syncobj_get(&c->syncobjs, h)->point;
   }
   ret = vtest_drm_sync_query_rsp_encode(buf, cap, &rsp, points, n, &len);
   ret = ret ? encode_failed(c, "DRM_SYNC_QUERY", ret) : reply(c, buf, len);
   free(points);
   free(buf);
   return ret;
}

static int
h_drm_sync_transfer(void *ctx, const struct vtest_drm_sync_transfer_req *req)
{
   struct vt_client *c = ctx;
   uint64_t src_point = (uint64_t)req->src_point_hi << 32 | req->src_point_lo;
   uint64_t dst_point = (uint64_t)req->dst_point_hi << 32 | req->dst_point_lo;
   struct vt_syncobj *src = syncobj_of(c, "DRM_SYNC_TRANSFER src_handle", req->src_handle);
   struct vt_syncobj *dst = syncobj_of(c, "DRM_SYNC_TRANSFER dst_handle", req->dst_handle);

   if (!src || !dst)
      return VT_DROP;
   if (req->flags & ~VT_SYNCOBJ_WAIT_FOR_SUBMIT)
      return drop(c, "DRM_SYNC_TRANSFER: flags 0x%x has unknown bits", req->flags);
   if (!vt_syncobj_ready(src, src_point)) {
      if (!vt_syncobj_has_fence(src, src_point) && !(req->flags & VT_SYNCOBJ_WAIT_FOR_SUBMIT))
         return drop(c, "DRM_SYNC_TRANSFER: syncobj %u point %llu has no fence", req->src_handle,
                     (unsigned long long)src_point);
      /* A pending binary fence moves to a binary payload as it is (its descriptor). */
      if (!src_point && !dst_point && src->binary_fd >= 0) {
         if (vt_syncobj_install_fd(dst, fcntl(src->binary_fd, F_DUPFD_CLOEXEC, 0)))
            return drop(c, "DRM_SYNC_TRANSFER: no descriptor for the fence: %s", strerror(errno));
         return 0;
      }
      /* A pending timeline point has no descriptor: this client's stream waits for it. */
      return VT_AGAIN;
   }
   vt_syncobj_signal_now(dst, dst_point);
   return 0;
}

static int
h_drm_sync_handle_to_fd(void *ctx, const struct vtest_drm_sync_handle_to_fd_req *req)
{
   struct vt_client *c = ctx;
   struct vt_syncobj *s = syncobj_of(c, "DRM_SYNC_HANDLE_TO_FD", req->handle);
   struct vtest_drm_sync_handle_to_fd_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int fd, ret;

   if (!s)
      return VT_DROP;
   ret = vt_syncobj_export_token(c->registry, s, &fd);
   if (ret)
      return drop(c, "DRM_SYNC_HANDLE_TO_FD: syncobj %u: no descriptor: %s", req->handle, strerror(-ret));
   ret = vtest_drm_sync_handle_to_fd_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return reply_with_fd(c, "DRM_SYNC_HANDLE_TO_FD", ret, buf, len, fd);
}

static int
h_drm_sync_fd_to_handle(void *ctx, const struct vtest_drm_sync_fd_to_handle_req *req)
{
   struct vt_client *c = ctx;
   struct vt_syncobj *s = vt_syncobj_lookup_token(c->registry, request_fd(c));
   struct vtest_drm_sync_fd_to_handle_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int ret;

   (void)req;
   if (!has_context(c))
      return drop(c, "DRM_SYNC_FD_TO_HANDLE: no context");
   /* The kernel's answer to a descriptor that is not a syncobj's: -EINVAL. */
   if (!s)
      return drop(c, "DRM_SYNC_FD_TO_HANDLE: the descriptor is no syncobj of this server");
   ret = vt_syncobj_add(&c->syncobjs, s, &rsp.handle);
   if (ret == -ENOSPC)
      return drop(c, "DRM_SYNC_FD_TO_HANDLE: the limit of %u syncobjs is reached", c->syncobjs.max);
   if (ret)
      return drop(c, "DRM_SYNC_FD_TO_HANDLE: out of memory");
   ret = vtest_drm_sync_fd_to_handle_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return ret ? encode_failed(c, "DRM_SYNC_FD_TO_HANDLE", ret) : reply(c, buf, len);
}

static int
h_drm_sync_import_sync_file(void *ctx, const struct vtest_drm_sync_import_sync_file_req *req)
{
   struct vt_client *c = ctx;
   struct vt_syncobj *s = syncobj_of(c, "DRM_SYNC_IMPORT_SYNC_FILE", req->handle);

   if (!s)
      return VT_DROP;
   /* Any descriptor that polls readable once signalled is a fence here (a sync file is). */
   if (vt_syncobj_install_fd(s, fcntl(request_fd(c), F_DUPFD_CLOEXEC, 0)))
      return drop(c, "DRM_SYNC_IMPORT_SYNC_FILE: syncobj %u: cannot keep the descriptor: %s",
                  req->handle, strerror(errno));
   return 0;
}

static int
h_drm_sync_export_sync_file(void *ctx, const struct vtest_drm_sync_export_sync_file_req *req)
{
   struct vt_client *c = ctx;
   struct vt_syncobj *s = syncobj_of(c, "DRM_SYNC_EXPORT_SYNC_FILE", req->handle);
   struct vtest_drm_sync_export_sync_file_rsp rsp = { 0 };
   uint8_t buf[sizeof(rsp)];
   size_t len;
   int fd, ret;

   if (!s)
      return VT_DROP;
   ret = vt_syncobj_export_fence(s, &fd);
   if (ret == -EINVAL)
      return drop(c, "DRM_SYNC_EXPORT_SYNC_FILE: syncobj %u has no fence", req->handle);
   if (ret)
      return drop(c, "DRM_SYNC_EXPORT_SYNC_FILE: syncobj %u: no descriptor: %s", req->handle,
                  strerror(-ret));
   ret = vtest_drm_sync_export_sync_file_rsp_encode(buf, sizeof(buf), &rsp, &len);
   return reply_with_fd(c, "DRM_SYNC_EXPORT_SYNC_FILE", ret, buf, len, fd);
}

static const struct vtest_handlers handlers = {
   .resource_unref = h_resource_unref,
   .resource_busy_wait = h_resource_busy_wait,
   .create_renderer = h_create_renderer,
   .ping_protocol_version = h_ping_protocol_version,
   .protocol_version = h_protocol_version,
   .get_param = h_get_param,
   .get_capset = h_get_capset,
   .context_init = h_context_init,
   .resource_create_blob = h_resource_create_blob,
   .submit_cmd2 = h_submit_cmd2,
   .drm_sync_create = h_drm_sync_create,
   .drm_sync_destroy = h_drm_sync_destroy,
   .drm_sync_handle_to_fd = h_drm_sync_handle_to_fd,
   .drm_sync_fd_to_handle = h_drm_sync_fd_to_handle,
   .drm_sync_import_sync_file = h_drm_sync_import_sync_file,
   .drm_sync_export_sync_file = h_drm_sync_export_sync_file,
   .drm_sync_wait = h_drm_sync_wait,
   .drm_sync_reset = h_drm_sync_reset,
   .drm_sync_signal = h_drm_sync_signal,
   .drm_sync_timeline_signal = h_drm_sync_timeline_signal,
   .drm_sync_timeline_wait = h_drm_sync_timeline_wait,
   .drm_sync_query = h_drm_sync_query,
   .drm_sync_transfer = h_drm_sync_transfer,
   .resource_export_fd = h_resource_export_fd,
};

/* ---- the client ---- */

void
vt_client_init(struct vt_client *c, struct vt_server *srv, struct vdrm_host *host,
               struct vt_syncobj_registry *registry, const struct vt_client_limits *limits,
               uint32_t id, int fd)
{
   memset(c, 0, sizeof(*c));
   c->srv = srv;
   c->host = host;
   c->registry = registry;
   c->limits = limits;
   c->id = id;
   vt_conn_init(&c->conn, fd, limits->max_rx_bytes);
   vt_syncobjs_init(&c->syncobjs, limits->max_syncobjs);
   c->fences_tail = &c->fences;
}

static void
free_wait(struct vt_wait *w)
{
   close(w->pipe_wr);
   free(w->handles);
   free(w->points);
   free(w);
}

/* Signals what a fence promised (its descriptor, timeline points) and frees it. */
static void
retire(struct vt_pending_fence *pf)
{
   uint64_t one = 1;

   /* An eventfd write of 1 cannot fail short of overflowing its counter. */
   (void)!write(pf->fence_fd, &one, sizeof(one));
   close(pf->fence_fd);
   for (uint32_t i = 0; i < pf->nouts; i++) {
      vt_syncobj_signal_point(pf->outs[i].obj, pf->outs[i].point);
      vt_syncobj_unref(pf->outs[i].obj);
   }
   free(pf);
}

void
vt_client_fini(struct vt_client *c)
{
   /* The backend completes the work of a client that goes away: so do its fences, for
    * the syncobjs and descriptors other clients may share. */
   while (c->fences) {
      struct vt_pending_fence *pf = c->fences;

      c->fences = pf->next;
      retire(pf);
   }
   while (c->waits) {
      struct vt_wait *w = c->waits;

      c->waits = w->next;
      free_wait(w);
   }
   vt_syncobjs_fini(&c->syncobjs);
   vdrm_host_client_destroy(c->hc);
   c->hc = NULL;
   vt_conn_fini(&c->conn);
}

static void
on_fence(void *data, uint32_t ring, uint64_t fence_id)
{
   struct vt_client *c = data;

   for (struct vt_pending_fence **pp = &c->fences; *pp; pp = &(*pp)->next) {
      struct vt_pending_fence *pf = *pp;

      if (pf->ring != ring || pf->fence_id != fence_id)
         continue;
      *pp = pf->next;
      if (c->fences_tail == &pf->next)
         c->fences_tail = pp;
      retire(pf);
      return;
   }
}

void
vt_session_poll(struct vt_client *c)
{
   if (has_context(c) && c->fences)
      vdrm_host_fence_poll(c->hc, on_fence, c);
   for (struct vt_wait **pp = &c->waits; *pp;) {
      struct vt_wait *w = *pp;
      struct vtest_drm_sync_wait_result res;

      if (!wait_state(c, w->n, w->handles, w->points, w->flags, w->deadline, &res)) {
         pp = &w->next;
         continue;
      }
      /* The pipe holds 8 bytes whatever the reader does; a reader that is gone loses them. */
      (void)!write(w->pipe_wr, &res, sizeof(res));
      *pp = w->next;
      c->nwaits--;
      free_wait(w);
   }
}

bool
vt_session_ticking(const struct vt_client *c)
{
   return c->fences || c->waits || c->stalled;
}

int
vt_session_process(struct vt_client *c, uint32_t budget)
{
   for (uint32_t done = 0; done < budget && c->conn.rx_len; done++) {
      union vtest_ccmd_req_any req;
      union vtest_ccmd_view_any view;
      const struct vdrm_ccmd_info *row;
      struct vdrm_error err;
      uint64_t extent;
      uint32_t cmd, nfds;
      int ret;

      /* An answer backlog the client does not read: serve it again once it does. */
      if (vt_conn_pending(&c->conn) > c->limits->max_tx_bytes)
         return 0;
      ret = vtest_request_extent(c->conn.rx, c->conn.rx_len, &extent, &err);
      if (ret)
         return drop(c, "%s", err.message);
      if (extent > c->conn.rx_max)
         return drop(c, "a request of %llu bytes, above the receive limit of %zu",
                     (unsigned long long)extent, c->conn.rx_max);
      if (extent > c->conn.rx_len)
         return 0;   /* the rest is still on its way */
      ret = vdrm_frame_decode_request(&vtest_request_framing, vtest_ccmd_table, VTEST_CCMD_COUNT,
                                      "vtest", c->conn.rx, (size_t)extent, &req, &view, &err);
      if (ret)
         return drop(c, "%s", err.message);
      cmd = req.resource_unref.hdr.cmd;   /* every request starts with its header */
      row = &vtest_ccmd_table[cmd];
      nfds = row->request_fds ? row->request_fds(&req) : 0;
      if (c->conn.rx_len < extent + nfds)
         return 0;   /* the descriptors' carrier bytes are still on their way */
      if (c->conn.rx_nfds < nfds)
         return drop(c, "%s: %u descriptor(s) expected with the request, %u came", row->name, nfds,
                     c->conn.rx_nfds);
      if (!c->renderer && cmd != VCMD_CREATE_RENDERER)
         return drop(c, "%s: the first command must be CREATE_RENDERER", row->name);
      c->cur_fds = nfds;
      if (!row->invoke(&handlers, c, &req, &view, &ret))
         return drop(c, "%s: not supported by this host", row->name);
      if (ret == VT_AGAIN) {
         c->stalled = true;
         return 0;
      }
      if (ret)
         return VT_DROP;
      c->stalled = false;
      c->requests++;
      for (uint32_t i = 0; i < nfds; i++) {
         int fd = vt_conn_take_fd(&c->conn);

         if (fd >= 0)
            close(fd);
      }
      vt_conn_consume(&c->conn, (size_t)extent + nfds);
   }
   return 0;
}
