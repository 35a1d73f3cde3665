/**
 * Execution modes of the reference interpreter: cost accounting and the cost limit
 * (out-of-gas), segments, suspend/resume by limits, and snapshot/restore. These semantics are
 * the oracle the recompiled metered modes are checked against, so the tests pin them exactly.
 */
import { describe, expect, it } from 'vitest';
import { SYS } from '../src/isa/abi.js';
import { costTableJson, DEFAULT_COST_TABLE, parseCostTable, type CostTable } from '../src/isa/cost.js';
import { decode, instrClass } from '../src/isa/decode.js';
import { INSTR_CLASSES, type InstrClass, type Xlen } from '../src/isa/types.js';
import { PF_R, PF_W, PF_X, type ElfFile } from '../src/elf/types.js';
import {
  interpret,
  Machine,
  machineResult,
  type InterpSnapshot,
  type MachineOptions,
  type Segment,
} from '../src/interp/index.js';
import { encode, li, words } from './vectors/encode.js';

const RX = PF_R | PF_X;
const RW = PF_R | PF_W;
const XLENS: Xlen[] = [32, 64];
const EBREAK = 0x00100073;
const CODE = 0x10000;
const DATA = 0x20000;

const A0 = 10;
const A1 = 11;
const A2 = 12;
const A7 = 17;
const RA = 1;

const zeroCounts = (): Record<InstrClass, bigint> =>
  Object.fromEntries(INSTR_CLASSES.map((c) => [c, 0n])) as Record<InstrClass, bigint>;
const table = (w: Partial<Record<InstrClass, bigint>>): CostTable => ({ ...zeroCounts(), ...w });

/** Deterministic PRNG. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

/**
 * A program touching every class and every piece of machine state: per iteration it reads 3
 * input bytes and writes them out, reads the clock, grows the break, calls a subroutine
 * (jal/jalr, sb/lbu), and mixes memory (mul, lw, xor, sw, divu, fence). Exits with acc & 0x7f.
 */
function kitchenSink(xlen: Xlen, iterations: number): number[] {
  const c: number[] = [
    ...li(9, BigInt(iterations), xlen), // s1 = n
    ...li(18, BigInt(DATA), xlen), // s2 = buffer
    encode('addi', { rd: 19, rs1: 0, imm: 0 }), // s3 = acc
  ];
  const loop = c.length;
  c.push(
    // read(0, s2 + 256, 3)
    ...li(A7, BigInt(SYS.read), xlen),
    encode('addi', { rd: A0, rs1: 0, imm: 0 }),
    encode('addi', { rd: A1, rs1: 18, imm: 256 }),
    encode('addi', { rd: A2, rs1: 0, imm: 3 }),
    encode('ecall'),
    // write(1, s2 + 256, a0)
    encode('addi', { rd: A2, rs1: A0, imm: 0 }),
    ...li(A7, BigInt(SYS.write), xlen),
    encode('addi', { rd: A0, rs1: 0, imm: 1 }),
    encode('addi', { rd: A1, rs1: 18, imm: 256 }),
    encode('ecall'),
    // clock_gettime(1, s2 + 512)
    ...li(A7, BigInt(xlen === 64 ? SYS.clock_gettime : SYS.clock_gettime64), xlen),
    encode('addi', { rd: A0, rs1: 0, imm: 1 }),
    encode('addi', { rd: A1, rs1: 18, imm: 512 }),
    encode('ecall'),
    // brk(0); brk(result + 16)
    ...li(A7, BigInt(SYS.brk), xlen),
    encode('addi', { rd: A0, rs1: 0, imm: 0 }),
    encode('ecall'),
    encode('addi', { rd: A0, rs1: A0, imm: 16 }),
    encode('ecall'),
  );
  const call = c.length;
  c.push(0); // jal ra, sub (patched below)
  c.push(
    encode('mul', { rd: 5, rs1: 9, rs2: 9 }),
    encode('add', { rd: 19, rs1: 19, rs2: 5 }),
    encode('andi', { rd: 6, rs1: 9, imm: 0x3f }),
    encode('slli', { rd: 6, rs1: 6, imm: 2 }),
    encode('add', { rd: 6, rs1: 6, rs2: 18 }),
    encode('lw', { rd: 7, rs1: 6, imm: 0 }),
    encode('xor', { rd: 7, rs1: 7, rs2: 19 }),
    encode('sw', { rs1: 6, rs2: 7, imm: 0 }),
    encode('divu', { rd: 28, rs1: 19, rs2: 9 }),
    encode('fence'),
    encode('addi', { rd: 9, rs1: 9, imm: -1 }),
  );
  c.push(encode('bne', { rs1: 9, rs2: 0, imm: (loop - c.length) * 4 }));
  c.push(encode('andi', { rd: A0, rs1: 19, imm: 0x7f }), ...li(A7, BigInt(SYS.exit), xlen), encode('ecall'));
  const sub = c.length;
  c.push(
    encode('sb', { rs1: 18, rs2: 9, imm: 1024 }),
    encode('lbu', { rd: 29, rs1: 18, imm: 1024 }),
    encode('add', { rd: 19, rs1: 19, rs2: 29 }),
    encode('jalr', { rd: 0, rs1: RA, imm: 0 }),
  );
  c[call] = encode('jal', { rd: RA, imm: (sub - call) * 4 });
  return c;
}

