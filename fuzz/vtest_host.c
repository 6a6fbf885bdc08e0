/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "vtest_host.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drm_hw.h"
#include "fuzz.h"

enum { EDITS_MASK = 0x0f, HANG_UP = 0x10, STALL = 0x20, NO_FD = 0x40, EMPTY_FD = 0x80 };
enum { TARGET_READ = 0, TARGET_SHMEM = 1, TARGET_RESPONSES = 2 };
#define GPU_DONE_NS 1000000000ull
#define PUMP_ROUNDS 4u

/* What the server answered, queued for the guest's reads. */
static void
queue_answer(void *data, const uint8_t *bytes, size_t len, const int *fds, size_t nfds)
{
   struct fz_vtest_host *h = data;

   if (h->len + len > h->cap) {
      size_t cap = h->cap ? h->cap : 4096;
      uint8_t *p;

      while (cap < h->len + len)
         cap *= 2;
      p = realloc(h->answers, cap);
      FZ_CHECK(p, "out of memory");
      h->answers = p;
      h->cap = cap;
   }
   for (size_t i = 0; i < nfds; i++) {
      /* The server sends one descriptor a carrier byte; more would be its bug, the guest never sees them. */
      FZ_CHECK(i == 0 && h->nfds < FZ_VTEST_HOST_FDS, "%zu descriptors on one byte, %u queued", nfds, h->nfds);
      h->fds[h->nfds].at = h->len + len - 1;
      h->fds[h->nfds++].fd = fds[i];
   }
   memcpy(h->answers + h->len, bytes, len);
   h->len += len;
}

/* Drops the first n queued bytes; the descriptors among them go too (a plain recv() discards them). */
static void
consume(struct fz_vtest_host *h, size_t n)
{
   uint32_t kept = 0;

   for (uint32_t i = 0; i < h->nfds; i++) {
      if (h->fds[i].at < n) {
         close(h->fds[i].fd);
      } else {
         h->fds[kept] = h->fds[i];
         h->fds[kept++].at -= n;
      }
   }
   h->nfds = kept;
   memmove(h->answers, h->answers + n, h->len - n);
   h->len -= n;
}

static void
hang_up(struct fz_vtest_host *h)
{
   if (h->gone)
      return;
   h->gone = true;
   close(h->far_end);
   h->far_end = -1;
   fz_vtest_server_hang_up(&h->server);
}

/* Time passes, then the answers of len bytes are there, or the server is gone or stalled: 0 or -errno. */
static int
await(struct fz_vtest_host *h, size_t len)
{
   /* The GPU work done before the guest looks (its next wait may be for a fence). */
   for (uint32_t i = 0; i < PUMP_ROUNDS && (i == 0 || h->len < len) && !h->server.dropped; i++)
      fz_vtest_server_advance(&h->server, GPU_DONE_NS);
   if (h->len >= len)
      return 0;
   if (h->server.dropped)
      hang_up(h);
   return h->gone ? -EPIPE : -ETIMEDOUT;
}

/* The control byte of a read and its edits (over the bytes read, buf NULL: none yet); then what it asks. */
static uint8_t
bend(struct fz_vtest_host *h, uint8_t *buf, size_t len)
{
   uint8_t control = fz_control(&h->in);

   for (unsigned i = 0; i < (control & EDITS_MASK); i++) {
      uint8_t hdr[4];
      size_t off;

      fz_take(&h->in, hdr, sizeof(hdr));
      off = (size_t)(hdr[1] | hdr[2] << 8);
      if (hdr[0] == TARGET_READ && buf && len)
         fz_edit(&h->in, buf, len, off % len, hdr[3]);
      else if (hdr[0] == TARGET_SHMEM)
         fz_edit(&h->in, h->shmem, h->shmem_size, off, hdr[3]);
      else if (hdr[0] == TARGET_RESPONSES)
         fz_edit(&h->in, h->shmem, h->shmem_size, (size_t)h->rsp_mem_offset + off, hdr[3]);
      else
         fz_edit(&h->in, NULL, 0, 0, hdr[3]);
   }
   return control;
}

