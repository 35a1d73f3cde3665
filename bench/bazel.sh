#!/usr/bin/env bash
# Bazel build times for the examples workspace: cold build (empty output base, writing to a local
# nginx remote cache), no-op rebuild, and a fresh output base in a copy of the workspace at
# another path that reads everything from the remote cache. Prints a Markdown table.
#   bash bench/bazel.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export USE_BAZEL_VERSION="${USE_BAZEL_VERSION:-$(command -v bazel-4)}"
bazelisk="$repo/node_modules/.bin/bazelisk"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/rvr-bazel-bench.XXXXXX")"
port=$((20000 + RANDOM % 20000))
password="bench-$RANDOM$RANDOM"

cleanup() {
  for root in "$tmp/root-cold" "$tmp/root-hit"; do
    for ws in "$tmp/ws" "$tmp/elsewhere/ws"; do
      [ -d "$root" ] && [ -d "$ws" ] && (cd "$ws" && "$bazelisk" --output_user_root="$root" shutdown >/dev/null 2>&1 || true)
    done
  done
  node "$repo/bin/rvr.js" remote-cache stop --dir "$tmp/cache" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

RVR_CACHE_PASSWORD="$password" node "$repo/bin/rvr.js" remote-cache start --dir "$tmp/cache" --port "$port" >/dev/null
mkdir -p "$tmp/ws"
(cd "$repo/examples" && tar --exclude='./bazel-*' -cf - .) | (cd "$tmp/ws" && tar -xf -)
sed -i "s|path = \"..\",|path = \"$repo\",|" "$tmp/ws/WORKSPACE"
printf '\nbuild --remote_cache=http://rvr:%s@127.0.0.1:%s\n' "$password" "$port" >>"$tmp/ws/.bazelrc"
mkdir -p "$tmp/elsewhere"
cp -r "$tmp/ws" "$tmp/elsewhere/ws"

# seconds, actions executed, remote hits of one build
measure() {
  local ws="$1" root="$2" log="$tmp/exec.json"
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$ws" && "$bazelisk" --output_user_root="$root" build --execution_log_json_file="$log" //... >"$tmp/build.log" 2>&1) ||
    { tail -20 "$tmp/build.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  local spawns hits
  spawns=$(grep -c '"mnemonic"' "$log" || true)
  hits=$(grep -c '"remoteCacheHit": true' "$log" || true)
  printf '%s|%s|%s' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$spawns" "$hits"
}

cold=$(measure "$tmp/ws" "$tmp/root-cold")
noop=$(measure "$tmp/ws" "$tmp/root-cold")
hit=$(measure "$tmp/elsewhere/ws" "$tmp/root-hit")

row() { IFS='|' read -r s n h <<<"$2"; echo "| $1 | $s | $n | $h |"; }
echo "| build of examples //... | seconds | spawns executed or fetched | remote-cache hits |"
echo "| --- | --- | --- | --- |"
row "cold (empty output base, writes the cache)" "$cold"
row "no-op rebuild" "$noop"
row "fresh output base, copy at another path (remote cache)" "$hit"
echo
echo "Bazel at $USE_BAZEL_VERSION (Debian bazel-bootstrap 4.2.3 reports no version), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ); times include Bazel server start-up."
