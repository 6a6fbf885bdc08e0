/* SPDX-License-Identifier: MIT */

/*
 * vdrm-guest: runs a driver-shaped frame loop for one context against a
 * host (a vtest socket, a private vdrm-host, or a virtio_gpu render node)
 * and prints what it cost: messages and bytes sent, synchronous round trips
 * per frame, errors.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "host_spawn.h"
#include "workload.h"

enum {
   EXIT_WORKLOAD = 1,   /* the workload or the host failed */
   EXIT_USAGE = 2,
   EXIT_HOST = 3,       /* --spawn-host could not start one */
};

struct args {
   const char *socket;
   const char *device;
   const char *context;
   const char *record;
   uint32_t frames;
   int timeout_ms;
   bool spawn;
   bool json;
   bool queries_only;
};

static void
usage(FILE *f)
{
   fprintf(f,
           "usage: vdrm-guest [--socket PATH | --device /dev/dri/renderDN | --spawn-host] --context NAME\n"
           "                  [--frames N] [--queries-only] [--record FILE] [--timeout MS] [--json]\n"
           "       vdrm-guest --list-contexts\n"
           "       vdrm-guest --help\n"
           "\n"
           "Runs a frame loop shaped like a driver's (buffers from a cache, uploads, submits\n"
           "with fences, fence waits, queries), checks every result, and prints a summary.\n"
           "\n"
           "  --socket PATH    a vtest server's socket (default %s)\n"
           "  --device PATH    a virtio_gpu render node instead (inside a VM)\n"
           "  --spawn-host     start a private vdrm-host for the context and stop it at the end\n"
           "  --context NAME   the DRM native context (--list-contexts)\n"
           "  --frames N       frames to run (default 100); the first %u fill the buffer cache\n"
           "  --queries-only   frames of queries alone, no buffers (a host that cannot export them)\n"
           "  --record FILE    write every ccmd sent, in order (vdrm-wire decode --context NAME FILE)\n"
           "  --timeout MS     longest wait for the host (default 10000)\n"
           "  --json           the summary as one JSON object\n"
           "\n"
           "Exit status: 0 every check passed, 1 a check or the host failed, 2 usage,\n"
           "3 --spawn-host found or started no vdrm-host.\n",
           VG_VTEST_DEFAULT_SOCKET, VG_WARMUP_FRAMES);
}

static int
parse_u32(const char *s, uint32_t *out)
{
   char *end;
   unsigned long long v;

   errno = 0;
   v = strtoull(s, &end, 10);
   if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
      return -1;
   *out = (uint32_t)v;
   return 0;
}

static int
parse(int argc, char **argv, struct args *a)
{
   enum { O_SOCKET = 256, O_DEVICE, O_CONTEXT, O_FRAMES, O_RECORD, O_SPAWN, O_JSON, O_QUERIES, O_LIST, O_TIMEOUT, O_HELP };
   static const struct option opts[] = {
      { "socket", required_argument, NULL, O_SOCKET },
      { "device", required_argument, NULL, O_DEVICE },
      { "context", required_argument, NULL, O_CONTEXT },
      { "frames", required_argument, NULL, O_FRAMES },
      { "record", required_argument, NULL, O_RECORD },
      { "timeout", required_argument, NULL, O_TIMEOUT },
      { "spawn-host", no_argument, NULL, O_SPAWN },
      { "json", no_argument, NULL, O_JSON },
      { "queries-only", no_argument, NULL, O_QUERIES },
      { "list-contexts", no_argument, NULL, O_LIST },
      { "help", no_argument, NULL, O_HELP },
      { NULL, 0, NULL, 0 },
   };
   uint32_t v;
   int c;

   *a = (struct args){ .frames = 100, .timeout_ms = 10000 };
   opterr = 0;
   while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      switch (c) {
      case O_SOCKET: a->socket = optarg; break;
      case O_DEVICE: a->device = optarg; break;
      case O_CONTEXT: a->context = optarg; break;
      case O_RECORD: a->record = optarg; break;
      case O_SPAWN: a->spawn = true; break;
      case O_JSON: a->json = true; break;
      case O_QUERIES: a->queries_only = true; break;
      case O_FRAMES:
         if (parse_u32(optarg, &a->frames)) {
            fprintf(stderr, "vdrm-guest: --frames: '%s' is not a number of frames\n", optarg);
            return EXIT_USAGE;
         }
         break;
      case O_TIMEOUT:
         if (parse_u32(optarg, &v) || v == 0 || v > INT32_MAX) {
            fprintf(stderr, "vdrm-guest: --timeout: '%s' is not a positive number of ms\n", optarg);
            return EXIT_USAGE;
         }
         a->timeout_ms = (int)v;
         break;
      case O_LIST:
         for (const struct vg_driver_ops *const *d = vg_drivers; *d; d++)
            printf("%s\n", (*d)->name);
         return -1;
      case O_HELP:
         usage(stdout);
         return -1;
      default:
         fprintf(stderr, "vdrm-guest: unknown option '%s'\n", argv[optind - 1]);
         usage(stderr);
         return EXIT_USAGE;
      }
   }
   if (optind < argc) {
      fprintf(stderr, "vdrm-guest: unexpected argument '%s'\n", argv[optind]);
      return EXIT_USAGE;
   }
   if (!a->context) {
      fprintf(stderr, "vdrm-guest: --context NAME is required (--list-contexts)\n");
      return EXIT_USAGE;
   }
   if ((a->socket != NULL) + (a->device != NULL) + a->spawn > 1) {
      fprintf(stderr, "vdrm-guest: --socket, --device and --spawn-host exclude each other\n");
      return EXIT_USAGE;
   }
   return 0;
}

