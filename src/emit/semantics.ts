/**
 * C for the semantics of each instruction, written once for both forms of generated code:
 * region functions (guest registers in C locals) and block tails (registers in the state).
 * Everything is unsigned arithmetic on `ureg` (uint32_t or uint64_t) so there is no undefined
 * behaviour; signed views are casts, and division corner cases live in helpers of rvr_gen.h.
 */
import type { Instr, Xlen } from '../isa/types.js';

/** How the surrounding code reads and writes registers and leaves on a trap. */
export interface RegAccess {
  xlen: Xlen;
  memoryBits: number;
  get(n: number): string;
  /** A statement writing `expr` to register n; empty for x0. */
  set(n: number, expr: string): string;
  /** A statement that raises a trap (cause is an RVR_TRAP_* name). */
  trap(cause: string, pc: number, value: string): string;
}

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}

/** A ureg constant for an XLEN-bit value. */
export function kconst(xlen: Xlen, v: bigint | number): string {
  const u = BigInt.asUintN(xlen, BigInt(v));
  return xlen === 64 ? `UINT64_C(${hex(u)})` : `${hex(u)}u`;
}

/** A signed immediate operand, readable and correctly converted to ureg. */
function imm(v: number): string {
  return v < 0 ? `(ureg)${v}` : `${v}`;
}

function addImm(base: string, v: number): string {
  if (v === 0) return base;
  return v < 0 ? `${base} - ${-v}` : `${base} + ${v}`;
}

const LOADS: Record<string, { width: number; expr: (load: string) => string }> = {
  lb: { width: 1, expr: (l) => `(ureg)(sreg)(int8_t)${l}` },
  lh: { width: 2, expr: (l) => `(ureg)(sreg)(int16_t)${l}` },
  lw: { width: 4, expr: (l) => `(ureg)(sreg)(int32_t)${l}` },
  lbu: { width: 1, expr: (l) => `(ureg)${l}` },
  lhu: { width: 2, expr: (l) => `(ureg)${l}` },
  lwu: { width: 4, expr: (l) => `(ureg)${l}` },
  ld: { width: 8, expr: (l) => `(ureg)${l}` },
};
const STORES: Record<string, number> = { sb: 1, sh: 2, sw: 4, sd: 8 };

/** The bounds check for an access of `width` bytes at `addr` (empty when it cannot fail). */
export function boundsCheck(r: RegAccess, addr: string, width: number, cause: string, pc: number): string {
  // A 32-bit arena covers every RV32 address; only a multi-byte access at the very top can
  // reach past it.
  if (r.xlen === 32 && r.memoryBits === 32 && width === 1) return '';
  return `if (RVR_UNLIKELY((uint64_t)${addr} > RVR_MEM_SIZE - ${width})) ${r.trap(cause, pc, `(uint64_t)${addr}`)}`;
}

/** What the caller knows about the state before an instruction. */
export interface SlotFacts {
  /** A load or store proven in bounds at its block's start (src/emit/guard.ts): no test here. */
  inBounds?: boolean;
  /** Registers holding sign-extended 32-bit values (src/emit/sext.ts; RV64). */
  sext32?: ReadonlySet<number>;
}

/**
 * Statements for a non-control-flow instruction (control flow is the caller's: it depends on
 * the form). Returns undefined for ops the caller must handle itself.
 */
