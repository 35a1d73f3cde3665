#!/usr/bin/env node
/**
 * One process of the cache tests: loads a guest ELF through the artifact cache with the
 * options given as JSON (argv[2]: { elf, options, input? }), runs it once and prints one JSON
 * line: how the cache served it, the keys, the cache entry's library and the loaded program's
 * path (a private copy, never the entry) and fingerprint, and the
 * guest's exit code and stdout. Uses the built dist/ as a user would.
 */
import { loadProgram } from '../../dist/index.js';

const { elf, options = {}, input = '' } = JSON.parse(process.argv[2]);
const loaded = await loadProgram(elf, options);
const result = await loaded.program.run({ input });
process.stdout.write(
  JSON.stringify({
    cache: loaded.cache,
    via: loaded.via ?? null,
    key: loaded.key,
    preKey: loaded.preKey ?? null,
    library: loaded.library ?? null,
    programPath: loaded.program.path,
    fingerprint: loaded.program.fingerprint ?? null,
    mode: loaded.program.mode,
    memoryBits: loaded.program.memoryBits,
    status: result.status,
    exitCode: result.exitCode ?? null,
    stdout: result.stdout.toString('utf8'),
  }) + '\n',
);
