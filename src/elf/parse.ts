/**
 * ELF reader for statically linked little-endian RISC-V executables (ELF32 and ELF64).
 *
 * Input files come from users, so every offset, size and count is checked against the file and
 * against sane limits *before* it is used: malformed input only ever produces an ElfError, never
 * a RangeError from DataView or a silently wrong image.
 */
import { readFile } from 'node:fs/promises';
import { EF_RISCV_FLOAT_ABI, EF_RISCV_FLOAT_ABI_QUAD, EF_RISCV_RVE, ElfError, PF_X, type DebugSections, type ElfClass, type ElfFile, type ElfSegment, type ElfSymbol, type ElfSymbolType } from './types.js';

/** Addresses and sizes must stay below this so JS numbers hold them exactly (and arenas are far smaller). */
export const ELF_ADDRESS_LIMIT = 2 ** 40;
/** More program headers than this is not a real executable; the limit bounds the work done. */
export const ELF_MAX_PROGRAM_HEADERS = 4096;

const EM_RISCV = 243;
const ET_EXEC = 2;
const ET_DYN = 3;
const EV_CURRENT = 1;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;

const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHF_COMPRESSED = 0x800;
/** e_shstrndx value saying the real index is in section 0's sh_link. */
const SHN_XINDEX = 0xffff;
/** e_phnum value announcing extended numbering; such a count is above our limit anyway. */
const PN_XNUM = 0xffff;

/** Field layout that differs between the two classes. */
interface ClassLayout {
  ehsize: number;
  phentsize: number;
  shentsize: number;
  symentsize: number;
}

const LAYOUT: Record<ElfClass, ClassLayout> = {
  32: { ehsize: 52, phentsize: 32, shentsize: 40, symentsize: 16 },
  64: { ehsize: 64, phentsize: 56, shentsize: 64, symentsize: 24 },
};

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Little-endian reads of class-sized words; callers have already checked the bounds. */
class Reader {
  private readonly view: DataView;

