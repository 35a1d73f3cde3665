/**
 * The `rvr` command line: build, run and disassemble guest programs.
 * Errors are one line on stderr (`rvr: ...`) and a non-zero exit code; a guest's own exit code
 * becomes the process exit code of `rvr run`.
 */
import { mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { compileGuest, GUEST_ISA_VALUES, type GuestIsa } from '../toolchain/guest.js';
import { parseSize, type CacheOptions } from '../cache/cache.js';
import { loadProgram } from '../runtime/load.js';
import { compileProject } from '../compile/compile.js';
import { buildProgram, type BuildOptions } from '../cache/build.js';
import { readProject, writeProjectDir } from '../compile/project-io.js';
import { generateProject } from '../emit/project.js';
import { remoteCacheCommand, RemoteCacheUsageError } from './remote-cache.js';
import { readElf } from '../elf/parse.js';
import { EF_RISCV_RVC, PF_X } from '../elf/types.js';
import type { ExecutionMode } from '../emit/project.js';
import { parseCostTable } from '../isa/cost.js';
import { disassemble } from '../isa/disasm.js';
import { Program, type Machine, type RunResult } from '../runtime/index.js';
import { CacheUsageError, cmdCache, cmdExplain } from './cache.js';

const USAGE = `usage: rvr <command> [options]

commands:
  build <guest.elf> -o <lib.so>   recompile a RISC-V guest ELF into a shared library
  run <guest.elf|lib.so>          run a guest (an ELF is recompiled first)
  disasm <guest.elf>              disassemble the executable segments
  cc <src.c...> -o <guest.elf>    compile guest C with the guest SDK and the RISC-V cross compiler
  cache ls|verify|gc|clear        list, check (quarantining corrupt entries), trim or empty the cache
  explain <A> <B>                 which fingerprint fields differ between two libraries,
                                  key records (entry.json, pre-key .json) or cache keys
  codegen <guest.elf> --out-dir DIR   write the generated C project and its manifest (project.json)
  compile <project-dir> -o <lib.so>   compile a project written by 'codegen' into a shared library
  remote-cache start|stop --dir DIR   a local Bazel HTTP remote cache (nginx WebDAV) in DIR

build options:
  -o, --output FILE      library to write (build)
  --mode MODE            pure (default) | metered | metered_cost
  --memory-bits N        guest arena of 2^N bytes (default 32 for RV32, 28 for RV64)
  --cc CC                host C compiler (default $RVR_CC, clang, gcc, cc)
  --march LEVEL          host CPU level (default x86-64-v2 on x86-64); never 'native'
  -O, --opt LEVEL        C optimisation level, e.g. 2 or s (default 2)
  --keep-c DIR           keep the generated C project in DIR
  --cost-table FILE      metered_cost weights per instruction class (JSON; default built in)
  -g, --debug            debug info: #line directives to the guest's own source lines (from its
                         DWARF line table) and a library built with -g (no absolute paths)

cache options (build, run of an ELF, cache, explain):
  --cache-dir DIR        artifact cache (default $RVR_CACHE_DIR, $XDG_CACHE_HOME/rvr, ~/.cache/rvr)
  --no-cache             build and run without the cache
  --max-size SIZE        cache size limit, e.g. 500M or 2G (default 2G; LRU eviction)
  -v, --verbose          say why a cache lookup missed (also RVR_DEBUG=1)
codegen takes the build options --mode, --memory-bits, --cost-table, -g; compile takes --cc, --march, -O, -g.

remote-cache options:
  --dir DIR              directory for the cache data, config, logs and password file
  --port N               port on 127.0.0.1 (start; default 9090)
  --user NAME            user allowed to write (start; default rvr; password from $RVR_CACHE_PASSWORD
                         or generated into DIR/password)

cc options:
  --isa ISA              rv64im (default) | rv32im
  -g, --debug            DWARF debug info, file names relative to the working directory

run options:
  --input FILE           guest input stream (fd 0); '-' reads this process's stdin
  --public-out FILE      write the guest's public output (fd 3) to FILE ('-' = stdout)
  --json                 print the result record as JSON instead of passing output through
  --max-insns N          stop after N instructions (exactly); status 'running'
  --max-cost N           stop before the cost would exceed N (metered_cost); status 'out_of_gas'
  --segment-size N       report a segment every N instructions (with --json)
  --snapshot-out FILE    when a limit stops the run, write a snapshot to FILE
  --resume FILE          continue from a snapshot (same library, same --input)

A trapped guest exits with status 133 and a one-line message on stderr; a run stopped by
--max-insns or --max-cost exits with 134.`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  mode: { type: 'string' },
  'memory-bits': { type: 'string' },
  cc: { type: 'string' },
  march: { type: 'string' },
  opt: { type: 'string', short: 'O' },
  'keep-c': { type: 'string' },
  debug: { type: 'boolean', short: 'g' },
  input: { type: 'string' },
  'public-out': { type: 'string' },
  json: { type: 'boolean' },
  'max-insns': { type: 'string' },
  'max-cost': { type: 'string' },
  'segment-size': { type: 'string' },
  'cost-table': { type: 'string' },
  'snapshot-out': { type: 'string' },
  resume: { type: 'string' },
  isa: { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'max-size': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  'out-dir': { type: 'string' },
  dir: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

export const TRAP_EXIT_CODE = 133;
export const LIMIT_EXIT_CODE = 134;

function count(v: Values, key: 'max-insns' | 'max-cost' | 'segment-size'): bigint | undefined {
  const text = v[key];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${key} takes a whole number, not '${text}'`);
  return BigInt(text);
}

async function buildOptions(v: Values): Promise<BuildOptions> {
  const opts: BuildOptions = {};
  if (v['cost-table'] !== undefined) {
    const file = v['cost-table'];
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`${file}: cannot read cost table (${e.code ?? e.message})`);
    });
    opts.costTable = parseCostTable(text, file);
  }
  if (v.mode !== undefined) {
    if (!['pure', 'metered', 'metered_cost'].includes(v.mode)) throw new UsageError(`unknown mode '${v.mode}' (pure, metered, metered_cost)`);
    opts.mode = v.mode as ExecutionMode;
  }
  if (v['memory-bits'] !== undefined) {
    const n = Number(v['memory-bits']);
    if (!Number.isInteger(n)) throw new UsageError(`--memory-bits takes a whole number, not '${v['memory-bits']}'`);
    opts.memoryBits = n;
  }
  if (v.cc !== undefined) opts.cc = v.cc;
  if (v.march !== undefined) opts.march = v.march;
  if (v.opt !== undefined) opts.optLevel = `O${v.opt.replace(/^O/, '')}`;
  if (v['keep-c'] !== undefined) opts.sourceDir = v['keep-c'];
  if (v.debug) opts.debugInfo = true;
  opts.cache = v['no-cache'] || v['keep-c'] !== undefined ? false : cacheOptions(v);
  return opts;
}

function cacheOptions(v: Values): CacheOptions {
  const opts: CacheOptions = {};
  if (v['cache-dir'] !== undefined) opts.dir = v['cache-dir'];
  if (v['max-size'] !== undefined) opts.maxSize = parseSize(v['max-size']);
  if (v.verbose) opts.debug = true;
  return opts;
}

/** True when the file is a RISC-V ELF (a guest), false for any other ELF (a host library). */
async function isGuestElf(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot open (${e.code ?? e.message})`);
  });
  try {
    const head = Buffer.alloc(20);
    const { bytesRead } = await fh.read(head, 0, 20, 0);
    if (bytesRead < 20 || head.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path}: not an ELF file`);
    return head.readUInt16LE(18) === 243;
  } finally {
    await fh.close();
  }
}

async function readInput(v: Values): Promise<Uint8Array> {
  if (v.input === undefined) return new Uint8Array();
  if (v.input === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  return readFile(v.input).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${v.input}: cannot read input (${e.code ?? e.message})`);
  });
}

