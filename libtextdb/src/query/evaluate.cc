// Evaluation of selection expressions: see evaluate.h. Values borrow from the record and the
// tree wherever they can; only arithmetic and '&' build new text.
#include "query/evaluate.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "query/collation.h"
#include "schema/value_types.h"

namespace textdb::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsNumericType(FieldType type) {
  return type == FieldType::kInteger || type == FieldType::kDecimal;
}

bool IsDateType(FieldType type) { return type == FieldType::kDate || type == FieldType::kDateTime; }

// A FieldSpec with only a type, for CheckValue.
const FieldSpec& BareSpec(FieldType type) {
  static const std::array<FieldSpec, 9> specs = [] {
    constexpr std::array<FieldType, 9> kTypes = {
        FieldType::kString,  FieldType::kInteger, FieldType::kDecimal,
        FieldType::kBoolean, FieldType::kDate,    FieldType::kDateTime,
        FieldType::kEnum,    FieldType::kList,    FieldType::kDebVersion};
    std::array<FieldSpec, 9> all;
    for (std::size_t i = 0; i < kTypes.size(); ++i) {
      all[i].name = "value";
      all[i].type = kTypes[i];
    }
    return all;
  }();
  for (const FieldSpec& spec : specs) {
    if (spec.type == type) return spec;
  }
  return specs[0];
}

// ---- values [Q-020] -------------------------------------------------------------------------

struct Value {
  enum class Kind { kAbsent, kField, kText, kNumber };
  Kind kind = Kind::kAbsent;
  const FieldSpec* spec = nullptr;  // kField: the declaration; null when undeclared
  std::string_view view;            // the text when !owned
  std::string storage;              // the text when owned
  bool owned = false;

  std::string_view text() const { return owned ? std::string_view(storage) : view; }

  static Value Borrowed(Kind kind, std::string_view text, const FieldSpec* spec = nullptr) {
    Value value;
    value.kind = kind;
    value.view = text;
    value.spec = spec;
    return value;
  }
  static Value Owned(Kind kind, std::string text) {
    Value value;
    value.kind = kind;
    value.storage = std::move(text);
    value.owned = true;
    return value;
  }
  static Value Bool(bool b) { return Borrowed(Kind::kNumber, b ? "1" : "0"); }
};

OperandType TypeOf(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kField:
      return FieldOperandType(value.spec);
    case Value::Kind::kNumber:
      return {OperandType::Class::kNumber, FieldType::kString};
    case Value::Kind::kText:
    case Value::Kind::kAbsent:
      break;
  }
  return {OperandType::Class::kText, FieldType::kString};
}

//
bool TruthOf(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kAbsent:
      return false;
    case Value::Kind::kField:
      return true;
    case Value::Kind::kNumber:
      for (char c : value.text()) {
        if (c >= '1' && c <= '9') return true;
      }
      return false;
    case Value::Kind::kText:
      return !value.text().empty();
  }
  return false;
}

// ---- arithmetic [Q-040] ---------------------------------------------------------------------

struct Number {
  bool is_integer = true;
  std::int64_t integer = 0;
  double real = 0;
  double AsReal() const { return is_integer ? static_cast<double>(integer) : real; }
};

std::optional<Number> ToNumber(std::string_view text) {
  if (!IsDecimalNumber(text)) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  Number number;
  if (text.find('.') == std::string_view::npos) {
    const std::from_chars_result parsed = std::from_chars(text.data(), end, number.integer);
    if (parsed.ec == std::errc() && parsed.ptr == end) return number;
  }
  number.is_integer = false;
  const std::from_chars_result parsed = std::from_chars(text.data(), end, number.real);
  if (parsed.ec != std::errc() || parsed.ptr != end || !std::isfinite(number.real)) {
    return std::nullopt;
  }
  return number;
}

Value FromNumber(const Number& number) {
  if (number.is_integer) return Value::Owned(Value::Kind::kNumber, std::to_string(number.integer));
  if (!std::isfinite(number.real)) return Value();
  char buffer[400];  // the longest fixed form of a finite double is about 330 characters
  const std::to_chars_result written =
      std::to_chars(buffer, buffer + sizeof buffer, number.real, std::chars_format::fixed);
  if (written.ec != std::errc()) return Value();
  return Value::Owned(Value::Kind::kNumber, std::string(buffer, written.ptr));
}

std::optional<Number> Real(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  Number number;
  number.is_integer = false;
  number.real = value;
  return number;
}

std::optional<Number> Integer(std::int64_t value) {
  Number number;
  number.integer = value;
  return number;
}