static void
progress(void *data, uint32_t frame, uint32_t frames)
{
   fprintf(stderr, "vdrm-guest: %s: frame %u of %u\n", (const char *)data, frame, frames);
}

/* A JSON string of text this program wrote or the host's error (escaped). */
static void
json_string(FILE *f, const char *s)
{
   fputc('"', f);
   for (; *s; s++) {
      unsigned char ch = (unsigned char)*s;

      if (ch == '"' || ch == '\\')
         fprintf(f, "\\%c", ch);
      else if (ch < 0x20 || ch == 0x7f)
         fprintf(f, "\\u%04x", ch);
      else
         fputc(ch, f);
   }
   fputc('"', f);
}

static void
summary(const struct args *a, const char *transport, const char *where, const struct vg_stats *st,
        const struct vg_workload_result *r, const char *error)
{
   uint32_t steady = r->frames_done > VG_WARMUP_FRAMES ? r->frames_done - VG_WARMUP_FRAMES : 0;
   double d = steady ? (double)steady : 1.0;

   if (a->json) {
      printf("{\"context\": ");
      json_string(stdout, a->context);
      printf(", \"transport\": \"%s\", \"queries_only\": %s, \"frames\": %u, \"frames_done\": %u, \"warmup_frames\": %u,"
             " \"messages\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"ccmds\": %" PRIu64
             ", \"ccmd_bytes\": %" PRIu64 ", \"batches\": %" PRIu64 ", \"round_trips\": %" PRIu64
             ", \"setup_round_trips\": %" PRIu64 ", \"warmup_round_trips\": %" PRIu64
             ", \"steady_round_trips\": %" PRIu64 ", \"steady_max_round_trips_per_frame\": %" PRIu64
             ", \"steady_messages_per_frame\": %.2f, \"steady_bytes_per_frame\": %.1f"
             ", \"steady_ccmds_per_frame\": %.2f, \"fence_waits\": %" PRIu64 ", \"buffers_created\": %" PRIu64
             ", \"bytes_checked\": %" PRIu64 ", \"queries_checked\": %" PRIu64 ", \"errors\": %" PRIu64
             ", \"error\": ",
             transport, a->queries_only ? "true" : "false", a->frames, r->frames_done, VG_WARMUP_FRAMES, st->messages, st->bytes, st->ccmds,
             st->ccmd_bytes, st->flushes, st->round_trips, r->setup_round_trips, r->warmup_round_trips,
             r->steady_round_trips, r->steady_max_round_trips, (double)r->steady_messages / d,
             (double)r->steady_bytes / d, (double)r->steady_ccmds / d, st->fence_waits, r->buffers_created,
             r->bytes_checked, r->queries_checked, st->errors);
      if (error)
         json_string(stdout, error);
      else
         printf("null");
      printf("}\n");
      return;
   }
   printf("vdrm-guest: %s over %s (%s): %u of %u %sframes, %s\n", a->context, transport, where,
          r->frames_done, a->frames, a->queries_only ? "query-only " : "", error ? "FAILED" : "ok");
   printf("  sent:        %" PRIu64 " messages, %" PRIu64 " bytes; %" PRIu64 " ccmds (%" PRIu64
          " bytes) in %" PRIu64 " batches\n",
          st->messages, st->bytes, st->ccmds, st->ccmd_bytes, st->flushes);
   printf("  round trips: %" PRIu64 " (setup %" PRIu64 ", warm-up frames %" PRIu64 ", steady frames %" PRIu64
          ", at most %" PRIu64 " in one steady frame)\n",
          st->round_trips, r->setup_round_trips, r->warmup_round_trips, r->steady_round_trips,
          r->steady_max_round_trips);
   printf("  per steady frame: %.2f messages, %.1f bytes, %.2f ccmds, %.2f round trips\n",
          (double)r->steady_messages / d, (double)r->steady_bytes / d, (double)r->steady_ccmds / d,
          (double)r->steady_round_trips / d);
   printf("  checked:     %" PRIu64 " fence waits, %" PRIu64 " buffers created, %" PRIu64
          " buffer bytes read back, %" PRIu64 " query answers\n",
          st->fence_waits, r->buffers_created, r->bytes_checked, r->queries_checked);
   printf("  errors:      %" PRIu64 "%s%s\n", st->errors, error ? ": " : "", error ? error : "");
}

