// `textdb set TABLE KEY... FIELD=VALUE... [--unset FIELD]...`: changes fields of one record.
//
// The first arguments after TABLE are the key values (as many as the table has key fields); every
// later one is an assignment, split at its first '='. Values are raw values [F-030], taken
// literally (no escapes), so a value of several lines is passed with real line feeds.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/deb822.h"

namespace textdb::cli {
namespace {

struct SetOptions {
  std::string db;
  std::string table;
  std::vector<std::string> args;  // KEY... FIELD=VALUE...
  std::vector<std::string> unset;
};

using FieldChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

// Adds the change of field `name` to *changes; fails (usage) on a bad or repeated name.
Status AddChange(std::string name, std::optional<std::string> value, FieldChanges* changes) {
  if (!deb822::IsValidFieldName(name)) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a valid field name; expected printable ASCII characters other than ':' "
        "(no space), not starting with '-' or '#' [F-021, F-022]",
        name));
  }
  for (const auto& [other, unused] : *changes) {
    if (EqualsIgnoreAsciiCase(other, name)) {
      return Status::InvalidArgument(fmt::format("field '{}' is changed twice", name));
    }
  }
  changes->emplace_back(std::move(name), std::move(value));
  return Status::Ok();
}

ExitCode RunSet(const SetOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  const std::size_t key_size = opened->schema.key().size();
  const std::size_t given = std::min(options.args.size(), key_size);
  const std::vector<std::string> key(options.args.begin(),
                                     options.args.begin() + static_cast<std::ptrdiff_t>(given));
  if (Status count = CheckKeyCount(opened->schema, key); !count.ok()) {
    return UsageError(count.message());
  }
  FieldChanges changes;
  for (std::size_t i = key_size; i < options.args.size(); ++i) {
    const std::string& assignment = options.args[i];
    const std::size_t equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      return UsageError(fmt::format("expected FIELD=VALUE after the {} key value(s), got '{}'",
                                    key_size, assignment));
    }
    std::string name = assignment.substr(0, equals);
    std::string value = assignment.substr(equals + 1);
    if (Status raw = deb822::CheckRawValue(value); !raw.ok()) {
      PrintError(fmt::format("error: field '{}': {}", name, raw.message()));
      return kExitInvalidData;
    }
    if (Status added = AddChange(std::move(name), std::move(value), &changes); !added.ok()) {
      return UsageError(added.message());
    }
  }
  for (const std::string& name : options.unset) {
    if (Status added = AddChange(name, std::nullopt, &changes); !added.ok()) {
      return UsageError(added.message());
    }
  }
  if (changes.empty()) {
    return UsageError("nothing to change: give FIELD=VALUE arguments or --unset FIELD");
  }
  Transaction transaction = opened->db->Begin();
  transaction.Update(options.table, key, std::move(changes));
  const Status committed = transaction.Commit();
  return committed.ok() ? kExitOk : ReportDbError(*opened->db, committed);
}

}  // namespace

Command SetupSet(CLI::App& root) {
  auto options = std::make_shared<SetOptions>();
  CLI::App* command = root.add_subcommand("set", "Change fields of the record with a given key");
  command->footer(
      "Arguments: TABLE, then one KEY value per key field (in key order), then FIELD=VALUE\n"
      "assignments, split at the first '='. A field the record lacks is appended; every other\n"
      "byte of the record and of its file stays as it was. The changed record must still hold\n"
      "the schema (exit status 3 otherwise); key fields cannot be changed.\n"
      "VALUE is the raw value, taken literally: a backslash-n is NOT a line break. A value of\n"
      "several lines is given with real line feeds, each later line starting with a space\n"
      "(' .' for an empty line), as in the file; in bash: Notes=$'first line\\n second line'.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb set items bolt-m6 Count=119 Location='shelf B/1'\n"
      "  textdb set packages zsh 5.9-4+b15 Priority=standard --unset Tag\n"
      "  textdb set items bolt-m6 Notes=$'Zinc plated.\\n .\\n Check stock monthly.'");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command
      ->add_option("ARGS", options->args,
                   "The key values (one per key field), then FIELD=VALUE assignments")
      ->required()
      ->type_name("KEY... FIELD=VALUE...");
  command->add_option("--unset", options->unset, "Remove FIELD from the record (repeatable)")
      ->type_name("FIELD");
  return {command, [options] { return RunSet(*options); }};
}

}  // namespace textdb::cli
