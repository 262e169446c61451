// textdb::Expression (include/textdb/query.h): parsing, matching, Validate, error
// positions and carets, and record constraints.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/scanner.h"
#include "query/ast.h"
#include "query/evaluate.h"
#include "query/lexer.h"
#include "query/parser.h"
#include "schema/value_types.h"
#include "textdb/query.h"

namespace textdb {
namespace internal {
namespace {

// Validate's walk over the tree.
class Validator {
 public:
  Validator(const ExpressionImpl& expression, const Schema& schema)
      : expression_(expression), schema_(schema) {}

  Status Walk(const Node& node) {
    if (node.kind == NodeKind::kField || node.kind == NodeKind::kCount) {
      TEXTDB_RETURN_IF_ERROR(CheckDeclared(node));
    }
    if (node.kind == NodeKind::kCompare) TEXTDB_RETURN_IF_ERROR(CheckComparison(node));
    for (const auto& child : node.children) TEXTDB_RETURN_IF_ERROR(Walk(*child));
    return Status::Ok();
  }

 private:
  Status Error(std::size_t offset, const std::string& message) const {
    return QueryError(expression_.source, offset, message, "Q-051");
  }

  Status CheckDeclared(const Node& node) const {
    if (schema_.allow_unknown_fields() || schema_.Find(node.text) != nullptr) return Status::Ok();
    return Error(node.offset, "field '" + node.text + "' is not declared by the schema of table '" +
                                  schema_.table() + "', which rejects unknown fields");
  }

  static bool IsLiteral(const Node& node) {
    return node.kind == NodeKind::kString || node.kind == NodeKind::kNumber;
  }

  // The operand type `node` always has, or nullopt when it depends on the record (? :).
  std::optional<OperandType> StaticType(const Node& node) const {
    switch (node.kind) {
      case NodeKind::kString:
      case NodeKind::kConcat:
        return OperandType{OperandType::Class::kText, FieldType::kString};
      case NodeKind::kField:
        return FieldOperandType(schema_.Find(node.text));
      case NodeKind::kTernary:
        return std::nullopt;
      case NodeKind::kNumber:
      case NodeKind::kCount:
      case NodeKind::kNegate:
      case NodeKind::kToNumber:
      case NodeKind::kArith:
      case NodeKind::kCompare:
      case NodeKind::kMatch:
      case NodeKind::kIsNull:
      case NodeKind::kNot:
      case NodeKind::kAnd:
      case NodeKind::kOr:
      case NodeKind::kImplies:
        break;
    }
    return OperandType{OperandType::Class::kNumber, FieldType::kString};
  }

  Status CheckComparison(const Node& node) const {
    const Node& left = *node.children[0];
    const Node& right = *node.children[1];
    if (node.op == CompareOp::kBefore || node.op == CompareOp::kAfter ||
        node.op == CompareOp::kSameTime) {
      for (const Node* side : {&left, &right}) {
        if (IsLiteral(*side) && !InstantText(side->text)) {
          return Error(side->offset, QuoteForMessage(side->text) +
                                         " is not a date or a date-time; " +
                                         InvalidValueReason(FieldType::kDate, side->text));
        }
      }
      return Status::Ok();
    }
    const std::optional<OperandType> left_type = StaticType(left);
    const std::optional<OperandType> right_type = StaticType(right);
    if (!left_type || !right_type) return Status::Ok();
    const Comparison how = ResolveComparison(*left_type, *right_type);
    if (how.mode == Comparison::Mode::kNever) {
      return Error(node.op_offset, "cannot compare field '" + left.text + "' (" +
                                       std::string(FieldTypeName(left_type->type)) +
                                       ") with field '" + right.text + "' (" +
                                       std::string(FieldTypeName(right_type->type)) + ")");
    }
    // A literal against a typed field must be valid for the comparison type.
    const bool left_typed = left_type->cls == OperandType::Class::kTyped;
    const bool right_typed = right_type->cls == OperandType::Class::kTyped;
    if (left_typed == right_typed) return Status::Ok();
    const Node& field = left_typed ? left : right;
    const Node& literal = left_typed ? right : left;
    if (!IsLiteral(literal)) return Status::Ok();
    const FieldType type = (left_typed ? *left_type : *right_type).type;
    bool valid = true;
    switch (how.mode) {
      case Comparison::Mode::kNumeric:
        valid = IsDecimalNumber(literal.text);
        break;
      case Comparison::Mode::kTyped:
        valid = ValidFor(how.type, literal.text);
        break;
      case Comparison::Mode::kInstant:
        valid = InstantText(literal.text).has_value();
        break;
      case Comparison::Mode::kListAny:
        valid = node.op == CompareOp::kEq || node.op == CompareOp::kNe ||
                ValidFor(FieldType::kList, literal.text);
        break;
      case Comparison::Mode::kText:
      case Comparison::Mode::kListWhole:
      case Comparison::Mode::kNever:
        break;
    }
    if (valid) return Status::Ok();
    return Error(literal.offset, QuoteForMessage(literal.text) + " is not a valid " +
                                     std::string(FieldTypeName(type)) + " value for field '" +
                                     field.text + "': " + InvalidValueReason(type, literal.text));
  }

