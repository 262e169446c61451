// What every Env shares: the default ListDirEntries, NewSequentialFile, OpenLockFile and
// OpenDirectory (see include/textdb/env.h).
#include "textdb/env.h"

#include <algorithm>

#include "env/lock_file_handle.h"

namespace textdb {
namespace {

// A Directory made of its path: each Stat is Env::Stat of the whole path.
class DirectoryOverStat final : public Directory {
 public:
  DirectoryOverStat(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  Result<FileInfo> Stat(const std::string& rel) override { return env_->Stat(path_ + "/" + rel); }

 private:
  Env* const env_;
  const std::string path_;
};

// A LockFileHandle made of one Env::LockFile call per Lock.
class LockFileHandleOverLockFile final : public LockFileHandle {
 public:
  LockFileHandleOverLockFile(Env* env, std::string path, std::uint64_t* counter)
      : env_(env), path_(std::move(path)), counter_(counter) {}

  Status Lock(bool exclusive, bool wait) override {
    Result<std::unique_ptr<FileLock>> lock = env_->LockFile(path_, exclusive, wait);
    if (!lock.ok()) return lock.status();
    held_ = std::move(lock).value();
    return Status::Ok();
  }
  void Unlock() override { held_.reset(); }
  std::uint64_t* SharedCounter() override { return counter_; }

 private:
  Env* env_;
  std::string path_;
  std::uint64_t* const counter_;
  std::unique_ptr<FileLock> held_;
};

// A SequentialFile made of one Env::ReadFileRange call per Read.
class SequentialFileOverReadFileRange final : public SequentialFile {
 public:
  SequentialFileOverReadFileRange(Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  Result<std::size_t> Read(char* scratch, std::size_t n) override {
    Result<std::string> data = env_->ReadFileRange(path_, offset_, n);
    if (!data.ok()) return data.status();
    std::copy(data->begin(), data->end(), scratch);
    offset_ += data->size();
    return data->size();
  }

 private:
  Env* env_;
  std::string path_;
  std::uint64_t offset_ = 0;
};

}  // namespace

Result<std::unique_ptr<SequentialFile>> Env::NewSequentialFile(const std::string& path) {
  // Opening reports a missing or unreadable file, as ReadFile would.
  Result<std::string> nothing = ReadFileRange(path, 0, 0);
  if (!nothing.ok()) return nothing.status();
  return std::unique_ptr<SequentialFile>(
      std::make_unique<SequentialFileOverReadFileRange>(this, path));
}

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

namespace internal {

std::unique_ptr<LockFileHandle> NewLockFileHandleOverLockFile(Env* env, std::string path,
                                                              std::uint64_t* counter) {
  return std::make_unique<LockFileHandleOverLockFile>(env, std::move(path), counter);
}

}  // namespace internal

Result<std::unique_ptr<LockFileHandle>> Env::OpenLockFile(const std::string& path) {
  return internal::NewLockFileHandleOverLockFile(this, path, /*counter=*/nullptr);
}

Result<std::string> Directory::ReadFileRange(const std::string& rel, std::uint64_t, std::size_t) {
  return Status::NotSupported(rel + ": this Directory does not read files");
}

Result<std::unique_ptr<Directory>> Env::OpenDirectory(const std::string& path) {
  Result<FileInfo> info = Stat(path);
  if (!info.ok()) return info.status();
  if (info->type != FileInfo::Type::kDirectory) {
    return Status::IOError(path + ": open directory: Not a directory");
  }
  return std::unique_ptr<Directory>(std::make_unique<DirectoryOverStat>(this, path));
}

}  // namespace textdb
