// Private helpers of the schema module (include/textdb/schema.h): the compiled pattern type and
// the pieces of value checking that the schema parser shares with CheckValue.
#ifndef TEXTDB_SCHEMA_VALUE_TYPES_H_
#define TEXTDB_SCHEMA_VALUE_TYPES_H_

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb::internal {

// An RE2 pattern compiled for whole-value matching [S-025]. Immutable after construction.
class CompiledPattern {
 public:
  // Compiles `pattern` (RE2 syntax, UTF-8, no logging). Returns nullptr and sets `*error` to
  // RE2's message when it does not compile (including when it needs more than kMaxMemory).
  static std::shared_ptr<const CompiledPattern> Compile(std::string_view pattern,
                                                        std::string* error);
  // True when the whole of `text` matches.
  bool FullMatch(std::string_view text) const;

  // Memory limit for one compiled pattern, in bytes: hostile patterns fail to compile instead of
  // exhausting memory; matching is linear in the text (RE2 guarantee).
  static constexpr int64_t kMaxMemory = 8 << 20;

 private:
  explicit CompiledPattern(std::string_view pattern, const RE2::Options& options);
  RE2 re_;
};

// `text` in single quotes with \\, \', \n and \t escaped: a string literal of the query language
// [Q-005] (so messages quote values the way a query would write them).
std::string QuoteEscaped(std::string_view text);
// `value` for messages: QuoteEscaped, shortened to kMaxQuotedBytes bytes of input (at a UTF-8
// boundary) followed by "..." inside the quotes.
std::string QuoteForMessage(std::string_view value);
inline constexpr std::size_t kMaxQuotedBytes = 60;

// The elements of a comma-separated list: split at ',' and trimmed of spaces, tabs and LF
// [S-107]. An empty `raw` (after trimming) has no elements. Elements may be empty; callers
// reject them.
std::vector<std::string_view> SplitList(std::string_view raw);

// Appends one component, the canonical value `canonical`, to encoded key *key [S-120]:
// its byte length in decimal, ':', then its bytes.
// PERF: inline; the indexer calls it for every record of every file it reads.
inline void AppendKeyComponent(std::string* key, std::string_view canonical) {
  key->append(std::to_string(canonical.size())).append(1, ':').append(canonical);
}

// Splits encoded key `encoded` [S-120] into exactly out.size() component views; false when it is
// malformed or has another number of components. PERF: allocates nothing (CompareKeys runs for
// every insert of a bulk import).
bool SplitKeyInto(std::string_view encoded, std::span<std::string_view> out);

// Trims spaces, tabs and LF at both ends.
std::string_view TrimSpace(std::string_view text);

// CheckRecord's checks of the record's fields [S-130, S-131], after the key fields' presence:
// declared fields valid, unknown fields allowed, mandatory fields present and non-empty.
// With `key_fields` false the key fields' values are not checked again.
// REQUIRES: `key_fields`, or KeyOf(schema, record) succeeded (the key fields are valid).
Status CheckFields(const Schema& schema, const deb822::Stanza& record, bool key_fields);

// True when CheckValue(field, raw) succeeds; then sets *canonical to CanonicalValue(field.type,
// raw). PERF: a Debian version is parsed once for both (the indexer and KeyOf need both for
// every record).
bool ValidCanonical(const FieldSpec& field, std::string_view raw, std::string* canonical);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Why `raw` is not a Debian version [S-108], or "" when it is one.
std::string DebVersionError(std::string_view raw);

// dpkg's verrevcmp on one version part (upstream or revision) [S-109].
int VerRevCmp(std::string_view a, std::string_view b);

}  // namespace textdb::internal

#endif  // TEXTDB_SCHEMA_VALUE_TYPES_H_
