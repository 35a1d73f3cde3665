/**
 * Differential tests: every guest program gives the same exit code and outputs recompiled,
 * interpreted and under qemu-user, for rv32im and rv64im, and matches its expected files.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parseElf } from '../src/elf/parse.js';
import { interpret } from '../src/interp/index.js';
import { Program } from '../src/runtime/index.js';
import { COMPRESSED_ISAS, GUEST_ISAS, guestElf, guestExpectation, listGuests, runQemu } from './support/guests.js';
import { recompiled } from './support/recompile.js';

const guests = await listGuests();

describe.each([...GUEST_ISAS, ...COMPRESSED_ISAS])('%s', (isa) => {
  it.each(guests)('%s: recompiled = interpreter = qemu = expected', async (name) => {
    const elfPath = await guestElf(name, isa);
    const expected = await guestExpectation(name);
    const input = Buffer.from(expected.input ?? '');

    const program = await Program.load(await recompiled(elfPath));
    const rec = await program.run({ input });
    const interp = interpret(parseElf(await readFile(elfPath), elfPath), { input });
    const qemu = await runQemu(elfPath, isa, input);

    const view = (r: { exitCode?: number; stdout: Uint8Array; stderr: Uint8Array; publicOutput: Uint8Array }) => ({
      exitCode: r.exitCode,
      stdout: Buffer.from(r.stdout).toString('latin1'),
      stderr: Buffer.from(r.stderr).toString('latin1'),
      publicOutput: Buffer.from(r.publicOutput).toString('hex'),
    });
    expect(rec.trap?.message).toBeUndefined();
    expect(rec.status).toBe('exited');
    expect(view(rec)).toEqual(view(expected));
    expect(view({ ...interp, exitCode: interp.exitCode })).toEqual(view(expected));
    expect(view(qemu)).toEqual(view(expected));
    // Same final registers and the same number of retired instructions.
    expect(rec.registers).toEqual(interp.registers);
    expect(rec.instructions).toBe(interp.instret);
  }, 600_000);
});
