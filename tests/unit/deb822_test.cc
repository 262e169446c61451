// Tests for the deb822 reader and writer (include/textdb/deb822.h). Each test names the rule of
// format-spec/deb822.md it checks.
#include "textdb/deb822.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace textdb::deb822 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ParseOptions Options(Profile profile = Profile::kStrict, bool strip = false) {
  ParseOptions options;
  options.profile = profile;
  options.strip_signature = strip;
  options.file_name = "in.txt";
  return options;
}

Document MustParse(std::string text, Profile profile = Profile::kStrict) {
  Result<Document> doc = Parse(std::move(text), Options(profile));
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return doc.ok() ? std::move(doc).value() : Document();
}

// The error message of a failed strict (or `profile`) parse; "" when it succeeded.
std::string ErrorOf(std::string text, Profile profile = Profile::kStrict) {
  Result<Document> doc = Parse(std::move(text), Options(profile));
  return doc.ok() ? "" : doc.status().message();
}

std::vector<std::pair<std::string, std::string>> FieldsOf(const Stanza& stanza) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Field& field : stanza.fields()) {
    out.emplace_back(std::string(field.name()), std::string(field.value()));
  }
  return out;
}

using FieldList = std::vector<std::pair<std::string, std::string>>;

// ---------------------------------------------------------------------------------------------
// Encoding

TEST(Deb822EncodingTest, F001_InvalidUtf8IsLocatedByCodePointColumn) {
  EXPECT_EQ(ErrorOf("A: 1\nB: \xC3\xA9\xC3\xA9\xFF\n"),
            "in.txt:2:6: error: invalid UTF-8 byte sequence; deb822 text must be valid UTF-8 "
            "[F-001]");
}

TEST(Deb822EncodingTest, F001_RejectsOverlongSurrogateOutOfRangeTruncatedAndStray) {
  for (const char* bad : {"A: \xC0\xAF\n", "A: \xE0\x80\xAF\n", "A: \xED\xA0\x80\n",
                          "A: \xF4\x90\x80\x80\n", "A: \xE2\x82", "A: \x80\n", "A: \xF8\x88\n"}) {
    EXPECT_THAT(ErrorOf(bad), HasSubstr("in.txt:1:4: error: invalid UTF-8")) << bad;
  }
}

TEST(Deb822EncodingTest, F001_AcceptsMultibyteText) {
  Document doc = MustParse("Name: \xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E\n");
  EXPECT_EQ(doc.stanzas()[0].Get("Name"), "\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E");
}

TEST(Deb822EncodingTest, F002_NulByte) {
  EXPECT_EQ(ErrorOf(std::string("A: 1\nB: x\0y\n", 12)),
            "in.txt:2:5: error: NUL byte; deb822 text must not contain NUL bytes [F-002]");
}

TEST(Deb822EncodingTest, F003_StrictRejectsCarriageReturn) {
  EXPECT_THAT(ErrorOf("A: 1\r\n"), HasSubstr("in.txt:1:5: error: carriage return"));
  EXPECT_THAT(ErrorOf("A: 1\r\n"), HasSubstr("[F-003]"));
}

TEST(Deb822EncodingTest, F003_CompatReadsCrlfAsLf) {
  Document doc = MustParse("A: 1\r\nB: two\r\n more\r\n\r\nC: 3\r\n", Profile::kCompat);
  ASSERT_EQ(doc.stanzas().size(), 2u);
  EXPECT_EQ(FieldsOf(doc.stanzas()[0]), (FieldList{{"A", "1"}, {"B", "two\n more"}}));
  EXPECT_EQ(FieldsOf(doc.stanzas()[1]), (FieldList{{"C", "3"}}));
  EXPECT_EQ(doc.Write(), "A: 1\r\nB: two\r\n more\r\n\r\nC: 3\r\n");  // lossless [L-001]
  EXPECT_EQ(doc.WriteCanonical(), "A: 1\nB: two\n more\n\nC: 3\n");
}

TEST(Deb822EncodingTest, F003_CompatRejectsLoneCarriageReturn) {
  EXPECT_THAT(ErrorOf("A: 1\rB: 2\n", Profile::kCompat),
              HasSubstr("in.txt:1:5: error: carriage return not followed by a line feed"));
}

