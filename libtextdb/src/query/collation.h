// Text comparison for the query language: root-locale collation with a code point
// tie-break, and caseless equality by Unicode full case folding.
//
// Part of the query layer; the one file of it that uses ICU (collation lives here rather than
// in src/text/ only because that folder belongs to another module; the folding itself is the
// text layer's FoldKey). ICU types never appear in this header.
// Thread-safety: every function may be called from any thread at once (each thread uses its own
// clone of the collator, since an icu::Collator is not meant to be shared for comparing).
#ifndef TEXTDB_QUERY_COLLATION_H_
#define TEXTDB_QUERY_COLLATION_H_

#include <string>
#include <string_view>

namespace textdb::internal {

// <0, 0 or >0: the Unicode Collation Algorithm order of the root locale (ICU, default
// strength), ties between different strings broken by code point order, so that 0 means equal
// bytes. Falls back to byte order when ICU has no collation data.
int CollateText(std::string_view a, std::string_view b);

// The caseless form used by -i: FoldKey (NFC(toCasefold(NFD(x)))); the text itself when
// it is not valid UTF-8.
std::string FoldText(std::string_view text);

// FoldText(a) == FoldText(b). PERF: ASCII inputs compare without allocating.
bool FoldedEqual(std::string_view a, std::string_view b);

}  // namespace textdb::internal

#endif  // TEXTDB_QUERY_COLLATION_H_
