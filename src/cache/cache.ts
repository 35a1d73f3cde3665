/**
 * The artifact cache: compiled guest libraries stored by fingerprint, shared by any number of
 * processes (DESIGN.md §5).
 *
 * Layout under the cache directory:
 *
 *   entries/<fingerprint>/library.so   the library, never modified once published
 *   entries/<fingerprint>/entry.json   its record: digest (SHA-256 of library.so), size, summary, fingerprint fields
 *   entries/<fingerprint>/inputs/<pre-key>.json
 *                                      the inputs this entry was built from (one per pre-key that
 *                                      led here): a pre-key hit is only trusted when the entry
 *                                      itself records that pre-key
 *   prekeys/<pre-key>.json             pre-key record: which fingerprint the inputs built, and the pre-key fields
 *   access/<fingerprint>               empty file whose mtime is the last use (LRU), so a hit never touches the library
 *   toolchains/<stat-key>.json         compiler identity probed once per compiler file version
 *   quarantine/                        entries found corrupt, moved aside for inspection
 *   tmp/                               entries and records being written
 *
 * An entry is written whole into tmp/, fsynced, and published with one rename of its directory,
 * so a reader sees no entry or a complete one; when two processes publish the same fingerprint
 * the second rename fails and the loser discards its copy. A process killed mid-write leaves
 * only a directory in tmp/, which nothing reads (gc removes it after an hour).
 *
 * Nothing found in the cache is trusted: every file is opened without following symbolic links
 * and must be a regular file of the expected size, a record may only name library.so, and any
 * problem reading an entry or record (a directory or FIFO where a file belongs, corrupt JSON, an
 * I/O error) moves it to quarantine/ with one line naming the path, and the caller rebuilds.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, lutimes, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { GeneratedProject } from '../emit/project.js';
import { embeddedFingerprint, embeddedFingerprintFields, isFieldList, type FingerprintField } from '../compile/fingerprint.js';
import { preKeyDigest } from './prekey.js';

export const ENTRY_FORMAT = 'rvr-cache-entry/1';
export const PREKEY_FORMAT = 'rvr-cache-prekey/1';
export const LIBRARY_FILE = 'library.so';
export const ENTRY_FILE = 'entry.json';
/** Inside an entry: one record per pre-key whose inputs built it. */
export const INPUTS_DIR = 'inputs';

/** The cache's directories (quarantine first: the others are moved into it when damaged). */
const LAYOUT = ['quarantine', 'entries', 'prekeys', 'access', 'toolchains', 'tmp'] as const;

/** No record file is anywhere near this big; a bigger one is corrupt, not read. */
const MAX_RECORD_BYTES = 64 * 1024 ** 2;

/** Default size limit: least recently used entries are evicted above it. */
export const DEFAULT_MAX_SIZE = 2 * 1024 ** 3;

/** Temp entries older than this are left over by killed writers. */
const STALE_TMP_MS = 60 * 60 * 1000;

export interface CacheOptions {
  /** Cache directory (default: $RVR_CACHE_DIR, else $XDG_CACHE_HOME/rvr, else ~/.cache/rvr). */
  dir?: string;
  /** Size limit in bytes (default 2 GiB); least recently used entries are evicted above it. */
  maxSize?: number;
  /** Where reports go (a corrupt entry moved aside; debug lines). Default: stderr. */
  log?: (line: string) => void;
  /** Say why a lookup missed (default: when RVR_DEBUG is set and not 0). */
  debug?: boolean;
}

export interface EntryRecord {
  format: typeof ENTRY_FORMAT;
  fingerprint: string;
  library: { file: string; sha256: string; size: number };
  summary: GeneratedProject['summary'];
  fields: FingerprintField[];
}

export interface PreKeyRecord {
  format: typeof PREKEY_FORMAT;
  preKey: string;
  fingerprint: string;
  fields: FingerprintField[];
}

export type EntryCheck =
  /** `bytes` are the library's verified contents: load these, not the file (it may change). */
  | { state: 'ok'; record: EntryRecord; library: string; bytes: Buffer }
  | { state: 'absent' }
  /** `problem` starts with the path that is wrong. */
  | { state: 'corrupt'; problem: string };

