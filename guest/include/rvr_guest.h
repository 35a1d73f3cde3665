/*
 * rvr_guest.h — the C API for rules_rvr guest programs.
 *
 * A guest is a freestanding RISC-V program (RV32IM/ilp32 or RV64IM/lp64) linked with
 * guest/start.S, guest/link.ld and the SDK sources in guest/src. It talks to the outside world only
 * through Linux RISC-V system calls (see src/isa/abi.ts):
 *
 *   fd 0  input stream          (rvr_read, rvr_read_all)
 *   fd 1  stdout                (rvr_write, rvr_print*, rvr_printf)
 *   fd 2  stderr                (rvr_fprint*(RVR_STDERR, ...), rvr_fprintf)
 *   fd 3  public output         (rvr_public_output)
 *
 * The same guest C also compiles natively with the host compiler and bench/native/rvr_native.c
 * (RVR_NATIVE, defined automatically for non-RISC-V compilers), which implements this API with POSIX calls and libc's allocator.
 *
 * No libc is needed: the SDK provides malloc/free/calloc/realloc over brk and the mem and
 * string functions the compiler may call (memcpy, memmove, memset, memcmp, strlen, strcmp).
 * Output helpers are unbuffered: every call is one write system call.
 */
#ifndef RVR_GUEST_H
#define RVR_GUEST_H

/* Built with a host (non-RISC-V) compiler: the native shim provides the API. */
#if !defined(__riscv) && !defined(RVR_NATIVE)
#define RVR_NATIVE 1
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RVR_STDIN 0
#define RVR_STDOUT 1
#define RVR_STDERR 2
#define RVR_PUBLIC 3

#if defined(__GNUC__)
#define RVR_NORETURN __attribute__((noreturn))
#define RVR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RVR_NORETURN
#define RVR_PRINTF(f, a)
#endif

/* ---- System calls (guest/src/syscalls_riscv.c; bench/native/rvr_native.c natively) ---- */

/* write(2): returns bytes written or a negative errno (-9 EBADF, -14 EFAULT, ...). */
long rvr_write(int fd, const void *buf, size_t n);
/* read(2): returns bytes read (0 at end of input) or a negative errno. */
long rvr_read(int fd, void *buf, size_t n);
/* exit(2) with the low 8 bits of code as the exit status. */
RVR_NORETURN void rvr_exit(int code);
/* Write to the public output stream (fd 3). Same return convention as rvr_write. */
long rvr_public_output(const void *buf, size_t n);
/* Linux brk(2): asks for the break to be set to addr (NULL queries it); returns the new break,
 * which is the old one when the request failed. */
void *rvr_brk(void *addr);
/* Moves the break by incr bytes; returns the old break, or (void *)-1 when that failed. */
void *rvr_sbrk(intptr_t incr);
/* CLOCK_MONOTONIC in nanoseconds (clock_gettime: syscall 113 on RV64, clock_gettime64 403 on
 * RV32). Under rules_rvr this is a deterministic virtual clock. Returns 0 on failure. */
uint64_t rvr_clock_ns(void);
/* Raw system call with up to three arguments (number in a7); returns a0. Natively: -38. */
long rvr_syscall3(long number, long a0, long a1, long a2);

/* ---- Output helpers (guest/src/lib.c) ---- */

/* Write all n bytes to fd, retrying short writes. Returns n or a negative errno. */
long rvr_write_all(int fd, const void *buf, size_t n);
void rvr_print(const char *s);            /* string to stdout, no newline added */
void rvr_println(const char *s);          /* string and '\n' to stdout */
void rvr_putchar(int c);                  /* one byte to stdout */
void rvr_print_i64(int64_t v);            /* signed decimal */
void rvr_print_u64(uint64_t v);           /* unsigned decimal */
void rvr_print_hex(uint64_t v);           /* lowercase hex, no prefix, minimal digits */
void rvr_print_hex_width(uint64_t v, int digits); /* lowercase hex, zero-padded to digits */
void rvr_fprint(int fd, const char *s);
void rvr_fprint_i64(int fd, int64_t v);
void rvr_fprint_u64(int fd, uint64_t v);
void rvr_fprint_hex(int fd, uint64_t v);

/* Formatting into buffers: return the number of characters written (no NUL). The buffer needs
 * room for 21 (decimal) / 17 (hex) bytes including the NUL that is appended. */
size_t rvr_fmt_u64(char *buf, uint64_t v);
size_t rvr_fmt_i64(char *buf, int64_t v);
size_t rvr_fmt_hex(char *buf, uint64_t v, int min_digits);

/* A small printf: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' ' '#', width and precision
 * (also '*'), length modifiers hh h l ll z j t. No floating point. rvr_printf formats through a
 * 256-byte buffer, so long output becomes several writes. Return the formatted length. */
int rvr_printf(const char *fmt, ...) RVR_PRINTF(1, 2);
int rvr_fprintf(int fd, const char *fmt, ...) RVR_PRINTF(2, 3);
int rvr_vfprintf(int fd, const char *fmt, va_list ap);
int rvr_snprintf(char *buf, size_t cap, const char *fmt, ...) RVR_PRINTF(3, 4);
int rvr_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);

/* ---- Input helpers ---- */

/* Read the input stream until end of input or until cap bytes; returns the byte count. */
size_t rvr_read_all(void *buf, size_t cap);
/* Read the whole input stream into a malloc'd, NUL-terminated buffer; *len gets its length.
 * Returns NULL when out of memory. */
char *rvr_read_all_alloc(size_t *len);
/* Parse an unsigned decimal at *s (leading spaces skipped); advances *s. Returns dflt when no
 * digit is found. */
uint64_t rvr_parse_u64(const char **s, uint64_t dflt);
/* Read the whole input and parse one unsigned decimal from it; dflt when the input holds none
 * (e.g. it is empty). Used by benchmarks for their scale. */
uint64_t rvr_read_u64_arg(uint64_t dflt);

/* ---- Memory and strings (provided by the SDK on the guest, by libc natively) ---- */

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#ifdef __cplusplus
}
#endif

#endif /* RVR_GUEST_H */
