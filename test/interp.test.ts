import { describe, expect, it } from 'vitest';
import { brkLimit, initialSp, SYS } from '../src/isa/abi.js';
import { decode, destReg, sourceRegs } from '../src/isa/decode.js';
import { OPS, type Op, type Xlen } from '../src/isa/types.js';
import { PF_R, PF_W, PF_X, type ElfFile } from '../src/elf/types.js';
import { interpret, Machine, machineResult, Memory, MemoryFault, type SegmentInit } from '../src/interp/index.js';
import { encode, li, words } from './vectors/encode.js';
import {
  ALU_VECTORS,
  CODE_BASE,
  CODE_END,
  DEFAULT_RD,
  DEFAULT_RS1,
  DEFAULT_RS2,
  FLOW_VECTORS,
  MEM_VECTORS,
  VECTOR_MEMORY_BITS,
  VECTOR_PC,
  type AluVector,
} from './vectors/instructions.js';

const EBREAK = 0x00100073;
const RX = PF_R | PF_X;
const RW = PF_R | PF_W;
const XLENS: Xlen[] = [32, 64];
const RV64_ONLY = new Set<Op>([
  'ld', 'lwu', 'sd', 'addiw', 'slliw', 'srliw', 'sraiw', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mulw', 'divw', 'divuw', 'remw', 'remuw',
]);
/** Ops with a 12-bit signed immediate (I and S formats, shifts excluded). */
const I_OR_S_IMM = new Set<Op>([
  'jalr', 'lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', 'sb', 'sh', 'sw', 'sd',
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw', 'fence', 'fence_i',
]);
const opsOf = (xlen: Xlen): Op[] => OPS.filter((o) => xlen === 64 || !RV64_ONLY.has(o));

/** The vector harness: [CODE_BASE, CODE_END) full of ebreak, `word` at VECTOR_PC. */
function vectorMachine(xlen: Xlen, word: number, memoryBits = VECTOR_MEMORY_BITS, prologue: number[] = []): Machine {
  const code = new Array<number>((CODE_END - CODE_BASE) / 4).fill(EBREAK);
  code[(VECTOR_PC - CODE_BASE) / 4] = word;
  prologue.forEach((w, k) => (code[k] = w));
  return new Machine({
    xlen,
    memoryBits,
    segments: [{ vaddr: CODE_BASE, data: words(code), memsz: CODE_END - CODE_BASE, flags: RX }],
    entry: prologue.length > 0 ? CODE_BASE : VECTOR_PC,
  });
}

function expectBreakAt(m: Machine, pc: bigint): void {
  expect(m.status).toBe('trapped');
  expect(m.trap).toEqual({ cause: 'breakpoint', pc, value: 0n });
}

/** A machine running `code` at 0x10000 (plus optional extra segments). */
function program(xlen: Xlen, code: number[], opts: { memoryBits?: number; input?: Uint8Array; segments?: SegmentInit[] } = {}): Machine {
  return new Machine({
    xlen,
    memoryBits: opts.memoryBits ?? 20,
    segments: [{ vaddr: 0x10000, data: words(code), memsz: code.length * 4, flags: RX }, ...(opts.segments ?? [])],
    entry: 0x10000,
    input: opts.input,
  });
}

const A0 = 10;
const A1 = 11;
const A2 = 12;
const A7 = 17;
const mv = (rd: number, rs: number): number => encode('addi', { rd, rs1: rs, imm: 0 });

/** Assemble a series of system calls; result k lands in x(18 + k). Ends with ebreak. */
function syscalls(xlen: Xlen, calls: bigint[][]): number[] {
  const out: number[] = [];
  calls.forEach((c, k) => {
    out.push(...li(A7, c[0], xlen));
    c.slice(1).forEach((v, j) => out.push(...li(A0 + j, v, xlen)));
    out.push(encode('ecall'), mv(18 + k, A0));
  });
  out.push(EBREAK);
  return out;
}

const neg = (xlen: Xlen, v: number): bigint => BigInt.asUintN(xlen, BigInt(-v));
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// -------------------------------------------------------------------------------- encoder

