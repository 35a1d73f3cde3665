/**
 * C functions for one region: the fast region function (guest registers in C locals, branches
 * as gotos, guest calls as nested host calls) and one tail function per block (registers in the
 * state; entered at any instruction of the block by the dispatcher).
 */
import { controlKind } from '../isa/decode.js';
import { formatInstr } from '../isa/disasm.js';
import { slotBytes, type Instr, type Xlen } from '../isa/types.js';
import type { Block, LiftedProgram, Region, Slot } from '../lift/cfg.js';
import type { RegionFlow } from '../lift/flow.js';
import { guardCondition, planBlockGuard } from './guard.js';
import type { Meter } from './meter.js';
import { sext32Facts } from './sext.js';
import { branchCondition, emitSimple, hex, kconst, touchesMemory, type RegAccess } from './semantics.js';

export const regionFn = (start: number): string => `rvr_r_${start.toString(16)}`;
/** The region function's twin, entered at a loop header (only for regions with loops). */
export const entryFn = (start: number): string => `rvr_e_${start.toString(16)}`;
const bodyFn = (start: number): string => `rvr_b_${start.toString(16)}`;
export const tailFn = (start: number): string => `rvr_t_${start.toString(16)}`;
const label = (pc: number): string => `L_${pc.toString(16)}`;

/** Self-loops of up to UNROLL_MAX_BLOCK instructions are unrolled UNROLL times (one budget test per UNROLL runs). */
const UNROLL = 4;
const UNROLL_MAX_BLOCK = 16;

export interface EmitContext {
  program: LiftedProgram;
  memoryBits: number;
  /** Region start addresses: targets that have a region function. */
  regionStarts: Set<number>;
  meter: Meter;
  /** Control flow of each region (by start). */
  flows: Map<number, RegionFlow>;
  /** Mark every block start, labelled or not, with {@link blockMark} (for lines.ts). */
  markBlocks?: boolean;
}

/** The comment before each guest instruction's C; lines.ts finds instructions by {@link INSTRUCTION_COMMENT}. */
export const INSTRUCTION_COMMENT = /^\s*(?:case \d+:; )?\/\* 0x([0-9a-f]+): .* \*\/$/;
export const blockMark = (pc: number): string => `/* block ${hex(pc)} */`;

function comment(s: Slot): string {
  const text = s.instr ? formatInstr(s.instr, s.pc) : `.word ${hex(s.raw)} (does not decode)`;
  return `/* ${hex(s.pc)}: ${text} */`;
}

/** Whether a static jump target traps as a misaligned fetch (never with C: targets are even). */
function misalignedTarget(program: LiftedProgram): (t: number) => boolean {
  const mask = program.isa.compressed ? 1 : 3;
  return (t) => (t & mask) !== 0;
}

/** The static target of a direct branch or jump. */
function staticTarget(xlen: Xlen, pc: number, i: Instr): number {
  return Number(BigInt.asUintN(xlen, BigInt(pc) + BigInt(i.imm)));
}