TEST(Deb822EncodingTest, F004_StrictRejectsByteOrderMark) {
  EXPECT_THAT(ErrorOf("\xEF\xBB\xBF"
                      "A: 1\n"),
              HasSubstr("in.txt:1:1: error: byte-order mark"));
}

TEST(Deb822EncodingTest, F004_CompatSkipsByteOrderMark) {
  const std::string text =
      "\xEF\xBB\xBF"
      "A: 1\n";
  Document doc = MustParse(text, Profile::kCompat);
  EXPECT_EQ(FieldsOf(doc.stanzas()[0]), (FieldList{{"A", "1"}}));
  EXPECT_EQ(doc.Write(), text);
  EXPECT_EQ(doc.WriteCanonical(), "A: 1\n");
}

TEST(Deb822EncodingTest, OnlySpaceAndTabAreWhitespace) {
  Document doc = MustParse("A:\v1\f\nB: \xC2\xA0x\n");
  EXPECT_EQ(doc.stanzas()[0].Get("A"), "\v1\f");
  EXPECT_EQ(doc.stanzas()[0].Get("B"), "\xC2\xA0x");
}

// ---------------------------------------------------------------------------------------------
// Lines and paragraphs

TEST(Deb822SyntaxTest, F010_MissingFinalNewlineIsAccepted) {
  Document doc = MustParse("A: 1\nB: 2");
  EXPECT_EQ(FieldsOf(doc.stanzas()[0]), (FieldList{{"A", "1"}, {"B", "2"}}));
  EXPECT_EQ(doc.Write(), "A: 1\nB: 2");
  EXPECT_EQ(doc.WriteCanonical(), "A: 1\nB: 2\n");
}

TEST(Deb822SyntaxTest, F011_EmptyLinesSeparateStanzasAndMakeNone) {
  EXPECT_TRUE(MustParse("").stanzas().empty());
  EXPECT_TRUE(MustParse("\n\n\n").stanzas().empty());
  Document doc = MustParse("\n\nA: 1\n\n\n\nB: 2\n\n");
  ASSERT_EQ(doc.stanzas().size(), 2u);
  EXPECT_EQ(doc.stanzas()[0].line(), 3u);
  EXPECT_EQ(doc.stanzas()[1].line(), 7u);
  EXPECT_EQ(doc.Write(), "\n\nA: 1\n\n\n\nB: 2\n\n");
  EXPECT_EQ(doc.WriteCanonical(), "A: 1\n\nB: 2\n");
}

TEST(Deb822SyntaxTest, F012_StrictRejectsWhitespaceOnlyLine) {
  EXPECT_EQ(ErrorOf("A: 1\n \t\nB: 2\n"),
            "in.txt:2:1: error: whitespace-only line; expected an empty line without spaces or "
            "tabs (the compat profile accepts this as a stanza separator) [F-012]");
}

TEST(Deb822SyntaxTest, F012_CompatTreatsWhitespaceOnlyLineAsSeparator) {
  Document doc = MustParse("A: 1\n \t\nB: 2\n", Profile::kCompat);
  ASSERT_EQ(doc.stanzas().size(), 2u);
  EXPECT_EQ(doc.Write(), "A: 1\n \t\nB: 2\n");
  EXPECT_EQ(doc.WriteCanonical(), "A: 1\n\nB: 2\n");
}

TEST(Deb822SyntaxTest, F013_CommentsArePreservedAndDoNotEndAField) {
  const std::string text = "# head\nA: one\n# inside\n two\n# after\nB: 2\n";
  Document doc = MustParse(text);
  ASSERT_EQ(doc.stanzas().size(), 1u);
  const Stanza& s = doc.stanzas()[0];
  EXPECT_EQ(FieldsOf(s), (FieldList{{"A", "one\n two"}, {"B", "2"}}));
  std::vector<std::string> comments;
  for (const Comment& c : s.Comments()) comments.emplace_back(c.text);
  EXPECT_THAT(comments, ElementsAre("# head", "# inside", "# after"));
  EXPECT_EQ(s.line(), 1u);
  EXPECT_EQ(s.fields()[0].line(), 2u);
  EXPECT_EQ(doc.Write(), text);
  EXPECT_EQ(doc.WriteCanonical(), text);
}