const INPUT = new TextEncoder().encode('the quick brown fox jumps over the lazy dog');

function opts(xlen: Xlen, code: number[], extra: Partial<MachineOptions> = {}): MachineOptions {
  return {
    xlen,
    memoryBits: 20,
    segments: [
      { vaddr: CODE, data: words(code), memsz: code.length * 4, flags: RX },
      { vaddr: DATA, data: new Uint8Array(0), memsz: 0x1000, flags: RW },
    ],
    entry: CODE,
    input: INPUT,
    ...extra,
  };
}

interface Step {
  pc: bigint;
  cls: InstrClass;
}

/**
 * The oracle trace: single-step a machine (run(1n), the pre-existing semantics) and record the
 * pc and class (decoded independently from the code words) of each completed instruction.
 */
function trace(xlen: Xlen, code: number[]): { steps: Step[]; final: Machine } {
  const m = new Machine(opts(xlen, code));
  const steps: Step[] = [];
  for (;;) {
    const pc = m.pc;
    const before = m.instret;
    m.run(1n);
    if (m.instret === before) break;
    const d = decode(code[Number(pc - BigInt(CODE)) / 4], xlen)!;
    steps.push({ pc, cls: instrClass(d.op) });
    if (m.status !== 'running') break;
  }
  return { steps, final: m };
}

/** Prefix costs: cost[k] = cost of the first k instructions. */
function prefixCosts(steps: Step[], t: CostTable): bigint[] {
  const out = [0n];
  for (const s of steps) out.push(out[out.length - 1] + t[s.cls]);
  return out;
}

/** Expected segments from the trace. */
function expectedSegments(steps: Step[], n: number, t: CostTable | undefined): Segment[] {
  const out: Segment[] = [];
  for (let k = 0; k < steps.length; k += n) {
    const chunk = steps.slice(k, k + n);
    const cc = zeroCounts();
    let cost = 0n;
    for (const s of chunk) {
      cc[s.cls]++;
      cost += t?.[s.cls] ?? 0n;
    }
    out.push({ start: BigInt(k), length: BigInt(chunk.length), classCounts: cc, cost });
  }
  return out;
}

/** Everything observable about a machine. */
function full(m: Machine): unknown {
  return { ...machineResult(m), ops: m.opCountsByName, brk: m.programBreak };
}

const TABLES: CostTable[] = [
  DEFAULT_COST_TABLE,
  table({ alu: 1n, muldiv: 7n, load: 2n, store: 5n, branch: 3n, jump: 11n, system: 13n }),
  table({ load: 1n, store: 1n }), // only memory costs; everything else is free
];