export function emitRegion(ctx: EmitContext, region: Region): string {
  const { xlen } = ctx.program;
  const misaligned = misalignedTarget(ctx.program);
  // Registers are recorded as the body is emitted; flush/reload lists are filled in after.
  const usedRegs = new Set<number>();
  const writtenRegs = new Set<number>();
  const flush = '@FLUSH@';
  const reload = '@RELOAD@';
  const blockStarts = new Set(region.blocks.map((b) => b.start));
  const inRegion = (t: number): boolean => blockStarts.has(t);
  const usedLabels = new Set<number>();
  // The block and slot being emitted (a trap takes back the rest of its block's count).
  let curBlock: Block | undefined;
  let curSlot = 0;
  // Inside an unrolled self-loop: whole copies after the current one, counted but not yet run.
  let copiesAhead = 0;
  let usesOut = false;
  let usesTrap = false;
  let usesMemory = false;

  const access: RegAccess = {
    xlen,
    memoryBits: ctx.memoryBits,
    get: (n) => (n === 0 ? '(ureg)0' : `x${n}`),
    set: (n, e) => {
      if (n === 0 || e === `x${n}`) return ''; // x0 ignores writes; mv a5, a5 is a no-op
      return `x${n} = ${e};`;
    },
    trap: (cause, pc, value) => {
      usesTrap = true;
      return `{ ${ctx.meter.trapAdjust(curBlock!, curSlot)} ${ctx.meter.giveBack(curBlock!, copiesAhead)} tcause = ${cause}; tpc = ${kconst(64, pc)}; tval = ${value}; goto trap; }`;
    },
  };
  const flow = ctx.flows.get(region.start)!;
  // Counters of blocks in innermost loops that do not call out live in C locals (meter.ts).
  const loopOf = new Map<number, Set<number>>();
  if (ctx.meter.classes) for (const l of flow.innermostLoops) if (!l.callsOut) for (const b of l.blocks) loopOf.set(b, l.blocks);
  const localCounters = ctx.meter.beginRegion(region.blocks.filter((b) => loopOf.has(b.start)));
  /** Statements for the edge from the current block to t: its loop's local counters go to memory when t is outside. */
  const leaveLoop = (t: number): string => {
    const l = curBlock && loopOf.get(curBlock.start);
    return l && !l.has(t) ? ctx.meter.flushLocals(l) : '';
  };
  const jump = (t: number): string => {
    if (inRegion(t)) {
      usedLabels.add(t);
      const leave = leaveLoop(t);
      return leave ? `{ ${leave} goto ${label(t)}; }` : `goto ${label(t)};`;
    }
    usesOut = true;
    return `{ npc = ${kconst(64, t)}; goto out; }`;
  };
  const jumpDynamic = (t: string): string => {
    usesOut = true;
    return `{ npc = ${t}; goto out; }`;
  };
  /** A guest call: nested host call, so the return continues here with registers in locals. */
  const call = (pc: number, i: Instr, target: number | undefined, targetExpr: string): string => {
    const ret = pc + i.len;
    const direct = target !== undefined && ctx.regionStarts.has(target);
    const enter = direct ? `${regionFn(target!)}(s, ${kconst(64, target!)})` : `rvr_dispatch(s, ${targetExpr})`;
    let resume: string;
    if (inRegion(ret)) {
      usedLabels.add(ret);
      resume = `${reload} goto ${label(ret)};`;
    } else {
      resume = 'return r;';
    }
    usesOut = true;
    return [
      `${access.set(i.rd, kconst(xlen, ret))}`,
      `if (RVR_LIKELY(RVR_CAN_NEST(s))) {`,
      `  uint64_t r;`,
      `  ${flush}`,
      `  r = ${enter};`,
      `  while (r != ${kconst(64, ret)} && r != RVR_STOP) r = rvr_dispatch(s, r);`,
      `  if (r == RVR_STOP) return RVR_STOP;`,
      `  ${resume}`,
      `}`,
      `npc = ${targetExpr}; goto out;`,
    ].join('\n    ');
  };

  const insnReach = flow.reach((b) => ctx.meter.blockInsns(b));
  const body: string[] = [];
  for (let bi = 0; bi < region.blocks.length; bi++) {
    const b = region.blocks[bi];
    const next = region.blocks[bi + 1];
    body.push(`@label ${b.start}`);
    curBlock = b;
    const reach = flow.checkPoints.has(b.start) ? insnReach.get(b.start)! : undefined;
    const last = b.slots[b.slots.length - 1].instr;
    if (
      reach !== undefined &&
      last &&
      controlKind(last) === 'branch' &&
      staticTarget(xlen, b.slots[b.slots.length - 1].pc, last) === b.start &&
      b.slots.length <= UNROLL_MAX_BLOCK
    ) {
      // A small loop of one block: while the budget allows UNROLL runs, count them with one test.
      usedLabels.add(b.start);
      const guard = planBlockGuard(b.slots, UNROLL, xlen, ctx.memoryBits);
      const sext = sext32Facts(b.slots, UNROLL);
      const inBounds = guardCondition(guard, access.get);
      const test = ctx.meter.unrolledTest(b, UNROLL, reach) + (inBounds ? ` && ${inBounds}` : '');
      body.push(`  if (RVR_LIKELY(${test})) {`);
      body.push(`    ${ctx.meter.countCopies(b, UNROLL)}`);
      for (let copy = 0; copy < UNROLL; copy++) {
        copiesAhead = UNROLL - 1 - copy;
        for (const [k, s] of b.slots.entries()) {
          curSlot = k;
          const i = s.instr;
          body.push(`    ${comment(s)}`);
          if (!i) throw new Error(`emitter: a self-loop ends in a branch, yet ${hex(s.pc)} does not decode`);
          if (touchesMemory(i)) usesMemory = true;
          if (k < b.slots.length - 1) {
            const simple = emitSimple(i, s.pc, access, { inBounds: guard.covered.has(copy * b.slots.length + k), sext32: sext[copy * b.slots.length + k] });
            if (simple === undefined) throw new Error(`emitter: control transfer inside block at ${hex(s.pc)}`);
            if (simple) body.push(`    ${simple}`);
          } else if (copy < UNROLL - 1) {
            body.push(`    if (!(${branchCondition(i, access)})) { ${ctx.meter.giveBack(b, copiesAhead)} ${jump(b.end)} }`);
          } else {
            body.push(`    if (${branchCondition(i, access)}) goto ${label(b.start)};`);
            body.push(`    ${jump(b.end)}`);
          }
        }
      }
      copiesAhead = 0;
      body.push(`  }`);
    }
    const guard = planBlockGuard(b.slots, 1, xlen, ctx.memoryBits);
    const sext = sext32Facts(b.slots, 1);
    for (const line of ctx.meter.blockPrologue(
      b,
      `slowfn = ${tailFn(b.start)}; npc = ${kconst(64, b.start)}; goto slow;`,
      reach,
      guardCondition(guard, access.get),
    )) {
      body.push(`  ${line}`);
    }
    let fallsThrough = true;
    for (const [k, s] of b.slots.entries()) {
      curSlot = k;
      body.push(`  ${comment(s)}`);
      const i = s.instr;
      if (!i) {
        body.push(`  ${access.trap('RVR_TRAP_ILLEGAL_INSTRUCTION', s.pc, kconst(64, s.raw))}`);
        fallsThrough = false;
        continue;
      }
      if (touchesMemory(i)) usesMemory = true;
      const simple = emitSimple(i, s.pc, access, { inBounds: guard.covered.has(k), sext32: sext[k] });
      if (simple !== undefined) {
        if (simple) body.push(`  ${simple}`);
        continue;
      }
      switch (controlKind(i)) {
        case 'branch': {
          const t = staticTarget(xlen, s.pc, i);
          const taken = misaligned(t) ? access.trap('RVR_TRAP_MISALIGNED_FETCH', s.pc, kconst(64, t)) : jump(t);
          body.push(`  if (${branchCondition(i, access)}) ${taken}`);
          break;
        }
        case 'jal': {
          const t = staticTarget(xlen, s.pc, i);
          if (misaligned(t)) {
            body.push(`  ${access.trap('RVR_TRAP_MISALIGNED_FETCH', s.pc, kconst(64, t))}`);
          } else if (i.rd === 0) {
            body.push(`  ${jump(t)}`);
          } else {
            body.push(`  ${call(s.pc, i, t, kconst(64, t))}`);
          }
          fallsThrough = false;
          break;
        }
        case 'jalr': {
          const known = ctx.program.knownJalrTargets.get(s.pc);
          body.push(`  {`);
          body.push(`    uint64_t t = (uint64_t)((${access.get(i.rs1)} + ${kconst(xlen, i.imm)}) & ~(ureg)1);`);
          if (!ctx.program.isa.compressed) body.push(`    if (RVR_UNLIKELY(t & 2)) ${access.trap('RVR_TRAP_MISALIGNED_FETCH', s.pc, 't')}`);
          if (i.rd !== 0) {
            body.push(`    ${call(s.pc, i, known, 't')}`);
          } else if (known !== undefined && inRegion(known)) {
            body.push(`    ${jump(known)}`);
          } else if (region.indirectTargets.length > 0 && !(i.rs1 === 1 && i.imm === 0)) {
            // A jump table inside this function: stay in the region's locals.
            body.push(`    switch (t) {`);
            for (const tt of region.indirectTargets) body.push(`    case ${kconst(64, tt)}: ${jump(tt)}`);
            body.push(`    default: ${jumpDynamic('t')}`);
            body.push(`    }`);
          } else {
            body.push(`    ${jumpDynamic('t')}`);
          }
          body.push(`  }`);
          fallsThrough = false;
          break;
        }
        case 'ecall':
          // The host reads its arguments from the state (flushed first) and writes a0 there.
          usedRegs.add(10);
          writtenRegs.add(10);
          body.push(`  ${flush} s->pc = ${kconst(64, s.pc)};`);
          body.push(`  if (s->ecall(s)) return RVR_STOP;`);
          body.push(`  ${reload}`);
          break;
        case 'trap':
          body.push(`  ${access.trap('RVR_TRAP_BREAKPOINT', s.pc, '0')}`);
          fallsThrough = false;
          break;
        default:
          throw new Error(`emitter: unhandled op ${i.op} at ${hex(s.pc)}`);
      }
    }
    if (fallsThrough && !(next && next.start === b.end)) body.push(`  ${jump(b.end)}`);
    else if (fallsThrough) {
      const leave = leaveLoop(b.end);
      if (leave) body.push(`  ${leave}`);
    }
  }

  // Which registers the emitted code reads and writes (expressions for x0 writes are dropped,
  // so this is read off the text rather than off the instructions).
  for (const line of body) {
    for (const m of line.matchAll(/\bx(\d+)\b/g)) usedRegs.add(Number(m[1]));
    for (const m of line.matchAll(/\bx(\d+) = /g)) writtenRegs.add(Number(m[1]));
  }
  const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);
  const used = sorted(usedRegs);
  const flushCode = [...sorted(writtenRegs).map((n) => `s->x[${n}] = x${n};`), ctx.meter.flush()].join(' ');
  const reloadCode = [...used.map((n) => `x${n} = (ureg)s->x[${n}];`), ctx.meter.reload()].join(' ');
  const fill = (line: string): string => line.replaceAll(flush, flushCode).replaceAll(reload, reloadCode);
  // A region with loop headers gets two functions from one body: the one called at its
  // start, and a twin that can also start at those headers. Giving the first function's loops
  // a second entry would cost every call (about 20% on SHA-256: values live across the entry
  // edges crowd the registers), while entering at a header is rare (a resume, the dispatcher).
  const twin = flow.entryPoints.size > 0;
  const fn = twin ? bodyFn(region.start) : regionFn(region.start);
  const out: string[] = [];
  out.push(`/* region ${hex(region.start)}..${hex(region.end)} */`);
  if (twin) out.push(`static inline __attribute__((always_inline)) uint64_t ${fn}(rvr_state *s, uint64_t pc, const int at_header) {`);
  else out.push(`uint64_t ${fn}(rvr_state *s, uint64_t pc) {`);
  out.push(`  (void)pc;`);
  // Block counters (metered modes) are addressed off the arena base too.
  if (usesMemory || ctx.meter.classes) out.push(`  uint8_t *const M = s->mem; (void)M;`);
  for (const n of used) out.push(`  ureg x${n} = (ureg)s->x[${n}];`);
  for (const d of [...ctx.meter.declarations(), ...localCounters]) out.push(`  ${d}`);
  out.push(`  uint64_t npc;`);
  out.push(`  rvr_code_fn slowfn;`);
  if (usesTrap) out.push(`  uint32_t tcause; uint64_t tpc, tval;`);
  if (twin) {
    // Entered at a loop header (the dispatch table sends those pcs to the twin).
    out.push(`  if (at_header) switch (pc) {`);
    for (const h of [...flow.entryPoints].sort((a, b) => a - b)) {
      usedLabels.add(h);
      out.push(`  case ${kconst(64, h)}: goto ${label(h)};`);
    }
    out.push(`  default: break;`);
    out.push(`  }`);
  }
  for (const line of body) {
    if (line.startsWith('@label ')) {
      const pc = Number(line.slice(7));
      if (usedLabels.has(pc)) out.push(`${label(pc)}:;`);
      else if (ctx.markBlocks) out.push(blockMark(pc));
    } else {
      out.push(fill(line));
    }
  }
  // A block that would cross a limit: its tail counts instruction by instruction.
  const exitFlush = ctx.meter.exitFlush();
  const flushAll = exitFlush ? `${flushCode} ${exitFlush}` : flushCode;
  out.push(`slow:`);
  out.push(`  ${flushAll}`);
  out.push(`  return slowfn(s, npc);`);
  if (usesOut) {
    out.push(`out:`);
    out.push(`  ${flushAll}`);
    out.push(`  return npc;`);
  }
  if (usesTrap) {
    out.push(`trap:`);
    out.push(`  ${flushAll}`);
    out.push(`  return rvr_trap(s, tcause, tpc, tval);`);
  }
  // Only reachable if the last block falls off the end of the region (its jump is emitted).
  out.push(`}`);
  if (twin) {
    out.push(`uint64_t ${regionFn(region.start)}(rvr_state *s, uint64_t pc) { return ${fn}(s, pc, 0); }`);
    out.push(`uint64_t ${entryFn(region.start)}(rvr_state *s, uint64_t pc) { return ${fn}(s, pc, 1); }`);
  }
  return out.join('\n');
}

