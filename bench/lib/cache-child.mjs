#!/usr/bin/env node
/**
 * One process of the cache benchmark: loads a guest through the artifact cache (argv[2] is JSON
 * `{ elf, dir, input }`), then runs it twice. Prints one JSON line with the time loadProgram took
 * (a cold build, a pre-key hit or a fingerprint hit), the first run and a second run of the
 * already loaded program. Module loading is not timed: it is the same for every variant.
 */
import { loadProgram } from '../../dist/index.js';

const { elf, dir, input } = JSON.parse(process.argv[2]);
const t0 = performance.now();
const loaded = await loadProgram(elf, { cache: { dir } });
const loadMs = performance.now() - t0;
const timedRun = async () => {
  const t = performance.now();
  const r = await loaded.program.run({ input });
  return { ms: performance.now() - t, r };
};
const first = await timedRun();
const second = await timedRun();
process.stdout.write(
  JSON.stringify({
    cache: loaded.cache,
    via: loaded.via ?? null,
    key: loaded.key,
    loadMs,
    firstRunMs: first.ms,
    loadedRunMs: second.ms,
    status: first.r.status,
    exitCode: first.r.exitCode ?? null,
    stdout: first.r.stdout.toString('base64'),
    same: first.r.stdout.equals(second.r.stdout) && first.r.exitCode === second.r.exitCode,
  }) + '\n',
);
