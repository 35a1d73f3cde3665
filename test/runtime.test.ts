/**
 * Runtime (addon + src/runtime) tests against hand-written guest libraries in
 * test/fixtures/abi/, which implement native/include/rvr/abi.h directly in C (no codegen).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addonPath, loadAddon, Program, type Machine } from '../src/runtime/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = path.join(root, 'test', 'fixtures', 'abi');
let work: string;

/** Compiles test/fixtures/abi/<name>.c into <work>/<out>.so with extra -D flags. */
function build(name: string, out: string, defines: string[] = []): string {
  const so = path.join(work, `${out}.so`);
  execFileSync(
    'cc',
    ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-I', path.join(root, 'native', 'include'),
      ...defines.map((d) => `-D${d}`), '-o', so, path.join(fixtures, `${name}.c`)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return so;
}

const lib: Record<string, string> = {};

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'rvr-runtime-test-'));
  lib.syscalls = build('syscalls', 'syscalls');
  lib.syscalls32 = build('syscalls', 'syscalls32', ['XLEN=32']);
  lib.trap = build('trap', 'trap');
  lib.recurse = build('recurse', 'recurse');
  lib.spin = build('spin', 'spin');
  lib.nosym = build('nosym', 'nosym');
  lib.desc = build('desc', 'desc');
  lib.desc32 = build('desc', 'desc32', ['XLEN=32', 'MEM_BITS=32']);
  lib.badVersion = build('desc', 'bad-version', ['ABI=999']);
  lib.noDesc = build('desc', 'no-desc', ['NO_DESC']);
  lib.memBitsHigh = build('desc', 'mem-bits-high', ['MEM_BITS=39']);
  lib.memBitsHigh32 = build('desc', 'mem-bits-high32', ['XLEN=32', 'MEM_BITS=33']);
  lib.memBitsLow = build('desc', 'mem-bits-low', ['MEM_BITS=15']);
  lib.badXlen = build('desc', 'bad-xlen', ['XLEN=48']);
  lib.segOutside = build('desc', 'seg-outside', ['SEG_VADDR=0xff80']);
  lib.entryOutside = build('desc', 'entry-outside', ['ENTRY=0x10000']);
  lib.badMode = build('desc', 'bad-mode', ['MODE=7']);
  lib.badMetadata = build('desc', 'bad-metadata', ['METADATA="not json"']);
  lib.counters = build('desc', 'counters', ['COUNTER_WORDS=1500']);
  lib.tooManyCounters = build('desc', 'too-many-counters', ['COUNTER_WORDS=16777217']);
  lib.notALibrary = path.join(work, 'not-a-library.so');
  writeFileSync(lib.notALibrary, 'this is not an ELF file\n');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const u64 = (buf: Uint8Array, i: number): bigint => Buffer.from(buf).readBigUInt64LE(8 * i);

/** Two's complement of a (possibly negative) value in xlen bits. */
const reg = (v: number | bigint, xlen: 32 | 64): bigint => BigInt.asUintN(xlen, BigInt(v));

/** The system call results syscalls.c records, for an input of `inputLength` bytes. */
function expectedSyscallResults(xlen: 32 | 64, inputLength: number): bigint[] {
  const initialBrk = 0x20000;
  const reads: number[] = [];
  for (let left = inputLength; ; ) {
    const n = Math.min(4, left);
    reads.push(n);
    if (n === 0) break;
    left -= n;
  }
  return [
    6, 4, 3, -9, -14, -9, // writes
    ...reads, inputLength, // read loop and echo
    -9, -14, // read errors
    initialBrk, initialBrk + 0x1000, initialBrk + 0x1000, initialBrk + 0x1000, initialBrk + 0x1000, // brk
    0, 0, -22, -14, -38, // clock_gettime
    -38, // unknown
  ].map((v) => reg(v, xlen));
}

