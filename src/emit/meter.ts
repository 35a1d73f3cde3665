/**
 * Counting code for the execution modes. Every mode counts retired instructions against an
 * exact limit; metered adds per-class counts; metered_cost adds a cost with its own ceiling.
 *
 * Region code counts a whole block at its start (one subtract from a budget); the budget is
 * tested only at check points (src/lift/flow.ts), each asking for enough to reach the next. A
 * run too close to a limit leaves through the cold path into the block's tail, which counts
 * and checks before every instruction, so a run stops exactly at the limit whatever the block
 * shapes. A trap in the middle of a block takes back the part of the block that did not retire.
 *
 * Per-class counts cost region code one memory increment per block: each block with a non-ALU
 * instruction has a counter of how often it ran (s->block_counts, on run()'s stack), and run()
 * folds counters times the block's classes into class_counts before it returns. Class counts
 * as C locals would be live at every exit of a region function and crowd the guest registers.
 */
import { instrClass } from '../isa/decode.js';
import { INSTR_CLASSES, type InstrClass } from '../isa/types.js';
import type { Block, Slot } from '../lift/cfg.js';

export type ExecutionMode = 'pure' | 'metered' | 'metered_cost';
export type CostWeights = Record<InstrClass, bigint>;

const CLASS_INDEX: Record<InstrClass, number> = Object.fromEntries(INSTR_CLASSES.map((c, i) => [c, i])) as Record<InstrClass, number>;

const classOf = (s: Slot): InstrClass | undefined => (s.instr ? instrClass(s.instr.op) : undefined);

/**
 * Classes whose counts generated code maintains. ALU is left out: every retired instruction
 * has exactly one class, so the host derives alu = instret - (sum of the others) whenever the
 * guest stops (rvr_abi.h), and a block of ALU instructions needs no counter.
 */
const COUNTED_CLASSES: InstrClass[] = INSTR_CLASSES.filter((c) => c !== 'alu');

export class Meter {
  readonly classes: boolean;
  readonly costs: boolean;

  constructor(
    readonly mode: ExecutionMode,
    readonly weights: CostWeights | undefined,
  ) {
    this.classes = mode !== 'pure';
    this.costs = mode === 'metered_cost';
    if (this.costs && !weights) throw new Error('metered_cost needs a cost table');
  }

  weight(s: Slot): bigint {
    const c = classOf(s);
    return this.costs && c ? this.weights![c] : 0n;
  }

  /** Block start → index of its counter in s->block_counts, in the order blocks were emitted. */
  private readonly counters = new Map<number, number>();
  /** Per counter: how many instructions of each counted class one run of its block retires. */
  private readonly counterClasses: Map<InstrClass, number>[] = [];

  /**
   * Counter locals of region code, loaded at entry. Limits are kept as budgets that count
   * down (`ileft`, `gleft`): a block costs a subtract from each, only `ileft` is tested (it is
   * capped so that it also covers the cost limit), and the state's counters are recovered from the fixed end points (`iend`, `gend`) when the locals are
   * flushed.
   */
  declarations(): string[] {
    const out: string[] = [];
    if (this.costs) out.push('int64_t gleft = rvr_budget(s->cost, s->cost_limit);', 'const uint64_t gend = s->cost + (uint64_t)gleft;');
    out.push('int64_t ileft = rvr_budget(s->instret, s->insn_limit);');
    const w = this.maxWeight();
    if (w > 0n) {
      // No instruction costs more than w, so while w * ileft <= gas left, a test of the
      // instruction budget alone also keeps the run inside its cost limit (one test instead of
      // two at each check point; the tails check the cost of every instruction exactly).
      out.push(`if (gleft / INT64_C(${w}) < ileft) ileft = gleft / INT64_C(${w}); /* every instruction costs at most ${w} */`);
    }
    out.push('const uint64_t iend = s->instret + (uint64_t)ileft;');
    return out;
  }

  /** The largest weight of any class (metered_cost; 0 otherwise). */
  private maxWeight(): bigint {
    if (!this.costs) return 0n;
    return Object.values(this.weights!).reduce((a, b) => (b > a ? b : a), 0n);
  }

  /** Store the counter locals into the state (before leaving or calling out). */
  flush(): string {
    const out = ['s->instret = iend - (uint64_t)ileft;'];
    if (this.costs) out.push('s->cost = gend - (uint64_t)gleft;');
    return out.join(' ');
  }

  /** Reload the counter locals (after a call or system call changed the state). */
  reload(): string {
    const out = ['ileft = (int64_t)(iend - s->instret);'];
    if (this.costs) out.push('gleft = (int64_t)(gend - s->cost);');
    return out.join(' ');
  }

  /** The block's counter (metered modes; none for a block of ALU instructions only). */
  private counter(b: Block): number | undefined {
    if (!this.classes) return undefined;
    const known = this.counters.get(b.start);
    if (known !== undefined) return known;
    const { perClass } = this.sums(b.slots);
    if (perClass.size === 0) return undefined;
    const k = this.counterClasses.length;
    this.counters.set(b.start, k);
    this.counterClasses.push(perClass);
    return k;
  }

  /** Statement adding `runs` (may be negative) to the block's counter; empty without one. */
  private countRuns(b: Block, runs: number): string {
    const k = this.counter(b);
    if (k === undefined || runs === 0) return '';
    if (runs === 1) return `s->block_counts[${k}]++;`;
    return runs > 0 ? `s->block_counts[${k}] += ${runs};` : `s->block_counts[${k}] -= ${-runs};`;
  }

