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
 * instruction has a counter of how often it ran, in words right below guest address 0
 * (RVR_COUNTER, abi.h counter_words: addressed off the arena base, which the block's loads and
 * stores keep in a register anyway), and run() folds counters times the block's classes into
 * class_counts before it returns. Class counts as C locals would be live at every exit of a
 * region function and crowd the guest registers.
 *
 * metered_cost adds nothing to region code. The cost is brought up to date only when run()
 * returns and when a tail reaches the budget (rvr_sync): ALU instructions cost their weight
 * times the instructions retired since the last update, every other class adds its difference
 * to the ALU weight through the block counters. In between, cost grows by at most the largest
 * weight per instruction, so region code runs on an instruction budget (budget_limit) that
 * keeps the cost under its ceiling; at that budget a tail updates the cost and checks exactly.
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

  /** What these instructions (per class) cost beyond as many ALU instructions (metered_cost; 0 otherwise). */
  private extraCost(perClass: Map<InstrClass, number>): bigint {
    if (!this.costs) return 0n;
    let extra = 0n;
    for (const [c, m] of perClass) extra += BigInt(m) * (this.weights![c] - this.weights!.alu);
    return extra;
  }

  /** Block start → index of its counter (RVR_COUNTER), in the order blocks were emitted. */
  private readonly counters = new Map<number, number>();
  /** Per counter: how many instructions of each counted class one run of its block retires. */
  private readonly counterClasses: Map<InstrClass, number>[] = [];

  /** Words of block counters below the arena (abi.h counter_words); final once every region was emitted. */
  get counterWords(): number {
    return this.counterClasses.length;
  }

  /**
   * Counter locals of region code, loaded at entry. The limit is kept as a budget that counts
   * down (`ileft`); the state's instret is recovered from the fixed end point (`iend`) when
   * the local is flushed.
   */
  declarations(): string[] {
    return ['int64_t ileft = rvr_budget(s->instret, s->budget_limit);', 'const uint64_t iend = s->instret + (uint64_t)ileft;'];
  }

  /** The largest weight of any class (metered_cost; 0 otherwise). */
  private maxWeight(): bigint {
    if (!this.costs) return 0n;
    return Object.values(this.weights!).reduce((a, b) => (b > a ? b : a), 0n);
  }

  /** Store the counter locals into the state (before leaving or calling out). */
  flush(): string {
    return 's->instret = iend - (uint64_t)ileft;';
  }

  /** Reload the counter locals (after a call or system call changed the state). */
  reload(): string {
    return 'ileft = (int64_t)(iend - s->instret);';
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
    const c = this.inLocals.has(b.start) ? `c${k}` : `RVR_COUNTER(M, ${k})`;
    if (runs === 1) return `${c}++;`;
    return runs > 0 ? `${c} += ${runs};` : `${c} -= ${-runs};`;
  }

  /** Blocks of the region being emitted whose counters are C locals (see {@link beginRegion}). */
  private inLocals = new Set<number>();

  /**
   * Start a region: the counters of `localBlocks` (blocks of innermost loops that do not call
   * out) become C locals, so a loop does not wait on a memory increment per iteration; they go
   * to memory on every edge out of their loop ({@link flushLocals}) and at every exit of the
   * region function ({@link exitFlush}). Returns the locals' declarations.
   */
  beginRegion(localBlocks: Iterable<Block>): string[] {
    this.inLocals = new Set();
    const out: string[] = [];
    for (const b of localBlocks) {
      const k = this.counter(b);
      if (k === undefined) continue;
      this.inLocals.add(b.start);
      out.push(`uint64_t c${k} = 0;`);
    }
    return out;
  }

  /** Move the local counters of these blocks to memory (on an edge out of their loop). */
  flushLocals(blocks: Iterable<number>): string {
    const ks = [...blocks].filter((b) => this.inLocals.has(b)).map((b) => this.counters.get(b)!);
    return ks
      .sort((a, b) => a - b)
      .map((k) => `RVR_COUNTER(M, ${k}) += c${k}; c${k} = 0;`)
      .join(' ');
  }

  /** Move every local counter of the region to memory (when leaving the region function). */
  exitFlush(): string {
    return [...this.inLocals].map((b) => `RVR_COUNTER(M, ${this.counters.get(b)!}) += c${this.counters.get(b)!};`).join(' ');
  }

  /** Instructions, and how many of each counted class, in these slots. */
  private sums(slots: Slot[]): { n: number; perClass: Map<InstrClass, number> } {
    const perClass = new Map<InstrClass, number>();
    for (const s of slots) {
      const c = classOf(s);
      if (c && c !== 'alu') perClass.set(c, (perClass.get(c) ?? 0) + 1);
    }
    return { n: slots.length, perClass };
  }

  /**
   * Region code at the start of a block: at a check point (`reach`: the most instructions up to
   * the next check point, src/lift/flow.ts), leave through `slow` (statements that
   * go to the block's tail) if the budget could run out before the next check, or if `inBounds`
   * (the block's hoisted bounds test, src/emit/guard.ts) fails; then take the block's counts.
   */
  blockPrologue(b: Block, slow: string, reach: bigint | undefined, inBounds?: string): string[] {
    const out: string[] = [];
    const tests: string[] = [];
    if (reach !== undefined) tests.push(`ileft < ${reach}`);
    if (inBounds) tests.push(`!(${inBounds})`);
    if (tests.length > 0) out.push(`if (RVR_UNLIKELY(${tests.join(' || ')})) { ${slow} }`);
    out.push(this.countCopies(b, 1));
    return out;
  }

  /** Test that `copies` runs of a self-loop block, then the rest of its reach, fit the budget. */
  unrolledTest(b: Block, copies: number, reach: bigint): string {
    return `ileft >= ${reach + BigInt((copies - 1) * b.slots.length)}`;
  }

  /** Count `copies` runs of a block at once. */
  countCopies(b: Block, copies: number): string {
    return [`ileft -= ${b.slots.length * copies};`, this.countRuns(b, copies)].filter((a) => a !== '').join(' ');
  }

  /** Take back `copies` runs of a block that were counted but will not run. */
  giveBack(b: Block, copies: number): string {
    if (copies === 0) return '';
    return [`ileft += ${b.slots.length * copies};`, this.countRuns(b, -copies)].filter((a) => a !== '').join(' ');
  }

  /** Instructions a block retires (for check-point reach). */
  blockInsns(b: Block): bigint {
    return BigInt(b.slots.length);
  }

  /** Region code before a trap at slot k of the block: take back slots k.. (they did not retire). */
  trapAdjust(b: Block, k: number): string {
    const { n, perClass } = this.sums(b.slots.slice(k));
    const out = [`ileft += ${n};`];
    // The block's counter stays: the classes (and their cost) of the slots that did not retire
    // come off directly.
    if (this.classes) for (const [c, m] of perClass) out.push(`s->class_counts[${CLASS_INDEX[c]}] -= ${m};`);
    out.push(costAdd(-this.extraCost(perClass)));
    return out.filter((a) => a !== '').join(' ');
  }

  /**
   * C for program.c, after every region was emitted: the classes of each counted block, the
   * functions that fold the counters and bring the cost up to date, and the run loop.
   */
  runLoop(): string {
    const n = this.counterClasses.length;
    const loop = ['  uint64_t pc = s->pc;', '  while (pc != RVR_STOP) pc = rvr_dispatch(s, pc);'];
    if (!this.costs) {
      const run = ['static void rvr_run(rvr_state *s) {', '  s->budget_limit = s->insn_limit;', ...loop];
      if (n === 0) return [...run, '}'].join('\n');
      return [...this.foldFunction(), '', ...run, '  rvr_fold(s);', '}'].join('\n');
    }
    const w = this.maxWeight();
    const budget =
      w === 0n
        ? ['  s->budget_limit = s->insn_limit; /* no instruction costs anything */']
        : [
            `  /* No instruction costs more than ${w}: this many more keep the cost within its ceiling. */`,
            `  uint64_t room = s->cost < s->cost_limit ? (s->cost_limit - s->cost) / UINT64_C(${w}) : 0;`,
            '  uint64_t b = s->insn_limit;',
            '  if (s->instret < b && room < b - s->instret) b = s->instret + room;',
            '  s->budget_limit = b;',
          ];
    return [
      ...this.foldFunction(),
      '',
      '/* Bring cost up to date (block counters and instructions retired since the last update) and',
      ' * give region code the instruction budget that keeps it within the cost ceiling. */',
      'static void rvr_sync(rvr_state *s) {',
      `  s->cost += UINT64_C(${this.weights!.alu}) * (s->instret - s->cost_synced);`,
      ...(n > 0 ? ['  rvr_fold(s);'] : []),
      '  s->cost_synced = s->instret;',
      ...budget,
      '}',
      '',
      '/* A tail at budget_limit, before an instruction costing w: the status to stop with, or 0 to run it. */',
      'RVR_HIDDEN uint32_t rvr_at_limit(rvr_state *s, uint64_t w) {',
      '  if (s->instret >= s->insn_limit) return RVR_SUSPENDED;',
      '  rvr_sync(s);',
      '  if (w != 0 && (s->cost > s->cost_limit || w > s->cost_limit - s->cost)) return RVR_OUT_OF_GAS;',
      '  return 0;',
      '}',
      '',
      'static void rvr_run(rvr_state *s) {',
      '  s->cost_synced = s->instret;',
      '  rvr_sync(s);',
      ...loop,
      '  rvr_sync(s);',
      '}',
    ].join('\n');
  }

  /** rvr_fold: counters times their blocks' classes (and cost) into the state; counters back to 0. */
  private foldFunction(): string[] {
    const n = this.counterClasses.length;
    if (n === 0) return [];
    const rows = this.counterClasses.map((m) => `  {${COUNTED_CLASSES.map((c) => m.get(c) ?? 0).join(', ')}},`);
    const out = [
      `/* Instructions of classes ${COUNTED_CLASSES.join(', ')} in one run of each counted block. */`,
      `static const uint8_t rvr_block_classes[${n}][${COUNTED_CLASSES.length}] = {`,
      ...rows,
      '};',
    ];
    if (this.costs) {
      out.push(
        '/* What one run of each counted block costs beyond as many ALU instructions (mod 2^64). */',
        `static const uint64_t rvr_block_extra[${n}] = {`,
        ...chunk(this.counterClasses.map((m) => `UINT64_C(${BigInt.asUintN(64, this.extraCost(m))})`), 4).map((r) => `  ${r.join(', ')},`),
        '};',
      );
    }
    out.push(
      '',
      'static void rvr_fold(rvr_state *s) {',
      '  uint8_t *const M = s->mem;',
      `  for (uint32_t k = 0; k < ${n}u; k++) {`,
      '    uint64_t runs = RVR_COUNTER(M, k);',
      '    if (runs == 0) continue;',
      '    RVR_COUNTER(M, k) = 0;',
      ...COUNTED_CLASSES.map((c, j) => `    s->class_counts[${CLASS_INDEX[c]}] += runs * rvr_block_classes[k][${j}];`),
      ...(this.costs ? ['    s->cost += runs * rvr_block_extra[k];'] : []),
      '  }',
      '}',
    );
    return out;
  }

  /** Tail code before slot s: stop exactly at a limit. */
  tailCheck(s: Slot, pc: string): string[] {
    if (!this.costs) return [`if (RVR_UNLIKELY(s->instret >= s->insn_limit)) return rvr_stop(s, RVR_SUSPENDED, ${pc});`];
    return [`if (RVR_UNLIKELY(s->instret >= s->budget_limit)) { uint32_t st = rvr_at_limit(s, UINT64_C(${this.weight(s)})); if (st) return rvr_stop(s, st, ${pc}); }`];
  }

  /** Tail code once slot s cannot trap any more: it retires. */
  tailRetire(s: Slot): string {
    const out = ['s->instret++;'];
    const c = classOf(s);
    if (this.classes && c && c !== 'alu') out.push(`s->class_counts[${CLASS_INDEX[c]}]++;`);
    if (c && c !== 'alu') out.push(costAdd(this.extraCost(new Map([[c, 1]]))));
    return out.filter((a) => a !== '').join(' ');
  }
}

/** C adding `delta` (either sign) to s->cost; empty for 0. */
function costAdd(delta: bigint): string {
  if (delta === 0n) return '';
  return delta > 0n ? `s->cost += UINT64_C(${delta});` : `s->cost -= UINT64_C(${-delta});`;
}

function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