describe('addon', () => {
  it('is found next to the package root and reports its ABI version', () => {
    expect(addonPath).toBe(path.join(root, 'build', 'Release', 'rvr_addon.node'));
    const addon = loadAddon();
    expect(addon.abiVersion).toBe(3);
    expect(addon.guestStackSize).toBe(256 * 1024 * 1024);
  });
});

describe('Program.load', () => {
  it('reads the descriptor and metadata', async () => {
    const p = await Program.load(lib.syscalls);
    expect(p.path).toBe(lib.syscalls);
    expect(p.xlen).toBe(64);
    expect(p.memoryBits).toBe(20);
    expect(p.mode).toBe('metered');
    expect(p.entry).toBe(0x10000n);
    expect(p.initialSp).toBe((1n << 20n) - 256n);
    expect(p.initialBrk).toBe(0x20000n);
    expect(p.metadata).toEqual({ fixture: 'syscalls', xlen: 64 });
    expect(p.segments).toEqual([{ vaddr: 0x1000n, filesz: 36n, memsz: 0x1000n, flags: 4 }]);
    const d = await Program.load(lib.desc);
    expect(d.mode).toBe('metered_cost');
    expect(d.metadata).toEqual({ fixture: 'desc', nested: { a: [1, 2] } });
  });

  it('resolves relative paths against the working directory', async () => {
    const rel = path.relative(process.cwd(), lib.desc);
    const p = await Program.load(rel);
    expect(p.path).toBe(lib.desc);
  });

  const failures: [string, () => string, RegExp][] = [
    ['a missing file', () => path.join(work, 'missing.so'), /No such file or directory/],
    ['a file that is not a library', () => lib.notALibrary, /invalid ELF header|file too short|not an ELF/i],
    ['a library without rvr symbols', () => lib.nosym, /: not an rvr guest library \(no rvr_abi_version symbol\)$/],
    ['a library of another ABI version', () => lib.badVersion, /: guest library ABI version 999, this runtime supports 3$/],
    ['a library without a descriptor', () => lib.noDesc, /: not an rvr guest library \(no rvr_program_desc symbol\)$/],
    ['mem_bits above 38 on RV64', () => lib.memBitsHigh, /: invalid guest library: mem_bits 39 is outside 16\.\.38 for RV64$/],
    ['mem_bits above 32 on RV32', () => lib.memBitsHigh32, /: invalid guest library: mem_bits 33 is outside 16\.\.32 for RV32$/],
    ['mem_bits below 16', () => lib.memBitsLow, /: invalid guest library: mem_bits 15 is outside/],
    ['an xlen other than 32/64', () => lib.badXlen, /: invalid guest library: xlen 48 is not 32 or 64$/],
    ['a segment outside the arena', () => lib.segOutside, /: invalid guest library: segment 0 \(0xff80\+0x100\) is outside the arena$/],
    ['an entry point outside the arena', () => lib.entryOutside, /: invalid guest library: entry 0x10000 is outside the arena$/],
    ['an unknown mode', () => lib.badMode, /: invalid guest library: unknown execution mode 7$/],
    ['metadata that is not JSON', () => lib.badMetadata, /: guest library metadata is not valid JSON/],
    ['more block counters than 2^24', () => lib.tooManyCounters, /: invalid guest library: counter_words 16777217 is too large$/],
  ];
  for (const [what, file, message] of failures) {
    it(`rejects ${what} with a one-line error naming the file`, async () => {
      const f = file();
      const err = await Program.load(f).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).toContain(f);
      expect(msg).not.toContain('\n');
      expect(msg).toMatch(message);
    });
  }
});

