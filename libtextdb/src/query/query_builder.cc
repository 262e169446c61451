// The expression builder of include/textdb/query_builder.h: writes expression text by the
// lexical rules of format-spec/query.md [Q-003..Q-006] and parses it with Expression::Parse.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "schema/value_types.h"
#include "textdb/field_codec.h"
#include "textdb/query.h"
#include "textdb/query_builder.h"

namespace textdb::q {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsAsciiLetter(c) || IsAsciiDigit(c) || c == '_'; }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = IsAsciiLetter(a[i]) ? static_cast<char>(a[i] | 0x20) : a[i];
    const char y = IsAsciiLetter(b[i]) ? static_cast<char>(b[i] | 0x20) : b[i];
    if (x != y) return false;
  }
  return true;
}

// True when `name` may be written bare: a letter or '_', then letters, digits, '_' and
// '-', every '-' followed by a letter, digit or '_'. The words SQL reads as keywords are
// backquoted too, so that the text means the same wherever it is used.
bool IsBareName(std::string_view name) {
  if (name.empty() || !(IsAsciiLetter(name[0]) || name[0] == '_')) return false;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] == '-') {
      if (i + 1 == name.size() || !IsNameChar(name[i + 1])) return false;
    } else if (!IsNameChar(name[i])) {
      return false;
    }
  }
  for (std::string_view keyword : {"AND", "OR", "NOT", "IS", "NULL"}) {
    if (EqualsIgnoreAsciiCase(name, keyword)) return false;
  }
  return true;
}

// The first non-OK of `a` and `b`.
Status FirstError(const Status& a, const Status& b) { return a.ok() ? b : a; }

template <typename T>
std::string QuotedCodecText(const T& value, Status* status) {
  std::string text;
  if (Status formatted = FieldCodec<T>::Format(value, &text); !formatted.ok()) {
    *status = Status::InvalidArgument("a " + std::string(FieldCodec<T>::kTypeName) +
                                      " value has no expression text: " + formatted.message());
    return "''";
  }
  return QuoteLiteral(text);
}

}  // namespace

std::string QuoteLiteral(std::string_view text) { return internal::QuoteEscaped(text); }

Value::Value(std::string_view text) : text_(QuoteLiteral(text)) {}
Value::Value(const char* text) : text_(QuoteLiteral(text)) {}
Value::Value(const std::string& text) : text_(QuoteLiteral(text)) {}

namespace {

// The number literal of a float or double (shortest exact decimal); "-1.5" is the unary minus on
// 1.5. Sets *status for NaN and infinities.
template <typename F>
std::string FloatingText(F number, Status* status) {
  std::string digits;
  if (Status formatted = FieldCodec<F>::Format(number, &digits); !formatted.ok()) {
    *status = Status::InvalidArgument("a " + std::string(FieldCodec<F>::kTypeName) +
                                      " value has no expression text: " + formatted.message());
    return "0";
  }
  return digits;
}

}  // namespace

// (In the bodies: status_ is initialised after text_.)
Value::Value(double number) { text_ = FloatingText(number, &status_); }
Value::Value(float number) { text_ = FloatingText(number, &status_); }

Value::Value(bool value) : text_(QuoteLiteral(value ? "yes" : "no")) {}
Value::Value(std::chrono::year_month_day date) { text_ = QuotedCodecText(date, &status_); }
Value::Value(std::chrono::sys_seconds date_time) { text_ = QuotedCodecText(date_time, &status_); }
Value::Value(const Field& field) : text_(field.Text()) {}

std::string Value::NumberText(bool negative, unsigned long long magnitude) {
  return (negative ? "-" : "") + std::to_string(magnitude);
}

Result<Expression> Condition::Build(const ExpressionOptions& options) const {
  if (!status_.ok()) return status_;
  return Expression::Parse(text_, options);
}

Condition operator&&(const Condition& a, const Condition& b) {
  const auto operand = [](const Condition& c) {
    return c.level_ == Condition::Level::kOr ? "(" + c.text_ + ")" : c.text_;
  };
  return Condition(operand(a) + " && " + operand(b), Condition::Level::kAnd,
                   FirstError(a.status_, b.status_));
}

Condition operator||(const Condition& a, const Condition& b) {
  return Condition(a.text_ + " || " + b.text_, Condition::Level::kOr,
                   FirstError(a.status_, b.status_));
}

Condition operator!(const Condition& a) {
  // `!` applies to a whole comparison, so a term needs no parentheses.
  std::string text = a.level_ == Condition::Level::kTerm ? "!" + a.text_ : "!(" + a.text_ + ")";
  return Condition(std::move(text), Condition::Level::kTerm, a.status_);
}

std::string Field::Text() const {
  if (IsBareName(name_)) return name_;
  std::string out = "`";
  for (const char c : name_) {
    out += c;
    if (c == '`') out += '`';  // a backquote inside is doubled
  }
  out += '`';
  return out;
}

Condition Field::Compare(std::string_view op, const Value& value) const {
  return Condition(Text() + " " + std::string(op) + " " + value.text(), Condition::Level::kTerm,
                   value.status());
}

Condition Field::Matches(std::string_view pattern) const {
  return Condition(Text() + " ~ " + QuoteLiteral(pattern), Condition::Level::kTerm, Status());
}

Condition Field::Exists() const { return Condition(Text(), Condition::Level::kTerm, Status()); }

}  // namespace textdb::q
