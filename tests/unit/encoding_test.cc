// Tests for the byte-level encoding checks (src/format/encoding.h) [F-001..F-003].
#include "format/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace textdb::internal {
namespace {

TEST(EncodingTest, Utf8SequenceLengthFollowsRfc3629) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC2\x80", 0), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xDF\xBF", 0), 2u);
  EXPECT_EQ(Utf8SequenceLength("\xE0\xA0\x80", 0), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xED\x9F\xBF", 0), 3u);      // U+D7FF
  EXPECT_EQ(Utf8SequenceLength("\xEE\x80\x80", 0), 3u);      // U+E000
  EXPECT_EQ(Utf8SequenceLength("\xF0\x90\x80\x80", 0), 4u);  // U+10000
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xC0\x80", 0), 0u);          // overlong NUL
  EXPECT_EQ(Utf8SequenceLength("\xC1\xBF", 0), 0u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xE0\x9F\xBF", 0), 0u);      // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF0\x8F\xBF\xBF", 0), 0u);  // overlong
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xF5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);          // stray continuation
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82", 0), 0u);      // truncated
  EXPECT_EQ(Utf8SequenceLength("\xE2\x28\xA1", 0), 0u);  // bad continuation
}

TEST(EncodingTest, FindsFirstIssueAtEveryAlignment) {
  // The SSE2 path handles 16 bytes at a time; put the bad byte at every position around a block.
  for (std::size_t pad = 0; pad < 40; ++pad) {
    for (const std::string& bad : {std::string(1, '\0'), std::string("\r"), std::string("\xFF")}) {
      const std::string text = std::string(pad, 'x') + bad + "tail";
      EncodingIssue issue;
      ASSERT_TRUE(FindEncodingIssue(text, 0, false, &issue)) << pad;
      EXPECT_EQ(issue.offset, pad);
    }
  }
}

TEST(EncodingTest, CleanTextHasNoIssue) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "Field: value \xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E\n";
  EncodingIssue issue;
  EXPECT_FALSE(FindEncodingIssue(text, 0, false, &issue));
}

TEST(EncodingTest, CrlfOnlyWhenAllowed) {
  EncodingIssue issue;
  EXPECT_FALSE(FindEncodingIssue("a\r\nb\r\n", 0, true, &issue));
  ASSERT_TRUE(FindEncodingIssue("a\r\nb\r\n", 0, false, &issue));
  EXPECT_EQ(issue.offset, 1u);
  EXPECT_STREQ(issue.rule, "F-003");
  ASSERT_TRUE(FindEncodingIssue("a\r\nb\rc", 0, true, &issue));
  EXPECT_EQ(issue.offset, 4u);
  ASSERT_TRUE(FindEncodingIssue("a\r", 0, true, &issue));  // CR at the very end
  EXPECT_EQ(issue.offset, 1u);
}

TEST(EncodingTest, StartsFromTheGivenOffset) {
  EncodingIssue issue;
  ASSERT_TRUE(FindEncodingIssue("\xFFz\xFF", 1, false, &issue));
  EXPECT_EQ(issue.offset, 2u);
  EXPECT_STREQ(issue.rule, "F-001");
}

TEST(EncodingTest, CountCodePoints) {
  EXPECT_EQ(CountCodePoints(""), 0u);
  EXPECT_EQ(CountCodePoints("abc"), 3u);
  EXPECT_EQ(CountCodePoints("\xC3\xA9t\xC3\xA9"), 3u);
  EXPECT_EQ(CountCodePoints("\xF0\x9D\x84\x9E"), 1u);
}

}  // namespace
}  // namespace textdb::internal
