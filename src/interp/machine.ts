/**
 * The reference interpreter: a straightforward RV32IM / RV64IM machine that is the oracle every
 * other executor (recompiled code in all modes) is checked against.
 *
 * Conventions (shared with native/include/rvr/abi.h):
 *  - Registers are XLEN bits; RV32 values are reported zero-extended to 64 bits.
 *  - Instructions are decoded once, lazily, from the *initial* image of the executable (PF_X)
 *    segments, like static recompilation does: stores into code do not change what runs.
 *  - A trap leaves registers and memory as they were before the trapping instruction, and that
 *    instruction is not counted. Trap pcs/values are unsigned XLEN values (bigint).
 *      illegal_instruction  pc = the instruction, value = its encoding
 *      breakpoint           pc = the ebreak, value = 0
 *      load_fault/store_fault pc = the instruction, value = the (unsigned) effective address
 *      misaligned_fetch     pc = the jump/taken branch, value = the target (rd not written)
 *      fetch_fault          pc = value = the address that could not be fetched; the jump that
 *                           led there did complete (counted, rd written). A fetch fault is
 *                           raised as soon as control reaches such an address, even when the
 *                           instruction limit is reached at the same moment.
 *  - After an exit, pc is the address of the ecall that exited (it is counted in instret).
 *  - `run(limit)` / `run({ maxInstructions })` executes at most that many more instructions per
 *    call; `run({ maxCost })` stops with status 'out_of_gas' before the instruction that would
 *    take `cost` above the (absolute) ceiling. See `run` for the exact rules.
 *
 * Metering (the oracle for the recompiled `metered` and `metered_cost` modes):
 *  - `instret` counts completed instructions, `classCounts` them per INSTR_CLASSES class, and
 *    `cost` sums the optional cost table's weights over them (computed from the class counts,
 *    so it costs nothing per instruction; a cost limit adds one weight lookup per instruction,
 *    indexed by op code, from a table derived from the per-class weights).
 *  - With `segmentSize` N, segment k covers instret indices [k N, (k + 1) N): the loop stops at
 *    each boundary to record it, so segments are independent of how runs are cut.
 *  - `snapshot()` / `Machine.restore(options, snapshot)` capture and restore the whole state.
 *
 * Speed (node 20 on the development machine, an 11-instruction loop with mul, divu, lw, sw and a
 * branch, 11 M instructions): about 45-55 M instructions/s for RV32 (registers are int32
 * numbers) and 25-30 M instructions/s for RV64 (registers are BigInt in a BigUint64Array).
 * Short runs are slower while V8 warms up (under vitest, ~3 M instructions: ~25 and ~7 M/s).
 */
import {
  brkLimit,
  CLOCK_TICK_NS,
  defaultMemoryBits,
  EBADF,
  EFAULT,
  EINVAL,
  ENOSYS,
  FD_PUBLIC,
  FD_STDERR,
  FD_STDIN,
  FD_STDOUT,
  initialBrk,
  initialSp,
  maxMemoryBits,
  MIN_MEMORY_BITS,
  SYS,
  type TrapCause,
} from '../isa/abi.js';
import { checkCostTable, costTableJson, type CostTable } from '../isa/cost.js';
import { decode, instrClass } from '../isa/decode.js';
import { INSTR_CLASSES, OPS, type InstrClass, type IsaOptions, type Op, type Xlen } from '../isa/types.js';
import type { ElfFile } from '../elf/types.js';
import { EF_RISCV_RVC, PF_X } from '../elf/types.js';
import { Memory } from './memory.js';

export interface SegmentInit {
  vaddr: number;
  /** Initial bytes (the rest up to memsz is zero). */
  data: Uint8Array;
  memsz: number;
  /** ELF PF_R | PF_W | PF_X. */
  flags: number;
}

export interface MachineOptions {
  xlen: Xlen;
  /** Arena size exponent; defaults to defaultMemoryBits(xlen). */
  memoryBits?: number;
  segments: readonly SegmentInit[];
  entry: number;
  /** The C extension (compressed instructions; IALIGN = 16). `optionsFromElf` takes it from EF_RISCV_RVC. */
  compressed?: boolean;
  /** Bytes readable from fd 0. */
  input?: Uint8Array;
  /** Per-class weights for `cost` and `maxCost` (without a table every weight is 0). */
  costTable?: CostTable;
  /** Record segments of this many instructions (> 0); see `segments`. */
  segmentSize?: bigint;
}

/** Options of `Machine.fromElf` / `Machine.optionsFromElf`. */
export interface ElfMachineOptions {
  input?: Uint8Array;
  memoryBits?: number;
  costTable?: CostTable;
  segmentSize?: bigint;
}

/**
 * 'running': stopped by the instruction limit (or not started); 'out_of_gas': stopped by the
 * cost limit before an instruction (see `run`); both continue with a later `run`.
 */
export type MachineStatus = 'running' | 'exited' | 'trapped' | 'out_of_gas';

/** Limits for one `run` call. */
export interface RunLimits {
  /** Execute at most this many more instructions in this call (then status 'running'). */
  maxInstructions?: bigint;
  /** Absolute ceiling on `cost` (not a per-call budget); see `run`. */
  maxCost?: bigint;
}

/** One segment: the instructions with instret index in [start, start + length). */
export interface Segment {
  start: bigint;
  length: bigint;
  classCounts: Record<InstrClass, bigint>;
  /** Sum of the weights of the segment's instructions (0 without a cost table). */
  cost: bigint;
}

/**
 * Everything needed to continue a machine identically (plain data, no serialisation format).
 * Restore with `Machine.restore(options, snapshot)` where options describe the same program.
 */
export interface InterpSnapshot {
  xlen: Xlen;
  memoryBits: number;
  status: MachineStatus;
  exitCode: number | undefined;
  trap: Trap | undefined;
  /** As the `pc` getter: the next instruction (the trap pc when trapped). */
  pc: bigint;
  /** x0..x31 as unsigned XLEN values. */
  registers: bigint[];
  instret: bigint;
  classCounts: Record<InstrClass, bigint>;
  /** Per-op counts (optional: without them `opCountsByName` restarts from zero). */
  opCounts?: Partial<Record<Op, bigint>>;
  cost: bigint;
  /** The cost table in use (must equal the restoring machine's). */
  costTable: CostTable | undefined;
  segmentSize: bigint | undefined;
  /** As the `segments` getter: completed segments plus the current partial one, if non-empty. */
  segments: Segment[];
  /** Every page holding a non-zero byte (page-aligned address, PAGE_SIZE bytes). */
  memory: { addr: bigint; data: Uint8Array }[];
  /** Bytes of the input consumed so far. */
  inputPos: bigint;
  stdout: Uint8Array;
  stderr: Uint8Array;
  publicOutput: Uint8Array;
  programBreak: bigint;
  clockCalls: bigint;
}

export interface Trap {
  cause: TrapCause;
  /** Unsigned XLEN value. */
  pc: bigint;
  /** Unsigned XLEN value (encoding, address or target; 0 for breakpoint). */
  value: bigint;
}

