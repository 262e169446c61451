#!/usr/bin/env python3
"""The mutation proof of format-spec/durability.md, section 5.

Breaks one durability step of the engine at a time in a copy of the source tree
(build/mutsrc/, never the worktree), builds the crash suite there, runs it with
TEXTDB_CRASH_STATES=20000 and prints, per mutation, the tests that failed. Every mutation must be
caught. Usage, from the repository root: python3 tests/crash/mutate.py [M01 M02 ...]
"""
import os
import re
import shutil
import subprocess
import sys

C = "libtextdb/src/storage/commit.cc"
M = [
 ("M01", "skip the fdatasync of every temporary data file [C-002]", C,
  "    status = WriteFile(env, Join(root, temps[i]), *change.content, /*exclusive=*/true, sync,",
  "    status = WriteFile(env, Join(root, temps[i]), *change.content, /*exclusive=*/true, false,"),
 ("M02", "skip the directory sync after the temporary files are created [C-002]", C,
  "  for (const std::string& dir : sync ? temp_dirs : std::set<std::string>()) {",
  "  for (const std::string& dir : std::set<std::string>()) {"),
 ("M03", "skip the parent's directory sync after creating a partition directory [C-002]", C,
  "      if (sync) {\n        Status synced = env->SyncDir(Join(root, DirOf(prefix)));",
  "      if (sync && false) {\n        Status synced = env->SyncDir(Join(root, DirOf(prefix)));"),
 ("M04", "skip the directory sync after the rename of a one-file commit [C-003]", C,
  "    if (sync) TEXTDB_RETURN_IF_ERROR(env->SyncDir(Join(root, DirOf(changes[0].path))));",
  "    (void)sync;"),
 ("M05", "rename before fsync: a one-file commit renames its temporary file unsynced [C-003]", C,
  "    status = WriteFile(env, Join(root, temps[i]), *change.content, /*exclusive=*/true, sync,",
  "    status = WriteFile(env, Join(root, temps[i]), *change.content, /*exclusive=*/true, sync && changes.size() > 1,"),
 ("M06", "skip the journal's fdatasync before its rename [C-004]", C,
  "      WriteFile(env, Join(root, kJournalTmp), journal, /*exclusive=*/false, sync, &sync_failed);",
  "      WriteFile(env, Join(root, kJournalTmp), journal, /*exclusive=*/false, false, &sync_failed);"),
 ("M07", "skip the sync of .textdb/ after the journal's rename (the commit point) [C-004]", C,
  "  if (sync) TEXTDB_RETURN_IF_ERROR(env->SyncDir(Join(root, kStateDir)));\n  // [C-005]",
  "  // [C-005]"),
 ("M08", "journal removed before the data is synced: skip the touched directories' syncs [C-005]", C,
  "    for (const std::string& dir : dirs) TEXTDB_RETURN_IF_ERROR(env->SyncDir(Join(root, dir)));",
  "    (void)dirs;"),
 ("M09", "journal unlinked before the renames are applied [C-005]", C,
  "  std::set<std::string> dirs;\n  for (const JournalEntry& entry : entries) {",
  "  std::set<std::string> dirs;\n  TEXTDB_RETURN_IF_ERROR(RemoveIfPresent(env, Join(root, kJournal)));\n  for (const JournalEntry& entry : entries) {"),
 ("M10", "skip the sync of .textdb/ after the journal is unlinked [C-005]", C,
  "  return sync ? env->SyncDir(Join(root, kStateDir)) : Status::Ok();",
  "  return Status::Ok();"),
 ("M11", "recovery without any sync [R-001]", C,
  "    TEXTDB_RETURN_IF_ERROR(RollForward(env, root, *entries, /*sync=*/true));",
  "    TEXTDB_RETURN_IF_ERROR(RollForward(env, root, *entries, /*sync=*/false));"),
 ("M12", "write the journal in place (no journal.tmp + rename) [C-004]", C,
  "      WriteFile(env, Join(root, kJournalTmp), journal, /*exclusive=*/false, sync, &sync_failed);\n  if (status.ok()) status = env->Rename(Join(root, kJournalTmp), Join(root, kJournal));",
  "      WriteFile(env, Join(root, kJournal), journal, /*exclusive=*/false, sync, &sync_failed);"),
]


def main():
    root = os.getcwd()
    copy = os.path.join(root, "build", "mutsrc")
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        dest = os.path.join(copy, name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(os.path.join(root, name), dest)
    subprocess.run(["cmake", "--preset", "dev"], cwd=copy, check=True,
                   stdout=subprocess.DEVNULL)
    wanted = sys.argv[1:]
    uncaught = 0
    for mid, desc, path, old, new in M:
        if wanted and mid not in wanted:
            continue
        text = open(os.path.join(root, path)).read()
        assert text.count(old) == 1, mid
        with open(os.path.join(copy, path), "w") as out:
            out.write(text.replace(old, new))
        build = subprocess.run(["cmake", "--build", "--preset", "dev", "-j2", "--target",
                                "textdb_crash_tests"], cwd=copy, capture_output=True, text=True)
        if build.returncode != 0:
            print(f"{mid}: build failed\n{build.stdout[-2000:]}")
            uncaught += 1
            continue
        env = dict(os.environ, TEXTDB_CRASH_STATES="20000")
        run = subprocess.run([os.path.join(copy, "build/dev/tests/crash/textdb_crash_tests")],
                             cwd=copy, env=env, capture_output=True, text=True)
        failed = sorted(set(re.findall(r"^\[  FAILED  \] (\w+\.\w+) \(", run.stdout, re.M)))
        first = re.search(r"^(crash state .*)$", run.stdout, re.M)
        print(f"{mid} {desc}: {len(failed)} failed: {' '.join(failed)}")
        if first:
            print(f"    {first.group(1)[:300]}")
        uncaught += not failed
    shutil.copy2(os.path.join(root, C), os.path.join(copy, C))
    sys.exit(1 if uncaught else 0)


if __name__ == "__main__":
    main()
