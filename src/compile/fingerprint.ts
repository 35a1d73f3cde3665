/**
 * The fingerprint of a compiled guest library: SHA-256 over labelled, length-prefixed fields
 * that together decide every byte of the library (DESIGN.md §5). Two builds with the same
 * fingerprint are interchangeable; the named fields let `rvr explain` say which input differs.
 *
 * Nothing volatile goes in: no absolute temp or project paths, pids, timestamps or log files.
 * The generated files are hashed as generated, before the fingerprint itself is compiled in
 * as a define, so the fingerprint never depends on itself.
 */
import { createHash } from 'node:crypto';
import { arch, platform } from 'node:os';
import type { GeneratedProject } from '../emit/project.js';
import { CODEGEN_VERSION } from '../emit/version.js';
import type { HostToolchain } from '../toolchain/host.js';

/** One named input of a fingerprint, shown as text (file contents as their SHA-256). */
export interface FingerprintField {
  name: string;
  value: string;
}

export interface Fingerprint {
  /** SHA-256, lower-case hex. */
  digest: string;
  /** The fields in hashing order. */
  fields: FingerprintField[];
}

/** Everything besides the project that goes into the compiled library. */
export interface CompileIdentity {
  toolchain: HostToolchain;
  /** The explicit CPU level (never `native`), or undefined where the host has none. */
  march: string | undefined;
  /** Flags of the hot sources, of the cold sources and of the link, in order. */
  flags: string[];
  coldFlags: string[];
  linkFlags: string[];
  /** User -D definitions (name → value), the fingerprint's own defines excluded. */
  defines: Record<string, string>;
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Hash-input framing: `<label length>:<label><value length>:<value>` for every field, so no
 * two different field lists can produce the same byte stream.
 */
function frame(hash: ReturnType<typeof createHash>, label: string, value: string | Uint8Array): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const labelBytes = Buffer.from(label, 'utf8');
  hash.update(`${labelBytes.length}:`);
  hash.update(labelBytes);
  hash.update(`${bytes.length}:`);
  hash.update(bytes);
}

/** What the generated program.c says about itself (its metadata JSON, fingerprint left out). */
export interface ProjectMetadata {
  mode: string;
  xlen: number;
  memoryBits: number;
  costTable?: Record<string, string>;
}

/**
 * The metadata of a generated project, read from its program.c rather than from the in-memory
 * summary, so a project written to disk and read back (the Bazel compile action) fingerprints
 * exactly as the one codegen returned.
 */
export function projectMetadata(project: Pick<GeneratedProject, 'files'>): ProjectMetadata | undefined {
  const program = project.files.find((f) => f.path === 'program.c');
  if (!program) return undefined;
  // The descriptor holds the metadata as a C string literal (JSON string syntax) followed by the
  // RVR_FINGERPRINT macro: `"{\"codegenVersion\":...,\"fingerprint\":\"" RVR_FINGERPRINT "\"}"`.
  const m = /^\s*("\{.*") RVR_FINGERPRINT "\\"\}",$/m.exec(program.contents);
  if (!m) return undefined;
  let meta: Partial<ProjectMetadata>;
  try {
    meta = JSON.parse((JSON.parse(m[1]) as string) + '"}') as Partial<ProjectMetadata>;
  } catch {
    return undefined;
  }
  if (typeof meta.mode !== 'string' || typeof meta.xlen !== 'number' || typeof meta.memoryBits !== 'number') return undefined;
  return meta as ProjectMetadata;
}

