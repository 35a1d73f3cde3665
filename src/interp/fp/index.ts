/**
 * Soft-float for the reference interpreter: RISC-V F and D arithmetic over raw bit patterns,
 * written from IEEE 754-2019 and the RISC-V unprivileged spec (F and D chapters).
 *
 * Values:
 *  - binary32 values are `number`s holding the uint32 bit pattern (0 .. 2^32 - 1; any number is
 *    accepted and taken modulo 2^32), results are always in that range;
 *  - binary64 values are `bigint`s holding the uint64 bit pattern (inputs are taken modulo 2^64);
 *  - NaN-boxing of single values in 64-bit registers is the caller's (see `boxF32`/`unboxF32`).
 *
 * Rounding and flags:
 *  - `rm` is a static rounding mode RNE=0, RTZ=1, RDN=2, RUP=3, RMM=4 (the caller resolves
 *    DYN=7 from frm and raises illegal-instruction for 5, 6 and an invalid frm); any other value
 *    throws a RangeError when the result needs rounding;
 *  - every operation that can raise exceptions takes a status object `st` and ORs its exception
 *    flags into `st.flags` (RISC-V fflags layout: NV=16, DZ=8, OF=4, UF=2, NX=1); it never clears
 *    them, so an interpreter can pass its fflags holder directly and a test clears it first.
 *    (An out-parameter rather than a `{ value, flags }` result: no allocation per operation.)
 *
 * Integer operands and results of conversions are mathematical values:
 *  - `f32ToI32`/`f64ToI32` return an int32 `number`, `f32ToU32`/`f64ToU32` a uint32 `number`
 *    (RV64 writes both sign-extended from bit 31: `BigInt.asUintN(64, BigInt(r | 0))`);
 *  - `...ToI64` return a signed `bigint`, `...ToU64` an unsigned `bigint`;
 *  - `i32To..`/`u32To..` take a number (coerced with `| 0` / `>>> 0`), `i64To..`/`u64To..` a
 *    bigint (coerced with `BigInt.asIntN(64)` / `BigInt.asUintN(64)`), so raw register bits work.
 *
 * The arithmetic is `soft.ts` (exact, bigint); binary32 add/sub/mul/div/sqrt/fma and binary64
 * add/sub/mul/div/sqrt have fast paths on JS doubles in RNE, RTZ, RDN and RUP that are taken
 * only where they are provably exact (see each), and fall back to `soft.ts` otherwise (NaN or
 * infinite operands or results, results near the underflow or overflow thresholds, RMM).
 */
import * as S from './soft.js';
import { F32, F64, type FpStatus } from './soft.js';

export { RNE, RTZ, RDN, RUP, RMM, NV, DZ, OF, UF, NX } from './soft.js';
export type { FpStatus } from './soft.js';

/** Canonical NaNs (RISC-V): positive, quiet, zero payload. */
export const F32_CANONICAL_NAN = 0x7fc00000;
export const F64_CANONICAL_NAN = 0x7ff8000000000000n;

// ---------------------------------------------------------------------------------------------
// Bit <-> double conversion through one shared buffer (no allocation).

const buf = new ArrayBuffer(8);
const f64v = new Float64Array(buf);
const u64v = new BigUint64Array(buf);
const f32v = new Float32Array(buf);
const u32v = new Uint32Array(buf);
/** Index of the high word of a double in u32v (little-endian hosts: 1). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

function f32ToDouble(bits: number): number {
  u32v[0] = bits;
  return f32v[0]!;
}

/** The bits of a double already representable in binary32 (not NaN). */
function doubleToF32Bits(x: number): number {
  f32v[0] = x;
  return u32v[0]!;
}

function f64ToDouble(bits: bigint): number {
  u64v[0] = bits;
  return f64v[0]!;
}

function doubleToF64Bits(x: number): bigint {
  f64v[0] = x;
  return u64v[0]!;
}

const SIGN64 = 0x8000000000000000n;
const B32 = (x: number): bigint => BigInt(x >>> 0);
const N32 = (x: bigint): number => Number(x);
const M64 = (x: bigint): bigint => BigInt.asUintN(64, x);

// ---------------------------------------------------------------------------------------------
// Fast-path helpers

const RNE = S.RNE;
const RTZ = S.RTZ;
const RDN = S.RDN;
const RUP = S.RUP;
const NX = S.NX;

