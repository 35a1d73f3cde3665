"""Public API of rules_rvr: RISC-V guest programs as Bazel targets.

    load("@rules_rvr//rules:defs.bzl", "rvr_guest_binary", "rvr_program", "rvr_run", "rvr_test")

    rvr_guest_binary(name = "hello_elf", srcs = ["hello.c"], isa = "rv32im")
    rvr_program(name = "hello", elf = ":hello_elf")
    rvr_run(name = "run", program = ":hello")
    rvr_test(name = "test", program = ":hello", expected_stdout = "hello.out")
"""

load("//rules:providers.bzl", _RvrGuestInfo = "RvrGuestInfo", _RvrProgramInfo = "RvrProgramInfo")
load("//rules/private:guest.bzl", _rvr_guest_binary = "rvr_guest_binary")
load("//rules/private:program.bzl", _rvr_program = "rvr_program")
load("//rules/private:run.bzl", _rvr_run = "rvr_run", _rvr_test = "rvr_test")

rvr_guest_binary = _rvr_guest_binary
rvr_program = _rvr_program
rvr_run = _rvr_run
rvr_test = _rvr_test
RvrGuestInfo = _RvrGuestInfo
RvrProgramInfo = _RvrProgramInfo
