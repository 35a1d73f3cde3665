/* heap_malloc: many malloc/free/calloc/realloc calls of varied sizes through the brk-based
 * allocator; every block is filled with a pattern and checked before it is freed, so overlap or
 * corruption shows up as a mismatch. Exit code: 0 when there were no errors. */
#include "rvr_guest.h"

#define SLOTS 256

static uint32_t s = 2463534242u;
static uint32_t rnd(void) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

/* Pattern bytes: all of a small block; the first and last 64 bytes and every 61st byte of a big
 * one (enough to see overlapping blocks while keeping the instruction count modest). */
static size_t next_index(size_t i, size_t n) {
  if (n <= 256 || i < 63 || i + 65 >= n) return i + 1;
  size_t j = i + 61;
  return j + 64 >= n ? n - 64 : j;
}
static void fill(uint8_t *p, size_t n, uint32_t tag) {
  for (size_t i = 0; i < n; i = next_index(i, n)) p[i] = (uint8_t)(tag + i * 31);
}
static int check(const uint8_t *p, size_t n, uint32_t tag) {
  for (size_t i = 0; i < n; i = next_index(i, n))
    if (p[i] != (uint8_t)(tag + i * 31)) return 0;
  return 1;
}
/* The bytes below keep that fill(p, n, tag) wrote. */
static int check_prefix(const uint8_t *p, size_t n, size_t keep, uint32_t tag) {
  for (size_t i = 0; i < n && i < keep; i = next_index(i, n))
    if (p[i] != (uint8_t)(tag + i * 31)) return 0;
  return 1;
}

int main(void) {
  static uint8_t *ptr[SLOTS];
  static size_t len[SLOTS];
  static uint32_t tag[SLOTS];
  int errors = 0;
  uint32_t allocs = 0, frees = 0, reallocs = 0;
  uint64_t bytes = 0;
  for (int round = 0; round < 3000; round++) {
    uint32_t r = rnd();
    int k = (int)(r % SLOTS);
    if (ptr[k] != NULL) {
      if (!check(ptr[k], len[k], tag[k])) errors++;
      if ((r >> 9) % 4 == 0) {
        /* grow or shrink in place of freeing */
        size_t n = (r >> 12) % 3000 + 1;
        uint8_t *q = (uint8_t *)realloc(ptr[k], n);
        if (q == NULL) { errors++; continue; }
        size_t keep = n < len[k] ? n : len[k];
        if (!check_prefix(q, len[k], keep, tag[k])) errors++; /* realloc keeps the common prefix */
        ptr[k] = q;
        len[k] = n;
        fill(q, n, tag[k]);
        reallocs++;
        continue;
      }
      free(ptr[k]);
      ptr[k] = NULL;
      frees++;
      continue;
    }
    size_t n;
    switch ((r >> 9) % 8) {
      case 0: n = 1; break;
      case 1: n = (r >> 12) % 16 + 1; break;
      case 2: n = (r >> 12) % 200 + 1; break;
      case 3: n = (r >> 12) % 5000 + 1; break;
      case 4: n = (r >> 12) % 20000 + 65000; break; /* large blocks (> 64 KiB with header) */
      default: n = (r >> 12) % 64 + 8; break;
    }
    uint8_t *p;
    if ((r >> 20) % 3 == 0) {
      p = (uint8_t *)calloc(n, 1);
      if (p != NULL)
        for (size_t i = 0; i < n; i = next_index(i, n))
          if (p[i] != 0) { errors++; break; }
    } else {
      p = (uint8_t *)malloc(n);
    }
    if (p == NULL) { errors++; continue; }
    if (((uintptr_t)p & 15) != 0) errors++; /* 16-byte alignment promised */
    ptr[k] = p;
    len[k] = n;
    tag[k] = r;
    fill(p, n, r);
    allocs++;
    bytes += n;
  }
  uint32_t live = 0;
  uint64_t live_bytes = 0;
  for (int k = 0; k < SLOTS; k++) {
    if (ptr[k] == NULL) continue;
    if (!check(ptr[k], len[k], tag[k])) errors++;
    live++;
    live_bytes += len[k];
    free(ptr[k]);
  }
  rvr_printf("allocs=%u frees=%u reallocs=%u bytes=%llu live=%u live_bytes=%llu errors=%d\n",
             allocs, frees, reallocs, (unsigned long long)bytes, live, (unsigned long long)live_bytes,
             errors);
  /* After freeing everything, a burst of equal-size blocks must all be distinct. */
  uint8_t *burst[64];
  for (int i = 0; i < 64; i++) {
    burst[i] = (uint8_t *)malloc(100);
    memset(burst[i], i, 100);
  }
  for (int i = 0; i < 64; i++)
    for (int j = 0; j < 100; j++)
      if (burst[i][j] != i) { errors++; break; }
  for (int i = 0; i < 64; i++) free(burst[i]);
  free(NULL);
  void *z = calloc((size_t)-1 / 2, 4); /* overflowing request must fail */
  rvr_printf("calloc overflow -> %s\n", z == NULL ? "NULL" : "non-NULL");
  rvr_printf("errors=%d\n", errors);
  return errors;
}
