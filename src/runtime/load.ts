/**
 * ELF → loaded Program through the artifact cache: the one call a user needs to run a guest.
 * The library is checked (digest, record, embedded fingerprint) before it is loaded, and the
 * loaded library's own metadata must carry the same fingerprint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
  const program = await Program.load(found.library);
  const embedded = program.metadata.fingerprint;
  if (embedded !== found.cache.key) {
    throw new Error(`${found.library}: loaded library carries fingerprint ${String(embedded)}, expected ${found.cache.key}`);
  }
  return {
    program,
    cache: found.cache.status as 'hit' | 'miss',
    key: found.cache.key,
    ...(found.cache.preKey ? { preKey: found.cache.preKey } : {}),
    ...(found.cache.via ? { via: found.cache.via } : {}),
    ...(found.project?.warnings ? { warnings: found.project.warnings } : {}),
  };
}
