#!/usr/bin/env node
/**
 * Benchmark harness (`npm run bench`, DESIGN.md §9): for every guest in bench/guests, builds the
 * RISC-V ELF, the native binary (same C, same host compiler and flags) and the recompiled
 * library, then measures in one run on this machine:
 *
 *   - native, recompiled and qemu-user at the default scale (best of N), checking that all
 *     three print the same stdout and exit code;
 *   - the reference interpreter and the recompiled library at scale 1 (interp/recompiled).
 *
 * Prints a table with the ratios, the recompiled/native geomean and whether the speed bars hold
 * (geomean ≤ 2× native; faster than qemu-user on every benchmark).
 *
 * Then the execution-mode comparison (bench/lib/modes.mjs; alone with --modes-only): the guest
 * recompiled as pure, metered and metered_cost, timed as pure, pure with a limit never reached,
 * pure in 100 pieces, metered, metered_cost and metered_cost with a cost ceiling never reached,
 * with the goals metered ≤ 1.15×, metered_cost ≤ 1.10× and pure with a limit ≤ 1.05× pure.
 *
 * Then the artifact-cache comparison (bench/lib/cache.mjs; alone with --cache-only): cold build
 * vs pre-key hit vs full-fingerprint hit in fresh processes, for the smallest and the largest
 * guest, with the goals pre-key hit ≤ 50 ms over a run of the loaded program and ≥ 50× faster
 * than a cold build.
 *
 * Exit status 0 even when a bar or goal is missed; 1 on any disagreement between executors or
 * modes, or a failed build; 2 on a usage error. See `node bench/run.mjs --help`.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseBenchArgs, USAGE } from './lib/args.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Input selecting the guest's default scale (empty) and the small scale. */
const DEFAULT_SCALE = '';
const SMALL_SCALE = '1';

/** @param {string} msg */
function progress(msg) {
  process.stderr.write(`${msg}\n`);
}

/** @param {number} v */
const fmt = (v) => `${v.toFixed(1)} ms`;

/** Libraries built by the main comparison, reused by the mode comparison: `<isa>/<name>`. */
/** @type {Map<string, import('./lib/build.mjs').BuiltBenchmark>} */
const builtByKey = new Map();

/**
 * Measures one benchmark for one ISA.
 * @param {import('./lib/build.mjs').Benchmark} bench
 * @param {import('./lib/args.mjs').GuestIsa} isa
 * @param {import('./lib/build.mjs').HostBuild} host
 * @param {import('./lib/args.mjs').BenchOptions} opts
 * @returns {Promise<import('./lib/report.mjs').Row>}
 */
async function measure(bench, isa, host, opts) {
  const { buildBenchmark } = await import('./lib/build.mjs');
  const t = await import('./lib/timing.mjs');
  /** @type {import('./lib/report.mjs').Row} */
  const row = {
    name: bench.name,
    nativeMs: undefined,
    recompiledMs: undefined,
    loadMs: undefined,
    qemuMs: undefined,
    interpSmallMs: undefined,
    recompiledSmallMs: undefined,
    errors: [],
  };
  const label = `[${isa}] ${bench.name}`;

  progress(`${label}: building`);
  const built = await buildBenchmark(bench, isa, host);
  builtByKey.set(`${isa}/${bench.name}`, built);
  progress(
    `${label}: built (elf ${fmt(built.timings.elfMs)}, native ${fmt(built.timings.nativeMs)}, ` +
      `codegen ${fmt(built.timings.codegenMs)}, C compile ${fmt(built.timings.compileMs)})`,
  );

  const input = opts.quick ? SMALL_SCALE : DEFAULT_SCALE;
  const scaleName = opts.quick ? 'scale 1' : 'default scale';

  const native = await t.bestOf(opts.runs, () => t.timeNative(built.native, input));
  progress(`${label}: native ${fmt(native.bestMs)}`);
  const { program, loadMs } = await t.loadRecompiled(built.library);
  const recompiled = await t.bestOf(opts.runs, () => t.timeRecompiled(program, input));
  progress(`${label}: recompiled ${fmt(recompiled.bestMs)} (load ${fmt(loadMs)})`);
  const qemu = await t.bestOf(opts.runs, () => t.timeQemu(built.elf, isa, input));
  progress(`${label}: qemu ${fmt(qemu.bestMs)}`);

  row.errors.push(
    ...t.disagreements(`${bench.name} ${isa} ${scaleName}`, [
      ...native.outcomes.map((o, i) => /** @type {[string, import('./lib/timing.mjs').Outcome]} */ ([`native#${i + 1}`, o])),
      ...recompiled.outcomes.map((o, i) => /** @type {[string, import('./lib/timing.mjs').Outcome]} */ ([`recompiled#${i + 1}`, o])),
      ...qemu.outcomes.map((o, i) => /** @type {[string, import('./lib/timing.mjs').Outcome]} */ ([`qemu#${i + 1}`, o])),
    ]),
  );
  row.nativeMs = native.bestMs;
  row.recompiledMs = recompiled.bestMs;
  row.loadMs = loadMs;
  row.qemuMs = qemu.bestMs;

  if (opts.interp) {
    const small = opts.quick ? recompiled : await t.bestOf(opts.runs, () => t.timeRecompiled(program, SMALL_SCALE));
    const nativeSmall = opts.quick ? native.outcomes[0] : await t.timeNative(built.native, SMALL_SCALE);
    // The interpreter is slow: one run.
    const interp = await t.timeInterpreter(built.elf, SMALL_SCALE);
    progress(`${label}: scale 1: interpreter ${fmt(interp.ms)}, recompiled ${fmt(small.bestMs)}`);
    row.errors.push(
      ...t.disagreements(`${bench.name} ${isa} scale 1`, [
        ['native', nativeSmall],
        ['interpreter', interp],
        ...small.outcomes.map((o, i) => /** @type {[string, import('./lib/timing.mjs').Outcome]} */ ([`recompiled#${i + 1}`, o])),
      ]),
    );
    row.interpSmallMs = interp.ms;
    row.recompiledSmallMs = small.bestMs;
  }
  for (const e of row.errors) progress(`MISMATCH ${e}`);
  return row;
}

