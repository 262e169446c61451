// `textdb tables`: lists the tables of the database, one name a line, sorted.
#include <memory>
#include <string>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct TablesOptions {
  std::string db;
};

ExitCode RunTables(const TablesOptions& options) {
  Result<std::unique_ptr<Database>> db = OpenDatabase(options.db, /*preload=*/false, Access::kRead);
  if (!db.ok()) return ReportDbError(db.status());
  std::string out;
  for (const std::string& table : (*db)->Tables()) out += table + "\n";
  const Status written = WriteOutput("", out);
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupTables(CLI::App& root) {
  auto options = std::make_shared<TablesOptions>();
  CLI::App* command = root.add_subcommand("tables", "List the tables of the database");
  command->footer(std::string(kDatabaseHelp.substr(1)) +
                  "\n"
                  "\n"
                  "Examples:\n"
                  "  textdb tables\n"
                  "  textdb tables --db inventory");
  AddDatabaseOption(command, &options->db);
  return {command, [options] { return RunTables(*options); }};
}

}  // namespace textdb::cli
