// `textdb put TABLE [FILE|-]`: inserts or replaces the records read, in one transaction.
// A replaced record keeps the exact bytes of the fields that did not change, and loses the
// fields the new stanza does not have.
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/interchange.h"

namespace textdb::cli {
namespace {

struct PutOptions {
  std::string db;
  std::string table;
  std::string file = std::string(kStdioArgument);
  std::string format_name = "deb822";
  std::string profile_name = "strict";
  bool insert_only = false;
};

ExitCode RunPut(const PutOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  RecordFormat format;
  format.format = interchange::ParseFormatName(options.format_name).value();
  format.profile =
      options.profile_name == "compat" ? deb822::Profile::kCompat : deb822::Profile::kStrict;
  std::vector<InputRecord> records;
  if (const ExitCode read = ReadRecords({options.file}, format, &records); read != kExitOk) {
    return read;
  }
  Progress progress("put");
  WriteCounts counts;
  return WriteRecords(opened->db.get(), opened->schema, std::move(records),
                      options.insert_only ? OnDuplicate::kError : OnDuplicate::kReplace,
                      " (put without --insert-only replaces it)", &progress, &counts);
}

// Checks the option combinations CLI11 cannot express; throws CLI::ValidationError.
void Resolve(const CLI::App& command, const PutOptions& options) {
  if (options.format_name != "deb822" && command.count("--profile") > 0) {
    throw CLI::ValidationError("--profile", "applies to --format deb822 only");
  }
}

}  // namespace

Command SetupPut(CLI::App& root) {
  auto options = std::make_shared<PutOptions>();
  CLI::App* command = root.add_subcommand("put", "Insert or replace records");
  command->footer(
      "Reads the records of FILE (standard input when none is given, or for '-') and stores\n"
      "each under its key, in one transaction: a record with a new key is inserted, one whose\n"
      "key is stored replaces that record (fields of equal value keep their exact bytes;\n"
      "fields the new record lacks are removed). Nothing is written when a record is invalid\n"
      "or breaks the schema (exit status 3), or, with --insert-only, when a key is stored\n"
      "already (exit status 4).\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb put items new-items.deb822\n"
      "  printf 'Item: nut-m8\\nName: Hex nut M8\\n' | textdb put items --insert-only\n"
      "  textdb put packages --format json < zsh.json");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("FILE", options->file, "Input file; '-' is standard input")->type_name("");
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
  command->add_flag("--insert-only", options->insert_only,
                    "Fail, writing nothing, when a record's key is stored already");
  command->callback([command, options] { Resolve(*command, *options); });
  return {command, [options] { return RunPut(*options); }};
}

}  // namespace textdb::cli
