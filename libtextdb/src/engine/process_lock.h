// Private to the engine: the database lock ([C-010]) as one handle takes it.
//
// A handle keeps `.textdb/LOCK` open (Env::OpenLockFile) and layers an in-process
// readers-writer lock on top: the first reader of the handle takes the shared file lock, the last
// one releases it, and a writer waits for the handle's readers before it takes the exclusive file
// lock. So threads of one handle exclude each other exactly as processes do, and a read costs two
// fcntl calls instead of open + fcntl + close.
//
// Why not one file-lock call per thread: all threads share the handle's open file description,
// and locks of one description never conflict with each other; the in-process layer supplies
// the exclusion the kernel cannot see.
#ifndef TEXTDB_ENGINE_PROCESS_LOCK_H_
#define TEXTDB_ENGINE_PROCESS_LOCK_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "textdb/env.h"

namespace textdb::internal {

class ProcessLock {
 public:
  ProcessLock(Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  // Takes the lock, shared or exclusive, waiting as long as needed; released when the returned
  // object is destroyed. Writers are preferred: once a writer waits, new readers wait too.
  // REQUIRES: the calling thread holds no lock of this ProcessLock (a thread that holds the
  // shared lock and asks for the exclusive one waits for itself forever, as two file locks of
  // one process would). The result must not outlive this object.
  Result<std::unique_ptr<FileLock>> Acquire(bool exclusive) {
    std::unique_lock<std::mutex> guard(mu_);
    if (exclusive) {
      ++writers_waiting_;
      idle_.wait(guard, [&] { return !writer_ && readers_ == 0; });
      --writers_waiting_;
    } else {
      idle_.wait(guard, [&] { return !writer_ && writers_waiting_ == 0; });
    }
    // The file lock is taken while `mu_` is held: other threads of the handle wait for it either
    // way, and none of them needs `mu_` to release a lock (none is held now, or only shared
    // ones when another reader joins).
    if (exclusive || readers_ == 0) {
      if (Status status = LockFile(exclusive); !status.ok()) {
        idle_.notify_all();  // a writer that gave up no longer holds readers back
        return status;
      }
    }
    if (exclusive) {
      writer_ = true;
    } else {
      ++readers_;
    }
    return std::unique_ptr<FileLock>(std::make_unique<Held>(this, exclusive));
  }

 private:
  class Held final : public FileLock {
   public:
    Held(ProcessLock* owner, bool exclusive) : owner_(owner), exclusive_(exclusive) {}
    ~Held() override { owner_->Release(exclusive_); }

   private:
    ProcessLock* owner_;
    bool exclusive_;
  };

  // REQUIRES: mu_ held.
  Status LockFile(bool exclusive) {
    if (file_ == nullptr) {
      Result<std::unique_ptr<LockFileHandle>> file = env_->OpenLockFile(path_);
      if (!file.ok()) return file.status();
      file_ = std::move(file).value();
    }
    return file_->Lock(exclusive, /*wait=*/true);
  }

  void Release(bool exclusive) {
    std::lock_guard<std::mutex> guard(mu_);
    if (exclusive) {
      writer_ = false;
      file_->Unlock();
    } else if (--readers_ == 0) {
      file_->Unlock();
    }
    idle_.notify_all();
  }

  Env* const env_;
  const std::string path_;
  std::mutex mu_;
  std::condition_variable idle_;
  // INVARIANT: file_ holds the shared file lock iff readers_ > 0, the exclusive one iff writer_;
  // never both.
  std::unique_ptr<LockFileHandle> file_;
  int readers_ = 0;
  bool writer_ = false;
  int writers_waiting_ = 0;
};

}  // namespace textdb::internal

#endif  // TEXTDB_ENGINE_PROCESS_LOCK_H_
