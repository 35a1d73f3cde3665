/**
 * Guest faults are results, never crashes: each kind of trap comes back with its cause and pc,
 * identical in the interpreter and the recompiled code, and Node.js carries on.
 */
import { describe, expect, it } from 'vitest';
import type { ElfFile } from '../src/elf/types.js';
import { PF_R, PF_W, PF_X } from '../src/elf/types.js';
import { Machine } from '../src/interp/index.js';
import { DEFAULT_COST_TABLE } from '../src/isa/cost.js';
import type { Xlen } from '../src/isa/types.js';
import { Program } from '../src/runtime/index.js';
import { encode, li, words } from './vectors/encode.js';
import { recompiled } from './support/recompile.js';

const CODE = 0x10000;
const DATA = 0x20000;
const BITS = 20;

function elf(xlen: Xlen, code: number[], name: string): ElfFile {
  const text = words(code);
  const data = new Uint8Array(64).fill(0x13);
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

const T0 = 5;
const A0 = 10;
interface Case {
  name: string;
  code: (xlen: Xlen) => number[];
  cause: string;
  /** pc of the trap, as an index of the instruction in the code (or an absolute address). */
  pc: (code: number[]) => number;
  value: (xlen: Xlen) => bigint;
}

const CASES: Case[] = [
  {
    name: 'load outside the arena',
    code: (x) => [...li(T0, 0x7fff0000n, x), encode('lw', { rd: A0, rs1: T0, imm: 16 }, x), encode('ebreak')],
    cause: 'load_fault',
    pc: (c) => CODE + 4 * (c.length - 2),
    value: () => 0x7fff0010n,
  },
  {
    name: 'store outside the arena',
    code: (x) => [...li(T0, 0xfff00n, x), encode('sw', { rs1: T0, rs2: A0, imm: 0x100 - 2 }, x), encode('ebreak')],
    cause: 'store_fault',
    pc: (c) => CODE + 4 * (c.length - 2),
    value: () => 0xffffen,
  },
  {
    name: 'jump into data',
    code: (x) => [...li(T0, BigInt(DATA), x), encode('jalr', { rd: 0, rs1: T0, imm: 0 }, x)],
    cause: 'fetch_fault',
    pc: () => DATA,
    value: () => BigInt(DATA),
  },
  {
    name: 'jump to an unaligned target',
    code: (x) => [...li(T0, BigInt(CODE + 6), x), encode('jalr', { rd: 1, rs1: T0, imm: 0 }, x), encode('ebreak')],
    cause: 'misaligned_fetch',
    pc: (c) => CODE + 4 * (c.length - 2),
    value: () => BigInt(CODE + 6),
  },
  {
    name: 'illegal instruction',
    code: () => [encode('addi', { rd: A0, rs1: 0, imm: 1 }), 0xffffffff | 0],
    cause: 'illegal_instruction',
    pc: () => CODE + 4,
    value: () => 0xffffffffn,
  },
  {
    name: 'ebreak',
    code: () => [encode('addi', { rd: A0, rs1: 0, imm: 1 }), encode('ebreak')],
    cause: 'breakpoint',
    pc: () => CODE + 4,
    value: () => 0n,
  },
  {
    name: 'call into a word that does not decode',
    code: (x) => [encode('jal', { rd: 1, imm: 8 }, x), encode('ebreak'), 0],
    cause: 'illegal_instruction',
    pc: () => CODE + 8,
    value: () => 0n,
  },
];

describe.each<Xlen>([32, 64])('rv%i traps', (xlen) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const code = c.code(xlen);
    const e = elf(xlen, code, `trap-${xlen}`);
    const interp = Machine.fromElf(e, { memoryBits: BITS });
    interp.run(1000n);
    const want = { cause: c.cause, pc: BigInt(c.pc(code)), value: c.value(xlen) };
    expect(interp.trap).toEqual(want);

    const program = await Program.load(await recompiled(e, { memoryBits: BITS }));
    const r = await program.run();
    expect(r.status).toBe('trapped');
    expect({ cause: r.trap!.cause, pc: r.trap!.pc, value: r.trap!.value }).toEqual(want);
    expect(r.trap!.message).toMatch(/ at pc 0x[0-9a-f]+$/);
    expect(r.trap!.message.split('\n')).toHaveLength(1);
    expect(r.registers).toEqual(interp.registers);
  });

  // Bounds tests hoisted to block starts (src/emit/guard.ts) must still fault at the exact
  // access, with every earlier store of the block done and nothing after it.
  const END = 1 << BITS;
  const T1 = 6;
  const A1 = 11;
  /** Ends the block after setting up registers, so the accesses below have unknown bases. */
  const split = (x: Xlen): number => encode('beq', { rs1: 0, rs2: 0, imm: 4 }, x);
  const HOISTED: { name: string; code: (x: Xlen) => number[]; at: number; value: number }[] = [
    {
      name: 'a store past the end after a store in bounds off the same base',
      code: (x) => [
        ...li(T0, BigInt(END - 8), x), ...li(A0, 0x11223344n, x), split(x),
        encode('sw', { rs1: T0, rs2: A0, imm: 4 }, x),
        encode('addi', { rd: A0, rs1: A0, imm: 1 }, x),
        encode('sw', { rs1: T0, rs2: A0, imm: 8 }, x),
        encode('addi', { rd: A1, rs1: 0, imm: 9 }, x),
        encode('ebreak'),
      ],
      at: 2,
      value: END,
    },
    {
      name: 'a load below zero (wrapping) after a store off another base',
      code: (x) => [
        ...li(T0, 8n, x), ...li(T1, BigInt(END - 64), x), ...li(A0, 0x55n, x), split(x),
        encode('sd', { rs1: T1, rs2: A0, imm: 0 }, 64),
        encode('lw', { rd: A1, rs1: T0, imm: -16 }, x),
        encode('ebreak'),
      ],
      at: 1,
      value: -8,
    },
    {
      name: 'an unrolled store loop running off the end of the arena',
      code: (x) => [
        ...li(T0, BigInt(END - 40), x), ...li(T1, BigInt(END + 40), x), split(x),
        encode('sw', { rs1: T0, rs2: A0, imm: 0 }, x),
        encode('addi', { rd: A0, rs1: A0, imm: 1 }, x),
        encode('addi', { rd: T0, rs1: T0, imm: 4 }, x),
        encode('bne', { rs1: T0, rs2: T1, imm: -12 }, x),
        encode('ebreak'),
      ],
      at: 0,
      value: END,
    },
  ];
  it.each(HOISTED.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    // rv32 has no sd: the case that uses one stores with sw there.
    const code = c.code(xlen).map((w) => (xlen === 32 && (w & 0x707f) === 0x3023 ? (w & ~0x7000) | 0x2000 : w));
    const e = elf(xlen, code, `hoisted-${xlen}`);
    const interp = Machine.fromElf(e, { memoryBits: BITS });
    interp.run(1000n);
    const splitAt = code.indexOf(split(xlen));
    const want = { cause: c.name.includes('load') ? 'load_fault' : 'store_fault', pc: BigInt(CODE + 4 * (splitAt + 1 + c.at)), value: BigInt.asUintN(xlen, BigInt(c.value)) };
    expect(interp.trap).toEqual(want);

    const program = await Program.load(await recompiled(e, { memoryBits: BITS }));
    const m = program.createMachine();
    const r = await m.run();
    expect({ cause: r.trap!.cause, pc: r.trap!.pc, value: r.trap!.value }).toEqual(want);
    expect(r.registers).toEqual(interp.registers);
    expect(r.instructions).toBe(interp.instret);
    expect(Buffer.from(m.readMemory(END - 128, 128))).toEqual(Buffer.from(interp.memory.read(END - 128, 128)));
    m.dispose();
  });

  it('a fault inside a loop whose block counters are C locals leaves counts and cost = interpreter (metered_cost)', async () => {
    // A loop of three blocks (no calls, so its counters live in locals, src/emit/meter.ts)
    // storing up to and past the arena's end: the fault leaves the loop through the trap exit.
    const A3 = 13;
    const code = [
      ...li(T0, BigInt(END - 40), xlen), ...li(T1, BigInt(END + 40), xlen), split(xlen),
      encode('sw', { rs1: T0, rs2: A0, imm: 0 }, xlen),
      encode('addi', { rd: A0, rs1: A0, imm: 1 }, xlen),
      encode('andi', { rd: A3, rs1: A0, imm: 1 }, xlen),
      encode('beq', { rs1: A3, rs2: 0, imm: 8 }, xlen),
      encode('mul', { rd: A1, rs1: A1, rs2: A0 }, xlen),
      encode('addi', { rd: T0, rs1: T0, imm: 4 }, xlen),
      encode('bne', { rs1: T0, rs2: T1, imm: -24 }, xlen),
      encode('ebreak'),
    ];
    const e = elf(xlen, code, `loop-trap-${xlen}`);
    const interp = Machine.fromElf(e, { memoryBits: BITS, costTable: DEFAULT_COST_TABLE });
    interp.run(1000n);
    expect(interp.trap?.cause).toBe('store_fault');
    const program = await Program.load(await recompiled(e, { memoryBits: BITS, mode: 'metered_cost', costTable: DEFAULT_COST_TABLE }));
    const r = await program.run();
    expect({ cause: r.trap!.cause, pc: r.trap!.pc }).toEqual({ cause: interp.trap!.cause, pc: interp.trap!.pc });
    expect(r.registers).toEqual(interp.registers);
    expect([r.instructions, r.cost]).toEqual([interp.instret, interp.cost]);
    expect(r.classCounts).toEqual(interp.classCounts);
  });

  it('keeps Node.js running: a normal guest runs after every trap', async () => {
    const code = [encode('addi', { rd: A0, rs1: 0, imm: 7 }), encode('addi', { rd: 17, rs1: 0, imm: 93 }), encode('ecall')];
    const program = await Program.load(await recompiled(elf(xlen, code, 'exit7'), { memoryBits: BITS }));
    const r = await program.run();
    expect(r.status).toBe('exited');
    expect(r.exitCode).toBe(7);
  });
});
