/**
 * The typed runtime API: load a recompiled guest library ({@link Program}), create machines
 * from it ({@link Machine}) and run them to a {@link RunResult}.
 *
 * Guests run on a native worker thread, so `run()` never blocks the event loop. Every failure
 * (a library that cannot be loaded, an ABI mismatch, a bad address) is an Error with a one-line
 * message naming the library file; guest faults are results (`status: 'trapped'`), not errors.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { STATUS, TRAP_CAUSES, type TrapCause } from '../isa/abi.js';
import { INSTR_CLASSES, type InstrClass, type Xlen } from '../isa/types.js';
import { loadAddon, type NativeMachine, type NativeProgram, type NativeRunResult } from './addon.js';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_PAGE, SnapshotError, type SnapshotLibrary } from './snapshot.js';

export type { TrapCause } from '../isa/abi.js';

/** Execution mode a library was compiled for (one artifact per mode). */
export type ExecutionMode = 'pure' | 'metered' | 'metered_cost';

const MODES: readonly ExecutionMode[] = ['pure', 'metered', 'metered_cost'];

/** Bytes a guest reads from fd 0: raw bytes, or a string encoded as UTF-8. */
export type GuestInput = Uint8Array | string;

/** Options for {@link Program.createMachine} and {@link Program.run}. */
export interface MachineOptions {
  /** The guest's input stream (fd 0). Empty when omitted. */
  input?: GuestInput;
  /**
   * Report segments: a new one starts every `segmentSize` retired instructions (exactly),
   * each with its start, length, per-class counts and cost.
   */
  segmentSize?: bigint | number;
}

/** A guest trap: the machine stopped at a faulting instruction. */
export interface TrapInfo {
  /** What went wrong. */
  cause: TrapCause;
  /** Address of the faulting instruction. */
  pc: bigint;
  /** Cause-specific value: the encoding (illegal instruction), the address (load/store fault)
   * or the jump target (fetch faults). */
  value: bigint;
  /** One line, e.g. `illegal instruction 0x00000000 at pc 0x10024`. */
  message: string;
}

/** Segment of a program's initial memory image. */
export interface SegmentInfo {
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
  /** ELF PF_R (4) | PF_W (2) | PF_X (1). */
  flags: number;
}

/**
 * Limits for one {@link Machine.run}. A run stops exactly at a limit, between two
 * instructions, with status `running` (instruction budget) or `out_of_gas` (cost ceiling);
 * calling `run` again continues from there.
 */
export interface RunLimits {
  /** Stop after this many more instructions retire. */
  maxInstructions?: bigint | number;
  /** Stop before the instruction that would take the total cost past this (metered_cost). */
  maxCost?: bigint | number;
}

/** One metering segment: `length` instructions starting at instruction index `start`. */
export interface SegmentRecord {
  start: bigint;
  length: bigint;
  /** Per class (metered modes). */
  classCounts?: Record<InstrClass, bigint>;
  /** Cost (metered_cost). */
  cost?: bigint;
}

const classRecord = (counts: readonly bigint[]): Record<InstrClass, bigint> =>
  Object.fromEntries(INSTR_CLASSES.map((c, i) => [c, counts[i]])) as Record<InstrClass, bigint>;

/** Outcome of {@link Machine.run}. */
export interface RunResult {
  /** `exited` (exit/exit_group), `trapped` (see {@link RunResult.trap}) or `running` (stopped
   * by a limit; run again to continue). */
  status: 'exited' | 'trapped' | 'running' | 'out_of_gas';
  /** Low 8 bits of the exit status, when `status` is `exited`. */
  exitCode?: number;
  /** The trap, when `status` is `trapped`. */
  trap?: TrapInfo;
  /** The guest pc when it stopped (on a trap, the faulting instruction). */
  pc: bigint;
  /** Instructions retired so far (all runs of this machine). */
  instructions?: bigint;
  /** Retired instructions per class (metered and metered_cost libraries). */
  classCounts?: Record<InstrClass, bigint>;
  /** Cost so far: the sum of the cost table's weights (metered_cost libraries). */
  cost?: bigint;
  /** All segments so far, when the machine has a segment size (the last may be partial). */
  segments?: SegmentRecord[];
  /** Bytes the guest wrote to fd 1 during this run. */
  stdout: Buffer;
  /** Bytes the guest wrote to fd 2 during this run. */
  stderr: Buffer;
  /** Bytes the guest wrote to fd 3 (public output) during this run. */
  publicOutput: Buffer;
  /** x0..x31 when it stopped, as unsigned XLEN-bit values. */
  registers: bigint[];
}

