export { ElfError, PF_R, PF_W, PF_X } from './types.js';
export type { DebugSections, ElfClass, ElfFile, ElfSegment, ElfSymbol, ElfSymbolType, RawSection } from './types.js';
export { ELF_ADDRESS_LIMIT, ELF_MAX_PROGRAM_HEADERS, parseElf, readElf } from './parse.js';
export { readLineInfo, type LineInfo, type SourceLocation } from './dwarf.js';
