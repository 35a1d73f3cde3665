/**
 * ELF → loaded Program through the artifact cache: the one call a user needs to run a guest.
 * The library is checked (digest, record, embedded fingerprint) before it is loaded, and the
 * loaded library's own metadata must carry the same fingerprint.
 *
 * What is loaded is never the cache entry itself: the bytes that were checked are written to a
 * private file (a fresh 0700 directory in the temp directory), dlopened and unlinked at once, so
 * the mapping belongs to an inode nothing else can name. Truncating, overwriting or replacing
 * the cache entry while a process runs the program cannot touch it (a mapped file that shrinks
 * would SIGBUS the process), and nothing can change between the check and the load.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElfFile } from '../elf/types.js';
import { Program } from './program.js';
import { ArtifactCache } from '../cache/cache.js';
import { buildProgram, cachedLibrary, type BuildOptions, type CacheOutcome } from '../cache/build.js';

export interface LoadedProgram {
  program: Program;
  cache: CacheOutcome['status'];
  /** The fingerprint of the loaded library. */
  key: string;
  /**
   * The library's entry in the cache (with a cache). The program was loaded from a private copy
   * of it (`program.path`, already unlinked), never from this file.
   */
  library?: string;
  /** The pre-key over the inputs (with a cache and an ELF path). */
  preKey?: string;
  via?: CacheOutcome['via'];
  /** What codegen ignored (e.g. malformed debug info), when codegen ran. */
  warnings?: string[];
}

/**
 * Builds (or finds in the cache) the library for a guest ELF and loads it. The cache is on
 * unless `options.cache` is false (then the library is built in a temporary directory).
 */
export async function loadProgram(elf: string | ElfFile, options: BuildOptions = {}): Promise<LoadedProgram> {
  if (options.cache === false) {
    const dir = await mkdtemp(join(tmpdir(), 'rvr-load-'));
    try {
      const built = await buildProgram(elf, join(dir, 'guest.so'), { ...options, cache: false });
      const program = await Program.load(built.output);
      return { program, cache: 'off', key: built.fingerprint.digest, ...(built.project?.warnings ? { warnings: built.project.warnings } : {}) };
    } finally {
      // The library stays mapped after its file is gone.
      await rm(dir, { recursive: true, force: true });
    }
  }
  const cache = new ArtifactCache(options.cache ?? {});
  const found = await cachedLibrary(elf, options, cache);
  const program = await loadPrivateCopy(found.bytes, found.cache.key, found.library);
  const embedded = program.metadata.fingerprint;
  if (embedded !== found.cache.key) {
    throw new Error(`${found.library}: loaded library carries fingerprint ${String(embedded)}, expected ${found.cache.key}`);
  }
  return {
    program,
    library: found.library,
    cache: found.cache.status as 'hit' | 'miss',
    key: found.cache.key,
    ...(found.cache.preKey ? { preKey: found.cache.preKey } : {}),
    ...(found.cache.via ? { via: found.cache.via } : {}),
    ...(found.project?.warnings ? { warnings: found.project.warnings } : {}),
  };
}

/**
 * Programs loaded from private copies in this process, by fingerprint: loading the same
 * library again reuses the mapping instead of adding another copy (same fingerprint, checked
 * bytes: the same library). Weak, so a program nobody uses is still unloaded.
 */
const privateCopies = new Map<string, WeakRef<Program>>();

/** Loads `bytes` (a checked library with fingerprint `key`, from cache entry `entry`) from a private copy. */
async function loadPrivateCopy(bytes: Buffer, key: string, entry: string): Promise<Program> {
  const known = privateCopies.get(key)?.deref();
  if (known) return known;
  const dir = await mkdtemp(join(tmpdir(), 'rvr-lib-'));
  const file = join(dir, `${key.slice(0, 16)}.so`);
  let program: Program;
  try {
    await writeFile(file, bytes, { mode: 0o400, flag: 'wx' });
    program = await Program.load(file);
  } catch (err) {
    throw new Error(`${entry}: cannot load a private copy of the cached library (${(err as Error).message.split('\n')[0]})`);
  } finally {
    // The mapping outlives the file; from here on only this process can reach the copy.
    await rm(dir, { recursive: true, force: true });
  }
  privateCopies.set(key, new WeakRef(program));
  return program;
}
