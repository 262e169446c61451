// Test helper: an Env that forwards to another Env and fails calls on demand, so that every
// durable-write step can be failed in turn ("fail the Nth call, for every N", as SQLite's I/O
// error tests do).
#ifndef TEXTDB_TESTS_UTIL_FAULT_ENV_H_
#define TEXTDB_TESTS_UTIL_FAULT_ENV_H_

#include <atomic>
#include <memory>
#include <string>

#include "textdb/env.h"

namespace textdb::testing {

class FaultEnv : public Env {
 public:
  explicit FaultEnv(Env* base) : base_(base) {}

  // Fails call number `n` (1-based, counting every Env and WritableFile call from now on); with
  // `persistent`, also every call after it. n = 0 disables faults.
  void FailAt(long n, bool persistent) {
    calls_ = 0;
    fail_at_ = n;
    persistent_ = persistent;
    hit_ = false;
  }
  // True when a fault was injected since FailAt.
  bool hit() const { return hit_; }
  long calls() const { return calls_; }

  Result<std::string> ReadFile(const std::string& path) override {
    if (Fault()) return Injected("read", path);
    return base_->ReadFile(path);
  }
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    if (Fault()) return Injected("pread", path);
    return base_->ReadFileRange(path, offset, length);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override;
  Status Rename(const std::string& from, const std::string& to) override {
    return Fault() ? Injected("rename", from) : base_->Rename(from, to);
  }
  Status RemoveFile(const std::string& path) override {
    return Fault() ? Injected("unlink", path) : base_->RemoveFile(path);
  }
  Status CreateDir(const std::string& path) override {
    return Fault() ? Injected("mkdir", path) : base_->CreateDir(path);
  }
  Status RemoveDir(const std::string& path) override {
    return Fault() ? Injected("rmdir", path) : base_->RemoveDir(path);
  }
  Status SyncDir(const std::string& path) override {
    return Fault() ? Injected("fsync dir", path) : base_->SyncDir(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    if (Fault()) return Injected("list", path);
    return base_->ListDir(path);
  }
  Result<FileInfo> Stat(const std::string& path) override {
    if (Fault()) return Injected("stat", path);
    return base_->Stat(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    if (Fault()) return Injected("lock", path);
    return base_->LockFile(path, exclusive, wait);
  }

  // REQUIRES: called once per operation, before forwarding it.
  bool Fault() {
    const long n = ++calls_;
    if (fail_at_ > 0 && (n == fail_at_ || (persistent_ && n > fail_at_))) {
      hit_ = true;
      return true;
    }
    return false;
  }
  static Status Injected(std::string_view what, const std::string& path) {
    return Status::IOError(path + ": " + std::string(what) + ": injected fault (EIO)");
  }

 private:
  Env* base_;
  std::atomic<long> calls_{0};
  long fail_at_ = 0;
  bool persistent_ = false;
  bool hit_ = false;
};

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::unique_ptr<WritableFile> base, std::string path)
      : env_(env), base_(std::move(base)), path_(std::move(path)) {}
  Status Append(std::string_view data) override {
    if (env_->Fault()) {
      // A short write: half the data reaches the file before the error.
      (void)base_->Append(data.substr(0, data.size() / 2));
      return FaultEnv::Injected("write", path_);
    }
    return base_->Append(data);
  }
  void StartSync() override { base_->StartSync(); }  // a hint: no call to fail
  Status Sync() override {
    return env_->Fault() ? FaultEnv::Injected("fdatasync", path_) : base_->Sync();
  }
  Status Close() override {
    return env_->Fault() ? FaultEnv::Injected("close", path_) : base_->Close();
  }

 private:
  FaultEnv* env_;
  std::unique_ptr<WritableFile> base_;
  std::string path_;
};

inline Result<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path,
                                                                       bool exclusive) {
  if (Fault()) return Injected("open", path);
  Result<std::unique_ptr<WritableFile>> file = base_->NewWritableFile(path, exclusive);
  if (!file.ok()) return file.status();
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultWritableFile>(this, std::move(file).value(), path));
}

}  // namespace textdb::testing

#endif  // TEXTDB_TESTS_UTIL_FAULT_ENV_H_
