/* bench sieve: segmented Sieve of Eratosthenes over [0, 100000 x scale) with 32 KiB segments;
 * prints the prime count and a checksum of the primes. Input: optional scale; default 2000. */
#include "rvr_guest.h"

#define DEFAULT_SCALE 2000u
#define SEG 32768u

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  uint64_t limit = scale * 100000u;
  uint32_t root = 1;
  while ((uint64_t)root * root < limit) root++;
  /* base primes up to root with a simple sieve */
  uint8_t *small = (uint8_t *)calloc(root + 1, 1);
  uint32_t *primes = (uint32_t *)malloc((root / 2 + 2) * sizeof *primes);
  uint64_t *next = (uint64_t *)malloc((root / 2 + 2) * sizeof *next);
  uint32_t np = 0;
  for (uint32_t i = 2; i <= root; i++) {
    if (small[i]) continue;
    primes[np] = i;
    next[np] = (uint64_t)i * i;
    np++;
    for (uint64_t j = (uint64_t)i * i; j <= root; j += i) small[j] = 1;
  }
  static uint8_t seg[SEG];
  uint64_t count = 0, sum = 0, h = 0;
  for (uint64_t lo = 0; lo < limit; lo += SEG) {
    uint64_t hi = lo + SEG < limit ? lo + SEG : limit;
    memset(seg, 0, SEG);
    for (uint32_t k = 0; k < np; k++) {
      uint64_t p = primes[k];
      uint64_t j = next[k];
      if (j >= hi) continue;
      uint32_t off = (uint32_t)(j - lo);
      uint32_t span = (uint32_t)(hi - lo);
      uint32_t step = (uint32_t)p;
      for (; off < span; off += step) seg[off] = 1;
      next[k] = lo + off;
    }
    for (uint64_t n = lo; n < hi; n++) {
      if (n < 2 || seg[n - lo]) continue;
      count++;
      sum += n;
      h = (h ^ n) * 0x100000001b3ull;
    }
  }
  rvr_printf("sieve scale %llu limit %llu primes %llu sum %llu checksum %016llx\n", (unsigned long long)scale,
             (unsigned long long)limit, (unsigned long long)count, (unsigned long long)sum, (unsigned long long)h);
  free(small);
  free(primes);
  free(next);
  return 0;
}
