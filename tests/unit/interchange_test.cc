// Tests for the interchange module (include/textdb/interchange.h, format-spec/interchange.md):
// exact writer output [X-001..X-006], reader errors with exact locations [X-010..X-033], round
// trips deb822 -> JSON/NDJSON/CSV -> deb822, and hostile inputs. Test names cite the rule ids.
#include "textdb/interchange.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "textdb/deb822.h"

namespace textdb::interchange {
namespace {

using Stanzas = std::vector<deb822::Stanza>;
using Pairs = std::vector<std::pair<std::string, std::string>>;

// The stanzas of deb822 `text`, which must parse (strict profile).
Stanzas ParseDeb822(std::string text) {
  Result<deb822::Document> doc = deb822::Parse(std::move(text));
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok()) return {};
  return doc->stanzas();
}

// A stanza built with SetRaw from name/value pairs, which must be accepted.
deb822::Stanza MakeStanza(const Pairs& fields) {
  deb822::Stanza stanza;
  for (const auto& [name, value] : fields) {
    Status status = stanza.SetRaw(name, value);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  return stanza;
}

Pairs FieldsOf(const deb822::Stanza& stanza) {
  Pairs out;
  for (const deb822::Field& field : stanza.fields()) out.emplace_back(field.name(), field.value());
  return out;
}

std::vector<Pairs> FieldsOf(const Stanzas& stanzas) {
  std::vector<Pairs> out;
  for (const deb822::Stanza& stanza : stanzas) out.push_back(FieldsOf(stanza));
  return out;
}

// The error message of `result`, or "OK" when it holds stanzas.
std::string ErrorOf(const Result<Stanzas>& result) {
  if (result.ok()) return "OK";
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidData);
  return result.status().message();
}

std::string JsonError(std::string_view text) { return ErrorOf(FromJson(text, "in.json")); }
std::string NdjsonError(std::string_view text) { return ErrorOf(FromNdjson(text, "in.ndjson")); }
std::string CsvError(std::string_view text) { return ErrorOf(FromCsv(text, "in.csv")); }

// Canonical deb822 with what the formats must carry: continuation lines, " ." lines, a value
// that starts on a continuation line, non-ASCII, quotes, backslashes, commas, a tab, an empty
// value, and fields present in some stanzas only. Field order agrees with first-seen order, so
// the CSV header order reproduces every stanza's order.
constexpr std::string_view kCanonical =
    "Package: hello\n"
    "Version: 2.10-3\n"
    "Description: greeting program\n"
    " The GNU hello program produces a familiar, friendly greeting.\n"
    " .\n"
    " It says \"hello, world\" \\o/\n"
    "Tag: role::program,\n"
    " use::greeting\n"
    "\n"
    "Package: zo\xC3\xAB\n"
    "Version: 1:0.9~\xE6\x97\xA5\xE6\x9C\xAC\n"
    "Empty:\n"
    "Quote: say \"hi\", then 'bye'\n"
    "\n"
    "Package: files\n"
    "Description: tab\there \xF0\x9F\x98\x80\n"
    "Files:\n"
    " 0123 12 a.tar.gz\n"
    " 4567 34 b,c.dsc\n";

// ---------------------------------------------------------------------------------------------
// Format names [X-005]

TEST(InterchangeFormatTest, X005_NamesRoundTrip) {
  for (Format format : {Format::kDeb822, Format::kJson, Format::kNdjson, Format::kCsv}) {
    Result<Format> parsed = ParseFormatName(FormatName(format));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, format);
  }
  EXPECT_EQ(FormatName(Format::kNdjson), "ndjson");
}

TEST(InterchangeFormatTest, X005_UnknownNameIsInvalidArgument) {
  Result<Format> parsed = ParseFormatName("JSON");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "unknown format 'JSON'; expected deb822, json, ndjson or csv [X-005]");
}

// ---------------------------------------------------------------------------------------------
// Writers [X-001..X-004, X-006]

TEST(InterchangeJsonTest, X001_EmptyInputIsEmptyArray) { EXPECT_EQ(ToJson({}), "[]\n"); }

TEST(InterchangeJsonTest, X001_ExactOutput) {
  const Stanzas stanzas = ParseDeb822(std::string(kCanonical));
  EXPECT_EQ(ToJson(stanzas),
            "[\n"
            "{\"Package\":\"hello\",\"Version\":\"2.10-3\",\"Description\":\"greeting program\\n"
            " The GNU hello program produces a familiar, friendly greeting.\\n .\\n It says "
            "\\\"hello, world\\\" \\\\o/\",\"Tag\":\"role::program,\\n use::greeting\"},\n"
            "{\"Package\":\"zo\xC3\xAB\",\"Version\":\"1:0.9~\xE6\x97\xA5\xE6\x9C\xAC\","
            "\"Empty\":\"\",\"Quote\":\"say \\\"hi\\\", then 'bye'\"},\n"
            "{\"Package\":\"files\",\"Description\":\"tab\\there \xF0\x9F\x98\x80\","
            "\"Files\":\"\\n 0123 12 a.tar.gz\\n 4567 34 b,c.dsc\"}\n"
            "]\n");
}

