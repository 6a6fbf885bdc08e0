/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>

#include "log.h"

static void
log_stderr(void *data, const char *line)
{
   (void)data;
   fprintf(stderr, "%s\n", line);
}

static uint64_t
clock_monotonic(void *data)
{
   struct timespec ts;

   (void)data;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
vh_log_sink_init(struct vh_log_sink *sink, const struct vdrm_host_config *config)
{
   sink->fn = config->log ? config->log : log_stderr;
   sink->data = config->log_data;
   sink->burst = config->log_burst;
   sink->interval_ns = config->log_interval_ns;
   sink->clock = config->clock ? config->clock : clock_monotonic;
   sink->clock_data = config->clock_data;
}

void
vh_log_error(const struct vh_log_sink *sink, struct vh_log_limiter *l, const char *who,
             const uint32_t *seqno, bool in_batch, const struct vdrm_error *err)
{
   uint64_t now = sink->clock(sink->clock_data);
   char line[512];
   char seq[32] = "";
   char dropped[64] = "";
   char where[32] = "";

   if (l->lines == 0 && l->suppressed == 0)
      l->window_start = now;
   if (now - l->window_start >= sink->interval_ns) {
      l->window_start = now;
      l->in_window = 0;
   }
   if (l->in_window >= sink->burst) {
      l->unreported++;
      l->suppressed++;
      return;
   }
   l->in_window++;
   l->lines++;
   if (seqno)
      snprintf(seq, sizeof(seq), " seqno %u", *seqno);
   if (l->unreported) {
      snprintf(dropped, sizeof(dropped), " (%llu lines suppressed before)",
               (unsigned long long)l->unreported);
      l->unreported = 0;
   }
   if (in_batch)
      snprintf(where, sizeof(where), ", batch offset %u", err->offset);
   snprintf(line, sizeof(line), "vdrm-host: %s%s: %s [%s%s]%s", who, seq, err->message,
            vdrm_status_name(err->status), where, dropped);
   sink->fn(sink->data, line);
}
