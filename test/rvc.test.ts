/**
 * The C extension: every compressed instruction of real compiled guests decodes to what GNU
 * objdump says it is (mnemonic and operands, `-M no-aliases`), on RV32 and RV64.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../src/elf/parse.js';
import { disassemble } from '../src/isa/disasm.js';
import { decode } from '../src/isa/decode.js';
import { COMPRESSED_ISAS, guestElf } from './support/guests.js';

const norm = (s: string): string => s.replace(/\s*<[^>]*>/, '').replace(/\s*#.*$/, '').replace(/0x/g, '').replace(/,\s*/g, ',').replace(/\s+/g, ' ').trim();

describe.each(COMPRESSED_ISAS)('%s compressed decoding = objdump', (isa) => {
  it.each(['sha256', 'sort', 'format', 'rvc_entry'])('%s', async (name) => {
    const path = await guestElf(name, isa);
    const elf = parseElf(await readFile(path), path);
    const dump = execFileSync('riscv64-unknown-elf-objdump', ['-d', '-M', 'no-aliases', path], { encoding: 'utf8' });
    let checked = 0;
    for (const line of dump.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+([0-9a-f]{4})\s+(c\.\S+.*)$/.exec(line);
      if (!m) continue;
      const pc = parseInt(m[1], 16);
      const half = parseInt(m[2], 16);
      const i = decode(half, elf.elfClass, { compressed: true });
      expect(i?.len, `${m[1]}: ${m[3]}`).toBe(2);
      expect(norm(disassemble(half, pc, elf.elfClass, { compressed: true })), `${m[1]}: ${m[3]}`).toBe(norm(m[3]));
      checked++;
    }
    expect(checked).toBeGreaterThan(name === 'rvc_entry' ? 5 : 100);
  });
  it('reserved and all-zero halfwords are illegal', () => {
    const xlen = isa.startsWith('rv32') ? 32 : 64;
    expect(decode(0x0000, xlen, { compressed: true })).toBeUndefined(); // c.addi4spn with nzuimm 0
    expect(decode(0x4002, xlen, { compressed: true })).toBeUndefined(); // c.lwsp rd = x0
    expect(decode(0x8002, xlen, { compressed: true })).toBeUndefined(); // c.jr x0
    expect(decode(0x6101, xlen, { compressed: true })).toBeUndefined(); // c.addi16sp 0
    expect(decode(0x4515, xlen)).toBeUndefined(); // without C a halfword is not an instruction
  });
});
