// The query tokenizer: see lexer.h.
#include "query/lexer.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/encoding.h"

namespace textdb::internal {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Characters that may not follow a number directly.
bool GluesToNumber(char c) {
  return IsNameChar(c) || c == '.' || c == ':' || c == '+' || c == '-' || c == '~';
}

// Operators, longest first within each length.
constexpr std::array<std::string_view, 11> kTwoCharOperators = {
    "&&", "||", "=>", "!=", "<>", "<=", ">=", "<<", ">>", "==", "!~"};
constexpr std::string_view kOneCharOperators = "()[]#?:!=<>~&+-*/%,;";

// `text` shortened to `max_bytes` at a code point boundary, with "..." when cut.
std::string Shorten(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "...";
}

// How an unexpected character is shown: itself when printable ASCII, else U+XXXX.
std::string ShowCharacter(std::string_view source, std::size_t offset) {
  const unsigned char c = static_cast<unsigned char>(source[offset]);
  if (c > 0x20 && c < 0x7F) return "'" + std::string(1, static_cast<char>(c)) + "'";
  std::size_t length = c < 0x80 ? 1 : Utf8SequenceLength(source, offset);
  char32_t code = 0;
  if (length == 1) {
    code = c;
  } else {
    code = c & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
    for (std::size_t i = 1; i < length; ++i) {
      code = (code << 6) | (static_cast<unsigned char>(source[offset + i]) & 0x3F);
    }
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "U+";
  int digits = code > 0xFFFF ? 6 : 4;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(code >> shift) & 0xF];
  return out;
}

class Lexer {
 public:
  Lexer(std::string_view source, Dialect dialect) : source_(source), dialect_(dialect) {}

  Result<std::vector<Token>> Run() {
    TEXTDB_RETURN_IF_ERROR(CheckEncoding());
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < source_.size() && IsSpace(source_[pos_])) ++pos_;
      if (pos_ == source_.size()) break;
      Token token;
      token.offset = pos_;
      TEXTDB_RETURN_IF_ERROR(Next(&token));
      token.length = pos_ - token.offset;
      tokens.push_back(std::move(token));
    }
    Token end;
    end.offset = source_.size();
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  char At(std::size_t i) const { return i < source_.size() ? source_[i] : '\0'; }

  Status Error(std::size_t offset, std::string_view message, std::string_view rule) const {
    return QueryError(source_, offset, message, rule);
  }

  // valid UTF-8, no NUL; everything after may assume it.
  Status CheckEncoding() const {
    for (std::size_t i = 0; i < source_.size();) {
      const unsigned char c = static_cast<unsigned char>(source_[i]);
      if (c == 0) return Error(i, "NUL character; expected UTF-8 text without NUL", "Q-001");
      if (c < 0x80) {
        ++i;
        continue;
      }
      const std::size_t length = Utf8SequenceLength(source_, i);
      if (length == 0) return Error(i, "invalid UTF-8 byte sequence", "Q-001");
      i += length;
    }
    return Status::Ok();
  }

  Status Next(Token* token) {
    const char c = source_[pos_];
    if (IsAsciiLetter(c) || c == '_') return Name(token);
    if (IsDigit(c)) return Number(token);
    if (c == '`') return Quoted(token, '`', TokenKind::kQuotedName);
    if (c == '\'') {
      if (dialect_ == Dialect::kSql) return Quoted(token, '\'', TokenKind::kString);
      return EscapedString(token);
    }
    if (c == '"') {
      if (dialect_ == Dialect::kSql) return Quoted(token, '"', TokenKind::kQuotedName);
      return EscapedString(token);
    }
    token->kind = TokenKind::kOperator;
    for (std::string_view op : kTwoCharOperators) {
      if (source_.substr(pos_, 2) == op) {
        token->text = std::string(op);
        pos_ += 2;
        return Status::Ok();
      }
    }
    if (kOneCharOperators.find(c) != std::string_view::npos) {
      token->text = std::string(1, c);
      ++pos_;
      return Status::Ok();
    }
    std::string message = "unexpected character " + ShowCharacter(source_, pos_);
    if (c == '|') {
      message += "; expected '||'";
    } else if (pos_ > 0 && IsNameChar(source_[pos_ - 1])) {
      message += "; a field name with other characters is written in backquotes, e.g. `X.Y`";
    } else {
      message += "; expected an operator, a value or a parenthesis";
    }
    return Error(pos_, message, "Q-007");
  }

  //
  Status Name(Token* token) {
    const std::size_t begin = pos_;
    while (pos_ < source_.size()) {
      if (IsNameChar(source_[pos_])) {
        ++pos_;
      } else if (source_[pos_] == '-' && IsNameChar(At(pos_ + 1))) {
        if (dialect_ == Dialect::kSql) {
          std::size_t end = pos_;
          while (end < source_.size() && (IsNameChar(source_[end]) || source_[end] == '-')) ++end;
          const std::string name(source_.substr(begin, end - begin));
          return Error(begin,
                       "a field name with '-' is written in double quotes in SQL: \"" + name +
                           "\"; for a subtraction put spaces around '-'",
                       "Q-080");
        }
        pos_ += 2;
      } else {
        break;
      }
    }
    token->kind = TokenKind::kName;
    token->text = std::string(source_.substr(begin, pos_ - begin));
    return Status::Ok();
  }

