/**
 * Cost tables for the `metered_cost` mode: a non-negative integer weight per instruction class.
 * The cost of a run is the sum of the weights of the instructions it completed (a trapping
 * instruction is not counted; the exiting ecall is). See src/interp/machine.ts for the exact
 * out-of-gas semantics that every executor implements.
 *
 * Cost tables are inputs of code generation and so of the artifact fingerprint: use
 * `costTableJson` for the canonical, byte-stable form.
 */
import { INSTR_CLASSES, type InstrClass } from './types.js';

/** A weight (non-negative integer) for every instruction class. */
export type CostTable = Record<InstrClass, bigint>;

/**
 * Default weights. These are plausible defaults chosen by hand (simple ALU work is cheapest,
 * memory and control flow cost a few units, mul/div more, system calls most), NOT measurements
 * of any real machine or proof system. Supply a table of your own when cost matters.
 */
export const DEFAULT_COST_TABLE: Readonly<CostTable> = Object.freeze({
  alu: 1n,
  muldiv: 4n,
  load: 3n,
  store: 3n,
  branch: 2n,
  jump: 2n,
  system: 10n,
});

/** Largest weight accepted (2^64 - 1): every weight fits an unsigned 64-bit counter. */
export const MAX_COST_WEIGHT = (1n << 64n) - 1n;

/** Throws a RangeError unless `t` has exactly the known classes with integer weights in range. */
export function checkCostTable(t: CostTable, what = 'cost table'): void {
  if (t === null || typeof t !== 'object') throw new RangeError(`${what}: not an object`);
  for (const k of Object.keys(t)) {
    if (!(INSTR_CLASSES as readonly string[]).includes(k)) throw new RangeError(`${what}: unknown class "${k}"`);
  }
  for (const c of INSTR_CLASSES) {
    const v: unknown = t[c];
    if (typeof v !== 'bigint') throw new RangeError(`${what}: weight of "${c}" must be a bigint, got ${typeof v}`);
    if (v < 0n || v > MAX_COST_WEIGHT) throw new RangeError(`${what}: weight of "${c}" out of range [0, 2^64-1]: ${v}`);
  }
}

/**
 * Parse a cost table from JSON text: an object with exactly one entry per class (alu, muldiv,
 * load, store, branch, jump, system), each a non-negative safe integer or a string of decimal
 * digits (for weights beyond 2^53). Unknown keys are rejected. Errors are one-line
 * `Error("<file>: ...")`.
 */
export function parseCostTable(text: string, file: string): CostTable {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    throw new Error(`${file}: invalid JSON: ${msg}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`${file}: a cost table must be a JSON object mapping instruction classes to weights`);
  }
  const obj = v as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !(INSTR_CLASSES as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `${file}: unknown instruction class${unknown.length > 1 ? 'es' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${INSTR_CLASSES.join(', ')})`,
    );
  }
  const missing = INSTR_CLASSES.filter((c) => !Object.prototype.hasOwnProperty.call(obj, c));
  if (missing.length > 0) throw new Error(`${file}: missing weight for ${missing.join(', ')}`);
  const out = {} as CostTable;
  for (const c of INSTR_CLASSES) {
    const w = obj[c];
    let b: bigint;
    if (typeof w === 'number') {
      if (!Number.isSafeInteger(w) || w < 0) {
        throw new Error(`${file}: weight of "${c}" must be a non-negative safe integer (or a decimal string), got ${JSON.stringify(w)}`);
      }
      b = BigInt(w);
    } else if (typeof w === 'string') {
      if (!/^(0|[1-9][0-9]*)$/.test(w)) {
        throw new Error(`${file}: weight of "${c}" must be a string of decimal digits, got ${JSON.stringify(w)}`);
      }
      b = BigInt(w);
    } else {
      throw new Error(`${file}: weight of "${c}" must be a non-negative integer, got ${JSON.stringify(w)}`);
    }
    if (b > MAX_COST_WEIGHT) throw new Error(`${file}: weight of "${c}" exceeds 2^64-1: ${b}`);
    out[c] = b;
  }
  return out;
}

/**
 * Canonical serialisation: keys sorted (by UTF-16 code units), no whitespace, weights as JSON
 * numbers when they are safe integers and as decimal strings otherwise. Byte-stable: equal
 * tables give equal strings, and `parseCostTable(costTableJson(t))` gives back `t`.
 */
export function costTableJson(t: CostTable): string {
  checkCostTable(t);
  const keys = [...INSTR_CLASSES].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts = keys.map((k) => {
    const w = t[k];
    const v = w <= BigInt(Number.MAX_SAFE_INTEGER) ? w.toString() : JSON.stringify(w.toString());
    return `${JSON.stringify(k)}:${v}`;
  });
  return `{${parts.join(',')}}`;
}
