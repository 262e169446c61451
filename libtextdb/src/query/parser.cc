// The expression parser: see parser.h. One function per grammar rule of [Q-010], loosest first.
// A function returns null after recording the first error in error_; callers return at once.
#include "query/parser.h"

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/value_types.h"

namespace textdb::internal {
namespace {

constexpr std::array<std::string_view, 22> kReservedWords = {
    "SELECT", "FROM",   "WHERE",  "GROUP", "BY",     "ORDER",  "ASC", "DESC",
    "LIMIT",  "OFFSET", "INSERT", "INTO",  "VALUES", "UPDATE", "SET", "DELETE",
    "AND",    "OR",     "NOT",    "IS",    "NULL",   "AS"};

struct CompareSpelling {
  std::string_view spelling;
  CompareOp op;
};
constexpr std::array<CompareSpelling, 10> kCompareOps = {{{"=", CompareOp::kEq},
                                                          {"!=", CompareOp::kNe},
                                                          {"<>", CompareOp::kNe},
                                                          {"<", CompareOp::kLt},
                                                          {"<=", CompareOp::kLe},
                                                          {">", CompareOp::kGt},
                                                          {">=", CompareOp::kGe},
                                                          {"<<", CompareOp::kBefore},
                                                          {">>", CompareOp::kAfter},
                                                          {"==", CompareOp::kSameTime}}};

class Parser {
 public:
  Parser(std::string_view source, const std::vector<Token>& tokens, std::size_t pos,
         Dialect dialect, const ExpressionOptions& options)
      : source_(source), tokens_(tokens), pos_(pos), dialect_(dialect), options_(options) {}

  Result<std::unique_ptr<Node>> Run(std::size_t* end) {
    std::unique_ptr<Node> root = Expression();
    if (root == nullptr) return error_;
    *end = pos_;
    return root;
  }

 private:
  // Counts one level of nesting for its lifetime [Q-013].
  class Nest {
   public:
    explicit Nest(Parser* parser) : parser_(parser) { ++parser_->depth_; }
    ~Nest() { --parser_->depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    // False (with the error recorded) when this level is one too many.
    // `offset` is the token that opens the level.
    bool Ok(std::size_t offset) {
      if (parser_->depth_ <= kMaxNesting) return true;
      parser_->Fail(offset,
                    "expression nested too deeply: more than " + std::to_string(kMaxNesting) +
                        " levels of parentheses and operators",
                    "Q-013");
      return false;
    }

   private:
    Parser* parser_;
  };

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_ == tokens_.size() - 1 ? pos_ : pos_++]; }
  bool Sql() const { return dialect_ == Dialect::kSql; }
  bool PeekKeyword(std::string_view keyword) const { return Sql() && IsKeyword(Peek(), keyword); }

  std::nullptr_t Fail(std::size_t offset, std::string_view message, std::string_view rule) {
    if (error_.ok()) error_ = QueryError(source_, offset, message, rule);
    return nullptr;
  }

  // "after 'X', " naming the token before the current one, or "" at the start.
  std::string After() const {
    if (pos_ == 0) return "";
    return " after " + DescribeToken(source_, tokens_[pos_ - 1]);
  }

  std::string Where(std::size_t offset) const {
    const LineColumn at = LocateOffset(source_, offset);
    return std::to_string(at.line) + ":" + std::to_string(at.column);
  }

  static std::unique_ptr<Node> MakeNode(NodeKind kind, std::size_t offset) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->offset = offset;
    return node;
  }

  // expression = implication [ "?" expression ":" expression ]
  std::unique_ptr<Node> Expression() {
    std::unique_ptr<Node> condition = Implication();
    if (condition == nullptr || !Peek().Is("?")) return condition;
    const std::size_t question = Take().offset;
    Nest nest(this);
    if (!nest.Ok(question)) return nullptr;
    std::unique_ptr<Node> then = Expression();
    if (then == nullptr) return nullptr;
    if (!Peek().Is(":")) {
      return Fail(Peek().offset,
                  "expected ':' of the '?' at " + Where(question) + After() + ", found " +
                      DescribeToken(source_, Peek()),
                  "Q-010");
    }
    Take();
    std::unique_ptr<Node> otherwise = Expression();
    if (otherwise == nullptr) return nullptr;
    auto node = MakeNode(NodeKind::kTernary, condition->offset);
    node->children.push_back(std::move(condition));
    node->children.push_back(std::move(then));
    node->children.push_back(std::move(otherwise));
    return node;
  }