describe('system calls', () => {
  for (const xlen of [64, 32] as const) {
    it(`follow the guest ABI on RV${xlen}`, async () => {
      const p = await Program.load(xlen === 64 ? lib.syscalls : lib.syscalls32);
      expect(p.xlen).toBe(xlen);
      const input = 'abcdefghij';
      const m = p.createMachine({ input });
      const r = await m.run();
      expect(r.status).toBe('exited');
      expect(r.exitCode).toBe(3);
      expect(r.trap).toBeUndefined();
      expect(r.stdout.toString()).toBe(`hello\n${input}`);
      expect(r.stderr.toString()).toBe('err\n');
      expect(r.publicOutput.toString()).toBe('pub');
      const expected = expectedSyscallResults(xlen, input.length);
      expect(r.registers[19]).toBe(BigInt(expected.length));
      const recorded = m.readMemory(0x3000, 8 * expected.length);
      expect(Array.from({ length: expected.length }, (_, i) => u64(recorded, i))).toEqual(expected);
      // One instruction counted per ecall, including exit.
      expect(r.instructions).toBe(BigInt(expected.length + 1));
      expect(r.pc).toBe(0x10000n + 4n * BigInt(expected.length + 1));
      expect(r.registers[0]).toBe(0n);
      expect(r.registers[2]).toBe((1n << 20n) - 256n);
      expect(r.registers[17]).toBe(93n);
      // The virtual clock: k-th successful call reads k microseconds; failed calls store nothing.
      const ts = m.readMemory(0x5000n, 64);
      expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => u64(ts, i))).toEqual([0n, 1000n, 0n, 2000n, 0n, 0n, 0n, 0n]);
      m.dispose();
    });
  }

  it('read returns 0 at once for empty input and passes binary input through', async () => {
    const p = await Program.load(lib.syscalls);
    const empty = await p.run();
    expect(empty.stdout.toString()).toBe('hello\n');
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    const bin = await p.run({ input: bytes });
    expect(bin.exitCode).toBe(3);
    expect(Buffer.compare(bin.stdout, Buffer.concat([Buffer.from('hello\n'), bytes]))).toBe(0);
  });

  it('buffers large outputs', async () => {
    const p = await Program.load(lib.spin);
    const m = p.createMachine();
    const regs = m.registers;
    regs[10] = 0n; // no spinning
    regs[11] = 0x5an; // fill byte
    regs[12] = 2560n; // 2560 blocks of 4 KiB = 10 MiB
    regs[13] = 0n;
    m.registers = regs;
    const r = await m.run();
    expect(r.status).toBe('exited');
    expect(r.stdout.length).toBe(10 * 1024 * 1024);
    expect(r.stdout.every((b) => b === 0x5a)).toBe(true);
    m.dispose();
  });
});

