/*
 * The golden codec of tests/generator/golden/tiny.xml, compiled from
 * expected/ and run on bytes written out by hand: an output that is wrong
 * cannot become the golden copy without failing here.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tiny_codec.h"
#include "tiny_mutator.h"

/* SET, 32 bytes: cmd 2, len 32, seqno 7, rsp_off 0; flags 3, value 9, reserved 0, extra 5. */
static const uint8_t set_full[32] = {
   2, 0, 0, 0, 32, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0,
   3, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0,
};

/* PUT with two items {1, 0, 0x1122334455667788} {2, 0, 3} and the name "abc", padded to 60. */
static const uint8_t put[60] = {
   3, 0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
   2, 0, 0, 0, 3, 0, 0, 0,
   1, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
   2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0,
   'a', 'b', 'c', 0,
};

static void
expect_error(int ret, const struct vdrm_error *err, int status, const char *field, uint32_t offset)
{
   assert_int_equal(ret, status);
   assert_int_equal(err->status, status);
   assert_string_equal(err->field, field);
   assert_int_equal(err->offset, offset);
}

static void
test_set(void **state)
{
   struct tiny_ccmd_set_req req;
   struct vdrm_error err;
   uint8_t buf[32], out[32];
   size_t len;

   (void)state;
   assert_int_equal(tiny_ccmd_set_req_decode(set_full, sizeof(set_full), &req, &err), VDRM_OK);
   assert_int_equal(req.flags, 3);
   assert_int_equal(req.value, 9);
   assert_int_equal(req.extra, 5);
   assert_int_equal(tiny_ccmd_set_req_encode(out, sizeof(out), &req, &len), VDRM_OK);
   assert_int_equal(len, 32);
   assert_memory_equal(out, set_full, 32);

   /* An older sender's 28 bytes: extra reads as zero. */
   memcpy(buf, set_full, 28);
   buf[4] = 28;
   assert_int_equal(tiny_ccmd_set_req_decode(buf, 28, &req, &err), VDRM_OK);
   assert_int_equal(req.extra, 0);
   buf[4] = 24;
   expect_error(tiny_ccmd_set_req_decode(buf, 28, &req, &err), &err, VDRM_E_SHORT, "hdr.len", 4);

   memcpy(buf, set_full, 32);
   buf[16] = 4;
   expect_error(tiny_ccmd_set_req_decode(buf, 32, &req, &err), &err, VDRM_E_NOT_ALLOWED, "flags", 16);
   assert_string_equal(err.message, "SET: flags: 0x4 has bits outside tiny_set_flags");
   assert_int_equal(TINY_SET_A | TINY_SET_B, 3);
   memcpy(buf, set_full, 32);
   buf[20] = TINY_MAX_VALUE + 1;
   expect_error(tiny_ccmd_set_req_decode(buf, 32, &req, &err), &err, VDRM_E_LIMIT, "value", 20);
   memcpy(buf, set_full, 32);
   buf[27] = 1;
   expect_error(tiny_ccmd_set_req_decode(buf, 32, &req, &err), &err, VDRM_E_NONZERO, "reserved", 24);
}

static void
test_put(void **state)
{
   struct tiny_ccmd_put_req req;
   struct tiny_ccmd_put_req_view view;
   struct tiny_item items[2];
   struct vdrm_error err;
   uint8_t buf[64];
   size_t len;

   (void)state;
   assert_int_equal(tiny_ccmd_put_req_size(2, 3), 60);
   assert_int_equal(tiny_ccmd_put_req_decode(put, sizeof(put), &req, &view, &err), VDRM_OK);
   assert_int_equal(view.items.count, 2);
   tiny_ccmd_put_req_items_get(&view, 0, &items[0]);
   tiny_ccmd_put_req_items_get(&view, 1, &items[1]);
   assert_int_equal(items[0].value, 0x1122334455667788ull);
   assert_int_equal(items[1].id, 2);
   assert_int_equal(view.name.size, 3);
   assert_memory_equal(view.name.data, "abc", 3);

   memset(buf, 0xaa, sizeof(buf));
   assert_int_equal(tiny_ccmd_put_req_encode(buf, sizeof(buf), &req, items, "abc", &len), VDRM_OK);
   assert_int_equal(len, 60);
   assert_memory_equal(buf, put, 60);
   assert_int_equal(tiny_ccmd_put_req_encode(buf, 59, &req, items, "abc", &len), VDRM_E_NOSPC);

   memcpy(buf, put, 60);
   buf[28] = 1;   /* items[0].pad */
   expect_error(tiny_ccmd_put_req_decode(buf, 60, &req, &view, &err), &err, VDRM_E_NONZERO, "items[].pad", 28);
   memcpy(buf, put, 60);
   buf[16] = 9;   /* nr_items above TINY_MAX_ITEMS */
   expect_error(tiny_ccmd_put_req_decode(buf, 60, &req, &view, &err), &err, VDRM_E_LIMIT, "items", 24);
   memcpy(buf, put, 60);
   buf[20] = 0xff;   /* name_len past hdr.len */
   expect_error(tiny_ccmd_put_req_decode(buf, 60, &req, &view, &err), &err, VDRM_E_TRUNCATED, "name", 56);
}

