/* A small guest program: reads a name from its input, greets it, and reports primes. */
#include "rvr_guest.h"

static int is_prime(unsigned n) {
  if (n < 2) return 0;
  for (unsigned d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

int main(void) {
  char name[64];
  long n = rvr_read(0, name, sizeof name - 1);
  while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\r')) n--;
  name[n > 0 ? n : 0] = 0;
  rvr_print("hello, ");
  rvr_print(n > 0 ? name : "world");
  rvr_print("\n");
  unsigned count = 0;
  for (unsigned i = 0; i < 100000; i++) count += is_prime(i);
  rvr_print("primes below 100000: ");
  rvr_print_u64(count);
  rvr_print("\n");
  return count == 9592 ? 0 : 1;
}
