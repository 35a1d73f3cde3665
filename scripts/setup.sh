#!/usr/bin/env bash
# Installs what rules_rvr needs on a fresh Debian 12 machine that has Node.js 20 and npm:
# the host C compiler, the RISC-V cross compiler, qemu-user (the test oracle), Bazel 4.2 and
# nginx (the Bazel rules and their remote cache), the npm packages, the native addon (node-gyp)
# and the compiled TypeScript. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  clang                      # host C compiler for generated code (gcc also works)
  gcc                        # node-gyp and native benchmark builds
  g++ make python3           # node-gyp
  gcc-riscv64-unknown-elf    # guest cross compiler (rv32im/rv64im multilibs, newlib)
  picolibc-riscv64-unknown-elf # picolibc guests (stock-toolchain tests)
  gcc-riscv64-linux-gnu      # stock rv64gc Linux cross compiler (static glibc guests)
  libc6-dev-riscv64-cross    # static glibc for those guests
  qemu-user                  # qemu-riscv32/qemu-riscv64: differential-test oracle
  bazel-bootstrap            # Bazel 4.2 (bazel-4), run through @bazel/bazelisk: the Bazel rules
  bazel-skylib               # analysis tests of the rules (test/bazel.test.ts)
  nginx-light                # `rvr remote-cache`: a local Bazel HTTP remote cache (WebDAV PUT)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci runs the addon build (install script: node-gyp rebuild) and tsc (prepare).
if [ -f package-lock.json ]; then npm ci; else npm install; fi
test -f build/Release/rvr_addon.node || { echo "setup: the native addon did not build" >&2; exit 1; }
test -f dist/cli/main.js || { echo "setup: the TypeScript build did not run" >&2; exit 1; }
echo "setup: done"
