/* RV64IM guest: Fibonacci numbers with 64-bit arithmetic; the 90th goes to the public output. */
#include "rvr_guest.h"

int main(void) {
  uint64_t a = 0, b = 1;
  for (int i = 0; i < 90; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  rvr_printf("fib(90) = %llu\n", (unsigned long long)a);
  rvr_public_output(&a, sizeof a);
  return (int)(a % 7);
}
