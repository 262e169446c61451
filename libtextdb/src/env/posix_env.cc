// The POSIX Env: the only file in textdb that makes file-system system calls (see env.h).
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <boost/filesystem.hpp>

#include "textdb/env.h"

namespace textdb {
namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, int error) {
  std::string message = fmt::format("{}: {}: {}", path, what, std::strerror(error));
  if (error == ENOENT) return Status::NotFound(std::move(message));
  if (error == EEXIST) return Status::Conflict(std::move(message));
  return Status::IOError(std::move(message));
}

// Retries `call` while it fails with EINTR.
template <typename Call>
auto RetryOnEintr(Call call) {
  decltype(call()) result;
  do {
    result = call();
  } while (result < 0 && errno == EINTR);
  return result;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = RetryOnEintr([&] { return ::write(fd_, data.data(), data.size()); });
      if (n < 0) return ErrnoStatus("write", path_, errno);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::Ok();
  }

  void StartSync() override {
    // Not supported everywhere (EINVAL, ENOSYS): a hint whose failure Sync reports if it matters.
    (void)::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
  }

  Status Sync() override {
    if (RetryOnEintr([&] { return ::fdatasync(fd_); }) < 0) {
      return ErrnoStatus("fdatasync", path_, errno);
    }
    return Status::Ok();
  }

  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    // close(2) must not be retried on EINTR on Linux: the descriptor is gone either way.
    if (::close(fd) < 0) return ErrnoStatus("close", path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // releases the OFD lock

 private:
  int fd_;
};

FileInfo::Type TypeOf(mode_t mode) {
  if (S_ISREG(mode)) return FileInfo::Type::kRegular;
  if (S_ISDIR(mode)) return FileInfo::Type::kDirectory;
  if (S_ISLNK(mode)) return FileInfo::Type::kSymlink;
  return FileInfo::Type::kOther;
}

// A file descriptor closed on destruction.
class ScopedFd {
 public:
  ScopedFd() = default;
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  void reset(int fd) { fd_ = fd; }
  // Gives up ownership: the descriptor is no longer closed here.
  void release() { fd_ = -1; }

 private:
  int fd_ = -1;
};

// Opens `path` for reading; anything but a regular file (a symbolic link included: links are
// never followed) is refused with kIOError, a missing file is kNotFound.
// Fails unless the open descriptor `fd` (of `path`) is a regular file; sets *size.
Status CheckRegular(int fd, const std::string& path, std::uint64_t* size) {
  struct stat st {};
  if (::fstat(fd, &st) < 0) return ErrnoStatus("fstat", path, errno);
  if (!S_ISREG(st.st_mode)) return Status::IOError(fmt::format("{}: not a regular file", path));
  *size = static_cast<std::uint64_t>(st.st_size);
  return Status::Ok();
}

Status OpenRegular(const std::string& path, ScopedFd* fd, std::uint64_t* size) {
  fd->reset(RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW); }));
  if (fd->get() < 0) return ErrnoStatus("open", path, errno);
  return CheckRegular(fd->get(), path, size);
}

// Reads from byte `offset` of `fd` into *data until it is full or end-of-file, then trims it to
// what was read. With `to_end`, a full buffer grows and reading goes on to end-of-file.
Status ReadAt(int fd, const std::string& path, std::uint64_t offset, bool to_end,
              std::string* data) {
  std::size_t filled = 0;
  while (true) {
    if (filled == data->size()) {
      if (!to_end) break;
      data->resize(std::max<std::size_t>(data->size() * 2, 4096));
    }
    const ssize_t n = RetryOnEintr([&] {
      return ::pread(fd, data->data() + filled, data->size() - filled,
                     static_cast<off_t>(offset + filled));
    });
    if (n < 0) return ErrnoStatus("read", path, errno);
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  data->resize(filled);
  return Status::Ok();
}

// Reads one open file from its start.
class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Result<std::size_t> Read(char* scratch, std::size_t n) override {
    std::size_t filled = 0;
    while (filled < n) {
      const ssize_t got = RetryOnEintr([&] { return ::read(fd_, scratch + filled, n - filled); });
      if (got < 0) return ErrnoStatus("read", path_, errno);
      if (got == 0) break;
      filled += static_cast<std::size_t>(got);
    }
    return filled;
  }

 private:
  std::string path_;
  int fd_;
};

FileInfo InfoOf(const struct stat& st) {
  FileInfo info;
  info.type = TypeOf(st.st_mode);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  info.inode = static_cast<std::uint64_t>(st.st_ino);
  info.device = static_cast<std::uint64_t>(st.st_dev);
  return info;
}