/** 2^-125 and the largest binary32: fast-path binary32 results lie strictly between. */
const F32_FAST_MIN = 2 ** -125;
const F32_MAX = (2 - 2 ** -23) * 2 ** 127;

/**
 * Adjusts the RNE result r (bits of a finite normal binary32 value with F32_FAST_MIN <= |r| <
 * F32_MAX) to mode rm given the sign of (exact - r) (err > 0, < 0, or 0 for exact), and raises NX.
 * Directed modes differ from RNE by at most one step toward the exact value, taken when r lies
 * on the wrong side of it; the step never leaves the normal finite range.
 */
function adjust32(r: number, err: number, rm: number, st: FpStatus): number {
  if (err === 0) return r;
  st.flags |= NX;
  const neg = r >>> 31 === 1;
  switch (rm) {
    case RNE:
      return r;
    case RTZ: // exact is below |r| in magnitude: step toward zero
      return (neg ? err > 0 : err < 0) ? r - 1 : r;
    case RDN:
      return err < 0 ? (neg ? r + 1 : r - 1) : r;
    case RUP:
      return err > 0 ? (neg ? r - 1 : r + 1) : r;
    default:
      throw new RangeError(`invalid rounding mode ${rm}`);
  }
}

/** As adjust32 for binary64 bits (r's magnitude below the largest finite, at least 2^-1021). */
function adjust64(r: bigint, err: number, rm: number, st: FpStatus): bigint {
  if (err === 0) return r;
  st.flags |= NX;
  const neg = r >= 0x8000000000000000n;
  switch (rm) {
    case RNE:
      return r;
    case RTZ:
      return (neg ? err > 0 : err < 0) ? r - 1n : r;
    case RDN:
      return err < 0 ? (neg ? r + 1n : r - 1n) : r;
    case RUP:
      return err > 0 ? (neg ? r - 1n : r + 1n) : r;
    default:
      throw new RangeError(`invalid rounding mode ${rm}`);
  }
}

/** Whether the double x (a normal binary32-range value) lies exactly halfway between binary32s. */
function isF32Midpoint(x: number): boolean {
  f64v[0] = x;
  return (u32v[LO]! & 0x1fffffff) === 0x10000000;
}

const F64_FAST_MIN = 2 ** -900;
const F64_FAST_SPLIT_MAX = 2 ** 995;
/** Products and quotients at or above this magnitude take the exact path. */
const F64_FAST_MAX = 2 ** 1000;
const F64_MAX = Number.MAX_VALUE;
const SPLITTER = 134217729; // 2^27 + 1