describe('encode', () => {
  it('round-trips every op through decode', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const xlen of XLENS) {
      for (const op of opsOf(xlen)) {
        for (let k = 0; k < 50; k++) {
          const f = { rd: rnd(32), rs1: rnd(32), rs2: rnd(32), imm: 0 };
          if (['slli', 'srli', 'srai'].includes(op)) f.imm = rnd(xlen);
          else if (['slliw', 'srliw', 'sraiw'].includes(op)) f.imm = rnd(32);
          else if (['lui', 'auipc'].includes(op)) f.imm = (rnd(0x100000) << 12) | 0;
          else if (op === 'jal') f.imm = (rnd(1 << 20) - (1 << 19)) * 2;
          else if (['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'].includes(op)) f.imm = (rnd(4096) - 2048) * 2;
          else if (I_OR_S_IMM.has(op)) f.imm = rnd(4096) - 2048;
          const w = encode(op, f, xlen);
          const d = decode(w, xlen);
          expect(d, `${op} ${JSON.stringify(f)}`).toBeDefined();
          expect(d!.op).toBe(op);
          expect(d!.raw).toBe(w);
          if (destReg(d!) !== 0) expect(d!.rd).toBe(f.rd);
          const src = sourceRegs(d!);
          if (src.length > 0) expect(d!.rs1).toBe(f.rs1);
          if (src.length > 1) expect(d!.rs2).toBe(f.rs2);
          if (!['ecall', 'ebreak', 'fence_i'].includes(op) && src.length < 2) expect(d!.imm).toBe(f.imm);
          if (['sb', 'sh', 'sw', 'sd', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'].includes(op)) expect(d!.imm).toBe(f.imm);
        }
      }
    }
  });

  it('encodes known words', () => {
    expect(encode('addi', { rd: 10, rs1: 0, imm: 1 })).toBe(0x00100513); // li a0, 1
    expect(encode('jalr', { rd: 0, rs1: 1, imm: 0 })).toBe(0x00008067); // ret
    expect(encode('ecall')).toBe(0x00000073);
    expect(encode('ebreak')).toBe(0x00100073);
    expect(encode('lui', { rd: 5, imm: 0x12345000 })).toBe(0x123452b7);
    expect(encode('sd', { rs1: 2, rs2: 1, imm: 8 })).toBe(0x00113423); // sd ra, 8(sp)
    expect(encode('srai', { rd: 10, rs1: 10, imm: 63 })).toBe(0x43f55513);
  });

  it('li materialises any constant', () => {
    const values = [0n, 1n, -1n, 2047n, -2048n, 2048n, 0x7fffffffn, -0x80000000n, 0x7ffff800n, 0x80000000n,
      0xffffffffn, 0x123456789abcdef0n, 0x8000000000000000n, 0x7fffffffffffffffn, 0xfedcba9876543210n, 0x100000000n];
    for (const xlen of XLENS) {
      for (const v of values) {
        const m = program(xlen, [...li(5, v, xlen), EBREAK]);
        m.run();
        expect(m.getRegister(5), `rv${xlen} li ${v}`).toBe(BigInt.asUintN(xlen, v));
      }
    }
  });
});

// -------------------------------------------------------------------------------- vectors