/*
 * An exact-length message whose content is not a multiple of the stream
 * alignment (found by fuzzing msm IOCTL_SIMPLE with an _IOC_SIZE of 2): the
 * encoder pads it to 4 bytes, which its own decoder used to refuse.
 */
static void
test_exact_message_padded_to_alignment(void **state)
{
   struct tiny_ccmd_raw_req req = { .len = 2 }, out;
   struct tiny_ccmd_raw_req_view view;
   const uint8_t data[2] = { 0x12, 0x34 };
   uint8_t buf[32];
   struct vdrm_error err;
   size_t len;

   (void)state;
   assert_int_equal(tiny_ccmd_raw_req_encode(buf, sizeof(buf), &req, data, &len), VDRM_OK);
   assert_int_equal(len, 24);
   assert_int_equal(buf[22] | buf[23], 0);
   assert_int_equal(tiny_ccmd_raw_req_decode(buf, len, &out, &view, &err), VDRM_OK);
   assert_int_equal(view.data.size, 2);
   assert_memory_equal(view.data.data, data, 2);
   /* Unpadded, as a lone message outside a stream, is the content exactly. */
   buf[4] = 22;
   assert_int_equal(tiny_ccmd_raw_req_decode(buf, 22, &out, &view, &err), VDRM_OK);
   /* Anything longer than the padded content is not. */
   buf[4] = 28;
   expect_error(tiny_ccmd_raw_req_decode(buf, 28, &out, &view, &err), &err, VDRM_E_LENGTH, "hdr.len", 4);
}

struct calls {
   int set, put;
   uint32_t value, items;
};

static int
on_set(void *ctx, const struct tiny_ccmd_set_req *req)
{
   struct calls *c = ctx;

   c->set++;
   c->value = req->value;
   return req->value == 9 ? 0 : -22;
}

static int
on_put(void *ctx, const struct tiny_ccmd_put_req *req, const struct tiny_ccmd_put_req_view *view)
{
   struct calls *c = ctx;

   (void)req;
   c->put++;
   c->items = view->items.count;
   return 0;
}

static void
test_dispatch(void **state)
{
   const struct tiny_handlers h = { .set = on_set, .put = on_put };
   struct calls calls = { 0 };
   struct vdrm_error err;
   uint8_t buf[32];

   (void)state;
   assert_int_equal(tiny_dispatch(&h, &calls, set_full, sizeof(set_full), &err), VDRM_OK);
   assert_int_equal(tiny_dispatch(&h, &calls, put, sizeof(put), &err), VDRM_OK);
   assert_int_equal(calls.set, 1);
   assert_int_equal(calls.value, 9);
   assert_int_equal(calls.put, 1);
   assert_int_equal(calls.items, 2);

   memcpy(buf, set_full, 32);
   buf[20] = 8;
   expect_error(tiny_dispatch(&h, &calls, buf, 32, &err), &err, VDRM_E_HANDLER, "", 0);
   assert_string_equal(err.message, "SET: handler failed: -22");

   memcpy(buf, set_full, 32);
   buf[0] = 1;   /* NOP has no handler */
   buf[4] = 16;
   expect_error(tiny_dispatch(&h, &calls, buf, 16, &err), &err, VDRM_E_OPCODE, "hdr.cmd", 0);
   assert_string_equal(err.command, "NOP");
   buf[0] = 5;   /* past the table */
   expect_error(tiny_dispatch(&h, &calls, buf, 16, &err), &err, VDRM_E_OPCODE, "hdr.cmd", 0);
   assert_string_equal(err.command, "tiny");
   assert_int_equal(calls.set, 2);
   assert_null(tiny_ccmd_name(0));
   assert_string_equal(tiny_ccmd_name(TINY_CCMD_PUT), "PUT");
}

