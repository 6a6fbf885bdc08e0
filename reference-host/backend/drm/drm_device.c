/* SPDX-License-Identifier: MIT */

/* The drm device: finding the render node, its driver, one open file per guest context. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "drm_internal.h"

/* Render nodes are minors 128..191 (DRM_NODE_RENDER's range). */
#define RENDER_MINOR_FIRST 128
#define RENDER_MINOR_LAST 191

static void
set_error(const struct vdrm_drm_config *config, const char *fmt, ...)
{
   va_list ap;

   if (!config->error || !config->error_size)
      return;
   va_start(ap, fmt);
   vsnprintf(config->error, config->error_size, fmt, ap);
   va_end(ap);
}

int
vdrm_drm_ioctl(int fd, unsigned long request, void *arg)
{
   return VDRM_DRM_CALL(drmIoctl(fd, request, arg));
}

void
vdrm_drm_deadline(int64_t timeout_ns, int64_t *tv_sec, int64_t *tv_nsec)
{
   struct timespec now;
   int64_t ns;

   clock_gettime(CLOCK_MONOTONIC, &now);
   if (timeout_ns < 0)
      timeout_ns = 0;
   /* Saturate rather than wrap: a huge timeout waits (practically) forever. */
   if (timeout_ns > INT64_MAX / 2)
      timeout_ns = INT64_MAX / 2;
   ns = now.tv_nsec + timeout_ns % 1000000000;
   *tv_sec = (int64_t)now.tv_sec + timeout_ns / 1000000000 + ns / 1000000000;
   *tv_nsec = ns % 1000000000;
}

static const struct vdrm_drm_driver *
driver_by_name(const char *name)
{
   for (unsigned i = 0; vdrm_drm_drivers[i]; i++) {
      if (!strcmp(vdrm_drm_drivers[i]->name, name))
         return vdrm_drm_drivers[i];
   }
   return NULL;
}

static const struct vdrm_drm_driver *
driver_by_context(uint32_t context_type)
{
   for (unsigned i = 0; vdrm_drm_drivers[i]; i++) {
      if (vdrm_drm_drivers[i]->context_type == context_type)
         return vdrm_drm_drivers[i];
   }
   return NULL;
}

/* The driver name and version of an open node; 0, or -errno. */
static int
query_version(int fd, char *name, size_t name_size, struct vdrm_backend_version *version)
{
   drmVersionPtr v;

   errno = 0;
   v = drmGetVersion(fd);
   if (!v)
      return errno ? -errno : -ENODEV;
   snprintf(name, name_size, "%.*s", v->name_len, v->name ? v->name : "");
   version->major = (uint32_t)v->version_major;
   version->minor = (uint32_t)v->version_minor;
   version->patchlevel = (uint32_t)v->version_patchlevel;
   drmFreeVersion(v);
   return 0;
}

static int
probe_node(struct vdrm_drm_device *d, const char *path, const struct vdrm_drm_config *config,
           const char *want)
{
   char name[64];
   int fd = open(path, O_RDWR | O_CLOEXEC);
   int ret;

   if (fd < 0) {
      ret = -errno;
      set_error(config, "%s: %s", path, strerror(errno));
      return ret;
   }
   ret = query_version(fd, name, sizeof(name), &d->version);
   close(fd);
   if (ret) {
      set_error(config, "%s: DRM_IOCTL_VERSION failed: %s", path, strerror(-ret));
      return ret;
   }
   if (want && strcmp(name, want)) {
      set_error(config, "%s: driver %s, not %s", path, name, want);
      return -ENODEV;
   }
   d->driver = driver_by_name(name);
   if (!d->driver) {
      set_error(config, "%s: driver %s is not one this backend drives", path, name);
      return -ENODEV;
   }
   d->node = strdup(path);
   return d->node ? 0 : -ENOMEM;
}

static int
find_node(struct vdrm_drm_device *d, const struct vdrm_drm_config *config, const char *want)
{
   char path[64];
   struct stat st;

   for (int minor = RENDER_MINOR_FIRST; minor <= RENDER_MINOR_LAST; minor++) {
      snprintf(path, sizeof(path), "%s/renderD%d", DRM_DIR_NAME, minor);
      /* stat(), not access(): a drm-shim fakes the node through stat() and open(). */
      if (stat(path, &st))
         continue;
      if (probe_node(d, path, config, want) == 0)
         return 0;
   }
   set_error(config, "no render node in %s has the %s driver", DRM_DIR_NAME, want);
   return -ENODEV;
}

