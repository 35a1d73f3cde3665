/* syscalls: the system-call surface directly — unknown calls return -ENOSYS (-38), reads and
 * writes on unopened descriptors return -EBADF (-9), zero-length reads and writes return 0,
 * partial reads and reads at end of input, and the exit status keeps only its low 8 bits:
 * rvr_exit(0x12A) exits with 0x2A = 42. */
#include "rvr_guest.h"

int main(void) {
  long r = rvr_syscall3(1000, 1, 2, 3);
  rvr_printf("syscall 1000 -> %ld\n", r);
  r = rvr_syscall3(999, 0, 0, 0);
  rvr_printf("syscall 999 -> %ld\n", r);
  r = rvr_write(9, "x", 1);
  rvr_printf("write(fd 9) -> %ld\n", r);
  r = rvr_write(-1, "x", 1);
  rvr_printf("write(fd -1) -> %ld\n", r);
  char b[16];
  r = rvr_read(7, b, sizeof b);
  rvr_printf("read(fd 7) -> %ld\n", r);
  r = rvr_write(RVR_STDOUT, "", 0);
  rvr_printf("write(stdout, 0 bytes) -> %ld\n", r);
  r = rvr_read(RVR_STDIN, b, 0);
  rvr_printf("read(stdin, 0 bytes) -> %ld\n", r);
  r = rvr_read(RVR_STDIN, b, 5);
  rvr_printf("read(stdin, 5) -> %ld \"%.*s\"\n", r, r > 0 ? (int)r : 0, b);
  size_t n = rvr_read_all(b, sizeof b);
  rvr_printf("rest of input %u bytes \"%.*s\"\n", (unsigned)n, (int)n, b);
  r = rvr_read(RVR_STDIN, b, sizeof b);
  rvr_printf("read at EOF -> %ld\n", r);
  r = rvr_write(RVR_STDERR, "to stderr\n", 10);
  rvr_printf("write(stderr) -> %ld\n", r);
  r = rvr_public_output("public bytes\n", 13);
  rvr_printf("write(public) -> %ld\n", r);
  /* exit keeps the low 8 bits of the status */
  rvr_exit(0x12A);
}
