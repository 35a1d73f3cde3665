/* arith64: 64-bit integer arithmetic with fixed-width types — on RV32 this exercises register
 * pairs and libgcc's __udivdi3/__divdi3/__umoddi3/__moddi3 and multi-word shifts; on RV64 the
 * native instructions. Also 32x32->64 products (mulh/mulhu/mulhsu) and a 64x64->128 product
 * built from 32-bit halves. Exit code 64. */
#include "rvr_guest.h"

static const uint64_t U[] = {
    0, 1, 2, 3, 7, 10, 255, 0x7fffffffull, 0x80000000ull, 0xffffffffull, 0x100000000ull,
    0x123456789abcdefull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull,
    0xffffffffffffffffull, 1000000007ull, 0xdeadbeefcafebabeull, 99999999999ull, 0x00ff00ff00ff00ffull};
#define NU (sizeof U / sizeof U[0])

static volatile uint64_t sink;
static uint64_t mix = 0;
static void absorb(uint64_t v) { mix = (mix ^ v) * 0x100000001b3ull; }

static void mul64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) {
  uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  *lo = (mid << 32) | (uint32_t)p00;
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

int main(void) {
  for (unsigned i = 0; i < NU; i++) {
    for (unsigned j = 0; j < NU; j++) {
      uint64_t a = U[i], b = U[j];
      int64_t sa = (int64_t)a, sb = (int64_t)b;
      absorb(a + b);
      absorb(a - b);
      absorb(a * b);
      if (b != 0) {
        absorb(a / b);
        absorb(a % b);
        if (!(sa == INT64_MIN && sb == -1)) {
          absorb((uint64_t)(sa / sb));
          absorb((uint64_t)(sa % sb));
        }
      }
      unsigned sh = (unsigned)(b & 63);
      absorb(a << sh);
      absorb(a >> sh);
      absorb((uint64_t)(sa >> sh));
      absorb((uint64_t)(sa < sb) | (uint64_t)(a < b) << 1 | (uint64_t)(a == b) << 2);
      uint64_t hi, lo;
      mul64x64(a, b, &hi, &lo);
      absorb(hi);
      absorb(lo);
    }
  }
  rvr_printf("mix over %u pairs = %016llx\n", (unsigned)(NU * NU), (unsigned long long)mix);

  /* A few readable results. */
  uint64_t big = 0xdeadbeefcafebabeull;
  rvr_printf("big / 1000000007 = %llu rem %llu\n", (unsigned long long)(big / 1000000007ull),
             (unsigned long long)(big % 1000000007ull));
  int64_t neg = -9223372036854775807ll;
  rvr_printf("neg / 10 = %lld, neg %% 10 = %lld, neg / -3 = %lld\n", (long long)(neg / 10),
             (long long)(neg % 10), (long long)(neg / -3));
  rvr_printf("-7 / 2 = %lld, -7 %% 2 = %lld, 7 / -2 = %lld, 7 %% -2 = %lld\n", (long long)(-7ll / 2),
             (long long)(-7ll % 2), (long long)(7ll / -2), (long long)(7ll % -2));
  for (unsigned s = 0; s < 64; s += 9)
    rvr_printf("shift %2u: %016llx %016llx %016llx\n", s, (unsigned long long)(big << s),
               (unsigned long long)(big >> s), (unsigned long long)((int64_t)big >> s));

  /* 32x32 -> 64 products: compiled to mul + mulh/mulhu on RV32. */
  int32_t xs[] = {0, 1, -1, 0x7fffffff, (int32_t)0x80000000, 123456789, -987654321};
  uint64_t pmix = 0;
  for (unsigned i = 0; i < 7; i++)
    for (unsigned j = 0; j < 7; j++) {
      int64_t ss = (int64_t)xs[i] * xs[j];
      uint64_t uu = (uint64_t)(uint32_t)xs[i] * (uint32_t)xs[j];
      int64_t su = (int64_t)xs[i] * (int64_t)(uint64_t)(uint32_t)xs[j];
      pmix = (pmix ^ (uint64_t)ss) * 31 + uu + (uint64_t)su;
      if (i == 3 && j == 4)
        rvr_printf("max*min: ss=%lld uu=%llu su=%lld\n", (long long)ss, (unsigned long long)uu, (long long)su);
    }
  rvr_printf("products mix = %016llx\n", (unsigned long long)pmix);

  /* Factorials mod 2^64 and a 64-bit LCG. */
  uint64_t f = 1;
  for (unsigned i = 1; i <= 25; i++) f *= i;
  rvr_printf("25! mod 2^64 = %llu\n", (unsigned long long)f);
  uint64_t st = 1;
  for (int i = 0; i < 1000; i++) st = st * 6364136223846793005ull + 1442695040888963407ull;
  rvr_printf("pcg state after 1000 = %016llx\n", (unsigned long long)st);
  sink = st;
  return 64;
}