  constructor(
    bytes: Uint8Array,
    readonly elfClass: ElfClass,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  /**
   * A 64-bit field as a number. Values of 2^53 and above round, but stay above every limit we
   * compare them with, so they are still rejected; values below 2^40 are exact.
   */
  u64(off: number): number {
    return this.view.getUint32(off + 4, true) * 2 ** 32 + this.view.getUint32(off, true);
  }
  /** An address/offset/size word: 4 bytes in ELF32, 8 in ELF64. */
  word(off: number): number {
    return this.elfClass === 32 ? this.u32(off) : this.u64(off);
  }
}

interface SectionHeader {
  index: number;
  /** Offset of the name in the section name string table. */
  name: number;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** Parse an ELF executable held in memory. `name` only labels error messages and the result. */
export function parseElf(input: Uint8Array, name: string): ElfFile {
  // A Node Buffer may be a view into a shared pool; normalise to a plain view of exactly the file.
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const fail = (problem: string): never => {
    throw new ElfError(name, problem);
  };

  // --- Identification (e_ident) ---
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  for (let i = 0; i < 4; i++) {
    if (i >= bytes.length) fail('truncated ELF header (file is shorter than the ELF magic)');
    if (bytes[i] !== magic[i]) fail('not an ELF file (bad magic)');
  }
  if (bytes.length < 16) fail(`truncated ELF header (${bytes.length} bytes, identification needs 16)`);
  const classByte = bytes[4];
  if (classByte !== 1 && classByte !== 2) fail(`invalid ELF class byte ${classByte} (expected 1 for ELF32 or 2 for ELF64)`);
  const elfClass: ElfClass = classByte === 1 ? 32 : 64;
  const dataByte = bytes[5];
  if (dataByte === 2) fail('big-endian ELF files are not supported (RISC-V executables are little-endian)');
  if (dataByte !== 1) fail(`invalid ELF data encoding byte ${dataByte} (expected 1 for little-endian)`);
  if (bytes[6] !== EV_CURRENT) fail(`unsupported ELF identification version ${bytes[6]} (expected 1)`);

  const layout = LAYOUT[elfClass];
  if (bytes.length < layout.ehsize) {
    fail(`truncated ELF header (${bytes.length} bytes, ELF${elfClass} header needs ${layout.ehsize})`);
  }
  const r = new Reader(bytes, elfClass);

  // --- ELF header ---
  const is64 = elfClass === 64;
  const eType = r.u16(16);
  const eMachine = r.u16(18);
  const eVersion = r.u32(20);
  const eEntry = r.word(24);
  const ePhoff = r.word(is64 ? 32 : 28);
  const eShoff = r.word(is64 ? 40 : 32);
  const eFlags = r.u32(is64 ? 48 : 36);
  const ePhentsize = r.u16(is64 ? 54 : 42);
  const ePhnum = r.u16(is64 ? 56 : 44);
  const eShentsize = r.u16(is64 ? 58 : 46);
  const eShnum = r.u16(is64 ? 60 : 48);
  const eShstrndx = r.u16(is64 ? 62 : 50);

  if (eMachine !== EM_RISCV) fail(`wrong machine ${eMachine} (expected ${EM_RISCV}, RISC-V)`);
  if (eVersion !== EV_CURRENT) fail(`unsupported ELF version ${eVersion} (expected 1)`);
  // What the program needs from the hart, as the psABI records it (RVC and TSO are accepted:
  // one hart is sequentially consistent anyway).
  if (eFlags & EF_RISCV_RVE) fail('needs RVE (16 registers, ilp32e/lp64e ABI); supported: RV32I/RV64I with M, A, C, Zicsr, Zifencei');
  if ((eFlags & EF_RISCV_FLOAT_ABI) === EF_RISCV_FLOAT_ABI_QUAD) fail('uses the quad-precision float ABI (Q extension); supported: soft, single and double float ABIs');
  if (eType !== ET_EXEC && eType !== ET_DYN) {
    fail(`ELF type ${eType} is not an executable (expected ${ET_EXEC}, ET_EXEC)`);
  }

  // --- Program headers ---
  if (ePhnum === PN_XNUM || ePhnum > ELF_MAX_PROGRAM_HEADERS) {
    fail(`too many program headers (${ePhnum === PN_XNUM ? 'extended numbering' : ePhnum}, limit ${ELF_MAX_PROGRAM_HEADERS})`);
  }
  if (ePhnum === 0) fail('no PT_LOAD segments (the file has no program headers)');
  if (ePhentsize !== layout.phentsize) {
    fail(`program header entry size ${ePhentsize} does not match ELF${elfClass} (expected ${layout.phentsize})`);
  }
  checkTableInFile(bytes.length, ePhoff, ePhnum * ePhentsize, 'program header table', fail);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < ePhnum; i++) {
    const at = ePhoff + i * ePhentsize;
    const pType = r.u32(at);
    if (pType === PT_INTERP || pType === PT_DYNAMIC) {
      fail(`dynamically linked executables are not supported (program header ${i} is ${pType === PT_INTERP ? 'PT_INTERP' : 'PT_DYNAMIC'})`);
    }
    if (pType !== PT_LOAD) continue;
    const flags = is64 ? r.u32(at + 4) : r.u32(at + 24);
    const offset = is64 ? r.u64(at + 8) : r.u32(at + 4);
    const vaddr = is64 ? r.u64(at + 16) : r.u32(at + 8);
    const filesz = is64 ? r.u64(at + 32) : r.u32(at + 16);
    const memsz = is64 ? r.u64(at + 40) : r.u32(at + 20);
    const what = `PT_LOAD segment ${i} (vaddr ${hex(vaddr)})`;

    if (filesz > memsz) fail(`${what} has file size ${hex(filesz)} larger than memory size ${hex(memsz)}`);
    // An empty segment maps nothing; linkers emit these occasionally.
    if (memsz === 0) continue;
    if (memsz >= ELF_ADDRESS_LIMIT) fail(`${what} has absurd memory size ${hex(memsz)} (limit 2^40)`);
    if (vaddr >= ELF_ADDRESS_LIMIT || vaddr + memsz > ELF_ADDRESS_LIMIT) {
      fail(`${what} with memory size ${hex(memsz)} extends beyond 2^40`);
    }
    // In ELF32 vaddr + memsz can exceed 2^32, which would wrap around the guest address space.
    if (elfClass === 32 && vaddr + memsz > 2 ** 32) {
      fail(`${what} with memory size ${hex(memsz)} extends past the end of the 32-bit address space`);
    }
    if (offset > bytes.length || filesz > bytes.length - offset) {
      fail(`${what} file range ${hex(offset)}+${hex(filesz)} extends past the end of the file (${hex(bytes.length)} bytes)`);
    }
    segments.push({ vaddr, filesz, memsz, flags, data: bytes.subarray(offset, offset + filesz) });
  }
  if (segments.length === 0) fail('no PT_LOAD segments');

  segments.sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    const cur = segments[i];
    if (prev.vaddr + prev.memsz > cur.vaddr) {
      fail(
        `overlapping PT_LOAD segments [${hex(prev.vaddr)}, ${hex(prev.vaddr + prev.memsz)}) and ` +
          `[${hex(cur.vaddr)}, ${hex(cur.vaddr + cur.memsz)})`,
      );
    }
  }