TEST(InterchangeJsonTest, X004_EscapesControlCharacters) {
  const deb822::Stanza stanza =
      MakeStanza({{"A", std::string("\x01\x08\x0c\x1f\x7f\"\\/\xC3\xA9") + "\n\tx"}});
  EXPECT_EQ(ToJson({stanza}),
            "[\n{\"A\":\"\\u0001\\b\\f\\u001f\x7f\\\"\\\\/\xC3\xA9\\n\\tx\"}\n]\n");
}

TEST(InterchangeNdjsonTest, X002_ExactOutput) {
  EXPECT_EQ(ToNdjson({}), "");
  const Stanzas stanzas = {MakeStanza({{"Package", "a"}, {"Version", "1"}}),
                           MakeStanza({{"package", "b"}})};
  EXPECT_EQ(ToNdjson(stanzas),
            "{\"Package\":\"a\",\"Version\":\"1\"}\n"
            "{\"package\":\"b\"}\n");
}

TEST(InterchangeCsvTest, X003_ExactOutput) {
  EXPECT_EQ(ToCsv({}), "");
  const Stanzas stanzas = ParseDeb822(std::string(kCanonical));
  EXPECT_EQ(ToCsv(stanzas),
            "Package,Version,Description,Tag,Empty,Quote,Files\r\n"
            "hello,2.10-3,\"greeting program\n"
            " The GNU hello program produces a familiar, friendly greeting.\n .\n It says "
            "\"\"hello, world\"\" \\o/\",\"role::program,\n use::greeting\",,,\r\n"
            "zo\xC3\xAB,1:0.9~\xE6\x97\xA5\xE6\x9C\xAC,,,\"\",\"say \"\"hi\"\", then 'bye'\",\r\n"
            "files,,tab\there \xF0\x9F\x98\x80,,,,\"\n 0123 12 a.tar.gz\n 4567 34 b,c.dsc\"\r\n");
}

TEST(InterchangeCsvTest, X003_HeaderIsCaseInsensitiveUnionSpelledAsFirstSeen) {
  const Stanzas stanzas = {MakeStanza({{"Package", "a"}, {"X-Note", "n"}}),
                           MakeStanza({{"x-note", "m"}, {"PACKAGE", "b"}, {"Say,\"hi\"", "c"}})};
  EXPECT_EQ(ToCsv(stanzas),
            "Package,X-Note,\"Say,\"\"hi\"\"\"\r\n"
            "a,n,\r\n"
            "b,m,c\r\n");
}

TEST(InterchangeDeb822Test, X006_CanonicalStanzasWithBlankLinesBetween) {
  EXPECT_EQ(ToDeb822({}), "");
  const Stanzas stanzas = {MakeStanza({{"A", "1"}, {"B", ""}}), MakeStanza({{"C", "x\n y\n ."}})};
  EXPECT_EQ(ToDeb822(stanzas), "A: 1\nB:\n\nC: x\n y\n .\n");
}

TEST(InterchangeJsonTest, X007_StanzaWithoutFieldsIsWrittenButNotReadBack) {
  const Stanzas stanzas = {MakeStanza({{"A", "1"}}), deb822::Stanza()};
  EXPECT_EQ(ToJson(stanzas), "[\n{\"A\":\"1\"},\n{}\n]\n");
  EXPECT_EQ(ToNdjson(stanzas), "{\"A\":\"1\"}\n{}\n");
  EXPECT_EQ(ToCsv(stanzas), "A\r\n1\r\n\r\n");
  EXPECT_EQ(JsonError(ToJson(stanzas)),
            "in.json:3:1: error: empty object; expected a record with at least one field "
            "[X-014]");
  EXPECT_EQ(CsvError(ToCsv(stanzas)),
            "in.csv:3:1: error: record without fields: every cell is empty and unquoted "
            "(absent); expected at least one field [X-014]");
}

// ---------------------------------------------------------------------------------------------
// Round trips (format-spec/interchange.md, "Round trip")

