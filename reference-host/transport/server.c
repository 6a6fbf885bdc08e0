/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "listen.h"
#include "server.h"
#include "vdrm_host.h"
#include "vtest_proto.h"

/* Per round and client: bytes read and requests served, so that none starves the others. */
#define VT_READ_BUDGET (64u << 10)
#define VT_REQUEST_BUDGET 64u
/* A round while anything waits on time alone (fences, waits). */
#define VT_TICK_MS 1

struct vt_server {
   struct vdrm_host *host;
   struct vt_server_config config;
   struct vt_client_limits limits;
   struct vt_syncobj_registry syncobj_registry;   /* exported syncobjs, shared by its clients */
   char *path;
   int listen_fd;
   int wake[2];                 /* vt_server_stop() writes, the loop reads */
   volatile sig_atomic_t stop;
   struct vt_client *clients;
   uint32_t nclients;
   uint32_t next_id;
   struct pollfd *pfds;
   struct vt_client **pclients;
   uint32_t pcap;
   struct vt_server_stats stats;
};

__attribute__((format(printf, 2, 3))) static void
slog(struct vt_server *s, const char *fmt, ...)
{
   char line[512];
   va_list ap;

   va_start(ap, fmt);
   vsnprintf(line, sizeof(line), fmt, ap);
   va_end(ap);
   if (s->config.log)
      s->config.log(s->config.log_data, line);
   else
      fprintf(stderr, "%s\n", line);
}

int
vt_server_create(struct vdrm_host *host, const struct vt_server_config *config,
                 struct vt_server **out)
{
   struct vt_server *s;
   int ret;

   if (!host || !out)
      return -EINVAL;
   s = calloc(1, sizeof(*s));
   if (!s)
      return -ENOMEM;
   if (config)
      s->config = *config;
   if (!s->config.socket_path)
      s->config.socket_path = VTEST_DEFAULT_SOCKET_NAME;
   if (!s->config.max_clients)
      s->config.max_clients = 64;
   s->limits.max_rx_bytes = s->config.max_rx_bytes
                               ? s->config.max_rx_bytes
                               : vdrm_host_limit_default(VDRM_HOST_LIMIT_MESSAGE_SIZE) + (64u << 10);
   s->limits.max_tx_bytes = s->config.max_tx_bytes ? s->config.max_tx_bytes : 1u << 20;
   s->limits.max_syncobjs = s->config.max_syncobjs ? s->config.max_syncobjs : 4096;
   s->limits.max_waits = s->config.max_waits ? s->config.max_waits : 256;
   s->host = host;
   s->next_id = 1;
   s->wake[0] = s->wake[1] = -1;
   s->path = strdup(s->config.socket_path);
   if (!s->path) {
      free(s);
      return -ENOMEM;
   }
   s->config.socket_path = s->path;
   if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK)) {
      ret = -errno;
      free(s->path);
      free(s);
      return ret;
   }
   s->listen_fd = vt_listen_open(s->path);
   if (s->listen_fd < 0) {
      ret = s->listen_fd;
      close(s->wake[0]);
      close(s->wake[1]);
      free(s->path);
      free(s);
      return ret;
   }
   /* A peer gone before reading its answer must not kill the server (sends use MSG_NOSIGNAL too). */
   signal(SIGPIPE, SIG_IGN);
   *out = s;
   return 0;
}

static void
describe(const struct vt_client *c, char *buf, size_t size)
{
   snprintf(buf, size, "client %u (pid %d%s%s%s)", c->id, (int)c->pid, c->name[0] ? ", '" : "",
            c->name, c->name[0] ? "'" : "");
}

static void
remove_client(struct vt_server *s, struct vt_client *c, bool bad, const char *why)
{
   char who[128];

   describe(c, who, sizeof(who));
   if (bad) {
      slog(s, "vdrm-host: %s dropped: %s", who, why);
      s->stats.dropped++;
   } else {
      if (s->config.verbose)
         slog(s, "vdrm-host: %s disconnected%s%s", who, why ? ": " : "", why ? why : "");
      s->stats.disconnected++;
   }
   for (struct vt_client **pp = &s->clients; *pp; pp = &(*pp)->next) {
      if (*pp == c) {
         *pp = c->next;
         break;
      }
   }
   s->stats.requests += c->requests;
   vt_client_fini(c);
   free(c);
   s->nclients--;
}

static void
accept_clients(struct vt_server *s)
{
   for (int i = 0; i < 16; i++) {
      int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      struct vt_client *c;
      struct ucred cred;
      socklen_t len = sizeof(cred);

      if (fd < 0)
         return;
      if (s->nclients >= s->config.max_clients || !(c = malloc(sizeof(*c)))) {
         slog(s, "vdrm-host: connection refused: %s",
              s->nclients >= s->config.max_clients ? "max-clients reached" : "out of memory");
         s->stats.refused++;
         close(fd);
         continue;
      }
      vt_client_init(c, s, s->host, &s->syncobj_registry, &s->limits, s->next_id++, fd);
      if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
         c->pid = cred.pid;
      c->next = s->clients;
      s->clients = c;
      s->nclients++;
      s->stats.accepted++;
      if (s->config.verbose) {
         char who[128];

         describe(c, who, sizeof(who));
         slog(s, "vdrm-host: %s connected", who);
      }
   }
}

