// Query text comparison on top of ICU: see collation.h.
#include "query/collation.h"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/stringpiece.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "schema/value_types.h"
#include "text/unicode.h"

namespace textdb::internal {
namespace {

int CompareBytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return (c > 0) - (c < 0);
}

// The root collator every thread clones; null when ICU cannot create one. Never destroyed, so
// that threads still running at exit may clone it.
const icu::Collator* RootCollator() {
  static const icu::Collator* const root = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> collator(
        icu::Collator::createInstance(icu::Locale::getRoot(), status));
    return U_FAILURE(status) ? nullptr : collator.release();
  }();
  return root;
}

icu::Collator* ThreadCollator() {
  thread_local const std::unique_ptr<icu::Collator> collator(
      RootCollator() == nullptr ? nullptr : RootCollator()->clone());
  return collator.get();
}

}  // namespace

int CollateText(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  constexpr std::size_t kMaxIcuLength = 0x7FFFFFFF;  // icu::StringPiece lengths are int32_t
  icu::Collator* collator = ThreadCollator();
  if (collator != nullptr && a.size() <= kMaxIcuLength && b.size() <= kMaxIcuLength) {
    UErrorCode status = U_ZERO_ERROR;
    const UCollationResult result =
        collator->compareUTF8(icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
                              icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
    if (U_SUCCESS(status) && result != UCOL_EQUAL) return result == UCOL_LESS ? -1 : 1;
  }
  return CompareBytes(a, b);
}

std::string FoldText(std::string_view text) {
  Result<std::string> folded = FoldKey(text);
  if (!folded.ok()) return std::string(text);
  return std::move(folded).value();
}

bool FoldedEqual(std::string_view a, std::string_view b) {
  if (AsciiPrefixLength(a) == a.size() && AsciiPrefixLength(b) == b.size()) {
    return EqualsIgnoreCase(a, b);
  }
  return FoldText(a) == FoldText(b);
}

}  // namespace textdb::internal
