/**
 * The artifact cache (issue 4) with real processes: hits across processes leave the cached
 * library untouched, keys separate programs and modes, every fingerprint field changes the key
 * and nothing volatile does, concurrent builders and killed writers are harmless, and corrupt
 * entries are found before loading, reported, moved aside and rebuilt.
 *
 * Libraries are compiled at -O0 (the tiny guests' behaviour does not depend on it), and each
 * test uses its own cache directory.
 */
import { execa, type ResultPromise } from 'execa';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactCache } from '../src/cache/cache.js';
import { compileIdentity, compileProject, projectFingerprint, writeProject } from '../src/compile/compile.js';
import { computeFingerprint, diffFingerprintFields, embeddedFingerprint, type FingerprintField } from '../src/compile/fingerprint.js';
import { computePreKey, preKeyDigest } from '../src/cache/prekey.js';
import { readElf } from '../src/elf/parse.js';
import { generateProject } from '../src/emit/project.js';
import { fixtureElf, guestElf, REPO_ROOT } from './support/guests.js';

const CLIENT = path.join(REPO_ROOT, 'test', 'support', 'cache-client.mjs');
const RVR = path.join(REPO_ROOT, 'bin', 'rvr.js');
const FAST = { optLevel: 'O0' } as const;
/** asm_main prints two lines and exits with 186 (test/guests/asm_main.json). */
const ASM_EXIT = 186;

interface ClientReport {
  cache: 'hit' | 'miss';
  via: 'prekey' | 'fingerprint' | null;
  key: string;
  preKey: string | null;
  library: string;
  /** The loaded program's file: a private copy of the library, unlinked once loaded. */
  programPath: string;
  fingerprint: string | null;
  mode: string;
  memoryBits: number;
  status: string;
  exitCode: number | null;
  stdout: string;
}

