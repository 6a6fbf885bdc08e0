/* SPDX-License-Identifier: MIT */

/*
 * The vtest socket server on the in-process host (vdrm_host.h): a Unix
 * listening socket and one poll() loop serving every client at once, each
 * non-blocking with its own buffers, limits and syncobjs. Single-threaded:
 * the loop is the only caller of the host.
 */

#ifndef VT_SERVER_H_
#define VT_SERVER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vdrm_host;
struct vt_server;

typedef void (*vt_log_fn)(void *data, const char *line);

struct vt_server_config {
   const char *socket_path;    /* NULL: VTEST_DEFAULT_SOCKET_NAME (/tmp/.virgl_test) */
   uint32_t max_clients;       /* 0: 64; further connections are closed at once, logged */
   size_t max_rx_bytes;        /* 0: the host's max_message_size plus 64 KiB */
   size_t max_tx_bytes;        /* 0: 1 MiB of answers a client leaves unread before it is no longer served */
   uint32_t max_syncobjs;      /* 0: 4096 per client */
   uint32_t max_waits;         /* 0: 256 WAIT_FD waits per client */
   bool verbose;               /* also log connects and disconnects */
   vt_log_fn log;              /* NULL: stderr */
   void *log_data;
};

struct vt_server_stats {
   uint32_t clients;           /* connected now */
   uint64_t accepted;
   uint64_t refused;           /* beyond max_clients */
   uint64_t dropped;           /* bad clients dropped */
   uint64_t disconnected;      /* clients that went away */
   uint64_t requests;          /* requests served */
};

/* 0 or a negative errno; the host must outlive the server. */
int vt_server_create(struct vdrm_host *host, const struct vt_server_config *config,
                     struct vt_server **server);
/* Serves until vt_server_stop(); 0, or a negative errno when poll() fails. */
int vt_server_run(struct vt_server *s);
/* One round of the loop: waits at most timeout_ms (-1: until something happens). */
int vt_server_step(struct vt_server *s, int timeout_ms);
/* Makes vt_server_run() return; async-signal-safe, callable from another thread. */
void vt_server_stop(struct vt_server *s);
/* Closes every client (freeing its context and resources) and removes the socket. */
void vt_server_destroy(struct vt_server *s);
/* Only from the thread that runs the loop (or once it has stopped). */
void vt_server_get_stats(struct vt_server *s, struct vt_server_stats *stats);
const char *vt_server_socket_path(const struct vt_server *s);

#endif /* VT_SERVER_H_ */