std::optional<Number> Apply(ArithOp op, const Number& a, const Number& b) {
  if (a.is_integer && b.is_integer) {
    std::int64_t out = 0;
    switch (op) {
      case ArithOp::kAdd:
        if (!__builtin_add_overflow(a.integer, b.integer, &out)) return Integer(out);
        break;
      case ArithOp::kSub:
        if (!__builtin_sub_overflow(a.integer, b.integer, &out)) return Integer(out);
        break;
      case ArithOp::kMul:
        if (!__builtin_mul_overflow(a.integer, b.integer, &out)) return Integer(out);
        break;
      case ArithOp::kDiv:
        if (b.integer == 0) return std::nullopt;
        if (a.integer == std::numeric_limits<std::int64_t>::min() && b.integer == -1) break;
        return Integer(a.integer / b.integer);
      case ArithOp::kMod:
        if (b.integer == 0) return std::nullopt;
        if (b.integer == -1) return Integer(0);
        return Integer(a.integer % b.integer);
    }
  }
  const double x = a.AsReal();
  const double y = b.AsReal();
  switch (op) {
    case ArithOp::kAdd:
      return Real(x + y);
    case ArithOp::kSub:
      return Real(x - y);
    case ArithOp::kMul:
      return Real(x * y);
    case ArithOp::kDiv:
      if (y == 0) return std::nullopt;
      return Real(x / y);
    case ArithOp::kMod:
      if (y == 0) return std::nullopt;
      return Real(std::fmod(x, y));
  }
  return std::nullopt;
}

// ---- comparison [Q-030..Q-036] --------------------------------------------------------------

bool ApplyOrder(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kSameTime:
      return c == 0;
    case CompareOp::kNe:
      return c != 0;
    case CompareOp::kLt:
    case CompareOp::kBefore:
      return c < 0;
    case CompareOp::kLe:
      return c <= 0;
    case CompareOp::kGt:
    case CompareOp::kAfter:
      return c > 0;
    case CompareOp::kGe:
      return c >= 0;
  }
  return false;
}

// A typed field whose value is not valid for its own type compares false.
bool ValidForOwnType(const Value& value) {
  if (value.kind != Value::Kind::kField || value.spec == nullptr) return true;
  return ValidFor(value.spec->type, value.text());
}

bool TextEqual(std::string_view a, std::string_view b, bool case_insensitive) {
  return case_insensitive ? FoldedEqual(a, b) : a == b;
}

//
int TextOrder(std::string_view a, std::string_view b, bool case_insensitive) {
  if (!case_insensitive) return CollateText(a, b);
  return CollateText(FoldText(a), FoldText(b));
}

// `list` against `other`, `list` being on the left when `list_left`.
bool CompareList(CompareOp op, std::string_view list, std::string_view other, bool list_left,
                 bool case_insensitive) {
  if (!ValidFor(FieldType::kList, list)) return false;
  if (op == CompareOp::kEq || op == CompareOp::kNe) {
    bool any = false;
    for (std::string_view element : SplitList(list)) {
      if (TextEqual(element, other, case_insensitive)) {
        any = true;
        break;
      }
    }
    return op == CompareOp::kEq ? any : !any;
  }
  if (!ValidFor(FieldType::kList, other)) return false;
  const int c = CompareValues(FieldType::kList, list, other);
  return ApplyOrder(op, list_left ? c : -c);
}

bool CompareInstants(CompareOp op, std::string_view a, std::string_view b) {
  const std::optional<std::string> x = InstantText(a);
  const std::optional<std::string> y = InstantText(b);
  if (!x || !y) return false;
  return ApplyOrder(op, CompareValues(FieldType::kDateTime, *x, *y));
}

bool CompareOperands(CompareOp op, const Value& a, const Value& b, bool case_insensitive) {
  if (a.kind == Value::Kind::kAbsent || b.kind == Value::Kind::kAbsent) return false;
  if (!ValidForOwnType(a) || !ValidForOwnType(b)) return false;
  const std::string_view x = a.text();
  const std::string_view y = b.text();
  if (op == CompareOp::kBefore || op == CompareOp::kAfter || op == CompareOp::kSameTime) {
    return CompareInstants(op, x, y);
  }
  const Comparison how = ResolveComparison(TypeOf(a), TypeOf(b));
  switch (how.mode) {
    case Comparison::Mode::kText:
      if (op == CompareOp::kEq) return TextEqual(x, y, case_insensitive);
      if (op == CompareOp::kNe) return !TextEqual(x, y, case_insensitive);
      return ApplyOrder(op, TextOrder(x, y, case_insensitive));
    case Comparison::Mode::kNumeric:
      if (!IsDecimalNumber(x) || !IsDecimalNumber(y)) return false;
      return ApplyOrder(op, CompareValues(FieldType::kDecimal, x, y));
    case Comparison::Mode::kTyped:
      if (!ValidFor(how.type, x) || !ValidFor(how.type, y)) return false;
      return ApplyOrder(op, CompareValues(how.type, x, y));
    case Comparison::Mode::kInstant:
      return CompareInstants(op, x, y);
    case Comparison::Mode::kListAny:
      return how.list_left ? CompareList(op, x, y, true, case_insensitive)
                           : CompareList(op, y, x, false, case_insensitive);
    case Comparison::Mode::kListWhole:
      if (!ValidFor(FieldType::kList, x) || !ValidFor(FieldType::kList, y)) return false;
      return ApplyOrder(op, CompareValues(FieldType::kList, x, y));
    case Comparison::Mode::kNever:
      return false;
  }
  return false;
}

