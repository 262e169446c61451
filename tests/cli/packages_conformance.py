#!/usr/bin/python3
"""Conformance of `textdb convert` on the real Debian bookworm Packages index.

Checks, on debian-bookworm-main-amd64-Packages.xz of the shared data directory:
  1. `textdb convert Packages --to deb822` reproduces the file byte for byte (lossless writer);
  2. `textdb convert Packages --to json` yields exactly 63,440 objects whose members (names and
     values, in order) agree with python3-apt's apt_pkg.TagFile on every field of every stanza;
  3. `textdb convert --from json --to deb822` of that JSON (canonical form) gives back the
     original except for exactly two known differences, both asserted: the 8 lines that end a
     value with trailing whitespace lose it (the raw value has none [F-030]), and the empty line
     after the last stanza is dropped [W-005].

Usage: packages_conformance.py --textdb BUILD/tools/textdb [--data-dir DIR]
The data directory is $TEXTDB_SHARED_DATA if set, else --data-dir (ctest passes
<source>/../shared/data). When the data file is absent the test exits 77 (ctest: skipped),
unless TEXTDB_REQUIRE_SHARED_DATA=1, which makes that a failure.

Runs with the Debian python (/usr/bin/python3), which has python3-apt.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

DATA_FILE = "debian-bookworm-main-amd64-Packages.xz"
EXPECTED_STANZAS = 63440
# Lines of the Packages file that end a field value with trailing whitespace (all are one-line
# Description fields of gdbm and aha packages). The raw value drops it [F-030], so the canonical
# writer cannot reproduce it.
EXPECTED_TRAILING_WHITESPACE_LINES = 8
# The file ends with one empty line after its last stanza; canonical form has none [W-005].
EXPECTED_TRAILING_EMPTY_LINES = 1
SKIP = 77

# C's isspace() in the "C" locale, which apt's isspace_ascii() implements.
APT_SPACE = b" \t\n\r\v\f"


def apt_view(raw):
    """The value apt_pkg.TagSection returns for a field whose textdb raw value is `raw` (bytes).

    textdb's raw value [F-030] is the text after the colon without leading spaces and tabs, each
    continuation line appended as "\\n" + line verbatim, then trailing spaces and tabs removed.
    apt (apt-pkg/tagfile.cc, pkgTagSection::Scan and Find) delimits the value differently:
    - at the start it skips every isspace() character, newlines included, but stops at a newline
      that is not followed by a space. So for "Name:\\n cont" (an empty first line) apt gives
      "cont" where textdb gives "\\n cont", while "Name:\\n\\tcont" gives "\\n\\tcont" in both;
    - at the end it strips every isspace() character: also \\r, \\v and \\f, which textdb keeps
      as ordinary text (only space and tab are whitespace in deb822: format-spec/deb822.md §1).
    Everything between is the same bytes. This function applies apt's rule to textdb's value; the
    calibration step checks the rule against apt_pkg itself on inputs that exercise each case.
    """
    start = 0
    while start < len(raw) and raw[start] in APT_SPACE:
        if raw[start] == ord("\n") and (start + 1 == len(raw) or raw[start + 1] != ord(" ")):
            break
        start += 1
    end = len(raw)
    while end > start and raw[end - 1] in APT_SPACE:
        end -= 1
    return raw[start:end]


def fail(message):
    sys.stdout.write("FAIL: %s\n" % message)
    sys.exit(1)


def run_textdb(textdb, args, **kwargs):
    """Runs textdb; fails the test unless it exits 0. Returns its stdout (bytes)."""
    result = subprocess.run([textdb] + args, capture_output=True, check=False, **kwargs)
    if result.returncode != 0:
        fail("textdb %s exited %d:\n%s" % (" ".join(args), result.returncode,
                                           result.stderr.decode("utf-8", "replace")[:4000]))
    return result.stdout


def textdb_stanzas(textdb, path):
    """The stanzas of deb822 file `path` as `textdb convert --to json` gives them: a list of
    lists of (name, value) pairs, in order."""
    json_path = path + ".json"
    run_textdb(textdb, ["convert", path, "--to", "json", "-o", json_path])
    with open(json_path, "rb") as f:
        return json_path, json.loads(f.read().decode("utf-8"), object_pairs_hook=list)


def apt_stanzas(path):
    """The stanzas of `path` as apt_pkg.TagFile reads them (values as bytes)."""
    import apt_pkg  # pylint: disable=import-outside-toplevel
    stanzas = []
    with apt_pkg.TagFile(path, bytes=True) as tag_file:
        for section in tag_file:
            stanzas.append([(name, section[name]) for name in section.keys()])
    return stanzas


def compare_with_apt(ours, apt, what):
    """Fails unless the stanzas agree field by field; returns how many values apt trims
    differently from textdb."""
    if len(ours) != len(apt):
        fail("%s: textdb reads %d stanzas, apt_pkg %d" % (what, len(ours), len(apt)))
    differently_trimmed = 0
    for index, (our_fields, apt_fields) in enumerate(zip(ours, apt)):
        if not isinstance(our_fields, list):
            fail("%s: JSON element %d is not an object" % (what, index))
        our_names = [name for name, _ in our_fields]
        apt_names = [name for name, _ in apt_fields]
        if our_names != apt_names:
            fail("%s: stanza %d: field names differ:\n  textdb  %s\n  apt_pkg %s" %
                 (what, index, our_names, apt_names))
        for (name, value), (_, apt_value) in zip(our_fields, apt_fields):
            if not isinstance(value, str):
                fail("%s: stanza %d field %s: value is not a string" % (what, index, name))
            raw = value.encode("utf-8")
            expected = apt_view(raw)
            if expected != apt_value:
                fail("%s: stanza %d field %s:\n  textdb raw value   %r\n  apt_view of it     %r\n"
                     "  apt_pkg           %r" % (what, index, name, raw, expected, apt_value))
            differently_trimmed += expected != raw
    return differently_trimmed


def calibrate(textdb, temp):
    """Checks apt_view against apt_pkg on a small file with every case apt trims differently."""
    path = os.path.join(temp, "calibration")
    with open(path, "wb") as f:
        f.write(b"Plain: x\n"
                b"Spaces:   lead and trail \t \n"
                b"Empty-First-Line:\n cont1\n cont2  \n"
                b"Tab-Continuation:\t\n\tcont\n"
                b"Vertical-Tab: v\x0b\n"
                b"Form-Feed: \x0cff\n"
                b"Empty:\n"
                b"Inner: one\n two \n .\n three\n"
                b"\n"
                b"Package: second\n")
    _, ours = textdb_stanzas(textdb, path)
    differently_trimmed = compare_with_apt(ours, apt_stanzas(path), "calibration")
    # Empty-First-Line, Vertical-Tab and Form-Feed; Tab-Continuation is the same in both.
    if differently_trimmed != 3:
        fail("calibration: apt trims %d values differently, expected 3" % differently_trimmed)


def trailing_whitespace_lines(lines):
    """Indexes of lines that end a field value (the next line is no continuation line) with a
    space or tab before the line feed."""
    found = []
    for i, line in enumerate(lines):
        body = line.rstrip(b"\n")
        next_continues = i + 1 < len(lines) and lines[i + 1][:1] in (b" ", b"\t")
        if body[-1:] in (b" ", b"\t") and not next_continues:
            found.append(i)
    return found


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

    started = time.monotonic()
    timings = []

    def step(name, since):
        timings.append((name, time.monotonic() - since))
        return time.monotonic()

    with tempfile.TemporaryDirectory(prefix="textdb-packages-") as temp:
        now = time.monotonic()
        calibrate(textdb, temp)
        now = step("calibrate apt_view against apt_pkg", now)

        packages = os.path.join(temp, "Packages")
        with open(packages, "wb") as out:
            subprocess.run(["xz", "-dc", xz_path], stdout=out, check=True)
        with open(packages, "rb") as f:
            original = f.read()
        now = step("xz -dc", now)

        # 1. Lossless deb822 -> deb822.
        if run_textdb(textdb, ["convert", packages, "--to", "deb822"]) != original:
            fail("convert --to deb822 does not reproduce the file byte for byte")
        now = step("convert --to deb822 (byte-identical)", now)

        # 2. deb822 -> JSON, compared with apt_pkg.
        json_path, ours = textdb_stanzas(textdb, packages)
        now = step("convert --to json + json.loads", now)
        if len(ours) != EXPECTED_STANZAS:
            fail("convert --to json gives %d objects, expected %d" % (len(ours), EXPECTED_STANZAS))
        apt = apt_stanzas(packages)
        now = step("apt_pkg.TagFile", now)
        differently_trimmed = compare_with_apt(ours, apt, "Packages")
        fields = sum(len(stanza) for stanza in ours)
        now = step("compare %d fields with apt_pkg" % fields, now)

        # 3. JSON -> canonical deb822: the original but for trailing whitespace ending a value.
        round_trip = run_textdb(textdb, ["convert", "--from", "json", json_path, "--to", "deb822"])
        now = step("convert --from json --to deb822", now)
        original_lines = original.splitlines(keepends=True)
        round_trip_lines = round_trip.splitlines(keepends=True)
        # The file ends with an empty line after the last stanza, which canonical form has not
        # [W-005]: compare the rest, then check that exactly that much was dropped.
        trailing_empty = len(original_lines) - len(round_trip_lines)
        if trailing_empty != EXPECTED_TRAILING_EMPTY_LINES or any(
                line != b"\n" for line in original_lines[len(round_trip_lines):]):
            fail("json -> deb822 has %d lines, the original %d, of which the last %d should be "
                 "the only empty lines dropped" % (len(round_trip_lines), len(original_lines),
                                                   EXPECTED_TRAILING_EMPTY_LINES))
        original_lines = original_lines[:len(round_trip_lines)]
        differing = [i for i, (a, b) in enumerate(zip(original_lines, round_trip_lines)) if a != b]
        expected_differing = trailing_whitespace_lines(original_lines)
        if differing != expected_differing:
            fail("json -> deb822 differs from the original on lines %s; expected exactly the "
                 "lines ending a value with whitespace: %s" %
                 ([i + 1 for i in differing[:20]], [i + 1 for i in expected_differing[:20]]))
        for i in differing:
            if round_trip_lines[i] != original_lines[i].rstrip(b" \t\n") + b"\n":
                fail("json -> deb822 line %d: %r, expected %r without its trailing whitespace" %
                     (i + 1, round_trip_lines[i], original_lines[i]))
        if len(differing) != EXPECTED_TRAILING_WHITESPACE_LINES:
            fail("json -> deb822 drops trailing whitespace on %d lines, expected %d" %
                 (len(differing), EXPECTED_TRAILING_WHITESPACE_LINES))
        step("compare round trip", now)

    for name, seconds in timings:
        sys.stdout.write("%7.2f s  %s\n" % (seconds, name))
    sys.stdout.write(
        "ok: %d stanzas, %d fields agree with apt_pkg (%d values trimmed differently by apt); "
        "deb822 -> deb822 byte-identical; json -> deb822 identical but for %d lines of trailing "
        "whitespace and %d final empty line; %.1f s in all\n" %
        (len(ours), fields, differently_trimmed, len(differing), trailing_empty,
         time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
