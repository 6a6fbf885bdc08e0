/* SPDX-License-Identifier: MIT */

/* The listening socket: a Unix stream socket at a path, removed on close. */

#ifndef VT_LISTEN_H_
#define VT_LISTEN_H_

/*
 * Binds and listens at path (non-blocking, close-on-exec). A socket file
 * left there by a server that is gone (nobody accepts on it) is replaced;
 * a live one, or anything that is not a socket, is not: -EADDRINUSE or
 * -EEXIST. Returns the fd, or a negative errno.
 */
int vt_listen_open(const char *path);

/* Closes the socket and removes its path. */
void vt_listen_close(int fd, const char *path);

#endif /* VT_LISTEN_H_ */
