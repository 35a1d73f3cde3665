/**
 * Instruction corner cases shared by every executor's tests (reference interpreter now,
 * recompiled code later). Every expected value was worked out by hand from the RISC-V
 * unprivileged specification (RV32I/RV64I base, M extension) — never by running an executor.
 *
 * The harness these vectors assume (see test/interp.test.ts for one implementation):
 *  - an arena of 2^memoryBits bytes (default VECTOR_MEMORY_BITS);
 *  - one executable segment [CODE_BASE, CODE_END) filled with `ebreak`, except the instruction
 *    under test at VECTOR_PC; so after the instruction, the machine traps with `breakpoint` at the
 *    address of the next instruction executed;
 *  - registers set before the instruction (rs1 = rs1Value, rs2 = rs2Value, then `regs`); writes
 *    to x0 are discarded, so a vector naming x0 as a source reads 0 whatever value it lists.
 * All register values (inputs and expected) are unsigned XLEN-bit values: RV32 values are
 * written zero-extended (as abi.h keeps them), RV64 values as 64-bit patterns.
 * Default registers: rd = x5 (t0), rs1 = x6 (t1), rs2 = x7 (t2).
 */
import type { TrapCause } from '../../src/isa/abi.js';
import type { Op, Xlen } from '../../src/isa/types.js';

export const CODE_BASE = 0x10000;
export const CODE_END = 0x12000;
/** Address of the instruction under test. */
export const VECTOR_PC = 0x11000;
/** Arena size exponent used unless a vector says otherwise (1 MiB: 0x100000 bytes). */
export const VECTOR_MEMORY_BITS = 20;
export const DEFAULT_RD = 5;
export const DEFAULT_RS1 = 6;
export const DEFAULT_RS2 = 7;

/** Register-to-register and register-immediate computations (including lui/auipc). */
export interface AluVector {
  name: string;
  xlen: Xlen;
  op: Op;
  rs1Value: bigint;
  rs2Value: bigint;
  imm?: number;
  /** Value of rd afterwards. */
  expected: bigint;
  rd?: number;
  rs1?: number;
  rs2?: number;
}

export interface MemInit {
  addr: number;
  bytes: number[];
}

/** Loads and stores. */
export interface MemVector {
  name: string;
  xlen: Xlen;
  op: Op;
  /** Value of rs1 (the base address). */
  base: bigint;
  imm: number;
  /** Stores: value of rs2. */
  rs2Value?: bigint;
  /** Memory contents before the instruction (everything else is zero). */
  init?: MemInit[];
  /** Loads: value of rd afterwards. */
  expected?: bigint;
  /** Bytes expected in memory afterwards (stores; also checked to be unchanged on faults). */
  expectedBytes?: MemInit;
  /** The access faults (load_fault/store_fault at VECTOR_PC) with this trap value. */
  fault?: bigint;
  memoryBits?: number;
  rd?: number;
  rs1?: number;
  rs2?: number;
}

/** Branches, jumps, fences, ecall, ebreak. */
export interface FlowVector {
  name: string;
  xlen: Xlen;
  op: Op;
  rs1Value?: bigint;
  rs2Value?: bigint;
  imm?: number;
  rd?: number;
  rs1?: number;
  rs2?: number;
  /** Extra registers set before the instruction (after rs1/rs2). */
  regs?: [reg: number, value: bigint][];
  /** Address of the next instruction executed (observed as the breakpoint trap pc). */
  next?: bigint;
  /** Value of rd afterwards (rd unchanged when the instruction itself trapped). */
  rdValue?: bigint;
  /** The trap the instruction (or the fetch after it) raises instead of reaching `next`. */
  trap?: { cause: TrapCause; pc: bigint; value: bigint };
}

// ------------------------------------------------------------------------------------------
// ALU vectors

const I_OPS = new Set<Op>([
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai',
  'addiw', 'slliw', 'srliw', 'sraiw', 'lui', 'auipc',
]);

type Row = [op: Op, a: bigint, bOrImm: bigint | number, expected: bigint];

const hex = (v: bigint | number): string => (typeof v === 'number' && v < 0 ? `${v}` : `0x${v.toString(16)}`);

function rows(xlen: Xlen, table: Row[]): AluVector[] {
  return table.map(([op, a, b, expected]) => {
    if (I_OPS.has(op)) {
      const imm = Number(b);
      const name =
        op === 'lui' || op === 'auipc'
          ? `rv${xlen} ${op} imm=${hex(imm)}`
          : `rv${xlen} ${op} ${hex(a)}, imm=${hex(imm)}`;
      return { name, xlen, op, rs1Value: a, rs2Value: 0n, imm, expected };
    }
    return { name: `rv${xlen} ${op} ${hex(a)}, ${hex(b)}`, xlen, op, rs1Value: a, rs2Value: BigInt(b), expected };
  });
}

const MIN32 = 0x80000000n;
const MAX32 = 0x7fffffffn;
const ALL32 = 0xffffffffn;

