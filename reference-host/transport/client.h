/* SPDX-License-Identifier: MIT */

/*
 * One vtest client as the transport keeps it: its connection, its host
 * client (one context), its syncobjs, the fences its submits still owe and
 * the waits it is owed. session.c serves its requests; server.c owns it.
 */

#ifndef VT_CLIENT_H_
#define VT_CLIENT_H_

#include <stdbool.h>
#include <stdint.h>
#define _GNU_SOURCE
#include <sys/types.h>

#include "conn.h"
#include "syncobj.h"

struct vt_server;
struct vdrm_host;
struct vdrm_host_client;

/* Per-client limits (struct vt_server_config gives them). */
struct vt_client_limits {
   size_t max_rx_bytes;       /* receive buffer: the largest request, trailer included */
   size_t max_tx_bytes;       /* answers queued before the client is no longer served */
   uint32_t max_syncobjs;
   uint32_t max_waits;        /* WAIT_FD waits not over */
};

/* A timeline point a submit's fence signals (a reference to its syncobj). */
struct vt_fence_out {
   struct vt_syncobj *obj;
   uint64_t point;
};

/* A fence a submit created, not retired yet. */
struct vt_pending_fence {
   struct vt_pending_fence *next;
   uint32_t ring;
   uint64_t fence_id;
   /* Written when the fence retires; out-fences and binary out-syncobjs hold dups. */
   int fence_fd;
   uint32_t nouts;
   struct vt_fence_out outs[];
};

/* A DRM_SYNC_WAIT or TIMELINE_WAIT with WAIT_FD, whose result goes into a pipe. */
struct vt_wait {
   struct vt_wait *next;
   int pipe_wr;
   int64_t deadline;
   uint32_t flags;
   uint32_t n;
   uint32_t *handles;
   uint64_t *points;            /* NULL: binary */
};

struct vt_client {
   struct vt_client *next;
   struct vt_server *srv;
   struct vdrm_host *host;
   const struct vt_client_limits *limits;
   uint32_t id;
   pid_t pid;
   struct vt_conn conn;
   struct vdrm_host_client *hc;
   char name[64];
   bool renderer;               /* CREATE_RENDERER seen */
   uint32_t version;
   uint32_t capset_id;          /* of its context; 0: none */
   struct vt_syncobjs syncobjs;
   struct vt_syncobj_registry *registry;   /* the server's exported syncobjs */
   struct vt_pending_fence *fences, **fences_tail;
   struct vt_wait *waits;
   uint32_t nwaits;
   uint64_t next_fence_id;
   bool stalled;                /* the request at the front waits for something */
   uint32_t cur_fds;            /* descriptors the request being run carries */
   char reason[256];            /* why it is being dropped */
   uint64_t requests;
};

void vt_client_init(struct vt_client *c, struct vt_server *srv, struct vdrm_host *host,
                    struct vt_syncobj_registry *registry, const struct vt_client_limits *limits,
                    uint32_t id, int fd);
/* Frees the host client (its context and resources), syncobjs, waits, descriptors. */
void vt_client_fini(struct vt_client *c);

/* Serves up to budget requests that are there: 0, or -1 to drop it (c->reason says why). */
int vt_session_process(struct vt_client *c, uint32_t budget);
/* Delivers retired fences to syncobjs and out-fences, ends waits. */
void vt_session_poll(struct vt_client *c);
/* Whether time alone can make progress for it (fences, waits, a stalled request). */
bool vt_session_ticking(const struct vt_client *c);

#endif /* VT_CLIENT_H_ */
