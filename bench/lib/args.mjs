/** Command line of the benchmark harness. */
import { parseArgs } from 'node:util';

/** @typedef {'rv32im' | 'rv64im'} GuestIsa */

/**
 * @typedef {object} BenchOptions
 * @property {GuestIsa[]} isas ISAs to measure, in order.
 * @property {number} runs Best of this many timed runs per executor.
 * @property {string[]} filters Benchmark name substrings (empty = all).
 * @property {boolean} markdown Print a Markdown section instead of plain text.
 * @property {boolean} quick Scale 1 only (smoke test; timings are not meaningful).
 * @property {boolean} interp Measure the reference interpreter at scale 1.
 * @property {string | undefined} guestsDir Alternative directory of benchmark guests.
 * @property {boolean} modes Measure the execution modes (pure, limits, metered, metered_cost).
 * @property {boolean} modesOnly Only the execution-mode comparison (no native, qemu, interpreter).
 * @property {boolean} cache Measure the artifact cache (cold build, pre-key hit, fingerprint hit).
 * @property {boolean} cacheOnly Only the artifact-cache comparison.
 * @property {boolean} help
 */

export const USAGE = `usage: node bench/run.mjs [options]

  --isa rv64im|rv32im|all   guest ISA (default rv64im)
  --runs N                  best of N timed runs per executor (default 3; 1 with --quick)
  --filter NAME             only benchmarks whose name contains NAME (repeatable)
  --markdown                print a Markdown section for bench/RESULTS.md
  --quick                   scale 1 only, for smoke-testing (timings not meaningful)
  --no-interp               skip the reference interpreter
  --modes-only              only the execution-mode comparison (pure, pure with limits,
                            metered, metered_cost), not native/qemu/interpreter
  --no-modes                skip the execution-mode comparison
  --cache-only              only the artifact-cache comparison (cold build vs pre-key hit
                            vs fingerprint hit, smallest and largest guest)
  --no-cache                skip the artifact-cache comparison
  --guests DIR              benchmark guest sources (default bench/guests)
  -h, --help                this text

Exit status: 0 when every executor and every execution mode agreed (even if a speed bar or
a mode goal is missed), 1 on any mismatch or failed build, 2 on a usage error.`;

/**
 * Parses `argv` (without node and the script).
 * @param {string[]} argv
 * @returns {BenchOptions}
 * @throws {Error} on an unknown option or a bad value (message is user-facing).
 */
export function parseBenchArgs(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      isa: { type: 'string', default: 'rv64im' },
      runs: { type: 'string' },
      filter: { type: 'string', multiple: true, default: [] },
      markdown: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'no-interp': { type: 'boolean', default: false },
      'modes-only': { type: 'boolean', default: false },
      'no-modes': { type: 'boolean', default: false },
      'cache-only': { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      guests: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  /** @type {GuestIsa[]} */
  let isas;
  if (values.isa === 'all') isas = ['rv64im', 'rv32im'];
  else if (values.isa === 'rv64im' || values.isa === 'rv32im') isas = [values.isa];
  else throw new Error(`--isa must be rv64im, rv32im or all, got '${values.isa}'`);
  // Quick mode is a smoke test: one run each unless --runs says otherwise.
  const runs = Number(values.runs ?? (values.quick ? '1' : '3'));
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new Error(`--runs must be an integer from 1 to 100, got '${values.runs}'`);
  }
  if (values['modes-only'] && values['no-modes']) throw new Error('--modes-only and --no-modes exclude each other');
  if (values['cache-only'] && (values['no-cache'] || values['modes-only'])) throw new Error('--cache-only excludes --no-cache and --modes-only');
  return {
    isas,
    runs,
    filters: values.filter,
    markdown: values.markdown,
    quick: values.quick,
    interp: !values['no-interp'],
    guestsDir: values.guests,
    modes: !values['no-modes'],
    modesOnly: values['modes-only'],
    cache: !values['no-cache'],
    cacheOnly: values['cache-only'],
    help: values.help,
  };
}
