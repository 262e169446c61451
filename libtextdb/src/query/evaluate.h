// Evaluation of selection expressions against a record (format-spec/query.md sections 3 to 5),
// and the comparison typing that Validate and the planner share with it.
//
// Part of the query layer. Evaluation reads the immutable tree of ast.h and the record; it keeps
// no state between calls, so any number of threads may evaluate at once.
#ifndef TEXTDB_QUERY_EVALUATE_H_
#define TEXTDB_QUERY_EVALUATE_H_

#include <optional>
#include <string>
#include <string_view>

#include "query/ast.h"
#include "textdb/deb822.h"
#include "textdb/schema.h"

namespace textdb::internal {

// What an operand is for comparison typing.
struct OperandType {
  enum class Class {
    kText,    // string literal, '&' result, string/enum/undeclared field
    kNumber,  // number literal, #Field, arithmetic, a condition's 1 or 0
    kTyped,   // a field of any other type: `type`
  };
  Class cls = Class::kText;
  FieldType type = FieldType::kString;  // kTyped only
};

// The operand type of a field declared by `spec` (null: undeclared, a string).
OperandType FieldOperandType(const FieldSpec* spec);

// How two operands compare.
struct Comparison {
  enum class Mode {
    kText,
    kNumeric,
    kTyped,      // `type`'s order
    kInstant,    // date / date-time as instants
    kListAny,    // a list field against one value; `list_left` says which side
    kListWhole,  // two list fields
    kNever,      // incompatible types: always false
  };
  Mode mode = Mode::kText;
  FieldType type = FieldType::kString;  // kTyped
  bool list_left = true;                // kListAny: the list is the left operand
};
Comparison ResolveComparison(OperandType left, OperandType right);

// [+-]digits[.digits] [S-102], [Q-033].
bool IsDecimalNumber(std::string_view text);

// True when `raw` is a valid value of `type` [S-100..S-108], Pattern and enum Values aside
//
bool ValidFor(FieldType type, std::string_view raw);

// The text a date operator compares: a date-time as it is, a date as its midnight UTC
// ("2024-01-31T00:00:00Z"); nullopt for anything else.
std::optional<std::string> InstantText(std::string_view raw);

// Why `raw` is not valid for `type`, for messages: "expected YYYY-MM-DD", dpkg's reason, ...
std::string InvalidValueReason(FieldType type, std::string_view raw);

// True when `record` satisfies the compiled expression [Q-020..Q-042].
// REQUIRES: `schema`, when not null, stays valid during the call.
bool Evaluate(const ExpressionImpl& expression, const deb822::Stanza& record, const Schema* schema);

}  // namespace textdb::internal

#endif  // TEXTDB_QUERY_EVALUATE_H_
