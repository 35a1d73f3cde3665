/**
 * Randomised differential tests: thousands of generated instruction sequences (straight-line,
 * with forward branches, and with counted loops) must leave identical registers and memory in
 * the recompiled code and the reference interpreter.
 *
 * Each program strings many sequences together. A sequence loads all registers from a table,
 * runs its random body, and dumps every register to its own slot; at the end the program exits.
 * Memory operands use x3 as a base that bodies never write, so accesses land in a scratch window.
 *
 * The same programs built in metered_cost mode give the interpreter's instruction count,
 * per-class counts and cost, and stop exactly where it does when a run is cut into pieces by
 * random instruction and cost limits (cuts fall inside blocks and inside unrolled loops).
 */
import { describe, expect, it } from 'vitest';
import type { ElfFile } from '../src/elf/types.js';
import { PF_R, PF_W, PF_X } from '../src/elf/types.js';
import { Machine, type SegmentInit } from '../src/interp/index.js';
import { DEFAULT_COST_TABLE } from '../src/isa/cost.js';
import type { Op, Xlen } from '../src/isa/types.js';
import { Program, type RunResult } from '../src/runtime/index.js';
import { encode, li, words } from './vectors/encode.js';
import { recompiled } from './support/recompile.js';
import { rng } from './support/rng.js';

const CODE = 0x10000;
const DATA = 0x200000; // register tables and dumps
const SCRATCH = 0x300000; // x3 points at the middle of a 4 KiB window
const MEMORY_BITS = 22;
const SPILL = 0x7f8; // x0-relative slot used while dumping

const R_OPS: Op[] = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const R_OPS64: Op[] = ['addw', 'subw', 'sllw', 'srlw', 'sraw', 'mulw', 'divw', 'divuw', 'remw', 'remuw'];
const I_OPS: Op[] = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'];
const SHIFT_OPS: Op[] = ['slli', 'srli', 'srai'];
const SHIFT_OPS64: Op[] = ['slliw', 'srliw', 'sraiw'];
const LOADS32: Op[] = ['lb', 'lh', 'lw', 'lbu', 'lhu'];
const STORES32: Op[] = ['sb', 'sh', 'sw'];
const BRANCHES: Op[] = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];

interface Style {
  branches: boolean;
  loops: boolean;
}

/** Registers a body may write: everything but x0, x3 (memory base) and x4 (loop counter). */
const WRITABLE = Array.from({ length: 32 }, (_, i) => i).filter((r) => r !== 0 && r !== 3 && r !== 4);

function interesting(next: () => number, xlen: Xlen): bigint {
  const pick = next();
  const bits = BigInt(xlen);
  const max = (1n << bits) - 1n;
  if (pick < 0.15) return [0n, 1n, max, 1n << (bits - 1n), (1n << (bits - 1n)) - 1n, 0x80000000n, 0x7fffffffn, 0xffffffffn][Math.floor(next() * 8)] & max;
  if (pick < 0.3) return BigInt(Math.floor(next() * 64)) - 32n & max;
  let v = 0n;
  for (let k = 0n; k < bits; k += 16n) v |= BigInt(Math.floor(next() * 65536)) << k;
  return v & max;
}

function body(next: () => number, xlen: Xlen, style: Style, length: number): number[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const reg = (): number => Math.floor(next() * 32);
  const code: number[] = [];
  const simple = (): number => {
    const p = next();
    const rd = pick(WRITABLE);
    if (p < 0.35) return encode(pick(xlen === 64 && next() < 0.3 ? R_OPS64 : R_OPS), { rd, rs1: reg(), rs2: reg() }, xlen);
    if (p < 0.55) return encode(pick(I_OPS), { rd, rs1: reg(), imm: Math.floor(next() * 4096) - 2048 }, xlen);
    if (p < 0.65) {
      if (xlen === 64 && next() < 0.4) return encode(pick(SHIFT_OPS64), { rd, rs1: reg(), imm: Math.floor(next() * 32) }, xlen);
      if (xlen === 64 && next() < 0.3) return encode('addiw', { rd, rs1: reg(), imm: Math.floor(next() * 4096) - 2048 }, xlen);
      return encode(pick(SHIFT_OPS), { rd, rs1: reg(), imm: Math.floor(next() * xlen) }, xlen);
    }
    if (p < 0.7) return encode(next() < 0.5 ? 'lui' : 'auipc', { rd, imm: (Math.floor(next() * 0x100000) << 12) | 0 }, xlen);
    const imm = Math.floor(next() * 2048) - 1024;
    if (p < 0.85) return encode(pick(xlen === 64 ? [...LOADS32, 'lwu', 'ld'] : LOADS32), { rd, rs1: 3, imm }, xlen);
    return encode(pick(xlen === 64 ? [...STORES32, 'sd'] : STORES32), { rs1: 3, rs2: reg(), imm }, xlen);
  };
  const loopStart = style.loops ? code.length : -1;
  if (style.loops) code.push(encode('addi', { rd: 4, rs1: 0, imm: 1 + Math.floor(next() * 6) }));
  const start = code.length;
  while (code.length - start < length) {
    if (style.branches && next() < 0.15) {
      // Forward branch over 1..4 instructions.
      const skip = 1 + Math.floor(next() * 4);
      code.push(encode(pick(BRANCHES), { rs1: reg(), rs2: reg(), imm: 4 * (skip + 1) }, xlen));
      for (let k = 0; k < skip; k++) code.push(simple());
    } else {
      code.push(simple());
    }
  }
  if (style.loops) {
    code.push(encode('addi', { rd: 4, rs1: 4, imm: -1 }));
    const here = code.length;
    code.push(encode('bne', { rs1: 4, rs2: 0, imm: 4 * (loopStart + 1 - here) }));
  }
  return code;
}