/** Whether an entry records that a pre-key's inputs built it. */
export type InputsCheck =
  | { state: 'ok' }
  /** The entry does not record these inputs: the pre-key record pointing here is wrong. */
  | { state: 'foreign'; problem: string }
  /** The entry's own input record is damaged: the entry is corrupt. */
  | { state: 'corrupt'; problem: string };

/** A record file (pre-key, toolchain) that was found corrupt. */
export interface RecordProblem {
  file: string;
  problem: string;
}

export interface EntryListing {
  fingerprint: string;
  /** Bytes of library.so (as recorded; 0 when the record is unreadable). */
  size: number;
  /** Last use (ms since the epoch). */
  lastUsed: number;
  record?: EntryRecord;
  problem?: string;
}

export class CacheError extends Error {
  override name = 'CacheError';
}

/** The cache directory from the environment: RVR_CACHE_DIR, $XDG_CACHE_HOME/rvr, ~/.cache/rvr. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RVR_CACHE_DIR) return resolve(env.RVR_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(resolve(env.XDG_CACHE_HOME), 'rvr');
  return join(homedir(), '.cache', 'rvr');
}

/** Parses a size such as `500M`, `2G`, `1048576` (binary units). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new CacheError(`'${text}' is not a size (e.g. 500M, 2G, 1048576)`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * scale);
}

const isHex64 = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
const short = (key: string): string => key.slice(0, 16);

export class ArtifactCache {
  readonly dir: string;
  readonly maxSize: number;
  readonly #log: (line: string) => void;
  readonly #debug: boolean;

  constructor(options: CacheOptions = {}) {
    this.dir = options.dir ? resolve(options.dir) : defaultCacheDir();
    this.maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
    if (!Number.isFinite(this.maxSize) || this.maxSize < 0) throw new CacheError(`cache size limit must be a non-negative number, not ${this.maxSize}`);
    this.#log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    const env = process.env.RVR_DEBUG;
    this.#debug = options.debug ?? (env !== undefined && env !== '' && env !== '0');
  }

  entryDir(fingerprint: string): string {
    return join(this.dir, 'entries', fingerprint);
  }

  libraryPath(fingerprint: string): string {
    return join(this.entryDir(fingerprint), LIBRARY_FILE);
  }

  /** A line only shown at debug level (why a lookup missed). */
  debug(line: string): void {
    if (this.#debug) this.#log(`rvr: cache: ${line}`);
  }

  /** A line always shown (something was wrong with the cache). */
  report(line: string): void {
    this.#log(`rvr: cache: ${line}`);
  }

  /**
   * The cache's own directories must be directories: anything else in the place of one (a
   * file, a symbolic link) is moved aside and reported, so the cache works again. Cheap (one
   * lstat each); lookups call it first. Returns how many were moved.
   */
  async repairLayout(): Promise<number> {
    let moved = 0;
    for (const sub of LAYOUT) {
      const p = join(this.dir, sub);
      const kind = await lstatKind(p);
      if (kind === undefined || kind === 'a directory') continue;
      const tag = randomBytes(4).toString('hex');
      // quarantine/ comes first, so it is a directory when the others are moved into it.
      const target = sub === 'quarantine' ? join(this.dir, `quarantine.${tag}`) : join(this.dir, 'quarantine', `${sub}.${tag}`);
      if (sub !== 'quarantine') await mkdirOrFail(join(this.dir, 'quarantine'));
      try {
        await rename(p, target);
      } catch (e) {
        if (errno(e) === 'ENOENT') continue;
        throw ioError(p, `move it aside (it is ${kind}, not a directory)`, e);
      }
      this.report(`${p} is ${kind}, not a directory; moved to ${target}`);
      moved++;
    }
    return moved;
  }

  /**
   * Checks an entry before anything loads it: the record parses and names this fingerprint,
   * the library is a regular file with the recorded size and SHA-256, and the fingerprint
   * compiled into it is this one (so an entry copied under another key is caught). Never throws
   * for a problem inside the entry: that is `corrupt`, with the path.
   */
  async checkEntry(fingerprint: string): Promise<EntryCheck> {
    const dir = this.entryDir(fingerprint);
    const kind = await lstatKind(dir);
    if (kind === undefined) return { state: 'absent' };
    if (kind !== 'a directory') return { state: 'corrupt', problem: `${dir} is ${kind}, not a directory` };
    const recordFile = join(dir, ENTRY_FILE);
    const text = await readCacheFile(recordFile, { max: MAX_RECORD_BYTES });
    // A directory without a record is not an entry anybody published.
    if ('problem' in text) return { state: 'corrupt', problem: text.problem };
    const record = parseEntryRecord(text.bytes.toString('utf8'));
    if (typeof record === 'string') return { state: 'corrupt', problem: `${recordFile}: ${record}` };
    if (record.fingerprint !== fingerprint) {
      return { state: 'corrupt', problem: `${recordFile} is for fingerprint ${short(record.fingerprint)} (a foreign entry)` };
    }
    if (record.library.file !== LIBRARY_FILE) {
      return { state: 'corrupt', problem: `${recordFile} names library ${JSON.stringify(record.library.file)}, not "${LIBRARY_FILE}"` };
    }
    const library = join(dir, LIBRARY_FILE);
    const read = await readCacheFile(library, { size: record.library.size });
    if ('problem' in read) return { state: 'corrupt', problem: read.problem };
    const bytes = read.bytes;
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== record.library.sha256) return { state: 'corrupt', problem: `${library} does not match its recorded SHA-256` };
    const embedded = embeddedFingerprint(bytes);
    if (embedded !== fingerprint) {
      return { state: 'corrupt', problem: `${library} embeds fingerprint ${embedded ? short(embedded) : '(none)'} (a foreign library)` };
    }
    // What the record says about the library is the library's own word, not the record's.
    const fieldsProblem = recordFieldsProblem(record, embeddedFingerprintFields(bytes));
    if (fieldsProblem !== undefined) return { state: 'corrupt', problem: `${recordFile}: ${fieldsProblem}` };
    return { state: 'ok', record, library, bytes };
  }

  /**
   * Whether the entry a pre-key record names was built from that record's inputs: the entry
   * holds inputs/<pre-key>.json with the same pre-key, fingerprint and fields.
   */
  async checkInputs(record: PreKeyRecord): Promise<InputsCheck> {
    const file = join(this.entryDir(record.fingerprint), INPUTS_DIR, `${record.preKey}.json`);
    const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
    if ('missing' in read) return { state: 'foreign', problem: `${file} is missing` };
    if ('problem' in read) return { state: 'corrupt', problem: read.problem };
    const own = parsePreKeyRecord(read.bytes.toString('utf8'));
    if (typeof own === 'string') return { state: 'corrupt', problem: `${file}: ${own}` };
    if (own.preKey !== record.preKey) return { state: 'corrupt', problem: `${file} is for pre-key ${short(own.preKey)} (a foreign record)` };
    if (own.fingerprint !== record.fingerprint) return { state: 'corrupt', problem: `${file} is for fingerprint ${short(own.fingerprint)} (a foreign record)` };
    return { state: 'ok' };
  }

  /**
   * Records in the entry that `record.preKey`'s inputs built it (before the pre-key record is
   * written, so a pre-key record never names an entry that does not vouch for it). Does nothing
   * when the entry is gone meanwhile (evicted or quarantined by another process).
   */
  async recordInputs(record: PreKeyRecord): Promise<void> {
    const dir = join(this.entryDir(record.fingerprint), INPUTS_DIR);
    try {
      await mkdir(dir);
    } catch (e) {
      if (errno(e) === 'ENOENT') return;
      if (errno(e) !== 'EEXIST') throw ioError(dir, 'create the directory', e);
    }
    await this.#writeAtomically(join(dir, `${record.preKey}.json`), JSON.stringify(record, null, 1) + '\n', { createDir: false });
  }

  /** Moves a corrupt entry aside and says so in one line (`problem` names the path). */
  async quarantine(fingerprint: string, problem: string): Promise<void> {
    const target = await this.#moveToQuarantine(this.entryDir(fingerprint), fingerprint, problem);
    if (target === undefined) return;
    await rm(join(this.dir, 'access', fingerprint), { recursive: true, force: true });
    this.report(`entry ${short(fingerprint)} is corrupt (${problem}); moved to ${target}, rebuilding`);
  }

  /** Moves a record file aside (a pre-key or toolchain record) and reports `line`. */
  async quarantineRecord(file: string, line: string): Promise<void> {
    const target = await this.#moveToQuarantine(file, basename(file), line);
    if (target !== undefined) this.report(`${line}; moved to ${target}`);
  }

  /** Renames `path` into quarantine/; undefined when another process moved it first. */
  async #moveToQuarantine(path: string, name: string, why: string): Promise<string | undefined> {
    const root = join(this.dir, 'quarantine');
    const target = join(root, `${name}.${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(root, { recursive: true });
    } catch (e) {
      throw ioError(root, `create the directory (to move ${path} aside: ${why})`, e);
    }
    try {
      await rename(path, target);
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw ioError(path, `move it to ${root} (${why})`, e);
    }
    return target;
  }

  /** The pre-key record, or undefined when there is none (an invalid record is quarantined and reported). */
  async readPreKey(preKey: string): Promise<PreKeyRecord | undefined> {
    const file = this.preKeyFile(preKey);
    const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
    if ('missing' in read) return undefined;
    const record = 'problem' in read ? read.problem : parsePreKeyRecord(read.bytes.toString('utf8'));
    const problem =
      typeof record === 'string'
        ? 'problem' in read
          ? record
          : `${file}: ${record}`
        : record.preKey !== preKey
          ? `${file} is for pre-key ${short(record.preKey)} (a foreign record)`
          : undefined;
    if (problem !== undefined || typeof record === 'string') {
      await this.quarantineRecord(file, `pre-key record is corrupt (${problem})`);
      return undefined;
    }
    return record;
  }

  preKeyFile(preKey: string): string {
    return join(this.dir, 'prekeys', `${preKey}.json`);
  }

  async writePreKey(record: PreKeyRecord): Promise<void> {
    await this.#writeAtomically(this.preKeyFile(record.preKey), JSON.stringify(record, null, 1) + '\n');
  }

  /**
   * Publishes an entry: `compile` writes the library into a private temp directory in the
   * cache, which is then checked, fsynced and renamed into place. Returns the published entry
   * (this process's, or a concurrent writer's that won the rename).
   */
  async publish(
    fingerprint: string,
    fields: FingerprintField[],
    summary: GeneratedProject['summary'],
    compile: (libraryPath: string) => Promise<void>,
  ): Promise<EntryCheck & { state: 'ok' }> {
    const tmpRoot = join(this.dir, 'tmp');
    await mkdirOrFail(tmpRoot);
    await mkdirOrFail(join(this.dir, 'entries'));
    const tmp = await mkdtemp(join(tmpRoot, `${short(fingerprint)}.`)).catch((e: unknown) => {
      throw ioError(tmpRoot, 'create a temporary directory', e);
    });
    try {
      const library = join(tmp, LIBRARY_FILE);
      await compile(library);
      const bytes = await readFile(library).catch((e: unknown) => {
        throw ioError(library, 'read the compiled library', e);
      });
      const embedded = embeddedFingerprint(bytes);
      if (embedded !== fingerprint) throw new CacheError(`${library}: compiled library embeds fingerprint ${embedded ?? '(none)'}, expected ${fingerprint}`);
      const record: EntryRecord = {
        format: ENTRY_FORMAT,
        fingerprint,
        library: { file: LIBRARY_FILE, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
        summary,
        fields,
      };
      await writeFile(join(tmp, ENTRY_FILE), JSON.stringify(record, null, 1) + '\n').catch((e: unknown) => {
        throw ioError(join(tmp, ENTRY_FILE), 'write', e);
      });
      await fsyncPath(library);
      await fsyncPath(join(tmp, ENTRY_FILE));
      await fsyncPath(tmp);
      try {
        await rename(tmp, this.entryDir(fingerprint));
        await fsyncPath(join(this.dir, 'entries'));
      } catch (e) {
        // Someone published this fingerprint first: theirs is as good as ours.
        if (errno(e) !== 'ENOTEMPTY' && errno(e) !== 'EEXIST') throw ioError(this.entryDir(fingerprint), 'publish the entry', e);
        this.debug(`entry ${short(fingerprint)} was published by another process first`);
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    const check = await this.checkEntry(fingerprint);
    if (check.state !== 'ok') {
      throw new CacheError(`${this.entryDir(fingerprint)}: just published entry does not check out (${check.state === 'corrupt' ? check.problem : 'absent'})`);
    }
    await this.touch(fingerprint);
    return check;
  }

  /**
   * Records a use of an entry for LRU eviction (the library file itself is left alone). Only
   * bookkeeping: a failure is reported in one line and the use goes on.
   */
  async touch(fingerprint: string): Promise<void> {
    const file = join(this.dir, 'access', fingerprint);
    const now = new Date();
    try {
      try {
        // The link itself if someone put one there: never the times of whatever it names.
        await lutimes(file, now, now);
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw e;
        await mkdir(join(this.dir, 'access'), { recursive: true });
        await writeFile(file, '');
      }
    } catch (e) {
      this.report(`${file}: cannot record the use of entry ${short(fingerprint)} (${errno(e) ?? (e as Error).message}); LRU order may be off`);
    }
  }

  /** Every entry with its size and last use; `verify` also checks each library and input record. */
  async list(verify = false): Promise<EntryListing[]> {
    const names = await readdirOrEmpty(join(this.dir, 'entries'));
    const out: EntryListing[] = [];
    for (const fingerprint of names.sort()) {
      const listing: EntryListing = { fingerprint, size: 0, lastUsed: await this.#lastUsed(fingerprint) };
      if (verify) {
        const check = await this.checkEntry(fingerprint);
        if (check.state === 'ok') {
          const problem = await this.#checkAllInputs(fingerprint);
          if (problem === undefined) listing.record = check.record;
          else listing.problem = problem;
        } else if (check.state === 'corrupt') listing.problem = check.problem;
        else continue;
      } else {
        const file = join(this.entryDir(fingerprint), ENTRY_FILE);
        const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
        if ('problem' in read) listing.problem = read.problem;
        else {
          const r = parseEntryRecord(read.bytes.toString('utf8'));
          if (typeof r === 'string') listing.problem = `${file}: ${r}`;
          else listing.record = r;
        }
      }
      if (!isHex64(fingerprint)) listing.problem ??= `${this.entryDir(fingerprint)}: directory name is not a fingerprint`;
      listing.size = listing.record?.library.size ?? 0;
      out.push(listing);
    }
    return out;
  }

  /** Every input record in an entry names it and its own pre-key; the first problem otherwise. */
  async #checkAllInputs(fingerprint: string): Promise<string | undefined> {
    const dir = join(this.entryDir(fingerprint), INPUTS_DIR);
    const kind = await lstatKind(dir);
    if (kind === undefined) return undefined;
    if (kind !== 'a directory') return `${dir} is ${kind}, not a directory`;
    for (const name of await readdirOrEmpty(dir)) {
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      if (!m) return `${join(dir, name)}: not an input record name`;
      const check = await this.checkInputs({ format: PREKEY_FORMAT, preKey: m[1], fingerprint, fields: [] });
      if (check.state !== 'ok') return check.problem;
    }
    return undefined;
  }

  /**
   * Checks every pre-key record (each must name an entry that records it, when that entry
   * exists) and toolchain record; returns the bad ones, already quarantined and reported.
   * Records naming an entry that is gone are left for gc.
   */
  async verifyRecords(): Promise<RecordProblem[]> {
    const bad: RecordProblem[] = [];
    const prekeys = join(this.dir, 'prekeys');
    for (const name of await readdirOrEmpty(prekeys)) {
      const file = join(prekeys, name);
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
      if ('missing' in read) continue;
      let line: string | undefined;
      if (!m) line = `pre-key record is corrupt (${file}: not a pre-key record name)`;
      else if ('problem' in read) line = `pre-key record is corrupt (${read.problem})`;
      else {
        const record = parsePreKeyRecord(read.bytes.toString('utf8'));
        if (typeof record === 'string') line = `pre-key record is corrupt (${file}: ${record})`;
        else if (record.preKey !== m[1]) line = `pre-key record is corrupt (${file} is for pre-key ${short(record.preKey)} (a foreign record))`;
        else if ((await this.checkEntry(record.fingerprint)).state === 'ok') {
          const inputs = await this.checkInputs(record);
          if (inputs.state !== 'ok') line = foreignPreKeyLine(file, record.fingerprint, inputs.problem);
        }
      }
      if (line === undefined) continue;
      await this.quarantineRecord(file, line);
      bad.push({ file, problem: line });
    }
    const toolchains = join(this.dir, 'toolchains');
    for (const name of await readdirOrEmpty(toolchains)) {
      const file = join(toolchains, name);
      const value = await this.#readToolchainFile(file);
      if (value.problem === undefined) continue;
      bad.push({ file, problem: value.problem });
    }
    return bad;
  }

  /**
   * Evicts least recently used entries until the total library size is at most `maxSize`
   * (never `keep`), removes pre-key records whose entry is gone and temp files of killed
   * writers. Returns the evicted fingerprints.
   */
  async gc(maxSize: number = this.maxSize, keep?: string): Promise<string[]> {
    const entries = await this.list();
    let total = entries.reduce((n, e) => n + e.size, 0);
    const evicted: string[] = [];
    for (const e of [...entries].sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (total <= maxSize) break;
      if (e.fingerprint === keep) continue;
      await this.#remove(e.fingerprint);
      total -= e.size;
      evicted.push(e.fingerprint);
    }
    const live = new Set(entries.map((e) => e.fingerprint).filter((f) => !evicted.includes(f)));
    for (const name of await readdirOrEmpty(join(this.dir, 'prekeys'))) {
      const file = join(this.dir, 'prekeys', name);
      const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
      if ('missing' in read) continue;
      const record = 'problem' in read ? read.problem : parsePreKeyRecord(read.bytes.toString('utf8'));
      if (typeof record === 'string' || !live.has(record.fingerprint)) await rm(file, { recursive: true, force: true });
    }
    const now = Date.now();
    for (const name of await readdirOrEmpty(join(this.dir, 'tmp'))) {
      const p = join(this.dir, 'tmp', name);
      const st = await statIfExists(p);
      if (st && now - st.mtimeMs > STALE_TMP_MS) await rm(p, { recursive: true, force: true });
    }
    return evicted;
  }

  /** Evicts when the cache is over its limit (after a store). */
  async enforceLimit(keep: string): Promise<void> {
    const evicted = await this.gc(this.maxSize, keep);
    if (evicted.length > 0) this.debug(`evicted ${evicted.length} least recently used entr${evicted.length === 1 ? 'y' : 'ies'} to stay under ${this.maxSize} bytes`);
  }

  /** Removes every entry and record (quarantine included). */
  async clear(): Promise<number> {
    const n = (await readdirOrEmpty(join(this.dir, 'entries'))).length;
    for (const sub of LAYOUT) {
      const p = join(this.dir, sub);
      if ((await lstatKind(p)) === undefined) continue;
      // Rename first so a concurrent reader never sees a half-deleted entry.
      const doomed = join(this.dir, `.${sub}.clearing.${randomBytes(4).toString('hex')}`);
      await rename(p, doomed);
      await rm(doomed, { recursive: true, force: true });
    }
    return n;
  }

  /** A small JSON value stored under toolchains/ (see prekey.ts); a damaged one is quarantined. */
  async readToolchainRecord(key: string): Promise<unknown> {
    return (await this.#readToolchainFile(join(this.dir, 'toolchains', `${key}.json`))).value;
  }

  async #readToolchainFile(file: string): Promise<{ value?: unknown; problem?: string }> {
    const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
    if ('missing' in read) return {};
    let problem: string;
    if ('problem' in read) problem = read.problem;
    else {
      const value = parseRecordJson<object>(read.bytes.toString('utf8'));
      if (typeof value !== 'string') return { value };
      problem = `${file}: ${value}`;
    }
    const line = `toolchain record is corrupt (${problem})`;
    await this.quarantineRecord(file, line);
    return { problem: line };
  }

  async writeToolchainRecord(key: string, value: unknown): Promise<void> {
    await this.#writeAtomically(join(this.dir, 'toolchains', `${key}.json`), JSON.stringify(value) + '\n');
  }

  /** Finds a key record by fingerprint or pre-key, or a unique prefix of one. */
  async findRecord(key: string): Promise<{ kind: 'entry'; record: EntryRecord } | { kind: 'prekey'; record: PreKeyRecord } | undefined> {
    if (!/^[0-9a-f]{6,64}$/.test(key)) return undefined;
    const entries = (await readdirOrEmpty(join(this.dir, 'entries'))).filter((n) => n.startsWith(key));
    const prekeys = (await readdirOrEmpty(join(this.dir, 'prekeys'))).map((n) => n.replace(/\.json$/, '')).filter((n) => n.startsWith(key));
    if (entries.length + prekeys.length > 1) throw new CacheError(`${key}: ambiguous key prefix (${entries.length + prekeys.length} matches in ${this.dir})`);
    const readRecord = async <T>(file: string, parse: (text: string) => T | string): Promise<T> => {
      const read = await readCacheFile(file, { max: MAX_RECORD_BYTES });
      if ('problem' in read) throw new CacheError(read.problem);
      const r = parse(read.bytes.toString('utf8'));
      if (typeof r === 'string') throw new CacheError(`${file}: ${r}`);
      return r;
    };
    if (entries.length === 1) return { kind: 'entry', record: await readRecord(join(this.entryDir(entries[0]), ENTRY_FILE), parseEntryRecord) };
    if (prekeys.length === 1) return { kind: 'prekey', record: await readRecord(this.preKeyFile(prekeys[0]), parsePreKeyRecord) };
    return undefined;
  }

  async #lastUsed(fingerprint: string): Promise<number> {
    const st = (await statIfExists(join(this.dir, 'access', fingerprint))) ?? (await statIfExists(this.entryDir(fingerprint)));
    return st?.mtimeMs ?? 0;
  }

  async #remove(fingerprint: string): Promise<void> {
    await mkdirOrFail(join(this.dir, 'tmp'));
    const doomed = join(this.dir, 'tmp', `evicted.${fingerprint}.${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.entryDir(fingerprint), doomed);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw ioError(this.entryDir(fingerprint), 'evict the entry', e);
    }
    await rm(doomed, { recursive: true, force: true });
    await rm(join(this.dir, 'access', fingerprint), { recursive: true, force: true });
  }

  /**
   * Temp file in the cache directory, fsync, rename: readers see the old file or the new one.
   * With `createDir: false` the target directory must exist (its disappearance is not an error:
   * nothing is written).
   */
  async #writeAtomically(file: string, text: string, how: { createDir?: boolean } = {}): Promise<void> {
    const tmpRoot = join(this.dir, 'tmp');
    await mkdirOrFail(tmpRoot);
    if (how.createDir !== false) await mkdirOrFail(join(file, '..'));
    const tmp = join(tmpRoot, `record.${randomBytes(8).toString('hex')}`);
    try {
      let fh: FileHandle;
      try {
        fh = await open(tmp, 'w');
      } catch (e) {
        throw ioError(tmp, 'create', e);
      }
      try {
        await fh.writeFile(text);
        await fh.sync();
      } catch (e) {
        throw ioError(tmp, 'write', e);
      } finally {
        await fh.close();
      }
      try {
        await rename(tmp, file);
      } catch (e) {
        if (how.createDir === false && errno(e) === 'ENOENT') return;
        throw ioError(file, 'write', e);
      }
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

/** The report for a pre-key record naming an entry that does not record its inputs. */
export function foreignPreKeyLine(file: string, fingerprint: string, why: string): string {
  return `pre-key record ${file} names entry ${short(fingerprint)}, which was not built from these inputs (${why})`;
}

/** Parses a record file's JSON; a string says what is wrong with it. */
function parseRecordJson<T>(text: string): Partial<T> | string {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Partial<T>) : 'not a JSON object';
  } catch {
    return 'not valid JSON (truncated?)';
  }
}

