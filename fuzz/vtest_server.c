/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include "vtest_server.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"

#define READ_BUDGET (64u << 10)
#define REQUEST_BUDGET 64u
#define MAX_ANSWER_FDS 16u

void
fz_vtest_server_init(struct fz_vtest_server *s, const struct fz_context *ctx)
{
   int sv[2];

   memset(s, 0, sizeof(*s));
   fz_sim_init(&s->sim, ctx);
   FZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %s",
            strerror(errno));
   s->limits = (struct vt_client_limits){ .max_rx_bytes = 256u << 10, .max_tx_bytes = 1u << 20,
                                          .max_syncobjs = 64, .max_waits = 16 };
   s->registry = (struct vt_syncobj_registry){ 0 };
   vt_client_init(&s->c, NULL, s->sim.host, &s->registry, &s->limits, 1, sv[0]);
   s->peer = sv[1];
}

/* Reads the answers, hands them on (or drops them) and closes what nobody took. */
static void
drain(struct fz_vtest_server *s)
{
   for (;;) {
      union {
         char buf[CMSG_SPACE(sizeof(int) * MAX_ANSWER_FDS)];
         struct cmsghdr align;
      } ctl;
      uint8_t buf[4096];
      int fds[MAX_ANSWER_FDS];
      size_t nfds = 0;
      struct iovec iov = { buf, sizeof(buf) };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf) };
      ssize_t n = recvmsg(s->peer, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

      for (struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm; cm = CMSG_NXTHDR(&msg, cm)) {
         if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
         for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) && nfds < MAX_ANSWER_FDS; i++)
            memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
      }
      /*
       * The server sends a descriptor alone on a one-byte message (vt_conn_flush), and a read
       * stops after a message with descriptors: they came with the last byte read.
       */
      if (n > 0 && s->answer) {
         s->answer(s->answer_data, buf, (size_t)n, fds, nfds);
      } else {
         for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
      }
      if (n <= 0)
         return;
   }
}

void
fz_vtest_server_pump(struct fz_vtest_server *s)
{
   if (s->dropped || s->closed)
      return;
   if (vt_conn_read(&s->c.conn, READ_BUDGET)) {
      s->dropped = true;
      return;
   }
   vt_session_poll(&s->c);
   if (vt_session_process(&s->c, REQUEST_BUDGET))
      s->dropped = true;
   vt_conn_flush(&s->c.conn);
   drain(s);
}

void
fz_vtest_server_advance(struct fz_vtest_server *s, uint64_t ns)
{
   s->sim.ctx->advance(s->sim.dev, ns);
   fz_vtest_server_pump(s);
}

void
fz_vtest_server_send(struct fz_vtest_server *s, const uint8_t *p, size_t len, int fd)
{
   while (len && !s->dropped && !s->closed) {
      union {
         char buf[CMSG_SPACE(sizeof(int))];
         struct cmsghdr align;
      } ctl;
      struct iovec iov = { (void *)p, len };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
      ssize_t n;

      if (fd >= 0) {
         struct cmsghdr *cm;

         msg.msg_control = ctl.buf;
         msg.msg_controllen = sizeof(ctl.buf);
         cm = CMSG_FIRSTHDR(&msg);
         cm->cmsg_level = SOL_SOCKET;
         cm->cmsg_type = SCM_RIGHTS;
         cm->cmsg_len = CMSG_LEN(sizeof(int));
         memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
      }
      n = sendmsg(s->peer, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
         FZ_CHECK(errno == EAGAIN || errno == EWOULDBLOCK, "send: %s", strerror(errno));
         fz_vtest_server_pump(s);
         continue;
      }
      fd = -1;   /* it went with the first byte */
      p += n;
      len -= (size_t)n;
   }
}

void
fz_vtest_server_hang_up(struct fz_vtest_server *s)
{
   if (s->closed)
      return;
   shutdown(s->peer, SHUT_WR);
   fz_vtest_server_pump(s);
   vt_client_fini(&s->c);
   s->closed = true;
   drain(s);
}

void
fz_vtest_server_fini(struct fz_vtest_server *s)
{
   fz_vtest_server_hang_up(s);
   close(s->peer);
   fz_sim_fini(&s->sim, "vtest on ");
}