TEST(Deb822SyntaxTest, F014_CommentOnlyParagraphMakesNoStanza) {
  const std::string text = "# header\n# more\n\nA: 1\n\n# between\n\nB: 2\n\n# end\n";
  Document doc = MustParse(text);
  ASSERT_EQ(doc.stanzas().size(), 2u);
  EXPECT_TRUE(doc.stanzas()[0].Comments().empty());
  EXPECT_EQ(doc.Write(), text);
  EXPECT_EQ(doc.WriteCanonical(), text);
}

// ---------------------------------------------------------------------------------------------
// Fields

TEST(Deb822SyntaxTest, F020_LineWithoutColon) {
  EXPECT_EQ(ErrorOf("A: 1\nnocolon\n"),
            "in.txt:2:1: error: line is not a field: expected 'Name: value', a continuation "
            "line starting with a space or tab, a comment starting with '#', or an empty line "
            "[F-020]");
}

TEST(Deb822SyntaxTest, F021_InvalidNameCharacters) {
  EXPECT_EQ(ErrorOf("A: 1\nBad Name: 2\n"),
            "in.txt:2:4: error: invalid character byte 0x20 in field name; expected US-ASCII "
            "characters '!' to '~' other than ':', with no spaces [F-021]");
  EXPECT_THAT(ErrorOf("N\xC3\xA9: 1\n"), HasSubstr("in.txt:1:2: error: invalid character byte "
                                                   "0xC3 in field name"));
  EXPECT_EQ(ErrorOf(": 1\n"),
            "in.txt:1:1: error: empty field name; expected a name before ':' "
            "[F-021]");
}

TEST(Deb822SyntaxTest, F021_AcceptsAllPrintableAsciiNames) {
  Document doc = MustParse("!\"$%&'()*+,./09;<=>?@AZ[\\]^_`az{|}~-#: x\n");
  EXPECT_EQ(doc.stanzas()[0].fields()[0].name(), "!\"$%&'()*+,./09;<=>?@AZ[\\]^_`az{|}~-#");
}

TEST(Deb822SyntaxTest, F022_NameStartingWithDash) {
  EXPECT_THAT(ErrorOf("-A: 1\n"), HasSubstr("in.txt:1:1: error: field name starts with '-'"));
  EXPECT_THAT(ErrorOf("-----BEGIN PGP SIGNED MESSAGE-----\n"),
              HasSubstr("OpenPGP armour; a signed file needs the compat profile"));
}

TEST(Deb822SyntaxTest, F023_WhitespaceBeforeColon) {
  EXPECT_THAT(ErrorOf("Name \t: 1\n"), HasSubstr("in.txt:1:5: error: whitespace before ':'"));
  Document doc = MustParse("Name \t: 1\n", Profile::kCompat);
  EXPECT_EQ(FieldsOf(doc.stanzas()[0]), (FieldList{{"Name", "1"}}));
  EXPECT_EQ(doc.WriteCanonical(), "Name: 1\n");
}

TEST(Deb822SyntaxTest, F024_NamesAreCaseInsensitiveAndSpellingIsKept) {
  Document doc = MustParse("Package: zsh\nInstalled-Size: 10\n");
  const Stanza& s = doc.stanzas()[0];
  ASSERT_NE(s.Find("PACKAGE"), nullptr);
  EXPECT_EQ(s.Find("installed-size")->name(), "Installed-Size");
  EXPECT_TRUE(s.fields()[0].Is("pAcKaGe"));
  EXPECT_EQ(s.Find("Packages"), nullptr);
  EXPECT_EQ(s.Get("nope"), std::nullopt);
}

TEST(Deb822SyntaxTest, F024_DuplicateFieldNamesBothLines) {
  EXPECT_EQ(ErrorOf("Package: a\nVersion: 1\npackage: b\n"),
            "in.txt:3:1: error: duplicate field 'package' (first at line 1); field names are "
            "compared without regard to case and must be unique in a stanza [F-024]");
  // The same name in different stanzas is fine.
  EXPECT_EQ(MustParse("A: 1\n\nA: 2\n").stanzas().size(), 2u);
}

TEST(Deb822SyntaxTest, F025_ContinuationOutsideAField) {
  EXPECT_THAT(ErrorOf(" lost\n"), HasSubstr("in.txt:1:1: error: continuation line outside a "
                                            "field"));
  EXPECT_THAT(ErrorOf("A: 1\n\n# c\n\tlost\n"),
              HasSubstr("in.txt:4:1: error: continuation line outside a field"));
}