  const ExpressionImpl& expression_;
  const Schema& schema_;
};

// How constraint messages name a record: by its key values, else its line [S-130].
std::string RecordName(const Schema& schema, const deb822::Stanza& record) {
  std::string key;
  for (std::size_t index : schema.key()) {
    const FieldSpec& spec = schema.fields()[index];
    std::optional<std::string_view> value = record.Get(spec.name);
    if (!value || value->empty()) {
      key.clear();
      break;
    }
    if (!key.empty()) key += ", ";
    key += spec.name + "=" + QuoteForMessage(*value);
  }
  if (!key.empty()) return "record " + key;
  if (record.line() != 0) return "record at line " + std::to_string(record.line());
  return "record";
}

bool ParseDecimal(std::string_view text, std::size_t* pos, std::uint32_t* out) {
  const std::size_t begin = *pos;
  std::uint64_t value = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9' && *pos - begin < 10) {
    value = value * 10 + static_cast<std::uint64_t>(text[*pos] - '0');
    ++*pos;
  }
  if (*pos == begin || value > 0xFFFFFFFFu) return false;
  *out = static_cast<std::uint32_t>(value);
  return true;
}

}  // namespace
}  // namespace internal

Result<Expression> Expression::Parse(std::string_view text, const ExpressionOptions& options) {
  Result<std::vector<internal::Token>> tokens =
      internal::Tokenize(text, internal::Dialect::kExpression);
  if (!tokens.ok()) return tokens.status();
  std::size_t pos = 0;
  Result<std::unique_ptr<internal::Node>> root =
      internal::ParseExpressionAt(text, *tokens, &pos, internal::Dialect::kExpression, options);
  if (!root.ok()) return root.status();
  const internal::Token& next = (*tokens)[pos];
  if (next.kind != internal::TokenKind::kEnd) {
    return internal::QueryError(text, next.offset,
                                "expected an operator or the end after " +
                                    internal::DescribeToken(text, (*tokens)[pos - 1]) + ", found " +
                                    internal::DescribeToken(text, next),
                                "Q-010");
  }
  auto impl = std::make_shared<internal::ExpressionImpl>();
  impl->source = std::string(text);
  impl->begin = 0;
  impl->end = text.size();
  impl->options = options;
  impl->root = std::move(root).value();
  return internal::ExpressionFactory::Make(std::move(impl));
}

bool Expression::Matches(const deb822::Stanza& record, const Schema* schema) const {
  return internal::Evaluate(*impl_, record, schema);
}

Status Expression::Validate(const Schema& schema) const {
  return internal::Validator(*impl_, schema).Walk(*impl_->root);
}

namespace {

// Appends the names of the fields `node` and its children read to *out, each
// once (ignoring ASCII case), in text order.
void CollectFields(const internal::Node& node, std::vector<std::string>* out) {
  if (node.kind == internal::NodeKind::kField || node.kind == internal::NodeKind::kCount) {
    const bool seen = std::any_of(out->begin(), out->end(), [&](const std::string& name) {
      return internal::EqualsIgnoreAsciiCase(name, node.text);
    });
    if (!seen) out->push_back(node.text);
  }
  for (const auto& child : node.children) CollectFields(*child, out);
}

}  // namespace

std::vector<std::string> Expression::Fields() const {
  std::vector<std::string> out;
  CollectFields(*impl_->root, &out);
  return out;
}

std::string_view Expression::text() const {
  return std::string_view(impl_->source).substr(impl_->begin, impl_->end - impl_->begin);
}

const ExpressionOptions& Expression::options() const { return impl_->options; }

ErrorPosition ErrorPositionOf(const Status& status) {
  const std::string& message = status.message();
  std::size_t pos = 0;
  ErrorPosition position;
  if (status.ok() || !internal::ParseDecimal(message, &pos, &position.line) ||
      pos == message.size() || message[pos++] != ':' ||
      !internal::ParseDecimal(message, &pos, &position.column) ||
      message.compare(pos, 9, ": error: ") != 0 || position.line == 0 || position.column == 0) {
    return ErrorPosition();
  }
  return position;
}

std::string Caret(std::string_view text, const Status& status) {
  const ErrorPosition position = ErrorPositionOf(status);
  if (position.line == 0) return "";
  std::size_t begin = 0;
  for (std::uint32_t line = 1; line < position.line; ++line) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) return "";
    ++begin;
  }
  std::size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  const std::string_view line = text.substr(begin, end - begin);
  std::string indent;
  std::uint32_t column = 1;
  for (std::size_t i = 0; i < line.size() && column < position.column; ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: same code point
    indent += c == '\t' ? '\t' : ' ';
    ++column;
  }
  if (column != position.column) return "";  // past the end of the line and its terminator
  return std::string(line) + "\n" + indent + "^\n";
}

Result<std::vector<Expression>> CompileConstraints(const Schema& schema) {
  std::vector<Expression> compiled;
  for (const std::string& text : schema.constraints()) {
    Result<Expression> expression = Expression::Parse(text, {});
    Status status = expression.ok() ? expression->Validate(schema) : expression.status();
    if (!status.ok()) {
      return Status::InvalidData("constraint " + internal::QuoteForMessage(text) + ": " +
                                 status.message());
    }
    compiled.push_back(std::move(expression).value());
  }
  return compiled;
}

Status CheckConstraints(const std::vector<Expression>& constraints, const Schema& schema,
                        const deb822::Stanza& record) {
  for (const Expression& constraint : constraints) {
    if (constraint.Matches(record, &schema)) continue;
    return Status::InvalidData(internal::RecordName(schema, record) + ": constraint " +
                               internal::QuoteForMessage(constraint.text()) +
                               " does not hold [Q-060]");
  }
  return Status::Ok();
}

}  // namespace textdb
