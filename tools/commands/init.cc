// `textdb init [DIR]`: creates an empty database in DIR (default: the current directory), which
// must be new, empty or hold only a git repository's own files [B-001, B-005]; missing parent
// directories are created.
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/db.h"
#include "textdb/env.h"

namespace textdb::cli {
namespace {

struct InitOptions {
  std::string dir = ".";
};

// Creates the missing parent directories of `dir`, as `mkdir -p` does. Fails with kIOError
// "PATH: error: Not a directory" when a parent exists as something else.
Status CreateParents(const std::string& dir) {
  Env* env = Env::Default();
  for (std::size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    const std::string parent = dir.substr(0, slash);
    Result<FileInfo> info = env->Stat(parent);
    if (info.ok() && info->type != FileInfo::Type::kDirectory) {
      return Status::IOError(fmt::format("{}: error: {}", parent, std::strerror(ENOTDIR)));
    }
    TEXTDB_RETURN_IF_ERROR(env->CreateDir(parent));
  }
  return Status::Ok();
}

ExitCode RunInit(const InitOptions& options) {
  if (IsDatabaseDir(options.dir)) {
    PrintError(fmt::format("error: {}: a textdb database exists here already", options.dir));
    return kExitConflict;
  }
  if (Status parents = CreateParents(options.dir); !parents.ok()) return ReportDbError(parents);
  const Status created = Database::Create(options.dir);
  if (!created.ok()) {
    if (created.code() == StatusCode::kConflict) {
      PrintError(fmt::format("error: {}; textdb init needs a new or an empty directory",
                             created.message()));
      return kExitConflict;
    }
    return ReportDbError(created);
  }
  const Status written =
      WriteOutput("", fmt::format("Initialized an empty textdb database in {}\n", options.dir));
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupInit(CLI::App& root) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* command = root.add_subcommand("init", "Create an empty database");
  command->footer(
      "Creates DIR (default: the current directory) and its missing parents, or uses DIR when\n"
      "it is empty or holds only .git, .gitignore and .gitattributes (so 'git init' may come\n"
      "first). Writes the marker file textdb.conf, a .gitignore that keeps the machine state\n"
      "(.textdb/, temporary files) out of git, and a .gitattributes line that routes the data\n"
      "and schema files to textdb's merge and diff drivers ('*.deb822 merge=textdb\n"
      "diff=textdb'; 'textdb git-setup' registers the drivers). Existing .gitignore and\n"
      ".gitattributes files get only the lines they lack. Fails with exit status 4 when DIR\n"
      "holds a database or other files already.\n"
      "\n"
      "Examples:\n"
      "  textdb init inventory\n"
      "  mkdir db && cd db && textdb init\n"
      "  git init db && textdb init db && cd db && textdb git-setup");
  command->add_option("DIR", options->dir, "The directory to create the database in")
      ->type_name("");
  return {command, [options] { return RunInit(*options); }};
}

}  // namespace textdb::cli
