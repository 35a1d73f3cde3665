/** Host C toolchain: which compiler, which CPU level, which flags. */
import { execa } from 'execa';
import { accessSync, constants } from 'node:fs';
import { arch } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export interface HostToolchain {
  /** The compiler command as resolved on PATH (or as given when it is a path). */
  cc: string;
  /** Absolute path of the compiler executable (PATH lookup; part of the fingerprint). */
  path: string;
  /** First line of `cc --version`. */
  version: string;
  /** Full `cc --version` output (part of the fingerprint). */
  versionText: string;
}

export class ToolchainError extends Error {
  override name = 'ToolchainError';
}

/**
 * The explicit CPU level for generated code. Never `native`: an artifact built for one
 * machine's CPU must not be served from a shared cache to another.
 */
export function defaultMarch(hostArch: string = arch()): string | undefined {
  if (hostArch === 'x64') return 'x86-64-v2';
  if (hostArch === 'arm64') return 'armv8-a';
  return undefined;
}

const CANDIDATES = ['clang', 'gcc', 'cc'];

/** Resolve the host C compiler: explicit option, then $RVR_CC, then clang, gcc, cc on PATH. */
export async function findHostCompiler(explicit?: string): Promise<HostToolchain> {
  const requested = explicit ?? process.env.RVR_CC;
  const candidates = requested ? [requested] : CANDIDATES;
  for (const cc of candidates) {
    try {
      const r = await execa(cc, ['--version'], { reject: false, stdin: 'ignore' });
      // A command that could not be spawned at all has no exit code.
      if (r.exitCode === undefined) {
        if (requested) throw new ToolchainError(`C compiler '${cc}' not found (set RVR_CC or install clang: apt-get install clang)`);
        continue;
      }
      if (r.exitCode === 0) {
        const text = r.stdout.trim();
        return { cc, path: resolveCommand(cc) ?? cc, version: text.split('\n')[0], versionText: text };
      }
      if (requested) throw new ToolchainError(`C compiler '${cc}' failed to report its version: ${r.stderr.trim().split('\n')[0]}`);
    } catch (e) {
      if (e instanceof ToolchainError) throw e;
      if (requested) {
        throw new ToolchainError(`C compiler '${cc}' not found (set RVR_CC or install clang: apt-get install clang)`);
      }
    }
  }
  throw new ToolchainError('no C compiler found: tried clang, gcc, cc (install one: apt-get install clang)');
}

/**
 * Where a command runs from: itself when it names a file (contains a slash), else the first
 * executable of that name on PATH; undefined when there is none. The path as found, not
 * through symlinks: `cc` and `gcc` may be one binary that behaves differently by name.
 */
export function resolveCommand(cmd: string, pathVar: string = process.env.PATH ?? ''): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return isAbsolute(cmd) ? cmd : resolve(cmd);
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(resolve(dir), cmd);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

export interface CompileFlags {
  optLevel: string;
  march: string | undefined;
  extra: string[];
}

/** The complete, ordered flag list for compiling one generated source (part of the fingerprint). */
export function compileFlags(f: CompileFlags): string[] {
  const flags = [
    `-${f.optLevel}`,
    '-std=c11',
    '-fPIC',
    '-fvisibility=hidden',
    '-fno-strict-aliasing',
    '-fno-plt',
    '-Wall',
    '-Wextra',
  ];
  if (f.march) flags.push(`-march=${f.march}`);
  if (f.march?.includes('native')) throw new ToolchainError(`-march=${f.march} is not allowed: choose an explicit CPU level`);
  return [...flags, ...f.extra];
}

export function linkFlags(): string[] {
  return ['-shared', '-Wl,--hash-style=gnu', '-Wl,-z,noexecstack', '-Wl,--build-id=sha1'];
}
