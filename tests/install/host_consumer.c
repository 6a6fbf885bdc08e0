/*
 * A VMM outside the source tree: the installed libvdrm-host serves an msm
 * context on the installed sim backend, through vdrm-host.pc alone.
 */
#include <stdio.h>

#include <drm_hw.h>
#include <sim.h>
#include <vdrm_host.h>

int
main(void)
{
   struct vdrm_sim_config sc = { .clock = VDRM_SIM_CLOCK_MONOTONIC };
   struct vdrm_backend *sim;
   struct vdrm_host *host;
   struct vdrm_host_client *client;
   struct virgl_renderer_capset_drm caps;
   size_t size = 0;
   int ret = 1;

   if (vdrm_sim_create(&sc, &sim) != 0)
      return 1;
   if (vdrm_host_create(sim, NULL, &host) != VDRM_HOST_OK)
      goto out_sim;
   if (vdrm_host_get_capset(host, VDRM_HOST_CAPSET_DRM, 0, &caps, sizeof(caps), &size) != VDRM_HOST_OK ||
       size != sizeof(caps) || caps.context_type != VIRTGPU_DRM_CONTEXT_MSM) {
      fprintf(stderr, "capset: %zu bytes, context_type %u\n", size, size ? caps.context_type : 0);
      goto out_host;
   }
   if (vdrm_host_client_create(host, &client) != VDRM_HOST_OK)
      goto out_host;
   if (vdrm_host_context_init(client, VDRM_HOST_CAPSET_DRM, "installed") == VDRM_HOST_OK) {
      printf("installed host: msm context on the sim, gpu_id %u\n", caps.u.msm.gpu_id);
      ret = 0;
   }
   vdrm_host_client_destroy(client);
out_host:
   vdrm_host_destroy(host);
out_sim:
   vdrm_backend_destroy(sim);
   return ret;
}
