/* SPDX-License-Identifier: MIT */

/* A vtest test client on a real socket: messages built by the generated encoders. */

#ifndef VT_TEST_CLIENT_H_
#define VT_TEST_CLIENT_H_

#include <stddef.h>
#include <stdint.h>

int vc_connect(const char *path);
/* Sends all of buf (fd >= 0: then one carrier byte with it); 0 or -1. */
int vc_send(int s, const void *buf, size_t len);
int vc_send_fd(int s, int fd);
/* Receives exactly len bytes within timeout_ms: 0, or -1 (closed, timeout). */
int vc_recv(int s, void *buf, size_t len, int timeout_ms);
/* Receives one carrier byte and its descriptor: the fd or -1. */
int vc_recv_fd(int s, int timeout_ms);
/* 1 when the server closed the connection within timeout_ms (EOF or reset), else 0. */
int vc_closed(int s, int timeout_ms);

/*
 * A fixed-size request built by its generated encoder and sent on socket s;
 * a fixed-size answer received within timeout_ms and decoded. For cmocka
 * tests (they assert).
 */
#define VC_SEND(s, kind, ...)                                                                      \
   do {                                                                                            \
      struct vtest_##kind##_req r_ = { __VA_ARGS__ };                                              \
      uint8_t b_[sizeof(r_)];                                                                      \
      size_t l_;                                                                                   \
      assert_int_equal(vtest_##kind##_req_encode(b_, sizeof(b_), &r_, &l_), VDRM_OK);              \
      assert_int_equal(vc_send((s), b_, l_), 0);                                                   \
   } while (0)

#define VC_RECV(s, kind, out, timeout_ms)                                                          \
   do {                                                                                            \
      uint8_t b_[sizeof(*(out))];                                                                  \
      struct vdrm_error e_;                                                                        \
      assert_int_equal(vc_recv((s), b_, sizeof(b_), (timeout_ms)), 0);                             \
      assert_int_equal(vtest_##kind##_rsp_decode(b_, sizeof(b_), (out), &e_), VDRM_OK);            \
   } while (0)

#endif
