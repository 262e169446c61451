// The shared Debian Packages index as benchmark input, for the programs of tests/bench/.
//
// Input: the file named by the environment variable TEXTDB_PACKAGES; otherwise
// <source>/../shared/data/debian-bookworm-main-amd64-Packages.xz decompressed with `xz -dc` into
// a temporary file (the caller removes it). LoadInput prints why and returns false on failure.
#ifndef TEXTDB_TESTS_BENCH_PACKAGES_INPUT_H_
#define TEXTDB_TESTS_BENCH_PACKAGES_INPUT_H_

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace textdb::bench {

inline constexpr std::string_view kXzRelativePath =
    "/../shared/data/debian-bookworm-main-amd64-Packages.xz";

// The input, loaded once by a benchmark program's main() before any benchmark runs.
struct Input {
  std::string path;       // a plain (decompressed) file with the text, for the file-based peers
  std::string temp_path;  // non-empty when `path` is our temporary file
  std::string text;
};
inline bool ReadWholeFile(const std::string& path, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok) {
    out->resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (ok && done < out->size()) {
      const ssize_t n = ::read(fd, out->data() + done, out->size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  return ok;
}

// Runs `xz -dc xz_path` with its standard output in a new temporary file; returns its path, or an
// empty string on failure.
inline std::string DecompressToTemp(const std::string& xz_path) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") +
                     "/deb822_bench_Packages_XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::execlp("xz", "xz", "-dc", "--", xz_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fd);
  int status = 0;
  const bool ok =
      pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok) {
    ::unlink(path.c_str());
    return {};
  }
  return path;
}

// Loads the input as described at the top of the file; prints why and returns false on failure.
inline bool LoadInput(Input* input) {
  if (const char* env = std::getenv("TEXTDB_PACKAGES"); env != nullptr && *env != '\0') {
    input->path = env;
    if (!ReadWholeFile(input->path, &input->text)) {
      std::fprintf(stderr, "bench: cannot read TEXTDB_PACKAGES=%s: %s\n", env,
                   std::strerror(errno));
      return false;
    }
    return true;
  }
  const std::string xz_path = std::string(TEXTDB_SOURCE_DIR) + std::string(kXzRelativePath);
  if (::access(xz_path.c_str(), R_OK) != 0) {
    std::fprintf(stderr,
                 "bench: no input. Set TEXTDB_PACKAGES to a decompressed Packages file, "
                 "or provide %s (not readable: %s)\n",
                 xz_path.c_str(), std::strerror(errno));
    return false;
  }
  input->temp_path = DecompressToTemp(xz_path);
  if (input->temp_path.empty()) {
    std::fprintf(stderr, "bench: `xz -dc %s` into a temporary file failed\n", xz_path.c_str());
    return false;
  }
  input->path = input->temp_path;
  if (!ReadWholeFile(input->path, &input->text)) {
    std::fprintf(stderr, "bench: cannot read %s\n", input->path.c_str());
    return false;
  }
  return true;
}

}  // namespace textdb::bench

#endif  // TEXTDB_TESTS_BENCH_PACKAGES_INPUT_H_
