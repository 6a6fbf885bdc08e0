/* SPDX-License-Identifier: MIT */

/*
 * Runtime shared by every context's generated codecs: status codes and error
 * reports, byte spans into a message, the command-stream walker that applies
 * the transport rules, the response-region guard, and the descriptor types
 * that let tools such as vdrm-wire read and write any message.
 */

#ifndef VDRM_CODEC_H_
#define VDRM_CODEC_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of a decode, encode or stream step; VDRM_OK is zero. */
enum vdrm_status {
   VDRM_OK = 0,
   VDRM_E_SHORT,        /* hdr.len below the command's minimum size */
   VDRM_E_TRUNCATED,    /* a header, count or length points past hdr.len or the buffer */
   VDRM_E_OVERFLOW,     /* a size does not fit in 32 bits */
   VDRM_E_NONZERO,      /* a must-be-zero field or padding is not zero */
   VDRM_E_LIMIT,        /* a count or length above the protocol's limit */
   VDRM_E_NOT_ALLOWED,  /* a value outside the allowed set (ioctl, enum) */
   VDRM_E_LENGTH,       /* hdr.len differs from the exact size the content implies */
   VDRM_E_ALIGN,        /* hdr.len or rsp_off not a multiple of the context's alignment */
   VDRM_E_OPCODE,       /* unknown command, or no handler for it */
   VDRM_E_RSP_BOUNDS,   /* the response does not fit in the response region */
   VDRM_E_NOSPC,        /* encoder: the caller's buffer is too small */
   VDRM_E_HANDLER,      /* a handler reported failure */
   VDRM_STATUS_COUNT,
};

/* Where and why a message was rejected. */
struct vdrm_error {
   enum vdrm_status status;
   uint32_t offset;       /* byte offset in the message (stream: in the stream) */
   const char *command;   /* command name without prefix, or "stream" */
   const char *field;     /* field or item name, or "" */
   char message[200];     /* "COMMAND: field: reason" */
};

/* Name of a status code ("VDRM_E_TRUNCATED"). */
const char *vdrm_status_name(enum vdrm_status status);

/* Fills err (which may be NULL) and returns status. */
int vdrm_fail(struct vdrm_error *err, enum vdrm_status status, uint32_t offset,
              const char *command, const char *field, const char *fmt, ...)
   __attribute__((format(printf, 6, 7)));

/* Names command instead in err (command and the start of its message), if err is not NULL. */
void vdrm_error_rename(struct vdrm_error *err, const char *command);

/*
 * A variable part of a message: count elements of size bytes each, starting
 * at data. data points into the message and is only as aligned as the
 * message (4 bytes): read elements with memcpy.
 */
struct vdrm_span {
   const uint8_t *data;
   uint32_t count;   /* elements (bytes for byte strings) */
   uint32_t size;    /* bytes */
};

/*
 * Bytes from one element of an array span to the next: the array's stride,
 * which is the element size unless the message gives one; elem_size for an
 * empty span.
 */
static inline uint32_t
vdrm_span_stride(const struct vdrm_span *span, uint32_t elem_size)
{
   return span->count ? span->size / span->count : elem_size;
}

/* _IOC_SIZE() and, for ioctls that return data (_IOC_READ), the same; else 0. */
#define VDRM_IOC_SIZE(nr)      (((uint32_t)(nr) >> 16) & 0x3fffu)
#define VDRM_IOC_READ_BIT      0x80000000u
#define VDRM_IOC_NR(nr)        ((uint32_t)(nr) & 0xffu)
#define VDRM_IOC_OUT_SIZE(nr)  (((uint32_t)(nr) & VDRM_IOC_READ_BIT) ? VDRM_IOC_SIZE(nr) : 0u)

/*
 * Starts a decode: checks that buf holds the header and hdr.len bytes, that
 * hdr.len >= min_size, and copies the fixed part into out (size bytes),
 * zero-filling whatever an older sender left out. len_offset is where the
 * header keeps its length (4 in a request, 0 in a response). msg_len, when
 * not NULL, receives hdr.len.
 */
int vdrm_decode_fixed(const void *buf, size_t len, uint32_t min_size, size_t size,
                      size_t len_offset, void *out, uint32_t *msg_len,
                      const char *command, struct vdrm_error *err);

