import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ElfError, PF_R, PF_W, PF_X, parseElf, readElf, readLineInfo, type ElfClass, type ElfFile } from '../src/elf/index.js';
import { fixtureElf, guestElf, REPO_ROOT } from './support/guests.js';

// ---------------------------------------------------------------------------------------------
// A tiny ELF writer: header, program headers, segment bytes, then .symtab/.strtab/.shstrtab and
// the section header table. Tests corrupt its output through the returned layout offsets.
// ---------------------------------------------------------------------------------------------

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;
const STT = { notype: 0, object: 1, func: 2, section: 3, file: 4 } as const;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STB_WEAK = 2;

interface SegSpec {
  type?: number;
  vaddr: number;
  flags: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  memsz?: number;
}

interface SymSpec {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
}

interface Spec {
  cls: ElfClass;
  entry: number;
  segments: SegSpec[];
  /** undefined: no section headers at all; []: a symtab holding only the null symbol. */
  symbols?: SymSpec[];
  eType?: number;
  flags?: number;
}

interface Built {
  bytes: Uint8Array;
  view: DataView;
  /** Offsets of header fields and tables, for corrupting the file in tests. */
  at: {
    phoff: number;
    shoff: number;
    symtabOff: number;
    strtabOff: number;
    /** Offset of program header i. */
    ph: (i: number) => number;
    /** Offset of section header i (1 = .symtab, 2 = .strtab, 3 = .shstrtab). */
    sh: (i: number) => number;
    segData: number[];
  };
}

/** Byte offsets of header fields for each class. */
const EH = {
  32: { entry: 24, phoff: 28, shoff: 32, flags: 36, ehsize: 40, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50, size: 52 },
  64: { entry: 24, phoff: 32, shoff: 40, flags: 48, ehsize: 52, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62, size: 64 },
} as const;
const PH = {
  32: { size: 32, type: 0, offset: 4, vaddr: 8, paddr: 12, filesz: 16, memsz: 20, flags: 24, align: 28 },
  64: { size: 56, type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, align: 48 },
} as const;
const SH = {
  32: { size: 40, name: 0, type: 4, offset: 16, size_: 20, link: 24, info: 28, entsize: 36 },
  64: { size: 64, name: 0, type: 4, offset: 24, size_: 32, link: 40, info: 44, entsize: 56 },
} as const;
const SYMENT = { 32: 16, 64: 24 } as const;

function putWord(view: DataView, cls: ElfClass, off: number, value: number): void {
  if (cls === 32) view.setUint32(off, value, true);
  else view.setBigUint64(off, BigInt(value), true);
}

function cstrings(names: string[]): { bytes: Uint8Array; offsets: number[] } {
  const enc = new TextEncoder();
  const parts: number[] = [0];
  const offsets: number[] = [];
  for (const n of names) {
    offsets.push(parts.length);
    parts.push(...enc.encode(n), 0);
  }
  return { bytes: Uint8Array.from(parts), offsets };
}