TEST(InterchangeRoundTripTest, X001_X002_X003_ThroughEveryFormatToCanonicalDeb822) {
  const Stanzas stanzas = ParseDeb822(std::string(kCanonical));
  ASSERT_EQ(stanzas.size(), 3u);
  const std::vector<Pairs> expected = FieldsOf(stanzas);

  Result<Stanzas> json = FromJson(ToJson(stanzas), "rt.json");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(FieldsOf(*json), expected);
  EXPECT_EQ(ToDeb822(*json), kCanonical);

  Result<Stanzas> ndjson = FromNdjson(ToNdjson(stanzas), "rt.ndjson");
  ASSERT_TRUE(ndjson.ok()) << ndjson.status().ToString();
  EXPECT_EQ(FieldsOf(*ndjson), expected);
  EXPECT_EQ(ToDeb822(*ndjson), kCanonical);

  Result<Stanzas> csv = FromCsv(ToCsv(stanzas), "rt.csv");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(FieldsOf(*csv), expected);  // absent fields stay absent
  EXPECT_EQ(ToDeb822(*csv), kCanonical);
}

TEST(InterchangeRoundTripTest, X003_CsvOrdersFieldsByHeaderAndSpellsThemAsFirstSeen) {
  const Stanzas stanzas = {MakeStanza({{"A", "1"}, {"B", ""}}),
                           MakeStanza({{"c", "3"}, {"b", "2"}, {"a", "x\n y"}})};
  Result<Stanzas> csv = FromCsv(ToCsv(stanzas), "rt.csv");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(FieldsOf(*csv), (std::vector<Pairs>{{{"A", "1"}, {"B", ""}},
                                                {{"A", "x\n y"}, {"B", "2"}, {"c", "3"}}}));
}

// Random stanzas: names from a pool (case varied across stanzas), values from random lines with
// quotes, commas, backslashes, control characters, non-ASCII and " ." continuation lines.
Stanzas RandomStanzas(std::uint32_t seed, int count) {
  std::mt19937 rng(seed);
  const auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> names = {"Package", "Version", "Description", "Depends",
                                          "X-a,b",   "Q\"uote", "Files",       "Z"};
  const std::vector<std::string> atoms = {"a",
                                          "Z",
                                          " ",
                                          "\t",
                                          ",",
                                          "\"",
                                          "\\",
                                          "/",
                                          "\x01",
                                          "\x7f",
                                          "\xC3\xA9",
                                          "\xE2\x80\xA8",
                                          "\xF0\x9F\x98\x80",
                                          "{",
                                          "}",
                                          "[",
                                          ":",
                                          "#",
                                          "."};
  const auto word = [&](bool may_be_empty) {
    std::string text;
    const std::size_t length = pick(6) + (may_be_empty ? 0 : 1);
    for (std::size_t i = 0; i < length; ++i) text += atoms[pick(atoms.size())];
    // A raw value's lines neither start nor end with a blank [W-012, W-013, W-015].
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.erase(0, 1);
    return text;
  };
  Stanzas stanzas;
  for (int s = 0; s < count; ++s) {
    deb822::Stanza stanza;
    for (const std::string& base : names) {
      if (pick(3) == 0) continue;
      std::string name = base;
      if (pick(4) == 0) name[0] = static_cast<char>(name[0] ^ 0x20);  // case varies
      std::string value = word(true);
      for (std::size_t line = pick(4); line > 0; --line) {
        const std::string text = word(false);
        value += text.empty() ? "\n ." : "\n " + text;
      }
      Status status = stanza.SetRaw(name, value);
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
    if (stanza.empty()) {
      EXPECT_TRUE(stanza.SetRaw("Package", "p").ok());
    }
    stanzas.push_back(std::move(stanza));
  }
  return stanzas;
}

TEST(InterchangeRoundTripTest, X001_X002_X003_RandomStanzas) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(seed);
    const Stanzas stanzas = RandomStanzas(seed, 30);
    const std::vector<Pairs> expected = FieldsOf(stanzas);
    const std::string deb822 = ToDeb822(stanzas);
    EXPECT_EQ(FieldsOf(ParseDeb822(deb822)), expected);

    Result<Stanzas> json = FromJson(ToJson(stanzas), "rt.json");
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    EXPECT_EQ(FieldsOf(*json), expected);
    EXPECT_EQ(ToDeb822(*json), deb822);

    Result<Stanzas> ndjson = FromNdjson(ToNdjson(stanzas), "rt.ndjson");
    ASSERT_TRUE(ndjson.ok()) << ndjson.status().ToString();
    EXPECT_EQ(FieldsOf(*ndjson), expected);

    // CSV: same values per name (ignoring case), absent stays absent; writing again is stable.
    const std::string csv_text = ToCsv(stanzas);
    Result<Stanzas> csv = FromCsv(csv_text, "rt.csv");
    ASSERT_TRUE(csv.ok()) << csv.status().ToString();
    ASSERT_EQ(csv->size(), stanzas.size());
    for (std::size_t i = 0; i < stanzas.size(); ++i) {
      EXPECT_EQ((*csv)[i].size(), stanzas[i].size());
      for (const deb822::Field& field : stanzas[i].fields()) {
        EXPECT_EQ((*csv)[i].Get(field.name()), field.value());
      }
    }
    EXPECT_EQ(ToCsv(*csv), csv_text);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON reader: accepted input

TEST(InterchangeJsonTest, X020_AcceptsWhitespaceEverywhereAndEmptyArray) {
  Result<Stanzas> empty = FromJson(" \r\n\t[ \n ] \n", "in.json");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
  Result<Stanzas> stanzas =
      FromJson("\n[ {\r\n \"A\" :\t\"1\" , \"B\":\"\" }\n,{\"C\":\"3\"}]", "in.json");
  ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
  EXPECT_EQ(FieldsOf(*stanzas), (std::vector<Pairs>{{{"A", "1"}, {"B", ""}}, {{"C", "3"}}}));
}

TEST(InterchangeJsonTest, X021_DecodesEveryEscape) {
  Result<Stanzas> stanzas = FromJson(
      R"([{"N\u0061me":"\"\\\/\b\f\n \t\u00e9\u00E9\u20ac\ud83d\ude00\uD83D\uDE00"}])", "in.json");
  ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
  EXPECT_EQ(FieldsOf(*stanzas),
            (std::vector<Pairs>{{{"Name",
                                  "\"\\/\b\f\n \t\xC3\xA9\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
                                  "\xF0\x9F\x98\x80"}}}));
}