export function emitSimple(i: Instr, pc: number, r: RegAccess, facts: SlotFacts = {}): string | undefined {
  const a = (): string => r.get(i.rs1);
  const b = (): string => r.get(i.rs2);
  const set = (e: string): string => r.set(i.rd, e);
  const sh = r.xlen - 1;
  const bitwise = (op: string): string =>
    r.xlen === 64 && facts.sext32?.has(i.rs1) && facts.sext32.has(i.rs2)
      ? `RVR_SEXT32((uint32_t)${a()} ${op} (uint32_t)${b()})`
      : `${a()} ${op} ${b()}`;
  switch (i.op) {
    case 'lui':
      return set(kconst(r.xlen, i.imm));
    case 'auipc':
      return set(kconst(r.xlen, BigInt(pc) + BigInt(i.imm)));
    case 'addi':
      return set(addImm(a(), i.imm));
    case 'slti':
      return set(`(ureg)((sreg)${a()} < (sreg)${i.imm})`);
    case 'sltiu':
      return set(`(ureg)(${a()} < (ureg)${i.imm})`);
    case 'xori':
      return set(`${a()} ^ ${imm(i.imm)}`);
    case 'ori':
      return set(`${a()} | ${imm(i.imm)}`);
    case 'andi':
      return set(`${a()} & ${imm(i.imm)}`);
    case 'slli':
      return set(`${a()} << ${i.imm}`);
    case 'srli':
      return set(`${a()} >> ${i.imm}`);
    case 'srai':
      return set(`(ureg)((sreg)${a()} >> ${i.imm})`);
    case 'add':
      return set(`${a()} + ${b()}`);
    case 'sub':
      return set(`${a()} - ${b()}`);
    case 'sll':
      return set(`${a()} << (${b()} & ${sh})`);
    case 'slt':
      if (i.rs1 === i.rs2) return set('(ureg)0'); // x < x (spelled out, compilers warn)
      return set(`(ureg)((sreg)${a()} < (sreg)${b()})`);
    case 'sltu':
      if (i.rs1 === i.rs2) return set('(ureg)0');
      return set(`(ureg)(${a()} < ${b()})`);
    case 'xor':
      return set(bitwise('^'));
    case 'srl':
      return set(`${a()} >> (${b()} & ${sh})`);
    case 'sra':
      return set(`(ureg)((sreg)${a()} >> (${b()} & ${sh}))`);
    case 'or':
      return set(bitwise('|'));
    case 'and':
      return set(bitwise('&'));
    case 'addiw':
      return set(`RVR_SEXT32(${addImm(a(), i.imm)})`);
    case 'slliw':
      return set(`RVR_SEXT32((uint32_t)${a()} << ${i.imm})`);
    case 'srliw':
      return set(`RVR_SEXT32((uint32_t)${a()} >> ${i.imm})`);
    case 'sraiw':
      return set(`(ureg)(int64_t)((int32_t)(uint32_t)${a()} >> ${i.imm})`);
    case 'addw':
      return set(`RVR_SEXT32(${a()} + ${b()})`);
    case 'subw':
      return set(`RVR_SEXT32(${a()} - ${b()})`);
    case 'sllw':
      return set(`RVR_SEXT32((uint32_t)${a()} << (${b()} & 31))`);
    case 'srlw':
      return set(`RVR_SEXT32((uint32_t)${a()} >> (${b()} & 31))`);
    case 'sraw':
      return set(`(ureg)(int64_t)((int32_t)(uint32_t)${a()} >> (${b()} & 31))`);
    case 'mul':
      return set(`${a()} * ${b()}`);
    case 'mulw':
      return set(`RVR_SEXT32((uint32_t)${a()} * (uint32_t)${b()})`);
    case 'mulh': case 'mulhsu': case 'mulhu': case 'div': case 'divu': case 'rem': case 'remu':
    case 'divw': case 'divuw': case 'remw': case 'remuw':
      return set(`rvr_${i.op}(${a()}, ${b()})`);
    case 'fence':
    case 'fence_i':
      // One hart, no caches to synchronise, and code is translated ahead of time.
      return '';
    default:
      break;
  }
  const load = LOADS[i.op];
  if (load) {
    const addr = 'ea';
    const check = facts.inBounds ? '' : boundsCheck(r, addr, load.width, 'RVR_TRAP_LOAD_FAULT', pc);
    const value = load.expr(`rvr_ld${load.width * 8}(M, ${addr})`);
    const write = i.rd === 0 ? '' : r.set(i.rd, value);
    if (check === '' && write === '') return ''; // a load into x0 that cannot fault
    return block([`ureg ${addr} = ${addImm(a(), i.imm)};`, check, write]);
  }
  const width = STORES[i.op];
  if (width) {
    const addr = 'ea';
    const check = facts.inBounds ? '' : boundsCheck(r, addr, width, 'RVR_TRAP_STORE_FAULT', pc);
    return block([`ureg ${addr} = ${addImm(a(), i.imm)};`, check, `rvr_st${width * 8}(M, ${addr}, ${b()});`]);
  }
  return undefined;
}

function block(parts: string[]): string {
  return `{ ${parts.filter((p) => p !== '').join(' ')} }`;
}

/** The C condition of a conditional branch. */
export function branchCondition(i: Instr, r: RegAccess): string {
  // Comparing a register with itself has a fixed outcome; spelled out it draws warnings.
  if (i.rs1 === i.rs2) return ['beq', 'bge', 'bgeu'].includes(i.op) ? '1' : '0';
  const a = r.get(i.rs1);
  const b = r.get(i.rs2);
  switch (i.op) {
    case 'beq':
      return `${a} == ${b}`;
    case 'bne':
      return `${a} != ${b}`;
    case 'blt':
      return `(sreg)${a} < (sreg)${b}`;
    case 'bge':
      return `(sreg)${a} >= (sreg)${b}`;
    case 'bltu':
      return `${a} < ${b}`;
    case 'bgeu':
      return `${a} >= ${b}`;
    default:
      throw new Error(`not a branch: ${i.op}`);
  }
}

/** True when the op reads guest memory through M. */
export function touchesMemory(i: Instr): boolean {
  return i.op in LOADS || i.op in STORES;
}

/** Bytes a load or store accesses (undefined for other ops). */
export function accessWidth(i: Instr): number | undefined {
  return LOADS[i.op]?.width ?? STORES[i.op];
}
