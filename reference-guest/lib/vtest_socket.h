/* SPDX-License-Identifier: MIT */

/* Blocking I/O on a vtest socket with a deadline, and descriptors on one-byte carriers. */

#ifndef VG_VTEST_SOCKET_H_
#define VG_VTEST_SOCKET_H_

#include <stddef.h>

/* A connected socket, or -1 with errno. */
int vs_connect(const char *path);
/* Sends all of buf, then (fd >= 0) one carrier byte with fd: 0, or -errno (-EPIPE: the host is gone). */
int vs_send(int s, const void *buf, size_t len, int fd);
/* Receives exactly len bytes within timeout_ms: 0, -EPIPE (closed), -ETIMEDOUT, or -errno. */
int vs_recv(int s, void *buf, size_t len, int timeout_ms);
/* Receives one carrier byte and the descriptor it carries: 0 with *fd, or as vs_recv (-EBADMSG: no descriptor). */
int vs_recv_fd(int s, int *fd, int timeout_ms);

#endif
