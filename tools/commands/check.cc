// `textdb check [TABLE]`: checks the database (or one table): every data file parses, every
// record holds its schema and sits in the right partition, no key is stored twice. Prints every
// problem and exits 3 when there is any. Opening the database has already recovered from an
// interrupted commit (Database::Open), so leftover journals and temporary files are gone.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct CheckOptions {
  std::string db;
  std::string table;
};

// True when `problem` (a Database::Check message) concerns a file of `table`.
bool InTable(const std::string& problem, const std::string& table) {
  return problem.starts_with(table + "/");
}

ExitCode RunCheck(const CheckOptions& options) {
  // PERF: no preload: Check reads and indexes every data file itself.
  Result<std::unique_ptr<Database>> db =
      OpenDatabase(options.db, /*preload=*/false, Access::kWrite);
  if (!db.ok()) return ReportDbError(db.status());
  const std::vector<std::string> tables = (*db)->Tables();
  if (!options.table.empty()) {
    Result<Schema> schema = TableSchema(**db, options.table);
    if (!schema.ok()) return ReportDbError(schema.status());
  }
  std::vector<std::string> problems;
  const Status checked = (*db)->Check(&problems);
  if (!checked.ok() && checked.code() != StatusCode::kInvalidData) {
    return ReportDbError(**db, checked);
  }
  std::size_t reported = 0;
  for (const std::string& problem : problems) {
    // With TABLE, the problems of other tables are left out; those of the database as a whole
    // (an unfinished commit) are kept.
    if (!options.table.empty() && !InTable(problem, options.table)) {
      bool other_table = false;
      for (const std::string& table : tables) other_table = other_table || InTable(problem, table);
      if (other_table) continue;
    }
    PrintError(LocateInDatabase(**db, problem));
    ++reported;
  }
  const std::string scope = options.table.empty() ? fmt::format("{} table(s)", tables.size())
                                                  : fmt::format("table '{}'", options.table);
  if (reported > 0) {
    PrintError(fmt::format("error: {} problem(s) found in {}", reported, scope));
    return kExitInvalidData;
  }
  const Status written = WriteOutput("", fmt::format("ok: {}, no problems found\n", scope));
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupCheck(CLI::App& root) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = root.add_subcommand("check", "Check the database files for problems");
  command->footer(
      "Reads every data file of the database (or of TABLE) and reports each problem as\n"
      "FILE:LINE:COL: error: MESSAGE [RULE]: a file that does not parse, a record that breaks\n"
      "its table's schema, a key stored twice or in the wrong file. Exit status 3 when there\n"
      "is any problem. As every command that opens the database, check first finishes a\n"
      "commit that was interrupted and removes the temporary files it left [R-001, R-002].\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb check\n"
      "  textdb check packages --db /srv/textdb");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "Check only this table")->type_name("");
  return {command, [options] { return RunCheck(*options); }};
}

}  // namespace textdb::cli