describe('traps', () => {
  it('come back as results with a one-line message', async () => {
    const p = await Program.load(lib.trap);
    expect(p.mode).toBe('pure');
    const m = p.createMachine();
    const r = await m.run();
    expect(r.status).toBe('trapped');
    expect(r.exitCode).toBeUndefined();
    expect(r.instructions).toBe(0n); // every mode reports the count; this hand-written fixture retires none
    expect(r.trap).toEqual({
      cause: 'illegal_instruction',
      pc: 0x10024n,
      value: 0n,
      message: 'illegal instruction 0x00000000 at pc 0x10024',
    });
    expect(r.pc).toBe(0x10024n);
    expect(r.stdout.toString()).toBe('about to trap\n');
    expect(r.registers[7]).toBe(0x77n);
    await expect(m.run()).rejects.toThrow(`${lib.trap}: machine has already stopped`);
  });

  it('use the registers and pc a test sets up', async () => {
    const p = await Program.load(lib.trap);
    const m = p.createMachine();
    expect(m.pc).toBe(0x10024n);
    const regs = m.registers;
    expect(regs[2]).toBe((1n << 17n) - 256n);
    regs[0] = 5n; // ignored: x0 is zero
    regs[5] = 3n; // load fault
    regs[6] = -1n; // stored as 2^64 - 1
    m.registers = regs;
    m.pc = 0x10100n;
    expect(m.registers[0]).toBe(0n);
    expect(m.registers[6]).toBe(0xffff_ffff_ffff_ffffn);
    const r = await m.run();
    expect(r.trap?.cause).toBe('load_fault');
    expect(r.trap?.message).toBe('load fault: address 0xffffffffffffffff at pc 0x10100');

    const m2 = p.createMachine();
    const regs2 = m2.registers;
    regs2[5] = 6n;
    regs2[6] = 0x10003n;
    m2.registers = regs2;
    expect((await m2.run()).trap?.message).toBe('misaligned fetch: jump to 0x10003 at pc 0x10024');
  });

  it('are reported after a library run() that returns early while still running', async () => {
    const p = await Program.load(lib.trap);
    const m = p.createMachine();
    const regs = m.registers;
    regs[9] = 3n;
    m.registers = regs;
    const r = await m.run();
    expect(r.status).toBe('trapped');
    expect(r.registers[8]).toBe(3n);
    expect(r.stdout.toString()).toBe('about to trap\n');
  });

  it('with an unknown cause or status reject instead of crashing', async () => {
    const p = await Program.load(lib.trap);
    const unknownCause = p.createMachine();
    const regs = unknownCause.registers;
    regs[5] = 42n;
    unknownCause.registers = regs;
    await expect(unknownCause.run()).rejects.toThrow(`${lib.trap}: guest trapped with unknown cause 42`);
    const badStatus = p.createMachine();
    regs[5] = 100n;
    badStatus.registers = regs;
    await expect(badStatus.run()).rejects.toThrow(`${lib.trap}: guest library stopped with invalid status 7`);
  });

  it('reject register values that do not fit', async () => {
    const p = await Program.load(lib.trap);
    const m = p.createMachine();
    const regs = m.registers;
    regs[3] = 1n << 64n;
    expect(() => (m.registers = regs)).toThrow(RangeError);
    expect(() => (m.registers = regs.slice(0, 31))).toThrow(TypeError);
    expect(() => (m.pc = 1n << 64n)).toThrow(RangeError);
  });
});

