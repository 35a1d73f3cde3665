/**
 * Execution-mode comparison (issue 3, "Benchmark"): the same guest recompiled in each execution
 * mode (pure, metered, metered_cost; src/emit/meter.ts), timed against pure without a limit:
 *
 *   - pure, no limit (the baseline);
 *   - pure with an instruction limit that is never reached (maxInstructions = 2^62);
 *   - pure split into 100 pieces by maxInstructions (one machine, run() until it exits): the
 *     total time of all pieces, i.e. the baseline plus 99 suspends and resumes;
 *   - metered, no limit;
 *   - metered_cost, no limit, and with a cost ceiling that is never reached (maxCost = 2^62).
 *
 * Every variant must print the same stdout and exit code and retire the same number of
 * instructions as a first, untimed pure run; metered class counts must add up to the
 * instructions and metered_cost's cost must equal the class counts weighted by the default
 * cost table. Variants are timed in interleaved rounds (the order rotates every round) so that
 * a slow phase of a shared machine does not land on one variant only; each variant keeps its
 * best round.
 */
import { DEFAULT_COST_TABLE } from '../../dist/isa/cost.js';
import { INSTR_CLASSES } from '../../dist/isa/types.js';
import { Program } from '../../dist/runtime/index.js';

import { geomean, ratio } from './report.mjs';
import { disagreements } from './timing.mjs';

/** @typedef {import('./build.mjs').Mode} Mode */

/** A limit that no benchmark reaches. */
export const NEVER = 1n << 62n;

/** Pieces of the split run. */
export const PIECES = 100;

/** A split run that needs more pieces than this is a failure (the limit does not advance). */
const MAX_PIECES = 10 * PIECES;

/**
 * @typedef {object} Variant
 * @property {string} key
 * @property {string} label Column label.
 * @property {Mode} mode Library it runs.
 * @property {{ maxInstructions?: bigint, maxCost?: bigint }} [limits] Limits of the single run.
 * @property {number} [pieces] Split the run into this many pieces by maxInstructions.
 * @property {number} [goal] Goal: at most this many times the pure time.
 * @property {string} [goalText] What the goal is about.
 */

/** @type {Variant[]} */
export const VARIANTS = [
  { key: 'pure', label: 'pure', mode: 'pure' },
  {
    key: 'pureLimit',
    label: 'pure+limit',
    mode: 'pure',
    limits: { maxInstructions: NEVER },
    goal: 1.05,
    goalText: 'pure with an instruction limit (2^62, never reached)',
  },
  { key: 'pure100', label: `pure ${PIECES} pieces`, mode: 'pure', pieces: PIECES },
  { key: 'metered', label: 'metered', mode: 'metered', goal: 1.15, goalText: 'metered' },
  { key: 'cost', label: 'metered_cost', mode: 'metered_cost', goal: 1.1, goalText: 'metered_cost' },
  { key: 'costLimit', label: 'metered_cost+limit', mode: 'metered_cost', limits: { maxCost: NEVER } },
];

/**
 * @typedef {object} ModeOutcome
 * @property {number} ms Wall time of machine.run() (for a split run: of all pieces together).
 * @property {number | undefined} exitCode
 * @property {Buffer} stdout
 * @property {string} [failure]
 * @property {bigint | undefined} instructions
 * @property {Record<string, bigint> | undefined} classCounts
 * @property {bigint | undefined} cost
 * @property {number} pieces run() calls.
 */

/**
 * @typedef {object} ModeRow
 * @property {string} name
 * @property {bigint | undefined} instructions Instructions retired by the guest.
 * @property {Record<string, number | undefined>} ms Best time per variant key.
 * @property {number | undefined} pieces run() calls of the split run.
 * @property {string[]} errors
 */

/**
 * Runs `variant` once on a fresh machine of `program`.
 * @param {Program} program
 * @param {string} input
 * @param {Variant} variant
 * @param {bigint} total Instructions of the whole run (for the split run).
 * @returns {Promise<ModeOutcome>}
 */
async function runOnce(program, input, variant, total) {
  const machine = program.createMachine({ input });
  try {
    /** @type {Buffer[]} */
    const outs = [];
    /** @type {bigint[]} */
    const stops = [];
    /** @type {import('../../dist/runtime/index.js').RunResult} */
    let r;
    let pieces = 0;
    let ms;
    if (variant.pieces === undefined) {
      const t0 = performance.now();
      r = await machine.run(variant.limits ?? {});
      ms = performance.now() - t0;
      outs.push(r.stdout);
      pieces = 1;
    } else {
      const chunk = total <= 0n ? 1n : (total + BigInt(variant.pieces) - 1n) / BigInt(variant.pieces);
      const t0 = performance.now();
      do {
        r = await machine.run({ maxInstructions: chunk });
        outs.push(r.stdout);
        pieces++;
        if (r.status === 'running') stops.push(/** @type {bigint} */ (r.instructions));
      } while (r.status === 'running' && pieces < MAX_PIECES);
      ms = performance.now() - t0;
      const bad = stops.findIndex((n, i) => n !== chunk * BigInt(i + 1));
      if (bad >= 0) {
        return outcome(r, ms, outs, pieces, `piece ${bad + 1} stopped after ${stops[bad]} instructions, expected ${chunk * BigInt(bad + 1)}`);
      }
    }
    return outcome(r, ms, outs, pieces);
  } finally {
    machine.dispose();
  }
}