/** Op code numbers used by the dispatch switch: OPS index + 1; 0 = not decoded yet. */
const ILLEGAL = 255;
const OP_CODE = new Map<Op, number>(OPS.map((o, i) => [o, i + 1]));
/**
 * The dispatch switches use these numbers as literal case labels (e.g. 22 for addi), so that
 * V8 can compile them to a jump table. Fail loudly if the op list ever changes order.
 */
const DISPATCH_ORDER =
  'lui,auipc,jal,jalr,beq,bne,blt,bge,bltu,bgeu,lb,lh,lw,lbu,lhu,lwu,ld,sb,sh,sw,sd,addi,slti,sltiu,' +
  'xori,ori,andi,slli,srli,srai,add,sub,sll,slt,sltu,xor,srl,sra,or,and,addiw,slliw,srliw,sraiw,addw,' +
  'subw,sllw,srlw,sraw,fence,fence_i,ecall,ebreak,mul,mulh,mulhsu,mulhu,div,divu,rem,remu,mulw,divw,' +
  'divuw,remw,remuw';
if (OPS.slice(0, 66).join(',') !== DISPATCH_ORDER) {
  throw new Error('src/isa/types.ts OPS changed order: update the dispatch numbers in src/interp/machine.ts');
}
const NCLASS = INSTR_CLASSES.length;
/** Op code -> index in INSTR_CLASSES (ILLEGAL and 0 have no class: 255). */
const CLASS_ID = new Uint8Array(256).fill(255);
OPS.forEach((o, i) => (CLASS_ID[i + 1] = INSTR_CLASSES.indexOf(instrClass(o))));
/** Per-op weights used when no cost limit applies: nothing ever runs out of gas. */
const ZERO_WT = new Float64Array(256);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_B = BigInt(MAX_SAFE);

function classRecord(f: (k: number) => bigint): Record<InstrClass, bigint> {
  const out = {} as Record<InstrClass, bigint>;
  INSTR_CLASSES.forEach((c, k) => (out[c] = f(k)));
  return out;
}

function copySegment(s: Segment): Segment {
  return { start: s.start, length: s.length, classCounts: { ...s.classCounts }, cost: s.cost };
}

const U64 = (1n << 64n) - 1n;
const NS_PER_S = 1_000_000_000n;

/**
 * Decoded instructions of one executable segment, one slot per possible instruction address
 * (every 4-byte aligned address, or every even address with the C extension).
 */
class CodeRange {
  /** First and last slot addresses at which an instruction can start in the segment. */
  readonly first: number;
  readonly last: number;
  readonly op: Uint8Array;
  /** Encoded length of the decoded instruction (2 or 4). */
  readonly len: Uint8Array;
  readonly rd: Uint8Array;
  readonly rs1: Uint8Array;
  readonly rs2: Uint8Array;
  readonly imm: Int32Array;
  /** RV64: the immediate as a bigint (unsigned XLEN form for sltiu). */
  readonly immB: bigint[];
  readonly raw: Uint32Array;

  constructor(
    readonly vaddr: number,
    readonly end: number,
    private readonly image: Uint8Array,
    private readonly shift: 1 | 2,
    private readonly isa: IsaOptions,
  ) {
    const slot = 1 << shift;
    this.first = Math.ceil(vaddr / slot) * slot;
    this.last = Math.floor((end - slot) / slot) * slot;
    const n = this.last >= this.first ? (this.last - this.first) / slot + 1 : 0;
    this.op = new Uint8Array(n);
    this.len = new Uint8Array(n);
    this.rd = new Uint8Array(n);
    this.rs1 = new Uint8Array(n);
    this.rs2 = new Uint8Array(n);
    this.imm = new Int32Array(n);
    this.raw = new Uint32Array(n);
    this.immB = new Array<bigint>(n).fill(0n); // packed, so indexing stays fast
  }

  /** Decode slot i (address first + i slots) from the initial image; returns its op code. */
  decodeSlot(i: number, xlen: Xlen): number {
    const off = this.first + (i << this.shift) - this.vaddr;
    const b = this.image;
    const byte = (k: number): number => (off + k < b.length ? b[off + k] : 0);
    const word = (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24)) >>> 0;
    // A compressed encoding is the low halfword only (that is also its trap value).
    this.raw[i] = this.isa.compressed && (word & 3) !== 3 ? word & 0xffff : word;
    const d = decode(word, xlen, this.isa);
    this.len[i] = d?.len ?? 4;
    if (d === undefined) {
      this.op[i] = ILLEGAL;
      this.immB[i] = 0n;
      return ILLEGAL;
    }
    const code = OP_CODE.get(d.op)!;
    this.rd[i] = d.rd;
    this.rs1[i] = d.rs1;
    this.rs2[i] = d.rs2;
    this.imm[i] = d.imm;
    this.immB[i] = d.op === 'sltiu' ? BigInt.asUintN(xlen, BigInt(d.imm)) : BigInt(d.imm);
    this.op[i] = code;
    return code;
  }
}

export class Machine {
  readonly xlen: Xlen;
  readonly memoryBits: number;
  readonly memory: Memory;
  readonly entry: number;
  readonly initialBrk: number;
  readonly brkLimit: number;

  private _status: MachineStatus = 'running';
  private _exitCode: number | undefined;
  private _trap: Trap | undefined;

  // Registers: RV32 as int32 numbers, RV64 as a BigUint64Array with a signed view.
  private readonly r32 = new Int32Array(32);
  private readonly x64 = new BigUint64Array(32);
  private readonly s64 = new BigInt64Array(this.x64.buffer);

  /** The decoder's options (the C extension) and what follows from them. */
  readonly isa: IsaOptions;
  /** log2 of the slot size: 1 with C (IALIGN = 16), else 2. */
  private readonly slotShift: 1 | 2;
  /** Jump targets with any of these bits set trap as misaligned fetches (3 without C, 1 with). */
  private readonly fetchMask: number;

  /** Next pc (always a slot address inside a code range while running). */
  private pcNum: number;
  /** Set when control went to an address that is not representable as pcNum. */
  private farPc = 0n;

  private readonly ranges: CodeRange[] = [];
  private cur: CodeRange;
  private readonly opCounts = new Float64Array(256);
  /** Class counts not reflected in opCounts (restored from a snapshot without per-op counts). */
  private readonly classBase = new Float64Array(NCLASS);
  private retired = 0;

  /** Cost weights by class id, and by op code as numbers (Infinity above 2^53 - 1). */
  readonly costTable: Readonly<CostTable> | undefined;
  private readonly weights: bigint[];
  private readonly wtOp = new Float64Array(256);

  readonly segmentSize: bigint | undefined;
  /** Segment size as a number (0: no segments; clamped to 2^53 - 1, never reached). */
  private readonly segN: number;
  private readonly doneSegs: Segment[] = [];
  /** Class totals at the start of the current segment. */
  private segStart: Float64Array = new Float64Array(NCLASS);

  private brk: number;
  private clockCalls = 0n;
  private readonly input: Uint8Array;
  private inputPos = 0;
  private readonly out: Record<'stdout' | 'stderr' | 'public', Uint8Array[]> = {
    stdout: [],
    stderr: [],
    public: [],
  };

