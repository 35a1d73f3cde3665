/**
 * The artifact cache heals and never misleads (issue 14, findings 4-6), with real processes:
 *
 * - a pre-key record that points at another program's sound entry is caught before anything
 *   runs (the entry records the inputs it was built from), moved to quarantine/ and rebuilt,
 *   and `rvr cache verify` reports it;
 * - every I/O problem inside an entry or record (a directory, a FIFO or a symlink where a file
 *   belongs, a record naming "" or ".." as its library, corrupt JSON) quarantines it and
 *   rebuilds, in one line naming the path; `rvr cache verify` says the same;
 * - a loaded library is a private copy: truncating or overwriting the cache entry while a
 *   process uses the program cannot kill that process.
 */
import { cp, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArtifactCache } from '../src/cache/cache.js';
import { guestElf, REPO_ROOT } from './support/guests.js';
import { listDir, newDir, nodeScript, rvr } from './support/cache-util.js';

/** asm_main prints two lines and exits with 186; exit_nested exits with 123. */
const ASM_EXIT = 186;
const NESTED_EXIT = 123;
const FAST = ['-O', '0'];

const entryDir = (dir: string, key: string): string => path.join(dir, 'entries', key);
const preKeyFile = (dir: string, preKey: string): string => path.join(dir, 'prekeys', `${preKey}.json`);

interface Built {
  dir: string;
  key: string;
  preKey: string;
  stdout: string;
}

/** Builds `elf` into the cache at `dir` with `rvr run` and reads back the keys of the record it wrote. */
async function build(elf: string, dir: string, exit: number): Promise<Built> {
  const before = new Set(await listDir(path.join(dir, 'prekeys')));
  const r = await rvr(['run', elf, '--cache-dir', dir, ...FAST]);
  expect(r.exitCode, r.stderr).toBe(exit);
  expect(r.stderr).not.toMatch(/^rvr: /m);
  // The run wrote exactly one new pre-key record, naming the entry it built.
  const written = (await listDir(path.join(dir, 'prekeys'))).filter((name) => !before.has(name));
  expect(written).toHaveLength(1);
  const rec = JSON.parse(await readFile(path.join(dir, 'prekeys', written[0]!), 'utf8')) as { preKey: string; fingerprint: string };
  expect(await listDir(path.join(dir, 'entries'))).toContain(rec.fingerprint);
  return { dir, key: rec.fingerprint, preKey: rec.preKey, stdout: r.stdout };
}

/** One line on stderr, from the cache, naming `where`; nothing else. */
function expectOneLineNaming(stderr: string, where: string, what: RegExp): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^rvr: cache: /);
  expect(lines[0]).toContain(where);
  expect(lines[0]).toMatch(what);
  expect(lines[0]).not.toMatch(/^rvr: E[A-Z]+:/);
  return lines[0];
}

