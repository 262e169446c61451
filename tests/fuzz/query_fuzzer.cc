// query_fuzzer: a libFuzzer target for the query language (textdb/query.h).
//
// The input is parsed as a selection expression (case-sensitive and with -i) and as an SQL
// statement, and the contracts of format-spec/query.md are checked:
//   - a rejected input fails with kInvalidArgument whose message is
//     "LINE:COL: error: ... [Q-nnn]", the position inside the input (a column one past the end
//     of a line points at its terminator or the end), and Caret renders it;
//   - an accepted expression keeps its text, evaluates the same way twice and through a copy
//     (with and without a schema, on fixed records), Validate either passes or fails as above,
//     `!(E)` evaluates to the opposite of E, the conjuncts name fields, and
//     ChooseAccess explains itself;
//   - an accepted SQL statement is consistent (one value per field and row, a WHERE for
//     DELETE) and its WHERE clause evaluates.
// Evaluation must also return promptly whatever the regular expressions are; libFuzzer's
// -timeout catches a stall. A violated check prints what failed and aborts: a crash for
// libFuzzer, a failed test for the corpus replayer (replay_main.cc).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/query.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace {

using textdb::ErrorPosition;
using textdb::Expression;
using textdb::ExpressionOptions;
using textdb::Result;
using textdb::Schema;
using textdb::SqlKind;
using textdb::SqlStatement;
using textdb::Status;
using textdb::StatusCode;

[[noreturn]] void Fail(const char* check, int line, std::string_view detail) {
  std::fprintf(stderr, "query_fuzzer: check failed (line %d): %s\n", line, check);
  if (!detail.empty()) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

// Aborts with the failed condition when `cond` is false; `detail` (evaluated only then) is
// printed with it.
#define TEXTDB_FUZZ_CHECK(cond, detail)                      \
  do {                                                       \
    if (!(cond)) Fail(#cond, __LINE__, std::string(detail)); \
  } while (0)

constexpr const char* kSchemaText =
    "Table: items\n"
    "Key: Name, Version\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Version\nType: debversion\n\n"
    "Field: Count\nType: integer\nIndex: yes\n\n"
    "Field: Price\nType: decimal\n\n"
    "Field: Essential\nType: boolean\n\n"
    "Field: Day\nType: date\n\n"
    "Field: When\nType: date-time\n\n"
    "Field: Priority\nType: enum\nValues: required, optional\n\n"
    "Field: Arch\nType: list\n\n"
    "Field: Maintainer\nIndex: yes\n";

constexpr const char* kRecordsText =
    "Name: libfoo1\nVersion: 1.0~rc1-2\nCount: 42\nPrice: 9.99\nEssential: yes\n"
    "Day: 2024-02-29\nWhen: 2024-01-01T10:00:00+01:00\nPriority: optional\n"
    "Arch: amd64, arm64\nMaintainer: \xC3\x89mile <e@example.org>\n"
    "Description: first line\n second line\n .\n third\n\n"
    "Name: Stra\xC3\x9F"
    "e\nVersion: 1:2.0\nCount: many\nDay: 2024-02-30\nArch: a, , b\n"
    "X.Y: dotted\nEmpty:\n\n"
    "Name: x\n";

const Schema& FixedSchema() {
  static const Schema schema = [] {
    Result<Schema> parsed = textdb::ParseSchema(kSchemaText, "items.schema");
    TEXTDB_FUZZ_CHECK(parsed.ok(), parsed.status().ToString());
    return std::move(parsed).value();
  }();
  return schema;
}

const std::vector<textdb::deb822::Stanza>& FixedRecords() {
  static const std::vector<textdb::deb822::Stanza> records = [] {
    Result<textdb::deb822::Document> doc = textdb::deb822::Parse(kRecordsText);
    TEXTDB_FUZZ_CHECK(doc.ok(), doc.status().ToString());
    return doc->stanzas();
  }();
  return records;
}

// Code points of line `line` (1-based) of `text`, terminator excluded; 0 when there is no such
// line.
std::size_t LineCodePoints(std::string_view text, std::uint32_t line) {
  std::size_t begin = 0;
  for (std::uint32_t i = 1; i < line; ++i) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) return 0;
    ++begin;
  }
  std::size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  std::size_t n = 0;
  for (std::size_t i = begin; i < end; ++i) {
    n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  }
  return n;
}

