/**
 * Suspend and resume through serialised snapshots:
 * - a run split into k pieces (random instruction and cost cuts), with every piece resumed
 *   from the previous one's snapshot bytes in a fresh machine, ends exactly like one run:
 *   exit code, all output, memory digest, registers, counts, cost and segments;
 * - the same across OS processes, through `rvr run --snapshot-out` / `--resume`;
 * - a snapshot is refused by a library with another fingerprint, with other input, and when
 *   corrupt or truncated, each with a one-line error naming the snapshot.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parseElf } from '../src/elf/parse.js';
import type { ElfFile } from '../src/elf/types.js';
import { DEFAULT_COST_TABLE } from '../src/isa/cost.js';
import { Program, SnapshotError, type Machine, type RunResult } from '../src/runtime/index.js';
import { GUEST_ISAS, guestElf, guestExpectation, REPO_ROOT, type GuestIsa } from './support/guests.js';
import { recompiled } from './support/recompile.js';
import { rng } from './support/rng.js';

const costTable = DEFAULT_COST_TABLE;
const GUESTS = ['base64', 'brk', 'clock', 'heap_malloc', 'bytecode_vm'];
const SEGMENT = 997n;
const CLI = path.join(REPO_ROOT, 'bin', 'rvr.js');

const work = await mkdtemp(path.join(tmpdir(), 'rvr-snapshot-test-'));
afterAll(() => rm(work, { recursive: true, force: true }));

async function load(name: string, isa: GuestIsa): Promise<{ elf: ElfFile; input: Buffer; lib: string }> {
  const file = await guestElf(name, isa);
  const expected = await guestExpectation(name);
  const elf = parseElf(await readFile(file), file);
  return { elf, input: Buffer.from(expected.input ?? ''), lib: await recompiled(elf, { mode: 'metered_cost', costTable }) };
}

/** What must be the same for a split run and one run. */
function outcome(r: RunResult, m: Machine): Record<string, unknown> {
  const out = m.output;
  return {
    status: r.status,
    exitCode: r.exitCode,
    stdout: out.stdout.toString('latin1'),
    stderr: out.stderr.toString('latin1'),
    publicOutput: out.publicOutput.toString('hex'),
    memory: m.memoryDigest(),
    registers: r.registers.map(String),
    instructions: String(r.instructions),
    classCounts: Object.fromEntries(Object.entries(r.classCounts!).map(([k, v]) => [k, String(v)])),
    cost: String(r.cost),
    segments: r.segments!.map((s) => [String(s.start), String(s.length), String(s.cost), ...Object.values(s.classCounts!).map(String)].join(' ')),
  };
}

describe.each(GUEST_ISAS)('%s split by snapshots in one process', (isa) => {
  it.each(GUESTS)('%s', async (name) => {
    const { input, lib } = await load(name, isa);
    const program = await Program.load(lib);
    const whole = program.createMachine({ input, segmentSize: SEGMENT });
    const wholeResult = await whole.run();
    expect(wholeResult.status).toBe('exited');
    const want = outcome(wholeResult, whole);
    whole.dispose();
    const total = Number(wholeResult.instructions);
    const next = rng(name.length * 31 + (isa === 'rv32im' ? 1 : 2));

    for (const k of [2, 13, 100]) {
      let machine = program.createMachine({ input, segmentSize: SEGMENT });
      let result: RunResult | undefined;
      let pieces = 0;
      let snapshots = 0;
      while (pieces < k - 1) {
        pieces++;
        // Cuts: instruction budgets (inside blocks, anywhere) and cost ceilings.
        const byCost = next() < 0.3;
        result = byCost
          ? await machine.run({ maxCost: BigInt(Math.floor(next() * Number(wholeResult.cost))) })
          : await machine.run({ maxInstructions: BigInt(Math.floor(next() * (2 * total) / k)) });
        if (result.status === 'exited') break;
        expect(['running', 'out_of_gas']).toContain(result.status);
        const bytes = machine.snapshot();
        machine.dispose();
        machine = program.resume(bytes, { input });
        snapshots++;
        if (byCost && result.status === 'out_of_gas') {
          // The ceiling stays where it was: resuming under it stops again at once.
          const again = await machine.run({ maxCost: result.cost! });
          expect(again.status).toBe('out_of_gas');
          expect(again.instructions).toBe(result.instructions);
        }
      }
      if (result?.status !== 'exited') result = await machine.run();
      expect(snapshots).toBeGreaterThan(0);
      expect(outcome(result, machine)).toEqual(want);
      machine.dispose();
    }
  }, 600_000);
});

