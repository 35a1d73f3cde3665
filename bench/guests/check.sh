#!/usr/bin/env bash
# Checks that every benchmark guest prints the same line natively (host cc -O2 with
# bench/native/rvr_native.c), under qemu-riscv32 (rv32im) and under qemu-riscv64 (rv64im), for
# the given scale input (default: empty input = default scale), and shows the native time.
#   bench/guests/check.sh [scale] [name...]
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-}; shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then for f in bench/guests/*.c; do names+=("$(basename "${f%.c}")"); done; fi
work=bench/.work/check; mkdir -p "$work"
CC_RV=${RVR_GUEST_CC:-riscv64-unknown-elf-gcc}
fail=0
for n in "${names[@]}"; do
  ${CC:-gcc} -O2 -I guest/include bench/native/rvr_native.c "bench/guests/$n.c" -o "$work/$n.native"
  for isa in rv32im rv64im; do
    abi=ilp32; [ $isa = rv64im ] && abi=lp64
    "$CC_RV" -march=$isa -mabi=$abi -O2 -ffreestanding -nostdlib -nostartfiles -fno-pic -static \
      -I guest/include -T guest/link.ld guest/start.S guest/src/syscalls_riscv.c guest/src/lib.c \
      "bench/guests/$n.c" -lgcc -o "$work/$n.$isa.elf"
  done
  t0=$(date +%s.%N)
  native=$(printf '%s' "$scale" | "$work/$n.native")
  t1=$(date +%s.%N)
  q32=$(printf '%s' "$scale" | qemu-riscv32 "$work/$n.rv32im.elf")
  q64=$(printf '%s' "$scale" | qemu-riscv64 "$work/$n.rv64im.elf")
  if [ "$native" = "$q32" ] && [ "$native" = "$q64" ]; then
    printf '%-9s ok  native %.2fs  %s\n' "$n" "$(echo "$t1 - $t0" | bc)" "$native"
  else
    printf '%-9s MISMATCH\n  native %s\n  rv32   %s\n  rv64   %s\n' "$n" "$native" "$q32" "$q64"; fail=1
  fi
done
exit $fail