/** Low part of the exact product a*b (Dekker): a*b = p + twoProductErr(a, b, p) exactly. */
function twoProductErr(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Set by `roundOddSum`: whether x + y was not exact. */
let roInexact = false;

/**
 * x + y rounded to odd (truncated, then the last significand bit set if inexact), from the RNE
 * sum and its exact error (TwoSum). x + y must not overflow.
 */
function roundOddSum(x: number, y: number): number {
  const s = x + y;
  const bb = s - x;
  const err = (x - (s - bb)) + (y - bb);
  if (err === 0) {
    roInexact = false;
    return s;
  }
  roInexact = true; // and s !== 0 (an RNE sum is zero only when exact)
  f64v[0] = s;
  let lo = u32v[LO]!;
  if (s > 0 !== err > 0) {
    // |s| > |x + y|: truncate to the neighbour toward zero (magnitude - 1 ulp).
    if (lo === 0) {
      u32v[HI] = u32v[HI]! - 1;
      lo = 0xffffffff;
    } else {
      lo -= 1;
    }
  }
  u32v[LO] = lo | 1;
  return f64v[0]!;
}

/** Set by `roundToIntegral`: whether x was not an integer. */
let intInexact = false;

/** x (|x| < 2^52) rounded to an integral double in mode rm (RNE..RMM); may return -0. */
function roundToIntegral(x: number, rm: number): number {
  const t = Math.trunc(x);
  const frac = x - t; // exact: t = +-0 below 1 in magnitude, Sterbenz above
  if (frac === 0) {
    intInexact = false;
    return t;
  }
  intInexact = true;
  const af = Math.abs(frac);
  const away = x < 0 ? t - 1 : t + 1;
  switch (rm) {
    case RNE:
      return af > 0.5 ? away : af < 0.5 ? t : t % 2 === 0 ? t : away;
    case RTZ:
      return t;
    case RDN:
      return x < 0 ? away : t;
    case RUP:
      return x > 0 ? away : t;
    case S.RMM:
      return af >= 0.5 ? away : t;
    default:
      throw new RangeError(`invalid rounding mode ${rm}`);
  }
}

const TWO52 = 2 ** 52;
const TWO31 = 2 ** 31;
const TWO32 = 2 ** 32;

/** double (any, |x| < 2^52 taken fast) -> int32/uint32 with RISC-V saturation. */
function doubleToInt32(x: number, signed: boolean, rm: number, st: FpStatus): number | undefined {
  if (!(Math.abs(x) < TWO52)) return undefined;
  const r = roundToIntegral(x, rm);
  const min = signed ? -TWO31 : 0;
  const max = signed ? TWO31 - 1 : TWO32 - 1;
  if (r < min) {
    st.flags |= S.NV;
    return min;
  }
  if (r > max) {
    st.flags |= S.NV;
    return max;
  }
  if (intInexact) st.flags |= NX;
  return r === 0 ? 0 : r; // no -0
}

/** double (|x| < 2^52 taken fast) -> int64/uint64 with RISC-V saturation. */
function doubleToInt64(x: number, signed: boolean, rm: number, st: FpStatus): bigint | undefined {
  if (!(Math.abs(x) < TWO52)) return undefined;
  const r = roundToIntegral(x, rm);
  if (!signed && r < 0) {
    st.flags |= S.NV;
    return 0n;
  }
  if (intInexact) st.flags |= NX;
  return BigInt(r);
}

// ---------------------------------------------------------------------------------------------
// binary32

function f32AddFast(x: number, y: number, a: number, b: number, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    const s = x + y;
    const r = Math.fround(s);
    const ar = Math.abs(r);
    if (ar >= F32_FAST_MIN && ar < F32_MAX) {
      // s = RN53(x + y); r = RN24(x + y) (53 >= 2*24 + 2: the double rounding is innocuous).
      // exact - r = (exact - s) + (s - r), both parts exact doubles (TwoSum; Sterbenz).
      const bb = s - x;
      const e = (x - (s - bb)) + (y - bb);
      return adjust32(doubleToF32Bits(r), (s - r) + e, rm, st);
    }
  }
  return N32(S.add(B32(a), B32(b), false, rm, F32, st));
}

export function f32Add(a: number, b: number, rm: number, st: FpStatus): number {
  return f32AddFast(f32ToDouble(a), f32ToDouble(b), a, b, rm, st);
}

export function f32Sub(a: number, b: number, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    const x = f32ToDouble(a);
    const y = f32ToDouble(b);
    const s = x - y;
    const r = Math.fround(s);
    const ar = Math.abs(r);
    if (ar >= F32_FAST_MIN && ar < F32_MAX) {
      const bb = s - x;
      const e = (x - (s - bb)) + (-y - bb);
      return adjust32(doubleToF32Bits(r), (s - r) + e, rm, st);
    }
  }
  return N32(S.add(B32(a), B32(b), true, rm, F32, st));
}

export function f32Mul(a: number, b: number, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    // The product of two binary32 values is exact in a double (48 bits, no underflow).
    const p = f32ToDouble(a) * f32ToDouble(b);
    const r = Math.fround(p);
    const ar = Math.abs(r);
    if (ar >= F32_FAST_MIN && ar < F32_MAX) return adjust32(doubleToF32Bits(r), p - r, rm, st);
  }
  return N32(S.mul(B32(a), B32(b), rm, F32, st));
}

export function f32Div(a: number, b: number, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    const x = f32ToDouble(a);
    const y = f32ToDouble(b);
    const r = Math.fround(x / y);
    const ar = Math.abs(r);
    if (ar >= F32_FAST_MIN && ar < F32_MAX) {
      // r*y is exact (48 bits); sign(exact - r) = sign(x - r*y) * sign(y).
      const rem = x - r * y;
      return adjust32(doubleToF32Bits(r), y > 0 ? rem : -rem, rm, st);
    }
  }
  return N32(S.div(B32(a), B32(b), rm, F32, st));
}

export function f32Sqrt(a: number, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    const x = f32ToDouble(a);
    const r = Math.fround(Math.sqrt(x));
    if (r >= F32_FAST_MIN && r < F32_MAX) {
      // r*r is exact; sign(exact - r) = sign(x - r*r).
      return adjust32(doubleToF32Bits(r), x - r * r, rm, st);
    }
  }
  return N32(S.sqrt(B32(a), rm, F32, st));
}

