// Env: the one seam through which textdb touches the file system (as LevelDB's Env and SQLite's
// VFS). The storage engine never calls the operating system directly, so tests can swap in an
// in-memory Env, an Env that fails the Nth call, or one that simulates a crash.
//
// Paths are plain strings, '/'-separated, as the POSIX Env passes them to the system.
//
// Thread-safety: every Env method may be called from several threads at once. A WritableFile,
// SequentialFile or FileLock is used by one thread at a time.
//
// Lifetime: results are values, or objects in a std::unique_ptr the caller owns; a WritableFile,
// SequentialFile, FileLock or LockFileHandle must be destroyed before the Env that made it.
// Env::Default() is never destroyed.
#ifndef TEXTDB_ENV_H_
#define TEXTDB_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/status.h"

namespace textdb {

struct FileInfo {
  enum class Type { kRegular, kDirectory, kSymlink, kOther };
  Type type = Type::kOther;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // modification time, nanoseconds since the epoch
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
};

// One entry of a directory listing and the kind of file it is (a symbolic link is reported as
// such, not followed).
struct DirEntry {
  std::string name;
  FileInfo::Type type = FileInfo::Type::kOther;
};

// A file being written. Data is durable only after Sync() returns OK.
class WritableFile {
 public:
  WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;
  // Closes the file if Close() was not called (errors are then lost: call Close()).
  virtual ~WritableFile() = default;

  // Appends `data` (a short write is retried until complete or failed).
  virtual Status Append(std::string_view data) = 0;
  // Starts writing the appended data to the device without waiting for it: a hint that Sync
  // will follow, so that the device can work on several files at once (see [C-002]). It makes
  // nothing durable, and a failure surfaces at Sync. The default does nothing; PosixEnv calls
  // sync_file_range(SYNC_FILE_RANGE_WRITE).
  virtual void StartSync() {}
  // Makes the appended data durable (fdatasync).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// A file read once, from its start to its end (Env::NewSequentialFile).
class SequentialFile {
 public:
  SequentialFile() = default;
  SequentialFile(const SequentialFile&) = delete;
  SequentialFile& operator=(const SequentialFile&) = delete;
  virtual ~SequentialFile() = default;

  // Reads the next bytes of the file into scratch[0, n) and returns how many it read: n, or
  // fewer only at the end of the file (0 once there). REQUIRES: scratch[0, n) writable.
  virtual Result<std::size_t> Read(char* scratch, std::size_t n) = 0;
};

// A held lock; released when destroyed.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  virtual ~FileLock() = default;
};

// A lock file kept open, to be locked and unlocked many times: cheaper than Env::LockFile per
// use (no open and close each time). Not thread-safe, and it is one holder: the caller
// serialises Lock and Unlock and never locks it twice without an Unlock between. Destroying it
// releases a held lock.
class LockFileHandle {
 public:
  LockFileHandle() = default;
  LockFileHandle(const LockFileHandle&) = delete;
  LockFileHandle& operator=(const LockFileHandle&) = delete;
  virtual ~LockFileHandle() = default;
  // Takes the lock, shared or exclusive; errors and semantics as Env::LockFile.
  // REQUIRES: not held.
  virtual Status Lock(bool exclusive, bool wait) = 0;
  // Releases the lock; always succeeds (an implementation that cannot unlock in place closes
  // the file, which releases it). REQUIRES: held.
  virtual void Unlock() = 0;
  // A 64-bit word shared by every handle on the same lock file, in every process that uses it
  // (PosixEnv: the first 8 bytes of the file, mapped shared), or null (the default). textdb's
  // handles count their exclusive locks in it, so that a read can run without the lock and then
  // see whether a writer ran meanwhile [C-012]; with null, every read takes the lock.
  // INVARIANT: 8-byte aligned, valid while this handle lives, accessed only through
  // std::atomic_ref. Handles from an Env that returns null and from one that does not must not
  // use a database at the same time: the writers of the first would go uncounted.
  virtual std::uint64_t* SharedCounter() { return nullptr; }
};

// A directory held open, so that paths below it are looked up from it (see Env::OpenDirectory).
// Thread-safe.
class Directory {
 public:
  Directory() = default;
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;
  virtual ~Directory() = default;
  // Env::Stat of `rel`, a path relative to this directory; errors name the whole path.
  virtual Result<FileInfo> Stat(const std::string& rel) = 0;
  // Env::ReadFileRange of `rel`, a path relative to this directory, with no symbolic link
  // followed anywhere on it and without leaving this directory; errors name the whole path.
  // kNotSupported when this Directory cannot promise that (the default) or `rel` has a link on
  // it: the caller then reads through its Env, which reports the link.
  virtual Result<std::string> ReadFileRange(const std::string& rel, std::uint64_t offset,
                                            std::size_t length);
};

class Env {
 public:
  Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  virtual ~Env() = default;

