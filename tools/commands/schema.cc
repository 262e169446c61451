// `textdb schema TABLE`: prints the schema of a table as a canonical schema file
// (format-spec/schema.md [S-040]), descriptions included.
#include <memory>
#include <string>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/schema.h"

namespace textdb::cli {
namespace {

struct SchemaOptions {
  std::string db;
  std::string table;
};

ExitCode RunSchema(const SchemaOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kRead);
  if (!opened.ok()) return ReportDbError(opened.status());
  const Status written = WriteOutput("", WriteSchema(opened->schema));
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupSchema(CLI::App& root) {
  auto options = std::make_shared<SchemaOptions>();
  CLI::App* command = root.add_subcommand("schema", "Print the schema of a table");
  command->footer(
      "Prints the table's schema file in canonical form (format-spec/schema.md): the table\n"
      "stanza (Table, Key, Partition-Depth, Unknown-Fields, ...), then one stanza per field\n"
      "with its type, constraints and Description. The output is itself a valid schema file\n"
      "for 'textdb create --schema'.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb schema packages\n"
      "  textdb schema packages > packages.schema");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  return {command, [options] { return RunSchema(*options); }};
}

}  // namespace textdb::cli
