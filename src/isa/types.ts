/** Decoded RISC-V instructions: the one representation shared by the interpreter and the emitter. */

export type Xlen = 32 | 64;

/** Every operation the decoder can produce. Names follow the assembler mnemonics ('.' becomes '_'). */
export const OPS = [
  // RV32I / RV64I
  'lui', 'auipc', 'jal', 'jalr',
  'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu',
  'lb', 'lh', 'lw', 'lbu', 'lhu', 'lwu', 'ld',
  'sb', 'sh', 'sw', 'sd',
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai',
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'addiw', 'slliw', 'srliw', 'sraiw', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'fence', 'fence_i', 'ecall', 'ebreak',
  // M
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
  'mulw', 'divw', 'divuw', 'remw', 'remuw',
] as const;

export type Op = (typeof OPS)[number];

export interface Instr {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  /**
   * Sign-extended immediate as a JS number (always within int32). For lui/auipc it is the
   * already-shifted value (imm20 << 12, sign-extended); for shifts it is the shift amount;
   * for branches and jal it is the byte offset from this instruction.
   */
  imm: number;
  /** Encoded length in bytes: 2 for compressed instructions (expanded to their 32-bit form). */
  len: 2 | 4;
  /** The raw encoding (low `len` bytes significant). */
  raw: number;
  /** The compressed mnemonic (`c.addi`, ...) when len is 2. */
  cname?: string;
}

/**
 * What the decoder accepts beyond the base ISA and M. `compressed` is the C extension (and with
 * it IALIGN = 16: instructions start at any even address); it follows the ELF's EF_RISCV_RVC flag.
 */
export interface IsaOptions {
  compressed?: boolean;
}

/** Bytes between instruction slots: every even address is a slot when C is present. */
export const slotBytes = (o: IsaOptions): 2 | 4 => (o.compressed ? 2 : 4);

/**
 * Instruction classes, used by metering (per-class counts and cost tables).
 * Extensions add their own classes.
 */
export type InstrClass = 'alu' | 'muldiv' | 'load' | 'store' | 'branch' | 'jump' | 'system';

export const INSTR_CLASSES: readonly InstrClass[] = [
  'alu', 'muldiv', 'load', 'store', 'branch', 'jump', 'system',
];

/** How an instruction can change the pc: the lifter builds blocks from this. */
export type ControlKind =
  | 'none' // falls through to pc + len
  | 'branch' // conditional: pc + imm or fall through
  | 'jal' // direct: pc + imm (a call when rd != 0)
  | 'jalr' // indirect: (rs1 + imm) & ~1 (a call when rd != 0)
  | 'ecall' // system call: falls through unless the host stops the machine
  | 'trap'; // ebreak: always stops
