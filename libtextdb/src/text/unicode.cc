// Unicode text handling on top of ICU: see unicode.h.
#include "text/unicode.h"

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <unicode/uversion.h>

#include "format/encoding.h"

namespace textdb::internal {
namespace {

Status IcuFailure(const char* what, UErrorCode code) {
  return Status::NotSupported(std::string("ICU failed to ") + what + ": " + u_errorName(code));
}

char AsciiLowerChar(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string UnicodeVersion() { return U_UNICODE_VERSION; }

std::size_t AsciiPrefixLength(std::string_view text) {
  const char* data = text.data();
  const std::size_t size = text.size();
  std::size_t i = 0;
  // PERF: eight bytes per step; memcpy keeps the load aligned-agnostic and is one instruction.
  for (; size - i >= 8; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  for (; i < size; ++i) {
    if (static_cast<unsigned char>(data[i]) >= 0x80) return i;
  }
  return size;
}

Status ValidateUtf8(std::string_view text, std::string_view what) {
  std::size_t i = AsciiPrefixLength(text);
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  while (i < text.size()) {
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    // PERF: the common two- and three-byte forms inline; Utf8SequenceLength ([F-001]) decides
    // the rest (overlong and surrogate boundaries, four-byte forms, errors).
    if (b0 >= 0xC2 && b0 <= 0xDF && i + 1 < text.size() && (byte(i + 1) & 0xC0) == 0x80) {
      i += 2;
      continue;
    }
    if (b0 >= 0xE1 && b0 <= 0xEC && i + 2 < text.size() && (byte(i + 1) & 0xC0) == 0x80 &&
        (byte(i + 2) & 0xC0) == 0x80) {
      i += 3;
      continue;
    }
    const std::size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      return Status::InvalidArgument(std::string(what) +
                                     " is not valid UTF-8: invalid byte sequence at offset " +
                                     std::to_string(i));
    }
    i += len;
  }
  return Status::Ok();
}

char32_t DecodeUtf8(std::string_view text, std::size_t* i) {
  const auto byte = [&](std::size_t k) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[k]));
  };
  const char32_t b0 = byte(*i);
  if (b0 < 0x80) {
    *i += 1;
    return b0;
  }
  if (b0 < 0xE0) {
    const char32_t c = ((b0 & 0x1F) << 6) | (byte(*i + 1) & 0x3F);
    *i += 2;
    return c;
  }
  if (b0 < 0xF0) {
    const char32_t c = ((b0 & 0x0F) << 12) | ((byte(*i + 1) & 0x3F) << 6) | (byte(*i + 2) & 0x3F);
    *i += 3;
    return c;
  }
  const char32_t c = ((b0 & 0x07) << 18) | ((byte(*i + 1) & 0x3F) << 12) |
                     ((byte(*i + 2) & 0x3F) << 6) | (byte(*i + 3) & 0x3F);
  *i += 4;
  return c;
}

bool IsGraphemeControl(char32_t c) {
  const int gcb = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_GRAPHEME_CLUSTER_BREAK);
  return gcb == U_GCB_CONTROL || gcb == U_GCB_CR || gcb == U_GCB_LF;
}

Result<std::string> FoldKey(std::string_view utf8) {
  if (AsciiPrefixLength(utf8) == utf8.size()) {
    // PERF: ASCII is NFC and NFD already, and full case folding maps exactly A-Z to a-z.
    std::string out(utf8);
    for (char& c : out) c = AsciiLowerChar(c);
    return out;
  }
  TEXTDB_RETURN_IF_ERROR(ValidateUtf8(utf8, "key"));
  if (utf8.size() > static_cast<std::size_t>(INT32_MAX)) {
    return Status::InvalidArgument("key is too long to fold (more than 2 GiB)");
  }
  UErrorCode code = U_ZERO_ERROR;
  // The instances are process-wide singletons owned by ICU; getting them is thread-safe.
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(code);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(code);
  if (U_FAILURE(code)) return IcuFailure("load normalization data", code);
  const icu::UnicodeString input = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString decomposed = nfd->normalize(input, code);
  if (U_FAILURE(code)) return IcuFailure("normalize to NFD", code);
  // [P-010] Full default case folding (U_FOLD_CASE_DEFAULT: no Turkic dotless-i tailoring).
  decomposed.foldCase(U_FOLD_CASE_DEFAULT);
  if (decomposed.isBogus()) return IcuFailure("fold case", U_MEMORY_ALLOCATION_ERROR);
  const icu::UnicodeString composed = nfc->normalize(decomposed, code);
  if (U_FAILURE(code)) return IcuFailure("normalize to NFC", code);
  std::string out;
  composed.toUTF8String(out);
  return out;
}

