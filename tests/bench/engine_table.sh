#!/bin/sh
# engine_table.sh: turns an engine_bench or scale_bench JSON report (--benchmark_out=FILE
# --benchmark_out_format=json; with --benchmark_repetitions the medians are used, otherwise the
# single runs) into the Markdown tables of tests/bench/RESULTS.md, textdb next to its SQLite peer.
# Times are per operation (wall time); "textdb / SQLite" is the ratio of the two times. For the
# single-record commits it also prints the CPU time, which the disk's fsync latency does not move.
# Usage: tests/bench/engine_table.sh REPORT.json
set -eu
[ $# -eq 1 ] && [ -r "$1" ] || { echo "usage: engine_table.sh REPORT.json" >&2; exit 1; }

# One line per benchmark: name (without /real_time, /iterations:N), nanoseconds per iteration,
# then the counters the tables use (0 when absent).
jq -r '
  def scale: {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[.time_unit];
  def ns: .real_time * scale;
  (if any(.benchmarks[]; .aggregate_name == "median")
   then [.benchmarks[] | select(.aggregate_name == "median")]
   else [.benchmarks[] | select(.run_type == "iteration")] end)[]
  | [(.run_name | gsub("/(real_time|iterations:[0-9]+)"; "")), ns,
     (.items_per_second // 0), (.partition_bytes // 0), (.partition_records // 0),
     (.index_bytes_per_record // 0), (.hit_ratio // -1), (.disk_bytes_per_record // 0),
     (.bytes_per_record // 0), .cpu_time * scale]
  | @tsv' "$1" | awk -F'\t' '
  {
    t[$1] = $2; ips[$1] = $3; pbytes[$1] = $4; precs[$1] = $5; ibytes[$1] = $6; hit[$1] = $7
    disk[$1] = $8; rbytes[$1] = $9; cpu[$1] = $10; seen[$1] = 1
  }
  function dur(ns) {  # a time with 3 significant digits and a unit
    if (ns == "") return "-"
    if (ns >= 1e9) { v = ns / 1e9; u = "s" } else if (ns >= 1e6) { v = ns / 1e6; u = "ms" }
    else if (ns >= 1e3) { v = ns / 1e3; u = "us" } else { v = ns; u = "ns" }
    return sprintf(v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, u)
  }
  function ratio(a, b) {
    if (a == "" || b == "" || a == 0 || b == 0) return "-"
    return a >= b ? sprintf("%.2fx slower", a / b) : sprintf("%.2fx faster", b / a)
  }
  function row(label, ours, peer) {
    if (!(ours in seen) && !(peer in seen)) return
    printf "| %s | %s | %s | %s |\n", label, dur(t[ours]), dur(t[peer]), ratio(t[ours], t[peer])
  }
  function num(v, fmt) { return v == "" ? "-" : sprintf(fmt, v) }
  END {
    if ("BM_TextdbGet/cached" in seen || "BM_TextdbImport/safe" in seen) engine()
    for (name in seen) if (name ~ /^BM_TextdbImport\/[0-9]+$/) { scale(); break }
  }
  function engine() {
    print "| measure | textdb | SQLite | textdb / SQLite |"
    print "| --- | ---: | ---: | ---: |"
    row("import, one transaction (safe / FULL)", "BM_TextdbImport/safe", "BM_SqliteImport")
    row("import, one transaction, no fsync (fast)", "BM_TextdbImport/fast", "-")
    row("open, every partition indexed", "BM_TextdbOpenPreload", "-")
    row("get by key, cached (SQLite: 64 MiB page cache)", "BM_TextdbGet/cached", "BM_SqliteGet/cached")
    row("get by key, no cache (SQLite: default page cache)", "BM_TextdbGet/nocache", "BM_SqliteGet/default")
    row("get from a fresh handle (open, get, close)", "BM_TextdbOpenGet", "BM_SqliteOpenGet")
    row("full scan, 63,440 records", "BM_TextdbScan", "BM_SqliteScan")
    if ("BM_TextdbOpenPreload" in seen)
      printf "\nIndex memory: %.1f bytes/record. On disk: textdb %.0f bytes/record, SQLite %.0f.\n",
        ibytes["BM_TextdbOpenPreload"], disk["BM_TextdbImport/safe"], disk["BM_SqliteImport"]
    if ("BM_TextdbGet/cached" in seen)
      printf "Cache hit ratio of the timed gets: cached %.2f, no cache %.2f.\n",
        hit["BM_TextdbGet/cached"], hit["BM_TextdbGet/nocache"]

    print "\n| single-record commit | textdb safe | SQLite FULL | textdb / SQLite | textdb batch | textdb / SQLite FULL | textdb fast | SQLite OFF | textdb / SQLite |"
    print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    n = split("Put Update Delete", ops, " ")
    for (i = 1; i <= n; i++) {
      o = ops[i]; s = "BM_Textdb" o "/"; q = "BM_Sqlite" o "/"
      if (!((s "safe") in seen)) continue
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", tolower(o),
        dur(t[s "safe"]), dur(t[q "full"]), ratio(t[s "safe"], t[q "full"]),
        dur(t[s "batch"]), ratio(t[s "batch"], t[q "full"]),
        dur(t[s "fast"]), dur(t[q "off"]), ratio(t[s "fast"], t[q "off"])
    }
    if (("BM_TextdbUpdate/safe") in seen)
      printf "\nMean size of the partition files written: put %.0f, update %.0f, delete %.0f bytes.\n",
        pbytes["BM_TextdbPut/safe"], pbytes["BM_TextdbUpdate/safe"], pbytes["BM_TextdbDelete/safe"]
    if ("BM_SyncFloor/append" in seen)
      printf "Sync floor of the same run: append 4 KiB + fdatasync %s; replace a 32 KiB file (create, write, fdatasync, fsync dir, rename, fsync dir) %s.\n",
        dur(t["BM_SyncFloor/append"]), dur(t["BM_SyncFloor/replace"])

    print "\n| CPU per commit | textdb safe | SQLite FULL | textdb batch | textdb fast | SQLite OFF |"
    print "| --- | ---: | ---: | ---: | ---: | ---: |"
    for (i = 1; i <= n; i++) {
      o = ops[i]; s = "BM_Textdb" o "/"; q = "BM_Sqlite" o "/"
      if (!((s "safe") in seen)) continue
      printf "| %s | %s | %s | %s | %s | %s |\n", tolower(o), dur(cpu[s "safe"]), dur(cpu[q "full"]),
        dur(cpu[s "batch"]), dur(cpu[s "fast"]), dur(cpu[q "off"])
    }

    print "\n| safe update in a partition of | bytes | records | latency |"
    print "| --- | ---: | ---: | ---: |"
    n = split("10kB 100kB 1MB largest", sizes, " ")
    for (i = 1; i <= n; i++) {
      k = "BM_TextdbUpdateInPartition/" sizes[i]
      if (k in seen) printf "| %s | %.0f | %.0f | %s |\n", sizes[i], pbytes[k], precs[k], dur(t[k])
    }
    a = "BM_TextdbUpdateInPartition/10kB"; b = "BM_TextdbUpdateInPartition/largest"
    if ((a in seen) && (b in seen))
      printf "\nMarginal cost, smallest to largest: %s per MB of partition.\n",
        dur((t[b] - t[a]) / ((pbytes[b] - pbytes[a]) / 1e6))

    print "\n| threads | keys | textdb safe | textdb batch | batch / safe | SQLite FULL | batch / SQLite |"
    print "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
    for (p = 0; p <= 1; p++) for (th = 1; th <= 4; th *= 2) {
      a = "BM_TextdbCommitThreads/safe/threads:" th "/onepart:" p
      b = "BM_TextdbCommitThreads/batch/threads:" th "/onepart:" p
      c = "BM_SqliteCommitThreads/full/threads:" th "/onepart:" p
      if (!(a in seen)) continue
      printf "| %d | %s | %.0f/s | %.0f/s | %.2fx | %.0f/s | %.2fx |\n", th,
        p ? "one partition" : "spread", ips[a], ips[b], ips[b] / ips[a], ips[c], ips[b] / ips[c]
    }
  }
  function scale(   i, j, n, rows, sizes, label, k, first, last) {
    n = split("10000 100000 1000000", sizes, " ")
    printf "| measure |"
    for (i = 1; i <= n; i++) printf " %s |", sizes[i]
    print " 1M / 10k |"
    printf "| --- |"
    for (i = 1; i <= n; i++) printf " ---: |"
    print " ---: |"
    m = split("BM_TextdbImport BM_SqliteImport BM_TextdbOpenPreload BM_TextdbGet/hot BM_SqliteGet/hot BM_TextdbGet/cold BM_SqliteGet/cold BM_TextdbOpenGet BM_SqliteOpenGet BM_TextdbUpdate BM_SqliteUpdate", rows, " ")
    for (j = 1; j <= m; j++) {
      printf "| %s |", rows[j]
      for (i = 1; i <= n; i++) printf " %s |", dur(t[rows[j] "/" sizes[i]])
      first = t[rows[j] "/" sizes[1]]; last = t[rows[j] "/" sizes[n]]
      print (first != "" && last != "" ? sprintf(" %.2f |", last / first) : " - |")
    }
    printf "| open per 1,000 records |"
    for (i = 1; i <= n; i++) {
      k = "BM_TextdbOpenPreload/" sizes[i]
      printf " %s |", (k in seen) ? dur(t[k] / (sizes[i] / 1000)) : "-"
    }
    print " |"
    printf "| index bytes per record |"
    for (i = 1; i <= n; i++) {
      k = "BM_TextdbOpenPreload/" sizes[i]
      printf " %s |", (k in seen) ? sprintf("%.1f", ibytes[k]) : "-"
    }
    print " |"
    printf "| cached get hit ratio |"
    for (i = 1; i <= n; i++) {
      k = "BM_TextdbGet/hot/" sizes[i]
      printf " %s |", (k in seen) ? sprintf("%.2f", hit[k]) : "-"
    }
    print " |"
  }'
