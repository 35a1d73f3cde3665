/**
 * Lifting: from the executable segments of an ELF to regions and basic blocks.
 *
 * Every slot of every executable segment is translated (static recompilation of the whole
 * text, so an indirect jump to any instruction works). A slot is every 4-byte aligned address,
 * or, with the C extension, every even address: the instruction stream is then decoded by a
 * linear sweep that restarts at every known code address (segment starts, function symbols,
 * the entry), and the even addresses inside a 4-byte instruction of that stream are
 * "alternate" slots (a jump into the middle of an instruction runs what decodes there, one
 * instruction at a time, as the hardware would). Slots are grouped into:
 *  - blocks: straight-line runs that end at a control transfer, an ecall, a trap, or the next
 *    leader;
 *  - regions: runs of blocks that become one C function, with guest registers in C locals and
 *    branches as gotos. Regions start at function symbols, the entry point and call targets,
 *    so loops stay inside one function where the C compiler can optimise them.
 * A region is entered at its first instruction or, through its twin, at one of its loop
 * headers (src/lift/flow.ts). Any other pc reached from outside is run by the block's "tail" (the rest
 * of the block, registers in memory), after which control is back at a leader.
 */
import type { ElfFile } from '../elf/types.js';
import { EF_RISCV_RVC, PF_X } from '../elf/types.js';
import { controlKind, decode } from '../isa/decode.js';
import { slotBytes, type Instr, type IsaOptions, type Xlen } from '../isa/types.js';

export interface Slot {
  pc: number;
  /** The encoding (a halfword for compressed and undecodable 16-bit slots). */
  raw: number;
  /** Bytes to the next instruction of the stream (2 or 4). */
  len: 2 | 4;
  /** Undefined when the word does not decode: executing it is an illegal-instruction trap. */
  instr: Instr | undefined;
}

export interface Block {
  start: number;
  /** Address after the last slot. */
  end: number;
  slots: Slot[];
  /** Alternate slots: even addresses inside this block's 4-byte instructions (C only). */
  alt: Slot[];
}

export interface Region {
  start: number;
  end: number;
  blocks: Block[];
  /** Leaders inside this region that an indirect jump may target (jump tables). */
  indirectTargets: number[];
}

export interface CodeRange {
  start: number;
  end: number;
}

export interface LiftedProgram {
  xlen: Xlen;
  /** The decoder's options (from the ELF's e_flags). */
  isa: IsaOptions;
  entry: number;
  /** Executable segments, sorted. */
  code: CodeRange[];
  regions: Region[];
  /**
   * Statically known targets of jalr (from an auipc/lui immediately before it in the same block),
   * keyed by the jalr's pc.
   */
  knownJalrTargets: Map<number, number>;
  /** Number of slots that do not decode (they trap if reached). */
  undecodable: number;
  /** Instructions of the stream (primary slots). */
  instructionCount: number;
  /** Alternate slots (mid-instruction entries, C only). */
  alternateCount: number;
}

export interface LiftOptions {
  /** Regions larger than this many instructions are split at a leader (compile-time bound). */
  maxRegionInstructions?: number;
  /** Blocks longer than this are cut (bounds tail functions and lets regions split). */
  maxBlockInstructions?: number;
}

