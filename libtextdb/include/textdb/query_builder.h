// A small C++ builder for selection expressions (format-spec/query.md): conditions built from
// operators instead of text, with every literal quoted for you.
//
//   using namespace textdb::q;
//   textdb::Result<textdb::Expression> where =
//       (Field("Installed-Size") > 1000 && Field("Section") == "net").Build();
//   // where->text() == "Installed-Size > 1000 && Section = 'net'"
//
// A Condition is expression text: Build() parses it with Expression::Parse, so the result has
// exactly the semantics of the equivalent written expression (typed comparison against the
// table's schema, key lookups and indexes chosen by the planner ). Field names
// are written bare when allows, otherwise in backquotes; string literals in
// single quotes with \\, \', LF and tab escaped, so any text compares as itself.
// Integers and floating-point values are number literals (a negative one with unary minus
// ), so they compare numerically even with undeclared fields; bool, dates and date-times
// are written as their FieldCodec text in quotes ('yes', '2024-02-29', '2024-02-29T13:05:00Z').
// Parentheses are added only where precedence needs them.
//
// Operators: == != < <= > >= (the language's = != < <= > >=), Matches (~, an RE2 pattern
// ), && || !, and Exists / Has (a bare field name: true when the field is present
//
//
// Thread-safety: values without shared state. Lifetime: Condition::text() is valid while the
// Condition lives; a built Expression owns its text.
#ifndef TEXTDB_QUERY_BUILDER_H_
#define TEXTDB_QUERY_BUILDER_H_

#include <chrono>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "textdb/field_codec.h"
#include "textdb/query.h"
#include "textdb/status.h"

namespace textdb::q {

class Field;

// An operand on the right of a comparison: a literal or another field.
class Value {
 public:
  Value(std::string_view text);    // NOLINT: implicit; a string literal
  Value(const char* text);         // NOLINT: implicit; a string literal. REQUIRES: not null
  Value(const std::string& text);  // NOLINT: implicit; a string literal
  template <CodecInteger T>
  Value(T number)  // NOLINT: implicit; a number literal
      : text_(IntegerText(number)) {}
  Value(double number);                       // NOLINT: implicit; a number literal
  Value(float number);                        // NOLINT: implicit; float's shortest text
  Value(bool value);                          // NOLINT: implicit; 'yes' or 'no'
  Value(std::chrono::year_month_day date);    // NOLINT: implicit; 'YYYY-MM-DD'
  Value(std::chrono::sys_seconds date_time);  // NOLINT: implicit; 'YYYY-MM-DDTHH:MM:SSZ'
  Value(const Field& field);                  // NOLINT: implicit; the field's value

  // The operand as expression text, e.g. "'it\\'s'", "-5", "`2nd`".
  const std::string& text() const { return text_; }
  // Not OK when the value has no expression text (NaN, a date outside 0000-9999).
  const Status& status() const { return status_; }

 private:
  // "42", or "-42" (unary minus on 42) when `negative`.
  static std::string NumberText(bool negative, unsigned long long magnitude);
  template <CodecInteger T>
  static std::string IntegerText(T number) {
    if constexpr (std::is_signed_v<T>) {
      if (number < 0) return NumberText(true, 0 - static_cast<unsigned long long>(number));
    }
    return NumberText(false, static_cast<unsigned long long>(number));
  }
  std::string text_;
  Status status_;
};

// A condition: expression text and its precedence, plus the first error of a value in it.
class Condition {
 public:
  // The expression text, as Build() parses it. Valid while this Condition lives.
  const std::string& text() const { return text_; }
  // Parses text() with `options` (Expression::Parse). Fails with kInvalidArgument when a value
  // has no expression text (the message names it) or a Matches pattern does not compile.
  Result<Expression> Build(const ExpressionOptions& options = {}) const;

  friend Condition operator&&(const Condition& a, const Condition& b);
  friend Condition operator||(const Condition& a, const Condition& b);
  friend Condition operator!(const Condition& a);

 private:
  friend class Field;
  // How loosely the text binds: an || chain, an && chain, or a single term.
  enum class Level { kOr, kAnd, kTerm };
  Condition(std::string text, Level level, Status status)
      : text_(std::move(text)), level_(level), status_(std::move(status)) {}
  std::string text_;
  Level level_;
  Status status_;
};

// A field reference, by name (matched ASCII case-insensitively, [Q-003]).
class Field {
 public:
  explicit Field(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  // The name as expression text: bare or backquoted.
  std::string Text() const;

  Condition operator==(const Value& value) const { return Compare("=", value); }
  Condition operator!=(const Value& value) const { return Compare("!=", value); }
  Condition operator<(const Value& value) const { return Compare("<", value); }
  Condition operator<=(const Value& value) const { return Compare("<=", value); }
  Condition operator>(const Value& value) const { return Compare(">", value); }
  Condition operator>=(const Value& value) const { return Compare(">=", value); }
  // `field ~ 'pattern'`: the value matches the RE2 pattern somewhere.
  Condition Matches(std::string_view pattern) const;
  // The field is present, whatever its value.
  Condition Exists() const;

 private:
  Condition Compare(std::string_view op, const Value& value) const;
  std::string name_;
};

// The field is present; Has is a synonym.
inline Condition Exists(const Field& field) { return field.Exists(); }
inline Condition Has(const Field& field) { return field.Exists(); }

// `text` as a string literal: in single quotes, with \\, \', LF and tab escaped.
std::string QuoteLiteral(std::string_view text);

}  // namespace textdb::q

#endif  // TEXTDB_QUERY_BUILDER_H_
