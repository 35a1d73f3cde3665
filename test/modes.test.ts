/**
 * Execution modes on recompiled code, checked against the reference interpreter:
 * - metered_cost libraries (which count classes too) give the interpreter's instruction count,
 *   per-class counts and cost on every differential guest;
 * - a run split into k pieces by instruction and cost limits at random cut points (inside
 *   blocks, right before ecalls) stops at exactly the interpreter's pc and counts every time,
 *   and ends with the same exit code, outputs, registers and counts as one run;
 * - limits of 0 and beyond the end.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../src/elf/parse.js';
import type { ElfFile } from '../src/elf/types.js';
import { interpret, Machine as Interp } from '../src/interp/index.js';
import { DEFAULT_COST_TABLE } from '../src/isa/cost.js';
import { decode } from '../src/isa/decode.js';
import { Program, type RunResult } from '../src/runtime/index.js';
import { GUEST_ISAS, guestElf, guestExpectation, listGuests, type GuestIsa } from './support/guests.js';
import { recompiled } from './support/recompile.js';
import { rng } from './support/rng.js';

const guests = await listGuests();
const costTable = DEFAULT_COST_TABLE;

async function load(name: string, isa: GuestIsa): Promise<{ elf: ElfFile; input: Buffer }> {
  const path = await guestElf(name, isa);
  const expected = await guestExpectation(name);
  return { elf: parseElf(await readFile(path), path), input: Buffer.from(expected.input ?? '') };
}

const show = (m: Record<string, bigint>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));

describe.each(GUEST_ISAS)('%s metered_cost counts = interpreter', (isa) => {
  it.each(guests)('%s', async (name) => {
    const { elf, input } = await load(name, isa);
    const want = interpret(elf, { input, costTable });
    const program = await Program.load(await recompiled(elf, { mode: 'metered_cost', costTable }));
    expect(program.mode).toBe('metered_cost');
    const got = await program.run({ input });
    expect(got.status).toBe(want.status);
    expect(got.exitCode).toBe(want.exitCode);
    expect(got.instructions).toBe(want.instret);
    expect(show(got.classCounts!)).toEqual(show(want.classCounts));
    expect(got.cost).toBe(want.cost);
  }, 600_000);
});

/** instret values at which the next instruction is an ecall (found by single-stepping). */
function ecallPoints(elf: ElfFile, input: Buffer): bigint[] {
  const m = Interp.fromElf(elf, { input });
  const points: bigint[] = [];
  while (m.status === 'running') {
    const word = Number(m.memory.load(Number(m.pc), 4));
    if (decode(word, elf.elfClass)?.op === 'ecall') points.push(m.instret);
    m.run(1n);
  }
  return points;
}

const SPLIT_GUESTS = ['hello', 'syscalls', 'func_ptrs', 'jump_table', 'recursion'];

