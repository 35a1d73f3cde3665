/**
 * Sparse guest memory for the reference interpreter: an arena of 2^memoryBits bytes made of
 * 4 KiB pages that are allocated on first write. Untouched pages read as zero.
 *
 * Two kinds of accessors:
 *  - the `loadN` / `storeN` methods take a plain number address and assume the caller has
 *    already checked `addr + N <= size` (the interpreter does, to raise a typed trap);
 *  - `read`, `write`, `load`, `store` check bounds themselves and throw a MemoryFault.
 * All multi-byte accesses are little-endian and may be misaligned, also across pages.
 */
import { createHash } from 'node:crypto';
import { PAGE_SIZE } from '../isa/abi.js';

const PAGE_SHIFT = 12;
const PAGE_MASK = PAGE_SIZE - 1;

interface Page {
  b: Uint8Array;
  v: DataView;
}

function newPage(): Page {
  const b = new Uint8Array(PAGE_SIZE);
  return { b, v: new DataView(b.buffer) };
}

/** Shared read-only zero page returned for reads of untouched pages (never written). */
const ZERO: Page = newPage();

/** An access outside the arena. `addr` is the (unsigned) start address of the access. */
export class MemoryFault extends Error {
  constructor(
    readonly kind: 'load' | 'store',
    readonly addr: bigint,
    readonly size: number,
  ) {
    super(`${kind} of ${size} bytes at 0x${addr.toString(16)} is outside the arena`);
    this.name = 'MemoryFault';
  }
}

export class Memory {
  /** Arena size in bytes (2^bits), as a number (exact: bits <= 52). */
  readonly size: number;
  readonly sizeBig: bigint;
  private readonly pages = new Map<number, Page>();
  // One-entry page cache shared by reads and writes. `cp` may be ZERO (read-only) when the
  // cached page has never been written.
  private ci = -1;
  private cp: Page = ZERO;

  constructor(readonly bits: number) {
    if (!Number.isInteger(bits) || bits < 12 || bits > 52) {
      throw new RangeError(`memory bits must be an integer in [12, 52], got ${bits}`);
    }
    this.size = 2 ** bits;
    this.sizeBig = 1n << BigInt(bits);
  }

  /** True when [addr, addr + size) lies inside the arena (addr taken as given, no wrapping). */
  inBounds(addr: number | bigint, size: number): boolean {
    if (typeof addr === 'bigint') return addr >= 0n && addr + BigInt(size) <= this.sizeBig;
    return Number.isInteger(addr) && addr >= 0 && addr + size <= this.size;
  }

  private rpage(addr: number): Page {
    const idx = addr < 0x100000000 ? addr >>> PAGE_SHIFT : Math.floor(addr / PAGE_SIZE);
    if (idx === this.ci) return this.cp;
    const p = this.pages.get(idx) ?? ZERO;
    this.ci = idx;
    this.cp = p;
    return p;
  }

  private wpage(addr: number): Page {
    const idx = addr < 0x100000000 ? addr >>> PAGE_SHIFT : Math.floor(addr / PAGE_SIZE);
    if (idx === this.ci && this.cp !== ZERO) return this.cp;
    let p = this.pages.get(idx);
    if (p === undefined) {
      p = newPage();
      this.pages.set(idx, p);
    }
    this.ci = idx;
    this.cp = p;
    return p;
  }

  // ---- unchecked accessors (caller guarantees addr + N <= size) ----

  loadU8(addr: number): number {
    return this.rpage(addr).b[addr & PAGE_MASK];
  }

