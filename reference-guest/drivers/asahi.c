/* SPDX-License-Identifier: MIT */

/*
 * asahi over libvdrm-guest, shaped like Mesa's asahi virtio backend: the
 * device is described by GET_PARAMS (the capset has no asahi member, only
 * wire_format_version 2 tells this protocol from its predecessor), a VM and
 * a scheduling queue are created through IOCTL_SIMPLE, buffers are GEM_NEW
 * travelling with a shareable blob and mapped at a guest-chosen GPU address
 * by that same request, uploads are CPU writes through the blob's mapping
 * (there is no upload command), and submissions are SUBMIT with the
 * command buffer inline and every buffer an external resource, on the
 * queue's timeline (priority + 1). GET_PARAMS and GET_TIME are re-asked per
 * frame in response slots read later.
 */

#include <stdlib.h>
#include <string.h>

#include <drm.h>

#include "asahi_codec.h"
#include "common.h"

/* The kernel UAPI values this driver uses (no asahi_drm.h in libdrm). */
#define DRM_IOCTL_ASAHI_GET_TIME DRM_IOWR(DRM_COMMAND_BASE + 0x01, struct drm_asahi_get_time)
#define DRM_IOCTL_ASAHI_VM_CREATE DRM_IOWR(DRM_COMMAND_BASE + 0x02, struct drm_asahi_vm_create)
#define DRM_IOCTL_ASAHI_VM_DESTROY DRM_IOW(DRM_COMMAND_BASE + 0x03, struct drm_asahi_vm_destroy)
#define DRM_IOCTL_ASAHI_QUEUE_CREATE DRM_IOWR(DRM_COMMAND_BASE + 0x08, struct drm_asahi_queue_create)
#define DRM_IOCTL_ASAHI_QUEUE_DESTROY DRM_IOW(DRM_COMMAND_BASE + 0x09, struct drm_asahi_queue_destroy)
#define DRM_ASAHI_BIND_READ 0x2u
#define DRM_ASAHI_BIND_WRITE 0x4u
#define DRM_ASAHI_PRIORITY_MEDIUM 1u
#define DRM_ASAHI_CMD_COMPUTE 1u
#define DRM_ASAHI_BARRIER_NONE 0xffffu

#define WIRE_FORMAT_VERSION 2u     /* the flat SUBMIT command buffer */
#define PAGE 16384ull              /* the GPU's page */
#define USC_ALIGN (4ull << 30)     /* shaders run from a 4 GiB-aligned window */
#define MAX_BOS 16u

struct vg_driver {
   struct vg_device *dev;
   struct drm_asahi_params_global params;   /* at start-up; re-checked every frame */
   uint32_t vm_id;
   uint32_t queue_id;
   uint32_t ring;           /* the queue's timeline */
   uint64_t va_next;        /* bump allocator below the kernel's window */
   uint64_t va_end;
   uint64_t last_time;      /* the GPU clock's last answer, which never goes back */
};
VG_DRIVER_DEVICE_FIRST;