static int
grow_pollfds(struct vt_server *s, uint32_t n)
{
   struct pollfd *p;
   struct vt_client **pc;

   if (n <= s->pcap)
      return 0;
   p = realloc(s->pfds, n * sizeof(*p));
   if (!p)
      return -ENOMEM;
   s->pfds = p;
   pc = realloc(s->pclients, n * sizeof(*pc));
   if (!pc)
      return -ENOMEM;
   s->pclients = pc;
   s->pcap = n;
   return 0;
}

/* One client's turn: read, serve, answer. false when it is gone. */
static bool
serve(struct vt_server *s, struct vt_client *c, short revents)
{
   char why[320];

   if (revents & (POLLIN | POLLHUP | POLLERR)) {
      if (vt_conn_read(&c->conn, VT_READ_BUDGET)) {
         snprintf(why, sizeof(why), "%s%s%s", c->conn.error, c->conn.error_errno ? ": " : "",
                  c->conn.error_errno ? strerror(c->conn.error_errno) : "");
         remove_client(s, c, c->conn.error_errno == 0 || c->conn.error_errno == ENOMEM, why);
         return false;
      }
   }
   vt_session_poll(c);
   if (vt_session_process(c, VT_REQUEST_BUDGET)) {
      snprintf(why, sizeof(why), "%s", c->reason);
      vt_conn_flush(&c->conn);
      remove_client(s, c, true, why);
      return false;
   }
   if (vt_conn_flush(&c->conn)) {
      snprintf(why, sizeof(why), "%s: %s", c->conn.error, strerror(c->conn.error_errno));
      remove_client(s, c, false, why);
      return false;
   }
   if (c->conn.eof) {
      /* Nothing more will come: what is left is a request cut short, or one nobody waits for. */
      remove_client(s, c, false, c->conn.rx_len ? "in the middle of a request" : NULL);
      return false;
   }
   return true;
}

int
vt_server_step(struct vt_server *s, int timeout_ms)
{
   uint32_t n = 2, i = 0;
   bool ticking = false;
   int ret;

   if (grow_pollfds(s, 2 + s->nclients))
      return -ENOMEM;
   s->pfds[0] = (struct pollfd){ .fd = s->wake[0], .events = POLLIN };
   s->pfds[1] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
   for (struct vt_client *c = s->clients; c; c = c->next, i++) {
      short ev = 0;

      if (!c->conn.eof && c->conn.rx_len < c->conn.rx_max)
         ev |= POLLIN;
      if (vt_conn_pending(&c->conn))
         ev |= POLLOUT;
      s->pfds[n] = (struct pollfd){ .fd = c->conn.fd, .events = ev };
      s->pclients[n++] = c;
      ticking |= vt_session_ticking(c);
   }
   if (ticking && (timeout_ms < 0 || timeout_ms > VT_TICK_MS))
      timeout_ms = VT_TICK_MS;
   ret = poll(s->pfds, n, timeout_ms);
   if (ret < 0)
      return errno == EINTR ? 0 : -errno;
   if (s->pfds[0].revents & POLLIN) {
      char buf[64];

      while (read(s->wake[0], buf, sizeof(buf)) > 0)
         ;
   }
   if (s->stop)
      return 0;
   for (uint32_t k = 2; k < n; k++)
      serve(s, s->pclients[k], s->pfds[k].revents);
   if (s->pfds[1].revents & POLLIN)
      accept_clients(s);
   return 0;
}

int
vt_server_run(struct vt_server *s)
{
   while (!s->stop) {
      int ret = vt_server_step(s, -1);

      if (ret)
         return ret;
   }
   return 0;
}

void
vt_server_stop(struct vt_server *s)
{
   int saved = errno;

   s->stop = 1;
   (void)!write(s->wake[1], "", 1);
   errno = saved;
}

void
vt_server_destroy(struct vt_server *s)
{
   if (!s)
      return;
   while (s->clients)
      remove_client(s, s->clients, false, "the server shuts down");
   vt_listen_close(s->listen_fd, s->path);
   close(s->wake[0]);
   close(s->wake[1]);
   free(s->pfds);
   free(s->pclients);
   free(s->path);
   free(s);
}

void
vt_server_get_stats(struct vt_server *s, struct vt_server_stats *stats)
{
   uint64_t live = 0;

   for (struct vt_client *c = s->clients; c; c = c->next)
      live += c->requests;
   *stats = s->stats;
   stats->clients = s->nclients;
   stats->requests += live;
}

const char *
vt_server_socket_path(const struct vt_server *s)
{
   return s->path;
}
