/**
 * Builds RISC-V guest ELFs from C/assembly sources with the guest SDK (`guest/`): start-up code,
 * linker script, system calls and the freestanding helper library.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** Guest ISAs the SDK builds for (multilibs of riscv64-unknown-elf-gcc). */
export type GuestIsa = 'rv32im' | 'rv64im' | 'rv32imac' | 'rv64imac';
export const GUEST_ISA_VALUES: readonly GuestIsa[] = ['rv32im', 'rv64im', 'rv32imac', 'rv64imac'];

export interface CompileGuestOptions {
  /** Guest C (`.c`) or assembly (`.S`, `.s`) sources. */
  sources: string[];
  isa: GuestIsa;
  /** Path of the ELF to write. */
  output: string;
  /** Optimisation flag without the dash-O, e.g. `'2'`, `'s'`; `-O2` by default. Also accepts `'-O3'`. */
  optLevel?: string;
  /** Compile with DWARF debug info (`-g`), file names relative to `cwd` and the SDK. */
  debug?: boolean;
  /** Flags appended after the SDK flags (e.g. `-DNAME=1`, `-Wall`). */
  extraFlags?: string[];
  /** Working directory of the compiler (default: `process.cwd()`); paths below it are passed relative. */
  cwd?: string;
  /** Cross compiler; default `RVR_GUEST_CC` or `riscv64-unknown-elf-gcc`. */
  cc?: string;
}

/** Default cross compiler: `RVR_GUEST_CC` or `riscv64-unknown-elf-gcc` on PATH. */
export function guestCompiler(): string {
  const fromEnv = process.env['RVR_GUEST_CC'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'riscv64-unknown-elf-gcc';
}

/**
 * The guest SDK directory (`<repo>/guest`). This module is `src/toolchain/guest.ts` (vitest) or
 * `dist/toolchain/guest.js` (after tsc); both are two levels below the package root.
 */
export function guestSdkDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidate = path.resolve(here, '..', '..', 'guest');
  if (existsSync(path.join(candidate, 'include', 'rvr_guest.h'))) return candidate;
  // Fallback for unusual layouts (e.g. a bundled file one level deeper).
  const deeper = path.resolve(here, '..', '..', '..', 'guest');
  if (existsSync(path.join(deeper, 'include', 'rvr_guest.h'))) return deeper;
  return candidate;
}

/** The SDK files every guest is built from, relative to {@link guestSdkDir}. */
export const GUEST_SDK_FILES = [
  'include/rvr_guest.h',
  'start.S',
  'src/syscalls_riscv.c',
  'src/lib.c',
  'link.ld',
] as const;

/** `-mabi` for an ISA string. */
export function guestAbi(isa: GuestIsa): 'ilp32' | 'lp64' {
  return isa.startsWith('rv32') ? 'ilp32' : 'lp64';
}

/**
 * The compiler arguments (without the compiler itself) used by {@link compileGuest}, with paths
 * made relative to `cwd` where they lie below it. Exposed so callers can hash them.
 */
export function guestCompileArgs(options: CompileGuestOptions): string[] {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const sdk = guestSdkDir();
  const rel = (p: string): string => {
    const abs = path.resolve(cwd, p);
    const r = path.relative(cwd, abs);
    return r !== '' && !r.startsWith('..') && !path.isAbsolute(r) ? r : abs;
  };
  const sdkPath = (p: string): string => rel(path.join(sdk, p));
  const opt = options.optLevel ?? '2';
  const optFlag = opt.startsWith('-') ? opt : `-O${opt}`;
  return [
    `-march=${options.isa}`,
    `-mabi=${guestAbi(options.isa)}`,
    optFlag,
    ...(options.debug ? ['-g'] : []),
    '-ffreestanding',
    '-nostdlib',
    '-nostartfiles',
    '-fno-pic',
    '-static',
    '-fno-asynchronous-unwind-tables',
    '-fno-unwind-tables',
    // Keep the checkout location out of __FILE__ and any debug info. gcc passes only the
    // -fdebug-prefix-map form on to the assembler (start.S), so both are given.
    `-ffile-prefix-map=${sdk}=rvr-guest`,
    `-ffile-prefix-map=${cwd}=.`,
    `-fdebug-prefix-map=${sdk}=rvr-guest`,
    `-fdebug-prefix-map=${cwd}=.`,
    '-I',
    sdkPath('include'),
    '-T',
    sdkPath('link.ld'),
    sdkPath('start.S'),
    sdkPath('src/syscalls_riscv.c'),
    sdkPath('src/lib.c'),
    ...options.sources.map(rel),
    ...(options.extraFlags ?? []),
    '-lgcc',
    '-o',
    rel(options.output),
  ];
}

/** Compile guest sources into a static RISC-V ELF linked with the guest SDK. */
export async function compileGuest(options: CompileGuestOptions): Promise<void> {
  if (options.sources.length === 0) throw new Error('compileGuest: no sources given');
  const cc = options.cc ?? guestCompiler();
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const args = guestCompileArgs({ ...options, cwd });
  await mkdir(path.dirname(path.resolve(cwd, options.output)), { recursive: true });
  const result = await execa(cc, args, { cwd, reject: false, stripFinalNewline: false });
  if (result.exitCode === undefined) {
    // The process never ran (or was killed by a signal).
    const code = (result as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EACCES') throw missingCompiler(cc, result);
    throw new Error(`guest compile failed: could not run ${cc}: ${result.shortMessage}`);
  }
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr ?? '').trim();
    throw new Error(
      `guest compile failed (${cc} exited with ${String(result.exitCode)}) for ` +
        `${options.sources.join(', ')} [${options.isa}]:\n${stderr}`,
    );
  }
}

function missingCompiler(cc: string, cause: unknown): Error {
  const hint =
    process.env['RVR_GUEST_CC'] !== undefined && process.env['RVR_GUEST_CC'] !== ''
      ? ' (set by RVR_GUEST_CC)'
      : '';
  return new Error(
    `RISC-V guest compiler not found: '${cc}'${hint}; install it with ` +
      `'apt-get install gcc-riscv64-unknown-elf' or set RVR_GUEST_CC to a riscv64 gcc`,
    { cause },
  );
}