/*
 * Takes count elements of elem_size bytes at *off, without reading past
 * msg_len, and advances *off. Overflow-safe for any count.
 */
int vdrm_take(const uint8_t *msg, uint32_t msg_len, size_t *off, uint64_t count,
              uint32_t elem_size, struct vdrm_span *span, const char *command,
              const char *field, struct vdrm_error *err);

/*
 * Starts an encode of a message of size bytes into buf (cap bytes): checks
 * the size, copies the fixed part (fixed_size bytes), zero-fills the rest,
 * stores size in the header's length field and, for a request, cmd in
 * hdr.cmd; *len_out = size. The caller then writes the variable part.
 * len_offset is where a response header keeps its length.
 */
int vdrm_encode_request(void *buf, size_t cap, uint64_t size, const void *fixed, size_t fixed_size,
                        uint32_t cmd, size_t *len_out);
int vdrm_encode_response(void *buf, size_t cap, uint64_t size, const void *fixed, size_t fixed_size,
                         size_t len_offset, size_t *len_out);

/* What every request length is a multiple of, in every context (transport rule length). */
#define VDRM_STREAM_LEN_ALIGN 4u

/*
 * How a protocol's header frames a message. Every message of a direction
 * begins with a header of header_size bytes holding, at length_offset, a
 * u32 length in units of unit bytes (1 or 4) that counts the header itself
 * or not, and at cmd_offset (if any) a u32 command id. A message may be
 * followed by a trailer the length does not count, sized by its fields.
 * The vdrm transport's requests: 16 bytes, len at 4 in bytes counting the
 * header, cmd at 0; its responses: len at 0, no command id.
 */
struct vdrm_framing {
   uint32_t header_size;
   uint32_t length_offset;
   int32_t cmd_offset;          /* -1: the header holds no command id */
   uint32_t unit;               /* bytes per unit of the length: 1 or 4 */
   bool counts_header;          /* the length counts the header too */
   const char *length_name;     /* the length field as errors name it ("hdr.len") */
};

/*
 * The bytes the framed part of the message at buf occupies (header
 * included, trailer not), from its length field: VDRM_E_SHORT when len
 * cannot hold that field. Computed in 64 bits; not checked against len.
 */
int vdrm_frame_bytes(const struct vdrm_framing *f, const void *buf, size_t len, uint64_t *bytes);

/*
 * vdrm_decode_fixed() for any framing: checks that buf holds the framed
 * part its length gives and at least min_size bytes, and copies the fixed
 * part into out (size bytes), zero-filling what a shorter message lacks.
 * *msg_len, when msg_len is not NULL, receives the framed part's bytes.
 */
int vdrm_frame_decode(const struct vdrm_framing *f, const void *buf, size_t len, uint32_t min_size,
                      size_t size, void *out, uint32_t *msg_len, const char *command,
                      struct vdrm_error *err);

/*
 * vdrm_encode_request() for any framing: a message of size bytes, the last
 * trailer of them outside the length, into buf (cap bytes). Copies the fixed
 * part, zero-fills the rest, stores the framed part's length in the header's
 * unit and, when the header has one, cmd as its command id; *len_out = size.
 * VDRM_E_ALIGN when the framed part is not a whole number of units.
 */
int vdrm_frame_encode(const struct vdrm_framing *f, void *buf, size_t cap, uint64_t size,
                      uint64_t trailer, const void *fixed, size_t fixed_size, uint32_t cmd,
                      size_t *len_out);

/* The command stream of one EXECBUFFER (transport rules stream-walk .. opcode). */
struct vdrm_stream {
   const uint8_t *buf;
   size_t size;
   size_t pos;
   uint32_t alignment;
};

void vdrm_stream_init(struct vdrm_stream *s, const void *buf, size_t size, uint32_t alignment);

/*
 * Returns 1 and the next request (msg, its header in *hdr), 0 at the clean
 * end of the stream, or -1 with err filled when the rest of the stream is
 * malformed.
 */
int vdrm_stream_next(struct vdrm_stream *s, const uint8_t **msg, struct vdrm_ccmd_req *hdr,
                     struct vdrm_error *err);

