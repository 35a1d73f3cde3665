/*
 * System calls of the guest SDK: `ecall` with the Linux RISC-V number in a7, arguments in
 * a0..a2, result in a0 (negative errno on failure). See src/isa/abi.ts.
 */
#include "rvr_guest.h"

#if !defined(__riscv)
#error "syscalls_riscv.c is for RISC-V guests; natively use bench/native/rvr_native.c"
#endif

#define RVR_SYS_READ 63
#define RVR_SYS_WRITE 64
#define RVR_SYS_EXIT 93
#define RVR_SYS_EXIT_GROUP 94
#define RVR_SYS_CLOCK_GETTIME 113
#define RVR_SYS_CLOCK_GETTIME64 403
#define RVR_SYS_BRK 214
#define RVR_CLOCK_MONOTONIC 1

long rvr_syscall3(long number, long a0, long a1, long a2) {
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a7 __asm__("a7") = number;
  __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
  return r_a0;
}

long rvr_write(int fd, const void *buf, size_t n) {
  return rvr_syscall3(RVR_SYS_WRITE, fd, (long)(uintptr_t)buf, (long)n);
}

long rvr_read(int fd, void *buf, size_t n) {
  return rvr_syscall3(RVR_SYS_READ, fd, (long)(uintptr_t)buf, (long)n);
}

long rvr_public_output(const void *buf, size_t n) {
  return rvr_write(RVR_PUBLIC, buf, n);
}

void rvr_exit(int code) {
  register long r_a0 __asm__("a0") = code;
  register long r_a7 __asm__("a7") = RVR_SYS_EXIT;
  for (;;) {
    __asm__ volatile("ecall" : : "r"(r_a0), "r"(r_a7) : "memory");
    /* exit never returns; if an environment lets it, try exit_group and then spin. */
    r_a7 = RVR_SYS_EXIT_GROUP;
  }
}

void *rvr_brk(void *addr) {
  return (void *)(uintptr_t)rvr_syscall3(RVR_SYS_BRK, (long)(uintptr_t)addr, 0, 0);
}

void *rvr_sbrk(intptr_t incr) {
  /* Ask for the current break every time, so direct rvr_brk calls never leave a stale copy. */
  uintptr_t old = (uintptr_t)rvr_brk(0);
  if (incr == 0) return (void *)old;
  uintptr_t want = old + (uintptr_t)incr;
  /* Refuse wrap-around in either direction. */
  if ((incr > 0 && want < old) || (incr < 0 && want > old)) return (void *)-1;
  if ((uintptr_t)rvr_brk((void *)want) != want) return (void *)-1;
  return (void *)old;
}

/* struct __kernel_timespec: 64-bit seconds and nanoseconds on both XLENs (RV64's timespec has
 * a 64-bit long, RV32 uses clock_gettime64). */
struct rvr_timespec64 {
  int64_t sec;
  int64_t nsec;
};

uint64_t rvr_clock_ns(void) {
  struct rvr_timespec64 ts = {0, 0};
#if __riscv_xlen == 32
  long r = rvr_syscall3(RVR_SYS_CLOCK_GETTIME64, RVR_CLOCK_MONOTONIC, (long)(uintptr_t)&ts, 0);
#else
  long r = rvr_syscall3(RVR_SYS_CLOCK_GETTIME, RVR_CLOCK_MONOTONIC, (long)(uintptr_t)&ts, 0);
#endif
  if (r != 0) return 0;
  return (uint64_t)ts.sec * 1000000000u + (uint64_t)ts.nsec;
}
