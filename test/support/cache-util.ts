/**
 * Test support for the artifact cache suites: the `rvr` command and the cache client
 * (test/support/cache-client.mjs) run as separate processes with a clean environment, and small
 * directory helpers.
 */
import { execa, type Result } from 'execa';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './guests.js';

export const CLIENT = path.join(REPO_ROOT, 'test', 'support', 'cache-client.mjs');
export const RVR = path.join(REPO_ROOT, 'bin', 'rvr.js');

/** The environment of a test process: no cache settings or debug switches from ours. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('RVR_') && k !== 'XDG_CACHE_HOME') env[k] = v;
  }
  return { ...env, ...extra };
}

export interface ProcessResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
}

const plain = (r: Result): ProcessResult => ({
  exitCode: r.exitCode,
  signal: r.signal,
  stdout: String(r.stdout),
  stderr: String(r.stderr),
});

/** `rvr ARGS` in a child process; never rejects. */
export async function rvr(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return plain(await execa('node', [RVR, ...args], { reject: false, env: cleanEnv(env), extendEnv: false, timeout: 120_000 }));
}

/** A node script (ES module source) in a child process; never rejects. */
export async function nodeScript(source: string, args: string[] = [], env: Record<string, string> = {}): Promise<ProcessResult> {
  return plain(
    await execa('node', ['--input-type=module', '-e', source, ...args], { reject: false, env: cleanEnv(env), extendEnv: false, cwd: REPO_ROOT, timeout: 120_000 }),
  );
}

export const newDir = (what: string): Promise<string> => mkdtemp(path.join(tmpdir(), `rvr-${what}-`));

/** Sorted names in a directory; [] when it is missing or not a directory. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return [];
    throw e;
  }
}
