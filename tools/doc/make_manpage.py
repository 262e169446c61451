#!/usr/bin/python3
"""Writes the textdb(1) man page from the tool's own --help texts.

Usage: make_manpage.py TEXTDB OUTPUT

The page is generated at build time (tools/CMakeLists.txt), so it can never disagree with the
command it documents: NAME and SYNOPSIS, then every subcommand's --help text as a section,
then the exit status, environment and files.
"""
import re
import subprocess
import sys


def help_text(textdb, *args):
    result = subprocess.run([textdb, *args, "--help"], capture_output=True, text=True,
                            env={"LC_ALL": "C", "NO_COLOR": "1", "COLUMNS": "100"})
    if result.returncode != 0:
        sys.exit(f"make_manpage.py: '{textdb} {' '.join(args)} --help' exited {result.returncode}")
    return result.stdout


def roff_escape(line):
    line = line.replace("\\", "\\e")
    if line.startswith((".", "'")):
        line = "\\&" + line
    return line.replace("-", "\\-")


def subcommands(root_help):
    names = []
    in_list = False
    for line in root_help.splitlines():
        if line.startswith("Subcommands:"):
            in_list = True
            continue
        if in_list:
            match = re.match(r"^  (\S+)\s{2,}(.*)$", line)
            if match:
                names.append((match.group(1), match.group(2)))
            elif line.strip() == "":
                break
    return names


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    textdb, output = sys.argv[1], sys.argv[2]
    version = subprocess.run([textdb, "--version"], capture_output=True, text=True).stdout.split()
    version = version[-1] if version else ""
    root = help_text(textdb)
    commands = subcommands(root)
    if not commands:
        sys.exit("make_manpage.py: no subcommands found in 'textdb --help'")
    out = [
        f'.TH TEXTDB 1 "" "textdb {version}" "User Commands"',
        ".SH NAME",
        "textdb \\- a record store whose data lives in Debian control (deb822) text files",
        ".SH SYNOPSIS",
        ".B textdb",
        "[\\fB\\-\\-help\\fR] [\\fB\\-\\-version\\fR]",
        ".I SUBCOMMAND",
        "[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]",
        ".SH DESCRIPTION",
        "textdb keeps records as deb822 stanzas in plain text files that can be edited by hand "
        "and kept in git. A database is a directory holding \\fBtextdb.conf\\fR, one directory "
        "per table (a \\fBschema.deb822\\fR file and the data files, partitioned by key prefix) "
        "and \\fB.textdb/\\fR for machine state. The formats are specified in the format-spec/ "
        "directory of the source tree.",
        ".SH SUBCOMMANDS",
    ]
    for name, summary in commands:
        out.append(f".SS {roff_escape(name)}")
        out.append(roff_escape(summary) + ".")
        out.append(".PP")
        out.append(".nf")
        for line in help_text(textdb, name).splitlines():
            out.append(roff_escape(line))
        out.append(".fi")
    out += [
        ".SH EXIT STATUS",
        "0 success; 1 nothing matched or not found; 2 usage error; 3 invalid data or schema "
        "violation; 4 locked or conflicting change; 5 I/O error; 70 internal error.",
        ".SH ENVIRONMENT",
        ".TP",
        ".B TEXTDB_DIR",
        "The database directory when \\fB\\-\\-db\\fR is not given. Without either, the nearest "
        "of the current directory and its parents that holds a \\fBtextdb.conf\\fR file.",
        ".TP",
        ".B NO_COLOR",
        "When set and not empty, messages are never coloured (they are only on a terminal).",
        ".TP",
        ".BR VISUAL ", " EDITOR",
        "The editor \\fBtextdb edit\\fR runs.",
        ".SH FILES",
        ".TP",
        ".I textdb.conf",
        "Marks a database directory.",
        ".TP",
        ".I TABLE/schema.deb822",
        "A table's schema: key fields, field types, indexes.",
        ".TP",
        ".I .textdb/",
        "Lock file and journal; never part of the data (git ignores it).",
        ".TP",
        ".I .gitignore, .gitattributes",
        "Written by",
        ".B textdb init",
        "(only the missing lines are appended to existing files): git ignores",
        ".I .textdb/",
        "and temporary files, and merges and diffs every",
        ".I .deb822",
        "file with the drivers that",
        ".B textdb git\\-setup",
        "registers",
        "(\\fBmerge.textdb.driver\\fR, \\fBdiff.textdb.command\\fR).",
    ]
    with open(output, "w", encoding="utf-8") as page:
        page.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