describe('instruction vectors', () => {
  it('cover every op of RV32IM and RV64IM', () => {
    for (const xlen of XLENS) {
      const seen = new Set<Op>();
      for (const v of [...ALU_VECTORS, ...MEM_VECTORS, ...FLOW_VECTORS]) if (v.xlen === xlen) seen.add(v.op);
      expect(opsOf(xlen).filter((o) => !seen.has(o)), `rv${xlen}`).toEqual([]);
    }
    const names = [...ALU_VECTORS, ...MEM_VECTORS, ...FLOW_VECTORS].map((v) => v.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  const aluWord = (v: AluVector): number =>
    encode(v.op, { rd: v.rd ?? DEFAULT_RD, rs1: v.rs1 ?? DEFAULT_RS1, rs2: v.rs2 ?? DEFAULT_RS2, imm: v.imm }, v.xlen);

  it.each(ALU_VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const rd = v.rd ?? DEFAULT_RD;
    const rs1 = v.rs1 ?? DEFAULT_RS1;
    const rs2 = v.rs2 ?? DEFAULT_RS2;
    // Registers written directly.
    const m = vectorMachine(v.xlen, aluWord(v));
    m.setRegister(rs1, v.rs1Value);
    m.setRegister(rs2, v.rs2Value);
    m.run();
    expectBreakAt(m, BigInt(VECTOR_PC + 4));
    expect(m.getRegister(rd)).toBe(v.expected);
    expect(m.instret).toBe(1n);
    // Registers set by an assembled prologue, then a jump to the instruction.
    const pro = [...li(rs1, v.rs1Value, v.xlen), ...li(rs2, v.rs2Value, v.xlen)];
    pro.push(encode('jal', { rd: 0, imm: VECTOR_PC - (CODE_BASE + 4 * pro.length) }));
    const m2 = vectorMachine(v.xlen, aluWord(v), VECTOR_MEMORY_BITS, pro);
    m2.run();
    expectBreakAt(m2, BigInt(VECTOR_PC + 4));
    expect(m2.getRegister(rd)).toBe(v.expected);
  });

  it.each(MEM_VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const rd = v.rd ?? DEFAULT_RD;
    const rs1 = v.rs1 ?? DEFAULT_RS1;
    const rs2 = v.rs2 ?? DEFAULT_RS2;
    const m = vectorMachine(v.xlen, encode(v.op, { rd, rs1, rs2, imm: v.imm }, v.xlen), v.memoryBits ?? VECTOR_MEMORY_BITS);
    for (const i of v.init ?? []) m.memory.write(i.addr, Uint8Array.from(i.bytes));
    const isLoad = v.op.startsWith('l');
    if (isLoad && rd !== rs1) m.setRegister(rd, 0xdeadn);
    m.setRegister(rs1, v.base);
    if (v.rs2Value !== undefined) m.setRegister(rs2, v.rs2Value);
    const before = m.registers;
    const digest = m.memory.digest();
    m.run();
    if (v.fault !== undefined) {
      expect(m.trap).toEqual({ cause: isLoad ? 'load_fault' : 'store_fault', pc: BigInt(VECTOR_PC), value: v.fault });
      expect(m.instret).toBe(0n);
      expect(m.registers).toEqual(before);
      expect(m.memory.digest()).toBe(digest);
    } else {
      expectBreakAt(m, BigInt(VECTOR_PC + 4));
      if (v.expected !== undefined) expect(m.getRegister(rd)).toBe(v.expected);
    }
    if (v.expectedBytes) {
      expect([...m.memory.read(v.expectedBytes.addr, v.expectedBytes.bytes.length)]).toEqual(v.expectedBytes.bytes);
    }
  });

  it.each(FLOW_VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const rd = v.rd ?? DEFAULT_RD;
    const rs1 = v.rs1 ?? DEFAULT_RS1;
    const rs2 = v.rs2 ?? DEFAULT_RS2;
    const m = vectorMachine(v.xlen, encode(v.op, { rd, rs1, rs2, imm: v.imm }, v.xlen));
    if (v.rs1Value !== undefined) m.setRegister(rs1, v.rs1Value);
    if (v.rs2Value !== undefined) m.setRegister(rs2, v.rs2Value);
    for (const [r, x] of v.regs ?? []) m.setRegister(r, x);
    m.run();
    if (v.trap) expect(m.trap).toEqual(v.trap);
    else expectBreakAt(m, v.next!);
    if (v.rdValue !== undefined) expect(m.getRegister(rd)).toBe(v.rdValue);
    const own = v.trap && v.trap.cause !== 'fetch_fault' ? 0n : 1n;
    expect(m.instret).toBe(own);
  });
});

// -------------------------------------------------------------------------------- system calls

