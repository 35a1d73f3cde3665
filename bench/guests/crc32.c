/* bench crc32: table-driven (byte at a time) CRC-32 over 64 KiB x scale; the buffer is
 * perturbed between passes so every pass differs. Input: optional scale; default 3000. */
#include "rvr_guest.h"

#define UNIT 65536u
#define DEFAULT_SCALE 3000u

static uint32_t table[256];
static uint8_t buf[UNIT];

int main(void) {
  uint64_t scale = rvr_read_u64_arg(DEFAULT_SCALE);
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  uint32_t x = 0xC0FFEEu;
  for (uint32_t i = 0; i < UNIT; i++) { x = x * 1103515245u + 12345u; buf[i] = (uint8_t)(x >> 16); }
  uint32_t crc = 0xffffffffu;
  for (uint64_t pass = 0; pass < scale; pass++) {
    const uint8_t *p = buf;
    for (uint32_t i = 0; i < UNIT; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    buf[(uint32_t)pass * 2654435761u % UNIT] ^= (uint8_t)(crc | 1);
  }
  crc = ~crc;
  rvr_printf("crc32 scale %llu bytes %llu crc %08x\n", (unsigned long long)scale,
             (unsigned long long)(scale * UNIT), crc);
  return 0;
}