const RV32_ROWS: Row[] = [
  // add / sub: wrap modulo 2^32
  ['add', 1n, 2n, 3n],
  ['add', MAX32, 1n, MIN32],
  ['add', ALL32, 1n, 0n],
  ['add', MIN32, MIN32, 0n],
  ['add', 0xfffffffen, ALL32, 0xfffffffdn],
  ['sub', 0n, 1n, ALL32],
  ['sub', MIN32, 1n, MAX32],
  ['sub', 5n, 5n, 0n],
  ['sub', MAX32, ALL32, MIN32],
  // shifts: amount is rs2 & 31
  ['sll', 1n, 31n, MIN32],
  ['sll', 1n, 32n, 1n],
  ['sll', 1n, 33n, 2n],
  ['sll', 1n, 0xffffffe1n, 2n],
  ['sll', ALL32, 4n, 0xfffffff0n],
  ['sll', 0x12345678n, 0n, 0x12345678n],
  ['srl', MIN32, 31n, 1n],
  ['srl', MIN32, 32n, MIN32],
  ['srl', ALL32, 4n, 0x0fffffffn],
  ['srl', MIN32, ALL32, 1n],
  ['sra', MIN32, 31n, ALL32],
  ['sra', MIN32, 4n, 0xf8000000n],
  ['sra', MAX32, 30n, 1n],
  ['sra', MIN32, 33n, 0xc0000000n],
  ['sra', MIN32, 0x20n, MIN32],
  // comparisons
  ['slt', ALL32, 0n, 1n],
  ['slt', 0n, ALL32, 0n],
  ['slt', MIN32, MAX32, 1n],
  ['slt', MAX32, MIN32, 0n],
  ['slt', 5n, 5n, 0n],
  ['sltu', ALL32, 0n, 0n],
  ['sltu', 0n, ALL32, 1n],
  ['sltu', MIN32, MAX32, 0n],
  ['sltu', MAX32, MIN32, 1n],
  ['sltu', 5n, 5n, 0n],
  // logic
  ['xor', 0xff00ff00n, 0x0ff00ff0n, 0xf0f0f0f0n],
  ['xor', ALL32, 0x12345678n, 0xedcba987n],
  ['or', 0xff00ff00n, 0x0ff00ff0n, 0xfff0fff0n],
  ['and', 0xff00ff00n, 0x0ff00ff0n, 0x0f000f00n],
  // M: mul keeps the low 32 bits
  ['mul', ALL32, ALL32, 1n],
  ['mul', 0x10000n, 0x10000n, 0n],
  ['mul', MAX32, 2n, 0xfffffffen],
  ['mul', 123n, 456n, 0xdb18n],
  ['mul', MIN32, ALL32, MIN32],
  // mulh: signed x signed, high 32 bits of the 64-bit product
  ['mulh', ALL32, ALL32, 0n], // (-1)(-1) = 1
  ['mulh', MIN32, MIN32, 0x40000000n], // 2^62
  ['mulh', ALL32, 1n, ALL32], // -1
  ['mulh', MIN32, MAX32, 0xc0000000n], // -2^62 + 2^31 = 0xc0000000_80000000
  ['mulh', 0x10000n, ALL32, ALL32], // -65536
  ['mulh', MAX32, MAX32, 0x3fffffffn], // 2^62 - 2^32 + 1
  // mulhsu: rs1 signed x rs2 unsigned
  ['mulhsu', ALL32, ALL32, ALL32], // -(2^32 - 1) = 0xffffffff_00000001
  ['mulhsu', MIN32, ALL32, MIN32], // -2^63 + 2^31 = 0x80000000_80000000
  ['mulhsu', 2n, ALL32, 1n], // 2^33 - 2
  ['mulhsu', ALL32, 0n, 0n],
  ['mulhsu', ALL32, 1n, ALL32],
  ['mulhsu', MAX32, MIN32, 0x3fffffffn], // 2^62 - 2^31
  // mulhu: unsigned x unsigned
  ['mulhu', ALL32, ALL32, 0xfffffffen], // 2^64 - 2^33 + 1
  ['mulhu', MIN32, 2n, 1n],
  ['mulhu', MIN32, MIN32, 0x40000000n],
  ['mulhu', ALL32, 1n, 0n],
  ['mulhu', ALL32, 2n, 1n],
  // div: truncates toward zero; /0 = -1; MIN / -1 = MIN
  ['div', 7n, 2n, 3n],
  ['div', 0xfffffff9n, 2n, 0xfffffffdn], // -7 / 2 = -3
  ['div', 7n, 0xfffffffen, 0xfffffffdn], // 7 / -2 = -3
  ['div', 0xfffffff9n, 0xfffffffen, 3n], // -7 / -2 = 3
  ['div', 7n, 0n, ALL32],
  ['div', 0n, 0n, ALL32],
  ['div', MIN32, 0n, ALL32],
  ['div', MIN32, ALL32, MIN32],
  ['div', MIN32, 1n, MIN32],
  ['divu', 7n, 2n, 3n],
  ['divu', ALL32, 2n, MAX32],
  ['divu', 7n, 0n, ALL32],
  ['divu', 0n, 0n, ALL32],
  ['divu', MIN32, ALL32, 0n],
  ['divu', ALL32, ALL32, 1n],
  ['divu', 0xfffffff9n, 2n, 0x7ffffffcn],
  // rem: sign of the dividend; %0 = dividend; MIN % -1 = 0
  ['rem', 7n, 2n, 1n],
  ['rem', 0xfffffff9n, 2n, ALL32], // -7 % 2 = -1
  ['rem', 7n, 0xfffffffen, 1n], // 7 % -2 = 1
  ['rem', 0xfffffff9n, 0xfffffffen, ALL32], // -7 % -2 = -1
  ['rem', 7n, 0n, 7n],
  ['rem', 0xfffffff9n, 0n, 0xfffffff9n],
  ['rem', MIN32, ALL32, 0n],
  ['rem', 0n, 0n, 0n],
  ['rem', MIN32, 0n, MIN32],
  ['remu', 7n, 2n, 1n],
  ['remu', ALL32, 10n, 5n],
  ['remu', 7n, 0n, 7n],
  ['remu', 0xfffffff9n, 0n, 0xfffffff9n],
  ['remu', MIN32, ALL32, MIN32],
  ['remu', 0xfffffff9n, 2n, 1n],
  // register-immediate (imm is a sign-extended 12-bit value)
  ['addi', MAX32, 1, MIN32],
  ['addi', 0n, -1, ALL32],
  ['addi', 1n, -2048, 0xfffff801n],
  ['addi', 0n, 2047, 0x7ffn],
  ['addi', ALL32, 1, 0n],
  ['slti', ALL32, 0, 1n],
  ['slti', 0n, -1, 0n],
  ['slti', MIN32, -2048, 1n],
  ['slti', MAX32, 2047, 0n],
  ['slti', 0xfffff800n, -2048, 0n],
  ['sltiu', 0n, -1, 1n], // imm -1 compares as 0xffffffff
  ['sltiu', 0xfffffffen, -1, 1n],
  ['sltiu', ALL32, -1, 0n],
  ['sltiu', 0n, 1, 1n], // seqz
  ['sltiu', 5n, 1, 0n],
  ['sltiu', 0x7ffn, -2048, 1n], // 0x7ff < 0xfffff800
  ['xori', 0x12345678n, -1, 0xedcba987n], // not
  ['xori', 0xffn, 0x0f, 0xf0n],
  ['xori', 0n, -2048, 0xfffff800n],
  ['ori', 0x10n, -2048, 0xfffff810n],
  ['ori', 0n, 0x7ff, 0x7ffn],
  ['andi', ALL32, -16, 0xfffffff0n],
  ['andi', 0x12345678n, 0xff, 0x78n],
  ['andi', ALL32, 0x7ff, 0x7ffn],
  ['andi', 0x12345678n, -2048, 0x12345000n],
  ['slli', 1n, 31, MIN32],
  ['slli', ALL32, 4, 0xfffffff0n],
  ['slli', 0x12345678n, 0, 0x12345678n],
  ['srli', MIN32, 31, 1n],
  ['srli', ALL32, 1, MAX32],
  ['srli', MIN32, 0, MIN32],
  ['srai', MIN32, 31, ALL32],
  ['srai', MIN32, 1, 0xc0000000n],
  ['srai', MAX32, 31, 0n],
  ['srai', 0xfffffff0n, 2, 0xfffffffcn],
  // upper immediates (imm is the shifted value)
  ['lui', 0n, 0x12345000, 0x12345000n],
  ['lui', 0n, -0x80000000, MIN32],
  ['lui', 0n, -4096, 0xfffff000n],
  ['auipc', 0n, 0x1000, 0x12000n], // VECTOR_PC + imm
  ['auipc', 0n, -4096, 0x10000n],
  ['auipc', 0n, -0x80000000, 0x80011000n],
  ['auipc', 0n, 0, 0x11000n],
];

