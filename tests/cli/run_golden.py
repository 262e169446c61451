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
                  this content (for --output, or an input file the command changes, such as a
                  database's data file: the entry then replaces the input)
  expected-removed optional: input files the command must remove, one relative path a line
  file-size-limit optional: the command runs with RLIMIT_FSIZE set to this many bytes (and
                  SIGXFSZ ignored), so a write beyond it fails with EFBIG: a failing disk
  cwd             optional: the directory, relative to the working directory, to run the command
                  in (say, inside a database, to test how it is found)
  env             optional: NAME=VALUE lines added to the command's environment
  anything else   input files, copied into a fresh temporary working directory where the
                  command runs

After the run, the working directory must hold exactly the input files (unchanged, except those
of expected-files/, and without those of expected-removed) plus the files of expected-files/: a
file written where none is expected (say, an --output file after an error, or a leftover
temporary file), an input changed or removed unexpectedly, fails the case. A database's lock file
(.textdb/LOCK, created by every command that opens one) is ignored.

The command runs with LC_ALL=C (so system error messages are in English), NO_COLOR=1 and no
other environment variable but PATH (and the sanitizers' *SAN_OPTIONS), plus those of `env`.

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

RESERVED = {"cmd", "stdin", "stdout", "stderr", "exit", "expected-files", "expected-removed",
            "file-size-limit", "cwd", "env"}
EXPECTED_FILES = "expected-files"
# The lock file every database command creates ([B-002]); never part of the data.
LOCK_FILE = os.path.join(".textdb", "LOCK")
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


def is_lock_file(path):
    """True for a database's lock file (DB/.textdb/LOCK), which commands create as they open."""
    return path == LOCK_FILE or path.endswith(os.sep + LOCK_FILE)


def read_lines(path):
    """The non-empty lines of an optional text file (none when it does not exist)."""
    if not os.path.exists(path):
        return []
    return [line for line in read_bytes(path).decode("utf-8").splitlines() if line.strip()]


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
    expected_removed = set(os.path.normpath(line.strip()) for line in
                           read_lines(os.path.join(case_dir, "expected-removed")))
    cwd_lines = read_lines(os.path.join(case_dir, "cwd"))
    extra_env = dict(line.split("=", 1) for line in read_lines(os.path.join(case_dir, "env")))
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
        input_bytes = {name: read_bytes(os.path.join(work, name)) for name in inputs}
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "NO_COLOR": "1"}
        for name in SANITIZER_OPTIONS:
            if name in os.environ:
                env[name] = os.environ[name]
        env.update(extra_env)
        run_dir = os.path.join(work, cwd_lines[0].strip()) if cwd_lines else work
        stdin = open(stdin_path, "rb") if os.path.exists(stdin_path) else subprocess.DEVNULL
        try:
            result = subprocess.run([textdb] + args, cwd=run_dir, stdin=stdin, env=env,
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
        left = list_files(work)
        for name in sorted(left - inputs - expected_files):
            if not is_lock_file(name):
                failures.append("unexpected file left in the working directory: %s\n" % name)
        for name in sorted(expected_removed - inputs):
            failures.append("expected-removed names %s, which is not an input file\n" % name)
        for name in sorted(inputs - expected_files):
            if name in expected_removed:
                if name in left:
                    failures.append("input file %s was not removed\n" % name)
            elif name not in left:
                failures.append("input file %s was removed (list it in expected-removed)\n" % name)
            elif read_bytes(os.path.join(work, name)) != input_bytes[name]:
                failures.append("input file %s was changed (put its new content in "
                                "expected-files/):\n" % name)
                failures.append(diff(name, input_bytes[name], read_bytes(os.path.join(work, name))))
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
