/* SPDX-License-Identifier: MIT */

/*
 * The part of a test guest that no context changes: a host on a sim backend
 * the caller creates, logging into lines the test reads and reading a clock
 * the test moves; one client with a context; the shmem blob mapped as a
 * guest maps it; a batch of requests run through vdrm_host_submit(); and a
 * teardown that wants every descriptor and every kernel object back. The
 * request builders are each context's own: harness.c for msm, the
 * *_handlers_test.c files for the others. TG_DEBUG set in the environment
 * echoes every log line and each failed flush to stderr.
 */

#ifndef VH_TEST_GUEST_BASE_H_
#define VH_TEST_GUEST_BASE_H_

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drm_hw.h"
#include "fd_count.h"
#include "vdrm_host.h"

#define TG_MAX_LINES 64

/* What differs between the contexts' guests, for tg_init(). */
struct tg_config {
   const char *name;                       /* the context's name in log lines */
   uint32_t shmem_header;                  /* the context's shmem struct: where the response region must start
                                            * (0: anywhere past the vdrm_shmem header) */
   uint32_t shmem_size;                    /* 0: no shmem (tg_shmem() can create it later) */
   const struct vdrm_host_limits *limits;  /* NULL: the defaults */
   uint32_t log_burst;                     /* 0: 1000 (effectively unlimited) */
   size_t start;                           /* where requests begin in the batch (4: at 4 mod 8) */
   /*
    * After the host is gone: completes the pending GPU work, checks the
    * kernel holds nothing; then the backend is destroyed. NULL: a backend
    * the caller owns (a real device), neither checked nor destroyed here.
    */
   void (*drained)(struct vdrm_backend *sim);
};

struct tguest {
   int fds_before;
   struct vdrm_backend *sim;
   void (*drained)(struct vdrm_backend *sim);   /* the config's */
   struct vdrm_host *host;
   struct vdrm_host_client *client;
   /* The shmem as the guest maps it. */
   uint32_t shmem_header;
   int shmem_fd;
   uint32_t shmem_res;
   uint8_t *shmem;
   uint32_t shmem_size;
   uint8_t *rsp;          /* shmem + rsp_mem_offset */
   uint32_t rsp_size;
   /* The batch being built: len bytes of requests from batch + start. */
   _Alignas(16) uint8_t batch[1 << 16];
   size_t start;          /* changed only while the batch is empty */
   size_t len;
   uint32_t seqno;        /* of the last request built */
   /* Log lines captured, and the clock the log's rate limit reads. */
   char lines[TG_MAX_LINES][512];
   uint32_t nlines;
   uint64_t now;
};

/*
 * A guest in three steps: tg_alloc() (calloc'd, the open descriptors
 * counted), the caller's backend in g->sim, then tg_init() for the host, the
 * client, the context and the shmem.
 */
struct tguest *tg_alloc(void);
void tg_init(struct tguest *g, const struct tg_config *config);
/* Creates the shmem blob (once) and maps it. */
void tg_shmem(struct tguest *g, uint32_t size);
/*
 * Unmaps the shmem and destroys the host; the config's drained(g->sim) then
 * checks that nothing the host made the kernel allocate is left. Destroys the
 * backend, checks that the process has as many open descriptors as at
 * tg_alloc(), frees g.
 */
void tg_free(struct tguest *g);
/* The cmocka teardown of a guest made by a context's setup. */
int tg_teardown(void **state);

/* A request header: the next seqno (kept in g->seqno) and rsp_off. */
struct vdrm_ccmd_req tg_hdr(struct tguest *g, uint32_t rsp_off);
/* Room at the end of the batch, as an encoder's (buf, cap) arguments. */
#define TG_ROOM(g) ((g)->batch + (g)->start + (g)->len), (sizeof((g)->batch) - (g)->start - (g)->len)
/* Appends raw bytes (already a message) to the batch. */
void tg_raw(struct tguest *g, const void *msg, size_t len);
/* Runs the batch built so far and empties it; returns vdrm_host_submit()'s status. */
int tg_flush(struct tguest *g);
int tg_flush_fence(struct tguest *g, uint32_t ring, uint64_t fence_id);

/* Reserves a response slot: fills it with 0xee and stores its size in hdr.len, as Mesa does. */
void tg_reserve(struct tguest *g, uint32_t rsp_off, uint32_t size);
uint8_t *tg_rsp(struct tguest *g, uint32_t rsp_off);

/* A 32-bit field of the shmem the host stores, read as a guest reads it. */
uint32_t tg_shmem_u32(struct tguest *g, size_t offset);
uint32_t tg_seqno_published(struct tguest *g);
struct vdrm_host_stats tg_stats(struct tguest *g);

/* The last log line, and whether it contains every string given (NULL-terminated list). */
const char *tg_last_line(struct tguest *g);
bool tg_line_has(struct tguest *g, const char *s1, ...);

#define TG(state) ((struct tguest *)*(state))

#endif /* VH_TEST_GUEST_BASE_H_ */