describe('machines', () => {
  it('give the library its block counter words below guest address 0, zeroed, out of the guest\'s reach', async () => {
    const p = await Program.load(lib.counters);
    for (let k = 0; k < 2; k++) {
      // run() exits 3 if a counter word is not zero, then sets all 1500 of them (12 000 bytes,
      // more than two pages) to ones; none of that may show in guest memory.
      const m = p.createMachine();
      const r = await m.run();
      expect(r.status).toBe('exited');
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString()).toBe('segment data\n');
      expect(m.readMemory(0, 0x2000).every((b) => b === 0)).toBe(true);
      expect(() => m.readMemory(-8, 8)).toThrow(RangeError);
      m.dispose();
    }
  });

  it('read and write guest memory within the arena only', async () => {
    const p = await Program.load(lib.desc);
    const m = p.createMachine();
    expect(Buffer.from(m.readMemory(0x2000, 13)).toString()).toBe('segment data\n');
    expect(m.readMemory(0x200d, 0x100 - 0xd).every((b) => b === 0)).toBe(true);
    m.writeMemory(0x8000n, 'written');
    m.writeMemory(0xfff0, Uint8Array.of(1, 2, 3));
    expect(Buffer.from(m.readMemory(0x8000n, 7)).toString()).toBe('written');
    expect(Array.from(m.readMemory(0xfff0, 4))).toEqual([1, 2, 3, 0]);
    expect(m.readMemory(0x10000, 0).length).toBe(0);
    expect(() => m.readMemory(0xffff, 2)).toThrow(RangeError);
    expect(() => m.readMemory(0x10001, 0)).toThrow(/outside the guest arena/);
    expect(() => m.writeMemory(0xfffe, 'abc')).toThrow(RangeError);
    expect(() => m.readMemory(-1, 1)).toThrow(RangeError);
    // A program's machines do not share memory.
    expect(p.createMachine().readMemory(0x8000, 7).every((b) => b === 0)).toBe(true);
    m.dispose();
    expect(m.disposed).toBe(true);
    expect(() => m.readMemory(0x2000, 1)).toThrow(`${lib.desc}: machine has been disposed`);
    await expect(m.run()).rejects.toThrow('machine has been disposed');
    m[Symbol.dispose](); // idempotent
  });

  it('give RV32 guests a 4 GiB arena', async () => {
    const p = await Program.load(lib.desc32);
    expect(p.xlen).toBe(32);
    expect(p.memoryBits).toBe(32);
    const m = p.createMachine();
    m.writeMemory(0xffff_fffen, Uint8Array.of(7, 8));
    expect(Array.from(m.readMemory(0xffff_fffen, 2))).toEqual([7, 8]);
    expect(() => m.readMemory(0xffff_ffffn, 2)).toThrow(RangeError);
    const r = await m.run();
    expect(r.status).toBe('exited');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe('segment data\n');
    expect(r.instructions).toBe(0n);
    m.dispose();
  });

  it('run deep native recursion on the big guest stack', async () => {
    const p = await Program.load(lib.recurse);
    const r = await p.run();
    expect(r.status).toBe('exited');
    let sum = 1n;
    for (let n = 1; n <= 200_000; n++) sum += BigInt((n & 0xff) + ((n + 320) & 0xff));
    expect(r.registers[11]).toBe(sum);
  });

  it('of one program run concurrently with independent results', async () => {
    const p = await Program.load(lib.syscalls);
    const inputs = ['first machine', 'the second one', 'x'];
    const machines = inputs.map((input) => p.createMachine({ input }));
    const results = await Promise.all(machines.map((m) => m.run()));
    results.forEach((r, i) => {
      expect(r.exitCode).toBe(3);
      expect(r.stdout.toString()).toBe(`hello\n${inputs[i]}`);
    });

    const spin = await Program.load(lib.spin);
    const spinners = [1, 2].map((k) => {
      const m = spin.createMachine();
      const regs = m.registers;
      regs[10] = 100n;
      regs[11] = BigInt(0x40 + k);
      regs[12] = BigInt(k);
      regs[13] = BigInt(10 + k);
      m.registers = regs;
      return m;
    });
    const t0 = performance.now();
    const [a, b] = await Promise.all(spinners.map((m) => m.run()));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(a.exitCode).toBe(11);
    expect(b.exitCode).toBe(12);
    expect(a.stdout).toEqual(Buffer.alloc(4096, 0x41));
    expect(b.stdout).toEqual(Buffer.alloc(8192, 0x42));
    expect(a.instructions! > 0n && b.instructions! > 0n).toBe(true);
    for (const m of [...machines, ...spinners]) m.dispose();
  });

  it('keep the event loop free while a guest runs', async () => {
    const p = await Program.load(lib.spin);
    const m: Machine = p.createMachine();
    const regs = m.registers;
    regs[10] = 200n;
    m.registers = regs;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      const running = m.run();
      expect(m.running).toBe(true);
      await expect(m.run()).rejects.toThrow(`${lib.spin}: machine is already running`);
      expect(() => m.readMemory(0, 1)).toThrow('machine is running');
      const r = await running;
      expect(r.status).toBe('exited');
    } finally {
      clearInterval(timer);
    }
    expect(m.running).toBe(false);
    expect(ticks).toBeGreaterThanOrEqual(5);
    m.dispose();
  });

  it('may be disposed while running; the run still completes', async () => {
    const p = await Program.load(lib.spin);
    const m = p.createMachine();
    const regs = m.registers;
    regs[10] = 50n;
    regs[12] = 1n;
    m.registers = regs;
    const running = m.run();
    m.dispose();
    const r = await running;
    expect(r.status).toBe('exited');
    expect(r.stdout.length).toBe(4096);
  });

  it('reject running a machine that has exited', async () => {
    const p = await Program.load(lib.desc);
    const m = p.createMachine();
    await m.run();
    await expect(m.run()).rejects.toThrow(`${lib.desc}: machine has already exited (code 0)`);
  });
});
