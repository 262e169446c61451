// Conversion of stanzas to and from JSON, NDJSON and CSV (format-spec/interchange.md).
//
// Every format carries the raw field values of format-spec/deb822.md [F-030], so
//   deb822 -> JSON -> deb822 (canonical)
// reproduces a canonical file byte for byte.
//
// Thread-safety: free functions without shared state; safe to call from several threads.
// Lifetime: results are values owned by the caller (the stanzas read own their text); nothing
// refers to the input after a call returns.
#ifndef TEXTDB_INTERCHANGE_H_
#define TEXTDB_INTERCHANGE_H_

#include <string>
#include <string_view>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/status.h"

namespace textdb::interchange {

enum class Format { kDeb822, kJson, kNdjson, kCsv };

// "deb822", "json", "ndjson" or "csv" -> Format; kInvalidArgument for anything else.
Result<Format> ParseFormatName(std::string_view name);
std::string_view FormatName(Format format);

// JSON: one array; each stanza an object whose members are its fields in order, named as
// written, valued by the raw value. Ends with a newline.
std::string ToJson(const std::vector<deb822::Stanza>& stanzas);
// NDJSON: one such object per line.
std::string ToNdjson(const std::vector<deb822::Stanza>& stanzas);
// CSV: RFC 4180 (CRLF record ends), a header row of the union of field names in
// first-seen order; an absent field is an empty unquoted cell, an empty value is "".
std::string ToCsv(const std::vector<deb822::Stanza>& stanzas);
// deb822 [W-001..W-005]: the stanzas in canonical form, one blank line between them.
std::string ToDeb822(const std::vector<deb822::Stanza>& stanzas);

// Readers: the inverse of the writers. They fail with kInvalidData and a message
// "FILE:LINE:COL: error: MESSAGE [RULE]" (FILE is `file_name`) on malformed input, on a member
// or cell that is not a valid field name or representable raw value [W-010..W-015], and on a
// duplicate field in one record. Nothing is returned on failure.
Result<std::vector<deb822::Stanza>> FromJson(std::string_view text, std::string_view file_name);
Result<std::vector<deb822::Stanza>> FromNdjson(std::string_view text, std::string_view file_name);
Result<std::vector<deb822::Stanza>> FromCsv(std::string_view text, std::string_view file_name);

}  // namespace textdb::interchange

#endif  // TEXTDB_INTERCHANGE_H_
