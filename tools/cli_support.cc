// Exit codes, stderr messages and file I/O shared by the textdb subcommands (see cli_support.h).
// Files are read and written with POSIX calls directly: errno is what the messages report.
#include "cli_support.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace textdb::cli {
namespace {

// "NAME: error: <strerror(error)>" as a kIOError status.
Status IOErrorStatus(std::string_view name, int error) {
  return Status::IOError(fmt::format("{}: error: {}", name, std::strerror(error)));
}

// Closes `fd` on scope exit unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  // Closes the descriptor now; returns 0 or the errno of close(2).
  int Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Reads `fd` to its end. Returns 0 or an errno.
int ReadAll(int fd, std::string* out) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    out->reserve(static_cast<std::size_t>(st.st_size));
  }
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    out->append(buffer, static_cast<std::size_t>(n));
  }
}

// Writes all of `data` to `fd`. Returns 0 or an errno.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

// Writes `data` into the existing non-regular file `path` (see WriteFileAtomically).
Status WriteInPlace(const std::string& path, std::string_view data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return IOErrorStatus(path, errno);
  FdCloser closer(fd);
  if (const int error = WriteAll(fd, data); error != 0) return IOErrorStatus(path, error);
  if (const int error = closer.Close(); error != 0) return IOErrorStatus(path, error);
  return Status::Ok();
}

// Creates a new temporary file next to `path` with O_EXCL; sets *temp_path. Returns the
// descriptor, or -1 with errno set.
int CreateTempFile(const std::string& dir, const std::string& base, std::string* temp_path) {
  constexpr int kAttempts = 100;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    *temp_path = fmt::format("{}/.{}.textdb-tmp-{}-{}", dir, base, ::getpid(), attempt);
    const int fd = ::open(temp_path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

// Writes, fsyncs and closes the new temporary file `fd`; gives it the permission bits of the
// file it replaces, if any. Returns 0 or an errno.
int FillTempFile(int fd, const struct stat* replaced, std::string_view data) {
  FdCloser closer(fd);
  if (replaced != nullptr && ::fchmod(fd, replaced->st_mode & 07777) != 0) return errno;
  if (const int error = WriteAll(fd, data); error != 0) return error;
  if (::fsync(fd) != 0) return errno;
  return closer.Close();
}

// Makes a completed rename in `dir` durable. Returns 0 or an errno.
int SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return errno;
  return closer.Close();
}

}  // namespace

ExitCode ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kInvalidData:
      return kExitInvalidData;
    case StatusCode::kIOError:
      return kExitIOError;
    case StatusCode::kConflict:
      return kExitConflict;
    case StatusCode::kNotSupported:
      return kExitUsage;
  }
  return kExitInternal;
}

bool ColourEnabled(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(fd) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

void PrintError(std::string_view message) {
  constexpr std::string_view kKeyword = "error:";
  // The keyword starts the message or follows the location's ": ".
  std::size_t begin = std::string_view::npos;
  if (message.starts_with(kKeyword)) {
    begin = 0;
  } else if (const std::size_t space = message.find(" error:"); space != std::string_view::npos) {
    begin = space + 1;
  }
  if (begin == std::string_view::npos || !ColourEnabled(STDERR_FILENO)) {
    fmt::print(stderr, "textdb: {}\n", message);
    return;
  }
  fmt::print(stderr, "textdb: {}{}{}{}{}\n", message.substr(0, begin), kBoldRed, kKeyword, kReset,
             message.substr(begin + kKeyword.size()));
}

void PrintWarning(std::string_view file, std::string_view message) {
  if (ColourEnabled(STDERR_FILENO)) {
    fmt::print(stderr, "textdb: {}: {}warning:{} {}\n", file, kBoldMagenta, kReset, message);
    return;
  }
  fmt::print(stderr, "textdb: {}: warning: {}\n", file, message);
}

ExitCode UsageError(std::string_view message) {
  PrintError(fmt::format("error: {}", message));
  return kExitUsage;
}

ExitCode ReportError(const Status& status) {
  PrintError(status.message());
  return ExitCodeFor(status);
}

std::string InputDisplayName(std::string_view path) {
  return std::string(path == kStdioArgument ? kStdinName : path);
}

Result<std::string> ReadInput(const std::string& path) {
  std::string text;
  if (path == kStdioArgument) {
    if (const int error = ReadAll(STDIN_FILENO, &text); error != 0) {
      return IOErrorStatus(kStdinName, error);
    }
    return text;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOErrorStatus(path, errno);
  FdCloser closer(fd);
  if (const int error = ReadAll(fd, &text); error != 0) return IOErrorStatus(path, error);
  return text;
}

Status WriteOutput(const std::string& path, std::string_view data) {
  if (path.empty() || path == kStdioArgument) {
    if (const int error = WriteAll(STDOUT_FILENO, data); error != 0) {
      return IOErrorStatus(kStdoutName, error);
    }
    return Status::Ok();
  }
  return WriteFileAtomically(path, data);
}

Status WriteFileAtomically(const std::string& path, std::string_view data) {
  struct stat existing {};
  const bool exists = ::lstat(path.c_str(), &existing) == 0;
  if (exists && !S_ISREG(existing.st_mode)) return WriteInPlace(path, data);
  if (!exists && errno != ENOENT) return IOErrorStatus(path, errno);

  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) return IOErrorStatus(path, EISDIR);

  std::string temp_path;
  const int fd = CreateTempFile(dir, base, &temp_path);
  if (fd < 0) return IOErrorStatus(path, errno);
  int error = FillTempFile(fd, exists ? &existing : nullptr, data);
  if (error == 0 && ::rename(temp_path.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temp_path.c_str());
    return IOErrorStatus(path, error);
  }
  if (const int sync_error = SyncDirectory(dir); sync_error != 0) {
    return IOErrorStatus(path, sync_error);
  }
  return Status::Ok();
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

}  // namespace textdb::cli