const MIN64 = 0x8000000000000000n;
const MAX64 = 0x7fffffffffffffffn;
const ALL64 = 0xffffffffffffffffn;
const M7 = 0xfffffffffffffff9n; // -7

const RV64_ROWS: Row[] = [
  ['add', MAX64, 1n, MIN64],
  ['add', ALL64, 1n, 0n],
  ['add', ALL32, 1n, 0x100000000n], // no 32-bit wrap on RV64
  ['add', MIN64, MIN64, 0n],
  ['sub', 0n, 1n, ALL64],
  ['sub', MIN64, 1n, MAX64],
  ['sub', 0x100000000n, 1n, ALL32],
  // shifts: amount is rs2 & 63
  ['sll', 1n, 63n, MIN64],
  ['sll', 1n, 64n, 1n],
  ['sll', 1n, 32n, 0x100000000n],
  ['sll', 1n, 0x41n, 2n],
  ['sll', 1n, ALL64, MIN64],
  ['sll', ALL32, 32n, 0xffffffff00000000n],
  ['srl', MIN64, 63n, 1n],
  ['srl', ALL64, 32n, ALL32],
  ['srl', MIN64, 64n, MIN64],
  ['srl', MIN64, 0x7fn, 1n],
  ['sra', MIN64, 63n, ALL64],
  ['sra', MIN64, 32n, 0xffffffff80000000n],
  ['sra', MAX64, 62n, 1n],
  ['sra', MIN32, 31n, 1n], // 0x80000000 is positive on RV64
  ['sra', MIN64, 0x40n, MIN64],
  ['slt', MIN64, MAX64, 1n],
  ['slt', ALL64, 0n, 1n],
  ['slt', MIN32, 0n, 0n],
  ['slt', MAX64, MIN64, 0n],
  ['sltu', ALL64, 0n, 0n],
  ['sltu', 0n, ALL64, 1n],
  ['sltu', MIN64, MAX64, 0n],
  ['xor', 0xff00ff00ff00ff00n, 0x0ff00ff00ff00ff0n, 0xf0f0f0f0f0f0f0f0n],
  ['or', 0xff00ff00ff00ff00n, 0x0ff00ff00ff00ff0n, 0xfff0fff0fff0fff0n],
  ['and', 0xff00ff00ff00ff00n, 0x0ff00ff00ff00ff0n, 0x0f000f000f000f00n],
  ['mul', ALL64, ALL64, 1n],
  ['mul', 0x100000000n, 0x100000000n, 0n],
  ['mul', ALL32, ALL32, 0xfffffffe00000001n],
  ['mul', MAX64, 2n, 0xfffffffffffffffen],
  ['mul', MIN64, ALL64, MIN64],
  ['mulh', ALL64, ALL64, 0n],
  ['mulh', MIN64, MIN64, 0x4000000000000000n], // 2^126
  ['mulh', ALL64, 1n, ALL64],
  ['mulh', MIN64, MAX64, 0xc000000000000000n], // -2^126 + 2^63
  ['mulh', MAX64, MAX64, 0x3fffffffffffffffn], // 2^126 - 2^64 + 1
  ['mulhsu', ALL64, ALL64, ALL64], // -(2^64 - 1)
  ['mulhsu', MIN64, ALL64, MIN64], // -2^127 + 2^63
  ['mulhsu', 2n, ALL64, 1n],
  ['mulhsu', ALL64, 0n, 0n],
  ['mulhsu', ALL64, 1n, ALL64],
  ['mulhu', ALL64, ALL64, 0xfffffffffffffffen], // 2^128 - 2^65 + 1
  ['mulhu', MIN64, 2n, 1n],
  ['mulhu', ALL32, ALL32, 0n],
  ['div', 7n, 2n, 3n],
  ['div', M7, 2n, 0xfffffffffffffffdn],
  ['div', 7n, 0n, ALL64],
  ['div', MIN64, ALL64, MIN64],
  ['div', MIN64, 0n, ALL64],
  ['div', MIN32, ALL64, 0xffffffff80000000n], // not an overflow on RV64
  ['divu', ALL64, 2n, MAX64],
  ['divu', 7n, 0n, ALL64],
  ['divu', MIN64, ALL64, 0n],
  ['divu', ALL64, ALL64, 1n],
  ['rem', M7, 2n, ALL64],
  ['rem', 7n, 0n, 7n],
  ['rem', MIN64, ALL64, 0n],
  ['rem', M7, 0n, M7],
  ['rem', 7n, 0xfffffffffffffffen, 1n],
  ['remu', ALL64, 10n, 5n],
  ['remu', 7n, 0n, 7n],
  ['remu', ALL64, 0n, ALL64],
  ['remu', MIN64, ALL64, MIN64],
  ['addi', MAX64, 1, MIN64],
  ['addi', ALL32, 1, 0x100000000n],
  ['addi', 0n, -1, ALL64],
  ['addi', ALL64, 1, 0n],
  ['slti', ALL64, 0, 1n],
  ['slti', MIN32, -1, 0n],
  ['slti', MIN64, -2048, 1n],
  ['sltiu', 0n, -1, 1n], // imm -1 compares as 0xffffffff_ffffffff
  ['sltiu', ALL64, -1, 0n],
  ['sltiu', ALL32, -1, 1n],
  ['sltiu', 0n, 1, 1n],
  ['sltiu', 1n, 1, 0n],
  ['xori', 0n, -1, ALL64],
  ['xori', ALL32, -1, 0xffffffff00000000n],
  ['ori', 0n, -2048, 0xfffffffffffff800n],
  ['ori', 0x100000000n, 1, 0x100000001n],
  ['andi', ALL64, -16, 0xfffffffffffffff0n],
  ['andi', 0x123456789abcdef0n, 0x7ff, 0x6f0n],
  ['slli', 1n, 63, MIN64],
  ['slli', 1n, 32, 0x100000000n],
  ['slli', ALL32, 32, 0xffffffff00000000n],
  ['slli', ALL64, 0, ALL64],
  ['srli', MIN64, 63, 1n],
  ['srli', ALL64, 32, ALL32],
  ['srli', ALL64, 0, ALL64],
  ['srai', MIN64, 63, ALL64],
  ['srai', 0xffffffff80000000n, 16, 0xffffffffffff8000n],
  ['srai', MIN32, 31, 1n],
  ['srai', MAX64, 63, 0n],
  // lui/auipc sign-extend the 32-bit value on RV64
  ['lui', 0n, 0x12345000, 0x12345000n],
  ['lui', 0n, -0x80000000, 0xffffffff80000000n],
  ['lui', 0n, 0x7ffff000, 0x7ffff000n],
  ['lui', 0n, -4096, 0xfffffffffffff000n],
  ['auipc', 0n, 0x1000, 0x12000n],
  ['auipc', 0n, -4096, 0x10000n],
  ['auipc', 0n, -0x80000000, 0xffffffff80011000n],
  ['auipc', 0n, 0x7ffff000, 0x80010000n],
  // *W: operate on the low 32 bits, sign-extend the 32-bit result
  ['addiw', MAX32, 1, 0xffffffff80000000n],
  ['addiw', ALL32, 1, 0n],
  ['addiw', ALL32, 0, ALL64], // sext.w
  ['addiw', 0x123456789abcdef0n, 0, 0xffffffff9abcdef0n],
  ['addiw', MIN32, -1, MAX32],
  ['addiw', 0x100000000n, 0, 0n],
  ['slliw', 1n, 31, 0xffffffff80000000n],
  ['slliw', 0xffffffff00000001n, 1, 2n],
  ['slliw', 0x100000001n, 31, 0xffffffff80000000n],
  ['slliw', MAX32, 0, MAX32],
  ['srliw', MIN32, 0, 0xffffffff80000000n], // shift by 0 still sign-extends
  ['srliw', 0xffffffff80000000n, 31, 1n],
  ['srliw', ALL64, 4, 0x0fffffffn],
  ['srliw', 0x1234567800000000n, 1, 0n],
  ['sraiw', MIN32, 31, ALL64],
  ['sraiw', MIN32, 4, 0xfffffffff8000000n],
  ['sraiw', 0x17fffffffn, 0, MAX32],
  ['sraiw', 0xffffffff7fffffffn, 1, 0x3fffffffn],
  ['addw', MAX32, 1n, 0xffffffff80000000n],
  ['addw', ALL32, ALL32, 0xfffffffffffffffen],
  ['addw', 0x100000000n, 0x100000000n, 0n],
  ['addw', ALL64, 1n, 0n],
  ['subw', 0n, 1n, ALL64],
  ['subw', MIN32, 1n, MAX32],
  ['subw', 0x100000000n, 0n, 0n],
  ['subw', MAX32, ALL32, 0xffffffff80000000n],
  ['sllw', 1n, 31n, 0xffffffff80000000n],
  ['sllw', 1n, 32n, 1n], // amount is rs2 & 31
  ['sllw', 1n, 0x3fn, 0xffffffff80000000n],
  ['sllw', ALL32, 4n, 0xfffffffffffffff0n],
  ['srlw', MIN32, 0n, 0xffffffff80000000n],
  ['srlw', 0xffffffff80000000n, 32n, 0xffffffff80000000n],
  ['srlw', MIN32, 31n, 1n],
  ['srlw', MIN32, 33n, 0x40000000n],
  ['sraw', MIN32, 31n, ALL64],
  ['sraw', MIN32, 32n, 0xffffffff80000000n],
  ['sraw', MAX32, 1n, 0x3fffffffn],
  ['sraw', 0x100000000n, 0n, 0n],
  ['sraw', MIN32, 4n, 0xfffffffff8000000n],
  ['mulw', MAX32, 2n, 0xfffffffffffffffen],
  ['mulw', 0x10000n, 0x10000n, 0n],
  ['mulw', ALL32, ALL32, 1n],
  ['mulw', 0x100000003n, 0x100000005n, 15n],
  ['mulw', 0x10000n, 0x8000n, 0xffffffff80000000n],
  ['divw', MIN32, ALL32, 0xffffffff80000000n], // -2^31 / -1 overflows to -2^31
  ['divw', 7n, 0n, ALL64],
  ['divw', 0xfffffff9n, 2n, 0xfffffffffffffffdn], // low word is -7
  ['divw', 0x100000007n, 2n, 3n],
  ['divw', 0xffffffff80000000n, 1n, 0xffffffff80000000n],
  ['divuw', ALL32, 0n, ALL64], // 2^32 - 1, sign-extended
  ['divuw', ALL32, 1n, ALL64],
  ['divuw', MIN32, 1n, 0xffffffff80000000n],
  ['divuw', 0xfffffffen, ALL32, 0n],
  ['divuw', 0xffffffff00000010n, 2n, 8n],
  ['divuw', 7n, 2n, 3n],
  ['remw', MIN32, ALL32, 0n],
  ['remw', 7n, 0n, 7n],
  ['remw', 0xfffffff9n, 0n, M7], // dividend, sign-extended
  ['remw', 0xfffffff9n, 2n, ALL64],
  ['remw', MIN32, 0n, 0xffffffff80000000n],
  ['remw', 0x100000007n, 0x100000002n, 1n],
  ['remuw', 7n, 0n, 7n],
  ['remuw', MIN32, 0n, 0xffffffff80000000n],
  ['remuw', ALL32, 10n, 5n],
  ['remuw', 0xfffffff9n, 0x10n, 9n],
  ['remuw', 0x80000005n, MIN32, 5n],
  ['remuw', 0x180000005n, 0n, 0xffffffff80000005n],
];

