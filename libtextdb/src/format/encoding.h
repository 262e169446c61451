// Byte-level encoding checks for deb822 input [F-001..F-004]: valid UTF-8, no NUL, CR only as
// allowed by the profile. Part of the format layer; used before the line scanner runs.
#ifndef TEXTDB_FORMAT_ENCODING_H_
#define TEXTDB_FORMAT_ENCODING_H_

#include <cstddef>
#include <string_view>

namespace textdb::internal {

struct EncodingIssue {
  std::size_t offset = 0;    // offset of the offending byte
  const char* rule = "";     // format-spec rule id, e.g. "F-001"
  const char* message = "";  // what is wrong and what was expected
};

// Finds the first byte at or after `from` that breaks the encoding rules: invalid UTF-8
// [F-001], NUL [F-002], or CR [F-003] (when `allow_crlf`, a CR directly followed by LF is
// accepted). Returns false when there is none.
// PERF: 64 bytes per step with SSE2 over ASCII text; scalar only around non-ASCII bytes.
bool FindEncodingIssue(std::string_view text, std::size_t from, bool allow_crlf,
                       EncodingIssue* issue);

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is invalid (overlong,
// surrogate, above U+10FFFF, truncated or a stray continuation byte). REQUIRES: i < text.size()
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i);

// Number of code points in `text` (which need not be valid UTF-8: every byte that is not a
// continuation byte counts one).
std::size_t CountCodePoints(std::string_view text);

}  // namespace textdb::internal

#endif  // TEXTDB_FORMAT_ENCODING_H_