/* IOCTL_SIMPLE of ioctl cmd with arg (its size is the ioctl's); the answer lands in *rsp. */
static int
ioctl_simple(struct vg_driver *drv, uint32_t cmd, const void *arg, struct vg_rsp *rsp, const char *name)
{
   struct asahi_ccmd_ioctl_simple_req req = { .cmd = cmd };
   uint64_t size = asahi_ccmd_ioctl_simple_req_size(cmd);
   uint64_t rsp_size = asahi_ccmd_ioctl_simple_rsp_host_size(&req);
   size_t len;
   void *buf;
   int st;

   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)rsp_size, rsp, name) || !(buf = vg_req_space(drv->dev, size)))
      return -1;
   if ((st = asahi_ccmd_ioctl_simple_req_encode(buf, size, &req, arg, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

/* Reads an IOCTL_SIMPLE answer: ret must be 0; the argument as the kernel left it into out. */
static int
ioctl_simple_answer(struct vg_driver *drv, const struct vg_rsp *rsp, void *out, size_t out_size)
{
   uint8_t buf[256];
   struct asahi_ccmd_ioctl_simple_rsp r;
   struct asahi_ccmd_ioctl_simple_rsp_view view;
   struct vdrm_error err;
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (asahi_ccmd_ioctl_simple_rsp_decode(buf, len, &r, &view, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret)
      return vg_kernel_failed(drv->dev, rsp->command, r.ret);
   return vg_payload_copy(drv->dev, rsp->command, &view.payload, out, out_size, out_size);
}

static int
get_params(struct vg_driver *drv, struct vg_rsp *rsp, const char *name)
{
   struct asahi_ccmd_get_params_req req = { .params = { .param_group = 0, .size = sizeof(drv->params) } };
   size_t len;
   void *buf;
   int st;

   if (vg_req_begin(drv->dev, &req.hdr, (uint32_t)asahi_ccmd_get_params_rsp_host_size(&req), rsp, name) ||
       !(buf = vg_req_space(drv->dev, sizeof(req))))
      return -1;
   if ((st = asahi_ccmd_get_params_req_encode(buf, sizeof(req), &req, &len)))
      return vg_encode_failed(drv->dev, name, st);
   return vg_req_push(drv->dev, len, name);
}

static int
get_params_answer(struct vg_driver *drv, const struct vg_rsp *rsp, struct drm_asahi_params_global *out)
{
   uint8_t buf[8 + sizeof(*out)];
   struct asahi_ccmd_get_params_rsp r;
   struct asahi_ccmd_get_params_rsp_view view;
   struct vdrm_error err;
   size_t len;

   if (vg_rsp_read(drv->dev, rsp, buf, sizeof(buf), &len))
      return -1;
   if (asahi_ccmd_get_params_rsp_decode(buf, len, &r, &view, &err))
      return vg_fail(drv->dev, rsp->command, "response: %s", err.message);
   if (r.ret)
      return vg_kernel_failed(drv->dev, rsp->command, r.ret);
   if (view.payload.size < sizeof(*out))
      return vg_fail(drv->dev, rsp->command, "response payload of %u bytes, %zu expected", view.payload.size,
                     sizeof(*out));
   asahi_ccmd_get_params_rsp_payload_get_drm_asahi_params_global(&view, out);
   return 0;
}

/* The GPU address layout: the kernel's window at the top, buffers from the first USC window up. */
static int
plan_address_space(struct vg_driver *drv, struct drm_asahi_vm_create *vm)
{
   const struct drm_asahi_params_global *p = &drv->params;
   uint64_t top = p->vm_end < UINT64_MAX ? (p->vm_end + 1) & ~(PAGE - 1) : UINT64_MAX & ~(PAGE - 1);
   uint64_t kernel_size = (p->vm_kernel_min_size + PAGE - 1) & ~(PAGE - 1);
   uint64_t base = (p->vm_start + USC_ALIGN - 1) & ~(USC_ALIGN - 1);

   /* A kernel without a minimum (0) still gets a window: one page. */
   if (p->vm_kernel_min_size == 0)
      kernel_size = PAGE;
   if (p->vm_end <= p->vm_start || kernel_size == 0 || kernel_size > top || base < p->vm_start ||
       base >= top - kernel_size)
      return vg_fail(drv->dev, "GET_PARAMS", "GPU address range 0x%llx..0x%llx with a 0x%llx-byte kernel window "
                     "is not usable", (unsigned long long)p->vm_start, (unsigned long long)p->vm_end,
                     (unsigned long long)p->vm_kernel_min_size);
   vm->kernel_start = top - kernel_size;
   vm->kernel_end = top;
   drv->va_next = base;
   drv->va_end = vm->kernel_start;
   return 0;
}

static int
asahi_create(struct vg_device *dev, struct vg_driver **out)
{
   const struct virgl_renderer_capset_drm *caps = vg_caps(dev);
   struct drm_asahi_vm_create vm = { .vm_id = 0 };
   struct drm_asahi_queue_create q = { .flags = 0, .priority = DRM_ASAHI_PRIORITY_MEDIUM };
   struct vg_driver *drv;
   struct vg_rsp rsp;

   if (caps->wire_format_version != WIRE_FORMAT_VERSION)
      return vg_fail(dev, "capset", "asahi: wire_format_version %u, this guest speaks %u", caps->wire_format_version,
                     WIRE_FORMAT_VERSION);
   if (!(drv = vg_driver_alloc(dev, sizeof(*drv), "asahi")))
      return -1;
   /* Three synchronous steps, each needing the answer before: the device, its VM, the queue. */
   if (get_params(drv, &rsp, "GET_PARAMS") || get_params_answer(drv, &rsp, &drv->params) ||
       plan_address_space(drv, &vm) ||
       ioctl_simple(drv, DRM_IOCTL_ASAHI_VM_CREATE, &vm, &rsp, "IOCTL_SIMPLE(VM_CREATE)") ||
       ioctl_simple_answer(drv, &rsp, &vm, sizeof(vm)))
      goto fail;
   drv->vm_id = vm.vm_id;
   q.vm_id = vm.vm_id;
   q.usc_exec_base = drv->va_next;
   if (ioctl_simple(drv, DRM_IOCTL_ASAHI_QUEUE_CREATE, &q, &rsp, "IOCTL_SIMPLE(QUEUE_CREATE)") ||
       ioctl_simple_answer(drv, &rsp, &q, sizeof(q)))
      goto fail;
   drv->queue_id = q.queue_id;
   drv->ring = DRM_ASAHI_PRIORITY_MEDIUM + 1;   /* ring 0 is the CPU's */
   *out = drv;
   return 0;
fail:
   free(drv);
   return -1;
}

static void
asahi_destroy(struct vg_driver *drv)
{
   struct drm_asahi_queue_destroy q = { .queue_id = drv ? drv->queue_id : 0 };
   struct drm_asahi_vm_destroy vm = { .vm_id = drv ? drv->vm_id : 0 };
   struct vg_rsp rsp;

   if (!drv)
      return;
   /* Destroyed without waiting for the answers: nothing follows that needs them. */
   ioctl_simple(drv, DRM_IOCTL_ASAHI_QUEUE_DESTROY, &q, &rsp, "IOCTL_SIMPLE(QUEUE_DESTROY)");
   ioctl_simple(drv, DRM_IOCTL_ASAHI_VM_DESTROY, &vm, &rsp, "IOCTL_SIMPLE(VM_DESTROY)");
   vg_driver_destroy(drv);
}

static struct vg_bo *
asahi_bo_new(struct vg_driver *drv, uint64_t size)
{
   struct asahi_ccmd_gem_new_req req;
   uint8_t buf[sizeof(req)];
   struct vg_bo *bo;
   size_t len;
   int st;

   if (vg_va_fit(drv->dev, drv->va_next, drv->va_end, &size, PAGE, "GEM_NEW") ||
       !(bo = vg_bo_alloc(drv->dev, sizeof(*bo), "GEM_NEW")))
      return NULL;
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "GEM_NEW"))
      goto fail;
   req.flags = 0;   /* write-combined, exportable: an external resource of SUBMIT */
   req.bind_flags = DRM_ASAHI_BIND_READ | DRM_ASAHI_BIND_WRITE;
   req.vm_id = drv->vm_id;
   req.blob_id = vg_blob_id_next(drv->dev);
   req.size = size;
   req.addr = drv->va_next;   /* mapped there by the same request: no VM_BIND, no wait */
   if ((st = asahi_ccmd_gem_new_req_encode(buf, sizeof(buf), &req, &len))) {
      vg_encode_failed(drv->dev, "GEM_NEW", st);
      goto fail;
   }
   /* Only a shareable blob can be a SUBMIT external resource. */
   bo->blob = vg_blob_create(drv->dev, size, VG_BLOB_MAPPABLE | VG_BLOB_SHAREABLE, req.blob_id, buf, len,
                             "GEM_NEW");
   if (!bo->blob)
      goto fail;
   bo->size = size;
   bo->iova = req.addr;
   drv->va_next += size;
   return bo;
fail:
   free(bo);
   return NULL;
}

/* One compute command, its body cleared as Mesa's drivers clear it before filling it. */
static uint32_t
asahi_emit_cmds(struct vg_driver *drv, void *map, uint32_t cap, uint32_t frame)
{
   struct {
      struct drm_asahi_cmd_header hdr;
      struct drm_asahi_cmd_compute cmd;
   } c;

   (void)drv;
   (void)frame;
   if (cap < sizeof(c))
      return 0;
   memset(&c, 0, sizeof(c));
   c.hdr.cmd_type = DRM_ASAHI_CMD_COMPUTE;
   c.hdr.size = sizeof(c.cmd);
   c.hdr.vdm_barrier = DRM_ASAHI_BARRIER_NONE;
   c.hdr.cdm_barrier = DRM_ASAHI_BARRIER_NONE;
   memcpy(map, &c, sizeof(c));
   return sizeof(c);
}

static int
asahi_submit(struct vg_driver *drv, struct vg_bo *cmd, uint32_t cmd_size, struct vg_bo *const *bos,
             uint32_t nbos, struct vg_fence *fence)
{
   struct asahi_ccmd_submit_res extres[MAX_BOS];
   struct vg_blob *blobs[MAX_BOS];
   struct asahi_ccmd_submit_req req;
   const void *cmdbuf;
   uint64_t size;
   uint32_t n = 0;
   size_t len;
   void *buf;
   int st;

   if (nbos >= MAX_BOS)
      return vg_fail(drv->dev, "SUBMIT", "%u buffers, at most %u here", nbos, MAX_BOS - 1);
   if (cmd_size > cmd->size)
      return vg_fail(drv->dev, "SUBMIT", "a %u-byte command buffer in a %llu-byte buffer", cmd_size,
                     (unsigned long long)cmd->size);
   /* The command buffer travels inline, as Mesa copies it into the request. */
   if (!(cmdbuf = vg_blob_map(drv->dev, cmd->blob)))
      return -1;
   /* The buffers the commands use: ordered against other users of them (implicit sync). */
   for (uint32_t i = 0; i < nbos; i++) {
      if (bos[i] == cmd)
         continue;
      if (!vg_bo_res_id(drv->dev, bos[i]))
         return -1;
      extres[n] = (struct asahi_ccmd_submit_res){ .res_id = bos[i]->id,
                                                  .flags = ASAHI_EXTRES_READ | ASAHI_EXTRES_WRITE };
      blobs[n++] = bos[i]->blob;
   }
   size = asahi_ccmd_submit_req_size(cmd_size, n);
   if (vg_req_begin(drv->dev, &req.hdr, 0, NULL, "SUBMIT"))
      return -1;
   if (!(buf = malloc(size)))
      return vg_fail(drv->dev, "SUBMIT", "out of memory");
   req.flags = 0;
   req.queue_id = drv->queue_id;
   req.cmdbuf_size = cmd_size;
   req.extres_count = n;
   if ((st = asahi_ccmd_submit_req_encode(buf, size, &req, cmdbuf, extres, &len))) {
      free(buf);
      return vg_encode_failed(drv->dev, "SUBMIT", st);
   }
   st = vg_execbuf(drv->dev, &(struct vg_execbuf){
                      .ccmd = buf,
                      .len = len,
                      .command = "SUBMIT",
                      .ring_idx = drv->ring,
                      .blobs = blobs,
                      .num_blobs = n,
                   }, fence);
   free(buf);
   return st;
}

/* The queries a frame repeats: the device description again, and the GPU clock. */
enum { Q_PARAMS, Q_TIME, Q_COUNT };

static int
asahi_query_begin(struct vg_driver *drv, uint32_t index, struct vg_query *q)
{
   struct drm_asahi_get_time t = { .flags = 0 };

   q->index = index;
   switch (index) {
   case Q_PARAMS:
      q->name = "GET_PARAMS";
      return get_params(drv, &q->rsp, q->name);
   case Q_TIME:
      q->name = "IOCTL_SIMPLE(GET_TIME)";
      return ioctl_simple(drv, DRM_IOCTL_ASAHI_GET_TIME, &t, &q->rsp, q->name);
   default:
      return vg_fail(drv->dev, "query", "asahi has no query %u", index);
   }
}

static int
asahi_query_end(struct vg_driver *drv, struct vg_query *q)
{
   struct drm_asahi_params_global p;
   struct drm_asahi_get_time t;

   switch (q->index) {
   case Q_PARAMS:
      if (get_params_answer(drv, &q->rsp, &p))
         return -1;
      q->value = p.chip_id;
      if (memcmp(&p, &drv->params, sizeof(p)))
         return vg_fail(drv->dev, q->name, "the device description changed (chip 0x%x, 0x%x at start-up)",
                        p.chip_id, drv->params.chip_id);
      return 0;
   case Q_TIME:
      if (ioctl_simple_answer(drv, &q->rsp, &t, sizeof(t)))
         return -1;
      q->value = t.gpu_timestamp;
      if (t.gpu_timestamp < drv->last_time)
         return vg_fail(drv->dev, q->name, "the GPU clock went back from %llu to %llu",
                        (unsigned long long)drv->last_time, (unsigned long long)t.gpu_timestamp);
      drv->last_time = t.gpu_timestamp;
      return 0;
   default:
      return vg_fail(drv->dev, "query", "asahi has no query %u", q->index);
   }
}

const struct vg_driver_ops vg_asahi_driver = {
   .name = "asahi",
   .options = {
      .context_type = VIRTGPU_DRM_CONTEXT_ASAHI,
      .shmem_min = sizeof(struct asahi_shmem),
      .async_error_offset = offsetof(struct asahi_shmem, async_error),
   },
   .create = asahi_create,
   .destroy = asahi_destroy,
   .bo_new = asahi_bo_new,
   .bo_map = vg_bo_map,
   .bo_upload = vg_bo_upload_mapped,   /* no upload command in this protocol */
   .bo_free = vg_bo_free,              /* the kernel unmaps it from its VM when the host closes it */
   .emit_cmds = asahi_emit_cmds,
   .submit = asahi_submit,
   .wait = vg_driver_wait,
   .nqueries = Q_COUNT,
   .query_begin = asahi_query_begin,
   .query_end = asahi_query_end,
};