/** What codegen ignored (e.g. malformed debug info): one line each, the build goes on. */
function printWarnings(warnings: readonly string[] | undefined): void {
  for (const w of warnings ?? []) process.stderr.write(`rvr: warning: ${w}\n`);
}

async function cmdBuild(args: string[], v: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError('build takes one guest ELF');
  if (!v.output) throw new UsageError('build needs -o <lib.so>');
  const r = await buildProgram(args[0], v.output, await buildOptions(v));
  printWarnings(r.project?.warnings);
  const s = r.summary;
  const how =
    r.cache.status === 'hit'
      ? `from the cache${r.cache.via === 'fingerprint' ? ` after codegen ${Math.round(r.timings.codegenMs)} ms` : ''}`
      : `codegen ${Math.round(r.timings.codegenMs)} ms, ${r.toolchain.cc} ${Math.round(r.timings.compileMs)} ms`;
  process.stderr.write(
    `rvr: built ${v.output} (rv${s.xlen}im, ${s.mode}, ${s.instructions} instructions in ${s.regions} functions` +
      `${s.undecodable ? `, ${s.undecodable} words that do not decode` : ''}; ${how})\n`,
  );
  return 0;
}

function resultRecord(r: RunResult, memoryDigest: string): Record<string, unknown> {
  return {
    status: r.status,
    exitCode: r.exitCode ?? null,
    trap: r.trap ? { cause: r.trap.cause, pc: `0x${r.trap.pc.toString(16)}`, value: `0x${r.trap.value.toString(16)}`, message: r.trap.message } : null,
    pc: `0x${r.pc.toString(16)}`,
    instructions: r.instructions?.toString() ?? null,
    classCounts: r.classCounts ? Object.fromEntries(Object.entries(r.classCounts).map(([k, n]) => [k, n.toString()])) : null,
    cost: r.cost?.toString() ?? null,
    segments:
      r.segments?.map((seg) => ({
        start: seg.start.toString(),
        length: seg.length.toString(),
        ...(seg.classCounts ? { classCounts: Object.fromEntries(Object.entries(seg.classCounts).map(([k, n]) => [k, n.toString()])) } : {}),
        ...(seg.cost !== undefined ? { cost: seg.cost.toString() } : {}),
      })) ?? null,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    publicOutput: r.publicOutput.toString('hex'),
    memoryDigest,
  };
}

