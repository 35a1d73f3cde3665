/* matmul: integer matrix multiply — 4x4 printed in full, 24x24 int32 and 16x16 int64 with
 * checksums, associativity (AB)C == A(BC), multiplication by the identity, and a transposed
 * (cache-friendly) variant that must agree with the naive one. Exit code 24. */
#include "rvr_guest.h"

#define N 24

static void mul32(int32_t *c, const int32_t *a, const int32_t *b, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      int32_t s = 0;
      for (int k = 0; k < n; k++) s = (int32_t)((uint32_t)s + (uint32_t)a[i * n + k] * (uint32_t)b[k * n + j]);
      c[i * n + j] = s;
    }
}

static void mul32_t(int32_t *c, const int32_t *a, const int32_t *b, int n) {
  static int32_t bt[N * N];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) bt[j * n + i] = b[i * n + j];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      uint32_t s = 0;
      const int32_t *ra = a + i * n, *rb = bt + j * n;
      for (int k = 0; k < n; k++) s += (uint32_t)ra[k] * (uint32_t)rb[k];
      c[i * n + j] = (int32_t)s;
    }
}

static void mul64(int64_t *c, const int64_t *a, const int64_t *b, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      uint64_t s = 0;
      for (int k = 0; k < n; k++) s += (uint64_t)a[i * n + k] * (uint64_t)b[k * n + j];
      c[i * n + j] = (int64_t)s;
    }
}

static uint32_t sum32(const int32_t *m, int n) {
  uint32_t h = 0;
  for (int i = 0; i < n * n; i++) h = h * 31u + (uint32_t)m[i];
  return h;
}

int main(void) {
  int32_t a4[16], b4[16], c4[16];
  for (int i = 0; i < 16; i++) { a4[i] = i - 5; b4[i] = (i * 7) % 11 - 3; }
  mul32(c4, a4, b4, 4);
  for (int i = 0; i < 4; i++) rvr_printf("%6d %6d %6d %6d\n", c4[i * 4], c4[i * 4 + 1], c4[i * 4 + 2], c4[i * 4 + 3]);

  static int32_t a[N * N], b[N * N], c[N * N], ab[N * N], bc[N * N], r1[N * N], r2[N * N], id[N * N];
  uint32_t x = 2024;
  for (int i = 0; i < N * N; i++) {
    x = x * 1103515245u + 12345u; a[i] = (int32_t)(x >> 20) - 2048;
    x = x * 1103515245u + 12345u; b[i] = (int32_t)(x >> 20) - 2048;
    x = x * 1103515245u + 12345u; c[i] = (int32_t)(x >> 24) - 128;
    id[i] = (i / N) == (i % N);
  }
  mul32(ab, a, b, N);
  mul32_t(r1, a, b, N);
  rvr_printf("AB checksum %08x transposed agrees=%d\n", sum32(ab, N), memcmp(ab, r1, sizeof ab) == 0);
  mul32(r1, ab, c, N);
  mul32(bc, b, c, N);
  mul32(r2, a, bc, N);
  rvr_printf("(AB)C checksum %08x A(BC) agrees=%d\n", sum32(r1, N), memcmp(r1, r2, sizeof r1) == 0);
  mul32(r1, a, id, N);
  rvr_printf("A*I == A: %d, trace(AB) = %d\n", memcmp(r1, a, sizeof a) == 0,
             ab[0] + ab[N + 1] + ab[2 * N + 2] + ab[N * N - 1]);

  static int64_t p[256], q[256], pq[256];
  uint64_t y = 77;
  for (int i = 0; i < 256; i++) {
    y = y * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = (int64_t)(y >> 20);
    y = y * 6364136223846793005ull + 1442695040888963407ull;
    q[i] = (int64_t)(y >> 40) - (1 << 23);
  }
  mul64(pq, p, q, 16);
  uint64_t h = 0;
  for (int i = 0; i < 256; i++) h = h * 1099511628211ull ^ (uint64_t)pq[i];
  rvr_printf("int64 16x16 checksum %016llx pq[0]=%lld pq[255]=%lld\n", (unsigned long long)h, (long long)pq[0],
             (long long)pq[255]);
  return N;
}
