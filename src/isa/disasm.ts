/** Disassembly in the assembler's syntax with ABI register names, for listings and C comments. */
import { decode } from './decode.js';
import type { Instr, IsaOptions, Xlen } from './types.js';

export const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

const r = (n: number): string => ABI_NAMES[n];
const hex = (n: number): string => '0x' + n.toString(16);

/** Disassemble a decoded instruction at `pc` (branch and jump targets are printed absolute). */
export function formatInstr(i: Instr, pc: number): string {
  if (i.cname) return formatCompressed(i, i.cname, pc);
  const name = i.op.replace('_', '.');
  switch (i.op) {
    case 'lui':
    case 'auipc':
      return `${name} ${r(i.rd)}, ${hex((i.imm >>> 12) & 0xfffff)}`;
    case 'jal':
      if (i.rd === 0) return `j ${hex(pc + i.imm)}`;
      return `jal ${r(i.rd)}, ${hex(pc + i.imm)}`;
    case 'jalr':
      if (i.rd === 0 && i.rs1 === 1 && i.imm === 0) return 'ret';
      return `jalr ${r(i.rd)}, ${i.imm}(${r(i.rs1)})`;
    case 'beq': case 'bne': case 'blt': case 'bge': case 'bltu': case 'bgeu':
      return `${name} ${r(i.rs1)}, ${r(i.rs2)}, ${hex(pc + i.imm)}`;
    case 'lb': case 'lh': case 'lw': case 'lbu': case 'lhu': case 'lwu': case 'ld':
      return `${name} ${r(i.rd)}, ${i.imm}(${r(i.rs1)})`;
    case 'sb': case 'sh': case 'sw': case 'sd':
      return `${name} ${r(i.rs2)}, ${i.imm}(${r(i.rs1)})`;
    case 'addi':
      if (i.rd === 0 && i.rs1 === 0 && i.imm === 0) return 'nop';
      if (i.rs1 === 0) return `li ${r(i.rd)}, ${i.imm}`;
      if (i.imm === 0) return `mv ${r(i.rd)}, ${r(i.rs1)}`;
      return `addi ${r(i.rd)}, ${r(i.rs1)}, ${i.imm}`;
    case 'slti': case 'sltiu': case 'xori': case 'ori': case 'andi':
    case 'slli': case 'srli': case 'srai': case 'addiw': case 'slliw': case 'srliw': case 'sraiw':
      return `${name} ${r(i.rd)}, ${r(i.rs1)}, ${i.imm}`;
    case 'fence': case 'fence_i': case 'ecall': case 'ebreak':
      return name;
    default:
      return `${name} ${r(i.rd)}, ${r(i.rs1)}, ${r(i.rs2)}`;
  }
}

/** Compressed instructions in the form `objdump -M no-aliases` prints them (`c.addi a0, 1`). */
function formatCompressed(i: Instr, name: string, pc: number): string {
  switch (name) {
    case 'c.nop': case 'c.ebreak':
      return name;
    case 'c.j': case 'c.jal':
      return `${name} ${hex(pc + i.imm)}`;
    case 'c.jr': case 'c.jalr':
      return `${name} ${r(i.rs1)}`;
    case 'c.beqz': case 'c.bnez':
      return `${name} ${r(i.rs1)}, ${hex(pc + i.imm)}`;
    case 'c.lui':
      return `${name} ${r(i.rd)}, ${hex((i.imm >>> 12) & 0xfffff)}`;
    case 'c.slli': case 'c.srli': case 'c.srai':
      return `${name} ${r(i.rd)}, ${hex(i.imm)}`; // objdump prints shift amounts in hex
    case 'c.addi4spn':
      return `${name} ${r(i.rd)}, sp, ${i.imm}`;
    case 'c.mv': case 'c.add': case 'c.sub': case 'c.xor': case 'c.or': case 'c.and': case 'c.subw': case 'c.addw':
      return `${name} ${r(i.rd)}, ${r(i.rs2)}`;
    default:
      if (i.op === 'sw' || i.op === 'sd') return `${name} ${r(i.rs2)}, ${i.imm}(${r(i.rs1)})`;
      if (i.op === 'lw' || i.op === 'ld') return `${name} ${r(i.rd)}, ${i.imm}(${r(i.rs1)})`;
      return `${name} ${r(i.rd)}, ${i.imm}`; // c.addi, c.addiw, c.li, c.addi16sp, shifts, c.andi
  }
}

/** Disassemble a raw word; words that do not decode print as `.word`. */
export function disassemble(word: number, pc: number, xlen: Xlen, isa: IsaOptions = {}): string {
  const i = decode(word, xlen, isa);
  if (i) return formatInstr(i, pc);
  return isa.compressed && (word & 3) !== 3 ? `.half ${hex(word & 0xffff)}` : `.word ${hex(word >>> 0)}`;
}
