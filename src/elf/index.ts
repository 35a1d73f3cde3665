export { ElfError, PF_R, PF_W, PF_X } from './types.js';
export type { ElfClass, ElfFile, ElfSegment, ElfSymbol, ElfSymbolType } from './types.js';
export { ELF_ADDRESS_LIMIT, ELF_MAX_PROGRAM_HEADERS, parseElf, readElf } from './parse.js';
