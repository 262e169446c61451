// The commit protocol and recovery: see commit.h and format-spec/storage.md.
#include "storage/commit.h"

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <set>

#include <fmt/format.h>

#include "base/crc32c.h"
#include "textdb/deb822.h"

namespace textdb::internal {
namespace {

constexpr std::string_view kStateDir = ".textdb";
constexpr std::string_view kJournal = ".textdb/journal";
constexpr std::string_view kJournalTmp = ".textdb/journal.tmp";
constexpr std::string_view kTempMarker = ".textdb-tmp-";
constexpr std::string_view kEndMarker = "# end crc32c=";

std::string Join(const std::string& root, std::string_view rel) {
  return rel.empty() ? root : root + "/" + std::string(rel);
}

// The directory part of a relative path ("" for a top-level name).
std::string_view DirOf(std::string_view rel) {
  const std::size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash);
}

std::string_view BaseOf(std::string_view rel) {
  const std::size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? rel : rel.substr(slash + 1);
}

// [B-003]: a fresh temporary name next to `target`: a random suffix drawn per process and a
// counter. A child made by fork() inherits both, so the suffix is drawn again when the process id
// changes [T-003]; otherwise sibling processes would pick the same names.
std::string NewTempPath(std::string_view target) {
  static std::mutex mu;
  static pid_t owner = 0;  // the process that drew `seed`
  static std::uint64_t seed = 0;
  static std::uint64_t counter = 0;
  std::uint64_t suffix = 0;
  std::uint64_t number = 0;
  {
    std::lock_guard<std::mutex> guard(mu);
    if (const pid_t pid = ::getpid(); pid != owner) {
      std::random_device device;
      seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
      owner = pid;
      counter = 0;
    }
    suffix = seed;
    number = counter++;
  }
  const std::string_view dir = DirOf(target);
  std::string name = fmt::format(".{}{}{:016x}-{}", BaseOf(target), kTempMarker, suffix, number);
  return dir.empty() ? name : std::string(dir) + "/" + name;
}

// Creates the missing directories on the way to `rel` (its parent included), syncing the
// directory that receives each new entry [C-002]. An existing component that is not a directory
// (a symbolic link included) is refused: links are never followed. Sets *sync_failed when a
// directory sync failed [C-007].
Status EnsureParentDirs(Env* env, const std::string& root, std::string_view rel, bool sync,
                        bool* sync_failed) {
  const std::string_view dir = DirOf(rel);
  std::size_t pos = 0;
  while (pos < dir.size()) {
    std::size_t slash = dir.find('/', pos);
    if (slash == std::string_view::npos) slash = dir.size();
    const std::string_view prefix = dir.substr(0, slash);
    Result<FileInfo> info = env->Stat(Join(root, prefix));
    if (info.ok()) {
      if (info->type != FileInfo::Type::kDirectory) {
        return Status::InvalidData(
            fmt::format("{}: expected a directory, found {}; textdb never follows symbolic links",
                        Join(root, prefix),
                        info->type == FileInfo::Type::kSymlink ? "a symbolic link" : "a file"));
      }
    } else if (info.status().code() == StatusCode::kNotFound) {
      TEXTDB_RETURN_IF_ERROR(env->CreateDir(Join(root, prefix)));
      if (sync) {
        Status synced = env->SyncDir(Join(root, DirOf(prefix)));
        if (!synced.ok()) {
          *sync_failed = true;
          return synced;
        }
      }
    } else {
      return info.status();
    }
    pos = slash + 1;
  }
  return Status::Ok();
}

// Writes `content` to a new file at `path`; sets *sync_failed when its fdatasync failed [C-007].
Status WriteFile(Env* env, const std::string& path, std::string_view content, bool exclusive,
                 bool sync, bool* sync_failed) {
  Result<std::unique_ptr<WritableFile>> file = env->NewWritableFile(path, exclusive);
  if (!file.ok()) return file.status();
  TEXTDB_RETURN_IF_ERROR((*file)->Append(content));
  if (sync) {
    Status synced = (*file)->Sync();
    if (!synced.ok()) {
      *sync_failed = true;
      return synced;
    }
  }
  return (*file)->Close();
}

// The temporary files of a commit written but not yet synced: at most kSyncBatch of them.
// PERF: syncing them one after the other, each as soon as it was written, made the device
// write and flush one file at a time: 1,128 files of 45 kB took 340 ms to sync on RESULTS.md's
// machine, against 140-200 ms when each file's writeback starts as it is written and the syncs
// follow once the batch is written. The batch bounds the descriptors held open.
class SyncBatch {
 public:
  static constexpr std::size_t kSyncBatch = 128;

