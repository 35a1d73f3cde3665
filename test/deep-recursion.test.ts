/**
 * Guest recursion far deeper than the host stack allows nested host calls: generated code stops
 * nesting at the host's stack limit and continues through the dispatcher, with the same result.
 */
import { describe, expect, it } from 'vitest';
import type { ElfFile } from '../src/elf/types.js';
import { PF_R, PF_X } from '../src/elf/types.js';
import type { Xlen } from '../src/isa/types.js';
import { Program } from '../src/runtime/index.js';
import { encode, li, words } from './vectors/encode.js';
import { recompiled } from './support/recompile.js';

const CODE = 0x10000;
const A0 = 10;
const A7 = 17;
const RA = 1;
const SP = 2;

/** depth(n) = n == 0 ? 0 : depth(n - 1) + 1, called with n = N; exits 0 iff it returned N. */
function program(xlen: Xlen, n: bigint): ElfFile {
  const w = xlen / 8;
  const save: 'sd' | 'sw' = xlen === 64 ? 'sd' : 'sw';
  const load: 'ld' | 'lw' = xlen === 64 ? 'ld' : 'lw';
  const start = [...li(A0, n, xlen)];
  const callAt = start.length;
  start.push(0 /* jal ra, f: patched below */);
  start.push(...li(5, n, xlen), encode('sub', { rd: A0, rs1: A0, rs2: 5 }), encode('addi', { rd: A7, rs1: 0, imm: 93 }), encode('ecall'));
  const f = start.length;
  const body = [
    encode('beq', { rs1: A0, rs2: 0, imm: 4 * 8 }),
    encode('addi', { rd: SP, rs1: SP, imm: -2 * w }),
    encode(save, { rs1: SP, rs2: RA, imm: w }, xlen),
    encode('addi', { rd: A0, rs1: A0, imm: -1 }),
    encode('jal', { rd: RA, imm: -4 * 4 }),
    encode('addi', { rd: A0, rs1: A0, imm: 1 }),
    encode(load, { rd: RA, rs1: SP, imm: w }, xlen),
    encode('addi', { rd: SP, rs1: SP, imm: 2 * w }),
    encode('jalr', { rd: 0, rs1: RA, imm: 0 }),
  ];
  start[callAt] = encode('jal', { rd: RA, imm: 4 * (f - callAt) });
  const text = words([...start, ...body]);
  return {
    name: `deep-rv${xlen}`,
    elfClass: xlen,
    entry: CODE,
    flags: 0,
    segments: [{ vaddr: CODE, filesz: text.length, memsz: text.length, flags: PF_R | PF_X, data: text }],
    symbols: [{ name: 'depth', value: CODE + 4 * f, size: 4 * body.length, type: 'func', global: true }],
  };
}

describe.each<Xlen>([32, 64])('rv%i', (xlen) => {
  it('recursion 8 million deep returns the right value and Node.js survives', async () => {
    const n = 8_000_000n;
    const program_ = await Program.load(await recompiled(program(xlen, n), { memoryBits: 28 }));
    const r = await program_.run();
    expect(r.trap?.message).toBeUndefined();
    expect(r.status).toBe('exited');
    expect(r.exitCode).toBe(0);
  });
});