  // The POSIX Env. Never destroyed; safe to share.
  static Env* Default();

  // The whole content of the regular file `path`. kNotFound when it does not exist; kIOError
  // otherwise, including when `path` is a symbolic link (links are never followed).
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Up to `length` bytes of the regular file `path` from byte `offset` (fewer at its end).
  // Errors as ReadFile.
  virtual Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                            std::size_t length) = 0;
  // Opens the regular file `path` to be read from its start by SequentialFile::Read, which
  // (unlike ReadFile) needs no buffer the size of the file. Errors as ReadFile. The default
  // implementation reads through ReadFileRange, looking `path` up again at each Read, so an Env
  // need not override it; PosixEnv reads one open file, whose bytes all come from one version
  // of the file even when it is replaced meanwhile.
  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path);
  // Creates `path` for writing. With `exclusive`, fails (kConflict) when it exists (O_EXCL);
  // otherwise truncates it. Never follows a symbolic link at `path`.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                bool exclusive) = 0;
  // Atomically replaces `to` with `from` (rename(2)). Durable only after SyncDir of the parent.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes the file `path`; kNotFound when absent.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates the directory `path` (its parent must exist); OK when it already is a directory.
  virtual Status CreateDir(const std::string& path) = 0;
  // Removes the empty directory `path`.
  virtual Status RemoveDir(const std::string& path) = 0;
  // Makes the entries of directory `path` (creations, renames, removals) durable (fsync).
  virtual Status SyncDir(const std::string& path) = 0;
  // The names in directory `path` (no "." or ".."), sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // The entries of directory `path` with their types, sorted by name; errors as ListDir. An
  // entry removed while the directory is read may be left out. The default calls ListDir and
  // then Stat per entry; PosixEnv takes the type from the directory itself (no stat per entry
  // where the file system records it), which is what keeps a walk of a large database cheap.
  virtual Result<std::vector<DirEntry>> ListDirEntries(const std::string& path);
  // Facts about `path` itself (a symbolic link is reported as such, not followed).
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // The directory `path`, for Directory::Stat of paths below it: kNotFound when it does not
  // exist, kIOError when it is not a directory. The default implementation checks `path` with
  // Stat, keeps it and calls Stat(path + "/" + rel), so an Env need not override it. PosixEnv
  // keeps the directory open, and the kernel then resolves only the relative part. PERF: a
  // cached get stats two files, and resolving their absolute paths cost a tenth of its time.
  virtual Result<std::unique_ptr<Directory>> OpenDirectory(const std::string& path);
  // Takes a lock on the file `path` (created if absent), shared or exclusive. With `wait`, blocks
  // until it is granted; otherwise fails with kConflict when another holder prevents it. The lock
  // is an open-file-description lock: it survives an unrelated close() of the same file in this
  // process and is released when the returned object is destroyed or the process dies.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                                     bool wait) = 0;
  // A handle on the lock file `path` (created if absent) for repeated Lock/Unlock, with the same
  // locking semantics as LockFile. The default implementation calls LockFile at each Lock and
  // destroys that lock at Unlock, and has no SharedCounter, so an Env need not override it.
  virtual Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& path);
};

// An Env that keeps everything in memory (for tests and tools). Locks are process-local.
std::unique_ptr<Env> NewMemEnv();

}  // namespace textdb

#endif  // TEXTDB_ENV_H_