  // Writes `content` to a new file at `path` (exclusive create), starts its writeback, and
  // keeps it open for Finish; finishes the batch first when it is full.
  Status Add(Env* env, const std::string& path, std::string_view content, bool* sync_failed) {
    if (files_.size() == kSyncBatch) TEXTDB_RETURN_IF_ERROR(Finish(sync_failed));
    Result<std::unique_ptr<WritableFile>> file = env->NewWritableFile(path, /*exclusive=*/true);
    if (!file.ok()) return file.status();
    TEXTDB_RETURN_IF_ERROR((*file)->Append(content));
    (*file)->StartSync();
    files_.push_back(std::move(file).value());
    return Status::Ok();
  }

  // Syncs and closes the files added since the last Finish, in order; sets *sync_failed when a
  // sync failed [C-007].
  Status Finish(bool* sync_failed) {
    std::vector<std::unique_ptr<WritableFile>> files = std::move(files_);
    files_.clear();
    for (const std::unique_ptr<WritableFile>& file : files) {
      if (Status synced = file->Sync(); !synced.ok()) {
        *sync_failed = true;
        return synced;
      }
      TEXTDB_RETURN_IF_ERROR(file->Close());
    }
    return Status::Ok();
  }

 private:
  std::vector<std::unique_ptr<WritableFile>> files_;
};

void RemoveQuietly(Env* env, const std::string& path) {
  // Best effort [C-006]: a leftover temporary file is removed by the next recovery.
  (void)env->RemoveFile(path);
}

Status RemoveIfPresent(Env* env, const std::string& path) {
  Status status = env->RemoveFile(path);
  return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
}

// [C-005] / [R-001]: applies journal entries, syncs the directories, drops the journal.
Status RollForward(Env* env, const std::string& root, const std::vector<JournalEntry>& entries,
                   bool sync) {
  std::set<std::string> dirs;
  for (const JournalEntry& entry : entries) {
    dirs.insert(std::string(DirOf(entry.target)));
    if (entry.remove) {
      TEXTDB_RETURN_IF_ERROR(RemoveIfPresent(env, Join(root, entry.target)));
      continue;
    }
    Result<FileInfo> temp = env->Stat(Join(root, entry.temp));
    if (temp.ok()) {
      TEXTDB_RETURN_IF_ERROR(env->Rename(Join(root, entry.temp), Join(root, entry.target)));
      continue;
    }
    if (temp.status().code() != StatusCode::kNotFound) return temp.status();
    // Already renamed by an earlier run: the target must hold the journal's content.
    Result<std::string> target = env->ReadFile(Join(root, entry.target));
    if (!target.ok() || target->size() != entry.size || Crc32c(*target) != entry.crc32c) {
      return Status::InvalidData(fmt::format(
          "{}: error: neither the temporary file {} nor the committed content named by the "
          "journal is present [R-003]",
          Join(root, entry.target), entry.temp));
    }
  }
  if (sync) {
    for (const std::string& dir : dirs) TEXTDB_RETURN_IF_ERROR(env->SyncDir(Join(root, dir)));
  }
  TEXTDB_RETURN_IF_ERROR(RemoveIfPresent(env, Join(root, kJournal)));
  return sync ? env->SyncDir(Join(root, kStateDir)) : Status::Ok();
}

// removes every temporary file below `dir` (relative), never following links.
// PERF: the listing's file types spare a stat per entry (817 of a fresh `get`'s 1,100 system
// calls on the Packages database were these stats).
Status RemoveStrayTempFiles(Env* env, const std::string& root, const std::string& dir) {
  Result<std::vector<DirEntry>> entries = env->ListDirEntries(Join(root, dir));
  if (!entries.ok()) return entries.status();
  for (const DirEntry& entry : *entries) {
    const std::string rel = dir.empty() ? entry.name : dir + "/" + entry.name;
    if (dir.empty() && entry.name == kStateDir) continue;
    if (IsTempFileName(entry.name)) {
      TEXTDB_RETURN_IF_ERROR(RemoveIfPresent(env, Join(root, rel)));
      continue;
    }
    if (entry.type == FileInfo::Type::kDirectory) {
      TEXTDB_RETURN_IF_ERROR(RemoveStrayTempFiles(env, root, rel));
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsSafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(pos, slash - pos);
    if (part.empty() || part == "." || part == "..") return false;
    pos = slash + 1;
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7F) return false;
  }
  return true;
}

bool IsTempFileName(std::string_view name) {
  return name.starts_with('.') && name.find(kTempMarker) != std::string_view::npos;
}

std::string EncodeJournal(const std::vector<FileChange>& changes,
                          const std::vector<std::string>& temp_paths) {
  std::string out = "Journal: textdb 1\n";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const FileChange& change = changes[i];
    if (change.content.has_value()) {
      out +=
          fmt::format("\nOp: replace\nTarget: {}\nTemp: {}\nSize: {}\nCrc32c: {:08x}\n",
                      change.path, temp_paths[i], change.content->size(), Crc32c(*change.content));
    } else {
      out += fmt::format("\nOp: remove\nTarget: {}\n", change.path);
    }
  }
  out += "\n";
  out += fmt::format("{}{:08x}\n", kEndMarker, Crc32c(out));
  return out;
}

