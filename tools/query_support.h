// What the query subcommands share (`select`, `sql`, `delete --where`): parsing and checking a
// selection expression with errors that point into it, choosing how to find the candidate
// records (format-spec/query.md ), sorting, joining, grouping with aggregates, and the
// output formats (deb822, JSON, NDJSON, CSV and aligned columns).
//
// A query error is printed as "textdb: SOURCE:LINE:COL: error: ... [Q-nnn]" followed by the
// offending line and a caret under the column, SOURCE being "<where>" for --where and "<sql>"
// for a statement; it exits with 2 (usage).
//
// Exit codes follow grep: 0 when something matched, 1 when nothing did (select prints nothing
// then, JSON prints "[]"), 2 for a usage error, else as the engine's Status (cli_support.h).
#ifndef TEXTDB_TOOLS_QUERY_SUPPORT_H_
#define TEXTDB_TOOLS_QUERY_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli_support.h"
#include "textdb/db.h"
#include "textdb/query.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb::cli {

// The name of --where expressions in messages.
inline constexpr std::string_view kWhereSource = "<where>";
// The name of `textdb sql` statements in messages.
inline constexpr std::string_view kSqlSource = "<sql>";

enum class OutputFormat { kDeb822, kJson, kNdjson, kCsv, kTable };

// The names --format takes, in help order: deb822, json, ndjson, csv, table.
std::vector<std::string> OutputFormatNames();
// REQUIRES: `name` is one of OutputFormatNames().
OutputFormat OutputFormatFromName(std::string_view name);

// Prints a query error of Expression::Parse, Validate or ParseSql: "SOURCE:LINE:COL: error: ..."
// and, when the status has a position in `text`, the line and a caret under the column; any
// other message is printed as ReportDbError does. Returns ExitCodeFor(status).
// REQUIRES: !status.ok()
ExitCode ReportQueryError(std::string_view source, std::string_view text, const Status& status);

// Parses `text` as a --where expression and validates it against `schema`.
// Fails with kInvalidArgument located in `text` (print it with ReportQueryError).
Result<Expression> ParseWhere(std::string_view text, bool case_insensitive, const Schema& schema);

// The access path for `where` (a full scan when null).
AccessPlan PlanAccess(const Expression* where, const Schema& schema);

// Calls `visit` for every record of `schema`'s table that matches `where` (every record when
// null), in key order, stopping early when it returns false: Database::ForEachMatch, which plans
// as PlanAccess does, or Database::Scan when `where` is null. Fails as the Database call
// does (a missing key is no error: nothing is visited).
Status ForEachMatch(Database* db, const Schema& schema, const Expression* where,
                    const std::function<bool(const Record&)>& visit);

// The raw values of the key fields of `record`, in key order (what Database::Get takes).
std::vector<std::string> RecordKey(const Schema& schema, const deb822::Stanza& record);

// Checks a record about to be written: the schema [S-130, S-131] (unless LacksAutoField of
// db_support.h), then
// the record constraints [Q-060] (the engine checks both again at commit; checking here first
// lets `edit` and `sql` report the problem before anything is tried). kInvalidData naming the
// record and the field or constraint.
Status CheckRecordToWrite(const Schema& schema, const std::vector<Expression>& constraints,
                          const deb822::Stanza& record);

// A sort key: a field (or, for grouped output, a column) and its direction.
struct SortKey {
  std::string field;
  bool descending = false;
};

// One output column of a projection or of grouped output.
struct OutputColumn {
  enum class Kind { kField, kCount, kSum, kAvg, kMin, kMax };
  Kind kind = Kind::kField;
  // kField: the field (for grouped output, a grouping field). kCount: the field counted, "" for
  // every record. Others: the field aggregated.
  std::string field;
  // The column's name in the output ("" = the default: the field's declared spelling, "count",
  // "sum(FIELD)", ...).
  std::string name;
};

// One query of `textdb select` or a SQL SELECT.
struct Query {
  std::optional<Expression> where;
  // Reference fields whose target records' fields are added as "FIELD.Name" (recsel's -j).
  std::vector<std::string> joins;
  // Empty: whole records as stored. Otherwise these columns, in order: a projection (kField
  // only) or, when `grouped`, the grouping fields and aggregates.
  std::vector<OutputColumn> columns;
  // Output is one row per distinct combination of `group_by` values (one row over every match
  // when `group_by` is empty), with the aggregate columns computed over the group.
  bool grouped = false;
  std::vector<std::string> group_by;
  // Records (or, when grouped, rows) in this order; ties and the default are key order (for
  // grouped rows: the grouping values). Names are fields, or columns when grouped.
  std::vector<SortKey> sort;
  std::optional<std::uint64_t> limit;
  std::uint64_t offset = 0;
  // Print only the number of records (after offset and limit).
  bool count_only = false;
  // Default: table when grouped, else deb822.
  std::optional<OutputFormat> format;
  // Print the access path instead of running the query.
  bool explain = false;
};

// Checks `query` against the table (fields named exist under `Unknown-Fields: reject`, joins
// follow a References field, sum/avg take integer or decimal fields, sort keys of grouped output
// name a column or a grouping field), runs it and writes the result to standard output. Usage
// errors print "error: ..." and exit 2; engine errors are reported as ReportDbError does.
ExitCode RunQuery(Database* db, const Schema& schema, const Query& query);

// Deletes every record of the table that matches `where`, in one transaction. With `dry_run`,
// prints the keys (KeyText, one record a line) instead and changes nothing. Otherwise prints
// "deleted N record(s)". Exits 1 when nothing matched.
ExitCode DeleteMatching(Database* db, const Schema& schema, const Expression& where, bool dry_run);

}  // namespace textdb::cli

#endif  // TEXTDB_TOOLS_QUERY_SUPPORT_H_
