/* SPDX-License-Identifier: MIT */

/*
 * One client connection's bytes and descriptors: a non-blocking socket, a
 * bounded receive buffer with the descriptors received (in order), and a
 * bounded send queue whose descriptors each travel as SCM_RIGHTS on their
 * own one-byte carrier. Nothing here knows the protocol.
 */

#ifndef VT_CONN_H_
#define VT_CONN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Descriptors a client may have sent that no request took yet. */
#define VT_CONN_MAX_RX_FDS 16u

struct vt_tx_fd {
   size_t off;   /* offset of its carrier byte in the send queue */
   int fd;
};

struct vt_conn {
   int fd;
   uint8_t *rx;
   size_t rx_len, rx_cap, rx_max;
   int rx_fds[VT_CONN_MAX_RX_FDS];
   uint32_t rx_nfds;
   bool eof;                 /* the peer closed its side */
   uint8_t *tx;
   size_t tx_len, tx_cap;
   struct vt_tx_fd *tx_fds;
   uint32_t tx_nfds, tx_fds_cap;
   const char *error;        /* why the last call failed (static text) */
   int error_errno;
};

void vt_conn_init(struct vt_conn *c, int fd, size_t rx_max);
/* Closes the socket and every descriptor still held. */
void vt_conn_fini(struct vt_conn *c);

/*
 * Reads what is there, up to max bytes (and never beyond rx_max held):
 * 0 (eof set when the peer closed), -1 on an error (c->error says which).
 */
int vt_conn_read(struct vt_conn *c, size_t max);
/* Drops n bytes from the front of the receive buffer. */
void vt_conn_consume(struct vt_conn *c, size_t n);
/* The oldest received descriptor (the caller owns it), or -1. */
int vt_conn_take_fd(struct vt_conn *c);

/* Queues bytes; -1 when out of memory. */
int vt_conn_queue(struct vt_conn *c, const void *buf, size_t len);
/* Queues fd (ownership moves to the queue, closed once sent) on a one-byte carrier (0). */
int vt_conn_queue_fd(struct vt_conn *c, int fd);
/* Sends what the socket takes now: 0, or -1 when the peer is gone. */
int vt_conn_flush(struct vt_conn *c);
static inline size_t vt_conn_pending(const struct vt_conn *c) { return c->tx_len; }

#endif /* VT_CONN_H_ */