function f32FmaImpl(a: number, b: number, c: number, negProd: boolean, negAdd: boolean, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    let p = f32ToDouble(a) * f32ToDouble(b); // exact
    let z = f32ToDouble(c);
    if (negProd) p = -p;
    if (negAdd) z = -z;
    const s = p + z;
    const r = Math.fround(s);
    const ar = Math.abs(r);
    if (ar >= F32_FAST_MIN && ar < F32_MAX) {
      const bb = s - p;
      const e = (p - (s - bb)) + (z - bb); // exact: p + z = s + e
      // RN24(s) = RN24(p + z) unless s is a binary32 midpoint that is not the exact sum (no
      // binary32 midpoint lies strictly between p + z and its nearest double s).
      if (e === 0 || !isF32Midpoint(s)) return adjust32(doubleToF32Bits(r), (s - r) + e, rm, st);
    }
  }
  return N32(S.fma(B32(a), B32(b), B32(c), negProd, negAdd, rm, F32, st));
}

/** fmadd.s: a*b + c, one rounding. */
export function f32Madd(a: number, b: number, c: number, rm: number, st: FpStatus): number {
  return f32FmaImpl(a, b, c, false, false, rm, st);
}
/** fmsub.s: a*b - c. */
export function f32Msub(a: number, b: number, c: number, rm: number, st: FpStatus): number {
  return f32FmaImpl(a, b, c, false, true, rm, st);
}
/** fnmsub.s: -(a*b) + c. */
export function f32Nmsub(a: number, b: number, c: number, rm: number, st: FpStatus): number {
  return f32FmaImpl(a, b, c, true, false, rm, st);
}
/** fnmadd.s: -(a*b) - c. */
export function f32Nmadd(a: number, b: number, c: number, rm: number, st: FpStatus): number {
  return f32FmaImpl(a, b, c, true, true, rm, st);
}

function f32IsNaN(a: number): boolean {
  return (a & 0x7fffffff) >>> 0 > 0x7f800000;
}
function f32IsSNaN(a: number): boolean {
  return (a & 0x7fffffff) >>> 0 > 0x7f800000 && (a & 0x00400000) === 0;
}

/** fmin.s: minimumNumber (-0 < +0; NV for a signalling NaN; both NaN: canonical NaN). */
export function f32Min(a: number, b: number, st: FpStatus): number {
  return f32MinMax(a >>> 0, b >>> 0, false, st);
}
/** fmax.s: maximumNumber. */
export function f32Max(a: number, b: number, st: FpStatus): number {
  return f32MinMax(a >>> 0, b >>> 0, true, st);
}

function f32MinMax(a: number, b: number, isMax: boolean, st: FpStatus): number {
  const an = f32IsNaN(a);
  const bn = f32IsNaN(b);
  if (an || bn) {
    if (f32IsSNaN(a) || f32IsSNaN(b)) st.flags |= S.NV;
    if (an && bn) return F32_CANONICAL_NAN;
    return an ? b : a;
  }
  const x = f32ToDouble(a);
  const y = f32ToDouble(b);
  if (x === y) {
    // Equal values differ only for zeros: min prefers -0, max +0.
    const aNeg = a >>> 31 === 1;
    return isMax ? (aNeg ? b : a) : aNeg ? a : b;
  }
  return (isMax ? x > y : x < y) ? a : b;
}

/** feq.s: 1 or 0; quiet (NV only for a signalling NaN). */
export function f32Eq(a: number, b: number, st: FpStatus): number {
  if (f32IsNaN(a) || f32IsNaN(b)) {
    if (f32IsSNaN(a) || f32IsSNaN(b)) st.flags |= S.NV;
    return 0;
  }
  return f32ToDouble(a) === f32ToDouble(b) ? 1 : 0;
}
/** flt.s: 1 or 0; signalling (NV for any NaN). */
export function f32Lt(a: number, b: number, st: FpStatus): number {
  if (f32IsNaN(a) || f32IsNaN(b)) {
    st.flags |= S.NV;
    return 0;
  }
  return f32ToDouble(a) < f32ToDouble(b) ? 1 : 0;
}
/** fle.s: 1 or 0; signalling (NV for any NaN). */
export function f32Le(a: number, b: number, st: FpStatus): number {
  if (f32IsNaN(a) || f32IsNaN(b)) {
    st.flags |= S.NV;
    return 0;
  }
  return f32ToDouble(a) <= f32ToDouble(b) ? 1 : 0;
}

