#!/usr/bin/python3
"""A textdb database kept in git, with real git in temporary directories (format-spec/merge.md
[M-050..M-063], format-spec/storage.md [B-005, B-006]).

Each scenario makes a fresh repository: `git init`, `textdb init`, `textdb git-setup`, a table
`items` (key Item, depth 1, so every key starting with "b" is in items/b.deb822), a few records,
a commit. Scenarios:
  must_show          two branches edit different records and different fields of one record of
                     the same data file: `git merge` is clean and both edits are present; then a
                     same-field edit: one conflict, markers around that field only, which
                     `textdb check` reports as FILE:LINE;
  both_add           a record added on both sides: same content merges, other content conflicts;
  removed_changed    a record removed on one side and changed on the other: one record conflict;
  rebase             `git rebase` replays a branch through the driver without a conflict;
  no_driver          the same edits in a clone without `git-setup`: git's own line markers,
                     which `textdb check` reports with file and line;
  log_one_record     `git log -p` (plain line diff) of a one-record change touches only that
                     record's lines; with --ext-diff it names the record;
  minimal_diffs      put, set and delete change only the record's lines, field order is kept,
                     `textdb fmt` is canonical and idempotent;
  diff_command       `textdb diff` text and JSON: working tree vs HEAD, REV REV, a table filter,
                     a re-partition is no change;
  subdirectory       the database in a subdirectory of the repository: merge, diff, git show;
  git_setup          `textdb git-setup` says set, then unchanged; exit 2 outside a repository;
  fallback           a file that is not textdb data is merged by `git merge-file`.

Usage: git_test.py --textdb BUILD/tools/textdb [SCENARIO...]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TEXTDB = None
FAILURES = []

SCHEMA = """Table: items
Key: Item
Partition-Depth: 1

Field: Item

Field: Count
Type: integer

Field: Color

Field: Size
"""

RECORDS = """# Fasteners.
Item: bolt
Count: 12
Color: grey
Size: M6

Item: bracket
Count: 3
Color: black

