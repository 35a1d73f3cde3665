/**
 * The C extension (RV32C / RV64C): each 16-bit instruction is expanded to the 32-bit
 * instruction it stands for (RISC-V unprivileged spec, "C" chapter, table of RVC opcodes), so
 * everything after the decoder sees one instruction set. `Instr.len` is 2 and `Instr.cname`
 * keeps the compressed mnemonic for disassembly.
 *
 * Reserved encodings (nzimm = 0 where the spec reserves it, rd = x0 for c.lwsp/c.ldsp/c.jr,
 * RV32 shift amounts with bit 5 set, the all-zero halfword) decode to undefined: an
 * illegal-instruction trap. HINTs (rd = x0 forms that write nothing) decode to their no-op
 * expansion, as the spec allows. FP loads/stores need F/D and are undefined until those exist.
 */
import type { Instr, Op, Xlen } from './types.js';

const bit = (h: number, n: number): number => (h >>> n) & 1;
const field = (h: number, hi: number, lo: number): number => (h >>> lo) & ((1 << (hi - lo + 1)) - 1);
/** Sign-extend the low `n` bits. */
const sx = (v: number, n: number): number => (v << (32 - n)) >> (32 - n);
/** The 3-bit register fields name x8..x15. */
const rp = (v: number): number => 8 + v;

function c(cname: string, op: Op, rd: number, rs1: number, rs2: number, imm: number, raw: number): Instr {
  return { op, rd, rs1, rs2, imm, len: 2, raw, cname };
}

/** CI-format 6-bit signed immediate: imm[5] = bit 12, imm[4:0] = bits 6:2. */
const ciImm = (h: number): number => sx((bit(h, 12) << 5) | field(h, 6, 2), 6);
/** CI-format 6-bit shift amount. */
const ciShamt = (h: number): number => (bit(h, 12) << 5) | field(h, 6, 2);

/** c.j / c.jal offset: imm[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
function cjImm(h: number): number {
  const v =
    (bit(h, 12) << 11) | (bit(h, 11) << 4) | (field(h, 10, 9) << 8) | (bit(h, 8) << 10) |
    (bit(h, 7) << 6) | (bit(h, 6) << 7) | (field(h, 5, 3) << 1) | (bit(h, 2) << 5);
  return sx(v, 12);
}

/** c.beqz / c.bnez offset: imm[8|4:3] in bits 12:10, imm[7:6|2:1|5] in bits 6:2. */
function cbImm(h: number): number {
  const v = (bit(h, 12) << 8) | (field(h, 11, 10) << 3) | (field(h, 6, 5) << 6) | (field(h, 4, 3) << 1) | (bit(h, 2) << 5);
  return sx(v, 9);
}

/** Offsets of the word / doubleword register-based loads and stores (CL/CS formats). */
const clwImm = (h: number): number => (field(h, 12, 10) << 3) | (bit(h, 6) << 2) | (bit(h, 5) << 6);
const cldImm = (h: number): number => (field(h, 12, 10) << 3) | (field(h, 6, 5) << 6);

