// Planning hints (include/textdb/query.h): the conjuncts of an expression and the
// choice of an access path for a table.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "query/ast.h"
#include "query/evaluate.h"
#include "query/lexer.h"
#include "schema/value_types.h"
#include "text/unicode.h"
#include "textdb/query.h"

namespace textdb {
namespace internal {
namespace {

bool IsRegexMeta(char c) {
  return std::string_view(".[]()*+?{}^$|\\").find(c) != std::string_view::npos;
}

bool IsAsciiPunctuation(char c) { return c > 0x20 && c < 0x7F && !IsNameChar(c); }

// The literal text every match of `pattern` starts with, when the pattern is anchored at the
// start; "" when there is none.
std::string RegexLiteralPrefix(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return "";
  std::size_t i = 0;
  if (pattern.starts_with("^")) {
    i = 1;
  } else if (pattern.starts_with("\\A")) {
    i = 2;
  } else {
    return "";
  }
  std::string prefix;
  while (i < pattern.size()) {
    const char c = pattern[i];
    std::string_view literal;
    if (c == '\\') {
      if (i + 1 == pattern.size() || !IsAsciiPunctuation(pattern[i + 1])) break;
      literal = pattern.substr(i + 1, 1);
      i += 2;
    } else if (IsRegexMeta(c)) {
      break;
    } else {
      std::size_t length = 1;
      while (i + length < pattern.size() &&
             (static_cast<unsigned char>(pattern[i + length]) & 0xC0) == 0x80) {
        ++length;
      }
      literal = pattern.substr(i, length);
      i += length;
    }
    if (i < pattern.size() && (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '{')) {
      break;  // the character is optional (or counted): not part of every match
    }
    prefix.append(literal);
    if (i < pattern.size() && pattern[i] == '+') break;
  }
  return prefix;
}

void CollectConjuncts(const Node& node, bool case_insensitive, std::vector<Conjunct>* out) {
  if (node.kind == NodeKind::kAnd) {
    for (const auto& child : node.children) CollectConjuncts(*child, case_insensitive, out);
    return;
  }
  const auto is_field = [](const Node& n) { return n.kind == NodeKind::kField && n.index == 0; };
  const auto is_literal = [](const Node& n) {
    return n.kind == NodeKind::kString || n.kind == NodeKind::kNumber;
  };
  if (node.kind == NodeKind::kCompare && node.op == CompareOp::kEq) {
    const Node& left = *node.children[0];
    const Node& right = *node.children[1];
    const Node* field = is_field(left) && is_literal(right)   ? &left
                        : is_field(right) && is_literal(left) ? &right
                                                              : nullptr;
    if (field == nullptr) return;
    const Node& literal = field == &left ? right : left;
    Conjunct conjunct;
    conjunct.kind = Conjunct::Kind::kEquals;
    conjunct.field = field->text;
    conjunct.value = literal.text;
    conjunct.number = literal.kind == NodeKind::kNumber;
    conjunct.case_insensitive = case_insensitive;
    out->push_back(std::move(conjunct));
  } else if (node.kind == NodeKind::kMatch && !node.negated && is_field(*node.children[0])) {
    std::string prefix = RegexLiteralPrefix(node.text);
    if (prefix.empty()) return;
    Conjunct conjunct;
    conjunct.kind = Conjunct::Kind::kPrefix;
    conjunct.field = node.children[0]->text;
    conjunct.value = std::move(prefix);
    conjunct.case_insensitive = case_insensitive;
    out->push_back(std::move(conjunct));
  }
}

// What an equality conjunct on a declared field means for an exact lookup: the canonical value
// every matching record has (for a list: one of its elements), or that no record can match.
struct ExactValue {
  enum class Kind { kUnusable, kInvalid, kValue } kind = Kind::kUnusable;
  std::string value;  // kValue: canonical; kInvalid: why
};

ExactValue ExactValueOf(const FieldSpec& spec, const Conjunct& conjunct) {
  ExactValue out;
  const std::string_view literal = conjunct.value;
  auto invalid = [&] {
    out.kind = ExactValue::Kind::kInvalid;
    out.value = QuoteForMessage(literal) + " is not a valid " +
                std::string(FieldTypeName(spec.type)) + " value for field '" + spec.name + "'";
    return out;
  };
  auto value = [&](std::string canonical) {
    out.kind = ExactValue::Kind::kValue;
    out.value = std::move(canonical);
    return out;
  };
  switch (spec.type) {
    case FieldType::kString:
    case FieldType::kEnum:
      // A number compares numerically, -i by folding: neither is exact.
      if (conjunct.number || conjunct.case_insensitive) return out;
      return value(std::string(literal));
    case FieldType::kInteger:
    case FieldType::kDecimal: {
      if (!IsDecimalNumber(literal)) return invalid();
      std::string canonical = CanonicalValue(FieldType::kDecimal, literal);
      if (!ValidFor(spec.type, canonical)) return invalid();
      return value(std::move(canonical));
    }
    case FieldType::kDate:
      if (ValidFor(FieldType::kDate, literal)) return value(std::string(literal));
      if (!InstantText(literal)) return invalid();
      return out;  // a date-time may equal a date only at midnight UTC: not worth a lookup
    case FieldType::kDateTime: {
      const std::optional<std::string> instant = InstantText(literal);
      if (!instant) return invalid();
      return value(CanonicalValue(FieldType::kDateTime, *instant));
    }
    case FieldType::kBoolean:
    case FieldType::kDebVersion:
      if (!ValidFor(spec.type, literal)) return invalid();
      return value(CanonicalValue(spec.type, literal));
    case FieldType::kList:
      // `=` is true when one element equals the literal, as an index of the elements
      // finds it; an element is never empty, never holds ',' and is trimmed.
      if (conjunct.case_insensitive) return out;
      if (literal.empty() || literal.find(',') != std::string_view::npos ||
          TrimSpace(literal) != literal) {
        out.kind = ExactValue::Kind::kInvalid;
        out.value =
            QuoteForMessage(literal) + " cannot be an element of list field '" + spec.name + "'";
        return out;
      }
      return value(std::string(literal));
  }
  return out;
}

// The first key field's value prefix from `conjunct`, or "" item 4.
std::string PartitionPrefix(const FieldSpec& spec, const Conjunct& conjunct) {
  const bool text = spec.type == FieldType::kString || spec.type == FieldType::kEnum;
  if (conjunct.kind == Conjunct::Kind::kEquals) {
    // Folded equality implies a folded prefix, so -i is fine here.
    if (text) return conjunct.number ? "" : conjunct.value;
    Conjunct exact = conjunct;
    exact.case_insensitive = false;
    const ExactValue value = ExactValueOf(spec, exact);
    return value.kind == ExactValue::Kind::kValue ? value.value : "";
  }
  if (!text) return "";  // the raw value a regex sees is not the canonical key
  // A combining mark after the prefix could compose with its last character under folding:
  // leave out the last grapheme cluster.
  Result<std::vector<std::string_view>> clusters =
      LeadingGraphemes(conjunct.value, conjunct.value.size());
  if (!clusters.ok() || clusters->empty()) return "";
  std::string prefix;
  for (std::size_t i = 0; i + 1 < clusters->size(); ++i) prefix.append((*clusters)[i]);
  return prefix;
}

}  // namespace
}  // namespace internal

std::vector<Conjunct> Expression::Conjuncts() const {
  std::vector<Conjunct> out;
  internal::CollectConjuncts(*impl_->root, impl_->options.case_insensitive, &out);
  return out;
}

AccessPlan ChooseAccess(const Expression& where, const Schema& schema) {
  using internal::ExactValue;
  const std::vector<Conjunct> conjuncts = where.Conjuncts();
  AccessPlan plan;
  // An equality that can never hold empties the result whatever else is chosen.
  for (const Conjunct& conjunct : conjuncts) {
    const FieldSpec* spec = schema.Find(conjunct.field);
    if (conjunct.kind != Conjunct::Kind::kEquals || spec == nullptr) continue;
    const ExactValue value = internal::ExactValueOf(*spec, conjunct);
    if (value.kind == ExactValue::Kind::kInvalid) {
      plan.kind = AccessPlan::Kind::kNoRecord;
      plan.reason = value.value;
      return plan;
    }
  }
  if (schema.key().empty()) return plan;
  // 1. An exact equality on every key field.
  for (std::size_t index : schema.key()) {
    const FieldSpec& spec = schema.fields()[index];
    for (const Conjunct& conjunct : conjuncts) {
      if (conjunct.kind != Conjunct::Kind::kEquals ||
          !internal::EqualsIgnoreCase(conjunct.field, spec.name)) {
        continue;
      }
      ExactValue value = internal::ExactValueOf(spec, conjunct);
      // An empty key component is invalid [S-130]: leave such records to a scan.
      if (value.kind != ExactValue::Kind::kValue || value.value.empty()) continue;
      plan.key_fields.push_back(spec.name);
      plan.key.push_back(std::move(value.value));
      break;
    }
  }
  if (plan.key.size() == schema.key().size()) {
    plan.kind = AccessPlan::Kind::kKeyLookup;
    return plan;
  }
  plan.key_fields.clear();
  plan.key.clear();
  // 2. An exact equality on an indexed field.
  for (const Conjunct& conjunct : conjuncts) {
    const FieldSpec* spec = schema.Find(conjunct.field);
    if (conjunct.kind != Conjunct::Kind::kEquals || spec == nullptr || !spec->indexed) continue;
    ExactValue value = internal::ExactValueOf(*spec, conjunct);
    if (value.kind != ExactValue::Kind::kValue) continue;
    plan.kind = AccessPlan::Kind::kSecondaryIndex;
    plan.field = spec->name;
    plan.value = std::move(value.value);
    return plan;
  }
  // 3. A prefix of the first key field: equalities first, then prefixes.
  const FieldSpec& first = schema.fields()[schema.key().front()];
  for (Conjunct::Kind kind : {Conjunct::Kind::kEquals, Conjunct::Kind::kPrefix}) {
    for (const Conjunct& conjunct : conjuncts) {
      if (conjunct.kind != kind || !internal::EqualsIgnoreCase(conjunct.field, first.name)) {
        continue;
      }
      std::string prefix = internal::PartitionPrefix(first, conjunct);
      if (prefix.empty()) continue;
      plan.kind = AccessPlan::Kind::kPartitionScan;
      plan.field = first.name;
      plan.prefix = std::move(prefix);
      return plan;
    }
  }
  return plan;
}

std::string AccessPlan::Explain() const {
  switch (kind) {
    case Kind::kNoRecord:
      return "no record can match: " + reason;
    case Kind::kKeyLookup: {
      std::string out = "key lookup: ";
      for (std::size_t i = 0; i < key.size() && i < key_fields.size(); ++i) {
        if (i != 0) out += ", ";
        out += key_fields[i] + "=" + internal::QuoteForMessage(key[i]);
      }
      return out;
    }
    case Kind::kSecondaryIndex:
      return "secondary index: " + field + "=" + internal::QuoteForMessage(value);
    case Kind::kPartitionScan:
      return "partition scan: " + field + " starts with " + internal::QuoteForMessage(prefix);
    case Kind::kFullScan:
      break;
  }
  return "full scan";
}

}  // namespace textdb
