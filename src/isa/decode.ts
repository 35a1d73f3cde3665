/**
 * RISC-V decoder: RV32I, RV64I, M, fence, fence.i, ecall, ebreak, and C (src/isa/compressed.ts).
 *
 * Organised by major opcode (bits 6:0) so that A (0x2f), Zicsr (0x73 funct3 != 0), F/D
 * (0x07, 0x27, 0x43..0x53) and the compressed quadrants (low bits != 0b11) slot in as new
 * cases without reshaping what is here.
 */
import { decodeCompressed } from './compressed.js';
import type { ControlKind, Instr, InstrClass, IsaOptions, Op, Xlen } from './types.js';

const bits = (w: number, hi: number, lo: number): number => (w >>> lo) & ((1 << (hi - lo + 1)) - 1);

function immI(w: number): number {
  return w >> 20;
}
function immS(w: number): number {
  return ((w >> 25) << 5) | bits(w, 11, 7);
}
function immB(w: number): number {
  return ((w >> 31) << 12) | (bits(w, 7, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1);
}
function immU(w: number): number {
  return w & 0xfffff000 | 0;
}
function immJ(w: number): number {
  return ((w >> 31) << 20) | (bits(w, 19, 12) << 12) | (bits(w, 20, 20) << 11) | (bits(w, 30, 21) << 1);
}

function make(op: Op, w: number, imm: number): Instr {
  return { op, rd: bits(w, 11, 7), rs1: bits(w, 19, 15), rs2: bits(w, 24, 20), imm, len: 4, raw: w >>> 0 };
}

const BRANCH: (Op | undefined)[] = ['beq', 'bne', undefined, undefined, 'blt', 'bge', 'bltu', 'bgeu'];
const LOAD32: (Op | undefined)[] = ['lb', 'lh', 'lw', undefined, 'lbu', 'lhu', undefined, undefined];
const LOAD64: (Op | undefined)[] = ['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', undefined];
const STORE32: (Op | undefined)[] = ['sb', 'sh', 'sw'];
const STORE64: (Op | undefined)[] = ['sb', 'sh', 'sw', 'sd'];
const OPIMM: (Op | undefined)[] = ['addi', undefined, 'slti', 'sltiu', 'xori', undefined, 'ori', 'andi'];
const OP_BASE: Op[] = ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and'];
const OP_MUL: Op[] = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const OP32_MUL: (Op | undefined)[] = ['mulw', undefined, undefined, undefined, 'divw', 'divuw', 'remw', 'remuw'];

/**
 * Decode one instruction word. Returns undefined for anything that is not a valid instruction
 * of the target (reserved encodings, instructions of extensions not supported, RV64-only
 * instructions on RV32). The caller turns that into an illegal-instruction trap at its address.
 */
export function decode(word: number, xlen: Xlen, isa: IsaOptions = {}): Instr | undefined {
  const w = word | 0;
  if ((w & 3) !== 3) return isa.compressed ? decodeCompressed(w & 0xffff, xlen) : undefined;
  const opcode = w & 0x7f;
  const f3 = bits(w, 14, 12);
  const f7 = bits(w, 31, 25);
  const rv64 = xlen === 64;
  switch (opcode) {
    case 0x37:
      return make('lui', w, immU(w));
    case 0x17:
      return make('auipc', w, immU(w));
    case 0x6f:
      return make('jal', w, immJ(w));
    case 0x67:
      return f3 === 0 ? make('jalr', w, immI(w)) : undefined;
    case 0x63: {
      const op = BRANCH[f3];
      return op && make(op, w, immB(w));
    }
    case 0x03: {
      const op = (rv64 ? LOAD64 : LOAD32)[f3];
      return op && make(op, w, immI(w));
    }
    case 0x23: {
      const op = (rv64 ? STORE64 : STORE32)[f3];
      return op && make(op, w, immS(w));
    }
    case 0x13: {
      if (f3 === 1 || f3 === 5) {
        // Shift by immediate: RV64 has a 6-bit shamt and funct6, RV32 a 5-bit shamt and funct7.
        const shamt = rv64 ? bits(w, 25, 20) : bits(w, 24, 20);
        const funct = rv64 ? bits(w, 31, 26) << 1 : f7;
        if (f3 === 1) return funct === 0 ? make('slli', w, shamt) : undefined;
        if (funct === 0) return make('srli', w, shamt);
        if (funct === 0x20) return make('srai', w, shamt);
        return undefined;
      }
      const op = OPIMM[f3];
      return op && make(op, w, immI(w));
    }
    case 0x1b: {
      if (!rv64) return undefined;
      if (f3 === 0) return make('addiw', w, immI(w));
      const shamt = bits(w, 24, 20);
      if (f3 === 1) return f7 === 0 ? make('slliw', w, shamt) : undefined;
      if (f3 === 5) {
        if (f7 === 0) return make('srliw', w, shamt);
        if (f7 === 0x20) return make('sraiw', w, shamt);
      }
      return undefined;
    }
    case 0x33: {
      if (f7 === 0) return make(OP_BASE[f3], w, 0);
      if (f7 === 1) return make(OP_MUL[f3], w, 0);
      if (f7 === 0x20) {
        if (f3 === 0) return make('sub', w, 0);
        if (f3 === 5) return make('sra', w, 0);
      }
      return undefined;
    }
    case 0x3b: {
      if (!rv64) return undefined;
      if (f7 === 0) {
        if (f3 === 0) return make('addw', w, 0);
        if (f3 === 1) return make('sllw', w, 0);
        if (f3 === 5) return make('srlw', w, 0);
        return undefined;
      }
      if (f7 === 0x20) {
        if (f3 === 0) return make('subw', w, 0);
        if (f3 === 5) return make('sraw', w, 0);
        return undefined;
      }
      if (f7 === 1) {
        const op = OP32_MUL[f3];
        return op && make(op, w, 0);
      }
      return undefined;
    }
    case 0x0f:
      // Unused fence fields are reserved for future use and must be ignored (spec 2.7).
      if (f3 === 0) return make('fence', w, immI(w));
      if (f3 === 1) return make('fence_i', w, immI(w));
      return undefined;
    case 0x73:
      if (w === 0x00000073) return make('ecall', w, 0);
      if (w === 0x00100073) return make('ebreak', w, 0);
      return undefined;
    default:
      return undefined;
  }
}

const CLASS: Record<Op, InstrClass> = {
  lui: 'alu', auipc: 'alu', jal: 'jump', jalr: 'jump',
  beq: 'branch', bne: 'branch', blt: 'branch', bge: 'branch', bltu: 'branch', bgeu: 'branch',
  lb: 'load', lh: 'load', lw: 'load', lbu: 'load', lhu: 'load', lwu: 'load', ld: 'load',
  sb: 'store', sh: 'store', sw: 'store', sd: 'store',
  addi: 'alu', slti: 'alu', sltiu: 'alu', xori: 'alu', ori: 'alu', andi: 'alu',
  slli: 'alu', srli: 'alu', srai: 'alu',
  add: 'alu', sub: 'alu', sll: 'alu', slt: 'alu', sltu: 'alu', xor: 'alu', srl: 'alu', sra: 'alu',
  or: 'alu', and: 'alu',
  addiw: 'alu', slliw: 'alu', srliw: 'alu', sraiw: 'alu', addw: 'alu', subw: 'alu', sllw: 'alu',
  srlw: 'alu', sraw: 'alu',
  fence: 'system', fence_i: 'system', ecall: 'system', ebreak: 'system',
  mul: 'muldiv', mulh: 'muldiv', mulhsu: 'muldiv', mulhu: 'muldiv', div: 'muldiv', divu: 'muldiv',
  rem: 'muldiv', remu: 'muldiv', mulw: 'muldiv', divw: 'muldiv', divuw: 'muldiv', remw: 'muldiv',
  remuw: 'muldiv',
};

export function instrClass(op: Op): InstrClass {
  return CLASS[op];
}

export function controlKind(i: Instr): ControlKind {
  switch (i.op) {
    case 'beq': case 'bne': case 'blt': case 'bge': case 'bltu': case 'bgeu':
      return 'branch';
    case 'jal':
      return 'jal';
    case 'jalr':
      return 'jalr';
    case 'ecall':
      return 'ecall';
    case 'ebreak':
      return 'trap';
    default:
      return 'none';
  }
}

/** Registers an instruction reads (x0 included when named; callers may ignore it). */
export function sourceRegs(i: Instr): number[] {
  switch (i.op) {
    case 'lui': case 'auipc': case 'jal': case 'fence': case 'fence_i': case 'ecall': case 'ebreak':
      return [];
    case 'jalr': case 'lb': case 'lh': case 'lw': case 'lbu': case 'lhu': case 'lwu': case 'ld':
    case 'addi': case 'slti': case 'sltiu': case 'xori': case 'ori': case 'andi':
    case 'slli': case 'srli': case 'srai': case 'addiw': case 'slliw': case 'srliw': case 'sraiw':
      return [i.rs1];
    default:
      return [i.rs1, i.rs2];
  }
}

/** The register an instruction writes, or 0 when it writes none (x0 writes are discarded). */
export function destReg(i: Instr): number {
  switch (i.op) {
    case 'beq': case 'bne': case 'blt': case 'bge': case 'bltu': case 'bgeu':
    case 'sb': case 'sh': case 'sw': case 'sd': case 'fence': case 'fence_i': case 'ecall': case 'ebreak':
      return 0;
    default:
      return i.rd;
  }
}