/**
 * Builds the three mode libraries of one benchmark (reusing the main pure library when there is
 * one) and measures the execution-mode variants.
 * @param {import('./lib/build.mjs').Benchmark} bench
 * @param {import('./lib/args.mjs').GuestIsa} isa
 * @param {import('./lib/build.mjs').HostBuild} host
 * @param {import('./lib/args.mjs').BenchOptions} opts
 * @returns {Promise<import('./lib/modes.mjs').ModeRow>}
 */
async function measureModesOf(bench, isa, host, opts) {
  const b = await import('./lib/build.mjs');
  const { measureModes } = await import('./lib/modes.mjs');
  const label = `[${isa}] ${bench.name}`;
  const prior = builtByKey.get(`${isa}/${bench.name}`);
  progress(`${label}: building mode libraries`);
  const t0 = performance.now();
  const elf = prior?.elf ?? (await b.buildElf(bench, isa));
  const libraries = await b.buildModeLibraries(bench, isa, elf, host, prior?.library);
  progress(`${label}: mode libraries built (${fmt(performance.now() - t0)})`);
  const input = opts.quick ? SMALL_SCALE : DEFAULT_SCALE;
  const scaleName = opts.quick ? 'scale 1' : 'default scale';
  const row = await measureModes(bench.name, libraries, input, opts.runs, `${bench.name} ${isa} ${scaleName}`, progress);
  for (const e of row.errors) progress(`MISMATCH ${e}`);
  return row;
}

