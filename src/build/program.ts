/** ELF → shared library: codegen, then the host C compiler. */
import { readElf } from '../elf/parse.js';
import type { ElfFile } from '../elf/types.js';
import { generateProject, type CodegenOptions, type GeneratedProject } from '../emit/project.js';
import { compileProject, type CompileOptions, type CompileResult } from './compile.js';

export interface BuildOptions extends CodegenOptions, CompileOptions {}

export interface BuildResult extends CompileResult {
  project: GeneratedProject;
  /** Milliseconds spent in codegen and in the C compiler. */
  timings: { codegenMs: number; compileMs: number };
}

/** Recompile a guest ELF (a path or an already parsed file) into a shared library at `output`. */
export async function buildProgram(elf: string | ElfFile, output: string, options: BuildOptions = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const parsed = typeof elf === 'string' ? await readElf(elf) : elf;
  const project = generateProject(parsed, options);
  const t1 = performance.now();
  const compiled = await compileProject(project, output, options);
  const t2 = performance.now();
  return { ...compiled, project, timings: { codegenMs: t1 - t0, compileMs: t2 - t1 } };
}