async function cli(args: string[]): Promise<{ exitCode: number; json: any; stderr: string }> {
  const r = await execa('node', [CLI, 'run', ...args, '--json'], { reject: false, cwd: work });
  return { exitCode: r.exitCode ?? -1, json: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

describe.each(GUEST_ISAS)('%s resumed in another process', (isa) => {
  it.each(['base64', 'clock', 'heap_malloc'])('%s', async (name) => {
    const { input, lib } = await load(name, isa);
    const inputFile = path.join(work, `${name}-${isa}.in`);
    await writeFile(inputFile, input);
    const whole = await cli([lib, '--input', inputFile, '--segment-size', String(SEGMENT)]);
    expect(whole.exitCode).not.toBe(134);
    const total = Number(whole.json.instructions);
    // Three processes: two stop at a limit and leave a snapshot, the third finishes.
    const snap1 = path.join(work, `${name}-${isa}.1.snap`);
    const snap2 = path.join(work, `${name}-${isa}.2.snap`);
    const a = await cli([lib, '--input', inputFile, '--segment-size', String(SEGMENT), '--max-insns', String(Math.floor(total / 3)), '--snapshot-out', snap1]);
    expect(a.exitCode, a.stderr).toBe(134);
    const b = await cli([lib, '--input', inputFile, '--resume', snap1, '--max-insns', String(Math.floor(total / 3) + 17), '--snapshot-out', snap2]);
    expect(b.exitCode, b.stderr).toBe(134);
    const c = await cli([lib, '--input', inputFile, '--resume', snap2]);
    expect(c.exitCode).toBe(whole.exitCode);
    for (const key of ['status', 'exitCode', 'instructions', 'classCounts', 'cost', 'segments', 'memoryDigest']) {
      expect(c.json[key], key).toEqual(whole.json[key]);
    }
    for (const key of ['stdout', 'stderr']) expect(a.json[key] + b.json[key] + c.json[key], key).toBe(whole.json[key]);
    expect(a.json.publicOutput + b.json.publicOutput + c.json.publicOutput).toBe(whole.json.publicOutput);
  }, 600_000);
});

describe('snapshots that must be refused', () => {
  it('another library, other input, corrupt and truncated bytes, a finished machine', async () => {
    const { elf, input, lib } = await load('base64', 'rv64im');
    const program = await Program.load(lib);
    const m = program.createMachine({ input });
    expect((await m.run({ maxInstructions: 500n })).status).toBe('running');
    const bytes = m.snapshot();

    const other = await Program.load(await recompiled(elf, { mode: 'metered' }));
    expect(() => other.resume(bytes, { input, source: 'a.snap' })).toThrow(SnapshotError);
    expect(() => other.resume(bytes, { input, source: 'a.snap' })).toThrow(/^a\.snap: taken from a library with fingerprint .* not .*/);
    expect(() => program.resume(bytes, { input: Buffer.from('other input'), source: 'a.snap' })).toThrow(/^a\.snap: .*input/);
    const flipped = Uint8Array.from(bytes);
    flipped[Math.floor(flipped.length / 2)] ^= 0x40;
    expect(() => program.resume(flipped, { input, source: 'a.snap' })).toThrow(/^a\.snap: snapshot is corrupt or truncated/);
    expect(() => program.resume(bytes.subarray(0, bytes.length - 100), { input, source: 'a.snap' })).toThrow(/^a\.snap: snapshot is corrupt or truncated/);
    expect(() => program.resume(Buffer.from('hello'), { input, source: 'a.snap' })).toThrow(/^a\.snap: not an rvr snapshot/);

    // The original machine is untouched by all that and finishes normally.
    const rest = await m.run();
    expect(rest.status).toBe('exited');
    expect(() => m.snapshot()).toThrow(/exited or trapped/);
    m.dispose();

    // The CLI says it in one line.
    const snap = path.join(work, 'refused.snap');
    await writeFile(snap, flipped);
    const inputFile = path.join(work, 'refused.in');
    await writeFile(inputFile, input);
    const r = await execa('node', [CLI, 'run', lib, '--input', inputFile, '--resume', snap], { reject: false, cwd: work });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`rvr: ${snap}: snapshot is corrupt or truncated (checksum mismatch)`]);
  }, 600_000);
});