/** Vectors that name registers explicitly (x0, rd == rs1 == rs2). */
function registerCases(xlen: Xlen): AluVector[] {
  const all = xlen === 32 ? ALL32 : ALL64;
  return [
    { name: `rv${xlen} add to x0 is discarded`, xlen, op: 'add', rd: 0, rs1Value: 1n, rs2Value: 2n, expected: 0n },
    { name: `rv${xlen} lui to x0 is discarded`, xlen, op: 'lui', rd: 0, rs1Value: 0n, rs2Value: 0n, imm: 0x12345000, expected: 0n },
    { name: `rv${xlen} addi to x0 is discarded`, xlen, op: 'addi', rd: 0, rs1Value: 5n, rs2Value: 0n, imm: 1, expected: 0n },
    { name: `rv${xlen} addi from x0 reads 0`, xlen, op: 'addi', rs1: 0, rs1Value: 5n, rs2Value: 0n, imm: 7, expected: 7n },
    { name: `rv${xlen} sub from x0 negates`, xlen, op: 'sub', rs1: 0, rs1Value: 0n, rs2Value: 1n, expected: all },
    { name: `rv${xlen} add rd == rs1 == rs2`, xlen, op: 'add', rd: 5, rs1: 5, rs2: 5, rs1Value: 3n, rs2Value: 3n, expected: 6n },
    { name: `rv${xlen} mul rd == rs1`, xlen, op: 'mul', rd: 6, rs1: 6, rs2: 7, rs1Value: 6n, rs2Value: 7n, expected: 42n },
    { name: `rv${xlen} sltu x0 < rs2 (snez)`, xlen, op: 'sltu', rs1: 0, rs1Value: 0n, rs2Value: 9n, expected: 1n },
  ];
}

