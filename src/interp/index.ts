/** The reference interpreter: the oracle every other executor is checked against. */
import type { TrapCause } from '../isa/abi.js';
import type { CostTable } from '../isa/cost.js';
import type { InstrClass, Xlen } from '../isa/types.js';
import type { ElfFile } from '../elf/types.js';
import { Machine, type MachineStatus, type Segment, type Trap } from './machine.js';

export {
  Machine,
  type ElfMachineOptions,
  type InterpSnapshot,
  type MachineOptions,
  type MachineStatus,
  type RunLimits,
  type Segment,
  type SegmentInit,
  type Trap,
} from './machine.js';
export { Memory, MemoryFault } from './memory.js';

export interface InterpretOptions {
  /** Bytes readable from fd 0. */
  input?: Uint8Array;
  /** Arena size exponent (default: defaultMemoryBits(xlen)). */
  memoryBits?: number;
  /** Stop (status 'running') after this many instructions. */
  maxInstructions?: bigint;
  /** Stop (status 'out_of_gas') before the instruction that would take `cost` above this. */
  maxCost?: bigint;
  /** Per-class weights for `cost` (without one, cost is 0 and maxCost never stops the run). */
  costTable?: CostTable;
  /** Record segments of this many instructions. */
  segmentSize?: bigint;
}

/** Everything a run produced, as plain data. */
export interface InterpretResult {
  xlen: Xlen;
  status: MachineStatus;
  /** Low 8 bits of the exit status; undefined unless exited. */
  exitCode: number | undefined;
  trap: Trap | undefined;
  stdout: Uint8Array;
  stderr: Uint8Array;
  publicOutput: Uint8Array;
  instret: bigint;
  classCounts: Record<InstrClass, bigint>;
  /** Sum of the cost table's weights over the completed instructions (0 without a table). */
  cost: bigint;
  /** Segments (empty without segmentSize): completed ones plus the non-empty partial one. */
  segments: Segment[];
  /** x0..x31 as unsigned XLEN values. */
  registers: bigint[];
  pc: bigint;
  /** Memory.digest() of the final arena. */
  memoryDigest: string;
}

export type { TrapCause };

/** Load an ELF into a fresh machine, run it, and return the result record. */
export function interpret(elf: ElfFile, opts: InterpretOptions = {}): InterpretResult {
  const m = Machine.fromElf(elf, {
    input: opts.input,
    memoryBits: opts.memoryBits,
    costTable: opts.costTable,
    segmentSize: opts.segmentSize,
  });
  m.run({ maxInstructions: opts.maxInstructions, maxCost: opts.maxCost });
  return machineResult(m);
}

/** The result record of a machine in its current state. */
export function machineResult(m: Machine): InterpretResult {
  return {
    xlen: m.xlen,
    status: m.status,
    exitCode: m.exitCode,
    trap: m.trap,
    stdout: m.stdout,
    stderr: m.stderr,
    publicOutput: m.publicOutput,
    instret: m.instret,
    classCounts: m.classCounts,
    cost: m.cost,
    segments: m.segments,
    registers: m.registers,
    pc: m.pc,
    memoryDigest: m.memory.digest(),
  };
}
