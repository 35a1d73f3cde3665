/**
 * The interpreter's soft-float (src/interp/fp): corner cases written from IEEE 754-2019 and the
 * RISC-V F/D chapters, the fast paths against the exact bigint core, and a differential check of
 * every F/D arithmetic, compare, classify, sign-injection and conversion instruction, in every
 * static rounding mode, against qemu-riscv64 running test/fp/vectors.c (bit-exact values and
 * fflags).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as F from '../src/interp/fp/index.js';
import * as S from '../src/interp/fp/soft.js';
import { DZ, NV, NX, OF, RDN, RMM, RNE, RTZ, RUP, UF } from '../src/interp/fp/index.js';
import { rng } from './support/rng.js';

const RMS = [RNE, RTZ, RDN, RUP, RMM] as const;
const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm'];

// ---------------------------------------------------------------------------------------------
// Helpers

const cvbuf = new ArrayBuffer(8);
const cvf32 = new Float32Array(cvbuf);
const cvu32 = new Uint32Array(cvbuf);
const cvf64 = new Float64Array(cvbuf);
const cvu64 = new BigUint64Array(cvbuf);

/** binary32 bits of a JS number (rounded to nearest). */
function s(x: number): number {
  cvf32[0] = x;
  return cvu32[0]!;
}
/** binary64 bits of a JS number. */
function d(x: number): bigint {
  cvf64[0] = x;
  return cvu64[0]!;
}

/** Runs op with a fresh status; returns [value, flags]. */
function run<T>(op: (st: F.FpStatus) => T): [T, number] {
  const st = { flags: 0 };
  const v = op(st);
  return [v, st.flags];
}

const hex32 = (x: number) => '0x' + (x >>> 0).toString(16).padStart(8, '0');
const hex64 = (x: bigint) => '0x' + BigInt.asUintN(64, x).toString(16).padStart(16, '0');

// binary32 constants
const S_PZERO = 0x00000000;
const S_NZERO = 0x80000000;
const S_MINSUB = 0x00000001;
const S_MAXSUB = 0x007fffff;
const S_MINNORM = 0x00800000;
const S_MAX = 0x7f7fffff;
const S_INF = 0x7f800000;
const S_NINF = 0xff800000;
const S_QNAN = 0x7fc00000;
const S_SNAN = 0x7f800001;
const S_ONE = 0x3f800000;
const S_CNAN = F.F32_CANONICAL_NAN;

// binary64 constants
const D_PZERO = 0n;
const D_NZERO = 0x8000000000000000n;
const D_MINSUB = 1n;
const D_MAXSUB = 0x000fffffffffffffn;
const D_MINNORM = 0x0010000000000000n;
const D_MAX = 0x7fefffffffffffffn;
const D_INF = 0x7ff0000000000000n;
const D_NINF = 0xfff0000000000000n;
const D_QNAN = 0x7ff8000000000000n;
const D_SNAN = 0x7ff0000000000001n;
const D_ONE = 0x3ff0000000000000n;
const D_CNAN = F.F64_CANONICAL_NAN;

// ---------------------------------------------------------------------------------------------
// Corner cases from the spec

