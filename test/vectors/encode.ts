/**
 * A tiny RISC-V assembler for tests: encodes one instruction (R/I/S/B/U/J formats) into its
 * 32-bit word, plus helpers to materialise constants (`li`) and to lay out programs.
 * Field conventions are those of `Instr` from src/isa/types.ts: `imm` is the sign-extended
 * immediate; for lui/auipc the already-shifted value (imm20 << 12); for shifts the shift
 * amount; for branches/jal the byte offset from the instruction.
 */
import type { Op, Xlen } from '../../src/isa/types.js';

export interface AsmFields {
  rd?: number;
  rs1?: number;
  rs2?: number;
  imm?: number;
}

const R_TYPE: Partial<Record<Op, [opcode: number, f3: number, f7: number]>> = {
  add: [0x33, 0, 0x00], sub: [0x33, 0, 0x20], sll: [0x33, 1, 0], slt: [0x33, 2, 0], sltu: [0x33, 3, 0],
  xor: [0x33, 4, 0], srl: [0x33, 5, 0], sra: [0x33, 5, 0x20], or: [0x33, 6, 0], and: [0x33, 7, 0],
  mul: [0x33, 0, 1], mulh: [0x33, 1, 1], mulhsu: [0x33, 2, 1], mulhu: [0x33, 3, 1],
  div: [0x33, 4, 1], divu: [0x33, 5, 1], rem: [0x33, 6, 1], remu: [0x33, 7, 1],
  addw: [0x3b, 0, 0], subw: [0x3b, 0, 0x20], sllw: [0x3b, 1, 0], srlw: [0x3b, 5, 0], sraw: [0x3b, 5, 0x20],
  mulw: [0x3b, 0, 1], divw: [0x3b, 4, 1], divuw: [0x3b, 5, 1], remw: [0x3b, 6, 1], remuw: [0x3b, 7, 1],
};

const I_TYPE: Partial<Record<Op, [opcode: number, f3: number]>> = {
  jalr: [0x67, 0],
  lb: [0x03, 0], lh: [0x03, 1], lw: [0x03, 2], ld: [0x03, 3], lbu: [0x03, 4], lhu: [0x03, 5], lwu: [0x03, 6],
  addi: [0x13, 0], slti: [0x13, 2], sltiu: [0x13, 3], xori: [0x13, 4], ori: [0x13, 6], andi: [0x13, 7],
  addiw: [0x1b, 0],
  fence: [0x0f, 0], fence_i: [0x0f, 1],
};

/** Shifts by immediate: [opcode, f3, bits 31:26 << 26 pattern] */
const SHIFT_IMM: Partial<Record<Op, [opcode: number, f3: number, hi: number, maxShamt: number]>> = {
  slli: [0x13, 1, 0, 63], srli: [0x13, 5, 0, 63], srai: [0x13, 5, 0x40000000, 63],
  slliw: [0x1b, 1, 0, 31], srliw: [0x1b, 5, 0, 31], sraiw: [0x1b, 5, 0x40000000, 31],
};

const S_TYPE: Partial<Record<Op, number>> = { sb: 0, sh: 1, sw: 2, sd: 3 };
const B_TYPE: Partial<Record<Op, number>> = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 };

function reg(name: string, n: number | undefined): number {
  const v = n ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 31) throw new RangeError(`${name} out of range: ${v}`);
  return v;
}

function checkImm(op: Op, imm: number, lo: number, hi: number, align = 1): void {
  if (!Number.isInteger(imm) || imm < lo || imm > hi || imm % align !== 0) {
    throw new RangeError(`${op}: immediate ${imm} not encodable (range [${lo}, ${hi}], multiple of ${align})`);
  }
}

/**
 * Encode one instruction. With xlen 32, shift amounts above 31 are rejected (they would be
 * illegal on RV32); RV64-only ops are encoded regardless (decode rejects them on RV32).
 */
