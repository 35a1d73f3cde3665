/* sieve: Sieve of Eratosthenes up to 200000 on a byte array, plus a bit-packed odd-only sieve
 * that must agree; prime counts at powers of ten, the last primes, twin primes, the largest prime
 * gap, and a Goldbach check for even numbers up to 10000. Exit code: primes below 100 (25). */
#include "rvr_guest.h"

#define LIMIT 200000

static uint8_t composite[LIMIT + 1];
static uint32_t bits[(LIMIT / 2) / 32 + 1];

static int is_prime_bits(uint32_t n) {
  if (n < 2) return 0;
  if (n == 2) return 1;
  if (!(n & 1)) return 0;
  uint32_t i = n / 2;
  return !((bits[i / 32] >> (i % 32)) & 1);
}

int main(void) {
  composite[0] = composite[1] = 1;
  for (uint32_t i = 2; i * i <= LIMIT; i++)
    if (!composite[i])
      for (uint32_t j = i * i; j <= LIMIT; j += i) composite[j] = 1;
  /* odd-only: index i stands for 2i+1 */
  bits[0] |= 1; /* 1 is not prime */
  for (uint32_t i = 1; (2 * i + 1) * (2 * i + 1) <= LIMIT; i++) {
    if ((bits[i / 32] >> (i % 32)) & 1) continue;
    uint32_t p = 2 * i + 1;
    for (uint32_t j = p * p / 2; j <= LIMIT / 2; j += p) bits[j / 32] |= 1u << (j % 32);
  }
  uint32_t count = 0, mismatches = 0, twins = 0, prev = 0, gap = 0, gap_at = 0;
  uint64_t sum = 0;
  uint32_t next_report = 10;
  int below100 = 0;
  for (uint32_t n = 0; n <= LIMIT; n++) {
    int p = !composite[n];
    mismatches += p != is_prime_bits(n);
    if (n == next_report) {
      rvr_printf("pi(%u) = %u\n", n, count);
      next_report *= 10;
    }
    if (!p) continue;
    count++;
    sum += n;
    if (n < 100) below100++;
    if (prev && n - prev == 2) twins++;
    if (prev && n - prev > gap) { gap = n - prev; gap_at = prev; }
    prev = n;
  }
  rvr_printf("pi(%u) = %u, sum = %llu, twin pairs = %u\n", LIMIT, count, (unsigned long long)sum, twins);
  rvr_printf("largest gap %u after %u\n", gap, gap_at);
  rvr_print("last primes:");
  int shown = 0;
  for (uint32_t n = LIMIT; shown < 5; n--)
    if (!composite[n]) { rvr_printf(" %u", n); shown++; }
  rvr_print("\n");
  uint32_t goldbach_fail = 0, max_first = 0, max_at = 0;
  for (uint32_t e = 4; e <= 10000; e += 2) {
    uint32_t p = 2;
    while (composite[p] || composite[e - p]) p++;
    if (p > e / 2) goldbach_fail++;
    if (p > max_first) { max_first = p; max_at = e; }
  }
  rvr_printf("goldbach failures %u; largest smallest-prime %u (for %u)\n", goldbach_fail, max_first, max_at);
  rvr_printf("bit sieve mismatches %u\n", mismatches);
  return below100;
}
