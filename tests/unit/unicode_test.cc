// Tests for the Unicode text helpers (src/text/unicode.h): folding [P-010] and grapheme
// clusters [P-011].
#include "text/unicode.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "format/encoding.h"

namespace textdb::internal {
namespace {

std::string Fold(std::string_view s) {
  Result<std::string> r = FoldKey(s);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string("<error>");
}

std::vector<std::string> Clusters(std::string_view s, std::size_t n = 100) {
  Result<std::vector<std::string_view>> r = LeadingGraphemes(s, n);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> out;
  if (r.ok()) out.assign(r->begin(), r->end());
  return out;
}

TEST(UnicodeTest, P010_CanonicalAndCaseVariantsFoldEqual) {
  const std::string e = Fold("\xC3\x89mile");  // Émile, precomposed
  EXPECT_EQ(e, "\xC3\xA9mile");                // émile, NFC
  EXPECT_EQ(Fold("\xC3\xA9mile"), e);
  EXPECT_EQ(Fold("E\xCC\x81mile"), e);  // E + U+0301
  EXPECT_EQ(Fold("e\xCC\x81MILE"), e);
  EXPECT_EQ(Fold("\xC3\x89MILE"), e);
}

TEST(UnicodeTest, P010_SharpSFoldsToSs) {
  EXPECT_EQ(Fold("Stra\xC3\x9F"
                 "e"),
            "strasse");
  EXPECT_EQ(Fold("STRASSE"), "strasse");
  EXPECT_EQ(Fold("\xE1\xBA\x9E"), "ss");  // U+1E9E capital sharp s
}

TEST(UnicodeTest, P010_TurkishIUsesRootLocale) {
  // No Turkic tailoring: I -> i; U+0130 (I with dot) -> i + U+0307; U+0131 (dotless i) stays.
  EXPECT_EQ(Fold("I"), "i");
  EXPECT_EQ(Fold("\xC4\xB0"), "i\xCC\x87");
  EXPECT_EQ(Fold("\xC4\xB1"), "\xC4\xB1");
  EXPECT_NE(Fold("\xC4\xB1"), Fold("I"));
}

TEST(UnicodeTest, P010_GreekSigmasFoldEqual) {
  const std::string sigma = "\xCF\x83";                         // σ
  EXPECT_EQ(Fold("\xCE\xA3"), sigma);                           // Σ
  EXPECT_EQ(Fold("\xCF\x82"), sigma);                           // final ς
  EXPECT_EQ(Fold("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x9F\xCE\xA3"),   // ΣΟΦΟΣ
            Fold("\xCF\x83\xCE\xBF\xCF\x86\xCE\xBF\xCF\x82"));  // σοφος
}

TEST(UnicodeTest, P010_YpogegrammeniAndCompatibilityCharacters) {
  // U+0345 folds to ι even inside a precomposed character (hence NFD before folding).
  EXPECT_EQ(Fold("\xE1\xBE\xB3"), Fold("\xCE\xB1\xCD\x85"));  // ᾳ vs α + U+0345
  // Folding is not compatibility normalisation: ﬁ folds to "fi", but ① stays.
  EXPECT_EQ(Fold("\xEF\xAC\x81"), "fi");
  EXPECT_EQ(Fold("\xE2\x91\xA0"), "\xE2\x91\xA0");
}

TEST(UnicodeTest, P010_FoldIsIdempotentOnEveryCodePoint) {
  std::string all;
  for (char32_t c = 0x20; c < 0x30000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    std::string s;
    if (c < 0x80) {
      s.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      s = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    } else if (c < 0x10000) {
      s = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
           static_cast<char>(0x80 | (c & 0x3F))};
    } else {
      s = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
           static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
    }
    const std::string once = Fold(s);
    ASSERT_EQ(Fold(once), once) << "U+" << std::hex << static_cast<unsigned>(c);
  }
}

TEST(UnicodeTest, P010_AsciiFastPathMatchesIcu) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 12, 'x');
    for (char& c : s) c = static_cast<char>(rng() % 128);
    // Appending a non-ASCII character forces the ICU path; its fold is itself.
    const std::string tail = "\xE2\x82\xAC";  // €
    EXPECT_EQ(Fold(s) + tail, Fold(s + tail));
  }
}

