/**
 * The artifact cache: compiled guest libraries stored by fingerprint, shared by any number of
 * processes (DESIGN.md §5).
 *
 * Layout under the cache directory:
 *
 *   entries/<fingerprint>/library.so   the library, never modified once published
 *   entries/<fingerprint>/entry.json   its record: digest (SHA-256 of library.so), size, summary, fingerprint fields
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
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GeneratedProject } from '../emit/project.js';
import { embeddedFingerprint, isFieldList, type FingerprintField } from '../compile/fingerprint.js';

export const ENTRY_FORMAT = 'rvr-cache-entry/1';
export const PREKEY_FORMAT = 'rvr-cache-prekey/1';
export const LIBRARY_FILE = 'library.so';
export const ENTRY_FILE = 'entry.json';

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
  | { state: 'ok'; record: EntryRecord; library: string }
  | { state: 'absent' }
  | { state: 'corrupt'; problem: string };

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
   * Checks an entry before anything loads it: the record parses and names this fingerprint,
   * the library has the recorded size and SHA-256, and the fingerprint compiled into it is
   * this one (so an entry copied under another key is caught).
   */
  async checkEntry(fingerprint: string): Promise<EntryCheck> {
    const dir = this.entryDir(fingerprint);
    let text: string;
    try {
      text = await readFile(join(dir, ENTRY_FILE), 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') {
        // A directory without a record is not an entry anybody published.
        return (await exists(dir)) ? { state: 'corrupt', problem: `${ENTRY_FILE} is missing` } : { state: 'absent' };
      }
      throw e;
    }
    const record = parseEntryRecord(text);
    if (typeof record === 'string') return { state: 'corrupt', problem: `${ENTRY_FILE}: ${record}` };
    if (record.fingerprint !== fingerprint) {
      return { state: 'corrupt', problem: `${ENTRY_FILE} is for fingerprint ${short(record.fingerprint)} (a foreign entry)` };
    }
    const library = join(dir, record.library.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(library);
    } catch (e) {
      if (errno(e) === 'ENOENT') return { state: 'corrupt', problem: `${record.library.file} is missing` };
      throw e;
    }
    if (bytes.length !== record.library.size) {
      return { state: 'corrupt', problem: `${record.library.file} has ${bytes.length} bytes, the record says ${record.library.size} (truncated?)` };
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== record.library.sha256) return { state: 'corrupt', problem: `${record.library.file} does not match its recorded SHA-256` };
    const embedded = embeddedFingerprint(bytes);
    if (embedded !== fingerprint) {
      return { state: 'corrupt', problem: `${record.library.file} embeds fingerprint ${embedded ? short(embedded) : '(none)'} (a foreign library)` };
    }
    return { state: 'ok', record, library };
  }

  /** Moves a corrupt entry aside and says so in one line. */
  async quarantine(fingerprint: string, problem: string): Promise<void> {
    const target = join(this.dir, 'quarantine', `${fingerprint}.${randomBytes(4).toString('hex')}`);
    await mkdir(join(this.dir, 'quarantine'), { recursive: true });
    try {
      await rename(this.entryDir(fingerprint), target);
    } catch (e) {
      // Another process moved it first.
      if (errno(e) === 'ENOENT') return;
      throw e;
    }
    await rm(join(this.dir, 'access', fingerprint), { force: true });
    this.report(`entry ${short(fingerprint)} is corrupt (${problem}); moved to ${target}, rebuilding`);
  }

  /** The pre-key record, or undefined when there is none (an invalid record is removed and reported). */
  async readPreKey(preKey: string): Promise<PreKeyRecord | undefined> {
    const file = join(this.dir, 'prekeys', `${preKey}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
    const record = parsePreKeyRecord(text);
    const problem = typeof record === 'string' ? record : record.preKey !== preKey ? `is for pre-key ${short(record.preKey)} (a foreign record)` : undefined;
    if (problem !== undefined || typeof record === 'string') {
      await rm(file, { force: true });
      this.report(`pre-key record ${short(preKey)} is corrupt (${problem}); removed`);
      return undefined;
    }
    return record;
  }

  async writePreKey(record: PreKeyRecord): Promise<void> {
    await this.#writeAtomically(join(this.dir, 'prekeys', `${record.preKey}.json`), JSON.stringify(record, null, 1) + '\n');
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
    await mkdir(tmpRoot, { recursive: true });
    await mkdir(join(this.dir, 'entries'), { recursive: true });
    const tmp = await mkdtemp(join(tmpRoot, `${short(fingerprint)}.`));
    try {
      const library = join(tmp, LIBRARY_FILE);
      await compile(library);
      const bytes = await readFile(library);
      const embedded = embeddedFingerprint(bytes);
      if (embedded !== fingerprint) throw new CacheError(`${library}: compiled library embeds fingerprint ${embedded ?? '(none)'}, expected ${fingerprint}`);
      const record: EntryRecord = {
        format: ENTRY_FORMAT,
        fingerprint,
        library: { file: LIBRARY_FILE, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
        summary,
        fields,
      };
      await writeFile(join(tmp, ENTRY_FILE), JSON.stringify(record, null, 1) + '\n');
      await fsyncPath(library);
      await fsyncPath(join(tmp, ENTRY_FILE));
      await fsyncPath(tmp);
      try {
        await rename(tmp, this.entryDir(fingerprint));
        await fsyncPath(join(this.dir, 'entries'));
      } catch (e) {
        // Someone published this fingerprint first: theirs is as good as ours.
        if (errno(e) !== 'ENOTEMPTY' && errno(e) !== 'EEXIST') throw e;
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

  /** Records a use of an entry for LRU eviction (the library file itself is left alone). */
  async touch(fingerprint: string): Promise<void> {
    const file = join(this.dir, 'access', fingerprint);
    const now = new Date();
    try {
      await utimes(file, now, now);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await mkdir(join(this.dir, 'access'), { recursive: true });
      await writeFile(file, '');
    }
  }

  /** Every entry with its size and last use; `verify` also checks each library's digest. */
  async list(verify = false): Promise<EntryListing[]> {
    const names = await readdirOrEmpty(join(this.dir, 'entries'));
    const out: EntryListing[] = [];
    for (const fingerprint of names.sort()) {
      const listing: EntryListing = { fingerprint, size: 0, lastUsed: await this.#lastUsed(fingerprint) };
      if (verify) {
        const check = await this.checkEntry(fingerprint);
        if (check.state === 'ok') listing.record = check.record;
        else if (check.state === 'corrupt') listing.problem = check.problem;
        else continue;
      } else {
        try {
          const r = parseEntryRecord(await readFile(join(this.entryDir(fingerprint), ENTRY_FILE), 'utf8'));
          if (typeof r === 'string') listing.problem = `${ENTRY_FILE}: ${r}`;
          else listing.record = r;
        } catch (e) {
          if (errno(e) !== 'ENOENT') throw e;
          listing.problem = `${ENTRY_FILE} is missing`;
        }
      }
      if (!isHex64(fingerprint)) listing.problem ??= 'directory name is not a fingerprint';
      listing.size = listing.record?.library.size ?? 0;
      out.push(listing);
    }
    return out;
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
      const record = parsePreKeyRecord(await readIfExists(file));
      if (typeof record === 'string' || !live.has(record.fingerprint)) await rm(file, { force: true });
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
    for (const sub of ['entries', 'prekeys', 'access', 'toolchains', 'quarantine', 'tmp']) {
      const p = join(this.dir, sub);
      if (!(await exists(p))) continue;
      // Rename first so a concurrent reader never sees a half-deleted entry.
      const doomed = join(this.dir, `.${sub}.clearing.${randomBytes(4).toString('hex')}`);
      await rename(p, doomed);
      await rm(doomed, { recursive: true, force: true });
    }
    return n;
  }

  /** A small JSON value stored under toolchains/ (see prekey.ts). */
  async readToolchainRecord(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(join(this.dir, 'toolchains', `${key}.json`), 'utf8')) as unknown;
    } catch (e) {
      if (errno(e) === 'ENOENT' || e instanceof SyntaxError) return undefined;
      throw e;
    }
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
    if (entries.length === 1) {
      const r = parseEntryRecord(await readFile(join(this.entryDir(entries[0]), ENTRY_FILE), 'utf8'));
      if (typeof r === 'string') throw new CacheError(`${join(this.entryDir(entries[0]), ENTRY_FILE)}: ${r}`);
      return { kind: 'entry', record: r };
    }
    if (prekeys.length === 1) {
      const file = join(this.dir, 'prekeys', `${prekeys[0]}.json`);
      const r = parsePreKeyRecord(await readFile(file, 'utf8'));
      if (typeof r === 'string') throw new CacheError(`${file}: ${r}`);
      return { kind: 'prekey', record: r };
    }
    return undefined;
  }

  async #lastUsed(fingerprint: string): Promise<number> {
    const st = (await statIfExists(join(this.dir, 'access', fingerprint))) ?? (await statIfExists(this.entryDir(fingerprint)));
    return st?.mtimeMs ?? 0;
  }

  async #remove(fingerprint: string): Promise<void> {
    await mkdir(join(this.dir, 'tmp'), { recursive: true });
    const doomed = join(this.dir, 'tmp', `evicted.${fingerprint}.${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.entryDir(fingerprint), doomed);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
    }
    await rm(doomed, { recursive: true, force: true });
    await rm(join(this.dir, 'access', fingerprint), { force: true });
  }

  /** Temp file in the cache directory, fsync, rename: readers see the old file or the new one. */
  async #writeAtomically(file: string, text: string): Promise<void> {
    const tmpRoot = join(this.dir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const dir = join(file, '..');
    await mkdir(dir, { recursive: true });
    const tmp = join(tmpRoot, `record.${randomBytes(8).toString('hex')}`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}

/** Parses a record file's JSON; a string says what is wrong with it. */
function parseRecordJson<T>(text: string): Partial<T> | string {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as Partial<T>) : 'not a JSON object';
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
  if (!lib || typeof lib.file !== 'string' || lib.file.includes('/') || !isHex64(lib.sha256) || !Number.isSafeInteger(lib.size)) {
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
  return r as PreKeyRecord;
}

async function exists(p: string): Promise<boolean> {
  return (await statIfExists(p)) !== undefined;
}

/** stat, or undefined when the file is gone (a concurrent gc or writer); other errors propagate. */
async function statIfExists(p: string): Promise<Stats | undefined> {
  try {
    return await stat(p);
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** The file's text, or '' when it is gone; other errors propagate. */
async function readIfExists(p: string): Promise<string> {
  try {
    return await readFile(p, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return '';
    throw e;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return [];
    throw e;
  }
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
