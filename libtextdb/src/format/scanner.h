// The deb822 line scanner: finds stanza, field and comment boundaries in a buffer and checks the
// line-level syntax rules [F-010..F-025]. It allocates nothing per line and copies no text; it
// reports offsets to a visitor, so the Document parser and (later) the offset indexer share it.
//
// Encoding rules [F-001..F-003] are checked separately (encoding.h) before scanning.
//
// Visitor concept (all offsets are byte offsets into `text`):
//   bool Error(uint32_t offset, uint32_t line, uint32_t line_begin, const char* rule,
//              std::string message);   // return true to go on scanning, false to stop
//   void StanzaBegin(uint32_t begin, uint32_t line);  // begin: first line of the paragraph
//   void Comment(const CommentSpan&, bool inside_field);
//   void Field(const FieldSpan&);
//   void StanzaEnd(uint32_t end);  // end: after the last line's terminator
// Event order within a stanza: StanzaBegin, then comments and fields in input order, except
// that comments lying between a field's continuation lines (inside_field) come just before
// that field's Field event. Comment-only paragraphs produce no events [F-014].
#ifndef TEXTDB_FORMAT_SCANNER_H_
#define TEXTDB_FORMAT_SCANNER_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace textdb::internal {

struct FieldSpan {
  std::uint32_t begin = 0;       // start of the field line
  std::uint32_t end = 0;         // after the terminator of the field's last line (or text end)
  std::uint32_t name_begin = 0;  // the name is [name_begin, name_end)
  std::uint32_t name_end = 0;
  std::uint32_t value_begin = 0;  // first byte of the raw value [F-030]
  std::uint32_t value_end = 0;    // end of the raw value, trailing spaces/tabs trimmed
  std::uint32_t line = 0;         // line of the field name
  // True when the raw value is exactly text[value_begin, value_end); false when comment lines
  // or CRLF terminators lie inside it and it must be assembled line by line.
  bool contiguous = true;
};

struct CommentSpan {
  std::uint32_t begin = 0;  // the '#'
  std::uint32_t end = 0;    // end of the line, terminator (and a CR before it) excluded
  std::uint32_t line = 0;
};

struct ScanOptions {
  bool compat = false;  // the compat profile [F-041]
};

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// True when `c` may appear in a field name [F-021].
inline bool IsFieldNameByte(char c) { return c >= '!' && c <= '~' && c != ':'; }

inline bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Yields the offsets of the '\n' bytes of data[begin, end), in increasing order.
// REQUIRES: begin <= end, and data[begin, end) readable.
// PERF: works on 64-byte blocks: a bitmask of a block's '\n' bytes (four SSE2 compares) is
// consumed one bit per line, instead of one memchr call per line; Packages lines average 43
// bytes, so memchr's call and set-up cost dominated.
class NewlineFinder {
 public:
  NewlineFinder(const char* data, std::uint32_t begin, std::uint32_t end)
      : data_(data), block_(begin), end_(end), mask_(BlockMask(begin)) {}

  // The offset of the next '\n', or `end` when there is none left.
  std::uint32_t Next() {
    while (mask_ == 0) {
      block_ += 64;
      if (block_ >= end_) return static_cast<std::uint32_t>(end_);
      mask_ = BlockMask(block_);
    }
    const auto offset =
        static_cast<std::uint32_t>(block_ + static_cast<std::uint64_t>(std::countr_zero(mask_)));
    mask_ &= mask_ - 1;
    return offset;
  }

 private:
  // Bit i is set when data[at + i] is '\n' (and at + i < end).
  std::uint64_t BlockMask(std::uint64_t at) const {
    const char* p = data_ + at;
#if defined(__SSE2__)
    if (end_ - at >= 64) {  // SAFETY: the 64 bytes lie in [begin, end)
      const __m128i nl = _mm_set1_epi8('\n');
      const auto part = [&](int k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        return static_cast<std::uint64_t>(
            static_cast<std::uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))));
      };
      return part(0) | (part(1) << 16) | (part(2) << 32) | (part(3) << 48);
    }
#endif
    std::uint64_t mask = 0;
    const std::uint64_t n = end_ - at < 64 ? end_ - at : 64;
    for (std::uint64_t i = 0; i < n; ++i) {
      if (p[i] == '\n') mask |= std::uint64_t{1} << i;
    }
    return mask;
  }

  const char* data_;
  std::uint64_t block_;  // offset of the current block (64-bit: block_ + 64 must not wrap)
  std::uint64_t end_;
  std::uint64_t mask_;  // '\n' bytes of the current block not returned yet
};

