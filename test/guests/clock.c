/* clock: rvr_clock_ns (clock_gettime 113 on RV64, clock_gettime64 403 on RV32) is monotonic and
 * advances across calls and across work; only those facts are printed, so the output does not
 * depend on real time. Exit code 13. */
#include "rvr_guest.h"

int main(void) {
  uint64_t t0 = rvr_clock_ns();
  uint64_t t1 = rvr_clock_ns();
  volatile uint32_t x = 1;
  for (int i = 0; i < 100000; i++) x = x * 3 + 1;
  uint64_t t2 = rvr_clock_ns();
  int monotonic = 1;
  uint64_t prev = t2;
  for (int i = 0; i < 100; i++) {
    uint64_t t = rvr_clock_ns();
    if (t < prev) monotonic = 0;
    prev = t;
  }
  rvr_printf("t1 > t0: %d\n", t1 > t0);
  rvr_printf("t2 > t1: %d\n", t2 > t1);
  rvr_printf("monotonic over 100 calls: %d\n", monotonic);
  rvr_printf("advanced overall: %d\n", prev > t0);
  rvr_printf("work result %u\n", (unsigned)x);
  return 13;
}
