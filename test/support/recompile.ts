/**
 * Recompile guest ELFs for tests, reusing a library when the generated C project and the
 * compile options are the same (codegen is fast; the C compiler is the slow step).
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { compileProject, type CompileOptions } from '../../src/compile/compile.js';
import { readElf } from '../../src/elf/parse.js';
import type { ElfFile } from '../../src/elf/types.js';
import { generateProject, type CodegenOptions } from '../../src/emit/project.js';
import { REPO_ROOT } from './guests.js';

export const SO_WORK_DIR = path.join(REPO_ROOT, 'test', '.work', 'so');

export interface RecompileOptions extends CodegenOptions, CompileOptions {}

/** Path of a library for `elf` (path or parsed), built if no identical build exists. */
export async function recompiled(elf: string | ElfFile, options: RecompileOptions = {}): Promise<string> {
  const parsed = typeof elf === 'string' ? await readElf(elf) : elf;
  const project = generateProject(parsed, options);
  const h = createHash('sha256');
  for (const f of project.files) h.update(`${f.path}\0${f.contents.length}\0${f.contents}`);
  h.update(JSON.stringify({ cc: options.cc, opt: options.optLevel, march: options.march, cflags: options.cflags, debugInfo: options.debugInfo }));
  const key = h.digest('hex').slice(0, 32);
  const out = path.join(SO_WORK_DIR, `${key}.so`);
  try {
    await stat(out);
    return out;
  } catch {
    // not built yet
  }
  await mkdir(SO_WORK_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  await compileProject(project, tmp, { ...options, cflags: ['-Werror', ...(options.cflags ?? [])] });
  await rename(tmp, out);
  return out;
}