Result<std::vector<JournalEntry>> DecodeJournal(std::string text, std::string_view file_name) {
  // [C-020]: the last line carries the checksum of everything before it.
  const std::size_t marker = text.rfind(kEndMarker);
  const std::size_t body_end = marker;
  const bool well_placed = marker != std::string::npos &&
                           (marker == 0 || text[marker - 1] == '\n') &&
                           text.size() == marker + kEndMarker.size() + 9 && text.back() == '\n';
  std::uint32_t stored = 0;
  bool hex_ok = well_placed;
  for (std::size_t i = 0; hex_ok && i < 8; ++i) {
    const char c = text[marker + kEndMarker.size() + i];
    const int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    hex_ok = digit >= 0;
    stored = (stored << 4) | static_cast<std::uint32_t>(digit < 0 ? 0 : digit);
  }
  if (!hex_ok) {
    return Status::InvalidData(fmt::format(
        "{}: error: journal has no valid end line '{}XXXXXXXX'; it is cut or damaged [C-020]",
        file_name, kEndMarker));
  }
  const std::uint32_t actual = Crc32c(std::string_view(text).substr(0, body_end));
  if (actual != stored) {
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(marker), '\n');
    return Status::InvalidData(fmt::format(
        "{}:{}:1: error: journal checksum mismatch: stored {:08x}, computed {:08x} [C-020]",
        file_name, line, stored, actual));
  }
  text.resize(body_end);
  deb822::ParseOptions options;
  options.file_name = std::string(file_name);
  Result<deb822::Document> doc = deb822::Parse(std::move(text), options);
  if (!doc.ok()) return doc.status();
  const auto& stanzas = doc->stanzas();
  const auto error = [&](const deb822::Stanza& stanza, std::string_view what) {
    return Status::InvalidData(
        fmt::format("{}:{}:1: error: {} [C-020]", file_name, stanza.line(), what));
  };
  if (stanzas.empty() || stanzas[0].Get("Journal") != "textdb 1" || stanzas[0].size() != 1) {
    return Status::InvalidData(fmt::format(
        "{}:1:1: error: expected a first stanza 'Journal: textdb 1' [C-020]", file_name));
  }
  std::vector<JournalEntry> entries;
  for (std::size_t i = 1; i < stanzas.size(); ++i) {
    const deb822::Stanza& s = stanzas[i];
    JournalEntry entry;
    const auto op = s.Get("Op");
    const auto target = s.Get("Target");
    if (!target || !IsSafeRelativePath(*target)) {
      return error(s, "missing or unsafe 'Target' path [C-021]");
    }
    entry.target = std::string(*target);
    if (op == "remove" && s.size() == 2) {
      entry.remove = true;
    } else if (op == "replace" && s.size() == 5) {
      const auto temp = s.Get("Temp");
      const auto size = s.Get("Size");
      const auto crc = s.Get("Crc32c");
      if (!temp || !IsSafeRelativePath(*temp) || DirOf(*temp) != DirOf(*target) ||
          !IsTempFileName(BaseOf(*temp))) {
        return error(s, "missing or unsafe 'Temp' path [C-021]");
      }
      entry.temp = std::string(*temp);
      if (!size || size->empty() || size->size() > 19 ||
          size->find_first_not_of("0123456789") != std::string_view::npos) {
        return error(s, "'Size' must be a decimal number of bytes");
      }
      entry.size = std::stoull(std::string(*size));
      if (!crc || crc->size() != 8 ||
          crc->find_first_not_of("0123456789abcdef") != std::string_view::npos) {
        return error(s, "'Crc32c' must be 8 lower-case hex digits");
      }
      entry.crc32c = static_cast<std::uint32_t>(std::stoul(std::string(*crc), nullptr, 16));
    } else {
      return error(s,
                   "expected 'Op: replace' with Target, Temp, Size and Crc32c, or "
                   "'Op: remove' with Target");
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status CommitFiles(Env* env, const std::string& root, const std::vector<FileChange>& changes,
                   CommitOutcome* outcome, Durability durability) {
  *outcome = CommitOutcome::kNotCommitted;
  const bool sync = durability == Durability::kSync;
  std::vector<std::string> temps(changes.size());
  std::set<std::string> temp_dirs;
  std::size_t replaced = 0;
  bool sync_failed = false;  // [C-007]
  const auto abandon = [&](Status status) {
    for (const std::string& temp : temps) {
      if (!temp.empty()) RemoveQuietly(env, Join(root, temp));
    }
    if (sync_failed) *outcome = CommitOutcome::kSyncFailed;
    return status;
  };
  // [C-002] preparation.
  SyncBatch batch;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const FileChange& change = changes[i];
    if (!change.content.has_value()) continue;
    ++replaced;
    Status status = EnsureParentDirs(env, root, change.path, sync, &sync_failed);
    if (!status.ok()) return abandon(status);
    temps[i] = NewTempPath(change.path);
    status = sync ? batch.Add(env, Join(root, temps[i]), *change.content, &sync_failed)
                  : WriteFile(env, Join(root, temps[i]), *change.content, /*exclusive=*/true,
                              /*sync=*/false, &sync_failed);
    if (!status.ok()) return abandon(status);
    temp_dirs.insert(std::string(DirOf(change.path)));
  }
  if (Status status = batch.Finish(&sync_failed); !status.ok()) return abandon(status);
  for (const std::string& dir : sync ? temp_dirs : std::set<std::string>()) {
    Status status = env->SyncDir(Join(root, dir));
    sync_failed = !status.ok();
    if (!status.ok()) return abandon(status);
  }
  if (changes.size() == 1 && replaced == 1) {  // [C-003] one file: the rename commits
    Status status = env->Rename(Join(root, temps[0]), Join(root, changes[0].path));
    if (!status.ok()) return abandon(status);
    *outcome = CommitOutcome::kNeedsRecovery;  // renamed, not yet durable
    if (sync) TEXTDB_RETURN_IF_ERROR(env->SyncDir(Join(root, DirOf(changes[0].path))));
    *outcome = CommitOutcome::kCommitted;
    return Status::Ok();
  }
  // [C-004] the journal; its directory sync is the commit point.
  const std::string journal = EncodeJournal(changes, temps);
  Status status =
      WriteFile(env, Join(root, kJournalTmp), journal, /*exclusive=*/false, sync, &sync_failed);
  if (status.ok()) status = env->Rename(Join(root, kJournalTmp), Join(root, kJournal));
  if (!status.ok()) {
    RemoveQuietly(env, Join(root, kJournalTmp));
    return abandon(status);
  }
  *outcome = CommitOutcome::kNeedsRecovery;
  if (sync) TEXTDB_RETURN_IF_ERROR(env->SyncDir(Join(root, kStateDir)));
  // [C-005] application.
  Result<std::vector<JournalEntry>> entries = DecodeJournal(journal, kJournal);
  if (!entries.ok()) return entries.status();
  TEXTDB_RETURN_IF_ERROR(RollForward(env, root, *entries, sync));
  *outcome = CommitOutcome::kCommitted;
  return Status::Ok();
}

Status Recover(Env* env, const std::string& root, bool sweep_temp_files) {
  Result<std::string> journal = env->ReadFile(Join(root, kJournal));
  if (journal.ok()) {
    Result<std::vector<JournalEntry>> entries =
        DecodeJournal(std::move(journal).value(), Join(root, kJournal));
    if (!entries.ok()) return entries.status();
    TEXTDB_RETURN_IF_ERROR(RollForward(env, root, *entries, /*sync=*/true));
  } else if (journal.status().code() != StatusCode::kNotFound) {
    return journal.status();
  }
  TEXTDB_RETURN_IF_ERROR(RemoveIfPresent(env, Join(root, kJournalTmp)));
  return sweep_temp_files ? RemoveStrayTempFiles(env, root, "") : Status::Ok();
}

}  // namespace textdb::internal
