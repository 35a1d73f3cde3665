/**
 * The pre-key: a hash over a build's inputs alone (ELF bytes, mode, options, toolchain identity,
 * code generator), so a cache hit can skip codegen and the full fingerprint. It must change
 * whenever the library could; a pre-key miss that the fingerprint then finds is merely slower.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { platform, arch } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMemoryBits } from '../isa/abi.js';
import { DEFAULT_COST_TABLE } from '../isa/cost.js';
import type { CodegenOptions } from '../emit/project.js';
import { CODEGEN_VERSION } from '../emit/version.js';
import type { ArtifactCache } from './cache.js';
import { compileIdentityWith, type CompileOptions } from '../compile/compile.js';
import { canonicalJson, type FingerprintField } from '../compile/fingerprint.js';
import { findHostCompiler, resolveCommand, ToolchainError, type HostToolchain } from '../toolchain/host.js';

export interface PreKey {
  digest: string;
  fields: FingerprintField[];
  toolchain: HostToolchain;
}

/** Options that decide a library (the rest, like `jobs` or `sourceDir`, do not). */
export type PreKeyOptions = CodegenOptions & CompileOptions;

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function computePreKey(elfBytes: Uint8Array, options: PreKeyOptions, cache: ArtifactCache): Promise<PreKey> {
  const toolchain = await toolchainIdentity(options.cc, cache);
  const id = compileIdentityWith(toolchain, options);
  // EI_CLASS decides the default arena; a malformed ELF is diagnosed by codegen on the miss.
  const xlen = elfBytes[4] === 1 ? 32 : 64;
  const mode = options.mode ?? 'pure';
  const fields: FingerprintField[] = [
    { name: 'elf', value: `sha256:${sha256(elfBytes)} (${elfBytes.length} bytes)` },
    { name: 'mode', value: mode },
    { name: 'memory.bits', value: String(options.memoryBits ?? defaultMemoryBits(xlen)) },
    { name: 'costTable', value: mode === 'metered_cost' ? canonicalJson(options.costTable ?? DEFAULT_COST_TABLE) : '(none)' },
    { name: 'instructionsPerFile', value: String(options.instructionsPerFile ?? '(default)') },
    { name: 'debugInfo', value: String(options.debugInfo === true) },
    { name: 'compiler.path', value: toolchain.path },
    { name: 'compiler.version', value: toolchain.versionText },
    { name: 'march', value: id.march ?? '(none)' },
    { name: 'flags.compile', value: JSON.stringify(id.flags) },
    { name: 'flags.cold', value: JSON.stringify(id.coldFlags) },
    { name: 'flags.link', value: JSON.stringify(id.linkFlags) },
    { name: 'defines', value: canonicalJson(id.defines) },
    { name: 'host.os', value: platform() },
    { name: 'host.arch', value: arch() },
    { name: 'codegen.version', value: CODEGEN_VERSION },
    { name: 'codegen.identity', value: await codegenIdentity() },
  ];
  return { digest: preKeyDigest(fields), fields, toolchain };
}

/** The pre-key of a list of fields: SHA-256 over each name and value, length-prefixed. */
export function preKeyDigest(fields: readonly FingerprintField[]): string {
  const hash = createHash('sha256');
  for (const f of fields) {
    const name = Buffer.from(f.name);
    const value = Buffer.from(f.value);
    hash.update(`${name.length}:`).update(name).update(`${value.length}:`).update(value);
  }
  return hash.digest('hex');
}

/**
 * The compiler's identity without running it on every hit: `--version` is probed once per
 * version of the compiler file (path, inode, size, mtime, ctime of its real path) and kept in
 * the cache. Any change to the file (an upgrade, an edited wrapper script) probes again.
 */
async function toolchainIdentity(explicit: string | undefined, cache: ArtifactCache): Promise<HostToolchain> {
  const requested = explicit ?? process.env.RVR_CC;
  const candidates = requested ? [requested] : ['clang', 'gcc', 'cc'];
  let path: string | undefined;
  for (const c of candidates) {
    path = resolveCommand(c);
    if (path) break;
  }
  if (path === undefined) return findHostCompiler(explicit); // reports the missing compiler
  let statKey: string;
  try {
    const real = await realpath(path);
    const st = await stat(real, { bigint: true });
    statKey = sha256(JSON.stringify([path, real, st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].map(String)));
  } catch {
    return findHostCompiler(explicit);
  }
  const memo = (await cache.readToolchainRecord(statKey)) as Partial<HostToolchain> | undefined;
  if (memo && typeof memo.cc === 'string' && memo.path === path && typeof memo.version === 'string' && typeof memo.versionText === 'string') {
    return { cc: memo.cc, path: memo.path, version: memo.version, versionText: memo.versionText };
  }
  const probed = await findHostCompiler(explicit);
  if (probed.path !== path) throw new ToolchainError(`C compiler resolved to ${probed.path}, expected ${path}`);
  await cache.writeToolchainRecord(statKey, probed);
  return probed;
}

/** Folders of the modules whose code decides the generated C (ELF reader to emitter). */
const CODEGEN_DIRS = ['elf', 'isa', 'lift', 'emit'];
const ABI_HEADER = fileURLToPath(new URL('../../native/include/rvr/abi.h', import.meta.url));

let codegenIdentityMemo: Promise<string> | undefined;

/**
 * SHA-256 over the code generator's own files and the ABI header, so a changed code generator
 * never reuses a pre-key even when CODEGEN_VERSION was not bumped. I/O errors propagate.
 */
export function codegenIdentity(): Promise<string> {
  codegenIdentityMemo ??= (async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const hash = createHash('sha256');
    const files: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const e of (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const p = `${rel}/${e.name}`;
        if (e.isDirectory()) await walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    for (const d of CODEGEN_DIRS) await walk(d);
    for (const f of files) {
      const bytes = await readFile(join(root, f));
      hash.update(`${f.length}:${f}${bytes.length}:`).update(bytes);
    }
    const abi = await readFile(ABI_HEADER);
    hash.update(`abi.h${abi.length}:`).update(abi);
    return hash.digest('hex');
  })();
  return codegenIdentityMemo;
}
