/* SPDX-License-Identifier: MIT */

/*
 * What both transports share: the request buffer, seqnos and response
 * slots, the checks of what the host writes into the shmem, errors that
 * name their command, fence waits, statistics and the --record stream.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "vdrm_codec.h"

struct vg_device *
vg_device_alloc(const struct vg_options *opt, const struct vg_transport_ops *ops)
{
   struct vg_device *dev = calloc(1, sizeof(*dev));

   if (!dev)
      return NULL;
   dev->ops = ops;
   dev->watch_fd = -1;
   dev->opt = *opt;
   if (!dev->opt.shmem_size)
      dev->opt.shmem_size = VG_DEFAULT_SHMEM_SIZE;
   if (dev->opt.timeout_ms <= 0)
      dev->opt.timeout_ms = VG_DEFAULT_TIMEOUT_MS;
   if (dev->opt.shmem_min < sizeof(struct vdrm_shmem))
      dev->opt.shmem_min = sizeof(struct vdrm_shmem);
   if (!dev->opt.name)
      dev->opt.name = "vdrm-guest";
   return dev;
}

int
vg_failv(struct vg_device *dev, const char *command, const char *fmt, va_list ap)
{
   dev->stats.errors++;
   if (dev->error[0])
      return -1;   /* the first failure is the one worth reading; the rest follow from it */
   int n = snprintf(dev->error, sizeof(dev->error), "%s: ", command ? command : "vdrm-guest");

   if (n > 0 && (size_t)n < sizeof(dev->error))
      vsnprintf(dev->error + n, sizeof(dev->error) - (size_t)n, fmt, ap);
   return -1;
}

int
vg_fail(struct vg_device *dev, const char *command, const char *fmt, ...)
{
   va_list ap;

   va_start(ap, fmt);
   vg_failv(dev, command, fmt, ap);
   va_end(ap);
   return -1;
}

bool
vg_failed(const struct vg_device *dev)
{
   return dev->error[0] != '\0';
}

const char *
vg_error(const struct vg_device *dev)
{
   return dev->error[0] ? dev->error : NULL;
}

const struct vg_stats *
vg_stats(const struct vg_device *dev)
{
   return &dev->stats;
}

const struct virgl_renderer_capset_drm *
vg_caps(const struct vg_device *dev)
{
   return &dev->caps;
}

const char *
vg_transport_name(const struct vg_device *dev)
{
   return dev->ops->name;
}

