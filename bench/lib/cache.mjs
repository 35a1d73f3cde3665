/**
 * Artifact-cache benchmark (issue 4): for the smallest and the largest guest of the project
 * (test/guests and bench/guests, by instruction count), the time `loadProgram` takes in a fresh
 * process on a cold build (empty cache), on a pre-key hit (no codegen) and on a full-fingerprint
 * hit (codegen and hashing, no compile), next to a run of the already loaded program.
 *
 * Goals: a pre-key hit costs at most 50 ms more than running the already loaded program, and
 * is at least 50x faster than a cold build.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { compileGuest } from '../../dist/toolchain/guest.js';
import { readElf } from '../../dist/elf/parse.js';
import { generateProject } from '../../dist/emit/project.js';
import { REPO_ROOT, WORK_DIR } from './build.mjs';

const CHILD = path.join(REPO_ROOT, 'bench', 'lib', 'cache-child.mjs');
export const PREKEY_OVERHEAD_GOAL_MS = 50;
export const SPEEDUP_GOAL = 50;

/**
 * @typedef {object} CacheRow
 * @property {string} name
 * @property {number} instructions
 * @property {number} coldMs loadProgram on an empty cache (codegen, compile, store, load).
 * @property {number} prekeyMs Best loadProgram on a pre-key hit.
 * @property {number} fingerprintMs Best loadProgram on a fingerprint hit (pre-key records removed).
 * @property {number} loadedRunMs Best run of the already loaded program.
 * @property {number} prekeyOverheadMs Best (pre-key hit + first run) − (run of the loaded program), in one process.
 * @property {string[]} errors
 */

/**
 * Every guest source of the project for `isa`, built to an ELF; returns the smallest and the
 * largest by instruction count.
 * @param {import('./args.mjs').GuestIsa} isa
 * @param {(msg: string) => void} progress
 */
async function pickGuests(isa, progress) {
  const dirs = [path.join(REPO_ROOT, 'test', 'guests'), path.join(REPO_ROOT, 'bench', 'guests')];
  const out = path.join(WORK_DIR, 'cache', isa);
  await mkdir(out, { recursive: true });
  /** @type {{ name: string, elf: string, instructions: number, input: string }[]} */
  const guests = [];
  for (const dir of dirs) {
    const prefix = dir.endsWith(path.join('bench', 'guests')) ? 'bench-' : '';
    for (const file of (await readdir(dir)).sort()) {
      if (!/\.(c|S)$/.test(file)) continue;
      const name = prefix + file.replace(/\.(c|S)$/, '');
      const elf = path.join(out, `${name}.elf`);
      await compileGuest({ sources: [path.join(dir, file)], isa, output: elf, cwd: REPO_ROOT });
      const instructions = generateProject(await readElf(elf), {}).summary.instructions;
      // Benchmark guests read their scale from the input: 1 keeps the runs short.
      guests.push({ name, elf, instructions, input: prefix ? '1' : '' });
    }
  }
  guests.sort((a, b) => a.instructions - b.instructions || (a.name < b.name ? -1 : 1));
  progress(`[${isa}] cache: ${guests.length} guests; smallest ${guests[0].name} (${guests[0].instructions} instructions), largest ${guests[guests.length - 1].name} (${guests[guests.length - 1].instructions})`);
  return [guests[0], guests[guests.length - 1]];
}

/**
 * @param {string} elf
 * @param {string} dir
 * @param {string} input
 */
async function child(elf, dir, input) {
  const r = await execa('node', [CHILD, JSON.stringify({ elf, dir, input })], { reject: false });
  if (r.exitCode !== 0) throw new Error(`cache child failed on ${elf}: ${String(r.stderr).trim().split('\n')[0]}`);
  return JSON.parse(String(r.stdout));
}

/**
 * @param {import('./args.mjs').GuestIsa} isa
 * @param {number} runs
 * @param {(msg: string) => void} progress
 * @returns {Promise<CacheRow[]>}
 */
