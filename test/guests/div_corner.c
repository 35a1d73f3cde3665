/* div_corner: RISC-V division corner cases. RISC-V defines them without trapping:
 * x / 0 = -1 (all ones unsigned), x % 0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.
 * Operands go through volatile variables so the compiler emits div/divu/rem/remu (divw etc. on
 * RV64) at run time. 64-bit INT64_MIN / -1 is included (RV32: libgcc agrees); 64-bit division by
 * zero is not, because libgcc's RV32 routines give different (but defined) results from RV64's
 * instructions. Natively (x86 traps on these) the RISC-V results are computed in C. Exit 2. */
#include "rvr_guest.h"

#ifdef RVR_NATIVE
static int32_t sdiv(int32_t a, int32_t b) { return b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b; }
static int32_t srem(int32_t a, int32_t b) { return b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b; }
static uint32_t udiv(uint32_t a, uint32_t b) { return b == 0 ? 0xffffffffu : a / b; }
static uint32_t urem(uint32_t a, uint32_t b) { return b == 0 ? a : a % b; }
static int64_t sdiv64(int64_t a, int64_t b) { return (a == INT64_MIN && b == -1) ? a : a / b; }
static int64_t srem64(int64_t a, int64_t b) { return (a == INT64_MIN && b == -1) ? 0 : a % b; }
#else
static __attribute__((noinline)) int32_t sdiv(int32_t a, int32_t b) { volatile int32_t x = a, y = b; return x / y; }
static __attribute__((noinline)) int32_t srem(int32_t a, int32_t b) { volatile int32_t x = a, y = b; return x % y; }
static __attribute__((noinline)) uint32_t udiv(uint32_t a, uint32_t b) { volatile uint32_t x = a, y = b; return x / y; }
static __attribute__((noinline)) uint32_t urem(uint32_t a, uint32_t b) { volatile uint32_t x = a, y = b; return x % y; }
static __attribute__((noinline)) int64_t sdiv64(int64_t a, int64_t b) { volatile int64_t x = a, y = b; return x / y; }
static __attribute__((noinline)) int64_t srem64(int64_t a, int64_t b) { volatile int64_t x = a, y = b; return x % y; }
#endif

int main(void) {
  static const int32_t as[] = {0, 1, -1, 7, -7, 100, INT32_MIN, INT32_MAX, INT32_MIN + 1};
  static const int32_t bs[] = {0, 1, -1, 2, -2, 3, INT32_MIN, INT32_MAX};
  for (unsigned i = 0; i < sizeof as / sizeof as[0]; i++) {
    for (unsigned j = 0; j < sizeof bs / sizeof bs[0]; j++) {
      int32_t a = as[i], b = bs[j];
      rvr_printf("%11d %11d | s/ %11d s%% %11d | u/ %10u u%% %10u\n", a, b, sdiv(a, b), srem(a, b),
                 udiv((uint32_t)a, (uint32_t)b), urem((uint32_t)a, (uint32_t)b));
    }
  }
  volatile int32_t zero = 0, minus1 = -1, imin = INT32_MIN;
  int32_t q = sdiv(imin, minus1), r = srem(imin, minus1);
  rvr_printf("INT_MIN / -1 = %d, INT_MIN %% -1 = %d\n", q, r);
  rvr_printf("42 / 0 = %d, 42 %% 0 = %d, 42u / 0 = %u, 42u %% 0 = %u\n", sdiv(42, zero), srem(42, zero),
             udiv(42, (uint32_t)zero), urem(42, (uint32_t)zero));
  int64_t q64 = sdiv64(INT64_MIN, -1), r64 = srem64(INT64_MIN, -1);
  rvr_printf("INT64_MIN / -1 = %lld, INT64_MIN %% -1 = %lld\n", (long long)q64, (long long)r64);
  rvr_printf("-1000000000000 / 7 = %lld rem %lld\n", (long long)sdiv64(-1000000000000ll, 7),
             (long long)srem64(-1000000000000ll, 7));
  int ok = q == INT32_MIN && r == 0 && sdiv(5, 0) == -1 && srem(5, 0) == 5 && q64 == INT64_MIN && r64 == 0;
  rvr_fprintf(RVR_STDERR, "riscv division semantics %s\n", ok ? "ok" : "WRONG");
  return ok ? 2 : 1;
}
