/**
 * Compile a generated C project into a shared library: files in parallel, then one link.
 * The output is written next to its final name and renamed into place, so a reader never sees
 * a partial library.
 */
import { execa } from 'execa';
import { mkdir, mkdtemp, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { GeneratedProject } from '../emit/project.js';
import { computeFingerprint, fingerprintDefines, type CompileIdentity, type Fingerprint } from './fingerprint.js';
import { compileFlags, defaultMarch, findHostCompiler, linkFlags, ToolchainError, type HostToolchain } from '../toolchain/host.js';

export interface CompileOptions {
  /** Host C compiler command (default: $RVR_CC, clang, gcc, cc). */
  cc?: string;
  /** Optimisation level without the dash (default O2). */
  optLevel?: string;
  /** Explicit CPU level, e.g. x86-64-v2 (default: a portable level for the host). */
  march?: string;
  /** Extra compiler flags (appended). */
  cflags?: string[];
  /** -D definitions added to every file (part of the fingerprint; RVR_FINGERPRINT* are reserved). */
  defines?: Record<string, string>;
  /** Parallel compiler processes (default: available cores). */
  jobs?: number;
  /** Keep the C sources here instead of a temporary directory. */
  sourceDir?: string;
  /**
   * Host debug info (`-g`), with the project directory mapped to `.` so the library names no
   * temporary or checkout path. Both flags are part of the fingerprint.
   */
  debugInfo?: boolean;
}

/**
 * The project directory in a flag: the fingerprint records the flag with this placeholder, and
 * the compile driver puts the directory it actually compiles in (never hashed) in its place.
 */
export const PROJECT_DIR = '$PROJECT_DIR';
/** The flags `debugInfo` adds: debug info, with file names relative to the project directory. */
export const DEBUG_FLAGS: readonly string[] = ['-g', `-ffile-prefix-map=${PROJECT_DIR}=.`];

export interface CompileResult {
  output: string;
  toolchain: HostToolchain;
  flags: string[];
  /** Flags of the cold sources (block tails). */
  coldFlags: string[];
  /** The fingerprint embedded in the library (RVR_FINGERPRINT). */
  fingerprint: Fingerprint;
}

export class CompileError extends Error {
  override name = 'CompileError';
}

/** Write the project's files under `dir`. */
export async function writeProject(project: GeneratedProject, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(project.files.map((f) => writeFile(join(dir, f.path), f.contents)));
}

/**
 * The host compiler, flags and defines a compile with these options would use: everything
 * besides the project that decides the library's bytes.
 */
export async function compileIdentity(options: CompileOptions = {}): Promise<CompileIdentity> {
  const toolchain = await findHostCompiler(options.cc);
  return compileIdentityWith(toolchain, options);
}

/** {@link compileIdentity} for an already resolved toolchain. */
export function compileIdentityWith(toolchain: HostToolchain, options: CompileOptions = {}): CompileIdentity {
  const optLevel = options.optLevel ?? 'O2';
  const march = options.march ?? defaultMarch();
  const extra = [...(options.debugInfo ? DEBUG_FLAGS : []), ...(options.cflags ?? [])];
  const flags = compileFlags({ optLevel, march, extra });
  // Block tails run only after an unusual entry (mid-block jump, deep recursion): -O1 keeps
  // their compile time down without touching the hot code.
  const coldFlags = optLevel === 'O0' ? flags : compileFlags({ optLevel: 'O1', march, extra });
  const defines = options.defines ?? {};
  for (const name of Object.keys(defines)) {
    if (name.startsWith('RVR_FINGERPRINT')) throw new CompileError(`-D${name} is reserved: the compile driver defines it`);
  }
  return { toolchain, march, flags, coldFlags, linkFlags: linkFlags(), defines };
}

/** The fingerprint `compileProject(project, _, options)` embeds. */
export async function projectFingerprint(project: GeneratedProject, options: CompileOptions = {}): Promise<Fingerprint> {
  return computeFingerprint(project, await compileIdentity(options));
}

/**
 * Compile a project into a shared library at `output`. Computes the project's fingerprint
 * and compiles it in (RVR_FINGERPRINT, RVR_FINGERPRINT_FIELDS), so every way of compiling a
 * project (API, CLI, Bazel action) embeds the same fingerprint for the same inputs.
 */
export async function compileProject(project: GeneratedProject, output: string, options: CompileOptions = {}): Promise<CompileResult> {
  const id = await compileIdentity(options);
  const { toolchain, flags, coldFlags } = id;
  const fingerprint = computeFingerprint(project, id);
  const cold = new Set(project.coldSources);
  const defines = Object.entries({ ...id.defines, ...fingerprintDefines(fingerprint) })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `-D${k}=${v}`);
  const outPath = resolve(output);
  await mkdir(dirname(outPath), { recursive: true });
  const dir = options.sourceDir ? resolve(options.sourceDir) : await mkdtemp(join(tmpdir(), 'rvr-cc-'));
  try {
    await writeProject(project, dir);
    // The compiler records its working directory as it finds it (symbolic links resolved).
    const physicalDir = options.debugInfo ? await realpath(dir) : dir;
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
        const fileFlags = (cold.has(sources[k]) ? coldFlags : flags).map((f) => (DEBUG_FLAGS.includes(f) ? f.replace(PROJECT_DIR, () => physicalDir) : f));
        const r = await execa(toolchain.cc, [...fileFlags, ...defines, '-c', sources[k], '-o', objects[k]], {
          cwd: physicalDir,
          reject: false,
          stdin: 'ignore',
        });
        if (r.failed) throw compileFailure(toolchain, sources[k], r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, sources.length) }, worker));
    const tmpOut = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.tmp`);
    const link = await execa(toolchain.cc, [...id.linkFlags, '-o', tmpOut, ...objects.sort()], {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
    });
    if (link.failed) {
      await rm(tmpOut, { force: true });
      throw compileFailure(toolchain, 'link', link);
    }
    await rename(tmpOut, outPath);
    return { output: outPath, toolchain, flags: [...flags, ...defines], coldFlags: [...coldFlags, ...defines], fingerprint };
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
