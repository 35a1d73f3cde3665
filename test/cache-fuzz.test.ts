/**
 * A short deterministic cache-corruption fuzz run (issue 14): real entries of two programs are
 * damaged one way at a time (truncation, bit flips, files swapped between entries or records,
 * directories, FIFOs and dangling symbolic links in place of files, records naming other paths or
 * other entries, files removed, the cache's own directories replaced by files), and each program is then loaded through the cache. Every load
 * either gives that program's own result (after a rebuild when needed), with every report one
 * line naming a path in the cache, or fails with a one-line error naming a path; never a crash
 * and never the other program. The damage is then healed: the next load is quiet and correct.
 */
import { execFileSync } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArtifactCache } from '../src/cache/cache.js';
import { loadProgram } from '../src/runtime/load.js';
import { guestElf } from './support/guests.js';
import { newDir } from './support/cache-util.js';

const SEED = 0x5eed_c0de;
const CASES = 36;
const OPTIONS = { optLevel: 'O0' } as const;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Guest {
  name: string;
  elf: string;
  key: string;
  exitCode: number;
  stdout: string;
}

/** Every regular file in the cache, relative to it, by what it is. */
async function cacheFiles(dir: string): Promise<Record<'library' | 'entry' | 'inputs' | 'prekey' | 'toolchain' | 'access', string[]>> {
  const out = { library: [] as string[], entry: [] as string[], inputs: [] as string[], prekey: [] as string[], toolchain: [] as string[], access: [] as string[] };
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const p = path.join(rel, name);
      const st = await lstat(path.join(dir, p));
      if (st.isDirectory()) await walk(p);
      else if (p.startsWith('entries/') && name === 'library.so') out.library.push(p);
      else if (p.startsWith('entries/') && name === 'entry.json') out.entry.push(p);
      else if (p.startsWith('entries/') && p.includes('/inputs/')) out.inputs.push(p);
      else if (p.startsWith('prekeys/')) out.prekey.push(p);
      else if (p.startsWith('toolchains/')) out.toolchain.push(p);
      else if (p.startsWith('access/')) out.access.push(p);
    }
  };
  await walk('.');
  for (const list of Object.values(out)) list.forEach((p, k) => (list[k] = p.replace(/^\.\//, '')));
  return out;
}

type Corrupt = (dir: string, rnd: () => number, files: Awaited<ReturnType<typeof cacheFiles>>, guests: Guest[]) => Promise<string>;

const pick = <T,>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const anyFile = (rnd: () => number, files: Awaited<ReturnType<typeof cacheFiles>>): string => pick(rnd, Object.values(files).flat());

async function editJson(file: string, edit: (v: Record<string, unknown>) => void): Promise<void> {
  const v = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(v);
  await writeFile(file, JSON.stringify(v));
}

const CORRUPTIONS: Array<[string, Corrupt]> = [
  [
    'truncate',
    async (dir, rnd, files) => {
      const f = pick(rnd, [...files.library, ...files.entry, ...files.inputs, ...files.prekey, ...files.toolchain]);
      const size = (await lstat(path.join(dir, f))).size;
      const to = Math.floor(rnd() * size);
      await truncate(path.join(dir, f), to);
      return `truncate ${f} to ${to} of ${size} bytes`;
    },
  ],
  [
    'flip bits',
    async (dir, rnd, files) => {
      const f = pick(rnd, [...files.library, ...files.library, ...files.entry, ...files.inputs, ...files.prekey]);
      const bytes = await readFile(path.join(dir, f));
      const n = 1 + Math.floor(rnd() * 4);
      const at: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = Math.floor(rnd() * bytes.length);
        bytes[i] ^= 1 << Math.floor(rnd() * 8);
        at.push(i);
      }
      await writeFile(path.join(dir, f), bytes);
      return `flip ${n} bits of ${f} at ${at.join(',')}`;
    },
  ],
  [
    'swap files',
    async (dir, rnd, files) => {
      const kind = pick(rnd, ['library', 'entry', 'inputs', 'prekey'] as const);
      const [a, b] = files[kind];
      const [ta, tb] = [await readFile(path.join(dir, a!)), await readFile(path.join(dir, b!))];
      await writeFile(path.join(dir, a!), tb);
      await writeFile(path.join(dir, b!), ta);
      return `swap ${a} and ${b}`;
    },
  ],
  [
    'directory in place of a file',
    async (dir, rnd, files) => {
      const f = anyFile(rnd, files);
      await rm(path.join(dir, f));
      await mkdir(path.join(dir, f));
      if (rnd() < 0.5) await writeFile(path.join(dir, f, 'library.so'), 'inside');
      return `directory at ${f}`;
    },
  ],
  [
    'FIFO in place of a file',
    async (dir, rnd, files) => {
      const f = anyFile(rnd, files);
      await rm(path.join(dir, f));
      execFileSync('mkfifo', [path.join(dir, f)]);
      return `FIFO at ${f}`;
    },
  ],
  [
    'dangling or foreign symbolic link',
    async (dir, rnd, files) => {
      const f = anyFile(rnd, files);
      const to = pick(rnd, ['does-not-exist', '/dev/zero', '..', path.join(dir, pick(rnd, files.library))]);
      await rm(path.join(dir, f));
      await symlink(to, path.join(dir, f));
      return `symlink ${f} -> ${to}`;
    },
  ],
  [
    'record names another library file',
    async (dir, rnd, files) => {
      const f = pick(rnd, files.entry);
      const name = pick(rnd, ['', '..', '.', '../library.so', 'library.so/', '/etc/passwd', 'inputs', 'entry.json']);
      await editJson(path.join(dir, f), (v) => ((v.library as { file: string }).file = name));
      return `${f} names library ${JSON.stringify(name)}`;
    },
  ],
  [
    'pre-key record names another entry',
    async (dir, rnd, files, guests) => {
      const f = pick(rnd, files.prekey);
      const record = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as { fingerprint: string };
      const other = rnd() < 0.75 ? guests.find((g) => g.key !== record.fingerprint)!.key : 'ab'.repeat(32);
      await editJson(path.join(dir, f), (v) => (v.fingerprint = other));
      return `${f} names entry ${other.slice(0, 16)}`;
    },
  ],
  [
    'input record copied into the other entry',
    async (dir, rnd, files) => {
      const [a, b] = files.inputs;
      const [from, into] = rnd() < 0.5 ? [a!, b!] : [b!, a!];
      const target = path.join(path.dirname(into), path.basename(from));
      await writeFile(path.join(dir, target), await readFile(path.join(dir, from)));
      return `copy ${from} to ${target}`;
    },
  ],
  [
    'cache directory replaced by a file',
    async (dir, rnd) => {
      const sub = pick(rnd, ['entries', 'prekeys', 'access', 'toolchains', 'quarantine', 'tmp']);
      await rm(path.join(dir, sub), { recursive: true, force: true });
      await writeFile(path.join(dir, sub), 'not a directory');
      return `file at ${sub}/`;
    },
  ],
  [
    'file removed',
    async (dir, rnd, files) => {
      const f = anyFile(rnd, files);
      await rm(path.join(dir, f));
      return `remove ${f}`;
    },
  ],
];

describe('cache corruption fuzz (fixed seed)', () => {
  let pristine: string;
  let guests: Guest[];
  beforeAll(async () => {
    pristine = path.join(await newDir('fuzz'), 'cache');
    guests = [];
    for (const [name, exitCode] of [['asm_main', 186], ['exit_nested', 123]] as const) {
      const elf = await guestElf(name, 'rv64im');
      const loaded = await loadProgram(elf, { ...OPTIONS, cache: { dir: pristine, log: () => {} } });
      const r = await loaded.program.run();
      expect(r.exitCode).toBe(exitCode);
      guests.push({ name, elf, key: loaded.key, exitCode, stdout: r.stdout.toString('utf8') });
    }
    expect(guests[0]!.key).not.toBe(guests[1]!.key);
    const files = await cacheFiles(pristine);
    expect(files.library).toHaveLength(2);
    expect(files.inputs).toHaveLength(2);
    expect(files.prekey).toHaveLength(2);
  });

  it(`${CASES} corruptions: each load is the right program or a one-line error naming a path`, async () => {
    const rnd = prng(SEED);
    const outcomes = new Map<string, number>();
    const count = (what: string): void => void outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    const work = await mkdtemp(path.join(path.dirname(pristine), 'case-'));
    for (let n = 0; n < CASES; n++) {
      const dir = path.join(work, String(n));
      await cp(pristine, dir, { recursive: true });
      const [kind, corrupt] = CORRUPTIONS[n % CORRUPTIONS.length]!;
      const what = await corrupt(dir, rnd, await cacheFiles(dir), guests);
      const id = `case ${n} (${what})`;
      for (const round of ['damaged', 'healed'] as const) {
        for (const g of rnd() < 0.5 ? guests : [...guests].reverse()) {
          const lines: string[] = [];
          const log = (line: string): void => void lines.push(line);
          let outcome: string;
          try {
            const loaded = await loadProgram(g.elf, { ...OPTIONS, cache: { dir, log } });
            const r = await loaded.program.run();
            expect(loaded.key, `${id}: ${g.name} loaded another program`).toBe(g.key);
            expect([r.exitCode, r.stdout.toString('utf8')], `${id}: ${g.name}`).toEqual([g.exitCode, g.stdout]);
            outcome = loaded.cache === 'miss' ? 'rebuilt' : lines.length > 0 ? 'reported, hit' : 'hit';
          } catch (e) {
            const message = (e as Error).message;
            expect(message, id).not.toMatch(/\n/);
            expect(message, `${id}: the error names no path`).toContain(dir);
            outcome = `error: ${message.replace(dir, '<cache>').replace(/[0-9a-f]{16,}/g, '<key>').slice(0, 60)}`;
          }
          for (const line of lines) {
            expect(line, id).not.toMatch(/\n/);
            expect(line, id).toMatch(/^rvr: cache: /);
            expect(line, `${id}: the report names no path`).toContain(dir);
          }
          if (round === 'healed') {
            // Whatever the damage, it is gone after one round: quiet and right.
            expect(outcome, `${id}: ${g.name} not healed`).toBe('hit');
            expect(lines, id).toEqual([]);
          } else count(`${kind}: ${outcome}`);
        }
      }
      // rvr cache verify also reads what no load looks at (e.g. a stray input record): it
      // reports in one line naming a path, quarantines, and a second verify is clean.
      const verify = async (): Promise<string[]> => {
        const lines: string[] = [];
        const cache = new ArtifactCache({ dir, log: (line) => void lines.push(line) });
        const bad = (await cache.list(true)).filter((e) => e.problem !== undefined);
        for (const e of bad) await cache.quarantine(e.fingerprint, e.problem!);
        await cache.verifyRecords();
        for (const line of lines) {
          expect(line, id).toMatch(/^rvr: cache: [^\n]*$/);
          expect(line, id).toContain(dir);
        }
        return lines;
      };
      if ((await verify()).length > 0) count(`${kind}: found by verify`);
      expect(await verify(), `${id}: second verify`).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }
    const summary = [...outcomes].sort().map(([k, v]) => `${String(v).padStart(3)}  ${k}`);
    process.stdout.write(`cache fuzz, seed ${SEED}, ${CASES} corruptions:\n${summary.join('\n')}\n`);
    // The run exercised healing, not only untouched hits.
    expect([...outcomes.keys()].filter((k) => k.includes('rebuilt')).length).toBeGreaterThan(3);
  }, 600_000);
});
