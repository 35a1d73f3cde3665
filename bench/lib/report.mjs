/**
 * The benchmark report: machine and toolchain description, one table per ISA, the geomean and
 * the speed bars, as aligned plain text or as a Markdown section.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Recompiled code must be at most this many times slower than native (geomean). */
export const NATIVE_BAR = 2.0;

/**
 * One benchmark's measurements for one ISA. Times are best-of-N milliseconds.
 * @typedef {object} Row
 * @property {string} name
 * @property {number | undefined} nativeMs
 * @property {number | undefined} recompiledMs
 * @property {number | undefined} loadMs Program.load of the library (dlopen + checks).
 * @property {number | undefined} qemuMs
 * @property {number | undefined} interpSmallMs Interpreter at scale 1.
 * @property {number | undefined} recompiledSmallMs Recompiled library at scale 1.
 * @property {string[]} errors Correctness mismatches or build failures (row is not counted).
 */

/**
 * @typedef {object} Environment
 * @property {string} date ISO date and time of the run.
 * @property {string} cpu CPU model.
 * @property {number} cores Logical processors.
 * @property {string} os Kernel and architecture.
 * @property {string} node Node.js version.
 * @property {string} hostCc Host compiler version line.
 * @property {string} hostFlags Flags shared by the native binaries and the recompiled C.
 * @property {string} guestCc RISC-V cross compiler version line.
 * @property {string} guestFlags
 * @property {string} qemu qemu-user version line.
 * @property {number} runs
 * @property {number} spawnMs Wall time of spawning `true` (included in native and qemu times).
 * @property {string} scale Which input scale the main columns use.
 */

/** CPU model name from /proc/cpuinfo (falls back to os.cpus()). */
export function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^model name\s*:\s*(.+)$/m.exec(info) ?? /^Hardware\s*:\s*(.+)$/m.exec(info);
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Logical processors available to this process. */
export function coreCount() {
  return os.availableParallelism();
}

/**
 * Geometric mean of positive numbers (undefined for none).
 * @param {number[]} xs
 */
