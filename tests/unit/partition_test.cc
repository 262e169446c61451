// Tests for key-prefix partitioning (src/text/partition.h), named after the rules of
// format-spec/partitioning.md.
#include "text/partition.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "text/unicode.h"

namespace textdb::internal {
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
    if (component.size() > kMaxPathComponentBytes) return "component longer than 64 bytes";
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
  for (int depth : {-1, 5, 100}) {
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

TEST(PartitionTest, P040_HostileKeysStayInsideTheTable) {
  std::vector<std::string> keys = {"../x",
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

}  // namespace
}  // namespace textdb::internal