TEST(Deb822SyntaxTest, F026_MergeConflictMarkers) {
  for (const char* marker : {"<<<<<<< ours", "=======", ">>>>>>> theirs", "||||||| base",
                             "<<<<<<<<<< long marker", "<<<<<<<"}) {
    SCOPED_TRACE(marker);
    EXPECT_THAT(ErrorOf(std::string("A: 1\n") + marker + "\nB: 2\n"),
                HasSubstr("in.txt:2:1: error: unresolved merge conflict marker"));
    EXPECT_THAT(ErrorOf(std::string("A: 1\n") + marker + "\nB: 2\n"), HasSubstr("[F-026]"));
  }
  // Six characters, or a seventh that is not a space, is no marker: the usual error.
  for (const char* line : {"<<<<<< six", "=======x", ">>>>>>>>x"}) {
    SCOPED_TRACE(line);
    EXPECT_THAT(ErrorOf(std::string("A: 1\n") + line + "\n"), HasSubstr("[F-020]"));
  }
  EXPECT_EQ(ErrorOf("=======:value\n"), "");  // a field named "=======" is valid
}

// ---------------------------------------------------------------------------------------------
// The value model

TEST(Deb822ValueTest, F030_RawValueMatchesDpkg) {
  Document doc = MustParse(
      "A:   x  \n  y \n\tz  \n"
      "B:\n b\n"
      "C:  \t \n  c\n"
      "D: plain\n");
  EXPECT_EQ(FieldsOf(doc.stanzas()[0]),
            (FieldList{{"A", "x  \n  y \n\tz"}, {"B", "\n b"}, {"C", "\n  c"}, {"D", "plain"}}));
}

TEST(Deb822ValueTest, F030_CommentLinesAreNotPartOfTheValue) {
  Document doc = MustParse("A: 1\n# c1\n 2\n# c2\n# c3\n 3  \n");
  EXPECT_EQ(doc.stanzas()[0].Get("A"), "1\n 2\n 3");
}

TEST(Deb822ValueTest, F031_LinesView) {
  Document doc = MustParse("A: first\n second\n .\n  indented\n\t\ttab\n ..\n");
  EXPECT_THAT(doc.stanzas()[0].fields()[0].Lines(),
              ElementsAre("first", "second", "", " indented", "\ttab", ".."));
  Document empty = MustParse("A:\n");
  EXPECT_THAT(empty.stanzas()[0].fields()[0].Lines(), ElementsAre(""));
}

TEST(Deb822ValueTest, F032_FoldedView) {
  Document doc = MustParse("Tag: a,  b,\n  c,\td\n .\n e\n");
  EXPECT_EQ(doc.stanzas()[0].fields()[0].Folded(), "a, b, c, d . e");
}

TEST(Deb822ValueTest, F033_EmptyValues) {
  Document doc = MustParse("A:\nB:    \nC: x\n");
  EXPECT_EQ(FieldsOf(doc.stanzas()[0]), (FieldList{{"A", ""}, {"B", ""}, {"C", "x"}}));
  EXPECT_EQ(doc.WriteCanonical(), "A:\nB:\nC: x\n");
}

// ---------------------------------------------------------------------------------------------
// Signatures

const char kSigned[] =
    "-----BEGIN PGP SIGNED MESSAGE-----\n"
    "Hash: SHA256\n"
    "\n"
    "Source: hello\n"
    "Version: 2.10-3\n"
    "-----BEGIN PGP SIGNATURE-----\n"
    "\n"
    "iQIzBAEBCAAdFiEE\n"
    "-----END PGP SIGNATURE-----\n";

TEST(Deb822SignatureTest, F042_StripsArmourWhenAsked) {
  Result<Document> doc = Parse(kSigned, Options(Profile::kCompat, /*strip=*/true));
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_TRUE(doc->signature_stripped());
  ASSERT_EQ(doc->stanzas().size(), 1u);
  EXPECT_EQ(doc->stanzas()[0].line(), 4u);
  EXPECT_EQ(FieldsOf(doc->stanzas()[0]), (FieldList{{"Source", "hello"}, {"Version", "2.10-3"}}));
  EXPECT_EQ(doc->Write(), "Source: hello\nVersion: 2.10-3\n");
}

