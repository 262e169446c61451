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
#include <string_view>

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

// The database subcommands; what they share is in db_support.h.
// `textdb init [DIR]`: creates an empty database (commands/init.cc).
Command SetupInit(CLI::App& root);
// `textdb create TABLE --key ...` or `--schema FILE`: creates a table (commands/create.cc).
Command SetupCreate(CLI::App& root);
// `textdb tables`: lists the tables (commands/tables.cc).
Command SetupTables(CLI::App& root);
// `textdb schema TABLE`: prints a table's schema (commands/schema.cc).
Command SetupSchema(CLI::App& root);
// `textdb import TABLE [FILE...]`: adds records, all or nothing (commands/import.cc).
Command SetupImport(CLI::App& root);
// `textdb get TABLE KEY...`: prints one record as stored (commands/get.cc).
Command SetupGet(CLI::App& root);
// The query subcommands; what they share is in query_support.h.
// `textdb select TABLE [--where EXPR] ...`: prints the matching records (commands/select.cc).
Command SetupSelect(CLI::App& root);
// `textdb sql "STATEMENT"`: SELECT, INSERT, UPDATE or DELETE (commands/sql.cc).
Command SetupSql(CLI::App& root);
// `textdb edit TABLE KEY...` or `--new`: a record in $EDITOR, stored once valid
// (commands/edit.cc).
Command SetupEdit(CLI::App& root);

// `textdb put TABLE [FILE]`: inserts or replaces records (commands/put.cc).
Command SetupPut(CLI::App& root);
// `textdb set TABLE KEY... FIELD=VALUE...`: changes fields of one record (commands/set.cc).
Command SetupSet(CLI::App& root);
// `textdb delete TABLE KEY...` or `--where EXPR`: deletes records (commands/delete.cc).
Command SetupDelete(CLI::App& root);
// `textdb check [TABLE]`: reports every problem in the data files (commands/check.cc).
Command SetupCheck(CLI::App& root);
// `textdb locate TABLE KEY...`: prints PATH:LINE of one record (commands/locate.cc).
Command SetupLocate(CLI::App& root);
// `textdb stats`: prints the database's figures (commands/stats.cc).
Command SetupStats(CLI::App& root);
// `textdb export TABLE`: writes every record of a table (commands/export.cc).
Command SetupExport(CLI::App& root);
// `textdb fmt [--check] [TABLE...]`: canonical form, records in key order (commands/fmt.cc).
Command SetupFmt(CLI::App& root);
// `textdb repartition TABLE --depth N`: another partition depth (commands/repartition.cc).
Command SetupRepartition(CLI::App& root);

// The git subcommands; what they share is in git_support.h.
// `textdb git-setup`: registers the merge and diff drivers with git (commands/git_setup.cc).
Command SetupGitSetup(CLI::App& root);
// `textdb merge-driver %O %A %B %P %L`: git's merge driver (commands/merge_driver.cc).
Command SetupMergeDriver(CLI::App& root);
// `textdb diff [REV [REV]] [TABLE...]`: record-level diff of versions in git (commands/diff.cc).
Command SetupDiff(CLI::App& root);
// `textdb diff-driver ARGS...`: git's external diff command (commands/diff.cc).
Command SetupDiffDriver(CLI::App& root);

// A subcommand's name, as its Setup* gives it to CLI11, and its Setup*.
struct CommandEntry {
  std::string_view name;
  CommandSetup setup;
};

// Every subcommand, in the order `textdb --help` lists them.
// INVARIANT: each name is the one its setup registers (textdb_main.cc checks it whenever it
// sets them all up, which the man page's generation at build time does).
inline constexpr CommandEntry kCommands[] = {
    {"init", SetupInit},
    {"create", SetupCreate},
    {"tables", SetupTables},
    {"schema", SetupSchema},
    {"import", SetupImport},
    {"get", SetupGet},
    {"select", SetupSelect},
    {"sql", SetupSql},
    {"put", SetupPut},
    {"set", SetupSet},
    {"edit", SetupEdit},
    {"delete", SetupDelete},
    {"locate", SetupLocate},
    {"export", SetupExport},
    {"check", SetupCheck},
    {"fmt", SetupFmt},
    {"repartition", SetupRepartition},
    {"stats", SetupStats},
    {"convert", SetupConvert},
    {"git-setup", SetupGitSetup},
    {"diff", SetupDiff},
    {"merge-driver", SetupMergeDriver},
    {"diff-driver", SetupDiffDriver},
};

}  // namespace textdb::cli

#endif  // TEXTDB_TOOLS_COMMANDS_COMMANDS_H_
