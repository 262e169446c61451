// The query language: selection expressions, record constraints, planning hints and the SQL
// dialect of `textdb select --where` and `textdb sql` (format-spec/query.md, rules [Q-nnn]).
//
//   textdb::Result<textdb::Expression> where =
//       textdb::Expression::Parse("Installed-Size > 1000 && Priority = 'optional'", {});
//   if (!where.ok()) return where.status();  // "1:19: error: ... [Q-010]"
//   if (where->Matches(record, &schema)) use(record);
//
//   textdb::Result<textdb::SqlStatement> sql =
//       textdb::ParseSql("SELECT Package FROM packages WHERE \"Installed-Size\" > 1000", {});
//
// A malformed expression or statement fails with kInvalidArgument whose message starts with
// "LINE:COLUMN: error:"; Caret() renders the offending line with a caret under the column.
//
// Thread-safety: Expression is an immutable value (copies share one compiled form); Matches and
// every other const method may be called from several threads at once. The free functions may
// be called from any thread.
// Lifetime: results are values owned by the caller; Expression::text() is valid as long as the
// Expression or a copy of it lives. An Expression does not refer to the text it was parsed from.
#ifndef TEXTDB_QUERY_H_
#define TEXTDB_QUERY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb {

namespace internal {
struct ExpressionImpl;    // the compiled form; private to the query module
class ExpressionFactory;  // makes Expression objects; private to the query module
}  // namespace internal

struct ExpressionOptions {
  // Compare text (string, enum, undeclared fields, list elements) by Unicode full case folding
  // and match regular expressions case-insensitively: `textdb select -i`.
  // Default: false (exact, case-sensitive).
  bool case_insensitive = false;
};

// A conjunct of the top-level `&&` chain that a planner can use.
struct Conjunct {
  enum class Kind {
    kEquals,  // `field = literal`: as the expression defines equality (lists: any element)
    kPrefix,  // `field ~ '^literal'`: the field's value starts with `value` (code points)
  };
  Kind kind = Kind::kEquals;
  std::string field;              // the field name as written (compare ASCII case-insensitively)
  std::string value;              // kEquals: the literal's text; kPrefix: the literal prefix
  bool number = false;            // kEquals: the literal was an unquoted number
  bool case_insensitive = false;  // the expression's option: the match ignores case
};

// A parsed selection expression [Q-001..Q-042]. Immutable; copies are cheap and share the
// compiled form.
class Expression {
 public:
  // Parses `text`. Fails with kInvalidArgument: "LINE:COL: error: WHAT; expected ... [Q-nnn]"
  // regular expressions are compiled here, so a bad pattern fails here, located at its
  // literal.
  static Result<Expression> Parse(std::string_view text, const ExpressionOptions& options = {});

  // True when `record` satisfies the expression [Q-020..Q-042]. Field types come from `schema`;
  // when it is null every field is a string. Never fails: a value that is not valid for
  // the comparison type compares false. REQUIRES: `schema`, when not null, stays valid
  // during the call.
  bool Matches(const deb822::Stanza& record, const Schema* schema) const;

  // Checks the expression against `schema`: literals compared with typed fields are
  // valid for the comparison type, literals of date operators are dates or date-times, compared
  // fields have compatible types, and (with
  // `Unknown-Fields: reject`) every field named is declared. Fails with kInvalidArgument located
  // like a parse error (in the text given to Parse, or the whole statement for ParseSql).
  Status Validate(const Schema& schema) const;

  // The names of the fields the expression reads, each once (the first spelling,
  // names comparing ignoring ASCII case), in text order: Matches looks at no other field of a
  // record, so it may be given a stanza of these fields alone (Database::ScanParallel).
  std::vector<std::string> Fields() const;

  // The conjuncts of the top-level `&&` chain usable for planning, in text order.
  std::vector<Conjunct> Conjuncts() const;

  // The expression's text as given (for SQL: the WHERE clause's text). Valid as long as this
  // Expression or a copy of it lives.
  std::string_view text() const;
  const ExpressionOptions& options() const;

 private:
  friend class internal::ExpressionFactory;
  explicit Expression(std::shared_ptr<const internal::ExpressionImpl> impl)
      : impl_(std::move(impl)) {}
  std::shared_ptr<const internal::ExpressionImpl> impl_;  // INVARIANT: not null
};

