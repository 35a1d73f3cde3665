/** docs/rules.md is generated from the rules' docstrings and must be current. */
import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/guests.js';

describe('rule reference', () => {
  it('docs/rules.md matches the docstrings in rules/*.bzl (node scripts/gen-rule-docs.mjs)', async () => {
    const r = await execa('node', [path.join(REPO_ROOT, 'scripts', 'gen-rule-docs.mjs'), '--check'], { reject: false });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('documents every public rule and every public attribute', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(path.join(REPO_ROOT, 'docs', 'rules.md'), 'utf8');
    for (const rule of ['rvr_guest_binary', 'rvr_program', 'rvr_run', 'rvr_test', 'RvrGuestInfo', 'RvrProgramInfo', 'rvr_register_toolchains']) {
      expect(doc).toContain(`## ${rule}`.replace('## Rvr', '### Rvr').replace('## rvr_register', '### rvr_register'));
    }
    // No attribute row without a description.
    const rows = doc.split('\n').filter((l) => /^\| `[a-z_]+` \| (label|label_list|string|string_list|int|bool) \|/.test(l));
    expect(rows.length).toBeGreaterThan(15);
    for (const row of rows) expect(row.trim().endsWith('|  |'), row).toBe(false);
  });
});