export function encode(op: Op, f: AsmFields = {}, xlen: Xlen = 64): number {
  const rd = reg('rd', f.rd);
  const rs1 = reg('rs1', f.rs1);
  const rs2 = reg('rs2', f.rs2);
  const imm = f.imm ?? 0;
  let w: number;
  const r = R_TYPE[op];
  const i = I_TYPE[op];
  const sh = SHIFT_IMM[op];
  const s = S_TYPE[op];
  const b = B_TYPE[op];
  if (r) {
    w = (r[2] << 25) | (rs2 << 20) | (rs1 << 15) | (r[1] << 12) | (rd << 7) | r[0];
  } else if (sh) {
    checkImm(op, imm, 0, xlen === 32 ? 31 : sh[3]);
    w = sh[2] | (imm << 20) | (rs1 << 15) | (sh[1] << 12) | (rd << 7) | sh[0];
  } else if (i) {
    checkImm(op, imm, -2048, 2047);
    w = ((imm & 0xfff) << 20) | (rs1 << 15) | (i[1] << 12) | (rd << 7) | i[0];
  } else if (s !== undefined) {
    checkImm(op, imm, -2048, 2047);
    w = (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (s << 12) | ((imm & 0x1f) << 7) | 0x23;
  } else if (b !== undefined) {
    checkImm(op, imm, -4096, 4094, 2);
    w =
      (((imm >> 12) & 1) << 31) |
      (((imm >> 5) & 0x3f) << 25) |
      (rs2 << 20) |
      (rs1 << 15) |
      (b << 12) |
      (((imm >> 1) & 0xf) << 8) |
      (((imm >> 11) & 1) << 7) |
      0x63;
  } else if (op === 'lui' || op === 'auipc') {
    // imm is the shifted value: accept it as a signed or unsigned 32-bit number.
    if (!Number.isInteger(imm) || imm < -0x80000000 || imm > 0xffffffff || (imm & 0xfff) !== 0) {
      throw new RangeError(`${op}: immediate ${imm} must be a 32-bit multiple of 4096`);
    }
    w = (imm & 0xfffff000) | (rd << 7) | (op === 'lui' ? 0x37 : 0x17);
  } else if (op === 'jal') {
    checkImm(op, imm, -(1 << 20), (1 << 20) - 2, 2);
    w =
      (((imm >> 20) & 1) << 31) |
      (((imm >> 1) & 0x3ff) << 21) |
      (((imm >> 11) & 1) << 20) |
      (((imm >> 12) & 0xff) << 12) |
      (rd << 7) |
      0x6f;
  } else if (op === 'ecall') {
    w = 0x00000073;
  } else if (op === 'ebreak') {
    w = 0x00100073;
  } else {
    throw new Error(`encode: unknown op ${op}`);
  }
  return w >>> 0;
}

/** Shorthand: encode(op, {rd, rs1, rs2, imm}). */
export const asm = encode;

/** Sign-interpret a bigint as an XLEN-bit two's complement value. */
function signed(v: bigint, xlen: Xlen): bigint {
  return BigInt.asIntN(xlen, v);
}

/**
 * Instructions that load the constant v (taken modulo 2^XLEN) into rd, using only
 * lui/addi(w)/slli/addi. At most 8 instructions on RV64, 2 on RV32.
 */
export function li(rd: number, v: bigint, xlen: Xlen): number[] {
  const val = signed(v, xlen);
  if (val >= -(1n << 31n) && val < 1n << 31n) {
    const lo = Number(BigInt.asIntN(12, val));
    const hi = Number(BigInt.asIntN(32, val - BigInt(lo))); // multiple of 4096
    const out: number[] = [];
    if (hi !== 0) {
      out.push(encode('lui', { rd, imm: hi }, xlen));
      // addiw keeps RV64 results sign-extended from 32 bits (hi may have wrapped to -2^31).
      out.push(encode(xlen === 64 ? 'addiw' : 'addi', { rd, rs1: rd, imm: lo }, xlen));
    } else {
      out.push(encode('addi', { rd, rs1: 0, imm: lo }, xlen));
    }
    return out;
  }
  // RV64 only: v = (hi << 12) + lo with lo a signed 12-bit value.
  const lo = BigInt.asIntN(12, val);
  const hi = (val - lo) >> 12n;
  return [
    ...li(rd, hi, xlen),
    encode('slli', { rd, rs1: rd, imm: 12 }, xlen),
    encode('addi', { rd, rs1: rd, imm: Number(lo) }, xlen),
  ];
}

/** Little-endian bytes of a list of instruction words. */
export function words(ws: readonly number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const dv = new DataView(out.buffer);
  ws.forEach((w, k) => dv.setUint32(4 * k, w >>> 0, true));
  return out;
}
