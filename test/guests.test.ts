/**
 * Differential guests under QEMU: every program in test/guests, built for RV32IM and RV64IM,
 * must exit with the expected code and produce exactly the expected stdout, stderr and public
 * output (fd 3). A missing cross compiler or qemu fails these tests; they are never skipped.
 */
import { describe, expect, it } from 'vitest';
import {
  GUEST_ISAS,
  guestElf,
  guestExpectation,
  listGuests,
  runQemu,
} from './support/guests.js';

const names = await listGuests();

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