describe('a pre-key record naming another program (finding 4)', () => {
  it('is caught before anything runs, quarantined and rebuilt; rvr cache verify reports it', async () => {
    const dir = await newDir('heal');
    const a = await guestElf('asm_main', 'rv64im');
    const b = await guestElf('exit_nested', 'rv64im');
    const built = await build(a, dir, ASM_EXIT);
    const other = await build(b, dir, NESTED_EXIT);
    expect(other.key).not.toBe(built.key);

    // a's pre-key record now names b's entry: same mode, same memory size, sound library.
    const file = preKeyFile(dir, built.preKey);
    const forge = async (): Promise<void> => {
      const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...record, fingerprint: other.key }));
    };
    await forge();
    const r = await rvr(['run', a, '--cache-dir', dir, ...FAST]);
    expect(r.exitCode).toBe(ASM_EXIT); // program a ran, not b (123)
    expect(r.stdout).toBe(built.stdout);
    expectOneLineNaming(r.stderr, file, new RegExp(`names entry ${other.key.slice(0, 16)}, which was not built from these inputs.*moved to ${path.join(dir, 'quarantine')}`));
    expect((await listDir(path.join(dir, 'quarantine'))).length).toBe(1);
    // Repaired: the record names a's entry again, and the next run is a quiet pre-key hit.
    expect((JSON.parse(await readFile(file, 'utf8')) as { fingerprint: string }).fingerprint).toBe(built.key);
    const again = await rvr(['run', a, '--cache-dir', dir, ...FAST, '--verbose']);
    expect(again.exitCode).toBe(ASM_EXIT);
    expect(again.stderr).toBe('');
    // b's entry was sound and stays.
    expect(await listDir(path.join(dir, 'entries'))).toEqual([built.key, other.key].sort());

    await forge();
    const verify = await rvr(['cache', 'verify', '--cache-dir', dir]);
    expect(verify.exitCode).toBe(1);
    expectOneLineNaming(verify.stderr, file, /not built from these inputs/);
    expect(verify.stdout).toMatch(/^2 of 2 entries verified .*; 1 record corrupt, moved to quarantine$/m);
    expect(await listDir(path.join(dir, 'prekeys'))).not.toContain(`${built.preKey}.json`);
    const clean = await rvr(['cache', 'verify', '--cache-dir', dir]);
    expect(clean.exitCode).toBe(0);
    expect(clean.stderr).toBe('');
  });
});

interface Corruption {
  name: string;
  /** Breaks the cache at `dir`; returns the path a report must name. */
  apply(b: Built): Promise<string>;
  /** What the report says. */
  says: RegExp;
  /** What rvr cache verify says it found (default: the one entry, or a record, corrupt). */
  verified?: RegExp;
}

interface RecordJson {
  library: { file: string };
  summary: { mode: string };
  fields: Array<{ name: string; value: string }>;
}

async function editRecord(b: Built, edit: (r: RecordJson) => void): Promise<string> {
  const file = path.join(entryDir(b.dir, b.key), 'entry.json');
  const record = JSON.parse(await readFile(file, 'utf8')) as RecordJson;
  edit(record);
  await writeFile(file, JSON.stringify(record));
  return file;
}