/* The response region of the shared buffer (transport rules rsp-off, shadow-response). */
struct vdrm_rsp_region {
   uint8_t *mem;
   uint32_t size;
};

/*
 * Checks that a response of len bytes at rsp_off fits in the region and that
 * len holds at least the response header.
 */
int vdrm_rsp_check(const struct vdrm_rsp_region *r, uint32_t rsp_off, uint64_t len,
                   const char *command, struct vdrm_error *err);

/*
 * Copies a finished response from the host's shadow buffer into the region:
 * min(the length the guest left in hdr.len, len) bytes, then stores that
 * count in hdr.len. rsp_off must have passed vdrm_rsp_check(). Returns the
 * count.
 */
uint32_t vdrm_rsp_commit(struct vdrm_rsp_region *r, uint32_t rsp_off, const void *shadow,
                         uint32_t len);

/* ---- descriptors: what a generic tool needs to read and write messages ---- */

enum vdrm_kind {
   VDRM_KIND_U8, VDRM_KIND_U16, VDRM_KIND_U32, VDRM_KIND_U64,
   VDRM_KIND_I8, VDRM_KIND_I16, VDRM_KIND_I32, VDRM_KIND_I64,
   VDRM_KIND_CHAR, VDRM_KIND_INT, VDRM_KIND_STRUCT, VDRM_KIND_UNION,
};

struct vdrm_struct_desc;

struct vdrm_field_desc {
   const char *name;
   uint32_t offset;
   uint32_t count;          /* array elements (1 for a scalar) */
   uint8_t kind;            /* enum vdrm_kind */
   uint8_t size;            /* bytes of one scalar element (0 for structs) */
   uint8_t bit_offset;      /* bitfields: position in the storage unit */
   uint8_t bit_width;       /* bitfields: width; 0 otherwise */
   const struct vdrm_struct_desc *type;   /* structs and unions */
   uint32_t flags;          /* VDRM_FIELD_* */
};

/* The host ignores the field and clears it: decoders return it as zero. */
#define VDRM_FIELD_IGNORED 1u

struct vdrm_struct_desc {
   const char *name;
   uint32_t size;
   uint32_t nfields;
   const struct vdrm_field_desc *fields;
};

enum vdrm_item_kind { VDRM_ITEM_ARRAY, VDRM_ITEM_TEXT, VDRM_ITEM_DATA, VDRM_ITEM_RECORDS };

struct vdrm_item_desc;

/* One kind of record of a record chain (<records>): its struct and trailing item. */
struct vdrm_record_desc {
   const char *name;
   const struct vdrm_struct_desc *type;
   const struct vdrm_item_desc *item;     /* its trailing array or bytes, or NULL */
};

/*
 * Reads the record at off of a chain already validated by the decoder: its
 * kind (index into the kinds), its size and its trailing item.
 */
typedef int (*vdrm_record_step_fn)(const struct vdrm_span *region, uint32_t off, uint32_t *kind,
                                   uint32_t *size, struct vdrm_span *item, struct vdrm_error *err);

struct vdrm_records_desc {
   uint32_t nkinds;
   const struct vdrm_record_desc *kinds;
   vdrm_record_step_fn step;
};

/* One thing a bytes item can hold: when the selector reads value, a type. */
struct vdrm_variant_desc {
   uint64_t value;
   const char *name;                      /* the value's name (ioctl, enum entry), or NULL */
   const struct vdrm_struct_desc *type;   /* a struct; NULL for a scalar of kind and size */
   uint8_t kind;                          /* enum vdrm_kind */
   uint32_t size;                         /* bytes of the type */
   uint32_t min_size;                     /* bytes of its oldest revision */
};

/* Where a variants selector lives and how its value is read. */
enum vdrm_select {
   VDRM_SELECT_VALUE,    /* the field's value */
   VDRM_SELECT_IOC_NR,   /* _IOC_NR of an ioctl number, less base */
};

/*
 * What a bytes item holds, chosen by a field of this body, of the request it
 * answers, or of the record it trails.
 */