uint64_t
vg_now_ms(void)
{
   struct timespec ts;

   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const volatile void *
vg_shmem(const struct vg_device *dev)
{
   return dev->shmem;
}

void
vg_close(struct vg_device *dev)
{
   if (!dev)
      return;
   if (dev->shmem && !vg_failed(dev)) {
      vg_flush(dev);
      vg_check_host(dev, 0);
   }
   dev->ops->close(dev);
   free(dev);
}

/* ---- the shmem ---- */

static uint32_t
shmem_u32(const struct vg_device *dev, uint32_t off)
{
   return __atomic_load_n((const uint32_t *)(const void *)(dev->shmem + off), __ATOMIC_ACQUIRE);
}

uint32_t
vg_shmem_seqno(const struct vg_device *dev)
{
   return shmem_u32(dev, offsetof(struct vdrm_shmem, seqno));
}

int
vg_shmem_attach(struct vg_device *dev, void *map)
{
   uint32_t off;

   dev->shmem = map;
   off = shmem_u32(dev, offsetof(struct vdrm_shmem, rsp_mem_offset));
   /* The region must hold at least one response header, 8-byte aligned. */
   if (off < dev->opt.shmem_min || off > dev->opt.shmem_size - 8 || off % 8)
      return vg_fail(dev, "shmem", "the host's rsp_mem_offset %u is outside [%u, %u] or not 8-aligned",
                     off, dev->opt.shmem_min, dev->opt.shmem_size - 8);
   if (dev->opt.async_error_offset && off < dev->opt.async_error_offset + 4)
      return vg_fail(dev, "shmem", "the host's shmem struct (%u bytes) has no async_error at %u", off,
                     dev->opt.async_error_offset);
   dev->rsp_mem_offset = off;
   dev->rsp_mem_len = dev->opt.shmem_size - off;
   if (dev->opt.async_error_offset)
      dev->async_error = shmem_u32(dev, dev->opt.async_error_offset);
   dev->checked_seqno = vg_shmem_seqno(dev);
   dev->next_seqno = dev->checked_seqno;
   return 0;
}

bool
vg_seqno_passed(const struct vg_device *dev, uint32_t seqno)
{
   return (int32_t)(vg_shmem_seqno(dev) - seqno) >= 0;
}

static const char *
recent_command(const struct vg_device *dev, uint32_t seqno)
{
   for (uint32_t i = 0; i < VG_RECENT && i < dev->recent_count; i++) {
      const struct vg_recent *r = &dev->recent[(dev->recent_count - 1 - i) % VG_RECENT];

      if (r->seqno == seqno)
         return r->command;
   }
   return NULL;
}

int
vg_check_host(struct vg_device *dev, uint32_t must_pass)
{
   uint32_t seqno = vg_shmem_seqno(dev);

   if (vg_failed(dev))
      return -1;
   /* The host can only have run what was sent. */
   if ((int32_t)(seqno - dev->next_seqno) > 0)
      return vg_fail(dev, "shmem", "the host reports seqno %u, but the last request sent is %u", seqno,
                     dev->next_seqno);
   if (dev->opt.async_error_offset) {
      uint32_t ae = shmem_u32(dev, dev->opt.async_error_offset);

      if (ae != dev->async_error) {
         /* A refused request ends its batch: seqno stays at the one before it. */
         const char *cmd = recent_command(dev, seqno + 1);
         uint32_t from = dev->async_error;

         dev->async_error = ae;
         if (seqno != dev->next_seqno && cmd)
            return vg_fail(dev, cmd, "seqno %u: the host refused it (async_error %u -> %u)", seqno + 1,
                           from, ae);
         return vg_fail(dev, "async_error", "the host refused %u request(s) between seqno %u and %u",
                        ae - from, dev->checked_seqno, seqno);
      }
   }
   if (must_pass && (int32_t)(seqno - must_pass) < 0) {
      const char *cmd = recent_command(dev, seqno + 1);

      return vg_fail(dev, cmd ? cmd : "seqno",
                     "the host ran everything sent but stopped before seqno %u (shmem seqno %u)",
                     seqno + 1, seqno);
   }
   dev->checked_seqno = seqno;
   return 0;
}

/* ---- requests ---- */

void
vg_record(struct vg_device *dev, const void *buf, size_t len)
{
   const uint8_t *p = buf;

   while (dev->opt.record_fd >= 0 && len) {
      ssize_t n = write(dev->opt.record_fd, p, len);

      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0) {
         vg_fail(dev, "record", "writing the ccmd stream: %s", strerror(errno));
         dev->opt.record_fd = -1;
         return;
      }
      p += n;
      len -= (size_t)n;
   }
}

int
vg_req_begin(struct vg_device *dev, struct vdrm_ccmd_req *hdr, uint32_t rsp_size, struct vg_rsp *rsp,
             const char *command)
{
   if (vg_failed(dev))
      return -1;
   memset(hdr, 0, sizeof(*hdr));
   hdr->seqno = ++dev->next_seqno;
   dev->recent[dev->recent_count++ % VG_RECENT] = (struct vg_recent){ hdr->seqno, command };
   if (!rsp_size)
      return 0;
   /* Slots 8-aligned, wrapping to the start of the region as Mesa's vdrm does. */
   uint64_t size = ((uint64_t)rsp_size + 7) & ~7ull;

   if (size > dev->rsp_mem_len)
      return vg_fail(dev, command, "a %u-byte response does not fit the %u-byte response region", rsp_size,
                     dev->rsp_mem_len);
   if (dev->next_rsp_off + size > dev->rsp_mem_len)
      dev->next_rsp_off = 0;
   *rsp = (struct vg_rsp){ .seqno = hdr->seqno, .off = dev->next_rsp_off, .size = (uint32_t)size,
                           .command = command };
   hdr->rsp_off = dev->next_rsp_off;
   dev->next_rsp_off += (uint32_t)size;
   /* The host writes at most what the guest reserved here. */
   __atomic_store_n((uint32_t *)(void *)(dev->shmem + dev->rsp_mem_offset + rsp->off), rsp->size,
                    __ATOMIC_RELAXED);
   return 0;
}

