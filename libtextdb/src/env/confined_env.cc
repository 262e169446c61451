// The confining Env: see confined_env.h.
#include "env/confined_env.h"

#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace textdb::internal {
namespace {

class ConfinedEnv final : public Env {
 public:
  ConfinedEnv(Env* base, std::string root) : base_(base), prefix_(std::move(root) + "/") {}

  Result<std::string> ReadFile(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->ReadFile(path);
  }
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->ReadFileRange(path, offset, length);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->NewSequentialFile(path);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->NewWritableFile(path, exclusive);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    TEXTDB_RETURN_IF_ERROR(Check(from, false));
    TEXTDB_RETURN_IF_ERROR(Check(to, false));
    return base_->Rename(from, to);
  }
  Status RemoveFile(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->RemoveFile(path);
  }
  Status CreateDir(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->CreateDir(path);
  }
  Status RemoveDir(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, true));
    return base_->RemoveDir(path);
  }
  Status SyncDir(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, true));
    return base_->SyncDir(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, true));
    return base_->ListDir(path);
  }
  Result<std::vector<DirEntry>> ListDirEntries(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, true));
    return base_->ListDirEntries(path);
  }
  // Not checked: Stat reads no content and changes nothing (it reports a link as one), and
  // every read or write that could follow it is checked. PERF: a cached get's only file system
  // calls besides the lock are its change detection's stats, which stay one system call each.
  Result<FileInfo> Stat(const std::string& path) override { return base_->Stat(path); }
  // Not checked either, for the same reason: a Directory only stats.
  Result<std::unique_ptr<Directory>> OpenDirectory(const std::string& path) override {
    return base_->OpenDirectory(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->LockFile(path, exclusive, wait);
  }
  Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& path) override {
    TEXTDB_RETURN_IF_ERROR(Check(path, false));
    return base_->OpenLockFile(path);
  }

 private:
  // OK when no directory between the database directory and `path` (nor `path` itself, with
  // `whole`) is a symbolic link; a missing component ends the check (the operation then fails
  // or creates it). kInvalidData naming the link otherwise.
  Status Check(const std::string& path, bool whole) {
    if (!path.starts_with(prefix_)) return Status::Ok();
    std::size_t end = prefix_.size();
    while (true) {
      std::size_t slash = path.find('/', end);
      if (slash == std::string::npos) {
        if (!whole) return Status::Ok();
        slash = path.size();
      }
      const std::string component = path.substr(0, slash);
      Result<FileInfo> info = base_->Stat(component);
      if (!info.ok()) {
        return info.status().code() == StatusCode::kNotFound ? Status::Ok() : info.status();
      }
      if (info->type == FileInfo::Type::kSymlink) {
        return Status::InvalidData(fmt::format(
            "{}: error: a symbolic link inside the database; textdb never follows symbolic "
            "links [T-021]",
            component));
      }
      if (slash == path.size()) return Status::Ok();
      end = slash + 1;
    }
  }

  Env* const base_;
  const std::string prefix_;
};

}  // namespace

std::unique_ptr<Env> NewConfinedEnv(Env* base, std::string root) {
  return std::make_unique<ConfinedEnv>(base, std::move(root));
}

}  // namespace textdb::internal