TEST(UnicodeTest, P010_FoldKeyPrefixKeepsTheLeadingClusters) {
  static const std::vector<std::string> kPool = {"a",
                                                 "Z",
                                                 " ",
                                                 "\r",
                                                 "\n",
                                                 "\xC3\x89",
                                                 "\xC3\x9F",
                                                 "\xCC\x81",
                                                 "\xCD\x85",
                                                 "\xCE\xA3",
                                                 "\xE1\x84\x92",
                                                 "\xE1\x85\xA1",
                                                 "\xE1\x86\xAB",
                                                 "\xED\x95\x9C",
                                                 "\xE4\xB8\xAD",
                                                 "\xE2\x80\x8D",
                                                 "\xF0\x9F\x87\xAB",
                                                 "\xF0\x9F\x91\xA8",
                                                 "\xD8\x80",
                                                 "\xE0\xA4\x95",
                                                 "\xE0\xA5\x8D",
                                                 "\xE1\xBE\xB3",
                                                 "\xC4\xB0"};
  std::mt19937 rng(10);
  for (int round = 0; round < 3000; ++round) {
    std::string key;
    const std::size_t target = 100 + rng() % 300;
    // Runs of one piece make long clusters (combining marks, jamo, regional indicators).
    while (key.size() < target) {
      const std::string& piece = kPool[rng() % kPool.size()];
      for (std::size_t k = 1 + (rng() % 4 == 0 ? rng() % 40 : 0); k > 0; --k) key += piece;
    }
    const std::size_t n = rng() % 6;
    Result<std::string> prefix = FoldKeyPrefix(key, n);
    ASSERT_TRUE(prefix.ok());
    const std::string full = Fold(key);
    ASSERT_EQ(full.compare(0, prefix->size(), *prefix), 0) << key;
    ASSERT_EQ(Clusters(*prefix, n), Clusters(full, n)) << key;
  }
  EXPECT_FALSE(FoldKeyPrefix(std::string(200, 'a') + "\xFF", 2).ok());
}

TEST(UnicodeTest, P002_InvalidUtf8IsRejectedWithOffset) {
  Result<std::string> r = FoldKey("ab\xFF");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("offset 2"), std::string::npos) << r.status().message();
  EXPECT_FALSE(FoldKey("\xC0\x80").ok());             // overlong NUL
  EXPECT_FALSE(FoldKey("\xED\xA0\x80").ok());         // surrogate
  EXPECT_FALSE(FoldKey("caf\xC3").ok());              // truncated
  EXPECT_TRUE(FoldKey(std::string("a\0b", 3)).ok());  // NUL is valid UTF-8
}

TEST(UnicodeTest, P002_ValidateUtf8AgreesWithTheFormatLayer) {
  std::mt19937 rng(2);
  const unsigned char kBytes[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                  0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                                  0xED, 0xEE, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF};
  for (int round = 0; round < 100000; ++round) {
    std::string s(rng() % 6, '\0');
    for (char& c : s) c = static_cast<char>(kBytes[rng() % sizeof kBytes]);
    bool valid = true;
    for (std::size_t i = 0; i < s.size() && valid;) {
      const std::size_t len = Utf8SequenceLength(s, i);
      valid = len != 0;
      i += len;
    }
    ASSERT_EQ(ValidateUtf8(s, "text").ok(), valid) << round;
  }
}

TEST(UnicodeTest, P011_EmojiZwjSequenceIsOneCluster) {
  const std::string family =
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";  // 👨‍👩‍👧
  EXPECT_EQ(Clusters(family + "x"), (std::vector<std::string>{family, "x"}));
  const std::string thumbs = "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD";  // 👍🏽
  EXPECT_EQ(Clusters(thumbs), (std::vector<std::string>{thumbs}));
}

TEST(UnicodeTest, P011_FlagsPairRegionalIndicators) {
  const std::string fr = "\xF0\x9F\x87\xAB\xF0\x9F\x87\xB7";  // 🇫🇷
  const std::string de = "\xF0\x9F\x87\xA9\xF0\x9F\x87\xAA";  // 🇩🇪
  EXPECT_EQ(Clusters(fr + de), (std::vector<std::string>{fr, de}));
}

TEST(UnicodeTest, P011_HangulSyllablesAndJamo) {
  EXPECT_EQ(Clusters("\xED\x95\x9C\xEA\xB8\x80"),  // 한글
            (std::vector<std::string>{"\xED\x95\x9C", "\xEA\xB8\x80"}));
  // Conjoining jamo L V T form one cluster: ᄒ ᅡ ᆫ
  EXPECT_EQ(Clusters("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"),
            (std::vector<std::string>{"\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"}));
}

TEST(UnicodeTest, P011_CombiningMarksCrLfAndLimit) {
  std::string long_cluster = "a";
  for (int i = 0; i < 1000; ++i) long_cluster += "\xCC\x81";
  EXPECT_EQ(Clusters(long_cluster + "b"), (std::vector<std::string>{long_cluster, "b"}));
  EXPECT_EQ(Clusters("a\r\nb"), (std::vector<std::string>{"a", "\r\n", "b"}));
  EXPECT_EQ(Clusters("abcdef", 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Clusters("", 3).empty());
}

TEST(UnicodeTest, P011_SegmentationWorksFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 500; ++i) {
        Result<std::vector<std::string_view>> r = LeadingGraphemes("e\xCC\x81t\xC3\xA9", 3);
        if (!r.ok() || r->size() != 3 || (*r)[0] != "e\xCC\x81")
          ++failures[static_cast<std::size_t>(t)];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(UnicodeTest, UnicodeVersionIsReported) { EXPECT_FALSE(UnicodeVersion().empty()); }

}  // namespace
}  // namespace textdb::internal