static void
test_response(void **state)
{
   static const uint8_t rsp_bytes[12] = { 12, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 2, 0, 0, 0 };
   struct tiny_ccmd_put_rsp rsp = { .ret = -2, .stored = 2 };
   struct vdrm_error err;
   uint8_t buf[12];
   size_t len;

   (void)state;
   assert_int_equal(tiny_ccmd_put_rsp_encode(buf, sizeof(buf), &rsp, &len), VDRM_OK);
   assert_int_equal(len, 12);
   assert_memory_equal(buf, rsp_bytes, 12);
   memset(&rsp, 0, sizeof(rsp));
   assert_int_equal(tiny_ccmd_put_rsp_decode(rsp_bytes, 12, &rsp, &err), VDRM_OK);
   assert_int_equal(rsp.ret, -2);
   assert_int_equal(rsp.stored, 2);
   expect_error(tiny_ccmd_put_rsp_decode(rsp_bytes, 8, &rsp, &err), &err, VDRM_E_TRUNCATED, "hdr.len", 0);
}

/* The golden mutator table: PUT's size from its fixed part, and the roles the spec gives SET's fields. */
static void
test_mutator_table(void **state)
{
   const struct vdrm_mut_msg *m = vdrm_mut_msg_by_opcode(&tiny_mutator, TINY_CCMD_PUT);
   const struct vdrm_mut_msg *set = vdrm_mut_msg_by_opcode(&tiny_mutator, TINY_CCMD_SET);
   _Alignas(8) uint8_t fixed[sizeof(struct tiny_ccmd_put_req)] = { 0 };
   uint64_t trailer = 1;

   (void)state;
   assert_non_null(m);
   assert_int_equal(m->fixed_size, 24);
   memcpy(fixed, put, 24);
   /* 24 + 2 items of 16 + "abc", padded to 60. */
   assert_int_equal(m->size(fixed, 0, &trailer), 60);
   assert_int_equal(trailer, 0);
   assert_int_equal(m->nfields, 2);
   assert_string_equal(m->fields[0].name, "nr_items");
   assert_int_equal(m->fields[0].role, VDRM_MUT_SIZE);
   assert_int_equal(m->fields[0].max, 8);
   assert_non_null(set);
   assert_null(set->size);
   assert_int_equal(set->fields[0].role, VDRM_MUT_FLAGS);
   assert_int_equal(set->fields[1].role, VDRM_MUT_RANGE);
   assert_int_equal(set->fields[1].max, 100);
   assert_int_equal(set->fields[2].role, VDRM_MUT_ZERO);
   assert_null(vdrm_mut_msg_by_opcode(&tiny_mutator, 5));
}

/* Mutating the hand-written PUT: every result is still a stream of whole requests. */
static void
test_mutations_walk(void **state)
{
   (void)state;
   for (unsigned s = 0; s < 500; s++) {
      uint8_t data[256];
      struct vdrm_stream st;
      const uint8_t *msg;
      struct vdrm_ccmd_req hdr;
      size_t size;
      int ret;

      memcpy(data, put, sizeof(put));
      size = vdrm_mutate_stream(&tiny_mutator, data, sizeof(put), sizeof(data), s, NULL);
      assert_true(size <= sizeof(data));
      vdrm_stream_init(&st, data, size, TINY_CCMD_ALIGNMENT);
      while ((ret = vdrm_stream_next(&st, &msg, &hdr, NULL)) == 1)
         assert_non_null(tiny_ccmd_name(hdr.cmd));
      assert_int_equal(ret, 0);
   }
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_set),
      cmocka_unit_test(test_put),
      cmocka_unit_test(test_dispatch),
      cmocka_unit_test(test_response),
      cmocka_unit_test(test_exact_message_padded_to_alignment),
      cmocka_unit_test(test_mutator_table),
      cmocka_unit_test(test_mutations_walk),
   };

   return cmocka_run_group_tests(tests, NULL, NULL);
}