TEST(Deb822SignatureTest, F042_UnsignedInputIsParsedWhole) {
  Result<Document> doc = Parse("A: 1\n", Options(Profile::kCompat, /*strip=*/true));
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->signature_stripped());
  EXPECT_EQ(doc->Write(), "A: 1\n");
}

TEST(Deb822SignatureTest, F042_MalformedArmours) {
  const ParseOptions compat = Options(Profile::kCompat, true);
  const std::string text = kSigned;
  const std::string no_sig = text.substr(0, text.find("-----BEGIN PGP SIGNATURE"));
  EXPECT_THAT(Parse(no_sig, compat).status().message(),
              HasSubstr("without '-----BEGIN PGP SIGNATURE-----'"));
  const std::string no_end = text.substr(0, text.find("-----END"));
  EXPECT_THAT(Parse(no_end, compat).status().message(),
              HasSubstr("without '-----END PGP SIGNATURE-----'"));
  EXPECT_THAT(Parse(text + "X: 1\n", compat).status().message(),
              HasSubstr("text after the OpenPGP signature [F-042]"));
  EXPECT_THAT(
      Parse("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n", compat).status().message(),
      HasSubstr("without an empty line after its headers"));
  EXPECT_EQ(Parse(text + "\n\n", compat).status().ok(), true);
}

TEST(Deb822SignatureTest, F042_StrictProfileCannotStrip) {
  Result<Document> doc = Parse(kSigned, Options(Profile::kStrict, true));
  EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Limits

TEST(Deb822LimitTest, F050_InputLargerThan4GiBIsRejected) {
  if (sizeof(std::size_t) <= 4) GTEST_SKIP() << "cannot build such an input here";
  std::string huge(kMaxInputBytes + 1, 'a');
  Result<Document> doc = Parse(std::move(huge), Options());
  EXPECT_EQ(doc.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(doc.status().message(), HasSubstr("[F-050]"));
}

TEST(Deb822LimitTest, LongValuesAndManyFields) {
  std::string text = "Big: " + std::string(1 << 20, 'x') + "\n";
  for (int i = 0; i < 2000; ++i) text += "F" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  Document doc = MustParse(text);
  EXPECT_EQ(doc.stanzas()[0].size(), 2001u);
  EXPECT_EQ(doc.stanzas()[0].Get("big")->size(), 1u << 20);
  EXPECT_EQ(doc.stanzas()[0].Get("f1999"), "1999");
}

// ---------------------------------------------------------------------------------------------
// The writer

TEST(Deb822WriterTest, W001_W004_CanonicalFieldLines) {
  Stanza s;
  ASSERT_TRUE(s.SetRaw("Package", "zsh").ok());
  ASSERT_TRUE(s.SetRaw("Description", "shell\n more text\n .\n end").ok());
  ASSERT_TRUE(s.SetRaw("Empty", "").ok());
  ASSERT_TRUE(s.SetRaw("Block", "\n line").ok());
  std::string out;
  s.WriteCanonical(&out);
  EXPECT_EQ(out, "Package: zsh\nDescription: shell\n more text\n .\n end\nEmpty:\nBlock:\n line\n");
}

TEST(Deb822WriterTest, W002_W003_FromLines) {
  Stanza s;
  ASSERT_TRUE(s.SetLines("D", {"first", "second", "", " indented"}).ok());
  EXPECT_EQ(s.Get("d"), "first\n second\n .\n  indented");
  EXPECT_THAT(s.fields()[0].Lines(), ElementsAre("first", "second", "", " indented"));
}

TEST(Deb822WriterTest, W005_OneBlankLineBetweenStanzas) {
  Document doc;
  for (const char* v : {"1", "2", "3"}) {
    Stanza s;
    ASSERT_TRUE(s.SetRaw("N", v).ok());
    doc.Append(std::move(s));
  }
  EXPECT_EQ(doc.WriteCanonical(), "N: 1\n\nN: 2\n\nN: 3\n");
  EXPECT_EQ(doc.Write(), "N: 1\n\nN: 2\n\nN: 3\n");
}

TEST(Deb822WriterTest, W006_CanonicalFormNormalisesCompatInput) {
  Document doc =
      MustParse("\xEF\xBB\xBF\r\n# c\r\nA : 1\r\n# in\r\n x\r\n \r\n\r\nB: 2", Profile::kCompat);
  EXPECT_EQ(doc.WriteCanonical(), "# c\nA: 1\n# in\n x\n\nB: 2\n");
}

TEST(Deb822WriterTest, W010_InvalidNamesAreRejected) {
  Stanza s;
  for (const char* name : {"", "-x", "#x", "a b", "a:b", "\xC3\xA9"}) {
    Status st = s.SetRaw(name, "v");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(st.message(), HasSubstr("[F-021, F-022]"));
  }
  EXPECT_TRUE(s.empty());
  EXPECT_TRUE(IsValidFieldName("Installed-Size"));
}

TEST(Deb822WriterTest, W011_W015_UnrepresentableRawValuesAreRejected) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a\rb", "[W-011]"},    {std::string("a\0b", 3), "[W-011]"},
      {"a\xFF", "[W-011]"},   {" lead", "[W-012]"},
      {"trail ", "[W-013]"},  {"a\nnot-indented", "[W-015]"},
      {"a\n\n b", "[W-015]"}, {"a\n  \t\n b", "[W-015]"},
      {"a\n b\n", "[W-015]"},
  };
  for (const auto& [raw, rule] : cases) {
    Stanza s;
    ASSERT_TRUE(s.SetRaw("A", "old").ok());
    Status st = s.SetRaw("A", raw);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << raw;
    EXPECT_THAT(st.message(), HasSubstr(rule)) << raw;
    EXPECT_EQ(s.Get("A"), "old") << "unchanged after a rejected write";
  }
}