Item: brush
Count: 1
"""


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        sys.stdout.write("FAIL: %s\n" % message)
    return condition


class Repo:
    """A git repository holding a textdb database at its top."""

    def __init__(self, root, name, setup_driver=True, sub=""):
        top = os.path.join(root, name)
        os.makedirs(top)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=top, check=True)
        self.dir = os.path.join(top, sub) if sub else top
        subprocess.run([TEXTDB, "init", self.dir], cwd=top, check=True, capture_output=True)
        if setup_driver:
            self.textdb("git-setup")
        with open(os.path.join(self.dir, "schema.txt"), "w") as f:
            f.write(SCHEMA)
        self.textdb("create", "--schema", "schema.txt")
        os.remove(os.path.join(self.dir, "schema.txt"))
        self.put(RECORDS)
        self.commit("initial")

    def run(self, args, expect=0, stdin=None):
        result = subprocess.run(args, cwd=self.dir, input=stdin, capture_output=True, text=True,
                                check=False)
        if expect is not None and result.returncode != expect:
            raise AssertionError("%s exited %d, expected %d\nstdout:\n%s\nstderr:\n%s" % (
                " ".join(args), result.returncode, expect, result.stdout, result.stderr))
        return result

    def git(self, *args, expect=0):
        return self.run(["git"] + list(args), expect=expect)

    def textdb(self, *args, expect=0, stdin=None):
        return self.run([TEXTDB] + list(args), expect=expect, stdin=stdin)

    def put(self, text):
        self.textdb("put", "items", "-", stdin=text)

    def set(self, item, *assignments):
        self.textdb("set", "items", item, *assignments)

    def commit(self, message):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def read(self, path):
        with open(os.path.join(self.dir, path)) as f:
            return f.read()

    def get(self, item, field):
        out = self.textdb("get", "items", item).stdout
        match = re.search(r"^%s: (.*)$" % field, out, re.M)
        return match.group(1) if match else None


def must_show(root):
    repo = Repo(root, "must_show")
    before = repo.read("items/b.deb822")
    repo.git("checkout", "-q", "-b", "alice")
    repo.set("bolt", "Count=13")          # a record only alice changes
    repo.set("bracket", "Color=blue")     # a field of bracket
    repo.commit("alice")
    repo.git("checkout", "-q", "main")
    repo.set("brush", "Count=2")          # a record only main changes
    repo.set("bracket", "Count=4")        # another field of bracket
    repo.commit("main")
    merged = repo.git("merge", "-q", "--no-edit", "alice", expect=None)
    check(merged.returncode == 0, "must_show: git merge was not clean: %s" % merged.stdout +
          merged.stderr)
    check(repo.get("bolt", "Count") == "13", "must_show: alice's bolt edit is missing")
    check(repo.get("bracket", "Color") == "blue", "must_show: alice's bracket edit is missing")
    check(repo.get("brush", "Count") == "2", "must_show: main's brush edit is missing")
    check(repo.get("bracket", "Count") == "4", "must_show: main's bracket edit is missing")
    check(repo.read("items/b.deb822").startswith("# Fasteners.\nItem: bolt\n"),
          "must_show: the comment before bolt was not kept")
    check(repo.textdb("check").returncode == 0, "must_show: check after a clean merge")
    check(len(before.splitlines()) == len(repo.read("items/b.deb822").splitlines()),
          "must_show: the merge changed the number of lines")

    # Same field, two values: one small conflict around that field only.
    repo.git("checkout", "-q", "-b", "bob")
    repo.set("bolt", "Count=20")
    repo.commit("bob")
    repo.git("checkout", "-q", "main")
    repo.set("bolt", "Count=30")
    repo.set("brush", "Color=red")
    repo.commit("main 2")
    merged = repo.git("merge", "-q", "--no-edit", "bob", expect=None)
    check(merged.returncode != 0, "must_show: a same-field edit merged without a conflict")
    check("CONFLICT" in merged.stdout, "must_show: git did not report the conflict")
    text = repo.read("items/b.deb822")
    check(text.count("<<<<<<<") == 1 and text.count(">>>>>>>") == 1,
          "must_show: expected exactly one conflict block:\n" + text)
    block = re.search(r"^<<<<<<< ours\n(.*?)^=======\n(.*?)^>>>>>>> theirs\n", text,
                      re.M | re.S)
    check(block is not None and block.group(1) == "Count: 30\n" and
          block.group(2) == "Count: 20\n",
          "must_show: the conflict is not around the Count field alone:\n" + text)
    check("Color: red" in text, "must_show: main's clean edit beside the conflict is missing")
    marker_line = text.splitlines().index("<<<<<<< ours") + 1
    result = repo.textdb("check", expect=3)
    check(re.search(r"items/b\.deb822:%d:1: error: .*\[F-026\]" % marker_line, result.stderr)
          is not None, "must_show: check did not report the marker at line %d:\n%s" % (
              marker_line, result.stderr))
    # The engine refuses to write to the table's conflicted file.
    write = repo.textdb("set", "items", "bolt", "Count=1", expect=None)
    check(write.returncode == 3 and "F-026" in write.stderr,
          "must_show: a write to a file with markers was not refused: %d %s" % (
              write.returncode, write.stderr))
    check(repo.read("items/b.deb822") == text, "must_show: the refused write changed the file")


def both_add(root):
    repo = Repo(root, "both_add")
    repo.git("checkout", "-q", "-b", "other")
    repo.put("Item: bucket\nCount: 5\n\nItem: box\nCount: 1\n")
    repo.commit("other adds")
    repo.git("checkout", "-q", "main")
    repo.put("Item: bucket\nCount: 5\n\nItem: box\nCount: 2\n")
    repo.commit("main adds")
    merged = repo.git("merge", "-q", "--no-edit", "other", expect=None)
    check(merged.returncode != 0, "both_add: different content added on both sides merged")
    text = repo.read("items/b.deb822")
    check(text.count("<<<<<<<") == 1 and "<<<<<<< ours\nCount: 2\n=======\nCount: 1\n" in text,
          "both_add: expected one conflict on box's Count:\n" + text)
    check(text.count("Item: bucket") == 1, "both_add: the identical record was not merged")
    repo.git("merge", "--abort")
    # Only the identical record: a clean merge.
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.put("Item: bucket\nCount: 5\n")
    repo.commit("main adds bucket")
    merged = repo.git("merge", "-q", "--no-edit", "other", expect=None)
    check(merged.returncode == 0, "both_add: the same record added twice did not merge")
    check(repo.get("box", "Count") == "1" and repo.get("bucket", "Count") == "5",
          "both_add: records missing after the merge")
    check(repo.textdb("check").returncode == 0, "both_add: check after the merge")


def removed_changed(root):
    repo = Repo(root, "removed_changed")
    repo.git("checkout", "-q", "-b", "other")
    repo.textdb("delete", "items", "brush")
    repo.commit("remove brush")
    repo.git("checkout", "-q", "main")
    repo.set("brush", "Count=9")
    repo.commit("change brush")
    merged = repo.git("merge", "-q", "--no-edit", "other", expect=None)
    check(merged.returncode != 0, "removed_changed: merged without a conflict")
    text = repo.read("items/b.deb822")
    check("<<<<<<< ours\nItem: brush\nCount: 9\n=======\n>>>>>>> theirs\n" in text,
          "removed_changed: expected the whole record between markers:\n" + text)


def rebase(root):
    repo = Repo(root, "rebase")
    repo.git("checkout", "-q", "-b", "topic")
    repo.set("bolt", "Color=green")
    repo.commit("topic 1")
    repo.set("bracket", "Size=L")
    repo.commit("topic 2")
    repo.git("checkout", "-q", "main")
    repo.set("bolt", "Size=M8")
    repo.set("bracket", "Count=7")
    repo.commit("main")
    repo.git("checkout", "-q", "topic")
    rebased = repo.git("rebase", "main", expect=None)
    check(rebased.returncode == 0, "rebase: conflict: " + rebased.stdout + rebased.stderr)
    check(repo.get("bolt", "Color") == "green" and repo.get("bolt", "Size") == "M8" and
          repo.get("bracket", "Size") == "L" and repo.get("bracket", "Count") == "7",
          "rebase: an edit is missing:\n" + repo.read("items/b.deb822"))
    check(repo.git("log", "--format=%s").stdout.split("\n")[:3] == ["topic 2", "topic 1", "main"],
          "rebase: unexpected history")


def no_driver(root):
    repo = Repo(root, "no_driver", setup_driver=False)
    repo.git("checkout", "-q", "-b", "other")
    repo.set("bolt", "Count=20")
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    repo.set("bolt", "Count=30")
    repo.commit("main")
    merged = repo.git("merge", "-q", "--no-edit", "other", expect=None)
    check(merged.returncode != 0, "no_driver: merged without a conflict")
    text = repo.read("items/b.deb822")
    check("<<<<<<< HEAD" in text, "no_driver: no git line markers:\n" + text)
    lines = text.splitlines()
    result = repo.textdb("check", expect=3)  # every marker, not only the first [B-012]
    for marker in ("<<<<<<< HEAD", "=======", ">>>>>>> other"):
        line = lines.index(marker) + 1
        check("items/b.deb822:%d:1: error:" % line in result.stderr,
              "no_driver: check did not report '%s' at line %d:\n%s" % (marker, line,
                                                                         result.stderr))


def log_one_record(root):
    repo = Repo(root, "log_one_record")
    repo.put("".join("Item: b%03d\nCount: %d\nColor: c%d\n\n" % (i, i, i) for i in range(50)))
    repo.commit("fifty more")
    repo.set("b025", "Count=1000")
    repo.commit("one record")
    log = repo.git("log", "-p", "-1", "--no-ext-diff", "--format=").stdout
    changed = [l for l in log.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    check(changed == ["-Count: 25", "+Count: 1000"],
          "log_one_record: the line diff is not the one record's line:\n" + log)
    check(log.count("\n@@ ") == 1, "log_one_record: more than one hunk:\n" + log)
    ext = repo.git("log", "-p", "-1", "--ext-diff", "--format=").stdout
    check(ext == "diff --textdb a/items/b.deb822 b/items/b.deb822\n"
                 "items/b.deb822: changed b025\n  Count: 25 -> 1000\n",
          "log_one_record: the record-level diff:\n" + ext)
    # An added and a removed record through the driver.
    repo.textdb("delete", "items", "b001")
    repo.put("Item: b100\nCount: 7\n")
    out = repo.git("diff").stdout
    check("items/b.deb822: added b100\n  + Item: b100\n  + Count: 7\n" in out and
          "items/b.deb822: removed b001\n  - Item: b001\n" in out,
          "log_one_record: git diff through the driver:\n" + out)


def changed_lines(repo):
    """The +/- lines of `git diff -U0` of the working tree (without the driver)."""
    out = repo.git("diff", "--no-ext-diff", "-U0").stdout
    return [l for l in out.splitlines()
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def minimal_diffs(root):
    """[M-064]: put, set and delete change only the record's own lines (and one separating
    empty line), field order is kept, and fmt is canonical and idempotent."""
    repo = Repo(root, "minimal_diffs")
    repo.put("Item: bottle\nCount: 1\n")  # between bolt and bracket
    check(changed_lines(repo) == ["+Item: bottle", "+Count: 1", "+"],
          "minimal_diffs: put: %r" % changed_lines(repo))
    repo.commit("put")
    repo.set("bracket", "Count=4", "Size=S")
    check(changed_lines(repo) == ["-Count: 3", "+Count: 4", "+Size: S"],
          "minimal_diffs: set: %r" % changed_lines(repo))
    check("Item: bracket\nCount: 4\nColor: black\nSize: S\n" in repo.read("items/b.deb822"),
          "minimal_diffs: set did not keep the field order")
    repo.commit("set")
    repo.textdb("delete", "items", "bottle")
    check(changed_lines(repo) == ["-Item: bottle", "-Count: 1", "-"],
          "minimal_diffs: delete: %r" % changed_lines(repo))
    repo.commit("delete")
    # A hand edit out of key order with extra blank lines: fmt makes it canonical, once.
    with open(os.path.join(repo.dir, "items/b.deb822"), "a") as f:
        f.write("\n\n\nItem: bag\nCount: 2\n")
    repo.textdb("fmt", "--check", expect=1)
    repo.textdb("fmt")
    text = repo.read("items/b.deb822")
    check(text.index("Item: bag") < text.index("Item: bolt") and "\n\n\n" not in text,
          "minimal_diffs: fmt did not sort or normalise:\n" + text)
    check(text.startswith("Item: bag\nCount: 2\n\n# Fasteners.\nItem: bolt\n"),
          "minimal_diffs: the comment did not stay with bolt:\n" + text)
    repo.textdb("fmt", "--check")
    repo.commit("fmt")
    repo.textdb("fmt")
    check(changed_lines(repo) == [], "minimal_diffs: a second fmt changed the file")


def diff_command(root):
    repo = Repo(root, "diff_command")
    check(repo.textdb("diff").stdout == "", "diff_command: a clean tree has a diff")
    repo.textdb("set", "items", "bolt", "Count=13", "--unset", "Color")
    repo.textdb("delete", "items", "brush")
    repo.put("Item: nut\nCount: 40\n")
    text = repo.textdb("diff").stdout
    expected = ("items/b.deb822: changed bolt\n  Count: 12 -> 13\n  - Color: grey\n"
                "items/b.deb822: removed brush\n  - Item: brush\n  - Count: 1\n"
                "items/n.deb822: added nut\n  + Item: nut\n  + Count: 40\n")
    check(text == expected, "diff_command: text:\n%s\nexpected:\n%s" % (text, expected))
    changes = json.loads(repo.textdb("diff", "--format", "json").stdout)
    check([(c["change"], c["key"]) for c in changes] ==
          [("changed", "bolt"), ("removed", "brush"), ("added", "nut")],
          "diff_command: json order: %r" % changes)
    check(changes[0]["fields"] == [{"field": "Count", "old": "12", "new": "13"},
                                   {"field": "Color", "old": "grey", "new": None}],
          "diff_command: json fields: %r" % changes[0])
    check(changes[2]["record"] == {"Item": "nut", "Count": "40"} and
          "old_file" not in changes[2], "diff_command: json added record: %r" % changes[2])
    repo.commit("second")
    check(repo.textdb("diff", "HEAD~1", "HEAD").stdout == expected,
          "diff_command: REV REV differs from the working tree diff")
    check(repo.textdb("diff", "HEAD~1", "items").stdout == expected,
          "diff_command: REV TABLE")
    # A re-partition moves every record to another file: no record changed.
    repo.textdb("repartition", "items", "--depth", "2")
    moved = repo.textdb("diff").stdout
    check(moved == "items/schema.deb822: changed schema stanza (table)\n"
                   "  Partition-Depth: 1 -> 2\n",
          "diff_command: a re-partition shows records:\n" + moved)
    bad = repo.textdb("diff", "no-such-rev", expect=2)
    check("'no-such-rev' is neither a table" in bad.stderr, "diff_command: bad revision message")


def subdirectory(root):
    """The database in a subdirectory of the repository: the drivers find it from git's path."""
    repo = Repo(root, "subdirectory", sub="data/inventory")
    repo.git("checkout", "-q", "-b", "other")
    repo.set("bolt", "Count=13")
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    repo.set("bolt", "Color=red")
    repo.commit("main")
    merged = repo.git("merge", "-q", "--no-edit", "other", expect=None)
    check(merged.returncode == 0 and repo.get("bolt", "Count") == "13" and
          repo.get("bolt", "Color") == "red",
          "subdirectory: the merge: " + merged.stdout + merged.stderr)
    out = repo.textdb("diff", "HEAD~2").stdout
    check(out == "items/b.deb822: changed bolt\n  Count: 12 -> 13\n  Color: grey -> red\n",
          "subdirectory: textdb diff:\n" + out)
    out = repo.git("show", "--ext-diff", "--format=", "HEAD^2").stdout
    check("data/inventory/items/b.deb822: changed bolt\n  Count: 12 -> 13\n" in out,
          "subdirectory: git show through the driver:\n" + out)