// ---------------------------------------------------------------------------------------------
// JSON reader: errors, with exact locations

TEST(InterchangeJsonTest, X020_BadToken) {
  EXPECT_EQ(JsonError("[{\"A\":\"1\"} x]"),
            "in.json:1:12: error: expected ',' or ']' after a record, found 'x' [X-020]");
  EXPECT_EQ(JsonError("[{\"A\" \"1\"}]"),
            "in.json:1:7: error: expected ':' after the member name, found '\"' [X-020]");
  EXPECT_EQ(JsonError("[{A:\"1\"}]"),
            "in.json:1:3: error: expected '\"' to start a member name, found 'A' [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\";}]"),
            "in.json:1:10: error: expected ',' or '}' after a member, found ';' [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":tru}]"),
            "in.json:1:7: error: expected a string value for member \"A\", found 't' [X-020]");
  EXPECT_EQ(JsonError("[]\n[]"),
            "in.json:2:1: error: expected end of input after the array, found '[' [X-020]");
}

TEST(InterchangeJsonTest, X020_TrailingCommas) {
  EXPECT_EQ(JsonError("[{\"A\":\"1\"},]"),
            "in.json:1:12: error: expected '{' to start a record after ',', found ']'; JSON does "
            "not allow a trailing comma [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\",}]"),
            "in.json:1:11: error: expected '\"' to start a member name after ',', found '}'; JSON "
            "does not allow a trailing comma [X-020]");
}

TEST(InterchangeJsonTest, X020_TruncatedInput) {
  EXPECT_EQ(JsonError(""),
            "in.json:1:1: error: expected '[' to start the array of records, found end of input "
            "[X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\""),
            "in.json:1:10: error: expected ',' or '}' after a member, found end of input [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\"}"),
            "in.json:1:11: error: expected ',' or ']' after a record, found end of input [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\"},\n"),
            "in.json:2:1: error: expected '{' to start a record, found end of input [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1"),
            "in.json:1:9: error: unexpected end of input inside a string; expected '\"' [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"\\"),
            "in.json:1:9: error: unexpected end of input after '\\'; expected an escape sequence "
            "[X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"\\u00"),
            "in.json:1:12: error: unexpected end of input inside a \\u escape; expected 4 hex "
            "digits [X-020]");
}

TEST(InterchangeJsonTest, X021_BadEscape) {
  EXPECT_EQ(JsonError("[{\"A\":\"x\\qy\"}]"),
            "in.json:1:9: error: invalid escape sequence: '\\' followed by 'q'; expected one of "
            "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX [X-021]");
  EXPECT_EQ(JsonError("[{\"A\":\"\\u12G4\"}]"),
            "in.json:1:12: error: expected 4 hex digits after \\u, found 'G' [X-021]");
}

TEST(InterchangeJsonTest, X021_LoneSurrogates) {
  EXPECT_EQ(JsonError("[{\"A\":\"ab\\uD83Dx\"}]"),
            "in.json:1:10: error: lone high surrogate \\uD83D; expected a low surrogate "
            "\\uDC00..\\uDFFF to follow it [X-021]");
  EXPECT_EQ(JsonError("[{\"A\":\"\\ud83d\\u0041\"}]"),
            "in.json:1:8: error: lone high surrogate \\ud83d; expected a low surrogate "
            "\\uDC00..\\uDFFF to follow it [X-021]");
  EXPECT_EQ(JsonError("[{\"A\":\"\\uDE00\"}]"),
            "in.json:1:8: error: lone low surrogate \\uDE00; expected it only after a high "
            "surrogate \\uD800..\\uDBFF [X-021]");
}

