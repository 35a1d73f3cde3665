/**
 * The generated C project: a set of files (relative path → bytes) that is a pure function of
 * the ELF and the codegen options. No absolute paths, timestamps or host facts go in, so the
 * same inputs give byte-identical files.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ElfFile } from '../elf/types.js';
import { readLineInfo, type SourceLocation } from '../elf/dwarf.js';
import { brkLimit, defaultMemoryBits, initialBrk, initialSp, maxMemoryBits, MIN_MEMORY_BITS } from '../isa/abi.js';
import { lift, type LiftedProgram, type Region } from '../lift/cfg.js';
import { checkCostTable, DEFAULT_COST_TABLE, type CostTable } from '../isa/cost.js';
import { slotBytes } from '../isa/types.js';
import { emitHeader } from './header.js';
import { addLineDirectives } from './lines.js';
import { Meter, type CostWeights, type ExecutionMode } from './meter.js';
import { analyseRegionFlow, type RegionFlow } from '../lift/flow.js';
import { emitRegion, emitTail, entryFn, regionFn, tailFn, type EmitContext } from './region.js';
import { hex, kconst } from './semantics.js';
import { CODEGEN_VERSION } from './version.js';

export type { ExecutionMode } from './meter.js';
export const MODE_CODE: Record<ExecutionMode, number> = { pure: 0, metered: 1, metered_cost: 2 };

export interface CodegenOptions {
  mode?: ExecutionMode;
  /** The arena is 2^memoryBits bytes (default: 32 on RV32, 28 on RV64). */
  memoryBits?: number;
  /** Weights per instruction class (metered_cost only; compiled into the library; default DEFAULT_COST_TABLE). */
  costTable?: CostWeights;
  /** Upper bound of instructions per C source file (more files compile in parallel). */
  instructionsPerFile?: number;
  /**
   * Point the C of each guest instruction at its guest source line (`#line`), from the ELF's
   * DWARF line table when it has one. Off: the output is exactly what it is without this option.
   */
  debugInfo?: boolean;
}

export interface GeneratedFile {
  path: string;
  contents: string;
}

export interface GeneratedProject {
  files: GeneratedFile[];
  /** The C sources to compile (the rest are headers). */
  sources: string[];
  /** Things codegen ignored that a user may want to know (one line each): e.g. malformed debug info. */
  warnings?: string[];
  /** Sources on cold paths only (block tails): compiled for size and compile speed. */
  coldSources: string[];
  summary: {
    xlen: number;
    mode: ExecutionMode;
    memoryBits: number;
    instructions: number;
    undecodable: number;
    regions: number;
    blocks: number;
    /** The compiled-in cost table (metered_cost only), weights as decimal strings. */
    costTable?: Record<string, string>;
    /** With `debugInfo`: how many instructions carry a guest source line. */
    debugLines?: number;
  };
}

export class CodegenError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'CodegenError';
  }
}

/** Tables larger than this (slots between the lowest and highest code address) are refused. */
const MAX_TABLE_SLOTS = 1 << 24;

const ABI_HEADER = fileURLToPath(new URL('../../native/include/rvr/abi.h', import.meta.url));