int
main(int argc, char **argv)
{
   struct args a;
   const struct vg_driver_ops *ops;
   struct vg_spawned_host host = { .pid = -1 };
   struct vg_options opt;
   struct vg_workload_result res = { 0 };
   struct vg_device *dev;
   struct vg_driver *drv = NULL;
   struct vg_stats stats;
   char err[512], where[600], error_text[600];
   const char *error, *transport;
   int record_fd = -1, status = 0, ret = parse(argc, argv, &a);

   if (ret)
      return ret < 0 ? 0 : ret;
   ops = vg_driver_find(a.context);
   if (!ops) {
      fprintf(stderr, "vdrm-guest: no context '%s' (--list-contexts)\n", a.context);
      return EXIT_USAGE;
   }
   /* A host that goes away must be an error message, not a signal. */
   signal(SIGPIPE, SIG_IGN);
   if (a.record) {
      record_fd = open(a.record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (record_fd < 0) {
         fprintf(stderr, "vdrm-guest: --record %s: %s\n", a.record, strerror(errno));
         return EXIT_USAGE;
      }
   }
   if (a.spawn) {
      if (vg_spawn_host(a.context, &host, err, sizeof(err))) {
         fprintf(stderr, "vdrm-guest: --spawn-host: %s\n", err);
         if (record_fd >= 0)
            close(record_fd);
         return EXIT_HOST;
      }
      a.socket = host.socket;
   }
   opt = ops->options;
   opt.record_fd = record_fd;
   opt.timeout_ms = a.timeout_ms;
   if (a.device) {
      int fd = open(a.device, O_RDWR | O_CLOEXEC);

      if (fd < 0) {
         fprintf(stderr, "vdrm-guest: %s: %s\n", a.device, strerror(errno));
         return EXIT_WORKLOAD;
      }
      dev = vg_open_virtgpu(fd, &vg_virtgpu_sys_default, &opt);
      snprintf(where, sizeof(where), "%s", a.device);
   } else {
      dev = vg_open_vtest(a.socket, &opt);
      snprintf(where, sizeof(where), "%s%s", a.socket ? a.socket : VG_VTEST_DEFAULT_SOCKET,
               a.spawn ? ", a private vdrm-host" : "");
   }
   if (!dev) {
      fprintf(stderr, "vdrm-guest: out of memory\n");
      return EXIT_WORKLOAD;
   }
   if (!vg_error(dev) && ops->create(dev, &drv) == 0)
      vg_workload_run(ops, dev, drv,
                      &(struct vg_workload_config){
                         .frames = a.frames,
                         .queries_only = a.queries_only,
                         .progress = a.frames >= 1000 ? progress : NULL,
                         .progress_data = (void *)a.context,
                      },
                      &res);
   if (drv)
      ops->destroy(drv);
   if (!res.frames_done && !res.setup_round_trips)
      res.setup_round_trips = vg_stats(dev)->round_trips;
   /* What the summary prints, kept before the device (and the host) go away. */
   stats = *vg_stats(dev);
   transport = vg_transport_name(dev);
   error = vg_error(dev);
   if (error) {
      snprintf(error_text, sizeof(error_text), "%s", error);
      status = EXIT_WORKLOAD;
   }
   vg_close(dev);
   if (a.spawn) {
      int code = vg_stop_host(&host, err, sizeof(err));

      if (code != 0 && !error) {
         if (code < 0)
            snprintf(error_text, sizeof(error_text), "vdrm-host: %s", err);
         else
            snprintf(error_text, sizeof(error_text), "vdrm-host exited with status %d", code);
         error = error_text;
         status = EXIT_WORKLOAD;
      }
   }
   summary(&a, transport, where, &stats, &res, error ? error_text : NULL);
   if (record_fd >= 0)
      close(record_fd);
   return status;
}