TEST(Deb822WriterTest, W012_W014_UnrepresentableLinesAreRejected) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{" lead"}, "[W-012]"}, {{"a", "b "}, "[W-013]"},   {{"a", "."}, "[W-014]"},
      {{"a\nb"}, "[W-011]"},  {{"a", "x\ry"}, "[W-011]"},
  };
  for (const auto& [lines, rule] : cases) {
    Stanza s;
    Status st = s.SetLines("A", lines);
    EXPECT_THAT(st.message(), HasSubstr(rule));
    EXPECT_TRUE(s.empty());
  }
}

// Property: whatever the writer accepts reads back identically.
TEST(Deb822WriterTest, W0xx_AcceptedValuesReadBackIdentically) {
  std::mt19937 rng(822);
  const std::string alphabet = std::string("ab .#:-\t\n\xC3\xA9", 11);
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string raw;
    const int len = static_cast<int>(rng() % 12);
    for (int i = 0; i < len; ++i) raw += alphabet[rng() % alphabet.size()];
    Stanza s;
    if (!s.SetRaw("F", raw).ok()) continue;
    ++accepted;
    ASSERT_TRUE(s.SetRaw("G", "tail").ok());
    std::string out;
    s.WriteCanonical(&out);
    Result<Document> back = Parse(out, Options());
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " for raw value '" << raw << "'";
    ASSERT_EQ(back->stanzas().size(), 1u);
    EXPECT_EQ(back->stanzas()[0].Get("F"), raw);
    EXPECT_EQ(back->stanzas()[0].Get("G"), "tail");
  }
  EXPECT_GT(accepted, 300);
}

// ---------------------------------------------------------------------------------------------
// Lossless editing

const char kTwoStanzas[] =
    "# inventory\n"
    "\n"
    "Item: bolt\n"
    "Count:   12   \n"
    "# note on size\n"
    "Size: M6\n"
    "\n"
    "\n"
    "Item: nut\n"
    "Count: 40\n";

TEST(Deb822LosslessTest, L001_UnmodifiedDocumentIsByteIdentical) {
  Document doc = MustParse(kTwoStanzas);
  EXPECT_EQ(doc.Write(), kTwoStanzas);
  EXPECT_FALSE(doc.stanzas()[0].modified());
}

TEST(Deb822LosslessTest, L002_ChangingOneFieldChangesOnlyItsBytes) {
  Document doc = MustParse(kTwoStanzas);
  ASSERT_TRUE(doc.stanza(0).SetRaw("size", "M8").ok());
  EXPECT_TRUE(doc.stanzas()[0].modified());
  EXPECT_EQ(doc.Write(),
            "# inventory\n"
            "\n"
            "Item: bolt\n"
            "Count:   12   \n"
            "# note on size\n"
            "Size: M8\n"
            "\n"
            "\n"
            "Item: nut\n"
            "Count: 40\n");
}

