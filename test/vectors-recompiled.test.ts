/**
 * The shared instruction corner cases (test/vectors), run on recompiled code. All vectors of
 * one XLEN and arena size go into one library: vector k sits at its own pc followed by an
 * ebreak, so each run enters at the vector and stops with a breakpoint right after it.
 * Twice over: once with every vector a region start (registers in C locals) and once with
 * none (entered mid-region, the dispatcher runs the block tails).
 */
import { describe, expect, it } from 'vitest';
import type { ElfFile } from '../src/elf/types.js';
import { PF_R, PF_X } from '../src/elf/types.js';
import type { Xlen } from '../src/isa/types.js';
import { Program } from '../src/runtime/index.js';
import { encode, words } from './vectors/encode.js';
import {
  ALU_VECTORS,
  DEFAULT_RD,
  DEFAULT_RS1,
  DEFAULT_RS2,
  CODE_BASE,
  CODE_END,
  FLOW_VECTORS,
  MEM_VECTORS,
  VECTOR_MEMORY_BITS,
  VECTOR_PC,
  type AluVector,
  type MemVector,
} from './vectors/instructions.js';
import { recompiled } from './support/recompile.js';

const BASE = 0x10000;
const EBREAK = encode('ebreak');
type Variant = 'region' | 'tail';

function vectorElf(xlen: Xlen, wordsAt: number[], variant: Variant): ElfFile {
  const code: number[] = [];
  for (const w of wordsAt) code.push(w, EBREAK);
  code.push(EBREAK);
  return {
    name: `vectors-rv${xlen}-${variant}`,
    elfClass: xlen,
    entry: BASE,
    flags: 0,
    segments: [{ vaddr: BASE, filesz: code.length * 4, memsz: code.length * 4, flags: PF_R | PF_X, data: words(code) }],
    symbols:
      variant === 'region'
        ? wordsAt.map((_, k) => ({ name: `v${k}`, value: BASE + 8 * k, size: 4, type: 'func' as const, global: true }))
        : [],
  };
}

const pcOf = (k: number): bigint => BigInt(BASE + 8 * k);

function group<T extends { xlen: Xlen; memoryBits?: number }>(vs: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const v of vs) {
    const key = `${v.xlen}/${v.memoryBits ?? VECTOR_MEMORY_BITS}`;
    m.set(key, [...(m.get(key) ?? []), v]);
  }
  return m;
}

const aluWord = (v: AluVector): number =>
  encode(v.op, { rd: v.rd ?? DEFAULT_RD, rs1: v.rs1 ?? DEFAULT_RS1, rs2: v.rs2 ?? DEFAULT_RS2, imm: v.imm }, v.xlen);

