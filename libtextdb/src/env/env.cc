// What every Env shares: the default ListDirEntries and OpenLockFile (see include/textdb/env.h).
#include "textdb/env.h"

namespace textdb {
namespace {

// A LockFileHandle made of one Env::LockFile call per Lock.
class LockFileHandleOverLockFile final : public LockFileHandle {
 public:
  LockFileHandleOverLockFile(Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  Status Lock(bool exclusive, bool wait) override {
    Result<std::unique_ptr<FileLock>> lock = env_->LockFile(path_, exclusive, wait);
    if (!lock.ok()) return lock.status();
    held_ = std::move(lock).value();
    return Status::Ok();
  }
  void Unlock() override { held_.reset(); }

 private:
  Env* env_;
  std::string path_;
  std::unique_ptr<FileLock> held_;
};

}  // namespace

Result<std::vector<DirEntry>> Env::ListDirEntries(const std::string& path) {
  Result<std::vector<std::string>> names = ListDir(path);
  if (!names.ok()) return names.status();
  std::vector<DirEntry> entries;
  entries.reserve(names->size());
  for (std::string& name : *names) {
    Result<FileInfo> info = Stat(path + "/" + name);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) continue;  // removed meanwhile
      return info.status();
    }
    entries.push_back(DirEntry{std::move(name), info->type});
  }
  return entries;
}

Result<std::unique_ptr<LockFileHandle>> Env::OpenLockFile(const std::string& path) {
  return std::unique_ptr<LockFileHandle>(std::make_unique<LockFileHandleOverLockFile>(this, path));
}

}  // namespace textdb
