/** ELF → shared library: codegen, then the host C compiler; through the artifact cache when asked. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseElf } from '../elf/parse.js';
import { ElfError, type ElfFile } from '../elf/types.js';
import { generateProject, type CodegenOptions, type GeneratedProject } from '../emit/project.js';
import { ArtifactCache, foreignPreKeyLine, PREKEY_FORMAT, type CacheOptions, type PreKeyRecord } from './cache.js';
import { compileIdentityWith, compileProject, projectFingerprint, type CompileOptions, type CompileResult } from '../compile/compile.js';
import { fingerprintDefines, type CompileIdentity, type Fingerprint } from '../compile/fingerprint.js';
import { computePreKey } from './prekey.js';
import { findHostCompiler } from '../toolchain/host.js';

export interface BuildOptions extends CodegenOptions, CompileOptions {
  /**
   * The artifact cache: options (directory, size limit) or false for none. `buildProgram`
   * uses no cache unless this is given; `loadProgram` and the CLI use the default cache.
   */
  cache?: CacheOptions | false;
}

/** How a build was served: `hit` (from the cache), `miss` (compiled and stored) or `off`. */
export interface CacheOutcome {
  status: 'hit' | 'miss' | 'off';
  /** Which key found the entry: the pre-key (no codegen) or the full fingerprint (codegen ran). */
  via?: 'prekey' | 'fingerprint';
  /** The fingerprint (the entry's key). */
  key: string;
  /** The pre-key over the inputs (absent when the ELF was given parsed, or without a cache). */
  preKey?: string;
  /** The cache directory. */
  dir?: string;
}

export interface BuildResult extends CompileResult {
  /** The generated project (absent on a pre-key hit: codegen did not run). */
  project?: GeneratedProject;
  summary: GeneratedProject['summary'];
  cache: CacheOutcome;
  /** Milliseconds spent in codegen and in the C compiler (0 when skipped). */
  timings: { codegenMs: number; compileMs: number };
}

