/**
 * Source lines of a guest from its DWARF line table (.debug_line, versions 2 to 5): which file
 * and line each instruction address came from.
 *
 * Debug information is optional, so this reader never throws: a unit it cannot read is skipped,
 * and the first problem is reported in one warning line. File names are kept as the DWARF
 * records them relative to the compilation directory; the compilation directory itself and any
 * absolute path outside it never come out of here (they would make generated code depend on
 * where the guest was built), so such files simply have no lines.
 */
import { posix } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PF_X, type ElfFile, type RawSection } from './types.js';

export interface SourceLocation {
  /** Relative to the guest's compilation directory, as recorded (normalised, never absolute). */
  file: string;
  /** 1-based line. */
  line: number;
}

export interface LineInfo {
  /** Location of each 4-byte instruction address in the executable segments that has one. */
  locations: Map<number, SourceLocation>;
  /** One line describing what was ignored (malformed units, unusable paths), if anything was. */
  warning?: string;
}

/** Decompressed sections larger than this are refused (a bound on the work a hostile file causes). */
const MAX_SECTION_BYTES = 256 * 1024 * 1024;
/**
 * Bound on the address slots visited, as a multiple of the code's slots: a sane table covers
 * each address about once; a broken one may claim the whole code in every row.
 */
const MAX_COVERAGE = 8;
const ELFCOMPRESS_ZLIB = 1;

/** A problem inside one unit: the unit is skipped. */
class DwarfError extends Error {}