struct vdrm_variants_desc {
   bool in_request;            /* the selector is a field of the request (this body is its response) */
   uint32_t selector_offset;   /* byte offset of the selector in that fixed part */
   uint8_t selector_size;      /* 1, 2, 4 or 8 */
   uint8_t select;             /* enum vdrm_select */
   uint32_t base;              /* VDRM_SELECT_IOC_NR: the allow-list's base */
   uint32_t nvariants;
   const struct vdrm_variant_desc *variants;
   bool in_record;             /* the selector is a field of the record the item trails */
};

/* How many bytes a kind of chunk holds (the spec's size attribute). */
enum vdrm_chunk_size { VDRM_CHUNK_EXACT, VDRM_CHUNK_AT_LEAST, VDRM_CHUNK_ARRAY, VDRM_CHUNK_ANY };

/* One kind of chunk of a chunk region (<chunk>): the struct it holds. */
struct vdrm_chunk_desc {
   uint64_t id;
   const char *name;
   const struct vdrm_struct_desc *type;
   uint8_t size_rule;          /* enum vdrm_chunk_size */
};

/*
 * A chunk region (<chunks>): each element of an earlier array item (the
 * table) locates one chunk by its id, offset and length fields.
 */
struct vdrm_chunks_desc {
   uint32_t table_item;        /* index of the table in the body's items */
   uint32_t id_offset, offset_offset, length_offset;   /* of the fields, in a table element */
   uint8_t id_size, offset_size, length_size;          /* their bytes */
   uint32_t length_unit;       /* bytes a unit of the length field counts */
   uint32_t nkinds;
   const struct vdrm_chunk_desc *kinds;
};

struct vdrm_item_desc {
   const char *name;
   uint8_t kind;                          /* enum vdrm_item_kind */
   uint8_t elem_kind;                     /* enum vdrm_kind of an array element */
   uint32_t elem_size;
   const struct vdrm_struct_desc *elem;   /* struct elements */
   size_t span_offset;                    /* offsetof(view, item) */
   int32_t stride_offset;                 /* arrays with a stride: offset of the u32
                                             field holding it; -1 otherwise */
   bool takes_rest;                       /* its length is the rest of the message */
   const struct vdrm_records_desc *records;  /* VDRM_ITEM_RECORDS: the kinds */
   const struct vdrm_variants_desc *variants;  /* bytes that hold structs, or NULL */
   const struct vdrm_chunks_desc *chunks;      /* VDRM_ITEM_DATA chunk regions, or NULL */
   bool trailer;                          /* after the framed part, outside its length */
};

typedef int (*vdrm_decode_fn)(const void *buf, size_t len, void *out, void *view,
                              struct vdrm_error *err);

/*
 * Builds a message from a decoded fixed part and view with the typed
 * *_encode() function: decode followed by this reproduces the bytes of any
 * message without trailing garbage.
 */
typedef int (*vdrm_encode_fn)(void *buf, size_t cap, const void *fixed, const void *view,
                              size_t *len);

/*
 * The bytes a message occupies, trailer included, once buf holds its framed
 * part (len bytes of it): for tables and tools.
 */
typedef int (*vdrm_extent_fn)(const void *buf, size_t len, uint64_t *extent, struct vdrm_error *err);

/*
 * How many file descriptors travel with a message (SCM_RIGHTS, each on a
 * one-byte carrier after the message's bytes), from the decoded request it
 * is or answers.
 */
typedef uint32_t (*vdrm_fds_fn)(const void *req);

struct vdrm_body_desc {
   const struct vdrm_struct_desc *fixed;  /* NULL: the command has no response */
   uint32_t data_offset;                  /* where the variable part starts */
   uint32_t min_size;
   uint32_t pad_to;
   uint32_t nitems;
   const struct vdrm_item_desc *items;
   size_t view_size;
   vdrm_decode_fn decode;
   vdrm_encode_fn encode;
   const struct vdrm_framing *framing;    /* how its header frames it */
   vdrm_fds_fn fds;                       /* fds it carries, from the request; NULL: none */
};

struct vdrm_msg_desc {
   const char *name;
   uint32_t opcode;
   struct vdrm_body_desc req;
   struct vdrm_body_desc rsp;
};