/** Recompile a guest ELF (a path or an already parsed file) into a shared library at `output`. */
export async function buildProgram(elf: string | ElfFile, output: string, options: BuildOptions = {}): Promise<BuildResult> {
  if (!options.cache) {
    const t0 = performance.now();
    const parsed = typeof elf === 'string' ? parseElf(await readElf(elf), elf) : elf;
    const project = generateProject(parsed, options);
    const t1 = performance.now();
    const compiled = await compileProject(project, output, options);
    const t2 = performance.now();
    return {
      ...compiled,
      project,
      summary: project.summary,
      cache: { status: 'off', key: compiled.fingerprint.digest },
      timings: { codegenMs: t1 - t0, compileMs: t2 - t1 },
    };
  }
  const cached = await cachedLibrary(elf, options, new ArtifactCache(options.cache));
  // The verified bytes (not the entry file, which may have changed since), written beside the
  // output and renamed: the cached file stays untouched and the output is never seen half-written.
  const outPath = resolve(output);
  await mkdir(dirname(outPath), { recursive: true });
  const tmp = join(dirname(outPath), `.${basename(outPath)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, cached.bytes);
    await rename(tmp, outPath);
  } finally {
    await rm(tmp, { force: true });
  }
  return { ...cached, output: outPath };
}

/** A cached library: its path inside the cache plus how it was found. */
export interface CachedLibrary extends BuildResult {
  /** The library's entry inside the cache (do not load or write it: it may change under you). */
  library: string;
  /**
   * The library's contents, as verified against the entry's record and the fingerprint: what
   * to load (from a private copy) or copy out, so nothing done to the cache later can reach it.
   */
  bytes: Buffer;
}

/**
 * The library for `elf` and `options` from the cache: pre-key hit (no codegen), else codegen and
 * a fingerprint hit, else compile and store under both keys. Corrupt entries are moved aside,
 * reported and rebuilt.
 */
export async function cachedLibrary(elf: string | ElfFile, options: BuildOptions, cache: ArtifactCache): Promise<CachedLibrary> {
  const name = typeof elf === 'string' ? elf : elf.name;
  const elfBytes = typeof elf === 'string' ? await readElf(elf) : undefined;
  await cache.repairLayout();
  const preKey = elfBytes ? await computePreKey(elfBytes, options, cache) : undefined;
  const outcome = (status: 'hit' | 'miss', via: CacheOutcome['via'], key: string): CacheOutcome => ({
    status,
    ...(via ? { via } : {}),
    key,
    ...(preKey ? { preKey: preKey.digest } : {}),
    dir: cache.dir,
  });

  if (preKey) {
    const record = await cache.readPreKey(preKey.digest);
    if (!record) {
      cache.debug(`miss for ${name}: no pre-key record ${preKey.digest.slice(0, 16)} (new inputs); running codegen`);
    } else {
      // The record only says where to look; the entry itself must record that these inputs built it.
      const check = await cache.checkEntry(record.fingerprint);
      const inputs = check.state === 'ok' ? await cache.checkInputs(record) : undefined;
      if (check.state === 'ok' && inputs?.state === 'ok') {
        await cache.touch(record.fingerprint);
        const fingerprint: Fingerprint = { digest: record.fingerprint, fields: check.record.fields };
        return {
          library: check.library,
          bytes: check.bytes,
          output: check.library,
          ...reportedFlags(compileIdentityWith(preKey.toolchain, options), fingerprint),
          fingerprint,
          summary: check.record.summary,
          cache: outcome('hit', 'prekey', record.fingerprint),
          timings: { codegenMs: 0, compileMs: 0 },
        };
      }
      if (inputs?.state === 'foreign') await cache.quarantineRecord(cache.preKeyFile(preKey.digest), foreignPreKeyLine(cache.preKeyFile(preKey.digest), record.fingerprint, inputs.problem));
      else if (inputs?.state === 'corrupt') await cache.quarantine(record.fingerprint, inputs.problem);
      else if (check.state === 'corrupt') await cache.quarantine(record.fingerprint, check.problem);
      else cache.debug(`miss for ${name}: pre-key ${preKey.digest.slice(0, 16)} names entry ${record.fingerprint.slice(0, 16)}, which is gone (evicted?)`);
    }
  }

  const t0 = performance.now();
  const parsed = elfBytes ? parseElf(elfBytes, name) : (elf as ElfFile);
  const project = generateProject(parsed, options);
  const fingerprint = await projectFingerprint(project, options);
  const t1 = performance.now();
  const key = fingerprint.digest;
  // The entry records the inputs first, then the pre-key record may point at it.
  const recordPreKey = async (): Promise<void> => {
    if (!preKey) return;
    const record: PreKeyRecord = { format: PREKEY_FORMAT, preKey: preKey.digest, fingerprint: key, fields: preKey.fields };
    await cache.recordInputs(record);
    await cache.writePreKey(record);
  };

  const existing = await cache.checkEntry(key);
  if (existing.state === 'ok') {
    await cache.touch(key);
    await recordPreKey();
    return finish(existing, 'hit', 'fingerprint', undefined, 0);
  }
  if (existing.state === 'corrupt') await cache.quarantine(key, existing.problem);
  else cache.debug(`miss for ${name}: no entry for fingerprint ${key.slice(0, 16)}; compiling`);

  let compiled: CompileResult | undefined;
  const published = await cache.publish(key, fingerprint.fields, project.summary, async (library) => {
    compiled = await compileProject(project, library, options);
    if (compiled.fingerprint.digest !== key) {
      throw new Error(`${name}: fingerprint changed between lookup and compile (was the compiler replaced meanwhile?)`);
    }
  });
  const t2 = performance.now();
  await recordPreKey();
  await cache.enforceLimit(key);
  return finish(published, 'miss', undefined, compiled, t2 - t1);

  async function finish({ library, bytes }: { library: string; bytes: Buffer }, status: 'hit' | 'miss', via: CacheOutcome['via'], c: CompileResult | undefined, compileMs: number): Promise<CachedLibrary> {
    const flags = c ?? reportedFlags(compileIdentityWith(preKey?.toolchain ?? (await findHostCompiler(options.cc)), options), fingerprint);
    return {
      library,
      bytes,
      output: library,
      toolchain: flags.toolchain,
      flags: flags.flags,
      coldFlags: flags.coldFlags,
      fingerprint,
      project,
      summary: project.summary,
      cache: outcome(status, via, key),
      timings: { codegenMs: t1 - t0, compileMs },
    };
  }
}

/** The toolchain and flags a compile reports (defines included) for a build that did not compile. */
function reportedFlags(id: CompileIdentity, fingerprint: Fingerprint): Pick<CompileResult, 'toolchain' | 'flags' | 'coldFlags'> {
  const defines = Object.entries({ ...id.defines, ...fingerprintDefines(fingerprint) })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `-D${k}=${v}`);
  return { toolchain: id.toolchain, flags: [...id.flags, ...defines], coldFlags: [...id.coldFlags, ...defines] };
}

async function readElf(path: string): Promise<Buffer> {
  return readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new ElfError(path, `cannot read file (${e.code ?? String(e.message).split('\n')[0]})`);
  });
}