export function computeFingerprint(project: Pick<GeneratedProject, 'files'> & Partial<Pick<GeneratedProject, 'summary'>>, id: CompileIdentity): Fingerprint {
  const hash = createHash('sha256');
  const fields: FingerprintField[] = [];
  const add = (name: string, value: string, hashed: string | Uint8Array = value): void => {
    fields.push({ name, value });
    frame(hash, name, hashed);
  };
  // A hand-made project (no generated program.c) still has its summary.
  const meta = projectMetadata(project) ?? project.summary;
  if (!meta) throw new Error('project has neither a generated program.c with metadata nor a summary: cannot fingerprint it');
  add('mode', meta.mode);
  add('memory.xlen', String(meta.xlen));
  add('memory.bits', String(meta.memoryBits));
  if (meta.costTable) add('costTable', canonicalJson(meta.costTable));
  const files = [...project.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let k = 1; k < files.length; k++) {
    if (files[k].path === files[k - 1].path) throw new Error(`generated project has two files named ${files[k].path}`);
  }
  for (const f of files) {
    const bytes = Buffer.from(f.contents, 'utf8');
    add(`file:${f.path}`, `sha256:${sha256(bytes)} (${bytes.length} bytes)`, bytes);
  }
  add('compiler.path', id.toolchain.path);
  add('compiler.version', id.toolchain.versionText);
  add('march', id.march ?? '(none)');
  add('flags.compile', JSON.stringify(id.flags));
  add('flags.cold', JSON.stringify(id.coldFlags));
  add('flags.link', JSON.stringify(id.linkFlags));
  add('defines', canonicalJson(id.defines));
  add('host.os', platform());
  add('host.arch', arch());
  add('codegen.version', CODEGEN_VERSION);
  return { digest: hash.digest('hex'), fields };
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : typeof v === 'bigint'
        ? v.toString()
        : v,
  );
}

/** A field that differs between two fingerprints (absent on one side: undefined). */
export interface FieldDifference {
  name: string;
  a: string | undefined;
  b: string | undefined;
}

/** Exactly the fields whose values differ (or exist on one side only), in A's order then B's. */
export function diffFingerprintFields(a: readonly FingerprintField[], b: readonly FingerprintField[]): FieldDifference[] {
  const mapA = new Map(a.map((f) => [f.name, f.value]));
  const mapB = new Map(b.map((f) => [f.name, f.value]));
  const names = [...new Set([...a.map((f) => f.name), ...b.map((f) => f.name)])];
  return names.filter((n) => mapA.get(n) !== mapB.get(n)).map((name) => ({ name, a: mapA.get(name), b: mapB.get(name) }));
}

/**
 * The fingerprint text and fields embedded in a library file, found in its bytes without
 * loading it (metadata JSON `"fingerprint":"<hex>"` and the `rvr_fingerprint_fields` string).
 */
export const FIELDS_MARKER = 'RVR-FINGERPRINT-FIELDS:';

export function embeddedFingerprint(library: Uint8Array): string | undefined {
  const buf = Buffer.from(library.buffer, library.byteOffset, library.byteLength);
  const key = Buffer.from('"fingerprint":"');
  const at = buf.indexOf(key);
  if (at < 0) return undefined;
  const text = buf.subarray(at + key.length, at + key.length + 65).toString('latin1');
  const m = /^([0-9a-f]{64})"/.exec(text);
  return m?.[1];
}

export function embeddedFingerprintFields(library: Uint8Array): FingerprintField[] | undefined {
  const buf = Buffer.from(library.buffer, library.byteOffset, library.byteLength);
  const at = buf.indexOf(Buffer.from(FIELDS_MARKER));
  if (at < 0) return undefined;
  const start = at + FIELDS_MARKER.length;
  const end = buf.indexOf(0, start);
  if (end <= start) return undefined;
  try {
    const fields = JSON.parse(Buffer.from(buf.subarray(start, end).toString('latin1'), 'base64').toString('utf8')) as unknown;
    return isFieldList(fields) ? fields : undefined;
  } catch {
    return undefined;
  }
}

export function isFieldList(v: unknown): v is FingerprintField[] {
  return Array.isArray(v) && v.every((f) => f !== null && typeof f === 'object' && typeof f.name === 'string' && typeof f.value === 'string');
}

/** The C defines that embed a fingerprint in the library (string literals for program.c). */
export function fingerprintDefines(fp: Fingerprint): Record<string, string> {
  return {
    RVR_FINGERPRINT: `"${fp.digest}"`,
    // Base64: the field values (compiler version text) may hold anything; base64 is a safe C literal.
    RVR_FINGERPRINT_FIELDS: `"${Buffer.from(JSON.stringify(fp.fields), 'utf8').toString('base64')}"`,
  };
}
