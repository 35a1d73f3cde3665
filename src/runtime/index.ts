/**
 * Runtime: load recompiled guest libraries and run them from Node.js.
 *
 * @example
 * ```ts
 * const program = await Program.load('hello.so');
 * const result = await program.run({ input: 'data' });
 * if (result.status === 'exited') process.stdout.write(result.stdout);
 * ```
 */
export {
  Machine,
  Program,
  formatTrap,
  type ExecutionMode,
  type GuestInput,
  type MachineOptions,
  type RunLimits,
  type RunResult,
  type SegmentRecord,
  type SegmentInfo,
  type TrapCause,
  type TrapInfo,
} from './program.js';
export { SnapshotError, type SnapshotLibrary } from './snapshot.js';
export {
  addonPath,
  loadAddon,
  type NativeAddon,
  type NativeMachine,
  type NativeProgram,
  type NativeRunResult,
  type NativeSegment,
} from './addon.js';