void *
vg_req_space(struct vg_device *dev, size_t size)
{
   if (vg_failed(dev))
      return NULL;
   if (size > sizeof(dev->reqbuf)) {
      vg_fail(dev, "request", "%zu bytes do not fit the %zu-byte request buffer", size, sizeof(dev->reqbuf));
      return NULL;
   }
   if (dev->reqbuf_len + size > sizeof(dev->reqbuf) && vg_flush(dev))
      return NULL;
   dev->reserved = size;
   return dev->reqbuf + dev->reqbuf_len;
}

int
vg_req_push(struct vg_device *dev, size_t len, const char *command)
{
   if (vg_failed(dev))
      return -1;
   if (len > dev->reserved || len % 4)
      return vg_fail(dev, command, "request of %zu bytes in a room of %zu", len, dev->reserved);
   vg_record(dev, dev->reqbuf + dev->reqbuf_len, len);
   dev->reqbuf_len += len;
   dev->reserved = 0;
   dev->stats.ccmds++;
   dev->stats.ccmd_bytes += len;
   return 0;
}

int
vg_flush(struct vg_device *dev)
{
   int ret;

   if (vg_failed(dev))
      return -1;
   if (!dev->reqbuf_len)
      return 0;
   ret = dev->ops->submit(dev, dev->reqbuf, dev->reqbuf_len, NULL, NULL);
   dev->reqbuf_len = 0;
   dev->stats.flushes++;
   return ret;
}

int
vg_sync(struct vg_device *dev)
{
   if (vg_flush(dev))
      return -1;
   dev->stats.round_trips++;
   if (dev->ops->sync(dev))
      return -1;
   return vg_check_host(dev, dev->next_seqno);
}

int
vg_rsp_read(struct vg_device *dev, const struct vg_rsp *rsp, void *buf, size_t cap, size_t *len)
{
   uint8_t slot[4096];
   uint8_t *copy = slot;
   uint32_t written;

   if (vg_failed(dev))
      return -1;
   if (!vg_seqno_passed(dev, rsp->seqno) && vg_sync(dev))
      return -1;
   if (vg_check_host(dev, rsp->seqno))
      return -1;
   if (rsp->size > sizeof(slot) && !(copy = malloc(rsp->size)))
      return vg_fail(dev, rsp->command, "out of memory");
   /* One copy out of shared memory, then only the copy is looked at. */
   memcpy(copy, dev->shmem + dev->rsp_mem_offset + rsp->off, rsp->size);
   memcpy(&written, copy, sizeof(written));
   if (written > rsp->size || written < sizeof(struct vdrm_ccmd_rsp)) {
      if (copy != slot)
         free(copy);
      return vg_fail(dev, rsp->command, "seqno %u: the host says it wrote %u response bytes into a %u-byte slot",
                     rsp->seqno, written, rsp->size);
   }
   *len = written < cap ? written : cap;
   memcpy(buf, copy, *len);
   if (copy != slot)
      free(copy);
   return 0;
}

/* ---- blobs ---- */

uint32_t
vg_blob_id_next(struct vg_device *dev)
{
   if (++dev->next_blob_id == 0)
      dev->next_blob_id = 1;   /* 0 is the shmem's */
   return dev->next_blob_id;
}

struct vg_blob *
vg_blob_create(struct vg_device *dev, uint64_t size, uint32_t flags, uint32_t blob_id, const void *ccmd,
               size_t len, const char *command)
{
   struct vg_blob *blob;

   /* What is buffered goes first: the host must see it before the buffer exists. */
   if (vg_flush(dev))
      return NULL;
   if (!blob_id || !size) {
      vg_fail(dev, command, "blob_id %u and size %llu must not be 0", blob_id, (unsigned long long)size);
      return NULL;
   }
   blob = calloc(1, sizeof(*blob));
   if (!blob) {
      vg_fail(dev, command, "out of memory");
      return NULL;
   }
   *blob = (struct vg_blob){ .size = size, .flags = flags, .blob_id = blob_id, .fd = -1 };
   if (ccmd) {
      vg_record(dev, ccmd, len);
      dev->stats.ccmds++;
      dev->stats.ccmd_bytes += len;
   }
   if (dev->ops->blob_create(dev, blob, ccmd, len)) {
      free(blob);
      return NULL;
   }
   return blob;
}