def git_setup(root):
    repo = Repo(root, "git_setup")
    out = repo.textdb("git-setup").stdout
    check(out.count("unchanged ") == 3, "git_setup: second run changed something:\n" + out)
    driver = repo.git("config", "--local", "merge.textdb.driver").stdout.strip()
    check(driver == "textdb merge-driver %O %A %B %P %L", "git_setup: driver is " + driver)
    attributes = repo.read(".gitattributes")
    check(attributes == "*.deb822 merge=textdb diff=textdb\n",
          "git_setup: .gitattributes is %r" % attributes)
    outside = os.path.join(root, "not_a_repo")
    os.makedirs(outside)
    result = subprocess.run([TEXTDB, "git-setup"], cwd=outside, capture_output=True, text=True,
                            env=dict(os.environ, GIT_CEILING_DIRECTORIES=root))
    check(result.returncode == 2 and "not inside a git repository" in result.stderr,
          "git_setup: outside a repository: %d %s" % (result.returncode, result.stderr))


def fallback(root):
    repo = Repo(root, "fallback")
    with open(os.path.join(repo.dir, "notes.deb822"), "w") as f:
        f.write("a\nb\nc\nd\ne\n")
    repo.commit("notes")
    repo.git("checkout", "-q", "-b", "other")
    with open(os.path.join(repo.dir, "notes.deb822"), "w") as f:
        f.write("a\nb\nc\nd\nE\n")
    repo.commit("other")
    repo.git("checkout", "-q", "main")
    with open(os.path.join(repo.dir, "notes.deb822"), "w") as f:
        f.write("A\nb\nc\nd\ne\n")
    repo.commit("main")
    merged = repo.git("merge", "-q", "--no-edit", "other", expect=None)
    check(merged.returncode == 0 and repo.read("notes.deb822") == "A\nb\nc\nd\nE\n",
          "fallback: a line merge of a file that is not textdb data failed: " + merged.stderr)