export const ALU_VECTORS: AluVector[] = [
  ...rows(32, RV32_ROWS),
  ...rows(64, RV64_ROWS),
  ...registerCases(32),
  ...registerCases(64),
];

// ------------------------------------------------------------------------------------------
// Memory vectors

const DATA = 0x40000;
/** Ten bytes straddling the page boundary at 0x41000. */
const CROSS: MemInit = { addr: 0x40ffc, bytes: [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04] };
const FILL: MemInit = { addr: DATA - 1, bytes: [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee] };

function loads(xlen: Xlen): MemVector[] {
  const sx = (v32: bigint, v64: bigint): bigint => (xlen === 32 ? v32 : v64);
  const v: MemVector[] = [
    { name: 'lb sign-extends 0x80', op: 'lb', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x80] }], expected: sx(0xffffff80n, 0xffffffffffffff80n) },
    { name: 'lb 0x7f', op: 'lb', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x7f] }], expected: 0x7fn },
    { name: 'lbu zero-extends 0x80', op: 'lbu', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x80] }], expected: 0x80n },
    { name: 'lh sign-extends 0x8000', op: 'lh', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x00, 0x80] }], expected: sx(0xffff8000n, 0xffffffffffff8000n) },
    { name: 'lh little-endian', op: 'lh', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x34, 0x12] }], expected: 0x1234n },
    { name: 'lhu zero-extends 0x8000', op: 'lhu', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x00, 0x80] }], expected: 0x8000n },
    { name: 'lw 0x80000000', op: 'lw', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0, 0, 0, 0x80] }], expected: sx(0x80000000n, 0xffffffff80000000n) },
    { name: 'lw little-endian', op: 'lw', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x78, 0x56, 0x34, 0x12] }], expected: 0x12345678n },
    { name: 'lw negative offset', op: 'lw', base: BigInt(DATA + 16), imm: -16, init: [{ addr: DATA, bytes: [0x78, 0x56, 0x34, 0x12] }], expected: 0x12345678n },
    { name: 'lw misaligned', op: 'lw', base: BigInt(DATA), imm: 1, init: [{ addr: DATA, bytes: [0x11, 0x22, 0x33, 0x44, 0x55] }], expected: 0x55443322n },
    { name: 'lw misaligned across a page', op: 'lw', base: 0x40ffen, imm: 0, init: [CROSS], expected: sx(0xffeeddccn, 0xffffffffffeeddccn) },
    { name: 'lhu misaligned across a page', op: 'lhu', base: 0x40fffn, imm: 0, init: [CROSS], expected: 0xeeddn },
    { name: 'lh misaligned across a page', op: 'lh', base: 0x40fffn, imm: 0, init: [CROSS], expected: sx(0xffffeeddn, 0xffffffffffffeeddn) },
    { name: 'lw rd == rs1', op: 'lw', rd: 6, rs1: 6, base: BigInt(DATA), imm: 4, init: [{ addr: DATA + 4, bytes: [1, 2, 3, 4] }], expected: 0x04030201n },
    { name: 'lw of untouched memory is 0', op: 'lw', base: 0x80000n, imm: 0, expected: 0n },
    { name: 'lw at the last word of the arena', op: 'lw', base: 0xffffcn, imm: 0, expected: 0n },
    { name: 'lw crossing the arena end faults', op: 'lw', base: 0xffffdn, imm: 0, fault: 0xffffdn },
    { name: 'lb past the arena end faults', op: 'lb', base: 0x100000n, imm: 0, fault: 0x100000n },
    { name: 'lbu address wraps around to 0', op: 'lbu', base: sx(0xffffffffn, 0xffffffffffffffffn), imm: 1, init: [{ addr: 0, bytes: [0x5a] }], expected: 0x5an },
    { name: 'lw at a negative address faults', op: 'lw', base: 0n, imm: -4, fault: sx(0xfffffffcn, 0xfffffffffffffffcn) },
  ];
  if (xlen === 64) {
    v.push(
      { name: 'lwu zero-extends 0x80000000', op: 'lwu', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0, 0, 0, 0x80] }], expected: 0x80000000n },
      { name: 'ld little-endian', op: 'ld', base: BigInt(DATA), imm: 0, init: [{ addr: DATA, bytes: [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11] }], expected: 0x1122334455667788n },
      { name: 'ld high bit set', op: 'ld', base: BigInt(DATA), imm: 8, init: [{ addr: DATA + 8, bytes: [1, 0, 0, 0, 0, 0, 0, 0xf0] }], expected: 0xf000000000000001n },
      { name: 'ld misaligned across a page', op: 'ld', base: 0x40ffdn, imm: 0, init: [CROSS], expected: 0x030201ffeeddccbbn },
      { name: 'lwu misaligned across a page', op: 'lwu', base: 0x40ffen, imm: 0, init: [CROSS], expected: 0xffeeddccn },
      { name: 'ld at the last doubleword of the arena', op: 'ld', base: 0xffff8n, imm: 0, expected: 0n },
      { name: 'ld crossing the arena end faults', op: 'ld', base: 0xffff9n, imm: 0, fault: 0xffff9n },
      { name: 'ld far above the arena faults', op: 'ld', base: 0x8000000000000000n, imm: -8, fault: 0x7ffffffffffffff8n },
    );
  } else {
    v.push(
      { name: 'lbu at the top of a 4 GiB arena', op: 'lbu', base: 0xffffffffn, imm: 0, init: [{ addr: 0xffffffff, bytes: [0x99] }], expected: 0x99n, memoryBits: 32 },
      { name: 'lw crossing the top of a 4 GiB arena faults', op: 'lw', base: 0xfffffffdn, imm: 0, fault: 0xfffffffdn, memoryBits: 32 },
      { name: 'lh at the last byte of a 4 GiB arena faults', op: 'lh', base: 0xfffffff0n, imm: 15, fault: 0xffffffffn, memoryBits: 32 },
    );
  }
  return v.map((x) => ({ ...x, xlen, name: `rv${xlen} ${x.name}` }));
}