TEST(InterchangeJsonTest, X021_UnescapedControlCharacter) {
  EXPECT_EQ(JsonError("[{\"A\":\"a\tb\"}]"),
            "in.json:1:9: error: unescaped control character U+0009 in a string; expected \\t "
            "[X-021]");
  EXPECT_EQ(JsonError("[{\"A\":\"a\nb\"}]"),
            "in.json:1:9: error: unescaped control character U+000A in a string; expected \\n "
            "[X-021]");
  EXPECT_EQ(JsonError(std::string_view("[{\"A\":\"\0\"}]", 11)),
            "in.json:1:8: error: unescaped control character U+0000 in a string; expected "
            "\\u0000 [X-021]");
}

TEST(InterchangeJsonTest, X022_NonStringValues) {
  EXPECT_EQ(JsonError("[{\"Size\":12}]"),
            "in.json:1:10: error: value of member \"Size\" is a number; expected a JSON string "
            "(the raw field value) [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\",\"B\": -1.5e3}]"),
            "in.json:1:16: error: value of member \"B\" is a number; expected a JSON string (the "
            "raw field value) [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":true}]"),
            "in.json:1:7: error: value of member \"A\" is true; expected a JSON string (the raw "
            "field value) [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":null}]"),
            "in.json:1:7: error: value of member \"A\" is null; expected a JSON string (the raw "
            "field value) [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":[\"x\"]}]"),
            "in.json:1:7: error: value of member \"A\" is an array; expected a JSON string (the "
            "raw field value) [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":{}}]"),
            "in.json:1:7: error: value of member \"A\" is an object; expected a JSON string (the "
            "raw field value) [X-022]");
}

TEST(InterchangeJsonTest, X022_TopLevelMustBeArrayOfObjects) {
  EXPECT_EQ(JsonError("{\"A\":\"1\"}"),
            "in.json:1:1: error: expected '[' to start the array of records, found an object "
            "[X-022]");
  EXPECT_EQ(JsonError("[\"A\"]"),
            "in.json:1:2: error: expected '{' to start a record or ']' to end the array, found a "
            "string [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\"}, false]"),
            "in.json:1:13: error: expected '{' to start a record, found false [X-022]");
}

TEST(InterchangeJsonTest, X022_DeepNestingFailsInBoundedStack) {
  EXPECT_EQ(JsonError(std::string(1000000, '[')),
            "in.json:1:2: error: expected '{' to start a record or ']' to end the array, found "
            "an array [X-022]");
  EXPECT_EQ(JsonError("[{\"A\":" + std::string(1000000, '[')),
            "in.json:1:7: error: value of member \"A\" is an array; expected a JSON string (the "
            "raw field value) [X-022]");
  EXPECT_EQ(NdjsonError(std::string(1000000, '{')),
            "in.ndjson:1:2: error: expected '\"' to start a member name, found '{' [X-020]");
}

TEST(InterchangeJsonTest, X010_InvalidUtf8) {
  EXPECT_EQ(JsonError("[{\"A\":\"\xC3\xA9\xFF\"}]"),
            "in.json:1:9: error: invalid UTF-8 byte 0xFF; expected UTF-8 text [X-010]");
  EXPECT_EQ(JsonError("[{\"A\":\"\xED\xA0\x80\"}]"),  // an encoded surrogate
            "in.json:1:8: error: invalid UTF-8 byte 0xED; expected UTF-8 text [X-010]");
  EXPECT_EQ(JsonError("[\xC0\xAF]"),
            "in.json:1:2: error: invalid UTF-8 byte 0xC0; expected UTF-8 text [X-010]");
  EXPECT_EQ(JsonError("\xEF\xBB\xBF[]"),
            "in.json:1:1: error: byte-order mark; expected JSON text without one (RFC 8259 8.1) "
            "[X-010]");
}

TEST(InterchangeJsonTest, X016_ColumnsCountCodePoints) {
  // "é" and "😀" are one column each; the error is at the 'x' in column 13.
  EXPECT_EQ(JsonError("[{\"A\":\"\xC3\xA9\xF0\x9F\x98\x80\"} x]"),
            "in.json:1:13: error: expected ',' or ']' after a record, found 'x' [X-020]");
  EXPECT_EQ(JsonError("[{\"A\":\"1\"} \xC3\xA9]"),
            "in.json:1:12: error: expected ',' or ']' after a record, found '\xC3\xA9' (U+00E9) "
            "[X-020]");
}

