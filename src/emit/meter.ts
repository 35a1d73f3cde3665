/**
 * Counting code for the execution modes. Every mode counts retired instructions against an
 * exact limit; metered adds per-class counts; metered_cost adds a cost with its own ceiling.
 *
 * Region code counts a whole block at its start (one add and one compare). A block that would
 * cross a limit leaves through the cold path into its tail, which counts and checks before
 * every instruction, so a run stops exactly at the limit whatever the block shapes. A trap in
 * the middle of a block takes back the part of the block that did not retire.
 */
import { instrClass } from '../isa/decode.js';
import { INSTR_CLASSES, type InstrClass } from '../isa/types.js';
import type { Block, Slot } from '../lift/cfg.js';

export type ExecutionMode = 'pure' | 'metered' | 'metered_cost';
export type CostWeights = Record<InstrClass, bigint>;

const CLASS_INDEX: Record<InstrClass, number> = Object.fromEntries(INSTR_CLASSES.map((c, i) => [c, i])) as Record<InstrClass, number>;

const classOf = (s: Slot): InstrClass | undefined => (s.instr ? instrClass(s.instr.op) : undefined);

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

  /** Counter locals of region code, loaded at entry. */
  declarations(): string[] {
    const out = ['uint64_t ic = s->instret;', 'const uint64_t ilim = s->insn_limit;'];
    if (this.classes) out.push(...INSTR_CLASSES.map((c, i) => `uint64_t k_${c} = s->class_counts[${i}];`));
    if (this.costs) out.push('uint64_t gas = s->cost;', 'const uint64_t glim = s->cost_limit; (void)glim;');
    return out;
  }

  /** Store the counter locals into the state (before leaving or calling out). */
  flush(): string {
    const out = ['s->instret = ic;'];
    if (this.classes) out.push(...INSTR_CLASSES.map((c, i) => `s->class_counts[${i}] = k_${c};`));
    if (this.costs) out.push('s->cost = gas;');
    return out.join(' ');
  }

  /** Reload the counter locals (after a call or system call changed the state). */
  reload(): string {
    const out = ['ic = s->instret;'];
    if (this.classes) out.push(...INSTR_CLASSES.map((c, i) => `k_${c} = s->class_counts[${i}];`));
    if (this.costs) out.push('gas = s->cost;');
    return out.join(' ');
  }

  private sums(slots: Slot[]): { n: number; perClass: Map<InstrClass, number>; cost: bigint } {
    const perClass = new Map<InstrClass, number>();
    let cost = 0n;
    for (const s of slots) {
      const c = classOf(s);
      if (c) perClass.set(c, (perClass.get(c) ?? 0) + 1);
      cost += this.weight(s);
    }
    return { n: slots.length, perClass, cost };
  }

  /**
   * Region code at the start of a block: if the block would cross a limit, `slow` (a statement
   * that leaves for the block's tail); otherwise count the whole block.
   */
  blockPrologue(b: Block, slow: string): string[] {
    const { n, perClass, cost } = this.sums(b.slots);
    const cond = [`ic + ${n} > ilim`];
    if (this.costs && cost > 0n) cond.push(`gas + ${cost}u > glim`);
    const out = [`if (RVR_UNLIKELY(${cond.join(' || ')})) ${slow}`];
    const adds = [`ic += ${n};`];
    if (this.classes) for (const [c, k] of perClass) adds.push(`k_${c} += ${k};`);
    if (this.costs && cost > 0n) adds.push(`gas += ${cost}u;`);
    out.push(adds.join(' '));
    return out;
  }

  /** Region code before a trap at slot k of the block: take back slots k.. (they did not retire). */
  trapAdjust(b: Block, k: number): string {
    const { n, perClass, cost } = this.sums(b.slots.slice(k));
    const out = [`ic -= ${n};`];
    if (this.classes) for (const [c, m] of perClass) out.push(`k_${c} -= ${m};`);
    if (this.costs && cost > 0n) out.push(`gas -= ${cost}u;`);
    return out.join(' ');
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
    if (this.classes && c) out.push(`s->class_counts[${CLASS_INDEX[c]}]++;`);
    const w = this.weight(s);
    if (this.costs && w > 0n) out.push(`s->cost += ${w}u;`);
    return out.join(' ');
  }
}
