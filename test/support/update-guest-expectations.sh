#!/usr/bin/env bash
# Regenerates the expected outputs of the differential guests (test/guests/<name>.stdout,
# .stderr, .public) from three independent runs that must agree byte for byte: the guest built for
# rv32im under qemu-riscv32, for rv64im under qemu-riscv64, and natively with the host compiler
# and bench/native/rvr_native.c. The exit code must match <name>.json's exitCode.
#
#   test/support/update-guest-expectations.sh [name...]     (default: every guest)
#   CHECK_ONLY=1 ... only compares, writes nothing
set -euo pipefail
cd "$(dirname "$0")/../.."
CC_RV=${RVR_GUEST_CC:-riscv64-unknown-elf-gcc}
CC_NATIVE=${CC:-gcc}
work=test/.work/expectations
mkdir -p "$work"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in test/guests/*.c test/guests/*.S; do [ -e "$f" ] && names+=("$(basename "${f%.*}")"); done
fi
fail=0
for name in "${names[@]}"; do
  src=test/guests/$name.c; [ -e "$src" ] || src=test/guests/$name.S
  json=test/guests/$name.json
  want=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write(String(j.exitCode))' "$json")
  # Written by node directly: a shell variable would lose trailing newlines.
  node -e 'const fs=require("fs"); const j=JSON.parse(fs.readFileSync(process.argv[1],"utf8")); fs.writeFileSync(process.argv[2], j.input ?? "")' "$json" "$work/$name.in"
  runs=()
  for isa in rv32im rv64im; do
    abi=ilp32; [ $isa = rv64im ] && abi=lp64
    "$CC_RV" -march=$isa -mabi=$abi -O2 -ffreestanding -nostdlib -nostartfiles -fno-pic -static \
      -fno-asynchronous-unwind-tables -fno-unwind-tables -I guest/include -T guest/link.ld \
      guest/start.S guest/src/syscalls_riscv.c guest/src/lib.c "$src" -lgcc -o "$work/$name.$isa.elf"
    set +e
    qemu-riscv${isa:2:2} "$work/$name.$isa.elf" <"$work/$name.in" >"$work/$name.$isa.out" \
      2>"$work/$name.$isa.err" 3>"$work/$name.$isa.pub"
    echo $? >"$work/$name.$isa.rc"
    set -e
    runs+=("$isa")
  done
  if [ "${src##*.}" = c ]; then
    "$CC_NATIVE" -O2 -w -I guest/include bench/native/rvr_native.c "$src" -o "$work/$name.native"
    set +e
    "$work/$name.native" <"$work/$name.in" >"$work/$name.native.out" 2>"$work/$name.native.err" \
      3>"$work/$name.native.pub"
    echo $? >"$work/$name.native.rc"
    set -e
    runs+=(native)
  fi
  ok=1
  for r in "${runs[@]}"; do
    rc=$(cat "$work/$name.$r.rc")
    if [ "$rc" != "$want" ]; then echo "$name: $r exited $rc, expected $want"; ok=0; fi
    for s in out err pub; do
      if ! cmp -s "$work/$name.rv32im.$s" "$work/$name.$r.$s"; then
        echo "$name: $s differs between rv32im and $r"; ok=0
      fi
    done
  done
  if [ $ok = 1 ]; then
    if [ -z "${CHECK_ONLY:-}" ]; then
      cp "$work/$name.rv32im.out" "test/guests/$name.stdout"
      for pair in err:stderr pub:public; do
        s=${pair%%:*}; ext=${pair##*:}
        if [ -s "$work/$name.rv32im.$s" ]; then cp "$work/$name.rv32im.$s" "test/guests/$name.$ext"
        else rm -f "test/guests/$name.$ext"; fi
      done
    fi
    echo "$name: ok (${runs[*]} agree, exit $want)"
  else
    fail=1
  fi
done
exit $fail