describe.each(XLENS)('rv%i system calls', (xlen) => {
  const data = (addr: number, s: string): SegmentInit => ({ vaddr: addr, data: bytes(s), memsz: 0x1000, flags: RW });

  it('exit and exit_group keep the low 8 bits of the status', () => {
    for (const nr of [SYS.exit, SYS.exit_group]) {
      const code = [...li(A0, 300n, xlen), ...li(A7, BigInt(nr), xlen), encode('ecall'), EBREAK];
      const m = program(xlen, code);
      expect(m.run()).toBe('exited');
      expect(m.exitCode).toBe(300 & 0xff);
      expect(m.trap).toBeUndefined();
      expect(m.instret).toBe(BigInt(code.length - 1)); // the exiting ecall counts
      expect(m.pc).toBe(BigInt(0x10000 + 4 * (code.length - 2)));
      expect(m.run()).toBe('exited');
    }
    const m = program(xlen, [...li(A0, -1n, xlen), ...li(A7, 93n, xlen), encode('ecall')]);
    m.run();
    expect(m.exitCode).toBe(255);
  });

  it('write goes to stdout, stderr and the public output', () => {
    const m = program(
      xlen,
      syscalls(xlen, [
        [64n, 1n, 0x20000n, 5n],
        [64n, 2n, 0x20006n, 5n],
        [64n, 3n, 0x2000cn, 6n],
        [64n, 1n, 0x20005n, 1n],
        [64n, 1n, 0x20000n, 0n],
        [64n, 0n, 0x20000n, 1n],
        [64n, 4n, 0x20000n, 1n],
        [64n, 1n, 0xffffdn, 4n],
        [64n, 1n, 0xffffcn, 4n],
        [64n, 5n, 0xffffdn, 4n],
      ]),
      { segments: [data(0x20000, 'hello world public')] },
    );
    m.run();
    expectBreakAt(m, m.pc);
    expect(text(m.stdout)).toBe('hello \0\0\0\0');
    expect(text(m.stderr)).toBe('world');
    expect(text(m.publicOutput)).toBe('public');
    const r = m.registers.slice(18, 28);
    expect(r).toEqual([5n, 5n, 6n, 1n, 0n, neg(xlen, 9), neg(xlen, 9), neg(xlen, 14), 4n, neg(xlen, 9)]);
  });

  it('read copies the input stream', () => {
    const m = program(
      xlen,
      syscalls(xlen, [
        [63n, 0n, 0x20000n, 4n],
        [63n, 0n, 0x20010n, 10n],
        [63n, 0n, 0x20020n, 10n],
        [63n, 1n, 0x20000n, 1n],
        [63n, 0n, 0xffffen, 4n],
      ]),
      { input: bytes('abcdef'), segments: [data(0x20000, '')] },
    );
    m.run();
    expect(m.registers.slice(18, 23)).toEqual([4n, 2n, 0n, neg(xlen, 9), neg(xlen, 14)]);
    expect(text(m.memory.read(0x20000, 6))).toBe('abcd\0\0');
    expect(text(m.memory.read(0x20010, 3))).toBe('ef\0');
  });

  it('read with a bad buffer does not consume input', () => {
    const m = program(xlen, syscalls(xlen, [[63n, 0n, 0xffffen, 4n], [63n, 0n, 0x30000n, 3n]]), { input: bytes('xyz') });
    m.run();
    expect(m.registers.slice(18, 20)).toEqual([neg(xlen, 14), 3n]);
    expect(text(m.memory.read(0x30000, 3))).toBe('xyz');
  });

  it('brk moves the break inside [initialBrk, brkLimit] only', () => {
    const lim = BigInt(brkLimit(20));
    const m = program(
      xlen,
      syscalls(xlen, [
        [214n, 0n],
        [214n, 0x21000n],
        [214n, 0x20000n],
        [214n, 0x21000n + 0x5000n],
        [214n, lim + 1n],
        [214n, lim],
        [214n, 0n],
        [214n, 0x21000n],
      ]),
      { segments: [data(0x20000, 'x')] },
    );
    expect(m.initialBrk).toBe(0x21000);
    m.run();
    expect(m.registers.slice(18, 26)).toEqual([0x21000n, 0x21000n, 0x21000n, 0x26000n, 0x26000n, lim, lim, 0x21000n]);
    expect(m.programBreak).toBe(0x21000);
  });

  it('clock_gettime is a virtual clock advancing 1 us per call', () => {
    const nr = BigInt(xlen === 64 ? SYS.clock_gettime : SYS.clock_gettime64);
    const other = BigInt(xlen === 64 ? SYS.clock_gettime64 : SYS.clock_gettime);
    const m = program(
      xlen,
      syscalls(xlen, [
        [nr, 1n, 0x20000n],
        [nr, 0n, 0x20010n],
        [nr, 12n, 0x20020n],
        [nr, 11n, 0xffff1n],
        [other, 0n, 0x20030n],
        [nr, 11n, 0xffff0n],
      ]),
      { segments: [data(0x20000, '')] },
    );
    m.run();
    expect(m.registers.slice(18, 24)).toEqual([0n, 0n, neg(xlen, 22), neg(xlen, 14), neg(xlen, 38), 0n]);
    const dv = new DataView(m.memory.read(0x20000, 0x40).buffer);
    expect([dv.getBigInt64(0, true), dv.getBigInt64(8, true)]).toEqual([0n, 1000n]);
    expect([dv.getBigInt64(16, true), dv.getBigInt64(24, true)]).toEqual([0n, 2000n]);
    expect(m.memory.read(0x20020, 32).every((b) => b === 0)).toBe(true);
    const last = new DataView(m.memory.read(0xffff0, 16).buffer);
    expect(last.getBigInt64(8, true)).toBe(3000n); // failed calls do not advance the clock
  });

  it('clock_gettime splits seconds and nanoseconds', () => {
    // 1_000_001 calls: t = 1.000001 s. A loop: 5 instructions per iteration.
    const nr = BigInt(xlen === 64 ? SYS.clock_gettime : SYS.clock_gettime64);
    const code = [
      ...li(9, 1_000_001n, xlen), // s1 = count
      ...li(A7, nr, xlen),
      ...li(A1, 0x20000n, xlen),
    ];
    const loop = code.length;
    code.push(
      encode('addi', { rd: A0, rs1: 0, imm: 1 }),
      encode('ecall'),
      encode('addi', { rd: 9, rs1: 9, imm: -1 }),
    );
    code.push(encode('bne', { rs1: 9, rs2: 0, imm: (loop - code.length) * 4 }), EBREAK);
    const m = program(xlen, code, { segments: [data(0x20000, '')] });
    m.run();
    const dv = new DataView(m.memory.read(0x20000, 16).buffer);
    expect([dv.getBigInt64(0, true), dv.getBigInt64(8, true)]).toEqual([1n, 1000n]);
  });

  it('unknown system calls return -ENOSYS as an XLEN value', () => {
    // (1 << 40 is 0 on RV32: also not a known number.)
    const m = program(xlen, syscalls(xlen, [[999n, 1n], [BigInt.asUintN(xlen, -1n)], [1n << 40n], [0n]]));
    m.run();
    const enosys = xlen === 32 ? 0xffffffdan : 0xffffffffffffffdan;
    expect(m.registers.slice(18, 22)).toEqual([enosys, enosys, enosys, enosys]);
  });
});

