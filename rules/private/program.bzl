"""rvr_program: guest ELF → generated C project (RvrCodegen) → shared library (RvrCompile)."""

load("//rules:providers.bzl", "RvrGuestInfo", "RvrMarchInfo", "RvrProgramInfo")
load(":toolchain.bzl", "CC_TOOLCHAIN", "tool_of")

MODES = ["pure", "metered", "metered_cost"]

def _elf_of(ctx):
    target = ctx.attr.elf
    if RvrGuestInfo in target:
        return target[RvrGuestInfo].elf
    files = target[DefaultInfo].files.to_list()
    if len(files) != 1:
        fail("elf of %s must be one RISC-V ELF file, but %s provides %d files" % (ctx.label, target.label, len(files)))
    return files[0]

def _rvr_program_impl(ctx):
    elf = _elf_of(ctx)
    march = ctx.attr._march[RvrMarchInfo].march
    if ctx.attr.cost_table and ctx.attr.mode != "metered_cost":
        fail("cost_table of %s needs mode = \"metered_cost\" (mode is \"%s\")" % (ctx.label, ctx.attr.mode))
    if ctx.attr.memory_bits < 0:
        fail("memory_bits of %s must be positive or 0 (the ISA's default)" % ctx.label)

    # 1. RvrCodegen: the ELF becomes a C project (a tree artifact), a pure function of the ELF
    #    and the codegen options; nothing of the host goes in.
    project = ctx.actions.declare_directory(ctx.label.name + "_c")
    args = ctx.actions.args()
    args.add("codegen", elf)
    args.add("--out-dir", project.path)
    args.add("--mode", ctx.attr.mode)
    if ctx.attr.memory_bits:
        args.add("--memory-bits", str(ctx.attr.memory_bits))
    if ctx.attr.debug:
        args.add("--debug")
    inputs = [elf]
    if ctx.file.cost_table:
        args.add("--cost-table", ctx.file.cost_table)
        inputs.append(ctx.file.cost_table)
    ctx.actions.run(
        executable = ctx.executable._rvr,
        arguments = [args],
        inputs = inputs,
        outputs = [project],
        mnemonic = "RvrCodegen",
        progress_message = "Generating C for %s (%s)" % (ctx.label, ctx.attr.mode),
    )

    # 2. RvrCompile: the project becomes the library, with the host C compiler toolchain (its
    #    binary and version text are inputs) and the explicit CPU level of --//rules:march.
    cc = tool_of(ctx, CC_TOOLCHAIN)
    library = ctx.actions.declare_file(ctx.label.name + ".so")
    args = ctx.actions.args()
    args.add("compile", project.path)
    args.add("-o", library)
    args.add("--cc", cc.path)
    args.add("--march", march)
    args.add("--opt", ctx.attr.opt)
    if ctx.attr.debug:
        args.add("--debug")
    ctx.actions.run(
        executable = ctx.executable._rvr,
        arguments = [args],
        inputs = depset([project], transitive = [cc.files]),
        outputs = [library],
        mnemonic = "RvrCompile",
        progress_message = "Compiling %s (-O%s, -march=%s%s)" % (library.short_path, ctx.attr.opt, march, ", -g" if ctx.attr.debug else ""),
    )
    return [
        DefaultInfo(files = depset([library]), runfiles = ctx.runfiles(files = [library])),
        RvrProgramInfo(
            library = library,
            elf = elf,
            project = project,
            mode = ctx.attr.mode,
            memory_bits = ctx.attr.memory_bits,
            march = march,
            debug = ctx.attr.debug,
        ),
        OutputGroupInfo(project = depset([project])),
    ]

rvr_program = rule(
    implementation = _rvr_program_impl,
    doc = """Recompiles a RISC-V guest ELF into a host shared library `<name>.so` in two cacheable
actions: `RvrCodegen` (the TypeScript code generator writes the C project `<name>_c/`, a tree
artifact, also in output group `project`) and `RvrCompile` (the host C compiler toolchain builds
the library for the CPU level of `--@rules_rvr//rules:march`). Provides `RvrProgramInfo`.""",
    attrs = {
        "elf": attr.label(
            mandatory = True,
            allow_files = True,
            doc = "The guest ELF: an `rvr_guest_binary`, or any rule or file giving one RISC-V ELF.",
        ),
        "mode": attr.string(
            default = "pure",
            values = MODES,
            doc = "Execution mode compiled into the library: `pure` (fastest), `metered` " +
                  "(instruction counts per class, segments) or `metered_cost` (cost table, gas limit).",
        ),
        "memory_bits": attr.int(
            default = 0,
            doc = "Guest arena of 2^memory_bits bytes; 0 takes the ISA's default (32 for RV32, 28 for RV64).",
        ),
        "cost_table": attr.label(
            allow_single_file = [".json"],
            doc = "JSON weights per instruction class for `metered_cost` (default: the built-in table).",
        ),
        "opt": attr.string(
            default = "2",
            values = ["0", "1", "2", "3", "s"],
            doc = "Optimisation level of the generated C (`-O<opt>`).",
        ),
        "debug": attr.bool(
            default = False,
            doc = "Debug info: `RvrCodegen` puts `#line` directives to the guest's source lines (from " +
                  "the ELF's DWARF line table, e.g. `rvr_guest_binary(debug = True)`) before the C " +
                  "of each instruction, and `RvrCompile` builds with `-g`, the project directory " +
                  "mapped to `.`, so a host debugger or profiler shows guest source lines. Part of " +
                  "both actions' keys and of the library's fingerprint. A malformed line table is a " +
                  "warning, not an error.",
        ),
        "_march": attr.label(default = "@rules_rvr//rules:march"),
        "_rvr": attr.label(default = "@rules_rvr//:rvr_tool", executable = True, cfg = "exec"),
    },
    toolchains = [CC_TOOLCHAIN],
)
