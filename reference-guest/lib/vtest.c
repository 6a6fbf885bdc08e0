/* SPDX-License-Identifier: MIT */

/*
 * The vtest transport: Mesa vdrm's vtest sequence over a vtest server's
 * socket, every message built by the generated vtest encoders and every
 * answer checked by the generated decoders.
 *
 * Answers come back in the order of their requests. Requests whose answer
 * is not needed at once (a blob's res_id and descriptor, a submission's
 * out-fence) only queue a ticket; the answer is read when it is first
 * needed, all earlier ones with it, so creating buffers and submitting
 * never wait for the host.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device.h"
#include "vtest_codec.h"
#include "vtest_socket.h"

#define ANSWERS 256u                 /* answers in flight before the oldest is read */
#define MAX_CAPSET_BYTES 65536u     /* the largest capset answer taken */

enum answer_kind {
   ANS_BLOB,         /* res_id, then the blob's descriptor */
   ANS_BLOB_DROP,    /* the same for a blob already destroyed: unref it, close the fd */
   ANS_FENCE,        /* a sync file descriptor alone */
   ANS_FENCE_DROP,   /* the same, for a fence already released */
   ANS_PING,
   ANS_SYNC_CREATE,
};

struct answer {
   enum answer_kind kind;
   void *target;     /* struct vg_blob, struct vg_fence or uint32_t */
};

struct vtest {
   int s;
   struct vg_vtest_io io;
   int shmem_fd;
   uint32_t shmem_res_id;
   struct answer answers[ANSWERS];
   uint64_t sent;    /* tickets handed out */
   uint64_t read;    /* answers read */
   uint8_t *scratch; /* SUBMIT_CMD2 messages */
   size_t scratch_size;
};

static struct vtest *
vt(struct vg_device *dev)
{
   return dev->transport;
}

static const char *
answer_name(enum answer_kind kind)
{
   switch (kind) {
   case ANS_BLOB:
   case ANS_BLOB_DROP: return "RESOURCE_CREATE_BLOB";
   case ANS_FENCE:
   case ANS_FENCE_DROP: return "SUBMIT_CMD2";
   case ANS_PING: return "PING_PROTOCOL_VERSION";
   case ANS_SYNC_CREATE: return "DRM_SYNC_CREATE";
   }
   return "vtest";
}

/* A socket failure, named after the command whose message or answer it hit. */
static int
io_failed(struct vg_device *dev, const char *command, bool sending, int ret)
{
   if (ret == -EPIPE)
      return vg_fail(dev, command, "the host closed the connection (%s)",
                     sending ? "sending the request" : "waiting for the answer");
   if (ret == -ETIMEDOUT)
      return vg_fail(dev, command, "no answer from the host within %d ms", dev->opt.timeout_ms);
   if (ret == -EBADMSG)
      return vg_fail(dev, command, "the answer carried no file descriptor");
   return vg_fail(dev, command, "%s the socket: %s", sending ? "writing" : "reading", strerror(-ret));
}

static int
send_msg(struct vg_device *dev, const void *buf, size_t len, const char *command)
{
   int ret = vt(dev)->io.send(vt(dev)->io.data, vt(dev)->s, buf, len, -1);

   if (ret)
      return io_failed(dev, command, true, ret);
   dev->stats.messages++;
   dev->stats.bytes += len;
   return 0;
}

/* A fixed-size request built by its generated encoder and sent. */
#define SEND(dev, kind, command, ...)                                                              \
   do {                                                                                            \
      struct vtest_##kind##_req r_ = { __VA_ARGS__ };                                              \
      uint8_t b_[sizeof(r_)];                                                                      \
      size_t l_;                                                                                   \
      int st_ = vtest_##kind##_req_encode(b_, sizeof(b_), &r_, &l_);                               \
      if (st_)                                                                                     \
         return vg_fail((dev), (command), "does not encode: %s", vdrm_status_name(st_));          \
      if (send_msg((dev), b_, l_, (command)))                                                      \
         return -1;                                                                                \
   } while (0)