function parseEntryRecord(text: string): EntryRecord | string {
  const r = parseRecordJson<EntryRecord>(text);
  if (typeof r === 'string') return r;
  if (r.format !== ENTRY_FORMAT) return `not an ${ENTRY_FORMAT} record`;
  if (!isHex64(r.fingerprint)) return 'fingerprint missing or malformed';
  const lib = r.library;
  if (!lib || typeof lib !== 'object' || typeof lib.file !== 'string' || !isHex64(lib.sha256) || !Number.isSafeInteger(lib.size) || lib.size < 0) {
    return 'library digest or size missing';
  }
  if (!r.summary || typeof r.summary !== 'object' || !isFieldList(r.fields)) return 'summary or fingerprint fields missing';
  return r as EntryRecord;
}

function parsePreKeyRecord(text: string): PreKeyRecord | string {
  const r = parseRecordJson<PreKeyRecord>(text);
  if (typeof r === 'string') return r;
  if (r.format !== PREKEY_FORMAT) return `not an ${PREKEY_FORMAT} record`;
  if (!isHex64(r.preKey) || !isHex64(r.fingerprint) || !isFieldList(r.fields)) return 'pre-key, fingerprint or fields missing';
  // The pre-key is the hash of its fields: a record whose fields were edited is caught here.
  if (preKeyDigest(r.fields) !== r.preKey) return 'its fields do not hash to its pre-key';
  return r as PreKeyRecord;
}

