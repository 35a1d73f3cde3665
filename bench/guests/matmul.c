/* bench matmul: repeated 64x64 int32 matrix products, each feeding the next (C = A*B, then A
 * is C mixed with the step number). Input: optional scale = number of products; default 5000. */
#include "rvr_guest.h"

#define N 64
#define DEFAULT_SCALE 5000u

static uint32_t A[N * N], B[N * N], C[N * N];

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  uint32_t x = 1;
  for (int i = 0; i < N * N; i++) {
    x = x * 1664525u + 1013904223u; A[i] = x >> 16;
    x = x * 1664525u + 1013904223u; B[i] = x >> 16;
  }
  for (uint64_t s = 0; s < scale; s++) {
    for (int i = 0; i < N; i++) {
      uint32_t *c = C + i * N;
      for (int j = 0; j < N; j++) c[j] = 0;
      for (int k = 0; k < N; k++) {
        uint32_t a = A[i * N + k];
        const uint32_t *b = B + k * N;
        for (int j = 0; j < N; j++) c[j] += a * b[j];
      }
    }
    for (int i = 0; i < N * N; i++) A[i] = (C[i] >> 7) ^ (uint32_t)s ^ (uint32_t)i;
  }
  uint64_t h = 1469598103934665603ull;
  for (int i = 0; i < N * N; i++) h = (h ^ C[i]) * 1099511628211ull;
  rvr_printf("matmul scale %llu checksum %016llx\n", (unsigned long long)scale, (unsigned long long)h);
  return 0;
}