TEST(Deb822LosslessTest, L002_AddingAndRemovingFields) {
  Document doc = MustParse(kTwoStanzas);
  ASSERT_TRUE(doc.stanza(1).SetRaw("Size", "M6").ok());
  EXPECT_TRUE(doc.stanza(0).Remove("COUNT"));
  EXPECT_FALSE(doc.stanza(0).Remove("Count"));
  EXPECT_EQ(doc.Write(),
            "# inventory\n"
            "\n"
            "Item: bolt\n"
            "# note on size\n"
            "Size: M6\n"
            "\n"
            "\n"
            "Item: nut\n"
            "Count: 40\n"
            "Size: M6\n");
}

TEST(Deb822LosslessTest, L002_EditWhenLastLineHasNoNewline) {
  Document doc = MustParse("A: 1\nB: 2");
  ASSERT_TRUE(doc.stanza(0).SetRaw("C", "3").ok());
  EXPECT_EQ(doc.Write(), "A: 1\nB: 2\nC: 3\n");
}

TEST(Deb822LosslessTest, L002_EditKeepsInteriorCommentsOfOtherFields) {
  Document doc = MustParse("A: 1\n# c\n 2\nB: x\n");
  ASSERT_TRUE(doc.stanza(0).SetRaw("B", "y").ok());
  EXPECT_EQ(doc.Write(), "A: 1\n# c\n 2\nB: y\n");
}

TEST(Deb822LosslessTest, L003_AppendedStanzaIsSeparatedByOneBlankLine) {
  for (const std::string& text :
       {std::string("A: 1\n"), std::string("A: 1"), std::string("A: 1\n\n"), std::string("")}) {
    Document doc = MustParse(text);
    Stanza s;
    ASSERT_TRUE(s.SetRaw("B", "2").ok());
    doc.Append(std::move(s));
    const std::string expected = text.empty() ? "B: 2\n" : "A: 1\n\nB: 2\n";
    EXPECT_EQ(doc.Write(), expected) << "after '" << text << "'";
  }
}

TEST(Deb822LosslessTest, L003_AppendedStanzaGoesAfterTrailingComments) {
  Document doc = MustParse("A: 1\n\n# end\n");
  Stanza s;
  ASSERT_TRUE(s.SetRaw("B", "2").ok());
  doc.Append(std::move(s));
  EXPECT_EQ(doc.Write(), "A: 1\n\n# end\n\nB: 2\n");
}

TEST(Deb822LosslessTest, L003_InsertedStanzasKeepTheirNeighboursIntact) {
  const auto make = [](const char* v) {
    Stanza s;
    EXPECT_TRUE(s.SetRaw("K", v).ok());
    return s;
  };
  Document doc = MustParse("# head\n\nK: b\n\nK: d\n\n# tail\n");
  doc.Insert(0, make("a"));
  doc.Insert(2, make("c"));
  doc.Insert(4, make("e"));
  EXPECT_EQ(doc.Write(), "# head\n\nK: a\n\nK: b\n\nK: c\n\nK: d\n\n# tail\n\nK: e\n");
  Document glued = MustParse("K: b\n\n# tail\n");
  glued.Insert(0, make("a"));
  EXPECT_EQ(glued.Write(), "K: a\n\nK: b\n\n# tail\n");
  glued.Erase(1);
  EXPECT_EQ(glued.Write(), "K: a\n\n# tail\n");
  Document empty;
  empty.Insert(0, make("a"));
  EXPECT_EQ(empty.Write(), "K: a\n");
}

