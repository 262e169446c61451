// The durable-write protocol of format-spec/storage.md: replacing and removing a set of files all
// or nothing ([C-001..C-021]), and recovery of an interrupted commit ([R-001..R-003]). Part of the
// storage layer; all I/O goes through the Env.
#ifndef TEXTDB_STORAGE_COMMIT_H_
#define TEXTDB_STORAGE_COMMIT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/env.h"
#include "textdb/status.h"

namespace textdb::internal {

// One file of a commit: `path` is relative to the database directory ([C-021]); `content` is the
// new content, or nullopt to remove the file.
struct FileChange {
  std::string path;
  std::optional<std::string> content;
};

// What a commit left behind when it failed.
enum class CommitOutcome {
  kCommitted,      // everything applied and durable
  kNotCommitted,   // failed before the commit point: the database is unchanged
  kSyncFailed,     // an fdatasync or directory sync failed before the commit point: the database
                   // is unchanged, but the file system may have dropped written data, so the
                   // handle must refuse further writes until reopened [C-007]
  kNeedsRecovery,  // failed after the commit point: only Recover() can finish it [C-006]
};

// Whether a commit waits for the storage device ([C-030]).
enum class Durability {
  kSync,    // every fdatasync and directory sync of [C-002..C-005]
  kNoSync,  // the same steps in the same order without any of them (sync mode `fast`)
};

// Applies `changes` per [C-002..C-006] in the database directory `root`.
// REQUIRES: the caller holds the exclusive database lock [C-001]; `changes` is non-empty, names
// each path once, and every path passes IsSafeRelativePath.
// On failure returns the error and sets *outcome to say what state the database is in.
Status CommitFiles(Env* env, const std::string& root, const std::vector<FileChange>& changes,
                   CommitOutcome* outcome, Durability durability = Durability::kSync);

// Finishes or discards an interrupted commit per [R-001..R-003]. Idempotent. With
// `sweep_temp_files`, also removes the temporary files of commits that never reached their
// commit point, which walks the whole database (done at open, not before each commit).
// REQUIRES: the caller holds the exclusive database lock.
// Fails with kInvalidData (naming the file) when the journal or a target is corrupt; nothing is
// changed then.
Status Recover(Env* env, const std::string& root, bool sweep_temp_files);

// [C-021]: relative, no empty, "." or ".." component, no NUL, no backslash.
bool IsSafeRelativePath(std::string_view path);

// [B-003]: true when `name` (a file name without directory) is a temporary file.
bool IsTempFileName(std::string_view name);

// The journal text for `changes` and the temporary file chosen for each replaced file [C-020];
// exposed for tests and the fuzzer.
std::string EncodeJournal(const std::vector<FileChange>& changes,
                          const std::vector<std::string>& temp_paths);

struct JournalEntry {
  bool remove = false;
  std::string target;
  std::string temp;        // replace only
  std::uint64_t size = 0;  // replace only
  std::uint32_t crc32c = 0;
};

// Parses and verifies a journal ([C-020], [C-021]); kInvalidData naming `file_name` and the line
// when it is corrupt.
Result<std::vector<JournalEntry>> DecodeJournal(std::string text, std::string_view file_name);

}  // namespace textdb::internal

#endif  // TEXTDB_STORAGE_COMMIT_H_