TEST(InterchangeJsonTest, X011_InvalidFieldName) {
  EXPECT_EQ(JsonError("[\n  {\"Package\":\"a\", \"Bad Name\":\"b\"}\n]"),
            "in.json:2:19: error: invalid field name \"Bad Name\": expected one or more US-ASCII "
            "characters '!' to '~' other than ':', not starting with '-' or '#' "
            "[X-011, F-021, F-022]");
  EXPECT_EQ(JsonError("[{\"\":\"b\"}]"),
            "in.json:1:3: error: invalid field name \"\": expected one or more US-ASCII "
            "characters '!' to '~' other than ':', not starting with '-' or '#' "
            "[X-011, F-021, F-022]");
  EXPECT_EQ(JsonError("[{\"a\\nb\":\"b\"}]"),
            "in.json:1:3: error: invalid field name \"a\\nb\": expected one or more US-ASCII "
            "characters '!' to '~' other than ':', not starting with '-' or '#' "
            "[X-011, F-021, F-022]");
}

TEST(InterchangeJsonTest, X012_UnrepresentableValue) {
  EXPECT_EQ(JsonError("[{\"A\":\"1\",\n  \"Description\": \"x\\ny\"}]"),
            "in.json:2:18: error: value of field \"Description\" cannot be written as deb822: its "
            "line 2 does not start with a space or tab, so it would not read back as a "
            "continuation line [X-012, W-015]");
  EXPECT_EQ(JsonError("[{\"A\":\" x\"}]"),
            "in.json:1:7: error: value of field \"A\" cannot be written as deb822: it starts with "
            "a space or tab, which reading strips [X-012, W-012]");
  EXPECT_EQ(JsonError("[{\"A\":\"x\\t\"}]"),
            "in.json:1:7: error: value of field \"A\" cannot be written as deb822: it ends with "
            "a space or tab, which reading strips [X-012, W-013]");
  const std::string cr = JsonError("[{\"A\":\"x\\r\\ny\"}]");
  EXPECT_TRUE(
      cr.starts_with("in.json:1:7: error: value of field \"A\" cannot be written as "
                     "deb822: byte 1 is not allowed in a field value"))
      << cr;
  EXPECT_TRUE(cr.ends_with("[X-012, W-011]")) << cr;
}

TEST(InterchangeJsonTest, X013_DuplicateMemberIgnoringCase) {
  EXPECT_EQ(JsonError("[{\"Package\":\"a\"},\n {\"Package\":\"a\",\"package\":\"b\"}]"),
            "in.json:2:17: error: duplicate member \"package\": the record already has field "
            "\"Package\" (field names ignore ASCII case) [X-013]");
  EXPECT_EQ(JsonError("[{\"Package\":\"a\",\"P\\u0061ckage\":\"b\"}]"),
            "in.json:1:17: error: duplicate member \"Package\": the record already has field "
            "\"Package\" (field names ignore ASCII case) [X-013]");
}

TEST(InterchangeJsonTest, X014_EmptyObject) {
  EXPECT_EQ(JsonError("[{\"A\":\"1\"}, { }]"),
            "in.json:1:13: error: empty object; expected a record with at least one field "
            "[X-014]");
}

TEST(InterchangeJsonTest, X015_TooManyFields) {
  std::string text = "[{";
  for (int i = 0; i <= 1000; ++i) text += (i > 0 ? ",\"F" : "\"F") + std::to_string(i) + "\":\"\"";
  text += "}]";
  const std::size_t column = text.find("\"F1000\"") + 1;
  EXPECT_EQ(JsonError(text), "in.json:1:" + std::to_string(column) +
                                 ": error: record has more than 1000 fields; expected at most "
                                 "1000 [X-015]");
  // A single object of a million members fails fast at member 1001.
  std::string huge = "[{";
  for (int i = 0; i < 1000000; ++i)
    huge += (i > 0 ? ",\"F" : "\"F") + std::to_string(i) + "\":\"\"";
  huge += "}]";
  EXPECT_NE(JsonError(huge).find("[X-015]"), std::string::npos);
}

TEST(InterchangeJsonTest, X016_FileNameIsUsedVerbatim) {
  EXPECT_EQ(ErrorOf(FromJson("", "dir/my file.json")),
            "dir/my file.json:1:1: error: expected '[' to start the array of records, found end "
            "of input [X-020]");
}

// ---------------------------------------------------------------------------------------------
// NDJSON reader [X-023]