// Property: Edit gives exactly what the equivalent Erase and Insert calls give.
TEST(Deb822LosslessTest, L003_L004_EditEqualsSequentialEraseAndInsert) {
  std::mt19937 rng(4);
  const std::vector<std::string> texts = {"",
                                          "A: 1\n",
                                          "A: 1",
                                          "# head\n\nA: 1\n\nB: 2\n\n\nC: 3\n\n# tail\n",
                                          "\n\nA: 1\n\n# mid\n\nB: 2\n",
                                          "# only comments\n"};
  for (int round = 0; round < 2000; ++round) {
    const std::string& text = texts[rng() % texts.size()];
    Document batch = MustParse(text);
    Document step = MustParse(text);
    const std::size_t n = batch.stanzas().size();
    std::vector<bool> erase(n);
    for (std::size_t i = 0; i < n; ++i) erase[i] = rng() % 3 == 0;
    std::vector<std::pair<std::size_t, Stanza>> inserts;
    const std::size_t count = rng() % 4;
    for (std::size_t k = 0; k < count; ++k) {
      Stanza s;
      ASSERT_TRUE(s.SetRaw("New", std::to_string(k)).ok());
      inserts.emplace_back(rng() % (n + 1), s);
    }
    std::stable_sort(inserts.begin(), inserts.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // Sequentially: erase from the back, then insert tracking how positions moved.
    for (std::size_t i = n; i-- > 0;) {
      if (erase[i]) step.Erase(i);
    }
    std::size_t inserted = 0;
    for (const auto& [position, stanza] : inserts) {
      std::size_t at = 0;
      for (std::size_t i = 0; i < position; ++i) at += erase[i] ? 0u : 1u;
      step.Insert(at + inserted, stanza);
      ++inserted;
    }
    batch.Edit(erase, inserts);
    ASSERT_EQ(batch.Write(), step.Write()) << "text '" << text << "' round " << round;
  }
}

TEST(Deb822LosslessTest, L004_ErasingStanzas) {
  const std::string text = "# head\n\nA: 1\n\nB: 2\n\n\nC: 3\n";
  Document middle = MustParse(text);
  middle.Erase(1);
  EXPECT_EQ(middle.Write(), "# head\n\nA: 1\n\n\nC: 3\n");
  Document first = MustParse(text);
  first.Erase(0);
  EXPECT_EQ(first.Write(), "# head\n\nB: 2\n\n\nC: 3\n");
  Document last = MustParse(text);
  last.Erase(2);
  EXPECT_EQ(last.Write(), "# head\n\nA: 1\n\nB: 2\n");
}

TEST(Deb822LosslessTest, StanzaCopiesOutliveTheirDocument) {
  Stanza copy;
  {
    Document doc = MustParse("A: one\n# c\n two\n");
    copy = doc.stanzas()[0];
  }
  EXPECT_EQ(copy.Get("A"), "one\n two");
  std::string out;
  copy.Write(&out);
  EXPECT_EQ(out, "A: one\n# c\n two\n");
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

TEST(Deb822DiagnosticsTest, D001_Format) {
  Diagnostic d{"f.txt", 3, 7, "F-021", "bad"};
  EXPECT_EQ(d.ToString(), "f.txt:3:7: error: bad [F-021]");
}

TEST(Deb822DiagnosticsTest, D002_ReportsEveryErrorSortedByPosition) {
  std::vector<Diagnostic> diags;
  Result<Document> doc =
      Parse("A: 1\nbad line\n cont of bad\nA: dup\n\n lost\nB \xFF: 1\n-x: 1\n", Options(), &diags);
  ASSERT_FALSE(doc.ok());
  std::vector<std::string> where;
  for (const Diagnostic& d : diags) {
    where.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.rule);
  }
  EXPECT_THAT(where, ElementsAre("2:1 F-020", "4:1 F-024", "6:1 F-025", "7:2 F-021", "7:3 F-001",
                                 "8:1 F-022"));
  EXPECT_EQ(doc.status().message(), diags.front().ToString());
}

TEST(Deb822DiagnosticsTest, D002_StopsAtMaxErrors) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "bad\n";
  std::vector<Diagnostic> diags;
  ParseOptions options = Options();
  options.max_errors = 7;
  EXPECT_FALSE(Parse(text, options, &diags).ok());
  EXPECT_EQ(diags.size(), 7u);
}

TEST(Deb822DiagnosticsTest, D002_WithoutDiagnosticsStopsAtFirst) {
  Result<Document> doc = Parse("bad\nworse\n", Options());
  EXPECT_EQ(doc.status().message(),
            "in.txt:1:1: error: line is not a field: expected 'Name: value', a continuation "
            "line starting with a space or tab, a comment starting with '#', or an empty line "
            "[F-020]");
}

}  // namespace
}  // namespace textdb::deb822
