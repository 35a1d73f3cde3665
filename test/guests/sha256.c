/* sha256: a straightforward SHA-256 (FIPS 180-4) over the standard test vectors, a million 'a's
 * fed in odd-sized pieces, generated data, and the input stream. Digests also go to the public
 * output. Exit code: 0 when the known vectors match. */
#include "rvr_guest.h"

typedef struct {
  uint32_t h[8];
  uint8_t buf[64];
  uint32_t used;
  uint64_t total;
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void compress(uint32_t *h, const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
           p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha_init(sha256_ctx *c) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, iv, sizeof iv);
  c->used = 0;
  c->total = 0;
}

static void sha_update(sha256_ctx *c, const void *data, size_t n) {
  const uint8_t *p = (const uint8_t *)data;
  c->total += n;
  while (n > 0) {
    uint32_t take = 64 - c->used;
    if (take > n) take = (uint32_t)n;
    memcpy(c->buf + c->used, p, take);
    c->used += take;
    p += take;
    n -= take;
    if (c->used == 64) {
      compress(c->h, c->buf);
      c->used = 0;
    }
  }
}

static void sha_final(sha256_ctx *c, uint8_t out[32]) {
  uint64_t bits = c->total * 8;
  uint8_t pad = 0x80;
  sha_update(c, &pad, 1);
  uint8_t zero = 0;
  while (c->used != 56) sha_update(c, &zero, 1);
  uint8_t len[8];
  for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
  sha_update(c, len, 8);
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(c->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)c->h[i];
  }
}

static void hex(const uint8_t *d, char *out) {
  for (int i = 0; i < 32; i++) rvr_fmt_hex(out + 2 * i, d[i], 2);
  out[64] = 0;
}

static int check(const char *label, const void *msg, size_t n, const char *want) {
  sha256_ctx c;
  uint8_t d[32];
  char h[65];
  sha_init(&c);
  sha_update(&c, msg, n);
  sha_final(&c, d);
  hex(d, h);
  int ok = strcmp(h, want) == 0;
  rvr_printf("%-10s %s %s\n", label, h, ok ? "ok" : "MISMATCH");
  return ok;
}

int main(void) {
  int bad = 0;
  bad += !check("empty", "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  bad += !check("abc", "abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  bad += !check("448bits", m448, strlen(m448),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

  /* One million 'a' in pieces of varying size. */
  sha256_ctx c;
  uint8_t d[32];
  char h[65];
  static uint8_t chunk[997];
  memset(chunk, 'a', sizeof chunk);
  sha_init(&c);
  uint32_t left = 1000000, piece = 1;
  while (left > 0) {
    uint32_t take = piece < left ? piece : left;
    sha_update(&c, chunk, take);
    left -= take;
    piece = piece * 7 % 997 + 1;
  }
  sha_final(&c, d);
  hex(d, h);
  int ok = strcmp(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0;
  bad += !ok;
  rvr_printf("%-10s %s %s\n", "million-a", h, ok ? "ok" : "MISMATCH");

  /* Generated data: 64 KiB from an xorshift generator. */
  static uint8_t data[65536];
  uint32_t x = 0x9e3779b9u;
  for (size_t i = 0; i < sizeof data; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    data[i] = (uint8_t)x;
  }
  for (uint32_t n = 1; n <= sizeof data; n *= 4) {
    sha_init(&c);
    sha_update(&c, data, n);
    sha_final(&c, d);
    hex(d, h);
    rvr_printf("gen[%5u] %s\n", (unsigned)n, h);
    rvr_public_output(h, 16);
    rvr_public_output("\n", 1);
  }

  size_t len;
  char *in = rvr_read_all_alloc(&len);
  sha_init(&c);
  sha_update(&c, in, len);
  sha_final(&c, d);
  hex(d, h);
  rvr_printf("stdin(%u) %s\n", (unsigned)len, h);
  rvr_public_output(h, 64);
  rvr_public_output("\n", 1);
  return bad;
}
