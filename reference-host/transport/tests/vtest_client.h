/* SPDX-License-Identifier: MIT */

/* A vtest test client on a real socket: messages built by the generated encoders. */

#ifndef VT_TEST_CLIENT_H_
#define VT_TEST_CLIENT_H_

#include <stddef.h>
#include <stdint.h>

int vc_connect(const char *path);
/* Sends all of buf (fd >= 0: then one carrier byte with it); 0 or -1. */
int vc_send(int s, const void *buf, size_t len);
int vc_send_fd(int s, int fd);
/* Receives exactly len bytes within timeout_ms: 0, or -1 (closed, timeout). */
int vc_recv(int s, void *buf, size_t len, int timeout_ms);
/* Receives one carrier byte and its descriptor: the fd or -1. */
int vc_recv_fd(int s, int timeout_ms);
/* 1 when the server closed the connection within timeout_ms (EOF or reset), else 0. */
int vc_closed(int s, int timeout_ms);

#endif
