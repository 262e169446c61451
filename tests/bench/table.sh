#!/bin/sh
# table.sh: turns a deb822_bench JSON report (--benchmark_out=FILE --benchmark_out_format=json,
# run with --benchmark_repetitions) into the Markdown table of tests/bench/RESULTS.md: median
# throughput in decimal GB/s (Google Benchmark's console prints binary GiB/s) and the ratio to
# apt's pkgTagFile (file) and pkgTagSection::Scan (in memory).
# Usage: tests/bench/table.sh REPORT.json
set -eu
[ $# -eq 1 ] && [ -r "$1" ] || { echo "usage: table.sh REPORT.json" >&2; exit 1; }
jq -r '.benchmarks[] | select(.aggregate_name == "median") | "\(.run_name)\t\(.bytes_per_second)"' \
  "$1" | awk -F'\t' '
  { name[NR] = $1; rate[NR] = $2; by[$1] = $2 }
  END {
    file = by["BM_AptPkgTagFile"]; mem = by["BM_AptTagSectionScan"]
    print "| benchmark | GB/s (median) | vs apt pkgTagFile | vs apt TagSection::Scan |"
    print "| --- | ---: | ---: | ---: |"
    for (i = 1; i <= NR; i++)
      printf "| %s | %.2f | %.2fx | %.2fx |\n", name[i], rate[i] / 1e9, rate[i] / file, rate[i] / mem
  }'
