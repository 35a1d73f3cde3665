/**
 * The guest ABI shared by every executor (reference interpreter, recompiled code, addon):
 * system call numbers, trap causes, result statuses and the initial memory layout.
 * Mirrors native/include/rvr/abi.h; a test checks that the two agree.
 */
import type { Xlen } from './types.js';

export const ABI_VERSION = 3;

/** Linux RISC-V system call numbers understood by the guest ABI. */
export const SYS = {
  read: 63,
  write: 64,
  exit: 93,
  exit_group: 94,
  clock_gettime: 113,
  /** RV32's 64-bit-time clock_gettime. */
  clock_gettime64: 403,
  brk: 214,
} as const;

export const ENOSYS = 38;
export const EBADF = 9;
export const EFAULT = 14;
export const EINVAL = 22;

/** Guest file descriptors. */
export const FD_STDIN = 0;
export const FD_STDOUT = 1;
export const FD_STDERR = 2;
export const FD_PUBLIC = 3;

/** Result status of a run; numbering matches enum rvr_status in abi.h. */
export const STATUS = { running: 0, exited: 1, trapped: 2, suspended: 3, out_of_gas: 4 } as const;

/** Trap causes; numbering matches enum rvr_trap_cause in abi.h. */
export const TRAP_CAUSES = [
  'none',
  'illegal_instruction',
  'breakpoint',
  'load_fault',
  'store_fault',
  'fetch_fault',
  'misaligned_fetch',
] as const;
export type TrapCause = Exclude<(typeof TRAP_CAUSES)[number], 'none'>;
export const TRAP_CODE: Record<TrapCause, number> = {
  illegal_instruction: 1,
  breakpoint: 2,
  load_fault: 3,
  store_fault: 4,
  fetch_fault: 5,
  misaligned_fetch: 6,
};

export const PAGE_SIZE = 4096;

/** Default arena size exponent: RV32 gets the whole 4 GiB space (no bounds checks needed). */
export function defaultMemoryBits(xlen: Xlen): number {
  return xlen === 32 ? 32 : 28;
}

export const MIN_MEMORY_BITS = 16;
export function maxMemoryBits(xlen: Xlen): number {
  return xlen === 32 ? 32 : 38;
}

/** Bytes reserved at the top of the arena for the stack; brk may not grow into them. */
export function stackReserve(memoryBits: number): number {
  return Math.min(2 ** memoryBits / 4, 8 * 1024 * 1024);
}

/**
 * Initial stack pointer. The 256 bytes above it are zero, which a Linux start-up routine reads
 * as argc = 0, argv = { NULL }, envp = { NULL }, auxv = { AT_NULL }.
 */
export function initialSp(memoryBits: number): number {
  return 2 ** memoryBits - 256;
}

/** Initial program break: the page after the highest loaded byte. */
export function initialBrk(segments: readonly { vaddr: number; memsz: number }[]): number {
  let end = 0;
  for (const s of segments) end = Math.max(end, s.vaddr + s.memsz);
  return Math.ceil(end / PAGE_SIZE) * PAGE_SIZE;
}

export function brkLimit(memoryBits: number): number {
  return 2 ** memoryBits - stackReserve(memoryBits);
}

/**
 * The virtual clock: deterministic and the same in every execution mode. Each clock_gettime
 * call advances it by one microsecond (mode-independent, since pure mode does not count
 * instructions).
 */
export const CLOCK_TICK_NS = 1000n;