function stores(xlen: Xlen): MemVector[] {
  const e = 0xee;
  const v: Omit<MemVector, 'xlen'>[] = [
    { name: 'sb stores the low byte', op: 'sb', base: BigInt(DATA), imm: 0, rs2Value: 0x12345678n, init: [FILL], expectedBytes: { addr: DATA - 1, bytes: [e, 0x78, e, e] } },
    { name: 'sh stores the low halfword', op: 'sh', base: BigInt(DATA), imm: 0, rs2Value: 0xffff8001n, init: [FILL], expectedBytes: { addr: DATA - 1, bytes: [e, 0x01, 0x80, e] } },
    { name: 'sw little-endian', op: 'sw', base: BigInt(DATA), imm: 0, rs2Value: 0x11223344n, init: [FILL], expectedBytes: { addr: DATA - 1, bytes: [e, 0x44, 0x33, 0x22, 0x11, e] } },
    { name: 'sw negative offset', op: 'sw', base: BigInt(DATA + 0x800), imm: -0x800, rs2Value: 0x11223344n, init: [FILL], expectedBytes: { addr: DATA - 1, bytes: [e, 0x44, 0x33, 0x22, 0x11, e] } },
    { name: 'sh misaligned', op: 'sh', base: BigInt(DATA), imm: 1, rs2Value: 0xbeefn, init: [FILL], expectedBytes: { addr: DATA - 1, bytes: [e, e, 0xef, 0xbe, e] } },
    { name: 'sw misaligned across a page', op: 'sw', base: 0x40ffen, imm: 0, rs2Value: 0x11223344n, expectedBytes: { addr: 0x40ffd, bytes: [0, 0x44, 0x33, 0x22, 0x11, 0] } },
    { name: 'sw rs1 == rs2 stores the address', op: 'sw', rs1: 6, rs2: 6, base: BigInt(DATA), imm: 0, rs2Value: BigInt(DATA), expectedBytes: { addr: DATA, bytes: [0x00, 0x00, 0x04, 0x00] } },
    { name: 'sw crossing the arena end faults', op: 'sw', base: 0xffffdn, imm: 0, rs2Value: 0x11223344n, fault: 0xffffdn, expectedBytes: { addr: 0xffffc, bytes: [0, 0, 0, 0] } },
    { name: 'sb at the last byte of the arena', op: 'sb', base: 0xfffffn, imm: 0, rs2Value: 0xabn, expectedBytes: { addr: 0xffffe, bytes: [0, 0xab] } },
    { name: 'sh at a negative address faults', op: 'sh', base: 0n, imm: -2, rs2Value: 1n, fault: xlen === 32 ? 0xfffffffen : 0xfffffffffffffffen },
  ];
  if (xlen === 64) {
    v.push(
      { name: 'sd little-endian across a page', op: 'sd', base: 0x40ffbn, imm: 0, rs2Value: 0x8877665544332211n, expectedBytes: { addr: 0x40ffa, bytes: [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0] } },
      { name: 'sw stores the low word of a 64-bit register', op: 'sw', base: BigInt(DATA), imm: 0, rs2Value: 0xdeadbeefcafebaben, init: [FILL], expectedBytes: { addr: DATA - 1, bytes: [e, 0xbe, 0xba, 0xfe, 0xca, e] } },
      { name: 'sd crossing the arena end faults', op: 'sd', base: 0xffff9n, imm: 0, rs2Value: ALL64, fault: 0xffff9n, expectedBytes: { addr: 0xffff8, bytes: [0, 0, 0, 0, 0, 0, 0, 0] } },
      { name: 'sb at the top of the address space faults', op: 'sb', base: ALL64, imm: 0, rs2Value: 1n, fault: ALL64 },
    );
  } else {
    v.push({ name: 'sw crossing the top of a 4 GiB arena faults', op: 'sw', base: 0xfffffffen, imm: 0, rs2Value: 1n, fault: 0xfffffffen, memoryBits: 32 });
  }
  return v.map((x) => ({ ...x, xlen, name: `rv${xlen} ${x.name}` }));
}