/**
 * @param {import('../../dist/runtime/index.js').RunResult} r Result of the last run() call.
 * @param {number} ms
 * @param {Buffer[]} outs stdout of every run() call.
 * @param {number} pieces
 * @param {string} [failure]
 * @returns {ModeOutcome}
 */
function outcome(r, ms, outs, pieces, failure) {
  const o = {
    ms,
    exitCode: r.status === 'exited' ? r.exitCode : undefined,
    stdout: Buffer.concat(outs),
    instructions: r.instructions,
    classCounts: r.classCounts,
    cost: r.cost,
    pieces,
  };
  if (failure !== undefined) return { ...o, failure };
  if (r.status === 'exited') return o;
  const why = r.status === 'trapped' ? `trapped: ${r.trap?.message}` : `stopped with status ${r.status} after ${pieces} run() calls`;
  return { ...o, failure: why };
}

/**
 * Consistency of one variant's outcome with the reference (pure, unlimited) and the counters.
 * @param {string} label
 * @param {string} who
 * @param {ModeOutcome} ref
 * @param {ModeOutcome} o
 * @param {Variant} variant
 * @returns {string[]}
 */
function checkOutcome(label, who, ref, o, variant) {
  const problems = disagreements(label, [
    ['pure (reference)', ref],
    [who, o],
  ]);
  if (o.instructions !== ref.instructions) {
    problems.push(`${label}: ${who} retired ${String(o.instructions)} instructions but pure retired ${String(ref.instructions)}`);
  }
  if (variant.mode !== 'pure') {
    if (o.classCounts === undefined) {
      problems.push(`${label}: ${who} reports no class counts`);
    } else {
      const sum = INSTR_CLASSES.reduce((s, c) => s + (o.classCounts?.[c] ?? 0n), 0n);
      if (sum !== o.instructions) problems.push(`${label}: ${who} class counts add up to ${sum}, not ${String(o.instructions)}`);
    }
  }
  if (variant.mode === 'metered_cost') {
    const expected = INSTR_CLASSES.reduce((s, c) => s + (o.classCounts?.[c] ?? 0n) * DEFAULT_COST_TABLE[c], 0n);
    if (o.cost !== expected) problems.push(`${label}: ${who} cost ${String(o.cost)}, but the class counts weigh ${expected}`);
  }
  return problems;
}

/**
 * Measures every variant of one benchmark.
 * @param {string} name
 * @param {Record<Mode, string>} libraries Library per mode.
 * @param {string} input Guest stdin.
 * @param {number} runs Rounds (best of).
 * @param {string} label For messages, e.g. `sieve rv64im default scale`.
 * @param {(msg: string) => void} progress
 * @returns {Promise<ModeRow>}
 */
export async function measureModes(name, libraries, input, runs, label, progress) {
  /** @type {ModeRow} */
  const row = { name, instructions: undefined, ms: {}, pieces: undefined, errors: [] };
  /** @type {Partial<Record<Mode, Program>>} */
  const programs = {};
  for (const [mode, lib] of Object.entries(libraries)) {
    const p = await Program.load(lib);
    if (p.mode !== mode) throw new Error(`${lib}: built for mode ${p.mode}, expected ${mode}`);
    programs[/** @type {Mode} */ (mode)] = p;
  }
  const prog = (/** @type {Variant} */ v) => /** @type {Program} */ (programs[v.mode]);

  // The reference: pure without a limit, untimed (also a warm-up).
  const ref = await runOnce(/** @type {Program} */ (programs.pure), input, VARIANTS[0], 0n);
  if (ref.failure !== undefined || ref.instructions === undefined) {
    row.errors.push(`${label}: pure reference run did not exit normally: ${ref.failure ?? 'no instruction count'}`);
    return row;
  }
  row.instructions = ref.instructions;
  const total = ref.instructions;

  /** @type {Record<string, number[]>} */
  const times = Object.fromEntries(VARIANTS.map((v) => [v.key, []]));
  /** @type {ModeOutcome | undefined} */
  let meteredRef;
  for (let round = 0; round < runs; round++) {
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
    for (const v of order) {
      const o = await runOnce(prog(v), input, v, total);
      const who = `${v.label}#${round + 1}`;
      const problems = checkOutcome(label, who, ref, o, v);
      if (v.mode === 'metered') meteredRef ??= o;
      if (v.mode === 'metered_cost' && meteredRef?.classCounts && o.classCounts) {
        for (const c of INSTR_CLASSES) {
          if (o.classCounts[c] !== meteredRef.classCounts[c]) {
            problems.push(`${label}: ${who} counts ${o.classCounts[c]} ${c} instructions, metered ${meteredRef.classCounts[c]}`);
          }
        }
      }
      if (v.pieces !== undefined) row.pieces = o.pieces;
      row.errors.push(...problems);
      times[v.key].push(o.ms);
    }
  }
  for (const v of VARIANTS) row.ms[v.key] = Math.min(...times[v.key]);
  const base = row.ms.pure;
  progress(
    `${label}: modes: ` +
      VARIANTS.map((v) => `${v.label} ${ms(row.ms[v.key])} ms${v.key === 'pure' ? '' : ` (${times2(ratio(row.ms[v.key], base))})`}`).join(', '),
  );
  return row;
}