describe.each(XLENS)('rv%i cost', (xlen) => {
  const code = kitchenSink(xlen, 20);
  const { steps, final } = trace(xlen, code);

  it('the oracle trace exits and covers every class', () => {
    expect(final.status).toBe('exited');
    expect(BigInt(steps.length)).toBe(final.instret);
    for (const c of INSTR_CLASSES) expect(steps.some((s) => s.cls === c), c).toBe(true);
    const cc = zeroCounts();
    for (const s of steps) cc[s.cls]++;
    expect(final.classCounts).toEqual(cc);
  });

  it('cost is the sum of the class weights of completed instructions', () => {
    const none = new Machine(opts(xlen, code));
    expect(none.run()).toBe('exited');
    expect(none.cost).toBe(0n);
    for (const t of TABLES) {
      const m = new Machine(opts(xlen, code, { costTable: t }));
      expect(m.cost).toBe(0n);
      expect(m.run()).toBe('exited');
      const pc = prefixCosts(steps, t);
      expect(m.cost).toBe(pc[pc.length - 1]);
      expect(m.cost).toBe(INSTR_CLASSES.reduce((a, c) => a + m.classCounts[c] * t[c], 0n));
      // The table does not change anything else.
      expect({ ...full(m) as object, cost: 0n }).toEqual({ ...full(none) as object, cost: 0n });
    }
  });

  it('a trapping instruction costs nothing; the exiting ecall does', () => {
    const t = table({ alu: 1n, load: 100n, system: 1000n });
    const m = new Machine(opts(xlen, [encode('addi', { rd: 5, rs1: 0, imm: -1 }), encode('lw', { rd: 6, rs1: 5, imm: 0 })], { costTable: t }));
    expect(m.run()).toBe('trapped');
    expect(m.trap?.cause).toBe('load_fault');
    expect(m.cost).toBe(1n);
    const e = new Machine(opts(xlen, [...li(A7, 93n, xlen), encode('ecall')], { costTable: t }));
    expect(e.run()).toBe('exited');
    expect(e.cost).toBe(BigInt(li(A7, 93n, xlen).length) + 1000n);
  });

  it('out of gas stops exactly before the instruction that would exceed the ceiling', () => {
    const t = TABLES[1];
    const pcost = prefixCosts(steps, t);
    const total = pcost[pcost.length - 1];
    const rnd = rng(xlen);
    const ceilings = new Set<bigint>();
    for (let c = 0n; c < 200n; c++) ceilings.add(c);
    for (let k = 0; k < 60; k++) ceilings.add(BigInt(rnd(Number(total) + 20)));
    for (const p of pcost.slice(0, 100)) for (const d of [-1n, 0n, 1n]) if (p + d >= 0n) ceilings.add(p + d);
    for (const maxCost of ceilings) {
      // Expected: the largest k with pcost[k] <= maxCost (weights here are all > 0).
      let k = 0;
      while (k < steps.length && pcost[k + 1] <= maxCost) k++;
      const m = new Machine(opts(xlen, code, { costTable: t }));
      const st = m.run({ maxCost });
      if (k === steps.length) {
        expect(st, `maxCost ${maxCost}`).toBe('exited');
        continue;
      }
      expect(st, `maxCost ${maxCost}`).toBe('out_of_gas');
      expect(m.instret).toBe(BigInt(k));
      expect(m.cost).toBe(pcost[k]);
      expect(m.cost + t[steps[k].cls]).toBeGreaterThan(maxCost);
      expect(m.pc).toBe(steps[k].pc);
      expect(m.trap).toBeUndefined();
      // State is that of a machine that ran exactly k instructions.
      const ref = new Machine(opts(xlen, code, { costTable: t }));
      ref.run(BigInt(k));
      expect({ ...full(m) as object, status: 'running' }).toEqual(full(ref));
      // Running again with the same ceiling changes nothing.
      expect(m.run({ maxCost })).toBe('out_of_gas');
      expect(m.instret).toBe(BigInt(k));
    }
  });

  it('resuming with raised ceilings gives the same result as one unlimited run', () => {
    for (const t of TABLES) {
      const whole = new Machine(opts(xlen, code, { costTable: t }));
      whole.run();
      const ref = full(whole);
      for (const step of [1n, 2n, 5n, 37n, 1000n]) {
        const m = new Machine(opts(xlen, code, { costTable: t }));
        let ceiling = 0n;
        let stops = 0;
        while (m.run({ maxCost: ceiling }) === 'out_of_gas') {
          expect(m.cost).toBeLessThanOrEqual(ceiling);
          ceiling += step;
          stops++;
        }
        expect(m.status).toBe('exited');
        expect(stops).toBeGreaterThan(0);
        expect(full(m)).toEqual(ref);
      }
      // A ceiling of exactly the total cost runs to the end; one less runs out of gas.
      const exact = new Machine(opts(xlen, code, { costTable: t }));
      expect(exact.run({ maxCost: whole.cost })).toBe('exited');
      const less = new Machine(opts(xlen, code, { costTable: t }));
      expect(less.run({ maxCost: whole.cost - 1n })).toBe('out_of_gas');
      const lastPaid = steps.filter((s) => t[s.cls] > 0n).pop()!;
      expect(less.pc).toBe(lastPaid.pc); // the exiting ecall, unless system is free
      // An unlimited run after out-of-gas finishes too.
      expect(less.run()).toBe('exited');
      expect(full(less)).toEqual(ref);
    }
  });

  it('maxCost 0 stops before the first instruction of non-zero weight', () => {
    const m = new Machine(opts(xlen, code, { costTable: DEFAULT_COST_TABLE }));
    expect(m.run({ maxCost: 0n })).toBe('out_of_gas');
    expect(m.instret).toBe(0n);
    expect(m.pc).toBe(BigInt(CODE));
    expect(m.cost).toBe(0n);
    // Memory-only weights: the leading ALU instructions are free and run.
    const t = TABLES[2];
    const firstMem = steps.findIndex((s) => t[s.cls] > 0n);
    expect(firstMem).toBeGreaterThan(0);
    const z = new Machine(opts(xlen, code, { costTable: t }));
    expect(z.run({ maxCost: 0n })).toBe('out_of_gas');
    expect(z.instret).toBe(BigInt(firstMem));
    expect(z.pc).toBe(steps[firstMem].pc);
    // A ceiling below the cost already reached (lowered) still lets free instructions run.
    expect(z.run({ maxCost: 1n })).toBe('out_of_gas');
    const n1 = z.instret;
    expect(z.cost).toBe(1n);
    expect(z.run({ maxCost: 0n })).toBe('out_of_gas');
    expect(z.instret).toBeGreaterThanOrEqual(n1);
    expect(z.cost).toBe(1n);
  });

  it('zero-weight classes never run out of gas', () => {
    const whole = new Machine(opts(xlen, code));
    whole.run();
    for (const t of [zeroCounts(), undefined]) {
      const m = new Machine(opts(xlen, code, { costTable: t }));
      expect(m.run({ maxCost: 0n })).toBe('exited');
      expect(m.cost).toBe(0n);
      expect(full(m)).toEqual(full(whole));
    }
  });

  it('both limits: whichever comes first; a tie is the instruction limit', () => {
    const t = TABLES[1];
    const pcost = prefixCosts(steps, t);
    for (const k of [0, 1, 5, 17, 40]) {
      // Ceiling stops before instruction k (exactly pcost[k]: the next one costs > 0).
      const maxCost = pcost[k];
      const a = new Machine(opts(xlen, code, { costTable: t }));
      expect(a.run({ maxCost, maxInstructions: BigInt(k + 1) })).toBe('out_of_gas');
      expect(a.instret).toBe(BigInt(k));
      const b = new Machine(opts(xlen, code, { costTable: t }));
      expect(b.run({ maxCost, maxInstructions: BigInt(k) })).toBe('running');
      expect(b.instret).toBe(BigInt(k));
      const c = new Machine(opts(xlen, code, { costTable: t }));
      expect(c.run({ maxCost: maxCost + 1000n, maxInstructions: BigInt(k) })).toBe('running');
      expect(c.instret).toBe(BigInt(k));
      // maxInstructions is per call, maxCost absolute.
      expect(b.run({ maxCost, maxInstructions: 3n })).toBe('out_of_gas');
      expect(b.instret).toBe(BigInt(k));
      expect(b.run({ maxInstructions: 1n })).toBe('running');
      expect(b.instret).toBe(BigInt(k + 1));
    }
  });

  it('weights and ceilings beyond 2^53 are exact', () => {
    const big = (1n << 53n) + 1n;
    const t = table({ alu: big, muldiv: big * 3n, load: big, store: big, branch: 2n, jump: big, system: (1n << 64n) - 1n });
    const pcost = prefixCosts(steps, t);
    for (const k of [0, 1, 2, 7, 30, 31, 90]) {
      for (const d of [0n, 1n, -1n]) {
        const maxCost = pcost[k] + d;
        if (maxCost < 0n) continue;
        let e = 0;
        while (e < steps.length && pcost[e + 1] <= maxCost) e++;
        const m = new Machine(opts(xlen, code, { costTable: t }));
        expect(m.run({ maxCost })).toBe('out_of_gas');
        expect(m.instret).toBe(BigInt(e));
        expect(m.cost).toBe(pcost[e]);
      }
    }
    // A huge ceiling with small weights: no false stop when the budget is clamped.
    const m = new Machine(opts(xlen, code, { costTable: TABLES[1] }));
    expect(m.run({ maxCost: 1n << 70n })).toBe('exited');
    const u = new Machine(opts(xlen, code, { costTable: t }));
    expect(u.run({ maxCost: 1n << 80n })).toBe('exited');
    expect(u.cost).toBe(pcost[pcost.length - 1]);
  });

  it('the gas check precedes traps of the instruction; illegal words and fetch faults trap', () => {
    const t = table({ alu: 1n, load: 5n, store: 5n, jump: 2n, system: 3n });
    const bad = [encode('addi', { rd: 5, rs1: 0, imm: -4 })];
    // A faulting load, a faulting store, an ebreak.
    for (const [insn, cls, cause] of [
      [encode('lw', { rd: 6, rs1: 5, imm: 0 }), 'load', 'load_fault'],
      [encode('sw', { rs1: 5, rs2: 0, imm: 0 }), 'store', 'store_fault'],
      [EBREAK, 'system', 'breakpoint'],
    ] as const) {
      const m = new Machine(opts(xlen, [...bad, insn], { costTable: t }));
      expect(m.run({ maxCost: 1n + t[cls] - 1n })).toBe('out_of_gas');
      expect(m.pc).toBe(BigInt(CODE + 4));
      expect(m.instret).toBe(1n);
      expect(m.run({ maxCost: 1n + t[cls] })).toBe('trapped');
      expect(m.trap?.cause).toBe(cause);
      expect(m.cost).toBe(1n);
    }
    // An undecodable word has no class: it traps even with no gas left.
    const ill = new Machine(opts(xlen, [0xffffffff], { costTable: t }));
    expect(ill.run({ maxCost: 0n })).toBe('trapped');
    expect(ill.trap?.cause).toBe('illegal_instruction');
    // A jump that completes to an unfetchable address: the fetch fault comes first.
    const j = new Machine(opts(xlen, [encode('jal', { rd: 0, imm: 0x100 })], { costTable: t }));
    expect(j.run({ maxCost: 2n })).toBe('trapped');
    expect(j.trap?.cause).toBe('fetch_fault');
    expect(j.instret).toBe(1n);
    expect(j.cost).toBe(2n);
    // A misaligned jump target traps only if the jump has gas.
    const mj = new Machine(opts(xlen, [encode('jal', { rd: 0, imm: 2 })], { costTable: t }));
    expect(mj.run({ maxCost: 1n })).toBe('out_of_gas');
    expect(mj.run({ maxCost: 2n })).toBe('trapped');
    expect(mj.trap?.cause).toBe('misaligned_fetch');
  });

  it('validates limits and options', () => {
    const m = new Machine(opts(xlen, code, { costTable: DEFAULT_COST_TABLE }));
    expect(() => m.run({ maxCost: -1n })).toThrow(RangeError);
    expect(() => m.run({ maxInstructions: -1n })).toThrow(RangeError);
    expect(() => new Machine(opts(xlen, code, { segmentSize: 0n }))).toThrow(RangeError);
    expect(() => new Machine(opts(xlen, code, { costTable: { ...DEFAULT_COST_TABLE, alu: -1n } }))).toThrow(RangeError);
    expect(() => new Machine(opts(xlen, code, { costTable: { ...DEFAULT_COST_TABLE, fp: 1n } as CostTable }))).toThrow(/unknown class/);
  });
});

