/* SPDX-License-Identifier: MIT */

/*
 * vdrm-host: the reference host as a vtest server (virglrenderer's socket
 * protocol, which Mesa's vdrm speaks in vtest mode) on a sim backend, or on
 * a real render node through the drm backend (builds with libdrm).
 *
 * Exit codes: 0 stopped by SIGINT or SIGTERM (socket removed, everything
 * freed), 1 the loop failed, 2 usage, 3 the context has no handlers or no
 * backend in this build (or the backend failed), 4 the socket could not be
 * opened.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amdgpu/sim_amdgpu.h"
#include "asahi/sim_asahi.h"
#include "panfrost/sim_panfrost.h"
#include "server.h"
#include "sim.h"
#include "sim_i915.h"
#include "vdrm_host.h"
#ifdef VDRM_HOST_HAVE_DRM
#include "vdrm_drm.h"
#endif
#include "vtest_proto.h"

enum {
   EXIT_LOOP = 1,
   EXIT_USAGE = 2,
   EXIT_CONTEXT = 3,
   EXIT_SOCKET = 4,
};

static const char usage[] =
   "usage: vdrm-host [--socket PATH] --context msm|amdgpu|i915|asahi|panfrost\n"
   "                 [--backend sim|drm] [--profile NAME] [--render-node PATH]\n"
   "                 [--max-clients N] [--verbose]\n"
   "       vdrm-host --help\n"
   "\n"
   "Serves the vtest protocol on a Unix socket (default " VTEST_DEFAULT_SOCKET_NAME "),\n"
   "each client with its own DRM native context of the given kind, on a simulated\n"
   "GPU or on the host's GPU.\n"
   "\n"
   "  --socket PATH      the socket to listen on\n"
   "  --context NAME     the DRM native context (the backend's driver)\n"
   "  --backend NAME     the kernel backend: sim (default), or drm (a real render\n"
   "                     node through libdrm, in builds that found libdrm)\n"
   "  --profile NAME     the sim's device profile: msm a630 (default) or a740;\n"
   "                     other contexts have their default profile only\n"
   "  --render-node PATH the drm backend's render node (default: the first one\n"
   "                     in /dev/dri whose driver serves the context)\n"
   "  --max-clients N    connections served at once (default 64)\n"
   "  --verbose          log connects and disconnects too\n"
   "\n"
   "Exit status: 0 stopped by SIGINT/SIGTERM, 1 the server loop failed, 2 usage,\n"
   "3 context or backend unavailable, 4 the socket could not be opened.\n";

static struct vt_server *volatile the_server;
static volatile sig_atomic_t stop_early;   /* a signal before the server existed */

static void
on_signal(int sig)
{
   (void)sig;
   stop_early = 1;
   if (the_server)
      vt_server_stop(the_server);
}

static int
make_sim_backend(const char *context, const char *profile, struct vdrm_backend **dev)
{
   struct vdrm_sim_config msm = { .clock = VDRM_SIM_CLOCK_MONOTONIC, .submit_ns = 100000 };

   if (!strcmp(context, "msm")) {
      if (!profile || !strcmp(profile, "a630"))
         msm.profile = &vdrm_sim_profile_a630;
      else if (!strcmp(profile, "a740"))
         msm.profile = &vdrm_sim_profile_a740;
      else
         return fprintf(stderr, "vdrm-host: msm has profiles a630 and a740, not '%s'\n", profile), -1;
      return vdrm_sim_create(&msm, dev) ? -2 : 0;
   }
   if (profile && strcmp(profile, "default"))
      return fprintf(stderr, "vdrm-host: %s has only its default profile, not '%s'\n", context,
                     profile), -1;
   if (!strcmp(context, "asahi"))
      return vdrm_sim_asahi_create(NULL, NULL, dev) ? -2 : 0;
   if (!strcmp(context, "panfrost"))
      return vdrm_sim_panfrost_create(NULL, dev) ? -2 : 0;
   if (!strcmp(context, "amdgpu"))
      return vdrm_sim_amdgpu_create(NULL, dev) ? -2 : 0;
   if (!strcmp(context, "i915"))
      return vdrm_sim_i915_create(NULL, dev) ? -2 : 0;
   return -3;
}

static const struct {
   const char *name;
   uint32_t context_type;
} contexts[] = {
   { "msm", VIRTGPU_DRM_CONTEXT_MSM },
   { "amdgpu", VIRTGPU_DRM_CONTEXT_AMDGPU },
   { "i915", VIRTGPU_DRM_CONTEXT_I915 },
   { "asahi", VIRTGPU_DRM_CONTEXT_ASAHI },
   { "panfrost", VIRTGPU_DRM_CONTEXT_PANFROST },
};

/* 0, or -3 when this build has no drm backend, -2 when it found no device (the reason printed). */
static int
make_drm_backend(uint32_t context_type, const char *node, struct vdrm_backend **dev)
{
#ifdef VDRM_HOST_HAVE_DRM
   char error[256] = "";
   struct vdrm_drm_config config = {
      .context_type = context_type,
      .render_node = node,
      .error = error,
      .error_size = sizeof(error),
   };
   int ret = vdrm_drm_create(&config, dev);

   if (ret)
      fprintf(stderr, "vdrm-host: drm backend: %s\n", *error ? error : strerror(-ret));
   return ret ? -2 : 0;
#else
   (void)context_type;
   (void)node;
   (void)dev;
   return -3;
#endif
}