// ---- the evaluator --------------------------------------------------------------------------

class Evaluator {
 public:
  Evaluator(const ExpressionImpl& expression, const deb822::Stanza& record, const Schema* schema)
      : case_insensitive_(expression.options.case_insensitive), record_(record), schema_(schema) {}

  // The truth of `node` as a condition.
  bool Truth(const Node& node) {
    switch (node.kind) {
      case NodeKind::kField:
        return node.index == 0 && record_.Find(node.text) != nullptr;
      case NodeKind::kNot:
        return !Truth(*node.children[0]);
      case NodeKind::kAnd:
        for (const auto& child : node.children) {
          if (!Truth(*child)) return false;
        }
        return true;
      case NodeKind::kOr:
        for (const auto& child : node.children) {
          if (Truth(*child)) return true;
        }
        return false;
      case NodeKind::kImplies:
        return !Truth(*node.children[0]) || Truth(*node.children[1]);
      case NodeKind::kTernary:
        return Truth(*node.children[0]) ? Truth(*node.children[1]) : Truth(*node.children[2]);
      case NodeKind::kCompare:
        return CompareOperands(node.op, Eval(*node.children[0]), Eval(*node.children[1]),
                               case_insensitive_);
      case NodeKind::kMatch: {
        const Value value = Eval(*node.children[0]);
        if (value.kind == Value::Kind::kAbsent) return false;
        const std::string_view text = value.text();
        const bool matched =
            RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *node.regex);
        return matched != node.negated;
      }
      case NodeKind::kIsNull: {
        const bool absent = Eval(*node.children[0]).kind == Value::Kind::kAbsent;
        return absent != node.negated;
      }
      case NodeKind::kString:
      case NodeKind::kNumber:
      case NodeKind::kCount:
      case NodeKind::kNegate:
      case NodeKind::kToNumber:
      case NodeKind::kArith:
      case NodeKind::kConcat:
        break;
    }
    return TruthOf(Eval(node));
  }

  Value Eval(const Node& node) {
    switch (node.kind) {
      case NodeKind::kString:
        return Value::Borrowed(Value::Kind::kText, node.text);
      case NodeKind::kNumber:
        return Value::Borrowed(Value::Kind::kNumber, node.text);
      case NodeKind::kField: {
        if (node.index != 0) return Value();
        const deb822::Field* field = record_.Find(node.text);
        if (field == nullptr) return Value();
        const FieldSpec* spec = schema_ == nullptr ? nullptr : schema_->Find(node.text);
        return Value::Borrowed(Value::Kind::kField, field->value(), spec);
      }
      case NodeKind::kCount:
        return Value::Bool(record_.Find(node.text) != nullptr);
      case NodeKind::kNegate:
      case NodeKind::kToNumber: {
        const std::optional<Number> operand = ToNumber(EvalText(*node.children[0]));
        if (!operand) return Value();
        if (node.kind == NodeKind::kToNumber) return FromNumber(*operand);
        Number zero;
        const std::optional<Number> negated = Apply(ArithOp::kSub, zero, *operand);
        return negated ? FromNumber(*negated) : Value();
      }
      case NodeKind::kArith: {
        std::optional<Number> total = ToNumber(EvalText(*node.children[0]));
        for (std::size_t i = 1; i < node.children.size() && total; ++i) {
          const std::optional<Number> next = ToNumber(EvalText(*node.children[i]));
          total = next ? Apply(node.ops[i - 1], *total, *next) : std::nullopt;
        }
        return total ? FromNumber(*total) : Value();
      }
      case NodeKind::kConcat: {
        std::string out;
        for (const auto& child : node.children) {
          const Value part = Eval(*child);
          if (part.kind == Value::Kind::kAbsent) return Value();
          out.append(part.text());
        }
        return Value::Owned(Value::Kind::kText, std::move(out));
      }
      case NodeKind::kTernary:
        return Truth(*node.children[0]) ? Eval(*node.children[1]) : Eval(*node.children[2]);
      case NodeKind::kCompare:
      case NodeKind::kMatch:
      case NodeKind::kIsNull:
      case NodeKind::kNot:
      case NodeKind::kAnd:
      case NodeKind::kOr:
      case NodeKind::kImplies:
        break;
    }
    return Value::Bool(Truth(node));
  }

 private:
  // The text of `node`'s value for arithmetic, or "" (not a number) when absent.
  std::string EvalText(const Node& node) {
    const Value value = Eval(node);
    if (value.kind == Value::Kind::kAbsent) return std::string();
    return std::string(value.text());
  }

  const bool case_insensitive_;
  const deb822::Stanza& record_;
  const Schema* const schema_;
};

}  // namespace

