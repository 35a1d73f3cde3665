/*
 * FP vector oracle for test/fp-soft.test.ts, run under qemu-riscv64.
 *
 * Reads 32-byte little-endian records from stdin: u32 op, u32 rm, u64 a, u64 b, u64 c, and for
 * each writes 16 bytes: u64 result (the raw integer/fmv.x register value), u64 fflags. Each
 * operation runs with a *static* rounding mode in the instruction (rm 0..4; ops without a rounding
 * mode ignore rm) with fflags cleared just before it and read just after, all in one asm block.
 * Operands enter the f registers with fmv.w.x / fmv.d.x, so NaN payloads and sNaNs are kept.
 *
 * Build: riscv64-linux-gnu-gcc -static -O2 -march=rv64gc -o vectors vectors.c
 * The op numbers must match OPS in test/fp-soft.test.ts.
 */
#include <stdint.h>
#include <stdio.h>

typedef uint64_t u64;

#define CLR "csrw fflags, zero\n\t"
#define RD "frflags %1\n\t"

/* f32 = op(f32, f32) with rm */
#define S_SS(N, RM) asm volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\t" CLR N " ft2, ft0, ft1, " RM "\n\t" RD "fmv.x.w %0, ft2" \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
/* f32 = op(f32) with rm */
#define S_S(N, RM) asm volatile("fmv.w.x ft0, %2\n\t" CLR N " ft2, ft0, " RM "\n\t" RD "fmv.x.w %0, ft2" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0", "ft2")
/* f32 = op(f32, f32, f32) with rm */
#define S_SSS(N, RM) asm volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\tfmv.w.x ft2, %4\n\t" CLR N " ft3, ft0, ft1, ft2, " RM "\n\t" RD "fmv.x.w %0, ft3" \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3")
/* x = op(f32) with rm */
#define X_S(N, RM) asm volatile("fmv.w.x ft0, %2\n\t" CLR N " %0, ft0, " RM "\n\t" RD \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")
/* f32 = op(x) with rm */
#define S_X(N, RM) asm volatile(CLR N " ft0, %2, " RM "\n\t" RD "fmv.x.w %0, ft0" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")
/* f32 = op(f64) with rm */
#define S_D(N, RM) asm volatile("fmv.d.x ft0, %2\n\t" CLR N " ft1, ft0, " RM "\n\t" RD "fmv.x.w %0, ft1" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0", "ft1")

#define D_DD(N, RM) asm volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\t" CLR N " ft2, ft0, ft1, " RM "\n\t" RD "fmv.x.d %0, ft2" \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
#define D_D(N, RM) asm volatile("fmv.d.x ft0, %2\n\t" CLR N " ft2, ft0, " RM "\n\t" RD "fmv.x.d %0, ft2" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0", "ft2")
#define D_DDD(N, RM) asm volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\t" CLR N " ft3, ft0, ft1, ft2, " RM "\n\t" RD "fmv.x.d %0, ft3" \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3")
#define X_D(N, RM) asm volatile("fmv.d.x ft0, %2\n\t" CLR N " %0, ft0, " RM "\n\t" RD \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")
#define D_X(N, RM) asm volatile(CLR N " ft0, %2, " RM "\n\t" RD "fmv.x.d %0, ft0" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")

/* Without a rounding mode. */
#define S_SS0(N) asm volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\t" CLR N " ft2, ft0, ft1\n\t" RD "fmv.x.w %0, ft2" \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
#define X_SS0(N) asm volatile("fmv.w.x ft0, %2\n\tfmv.w.x ft1, %3\n\t" CLR N " %0, ft0, ft1\n\t" RD \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b) : "ft0", "ft1")
#define X_S0(N) asm volatile("fmv.w.x ft0, %2\n\t" CLR N " %0, ft0\n\t" RD \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")
#define D_S0(N) asm volatile("fmv.w.x ft0, %2\n\t" CLR N " ft1, ft0\n\t" RD "fmv.x.d %0, ft1" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0", "ft1")
#define D_DD0(N) asm volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\t" CLR N " ft2, ft0, ft1\n\t" RD "fmv.x.d %0, ft2" \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
#define X_DD0(N) asm volatile("fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\t" CLR N " %0, ft0, ft1\n\t" RD \
  : "=&r"(res), "=&r"(fl) : "r"(a), "r"(b) : "ft0", "ft1")
#define X_D0(N) asm volatile("fmv.d.x ft0, %2\n\t" CLR N " %0, ft0\n\t" RD \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")
#define D_X0(N) asm volatile(CLR N " ft0, %2\n\t" RD "fmv.x.d %0, ft0" \
  : "=&r"(res), "=&r"(fl) : "r"(a) : "ft0")

