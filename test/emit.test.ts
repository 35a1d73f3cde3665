/** Generated C: byte-identical for identical inputs, warning-free and correct with gcc too. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../src/elf/parse.js';
import { generateProject } from '../src/emit/project.js';
import { Program } from '../src/runtime/index.js';
import { fixtureElf, GUEST_ISAS, guestElf, guestExpectation, REPO_ROOT } from './support/guests.js';
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

describe('debug info: #line directives from the guest DWARF line table', () => {
  const SOURCE = 'test/fixtures/debug/lines.c';
  const strip = (text: string): string =>
    text
      .split('\n')
      .filter((l) => !/^#line \d+( ".*")?$/.test(l) && !/^\/\* block 0x[0-9a-f]+ \*\/$/.test(l))
      .join('\n');

  it.each(GUEST_ISAS)('%s: scale() points at lines.c line 5; only #line and block marks are added; deterministic', async (isa) => {
    const path = await fixtureElf(SOURCE, 'lines-g', isa, ['-g']);
    const bytes = await readFile(path);
    const elf = parseElf(bytes, path);
    const plain = generateProject(elf);
    const off = generateProject(elf, { debugInfo: false });
    const debug = generateProject(elf, { debugInfo: true });
    const again = generateProject(parseElf(new Uint8Array(bytes), '/elsewhere/other.elf'), { debugInfo: true });
    expect(off).toEqual(plain);
    expect(debug.warnings).toBeUndefined();
    expect(debug.files.map((f) => f.contents)).toEqual(again.files.map((f) => f.contents));
    expect(debug.summary.debugLines).toBeGreaterThan(0);
    expect(debug.summary.debugLines).toBeLessThanOrEqual(debug.summary.instructions);
    for (const [k, f] of debug.files.entries()) {
      expect(f.path).toBe(plain.files[k].path);
      expect(strip(f.contents), f.path).toBe(plain.files[k].contents);
      expect(f.contents, f.path).not.toMatch(/\/work\/|\/tmp\/|#line \d+ "\//);
      expect(f.contents.includes(REPO_ROOT), f.path).toBe(false);
    }
    // Each instruction of scale() is followed by a directive naming its line (5: the return).
    const scale = elf.symbols.find((s) => s.name === 'scale')!;
    const code = debug.files.filter((f) => f.path.startsWith('code_')).map((f) => f.contents).join('\n').split('\n');
    const lines: number[] = [];
    for (let pc = scale.value; pc < scale.value + scale.size; pc += 4) {
      const at = code.findIndex((l) => l.startsWith(`  /* 0x${pc.toString(16)}: `));
      expect(at, `comment of 0x${pc.toString(16)}`).toBeGreaterThan(0);
      const m = /^#line (\d+)(?: "(.*)")?$/.exec(code[at + 1]);
      expect(m, code[at + 1]).not.toBeNull();
      if (m![2] !== undefined) expect(m![2]).toBe(SOURCE);
      lines.push(Number(m![1]));
    }
    expect(lines).toContain(5);
    expect(code.some((l) => l === `#line 5 "${SOURCE}"`)).toBe(true);
    // Code that is not the guest's (function frames) is back at its real place in the file.
    const file = debug.files.find((f) => f.path === 'code_0.c')!.contents.split('\n');
    file.forEach((l, k) => {
      const m = /^#line (\d+) "code_0\.c"$/.exec(l);
      if (m) expect(Number(m[1]), `line ${k + 1}`).toBe(k + 2);
    });
  });

  it('compiles warning-free (gcc -Werror) and runs exactly like the build without it', async () => {
    const path = await fixtureElf(SOURCE, 'lines-g', 'rv32im', ['-g']);
    const plain = await Program.load(await recompiled(path, { cc: 'gcc', optLevel: 'O1' }));
    const debug = await Program.load(await recompiled(path, { cc: 'gcc', optLevel: 'O1', debugInfo: true }));
    const a = await plain.run();
    const b = await debug.run();
    expect(b.stdout.toString()).toBe('acc=345\n');
    expect(b.exitCode).toBe(a.exitCode);
    expect(b.stdout.equals(a.stdout)).toBe(true);
  });

  it('without line info, or with a malformed table, codegen goes on: one warning, no directives where nothing is known', async () => {
    const path = await fixtureElf(SOURCE, 'lines-g', 'rv64im', ['-g']);
    const bytes = new Uint8Array(await readFile(path));
    const elf = parseElf(bytes, path);
    const plain = generateProject(elf);
    // All units broken: the output is the plain output, with a warning.
    const broken = new Uint8Array(bytes);
    const line = elf.debug!.line!.bytes;
    broken.fill(0xff, line.byteOffset - bytes.byteOffset, line.byteOffset - bytes.byteOffset + 4);
    const r = generateProject(parseElf(broken, 'broken.elf'), { debugInfo: true });
    expect(r.warnings).toEqual([expect.stringMatching(/^broken\.elf: ignoring malformed debug line info: unit at offset 0x0: /)]);
    expect(r.files.map((f) => f.contents)).toEqual(plain.files.map((f) => f.contents));
    // No debug info at all: a hint, and the plain output.
    const bare = { ...elf, name: 'bare.elf' };
    delete bare.debug;
    const n = generateProject(bare, { debugInfo: true });
    expect(n.warnings).toEqual(['bare.elf: no DWARF line info for its code (build the guest with -g); no #line directives']);
    expect(n.files.map((f) => f.contents)).toEqual(plain.files.map((f) => f.contents));
  });
});