uint32_t
vg_blob_res_id(struct vg_device *dev, struct vg_blob *blob)
{
   if (!blob->res_id && (vg_failed(dev) || dev->ops->blob_resolve(dev, blob)))
      return 0;
   return blob->res_id;
}

void *
vg_blob_map(struct vg_device *dev, struct vg_blob *blob)
{
   if (!blob->map && !vg_failed(dev)) {
      if (!(blob->flags & VG_BLOB_MAPPABLE)) {
         vg_fail(dev, "map", "blob %u was not created mappable", blob->blob_id);
         return NULL;
      }
      blob->map = dev->ops->blob_map(dev, blob);
   }
   return blob->map;
}

uint32_t
vg_blob_handle(const struct vg_blob *blob)
{
   return blob->handle;
}

uint64_t
vg_blob_size(const struct vg_blob *blob)
{
   return blob->size;
}

void
vg_blob_destroy(struct vg_device *dev, struct vg_blob *blob)
{
   if (!blob)
      return;
   /* A buffered ccmd naming it must reach the host before the resource goes. */
   vg_flush(dev);
   dev->ops->blob_destroy(dev, blob);
   free(blob);
}

/* ---- submission and fences ---- */

int
vg_execbuf(struct vg_device *dev, const struct vg_execbuf *eb, struct vg_fence *fence)
{
   if (vg_flush(dev))
      return -1;
   if (fence)
      *fence = (struct vg_fence){ .fd = -1, .ring = eb->ring_idx };
   vg_record(dev, eb->ccmd, eb->len);
   dev->stats.ccmds++;
   dev->stats.ccmd_bytes += eb->len;
   dev->stats.flushes++;
   return dev->ops->submit(dev, eb->ccmd, eb->len, eb, fence);
}

int
vg_fd_wait(int fd, int watch, int timeout_ms)
{
   struct pollfd p[2] = {
      { .fd = fd, .events = POLLIN },
      { .fd = watch, .events = POLLRDHUP },   /* a negative fd is skipped by poll() */
   };

   for (;;) {
      int n = poll(p, 2, timeout_ms);

      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0)
         return -1;
      if (n == 0)
         return 1;
      if (p[0].revents & POLLIN)
         return 0;
      /* Hung up without signalling (a pipe's writer gone), or the host gone. */
      errno = p[0].revents ? EIO : EPIPE;
      return -1;
   }
}

int
vg_fence_wait(struct vg_device *dev, struct vg_fence *fence, int timeout_ms)
{
   int ret;

   if (vg_failed(dev))
      return -1;
   if (fence->fd < 0 && dev->ops->fence_resolve(dev, fence))
      return -1;
   dev->stats.fence_waits++;
   ret = vg_fd_wait(fence->fd, dev->watch_fd, timeout_ms);
   if (ret < 0 && errno == EPIPE)
      return vg_fail(dev, "fence", "the host closed the connection while the guest waited for ring %u",
                     fence->ring);
   if (ret < 0)
      return vg_fail(dev, "fence", "waiting for the fence of ring %u: %s", fence->ring, strerror(errno));
   if (ret == 0 && vg_check_host(dev, 0))
      return -1;
   return ret;
}

void
vg_fence_release(struct vg_device *dev, struct vg_fence *fence)
{
   if (fence->pending)
      dev->ops->fence_forget(dev, fence);
   if (fence->fd >= 0)
      close(fence->fd);
   fence->fd = -1;
   fence->pending = false;
}

int
vg_syncobj_create(struct vg_device *dev, uint32_t *handle)
{
   if (vg_failed(dev))
      return -1;
   return dev->ops->syncobj_create(dev, handle);
}

void
vg_syncobj_destroy(struct vg_device *dev, uint32_t handle)
{
   if (!vg_failed(dev))
      dev->ops->syncobj_destroy(dev, handle);
}
