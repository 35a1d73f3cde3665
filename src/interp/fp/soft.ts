/**
 * Generic soft-float core: IEEE 754-2019 binary formats with the RISC-V F/D choices, over raw
 * bit patterns held in `bigint`, for any format described by a `Format` (binary32, binary64).
 *
 * This is the exact (slow) path: every finite operand is unpacked to an integer significand and
 * a power-of-two exponent, the operation is computed exactly (sums and products with bigint
 * arithmetic, quotients and square roots with enough quotient/root bits plus a sticky bit) and
 * the exact value is rounded once by `roundPack`. `index.ts` wraps these with fast paths.
 *
 * RISC-V choices (unprivileged spec, F and D chapters):
 *  - every NaN result is the canonical NaN (no payload propagation);
 *  - tininess is detected after rounding; UF is raised only when the result is tiny and inexact;
 *  - fmadd & co. raise NV for inf * 0 even when the addend is a quiet NaN;
 *  - fmin/fmax are IEEE 754-2019 minimumNumber/maximumNumber with -0 < +0;
 *  - float -> integer conversions saturate (NaN -> largest positive) and raise NV, not NX.
 */

export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;

export const NV = 16;
export const DZ = 8;
export const OF = 4;
export const UF = 2;
export const NX = 1;

/** Exception flags accrue (are ORed) into `flags`, RISC-V fflags layout. */
export interface FpStatus {
  flags: number;
}

export interface Format {
  readonly name: string;
  /** Total width in bits. */
  readonly width: number;
  /** Precision in bits, hidden bit included (24, 53). */
  readonly p: number;
  /** Stored significand bits (p - 1). */
  readonly mbits: number;
  readonly mbitsB: bigint;
  readonly bias: number;
  readonly emin: number;
  readonly emax: number;
  /** The all-ones exponent field value. */
  readonly expAll: number;
  readonly signBit: bigint;
  readonly hidden: bigint;
  readonly mMask: bigint;
  readonly qnanBit: bigint;
  readonly canonicalNaN: bigint;
  readonly inf: bigint;
  readonly maxFinite: bigint;
  readonly magMask: bigint;
}

function makeFormat(name: string, width: number, ebits: number): Format {
  const mbits = width - 1 - ebits;
  const bias = (1 << (ebits - 1)) - 1;
  const mbitsB = BigInt(mbits);
  const expAll = (1 << ebits) - 1;
  const inf = BigInt(expAll) << mbitsB;
  return {
    name,
    width,
    p: mbits + 1,
    mbits,
    mbitsB,
    bias,
    emin: 1 - bias,
    emax: bias,
    expAll,
    signBit: 1n << BigInt(width - 1),
    hidden: 1n << mbitsB,
    mMask: (1n << mbitsB) - 1n,
    qnanBit: 1n << (mbitsB - 1n),
    canonicalNaN: inf | (1n << (mbitsB - 1n)),
    inf,
    maxFinite: inf - 1n,
    magMask: (1n << BigInt(width - 1)) - 1n,
  };
}

export const F32: Format = makeFormat('binary32', 32, 8);
export const F64: Format = makeFormat('binary64', 64, 11);

// ---------------------------------------------------------------------------------------------
// Unpacking

export const ZERO = 0;
export const FINITE = 1;
export const INF = 2;
export const QNAN = 3;
export const SNAN = 4;

/** An unpacked operand: value = (-1)^sign * sig * 2^exp for FINITE (sig > 0). */
export interface Unpacked {
  cls: number;
  sign: number;
  sig: bigint;
  exp: number;
}

export function unpack(x: bigint, f: Format): Unpacked {
  const sign = (x & f.signBit) !== 0n ? 1 : 0;
  const e = Number((x >> f.mbitsB) & BigInt(f.expAll));
  const m = x & f.mMask;
  if (e === f.expAll) {
    if (m === 0n) return { cls: INF, sign, sig: 0n, exp: 0 };
    return { cls: (m & f.qnanBit) !== 0n ? QNAN : SNAN, sign, sig: m, exp: 0 };
  }
  if (e === 0) {
    if (m === 0n) return { cls: ZERO, sign, sig: 0n, exp: 0 };
    return { cls: FINITE, sign, sig: m, exp: f.emin - f.mbits };
  }
  return { cls: FINITE, sign, sig: m | f.hidden, exp: e - f.bias - f.mbits };
}

