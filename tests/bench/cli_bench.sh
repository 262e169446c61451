#!/bin/sh
# cli_bench.sh: the `textdb` command against its peers on the shared Packages data, whole
# processes timed by hyperfine in one session (the speed goals of issue 4):
#   - get from a fresh process:  textdb get  vs  grep-dctrl -X -P NAME (flat file)
#                                             vs  sqlite3 with an indexed table
#   - full scan with a regex:    textdb select --where 'F ~ RE'  vs  grep-dctrl -e
#   - count everything:          textdb select --count  vs  grep-dctrl -c  vs  sqlite3 count(*)
# The database is built once (import of all 63,440 stanzas) and every command's output is
# checked against its peer's before anything is timed, so no command can do less work.
#
# Usage: tests/bench/cli_bench.sh PATH/TO/textdb
#   TEXTDB_PACKAGES  the decompressed Packages file (default /tmp/data/Packages)
#   RUNS             hyperfine runs per command (default 20)
#   GET_RUNS         runs of the two fast gets, textdb's and sqlite3's (default 300: a get takes
#                    1-5 ms, and with 20 or 30 runs their ratio moved by 40% between runs)
#   DEPTH            the table's Partition-Depth (default 2, textdb create's default)
#   SPLIT            import's --split-above SIZE (default: import's default, 1MiB), or "none"
#                    for --no-split (the layout before split partitions, format-spec [P-014])
# Needs: hyperfine, grep-dctrl, sqlite3, jq, python3; taskset (util-linux) when present.
set -eu

textdb=$(realpath "$1")
packages=${TEXTDB_PACKAGES:-/tmp/data/Packages}
runs=${RUNS:-20}
get_runs=${GET_RUNS:-300}
depth=${DEPTH:-2}
split=${SPLIT:-}
case "$split" in
  "") split_option="" ;;
  none) split_option="--no-split" ;;
  *) split_option="--split-above $split" ;;
esac
[ -r "$packages" ] || { echo "cli_bench.sh: cannot read $packages" >&2; exit 1; }
for tool in hyperfine grep-dctrl sqlite3 jq python3; do
  command -v "$tool" >/dev/null || { echo "cli_bench.sh: $tool not found" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg)"
echo "textdb:  $("$textdb" --version), Partition-Depth $depth, import ${split_option:-(default split)}"

# The textdb database and the SQLite peer (same records; index on package).
db="$tmp/db"
"$textdb" init "$db" >/dev/null
"$textdb" create packages --db "$db" --key Package,Version --type Version=debversion \
  --type Installed-Size=integer --partition-depth "$depth" >/dev/null
start=$(date +%s.%N)
# shellcheck disable=SC2086 # split_option is empty or an option and its value
"$textdb" import packages "$packages" --db "$db" $split_option >/dev/null
echo "import:  $(echo "$(date +%s.%N) - $start" | bc) s for $(grep -c '^Package:' "$packages") stanzas"
echo "layout:  $(find "$db/packages" -name '*.deb822' ! -name schema.deb822 | wc -l) data files," \
  "the largest $(find "$db/packages" -name '*.deb822' ! -name schema.deb822 -printf '%s %P\n' |
    sort -n | tail -n 1)"
python3 - "$packages" "$tmp/packages.sqlite" <<'EOF'
import sqlite3, sys
text = open(sys.argv[1], encoding="utf-8").read()
db = sqlite3.connect(sys.argv[2])
db.execute("CREATE TABLE packages (package TEXT, version TEXT, section TEXT, stanza TEXT)")
db.execute("CREATE INDEX by_package ON packages (package)")
rows = []
for stanza in text.split("\n\n"):
    if not stanza.strip():
        continue
    fields = {}
    for line in stanza.split("\n"):
        if line and not line[0].isspace() and ":" in line:
            name, value = line.split(":", 1)
            fields[name] = value.strip()
    rows.append((fields["Package"], fields["Version"], fields.get("Section"), stanza + "\n"))
db.executemany("INSERT INTO packages VALUES (?, ?, ?, ?)", rows)
db.commit()
EOF