  constructor(opts: MachineOptions) {
    const { xlen } = opts;
    if (xlen !== 32 && xlen !== 64) throw new RangeError(`xlen must be 32 or 64, got ${String(xlen)}`);
    const bits = opts.memoryBits ?? defaultMemoryBits(xlen);
    if (!Number.isInteger(bits) || bits < MIN_MEMORY_BITS || bits > maxMemoryBits(xlen)) {
      throw new RangeError(
        `memoryBits must be an integer in [${MIN_MEMORY_BITS}, ${maxMemoryBits(xlen)}] for RV${xlen}, got ${bits}`,
      );
    }
    this.xlen = xlen;
    this.memoryBits = bits;
    this.isa = { compressed: opts.compressed === true };
    this.slotShift = this.isa.compressed ? 1 : 2;
    this.fetchMask = this.isa.compressed ? 1 : 3;
    if (opts.costTable !== undefined) {
      checkCostTable(opts.costTable);
      this.costTable = Object.freeze({ ...opts.costTable });
    }
    this.weights = INSTR_CLASSES.map((c) => this.costTable?.[c] ?? 0n);
    for (let op = 1; op <= OPS.length; op++) {
      const w = this.weights[CLASS_ID[op]];
      this.wtOp[op] = w <= MAX_SAFE_B ? Number(w) : Infinity;
    }
    if (opts.segmentSize !== undefined) {
      if (typeof opts.segmentSize !== 'bigint' || opts.segmentSize <= 0n) {
        throw new RangeError(`segmentSize must be a bigint > 0, got ${String(opts.segmentSize)}`);
      }
      this.segmentSize = opts.segmentSize;
    }
    this.segN = this.segmentSize === undefined ? 0 : this.segmentSize < MAX_SAFE_B ? Number(this.segmentSize) : MAX_SAFE;
    this.memory = new Memory(bits);
    this.entry = opts.entry;
    for (const s of opts.segments) {
      if (!Number.isInteger(s.vaddr) || s.vaddr < 0 || !Number.isInteger(s.memsz) || s.memsz < 0) {
        throw new RangeError(`segment at ${s.vaddr} has an invalid address or size`);
      }
      if (s.data.length > s.memsz) {
        throw new RangeError(`segment at 0x${s.vaddr.toString(16)}: ${s.data.length} data bytes > memsz ${s.memsz}`);
      }
      if (s.vaddr + s.memsz > this.memory.size) {
        throw new RangeError(
          `segment 0x${s.vaddr.toString(16)}+0x${s.memsz.toString(16)} does not fit in a 2^${bits}-byte arena`,
        );
      }
      this.memory.write(s.vaddr, s.data);
      if (s.flags & PF_X) {
        const r = new CodeRange(s.vaddr, s.vaddr + s.memsz, s.data, this.slotShift, this.isa);
        if (r.op.length > 0) this.ranges.push(r);
      }
    }
    this.cur = this.ranges[0] ?? new CodeRange(0, 0, new Uint8Array(0), this.slotShift, this.isa);
    this.initialBrk = initialBrk(opts.segments);
    this.brk = this.initialBrk;
    this.brkLimit = brkLimit(bits);
    this.input = opts.input ?? new Uint8Array(0);
    this.setRegister(2, BigInt(initialSp(bits)));
    this.pcNum = opts.entry;
    if (!Number.isInteger(opts.entry) || opts.entry < 0) throw new RangeError(`invalid entry ${opts.entry}`);
    if (opts.entry & this.fetchMask) this.setTrap('misaligned_fetch', BigInt(opts.entry), BigInt(opts.entry));
  }

  static fromElf(elf: ElfFile, opts: ElfMachineOptions = {}): Machine {
    return new Machine(Machine.optionsFromElf(elf, opts));
  }

  /** The MachineOptions of an ELF (for `new Machine` or `Machine.restore`). */
  static optionsFromElf(elf: ElfFile, opts: ElfMachineOptions = {}): MachineOptions {
    return {
      xlen: elf.elfClass,
      memoryBits: opts.memoryBits,
      segments: elf.segments.map((s) => ({ vaddr: s.vaddr, data: s.data, memsz: s.memsz, flags: s.flags })),
      entry: elf.entry,
      compressed: (elf.flags & EF_RISCV_RVC) !== 0,
      input: opts.input,
      costTable: opts.costTable,
      segmentSize: opts.segmentSize,
    };
  }

  // ---------------------------------------------------------------- accessors