/** The environment of a test process: no cache settings or debug switches from ours. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('RVR_') && k !== 'XDG_CACHE_HOME') env[k] = v;
  }
  return { ...env, ...extra };
}

function startClient(elf: string, options: Record<string, unknown>, how: { env?: Record<string, string>; cwd?: string } = {}): ResultPromise {
  return execa('node', [CLIENT, JSON.stringify({ elf, options })], {
    reject: false,
    env: cleanEnv(how.env),
    extendEnv: false,
    ...(how.cwd ? { cwd: how.cwd } : {}),
  });
}

async function client(elf: string, options: Record<string, unknown>, how: { env?: Record<string, string>; cwd?: string } = {}): Promise<ClientReport & { stderr: string }> {
  const r = await startClient(elf, options, how);
  if (r.exitCode !== 0) throw new Error(`cache client failed (exit ${r.exitCode}): ${String(r.stderr)}`);
  return { ...(JSON.parse(String(r.stdout)) as ClientReport), stderr: String(r.stderr) };
}

const rvr = (args: string[], env: Record<string, string> = {}) => execa('node', [RVR, ...args], { reject: false, env: cleanEnv(env), extendEnv: false });

const newDir = (what: string): Promise<string> => mkdtemp(path.join(tmpdir(), `rvr-${what}-`));

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return [];
    throw e;
  }
}

describe('artifact cache across processes', () => {
  it('a second process gets a pre-key hit, quietly, and the cached library keeps its mtime and inode', async () => {
    const dir = await newDir('cache');
    const elf = await guestElf('asm_main', 'rv64im');
    const first = await client(elf, { ...FAST, cache: { dir } });
    expect(first.cache).toBe('miss');
    expect(first.exitCode).toBe(ASM_EXIT);
    expect(first.fingerprint).toBe(first.key);
    expect(first.library).toBe(path.join(dir, 'entries', first.key, 'library.so'));
    expect(first.programPath).not.toBe(first.library);
    await expect(stat(first.programPath)).rejects.toThrow(/ENOENT/); // the private copy is unlinked
    const before = await stat(first.library, { bigint: true });
    const accessBefore = await stat(path.join(dir, 'access', first.key), { bigint: true });

    const second = await client(elf, { ...FAST, cache: { dir } });
    expect(second).toMatchObject({ cache: 'hit', via: 'prekey', key: first.key, preKey: first.preKey, library: first.library, exitCode: ASM_EXIT });
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(''); // a hit is quiet
    const after = await stat(first.library, { bigint: true });
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(after.ctimeNs).toBe(before.ctimeNs);
    // The use was recorded beside the library, for LRU eviction.
    expect((await stat(path.join(dir, 'access', first.key), { bigint: true })).mtimeNs).toBeGreaterThanOrEqual(accessBefore.mtimeNs);

    // Without the pre-key record codegen runs and the full fingerprint finds the entry.
    await writeFile(path.join(dir, 'prekeys', 'unrelated.json'), '{}'); // unrelated junk is ignored
    await rename(path.join(dir, 'prekeys', `${first.preKey}.json`), path.join(dir, 'prekeys-moved.json'));
    const third = await client(elf, { ...FAST, cache: { dir } }, { env: { RVR_DEBUG: '1' } });
    expect(third).toMatchObject({ cache: 'hit', via: 'fingerprint', key: first.key });
    expect(third.stderr).toMatch(/^rvr: cache: miss for .*asm_main\.elf: no pre-key record [0-9a-f]{16} \(new inputs\); running codegen$/m);
    expect((await stat(first.library, { bigint: true })).mtimeNs).toBe(before.mtimeNs);
  });

  it('interleaving two programs and three modes never mixes entries', async () => {
    const dir = await newDir('cache');
    const programs = [
      { elf: await guestElf('asm_main', 'rv64im'), exit: ASM_EXIT },
      { elf: await guestElf('exit_nested', 'rv32im'), exit: undefined as number | undefined },
    ];
    const modes = ['pure', 'metered', 'metered_cost'] as const;
    const keys = new Map<string, string>();
    const stdouts = new Map<string, string>();
    for (const round of [1, 2]) {
      for (const mode of round === 1 ? modes : [...modes].reverse()) {
        // Both programs at once: different keys in one cache at the same time.
        const reports = await Promise.all(programs.map((p) => client(p.elf, { ...FAST, mode, cache: { dir } })));
        reports.forEach((r, k) => {
          const id = `${k}/${mode}`;
          expect(r.cache, id).toBe(round === 1 ? 'miss' : 'hit');
          expect(r.mode, id).toBe(mode);
          expect(r.fingerprint, id).toBe(r.key);
          if (programs[k].exit !== undefined) expect(r.exitCode, id).toBe(programs[k].exit);
          if (round === 1) {
            keys.set(id, r.key);
            // Every mode of a program behaves the same.
            const out = stdouts.get(String(k));
            if (out === undefined) stdouts.set(String(k), `${r.exitCode}:${r.stdout}`);
            else expect(`${r.exitCode}:${r.stdout}`, id).toBe(out);
          } else {
            expect(r.key, id).toBe(keys.get(id));
            expect(`${r.exitCode}:${r.stdout}`, id).toBe(stdouts.get(String(k)));
          }
        });
      }
    }
    expect(new Set(keys.values()).size).toBe(6);
    expect(await listDir(path.join(dir, 'entries'))).toEqual([...keys.values()].sort());
  });
});

describe('fingerprint fields', () => {
  /** Fingerprint and pre-key of asm_main for `options`, computed without compiling. */
  async function keysOf(options: Record<string, unknown>, cache: ArtifactCache, elfPath?: string) {
    const elf = elfPath ?? (await guestElf('asm_main', 'rv64im'));
    const project = generateProject(await readElf(elf), options);
    const fp = await projectFingerprint(project, options);
    const pre = await computePreKey(await readFile(elf), options, cache);
    return { fp, pre };
  }
  const changed = (a: FingerprintField[], b: FingerprintField[]): string[] =>
    diffFingerprintFields(a, b).map((d) => (d.name.startsWith('file:') ? 'file:*' : d.name)).filter((n, k, all) => all.indexOf(n) === k);

  it('each field changes both keys, and explains itself', async () => {
    const cache = new ArtifactCache({ dir: await newDir('cache') });
    const base = await keysOf(FAST, cache);
    const cases: Array<[string, Record<string, unknown>, string[], string[]]> = [
      ['mode', { mode: 'metered' }, ['mode', 'file:*'], ['mode']],
      ['memory size', { memoryBits: 26 }, ['memory.bits', 'file:*'], ['memory.bits']],
      ['-march level', { march: 'x86-64' }, ['march', 'flags.compile', 'flags.cold'], ['march', 'flags.compile', 'flags.cold']],
      ['optimisation flag', { optLevel: 'O1' }, ['flags.compile', 'flags.cold'], ['flags.compile', 'flags.cold']],
      ['extra compile flag', { cflags: ['-fno-inline'] }, ['flags.compile', 'flags.cold'], ['flags.compile', 'flags.cold']],
      ['define', { defines: { GUEST_FLAVOUR: '2' } }, ['defines'], ['defines']],
      // asm_main has no line table: the generated files stay the same, -g and the prefix map do not.
      ['debug info', { debugInfo: true }, ['flags.compile', 'flags.cold'], ['debugInfo', 'flags.compile', 'flags.cold']],
    ];
    const seen = new Set([base.fp.digest]);
    for (const [what, extra, fpFields, preFields] of cases) {
      const k = await keysOf({ ...FAST, ...extra }, cache);
      expect(k.fp.digest, what).not.toBe(base.fp.digest);
      expect(k.pre.digest, what).not.toBe(base.pre.digest);
      expect(changed(base.fp.fields, k.fp.fields), what).toEqual(fpFields);
      expect(changed(base.pre.fields, k.pre.fields), what).toEqual(preFields);
      seen.add(k.fp.digest);
    }
    expect(seen.size).toBe(cases.length + 1);
    const costA = await keysOf({ ...FAST, mode: 'metered_cost' }, cache);
    const costB = await keysOf({ ...FAST, mode: 'metered_cost', costTable: { alu: 1n, muldiv: 5n, load: 3n, store: 3n, branch: 2n, jump: 2n, system: 10n } }, cache);
    expect(changed(costA.fp.fields, costB.fp.fields)).toEqual(['costTable', 'file:*']);
    expect(changed(costA.pre.fields, costB.pre.fields)).toEqual(['costTable']);
  });

  it('debug info: a guest with a line table changes the files too; off is the same as not asked', async () => {
    const cache = new ArtifactCache({ dir: await newDir('cache') });
    const elf = await fixtureElf('test/fixtures/debug/lines.c', 'lines-g', 'rv64im', ['-g']);
    const plain = await keysOf(FAST, cache, elf);
    const off = await keysOf({ ...FAST, debugInfo: false }, cache, elf);
    const on = await keysOf({ ...FAST, debugInfo: true }, cache, elf);
    expect(off.fp.digest).toBe(plain.fp.digest);
    expect(changed(plain.fp.fields, on.fp.fields)).toEqual(['file:*', 'flags.compile', 'flags.cold']);
    expect(changed(plain.pre.fields, on.pre.fields)).toEqual(['debugInfo', 'flags.compile', 'flags.cold']);
    const flags = JSON.parse(on.fp.fields.find((f) => f.name === 'flags.compile')!.value) as string[];
    expect(flags).toEqual(expect.arrayContaining(['-g', '-ffile-prefix-map=$PROJECT_DIR=.']));
  });

  it('debug info: the library has .debug_info naming the guest source, no temporary or checkout path, and the same bytes from any project directory', async () => {
    const work = await newDir('debug');
    const elf = await fixtureElf('test/fixtures/debug/lines.c', 'lines-g', 'rv32im', ['-g']);
    const options = { ...FAST, debugInfo: true };
    const project = generateProject(await readElf(elf), options);
    const [soA, soB] = [path.join(work, 'a.so'), path.join(work, 'b.so')];
    const ra = await compileProject(project, soA, { ...options, sourceDir: path.join(work, 'project-a') });
    const rb = await compileProject(project, soB, options); // a fresh temporary directory
    expect(rb.fingerprint.digest).toBe(ra.fingerprint.digest);
    const bytes = await readFile(soA);
    expect((await readFile(soB)).equals(bytes)).toBe(true);
    const sections = (await execa('readelf', ['-S', '-W', soA])).stdout;
    expect(sections).toMatch(/\.debug_info/);
    expect(sections).toMatch(/\.debug_line/);
    const text = bytes.toString('latin1');
    for (const bad of [work, REPO_ROOT, tmpdir() + '/', '/work/', 'rvr-cc-', '$PROJECT_DIR']) expect(text.includes(bad), bad).toBe(false);
    // The line table names the guest's source, relative.
    const lines = (await execa('readelf', ['--debug-dump=decodedline', '-W', soA])).stdout;
    expect(lines).toMatch(/^test\/fixtures\/debug\/lines\.c:$/m);
    expect(lines).toMatch(/^lines\.c\s+5\s+0x/m);
  });

  it('a project written to disk and read back (as the Bazel compile action does) has the same fingerprint', async () => {
    const work = await newDir('readback');
    const options = { ...FAST, mode: 'metered_cost' as const };
    const project = generateProject(await readElf(await guestElf('asm_main', 'rv64im')), options);
    await writeProject(project, work);
    const files = await Promise.all((await readdir(work)).map(async (p) => ({ path: p, contents: await readFile(path.join(work, p), 'utf8') })));
    const id = await compileIdentity(options);
    const fromDisk = computeFingerprint({ files }, id);
    expect(fromDisk.digest).toBe((await projectFingerprint(project, options)).digest);
    expect(fromDisk.fields.find((f) => f.name === 'mode')?.value).toBe('metered_cost');
    expect(fromDisk.fields.find((f) => f.name === 'costTable')?.value).toMatch(/"alu":"1"/);
    expect(() => computeFingerprint({ files: files.filter((f) => f.path !== 'program.c') }, id)).toThrow(/neither a generated program\.c with metadata nor a summary/);
  });

  it('nothing else changes them: another ELF path, another project dir, cwd, TMPDIR or process', async () => {
    const work = await newDir('fields');
    const elf = await guestElf('asm_main', 'rv64im');
    const copy = path.join(work, 'renamed-guest.elf');
    await copyFile(elf, copy);
    const cache = new ArtifactCache({ dir: path.join(work, 'cache') });
    const a = await keysOf(FAST, cache, elf);
    const b = await keysOf(FAST, cache, copy);
    expect(b.fp.digest).toBe(a.fp.digest);
    expect(b.pre.digest).toBe(a.pre.digest);

    // The same project compiled in two project directories: same embedded fingerprint, same bytes.
    const project = generateProject(await readElf(elf), FAST);
    const [soA, soB] = [path.join(work, 'a', 'lib.so'), path.join(work, 'b', 'lib.so')];
    const [ra, rb] = await Promise.all([
      compileProject(project, soA, { ...FAST, sourceDir: path.join(work, 'project-a') }),
      compileProject(project, soB, { ...FAST, sourceDir: path.join(work, 'project-b') }),
    ]);
    expect(ra.fingerprint.digest).toBe(a.fp.digest);
    expect(rb.fingerprint.digest).toBe(a.fp.digest);
    const [bytesA, bytesB] = [await readFile(soA), await readFile(soB)];
    expect(embeddedFingerprint(bytesA)).toBe(a.fp.digest);
    expect(bytesB.equals(bytesA)).toBe(true);

    // Processes with other working directories and temp directories share the entry.
    const dir = path.join(work, 'cache');
    const first = await client(copy, { ...FAST, cache: { dir } });
    expect(first.key).toBe(a.fp.digest);
    // (Its pre-key differs from the in-process one: the code generator here is src/, there dist/.)
    const otherTmp = path.join(work, 'other-tmp');
    await mkdir(otherTmp);
    const second = await client(elf, { ...FAST, cache: { dir } }, { cwd: otherTmp, env: { TMPDIR: otherTmp } });
    expect(second).toMatchObject({ cache: 'hit', via: 'prekey', key: first.key, preKey: first.preKey });
  });

  it('a new compiler version (wrapper script) misses, and rvr explain names exactly that field', async () => {
    const work = await newDir('wrapper');
    const dir = path.join(work, 'cache');
    const wrapper = path.join(work, 'cc');
    const writeWrapper = async (version: string): Promise<void> => {
      await writeFile(wrapper, `#!/bin/sh\nif [ "$1" = --version ]; then echo "wrapped cc ${version}"; exit 0; fi\nexec clang "$@"\n`);
      await chmod(wrapper, 0o755);
    };
    const elf = await guestElf('asm_main', 'rv64im');
    await writeWrapper('1.0');
    const v1 = await client(elf, { ...FAST, cc: wrapper, cache: { dir } });
    expect(v1.cache).toBe('miss');
    expect((await client(elf, { ...FAST, cc: wrapper, cache: { dir } })).cache).toBe('hit');
    await writeWrapper('2.0.1');
    const v2 = await client(elf, { ...FAST, cc: wrapper, cache: { dir } });
    expect(v2.cache).toBe('miss');
    expect(v2.key).not.toBe(v1.key);
    expect(v2.preKey).not.toBe(v1.preKey);
    expect(v2.exitCode).toBe(ASM_EXIT);

    const byKey = await rvr(['explain', v1.key, v2.key, '--cache-dir', dir]);
    expect(byKey.exitCode).toBe(0);
    expect(byKey.stdout).toMatch(/^1 field differs:$/m);
    expect(byKey.stdout).toMatch(/^  compiler\.version\n    A: wrapped cc 1\.0\n    B: wrapped cc 2\.0\.1$/m);
    const byPreKey = await rvr(['explain', v1.preKey!.slice(0, 12), v2.preKey!, '--cache-dir', dir]);
    expect(byPreKey.stdout).toMatch(/^pre-key A /m);
    expect(byPreKey.stdout).toMatch(/^1 field differs:\n  compiler\.version$/m);
    // Two library files explain the same way (fields read from the files, not the cache).
    const byFile = await rvr(['explain', v1.library, v2.library]);
    expect(byFile.stdout).toMatch(/^1 field differs:\n  compiler\.version$/m);
    const same = await rvr(['explain', v1.library, path.join(dir, 'entries', v1.key, 'entry.json')]);
    expect(same.stdout.trim()).toBe(`same fingerprint ${v1.key}`);
  });
});