namespace {

// True when `text` can be cut before code point `c` with
// FoldKey(a + b) == FoldKey(a) + FoldKey(b) for the two sides: NFD has a boundary before c
// (c and its decomposition start with a starter), c does not change under case folding (so
// folding the decomposition leaves it), and NFC has a boundary before the first code point of
// that decomposition (it never composes with what precedes it).
bool IsFoldBoundary(char32_t c, const icu::Normalizer2& nfd, const icu::Normalizer2& nfc) {
  const auto cp = static_cast<UChar32>(c);
  if (c < 0x80) return c != '\n';  // keep CR LF together (they are one grapheme cluster)
  if (!nfd.hasBoundaryBefore(cp) || u_hasBinaryProperty(cp, UCHAR_CHANGES_WHEN_CASEFOLDED)) {
    return false;
  }
  icu::UnicodeString decomposition;
  const UChar32 first = nfd.getDecomposition(cp, decomposition) ? decomposition.char32At(0) : cp;
  return nfc.hasBoundaryBefore(first);
}

}  // namespace

Result<std::string> FoldKeyPrefix(std::string_view utf8, std::size_t n) {
  constexpr std::size_t kMinCut = 64;   // bytes; enough for a few clusters of any script
  constexpr std::size_t kMaxScan = 64;  // code points to look at for a cut before giving up
  if (utf8.size() <= 2 * kMinCut) return FoldKey(utf8);
  TEXTDB_RETURN_IF_ERROR(ValidateUtf8(utf8, "key"));
  UErrorCode code = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(code);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(code);
  if (U_FAILURE(code)) return IcuFailure("load normalization data", code);
  std::size_t i = kMinCut;
  while (i < utf8.size() && (static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80) ++i;
  for (std::size_t scanned = 0; scanned < kMaxScan && i < utf8.size(); ++scanned) {
    std::size_t next = i;
    if (IsFoldBoundary(DecodeUtf8(utf8, &next), *nfd, *nfc)) {
      Result<std::string> head = FoldKey(utf8.substr(0, i));
      if (!head.ok()) return head;
      // The first n clusters of the head are those of the whole key when the head has one
      // more: a grapheme boundary depends only on the text before it and the next code point.
      Result<std::vector<std::string_view>> clusters = LeadingGraphemes(*head, n + 1);
      if (!clusters.ok()) return clusters.status();
      if (clusters->size() > n) return head;
      break;
    }
    i = next;
  }
  return FoldKey(utf8);
}

Result<std::vector<std::string_view>> LeadingGraphemes(std::string_view text, std::size_t n) {
  std::vector<std::string_view> clusters;
  if (n == 0 || text.empty()) return clusters;
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) {
    return Status::InvalidArgument("text is too long to segment (more than 2 GiB)");
  }
  // SAFETY: icu::BreakIterator is not thread-safe; each thread gets its own. Created on first use
  // and kept until the thread ends.
  thread_local std::unique_ptr<icu::BreakIterator> iterator;
  UErrorCode code = U_ZERO_ERROR;
  if (iterator == nullptr) {
    iterator.reset(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), code));
    if (U_FAILURE(code) || iterator == nullptr) {
      iterator.reset();
      return IcuFailure("create a grapheme cluster break iterator", code);
    }
  }
  UText utext = UTEXT_INITIALIZER;
  utext_openUTF8(&utext, text.data(), static_cast<int64_t>(text.size()), &code);
  if (U_FAILURE(code)) return IcuFailure("open UTF-8 text", code);
  iterator->setText(&utext, code);  // the iterator keeps a shallow clone; `text` must outlive use
  if (U_FAILURE(code)) {
    utext_close(&utext);
    return IcuFailure("set the break iterator text", code);
  }
  clusters.reserve(n < 16 ? n : 16);
  int32_t start = iterator->first();
  while (clusters.size() < n) {
    const int32_t end = iterator->next();
    if (end == icu::BreakIterator::DONE) break;
    clusters.push_back(
        text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)));
    start = end;
  }
  utext_close(&utext);
  return clusters;
}

}  // namespace textdb::internal
