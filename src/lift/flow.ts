/**
 * Control flow inside one region: which blocks a block can continue to, which blocks are loop
 * headers, and where counting code must check its budget.
 *
 * Counting subtracts every block's instruction count, but tests the budget only at check
 * points: the region's entry, loop headers (targets of backward edges), the blocks a call
 * returns to and jump-table targets. A check point asks for enough budget to reach the next
 * check point on the longest path (`reach`), so the blocks in between cannot cross a limit and
 * need no test; a run that is closer to its limit leaves for the exact per-instruction tails.
 */
import { controlKind } from '../isa/decode.js';
import type { Xlen } from '../isa/types.js';
import type { Block, Region } from './cfg.js';

export interface RegionFlow {
  /** Block start → starts of the blocks in this region it can continue to directly. */
  successors: Map<number, number[]>;
  /** Targets of backward (or self) edges: every cycle passes through one. */
  loopHeaders: Set<number>;
  /**
   * Loop headers other than the region's start: the region's twin function (src/emit/region.ts)
   * can be entered there, so a run that resumes (or is dispatched) inside any loop is back in
   * region code within one iteration. Entries into inner loops make the twin's outer loops
   * irreducible for the C compiler; the function called at the region start has none.
   */
  entryPoints: Set<number>;
  /** Blocks that test the budget. */
  checkPoints: Set<number>;
  /**
   * Innermost natural loops (no other loop header inside), pairwise disjoint: their blocks
   * and whether any of them calls out (a guest call or a system call).
   */
  innermostLoops: InnerLoop[];
  /**
   * For each check point, the largest total `weight` of the blocks from it to the next check
   * point on any path (the block itself included).
   */
  reach(weight: (b: Block) => bigint): Map<number, bigint>;
}

export interface InnerLoop {
  header: number;
  blocks: Set<number>;
  callsOut: boolean;
}

const target = (xlen: Xlen, pc: number, imm: number): number => Number(BigInt.asUintN(xlen, BigInt(pc) + BigInt(imm)));

export function analyseRegionFlow(xlen: Xlen, region: Region, knownJalrTargets: ReadonlyMap<number, number>): RegionFlow {
  const starts = new Set(region.blocks.map((b) => b.start));
  const successors = new Map<number, number[]>();
  const returnPoints = new Set<number>();
  const callsOut = new Set<number>();
  const inRegion = (t: number): boolean => starts.has(t);
  for (const b of region.blocks) {
    const out: number[] = [];
    const last = b.slots[b.slots.length - 1];
    const i = last.instr;
    const kind = i ? controlKind(i) : 'trap';
    if (!i) {
      // an undecodable word traps: no successor
    } else if (kind === 'none' || kind === 'ecall') {
      if (kind === 'ecall') callsOut.add(b.start);
      out.push(b.end);
    } else if (kind === 'branch') {
      out.push(target(xlen, last.pc, i.imm), b.end);
    } else if (kind === 'jal') {
      if (i.rd === 0) out.push(target(xlen, last.pc, i.imm));
      else {
        returnPoints.add(b.end);
        callsOut.add(b.start);
      }
    } else if (kind === 'jalr') {
      const known = knownJalrTargets.get(last.pc);
      if (i.rd !== 0) {
        returnPoints.add(b.end);
        callsOut.add(b.start);
      } else if (known !== undefined) out.push(known);
      else if (!(i.rs1 === 1 && i.imm === 0)) out.push(...region.indirectTargets);
    }
    successors.set(b.start, [...new Set(out.filter(inRegion))]);
  }
  const loopHeaders = new Set<number>();
  for (const [from, succ] of successors) {
    for (const t of succ) {
      if (t > from) continue;
      loopHeaders.add(t);
    }
  }
  const entryPoints = new Set([...loopHeaders].filter((h) => h !== region.start));
  const checkPoints = new Set<number>([region.start, ...loopHeaders, ...region.indirectTargets.filter(inRegion)]);
  for (const r of returnPoints) if (inRegion(r)) checkPoints.add(r);
  // Without back edges the remaining edges go forward in address order, so one backward sweep
  // finds the heaviest run from each block to the next check point.
  const reach = (weight: (b: Block) => bigint): Map<number, bigint> => {
    const heaviest = new Map<number, bigint>();
    const out = new Map<number, bigint>();
    for (let k = region.blocks.length - 1; k >= 0; k--) {
      const b = region.blocks[k];
      let rest = 0n;
      for (const t of successors.get(b.start)!) {
        if (t <= b.start || checkPoints.has(t)) continue;
        const w = heaviest.get(t)!;
        if (w > rest) rest = w;
      }
      const total = weight(b) + rest;
      heaviest.set(b.start, total);
      if (checkPoints.has(b.start)) out.set(b.start, total);
    }
    return out;
  };
  return { successors, loopHeaders, entryPoints, checkPoints, reach, innermostLoops: innermostLoops(successors, loopHeaders, callsOut) };
}

/**
 * The natural loop of each header (the header and every block that reaches one of its back
 * edges without passing through it), keeping those with no other header inside and sharing no
 * block with another kept loop.
 */
function innermostLoops(successors: Map<number, number[]>, loopHeaders: Set<number>, callsOut: Set<number>): InnerLoop[] {
  const preds = new Map<number, number[]>();
  for (const [from, succ] of successors) {
    for (const t of succ) {
      const p = preds.get(t);
      if (p) p.push(from);
      else preds.set(t, [from]);
    }
  }
  const loops: InnerLoop[] = [];
  const taken = new Set<number>();
  for (const h of [...loopHeaders].sort((a, b) => a - b)) {
    const blocks = new Set([h]);
    const work = (preds.get(h) ?? []).filter((p) => p >= h);
    while (work.length > 0) {
      const b = work.pop()!;
      if (blocks.has(b)) continue;
      blocks.add(b);
      work.push(...(preds.get(b) ?? []));
    }
    if ([...blocks].some((b) => (b !== h && loopHeaders.has(b)) || taken.has(b))) continue;
    for (const b of blocks) taken.add(b);
    loops.push({ header: h, blocks, callsOut: [...blocks].some((b) => callsOut.has(b)) });
  }
  return loops;
}