/**
 * Whether a record's fingerprint fields and summary agree with the fields compiled into its
 * library (libraries without embedded fields are only checked by digest and fingerprint).
 */
function recordFieldsProblem(record: EntryRecord, embedded: FingerprintField[] | undefined): string | undefined {
  if (embedded === undefined) return undefined;
  const text = (fields: FingerprintField[]): string => JSON.stringify(fields.map((f) => [f.name, f.value]));
  if (text(record.fields) !== text(embedded)) return 'its fingerprint fields differ from the ones compiled into the library';
  const field = (name: string): string | undefined => embedded.find((f) => f.name === name)?.value;
  const s = record.summary;
  if (String(s.mode) !== field('mode') || String(s.xlen) !== field('memory.xlen') || String(s.memoryBits) !== field('memory.bits')) {
    return 'its summary (mode, XLEN, memory size) differs from the library\'s fingerprint fields';
  }
  return undefined;
}

/** An fs error as a one-line CacheError naming the path (fd-based errors carry none). */
function ioError(path: string, what: string, e: unknown): Error {
  if (e instanceof CacheError) return e;
  const code = errno(e);
  return new CacheError(`${path}: cannot ${what} (${code ?? String((e as Error).message).split('\n')[0]})`);
}

async function mkdirOrFail(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw ioError(dir, 'create the directory', e);
  }
}

