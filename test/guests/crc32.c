/* crc32: CRC-32 (IEEE 802.3, reflected 0xEDB88320) computed bit by bit, with a 256-entry table
 * and with slicing-by-4, over generated data and the input stream; the three must agree.
 * Exit code 3 (fixed, to check non-zero exits). */
#include "rvr_guest.h"

static uint32_t table[4][256];

static void init_tables(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) {
    for (int t = 1; t < 4; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
  }
}

static uint32_t crc_bitwise(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

static uint32_t crc_table(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = table[0][(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

static uint32_t crc_slice4(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n >= 4) {
    c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    c = table[3][c & 0xff] ^ table[2][(c >> 8) & 0xff] ^ table[1][(c >> 16) & 0xff] ^ table[0][c >> 24];
    p += 4;
    n -= 4;
  }
  while (n--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

static uint8_t data[30000];

int main(void) {
  init_tables();
  rvr_printf("table[1]=%08x table[128]=%08x table[255]=%08x\n", table[0][1], table[0][128], table[0][255]);
  const char *check = "123456789";
  rvr_printf("check \"123456789\" = %08x (expect cbf43926)\n", crc_table((const uint8_t *)check, 9));
  uint64_t s = 88172645463325252ull;
  for (size_t i = 0; i < sizeof data; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    data[i] = (uint8_t)(s >> 32);
  }
  int mismatches = 0;
  for (size_t n = 0; n <= sizeof data; n = n * 3 + 1) {
    uint32_t a = crc_bitwise(data, n), b = crc_table(data, n), c = crc_slice4(data, n);
    mismatches += (a != b) + (b != c);
    rvr_printf("n=%6u crc=%08x\n", (unsigned)n, a);
  }
  /* Unaligned starts for the slicing variant. */
  for (int off = 1; off < 4; off++) {
    uint32_t a = crc_table(data + off, 1001), c = crc_slice4(data + off, 1001);
    mismatches += a != c;
    rvr_printf("off=%d crc=%08x\n", off, c);
  }
  uint8_t in[4096];
  size_t len = rvr_read_all(in, sizeof in);
  rvr_printf("stdin %u bytes crc=%08x\n", (unsigned)len, crc_slice4(in, len));
  rvr_fprintf(RVR_STDERR, "mismatches=%d\n", mismatches);
  return 3 + mismatches;
}
