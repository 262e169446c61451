#!/usr/bin/python3
"""`textdb merge-driver` vs `git merge-file` on one big data file (format-spec/merge.md [M-051]).

Builds a database in a temporary directory with one table `packages` (key Package, Version;
partition depth 0, so all 63,440 records of the Debian bookworm Packages index are in one file,
packages/all.deb822, about 50 MB), read from the shared data with `xz -dc` (never copied into the
repository). From that file (base) it makes two versions: ours changes the Priority field of
every 500th record and theirs the Section field of every 700th record (so some records are
changed on both sides, in different fields), plus a record removed on each side; it checks
that the driver's result holds both sides' edits and neither removed record. Then it times,
on the same three inputs, `textdb merge-driver BASE OURS THEIRS packages/all.deb822` (in the
database directory) and `git merge-file OURS BASE THEIRS`, each on a fresh copy of OURS, and
prints the best and the median of RUNS runs, the conflict count and the size of the inputs.

Usage: merge_driver_bench.py TEXTDB [DATA_DIR] (DATA_DIR defaults to ../shared/data; RUNS=5)
"""
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(args, cwd, expect=(0,)):
    result = subprocess.run(args, cwd=cwd, capture_output=True)
    if result.returncode not in expect:
        sys.exit("%s exited %d: %s" % (" ".join(args), result.returncode, result.stderr[:2000]))
    return result


def edit(stanzas, step, field, value, drop):
    out = []
    for i, stanza in enumerate(stanzas):
        if i == drop:
            continue
        if i % step == 0:
            lines = stanza.split("\n")
            for j, line in enumerate(lines):
                if line.startswith(field + ": "):
                    lines[j] = "%s: %s" % (field, value)
            stanza = "\n".join(lines)
        out.append(stanza)
    return "\n\n".join(out) + "\n"


def timed(args, cwd, ours_copy, ours, expect):
    times = []
    for _ in range(int(os.environ.get("RUNS", "5"))):
        shutil.copyfile(ours, ours_copy)
        start = time.perf_counter()
        result = run(args, cwd, expect)
        times.append(time.perf_counter() - start)
    return times, result


def main():
    textdb = os.path.abspath(sys.argv[1])
    data_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "data")
    source = glob.glob(os.path.join(data_dir, "*Packages.xz"))
    if not source:
        sys.exit("no *Packages.xz in %s" % data_dir)
    root = tempfile.mkdtemp(prefix="textdb-merge-bench-")
    try:
        db = os.path.join(root, "db")
        run([textdb, "init", db], root)
        run([textdb, "create", "--db", db, "packages", "--key", "Package,Version", "--type",
             "Version=debversion", "--partition-depth", "0"], root)
        packages = subprocess.run(["xz", "-dc", source[0]], capture_output=True, check=True).stdout
        subprocess.run([textdb, "import", "--db", db, "packages", "-"], input=packages,
                       check=True, capture_output=True)
        base_path = os.path.join(db, "packages", "all.deb822")
        with open(base_path) as f:
            base = f.read()
        stanzas = base.rstrip("\n").split("\n\n")
        files = {"base": base,
                 "ours": edit(stanzas, 500, "Priority", "extra", 10),
                 "theirs": edit(stanzas, 700, "Section", "misc", 20)}
        for name, text in files.items():
            with open(os.path.join(root, name), "w") as f:
                f.write(text)
        work = os.path.join(root, "work")
        ours = os.path.join(root, "ours")
        textdb_times, result = timed(
            [textdb, "merge-driver", os.path.join(root, "base"), work,
             os.path.join(root, "theirs"), "packages/all.deb822"], db, work, ours, (0, 1))
        textdb_conflicts = result.stderr.decode().strip() or "none"
        with open(work) as f:
            merged = f.read()
        # Both sides' edits are in the result, and neither removed record.
        for side, needle in (("ours", "\nPriority: extra\n"), ("theirs", "\nSection: misc\n")):
            if merged.count(needle) != files[side].count(needle):
                sys.exit("the merge lost %s' edits" % side)
        if len(merged.rstrip("\n").split("\n\n")) != len(stanzas) - 2:
            sys.exit("the merge has the wrong number of records")
        git_times, result = timed(
            ["git", "merge-file", work, os.path.join(root, "base"), os.path.join(root, "theirs")],
            root, work, ours, range(0, 128))
        print("records: %d, base %d bytes; ours changes %d records, theirs %d" % (
            len(stanzas), len(base), len(range(0, len(stanzas), 500)),
            len(range(0, len(stanzas), 700))))
        print("textdb merge-driver: best %.3f s, median %.3f s, conflicts: %s" % (
            min(textdb_times), statistics.median(textdb_times), textdb_conflicts))
        print("git merge-file:      best %.3f s, median %.3f s, exit %d (conflicts)" % (
            min(git_times), statistics.median(git_times), result.returncode))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
