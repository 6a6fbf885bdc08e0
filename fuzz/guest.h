/* SPDX-License-Identifier: MIT */

/*
 * The in-process guest the stream harnesses drive: a host on a context's sim
 * backend, one client with its context, and (once asked) the shmem and a few
 * buffers created and attached through blob ids as a guest driver does,
 * and the queue its submits name. Everything is created per input and freed
 * with it.
 */

#ifndef VDRM_FUZZ_GUEST_H_
#define VDRM_FUZZ_GUEST_H_

#include <stddef.h>
#include <stdint.h>

#include "contexts.h"

/* Buffers created before the input runs: blob ids 1.. (res_ids follow the shmem's). */
#define FZ_BUFFERS 3u
#define FZ_SHMEM_SIZE 8192u

struct vdrm_backend;
struct vdrm_host;
struct vdrm_host_client;

/* A host on a context's sim backend (manual clock), and the process's descriptors before it. */
struct fz_sim {
   const struct fz_context *ctx;
   struct vdrm_backend *dev;
   struct vdrm_host *host;
   int fds_before;
};

struct fz_guest {
   struct fz_sim sim;
   struct vdrm_host_client *client;
   uint32_t rings;
   int shmem_fd;
   uint8_t *shmem;
   uint32_t res[FZ_BUFFERS];
   uint32_t attached;   /* bit n: blob id n has its resource */
   uint32_t seqno;
   uint64_t fence_id;
};

struct vdrm_host_config;

/*
 * The host configuration of every harness: the host's log dropped (shown
 * with FUZZ_VERBOSE), and low limits, which a few KiB of input can reach.
 */
void fz_host_config(struct vdrm_host_config *hc);

/* The sim host with fz_host_config() (aborts when it fails: the harness is broken). */
void fz_sim_init(struct fz_sim *s, const struct fz_context *ctx);
/*
 * Destroys the host, lets pending GPU work complete, then the device; aborts
 * when a descriptor opened since fz_sim_init() is left (who begins the message).
 */
void fz_sim_fini(struct fz_sim *s, const char *who);

/* A host, a client and its context (aborts when any of it fails: the harness is broken). */
void fz_guest_init(struct fz_guest *g, const struct fz_context *ctx);
/* The shmem (blob 0), mapped as the guest maps it. */
void fz_guest_shmem(struct fz_guest *g);
/* FZ_BUFFERS buffers, each created by a ccmd and attached by RESOURCE_CREATE_BLOB. */
void fz_guest_buffers(struct fz_guest *g);
/* Blob ids a guest may use (bit n of fz_guest.attached: blob id n). */
#define FZ_BLOB_IDS 16u

/*
 * RESOURCE_CREATE_BLOB for every blob id below FZ_BLOB_IDS without a
 * resource yet, as a guest does after the batch that created its buffer
 * (most fail: no buffer awaits that id).
 */
void fz_guest_attach(struct fz_guest *g);
/* The context's submitqueue or GPU context (fz_context.queue_req), once the shmem exists. */
void fz_guest_queue(struct fz_guest *g);
/*
 * Runs len bytes as one ccmd batch from an allocation of exactly that size
 * (so that reading past the batch is an ASan report), with a fence on the
 * next ring when fence is set.
 */
void fz_guest_submit(struct fz_guest *g, const uint8_t *cmds, size_t len, int fence);
/* Lets the GPU work complete and delivers the fences. */
void fz_guest_retire(struct fz_guest *g, uint64_t ns);
/* Frees everything; aborts when a file descriptor was left open. */
void fz_guest_fini(struct fz_guest *g);

#endif /* VDRM_FUZZ_GUEST_H_ */
