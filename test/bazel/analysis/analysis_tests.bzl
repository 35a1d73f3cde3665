"""Analysis tests of rules_rvr: providers and attribute errors."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")
load("@rules_rvr//rules:defs.bzl", "RvrGuestInfo", "RvrProgramInfo")

def _guest_provider_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[RvrGuestInfo]
    asserts.equals(env, "rv32im", info.isa)
    asserts.equals(env, "guest_rv32.elf", info.elf.basename)
    asserts.equals(env, [info.elf], target[DefaultInfo].files.to_list())
    return analysistest.end(env)

guest_provider_test = analysistest.make(_guest_provider_test_impl)

def _program_provider_test_impl(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[RvrProgramInfo]
    asserts.equals(env, "metered", info.mode)
    asserts.equals(env, 20, info.memory_bits)
    asserts.equals(env, "x86-64-v2", info.march)
    asserts.equals(env, "program_metered.so", info.library.basename)
    asserts.true(env, info.project.is_directory, "the C project is a tree artifact")
    asserts.equals(env, "guest_rv32.elf", info.elf.basename)
    mnemonics = [a.mnemonic for a in analysistest.target_actions(env)]
    asserts.equals(env, ["RvrCodegen", "RvrCompile"], mnemonics)
    compile = analysistest.target_actions(env)[1]
    asserts.true(env, "--march" in compile.argv and "x86-64-v2" in compile.argv, "RvrCompile passes --march x86-64-v2")
    asserts.false(env, "native" in " ".join(compile.argv), "no -march=native")
    return analysistest.end(env)

program_provider_test = analysistest.make(_program_provider_test_impl)

def _wrong_isa_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "isa of //analysis:guest_wrong_isa is 'rv32gc'; rules_rvr guests are rv32im or rv64im")
    return analysistest.end(env)

wrong_isa_test = analysistest.make(_wrong_isa_test_impl, expect_failure = True)

def _missing_elf_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "elf of //analysis:program_without_elf must be one RISC-V ELF file, but //analysis:no_files provides 0 files")
    return analysistest.end(env)

missing_elf_test = analysistest.make(_missing_elf_test_impl, expect_failure = True)

def _cost_table_needs_mode_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "cost_table of //analysis:program_cost_table_pure needs mode = \"metered_cost\"")
    return analysistest.end(env)

cost_table_needs_mode_test = analysistest.make(_cost_table_needs_mode_test_impl, expect_failure = True)