export function isNaNBits(x: bigint, f: Format): boolean {
  return (x & f.magMask) > f.inf;
}

export function isSNaNBits(x: bigint, f: Format): boolean {
  return (x & f.magMask) > f.inf && (x & f.qnanBit) === 0n;
}

// ---------------------------------------------------------------------------------------------
// Bit length and rounding

const TWO32 = 4294967296;

/** Number of significant bits of x > 0. */
export function bitLen(x: bigint): number {
  if (x < 0x20000000000000n) {
    const v = Number(x);
    const hi = Math.floor(v / TWO32);
    return hi > 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(v);
  }
  const s = x.toString(16);
  return s.length * 4 - (Math.clz32(parseInt(s[0]!, 16)) - 28);
}

/** Set by `roundShift`: whether the discarded bits were nonzero. */
let inexactOut = false;

/**
 * Rounds sig * 2^-shift to an integer in mode rm, for a value of sign `sign`; shift <= 0 is an
 * exact left shift. `inexactOut` tells whether bits were discarded.
 */
function roundShift(sig: bigint, shift: number, sign: number, rm: number): bigint {
  if (shift <= 0) {
    inexactOut = false;
    return shift === 0 ? sig : sig << BigInt(-shift);
  }
  const s = BigInt(shift);
  const m = sig >> s;
  const rem = sig - (m << s);
  if (rem === 0n) {
    inexactOut = false;
    return m;
  }
  inexactOut = true;
  let up: boolean;
  switch (rm) {
    case RNE: {
      const half = 1n << (s - 1n);
      up = rem > half || (rem === half && (m & 1n) === 1n);
      break;
    }
    case RTZ:
      up = false;
      break;
    case RDN:
      up = sign === 1;
      break;
    case RUP:
      up = sign === 0;
      break;
    case RMM:
      up = rem >= 1n << (s - 1n);
      break;
    default:
      throw new RangeError(`invalid rounding mode ${rm}`);
  }
  return up ? m + 1n : m;
}

/** The result of an overflow (magnitude bits; the caller adds the sign). */
function overflowMag(sign: number, rm: number, f: Format): bigint {
  switch (rm) {
    case RNE:
    case RMM:
      return f.inf;
    case RTZ:
      return f.maxFinite;
    case RDN:
      return sign === 1 ? f.inf : f.maxFinite;
    case RUP:
      return sign === 1 ? f.maxFinite : f.inf;
    default:
      throw new RangeError(`invalid rounding mode ${rm}`);
  }
}

/**
 * Rounds the exact nonzero value (-1)^sign * sig * 2^exp (sig > 0) to format f in mode rm and
 * returns its bits, raising NX/UF/OF. Values that are not exact in a finite number of bits are
 * passed with a sticky bit ORed into the least significant bit of sig, which must then have at
 * least p + 2 bits (the sticky bit is below the round bit, even for normal results).
 */
