#!/bin/bash
# Tests tools/doc/textdb.bash-completion against the built tool: subcommands, options of a
# subcommand, option values and table names. Usage: completion_test.sh TEXTDB COMPLETION DB_DIR
set -u
textdb_dir="$(cd "$(dirname "$1")" && pwd)"
export PATH="$textdb_dir:$PATH"
# shellcheck source=/dev/null
source "$2"
# A copy: opening a database writes its .textdb/LOCK, which must not appear in the source tree
# (the golden case that owns DB_DIR would then see it as an input file that changed).
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$3" "$work/db"
db="$work/db"
failures=0

# complete WORD... : sets COMPREPLY for the command line "WORD..." with the cursor at its end.
complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _textdb
}

expect() {  # expect DESCRIPTION WANTED -- WORD...
  local description="$1" wanted="$2"
  shift 3
  complete_line "$@"
  local got=" ${COMPREPLY[*]} "
  if [[ "$got" != *" $wanted "* ]]; then
    echo "FAIL: $description: '$wanted' not in [${COMPREPLY[*]}]"
    failures=$((failures + 1))
  fi
}

expect "subcommands" "import" -- textdb im
expect "subcommands" "repartition" -- textdb ""
expect "options of a subcommand" "--on-duplicate" -- textdb import --on
expect "options of a subcommand" "--depth" -- textdb repartition items --de
expect "option values" "ndjson" -- textdb export items --format nd
expect "option values" "replace" -- textdb import items --on-duplicate re
expect "tables of the database" "items" -- textdb get --db "$db" it
expect "git subcommands" "git-setup" -- textdb git
expect "git subcommands" "merge-driver" -- textdb mer
expect "diff formats" "json" -- textdb diff --format j
expect "tables of diff" "items" -- textdb diff --db "$db" it
complete_line textdb diff --format ""
if [[ " ${COMPREPLY[*]} " == *" ndjson "* ]]; then
  echo "FAIL: diff --format offers ndjson: [${COMPREPLY[*]}]"
  failures=$((failures + 1))
fi
complete_line textdb get --db "$db" zz
if [[ ${#COMPREPLY[@]} -ne 0 ]]; then
  echo "FAIL: no table starts with zz, got [${COMPREPLY[*]}]"
  failures=$((failures + 1))
fi
[[ $failures -eq 0 ]] && echo "ok: bash completion"
exit $((failures > 0))
