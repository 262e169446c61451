// The registry of `textdb` subcommands.
//
// A subcommand lives in commands/<name>.cc and exposes one setup function here. textdb_main.cc
// calls every setup function in kCommands before parsing; the setup adds the subcommand and its
// options to the CLI11 app and returns the function that runs it. Only the subcommand the user
// named is run, after the whole command line parsed without error.
//
// Adding a subcommand:
//   1. write commands/<name>.cc defining `Command Setup<Name>(CLI::App& root)`;
//   2. declare it below and append it to kCommands (the order `textdb --help` lists them in);
//   3. add the file to tools/CMakeLists.txt and golden cases to tests/cli/cases/.
//
// Contract of a setup function: it calls root.add_subcommand(name, description) exactly once and
// binds the options to state the returned CommandMain captures (a std::shared_ptr, since the app
// outlives the call). Checks that CLI11 cannot express (option combinations) go into the
// subcommand's callback and throw CLI::ValidationError, so every usage error is reported the same
// way (exit code 2). The CommandMain does the work and returns an ExitCode (cli_support.h); it
// reports errors itself with the cli_support helpers and throws nothing but std::bad_alloc.
#ifndef TEXTDB_TOOLS_COMMANDS_COMMANDS_H_
#define TEXTDB_TOOLS_COMMANDS_COMMANDS_H_

#include <functional>

#include <CLI/CLI.hpp>

#include "cli_support.h"

namespace textdb::cli {

// Runs a parsed subcommand; returns the process exit code.
using CommandMain = std::function<ExitCode()>;

// A subcommand as its setup function added it.
struct Command {
  CLI::App* app = nullptr;  // the subcommand; owned by the root app
  CommandMain main;         // runs it
};

// Adds a subcommand to `root`.
using CommandSetup = Command (*)(CLI::App& root);

// `textdb convert`: converts between deb822, JSON, NDJSON and CSV (commands/convert.cc).
Command SetupConvert(CLI::App& root);

// Every subcommand, in the order `textdb --help` lists them.
inline constexpr CommandSetup kCommands[] = {
    SetupConvert,
};

}  // namespace textdb::cli

#endif  // TEXTDB_TOOLS_COMMANDS_COMMANDS_H_
