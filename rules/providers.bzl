"""Providers of rules_rvr."""

RvrGuestInfo = provider(
    doc = "A RISC-V guest executable built by `rvr_guest_binary`.",
    fields = {
        "elf": "File: the static RISC-V ELF.",
        "isa": "string: `rv32im` or `rv64im`.",
    },
)

RvrProgramInfo = provider(
    doc = "A guest recompiled into a host shared library by `rvr_program`.",
    fields = {
        "library": "File: the shared library (`.so`) the runtime loads.",
        "elf": "File: the guest ELF it was generated from.",
        "project": "File (directory): the generated C project with its `project.json` manifest.",
        "mode": "string: execution mode (`pure`, `metered` or `metered_cost`).",
        "memory_bits": "int: log2 of the guest arena size, 0 for the ISA's default.",
        "march": "string: the host CPU level the C was compiled for (from `--@rules_rvr//rules:march`).",
        "debug": "bool: built with debug info (`#line` to guest source lines, `-g`).",
    },
)

RvrToolInfo = provider(
    doc = "Tool information carried by a toolchain located on the host (see rules/repositories.bzl).",
    fields = {
        "path": "string: absolute path of the tool as found on the host; actions invoke it by this path.",
        "tool": "File: the tool's binary (a link to `path`), an input of every action that uses it.",
        "version_file": "File: the tool's `--version` output, an input of every action that uses it.",
        "files": "depset of Files: `tool` and `version_file`, the inputs every action using the tool declares.",
    },
)

RvrMarchInfo = provider(
    doc = "The host CPU level chosen with the `--@rules_rvr//rules:march` build setting.",
    fields = {"march": "string: an explicit level such as `x86-64-v2`; never `native`."},
)
