// Tests for the query language (include/textdb/query.h): selection expressions, Validate,
// carets, record constraints, planning hints and the SQL dialect. Each test names the rule of
// format-spec/query.md it checks.
#include "textdb/query.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/schema.h"

namespace textdb {
namespace {

constexpr const char* kSchema =
    "Table: items\n"
    "Key: Name\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Count\n"
    "Type: integer\n"
    "\n"
    "Field: Installed-Size\n"
    "Type: integer\n"
    "\n"
    "Field: Price\n"
    "Type: decimal\n"
    "\n"
    "Field: Essential\n"
    "Type: boolean\n"
    "\n"
    "Field: Day\n"
    "Type: date\n"
    "\n"
    "Field: When\n"
    "Type: date-time\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n"
    "\n"
    "Field: Priority\n"
    "Type: enum\n"
    "Values: required, important, standard, optional\n"
    "\n"
    "Field: Arch\n"
    "Type: list\n"
    "\n"
    "Field: Tags\n"
    "Type: list\n"
    "\n"
    "Field: Start\n"
    "Type: integer\n"
    "\n"
    "Field: End\n"
    "Type: integer\n"
    "\n"
    "Field: Maintainer\n"
    "Index: yes\n";

Schema MustParseSchema(std::string text) {
  Result<Schema> schema = ParseSchema(std::move(text), "items.schema");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (schema.ok()) return std::move(schema).value();
  return Schema();
}

const Schema& Items() {
  static const Schema schema = MustParseSchema(kSchema);
  return schema;
}

deb822::Stanza Rec(std::string text) {
  Result<deb822::Document> doc = deb822::Parse(std::move(text));
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok() || doc->stanzas().empty()) return deb822::Stanza();
  return doc->stanzas()[0];
}

Expression MustParse(std::string_view text, bool case_insensitive = false) {
  ExpressionOptions options;
  options.case_insensitive = case_insensitive;
  Result<Expression> expression = Expression::Parse(text, options);
  EXPECT_TRUE(expression.ok()) << text << ": " << expression.status().ToString();
  if (expression.ok()) return std::move(expression).value();
  return std::move(Expression::Parse("0")).value();
}

// Whether `expression` selects the record `record` (deb822 text), with the Items() schema.
bool Typed(std::string_view expression, std::string record, bool case_insensitive = false) {
  return MustParse(expression, case_insensitive).Matches(Rec(std::move(record)), &Items());
}

// The same without a schema: every field is a string.
bool Untyped(std::string_view expression, std::string record, bool case_insensitive = false) {
  return MustParse(expression, case_insensitive).Matches(Rec(std::move(record)), nullptr);
}

// The error message of Expression::Parse, or "" when it succeeds.
std::string ParseError(std::string_view text) {
  Result<Expression> expression = Expression::Parse(text);
  if (expression.ok()) return "";
  EXPECT_EQ(expression.status().code(), StatusCode::kInvalidArgument);
  return expression.status().message();
}

std::string ValidateError(std::string_view text, const Schema& schema = Items()) {
  Status status = MustParse(text).Validate(schema);
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  return status.message();
}

SqlStatement MustParseSql(std::string_view text) {
  Result<SqlStatement> statement = ParseSql(text);
  EXPECT_TRUE(statement.ok()) << text << ": " << statement.status().ToString();
  if (statement.ok()) return std::move(statement).value();
  return SqlStatement();
}

std::string SqlError(std::string_view text) {
  Result<SqlStatement> statement = ParseSql(text);
  if (statement.ok()) return "";
  EXPECT_EQ(statement.status().code(), StatusCode::kInvalidArgument);
  return statement.status().message();
}

// ---------------------------------------------------------------------------------------------
// Lexical structure [Q-001..Q-007]

TEST(QueryLexTest, Q001_InvalidUtf8AndNulAreLocated) {
  EXPECT_EQ(ParseError("A = '\xC3\xA9\xFF'"), "1:7: error: invalid UTF-8 byte sequence [Q-001]");
  EXPECT_EQ(ParseError(std::string("A = 1 &&\0 B", 11)),
            "1:9: error: NUL character; expected UTF-8 text without NUL [Q-001]");
}

TEST(QueryLexTest, Q001_ColumnsCountCodePointsOnTheirLine) {
  // "é" is two bytes but one column; the error is on line 2.
  EXPECT_EQ(ParseError("A = '\xC3\xA9' &&\n  >"),
            "2:3: error: expected a value (a field name, a 'string', a number, '#' or '(') "
            "after '&&', found '>' [Q-010]");
  EXPECT_EQ(ParseError("\tA = $"),
            "1:6: error: unexpected character '$'; expected an operator, a value or a parenthesis "
            "[Q-007]");
}

TEST(QueryLexTest, Q002_WhitespaceSeparatesTokens) {
  EXPECT_TRUE(Untyped(" \tA\r\n=\n'x' ", "A: x\n"));
  EXPECT_TRUE(Untyped("A='x'&&B='y'", "A: x\nB: y\n"));
}

TEST(QueryLexTest, Q003_NamesMayContainInnerDashes) {
  EXPECT_TRUE(Typed("Installed-Size > 1000", "Name: a\nInstalled-Size: 1200\n"));
  EXPECT_FALSE(Typed("Installed-Size > 1000", "Name: a\nInstalled-Size: 800\n"));
  EXPECT_TRUE(Untyped("a-b-c = 'x' && _x_ = 'y'", "a-b-c: x\n_x_: y\n"));
  // Subtraction needs spaces: "A - B".
  EXPECT_TRUE(Untyped("A - B = 2", "A: 5\nB: 3\nA-B: 9\n"));
  EXPECT_TRUE(Untyped("A-B = 9", "A: 5\nB: 3\nA-B: 9\n"));
  // A dash not followed by a name character ends the name.
  EXPECT_EQ(ParseError("Foo->3"),
            "1:5: error: expected a value (a field name, a 'string', a number, '#' or '(') after "
            "'-', found '>' [Q-010]");
}

TEST(QueryLexTest, Q003_NamesMatchFieldsIgnoringAsciiCase) {
  EXPECT_TRUE(Untyped("PACKAGE = 'hello'", "Package: hello\n"));
  EXPECT_TRUE(Typed("count > 1", "Name: a\nCOUNT: 5\n"));
}

TEST(QueryLexTest, Q004_BackquotedNames) {
  EXPECT_TRUE(Untyped("`X.Y` = 'a'", "X.Y: a\n"));
  EXPECT_TRUE(Untyped("`2nd` = 'b' && `a``b` = 'c'", "2nd: b\na`b: c\n"));
  EXPECT_EQ(ParseError("`` = 'a'"),
            "1:1: error: empty quoted field name; expected a name between the quotes [Q-004]");
  EXPECT_EQ(ParseError("A = `b"),
            "1:5: error: unterminated quoted name; expected a closing ` [Q-004]");
  EXPECT_EQ(ParseError("X.Y = 1"),
            "1:2: error: unexpected character '.'; a field name with other characters is written "
            "in backquotes, e.g. `X.Y` [Q-007]");
}

TEST(QueryLexTest, Q005_StringLiteralsAndEscapes) {
  EXPECT_TRUE(Untyped("A = 'it\\'s' && B = \"say \\\"hi\\\"\"", "A: it's\nB: say \"hi\"\n"));
  EXPECT_TRUE(Untyped("A = \"it's\" && B = 'a\"b'", "A: it's\nB: a\"b\n"));
  EXPECT_TRUE(Untyped("A = 'back\\\\slash'", "A: back\\slash\n"));
  EXPECT_TRUE(Untyped("A = 'x\\ty'", "A: x\ty\n"));
  EXPECT_TRUE(Untyped("A = 'one\\n two'", "A: one\n two\n"));
  // Any other escape keeps its backslash, so regular expressions read naturally.
  EXPECT_TRUE(Untyped("A ~ '^\\d+\\.\\d$'", "A: 12.5\n"));
  EXPECT_FALSE(Untyped("A ~ '^\\d+\\.\\d$'", "A: 12x5\n"));
  EXPECT_EQ(ParseError("A = 'abc"),
            "1:5: error: unterminated string literal; expected a closing ' [Q-005]");
  EXPECT_EQ(ParseError("A = \"abc\\\""),
            "1:5: error: unterminated string literal; expected a closing \" [Q-005]");
}

TEST(QueryLexTest, Q006_NumberLiterals) {
  EXPECT_TRUE(Untyped("A = 0x1F", "A: 31\n"));
  EXPECT_FALSE(Untyped("A = 0.5 && B = 007", "A: .5000\nB: 7\n"));  // ".5000" is no number
  EXPECT_TRUE(Untyped("A = 0.5 && B = 007", "A: 0.50\nB: 7\n"));
  EXPECT_TRUE(Untyped("5 - 3 = 2", "A: 1\n"));
  EXPECT_EQ(ParseError("Day > 2024-01-01"),
            "1:7: error: unquoted value '2024-01-01'; expected a number; write other values in "
            "quotes ('2024-01-01'), and put spaces around '-' and '+' in arithmetic [Q-006]");
  EXPECT_EQ(ParseError("V < 1.0~rc1"),
            "1:5: error: unquoted value '1.0~rc1'; expected a number; write other values in "
            "quotes ('1.0~rc1'), and put spaces around '-' and '+' in arithmetic [Q-006]");
  EXPECT_EQ(ParseError("5-3 = 2"),
            "1:1: error: unquoted value '5-3'; expected a number; write other values in quotes "
            "('5-3'), and put spaces around '-' and '+' in arithmetic [Q-006]");
  EXPECT_EQ(ParseError("A = 12abc"),
            "1:5: error: unquoted value '12abc'; expected a number; write other values in quotes "
            "('12abc'), and put spaces around '-' and '+' in arithmetic [Q-006]");
  EXPECT_EQ(ParseError("A = 0x"), "1:5: error: expected hexadecimal digits after '0x' [Q-006]");
  EXPECT_EQ(ParseError("A = 0x8000000000000000"),
            "1:5: error: hexadecimal number is too large; expected at most 0x7FFFFFFFFFFFFFFF "
            "[Q-006]");
  EXPECT_TRUE(Untyped("A = 0x7FFFFFFFFFFFFFFF", "A: 9223372036854775807\n"));
}

TEST(QueryLexTest, Q007_OperatorsAndUnexpectedCharacters) {
  EXPECT_EQ(ParseError("A | B"), "1:3: error: unexpected character '|'; expected '||' [Q-007]");
  EXPECT_EQ(ParseError("A = 'x' \xE2\x82\xAC"),
            "1:9: error: unexpected character U+20AC; expected an operator, a value or a "
            "parenthesis [Q-007]");
  // The longest operator wins: "!~" is one token, "! ~" is not.
  EXPECT_TRUE(Untyped("A !~ 'y'", "A: x\n"));
  EXPECT_EQ(ParseError("A ! ~ 'y'"),
            "1:3: error: expected an operator or the end after 'A', found '!' [Q-010]");
}

// ---------------------------------------------------------------------------------------------
// Grammar [Q-010..Q-014]

TEST(QueryGrammarTest, Q010_AndBindsTighterThanOr) {
  // a || (b && c), not (a || b) && c.
  EXPECT_TRUE(Untyped("A || B && C", "A: 1\n"));
  EXPECT_FALSE(Untyped("(A || B) && C", "A: 1\n"));
  EXPECT_TRUE(Untyped("B && C || A", "A: 1\n"));
}

TEST(QueryGrammarTest, Q010_NotBindsTighterThanAnd) {
  // (!a) && b, not !(a && b).
  EXPECT_FALSE(Untyped("!A && B", "A: 1\n"));
  EXPECT_TRUE(Untyped("!(A && B)", "A: 1\n"));
  EXPECT_TRUE(Untyped("!A && B", "B: 1\n"));
  EXPECT_TRUE(Untyped("!!A", "A: 1\n"));
}

TEST(QueryGrammarTest, Q010_NotAppliesToAWholeComparison) {
  // !Age < 18 is !(Age < 18), never (!Age) < 18.
  EXPECT_TRUE(Untyped("!Age < 18", "Age: 30\n"));
  EXPECT_FALSE(Untyped("!Age < 18", "Age: 10\n"));
  EXPECT_TRUE(Untyped("NOT < 18", "NOT: 10\n"));  // no keywords outside SQL
}

TEST(QueryGrammarTest, Q010_ImplicationAndConditional) {
  EXPECT_TRUE(Untyped("A => B", "C: 1\n"));
  EXPECT_TRUE(Untyped("A => B", "A: 1\nB: 1\n"));
  EXPECT_FALSE(Untyped("A => B", "A: 1\n"));
  EXPECT_TRUE(Untyped("A => B => C", "D: 1\n"));  // A => (B => C)
  EXPECT_FALSE(Untyped("(A => B) => C", "D: 1\n"));
  EXPECT_TRUE(Untyped("(A ? 'x' : 'y') = 'x'", "A: 1\n"));
  EXPECT_TRUE(Untyped("(A ? 'x' : 'y') = 'y'", "B: 1\n"));
  EXPECT_TRUE(Untyped("A ? B : C ? D : E", "C: 1\nD: 1\n"));  // A ? B : (C ? D : E)
  EXPECT_TRUE(Untyped("A || B ? 1 : 0", "B: 1\n"));           // (A || B) ? 1 : 0
}

TEST(QueryGrammarTest, Q010_ErrorsSayWhatWasExpected) {
  const std::string value = "expected a value (a field name, a 'string', a number, '#' or '(')";
  EXPECT_EQ(ParseError("Age > && x"), "1:7: error: " + value + " after '>', found '&&' [Q-010]");
  EXPECT_EQ(ParseError("Age >"), "1:6: error: " + value + " after '>', found the end [Q-010]");
  EXPECT_EQ(ParseError(""), "1:1: error: " + value + ", found the end [Q-010]");
  EXPECT_EQ(ParseError("(A = 1"),
            "1:7: error: expected ')' to close the '(' at 1:1 after '1', found the end [Q-010]");
  EXPECT_EQ(ParseError("A = 1)"),
            "1:6: error: expected an operator or the end after '1', found ')' [Q-010]");
  EXPECT_EQ(ParseError("A ? 1 2"),
            "1:7: error: expected ':' of the '?' at 1:3 after '1', found '2' [Q-010]");
  EXPECT_EQ(ParseError("A B"),
            "1:3: error: expected an operator or the end after 'A', found 'B' [Q-010]");
  EXPECT_EQ(ParseError("A = 'x' 'y'"),
            "1:9: error: expected an operator or the end after 'x', found 'y' [Q-010]");
  EXPECT_EQ(ParseError("# = 1"), "1:3: error: expected a field name after '#', found '=' [Q-023]");
  EXPECT_EQ(ParseError("A = !B"), "1:5: error: " + value + " after '=', found '!' [Q-010]");
}

TEST(QueryGrammarTest, Q011_ComparisonsDoNotChain) {
  EXPECT_EQ(ParseError("1 < A < 5"),
            "1:7: error: comparisons do not chain; expected '&&' or '||' before '<' (write 1 < A "
            "&& A < 5) [Q-011]");
  EXPECT_EQ(ParseError("A = 'x' ~ 'y'"),
            "1:9: error: comparisons do not chain; expected '&&' or '||' before '~' (write 1 < A "
            "&& A < 5) [Q-011]");
  EXPECT_TRUE(Untyped("(1 < A) = 1", "A: 3\n"));  // parenthesised, a comparison is a value
}

TEST(QueryGrammarTest, Q012_RegexOperandIsAStringLiteral) {
  EXPECT_EQ(ParseError("A ~ B"),
            "1:5: error: expected a regular expression in quotes after '~', found 'B' [Q-012]");
  EXPECT_EQ(ParseError("A !~ 5"),
            "1:6: error: expected a regular expression in quotes after '!~', found '5' [Q-012]");
}

TEST(QueryGrammarTest, Q013_NestingIsLimited) {
  const auto nested = [](int levels) {
    return std::string(static_cast<std::size_t>(levels), '(') + "A" +
           std::string(static_cast<std::size_t>(levels), ')');
  };
  EXPECT_TRUE(MustParse(nested(256)).Matches(Rec("A: 1\n"), nullptr));
  EXPECT_EQ(ParseError(nested(257)),
            "1:257: error: expression nested too deeply: more than 256 levels of parentheses and "
            "operators [Q-013]");
  EXPECT_EQ(ParseError(std::string(300, '!') + "A"),
            "1:257: error: expression nested too deeply: more than 256 levels of parentheses and "
            "operators [Q-013]");
  EXPECT_EQ(ParseError(std::string(300, '-') + "1"),
            "1:257: error: expression nested too deeply: more than 256 levels of parentheses and "
            "operators [Q-013]");
  EXPECT_FALSE(ParseError(std::string(100000, '(')).empty());  // an error, not a stack overflow
  std::string implications = "A";
  for (int i = 0; i < 300; ++i) implications += " => A";
  EXPECT_FALSE(ParseError(implications).empty());
  // Flat chains are not nesting: 10000 operands of && parse and evaluate.
  std::string chain = "A";
  for (int i = 0; i < 10000; ++i) chain += " && A";
  EXPECT_TRUE(MustParse(chain).Matches(Rec("A: 1\n"), nullptr));
  std::string sum = "1";
  for (int i = 0; i < 10000; ++i) sum += " + 1";
  EXPECT_TRUE(MustParse(sum + " = 10001").Matches(Rec("A: 1\n"), nullptr));
}

TEST(QueryGrammarTest, Q014_Subscripts) {
  EXPECT_TRUE(Untyped("Email[0] = 'a@b'", "Email: a@b\n"));
  EXPECT_FALSE(Untyped("Email[1]", "Email: a@b\n"));
  EXPECT_FALSE(Untyped("Email[1] = 'a@b'", "Email: a@b\n"));
  EXPECT_EQ(ParseError("Email[x]"),
            "1:7: error: expected an occurrence number (0 to 999999999) after '[', found 'x' "
            "[Q-014]");
  EXPECT_EQ(ParseError("Email[1"), "1:8: error: expected ']' after '1', found the end [Q-014]");
}

// ---------------------------------------------------------------------------------------------
// Values and evaluation [Q-020..Q-025]

TEST(QueryEvalTest, Q021_UndeclaredFieldsAndNoSchemaAreStrings) {
  EXPECT_TRUE(Typed("Other < 'b'", "Name: x\nOther: a\n"));
  EXPECT_FALSE(Untyped("Version < '1.0'", "Version: 1.0~rc1\n"));  // as text, '~' sorts late
  EXPECT_TRUE(Typed("Version < '1.0'", "Name: x\nVersion: 1.0~rc1\n"));
}

// Fields() names every field an expression reads, once each, in text order; a record cut down
// to those fields is matched exactly as the whole record is (what a projected scan relies on).
TEST(QueryEvalTest, Q022_FieldsListsWhatMatchesReads) {
  EXPECT_EQ(MustParse("Name = 'x' && (#Depends || name ~ 'y') && `Odd+Name` > 2").Fields(),
            (std::vector<std::string>{"Name", "Depends", "Odd+Name"}));
  EXPECT_EQ(MustParse("1 = 1").Fields(), std::vector<std::string>{});
  EXPECT_EQ(MustParse("Tags[1] = 'a' || Size + Priority > 3 ? Size : 'b'").Fields(),
            (std::vector<std::string>{"Tags", "Size", "Priority"}));
  const std::vector<std::string> records = {
      "Name: x\nDepends: a\nSize: 5\nPriority: 1\nOther: q\n",
      "Name: y\nSize: 1\nOther: q\n",
      "Name: xy\nOdd+Name: 3\nTags: a, b\n",
      "Other: z\n",
  };
  for (const char* text :
       {"Name = 'x' && #Depends", "name ~ 'y' || Size > 2", "!Depends && Other",
        "Size + Priority > 3 ? Size : 'b'", "`Odd+Name` > 2 && Tags ~ 'b'", "Size & Name = '1y'"}) {
    const Expression expression = MustParse(text);
    const std::vector<std::string> fields = expression.Fields();
    for (const std::string& record : records) {
      const deb822::Stanza whole = Rec(record);
      deb822::Stanza cut = whole;
      for (const deb822::Field& field : whole.fields()) {
        const bool read = std::any_of(fields.begin(), fields.end(),
                                      [&](const std::string& name) { return field.Is(name); });
        if (!read) cut.Remove(field.name());
      }
      EXPECT_EQ(expression.Matches(cut, &Items()), expression.Matches(whole, &Items()))
          << text << " on " << record;
      EXPECT_EQ(expression.Matches(cut, nullptr), expression.Matches(whole, nullptr))
          << text << " on " << record;
    }
  }
}

TEST(QueryEvalTest, Q022_BareFieldIsPresence) {
  EXPECT_TRUE(Untyped("Depends", "Depends: libc6\n"));
  EXPECT_TRUE(Untyped("Depends", "Depends:\n"));  // present, even empty
  EXPECT_FALSE(Untyped("Depends", "Package: x\n"));
  EXPECT_TRUE(Untyped("Depends && !Pre-Depends", "Depends: a\n"));
  EXPECT_TRUE(Typed("Essential", "Name: x\nEssential: no\n"));  // presence, not truth
}

TEST(QueryEvalTest, Q023_CountIsOneOrZero) {
  EXPECT_TRUE(Untyped("#Depends = 0", "Package: x\n"));
  EXPECT_TRUE(Untyped("#Depends = 1", "Depends: a\n"));
  EXPECT_TRUE(Untyped("#Depends + #Package = 2", "Depends: a\nPackage: x\n"));
  EXPECT_TRUE(Untyped("#`X.Y` = 1", "X.Y: a\n"));
}

TEST(QueryEvalTest, Q024_ComparisonsWithAbsentFieldsAreFalse) {
  const std::string record = "Name: x\n";
  for (const char* expression :
       {"Age < 18", "Age > 18", "Age = 18", "Age != 18", "Age <> 18", "Age ~ ''", "Age !~ 'x'",
        "Age << '2024-01-01'", "Age + 1 > 0", "Age & 'x' = 'x'", "-Age < 0"}) {
    EXPECT_FALSE(Untyped(expression, record)) << expression;
    EXPECT_FALSE(Typed(expression, record)) << expression;
  }
  EXPECT_TRUE(Untyped("!(Age < 18)", record));
  EXPECT_TRUE(Untyped("!(Age != 18)", record));
}

TEST(QueryEvalTest, Q025_Truth) {
  EXPECT_TRUE(Untyped("1", "A: x\n"));
  EXPECT_FALSE(Untyped("0", "A: x\n"));
  EXPECT_FALSE(Untyped("0.000", "A: x\n"));
  EXPECT_TRUE(Untyped("0.001", "A: x\n"));
  EXPECT_TRUE(Untyped("'x'", "A: x\n"));
  EXPECT_FALSE(Untyped("''", "A: x\n"));
  EXPECT_FALSE(Untyped("Missing + 1", "A: x\n"));
  EXPECT_TRUE(Untyped("A & ''", "A: x\n"));
  EXPECT_FALSE(Untyped("B & ''", "B:\n"));  // an empty text is false
}

// ---------------------------------------------------------------------------------------------
// Comparison [Q-030..Q-038]

TEST(QueryCompareTest, Q030_FieldAgainstFieldByTheirTypes) {
  EXPECT_TRUE(Typed("End >= Start", "Name: x\nStart: 9\nEnd: 10\n"));  // numeric, not "10" < "9"
  EXPECT_FALSE(Typed("End >= Start", "Name: x\nStart: 10\nEnd: 9\n"));
  EXPECT_TRUE(Typed("Count = Price", "Name: x\nCount: 5\nPrice: 5.00\n"));
  EXPECT_TRUE(Typed("Day < When", "Name: x\nDay: 2024-01-01\nWhen: 2024-01-01T00:00:01Z\n"));
  EXPECT_TRUE(Typed("Day = When", "Name: x\nDay: 2024-01-01\nWhen: 2024-01-01T01:00:00+01:00\n"));
  // Incompatible types: always false.
  EXPECT_FALSE(Typed("Count = Version", "Name: x\nCount: 1\nVersion: 1\n"));
  EXPECT_FALSE(Typed("Count != Version", "Name: x\nCount: 1\nVersion: 2\n"));
  // A text field adopts the typed side's type.
  EXPECT_TRUE(Typed("Other < Version", "Name: x\nOther: 1.0~rc1\nVersion: 1.0\n"));
}

TEST(QueryCompareTest, Q031_InvalidValuesCompareFalse) {
  EXPECT_FALSE(Typed("Count > 5", "Name: x\nCount: many\n"));
  EXPECT_FALSE(Typed("Count <= 5", "Name: x\nCount: many\n"));
  EXPECT_FALSE(Typed("Count != 5", "Name: x\nCount: many\n"));
  EXPECT_FALSE(Typed("Count = 1.5", "Name: x\nCount: 1.5\n"));  // not a valid integer
  EXPECT_FALSE(Typed("Version = 'abc'", "Name: x\nVersion: abc\n"));
  EXPECT_FALSE(Typed("Version != 'abc'", "Name: x\nVersion: 1.0\n"));
  EXPECT_FALSE(Typed("Day > 'soon'", "Name: x\nDay: 2024-01-01\n"));
  EXPECT_FALSE(Typed("Essential = 'maybe'", "Name: x\nEssential: yes\n"));
  // Enum values are not checked against Values: a stale value can be found.
  EXPECT_TRUE(Typed("Priority = 'extra'", "Name: x\nPriority: extra\n"));
}

TEST(QueryCompareTest, Q032_TextEqualityIsExactCodePoints) {
  EXPECT_TRUE(Untyped("A = 'Émile'", "A: \xC3\x89mile\n"));
  EXPECT_FALSE(Untyped("A = 'Émile'", "A: E\xCC\x81mile\n"));  // canonically equivalent, not equal
  EXPECT_TRUE(Untyped("A != 'Émile'", "A: E\xCC\x81mile\n"));
  EXPECT_FALSE(Untyped("A = 'émile'", "A: \xC3\x89mile\n"));
  EXPECT_FALSE(Untyped("A = 'x '", "A: x\n"));
}

TEST(QueryCompareTest, Q032_TextOrderIsCollation) {
  // Byte order would put "Banana" before "apple".
  EXPECT_TRUE(Untyped("A < 'Banana'", "A: apple\n"));
  EXPECT_TRUE(Untyped("A > 'Banana'", "A: cherry\n"));
  EXPECT_TRUE(Untyped("A < 'f'", "A: \xC3\xA9t\xC3\xA9\n"));  // "été" sorts with e, before f
  EXPECT_TRUE(Untyped("A <= 'apple' && A >= 'apple'", "A: apple\n"));
  // Canonically equivalent strings collate equal; the tie is broken by code points so exactly
  // one of <, =, > holds.
  const std::string decomposed = "A: E\xCC\x81mile\n";
  const int holds = Untyped("A < 'Émile'", decomposed) + Untyped("A = 'Émile'", decomposed) +
                    Untyped("A > 'Émile'", decomposed);
  EXPECT_EQ(holds, 1);
  // Enums are text too.
  EXPECT_TRUE(Typed("Priority < 'Required'", "Name: x\nPriority: optional\n"));
}

TEST(QueryCompareTest, Q033_Integers) {
  const std::string record = "Name: x\nCount: 42\n";
  EXPECT_TRUE(Typed("Count = 42", record));
  EXPECT_TRUE(Typed("Count = '042'", record));
  EXPECT_TRUE(Typed("Count = 42.0", record));
  EXPECT_TRUE(
      Typed("Count != 41 && Count > 41 && Count >= 42 && Count < 43 && Count <= 42", record));
  EXPECT_FALSE(Typed("Count < 42", record));
  EXPECT_TRUE(Typed("Count > -5", record));
  EXPECT_TRUE(Typed("Count < 123456789012345678901234567890", record));  // any length
  EXPECT_TRUE(Typed("Count > 9", record));                               // numeric, not "42" < "9"
  EXPECT_TRUE(Typed("Count = -Count * -1", record));
}

TEST(QueryCompareTest, Q033_Decimals) {
  EXPECT_TRUE(Typed("Price >= 9.99", "Name: x\nPrice: 10\n"));
  EXPECT_TRUE(Typed("Price = 1.5", "Name: x\nPrice: 1.50\n"));
  EXPECT_TRUE(Typed("Price < 0.3", "Name: x\nPrice: 0.29999999999999999999\n"));  // exact
  EXPECT_FALSE(Typed("Price = 1", "Name: x\nPrice: 1.0001\n"));
}

TEST(QueryCompareTest, Q033_StringFieldAgainstANumberComparesNumerically) {
  EXPECT_TRUE(Untyped("Age < 18", "Age: 9\n"));  // as text "9" > "18"
  EXPECT_FALSE(Untyped("Age < 18", "Age: 20\n"));
  EXPECT_TRUE(Untyped("Age = 9", "Age: 09\n"));
  EXPECT_FALSE(Untyped("Age < 18", "Age: young\n"));
  EXPECT_FALSE(Untyped("Age != 18", "Age: young\n"));
  EXPECT_TRUE(Untyped("Age < '18'", "Age: 100\n"));  // quoted: text order
}

TEST(QueryCompareTest, Q034_Booleans) {
  EXPECT_TRUE(Typed("Essential = 'yes'", "Name: x\nEssential: true\n"));
  EXPECT_TRUE(Typed("Essential = 1", "Name: x\nEssential: YES\n"));
  EXPECT_TRUE(Typed("Essential != 'no'", "Name: x\nEssential: 1\n"));
  EXPECT_TRUE(Typed("Essential < 'yes'", "Name: x\nEssential: false\n"));  // false before true
  EXPECT_FALSE(Typed("Essential = 1", "Name: x\nEssential: perhaps\n"));
}

TEST(QueryCompareTest, Q034_Dates) {
  const std::string record = "Name: x\nDay: 2024-02-29\n";
  EXPECT_TRUE(Typed("Day > '2024-02-28' && Day < '2024-03-01'", record));
  EXPECT_TRUE(Typed("Day = '2024-02-29'", record));
  EXPECT_TRUE(Typed("Day = '2024-02-29T00:00:00Z'", record));  // a date is its midnight UTC
  EXPECT_TRUE(Typed("Day < '2024-02-29T00:00:01Z'", record));
  EXPECT_FALSE(Typed("Day = '2024-02-30'", "Name: x\nDay: 2024-02-30\n"));  // invalid value
}

TEST(QueryCompareTest, Q034_DateTimes) {
  const std::string record = "Name: x\nWhen: 2024-01-01T10:00:00+01:00\n";
  EXPECT_TRUE(Typed("When = '2024-01-01T09:00:00Z'", record));  // the same instant
  EXPECT_TRUE(Typed("When > '2024-01-01T08:59:59.999Z'", record));
  EXPECT_TRUE(Typed("When >= '2024-01-01'", record));
  EXPECT_FALSE(Typed("When < '2024-01-01'", record));
  EXPECT_FALSE(Typed("When > 'yesterday'", record));
}

TEST(QueryCompareTest, Q034_DebianVersionsInDpkgOrder) {
  EXPECT_TRUE(Typed("Version < '1.0'", "Name: x\nVersion: 1.0~rc1\n"));
  EXPECT_TRUE(Typed("Version > '1.0'", "Name: x\nVersion: 1.0+dfsg\n"));
  EXPECT_TRUE(Typed("Version > '2.0'", "Name: x\nVersion: 1:0.9\n"));  // epoch first
  EXPECT_TRUE(Typed("Version > '1.9'", "Name: x\nVersion: 1.10\n"));   // numeric runs
  EXPECT_TRUE(Typed("Version = '1.0-0'", "Name: x\nVersion: 1.0\n"));  // missing revision = 0
  EXPECT_TRUE(Typed("Version = '0:1.0'", "Name: x\nVersion: 1.0\n"));
  EXPECT_TRUE(Typed("Version >= 2", "Name: x\nVersion: 2.0\n"));  // a number read as a version
  EXPECT_FALSE(Typed("Version < 'abc'", "Name: x\nVersion: 1.0\n"));
}

TEST(QueryCompareTest, Q035_Lists) {
  const std::string record = "Name: x\nArch: amd64, arm64\n";
  EXPECT_TRUE(Typed("Arch = 'amd64'", record));
  EXPECT_TRUE(Typed("'arm64' = Arch", record));
  EXPECT_FALSE(Typed("Arch = 'i386'", record));
  EXPECT_TRUE(Typed("Arch != 'i386'", record));
  EXPECT_FALSE(Typed("Arch != 'amd64'", record));
  EXPECT_FALSE(Typed("Arch = 'amd64, arm64'", record));       // one element, not the whole value
  EXPECT_TRUE(Typed("Arch ~ 'amd64, arm'", record));          // ~ sees the whole value
  EXPECT_TRUE(Typed("Arch < 'amd64, arm64, i386'", record));  // list order, a prefix first
  EXPECT_TRUE(Typed("Arch > 'amd64'", record));
  EXPECT_TRUE(Typed("Arch = Tags", "Name: x\nArch: a,b\nTags: a, b\n"));  // whole lists
  EXPECT_FALSE(Typed("Arch = Tags", "Name: x\nArch: a, b\nTags: a\n"));
  EXPECT_FALSE(Typed("Arch = 'a'", "Name: x\nArch: a, , b\n"));  // an invalid list
  EXPECT_TRUE(Typed("Arch = 'AMD64'", record, true));            // -i on elements
}

TEST(QueryCompareTest, Q036_DateOperators) {
  EXPECT_TRUE(Untyped("Released << '2024-01-01'", "Released: 2023-12-31\n"));
  EXPECT_FALSE(Untyped("Released << '2024-01-01'", "Released: 2024-01-01\n"));
  EXPECT_TRUE(Untyped("Released >> '2023-12-31T23:59:59Z'", "Released: 2024-01-01\n"));
  EXPECT_TRUE(Untyped("Released == '2024-01-01T00:00:00Z'", "Released: 2024-01-01\n"));
  EXPECT_TRUE(Untyped("Released == '2024-01-01T02:00:00+02:00'", "Released: 2024-01-01\n"));
  EXPECT_FALSE(Untyped("Released == '2024-01-01'", "Released: tomorrow\n"));
  EXPECT_FALSE(Untyped("Released << 5", "Released: 2024-01-01\n"));
  EXPECT_TRUE(Typed("Day >> When", "Name: x\nDay: 2024-01-02\nWhen: 2024-01-01T12:00:00Z\n"));
}

TEST(QueryCompareTest, Q037_RegularExpressionsMatchPartially) {
  EXPECT_TRUE(Untyped("Name ~ 'lib'", "Name: glibc\n"));
  EXPECT_FALSE(Untyped("Name ~ '^lib'", "Name: glibc\n"));
  EXPECT_TRUE(Untyped("Name ~ 'c$'", "Name: glibc\n"));
  EXPECT_TRUE(Untyped("Name !~ '^lib'", "Name: glibc\n"));
  EXPECT_FALSE(Untyped("Name ~ 'LIB'", "Name: glibc\n"));
  EXPECT_TRUE(Untyped("Count ~ '^4'", "Count: 42\n"));
  EXPECT_TRUE(Untyped("Count + 1 ~ '^43$'", "Count: 42\n"));  // a number's digits
  // ^ and $ are the whole value's ends, unless (?m).
  const std::string multiline = "Description: first\n second\n";  // raw value "first\n second"
  EXPECT_FALSE(Untyped("Description ~ '^ second'", multiline));
  EXPECT_FALSE(Untyped("Description ~ 'first$'", multiline));
  EXPECT_TRUE(Untyped("Description ~ '(?m)^ second'", multiline));
  EXPECT_TRUE(Untyped("Description ~ '(?m)first$'", multiline));
  EXPECT_TRUE(Untyped("Description ~ 'first\\n second'", multiline));
  EXPECT_TRUE(Untyped("Name ~ '^\\p{Lu}'", "Name: \xC3\x89mile\n"));  // UTF-8 aware
}

TEST(QueryCompareTest, Q037_HostilePatternsRunInLinearTime) {
  const std::string record = "A: " + std::string(100000, 'a') + "\n";
  EXPECT_FALSE(Untyped("A ~ '(a*)*b'", record));
  EXPECT_FALSE(Untyped("A ~ '^(a|aa)+$' && A ~ 'b'", record));
  EXPECT_TRUE(Untyped("A ~ '(a|aa)+$'", record));
}

TEST(QueryCompareTest, Q037_BadRegularExpressionsAreLocatedAtTheLiteral) {
  EXPECT_EQ(ParseError("Name ~ '(abc'"),
            "1:8: error: invalid regular expression: missing ): (abc [Q-037]");
  EXPECT_EQ(ParseError("A = 1 &&\n  Name !~ 'a**'"),
            "2:11: error: invalid regular expression: bad repetition operator: ** [Q-037]");
  EXPECT_EQ(ParseError("A ~ '(a)\\1'"),
            "1:5: error: invalid regular expression: invalid escape sequence: \\1 [Q-037]");
  // More than 8 MiB of program.
  EXPECT_NE(ParseError("A ~ '((((a{100}){100}){100}){100})'").find("[Q-037]"), std::string::npos);
}

TEST(QueryCompareTest, Q038_CaseInsensitiveUsesFullCaseFolding) {
  EXPECT_TRUE(Untyped("A = 'émile'", "A: \xC3\x89MILE\n", true));
  EXPECT_FALSE(Untyped("A = 'émile'", "A: \xC3\x89MILE\n", false));
  EXPECT_TRUE(Untyped("A = 'Straße'", "A: STRASSE\n", true));
  EXPECT_TRUE(Untyped("A = 'émile'", "A: E\xCC\x81mile\n", true));  // canonical equivalence
  EXPECT_FALSE(Untyped("A != 'Straße'", "A: strasse\n", true));
  EXPECT_TRUE(Untyped("A = 'hello'", "A: HeLLo\n", true));
  EXPECT_TRUE(Untyped("A < 'b'", "A: A\n", true));
  EXPECT_TRUE(Untyped("A <= 'apple' && A >= 'APPLE'", "A: Apple\n", true));
  // Regular expressions: RE2's simple case folding.
  EXPECT_TRUE(Untyped("A ~ '^émile$'", "A: \xC3\x89MILE\n", true));
  EXPECT_FALSE(Untyped("A ~ 'ß'", "A: SS\n", true));
  EXPECT_TRUE(Untyped("A !~ 'x'", "A: y\n", true));
  // Other types are not affected.
  EXPECT_FALSE(Typed("Version = '1.0A'", "Name: x\nVersion: 1.0a\n", true));
  EXPECT_TRUE(Typed("Priority = 'OPTIONAL'", "Name: x\nPriority: optional\n", true));
}

// ---------------------------------------------------------------------------------------------
// Arithmetic, strings and logic [Q-040..Q-042]

TEST(QueryArithmeticTest, Q040_IntegerArithmetic) {
  const std::string record = "Count: 7\n";
  EXPECT_TRUE(Untyped("Count + 1 = 8", record));
  EXPECT_TRUE(Untyped("Count - 10 = -3", record));
  EXPECT_TRUE(Untyped("Count * 2 = 14", record));
  EXPECT_TRUE(Untyped("Count / 2 = 3", record));  // truncates
  EXPECT_TRUE(Untyped("-Count / 2 = -3", record));
  EXPECT_TRUE(Untyped("Count % 3 = 1", record));
  EXPECT_TRUE(Untyped("-Count % 3 = -1", record));  // sign of the dividend
  EXPECT_TRUE(Untyped("1 + 2 * 3 = 7 && (1 + 2) * 3 = 9", record));
  EXPECT_TRUE(Untyped("10 - 3 - 2 = 5", record));  // left to right
  EXPECT_TRUE(Untyped("+Count = 7 && - -Count = 7", record));
}

TEST(QueryArithmeticTest, Q040_RealsOverflowAndDivisionByZero) {
  const std::string record = "A: 1\n";
  EXPECT_TRUE(Untyped("0.1 + 0.2 = 0.30000000000000004", record));
  EXPECT_TRUE(Untyped("7 / 2.0 = 3.5", record));
  EXPECT_TRUE(Untyped("7.5 % 2 = 1.5", record));
  EXPECT_TRUE(Untyped("9223372036854775807 + 1 = 9223372036854775808", record));
  // Past the 64-bit range the result is a double: -2^63 - 1 rounds to -2^63.
  EXPECT_TRUE(Untyped("-9223372036854775807 - 1 - 1 = -9223372036854775808", record));
  EXPECT_TRUE(Untyped("(-9223372036854775807 - 1) / -1 = 9223372036854775808", record));
  EXPECT_FALSE(Untyped("1 / 0 = 0", record));
  EXPECT_FALSE(Untyped("1 / 0 != 0", record));
  EXPECT_FALSE(Untyped("1 % 0 = 0", record));
  EXPECT_FALSE(Untyped("1.5 / 0 = 0", record));
  EXPECT_FALSE(Untyped("A + 'x' = 1", record));  // not a number: absent
  std::string huge = "1" + std::string(400, '0');
  EXPECT_FALSE(Untyped(huge + " * " + huge + " > 0", record));  // not finite: absent
}

TEST(QueryArithmeticTest, Q041_Concatenation) {
  EXPECT_TRUE(Untyped("Name & '-' & Version = 'hello-1.0'", "Name: hello\nVersion: 1.0\n"));
  EXPECT_TRUE(Untyped("'n' & 1 + 2 = 'n3'", "A: 1\n"));
  EXPECT_FALSE(Untyped("Name & Missing = 'hello'", "Name: hello\n"));
}

TEST(QueryArithmeticTest, Q042_LogicalOperatorsGiveOneOrZero) {
  EXPECT_TRUE(Untyped("(A && B) + (A || B) + (!A) = 1", "A: x\n"));
  EXPECT_TRUE(Untyped("(A => B) = 0", "A: x\n"));
  EXPECT_TRUE(Untyped("(A ? 'yes' : 'no') = 'yes'", "A: x\n"));
  // Short circuit does not change results, only work: the right side would be false anyway.
  EXPECT_TRUE(Untyped("A || Missing < 1", "A: x\n"));
}

// ---------------------------------------------------------------------------------------------
// Errors and Validate

TEST(QueryErrorTest, Q050_CaretPointsAtTheColumn) {
  const std::string text = "Age > && x";
  Result<Expression> expression = Expression::Parse(text);
  ASSERT_FALSE(expression.ok());
  EXPECT_EQ(Caret(text, expression.status()), "Age > && x\n      ^\n");
  const ErrorPosition position = ErrorPositionOf(expression.status());
  EXPECT_EQ(position.line, 1u);
  EXPECT_EQ(position.column, 7u);
}

TEST(QueryErrorTest, Q050_CaretKeepsTabsAndFindsTheLine) {
  const std::string text = "A = 1 &&\n\t'\xC3\xA9' = (";
  Result<Expression> expression = Expression::Parse(text);
  ASSERT_FALSE(expression.ok());
  EXPECT_EQ(expression.status().message().substr(0, 12), "2:9: error: ");
  EXPECT_EQ(Caret(text, expression.status()), "\t'\xC3\xA9' = (\n\t       ^\n");
}

TEST(QueryErrorTest, Q050_CaretWithoutPosition) {
  EXPECT_EQ(Caret("A", Status::InvalidArgument("no position here")), "");
  EXPECT_EQ(Caret("A", Status::Ok()), "");
  EXPECT_EQ(Caret("A", Status::InvalidArgument("3:1: error: past the text")), "");
  EXPECT_EQ(Caret("A", Status::InvalidArgument("1:9: error: past the line")), "");
  EXPECT_EQ(Caret("A", Status::InvalidArgument("1:2: error: at the end")), "A\n ^\n");
  EXPECT_EQ(ErrorPositionOf(Status::InvalidArgument("12:34: no error word")).line, 0u);
}

TEST(QueryErrorTest, Q051_ValidateRejectsLiteralsInvalidForTheComparison) {
  EXPECT_EQ(ValidateError("Version = 'abc'"),
            "1:11: error: 'abc' is not a valid debversion value for field 'Version': version "
            "number does not start with digit [Q-051]");
  EXPECT_EQ(ValidateError("Count > 'many'"),
            "1:9: error: 'many' is not a valid integer value for field 'Count': expected an "
            "integer, e.g. -42 [Q-051]");
  EXPECT_EQ(ValidateError("'x' < Day"),
            "1:1: error: 'x' is not a valid date value for field 'Day': expected a date "
            "YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM:SS with Z or +HH:MM [Q-051]");
  EXPECT_EQ(ValidateError("Essential = 2"),
            "1:13: error: '2' is not a valid boolean value for field 'Essential': expected yes, "
            "no, true, false, 1 or 0 [Q-051]");
  EXPECT_EQ(ValidateError("Arch < 'a,,b'"),
            "1:8: error: 'a,,b' is not a valid list value for field 'Arch': expected non-empty "
            "elements separated by ',' [Q-051]");
  EXPECT_EQ(ValidateError("Other << 'x'"),
            "1:10: error: 'x' is not a date or a date-time; expected a date YYYY-MM-DD or a "
            "date-time YYYY-MM-DDTHH:MM:SS with Z or +HH:MM [Q-051]");
  EXPECT_EQ(ValidateError("Count = Version"),
            "1:7: error: cannot compare field 'Count' (integer) with field 'Version' "
            "(debversion) [Q-051]");
  // Valid ones pass, as do comparisons whose types depend on the record.
  for (const char* ok : {"Version = '1.0'", "Count > 5", "Count = '007'", "Arch = 'a,,b'",
                         "Day < '2024-01-01T00:00:00Z'", "(A ? Count : Day) = 'x'",
                         "Other = 'anything' && Unknown > 3", "Priority = 'gone'"}) {
    EXPECT_EQ(ValidateError(ok), "") << ok;
  }
}

TEST(QueryErrorTest, Q051_ValidateRejectsUndeclaredFieldsWhenTheSchemaDoes) {
  const Schema strict = MustParseSchema(
      "Table: t\nKey: Name\nUnknown-Fields: reject\n\nField: Count\nType: integer\n");
  EXPECT_EQ(ValidateError("Name = 'x' && Cuont > 1", strict),
            "1:15: error: field 'Cuont' is not declared by the schema of table 't', which rejects "
            "unknown fields [Q-051]");
  EXPECT_EQ(ValidateError("#Other = 0", strict),
            "1:1: error: field 'Other' is not declared by the schema of table 't', which rejects "
            "unknown fields [Q-051]");
  EXPECT_EQ(ValidateError("name = 'x' && COUNT > 1", strict), "");
}

// ---------------------------------------------------------------------------------------------
// Record constraints

TEST(QueryConstraintTest, Q060_ConstraintsHoldForEveryRecord) {
  const Schema schema = MustParseSchema(
      "Table: t\nKey: Id\nConstraint:\n End => End >= Start\n Start >= 0\n\n"
      "Field: Id\nType: integer\n\nField: Start\nType: integer\n\nField: End\nType: integer\n");
  Result<std::vector<Expression>> constraints = CompileConstraints(schema);
  ASSERT_TRUE(constraints.ok()) << constraints.status().ToString();
  ASSERT_EQ(constraints->size(), 2u);
  EXPECT_TRUE(CheckConstraints(*constraints, schema, Rec("Id: 1\nStart: 3\nEnd: 5\n")).ok());
  EXPECT_TRUE(CheckConstraints(*constraints, schema, Rec("Id: 1\nStart: 3\n")).ok());
  Status status = CheckConstraints(*constraints, schema, Rec("Id: 7\nStart: 5\nEnd: 3\n"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_EQ(status.message(),
            "record Id='7': constraint 'End => End >= Start' does not hold [Q-060]");
  // A missing field makes a comparison false, so an unguarded constraint fails.
  status = CheckConstraints(*constraints, schema, Rec("Id: 8\n"));
  EXPECT_EQ(status.message(), "record Id='8': constraint 'Start >= 0' does not hold [Q-060]");
  status = CheckConstraints(*constraints, schema, Rec("Id: 9\nEnd: 3\n"));
  EXPECT_EQ(status.message(),
            "record Id='9': constraint 'End => End >= Start' does not hold [Q-060]");
  status = CheckConstraints(*constraints, schema, Rec("Start: -1\n"));
  EXPECT_EQ(status.message(), "record at line 1: constraint 'Start >= 0' does not hold [Q-060]");
}

TEST(QueryConstraintTest, Q060_BadConstraintsAreReported) {
  const Schema bad_syntax = MustParseSchema("Table: t\nKey: Id\nConstraint: End >=\n");
  Result<std::vector<Expression>> constraints = CompileConstraints(bad_syntax);
  ASSERT_FALSE(constraints.ok());
  EXPECT_EQ(constraints.status().code(), StatusCode::kInvalidData);
  EXPECT_EQ(constraints.status().message(),
            "constraint 'End >=': 1:7: error: expected a value (a field name, a 'string', a "
            "number, '#' or '(') after '>=', found the end [Q-010]");
  const Schema bad_literal = MustParseSchema(
      "Table: t\nKey: Id\nConstraint: Start > 'x'\n\nField: Start\nType: integer\n");
  constraints = CompileConstraints(bad_literal);
  ASSERT_FALSE(constraints.ok());
  EXPECT_EQ(constraints.status().message(),
            "constraint 'Start > \\'x\\'': 1:9: error: 'x' is not a valid integer value for "
            "field 'Start': expected an integer, e.g. -42 [Q-051]");
  Result<std::vector<Expression>> none = CompileConstraints(Items());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// ---------------------------------------------------------------------------------------------
// Planning

std::vector<std::string> DescribeConjuncts(std::string_view text, bool case_insensitive = false) {
  std::vector<std::string> out;
  for (const Conjunct& c : MustParse(text, case_insensitive).Conjuncts()) {
    out.push_back(std::string(c.kind == Conjunct::Kind::kEquals ? "eq " : "prefix ") + c.field +
                  " " + c.value + (c.number ? " number" : "") + (c.case_insensitive ? " ci" : ""));
  }
  return out;
}

TEST(QueryPlanTest, Q070_ConjunctsOfTheTopLevelAndChain) {
  EXPECT_EQ(DescribeConjuncts("Package = 'x' && (Version = 1 && Name ~ '^lib') && Other > 3"),
            (std::vector<std::string>{"eq Package x", "eq Version 1 number", "prefix Name lib"}));
  EXPECT_EQ(DescribeConjuncts("'x' = `A.B`"), (std::vector<std::string>{"eq A.B x"}));
  EXPECT_EQ(DescribeConjuncts("A = -5"), (std::vector<std::string>{"eq A -5 number"}));
  EXPECT_EQ(DescribeConjuncts("A = 'x'", true), (std::vector<std::string>{"eq A x ci"}));
  for (const char* none :
       {"A = 'x' || B = 'y'", "!(A = 'x')", "A != 'x'", "A = B", "A[1] = 'x'", "A !~ '^x'",
        "A ~ 'x'", "(A = 'x') = 1", "A & '' = 'x'", "A ? B = 'x' : 0"}) {
    EXPECT_TRUE(DescribeConjuncts(none).empty()) << none;
  }
}

TEST(QueryPlanTest, Q070_RegexLiteralPrefixes) {
  const auto prefix = [](std::string pattern) {
    std::vector<std::string> conjuncts = DescribeConjuncts("A ~ '" + pattern + "'");
    return conjuncts.empty() ? std::string("(none)") : conjuncts[0].substr(9);
  };
  EXPECT_EQ(prefix("^libfoo"), "libfoo");
  EXPECT_EQ(prefix("^lib.*"), "lib");
  EXPECT_EQ(prefix("^libx*"), "lib");  // x is optional
  EXPECT_EQ(prefix("^libx?y"), "lib");
  EXPECT_EQ(prefix("^libx{0,2}"), "lib");
  EXPECT_EQ(prefix("^libx+y"), "libx");
  EXPECT_EQ(prefix("^a\\\\.b\\\\+c"), "a.b+c");
  EXPECT_EQ(prefix("^a\\\\db"), "a");
  EXPECT_EQ(prefix("^\xC3\xA9t\xC3\xA9$"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(prefix("\\\\Afoo"), "foo");
  EXPECT_EQ(prefix("^abc|^xyz"), "(none)");
  EXPECT_EQ(prefix("^(abc)"), "(none)");
  EXPECT_EQ(prefix("(?i)^abc"), "(none)");
  EXPECT_EQ(prefix("abc"), "(none)");
  EXPECT_EQ(prefix("^[a]bc"), "(none)");
}

Schema PlanSchema() {
  return MustParseSchema(
      "Table: pkgs\nKey: Package, Version\nPartition-Depth: 2\n\n"
      "Field: Version\nType: debversion\n\nField: Maintainer\nIndex: yes\n\n"
      "Field: Size\nType: integer\nIndex: yes\n\nField: Tags\nType: list\nIndex: yes\n");
}

std::string Plan(std::string_view text, const Schema& schema, bool case_insensitive = false) {
  return ChooseAccess(MustParse(text, case_insensitive), schema).Explain();
}

TEST(QueryPlanTest, Q071_KeyLookupNeedsAnExactEqualityOnEveryKeyField) {
  const Schema schema = PlanSchema();
  AccessPlan plan = ChooseAccess(MustParse("Version = '1.0-0' && package = 'hello'"), schema);
  EXPECT_EQ(plan.kind, AccessPlan::Kind::kKeyLookup);
  EXPECT_EQ(plan.key_fields, (std::vector<std::string>{"Package", "Version"}));
  EXPECT_EQ(plan.key, (std::vector<std::string>{"hello", "1.0"}));  // canonical
  EXPECT_EQ(plan.Explain(), "key lookup: Package='hello', Version='1.0'");
  const Schema by_id = MustParseSchema("Table: t\nKey: Id\n\nField: Id\nType: integer\n");
  EXPECT_EQ(Plan("Id = '007'", by_id), "key lookup: Id='7'");
  EXPECT_EQ(Plan("Id = 7.0", by_id), "key lookup: Id='7'");
  EXPECT_EQ(Plan("Id = 7.5", by_id),
            "no record can match: '7.5' is not a valid integer value for field 'Id'");
  // -i on a string key and a number against a string key are not exact.
  EXPECT_EQ(Plan("Package = 'Hello' && Version = '1.0'", schema, true),
            "partition scan: Package starts with 'Hello'");
  EXPECT_EQ(Plan("Package = 5 && Version = '1.0'", schema), "full scan");
  EXPECT_EQ(Plan("Package = '' && Version = '1.0'", schema), "full scan");
}

TEST(QueryPlanTest, Q071_AnInvalidLiteralMeansNoRecord) {
  AccessPlan plan = ChooseAccess(MustParse("Package = 'x' && Version = 'abc'"), PlanSchema());
  EXPECT_EQ(plan.kind, AccessPlan::Kind::kNoRecord);
  EXPECT_EQ(plan.Explain(),
            "no record can match: 'abc' is not a valid debversion value for field 'Version'");
  EXPECT_EQ(Plan("Size = 'big'", PlanSchema()),
            "no record can match: 'big' is not a valid integer value for field 'Size'");
}

TEST(QueryPlanTest, Q071_SecondaryIndexForAnExactEqualityOnAnIndexedField) {
  const Schema schema = PlanSchema();
  AccessPlan plan = ChooseAccess(MustParse("Size = '0100' && Package ~ '^lib'"), schema);
  EXPECT_EQ(plan.kind, AccessPlan::Kind::kSecondaryIndex);
  EXPECT_EQ(plan.field, "Size");
  EXPECT_EQ(plan.value, "100");
  EXPECT_EQ(Plan("maintainer = 'Jo'", schema), "secondary index: Maintainer='Jo'");
  EXPECT_EQ(Plan("Maintainer = 'Jo'", schema, true), "full scan");  // -i: not exact
  // A list's index finds the records listing the element.
  EXPECT_EQ(Plan("Tags = 'x'", schema), "secondary index: Tags='x'");
  EXPECT_EQ(Plan("Tags = 5", schema), "secondary index: Tags='5'");
  EXPECT_EQ(Plan("Tags = 'x'", schema, true), "full scan");
  EXPECT_EQ(Plan("Tags = 'x, y'", schema),
            "no record can match: 'x, y' cannot be an element of list field 'Tags'");
  EXPECT_EQ(Plan("Tags = ' x'", schema),
            "no record can match: ' x' cannot be an element of list field 'Tags'");
}

TEST(QueryPlanTest, Q071_PartitionScanForAPrefixOfTheFirstKeyField) {
  const Schema schema = PlanSchema();
  EXPECT_EQ(Plan("Package = 'hello'", schema), "partition scan: Package starts with 'hello'");
  // A regex prefix loses its last grapheme cluster.
  EXPECT_EQ(Plan("Package ~ '^libfoo'", schema), "partition scan: Package starts with 'libfo'");
  EXPECT_EQ(Plan("Package ~ '^e\xCC\x81x'", schema),
            "partition scan: Package starts with 'e\xCC\x81'");
  EXPECT_EQ(Plan("Package ~ '^l'", schema), "full scan");
  EXPECT_EQ(Plan("Version ~ '^1'", schema), "full scan");  // not the first key field
  EXPECT_EQ(Plan("Package = 'a' || Package = 'b'", schema), "full scan");
  const Schema by_id = MustParseSchema("Table: t\nKey: Id\n\nField: Id\nType: integer\n");
  EXPECT_EQ(Plan("Id ~ '^12'", by_id), "full scan");  // the raw value is not the key's text
}

// ---------------------------------------------------------------------------------------------
// Concurrency

TEST(QueryThreadTest, MatchesMayRunOnSeveralThreadsAtOnce) {
  const Expression expression =
      MustParse("A < 'Banana' && A ~ '^a' && B = 'STRASSE' && C + 1 > 2", true);
  const Expression copy = expression;  // copies share the compiled form
  const deb822::Stanza record = Rec("A: apple\nB: Straße\nC: 5\n");
  std::vector<std::thread> threads;
  std::vector<int> matched(4, 0);
  for (std::size_t t = 0; t < matched.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) matched[t] += copy.Matches(record, nullptr) ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : matched) EXPECT_EQ(count, 500);
  EXPECT_EQ(expression.text(), copy.text());
}

// ---------------------------------------------------------------------------------------------
// SQL [Q-080..Q-086]

TEST(SqlTest, Q081_Select) {
  SqlStatement s = MustParseSql(
      "select Package, \"Installed-Size\" AS size from packages "
      "where \"Installed-Size\" > 1000 and not Essential "
      "order by \"Installed-Size\" desc, Package limit 10 offset 5;");
  EXPECT_EQ(s.kind, SqlKind::kSelect);
  EXPECT_EQ(s.table, "packages");
  EXPECT_FALSE(s.all_fields);
  ASSERT_EQ(s.items.size(), 2u);
  EXPECT_EQ(s.items[0].field, "Package");
  EXPECT_EQ(s.items[1].field, "Installed-Size");
  EXPECT_EQ(s.items[1].alias, "size");
  ASSERT_TRUE(s.where.has_value());
  EXPECT_EQ(s.where->text(), "\"Installed-Size\" > 1000 and not Essential");
  EXPECT_TRUE(s.where->Matches(Rec("Package: a\nInstalled-Size: 2000\n"), nullptr));
  EXPECT_FALSE(s.where->Matches(Rec("Package: a\nInstalled-Size: 2000\nEssential: no\n"), nullptr));
  ASSERT_EQ(s.order_by.size(), 2u);
  EXPECT_EQ(s.order_by[0].field, "Installed-Size");
  EXPECT_TRUE(s.order_by[0].descending);
  EXPECT_FALSE(s.order_by[1].descending);
  EXPECT_EQ(s.limit, 10u);
  EXPECT_EQ(s.offset, 5u);

  SqlStatement star = MustParseSql("SELECT * FROM t");
  EXPECT_TRUE(star.all_fields);
  EXPECT_FALSE(star.where.has_value());
  EXPECT_FALSE(star.limit.has_value());
}

TEST(SqlTest, Q082_AggregatesAndGroupBy) {
  SqlStatement s = MustParseSql(
      "SELECT Section, COUNT(*) AS n, max(\"Installed-Size\"), Count FROM p GROUP BY Section, "
      "Count");
  ASSERT_EQ(s.items.size(), 4u);
  EXPECT_EQ(s.items[0].aggregate, SqlSelectItem::Aggregate::kNone);
  EXPECT_EQ(s.items[1].aggregate, SqlSelectItem::Aggregate::kCount);
  EXPECT_EQ(s.items[1].field, "");
  EXPECT_EQ(s.items[1].alias, "n");
  EXPECT_EQ(s.items[2].aggregate, SqlSelectItem::Aggregate::kMax);
  EXPECT_EQ(s.items[2].field, "Installed-Size");
  EXPECT_EQ(s.items[3].field, "Count");  // a function name without '(' is a field
  EXPECT_EQ(s.group_by, (std::vector<std::string>{"Section", "Count"}));
  EXPECT_EQ(MustParseSql("SELECT MIN(A), SUM(B), AVG(C), COUNT(D) FROM t").items.size(), 4u);
  EXPECT_EQ(SqlError("SELECT Section, COUNT(*) FROM p"),
            "1:8: error: field 'Section' is selected next to an aggregate without GROUP BY; "
            "expected only fields or only aggregates, or GROUP BY Section [Q-082]");
  EXPECT_EQ(SqlError("SELECT Section, Name FROM p GROUP BY section"),
            "1:17: error: field 'Name' is neither grouped nor aggregated; expected one of the "
            "GROUP BY fields or an aggregate such as MIN(Name) [Q-082]");
  EXPECT_EQ(SqlError("SELECT COUNT(*) FROM p GROUP BY A, a"),
            "1:36: error: field 'a' appears twice in GROUP BY; expected each field once [Q-082]");
  EXPECT_EQ(SqlError("SELECT SUM(*) FROM p"),
            "1:12: error: expected a field name after '(', found '*' [Q-080]");
}

TEST(SqlTest, Q083_Insert) {
  SqlStatement s = MustParseSql(
      "INSERT INTO packages (Package, \"Installed-Size\", Note) VALUES ('hello', 120, NULL), "
      "('it''s', -5, 'a\\b')");
  EXPECT_EQ(s.kind, SqlKind::kInsert);
  EXPECT_EQ(s.table, "packages");
  EXPECT_EQ(s.fields, (std::vector<std::string>{"Package", "Installed-Size", "Note"}));
  ASSERT_EQ(s.values.size(), 2u);
  EXPECT_EQ(s.values[0], (std::vector<SqlValue>{"hello", "120", std::nullopt}));
  EXPECT_EQ(s.values[1], (std::vector<SqlValue>{"it's", "-5", "a\\b"}));
  EXPECT_EQ(SqlError("INSERT INTO t (A, B) VALUES (1)"),
            "1:29: error: row has 1 values for 2 fields; expected one value per field [Q-083]");
  EXPECT_EQ(SqlError("INSERT INTO t (A, a) VALUES (1, 2)"),
            "1:19: error: field 'a' appears twice in the field list; expected each field once "
            "[Q-083]");
  EXPECT_EQ(SqlError("INSERT INTO t (A) VALUES (B)"),
            "1:27: error: expected a value (a 'string', a number or NULL) after '(', found 'B' "
            "[Q-081]");
}

TEST(SqlTest, Q084_Update) {
  SqlStatement s = MustParseSql("update t set A = 'x', \"B-C\" = NULL, D = +3 where Id = 7");
  EXPECT_EQ(s.kind, SqlKind::kUpdate);
  ASSERT_EQ(s.assignments.size(), 3u);
  EXPECT_EQ(s.assignments[0].field, "A");
  EXPECT_EQ(s.assignments[0].value, SqlValue("x"));
  EXPECT_EQ(s.assignments[1].field, "B-C");
  EXPECT_EQ(s.assignments[1].value, std::nullopt);
  EXPECT_EQ(s.assignments[2].value, SqlValue("+3"));
  ASSERT_TRUE(s.where.has_value());
  EXPECT_EQ(s.where->text(), "Id = 7");
  EXPECT_FALSE(MustParseSql("UPDATE t SET A = 1").where.has_value());
  EXPECT_EQ(SqlError("UPDATE t SET A = 1, a = 2"),
            "1:21: error: field 'a' appears twice in SET; expected each field once [Q-084]");
  EXPECT_EQ(SqlError("UPDATE t SET A = B"),
            "1:18: error: expected a value (a 'string', a number or NULL) after '=', found 'B' "
            "[Q-081]");
}

TEST(SqlTest, Q085_DeleteNeedsWhere) {
  SqlStatement s = MustParseSql("DELETE FROM t WHERE 1");
  EXPECT_EQ(s.kind, SqlKind::kDelete);
  ASSERT_TRUE(s.where.has_value());
  EXPECT_TRUE(s.where->Matches(Rec("A: 1\n"), nullptr));
  EXPECT_EQ(SqlError("DELETE FROM t"),
            "1:14: error: expected WHERE after 't', found the end; DELETE needs a condition "
            "(write WHERE 1 to delete every record) [Q-085]");
}

TEST(SqlTest, Q080_QuotingInSql) {
  SqlStatement s = MustParseSql(
      "SELECT * FROM `my-table` WHERE \"Installed-Size\" > 1000 AND Name = 'it''s' AND "
      "Path = 'C:\\dir' AND \"Odd\"\"Name\" = 'x' AND `Order` = 1");
  EXPECT_EQ(s.table, "my-table");
  EXPECT_TRUE(s.where->Matches(
      Rec("Installed-Size: 2000\nName: it's\nPath: C:\\dir\nOdd\"Name: x\nOrder: 1\n"), nullptr));
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE Installed-Size > 5"),
            "1:23: error: a field name with '-' is written in double quotes in SQL: "
            "\"Installed-Size\"; for a subtraction put spaces around '-' [Q-080]");
  EXPECT_TRUE(
      MustParseSql("SELECT * FROM t WHERE A - B = 1").where->Matches(Rec("A: 3\nB: 2\n"), nullptr));
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE Order = 1"),
            "1:23: error: expected a value after 'WHERE', found the keyword 'Order'; a field of "
            "that name is written in double quotes: \"Order\" [Q-080]");
  EXPECT_EQ(SqlError("SELECT from FROM t"),
            "1:8: error: expected a field name after 'SELECT', found 'from'; a name that is a "
            "keyword is written in double quotes: \"from\" [Q-080]");
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE A = 'x"),
            "1:27: error: unterminated string literal; expected a closing ' [Q-080]");
  EXPECT_EQ(SqlError("SELECT * FROM \"t"),
            "1:15: error: unterminated quoted name; expected a closing \" [Q-080]");
}

TEST(SqlTest, Q081_WhereAcceptsBothOperatorStyles) {
  const deb822::Stanza record = Rec("A: 1\nB: 2\n");
  for (const char* where :
       {"A = 1 AND B <> 3", "A = 1 && B != 3", "a = 1 or c = 1", "NOT C", "!C", "C IS NULL",
        "A IS NOT NULL", "not (A = 2) and (B = 2 || C = 3)", "A = 1 and B ~ '^2'"}) {
    SqlStatement s = MustParseSql(std::string("SELECT * FROM t WHERE ") + where);
    ASSERT_TRUE(s.where.has_value());
    EXPECT_TRUE(s.where->Matches(record, nullptr)) << where;
  }
  EXPECT_FALSE(MustParseSql("SELECT * FROM t WHERE A IS NULL").where->Matches(record, nullptr));
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE A = NULL"),
            "1:27: error: NULL is not a value; expected IS NULL or IS NOT NULL after the field "
            "[Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE A IS 5"),
            "1:28: error: expected NULL after 'IS', found '5' [Q-081]");
}

