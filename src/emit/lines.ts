/**
 * `#line` directives that point the C of each guest instruction at the guest source line it
 * came from, so a host debugger or profiler on the compiled library shows the guest's own
 * source. Applied to a finished generated file; everything that is not guest code (function
 * frames, metering, labels) is pointed back at the generated file itself, at its true line.
 *
 * Which lines are an instruction's C: the lines after its comment (region.ts
 * INSTRUCTION_COMMENT), up to the next instruction comment, label, block mark, fall-through
 * marker, blank line, or a line indented less than the instruction's code.
 */
import type { SourceLocation } from '../elf/dwarf.js';
import { INSTRUCTION_COMMENT } from './region.js';

const LABEL = /^[A-Za-z_]\w*:;?$/;
const BLOCK_MARK = /^\s*\/\* block 0x[0-9a-f]+ \*\/$/;
const FALLTHROUGH = /^\s*RVR_FALLTHROUGH;$/;

const indentOf = (line: string): number => line.length - line.trimStart().length;

/** A C string literal for a file name: printable ASCII as is, everything else escaped. */
export function cStringLiteral(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '?') out += '\\?'; // no trigraphs
    else if (byte >= 0x20 && byte < 0x7f) out += ch;
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out + '"';
}

export interface LineDirectivesResult {
  contents: string;
  /** Instructions whose C now carries a guest source line. */
  mapped: number;
}

/**
 * Insert `#line` directives into the generated C file `path`: each line of an instruction's C
 * that has a location gets that location; every other line that produces code gets its real
 * place in `path` back. A directive is written only where the presumed location would
 * otherwise be wrong, so a file without mapped instructions comes out unchanged.
 */
export function addLineDirectives(path: string, contents: string, locate: (pc: number) => SourceLocation | undefined): LineDirectivesResult {
  const self = cStringLiteral(path);
  const lines = contents.split('\n');
  const out: string[] = [];
  // The location the compiler presumes for the next line written.
  let presumedFile = self;
  let presumedLine = 1;
  // The instruction whose C is being copied: its location and indentations.
  let inInstr = false;
  let where: { file: string; line: number } | undefined;
  let commentIndent = 0;
  let codeIndent: number | undefined;
  let mapped = 0;

  const write = (line: string, want: { file: string; line: number } | undefined): void => {
    if (want && (want.file !== presumedFile || want.line !== presumedLine)) {
      out.push(want.file === presumedFile ? `#line ${want.line}` : `#line ${want.line} ${want.file}`);
      presumedFile = want.file;
      presumedLine = want.line;
    }
    out.push(line);
    presumedLine++;
  };
  // A generated line at its true place in this file.
  const writeHere = (line: string): void => {
    if (presumedFile !== self || presumedLine !== out.length + 1) {
      const real = out.length + 2; // the directive takes one line, this line the next
      out.push(presumedFile === self ? `#line ${real}` : `#line ${real} ${self}`);
      presumedFile = self;
      presumedLine = real;
    }
    out.push(line);
    presumedLine++;
  };

  for (const line of lines) {
    const m = INSTRUCTION_COMMENT.exec(line);
    if (m) {
      const loc = locate(parseInt(m[1], 16));
      inInstr = true;
      where = loc ? { file: cStringLiteral(loc.file), line: loc.line } : undefined;
      if (where) mapped++;
      commentIndent = indentOf(line);
      codeIndent = undefined;
      write(line, undefined); // a comment (and a case label): any location will do
      continue;
    }
    const trimmed = line.trim();
    const neutral = trimmed === '' || LABEL.test(line) || BLOCK_MARK.test(line) || FALLTHROUGH.test(line);
    if (inInstr) {
      const indent = indentOf(line);
      if (neutral || indent < commentIndent || (codeIndent !== undefined && indent < codeIndent)) {
        inInstr = false;
      } else {
        codeIndent ??= indent;
        // An instruction without a location is generated code like any other.
        if (where) {
          // Every line of the instruction's C gets the instruction's line.
          write(line, where);
          continue;
        }
      }
    }
    if (neutral) write(line, undefined);
    else writeHere(line);
  }
  return { contents: out.join('\n'), mapped };
}