function buildElf(spec: Spec): Built {
  const { cls } = spec;
  const eh = EH[cls];
  const ph = PH[cls];
  const sh = SH[cls];
  const phoff = eh.size;
  let cursor = phoff + spec.segments.length * ph.size;
  const segData: number[] = [];
  for (const s of spec.segments) {
    segData.push(cursor);
    cursor += s.data.length;
  }
  const withSections = spec.symbols !== undefined;
  const symbols = spec.symbols ?? [];
  const str = cstrings(symbols.map((s) => s.name));
  const shstr = cstrings(['.symtab', '.strtab', '.shstrtab']);
  const align = (n: number): number => (n + 7) & ~7;
  const symtabOff = align(cursor);
  const symtabSize = (symbols.length + 1) * SYMENT[cls];
  const strtabOff = symtabOff + symtabSize;
  const shstrtabOff = strtabOff + str.bytes.length;
  const shoff = withSections ? align(shstrtabOff + shstr.bytes.length) : 0;
  const total = withSections ? shoff + 4 * sh.size : cursor;

  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, cls === 32 ? 1 : 2, 1, 1]);
  view.setUint16(16, spec.eType ?? 2, true);
  view.setUint16(18, 243, true);
  view.setUint32(20, 1, true);
  putWord(view, cls, eh.entry, spec.entry);
  putWord(view, cls, eh.phoff, phoff);
  putWord(view, cls, eh.shoff, shoff);
  view.setUint32(eh.flags, spec.flags ?? 0, true);
  view.setUint16(eh.ehsize, eh.size, true);
  view.setUint16(eh.phentsize, ph.size, true);
  view.setUint16(eh.phnum, spec.segments.length, true);
  view.setUint16(eh.shentsize, withSections ? sh.size : 0, true);
  view.setUint16(eh.shnum, withSections ? 4 : 0, true);
  view.setUint16(eh.shstrndx, withSections ? 3 : 0, true);

  spec.segments.forEach((s, i) => {
    const at = phoff + i * ph.size;
    view.setUint32(at + ph.type, s.type ?? PT_LOAD, true);
    view.setUint32(at + ph.flags, s.flags, true);
    putWord(view, cls, at + ph.offset, segData[i]);
    putWord(view, cls, at + ph.vaddr, s.vaddr);
    putWord(view, cls, at + ph.paddr, s.vaddr);
    putWord(view, cls, at + ph.filesz, s.data.length);
    putWord(view, cls, at + ph.memsz, s.memsz ?? s.data.length);
    putWord(view, cls, at + ph.align, 0x1000);
    bytes.set(s.data, segData[i]);
  });

  if (withSections) {
    symbols.forEach((s, i) => {
      const at = symtabOff + (i + 1) * SYMENT[cls];
      const info = (s.bind << 4) | s.type;
      view.setUint32(at, str.offsets[i], true);
      if (cls === 32) {
        view.setUint32(at + 4, s.value, true);
        view.setUint32(at + 8, s.size, true);
        view.setUint8(at + 12, info);
        view.setUint16(at + 14, 1, true);
      } else {
        view.setUint8(at + 4, info);
        view.setUint16(at + 6, 1, true);
        putWord(view, cls, at + 8, s.value);
        putWord(view, cls, at + 16, s.size);
      }
    });
    bytes.set(str.bytes, strtabOff);
    bytes.set(shstr.bytes, shstrtabOff);
    const section = (i: number, name: number, type: number, off: number, size: number, link: number, entsize: number): void => {
      const at = shoff + i * sh.size;
      view.setUint32(at + sh.name, name, true);
      view.setUint32(at + sh.type, type, true);
      putWord(view, cls, at + sh.offset, off);
      putWord(view, cls, at + sh.size_, size);
      view.setUint32(at + sh.link, link, true);
      putWord(view, cls, at + sh.entsize, entsize);
    };
    section(1, shstr.offsets[0], 2, symtabOff, symtabSize, 2, SYMENT[cls]);
    view.setUint32(shoff + sh.size + sh.info, 1, true); // first non-local symbol (unchecked)
    section(2, shstr.offsets[1], 3, strtabOff, str.bytes.length, 0, 0);
    section(3, shstr.offsets[2], 3, shstrtabOff, shstr.bytes.length, 0, 0);
  }

  return {
    bytes,
    view,
    at: {
      phoff,
      shoff,
      symtabOff,
      strtabOff,
      ph: (i) => phoff + i * ph.size,
      sh: (i) => shoff + i * sh.size,
      segData,
    },
  };
}

const code = (...words: number[]): Uint8Array => {
  const out = new Uint8Array(words.length * 4);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  return out;
};
const LOOP = 0x0000006f; // jal x0, 0

/** A typical small program: text at 0x10000, data+bss at 0x11000, a few symbols. */
function sample(cls: ElfClass): Spec {
  return {
    cls,
    entry: 0x10004,
    flags: 0x5,
    segments: [
      // Given out of address order to check sorting.
      { vaddr: 0x11000, flags: PF_R | PF_W, data: Uint8Array.from([1, 2, 3, 4]), memsz: 0x20 },
      { type: PT_NOTE, vaddr: 0, flags: PF_R, data: new Uint8Array(8) },
      { vaddr: 0x10000, flags: PF_R | PF_X, data: code(0x00000013, LOOP) },
    ],
    symbols: [
      { name: 'prog.c', value: 0, size: 0, type: STT.file, bind: STB_LOCAL },
      { name: '_start', value: 0x10004, size: 4, type: STT.func, bind: STB_GLOBAL },
      { name: 'buffer', value: 0x11000, size: 0x20, type: STT.object, bind: STB_WEAK },
      { name: 'local_label', value: 0x10000, size: 0, type: STT.notype, bind: STB_LOCAL },
    ],
  };
}

/** Run parseElf expecting an ElfError; return the message after checking it is one line naming the file. */
function rejection(bytes: Uint8Array, name = 'guest.elf'): string {
  let caught: unknown;
  try {
    parseElf(bytes, name);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'parseElf should have thrown').toBeInstanceOf(ElfError);
  const err = caught as ElfError;
  expect(err.message.startsWith(`${name}: `)).toBe(true);
  expect(err.message).not.toContain('\n');
  expect(err.file).toBe(name);
  return err.message;
}

