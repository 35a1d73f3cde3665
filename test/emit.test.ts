/** Generated C: byte-identical for identical inputs, warning-free and correct with gcc too. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../src/elf/parse.js';
import { generateProject } from '../src/emit/project.js';
import { Program } from '../src/runtime/index.js';
import { GUEST_ISAS, guestElf, guestExpectation } from './support/guests.js';
import { recompiled } from './support/recompile.js';

describe.each(GUEST_ISAS)('%s codegen', (isa) => {
  it('is byte-identical across runs and independent of the ELF path', async () => {
    const p = await guestElf('sort', isa);
    const bytes = await readFile(p);
    const a = generateProject(parseElf(bytes, p));
    const b = generateProject(parseElf(new Uint8Array(bytes), '/elsewhere/other-name.elf'));
    expect(a.files.map((f) => f.path)).toEqual(b.files.map((f) => f.path));
    for (const [k, f] of a.files.entries()) expect(f.contents, f.path).toBe(b.files[k].contents);
    expect(a.files.some((f) => /\/work\/|\/tmp\//.test(f.contents))).toBe(false);
    // Readable: every instruction carries its pc and disassembly.
    const code = a.files.find((f) => f.path === 'code_0.c')!.contents;
    expect(code).toMatch(/\/\* 0x[0-9a-f]+: (addi|sw|sd|lw|ld) [a-z0-9]+, /);
  });

  it('compiles with gcc -Wall -Wextra -Werror and runs correctly', async () => {
    const p = await guestElf('func_ptrs', isa);
    const expected = await guestExpectation('func_ptrs');
    const program = await Program.load(await recompiled(p, { cc: 'gcc' }));
    const r = await program.run({ input: expected.input ?? '' });
    expect(r.exitCode).toBe(expected.exitCode);
    expect(r.stdout.equals(expected.stdout)).toBe(true);
  });

  it('rejects an arena too small for the program with a clear error', async () => {
    const p = await guestElf('hello', isa);
    const elf = parseElf(await readFile(p), p);
    expect(() => generateProject(elf, { memoryBits: 16 })).toThrow(/hello\.elf: .*(does not fit|room for a stack)/);
    expect(() => generateProject(elf, { memoryBits: 99 })).toThrow(/hello\.elf: memory size 2\^99 is outside/);
  });
});