export async function measureCache(isa, runs, progress) {
  /** @type {CacheRow[]} */
  const rows = [];
  for (const g of await pickGuests(isa, progress)) {
    const label = `[${isa}] cache ${g.name}`;
    /** @type {CacheRow} */
    const row = { name: g.name, instructions: g.instructions, coldMs: NaN, prekeyMs: Infinity, fingerprintMs: Infinity, loadedRunMs: Infinity, prekeyOverheadMs: Infinity, errors: [] };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rvr-bench-cache-'));
    try {
      const cold = await child(g.elf, dir, g.input);
      if (cold.cache !== 'miss') row.errors.push(`${g.name}: cold build was a ${cold.cache}`);
      row.coldMs = cold.loadMs;
      progress(`${label}: cold build ${cold.loadMs.toFixed(0)} ms`);
      const check = (/** @type {any} */ r, /** @type {string} */ what) => {
        if (r.key !== cold.key || r.stdout !== cold.stdout || r.exitCode !== cold.exitCode || !r.same) row.errors.push(`${g.name}: ${what} differs from the cold build`);
      };
      for (let k = 0; k < runs; k++) {
        const hit = await child(g.elf, dir, g.input);
        if (hit.cache !== 'hit' || hit.via !== 'prekey') row.errors.push(`${g.name}: expected a pre-key hit, got ${hit.cache}/${hit.via}`);
        check(hit, 'pre-key hit');
        row.prekeyMs = Math.min(row.prekeyMs, hit.loadMs);
        row.prekeyOverheadMs = Math.min(row.prekeyOverheadMs, hit.loadMs + hit.firstRunMs - hit.loadedRunMs);
        row.loadedRunMs = Math.min(row.loadedRunMs, hit.loadedRunMs);
        await rm(path.join(dir, 'prekeys'), { recursive: true, force: true });
        const fp = await child(g.elf, dir, g.input);
        if (fp.cache !== 'hit' || fp.via !== 'fingerprint') row.errors.push(`${g.name}: expected a fingerprint hit, got ${fp.cache}/${fp.via}`);
        check(fp, 'fingerprint hit');
        row.fingerprintMs = Math.min(row.fingerprintMs, fp.loadMs);
        row.loadedRunMs = Math.min(row.loadedRunMs, fp.loadedRunMs);
      }
      progress(`${label}: pre-key hit ${row.prekeyMs.toFixed(1)} ms, fingerprint hit ${row.fingerprintMs.toFixed(1)} ms, loaded run ${row.loadedRunMs.toFixed(1)} ms`);
    } catch (err) {
      row.errors.push(`${g.name}: ${/** @type {Error} */ (err).message}`);
    } finally {
      if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    }
    for (const e of row.errors) progress(`ERROR ${e}`);
    rows.push(row);
  }
  return rows;
}

/**
 * @param {Array<{ isa: string, rows: CacheRow[] }>} sections
 * @param {{ markdown: boolean, env: Record<string, string> }} how
 */
export function formatCacheReport(sections, how) {
  const lines = [];
  const h = how.markdown ? '## ' : '';
  lines.push('', `${h}Artifact cache: cold build vs pre-key hit vs fingerprint hit`, '');
  for (const [k, v] of Object.entries(how.env)) lines.push(`- ${k}: ${v}`);
  for (const { isa, rows } of sections) {
    lines.push('', `${how.markdown ? '### ' : ''}${isa}`, '');
    lines.push('| guest | instructions | cold build ms | pre-key hit ms | fingerprint hit ms | loaded run ms | cold / pre-key hit | pre-key hit overhead ms |');
    lines.push('|:---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const ratio = r.coldMs / r.prekeyMs;
      lines.push(
        `| ${r.name} | ${r.instructions} | ${r.coldMs.toFixed(0)} | ${r.prekeyMs.toFixed(1)} | ${r.fingerprintMs.toFixed(1)} | ${r.loadedRunMs.toFixed(1)} | ${ratio.toFixed(0)}× | ${r.prekeyOverheadMs.toFixed(1)} |`,
      );
    }
    lines.push('');
    for (const r of rows) {
      const ratio = r.coldMs / r.prekeyMs;
      lines.push(
        `- ${r.name}: pre-key hit + run costs ${r.prekeyOverheadMs.toFixed(1)} ms more than running the loaded program (goal ≤ ${PREKEY_OVERHEAD_GOAL_MS} ms): ${r.prekeyOverheadMs <= PREKEY_OVERHEAD_GOAL_MS ? 'HOLDS' : 'MISSED'}; ` +
          `${ratio.toFixed(0)}× faster than a cold build (goal ≥ ${SPEEDUP_GOAL}×): ${ratio >= SPEEDUP_GOAL ? 'HOLDS' : 'MISSED'}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
