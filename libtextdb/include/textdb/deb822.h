// The deb822 (Debian control file) format: a lossless reader and a canonical writer.
//
// This is the file format every textdb data and schema file uses; it is specified normatively in
// format-spec/deb822.md, whose rule ids ([F-nnn], [W-nnn], [L-nnn]) are cited below.
//
//   textdb::deb822::ParseOptions options;
//   options.file_name = "Packages";
//   textdb::Result<textdb::deb822::Document> doc = textdb::deb822::Parse(text, options);
//   if (!doc.ok()) return doc.status();           // "Packages:12:1: error: ... [F-020]"
//   for (const auto& stanza : doc->stanzas()) {
//     if (const auto* field = stanza.Find("package")) use(field->value());
//   }
//
// Lossless: a Document keeps every byte of its input (comments, spacing, blank lines), so
// Document::Write() of an unmodified document returns the input unchanged, and editing one field
// changes only that field's bytes [L-001..L-004]. Document::WriteCanonical() normalises instead.
//
// Thread-safety: the types here are values without hidden shared mutable state; const methods may
// be called from several threads at once, mutation needs external synchronisation. Copies of a
// Stanza share the (immutable) input buffer by reference count.
//
// Lifetime: the string_views a Field, Comment or Document hands out stay valid as long as any
// copy of the Stanza or Document that owns them lives (the input buffer is shared, not copied);
// a pointer from Stanza::Find is valid until that stanza is next modified. Field names are
// compared ignoring ASCII case everywhere (Find, Get, SetRaw, Remove) [F-024]; fields keep their
// order.
#ifndef TEXTDB_DEB822_H_
#define TEXTDB_DEB822_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "textdb/status.h"

namespace textdb::deb822 {

class DocumentBuilder;  // internal: builds a Document from the scanner's events
class StanzaViews;      // internal: stanzas of views for a scan's filter (format/stanza_views.h)

// Which syntax variant to accept [F-040, F-041].
enum class Profile {
  kStrict,  // what the store reads and writes: LF only, no BOM, no whitespace-only lines
  kCompat,  // for importing foreign files: CRLF, BOM, whitespace before ':', blank-ish separators
};

// Largest input the parser accepts, in bytes [F-050]: offsets are kept in 32 bits.
inline constexpr std::size_t kMaxInputBytes = 0xFFFFFFFFu;

struct ParseOptions {
  // The syntax variant. Default: strict.
  Profile profile = Profile::kStrict;
  // Compat only: strip an OpenPGP clear-signature armour around the content [F-042]. The
  // signature is NOT verified; Document::signature_stripped() tells that one was removed.
  bool strip_signature = false;
  // Name used in diagnostics. Default: "<input>".
  std::string file_name = "<input>";
  // When diagnostics are requested, stop after this many errors (at least 1). Default: 100.
  std::size_t max_errors = 100;
};

// One error found in an input, located to the byte.
struct Diagnostic {
  std::string file;
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, in Unicode code points of the line (a tab counts 1)
  std::string rule;          // e.g. "F-021", a rule id of format-spec/
  std::string message;       // what is wrong and what was expected

  // "FILE:LINE:COL: error: MESSAGE [RULE]"
  std::string ToString() const;
};

// A comment line ('#' in column 0) [F-013], without its line terminator.
struct Comment {
  std::string_view text;  // starts with '#'; valid as long as the owning Stanza/Document lives
  std::uint32_t line = 0;
};

// One field of a stanza. Cheap to copy.
class Field {
 public:
  // The name as written (original spelling) [F-024].
  std::string_view name() const { return name_; }
  // The raw value [F-030]: text after the colon with leading spaces/tabs removed, each
  // continuation line appended as "\n" + line verbatim, trailing spaces/tabs of the whole value
  // removed. Valid as long as any copy of the owning Stanza lives.
  std::string_view value() const { return value_; }
  // The value as logical lines [F-031]: the first line, then each continuation line with exactly
  // one leading space/tab removed and a lone "." turned into an empty line.
  std::vector<std::string_view> Lines() const;
  // The value with every run of spaces, tabs and newlines collapsed to one space, trimmed [F-032].
  std::string Folded() const;
  // 1-based line of the field name in the input; 0 for a field set by the program.
  std::uint32_t line() const { return line_; }
  // True when the name equals `name` ignoring ASCII case [F-024].
  bool Is(std::string_view name) const;

 private:
  friend class Stanza;
  friend class Document;
  friend class DocumentBuilder;
  friend class StanzaViews;
  struct Owned;  // owned text for values that are not one contiguous input range

  std::string_view name_;
  std::string_view value_;
  std::shared_ptr<const Owned> owned_;  // null when name_/value_ point into the input
  std::uint32_t line_ = 0;
  std::uint32_t source_begin_ = 0;  // input range of the whole field, comments inside included
  std::uint32_t source_end_ = 0;    // (ends after the last line's terminator, if any)
  bool from_source_ = false;        // false for fields set by the program
};

// A stanza (paragraph): an ordered list of fields with unique case-insensitive names.
class Stanza {
 public:
  Stanza() = default;

  const std::vector<Field>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

  // The field called `name` (ASCII case-insensitive), or nullptr. The pointer is valid until the
  // stanza is next modified.
  const Field* Find(std::string_view name) const;
  // The raw value of `name`, if present.
  std::optional<std::string_view> Get(std::string_view name) const;

