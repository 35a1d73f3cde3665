/**
 * Building the three executables of one benchmark: the RISC-V guest ELF (guest SDK), the native
 * binary (same C + bench/native/rvr_native.c) and the recompiled shared library.
 *
 * The native binary is compiled with exactly the flags the recompiled library's C is compiled
 * with (compiler, -O level, -march level and the rest of `compileFlags`), so the comparison
 * measures the translation, not a difference in compiler settings.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

import { compileGuest, guestCompiler } from '../../dist/toolchain/guest.js';
import { buildProgram } from '../../dist/cache/build.js';
import { compileFlags, defaultMarch, findHostCompiler } from '../../dist/toolchain/host.js';

/** @typedef {import('./args.mjs').GuestIsa} GuestIsa */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_GUESTS_DIR = path.join(REPO_ROOT, 'bench', 'guests');
export const WORK_DIR = path.join(REPO_ROOT, 'bench', '.work');
const NATIVE_SHIM = path.join(REPO_ROOT, 'bench', 'native', 'rvr_native.c');
const GUEST_INCLUDE = path.join(REPO_ROOT, 'guest', 'include');

/** Optimisation level of both the native binary and the recompiled library. */
export const OPT_LEVEL = 'O2';

/**
 * @typedef {object} HostBuild
 * @property {string} cc Host C compiler command.
 * @property {string} version First line of `cc --version`.
 * @property {string | undefined} march CPU level (`-march=`), shared by native and recompiled.
 * @property {string} optLevel e.g. `O2`.
 * @property {string[]} flags Compile flags of the recompiled C, reused for the native binary.
 */

/**
 * The host compiler and flags, resolved the same way `buildProgram` resolves them.
 * @returns {Promise<HostBuild>}
 */
export async function hostBuild() {
  const toolchain = await findHostCompiler();
  const march = defaultMarch();
  const flags = compileFlags({ optLevel: OPT_LEVEL, march, extra: [] });
  return { cc: toolchain.cc, version: toolchain.version, march, optLevel: OPT_LEVEL, flags };
}

/**
 * @typedef {object} Benchmark
 * @property {string} name
 * @property {string} source Absolute path of `<name>.c`.
 */

/**
 * Benchmark guests (`<dir>/<name>.c`), sorted, keeping those whose name contains any filter.
 * @param {string} dir
 * @param {string[]} filters
 * @returns {Promise<Benchmark[]>}
 */
export async function listBenchmarks(dir, filters) {
  if (!existsSync(dir)) throw new Error(`no benchmark guests: ${dir} does not exist`);
  const names = (await readdir(dir))
    .filter((f) => f.endsWith('.c'))
    .map((f) => f.slice(0, -2))
    .sort();
  const picked = filters.length === 0 ? names : names.filter((n) => filters.some((f) => n.includes(f)));
  return picked.map((name) => ({ name, source: path.join(dir, `${name}.c`) }));
}

/**
 * @typedef {object} BuiltBenchmark
 * @property {string} elf RISC-V guest ELF.
 * @property {string} native Native executable.
 * @property {string} library Recompiled shared library.
 * @property {string} sourceDir Generated C of the library (kept for inspection).
 * @property {{ elfMs: number, nativeMs: number, codegenMs: number, compileMs: number }} timings
 */

/**
 * Builds everything for one benchmark and ISA under `bench/.work/<isa>/`.
 * @param {Benchmark} bench
 * @param {GuestIsa} isa
 * @param {HostBuild} host
 * @returns {Promise<BuiltBenchmark>}
 */
export async function buildBenchmark(bench, isa, host) {
  const dir = path.join(WORK_DIR, isa);
  await mkdir(dir, { recursive: true });
  const elf = path.join(dir, `${bench.name}.elf`);
  const native = path.join(WORK_DIR, 'native', bench.name);
  const library = path.join(dir, `${bench.name}.so`);
  const sourceDir = path.join(dir, `${bench.name}.c.d`);

  let t = performance.now();
  await buildElf(bench, isa);
  const elfMs = performance.now() - t;

  t = performance.now();
  await buildNative(bench.source, native, host);
  const nativeMs = performance.now() - t;

  await rm(sourceDir, { recursive: true, force: true });
  const built = await buildProgram(elf, library, {
    cc: host.cc,
    march: host.march,
    optLevel: host.optLevel,
    sourceDir,
  });
  checkSameFlags(built.flags, host.flags, bench.name);
  return { elf, native, library, sourceDir, timings: { elfMs, nativeMs, ...built.timings } };
}