TEST(SqlTest, Q086_ErrorsAreLocatedInTheStatement) {
  EXPECT_EQ(SqlError("SELEKT * FROM t"),
            "1:1: error: expected SELECT, INSERT, UPDATE or DELETE, found 'SELEKT' [Q-081]");
  EXPECT_EQ(SqlError(""),
            "1:1: error: expected SELECT, INSERT, UPDATE or DELETE, found the end "
            "[Q-081]");
  EXPECT_EQ(SqlError("SELECT * t"), "1:10: error: expected FROM after '*', found 't' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE A >"),
            "1:26: error: expected a value (a field name, a 'string', a number, '#' or '(') "
            "after '>', found the end [Q-010]");
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE A = 1 B"),
            "1:29: error: expected an operator, WHERE, GROUP BY, ORDER BY, LIMIT or the end after "
            "'1', found 'B' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t\nLIMIT -1"),
            "2:7: error: expected a whole number of records after LIMIT, found '-' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t LIMIT 1.5"),
            "1:23: error: expected a whole number of records after LIMIT, found '1.5' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t ORDER Name"),
            "1:23: error: expected BY after 'ORDER', found 'Name' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t; SELECT"),
            "1:18: error: expected the end of the statement after ';', found 'SELECT' [Q-081]");
  EXPECT_EQ(SqlError("DELETE FROM t WHERE A = 1 LIMIT 1"),
            "1:27: error: expected an operator or the end after '1', found 'LIMIT' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM t WHERE A ~ \"x\""),
            "1:27: error: expected a regular expression in quotes after '~', found \"x\" [Q-012]");
  EXPECT_EQ(SqlError("INSERT INTO t A"), "1:15: error: expected '(' after 't', found 'A' [Q-081]");
  EXPECT_EQ(SqlError("SELECT * FROM 5"),
            "1:15: error: expected a table name after 'FROM', found '5' [Q-080]");
  EXPECT_EQ(SqlError("SELECT A AS FROM t"),
            "1:13: error: expected a name after 'AS', found 'FROM'; a name that is a keyword "
            "is written in double quotes: \"FROM\" [Q-080]");
  EXPECT_EQ(SqlError("SELECT * FROM \"\""),
            "1:15: error: empty quoted field name; expected a name between the quotes [Q-080]");
  // Validate locates errors of the WHERE clause in the statement.
  SqlStatement s = MustParseSql("SELECT * FROM items WHERE Version = 'abc'");
  Status status = s.where->Validate(Items());
  EXPECT_EQ(status.message(),
            "1:37: error: 'abc' is not a valid debversion value for field 'Version': version "
            "number does not start with digit [Q-051]");
  EXPECT_EQ(Caret("SELECT * FROM items WHERE Version = 'abc'", status),
            "SELECT * FROM items WHERE Version = 'abc'\n" + std::string(36, ' ') + "^\n");
}

TEST(SqlTest, Q038_CaseInsensitiveOptionAppliesToWhere) {
  ExpressionOptions options;
  options.case_insensitive = true;
  Result<SqlStatement> s = ParseSql("SELECT * FROM t WHERE A = 'STRASSE'", options);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->where->options().case_insensitive);
  EXPECT_TRUE(s->where->Matches(Rec("A: straße\n"), nullptr));
}

}  // namespace
}  // namespace textdb
