// The SQL dialect of `textdb sql` (include/textdb/query.h, format-spec/query.md section 9):
// a recursive-descent parser over the SQL tokens of lexer.h; WHERE clauses go to the expression
// parser (parser.h) on the same tokens, so their errors are located in the statement's text.
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "query/ast.h"
#include "query/lexer.h"
#include "query/parser.h"
#include "schema/value_types.h"
#include "textdb/query.h"

namespace textdb {
namespace internal {
namespace {

struct AggregateName {
  std::string_view name;
  SqlSelectItem::Aggregate aggregate;
};
constexpr std::array<AggregateName, 5> kAggregates = {{{"COUNT", SqlSelectItem::Aggregate::kCount},
                                                       {"MIN", SqlSelectItem::Aggregate::kMin},
                                                       {"MAX", SqlSelectItem::Aggregate::kMax},
                                                       {"SUM", SqlSelectItem::Aggregate::kSum},
                                                       {"AVG", SqlSelectItem::Aggregate::kAvg}}};

class SqlParser {
 public:
  SqlParser(std::string_view text, std::vector<Token> tokens, const ExpressionOptions& options)
      : text_(text), tokens_(std::move(tokens)), options_(options) {}

  Result<SqlStatement> Run() {
    SqlStatement statement;
    bool ok = false;
    if (PeekKeyword("SELECT")) {
      ok = Select(&statement);
    } else if (PeekKeyword("INSERT")) {
      ok = Insert(&statement);
    } else if (PeekKeyword("UPDATE")) {
      ok = Update(&statement);
    } else if (PeekKeyword("DELETE")) {
      ok = Delete(&statement);
    } else {
      ok = Fail(Peek().offset, "expected SELECT, INSERT, UPDATE or DELETE, found " + Found(),
                "Q-081");
    }
    if (!ok) return error_;
    if (Peek().Is(";")) Take();
    if (Peek().kind != TokenKind::kEnd) {
      Fail(Peek().offset, "expected the end of the statement" + After() + ", found " + Found(),
           "Q-081");
      return error_;
    }
    return statement;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_ == tokens_.size() - 1 ? pos_ : pos_++]; }
  bool PeekKeyword(std::string_view keyword) const { return IsKeyword(Peek(), keyword); }
  std::string Found() const { return DescribeToken(text_, Peek()); }
  std::string After() const {
    return pos_ == 0 ? "" : " after " + DescribeToken(text_, tokens_[pos_ - 1]);
  }

  bool Fail(std::size_t offset, std::string_view message, std::string_view rule) {
    if (error_.ok()) error_ = QueryError(text_, offset, message, rule);
    return false;
  }

  bool ExpectKeyword(std::string_view keyword) {
    if (PeekKeyword(keyword)) {
      Take();
      return true;
    }
    return Fail(Peek().offset, "expected " + std::string(keyword) + After() + ", found " + Found(),
                "Q-081");
  }

  bool Expect(std::string_view op) {
    if (Peek().Is(op)) {
      Take();
      return true;
    }
    return Fail(Peek().offset,
                "expected '" + std::string(op) + "'" + After() + ", found " + Found(), "Q-081");
  }

  // A field or table name: quoted, or unquoted and not a reserved word.
  bool Name(std::string_view what, std::string* out) {
    const Token& token = Peek();
    if (token.kind == TokenKind::kQuotedName ||
        (token.kind == TokenKind::kName && !IsReservedWord(token))) {
      *out = Take().text;
      return true;
    }
    std::string message = "expected a " + std::string(what) + After() + ", found " + Found();
    if (token.kind == TokenKind::kName) {
      message += "; a name that is a keyword is written in double quotes: \"" + token.text + "\"";
    }
    return Fail(token.offset, message, "Q-080");
  }

  bool Names(std::string_view what, std::vector<std::string>* out,
             std::vector<std::size_t>* offsets) {
    do {
      offsets->push_back(Peek().offset);
      std::string name;
      if (!Name(what, &name)) return false;
      out->push_back(std::move(name));
    } while (Peek().Is(",") && (Take(), true));
    return true;
  }

