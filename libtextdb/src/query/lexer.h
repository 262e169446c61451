// The tokenizer of the query language (format-spec/query.md section 1 and) and the
// positioned errors every part of the query module reports.
//
// Part of the query layer (libtextdb/src/query/). The whole text is tokenized up front; tokens
// keep byte offsets into it, so the parser and Validate can locate errors.
#ifndef TEXTDB_QUERY_LEXER_H_
#define TEXTDB_QUERY_LEXER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/status.h"

namespace textdb::internal {

enum class TokenKind {
  kEnd,         // after the last token
  kName,        // unquoted name; in SQL possibly a keyword
  kQuotedName,  // `name`, or "name" in SQL
  kString,      // string literal; `text` holds the decoded contents
  kNumber,      // number literal; `text` holds decimal digits (hex converted)
  kOperator,    // operator or punctuation; `text` is its spelling
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;        // decoded text (see TokenKind)
  std::size_t offset = 0;  // byte offset of the token's first character in the source
  std::size_t length = 0;  // bytes of source the token spans

  bool Is(std::string_view op) const { return kind == TokenKind::kOperator && text == op; }
};

// Which lexical rules apply.
enum class Dialect {
  kExpression,  // [Q-003..Q-007]
  kSql,
};

// Tokenizes all of `source`; the last token is kEnd (offset source.size()). Fails with
// kInvalidArgument located as.
Result<std::vector<Token>> Tokenize(std::string_view source, Dialect dialect);

// 1-based line and column (code points, [Q-001]) of byte `offset` of `source`.
// REQUIRES: offset <= source.size()
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};
LineColumn LocateOffset(std::string_view source, std::size_t offset);

// kInvalidArgument "LINE:COL: error: MESSAGE [RULE]" for byte `offset` of `source`.
Status QueryError(std::string_view source, std::size_t offset, std::string_view message,
                  std::string_view rule);

// How messages show a token: its spelling in quotes (shortened), or "the end".
std::string DescribeToken(std::string_view source, const Token& token);

// True for ASCII letters, digits and '_', the characters of a name.
bool IsNameChar(char c);

}  // namespace textdb::internal

#endif  // TEXTDB_QUERY_LEXER_H_