// -------------------------------------------------------------------------------- traps

describe.each(XLENS)('rv%i traps', (xlen) => {
  it('illegal instruction reports pc and encoding', () => {
    for (const w of [0, 0xffffffff, 0x00002073 /* csrrs: Zicsr not supported */]) {
      const m = program(xlen, [encode('addi', { rd: 5, rs1: 0, imm: 1 }), w]);
      m.run();
      expect(m.trap).toEqual({ cause: 'illegal_instruction', pc: 0x10004n, value: BigInt(w >>> 0) });
      expect(m.instret).toBe(1n);
      expect(m.getRegister(5)).toBe(1n);
      expect(m.pc).toBe(0x10004n);
    }
  });

  it('RV64-only instructions are illegal on RV32', () => {
    const w = encode('addiw', { rd: 5, rs1: 5, imm: 1 });
    const m = program(xlen, [w, EBREAK]);
    m.run();
    if (xlen === 32) expect(m.trap).toEqual({ cause: 'illegal_instruction', pc: 0x10000n, value: BigInt(w) });
    else expect(m.trap?.cause).toBe('breakpoint');
  });

  it('ebreak is a breakpoint at its pc and is not counted', () => {
    const m = program(xlen, [encode('addi', { rd: 5, rs1: 0, imm: 1 }), EBREAK]);
    m.run();
    expect(m.trap).toEqual({ cause: 'breakpoint', pc: 0x10004n, value: 0n });
    expect(m.instret).toBe(1n);
    expect(m.classCounts.system).toBe(0n);
  });

  it('falling off the end of code is a fetch fault at the next address', () => {
    const m = program(xlen, [encode('addi', { rd: 5, rs1: 0, imm: 1 }), encode('addi', { rd: 5, rs1: 5, imm: 1 })]);
    m.run();
    expect(m.trap).toEqual({ cause: 'fetch_fault', pc: 0x10008n, value: 0x10008n });
    expect(m.instret).toBe(2n);
    expect(m.getRegister(5)).toBe(2n);
  });

  it('jumping into a data (non-executable) segment is a fetch fault', () => {
    const m = program(xlen, [...li(6, 0x20000n, xlen), encode('jalr', { rd: 1, rs1: 6, imm: 0 })], {
      segments: [{ vaddr: 0x20000, data: words([encode('addi', { rd: 5, rs1: 0, imm: 1 })]), memsz: 4, flags: RW }],
    });
    m.run();
    expect(m.trap).toEqual({ cause: 'fetch_fault', pc: 0x20000n, value: 0x20000n });
    expect(m.instret).toBe(3n); // lui, addi(w), jalr
    expect(m.getRegister(1)).toBe(0x1000cn);
  });

  it('an entry outside code is a fetch fault before anything runs', () => {
    const m = new Machine({ xlen, memoryBits: 20, segments: [], entry: 0x1000 });
    expect(m.run()).toBe('trapped');
    expect(m.trap).toEqual({ cause: 'fetch_fault', pc: 0x1000n, value: 0x1000n });
    expect(m.instret).toBe(0n);
  });

  it('a misaligned entry is a misaligned fetch', () => {
    const m = new Machine({
      xlen,
      memoryBits: 20,
      segments: [{ vaddr: 0x10000, data: words([EBREAK, EBREAK]), memsz: 8, flags: RX }],
      entry: 0x10002,
    });
    m.run();
    expect(m.trap).toEqual({ cause: 'misaligned_fetch', pc: 0x10002n, value: 0x10002n });
  });

  it('code is decoded from the initial image (stores into code do not change what runs)', () => {
    // sw x0, 12(x6) overwrites the addi at 0x1000c in memory; the original addi still runs.
    const code = [
      ...li(6, 0x10000n, xlen),
      encode('sw', { rs1: 6, rs2: 0, imm: 4 * 3 }),
      encode('addi', { rd: 5, rs1: 0, imm: 7 }),
      EBREAK,
    ];
    expect(code.length).toBe(5);
    const m = program(xlen, code);
    m.run();
    expect(m.trap?.cause).toBe('breakpoint');
    expect(m.getRegister(5)).toBe(7n);
    expect([...m.memory.read(0x1000c, 4)]).toEqual([0, 0, 0, 0]);
  });
});