run() {  # run NAME RUNS COMMAND... : hyperfine, median seconds into $tmp/NAME.json
  name=$1
  n=$2
  shift 2
  # shellcheck disable=SC2086 # pin is empty or a command and its arguments
  $pin hyperfine --warmup 3 --runs "$n" --export-json "$tmp/$name.json" -N "$@" >/dev/null 2>&1 ||
    $pin hyperfine --warmup 3 --runs "$n" --export-json "$tmp/$name.json" "$@" >/dev/null
}
# The single-threaded commands (the gets) run on one CPU, the first this process may use, all
# three peers on the same one: on this machine's VM the two vCPUs differed by up to 30% in
# speed (grep-dctrl 76 against 101 ms, taskset -c 0 / -c 1), and the scheduler's choice of CPU
# for each command otherwise moved the ratios by as much. The scans use every CPU (pin="").
first_cpu=$(taskset -cp $$ 2>/dev/null | sed 's/.*: *//; s/[-,].*//')
pin=""
median() { jq -r ".results[$2].median" "$tmp/$1.json"; }
ms() { echo "$1 * 1000" | bc -l | xargs printf '%.2f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
same() {  # same WHAT A B: fails unless the two outputs are equal
  if ! cmp -s "$2" "$3"; then
    echo "cli_bench.sh: $1: textdb and its peer disagree" >&2
    diff "$2" "$3" | head >&2
    exit 1
  fi
}

# 1. get from a fresh process (zsh: a small partition; libc6: in li, the largest partition at
# depth 2 without split partitions, 21.7 MB; with import's default split, a 129 kB file).
if [ -n "$first_cpu" ]; then
  pin="taskset -c $first_cpu"
  echo "gets:    on CPU $first_cpu (taskset), textdb and its peers alike"
fi
for package in zsh libc6; do
  version=$(grep-dctrl -X -P "$package" -s Version -n "$packages" | head -n 1)
  "$textdb" get packages "$package" "$version" --db "$db" | grep -c . >"$tmp/a"
  grep-dctrl -X -P "$package" "$packages" | grep -c . >"$tmp/b"
  same "get $package" "$tmp/a" "$tmp/b"
  # grep-dctrl (about 100 ms a run) gets RUNS runs, the two fast gets GET_RUNS each.
  run "get-$package" "$get_runs" \
    "$textdb get packages $package $version --db $db" \
    "sqlite3 $tmp/packages.sqlite \"select stanza from packages where package = '$package' and version = '$version'\""
  run "get-$package-grep" "$runs" "grep-dctrl -X -P $package $packages"
done

pin=""

# 2. a full scan with a regular expression.
"$textdb" select packages --db "$db" --where 'Description ~ "(?i)compression"' --count >"$tmp/a"
grep-dctrl -i -F Description -e compression -c "$packages" >"$tmp/b"
same "regex select" "$tmp/a" "$tmp/b"
run regex "$runs" \
  "$textdb select packages --db $db --where 'Description ~ \"(?i)compression\"' --count" \
  "grep-dctrl -i -F Description -e compression -c $packages"

# 3. count everything.
"$textdb" select packages --db "$db" --count >"$tmp/a"
grep-dctrl -F Package -r . -c "$packages" >"$tmp/b"
same "count" "$tmp/a" "$tmp/b"
run count "$runs" \
  "$textdb select packages --db $db --count" \
  "grep-dctrl -F Package -r . -c $packages" \
  "sqlite3 $tmp/packages.sqlite 'select count(*) from packages'"

echo
echo "| command | textdb | grep-dctrl | sqlite3 | vs grep-dctrl | vs sqlite3 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for name in get-zsh get-libc6 regex count; do
  t=$(median "$name" 0)
  case "$name" in
    get-*)
      g=$(median "$name-grep" 0)
      s=$(median "$name" 1)
      ;;
    *)
      g=$(median "$name" 1)
      s=$(jq -r '.results[2].median // empty' "$tmp/$name.json")
      ;;
  esac
  if [ -n "$s" ]; then
    echo "| $name | $(ms "$t") ms | $(ms "$g") ms | $(ms "$s") ms | $(ratio "$g" "$t")x faster | $(ratio "$s" "$t")x |"
  else
    echo "| $name | $(ms "$t") ms | $(ms "$g") ms | - | $(ratio "$g" "$t")x faster | - |"
  fi
done
