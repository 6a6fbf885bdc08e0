/* SPDX-License-Identifier: MIT */

/*
 * One line per rejected request, naming the context, the command, the field
 * and the reason (a struct vdrm_error), rate-limited per context: at most
 * burst lines per interval; the first line after a quiet spell says how many
 * were dropped.
 */

#ifndef VH_LOG_H_
#define VH_LOG_H_

#include <stdbool.h>
#include <stdint.h>

#include "vdrm_codec.h"
#include "vdrm_host.h"

struct vh_log_sink {
   vdrm_host_log_fn fn;
   void *data;
   uint32_t burst;
   uint64_t interval_ns;
   vdrm_host_clock_fn clock;
   void *clock_data;
};

struct vh_log_limiter {
   uint64_t window_start;
   uint32_t in_window;
   uint64_t unreported;   /* suppressed since the last line */
   uint64_t lines;
   uint64_t suppressed;
};

void vh_log_sink_init(struct vh_log_sink *sink, const struct vdrm_host_config *config);

/*
 * who: "ctx 3 \"name\" (msm)"; seqno of the request (NULL: none, as for the
 * stream's own errors and API calls); in_batch: err->offset is an offset in
 * the batch.
 */
void vh_log_error(const struct vh_log_sink *sink, struct vh_log_limiter *l, const char *who,
                  const uint32_t *seqno, bool in_batch, const struct vdrm_error *err);

#endif /* VH_LOG_H_ */