export function generateProject(elf: ElfFile, options: CodegenOptions = {}): GeneratedProject {
  const xlen = elf.elfClass;
  const mode = options.mode ?? 'pure';
  const memoryBits = options.memoryBits ?? defaultMemoryBits(xlen);
  if (!Number.isInteger(memoryBits) || memoryBits < MIN_MEMORY_BITS || memoryBits > maxMemoryBits(xlen)) {
    throw new CodegenError(elf.name, `memory size 2^${memoryBits} is outside ${MIN_MEMORY_BITS}..${maxMemoryBits(xlen)} bits for RV${xlen}`);
  }
  if (!(mode in MODE_CODE)) throw new CodegenError(elf.name, `unknown execution mode '${mode}'`);
  const meter = new Meter(mode, mode === 'metered_cost' ? checkedCostTable(elf.name, options.costTable ?? DEFAULT_COST_TABLE) : undefined);
  const memSize = 2 ** memoryBits;
  for (const s of elf.segments) {
    if (s.vaddr + s.memsz > memSize - 4096) {
      throw new CodegenError(elf.name, `segment at ${hex(s.vaddr)}..${hex(s.vaddr + s.memsz)} does not fit in a 2^${memoryBits}-byte arena (raise memoryBits)`);
    }
  }
  const program = lift(elf);
  if (program.code.length === 0) throw new CodegenError(elf.name, 'no executable segment');
  const codeBase = program.code[0].start;
  const codeEnd = program.code[program.code.length - 1].end;
  const slot = slotBytes(program.isa);
  if ((codeEnd - codeBase) / slot > MAX_TABLE_SLOTS) {
    throw new CodegenError(elf.name, `executable segments span ${hex(codeEnd - codeBase)} bytes; at most ${hex(MAX_TABLE_SLOTS * slot)} is supported`);
  }
  if (initialBrk(elf.segments) > brkLimit(memoryBits)) {
    throw new CodegenError(elf.name, `program does not leave room for a stack in a 2^${memoryBits}-byte arena (raise memoryBits)`);
  }

  const regionStarts = new Set(program.regions.map((r) => r.start));
  const flows = new Map(program.regions.map((r) => [r.start, analyseRegionFlow(program.xlen, r, program.knownJalrTargets)]));
  const warnings: string[] = [];
  let locations: Map<number, SourceLocation> | undefined;
  if (options.debugInfo) {
    const info = readLineInfo(elf);
    if (info.warning) warnings.push(info.warning);
    if (info.locations.size > 0) locations = info.locations;
    else if (!info.warning) warnings.push(`${elf.name}: no DWARF line info for its code (build the guest with -g); no #line directives`);
  }
  const withLines = (path: string, contents: string): string =>
    locations ? addLineDirectives(path, contents, (pc) => locations!.get(pc)).contents : contents;
  const ctx: EmitContext = { program, memoryBits, regionStarts, meter, flows, ...(locations ? { markBlocks: true } : {}) };
  const declarations: string[] = [];
  for (const r of program.regions) {
    declarations.push(`RVR_HIDDEN uint64_t ${regionFn(r.start)}(rvr_state *s, uint64_t pc);`);
    if (flows.get(r.start)!.entryPoints.size > 0) declarations.push(`RVR_HIDDEN uint64_t ${entryFn(r.start)}(rvr_state *s, uint64_t pc);`);
    for (const b of r.blocks) declarations.push(`RVR_HIDDEN uint64_t ${tailFn(b.start)}(rvr_state *s, uint64_t pc);`);
  }

  const files: GeneratedFile[] = [];
  const sources: string[] = [];
  const coldSources: string[] = [];
  const add = (path: string, contents: string, source: boolean, cold = false): void => {
    files.push({ path, contents });
    if (source) sources.push(path);
    if (cold) coldSources.push(path);
  };
  add('rvr_abi.h', readFileSync(ABI_HEADER, 'utf8'), false);
  add(
    'rvr_gen.h',
    emitHeader({ xlen, memoryBits, codeBase, codeSpan: codeEnd - codeBase, slotBytes: slot, declarations }),
    false,
  );

  // Region functions and tails, split into files of bounded size so they compile in parallel.
  const perFile = options.instructionsPerFile ?? 3000;
  const groups = groupRegions(program.regions, perFile);
  groups.forEach((group, k) => {
    const parts = group.map((r) => emitRegion(ctx, r));
    add(`code_${k}.c`, withLines(`code_${k}.c`, cFile(`Region functions ${k}: guest code with registers in C locals.`, parts)), true);
    const tails = group.flatMap((r) => r.blocks.map((b) => emitTail(ctx, b)));
    add(`tail_${k}.c`, withLines(`tail_${k}.c`, cFile(`Block tails ${k}: entry at any instruction, registers in the state.`, tails)), true, true);
  });

  add('table.c', cFile(`Dispatch table: one entry per ${slot}-byte code slot.`, [emitTable(program, flows, codeBase, codeEnd)]), true);
  add('image.c', cFile('Initial memory image (the loaded segments).', [emitImage(elf)]), true);
  add(
    'program.c',
    cFile('Program descriptor and the run loop.', [emitProgram(elf, program, mode, memoryBits, meter)]),
    true,
  );

  return {
    files,
    sources,
    coldSources,
    ...(warnings.length ? { warnings } : {}),
    summary: {
      xlen,
      mode,
      memoryBits,
      instructions: program.instructionCount,
      undecodable: program.undecodable,
      regions: program.regions.length,
      blocks: program.regions.reduce((n, r) => n + r.blocks.length, 0),
      ...(meter.weights ? { costTable: costTableText(meter.weights) } : {}),
      ...(options.debugInfo ? { debugLines: countMapped(program, locations) } : {}),
    },
  };
}

