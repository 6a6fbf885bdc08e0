/* SPDX-License-Identifier: MIT */

/*
 * Structure-aware mutation of request streams, for fuzzers
 * (LLVMFuzzerCustomMutator). One engine for every context: the layouts come
 * from the context's descriptors (NAME_protocol, NAME_reflect.c) and what
 * each fixed field means to a host (which field sizes an item, takes an
 * enum's values, must be zero, names an object) from its generated mutator
 * table (NAME_mutator, NAME_mutator.c).
 *
 * A stream is what a host walks: for a DRM native context the ccmd stream
 * of one EXECBUFFER (vdrm_stream_next()), for vtest the requests one after
 * the other (NAME_request_extent()). A mutation picks one of: change a
 * field of a request and make its length follow, insert a well-formed
 * request built from the descriptors, delete, duplicate, swap or move
 * requests, change a request's header (opcode, rsp_off, seqno), or let the
 * fallback mutate the bytes inside one request, or change a field of one
 * element of an array of structs it carries. Headers stay valid for the
 * walker; counts agree with their items except for the occasional one that
 * is off by one on purpose.
 */

#ifndef VDRM_MUTATE_H_
#define VDRM_MUTATE_H_

#include <stddef.h>
#include <stdint.h>

#include "vdrm_codec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a field means to the mutator (the generator decides, from the spec). */
enum vdrm_mut_role {
   VDRM_MUT_PLAIN,    /* any value: interesting integers, random bits */
   VDRM_MUT_ZERO,     /* padding, must-be-zero or ignored: zero, seldom not */
   VDRM_MUT_VALUES,   /* one of values[] (enum entries, one-of, ioctl numbers, strides) */
   VDRM_MUT_FLAGS,    /* a set of the bits in values[] */
   VDRM_MUT_SIZE,     /* sizes an item: small counts from min, the limit (max) and one past
                         it, in multiples of values[0] if given (a length's grain) */
   VDRM_MUT_RANGE,    /* inside [min, max], a multiple of values[0] if given */
   VDRM_MUT_ID,       /* names an object the host keeps: small numbers */
};

struct vdrm_mut_field {
   const char *name;        /* the field's path ("flags", "info.query") */
   uint32_t offset;         /* in the request's fixed part */
   uint8_t size;            /* 1, 2, 4 or 8 */
   uint8_t role;            /* enum vdrm_mut_role */
   bool closed;             /* the host rejects values outside values[] */
   uint32_t nvalues;
   const uint64_t *values;
   uint64_t min, max;       /* max: VDRM_MUT_NO_MAX when the spec gives none */
};

#define VDRM_MUT_NO_MAX UINT64_MAX

/*
 * The bytes a request occupies (trailer included; *trailer: the trailer's
 * part of them) from its fixed part, which fixed holds whole (zero-extended,
 * 8-byte aligned); rest is the element count of an item taking the rest of
 * the message, if it has one.
 */
typedef uint64_t (*vdrm_mut_size_fn)(const void *fixed, uint32_t rest, uint64_t *trailer);

/* An array of structs a request carries: the fields of its elements. */
struct vdrm_mut_item {
   uint32_t item;           /* index in the request's items (vdrm_body_desc.items) */
   uint32_t nfields;
   const struct vdrm_mut_field *fields;   /* offsets inside one element */
};

/* One kind of record of a record chain: a zeroed struct with its tag and these fields set. */
struct vdrm_mut_record {
   uint64_t tag;
   uint32_t size;           /* sizeof its struct: the record with its own item empty */
   uint32_t nfields;
   const struct vdrm_mut_field *fields;
};

/* A record chain a request begins its variable part with, sized in bytes by a fixed field. */
struct vdrm_mut_chain {
   uint32_t length_offset;  /* the fixed field giving the chain's bytes */
   uint8_t length_size;
   uint32_t tag_offset;     /* the tag in every record (tag_size 0: one kind, untagged) */
   uint8_t tag_size;
   uint32_t nkinds;
   const struct vdrm_mut_record *kinds;
};

/*
 * A chunk table and its chunks, a request's first two items (the kinds and
 * the table's layout are the descriptors' vdrm_chunks_desc): the fixed
 * fields giving the table's count and the chunks' bytes.
 */
struct vdrm_mut_chunks {
   uint32_t count_offset;
   uint8_t count_size;
   int32_t length_offset;   /* -1: the chunks take the rest of the request */
   uint8_t length_size;
};

struct vdrm_mut_msg {
   uint32_t opcode;
   uint32_t struct_size;    /* sizeof the request struct */
   uint32_t fixed_size;     /* where its variable part starts */
   uint32_t rest_unit;      /* bytes of one element of an item taking the rest; 0: none */
   vdrm_mut_size_fn size;   /* NULL: a fixed-size request of fixed_size bytes */
   uint32_t nfields;
   const struct vdrm_mut_field *fields;
   uint32_t nitems;
   const struct vdrm_mut_item *items;
   const struct vdrm_mut_chain *chain;   /* records its built requests carry, or NULL */
   const struct vdrm_mut_chunks *chunks; /* chunks its built requests carry, or NULL */
};

/* A context's mutator table (NAME_mutator in NAME_mutator.h). */
struct vdrm_mutator_desc {
   const struct vdrm_protocol_desc *protocol;
   uint32_t nmsgs;
   const struct vdrm_mut_msg *msgs;
};

/*
 * Mutates the stream in data (size bytes; the buffer holds max_size) and
 * returns its new size, at most max_size; nothing past max_size is written.
 * The same (input, seed) gives the same output as long as fallback is
 * deterministic too (libFuzzer's LLVMFuzzerMutate draws from its own
 * generator); fallback mutates bytes in place (data, size, max_size) and
 * returns the new size, as LLVMFuzzerMutate does; NULL: the engine flips
 * bytes itself. Input that is not a stream (empty, garbage after the last
 * request it can walk) is handled: requests are inserted before garbage,
 * garbage is dropped or given to the fallback.
 */
size_t vdrm_mutate_stream(const struct vdrm_mutator_desc *ctx, uint8_t *data, size_t size, size_t max_size,
                          unsigned int seed, size_t (*fallback)(uint8_t *, size_t, size_t));

/*
 * Splices two streams into out (at most max_out bytes), for
 * LLVMFuzzerCustomCrossOver: the first requests of a, a run of b's
 * requests, then the rest of a's, cut at request boundaries to fit (a's
 * rest dropped first). Garbage after either stream's last request is left
 * out. Returns the bytes written; deterministic for (a, b, seed).
 */
size_t vdrm_crossover_stream(const struct vdrm_mutator_desc *ctx, const uint8_t *a, size_t a_size,
                             const uint8_t *b, size_t b_size, uint8_t *out, size_t max_out,
                             unsigned int seed);

/*
 * Writes one well-formed request of the context, picked by seed, into buf
 * (at most cap bytes): *len its size. VDRM_E_NOSPC when it does not fit.
 * For seed corpora and tests.
 */
int vdrm_mutate_build(const struct vdrm_mutator_desc *ctx, unsigned int seed, uint8_t *buf, size_t cap,
                      size_t *len);

/* The table row of opcode, or NULL. */
const struct vdrm_mut_msg *vdrm_mut_msg_by_opcode(const struct vdrm_mutator_desc *ctx, uint32_t opcode);

#ifdef __cplusplus
}
#endif

#endif /* VDRM_MUTATE_H_ */