OperandType FieldOperandType(const FieldSpec* spec) {
  if (spec == nullptr || spec->type == FieldType::kString || spec->type == FieldType::kEnum) {
    return {OperandType::Class::kText, FieldType::kString};
  }
  return {OperandType::Class::kTyped, spec->type};
}

Comparison ResolveComparison(OperandType left, OperandType right) {
  using Class = OperandType::Class;
  Comparison out;
  if (left.cls == Class::kTyped && right.cls == Class::kTyped) {
    if (IsNumericType(left.type) && IsNumericType(right.type)) {
      out.mode = Comparison::Mode::kNumeric;
    } else if (left.type == right.type) {
      out.mode =
          left.type == FieldType::kList ? Comparison::Mode::kListWhole : Comparison::Mode::kTyped;
      out.type = left.type;
    } else if (IsDateType(left.type) && IsDateType(right.type)) {
      out.mode = Comparison::Mode::kInstant;
    } else {
      out.mode = Comparison::Mode::kNever;
    }
    return out;
  }
  if (left.cls == Class::kTyped || right.cls == Class::kTyped) {
    const FieldType type = left.cls == Class::kTyped ? left.type : right.type;
    if (IsNumericType(type)) {
      out.mode = Comparison::Mode::kNumeric;
    } else if (IsDateType(type)) {
      out.mode = Comparison::Mode::kInstant;
    } else if (type == FieldType::kList) {
      out.mode = Comparison::Mode::kListAny;
      out.list_left = left.cls == Class::kTyped;
    } else {
      out.mode = Comparison::Mode::kTyped;
      out.type = type;
    }
    return out;
  }
  out.mode = left.cls == Class::kNumber || right.cls == Class::kNumber ? Comparison::Mode::kNumeric
                                                                       : Comparison::Mode::kText;
  return out;
}

bool IsDecimalNumber(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const std::size_t digits = i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i == digits) return false;
  if (i == text.size()) return true;
  if (text[i] != '.') return false;
  const std::size_t fraction = ++i;
  while (i < text.size() && IsDigit(text[i])) ++i;
  return i > fraction && i == text.size();
}

bool ValidFor(FieldType type, std::string_view raw) {
  switch (type) {
    case FieldType::kString:
    case FieldType::kEnum:
      return true;
    case FieldType::kDecimal:
      return IsDecimalNumber(raw);
    case FieldType::kInteger:
      return IsDecimalNumber(raw) && raw.find('.') == std::string_view::npos;
    case FieldType::kList:
      for (std::string_view element : SplitList(raw)) {
        if (element.empty()) return false;
      }
      return true;
    case FieldType::kBoolean:
    case FieldType::kDate:
    case FieldType::kDateTime:
    case FieldType::kDebVersion:
      break;
  }
  // PERF: CheckValue builds a message only for invalid values.
  return CheckValue(BareSpec(type), raw).ok();
}

std::optional<std::string> InstantText(std::string_view raw) {
  if (raw.size() == 10 && ValidFor(FieldType::kDate, raw)) {
    return std::string(raw) + "T00:00:00Z";
  }
  if (ValidFor(FieldType::kDateTime, raw)) return std::string(raw);
  return std::nullopt;
}

std::string InvalidValueReason(FieldType type, std::string_view raw) {
  switch (type) {
    case FieldType::kInteger:
      return "expected an integer, e.g. -42";
    case FieldType::kDecimal:
      return "expected a number, e.g. -3.25";
    case FieldType::kBoolean:
      return "expected yes, no, true, false, 1 or 0";
    case FieldType::kDate:
    case FieldType::kDateTime:
      return "expected a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM:SS with Z or +HH:MM";
    case FieldType::kList:
      return "expected non-empty elements separated by ','";
    case FieldType::kDebVersion:
      return DebVersionError(raw);
    case FieldType::kString:
    case FieldType::kEnum:
      break;
  }
  return "expected text";
}

bool Evaluate(const ExpressionImpl& expression, const deb822::Stanza& record,
              const Schema* schema) {
  return Evaluator(expression, record, schema).Truth(*expression.root);
}

}  // namespace textdb::internal
