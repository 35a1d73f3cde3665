/** A parsed little-endian RISC-V ELF executable, reduced to what recompilation needs. */
export type ElfClass = 32 | 64;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** e_flags bits of the RISC-V ELF psABI. */
export const EF_RISCV_RVC = 0x1;
export const EF_RISCV_FLOAT_ABI = 0x6; // 0 soft, 2 single, 4 double, 6 quad
export const EF_RISCV_FLOAT_ABI_QUAD = 0x6;
export const EF_RISCV_RVE = 0x8;
export const EF_RISCV_TSO = 0x10;

export interface ElfSegment {
  /** Guest virtual address of the first byte. */
  vaddr: number;
  /** Bytes present in the file (the rest up to memsz is zero-filled). */
  filesz: number;
  memsz: number;
  /** Combination of PF_R, PF_W, PF_X. */
  flags: number;
  /** The file bytes of the segment (length filesz). */
  data: Uint8Array;
}

export type ElfSymbolType = 'func' | 'object' | 'notype' | 'section' | 'file' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: ElfSymbolType;
  /** True for STB_GLOBAL / STB_WEAK. */
  global: boolean;
}

export interface ElfFile {
  /** File name used in error messages (as given by the caller, never resolved). */
  name: string;
  elfClass: ElfClass;
  entry: number;
  /** PT_LOAD segments sorted by vaddr, non-overlapping. */
  segments: ElfSegment[];
  /** Symbols from .symtab (empty when stripped). */
  symbols: ElfSymbol[];
  /** e_flags (float ABI, RVC bit). */
  flags: number;
  /**
   * The DWARF sections source lines are read from (see dwarf.ts), located leniently: debug
   * information is optional, so a malformed section table only leaves `problem` here.
   */
  debug?: DebugSections;
}

/** A section's bytes as stored in the file (possibly SHF_COMPRESSED). */
export interface RawSection {
  bytes: Uint8Array;
  compressed: boolean;
}

export interface DebugSections {
  line?: RawSection;
  lineStr?: RawSection;
  str?: RawSection;
  /** Why the debug sections could not be located, when they could not. */
  problem?: string;
}

/** Every rejection of an input file: the message is one line naming the file and the problem. */
export class ElfError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ElfError';
  }
}