interface Generated {
  elf: ElfFile;
  dumpBase: number;
  dumpSize: number;
}

/** A program of `count` sequences; register tables in DATA, dumps after them. */
function generate(xlen: Xlen, seed: number, count: number, style: Style): Generated {
  const next = rng(seed);
  const w = xlen / 8;
  const load: Op = xlen === 64 ? 'ld' : 'lw';
  const store: Op = xlen === 64 ? 'sd' : 'sw';
  const tableBytes = 32 * w;
  const dumpBase = DATA + count * tableBytes;
  const data = new Uint8Array(count * tableBytes);
  const view = new DataView(data.buffer);
  const code: number[] = [];
  for (let s = 0; s < count; s++) {
    const table = DATA + s * tableBytes;
    for (let r = 1; r < 32; r++) {
      const v = r === 3 ? BigInt(SCRATCH + 2048) : interesting(next, xlen);
      if (xlen === 64) view.setBigUint64(s * tableBytes + r * 8, v, true);
      else view.setUint32(s * tableBytes + r * 4, Number(v), true);
    }
    // Load all registers from the table (x31 last, it holds the table address).
    code.push(...li(31, BigInt(table), xlen));
    for (let r = 1; r < 31; r++) code.push(encode(load, { rd: r, rs1: 31, imm: r * w }, xlen));
    code.push(encode(load, { rd: 31, rs1: 31, imm: 31 * w }, xlen));
    code.push(...body(next, xlen, style, 12 + Math.floor(next() * 20)));
    // Dump all registers: spill x31, point it at this sequence's dump slot.
    code.push(encode(store, { rs1: 0, rs2: 31, imm: SPILL }, xlen));
    code.push(...li(31, BigInt(dumpBase + s * tableBytes), xlen));
    for (let r = 1; r < 31; r++) code.push(encode(store, { rs1: 31, rs2: r, imm: r * w }, xlen));
    code.push(encode(load, { rd: 1, rs1: 0, imm: SPILL }, xlen));
    code.push(encode(store, { rs1: 31, rs2: 1, imm: 31 * w }, xlen));
  }
  code.push(encode('addi', { rd: 10, rs1: 0, imm: 0 }), encode('addi', { rd: 17, rs1: 0, imm: 93 }), encode('ecall'));
  const text = words(code);
  const elf: ElfFile = {
    name: `random-rv${xlen}-${seed}`,
    elfClass: xlen,
    entry: CODE,
    flags: 0,
    segments: [
      { vaddr: CODE, filesz: text.length, memsz: text.length, flags: PF_R | PF_X, data: text },
      { vaddr: DATA, filesz: data.length, memsz: data.length * 2, flags: PF_R | PF_W, data },
    ],
    symbols: [],
  };
  return { elf, dumpBase, dumpSize: count * tableBytes };
}

const PROGRAMS: { xlen: Xlen; style: Style; seed: number }[] = [];
for (const xlen of [32, 64] as Xlen[]) {
  PROGRAMS.push({ xlen, style: { branches: false, loops: false }, seed: 1000 + xlen });
  PROGRAMS.push({ xlen, style: { branches: true, loops: false }, seed: 2000 + xlen });
  PROGRAMS.push({ xlen, style: { branches: true, loops: true }, seed: 3000 + xlen });
  PROGRAMS.push({ xlen, style: { branches: true, loops: true }, seed: 4000 + xlen });
}
const SEQUENCES_PER_PROGRAM = 250;

