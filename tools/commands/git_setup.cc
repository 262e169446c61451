// `textdb git-setup`: registers textdb's merge and diff drivers in the configuration of the git
// repository holding the current directory (`git config --local`), the other half of the
// `.gitattributes` lines `textdb init` writes [B-006] (format-spec/merge.md §7, [M-050]).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "git_support.h"

namespace textdb::cli {
namespace {

struct GitSetupOptions {
  std::string program = "textdb";
};

ExitCode RunGitSetup(const GitSetupOptions& options) {
  Result<ProcessResult> inside = RunProcess({"git", "rev-parse", "--git-dir"});
  if (!inside.ok()) return ReportError(inside.status());
  if (inside->exit_code != 0) {
    PrintError(
        "error: not inside a git repository; run 'git init' first (git-setup writes the "
        "repository's .git/config)");
    return kExitUsage;
  }
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"merge.textdb.name", "textdb: merge data files by record key and field"},
      {"merge.textdb.driver", options.program + " merge-driver %O %A %B %P %L"},
      {"diff.textdb.command", options.program + " diff-driver"},
  };
  std::string out;
  for (const auto& [name, value] : settings) {
    Result<ProcessResult> current = RunProcess({"git", "config", "--local", "--get", name});
    if (!current.ok()) return ReportError(current.status());
    std::string now = current->out;
    if (now.ends_with('\n')) now.pop_back();
    if (current->exit_code == 0 && now == value) {
      out += fmt::format("unchanged {} = {}\n", name, value);
      continue;
    }
    Result<std::string> set = Git({"config", "--local", name, value});
    if (!set.ok()) return ReportError(set.status());
    out += fmt::format("set {} = {}\n", name, value);
  }
  const Status written = WriteOutput("", out);
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupGitSetup(CLI::App& root) {
  auto options = std::make_shared<GitSetupOptions>();
  CLI::App* command =
      root.add_subcommand("git-setup", "Register the merge and diff drivers with git");
  command->footer(
      "Sets, in the configuration of the git repository holding the current directory (git\n"
      "config --local), the drivers that the .gitattributes line written by 'textdb init'\n"
      "('*.deb822 merge=textdb diff=textdb') names:\n"
      "  merge.textdb.name     a description\n"
      "  merge.textdb.driver   textdb merge-driver %O %A %B %P %L\n"
      "  diff.textdb.command   textdb diff-driver\n"
      "and prints each setting as 'set' or 'unchanged'. git config is per clone: run it once\n"
      "in every clone. 'git diff' then shows record-level diffs; 'git log -p' does with\n"
      "--ext-diff. Exit status 2 outside a git repository.\n"
      "\n"
      "Examples:\n"
      "  git init && textdb init && textdb git-setup\n"
      "  textdb git-setup --program /usr/local/bin/textdb");
  command
      ->add_option("--program", options->program,
                   "The textdb command git runs (default: textdb, looked up in PATH)")
      ->type_name("PATH");
  return {command, [options] { return RunGitSetup(*options); }};
}

}  // namespace textdb::cli
