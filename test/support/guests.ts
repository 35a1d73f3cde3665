/**
 * Test support: builds the differential guests (`test/guests/<name>.c|.S`) and benchmark guests
 * (`bench/guests/<name>.c`) into `test/.work/guests/<isa>/`, rebuilding only when a content hash
 * of every input (sources, SDK files, flags, compiler identity) differs from the stamp file.
 * Safe when several vitest workers build the same guest at once: each writes a temp file and
 * renames it into place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  compileGuest,
  guestCompileArgs,
  guestCompiler,
  guestSdkDir,
  GUEST_SDK_FILES,
  type GuestIsa,
} from '../../src/toolchain/guest.js';

export type { GuestIsa };
export const GUEST_ISAS: readonly GuestIsa[] = ['rv32im', 'rv64im'];
/** The same guests as compressed code (C and A multilibs; every even address is an instruction slot). */
export const COMPRESSED_ISAS: readonly GuestIsa[] = ['rv32imac', 'rv64imac'];

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_GUESTS_DIR = path.join(REPO_ROOT, 'test', 'guests');
export const BENCH_GUESTS_DIR = path.join(REPO_ROOT, 'bench', 'guests');
export const GUEST_WORK_DIR = path.join(REPO_ROOT, 'test', '.work', 'guests');

const SOURCE_EXTS = ['.c', '.S'] as const;

async function listNames(dir: string, exts: readonly string[]): Promise<string[]> {
  const entries = await readdir(dir);
  const names = new Set<string>();
  for (const e of entries) {
    const ext = path.extname(e);
    if (exts.includes(ext)) names.add(e.slice(0, -ext.length));
  }
  return [...names].sort();
}

/** Names of all differential guests (`test/guests/<name>.c` or `.S`), sorted. */
export function listGuests(): Promise<string[]> {
  return listNames(TEST_GUESTS_DIR, SOURCE_EXTS);
}

/** Names of all benchmark guests (`bench/guests/<name>.c`), sorted. */
export function listBenchGuests(): Promise<string[]> {
  return listNames(BENCH_GUESTS_DIR, ['.c']);
}

function sourceOf(dir: string, name: string): string {
  for (const ext of SOURCE_EXTS) {
    const p = path.join(dir, name + ext);
    if (existsSync(p)) return p;
  }
  throw new Error(`no guest source ${name}.c or ${name}.S in ${dir}`);
}

let compilerIdentity: Promise<string> | undefined;

/** `<cc> --version` (first line), computed once per process; missing compiler → clear error. */
function ccIdentity(): Promise<string> {
  compilerIdentity ??= (async () => {
    const cc = guestCompiler();
    const r = await execa(cc, ['--version'], { reject: false });
    if (r.exitCode !== 0) {
      throw new Error(
        `RISC-V guest compiler not found: '${cc}'; install it with ` +
          `'apt-get install gcc-riscv64-unknown-elf' or set RVR_GUEST_CC`,
      );
    }
    return `${cc}\n${String(r.stdout).split('\n')[0]}`;
  })();
  return compilerIdentity;
}

async function buildCached(
  kind: string,
  source: string,
  name: string,
  isa: GuestIsa,
  extraFlags: string[] = [],
): Promise<string> {
  const outDir = path.join(GUEST_WORK_DIR, isa);
  const output = path.join(outDir, `${kind === 'bench' ? 'bench-' : ''}${name}.elf`);
  const stamp = `${output}.stamp`;

  const options = { sources: [source], isa, output, extraFlags, cwd: REPO_ROOT };
  const hash = createHash('sha256');
  const field = (label: string, data: string | Buffer): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    hash.update(`${label}:${bytes.length}:`);
    hash.update(bytes);
  };
  field('compiler', await ccIdentity());
  field('args', JSON.stringify(guestCompileArgs(options)));
  field('source', await readFile(source));
  const sdk = guestSdkDir();
  for (const f of GUEST_SDK_FILES) field(`sdk/${f}`, await readFile(path.join(sdk, f)));
  const digest = hash.digest('hex');

  if (existsSync(output)) {
    const old = await readFile(stamp, 'utf8').catch(() => '');
    if (old.trim() === digest) return output;
  }

  await mkdir(outDir, { recursive: true });
  const tmp = `${output}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await compileGuest({ ...options, output: tmp });
    await rename(tmp, output);
  } finally {
    await rm(tmp, { force: true });
  }
  const stampTmp = `${stamp}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(stampTmp, digest + '\n');
  await rename(stampTmp, stamp);
  return output;
}

