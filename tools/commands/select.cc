// `textdb select TABLE [--where EXPR] ...`: prints the records of a table that match a selection
// expression (format-spec/query.md), sorted, limited, projected, joined or grouped; the query
// itself runs in query_support.{h,cc}, which `textdb sql` shares.
#include <cctype>
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "query_support.h"

namespace textdb::cli {
namespace {

struct SelectOptions {
  std::string db;
  std::string table;
  std::string where;
  bool has_where = false;  // --where was given (perhaps empty, which is an error)
  bool case_insensitive = false;
  std::vector<std::string> fields;
  std::vector<std::string> sort;
  bool descending = false;
  std::optional<std::uint64_t> limit;
  std::uint64_t offset = 0;
  bool count = false;
  std::vector<std::string> group_by;
  std::vector<std::string> sum;
  std::vector<std::string> avg;
  std::vector<std::string> min;
  std::vector<std::string> max;
  std::vector<std::string> joins;
  std::string format_name;
  bool explain = false;
};

// --limit and --offset: decimal digits that fit 64 bits (CLI11 would read "-1" as 2^64 - 1).
const CLI::Validator kCountValidator(
    [](std::string& value) -> std::string {
      std::uint64_t parsed = 0;
      const char* end = value.data() + value.size();
      const auto [stop, error] = std::from_chars(value.data(), end, parsed);
      if (!value.empty() && std::isdigit(static_cast<unsigned char>(value[0])) != 0 &&
          error == std::errc() && stop == end) {
        return "";
      }
      return fmt::format("expected a number of records (0 to 2^64-1), got '{}'", value);
    },
    "");

// The option combinations that make no sense; throws CLI::ValidationError.
void CheckCombinations(const SelectOptions& options) {
  const bool aggregates =
      !options.sum.empty() || !options.avg.empty() || !options.min.empty() || !options.max.empty();
  if (options.descending && options.sort.empty()) {
    throw CLI::ValidationError("--desc", "requires --sort");
  }
  if (!options.fields.empty() && (!options.group_by.empty() || aggregates)) {
    throw CLI::ValidationError(
        "--fields",
        "cannot be combined with --group-by or aggregates, whose rows have their own "
        "columns");
  }
  if (!options.count) return;
  const std::pair<bool, std::string_view> others[] = {
      {!options.fields.empty(), "--fields"},
      {!options.group_by.empty() || aggregates, "--group-by and aggregates"},
      {!options.joins.empty(), "--join"},
      {!options.format_name.empty(), "--format"}};
  for (const auto& [given, name] : others) {
    if (given)
      throw CLI::ValidationError("--count", fmt::format("cannot be combined with {}", name));
  }
}

void AddAggregates(OutputColumn::Kind kind, const std::vector<std::string>& fields,
                   std::vector<OutputColumn>* columns) {
  for (const std::string& field : fields) columns->push_back({kind, field, ""});
}

ExitCode RunSelect(const SelectOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kRead);
  if (!opened.ok()) return ReportDbError(opened.status());
  Query query;
  if (options.has_where) {
    Result<Expression> where = ParseWhere(options.where, options.case_insensitive, opened->schema);
    if (!where.ok()) return ReportQueryError(kWhereSource, options.where, where.status());
    query.where = std::move(where).value();
  }
  query.joins = options.joins;
  query.group_by = options.group_by;
  const bool aggregates =
      !options.sum.empty() || !options.avg.empty() || !options.min.empty() || !options.max.empty();
  query.grouped = !options.group_by.empty() || aggregates;
  if (query.grouped) {
    for (const std::string& field : options.group_by) {
      query.columns.push_back({OutputColumn::Kind::kField, field, ""});
    }
    query.columns.push_back({OutputColumn::Kind::kCount, "", ""});
    AddAggregates(OutputColumn::Kind::kSum, options.sum, &query.columns);
    AddAggregates(OutputColumn::Kind::kAvg, options.avg, &query.columns);
    AddAggregates(OutputColumn::Kind::kMin, options.min, &query.columns);
    AddAggregates(OutputColumn::Kind::kMax, options.max, &query.columns);
  } else {
    for (const std::string& field : options.fields) {
      query.columns.push_back({OutputColumn::Kind::kField, field, ""});
    }
  }
  for (const std::string& field : options.sort) query.sort.push_back({field, options.descending});
  query.limit = options.limit;
  query.offset = options.offset;
  query.count_only = options.count;
  if (!options.format_name.empty()) query.format = OutputFormatFromName(options.format_name);
  query.explain = options.explain;
  return RunQuery(opened->db.get(), opened->schema, query);
}

}  // namespace

