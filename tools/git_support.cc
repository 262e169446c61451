// Running git, and classifying textdb files: see git_support.h.
#include "git_support.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "cli_support.h"
#include "db_support.h"
#include "textdb/env.h"
#include "textdb/schema.h"

extern char** environ;

namespace textdb::cli {
namespace {

Status SpawnError(const std::string& program, int error) {
  return Status::IOError(fmt::format("{}: error: {}", program, std::strerror(error)));
}

bool IsDirectory(const std::string& path) {
  Result<FileInfo> info = Env::Default()->Stat(path);
  return info.ok() && info->type == FileInfo::Type::kDirectory;
}

bool IsRegularFile(const std::string& path) {
  Result<FileInfo> info = Env::Default()->Stat(path);
  return info.ok() && info->type == FileInfo::Type::kRegular;
}

}  // namespace

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 const std::string& dir) {
  // Pipes: [0] the child's stdin, [1] its stdout, [2] its stderr.
  std::array<std::array<int, 2>, 3> pipes{};
  for (auto& p : pipes) {
    if (::pipe2(p.data(), O_CLOEXEC) != 0) return SpawnError(argv.front(), errno);
  }
  const auto close_all = [&] {
    for (auto& p : pipes) {
      for (int& fd : p) {
        if (fd >= 0) ::close(fd);
        fd = -1;
      }
    }
  };
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0);
  posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2);
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args.front(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    close_all();
    return SpawnError(argv.front(), spawned);
  }
  ::close(pipes[0][0]);
  ::close(pipes[1][1]);
  ::close(pipes[2][1]);
  pipes[0][0] = pipes[1][1] = pipes[2][1] = -1;
  // A child that exits early must not kill us with SIGPIPE while we write its input.
  struct sigaction ignore {};
  struct sigaction previous {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &previous);
  ProcessResult result;
  std::size_t written = 0;
  if (input.empty()) {
    ::close(pipes[0][1]);
    pipes[0][1] = -1;
  }
  int error = 0;
  char buffer[65536];
  while (pipes[0][1] >= 0 || pipes[1][0] >= 0 || pipes[2][0] >= 0) {
    std::array<pollfd, 3> fds{};
    fds[0] = {pipes[0][1], POLLOUT, 0};
    fds[1] = {pipes[1][0], POLLIN, 0};
    fds[2] = {pipes[2][0], POLLIN, 0};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    if (fds[0].revents != 0) {
      const ssize_t n = ::write(pipes[0][1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 || written == input.size()) {  // done, or the child closed its input (EPIPE)
        ::close(pipes[0][1]);
        pipes[0][1] = -1;
      }
    }
    for (std::size_t i = 1; i <= 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::read(pipes[i][0], buffer, sizeof buffer);
      if (n > 0) {
        (i == 1 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(pipes[i][0]);
        pipes[i][0] = -1;
      }
    }
  }
  close_all();
  ::sigaction(SIGPIPE, &previous, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return SpawnError(argv.front(), errno);
  }
  if (error != 0) return SpawnError(argv.front(), error);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (result.exit_code == 127 && result.out.empty()) {
    return Status::IOError(fmt::format("{}: error: not found", argv.front()));
  }
  return result;
}

Result<std::string> Git(const std::vector<std::string>& args, const std::string& dir) {
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  Result<ProcessResult> run = RunProcess(argv, {}, dir);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0) {
    std::string message = run->err;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    std::string command = "git";
    for (const std::string& arg : args) command += " " + arg;
    return Status::InvalidArgument(fmt::format("{}: {}", command, message));
  }
  return std::move(run->out);
}

TextdbFile ClassifyFile(const std::string& path) {
  TextdbFile file;
  if (!path.ends_with(".deb822")) return file;
  // The components of the path's directory; the database is the nearest ancestor holding the
  // marker file, the table the component right below it.
  std::vector<std::string> parts;
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  parts.pop_back();  // the file name
  for (std::size_t depth = parts.size(); depth-- > 0;) {
    std::string db;
    for (std::size_t i = 0; i < depth; ++i) db += (i == 0 ? "" : "/") + parts[i];
    if (db.empty() && path.starts_with('/')) continue;
    const std::string base = db.empty() ? "." : db;
    if (!IsRegularFile(base + "/" + std::string(kMarkerFileName))) continue;
    file.db_dir = base;
    file.table = parts[depth];
    if (file.table.empty() || file.table.starts_with('.') ||
        !IsDirectory(base + "/" + file.table)) {
      return TextdbFile{};
    }
    const bool at_table_root = depth + 1 == parts.size();
    file.kind = at_table_root && path.ends_with("/" + std::string(kSchemaFileName))
                    ? TextdbFile::Kind::kSchema
                    : TextdbFile::Kind::kData;
    return file;
  }
  return file;
}

Result<RecordKeys> KeysForFile(const TextdbFile& file) {
  if (file.kind == TextdbFile::Kind::kSchema) return SchemaFileKeys();
  const std::string schema_path = fmt::format("{}/{}/{}", file.db_dir, file.table, kSchemaFileName);
  Result<std::string> text = ReadInput(schema_path);
  if (!text.ok()) return text.status();
  Result<Schema> schema = ParseSchema(std::move(text).value(), schema_path);
  if (!schema.ok()) return schema.status();
  return KeysOf(*schema);
}

}  // namespace textdb::cli
