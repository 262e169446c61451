// `textdb repartition TABLE --depth N`: moves a table's records to the data files of another
// partition depth (Database::Repartition, format-spec/partitioning.md [P-070..P-073]).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct RepartitionOptions {
  std::string db;
  std::string table;
  int depth = -1;
};

ExitCode RunRepartition(const RepartitionOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  const int before = opened->schema.partition_depth();
  const int depth = options.depth < 0 ? before : options.depth;
  const Status status = opened->db->Repartition(options.table, depth);
  if (!status.ok()) return ReportDbError(*opened->db, status);
  const Status written = WriteOutput(
      "", fmt::format("{}: partition depth {} (was {})\n", options.table, depth, before));
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupRepartition(CLI::App& root) {
  auto options = std::make_shared<RepartitionOptions>();
  CLI::App* command = root.add_subcommand(
      "repartition", "Move a table's records to the files of another partition depth");
  command->footer(
      "Records live in files named after the first DEPTH characters of their key\n"
      "(depth 0: one file all.deb822; 2: j/jo.deb822). This moves every record of TABLE to\n"
      "the file its key maps to at the new depth and writes the depth into the table's\n"
      "schema file, all in one atomic commit; every record keeps its bytes and comments move\n"
      "with their records. Without --depth, keeps the depth and moves misplaced records home\n"
      "(after the schema's Partition-Depth was edited by hand, or a merge).\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb repartition packages --depth 3\n"
      "  textdb repartition users");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("--depth", options->depth, "The new depth, 0 to 4")
      ->check(CLI::Range(0, 4))
      ->type_name("N");
  return {command, [options] { return RunRepartition(*options); }};
}

}  // namespace textdb::cli
