#!/usr/bin/python3
"""`textdb select` against grep-dctrl on the real Debian bookworm Packages index.

Imports the 63,440 stanzas of debian-bookworm-main-amd64-Packages.xz into a table keyed by
Package + Version (Installed-Size an integer, an index on Section), then runs each query of
QUERIES both ways: grep-dctrl on the flat file and `textdb select --where` on the database, and
compares the sets of (Package, Version) pairs. The queries cover every access path of the
planner (secondary index, partition scan, full parallel scan), regular expressions, typed
comparison, -i, `||`, `&&` and `!`, and absent fields.

Usage: packages_select.py --textdb BUILD/tools/textdb [--data-dir DIR]
The data directory is $TEXTDB_SHARED_DATA if set, else --data-dir (ctest passes
<source>/../shared/data). When the data file or grep-dctrl is absent the test exits 77 (ctest:
skipped), unless TEXTDB_REQUIRE_SHARED_DATA=1, which makes that a failure.
"""

import argparse
import csv
import io
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

DATA_FILE = "debian-bookworm-main-amd64-Packages.xz"
SKIP = 77

# (grep-dctrl arguments, textdb --where expression, extra textdb options)
QUERIES = [
    (["-F", "Section", "-X", "libs"], "Section = 'libs'", []),
    (["-F", "Package", "-e", "^lib.*-dev$"], "Package ~ '^lib.*-dev$'", []),
    (["-F", "Depends", "libc6"], "Depends ~ 'libc6'", []),
    (["-F", "Priority", "-X", "required", "-o", "-F", "Priority", "-X", "important"],
     "Priority = 'required' || Priority = 'important'", []),
    (["-i", "-F", "Maintainer", "-e", "debian python team", "-a", "-F", "Section", "-X",
      "python"], "Maintainer ~ 'debian python team' && Section = 'python'", ["-i"]),
    (["-F", "Installed-Size", "--gt", "10000"], "Installed-Size > 10000", []),
    (["-F", "Essential", "-X", "yes"], "Essential = 'yes'", []),
    (["-F", "Package", "-X", "zsh"], "Package = 'zsh'", []),
    (["-F", "Package", "-e", "^python3-"], "Package ~ '^python3-'", []),
    (["-v", "-F", "Section", "-X", "libs"], "!(Section = 'libs')", []),
    (["-F", "Provides", "mail-transport-agent"], "Provides ~ 'mail-transport-agent'", []),
    (["-F", "Multi-Arch", "-X", "same", "-a", "-!", "-F", "Section", "-X", "libs"],
     "Multi-Arch = 'same' && !(Section = 'libs')", []),
]


def fail(message):
    sys.stdout.write("FAIL: %s\n" % message)
    sys.exit(1)


def run(args, expect=(0,), **kwargs):
    result = subprocess.run(args, capture_output=True, check=False, **kwargs)
    if result.returncode not in expect:
        fail("%s exited %d:\n%s" % (" ".join(args), result.returncode,
                                     result.stderr.decode("utf-8", "replace")[:4000]))
    return result


def grep_dctrl_pairs(packages, args):
    out = run(["grep-dctrl"] + args + ["-s", "Package,Version", packages],
              expect=(0, 1)).stdout.decode("utf-8")
    pairs = set()
    for paragraph in out.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in paragraph.splitlines() if ": " in line)
        if fields:
            pairs.add((fields["Package"], fields["Version"]))
    return pairs


def textdb_pairs(textdb, db, where, options):
    result = run([textdb, "select", "packages", "--db", db, "--where", where, "--fields",
                  "Package,Version", "--format", "csv"] + options, expect=(0, 1))
    rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8"))))
    if result.returncode == 1:
        return set()
    if not rows or rows[0] != ["Package", "Version"]:
        fail("unexpected csv header from textdb select: %r" % rows[:1])
    return {(row[0], row[1]) for row in rows[1:]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--textdb", required=True)
    parser.add_argument("--data-dir", default="")
    options = parser.parse_args()
    data_dir = os.environ.get("TEXTDB_SHARED_DATA") or options.data_dir
    path = os.path.join(data_dir, DATA_FILE)
    required = os.environ.get("TEXTDB_REQUIRE_SHARED_DATA") == "1"
    if not os.path.exists(path) or shutil.which("grep-dctrl") is None:
        print("%s or grep-dctrl is missing" % path)
        return 1 if required else SKIP
    with tempfile.TemporaryDirectory() as tmp:
        packages = os.path.join(tmp, "Packages")
        with lzma.open(path) as compressed, open(packages, "wb") as flat:
            shutil.copyfileobj(compressed, flat)
        db = os.path.join(tmp, "db")
        run([options.textdb, "init", db])
        run([options.textdb, "create", "packages", "--db", db, "--key", "Package,Version",
             "--type", "Version=debversion", "--type", "Installed-Size=integer", "--index",
             "Section"])
        run([options.textdb, "import", "packages", packages, "--db", db])
        total = 0
        for grep_args, where, textdb_options in QUERIES:
            expected = grep_dctrl_pairs(packages, grep_args)
            got = textdb_pairs(options.textdb, db, where, textdb_options)
            plan = run([options.textdb, "select", "packages", "--db", db, "--where", where,
                        "--explain"] + textdb_options).stdout.decode("utf-8").strip()
            if got != expected:
                missing = sorted(expected - got)[:5]
                extra = sorted(got - expected)[:5]
                fail("%s: textdb %d records, grep-dctrl %d; missing %s, extra %s" % (
                    where, len(got), len(expected), missing, extra))
            print("ok: %-60s %6d records  (%s)" % (where, len(got), plan.splitlines()[0]))
            total += len(got)
        if total == 0:
            fail("every query matched nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
