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
 *  - `run(limit)` executes at most `limit` more instructions per call.
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
import { decode, instrClass } from '../isa/decode.js';
import { INSTR_CLASSES, OPS, type InstrClass, type Op, type Xlen } from '../isa/types.js';
import type { ElfFile } from '../elf/types.js';
import { PF_X } from '../elf/types.js';
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
  /** Bytes readable from fd 0. */
  input?: Uint8Array;
}

export type MachineStatus = 'running' | 'exited' | 'trapped';

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
const CODE_CLASS: InstrClass[] = [];
OPS.forEach((o, i) => (CODE_CLASS[i + 1] = instrClass(o)));

const U64 = (1n << 64n) - 1n;
const NS_PER_S = 1_000_000_000n;

/** Decoded instructions of one executable segment, one slot per 4-byte aligned address. */
class CodeRange {
  /** First and last addresses (4-aligned) at which a whole instruction word lies in the segment. */
  readonly first: number;
  readonly last: number;
  readonly op: Uint8Array;
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
  ) {
    this.first = Math.ceil(vaddr / 4) * 4;
    this.last = Math.floor((end - 4) / 4) * 4;
    const n = this.last >= this.first ? (this.last - this.first) / 4 + 1 : 0;
    this.op = new Uint8Array(n);
    this.rd = new Uint8Array(n);
    this.rs1 = new Uint8Array(n);
    this.rs2 = new Uint8Array(n);
    this.imm = new Int32Array(n);
    this.raw = new Uint32Array(n);
    this.immB = new Array<bigint>(n).fill(0n); // packed, so indexing stays fast
  }

  /** Decode slot i (address first + 4 i) from the initial image; returns its op code. */
  decodeSlot(i: number, xlen: Xlen): number {
    const off = this.first + 4 * i - this.vaddr;
    const b = this.image;
    const byte = (k: number): number => (off + k < b.length ? b[off + k] : 0);
    const word = (byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24)) >>> 0;
    this.raw[i] = word;
    const d = decode(word, xlen);
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

  /** Next pc (always a 4-aligned address inside a code range while running). */
  private pcNum: number;
  /** Set when control went to an address that is not representable as pcNum. */
  private farPc = 0n;

  private readonly ranges: CodeRange[] = [];
  private cur: CodeRange;
  private readonly opCounts = new Float64Array(256);
  private retired = 0;

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
        const r = new CodeRange(s.vaddr, s.vaddr + s.memsz, s.data);
        if (r.op.length > 0) this.ranges.push(r);
      }
    }
    this.cur = this.ranges[0] ?? new CodeRange(0, 0, new Uint8Array(0));
    this.initialBrk = initialBrk(opts.segments);
    this.brk = this.initialBrk;
    this.brkLimit = brkLimit(bits);
    this.input = opts.input ?? new Uint8Array(0);
    this.setRegister(2, BigInt(initialSp(bits)));
    this.pcNum = opts.entry;
    if (!Number.isInteger(opts.entry) || opts.entry < 0) throw new RangeError(`invalid entry ${opts.entry}`);
    if (opts.entry % 4 !== 0) this.setTrap('misaligned_fetch', BigInt(opts.entry), BigInt(opts.entry));
  }

  static fromElf(elf: ElfFile, opts: { input?: Uint8Array; memoryBits?: number } = {}): Machine {
    return new Machine({
      xlen: elf.elfClass,
      memoryBits: opts.memoryBits,
      segments: elf.segments.map((s) => ({ vaddr: s.vaddr, data: s.data, memsz: s.memsz, flags: s.flags })),
      entry: elf.entry,
      input: opts.input,
    });
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
    const c = Object.fromEntries(INSTR_CLASSES.map((k) => [k, 0])) as Record<InstrClass, number>;
    for (let i = 1; i < CODE_CLASS.length; i++) if (this.opCounts[i]) c[CODE_CLASS[i]] += this.opCounts[i];
    return Object.fromEntries(INSTR_CLASSES.map((k) => [k, BigInt(c[k])])) as Record<InstrClass, bigint>;
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
   * Run until exit, trap, or `maxInstructions` more instructions have retired (then the status
   * stays 'running' and a later call continues). Returns the status.
   */
  run(maxInstructions?: bigint): MachineStatus {
    if (this._status !== 'running') return this._status;
    let limit = Number.MAX_SAFE_INTEGER;
    if (maxInstructions !== undefined) {
      if (maxInstructions < 0n) throw new RangeError('maxInstructions must be >= 0');
      if (maxInstructions < BigInt(limit)) limit = Number(maxInstructions);
    }
    if (this.xlen === 32) this.run32(limit);
    else this.run64(limit);
    return this._status;
  }

  private run32(limit: number): void {
    const r = this.r32;
    const mem = this.memory;
    const counts = this.opCounts;
    const sz = mem.size;
    let cr = this.cur;
    let pc = this.pcNum;
    let n = 0;
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
      const i = (pc - cr.first) >>> 2;
      let op = cr.op[i];
      if (op === 0) op = cr.decodeSlot(i, 32);
      const rd = cr.rd[i];
      const rs1 = cr.rs1[i];
      const rs2 = cr.rs2[i];
      const imm = cr.imm[i];
      let next = (pc + 4) >>> 0;
      let stop = false;
      switch (op) {
        case 1 /* lui */: r[rd] = imm; break;
        case 2 /* auipc */: r[rd] = pc + imm; break;
        case 3 /* jal */: {
          const t = (pc + imm) >>> 0;
          if (t & 3) { this.setTrap('misaligned_fetch', BigInt(pc), BigInt(t)); break loop; }
          r[rd] = pc + 4;
          next = t;
          break;
        }
        case 4 /* jalr */: {
          const t = ((r[rs1] + imm) & ~1) >>> 0;
          if (t & 3) { this.setTrap('misaligned_fetch', BigInt(pc), BigInt(t)); break loop; }
          r[rd] = pc + 4;
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
            if (t & 3) { this.setTrap('misaligned_fetch', BigInt(pc), BigInt(t)); break loop; }
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
  }

  private run64(limit: number): void {
    const x = this.x64;
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
      const i = (pc - cr.first) >>> 2;
      let op = cr.op[i];
      if (op === 0) op = cr.decodeSlot(i, 64);
      const rd = cr.rd[i];
      const rs1 = cr.rs1[i];
      const rs2 = cr.rs2[i];
      const ib = cr.immB[i];
      let next = pc + 4;
      let stop = false;
      switch (op) {
        case 1 /* lui */: x[rd] = ib; break;
        case 2 /* auipc */: x[rd] = BigInt(pc) + ib; break;
        case 3 /* jal */: {
          let t = pc + cr.imm[i];
          if (t & 3) { fault('misaligned_fetch', pc, BigInt(t)); break loop; }
          if (t < 0) {
            this.farPc = BigInt.asUintN(64, BigInt(t));
            t = -1;
          }
          x[rd] = BigInt(pc + 4);
          next = t;
          break;
        }
        case 4 /* jalr */: {
          const tb = BigInt.asUintN(64, x[rs1] + ib) & ~1n;
          if (tb & 2n) { fault('misaligned_fetch', pc, tb); break loop; }
          let t: number;
          if (tb < szB) t = Number(tb);
          else {
            this.farPc = tb;
            t = -1;
          }
          x[rd] = BigInt(pc + 4);
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
            if (t & 3) { fault('misaligned_fetch', pc, BigInt(t)); break loop; }
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