/** Bounds-checked little-endian reads over one section. */
class Cursor {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public pos = 0,
    public end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (n < 0 || this.pos + n > this.end) throw new DwarfError(`truncated at offset 0x${this.pos.toString(16)}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  i8(): number {
    return this.view.getInt8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  /** 64-bit value as a number; values past 2^53 round but stay huge (never a valid address). */
  u64(): number {
    const at = this.need(8);
    return this.view.getUint32(at + 4, true) * 2 ** 32 + this.view.getUint32(at, true);
  }
  /** An unsigned value of `size` bytes (1, 2, 4 or 8). */
  uN(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        throw new DwarfError(`unsupported operand size ${size}`);
    }
  }
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
      if (scale > 2 ** 70) throw new DwarfError('LEB128 value too long');
    }
  }
  sleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? result - scale : result;
      if (scale > 2 ** 70) throw new DwarfError('LEB128 value too long');
    }
  }
  skip(n: number): void {
    this.need(n);
  }
  cstring(): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0 || end >= this.end) throw new DwarfError(`unterminated string at offset 0x${this.pos.toString(16)}`);
    const s = decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
}

const decoder = new TextDecoder('utf-8');
const decode = (b: Uint8Array): string => decoder.decode(b);

/** A string at `offset` of a string section (.debug_str / .debug_line_str). */
function stringAt(section: Uint8Array | undefined, offset: number, what: string): string {
  if (!section) throw new DwarfError(`string form refers to a missing ${what} section`);
  if (offset >= section.length) throw new DwarfError(`offset 0x${offset.toString(16)} is outside ${what}`);
  const end = section.indexOf(0, offset);
  if (end < 0) throw new DwarfError(`unterminated string in ${what}`);
  return decode(section.subarray(offset, end));
}

/** The bytes of a section, decompressed if SHF_COMPRESSED (zlib). */
function sectionBytes(s: RawSection | undefined, elfClass: 32 | 64, what: string): Uint8Array | undefined {
  if (!s) return undefined;
  if (!s.compressed) return s.bytes;
  const c = new Cursor(s.bytes);
  const type = c.u32();
  if (elfClass === 64) c.skip(4);
  const size = elfClass === 64 ? c.u64() : c.u32();
  c.skip(elfClass === 64 ? 8 : 4);
  if (type !== ELFCOMPRESS_ZLIB) throw new DwarfError(`${what} is compressed with an unsupported method (${type})`);
  if (size > MAX_SECTION_BYTES) throw new DwarfError(`${what} is too large (${size} bytes)`);
  let out: Buffer;
  try {
    out = inflateSync(s.bytes.subarray(c.pos), { maxOutputLength: Math.max(1, size) });
  } catch (e) {
    throw new DwarfError(`${what} does not decompress (${(e as Error).message.split('\n')[0]})`);
  }
  if (out.length !== size) throw new DwarfError(`${what} decompresses to ${out.length} bytes, not ${size}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

// DW_FORM codes that appear in DWARF 5 line table entry formats.
const FORM = {
  block: 0x09,
  block1: 0x0a,
  block2: 0x03,
  block4: 0x04,
  data1: 0x0b,
  data2: 0x05,
  data4: 0x06,
  data8: 0x07,
  data16: 0x1e,
  string: 0x08,
  strp: 0x0e,
  lineStrp: 0x1f,
  udata: 0x0f,
  sdata: 0x0d,
  strx: 0x1a,
  strx1: 0x25,
  strx2: 0x26,
  strx3: 0x27,
  strx4: 0x28,
} as const;
const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

interface UnitContext {
  offsetSize: 4 | 8;
  str?: Uint8Array;
  lineStr?: Uint8Array;
}

/** One attribute value of an entry format: a string, a number, or nothing usable. */
function readForm(c: Cursor, form: number, u: UnitContext): string | number | undefined {
  switch (form) {
    case FORM.string:
      return c.cstring();
    case FORM.lineStrp:
      return stringAt(u.lineStr, c.uN(u.offsetSize), '.debug_line_str');
    case FORM.strp:
      return stringAt(u.str, c.uN(u.offsetSize), '.debug_str');
    case FORM.udata:
      return c.uleb();
    case FORM.sdata:
      return c.sleb();
    case FORM.data1:
      return c.u8();
    case FORM.data2:
      return c.u16();
    case FORM.data4:
      return c.u32();
    case FORM.data8:
      return c.u64();
    case FORM.data16:
      c.skip(16);
      return undefined;
    case FORM.block:
      c.skip(c.uleb());
      return undefined;
    case FORM.block1:
      c.skip(c.u8());
      return undefined;
    case FORM.block2:
      c.skip(c.u16());
      return undefined;
    case FORM.block4:
      c.skip(c.u32());
      return undefined;
    // Indexed strings need the unit's str_offsets_base from .debug_info: the name stays unknown.
    case FORM.strx:
      c.uleb();
      return undefined;
    case FORM.strx1:
      c.skip(1);
      return undefined;
    case FORM.strx2:
      c.skip(2);
      return undefined;
    case FORM.strx3:
      c.skip(3);
      return undefined;
    case FORM.strx4:
      c.skip(4);
      return undefined;
    default:
      throw new DwarfError(`unsupported form 0x${form.toString(16)} in an entry format`);
  }
}

interface FileEntry {
  name: string | undefined;
  dir: number;
}

/** DWARF 5 directory or file name table: a format description, then the entries. */
function readEntryTable(c: Cursor, u: UnitContext): FileEntry[] {
  const formatCount = c.u8();
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) format.push([c.uleb(), c.uleb()]);
  const count = c.uleb();
  if (count > c.end - c.pos) throw new DwarfError(`entry count ${count} exceeds the header`);
  const entries: FileEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e: FileEntry = { name: undefined, dir: 0 };
    for (const [type, form] of format) {
      const v = readForm(c, form, u);
      if (type === DW_LNCT_path && typeof v === 'string') e.name = v;
      else if (type === DW_LNCT_directory_index && typeof v === 'number') e.dir = v;
    }
    entries.push(e);
  }
  return entries;
}

interface Row {
  address: number;
  file: number;
  line: number;
  end: boolean;
}

interface Unit {
  version: number;
  /** Directory names; index 0 is the compilation directory (DWARF 5) or unknown (DWARF 2–4). */
  dirs: (string | undefined)[];
  files: FileEntry[];
  rows: Row[];
}

/** The extent of the unit at the cursor: its end and offset size; the cursor moves past the length. */
function unitExtent(c: Cursor): { end: number; offsetSize: 4 | 8 } {
  let unitLength = c.u32();
  let offsetSize: 4 | 8 = 4;
  if (unitLength === 0xffffffff) {
    unitLength = c.u64();
    offsetSize = 8;
  } else if (unitLength >= 0xfffffff0) {
    throw new DwarfError(`reserved unit length 0x${unitLength.toString(16)}`);
  }
  if (unitLength > c.end - c.pos) throw new DwarfError(`unit length ${unitLength} runs past the section`);
  return { end: c.pos + unitLength, offsetSize };
}