const hex = (v: bigint, digits = 0): string => `0x${v.toString(16).padStart(digits, '0')}`;

/** Formats a trap as one line, e.g. `illegal instruction 0x00000000 at pc 0x10024`. */
export function formatTrap(cause: TrapCause, pc: bigint, value: bigint): string {
  const at = `at pc ${hex(pc)}`;
  switch (cause) {
    case 'illegal_instruction':
      return `illegal instruction ${hex(value, 8)} ${at}`;
    case 'breakpoint':
      return `breakpoint ${at}`;
    case 'load_fault':
      return `load fault: address ${hex(value)} ${at}`;
    case 'store_fault':
      return `store fault: address ${hex(value)} ${at}`;
    case 'fetch_fault':
      return `fetch fault: jump to ${hex(value)} ${at}`;
    case 'misaligned_fetch':
      return `misaligned fetch: jump to ${hex(value)} ${at}`;
  }
}

function toBytes(input: GuestInput | undefined): Uint8Array {
  if (input === undefined) return new Uint8Array(0);
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

/** What a snapshot records of the input: resuming needs the same bytes. */
function inputDigest(input: Uint8Array): { length: bigint; sha256: string } {
  return { length: BigInt(input.length), sha256: createHash('sha256').update(input).digest('hex') };
}

function toAddress(addr: bigint | number, what: string): bigint {
  if (typeof addr === 'bigint') return addr;
  if (!Number.isSafeInteger(addr) || addr < 0) {
    throw new RangeError(`${what}: address must be a non-negative integer, got ${addr}`);
  }
  return BigInt(addr);
}

/**
 * A loaded guest library (one `.so` produced by codegen + compile). Load with
 * {@link Program.load}; create any number of independent {@link Machine}s from it. The library
 * stays loaded while the program or any of its machines is alive.
 */
export class Program {
  /** Absolute path of the library file. */
  readonly path: string;
  /** Register width of the guest. */
  readonly xlen: Xlen;
  /** The guest arena is 2^memoryBits bytes. */
  readonly memoryBits: number;
  /** Execution mode the library was compiled for. */
  readonly mode: ExecutionMode;
  /** Guest entry point. */
  readonly entry: bigint;
  /** Initial stack pointer (x2). */
  readonly initialSp: bigint;
  /** Initial program break. */
  readonly initialBrk: bigint;
  /** Highest program break the guest may set. */
  readonly brkLimit: bigint;
  /** The library's metadata (codegen version, fingerprint, ISA, mode, ...). */
  readonly metadata: Record<string, unknown>;
  /** Initial memory image. */
  readonly segments: readonly SegmentInfo[];
  /** The fingerprint compiled into the library (SHA-256 hex), or undefined when it has none. */
  readonly fingerprint: string | undefined;

  readonly #native: NativeProgram;

  private constructor(native: NativeProgram, file: string) {
    this.#native = native;
    this.path = file;
    this.xlen = native.xlen as Xlen;
    this.memoryBits = native.memBits;
    const mode = MODES[native.mode];
    if (mode === undefined) throw new Error(`${file}: unknown execution mode ${native.mode}`);
    this.mode = mode;
    this.entry = native.entry;
    this.initialSp = native.initialSp;
    this.initialBrk = native.initialBrk;
    this.brkLimit = native.brkLimit;
    let metadata: unknown;
    try {
      metadata = JSON.parse(native.metadata);
    } catch (err) {
      throw new Error(`${file}: guest library metadata is not valid JSON (${(err as Error).message})`);
    }
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      throw new Error(`${file}: guest library metadata is not a JSON object`);
    }
    this.metadata = metadata as Record<string, unknown>;
    const fp = this.metadata.fingerprint;
    this.fingerprint = typeof fp === 'string' && fp !== '' ? fp : undefined;
    this.segments = native.segments.map((s) => ({ ...s }));
  }

  /**
   * Loads (dlopens) a guest library and checks its ABI version and descriptor.
   * @param file path of the `.so`; relative paths are resolved against the working directory.
   * @throws Error naming the file when it is missing, not a library, not an rvr guest library,
   * built for another ABI version, or has an invalid descriptor.
   */
  static async load(file: string): Promise<Program> {
    const abs = path.resolve(file);
    const native = loadAddon().loadProgram(abs);
    return new Program(native, abs);
  }

  #identity: string | undefined;

  /**
   * What a snapshot records to name this library: the embedded fingerprint, or for a library
   * built without one, the SHA-256 of the file.
   */
  #snapshotIdentity(): string {
    this.#identity ??= this.fingerprint ?? `file-sha256:${createHash('sha256').update(readFileSync(this.path)).digest('hex')}`;
    return this.#identity;
  }

  /** Creates a fresh machine: new arena with the initial image, registers and streams. */
  createMachine(opts: MachineOptions = {}): Machine {
    let segmentSize: bigint | undefined;
    if (opts.segmentSize !== undefined) {
      segmentSize = BigInt(opts.segmentSize);
      if (segmentSize <= 0n || segmentSize >= 1n << 64n) throw new RangeError(`${this.path}: segmentSize must be a positive integer below 2^64`);
    }
    const input = toBytes(opts.input);
    const native = loadAddon().createMachine(this.#native, input, segmentSize === undefined ? {} : { segmentSize });
    return new Machine(this, native, inputDigest(input));
  }

  /**
   * Continues a machine from a {@link Machine.snapshot} (taken in this process or another),
   * with the same input the original machine had.
   * @param options.source names the snapshot in error messages (e.g. its file name).
   * @throws SnapshotError when the snapshot is corrupt, belongs to a library with another
   * fingerprint, or the input differs.
   */
  resume(snapshot: Uint8Array, options: { input?: GuestInput; source?: string } = {}): Machine {
    const source = options.source ?? 'snapshot';
    const snap = decodeSnapshot(snapshot, source);
    const want = this.#snapshotLibrary();
    const lib = snap.library;
    if (lib.fingerprint !== want.fingerprint) {
      throw new SnapshotError(
        `${source}: taken from a library with fingerprint ${lib.fingerprint.slice(0, 16)}… (${lib.mode}, RV${lib.xlen}), not ${this.path} (fingerprint ${want.fingerprint.slice(0, 16)}…)`,
      );
    }
    const input = toBytes(options.input);
    const digest = inputDigest(input);
    if (digest.length !== snap.input.length || digest.sha256 !== snap.input.sha256) {
      throw new SnapshotError(`${source}: the snapshot's input (${snap.input.length} bytes) differs from the input given (${input.length} bytes)`);
    }
    const segmentSize = snap.state.segmentSize;
    const native = loadAddon().createMachine(this.#native, input, segmentSize === 0n ? {} : { segmentSize });
    try {
      native.loadState(snap.state);
      for (const p of snap.pages) native.writeMemory(p.address, p.bytes);
    } catch (err) {
      native.dispose();
      throw new SnapshotError(`${source}: ${(err as Error).message}`);
    }
    return new Machine(this, native, digest, snap.output);
  }

  /** @internal */
  #snapshotLibrary(): SnapshotLibrary {
    return { fingerprint: this.#snapshotIdentity(), xlen: this.xlen, mode: this.mode, memoryBits: this.memoryBits };
  }

  /** @internal Identity a snapshot of this program's machines records. */
  get snapshotLibrary(): SnapshotLibrary {
    return this.#snapshotLibrary();
  }

  /** Creates a machine, runs it (to completion, or to a limit) and disposes of it. */
  async run(opts: MachineOptions & RunLimits = {}): Promise<RunResult> {
    const machine = this.createMachine(opts);
    try {
      return await machine.run({ maxInstructions: opts.maxInstructions, maxCost: opts.maxCost });
    } finally {
      machine.dispose();
    }
  }
}

/**
 * One guest machine: a private arena, register file, input stream and output buffers.
 * Machines are independent and may run concurrently. Call {@link Machine.dispose} (or use
 * `using`) to release the arena early; otherwise it is freed when the object is collected.
 */
export class Machine {
  /** The program this machine runs. */
  readonly program: Program;
  readonly #native: NativeMachine;
  readonly #input: { length: bigint; sha256: string };
  // Output of every run so far (a snapshot carries it, so a resumed machine has it too).
  readonly #output: { stdout: Uint8Array[]; stderr: Uint8Array[]; publicOutput: Uint8Array[] };

  /** @internal Use {@link Program.createMachine} or {@link Program.resume}. */
  constructor(
    program: Program,
    native: NativeMachine,
    input: { length: bigint; sha256: string },
    output?: { stdout: Uint8Array; stderr: Uint8Array; publicOutput: Uint8Array },
  ) {
    this.program = program;
    this.#native = native;
    this.#input = input;
    this.#output = {
      stdout: output ? [output.stdout] : [],
      stderr: output ? [output.stderr] : [],
      publicOutput: output ? [output.publicOutput] : [],
    };
  }

  /** Everything the guest has written so far, over all runs (and before a resume). */
  get output(): { stdout: Buffer; stderr: Buffer; publicOutput: Buffer } {
    return {
      stdout: Buffer.concat(this.#output.stdout),
      stderr: Buffer.concat(this.#output.stderr),
      publicOutput: Buffer.concat(this.#output.publicOutput),
    };
  }

  /**
   * Serialises a machine that can continue (stopped by a limit, or not started) to bytes:
   * pc, registers, counters, segments, changed memory pages, input position, output so far and
   * program break. {@link Program.resume} continues it, here or in another process.
   * @throws Error while running, or once the guest has exited or trapped.
   */
  snapshot(): Uint8Array {
    const state = this.#native.saveState();
    if (state.status !== STATUS.running && state.status !== STATUS.suspended && state.status !== STATUS.out_of_gas) {
      throw new SnapshotError(`${this.program.path}: a machine that has exited or trapped cannot be snapshotted`);
    }
    return encodeSnapshot({
      library: this.program.snapshotLibrary,
      input: this.#input,
      state,
      output: this.output,
      pages: this.changedPages(),
    });
  }

  /** Guest memory that differs from the program's initial image, in 4 KiB pages. */
  changedPages(): { address: bigint; bytes: Uint8Array }[] {
    return this.#native.changedPages().map((address) => ({ address, bytes: this.#native.readMemory(address, SNAPSHOT_PAGE) }));
  }

  /** SHA-256 (hex) over the changed pages: equal digests mean equal guest memory. */
  memoryDigest(): string {
    const h = createHash('sha256');
    const addr = Buffer.alloc(8);
    for (const p of this.changedPages()) {
      addr.writeBigUInt64LE(p.address);
      h.update(addr).update(p.bytes);
    }
    return h.digest('hex');
  }

  /**
   * Runs the guest on a worker thread until it exits or traps (or stops at a limit).
   * Each run's result carries the output written during that run.
   * @throws (rejects) when the machine is already running, has already stopped, is disposed,
   * or the host failed (e.g. out of memory).
   */
  async run(limits: RunLimits = {}): Promise<RunResult> {
    const checked: { maxInstructions?: bigint; maxCost?: bigint } = {};
    for (const key of ['maxInstructions', 'maxCost'] as const) {
      const v = limits[key];
      if (v === undefined) continue;
      const b = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
      if (typeof b !== 'bigint' || b < 0n || b >= 1n << 64n) {
        throw new RangeError(`${this.program.path}: ${key} must be a non-negative integer below 2^64`);
      }
      checked[key] = b;
    }
    if (checked.maxCost !== undefined && this.program.mode !== 'metered_cost') {
      throw new Error(`${this.program.path}: maxCost needs a library built in metered_cost mode (this one is ${this.program.mode})`);
    }
    const result = this.#convert(await this.#native.run(checked));
    this.#output.stdout.push(result.stdout);
    this.#output.stderr.push(result.stderr);
    this.#output.publicOutput.push(result.publicOutput);
    return result;
  }

  /**
   * Copies `len` bytes of guest memory starting at `addr`.
   * @throws RangeError when the range is outside the arena; Error while running or disposed.
   */
  readMemory(addr: bigint | number, len: number): Uint8Array {
    if (!Number.isSafeInteger(len) || len < 0) {
      throw new RangeError(`readMemory: length must be a non-negative integer, got ${len}`);
    }
    return this.#native.readMemory(toAddress(addr, 'readMemory'), len);
  }

  /**
   * Copies bytes (or a UTF-8 string) into guest memory at `addr`.
   * @throws RangeError when the range is outside the arena; Error while running or disposed.
   */
  writeMemory(addr: bigint | number, data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.#native.writeMemory(toAddress(addr, 'writeMemory'), bytes);
  }

  /**
   * Integer registers x0..x31 as unsigned XLEN-bit values. Setting takes 32 values; negative
   * values are stored as XLEN-bit two's complement, and x0 stays zero.
   */
  get registers(): bigint[] {
    return this.#native.registers;
  }

  set registers(values: readonly bigint[]) {
    if (values.length !== 32) {
      throw new TypeError(`registers: expected 32 values (x0..x31), got ${values.length}`);
    }
    const xlen = BigInt(this.program.xlen);
    this.#native.registers = values.map((v, i) => {
      if (typeof v !== 'bigint') throw new TypeError(`registers[${i}] must be a bigint`);
      if (v < -(1n << (xlen - 1n)) || v >= 1n << xlen) {
        throw new RangeError(`registers[${i}] = ${v} does not fit in ${xlen} bits`);
      }
      return BigInt.asUintN(Number(xlen), v);
    });
  }

  /**
   * The next pc to run (the entry point for a fresh machine).
   * @throws RangeError when set outside the arena or to an odd address (no instruction starts
   * there); a pc in the arena without code is the guest's fault and traps when run.
   */
  get pc(): bigint {
    return this.#native.pc;
  }

  set pc(value: bigint | number) {
    this.#native.pc = toAddress(value, 'pc');
  }

  /** True while a {@link Machine.run} is in flight. */
  get running(): boolean {
    return this.#native.running;
  }

  /** True once {@link Machine.dispose} has been called. */
  get disposed(): boolean {
    return this.#native.disposed;
  }

  /** Releases the arena (after an in-flight run finishes). Safe to call more than once. */
  dispose(): void {
    this.#native.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #convert(raw: NativeRunResult): RunResult {
    const result: RunResult = {
      status: 'running',
      pc: raw.pc,
      stdout: raw.stdout,
      stderr: raw.stderr,
      publicOutput: raw.publicOutput,
      registers: raw.registers,
    };
    result.instructions = raw.instret;
    if (this.program.mode !== 'pure') {
      result.classCounts = classRecord(raw.classCounts);
    }
    if (this.program.mode === 'metered_cost') result.cost = raw.cost;
    if (raw.segments) {
      result.segments = raw.segments.map((seg) => ({
        start: seg.start,
        length: seg.length,
        ...(this.program.mode !== 'pure' ? { classCounts: classRecord(seg.classCounts) } : {}),
        ...(this.program.mode === 'metered_cost' ? { cost: seg.cost } : {}),
      }));
    }
    if (raw.status === STATUS.exited) {
      result.status = 'exited';
      result.exitCode = raw.exitCode;
    } else if (raw.status === STATUS.trapped) {
      result.status = 'trapped';
      const name = TRAP_CAUSES[raw.trapCause];
      if (name === undefined || name === 'none') {
        throw new Error(`${this.program.path}: guest trapped with unknown cause ${raw.trapCause}`);
      }
      result.trap = {
        cause: name,
        pc: raw.trapPc,
        value: raw.trapValue,
        message: formatTrap(name, raw.trapPc, raw.trapValue),
      };
    } else if (raw.status === STATUS.out_of_gas) {
      result.status = 'out_of_gas';
    } else if (raw.status !== STATUS.running && raw.status !== STATUS.suspended) {
      throw new Error(`${this.program.path}: guest stopped with invalid status ${raw.status}`);
    }
    return result;
  }
}