const CORRUPTIONS: Corruption[] = [
  {
    name: 'library.so is a directory',
    async apply(b) {
      const lib = path.join(entryDir(b.dir, b.key), 'library.so');
      await rm(lib);
      await mkdir(lib);
      return lib;
    },
    says: /is a directory, not a file/,
  },
  {
    name: 'library.so is a FIFO',
    async apply(b) {
      const lib = path.join(entryDir(b.dir, b.key), 'library.so');
      await rm(lib);
      execFileSync('mkfifo', [lib]);
      return lib;
    },
    says: /is a FIFO, not a file/,
  },
  {
    name: 'library.so is a symlink out of the entry (to /dev/zero)',
    async apply(b) {
      const lib = path.join(entryDir(b.dir, b.key), 'library.so');
      await rm(lib);
      await symlink('/dev/zero', lib);
      return lib;
    },
    says: /is a symbolic link, not a file/,
  },
  {
    name: 'the record names "" as the library',
    apply: (b) => editRecord(b, (r) => (r.library.file = '')),
    says: /names library "", not "library\.so"/,
  },
  {
    name: 'the record names ".." as the library',
    apply: (b) => editRecord(b, (r) => (r.library.file = '..')),
    says: /names library "\.\.", not "library\.so"/,
  },
  {
    name: 'the record names a path out of the entry',
    apply: (b) => editRecord(b, (r) => (r.library.file = `../${b.key}/library.so`)),
    says: /names library "\.\.\/[0-9a-f]{64}\/library\.so", not "library\.so"/,
  },
  {
    name: "the record's summary names another mode",
    apply: (b) => editRecord(b, (r) => (r.summary.mode = 'metered')),
    says: /its summary \(mode, XLEN, memory size\) differs from the library's fingerprint fields/,
  },
  {
    name: "the record's fingerprint fields are edited",
    apply: (b) => editRecord(b, (r) => (r.fields.find((f) => f.name === 'compiler.version')!.value = 'cc 0.1')),
    says: /its fingerprint fields differ from the ones compiled into the library/,
  },
  {
    name: 'entry.json is a directory',
    async apply(b) {
      const file = path.join(entryDir(b.dir, b.key), 'entry.json');
      await rm(file);
      await mkdir(file);
      return file;
    },
    says: /is a directory, not a file/,
  },
  {
    name: 'entry.json is cut short',
    async apply(b) {
      const file = path.join(entryDir(b.dir, b.key), 'entry.json');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, text.length >> 1));
      return file;
    },
    says: /not valid JSON/,
  },
  {
    name: 'the entry is a file, not a directory',
    async apply(b) {
      const dir = entryDir(b.dir, b.key);
      await rm(dir, { recursive: true });
      await writeFile(dir, 'not an entry');
      return dir;
    },
    says: /is a file, not a directory/,
  },
  {
    name: 'the pre-key record is a directory',
    async apply(b) {
      const file = preKeyFile(b.dir, b.preKey);
      await rm(file);
      await mkdir(file);
      return file;
    },
    says: /is a directory, not a file/,
  },
  {
    name: 'the pre-key record is not JSON',
    async apply(b) {
      const file = preKeyFile(b.dir, b.preKey);
      await writeFile(file, '{"format":"rvr-cache-pre');
      return file;
    },
    says: /not valid JSON/,
  },
  {
    name: 'the toolchain record is a directory',
    async apply(b) {
      const [name] = await listDir(path.join(b.dir, 'toolchains'));
      const file = path.join(b.dir, 'toolchains', name!);
      await rm(file);
      await mkdir(file);
      return file;
    },
    says: /is a directory, not a file/,
    verified: /^1 of 1 entries verified .*; 1 record corrupt, moved to quarantine$/m,
  },
  {
    name: 'prekeys/ is a file',
    async apply(b) {
      const dir = path.join(b.dir, 'prekeys');
      await rm(dir, { recursive: true });
      await writeFile(dir, 'not a directory');
      return dir;
    },
    says: /is a file, not a directory/,
    verified: /^1 of 1 entries verified .*; 1 damaged cache directory, moved to quarantine$/m,
  },
];

describe('every I/O problem in the cache heals, in one line naming the path (finding 5)', () => {
  let pristine: Built;
  let elf: string;
  beforeAll(async () => {
    elf = await guestElf('asm_main', 'rv64im');
    pristine = await build(elf, path.join(await newDir('heal'), 'cache'), ASM_EXIT);
  });

  /** A copy of the pristine cache. */
  async function copy(): Promise<Built> {
    const dir = path.join(await mkdtemp(path.join(path.dirname(pristine.dir), 'copy-')), 'cache');
    await cp(pristine.dir, dir, { recursive: true });
    return { ...pristine, dir };
  }

  for (const c of CORRUPTIONS) {
    it(`${c.name}: rvr run quarantines and rebuilds; rvr cache verify reports it`, async () => {
      const b = await copy();
      const where = await c.apply(b);
      const r = await rvr(['run', elf, '--cache-dir', b.dir, ...FAST]);
      expect(r.exitCode, r.stderr).toBe(ASM_EXIT);
      expect(r.stdout).toBe(pristine.stdout);
      expectOneLineNaming(r.stderr, where, new RegExp(`${c.says.source}.*moved to ${path.join(b.dir, 'quarantine')}`));
      expect(await listDir(path.join(b.dir, 'quarantine'))).toHaveLength(1);
      // Healed: quiet from now on.
      const again = await rvr(['run', elf, '--cache-dir', b.dir, ...FAST]);
      expect(again.exitCode).toBe(ASM_EXIT);
      expect(again.stderr).toBe('');
      expect((await rvr(['cache', 'verify', '--cache-dir', b.dir])).exitCode).toBe(0);

      // The same damage found by rvr cache verify instead.
      const v = await copy();
      const vwhere = await c.apply(v);
      const verify = await rvr(['cache', 'verify', '--cache-dir', v.dir]);
      expectOneLineNaming(verify.stderr, vwhere, c.says);
      expect(verify.exitCode).toBe(1);
      expect(verify.stdout).toMatch(c.verified ?? /^[01] of 1 entries verified .*; 1 (record )?corrupt, moved to quarantine$/m);
      expect((await rvr(['cache', 'verify', '--cache-dir', v.dir])).exitCode).toBe(0);
    });
  }
});