// Scans text[begin, end), whose first line is line `first_line`. Returns false when the visitor
// asked to stop after an error. REQUIRES: begin <= end <= text.size() <= UINT32_MAX.
template <typename Visitor>
class Scanner {
 public:
  Scanner(std::string_view text, const ScanOptions& options, Visitor* visitor)
      : data_(text.data()),
        size_(static_cast<std::uint32_t>(text.size())),
        compat_(options.compat),
        v_(visitor) {}

  bool Scan(std::uint32_t begin, std::uint32_t end, std::uint32_t first_line) {
    std::uint32_t pos = begin;
    line_ = first_line;
    NewlineFinder newlines(data_, begin, end);
    while (pos < end) {
      const std::uint32_t line_end = newlines.Next();  // `end` when the last line has no '\n'
      const std::uint32_t next = line_end < end ? line_end + 1 : end;
      std::uint32_t content_end = line_end;
      if (compat_ && content_end > pos && data_[content_end - 1] == '\r') --content_end;
      if (!ScanLine(pos, content_end, next)) return false;
      pos = next;
      ++line_;
    }
    CloseParagraph(end);
    return true;
  }

  // The number of the line after the last one scanned: where a scan of the text that follows
  // `end` starts counting. REQUIRES: Scan returned true.
  std::uint32_t next_line() const { return line_; }

 private:
  struct NameEntry {
    std::uint32_t hash;
    std::uint32_t begin;
    std::uint32_t size;
    std::uint32_t line;
  };

  bool ScanLine(std::uint32_t ls, std::uint32_t le, std::uint32_t next) {
    if (le == ls) {  // an empty line ends the paragraph [F-011]
      CloseParagraph(ls);
      return true;
    }
    const char c = data_[ls];
    if (c == '#') {  // a comment [F-013]
      StartParagraph(ls);
      pending_.push_back({ls, le, line_});
      return true;
    }
    if (IsBlank(c)) {
      std::uint32_t i = ls;
      while (i < le && IsBlank(data_[i])) ++i;
      if (i == le) {  // whitespace-only line [F-012]
        CloseParagraph(ls);
        if (compat_) return true;
        return v_->Error(ls, line_, ls, "F-012",
                         "whitespace-only line; expected an empty line without spaces or tabs "
                         "(the compat profile accepts this as a stanza separator)");
      }
      return Continuation(ls, le, next);
    }
    return FieldLine(ls, le, next);
  }

  bool Continuation(std::uint32_t ls, std::uint32_t le, std::uint32_t next) {
    if (skipping_) return true;
    if (!field_open_) {
      StartParagraph(ls);
      skipping_ = true;
      return v_->Error(ls, line_, ls, "F-025",
                       "continuation line outside a field; expected a field line 'Name: value' "
                       "(a line starting with a space or tab continues the field above it)");
    }
    for (const CommentSpan& comment : pending_) v_->Comment(comment, /*inside_field=*/true);
    if (!pending_.empty()) field_.contiguous = false;
    pending_.clear();
    if (compat_ && data_[ls - 2] == '\r') field_.contiguous = false;  // CRLF inside the value
    field_.value_end = le;
    field_.end = next;
    return true;
  }

  // [F-026]: a line that git (or diff3) writes around a conflict: at least seven '<', '=', '|'
  // or '>', then the end of the line or a space.
  bool IsConflictMarker(std::uint32_t ls, std::uint32_t le) const {
    const char c = data_[ls];
    if (c != '<' && c != '=' && c != '|' && c != '>') return false;
    std::uint32_t i = ls;
    while (i < le && data_[i] == c) ++i;
    return i - ls >= 7 && (i == le || data_[i] == ' ');
  }

