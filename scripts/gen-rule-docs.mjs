#!/usr/bin/env node
// Writes docs/rules.md from the docstrings of the public rules, their attributes, the providers
// and the WORKSPACE macros in rules/*.bzl. Run `node scripts/gen-rule-docs.mjs` after changing a
// rule; `--check` exits 1 when docs/rules.md is out of date (used by the tests).
//
// The .bzl files are read with a small scanner for the shapes this repository uses:
// `NAME = rule(...)`, `NAME = provider(...)`, attribute dicts (also through `dict(BASE, **{...})`)
// and `def name(...):` with a docstring. It is not a Starlark parser.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (f) => readFileSync(path.join(root, f), 'utf8');

/** Index just past the bracket that closes the one at `open`, skipping strings. */
function closing(text, open) {
  const pairs = { '(': ')', '[': ']', '{': '}' };
  const stack = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const end = triple ? text.indexOf(c.repeat(3), i + 3) + 3 : skipString(text, i);
      i = end - 1;
      continue;
    }
    if (c === '#') {
      i = text.indexOf('\n', i);
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

function skipString(text, i) {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === q) return j + 1;
  }
  throw new Error('unterminated string');
}

/** The value of a string expression: literals joined by `+` (other terms are left out). */
function stringValue(expr) {
  let out = '';
  const re = /"""([\s\S]*?)"""|"((?:[^"\\]|\\.)*)"/g;
  for (let m; (m = re.exec(expr)); ) out += m[1] ?? JSON.parse(`"${m[2]}"`);
  return out;
}

/** keyword=value pairs at the top level of a call's argument text (without the parens). */
function keywords(args) {
  const out = {};
  let i = 0;
  while (i < args.length) {
    const m = /^\s*([A-Za-z_]\w*)\s*=\s*/.exec(args.slice(i));
    if (!m) {
      const next = nextComma(args, i);
      i = next + 1;
      continue;
    }
    const start = i + m[0].length;
    const end = nextComma(args, start);
    out[m[1]] = args.slice(start, end).trim();
    i = end + 1;
  }
  return out;
}

function nextComma(text, i) {
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"' || c === "'") {
      j = (text.startsWith(c.repeat(3), j) ? text.indexOf(c.repeat(3), j + 3) + 3 : skipString(text, j)) - 1;
    } else if ('([{'.includes(c)) j = closing(text, j) - 1;
    else if (c === '#') j = text.indexOf('\n', j);
    else if (c === ',') return j;
  }
  return text.length;
}

/** `"key": value` entries of a dict literal's text (without the braces). */
function dictEntries(body) {
  const out = [];
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(?:#[^\n]*\n\s*)*"([^"]+)"\s*:\s*/.exec(body.slice(i));
    if (!m) break;
    const start = i + m[0].length;
    const end = nextComma(body, start);
    out.push([m[1], body.slice(start, end).trim()]);
    i = end + 1;
  }
  return out;
}