export const MEM_VECTORS: MemVector[] = [...loads(32), ...loads(64), ...stores(32), ...stores(64)];

// ------------------------------------------------------------------------------------------
// Control-flow vectors

function flow(xlen: Xlen): FlowVector[] {
  const P = BigInt(VECTOR_PC);
  const all = xlen === 32 ? ALL32 : ALL64;
  const v: Omit<FlowVector, 'xlen'>[] = [
    { name: 'beq taken', op: 'beq', rs1Value: 5n, rs2Value: 5n, imm: 16, next: P + 16n },
    { name: 'beq not taken', op: 'beq', rs1Value: 5n, rs2Value: 6n, imm: 16, next: P + 4n },
    { name: 'beq backward to the code start', op: 'beq', rs1Value: 0n, rs2Value: 0n, imm: -4096, next: P - 4096n },
    { name: 'beq forward to the last word', op: 'beq', rs1Value: 0n, rs2Value: 0n, imm: 4092, next: P + 4092n },
    { name: 'beq rs1 == rs2 always taken', op: 'beq', rs1: 6, rs2: 6, rs1Value: 9n, rs2Value: 9n, imm: 8, next: P + 8n },
    { name: 'beq x0, x0 taken', op: 'beq', rs1: 0, rs2: 0, imm: -8, next: P - 8n },
    { name: 'bne taken', op: 'bne', rs1Value: 5n, rs2Value: 6n, imm: 32, next: P + 32n },
    { name: 'bne not taken', op: 'bne', rs1Value: all, rs2Value: all, imm: 32, next: P + 4n },
    { name: 'blt -1 < 0 taken', op: 'blt', rs1Value: all, rs2Value: 0n, imm: 12, next: P + 12n },
    { name: 'blt 0 < -1 not taken', op: 'blt', rs1Value: 0n, rs2Value: all, imm: 12, next: P + 4n },
    { name: 'blt equal not taken', op: 'blt', rs1Value: 3n, rs2Value: 3n, imm: 12, next: P + 4n },
    {
      name: 'blt 0x80000000 < 0',
      op: 'blt',
      rs1Value: MIN32,
      rs2Value: 0n,
      imm: 12,
      next: xlen === 32 ? P + 12n : P + 4n, // negative on RV32, positive on RV64
    },
    { name: 'bge equal taken', op: 'bge', rs1Value: 3n, rs2Value: 3n, imm: 20, next: P + 20n },
    { name: 'bge -1 >= 0 not taken', op: 'bge', rs1Value: all, rs2Value: 0n, imm: 20, next: P + 4n },
    { name: 'bge 0 >= -1 taken', op: 'bge', rs1Value: 0n, rs2Value: all, imm: 20, next: P + 20n },
    { name: 'bltu -1 < 0 not taken (unsigned)', op: 'bltu', rs1Value: all, rs2Value: 0n, imm: 24, next: P + 4n },
    { name: 'bltu 0 < max taken', op: 'bltu', rs1Value: 0n, rs2Value: all, imm: 24, next: P + 24n },
    { name: 'bgeu max >= 0 taken', op: 'bgeu', rs1Value: all, rs2Value: 0n, imm: -24, next: P - 24n },
    { name: 'bgeu 0 >= 1 not taken', op: 'bgeu', rs1Value: 0n, rs2Value: 1n, imm: -24, next: P + 4n },
    { name: 'bgeu equal taken', op: 'bgeu', rs1Value: 7n, rs2Value: 7n, imm: 4, next: P + 4n },
    {
      name: 'beq taken to a misaligned target traps at the branch',
      op: 'beq', rs1Value: 1n, rs2Value: 1n, imm: 6,
      trap: { cause: 'misaligned_fetch', pc: P, value: P + 6n },
    },
    { name: 'beq not taken to a misaligned target does not trap', op: 'beq', rs1Value: 1n, rs2Value: 2n, imm: 6, next: P + 4n },
    { name: 'jal links and jumps', op: 'jal', rd: 1, imm: 0x100, next: P + 0x100n, rdValue: P + 4n },
    { name: 'jal backward', op: 'jal', rd: 1, imm: -8, next: P - 8n, rdValue: P + 4n },
    { name: 'jal to x0 (j)', op: 'jal', rd: 0, imm: 0x20, next: P + 0x20n, rdValue: 0n },
    {
      name: 'jal to a misaligned target traps and leaves rd',
      op: 'jal', rd: 1, imm: 0x102, regs: [[1, 0x5555n]], rdValue: 0x5555n,
      trap: { cause: 'misaligned_fetch', pc: P, value: P + 0x102n },
    },
    {
      name: 'jal out of the code is a fetch fault at the target, after linking',
      op: 'jal', rd: 1, imm: CODE_END - VECTOR_PC, rdValue: P + 4n,
      trap: { cause: 'fetch_fault', pc: BigInt(CODE_END), value: BigInt(CODE_END) },
    },
    { name: 'jalr links and jumps', op: 'jalr', rd: 1, rs1: 6, rs1Value: P + 0x100n, imm: 0, next: P + 0x100n, rdValue: P + 4n },
    { name: 'jalr adds the immediate', op: 'jalr', rd: 1, rs1: 6, rs1Value: P, imm: -16, next: P - 16n, rdValue: P + 4n },
    { name: 'jalr clears bit 0 of rs1 + imm (odd rs1)', op: 'jalr', rd: 1, rs1: 6, rs1Value: P + 0x101n, imm: 0, next: P + 0x100n, rdValue: P + 4n },
    { name: 'jalr clears bit 0 of rs1 + imm (odd imm)', op: 'jalr', rd: 1, rs1: 6, rs1Value: P + 0x100n, imm: 1, next: P + 0x100n, rdValue: P + 4n },
    { name: 'jalr odd rs1 and imm -1', op: 'jalr', rd: 1, rs1: 6, rs1Value: P + 0x101n, imm: -1, next: P + 0x100n, rdValue: P + 4n },
    { name: 'jalr rd == rs1 uses the old rs1', op: 'jalr', rd: 6, rs1: 6, rs1Value: P + 0x200n, imm: 0x10, next: P + 0x210n, rdValue: P + 4n },
    { name: 'jalr to x0 (ret)', op: 'jalr', rd: 0, rs1: 1, rs1Value: P + 0x40n, imm: 0, next: P + 0x40n, rdValue: 0n },
    {
      name: 'jalr to a misaligned target traps and leaves rd',
      op: 'jalr', rd: 1, rs1: 6, rs1Value: P + 0x102n, imm: 0, regs: [[1, 0x7777n]], rdValue: 0x7777n,
      trap: { cause: 'misaligned_fetch', pc: P, value: P + 0x102n },
    },
    {
      name: 'jalr misaligned target after clearing bit 0',
      op: 'jalr', rd: 1, rs1: 6, rs1Value: P + 0x103n, imm: 0, regs: [[1, 0x7777n]], rdValue: 0x7777n,
      trap: { cause: 'misaligned_fetch', pc: P, value: P + 0x102n },
    },
    {
      name: 'jalr to data is a fetch fault at the target, after linking',
      op: 'jalr', rd: 1, rs1: 6, rs1Value: 0x40000n, imm: 0, rdValue: P + 4n,
      trap: { cause: 'fetch_fault', pc: 0x40000n, value: 0x40000n },
    },
    {
      name: 'jalr to the top of the address space is a fetch fault',
      op: 'jalr', rd: 1, rs1: 6, rs1Value: all - 3n, imm: 0, rdValue: P + 4n,
      trap: { cause: 'fetch_fault', pc: all - 3n, value: all - 3n },
    },
    {
      name: 'jalr target wraps around to 0',
      op: 'jalr', rd: 1, rs1: 6, rs1Value: all, imm: 1, rdValue: P + 4n,
      trap: { cause: 'fetch_fault', pc: 0n, value: 0n },
    },
    { name: 'fence is a no-op', op: 'fence', imm: 0x0ff, next: P + 4n },
    { name: 'fence.i is a no-op', op: 'fence_i', next: P + 4n },
    { name: 'ebreak', op: 'ebreak', trap: { cause: 'breakpoint', pc: P, value: 0n } },
    {
      name: 'ecall with an unknown number returns -ENOSYS',
      op: 'ecall', rd: 10, regs: [[17, 1000n], [10, 5n]], rdValue: all - 37n, next: P + 4n,
    },
  ];
  return v.map((x) => ({ ...x, xlen, name: `rv${xlen} ${x.name}` }));
}

export const FLOW_VECTORS: FlowVector[] = [...flow(32), ...flow(64)];