/** Builds `test/guests/<name>.c` (or `.S`) for `isa`; returns the ELF path. */
export function guestElf(name: string, isa: GuestIsa): Promise<string> {
  return buildCached('test', sourceOf(TEST_GUESTS_DIR, name), name, isa);
}

/**
 * Builds a test fixture source (e.g. `test/fixtures/debug/lines.c`) with extra flags into
 * `test/.work/guests/<isa>/<name>.elf`, cached like the differential guests.
 */
export function fixtureElf(source: string, name: string, isa: GuestIsa, extraFlags: string[] = []): Promise<string> {
  return buildCached('test', path.resolve(REPO_ROOT, source), name, isa, extraFlags);
}

/** Builds `bench/guests/<name>.c` for `isa`; returns the ELF path. */
export function benchElf(name: string, isa: GuestIsa): Promise<string> {
  return buildCached('bench', sourceOf(BENCH_GUESTS_DIR, name), name, isa);
}

/** What a differential guest is expected to do (from `test/guests/<name>.json` and friends). */
export interface GuestExpectation {
  input?: string;
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  publicOutput: Buffer;
}

async function readOptional(p: string): Promise<Buffer> {
  try {
    return await readFile(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** Expected input, exit code and outputs of `test/guests/<name>`; missing output files mean empty. */
export async function guestExpectation(name: string): Promise<GuestExpectation> {
  const base = path.join(TEST_GUESTS_DIR, name);
  const spec = JSON.parse(await readFile(`${base}.json`, 'utf8')) as {
    input?: unknown;
    exitCode?: unknown;
  };
  if (typeof spec.exitCode !== 'number') throw new Error(`${base}.json: exitCode missing`);
  if (spec.input !== undefined && typeof spec.input !== 'string') {
    throw new Error(`${base}.json: input must be a string`);
  }
  return {
    ...(spec.input !== undefined ? { input: spec.input } : {}),
    exitCode: spec.exitCode,
    stdout: await readOptional(`${base}.stdout`),
    stderr: await readOptional(`${base}.stderr`),
    publicOutput: await readOptional(`${base}.public`),
  };
}

/** Outcome of running a guest ELF under qemu-user. */
export interface QemuResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  publicOutput: Buffer;
}

/** `qemu-riscv32` or `qemu-riscv64` (overridable with `RVR_QEMU_RV32` / `RVR_QEMU_RV64`). */
export function qemuFor(isa: GuestIsa): string {
  const env = isa.startsWith('rv32') ? process.env['RVR_QEMU_RV32'] : process.env['RVR_QEMU_RV64'];
  if (env !== undefined && env !== '') return env;
  return isa.startsWith('rv32') ? 'qemu-riscv32' : 'qemu-riscv64';
}

/**
 * Runs a guest ELF under qemu-user with `input` on stdin and fd 3 (public output) as a pipe.
 * A missing qemu or a guest killed by a signal is an Error (never a skipped result).
 */
export async function runQemu(
  elf: string,
  isa: GuestIsa,
  input: string | Uint8Array = '',
  timeoutMs = 60_000,
): Promise<QemuResult> {
  const qemu = qemuFor(isa);
  const r = await execa(qemu, [elf], {
    input: typeof input === 'string' ? Buffer.from(input) : input,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    timeout: timeoutMs,
    // No QEMU_* settings from the caller's environment (QEMU_STRACE etc. would alter stderr).
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('QEMU_'))),
    extendEnv: false,
  });
  if (r.exitCode === undefined) {
    const code = (r as { code?: unknown }).code;
    if (code === 'ENOENT') {
      throw new Error(`${qemu} not found; install it with 'apt-get install qemu-user'`);
    }
    throw new Error(`${qemu} ${elf} did not exit normally: ${r.shortMessage}`);
  }
  const asBuf = (v: unknown): Buffer =>
    v === undefined || v === null ? Buffer.alloc(0) : Buffer.from(v as Uint8Array);
  return {
    exitCode: r.exitCode,
    stdout: asBuf(r.stdout),
    stderr: asBuf(r.stderr),
    publicOutput: asBuf(r.stdio[3]),
  };
}