std::uint32_t LineCount(std::string_view text) {
  return static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

bool EndsWithRule(std::string_view message) {
  if (message.size() < 8 || !message.ends_with(']')) return false;
  const std::string_view rule = message.substr(message.size() - 8);
  return rule.starts_with(" [Q-") &&
         std::all_of(rule.begin() + 4, rule.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
}

// a located error inside `text`, with a rule id, that Caret can render.
void CheckError(std::string_view text, const Status& status) {
  TEXTDB_FUZZ_CHECK(status.code() == StatusCode::kInvalidArgument, status.ToString());
  const std::string& message = status.message();
  const ErrorPosition position = textdb::ErrorPositionOf(status);
  TEXTDB_FUZZ_CHECK(position.line >= 1 && position.column >= 1, message);
  TEXTDB_FUZZ_CHECK(position.line <= LineCount(text), message);
  TEXTDB_FUZZ_CHECK(position.column <= LineCodePoints(text, position.line) + 1, message);
  TEXTDB_FUZZ_CHECK(EndsWithRule(message), message);
  const std::string caret = textdb::Caret(text, status);
  TEXTDB_FUZZ_CHECK(caret.ends_with("^\n"), message + "\n" + caret);
}

// Evaluates `expression` on every fixed record with and without the schema, twice; returns the
// results.
std::vector<bool> Evaluate(const Expression& expression) {
  std::vector<bool> results;
  for (const auto& record : FixedRecords()) {
    for (const Schema* schema : {static_cast<const Schema*>(nullptr), &FixedSchema()}) {
      const bool first = expression.Matches(record, schema);
      TEXTDB_FUZZ_CHECK(first == expression.Matches(record, schema), expression.text());
      results.push_back(first);
    }
  }
  return results;
}

void CheckExpression(std::string_view input, const ExpressionOptions& options) {
  Result<Expression> parsed = Expression::Parse(input, options);
  if (!parsed.ok()) {
    CheckError(input, parsed.status());
    return;
  }
  const Expression& expression = *parsed;
  TEXTDB_FUZZ_CHECK(expression.text() == input, std::string(expression.text()));
  TEXTDB_FUZZ_CHECK(expression.options().case_insensitive == options.case_insensitive, input);
  const std::vector<bool> results = Evaluate(expression);
  const Expression copy = expression;  // NOLINT: a copy on purpose
  TEXTDB_FUZZ_CHECK(Evaluate(copy) == results, input);

  const Status valid = expression.Validate(FixedSchema());
  if (!valid.ok()) CheckError(input, valid);

  for (const textdb::Conjunct& conjunct : expression.Conjuncts()) {
    TEXTDB_FUZZ_CHECK(!conjunct.field.empty(), input);
    TEXTDB_FUZZ_CHECK(conjunct.kind == textdb::Conjunct::Kind::kEquals || !conjunct.value.empty(),
                      input);
    TEXTDB_FUZZ_CHECK(conjunct.case_insensitive == options.case_insensitive, input);
  }
  const textdb::AccessPlan plan = textdb::ChooseAccess(expression, FixedSchema());
  TEXTDB_FUZZ_CHECK(!plan.Explain().empty(), input);
  if (plan.kind == textdb::AccessPlan::Kind::kKeyLookup) {
    TEXTDB_FUZZ_CHECK(plan.key.size() == 2 && plan.key_fields.size() == 2, plan.Explain());
  }
  if (plan.kind == textdb::AccessPlan::Kind::kPartitionScan) {
    TEXTDB_FUZZ_CHECK(!plan.prefix.empty(), plan.Explain());
  }

  // [Q-042]: !(E) is the opposite of E (unless wrapping passes the nesting limit [Q-013]).
  const std::string negated_text = "!(" + std::string(input) + ")";
  Result<Expression> negated = Expression::Parse(negated_text, options);
  if (!negated.ok()) {
    CheckError(negated_text, negated.status());
    TEXTDB_FUZZ_CHECK(negated.status().message().ends_with("[Q-013]"), negated.status().message());
    return;
  }
  const std::vector<bool> opposite = Evaluate(*negated);
  for (std::size_t i = 0; i < results.size(); ++i) {
    TEXTDB_FUZZ_CHECK(opposite[i] != results[i], input);
  }
}

void CheckSql(std::string_view input) {
  Result<SqlStatement> parsed = textdb::ParseSql(input);
  if (!parsed.ok()) {
    CheckError(input, parsed.status());
    return;
  }
  const SqlStatement& statement = *parsed;
  TEXTDB_FUZZ_CHECK(!statement.table.empty(), input);
  switch (statement.kind) {
    case SqlKind::kSelect:
      TEXTDB_FUZZ_CHECK(statement.all_fields == statement.items.empty(), input);
      break;
    case SqlKind::kInsert:
      TEXTDB_FUZZ_CHECK(!statement.fields.empty() && !statement.values.empty(), input);
      for (const auto& row : statement.values) {
        TEXTDB_FUZZ_CHECK(row.size() == statement.fields.size(), input);
      }
      break;
    case SqlKind::kUpdate:
      TEXTDB_FUZZ_CHECK(!statement.assignments.empty(), input);
      break;
    case SqlKind::kDelete:
      TEXTDB_FUZZ_CHECK(statement.where.has_value(), input);
      break;
  }
  if (statement.where) {
    const std::string_view where = statement.where->text();
    TEXTDB_FUZZ_CHECK(!where.empty() && input.find(where) != std::string_view::npos, input);
    Evaluate(*statement.where);
    const Status valid = statement.where->Validate(FixedSchema());
    if (!valid.ok()) CheckError(input, valid);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  ExpressionOptions exact;
  ExpressionOptions caseless;
  caseless.case_insensitive = true;
  CheckExpression(input, exact);
  CheckExpression(input, caseless);
  CheckSql(input);
  return 0;
}