// Where a query error is, as read from a Status of Expression::Parse, Validate or ParseSql.
struct ErrorPosition {
  std::uint32_t line = 0;    // 1-based; 0 when the status carries no position
  std::uint32_t column = 0;  // 1-based, in code points
};
ErrorPosition ErrorPositionOf(const Status& status);

// The line of `text` that `status` points into, then a line with a '^' under the column (spaces,
// and a tab under each tab so the caret lines up), each ending with '\n':
//   "Age > && x\n      ^\n"
// "" when the status has no position or the position is not in `text`.
std::string Caret(std::string_view text, const Status& status);

// How a planner should find the records of one table that may match an expression.
// The plan only narrows the candidates: every candidate is still checked with Matches.
struct AccessPlan {
  enum class Kind {
    kNoRecord,        // no record can match: an equality's literal is invalid for its field
    kKeyLookup,       // one record: Database::Get(table, key)
    kSecondaryIndex,  // records whose `field` has the canonical value `value`
    kPartitionScan,   // Database::Scan(table, prefix), `field` being the first key field
    kFullScan,        // every record (partitions may be read in parallel)
  };
  Kind kind = Kind::kFullScan;
  std::vector<std::string> key_fields;  // kKeyLookup: the key fields' names, in key order
  std::vector<std::string> key;         // kKeyLookup: canonical value per key field [S-120]
  std::string field;                    // kSecondaryIndex, kPartitionScan (as declared)
  std::string value;                    // kSecondaryIndex: canonical value [S-101..S-109]
  std::string prefix;                   // kPartitionScan: not empty
  std::string reason;                   // kNoRecord: why

  // One line for `textdb select --explain`, e.g. "key lookup: Package='hello', Version='1.0'".
  std::string Explain() const;
};

// Chooses the access path for `where` on a table with `schema`. Never fails.
AccessPlan ChooseAccess(const Expression& where, const Schema& schema);

// The record constraints of `schema` [S-014], parsed (case-sensitive) and validated.
// Fails with kInvalidData naming the constraint: "constraint 'End >= Strat': 1:8: error: ...".
Result<std::vector<Expression>> CompileConstraints(const Schema& schema);

// OK when `record` satisfies every constraint. Otherwise kInvalidData for the first one that
// does not hold: "record Id='7': constraint 'End >= Start' does not hold [Q-060]".
// REQUIRES: `constraints` came from CompileConstraints(schema).
Status CheckConstraints(const std::vector<Expression>& constraints, const Schema& schema,
                        const deb822::Stanza& record);

// ---- SQL [Q-080..Q-086] -------------------------------------------------------------------

enum class SqlKind { kSelect, kInsert, kUpdate, kDelete };

// One item of a SELECT list.
struct SqlSelectItem {
  enum class Aggregate { kNone, kCount, kMin, kMax, kSum, kAvg };
  Aggregate aggregate = Aggregate::kNone;
  std::string field;  // the field; "" for COUNT(*)
  std::string alias;  // the AS name; "" when none
};

struct SqlOrderKey {
  std::string field;
  bool descending = false;
};

// A value of INSERT or UPDATE: the text as written (a number keeps its sign and digits), or
// nullopt for NULL (leave the field out / remove it).
using SqlValue = std::optional<std::string>;

struct SqlAssignment {
  std::string field;
  SqlValue value;
};

// A parsed statement. Fields that do not apply to `kind` are empty.
struct SqlStatement {
  SqlKind kind = SqlKind::kSelect;
  std::string table;
  bool all_fields = false;                    // SELECT *
  std::vector<SqlSelectItem> items;           // SELECT items (empty with *)
  std::vector<std::string> fields;            // INSERT: the field list
  std::vector<std::vector<SqlValue>> values;  // INSERT: one row per record, one value per field
  std::vector<SqlAssignment> assignments;     // UPDATE: SET list, in order
  std::optional<Expression> where;            // SELECT, UPDATE (optional), DELETE (always)
  std::vector<std::string> group_by;          // SELECT
  std::vector<SqlOrderKey> order_by;          // SELECT
  std::optional<std::uint64_t> limit;         // SELECT
  std::uint64_t offset = 0;                   // SELECT
};

// Parses one SQL statement. Keywords are case-insensitive. Fails with kInvalidArgument
// located in `text` as; the WHERE expression's Validate errors are located in `text` too.
Result<SqlStatement> ParseSql(std::string_view text, const ExpressionOptions& options = {});

}  // namespace textdb

#endif  // TEXTDB_QUERY_H_
