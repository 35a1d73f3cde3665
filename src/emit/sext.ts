/**
 * Which registers hold a sign-extended 32-bit value, instruction by instruction through a block
 * (RV64). RV64 code keeps 32-bit data sign-extended in 64-bit registers; an `or`, `xor` or `and`
 * of two such values is the sign extension of the same operation on their low halves, and
 * spelling it that way keeps the C compiler in 32-bit arithmetic, where it sees rotates and
 * drops needless sign extensions (SHA-256's rotates are three RV64IM instructions each).
 */
import { destReg } from '../isa/decode.js';
import type { Instr, Op } from '../isa/types.js';
import type { Slot } from '../lift/cfg.js';

/** Ops whose result is sign-extended from 32 bits whatever their operands. */
const ALWAYS: ReadonlySet<Op> = new Set<Op>([
  'lui', 'addiw', 'slliw', 'srliw', 'sraiw', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mulw', 'divw', 'divuw', 'remw', 'remuw',
  'lb', 'lh', 'lw', 'lbu', 'lhu', 'slt', 'slti', 'sltu', 'sltiu',
]);
/** Ops that keep the property when every register operand has it (immediates always do). */
const BITWISE: ReadonlySet<Op> = new Set<Op>(['or', 'xor', 'and', 'ori', 'xori', 'andi', 'srai']);

function keepsSext32(i: Instr, known: ReadonlySet<number>): boolean {
  if (ALWAYS.has(i.op)) return true;
  if (i.op === 'addi') return i.rs1 === 0 || (i.imm === 0 && known.has(i.rs1));
  if (i.op === 'andi' && i.imm >= 0) return true;
  if (!BITWISE.has(i.op)) return false;
  const twoRegs = i.op === 'or' || i.op === 'xor' || i.op === 'and';
  return known.has(i.rs1) && (!twoRegs || known.has(i.rs2));
}

/**
 * For `copies` consecutive runs of a block: before each position (copy * slots + slot), the
 * registers known to be sign-extended 32-bit values. Nothing is known at the block's start.
 */
export function sext32Facts(slots: readonly Slot[], copies: number): ReadonlySet<number>[] {
  const out: ReadonlySet<number>[] = [];
  const known = new Set<number>([0]);
  for (let copy = 0; copy < copies; copy++) {
    for (const s of slots) {
      out.push(new Set(known));
      const i = s.instr;
      const rd = i ? destReg(i) : 0;
      if (rd === 0) continue;
      if (keepsSext32(i!, known)) known.add(rd);
      else known.delete(rd);
    }
  }
  return out;
}