/** fclass.s: the 10-bit one-hot mask. */
export function f32Class(a: number): number {
  const neg = a >>> 31 === 1;
  const e = (a >>> 23) & 0xff;
  const m = a & 0x7fffff;
  if (e === 0xff) {
    if (m === 0) return neg ? 1 << 0 : 1 << 7;
    return (m & 0x400000) !== 0 ? 1 << 9 : 1 << 8;
  }
  if (e === 0) {
    if (m === 0) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

/** fsgnj.s: magnitude of a, sign of b. */
export function f32Sgnj(a: number, b: number): number {
  return ((a & 0x7fffffff) | (b & 0x80000000)) >>> 0;
}
/** fsgnjn.s: magnitude of a, opposite of b's sign. */
export function f32Sgnjn(a: number, b: number): number {
  return ((a & 0x7fffffff) | (~b & 0x80000000)) >>> 0;
}
/** fsgnjx.s: a with its sign XORed with b's. */
export function f32Sgnjx(a: number, b: number): number {
  return (a ^ (b & 0x80000000)) >>> 0;
}

/** fcvt.w.s: int32 result. */
export function f32ToI32(a: number, rm: number, st: FpStatus): number {
  return doubleToInt32(f32ToDouble(a), true, rm, st) ?? Number(S.toInt(B32(a), true, 32, rm, F32, st));
}
/** fcvt.wu.s: uint32 result. */
export function f32ToU32(a: number, rm: number, st: FpStatus): number {
  return doubleToInt32(f32ToDouble(a), false, rm, st) ?? Number(S.toInt(B32(a), false, 32, rm, F32, st));
}
/** fcvt.l.s: signed bigint result. */
export function f32ToI64(a: number, rm: number, st: FpStatus): bigint {
  return doubleToInt64(f32ToDouble(a), true, rm, st) ?? S.toInt(B32(a), true, 64, rm, F32, st);
}
/** fcvt.lu.s: unsigned bigint result. */
export function f32ToU64(a: number, rm: number, st: FpStatus): bigint {
  return doubleToInt64(f32ToDouble(a), false, rm, st) ?? S.toInt(B32(a), false, 64, rm, F32, st);
}
/** fcvt.s.w */
export function i32ToF32(v: number, rm: number, st: FpStatus): number {
  const x = v | 0;
  if (rm <= RUP) {
    // x is exact in a double; RN24 by fround, then the directed step from the error's sign.
    const r = Math.fround(x);
    return adjust32(doubleToF32Bits(r), x - r, rm, st);
  }
  return N32(S.fromInt(BigInt(x), rm, F32, st));
}
/** fcvt.s.wu */
export function u32ToF32(v: number, rm: number, st: FpStatus): number {
  const x = v >>> 0;
  if (rm <= RUP) {
    const r = Math.fround(x);
    return adjust32(doubleToF32Bits(r), x - r, rm, st);
  }
  return N32(S.fromInt(BigInt(x), rm, F32, st));
}
/** fcvt.s.l */
export function i64ToF32(v: bigint, rm: number, st: FpStatus): number {
  const w = BigInt.asIntN(64, v);
  if (rm <= RUP && w >= -0x20000000000000n && w <= 0x20000000000000n) {
    const x = Number(w); // exact
    const r = Math.fround(x);
    return adjust32(doubleToF32Bits(r), x - r, rm, st);
  }
  return N32(S.fromInt(w, rm, F32, st));
}
/** fcvt.s.lu */
export function u64ToF32(v: bigint, rm: number, st: FpStatus): number {
  const w = BigInt.asUintN(64, v);
  if (rm <= RUP && w <= 0x20000000000000n) {
    const x = Number(w);
    const r = Math.fround(x);
    return adjust32(doubleToF32Bits(r), x - r, rm, st);
  }
  return N32(S.fromInt(w, rm, F32, st));
}

/** fcvt.d.s (exact; NaN -> canonical, NV for a signalling NaN). */
export function f32ToF64(a: number, st: FpStatus): bigint {
  if (!f32IsNaN(a)) return doubleToF64Bits(f32ToDouble(a));
  return S.convert(B32(a), F32, F64, RNE, st);
}

// ---------------------------------------------------------------------------------------------
// binary64

function f64AddFast(x: number, y: number, a: bigint, b: bigint, negB: boolean, rm: number, st: FpStatus): bigint {
  if (rm <= RUP) {
    const s = x + y;
    const as = Math.abs(s);
    if (as < F64_MAX) {
      const bb = s - x;
      // x + y = s + e exactly (TwoSum) unless an intermediate overflowed, which leaves e
      // infinite or NaN: those take the exact path.
      const e = (x - (s - bb)) + (y - bb);
      if (e === 0) {
        // Exact (subnormal sums are always exact). JS zero signs are IEEE's in RNE only.
        if (s !== 0 || rm === RNE) return doubleToF64Bits(s);
      } else if (as >= 2 ** -1021 && e - e === 0) {
        return adjust64(doubleToF64Bits(s), e, rm, st);
      }
    }
  }
  return S.add(M64(a), M64(b), negB, rm, F64, st);
}

export function f64Add(a: bigint, b: bigint, rm: number, st: FpStatus): bigint {
  return f64AddFast(f64ToDouble(a), f64ToDouble(b), a, b, false, rm, st);
}

export function f64Sub(a: bigint, b: bigint, rm: number, st: FpStatus): bigint {
  return f64AddFast(f64ToDouble(a), -f64ToDouble(b), a, b, true, rm, st);
}

export function f64Mul(a: bigint, b: bigint, rm: number, st: FpStatus): bigint {
  if (rm <= RUP) {
    const x = f64ToDouble(a);
    const y = f64ToDouble(b);
    const p = x * y;
    const ap = Math.abs(p);
    // Bounds: no partial product of Dekker's split underflows or overflows (ah*bh ~ p).
    if (ap >= F64_FAST_MIN && ap < F64_FAST_MAX && Math.abs(x) < F64_FAST_SPLIT_MAX && Math.abs(y) < F64_FAST_SPLIT_MAX) {
      return adjust64(doubleToF64Bits(p), twoProductErr(x, y, p), rm, st);
    }
  }
  return S.mul(M64(a), M64(b), rm, F64, st);
}

export function f64Div(a: bigint, b: bigint, rm: number, st: FpStatus): bigint {
  if (rm <= RUP) {
    const x = f64ToDouble(a);
    const y = f64ToDouble(b);
    const q = x / y;
    const aq = Math.abs(q);
    const ax = Math.abs(x);
    if (
      aq >= 2 ** -1021 && aq < F64_MAX && ax >= F64_FAST_MIN && ax < F64_FAST_MAX &&
      aq < F64_FAST_SPLIT_MAX && Math.abs(y) < F64_FAST_SPLIT_MAX
    ) {
      // q*y = ph + pl exactly; x - ph is exact (Sterbenz), so sign(x - q*y) = sign((x - ph) - pl)
      // is the sign of (x - ph) compared with pl.
      const ph = q * y;
      const pl = twoProductErr(q, y, ph);
      const d = x - ph;
      const rem = d === pl ? 0 : d > pl ? 1 : -1;
      return adjust64(doubleToF64Bits(q), y > 0 ? rem : -rem, rm, st);
    }
  }
  return S.div(M64(a), M64(b), rm, F64, st);
}

export function f64Sqrt(a: bigint, rm: number, st: FpStatus): bigint {
  if (rm <= RUP) {
    const x = f64ToDouble(a);
    if (x >= F64_FAST_MIN && x < F64_MAX) {
      const r = Math.sqrt(x);
      const ph = r * r;
      const pl = twoProductErr(r, r, ph);
      const d = x - ph;
      return adjust64(doubleToF64Bits(r), d === pl ? 0 : d > pl ? 1 : -1, rm, st);
    }
  }
  return S.sqrt(M64(a), rm, F64, st);
}

/**
 * The fast path (RNE only) is Boldo and Melquiond's FMA emulation with rounding to odd: with
 * x*y = uh + ul (Dekker) and z + uh = th + tl (TwoSum), RN(th + RO(tl + ul)) is RN(x*y + z), far
 * from underflow and overflow (the bounds below).
 */
function f64FmaImpl(a: bigint, b: bigint, c: bigint, negProd: boolean, negAdd: boolean, rm: number, st: FpStatus): bigint {
  if (rm === RNE) {
    let x = f64ToDouble(a);
    const y = f64ToDouble(b);
    let z = f64ToDouble(c);
    if (negProd) x = -x;
    if (negAdd) z = -z;
    const uh = x * y;
    const auh = Math.abs(uh);
    if (
      auh >= F64_FAST_MIN && auh < F64_FAST_MAX && Math.abs(z) < F64_FAST_MAX &&
      Math.abs(x) < F64_FAST_SPLIT_MAX && Math.abs(y) < F64_FAST_SPLIT_MAX
    ) {
      const ul = twoProductErr(x, y, uh);
      const th = z + uh;
      const bb = th - z;
      const tl = (z - (th - bb)) + (uh - bb);
      const v = roundOddSum(tl, ul);
      const r = th + v;
      const ar = Math.abs(r);
      if (ar >= F64_FAST_MIN && ar < F64_MAX) {
        const b2 = r - th;
        const e3 = (th - (r - b2)) + (v - b2); // th + v = r + e3
        if (e3 !== 0 || roInexact) st.flags |= NX;
        return doubleToF64Bits(r);
      }
    }
  }
  return S.fma(M64(a), M64(b), M64(c), negProd, negAdd, rm, F64, st);
}

/** fmadd.d: a*b + c, one rounding. */
export function f64Madd(a: bigint, b: bigint, c: bigint, rm: number, st: FpStatus): bigint {
  return f64FmaImpl(a, b, c, false, false, rm, st);
}
/** fmsub.d: a*b - c. */
export function f64Msub(a: bigint, b: bigint, c: bigint, rm: number, st: FpStatus): bigint {
  return f64FmaImpl(a, b, c, false, true, rm, st);
}
/** fnmsub.d: -(a*b) + c. */
export function f64Nmsub(a: bigint, b: bigint, c: bigint, rm: number, st: FpStatus): bigint {
  return f64FmaImpl(a, b, c, true, false, rm, st);
}
/** fnmadd.d: -(a*b) - c. */
export function f64Nmadd(a: bigint, b: bigint, c: bigint, rm: number, st: FpStatus): bigint {
  return f64FmaImpl(a, b, c, true, true, rm, st);
}

function f64MinMax(a: bigint, b: bigint, isMax: boolean, st: FpStatus): bigint {
  const x = f64ToDouble(a);
  const y = f64ToDouble(b);
  if (x !== x || y !== y) return S.minMax(M64(a), M64(b), isMax, F64, st); // a NaN
  if (x === y) {
    // Equal values differ only for zeros: min prefers -0, max +0.
    const aNeg = M64(a) >= SIGN64;
    return M64(isMax ? (aNeg ? b : a) : aNeg ? a : b);
  }
  return M64((isMax ? x > y : x < y) ? a : b);
}

/** fmin.d: minimumNumber (-0 < +0; NV for a signalling NaN; both NaN: canonical NaN). */
export function f64Min(a: bigint, b: bigint, st: FpStatus): bigint {
  return f64MinMax(a, b, false, st);
}
/** fmax.d: maximumNumber. */
export function f64Max(a: bigint, b: bigint, st: FpStatus): bigint {
  return f64MinMax(a, b, true, st);
}
/** feq.d: 1 or 0; quiet. */
export function f64Eq(a: bigint, b: bigint, st: FpStatus): number {
  const x = f64ToDouble(a);
  const y = f64ToDouble(b);
  if (x !== x || y !== y) return S.eq(M64(a), M64(b), F64, st) ? 1 : 0; // NV only for sNaN
  return x === y ? 1 : 0;
}
/** flt.d: 1 or 0; signalling. */
export function f64Lt(a: bigint, b: bigint, st: FpStatus): number {
  const x = f64ToDouble(a);
  const y = f64ToDouble(b);
  if (x !== x || y !== y) {
    st.flags |= S.NV;
    return 0;
  }
  return x < y ? 1 : 0;
}
/** fle.d: 1 or 0; signalling. */
export function f64Le(a: bigint, b: bigint, st: FpStatus): number {
  const x = f64ToDouble(a);
  const y = f64ToDouble(b);
  if (x !== x || y !== y) {
    st.flags |= S.NV;
    return 0;
  }
  return x <= y ? 1 : 0;
}
/** fclass.d: the 10-bit one-hot mask. */
export function f64Class(a: bigint): number {
  u64v[0] = a;
  const hi = u32v[HI]!;
  const neg = hi >>> 31 === 1;
  const e = (hi >>> 20) & 0x7ff;
  const mNonZero = (hi & 0xfffff) !== 0 || u32v[LO]! !== 0;
  if (e === 0x7ff) {
    if (!mNonZero) return neg ? 1 << 0 : 1 << 7;
    return (hi & 0x80000) !== 0 ? 1 << 9 : 1 << 8;
  }
  if (e === 0) {
    if (!mNonZero) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

const MAG64 = 0x7fffffffffffffffn;
/** fsgnj.d */
export function f64Sgnj(a: bigint, b: bigint): bigint {
  return (a & MAG64) | (b & SIGN64);
}
/** fsgnjn.d */
export function f64Sgnjn(a: bigint, b: bigint): bigint {
  return (a & MAG64) | (~b & SIGN64);
}
/** fsgnjx.d */
export function f64Sgnjx(a: bigint, b: bigint): bigint {
  return M64(a ^ (b & SIGN64));
}

/** fcvt.w.d: int32 result. */
export function f64ToI32(a: bigint, rm: number, st: FpStatus): number {
  return doubleToInt32(f64ToDouble(a), true, rm, st) ?? Number(S.toInt(M64(a), true, 32, rm, F64, st));
}
/** fcvt.wu.d: uint32 result. */
export function f64ToU32(a: bigint, rm: number, st: FpStatus): number {
  return doubleToInt32(f64ToDouble(a), false, rm, st) ?? Number(S.toInt(M64(a), false, 32, rm, F64, st));
}
/** fcvt.l.d: signed bigint result. */
export function f64ToI64(a: bigint, rm: number, st: FpStatus): bigint {
  return doubleToInt64(f64ToDouble(a), true, rm, st) ?? S.toInt(M64(a), true, 64, rm, F64, st);
}
/** fcvt.lu.d: unsigned bigint result. */
export function f64ToU64(a: bigint, rm: number, st: FpStatus): bigint {
  return doubleToInt64(f64ToDouble(a), false, rm, st) ?? S.toInt(M64(a), false, 64, rm, F64, st);
}
/** fcvt.d.w (exact). */
export function i32ToF64(v: number): bigint {
  return doubleToF64Bits(v | 0);
}
/** fcvt.d.wu (exact). */
export function u32ToF64(v: number): bigint {
  return doubleToF64Bits(v >>> 0);
}
/** fcvt.d.l */
export function i64ToF64(v: bigint, rm: number, st: FpStatus): bigint {
  const w = BigInt.asIntN(64, v);
  return int64ToF64(w, rm, st);
}
/** fcvt.d.lu */
export function u64ToF64(v: bigint, rm: number, st: FpStatus): bigint {
  return int64ToF64(BigInt.asUintN(64, v), rm, st);
}

function int64ToF64(w: bigint, rm: number, st: FpStatus): bigint {
  if (w >= -0x20000000000000n && w <= 0x20000000000000n) return doubleToF64Bits(Number(w)); // exact
  if (rm <= RUP) {
    // Number(bigint) rounds to nearest, ties to even; the error's sign gives the directed modes.
    const r = Number(w);
    const e = w - BigInt(r);
    return adjust64(doubleToF64Bits(r), e > 0n ? 1 : e < 0n ? -1 : 0, rm, st);
  }
  return S.fromInt(w, rm, F64, st);
}

/** fcvt.s.d: rounded; NaN -> canonical, NV for a signalling NaN. */
export function f64ToF32(a: bigint, rm: number, st: FpStatus): number {
  if (rm <= RUP) {
    const x = f64ToDouble(a);
    const r = Math.fround(x);
    const ar = Math.abs(r);
    if (ar >= F32_FAST_MIN && ar < F32_MAX) return adjust32(doubleToF32Bits(r), x - r, rm, st); // x - r exact
    if (x === 0) return Object.is(x, -0) ? 0x80000000 : 0;
  }
  return N32(S.convert(M64(a), F64, F32, rm, st));
}

// ---------------------------------------------------------------------------------------------
// NaN-boxing (RV64 / D: single values live in the low half of 64-bit f registers).

/** The 64-bit register value holding the single value a (upper 32 bits all ones). */
export function boxF32(a: number): bigint {
  return 0xffffffff00000000n | BigInt(a >>> 0);
}

/** The single value in a 64-bit register: the low half if properly NaN-boxed, else canonical NaN. */
export function unboxF32(reg: bigint): number {
  return reg >> 32n === 0xffffffffn ? Number(reg & 0xffffffffn) : F32_CANONICAL_NAN;
}

/** Double value of binary32 bits / binary64 bits (for debugging and tests). */
export function f32Value(a: number): number {
  return f32ToDouble(a);
}
export function f64Value(a: bigint): number {
  return f64ToDouble(a);
}
