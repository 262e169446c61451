// The recursive-descent parser of selection expressions (format-spec/query.md section 2), shared
// by Expression::Parse and the WHERE clause of the SQL parser (sql.cc).
//
// Part of the query layer. Works on the tokens of lexer.h; reports errors as.
#ifndef TEXTDB_QUERY_PARSER_H_
#define TEXTDB_QUERY_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "query/lexer.h"
#include "textdb/query.h"
#include "textdb/status.h"

namespace textdb::internal {

// Nesting limit.
inline constexpr int kMaxNesting = 256;

// Memory limit for one compiled regular expression, as for schema patterns [S-025].
inline constexpr std::int64_t kMaxRegexMemory = std::int64_t{8} << 20;

// Parses the expression that starts at tokens[*pos] and advances *pos past it. Stops before the
// first token that cannot continue the expression; the caller decides what may follow.
// REQUIRES: `tokens` came from Tokenize(source, dialect) and ends with kEnd; *pos < tokens.size().
Result<std::unique_ptr<Node>> ParseExpressionAt(std::string_view source,
                                                const std::vector<Token>& tokens, std::size_t* pos,
                                                Dialect dialect, const ExpressionOptions& options);

// SQL only: true when `token` is the unquoted keyword `keyword` (ASCII case-insensitive).
bool IsKeyword(const Token& token, std::string_view keyword);

// SQL only: true when `token` is an unquoted reserved word.
bool IsReservedWord(const Token& token);

}  // namespace textdb::internal

#endif  // TEXTDB_QUERY_PARSER_H_