describe.each<Variant>(['region', 'tail'])('recompiled (%s entry)', (variant) => {
  for (const [key, vs] of group(ALU_VECTORS)) {
    it(`ALU vectors rv${key}`, async () => {
      const xlen = vs[0].xlen;
      const program = await Program.load(await recompiled(vectorElf(xlen, vs.map(aluWord), variant), { memoryBits: VECTOR_MEMORY_BITS }));
      const failures: string[] = [];
      for (const [k, v] of vs.entries()) {
        const m = program.createMachine();
        const regs = m.registers;
        regs[v.rs1 ?? DEFAULT_RS1] = v.rs1Value;
        regs[v.rs2 ?? DEFAULT_RS2] = v.rs2Value;
        regs[0] = 0n;
        m.registers = regs;
        m.pc = pcOf(k);
        const r = await m.run();
        m.dispose();
        // auipc's result depends on its own pc, which moved from VECTOR_PC to this slot.
        const expected = v.op === 'auipc' ? BigInt.asUintN(xlen, v.expected - BigInt(VECTOR_PC) + pcOf(k)) : v.expected;
        const got = r.registers[v.rd ?? DEFAULT_RD];
        if (r.trap?.cause !== 'breakpoint' || r.trap.pc !== pcOf(k) + 4n) failures.push(`${v.name}: stopped with ${r.trap?.message ?? r.status}`);
        else if (got !== expected) failures.push(`${v.name}: got 0x${got.toString(16)}, expected 0x${expected.toString(16)}`);
      }
      expect(failures).toEqual([]);
    });
  }

  for (const [key, vs] of group(MEM_VECTORS)) {
    it(`memory vectors rv${key}`, async () => {
      const xlen = vs[0].xlen;
      const memoryBits = vs[0].memoryBits ?? VECTOR_MEMORY_BITS;
      const word = (v: MemVector): number =>
        encode(v.op, { rd: v.rd ?? DEFAULT_RD, rs1: v.rs1 ?? DEFAULT_RS1, rs2: v.rs2 ?? DEFAULT_RS2, imm: v.imm }, v.xlen);
      const program = await Program.load(await recompiled(vectorElf(xlen, vs.map(word), variant), { memoryBits }));
      const failures: string[] = [];
      for (const [k, v] of vs.entries()) {
        const rd = v.rd ?? DEFAULT_RD;
        const rs1 = v.rs1 ?? DEFAULT_RS1;
        const rs2 = v.rs2 ?? DEFAULT_RS2;
        const m = program.createMachine();
        for (const i of v.init ?? []) m.writeMemory(BigInt(i.addr), Uint8Array.from(i.bytes));
        const isLoad = v.op.startsWith('l');
        const regs = m.registers;
        if (isLoad && rd !== rs1) regs[rd] = 0xdeadn;
        regs[rs1] = v.base;
        if (v.rs2Value !== undefined) regs[rs2] = v.rs2Value;
        regs[0] = 0n;
        m.registers = regs;
        const before = m.registers;
        m.pc = pcOf(k);
        const watched = v.expectedBytes;
        const bytesBefore = watched ? [...m.readMemory(BigInt(watched.addr), watched.bytes.length)] : [];
        const r = await m.run();
        if (v.fault !== undefined) {
          const cause = isLoad ? 'load_fault' : 'store_fault';
          if (r.trap?.cause !== cause || r.trap.pc !== pcOf(k) || r.trap.value !== v.fault) {
            failures.push(`${v.name}: expected ${cause} at 0x${v.fault.toString(16)}, got ${r.trap?.message ?? r.status}`);
          } else if (JSON.stringify(r.registers.map(String)) !== JSON.stringify(before.map(String))) {
            failures.push(`${v.name}: registers changed by a faulting access`);
          } else if (watched && JSON.stringify([...m.readMemory(BigInt(watched.addr), watched.bytes.length)]) !== JSON.stringify(bytesBefore)) {
            failures.push(`${v.name}: memory changed by a faulting store`);
          }
        } else {
          if (r.trap?.cause !== 'breakpoint' || r.trap.pc !== pcOf(k) + 4n) failures.push(`${v.name}: stopped with ${r.trap?.message ?? r.status}`);
          else if (v.expected !== undefined && r.registers[rd] !== v.expected) {
            failures.push(`${v.name}: got 0x${r.registers[rd].toString(16)}, expected 0x${v.expected.toString(16)}`);
          }
          if (watched) {
            const after = [...m.readMemory(BigInt(watched.addr), watched.bytes.length)];
            if (JSON.stringify(after) !== JSON.stringify(watched.bytes)) failures.push(`${v.name}: memory ${after} expected ${watched.bytes}`);
          }
        }
        m.dispose();
      }
      expect(failures).toEqual([]);
    });
  }
});

/**
 * Control-flow vectors need the harness's own layout (targets are absolute addresses around
 * VECTOR_PC), so each gets a library of its own: [CODE_BASE, CODE_END) full of ebreak with the
 * instruction at VECTOR_PC, which starts a region (a function symbol). Compiled at -O0: these
 * libraries exist to check semantics, and there are many.
 */
describe('recompiled control-flow vectors', () => {
  it.each(FLOW_VECTORS.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const rd = v.rd ?? DEFAULT_RD;
    const rs1 = v.rs1 ?? DEFAULT_RS1;
    const rs2 = v.rs2 ?? DEFAULT_RS2;
    const code = new Array<number>((CODE_END - CODE_BASE) / 4).fill(EBREAK);
    code[(VECTOR_PC - CODE_BASE) / 4] = encode(v.op, { rd, rs1, rs2, imm: v.imm }, v.xlen);
    const text = words(code);
    const elf: ElfFile = {
      name: `flow-${v.name}`,
      elfClass: v.xlen,
      entry: VECTOR_PC,
      flags: 0,
      segments: [{ vaddr: CODE_BASE, filesz: text.length, memsz: text.length, flags: PF_R | PF_X, data: text }],
      symbols: [{ name: 'vector', value: VECTOR_PC, size: 4, type: 'func', global: true }],
    };
    const program = await Program.load(await recompiled(elf, { memoryBits: VECTOR_MEMORY_BITS, optLevel: 'O0' }));
    const m = program.createMachine();
    const regs = m.registers;
    if (v.rs1Value !== undefined) regs[rs1] = v.rs1Value;
    if (v.rs2Value !== undefined) regs[rs2] = v.rs2Value;
    for (const [r, x] of v.regs ?? []) regs[r] = x;
    regs[0] = 0n;
    m.registers = regs;
    const r = await m.run();
    m.dispose();
    const trap = r.trap && { cause: r.trap.cause, pc: r.trap.pc, value: r.trap.value };
    if (v.trap) expect(trap).toEqual(v.trap);
    else expect(trap).toEqual({ cause: 'breakpoint', pc: v.next!, value: 0n });
    if (v.rdValue !== undefined) expect(r.registers[rd]).toBe(v.rdValue);
  });
});
