#!/usr/bin/python3
"""The database subcommands of `textdb` on the real Debian bookworm Packages index.

On debian-bookworm-main-amd64-Packages.xz of the shared data directory (63,440 stanzas, 50 MB):
  1. `textdb init`, `textdb create packages --key Package,Version --type Version=debversion`,
     then `textdb import packages Packages`, timed (the elapsed seconds are printed; the issue
     asks for a few seconds at most on an optimised build, which this test does not enforce, as
     it also runs in debug and sanitizer builds);
  2. `textdb get packages NAME VERSION` of known packages, and of the first, middle and last
     stanza of the file, prints exactly the original stanza bytes; a version given in another
     spelling of the same Debian version (an explicit epoch 0) finds the same record; an absent
     package exits 1;
  3. `textdb export packages --format deb822` gives back exactly the set of original stanzas;
  4. `textdb check packages` finds no problem, and a second import of the same file fails with
     exit status 4 (every key is stored) without changing a byte of the database.

Usage: packages_import.py --textdb BUILD/tools/textdb [--data-dir DIR]
The data directory is $TEXTDB_SHARED_DATA if set, else --data-dir (ctest passes
<source>/../shared/data). When the data file is absent the test exits 77 (ctest: skipped),
unless TEXTDB_REQUIRE_SHARED_DATA=1, which makes that a failure.
"""

import argparse
import collections
import hashlib
import lzma
import os
import subprocess
import sys
import tempfile
import time

DATA_FILE = "debian-bookworm-main-amd64-Packages.xz"
EXPECTED_STANZAS = 63440
# (Package, Version) pairs of this snapshot that `get` must find; the last has an epoch.
KNOWN_PACKAGES = [("zsh", "5.9-4+b15"), ("bash", "5.2.15-2+b13"), ("coreutils", "9.1-1"),
                  ("git", "1:2.39.5-0+deb12u3")]
SKIP = 77


def fail(message):
    sys.stdout.write("FAIL: %s\n" % message)
    sys.exit(1)


def run_textdb(textdb, args, expect=0, **kwargs):
    """Runs textdb; fails the test unless it exits with `expect`. Returns its stdout (bytes)."""
    result = subprocess.run([textdb] + args, capture_output=True, check=False, **kwargs)
    if result.returncode != expect:
        fail("textdb %s exited %d, expected %d:\n%s" % (
            " ".join(args), result.returncode, expect,
            result.stderr.decode("utf-8", "replace")[:4000]))
    return result.stdout


def split_stanzas(text):
    """The stanzas of a deb822 text without comments, each as its bytes with its final line
    feed, in order (paragraphs are separated by empty lines)."""
    return [paragraph.strip(b"\n") + b"\n" for paragraph in text.split(b"\n\n")
            if paragraph.strip(b"\n")]


def field(stanza, name):
    """The one-line value of field `name` of a stanza (bytes)."""
    prefix = name.encode() + b": "
    for line in stanza.split(b"\n"):
        if line.startswith(prefix):
            return line[len(prefix):].decode("utf-8")
    fail("stanza without %s:\n%s" % (name, stanza[:400].decode("utf-8", "replace")))
    return None


