// `textdb stats`: prints the figures of Database::Stats after indexing every partition, as one
// deb822 stanza (so that scripts and `textdb convert` can read it).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"

namespace textdb::cli {
namespace {

struct StatsOptions {
  std::string db;
};

ExitCode RunStats(const StatsOptions& options) {
  Result<std::unique_ptr<Database>> db = OpenDatabase(options.db, /*preload=*/true, Access::kRead);
  if (!db.ok()) return ReportDbError(db.status());
  const DatabaseStats stats = (*db)->Stats();
  const std::string out = fmt::format(
      "Database: {}\n"
      "Tables: {}\n"
      "Records: {}\n"
      "Files: {}\n"
      "Bytes: {}\n"
      "Index-Bytes: {}\n"
      "Cache-Hits: {}\n"
      "Cache-Misses: {}\n"
      "Cache-Evictions: {}\n"
      "Cache-Bytes: {}\n",
      (*db)->dir(), (*db)->Tables().size(), stats.records, stats.partitions, stats.bytes,
      stats.index_bytes, stats.cache_hits, stats.cache_misses, stats.cache_evictions,
      stats.cache_bytes);
  const Status written = WriteOutput("", out);
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupStats(CLI::App& root) {
  auto options = std::make_shared<StatsOptions>();
  CLI::App* command = root.add_subcommand("stats", "Print the size of the database");
  command->footer(
      "Indexes every data file, then prints one stanza: the database directory, the number\n"
      "of tables, Records, Files (data files) and their Bytes, Index-Bytes (memory held by\n"
      "the offset index), and the record cache's counters (Cache-Hits, Cache-Misses,\n"
      "Cache-Evictions, Cache-Bytes), which in a new process start at 0.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb stats\n"
      "  textdb stats --db inventory | textdb convert --to json");
  AddDatabaseOption(command, &options->db);
  return {command, [options] { return RunStats(*options); }};
}

}  // namespace textdb::cli