// -------------------------------------------------------------------------------- limits and counts

/** A program exercising every class: sums and stores in a loop, writes, then exits. */
function busyProgram(xlen: Xlen, iterations: number): number[] {
  const code = [
    ...li(9, BigInt(iterations), xlen), // s1 = n
    ...li(18, 0x20000n, xlen), // s2 = buffer
    encode('addi', { rd: 19, rs1: 0, imm: 0 }), // s3 = acc
  ];
  const loop = code.length;
  code.push(
    encode('mul', { rd: 5, rs1: 9, rs2: 9 }),
    encode('add', { rd: 19, rs1: 19, rs2: 5 }),
    encode('andi', { rd: 6, rs1: 9, imm: 0xff }),
    encode('slli', { rd: 6, rs1: 6, imm: 2 }),
    encode('add', { rd: 6, rs1: 6, rs2: 18 }),
    encode('lw', { rd: 7, rs1: 6, imm: 0 }),
    encode('xor', { rd: 7, rs1: 7, rs2: 19 }),
    encode('sw', { rs1: 6, rs2: 7, imm: 0 }),
    encode('divu', { rd: 28, rs1: 19, rs2: 9 }),
    encode('addi', { rd: 9, rs1: 9, imm: -1 }),
  );
  code.push(encode('bne', { rs1: 9, rs2: 0, imm: (loop - code.length) * 4 }));
  code.push(
    ...li(A0, 1n, xlen),
    encode('addi', { rd: A1, rs1: 18, imm: 0 }),
    ...li(A2, 16n, xlen),
    ...li(A7, 64n, xlen),
    encode('ecall'),
    encode('andi', { rd: A0, rs1: 19, imm: 0x7f }),
    ...li(A7, 93n, xlen),
    encode('ecall'),
  );
  return code;
}

