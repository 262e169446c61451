// The `textdb` command: builds the command line from the subcommand registry
// (commands/commands.h), parses it with CLI11 and runs the subcommand named.
//
// Usage errors (anything CLI11 rejects, including the option-combination checks of the
// subcommands) print "textdb: error: MESSAGE" and a pointer to --help, and exit with 2.
#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli_support.h"
#include "commands/commands.h"

namespace textdb::cli {
namespace {

// Prints a usage error and which --help to read; returns kExitUsage.
ExitCode UsageErrorWithHelpHint(std::string_view message, std::string_view subcommand) {
  PrintError(fmt::format("error: {}", message));
  PrintError(
      fmt::format("run 'textdb{}{} --help' for usage", subcommand.empty() ? "" : " ", subcommand));
  return kExitUsage;
}

// `textdb --db DIR SUBCOMMAND ...`, as `git -C DIR ...`: moves a database option (-d DIR,
// --db DIR, -dDIR, --db=DIR) that comes before the subcommand's name to just after it, where
// every subcommand that opens a database takes it. Anything else is left as it is.
void MoveLeadingDatabaseOption(std::vector<char*>* args) {
  if (args->size() < 2) return;
  const std::string_view first = (*args)[1];
  std::size_t width = 0;  // arguments the option takes
  if (first == "-d" || first == "--db") {
    width = 2;
  } else if (first.starts_with("--db=") || (first.starts_with("-d") && !first.starts_with("--"))) {
    width = 1;
  }
  if (width == 0 || args->size() < 2 + width) return;  // no subcommand follows
  const auto begin = args->begin() + 1;
  std::rotate(begin, begin + static_cast<std::ptrdiff_t>(width),
              begin + static_cast<std::ptrdiff_t>(width) + 1);
}

ExitCode Main(int argc, char** argv) {
  CLI::App app("textdb: a record store whose data lives in Debian control (deb822) text files.",
               "textdb");
  app.set_version_flag("--version", "textdb " TEXTDB_VERSION, "Print the version and exit");
  app.footer(
      fmt::format("The database option may come before the subcommand: textdb --db DIR "
                  "SUBCOMMAND ...\n\n{}",
                  kExitCodeHelp));
  std::vector<char*> args(argv, argv + argc);
  MoveLeadingDatabaseOption(&args);

  // PERF: when the first argument names a subcommand, only that one is set up (setting up all
  // of them took 1.2 ms of a 7 ms `textdb get`, tests/bench/RESULTS.md); otherwise (no
  // argument, an option, an unknown name) all are, so that help and errors can list them.
  const CommandEntry* first = nullptr;
  if (args.size() > 1) {
    for (const CommandEntry& entry : kCommands) {
      if (entry.name == args[1]) first = &entry;
    }
  }
  std::vector<Command> commands;
  if (first != nullptr) {
    commands.push_back(first->setup(app));
  } else {
    for (const CommandEntry& entry : kCommands) {
      commands.push_back(entry.setup(app));
      if (commands.back().app->get_name() != entry.name) {
        PrintError(fmt::format("internal error: subcommand '{}' is listed as '{}'",
                               commands.back().app->get_name(), entry.name));
        return kExitInternal;
      }
    }
  }

  try {
    app.parse(static_cast<int>(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e);  // --help or --version: prints to stdout
      return kExitOk;
    }
    const std::vector<CLI::App*> named = app.get_subcommands();
    const std::vector<std::string> extras = app.remaining();
    if (named.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && !extras.empty() &&
        !extras.front().starts_with("-")) {
      return UsageErrorWithHelpHint(fmt::format("unknown subcommand '{}'", extras.front()), "");
    }
    return UsageErrorWithHelpHint(e.what(), named.empty() ? "" : named.front()->get_name());
  }
  for (const Command& command : commands) {
    if (app.got_subcommand(command.app)) return command.main();
  }
  return UsageErrorWithHelpHint("a subcommand is required", "");
}

}  // namespace
}  // namespace textdb::cli

int main(int argc, char** argv) {
  // Reading a table allocates large buffers again and again: a scan reads data files in chunks
  // of 64 KiB or more ([I-016]) and parses chunks into Documents, and the index of a large file
  // grows to megabytes. By default glibc maps each large buffer anew and unmaps it when freed, so
  // its pages fault in (zero filled) every time; kept in the heap, buffers are reused. On the
  // Packages database (tests/bench/RESULTS.md, session 6): `select --count` 81 -> 75 ms, a
  // regular-expression `select --where` 134 -> 117 ms. A process-wide choice, so the command
  // makes it, never the library.
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  try {
    return textdb::cli::Main(argc, argv);
  } catch (const std::bad_alloc&) {
    textdb::cli::PrintError("error: out of memory");
  } catch (const std::exception& e) {
    textdb::cli::PrintError(fmt::format("error: {}", e.what()));
  }
  return textdb::cli::kExitInternal;
}