/**
 * The tail of a block: entered at any of its instructions, registers in the state. With C it
 * also holds the block's alternate slots (entries in the middle of a 4-byte instruction), each
 * of which runs its one instruction and returns the next pc.
 */
export function emitTail(ctx: EmitContext, b: Block): string {
  const { xlen } = ctx.program;
  const misaligned = misalignedTarget(ctx.program);
  const shift = slotBytes(ctx.program.isa) === 2 ? 1 : 2;
  const access: RegAccess = {
    xlen,
    memoryBits: ctx.memoryBits,
    get: (n) => (n === 0 ? '(ureg)0' : `((ureg)s->x[${n}])`),
    set: (n, e) => (n === 0 ? '' : `s->x[${n}] = (ureg)(${e});`),
    trap: (cause, pc, value) => `return rvr_trap(s, ${cause}, ${kconst(64, pc)}, ${value});`,
  };
  const meter = ctx.meter;
  const usesMemory = [...b.slots, ...b.alt].some((s) => s.instr && touchesMemory(s.instr));
  const out: string[] = [];
  /** One instruction; true when it always leaves (a later case is not reached by falling through). */
  const emitSlot = (s: Slot, alone: boolean): boolean => {
    out.push(`  case ${(s.pc - b.start) >> shift}:; ${comment(s)}`);
    for (const line of meter.tailCheck(s, kconst(64, s.pc))) out.push(`    ${line}`);
    const retire = meter.tailRetire(s);
    const i = s.instr;
    const next = kconst(64, s.pc + s.len);
    if (!i) {
      out.push(`    ${access.trap('RVR_TRAP_ILLEGAL_INSTRUCTION', s.pc, kconst(64, s.raw))}`);
      return true;
    }
    const simple = emitSimple(i, s.pc, access);
    if (simple !== undefined) {
      if (simple) out.push(`    ${simple}`);
      out.push(`    ${retire}`);
      if (alone) out.push(`    return ${next};`);
      return alone;
    }
    switch (controlKind(i)) {
      case 'branch': {
        const t = staticTarget(xlen, s.pc, i);
        if (misaligned(t)) {
          out.push(`    if (${branchCondition(i, access)}) ${access.trap('RVR_TRAP_MISALIGNED_FETCH', s.pc, kconst(64, t))}`);
          out.push(`    ${retire}`);
        } else {
          out.push(`    ${retire}`);
          out.push(`    if (${branchCondition(i, access)}) return ${kconst(64, t)};`);
        }
        out.push(`    return ${next};`);
        break;
      }
      case 'jal': {
        const t = staticTarget(xlen, s.pc, i);
        if (misaligned(t)) {
          out.push(`    ${access.trap('RVR_TRAP_MISALIGNED_FETCH', s.pc, kconst(64, t))}`);
        } else {
          if (i.rd) out.push(`    ${access.set(i.rd, next)}`);
          out.push(`    ${retire}`);
          out.push(`    return ${kconst(64, t)};`);
        }
        break;
      }
      case 'jalr':
        out.push(`    {`);
        out.push(`      uint64_t t = (uint64_t)((${access.get(i.rs1)} + ${kconst(xlen, i.imm)}) & ~(ureg)1);`);
        if (!ctx.program.isa.compressed) out.push(`      if (RVR_UNLIKELY(t & 2)) ${access.trap('RVR_TRAP_MISALIGNED_FETCH', s.pc, 't')}`);
        if (i.rd) out.push(`      ${access.set(i.rd, next)}`);
        out.push(`      ${retire}`);
        out.push(`      return t;`);
        out.push(`    }`);
        break;
      case 'ecall':
        out.push(`    ${retire}`);
        out.push(`    s->pc = ${kconst(64, s.pc)};`);
        out.push(`    if (s->ecall(s)) return RVR_STOP;`);
        out.push(`    return ${next};`);
        break;
      case 'trap':
        out.push(`    ${access.trap('RVR_TRAP_BREAKPOINT', s.pc, '0')}`);
        break;
      default:
        throw new Error(`emitter: unhandled op ${i.op} at ${hex(s.pc)}`);
    }
    return true;
  };
  out.push(`uint64_t ${tailFn(b.start)}(rvr_state *s, uint64_t pc) {`);
  out.push(`  (void)s;`);
  if (usesMemory) out.push(`  uint8_t *const M = s->mem; (void)M;`);
  out.push(`  switch ((pc - ${kconst(64, b.start)}) >> ${shift}) {`);
  let ended = false;
  b.slots.forEach((s, k) => {
    if (k > 0) out.push(`  RVR_FALLTHROUGH;`);
    ended = emitSlot(s, false);
  });
  if (!ended) out.push(`    return ${kconst(64, b.end)};`);
  for (const s of b.alt) emitSlot(s, true);
  out.push(`  }`);
  out.push(`  return RVR_STOP; /* not reached */`);
  out.push(`}`);
  return out.join('\n');
}
