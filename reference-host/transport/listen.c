/* SPDX-License-Identifier: MIT */

#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen.h"

static int
fill_addr(struct sockaddr_un *addr, const char *path)
{
   memset(addr, 0, sizeof(*addr));
   addr->sun_family = AF_UNIX;
   if (!path || !*path || strlen(path) >= sizeof(addr->sun_path))
      return -ENAMETOOLONG;
   strcpy(addr->sun_path, path);
   return 0;
}

/* A socket file nobody listens on any more: safe to replace. */
static int
stale_socket(const struct sockaddr_un *addr)
{
   struct stat st;
   int fd, ret;

   if (lstat(addr->sun_path, &st))
      return errno == ENOENT ? 0 : -errno;
   if (!S_ISSOCK(st.st_mode))
      return -EEXIST;
   fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (fd < 0)
      return -errno;
   ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
   close(fd);
   if (ret == 0)
      return -EADDRINUSE;
   if (errno != ECONNREFUSED)
      return -EADDRINUSE;
   return unlink(addr->sun_path) ? -errno : 0;
}

int
vt_listen_open(const char *path)
{
   struct sockaddr_un addr, tmp = { .sun_family = AF_UNIX };
   int fd, ret;

   ret = fill_addr(&addr, path);
   if (ret)
      return ret;
   ret = stale_socket(&addr);
   if (ret)
      return ret;
   fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
   if (fd < 0)
      return -errno;
   /*
    * Bound under a temporary name and renamed once it listens: a client
    * that connects as soon as the path exists is never refused.
    */
   if (snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%d", path, (int)getpid()) >=
       (int)sizeof(tmp.sun_path))
      tmp = addr;
   unlink(tmp.sun_path);
   if (bind(fd, (const struct sockaddr *)&tmp, sizeof(tmp)) || listen(fd, 64) ||
       (strcmp(tmp.sun_path, addr.sun_path) && rename(tmp.sun_path, addr.sun_path))) {
      ret = -errno;
      close(fd);
      unlink(tmp.sun_path);
      return ret;
   }
   return fd;
}

void
vt_listen_close(int fd, const char *path)
{
   if (fd >= 0)
      close(fd);
   if (path)
      unlink(path);
}