#define WITH_RM(M, N) \
  switch (rm) { \
  case 0: M(N, "rne"); break; \
  case 1: M(N, "rtz"); break; \
  case 2: M(N, "rdn"); break; \
  case 3: M(N, "rup"); break; \
  case 4: M(N, "rmm"); break; \
  default: res = 0xbad; fl = 0xbad; \
  }

struct rec { uint32_t op, rm; u64 a, b, c; };

int main(void) {
  struct rec r;
  while (fread(&r, sizeof r, 1, stdin) == 1) {
    u64 a = r.a, b = r.b, c = r.c, res = 0, fl = 0;
    uint32_t rm = r.rm;
    switch (r.op) {
    case 0: WITH_RM(S_SS, "fadd.s") break;
    case 1: WITH_RM(S_SS, "fsub.s") break;
    case 2: WITH_RM(S_SS, "fmul.s") break;
    case 3: WITH_RM(S_SS, "fdiv.s") break;
    case 4: WITH_RM(S_S, "fsqrt.s") break;
    case 5: WITH_RM(S_SSS, "fmadd.s") break;
    case 6: WITH_RM(S_SSS, "fmsub.s") break;
    case 7: WITH_RM(S_SSS, "fnmsub.s") break;
    case 8: WITH_RM(S_SSS, "fnmadd.s") break;
    case 9: WITH_RM(X_S, "fcvt.w.s") break;
    case 10: WITH_RM(X_S, "fcvt.wu.s") break;
    case 11: WITH_RM(X_S, "fcvt.l.s") break;
    case 12: WITH_RM(X_S, "fcvt.lu.s") break;
    case 13: WITH_RM(S_X, "fcvt.s.w") break;
    case 14: WITH_RM(S_X, "fcvt.s.wu") break;
    case 15: WITH_RM(S_X, "fcvt.s.l") break;
    case 16: WITH_RM(S_X, "fcvt.s.lu") break;
    case 17: WITH_RM(S_D, "fcvt.s.d") break;
    case 18: S_SS0("fmin.s"); break;
    case 19: S_SS0("fmax.s"); break;
    case 20: X_SS0("feq.s"); break;
    case 21: X_SS0("flt.s"); break;
    case 22: X_SS0("fle.s"); break;
    case 23: X_S0("fclass.s"); break;
    case 24: S_SS0("fsgnj.s"); break;
    case 25: S_SS0("fsgnjn.s"); break;
    case 26: S_SS0("fsgnjx.s"); break;
    case 27: D_S0("fcvt.d.s"); break;

    case 32: WITH_RM(D_DD, "fadd.d") break;
    case 33: WITH_RM(D_DD, "fsub.d") break;
    case 34: WITH_RM(D_DD, "fmul.d") break;
    case 35: WITH_RM(D_DD, "fdiv.d") break;
    case 36: WITH_RM(D_D, "fsqrt.d") break;
    case 37: WITH_RM(D_DDD, "fmadd.d") break;
    case 38: WITH_RM(D_DDD, "fmsub.d") break;
    case 39: WITH_RM(D_DDD, "fnmsub.d") break;
    case 40: WITH_RM(D_DDD, "fnmadd.d") break;
    case 41: WITH_RM(X_D, "fcvt.w.d") break;
    case 42: WITH_RM(X_D, "fcvt.wu.d") break;
    case 43: WITH_RM(X_D, "fcvt.l.d") break;
    case 44: WITH_RM(X_D, "fcvt.lu.d") break;
    case 45: D_X0("fcvt.d.w"); break;
    case 46: D_X0("fcvt.d.wu"); break;
    case 47: WITH_RM(D_X, "fcvt.d.l") break;
    case 48: WITH_RM(D_X, "fcvt.d.lu") break;
    case 50: D_DD0("fmin.d"); break;
    case 51: D_DD0("fmax.d"); break;
    case 52: X_DD0("feq.d"); break;
    case 53: X_DD0("flt.d"); break;
    case 54: X_DD0("fle.d"); break;
    case 55: X_D0("fclass.d"); break;
    case 56: D_DD0("fsgnj.d"); break;
    case 57: D_DD0("fsgnjn.d"); break;
    case 58: D_DD0("fsgnjx.d"); break;
    default: res = 0xbad; fl = 0xbad; break;
    }
    u64 out[2] = { res, fl };
    fwrite(out, sizeof out, 1, stdout);
  }
  return 0;
}
