/**
 * A generated C project on disk: its files plus a manifest (`project.json`) naming the sources,
 * the cold sources and the summary. `rvr codegen` writes it and `rvr compile` reads it back, so
 * the two halves of a build can run as separate (cacheable) steps and still hand
 * `compileProject` exactly the project `generateProject` returned.
 *
 * The manifest is written with sorted file names and no host facts (paths, times), so the same
 * project always gives the same bytes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import type { GeneratedProject } from '../emit/project.js';

export const MANIFEST_NAME = 'project.json';
const MANIFEST_FORMAT = 1;

interface Manifest {
  format: number;
  files: string[];
  sources: string[];
  coldSources: string[];
  summary: GeneratedProject['summary'];
}

export class ProjectIoError extends Error {
  override name = 'ProjectIoError';
}

/** Write the project's files and its manifest under `dir` (created if missing). */
export async function writeProjectDir(project: GeneratedProject, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const names = project.files.map((f) => f.path);
  for (const name of names) checkRelative(name, dir);
  if (names.includes(MANIFEST_NAME)) throw new ProjectIoError(`${dir}: the project has a file named ${MANIFEST_NAME}`);
  await Promise.all(
    project.files.map(async (f) => {
      await mkdir(dirname(join(dir, f.path)), { recursive: true });
      await writeFile(join(dir, f.path), f.contents);
    }),
  );
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    files: [...names].sort(),
    sources: [...project.sources],
    coldSources: [...project.coldSources],
    summary: project.summary,
  };
  await writeFile(join(dir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
}

/** Read a project written by {@link writeProjectDir}; files are returned in manifest order. */
export async function readProject(dir: string): Promise<GeneratedProject> {
  const manifestPath = join(dir, MANIFEST_NAME);
  const text = await readFile(manifestPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ProjectIoError(`${manifestPath}: cannot read project manifest (${e.code ?? e.message})`);
  });
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new ProjectIoError(`${manifestPath}: not JSON (${(e as Error).message})`);
  }
  if (m.format !== MANIFEST_FORMAT) throw new ProjectIoError(`${manifestPath}: unsupported manifest format ${String(m.format)}`);
  if (!Array.isArray(m.files) || !Array.isArray(m.sources) || !Array.isArray(m.coldSources) || typeof m.summary !== 'object') {
    throw new ProjectIoError(`${manifestPath}: manifest lacks files, sources, coldSources or summary`);
  }
  const known = new Set(m.files);
  for (const s of [...m.sources, ...m.coldSources]) {
    if (!known.has(s)) throw new ProjectIoError(`${manifestPath}: source ${s} is not among the project's files`);
  }
  const files = await Promise.all(
    m.files.map(async (path) => {
      checkRelative(path, dir);
      const contents = await readFile(join(dir, path), 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new ProjectIoError(`${join(dir, path)}: cannot read project file (${e.code ?? e.message})`);
      });
      return { path, contents };
    }),
  );
  return { files, sources: m.sources, coldSources: m.coldSources, summary: m.summary };
}

function checkRelative(path: string, dir: string): void {
  if (isAbsolute(path) || normalize(path).startsWith('..')) throw new ProjectIoError(`${dir}: project file name '${path}' leaves the project directory`);
}