describe.each(XLENS)('rv%i limits and counts', (xlen) => {
  const seg = (): SegmentInit[] => [{ vaddr: 0x20000, data: new Uint8Array(0), memsz: 0x1000, flags: RW }];

  it('running in slices gives the same result as one run', () => {
    const code = busyProgram(xlen, 300);
    const whole = program(xlen, code, { segments: seg() });
    expect(whole.run()).toBe('exited');
    const ref = machineResult(whole);
    for (const slice of [1n, 7n, 1000n]) {
      const m = program(xlen, code, { segments: seg() });
      let calls = 0;
      while (m.run(slice) === 'running') {
        calls++;
        expect(m.instret).toBe(slice * BigInt(calls));
      }
      expect(machineResult(m)).toEqual(ref);
    }
  });

  it('run(0) does nothing and a limit stops before a trapping instruction', () => {
    const m = program(xlen, [encode('addi', { rd: 5, rs1: 0, imm: 1 }), EBREAK]);
    expect(m.run(0n)).toBe('running');
    expect(m.instret).toBe(0n);
    expect(m.pc).toBe(0x10000n);
    expect(m.run(1n)).toBe('running');
    expect(m.pc).toBe(0x10004n);
    expect(m.run(1n)).toBe('trapped');
    expect(m.instret).toBe(1n);
  });

  it('counts instructions per class', () => {
    const code = [
      encode('addi', { rd: 5, rs1: 0, imm: 6 }), // alu
      encode('addi', { rd: 6, rs1: 0, imm: 7 }), // alu
      encode('mul', { rd: 7, rs1: 5, rs2: 6 }), // muldiv
      encode('div', { rd: 7, rs1: 7, rs2: 6 }), // muldiv
      encode('lui', { rd: 8, imm: 0x20000 }), // alu
      encode('sw', { rs1: 8, rs2: 7, imm: 0 }), // store
      encode('lw', { rd: 9, rs1: 8, imm: 0 }), // load
      encode('beq', { rs1: 9, rs2: 5, imm: 8 }), // branch, taken (6 == 6)
      EBREAK, // skipped
      encode('bne', { rs1: 9, rs2: 5, imm: 8 }), // branch, not taken
      encode('jal', { rd: 1, imm: 8 }), // jump
      EBREAK, // skipped
      encode('fence', { imm: 0xff }), // system
      encode('addi', { rd: A7, rs1: 0, imm: 93 }), // alu
      encode('ecall'), // system
    ];
    const m = program(xlen, code, { segments: seg() });
    expect(m.run()).toBe('exited');
    expect(m.classCounts).toEqual({ alu: 4n, muldiv: 2n, load: 1n, store: 1n, branch: 2n, jump: 1n, system: 2n });
    expect(m.instret).toBe(13n);
    expect(m.exitCode).toBe(0);
    expect(m.opCountsByName).toEqual({ addi: 3n, mul: 1n, div: 1n, lui: 1n, sw: 1n, lw: 1n, beq: 1n, bne: 1n, jal: 1n, fence: 1n, ecall: 1n });
  });

  it('initial state: pc = entry, sp = initialSp, other registers 0', () => {
    const m = program(xlen, [EBREAK]);
    const regs = m.registers;
    expect(regs[2]).toBe(BigInt(initialSp(20)));
    expect(regs.filter((_, i) => i !== 2).every((v) => v === 0n)).toBe(true);
    expect(m.pc).toBe(0x10000n);
    expect(m.status).toBe('running');
  });

  it('runs a few million instructions at a reasonable speed', () => {
    const n = xlen === 32 ? 300_000 : 150_000;
    const m = program(xlen, busyProgram(xlen, n), { segments: seg() });
    const t0 = performance.now();
    expect(m.run()).toBe('exited');
    const ms = performance.now() - t0;
    const rate = Number(m.instret) / (ms / 1000);
    console.log(`rv${xlen}: ${m.instret} instructions in ${ms.toFixed(0)} ms = ${(rate / 1e6).toFixed(1)} M instr/s`);
    expect(m.instret).toBeGreaterThan(BigInt(n * 11));
  });
});

// -------------------------------------------------------------------------------- memory