def tree_digest(root):
    """A digest of every file below root (path and content), but the lock file."""
    digest = hashlib.sha256()
    for directory, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = os.path.join(directory, name)
            if os.path.relpath(path, root) == os.path.join(".textdb", "LOCK"):
                continue
            digest.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--textdb", required=True, help="path of the textdb executable")
    parser.add_argument("--data-dir", default="", help="shared data directory")
    options = parser.parse_args()
    textdb = os.path.abspath(options.textdb)
    data_dir = os.environ.get("TEXTDB_SHARED_DATA") or options.data_dir
    xz_path = os.path.join(data_dir, DATA_FILE)
    if not os.path.isfile(xz_path):
        if os.environ.get("TEXTDB_REQUIRE_SHARED_DATA") == "1":
            fail("%s is missing and TEXTDB_REQUIRE_SHARED_DATA=1" % xz_path)
        sys.stdout.write("SKIP: %s is missing\n" % xz_path)
        return SKIP

    with tempfile.TemporaryDirectory(prefix="textdb-import-") as temp:
        packages = os.path.join(temp, "Packages")
        with lzma.open(xz_path) as f:
            original = f.read()
        with open(packages, "wb") as f:
            f.write(original)
        stanzas = split_stanzas(original)
        if len(stanzas) != EXPECTED_STANZAS:
            fail("the data file has %d stanzas, expected %d" % (len(stanzas), EXPECTED_STANZAS))
        by_key = {(field(s, "Package"), field(s, "Version")): s for s in stanzas}
        if len(by_key) != len(stanzas):
            fail("the data file repeats a (Package, Version) key")

        # 1. Import, timed.
        db = os.path.join(temp, "db")
        run_textdb(textdb, ["init", db])
        run_textdb(textdb, ["create", "--db", db, "packages", "--key", "Package,Version",
                            "--type", "Version=debversion"])
        started = time.monotonic()
        summary = run_textdb(textdb, ["import", "--db", db, "packages", packages])
        elapsed = time.monotonic() - started
        expected_summary = b"table 'packages': %d inserted, 0 replaced, 0 skipped\n" % len(stanzas)
        if summary != expected_summary:
            fail("import printed %r, expected %r" % (summary, expected_summary))
        sys.stdout.write("import of %d stanzas (%.1f MB): %.2f s\n" % (
            len(stanzas), len(original) / 1e6, elapsed))

        # 2. get prints the original bytes.
        picks = list(KNOWN_PACKAGES)
        for index in (0, len(stanzas) // 2, len(stanzas) - 1):
            picks.append((field(stanzas[index], "Package"), field(stanzas[index], "Version")))
        started = time.monotonic()
        for package, version in picks:
            if (package, version) not in by_key:
                fail("%s %s is not in the data file" % (package, version))
            got = run_textdb(textdb, ["get", "--db", db, "packages", package, version])
            if got != by_key[(package, version)]:
                fail("get packages %s %s printed:\n%s\nexpected the original stanza:\n%s" % (
                    package, version, got.decode("utf-8", "replace"),
                    by_key[(package, version)].decode("utf-8", "replace")))
        sys.stdout.write("get of %d records, each in a new process: %.2f s\n" % (
            len(picks), time.monotonic() - started))
        if run_textdb(textdb, ["get", "--db", db, "packages", "zsh", "0:5.9-4+b15"]) != \
                by_key[("zsh", "5.9-4+b15")]:
            fail("get packages zsh 0:5.9-4+b15 does not find zsh 5.9-4+b15 (same version)")
        run_textdb(textdb, ["get", "--db", db, "packages", "zsh", "0.0-0"], expect=1)

        # 3. export gives back the set of stanzas.
        started = time.monotonic()
        exported = split_stanzas(run_textdb(textdb, ["export", "--db", db, "packages",
                                                     "--format", "deb822"]))
        sys.stdout.write("export: %.2f s\n" % (time.monotonic() - started))
        if collections.Counter(exported) != collections.Counter(stanzas):
            missing = collections.Counter(stanzas) - collections.Counter(exported)
            extra = collections.Counter(exported) - collections.Counter(stanzas)
            fail("export differs from the input: %d stanzas missing, %d unexpected; first "
                 "missing:\n%s" % (sum(missing.values()), sum(extra.values()),
                                   next(iter(missing), b"").decode("utf-8", "replace")))

        # 4. check, and a second import that must change nothing.
        checked = run_textdb(textdb, ["check", "--db", db, "packages"])
        if checked != b"ok: table 'packages', no problems found\n":
            fail("check printed %r" % checked)
        before = tree_digest(db)
        run_textdb(textdb, ["import", "--db", db, "packages", packages], expect=4)
        if tree_digest(db) != before:
            fail("a failed import changed the database")

    sys.stdout.write("ok: %d stanzas imported, read back byte for byte by get and export\n" %
                     len(stanzas))
    return 0


if __name__ == "__main__":
    sys.exit(main())
