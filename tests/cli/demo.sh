#!/usr/bin/env bash
# The demo of README.md's first command (`.ci/demo` builds textdb and runs this): a database made
# from sample-data/packages.deb822, queried, edited, checked, formatted; then the deb822 <->
# JSON/CSV conversions. Also ctest `cli.demo` (label cli), so that CI runs every command of the
# demo against the dev build: a demo command that fails fails the test suite.
#
# Usage: tests/cli/demo.sh PATH/TO/textdb   (from the repository root, or any directory: it
# changes to the repository root itself)
set -euo pipefail
textdb=$(realpath "$1")
cd "$(dirname "$0")/../.."
demo="$(mktemp -d)"
trap 'rm -rf "$demo"' EXIT
set -x
"$textdb" --version
# A database of the sample Packages stanzas, keyed by Package + Version.
"$textdb" init "$demo/db"
cd "$demo/db"
"$textdb" create packages --key Package,Version --type Version=debversion \
  --type Installed-Size=integer --index Section
"$textdb" import packages "$OLDPWD/sample-data/packages.deb822"
"$textdb" tables
"$textdb" get packages hello 2.10-3
"$textdb" locate packages hello 2.10-3
"$textdb" select packages --where 'Installed-Size > 1000' --fields Package,Installed-Size --format table
"$textdb" select packages --where 'Section = "utils"' --explain
"$textdb" select packages --group-by Section --format table
"$textdb" sql "SELECT Package, Version FROM packages WHERE Package ~ '^lib' ORDER BY Package"
"$textdb" set packages hello 2.10-3 Priority=important
"$textdb" check
"$textdb" fmt --check || true
"$textdb" stats
find . -name '*.deb822' | sort
cd "$OLDPWD"
# Conversions between deb822, JSON, NDJSON and CSV.
"$textdb" convert sample-data/packages.deb822 --to csv | cut -c1-100 | head -n 4
"$textdb" convert sample-data/packages.deb822 --to json |
  "$textdb" convert --from json --to deb822 | cmp - sample-data/packages.deb822
"$textdb" convert sample-data/inventory.deb822 --to ndjson
"$textdb" convert --profile compat --strip-signature sample-data/hello.dsc --to json
"$textdb" convert sample-data/broken.deb822 --to json || echo "exit code $? (3 = invalid input)"
