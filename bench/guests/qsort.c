/* bench qsort: quicksort (median of three, insertion sort for short ranges) of 10000 x scale
 * pseudo-random 32-bit integers, verified sorted. Input: optional scale; default 600 (6M ints). */
#include "rvr_guest.h"

#define DEFAULT_SCALE 600u

static void insertion(uint32_t *a, long n) {
  for (long i = 1; i < n; i++) {
    uint32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

static void quicksort(uint32_t *a, long n) {
  while (n > 24) {
    uint32_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint32_t p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i >= j) break;
      uint32_t t = a[i]; a[i] = a[j]; a[j] = t;
      i++; j--;
    }
    /* recurse into the smaller part */
    if (j + 1 < n - j - 1) { quicksort(a, j + 1); a += j + 1; n -= j + 1; }
    else { quicksort(a + j + 1, n - j - 1); n = j + 1; }
  }
  insertion(a, n);
}

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  size_t n = (size_t)scale * 10000u;
  uint32_t *a = (uint32_t *)malloc(n * sizeof *a);
  if (!a) { rvr_print("out of memory\n"); return 1; }
  uint64_t s = 88172645463325252ull;
  for (size_t i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    a[i] = (uint32_t)(s >> 16);
  }
  quicksort(a, (long)n);
  uint64_t h = 0;
  int ok = 1;
  for (size_t i = 0; i < n; i++) {
    if (i && a[i - 1] > a[i]) ok = 0;
    h = h * 31 + a[i];
  }
  rvr_printf("qsort scale %llu n %llu sorted %d checksum %016llx\n", (unsigned long long)scale,
             (unsigned long long)n, ok, (unsigned long long)h);
  return ok ? 0 : 1;
}