describe('Memory', () => {
  it('reads zero from untouched pages without allocating them', () => {
    const mem = new Memory(20);
    expect(mem.loadU64(0x5000)).toBe(0n);
    expect(mem.read(0x1ff0, 0x30).every((b) => b === 0)).toBe(true);
    expect(mem.allocatedPages).toBe(0);
  });

  it('handles misaligned little-endian accesses across pages', () => {
    const mem = new Memory(20);
    mem.store(0x1ffd, 8, 0x0807060504030201n);
    expect([...mem.read(0x1ffc, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    expect(mem.load(0x1ffd, 8)).toBe(0x0807060504030201n);
    expect(mem.load(0x1fff, 4)).toBe(0x06050403n);
    expect(mem.load(0x1fff, 2)).toBe(0x0403n);
    expect(mem.loadI32(0x1ffe)).toBe(0x05040302);
    mem.store(0x2fff, 4, 0xaabbccddn);
    expect(mem.loadI32(0x2fff) >>> 0).toBe(0xaabbccdd);
    mem.store16(0x3fff, 0x1234);
    expect(mem.loadU16(0x3fff)).toBe(0x1234);
  });

  it('throws MemoryFault outside the arena', () => {
    const mem = new Memory(16);
    expect(() => mem.load(0xfffd, 4)).toThrow(MemoryFault);
    expect(() => mem.store(0x10000n, 1, 0n)).toThrow(MemoryFault);
    expect(() => mem.read(-1, 1)).toThrow(MemoryFault);
    expect(mem.load(0xfffc, 4)).toBe(0n);
    expect(mem.inBounds(0xffffn, 1)).toBe(true);
    expect(mem.inBounds(0xffffn, 2)).toBe(false);
  });

  it('digest ignores which zero pages are allocated', () => {
    const a = new Memory(20);
    const b = new Memory(20);
    a.store(0x1234, 4, 0xdeadbeefn);
    b.store(0x9000, 8, 0xffn);
    b.store(0x9000, 8, 0n); // allocated, all zero again
    b.store(0x1234, 4, 0xdeadbeefn);
    expect(a.digest()).toBe(b.digest());
    b.store(0x1234, 1, 0xeen);
    expect(a.digest()).not.toBe(b.digest());
    expect(new Memory(20).digest()).toBe(new Memory(24).digest());
  });
});

// -------------------------------------------------------------------------------- ELF entry points

describe('interpret', () => {
  it('runs an ElfFile and returns a plain result record', () => {
    for (const xlen of XLENS) {
      const code = busyProgram(xlen, 50);
      const elf: ElfFile = {
        name: 'busy',
        elfClass: xlen,
        entry: 0x10000,
        segments: [
          { vaddr: 0x10000, filesz: code.length * 4, memsz: code.length * 4, flags: RX, data: words(code) },
          { vaddr: 0x20000, filesz: 0, memsz: 0x1000, flags: RW, data: new Uint8Array(0) },
        ],
        symbols: [],
        flags: 0,
      };
      const r = interpret(elf, { memoryBits: 20 });
      expect(r.status).toBe('exited');
      expect(r.stdout.length).toBe(16);
      expect(r.xlen).toBe(xlen);
      const partial = interpret(elf, { memoryBits: 20, maxInstructions: 10n });
      expect(partial.status).toBe('running');
      expect(partial.instret).toBe(10n);
      const m = Machine.fromElf(elf);
      expect(m.memoryBits).toBe(xlen === 32 ? 32 : 28);
      m.run();
      expect(machineResult(m).exitCode).toBe(r.exitCode);
      expect(machineResult(m).instret).toBe(r.instret);
    }
  });

  it('rejects segments outside the arena and bad memory sizes', () => {
    expect(() => new Machine({ xlen: 64, memoryBits: 16, segments: [{ vaddr: 0xf000, data: new Uint8Array(0), memsz: 0x2000, flags: RW }], entry: 0 })).toThrow(RangeError);
    expect(() => new Machine({ xlen: 32, memoryBits: 33, segments: [], entry: 0 })).toThrow(RangeError);
    expect(() => new Machine({ xlen: 64, memoryBits: 8, segments: [], entry: 0 })).toThrow(RangeError);
  });
});
