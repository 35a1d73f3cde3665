/* hash_fnv: FNV-1 and FNV-1a in 32 and 64 bits over known strings and generated data, plus a
 * 64-bit FNV-1a used to bucket generated keys. Exit code 0. */
#include "rvr_guest.h"

static uint32_t fnv1_32(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h * 16777619u) ^ p[i];
  return h;
}
static uint32_t fnv1a_32(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}
static uint64_t fnv1_64(const uint8_t *p, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) h = (h * 1099511628211ull) ^ p[i];
  return h;
}
static uint64_t fnv1a_64(const uint8_t *p, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

int main(void) {
  static const char *const words[] = {"", "a", "foobar", "chongo was here!\n", "rules_rvr", "RISC-V"};
  for (unsigned i = 0; i < sizeof words / sizeof *words; i++) {
    const uint8_t *p = (const uint8_t *)words[i];
    size_t n = strlen(words[i]);
    rvr_printf("%-8u fnv1_32=%08x fnv1a_32=%08x fnv1_64=%016llx fnv1a_64=%016llx\n", (unsigned)n,
               fnv1_32(p, n), fnv1a_32(p, n), (unsigned long long)fnv1_64(p, n),
               (unsigned long long)fnv1a_64(p, n));
  }
  static uint8_t data[1 << 16];
  uint32_t x = 1;
  for (size_t i = 0; i < sizeof data; i++) {
    x = x * 69069u + 1u;
    data[i] = (uint8_t)(x >> 24);
  }
  rvr_printf("data: %08x %016llx\n", fnv1a_32(data, sizeof data),
             (unsigned long long)fnv1a_64(data, sizeof data));
  /* Bucket 10000 keys "key<i>" into 16 buckets. */
  uint32_t buckets[16] = {0};
  for (uint32_t i = 0; i < 10000; i++) {
    char key[24];
    size_t n = 3;
    memcpy(key, "key", 3);
    n += rvr_fmt_u64(key + 3, i);
    buckets[fnv1a_64((const uint8_t *)key, n) & 15]++;
  }
  rvr_print("buckets:");
  for (int i = 0; i < 16; i++) rvr_printf(" %u", buckets[i]);
  rvr_print("\n");
  return 0;
}
