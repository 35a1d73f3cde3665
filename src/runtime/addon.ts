/**
 * Locates and loads the compiled native addon (`build/Release/rvr_addon.node`, built by
 * `node-gyp rebuild` from `native/addon`) and describes its JavaScript surface.
 *
 * The addon is deliberately thin; {@link ./program.ts} builds the typed API on top of it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A guest library as the addon sees it (fields of `rvr_program` in abi.h). */
export interface NativeProgram {
  readonly path: string;
  readonly xlen: number;
  readonly memBits: number;
  /** enum rvr_mode: 0 pure, 1 metered, 2 metered_cost. */
  readonly mode: number;
  readonly entry: bigint;
  readonly initialSp: bigint;
  readonly initialBrk: bigint;
  readonly brkLimit: bigint;
  /** The library's metadata JSON text (`"{}"` when it has none). */
  readonly metadata: string;
  readonly segments: readonly NativeSegment[];
}

/** One initial-memory segment of a guest library. */
export interface NativeSegment {
  readonly vaddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  /** ELF PF_R | PF_W | PF_X. */
  readonly flags: number;
}

/** Raw result of one `run()`: `rvr_state` fields plus the output produced by that run. */
export interface NativeRunResult {
  /** enum rvr_status. */
  status: number;
  exitCode: number;
  /** enum rvr_trap_cause. */
  trapCause: number;
  trapPc: bigint;
  trapValue: bigint;
  pc: bigint;
  instret: bigint;
  cost: bigint;
  /** Retired instructions per class (abi.h enum rvr_class order). */
  classCounts: bigint[];
  /** Present when the machine was created with a segment size. */
  segments?: { start: bigint; length: bigint; cost: bigint; classCounts: bigint[] }[];
  stdout: Buffer;
  stderr: Buffer;
  publicOutput: Buffer;
  registers: bigint[];
}

/** A metering segment as the addon keeps it (the open one has length 0). */
export interface NativeSegmentState {
  start: bigint;
  length: bigint;
  cost: bigint;
  classCounts: bigint[];
}

/** What a machine needs, besides memory and output, to continue elsewhere. */
export interface NativeMachineState {
  registers: bigint[];
  pc: bigint;
  /** enum rvr_status. */
  status: number;
  instret: bigint;
  cost: bigint;
  classCounts: bigint[];
  brk: bigint;
  clockCalls: bigint;
  inputPos: bigint;
  inputLength: bigint;
  segmentSize: bigint;
  open: NativeSegmentState;
  segments: NativeSegmentState[];
}

/** A guest machine: one arena and register file. */
export interface NativeMachine {
  /** Runs on a worker thread; rejects if the machine is running, stopped or disposed. */
  run(limits?: { maxInstructions?: bigint; maxCost?: bigint }): Promise<NativeRunResult>;
  /** Copies `len` bytes out of the arena (RangeError outside it). */
  readMemory(addr: bigint | number, len: number): Buffer;
  /** Copies bytes into the arena (RangeError outside it). */
  writeMemory(addr: bigint | number, data: Uint8Array): void;
  /** x0..x31, zero-extended; setting takes 32 values in [0, 2^xlen) and ignores x0. */
  registers: bigint[];
  pc: bigint;
  readonly running: boolean;
  readonly disposed: boolean;
  /** Releases the arena (after the current run, if one is in flight). Idempotent. */
  dispose(): void;
  /** The machine's registers, counters and host state (not memory or output). */
  saveState(): NativeMachineState;
  /** Restores a saved state into a machine of the same program with the same input. */
  loadState(state: NativeMachineState): void;
  /** Addresses of the 4 KiB pages that differ from the program's initial image. */
  changedPages(): bigint[];
}

/** The addon module's exports. */
export interface NativeAddon {
  /** RVR_ABI_VERSION the addon was built against. */
  readonly abiVersion: number;
  /** Native stack size of the thread each guest runs on, in bytes. */
  readonly guestStackSize: number;
  /** dlopens and validates a guest library; throws an Error naming the file on failure. */
  loadProgram(path: string): NativeProgram;
  /** Allocates an arena, copies the segments in and sets up the initial state. */
  createMachine(program: NativeProgram, input?: Uint8Array, options?: { segmentSize?: bigint }): NativeMachine;
}

/** The repository (package) root: this module is `src/runtime/addon.ts` or `dist/runtime/addon.js`. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the compiled addon. */
export const addonPath: string = path.join(packageRoot, 'build', 'Release', 'rvr_addon.node');

let cached: NativeAddon | undefined;

/**
 * Loads the native addon once and returns it.
 * @throws Error when the addon has not been built or cannot be loaded.
 */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  if (!existsSync(addonPath)) {
    throw new Error(
      `rvr native addon not found at ${addonPath}; run \`npm install\` (or \`npx node-gyp rebuild\`) in ${packageRoot}`,
    );
  }
  const require = createRequire(import.meta.url);
  try {
    cached = require(addonPath) as NativeAddon;
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new Error(
      `cannot load rvr native addon ${addonPath}: ${why}; rebuild it with \`npx node-gyp rebuild\``,
      { cause: err },
    );
  }
  return cached;
}