// -------------------------------------------------------------------------------- segments

describe.each(XLENS)('rv%i segments', (xlen) => {
  const code = kitchenSink(xlen, 25);
  const { steps } = trace(xlen, code);
  const t = TABLES[1];

  it.each([1, 3, 7, 1000])('segmentSize %i matches the trace', (n) => {
    const m = new Machine(opts(xlen, code, { costTable: t, segmentSize: BigInt(n) }));
    expect(m.segments).toEqual([]);
    expect(m.run()).toBe('exited');
    const segs = m.segments;
    expect(segs).toEqual(expectedSegments(steps, n, t));
    expect(segs.reduce((a, s) => a + s.length, 0n)).toBe(m.instret);
    segs.slice(0, -1).forEach((s) => expect(s.length).toBe(BigInt(n)));
    for (const c of INSTR_CLASSES) expect(segs.reduce((a, s) => a + s.classCounts[c], 0n)).toBe(m.classCounts[c]);
    expect(segs.reduce((a, s) => a + s.cost, 0n)).toBe(m.cost);
    // Segments do not change the result.
    const plain = new Machine(opts(xlen, code, { costTable: t }));
    plain.run();
    expect({ ...full(m) as object, segments: [] }).toEqual(full(plain));
  });

  it('a run ending exactly at a boundary has no empty trailing segment', () => {
    const total = steps.length;
    for (const n of [total, 1, total / 2].filter((x) => Number.isInteger(x))) {
      const m = new Machine(opts(xlen, code, { segmentSize: BigInt(n) }));
      m.run();
      const segs = m.segments;
      expect(segs.length).toBe(total / n);
      expect(segs.every((s) => s.length === BigInt(n))).toBe(true);
    }
    // Stopping by a limit exactly at a boundary, too; the partial segment appears once it has length.
    const m = new Machine(opts(xlen, code, { segmentSize: 10n }));
    m.run(20n);
    expect(m.segments.map((s) => s.length)).toEqual([10n, 10n]);
    m.run(1n);
    expect(m.segments.map((s) => s.length)).toEqual([10n, 10n, 1n]);
    const big = new Machine(opts(xlen, code, { segmentSize: 1n << 60n }));
    big.run();
    expect(big.segments).toEqual([{ ...expectedSegments(steps, steps.length, undefined)[0] }]);
  });

  it('without segmentSize there are no segments', () => {
    const m = new Machine(opts(xlen, code));
    m.run();
    expect(m.segments).toEqual([]);
  });

  it('segments are identical across many suspended runs', () => {
    for (const n of [1, 3, 7, 1000]) {
      const whole = new Machine(opts(xlen, code, { costTable: t, segmentSize: BigInt(n) }));
      whole.run();
      const ref = full(whole);
      for (const seed of [1, 2, 3]) {
        const rnd = rng(seed * 100 + n);
        const m = new Machine(opts(xlen, code, { costTable: t, segmentSize: BigInt(n) }));
        let calls = 0;
        let ceiling = 0n;
        while (m.status === 'running' || m.status === 'out_of_gas') {
          // Mix instruction-limit cuts (including 0) with cost-limit stops.
          if (rnd(4) === 0) {
            ceiling = m.cost + BigInt(rnd(40));
            m.run({ maxCost: ceiling, maxInstructions: BigInt(rnd(60)) });
          } else m.run(BigInt(rnd(n === 1 ? 5 : Math.min(3 * n, 60))));
          calls++;
        }
        expect(calls).toBeGreaterThan(5);
        expect(full(m)).toEqual(ref);
      }
    }
  });
});