  const entrySegment = segments.find((s) => eEntry >= s.vaddr && eEntry < s.vaddr + s.memsz);
  if (entrySegment === undefined || (entrySegment.flags & PF_X) === 0) {
    fail(`entry point ${hex(eEntry)} is not inside an executable segment`);
  }

  const symbols = readSymbols(r, bytes, eShoff, eShnum, eShentsize, layout, fail);
  const debug = findDebugSections(r, bytes, eShoff, eShnum, eShentsize, eShstrndx, layout);

  return { name, elfClass, entry: eEntry, segments, symbols, flags: eFlags, ...(debug ? { debug } : {}) };
}

/** Read a file and parse it; `path` as given names the file in messages. */
export async function readElf(path: string): Promise<ElfFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    // Keep the one-line `${name}: ${problem}` contract for I/O failures too.
    const code = (err as NodeJS.ErrnoException).code;
    const detail = code ?? String((err as Error).message ?? err).split('\n')[0];
    throw new ElfError(path, `cannot read file (${detail})`);
  }
  return parseElf(bytes, path);
}

function checkTableInFile(
  fileSize: number,
  offset: number,
  size: number,
  what: string,
  fail: (problem: string) => never,
): void {
  if (offset > fileSize || size > fileSize - offset) {
    fail(`${what} at ${hex(offset)} (${size} bytes) extends past the end of the file (${hex(fileSize)} bytes)`);
  }
}

/** Symbols from the (single) SHT_SYMTAB section and its linked string table; none if stripped. */
function readSymbols(
  r: Reader,
  bytes: Uint8Array,
  shoff: number,
  shnumField: number,
  shentsize: number,
  layout: ClassLayout,
  fail: (problem: string) => never,
): ElfSymbol[] {
  const fileSize = bytes.length;
  // No section header table at all: nothing to read (fully stripped, e.g. `sstrip`).
  if (shoff === 0) return [];
  if (shentsize !== layout.shentsize) {
    fail(`section header entry size ${shentsize} does not match ELF${r.elfClass} (expected ${layout.shentsize})`);
  }
  checkTableInFile(fileSize, shoff, shentsize, 'section header table', fail);
  // Extended numbering: with e_shnum 0 the real count lives in section 0's sh_size.
  const shnum = shnumField === 0 ? readSection(r, shoff, shentsize, 0).size : shnumField;
  checkTableInFile(fileSize, shoff, shnum * shentsize, 'section header table', fail);

  const sections: SectionHeader[] = [];
  for (let i = 0; i < shnum; i++) sections.push(readSection(r, shoff, shentsize, i));
  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length === 0) return [];
  if (symtabs.length > 1) fail(`more than one SHT_SYMTAB section (sections ${symtabs.map((s) => s.index).join(', ')})`);
  const symtab = symtabs[0];

  if (symtab.entsize !== layout.symentsize) {
    fail(`symbol table entry size ${symtab.entsize} does not match ELF${r.elfClass} (expected ${layout.symentsize})`);
  }
  if (symtab.size % symtab.entsize !== 0) {
    fail(`symbol table size ${symtab.size} is not a multiple of its entry size ${symtab.entsize}`);
  }
  checkTableInFile(fileSize, symtab.offset, symtab.size, `symbol table (section ${symtab.index})`, fail);

  if (symtab.link === 0 || symtab.link >= shnum) {
    fail(`symbol table string table index ${symtab.link} is out of range (${shnum} sections)`);
  }
  const strtab = sections[symtab.link];
  if (strtab.type !== SHT_STRTAB) {
    fail(`symbol table links section ${strtab.index}, which is not a string table (type ${strtab.type})`);
  }
  checkTableInFile(fileSize, strtab.offset, strtab.size, `string table (section ${strtab.index})`, fail);
  const strings = bytes.subarray(strtab.offset, strtab.offset + strtab.size);
  const decoder = new TextDecoder('utf-8');

  const symbols: ElfSymbol[] = [];
  const count = symtab.size / symtab.entsize;
  // Entry 0 is the reserved null symbol.
  for (let i = 1; i < count; i++) {
    const at = symtab.offset + i * symtab.entsize;
    const nameOff = r.u32(at);
    // ELF32: name, value, size, info, other, shndx. ELF64: name, info, other, shndx, value, size.
    const info = r.u8(r.elfClass === 64 ? at + 4 : at + 12);
    const value = r.elfClass === 64 ? r.u64(at + 8) : r.u32(at + 4);
    const size = r.elfClass === 64 ? r.u64(at + 16) : r.u32(at + 8);

    if (nameOff >= strtab.size) {
      fail(`symbol ${i} name offset ${hex(nameOff)} is out of range of its string table (${strtab.size} bytes)`);
    }
    const end = strings.indexOf(0, nameOff);
    if (end < 0) fail(`symbol ${i} name at offset ${hex(nameOff)} is not NUL-terminated inside its string table`);
    const symName = decoder.decode(strings.subarray(nameOff, end));
    if (value >= ELF_ADDRESS_LIMIT) fail(`symbol ${i} (${symName}) has value ${hex(value)} beyond 2^40`);
    if (size >= ELF_ADDRESS_LIMIT) fail(`symbol ${i} (${symName}) has absurd size ${hex(size)}`);

    const bind = info >> 4;
    symbols.push({ name: symName, value, size, type: symbolType(info & 0xf), global: bind === 1 || bind === 2 });
  }
  return symbols;
}