/** One line number program (DWARF 5 §6.2): header, then the state machine, from `start` to `unitEnd`. */
function readUnit(bytes: Uint8Array, start: number, unitEnd: number, u: UnitContext): Unit {
  const offsetSize = u.offsetSize;
  const unit = new Cursor(bytes, start, unitEnd);
  const version = unit.u16();
  if (version < 2 || version > 5) throw new DwarfError(`unsupported line table version ${version}`);
  if (version >= 5) {
    unit.u8(); // address_size: DW_LNE_set_address carries its own operand length
    if (unit.u8() !== 0) throw new DwarfError('segmented addresses are not supported');
  }
  const headerLength = unit.uN(offsetSize);
  if (headerLength > unitEnd - unit.pos) throw new DwarfError(`header length ${headerLength} runs past the unit`);
  const programStart = unit.pos + headerLength;
  const minInstLength = unit.u8();
  const maxOps = version >= 4 ? unit.u8() : 1;
  unit.u8(); // default_is_stmt: every row counts, statement or not
  const lineBase = unit.i8();
  const lineRange = unit.u8();
  const opcodeBase = unit.u8();
  if (lineRange === 0) throw new DwarfError('line_range is 0');
  if (maxOps === 0) throw new DwarfError('maximum_operations_per_instruction is 0');
  if (opcodeBase === 0) throw new DwarfError('opcode_base is 0');
  const opLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) opLengths.push(unit.u8());

  const header = new Cursor(bytes, unit.pos, programStart);
  let dirs: (string | undefined)[];
  let files: FileEntry[];
  if (version >= 5) {
    dirs = readEntryTable(header, u).map((e) => e.name);
    files = readEntryTable(header, u);
  } else {
    dirs = [undefined]; // index 0: the compilation directory, recorded in .debug_info only
    for (let d = header.cstring(); d !== ''; d = header.cstring()) dirs.push(d);
    files = [{ name: undefined, dir: 0 }]; // file numbers start at 1
    for (let name = header.cstring(); name !== ''; name = header.cstring()) {
      const dir = header.uleb();
      header.uleb(); // modification time
      header.uleb(); // length
      files.push({ name, dir });
    }
  }

  // The state machine.
  const rows: Row[] = [];
  const prog = new Cursor(bytes, programStart, unitEnd);
  let address = 0;
  let opIndex = 0;
  let file = 1;
  let line = 1;
  const reset = (): void => {
    address = 0;
    opIndex = 0;
    file = 1;
    line = 1;
  };
  const advance = (operationAdvance: number): void => {
    if (maxOps === 1) {
      address += minInstLength * operationAdvance;
    } else {
      address += minInstLength * Math.floor((opIndex + operationAdvance) / maxOps);
      opIndex = (opIndex + operationAdvance) % maxOps;
    }
  };
  const emit = (end: boolean): void => {
    rows.push({ address, file, line, end });
  };
  while (prog.pos < prog.end) {
    const op = prog.u8();
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      line += lineBase + (adjusted % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = prog.uleb();
        if (len === 0 || len > prog.end - prog.pos) throw new DwarfError(`extended opcode length ${len} at 0x${prog.pos.toString(16)}`);
        const next = prog.pos + len;
        const sub = prog.u8();
        if (sub === 1) {
          emit(true);
          reset();
        } else if (sub === 2) {
          address = prog.uN(len - 1);
          opIndex = 0;
        } else if (sub === 3 && version <= 4) {
          const name = prog.cstring();
          const dir = prog.uleb();
          files.push({ name, dir });
        }
        // 4 (set_discriminator) and vendor opcodes carry nothing we need.
        prog.pos = next;
        break;
      }
      case 1: // copy
        emit(false);
        break;
      case 2: // advance_pc
        advance(prog.uleb());
        break;
      case 3: // advance_line
        line += prog.sleb();
        break;
      case 4: // set_file
        file = prog.uleb();
        break;
      case 5: // set_column
        prog.uleb();
        break;
      case 6: // negate_stmt
      case 7: // set_basic_block
      case 10: // set_prologue_end
      case 11: // set_epilogue_begin
        break;
      case 8: // const_add_pc
        advance(Math.floor((255 - opcodeBase) / lineRange));
        break;
      case 9: // fixed_advance_pc
        address += prog.u16();
        opIndex = 0;
        break;
      case 12: // set_isa
        prog.uleb();
        break;
      default:
        // A standard opcode this reader does not know: skip its LEB128 operands.
        for (let k = 0; k < opLengths[op - 1]; k++) prog.uleb();
    }
  }
  return { version, dirs, files, rows };
}