type FileKind = 'a file' | 'a directory' | 'a symbolic link' | 'a FIFO' | 'a socket' | 'a character device' | 'a block device';

function kindOf(st: Stats): FileKind {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return st.isCharacterDevice() ? 'a character device' : 'a block device';
}

/** What `p` itself is (symbolic links not followed); undefined when it does not exist. */
async function lstatKind(p: string): Promise<FileKind | undefined> {
  try {
    return kindOf(await lstat(p));
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw ioError(p, 'examine', e);
  }
}

type CacheRead = { bytes: Buffer } | { problem: string; missing?: true };

/**
 * Reads a file found in the cache without trusting it: no symbolic link is followed, a FIFO
 * cannot block the open, and it must be a regular file (of `size` bytes, or at most `max`)
 * that does not change size while it is read. Every failure is a problem naming the file.
 */
async function readCacheFile(file: string, limits: { size?: number; max?: number } = {}): Promise<CacheRead> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = errno(e);
    if (code === 'ENOENT') return { problem: `${file} is missing`, missing: true };
    if (code === 'ELOOP') return { problem: `${file} is a symbolic link, not a file` };
    if (code === 'ENOTDIR') return { problem: `${file}: a parent is not a directory` };
    return { problem: `${file} cannot be opened (${code ?? (e as Error).message})` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { problem: `${file} is ${kindOf(st)}, not a file` };
    if (limits.size !== undefined && st.size !== limits.size) {
      return { problem: `${file} has ${st.size} bytes, the record says ${limits.size} (truncated?)` };
    }
    if (limits.max !== undefined && st.size > limits.max) return { problem: `${file} has ${st.size} bytes, more than any record` };
    const bytes = Buffer.alloc(st.size);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await fh.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done !== bytes.length) return { problem: `${file} shrank from ${bytes.length} to ${done} bytes while being read` };
    return { bytes };
  } catch (e) {
    return { problem: `${file} cannot be read (${errno(e) ?? (e as Error).message})` };
  } finally {
    await fh.close();
  }
}

/** stat, or undefined when the file is gone (a concurrent gc or writer); other errors propagate. */
async function statIfExists(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw ioError(p, 'examine', e);
  }
}

/** The names in a directory ([] when it does not exist); other errors name the directory. */
async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return [];
    throw ioError(dir, 'list the directory', e);
  }
}

async function fsyncPath(p: string): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(p, 'r');
  } catch (e) {
    throw ioError(p, 'open', e);
  }
  try {
    await fh.sync();
  } catch (e) {
    throw ioError(p, 'fsync', e);
  } finally {
    await fh.close();
  }
}
