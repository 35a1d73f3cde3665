/**
 * The Bazel rules with a real Bazel (Debian's bazel-4 through @bazel/bazelisk), offline, in
 * temporary output bases, against a copy of examples/ that loads @rules_rvr like a user's
 * workspace. One output base (and one Bazel server) is shared by the tests of this file, which
 * run in order; a second and third output base in a copy of the workspace at another path show
 * remote-cache hits. Facts about what ran come from Bazel's execution log, never from wording.
 */
import { execa, type Options, type Result } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProgram } from '../src/runtime/load.js';
import type { BuildOptions } from '../src/cache/build.js';
import { Program } from '../src/runtime/index.js';
import { REPO_ROOT } from './support/guests.js';

const BAZEL4 = ['/usr/bin/bazel-4', '/usr/local/bin/bazel-4'].find((p) => existsSync(p));
const BAZELISK = path.join(REPO_ROOT, 'node_modules', '.bin', 'bazelisk');
const SKYLIB = '/usr/share/bazel/tools/skylib';
const haveNginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].some((p) => existsSync(p));
const enabled = BAZEL4 !== undefined && existsSync(BAZELISK) && haveNginx && existsSync(SKYLIB);

const PASSWORD = 'bazel-test-secret';
const SLOW = 900_000;

interface Spawn {
  mnemonic: string;
  /** The first declared output below bazel-out/<config>/bin/ (Bazel 4.2 logs no target label). */
  output: string;
  remoteCacheHit: boolean;
  runner: string;
}

/** Bazel 4 writes the JSON execution log as concatenated, pretty-printed objects. */
function parseExecLog(text: string): Spawn[] {
  const spawns: Spawn[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) {
      const o = JSON.parse(text.slice(start, i + 1)) as { mnemonic?: string; listedOutputs?: string[]; remoteCacheHit?: boolean; runner?: string };
      const output = (o.listedOutputs ?? [])[0]?.replace(/^bazel-out\/[^/]+\/bin\//, '') ?? '';
      spawns.push({ mnemonic: o.mnemonic ?? '', output, remoteCacheHit: o.remoteCacheHit === true, runner: o.runner ?? '' });
    }
  }
  return spawns;
}

const rvrSpawns = (s: Spawn[]): Spawn[] => s.filter((x) => x.mnemonic === 'RvrCodegen' || x.mnemonic === 'RvrCompile');
const summary = (s: Spawn[]): string[] => s.map((x) => `${x.mnemonic} ${x.output}`).sort();

class Bazel {
  constructor(
    readonly workspace: string,
    readonly userRoot: string,
  ) {}

  async run(args: string[], opts: Options & { env?: Record<string, string> } = {}): Promise<Result> {
    const [command, ...rest] = args;
    return execa(BAZELISK, [`--output_user_root=${this.userRoot}`, command, ...rest], {
      cwd: this.workspace,
      reject: false,
      ...(opts.input === undefined ? { stdin: 'ignore' } : {}),
      ...opts,
      env: { USE_BAZEL_VERSION: BAZEL4!, ...opts.env },
    } as Options) as Promise<Result>;
  }

  /** `bazel build` with an execution log; fails the test with Bazel's output when the build fails. */
  async build(targets: string[], flags: string[] = [], env: Record<string, string> = {}): Promise<Spawn[]> {
    const log = path.join(this.userRoot, `exec-${Date.now()}.json`);
    const r = await this.run(['build', `--execution_log_json_file=${log}`, ...flags, ...targets], { env });
    if (r.exitCode !== 0) {
      const errors = String(r.stderr).split('\n').filter((l) => l.startsWith('ERROR')).join('\n');
      throw new Error(`bazel build ${targets.join(' ')} failed:\n${errors || String(r.stderr).slice(-3000)}`);
    }
    return parseExecLog(await readFile(log, 'utf8'));
  }

  async shutdown(): Promise<void> {
    await this.run(['shutdown']);
  }
}

async function copyWorkspace(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, filter: (src) => !path.basename(src).startsWith('bazel-') });
}

const sha256 = async (file: string): Promise<string> => createHash('sha256').update(await readFile(file)).digest('hex');

