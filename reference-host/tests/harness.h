/* SPDX-License-Identifier: MIT */

/*
 * The msm test guest: guest_base.h's guest on the sim backend's msm device
 * (an msm context, its shmem mapped like a guest maps it), and helpers that
 * build ccmds with the generated encoders (never by hand), batch them and
 * read the responses back with the generated decoders.
 */

#ifndef VH_TEST_HARNESS_H_
#define VH_TEST_HARNESS_H_

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "guest_base.h"
#include "msm_codec.h"
#include "msm_kernel.h"
#include "sim.h"
#include "vdrm_host.h"

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

/* Sets up a guest (tg_free() tears it down, checking fds and leaks). */
struct tguest *tg_new(const struct tg_opts *opts);
/* The cmocka setup with default options (tg_teardown() its teardown). */
int tg_setup(void **state);
/*
 * The sim device's counters once the GPU work still pending has completed:
 * no file, object, mapping, queue or fence left.
 */
void tg_sim_drained(struct vdrm_backend *sim);

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

/* The fields msm's shmem adds, and the sim's counters. */
uint32_t tg_async_error(struct tguest *g);
uint32_t tg_global_faults(struct tguest *g);
struct vdrm_sim_stats tg_sim(struct tguest *g);

/* High level: a buffer with its blob; returns res_id (fd kept open in *fd if fd != NULL). */
uint32_t tg_bo(struct tguest *g, uint32_t blob_id, uint64_t size, uint64_t iova, int *fd);
/* SUBMITQUEUE_NEW through IOCTL_SIMPLE; returns the queue id (asserts success). */
uint32_t tg_queue(struct tguest *g, uint32_t prio);
/* GET_PARAM through IOCTL_SIMPLE: ret of the response, value in *value. */
int tg_get_param(struct tguest *g, uint32_t param, uint64_t *value);

#endif /* VH_TEST_HARNESS_H_ */
