// Test helper for the kill -9 torture: an Env that forwards to another Env and kills its own
// process with SIGKILL just before its Nth call (counting every Env, WritableFile and lock-handle
// call), so that the process dies between any two I/O operations of the engine in turn.
#ifndef TEXTDB_TESTS_TORTURE_KILL_ENV_H_
#define TEXTDB_TESTS_TORTURE_KILL_ENV_H_

#include <signal.h>

#include <atomic>
#include <memory>
#include <string>

#include "textdb/env.h"

namespace textdb::torture {

class KillEnv final : public Env {
 public:
  // Kills the process before call number `kill_at` (1-based); 0 = never.
  KillEnv(Env* base, long kill_at) : base_(base), kill_at_(kill_at) {}

  long calls() const { return calls_; }

  Result<std::string> ReadFile(const std::string& path) override {
    Tick();
    return base_->ReadFile(path);
  }
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    Tick();
    return base_->ReadFileRange(path, offset, length);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    Tick();
    Result<std::unique_ptr<WritableFile>> file = base_->NewWritableFile(path, exclusive);
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(std::make_unique<File>(this, std::move(file).value()));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    Tick();
    return base_->Rename(from, to);
  }
  Status RemoveFile(const std::string& path) override {
    Tick();
    return base_->RemoveFile(path);
  }
  Status CreateDir(const std::string& path) override {
    Tick();
    return base_->CreateDir(path);
  }
  Status RemoveDir(const std::string& path) override {
    Tick();
    return base_->RemoveDir(path);
  }
  Status SyncDir(const std::string& path) override {
    Tick();
    return base_->SyncDir(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    Tick();
    return base_->ListDir(path);
  }
  Result<FileInfo> Stat(const std::string& path) override {
    Tick();
    return base_->Stat(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    Tick();
    return base_->LockFile(path, exclusive, wait);
  }
  Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& path) override {
    Tick();
    Result<std::unique_ptr<LockFileHandle>> handle = base_->OpenLockFile(path);
    if (!handle.ok()) return handle.status();
    return std::unique_ptr<LockFileHandle>(
        std::make_unique<LockHandle>(this, std::move(handle).value()));
  }

 private:
  class File final : public WritableFile {
   public:
    File(KillEnv* env, std::unique_ptr<WritableFile> base) : env_(env), base_(std::move(base)) {}
    Status Append(std::string_view data) override {
      env_->Tick();
      return base_->Append(data);
    }
    Status Sync() override {
      env_->Tick();
      return base_->Sync();
    }
    Status Close() override {
      env_->Tick();
      return base_->Close();
    }

   private:
    KillEnv* env_;
    std::unique_ptr<WritableFile> base_;
  };

  class LockHandle final : public LockFileHandle {
   public:
    LockHandle(KillEnv* env, std::unique_ptr<LockFileHandle> base)
        : env_(env), base_(std::move(base)) {}
    Status Lock(bool exclusive, bool wait) override {
      env_->Tick();
      return base_->Lock(exclusive, wait);
    }
    void Unlock() override {
      env_->Tick();
      base_->Unlock();
    }
    std::uint64_t* SharedCounter() override { return base_->SharedCounter(); }

   private:
    KillEnv* env_;
    std::unique_ptr<LockFileHandle> base_;
  };

  void Tick() {
    if (++calls_ == kill_at_) ::raise(SIGKILL);
  }

  Env* base_;
  const long kill_at_;
  std::atomic<long> calls_{0};
};

}  // namespace textdb::torture

#endif  // TEXTDB_TESTS_TORTURE_KILL_ENV_H_
