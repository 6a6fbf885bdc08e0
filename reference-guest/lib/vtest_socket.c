/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vtest_socket.h"

int
vs_connect(const char *path)
{
   struct sockaddr_un addr = { .sun_family = AF_UNIX };
   int s;

   if (strlen(path) >= sizeof(addr.sun_path)) {
      errno = ENAMETOOLONG;
      return -1;
   }
   memcpy(addr.sun_path, path, strlen(path) + 1);
   s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (s < 0)
      return -1;
   if (connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
      int e = errno;

      close(s);
      errno = e;
      return -1;
   }
   return s;
}

static int
send_all(int s, const void *buf, size_t len)
{
   const uint8_t *p = buf;

   while (len) {
      ssize_t n = send(s, p, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0)
         return errno == ECONNRESET ? -EPIPE : -errno;
      p += n;
      len -= (size_t)n;
   }
   return 0;
}

int
vs_send(int s, const void *buf, size_t len, int fd)
{
   uint8_t carrier = 0;
   char ctl[CMSG_SPACE(sizeof(int))];
   struct iovec iov = { .iov_base = &carrier, .iov_len = 1 };
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
   struct cmsghdr *c;
   int ret = send_all(s, buf, len);

   if (ret || fd < 0)
      return ret;
   memset(ctl, 0, sizeof(ctl));
   c = CMSG_FIRSTHDR(&msg);
   c->cmsg_level = SOL_SOCKET;
   c->cmsg_type = SCM_RIGHTS;
   c->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(c), &fd, sizeof(int));
   for (;;) {
      ssize_t n = sendmsg(s, &msg, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0)
         return errno == ECONNRESET ? -EPIPE : -errno;
      return 0;
   }
}

/* Waits until s has data (or is closed) within timeout_ms. */
static int
readable(int s, int timeout_ms)
{
   struct pollfd p = { .fd = s, .events = POLLIN };

   for (;;) {
      int n = poll(&p, 1, timeout_ms);

      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0)
         return -errno;
      return n ? 0 : -ETIMEDOUT;
   }
}

int
vs_recv(int s, void *buf, size_t len, int timeout_ms)
{
   uint8_t *p = buf;

   while (len) {
      int ret = readable(s, timeout_ms);
      ssize_t n;

      if (ret)
         return ret;
      n = recv(s, p, len, 0);
      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0)
         return errno == ECONNRESET ? -EPIPE : -errno;
      if (n == 0)
         return -EPIPE;
      p += n;
      len -= (size_t)n;
   }
   return 0;
}

int
vs_recv_fd(int s, int *fd, int timeout_ms)
{
   uint8_t carrier;
   char ctl[CMSG_SPACE(sizeof(int) * 4)];
   struct iovec iov = { .iov_base = &carrier, .iov_len = 1 };
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
   int ret = readable(s, timeout_ms);
   ssize_t n;

   if (ret)
      return ret;
   do
      n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
   while (n < 0 && errno == EINTR);
   if (n < 0)
      return errno == ECONNRESET ? -EPIPE : -errno;
   if (n == 0)
      return -EPIPE;
   *fd = -1;
   /* Exactly one descriptor; any extra a hostile host sends is closed. */
   for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
         continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

      for (size_t i = 0; i < count; i++) {
         int f;

         memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
         if (*fd < 0)
            *fd = f;
         else
            close(f);
      }
   }
   if (msg.msg_flags & MSG_CTRUNC) {
      if (*fd >= 0)
         close(*fd);
      *fd = -1;
   }
   return *fd >= 0 ? 0 : -EBADMSG;
}