export function geomean(xs) {
  if (xs.length === 0) return undefined;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

/**
 * @param {number | undefined} a
 * @param {number | undefined} b
 * @returns {number | undefined} a / b when both are known.
 */
export function ratio(a, b) {
  return a === undefined || b === undefined || b <= 0 ? undefined : a / b;
}

/**
 * @typedef {object} Summary
 * @property {number | undefined} geomeanVsNative recompiled/native geomean over good rows.
 * @property {boolean} nativeBar geomean ≤ NATIVE_BAR.
 * @property {string[]} slowerThanQemu Benchmarks where recompiled is not faster than qemu.
 * @property {boolean} qemuBar recompiled faster than qemu on every benchmark.
 * @property {number} measured Rows without errors.
 */

/**
 * @param {Row[]} rows
 * @returns {Summary}
 */
export function summarize(rows) {
  const good = rows.filter((r) => r.errors.length === 0);
  const vsNative = good.map((r) => ratio(r.recompiledMs, r.nativeMs)).filter((x) => x !== undefined);
  const g = geomean(/** @type {number[]} */ (vsNative));
  const slowerThanQemu = good
    .filter((r) => r.recompiledMs === undefined || r.qemuMs === undefined || r.recompiledMs >= r.qemuMs)
    .map((r) => r.name);
  return {
    geomeanVsNative: g,
    nativeBar: g !== undefined && g <= NATIVE_BAR,
    slowerThanQemu,
    qemuBar: good.length > 0 && slowerThanQemu.length === 0,
    measured: good.length,
  };
}

const HEADERS = [
  'benchmark',
  'native ms',
  'recompiled ms',
  'load ms',
  'qemu ms',
  'recompiled/native',
  'qemu/recompiled',
  'interp/recompiled (scale 1)',
];

/** @param {number | undefined} v */
const ms = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
/** @param {number | undefined} v */
const times = (v) => (v === undefined ? '-' : v >= 100 ? `${v.toFixed(0)}×` : `${v.toFixed(2)}×`);

/**
 * Table cells (strings) for every row plus the geomean row.
 * @param {Row[]} rows
 * @returns {string[][]}
 */
function cells(rows) {
  const body = rows.map((r) =>
    r.errors.length > 0
      ? [r.name, 'MISMATCH/ERROR', '', '', '', '', '', '']
      : [
          r.name,
          ms(r.nativeMs),
          ms(r.recompiledMs),
          ms(r.loadMs),
          ms(r.qemuMs),
          times(ratio(r.recompiledMs, r.nativeMs)),
          times(ratio(r.qemuMs, r.recompiledMs)),
          times(ratio(r.interpSmallMs, r.recompiledSmallMs)),
        ],
  );
  const good = rows.filter((r) => r.errors.length === 0);
  /** @param {(r: Row) => number | undefined} f */
  const gm = (f) => geomean(/** @type {number[]} */ (good.map(f).filter((x) => x !== undefined)));
  body.push([
    'geomean',
    '',
    '',
    '',
    '',
    times(gm((r) => ratio(r.recompiledMs, r.nativeMs))),
    times(gm((r) => ratio(r.qemuMs, r.recompiledMs))),
    times(gm((r) => ratio(r.interpSmallMs, r.recompiledSmallMs))),
  ]);
  return body;
}

/**
 * Aligned plain-text table (first column left-aligned, numbers right-aligned).
 * @param {Row[]} rows
 */
export function textTable(rows) {
  const all = [HEADERS, ...cells(rows)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...cells(rows).map(line)].join('\n');
}

/**
 * Markdown pipe table.
 * @param {Row[]} rows
 */
export function markdownTable(rows) {
  const line = (/** @type {string[]} */ r) => `| ${r.join(' | ')} |`;
  const align = `|${HEADERS.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`;
  const body = cells(rows).map((r) => (r[0] === 'geomean' ? r.map((c) => (c ? `**${c}**` : c)) : r));
  return [line(HEADERS), align, ...body.map(line)].join('\n');
}

/**
 * Sentences stating whether the bars hold.
 * @param {Summary} s
 * @returns {string[]}
 */
export function barLines(s) {
  const g = s.geomeanVsNative === undefined ? 'n/a' : `${s.geomeanVsNative.toFixed(2)}×`;
  const native = `recompiled geomean ${g} native (bar ≤ ${NATIVE_BAR.toFixed(1)}×): ${s.nativeBar ? 'HOLDS' : 'MISSED'}`;
  const qemu = s.qemuBar
    ? 'recompiled faster than qemu-user on every benchmark: HOLDS'
    : `recompiled faster than qemu-user on every benchmark: MISSED${
        s.slowerThanQemu.length ? ` (not faster on: ${s.slowerThanQemu.join(', ')})` : ''
      }`;
  return [native, qemu];
}

/**
 * Describes the machine and toolchains.
 * @param {Environment} env
 * @returns {Array<[string, string]>}
 */
function environmentPairs(env) {
  return [
    ['date', env.date],
    ['machine', `${env.cpu}, ${env.cores} logical cores, ${env.os}`],
    ['node', env.node],
    ['host compiler', env.hostCc],
    ['native and recompiled C flags', env.hostFlags],
    ['guest compiler', env.guestCc],
    ['guest flags', env.guestFlags],
    ['qemu', env.qemu],
    ['timing', `best of ${env.runs} runs, ${env.scale}; recompiled = machine.run() only, load reported separately; native and qemu = process wall time (spawning an empty process takes ${env.spawnMs.toFixed(1)} ms)`],
  ];
}

/**
 * Complete report.
 * @param {Environment} env
 * @param {Array<{ isa: string, rows: Row[] }>} sections
 * @param {{ markdown: boolean, quick: boolean }} how
 * @returns {string}
 */
export function formatReport(env, sections, how) {
  /** @type {string[]} */
  const out = [];
  const note = how.quick ? 'QUICK MODE: every column at scale 1; timings are a smoke test, not a measurement.' : undefined;
  if (how.markdown) {
    out.push(`## ${env.date.slice(0, 10)} — ${env.cpu}`, '');
    for (const [k, v] of environmentPairs(env)) out.push(`- ${k}: ${k.endsWith('flags') ? `\`${v}\`` : v}`);
    if (note) out.push('', `> ${note}`);
    for (const { isa, rows } of sections) {
      out.push('', `### ${isa}`, '', markdownTable(rows), '');
      for (const l of barLines(summarize(rows))) out.push(`- ${l}`);
      for (const r of rows) for (const e of r.errors) out.push(`- **ERROR** ${e}`);
    }
  } else {
    for (const [k, v] of environmentPairs(env)) out.push(`${k}: ${v}`);
    if (note) out.push('', note);
    for (const { isa, rows } of sections) {
      out.push('', `== ${isa} ==`, textTable(rows), '');
      out.push(...barLines(summarize(rows)));
      for (const r of rows) for (const e of r.errors) out.push(`ERROR ${e}`);
    }
  }
  return out.join('\n') + '\n';
}
