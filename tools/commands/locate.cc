// `textdb locate TABLE KEY...`: prints where the record with that key is stored, as
// "PATH:LINE" (the data file, from the current directory, and the stanza's first line), the form
// editors and compilers' error parsers understand.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct LocateOptions {
  std::string db;
  std::string table;
  std::vector<std::string> key;
};

ExitCode RunLocate(const LocateOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kRead);
  if (!opened.ok()) return ReportDbError(opened.status());
  if (Status count = CheckKeyCount(opened->schema, options.key); !count.ok()) {
    return ReportDbError(count);
  }
  Result<Record> record = opened->db->Get(options.table, options.key);
  if (!record.ok()) return ReportDbError(*opened->db, record.status());
  const Status written = WriteOutput(
      "", fmt::format("{}:{}\n", DatabasePath(*opened->db, record->file()), record->line()));
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupLocate(CLI::App& root) {
  auto options = std::make_shared<LocateOptions>();
  CLI::App* command =
      root.add_subcommand("locate", "Print the file and line where a record is stored");
  command->footer(
      "Give one KEY argument per key field, in key order. Prints PATH:LINE: the data file\n"
      "holding the record (a path that works from the current directory) and the line its\n"
      "stanza starts on. Exit status 1, with a message, when there is no such record.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb locate packages zsh 5.9-4+b15     # prints, e.g., packages/z/zs.deb822:1\n"
      "  textdb locate items bolt-m6 | { IFS=: read -r file line; vi \"+$line\" \"$file\"; }");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("KEY", options->key, "The key values, one per key field")
      ->required()
      ->type_name("");
  return {command, [options] { return RunLocate(*options); }};
}

}  // namespace textdb::cli