SCENARIOS = [must_show, both_add, removed_changed, rebase, no_driver, log_one_record,
             minimal_diffs, diff_command, subdirectory, git_setup, fallback]


def main():
    global TEXTDB
    parser = argparse.ArgumentParser()
    parser.add_argument("--textdb", required=True)
    parser.add_argument("scenarios", nargs="*")
    args = parser.parse_args()
    TEXTDB = os.path.abspath(args.textdb)
    root = tempfile.mkdtemp(prefix="textdb-git-test-")
    # A clean git: no user or system configuration, a fixed identity, textdb first in PATH.
    os.environ.update({
        "HOME": root, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org", "LC_ALL": "C", "NO_COLOR": "1",
        "PATH": os.path.dirname(TEXTDB) + os.pathsep + os.environ.get("PATH", ""),
    })
    os.environ.pop("TEXTDB_DIR", None)
    try:
        for scenario in SCENARIOS:
            if args.scenarios and scenario.__name__ not in args.scenarios:
                continue
            try:
                scenario(root)
                sys.stdout.write("ran: %s\n" % scenario.__name__)
            except AssertionError as error:
                check(False, "%s: %s" % (scenario.__name__, error))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if FAILURES:
        sys.stdout.write("%d failure(s)\n" % len(FAILURES))
        return 1
    sys.stdout.write("ok: git scenarios\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
