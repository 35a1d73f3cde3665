/**
 * rules_rvr: RISC-V guest programs recompiled to C, built into shared libraries, run from Node.js.
 *
 *   const { output } = await buildProgram('guest.elf', 'guest.so');
 *   const program = await Program.load(output);
 *   const result = await program.run({ input: 'hello' });
 */
export { buildProgram, cachedLibrary, type BuildOptions, type BuildResult, type CacheOutcome, type CachedLibrary } from './cache/build.js';
export { loadProgram, type LoadedProgram } from './runtime/load.js';
export { ArtifactCache, CacheError, defaultCacheDir, parseSize, type CacheOptions, type EntryRecord, type PreKeyRecord } from './cache/cache.js';
export { computeFingerprint, diffFingerprintFields, embeddedFingerprint, embeddedFingerprintFields, type Fingerprint, type FingerprintField } from './compile/fingerprint.js';
export { compileProject, projectFingerprint, writeProject, CompileError, type CompileOptions, type CompileResult } from './compile/compile.js';
export { findHostCompiler, defaultMarch, ToolchainError, type HostToolchain } from './toolchain/host.js';
export { generateProject, CodegenError, type CodegenOptions, type GeneratedProject, type ExecutionMode } from './emit/project.js';
export { CODEGEN_VERSION } from './emit/version.js';
export { parseElf, readElf } from './elf/parse.js';
export { readLineInfo, type LineInfo, type SourceLocation } from './elf/dwarf.js';
export { ElfError, type ElfFile, type ElfSegment, type ElfSymbol } from './elf/types.js';
export { decode } from './isa/decode.js';
export { disassemble, formatInstr } from './isa/disasm.js';
export * from './runtime/index.js';
