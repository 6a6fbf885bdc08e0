/* SPDX-License-Identifier: MIT */

/* --spawn-host: a private vdrm-host on a private socket, stopped at the end. */

#ifndef VG_HOST_SPAWN_H_
#define VG_HOST_SPAWN_H_

#include <stddef.h>
#include <sys/types.h>

struct vg_spawned_host {
   pid_t pid;
   char dir[64];
   char socket[128];
   char path[4096];   /* the executable */
};

/*
 * Finds vdrm-host ($VDRM_HOST, beside this executable, in the build tree,
 * in the install's bindir), starts it for context on a socket in a fresh
 * directory and waits until it accepts connections. 0, or -1 with a reason
 * in err.
 */
int vg_spawn_host(const char *context, struct vg_spawned_host *h, char *err, size_t err_size);
/* SIGTERM, then waits: the host's exit status (0 for a clean stop), or -1 with a reason. */
int vg_stop_host(struct vg_spawned_host *h, char *err, size_t err_size);

#endif
