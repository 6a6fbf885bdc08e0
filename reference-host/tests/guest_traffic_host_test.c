/* SPDX-License-Identifier: MIT */

/*
 * The guest-traffic corpus (tests/guest-traffic/msm.json: requests exactly
 * as Mesa's gallium and Turnip drivers build them, uninitialised bytes
 * included) run through the host on the sim backend. Each accepted case must
 * run without the host rejecting it; each unsafe case must be rejected with
 * its field named. Every case gets a fresh a7xx context whose resources and
 * queues carry the ids the corpus names.
 */

#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "harness.h"

static const char *corpus_path;

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
   size_t n = strlen(hex) / 2;

   assert_true(n <= cap);
   for (size_t i = 0; i < n; i++) {
      unsigned v;

      assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
      out[i] = (uint8_t)v;
   }
   return n;
}

/* res_ids 2..61 (buffers of 64 KiB without an address) and queues 1..4. */
static struct tguest *
guest_with_ids(void)
{
   struct tg_opts o = { .profile = &vdrm_sim_profile_a740 };
   struct tguest *g = tg_new(&o);

   for (uint32_t blob = 100; blob < 160; blob++)
      tg_bo(g, blob, 65536, 0, NULL);
   for (uint32_t prio = 0; prio < 4; prio++)
      assert_int_equal(tg_queue(g, prio), prio + 1);
   return g;
}

static struct json_object *
cases(const char *kind)
{
   struct json_object *root = json_object_from_file(corpus_path), *arr, *copy;

   assert_non_null(root);
   assert_true(json_object_object_get_ex(root, kind, &arr));
   copy = json_object_get(arr);
   json_object_put(root);
   return copy;
}

static const char *
str(struct json_object *o, const char *key)
{
   struct json_object *v;

   assert_true(json_object_object_get_ex(o, key, &v));
   return json_object_get_string(v);
}

static void
accepted_cases_run(void **state)
{
   struct json_object *arr = cases("accept");
   size_t n = json_object_array_length(arr);

   (void)state;
   assert_true(n >= 30);
   for (size_t i = 0; i < n; i++) {
      struct json_object *c = json_object_array_get_idx(arr, i);
      struct tguest *g = guest_with_ids();
      uint8_t msg[8192];
      size_t len = unhex(str(c, "hex"), msg, sizeof(msg));
      int ret;

      tg_raw(g, msg, len);
      ret = tg_flush(g);
      if (ret != VDRM_HOST_OK)
         print_error("case \"%s\": %s: %s\n", str(c, "name"), vdrm_host_status_name(ret), tg_last_line(g));
      assert_int_equal(ret, VDRM_HOST_OK);
      assert_int_equal(g->nlines, 0);
      assert_int_equal(tg_async_error(g), 0);
      tg_free(g);
   }
   json_object_put(arr);
}

static void
unsafe_cases_rejected(void **state)
{
   struct json_object *arr = cases("reject");
   size_t n = json_object_array_length(arr);

   (void)state;
   assert_true(n >= 1);
   for (size_t i = 0; i < n; i++) {
      struct json_object *c = json_object_array_get_idx(arr, i);
      struct tguest *g = guest_with_ids();
      uint64_t submits = tg_sim(g).submits;
      uint8_t msg[8192];
      size_t len = unhex(str(c, "hex"), msg, sizeof(msg));

      tg_raw(g, msg, len);
      assert_int_equal(tg_flush(g), VDRM_HOST_E_PROTOCOL);
      assert_true(tg_line_has(g, str(c, "message"), str(c, "field"), str(c, "status"), NULL));
      assert_int_equal(tg_async_error(g), 1);
      assert_int_equal(tg_sim(g).submits, submits);
      assert_int_equal(tg_sim(g).relocs_seen, 0);
      tg_free(g);
   }
   json_object_put(arr);
}

int
main(int argc, char **argv)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(accepted_cases_run),
      cmocka_unit_test(unsafe_cases_rejected),
   };

   if (argc != 2) {
      fprintf(stderr, "usage: %s tests/guest-traffic/msm.json\n", argv[0]);
      return 2;
   }
   corpus_path = argv[1];
   return cmocka_run_group_tests(tests, NULL, NULL);
}