  // implication = disjunction [ "=>" implication ]
  std::unique_ptr<Node> Implication() {
    std::unique_ptr<Node> left = Disjunction();
    if (left == nullptr || !Peek().Is("=>")) return left;
    const std::size_t arrow = Take().offset;
    Nest nest(this);
    if (!nest.Ok(arrow)) return nullptr;
    std::unique_ptr<Node> right = Implication();
    if (right == nullptr) return nullptr;
    auto node = MakeNode(NodeKind::kImplies, left->offset);
    node->children.push_back(std::move(left));
    node->children.push_back(std::move(right));
    return node;
  }

  // disjunction = conjunction { ("||" | "OR") conjunction }
  std::unique_ptr<Node> Disjunction() {
    std::unique_ptr<Node> first = Conjunction();
    if (first == nullptr || !(Peek().Is("||") || PeekKeyword("OR"))) return first;
    auto node = MakeNode(NodeKind::kOr, first->offset);
    node->children.push_back(std::move(first));
    while (Peek().Is("||") || PeekKeyword("OR")) {
      Take();
      std::unique_ptr<Node> next = Conjunction();
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // conjunction = negation { ("&&" | "AND") negation }
  std::unique_ptr<Node> Conjunction() {
    std::unique_ptr<Node> first = Negation();
    if (first == nullptr || !(Peek().Is("&&") || PeekKeyword("AND"))) return first;
    auto node = MakeNode(NodeKind::kAnd, first->offset);
    node->children.push_back(std::move(first));
    while (Peek().Is("&&") || PeekKeyword("AND")) {
      Take();
      std::unique_ptr<Node> next = Negation();
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // negation = ("!" | "NOT") negation | comparison
  std::unique_ptr<Node> Negation() {
    if (!Peek().Is("!") && !PeekKeyword("NOT")) return Comparison();
    const std::size_t offset = Take().offset;
    Nest nest(this);
    if (!nest.Ok(offset)) return nullptr;
    std::unique_ptr<Node> operand = Negation();
    if (operand == nullptr) return nullptr;
    auto node = MakeNode(NodeKind::kNot, offset);
    node->children.push_back(std::move(operand));
    return node;
  }

  const CompareSpelling* PeekCompareOp() const {
    if (Peek().kind != TokenKind::kOperator) return nullptr;
    for (const CompareSpelling& op : kCompareOps) {
      if (Peek().text == op.spelling) return &op;
    }
    return nullptr;
  }

  bool PeeksComparison() const {
    return PeekCompareOp() != nullptr || Peek().Is("~") || Peek().Is("!~") || PeekKeyword("IS");
  }

  // comparison = concatenation [ compare-op concatenation | ("~" | "!~") string
  //                              | "IS" ["NOT"] "NULL" ]
  std::unique_ptr<Node> Comparison() {
    std::unique_ptr<Node> left = Concatenation();
    if (left == nullptr) return nullptr;
    std::unique_ptr<Node> node;
    if (const CompareSpelling* op = PeekCompareOp()) {
      const std::size_t op_offset = Take().offset;
      std::unique_ptr<Node> right = Concatenation();
      if (right == nullptr) return nullptr;
      node = MakeNode(NodeKind::kCompare, left->offset);
      node->op = op->op;
      node->op_offset = op_offset;
      node->children.push_back(std::move(left));
      node->children.push_back(std::move(right));
    } else if (Peek().Is("~") || Peek().Is("!~")) {
      node = Match(std::move(left));
      if (node == nullptr) return nullptr;
    } else if (PeekKeyword("IS")) {
      Take();
      node = MakeNode(NodeKind::kIsNull, left->offset);
      if (PeekKeyword("NOT")) {
        Take();
        node->negated = true;
      }
      if (!PeekKeyword("NULL")) {
        return Fail(Peek().offset,
                    "expected NULL" + After() + ", found " + DescribeToken(source_, Peek()),
                    "Q-081");
      }
      Take();
      node->children.push_back(std::move(left));
    } else {
      return left;
    }
    if (PeeksComparison()) {
      return Fail(Peek().offset,
                  "comparisons do not chain; expected '&&' or '||' before " +
                      DescribeToken(source_, Peek()) + " (write 1 < A && A < 5)",
                  "Q-011");
    }
    return node;
  }

  // The rest of `left ~ 'regex'` [Q-012, Q-037].
  std::unique_ptr<Node> Match(std::unique_ptr<Node> left) {
    const Token& op = Take();
    const Token& literal = Peek();
    if (literal.kind != TokenKind::kString) {
      return Fail(literal.offset,
                  "expected a regular expression in quotes after '" + op.text + "', found " +
                      DescribeToken(source_, literal),
                  "Q-012");
    }
    Take();
    RE2::Options re_options;
    re_options.set_log_errors(false);
    re_options.set_encoding(RE2::Options::EncodingUTF8);
    re_options.set_max_mem(kMaxRegexMemory);
    re_options.set_case_sensitive(!options_.case_insensitive);
    auto regex = std::make_unique<const RE2>(
        re2::StringPiece(literal.text.data(), literal.text.size()), re_options);
    if (!regex->ok()) {
      return Fail(literal.offset, "invalid regular expression: " + regex->error(), "Q-037");
    }
    auto node = MakeNode(NodeKind::kMatch, left->offset);
    node->negated = op.text == "!~";
    node->op_offset = op.offset;
    node->text = literal.text;
    node->regex = std::move(regex);
    node->children.push_back(std::move(left));
    return node;
  }

  // concatenation = additive { "&" additive }
  std::unique_ptr<Node> Concatenation() {
    std::unique_ptr<Node> first = Additive();
    if (first == nullptr || !Peek().Is("&")) return first;
    auto node = MakeNode(NodeKind::kConcat, first->offset);
    node->children.push_back(std::move(first));
    while (Peek().Is("&")) {
      Take();
      std::unique_ptr<Node> next = Additive();
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // additive = multiplicative { ("+" | "-") multiplicative }
  std::unique_ptr<Node> Additive() {
    std::unique_ptr<Node> first = Multiplicative();
    if (first == nullptr || !(Peek().Is("+") || Peek().Is("-"))) return first;
    auto node = MakeNode(NodeKind::kArith, first->offset);
    node->children.push_back(std::move(first));
    while (Peek().Is("+") || Peek().Is("-")) {
      node->ops.push_back(Take().text == "+" ? ArithOp::kAdd : ArithOp::kSub);
      std::unique_ptr<Node> next = Multiplicative();
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // multiplicative = unary { ("*" | "/" | "%") unary }
  std::unique_ptr<Node> Multiplicative() {
    std::unique_ptr<Node> first = Unary();
    if (first == nullptr || !(Peek().Is("*") || Peek().Is("/") || Peek().Is("%"))) return first;
    auto node = MakeNode(NodeKind::kArith, first->offset);
    node->children.push_back(std::move(first));
    while (Peek().Is("*") || Peek().Is("/") || Peek().Is("%")) {
      const std::string& op = Take().text;
      node->ops.push_back(op == "*" ? ArithOp::kMul : op == "/" ? ArithOp::kDiv : ArithOp::kMod);
      std::unique_ptr<Node> next = Unary();
      if (next == nullptr) return nullptr;
      node->children.push_back(std::move(next));
    }
    return node;
  }

  // unary = ("-" | "+") unary | primary. A sign before a number literal is folded into it.
  std::unique_ptr<Node> Unary() {
    if (!Peek().Is("-") && !Peek().Is("+")) return Primary();
    const Token& sign = Take();
    const bool minus = sign.text == "-";
    Nest nest(this);
    if (!nest.Ok(sign.offset)) return nullptr;
    std::unique_ptr<Node> operand = Unary();
    if (operand == nullptr) return nullptr;
    if (operand->kind == NodeKind::kNumber) {
      if (minus) {
        operand->text =
            operand->text.starts_with('-') ? operand->text.substr(1) : "-" + operand->text;
      }
      operand->offset = sign.offset;
      return operand;
    }
    auto node = MakeNode(minus ? NodeKind::kNegate : NodeKind::kToNumber, sign.offset);
    node->children.push_back(std::move(operand));
    return node;
  }

  bool PeeksFieldName() const {
    return Peek().kind == TokenKind::kQuotedName ||
           (Peek().kind == TokenKind::kName && !(Sql() && IsReservedWord(Peek())));
  }

  // primary = number | string | field | "#" field-name | "(" expression ")"
  std::unique_ptr<Node> Primary() {
    const Token& token = Peek();
    switch (token.kind) {
      case TokenKind::kNumber:
      case TokenKind::kString: {
        auto node = MakeNode(
            token.kind == TokenKind::kNumber ? NodeKind::kNumber : NodeKind::kString, token.offset);
        node->text = Take().text;
        return node;
      }
      case TokenKind::kName:
      case TokenKind::kQuotedName:
        if (PeeksFieldName()) return Field();
        if (IsKeyword(token, "NULL")) {
          return Fail(token.offset,
                      "NULL is not a value; expected IS NULL or IS NOT NULL after the field",
                      "Q-081");
        }
        return Fail(
            token.offset,
            "expected a value" + After() + ", found the keyword " + DescribeToken(source_, token) +
                "; a field of that name is written in double quotes: \"" + token.text + "\"",
            "Q-080");
      case TokenKind::kOperator:
        if (token.Is("#")) {
          const std::size_t offset = Take().offset;
          if (!PeeksFieldName()) {
            return Fail(Peek().offset,
                        "expected a field name after '#', found " + DescribeToken(source_, Peek()),
                        "Q-023");
          }
          auto node = MakeNode(NodeKind::kCount, offset);
          node->text = Take().text;
          return node;
        }
        if (token.Is("(")) {
          const std::size_t open = Take().offset;
          Nest nest(this);
          if (!nest.Ok(open)) return nullptr;
          std::unique_ptr<Node> inner = Expression();
          if (inner == nullptr) return nullptr;
          if (!Peek().Is(")")) {
            return Fail(Peek().offset,
                        "expected ')' to close the '(' at " + Where(open) + After() + ", found " +
                            DescribeToken(source_, Peek()),
                        "Q-010");
          }
          Take();
          return inner;
        }
        break;
      case TokenKind::kEnd:
        break;
    }
    return Fail(token.offset,
                "expected a value (a field name, a 'string', a number, '#' or '(')" + After() +
                    ", found " + DescribeToken(source_, token),
                "Q-010");
  }

  // field = field-name [ "[" digits "]" ]
  std::unique_ptr<Node> Field() {
    const Token& name = Take();
    auto node = MakeNode(NodeKind::kField, name.offset);
    node->text = name.text;
    if (!Peek().Is("[")) return node;
    Take();
    const Token& index = Peek();
    std::size_t value = 0;
    bool valid = index.kind == TokenKind::kNumber && !index.text.empty() &&
                 index.text.find_first_not_of("0123456789") == std::string::npos &&
                 index.text.size() <= 9;
    if (!valid) {
      return Fail(index.offset,
                  "expected an occurrence number (0 to 999999999) after '[', found " +
                      DescribeToken(source_, index),
                  "Q-014");
    }
    for (char digit : index.text) value = value * 10 + static_cast<std::size_t>(digit - '0');
    Take();
    if (!Peek().Is("]")) {
      return Fail(Peek().offset,
                  "expected ']'" + After() + ", found " + DescribeToken(source_, Peek()), "Q-014");
    }
    Take();
    node->index = value;
    return node;
  }

  std::string_view source_;
  const std::vector<Token>& tokens_;
  std::size_t pos_;
  Dialect dialect_;
  const ExpressionOptions& options_;
  int depth_ = 0;
  Status error_;
};

}  // namespace

bool IsKeyword(const Token& token, std::string_view keyword) {
  return token.kind == TokenKind::kName && EqualsIgnoreCase(token.text, keyword);
}

bool IsReservedWord(const Token& token) {
  for (std::string_view word : kReservedWords) {
    if (IsKeyword(token, word)) return true;
  }
  return false;
}

Result<std::unique_ptr<Node>> ParseExpressionAt(std::string_view source,
                                                const std::vector<Token>& tokens, std::size_t* pos,
                                                Dialect dialect, const ExpressionOptions& options) {
  return Parser(source, tokens, *pos, dialect, options).Run(pos);
}

}  // namespace textdb::internal
