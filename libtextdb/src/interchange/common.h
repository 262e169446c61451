// Helpers shared by the interchange writers and readers (json.cc, csv.cc): JSON string escaping,
// reader diagnostics "FILE:LINE:COL: error: MESSAGE [RULE]", and case-insensitive name
// hashing for the CSV header. Private to libtextdb; see format-spec/interchange.md.
#ifndef TEXTDB_INTERCHANGE_COMMON_H_
#define TEXTDB_INTERCHANGE_COMMON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "textdb/status.h"

namespace textdb::interchange::internal {

// Readers reject a record with more fields, and a CSV header with more columns.
// Building a stanza with Stanza::SetRaw costs O(fields) per field, so this bound keeps reading
// linear in the input size.
inline constexpr std::size_t kMaxFieldsPerRecord = 1000;

// Appends `text` as a JSON string literal [X-004]: '"' '\\' and control characters escaped
// (\n \t \r \b \f, otherwise \u00xx), every other byte copied as is.
void AppendJsonString(std::string_view text, std::string* out);

// `name` as a JSON string literal for an error message, cut after 64 bytes (at a UTF-8 sequence
// boundary) with "..." before the closing quote.
std::string DisplayName(std::string_view name);

// Says what the input holds at `offset`, for "expected X, found Y": "end of input",
// "end of line", "'x'", "control character U+0001", "'é' (U+00E9)" or "invalid UTF-8 byte 0xFF".
std::string DescribeAt(std::string_view text, std::size_t offset);

// kInvalidData "FILE:LINE:COL: error: MESSAGE [RULE]"; LINE counts line feeds before
// `offset`, COL counts code points from the line start to `offset`, both 1-based.
// REQUIRES: offset <= text.size(); text[0, offset) is valid UTF-8.
Status DataError(std::string_view text, std::string_view file_name, std::size_t offset,
                 std::string_view rule, std::string_view message);

// The data error for an invalid field name `name` found at `offset`.
Status NameError(std::string_view text, std::string_view file_name, std::size_t offset,
                 std::string_view name);

// The data error for a value of field `name` at `offset` that Stanza::SetRaw refused with
// `cause`; the message carries cause's reason and its [W-nnn] rule.
Status ValueError(std::string_view text, std::string_view file_name, std::size_t offset,
                  std::string_view name, const Status& cause);

// The data error for invalid UTF-8 at `offset`.
Status EncodingError(std::string_view text, std::string_view file_name, std::size_t offset);

// Hash and equality of field names ignoring ASCII case [F-024].
struct NameHash {
  std::size_t operator()(std::string_view name) const;
};
struct NameEqual {
  bool operator()(std::string_view a, std::string_view b) const;
};

}  // namespace textdb::interchange::internal

#endif  // TEXTDB_INTERCHANGE_COMMON_H_
