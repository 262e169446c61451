// Unicode text handling for keys: UTF-8 validation, caseless folding and grapheme clusters.
//
// Part of the text layer (libtextdb/src/text/), the only place in textdb that uses ICU; ICU types
// never appear in this header. Used by the partitioning code (partition.h) and, later, by the
// index and query layers for key comparison. Rules cited are in format-spec/partitioning.md.
//
// Thread-safety: every function may be called from any thread at the same time. ICU's
// normalizer instances are immutable singletons; the grapheme break iterator is kept per thread
// (thread_local), because icu::BreakIterator is not thread-safe.
#ifndef TEXTDB_TEXT_UNICODE_H_
#define TEXTDB_TEXT_UNICODE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/status.h"

namespace textdb::internal {

// The version of the Unicode Character Database that the linked ICU implements, e.g. "15.0".
// Folding and grapheme segmentation (and so partition paths) are defined by it [P-060]; the
// engine records it with a table.
std::string UnicodeVersion();

// OK when `text` is valid UTF-8 (RFC 3629, as [F-001]); otherwise kInvalidArgument naming `what`
// and the byte offset of the first invalid sequence, e.g.
// "key is not valid UTF-8: invalid byte sequence at offset 3".
// PERF: 8 bytes at a time over ASCII.
Status ValidateUtf8(std::string_view text, std::string_view what);

// Offset of the first byte >= 0x80 in `text`, or text.size() when it is all ASCII.
std::size_t AsciiPrefixLength(std::string_view text);

// The caseless form of a key [P-010]: NFC(toCasefold(NFD(utf8))) with ICU's full default case
// folding (root locale, no Turkic tailoring). Idempotent: FoldKey(FoldKey(x)) == FoldKey(x).
// Canonically equivalent or case-variant strings fold equal: "Émile", "émile", "E\u0301mile";
// "Straße" and "STRASSE"; "ΣΟΦΟΣ", "σοφος", "σοφoς".
// Errors: kInvalidArgument when `utf8` is not valid UTF-8; kNotSupported when ICU fails (no
// data or out of memory). The empty string folds to the empty string.
// PERF: pure-ASCII input is lowercased without calling ICU.
Result<std::string> FoldKey(std::string_view utf8);

// A byte prefix of FoldKey(utf8) whose first `n` grapheme clusters are those of FoldKey(utf8)
// (the whole of it when no shorter prefix is known to have that property). Errors: as FoldKey.
// PERF: folds only about the first 64 bytes of a long key when it can cut the key at a code point
// where NFD, case folding and NFC all act independently on both sides, so a 4 KB key costs
// about as much as a short one.
Result<std::string> FoldKeyPrefix(std::string_view utf8, std::size_t n);

// The first `n` extended grapheme clusters of `text` (UAX #29, root locale) [P-011], as views
// into `text` (valid while `text` is); fewer when `text` has fewer. Concatenated they are a
// prefix of `text`.
// REQUIRES: `text` is valid UTF-8 (it need not be folded).
// Errors: kNotSupported when ICU cannot create a break iterator.
Result<std::vector<std::string_view>> LeadingGraphemes(std::string_view text, std::size_t n);

// True when code point `c` has Grapheme_Cluster_Break Control, CR or LF: a cluster that starts
// with it never has more than itself (except CR LF).
bool IsGraphemeControl(char32_t c);

// Decodes the code point starting at text[*i] and advances *i past it.
// REQUIRES: `text` is valid UTF-8 and *i < text.size() is the start of a sequence.
char32_t DecodeUtf8(std::string_view text, std::size_t* i);

}  // namespace textdb::internal

#endif  // TEXTDB_TEXT_UNICODE_H_