describe('soft-float corner cases (IEEE 754-2019, RISC-V F/D)', () => {
  it('basic exact and inexact arithmetic', () => {
    expect(run((st) => F.f32Add(s(1), s(2), RNE, st))).toEqual([s(3), 0]);
    expect(run((st) => F.f32Div(s(1), s(3), RNE, st))).toEqual([0x3eaaaaab, NX]);
    expect(run((st) => F.f32Div(s(1), s(3), RTZ, st))).toEqual([0x3eaaaaaa, NX]);
    expect(run((st) => F.f64Div(d(1), d(3), RNE, st))).toEqual([0x3fd5555555555555n, NX]);
    expect(run((st) => F.f64Div(d(1), d(3), RUP, st))).toEqual([0x3fd5555555555556n, NX]);
    expect(run((st) => F.f64Div(d(-1), d(3), RUP, st))).toEqual([0xbfd5555555555555n, NX]);
    expect(run((st) => F.f64Div(d(-1), d(3), RDN, st))).toEqual([0xbfd5555555555556n, NX]);
    expect(run((st) => F.f64Sqrt(d(2), RNE, st))).toEqual([d(Math.SQRT2), NX]);
    expect(run((st) => F.f64Sqrt(d(4), RNE, st))).toEqual([d(2), 0]);
    expect(run((st) => F.f32Sqrt(s(2), RNE, st))).toEqual([s(Math.SQRT2), NX]);
    expect(run((st) => F.f64Mul(d(3), d(5), RNE, st))).toEqual([d(15), 0]);
  });

  it('NaN results are canonical; sNaN operands raise NV, qNaN operands do not', () => {
    for (const rm of RMS) {
      expect(run((st) => F.f32Add(S_QNAN | 0x1234, s(1), rm, st))).toEqual([S_CNAN, 0]);
      expect(run((st) => F.f32Add(0xffc01234, s(1), rm, st))).toEqual([S_CNAN, 0]);
      expect(run((st) => F.f32Mul(s(1), S_SNAN, rm, st))).toEqual([S_CNAN, NV]);
      expect(run((st) => F.f64Sub(0xfff8000000000abcn, d(1), rm, st))).toEqual([D_CNAN, 0]);
      expect(run((st) => F.f64Div(D_SNAN, D_QNAN, rm, st))).toEqual([D_CNAN, NV]);
      expect(run((st) => F.f32Sqrt(S_SNAN, rm, st))).toEqual([S_CNAN, NV]);
      expect(run((st) => F.f64Sqrt(D_QNAN | 5n, rm, st))).toEqual([D_CNAN, 0]);
    }
    // Invalid operations.
    expect(run((st) => F.f32Add(S_INF, S_NINF, RNE, st))).toEqual([S_CNAN, NV]);
    expect(run((st) => F.f64Sub(D_INF, D_INF, RNE, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f32Mul(S_INF, S_NZERO, RNE, st))).toEqual([S_CNAN, NV]);
    expect(run((st) => F.f64Div(D_PZERO, D_NZERO, RNE, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f64Div(D_NINF, D_INF, RNE, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f32Sqrt(s(-1), RNE, st))).toEqual([S_CNAN, NV]);
    expect(run((st) => F.f64Sqrt(D_NINF, RNE, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f64Sqrt(0x8000000000000001n, RNE, st))).toEqual([D_CNAN, NV]);
    // Division by zero.
    expect(run((st) => F.f32Div(s(-1), S_PZERO, RNE, st))).toEqual([S_NINF, DZ]);
    expect(run((st) => F.f64Div(d(2), D_NZERO, RTZ, st))).toEqual([D_NINF, DZ]);
    expect(run((st) => F.f64Div(D_INF, D_NZERO, RTZ, st))).toEqual([D_NINF, 0]);
    // Conversions between formats.
    expect(run((st) => F.f32ToF64(S_SNAN, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f32ToF64(0xffc00001, st))).toEqual([D_CNAN, 0]);
    expect(run((st) => F.f64ToF32(D_SNAN, RNE, st))).toEqual([S_CNAN, NV]);
    expect(run((st) => F.f64ToF32(0xfff8000000000001n, RNE, st))).toEqual([S_CNAN, 0]);
  });

  it('signed zeros', () => {
    for (const rm of RMS) {
      const z = rm === RDN ? S_NZERO : S_PZERO;
      const zd = rm === RDN ? D_NZERO : D_PZERO;
      expect(run((st) => F.f32Add(s(1.5), s(-1.5), rm, st))).toEqual([z, 0]);
      expect(run((st) => F.f32Sub(s(1.5), s(1.5), rm, st))).toEqual([z, 0]);
      expect(run((st) => F.f64Add(d(1.5), d(-1.5), rm, st))).toEqual([zd, 0]);
      expect(run((st) => F.f64Add(D_PZERO, D_NZERO, rm, st))).toEqual([zd, 0]);
      expect(run((st) => F.f32Add(S_NZERO, S_NZERO, rm, st))).toEqual([S_NZERO, 0]);
      expect(run((st) => F.f64Add(D_NZERO, D_NZERO, rm, st))).toEqual([D_NZERO, 0]);
      expect(run((st) => F.f64Sub(D_NZERO, D_PZERO, rm, st))).toEqual([D_NZERO, 0]);
      expect(run((st) => F.f64Sub(D_PZERO, D_PZERO, rm, st))).toEqual([zd, 0]);
      expect(run((st) => F.f32Mul(S_NZERO, s(3), rm, st))).toEqual([S_NZERO, 0]);
      expect(run((st) => F.f64Mul(D_NZERO, d(-3), rm, st))).toEqual([D_PZERO, 0]);
      expect(run((st) => F.f64Div(D_NZERO, d(3), rm, st))).toEqual([D_NZERO, 0]);
      expect(run((st) => F.f64Div(d(-3), D_INF, rm, st))).toEqual([D_NZERO, 0]);
      expect(run((st) => F.f32Sqrt(S_NZERO, rm, st))).toEqual([S_NZERO, 0]);
      expect(run((st) => F.f64Sqrt(D_NZERO, rm, st))).toEqual([D_NZERO, 0]);
      // x + 0 is x exactly; (-0) + x too.
      expect(run((st) => F.f32Add(S_MINSUB, S_NZERO, rm, st))).toEqual([S_MINSUB, 0]);
      expect(run((st) => F.f64Add(D_NZERO, 0x8000000000000001n, rm, st))).toEqual([0x8000000000000001n, 0]);
      // fma: zero product plus zero.
      expect(run((st) => F.f64Madd(D_NZERO, d(1), D_PZERO, rm, st))).toEqual([zd, 0]);
      expect(run((st) => F.f64Madd(D_NZERO, d(1), D_NZERO, rm, st))).toEqual([D_NZERO, 0]);
      expect(run((st) => F.f64Nmadd(D_PZERO, d(1), D_PZERO, rm, st))).toEqual([D_NZERO, 0]);
      expect(run((st) => F.f32Nmsub(S_PZERO, s(1), S_PZERO, rm, st))).toEqual([z, 0]);
      // Integer zero converts to +0.
      expect(run((st) => F.i64ToF64(0n, rm, st))).toEqual([D_PZERO, 0]);
      expect(run((st) => F.i32ToF32(0, rm, st))).toEqual([S_PZERO, 0]);
    }
  });

  it('subnormals: exact, boundaries, underflow only when tiny and inexact', () => {
    // Exact subnormal results raise nothing.
    expect(run((st) => F.f32Add(S_MINSUB, S_MINSUB, RNE, st))).toEqual([2, 0]);
    expect(run((st) => F.f64Sub(D_MINNORM, D_MINSUB, RNE, st))).toEqual([D_MAXSUB, 0]);
    expect(run((st) => F.f64Mul(D_MINNORM, d(0.5), RNE, st))).toEqual([0x0008000000000000n, 0]);
    expect(run((st) => F.f32Div(S_MINNORM, s(4), RNE, st))).toEqual([0x00200000, 0]);
    // Inexact and tiny: UF | NX; halfway below the smallest subnormal rounds to even (0).
    expect(run((st) => F.f64Mul(D_MINSUB, d(0.5), RNE, st))).toEqual([D_PZERO, UF | NX]);
    expect(run((st) => F.f64Mul(D_MINSUB, d(0.5), RUP, st))).toEqual([D_MINSUB, UF | NX]);
    expect(run((st) => F.f64Mul(D_MINSUB, d(0.75), RNE, st))).toEqual([D_MINSUB, UF | NX]);
    expect(run((st) => F.f64Mul(D_MINSUB | D_NZERO, d(0.5), RDN, st))).toEqual([D_MINSUB | D_NZERO, UF | NX]);
    expect(run((st) => F.f32Mul(3, s(0.5), RNE, st))).toEqual([2, UF | NX]);
    expect(run((st) => F.f32Mul(3, s(0.5), RMM, st))).toEqual([2, UF | NX]);
    expect(run((st) => F.f32Mul(1, s(0.5), RMM, st))).toEqual([1, UF | NX]);
    expect(run((st) => F.f32Mul(1, s(0.5), RTZ, st))).toEqual([0, UF | NX]);
    expect(run((st) => F.f32Div(S_MINSUB, s(3), RUP, st))).toEqual([1, UF | NX]);
    expect(run((st) => F.f64Div(D_MINNORM, d(3), RNE, st))).toEqual([0x0005555555555555n, UF | NX]);
    // Tininess is detected after rounding. (1 - 2^-24) * 2^-126 = 2^-126 - 2^-150 is exact at
    // 24 bits with an unbounded exponent, so it is tiny even where the delivered result is the
    // smallest normal (the tie at the subnormal quantum goes to even = 2^-126): UF | NX.
    const x = 0x3f7fffff; // 1 - 2^-24
    expect(run((st) => F.f32Mul(x, S_MINNORM, RNE, st))).toEqual([S_MINNORM, UF | NX]);
    expect(run((st) => F.f32Mul(x, S_MINNORM, RMM, st))).toEqual([S_MINNORM, UF | NX]);
    expect(run((st) => F.f32Mul(x, S_MINNORM, RUP, st))).toEqual([S_MINNORM, UF | NX]);
    expect(run((st) => F.f32Mul(x, S_MINNORM, RTZ, st))).toEqual([S_MAXSUB, UF | NX]);
    expect(run((st) => F.f32Mul(x, S_MINNORM, RDN, st))).toEqual([S_MAXSUB, UF | NX]);
    expect(run((st) => F.f32Mul(x | 0x80000000, S_MINNORM, RDN, st))).toEqual([(S_MINNORM | 0x80000000) >>> 0, UF | NX]);
    // 2^-126 - 2^-151 = (2^25 - 1) 2^-151 = (18631 2^-80) (1801 2^-71) needs 25 bits: rounded at
    // 24 bits with an unbounded exponent it is 2^-126 in RNE (tie to even), RMM and RUP: not tiny.
    const p1 = s(18631 * 2 ** -80);
    const p2 = s(1801 * 2 ** -71);
    expect(run((st) => F.f32Mul(p1, p2, RNE, st))).toEqual([S_MINNORM, NX]);
    expect(run((st) => F.f32Mul(p1, p2, RMM, st))).toEqual([S_MINNORM, NX]);
    expect(run((st) => F.f32Mul(p1, p2, RUP, st))).toEqual([S_MINNORM, NX]);
    expect(run((st) => F.f32Mul(p1, p2, RTZ, st))).toEqual([S_MAXSUB, UF | NX]);
    expect(run((st) => F.f32Mul(p1, p2, RDN, st))).toEqual([S_MAXSUB, UF | NX]);
    // binary64: (1 - 2^-53) * 2^-1022 is tiny (UF even when it rounds to 2^-1022).
    const y = 0x3fefffffffffffffn;
    expect(run((st) => F.f64Mul(y, D_MINNORM, RNE, st))).toEqual([D_MINNORM, UF | NX]);
    expect(run((st) => F.f64Mul(y, D_MINNORM, RTZ, st))).toEqual([D_MAXSUB, UF | NX]);
    // (1 - 2^-52) * 2^-1022 = 2^-1022 - 2^-1074 is MAXSUB exactly: no flags.
    expect(run((st) => F.f64Mul(0x3feffffffffffffen, D_MINNORM, RNE, st))).toEqual([D_MAXSUB, 0]);
    // Conversions to binary32 that underflow.
    expect(run((st) => F.f64ToF32(d(2 ** -150), RNE, st))).toEqual([0, UF | NX]);
    expect(run((st) => F.f64ToF32(d(2 ** -150 * 1.5), RNE, st))).toEqual([1, UF | NX]);
    expect(run((st) => F.f64ToF32(d(2 ** -149), RNE, st))).toEqual([1, 0]);
    expect(run((st) => F.f64ToF32(d(-(2 ** -160)), RDN, st))).toEqual([0x80000001, UF | NX]);
    expect(run((st) => F.f64ToF32(d(2 ** -126 - 2 ** -151), RNE, st))).toEqual([S_MINNORM, NX]);
    expect(run((st) => F.f64ToF32(d(2 ** -126 - 2 ** -151), RTZ, st))).toEqual([S_MAXSUB, UF | NX]);
    expect(run((st) => F.f32ToF64(S_MINSUB, st))).toEqual([d(2 ** -149), 0]);
    expect(run((st) => F.f32ToF64(S_MAXSUB | 0x80000000, st))).toEqual([d(-(2 ** -126 - 2 ** -149)), 0]);
    // sqrt of subnormals.
    expect(run((st) => F.f64Sqrt(D_MINSUB, RNE, st))).toEqual([d(2 ** -537), 0]);
    expect(run((st) => F.f32Sqrt(S_MINSUB, RNE, st))).toEqual([s(Math.sqrt(2 ** -149)), NX]);
  });

  it('overflow: per-mode result, OF | NX', () => {
    const cases: [number, number, number][] = [
      // rm, sign, expected f32 bits
      [RNE, 0, S_INF], [RTZ, 0, S_MAX], [RDN, 0, S_MAX], [RUP, 0, S_INF], [RMM, 0, S_INF],
      [RNE, 1, S_NINF], [RTZ, 1, S_MAX | 0x80000000], [RDN, 1, S_NINF], [RUP, 1, S_MAX | 0x80000000], [RMM, 1, S_NINF],
    ];
    for (const [rm, sign, want] of cases) {
      const a = sign ? S_MAX | 0x80000000 : S_MAX;
      expect(run((st) => F.f32Mul(a, s(2), rm, st)), `f32 ${RM_NAMES[rm]} ${sign}`).toEqual([want >>> 0, OF | NX]);
      expect(run((st) => F.f32Add(a, a, rm, st))).toEqual([want >>> 0, OF | NX]);
      const ad = sign ? D_MAX | D_NZERO : D_MAX;
      const wantD = (want & 0x7fffffff) === S_INF ? (sign ? D_NINF : D_INF) : ad;
      expect(run((st) => F.f64Mul(ad, d(1.5), rm, st)), `f64 ${RM_NAMES[rm]} ${sign}`).toEqual([wantD, OF | NX]);
      expect(run((st) => F.f64ToF32(sign ? d(-1e300) : d(1e300), rm, st))).toEqual([want >>> 0, OF | NX]);
    }
    // MAX + half an ulp: RNE ties to even -> overflow; RTZ stays.
    expect(run((st) => F.f32Add(S_MAX, s(2 ** 103), RNE, st))).toEqual([S_INF, OF | NX]);
    expect(run((st) => F.f32Add(S_MAX, s(2 ** 103), RTZ, st))).toEqual([S_MAX, NX]);
    expect(run((st) => F.f32Add(S_MAX, s(2 ** 102), RNE, st))).toEqual([S_MAX, NX]);
    expect(run((st) => F.f32Add(S_MAX, s(2 ** 102), RUP, st))).toEqual([S_INF, OF | NX]);
    expect(run((st) => F.f64Add(D_MAX, d(2 ** 970), RNE, st))).toEqual([D_INF, OF | NX]);
    expect(run((st) => F.f64Add(D_MAX, d(2 ** 969), RNE, st))).toEqual([D_MAX, NX]);
    expect(run((st) => F.f64Add(D_MAX, d(2 ** 969), RUP, st))).toEqual([D_INF, OF | NX]);
    expect(run((st) => F.f64Add(D_MAX, D_MINSUB, RUP, st))).toEqual([D_INF, OF | NX]);
    expect(run((st) => F.f64Add(D_MAX, D_MINSUB, RNE, st))).toEqual([D_MAX, NX]);
    // Large magnitudes of opposite signs (no intermediate may overflow).
    expect(run((st) => F.f64Add(0xffcfd195fc0e82aen, D_MAX, RDN, st))).toEqual([0x7fe80b9a80fc5f53n, NX]);
    expect(run((st) => F.f64Add(0xffdcb4217fffffffn, D_MAX, RTZ, st))).toEqual([0x7fe1a5ef3fffffffn, NX]);
    expect(run((st) => F.f64Sub(0x7fda0f93b378e847n, D_MAX, RUP, st))).toEqual([0xffe2f83626438bdbn, NX]);
    // Infinite operands are exact: no OF.
    expect(run((st) => F.f64Add(D_INF, D_MAX, RNE, st))).toEqual([D_INF, 0]);
    expect(run((st) => F.f32Mul(S_NINF, s(2), RTZ, st))).toEqual([S_NINF, 0]);
    expect(run((st) => F.u64ToF32(0xffffffffffffffffn, RNE, st))).toEqual([s(2 ** 64), NX]);
  });

  it('every rounding mode on ties and non-ties', () => {
    // 1 + 2^-24 is a tie between 1 and 1 + 2^-23 (f32): RNE even (1), RMM away.
    const tie = s(2 ** -24);
    expect(run((st) => F.f32Add(S_ONE, tie, RNE, st))).toEqual([S_ONE, NX]);
    expect(run((st) => F.f32Add(S_ONE, tie, RMM, st))).toEqual([S_ONE + 1, NX]);
    expect(run((st) => F.f32Add(S_ONE, tie, RTZ, st))).toEqual([S_ONE, NX]);
    expect(run((st) => F.f32Add(S_ONE, tie, RDN, st))).toEqual([S_ONE, NX]);
    expect(run((st) => F.f32Add(S_ONE, tie, RUP, st))).toEqual([S_ONE + 1, NX]);
    // (1 + 2^-23) + 2^-24: tie, RNE rounds up to even.
    expect(run((st) => F.f32Add(S_ONE + 1, tie, RNE, st))).toEqual([S_ONE + 2, NX]);
    expect(run((st) => F.f32Add(S_ONE + 1, tie, RTZ, st))).toEqual([S_ONE + 1, NX]);
    // Negative: -1 - 2^-24.
    const n1 = S_ONE | 0x80000000;
    const ntie = tie | 0x80000000;
    expect(run((st) => F.f32Add(n1, ntie, RNE, st))).toEqual([n1 >>> 0, NX]);
    expect(run((st) => F.f32Add(n1, ntie, RMM, st))).toEqual([(n1 + 1) >>> 0, NX]);
    expect(run((st) => F.f32Add(n1, ntie, RDN, st))).toEqual([(n1 + 1) >>> 0, NX]);
    expect(run((st) => F.f32Add(n1, ntie, RUP, st))).toEqual([n1 >>> 0, NX]);
    // f64: 1 + 2^-53, 1 + 3 * 2^-54.
    expect(run((st) => F.f64Add(D_ONE, d(2 ** -53), RNE, st))).toEqual([D_ONE, NX]);
    expect(run((st) => F.f64Add(D_ONE, d(2 ** -53), RMM, st))).toEqual([D_ONE + 1n, NX]);
    expect(run((st) => F.f64Add(D_ONE, d(2 ** -53), RUP, st))).toEqual([D_ONE + 1n, NX]);
    expect(run((st) => F.f64Add(D_ONE, d(3 * 2 ** -54), RNE, st))).toEqual([D_ONE + 1n, NX]);
    expect(run((st) => F.f64Add(D_ONE, d(3 * 2 ** -54), RTZ, st))).toEqual([D_ONE, NX]);
    // Below a power of two the spacing halves: 1 - 2^-60 rounds to 1 (RNE, RUP, RMM) or
    // 1 - 2^-53 (RTZ, RDN).
    expect(run((st) => F.f64Sub(D_ONE, d(2 ** -60), RNE, st))).toEqual([D_ONE, NX]);
    expect(run((st) => F.f64Sub(D_ONE, d(2 ** -60), RDN, st))).toEqual([D_ONE - 1n, NX]);
    expect(run((st) => F.f64Sub(D_ONE, d(2 ** -60), RTZ, st))).toEqual([D_ONE - 1n, NX]);
    expect(run((st) => F.f64Sub(D_ONE, d(2 ** -60), RMM, st))).toEqual([D_ONE, NX]);
    // Huge exponent gaps (the small term is only a sticky bit).
    expect(run((st) => F.f64Add(D_ONE, D_MINSUB, RUP, st))).toEqual([D_ONE + 1n, NX]);
    expect(run((st) => F.f64Sub(D_ONE, D_MINSUB, RTZ, st))).toEqual([D_ONE - 1n, NX]);
    expect(run((st) => F.f64Sub(D_ONE, D_MINSUB, RNE, st))).toEqual([D_ONE, NX]);
    expect(run((st) => F.f32Add(S_MAX, S_MINSUB, RUP, st))).toEqual([S_INF, OF | NX]);
    expect(run((st) => F.f32Sub(S_MINNORM, S_MINSUB, RNE, st))).toEqual([S_MAXSUB, 0]);
    // Invalid static rounding modes throw.
    expect(() => F.f64Add(D_ONE, d(2 ** -60), 5, { flags: 0 })).toThrow(RangeError);
  });

  it('fused multiply-add: single rounding, exact cancellation, inf * 0', () => {
    // (1 + 2^-27)^2 - 1 = 2^-26 + 2^-54 exactly: an unfused multiply would lose 2^-54.
    const x = d(1 + 2 ** -27);
    expect(run((st) => F.f64Msub(x, x, D_ONE, RNE, st))).toEqual([d(2 ** -26 + 2 ** -54), 0]);
    expect(run((st) => F.f64Madd(x, x, d(-1), RNE, st))).toEqual([d(2 ** -26 + 2 ** -54), 0]);
    // a*b - RN(a*b) is the exact error of the product.
    const a = d(0.1);
    const p = F.f64Mul(a, a, RNE, { flags: 0 });
    const [err, fl] = run((st) => F.f64Msub(a, a, p, RNE, st));
    expect(fl).toBe(0);
    expect(F.f64Value(err)).not.toBe(0);
    // Exact cancellation gives +0 (-0 in RDN).
    const b = d(3);
    const c = d(9);
    for (const rm of RMS) {
      const z = rm === RDN ? D_NZERO : D_PZERO;
      expect(run((st) => F.f64Msub(b, b, c, rm, st))).toEqual([z, 0]);
      expect(run((st) => F.f64Nmadd(b, b, c | D_NZERO, rm, st))).toEqual([z, 0]);
      expect(run((st) => F.f64Nmsub(b, b, c, rm, st))).toEqual([z, 0]);
      expect(run((st) => F.f32Msub(s(3), s(3), s(9), rm, st))).toEqual([rm === RDN ? S_NZERO : S_PZERO, 0]);
    }
    // f32 fma: (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly.
    const y = s(1 + 2 ** -12);
    expect(run((st) => F.f32Msub(y, y, S_ONE, RNE, st))).toEqual([s(2 ** -11 + 2 ** -24), 0]);
    // Double-rounding hazard: (1 + 2^-20) 2^-24 (1 - 2^-20) + (1 + 2^-23) = 1 + 2^-23 + 2^-24 -
    // 2^-64 is just below a binary32 midpoint; its nearest double is the midpoint itself.
    const h1 = s((1 + 2 ** -20) * 2 ** -24);
    const h2 = s(1 - 2 ** -20);
    expect(run((st) => F.f32Madd(h1, h2, S_ONE + 1, RNE, st))).toEqual([S_ONE + 1, NX]);
    expect(run((st) => F.f32Madd(h1, h2, S_ONE + 1, RMM, st))).toEqual([S_ONE + 1, NX]);
    expect(run((st) => F.f32Madd(h1, h2, S_ONE + 1, RUP, st))).toEqual([S_ONE + 2, NX]);
    expect(run((st) => F.f32Madd(h1, h2, S_ONE + 1, RTZ, st))).toEqual([S_ONE + 1, NX]);
    expect(run((st) => F.f32Nmadd(h1, h2, S_ONE + 1, RDN, st))).toEqual([((S_ONE + 2) | 0x80000000) >>> 0, NX]);
    // The same for binary64: (1 + 2^-30) 2^-53 (1 - 2^-30) + (1 + 2^-52).
    const k1 = d((1 + 2 ** -30) * 2 ** -53);
    const k2 = d(1 - 2 ** -30);
    expect(run((st) => F.f64Madd(k1, k2, D_ONE + 1n, RNE, st))).toEqual([D_ONE + 1n, NX]);
    expect(run((st) => F.f64Madd(k1, k2, D_ONE + 1n, RUP, st))).toEqual([D_ONE + 2n, NX]);
    expect(run((st) => F.f64Madd(k1, k2 + 1n, D_ONE + 1n, RNE, st))).toEqual([D_ONE + 2n, NX]);
    // inf * 0 + qNaN raises NV (RISC-V), result canonical.
    expect(run((st) => F.f32Madd(S_INF, S_PZERO, S_QNAN, RNE, st))).toEqual([S_CNAN, NV]);
    expect(run((st) => F.f64Madd(D_PZERO, D_NINF, D_QNAN | 7n, RNE, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f64Madd(D_ONE, D_QNAN, d(1), RNE, st))).toEqual([D_CNAN, 0]);
    expect(run((st) => F.f64Madd(D_ONE, d(1), D_SNAN, RNE, st))).toEqual([D_CNAN, NV]);
    // inf * x - inf is invalid; inf * x + inf is inf.
    expect(run((st) => F.f64Msub(D_INF, d(2), D_INF, RNE, st))).toEqual([D_CNAN, NV]);
    expect(run((st) => F.f64Madd(D_INF, d(2), D_INF, RNE, st))).toEqual([D_INF, 0]);
    expect(run((st) => F.f64Nmadd(D_INF, d(2), D_INF, RNE, st))).toEqual([D_NINF, 0]);
    expect(run((st) => F.f32Nmsub(S_INF, s(2), S_INF, RNE, st))).toEqual([S_CNAN, NV]);
    // Product overflow but the sum is finite (exact intermediate).
    expect(run((st) => F.f64Madd(D_MAX, d(2), D_MAX | D_NZERO, RNE, st))).toEqual([D_MAX, 0]);
    // Product below the subnormal range, addend decides with a sticky bit.
    expect(run((st) => F.f64Madd(D_MINSUB, D_MINSUB, D_ONE, RUP, st))).toEqual([D_ONE + 1n, NX]);
    expect(run((st) => F.f64Madd(D_MINSUB, D_MINSUB, D_ONE, RNE, st))).toEqual([D_ONE, NX]);
    expect(run((st) => F.f64Nmsub(D_MINSUB, D_MINSUB, D_ONE, RTZ, st))).toEqual([0x3fefffffffffffffn, NX]);
    expect(run((st) => F.f64Nmadd(D_MINSUB, D_MINSUB, D_ONE, RTZ, st))).toEqual([0xbff0000000000000n, NX]);
    expect(run((st) => F.f64Madd(D_MINSUB, D_MINSUB, D_PZERO, RNE, st))).toEqual([D_PZERO, UF | NX]);
    expect(run((st) => F.f64Madd(D_MINSUB, D_MINSUB, D_NZERO, RUP, st))).toEqual([D_MINSUB, UF | NX]);
  });

  it('fmin/fmax: minimumNumber/maximumNumber', () => {
    expect(run((st) => F.f32Min(S_PZERO, S_NZERO, st))).toEqual([S_NZERO, 0]);
    expect(run((st) => F.f32Min(S_NZERO, S_PZERO, st))).toEqual([S_NZERO, 0]);
    expect(run((st) => F.f32Max(S_NZERO, S_PZERO, st))).toEqual([S_PZERO, 0]);
    expect(run((st) => F.f32Max(S_PZERO, S_NZERO, st))).toEqual([S_PZERO, 0]);
    expect(run((st) => F.f64Min(D_PZERO, D_NZERO, st))).toEqual([D_NZERO, 0]);
    expect(run((st) => F.f64Max(D_NZERO, D_PZERO, st))).toEqual([D_PZERO, 0]);
    expect(run((st) => F.f32Min(S_QNAN | 3, s(2), st))).toEqual([s(2), 0]);
    expect(run((st) => F.f32Max(s(-2), S_SNAN, st))).toEqual([s(-2), NV]);
    expect(run((st) => F.f32Max(S_QNAN, S_SNAN, st))).toEqual([S_CNAN, NV]);
    expect(run((st) => F.f32Min(0xffc00001, 0x7fc00002, st))).toEqual([S_CNAN, 0]);
    expect(run((st) => F.f64Min(D_SNAN, d(-7), st))).toEqual([d(-7), NV]);
    expect(run((st) => F.f64Max(D_QNAN | 9n, D_QNAN, st))).toEqual([D_CNAN, 0]);
    expect(run((st) => F.f64Max(D_NINF, D_MAX | D_NZERO, st))).toEqual([D_MAX | D_NZERO, 0]);
    expect(run((st) => F.f64Min(D_NINF, D_MAX | D_NZERO, st))).toEqual([D_NINF, 0]);
    expect(run((st) => F.f32Min(S_MINSUB, S_PZERO, st))).toEqual([S_PZERO, 0]);
  });

  it('compares: feq quiet, flt/fle signalling', () => {
    expect(run((st) => F.f32Eq(S_PZERO, S_NZERO, st))).toEqual([1, 0]);
    expect(run((st) => F.f32Le(S_NZERO, S_PZERO, st))).toEqual([1, 0]);
    expect(run((st) => F.f32Lt(S_NZERO, S_PZERO, st))).toEqual([0, 0]);
    expect(run((st) => F.f32Eq(S_QNAN, S_QNAN, st))).toEqual([0, 0]);
    expect(run((st) => F.f32Eq(S_SNAN, s(1), st))).toEqual([0, NV]);
    expect(run((st) => F.f32Lt(S_QNAN, s(1), st))).toEqual([0, NV]);
    expect(run((st) => F.f32Le(s(1), S_QNAN, st))).toEqual([0, NV]);
    expect(run((st) => F.f64Eq(D_QNAN, D_ONE, st))).toEqual([0, 0]);
    expect(run((st) => F.f64Eq(D_ONE, D_SNAN, st))).toEqual([0, NV]);
    expect(run((st) => F.f64Lt(D_QNAN, D_ONE, st))).toEqual([0, NV]);
    expect(run((st) => F.f64Le(D_NINF, D_NINF, st))).toEqual([1, 0]);
    expect(run((st) => F.f64Lt(D_NINF, D_MAX | D_NZERO, st))).toEqual([1, 0]);
    expect(run((st) => F.f64Lt(D_MINSUB | D_NZERO, D_NZERO, st))).toEqual([1, 0]);
    expect(run((st) => F.f64Eq(D_PZERO, D_NZERO, st))).toEqual([1, 0]);
  });

  it('fclass and sign injection', () => {
    const cls32 = [S_NINF, s(-1), 0x80000001, S_NZERO, S_PZERO, S_MAXSUB, S_ONE, S_INF, S_SNAN, S_QNAN];
    cls32.forEach((x, i) => expect(F.f32Class(x), hex32(x)).toBe(1 << i));
    expect(F.f32Class(0xffbfffff)).toBe(1 << 8);
    expect(F.f32Class(0xffffffff)).toBe(1 << 9);
    const cls64 = [D_NINF, d(-1), D_MAXSUB | D_NZERO, D_NZERO, D_PZERO, D_MINSUB, D_MINNORM, D_INF, D_SNAN, D_QNAN];
    cls64.forEach((x, i) => expect(F.f64Class(x), hex64(x)).toBe(1 << i));
    expect(F.f32Sgnj(S_ONE, 0x80000000)).toBe(0xbf800000);
    expect(F.f32Sgnjn(S_ONE, 0x80000000)).toBe(S_ONE);
    expect(F.f32Sgnjx(0xbf800000, 0x80000000)).toBe(S_ONE);
    expect(F.f32Sgnj(S_SNAN, S_NINF)).toBe(0xff800001);
    expect(F.f64Sgnj(D_ONE, D_NZERO)).toBe(D_ONE | D_NZERO);
    expect(F.f64Sgnjn(D_ONE | D_NZERO, D_NZERO)).toBe(D_ONE);
    expect(F.f64Sgnjx(D_ONE | D_NZERO, D_NZERO)).toBe(D_ONE);
    expect(F.f64Sgnjn(D_QNAN, D_QNAN)).toBe(D_QNAN | D_NZERO);
    expect(F.boxF32(S_ONE)).toBe(0xffffffff3f800000n);
    expect(F.unboxF32(0xffffffff3f800000n)).toBe(S_ONE);
    expect(F.unboxF32(0x000000003f800000n)).toBe(S_CNAN);
  });

  it('float -> integer: rounding, saturation, NV (not NX) when out of range', () => {
    // NaN -> largest positive; inf -> min/max.
    expect(run((st) => F.f32ToI32(S_QNAN | 0x80000000, RNE, st))).toEqual([0x7fffffff, NV]);
    expect(run((st) => F.f32ToU32(S_SNAN, RNE, st))).toEqual([0xffffffff, NV]);
    expect(run((st) => F.f64ToI64(D_QNAN, RNE, st))).toEqual([(1n << 63n) - 1n, NV]);
    expect(run((st) => F.f64ToU64(D_NINF, RNE, st))).toEqual([0n, NV]);
    expect(run((st) => F.f64ToI32(D_NINF, RNE, st))).toEqual([-0x80000000, NV]);
    expect(run((st) => F.f32ToU64(S_INF, RNE, st))).toEqual([(1n << 64n) - 1n, NV]);
    // Limits, exactly and just beyond.
    expect(run((st) => F.f64ToI32(d(2147483647), RNE, st))).toEqual([2147483647, 0]);
    expect(run((st) => F.f64ToI32(d(2147483647.5), RNE, st))).toEqual([2147483647, NV]);
    expect(run((st) => F.f64ToI32(d(2147483647.5), RTZ, st))).toEqual([2147483647, NX]);
    expect(run((st) => F.f64ToI32(d(2147483647.5), RDN, st))).toEqual([2147483647, NX]);
    expect(run((st) => F.f64ToI32(d(2147483647.25), RNE, st))).toEqual([2147483647, NX]);
    expect(run((st) => F.f64ToI32(d(-2147483648.5), RNE, st))).toEqual([-2147483648, NX]);
    expect(run((st) => F.f64ToI32(d(-2147483648.5), RMM, st))).toEqual([-2147483648, NV]);
    expect(run((st) => F.f64ToI32(d(-2147483648.5), RUP, st))).toEqual([-2147483648, NX]);
    expect(run((st) => F.f64ToI32(d(-2147483649), RTZ, st))).toEqual([-2147483648, NV]);
    expect(run((st) => F.f32ToI32(s(2 ** 31), RTZ, st))).toEqual([2147483647, NV]);
    expect(run((st) => F.f32ToI32(s(-(2 ** 31)), RTZ, st))).toEqual([-2147483648, 0]);
    expect(run((st) => F.f64ToU32(d(4294967295.5), RTZ, st))).toEqual([4294967295, NX]);
    expect(run((st) => F.f64ToU32(d(4294967295.5), RNE, st))).toEqual([4294967295, NV]);
    expect(run((st) => F.f64ToU32(d(4294967296), RDN, st))).toEqual([4294967295, NV]);
    expect(run((st) => F.f32ToI64(s(2 ** 63), RNE, st))).toEqual([(1n << 63n) - 1n, NV]);
    expect(run((st) => F.f32ToI64(s(-(2 ** 63)), RNE, st))).toEqual([-(1n << 63n), 0]);
    expect(run((st) => F.f64ToI64(0x43dfffffffffffffn, RNE, st))).toEqual([(1n << 63n) - 1024n, 0]);
    expect(run((st) => F.f64ToU64(0x43efffffffffffffn, RNE, st))).toEqual([(1n << 64n) - 2048n, 0]);
    expect(run((st) => F.f64ToU64(d(2 ** 64), RNE, st))).toEqual([(1n << 64n) - 1n, NV]);
    expect(run((st) => F.f64ToI64(d(-1e300), RNE, st))).toEqual([-(1n << 63n), NV]);
    // Unsigned: small negatives round to 0 (NX), -1 is out of range (NV).
    expect(run((st) => F.f64ToU32(d(-0.5), RNE, st))).toEqual([0, NX]);
    expect(run((st) => F.f64ToU32(d(-0.5), RTZ, st))).toEqual([0, NX]);
    expect(run((st) => F.f64ToU32(d(-0.5), RDN, st))).toEqual([0, NV]);
    expect(run((st) => F.f64ToU32(d(-0.5), RMM, st))).toEqual([0, NV]);
    expect(run((st) => F.f32ToU64(s(-1), RTZ, st))).toEqual([0n, NV]);
    expect(run((st) => F.f32ToU64(S_NZERO, RTZ, st))).toEqual([0n, 0]);
    // Rounding modes.
    const m = [
      [2.5, 2, 2, 2, 3, 3], [-2.5, -2, -2, -3, -2, -3], [0.5, 0, 0, 0, 1, 1], [1.5, 2, 1, 1, 2, 2],
      [-0.4, 0, 0, -1, 0, 0], [7.75, 8, 7, 7, 8, 8], [-7.25, -7, -7, -8, -7, -7],
    ];
    for (const [x, ...want] of m) {
      for (const rm of RMS) {
        expect(run((st) => F.f64ToI32(d(x!), rm, st)), `${x} ${RM_NAMES[rm]}`).toEqual([want[rm], NX]);
        expect(run((st) => F.f32ToI64(s(x!), rm, st)), `${x} ${RM_NAMES[rm]}`).toEqual([BigInt(want[rm]!), NX]);
      }
    }
    // Just below one half in magnitude (1 - x is not exact in binary64).
    for (const rm of RMS) {
      expect(run((st) => F.f64ToI32(0xbfdfffffffffffffn, rm, st))).toEqual([rm === RDN ? -1 : 0, NX]);
      expect(run((st) => F.f64ToI64(0x3fdfffffffffffffn, rm, st))).toEqual([rm === RUP ? 1n : 0n, NX]);
      expect(run((st) => F.f64ToU64(0xbfdfffffffffffffn, rm, st))).toEqual([0n, rm === RDN ? NV : NX]);
    }
    // Subnormals round to 0 or +-1.
    expect(run((st) => F.f32ToI32(S_MINSUB, RUP, st))).toEqual([1, NX]);
    expect(run((st) => F.f64ToI64(D_MINSUB | D_NZERO, RDN, st))).toEqual([-1n, NX]);
    expect(run((st) => F.f64ToI64(D_MINSUB | D_NZERO, RNE, st))).toEqual([0n, NX]);
  });

  it('integer -> float: exact and rounded', () => {
    expect(run((st) => F.i32ToF32(16777217, RNE, st))).toEqual([s(16777216), NX]);
    expect(run((st) => F.i32ToF32(16777217, RUP, st))).toEqual([s(16777218), NX]);
    expect(run((st) => F.i32ToF32(-16777217, RUP, st))).toEqual([s(-16777216), NX]);
    expect(run((st) => F.i32ToF32(0x80000000, RNE, st))).toEqual([s(-(2 ** 31)), 0]);
    expect(run((st) => F.u32ToF32(0xffffffff, RNE, st))).toEqual([s(2 ** 32), NX]);
    expect(run((st) => F.u32ToF32(0xffffffff, RTZ, st))).toEqual([0x4f7fffff, NX]);
    expect(run((st) => F.u32ToF32(-1, RTZ, st))).toEqual([0x4f7fffff, NX]);
    expect(run((st) => F.i64ToF64((1n << 53n) + 1n, RNE, st))).toEqual([d(2 ** 53), NX]);
    expect(run((st) => F.i64ToF64((1n << 53n) + 1n, RMM, st))).toEqual([d(2 ** 53 + 2), NX]);
    expect(run((st) => F.i64ToF64((1n << 53n) + 3n, RNE, st))).toEqual([d(2 ** 53 + 4), NX]);
    expect(run((st) => F.i64ToF64(-(1n << 63n), RNE, st))).toEqual([d(-(2 ** 63)), 0]);
    expect(run((st) => F.i64ToF64(0xffffffffffffffffn, RNE, st))).toEqual([d(-1), 0]);
    expect(run((st) => F.u64ToF64(0xffffffffffffffffn, RNE, st))).toEqual([d(2 ** 64), NX]);
    expect(run((st) => F.u64ToF64(0xffffffffffffffffn, RDN, st))).toEqual([0x43efffffffffffffn, NX]);
    expect(run((st) => F.i64ToF32(-1n, RNE, st))).toEqual([s(-1), 0]);
    expect(F.i32ToF64(-5)).toBe(d(-5));
    expect(F.u32ToF64(-1)).toBe(d(4294967295));
  });
});

// ---------------------------------------------------------------------------------------------
// Operand generation (shared by the fast-path check and the qemu differential test)

const SPECIAL32 = [
  S_PZERO, S_NZERO, S_MINSUB, 0x80000001, S_MAXSUB, 0x807fffff, S_MINNORM, 0x80800000, 0x00800001,
  S_MAX, 0xff7fffff, S_ONE, 0xbf800000, S_INF, S_NINF, S_QNAN, 0xffc00001, S_SNAN, 0xffbfffff, 0x7fa00000,
  0x3f800001, 0x3fffffff, 0x4b000000, 0x4b800000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbf000000,
  0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x4f800000, 0x4f7fffff, 0x5f000000, 0xdf000000,
  0x5f800000, 0x5effffff, 0x5f7fffff, 0x00400000, 0x34000000, 0x33800000, 0x7effffff, 0x0c000000,
  0x1f800000, 0x3effffff, 0xbeffffff, 0x40400000, 0x7f000000, 0xfeffffff,
];

const SPECIAL64 = [
  D_PZERO, D_NZERO, D_MINSUB, D_MINSUB | D_NZERO, D_MAXSUB, D_MAXSUB | D_NZERO, D_MINNORM, D_MINNORM | D_NZERO,
  D_MINNORM + 1n, D_MAX, D_MAX | D_NZERO, D_ONE, D_ONE | D_NZERO, D_INF, D_NINF, D_QNAN, 0xfff8000000000001n,
  D_SNAN, 0xfff7ffffffffffffn, 0x7ff4000000000000n, D_ONE + 1n, 0x3fffffffffffffffn, d(2 ** 52), d(2 ** 53),
  d(0.5), d(1.5), d(2.5), d(-0.5), d(-1.5), d(2 ** 31), d(-(2 ** 31)), d(2147483647.5), d(-2147483648.5),
  d(-2147483649), d(2 ** 32), d(4294967295.5), d(2 ** 63), d(-(2 ** 63)), 0x43dfffffffffffffn,
  0xc3e0000000000001n, d(2 ** 64), 0x43efffffffffffffn, d(2 ** -1023), d(2 ** -52), d(2 ** -53), d(3),
  d(0.1), d(1e300), d(-1e-300), d(2 ** -149), d(2 ** -150), d(2 ** -126), d(2 ** -126 - 2 ** -151),
  d(3.4028235677973366e38), d(3.4028234663852886e38 + 2 ** 103), d(-(2 ** 128)), 0x7fefffffffffffffn - 1n,
  0xbfdfffffffffffffn, 0x3fdfffffffffffffn, 0xffcfd195fc0e82aen, 0x7fe0000000000000n, 0xffe0000000000001n,
];

const INT32S = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 0x7ffffff0, 16777216, 16777217, -16777217, 16777219, 0x7fffffc0, 0x7fffffbf, 0x12345678];
const INT64S = [
  0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n), (1n << 64n) - 1n, (1n << 53n) + 1n, (1n << 53n) - 1n, 1n << 53n,
  -(1n << 53n) - 1n, (1n << 24n) + 1n, (1n << 63n) - 512n, (1n << 63n) - 513n, (1n << 64n) - 1024n, (1n << 62n) + 1n,
  0x123456789abcdefn, 0xfffffffffffff800n, 0x8000000000000400n, 0x8000000000000401n,
];

type Rand = () => number;

function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
function bits(r: Rand, n: number): number {
  // n <= 32
  return n === 32 ? Math.floor(r() * 2 ** 32) >>> 0 : Math.floor(r() * 2 ** n);
}
function bits64(r: Rand): bigint {
  return (BigInt(bits(r, 32)) << 32n) | BigInt(bits(r, 32));
}

/** A random binary32: uniform bits, specials, near-1, near the extremes, short significands. */
function rand32(r: Rand): number {
  const k = r();
  if (k < 0.2) return bits(r, 32);
  if (k < 0.4) return pick(r, SPECIAL32) >>> 0;
  const sign = r() < 0.5 ? 0 : 0x80000000;
  let e: number;
  const ke = r();
  if (ke < 0.5) e = 112 + bits(r, 5); // near 1
  else if (ke < 0.65) e = bits(r, 3); // subnormal / tiny
  else if (ke < 0.8) e = 247 + bits(r, 3); // huge
  else if (ke < 0.9) e = 158 + bits(r, 5) - 16; // around 2^31 .. 2^64
  else e = bits(r, 8);
  let m = bits(r, 23);
  if (r() < 0.3) m &= ~((1 << bits(r, 5)) - 1) & 0x7fffff; // trailing zeros
  if (r() < 0.1) m |= 0x7fffff >>> bits(r, 5); // trailing ones
  return (sign | (Math.min(e, 254) << 23) | m) >>> 0;
}

function rand64(r: Rand): bigint {
  const k = r();
  if (k < 0.2) return bits64(r);
  if (k < 0.4) return pick(r, SPECIAL64);
  const sign = r() < 0.5 ? 0n : D_NZERO;
  let e: number;
  const ke = r();
  if (ke < 0.5) e = 1007 + bits(r, 5);
  else if (ke < 0.6) e = bits(r, 3);
  else if (ke < 0.7) e = 2040 + bits(r, 3);
  else if (ke < 0.8) e = 1023 + 63 - 40 + bits(r, 6);
  else if (ke < 0.9) e = 1023 - 150 + bits(r, 6); // binary32 edges (fcvt.s.d)
  else e = bits(r, 11);
  let m = (BigInt(bits(r, 20)) << 32n) | BigInt(bits(r, 32));
  if (r() < 0.3) m &= ~((1n << BigInt(bits(r, 6))) - 1n);
  if (r() < 0.1) m |= (1n << 52n) - 1n >> BigInt(bits(r, 6));
  m &= (1n << 52n) - 1n;
  return sign | (BigInt(Math.min(e, 2046)) << 52n) | m;
}

/** A second operand related to a (close exponent, for cancellation and ties) or independent. */
function near32(r: Rand, a: number): number {
  const k = r();
  if (k < 0.5) return rand32(r);
  if (k < 0.7) return ((a ^ (r() < 0.5 ? 0x80000000 : 0)) + bits(r, 4) - 8) >>> 0;
  // Exponent within +-26 of a's.
  const e = Math.max(0, Math.min(254, ((a >>> 23) & 0xff) + bits(r, 6) - 32));
  return ((r() < 0.5 ? 0 : 0x80000000) | (e << 23) | bits(r, 23)) >>> 0;
}
function near64(r: Rand, a: bigint): bigint {
  const k = r();
  if (k < 0.5) return rand64(r);
  if (k < 0.7) return BigInt.asUintN(64, (a ^ (r() < 0.5 ? D_NZERO : 0n)) + BigInt(bits(r, 4) - 8));
  const e = Math.max(0, Math.min(2046, Number((a >> 52n) & 0x7ffn) + bits(r, 7) - 64));
  return (r() < 0.5 ? 0n : D_NZERO) | (BigInt(e) << 52n) | ((BigInt(bits(r, 20)) << 32n) | BigInt(bits(r, 32)));
}

/** Addends for fma: independent, or cancelling the product (exactly or nearly). */
function addend32(r: Rand, a: number, b: number): number {
  const k = r();
  if (k < 0.4) return near32(r, a);
  const p = F.f32Mul(a, b, pick(r, RMS), { flags: 0 });
  if (k < 0.7) return (p ^ 0x80000000) >>> 0;
  return ((p ^ (r() < 0.5 ? 0x80000000 : 0)) + bits(r, 4) - 8) >>> 0;
}
function addend64(r: Rand, a: bigint, b: bigint): bigint {
  const k = r();
  if (k < 0.4) return near64(r, a);
  const p = F.f64Mul(a, b, pick(r, RMS), { flags: 0 });
  if (k < 0.7) return p ^ D_NZERO;
  return BigInt.asUintN(64, (p ^ (r() < 0.5 ? D_NZERO : 0n)) + BigInt(bits(r, 4) - 8));
}

function randI32(r: Rand): number {
  const k = r();
  if (k < 0.3) return pick(r, INT32S) | 0;
  if (k < 0.6) return bits(r, 32) | 0;
  return (bits(r, 32) >>> bits(r, 5)) * (r() < 0.5 ? -1 : 1) | 0;
}
function randI64(r: Rand): bigint {
  const k = r();
  if (k < 0.3) return BigInt.asUintN(64, pick(r, INT64S));
  if (k < 0.6) return bits64(r);
  const v = bits64(r) >> BigInt(bits(r, 6));
  return BigInt.asUintN(64, r() < 0.5 ? -v : v);
}

/** binary32 operands whose product or quotient lies near a fast-path threshold. */
function gEdge32(r: Rand): Operands {
  const targets = [2 ** -125, 2 ** -126, 2 ** -127, 2 ** -149, 3.4028234663852886e38, 2 ** 127, 2 ** 128];
  const t = pick(r, targets) * (1 + (r() - 0.5) * 2 ** -(1 + bits(r, 5))) * (r() < 0.5 ? -1 : 1);
  const a = Math.fround((0.5 + r() * 1.5) * 2 ** (bits(r, 6) - 32));
  const div = r() < 0.5;
  const b = Math.fround(div ? a / t : t / a);
  // For div, the generator's first operand is scaled by t so that a' / b ~ t.
  return div ? [B(s(t * b)), B(s(b)), 0n] : [B(s(a)), B(s(b)), 0n];
}

/** binary64 operands whose product or quotient lies near a fast-path threshold. */
function gEdge64(r: Rand): Operands {
  const targets = [2 ** -900, 2 ** -1021, 2 ** -1022, 2 ** -1023, 2 ** -1074, Number.MAX_VALUE, 2 ** 1023, 2 ** 1000];
  const t = pick(r, targets) * (1 + (r() - 0.5) * 2 ** -(1 + bits(r, 6))) * (r() < 0.5 ? -1 : 1);
  const a = (0.5 + r() * 1.5) * 2 ** (bits(r, 8) - 128);
  const b = r() < 0.5 ? a / t : t / a;
  if (!Number.isFinite(b) || b === 0) return [d(a), d(1), 0n];
  return r() < 0.5 ? [d(a), d(b), 0n] : [d(t * b), d(b), 0n];
}

/**
 * fma operands where p + c lies within a hair of a binary32 midpoint: c = m (odd significand),
 * a*b = ulp(m)/2 (1 - 2^-2j) or (1 + 2^-2j), so RN53(p + c) is the midpoint itself.
 */
function gMid32(r: Rand): Operands {
  const e = bits(r, 7) + 60; // m in [2^(e-127), ...)
  const m = ((r() < 0.5 ? 0 : 0x80000000) | (e << 23) | (bits(r, 23) | 1)) >>> 0;
  const h = 2 ** (e - 127 - 24); // ulp(m) / 2
  const j = 12 + bits(r, 3);
  const sign = (m >>> 31 === 1 ? -1 : 1) * (r() < 0.8 ? 1 : -1);
  const a = s(sign * h * (1 + 2 ** -j));
  const b = s(r() < 0.5 ? 1 - 2 ** -j : 1 + 2 ** -j);
  return [B(a), B(b), B(m)];
}

/** f64 fma with heavy cancellation: c = -(a*b) rounded, nudged by a few ulps, or tiny. */
function gHard64(r: Rand): Operands {
  const a = rand64(r);
  const b = near64(r, D_ONE);
  const k = r();
  const p = F.f64Mul(a, b, pick(r, RMS), { flags: 0 });
  if (k < 0.4) return [a, b, p ^ D_NZERO];
  if (k < 0.8) return [a, b, BigInt.asUintN(64, (p ^ D_NZERO) + BigInt(bits(r, 3) - 4))];
  // addend an ulp-scale of the product away: c = +-p * 2^-(53..110)
  const c = d(F.f64Value(p) * 2 ** -(53 + bits(r, 6)) * (r() < 0.5 ? -1 : 1));
  return [a, b, c];
}

// ---------------------------------------------------------------------------------------------
// The operation table (ids match test/fp/vectors.c)

type Operands = [bigint, bigint, bigint];

interface OpDef {
  id: number;
  name: string;
  /** Whether the instruction has a rounding mode. */
  rm: boolean;
  /** Operand generator. */
  gen: (r: Rand) => Operands;
  /** Result as the 64-bit register value qemu prints (f32 results: low 32 bits only). */
  eval: (a: bigint, b: bigint, c: bigint, rm: number, st: F.FpStatus) => bigint;
  /** binary32 result (compare the low 32 bits). */
  f32Result?: boolean;
}

const n = (x: bigint): number => Number(x & 0xffffffffn);
const B = (x: number): bigint => BigInt(x >>> 0);
const sext32 = (x: number): bigint => BigInt.asUintN(64, BigInt(x | 0));
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

const g32x1 = (r: Rand): Operands => [B(rand32(r)), 0n, 0n];
const g32x2 = (r: Rand): Operands => {
  const a = rand32(r);
  return [B(a), B(near32(r, a)), 0n];
};
const g32x3 = (r: Rand): Operands => {
  const a = rand32(r);
  const b = r() < 0.3 ? rand32(r) : near32(r, 0x3f800000);
  return [B(a), B(b), B(addend32(r, a, b))];
};
const g64x1 = (r: Rand): Operands => [rand64(r), 0n, 0n];
const g64x2 = (r: Rand): Operands => {
  const a = rand64(r);
  return [a, near64(r, a), 0n];
};
const g64x3 = (r: Rand): Operands => {
  const a = rand64(r);
  const b = r() < 0.3 ? rand64(r) : near64(r, D_ONE);
  return [a, b, addend64(r, a, b)];
};
const gI32 = (r: Rand): Operands => [BigInt.asUintN(64, BigInt(randI32(r))), 0n, 0n];
const gI64 = (r: Rand): Operands => [randI64(r), 0n, 0n];

const OPS: OpDef[] = [
  { id: 0, name: 'fadd.s', rm: true, gen: g32x2, f32Result: true, eval: (a, b, _c, rm, st) => B(F.f32Add(n(a), n(b), rm, st)) },
  { id: 1, name: 'fsub.s', rm: true, gen: g32x2, f32Result: true, eval: (a, b, _c, rm, st) => B(F.f32Sub(n(a), n(b), rm, st)) },
  { id: 2, name: 'fmul.s', rm: true, gen: g32x2, f32Result: true, eval: (a, b, _c, rm, st) => B(F.f32Mul(n(a), n(b), rm, st)) },
  { id: 3, name: 'fdiv.s', rm: true, gen: g32x2, f32Result: true, eval: (a, b, _c, rm, st) => B(F.f32Div(n(a), n(b), rm, st)) },
  { id: 4, name: 'fsqrt.s', rm: true, gen: g32x1, f32Result: true, eval: (a, _b, _c, rm, st) => B(F.f32Sqrt(n(a), rm, st)) },
  { id: 5, name: 'fmadd.s', rm: true, gen: g32x3, f32Result: true, eval: (a, b, c, rm, st) => B(F.f32Madd(n(a), n(b), n(c), rm, st)) },
  { id: 6, name: 'fmsub.s', rm: true, gen: g32x3, f32Result: true, eval: (a, b, c, rm, st) => B(F.f32Msub(n(a), n(b), n(c), rm, st)) },
  { id: 7, name: 'fnmsub.s', rm: true, gen: g32x3, f32Result: true, eval: (a, b, c, rm, st) => B(F.f32Nmsub(n(a), n(b), n(c), rm, st)) },
  { id: 8, name: 'fnmadd.s', rm: true, gen: g32x3, f32Result: true, eval: (a, b, c, rm, st) => B(F.f32Nmadd(n(a), n(b), n(c), rm, st)) },
  { id: 9, name: 'fcvt.w.s', rm: true, gen: g32x1, eval: (a, _b, _c, rm, st) => sext32(F.f32ToI32(n(a), rm, st)) },
  { id: 10, name: 'fcvt.wu.s', rm: true, gen: g32x1, eval: (a, _b, _c, rm, st) => sext32(F.f32ToU32(n(a), rm, st)) },
  { id: 11, name: 'fcvt.l.s', rm: true, gen: g32x1, eval: (a, _b, _c, rm, st) => u64(F.f32ToI64(n(a), rm, st)) },
  { id: 12, name: 'fcvt.lu.s', rm: true, gen: g32x1, eval: (a, _b, _c, rm, st) => u64(F.f32ToU64(n(a), rm, st)) },
  { id: 13, name: 'fcvt.s.w', rm: true, gen: gI32, f32Result: true, eval: (a, _b, _c, rm, st) => B(F.i32ToF32(n(a), rm, st)) },
  { id: 14, name: 'fcvt.s.wu', rm: true, gen: gI32, f32Result: true, eval: (a, _b, _c, rm, st) => B(F.u32ToF32(n(a), rm, st)) },
  { id: 15, name: 'fcvt.s.l', rm: true, gen: gI64, f32Result: true, eval: (a, _b, _c, rm, st) => B(F.i64ToF32(a, rm, st)) },
  { id: 16, name: 'fcvt.s.lu', rm: true, gen: gI64, f32Result: true, eval: (a, _b, _c, rm, st) => B(F.u64ToF32(a, rm, st)) },
  { id: 17, name: 'fcvt.s.d', rm: true, gen: g64x1, f32Result: true, eval: (a, _b, _c, rm, st) => B(F.f64ToF32(a, rm, st)) },
  { id: 18, name: 'fmin.s', rm: false, gen: g32x2, f32Result: true, eval: (a, b, _c, _rm, st) => B(F.f32Min(n(a), n(b), st)) },
  { id: 19, name: 'fmax.s', rm: false, gen: g32x2, f32Result: true, eval: (a, b, _c, _rm, st) => B(F.f32Max(n(a), n(b), st)) },
  { id: 20, name: 'feq.s', rm: false, gen: g32x2, eval: (a, b, _c, _rm, st) => BigInt(F.f32Eq(n(a), n(b), st)) },
  { id: 21, name: 'flt.s', rm: false, gen: g32x2, eval: (a, b, _c, _rm, st) => BigInt(F.f32Lt(n(a), n(b), st)) },
  { id: 22, name: 'fle.s', rm: false, gen: g32x2, eval: (a, b, _c, _rm, st) => BigInt(F.f32Le(n(a), n(b), st)) },
  { id: 23, name: 'fclass.s', rm: false, gen: g32x1, eval: (a) => BigInt(F.f32Class(n(a))) },
  { id: 24, name: 'fsgnj.s', rm: false, gen: g32x2, f32Result: true, eval: (a, b) => B(F.f32Sgnj(n(a), n(b))) },
  { id: 25, name: 'fsgnjn.s', rm: false, gen: g32x2, f32Result: true, eval: (a, b) => B(F.f32Sgnjn(n(a), n(b))) },
  { id: 26, name: 'fsgnjx.s', rm: false, gen: g32x2, f32Result: true, eval: (a, b) => B(F.f32Sgnjx(n(a), n(b))) },
  { id: 27, name: 'fcvt.d.s', rm: false, gen: g32x1, eval: (a, _b, _c, _rm, st) => F.f32ToF64(n(a), st) },

  { id: 32, name: 'fadd.d', rm: true, gen: g64x2, eval: (a, b, _c, rm, st) => F.f64Add(a, b, rm, st) },
  { id: 33, name: 'fsub.d', rm: true, gen: g64x2, eval: (a, b, _c, rm, st) => F.f64Sub(a, b, rm, st) },
  { id: 34, name: 'fmul.d', rm: true, gen: g64x2, eval: (a, b, _c, rm, st) => F.f64Mul(a, b, rm, st) },
  { id: 35, name: 'fdiv.d', rm: true, gen: g64x2, eval: (a, b, _c, rm, st) => F.f64Div(a, b, rm, st) },
  { id: 36, name: 'fsqrt.d', rm: true, gen: g64x1, eval: (a, _b, _c, rm, st) => F.f64Sqrt(a, rm, st) },
  { id: 37, name: 'fmadd.d', rm: true, gen: g64x3, eval: (a, b, c, rm, st) => F.f64Madd(a, b, c, rm, st) },
  { id: 38, name: 'fmsub.d', rm: true, gen: g64x3, eval: (a, b, c, rm, st) => F.f64Msub(a, b, c, rm, st) },
  { id: 39, name: 'fnmsub.d', rm: true, gen: g64x3, eval: (a, b, c, rm, st) => F.f64Nmsub(a, b, c, rm, st) },
  { id: 40, name: 'fnmadd.d', rm: true, gen: g64x3, eval: (a, b, c, rm, st) => F.f64Nmadd(a, b, c, rm, st) },
  { id: 41, name: 'fcvt.w.d', rm: true, gen: g64x1, eval: (a, _b, _c, rm, st) => sext32(F.f64ToI32(a, rm, st)) },
  { id: 42, name: 'fcvt.wu.d', rm: true, gen: g64x1, eval: (a, _b, _c, rm, st) => sext32(F.f64ToU32(a, rm, st)) },
  { id: 43, name: 'fcvt.l.d', rm: true, gen: g64x1, eval: (a, _b, _c, rm, st) => u64(F.f64ToI64(a, rm, st)) },
  { id: 44, name: 'fcvt.lu.d', rm: true, gen: g64x1, eval: (a, _b, _c, rm, st) => u64(F.f64ToU64(a, rm, st)) },
  { id: 45, name: 'fcvt.d.w', rm: false, gen: gI32, eval: (a) => F.i32ToF64(n(a)) },
  { id: 46, name: 'fcvt.d.wu', rm: false, gen: gI32, eval: (a) => F.u32ToF64(n(a)) },
  { id: 47, name: 'fcvt.d.l', rm: true, gen: gI64, eval: (a, _b, _c, rm, st) => F.i64ToF64(a, rm, st) },
  { id: 48, name: 'fcvt.d.lu', rm: true, gen: gI64, eval: (a, _b, _c, rm, st) => F.u64ToF64(a, rm, st) },
  { id: 50, name: 'fmin.d', rm: false, gen: g64x2, eval: (a, b, _c, _rm, st) => F.f64Min(a, b, st) },
  { id: 51, name: 'fmax.d', rm: false, gen: g64x2, eval: (a, b, _c, _rm, st) => F.f64Max(a, b, st) },
  { id: 52, name: 'feq.d', rm: false, gen: g64x2, eval: (a, b, _c, _rm, st) => BigInt(F.f64Eq(a, b, st)) },
  { id: 53, name: 'flt.d', rm: false, gen: g64x2, eval: (a, b, _c, _rm, st) => BigInt(F.f64Lt(a, b, st)) },
  { id: 54, name: 'fle.d', rm: false, gen: g64x2, eval: (a, b, _c, _rm, st) => BigInt(F.f64Le(a, b, st)) },
  { id: 55, name: 'fclass.d', rm: false, gen: g64x1, eval: (a) => BigInt(F.f64Class(a)) },
  { id: 56, name: 'fsgnj.d', rm: false, gen: g64x2, eval: (a, b) => F.f64Sgnj(a, b) },
  { id: 57, name: 'fsgnjn.d', rm: false, gen: g64x2, eval: (a, b) => F.f64Sgnjn(a, b) },
  { id: 58, name: 'fsgnjx.d', rm: false, gen: g64x2, eval: (a, b) => F.f64Sgnjx(a, b) },
];

// ---------------------------------------------------------------------------------------------
// Fast paths against the exact core

describe('fast paths = exact bigint core', () => {
  const S32 = (x: number) => BigInt(x >>> 0);
  const cases: [string, (r: Rand) => Operands, (o: Operands, rm: number, st: F.FpStatus) => bigint, (o: Operands, rm: number, st: F.FpStatus) => bigint][] = [
    ['f32 add', g32x2, ([a, b], rm, st) => S32(F.f32Add(n(a), n(b), rm, st)), ([a, b], rm, st) => S.add(a, b, false, rm, S.F32, st)],
    ['f32 sub', g32x2, ([a, b], rm, st) => S32(F.f32Sub(n(a), n(b), rm, st)), ([a, b], rm, st) => S.add(a, b, true, rm, S.F32, st)],
    ['f32 mul', g32x2, ([a, b], rm, st) => S32(F.f32Mul(n(a), n(b), rm, st)), ([a, b], rm, st) => S.mul(a, b, rm, S.F32, st)],
    ['f32 div', g32x2, ([a, b], rm, st) => S32(F.f32Div(n(a), n(b), rm, st)), ([a, b], rm, st) => S.div(a, b, rm, S.F32, st)],
    ['f32 sqrt', g32x1, ([a], rm, st) => S32(F.f32Sqrt(n(a), rm, st)), ([a], rm, st) => S.sqrt(a, rm, S.F32, st)],
    ['f32 fmadd', g32x3, ([a, b, c], rm, st) => S32(F.f32Madd(n(a), n(b), n(c), rm, st)), ([a, b, c], rm, st) => S.fma(a, b, c, false, false, rm, S.F32, st)],
    ['f32 fnmsub', g32x3, ([a, b, c], rm, st) => S32(F.f32Nmsub(n(a), n(b), n(c), rm, st)), ([a, b, c], rm, st) => S.fma(a, b, c, true, false, rm, S.F32, st)],
    ['f64 add', g64x2, ([a, b], rm, st) => F.f64Add(a, b, rm, st), ([a, b], rm, st) => S.add(a, b, false, rm, S.F64, st)],
    ['f64 sub', g64x2, ([a, b], rm, st) => F.f64Sub(a, b, rm, st), ([a, b], rm, st) => S.add(a, b, true, rm, S.F64, st)],
    ['f64 mul', g64x2, ([a, b], rm, st) => F.f64Mul(a, b, rm, st), ([a, b], rm, st) => S.mul(a, b, rm, S.F64, st)],
    ['f64 div', g64x2, ([a, b], rm, st) => F.f64Div(a, b, rm, st), ([a, b], rm, st) => S.div(a, b, rm, S.F64, st)],
    ['f64 sqrt', g64x1, ([a], rm, st) => F.f64Sqrt(a, rm, st), ([a], rm, st) => S.sqrt(a, rm, S.F64, st)],
    ['f32 min', g32x2, ([a, b], _rm, st) => S32(F.f32Min(n(a), n(b), st)), ([a, b], _rm, st) => S.minMax(a, b, false, S.F32, st)],
    ['f32 max', g32x2, ([a, b], _rm, st) => S32(F.f32Max(n(a), n(b), st)), ([a, b], _rm, st) => S.minMax(a, b, true, S.F32, st)],
    ['f32 lt', g32x2, ([a, b], _rm, st) => BigInt(F.f32Lt(n(a), n(b), st)), ([a, b], _rm, st) => (S.lt(a, b, S.F32, st) ? 1n : 0n)],
    ['f32 le', g32x2, ([a, b], _rm, st) => BigInt(F.f32Le(n(a), n(b), st)), ([a, b], _rm, st) => (S.le(a, b, S.F32, st) ? 1n : 0n)],
    ['f32 eq', g32x2, ([a, b], _rm, st) => BigInt(F.f32Eq(n(a), n(b), st)), ([a, b], _rm, st) => (S.eq(a, b, S.F32, st) ? 1n : 0n)],
    ['f32 class', g32x1, ([a]) => BigInt(F.f32Class(n(a))), ([a]) => BigInt(S.classify(a, S.F32))],
    ['f32 near-threshold mul', gEdge32, ([a, b], rm, st) => S32(F.f32Mul(n(a), n(b), rm, st)), ([a, b], rm, st) => S.mul(a, b, rm, S.F32, st)],
    ['f32 near-threshold div', gEdge32, ([a, b], rm, st) => S32(F.f32Div(n(a), n(b), rm, st)), ([a, b], rm, st) => S.div(a, b, rm, S.F32, st)],
    ['f32 fma midpoints', gMid32, ([a, b, c], rm, st) => S32(F.f32Madd(n(a), n(b), n(c), rm, st)), ([a, b, c], rm, st) => S.fma(a, b, c, false, false, rm, S.F32, st)],
    ['f32 fmsub', g32x3, ([a, b, c], rm, st) => S32(F.f32Msub(n(a), n(b), n(c), rm, st)), ([a, b, c], rm, st) => S.fma(a, b, c, false, true, rm, S.F32, st)],
    ['f32 fnmadd', g32x3, ([a, b, c], rm, st) => S32(F.f32Nmadd(n(a), n(b), n(c), rm, st)), ([a, b, c], rm, st) => S.fma(a, b, c, true, true, rm, S.F32, st)],
    ['f64 fmadd', g64x3, ([a, b, c], rm, st) => F.f64Madd(a, b, c, rm, st), ([a, b, c], rm, st) => S.fma(a, b, c, false, false, rm, S.F64, st)],
    ['f64 fmsub', g64x3, ([a, b, c], rm, st) => F.f64Msub(a, b, c, rm, st), ([a, b, c], rm, st) => S.fma(a, b, c, false, true, rm, S.F64, st)],
    ['f64 fnmsub', g64x3, ([a, b, c], rm, st) => F.f64Nmsub(a, b, c, rm, st), ([a, b, c], rm, st) => S.fma(a, b, c, true, false, rm, S.F64, st)],
    ['f64 fnmadd', g64x3, ([a, b, c], rm, st) => F.f64Nmadd(a, b, c, rm, st), ([a, b, c], rm, st) => S.fma(a, b, c, true, true, rm, S.F64, st)],
    ['f64 fma hard cases', gHard64, ([a, b, c], rm, st) => F.f64Madd(a, b, c, rm, st), ([a, b, c], rm, st) => S.fma(a, b, c, false, false, rm, S.F64, st)],
    ['f64 near-threshold mul', gEdge64, ([a, b], rm, st) => F.f64Mul(a, b, rm, st), ([a, b], rm, st) => S.mul(a, b, rm, S.F64, st)],
    ['f64 near-threshold div', gEdge64, ([a, b], rm, st) => F.f64Div(a, b, rm, st), ([a, b], rm, st) => S.div(a, b, rm, S.F64, st)],
    ['f64 min', g64x2, ([a, b], _rm, st) => F.f64Min(a, b, st), ([a, b], _rm, st) => S.minMax(a, b, false, S.F64, st)],
    ['f64 max', g64x2, ([a, b], _rm, st) => F.f64Max(a, b, st), ([a, b], _rm, st) => S.minMax(a, b, true, S.F64, st)],
    ['f64 lt', g64x2, ([a, b], _rm, st) => BigInt(F.f64Lt(a, b, st)), ([a, b], _rm, st) => (S.lt(a, b, S.F64, st) ? 1n : 0n)],
    ['f64 le', g64x2, ([a, b], _rm, st) => BigInt(F.f64Le(a, b, st)), ([a, b], _rm, st) => (S.le(a, b, S.F64, st) ? 1n : 0n)],
    ['f64 eq', g64x2, ([a, b], _rm, st) => BigInt(F.f64Eq(a, b, st)), ([a, b], _rm, st) => (S.eq(a, b, S.F64, st) ? 1n : 0n)],
    ['f64 class', g64x1, ([a]) => BigInt(F.f64Class(a)), ([a]) => BigInt(S.classify(a, S.F64))],
    ['f32 -> i32', g32x1, ([a], rm, st) => BigInt(F.f32ToI32(n(a), rm, st)), ([a], rm, st) => S.toInt(a, true, 32, rm, S.F32, st)],
    ['f32 -> u32', g32x1, ([a], rm, st) => BigInt(F.f32ToU32(n(a), rm, st)), ([a], rm, st) => S.toInt(a, false, 32, rm, S.F32, st)],
    ['f32 -> i64', g32x1, ([a], rm, st) => F.f32ToI64(n(a), rm, st), ([a], rm, st) => S.toInt(a, true, 64, rm, S.F32, st)],
    ['f32 -> u64', g32x1, ([a], rm, st) => F.f32ToU64(n(a), rm, st), ([a], rm, st) => S.toInt(a, false, 64, rm, S.F32, st)],
    ['f64 -> i32', g64x1, ([a], rm, st) => BigInt(F.f64ToI32(a, rm, st)), ([a], rm, st) => S.toInt(a, true, 32, rm, S.F64, st)],
    ['f64 -> u32', g64x1, ([a], rm, st) => BigInt(F.f64ToU32(a, rm, st)), ([a], rm, st) => S.toInt(a, false, 32, rm, S.F64, st)],
    ['f64 -> i64', g64x1, ([a], rm, st) => F.f64ToI64(a, rm, st), ([a], rm, st) => S.toInt(a, true, 64, rm, S.F64, st)],
    ['f64 -> u64', g64x1, ([a], rm, st) => F.f64ToU64(a, rm, st), ([a], rm, st) => S.toInt(a, false, 64, rm, S.F64, st)],
    ['i32 -> f32', gI32, ([a], rm, st) => S32(F.i32ToF32(n(a), rm, st)), ([a], rm, st) => S.fromInt(BigInt(n(a) | 0), rm, S.F32, st)],
    ['u32 -> f32', gI32, ([a], rm, st) => S32(F.u32ToF32(n(a), rm, st)), ([a], rm, st) => S.fromInt(BigInt(n(a)), rm, S.F32, st)],
    ['i64 -> f32', gI64, ([a], rm, st) => S32(F.i64ToF32(a, rm, st)), ([a], rm, st) => S.fromInt(BigInt.asIntN(64, a), rm, S.F32, st)],
    ['u64 -> f32', gI64, ([a], rm, st) => S32(F.u64ToF32(a, rm, st)), ([a], rm, st) => S.fromInt(a, rm, S.F32, st)],
    ['i64 -> f64', gI64, ([a], rm, st) => F.i64ToF64(a, rm, st), ([a], rm, st) => S.fromInt(BigInt.asIntN(64, a), rm, S.F64, st)],
    ['u64 -> f64', gI64, ([a], rm, st) => F.u64ToF64(a, rm, st), ([a], rm, st) => S.fromInt(a, rm, S.F64, st)],
    ['i32 -> f64', gI32, ([a]) => F.i32ToF64(n(a)), ([a], rm, st) => S.fromInt(BigInt(n(a) | 0), rm, S.F64, st)],
    ['u32 -> f64', gI32, ([a]) => F.u32ToF64(n(a)), ([a], rm, st) => S.fromInt(BigInt(n(a)), rm, S.F64, st)],
    ['f64 -> f32', g64x1, ([a], rm, st) => S32(F.f64ToF32(a, rm, st)), ([a], rm, st) => S.convert(a, S.F64, S.F32, rm, st)],
    ['f32 -> f64', g32x1, ([a], _rm, st) => F.f32ToF64(n(a), st), ([a], rm, st) => S.convert(a, S.F32, S.F64, rm, st)],
  ];
  it.each(cases.map((c) => [c[0], c] as const))('%s', (_name, [name, gen, fast, slow]) => {
    const r = rng(0x5eed + name.length * 7919 + name.charCodeAt(4));
    const bad: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const o = gen(r);
      const rm = RMS[i % 5]!;
      const s1 = { flags: 0 };
      const s2 = { flags: 0 };
      const v1 = fast(o, rm, s1);
      const v2 = slow(o, rm, s2);
      if (v1 !== v2 || s1.flags !== s2.flags) {
        bad.push(`${name} ${RM_NAMES[rm]} ${o.map(hex64).join(' ')}: fast ${hex64(v1)}/${s1.flags} exact ${hex64(v2)}/${s2.flags}`);
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Differential: qemu-riscv64 running test/fp/vectors.c

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CC = 'riscv64-linux-gnu-gcc';
const QEMU = 'qemu-riscv64';

function requireTool(cmd: string, pkg: string): void {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(
      `${cmd} is required by the soft-float differential test and was not found or failed ` +
        `(${r.error?.message ?? `exit ${r.status}`}); install it with 'apt-get install ${pkg}'`,
    );
  }
}

interface Vector {
  op: OpDef;
  rm: number;
  o: Operands;
}

function makeVectors(): Vector[] {
  const r = rng(20261202);
  const out: Vector[] = [];
  for (const op of OPS) {
    const rms = op.rm ? RMS : [RNE];
    const per = op.rm ? 300 : 600;
    for (const rm of rms) {
      for (let i = 0; i < per; i++) out.push({ op, rm, o: op.gen(r) });
    }
    // Every special pair (binary32/binary64 binary ops), with the rounding mode cycling.
    if (op.gen === g32x2) {
      let i = 0;
      for (const a of SPECIAL32) for (const b of SPECIAL32) out.push({ op, rm: op.rm ? RMS[i++ % 5]! : RNE, o: [B(a), B(b), 0n] });
    } else if (op.gen === g64x2) {
      let i = 0;
      for (const a of SPECIAL64) for (const b of SPECIAL64) out.push({ op, rm: op.rm ? RMS[i++ % 5]! : RNE, o: [a, b, 0n] });
    } else if (op.gen === g32x1) {
      for (const a of SPECIAL32) for (const rm of op.rm ? RMS : [RNE]) out.push({ op, rm, o: [B(a), 0n, 0n] });
    } else if (op.gen === g64x1) {
      for (const a of SPECIAL64) for (const rm of op.rm ? RMS : [RNE]) out.push({ op, rm, o: [a, 0n, 0n] });
    } else if (op.gen === gI32) {
      for (const a of INT32S) for (const rm of op.rm ? RMS : [RNE]) out.push({ op, rm, o: [BigInt.asUintN(64, BigInt(a)), 0n, 0n] });
    } else if (op.gen === gI64) {
      for (const a of INT64S) for (const rm of op.rm ? RMS : [RNE]) out.push({ op, rm, o: [BigInt.asUintN(64, a), 0n, 0n] });
    }
  }
  return out;
}

describe('differential against qemu-riscv64 (test/fp/vectors.c)', () => {
  it('every F/D operation, every static rounding mode: bit-exact values and fflags', () => {
    requireTool(CC, 'gcc-riscv64-linux-gnu');
    requireTool(QEMU, 'qemu-user');
    const dir = mkdtempSync(path.join(tmpdir(), 'rvr-fp-'));
    try {
      const exe = path.join(dir, 'vectors');
      const cc = spawnSync(CC, ['-static', '-O2', '-march=rv64gc', '-mabi=lp64d', '-o', exe, path.join(HERE, 'fp', 'vectors.c')], {
        encoding: 'utf8',
      });
      if (cc.status !== 0) throw new Error(`${CC} failed to build test/fp/vectors.c:\n${cc.stderr}`);

      const vectors = makeVectors();
      const input = Buffer.alloc(vectors.length * 32);
      vectors.forEach((v, i) => {
        input.writeUInt32LE(v.op.id, i * 32);
        input.writeUInt32LE(v.rm, i * 32 + 4);
        input.writeBigUInt64LE(v.o[0], i * 32 + 8);
        input.writeBigUInt64LE(v.o[1], i * 32 + 16);
        input.writeBigUInt64LE(v.o[2], i * 32 + 24);
      });
      const q = spawnSync(QEMU, [exe], { input, maxBuffer: 1 << 28, env: { PATH: process.env.PATH ?? '' } });
      if (q.error !== undefined || q.status !== 0) {
        throw new Error(`${QEMU} ${exe} failed: ${q.error?.message ?? `exit ${q.status}`} ${q.stderr?.toString()}`);
      }
      const outBuf = q.stdout;
      expect(outBuf.length).toBe(vectors.length * 16);

      const bad: string[] = [];
      const perOp = new Map<string, number>();
      vectors.forEach((v, i) => {
        let want = outBuf.readBigUInt64LE(i * 16);
        const wantFlags = Number(outBuf.readBigUInt64LE(i * 16 + 8));
        const st = { flags: 0 };
        let got = v.op.eval(v.o[0], v.o[1], v.o[2], v.rm, st);
        if (v.op.f32Result) {
          want &= 0xffffffffn;
          got &= 0xffffffffn;
        }
        if (got !== want || st.flags !== wantFlags) {
          perOp.set(v.op.name, (perOp.get(v.op.name) ?? 0) + 1);
          if (bad.length < 30) {
            const ops = v.o.slice(0, v.op.gen === g32x3 || v.op.gen === g64x3 ? 3 : v.op.gen === g32x2 || v.op.gen === g64x2 ? 2 : 1);
            bad.push(`${v.op.name} ${v.op.rm ? RM_NAMES[v.rm] : ''} ${ops.map(hex64).join(' ')}: qemu ${hex64(want)} fl ${wantFlags}, soft ${hex64(got)} fl ${st.flags}`);
          }
        }
      });
      expect({ mismatchesPerOp: Object.fromEntries(perOp), first: bad }).toEqual({ mismatchesPerOp: {}, first: [] });
      expect(vectors.length).toBeGreaterThan(50000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
