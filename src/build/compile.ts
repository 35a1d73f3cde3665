/**
 * Compile a generated C project into a shared library: files in parallel, then one link.
 * The output is written next to its final name and renamed into place, so a reader never sees
 * a partial library.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { GeneratedProject } from '../emit/project.js';
import { compileFlags, defaultMarch, findHostCompiler, linkFlags, ToolchainError, type HostToolchain } from './toolchain.js';

export interface CompileOptions {
  /** Host C compiler command (default: $RVR_CC, clang, gcc, cc). */
  cc?: string;
  /** Optimisation level without the dash (default O2). */
  optLevel?: string;
  /** Explicit CPU level, e.g. x86-64-v2 (default: a portable level for the host). */
  march?: string;
  /** Extra compiler flags (appended). */
  cflags?: string[];
  /** -D definitions added to every file (e.g. the fingerprint). */
  defines?: Record<string, string>;
  /** Parallel compiler processes (default: available cores). */
  jobs?: number;
  /** Keep the C sources here instead of a temporary directory. */
  sourceDir?: string;
}

export interface CompileResult {
  output: string;
  toolchain: HostToolchain;
  flags: string[];
  /** Flags of the cold sources (block tails). */
  coldFlags: string[];
}

export class CompileError extends Error {
  override name = 'CompileError';
}

/** Write the project's files under `dir`. */
export async function writeProject(project: GeneratedProject, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(project.files.map((f) => writeFile(join(dir, f.path), f.contents)));
}

export async function compileProject(project: GeneratedProject, output: string, options: CompileOptions = {}): Promise<CompileResult> {
  const toolchain = await findHostCompiler(options.cc);
  const optLevel = options.optLevel ?? 'O2';
  const flags = compileFlags({ optLevel, march: options.march ?? defaultMarch(), extra: options.cflags ?? [] });
  // Block tails run only after an unusual entry (mid-block jump, deep recursion): -O1 keeps
  // their compile time down without touching the hot code.
  const coldFlags = optLevel === 'O0' ? flags : compileFlags({ optLevel: 'O1', march: options.march ?? defaultMarch(), extra: options.cflags ?? [] });
  const cold = new Set(project.coldSources);
  const defines = Object.entries(options.defines ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `-D${k}=${v}`);
  const outPath = resolve(output);
  await mkdir(dirname(outPath), { recursive: true });
  const dir = options.sourceDir ? resolve(options.sourceDir) : await mkdtemp(join(tmpdir(), 'rvr-cc-'));
  try {
    await writeProject(project, dir);
    const jobs = Math.max(1, options.jobs ?? availableParallelism());
    // Largest files first so the longest compile starts early.
    const sources = [...project.sources].sort(
      (a, b) => sizeOf(project, b) - sizeOf(project, a) || (a < b ? -1 : 1),
    );
    const objects = sources.map((s) => s.replace(/\.c$/, '.o'));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sources.length) {
        const k = next++;
        // Relative paths, run inside the project directory: nothing absolute reaches the output.
        const fileFlags = cold.has(sources[k]) ? coldFlags : flags;
        const r = await execa(toolchain.cc, [...fileFlags, ...defines, '-c', sources[k], '-o', objects[k]], {
          cwd: dir,
          reject: false,
          stdin: 'ignore',
        });
        if (r.failed) throw compileFailure(toolchain, sources[k], r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, sources.length) }, worker));
    const tmpOut = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.tmp`);
    const link = await execa(toolchain.cc, [...linkFlags(), '-o', tmpOut, ...objects.sort()], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
    });
    if (link.failed) {
      await rm(tmpOut, { force: true });
      throw compileFailure(toolchain, 'link', link);
    }
    await rename(tmpOut, outPath);
    return { output: outPath, toolchain, flags: [...flags, ...defines], coldFlags: [...coldFlags, ...defines] };
  } finally {
    if (!options.sourceDir) await rm(dir, { recursive: true, force: true });
  }
}

function sizeOf(p: GeneratedProject, path: string): number {
  return p.files.find((f) => f.path === path)?.contents.length ?? 0;
}

function compileFailure(t: HostToolchain, what: string, r: { exitCode?: number; stderr?: unknown; message?: string }): Error {
  const err = String(r.stderr ?? '').trim();
  if (r.exitCode === undefined) return new ToolchainError(`${t.cc}: could not run (${r.message ?? 'unknown error'})`);
  const first = err.split('\n').slice(0, 20).join('\n');
  return new CompileError(`${t.cc} failed on ${what} (exit ${r.exitCode}):\n${first}`);
}
