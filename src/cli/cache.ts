/** `rvr cache ls|verify|gc|clear` and `rvr explain A B`. */
import { readFile, stat } from 'node:fs/promises';
import { ArtifactCache, CacheError, parseSize, type CacheOptions } from '../cache/cache.js';
import { diffFingerprintFields, embeddedFingerprint, embeddedFingerprintFields, isFieldList, type FingerprintField } from '../compile/fingerprint.js';

export class CacheUsageError extends Error {}

const mib = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MiB`;

export async function cmdCache(args: string[], options: CacheOptions, maxSizeText: string | undefined): Promise<number> {
  const [sub, ...rest] = args;
  if (rest.length > 0) throw new CacheUsageError(`cache ${sub ?? ''} takes no further arguments`);
  const cache = new ArtifactCache(options);
  const out = (line: string): void => void process.stdout.write(line + '\n');
  const repaired = sub === 'ls' || sub === 'verify' || sub === 'gc' ? await cache.repairLayout() : 0;
  switch (sub) {
    case 'ls': {
      const entries = await cache.list();
      for (const e of entries) {
        const s = e.record?.summary;
        const what = s ? `rv${s.xlen}im ${s.mode} 2^${s.memoryBits} ${s.instructions} insns` : `unreadable: ${e.problem}`;
        out(`${e.fingerprint}  ${mib(e.size).padStart(10)}  ${new Date(e.lastUsed).toISOString()}  ${what}`);
      }
      out(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${mib(entries.reduce((n, e) => n + e.size, 0))} in ${cache.dir}`);
      return 0;
    }
    case 'verify': {
      const entries = await cache.list(true);
      let bad = 0;
      for (const e of entries) {
        if (e.problem === undefined) continue;
        bad++;
        await cache.quarantine(e.fingerprint, e.problem);
      }
      // Entries first: a pre-key record is checked against its entry only while that is sound.
      const records = await cache.verifyRecords();
      const parts = [
        ...(repaired ? [`${repaired} damaged cache director${repaired === 1 ? 'y' : 'ies'}`] : []),
        ...(bad ? [`${bad} corrupt`] : []),
        ...(records.length ? [`${records.length} record${records.length === 1 ? '' : 's'} corrupt`] : []),
      ];
      out(`${entries.length - bad} of ${entries.length} entries verified in ${cache.dir}${parts.length ? `; ${parts.join(', ')}, moved to quarantine` : ''}`);
      return repaired || bad || records.length ? 1 : 0;
    }
    case 'gc': {
      const limit = maxSizeText !== undefined ? parseSize(maxSizeText) : cache.maxSize;
      const evicted = await cache.gc(limit);
      const left = await cache.list();
      out(`evicted ${evicted.length} entr${evicted.length === 1 ? 'y' : 'ies'}; ${left.length} left, ${mib(left.reduce((n, e) => n + e.size, 0))} (limit ${mib(limit)}) in ${cache.dir}`);
      return 0;
    }
    case 'clear': {
      const n = await cache.clear();
      out(`removed ${n} entr${n === 1 ? 'y' : 'ies'} from ${cache.dir}`);
      return 0;
    }
    default:
      throw new CacheUsageError(sub ? `unknown cache command '${sub}' (ls, verify, gc, clear)` : 'cache needs a command: ls, verify, gc, clear');
  }
}

interface KeyRecord {
  what: string;
  kind: 'fingerprint' | 'pre-key';
  key: string;
  fields: FingerprintField[];
}

/** A library file, a record file (entry.json, pre-key .json) or a cache key (prefix). */
async function keyRecord(arg: string, cache: ArtifactCache): Promise<KeyRecord> {
  const st = await stat(arg).catch((e: NodeJS.ErrnoException) => {
    // Not a file: maybe a cache key. Any other failure is the user's to see.
    if (e.code === 'ENOENT' || e.code === 'ENAMETOOLONG') return undefined;
    throw new Error(`${arg}: cannot read (${e.code ?? e.message})`);
  });
  if (st?.isDirectory()) {
    return keyRecord(`${arg.replace(/\/$/, '')}/entry.json`, cache);
  }
  if (st?.isFile()) {
    const bytes = await readFile(arg);
    if (bytes.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      const key = embeddedFingerprint(bytes);
      const fields = embeddedFingerprintFields(bytes);
      if (!key || !fields) throw new Error(`${arg}: not an rvr library with an embedded fingerprint (built before fingerprints, or not rvr's)`);
      return { what: arg, kind: 'fingerprint', key, fields };
    }
    let v: unknown;
    try {
      v = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new Error(`${arg}: neither a library nor a JSON key record`);
    }
    const r = v as { fingerprint?: unknown; preKey?: unknown; fields?: unknown };
    if (!isFieldList(r.fields) || typeof r.fingerprint !== 'string') throw new Error(`${arg}: not an rvr cache key record`);
    return typeof r.preKey === 'string'
      ? { what: arg, kind: 'pre-key', key: r.preKey, fields: r.fields }
      : { what: arg, kind: 'fingerprint', key: r.fingerprint, fields: r.fields };
  }
  const found = await cache.findRecord(arg);
  if (!found) throw new Error(`${arg}: no such file, and no cache entry or pre-key with that key in ${cache.dir}`);
  return found.kind === 'entry'
    ? { what: arg, kind: 'fingerprint', key: found.record.fingerprint, fields: found.record.fields }
    : { what: arg, kind: 'pre-key', key: found.record.preKey, fields: found.record.fields };
}

const show = (v: string | undefined): string => (v === undefined ? '(absent)' : v.includes('\n') ? JSON.stringify(v) : v);

export async function cmdExplain(args: string[], options: CacheOptions): Promise<number> {
  if (args.length !== 2) throw new CacheUsageError('explain takes two libraries, key records or cache keys');
  const cache = new ArtifactCache(options);
  const [a, b] = [await keyRecord(args[0], cache), await keyRecord(args[1], cache)];
  const out = (line: string): void => void process.stdout.write(line + '\n');
  if (a.kind !== b.kind) out(`note: comparing a ${a.kind} (${a.what}) with a ${b.kind} (${b.what}); only fields of the same name compare`);
  const diff = diffFingerprintFields(a.fields, b.fields);
  if (a.key === b.key && diff.length === 0) {
    out(`same ${a.kind} ${a.key}`);
    return 0;
  }
  out(`${a.kind} A ${a.key} (${a.what})`);
  out(`${b.kind} B ${b.key} (${b.what})`);
  out(`${diff.length} field${diff.length === 1 ? ' differs' : 's differ'}:`);
  for (const d of diff) {
    out(`  ${d.name}`);
    out(`    A: ${show(d.a)}`);
    out(`    B: ${show(d.b)}`);
  }
  return 0;
}

export { CacheError };
