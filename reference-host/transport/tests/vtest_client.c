/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vtest_client.h"

int
vc_connect(const char *path)
{
   struct sockaddr_un addr = { .sun_family = AF_UNIX };
   int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

   strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
   if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
      if (s >= 0)
         close(s);
      return -1;
   }
   return s;
}

int
vc_send(int s, const void *buf, size_t len)
{
   const char *p = buf;

   while (len) {
      ssize_t n = send(s, p, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return -1;
      p += n;
      len -= (size_t)n;
   }
   return 0;
}

int
vc_send_fd(int s, int fd)
{
   union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
   } ctl;
   char byte = 0;
   struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                         .msg_controllen = sizeof(ctl.buf) };
   struct cmsghdr *cm;

   memset(&ctl, 0, sizeof(ctl));
   cm = CMSG_FIRSTHDR(&msg);
   cm->cmsg_level = SOL_SOCKET;
   cm->cmsg_type = SCM_RIGHTS;
   cm->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(cm), &fd, sizeof(int));
   return sendmsg(s, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int
wait_in(int s, int timeout_ms)
{
   struct pollfd p = { .fd = s, .events = POLLIN };

   return poll(&p, 1, timeout_ms) == 1 ? 0 : -1;
}

int
vc_recv(int s, void *buf, size_t len, int timeout_ms)
{
   char *p = buf;

   while (len) {
      ssize_t n;

      if (wait_in(s, timeout_ms))
         return -1;
      n = recv(s, p, len, 0);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return -1;
      p += n;
      len -= (size_t)n;
   }
   return 0;
}

int
vc_recv_fd(int s, int timeout_ms)
{
   union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
   } ctl;
   char byte;
   struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                         .msg_controllen = sizeof(ctl.buf) };
   struct cmsghdr *cm;
   int fd = -1;

   if (wait_in(s, timeout_ms) || recvmsg(s, &msg, MSG_CMSG_CLOEXEC) != 1)
      return -1;
   cm = CMSG_FIRSTHDR(&msg);
   if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      memcpy(&fd, CMSG_DATA(cm), sizeof(int));
   return fd;
}

int
vc_closed(int s, int timeout_ms)
{
   char buf[256];

   for (;;) {
      ssize_t n;

      if (wait_in(s, timeout_ms))
         return 0;
      n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno == ECONNRESET))
         return 1;
      if (n < 0 && errno != EAGAIN && errno != EINTR)
         return 1;
   }
}