describe('concurrent and interrupted writers', () => {
  it('8 processes building the same key at once all succeed and leave one entry', async () => {
    const dir = await newDir('cache');
    const elf = await guestElf('asm_main', 'rv64im');
    const reports = await Promise.all(Array.from({ length: 8 }, () => client(elf, { ...FAST, cache: { dir } })));
    const key = reports[0].key;
    for (const r of reports) {
      expect(r.key).toBe(key);
      expect(r.fingerprint).toBe(key);
      expect(r.exitCode).toBe(ASM_EXIT);
      expect(r.stdout).toBe(reports[0].stdout);
      expect(r.stderr).toBe('');
    }
    expect(await listDir(path.join(dir, 'entries'))).toEqual([key]);
    expect(await listDir(path.join(dir, 'tmp'))).toEqual([]);
    const verify = await rvr(['cache', 'verify', '--cache-dir', dir]);
    expect(verify.stdout).toMatch(/^1 of 1 entries verified/);
    expect(verify.exitCode).toBe(0);
  });

  it('a writer killed (SIGKILL) while writing the library leaves no entry that loads', async () => {
    const dir = await newDir('cache');
    const elf = await guestElf('asm_main', 'rv64im');
    const writer = startClient(elf, { ...FAST, cache: { dir } });
    // Kill as soon as the linker starts writing the library into the private temp entry.
    const tmp = path.join(dir, 'tmp');
    let killedWhileWriting = false;
    for (let waited = 0; waited < 120_000; waited += 5) {
      const entries = await listDir(tmp);
      const files = (await Promise.all(entries.map((e) => listDir(path.join(tmp, e))))).flat();
      if (files.some((f) => f.includes('library.so'))) {
        writer.kill('SIGKILL');
        killedWhileWriting = true;
        break;
      }
      if (writer.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ended = await writer;
    expect(killedWhileWriting).toBe(true);
    expect(ended.signal).toBe('SIGKILL');
    // Nothing was published (or, had the rename won the race, it is whole).
    const verify = await rvr(['cache', 'verify', '--cache-dir', dir]);
    expect(verify.exitCode).toBe(0);
    expect(await listDir(path.join(dir, 'prekeys'))).toEqual([]);
    const next = await client(elf, { ...FAST, cache: { dir } });
    expect(next.exitCode).toBe(ASM_EXIT);
    expect(next.stderr).toBe('');
    expect(await listDir(path.join(dir, 'entries'))).toEqual([next.key]);
  });
});

describe('corrupt entries', () => {
  const REPORT = /^rvr: cache: entry ([0-9a-f]{16}) is corrupt \((.*)\); moved to (.*), rebuilding$/;

  async function expectRebuilt(dir: string, elf: string, options: Record<string, unknown>, key: string, problem: RegExp): Promise<void> {
    const before = await listDir(path.join(dir, 'quarantine'));
    const r = await client(elf, { ...options, cache: { dir } });
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const m = REPORT.exec(lines[0]);
    expect(m, r.stderr).not.toBeNull();
    expect(m![1]).toBe(key.slice(0, 16));
    expect(m![2]).toMatch(problem);
    expect(r).toMatchObject({ cache: 'miss', key, fingerprint: key, exitCode: ASM_EXIT });
    expect(await listDir(path.join(dir, 'quarantine'))).toHaveLength(before.length + 1);
  }

  it('truncation, a flipped byte and entries swapped between keys are caught before loading and rebuilt', async () => {
    const dir = await newDir('cache');
    const elf = await guestElf('asm_main', 'rv64im');
    const pure = { ...FAST, mode: 'pure' };
    const metered = { ...FAST, mode: 'metered' };
    const [a, b] = await Promise.all([client(elf, { ...pure, cache: { dir } }), client(elf, { ...metered, cache: { dir } })]);
    const libA = path.join(dir, 'entries', a.key, 'library.so');
    const libB = path.join(dir, 'entries', b.key, 'library.so');

    await truncate(libA, (await stat(libA)).size >> 1);
    await expectRebuilt(dir, elf, pure, a.key, /truncated/);

    const bytes = await readFile(libA);
    bytes[bytes.length >> 1] ^= 0x40;
    await writeFile(libA, bytes);
    await expectRebuilt(dir, elf, pure, a.key, /does not match its recorded SHA-256/);

    // Whole entries swapped between the keys: each record names the other fingerprint.
    const swap = path.join(dir, 'entries', 'swap');
    await rename(path.join(dir, 'entries', a.key), swap);
    await rename(path.join(dir, 'entries', b.key), path.join(dir, 'entries', a.key));
    await rename(swap, path.join(dir, 'entries', b.key));
    await expectRebuilt(dir, elf, pure, a.key, /a foreign entry/);
    await expectRebuilt(dir, elf, metered, b.key, /a foreign entry/);

    // Only the library swapped, its record patched to match: the embedded fingerprint catches it.
    const recordFile = path.join(dir, 'entries', a.key, 'entry.json');
    const record = JSON.parse(await readFile(recordFile, 'utf8'));
    const foreign = await readFile(libB);
    const { createHash } = await import('node:crypto');
    record.library.sha256 = createHash('sha256').update(foreign).digest('hex');
    record.library.size = foreign.length;
    await writeFile(recordFile, JSON.stringify(record));
    await writeFile(libA, foreign);
    await expectRebuilt(dir, elf, pure, a.key, /embeds fingerprint [0-9a-f]{16} \(a foreign library\)/);
    const verify = await rvr(['cache', 'verify', '--cache-dir', dir]);
    expect(verify.stdout).toMatch(/^2 of 2 entries verified/);
    expect(await listDir(path.join(dir, 'quarantine'))).toHaveLength(5);

    // A pre-key record pointing at another key's (sound) entry is not trusted: b's entry does
    // not record a's inputs. The record is moved aside and repaired.
    const preKeyFile = path.join(dir, 'prekeys', `${a.preKey}.json`);
    const preKeyRecord = JSON.parse(await readFile(preKeyFile, 'utf8'));
    await writeFile(preKeyFile, JSON.stringify({ ...preKeyRecord, fingerprint: b.key }));
    const misled = await client(elf, { ...pure, cache: { dir } });
    expect(misled.stderr.trim()).toMatch(
      new RegExp(`^rvr: cache: pre-key record ${preKeyFile} names entry ${b.key.slice(0, 16)}, which was not built from these inputs \\(.*/inputs/${a.preKey}\\.json is missing\\); moved to ${dir}/quarantine/${a.preKey}\\.json\\.[0-9a-f]{8}$`),
    );
    expect(misled).toMatchObject({ cache: 'hit', via: 'fingerprint', key: a.key, mode: 'pure' });
    expect(JSON.parse(await readFile(preKeyFile, 'utf8')).fingerprint).toBe(a.key);
    expect(await listDir(path.join(dir, 'quarantine'))).toHaveLength(6);
  });

  it('rvr cache verify quarantines a corrupt entry and reports it', async () => {
    const dir = await newDir('cache');
    const cache = new ArtifactCache({ dir, log: () => {} });
    const fp = 'ab'.repeat(32);
    await cache.publish(fp, [], fakeSummary(), async (lib) => writeFile(lib, fakeLibrary(fp, 100)));
    await writeFile(path.join(dir, 'entries', fp, 'library.so'), 'garbage');
    const r = await rvr(['cache', 'verify', '--cache-dir', dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^rvr: cache: entry ${fp.slice(0, 16)} is corrupt \\(.*truncated.*\\); moved to `));
    expect(r.stdout).toMatch(/^0 of 1 entries verified .*; 1 corrupt, moved to quarantine$/m);
    expect(await listDir(path.join(dir, 'entries'))).toEqual([]);
  });
});

function fakeSummary() {
  return { xlen: 64, mode: 'pure' as const, memoryBits: 28, instructions: 1, undecodable: 0, regions: 1, blocks: 1 };
}

/** Bytes that carry an embedded fingerprint the way a compiled library does. */
function fakeLibrary(fp: string, size: number): Buffer {
  const body = Buffer.from(`\x7fELF..."fingerprint":"${fp}"}\0`);
  return Buffer.concat([body, Buffer.alloc(Math.max(0, size - body.length))]);
}

describe('cache store', () => {
  it('gc evicts the least recently used entries and their pre-keys; a hit refreshes only the access record', async () => {
    const dir = await newDir('cache');
    const cache = new ArtifactCache({ dir, log: () => {} });
    const fps = ['11', '22', '33'].map((s) => s.repeat(32));
    for (const fp of fps) {
      await cache.publish(fp, [], fakeSummary(), async (lib) => writeFile(lib, fakeLibrary(fp, 1000)));
      const fields = [{ name: 'elf', value: fp }];
      await cache.writePreKey({ format: 'rvr-cache-prekey/1', preKey: preKeyDigest(fields), fingerprint: fp, fields });
    }
    // Last used: 22 oldest, then 11, then 33.
    const { utimes } = await import('node:fs/promises');
    await utimes(path.join(dir, 'access', fps[1]), new Date(1000), new Date(1000));
    await utimes(path.join(dir, 'access', fps[0]), new Date(2000), new Date(2000));
    const lib0 = await stat(cache.libraryPath(fps[0]), { bigint: true });
    await cache.touch(fps[0]);
    expect((await stat(cache.libraryPath(fps[0]), { bigint: true })).mtimeNs).toBe(lib0.mtimeNs);

    const r = await rvr(['cache', 'gc', '--max-size', '2500', '--cache-dir', dir]);
    expect(r.stdout).toMatch(/^evicted 1 entry; 2 left/);
    expect(await listDir(path.join(dir, 'entries'))).toEqual([fps[0], fps[2]]);
    expect(await listDir(path.join(dir, 'prekeys'))).toHaveLength(2);
    const ls = await rvr(['cache', 'ls', '--cache-dir', dir]);
    expect(ls.stdout).toMatch(/^2 entries, /m);
    const cleared = await rvr(['cache', 'clear', '--cache-dir', dir]);
    expect(cleared.stdout).toMatch(/^removed 2 entries from /);
    expect(await listDir(path.join(dir, 'entries'))).toEqual([]);
  });

  it('a pre-key record under another name, or with edited fields, is reported and quarantined', async () => {
    const dir = await newDir('cache');
    const lines: string[] = [];
    const cache = new ArtifactCache({ dir, log: (l) => lines.push(l) });
    const fields = [{ name: 'elf', value: 'a' }];
    const [pkA, pkB, fp] = [preKeyDigest(fields), 'b2'.repeat(32), 'c3'.repeat(32)];
    await cache.writePreKey({ format: 'rvr-cache-prekey/1', preKey: pkA, fingerprint: fp, fields });
    const fileB = path.join(dir, 'prekeys', `${pkB}.json`);
    await rename(path.join(dir, 'prekeys', `${pkA}.json`), fileB);
    expect(await cache.readPreKey(pkB)).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^rvr: cache: pre-key record is corrupt \\(${fileB} is for pre-key ${pkA.slice(0, 16)} \\(a foreign record\\)\\); moved to ${dir}/quarantine/${pkB}\\.json\\.[0-9a-f]{8}$`),
    );
    expect(await listDir(path.join(dir, 'prekeys'))).toEqual([]);
    expect(await listDir(path.join(dir, 'quarantine'))).toHaveLength(1);

    // Fields edited under the same pre-key no longer hash to it.
    await cache.writePreKey({ format: 'rvr-cache-prekey/1', preKey: pkA, fingerprint: fp, fields: [{ name: 'elf', value: 'b' }] });
    expect(await cache.readPreKey(pkA)).toBeUndefined();
    expect(lines[1]).toMatch(/its fields do not hash to its pre-key\); moved to /);
  });
});
