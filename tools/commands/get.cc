// `textdb get TABLE KEY...`: prints the record with that key exactly as stored.
//
// PERF: the database is opened without preload, so a fresh process reads only the one partition
// file that can hold the key.
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct GetOptions {
  std::string db;
  std::string table;
  std::vector<std::string> key;
};

ExitCode RunGet(const GetOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kRead);
  if (!opened.ok()) return ReportDbError(opened.status());
  if (Status count = CheckKeyCount(opened->schema, options.key); !count.ok()) {
    return ReportDbError(count);
  }
  Result<Record> record = opened->db->Get(options.table, options.key);
  if (!record.ok()) return ReportDbError(*opened->db, record.status());
  std::string out;
  AppendStoredStanza(record->stanza(), &out);
  const Status written = WriteOutput("", out);
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupGet(CLI::App& root) {
  auto options = std::make_shared<GetOptions>();
  CLI::App* command = root.add_subcommand("get", "Print the record with a given key");
  command->footer(
      "Give one KEY argument per key field of the table, in key order ('textdb schema TABLE'\n"
      "shows the Key). Prints the record's stanza exactly as stored, comments inside it\n"
      "included. Exit status 1, with a message, when there is no such record.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb get packages zsh 5.9-4+b15\n"
      "  textdb get items bolt-m6 --db inventory");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("KEY", options->key, "The key values, one per key field")
      ->required()
      ->type_name("");
  return {command, [options] { return RunGet(*options); }};
}

}  // namespace textdb::cli
