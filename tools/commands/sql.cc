// `textdb sql "STATEMENT"`: the query engine of `textdb select` behind a small SQL dialect
// (format-spec/query.md section 9): SELECT runs as a select query (query_support.h); INSERT,
// UPDATE and DELETE run one transaction and print how many records they changed.
#include <cstddef>
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
#include "query_support.h"
#include "textdb/deb822.h"
#include "textdb/query.h"

namespace textdb::cli {
namespace {

struct SqlOptions {
  std::string db;
  std::string statement;
  bool case_insensitive = false;
  std::string format_name;
  bool explain = false;
};

using FieldChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

OutputColumn::Kind ColumnKind(SqlSelectItem::Aggregate aggregate) {
  switch (aggregate) {
    case SqlSelectItem::Aggregate::kNone:
      break;
    case SqlSelectItem::Aggregate::kCount:
      return OutputColumn::Kind::kCount;
    case SqlSelectItem::Aggregate::kMin:
      return OutputColumn::Kind::kMin;
    case SqlSelectItem::Aggregate::kMax:
      return OutputColumn::Kind::kMax;
    case SqlSelectItem::Aggregate::kSum:
      return OutputColumn::Kind::kSum;
    case SqlSelectItem::Aggregate::kAvg:
      return OutputColumn::Kind::kAvg;
  }
  return OutputColumn::Kind::kField;
}

ExitCode RunSelect(Database* db, const Schema& schema, SqlStatement statement,
                   const SqlOptions& options) {
  Query query;
  query.where = std::move(statement.where);
  query.group_by = std::move(statement.group_by);
  for (const SqlSelectItem& item : statement.items) {
    query.grouped = query.grouped || item.aggregate != SqlSelectItem::Aggregate::kNone;
  }
  query.grouped = query.grouped || !query.group_by.empty();
  if (statement.all_fields && query.grouped) {
    return UsageError(
        "SELECT * cannot be grouped; select the GROUP BY fields and aggregates such as COUNT(*) "
        "[Q-082]");
  }
  for (const SqlSelectItem& item : statement.items) {
    query.columns.push_back({ColumnKind(item.aggregate), item.field, item.alias});
  }
  for (const SqlOrderKey& key : statement.order_by) {
    std::string field = key.field;
    // Outside grouping an ORDER BY key may name a column by its alias.
    for (const SqlSelectItem& item : statement.items) {
      if (!query.grouped && !item.alias.empty() && EqualsIgnoreAsciiCase(item.alias, key.field)) {
        field = item.field;
      }
    }
    query.sort.push_back({std::move(field), key.descending});
  }
  query.limit = statement.limit;
  query.offset = statement.offset;
  if (!options.format_name.empty()) query.format = OutputFormatFromName(options.format_name);
  query.explain = options.explain;
  return RunQuery(db, schema, query);
}

ExitCode RunInsert(Database* db, const Schema& schema, const SqlStatement& statement) {
  Result<std::vector<Expression>> constraints = CompileConstraints(schema);
  if (!constraints.ok()) return ReportDbError(*db, constraints.status());
  Transaction transaction = db->Begin();
  for (std::size_t row = 0; row < statement.values.size(); ++row) {
    deb822::Stanza record;
    for (std::size_t i = 0; i < statement.fields.size(); ++i) {
      const std::string& field = statement.fields[i];
      const SqlValue& value = statement.values[row][i];
      if (!deb822::IsValidFieldName(field)) {
        return UsageError(fmt::format(
            "'{}' is not a valid field name; expected printable ASCII characters other than ':' "
            "(no space), not starting with '-' or '#' [F-021, F-022]",
            field));
      }
      if (!value) continue;
      if (Status set = record.SetRaw(field, *value); !set.ok()) {
        PrintError(fmt::format("error: row {}: field '{}': {}", row + 1, field, set.message()));
        return kExitInvalidData;
      }
    }
    if (Status holds = CheckRecordToWrite(schema, *constraints, record); !holds.ok()) {
      PrintError(fmt::format("error: row {}: {}", row + 1, holds.message()));
      return kExitInvalidData;
    }
    transaction.Insert(schema.table(), std::move(record));
  }
  if (Status committed = transaction.Commit(); !committed.ok()) {
    return ReportDbError(*db, committed);
  }
  const Status written =
      WriteOutput("", fmt::format("inserted {} record(s)\n", statement.values.size()));
  return written.ok() ? kExitOk : ReportError(written);
}

ExitCode RunUpdate(Database* db, const Schema& schema, const SqlStatement& statement) {
  FieldChanges changes;
  for (const SqlAssignment& assignment : statement.assignments) {
    if (!deb822::IsValidFieldName(assignment.field)) {
      return UsageError(fmt::format(
          "'{}' is not a valid field name; expected printable ASCII characters other than ':' "
          "(no space), not starting with '-' or '#' [F-021, F-022]",
          assignment.field));
    }
    if (assignment.value) {
      if (Status raw = deb822::CheckRawValue(*assignment.value); !raw.ok()) {
        PrintError(fmt::format("error: field '{}': {}", assignment.field, raw.message()));
        return kExitInvalidData;
      }
    }
    changes.emplace_back(assignment.field, assignment.value);
  }
  Result<std::vector<Expression>> constraints = CompileConstraints(schema);
  if (!constraints.ok()) return ReportDbError(*db, constraints.status());
  Transaction transaction = db->Begin();
  std::size_t updated = 0;
  Status problem;
  const Expression* where = statement.where ? &*statement.where : nullptr;
  Status found = ForEachMatch(db, schema, where, [&](const Record& record) {
    deb822::Stanza changed = record.stanza();
    for (const auto& [field, value] : changes) {
      if (value) {
        problem = changed.SetRaw(field, *value);
        if (!problem.ok()) return false;
      } else {
        changed.Remove(field);
      }
    }
    problem = CheckRecordToWrite(schema, *constraints, changed);
    if (!problem.ok()) return false;
    transaction.Update(schema.table(), RecordKey(schema, record.stanza()), changes);
    ++updated;
    return true;
  });
  if (!found.ok()) return ReportDbError(*db, found);
  if (!problem.ok()) {
    PrintError(fmt::format("error: {}; nothing was updated", problem.message()));
    return kExitInvalidData;
  }
  if (updated > 0) {
    if (Status committed = transaction.Commit(); !committed.ok()) {
      return ReportDbError(*db, committed);
    }
  }
  const Status written = WriteOutput("", fmt::format("updated {} record(s)\n", updated));
  if (!written.ok()) return ReportError(written);
  return updated == 0 ? kExitNotFound : kExitOk;
}

ExitCode RunSql(const SqlOptions& options) {
  ExpressionOptions expression_options;
  expression_options.case_insensitive = options.case_insensitive;
  Result<SqlStatement> statement = ParseSql(options.statement, expression_options);
  if (!statement.ok()) {
    return ReportQueryError(kSqlSource, options.statement, statement.status());
  }
  if (statement->kind != SqlKind::kSelect && (options.explain || !options.format_name.empty())) {
    return UsageError(
        fmt::format("{} applies to SELECT only", options.explain ? "--explain" : "--format"));
  }
  Result<OpenedTable> opened =
      OpenTable(options.db, statement->table, /*preload=*/false,
                statement->kind == SqlKind::kSelect ? Access::kRead : Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  if (statement->where) {
    if (Status valid = statement->where->Validate(opened->schema); !valid.ok()) {
      return ReportQueryError(kSqlSource, options.statement, valid);
    }
  }
  Database* db = opened->db.get();
  switch (statement->kind) {
    case SqlKind::kSelect:
      return RunSelect(db, opened->schema, std::move(statement).value(), options);
    case SqlKind::kInsert:
      return RunInsert(db, opened->schema, *statement);
    case SqlKind::kUpdate:
      return RunUpdate(db, opened->schema, *statement);
    case SqlKind::kDelete:
      return DeleteMatching(db, opened->schema, *statement->where, /*dry_run=*/false);
  }
  return kExitInternal;
}

}  // namespace

Command SetupSql(CLI::App& root) {
  auto options = std::make_shared<SqlOptions>();
  CLI::App* command = root.add_subcommand("sql", "Run a SQL statement on a table");
  command->footer(
      "Runs one statement of a small SQL dialect (format-spec/query.md section 9):\n"
      "  SELECT *|ITEM,... FROM TABLE [WHERE EXPR] [GROUP BY F,...] [ORDER BY F [ASC|DESC],...]\n"
      "         [LIMIT N [OFFSET N]]     ITEM: a field, or COUNT(*|F), MIN/MAX/SUM/AVG(F) [AS "
      "NAME]\n"
      "  INSERT INTO TABLE (F,...) VALUES (V,...)[, (V,...)...]\n"
      "  UPDATE TABLE SET F = V[, F = V...] [WHERE EXPR]\n"
      "  DELETE FROM TABLE WHERE EXPR\n"
      "Strings are 'quoted' ('it''s'); a field or table name with '-' or named like a keyword\n"
      "is \"double-quoted\" (\"Installed-Size\"); NULL leaves a field out (INSERT) or removes it\n"
      "(UPDATE). WHERE takes the expressions of 'textdb select --where', with AND, OR, NOT,\n"
      "<> and IS [NOT] NULL too. SELECT prints what 'textdb select' prints (deb822 records, or\n"
      "a table for aggregates, unless --format says otherwise); exit status 1 when nothing\n"
      "matched. INSERT, UPDATE and DELETE change all their records in one transaction and\n"
      "print how many; UPDATE and DELETE exit with 1 when no record matched.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb sql \"SELECT Package, Version FROM packages WHERE \\\"Installed-Size\\\" > 1000\"\n"
      "  textdb sql \"SELECT Location, COUNT(*), SUM(Count) FROM items GROUP BY Location\"\n"
      "  textdb sql \"INSERT INTO items (Item, Name, Count) VALUES ('pin-3', 'Pin 3 mm', 40)\"\n"
      "  textdb sql \"UPDATE items SET Count = 0 WHERE Item ~ '^bolt'\"\n"
      "  textdb sql \"DELETE FROM items WHERE Count = 0\"");
  AddDatabaseOption(command, &options->db);
  command->add_option("STATEMENT", options->statement, "The SQL statement")
      ->required()
      ->type_name("");
  command->add_flag("-i,--ignore-case", options->case_insensitive,
                    "WHERE compares text and matches regular expressions ignoring case");
  command
      ->add_option("--format", options->format_name,
                   "SELECT output: deb822, json, ndjson, csv or table")
      ->check(CLI::IsMember(OutputFormatNames()).description(""))
      ->type_name("FORMAT");
  command->add_flag("--explain", options->explain,
                    "SELECT: print how the records would be found, and run nothing");
  return {command, [options] { return RunSql(*options); }};
}

}  // namespace textdb::cli
