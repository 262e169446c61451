// The syntax tree of a selection expression (format-spec/query.md section 2) and the compiled
// expression behind textdb::Expression.
//
// Part of the query layer. A tree is built once by the parser (parser.h) and is immutable
// afterwards, so several threads may evaluate it at once.
// INVARIANT: the tree depth is bounded by the parser's nesting limit times a small
// constant, so every recursive walk over it is bounded too.
#ifndef TEXTDB_QUERY_AST_H_
#define TEXTDB_QUERY_AST_H_

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/query.h"

namespace textdb::internal {

enum class NodeKind {
  kString,    // string literal: text
  kNumber,    // number literal: text is a decimal number, sign folded in
  kField,     // field reference: text = name, index = subscript
  kCount,     // #Field: text = name
  kNegate,    // unary '-': children[0]
  kToNumber,  // unary '+': children[0]
  kArith,     // children[0] ops[0] children[1] ops[1] ... (left to right)
  kConcat,    // children joined with '&'
  kCompare,   // children[0] op children[1] [Q-030..Q-036]
  kMatch,     // children[0] ~ regex, or !~ when negated
  kIsNull,    // children[0] IS NULL, or IS NOT NULL when negated (SQL)
  kNot,       // !children[0]
  kAnd,       // children[0] && children[1] && ...
  kOr,        // children[0] || children[1] || ...
  kImplies,   // children[0] => children[1]
  kTernary,   // children[0] ? children[1] : children[2]
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kBefore, kAfter, kSameTime };
enum class ArithOp { kAdd, kSub, kMul, kDiv, kMod };

struct Node {
  NodeKind kind = NodeKind::kString;
  std::size_t offset = 0;         // byte offset of the node's first token in the source
  std::string text;               // see NodeKind
  std::size_t index = 0;          // kField: the subscript
  bool negated = false;           // kMatch: '!~'; kIsNull: IS NOT NULL
  CompareOp op = CompareOp::kEq;  // kCompare
  std::size_t op_offset = 0;      // kCompare, kMatch: offset of the operator
  std::vector<ArithOp> ops;       // kArith: ops.size() == children.size() - 1
  std::vector<std::unique_ptr<Node>> children;
  std::unique_ptr<const RE2> regex;  // kMatch: compiled, ok()
};

// The compiled form shared by copies of an Expression.
struct ExpressionImpl {
  std::string source;     // the whole text parsed (for SQL: the statement); offsets refer here
  std::size_t begin = 0;  // the expression's own text is source[begin, end)
  std::size_t end = 0;
  ExpressionOptions options;
  std::unique_ptr<Node> root;  // INVARIANT: not null
};

// Makes Expression objects from compiled forms and reads them back (Expression's constructor
// and impl_ are private).
class ExpressionFactory {
 public:
  static Expression Make(std::shared_ptr<const ExpressionImpl> impl) {
    return Expression(std::move(impl));
  }
  static const ExpressionImpl& Impl(const Expression& expression) { return *expression.impl_; }
};

}  // namespace textdb::internal

#endif  // TEXTDB_QUERY_AST_H_