describe('randomised instruction sequences: recompiled = interpreter', () => {
  it.each(PROGRAMS.map((p) => [`rv${p.xlen} ${p.style.loops ? 'loops' : p.style.branches ? 'branches' : 'straight-line'} seed ${p.seed}`, p] as const))(
    '%s',
    async (_name, p) => {
      const g = generate(p.xlen, p.seed, SEQUENCES_PER_PROGRAM, p.style);
      const segments: SegmentInit[] = g.elf.segments.map((s) => ({ vaddr: s.vaddr, data: s.data, memsz: s.memsz, flags: s.flags }));
      const interp = new Machine({ xlen: p.xlen, memoryBits: MEMORY_BITS, segments, entry: g.elf.entry });
      interp.run(50_000_000n);
      expect(interp.trap).toBeUndefined();
      expect(interp.status).toBe('exited');

      const program = await Program.load(await recompiled(g.elf, { memoryBits: MEMORY_BITS, optLevel: 'O1' }));
      const m = program.createMachine();
      const r = await m.run();
      expect(r.trap?.message).toBeUndefined();
      expect(r.status).toBe('exited');
      expect(r.registers).toEqual(interp.registers);

      // Every sequence's register dump, then the scratch window, byte for byte.
      const window = (read: (a: number, n: number) => Uint8Array) => ({
        dumps: Buffer.from(read(g.dumpBase, g.dumpSize)).toString('hex'),
        scratch: Buffer.from(read(SCRATCH, 4096)).toString('hex'),
      });
      const want = window((a, n) => interp.memory.read(a, n));
      const got = window((a, n) => m.readMemory(BigInt(a), n));
      m.dispose();
      if (got.dumps !== want.dumps) {
        const bytes = p.xlen / 8;
        for (let s = 0; s < SEQUENCES_PER_PROGRAM; s++) {
          const span = 64 * bytes;
          const a = got.dumps.slice(s * span, (s + 1) * span);
          const b = want.dumps.slice(s * span, (s + 1) * span);
          expect(a, `sequence ${s} (seed ${p.seed}) register dump`).toBe(b);
        }
      }
      expect(got.scratch).toBe(want.scratch);
    },
    600_000,
  );
});

describe('randomised programs: counts and limits = interpreter (metered_cost)', () => {
  const costTable = DEFAULT_COST_TABLE;
  const show = (m: Record<string, bigint>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)]));
  it.each(PROGRAMS.filter((p) => p.style.branches).map((p) => [`rv${p.xlen} ${p.style.loops ? 'loops' : 'branches'} seed ${p.seed}`, p] as const))(
    '%s',
    async (_name, p) => {
      const g = generate(p.xlen, p.seed, 60, p.style);
      const segments: SegmentInit[] = g.elf.segments.map((s) => ({ vaddr: s.vaddr, data: s.data, memsz: s.memsz, flags: s.flags }));
      const fresh = (): Machine => new Machine({ xlen: p.xlen, memoryBits: MEMORY_BITS, segments, entry: g.elf.entry, costTable });
      const whole = fresh();
      whole.run(50_000_000n);
      expect(whole.status).toBe('exited');
      const program = await Program.load(await recompiled(g.elf, { memoryBits: MEMORY_BITS, optLevel: 'O1', mode: 'metered_cost', costTable }));
      const one = await program.run();
      expect(one.instructions).toBe(whole.instret);
      expect(show(one.classCounts!)).toEqual(show(whole.classCounts));
      expect(one.cost).toBe(whole.cost);

      const next = rng(p.seed);
      const interp = fresh();
      const m = program.createMachine();
      let last: RunResult | undefined;
      for (let piece = 0; piece < 40; piece++) {
        const limits =
          next() < 0.7
            ? { maxInstructions: BigInt(Math.floor((next() * Number(whole.instret)) / 20)) }
            : { maxCost: BigInt(Math.floor(next() * Number(whole.cost))) };
        interp.run(limits);
        const r = (last = await m.run(limits));
        expect([r.pc, r.instructions, r.cost], `piece ${piece} ${JSON.stringify(limits, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`).toEqual([interp.pc, interp.instret, interp.cost]);
        expect(r.registers).toEqual(interp.registers);
        if (r.status === 'exited') break;
      }
      const end = last?.status === 'exited' ? last : await m.run();
      interp.run(50_000_000n);
      expect(end.status).toBe('exited');
      expect([end.instructions, end.cost]).toEqual([interp.instret, interp.cost]);
      expect(show(end.classCounts!)).toEqual(show(interp.classCounts));
      m.dispose();
    },
    600_000,
  );
});