static int
io_send(void *data, int s, const void *buf, size_t len, int fd)
{
   struct fz_vtest_host *h = data;
   static const uint8_t carrier = 0;

   (void)s;
   if (h->gone || h->server.dropped)
      return -EPIPE;
   fz_vtest_server_send(&h->server, buf, len, -1);
   if (fd >= 0)
      fz_vtest_server_send(&h->server, &carrier, 1, fd);
   fz_vtest_server_pump(&h->server);
   return 0;
}

static int
io_recv(void *data, int s, void *buf, size_t len, int timeout_ms)
{
   struct fz_vtest_host *h = data;
   uint8_t control;
   int ret;

   (void)s;
   (void)timeout_ms;
   if (h->gone)
      return -EPIPE;
   ret = await(h, len);
   if (ret == 0) {
      memcpy(buf, h->answers, len);
      consume(h, len);
   }
   control = bend(h, ret == 0 ? buf : NULL, len);
   if (control & HANG_UP) {
      hang_up(h);
      return -EPIPE;
   }
   return control & STALL ? -ETIMEDOUT : ret;
}

/* The shmem (the first descriptor the guest reads) mapped here too, so that edits reach it. */
static void
map_shmem(struct fz_vtest_host *h, int fd)
{
   struct stat st;
   void *p;

   h->shmem_seen = true;
   if (fstat(fd, &st) || st.st_size < (off_t)sizeof(struct vdrm_shmem))
      return;
   p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   if (p == MAP_FAILED)
      return;
   h->shmem = p;
   h->shmem_size = (size_t)st.st_size;
   memcpy(&h->rsp_mem_offset, h->shmem + offsetof(struct vdrm_shmem, rsp_mem_offset), sizeof(uint32_t));
}

static int
io_recv_fd(void *data, int s, int *fd, int timeout_ms)
{
   struct fz_vtest_host *h = data;
   uint8_t carrier, control;
   int ret, got = -1;

   (void)s;
   (void)timeout_ms;
   if (h->gone)
      return -EPIPE;
   ret = await(h, 1);
   if (ret == 0) {
      carrier = h->answers[0];
      if (h->nfds && h->fds[0].at == 0) {
         got = h->fds[0].fd;
         memmove(h->fds, h->fds + 1, --h->nfds * sizeof(h->fds[0]));
      }
      consume(h, 1);
      if (got >= 0 && !h->shmem_seen)
         map_shmem(h, got);
   }
   control = bend(h, ret == 0 ? &carrier : NULL, 1);
   if (got >= 0 && (control & (HANG_UP | STALL | NO_FD | EMPTY_FD))) {
      close(got);
      got = -1;
      if ((control & EMPTY_FD) && !(control & (HANG_UP | STALL | NO_FD)))
         FZ_CHECK((got = memfd_create("vtest-fuzz-empty", MFD_CLOEXEC)) >= 0, "memfd: %s", strerror(errno));
   }
   if (control & HANG_UP) {
      hang_up(h);
      return -EPIPE;
   }
   if (control & STALL)
      return -ETIMEDOUT;
   if (ret)
      return ret;
   if (got < 0)
      return -EBADMSG;
   *fd = got;
   return 0;
}

void
fz_vtest_host_init(struct fz_vtest_host *h, const struct fz_context *ctx, const uint8_t *data, size_t size)
{
   int sv[2];

   memset(h, 0, sizeof(*h));
   fz_vtest_server_init(&h->server, ctx);
   h->server.answer = queue_answer;
   h->server.answer_data = h;
   h->in = (struct fz_input){ data, size, false };
   FZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %s", strerror(errno));
   h->guest_socket = sv[0];
   h->far_end = sv[1];
}

struct vg_vtest_io
fz_vtest_host_io(struct fz_vtest_host *h)
{
   return (struct vg_vtest_io){ io_send, io_recv, io_recv_fd, h };
}

int
fz_vtest_host_take_socket(struct fz_vtest_host *h)
{
   int s = h->guest_socket;

   h->guest_socket = -1;
   return s;
}

void
fz_vtest_host_fini(struct fz_vtest_host *h)
{
   fz_vtest_server_hang_up(&h->server);   /* its last answers queued, to be closed with the rest */
   if (h->guest_socket >= 0)
      close(h->guest_socket);
   if (h->far_end >= 0)
      close(h->far_end);
   consume(h, h->len);
   free(h->answers);
   if (h->shmem)
      munmap(h->shmem, h->shmem_size);
   fz_vtest_server_fini(&h->server);
}
