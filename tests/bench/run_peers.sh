#!/bin/sh
# run_peers.sh: measures grep-dctrl (dctrl-tools) on the shared Packages file with hyperfine and,
# when given the deb822_bench binary, our own scan in the same session, then prints throughput
# and the ratios recorded in tests/bench/RESULTS.md.
#
# Usage: tests/bench/run_peers.sh [PATH/TO/deb822_bench]
#   TEXTDB_PACKAGES  the decompressed Packages file (default /tmp/data/Packages)
#   RUNS             hyperfine runs per command (default 30)
# Needs: hyperfine, grep-dctrl, jq. Figures are medians; whole-process wall time for grep-dctrl.
set -eu

packages=${TEXTDB_PACKAGES:-/tmp/data/Packages}
runs=${RUNS:-30}
bench=${1:-}
[ -r "$packages" ] || { echo "run_peers.sh: cannot read $packages (set TEXTDB_PACKAGES)" >&2; exit 1; }
for tool in hyperfine grep-dctrl jq; do
  command -v "$tool" >/dev/null || { echo "run_peers.sh: $tool not found" >&2; exit 1; }
done

bytes=$(stat -c %s "$packages")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input:   $packages ($bytes bytes)"
echo

# Median wall time in seconds of a hyperfine JSON export.
median() { jq -r '.results[0].median' "$1"; }
# Decimal GB/s for `bytes` processed in $1 seconds.
gbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.3f", b / s / 1e9 }'; }

run_peer() {  # name, command...
  name=$1
  shift
  hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$tmp/$name.json" -- "$*" \
    >/dev/null 2>"$tmp/$name.err" || { cat "$tmp/$name.err" >&2; exit 1; }
  t=$(median "$tmp/$name.json")
  rate=$(gbps "$t")
  [ "$name" != startup ] || rate=n/a
  printf '%-52s median %8.2f ms  %6s GB/s\n' "$*" "$(awk -v s="$t" 'BEGIN{print s*1000}')" \
    "$rate"
  eval "t_$name=$t"
}

echo "grep-dctrl (dctrl-tools $(dpkg-query -W -f='${Version}' dctrl-tools 2>/dev/null || echo '?')):"
run_peer startup grep-dctrl -c -r -F Package . /dev/null  # process start-up only
run_peer select grep-dctrl -X -P zsh "$packages"
run_peer count grep-dctrl -c -r -F Package . "$packages"
echo

[ -n "$bench" ] || exit 0
# Our side in the same session: the in-memory scan and the read-the-file-then-scan variant.
TEXTDB_PACKAGES=$packages "$bench" \
  --benchmark_filter='^BM_(Boundaries|EncodingAndBoundaries|FileReadEncodingAndBoundaries)$' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$tmp/ours.json" --benchmark_out_format=json >/dev/null 2>"$tmp/ours.err" ||
  { cat "$tmp/ours.err" >&2; exit 1; }
ours() {  # median seconds per iteration of benchmark $1
  jq -r --arg n "$1_median" \
    '.benchmarks[] | select(.name == $n) | .real_time * (if .time_unit == "ms" then 1e-3 else 1e-9 end)' \
    "$tmp/ours.json"
}
echo "deb822_bench (median of 5 repetitions, wall time):"
for b in BM_Boundaries BM_EncodingAndBoundaries BM_FileReadEncodingAndBoundaries; do
  t=$(ours "$b")
  printf '%-52s median %8.2f ms  %6s GB/s  %4.1fx grep-dctrl count\n' "$b" \
    "$(awk -v s="$t" 'BEGIN{print s*1000}')" "$(gbps "$t")" \
    "$(awk -v a="$t_count" -v b="$t" 'BEGIN{print a/b}')"
done