  get status(): MachineStatus {
    return this._status;
  }
  /** Low 8 bits of the exit status once exited, else undefined. */
  get exitCode(): number | undefined {
    return this._exitCode;
  }
  get trap(): Trap | undefined {
    return this._trap;
  }
  /** The next instruction to run; the trap pc when trapped; the exiting ecall when exited. */
  get pc(): bigint {
    if (this._trap) return this._trap.pc;
    return BigInt(this.pcNum);
  }
  get instret(): bigint {
    return BigInt(this.retired);
  }
  get classCounts(): Record<InstrClass, bigint> {
    const t = this.classTotals();
    return classRecord((k) => BigInt(t[k]));
  }
  /** Sum of costTable[class] over the completed instructions (0 without a cost table). */
  get cost(): bigint {
    return this.costOf(this.classTotals());
  }
  /**
   * Completed segments plus the current partial one when it is not empty (requires the
   * `segmentSize` option; otherwise empty). Segment k covers instret indices [k N, (k + 1) N).
   */
  get segments(): Segment[] {
    const out = this.doneSegs.map(copySegment);
    const partial = this.partialSegment();
    if (partial !== undefined) out.push(partial);
    return out;
  }
  /** Retired instructions per op (only ops that ran). */
  get opCountsByName(): Partial<Record<Op, bigint>> {
    const out: Partial<Record<Op, bigint>> = {};
    OPS.forEach((o, i) => {
      if (this.opCounts[i + 1]) out[o] = BigInt(this.opCounts[i + 1]);
    });
    return out;
  }
  get stdout(): Uint8Array {
    return concat(this.out.stdout);
  }
  get stderr(): Uint8Array {
    return concat(this.out.stderr);
  }
  get publicOutput(): Uint8Array {
    return concat(this.out.public);
  }
  /** Current program break. */
  get programBreak(): number {
    return this.brk;
  }
  /** All 32 registers as unsigned XLEN values (x0 is 0). */
  get registers(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < 32; i++) out.push(this.getRegister(i));
    return out;
  }
  getRegister(i: number): bigint {
    return this.xlen === 32 ? BigInt(this.r32[i] >>> 0) : this.x64[i];
  }
  /** Set a register (value taken modulo 2^XLEN); writes to x0 are ignored. For harnesses. */
  setRegister(i: number, v: bigint): void {
    if (i === 0) return;
    if (this.xlen === 32) this.r32[i] = Number(BigInt.asIntN(32, v));
    else this.x64[i] = BigInt.asUintN(64, v);
  }

  /** Instructions per class so far (exact: counts stay below 2^53). */
  private classTotals(): Float64Array {
    const t = this.classBase.slice();
    for (let op = 1; op <= OPS.length; op++) t[CLASS_ID[op]] += this.opCounts[op];
    return t;
  }

  private costOf(counts: Float64Array): bigint {
    let c = 0n;
    for (let k = 0; k < NCLASS; k++) if (counts[k] !== 0 && this.weights[k] !== 0n) c += BigInt(counts[k]) * this.weights[k];
    return c;
  }

  private partialSegment(): Segment | undefined {
    if (this.segN === 0) return undefined;
    const start = this.doneSegs.length * this.segN;
    if (this.retired === start) return undefined;
    const t = this.classTotals();
    for (let k = 0; k < NCLASS; k++) t[k] -= this.segStart[k];
    return {
      start: BigInt(this.doneSegs.length) * this.segmentSize!,
      length: BigInt(this.retired - start),
      classCounts: classRecord((k) => BigInt(t[k])),
      cost: this.costOf(t),
    };
  }

  /** Called when retired reaches the end of the current segment. */
  private closeSegment(): void {
    const t = this.classTotals();
    const d = t.slice();
    for (let k = 0; k < NCLASS; k++) d[k] -= this.segStart[k];
    this.doneSegs.push({
      start: BigInt(this.doneSegs.length) * this.segmentSize!,
      length: this.segmentSize!,
      classCounts: classRecord((k) => BigInt(d[k])),
      cost: this.costOf(d),
    });
    this.segStart = t;
  }

  private setTrap(cause: TrapCause, pc: bigint, value: bigint): void {
    this._status = 'trapped';
    this._trap = { cause, pc, value };
  }

  private findRange(pc: number): CodeRange | undefined {
    for (const r of this.ranges) if (pc >= r.first && pc <= r.last) return r;
    return undefined;
  }

  private fetchFault(pc: number): void {
    const a = pc < 0 ? this.farPc : BigInt(pc);
    this.setTrap('fetch_fault', a, a);
  }

  // ---------------------------------------------------------------- running

  /**
   * Run until exit, trap, or a limit. `run(n)` is `run({ maxInstructions: n })`. Returns the status.
   *
   * - maxInstructions: a budget for this call. Once that many instructions have completed in
   *   this call, stop before the next one with status 'running'. (A fetch fault is still raised
   *   when control reaches an unfetchable address, even at the limit.)
   * - maxCost: an absolute ceiling on `cost`. Before executing an instruction of weight w > 0
   *   with cost + w > maxCost, stop without executing it: status 'out_of_gas', pc = that
   *   instruction, everything else intact. Zero-weight instructions never run out of gas (also
   *   when cost already exceeds a lowered ceiling). The check uses the class of the decoded
   *   instruction and precedes any trap that instruction would raise (load/store fault,
   *   misaligned target, ebreak); an undecodable word has no class and traps as illegal, a fetch
   *   fault is raised before any check.
   * - Per instruction the order is: fetch fault, instruction limit, decode (illegal), gas,
   *   execute. So when both limits would stop before the same instruction, the instruction
   *   limit wins (status 'running').
   * A machine that is 'running' or 'out_of_gas' continues with the next call (status back to
   * 'running' first); 'exited' and 'trapped' are final.
   */
  run(limits?: bigint | RunLimits): MachineStatus {
    if (this._status !== 'running' && this._status !== 'out_of_gas') return this._status;
    const l: RunLimits = typeof limits === 'bigint' ? { maxInstructions: limits } : (limits ?? {});
    const { maxInstructions, maxCost } = l;
    let left = MAX_SAFE;
    if (maxInstructions !== undefined) {
      if (typeof maxInstructions !== 'bigint' || maxInstructions < 0n) throw new RangeError('maxInstructions must be a bigint >= 0');
      if (maxInstructions < MAX_SAFE_B) left = Number(maxInstructions);
    }
    if (maxCost !== undefined && (typeof maxCost !== 'bigint' || maxCost < 0n)) {
      throw new RangeError('maxCost must be a bigint >= 0');
    }
    this._status = 'running';
    for (;;) {
      let lim = left;
      if (this.segN > 0) {
        const toBoundary = (this.doneSegs.length + 1) * this.segN - this.retired;
        if (toBoundary < lim) lim = toBoundary;
      }
      let wt = ZERO_WT;
      let gas = 0;
      if (maxCost !== undefined) {
        const rem = maxCost - this.cost;
        wt = this.wtOp;
        gas = rem <= 0n ? 0 : rem < MAX_SAFE_B ? Number(rem) : MAX_SAFE;
      }
      const before = this.retired;
      if (this.step(lim, wt, gas)) {
        // The number check said no; decide exactly (weights or budgets beyond 2^53 are clamped).
        const cr = this.cur;
        const w = this.weights[CLASS_ID[cr.op[(this.pcNum - cr.first) >>> this.slotShift]]];
        if (this.cost + w > maxCost!) this._status = 'out_of_gas';
        else this.step(1, ZERO_WT, 0); // it fits: run just this one (lim >= 1 here)
      }
      left -= this.retired - before;
      if (this.segN > 0 && this.retired === (this.doneSegs.length + 1) * this.segN) this.closeSegment();
      if (this._status !== 'running' || left === 0) break;
    }
    return this._status;
  }

  /** Run at most `limit` instructions; true when stopped by gas (before the instruction at pcNum). */
  private step(limit: number, wt: Float64Array, gas: number): boolean {
    return this.xlen === 32 ? this.run32(limit, wt, gas) : this.run64(limit, wt, gas);
  }

  private run32(limit: number, wt: Float64Array, gas: number): boolean {
    const r = this.r32;
    const sh = this.slotShift;
    const am = this.fetchMask;
    const mem = this.memory;
    const counts = this.opCounts;
    const sz = mem.size;
    let cr = this.cur;
    let pc = this.pcNum;
    let n = 0;
    let outOfGas = false;
    loop: for (;;) {
      if (pc < cr.first || pc > cr.last) {
        const f = this.findRange(pc);
        if (f === undefined) {
          this.fetchFault(pc);
          break;
        }
        cr = f;
      }
      if (n >= limit) break;
      const i = (pc - cr.first) >>> sh;
      let op = cr.op[i];
      if (op === 0) op = cr.decodeSlot(i, 32);
      const w = wt[op];
      if (w > gas) {
        outOfGas = true;
        break;
      }
      gas -= w;
      const rd = cr.rd[i];
      const rs1 = cr.rs1[i];
      const rs2 = cr.rs2[i];
      const imm = cr.imm[i];
      const len = cr.len[i];
      let next = (pc + len) >>> 0;
      let stop = false;
      switch (op) {
        case 1 /* lui */: r[rd] = imm; break;
        case 2 /* auipc */: r[rd] = pc + imm; break;
        case 3 /* jal */: {
          const t = (pc + imm) >>> 0;
          if (t & am) { this.setTrap('misaligned_fetch', BigInt(pc), BigInt(t)); break loop; }
          r[rd] = pc + len;
          next = t;
          break;
        }
        case 4 /* jalr */: {
          const t = ((r[rs1] + imm) & ~1) >>> 0;
          if (t & am) { this.setTrap('misaligned_fetch', BigInt(pc), BigInt(t)); break loop; }
          r[rd] = pc + len;
          next = t;
          break;
        }
        case 5 /* beq */: case 6 /* bne */: case 7 /* blt */: case 8 /* bge */: case 9 /* bltu */: case 10 /* bgeu */: {
          const a = r[rs1];
          const b = r[rs2];
          let taken: boolean;
          switch (op) {
            case 5 /* beq */: taken = a === b; break;
            case 6 /* bne */: taken = a !== b; break;
            case 7 /* blt */: taken = a < b; break;
            case 8 /* bge */: taken = a >= b; break;
            case 9 /* bltu */: taken = a >>> 0 < b >>> 0; break;
            default: taken = a >>> 0 >= b >>> 0; break;
          }
          if (taken) {
            const t = (pc + imm) >>> 0;
            if (t & am) { this.setTrap('misaligned_fetch', BigInt(pc), BigInt(t)); break loop; }
            next = t;
          }
          break;
        }
        case 11 /* lb */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 1) { this.setTrap('load_fault', BigInt(pc), BigInt(a)); break loop; }
          r[rd] = (mem.loadU8(a) << 24) >> 24;
          break;
        }
        case 12 /* lh */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 2) { this.setTrap('load_fault', BigInt(pc), BigInt(a)); break loop; }
          r[rd] = (mem.loadU16(a) << 16) >> 16;
          break;
        }
        case 13 /* lw */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 4) { this.setTrap('load_fault', BigInt(pc), BigInt(a)); break loop; }
          r[rd] = mem.loadI32(a);
          break;
        }
        case 14 /* lbu */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 1) { this.setTrap('load_fault', BigInt(pc), BigInt(a)); break loop; }
          r[rd] = mem.loadU8(a);
          break;
        }
        case 15 /* lhu */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 2) { this.setTrap('load_fault', BigInt(pc), BigInt(a)); break loop; }
          r[rd] = mem.loadU16(a);
          break;
        }
        case 18 /* sb */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 1) { this.setTrap('store_fault', BigInt(pc), BigInt(a)); break loop; }
          mem.store8(a, r[rs2] & 0xff);
          break;
        }
        case 19 /* sh */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 2) { this.setTrap('store_fault', BigInt(pc), BigInt(a)); break loop; }
          mem.store16(a, r[rs2] & 0xffff);
          break;
        }
        case 20 /* sw */: {
          const a = (r[rs1] + imm) >>> 0;
          if (a > sz - 4) { this.setTrap('store_fault', BigInt(pc), BigInt(a)); break loop; }
          mem.store32(a, r[rs2]);
          break;
        }
        case 22 /* addi */: r[rd] = r[rs1] + imm; break;
        case 23 /* slti */: r[rd] = r[rs1] < imm ? 1 : 0; break;
        case 24 /* sltiu */: r[rd] = r[rs1] >>> 0 < imm >>> 0 ? 1 : 0; break;
        case 25 /* xori */: r[rd] = r[rs1] ^ imm; break;
        case 26 /* ori */: r[rd] = r[rs1] | imm; break;
        case 27 /* andi */: r[rd] = r[rs1] & imm; break;
        case 28 /* slli */: r[rd] = r[rs1] << imm; break;
        case 29 /* srli */: r[rd] = r[rs1] >>> imm; break;
        case 30 /* srai */: r[rd] = r[rs1] >> imm; break;
        case 31 /* add */: r[rd] = r[rs1] + r[rs2]; break;
        case 32 /* sub */: r[rd] = r[rs1] - r[rs2]; break;
        case 33 /* sll */: r[rd] = r[rs1] << (r[rs2] & 31); break;
        case 34 /* slt */: r[rd] = r[rs1] < r[rs2] ? 1 : 0; break;
        case 35 /* sltu */: r[rd] = r[rs1] >>> 0 < r[rs2] >>> 0 ? 1 : 0; break;
        case 36 /* xor */: r[rd] = r[rs1] ^ r[rs2]; break;
        case 37 /* srl */: r[rd] = r[rs1] >>> (r[rs2] & 31); break;
        case 38 /* sra */: r[rd] = r[rs1] >> (r[rs2] & 31); break;
        case 39 /* or */: r[rd] = r[rs1] | r[rs2]; break;
        case 40 /* and */: r[rd] = r[rs1] & r[rs2]; break;
        case 50 /* fence */: case 51 /* fence_i */: break;
        case 52 /* ecall */:
          this.pcNum = pc;
          stop = this.ecall();
          break;
        case 53 /* ebreak */:
          this.setTrap('breakpoint', BigInt(pc), 0n);
          break loop;
        case 54 /* mul */: r[rd] = Math.imul(r[rs1], r[rs2]); break;
        case 55 /* mulh */: r[rd] = Number((BigInt(r[rs1]) * BigInt(r[rs2])) >> 32n); break;
        case 56 /* mulhsu */: r[rd] = Number((BigInt(r[rs1]) * BigInt(r[rs2] >>> 0)) >> 32n); break;
        case 57 /* mulhu */: r[rd] = Number((BigInt(r[rs1] >>> 0) * BigInt(r[rs2] >>> 0)) >> 32n); break;
        case 58 /* div */: {
          const a = r[rs1];
          const b = r[rs2];
          r[rd] = b === 0 ? -1 : a === -0x80000000 && b === -1 ? a : Math.trunc(a / b);
          break;
        }
        case 59 /* divu */: {
          const b = r[rs2] >>> 0;
          r[rd] = b === 0 ? -1 : Math.floor((r[rs1] >>> 0) / b);
          break;
        }
        case 60 /* rem */: {
          const a = r[rs1];
          const b = r[rs2];
          r[rd] = b === 0 ? a : a % b; // -2^31 % -1 is -0 in JS, stored as 0
          break;
        }
        case 61 /* remu */: {
          const b = r[rs2] >>> 0;
          r[rd] = b === 0 ? r[rs1] : (r[rs1] >>> 0) % b;
          break;
        }
        default:
          // ILLEGAL, or an RV64-only op (cannot happen: the RV32 decoder never produces one).
          this.setTrap('illegal_instruction', BigInt(pc), BigInt(cr.raw[i]));
          break loop;
      }
      r[0] = 0;
      counts[op]++;
      n++;
      if (stop) break;
      pc = next;
    }
    this.cur = cr;
    this.pcNum = pc;
    this.retired += n;
    return outOfGas;
  }

  private run64(limit: number, wt: Float64Array, gas: number): boolean {
    const x = this.x64;
    const sh = this.slotShift;
    const am = this.fetchMask;
    const amB = BigInt(am);
    const sx = this.s64;
    const mem = this.memory;
    const counts = this.opCounts;
    const szB = mem.sizeBig;
    const lim1 = szB - 1n;
    const lim2 = szB - 2n;
    const lim4 = szB - 4n;
    const lim8 = szB - 8n;
    let cr = this.cur;
    let pc = this.pcNum;
    let n = 0;
    let outOfGas = false;
    const fault = (cause: TrapCause, at: number, a: bigint): void =>
      this.setTrap(cause, BigInt(at), BigInt.asUintN(64, a));
    /** Effective address rs1 + imm (mod 2^64) as a number, or -1 when [a, a + size) leaves the arena. */
    const ea = (a: bigint, lim: bigint): number => {
      if (a < 0n || a > lim) {
        a = BigInt.asUintN(64, a);
        if (a > lim) return -1;
      }
      return Number(a);
    };
    loop: for (;;) {
      if (pc < cr.first || pc > cr.last) {
        const f = this.findRange(pc);
        if (f === undefined) {
          this.fetchFault(pc);
          break;
        }
        cr = f;
      }
      if (n >= limit) break;
      const i = (pc - cr.first) >>> sh;
      let op = cr.op[i];
      if (op === 0) op = cr.decodeSlot(i, 64);
      const w = wt[op];
      if (w > gas) {
        outOfGas = true;
        break;
      }
      gas -= w;
      const rd = cr.rd[i];
      const rs1 = cr.rs1[i];
      const rs2 = cr.rs2[i];
      const ib = cr.immB[i];
      const len = cr.len[i];
      let next = pc + len;
      let stop = false;
      switch (op) {
        case 1 /* lui */: x[rd] = ib; break;
        case 2 /* auipc */: x[rd] = BigInt(pc) + ib; break;
        case 3 /* jal */: {
          let t = pc + cr.imm[i];
          if (t & am) { fault('misaligned_fetch', pc, BigInt(t)); break loop; }
          if (t < 0) {
            this.farPc = BigInt.asUintN(64, BigInt(t));
            t = -1;
          }
          x[rd] = BigInt(pc + len);
          next = t;
          break;
        }
        case 4 /* jalr */: {
          const tb = BigInt.asUintN(64, x[rs1] + ib) & ~1n;
          if (tb & amB) { fault('misaligned_fetch', pc, tb); break loop; }
          let t: number;
          if (tb < szB) t = Number(tb);
          else {
            this.farPc = tb;
            t = -1;
          }
          x[rd] = BigInt(pc + len);
          next = t;
          break;
        }
        case 5 /* beq */: case 6 /* bne */: case 7 /* blt */: case 8 /* bge */: case 9 /* bltu */: case 10 /* bgeu */: {
          let taken: boolean;
          switch (op) {
            case 5 /* beq */: taken = x[rs1] === x[rs2]; break;
            case 6 /* bne */: taken = x[rs1] !== x[rs2]; break;
            case 7 /* blt */: taken = sx[rs1] < sx[rs2]; break;
            case 8 /* bge */: taken = sx[rs1] >= sx[rs2]; break;
            case 9 /* bltu */: taken = x[rs1] < x[rs2]; break;
            default: taken = x[rs1] >= x[rs2]; break;
          }
          if (taken) {
            let t = pc + cr.imm[i];
            if (t & am) { fault('misaligned_fetch', pc, BigInt(t)); break loop; }
            if (t < 0) {
              this.farPc = BigInt.asUintN(64, BigInt(t));
              t = -1;
            }
            next = t;
          }
          break;
        }
        case 11 /* lb */: {
          const a = ea(x[rs1] + ib, lim1);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = BigInt((mem.loadU8(a) << 24) >> 24);
          break;
        }
        case 12 /* lh */: {
          const a = ea(x[rs1] + ib, lim2);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = BigInt((mem.loadU16(a) << 16) >> 16);
          break;
        }
        case 13 /* lw */: {
          const a = ea(x[rs1] + ib, lim4);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = BigInt(mem.loadI32(a));
          break;
        }
        case 17 /* ld */: {
          const a = ea(x[rs1] + ib, lim8);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = mem.loadU64(a);
          break;
        }
        case 14 /* lbu */: {
          const a = ea(x[rs1] + ib, lim1);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = BigInt(mem.loadU8(a));
          break;
        }
        case 15 /* lhu */: {
          const a = ea(x[rs1] + ib, lim2);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = BigInt(mem.loadU16(a));
          break;
        }
        case 16 /* lwu */: {
          const a = ea(x[rs1] + ib, lim4);
          if (a < 0) { fault('load_fault', pc, x[rs1] + ib); break loop; }
          x[rd] = BigInt(mem.loadI32(a) >>> 0);
          break;
        }
        case 18 /* sb */: {
          const a = ea(x[rs1] + ib, lim1);
          if (a < 0) { fault('store_fault', pc, x[rs1] + ib); break loop; }
          mem.store8(a, Number(x[rs2] & 0xffn));
          break;
        }
        case 19 /* sh */: {
          const a = ea(x[rs1] + ib, lim2);
          if (a < 0) { fault('store_fault', pc, x[rs1] + ib); break loop; }
          mem.store16(a, Number(x[rs2] & 0xffffn));
          break;
        }
        case 20 /* sw */: {
          const a = ea(x[rs1] + ib, lim4);
          if (a < 0) { fault('store_fault', pc, x[rs1] + ib); break loop; }
          mem.store32(a, Number(x[rs2] & 0xffffffffn));
          break;
        }
        case 21 /* sd */: {
          const a = ea(x[rs1] + ib, lim8);
          if (a < 0) { fault('store_fault', pc, x[rs1] + ib); break loop; }
          mem.store64(a, x[rs2]);
          break;
        }
        // Stores into x (a BigUint64Array) reduce modulo 2^64, which gives the wrap-around and
        // turns negative results into their two's-complement form.
        case 22 /* addi */: x[rd] = x[rs1] + ib; break;
        case 23 /* slti */: x[rd] = sx[rs1] < ib ? 1n : 0n; break;
        case 24 /* sltiu */: x[rd] = x[rs1] < ib ? 1n : 0n; break;
        case 25 /* xori */: x[rd] = x[rs1] ^ ib; break;
        case 26 /* ori */: x[rd] = x[rs1] | ib; break;
        case 27 /* andi */: x[rd] = x[rs1] & ib; break;
        case 28 /* slli */: x[rd] = x[rs1] << ib; break;
        case 29 /* srli */: x[rd] = x[rs1] >> ib; break;
        case 30 /* srai */: x[rd] = sx[rs1] >> ib; break;
        case 31 /* add */: x[rd] = x[rs1] + x[rs2]; break;
        case 32 /* sub */: x[rd] = x[rs1] - x[rs2]; break;
        case 33 /* sll */: x[rd] = x[rs1] << (x[rs2] & 63n); break;
        case 34 /* slt */: x[rd] = sx[rs1] < sx[rs2] ? 1n : 0n; break;
        case 35 /* sltu */: x[rd] = x[rs1] < x[rs2] ? 1n : 0n; break;
        case 36 /* xor */: x[rd] = x[rs1] ^ x[rs2]; break;
        case 37 /* srl */: x[rd] = x[rs1] >> (x[rs2] & 63n); break;
        case 38 /* sra */: x[rd] = sx[rs1] >> (x[rs2] & 63n); break;
        case 39 /* or */: x[rd] = x[rs1] | x[rs2]; break;
        case 40 /* and */: x[rd] = x[rs1] & x[rs2]; break;
        case 41 /* addiw */: x[rd] = BigInt.asIntN(32, x[rs1] + ib); break;
        case 42 /* slliw */: x[rd] = BigInt.asIntN(32, x[rs1] << ib); break;
        case 43 /* srliw */: x[rd] = BigInt.asIntN(32, BigInt.asUintN(32, x[rs1]) >> ib); break;
        case 44 /* sraiw */: x[rd] = BigInt.asIntN(32, x[rs1]) >> ib; break;
        case 45 /* addw */: x[rd] = BigInt.asIntN(32, x[rs1] + x[rs2]); break;
        case 46 /* subw */: x[rd] = BigInt.asIntN(32, x[rs1] - x[rs2]); break;
        case 47 /* sllw */: x[rd] = BigInt.asIntN(32, x[rs1] << (x[rs2] & 31n)); break;
        case 48 /* srlw */: x[rd] = BigInt.asIntN(32, BigInt.asUintN(32, x[rs1]) >> (x[rs2] & 31n)); break;
        case 49 /* sraw */: x[rd] = BigInt.asIntN(32, x[rs1]) >> (x[rs2] & 31n); break;
        case 50 /* fence */: case 51 /* fence_i */: break;
        case 52 /* ecall */:
          this.pcNum = pc;
          stop = this.ecall();
          break;
        case 53 /* ebreak */:
          this.setTrap('breakpoint', BigInt(pc), 0n);
          break loop;
        case 54 /* mul */: x[rd] = x[rs1] * x[rs2]; break;
        case 55 /* mulh */: x[rd] = (sx[rs1] * sx[rs2]) >> 64n; break;
        case 56 /* mulhsu */: x[rd] = (sx[rs1] * x[rs2]) >> 64n; break;
        case 57 /* mulhu */: x[rd] = (x[rs1] * x[rs2]) >> 64n; break;
        case 58 /* div */: {
          // BigInt division truncates toward zero; MIN / -1 = 2^63 wraps to MIN on store.
          const b = sx[rs2];
          x[rd] = b === 0n ? -1n : sx[rs1] / b;
          break;
        }
        case 59 /* divu */: {
          const b = x[rs2];
          x[rd] = b === 0n ? U64 : x[rs1] / b;
          break;
        }
        case 60 /* rem */: {
          const b = sx[rs2];
          x[rd] = b === 0n ? sx[rs1] : sx[rs1] % b; // sign of the dividend, MIN % -1 = 0
          break;
        }
        case 61 /* remu */: {
          const b = x[rs2];
          x[rd] = b === 0n ? x[rs1] : x[rs1] % b;
          break;
        }
        case 62 /* mulw */: x[rd] = BigInt.asIntN(32, x[rs1] * x[rs2]); break;
        case 63 /* divw */: {
          const a = BigInt.asIntN(32, x[rs1]);
          const b = BigInt.asIntN(32, x[rs2]);
          x[rd] = b === 0n ? -1n : BigInt.asIntN(32, a / b);
          break;
        }
        case 64 /* divuw */: {
          const a = BigInt.asUintN(32, x[rs1]);
          const b = BigInt.asUintN(32, x[rs2]);
          x[rd] = b === 0n ? -1n : BigInt.asIntN(32, a / b);
          break;
        }
        case 65 /* remw */: {
          const a = BigInt.asIntN(32, x[rs1]);
          const b = BigInt.asIntN(32, x[rs2]);
          x[rd] = b === 0n ? a : a % b;
          break;
        }
        case 66 /* remuw */: {
          const a = BigInt.asUintN(32, x[rs1]);
          const b = BigInt.asUintN(32, x[rs2]);
          x[rd] = BigInt.asIntN(32, b === 0n ? a : a % b);
          break;
        }
        default:
          this.setTrap('illegal_instruction', BigInt(pc), BigInt(cr.raw[i]));
          break loop;
      }
      x[0] = 0n;
      counts[op]++;
      n++;
      if (stop) break;
      pc = next;
    }
    this.cur = cr;
    this.pcNum = pc;
    this.retired += n;
    return outOfGas;
  }

  // ---------------------------------------------------------------- snapshots

  /** Everything needed to continue this machine identically (copies; see InterpSnapshot). */
  snapshot(): InterpSnapshot {
    return {
      xlen: this.xlen,
      memoryBits: this.memoryBits,
      status: this._status,
      exitCode: this._exitCode,
      trap: this._trap === undefined ? undefined : { ...this._trap },
      pc: this.pc,
      registers: this.registers,
      instret: this.instret,
      classCounts: this.classCounts,
      opCounts: this.opCountsByName,
      cost: this.cost,
      costTable: this.costTable === undefined ? undefined : { ...this.costTable },
      segmentSize: this.segmentSize,
      segments: this.segments,
      memory: this.memory.nonZeroPages().map((p) => ({ addr: BigInt(p.addr), data: p.data })),
      inputPos: BigInt(this.inputPos),
      stdout: this.stdout,
      stderr: this.stderr,
      publicOutput: this.publicOutput,
      programBreak: BigInt(this.brk),
      clockCalls: this.clockCalls,
    };
  }

  /**
   * A machine for `opts` (the same program, input, cost table and segment size as the one that
   * took the snapshot) in the state of `snap`. Inconsistent snapshots are a RangeError.
   */
  static restore(opts: MachineOptions, snap: InterpSnapshot): Machine {
    const m = new Machine(opts);
    m.load(snap);
    return m;
  }

  private load(snap: InterpSnapshot): void {
    const bad = (msg: string): never => {
      throw new RangeError(`snapshot: ${msg}`);
    };
    if (snap.xlen !== this.xlen) bad(`RV${snap.xlen} snapshot for an RV${this.xlen} machine`);
    if (snap.memoryBits !== this.memoryBits) bad(`memoryBits ${snap.memoryBits} != the machine's ${this.memoryBits}`);
    const tj = (t: CostTable | undefined): string => (t === undefined ? 'none' : costTableJson(t));
    if (tj(snap.costTable) !== tj(this.costTable)) bad(`cost table ${tj(snap.costTable)} != the machine's ${tj(this.costTable)}`);
    if (snap.segmentSize !== this.segmentSize) {
      bad(`segmentSize ${String(snap.segmentSize)} != the machine's ${String(this.segmentSize)}`);
    }
    if (!['running', 'out_of_gas', 'exited', 'trapped'].includes(snap.status)) bad(`unknown status ${String(snap.status)}`);
    if ((snap.status === 'trapped') !== (snap.trap !== undefined)) bad('a trap is present exactly when the status is trapped');
    if ((snap.status === 'exited') !== (snap.exitCode !== undefined)) bad('an exit code is present exactly when the status is exited');
    const xmax = (1n << BigInt(this.xlen)) - 1n;
    if (snap.registers.length !== 32 || snap.registers[0] !== 0n || snap.registers.some((v) => v < 0n || v > xmax)) {
      bad('registers must be 32 unsigned XLEN values with x0 = 0');
    }
    if (snap.pc < 0n || snap.pc > xmax) bad(`pc ${snap.pc} out of range`);
    if (snap.status !== 'trapped' && (snap.pc >= this.memory.sizeBig || (snap.pc & BigInt(this.fetchMask)) !== 0n)) bad(`pc 0x${snap.pc.toString(16)} is not a valid next instruction`);

    // Counters.
    const classTotal = INSTR_CLASSES.reduce((a, c) => a + snap.classCounts[c], 0n);
    if (INSTR_CLASSES.some((c) => typeof snap.classCounts[c] !== 'bigint' || snap.classCounts[c] < 0n)) bad('class counts must be non-negative bigints');
    if (snap.instret < 0n || snap.instret > MAX_SAFE_B || classTotal !== snap.instret) bad(`class counts sum to ${classTotal}, instret is ${snap.instret}`);
    this.opCounts.fill(0);
    this.classBase.fill(0);
    if (snap.opCounts !== undefined) {
      for (const [name, v] of Object.entries(snap.opCounts)) {
        const code = OP_CODE.get(name as Op);
        if (code === undefined || typeof v !== 'bigint' || v < 0n) bad(`bad op count ${name}`);
        this.opCounts[code!] = Number(v);
      }
    } else {
      INSTR_CLASSES.forEach((c, k) => (this.classBase[k] = Number(snap.classCounts[c])));
    }
    this.retired = Number(snap.instret);
    const counts = this.classCounts;
    if (INSTR_CLASSES.some((c) => counts[c] !== snap.classCounts[c])) bad('per-op counts do not match the class counts');
    if (this.cost !== snap.cost) bad(`cost ${snap.cost} != ${this.cost} computed from the class counts and the cost table`);

    // Segments: all but the last have length segmentSize; lengths sum to instret.
    this.doneSegs.length = 0;
    this.segStart = this.classTotals();
    if (this.segmentSize === undefined) {
      if (snap.segments.length > 0) bad('segments without a segmentSize');
    } else {
      let at = 0n;
      const sum = new Float64Array(NCLASS);
      this.segStart = new Float64Array(NCLASS);
      snap.segments.forEach((sg, k) => {
        const full = sg.length === this.segmentSize;
        if (sg.start !== at || sg.length <= 0n || sg.length > this.segmentSize! || (!full && k !== snap.segments.length - 1)) {
          bad(`segment ${k} (start ${sg.start}, length ${sg.length}) does not fit segmentSize ${this.segmentSize}`);
        }
        const len = INSTR_CLASSES.reduce((a, c) => a + sg.classCounts[c], 0n);
        if (len !== sg.length) bad(`segment ${k}: class counts sum to ${len}, length is ${sg.length}`);
        const cc = new Float64Array(NCLASS);
        INSTR_CLASSES.forEach((c, j) => (cc[j] = Number(sg.classCounts[c])));
        if (this.costOf(cc) !== sg.cost) bad(`segment ${k}: cost ${sg.cost} != ${this.costOf(cc)}`);
        for (let j = 0; j < NCLASS; j++) sum[j] += cc[j];
        if (full) {
          this.doneSegs.push(copySegment(sg));
          this.segStart = sum.slice();
        }
        at += sg.length;
      });
      if (at !== snap.instret) bad(`segment lengths sum to ${at}, instret is ${snap.instret}`);
      const tot = this.classTotals();
      for (let j = 0; j < NCLASS; j++) if (sum[j] !== tot[j]) bad('segment class counts do not sum to the class counts');
    }

    // Memory, I/O, system state.
    for (const p of snap.memory) if (p.addr < 0n || p.addr >= this.memory.sizeBig) bad(`memory page at 0x${p.addr.toString(16)} outside the arena`);
    this.memory.replacePages(snap.memory.map((p) => ({ addr: Number(p.addr), data: p.data })));
    if (snap.inputPos < 0n || snap.inputPos > BigInt(this.input.length)) bad(`input position ${snap.inputPos} beyond the ${this.input.length}-byte input`);
    this.inputPos = Number(snap.inputPos);
    this.out.stdout = snap.stdout.length > 0 ? [snap.stdout.slice()] : [];
    this.out.stderr = snap.stderr.length > 0 ? [snap.stderr.slice()] : [];
    this.out.public = snap.publicOutput.length > 0 ? [snap.publicOutput.slice()] : [];
    if (snap.programBreak < BigInt(this.initialBrk) || snap.programBreak > BigInt(this.brkLimit)) bad(`program break ${snap.programBreak} out of range`);
    this.brk = Number(snap.programBreak);
    if (snap.clockCalls < 0n) bad('clockCalls < 0');
    this.clockCalls = snap.clockCalls;

    // Registers, pc, status.
    snap.registers.forEach((v, i) => this.setRegister(i, v));
    this._status = snap.status;
    this._exitCode = snap.exitCode;
    this._trap = snap.trap === undefined ? undefined : { ...snap.trap };
    this.farPc = 0n;
    if (snap.pc < this.memory.sizeBig) this.pcNum = Number(snap.pc);
    else {
      this.pcNum = -1;
      this.farPc = snap.pc;
    }
    this.cur = this.ranges[0] ?? this.cur;
  }

  // ---------------------------------------------------------------- system calls

  /** Handle the ecall at this.pcNum. Returns true when the machine stopped (exit). */
  private ecall(): boolean {
    const nr = this.getRegister(17);
    const a0 = this.getRegister(10);
    const a1 = this.getRegister(11);
    const a2 = this.getRegister(12);
    const size = this.memory.sizeBig;
    let ret: bigint;
    switch (nr) {
      case BigInt(SYS.exit):
      case BigInt(SYS.exit_group):
        this._status = 'exited';
        this._exitCode = Number(a0 & 0xffn);
        return true;
      case BigInt(SYS.write): {
        const stream =
          a0 === BigInt(FD_STDOUT) ? 'stdout' : a0 === BigInt(FD_STDERR) ? 'stderr' : a0 === BigInt(FD_PUBLIC) ? 'public' : undefined;
        if (stream === undefined) ret = -BigInt(EBADF);
        else if (a1 + a2 > size) ret = -BigInt(EFAULT);
        else {
          if (a2 > 0n) this.out[stream].push(this.memory.read(a1, Number(a2)));
          ret = a2;
        }
        break;
      }
      case BigInt(SYS.read): {
        if (a0 !== BigInt(FD_STDIN)) ret = -BigInt(EBADF);
        else if (a1 + a2 > size) ret = -BigInt(EFAULT);
        else {
          const n = Math.min(Number(a2), this.input.length - this.inputPos);
          if (n > 0) this.memory.write(a1, this.input.subarray(this.inputPos, this.inputPos + n));
          this.inputPos += n;
          ret = BigInt(n);
        }
        break;
      }
      case BigInt(SYS.brk):
        if (a0 !== 0n && a0 >= BigInt(this.initialBrk) && a0 <= BigInt(this.brkLimit)) this.brk = Number(a0);
        ret = BigInt(this.brk);
        break;
      default:
        if (nr === BigInt(this.xlen === 64 ? SYS.clock_gettime : SYS.clock_gettime64)) {
          if (a0 > 11n) ret = -BigInt(EINVAL);
          else if (a1 + 16n > size) ret = -BigInt(EFAULT);
          else {
            this.clockCalls++;
            const t = this.clockCalls * CLOCK_TICK_NS;
            this.memory.store(a1, 8, t / NS_PER_S);
            this.memory.store(a1 + 8n, 8, t % NS_PER_S);
            ret = 0n;
          }
        } else ret = -BigInt(ENOSYS);
    }
    this.setRegister(10, ret);
    return false;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
