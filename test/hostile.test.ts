/**
 * Hostile inputs never hang, crash or mislead the host (issue 14): each finding of the outside
 * fuzzing run, reproduced. Cases that hung or crashed the host before their fix run in a child
 * process (built dist/) with a deadline, so a regression fails the test instead of the suite.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { ElfFile } from '../src/elf/types.js';
import { PF_R, PF_W, PF_X } from '../src/elf/types.js';
import type { Xlen } from '../src/isa/types.js';
import { Program } from '../src/runtime/index.js';
import { decodeSnapshot, encodeSnapshot } from '../src/runtime/snapshot.js';
import { REPO_ROOT } from './support/guests.js';
import { recompiled } from './support/recompile.js';
import { encode, li, words } from './vectors/encode.js';

const work = await mkdtemp(path.join(tmpdir(), 'rvr-hostile-test-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const DIST = path.join(REPO_ROOT, 'dist', 'index.js');
const CLI = path.join(REPO_ROOT, 'bin', 'rvr.js');

/**
 * Runs `body` (the inside of an async function with `rvr`, the built package, in scope) in a
 * fresh Node.js process; its return value comes back through JSON. Killed after `deadlineMs`.
 */
async function isolated(body: string, deadlineMs = 15_000): Promise<{ value?: unknown; error?: string; hung: boolean }> {
  const script = path.join(work, `iso-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(
    script,
    `import * as rvr from ${JSON.stringify(DIST)};
const out = {};
try { out.value = await (async () => { ${body} })(); } catch (e) { out.error = String(e?.message ?? e); }
process.stdout.write(JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? v.toString() : v)));
process.exit(0);
`,
  );
  const r = await execa('node', [script], { reject: false, timeout: deadlineMs, killSignal: 'SIGKILL' });
  if (r.timedOut || r.signal) return { hung: true };
  return { ...(JSON.parse(r.stdout) as { value?: unknown; error?: string }), hung: false };
}

const CODE = 0x10000;
const DATA = 0x20000;
const BITS = 20;
const A0 = 10;
const A1 = 11;
const A2 = 12;
const A7 = 17;
const T0 = 5;

/** A synthetic guest: `code` at CODE, 4 KiB of data at DATA. */
function elf(xlen: Xlen, code: number[], name: string): ElfFile {
  const text = words(code);
  const data = new Uint8Array(4096);
  return {
    name,
    elfClass: xlen,
    entry: CODE,
    flags: 0,
    segments: [
      { vaddr: CODE, filesz: text.length, memsz: text.length, flags: PF_R | PF_X, data: text },
      { vaddr: DATA, filesz: data.length, memsz: data.length, flags: PF_R | PF_W, data },
    ],
    symbols: [{ name: 'main', value: CODE, size: text.length, type: 'func', global: true }],
  };
}

const exitWith = (code: number, x: Xlen): number[] => [...li(A0, BigInt(code), x), ...li(A7, 93n, x), encode('ecall')];

/** Counts t0 up 100000 times, then exits 7. */
const countingLoop = (x: Xlen): number[] => [
  ...li(T0, 100000n, x),
  encode('addi', { rd: T0, rs1: T0, imm: -1 }, x),
  encode('bne', { rs1: T0, rs2: 0, imm: -4 }, x),
  ...exitWith(7, x),
];

/** `j .`: never ends. */
const endless = (x: Xlen): number[] => [encode('addi', { rd: A0, rs1: 0, imm: 1 }, x), encode('jal', { rd: 0, imm: 0 }, x)];

async function library(name: string, code: (x: Xlen) => number[], x: Xlen = 64, mode: 'pure' | 'metered' | 'metered_cost' = 'pure'): Promise<string> {
  return recompiled(elf(x, code(x), name), { mode, memoryBits: BITS });
}

/** Compiles test/fixtures/abi/<name>.c (a hand-written guest library) with -D flags. */
function fixture(name: string, out: string, defines: string[] = []): string {
  const so = path.join(work, `${out}.so`);
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-I', path.join(REPO_ROOT, 'native', 'include'), ...defines.map((d) => `-D${d}`), '-o', so, path.join(REPO_ROOT, 'test', 'fixtures', 'abi', `${name}.c`)]);
  return so;
}

describe('1. the pc can never reach the generated code sentinel', () => {
  it('the pc setter refuses odd values and values outside the arena, with a RangeError', async () => {
    const program = await Program.load(await library('loop', countingLoop));
    const m = program.createMachine();
    for (const bad of [1n, 1, CODE + 1, 1n << BigInt(BITS), (1n << 64n) - 1n]) {
      expect(() => (m.pc = bad)).toThrow(RangeError);
    }
    expect(() => (m.pc = 1n)).toThrow(/pc 0x1 is not 2-byte aligned/);
    expect(() => (m.pc = 1n << BigInt(BITS))).toThrow(/pc 0x100000 is outside the guest arena \(0x0\.\.0xfffff\)/);
    expect(m.pc).toBe(BigInt(CODE));
    // A 2-aligned pc in the arena is a place to continue; a jump there is the guest's fault.
    m.pc = BigInt(CODE + 2);
    const r = await m.run({ maxInstructions: 10 });
    expect(r.status).toBe('trapped');
    expect(r.trap?.cause).toBe('misaligned_fetch');
    m.dispose();
  });

  it('machine.pc = 1n and then run() does not hang the process', async () => {
    const lib = await library('loop', countingLoop);
    const r = await isolated(`
      const p = await rvr.Program.load(${JSON.stringify(lib)});
      const m = p.createMachine();
      try { m.pc = 1n; } catch (e) { return { refused: e instanceof RangeError, message: e.message }; }
      const res = await m.run({ maxInstructions: 1000 });
      return { refused: false, status: res.status };
    `);
    expect(r.hung).toBe(false);
    expect(r.value).toEqual({ refused: true, message: expect.stringMatching(/pc 0x1 is not 2-byte aligned/) });
  });

  it('a snapshot whose pc is 1 (trailer recomputed) is refused, not run', async () => {
    const lib = await library('loop', countingLoop);
    const program = await Program.load(lib);
    const m = program.createMachine();
    expect((await m.run({ maxInstructions: 50 })).status).toBe('running');
    const snap = decodeSnapshot(m.snapshot(), 'snap');
    m.dispose();
    const forged = Buffer.from(encodeSnapshot({ ...snap, state: { ...snap.state, pc: 1n } }));
    const file = path.join(work, 'pc1.snap');
    await writeFile(file, forged);
    const r = await isolated(`
      const p = await rvr.Program.load(${JSON.stringify(lib)});
      const { readFileSync } = await import('node:fs');
      try { p.resume(readFileSync(${JSON.stringify(file)}), { source: 'pc1.snap' }); }
      catch (e) { return { name: e.name, message: e.message }; }
      return 'resumed';
    `);
    expect(r.hung).toBe(false);
    expect(r.value).toEqual({ name: 'SnapshotError', message: expect.stringMatching(/^pc1\.snap: .*pc 0x1 is not 2-byte aligned/) });
  });

  it('a library whose run() returns with the machine still running is an error, not a spin', async () => {
    const lib = fixture('desc', 'stall', ['STALL']);
    const r = await isolated(`
      const p = await rvr.Program.load(${JSON.stringify(lib)});
      return await p.run();
    `);
    expect(r.hung).toBe(false);
    expect(r.error).toMatch(/stall\.so: guest library keeps returning without running anything \(pc 0x1000\)/);
  });
});