struct vdrm_protocol_desc {
   const char *name;
   uint32_t context_type;   /* 0: not a DRM native context */
   uint32_t alignment;
   uint32_t nmsgs;
   const struct vdrm_msg_desc *msgs;
   bool ccmd;               /* requests travel in EXECBUFFER ccmd streams (vdrm_stream_next()) */
   const struct vdrm_framing *request_framing;
   vdrm_extent_fn request_extent;   /* the whole extent of any request (vdrm_request_extent()) */
};

/* The descriptor of a command by opcode or by name, or NULL. */
const struct vdrm_msg_desc *vdrm_msg_by_opcode(const struct vdrm_protocol_desc *p, uint32_t opcode);
const struct vdrm_msg_desc *vdrm_msg_by_name(const struct vdrm_protocol_desc *p, const char *name);

/*
 * Calls the handler of one command in a context's handlers struct with the
 * decoded request and view: false when that handler is NULL, else true with
 * the handler's result in *ret.
 */
typedef bool (*vdrm_invoke_fn)(const void *handlers, void *ctx, const void *req, const void *view,
                               int *ret);

/* One row of a context's dispatch table, indexed by opcode; unknown opcodes have a zero row. */
struct vdrm_ccmd_info {
   const char *name;
   uint32_t min_size;
   uint32_t size;
   uint32_t rsp_size;       /* fixed part of the response; 0: no response */
   uint32_t view_size;
   vdrm_decode_fn decode;
   vdrm_invoke_fn invoke;
   const struct vdrm_framing *framing;   /* the request's, when not the protocol's; else NULL */
   vdrm_extent_fn extent;   /* a request with a trailer: its whole extent; NULL: the framed part */
   vdrm_fds_fn request_fds;   /* fds the request carries; NULL: none */
   vdrm_fds_fn response_fds;  /* fds the answer carries; NULL: none */
};

/*
 * Decodes one request of a context by its table (count rows) into req and
 * view, which must hold the largest request and view of the context.
 * context names the context in errors.
 */
int vdrm_decode_request(const struct vdrm_ccmd_info *table, uint32_t count, const char *context,
                        const void *msg, size_t len, void *req, void *view, struct vdrm_error *err);

/*
 * Decodes one request (msg, len bytes, as returned by vdrm_stream_next())
 * and calls its handler: VDRM_E_OPCODE for an unknown command or a NULL
 * handler, VDRM_E_HANDLER when the handler returns non-zero.
 */
int vdrm_dispatch(const struct vdrm_ccmd_info *table, uint32_t count, const char *context,
                  const void *handlers, void *ctx, const void *msg, size_t len, void *req, void *view,
                  struct vdrm_error *err);

/* vdrm_decode_request() and vdrm_dispatch() for a protocol whose requests f frames. */
int vdrm_frame_decode_request(const struct vdrm_framing *f, const struct vdrm_ccmd_info *table,
                              uint32_t count, const char *context, const void *msg, size_t len,
                              void *req, void *view, struct vdrm_error *err);
int vdrm_frame_dispatch(const struct vdrm_framing *f, const struct vdrm_ccmd_info *table, uint32_t count,
                        const char *context, const void *handlers, void *ctx, const void *msg,
                        size_t len, void *req, void *view, struct vdrm_error *err);

/*
 * How many bytes the request at buf (len bytes of it so far) occupies: its
 * header, the framed part its length gives (in its command's framing, f
 * unless the table's row names another) and the trailer its fields size.
 * Until buf holds enough to tell, *extent is how many bytes to have before
 * asking again (the header, then the framed part). VDRM_OK either way; a
 * caller reads until len >= *extent and *extent no longer grows, then
 * decodes exactly *extent bytes. VDRM_E_OPCODE for an unknown command,
 * VDRM_E_OVERFLOW when the extent exceeds 4 GiB - 1.
 */
int vdrm_request_extent(const struct vdrm_framing *f, const struct vdrm_ccmd_info *table, uint32_t count,
                        const char *context, const void *buf, size_t len, uint64_t *extent,
                        struct vdrm_error *err);

#ifdef __cplusplus
}
#endif

#endif /* VDRM_CODEC_H_ */
