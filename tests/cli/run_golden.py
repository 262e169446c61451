#!/usr/bin/python3
"""Golden tests of the `textdb` command: runs case directories and compares the results.

A case is a directory under tests/cli/cases/:

  cmd             the arguments after `textdb`, split like a POSIX shell would (shlex); may name
                  input files of the case directory
  stdin           optional: fed to standard input (otherwise standard input is empty)
  stdout          expected standard output, byte for byte
  stderr          expected standard error, byte for byte
  exit            expected exit code, as a decimal number
  expected-files/ optional: files the command must leave in its working directory, with exactly
                  this content (for --output)
  file-size-limit optional: the command runs with RLIMIT_FSIZE set to this many bytes (and
                  SIGXFSZ ignored), so a write beyond it fails with EFBIG: a failing disk
  anything else   input files, copied into a fresh temporary working directory where the
                  command runs

After the run, the working directory must hold exactly the input files plus the files of
expected-files/: a file written where none is expected (say, an --output file after an error, or
a leftover temporary file) fails the case.

The command runs with LC_ALL=C (so system error messages are in English), NO_COLOR=1 and no
other environment variable but PATH (and the sanitizers' *SAN_OPTIONS).

Usage:
  run_golden.py --textdb BUILD/tools/textdb CASE_DIR...
To regenerate the expectations from the current behaviour (then review them with `git diff`):
  TEXTDB_UPDATE_GOLDEN=1 ctest -L cli          (or run_golden.py --update ...)
Updating rewrites stdout, stderr and exit, and the files already present in expected-files/.
"""

import argparse
import difflib
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

RESERVED = {"cmd", "stdin", "stdout", "stderr", "exit", "expected-files", "file-size-limit"}
EXPECTED_FILES = "expected-files"
TIMEOUT_SECONDS = 60
# Passed through to the command, for sanitizer builds.
SANITIZER_OPTIONS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def list_files(root):
    """Relative paths of every file below root."""
    found = set()
    for directory, _, files in os.walk(root):
        for name in files:
            found.add(os.path.relpath(os.path.join(directory, name), root))
    return found


def diff(what, expected, actual):
    """A readable unified diff of two byte strings."""
    lines = difflib.unified_diff(
        expected.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        actual.decode("utf-8", "backslashreplace").splitlines(keepends=True),
        fromfile="expected " + what, tofile="actual " + what)
    text = "".join(line if line.endswith("\n") else line + "\n\\ no newline\n"
                   for line in lines)
    return text or "(%s differs only in bytes the diff cannot show)\n" % what


def run_case(textdb, case_dir, update):
    """Runs one case; returns a list of failure descriptions (empty when it passed)."""
    args = shlex.split(read_bytes(os.path.join(case_dir, "cmd")).decode("utf-8"))
    stdin_path = os.path.join(case_dir, "stdin")
    expected_dir = os.path.join(case_dir, EXPECTED_FILES)
    expected_files = list_files(expected_dir) if os.path.isdir(expected_dir) else set()
    limit_path = os.path.join(case_dir, "file-size-limit")
    preexec = None
    if os.path.exists(limit_path):
        limit = int(read_bytes(limit_path))

        def preexec():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # exec keeps an ignored signal ignored
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with tempfile.TemporaryDirectory(prefix="textdb-golden-") as temp:
        work = os.path.join(temp, "work")
        shutil.copytree(case_dir, work, ignore=lambda d, names: [
            n for n in names if d == case_dir and n in RESERVED])
        inputs = list_files(work)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "NO_COLOR": "1"}
        for name in SANITIZER_OPTIONS:
            if name in os.environ:
                env[name] = os.environ[name]
        stdin = open(stdin_path, "rb") if os.path.exists(stdin_path) else subprocess.DEVNULL
        try:
            result = subprocess.run([textdb] + args, cwd=work, stdin=stdin, env=env,
                                    capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
                                    preexec_fn=preexec)
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        actual = {"stdout": result.stdout, "stderr": result.stderr,
                  "exit": b"%d\n" % result.returncode}

        failures = []
        if update:
            for name, data in actual.items():
                write_bytes(os.path.join(case_dir, name), data)
            for name in sorted(expected_files):
                produced = os.path.join(work, name)
                if os.path.exists(produced):
                    write_bytes(os.path.join(expected_dir, name), read_bytes(produced))
        else:
            for name in ("exit", "stdout", "stderr"):
                path = os.path.join(case_dir, name)
                if not os.path.exists(path):
                    failures.append("missing expectation %s (create it with --update)\n" % name)
                    continue
                expected = read_bytes(path)
                if expected != actual[name]:
                    failures.append(diff(name, expected, actual[name]))
        for name in sorted(expected_files):
            produced = os.path.join(work, name)
            if not os.path.exists(produced):
                failures.append("expected file %s was not written\n" % name)
                continue
            expected = read_bytes(os.path.join(expected_dir, name))
            if expected != read_bytes(produced):
                failures.append(diff(name, expected, read_bytes(produced)))
        for name in sorted(list_files(work) - inputs - expected_files):
            failures.append("unexpected file left in the working directory: %s\n" % name)
        return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--textdb", required=True, help="path of the textdb executable")
    parser.add_argument("--update", action="store_true",
                        help="rewrite the expectations (also: TEXTDB_UPDATE_GOLDEN=1)")
    parser.add_argument("cases", nargs="+", metavar="CASE_DIR")
    options = parser.parse_args()
    update = options.update or os.environ.get("TEXTDB_UPDATE_GOLDEN") == "1"
    textdb = os.path.abspath(options.textdb)

    failed = 0
    for case_dir in options.cases:
        case_dir = os.path.abspath(case_dir)
        name = os.path.basename(case_dir)
        failures = run_case(textdb, case_dir, update)
        if failures:
            failed += 1
            sys.stdout.write("FAIL %s (textdb %s)\n" % (
                name, read_bytes(os.path.join(case_dir, "cmd")).decode().strip()))
            for failure in failures:
                sys.stdout.write(failure)
        else:
            sys.stdout.write("%s %s\n" % ("UPDATED" if update else "ok", name))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
