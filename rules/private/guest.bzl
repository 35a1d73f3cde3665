"""rvr_guest_binary: guest C/assembly + the guest SDK → static RISC-V ELF."""

load("//rules:providers.bzl", "RvrGuestInfo")
load(":toolchain.bzl", "RISCV_TOOLCHAIN", "tool_of")

ISAS = {"rv32im": "ilp32", "rv64im": "lp64"}

# The same flags as compileGuest() in src/toolchain/guest.ts, paths relative to the execroot.
_BASE_FLAGS = [
    "-ffreestanding",
    "-nostdlib",
    "-nostartfiles",
    "-fno-pic",
    "-static",
    "-fno-asynchronous-unwind-tables",
    "-fno-unwind-tables",
]

# The compiler runs in the execution root (a sandbox path that differs between machines and
# builds); debug info (`-g`, in `debug` or copts) would record it, so it is mapped to `.`. gcc hands
# only -fdebug-prefix-map on to the assembler (start.S), hence both forms. $1 is the compiler.
_WITH_PREFIX_MAP = 'cc="$1"; shift; exec "$cc" -ffile-prefix-map="$PWD"=. -fdebug-prefix-map="$PWD"=. "$@"'

def _rvr_guest_binary_impl(ctx):
    if ctx.attr.isa not in ISAS:
        fail("isa of %s is '%s'; rules_rvr guests are %s" % (ctx.label, ctx.attr.isa, " or ".join(sorted(ISAS.keys()))))
    riscv = tool_of(ctx, RISCV_TOOLCHAIN)
    elf = ctx.actions.declare_file(ctx.label.name + ".elf")
    sdk = {f.basename: f for f in ctx.files._sdk}
    sources = [f for f in ctx.files.srcs if f.extension in ["c", "S", "s"]]
    if not sources:
        fail("srcs of %s has no .c, .S or .s file" % ctx.label)
    args = ctx.actions.args()
    args.add(riscv.path)
    args.add("-march=" + ctx.attr.isa)
    args.add("-mabi=" + ISAS[ctx.attr.isa])
    args.add("-O" + ctx.attr.opt)
    if ctx.attr.debug:
        args.add("-g")
    args.add_all(_BASE_FLAGS)
    args.add("-I", sdk["rvr_guest.h"].dirname)
    args.add("-T", sdk["link.ld"])
    args.add_all([sdk["start.S"], sdk["syscalls_riscv.c"], sdk["lib.c"]])
    args.add_all(sources)
    args.add_all(ctx.attr.copts)
    args.add("-lgcc")
    args.add("-o", elf)
    ctx.actions.run_shell(
        command = _WITH_PREFIX_MAP,
        arguments = [args],
        inputs = depset(ctx.files.srcs + ctx.files._sdk, transitive = [riscv.files]),
        outputs = [elf],
        mnemonic = "RvrGuestCc",
        progress_message = "Compiling RISC-V guest %s (%s)" % (ctx.label, ctx.attr.isa),
    )
    return [
        DefaultInfo(files = depset([elf])),
        RvrGuestInfo(elf = elf, isa = ctx.attr.isa),
    ]

rvr_guest_binary = rule(
    implementation = _rvr_guest_binary_impl,
    doc = """Compiles guest C or assembly sources with the guest SDK (start-up code, linker script,
system calls, small libc; `#include "rvr_guest.h"`) into a static RISC-V ELF `<name>.elf`,
using the RISC-V cross compiler toolchain. Provides `RvrGuestInfo`.""",
    attrs = {
        "srcs": attr.label_list(
            allow_files = [".c", ".S", ".s", ".h"],
            mandatory = True,
            doc = "Guest sources (`.c`, `.S`, `.s`) and the headers they include (`.h`).",
        ),
        "isa": attr.string(
            default = "rv64im",
            doc = "Guest ISA: `rv32im` (ilp32) or `rv64im` (lp64). Anything else is an analysis error.",
        ),
        "copts": attr.string_list(doc = "Extra cross-compiler flags, appended after the SDK's."),
        "opt": attr.string(
            default = "2",
            values = ["0", "1", "2", "3", "s"],
            doc = "Optimisation level of the guest code (`-O<opt>`).",
        ),
        "debug": attr.bool(
            default = False,
            doc = "DWARF debug info (`-g`) with file names relative to the execution root, so the " +
                  "ELF is the same wherever the workspace is; an `rvr_program` with `debug = True` " +
                  "turns it into `#line` directives.",
        ),
        "_sdk": attr.label(default = "@rules_rvr//:guest_sdk"),
    },
    toolchains = [RISCV_TOOLCHAIN],
)