// -------------------------------------------------------------------------------- snapshots

describe.each(XLENS)('rv%i snapshot/restore', (xlen) => {
  const code = kitchenSink(xlen, 15);
  const t = TABLES[0];
  const o = opts(xlen, code, { costTable: t, segmentSize: 7n });

  it('restoring mid-run and continuing gives the same final state', () => {
    const whole = new Machine(o);
    whole.run();
    const ref = full(whole);
    const total = Number(whole.instret);
    for (const cut of [0, 1, 6, 7, 8, 50, Math.floor(total / 2), total - 1]) {
      const m = new Machine(o);
      m.run(BigInt(cut));
      const snap = m.snapshot();
      expect(snap.instret).toBe(BigInt(cut));
      const r = Machine.restore(o, snap);
      expect(full(r)).toEqual(full(m));
      expect(r.snapshot()).toEqual(snap);
      expect(r.run()).toBe('exited');
      expect(full(r)).toEqual(ref);
      // The original is unaffected by the copy and also continues.
      m.run();
      expect(full(m)).toEqual(ref);
    }
  });

  it('an out-of-gas machine restores and continues; snapshots are independent copies', () => {
    const whole = new Machine(o);
    whole.run();
    const m = new Machine(o);
    expect(m.run({ maxCost: whole.cost / 3n })).toBe('out_of_gas');
    const snap = m.snapshot();
    expect(snap.status).toBe('out_of_gas');
    expect(snap.stdout.length).toBeGreaterThan(0);
    expect(snap.inputPos).toBeGreaterThan(0n);
    expect(snap.clockCalls).toBeGreaterThan(0n);
    expect(snap.memory.length).toBeGreaterThan(0);
    const r = Machine.restore(o, snap);
    expect(r.status).toBe('out_of_gas');
    expect(r.run({ maxCost: whole.cost / 3n })).toBe('out_of_gas');
    expect(r.instret).toBe(snap.instret);
    m.run();
    expect(Machine.restore(o, snap).snapshot()).toEqual(snap); // snap not changed by m running
    expect(r.run()).toBe('exited');
    expect(full(r)).toEqual(full(whole));
  });

  it('a chain of snapshots at random cuts gives the same final state', () => {
    const whole = new Machine(o);
    whole.run();
    const rnd = rng(7 + xlen);
    let m = new Machine(o);
    let hops = 0;
    while (m.run(BigInt(rnd(50))) === 'running') {
      m = Machine.restore(o, m.snapshot());
      hops++;
    }
    expect(hops).toBeGreaterThan(3);
    expect(full(m)).toEqual(full(whole));
  });

  it('a snapshot without per-op counts keeps class counts, cost and segments', () => {
    const whole = new Machine(o);
    whole.run();
    const m = new Machine(o);
    m.run(40n);
    const { opCounts: _, ...snap } = m.snapshot();
    const r = Machine.restore(o, snap);
    r.run();
    const { ops: _o, ...a } = full(r) as Record<string, unknown>;
    const { ops: _p, ...b } = full(whole) as Record<string, unknown>;
    expect(a).toEqual(b);
  });

  it('finished machines restore as finished', () => {
    for (const program of [code, [encode('addi', { rd: 5, rs1: 0, imm: 3 }), EBREAK]]) {
      const oo = opts(xlen, program, { costTable: t, segmentSize: 7n });
      const m = new Machine(oo);
      m.run();
      const r = Machine.restore(oo, m.snapshot());
      expect(full(r)).toEqual(full(m));
      expect(r.run()).toBe(m.status);
    }
  });

  it('rejects snapshots that do not fit the machine', () => {
    const m = new Machine(o);
    m.run(30n);
    const snap = m.snapshot();
    const bad = (s: Partial<InterpSnapshot>, oo: MachineOptions = o): void => {
      expect(() => Machine.restore(oo, { ...snap, ...s })).toThrow(/snapshot: /);
    };
    bad({}, { ...o, costTable: TABLES[1] });
    bad({}, { ...o, costTable: undefined });
    bad({}, { ...o, segmentSize: 8n });
    bad({}, { ...o, memoryBits: 21 });
    bad({}, { ...o, input: new Uint8Array(0) });
    bad({ cost: snap.cost + 1n });
    bad({ instret: snap.instret + 1n });
    bad({ segments: snap.segments.slice(1) });
    bad({ registers: snap.registers.slice(1) });
    bad({ status: 'trapped' });
    if (xlen === 32) bad({ registers: [...snap.registers.slice(0, 31), 1n << 32n] });
    expect(() => Machine.restore(o, snap)).not.toThrow();
  });
});

