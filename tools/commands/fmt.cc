// `textdb fmt [--check] [TABLE...]`: rewrites data files in canonical form, records in key order
// (Database::Format, format-spec/storage.md [B-030, B-031]).
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct FmtOptions {
  std::string db;
  std::vector<std::string> tables;
  bool check = false;
};

ExitCode RunFmt(const FmtOptions& options) {
  Result<std::unique_ptr<Database>> db =
      OpenDatabase(options.db, /*preload=*/false, Access::kWrite);
  if (!db.ok()) return ReportDbError(db.status());
  std::vector<std::string> tables = options.tables;
  if (tables.empty()) tables = (*db)->Tables();
  for (const std::string& table : tables) {
    Result<Schema> schema = TableSchema(**db, table);
    if (!schema.ok()) return ReportDbError(schema.status());
  }
  std::vector<std::string> changed;
  for (const std::string& table : tables) {
    const Status status = (*db)->Format(table, options.check, &changed);
    if (!status.ok()) return ReportDbError(**db, status);
  }
  std::string out;
  for (const std::string& path : changed) {
    out += fmt::format("{}{}\n", DatabasePath(**db, path),
                       options.check ? ": not in canonical form" : ": formatted");
  }
  const Status written = WriteOutput("", out);
  if (!written.ok()) return ReportError(written);
  // Like gofmt -l and black --check: 1 when a file would change.
  return options.check && !changed.empty() ? kExitNotFound : kExitOk;
}

}  // namespace

Command SetupFmt(CLI::App& root) {
  auto options = std::make_shared<FmtOptions>();
  CLI::App* command =
      root.add_subcommand("fmt", "Rewrite data files in canonical form, records in key order");
  command->footer(
      "Rewrites every data file of the database (or of each TABLE) in canonical form: one\n"
      "'Name: value' per field line, one empty line between records, records in key order,\n"
      "records that sit in the wrong file moved to theirs. Comments are kept: a comment\n"
      "paragraph moves with the record after it. All files change in one atomic commit;\n"
      "files already canonical are not touched, and a second run changes nothing.\n"
      "Prints each file it rewrote. With --check, changes nothing, prints each file that is\n"
      "not canonical and exits 1 when there is any.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb fmt\n"
      "  textdb fmt --check packages");
  AddDatabaseOption(command, &options->db);
  command->add_flag("--check", options->check, "Change nothing; list the files fmt would change");
  command->add_option("TABLE", options->tables, "Only these tables")->type_name("");
  return {command, [options] { return RunFmt(*options); }};
}

}  // namespace textdb::cli
