/*
 * Native implementation of the rvr_guest.h API, so the same guest C compiles with the host
 * compiler for benchmarks and differential checks:
 *
 *   cc -O2 -Iguest/include bench/native/rvr_native.c my_guest.c -o my_guest
 *
 * System calls map to POSIX read/write/_exit/sbrk and clock_gettime(CLOCK_MONOTONIC); the
 * portable helpers come from guest/src/lib.c (included below with RVR_NATIVE defined), and the
 * allocator and mem/string functions from libc. Public output is fd 3 (EBADF when not open).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifndef RVR_NATIVE
#define RVR_NATIVE 1
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rvr_guest.h"

long rvr_write(int fd, const void *buf, size_t n) {
  ssize_t r = write(fd, buf, n);
  return r < 0 ? -(long)errno : (long)r;
}

long rvr_read(int fd, void *buf, size_t n) {
  ssize_t r = read(fd, buf, n);
  return r < 0 ? -(long)errno : (long)r;
}

void rvr_exit(int code) { _exit(code & 0xff); }

long rvr_public_output(const void *buf, size_t n) { return rvr_write(RVR_PUBLIC, buf, n); }

void *rvr_brk(void *addr) {
  void *cur = sbrk(0);
  if (addr == NULL) return cur;
  if (brk(addr) != 0) return cur;
  return sbrk(0);
}

void *rvr_sbrk(intptr_t incr) { return sbrk(incr); }

uint64_t rvr_clock_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long rvr_syscall3(long number, long a0, long a1, long a2) {
  (void)number;
  (void)a0;
  (void)a1;
  (void)a2;
  return -38; /* -ENOSYS: there is no guest kernel natively */
}

#include "../../guest/src/lib.c"