  bool FieldLine(std::uint32_t ls, std::uint32_t le, std::uint32_t next) {
    CloseField();
    skipping_ = false;
    StartParagraph(ls);
    if (data_[ls] == '-') {
      skipping_ = true;
      const bool armour = std::string_view(data_ + ls, le - ls).starts_with("-----BEGIN PGP");
      return v_->Error(ls, line_, ls, "F-022",
                       armour ? "OpenPGP armour; a signed file needs the compat profile with "
                                "signature stripping (textdb convert --profile compat "
                                "--strip-signature)"
                              : "field name starts with '-'; expected a name starting with a "
                                "letter, digit or punctuation other than '-' and '#'");
    }
    // PERF: the common shape "Name:" (the name bytes then the colon) is recognised with one
    // SSE2 pass over the name; anything else goes through the rules one by one, for their
    // exact errors. In that shape the colon is the line's first, nothing stands between name
    // and colon, and the name is non-empty and valid, so it passes [F-020, F-021, F-023].
    std::uint32_t name_end = NameEnd(ls, le);
    std::uint32_t colon_pos = name_end;
    if (name_end == ls || name_end == le || data_[name_end] != ':') {
      if (IsConflictMarker(ls, le)) {
        skipping_ = true;
        return v_->Error(ls, line_, ls, "F-026",
                         "unresolved merge conflict marker; expected a field line: resolve the "
                         "conflict (edit the file, keep the right lines, remove the markers)");
      }
      const char* colon = static_cast<const char*>(std::memchr(data_ + ls, ':', le - ls));
      if (colon == nullptr) {
        skipping_ = true;
        return v_->Error(ls, line_, ls, "F-020",
                         "line is not a field: expected 'Name: value', a continuation line "
                         "starting with a space or tab, a comment starting with '#', or an "
                         "empty line");
      }
      colon_pos = static_cast<std::uint32_t>(colon - data_);
      name_end = colon_pos;
      if (name_end > ls && IsBlank(data_[name_end - 1])) {
        while (name_end > ls && IsBlank(data_[name_end - 1])) --name_end;
        if (!compat_) {
          skipping_ = true;
          return v_->Error(name_end, line_, ls, "F-023",
                           "whitespace before ':'; expected the colon right after the field "
                           "name (the compat profile accepts this)");
        }
      }
      if (name_end == ls) {
        skipping_ = true;
        return v_->Error(ls, line_, ls, "F-021", "empty field name; expected a name before ':'");
      }
      for (std::uint32_t i = ls; i < name_end; ++i) {
        if (!IsFieldNameByte(data_[i])) {
          skipping_ = true;
          return v_->Error(i, line_, ls, "F-021", NameByteMessage(data_[i]));
        }
      }
    }
    const std::uint32_t hash = NameHash(ls, name_end - ls);
    // PERF: a 64-bit Bloom filter of the stanza's name hashes: the list of names is searched
    // only when the name's bit is already set (6% of the fields of the Packages file), not for
    // every field.
    const std::uint64_t bit = std::uint64_t{1} << (hash >> 26);
    if ((names_bloom_ & bit) != 0) {
      const std::string_view name(data_ + ls, name_end - ls);
      for (const NameEntry& seen : names_) {
        if (seen.hash == hash && seen.size == name.size() &&
            EqualsIgnoreAsciiCase(name, std::string_view(data_ + seen.begin, seen.size))) {
          skipping_ = true;
          return v_->Error(ls, line_, ls, "F-024",
                           fmt::format("duplicate field '{}' (first at line {}); field names "
                                       "are compared without regard to case and must be "
                                       "unique in a stanza",
                                       name, seen.line));
        }
      }
    }
    names_bloom_ |= bit;
    names_.push_back({hash, ls, name_end - ls, line_});
    if (!stanza_open_) {
      stanza_open_ = true;
      v_->StanzaBegin(para_begin_, para_line_);
      for (const CommentSpan& comment : pending_) v_->Comment(comment, /*inside_field=*/false);
      pending_.clear();
    }
    std::uint32_t value_begin = colon_pos + 1;
    while (value_begin < le && IsBlank(data_[value_begin])) ++value_begin;
    field_ = FieldSpan{ls, next, ls, name_end, value_begin, le, line_, true};
    field_open_ = true;
    return true;
  }

  // The first offset in [i, le) whose byte may not appear in a field name [F-021], or le.
  std::uint32_t NameEnd(std::uint32_t i, std::uint32_t le) const {
#if defined(__SSE2__)
    // PERF: 16 bytes at a time; a name byte is 0x21..0x7E (signed compares: bytes >= 0x80 are
    // negative) other than ':'. SAFETY: loads stay inside the text (size_), though they may
    // read past `le` and `end`; what lies past `le` is ignored.
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i del = _mm_set1_epi8(0x7F);
    const __m128i colon = _mm_set1_epi8(':');
    while (i < le && size_ - i >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data_ + i));
      const __m128i ok =
          _mm_andnot_si128(_mm_cmpeq_epi8(v, colon),
                           _mm_and_si128(_mm_cmpgt_epi8(v, space), _mm_cmplt_epi8(v, del)));
      const auto bad = static_cast<unsigned>(_mm_movemask_epi8(ok)) ^ 0xFFFFu;
      if (bad != 0) {
        const std::uint32_t at = i + static_cast<std::uint32_t>(std::countr_zero(bad));
        return at < le ? at : le;
      }
      i += 16;
    }