const CLASSES: ElfClass[] = [32, 64];

describe.each(CLASSES)('parseElf on a built ELF%i', (cls) => {
  it('reads class, entry, flags and sorted PT_LOAD segments', () => {
    const b = buildElf(sample(cls));
    const elf = parseElf(b.bytes, 'prog.elf');
    expect(elf.name).toBe('prog.elf');
    expect(elf.elfClass).toBe(cls);
    expect(elf.entry).toBe(0x10004);
    expect(elf.flags).toBe(0x5);
    expect(elf.segments.map((s) => [s.vaddr, s.filesz, s.memsz, s.flags])).toEqual([
      [0x10000, 8, 8, PF_R | PF_X],
      [0x11000, 4, 0x20, PF_R | PF_W],
    ]);
    expect(Array.from(elf.segments[0].data)).toEqual(Array.from(code(0x00000013, LOOP)));
    expect(Array.from(elf.segments[1].data)).toEqual([1, 2, 3, 4]);
  });

  it('reads the symbol table', () => {
    const elf = parseElf(buildElf(sample(cls)).bytes, 'prog.elf');
    expect(elf.symbols).toEqual([
      { name: 'prog.c', value: 0, size: 0, type: 'file', global: false },
      { name: '_start', value: 0x10004, size: 4, type: 'func', global: true },
      { name: 'buffer', value: 0x11000, size: 0x20, type: 'object', global: true },
      { name: 'local_label', value: 0x10000, size: 0, type: 'notype', global: false },
    ]);
  });

  it('gives no symbols for a stripped file (no section headers, or no .symtab)', () => {
    expect(parseElf(buildElf({ ...sample(cls), symbols: undefined }).bytes, 'a').symbols).toEqual([]);
    const b = buildElf(sample(cls));
    b.view.setUint32(b.at.sh(1) + SH[cls].type, 1, true); // .symtab becomes PROGBITS
    expect(parseElf(b.bytes, 'a').symbols).toEqual([]);
  });

  it('drops PT_LOAD segments with memsz 0 and ignores other program headers', () => {
    const spec = sample(cls);
    spec.segments.push({ vaddr: 0x10000, flags: PF_R, data: new Uint8Array(0), memsz: 0 });
    spec.segments.push({ type: 0x70000003, vaddr: 0, flags: PF_R, data: new Uint8Array(4), memsz: 0 });
    const elf = parseElf(buildElf(spec).bytes, 'a');
    expect(elf.segments.map((s) => s.vaddr)).toEqual([0x10000, 0x11000]);
  });

  it('accepts ET_DYN without PT_DYNAMIC/PT_INTERP (static PIE)', () => {
    const elf = parseElf(buildElf({ ...sample(cls), eType: 3 }).bytes, 'a');
    expect(elf.entry).toBe(0x10004);
  });

  it('accepts a Buffer that is a view into a larger allocation', () => {
    const raw = buildElf(sample(cls)).bytes;
    const big = new Uint8Array(raw.length + 100);
    big.set(raw, 37);
    const elf = parseElf(big.subarray(37, 37 + raw.length), 'a');
    expect(Array.from(elf.segments[1].data)).toEqual([1, 2, 3, 4]);
  });

  describe('rejects', () => {
    const eh = EH[cls];
    const ph = PH[cls];
    const sh = SH[cls];
    const fresh = (): Built => buildElf(sample(cls));

    it('a file that is not an ELF', () => {
      const b = fresh();
      b.bytes[1] = 0x58;
      expect(rejection(b.bytes)).toBe('guest.elf: not an ELF file (bad magic)');
      expect(rejection(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).toContain('bad magic');
      expect(rejection(new Uint8Array(0))).toMatch(/^guest\.elf: truncated ELF header/);
    });

    it('a wrong class byte', () => {
      const b = fresh();
      b.bytes[4] = 3;
      expect(rejection(b.bytes)).toMatch(/invalid ELF class byte 3/);
    });

    it('big-endian files', () => {
      const b = fresh();
      b.bytes[5] = 2;
      expect(rejection(b.bytes)).toMatch(/big-endian/);
      b.bytes[5] = 0;
      expect(rejection(b.bytes)).toMatch(/invalid ELF data encoding byte 0/);
    });

    it('a wrong machine, naming the machine number', () => {
      const b = fresh();
      b.view.setUint16(18, 62, true); // EM_X86_64
      expect(rejection(b.bytes)).toBe('guest.elf: wrong machine 62 (expected 243, RISC-V)');
    });

    it('a wrong version (identification byte and e_version)', () => {
      const b = fresh();
      b.bytes[6] = 2;
      expect(rejection(b.bytes)).toMatch(/identification version 2/);
      const c = fresh();
      c.view.setUint32(20, 0, true);
      expect(rejection(c.bytes)).toMatch(/unsupported ELF version 0/);
    });

    it('a type that is not an executable', () => {
      const b = fresh();
      b.view.setUint16(16, 1, true); // ET_REL
      expect(rejection(b.bytes)).toMatch(/ELF type 1 is not an executable/);
    });

    it('a truncated header', () => {
      const bytes = fresh().bytes;
      expect(rejection(bytes.slice(0, 10))).toMatch(/truncated ELF header \(10 bytes, identification needs 16\)/);
      expect(rejection(bytes.slice(0, eh.size - 1))).toMatch(
        new RegExp(`truncated ELF header \\(${eh.size - 1} bytes, ELF${cls} header needs ${eh.size}\\)`),
      );
      expect(rejection(bytes.slice(0, 2))).toMatch(/truncated ELF header/);
    });

    it('a program header table past the end of the file', () => {
      const b = fresh();
      putWord(b.view, cls, eh.phoff, b.bytes.length - 8);
      expect(rejection(b.bytes)).toMatch(/program header table at 0x[0-9a-f]+ \(\d+ bytes\) extends past the end of the file/);
      const c = fresh();
      expect(rejection(c.bytes.slice(0, c.at.ph(2) + 4))).toMatch(/program header table .* past the end of the file/);
    });

    it('a section header table past the end of the file', () => {
      const b = fresh();
      expect(rejection(b.bytes.slice(0, b.bytes.length - 1))).toMatch(/section header table .* past the end of the file/);
      putWord(b.view, cls, eh.shoff, 2 ** 32 - 1);
      expect(rejection(b.bytes)).toMatch(/section header table at 0xffffffff .* past the end of the file/);
    });

    it('a segment file range past the end of the file', () => {
      const b = fresh();
      putWord(b.view, cls, b.at.ph(0) + ph.offset, b.bytes.length - 2);
      expect(rejection(b.bytes)).toMatch(/PT_LOAD segment 0 \(vaddr 0x11000\) file range .* extends past the end of the file/);
      const c = fresh();
      putWord(c.view, cls, c.at.ph(2) + ph.filesz, 0x7fff_0000);
      putWord(c.view, cls, c.at.ph(2) + ph.memsz, 0x7fff_0000);
      expect(rejection(c.bytes)).toMatch(/PT_LOAD segment 2 .* past the end of the file/);
    });

    it('filesz larger than memsz', () => {
      const b = fresh();
      putWord(b.view, cls, b.at.ph(0) + ph.memsz, 2);
      expect(rejection(b.bytes)).toMatch(/PT_LOAD segment 0 \(vaddr 0x11000\) has file size 0x4 larger than memory size 0x2/);
    });

    it('overlapping PT_LOAD segments', () => {
      const b = fresh();
      putWord(b.view, cls, b.at.ph(0) + ph.vaddr, 0x10004);
      expect(rejection(b.bytes)).toBe(
        'guest.elf: overlapping PT_LOAD segments [0x10000, 0x10008) and [0x10004, 0x10024)',
      );
    });

    it('absurd segment sizes and addresses', () => {
      if (cls === 64) {
        const b = fresh();
        putWord(b.view, cls, b.at.ph(0) + ph.memsz, 2 ** 40);
        expect(rejection(b.bytes)).toMatch(/PT_LOAD segment 0 .* absurd memory size 0x10000000000/);
        const c = fresh();
        putWord(c.view, cls, c.at.ph(0) + ph.vaddr, 2 ** 40 - 0x10);
        expect(rejection(c.bytes)).toMatch(/PT_LOAD segment 0 \(vaddr 0xfffffffff0\) with memory size 0x20 extends beyond 2\^40/);
        const d = fresh();
        d.view.setBigUint64(d.at.ph(0) + ph.vaddr, 0xffff_ffff_ffff_f000n, true);
        expect(rejection(d.bytes)).toMatch(/PT_LOAD segment 0 .* extends beyond 2\^40/);
      } else {
        const b = fresh();
        putWord(b.view, cls, b.at.ph(0) + ph.vaddr, 0xffff_fff0);
        expect(rejection(b.bytes)).toMatch(/extends past the end of the 32-bit address space/);
      }
    });

    it('more than 4096 program headers', () => {
      const b = fresh();
      b.view.setUint16(eh.phnum, 5000, true);
      expect(rejection(b.bytes)).toMatch(/too many program headers \(5000, limit 4096\)/);
      b.view.setUint16(eh.phnum, 0xffff, true);
      expect(rejection(b.bytes)).toMatch(/too many program headers \(extended numbering/);
    });

    it('entry size mismatches', () => {
      const b = fresh();
      b.view.setUint16(eh.phentsize, ph.size + 8, true);
      expect(rejection(b.bytes)).toMatch(new RegExp(`program header entry size ${ph.size + 8} does not match ELF${cls}`));
      const c = fresh();
      c.view.setUint16(eh.shentsize, 40 + 64 - sh.size, true);
      expect(rejection(c.bytes)).toMatch(/section header entry size \d+ does not match/);
      const d = fresh();
      putWord(d.view, cls, d.at.sh(1) + sh.entsize, 12);
      expect(rejection(d.bytes)).toMatch(new RegExp(`symbol table entry size 12 does not match ELF${cls} \\(expected ${SYMENT[cls]}\\)`));
      const e = fresh();
      putWord(e.view, cls, e.at.sh(1) + sh.size_, SYMENT[cls] * 3 + 1);
      expect(rejection(e.bytes)).toMatch(/symbol table size \d+ is not a multiple of its entry size/);
    });

    it('string table offsets out of range', () => {
      const b = fresh();
      b.view.setUint32(b.at.symtabOff + 2 * SYMENT[cls], 0x1000, true); // st_name of `_start`
      expect(rejection(b.bytes)).toMatch(/symbol 2 name offset 0x1000 is out of range of its string table/);
      const c = fresh();
      // Chop the string table's final NUL off: the last name is no longer terminated inside it.
      const strSize = cls === 32 ? c.view.getUint32(c.at.sh(2) + sh.size_, true) : Number(c.view.getBigUint64(c.at.sh(2) + sh.size_, true));
      putWord(c.view, cls, c.at.sh(2) + sh.size_, strSize - 1);
      expect(rejection(c.bytes)).toMatch(/symbol 4 name .* is not NUL-terminated/);
      const d = fresh();
      d.view.setUint32(d.at.sh(1) + sh.link, 9, true);
      expect(rejection(d.bytes)).toMatch(/string table index 9 is out of range/);
      const e = fresh();
      putWord(e.view, cls, e.at.sh(2) + sh.offset, e.bytes.length);
      expect(rejection(e.bytes)).toMatch(/string table \(section 2\) .* past the end of the file/);
      const f = fresh();
      f.view.setUint32(f.at.sh(1) + sh.link, 1, true);
      expect(rejection(f.bytes)).toMatch(/links section 1, which is not a string table/);
    });

    it('a file without PT_LOAD segments', () => {
      const spec = sample(cls);
      spec.segments = [{ type: PT_NOTE, vaddr: 0, flags: PF_R, data: new Uint8Array(4) }];
      expect(rejection(buildElf(spec).bytes)).toBe('guest.elf: no PT_LOAD segments');
      spec.segments = [];
      expect(rejection(buildElf(spec).bytes)).toMatch(/no PT_LOAD segments/);
      spec.segments = [{ vaddr: 0x10000, flags: PF_R | PF_X, data: new Uint8Array(0), memsz: 0 }];
      expect(rejection(buildElf(spec).bytes)).toBe('guest.elf: no PT_LOAD segments');
    });

    it('an entry point outside every executable segment', () => {
      expect(rejection(buildElf({ ...sample(cls), entry: 0x11000 }).bytes)).toBe(
        'guest.elf: entry point 0x11000 is not inside an executable segment',
      );
      expect(rejection(buildElf({ ...sample(cls), entry: 0x10008 }).bytes)).toMatch(/entry point 0x10008 is not inside/);
      expect(rejection(buildElf({ ...sample(cls), entry: 0 }).bytes)).toMatch(/entry point 0x0 is not inside/);
    });

    it('dynamically linked executables', () => {
      const interp = sample(cls);
      interp.segments.push({ type: PT_INTERP, vaddr: 0x12000, flags: PF_R, data: new TextEncoder().encode('/lib/ld.so\0') });
      expect(rejection(buildElf(interp).bytes)).toMatch(/^guest\.elf: dynamically linked executables are not supported \(program header 3 is PT_INTERP\)$/);
      const dyn = sample(cls);
      dyn.eType = 3;
      dyn.segments.push({ type: PT_DYNAMIC, vaddr: 0x12000, flags: PF_R, data: new Uint8Array(16) });
      expect(rejection(buildElf(dyn).bytes)).toMatch(/dynamically linked executables are not supported \(program header 3 is PT_DYNAMIC\)/);
    });

    it('symbol values at or above 2^40', () => {
      if (cls === 32) return; // ELF32 symbol values cannot get there
      const b = fresh();
      b.view.setBigUint64(b.at.symtabOff + 2 * SYMENT[cls] + 8, 0xffff_ffff_ffff_ffffn, true);
      expect(rejection(b.bytes)).toMatch(/symbol 2 \(_start\) has value 0x[0-9a-f]+ beyond 2\^40/);
    });
  });

  it('throws only ElfError for every truncation and for random corruption', () => {
    const good = buildElf(sample(cls)).bytes;
    const outcome = (bytes: Uint8Array): void => {
      try {
        parseElf(bytes, 'fuzz.elf');
      } catch (err) {
        if (!(err instanceof ElfError)) throw new Error(`non-ElfError for input ${Buffer.from(bytes).toString('hex')}: ${String(err)}`);
        expect(err.message).not.toContain('\n');
      }
    };
    for (let len = 0; len < good.length; len++) outcome(good.slice(0, len));
    // Deterministic xorshift so a failure reproduces.
    let seed = 0x9e3779b9;
    const rand = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    for (let round = 0; round < 3000; round++) {
      const bytes = good.slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      outcome(bytes);
    }
  });
});

describe('readElf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvr-elf-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it by the path as given', async () => {
    const path = join(dir, 'built.elf');
    writeFileSync(path, buildElf(sample(64)).bytes);
    const elf = await readElf(path);
    expect(elf.name).toBe(path);
    expect(elf.segments).toHaveLength(2);
  });

  it('reports a missing file as an ElfError naming the path', async () => {
    const path = join(dir, 'missing.elf');
    await expect(readElf(path)).rejects.toThrow(new ElfError(path, 'cannot read file (ENOENT)'));
  });

  it('reports malformed content with the path', async () => {
    const path = join(dir, 'text.elf');
    writeFileSync(path, 'not an elf');
    await expect(readElf(path)).rejects.toThrow(`${path}: not an ELF file (bad magic)`);
  });
});