export function roundPack(sign: number, sig: bigint, exp: number, rm: number, f: Format, st: FpStatus): bigint {
  const n = bitLen(sig);
  const E = exp + n - 1; // exponent of the leading bit
  const sbit = sign === 1 ? f.signBit : 0n;
  if (E >= f.emin) {
    let m = roundShift(sig, n - f.p, sign, rm);
    const inexact = inexactOut;
    let e = E;
    if (m === f.hidden << 1n) {
      m = f.hidden;
      e++;
    }
    if (e > f.emax) {
      st.flags |= OF | NX;
      return sbit | overflowMag(sign, rm, f);
    }
    if (inexact) st.flags |= NX;
    return sbit | (BigInt(e + f.bias) << f.mbitsB) | (m - f.hidden);
  }
  // Below the normal range before rounding: round at the subnormal quantum 2^(emin - mbits).
  const m = roundShift(sig, f.emin - f.mbits - exp, sign, rm);
  if (inexactOut) {
    // Tiny after rounding: the value rounded to p bits with an unbounded exponent is below 2^emin.
    let tiny = true;
    if (E === f.emin - 1) {
      if (roundShift(sig, n - f.p, sign, rm) === f.hidden << 1n) tiny = false;
    }
    st.flags |= tiny ? UF | NX : NX;
  }
  // m <= 2^mbits; m === 2^mbits encodes the smallest normal (exponent field 1).
  return sbit | m;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

function nanResult(f: Format, st: FpStatus, signalling: boolean): bigint {
  if (signalling) st.flags |= NV;
  return f.canonicalNaN;
}

/**
 * The exact sum (-1)^s1 m1 2^e1 + (-1)^s2 m2 2^e2 of two nonzero terms of at most 2p bits each,
 * rounded. An exact zero is +0 (-0 in RDN).
 */
function sumRound(
  s1: number, m1: bigint, e1: number,
  s2: number, m2: bigint, e2: number,
  rm: number, f: Format, st: FpStatus,
): bigint {
  const E1 = e1 + bitLen(m1) - 1;
  const E2 = e2 + bitLen(m2) - 1;
  // A term far below the other only acts as a sticky bit: any value strictly between 0 and
  // 2^(Ebig - 2p - 2) rounds identically (the larger term's bits end at Ebig - 2p + 1).
  const cap = 2 * f.p + 3;
  if (E1 - E2 > cap) {
    m2 = 1n;
    e2 = E1 - cap;
  } else if (E2 - E1 > cap) {
    m1 = 1n;
    e1 = E2 - cap;
  }
  const e = Math.min(e1, e2);
  const v1 = e1 === e ? m1 : m1 << BigInt(e1 - e);
  const v2 = e2 === e ? m2 : m2 << BigInt(e2 - e);
  let s: bigint;
  let sign: number;
  if (s1 === s2) {
    s = v1 + v2;
    sign = s1;
  } else if (v1 >= v2) {
    s = v1 - v2;
    sign = s1;
  } else {
    s = v2 - v1;
    sign = s2;
  }
  if (s === 0n) return rm === RDN ? f.signBit : 0n;
  return roundPack(sign, s, e, rm, f, st);
}

export function add(x: bigint, y: bigint, negateY: boolean, rm: number, f: Format, st: FpStatus): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (negateY) b.sign ^= 1;
  if (a.cls >= QNAN || b.cls >= QNAN) return nanResult(f, st, a.cls === SNAN || b.cls === SNAN);
  if (a.cls === INF) {
    if (b.cls === INF && a.sign !== b.sign) return nanResult(f, st, true);
    return a.sign === 1 ? f.signBit | f.inf : f.inf;
  }
  if (b.cls === INF) return b.sign === 1 ? f.signBit | f.inf : f.inf;
  if (a.cls === ZERO) {
    if (b.cls === ZERO) {
      if (a.sign === b.sign) return a.sign === 1 ? f.signBit : 0n;
      return rm === RDN ? f.signBit : 0n;
    }
    return (y & f.magMask) | (b.sign === 1 ? f.signBit : 0n);
  }
  if (b.cls === ZERO) return x;
  return sumRound(a.sign, a.sig, a.exp, b.sign, b.sig, b.exp, rm, f, st);
}

export function mul(x: bigint, y: bigint, rm: number, f: Format, st: FpStatus): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (a.cls >= QNAN || b.cls >= QNAN) return nanResult(f, st, a.cls === SNAN || b.cls === SNAN);
  const sign = a.sign ^ b.sign;
  const sbit = sign === 1 ? f.signBit : 0n;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === ZERO || b.cls === ZERO) return nanResult(f, st, true);
    return sbit | f.inf;
  }
  if (a.cls === ZERO || b.cls === ZERO) return sbit;
  return roundPack(sign, a.sig * b.sig, a.exp + b.exp, rm, f, st);
}

export function div(x: bigint, y: bigint, rm: number, f: Format, st: FpStatus): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  if (a.cls >= QNAN || b.cls >= QNAN) return nanResult(f, st, a.cls === SNAN || b.cls === SNAN);
  const sign = a.sign ^ b.sign;
  const sbit = sign === 1 ? f.signBit : 0n;
  if (a.cls === INF) {
    if (b.cls === INF) return nanResult(f, st, true);
    return sbit | f.inf;
  }
  if (b.cls === INF) return sbit;
  if (b.cls === ZERO) {
    if (a.cls === ZERO) return nanResult(f, st, true);
    st.flags |= DZ;
    return sbit | f.inf;
  }
  if (a.cls === ZERO) return sbit;
  // Quotient with at least p + 3 bits, then a sticky bit.
  const k = Math.max(0, f.p + 3 + bitLen(b.sig) - bitLen(a.sig));
  const num = a.sig << BigInt(k);
  const q = num / b.sig;
  const sticky = q * b.sig !== num ? 1n : 0n;
  return roundPack(sign, (q << 1n) | sticky, a.exp - b.exp - k - 1, rm, f, st);
}