  //
  Status Number(Token* token) {
    const std::size_t begin = pos_;
    token->kind = TokenKind::kNumber;
    if (source_[pos_] == '0' && (At(pos_ + 1) == 'x' || At(pos_ + 1) == 'X')) {
      pos_ += 2;
      std::uint64_t value = 0;
      const std::size_t digits_begin = pos_;
      while (IsHexDigit(At(pos_))) {
        if (value > (0x7FFFFFFFFFFFFFFFull >> 4)) {
          return Error(begin,
                       "hexadecimal number is too large; expected at most 0x7FFFFFFFFFFFFFFF",
                       "Q-006");
        }
        value = (value << 4) | static_cast<std::uint64_t>(HexValue(source_[pos_]));
        ++pos_;
      }
      if (pos_ == digits_begin) {
        return Error(begin, "expected hexadecimal digits after '0x'", "Q-006");
      }
      token->text = std::to_string(value);
    } else {
      while (IsDigit(At(pos_))) ++pos_;
      if (At(pos_) == '.' && IsDigit(At(pos_ + 1))) {
        pos_ += 2;
        while (IsDigit(At(pos_))) ++pos_;
      }
      token->text = std::string(source_.substr(begin, pos_ - begin));
    }
    if (pos_ < source_.size() && GluesToNumber(source_[pos_])) {
      std::size_t end = pos_;
      while (end < source_.size() && GluesToNumber(source_[end])) ++end;
      const std::string word = Shorten(source_.substr(begin, end - begin), 40);
      return Error(begin,
                   "unquoted value '" + word +
                       "'; expected a number; write other values in quotes ('" + word +
                       "'), and put spaces around '-' and '+' in arithmetic",
                   "Q-006");
    }
    return Status::Ok();
  }

  // A literal closed by `quote`, in which the quote is doubled: SQL strings and identifiers,
  // backquoted names.
  Status Quoted(Token* token, char quote, TokenKind kind) {
    const std::size_t begin = pos_;
    ++pos_;
    std::string text;
    while (true) {
      const std::size_t next = source_.find(quote, pos_);
      if (next == std::string_view::npos) {
        const bool name = kind == TokenKind::kQuotedName;
        return Error(begin,
                     std::string("unterminated ") + (name ? "quoted name" : "string literal") +
                         "; expected a closing " + quote,
                     quote == '`' ? "Q-004" : "Q-080");
      }
      text.append(source_.substr(pos_, next - pos_));
      pos_ = next + 1;
      if (At(pos_) != quote) break;
      text += quote;
      ++pos_;
    }
    if (kind == TokenKind::kQuotedName && text.empty()) {
      return Error(begin, "empty quoted field name; expected a name between the quotes",
                   quote == '`' ? "Q-004" : "Q-080");
    }
    token->kind = kind;
    token->text = std::move(text);
    return Status::Ok();
  }

  // A string literal of the expression language, with backslash escapes.
  Status EscapedString(Token* token) {
    const std::size_t begin = pos_;
    const char quote = source_[pos_++];
    std::string text;
    while (pos_ < source_.size() && source_[pos_] != quote) {
      const char c = source_[pos_];
      if (c != '\\' || pos_ + 1 == source_.size()) {
        text += c;
        ++pos_;
        continue;
      }
      const char escaped = source_[pos_ + 1];
      switch (escaped) {
        case '\\':
        case '\'':
        case '"':
          text += escaped;
          pos_ += 2;
          break;
        case 'n':
          text += '\n';
          pos_ += 2;
          break;
        case 't':
          text += '\t';
          pos_ += 2;
          break;
        default:  // kept with the backslash, e.g. a regular expression's "\d"
          text += '\\';
          ++pos_;
      }
    }
    if (pos_ == source_.size()) {
      return Error(begin, std::string("unterminated string literal; expected a closing ") + quote,
                   "Q-005");
    }
    ++pos_;
    token->kind = TokenKind::kString;
    token->text = std::move(text);
    return Status::Ok();
  }

  std::string_view source_;
  Dialect dialect_;
  std::size_t pos_ = 0;
};

}  // namespace

bool IsNameChar(char c) { return IsAsciiLetter(c) || IsDigit(c) || c == '_'; }

Result<std::vector<Token>> Tokenize(std::string_view source, Dialect dialect) {
  return Lexer(source, dialect).Run();
}

LineColumn LocateOffset(std::string_view source, std::size_t offset) {
  LineColumn position;
  for (std::size_t i = 0; i < offset; ++i) {
    const unsigned char c = static_cast<unsigned char>(source[i]);
    if (c == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++position.column;
    }
  }
  return position;
}

Status QueryError(std::string_view source, std::size_t offset, std::string_view message,
                  std::string_view rule) {
  const LineColumn position = LocateOffset(source, offset);
  std::string text = std::to_string(position.line) + ":" + std::to_string(position.column) +
                     ": error: " + std::string(message) + " [" + std::string(rule) + "]";
  return Status::InvalidArgument(std::move(text));
}

std::string DescribeToken(std::string_view source, const Token& token) {
  if (token.kind == TokenKind::kEnd) return "the end";
  const std::string spelling = Shorten(source.substr(token.offset, token.length), 30);
  if (token.kind == TokenKind::kString || token.kind == TokenKind::kQuotedName) return spelling;
  return "'" + spelling + "'";
}

}  // namespace textdb::internal