// A directory held by an O_PATH descriptor: fstatat resolves only the relative part.
class PosixDirectory final : public Directory {
 public:
  PosixDirectory(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixDirectory() override { ::close(fd_); }

  Result<FileInfo> Stat(const std::string& rel) override {
    struct stat st {};
    if (::fstatat(fd_, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      return ErrnoStatus("lstat", path_ + "/" + rel, errno);
    }
    return InfoOf(st);
  }

  // PERF: one openat2 call with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (Linux 5.6) opens the file
  // as the confining Env allows it; through the Env, an uncached get also made a stat of each
  // directory on the path and looked the path up from the file system's root.
  Result<std::string> ReadFileRange(const std::string& rel, std::uint64_t offset,
                                    std::size_t length) override {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;  // no wait on a FIFO
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    ScopedFd fd;
    fd.reset(RetryOnEintr([&] {
      return static_cast<int>(::syscall(SYS_openat2, fd_, rel.c_str(), &how, sizeof how));
    }));
    if (fd.get() < 0) {
      const int error = errno;
      // No openat2 (an older kernel, a seccomp filter), a link on the path, a path leaving
      // the directory, a rename racing the lookup: the Env decides and names what is wrong.
      if (error == ENOSYS || error == EPERM || error == ELOOP || error == EXDEV ||
          error == EAGAIN) {
        return Status::NotSupported(
            fmt::format("{}/{}: openat2: {}", path_, rel, std::strerror(error)));
      }
      return ErrnoStatus("open", path_ + "/" + rel, error);
    }
    const std::string path = path_ + "/" + rel;
    std::uint64_t size = 0;
    TEXTDB_RETURN_IF_ERROR(CheckRegular(fd.get(), path, &size));
    std::string data(length, '\0');
    TEXTDB_RETURN_IF_ERROR(ReadAt(fd.get(), path, offset, /*to_end=*/false, &data));
    return data;
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::string> ReadFile(const std::string& path) override {
    ScopedFd fd;
    std::uint64_t size = 0;
    TEXTDB_RETURN_IF_ERROR(OpenRegular(path, &fd, &size));
    // PERF: one byte more than the size, so that the read that sees end-of-file needs no
    // growth (a doubling copy of the whole file) when the size did not change meanwhile.
    std::string data(static_cast<std::size_t>(size) + 1, '\0');
    TEXTDB_RETURN_IF_ERROR(ReadAt(fd.get(), path, 0, /*to_end=*/true, &data));
    return data;
  }

  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    ScopedFd fd;
    std::uint64_t size = 0;
    TEXTDB_RETURN_IF_ERROR(OpenRegular(path, &fd, &size));
    std::string data(length, '\0');
    TEXTDB_RETURN_IF_ERROR(ReadAt(fd.get(), path, offset, /*to_end=*/false, &data));
    return data;
  }

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    ScopedFd fd;
    std::uint64_t size = 0;
    TEXTDB_RETURN_IF_ERROR(OpenRegular(path, &fd, &size));
    auto file = std::make_unique<PosixSequentialFile>(path, fd.get());
    fd.release();
    return std::unique_ptr<SequentialFile>(std::move(file));
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC);
    const int fd = RetryOnEintr([&] { return ::open(path.c_str(), flags, 0644); });
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) < 0) {
      return ErrnoStatus(fmt::format("rename to {}", to), from, errno);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) < 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0) return Status::Ok();
    const int error = errno;
    struct stat st {};
    if (error == EEXIST && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::Ok();
    }
    return ErrnoStatus("mkdir", path, error);
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) < 0) return ErrnoStatus("rmdir", path, errno);
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    const int fd = RetryOnEintr(
        [&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW); });
    if (fd < 0) return ErrnoStatus("open directory", path, errno);
    const int rc = RetryOnEintr([&] { return ::fsync(fd); });
    const int error = errno;
    ::close(fd);
    if (rc < 0) return ErrnoStatus("fsync directory", path, error);
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    boost::system::error_code ec;
    std::vector<std::string> names;
    boost::filesystem::directory_iterator it(path, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return ErrnoStatus("list directory", path, ec.value());
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<std::vector<DirEntry>> ListDirEntries(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return ErrnoStatus("open directory", path, errno);
    std::vector<DirEntry> entries;
    int error = 0;
    for (;;) {
      errno = 0;
      const struct dirent* found = ::readdir(dir);
      if (found == nullptr) {
        error = errno;
        break;
      }
      const std::string_view name = found->d_name;
      if (name == "." || name == "..") continue;
      DirEntry entry{std::string(name), FileInfo::Type::kOther};
      switch (found->d_type) {
        case DT_REG:
          entry.type = FileInfo::Type::kRegular;
          break;
        case DT_DIR:
          entry.type = FileInfo::Type::kDirectory;
          break;
        case DT_LNK:
          entry.type = FileInfo::Type::kSymlink;
          break;
        case DT_UNKNOWN: {  // the file system does not record types: ask
          struct stat st {};
          const std::string entry_path = path + "/" + entry.name;
          if (::lstat(entry_path.c_str(), &st) < 0) {
            if (errno == ENOENT) continue;  // removed meanwhile
            error = errno;
            break;
          }
          entry.type = TypeOf(st.st_mode);
          break;
        }
        default:
          break;
      }
      if (error != 0) break;
      entries.push_back(std::move(entry));
    }
    ::closedir(dir);
    if (error != 0) return ErrnoStatus("list directory", path, error);
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    return entries;
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) return ErrnoStatus("lstat", path, errno);
    return InfoOf(st);
  }

  Result<std::unique_ptr<Directory>> OpenDirectory(const std::string& path) override {
    const int fd =
        RetryOnEintr([&] { return ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return ErrnoStatus("open directory", path, errno);
    return std::unique_ptr<Directory>(std::make_unique<PosixDirectory>(path, fd));
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    Result<int> fd = OpenLock(path);
    if (!fd.ok()) return fd.status();
    if (Status status = SetLock(*fd, path, exclusive, wait); !status.ok()) {
      ::close(*fd);
      return status;
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixFileLock>(*fd));
  }

  Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& path) override {
    Result<int> fd = OpenLock(path);
    if (!fd.ok()) return fd.status();
    Result<std::uint64_t*> counter = MapCounter(*fd, path);
    if (!counter.ok()) {
      ::close(*fd);
      return counter.status();
    }
    return std::unique_ptr<LockFileHandle>(
        std::make_unique<PosixLockFileHandle>(path, *fd, *counter));
  }

  // The first 8 bytes of the lock file `fd`, mapped shared (LockFileHandle::SharedCounter). The
  // file grows to 8 bytes when shorter (a new file: the counter starts at 0); it never shrinks,
  // so two processes doing this at once agree. A file system without shared mappings is
  // refused with an error rather than used without the counter [C-012].
  static Result<std::uint64_t*> MapCounter(int fd, const std::string& path) {
    constexpr std::size_t kSize = sizeof(std::uint64_t);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return ErrnoStatus("stat", path, errno);
    if (static_cast<std::size_t>(st.st_size) < kSize &&
        RetryOnEintr([&] { return ::ftruncate(fd, kSize); }) != 0) {
      return ErrnoStatus("grow lock file", path, errno);
    }
    void* map = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return ErrnoStatus("map lock file (shared memory)", path, errno);
    return static_cast<std::uint64_t*>(map);
  }

  static Result<int> OpenLock(const std::string& path) {
    const int fd = RetryOnEintr(
        [&] { return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644); });
    if (fd < 0) return ErrnoStatus("open lock file", path, errno);
    return fd;
  }

  // An open-file-description lock on the whole file [C-010].
  static Status SetLock(int fd, const std::string& path, bool exclusive, bool wait) {
    struct flock lock {};
    lock.l_type = exclusive ? F_WRLCK : F_RDLCK;
    lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file; l_pid must be 0 for OFD
    const int rc =
        RetryOnEintr([&] { return ::fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &lock); });
    if (rc == 0) return Status::Ok();
    const int error = errno;
    if (error == EAGAIN || error == EACCES) {
      return Status::Conflict(fmt::format("{}: locked by another process", path));
    }
    return ErrnoStatus("lock", path, error);
  }

 private:
  // PERF: one descriptor for the life of the handle, so a lock costs one fcntl each way.
  class PosixLockFileHandle final : public LockFileHandle {
   public:
    PosixLockFileHandle(std::string path, int fd, std::uint64_t* counter)
        : path_(std::move(path)), fd_(fd), counter_(counter) {}
    ~PosixLockFileHandle() override {
      ::munmap(counter_, sizeof(*counter_));
      if (fd_ >= 0) ::close(fd_);
    }
    std::uint64_t* SharedCounter() override { return counter_; }
    Status Lock(bool exclusive, bool wait) override {
      if (fd_ < 0) {  // closed by a failed Unlock
        Result<int> fd = OpenLock(path_);
        if (!fd.ok()) return fd.status();
        fd_ = *fd;
      }
      return SetLock(fd_, path_, exclusive, wait);
    }
    void Unlock() override {
      struct flock lock {};
      lock.l_type = F_UNLCK;
      lock.l_whence = SEEK_SET;
      if (::fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
        ::close(fd_);  // the last descriptor of the description: this releases the lock
        fd_ = -1;
      }
    }

   private:
    std::string path_;
    int fd_;
    std::uint64_t* const counter_;  // the mapping outlives a close of fd_ by a failed Unlock
  };
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never destroyed: may be used during static teardown
  return env;
}

}  // namespace textdb