  loadU16(addr: number): number {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 2) return this.rpage(addr).v.getUint16(off, true);
    return this.loadU8(addr) | (this.loadU8(addr + 1) << 8);
  }

  /** 32-bit load returned as a signed int32 (use `>>> 0` for the unsigned value). */
  loadI32(addr: number): number {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 4) return this.rpage(addr).v.getInt32(off, true);
    let v = 0;
    for (let k = 3; k >= 0; k--) v = (v << 8) | this.loadU8(addr + k);
    return v;
  }

  loadU64(addr: number): bigint {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 8) return this.rpage(addr).v.getBigUint64(off, true);
    const lo = this.loadI32(addr) >>> 0;
    const hi = this.loadI32(addr + 4) >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  store8(addr: number, v: number): void {
    this.wpage(addr).b[addr & PAGE_MASK] = v;
  }

  store16(addr: number, v: number): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 2) {
      this.wpage(addr).v.setUint16(off, v & 0xffff, true);
      return;
    }
    this.store8(addr, v & 0xff);
    this.store8(addr + 1, (v >>> 8) & 0xff);
  }

  store32(addr: number, v: number): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 4) {
      this.wpage(addr).v.setInt32(off, v | 0, true);
      return;
    }
    for (let k = 0; k < 4; k++) this.store8(addr + k, (v >>> (8 * k)) & 0xff);
  }

  store64(addr: number, v: bigint): void {
    const off = addr & PAGE_MASK;
    if (off <= PAGE_SIZE - 8) {
      this.wpage(addr).v.setBigUint64(off, BigInt.asUintN(64, v), true);
      return;
    }
    this.store32(addr, Number(BigInt.asUintN(32, v)));
    this.store32(addr + 4, Number(BigInt.asUintN(32, v >> 32n)));
  }

  // ---- checked accessors ----

  private check(kind: 'load' | 'store', addr: number | bigint, size: number): number {
    if (!this.inBounds(addr, size)) {
      throw new MemoryFault(kind, typeof addr === 'bigint' ? addr : BigInt(addr), size);
    }
    return Number(addr);
  }

  /** Unsigned little-endian load of 1, 2, 4 or 8 bytes; throws MemoryFault outside the arena. */
  load(addr: number | bigint, size: 1 | 2 | 4 | 8): bigint {
    const a = this.check('load', addr, size);
    switch (size) {
      case 1: return BigInt(this.loadU8(a));
      case 2: return BigInt(this.loadU16(a));
      case 4: return BigInt(this.loadI32(a) >>> 0);
      default: return this.loadU64(a);
    }
  }

  /** Little-endian store of the low `size` bytes of v; throws MemoryFault outside the arena. */
  store(addr: number | bigint, size: 1 | 2 | 4 | 8, v: bigint): void {
    const a = this.check('store', addr, size);
    switch (size) {
      case 1: this.store8(a, Number(v & 0xffn)); break;
      case 2: this.store16(a, Number(v & 0xffffn)); break;
      case 4: this.store32(a, Number(v & 0xffffffffn)); break;
      default: this.store64(a, v);
    }
  }

  /** Copy `len` bytes starting at addr out of the arena. */
  read(addr: number | bigint, len: number): Uint8Array {
    const a = this.check('load', addr, len);
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const cur = a + done;
      const off = cur % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - off);
      const p = this.rpage(cur);
      if (p !== ZERO) out.set(p.b.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Copy bytes into the arena at addr. */
  write(addr: number | bigint, bytes: Uint8Array): void {
    const a = this.check('store', addr, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const cur = a + done;
      const off = cur % PAGE_SIZE;
      const n = Math.min(bytes.length - done, PAGE_SIZE - off);
      const chunk = bytes.subarray(done, done + n);
      // Writing only zeros into an untouched page changes nothing: keep it unallocated.
      if (this.pages.has(Math.floor(cur / PAGE_SIZE)) || chunk.some((x) => x !== 0)) {
        this.wpage(cur).b.set(chunk, off);
      }
      done += n;
    }
  }

  /**
   * Copies of every page that holds a non-zero byte, in address order (`addr` is the page's
   * base address, `data` its PAGE_SIZE bytes). Together with the arena size this is the whole
   * memory state (every other byte is zero).
   */
  nonZeroPages(): { addr: number; data: Uint8Array }[] {
    const idxs = [...this.pages.keys()].sort((x, y) => x - y);
    const out: { addr: number; data: Uint8Array }[] = [];
    for (const i of idxs) {
      const p = this.pages.get(i)!;
      if (p.b.some((x) => x !== 0)) out.push({ addr: i * PAGE_SIZE, data: p.b.slice() });
    }
    return out;
  }

  /**
   * Replace the whole contents: every byte becomes zero, then each page is copied in.
   * `addr` must be page-aligned and `data` exactly PAGE_SIZE bytes inside the arena.
   */
  replacePages(pages: readonly { addr: number; data: Uint8Array }[]): void {
    for (const p of pages) {
      if (!Number.isInteger(p.addr) || p.addr % PAGE_SIZE !== 0 || p.data.length !== PAGE_SIZE || !this.inBounds(p.addr, PAGE_SIZE)) {
        throw new RangeError(`memory page at ${p.addr} is not a whole aligned page inside the 2^${this.bits}-byte arena`);
      }
    }
    this.pages.clear();
    this.ci = -1;
    this.cp = ZERO;
    for (const p of pages) {
      const q = newPage();
      q.b.set(p.data);
      this.pages.set(p.addr / PAGE_SIZE, q);
    }
  }

  /** Number of pages allocated so far (for diagnostics). */
  get allocatedPages(): number {
    return this.pages.size;
  }

  /**
   * SHA-256 (hex) over every page that holds a non-zero byte, in address order, each as its
   * 8-byte little-endian base address followed by its 4096 bytes. Independent of which all-zero
   * pages happen to be allocated, so equal memories give equal digests.
   */
  digest(): string {
    const h = createHash('sha256');
    const idxs = [...this.pages.keys()].sort((x, y) => x - y);
    const hdr = new DataView(new ArrayBuffer(8));
    for (const i of idxs) {
      const p = this.pages.get(i)!;
      if (!p.b.some((x) => x !== 0)) continue;
      hdr.setBigUint64(0, BigInt(i) * BigInt(PAGE_SIZE), true);
      h.update(new Uint8Array(hdr.buffer));
      h.update(p.b);
    }
    return h.digest('hex');
  }
}
