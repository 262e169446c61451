// What every Env shares: the default OpenLockFile (see include/textdb/env.h).
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

Result<std::unique_ptr<LockFileHandle>> Env::OpenLockFile(const std::string& path) {
  return std::unique_ptr<LockFileHandle>(std::make_unique<LockFileHandleOverLockFile>(this, path));
}

}  // namespace textdb