async function main() {
  /** @type {import('./lib/args.mjs').BenchOptions} */
  let opts;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${/** @type {Error} */ (err).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  for (const f of ['cache/build.js', 'toolchain/guest.js', 'runtime/index.js', 'interp/index.js', 'elf/parse.js', 'isa/cost.js']) {
    if (!existsSync(path.join(ROOT, 'dist', f))) {
      process.stderr.write(`dist/${f} is missing: build first (npm run build)\n`);
      return 1;
    }
  }
  const b = await import('./lib/build.mjs');
  const r = await import('./lib/report.mjs');
  const { qemuFor, spawnOverheadMs } = await import('./lib/timing.mjs');

  const host = await b.hostBuild();
  const benches = await b.listBenchmarks(opts.guestsDir ? path.resolve(opts.guestsDir) : b.BENCH_GUESTS_DIR, opts.filters);
  if (benches.length === 0) {
    process.stderr.write(`no benchmark matches ${opts.filters.map((f) => `'${f}'`).join(', ') || '(none found)'}\n`);
    return 1;
  }

  /** @type {Array<{ isa: string, rows: import('./lib/report.mjs').Row[] }>} */
  const sections = [];
  let failed = false;
  const guestCc = b.guestCc();
  const guestCcVersion = `${guestCc}: ${await b.toolVersion(guestCc)}`;
  const guestFlags = `-O2 -march=${opts.isas.join('|')} (guest SDK flags of compileGuest)`;
  for (const isa of opts.modesOnly || opts.cacheOnly ? [] : opts.isas) {
    /** @type {import('./lib/report.mjs').Row[]} */
    const rows = [];
    for (const bench of benches) {
      try {
        rows.push(await measure(bench, isa, host, opts));
      } catch (err) {
        const msg = `${bench.name} ${isa}: ${/** @type {Error} */ (err).message}`;
        progress(`ERROR ${msg}`);
        rows.push({
          name: bench.name,
          nativeMs: undefined,
          recompiledMs: undefined,
          loadMs: undefined,
          qemuMs: undefined,
          interpSmallMs: undefined,
          recompiledSmallMs: undefined,
          errors: [msg],
        });
      }
      failed ||= rows[rows.length - 1].errors.length > 0;
    }
    sections.push({ isa, rows });
  }

  if (!opts.modesOnly && !opts.cacheOnly) {
    /** @type {import('./lib/report.mjs').Environment} */
    const env = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      cpu: r.cpuModel(),
      cores: r.coreCount(),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      hostCc: `${host.cc}: ${host.version}`,
      hostFlags: host.flags.join(' '),
      guestCc: guestCcVersion,
      guestFlags,
      qemu: (await Promise.all(opts.isas.map((isa) => b.toolVersion(qemuFor(isa))))).join('; '),
      runs: opts.runs,
      spawnMs: await spawnOverheadMs(opts.runs),
      scale: opts.quick ? 'scale 1 (quick)' : 'default scale (empty input)',
    };
    process.stdout.write(r.formatReport(env, sections, { markdown: opts.markdown, quick: opts.quick }));
  }

  if ((opts.modes || opts.modesOnly) && !opts.cacheOnly) {
    const m = await import('./lib/modes.mjs');
    /** @type {Array<{ isa: string, rows: import('./lib/modes.mjs').ModeRow[] }>} */
    const modeSections = [];
    for (const isa of opts.isas) {
      /** @type {import('./lib/modes.mjs').ModeRow[]} */
      const rows = [];
      for (const bench of benches) {
        try {
          rows.push(await measureModesOf(bench, isa, host, opts));
        } catch (err) {
          const msg = `${bench.name} ${isa} (execution modes): ${/** @type {Error} */ (err).message}`;
          progress(`ERROR ${msg}`);
          rows.push({ name: bench.name, instructions: undefined, ms: {}, pieces: undefined, errors: [msg] });
        }
        failed ||= rows[rows.length - 1].errors.length > 0;
      }
      modeSections.push({ isa, rows });
    }
    /** @type {import('./lib/modes.mjs').ModesEnvironment} */
    const menv = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: `${r.cpuModel()}, ${r.coreCount()} logical cores, ${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      hostCc: `${host.cc}: ${host.version}`,
      hostFlags: host.flags.join(' '),
      guestCc: guestCcVersion,
      guestFlags,
      runs: opts.runs,
      scale: opts.quick ? 'scale 1 (quick)' : 'default scale (empty input)',
    };
    process.stdout.write(
      m.formatModesReport(opts.modesOnly ? menv : undefined, menv, modeSections, { markdown: opts.markdown, quick: opts.quick }),
    );
  }
  if (opts.cache || opts.cacheOnly) {
    const c = await import('./lib/cache.mjs');
    /** @type {Array<{ isa: string, rows: import('./lib/cache.mjs').CacheRow[] }>} */
    const cacheSections = [];
    for (const isa of opts.isas) {
      const rows = await c.measureCache(isa, opts.runs, progress);
      failed ||= rows.some((row) => row.errors.length > 0);
      cacheSections.push({ isa, rows });
    }
    const env = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: `${r.cpuModel()}, ${r.coreCount()} logical cores, ${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      'host compiler': `${host.cc}: ${host.version}`,
      'library flags': `\`${host.flags.join(' ')}\` (the defaults of loadProgram)`,
      timing: `loadProgram in a fresh process (module import not timed), cold = empty cache; hits best of ${opts.runs}; fingerprint hit = pre-key records removed first; guests run at scale 1`,
    };
    process.stdout.write(c.formatCacheReport(cacheSections, { markdown: opts.markdown, env }));
  }
  if (failed) {
    process.stderr.write('\nbench: FAILED — executors or execution modes disagree, or a build failed (see ERROR lines above)\n');
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