/** floor(sqrt(n)) for n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 0x20000000000000n) {
    let r = BigInt(Math.floor(Math.sqrt(Number(n))));
    while (r * r > n) r--;
    while ((r + 1n) * (r + 1n) <= n) r++;
    return r;
  }
  // Newton from an over-estimate: 2^ceil(bits/2) > sqrt(n).
  let x = 1n << BigInt((bitLen(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sqrt(x: bigint, rm: number, f: Format, st: FpStatus): bigint {
  const a = unpack(x, f);
  if (a.cls >= QNAN) return nanResult(f, st, a.cls === SNAN);
  if (a.cls === ZERO) return x;
  if (a.sign === 1) return nanResult(f, st, true);
  if (a.cls === INF) return x;
  let sig = a.sig;
  let exp = a.exp;
  if ((exp & 1) !== 0) {
    sig <<= 1n;
    exp -= 1;
  }
  // Root with at least p + 3 bits, then a sticky bit.
  const k = f.p + 3;
  const n = sig << BigInt(2 * k);
  const r = isqrt(n);
  const sticky = r * r !== n ? 1n : 0n;
  return roundPack(0, (r << 1n) | sticky, exp / 2 - k - 1, rm, f, st);
}

/**
 * Fused multiply-add family with one rounding: (-1)^negProd * x * y + (-1)^negAdd * z.
 * fmadd: (false, false); fmsub: (false, true); fnmsub: (true, false); fnmadd: (true, true).
 */
export function fma(
  x: bigint, y: bigint, z: bigint, negProd: boolean, negAdd: boolean,
  rm: number, f: Format, st: FpStatus,
): bigint {
  const a = unpack(x, f);
  const b = unpack(y, f);
  const c = unpack(z, f);
  const infTimesZero = (a.cls === INF && b.cls === ZERO) || (a.cls === ZERO && b.cls === INF);
  if (a.cls >= QNAN || b.cls >= QNAN || c.cls >= QNAN) {
    return nanResult(f, st, infTimesZero || a.cls === SNAN || b.cls === SNAN || c.cls === SNAN);
  }
  if (infTimesZero) return nanResult(f, st, true);
  const ps = a.sign ^ b.sign ^ (negProd ? 1 : 0);
  const cs = c.sign ^ (negAdd ? 1 : 0);
  if (a.cls === INF || b.cls === INF) {
    if (c.cls === INF && cs !== ps) return nanResult(f, st, true);
    return ps === 1 ? f.signBit | f.inf : f.inf;
  }
  if (c.cls === INF) return cs === 1 ? f.signBit | f.inf : f.inf;
  if (a.cls === ZERO || b.cls === ZERO) {
    if (c.cls === ZERO) {
      if (ps === cs) return ps === 1 ? f.signBit : 0n;
      return rm === RDN ? f.signBit : 0n;
    }
    return (z & f.magMask) | (cs === 1 ? f.signBit : 0n);
  }
  if (c.cls === ZERO) return roundPack(ps, a.sig * b.sig, a.exp + b.exp, rm, f, st);
  return sumRound(ps, a.sig * b.sig, a.exp + b.exp, cs, c.sig, c.exp, rm, f, st);
}

// ---------------------------------------------------------------------------------------------
// Min/max, comparisons, classification, sign injection

/** A key ordering non-NaN values with -0 < +0. */
function totalKey(x: bigint, f: Format): bigint {
  const mag = x & f.magMask;
  return (x & f.signBit) !== 0n ? -mag - 1n : mag;
}

/** A key ordering non-NaN values with -0 == +0. */
function numKey(x: bigint, f: Format): bigint {
  const mag = x & f.magMask;
  return (x & f.signBit) !== 0n ? -mag : mag;
}