/** @param {number | undefined} v */
const ms = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
/** @param {number | undefined} v */
const times2 = (v) => (v === undefined ? '-' : `${v.toFixed(2)}×`);
/** @param {bigint | undefined} n */
const millions = (n) => (n === undefined ? '-' : (Number(n) / 1e6).toFixed(0));

const HEADERS = [
  'benchmark',
  'pure ms',
  ...VARIANTS.slice(1).flatMap((v) => [`${v.label} ms`, '×pure']),
  'instructions (M)',
];

/**
 * @param {ModeRow[]} rows
 * @returns {string[][]}
 */
function cells(rows) {
  const good = rows.filter((r) => r.errors.length === 0);
  const body = rows.map((r) =>
    r.errors.length > 0
      ? [r.name, 'MISMATCH/ERROR', ...VARIANTS.slice(1).flatMap(() => ['', '']), '']
      : [
          r.name,
          ms(r.ms.pure),
          ...VARIANTS.slice(1).flatMap((v) => [ms(r.ms[v.key]), times2(ratio(r.ms[v.key], r.ms.pure))]),
          millions(r.instructions),
        ],
  );
  body.push([
    'geomean',
    '',
    ...VARIANTS.slice(1).flatMap((v) => ['', times2(variantGeomean(good, v.key))]),
    '',
  ]);
  return body;
}

/**
 * Geomean over rows of a variant's time divided by pure.
 * @param {ModeRow[]} good
 * @param {string} key
 */
function variantGeomean(good, key) {
  return geomean(/** @type {number[]} */ (good.map((r) => ratio(r.ms[key], r.ms.pure)).filter((x) => x !== undefined)));
}

/** @param {ModeRow[]} rows */
function textTable(rows) {
  const all = [HEADERS, ...cells(rows)];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...cells(rows).map(line)].join('\n');
}

/** @param {ModeRow[]} rows */
function markdownTable(rows) {
  const line = (/** @type {string[]} */ r) => `| ${r.join(' | ')} |`;
  const align = `|${HEADERS.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`;
  const body = cells(rows).map((r) => (r[0] === 'geomean' ? r.map((c) => (c ? `**${c}**` : c)) : r));
  return [line(HEADERS), align, ...body.map(line)].join('\n');
}

/**
 * Sentences stating whether each goal holds (on the geomean, and which benchmarks exceed it),
 * plus the informational variants.
 * @param {ModeRow[]} rows
 * @returns {string[]}
 */
