/* Reading a whole input. */

#ifndef VDRM_WIRE_IO_H_
#define VDRM_WIRE_IO_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The whole of path (standard input when NULL), NUL-terminated for text; its
 * length (without the NUL) in *len. NULL, with a message, on failure.
 */
uint8_t *read_all(const char *path, size_t *len);

#endif /* VDRM_WIRE_IO_H_ */