TEST(InterchangeNdjsonTest, X023_FinalNewlineOptionalAndCrlfAccepted) {
  for (std::string_view text : {"{\"A\":\"1\"}\n{\"B\":\"2\"}", "{\"A\":\"1\"}\n{\"B\":\"2\"}\n",
                                "{\"A\":\"1\"}\r\n {\"B\":\"2\"} \r\n"}) {
    Result<Stanzas> stanzas = FromNdjson(text, "in.ndjson");
    ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
    EXPECT_EQ(FieldsOf(*stanzas), (std::vector<Pairs>{{{"A", "1"}}, {{"B", "2"}}}));
  }
  Result<Stanzas> empty = FromNdjson("", "in.ndjson");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(InterchangeNdjsonTest, X023_BlankLinesAreErrors) {
  const std::string expected_suffix =
      "error: blank line; expected a JSON object (NDJSON has exactly one record on every line) "
      "[X-023]";
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"}\n\n{\"B\":\"2\"}\n"), "in.ndjson:2:1: " + expected_suffix);
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"}\n\n"), "in.ndjson:2:1: " + expected_suffix);
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"}\n \t"), "in.ndjson:2:1: " + expected_suffix);
  EXPECT_EQ(NdjsonError("\n"), "in.ndjson:1:1: " + expected_suffix);
}

TEST(InterchangeNdjsonTest, X023_OneObjectPerLine) {
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"} {\"B\":\"2\"}\n"),
            "in.ndjson:1:11: error: expected end of line after the record, found '{' [X-023]");
  EXPECT_EQ(NdjsonError("{\"A\":\n\"1\"}\n"),
            "in.ndjson:1:6: error: expected a string value for member \"A\", found end of line; "
            "an NDJSON record must be on one line [X-023]");
  EXPECT_EQ(NdjsonError("{\"A\":\"1\n\"}\n"),
            "in.ndjson:1:8: error: end of line inside a string; expected '\"' (an NDJSON record "
            "must be on one line; a line feed in a value is written \\n) [X-023]");
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"}\n[{\"B\":\"2\"}]\n"),
            "in.ndjson:2:1: error: expected '{' to start a record, found an array [X-023]");
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"}\n{\"B\":\"2\"\n"),
            "in.ndjson:2:9: error: expected ',' or '}' after a member, found end of line; an "
            "NDJSON record must be on one line [X-023]");
}

TEST(InterchangeNdjsonTest, X020_TruncatedLastLine) {
  EXPECT_EQ(NdjsonError("{\"A\":\"1\"}\n{\"B\":\"2\""),
            "in.ndjson:2:9: error: expected ',' or '}' after a member, found end of input "
            "[X-020]");
}

// ---------------------------------------------------------------------------------------------
// CSV reader

TEST(InterchangeCsvTest, X033_UnquotedEmptyIsAbsentQuotedEmptyIsEmpty) {
  Result<Stanzas> stanzas = FromCsv("A,B,C\r\n1,,\"\"\r\n,\"x\",3", "in.csv");
  ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
  EXPECT_EQ(FieldsOf(*stanzas),
            (std::vector<Pairs>{{{"A", "1"}, {"C", ""}}, {{"B", "x"}, {"C", "3"}}}));
}

TEST(InterchangeCsvTest, X030_AcceptsLfAndCrlfRecordEndsAndQuotedLineBreaks) {
  Result<Stanzas> stanzas =
      FromCsv("\"A\",B\n\"x\n y\r\n .\",\"say \"\"hi\"\"\"\r\nz,\"a,b\"\n", "in.csv");
  ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
  // [X-033]: CRLF inside a quoted cell reads as LF.
  EXPECT_EQ(FieldsOf(*stanzas), (std::vector<Pairs>{{{"A", "x\n y\n ."}, {"B", "say \"hi\""}},
                                                    {{"A", "z"}, {"B", "a,b"}}}));
}

TEST(InterchangeCsvTest, X031_EmptyInputAndHeaderOnly) {
  for (std::string_view text : {"", "\xEF\xBB\xBF", "A,B", "A,B\r\n",
                                "\xEF\xBB\xBF"
                                "A,B\n"}) {
    Result<Stanzas> stanzas = FromCsv(text, "in.csv");
    ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
    EXPECT_TRUE(stanzas->empty());
  }
}

TEST(InterchangeCsvTest, X010_ByteOrderMarkIsSkipped) {
  Result<Stanzas> stanzas = FromCsv("\xEF\xBB\xBFPackage\r\nhello\r\n", "in.csv");
  ASSERT_TRUE(stanzas.ok()) << stanzas.status().ToString();
  EXPECT_EQ(FieldsOf(*stanzas), (std::vector<Pairs>{{{"Package", "hello"}}}));
  // Columns count from after the mark.
  EXPECT_EQ(CsvError("\xEF\xBB\xBF"
                     "A,\"B\r\n"),
            "in.csv:1:3: error: quoted cell is not closed; expected '\"' before the end of input "
            "[X-030]");
}