describe.each(GUEST_ISAS)('%s runs split by limits', (isa) => {
  it.each(SPLIT_GUESTS)('%s', async (name) => {
    const { elf, input } = await load(name, isa);
    const whole = interpret(elf, { input, costTable });
    const program = await Program.load(await recompiled(elf, { mode: 'metered_cost', costTable }));
    const ecalls = ecallPoints(elf, input);
    expect(ecalls.length).toBeGreaterThan(0);
    const next = rng(name.length * 7919 + (isa === 'rv32im' ? 1 : 2));

    for (let trial = 0; trial < 4; trial++) {
      const k = [2, 7, 31, 100][trial];
      // Cut points: instruction counts (some right before an ecall) and cost ceilings.
      const cuts: ({ at: bigint } | { cost: bigint })[] = [];
      for (let c = 0; c < k - 1; c++) {
        const p = next();
        if (p < 0.3) cuts.push({ at: ecalls[Math.floor(next() * ecalls.length)] });
        else if (p < 0.7) cuts.push({ at: BigInt(Math.floor(next() * Number(whole.instret))) });
        else cuts.push({ cost: BigInt(Math.floor(next() * Number(whole.cost))) });
      }
      const oracle = Interp.fromElf(elf, { input, costTable });
      const machine = program.createMachine({ input });
      const outputs = { stdout: [] as Buffer[], stderr: [] as Buffer[], publicOutput: [] as Buffer[] };
      const collect = (r: RunResult): void => {
        outputs.stdout.push(r.stdout);
        outputs.stderr.push(r.stderr);
        outputs.publicOutput.push(r.publicOutput);
      };
      for (const cut of cuts) {
        let limits: { maxInstructions?: bigint; maxCost?: bigint };
        if ('at' in cut) limits = { maxInstructions: cut.at > oracle.instret ? cut.at - oracle.instret : 0n };
        else limits = { maxCost: cut.cost };
        oracle.run(limits);
        const r = await machine.run(limits);
        collect(r);
        const where = `${name} trial ${trial} cut ${JSON.stringify(cut, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`;
        expect({ status: r.status, pc: r.pc, instret: r.instructions, cost: r.cost }, where).toEqual({
          status: oracle.status,
          pc: oracle.pc,
          instret: oracle.instret,
          cost: oracle.cost,
        });
        if (r.status === 'exited') break;
      }
      if (oracle.status !== 'exited') {
        oracle.run();
        const r = await machine.run();
        collect(r);
      }
      const joined = (bs: Buffer[]): string => Buffer.concat(bs).toString('latin1');
      expect(oracle.status).toBe('exited');
      const final = await machine.run().catch((e: Error) => e.message);
      expect(final).toMatch(/already exited/);
      expect({
        exitCode: oracle.exitCode,
        stdout: joined(outputs.stdout),
        stderr: joined(outputs.stderr),
        publicOutput: joined(outputs.publicOutput),
      }).toEqual({
        exitCode: whole.exitCode,
        stdout: Buffer.from(whole.stdout).toString('latin1'),
        stderr: Buffer.from(whole.stderr).toString('latin1'),
        publicOutput: Buffer.from(whole.publicOutput).toString('latin1'),
      });
      expect(machine.registers).toEqual(whole.registers);
      machine.dispose();
    }
  }, 600_000);

  it('limits of 0 and beyond the end', async () => {
    const { elf, input } = await load('hello', isa);
    const whole = interpret(elf, { input, costTable });
    const program = await Program.load(await recompiled(elf, { mode: 'metered_cost', costTable }));
    const m = program.createMachine({ input });
    const zero = await m.run({ maxInstructions: 0n });
    expect(zero.status).toBe('running');
    expect(zero.instructions).toBe(0n);
    expect(zero.pc).toBe(BigInt(elf.entry));
    const broke = await m.run({ maxCost: 0n });
    expect(broke.status).toBe('out_of_gas');
    expect(broke.pc).toBe(BigInt(elf.entry));
    expect(broke.cost).toBe(0n);
    const beyond = await m.run({ maxInstructions: whole.instret * 10n, maxCost: whole.cost * 10n });
    expect(beyond.status).toBe('exited');
    expect(beyond.exitCode).toBe(whole.exitCode);
    expect(beyond.instructions).toBe(whole.instret);
    expect(beyond.cost).toBe(whole.cost);
  });
});

describe('pure libraries', () => {
  it('stop after exactly N instructions and continue to the same end', async () => {
    const { elf, input } = await load('sort', 'rv64im');
    const whole = interpret(elf, { input });
    const program = await Program.load(await recompiled(elf));
    const m = program.createMachine({ input });
    let r: RunResult;
    let pieces = 0;
    do {
      r = await m.run({ maxInstructions: 100_003n });
      pieces++;
      if (r.status === 'running') expect(r.instructions).toBe(BigInt(pieces) * 100_003n);
    } while (r.status === 'running');
    expect(r.status).toBe('exited');
    expect(r.instructions).toBe(whole.instret);
    expect(r.registers).toEqual(whole.registers);
    await expect(m.run()).rejects.toThrow(/already exited/);
    const fresh = program.createMachine({ input });
    await expect(fresh.run({ maxCost: 1n })).rejects.toThrow(/maxCost needs a library built in metered_cost mode/);
  });
});

describe.each(GUEST_ISAS)('%s segments', (isa) => {
  it.each(['hello', 'syscalls'])('%s: every segment equals the interpreter, also across suspended runs', async (name) => {
    const { elf, input } = await load(name, isa);
    const program = await Program.load(await recompiled(elf, { mode: 'metered_cost', costTable }));
    const view = (segs: { start: bigint; length: bigint; classCounts?: Record<string, bigint>; cost?: bigint }[]) =>
      segs.map((s) => ({ start: String(s.start), length: String(s.length), classes: show(s.classCounts ?? {}), cost: String(s.cost) }));
    for (const segmentSize of [1n, 3n, 7n, 1000n]) {
      const oracle = interpret(elf, { input, costTable, segmentSize });
      const whole = await program.run({ input, segmentSize });
      expect(whole.status).toBe('exited');
      expect(view(whole.segments!)).toEqual(view(oracle.segments));
      const total = whole.segments!.reduce((n, s) => n + s.length, 0n);
      expect(total).toBe(oracle.instret);

      // The same with the run cut into pieces at odd instruction counts.
      const m = program.createMachine({ input, segmentSize });
      let r: RunResult;
      do r = await m.run({ maxInstructions: 337n });
      while (r.status === 'running');
      expect(view(r.segments!)).toEqual(view(oracle.segments));
      m.dispose();
    }
  }, 600_000);
});