export function goalLines(rows) {
  const good = rows.filter((r) => r.errors.length === 0);
  /** @type {string[]} */
  const out = [];
  for (const v of VARIANTS) {
    if (v.goal === undefined) continue;
    const g = variantGeomean(good, v.key);
    const per = good.map((r) => /** @type {[string, number | undefined]} */ ([r.name, ratio(r.ms[v.key], r.ms.pure)]));
    const over = per.filter(([, x]) => x === undefined || x > /** @type {number} */ (v.goal));
    const xs = /** @type {number[]} */ (per.map(([, x]) => x).filter((x) => x !== undefined));
    const range = xs.length ? `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×` : 'n/a';
    const verdict = g !== undefined && g <= v.goal ? 'HOLDS' : 'MISSED';
    const each =
      over.length === 0
        ? `within the goal on every benchmark (range ${range})`
        : `over the goal on ${over.length} of ${per.length} benchmarks: ${over.map(([n, x]) => `${n} ${times2(x)}`).join(', ')} (range ${range})`;
    out.push(`${v.goalText} ≤ ${v.goal.toFixed(2)}× pure: geomean ${times2(g)}: ${good.length ? verdict : 'n/a'}; ${each}`);
  }
  const cl = variantGeomean(good, 'costLimit');
  out.push(`information: metered_cost with a cost ceiling (2^62, never reached): geomean ${times2(cl)} pure`);
  const p = variantGeomean(good, 'pure100');
  const perResume = good
    .filter((r) => r.ms.pure100 !== undefined && r.ms.pure !== undefined && (r.pieces ?? 0) > 1)
    .map((r) => (/** @type {number} */ (r.ms.pure100) - /** @type {number} */ (r.ms.pure)) / (/** @type {number} */ (r.pieces) - 1))
    .sort((a, b) => a - b);
  const median = perResume.length ? perResume[Math.floor(perResume.length / 2)] : undefined;
  const pieces = [...new Set(good.map((r) => r.pieces))].join('/');
  out.push(
    `information: pure split into ${PIECES} pieces by maxInstructions (${pieces} run() calls): geomean ${times2(p)} pure` +
      (median === undefined ? '' : `; median (pieces − pure) / resumes = ${median.toFixed(1)} ms per resume`),
  );
  return out;
}

/**
 * @typedef {object} ModesEnvironment
 * @property {string} date
 * @property {string} machine
 * @property {string} node
 * @property {string} hostCc
 * @property {string} hostFlags
 * @property {string} guestCc
 * @property {string} guestFlags
 * @property {number} runs
 * @property {string} scale
 */

/** @param {ModesEnvironment} env */
function timingText(env) {
  return (
    `best of ${env.runs} interleaved rounds (variant order rotated each round), ${env.scale}; ` +
    `machine.run() only, on a fresh machine per run (createMachine not timed), each mode's library loaded once; ` +
    `"${PIECES} pieces" = one machine run with maxInstructions = ⌈instret/${PIECES}⌉ until it exits, total time of all run() calls; ` +
    `limits marked +limit are 2^62 (never reached); cost table = DEFAULT_COST_TABLE ` +
    `(${Object.entries(DEFAULT_COST_TABLE).map(([k, w]) => `${k} ${w}`).join(', ')})`
  );
}

/**
 * The execution-mode report.
 * @param {ModesEnvironment | undefined} env Machine description (only when the report stands
 *   alone, i.e. --modes-only); otherwise the sections follow the main report.
 * @param {ModesEnvironment} timing For the timing line.
 * @param {Array<{ isa: string, rows: ModeRow[] }>} sections
 * @param {{ markdown: boolean, quick: boolean }} how
 * @returns {string}
 */
export function formatModesReport(env, timing, sections, how) {
  /** @type {string[]} */
  const out = [];
  const note = how.quick ? 'QUICK MODE: scale 1; timings are a smoke test, not a measurement.' : undefined;
  if (how.markdown) {
    if (env) {
      out.push(`## ${env.date.slice(0, 10)} — execution modes — ${env.machine.split(',')[0]}`, '');
      out.push(
        `- date: ${env.date}`,
        `- machine: ${env.machine}`,
        `- node: ${env.node}`,
        `- host compiler: ${env.hostCc}`,
        `- recompiled C flags: \`${env.hostFlags}\``,
        `- guest compiler: ${env.guestCc}`,
        `- guest flags: \`${env.guestFlags}\``,
      );
    } else {
      out.push('', '### Execution modes', '');
    }
    out.push(`- timing: ${timingText(timing)}`);
    if (note) out.push('', `> ${note}`);
    for (const { isa, rows } of sections) {
      out.push('', `${env ? '###' : '####'} ${isa}${env ? '' : ' (execution modes)'}`, '', markdownTable(rows), '');
      for (const l of goalLines(rows)) out.push(`- ${l}`);
      for (const r of rows) for (const e of r.errors) out.push(`- **ERROR** ${e}`);
    }
  } else {
    if (env) {
      out.push(
        `date: ${env.date}`,
        `machine: ${env.machine}`,
        `node: ${env.node}`,
        `host compiler: ${env.hostCc}`,
        `recompiled C flags: ${env.hostFlags}`,
        `guest compiler: ${env.guestCc}`,
        `guest flags: ${env.guestFlags}`,
      );
    } else {
      out.push('', '==== execution modes ====');
    }
    out.push(`timing: ${timingText(timing)}`);
    if (note) out.push('', note);
    for (const { isa, rows } of sections) {
      out.push('', `== ${isa}: execution modes ==`, textTable(rows), '');
      out.push(...goalLines(rows));
      for (const r of rows) for (const e of r.errors) out.push(`ERROR ${e}`);
    }
  }
  return out.join('\n') + '\n';
}
