// `textdb delete TABLE KEY...`: deletes the record with that key; `textdb delete TABLE --where
// EXPR [--dry-run]`: deletes every record the expression selects, in one transaction
// (query_support.h).
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "query_support.h"

namespace textdb::cli {
namespace {

struct DeleteOptions {
  std::string db;
  std::string table;
  std::vector<std::string> key;
  std::string where;
  bool has_where = false;  // --where was given (perhaps empty, which is an error)
  bool case_insensitive = false;
  bool dry_run = false;
};

ExitCode RunDelete(const DeleteOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  if (options.has_where) {
    Result<Expression> where = ParseWhere(options.where, options.case_insensitive, opened->schema);
    if (!where.ok()) return ReportQueryError(kWhereSource, options.where, where.status());
    return DeleteMatching(opened->db.get(), opened->schema, *where, options.dry_run);
  }
  if (Status count = CheckKeyCount(opened->schema, options.key); !count.ok()) {
    return ReportDbError(count);
  }
  Transaction transaction = opened->db->Begin();
  transaction.Delete(options.table, options.key);
  const Status committed = transaction.Commit();
  return committed.ok() ? kExitOk : ReportDbError(*opened->db, committed);
}

}  // namespace

Command SetupDelete(CLI::App& root) {
  auto options = std::make_shared<DeleteOptions>();
  CLI::App* command =
      root.add_subcommand("delete", "Delete the record with a given key, or those that match");
  command->footer(
      "Give one KEY argument per key field, in key order. The record's stanza is removed\n"
      "from its data file (every other byte of the file stays); a file left without records\n"
      "is removed. Exit status 1 when there is no such record, 4 when a record of another\n"
      "table still refers to it [S-026].\n"
      "With --where EXPR instead of KEY values (the expressions of 'textdb select'), every\n"
      "record EXPR selects is deleted in one transaction (all or none), and the number\n"
      "deleted is printed; exit status 1 when none matched. --dry-run prints their keys\n"
      "instead, one record a line, and deletes nothing.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb delete packages zsh 5.9-4+b15\n"
      "  textdb delete items bolt-m6 --db inventory\n"
      "  textdb delete items --where 'Count = 0 && !Reorder' --dry-run");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("KEY", options->key, "The key values, one per key field")->type_name("");
  CLI::Option* where =
      command->add_option("--where", options->where, "Delete every record EXPR selects")
          ->type_name("EXPR");
  command->add_flag("-i,--ignore-case", options->case_insensitive,
                    "--where compares text and matches regular expressions ignoring case");
  command->add_flag("--dry-run", options->dry_run,
                    "Print the keys --where selects; delete nothing");
  command->callback([options, where] {
    options->has_where = where->count() > 0;
    if (options->has_where && !options->key.empty()) {
      throw CLI::ValidationError("--where", "cannot be combined with KEY values");
    }
    if (!options->has_where && (options->dry_run || options->case_insensitive)) {
      throw CLI::ValidationError(options->dry_run ? "--dry-run" : "--ignore-case",
                                 "requires --where");
    }
    if (options->key.empty() && !options->has_where) {
      throw CLI::ValidationError("KEY", "give the key values of the record, or --where EXPR");
    }
  });
  return {command, [options] { return RunDelete(*options); }};
}

}  // namespace textdb::cli