#endif
    while (i < le && IsFieldNameByte(data_[i])) ++i;
    return i < le ? i : le;
  }

  // A hash of the field name text[begin, begin + size) that is equal for names equal ignoring
  // ASCII case [F-024]: it mixes the size and the first 16 bytes with bit 0x20 set (which maps
  // 'A'..'Z' to 'a'..'z' and may map other bytes together; the names are compared after).
  std::uint32_t NameHash(std::uint32_t begin, std::uint32_t size) const {
    alignas(16) unsigned char folded[16] = {};
    const std::uint32_t n = size < 16 ? size : 16;
#if defined(__SSE2__)
    if (size_ - begin >= 16) {
      // PERF: one load; bytes past the name are masked to zero, as in the loop below.
      // SAFETY: the 16 bytes lie inside the text (size_).
      static constexpr char kIndex[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data_ + begin));
      const __m128i in_name =
          _mm_cmpgt_epi8(_mm_set1_epi8(static_cast<char>(n)),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIndex)));
      _mm_store_si128(reinterpret_cast<__m128i*>(folded),
                      _mm_and_si128(_mm_or_si128(v, _mm_set1_epi8(0x20)), in_name));
    } else
#endif
    {
      for (std::uint32_t i = 0; i < n; ++i) {
        folded[i] = static_cast<unsigned char>(static_cast<unsigned char>(data_[begin + i]) | 0x20);
      }
    }
    std::uint64_t lo;
    std::uint64_t hi;
    std::memcpy(&lo, folded, 8);
    std::memcpy(&hi, folded + 8, 8);
    std::uint64_t h = (lo * 0x9E3779B97F4A7C15u) ^ (hi * 0xC2B2AE3D27D4EB4Fu) ^ size;
    h ^= h >> 32;
    return static_cast<std::uint32_t>(h);
  }

  static std::string NameByteMessage(char b) {
    const auto u = static_cast<unsigned char>(b);
    const std::string shown =
        (u > 0x20 && u < 0x7F) ? fmt::format("'{}'", b) : fmt::format("byte 0x{:02X}", u);
    return fmt::format(
        "invalid character {} in field name; expected US-ASCII characters '!' to '~' other "
        "than ':', with no spaces",
        shown);
  }

  void StartParagraph(std::uint32_t ls) {
    if (in_paragraph_) return;
    in_paragraph_ = true;
    para_begin_ = ls;
    para_line_ = line_;
  }

  void CloseField() {
    if (!field_open_) return;
    field_open_ = false;
    while (field_.value_end > field_.value_begin && IsBlank(data_[field_.value_end - 1])) {
      --field_.value_end;
    }
    v_->Field(field_);
    for (const CommentSpan& comment : pending_) v_->Comment(comment, /*inside_field=*/false);
    pending_.clear();
  }

  void CloseParagraph(std::uint32_t at) {
    CloseField();
    if (stanza_open_) v_->StanzaEnd(at);
    pending_.clear();  // a comment-only paragraph makes no stanza [F-014]
    names_.clear();
    names_bloom_ = 0;
    in_paragraph_ = stanza_open_ = skipping_ = false;
  }

  const char* data_;
  std::uint32_t size_;  // of the whole text: loads may read past `end` up to here
  bool compat_;
  Visitor* v_;

  std::uint32_t line_ = 0;
  bool in_paragraph_ = false;  // inside a run of non-empty lines
  bool stanza_open_ = false;   // StanzaBegin was sent for this paragraph
  bool field_open_ = false;    // field_ is being extended by continuation lines
  bool skipping_ = false;      // after an erroneous line: ignore its continuation lines
  std::uint32_t para_begin_ = 0;
  std::uint32_t para_line_ = 0;
  FieldSpan field_;
  std::vector<CommentSpan> pending_;  // comments not yet placed
  std::vector<NameEntry> names_;      // field names of the open stanza [F-024]
  std::uint64_t names_bloom_ = 0;     // bit (hash >> 26) of every entry of names_
};

}  // namespace textdb::internal

#endif  // TEXTDB_FORMAT_SCANNER_H_