describe('a loaded library is a private copy (finding 6)', () => {
  it('truncating or overwriting the cache entry while a process uses the program does not kill it', async () => {
    const dir = await newDir('heal');
    const elf = await guestElf('asm_main', 'rv64im');
    const built = await build(elf, dir, ASM_EXIT);
    const script = `
      import { loadProgram } from ${JSON.stringify(path.join(REPO_ROOT, 'dist', 'index.js'))};
      import { openSync, writeSync, closeSync, statSync, truncateSync } from 'node:fs';
      import { join } from 'node:path';
      const [elf, dir] = process.argv.slice(1);
      const loaded = await loadProgram(elf, { optLevel: 'O0', cache: { dir } });
      const lib = join(dir, 'entries', loaded.key, 'library.so');
      const runs = [];
      const once = async () => { const r = await loaded.program.run(); runs.push([r.exitCode, r.stdout.toString().trimEnd()]); };
      await once();
      const size = statSync(lib).size;
      truncateSync(lib, 0);
      await once();
      // Overwritten in place (same inode), back to full size with garbage.
      const fd = openSync(lib, 'r+');
      writeSync(fd, Buffer.alloc(size, 0xff), 0, size, 0);
      closeSync(fd);
      await once();
      const m = loaded.program.createMachine();
      await m.run({ maxInstructions: 3 });
      truncateSync(lib, 0);
      const rest = await m.run();
      runs.push([rest.exitCode, m.program.path === lib]);
      process.stdout.write(JSON.stringify({ cache: loaded.cache, runs }));
    `;
    const r = await nodeScript(script, [elf, dir]);
    expect(r.signal, r.stderr).toBeUndefined();
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { cache: string; runs: Array<[number, string | boolean]> };
    expect(report.cache).toBe('hit');
    expect(report.runs).toEqual([
      [ASM_EXIT, built.stdout],
      [ASM_EXIT, built.stdout],
      [ASM_EXIT, built.stdout],
      [ASM_EXIT, false], // the program was not loaded from the cache entry
    ]);
    // The damaged entry is caught by the next user and rebuilt.
    const next = await rvr(['run', elf, '--cache-dir', dir, ...FAST]);
    expect(next.exitCode).toBe(ASM_EXIT);
    expect(next.stderr).toMatch(/^rvr: cache: entry [0-9a-f]{16} is corrupt \(.*library\.so.*\); moved to .*, rebuilding$/);
  });
});

describe('LRU bookkeeping never reaches outside the cache', () => {
  it('a symbolic link in access/ gets its own time updated, not the file it names', async () => {
    const dir = await newDir('heal');
    const cache = new ArtifactCache({ dir, log: () => {} });
    const fp = 'cd'.repeat(32);
    const body = Buffer.from(`\x7fELF..."fingerprint":"${fp}"}\0`);
    await cache.publish(fp, [], { xlen: 64, mode: 'pure', memoryBits: 28, instructions: 1, undecodable: 0, regions: 1, blocks: 1 }, (lib) => writeFile(lib, body));
    const outside = path.join(dir, '..', `outside-${path.basename(dir)}`);
    await writeFile(outside, 'not the cache');
    await utimes(outside, new Date(1000), new Date(1000));
    const access = path.join(dir, 'access', fp);
    await rm(access);
    await symlink(outside, access);
    await cache.touch(fp);
    expect((await stat(outside)).mtimeMs).toBe(1000);
    expect((await lstat(access)).mtimeMs).toBeGreaterThan(1000);
  });
});
