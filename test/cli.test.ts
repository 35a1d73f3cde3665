/** The rvr command as a user runs it: built dist/, real processes. */
import { execa } from 'execa';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../src/elf/parse.js';
import { fixtureElf, guestElf, REPO_ROOT } from './support/guests.js';

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

  it('runs metered modes with limits and segments, reporting counts as JSON', async () => {
    const elf = await guestElf('hello', 'rv64im');
    const full = JSON.parse((await rvr(['run', elf, '--mode', 'metered', '--segment-size', '1000', '--json'])).stdout);
    expect(full.status).toBe('exited');
    const total = BigInt(full.instructions);
    expect(full.segments.reduce((n: bigint, s: { length: string }) => n + BigInt(s.length), 0n)).toBe(total);
    expect(Object.values(full.classCounts as Record<string, string>).reduce((n, c) => n + BigInt(c), 0n)).toBe(total);

    const cut = await rvr(['run', elf, '--mode', 'metered', '--max-insns', '100', '--json']);
    expect(cut.exitCode).toBe(134);
    expect(JSON.parse(cut.stdout)).toMatchObject({ status: 'running', instructions: '100' });

    const gas = await rvr(['run', elf, '--mode', 'metered_cost', '--max-cost', '500']);
    expect(gas.exitCode).toBe(134);
    expect(gas.stderr).toMatch(/^rvr: guest stopped \(out of gas\) after \d+ instructions at pc 0x[0-9a-f]+$/m);

    const bad = await rvr(['run', elf, '--max-insns', 'lots']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--max-insns takes a whole number/);
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

describe('rvr -g (debug info)', () => {
  it('cc -g, codegen -g, compile -g: #line to the guest source, a library with debug info and no absolute path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-cli-debug-'));
    await copyFile(path.join(REPO_ROOT, 'test', 'fixtures', 'debug', 'lines.c'), path.join(dir, 'lines.c'));
    const inDir = (args: string[]) => execa('node', [RVR, ...args], { reject: false, cwd: dir });
    const cc = await inDir(['cc', '-g', '--isa', 'rv32im', 'lines.c', '-o', 'guest.elf']);
    expect(cc.stderr).toBe('');
    expect(cc.exitCode).toBe(0);
    const gen = await inDir(['codegen', '--debug', 'guest.elf', '--out-dir', 'proj']);
    expect(gen.stderr).toBe('');
    expect(gen.exitCode).toBe(0);
    const c = (await readdir(path.join(dir, 'proj'))).filter((f) => f.endsWith('.c'));
    const text = (await Promise.all(c.map((f) => readFile(path.join(dir, 'proj', f), 'utf8')))).join('\n');
    expect(text).toContain('\n#line 5 "lines.c"\n');
    expect(text).toMatch(/\n#line \d+ "rvr-guest\/src\/lib\.c"\n/); // the SDK, under its mapped name
    expect(text.includes(dir)).toBe(false);
    const so = path.join(dir, 'guest.so');
    const comp = await inDir(['compile', '-g', '-O', '1', 'proj', '-o', 'guest.so']);
    expect(comp.stderr).toBe('');
    expect(comp.exitCode).toBe(0);
    expect((await execa('readelf', ['-S', '-W', so])).stdout).toMatch(/\.debug_info/);
    const bytes = (await readFile(so)).toString('latin1');
    for (const bad of [dir, REPO_ROOT, '/tmp/']) expect(bytes.includes(bad), bad).toBe(false);
    const run = await rvr(['run', so]);
    expect(run.stdout).toBe('acc=345');
    expect(run.exitCode).toBe(345 & 0x7f);
  });

  it('build -g of a guest whose line table is malformed: one warning line, then the library', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rvr-cli-debug-'));
    const elfPath = await fixtureElf('test/fixtures/debug/lines.c', 'lines-g', 'rv64im', ['-g']);
    const bytes = new Uint8Array(await readFile(elfPath));
    const line = parseElf(bytes, elfPath).debug!.line!.bytes;
    const at = line.byteOffset - bytes.byteOffset;
    bytes.fill(0xff, at, at + 4);
    const bad = path.join(dir, 'bad.elf');
    await writeFile(bad, bytes);
    const r = await rvr(['build', '-g', '--no-cache', '-O', '1', bad, '-o', path.join(dir, 'bad.so')]);
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^rvr: warning: .*bad\.elf: ignoring malformed debug line info: unit at offset 0x0: /);
    expect(lines[1]).toMatch(/^rvr: built /);
    expect((await rvr(['run', path.join(dir, 'bad.so')])).stdout).toBe('acc=345');
  });
});
