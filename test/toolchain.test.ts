/** The host toolchain: explicit CPU levels, and clear errors when the compiler is missing or fails. */
import { describe, expect, it } from 'vitest';
import { compileProject, CompileError } from '../src/compile/compile.js';
import { compileFlags, defaultMarch, findHostCompiler, ToolchainError } from '../src/toolchain/host.js';
import type { GeneratedProject } from '../src/emit/project.js';

const broken: GeneratedProject = {
  files: [{ path: 'bad.c', contents: 'int f(void) { return missing_symbol; }\n' }],
  sources: ['bad.c'],
  coldSources: [],
  summary: { xlen: 64, mode: 'pure', memoryBits: 28, instructions: 0, undecodable: 0, regions: 0, blocks: 0 },
};

describe('host toolchain', () => {
  it('names a missing compiler and how to get one, in one line', async () => {
    await expect(findHostCompiler('no-such-cc-xyz')).rejects.toThrow(ToolchainError);
    await expect(findHostCompiler('no-such-cc-xyz')).rejects.toThrow(/^C compiler 'no-such-cc-xyz' not found \(.*apt-get install clang\)$/);
  });

  it("passes on the compiler's own message when compilation fails", async () => {
    const err = await compileProject(broken, '/tmp/rvr-never-written.so').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toMatch(/failed on bad\.c/);
    expect((err as Error).message).toMatch(/missing_symbol/);
  });

  it('uses an explicit, portable CPU level and refuses native', () => {
    expect(defaultMarch('x64')).toBe('x86-64-v2');
    expect(defaultMarch('arm64')).toBe('armv8-a');
    expect(compileFlags({ optLevel: 'O2', march: 'x86-64-v2', extra: [] })).toContain('-march=x86-64-v2');
    expect(() => compileFlags({ optLevel: 'O2', march: 'native', extra: [] })).toThrow(/not allowed/);
  });
});
