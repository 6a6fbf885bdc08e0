/* SPDX-License-Identifier: MIT */

/*
 * The vtest server in process, for one client: a host on a context's sim
 * backend and a transport client (transport/client.h: its connection,
 * session and syncobjs) on one end of a socketpair, served by the entry
 * points the server's poll loop calls. The harness is the client at the
 * other end (peer). Shared by the vtest harness (a hostile client) and the
 * guest's vtest harness (an honest server whose answers are then bent).
 */

#ifndef VDRM_FUZZ_VTEST_SERVER_H_
#define VDRM_FUZZ_VTEST_SERVER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "contexts.h"
#include "guest.h"

/* Answer bytes as one read returned them, and the descriptors that came with the last of them. */
typedef void (*fz_vtest_answer_fn)(void *data, const uint8_t *bytes, size_t len, const int *fds, size_t nfds);

struct fz_vtest_server {
   struct fz_sim sim;
   struct vt_client_limits limits;
   struct vt_syncobj_registry registry;   /* the server's: syncobjs exported as descriptors */
   struct vt_client c;
   int peer;              /* the client's end */
   bool dropped;          /* the server gave up on the client (c.reason says why) */
   bool closed;           /* vt_client_fini() done */
   fz_vtest_answer_fn answer;   /* NULL: answers are read and dropped, their descriptors closed */
   void *answer_data;
};

/* The server and its client (aborts when any of it fails: the harness is broken). */
void fz_vtest_server_init(struct fz_vtest_server *s, const struct fz_context *ctx);
/* One round of what the server's loop does for a client that has input, then its answers read. */
void fz_vtest_server_pump(struct fz_vtest_server *s);
/* Lets time pass (GPU work completes), then pumps. */
void fz_vtest_server_advance(struct fz_vtest_server *s, uint64_t ns);
/* Sends len bytes as the client (fd, if not -1, with the first), pumping while the socket is full. */
void fz_vtest_server_send(struct fz_vtest_server *s, const uint8_t *p, size_t len, int fd);
/* The client hangs up; the server frees it. */
void fz_vtest_server_hang_up(struct fz_vtest_server *s);
/* Frees everything; aborts when a file descriptor was left open. */
void fz_vtest_server_fini(struct fz_vtest_server *s);

#endif /* VDRM_FUZZ_VTEST_SERVER_H_ */
