/**
 * Differential guests under QEMU: every program in test/guests, built for RV32IM and RV64IM,
 * must exit with the expected code and produce exactly the expected stdout, stderr and public
 * output (fd 3). A missing cross compiler or qemu fails these tests; they are never skipped.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  benchElf,
  BENCH_GUESTS_DIR,
  GUEST_ISAS,
  GUEST_WORK_DIR,
  guestElf,
  guestExpectation,
  listBenchGuests,
  listGuests,
  REPO_ROOT,
  runQemu,
} from './support/guests.js';

const names = await listGuests();
const benchNames = await listBenchGuests();

/** Builds a benchmark natively with the host compiler and the native shim; returns its path. */
async function nativeBench(name: string): Promise<string> {
  const out = path.join(GUEST_WORK_DIR, 'native', `bench-${name}`);
  await mkdir(path.dirname(out), { recursive: true });
  const cc = process.env['CC'] ?? 'gcc';
  const source = path.join(BENCH_GUESTS_DIR, `${name}.c`);
  const args = ['-O2', '-I', 'guest/include', 'bench/native/rvr_native.c', source, '-o', out];
  const r = await execa(cc, args, { cwd: REPO_ROOT, reject: false });
  if (r.exitCode !== 0) {
    throw new Error(`native build of bench ${name} with ${cc} failed: ${r.stderr || r.shortMessage}`);
  }
  return out;
}

describe('differential guests under qemu-user', () => {
  it('has at least 24 guests, each with an expectation file', async () => {
    expect(names.length).toBeGreaterThanOrEqual(24);
    for (const name of names) await guestExpectation(name);
  });

  for (const isa of GUEST_ISAS) {
    describe(isa, () => {
      for (const name of names) {
        it(name, async () => {
          const expected = await guestExpectation(name);
          const elf = await guestElf(name, isa);
          const got = await runQemu(elf, isa, expected.input ?? '');
          expect(got.stdout.toString('latin1')).toBe(expected.stdout.toString('latin1'));
          expect(got.stderr.toString('latin1')).toBe(expected.stderr.toString('latin1'));
          expect(got.publicOutput.toString('latin1')).toBe(
            expected.publicOutput.toString('latin1'),
          );
          expect(got.exitCode).toBe(expected.exitCode);
        });
      }
    });
  }
});

describe('benchmark guests at scale 1', () => {
  it('has at least 8 benchmark guests', () => {
    expect(benchNames.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of benchNames) {
    it(`${name}: rv32im, rv64im and native print the same checksum`, async () => {
      const native = await execa(await nativeBench(name), [], { input: '1', reject: false });
      expect(native.exitCode).toBe(0);
      expect(native.stdout).toMatch(new RegExp(`^${name} scale 1 `));
      for (const isa of GUEST_ISAS) {
        const got = await runQemu(await benchElf(name, isa), isa, '1');
        expect(got.exitCode).toBe(0);
        expect(got.stdout.toString().trimEnd()).toBe(native.stdout.trimEnd());
        expect(got.stderr.toString()).toBe('');
      }
    });
  }
});
