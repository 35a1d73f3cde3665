/** The rvr command as a user runs it: built dist/, real processes. */
import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestElf, REPO_ROOT } from './support/guests.js';

const RVR = path.join(REPO_ROOT, 'bin', 'rvr.js');
const rvr = (args: string[], input?: string) => execa('node', [RVR, ...args], { reject: false, input: input ?? '' });

describe('rvr CLI', () => {
  it('builds a library and runs it: output passes through, the guest exit code is the exit code', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-cli-'));
    const elf = await guestElf('hello', 'rv64im');
    const so = path.join(dir, 'hello.so');
    const b = await rvr(['build', elf, '-o', so]);
    expect(b.stderr).toMatch(/^rvr: built .*hello\.so \(rv64im, pure/);
    expect(b.exitCode).toBe(0);
    const r = await rvr(['run', so]);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.exitCode).toBe((await import('./guests/hello.json', { with: { type: 'json' } })).default.exitCode);
  });

  it('runs an ELF directly, with input from a file, and prints JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-cli-'));
    const input = path.join(dir, 'in.txt');
    await writeFile(input, 'hello, world\n');
    const elf = await guestElf('transform', 'rv32im');
    const r = await rvr(['run', elf, '--input', input, '--json']);
    const rec = JSON.parse(r.stdout);
    expect(rec.status).toBe('exited');
    expect(r.exitCode).toBe(rec.exitCode);
  });

  it('disassembles', async () => {
    const r = await rvr(['disasm', await guestElf('hello', 'rv32im')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/<_start>:/);
    expect(r.stdout).toMatch(/\n\s+10000:\s+[0-9a-f]{8}\s+\S+/);
  });

  it('reports bad input in one line naming the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-cli-'));
    const junk = path.join(dir, 'junk.elf');
    await writeFile(junk, 'not an elf at all, just text\n');
    const r = await rvr(['build', junk, '-o', path.join(dir, 'x.so')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('junk.elf');

    const lib = (await execa('sh', ['-c', 'ls /usr/lib/x86_64-linux-gnu/libz.so.1 /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/aarch64-linux-gnu/libc.so.6 2>/dev/null | head -1'])).stdout.trim();
    const notRvr = await rvr(['run', lib]);
    expect(notRvr.exitCode).toBe(1);
    expect(notRvr.stderr).toMatch(/not an rvr guest library/);

    const usage = await rvr(['frobnicate']);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