  private sums(slots: Slot[]): { n: number; perClass: Map<InstrClass, number>; cost: bigint } {
    const perClass = new Map<InstrClass, number>();
    let cost = 0n;
    for (const s of slots) {
      const c = classOf(s);
      if (c && c !== 'alu') perClass.set(c, (perClass.get(c) ?? 0) + 1);
      cost += this.weight(s);
    }
    return { n: slots.length, perClass, cost };
  }

  /**
   * Region code at the start of a block: at a check point (`reach`: the most instructions up to
   * the next check point, src/lift/flow.ts), leave through `slow` (statements that
   * go to the block's tail) if a budget could run out before the next check, or if `inBounds`
   * (the block's hoisted bounds test, src/emit/guard.ts) fails; then take the block's counts.
   */
  blockPrologue(b: Block, slow: string, reach: bigint | undefined, inBounds?: string): string[] {
    const { n, cost } = this.sums(b.slots);
    const out: string[] = [];
    const tests: string[] = [];
    if (reach !== undefined) tests.push(`ileft < ${reach}`);
    if (inBounds) tests.push(`!(${inBounds})`);
    if (tests.length > 0) out.push(`if (RVR_UNLIKELY(${tests.join(' || ')})) { ${slow} }`);
    const adds = [`ileft -= ${n};`];
    if (this.costs && cost > 0n) adds.push(`gleft -= INT64_C(${cost});`);
    adds.push(this.countRuns(b, 1));
    out.push(adds.filter((a) => a !== '').join(' '));
    return out;
  }

  /** Test that `copies` runs of a self-loop block, then the rest of its reach, fit the budget. */
  unrolledTest(b: Block, copies: number, reach: bigint): string {
    return `ileft >= ${reach + BigInt((copies - 1) * b.slots.length)}`;
  }

  /** Count `copies` runs of a block at once. */
  countCopies(b: Block, copies: number): string {
    const { n, cost } = this.sums(b.slots);
    const out = [`ileft -= ${n * copies};`];
    if (this.costs && cost > 0n) out.push(`gleft -= INT64_C(${cost * BigInt(copies)});`);
    out.push(this.countRuns(b, copies));
    return out.filter((a) => a !== '').join(' ');
  }

  /** Take back `copies` runs of a block that were counted but will not run. */
  giveBack(b: Block, copies: number): string {
    if (copies === 0) return '';
    const { n, cost } = this.sums(b.slots);
    const out = [`ileft += ${n * copies};`];
    if (this.costs && cost > 0n) out.push(`gleft += INT64_C(${cost * BigInt(copies)});`);
    out.push(this.countRuns(b, -copies));
    return out.filter((a) => a !== '').join(' ');
  }

  /** Instructions a block retires (for check-point reach). */
  blockInsns(b: Block): bigint {
    return BigInt(b.slots.length);
  }

  /** Region code before a trap at slot k of the block: take back slots k.. (they did not retire). */
  trapAdjust(b: Block, k: number): string {
    const { n, perClass, cost } = this.sums(b.slots.slice(k));
    const out = [`ileft += ${n};`];
    // The block's counter stays: the classes of the slots that did not retire come off directly.
    if (this.classes) for (const [c, m] of perClass) out.push(`s->class_counts[${CLASS_INDEX[c]}] -= ${m};`);
    if (this.costs && cost > 0n) out.push(`gleft += INT64_C(${cost});`);
    return out.join(' ');
  }

  /**
   * C for program.c, after every region was emitted: the classes of each counted block and
   * the run loop, which gives generated code its block counters for the length of one run()
   * and folds them into class_counts before returning.
   */
  runLoop(): string {
    const loop = ['  uint64_t pc = s->pc;', '  while (pc != RVR_STOP) pc = rvr_dispatch(s, pc);'];
    const n = this.counterClasses.length;
    if (n === 0) return ['static void rvr_run(rvr_state *s) {', ...loop, '}'].join('\n');
    const rows = this.counterClasses.map((m) => `  {${COUNTED_CLASSES.map((c) => m.get(c) ?? 0).join(', ')}},`);
    return [
      `/* Instructions of classes ${COUNTED_CLASSES.join(', ')} in one run of each counted block. */`,
      `static const uint8_t rvr_block_classes[${n}][${COUNTED_CLASSES.length}] = {`,
      ...rows,
      '};',
      '',
      'static void rvr_run(rvr_state *s) {',
      `  uint64_t counts[${n}] = {0};`,
      '  s->block_counts = counts;',
      ...loop,
      `  for (uint32_t b = 0; b < ${n}u; b++) {`,
      '    if (counts[b] == 0) continue;',
      ...COUNTED_CLASSES.map((c, j) => `    s->class_counts[${CLASS_INDEX[c]}] += counts[b] * rvr_block_classes[b][${j}];`),
      '  }',
      '  s->block_counts = 0;',
      '}',
    ].join('\n');
  }

  /** Tail code before slot s: stop exactly at a limit. */
  tailCheck(s: Slot, pc: string): string[] {
    const out = [`if (RVR_UNLIKELY(s->instret >= s->insn_limit)) return rvr_stop(s, RVR_SUSPENDED, ${pc});`];
    const w = this.weight(s);
    if (this.costs && w > 0n) out.push(`if (RVR_UNLIKELY(s->cost + ${w}u > s->cost_limit)) return rvr_stop(s, RVR_OUT_OF_GAS, ${pc});`);
    return out;
  }

  /** Tail code once slot s cannot trap any more: it retires. */
  tailRetire(s: Slot): string {
    const out = ['s->instret++;'];
    const c = classOf(s);
    if (this.classes && c && c !== 'alu') out.push(`s->class_counts[${CLASS_INDEX[c]}]++;`);
    const w = this.weight(s);
    if (this.costs && w > 0n) out.push(`s->cost += ${w}u;`);
    return out.join(' ');
  }
}
