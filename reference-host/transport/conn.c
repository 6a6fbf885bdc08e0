/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"

void
vt_conn_init(struct vt_conn *c, int fd, size_t rx_max)
{
   memset(c, 0, sizeof(*c));
   c->fd = fd;
   c->rx_max = rx_max;
}

void
vt_conn_fini(struct vt_conn *c)
{
   for (uint32_t i = 0; i < c->rx_nfds; i++)
      close(c->rx_fds[i]);
   for (uint32_t i = 0; i < c->tx_nfds; i++)
      close(c->tx_fds[i].fd);
   if (c->fd >= 0)
      close(c->fd);
   free(c->rx);
   free(c->tx);
   free(c->tx_fds);
   memset(c, 0, sizeof(*c));
   c->fd = -1;
}

static int
fail(struct vt_conn *c, const char *why, int err)
{
   c->error = why;
   c->error_errno = err;
   return -1;
}

static int
take_cmsgs(struct vt_conn *c, struct msghdr *msg)
{
   int bad = 0;

   for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
      size_t n;

      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
         continue;
      n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; i++) {
         int fd;

         memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
         if (c->rx_nfds < VT_CONN_MAX_RX_FDS)
            c->rx_fds[c->rx_nfds++] = fd;
         else {
            close(fd);
            bad = 1;
         }
      }
   }
   if (bad)
      return fail(c, "more file descriptors than any request takes", 0);
   if (msg->msg_flags & MSG_CTRUNC)
      return fail(c, "file descriptors truncated", 0);
   return 0;
}

int
vt_conn_read(struct vt_conn *c, size_t max)
{
   union {
      char buf[CMSG_SPACE(sizeof(int) * 8)];
      struct cmsghdr align;
   } ctl;
   size_t room;

   if (c->rx_len >= c->rx_max || c->eof)
      return 0;
   room = c->rx_max - c->rx_len;
   if (room > max)
      room = max;
   if (c->rx_cap - c->rx_len < room) {
      size_t cap = c->rx_cap ? c->rx_cap : 4096;
      uint8_t *p;

      while (cap - c->rx_len < room)
         cap *= 2;
      if (cap > c->rx_max)
         cap = c->rx_max;
      p = realloc(c->rx, cap);
      if (!p)
         return fail(c, "out of memory for its receive buffer", ENOMEM);
      c->rx = p;
      c->rx_cap = cap;
   }
   for (;;) {
      struct iovec iov = { .iov_base = c->rx + c->rx_len, .iov_len = room };
      struct msghdr msg = {
         .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
      };
      ssize_t n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

      if (n < 0) {
         if (errno == EINTR)
            continue;
         if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
         return fail(c, "receive failed", errno);
      }
      if (take_cmsgs(c, &msg))
         return -1;
      if (n == 0)
         c->eof = true;
      c->rx_len += (size_t)n;
      return 0;
   }
}

void
vt_conn_consume(struct vt_conn *c, size_t n)
{
   if (n >= c->rx_len) {
      c->rx_len = 0;
      return;
   }
   memmove(c->rx, c->rx + n, c->rx_len - n);
   c->rx_len -= n;
}

int
vt_conn_take_fd(struct vt_conn *c)
{
   int fd;

   if (!c->rx_nfds)
      return -1;
   fd = c->rx_fds[0];
   memmove(c->rx_fds, c->rx_fds + 1, (c->rx_nfds - 1) * sizeof(int));
   c->rx_nfds--;
   return fd;
}

int
vt_conn_queue(struct vt_conn *c, const void *buf, size_t len)
{
   if (c->tx_cap - c->tx_len < len) {
      size_t cap = c->tx_cap ? c->tx_cap : 256;
      uint8_t *p;

      while (cap - c->tx_len < len)
         cap *= 2;
      p = realloc(c->tx, cap);
      if (!p)
         return fail(c, "out of memory for its answers", ENOMEM);
      c->tx = p;
      c->tx_cap = cap;
   }
   memcpy(c->tx + c->tx_len, buf, len);
   c->tx_len += len;
   return 0;
}

int
vt_conn_queue_fd(struct vt_conn *c, int fd)
{
   static const uint8_t carrier;

   if (c->tx_nfds == c->tx_fds_cap) {
      uint32_t cap = c->tx_fds_cap ? c->tx_fds_cap * 2 : 4;
      struct vt_tx_fd *p = realloc(c->tx_fds, cap * sizeof(*p));

      if (!p) {
         close(fd);
         return fail(c, "out of memory for its answers", ENOMEM);
      }
      c->tx_fds = p;
      c->tx_fds_cap = cap;
   }
   if (vt_conn_queue(c, &carrier, 1)) {
      close(fd);
      return -1;
   }
   c->tx_fds[c->tx_nfds++] = (struct vt_tx_fd){ .off = c->tx_len - 1, .fd = fd };
   return 0;
}

static void
tx_consume(struct vt_conn *c, size_t n)
{
   memmove(c->tx, c->tx + n, c->tx_len - n);
   c->tx_len -= n;
   for (uint32_t i = 0; i < c->tx_nfds; i++)
      c->tx_fds[i].off -= n;
}

int
vt_conn_flush(struct vt_conn *c)
{
   while (c->tx_len) {
      union {
         char buf[CMSG_SPACE(sizeof(int))];
         struct cmsghdr align;
      } ctl;
      struct iovec iov = { .iov_base = c->tx, .iov_len = c->tx_len };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
      bool with_fd = c->tx_nfds && c->tx_fds[0].off == 0;
      ssize_t n;

      if (with_fd) {
         struct cmsghdr *cm;

         iov.iov_len = 1;
         memset(&ctl, 0, sizeof(ctl));
         msg.msg_control = ctl.buf;
         msg.msg_controllen = sizeof(ctl.buf);
         cm = CMSG_FIRSTHDR(&msg);
         cm->cmsg_level = SOL_SOCKET;
         cm->cmsg_type = SCM_RIGHTS;
         cm->cmsg_len = CMSG_LEN(sizeof(int));
         memcpy(CMSG_DATA(cm), &c->tx_fds[0].fd, sizeof(int));
      } else if (c->tx_nfds) {
         iov.iov_len = c->tx_fds[0].off;
      }
      n = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
         if (errno == EINTR)
            continue;
         if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
         return fail(c, "send failed", errno);
      }
      if (with_fd && n > 0) {
         close(c->tx_fds[0].fd);
         memmove(c->tx_fds, c->tx_fds + 1, (c->tx_nfds - 1) * sizeof(*c->tx_fds));
         c->tx_nfds--;
      }
      tx_consume(c, (size_t)n);
   }
   return 0;
}