  // Fails at the second of two equal names (ASCII case-insensitive) of `names`.
  bool Unique(const std::vector<std::string>& names, const std::vector<std::size_t>& offsets,
              std::string_view what, std::string_view rule) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (EqualsIgnoreCase(names[i], names[j])) {
          return Fail(offsets[i],
                      "field '" + names[i] + "' appears twice in " + std::string(what) +
                          "; expected each field once",
                      rule);
        }
      }
    }
    return true;
  }

  // A non-negative integer for LIMIT or OFFSET.
  bool Count(std::string_view what, std::uint64_t* out) {
    const Token& token = Peek();
    if (token.kind == TokenKind::kNumber) {
      const char* end = token.text.data() + token.text.size();
      const std::from_chars_result parsed = std::from_chars(token.text.data(), end, *out);
      if (parsed.ec == std::errc() && parsed.ptr == end) {
        Take();
        return true;
      }
    }
    return Fail(
        token.offset,
        "expected a whole number of records after " + std::string(what) + ", found " + Found(),
        "Q-081");
  }

  // value = string | [ "-" | "+" ] number | "NULL"
  bool Value(SqlValue* out) {
    const Token& token = Peek();
    if (token.kind == TokenKind::kString) {
      *out = Take().text;
      return true;
    }
    if (IsKeyword(token, "NULL")) {
      Take();
      *out = std::nullopt;
      return true;
    }
    std::string sign;
    if ((token.Is("-") || token.Is("+")) && tokens_[pos_ + 1].kind == TokenKind::kNumber) {
      sign = Take().text;
    }
    if (Peek().kind == TokenKind::kNumber) {
      *out = sign + Take().text;
      return true;
    }
    return Fail(Peek().offset,
                "expected a value (a 'string', a number or NULL)" + After() + ", found " + Found(),
                "Q-081");
  }

  // [ "WHERE" expression ]; `required` for DELETE.
  bool Where(SqlStatement* statement, bool required) {
    if (!PeekKeyword("WHERE")) {
      if (!required) return true;
      return Fail(Peek().offset,
                  "expected WHERE" + After() + ", found " + Found() +
                      "; DELETE needs a condition (write WHERE 1 to delete every record)",
                  "Q-085");
    }
    Take();
    const std::size_t begin = Peek().offset;
    Result<std::unique_ptr<Node>> root =
        ParseExpressionAt(text_, tokens_, &pos_, Dialect::kSql, options_);
    if (!root.ok()) {
      error_ = root.status();
      return false;
    }
    const Token& last = tokens_[pos_ - 1];
    auto impl = std::make_shared<ExpressionImpl>();
    impl->source = std::string(text_);
    impl->begin = begin;
    impl->end = last.offset + last.length;
    impl->options = options_;
    impl->root = std::move(root).value();
    statement->where = ExpressionFactory::Make(std::move(impl));
    return true;
  }

  bool Item(SqlSelectItem* item) {
    const Token& token = Peek();
    for (const AggregateName& aggregate : kAggregates) {
      if (!IsKeyword(token, aggregate.name) || !tokens_[pos_ + 1].Is("(")) continue;
      Take();
      Take();
      item->aggregate = aggregate.aggregate;
      if (aggregate.aggregate == SqlSelectItem::Aggregate::kCount && Peek().Is("*")) {
        Take();
      } else if (!Name("field name", &item->field)) {
        return false;
      }
      if (!Expect(")")) return false;
      break;
    }
    if (item->aggregate == SqlSelectItem::Aggregate::kNone && !Name("field name", &item->field)) {
      return false;
    }
    if (PeekKeyword("AS")) {
      Take();
      if (!Name("name", &item->alias)) return false;
    }
    return true;
  }

  //
  bool CheckItems(const SqlStatement& statement, const std::vector<std::size_t>& item_offsets) {
    for (std::size_t i = 0; i < statement.items.size(); ++i) {
      const SqlSelectItem& item = statement.items[i];
      if (item.aggregate != SqlSelectItem::Aggregate::kNone) continue;
      if (statement.group_by.empty()) {
        for (const SqlSelectItem& other : statement.items) {
          if (other.aggregate == SqlSelectItem::Aggregate::kNone) continue;
          return Fail(item_offsets[i],
                      "field '" + item.field +
                          "' is selected next to an aggregate without GROUP BY; expected only "
                          "fields or only aggregates, or GROUP BY " +
                          item.field,
                      "Q-082");
        }
        continue;
      }
      bool grouped = false;
      for (const std::string& group : statement.group_by) {
        grouped = grouped || EqualsIgnoreCase(group, item.field);
      }
      if (!grouped) {
        return Fail(item_offsets[i],
                    "field '" + item.field +
                        "' is neither grouped nor aggregated; expected one of the GROUP BY "
                        "fields or an aggregate such as MIN(" +
                        item.field + ")",
                    "Q-082");
      }
    }
    return true;
  }

  // Checks what may follow a WHERE clause (or the table) in SELECT.
  bool SelectClauseFollows() {
    if (PeekKeyword("GROUP") || PeekKeyword("ORDER") || PeekKeyword("LIMIT") || Peek().Is(";") ||
        Peek().kind == TokenKind::kEnd) {
      return true;
    }
    return Fail(Peek().offset,
                "expected an operator, WHERE, GROUP BY, ORDER BY, LIMIT or the end" + After() +
                    ", found " + Found(),
                "Q-081");
  }

  bool Select(SqlStatement* statement) {
    statement->kind = SqlKind::kSelect;
    Take();
    std::vector<std::size_t> item_offsets;
    if (Peek().Is("*")) {
      Take();
      statement->all_fields = true;
    } else {
      do {
        item_offsets.push_back(Peek().offset);
        SqlSelectItem item;
        if (!Item(&item)) return false;
        statement->items.push_back(std::move(item));
      } while (Peek().Is(",") && (Take(), true));
    }
    if (!ExpectKeyword("FROM") || !Name("table name", &statement->table)) return false;
    if (!Where(statement, false) || !SelectClauseFollows()) return false;
    if (PeekKeyword("GROUP")) {
      Take();
      std::vector<std::size_t> offsets;
      if (!ExpectKeyword("BY") || !Names("field name", &statement->group_by, &offsets) ||
          !Unique(statement->group_by, offsets, "GROUP BY", "Q-082")) {
        return false;
      }
    }
    if (PeekKeyword("ORDER")) {
      Take();
      if (!ExpectKeyword("BY")) return false;
      do {
        SqlOrderKey key;
        if (!Name("field name", &key.field)) return false;
        if (PeekKeyword("ASC")) {
          Take();
        } else if (PeekKeyword("DESC")) {
          Take();
          key.descending = true;
        }
        statement->order_by.push_back(std::move(key));
      } while (Peek().Is(",") && (Take(), true));
    }
    if (PeekKeyword("LIMIT")) {
      Take();
      std::uint64_t limit = 0;
      if (!Count("LIMIT", &limit)) return false;
      statement->limit = limit;
      if (PeekKeyword("OFFSET")) {
        Take();
        if (!Count("OFFSET", &statement->offset)) return false;
      }
    }
    return CheckItems(*statement, item_offsets);
  }

  bool Insert(SqlStatement* statement) {
    statement->kind = SqlKind::kInsert;
    Take();
    if (!ExpectKeyword("INTO") || !Name("table name", &statement->table) || !Expect("(")) {
      return false;
    }
    std::vector<std::size_t> offsets;
    if (!Names("field name", &statement->fields, &offsets) ||
        !Unique(statement->fields, offsets, "the field list", "Q-083") || !Expect(")") ||
        !ExpectKeyword("VALUES")) {
      return false;
    }
    do {
      const std::size_t row_offset = Peek().offset;
      if (!Expect("(")) return false;
      std::vector<SqlValue> row;
      do {
        SqlValue value;
        if (!Value(&value)) return false;
        row.push_back(std::move(value));
      } while (Peek().Is(",") && (Take(), true));
      if (!Expect(")")) return false;
      if (row.size() != statement->fields.size()) {
        return Fail(row_offset,
                    "row has " + std::to_string(row.size()) + " values for " +
                        std::to_string(statement->fields.size()) +
                        " fields; expected one value per field",
                    "Q-083");
      }
      statement->values.push_back(std::move(row));
    } while (Peek().Is(",") && (Take(), true));
    return true;
  }

  bool Update(SqlStatement* statement) {
    statement->kind = SqlKind::kUpdate;
    Take();
    if (!Name("table name", &statement->table) || !ExpectKeyword("SET")) return false;
    std::vector<std::string> names;
    std::vector<std::size_t> offsets;
    do {
      offsets.push_back(Peek().offset);
      SqlAssignment assignment;
      if (!Name("field name", &assignment.field) || !Expect("=") || !Value(&assignment.value)) {
        return false;
      }
      names.push_back(assignment.field);
      statement->assignments.push_back(std::move(assignment));
    } while (Peek().Is(",") && (Take(), true));
    if (!Unique(names, offsets, "SET", "Q-084")) return false;
    return Where(statement, false) && EndFollows();
  }

  bool Delete(SqlStatement* statement) {
    statement->kind = SqlKind::kDelete;
    Take();
    if (!ExpectKeyword("FROM") || !Name("table name", &statement->table)) return false;
    return Where(statement, true) && EndFollows();
  }

  bool EndFollows() {
    if (Peek().Is(";") || Peek().kind == TokenKind::kEnd) return true;
    return Fail(Peek().offset, "expected an operator or the end" + After() + ", found " + Found(),
                "Q-081");
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  const ExpressionOptions& options_;
  std::size_t pos_ = 0;
  Status error_;
};

}  // namespace
}  // namespace internal

Result<SqlStatement> ParseSql(std::string_view text, const ExpressionOptions& options) {
  Result<std::vector<internal::Token>> tokens = internal::Tokenize(text, internal::Dialect::kSql);
  if (!tokens.ok()) return tokens.status();
  return internal::SqlParser(text, std::move(tokens).value(), options).Run();
}

}  // namespace textdb
