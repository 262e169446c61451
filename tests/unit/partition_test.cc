// Tests for key-prefix partitioning (src/text/partition.h), named after the rules of
// format-spec/partitioning.md.
#include "text/partition.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "text/unicode.h"

namespace textdb::internal {

// Failure messages show a partition as its depth and units.
inline void PrintTo(const Partition& partition, std::ostream* os) {
  *os << "{depth " << partition.depth << ", units";
  for (const std::string& unit : partition.units) *os << " '" << unit << "'";
  *os << "}";
}

namespace {

std::string Path(std::string_view key, int depth) {
  Result<std::string> r = PartitionPath(key, depth);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string("<error>");
}

Partition Of(std::string_view key, int depth) {
  Result<Partition> r = PartitionOfKey(key, depth);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Partition{};
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// [P-040] The safety properties every produced path has; returns a failure description or "".
std::string UnsafePathReason(const std::string& path) {
  if (path.empty()) return "empty path";
  if (path[0] == '/') return "absolute path";
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    const std::string component = path.substr(start, slash - start);
    if (component.empty()) return "empty component";
    if (component == "." || component == "..") return "dot component";
    if (component.size() > kMaxPathComponentBytes) return "component longer than 208 bytes";
    if (component.find('\0') != std::string::npos) return "NUL in component";
    if (component.find('\\') != std::string::npos) return "backslash in component";
    if (component[0] == '.' || component[0] == ' ') return "leading dot or space";
    if (component.back() == '.' || component.back() == ' ') return "trailing dot or space";
    for (char c : component) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "control character";
      if (std::string_view("<>:\"|?*").find(c) != std::string_view::npos) return "Windows char";
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  // Lexically, the joined path stays inside the table directory.
  const std::filesystem::path joined =
      (std::filesystem::path("/table") / std::filesystem::path(path)).lexically_normal();
  const std::string normal = joined.string();
  if (normal.rfind("/table/", 0) != 0) return "escapes the table directory: " + normal;
  return "";
}

std::string RandomValidUtf8(std::mt19937& rng, std::size_t max_code_points) {
  static const std::vector<std::string> kPool = {"a",
                                                 "B",
                                                 "z",
                                                 "0",
                                                 ".",
                                                 " ",
                                                 "/",
                                                 "\\",
                                                 "%",
                                                 ":",
                                                 "*",
                                                 "?",
                                                 "\"",
                                                 "<",
                                                 ">",
                                                 "|",
                                                 std::string(1, '\0'),
                                                 "\x01",
                                                 "\r",
                                                 "\n",
                                                 "\x7F",
                                                 "\xC2\x85",
                                                 "\xC2\xA0",
                                                 "\xC3\x89",
                                                 "\xC3\xA9",
                                                 "\xC3\x9F",
                                                 "\xC4\xB0",
                                                 "\xC4\xB1",
                                                 "\xCC\x81",
                                                 "\xCD\x85",
                                                 "\xCE\xA3",
                                                 "\xCF\x82",
                                                 "\xE1\x84\x92",
                                                 "\xE1\x85\xA1",
                                                 "\xE1\x86\xAB",
                                                 "\xED\x95\x9C",
                                                 "\xE2\x80\x8D",
                                                 "\xE2\x80\xAE",
                                                 "\xEF\xBB\xBF",
                                                 "\xEF\xBF\xBF",
                                                 "\xD8\x80",
                                                 "\xF0\x9F\x87\xAB",
                                                 "\xF0\x9F\x87\xB7",
                                                 "\xF0\x9F\x91\xA8",
                                                 "\xF0\x9F\x8F\xBD",
                                                 "\xF3\xA0\x80\xA1",
                                                 "\xE0\xA4\x95",
                                                 "\xE0\xA5\x8D",
                                                 "\xE0\xA4\xB7",
                                                 "con",
                                                 "NUL",
                                                 "lpt",
                                                 "\xC2\xB9",
                                                 ".deb822",
                                                 "\xE4\xB8\xAD"};
  std::string s;
  const std::size_t n = rng() % (max_code_points + 1);
  for (std::size_t i = 0; i < n; ++i) s += kPool[rng() % kPool.size()];
  return s;
}

// ---------------------------------------------------------------------------------------------
// Path shape [P-020], [P-013]

TEST(PartitionTest, P020_PathShapeByDepth) {
  EXPECT_EQ(Path("John", 0), "all.deb822");
  EXPECT_EQ(Path("John", 1), "j.deb822");
  EXPECT_EQ(Path("John", 2), "j/jo.deb822");
  EXPECT_EQ(Path("John", 3), "j/jo/joh.deb822");
  EXPECT_EQ(Path("John", 4), "j/jo/joh/john.deb822");
  EXPECT_EQ(Path("Johnny", 4), "j/jo/joh/john.deb822");
}

TEST(PartitionTest, P013_ShortKeysUseWhatTheyHave) {
  EXPECT_EQ(Path("J", 2), "j.deb822");
  EXPECT_EQ(Path("Jo", 3), "j/jo.deb822");
  EXPECT_EQ(Path("Jo", 2), "j/jo.deb822");
  EXPECT_TRUE(Of("J", 2).IsShort());
  EXPECT_FALSE(Of("Jo", 2).IsShort());
  // The short-key file j.deb822 sits next to the directory j/ of the longer keys.
  EXPECT_EQ(Path("Ja", 2), "j/ja.deb822");
}

TEST(PartitionTest, P003_DepthOutOfRangeIsRejected) {
  // Depths up to kMaxPartitionUnits give the units of split layouts [P-014]; beyond, nothing.
  for (int depth : {-1, kMaxPartitionUnits + 1, 100}) {
    Result<std::string> r = PartitionPath("john", depth);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(PartitionPrefixOf("j.deb822", depth).has_value());
  }
}

TEST(PartitionTest, P002_EmptyAndInvalidUtf8KeysAreRejected) {
  for (int depth = 0; depth <= kMaxPartitionDepth; ++depth) {
    for (std::string_view key : {std::string_view(""), std::string_view("ab\xFF"),
                                 std::string_view("\xC0\xAE\xC0\xAE/x"),  // overlong "../x"
                                 std::string_view("\xED\xA0\x80"), std::string_view("jo\xC3")}) {
      Result<std::string> r = PartitionPath(key, depth);
      ASSERT_FALSE(r.ok()) << depth;
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(r.status().message().find("P-002"), std::string::npos) << r.status().message();
    }
  }
  Result<std::string> r = PartitionPath("ab\xFF", 1);
  EXPECT_NE(r.status().message().find("not valid UTF-8"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Folding and units [P-010..P-012]

TEST(PartitionTest, P010_CaseAndNormalisationVariantsShareAFile) {
  const std::string expected = "\xC3\xA9/\xC3\xA9m.deb822";  // é/ém.deb822
  EXPECT_EQ(Path("\xC3\x89mile", 2), expected);              // Émile
  EXPECT_EQ(Path("\xC3\xA9mile", 2), expected);              // émile
  EXPECT_EQ(Path("E\xCC\x81mile", 2), expected);             // E + U+0301
  EXPECT_EQ(Path("\xC3\x89MILE", 2), expected);
  EXPECT_EQ(Path("Stra\xC3\x9F"
                 "e",
                 4),
            Path("STRASSE", 4));
  EXPECT_EQ(Path("\xCE\xA3\xCE\x9F", 2), Path("\xCF\x82\xCE\xBF", 2));  // ΣΟ, ςο
}

TEST(PartitionTest, P010_TurkishIIsNotTailored) {
  EXPECT_EQ(Path("Istanbul", 1), "i.deb822");
  // U+0130 folds to i + U+0307: one cluster "i̇", which is its own unit.
  EXPECT_EQ(Path("\xC4\xB0stanbul", 1), "i\xCC\x87.deb822");
  // U+0131 (dotless i) stays, and is escaped [P-042].
  EXPECT_EQ(Path("\xC4\xB1stanbul", 1), "%C4%B1.deb822");
}

TEST(PartitionTest, P011_ClustersAreUnits) {
  const std::string fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";  // 🇫🇷
  EXPECT_EQ(Path(fr + "x", 1), fr + ".deb822");
  EXPECT_EQ(Path("\xED\x95\x9C\xEA\xB8\x80", 2),  // 한글
            "\xED\x95\x9C/\xED\x95\x9C\xEA\xB8\x80.deb822");
  const std::string thumbs = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";  // 👍🏽, 8 bytes
  EXPECT_EQ(Path(thumbs, 1), thumbs + ".deb822");
  EXPECT_EQ(Path("a\r\nb", 2), "a/a%0D%0A.deb822");  // CR LF is one cluster
}

TEST(PartitionTest, P012_LongClustersContributeTheirFirstCodePoint) {
  const std::string family =
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";  // 👨‍👩‍👧
  EXPECT_EQ(Path(family, 1), "\xF0\x9F\x91\xA8.deb822");                           // 👨
  const std::string marks = "x" + Repeat("\xCC\x81", 1000);  // one cluster of 1001 code points
  EXPECT_EQ(Path(marks, 1), "x.deb822");
  EXPECT_EQ(Path(marks + "y", 2), "x/xy.deb822");
  EXPECT_EQ(Of(marks + "y", 2).units, (std::vector<std::string>{"x", "y"}));
  // Weight counts escapes: six escaped tag characters (12 bytes each) are too long.
  const std::string tags = "a" + Repeat("\xF3\xA0\x80\xA1", 6);
  EXPECT_EQ(Path(tags, 1), "a.deb822");
  // Exactly at the bound (12): kept.
  const std::string devanagari = "\xE0\xA4\x95\xE0\xA5\x8D\xE0\xA4\xB7\xE0\xA4\xBF";  // क्षि
  EXPECT_EQ(Of(devanagari, 1).units[0].size(), 12u);
}

// ---------------------------------------------------------------------------------------------
// Encoding [P-030..P-035]

TEST(PartitionTest, P030_UnsafeAsciiCharactersAreEscaped) {
  const std::string_view unsafe = "/\\<>:\"|?*%";
  for (char c : unsafe) {
    const std::string text = std::string("a") + c + "b";
    char expected[16];
    std::snprintf(expected, sizeof expected, "a%%%02Xb", static_cast<unsigned char>(c));
    EXPECT_EQ(EncodePathComponent(text), expected) << c;
  }
  for (int c = 0; c < 0x20; ++c) {
    char expected[16];
    std::snprintf(expected, sizeof expected, "a%%%02Xb", c);
    EXPECT_EQ(EncodePathComponent(std::string("a") + static_cast<char>(c) + "b"), expected) << c;
  }
  EXPECT_EQ(EncodePathComponent("a\x7F"
                                "b"),
            "a%7Fb");
  EXPECT_EQ(Path("a/b", 3), "a/a%2F/a%2Fb.deb822");
  // Everything else in ASCII is kept, including inner spaces and dots.
  EXPECT_EQ(EncodePathComponent("a b.c~!#$&'()+,;=@[]^_`{}-"), "a b.c~!#$&'()+,;=@[]^_`{}-");
}

TEST(PartitionTest, P030_InvisibleAndControlCodePointsAreEscaped) {
  EXPECT_EQ(EncodePathComponent("\xC2\x85"), "%C2%85");                // NEL (C1)
  EXPECT_EQ(EncodePathComponent("\xC2\xA0"), "%C2%A0");                // NBSP
  EXPECT_EQ(EncodePathComponent("\xC2\xAD"), "%C2%AD");                // soft hyphen
  EXPECT_EQ(EncodePathComponent("\xE2\x80\x8B"), "%E2%80%8B");         // ZWSP
  EXPECT_EQ(EncodePathComponent("\xE2\x80\xAE"), "%E2%80%AE");         // RLO
  EXPECT_EQ(EncodePathComponent("\xE2\x80\xA8"), "%E2%80%A8");         // LINE SEPARATOR
  EXPECT_EQ(EncodePathComponent("\xE2\x81\xA6"), "%E2%81%A6");         // LRI
  EXPECT_EQ(EncodePathComponent("\xE3\x80\x80"), "%E3%80%80");         // ideographic space
  EXPECT_EQ(EncodePathComponent("\xEF\xBB\xBF"), "%EF%BB%BF");         // BOM
  EXPECT_EQ(EncodePathComponent("\xEF\xBF\xBF"), "%EF%BF%BF");         // U+FFFF
  EXPECT_EQ(EncodePathComponent("\xF3\xA0\x80\xA1"), "%F3%A0%80%A1");  // TAG LATIN SMALL A
  EXPECT_EQ(EncodePathComponent("\xC4\xB1"), "%C4%B1");                // dotless i [P-042]
  // Ordinary letters, marks and symbols are kept as UTF-8.
  EXPECT_EQ(EncodePathComponent("\xC3\xA9\xE4\xB8\xAD\xCC\x81\xF0\x9F\x91\x8D"),
            "\xC3\xA9\xE4\xB8\xAD\xCC\x81\xF0\x9F\x91\x8D");
  // Bytes that are not UTF-8 are escaped, so the function is total.
  EXPECT_EQ(EncodePathComponent("\xFF\xC3"), "%FF%C3");
}

TEST(PartitionTest, P031_P032_LeadingAndTrailingDotsAndSpaces) {
  EXPECT_EQ(EncodePathComponent("."), "%2E");
  EXPECT_EQ(EncodePathComponent(".."), "%2E%2E");
  EXPECT_EQ(EncodePathComponent("..."), "%2E.%2E");
  EXPECT_EQ(EncodePathComponent(".x"), "%2Ex");
  EXPECT_EQ(EncodePathComponent("x."), "x%2E");
  EXPECT_EQ(EncodePathComponent(" x "), "%20x%20");
  EXPECT_EQ(EncodePathComponent("x y"), "x y");
  EXPECT_EQ(Path(".", 1), "%2E.deb822");
  EXPECT_EQ(Path("..", 2), "%2E/%2E%2E.deb822");
  EXPECT_EQ(Path(".bashrc", 2), "%2E/%2Eb.deb822");
}

TEST(PartitionTest, P033_WindowsReservedNamesInAnyCase) {
  for (std::string_view name :
       {"con", "CON", "Con", "prn", "aux", "AUX", "nul", "NuL", "com0", "com1", "COM9", "lpt1",
        "LPT9", "conin$", "CONOUT$", "com\xC2\xB9", "lpt\xC2\xB3"}) {
    const std::string encoded = EncodePathComponent(name);
    EXPECT_EQ(encoded[0], '%') << name;
    EXPECT_EQ(*DecodePathComponent(encoded), name);
    // With an extension, or a space before it, too.
    EXPECT_EQ(EncodePathComponent(std::string(name) + ".txt")[0], '%') << name;
    EXPECT_EQ(EncodePathComponent(std::string(name) + " x")[0], '%') << name;
  }
  EXPECT_EQ(EncodePathComponent("con"), "%63on");
  for (std::string_view name : {"cons", "console", "com", "com10", "lpt", "nula", "au", "comx"}) {
    EXPECT_EQ(EncodePathComponent(name), name);
  }
  EXPECT_EQ(Path("Con", 3), "c/co/%63on.deb822");
  EXPECT_EQ(Path("nul", 3), "n/nu/%6Eul.deb822");
  EXPECT_EQ(Path("COM1", 4), "c/co/com/%63om1.deb822");
  EXPECT_EQ(Path("aux.txt", 4), "a/au/%61ux/%61ux%2E.deb822");  // directories too
}

TEST(PartitionTest, P034_ExtensionSuffixIsEscaped) {
  EXPECT_EQ(EncodePathComponent("x.deb822"), "x%2Edeb822");
  EXPECT_EQ(EncodePathComponent("x.DEB822"), "x%2EDEB822");
  EXPECT_EQ(EncodePathComponent(".deb822"), "%2Edeb822");
  EXPECT_EQ(EncodePathComponent("x.deb822y"), "x.deb822y");
}

TEST(PartitionTest, P035_RoundTripOnRandomText) {
  std::mt19937 rng(35);
  for (int round = 0; round < 5000; ++round) {
    const std::string text = RandomValidUtf8(rng, 8);
    const std::string encoded = EncodePathComponent(text);
    Result<std::string> decoded = DecodePathComponent(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, text);
  }
  for (int round = 0; round < 5000; ++round) {  // arbitrary bytes
    std::string bytes(rng() % 10, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() % 256);
    Result<std::string> decoded = DecodePathComponent(EncodePathComponent(bytes));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(PartitionTest, P035_NonCanonicalComponentsAreRejected) {
  for (std::string_view bad : {"%2e", "%41", "%", "%4", "%G0", "a%", ".", "..", "a/b", "x.", " x",
                               "con", "x.deb822", "a\x01", "\xC4\xB1", "%C3%A9"}) {
    EXPECT_FALSE(DecodePathComponent(bad).ok()) << bad;
  }
  EXPECT_EQ(*DecodePathComponent("%2E%2E"), "..");
  EXPECT_EQ(*DecodePathComponent("a%2Fb"), "a/b");
}

// ---------------------------------------------------------------------------------------------
// Safety [P-040], case-insensitive file systems [P-042]

// Keys that try to leave the table directory or break file names [P-040].
std::vector<std::string> HostileKeys() {
  return {"../x",
          "/etc/passwd",
          ".",
          "..",
          "...",
          "./.",
          "../../../../etc/shadow",
          std::string("\0", 1),
          std::string("a\0b", 3),
          "\x01\x02\x03\x1F",
          "\\..\\..\\windows",
          "C:\\x",
          " ",
          ". .",
          "\t\n\r",
          "%2E%2E",
          "con",
          "CON.deb822",
          "x.deb822",
          ".deb822",
          "\xE2\x80\xAE\xE2\x80\xAE",
          std::string(4096, 'A'),
          std::string(4096, '.'),
          std::string(4096, '/'),
          Repeat("\xCC\x81", 1000),
          "a" + Repeat("\xCC\x81", 1000),
          Repeat("\xF3\xA0\x80\xA1", 200),
          Repeat("\xF0\x9F\x87\xAB", 101)};
}

TEST(PartitionTest, P040_HostileKeysStayInsideTheTable) {
  const std::vector<std::string> keys = HostileKeys();
  for (const std::string& key : keys) {
    for (int depth = 0; depth <= kMaxPartitionDepth; ++depth) {
      const std::string path = Path(key, depth);
      EXPECT_EQ(UnsafePathReason(path), "") << path << " depth " << depth;
    }
  }
}

TEST(PartitionTest, P040_RandomHostileKeysGiveSafeBoundedPaths) {
  std::mt19937 rng(40);
  for (int round = 0; round < 20000; ++round) {
    const std::string key = RandomValidUtf8(rng, 12);
    if (key.empty()) continue;
    const int depth = static_cast<int>(rng() % (kMaxPartitionDepth + 1));
    const std::string path = Path(key, depth);
    ASSERT_EQ(UnsafePathReason(path), "") << path << " depth " << depth;
  }
}

TEST(PartitionTest, P042_NoUppercaseAsciiOutsideEscapes) {
  std::mt19937 rng(42);
  for (int round = 0; round < 5000; ++round) {
    const std::string key = RandomValidUtf8(rng, 8);
    if (key.empty()) continue;
    const std::string path = Path(key, 4);
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '%') {
        i += 2;
        continue;
      }
      ASSERT_FALSE(path[i] >= 'A' && path[i] <= 'Z') << path;
    }
  }
  EXPECT_NE(Path("\xC4\xB1", 1), Path("i", 1));
}

// ---------------------------------------------------------------------------------------------
// Fast path

TEST(PartitionTest, P011_AsciiFastPathMatchesIcu) {
  std::mt19937 rng(11);
  for (int round = 0; round < 20000; ++round) {
    std::string key(1 + rng() % 8, 'x');
    for (char& c : key) c = static_cast<char>(rng() % 128);
    if (rng() % 8 == 0) key.insert(rng() % key.size(), "\xCC\x81");  // combining mark inside
    if (rng() % 4 == 0) key += RandomValidUtf8(rng, 3);              // non-ASCII tail
    const int depth = static_cast<int>(rng() % (kMaxPartitionDepth + 1));
    Result<Partition> fast = PartitionOfKey(key, depth);
    Result<Partition> icu = PartitionOfKeyWithIcu(key, depth);
    ASSERT_TRUE(fast.ok() && icu.ok())
        << fast.status().ToString() << " / " << icu.status().ToString() << " depth " << depth;
    ASSERT_EQ(fast->units, icu->units) << key << " depth " << depth;
    ASSERT_EQ(*PartitionPath(key, depth), PartitionFilePath(*icu)) << key << " depth " << depth;
  }
  // The character after the last unit decides: "e" + U+0301 composes to é.
  EXPECT_EQ(Path("je\xCC\x81", 2), "j/j\xC3\xA9.deb822");
  EXPECT_EQ(Path("JE\xCC\x81", 1), "j.deb822");
}

// ---------------------------------------------------------------------------------------------
// Recognising data files [P-050]

TEST(PartitionTest, P050_RecognisesExactlyWhatPartitionPathProduces) {
  std::mt19937 rng(50);
  for (int round = 0; round < 20000; ++round) {
    const std::string key = RandomValidUtf8(rng, 10);
    if (key.empty()) continue;
    const int depth = static_cast<int>(rng() % (kMaxPartitionDepth + 1));
    const Partition partition = Of(key, depth);
    const std::string path = PartitionFilePath(partition);
    std::optional<Partition> back = PartitionPrefixOf(path, depth);
    ASSERT_TRUE(back.has_value()) << path << " depth " << depth;
    EXPECT_EQ(*back, partition) << path;
    // The same name is never a data file of another depth, except a short partition's file,
    // which is also the file of a longer depth.
    for (int other = 0; other <= kMaxPartitionDepth; ++other) {
      if (other == depth) continue;
      std::optional<Partition> at_other = PartitionPrefixOf(path, other);
      if (at_other.has_value()) {
        EXPECT_EQ(at_other->units, partition.units);
        EXPECT_TRUE(partition.IsShort() || at_other->IsShort()) << path;
      }
    }
  }
}

// ASCII units take a path without ICU: the same answers for keys of letters of both cases,
// digits, encoded characters, controls, CR and LF, and reserved names.
TEST(PartitionTest, P050_AsciiPathsAreRecognisedAsByIcu) {
  const std::string alphabet = std::string("abzABZ09.-~%:/\\ \r\n\t\x01\x7f") + "conCONaux";
  std::mt19937 rng(51);
  for (int round = 0; round < 20000; ++round) {
    std::string key;
    const std::size_t size = 1 + rng() % 4;
    for (std::size_t i = 0; i < size; ++i) key += alphabet[rng() % alphabet.size()];
    const int depth = static_cast<int>(1 + rng() % kMaxPartitionDepth);
    Result<Partition> reference = PartitionOfKeyWithIcu(key, depth);
    ASSERT_TRUE(reference.ok()) << reference.status().ToString();
    const std::string path = PartitionFilePath(*reference);
    std::optional<Partition> back = PartitionPrefixOf(path, depth);
    ASSERT_TRUE(back.has_value()) << path << " depth " << depth;
    EXPECT_EQ(*back, *reference) << path;
    // The same path with its letters (before ".deb822") upper-cased names no partition: units
    // are folded.
    std::string upper = path;
    std::transform(upper.begin(), upper.end() - 7, upper.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
    if (upper != path) {
      EXPECT_FALSE(PartitionPrefixOf(upper, depth).has_value()) << upper;
    }
  }
}

TEST(PartitionTest, P050_ShortenedUnitsAreRecognised) {
  const std::string marks = Repeat("\xCC\x81", 20);
  const std::vector<std::string> keys = {
      "x" + marks + "y",
      "\xE1\x84\x92" + marks + "\xE1\x85\xA1",                                          // L marks V
      "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7" + marks + "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA",  // flags
      "\xD8\x80" + marks + "a",                                                         // Prepend
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7"
      "b"};
  for (const std::string& key : keys) {
    for (int depth = 1; depth <= kMaxPartitionDepth; ++depth) {
      const std::string path = Path(key, depth);
      std::optional<Partition> back = PartitionPrefixOf(path, depth);
      ASSERT_TRUE(back.has_value()) << path << " depth " << depth;
      EXPECT_EQ(*back, Of(key, depth));
    }
  }
}

TEST(PartitionTest, P050_StrayNamesAreNotDataFiles) {
  for (std::string_view stray : {"notes.txt",
                                 "jo.deb822~",
                                 ".#jo.deb822",
                                 "#jo.deb822#",
                                 "j/jo.deb822~",
                                 "j/.#jo.deb822",
                                 "j/jo.deb822.tmp",
                                 "j/jo.deb822.swp",
                                 "j/.jo.deb822.swp",
                                 "J/JO.deb822",
                                 "j/Jo.deb822",
                                 "j/jo.DEB822",
                                 "k/jo.deb822",
                                 "jo.deb822",
                                 "j/jo/joh.deb822",
                                 "all.deb822",
                                 "/j.deb822",
                                 "j//jo.deb822",
                                 "./j/jo.deb822",
                                 "j/../j/jo.deb822",
                                 "j/",
                                 "j",
                                 ".deb822",
                                 "j/.deb822",
                                 "j/j.deb822",
                                 "j/jo",
                                 "%2e/%2E%2E.deb822",
                                 "a%2fb.deb822",
                                 "%41/%41b.deb822",
                                 "con/co.deb822",
                                 "c/con.deb822",
                                 "x.deb822.deb822",
                                 "\xC3\xA9/e\xCC\x81m.deb822",
                                 "e\xCC\x81/e\xCC\x81m.deb822",
                                 "\xC4\xB1.deb822",
                                 "\xFF/\xFF"
                                 "a.deb822",
                                 ""}) {
    EXPECT_FALSE(PartitionPrefixOf(stray, 2).has_value()) << stray;
  }
  EXPECT_TRUE(PartitionPrefixOf("j/jo.deb822", 2).has_value());
  EXPECT_TRUE(PartitionPrefixOf("j.deb822", 2).has_value());  // short keys
  EXPECT_TRUE(PartitionPrefixOf("%2E/%2E%2E.deb822", 2).has_value());
  EXPECT_TRUE(PartitionPrefixOf("all.deb822", 0).has_value());
  EXPECT_FALSE(PartitionPrefixOf("j.deb822", 0).has_value());
  EXPECT_FALSE(PartitionPrefixOf("all.deb822", 1).has_value());
  EXPECT_TRUE(PartitionPrefixOf("c/co/%63on.deb822", 3).has_value());
  EXPECT_FALSE(PartitionPrefixOf("c/co/con.deb822", 3).has_value());
  EXPECT_FALSE(PartitionPrefixOf("j/jo/jo.deb822", 3).has_value());  // a short key one level up
  EXPECT_EQ(PartitionPrefixOf("j/jo.deb822", 3)->units, (std::vector<std::string>{"j", "o"}));
}

// ---------------------------------------------------------------------------------------------
// Prefix-scan pruning [P-051]

bool MayHold(std::string_view partition_key, int depth, std::string_view query) {
  const Result<std::string> folded = FoldKey(query);
  EXPECT_TRUE(folded.ok());
  return PartitionMayHold(Of(partition_key, depth), *folded);
}

TEST(PartitionTest, P051_PrefixScanPruning) {
  EXPECT_TRUE(MayHold("john", 2, ""));
  EXPECT_TRUE(MayHold("john", 2, "J"));
  EXPECT_TRUE(MayHold("john", 2, "jo"));
  EXPECT_TRUE(MayHold("john", 2, "JOHNNY"));
  EXPECT_FALSE(MayHold("john", 2, "ja"));
  EXPECT_FALSE(MayHold("john", 2, "k"));
  EXPECT_FALSE(MayHold("john", 2, "jan"));
  // Short partitions hold only keys with exactly their units.
  EXPECT_TRUE(MayHold("j", 2, "j"));
  EXPECT_FALSE(MayHold("j", 2, "jo"));
  EXPECT_TRUE(MayHold("jo", 3, "jo"));
  EXPECT_FALSE(MayHold("jo", 3, "joh"));
  // Depth 0: one file holds everything.
  EXPECT_TRUE(MayHold("john", 0, "zzz"));
  // Prefixes are byte prefixes of the folded key: "e" does not start "é" (NFC U+00E9).
  EXPECT_FALSE(MayHold("\xC3\xA9mile", 2, "e"));
  EXPECT_TRUE(MayHold("\xC3\x89mile", 2, "\xC3\xA9"));
  // A query may end inside a cluster: "x" starts "x" + U+0301.
  EXPECT_TRUE(MayHold("x\xCC\x81y", 2, "x"));
  EXPECT_FALSE(MayHold("x\xCC\x81y", 2, "xy"));
  // A long cluster is named by its first code point; queries inside it must still match.
  const std::string marks = Repeat("\xCC\x81", 20);
  EXPECT_TRUE(MayHold("x" + marks + "y", 2, "x\xCC\x81\xCC\x81"));
  EXPECT_TRUE(MayHold("x" + marks + "y", 2, "x" + marks + "y"));
  EXPECT_FALSE(MayHold("x" + marks + "y", 2, "x" + marks + "z"));
}

TEST(PartitionTest, P051_NeverPrunesAPartitionHoldingAMatch) {
  std::mt19937 rng(51);
  for (int round = 0; round < 20000; ++round) {
    const std::string key = RandomValidUtf8(rng, 8);
    if (key.empty()) continue;
    const int depth = static_cast<int>(rng() % (kMaxPartitionDepth + 1));
    const std::string folded = *FoldKey(key);
    // Every code-point-boundary byte prefix of the folded key is a query it matches.
    std::size_t cut = rng() % (folded.size() + 1);
    while (cut > 0 && cut < folded.size() &&
           (static_cast<unsigned char>(folded[cut]) & 0xC0) == 0x80)
      --cut;
    const std::string query = folded.substr(0, cut);
    ASSERT_TRUE(PartitionMayHold(Of(key, depth), query))
        << "key " << key << " query " << query << " depth " << depth;
  }
}

// ---------------------------------------------------------------------------------------------
// Split partitions [P-014]

// The directories SplitDirectories makes of `prefixes`; a failure is a test failure.
std::vector<std::string> SplitDirs(int depth, const std::vector<std::string>& prefixes) {
  Result<std::vector<std::string>> r = SplitDirectories(depth, prefixes);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

// The error of SplitDirectories and the index it blames; the message is "" when it succeeded.
struct SplitError {
  std::string message;
  std::size_t bad_index;
};

SplitError SplitErrorOf(int depth, const std::vector<std::string>& prefixes) {
  std::size_t bad = 999;
  Result<std::vector<std::string>> r = SplitDirectories(depth, prefixes, &bad);
  if (r.ok()) return {"", bad};
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return {r.status().message(), bad};
}

// A table layout that owns its split directories; scheme() views them.
struct Layout {
  int depth = 0;
  std::vector<std::string> dirs;
  std::vector<std::string> prefixes;  // sorted
  PartitionScheme scheme() const { return PartitionScheme{depth, dirs, prefixes}; }
};

Layout MakeLayout(int depth, std::vector<std::string> prefixes) {
  std::vector<std::string> dirs = SplitDirs(depth, prefixes);
  std::sort(prefixes.begin(), prefixes.end());
  return Layout{depth, std::move(dirs), std::move(prefixes)};
}

std::string SplitPath(std::string_view key, const Layout& layout) {
  Result<std::string> r = PartitionPath(key, layout.scheme());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string("<error>");
}

Partition SplitOf(std::string_view key, const Layout& layout) {
  Result<Partition> r = PartitionOfKey(key, layout.scheme());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Partition{};
}

std::optional<Partition> SplitPrefixOf(std::string_view path, const Layout& layout) {
  return PartitionPrefixOf(path, layout.scheme());
}

Partition MakePartition(int depth, std::vector<std::string> units) {
  Partition partition;
  partition.depth = depth;
  partition.units = std::move(units);
  return partition;
}

TEST(PartitionSplitTest, P014_SplitDirectoriesAreSortedDirectories) {
  EXPECT_EQ(SplitDirs(2, {"lib", "li"}), (std::vector<std::string>{"l/li", "l/li/lib"}));
  EXPECT_EQ(SplitDirs(2, {"zz", "abc", "ab"}),
            (std::vector<std::string>{"a/ab", "a/ab/abc", "z/zz"}));
  EXPECT_EQ(SplitDirs(1, {"\xC3\xA9m", "\xC3\xA9"}),  // ém, é
            (std::vector<std::string>{"\xC3\xA9", "\xC3\xA9/\xC3\xA9m"}));
  // Components are encoded like the paths of [P-020]: sorted as directories, not as prefixes.
  EXPECT_EQ(SplitDirs(2, {".x"}), (std::vector<std::string>{"%2E/%2Ex"}));
  EXPECT_EQ(SplitDirs(3, {"con"}), (std::vector<std::string>{"c/co/%63on"}));
  EXPECT_EQ(SplitDirs(1, {"a", "a/"}), (std::vector<std::string>{"a", "a/a%2F"}));
  // Clusters are units: a flag and CR LF are one unit each.
  const std::string fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";  // 🇫🇷
  EXPECT_EQ(SplitDirs(1, {fr, fr + "x"}), (std::vector<std::string>{fr, fr + "/" + fr + "x"}));
  EXPECT_EQ(SplitDirs(2, {"a\r\n"}), (std::vector<std::string>{"a/a%0D%0A"}));
  // Nothing split is valid at every depth, 0 included.
  for (int depth = 0; depth <= kMaxPartitionDepth; ++depth) {
    EXPECT_EQ(SplitDirs(depth, {}), std::vector<std::string>{}) << depth;
  }
  // The longest split prefix has kMaxPartitionUnits - 1 units, so a path has at most
  // kMaxPartitionUnits components.
  std::vector<std::string> chain;
  for (int n = 1; n < kMaxPartitionUnits; ++n) {
    chain.push_back(std::string(static_cast<std::size_t>(n), 'k'));
  }
  const std::vector<std::string> dirs = SplitDirs(1, chain);
  ASSERT_EQ(dirs.size(), 15u);
  EXPECT_EQ(dirs.back(),
            "k/kk/kkk/kkkk/kkkkk/kkkkkk/kkkkkkk/kkkkkkkk/kkkkkkkkk/kkkkkkkkkk/"
            "kkkkkkkkkkk/kkkkkkkkkkkk/kkkkkkkkkkkkk/kkkkkkkkkkkkkk/kkkkkkkkkkkkkkk");
}

TEST(PartitionSplitTest, P014_SplitDirectoriesErrorsNameTheBadPrefix) {
  // Depth 0 (one file) and depths outside 1..kMaxPartitionDepth have no partitions to split.
  for (int depth : {0, -1, 5, 16}) {
    const SplitError e = SplitErrorOf(depth, {"l", "li"});
    EXPECT_EQ(e.message, "split partition 'l' is not possible at depth " + std::to_string(depth) +
                             "; expected a depth of 1 to 4")
        << depth;
    EXPECT_EQ(e.bad_index, 0u);
  }
  // Fewer units than the depth.
  SplitError e = SplitErrorOf(2, {"li", "l"});
  EXPECT_EQ(e.message, "split partition 'l' has 1 units; expected 2 (the table's depth) to 15");
  EXPECT_EQ(e.bad_index, 1u);
  e = SplitErrorOf(3, {"abc", "\xC3\xA9m"});  // ém: 2 units (3 bytes)
  EXPECT_EQ(e.bad_index, 1u);
  EXPECT_EQ(e.message,
            "split partition '\xC3\xA9m' has 2 units; expected 3 (the table's depth) to 15");
  // kMaxPartitionUnits units or more.
  e = SplitErrorOf(4, {"abcd", std::string(16, 'x')});
  EXPECT_EQ(e.bad_index, 1u);
  EXPECT_EQ(e.message,
            "split partition 'xxxxxxxxxxxxxxxx' has 16 units; expected 4 (the "
            "table's depth) to 15");
  e = SplitErrorOf(4, {std::string(40, 'x')});
  EXPECT_EQ(e.bad_index, 0u);
  EXPECT_EQ(e.message,
            "split partition 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' has more than 16 units; "
            "expected 4 (the table's depth) to 15");
  // Not folded.
  e = SplitErrorOf(2, {"li", "Li"});
  EXPECT_EQ(e.bad_index, 1u);
  EXPECT_EQ(e.message,
            "split partition 'Li' is not a folded key prefix made of whole units; "
            "expected 'li' or a prefix of it");
  e = SplitErrorOf(1, {"E\xCC\x81"});  // not NFC: folds to é
  EXPECT_EQ(e.bad_index, 0u);
  EXPECT_EQ(e.message,
            "split partition 'E\xCC\x81' is not a folded key prefix made of whole "
            "units; expected '\xC3\xA9' or a prefix of it");
  // Not whole units: a long cluster is shortened to its first code point [P-012], so the
  // prefix is more than its units.
  const std::string marks = "x" + Repeat("\xCC\x81", 20);
  e = SplitErrorOf(1, {"a", "x", marks});
  EXPECT_EQ(e.bad_index, 2u);
  EXPECT_EQ(e.message, "split partition '" + marks +
                           "' is not a folded key prefix made of whole units; expected 'x' or "
                           "a prefix of it");
  // Not a key at all: empty or not UTF-8.
  e = SplitErrorOf(1, {"a", ""});
  EXPECT_EQ(e.bad_index, 1u);
  EXPECT_EQ(e.message, "split partition '' is not a key prefix (it is empty or not valid UTF-8)");
  e = SplitErrorOf(1, {"a\xFF"});
  EXPECT_EQ(e.bad_index, 0u);
  EXPECT_EQ(e.message,
            "split partition 'a%FF' is not a key prefix (it is empty or not valid UTF-8)");
  // Listed twice: the later one is blamed, wherever the sort puts it.
  e = SplitErrorOf(2, {"li", "lx", "li"});
  EXPECT_EQ(e.bad_index, 2u);
  EXPECT_EQ(e.message, "split partition 'li' is listed twice");
  e = SplitErrorOf(2, {"zz", "ab", "lx", "ab"});
  EXPECT_EQ(e.bad_index, 3u);
  // A parent that is not split.
  e = SplitErrorOf(2, {"lib"});
  EXPECT_EQ(e.bad_index, 0u);
  EXPECT_EQ(e.message,
            "split partition 'lib' lies below a partition that is not split; expected 'li' to "
            "be split as well");
  e = SplitErrorOf(2, {"li", "lib", "aa", "libcx"});
  EXPECT_EQ(e.bad_index, 3u);
  EXPECT_EQ(e.message,
            "split partition 'libcx' lies below a partition that is not split; expected 'libc' "
            "to be split as well");
  e = SplitErrorOf(1, {".", ".x", "a.."});  // the parent "a." is missing; names are encoded
  EXPECT_EQ(e.bad_index, 2u);
  EXPECT_EQ(e.message,
            "split partition 'a.%2E' lies below a partition that is not split; expected 'a%2E' "
            "to be split as well");
  // The prefix is checked before the directories are compared.
  EXPECT_EQ(SplitErrorOf(2, {"lib", "Li"}).bad_index, 1u);
}

TEST(PartitionSplitTest, P014_KeysGoOneUnitDeeperBelowASplitPartition) {
  const Layout layout = MakeLayout(2, {"li", "lib"});
  EXPECT_EQ(SplitPath("libc6", layout), "l/li/lib/libc.deb822");
  EXPECT_EQ(SplitPath("LIBC6", layout), "l/li/lib/libc.deb822");
  EXPECT_EQ(SplitPath("libc", layout), "l/li/lib/libc.deb822");
  EXPECT_EQ(SplitPath("lib6", layout), "l/li/lib/lib6.deb822");
  EXPECT_EQ(SplitPath("lib", layout), "l/li/lib.deb822");  // short: the split's own file
  EXPECT_EQ(SplitPath("li", layout), "l/li.deb822");       // short
  EXPECT_EQ(SplitPath("Li", layout), "l/li.deb822");
  EXPECT_EQ(SplitPath("lin", layout), "l/li/lin.deb822");
  EXPECT_EQ(SplitPath("linux", layout), "l/li/lin.deb822");
  EXPECT_EQ(SplitPath("lx", layout), "l/lx.deb822");
  EXPECT_EQ(SplitPath("lxyz", layout), "l/lx.deb822");
  EXPECT_EQ(SplitPath("l", layout), "l.deb822");
  EXPECT_EQ(SplitPath("abc", layout), "a/ab.deb822");
  EXPECT_EQ(SplitPath("l/i", layout), "l/l%2F.deb822");

  EXPECT_EQ(SplitOf("libc6", layout), MakePartition(4, {"l", "i", "b", "c"}));
  EXPECT_FALSE(SplitOf("libc6", layout).IsShort());
  EXPECT_EQ(SplitOf("lib", layout), MakePartition(4, {"l", "i", "b"}));
  EXPECT_TRUE(SplitOf("lib", layout).IsShort());
  EXPECT_EQ(SplitOf("li", layout), MakePartition(3, {"l", "i"}));
  EXPECT_TRUE(SplitOf("li", layout).IsShort());
  EXPECT_EQ(SplitOf("lin", layout), MakePartition(3, {"l", "i", "n"}));
  EXPECT_FALSE(SplitOf("lin", layout).IsShort());
  EXPECT_EQ(SplitOf("lx", layout), MakePartition(2, {"l", "x"}));
  EXPECT_FALSE(SplitOf("lx", layout).IsShort());
  EXPECT_EQ(SplitOf("l", layout), MakePartition(2, {"l"}));
  EXPECT_TRUE(SplitOf("l", layout).IsShort());
  // The same key without the split: "li" is then a full partition of the same file.
  EXPECT_EQ(Of("li", 2), MakePartition(2, {"l", "i"}));
  EXPECT_EQ(Path("libc6", 2), "l/li.deb822");

  // Errors are those of the key.
  for (std::string_view bad : {std::string_view(""), std::string_view("li\xFF")}) {
    Result<std::string> r = PartitionPath(bad, layout.scheme());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("P-002"), std::string::npos) << r.status().message();
    EXPECT_FALSE(PartitionOfKey(bad, layout.scheme()).ok());
  }
}

TEST(PartitionSplitTest, P014_SplitsOfNonAsciiPrefixesFoldTheKey) {
  const std::string e = "\xC3\xA9";  // é
  const Layout layout = MakeLayout(1, {e, e + "m"});
  const std::string expected = e + "/" + e + "m/" + e + "mi.deb822";  // é/ém/émi.deb822
  EXPECT_EQ(SplitPath("\xC3\x89mile", layout), expected);             // Émile
  EXPECT_EQ(SplitPath("\xC3\xA9mile", layout), expected);             // émile
  EXPECT_EQ(SplitPath("E\xCC\x81mile", layout), expected);            // E + U+0301
  EXPECT_EQ(SplitPath("\xC3\x89MILE", layout), expected);
  EXPECT_EQ(SplitOf("\xC3\x89mile", layout), MakePartition(3, {e, "m", "i"}));
  EXPECT_EQ(SplitPath("\xC3\x89", layout), e + ".deb822");  // short
  EXPECT_EQ(SplitOf("\xC3\x89", layout), MakePartition(2, {e}));
  EXPECT_EQ(SplitPath("\xC3\x89M", layout), e + "/" + e + "m.deb822");  // short
  EXPECT_EQ(SplitOf("\xC3\x89M", layout), MakePartition(3, {e, "m"}));
  EXPECT_EQ(SplitPath("\xC3\x89tienne", layout), e + "/" + e + "t.deb822");
  EXPECT_EQ(SplitPath("Emile", layout), "e.deb822");  // e is not é
  // A long cluster goes below the split of its first code point [P-012].
  const std::string marks = Repeat("\xCC\x81", 20);
  EXPECT_EQ(SplitOf("x" + marks + "y", MakeLayout(1, {"x"})), MakePartition(2, {"x", "y"}));
  EXPECT_EQ(SplitPath("x" + marks, MakeLayout(1, {"x"})), "x.deb822");  // short
  // Clusters, not code points: the flag is one unit, CR LF too.
  const std::string fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";  // 🇫🇷
  EXPECT_EQ(SplitPath(fr + "ab", MakeLayout(1, {fr})), fr + "/" + fr + "a.deb822");
  EXPECT_EQ(SplitPath("a\r\nb", MakeLayout(1, {"a", "a\r\n"})), "a/a%0D%0A/a%0D%0Ab.deb822");
  EXPECT_EQ(SplitPath("a\rb", MakeLayout(1, {"a", "a\r\n"})), "a/a%0D.deb822");
}

TEST(PartitionSplitTest, P040_HostileKeysBelowSplitsStayInsideTheTable) {
  std::vector<std::string> keys = HostileKeys();
  for (const std::string& many_units :
       {Repeat("\xEF\xBB\xBF", 40),  // BOMs: a cluster each
        Repeat("\xEF\xBF\xBF", 40),
        Repeat("\xE0\xA4\x95\xE0\xA5\x8D\xE0\xA4\xB7\xE0\xA4\xBF", 40)}) {
    keys.push_back(many_units);
  }
  for (const std::string& key : keys) {
    const Result<Partition> full = PartitionOfKeyWithIcu(key, kMaxPartitionUnits);
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    for (int depth = 1; depth <= kMaxPartitionDepth; ++depth) {
      // Split every partition on the key's way down, as deep as a split may be.
      std::vector<std::string> prefixes;
      std::string prefix;
      for (std::size_t n = 1; n < full->units.size() && n < kMaxPartitionUnits; ++n) {
        prefix += full->units[n - 1];
        if (n >= static_cast<std::size_t>(depth)) prefixes.push_back(prefix);
      }
      const Layout layout = MakeLayout(depth, prefixes);
      const std::string path = SplitPath(key, layout);
      EXPECT_EQ(UnsafePathReason(path), "") << path << " depth " << depth;
      const auto components =
          1 + static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
      EXPECT_EQ(components, std::min<std::size_t>(full->units.size(), kMaxPartitionUnits)) << path;
      EXPECT_EQ(SplitPrefixOf(path, layout), SplitOf(key, layout)) << path;
    }
  }
  // The deepest file: kMaxPartitionUnits components, the last naming 16 escaped units.
  std::vector<std::string> boms;
  for (int n = 1; n < kMaxPartitionUnits; ++n) boms.push_back(Repeat("\xEF\xBB\xBF", n));
  const std::string path = SplitPath(Repeat("\xEF\xBB\xBF", 40), MakeLayout(1, boms));
  EXPECT_EQ(std::count(path.begin(), path.end(), '/'), kMaxPartitionUnits - 1);
  EXPECT_EQ(path.substr(path.rfind('/') + 1), Repeat("%EF%BB%BF", 16) + ".deb822");
  EXPECT_EQ(UnsafePathReason(path), "");
}

// The partition of `key` under a depth and the split partitions (as their units), straight
// from the definition [P-014]: d units, then one more for as long as the units so far are a
// split partition; a key that ends there is short.
Partition ExpectedPartition(std::string_view key, int depth,
                            const std::set<std::vector<std::string>>& splits) {
  const Result<Partition> full = PartitionOfKeyWithIcu(key, kMaxPartitionUnits);
  EXPECT_TRUE(full.ok());
  if (!full.ok()) return Partition{};
  const std::vector<std::string>& units = full->units;
  if (units.size() < static_cast<std::size_t>(depth)) return MakePartition(depth, units);
  std::vector<std::string> so_far(units.begin(), units.begin() + depth);
  while (splits.count(so_far) != 0) {
    if (so_far.size() == units.size()) {
      return MakePartition(static_cast<int>(so_far.size()) + 1, units);
    }
    so_far.push_back(units[so_far.size()]);
  }
  return MakePartition(static_cast<int>(so_far.size()), so_far);
}

TEST(PartitionSplitTest, P014_P050_P051_RandomSplitLayoutsRoundTrip) {
  std::mt19937 rng(14);
  int split_layouts = 0, deep_keys = 0, short_split_keys = 0;
  for (int round = 0; round < 1500; ++round) {
    const int depth = 1 + static_cast<int>(rng() % kMaxPartitionDepth);
    // Split the partitions on the way down to a few random keys, to a random length.
    std::vector<std::string> sources;
    std::set<std::string> prefixes;
    std::set<std::vector<std::string>> splits;  // the units of each prefix
    for (int s = 0; s < 3; ++s) {
      std::string key = RandomValidUtf8(rng, 10);
      if (key.empty()) continue;
      sources.push_back(key);
      const Result<Partition> full = PartitionOfKeyWithIcu(key, kMaxPartitionUnits);
      ASSERT_TRUE(full.ok());
      const std::size_t limit = std::min<std::size_t>(full->units.size(), kMaxPartitionUnits - 1);
      const std::size_t length = static_cast<std::size_t>(depth) + rng() % 4;
      std::string prefix;
      for (std::size_t n = 1; n <= std::min(length, limit); ++n) {
        prefix += full->units[n - 1];
        if (n < static_cast<std::size_t>(depth)) continue;
        // A unit prefix of a key is a valid split only when it is whole units by itself (a
        // shortened cluster followed by another may be segmented or composed differently).
        const Result<Partition> own = PartitionOfKeyWithIcu(prefix, kMaxPartitionUnits);
        ASSERT_TRUE(own.ok());
        const std::vector<std::string> units(full->units.begin(),
                                             full->units.begin() + static_cast<std::ptrdiff_t>(n));
        if (own->units != units) break;
        prefixes.insert(prefix);
        splits.insert(units);
      }
    }
    const std::vector<std::string> prefix_list(prefixes.begin(), prefixes.end());
    const Result<std::vector<std::string>> dirs = SplitDirectories(depth, prefix_list);
    ASSERT_TRUE(dirs.ok()) << dirs.status().ToString() << " depth " << depth;
    ASSERT_EQ(dirs->size(), prefixes.size());
    ASSERT_TRUE(std::is_sorted(dirs->begin(), dirs->end()));
    if (!prefixes.empty()) ++split_layouts;
    const Layout layout{depth, *dirs, prefix_list};  // a set's order: sorted

    // Keys: the sources, their prefixes and extensions, and unrelated ones.
    std::vector<std::string> keys;
    for (const std::string& source : sources) {
      keys.push_back(source);
      keys.push_back(source + RandomValidUtf8(rng, 3));
    }
    for (const std::string& prefix : prefixes) {
      keys.push_back(prefix);
      keys.push_back(prefix + RandomValidUtf8(rng, 3));
    }
    for (int k = 0; k < 4; ++k) keys.push_back(RandomValidUtf8(rng, 10));
    for (const std::string& key : keys) {
      if (key.empty()) continue;
      const Result<Partition> partition = PartitionOfKey(key, layout.scheme());
      ASSERT_TRUE(partition.ok()) << partition.status().ToString();
      ASSERT_EQ(*partition, ExpectedPartition(key, depth, splits)) << key << " depth " << depth;
      if (partition->depth > depth) ++deep_keys;
      if (partition->depth > depth && partition->IsShort()) ++short_split_keys;
      const Result<std::string> path = PartitionPath(key, layout.scheme());
      ASSERT_TRUE(path.ok());
      ASSERT_EQ(*path, PartitionFilePath(*partition));
      ASSERT_EQ(UnsafePathReason(*path), "") << *path;
      // [P-050] The path is recognised as exactly this partition, and as a data file of some
      // layout.
      ASSERT_EQ(PartitionPrefixOf(*path, layout.scheme()), *partition) << *path;
      ASSERT_TRUE(IsDataFileOfSomeLayout(*path)) << *path;
      // [P-051] Never pruned for a query it matches.
      const std::string folded = *FoldKey(key);
      std::size_t cut = rng() % (folded.size() + 1);
      while (cut > 0 && cut < folded.size() &&
             (static_cast<unsigned char>(folded[cut]) & 0xC0) == 0x80)
        --cut;
      ASSERT_TRUE(PartitionMayHold(*partition, folded.substr(0, cut)))
          << "key " << key << " query " << folded.substr(0, cut) << " path " << *path;
      ASSERT_TRUE(PartitionMayHold(*partition, folded)) << key;
    }
  }
  // The generator reaches what it is meant to test.
  EXPECT_GT(split_layouts, 1000);
  EXPECT_GT(deep_keys, 2000);
  EXPECT_GT(short_split_keys, 300);
}

TEST(PartitionSplitTest, P050_AcceptsExactlyTheProducedPathsInASmallAlphabet) {
  // Every key over {a, b, c} of up to 5 characters, and every partition over it of up to 6
  // units: a path is a data file exactly when some key's path is it.
  std::vector<std::string> words = {""};
  for (std::size_t begin = 0, length = 0; length < 6; ++length) {
    const std::size_t end = words.size();
    for (std::size_t i = begin; i < end; ++i) {
      for (char c : {'a', 'b', 'c'}) words.push_back(words[i] + c);
    }
    begin = end;
  }
  struct Case {
    int depth;
    std::vector<std::string> prefixes;
  };
  for (const Case& c : {Case{1, {"a", "ab", "abc", "b"}}, Case{2, {"ab", "abc", "ba", "bab"}},
                        Case{3, {"aaa", "aaab"}}, Case{2, {}}}) {
    const Layout layout = MakeLayout(c.depth, c.prefixes);
    std::set<std::string> produced;
    for (const std::string& key : words) {
      if (key.empty() || key.size() > 5) continue;
      produced.insert(SplitPath(key, layout));
    }
    int accepted = 0;
    for (const std::string& word : words) {
      if (word.empty()) continue;
      std::vector<std::string> units;
      for (char u : word) units.push_back(std::string(1, u));
      const std::string path = PartitionFilePath(MakePartition(0, units));
      const bool is_produced = produced.count(path) != 0;
      EXPECT_EQ(SplitPrefixOf(path, layout).has_value(), is_produced)
          << path << " depth " << c.depth;
      accepted += is_produced ? 1 : 0;
    }
    EXPECT_EQ(static_cast<std::size_t>(accepted), produced.size());
    EXPECT_FALSE(SplitPrefixOf("all.deb822", layout).has_value());
  }
}

// [P-020] The index build's shortcut for ASCII keys: AsciiKeyInPartition says a key is in a
// file exactly when PartitionPath puts it there, for every key over a small alphabet (both
// cases, a byte that is escaped in paths) and every file those keys fill, in layouts with and
// without split partitions; keys that need ICU (non-ASCII, CR) are left to PartitionPath.
TEST(PartitionSplitTest, P020_AsciiKeyInPartitionAgreesWithPartitionPath) {
  std::vector<std::string> keys = {""};
  for (std::size_t begin = 0, length = 0; length < 5; ++length) {
    const std::size_t end = keys.size();
    for (std::size_t i = begin; i < end; ++i) {
      for (char c : {'a', 'b', 'B', '.'}) keys.push_back(keys[i] + c);
    }
    begin = end;
  }
  keys.erase(keys.begin());  // the empty key is not a key [P-002]
  struct Case {
    int depth;
    std::vector<std::string> prefixes;
  };
  int inside = 0;
  for (const Case& c :
       {Case{0, {}}, Case{1, {}}, Case{2, {}}, Case{4, {}}, Case{1, {"a", "ab", "ab.", "b"}},
        Case{2, {"ab", "aba", "ba", "bab"}}, Case{3, {"aaa", "aaab"}}}) {
    const Layout layout = MakeLayout(c.depth, c.prefixes);
    std::vector<std::string> paths;
    for (const std::string& key : keys) {
      paths.push_back(SplitPath(key, layout));
      // The indexer takes a file's partition from a key found in it, not from its name.
      ASSERT_EQ(PartitionPrefixOf(paths.back(), layout.scheme()),
                std::optional<Partition>(SplitOf(key, layout)))
          << key;
    }
    const std::set<std::string> files(paths.begin(), paths.end());
    for (const std::string& file : files) {
      const std::optional<Partition> partition = PartitionPrefixOf(file, layout.scheme());
      ASSERT_TRUE(partition.has_value()) << file;
      for (std::size_t k = 0; k < keys.size(); ++k) {
        const std::optional<bool> in = AsciiKeyInPartition(keys[k], *partition);
        ASSERT_TRUE(in.has_value()) << keys[k];
        ASSERT_EQ(*in, paths[k] == file)
            << "key " << keys[k] << " file " << file << " depth " << c.depth;
        inside += *in ? 1 : 0;
      }
    }
  }
  EXPECT_EQ(inside, 7 * static_cast<int>(keys.size()));  // each key in one file per layout
  const Layout layout = MakeLayout(2, {"ab"});
  const std::optional<Partition> ab = PartitionPrefixOf("a/ab/abc.deb822", layout.scheme());
  ASSERT_TRUE(ab.has_value());
  for (const char* key : {"ab\xC3\xA9", "\xC3\xA9", "abc\r\n",
                          "a\xCC\x81"
                          "bc"}) {
    EXPECT_EQ(AsciiKeyInPartition(key, *ab), std::nullopt) << key;
  }
  EXPECT_EQ(AsciiKeyInPartition("", *ab), std::nullopt);
  EXPECT_EQ(AsciiKeyInPartition("ABCD", *ab), std::optional<bool>(true));
}

TEST(PartitionSplitTest, P050_FilesAtTheWrongPlaceAreRejected) {
  const Layout layout = MakeLayout(2, {"li", "lib"});
  EXPECT_EQ(SplitPrefixOf("l/li.deb822", layout), MakePartition(3, {"l", "i"}));  // short
  EXPECT_EQ(SplitPrefixOf("l/li/lib.deb822", layout), MakePartition(4, {"l", "i", "b"}));
  EXPECT_EQ(SplitPrefixOf("l/li/lin.deb822", layout), MakePartition(3, {"l", "i", "n"}));
  EXPECT_EQ(SplitPrefixOf("l/li/lib/libc.deb822", layout), MakePartition(4, {"l", "i", "b", "c"}));
  EXPECT_EQ(SplitPrefixOf("l/lx.deb822", layout), MakePartition(2, {"l", "x"}));
  EXPECT_EQ(SplitPrefixOf("l.deb822", layout), MakePartition(2, {"l"}));
  EXPECT_EQ(SplitPrefixOf("a/ab.deb822", layout), MakePartition(2, {"a", "b"}));
  for (std::string_view stray : {"l/lx/lxy.deb822",       // lx is not split
                                 "a/ab/abc.deb822",       // neither is ab
                                 "l/li/lin/lin6.deb822",  // nor lin
                                 "l/li/lib/libc/libc6.deb822",
                                 "l/lib.deb822",  // skips a level
                                 "l/li/libc.deb822",
                                 "l/li/li.deb822",   // no new unit
                                 "l/lx/lib.deb822",  // not below its parent
                                 "l/li/LIB.deb822",
                                 "L/li/lib.deb822",
                                 "l/li/lib.deb822~",
                                 "l/li/.#lib.deb822",
                                 "l/li/lib",
                                 "l/li/lib/",
                                 "l/li/lib.DEB822",
                                 "l/li/%6Cib.deb822",
                                 "l//li/lib.deb822",
                                 "all.deb822",
                                 "notes.txt",
                                 ""}) {
    EXPECT_FALSE(SplitPrefixOf(stray, layout).has_value()) << stray;
  }
  // Without the splits, a file below l/li/ is at the wrong level, and l/li.deb822 is a full
  // partition rather than the split's short file.
  const Layout flat{2, {}, {}};
  EXPECT_FALSE(SplitPrefixOf("l/li/lib.deb822", flat).has_value());
  EXPECT_FALSE(SplitPrefixOf("l/li/lin.deb822", flat).has_value());
  EXPECT_FALSE(SplitPrefixOf("l/li/lib/libc.deb822", flat).has_value());
  EXPECT_EQ(SplitPrefixOf("l/li.deb822", flat), MakePartition(2, {"l", "i"}));
  // A split's depth is relative to the table's: the same split at depth 1 splits "l" too.
  const Layout shallow = MakeLayout(1, {"l", "li"});
  EXPECT_EQ(SplitPrefixOf("l/li/lin.deb822", shallow), MakePartition(3, {"l", "i", "n"}));
  EXPECT_EQ(SplitPrefixOf("l.deb822", shallow), MakePartition(2, {"l"}));  // short
  EXPECT_FALSE(SplitPrefixOf("l/li/lin.deb822", MakeLayout(1, {"l"})).has_value());
}

TEST(PartitionSplitTest, P051_PruningKnowsTheSplitFiles) {
  const Layout layout = MakeLayout(2, {"li"});
  const Partition li_short = SplitOf("li", layout);  // l/li.deb822
  const Partition lib = SplitOf("libc6", layout);    // l/li/lib.deb822
  const Partition lin = SplitOf("linux", layout);    // l/li/lin.deb822
  const Partition lx = SplitOf("lx", layout);        // l/lx.deb822
  const Partition l_short = SplitOf("l", layout);    // l.deb822
  ASSERT_EQ(PartitionFilePath(li_short), "l/li.deb822");
  ASSERT_EQ(PartitionFilePath(lib), "l/li/lib.deb822");
  ASSERT_EQ(PartitionFilePath(lin), "l/li/lin.deb822");
  // "lib" may only be in l/li/lib.deb822.
  EXPECT_TRUE(PartitionMayHold(lib, "lib"));
  EXPECT_FALSE(PartitionMayHold(li_short, "lib"));
  EXPECT_FALSE(PartitionMayHold(lin, "lib"));
  EXPECT_FALSE(PartitionMayHold(lx, "lib"));
  EXPECT_FALSE(PartitionMayHold(l_short, "lib"));
  // Without the split, l/li.deb822 holds every key starting with "li".
  EXPECT_TRUE(PartitionMayHold(Of("li", 2), "lib"));
  // "li" may be in the split's own file and everywhere below it.
  EXPECT_TRUE(PartitionMayHold(li_short, "li"));
  EXPECT_TRUE(PartitionMayHold(lib, "li"));
  EXPECT_TRUE(PartitionMayHold(lin, "li"));
  EXPECT_FALSE(PartitionMayHold(lx, "li"));
  EXPECT_FALSE(PartitionMayHold(l_short, "li"));
  EXPECT_TRUE(PartitionMayHold(l_short, "l"));
  EXPECT_TRUE(PartitionMayHold(lx, "l"));
  EXPECT_TRUE(PartitionMayHold(lib, "libc6"));
  EXPECT_FALSE(PartitionMayHold(lib, "lic"));
  // One level deeper: "libc" is only in l/li/lib/libc.deb822, not in the short l/li/lib.deb822.
  const Layout deeper = MakeLayout(2, {"li", "lib"});
  const Partition lib_short = SplitOf("lib", deeper);
  const Partition libc = SplitOf("libc6", deeper);
  ASSERT_EQ(PartitionFilePath(lib_short), "l/li/lib.deb822");
  ASSERT_EQ(PartitionFilePath(libc), "l/li/lib/libc.deb822");
  EXPECT_TRUE(PartitionMayHold(libc, "libc"));
  EXPECT_FALSE(PartitionMayHold(lib_short, "libc"));
  EXPECT_TRUE(PartitionMayHold(lib_short, "lib"));
  EXPECT_TRUE(PartitionMayHold(libc, "lib"));
  EXPECT_FALSE(PartitionMayHold(libc, "libd"));
  EXPECT_FALSE(PartitionMayHold(SplitOf("lin", deeper), "lib"));
}

TEST(PartitionSplitTest, P071_IsDataFileOfSomeLayout) {
  for (std::string_view data :
       {"all.deb822", "j.deb822", "j/jo.deb822", "j/jo/joh/john.deb822", "l/li/lib/libc.deb822",
        "a/al/all.deb822", "%2E/%2E%2E.deb822", "c/co/%63on.deb822",
        "\xC3\xA9/\xC3\xA9m/\xC3\xA9mi.deb822",
        "k/kk/kkk/kkkk/kkkkk/kkkkkk/kkkkkkk/kkkkkkkk/kkkkkkkkk/kkkkkkkkkk/kkkkkkkkkkk/"
        "kkkkkkkkkkkk/kkkkkkkkkkkkk/kkkkkkkkkkkkkk/kkkkkkkkkkkkkkk/kkkkkkkkkkkkkkkk.deb822"}) {
    EXPECT_TRUE(IsDataFileOfSomeLayout(data)) << data;
  }
  for (std::string_view junk :
       {"", "notes.txt", "all.deb822~", "all", "j/all.deb822", "j/jo.deb822~", ".#j.deb822",
        "J/jo.deb822", "j/jx/jo.deb822", "j/j.deb822", "j//jo.deb822", "/j.deb822", "./j.deb822",
        "j/../j.deb822", "%41.deb822", "j/jo", "j/", "con.deb822",
        "k/kk/kkk/kkkk/kkkkk/kkkkkk/kkkkkkk/kkkkkkkk/kkkkkkkkk/kkkkkkkkkk/kkkkkkkkkkk/"
        "kkkkkkkkkkkk/kkkkkkkkkkkkk/kkkkkkkkkkkkkk/kkkkkkkkkkkkkkk/kkkkkkkkkkkkkkkk/"
        "kkkkkkkkkkkkkkkkk.deb822"}) {
    EXPECT_FALSE(IsDataFileOfSomeLayout(junk)) << junk;
  }
}

TEST(PartitionSplitTest, P014_WithoutSplitsTheSchemeIsTheDepth) {
  std::mt19937 rng(1400);
  for (int round = 0; round < 5000; ++round) {
    const std::string key = RandomValidUtf8(rng, 10);
    if (key.empty()) continue;
    const int depth = static_cast<int>(rng() % (kMaxPartitionDepth + 1));
    const PartitionScheme scheme{depth, {}, {}};
    const Result<Partition> by_scheme = PartitionOfKey(key, scheme);
    ASSERT_TRUE(by_scheme.ok());
    ASSERT_EQ(*by_scheme, Of(key, depth)) << key << " depth " << depth;
    const Result<std::string> path = PartitionPath(key, scheme);
    ASSERT_TRUE(path.ok());
    ASSERT_EQ(*path, Path(key, depth));
    ASSERT_EQ(PartitionPrefixOf(*path, scheme), PartitionPrefixOf(*path, depth)) << *path;
    ASSERT_TRUE(PartitionPrefixOf(*path, scheme).has_value()) << *path;
    // Paths of the other depths are recognised alike (mostly rejected).
    const int other = static_cast<int>(rng() % (kMaxPartitionDepth + 1));
    const std::string other_path = Path(key, other);
    ASSERT_EQ(PartitionPrefixOf(other_path, scheme), PartitionPrefixOf(other_path, depth))
        << other_path << " depth " << depth;
  }
  for (std::string_view stray : {"notes.txt", "j/Jo.deb822", "all.deb822", "j/jo/joh.deb822"}) {
    for (int depth = 0; depth <= kMaxPartitionDepth; ++depth) {
      EXPECT_EQ(PartitionPrefixOf(stray, PartitionScheme{depth, {}, {}}),
                PartitionPrefixOf(stray, depth))
          << stray << " depth " << depth;
    }
  }
  EXPECT_EQ(*PartitionPath("John", PartitionScheme{0, {}, {}}), "all.deb822");
  EXPECT_EQ(*PartitionPath("John", PartitionScheme{3, {}, {}}), "j/jo/joh.deb822");
}

}  // namespace
}  // namespace textdb::internal