Command SetupSelect(CLI::App& root) {
  auto options = std::make_shared<SelectOptions>();
  CLI::App* command = root.add_subcommand("select", "Print the records that match an expression");
  command->footer(
      "Prints the records of TABLE that match --where (every record without it), in key order\n"
      "unless --sort says otherwise, exactly as stored (deb822, one empty line between\n"
      "records), or as JSON, NDJSON, CSV or aligned columns (table). The expression language\n"
      "is that of recsel with typed comparison (format-spec/query.md): = != < <= > >= compare\n"
      "by the field's schema type, ~ matches a regular expression, && || ! combine, #F counts\n"
      "F, << >> == compare dates; quote string values: Name = 'Hex nut M6'.\n"
      "The records are found by key lookup (equality on every key field), secondary index\n"
      "(equality on an Index: yes field), partition scan (a prefix of the first key field) or a\n"
      "full scan; --explain says which and runs nothing.\n"
      "--sort orders by the fields' types, records without the field last, ties in key order.\n"
      "--group-by prints one row per distinct value with its count, and with --sum/--avg\n"
      "(integer or decimal fields) and --min/--max (any field) those aggregates; a table by\n"
      "default. --join F adds the fields of the record that reference field F names, as\n"
      "F.Name. Exit status 0 when a record matched, 1 when none did (--count prints 0, JSON\n"
      "prints []), 2 for a malformed expression (shown with a caret under the error).\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb select packages --where \"Installed-Size > 1000 && Priority = 'optional'\"\n"
      "  textdb select items --where 'Name ~ \"^hex\"' -i --fields Item,Count --format table\n"
      "  textdb select items --sort Count --desc --limit 3\n"
      "  textdb select items --group-by Location --sum Count\n"
      "  textdb select items --join Supplier --fields Item,Supplier.Name");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  CLI::Option* where =
      command->add_option("--where", options->where, "Select the records EXPR holds for")
          ->type_name("EXPR");
  command->add_flag("-i,--ignore-case", options->case_insensitive,
                    "Compare text and match regular expressions ignoring case");
  command->add_option("--fields", options->fields, "Print only these fields, in this order")
      ->delimiter(',')
      ->type_name("F,...");
  command->add_option("--sort", options->sort, "Sort by these fields")
      ->delimiter(',')
      ->type_name("F,...");
  command->add_flag("--desc", options->descending, "Sort in descending order");
  command->add_option("--limit", options->limit, "Print at most N records")
      ->check(kCountValidator)
      ->type_name("N");
  command->add_option("--offset", options->offset, "Skip the first N records")
      ->check(kCountValidator)
      ->type_name("N");
  command->add_flag("--count", options->count, "Print only the number of matching records");
  command->add_option("--group-by", options->group_by, "One row per distinct value of F")
      ->delimiter(',')
      ->type_name("F,...");
  command->add_option("--sum", options->sum, "The sum of F (per group)")
      ->delimiter(',')
      ->type_name("F");
  command->add_option("--avg", options->avg, "The average of F (per group)")
      ->delimiter(',')
      ->type_name("F");
  command->add_option("--min", options->min, "The least F (per group)")
      ->delimiter(',')
      ->type_name("F");
  command->add_option("--max", options->max, "The greatest F (per group)")
      ->delimiter(',')
      ->type_name("F");
  command->add_option("--join", options->joins, "Add the fields of the record F refers to")
      ->type_name("F");
  command
      ->add_option("--format", options->format_name,
                   "deb822 (default), json, ndjson, csv or table (default when grouped)")
      ->check(CLI::IsMember(OutputFormatNames()).description(""))
      ->type_name("FORMAT");
  command->add_flag("--explain", options->explain,
                    "Print how the records would be found, and run nothing");
  command->callback([options, where] {
    options->has_where = where->count() > 0;
    CheckCombinations(*options);
  });
  return {command, [options] { return RunSelect(*options); }};
}

}  // namespace textdb::cli