/** Decode a 16-bit instruction (low two bits != 0b11). */
export function decodeCompressed(half: number, xlen: Xlen): Instr | undefined {
  const h = half & 0xffff;
  const rv64 = xlen === 64;
  const f3 = field(h, 15, 13);
  const rd = field(h, 11, 7);
  const rs2 = field(h, 6, 2);
  const rdp = rp(field(h, 4, 2));
  const rs1p = rp(field(h, 9, 7));
  switch (h & 3) {
    case 0:
      switch (f3) {
        case 0: {
          const imm = (field(h, 12, 11) << 4) | (field(h, 10, 7) << 6) | (bit(h, 6) << 2) | (bit(h, 5) << 3);
          return imm === 0 ? undefined : c('c.addi4spn', 'addi', rdp, 2, 0, imm, h);
        }
        case 2:
          return c('c.lw', 'lw', rdp, rs1p, 0, clwImm(h), h);
        case 3:
          return rv64 ? c('c.ld', 'ld', rdp, rs1p, 0, cldImm(h), h) : undefined;
        case 6:
          return c('c.sw', 'sw', 0, rs1p, rdp, clwImm(h), h);
        case 7:
          return rv64 ? c('c.sd', 'sd', 0, rs1p, rdp, cldImm(h), h) : undefined;
        default:
          return undefined; // c.fld/c.fsd/c.flw/c.fsw (F/D) and the reserved 0b100
      }
    case 1:
      switch (f3) {
        case 0:
          return rd === 0 ? c('c.nop', 'addi', 0, 0, 0, ciImm(h), h) : c('c.addi', 'addi', rd, rd, 0, ciImm(h), h);
        case 1:
          if (!rv64) return c('c.jal', 'jal', 1, 0, 0, cjImm(h), h);
          return rd === 0 ? undefined : c('c.addiw', 'addiw', rd, rd, 0, ciImm(h), h);
        case 2:
          return c('c.li', 'addi', rd, 0, 0, ciImm(h), h);
        case 3: {
          if (rd === 2) {
            const imm = sx((bit(h, 12) << 9) | (bit(h, 6) << 4) | (bit(h, 5) << 6) | (field(h, 4, 3) << 7) | (bit(h, 2) << 5), 10);
            return imm === 0 ? undefined : c('c.addi16sp', 'addi', 2, 2, 0, imm, h);
          }
          const imm = ciImm(h);
          return imm === 0 ? undefined : c('c.lui', 'lui', rd, 0, 0, imm << 12, h);
        }
        case 4:
          switch (field(h, 11, 10)) {
            case 0:
            case 1: {
              const shamt = ciShamt(h);
              if (!rv64 && shamt >= 32) return undefined;
              return field(h, 11, 10) === 0
                ? c('c.srli', 'srli', rs1p, rs1p, 0, shamt, h)
                : c('c.srai', 'srai', rs1p, rs1p, 0, shamt, h);
            }
            case 2:
              return c('c.andi', 'andi', rs1p, rs1p, 0, ciImm(h), h);
            default: {
              const k = field(h, 6, 5);
              if (bit(h, 12) === 0) {
                const ops: [string, Op][] = [['c.sub', 'sub'], ['c.xor', 'xor'], ['c.or', 'or'], ['c.and', 'and']];
                return c(ops[k][0], ops[k][1], rs1p, rs1p, rdp, 0, h);
              }
              if (!rv64 || k >= 2) return undefined;
              return k === 0 ? c('c.subw', 'subw', rs1p, rs1p, rdp, 0, h) : c('c.addw', 'addw', rs1p, rs1p, rdp, 0, h);
            }
          }
        case 5:
          return c('c.j', 'jal', 0, 0, 0, cjImm(h), h);
        case 6:
          return c('c.beqz', 'beq', 0, rs1p, 0, cbImm(h), h);
        default:
          return c('c.bnez', 'bne', 0, rs1p, 0, cbImm(h), h);
      }
    case 2:
      switch (f3) {
        case 0: {
          const shamt = ciShamt(h);
          if (!rv64 && shamt >= 32) return undefined;
          return c('c.slli', 'slli', rd, rd, 0, shamt, h);
        }
        case 2: {
          const imm = (bit(h, 12) << 5) | (field(h, 6, 4) << 2) | (field(h, 3, 2) << 6);
          return rd === 0 ? undefined : c('c.lwsp', 'lw', rd, 2, 0, imm, h);
        }
        case 3: {
          if (!rv64) return undefined; // c.flwsp (F)
          const imm = (bit(h, 12) << 5) | (field(h, 6, 5) << 3) | (field(h, 4, 2) << 6);
          return rd === 0 ? undefined : c('c.ldsp', 'ld', rd, 2, 0, imm, h);
        }
        case 4:
          if (bit(h, 12) === 0) {
            if (rs2 === 0) return rd === 0 ? undefined : c('c.jr', 'jalr', 0, rd, 0, 0, h);
            return c('c.mv', 'add', rd, 0, rs2, 0, h);
          }
          if (rs2 === 0) return rd === 0 ? c('c.ebreak', 'ebreak', 0, 0, 0, 0, h) : c('c.jalr', 'jalr', 1, rd, 0, 0, h);
          return c('c.add', 'add', rd, rd, rs2, 0, h);
        case 6:
          return c('c.swsp', 'sw', 0, 2, rs2, (field(h, 12, 9) << 2) | (field(h, 8, 7) << 6), h);
        case 7:
          if (!rv64) return undefined; // c.fswsp (F)
          return c('c.sdsp', 'sd', 0, 2, rs2, (field(h, 12, 10) << 3) | (field(h, 9, 7) << 6), h);
        default:
          return undefined; // c.fldsp / c.fsdsp (D)
      }
    default:
      return undefined;
  }
}