/** Instructions of the program that have a guest source location. */
function countMapped(program: LiftedProgram, locations: Map<number, SourceLocation> | undefined): number {
  if (!locations) return 0;
  let n = 0;
  for (const r of program.regions) for (const b of r.blocks) for (const s of b.slots) if (locations.has(s.pc)) n++;
  return n;
}

/** Weights compiled into C are at most 2^32 - 1, so block sums and the running cost stay far from 2^64. */
const MAX_COMPILED_WEIGHT = 0xffffffffn;

function checkedCostTable(file: string, t: CostTable): CostTable {
  try {
    checkCostTable(t);
  } catch (e) {
    throw new CodegenError(file, (e as Error).message);
  }
  for (const [k, v] of Object.entries(t)) {
    if (v > MAX_COMPILED_WEIGHT) throw new CodegenError(file, `cost table: weight of ${k} (${v}) is above 2^32-1`);
  }
  return t;
}

function costTableText(weights: CostWeights): Record<string, string> {
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, (v as bigint).toString()]));
}

function cFile(title: string, parts: string[]): string {
  return `/* Generated by rvr ${CODEGEN_VERSION}. ${title} */\n#include "rvr_gen.h"\n\n${parts.join('\n\n')}\n`;
}

function groupRegions(regions: Region[], perFile: number): Region[][] {
  const groups: Region[][] = [];
  let cur: Region[] = [];
  let size = 0;
  for (const r of regions) {
    const n = r.blocks.reduce((k, b) => k + b.slots.length + b.alt.length, 0);
    if (cur.length > 0 && size + n > perFile) {
      groups.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(r);
    size += n;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

function emitTable(program: LiftedProgram, flows: Map<number, RegionFlow>, codeBase: number, codeEnd: number): string {
  const slot = slotBytes(program.isa);
  const entries: string[] = new Array((codeEnd - codeBase) / slot).fill('rvr_fetch_fault');
  for (const r of program.regions) {
    for (const b of r.blocks) {
      for (const s of b.slots) entries[(s.pc - codeBase) / slot] = tailFn(b.start);
      for (const s of b.alt) entries[(s.pc - codeBase) / slot] = tailFn(b.start);
    }
  }
  // Region and loop-header entries win over tails (a block's last 4-byte instruction may
  // overlap the next function's first halfword when the sweep resynchronised there).
  for (const r of program.regions) {
    entries[(r.start - codeBase) / slot] = regionFn(r.start);
    for (const h of flows.get(r.start)!.entryPoints) entries[(h - codeBase) / slot] = entryFn(r.start);
  }
  const lines: string[] = [];
  for (let k = 0; k < entries.length; k += 4) lines.push('  ' + entries.slice(k, k + 4).join(', ') + ',');
  return `__attribute__((unused)) static uint64_t rvr_fetch_fault(rvr_state *s, uint64_t pc) { return rvr_bad_target(s, pc); }

RVR_HIDDEN const rvr_code_fn rvr_code_table[] = {
${lines.join('\n')}
};`;
}

function emitImage(elf: ElfFile): string {
  const out: string[] = [];
  elf.segments.forEach((s, k) => {
    if (s.filesz === 0) {
      out.push(`RVR_HIDDEN const uint8_t rvr_seg${k}[1] = {0};`);
      return;
    }
    const lines: string[] = [];
    for (let o = 0; o < s.filesz; o += 16) {
      const row: string[] = [];
      for (let j = o; j < Math.min(o + 16, s.filesz); j++) row.push(String(s.data[j]));
      lines.push(row.join(','));
    }
    out.push(`RVR_HIDDEN const uint8_t rvr_seg${k}[${s.filesz}] = {\n${lines.join(',\n')}\n};`);
  });
  return out.join('\n\n');
}

function emitProgram(elf: ElfFile, program: LiftedProgram, mode: ExecutionMode, memoryBits: number, meter: Meter): string {
  const xlen = program.xlen;
  const segs = elf.segments.map(
    (s, k) => `  { ${kconst(64, s.vaddr)}, ${kconst(64, s.filesz)}, ${kconst(64, s.memsz)}, rvr_seg${k}, ${s.flags}u, 0u },`,
  );
  const metadata = JSON.stringify({
    codegenVersion: CODEGEN_VERSION,
    isa: `rv${xlen}im${program.isa.compressed ? 'c' : ''}`,
    xlen,
    mode,
    memoryBits,
    entry: hex(elf.entry),
    instructions: program.instructionCount,
    ...(meter.weights ? { costTable: costTableText(meter.weights) } : {}),
  });
  // The fingerprint is known only after the project is hashed, so it comes in as a macro.
  const metaPrefix = JSON.stringify(metadata.slice(0, -1) + ',"fingerprint":"');
  return `#ifndef RVR_FINGERPRINT
#define RVR_FINGERPRINT ""
#endif
#ifndef RVR_FINGERPRINT_FIELDS
#define RVR_FINGERPRINT_FIELDS ""
#endif

${elf.segments.map((s, k) => `extern RVR_HIDDEN const uint8_t rvr_seg${k}[${Math.max(1, s.filesz)}];`).join('\n')}

RVR_HIDDEN uint64_t rvr_trap(rvr_state *s, uint32_t cause, uint64_t pc, uint64_t value) {
  s->status = RVR_TRAPPED;
  s->trap_cause = cause;
  s->trap_pc = pc;
  s->trap_value = value;
  s->pc = pc;
  return RVR_STOP;
}

/* A limit reached: stop before the instruction at pc. */
RVR_HIDDEN uint64_t rvr_stop(rvr_state *s, uint32_t status, uint64_t pc) {
  s->status = status;
  s->pc = pc;
  return RVR_STOP;
}

/* A jump outside the executable segments: the fetch faults at the target. */
RVR_HIDDEN uint64_t rvr_bad_target(rvr_state *s, uint64_t pc) {
  return rvr_trap(s, (pc & RVR_FETCH_MASK) ? RVR_TRAP_MISALIGNED_FETCH : RVR_TRAP_FETCH_FAULT, pc, pc);
}

${meter.runLoop()}

static const rvr_segment rvr_segments[] = {
${segs.join('\n')}
};

__attribute__((visibility("default"))) const uint32_t rvr_abi_version = RVR_ABI_VERSION;

/* The named inputs of the fingerprint (base64 JSON), so \`rvr explain\` can tell two builds apart. */
__attribute__((visibility("default"))) const char rvr_fingerprint_fields[] = "RVR-FINGERPRINT-FIELDS:" RVR_FINGERPRINT_FIELDS;

__attribute__((visibility("default"))) const rvr_program rvr_program_desc = {
  RVR_ABI_VERSION,
  ${xlen}u,
  ${memoryBits}u,
  ${MODE_CODE[mode]}u,
  ${kconst(64, elf.entry)},
  ${kconst(64, initialSp(memoryBits))},
  ${kconst(64, initialBrk(elf.segments))},
  ${kconst(64, brkLimit(memoryBits))},
  ${elf.segments.length}u,
  ${meter.counterWords}u,
  rvr_segments,
  ${metaPrefix} RVR_FINGERPRINT "\\"}",
  rvr_run,
};`;
}
