/**
 * Snapshots: the serialised state of a machine stopped by a limit, to resume it later in this
 * process or another.
 *
 * Layout (all integers little-endian):
 *   "RVRSNAP1"                          magic and format version
 *   u32 n, n bytes                      header, JSON (bigints as decimal strings)
 *   stdout, stderr, public output       output so far (lengths in the header)
 *   pages × (u64 address, 4096 bytes)   guest memory that differs from the initial image
 *   32 bytes                            SHA-256 of everything before it
 * The header names the library (fingerprint, ISA, mode, memory size) and the input (length,
 * SHA-256, position), so a snapshot resumes only against the same program and input.
 */
import { createHash } from 'node:crypto';

import type { NativeMachineState, NativeSegmentState } from './addon.js';

export const SNAPSHOT_MAGIC = 'RVRSNAP1';
export const SNAPSHOT_PAGE = 4096;

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

/** Which library a snapshot belongs to. */
export interface SnapshotLibrary {
  fingerprint: string;
  xlen: number;
  mode: string;
  memoryBits: number;
}

export interface SnapshotContents {
  library: SnapshotLibrary;
  input: { length: bigint; sha256: string };
  state: NativeMachineState;
  output: { stdout: Uint8Array; stderr: Uint8Array; publicOutput: Uint8Array };
  pages: { address: bigint; bytes: Uint8Array }[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const segmentJson = (s: NativeSegmentState): Json => ({
  start: String(s.start),
  length: String(s.length),
  cost: String(s.cost),
  classCounts: s.classCounts.map(String),
});

export function encodeSnapshot(c: SnapshotContents): Uint8Array {
  const st = c.state;
  const header = {
    library: { ...c.library },
    input: { length: String(c.input.length), sha256: c.input.sha256 },
    state: {
      registers: st.registers.map(String),
      pc: String(st.pc),
      status: st.status,
      instret: String(st.instret),
      cost: String(st.cost),
      classCounts: st.classCounts.map(String),
      brk: String(st.brk),
      clockCalls: String(st.clockCalls),
      inputPos: String(st.inputPos),
      inputLength: String(st.inputLength),
      segmentSize: String(st.segmentSize),
      open: segmentJson(st.open),
      segments: st.segments.map(segmentJson),
    },
    output: { stdout: c.output.stdout.length, stderr: c.output.stderr.length, publicOutput: c.output.publicOutput.length },
    pages: c.pages.length,
  } satisfies Json;
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Uint8Array[] = [Buffer.from(SNAPSHOT_MAGIC, 'latin1')];
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length);
  parts.push(len, headerBytes, c.output.stdout, c.output.stderr, c.output.publicOutput);
  for (const p of c.pages) {
    if (p.bytes.length !== SNAPSHOT_PAGE) throw new Error(`snapshot page at 0x${p.address.toString(16)} is not ${SNAPSHOT_PAGE} bytes`);
    const addr = Buffer.alloc(8);
    addr.writeBigUInt64LE(p.address);
    parts.push(addr, p.bytes);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Parses and checks a snapshot; `source` names it in errors (a file name, or "snapshot"). */
export function decodeSnapshot(bytes: Uint8Array, source: string): SnapshotContents {
  const bad = (problem: string): never => {
    throw new SnapshotError(`${source}: ${problem}`);
  };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 + 4 + 32 || buf.toString('latin1', 0, 8) !== SNAPSHOT_MAGIC) bad('not an rvr snapshot (bad magic)');
  const body = buf.subarray(0, buf.length - 32);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.length - 32))) {
    bad('snapshot is corrupt or truncated (checksum mismatch)');
  }
  const headerLen = body.readUInt32LE(8);
  if (12 + headerLen > body.length) bad('snapshot header runs past the end');
  let h: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field below
  try {
    h = JSON.parse(body.toString('utf8', 12, 12 + headerLen));
  } catch {
    bad('snapshot header is not valid JSON');
  }
  const big = (v: unknown, what: string): bigint => {
    if (typeof v !== 'string' || !/^\d+$/.test(v)) return bad(`snapshot field ${what} is not an unsigned integer`);
    return BigInt(v);
  };
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return bad(`snapshot field ${what} is not a count`);
    return v;
  };
  const list = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : bad(`snapshot field ${what} is not a list`));
  const segment = (v: any, what: string): NativeSegmentState => ({
    start: big(v?.start, `${what}.start`),
    length: big(v?.length, `${what}.length`),
    cost: big(v?.cost, `${what}.cost`),
    classCounts: list(v?.classCounts, `${what}.classCounts`).map((x, i) => big(x, `${what}.classCounts[${i}]`)),
  });
  const lib = h?.library;
  if (typeof lib?.fingerprint !== 'string' || typeof lib?.mode !== 'string') bad('snapshot header has no library identity');
  const s = h.state;
  const state: NativeMachineState = {
    registers: list(s?.registers, 'registers').map((x, i) => big(x, `registers[${i}]`)),
    pc: big(s?.pc, 'pc'),
    status: num(s?.status, 'status'),
    instret: big(s?.instret, 'instret'),
    cost: big(s?.cost, 'cost'),
    classCounts: list(s?.classCounts, 'classCounts').map((x, i) => big(x, `classCounts[${i}]`)),
    brk: big(s?.brk, 'brk'),
    clockCalls: big(s?.clockCalls, 'clockCalls'),
    inputPos: big(s?.inputPos, 'inputPos'),
    inputLength: big(s?.inputLength, 'inputLength'),
    segmentSize: big(s?.segmentSize, 'segmentSize'),
    open: segment(s?.open, 'open'),
    segments: list(s?.segments, 'segments').map((x, i) => segment(x, `segments[${i}]`)),
  };
  const outLens = [num(h.output?.stdout, 'output.stdout'), num(h.output?.stderr, 'output.stderr'), num(h.output?.publicOutput, 'output.publicOutput')];
  const npages = num(h.pages, 'pages');
  let at = 12 + headerLen;
  const take = (n: number): Uint8Array => {
    if (at + n > body.length) bad('snapshot is shorter than its header says');
    const out = body.subarray(at, at + n);
    at += n;
    return out;
  };
  const [stdout, stderr, publicOutput] = outLens.map(take);
  const pages: { address: bigint; bytes: Uint8Array }[] = [];
  for (let i = 0; i < npages; i++) {
    const address = Buffer.from(take(8)).readBigUInt64LE(0);
    pages.push({ address, bytes: take(SNAPSHOT_PAGE) });
  }
  if (at !== body.length) bad('snapshot has bytes after its last page');
  return {
    library: { fingerprint: lib.fingerprint, xlen: num(lib.xlen, 'library.xlen'), mode: lib.mode, memoryBits: num(lib.memoryBits, 'library.memoryBits') },
    input: { length: big(h.input?.length, 'input.length'), sha256: typeof h.input?.sha256 === 'string' ? h.input.sha256 : bad('snapshot has no input digest') },
    state,
    output: { stdout, stderr, publicOutput },
    pages,
  };
}