/* What the startup line names the device as. */
static const char *
backend_where(bool use_drm, struct vdrm_backend *dev)
{
#ifdef VDRM_HOST_HAVE_DRM
   if (use_drm)
      return vdrm_drm_get_node(dev);
#endif
   (void)use_drm;
   (void)dev;
   return "the sim";
}

int
main(int argc, char **argv)
{
   static const struct option opts[] = {
      { "socket", required_argument, NULL, 's' },
      { "context", required_argument, NULL, 'c' },
      { "backend", required_argument, NULL, 'b' },
      { "profile", required_argument, NULL, 'p' },
      { "render-node", required_argument, NULL, 'r' },
      { "max-clients", required_argument, NULL, 'm' },
      { "verbose", no_argument, NULL, 'v' },
      { "help", no_argument, NULL, 'h' },
      { 0 },
   };
   struct vt_server_config cfg = { 0 };
   const char *context = NULL, *profile = NULL, *node = NULL;
   bool use_drm = false;
   uint32_t context_type = 0;
   struct vdrm_backend *dev = NULL;
   struct vdrm_host *host = NULL;
   struct sigaction sa;
   int opt, ret;

   while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
      switch (opt) {
      case 's':
         cfg.socket_path = optarg;
         break;
      case 'c':
         context = optarg;
         break;
      case 'b':
         if (strcmp(optarg, "sim") && strcmp(optarg, "drm")) {
            fprintf(stderr, "vdrm-host: backend '%s' unknown (sim or drm)\n", optarg);
            return EXIT_USAGE;
         }
         use_drm = !strcmp(optarg, "drm");
         break;
      case 'r':
         node = optarg;
         break;
      case 'p':
         profile = optarg;
         break;
      case 'm': {
         char *end;
         unsigned long n = strtoul(optarg, &end, 10);

         if (*end || !*optarg || n == 0 || n > 65536) {
            fprintf(stderr, "vdrm-host: --max-clients takes 1 to 65536, not '%s'\n", optarg);
            return EXIT_USAGE;
         }
         cfg.max_clients = (uint32_t)n;
         break;
      }
      case 'v':
         cfg.verbose = true;
         break;
      case 'h':
         fputs(usage, stdout);
         return 0;
      default:
         fputs(usage, stderr);
         return EXIT_USAGE;
      }
   }
   if (optind < argc || !context) {
      fprintf(stderr, "vdrm-host: %s\n", !context ? "--context is required" : "unexpected argument");
      fputs(usage, stderr);
      return EXIT_USAGE;
   }
   for (size_t i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
      if (!strcmp(context, contexts[i].name))
         context_type = contexts[i].context_type;
   }
   if (!context_type) {
      fprintf(stderr, "vdrm-host: context '%s' unknown\n", context);
      fputs(usage, stderr);
      return EXIT_USAGE;
   }
   if ((use_drm && profile) || (!use_drm && node)) {
      fprintf(stderr, "vdrm-host: %s\n", use_drm ? "--profile is the sim's" : "--render-node is the drm backend's");
      return EXIT_USAGE;
   }
   ret = use_drm ? make_drm_backend(context_type, node, &dev) : make_sim_backend(context, profile, &dev);
   if (ret == -1)
      return EXIT_USAGE;
   if (ret == -3) {
      fprintf(stderr, "vdrm-host: context %s: this build has no %s backend for it\n", context,
              use_drm ? "drm" : "sim");
      return EXIT_CONTEXT;
   }
   if (ret) {
      fprintf(stderr, "vdrm-host: context %s: the %s backend failed to start\n", context, use_drm ? "drm" : "sim");
      return EXIT_CONTEXT;
   }
   memset(&sa, 0, sizeof(sa));
   sa.sa_handler = on_signal;
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
   ret = vdrm_host_create(dev, NULL, &host);
   if (ret) {
      /* The host picks the handlers registered for the backend's driver (core/host.c). */
      fprintf(stderr, "vdrm-host: context %s: %s\n", context,
              ret == VDRM_HOST_E_INVAL ? "this build has no handlers for it yet"
                                       : vdrm_host_status_name(ret));
      vdrm_backend_destroy(dev);
      return EXIT_CONTEXT;
   }
   {
      struct vt_server *srv = NULL;

      ret = vt_server_create(host, &cfg, &srv);
      the_server = srv;
   }
   if (ret) {
      fprintf(stderr, "vdrm-host: %s: %s\n", cfg.socket_path ? cfg.socket_path : VTEST_DEFAULT_SOCKET_NAME,
              strerror(-ret));
      vdrm_host_destroy(host);
      vdrm_backend_destroy(dev);
      return EXIT_SOCKET;
   }
   fprintf(stderr, "vdrm-host: %s context on %s, listening on %s\n", context, backend_where(use_drm, dev),
           vt_server_socket_path(the_server));
   if (stop_early)
      vt_server_stop(the_server);
   ret = vt_server_run(the_server);
   if (ret)
      fprintf(stderr, "vdrm-host: the server loop failed: %s\n", strerror(-ret));
   vt_server_destroy(the_server);
   the_server = NULL;
   vdrm_host_destroy(host);
   vdrm_backend_destroy(dev);
   return ret ? EXIT_LOOP : 0;
}
