/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_spawn.h"

#ifndef VDRM_BINDIR
#define VDRM_BINDIR "/usr/local/bin"
#endif

#define START_TIMEOUT_MS 10000

extern char **environ;

static bool
executable(const char *path)
{
   return access(path, X_OK) == 0;
}

/* The first of the places vdrm-host may be that holds it. */
static int
find_host(char *out, size_t size)
{
   char self[PATH_MAX];
   const char *env = getenv("VDRM_HOST");
   ssize_t n;

   if (env && *env) {
      snprintf(out, size, "%s", env);
      return executable(out) ? 0 : -1;
   }
   n = readlink("/proc/self/exe", self, sizeof(self) - 1);
   if (n > 0) {
      char *slash;

      self[n] = '\0';
      slash = strrchr(self, '/');
      if (slash) {
         *slash = '\0';
         /* Installed side by side, then the build tree (build/reference-guest/ next to reference-host/). */
         snprintf(out, size, "%s/vdrm-host", self);
         if (executable(out))
            return 0;
         snprintf(out, size, "%s/../reference-host/vdrm-host", self);
         if (executable(out))
            return 0;
      }
   }
   snprintf(out, size, "%s/vdrm-host", VDRM_BINDIR);
   return executable(out) ? 0 : -1;
}

static bool
accepts(const char *path)
{
   struct sockaddr_un addr = { .sun_family = AF_UNIX };
   int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   bool ok;

   if (s < 0)
      return false;
   snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
   ok = connect(s, (struct sockaddr *)&addr, sizeof(addr)) == 0;
   close(s);   /* the host drops a client that never sent anything */
   return ok;
}

int
vg_spawn_host(const char *context, struct vg_spawned_host *h, char *err, size_t err_size)
{
   char *argv[] = { h->path, "--context", (char *)context, "--socket", h->socket, NULL };
   int status;

   memset(h, 0, sizeof(*h));
   h->pid = -1;
   if (find_host(h->path, sizeof(h->path))) {
      snprintf(err, err_size, "no vdrm-host found ($VDRM_HOST, beside vdrm-guest, the build tree, %s)",
               VDRM_BINDIR);
      return -1;
   }
   snprintf(h->dir, sizeof(h->dir), "/tmp/vdrm-guest-XXXXXX");
   if (!mkdtemp(h->dir)) {
      snprintf(err, err_size, "mkdtemp: %s", strerror(errno));
      return -1;
   }
   snprintf(h->socket, sizeof(h->socket), "%s/vtest.sock", h->dir);
   errno = posix_spawn(&h->pid, h->path, NULL, NULL, argv, environ);
   if (errno) {
      snprintf(err, err_size, "starting %s: %s", h->path, strerror(errno));
      h->pid = -1;
      rmdir(h->dir);
      return -1;
   }
   for (int waited = 0; waited < START_TIMEOUT_MS; waited += 10) {
      struct timespec ts = { 0, 10 * 1000 * 1000 };

      if (accepts(h->socket))
         return 0;
      if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
         snprintf(err, err_size, "%s exited with status %d before listening", h->path,
                  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
         h->pid = -1;
         rmdir(h->dir);
         return -1;
      }
      nanosleep(&ts, NULL);
   }
   snprintf(err, err_size, "%s did not listen on %s within %d ms", h->path, h->socket, START_TIMEOUT_MS);
   vg_stop_host(h, err, 0);
   return -1;
}

int
vg_stop_host(struct vg_spawned_host *h, char *err, size_t err_size)
{
   int status, ret = -1;

   if (h->pid > 0) {
      kill(h->pid, SIGTERM);
      while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
         ;
      if (WIFEXITED(status))
         ret = WEXITSTATUS(status);
      else if (err_size)
         snprintf(err, err_size, "vdrm-host was killed by signal %d", WTERMSIG(status));
      h->pid = -1;
   }
   /* The host removes its socket on a clean stop; not after a crash. */
   unlink(h->socket);
   rmdir(h->dir);
   return ret;
}
