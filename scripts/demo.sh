#!/usr/bin/env bash
# The main job end to end on a fresh machine: set up, compile a C guest for RISC-V, recompile
# it to a shared library, and run it from Node.js; then the same through Bazel: `bazel run` of
# the examples workspace (guest ELF → C → .so, run by the TypeScript runtime).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .rvr-out
npx rvr cc examples/hello/hello.c --isa rv64im -o .rvr-out/hello.elf
npx rvr build .rvr-out/hello.elf -o .rvr-out/hello.so
echo "rules_rvr" > .rvr-out/hello.input
npx rvr run .rvr-out/hello.so --input .rvr-out/hello.input

# Bazel: Debian's bazel-4 through bazelisk (offline), from the examples/ workspace.
export USE_BAZEL_VERSION="${USE_BAZEL_VERSION:-$(command -v bazel-4)}"
(cd examples && echo "Bazel" | npx bazelisk run //hello:hello)
