/**
 * Running and timing one benchmark under each executor: native process, recompiled library
 * (in this process, through the runtime), qemu-user process and the reference interpreter.
 * Every run yields an {@link Outcome} so the harness can check that all executors agree.
 */
import { execa } from 'execa';

import { readElf } from '../../dist/elf/parse.js';
import { Machine as InterpMachine } from '../../dist/interp/index.js';
import { Program } from '../../dist/runtime/index.js';

/** @typedef {import('./args.mjs').GuestIsa} GuestIsa */

/**
 * What a run produced, as far as the benchmarks are compared.
 * @typedef {object} Outcome
 * @property {number} ms Wall time of the run in milliseconds.
 * @property {number | undefined} exitCode Undefined when the guest did not exit (trap, signal).
 * @property {Buffer} stdout
 * @property {string} [failure] Why the run did not end with an exit (trap, signal, timeout).
 */

/**
 * @typedef {object} Timed
 * @property {number} bestMs Fastest of the runs.
 * @property {number[]} allMs Every run, in order.
 * @property {Outcome[]} outcomes Every run's outcome, in order.
 */

/** Longest a single spawned run may take before it is a failure (qemu at default scale). */
const PROCESS_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `once` `runs` times in sequence and keeps the fastest time.
 * @param {number} runs
 * @param {() => Promise<Outcome>} once
 * @returns {Promise<Timed>}
 */
export async function bestOf(runs, once) {
  /** @type {Outcome[]} */
  const outcomes = [];
  for (let i = 0; i < runs; i++) outcomes.push(await once());
  const allMs = outcomes.map((o) => o.ms);
  return { bestMs: Math.min(...allMs), allMs, outcomes };
}

/**
 * Spawns a process with `input` on stdin and times it from spawn to exit.
 * @param {string} file
 * @param {string[]} args
 * @param {string} input
 * @param {Record<string, string>} [env] Complete environment (default: inherited).
 * @returns {Promise<Outcome>}
 */
export async function timeProcess(file, args, input, env) {
  const t0 = performance.now();
  const r = await execa(file, args, {
    input,
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    timeout: PROCESS_TIMEOUT_MS,
    ...(env ? { env, extendEnv: false } : {}),
  });
  const ms = performance.now() - t0;
  const stdout = Buffer.from(/** @type {Uint8Array} */ (r.stdout ?? new Uint8Array(0)));
  if (r.exitCode === undefined) {
    const code = /** @type {{ code?: unknown }} */ (r).code;
    if (code === 'ENOENT') throw new Error(`${file} not found`);
    return { ms, exitCode: undefined, stdout, failure: r.shortMessage };
  }
  return { ms, exitCode: r.exitCode, stdout };
}

/**
 * Wall time of spawning and reaping a process that does nothing (`true`), best of `runs`:
 * the fixed cost included in every native and qemu time.
 * @param {number} runs
 * @returns {Promise<number>}
 */
export async function spawnOverheadMs(runs) {
  const t = await bestOf(Math.max(runs, 5), () => timeProcess('true', [], ''));
  return t.bestMs;
}

/**
 * Times the native binary.
 * @param {string} binary
 * @param {string} input
 */
export function timeNative(binary, input) {
  return timeProcess(binary, [], input);
}

/**
 * `qemu-riscv32` / `qemu-riscv64`, overridable like the tests (`RVR_QEMU_RV32`, `RVR_QEMU_RV64`).
 * @param {GuestIsa} isa
 */
export function qemuFor(isa) {
  const env = isa === 'rv32im' ? process.env['RVR_QEMU_RV32'] : process.env['RVR_QEMU_RV64'];
  if (env !== undefined && env !== '') return env;
  return isa === 'rv32im' ? 'qemu-riscv32' : 'qemu-riscv64';
}

/**
 * Times the guest ELF under qemu-user, without any QEMU_* settings from the environment.
 * @param {string} elf
 * @param {GuestIsa} isa
 * @param {string} input
 */
export function timeQemu(elf, isa, input) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('QEMU_') && v !== undefined) env[k] = v;
  return timeProcess(qemuFor(isa), [elf], input, env);
}

/**
 * Loads a recompiled library once (dlopen, descriptor checks) and reports how long it took.
 * @param {string} library
 * @returns {Promise<{ program: Program, loadMs: number }>}
 */
export async function loadRecompiled(library) {
  const t0 = performance.now();
  const program = await Program.load(library);
  return { program, loadMs: performance.now() - t0 };
}

/**
 * Times one run of a loaded library: a fresh machine each time, only `machine.run()` timed.
 * @param {Program} program
 * @param {string} input
 * @returns {Promise<Outcome>}
 */
export async function timeRecompiled(program, input) {
  const machine = program.createMachine({ input });
  try {
    const t0 = performance.now();
    const r = await machine.run();
    const ms = performance.now() - t0;
    if (r.status === 'exited') return { ms, exitCode: r.exitCode, stdout: r.stdout };
    const failure = r.status === 'trapped' ? `trapped: ${r.trap?.message}` : 'stopped while still running';
    return { ms, exitCode: undefined, stdout: r.stdout, failure };
  } finally {
    machine.dispose();
  }
}

/**
 * Times one run of the reference interpreter (loading the ELF is not timed).
 * @param {string} elfPath
 * @param {string} input
 * @returns {Promise<Outcome>}
 */
export async function timeInterpreter(elfPath, input) {
  const elf = await readElf(elfPath);
  const machine = InterpMachine.fromElf(elf, { input: Buffer.from(input, 'utf8') });
  const t0 = performance.now();
  const status = machine.run();
  const ms = performance.now() - t0;
  const stdout = Buffer.from(machine.stdout);
  if (status === 'exited') return { ms, exitCode: machine.exitCode, stdout };
  const trap = machine.trap;
  const failure = trap ? `trapped: ${trap.cause} at pc 0x${trap.pc.toString(16)}` : `status ${status}`;
  return { ms, exitCode: undefined, stdout, failure };
}

/**
 * Compares outcomes against a reference; returns one message per disagreement.
 * @param {string} label e.g. `sieve rv64im default scale`
 * @param {Array<[string, Outcome]>} named Executor name and outcome; the first is the reference.
 * @returns {string[]}
 */
export function disagreements(label, named) {
  /** @type {string[]} */
  const problems = [];
  for (const [who, o] of named) {
    if (o.failure !== undefined) problems.push(`${label}: ${who} did not exit normally: ${o.failure}`);
  }
  const [refName, ref] = named[0];
  for (const [who, o] of named.slice(1)) {
    if (o.exitCode !== ref.exitCode) {
      problems.push(`${label}: exit code ${who}=${String(o.exitCode)} but ${refName}=${String(ref.exitCode)}`);
    }
    if (!o.stdout.equals(ref.stdout)) {
      problems.push(`${label}: stdout differs: ${who}=${show(o.stdout)} but ${refName}=${show(ref.stdout)}`);
    }
  }
  return problems;
}

/** @param {Buffer} b */
function show(b) {
  const s = b.toString('utf8');
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}...` : s);
}