  // Sets `name` to the raw value `raw` [F-030], replacing the value of an existing field in place
  // (keeping its position and spelling) or appending a new field. Fails with kInvalidArgument,
  // leaving the stanza unchanged, when the name is not a valid field name [F-021, F-022] or the
  // raw value cannot be written so that it reads back identically [W-010..W-015].
  Status SetRaw(std::string_view name, std::string_view raw);
  // Like SetRaw, but from logical lines [F-031]: lines[0] is the first line, every other line
  // becomes a continuation line (" line", or " ." for an empty line) [W-002, W-003].
  // REQUIRES: !lines.empty()
  Status SetLines(std::string_view name, const std::vector<std::string>& lines);
  // Removes `name`; returns false when it was absent.
  bool Remove(std::string_view name);

  // Comments inside this stanza, in input order.
  std::vector<Comment> Comments() const;
  // 1-based line where the stanza's paragraph starts in the input; 0 when built by the program.
  std::uint32_t line() const { return line_; }
  // True when the stanza was changed since it was parsed (or was never parsed).
  bool modified() const { return modified_; }
  // The byte range of the stanza's paragraph in the input (comments inside it included, the
  // blank lines around it not); 0 and 0 when built by the program.
  std::uint32_t source_offset() const { return source_begin_; }
  std::uint32_t source_length() const { return source_end_ - source_begin_; }

  // Appends this stanza in canonical form [W-001..W-005] (without a separating blank line).
  void WriteCanonical(std::string* out) const;
  // Appends this stanza losslessly: the input bytes of unchanged parts, canonical text for
  // changed fields [L-002].
  void Write(std::string* out) const;

 private:
  friend class Document;
  friend class DocumentBuilder;
  friend class StanzaViews;
  // Appends `field` as "Name: value" lines [W-001..W-003].
  static void WriteField(const Field& field, std::string* out);
  struct PlacedComment {
    Comment comment;
    std::uint32_t before_field;  // index of the field it precedes; size() = after the last
  };

  std::shared_ptr<const std::string> source_;  // input buffer the views point into, or null
  std::vector<Field> fields_;
  std::vector<PlacedComment> comments_;
  std::uint32_t line_ = 0;
  std::uint32_t source_begin_ = 0;
  std::uint32_t source_end_ = 0;
  bool modified_ = true;
};

// A parsed file: stanzas plus the text between them (blank lines, comment-only paragraphs).
class Document {
 public:
  Document() = default;

  const std::vector<Stanza>& stanzas() const { return stanzas_; }
  // Mutable access to stanza `i` for SetRaw/SetLines/Remove. REQUIRES: i < stanzas().size()
  Stanza& stanza(std::size_t i) { return stanzas_[i]; }
  // Appends a stanza; it is written after the last one with one blank line between [L-003].
  void Append(Stanza stanza);
  // Inserts a stanza before stanza `i`, with one blank line between it and its neighbours; the
  // text before the first stanza stays first [L-003]. REQUIRES: i <= stanzas().size()
  void Insert(std::size_t i, Stanza stanza);
  // Removes stanza `i` and the blank lines before it [L-004]. REQUIRES: i < stanzas().size()
  void Erase(std::size_t i);
  // Many Erase and Insert calls in one pass (linear time), with the same result as erasing every
  // stanza i with erase[i] (from the last to the first) and then inserting each stanza of
  // `inserts` before the original stanza at its position (size() = after the last), in order.
  // REQUIRES: erase.size() == stanzas().size(); positions <= stanzas().size(), non-decreasing.
  void Edit(const std::vector<bool>& erase, std::vector<std::pair<std::size_t, Stanza>> inserts);

  // True when the input carried an OpenPGP armour that was stripped; the signature was not
  // verified [F-042].
  bool signature_stripped() const { return signature_stripped_; }

  // The document losslessly [L-001]: byte-identical to the input when nothing was modified.
  std::string Write() const;
  // The document in canonical form [W-001..W-006]: LF line ends, fields as "Name: value", one
  // blank line between stanzas and comment paragraphs, a final newline, no BOM or armour.
  std::string WriteCanonical() const;

 private:
  friend Result<Document> Parse(std::string, const ParseOptions&, std::vector<Diagnostic>*);
  friend class DocumentBuilder;

  std::shared_ptr<const std::string> source_;
  std::vector<Stanza> stanzas_;
  // The text before a stanza and after the one before it (blank lines, comment paragraphs).
  struct Gap {
    std::string_view text;    // a view into source_; empty for an inserted stanza
    bool from_input = false;  // the stanza was read from the input (not inserted)
  };
  // INVARIANT: gaps_.size() == stanzas_.size().
  std::vector<Gap> gaps_;
  std::string_view trailing_;  // input text after the last stanza
  bool signature_stripped_ = false;
};

// Parses `text`. On success the Document owns the text.
//
// On failure returns kInvalidData whose message is the first error as "FILE:LINE:COL: error:
// MESSAGE [RULE]". When `diagnostics` is not null, parsing goes on after an error (skipping the
// offending line) and every error found, up to options.max_errors, is appended to it.
Result<Document> Parse(std::string text, const ParseOptions& options = {},
                       std::vector<Diagnostic>* diagnostics = nullptr);

// True when `name` is a valid field name [F-021, F-022].
bool IsValidFieldName(std::string_view name);

// Checks that `raw` can be written as a field value that reads back identically [W-010..W-015];
// the error message says which rule fails and where.
Status CheckRawValue(std::string_view raw);

}  // namespace textdb::deb822

#endif  // TEXTDB_DEB822_H_