const readU32 = (d: Uint8Array, o: number): number =>
  (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;

export function lift(elf: ElfFile, options: LiftOptions = {}): LiftedProgram {
  const xlen = elf.elfClass;
  const maxRegion = options.maxRegionInstructions ?? 2000;
  const maxBlock = options.maxBlockInstructions ?? 128;
  const isa: IsaOptions = { compressed: (elf.flags & EF_RISCV_RVC) !== 0 };
  const slot = slotBytes(isa);
  const code: CodeRange[] = [];
  /** The instruction stream: primary slots, in address order per code range. */
  const slots = new Map<number, Slot>();
  const stream: Slot[][] = [];
  const fetch: ((pc: number) => Slot)[] = [];
  // Known code addresses the C sweep restarts at (a 4-byte instruction never hides one).
  const anchors = new Set<number>([elf.entry]);
  for (const sym of elf.symbols) if (sym.type === 'func') anchors.add(sym.value);
  for (const seg of [...elf.segments].sort((a, b) => a.vaddr - b.vaddr)) {
    if (!(seg.flags & PF_X)) continue;
    // Only whole, aligned slots inside the segment are instructions (the interpreter agrees).
    const start = Math.ceil(seg.vaddr / slot) * slot;
    const end = Math.floor((seg.vaddr + seg.memsz) / slot) * slot;
    if (end <= start) continue;
    code.push({ start, end });
    const at = (pc: number): Slot => {
      const off = pc - seg.vaddr;
      // Bytes beyond filesz are zero in memory; all-zero is an illegal instruction.
      let raw = 0;
      for (let b = 0; b < 4; b++) {
        const o = off + b;
        if (o >= 0 && o < seg.filesz) raw |= seg.data[o] << (8 * b);
      }
      raw >>>= 0;
      const half = isa.compressed && (raw & 3) !== 3;
      return { pc, raw: half ? raw & 0xffff : raw, len: half ? 2 : 4, instr: decode(raw, xlen, isa) };
    };
    fetch.push(at);
    const list: Slot[] = [];
    for (let pc = start; pc < end; ) {
      const s = at(pc);
      slots.set(pc, s);
      list.push(s);
      let next = pc + s.len;
      if (s.len === 4 && isa.compressed && anchors.has(pc + 2)) next = pc + 2;
      pc = next;
    }
    stream.push(list);
  }
  const inCode = (a: number): boolean => a % slot === 0 && slots.has(a);

  const leaders = new Set<number>();
  const regionStarts = new Set<number>();
  const dataTargets = new Set<number>();
  const knownJalrTargets = new Map<number, number>();

  const addRegionStart = (a: number): void => {
    if (inCode(a)) {
      regionStarts.add(a);
      leaders.add(a);
    }
  };
  addRegionStart(elf.entry);
  for (const r of code) addRegionStart(r.start);
  for (const sym of elf.symbols) if (sym.type === 'func') addRegionStart(sym.value);

  // Leaders from control flow, and jalr targets made static by a preceding auipc/lui.
  let undecodable = 0;
  const mask = xlen === 64 ? 0xffffffffffffffffn : 0xffffffffn;
  const wrap = (v: bigint): number => Number(BigInt.asUintN(xlen, v) & mask);
  for (const list of stream) {
    // Constants known in registers since the last leader-ish boundary (only one step back).
    let prev: Slot | undefined;
    for (const s of list) {
      const pc = s.pc;
      const i = s.instr;
      if (!i) {
        undecodable++;
        leaders.add(pc + s.len);
        prev = undefined;
        continue;
      }
      const kind = controlKind(i);
      if (kind === 'branch') {
        leaders.add(pc + i.imm);
        leaders.add(pc + s.len);
      } else if (kind === 'jal') {
        const t = wrap(BigInt(pc) + BigInt(i.imm));
        if (i.rd !== 0) addRegionStart(t);
        else leaders.add(t);
        leaders.add(pc + s.len);
      } else if (kind === 'jalr') {
        const p = prev?.instr;
        if (p && (p.op === 'auipc' || p.op === 'lui') && p.rd === i.rs1 && p.rd !== 0) {
          const base = p.op === 'auipc' ? BigInt(prev!.pc) + BigInt(p.imm) : BigInt(p.imm);
          const t = wrap(base + BigInt(i.imm)) & ~1;
          knownJalrTargets.set(pc, t);
          if (i.rd !== 0) addRegionStart(t);
          else leaders.add(t);
        }
        leaders.add(pc + s.len);
      } else if (kind === 'ecall' || kind === 'trap') {
        leaders.add(pc + s.len);
      } else if (i.op === 'addi' || i.op === 'addiw') {
        // lui/auipc + addi materialising a code address: a function pointer or label.
        const p = prev?.instr;
        if (p && (p.op === 'auipc' || p.op === 'lui') && p.rd === i.rs1 && p.rd !== 0) {
          const base = p.op === 'auipc' ? BigInt(prev!.pc) + BigInt(p.imm) : BigInt(p.imm);
          const t = wrap(base + BigInt(i.imm));
          if (inCode(t)) {
            addRegionStart(t);
            dataTargets.add(t);
          }
        }
      }
      prev = s;
    }
  }

  // Code addresses stored in data (jump tables, function pointer tables): any aligned word
  // that points at an instruction slot may be an indirect target.
  // Jump tables hold 32-bit entries on RV64 too, packed side by side, so every aligned 32-bit
  // word is a candidate (a 64-bit pointer's low half is one as well).
  for (const seg of elf.segments) {
    for (let o = (4 - (seg.vaddr & 3)) & 3; o + 4 <= seg.filesz; o += 4) {
      const w = readU32(seg.data, o);
      if (inCode(w)) dataTargets.add(w);
    }
  }
  for (const t of dataTargets) leaders.add(t);

  // Blocks and regions, in address order within each code range.
  const regions: Region[] = [];
  for (const list of stream) {
    let region: Region | undefined;
    let block: Block | undefined;
    let regionInstrs = 0;
    for (const s of list) {
      const pc = s.pc;
      const startsRegion = regionStarts.has(pc) || (regionInstrs >= maxRegion && leaders.has(pc));
      if (!region || startsRegion) {
        region = { start: pc, end: pc, blocks: [], indirectTargets: [] };
        regions.push(region);
        block = undefined;
        regionInstrs = 0;
      }
      if (!block || leaders.has(pc) || block.slots.length >= maxBlock) {
        if (block && !leaders.has(pc)) leaders.add(pc); // a cut: the next block starts here
        block = { start: pc, end: pc, slots: [], alt: [] };
        region.blocks.push(block);
      }
      block.slots.push(s);
      block.end = pc + s.len;
      region.end = pc + s.len;
      regionInstrs++;
      if (endsBlock(s)) block = undefined;
    }
  }
  for (const region of regions) {
    for (const b of region.blocks) if (dataTargets.has(b.start)) region.indirectTargets.push(b.start);
  }
  // The middle of each 4-byte instruction of the stream (C only).
  let alternates = 0;
  if (isa.compressed) {
    for (const region of regions) {
      const ci = code.findIndex((c) => region.start >= c.start && region.start < c.end);
      const at = fetch[ci];
      for (const b of region.blocks) {
        for (const s of b.slots) {
          const mid = s.pc + 2;
          if (s.len === 4 && !slots.has(mid) && mid < code[ci].end) {
            b.alt.push(at(mid));
            alternates++;
          }
        }
      }
    }
  }

  return {
    xlen,
    isa,
    entry: elf.entry,
    code,
    regions,
    knownJalrTargets,
    undecodable,
    instructionCount: slots.size,
    alternateCount: alternates,
  };
}

/** True when nothing after this slot runs as part of the same block. */
export function endsBlock(s: Slot): boolean {
  if (!s.instr) return true;
  return controlKind(s.instr) !== 'none';
}
