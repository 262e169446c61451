#!/usr/bin/python3
"""Checks the generated textdb(1) man page: it documents every subcommand `textdb --help`
lists, with each one's options, the git files and driver settings in FILES, and groff renders it without a warning.

Usage: manpage_test.py MANPAGE TEXTDB
"""
import re
import shutil
import subprocess
import sys


def main():
    page_path, textdb = sys.argv[1], sys.argv[2]
    page = open(page_path, encoding="utf-8").read()
    root = subprocess.run([textdb, "--help"], capture_output=True, text=True).stdout
    listed = re.findall(r"^  ([a-z][a-z-]*)\s{2,}", root.split("Subcommands:")[1], re.M)
    failures = []
    for name in listed:
        if f".SS {name.replace('-', chr(92) + '-')}\n" not in page:
            failures.append(f"subcommand {name} has no section")
        usage = subprocess.run([textdb, name, "--help"], capture_output=True, text=True).stdout
        for option in set(re.findall(r"--[a-z][a-z-]*", usage)):
            if option.replace("-", "\\-") not in page:
                failures.append(f"{name}: option {option} is not in the page")
    # The git files and the driver settings are in FILES.
    for needle in (".gitattributes", "merge.textdb.driver", "diff.textdb.command"):
        if needle not in page:
            failures.append(f"FILES does not mention {needle}")
    if not listed:
        failures.append("no subcommand found in textdb --help")
    if shutil.which("groff"):
        render = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page_path],
                                capture_output=True, text=True)
        if render.returncode != 0 or render.stderr.strip():
            failures.append("groff: " + render.stderr.strip())
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(f"ok: {len(listed)} subcommands documented")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