// -------------------------------------------------------------------------------- interpret()

describe('interpret with modes', () => {
  it('passes cost, segments and limits through', () => {
    for (const xlen of XLENS) {
      const code = kitchenSink(xlen, 5);
      const elf: ElfFile = {
        name: 'sink',
        elfClass: xlen,
        entry: CODE,
        segments: [
          { vaddr: CODE, filesz: code.length * 4, memsz: code.length * 4, flags: RX, data: words(code) },
          { vaddr: DATA, filesz: 0, memsz: 0x1000, flags: RW, data: new Uint8Array(0) },
        ],
        symbols: [],
        flags: 0,
      };
      const r = interpret(elf, { memoryBits: 20, input: INPUT, costTable: DEFAULT_COST_TABLE, segmentSize: 10n });
      expect(r.status).toBe('exited');
      expect(r.cost).toBeGreaterThan(r.instret);
      expect(r.segments.reduce((a, s) => a + s.length, 0n)).toBe(r.instret);
      const g = interpret(elf, { memoryBits: 20, input: INPUT, costTable: DEFAULT_COST_TABLE, maxCost: r.cost - 1n });
      expect(g.status).toBe('out_of_gas');
      expect(g.segments).toEqual([]);
      const plain = interpret(elf, { memoryBits: 20, input: INPUT });
      expect(plain.cost).toBe(0n);
      expect(plain.segments).toEqual([]);
      const opt = Machine.optionsFromElf(elf, { memoryBits: 20, input: INPUT, costTable: DEFAULT_COST_TABLE });
      const m = new Machine(opt);
      m.run(10n);
      const rr = Machine.restore(opt, m.snapshot());
      rr.run();
      expect(rr.cost).toBe(r.cost);
    }
  });
});

