/* SPDX-License-Identifier: MIT */

/* The id map against a plain array: random puts, gets, removes and pops. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#include <cmocka.h>

#include "idmap.h"

#define KEYS 3000u

static uint32_t rng = 12345;

static uint32_t
next(void)
{
   rng ^= rng << 13;
   rng ^= rng >> 17;
   rng ^= rng << 5;
   return rng;
}

static void
random_ops(void **state)
{
   static void *oracle[KEYS + 1];
   struct vh_idmap m = { 0 };
   uint32_t count = 0;

   (void)state;
   assert_null(vh_idmap_get(&m, 5));
   assert_null(vh_idmap_remove(&m, 5));
   assert_int_equal(vh_idmap_bytes(&m), 0);
   assert_int_equal(vh_idmap_put(&m, 0, &m), -EINVAL);
   for (int i = 0; i < 200000; i++) {
      uint32_t k = 1 + next() % KEYS;
      void *val = (void *)(uintptr_t)(k * 16);

      switch (next() % 4) {
      case 0:
      case 1:
         assert_int_equal(vh_idmap_put(&m, k, val), oracle[k] ? -EEXIST : 0);
         if (!oracle[k]) {
            oracle[k] = val;
            count++;
         }
         break;
      case 2:
         assert_ptr_equal(vh_idmap_remove(&m, k), oracle[k]);
         if (oracle[k])
            count--;
         oracle[k] = NULL;
         break;
      default:
         assert_ptr_equal(vh_idmap_get(&m, k), oracle[k]);
         break;
      }
      assert_int_equal(m.count, count);
   }
   for (uint32_t k = 1; k <= KEYS; k++)
      assert_ptr_equal(vh_idmap_get(&m, k), oracle[k]);
   /* Pop empties it, giving each entry once. */
   for (;;) {
      uint32_t k;
      void *v = vh_idmap_pop(&m, &k);

      if (!v)
         break;
      assert_ptr_equal(v, oracle[k]);
      oracle[k] = NULL;
      count--;
   }
   assert_int_equal(count, 0);
   vh_idmap_fini(&m);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(random_ops),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