/* A fixed-size answer received and decoded by its generated decoder. */
#define RECV(dev, kind, command, out)                                                              \
   do {                                                                                            \
      uint8_t b_[sizeof(*(out))];                                                                  \
      struct vdrm_error e_;                                                                        \
      int r_ = vt(dev)->io.recv(vt(dev)->io.data, vt(dev)->s, b_, sizeof(b_), (dev)->opt.timeout_ms);                         \
      if (r_)                                                                                      \
         return io_failed((dev), (command), false, r_);                                            \
      if (vtest_##kind##_rsp_decode(b_, sizeof(b_), (out), &e_))                                   \
         return vg_fail((dev), (command), "bad answer: %s", e_.message);                           \
   } while (0)

static int
recv_fd(struct vg_device *dev, const char *command, int *fd)
{
   int ret = vt(dev)->io.recv_fd(vt(dev)->io.data, vt(dev)->s, fd, dev->opt.timeout_ms);

   return ret ? io_failed(dev, command, false, ret) : 0;
}

/* The descriptor must hold size bytes: mapping past its end would fault on access. */
static void *
map_fd(struct vg_device *dev, int fd, uint64_t size, const char *what)
{
   off_t end = lseek(fd, 0, SEEK_END);
   void *map;

   if (end >= 0 && (uint64_t)end < size) {
      vg_fail(dev, what, "the host's descriptor holds %lld bytes, %llu expected", (long long)end,
              (unsigned long long)size);
      return NULL;
   }
   map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   if (map == MAP_FAILED) {
      vg_fail(dev, what, "mapping %llu bytes: %s", (unsigned long long)size, strerror(errno));
      return NULL;
   }
   return map;
}

/* ---- answers read when needed ---- */

static int read_one(struct vg_device *dev);

/* Reads answers until the one of ticket is read. */
static int
read_until(struct vg_device *dev, uint64_t ticket)
{
   while (vt(dev)->read <= ticket) {
      if (read_one(dev))
         return -1;
   }
   return 0;
}

static int
expect(struct vg_device *dev, enum answer_kind kind, void *target, uint64_t *ticket)
{
   struct vtest *t = vt(dev);

   /* A full queue: the oldest answer is read now (the guest waits for it). */
   if (t->sent - t->read == ANSWERS) {
      dev->stats.round_trips++;
      if (read_until(dev, t->read))
         return -1;
   }
   t->answers[t->sent % ANSWERS] = (struct answer){ kind, target };
   if (ticket)
      *ticket = t->sent;
   t->sent++;
   return 0;
}

static int
unref(struct vg_device *dev, uint32_t res_id)
{
   SEND(dev, resource_unref, "RESOURCE_UNREF", .res_handle = res_id);
   return 0;
}

static int
read_one(struct vg_device *dev)
{
   struct vtest *t = vt(dev);
   struct answer *a = &t->answers[t->read % ANSWERS];
   const char *command = answer_name(a->kind);
   struct vtest_resource_create_blob_rsp blob;
   struct vtest_drm_sync_create_rsp sync;
   struct vtest_ping_protocol_version_rsp ping;
   int fd;

   switch (a->kind) {
   case ANS_BLOB:
   case ANS_BLOB_DROP:
      RECV(dev, resource_create_blob, command, &blob);
      if (recv_fd(dev, command, &fd))
         return -1;
      if (!blob.res_id) {
         close(fd);
         return vg_fail(dev, command, "the host gave resource id 0");
      }
      if (a->kind == ANS_BLOB_DROP) {
         close(fd);
         if (unref(dev, blob.res_id))
            return -1;
      } else {
         struct vg_blob *b = a->target;

         b->res_id = blob.res_id;
         b->fd = fd;
         b->pending = false;
      }
      break;
   case ANS_FENCE:
   case ANS_FENCE_DROP:
      if (recv_fd(dev, command, &fd))
         return -1;
      if (a->kind == ANS_FENCE_DROP) {
         close(fd);
      } else {
         struct vg_fence *f = a->target;

         f->fd = fd;
         f->pending = false;
      }
      break;
   case ANS_PING:
      RECV(dev, ping_protocol_version, command, &ping);
      break;
   case ANS_SYNC_CREATE:
      RECV(dev, drm_sync_create, command, &sync);
      *(uint32_t *)a->target = sync.handle;
      break;
   }
   t->read++;
   return 0;
}

/* ---- the transport operations ---- */

static int
vt_submit(struct vg_device *dev, const void *cmds, size_t len, const struct vg_execbuf *eb,
          struct vg_fence *fence)
{
   struct vtest *t = vt(dev);
   struct vtest_syncobj in[8], out[8];
   uint32_t nin = eb ? eb->num_in_syncobjs : 0, nout = eb ? eb->num_out_syncobjs : 0;
   const char *command = eb ? eb->command : "SUBMIT_CMD2";
   struct vtest_submit_cmd2_req req = {
      .batch_count = 1,
      .batch = {
         /* Mesa's vdrm always names the ring; ring 0 for plain batches. */
         .flags = VCMD_SUBMIT_CMD2_FLAG_RING_IDX | (fence ? VCMD_SUBMIT_CMD2_FLAG_OUT_FENCE_FD : 0),
         .cmd_offset = 9,   /* the dword after batch_count and the batch */
         .cmd_size = (uint32_t)(len / 4),
         .ring_idx = eb ? eb->ring_idx : 0,
         .num_in_syncobj = nin,
         .num_out_syncobj = nout,
      },
   };
   uint64_t size;
   size_t out_len;
   int st;

   if (len % 4 || len > UINT32_MAX / 2)
      return vg_fail(dev, command, "a %zu-byte batch is not a whole number of dwords below 2 GiB", len);
   if (nin > 8 || nout > 8)
      return vg_fail(dev, command, "%u in- and %u out-syncobjs, at most 8 each here", nin, nout);
   for (uint32_t i = 0; i < nin; i++)
      in[i] = (struct vtest_syncobj){ eb->in_syncobjs[i].handle, eb->in_syncobjs[i].flags,
                                      eb->in_syncobjs[i].point };
   for (uint32_t i = 0; i < nout; i++)
      out[i] = (struct vtest_syncobj){ eb->out_syncobjs[i].handle, eb->out_syncobjs[i].flags,
                                       eb->out_syncobjs[i].point };
   size = vtest_submit_cmd2_req_size((uint32_t)len, nin, nout);
   if (size > t->scratch_size) {
      uint8_t *p = realloc(t->scratch, size);

      if (!p)
         return vg_fail(dev, command, "out of memory");
      t->scratch = p;
      t->scratch_size = size;
   }
   st = vtest_submit_cmd2_req_encode(t->scratch, t->scratch_size, &req, cmds, (uint32_t)len, in, out, &out_len);
   if (st)
      return vg_fail(dev, command, "SUBMIT_CMD2 does not encode: %s", vdrm_status_name(st));
   if (send_msg(dev, t->scratch, out_len, command))
      return -1;
   if (fence) {
      fence->pending = true;
      return expect(dev, ANS_FENCE, fence, &fence->ticket);
   }
   return 0;
}

static int
vt_sync(struct vg_device *dev)
{
   uint64_t ticket;

   /* Answered after everything sent before has run. */
   SEND(dev, ping_protocol_version, "PING_PROTOCOL_VERSION", .hdr = { 0 });
   if (expect(dev, ANS_PING, NULL, &ticket))
      return -1;
   return read_until(dev, ticket);
}

static int
create_blob(struct vg_device *dev, uint64_t size, uint32_t flags, uint32_t blob_id)
{
   SEND(dev, resource_create_blob, "RESOURCE_CREATE_BLOB",
        .type = VCMD_BLOB_TYPE_HOST3D,
        .flags = (flags & VG_BLOB_MAPPABLE ? VCMD_BLOB_FLAG_MAPPABLE : 0) |
                 (flags & VG_BLOB_SHAREABLE ? VCMD_BLOB_FLAG_SHAREABLE : 0),
        .size_lo = (uint32_t)size, .size_hi = (uint32_t)(size >> 32),
        .id_lo = blob_id, .id_hi = 0);
   return 0;
}

static int
vt_blob_create(struct vg_device *dev, struct vg_blob *blob, const void *ccmd, size_t len)
{
   /* The ccmd creating the buffer goes first, as its own batch. */
   if (ccmd && vt_submit(dev, ccmd, len, NULL, NULL))
      return -1;
   if (ccmd)
      dev->stats.flushes++;
   if (create_blob(dev, blob->size, blob->flags, blob->blob_id))
      return -1;
   blob->pending = true;
   return expect(dev, ANS_BLOB, blob, &blob->ticket);
}

static int
vt_blob_resolve(struct vg_device *dev, struct vg_blob *blob)
{
   if (!blob->pending)
      return blob->res_id ? 0 : vg_fail(dev, "RESOURCE_CREATE_BLOB", "blob %u has no resource", blob->blob_id);
   dev->stats.round_trips++;
   return read_until(dev, blob->ticket);
}

static void *
vt_blob_map(struct vg_device *dev, struct vg_blob *blob)
{
   if (!blob->res_id && vt_blob_resolve(dev, blob))
      return NULL;
   return map_fd(dev, blob->fd, blob->size, "RESOURCE_CREATE_BLOB");
}

static void
vt_blob_destroy(struct vg_device *dev, struct vg_blob *blob)
{
   struct vtest *t = vt(dev);

   if (blob->map)
      munmap(blob->map, blob->size);
   if (blob->pending) {
      /* Its answer is still to come: whoever reads it releases the resource. */
      t->answers[blob->ticket % ANSWERS] = (struct answer){ ANS_BLOB_DROP, NULL };
      return;
   }
   if (blob->fd >= 0)
      close(blob->fd);
   if (blob->res_id && !vg_failed(dev))
      unref(dev, blob->res_id);
}

static int
vt_fence_resolve(struct vg_device *dev, struct vg_fence *fence)
{
   if (!fence->pending)
      return vg_fail(dev, "fence", "the fence of ring %u was never submitted", fence->ring);
   return read_until(dev, fence->ticket);
}

static void
vt_fence_forget(struct vg_device *dev, struct vg_fence *fence)
{
   vt(dev)->answers[fence->ticket % ANSWERS] = (struct answer){ ANS_FENCE_DROP, NULL };
}

static int
vt_syncobj_create(struct vg_device *dev, uint32_t *handle)
{
   uint64_t ticket;

   SEND(dev, drm_sync_create, "DRM_SYNC_CREATE", .flags = 0);
   if (expect(dev, ANS_SYNC_CREATE, handle, &ticket))
      return -1;
   dev->stats.round_trips++;
   return read_until(dev, ticket);
}

static int
syncobj_destroy(struct vg_device *dev, uint32_t handle)
{
   SEND(dev, drm_sync_destroy, "DRM_SYNC_DESTROY", .handle = handle);
   return 0;
}

static void
vt_syncobj_destroy(struct vg_device *dev, uint32_t handle)
{
   syncobj_destroy(dev, handle);
}

static void
vt_close(struct vg_device *dev)
{
   struct vtest *t = vt(dev);

   if (!t)
      return;
   if (dev->shmem)
      munmap(dev->shmem, dev->opt.shmem_size);
   if (t->shmem_fd >= 0)
      close(t->shmem_fd);
   /* Closing the socket releases everything the context holds on the host. */
   if (t->s >= 0)
      close(t->s);
   dev->watch_fd = -1;
   free(t->scratch);
   free(t);
   dev->transport = NULL;
}

static const struct vg_transport_ops vtest_ops = {
   .name = "vtest",
   .submit = vt_submit,
   .sync = vt_sync,
   .blob_create = vt_blob_create,
   .blob_resolve = vt_blob_resolve,
   .blob_map = vt_blob_map,
   .blob_destroy = vt_blob_destroy,
   .fence_resolve = vt_fence_resolve,
   .fence_forget = vt_fence_forget,
   .syncobj_create = vt_syncobj_create,
   .syncobj_destroy = vt_syncobj_destroy,
   .close = vt_close,
};

/* ---- the handshake ---- */

/* Renderer, version 4 (PING first, as Mesa does, so an old server is told apart). */
static int
negotiate(struct vg_device *dev)
{
   struct vtest_create_renderer_req cr = { .hdr = { 0 } };
   struct vtest_ping_protocol_version_rsp ping;
   struct vtest_resource_busy_wait_rsp busy;
   struct vtest_protocol_version_rsp ver;
   size_t name_size = strlen(dev->opt.name) + 1;
   uint8_t buf[128];
   size_t len;

   if (name_size > 64)
      return vg_fail(dev, "CREATE_RENDERER", "renderer name longer than 63 bytes");
   if (vtest_create_renderer_req_encode(buf, sizeof(buf), &cr, dev->opt.name, (uint32_t)name_size, &len) ||
       send_msg(dev, buf, len, "CREATE_RENDERER"))
      return vg_fail(dev, "CREATE_RENDERER", "not sent");
   SEND(dev, ping_protocol_version, "PING_PROTOCOL_VERSION", .hdr = { 0 });
   SEND(dev, resource_busy_wait, "RESOURCE_BUSY_WAIT", .handle = 0, .flags = 0);
   dev->stats.round_trips++;   /* both answers in one wait */
   /* A server without versions answers only the busy-wait, whose header would then fail here. */
   RECV(dev, ping_protocol_version, "PING_PROTOCOL_VERSION", &ping);
   RECV(dev, resource_busy_wait, "RESOURCE_BUSY_WAIT", &busy);
   SEND(dev, protocol_version, "PROTOCOL_VERSION", .version = VTEST_PROTOCOL_VERSION);
   dev->stats.round_trips++;
   RECV(dev, protocol_version, "PROTOCOL_VERSION", &ver);
   if (ver.version != VTEST_PROTOCOL_VERSION)
      return vg_fail(dev, "PROTOCOL_VERSION", "the server speaks version %u; syncobjs need %u", ver.version,
                     VTEST_PROTOCOL_VERSION);
   return 0;
}

static int
read_capset(struct vg_device *dev)
{
   struct vtest_get_capset_rsp rsp;
   struct vtest_get_capset_rsp_view view;
   struct vdrm_error err;
   uint32_t length;
   uint8_t *buf;
   int ret;

   SEND(dev, get_capset, "GET_CAPSET", .id = VG_CAPSET_DRM, .version = 0);
   dev->stats.round_trips++;
   buf = malloc(sizeof(struct vtest_hdr) + MAX_CAPSET_BYTES);
   if (!buf)
      return vg_fail(dev, "GET_CAPSET", "out of memory");
   ret = vt(dev)->io.recv(vt(dev)->io.data, vt(dev)->s, buf, sizeof(struct vtest_hdr), dev->opt.timeout_ms);
   if (ret) {
      free(buf);
      return io_failed(dev, "GET_CAPSET", false, ret);
   }
   memcpy(&length, buf + offsetof(struct vtest_hdr, length), sizeof(length));
   if (length > MAX_CAPSET_BYTES / 4) {
      free(buf);
      return vg_fail(dev, "GET_CAPSET", "answer of %u dwords, at most %u taken", length, MAX_CAPSET_BYTES / 4);
   }
   ret = vt(dev)->io.recv(vt(dev)->io.data, vt(dev)->s, buf + sizeof(struct vtest_hdr), (size_t)length * 4,
                     dev->opt.timeout_ms);
   if (ret) {
      free(buf);
      return io_failed(dev, "GET_CAPSET", false, ret);
   }
   if (vtest_get_capset_rsp_decode(buf, sizeof(struct vtest_hdr) + (size_t)length * 4, &rsp, &view, &err)) {
      free(buf);
      return vg_fail(dev, "GET_CAPSET", "bad answer: %s", err.message);
   }
   if (!rsp.valid) {
      free(buf);
      return vg_fail(dev, "GET_CAPSET", "the host has no DRM capset (valid 0)");
   }
   vtest_get_capset_rsp_caps_get_virgl_renderer_capset_drm(&view, &dev->caps);
   free(buf);
   if (dev->caps.context_type != dev->opt.context_type)
      return vg_fail(dev, "GET_CAPSET", "the host serves context type %u, not %u", dev->caps.context_type,
                     dev->opt.context_type);
   return 0;
}

/* CONTEXT_INIT, then the shmem: blob_id 0, mapped through the descriptor it comes with. */
static int
init_context(struct vg_device *dev)
{
   struct vtest *t = vt(dev);
   struct vtest_resource_create_blob_rsp blob;
   struct vtest_get_param_rsp param;
   void *map;

   SEND(dev, context_init, "CONTEXT_INIT", .capset_id = VG_CAPSET_DRM);
   if (create_blob(dev, dev->opt.shmem_size, VG_BLOB_MAPPABLE, 0))
      return -1;
   dev->stats.round_trips++;
   RECV(dev, resource_create_blob, "RESOURCE_CREATE_BLOB(shmem)", &blob);
   if (recv_fd(dev, "RESOURCE_CREATE_BLOB(shmem)", &t->shmem_fd))
      return -1;
   if (!blob.res_id)
      return vg_fail(dev, "RESOURCE_CREATE_BLOB(shmem)", "the host gave resource id 0");
   t->shmem_res_id = blob.res_id;
   map = map_fd(dev, t->shmem_fd, dev->opt.shmem_size, "RESOURCE_CREATE_BLOB(shmem)");
   if (!map || vg_shmem_attach(dev, map))
      return -1;
   /* Mesa asks; the answer tells whether the server keeps timeline syncobjs. */
   SEND(dev, get_param, "GET_PARAM", .param = VCMD_PARAM_HAS_TIMELINE_SYNCOBJ);
   dev->stats.round_trips++;
   RECV(dev, get_param, "GET_PARAM", &param);
   return 0;
}

static int
real_send(void *data, int s, const void *buf, size_t len, int fd)
{
   (void)data;
   return vs_send(s, buf, len, fd);
}

static int
real_recv(void *data, int s, void *buf, size_t len, int timeout_ms)
{
   (void)data;
   return vs_recv(s, buf, len, timeout_ms);
}

static int
real_recv_fd(void *data, int s, int *fd, int timeout_ms)
{
   (void)data;
   return vs_recv_fd(s, fd, timeout_ms);
}

const struct vg_vtest_io vg_vtest_io_default = { real_send, real_recv, real_recv_fd, NULL };

struct vg_device *
vg_open_vtest_socket(int s, const struct vg_vtest_io *io, const struct vg_options *opt)
{
   struct vg_device *dev = vg_device_alloc(opt, &vtest_ops);
   struct vtest *t;

   if (!dev) {
      close(s);
      return NULL;
   }
   t = calloc(1, sizeof(*t));
   if (!t) {
      close(s);
      vg_fail(dev, "vtest", "out of memory");
      return dev;
   }
   t->s = s;
   t->io = io ? *io : vg_vtest_io_default;
   t->shmem_fd = -1;
   dev->transport = t;
   dev->watch_fd = s;
   if (negotiate(dev) || read_capset(dev) || init_context(dev))
      return dev;
   return dev;
}

struct vg_device *
vg_open_vtest(const char *socket_path, const struct vg_options *opt)
{
   int s;

   if (!socket_path)
      socket_path = VG_VTEST_DEFAULT_SOCKET;
   s = vs_connect(socket_path);
   if (s < 0) {
      int err = errno;
      struct vg_device *dev = vg_device_alloc(opt, &vtest_ops);

      if (dev)
         vg_fail(dev, "connect", "%s: %s", socket_path, strerror(err));
      return dev;
   }
   return vg_open_vtest_socket(s, NULL, opt);
}
