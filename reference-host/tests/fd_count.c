/* SPDX-License-Identifier: MIT */

#include "fd_count.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <dirent.h>

#include <cmocka.h>

int
tg_count_fds(void)
{
   DIR *d = opendir("/proc/self/fd");
   struct dirent *e;
   int n = 0;

   assert_non_null(d);
   while ((e = readdir(d)))
      if (e->d_name[0] != '.')
         n++;
   closedir(d);
   return n - 1;   /* the directory's own fd */
}
