/* base64: RFC 4648 base64 encoding of the input stream (wrapped at 76 columns), decoding it
 * back and comparing, the RFC test vectors, and rejection of malformed text. The encoded input
 * also goes to the public output. Exit code: 0 when everything round-trips. */
#include "rvr_guest.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t encode(const uint8_t *in, size_t n, char *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16;
    if (i + 1 < n) v |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[k++] = alphabet[(v >> 18) & 63];
    out[k++] = alphabet[(v >> 12) & 63];
    out[k++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    out[k++] = i + 2 < n ? alphabet[v & 63] : '=';
  }
  out[k] = 0;
  return k;
}

static int value(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Returns the decoded length, or -1 for malformed input. Whitespace is skipped. */
static long decode(const char *in, size_t n, uint8_t *out) {
  uint32_t acc = 0;
  int have = 0, pad = 0;
  long k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = in[i];
    if (c == '\n' || c == '\r' || c == ' ') continue;
    if (c == '=') { pad++; acc <<= 6; have++; }
    else {
      if (pad) return -1;
      int v = value((unsigned char)c);
      if (v < 0) return -1;
      acc = acc << 6 | (uint32_t)v;
      have++;
    }
    if (have == 4) {
      if (pad > 2) return -1;
      out[k++] = (uint8_t)(acc >> 16);
      if (pad < 2) out[k++] = (uint8_t)(acc >> 8);
      if (pad < 1) out[k++] = (uint8_t)acc;
      acc = 0;
      have = 0;
    }
  }
  return have == 0 ? k : -1;
}

int main(void) {
  int bad = 0;
  static const char *const vectors[][2] = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
                                          {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  char enc[256];
  uint8_t dec[256];
  for (int i = 0; i < 7; i++) {
    encode((const uint8_t *)vectors[i][0], strlen(vectors[i][0]), enc);
    long n = decode(vectors[i][1], strlen(vectors[i][1]), dec);
    int ok = strcmp(enc, vectors[i][1]) == 0 && n == (long)strlen(vectors[i][0]) &&
             memcmp(dec, vectors[i][0], (size_t)n) == 0;
    bad += !ok;
    rvr_printf("\"%s\" -> \"%s\" %s\n", vectors[i][0], enc, ok ? "ok" : "FAIL");
  }
  static const char *const malformed[] = {"Zg=", "Z===", "Zm9v!", "Zg==Zg", "=Zg="};
  for (int i = 0; i < 5; i++) {
    long n = decode(malformed[i], strlen(malformed[i]), dec);
    rvr_printf("decode \"%s\" -> %ld\n", malformed[i], n);
    bad += n != -1;
  }
  /* all 256 byte values */
  uint8_t all[256];
  for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
  static char big[1024];
  size_t m = encode(all, 256, big);
  long back = decode(big, m, dec);
  rvr_printf("256 bytes -> %u chars, round trip %s\n", (unsigned)m,
             back == 256 && memcmp(dec, all, 256) == 0 ? "ok" : "FAIL");

  size_t len;
  char *in = rvr_read_all_alloc(&len);
  char *out = (char *)malloc(len / 3 * 4 + 8);
  size_t olen = encode((const uint8_t *)in, len, out);
  rvr_printf("input: %u bytes -> %u base64 chars\n", (unsigned)len, (unsigned)olen);
  for (size_t i = 0; i < olen; i += 76) {
    size_t w = olen - i < 76 ? olen - i : 76;
    rvr_write_all(RVR_STDOUT, out + i, w);
    rvr_write_all(RVR_STDOUT, "\n", 1);
  }
  rvr_public_output(out, olen);
  rvr_public_output("\n", 1);
  uint8_t *round = (uint8_t *)malloc(len + 4);
  long rl = decode(out, olen, round);
  int ok = rl == (long)len && memcmp(round, in, len) == 0;
  rvr_printf("input round trip %s\n", ok ? "ok" : "FAIL");
  bad += !ok;
  return bad;
}