function readSection(r: Reader, shoff: number, shentsize: number, index: number): SectionHeader {
  const at = shoff + index * shentsize;
  const is64 = r.elfClass === 64;
  const type = r.u32(at + 4);
  return {
    index,
    name: r.u32(at),
    type,
    flags: is64 ? r.u64(at + 8) : r.u32(at + 8),
    offset: is64 ? r.u64(at + 24) : r.u32(at + 16),
    // SHT_NOBITS occupies no file bytes, whatever sh_size says.
    size: type === SHT_NOBITS ? 0 : is64 ? r.u64(at + 32) : r.u32(at + 20),
    link: r.u32(is64 ? at + 40 : at + 24),
    entsize: is64 ? r.u64(at + 56) : r.u32(at + 36),
  };
}

const DEBUG_SECTION_NAMES = new Map<string, 'line' | 'lineStr' | 'str'>([
  ['.debug_line', 'line'],
  ['.debug_line_str', 'lineStr'],
  ['.debug_str', 'str'],
]);

/**
 * The DWARF sections that source lines come from. Debug information is optional, so nothing
 * here throws: a section table or name table that does not hold together gives `problem`
 * (reported as a warning when debug info is asked for) instead of failing the parse.
 */
function findDebugSections(
  r: Reader,
  bytes: Uint8Array,
  shoff: number,
  shnumField: number,
  shentsize: number,
  shstrndxField: number,
  layout: ClassLayout,
): DebugSections | undefined {
  if (shoff === 0) return undefined;
  const fileSize = bytes.length;
  const fits = (offset: number, size: number): boolean => offset <= fileSize && size <= fileSize - offset;
  const problem = (text: string): DebugSections => ({ problem: text });
  if (shentsize !== layout.shentsize || !fits(shoff, shentsize)) return problem('section header table is malformed');
  const first = readSection(r, shoff, shentsize, 0);
  const shnum = shnumField === 0 ? first.size : shnumField;
  if (!fits(shoff, shnum * shentsize)) return problem('section header table extends past the end of the file');
  const shstrndx = shstrndxField === SHN_XINDEX ? first.link : shstrndxField;
  if (shstrndx === 0) return undefined; // no section names: nothing can be found by name
  if (shstrndx >= shnum) return problem(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
  const names = readSection(r, shoff, shentsize, shstrndx);
  if (names.type !== SHT_STRTAB || !fits(names.offset, names.size)) return problem('section name table is malformed');
  const nameBytes = bytes.subarray(names.offset, names.offset + names.size);
  const found: DebugSections = {};
  for (let i = 1; i < shnum; i++) {
    const sec = readSection(r, shoff, shentsize, i);
    if (sec.name >= nameBytes.length || sec.type === SHT_NOBITS) continue;
    const end = nameBytes.indexOf(0, sec.name);
    if (end < 0) continue;
    const secName = Buffer.from(nameBytes.subarray(sec.name, end)).toString('latin1');
    const key = DEBUG_SECTION_NAMES.get(secName);
    if (key === undefined) continue;
    if (found[key]) return problem(`more than one ${secName} section`);
    if (!fits(sec.offset, sec.size)) return problem(`debug section ${i} extends past the end of the file`);
    found[key] = { bytes: bytes.subarray(sec.offset, sec.offset + sec.size), compressed: (sec.flags & SHF_COMPRESSED) !== 0 };
  }
  return found.line ? found : undefined;
}

function symbolType(stt: number): ElfSymbolType {
  switch (stt) {
    case 0:
      return 'notype';
    case 1:
      return 'object';
    case 2:
      return 'func';
    case 3:
      return 'section';
    case 4:
      return 'file';
    default:
      return 'other';
  }
}
