/* SPDX-License-Identifier: MIT */

/* Running this test once per context under that context's noop drm-shim (see drm_shim_run.h). */

#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drm_shim_run.h"

#define PATH_SIZE 4096

/* Mesa's shim library per context and the environment it needs (as the interop peer uses them). */
static const struct shim {
   const char *context;
   const char *library;
   const char *env_name;
   const char *env_value;
} shims[] = {
   { "msm", "libfreedreno_noop_drm_shim.so", "FD_GPU_ID", "630" },
   { "panfrost", "libpanfrost_noop_drm_shim.so", NULL, NULL },
   { "asahi", "libasahi_noop_drm_shim.so", NULL, NULL },
   { "amdgpu", "libamdgpu_noop_drm_shim.so", "AMDGPU_GPU_ID", "renoir" },
   { "i915", "libintel_noop_drm_shim.so", "INTEL_STUB_GPU_PLATFORM", "skl" },
};

/*
 * An ASan runtime must come first among the loaded libraries, so a shim
 * preloaded into a sanitized test goes after the libasan this process
 * already runs on.
 */
static int
find_asan(struct dl_phdr_info *info, size_t size, void *data)
{
   (void)size;
   if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
      snprintf(data, PATH_SIZE, "%s", info->dlpi_name);
      return 1;
   }
   return 0;
}

static int
run_one(const char *self, const struct shim *s, const char *dir)
{
   char shim[PATH_SIZE];
   char asan[PATH_SIZE] = "";
   char preload[2 * PATH_SIZE + 2];
   int status;
   pid_t pid;

   snprintf(shim, sizeof(shim), "%s/%s", dir, s->library);
   if (access(shim, R_OK)) {
      printf("# %s: no shim %s, not run\n", s->context, shim);
      return -1;
   }
   dl_iterate_phdr(find_asan, asan);
   snprintf(preload, sizeof(preload), "%s%s%s", asan, *asan ? " " : "", shim);
   printf("# %s: LD_PRELOAD=%s %s%s%s\n", s->context, preload, s->env_name ? s->env_name : "",
          s->env_name ? "=" : "", s->env_name ? s->env_value : "");
   fflush(stdout);
   pid = fork();
   if (pid < 0)
      return 1;
   if (pid == 0) {
      setenv("LD_PRELOAD", preload, 1);
      setenv(VDRM_DRM_TEST_SHIM_ENV, "1", 1);
      if (s->env_name)
         setenv(s->env_name, s->env_value, 0);
      execl(self, self, s->context, (char *)NULL);
      _exit(127);
   }
   if (waitpid(pid, &status, 0) != pid)
      return 1;
   if (!WIFEXITED(status) || WEXITSTATUS(status)) {
      printf("# %s: failed (%s %d)\n", s->context, WIFEXITED(status) ? "status" : "signal",
             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
      return 1;
   }
   return 0;
}

int
vdrm_drm_test_run_shims(const char *self)
{
   const char *dir = getenv("VDRM_DRM_SHIM_DIR");
   int ran = 0, failed = 0;

   if (!dir || !*dir) {
      printf("# no VDRM_DRM_SHIM_DIR (nor -Ddrm-shim-dir): nothing to run the drm backend on\n");
      return 77;
   }
   for (size_t i = 0; i < sizeof(shims) / sizeof(shims[0]); i++) {
      int ret = run_one(self, &shims[i], dir);

      ran += ret >= 0;
      failed += ret > 0;
   }
   if (failed)
      return 1;
   return ran ? 0 : 77;
}