// ---------------------------------------------------------------------------------------------
// Real toolchain output. The project set-up installs the cross compiler, so its absence is a
// failure with a message, not a skip.
// ---------------------------------------------------------------------------------------------

const CROSS_CC = 'riscv64-unknown-elf-gcc';

function findCrossCompiler(): string | undefined {
  try {
    execFileSync(CROSS_CC, ['--version'], { stdio: 'pipe' });
    return CROSS_CC;
  } catch {
    return undefined;
  }
}

describe('parseElf on riscv64-unknown-elf-gcc output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvr-elf-gcc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const source = join(dir, 'start.c');
  writeFileSync(
    source,
    [
      'volatile unsigned counter;',
      'unsigned table[4] = {1, 2, 3, 4};',
      'void _start(void) {',
      '  for (;;) counter += table[counter & 3];',
      '}',
      '',
    ].join('\n'),
  );

  const targets: { cls: ElfClass; march: string; mabi: string }[] = [
    { cls: 32, march: 'rv32im', mabi: 'ilp32' },
    { cls: 64, march: 'rv64im', mabi: 'lp64' },
  ];

  it.each(targets)('parses a freestanding $march/$mabi program', ({ cls, march, mabi }) => {
    const cc = findCrossCompiler();
    if (cc === undefined) {
      throw new Error(`${CROSS_CC} is not on PATH; install Debian's gcc-riscv64-unknown-elf (the project set-up does)`);
    }
    const out = join(dir, `start-${march}.elf`);
    execFileSync(cc, [`-march=${march}`, `-mabi=${mabi}`, '-O2', '-ffreestanding', '-nostdlib', '-nostartfiles', '-Wl,-e,_start', '-o', out, source], {
      stdio: 'pipe',
    });
    return readElf(out).then((elf: ElfFile) => {
      expect(elf.elfClass).toBe(cls);
      const start = elf.symbols.find((s) => s.name === '_start');
      expect(start, 'symbol _start').toBeDefined();
      expect(start?.type).toBe('func');
      expect(start?.global).toBe(true);
      expect(start?.value).toBe(elf.entry);
      expect(elf.symbols.find((s) => s.name === 'table')?.type).toBe('object');
      const text = elf.segments.find((s) => elf.entry >= s.vaddr && elf.entry < s.vaddr + s.memsz);
      expect(text && text.flags & PF_X).toBeTruthy();
      for (let i = 1; i < elf.segments.length; i++) {
        const prev = elf.segments[i - 1];
        expect(prev.vaddr + prev.memsz).toBeLessThanOrEqual(elf.segments[i].vaddr);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// DWARF line tables (debug info): every version gcc writes, compared with binutils' decoding;
// malformed tables are ignored with a warning, never an exception.
// ---------------------------------------------------------------------------------------------

const LINES_SOURCE = 'test/fixtures/debug/lines.c';

/** pc → [file basename, line] as riscv64-unknown-elf-readelf decodes the line table. */
function readelfLines(elfPath: string, elf: ElfFile): Map<number, [string, number]> {
  const text = execFileSync('riscv64-unknown-elf-readelf', ['-W', '--debug-dump=decodedline', elfPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const rows: [string, string, number][] = [];
  for (const l of text.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)/.exec(l);
    if (m) rows.push([m[1], m[2], parseInt(m[3], 16)]);
  }
  const code = elf.segments.filter((s) => s.flags & PF_X);
  const out = new Map<number, [string, number]>();
  for (let k = 0; k + 1 < rows.length; k++) {
    const [file, line, at] = rows[k];
    if (line === '-') continue;
    for (let pc = at; pc < rows[k + 1][2]; pc += 4) {
      if (!out.has(pc) && code.some((s) => pc >= s.vaddr && pc < s.vaddr + s.memsz)) out.set(pc, [file.split('/').pop()!, Number(line)]);
    }
  }
  return out;
}

/** Offset in the file of each line table unit's version field. */
function unitVersionOffsets(bytes: Uint8Array, elf: ElfFile): number[] {
  const line = elf.debug!.line!.bytes;
  const base = line.byteOffset - bytes.byteOffset;
  const view = new DataView(line.buffer, line.byteOffset, line.byteLength);
  const out: number[] = [];
  for (let at = 0; at < line.length; at += 4 + view.getUint32(at, true)) out.push(base + at + 4);
  return out;
}

describe('DWARF line table (readLineInfo)', () => {
  const variants = [
    { isa: 'rv32im' as const, flags: ['-g'], version: 5 },
    { isa: 'rv64im' as const, flags: ['-g'], version: 5 },
    { isa: 'rv64im' as const, flags: ['-gdwarf-4'], version: 4 },
    { isa: 'rv32im' as const, flags: ['-gdwarf-2'], version: 3 },
  ];

  it.each(variants)('$isa $flags (line table v$version): scale() is lines.c:5, every address as readelf decodes it', async ({ isa, flags, version }) => {
    const path = await fixtureElf(LINES_SOURCE, `lines-${flags.join('')}`, isa, flags);
    const bytes = readFileSync(path);
    const elf = parseElf(bytes, path);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // The program's own units (Debian's libgcc brings DWARF 5 units of its own).
    expect(unitVersionOffsets(bytes, elf).map((at) => view.getUint16(at, true))).toContain(version);
    const info = readLineInfo(elf);
    expect(info.warning).toBeUndefined();
    const scale = elf.symbols.find((s) => s.name === 'scale')!;
    expect(scale.size).toBeGreaterThan(0);
    const lines: number[] = [];
    for (let pc = scale.value; pc < scale.value + scale.size; pc += 4) {
      const loc = info.locations.get(pc);
      expect(loc?.file, `pc 0x${pc.toString(16)}`).toBe(LINES_SOURCE);
      lines.push(loc!.line);
    }
    expect(lines).toContain(5);
    expect(lines.every((l) => l >= 4 && l <= 6)).toBe(true);
    // Relative names only: the SDK under its mapped prefix, never the checkout or an absolute path.
    const files = new Set([...info.locations.values()].map((l) => l.file));
    expect([...files].some((f) => /(^|\/)guest\/src\/lib\.c$/.test(f))).toBe(true);
    for (const f of files) expect(f.startsWith('/') || f.includes(REPO_ROOT), f).toBe(false);
    // The same mapping as binutils, address by address.
    const expected = readelfLines(path, elf);
    const got = new Map([...info.locations].map(([pc, l]) => [pc, [l.file.split('/').pop()!, l.line] as [string, number]]));
    expect(got).toEqual(expected);
  });

  it('reads DWARF 2 units (the v3 layout with version 2) and zlib-compressed sections alike', async () => {
    const path = await fixtureElf(LINES_SOURCE, 'lines-gdwarf-2', 'rv32im', ['-gdwarf-2']);
    const bytes = new Uint8Array(readFileSync(path));
    const reference = readLineInfo(parseElf(bytes, path)).locations;
    const v2 = new Uint8Array(bytes);
    for (const at of unitVersionOffsets(v2, parseElf(v2, 'v2'))) {
      if (v2[at] === 3) v2[at] = 2;
    }
    const info2 = readLineInfo(parseElf(v2, 'v2.elf'));
    expect(info2.warning).toBeUndefined();
    expect(info2.locations).toEqual(reference);

    const gz = await fixtureElf(LINES_SOURCE, 'lines-gz', 'rv32im', ['-gdwarf-2', '-gz=zlib']);
    const gzElf = parseElf(readFileSync(gz), gz);
    expect(gzElf.debug?.line?.compressed).toBe(true);
    const infoGz = readLineInfo(gzElf);
    expect(infoGz.warning).toBeUndefined();
    expect(infoGz.locations).toEqual(reference);
  });

  it('gives nothing, without a warning, for an ELF without debug info', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rvr-dwarf-')), 'stripped.elf');
    execFileSync('riscv64-unknown-elf-objcopy', ['--strip-debug', await guestElf('hello', 'rv32im'), path]);
    const elf = parseElf(readFileSync(path), path);
    expect(elf.debug).toBeUndefined();
    const info = readLineInfo(elf);
    expect(info.locations.size).toBe(0);
    expect(info.warning).toBeUndefined();
  });

  it('ignores malformed line tables with one warning line, never an exception', async () => {
    const path = await fixtureElf(LINES_SOURCE, 'lines-g', 'rv64im', ['-g']);
    const good = new Uint8Array(readFileSync(path));
    const elf = parseElf(good, path);
    const reference = readLineInfo(elf).locations;
    const units = unitVersionOffsets(good, elf);

    // A unit of an unknown version is skipped; the others still count.
    const badVersion = new Uint8Array(good);
    new DataView(badVersion.buffer).setUint16(units[0], 9, true);
    const a = readLineInfo(parseElf(badVersion, 'bad.elf'));
    expect(a.warning).toMatch(/^bad\.elf: ignoring malformed debug line info: unit at offset 0x0: unsupported line table version 9$/);
    expect(a.locations.size).toBeGreaterThan(0);
    expect(a.locations.size).toBeLessThan(reference.size);

    // A unit length past the section: nothing after it can be read.
    const badLength = new Uint8Array(good);
    new DataView(badLength.buffer).setUint32(units[0] - 4, 0x7ffffff0, true);
    const b = readLineInfo(parseElf(badLength, 'bad.elf'));
    expect(b.warning).toMatch(/unit length \d+ runs past the section/);
    expect(b.locations.size).toBe(0);

    // A section header that points past the end of the file: parseElf still succeeds.
    const badSection = new Uint8Array(good);
    const dv = new DataView(badSection.buffer);
    const shoff = Number(dv.getBigUint64(40, true));
    const lineOffset = elf.debug!.line!.bytes.byteOffset - good.byteOffset;
    for (let i = 0; i < dv.getUint16(60, true); i++) {
      const at = shoff + i * 64;
      if (Number(dv.getBigUint64(at + 24, true)) === lineOffset) dv.setBigUint64(at + 32, 1n << 40n, true);
    }
    const parsed = parseElf(badSection, 'bad.elf');
    expect(parsed.segments.length).toBe(elf.segments.length);
    const c = readLineInfo(parsed);
    expect(c.warning).toMatch(/^bad\.elf: ignoring debug info: debug section \d+ extends past the end of the file$/);

    // Random corruption of the line table and its strings: never a throw, never an absolute path.
    const line = elf.debug!.line!.bytes;
    const lineStr = elf.debug!.lineStr!.bytes;
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const bad: string[] = [];
    let warned = 0;
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(good);
      const target = round % 3 === 2 ? lineStr : line;
      const base = target.byteOffset - good.byteOffset;
      for (let k = 0; k <= rand(8); k++) bytes[base + rand(target.length)] = rand(256);
      const info = readLineInfo(parseElf(bytes, 'fuzz.elf'));
      if (info.warning) warned++;
      if (info.warning?.includes('\n')) bad.push(`round ${round}: warning of several lines`);
      for (const l of info.locations.values()) {
        if (l.file.startsWith('/') || !(Number.isInteger(l.line) && l.line > 0)) bad.push(`round ${round}: ${l.file}:${l.line}`);
      }
    }
    expect(bad).toEqual([]);
    expect(warned).toBeGreaterThan(10); // the corruption did reach the reader
  });
});
