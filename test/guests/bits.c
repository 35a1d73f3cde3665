/* bits: bit manipulation with loops and with tricks, checked against each other — popcount,
 * count leading/trailing zeros, bit reversal, parity, rotations, next power of two, Gray code,
 * and a de Bruijn table — in 32 and 64 bits. Exit code 32. */
#include "rvr_guest.h"

static int pop_loop(uint64_t x) { int n = 0; while (x) { n += (int)(x & 1); x >>= 1; } return n; }
static int pop_kernighan(uint64_t x) { int n = 0; while (x) { x &= x - 1; n++; } return n; }
static int pop_swar(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (int)((x * 0x0101010101010101ull) >> 56);
}
static int clz64(uint64_t x) { int n = 0; if (!x) return 64; while (!(x & 0x8000000000000000ull)) { x <<= 1; n++; } return n; }
static int ctz64(uint64_t x) { int n = 0; if (!x) return 64; while (!(x & 1)) { x >>= 1; n++; } return n; }
static int clz32(uint32_t x) { int n = 0; if (!x) return 32; while (!(x & 0x80000000u)) { x <<= 1; n++; } return n; }
static int clz32_bsearch(uint32_t x) {
  if (!x) return 32;
  int n = 0;
  if (!(x & 0xffff0000u)) { n += 16; x <<= 16; }
  if (!(x & 0xff000000u)) { n += 8; x <<= 8; }
  if (!(x & 0xf0000000u)) { n += 4; x <<= 4; }
  if (!(x & 0xc0000000u)) { n += 2; x <<= 2; }
  if (!(x & 0x80000000u)) { n += 1; }
  return n;
}
static int ctz32_debruijn(uint32_t x) {
  static const int tab[32] = {0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
                              31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9};
  if (!x) return 32;
  return tab[((x & (0u - x)) * 0x077CB531u) >> 27];
}
static uint32_t rev32(uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
  return (x >> 16) | (x << 16);
}
static uint32_t rev32_loop(uint32_t x) { uint32_t r = 0; for (int i = 0; i < 32; i++) { r = (r << 1) | (x & 1); x >>= 1; } return r; }
static uint32_t rotl32(uint32_t x, unsigned k) { k &= 31; return k ? (x << k) | (x >> (32 - k)) : x; }
static uint64_t rotr64(uint64_t x, unsigned k) { k &= 63; return k ? (x >> k) | (x << (64 - k)) : x; }
static uint32_t next_pow2(uint32_t x) { x--; x |= x >> 1; x |= x >> 2; x |= x >> 4; x |= x >> 8; x |= x >> 16; return x + 1; }
static int parity(uint64_t x) { x ^= x >> 32; x ^= x >> 16; x ^= x >> 8; x ^= x >> 4; x ^= x >> 2; x ^= x >> 1; return (int)(x & 1); }

int main(void) {
  uint64_t x = 0x9e3779b97f4a7c15ull;
  int mismatches = 0;
  uint64_t acc = 0;
  for (int i = 0; i < 3000; i++) {
    x ^= x << 7;
    x ^= x >> 9;
    uint64_t v = x >> (i % 61);
    uint32_t w = (uint32_t)(v ^ (v >> 32));
    int p1 = pop_loop(v), p2 = pop_kernighan(v), p3 = pop_swar(v);
    mismatches += (p1 != p2) + (p2 != p3);
    mismatches += clz32(w) != clz32_bsearch(w);
    mismatches += (ctz64(w) == 64 ? 32 : ctz64(w)) != ctz32_debruijn(w);
    mismatches += rev32(w) != rev32_loop(w);
    mismatches += parity(v) != (p1 & 1);
    acc = acc * 31 + (uint64_t)p1 * 7 + (uint64_t)clz64(v) * 11 + (uint64_t)ctz64(v) * 13 + rev32(w) +
          rotl32(w, (unsigned)i) + rotr64(v, (unsigned)i) + next_pow2(w & 0x7fffffffu);
  }
  rvr_printf("mismatches=%d acc=%016llx\n", mismatches, (unsigned long long)acc);
  static const uint64_t samples[] = {0, 1, 0x80, 0xffffffffull, 0x100000000ull, 0x8000000000000000ull,
                                     0xffffffffffffffffull, 0x0123456789abcdefull};
  for (int i = 0; i < 8; i++) {
    uint64_t v = samples[i];
    rvr_printf("%016llx pop=%2d clz=%2d ctz=%2d parity=%d rev32=%08x gray=%016llx\n",
               (unsigned long long)v, pop_swar(v), clz64(v), ctz64(v), parity(v), rev32((uint32_t)v),
               (unsigned long long)(v ^ (v >> 1)));
  }
  for (uint32_t v = 1; v < 2000000000u; v = v * 5 + 3) rvr_printf("next_pow2(%u)=%u ", v, next_pow2(v));
  rvr_print("\n");
  /* Population count over 0..65535 summed both ways. */
  uint32_t s1 = 0, s2 = 0;
  for (uint32_t v = 0; v < 65536; v++) { s1 += (uint32_t)pop_kernighan(v); s2 += (uint32_t)pop_swar(v); }
  rvr_printf("sum popcount 0..65535 = %u %u\n", s1, s2);
  return 32 + mismatches;
}
