/* SPDX-License-Identifier: MIT */

/*
 * A test guest: a host on the sim backend, one client with an msm context
 * and its shmem mapped like a guest maps it, and helpers that build ccmds
 * with the generated encoders (never by hand), batch them and read the
 * responses back with the generated decoders.
 */

#ifndef VH_TEST_HARNESS_H_
#define VH_TEST_HARNESS_H_

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fd_count.h"
#include "msm_codec.h"
#include "msm_kernel.h"
#include "sim.h"
#include "vdrm_host.h"

#define TG_MAX_LINES 64

struct tg_opts {
   const struct vdrm_sim_profile *profile;   /* NULL: a630 */
   bool real_clock;                          /* default: the manual clock */
   uint64_t submit_ns;                       /* default 1000 */
   bool privileged;
   uint32_t quirks;
   uint32_t shmem_size;                      /* 0: 4096; UINT32_MAX: create none */
   bool set_limits;
   struct vdrm_host_limits limits;           /* with set_limits */
   uint32_t log_burst;                       /* 0: 1000 (effectively unlimited) */
   struct vdrm_backend *backend;             /* instead of a sim (the caller destroys it) */
};

struct tguest {
   struct tg_opts opts;
   int fds_before;
   struct vdrm_backend *sim;
   struct vdrm_host *host;
   struct vdrm_host_client *client;
   /* The shmem as the guest maps it. */
   int shmem_fd;
   uint32_t shmem_res;
   uint8_t *shmem;
   uint32_t shmem_size;
   uint8_t *rsp;          /* shmem + rsp_mem_offset */
   uint32_t rsp_size;
   /* The batch being built. */
   uint8_t batch[1 << 16];
   size_t len;
   uint32_t seqno;        /* of the last request built */
   /* Log lines captured, and the clock the log's rate limit reads. */
   char lines[TG_MAX_LINES][512];
   uint32_t nlines;
   uint64_t now;
};


/* Sets up a guest (g is calloc'd) and tears it down checking fds and leaks. */
struct tguest *tg_new(const struct tg_opts *opts);
void tg_free(struct tguest *g);
/* cmocka fixtures with default options. */
int tg_setup(void **state);
int tg_teardown(void **state);

/* Creates the shmem blob (if not yet). */
void tg_shmem(struct tguest *g, uint32_t size);

/* Appends raw bytes (already a message) to the batch. */
void tg_raw(struct tguest *g, const void *msg, size_t len);
/* Runs the batch built so far; returns vdrm_host_submit()'s status. */
int tg_flush(struct tguest *g);
int tg_flush_fence(struct tguest *g, uint32_t ring, uint64_t fence_id);

/* Request builders: each fills hdr.seqno (++g->seqno) and hdr.rsp_off, appends, returns the seqno. */
uint32_t tg_nop(struct tguest *g);
uint32_t tg_gem_new(struct tguest *g, uint32_t blob_id, uint64_t size, uint32_t flags, uint64_t iova);
uint32_t tg_set_iova(struct tguest *g, uint32_t res_id, uint64_t iova);
uint32_t tg_cpu_prep(struct tguest *g, uint32_t res_id, uint32_t op, uint32_t rsp_off);
uint32_t tg_set_name(struct tguest *g, uint32_t res_id, const char *name, uint32_t len);
uint32_t tg_submit(struct tguest *g, uint32_t flags, uint32_t queue_id, uint32_t fence,
                   const struct drm_msm_gem_submit_bo *bos, uint32_t nr_bos,
                   const struct drm_msm_gem_submit_cmd *cmds, uint32_t nr_cmds);
uint32_t tg_upload(struct tguest *g, uint32_t res_id, uint32_t off, const void *data, uint32_t len);
uint32_t tg_query(struct tguest *g, uint32_t queue_id, uint32_t param, uint32_t len, uint32_t rsp_off);
uint32_t tg_wait_fence(struct tguest *g, uint32_t queue_id, uint32_t fence, uint32_t rsp_off);
uint32_t tg_debuginfo(struct tguest *g, const char *comm, const char *cmdline);
uint32_t tg_ioctl(struct tguest *g, uint32_t cmd, const void *arg, uint32_t rsp_off);

/* The ioctl numbers a guest kernel would build. */
uint32_t tg_ioc_get_param(uint32_t size);
uint32_t tg_ioc_submitqueue_new(void);
uint32_t tg_ioc_submitqueue_close(void);

/* Reserves a response slot: stores its size in hdr.len as Mesa does. */
void tg_reserve(struct tguest *g, uint32_t rsp_off, uint32_t size);
uint8_t *tg_rsp(struct tguest *g, uint32_t rsp_off);

uint32_t tg_seqno_published(struct tguest *g);
uint32_t tg_async_error(struct tguest *g);
uint32_t tg_global_faults(struct tguest *g);
struct vdrm_host_stats tg_stats(struct tguest *g);
struct vdrm_sim_stats tg_sim(struct tguest *g);

/* High level: a buffer with its blob; returns res_id (fd kept open in *fd if fd != NULL). */
uint32_t tg_bo(struct tguest *g, uint32_t blob_id, uint64_t size, uint64_t iova, int *fd);
/* SUBMITQUEUE_NEW through IOCTL_SIMPLE; returns the queue id (asserts success). */
uint32_t tg_queue(struct tguest *g, uint32_t prio);
/* GET_PARAM through IOCTL_SIMPLE: ret of the response, value in *value. */
int tg_get_param(struct tguest *g, uint32_t param, uint64_t *value);

/* The last log line, and whether one contains every string given (NULL-terminated list). */
const char *tg_last_line(struct tguest *g);
bool tg_line_has(struct tguest *g, const char *s1, ...);

#define TG(state) ((struct tguest *)*(state))

#endif /* VH_TEST_HARNESS_H_ */