function topLevelDicts(text) {
  const dicts = {};
  const re = /^(\w+) = \{/gm;
  for (let m; (m = re.exec(text)); ) {
    const open = m.index + m[0].length - 1;
    dicts[m[1]] = text.slice(open + 1, closing(text, open) - 1);
  }
  return dicts;
}

function attrsOf(expr, dicts) {
  expr = expr.trim();
  if (expr.startsWith('{')) return dictEntries(expr.slice(1, closing(expr, 0) - 1));
  if (dicts[expr] !== undefined) return dictEntries(dicts[expr]);
  const merged = /^dict\((\w+),\s*\*\*(\{[\s\S]*\})\)$/.exec(expr);
  if (merged) return [...attrsOf(merged[1], dicts), ...attrsOf(merged[2], dicts)];
  throw new Error(`cannot read attrs '${expr.slice(0, 40)}'`);
}

function attrRow([name, expr]) {
  const call = /^attr\.(\w+)\(/.exec(expr);
  const kw = call ? keywords(expr.slice(call[0].length, closing(expr, call[0].length - 1) - 1)) : {};
  const type = call ? call[1] : '?';
  const required = kw.mandatory === 'True' ? 'yes' : 'no';
  const dflt = kw.default !== undefined ? '`' + kw.default.replace(/\s+/g, ' ') + '`' : '';
  const doc = kw.doc !== undefined ? stringValue(kw.doc) : '';
  return `| \`${name}\` | ${type} | ${required} | ${dflt} | ${doc.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`;
}

function rules(file) {
  const text = read(file);
  const dicts = topLevelDicts(text);
  const out = [];
  const re = /^(\w+) = rule\(/gm;
  for (let m; (m = re.exec(text)); ) {
    const open = m.index + m[0].length - 1;
    const kw = keywords(text.slice(open + 1, closing(text, open) - 1));
    const attrs = attrsOf(kw.attrs ?? '{}', dicts).filter(([n]) => !n.startsWith('_'));
    const kind = kw.test === 'True' ? 'test rule' : kw.executable === 'True' ? 'executable rule' : 'rule';
    out.push({ name: m[1], kind, doc: stringValue(kw.doc ?? ''), attrs });
  }
  return out;
}

function providers(file) {
  const text = read(file);
  const out = [];
  const re = /^(\w+) = provider\(/gm;
  for (let m; (m = re.exec(text)); ) {
    const open = m.index + m[0].length - 1;
    const kw = keywords(text.slice(open + 1, closing(text, open) - 1));
    const fields = kw.fields ? dictEntries(kw.fields.slice(1, -1)).map(([n, d]) => [n, stringValue(d)]) : [];
    out.push({ name: m[1], doc: stringValue(kw.doc ?? ''), fields });
  }
  return out;
}

function macros(file) {
  const text = read(file);
  const out = [];
  const re = /^def ([a-z]\w*)\(([^)]*)\):\n\s+"""([\s\S]*?)"""/gm;
  for (let m; (m = re.exec(text)); ) out.push({ name: m[1], params: m[2].trim(), doc: m[3].replace(/\n {4}/g, '\n').trim() });
  return out;
}

const lines = [
  '# rules_rvr rule reference',
  '',
  '<!-- Generated by scripts/gen-rule-docs.mjs from the docstrings in rules/*.bzl; do not edit. -->',
  '',
  '```starlark',
  'load("@rules_rvr//rules:defs.bzl", "rvr_guest_binary", "rvr_program", "rvr_run", "rvr_test")',
  '```',
  '',
  'Build setting: `--@rules_rvr//rules:march=LEVEL` (default `x86-64-v2`) is the host CPU level of every',
  'compiled library; `native` is refused, since a library built for one machine\'s CPU must not be served',
  'from a shared cache to another.',
  '',
];
for (const file of ['rules/private/guest.bzl', 'rules/private/program.bzl', 'rules/private/run.bzl']) {
  for (const r of rules(file)) {
    lines.push(`## ${r.name}`, '', `*${r.kind}* (\`${file}\`)`, '', r.doc.trim(), '');
    lines.push('| attribute | type | required | default | description |', '| --- | --- | --- | --- | --- |');
    lines.push('| `name` | name | yes | | A unique name for this target. |');
    for (const a of r.attrs) lines.push(attrRow(a));
    lines.push('');
  }
}
lines.push('## Providers', '');
for (const p of providers('rules/providers.bzl')) {
  lines.push(`### ${p.name}`, '', p.doc, '', '| field | description |', '| --- | --- |');
  for (const [n, d] of p.fields) lines.push(`| \`${n}\` | ${d.replace(/\|/g, '\\|')} |`);
  lines.push('');
}
lines.push('## WORKSPACE macros (`@rules_rvr//rules:repositories.bzl`)', '');
for (const m of macros('rules/repositories.bzl')) lines.push(`### ${m.name}(${m.params})`, '', m.doc, '');
for (const r of rules('rules/private/toolchain.bzl')) lines.push(`### ${r.name} (internal rule)`, '', r.doc, '');
lines.push(
  '## Repository rules and bzlmod',
  '',
  '`rvr_host_toolchains` (repositories.bzl) writes the `rvr_toolchains` repository: links to the tools, their',
  '`--version` output (`node_version.txt`, `cc_version.txt`, `riscv_version.txt`; inputs of every action using',
  'them), the Node.js headers, and one toolchain per type in `//rules/toolchains` (`node`, `cc`, `riscv`).',
  'Environment overrides: `RVR_NODE`, `RVR_CC`, `RVR_GUEST_CC`; `bazel sync --configure` searches again.',
  'bzlmod users get the same repository from `rules/extensions.bzl` (registered by `MODULE.bazel`).',
  'That path is untested here: Bazel 4.2.3 (Debian\'s `bazel-bootstrap`, the Bazel these rules are tested with)',
  'cannot run bzlmod (it came with Bazel 5 behind `--experimental_enable_bzlmod`, on by default from Bazel 7),',
  'so on this machine only WORKSPACE works; `MODULE.bazel` is for Bazel 6 and later.',
  '',
);
const out = lines.join('\n');
const target = path.join(root, 'docs', 'rules.md');
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== out) {
    process.stderr.write('docs/rules.md is out of date: run node scripts/gen-rule-docs.mjs\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, out);
}