TEST(InterchangeCsvTest, X032_WrongCellCount) {
  EXPECT_EQ(CsvError("A,B,C\r\n1,2,3\r\n1,2\r\n"),
            "in.csv:3:4: error: record has 2 cells; expected 3, one per header column [X-032]");
  EXPECT_EQ(CsvError("A,B\r\n1,2,3\r\n"),
            "in.csv:2:5: error: record has more than 2 cells; expected 2, one per header column "
            "[X-032]");
  EXPECT_EQ(CsvError("A,B\r\n1,2\r\n\r\n"),
            "in.csv:3:1: error: record has 1 cell; expected 2, one per header column [X-032]");
}

TEST(InterchangeCsvTest, X030_UnterminatedQuote) {
  EXPECT_EQ(CsvError("A,B\r\n1,\"never\r\nclosed\r\n"),
            "in.csv:2:3: error: quoted cell is not closed; expected '\"' before the end of input "
            "[X-030]");
}

TEST(InterchangeCsvTest, X030_QuoteErrors) {
  EXPECT_EQ(CsvError("A\r\nsay \"hi\"\r\n"),
            "in.csv:2:5: error: '\"' inside an unquoted cell; expected the whole cell in quotes, "
            "with each '\"' written '\"\"' [X-030]");
  EXPECT_EQ(CsvError("A,B\r\n\"x\"y,2\r\n"),
            "in.csv:2:4: error: expected ',' or the end of the record after the closing quote, "
            "found 'y' [X-030]");
  EXPECT_EQ(CsvError("A\r\nx\ry\r\n"),
            "in.csv:2:2: error: carriage return not followed by a line feed; expected CRLF or LF "
            "to end the record, or the cell in quotes [X-030]");
}

TEST(InterchangeCsvTest, X010_InvalidUtf8) {
  EXPECT_EQ(CsvError("A,B\r\n\xC3\xA9,\xE2\x82\r\n"),
            "in.csv:2:3: error: invalid UTF-8 byte 0xE2; expected UTF-8 text [X-010]");
  EXPECT_EQ(CsvError("A\r\n\"\xC3\xA9\xF8\"\r\n"),
            "in.csv:2:3: error: invalid UTF-8 byte 0xF8; expected UTF-8 text [X-010]");
}

TEST(InterchangeCsvTest, X011_InvalidHeaderName) {
  EXPECT_EQ(CsvError("Package,,Version\r\n"),
            "in.csv:1:9: error: invalid field name \"\": expected one or more US-ASCII characters "
            "'!' to '~' other than ':', not starting with '-' or '#' [X-011, F-021, F-022]");
  EXPECT_EQ(CsvError("Package,\"Na:me\"\r\n"),
            "in.csv:1:9: error: invalid field name \"Na:me\": expected one or more US-ASCII "
            "characters '!' to '~' other than ':', not starting with '-' or '#' "
            "[X-011, F-021, F-022]");
}

TEST(InterchangeCsvTest, X013_DuplicateHeaderIgnoringCase) {
  EXPECT_EQ(CsvError("Package,Version,PACKAGE\r\n"),
            "in.csv:1:17: error: duplicate column \"PACKAGE\": the header already has "
            "\"Package\" (field names ignore ASCII case) [X-013]");
}

TEST(InterchangeCsvTest, X012_UnrepresentableValue) {
  EXPECT_EQ(CsvError("A,Description\r\n1,\"x\ny\"\r\n"),
            "in.csv:2:3: error: value of field \"Description\" cannot be written as deb822: its "
            "line 2 does not start with a space or tab, so it would not read back as a "
            "continuation line [X-012, W-015]");
  EXPECT_EQ(CsvError("A\r\n x\r\n"),
            "in.csv:2:1: error: value of field \"A\" cannot be written as deb822: it starts with "
            "a space or tab, which reading strips [X-012, W-012]");
}

TEST(InterchangeCsvTest, X014_RecordWithoutFields) {
  EXPECT_EQ(CsvError("A,B\r\n1,2\r\n,\r\n"),
            "in.csv:3:1: error: record without fields: every cell is empty and unquoted "
            "(absent); expected at least one field [X-014]");
  EXPECT_EQ(CsvError("A\r\n1\r\n\r\n"),
            "in.csv:3:1: error: record without fields: every cell is empty and unquoted "
            "(absent); expected at least one field [X-014]");
}

TEST(InterchangeCsvTest, X015_TooManyColumns) {
  std::string header;
  for (int i = 0; i <= 1000; ++i) header += (i > 0 ? ",F" : "F") + std::to_string(i);
  const std::size_t column = header.find("F1000") + 1;
  EXPECT_EQ(CsvError(header), "in.csv:1:" + std::to_string(column) +
                                  ": error: header has more than 1000 columns; expected at most "
                                  "1000 [X-015]");
}

}  // namespace
}  // namespace textdb::interchange
