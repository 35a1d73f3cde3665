/** rvr codegen / rvr compile: the project written to disk and read back is the same project. */
import { execa } from 'execa';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProject, writeProjectDir } from '../src/compile/project-io.js';
import { readElf } from '../src/elf/parse.js';
import { generateProject } from '../src/emit/project.js';
import { guestElf, REPO_ROOT } from './support/guests.js';

const RVR = path.join(REPO_ROOT, 'bin', 'rvr.js');

describe('project on disk', () => {
  it('readProject(writeProjectDir(p)) gives p back, and the manifest is deterministic', async () => {
    const elf = await readElf(await guestElf('hello', 'rv32im'));
    const project = generateProject(elf, { mode: 'metered', memoryBits: 24 });
    const a = await mkdtemp(path.join(tmpdir(), 'rvr-pio-'));
    const b = await mkdtemp(path.join(tmpdir(), 'rvr-pio-'));
    await writeProjectDir(project, a);
    await writeProjectDir(generateProject(elf, { mode: 'metered', memoryBits: 24 }), b);
    expect(await readFile(path.join(a, 'project.json'), 'utf8')).toBe(await readFile(path.join(b, 'project.json'), 'utf8'));
    const back = await readProject(a);
    expect(back.sources).toEqual(project.sources);
    expect(back.coldSources).toEqual(project.coldSources);
    expect(back.summary).toEqual(project.summary);
    const byPath = (p: typeof project) => Object.fromEntries(p.files.map((f) => [f.path, f.contents]));
    expect(byPath(back)).toEqual(byPath(project));
  });

  it('rejects a manifest naming a source that is not a project file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-pio-'));
    await writeFile(path.join(dir, 'project.json'), JSON.stringify({ format: 1, files: [], sources: ['x.c'], coldSources: [], summary: {} }));
    await expect(readProject(dir)).rejects.toThrow(/source x\.c is not among the project's files/);
  });

  it('rvr codegen + rvr compile make a library that runs; options go to the right half', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-pio-'));
    const elf = await guestElf('hello', 'rv64im');
    const cg = await execa('node', [RVR, 'codegen', elf, '--out-dir', path.join(dir, 'c'), '--memory-bits', '24'], { reject: false });
    expect(cg.stderr).toBe('');
    expect(cg.exitCode).toBe(0);
    const so = path.join(dir, 'hello.so');
    const cc = await execa('node', [RVR, 'compile', path.join(dir, 'c'), '-o', so, '-O', '1'], { reject: false });
    expect(cc.exitCode, cc.stderr).toBe(0);
    const run = await execa('node', [RVR, 'run', so], { reject: false });
    expect(run.stdout.length).toBeGreaterThan(0);
    const wrong = await execa('node', [RVR, 'codegen', elf, '--out-dir', dir, '--march', 'x86-64-v3'], { reject: false });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/^rvr: --march belongs to 'compile', not 'codegen'/);
  });
});
