/* SPDX-License-Identifier: MIT */

/*
 * The drm backend: its configuration errors (anywhere), and each context
 * through the host on a DRM device: `drm-backend-test config`,
 * `drm-backend-test CONTEXT` (a real GPU, or a child under a shim), or no
 * argument (every shim in $VDRM_DRM_SHIM_DIR; see drm_shim_run.h).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drm_shim_run.h"
#include "drm_test.h"
#include "vdrm_drm.h"

bool
drm_test_under_shim(void)
{
   return getenv(VDRM_DRM_TEST_SHIM_ENV) != NULL;
}

struct vdrm_backend *
drm_test_backend(uint32_t context_type)
{
   char error[256] = "";
   struct vdrm_drm_config config = {
      .context_type = context_type,
      .render_node = getenv("VDRM_DRM_RENDER_NODE"),
      .error = error,
      .error_size = sizeof(error),
   };
   struct vdrm_backend *dev = NULL;
   int ret = vdrm_drm_create(&config, &dev);

   if (ret)
      fail_msg("vdrm_drm_create: %d: %s", ret, error);
   assert_int_equal(dev->ops->context_type, context_type);
   return dev;
}

int
drm_test_setup(void **state, uint32_t context_type)
{
   /* The backend first: the guest counts the descriptors open before it, the device's among them. */
   struct vdrm_backend *dev = drm_test_backend(context_type);
   struct tguest *g = tg_alloc();

   g->sim = dev;
   tg_init(g, &(struct tg_config){
      .name = "drm backend test",
      .shmem_header = 0,   /* any context's shmem */
      .shmem_size = 4096,
      .start = 4,
      .drained = NULL,     /* a device's backend: nothing to drain, destroyed by the teardown */
   });
   *state = g;
   return 0;
}

int
drm_test_teardown(void **state)
{
   struct vdrm_backend *dev = TG(state)->sim;

   tg_free(*state);
   vdrm_backend_destroy(dev);
   return 0;
}

void
drm_test_capset(struct tguest *g, uint32_t context_type, struct virgl_renderer_capset_drm *caps,
                struct vdrm_backend_version *v)
{
   size_t size = 0;

   memset(caps, 0xa5, sizeof(*caps));
   assert_int_equal(vdrm_host_get_capset(g->host, VDRM_HOST_CAPSET_DRM, 0, caps, sizeof(*caps), &size),
                    VDRM_HOST_OK);
   assert_int_equal(size, sizeof(*caps));
   assert_int_equal(caps->context_type, context_type);
   assert_int_equal(g->sim->ops->get_version(g->sim, v), 0);
   assert_int_equal(caps->version_major, v->major);
   assert_int_equal(caps->version_minor, v->minor);
}

void
drm_test_blob_is_a_prime_export(struct tguest *g, uint32_t blob_id, uint64_t size)
{
   uint32_t res_id = 0;
   int fd = -1;
   int ret = vdrm_host_blob_create(g->client, blob_id, size, VDRM_HOST_BLOB_MAPPABLE, &res_id, &fd);

   if (drm_test_under_shim()) {
      assert_int_equal(ret, VDRM_HOST_E_BACKEND);
      assert_true(tg_line_has(g, "export failed", "-22", NULL));
      return;
   }
   assert_int_equal(ret, VDRM_HOST_OK);
   close(fd);
}

struct vdrm_ccmd_req
drm_test_hdr(struct tguest *g, uint32_t rsp_off, uint32_t rsp_size)
{
   tg_reserve(g, rsp_off, rsp_size);
   return tg_hdr(g, rsp_off);
}

static int
create(uint32_t context_type, const char *driver, const char *node, char *error, size_t size)
{
   struct vdrm_drm_config config = {
      .context_type = context_type,
      .driver = driver,
      .render_node = node,
      .error = error,
      .error_size = size,
   };
   struct vdrm_backend *dev = NULL;
   int ret = vdrm_drm_create(&config, &dev);

   assert_true(ret != 0);
   assert_null(dev);
   return ret;
}

static void
config_needs_something_to_look_for(void **state)
{
   char error[128];

   (void)state;
   assert_int_equal(create(0, NULL, NULL, error, sizeof(error)), -EINVAL);
   assert_non_null(strstr(error, "neither a context type nor a driver"));
}

static void
config_context_and_driver_must_agree(void **state)
{
   char error[128];

   (void)state;
   assert_int_equal(create(VIRTGPU_DRM_CONTEXT_MSM, "panfrost", NULL, error, sizeof(error)), -EINVAL);
   assert_string_equal(error, "driver panfrost does not serve context type 1");
   assert_int_equal(create(77, NULL, NULL, error, sizeof(error)), -ENODEV);
   assert_string_equal(error, "context type 77 has no driver in this backend");
}

static void
config_node_errors_name_the_node(void **state)
{
   char error[128];

   (void)state;
   assert_int_equal(create(VIRTGPU_DRM_CONTEXT_MSM, NULL, "/nonexistent/renderD128", error, sizeof(error)),
                    -ENOENT);
   assert_string_equal(error, "/nonexistent/renderD128: No such file or directory");
   /* Not a DRM device: DRM_IOCTL_VERSION fails. */
   assert_int_equal(create(VIRTGPU_DRM_CONTEXT_MSM, NULL, "/dev/null", error, sizeof(error)), -ENOTTY);
   assert_non_null(strstr(error, "/dev/null: DRM_IOCTL_VERSION failed"));
   /* No error buffer: still the status. */
   assert_int_equal(create(VIRTGPU_DRM_CONTEXT_MSM, NULL, "/dev/null", NULL, 0), -ENOTTY);
}

static int
test_config(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(config_needs_something_to_look_for),
      cmocka_unit_test(config_context_and_driver_must_agree),
      cmocka_unit_test(config_node_errors_name_the_node),
   };

   return cmocka_run_group_tests_name("drm-config", tests, NULL, NULL);
}

/* What `drm-backend-test NAME` runs. */
static const struct {
   const char *name;
   int (*run)(void);
} groups[] = {
   { "config", test_config },
   { "msm", drm_test_msm },
   { "panfrost", drm_test_panfrost },
   { "asahi", drm_test_asahi },
   { "amdgpu", drm_test_amdgpu },
   { "i915", drm_test_i915 },
};

int
main(int argc, char **argv)
{
   if (argc < 2)
      return vdrm_drm_test_run_shims("/proc/self/exe");
   for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
      if (!strcmp(argv[1], groups[i].name))
         return groups[i].run();
   }
   fprintf(stderr, "usage: %s [config|msm|panfrost|asahi|amdgpu|i915]\n", argv[0]);
   return 2;
}
