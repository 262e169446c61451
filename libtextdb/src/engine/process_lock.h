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
//
// Unlocked reads [C-012]: every exclusive holder, in any process, makes the lock file's shared
// counter odd as soon as it holds the lock and even again just before it lets go. A read that
// saw the same even value before and after it ran while no writer held the lock, so it saw what
// it would have seen under the shared lock, at the cost of two loads instead of two fcntl calls.
#ifndef TEXTDB_ENGINE_PROCESS_LOCK_H_
#define TEXTDB_ENGINE_PROCESS_LOCK_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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
      if (std::uint64_t* counter = counter_.load(std::memory_order_relaxed)) {
        std::atomic_ref<std::uint64_t> word(*counter);
        // Odd already when a writer died holding the lock: it stays odd until this one is done.
        const std::uint64_t value = word.load(std::memory_order_relaxed);
        if (value % 2 == 0) word.store(value + 1, std::memory_order_seq_cst);
      }
    } else {
      ++readers_;
    }
    return std::unique_ptr<FileLock>(std::make_unique<Held>(this, exclusive));
  }

  // The start of an unlocked read [C-012]: the value to give UnlockedReadValid after it, or
  // nullopt when the read must take the lock (a writer holds it or died holding it, or the
  // Env's lock file has no SharedCounter, or the lock was never taken yet).
  std::optional<std::uint64_t> BeginUnlockedRead() const {
    std::uint64_t* counter = counter_.load(std::memory_order_acquire);
    if (counter == nullptr) return std::nullopt;
    const std::uint64_t seen =
        std::atomic_ref<std::uint64_t>(*counter).load(std::memory_order_acquire);
    if (seen % 2 != 0) return std::nullopt;
    return seen;
  }

  // True when no writer held the lock at any moment since BeginUnlockedRead returned `seen`, so
  // that the read made meanwhile stands; otherwise it must be made again under the lock.
  // REQUIRES: `seen` came from BeginUnlockedRead.
  bool UnlockedReadValid(std::uint64_t seen) const {
    std::atomic_thread_fence(std::memory_order_seq_cst);  // the read's loads come before this one
    std::uint64_t* counter = counter_.load(std::memory_order_relaxed);
    return std::atomic_ref<std::uint64_t>(*counter).load(std::memory_order_relaxed) == seen;
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
      counter_.store(file_->SharedCounter(), std::memory_order_release);
    }
    return file_->Lock(exclusive, /*wait=*/true);
  }

  void Release(bool exclusive) {
    std::lock_guard<std::mutex> guard(mu_);
    if (exclusive) {
      writer_ = false;
      if (std::uint64_t* counter = counter_.load(std::memory_order_relaxed)) {
        std::atomic_ref<std::uint64_t> word(*counter);
        word.store((word.load(std::memory_order_relaxed) | 1) + 1, std::memory_order_seq_cst);
      }
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
  // file_'s SharedCounter, once file_ is open; written by exclusive holders only [C-012].
  std::atomic<std::uint64_t*> counter_{nullptr};
  int readers_ = 0;
  bool writer_ = false;
  int writers_waiting_ = 0;
};

}  // namespace textdb::internal

#endif  // TEXTDB_ENGINE_PROCESS_LOCK_H_