/** fmin/fmax: IEEE 754-2019 minimumNumber/maximumNumber (-0 < +0, canonical NaN if both NaN). */
export function minMax(x: bigint, y: bigint, isMax: boolean, f: Format, st: FpStatus): bigint {
  const xn = isNaNBits(x, f);
  const yn = isNaNBits(y, f);
  if (xn || yn) {
    if (isSNaNBits(x, f) || isSNaNBits(y, f)) st.flags |= NV;
    if (xn && yn) return f.canonicalNaN;
    return xn ? y : x;
  }
  const kx = totalKey(x, f);
  const ky = totalKey(y, f);
  return (isMax ? kx >= ky : kx <= ky) ? x : y;
}

/** feq (quiet: NV only for a signalling NaN). */
export function eq(x: bigint, y: bigint, f: Format, st: FpStatus): boolean {
  if (isNaNBits(x, f) || isNaNBits(y, f)) {
    if (isSNaNBits(x, f) || isSNaNBits(y, f)) st.flags |= NV;
    return false;
  }
  return numKey(x, f) === numKey(y, f);
}

/** flt (signalling: NV for any NaN). */
export function lt(x: bigint, y: bigint, f: Format, st: FpStatus): boolean {
  if (isNaNBits(x, f) || isNaNBits(y, f)) {
    st.flags |= NV;
    return false;
  }
  return numKey(x, f) < numKey(y, f);
}

/** fle (signalling: NV for any NaN). */
export function le(x: bigint, y: bigint, f: Format, st: FpStatus): boolean {
  if (isNaNBits(x, f) || isNaNBits(y, f)) {
    st.flags |= NV;
    return false;
  }
  return numKey(x, f) <= numKey(y, f);
}

/**
 * fclass: bit 0 -inf, 1 negative normal, 2 negative subnormal, 3 -0, 4 +0, 5 positive
 * subnormal, 6 positive normal, 7 +inf, 8 signalling NaN, 9 quiet NaN.
 */
export function classify(x: bigint, f: Format): number {
  const neg = (x & f.signBit) !== 0n;
  const e = Number((x >> f.mbitsB) & BigInt(f.expAll));
  const m = x & f.mMask;
  if (e === f.expAll) {
    if (m === 0n) return neg ? 1 << 0 : 1 << 7;
    return (m & f.qnanBit) !== 0n ? 1 << 9 : 1 << 8;
  }
  if (e === 0) {
    if (m === 0n) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

// ---------------------------------------------------------------------------------------------
// Conversions

/**
 * Float -> integer of `width` bits (signed or not), rounded in mode rm, with RISC-V saturation:
 * NaN and +inf give the largest value, -inf the smallest; out-of-range values clip and raise NV
 * (and not NX). Returns the mathematical integer value.
 */
export function toInt(x: bigint, signed: boolean, width: number, rm: number, f: Format, st: FpStatus): bigint {
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  const a = unpack(x, f);
  if (a.cls >= QNAN) {
    st.flags |= NV;
    return max;
  }
  if (a.cls === INF) {
    st.flags |= NV;
    return a.sign === 1 ? min : max;
  }
  if (a.cls === ZERO) return 0n;
  if (a.exp + bitLen(a.sig) > width + 1) {
    // |x| >= 2^(width + 1): out of range in every mode.
    st.flags |= NV;
    return a.sign === 1 ? min : max;
  }
  const r = roundShift(a.sig, -a.exp, a.sign, rm);
  const inexact = inexactOut;
  const v = a.sign === 1 ? -r : r;
  if (v > max) {
    st.flags |= NV;
    return max;
  }
  if (v < min) {
    st.flags |= NV;
    return min;
  }
  if (inexact) st.flags |= NX;
  return v;
}

/** Integer (any bigint value) -> float, rounded in mode rm. Zero gives +0. */
export function fromInt(v: bigint, rm: number, f: Format, st: FpStatus): bigint {
  if (v === 0n) return 0n;
  return v < 0n ? roundPack(1, -v, 0, rm, f, st) : roundPack(0, v, 0, rm, f, st);
}

/** Format conversion (fcvt.s.d, fcvt.d.s): NaN -> canonical NaN (NV for a signalling one). */
export function convert(x: bigint, from: Format, to: Format, rm: number, st: FpStatus): bigint {
  const a = unpack(x, from);
  if (a.cls >= QNAN) return nanResult(to, st, a.cls === SNAN);
  const sbit = a.sign === 1 ? to.signBit : 0n;
  if (a.cls === INF) return sbit | to.inf;
  if (a.cls === ZERO) return sbit;
  return roundPack(a.sign, a.sig, a.exp, rm, to, st);
}
