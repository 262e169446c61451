// Test helper: a crash-simulating, fault-injecting Env (format-spec/durability.md [K-001..K-012]).
//
// CrashEnv keeps an in-memory file system of inodes and directory entries. Every mutation
// (create, append, truncate, rename, unlink, mkdir, rmdir) and every file or directory sync is
// recorded in a log. The live file system (what reads see, the "volatile view") has every
// operation applied; the durable view of a crash after the first k log entries is the image at
// the last Checkpoint() plus the operations a sync had made durable by then [K-002..K-004], and
// CrashStates() enumerates the images a power loss at that point may leave: every prefix of the
// unsynced operations, each single one dropped, and each unsynced append torn four ways [K-005].
//
// It also injects faults (fail the Nth call with EIO, ENOSPC, EDQUOT, EINTR or a short write;
// once or persistently; a failed sync that drops the unsynced data [K-010]) and counts open
// files and held locks, so that a leak is visible [K-011].
//
// Thread-safety: every method may be called from several threads (one mutex).
#ifndef TEXTDB_TESTS_UTIL_CRASH_ENV_H_
#define TEXTDB_TESTS_UTIL_CRASH_ENV_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "textdb/env.h"

namespace textdb::testing {

// A file-system image: inodes by number; inode 1 is the root directory "/".
struct CrashImage {
  struct Inode {
    bool is_dir = false;
    std::string data;                              // regular files
    std::map<std::string, std::uint64_t> entries;  // directories: name -> inode
    std::int64_t mtime_ns = 0;
  };
  std::map<std::uint64_t, Inode> inodes;

  CrashImage();
  // Every regular file below the directory `root` (absolute), by path relative to it.
  std::map<std::string, std::string> Files(const std::string& root) const;
  // Every directory below `root`, relative, each ending in '/'.
  std::vector<std::string> Dirs(const std::string& root) const;
  // A 64-bit digest of the tree reachable from "/" (names, kinds and contents).
  std::uint64_t Digest() const;
};

enum class FaultKind {
  kEIO,
  kENOSPC,
  kEDQUOT,
  kEINTR,          // the call is interrupted and reports it (as if the Env did not retry)
  kShortWrite,     // an Append writes half its data, then fails; other calls fail with EIO
  kSyncLosesData,  // a file or directory sync fails and its unsynced operations never become
                   // durable (as Linux marks the pages clean after a writeback error); other
                   // calls fail with EIO
};
const char* FaultKindName(FaultKind kind);

class CrashEnv : public Env {
 public:
  // An empty file system (only "/").
  CrashEnv();
  // A file system holding `image`, fully durable.
  explicit CrashEnv(const CrashImage& image);
  ~CrashEnv() override;

  // Makes the live image the durable base and clears the log: later crash states start here.
  void Checkpoint();
  // The number of log entries (mutations and syncs) since the last Checkpoint().
  std::size_t LogSize() const;
  // A copy of the live image.
  CrashImage LiveImage() const;
  // Calls `fn` with every image a power loss after the first `crash_point` log entries may leave
  // [K-005], and a description of how it was made ("prefix 3 of 7", "drop 2 (rename ...)", ...).
  // REQUIRES: crash_point <= LogSize().
  void CrashStates(std::size_t crash_point,
                   const std::function<void(const CrashImage&, const std::string&)>& fn) const;
  // The image with every operation a sync made durable before `crash_point` and nothing else.
  CrashImage DurableImage(std::size_t crash_point) const;
  // A one-line description of log entry `i`, for failure messages.
  std::string DescribeOp(std::size_t i) const;

  // Fault injection: from now on, counts every Env, WritableFile and lock call; fails call
  // number `n` (1-based) with `kind`, and with `persistent` every call after it. n = 0 disables.
  void InjectFault(long n, FaultKind kind, bool persistent);
  bool fault_hit() const;
  // The call that the first injected fault failed ("fdatasync", "fsync dir", "rename", ...), or
  // "" when none was.
  std::string first_fault() const;
  long calls() const;

  // Leak counters: WritableFiles not yet destroyed, locks held.
  int open_files() const;
  int held_locks() const;

  // Called at the start of every LockFile with `exclusive` (outside the Env's mutex), so that a
  // test can hold a commit there while others queue up behind it.
  void SetLockHook(std::function<void(bool exclusive)> hook);

  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override;

  // Used by the file and lock objects; callers outside crash_env.cc do not call these.
  Status FileAppend(std::uint64_t ino, const std::string& path, std::string_view data);
  Status FileSync(std::uint64_t ino, const std::string& path);
  Status FileClose(const std::string& path);
  void FileDestroyed();
  void LockReleased(const std::string& path, bool exclusive);

  struct Op;

 private:
  // Counts the call; returns the injected error when this call is to fail. `what` names the
  // call. REQUIRES: mu_ held.
  Status MaybeFault(std::string_view what, const std::string& path, bool is_append = false,
                    bool* short_write = nullptr, bool* lose_data = nullptr);
  // The inode at `path` in the live image, or 0. REQUIRES: mu_ held.
  std::uint64_t Lookup(const std::string& path) const;
  // Appends `op` to the log and applies it to the live image. REQUIRES: mu_ held.
  void Record(Op op);
  void MarkPersisted(std::uint64_t ino, bool directory, std::size_t at, bool lost);

  mutable std::mutex mu_;
  std::condition_variable lock_cv_;
  CrashImage base_;
  CrashImage live_;
  std::vector<Op> log_;
  std::uint64_t next_ino_ = 2;
  std::int64_t clock_ns_ = 1'000'000'000;
  long calls_ = 0;
  long fail_at_ = 0;
  FaultKind fault_kind_ = FaultKind::kEIO;
  bool persistent_ = false;
  bool hit_ = false;
  std::string first_fault_;
  int open_files_ = 0;
  std::map<std::string, int> shared_locks_;
  std::map<std::string, bool> exclusive_locks_;
  int held_locks_ = 0;
  std::function<void(bool)> lock_hook_;
};

}  // namespace textdb::testing

#endif  // TEXTDB_TESTS_UTIL_CRASH_ENV_H_
