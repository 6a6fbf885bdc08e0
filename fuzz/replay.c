/* SPDX-License-Identifier: MIT */

/*
 * The replay driver: runs a harness's LLVMFuzzerTestOneInput() on files
 * and on every file of directories (sorted), without libFuzzer, so that
 * `meson test` replays the corpora and regression inputs under ASan+UBSan.
 * Each input is read into an allocation of exactly its size. A property
 * that does not hold aborts (the sanitizers report the rest).
 *
 * usage: HARNESS-replay FILE|DIR...
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long inputs;

static void
run_file(const char *path)
{
   FILE *f = fopen(path, "rb");
   uint8_t *buf;
   long len;

   FZ_CHECK(f, "%s: %s", path, strerror(errno));
   FZ_CHECK(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0,
            "%s: cannot size", path);
   buf = malloc(len ? (size_t)len : 1);
   FZ_CHECK(buf, "out of memory");
   FZ_CHECK(fread(buf, 1, (size_t)len, f) == (size_t)len, "%s: short read", path);
   fclose(f);
   if (getenv("FUZZ_REPLAY_VERBOSE"))
      fprintf(stderr, "%s\n", path);
   LLVMFuzzerTestOneInput(buf, (size_t)len);
   free(buf);
   inputs++;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
   return strcmp((*a)->d_name, (*b)->d_name);
}

static void
run_path(const char *path)
{
   struct dirent **names;
   struct stat st;
   int n;

   FZ_CHECK(stat(path, &st) == 0, "%s: %s", path, strerror(errno));
   if (!S_ISDIR(st.st_mode)) {
      run_file(path);
      return;
   }
   n = scandir(path, &names, NULL, by_name);
   FZ_CHECK(n >= 0, "%s: %s", path, strerror(errno));
   for (int i = 0; i < n; i++) {
      char *child;

      if (names[i]->d_name[0] != '.') {
         FZ_CHECK(asprintf(&child, "%s/%s", path, names[i]->d_name) > 0, "out of memory");
         run_path(child);
         free(child);
      }
      free(names[i]);
   }
   free(names);
}

int
main(int argc, char **argv)
{
   if (argc < 2) {
      fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
      return 2;
   }
   /* The empty input first: every harness must take it. */
   LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
   for (int i = 1; i < argc; i++)
      run_path(argv[i]);
   printf("%s: %lu inputs replayed\n", argv[0], inputs);
   /* A replay that found nothing to run tests nothing. */
   return inputs ? 0 : 1;
}
