/* memops: the SDK's memcpy/memmove/memset/memcmp/strlen/strcmp at every alignment and length
 * up to 70 bytes, checked against byte-by-byte reference loops, plus struct assignment (which
 * GCC compiles to memcpy calls) and overlapping memmove in both directions. Exit code 0. */
#include "rvr_guest.h"

struct big { uint32_t a[40]; char name[24]; uint64_t tail; };

static __attribute__((noinline)) void copy_struct(struct big *d, const struct big *s) { *d = *s; }
static __attribute__((noinline)) struct big make(uint32_t seed) {
  struct big b;
  for (int i = 0; i < 40; i++) b.a[i] = seed * (uint32_t)(i + 1);
  memset(b.name, 0, sizeof b.name);
  memcpy(b.name, "structure", 9);
  b.tail = (uint64_t)seed << 33 | 5;
  return b;
}

static uint8_t src[160], dst[160], ref[160];

static void reset(void) {
  for (int i = 0; i < 160; i++) { src[i] = (uint8_t)(i * 13 + 1); dst[i] = (uint8_t)(255 - i); ref[i] = dst[i]; }
}

int main(void) {
  uint32_t errors = 0, cases = 0;
  for (int so = 0; so < 8; so++)
    for (int d = 0; d < 8; d++)
      for (int n = 0; n <= 70; n++) {
        reset();
        memcpy(dst + d, src + so, (size_t)n);
        for (int i = 0; i < n; i++) ref[d + i] = src[so + i];
        errors += memcmp(dst, ref, sizeof dst) != 0;
        reset();
        memset(dst + d, so * 31, (size_t)n);
        for (int i = 0; i < n; i++) ref[d + i] = (uint8_t)(so * 31);
        errors += memcmp(dst, ref, sizeof dst) != 0;
        cases += 2;
      }
  /* overlapping memmove: buffer shifted left and right by 1..9 */
  for (int shift = 1; shift < 10; shift++)
    for (int n = 0; n < 100; n += 7) {
      uint8_t buf[128], want[128];
      for (int i = 0; i < 128; i++) buf[i] = want[i] = (uint8_t)i;
      memmove(buf + 10 + shift, buf + 10, (size_t)n);
      for (int i = n - 1; i >= 0; i--) want[10 + shift + i] = want[10 + i];
      errors += memcmp(buf, want, 128) != 0;
      for (int i = 0; i < 128; i++) buf[i] = want[i] = (uint8_t)i;
      memmove(buf + 10, buf + 10 + shift, (size_t)n);
      for (int i = 0; i < n; i++) want[10 + i] = want[10 + shift + i];
      errors += memcmp(buf, want, 128) != 0;
      cases += 2;
    }
  rvr_printf("memcpy/memset/memmove cases %u errors %u\n", cases, errors);

  uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 9};
  rvr_printf("memcmp: %d %d %d %d\n", memcmp(a, b, 8) < 0, memcmp(b, a, 8) > 0, memcmp(a, b, 7) == 0,
             memcmp(a, b, 0) == 0);
  uint8_t hi[1] = {0x80}, lo[1] = {0x7f};
  rvr_printf("memcmp unsigned bytes: %d\n", memcmp(hi, lo, 1) > 0);
  rvr_printf("strlen: %u %u %u\n", (unsigned)strlen(""), (unsigned)strlen("a"), (unsigned)strlen("hello world"));
  rvr_printf("strcmp: %d %d %d %d %d\n", strcmp("abc", "abc") == 0, strcmp("abc", "abd") < 0,
             strcmp("abd", "abc") > 0, strcmp("ab", "abc") < 0, strcmp("\xff", "a") > 0);

  struct big s1 = make(7), s2;
  copy_struct(&s2, &s1);
  struct big s3 = s2; /* struct assignment */
  s3.a[39]++;
  rvr_printf("struct copy equal: %d, modified copy differs: %d, name %s tail %llx\n",
             memcmp(&s1, &s2, sizeof s1) == 0, memcmp(&s1, &s3, sizeof s1) != 0, s2.name,
             (unsigned long long)s2.tail);
  uint32_t sum = 0;
  for (int i = 0; i < 40; i++) sum += s3.a[i];
  rvr_printf("sum %u\n", sum);
  return (int)errors;
}