static int
drm_get_version(struct vdrm_backend *dev, struct vdrm_backend_version *version)
{
   *version = ((struct vdrm_drm_device *)dev)->version;
   return 0;
}

static int
drm_open(struct vdrm_backend *dev, struct vdrm_backend_file **out)
{
   struct vdrm_drm_device *d = (struct vdrm_drm_device *)dev;
   struct vdrm_drm_file *f = calloc(1, sizeof(*f));
   int ret;

   if (!f)
      return -ENOMEM;
   f->base.dev = dev;
   f->dev = d;
   f->fd = open(d->node, O_RDWR | O_CLOEXEC);
   if (f->fd < 0) {
      ret = -errno;
      free(f);
      return ret;
   }
   ret = d->driver->file_init ? d->driver->file_init(f) : 0;
   if (ret) {
      close(f->fd);
      free(f);
      return ret;
   }
   *out = &f->base;
   return 0;
}

/* Closing the file is the kernel's cleanup: its handles, queues and VMs go with it. */
static void
drm_close(struct vdrm_backend_file *file)
{
   struct vdrm_drm_file *f = vdrm_drm_file(file);

   if (!f)
      return;
   if (f->dev->driver->file_fini)
      f->dev->driver->file_fini(f);
   close(f->fd);
   free(f);
}

static void
drm_destroy(struct vdrm_backend *dev)
{
   struct vdrm_drm_device *d = (struct vdrm_drm_device *)dev;

   free(d->node);
   free(d);
}

const char *
vdrm_drm_get_node(struct vdrm_backend *dev)
{
   return ((struct vdrm_drm_device *)dev)->node;
}

static void
fill_ops(struct vdrm_drm_device *d)
{
   const struct vdrm_drm_driver *drv = d->driver;

   d->ops = (struct vdrm_backend_ops){
      .name = "drm",
      .context_type = drv->context_type,
      .destroy = drm_destroy,
      .get_version = drm_get_version,
      .open = drm_open,
      .close = drm_close,
      .gem_close = vdrm_drm_gem_close,
      .gem_export = vdrm_drm_gem_export,
      .gem_write = vdrm_drm_gem_write,
      .fence_ref = vdrm_drm_fence_ref,
      .fence_unref = vdrm_drm_fence_unref,
      .fence_signaled = vdrm_drm_fence_signaled,
      .fence_wait = vdrm_drm_fence_wait,
      .msm = drv->msm,
      .i915 = drv->i915,
      .amdgpu = drv->amdgpu,
      .asahi = drv->asahi,
      .panfrost = drv->panfrost,
   };
   d->base.ops = &d->ops;
}

/* The driver name the config asks for (*want, NULL: any): its own, or its context type's. */
static int
wanted_driver(const struct vdrm_drm_config *config, const char **want)
{
   const struct vdrm_drm_driver *by_context;

   *want = config->driver;
   if (!config->context_type) {
      if (config->driver || config->render_node)
         return 0;
      set_error(config, "neither a context type nor a driver nor a render node given");
      return -EINVAL;
   }
   by_context = driver_by_context(config->context_type);
   if (!by_context) {
      set_error(config, "context type %u has no driver in this backend", config->context_type);
      return -ENODEV;
   }
   if (config->driver && strcmp(config->driver, by_context->name)) {
      set_error(config, "driver %s does not serve context type %u", config->driver, config->context_type);
      return -EINVAL;
   }
   *want = by_context->name;
   return 0;
}

int
vdrm_drm_create(const struct vdrm_drm_config *config, struct vdrm_backend **out)
{
   const char *want;
   struct vdrm_drm_device *d;
   int ret = wanted_driver(config, &want);

   if (ret)
      return ret;
   d = calloc(1, sizeof(*d));
   if (!d)
      return -ENOMEM;
   ret = config->render_node ? probe_node(d, config->render_node, config, want) : find_node(d, config, want);
   if (ret) {
      free(d);
      return ret;
   }
   fill_ops(d);
   *out = &d->base;
   return 0;
}
