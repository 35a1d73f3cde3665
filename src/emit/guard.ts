/**
 * Bounds checks hoisted to the start of a block. Inside a block, most addresses are a register's
 * value at block entry plus a constant (stack slots off sp, a pointer stepped by addi), so one
 * range test per base register at the block's start covers all of them: when it holds, every
 * such access of the block is in the arena and needs no test of its own; when it fails, the
 * block runs in its tail, which tests each access and traps at the exact instruction. The test
 * fails only when an access of the block would fault (or, for unrolled copies that may not all
 * run, near the arena's edge), so the tail is as cold as the trap it stands for.
 */
import { destReg } from '../isa/decode.js';
import type { Xlen } from '../isa/types.js';
import type { Slot } from '../lift/cfg.js';
import { accessWidth } from './semantics.js';

/** Accesses at [x<base> + lo, x<base> + hi) as of block entry. */
export interface AccessRange {
  base: number;
  lo: number;
  hi: number;
}

export interface BlockGuard {
  /** Ranges to test at block entry (one per base register). */
  ranges: AccessRange[];
  /** Positions (copy * slots + slot) of the accesses the ranges (or a constant address) cover. */
  covered: Set<number>;
}

/** Widest range one test covers: well inside any arena, and within the deltas a block can add. */
const MAX_SPAN = 1 << 16;

/**
 * Which accesses of `copies` consecutive runs of a block a test at its start can cover. A
 * register is followed as (entry value of a base register + delta) through addi and mv (and
 * lui, as x0 + delta: a constant address); any other write loses it.
 */
export function planBlockGuard(slots: readonly Slot[], copies: number, xlen: Xlen, memoryBits: number): BlockGuard {
  const memSize = 2 ** memoryBits;
  // A 32-bit arena holds every RV32 address: byte accesses cannot fault there.
  const bytesAlwaysFit = xlen === 32 && memoryBits === 32;
  const known = new Map<number, { base: number; delta: number }>();
  for (let n = 0; n < 32; n++) known.set(n, { base: n, delta: 0 });
  const ranges = new Map<number, { lo: number; hi: number; at: number[] }>();
  const covered = new Set<number>();
  outer: for (let copy = 0; copy < copies; copy++) {
    for (const [k, s] of slots.entries()) {
      const i = s.instr;
      if (!i) break outer;
      const at = copy * slots.length + k;
      const width = accessWidth(i);
      if (width !== undefined) {
        const r = known.get(i.rs1);
        if (r && !(bytesAlwaysFit && width === 1)) {
          const d = r.delta + i.imm;
          if (r.base === 0) {
            // An absolute address: decided now; one that faults keeps its own test.
            if (d >= 0 && d + width <= memSize) covered.add(at);
          } else {
            const g = ranges.get(r.base) ?? { lo: d, hi: d + width, at: [] };
            g.lo = Math.min(g.lo, d);
            g.hi = Math.max(g.hi, d + width);
            g.at.push(at);
            ranges.set(r.base, g);
          }
        }
      }
      const rd = destReg(i);
      if (rd === 0) continue;
      const src = known.get(i.rs1);
      if (i.op === 'addi' && src) known.set(rd, { base: src.base, delta: src.delta + i.imm });
      else if (i.op === 'lui') known.set(rd, { base: 0, delta: i.imm });
      else known.delete(rd);
    }
  }
  const out: AccessRange[] = [];
  for (const [base, g] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (g.hi - g.lo > MAX_SPAN || g.hi - g.lo >= memSize) continue;
    out.push({ base, lo: g.lo, hi: g.hi });
    for (const at of g.at) covered.add(at);
  }
  return { ranges: out, covered };
}

/** The C condition that every range is inside the arena (`reg(n)` names a register's local). */
export function guardCondition(g: BlockGuard, reg: (n: number) => string): string | undefined {
  if (g.ranges.length === 0) return undefined;
  return g.ranges
    .map(({ base, lo, hi }) => {
      const first = lo === 0 ? reg(base) : lo < 0 ? `${reg(base)} - ${-lo}` : `${reg(base)} + ${lo}`;
      // ureg arithmetic wraps like the guest's address computation; a range that wraps or
      // runs past the end shows as a start beyond RVR_MEM_SIZE - span.
      return `(uint64_t)(ureg)(${first}) <= RVR_MEM_SIZE - ${hi - lo}`;
    })
    .join(' && ');
}