/** Write next to the file, then rename: a reader sees the old file or the whole new one. */
async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function cmdRun(args: string[], v: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError('run takes one guest ELF or library');
  const path = args[0];
  let tmp: string | undefined;
  let machine: Machine | undefined;
  try {
    let program: Program;
    if (await isGuestElf(path)) {
      const opts = await buildOptions(v);
      if (opts.cache) {
        const loaded = await loadProgram(path, opts);
        printWarnings(loaded.warnings);
        program = loaded.program;
      } else {
        tmp = await mkdtemp(join(tmpdir(), 'rvr-run-'));
        const lib = join(tmp, 'guest.so');
        printWarnings((await buildProgram(path, lib, opts)).project?.warnings);
        program = await Program.load(lib);
      }
    } else {
      program = await Program.load(path);
    }
    const segmentSize = count(v, 'segment-size');
    const input = await readInput(v);
    if (v.resume) {
      if (segmentSize !== undefined) throw new UsageError('--segment-size comes from the snapshot when resuming');
      machine = program.resume(await readFile(v.resume), { input, source: v.resume });
    } else {
      machine = program.createMachine({ input, ...(segmentSize !== undefined ? { segmentSize } : {}) });
    }
    const result = await machine.run({ maxInstructions: count(v, 'max-insns'), maxCost: count(v, 'max-cost') });
    if (v['snapshot-out'] && (result.status === 'running' || result.status === 'out_of_gas')) {
      await writeFileAtomic(v['snapshot-out'], machine.snapshot());
    }
    if (v.json) {
      process.stdout.write(JSON.stringify(resultRecord(result, machine.memoryDigest()), null, 2) + '\n');
    } else {
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
    }
    if (v['public-out'] === '-') process.stdout.write(result.publicOutput);
    else if (v['public-out']) await writeFile(v['public-out'], result.publicOutput);
    if (result.status === 'trapped') {
      if (!v.json) process.stderr.write(`rvr: guest trapped: ${result.trap!.message}\n`);
      return TRAP_EXIT_CODE;
    }
    if (result.status === 'running' || result.status === 'out_of_gas') {
      if (!v.json) {
        const why = result.status === 'running' ? 'instruction limit' : 'out of gas';
        process.stderr.write(`rvr: guest stopped (${why}) after ${result.instructions} instructions at pc 0x${result.pc.toString(16)}\n`);
      }
      return LIMIT_EXIT_CODE;
    }
    return result.exitCode ?? 0;
  } finally {
    machine?.dispose();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

async function cmdDisasm(args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('disasm takes one guest ELF');
  const elf = await readElf(args[0]);
  const names = new Map<number, string>();
  // Functions first, then other labels; '$x'/'$d' mapping symbols and local '.L' labels are noise.
  const labels = elf.symbols.filter((s) => (s.type === 'func' || s.type === 'notype') && s.name && !/^(\$|\.L)/.test(s.name));
  labels.sort((a, b) => Number(b.type === 'func') - Number(a.type === 'func'));
  for (const s of labels) if (!names.has(s.value)) names.set(s.value, s.name);
  const lines: string[] = [];
  for (const seg of elf.segments) {
    if (!(seg.flags & PF_X)) continue;
    // With C the stream is swept as the lifter does: 2 or 4 bytes at a time, printed as objdump does.
    const isa = { compressed: (elf.flags & EF_RISCV_RVC) !== 0 };
    const byte = (o: number): number => (o < seg.filesz ? seg.data[o] : 0);
    for (let o = 0; o + (isa.compressed ? 2 : 4) <= seg.filesz; ) {
      const pc = seg.vaddr + o;
      const name = names.get(pc);
      if (name) lines.push(`\n${pc.toString(16).padStart(8, '0')} <${name}>:`);
      const w = (byte(o) | (byte(o + 1) << 8) | (byte(o + 2) << 16) | (byte(o + 3) << 24)) >>> 0;
      const half = isa.compressed && (w & 3) !== 3;
      const text = half ? (w & 0xffff).toString(16).padStart(4, '0').padEnd(8, ' ') : w.toString(16).padStart(8, '0');
      lines.push(`  ${pc.toString(16).padStart(8, ' ')}:  ${text}  ${disassemble(w, pc, elf.elfClass, isa)}`);
      o += half ? 2 : 4;
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

async function cmdCc(args: string[], v: Values): Promise<number> {
  if (args.length === 0) throw new UsageError('cc takes one or more guest C/assembly sources');
  if (!v.output) throw new UsageError('cc needs -o <guest.elf>');
  const isa = (v.isa ?? 'rv64im') as GuestIsa;
  if (!GUEST_ISA_VALUES.includes(isa)) throw new UsageError(`unknown ISA '${v.isa}' (${GUEST_ISA_VALUES.join(', ')})`);
  await compileGuest({ sources: args, isa, output: v.output, ...(v.opt ? { optLevel: v.opt } : {}), ...(v.debug ? { debug: true } : {}) });
  return 0;
}

async function cmdCodegen(args: string[], v: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError('codegen takes one guest ELF');
  if (!v['out-dir']) throw new UsageError('codegen needs --out-dir <dir>');
  for (const k of ['cc', 'march', 'opt', 'keep-c'] as const) {
    if (v[k] !== undefined) throw new UsageError(`--${k} belongs to 'compile', not 'codegen'`);
  }
  const opts = await buildOptions(v);
  const project = generateProject(await readElf(args[0]), opts);
  printWarnings(project.warnings);
  await writeProjectDir(project, v['out-dir']);
  return 0;
}

async function cmdCompile(args: string[], v: Values): Promise<number> {
  if (args.length !== 1) throw new UsageError('compile takes one project directory');
  if (!v.output) throw new UsageError('compile needs -o <lib.so>');
  for (const k of ['mode', 'memory-bits', 'cost-table'] as const) {
    if (v[k] !== undefined) throw new UsageError(`--${k} belongs to 'codegen', not 'compile'`);
  }
  const opts = await buildOptions(v);
  const project = await readProject(args[0]);
  await compileProject(project, v.output, opts);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`rvr: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || parsed.values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case 'build':
        return await cmdBuild(rest, parsed.values);
      case 'run':
        return await cmdRun(rest, parsed.values);
      case 'disasm':
        return await cmdDisasm(rest);
      case 'cc':
        return await cmdCc(rest, parsed.values);
      case 'cache':
        return await cmdCache(rest, cacheOptions(parsed.values), parsed.values['max-size']);
      case 'explain':
        return await cmdExplain(rest, cacheOptions(parsed.values));
      case 'codegen':
        return await cmdCodegen(rest, parsed.values);
      case 'compile':
        return await cmdCompile(rest, parsed.values);
      case 'remote-cache':
        return await remoteCacheCommand(rest, { dir: parsed.values.dir, port: parsed.values.port, user: parsed.values.user });
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof CacheUsageError || e instanceof RemoteCacheUsageError) {
      process.stderr.write(`rvr: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`rvr: ${(e as Error).message.split('\n')[0]}\n`);
    const rest = (e as Error).message.split('\n').slice(1).join('\n');
    if (rest) process.stderr.write(rest + '\n');
    return 1;
  }
}

// `rvr disasm x | head` closes our stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