/** The file of a row as a path relative to the compilation directory, or undefined if unusable. */
function filePath(unit: Unit, index: number): string | undefined {
  const entry = unit.files[index];
  if (!entry?.name) return undefined;
  let path = entry.name;
  if (!path.startsWith('/')) {
    // DWARF 5 lists the compilation directory as directory 0; DWARF 2–4 mean it by index 0.
    if (entry.dir !== 0) {
      const dir = unit.dirs[entry.dir];
      if (dir === undefined || dir === '') return undefined;
      path = posix.join(dir, path);
    }
  }
  if (path.startsWith('/')) {
    const compDir = unit.version >= 5 ? unit.dirs[0] : undefined;
    if (!compDir?.startsWith('/')) return undefined;
    const prefix = compDir.endsWith('/') ? compDir : compDir + '/';
    if (!path.startsWith(prefix)) return undefined;
    path = path.slice(prefix.length);
  }
  path = posix.normalize(path);
  if (path === '.' || path.startsWith('/') || path.includes('\0')) return undefined;
  return path;
}

/**
 * The source location of every instruction address of `elf` that its line table covers.
 * Never throws; `warning` says in one line what was ignored.
 */
export function readLineInfo(elf: ElfFile): LineInfo {
  const locations = new Map<number, SourceLocation>();
  const problems: string[] = [];
  let skippedUnits = 0;
  const warn = (): string | undefined => {
    if (problems.length === 0) return undefined;
    const more = skippedUnits > 1 ? ` (${skippedUnits} line table units skipped)` : '';
    return `${elf.name}: ignoring malformed debug line info: ${problems[0]}${more}`;
  };
  const debug = elf.debug;
  if (!debug) return { locations };
  if (debug.problem) return { locations, warning: `${elf.name}: ignoring debug info: ${debug.problem}` };

  let line: Uint8Array | undefined;
  const ctx: Omit<UnitContext, 'offsetSize'> = {};
  try {
    line = sectionBytes(debug.line, elf.elfClass, '.debug_line');
  } catch (e) {
    problems.push((e as Error).message);
    return { locations, warning: warn() };
  }
  // The string sections are needed only by the units that refer to them.
  for (const [key, raw, what] of [['str', debug.str, '.debug_str'], ['lineStr', debug.lineStr, '.debug_line_str']] as const) {
    try {
      ctx[key] = sectionBytes(raw, elf.elfClass, what);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (!line) return { locations, warning: warn() };

  const code = elf.segments.filter((s) => (s.flags & PF_X) !== 0).map((s) => [s.vaddr, s.vaddr + s.memsz] as const);
  const maxVisits = MAX_COVERAGE * code.reduce((n, [lo, hi]) => n + Math.ceil((hi - lo) / 4), 0) + 65536;
  let visits = 0;
  const c = new Cursor(line);
  while (c.pos < c.end) {
    const at = c.pos;
    let extent: { end: number; offsetSize: 4 | 8 };
    let unit: Unit;
    try {
      extent = unitExtent(c);
    } catch (e) {
      // Without a length there is no next unit to go on with.
      skippedUnits++;
      problems.push(`unit at offset 0x${at.toString(16)}: ${(e as Error).message}`);
      break;
    }
    const body = c.pos;
    c.pos = extent.end;
    if (extent.end === body) continue; // an empty unit: padding
    try {
      unit = readUnit(line, body, extent.end, { ...ctx, offsetSize: extent.offsetSize });
    } catch (e) {
      skippedUnits++;
      problems.push(`unit at offset 0x${at.toString(16)}: ${(e as Error).message}`);
      continue;
    }
    const paths = new Map<number, string | undefined>();
    const pathOf = (i: number): string | undefined => {
      if (!paths.has(i)) paths.set(i, filePath(unit, i));
      return paths.get(i);
    };
    for (let k = 0; k + 1 < unit.rows.length; k++) {
      const row = unit.rows[k];
      if (row.end) continue;
      const next = unit.rows[k + 1];
      if (next.address <= row.address || row.line <= 0 || row.line > 0x7fffffff) continue;
      const file = pathOf(row.file);
      if (file === undefined) continue;
      for (const [lo, hi] of code) {
        const start = Math.max(lo, row.address);
        const end = Math.min(hi, next.address);
        for (let pc = start + ((4 - (start % 4)) % 4); pc < end; pc += 4) {
          if (++visits > maxVisits) {
            problems.push('line table covers the code too many times over');
            return { locations, warning: warn() };
          }
          // The first unit to cover an address wins (overlaps only come from broken tables).
          if (!locations.has(pc)) locations.set(pc, { file, line: row.line });
        }
      }
    }
  }
  return { locations, ...(problems.length ? { warning: warn() } : {}) };
}
