// Database::ForEachMatch and Database::Select (include/textdb/db.h): a selection expression run
// through the access path the query planner chooses, on the engine's public reads (Get,
// Lookup, Scan, ScanParallel). The `textdb` command's select, delete and sql run through here too.
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "textdb/db.h"
#include "textdb/query.h"
#include "textdb/schema.h"

namespace textdb {

Status Database::ForEachMatch(std::string_view table, const Expression& where,
                              const std::function<bool(const Record&)>& visit) {
  Result<Schema> found = GetSchema(table);
  if (!found.ok()) return found.status();
  const Schema& schema = *found;
  TEXTDB_RETURN_IF_ERROR(where.Validate(schema));
  const auto filter = [&](const Record& record) {
    return where.Matches(record.stanza(), &schema) ? visit(record) : true;
  };
  const AccessPlan plan = ChooseAccess(where, schema);
  switch (plan.kind) {
    case AccessPlan::Kind::kNoRecord:
      return Status::Ok();
    case AccessPlan::Kind::kKeyLookup: {
      Result<Record> record = Get(table, plan.key);
      if (!record.ok()) {
        return record.status().code() == StatusCode::kNotFound ? Status::Ok() : record.status();
      }
      filter(*record);
      return Status::Ok();
    }
    case AccessPlan::Kind::kSecondaryIndex:
      return Lookup(table, plan.field, plan.value, filter);
    case AccessPlan::Kind::kPartitionScan:
      return Scan(table, plan.prefix, filter);
    case AccessPlan::Kind::kFullScan:
      break;
  }
  // Matches is thread-safe, so the expression is evaluated on the engine's threads [I-014], on
  // the fields it reads.
  return ScanParallel(
      table, where.Fields(),
      [&](const deb822::Stanza& record) { return where.Matches(record, &schema); }, visit);
}

Result<ResultSet> Database::Select(std::string_view table, const Expression& where) {
  ResultSet result;
  TEXTDB_RETURN_IF_ERROR(ForEachMatch(table, where, [&](const Record& record) {
    result.records_.push_back(record);
    return true;
  }));
  return result;
}

Result<ResultSet> Database::Select(std::string_view table, std::string_view where,
                                   const ExpressionOptions& options) {
  Result<Expression> expression = Expression::Parse(where, options);
  if (!expression.ok()) return expression.status();
  return Select(table, *expression);
}

Result<ResultSet> Database::SelectAll(std::string_view table) {
  ResultSet result;
  TEXTDB_RETURN_IF_ERROR(Scan(table, "", [&](const Record& record) {
    result.records_.push_back(record);
    return true;
  }));
  return result;
}

}  // namespace textdb