describe.skipIf(!enabled)('Bazel rules (real bazel 4.2, examples workspace)', () => {
  let tmp: string;
  let ws: string;
  let wsCopy: string;
  let cacheDir: string;
  let port: number;
  let main: Bazel;
  const servers: Bazel[] = [];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'rvr-bazel-'));
    ws = path.join(tmp, 'ws');
    cacheDir = path.join(tmp, 'cache');
    port = 20000 + Math.floor(Math.random() * 20000);
    const start = await execa('node', [path.join(REPO_ROOT, 'bin', 'rvr.js'), 'remote-cache', 'start', '--dir', cacheDir, '--port', String(port)], {
      reject: false,
      env: { RVR_CACHE_PASSWORD: PASSWORD },
    });
    if (start.exitCode !== 0) throw new Error(`remote cache did not start: ${start.stderr}`);

    await copyWorkspace(path.join(REPO_ROOT, 'examples'), ws);
    // The copy loads @rules_rvr from this checkout, adds the test packages, and builds the
    // generated C at -O1 (compile speed; the rules are the subject here, not the code).
    const workspaceFile = path.join(ws, 'WORKSPACE');
    const text = (await readFile(workspaceFile, 'utf8')).replace('path = "..",', `path = ${JSON.stringify(REPO_ROOT)},`);
    await writeFile(
      workspaceFile,
      text +
        `\nlocal_repository(\n    name = "bazel_skylib",\n    path = "${SKYLIB}",\n)\n\n` +
        'load("@bazel_skylib//:workspace.bzl", "bazel_skylib_workspace")\n\nbazel_skylib_workspace()\n',
    );
    for (const pkg of ['hello', 'fib', 'checksum']) {
      const build = path.join(ws, pkg, 'BUILD.bazel');
      await writeFile(build, (await readFile(build, 'utf8')).replaceAll('rvr_program(\n', 'rvr_program(\n    opt = "1",\n'));
    }
    await cp(path.join(REPO_ROOT, 'test', 'bazel', 'analysis'), path.join(ws, 'analysis'), { recursive: true });
    await cp(path.join(REPO_ROOT, 'test', 'bazel', 'prebuilt'), path.join(ws, 'prebuilt'), { recursive: true });
    await cp(path.join(REPO_ROOT, 'test', 'bazel', 'debug'), path.join(ws, 'debug'), { recursive: true });
    await cp(path.join(REPO_ROOT, 'test', 'fixtures', 'debug', 'lines.c'), path.join(ws, 'debug', 'lines.c'));
    await appendFile(path.join(ws, '.bazelrc'), `\n# test: every build reads and writes the nginx cache\nbuild --remote_cache=http://rvr:${PASSWORD}@127.0.0.1:${port}\n`);
    main = new Bazel(ws, path.join(tmp, 'root-a'));
    servers.push(main);
  }, SLOW);

  afterAll(async () => {
    for (const b of servers) await b.shutdown();
    if (cacheDir) await execa('node', [path.join(REPO_ROOT, 'bin', 'rvr.js'), 'remote-cache', 'stop', '--dir', cacheDir], { reject: false });
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }, SLOW);

  it('builds every example; actions are RvrGuestCc, RvrCodegen, RvrCompile, the tsc tool build and the addon', async () => {
    const spawns = await main.build(['//...']);
    const mnemonics = new Set(spawns.map((s) => s.mnemonic));
    for (const m of ['RvrGuestCc', 'RvrCodegen', 'RvrCompile', 'RvrTsc', 'CppCompile', 'CppLink']) expect(mnemonics).toContain(m);
    expect(summary(spawns.filter((s) => s.mnemonic === 'RvrCompile'))).toEqual([
      'RvrCompile checksum/checksum_lib.so',
      'RvrCompile fib/fib_lib.so',
      'RvrCompile fib/fib_metered_lib.so',
      'RvrCompile hello/hello_lib.so',
    ]);
    for (const lib of ['hello/hello_lib.so', 'fib/fib_lib.so', 'checksum/checksum_lib.so']) {
      expect(existsSync(path.join(ws, 'bazel-bin', lib))).toBe(true);
    }
    expect(existsSync(path.join(ws, 'bazel-bin', 'hello', 'hello_lib_c', 'project.json'))).toBe(true);
    // A snapshot at another path for the remote-cache tests (before any edits below).
    wsCopy = path.join(tmp, 'elsewhere', 'ws-copy');
    await copyWorkspace(ws, wsCopy);
  }, SLOW);

  it('bazel run prints the guest output and returns its exit code; input comes from stdin', async () => {
    const hello = await main.run(['run', '//hello'], { input: 'Grace\n' });
    expect(hello.stdout).toBe('hello, Grace\nprimes below 100000: 9592');
    expect(hello.exitCode).toBe(0);
    const fib = await main.run(['run', '//fib']);
    expect(fib.stdout).toBe('fib(90) = 2880067194370816120');
    expect(fib.exitCode).toBe(6);
    const json = await main.run(['run', '//fib:fib_metered', '--', '--json']);
    const record = JSON.parse(String(json.stdout)) as { exitCode: number; classCounts: Record<string, string> | null };
    expect(record.exitCode).toBe(6);
    expect(Number(record.classCounts?.['alu'])).toBeGreaterThan(0);
  }, SLOW);

  it('bazel test passes for the examples and fails for a wrong expectation', async () => {
    const ok = await main.run(['test', '//hello:all', '//fib:all', '//checksum:all']);
    expect(ok.exitCode, String(ok.stderr).slice(-3000)).toBe(0);
    expect(String(ok.stdout) + String(ok.stderr)).toMatch(/Executed \d+ out of 3 tests?: 3 tests pass/);
    const bad = await main.run(['test', '//hello:hello_wrong_exit_test']);
    expect(bad.exitCode).toBe(3); // Bazel: build OK, tests failed
    expect(String(bad.stderr) + String(bad.stdout)).toContain('rvr_test: exit code 0, expected 1');
  }, SLOW);

  it('a no-op rebuild executes no action', async () => {
    expect(await main.build(['//...'])).toEqual([]);
  }, SLOW);

  it('editing one guest source re-runs only that guest chain', async () => {
    const src = path.join(ws, 'checksum', 'checksum.c');
    await writeFile(src, (await readFile(src, 'utf8')).replace('"fnv1a %u', '"FNV-1a %u'));
    const spawns = await main.build(['//...']);
    expect(summary(spawns)).toEqual([
      'RvrCodegen checksum/checksum_lib_c',
      'RvrCompile checksum/checksum_lib.so',
      'RvrGuestCc checksum/checksum_elf.elf',
    ]);
    const r = await main.run(['run', '//checksum'], { input: 'abc' });
    expect(r.stdout).toBe('FNV-1a 3 bytes: 1a47e90b');
  }, SLOW);

  it('an ELF change that leaves the C identical re-runs codegen only', async () => {
    const elf = path.join(ws, 'prebuilt', 'prog.elf');
    await cp(path.join(ws, 'bazel-bin', 'checksum', 'checksum_elf.elf'), elf);
    await main.build(['//prebuilt:prog_lib']);
    await appendFile(elf, Buffer.alloc(64)); // bytes no ELF header points at
    const spawns = await main.build(['//prebuilt:prog_lib']);
    expect(summary(spawns)).toEqual(['RvrCodegen prebuilt/prog_lib_c']);
  }, SLOW);

  it('the CPU level and the mode change the key; `native` is refused', async () => {
    const v3 = await main.build(['//prebuilt:prog_lib'], ['--@rules_rvr//rules:march=x86-64-v3']);
    expect(summary(v3)).toEqual(['RvrCompile prebuilt/prog_lib.so']);
    const native = await main.run(['build', '//prebuilt:prog_lib', '--@rules_rvr//rules:march=native']);
    expect(native.exitCode).not.toBe(0);
    expect(String(native.stderr)).toContain('--@rules_rvr//rules:march=native is not allowed');
    const build = path.join(ws, 'prebuilt', 'BUILD.bazel');
    await writeFile(build, (await readFile(build, 'utf8')).replace('memory_bits = 20,', 'memory_bits = 20,\n    mode = "metered",'));
    const metered = await main.build(['//prebuilt:prog_lib']);
    expect(summary(metered)).toEqual(['RvrCodegen prebuilt/prog_lib_c', 'RvrCompile prebuilt/prog_lib.so']);
  }, SLOW);

  it('a changed PATH does not change any key', async () => {
    const extra = path.join(tmp, 'extra-bin');
    await mkdir(extra, { recursive: true });
    const spawns = await main.build(['//...'], [], { PATH: `${extra}:${process.env['PATH'] ?? ''}` });
    expect(spawns).toEqual([]);
  }, SLOW);

  it('a changed compiler version file changes the RvrCompile key only', async () => {
    // A compiler wrapper whose --version text lives in a file next to it.
    const dir = path.join(tmp, 'cc-wrapper');
    await mkdir(dir, { recursive: true });
    const cc = path.join(dir, 'cc');
    const real = ['/usr/bin/clang', '/usr/bin/gcc'].find((p) => existsSync(p))!;
    await writeFile(cc, `#!/bin/sh\nif [ "$1" = "--version" ]; then cat "$(dirname "$0")/version.txt"; exit 0; fi\nexec ${real} "$@"\n`);
    await chmod(cc, 0o755);
    await writeFile(path.join(dir, 'version.txt'), 'wrapped cc 1.0\n');
    const env = { RVR_CC: cc };
    await main.build(['//prebuilt:prog_lib'], [], env);
    await writeFile(path.join(dir, 'version.txt'), 'wrapped cc 1.1\n');
    const sync = await main.run(['sync', '--configure'], { env });
    expect(sync.exitCode, String(sync.stderr).slice(-2000)).toBe(0);
    const version = await readFile(path.join(String((await main.run(['info', 'output_base'], { env })).stdout).trim(), 'external', 'rvr_toolchains', 'cc_version.txt'), 'utf8');
    expect(version).toBe('wrapped cc 1.1\n');
    const spawns = await main.build(['//prebuilt:prog_lib'], [], env);
    expect(summary(spawns)).toEqual(['RvrCompile prebuilt/prog_lib.so']);
  }, SLOW);

  it('a fresh output base in a copy at another path gets every RvrCodegen/RvrCompile from the remote cache', async () => {
    const other = new Bazel(wsCopy, path.join(tmp, 'root-b'));
    servers.push(other);
    const spawns = await other.build(['//...']);
    const rvr = rvrSpawns(spawns);
    expect(rvr.length).toBe(8); // 4 programs × (codegen + compile)
    expect(rvr.filter((s) => !s.remoteCacheHit).map((s) => `${s.mnemonic} ${s.output}`)).toEqual([]);
    expect(await sha256(path.join(wsCopy, 'bazel-bin', 'fib', 'fib_lib.so'))).toBe(await sha256(path.join(ws, 'bazel-bin', 'fib', 'fib_lib.so')));
    const run = await other.run(['run', '//fib']);
    expect(run.exitCode).toBe(6);
  }, SLOW);

  it('a corrupted CAS blob on the server is rejected and the action re-runs', async () => {
    const other = servers[1]!;
    const lib = path.join(wsCopy, 'bazel-bin', 'hello', 'hello_lib.so');
    const digest = await sha256(lib);
    const blob = path.join(cacheDir, 'data', 'cas', digest);
    expect(existsSync(blob)).toBe(true);
    const good = await readFile(blob);
    const bad = Buffer.from(good);
    bad[bad.length >> 1] ^= 0xff;
    await writeFile(blob, bad);
    const clean = await other.run(['clean']);
    expect(clean.exitCode).toBe(0);
    const spawns = await other.build(['//hello:hello_lib']);
    const compile = spawns.filter((s) => s.mnemonic === 'RvrCompile');
    expect(compile.map((s) => [s.output, s.remoteCacheHit])).toEqual([['hello/hello_lib.so', false]]);
    expect(spawns.find((s) => s.mnemonic === 'RvrCodegen')?.remoteCacheHit).toBe(true);
    expect(await sha256(lib)).toBe(digest);
    // The rebuilt library was uploaded again over the corrupt blob.
    expect(await sha256(blob)).toBe(digest);
  }, SLOW);

  it('rvr_program(debug = True): #line to the guest source, .debug_info in the library, no absolute path; the same ELF and library built at another path', async () => {
    const spawns = await main.build(['//debug:lines_lib']);
    expect(summary(spawns.filter((s) => s.output.startsWith('debug/')))).toEqual([
      'RvrCodegen debug/lines_lib_c',
      'RvrCompile debug/lines_lib.so',
      'RvrGuestCc debug/lines_elf.elf',
    ]);
    const bin = path.join(ws, 'bazel-bin', 'debug');
    const lib = path.join(bin, 'lines_lib.so');
    expect((await execa('readelf', ['-S', '-W', lib])).stdout).toMatch(/\.debug_info/);
    const project = path.join(bin, 'lines_lib_c');
    const c = (await Promise.all((await readdir(project)).filter((f) => f.endsWith('.c')).map((f) => readFile(path.join(project, f), 'utf8')))).join('\n');
    expect(c).toContain('\n#line 5 "debug/lines.c"\n');
    expect(c).toMatch(/\n#line \d+ "external\/rules_rvr\/guest\/src\/lib\.c"\n/);
    const outputBase = String((await main.run(['info', 'output_base'])).stdout).trim();
    for (const file of [lib, path.join(bin, 'lines_elf.elf')]) {
      const bytes = (await readFile(file)).toString('latin1');
      for (const bad of [tmp, REPO_ROOT, outputBase, '/sandbox/', 'execroot', '$PROJECT_DIR']) expect(bytes.includes(bad), `${path.basename(file)}: ${bad}`).toBe(false);
    }
    // The same package at another path, actions executed there (not taken from the cache): the same bytes.
    const other = servers[1] ?? new Bazel(wsCopy, path.join(tmp, 'root-b'));
    if (!servers.includes(other)) servers.push(other);
    await cp(path.join(ws, 'debug'), path.join(wsCopy, 'debug'), { recursive: true });
    const again = await other.build(['//debug:lines_lib'], ['--noremote_accept_cached']);
    expect(summary(again.filter((s) => s.output.startsWith('debug/') && !s.remoteCacheHit))).toEqual([
      'RvrCodegen debug/lines_lib_c',
      'RvrCompile debug/lines_lib.so',
      'RvrGuestCc debug/lines_elf.elf',
    ]);
    for (const f of ['lines_elf.elf', 'lines_lib.so']) {
      expect(await sha256(path.join(wsCopy, 'bazel-bin', 'debug', f)), f).toBe(await sha256(path.join(bin, f)));
    }
  }, SLOW);

  it('the fingerprint RvrCompile embeds is the one the non-Bazel cache computes for the same inputs', async () => {
    const targets = ['//hello:hello_lib', '//fib:fib_metered_lib', '//debug:lines_lib'];
    await main.build(targets);
    // The compiler the repository rule located (the path RvrCompile runs it by).
    const outputBase = String((await main.run(['info', 'output_base'])).stdout).trim();
    const toolchains = await readFile(path.join(outputBase, 'external', 'rvr_toolchains', 'BUILD.bazel'), 'utf8');
    const cc = /name = "cc_tool",\s+path = "([^"]+)"/.exec(toolchains)?.[1];
    expect(cc).toBeDefined();
    const cases: Array<[string, string, BuildOptions]> = [
      ['hello/hello_lib.so', 'hello/hello_elf.elf', { optLevel: 'O1' }],
      ['fib/fib_metered_lib.so', 'fib/fib_elf.elf', { optLevel: 'O1', mode: 'metered', memoryBits: 24 }],
      ['debug/lines_lib.so', 'debug/lines_elf.elf', { optLevel: 'O1', debugInfo: true }],
    ];
    const cacheDir = path.join(tmp, 'parity-cache');
    for (const [so, elf, options] of cases) {
      const embedded = (await Program.load(path.join(ws, 'bazel-bin', so))).fingerprint;
      expect(embedded, so).toMatch(/^[0-9a-f]{64}$/);
      const loaded = await loadProgram(path.join(ws, 'bazel-bin', elf), { ...options, cc, march: 'x86-64-v2', cache: { dir: cacheDir } });
      expect(loaded.key, so).toBe(embedded);
      expect(loaded.program.fingerprint).toBe(embedded);
      const explain = await execa('node', [path.join(REPO_ROOT, 'bin', 'rvr.js'), 'explain', path.join(ws, 'bazel-bin', so), loaded.key, '--cache-dir', cacheDir], { reject: false });
      expect(explain.exitCode, String(explain.stderr)).toBe(0);
      expect(String(explain.stdout), so).toMatch(/^same /);
    }
  }, SLOW);

  it('analysis tests: providers, wrong ISA, missing ELF, cost table without metered_cost', async () => {
    const r = await main.run(['test', '//analysis:all']);
    expect(r.exitCode, String(r.stderr).slice(-3000)).toBe(0);
    expect(String(r.stdout) + String(r.stderr)).toMatch(/5 tests pass/);
  }, SLOW);

  it('lists the remote cache contents it used (ac and cas)', async () => {
    const cas = await readdir(path.join(cacheDir, 'data', 'cas'));
    const ac = await readdir(path.join(cacheDir, 'data', 'ac'));
    expect(cas.length).toBeGreaterThan(10);
    expect(ac.length).toBeGreaterThan(5);
  });
});
