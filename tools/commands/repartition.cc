// `textdb repartition TABLE [--depth N] [--split-above SIZE | --no-split]`: moves a table's
// records to the data files of another partition depth or other split partitions
// (Database::Repartition, format-spec/partitioning.md [P-014], [P-070..P-074]).
#include <cstdint>
#include <limits>
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
  std::uint64_t split_above = 0;  // 0 = keep the split partitions
  bool no_split = false;
};

ExitCode RunRepartition(const RepartitionOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  const int before = opened->schema.partition_depth();
  const std::size_t splits_before = opened->schema.partition_splits().size();
  const int depth = options.depth < 0 ? before : options.depth;
  const std::uint64_t split_above =
      options.no_split ? std::numeric_limits<std::uint64_t>::max() : options.split_above;
  const Status status = opened->db->Repartition(options.table, depth, split_above);
  if (!status.ok()) return ReportDbError(*opened->db, status);
  Result<Schema> after = opened->db->GetSchema(options.table);
  if (!after.ok()) return ReportDbError(*opened->db, after.status());
  std::string report = fmt::format("{}: partition depth {} (was {})", options.table, depth, before);
  if (splits_before != 0 || !after->partition_splits().empty()) {
    const std::size_t splits = after->partition_splits().size();
    report += fmt::format(", {} split partition{} (was {})", splits, splits == 1 ? "" : "s",
                          splits_before);
  }
  const Status written = WriteOutput("", report + "\n");
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
      "(after the schema's Partition-Depth was edited by hand, or a merge).\n"
      "\n"
      "A file that grows large (many keys share a prefix, such as lib... in a package list)\n"
      "makes reading one record slower, since a read indexes the record's whole file first.\n"
      "--split-above SIZE splits every partition whose file would be larger than SIZE into\n"
      "files one key character deeper (l/li.deb822 -> l/li/lib.deb822, ...), as deep as\n"
      "needed, and lists the split partitions in the schema's Partition-Split. --no-split\n"
      "puts the records of split partitions back together. A new --depth alone drops the\n"
      "split partitions.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb repartition packages --depth 3\n"
      "  textdb repartition packages --split-above 1MiB\n"
      "  textdb repartition users");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("--depth", options->depth, "The new depth, 0 to 4")
      ->check(CLI::Range(0, 4))
      ->type_name("N");
  AddSplitOptions(command, &options->split_above, &options->no_split,
                  "Split the partitions of files that would be larger than SIZE",
                  "Put split partitions back together");
  command->callback([command] { CheckSplitOptions(*command); });
  return {command, [options] { return RunRepartition(*options); }};
}

}  // namespace textdb::cli
