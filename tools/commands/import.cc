// `textdb import TABLE [FILE...|-]`: adds the records of deb822, JSON, NDJSON or CSV files to a
// table in one transaction, all or nothing.
//
// A record whose key is taken, by a stored record or by an earlier record of the input, is an
// error by default; --on-duplicate replace or skip apply the records in input order as if each
// were written alone with that rule. Strict deb822 records are stored byte for byte.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/interchange.h"

namespace textdb::cli {
namespace {

struct ImportOptions {
  std::string db;
  std::string table;
  std::vector<std::string> files;
  std::string format_name = "deb822";
  std::string profile_name = "strict";
  std::string on_duplicate_name = "error";
  std::uint64_t split_above = std::uint64_t{1} << 20;  // [P-074]
  bool no_split = false;
};

OnDuplicate ParseOnDuplicate(const std::string& name) {
  if (name == "replace") return OnDuplicate::kReplace;
  if (name == "skip") return OnDuplicate::kSkip;
  return OnDuplicate::kError;
}

ExitCode RunImport(const ImportOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  RecordFormat format;
  format.format = interchange::ParseFormatName(options.format_name).value();
  format.profile =
      options.profile_name == "compat" ? deb822::Profile::kCompat : deb822::Profile::kStrict;
  std::vector<InputRecord> records;
  if (const ExitCode read = ReadRecords(options.files, format, &records); read != kExitOk) {
    return read;
  }
  Progress progress("import");
  WriteCounts counts;
  const ExitCode written =
      WriteRecords(opened->db.get(), opened->schema, std::move(records),
                   ParseOnDuplicate(options.on_duplicate_name),
                   " (--on-duplicate replace or skip allows this)", &progress, &counts);
  if (written != kExitOk) return written;
  const Status printed =
      WriteOutput("", fmt::format("table '{}': {} inserted, {} replaced, {} skipped\n",
                                  options.table, counts.inserted, counts.replaced, counts.skipped));
  if (!printed.ok()) return ReportError(printed);
  if (!options.no_split) {
    // After the import's commit, in a commit of its own: a crash in between leaves the records
    // imported and the files as they were, which is a valid layout. So a failure here is only
    // a warning: the import itself succeeded.
    const Status split = opened->db->SplitLargePartitions(options.table, options.split_above);
    if (!split.ok()) {
      PrintWarning(options.table,
                   fmt::format("the records are imported, but splitting the large files failed "
                               "and changed nothing: {}",
                               LocateInDatabase(*opened->db, split.message())));
    }
  }
  return kExitOk;
}

// Checks the option combinations CLI11 cannot express; throws CLI::ValidationError.
void Resolve(const CLI::App& command, const ImportOptions& options) {
  if (options.format_name != "deb822" && command.count("--profile") > 0) {
    throw CLI::ValidationError("--profile", "applies to --format deb822 only");
  }
  if (std::count(options.files.begin(), options.files.end(), kStdioArgument) > 1) {
    throw CLI::ValidationError("FILE", "'-' (standard input) may be given only once");
  }
  CheckSplitOptions(command);
}

}  // namespace

Command SetupImport(CLI::App& root) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* command = root.add_subcommand("import", "Add the records of files to a table");
  command->footer(
      "Reads every FILE (standard input when none is given, or for '-') and adds all their\n"
      "records to TABLE in one transaction: when any record is invalid, breaks the schema or\n"
      "has a key that is taken, every such problem is reported (FILE:LINE:COL: error: ...)\n"
      "and nothing is written. Strict deb822 records are stored byte for byte; compat ones,\n"
      "and those read from JSON, NDJSON or CSV, in canonical form.\n"
      "--on-duplicate says what a record whose key is taken (by a stored record or an earlier\n"
      "one of the input) does: error (default; exit status 3 for a key repeated in the input,\n"
      "4 for a key already stored), replace (the later record replaces the earlier) or skip\n"
      "(the earlier one stays). Prints how many records were inserted, replaced and skipped;\n"
      "a progress line is shown on stderr when it is a terminal.\n"
      "Then, when a data file of TABLE is larger than --split-above (default 1MiB), its\n"
      "partition is split into files one key character deeper, as `textdb repartition\n"
      "--split-above` does, in a second commit; --no-split leaves the files as they are.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb import packages Packages\n"
      "  xzcat Packages.xz | textdb import packages --on-duplicate skip\n"
      "  textdb import items --format csv items.csv\n"
      "  textdb import sources --profile compat --on-duplicate replace foo.dsc");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("FILE", options->files, "Input files; '-' is standard input")->type_name("");
  command
      ->add_option("--format", options->format_name,
                   "Input format: deb822 (default), json, ndjson or csv")
      ->check(CLI::IsMember(FormatNames()).description(""))
      ->type_name("FORMAT");
  command
      ->add_option("--profile", options->profile_name,
                   "deb822 input syntax: strict (default) or compat (CRLF, BOM, ...)")
      ->check(CLI::IsMember({"strict", "compat"}).description(""))
      ->type_name("PROFILE");
  command
      ->add_option("--on-duplicate", options->on_duplicate_name,
                   "When a key is taken: error (default), replace or skip")
      ->check(CLI::IsMember({"error", "replace", "skip"}).description(""))
      ->type_name("ACTION");
  AddSplitOptions(command, &options->split_above, &options->no_split,
                  "Split the partitions of files larger than SIZE (default 1MiB)",
                  "Leave large files as they are");
  command->callback([command, options] { Resolve(*command, *options); });
  return {command, [options] { return RunImport(*options); }};
}

}  // namespace textdb::cli
