/* bench bignum: schoolbook multiplication of 512-limb (16384-bit) numbers on 32-bit limbs with
 * 64-bit partial products; each round multiplies A*B and feeds the halves of the product back.
 * Input: optional scale = number of multiplications; default 3000. */
#include "rvr_guest.h"

#define LIMBS 512
#define DEFAULT_SCALE 3000u

static uint32_t A[LIMBS], B[LIMBS], P[2 * LIMBS];

static void mul(uint32_t *p, const uint32_t *a, const uint32_t *b, int n) {
  for (int i = 0; i < 2 * n; i++) p[i] = 0;
  for (int i = 0; i < n; i++) {
    uint64_t carry = 0;
    uint64_t ai = a[i];
    for (int j = 0; j < n; j++) {
      uint64_t t = ai * b[j] + p[i + j] + carry;
      p[i + j] = (uint32_t)t;
      carry = t >> 32;
    }
    p[i + n] = (uint32_t)carry;
  }
}

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  uint32_t x = 7;
  for (int i = 0; i < LIMBS; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5; A[i] = x;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5; B[i] = x;
  }
  for (uint64_t r = 0; r < scale; r++) {
    mul(P, A, B, LIMBS);
    for (int i = 0; i < LIMBS; i++) {
      A[i] = P[i] ^ (uint32_t)r;
      B[i] = P[LIMBS + i] | 1u;
    }
  }
  uint64_t h = 0;
  for (int i = 0; i < 2 * LIMBS; i++) h = (h ^ P[i]) * 0x100000001b3ull;
  rvr_printf("bignum scale %llu top %08x%08x checksum %016llx\n", (unsigned long long)scale, P[2 * LIMBS - 1],
             P[2 * LIMBS - 2], (unsigned long long)h);
  return 0;
}
