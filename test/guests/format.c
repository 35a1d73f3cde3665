/* format: string formatting — rvr_snprintf/rvr_printf with widths, precision, flags and length
 * modifiers (including truncation and the returned length), plus formatting done by hand:
 * thousands separators, fixed-point decimals from integers, Roman numerals, arbitrary bases and
 * a right-aligned table. Exit code 11. */
#include "rvr_guest.h"

static void with_commas(char *out, int64_t v) {
  char digits[24];
  size_t n = rvr_fmt_u64(digits, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
  size_t k = 0;
  if (v < 0) out[k++] = '-';
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0) out[k++] = ',';
    out[k++] = digits[i];
  }
  out[k] = 0;
}

/* value / 10^scale printed with exactly `scale` decimals */
static void fixed(char *out, int64_t value, int scale) {
  uint64_t p = 1;
  for (int i = 0; i < scale; i++) p *= 10;
  uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
  rvr_snprintf(out, 40, "%s%llu.%0*llu", value < 0 ? "-" : "", (unsigned long long)(mag / p), scale,
               (unsigned long long)(mag % p));
}

static void roman(char *out, unsigned v) {
  static const unsigned vals[] = {1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1};
  static const char *const syms[] = {"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"};
  size_t k = 0;
  for (int i = 0; i < 13; i++)
    while (v >= vals[i]) {
      for (const char *s = syms[i]; *s; s++) out[k++] = *s;
      v -= vals[i];
    }
  out[k] = 0;
}

static void to_base(char *out, uint64_t v, unsigned base) {
  static const char dig[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  char tmp[65];
  int n = 0;
  do { tmp[n++] = dig[v % base]; v /= base; } while (v);
  for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
  out[n] = 0;
}

int main(void) {
  char buf[128];
  rvr_printf("[%d] [%i] [%5d] [%-5d] [%05d] [%+d] [% d] [%+d]\n", 0, -17, 42, 42, -42, 5, 5, -5);
  rvr_printf("[%u] [%x] [%X] [%#x] [%o] [%08x] [%.3d] [%8.3d]\n", 4000000000u, 0xdeadbeefu, 0xdeadbeefu,
             255u, 8u, 0xabcu, 7, -7);
  rvr_printf("[%lld] [%llu] [%llx] [%lli]\n", (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
             (unsigned long long)0x0123456789abcdefull, (long long)-1);
  rvr_printf("[%hd] [%hhu] [%hx] [%zu] [%jd]\n", (short)-2, (unsigned char)255, (unsigned short)0xbeef,
             (size_t)12345, (intmax_t)-99);
  rvr_printf("[%s] [%10s] [%-10s] [%.3s] [%*s] [%-*s] [%.*s]\n", "abc", "right", "left", "truncate", 6,
             "st", 6, "st", 2, "xyz");
  rvr_printf("[%c%c%c] [%3c] [%-3c] [%%] [%p] [%p]\n", 'a', 'b', 'c', 'x', 'y', (void *)0x1234, (void *)0);
  rvr_printf("[%.0d] [%5.0d] [%s]\n", 0, 0, (const char *)NULL);
  int n = rvr_snprintf(buf, 10, "%s-%d", "truncated-string", 12345);
  rvr_printf("snprintf cap 10 -> len %d buf \"%s\"\n", n, buf);
  n = rvr_snprintf(buf, 1, "abc");
  rvr_printf("snprintf cap 1 -> len %d empty=%d\n", n, buf[0] == 0);
  n = rvr_snprintf(NULL, 0, "%d items", 1234567);
  rvr_printf("snprintf NULL,0 -> len %d\n", n);

  static const int64_t nums[] = {0, 7, 1000, -1234567, 9876543210ll, INT64_MIN};
  for (int i = 0; i < 6; i++) {
    with_commas(buf, nums[i]);
    rvr_printf("%22s|", buf);
    fixed(buf, nums[i], 3);
    rvr_printf("%26s|\n", buf);
  }
  static const unsigned years[] = {1, 4, 9, 14, 40, 90, 400, 1987, 2024, 3999};
  for (int i = 0; i < 10; i++) {
    roman(buf, years[i]);
    rvr_printf("%4u = %s\n", years[i], buf);
  }
  for (unsigned b = 2; b <= 36; b += 7) {
    to_base(buf, 0xfedcba9876543210ull, b);
    rvr_printf("base %2u: %s\n", b, buf);
  }
  rvr_printf("%-8s|%8s|%8s\n", "name", "qty", "price");
  static const struct { const char *name; unsigned qty; int cents; } rows[] = {
      {"apple", 3, 125}, {"banana", 12, 99}, {"cherry", 250, 1}, {"kiwi", 0, 100000}};
  for (int i = 0; i < 4; i++) {
    fixed(buf, rows[i].cents, 2);
    rvr_printf("%-8s|%8u|%8s\n", rows[i].name, rows[i].qty, buf);
  }
  /* Long output through the 256-byte printf buffer. */
  rvr_printf("%s%s%s%s\n",
             "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
             "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij",
             "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ",
             "-end-");
  return 11;
}