/**
 * Compiles the benchmark guest to `bench/.work/<isa>/<name>.elf` with the guest SDK.
 * @param {Benchmark} bench
 * @param {GuestIsa} isa
 * @returns {Promise<string>} the ELF path.
 */
export async function buildElf(bench, isa) {
  const dir = path.join(WORK_DIR, isa);
  await mkdir(dir, { recursive: true });
  const elf = path.join(dir, `${bench.name}.elf`);
  await compileGuest({ sources: [bench.source], isa, output: elf, cwd: REPO_ROOT });
  return elf;
}

/** Execution modes a library can be compiled for (src/emit/meter.ts). */
export const MODES = /** @type {const} */ (['pure', 'metered', 'metered_cost']);

/** @typedef {(typeof MODES)[number]} Mode */

/**
 * Builds one recompiled library per execution mode under `bench/.work/<isa>/modes/`, with the
 * same compiler and flags as the main benchmark library (metered_cost uses the default cost
 * table). The three builds run concurrently; nothing is timed meanwhile.
 * @param {Benchmark} bench
 * @param {GuestIsa} isa
 * @param {string} elf The guest ELF.
 * @param {HostBuild} host
 * @param {string} [pureLibrary] An already built pure library to reuse (same options).
 * @returns {Promise<Record<Mode, string>>} library path per mode.
 */
export async function buildModeLibraries(bench, isa, elf, host, pureLibrary) {
  const dir = path.join(WORK_DIR, isa, 'modes');
  await mkdir(dir, { recursive: true });
  const paths = await Promise.all(
    MODES.map(async (mode) => {
      if (mode === 'pure' && pureLibrary !== undefined) return pureLibrary;
      const library = path.join(dir, `${bench.name}.${mode}.so`);
      const sourceDir = path.join(dir, `${bench.name}.${mode}.c.d`);
      await rm(sourceDir, { recursive: true, force: true });
      const built = await buildProgram(elf, library, {
        cc: host.cc,
        march: host.march,
        optLevel: host.optLevel,
        sourceDir,
        mode,
      });
      checkSameFlags(built.flags, host.flags, `${bench.name} (${mode})`);
      return library;
    }),
  );
  return /** @type {Record<Mode, string>} */ (Object.fromEntries(MODES.map((m, i) => [m, paths[i]])));
}

/**
 * Compiles the guest C natively against the POSIX shim with the recompiler's flags.
 * The native binary does not depend on the ISA, so it is shared by rv32im and rv64im.
 * @param {string} source
 * @param {string} output
 * @param {HostBuild} host
 */
export async function buildNative(source, output, host) {
  await mkdir(path.dirname(output), { recursive: true });
  const args = [...host.flags, '-I', GUEST_INCLUDE, NATIVE_SHIM, source, '-o', output];
  const r = await execa(host.cc, args, { reject: false, stdin: 'ignore', all: true });
  if (r.exitCode !== 0) {
    throw new Error(`native build of ${source} failed (${host.cc} ${args.join(' ')}):\n${String(r.all ?? r.shortMessage)}`);
  }
}

/**
 * Fails when the library's C was compiled with flags other than the native binary's.
 * @param {string[]} libraryFlags Flags `buildProgram` reports (may add -D defines).
 * @param {string[]} nativeFlags
 * @param {string} name
 */
function checkSameFlags(libraryFlags, nativeFlags, name) {
  const withoutDefines = libraryFlags.filter((f) => !f.startsWith('-D'));
  if (withoutDefines.join(' ') !== nativeFlags.join(' ')) {
    throw new Error(
      `${name}: recompiled library flags drifted from the native flags:\n` +
        `  library: ${withoutDefines.join(' ')}\n  native:  ${nativeFlags.join(' ')}`,
    );
  }
}

/**
 * First line of `<cmd> --version`, or `unknown` when it cannot be run.
 * @param {string} cmd
 * @returns {Promise<string>}
 */
export async function toolVersion(cmd) {
  const r = await execa(cmd, ['--version'], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0 ? String(r.stdout).split('\n')[0].trim() : 'unknown';
}

/** The RISC-V cross compiler command used for the guest ELFs. */
export function guestCc() {
  return guestCompiler();
}