// -------------------------------------------------------------------------------- cost tables

describe('cost tables', () => {
  const good = '{"alu": 1, "muldiv": 4, "load": 3, "store": 3, "branch": 2, "jump": 2, "system": 10}';

  it('parses tables and serialises them canonically', () => {
    expect(parseCostTable(good, 'c.json')).toEqual(DEFAULT_COST_TABLE);
    const canon = '{"alu":1,"branch":2,"jump":2,"load":3,"muldiv":4,"store":3,"system":10}';
    expect(costTableJson(DEFAULT_COST_TABLE)).toBe(canon);
    // Key order and whitespace in the input do not matter.
    const shuffled = '{ "system":10,"store":3,\n"muldiv":4,"load":3,"jump":2,"branch":2,"alu":1 }';
    expect(costTableJson(parseCostTable(shuffled, 'x'))).toBe(canon);
    const big = parseCostTable(
      '{"alu": "18446744073709551615", "muldiv": 0, "load": "0", "store": 9007199254740991, "branch": "9007199254740992", "jump": 2, "system": 10}',
      'big.json',
    );
    expect(big.alu).toBe((1n << 64n) - 1n);
    expect(big.branch).toBe(1n << 53n);
    const j = costTableJson(big);
    expect(j).toBe('{"alu":"18446744073709551615","branch":"9007199254740992","jump":2,"load":0,"muldiv":0,"store":9007199254740991,"system":10}');
    expect(parseCostTable(j, 'j')).toEqual(big);
  });

  it('reports problems as one-line errors naming the file', () => {
    const cases: [string, RegExp][] = [
      ['{', /invalid JSON/],
      ['[1,2]', /must be a JSON object/],
      ['null', /must be a JSON object/],
      ['3', /must be a JSON object/],
      ['{"alu": 1}', /missing weight for muldiv, load, store, branch, jump, system/],
      [good.replace('}', ', "fp": 1}'), /unknown instruction class "fp"/],
      [good.replace('"alu": 1', '"alu": -1'), /"alu".*non-negative/],
      [good.replace('"alu": 1', '"alu": 1.5'), /"alu".*non-negative safe integer/],
      [good.replace('"alu": 1', '"alu": 9007199254740992'), /"alu".*safe integer/],
      [good.replace('"alu": 1', '"alu": "12a"'), /"alu".*decimal digits/],
      [good.replace('"alu": 1', '"alu": "-1"'), /"alu".*decimal digits/],
      [good.replace('"alu": 1', '"alu": "01"'), /"alu".*decimal digits/],
      [good.replace('"alu": 1', '"alu": "18446744073709551616"'), /"alu".*exceeds/],
      [good.replace('"alu": 1', '"alu": null'), /"alu".*non-negative integer/],
      [good.replace('"alu": 1', '"alu": true'), /"alu".*non-negative integer/],
    ];
    for (const [text, re] of cases) {
      let err: unknown;
      try {
        parseCostTable(text, 'costs/t.json');
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg, text).toMatch(/^costs\/t\.json: /);
      expect(msg, text).toMatch(re);
      expect(msg, text).not.toContain('\n');
    }
  });
});
