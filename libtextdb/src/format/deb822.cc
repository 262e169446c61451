// The deb822 Document model, parser front end and writers: see include/textdb/deb822.h and
// format-spec/deb822.md. The line scanning itself is in scanner.h.
#include "textdb/deb822.h"

#include <algorithm>
#include <cassert>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "format/encoding.h"
#include "format/scanner.h"

namespace textdb::deb822 {

using internal::AsciiLower;
using internal::EqualsIgnoreAsciiCase;
using internal::IsBlank;

// Text owned by a Field whose name or value is not a contiguous range of the input.
struct Field::Owned {
  std::string name;
  std::string value;
  // Comment lines lying inside the value [F-013]: each follows value line `after_line`
  // (0 = the first line).
  std::vector<std::pair<std::uint32_t, Comment>> interior;
};

std::string Diagnostic::ToString() const {
  return fmt::format("{}:{}:{}: error: {} [{}]", file, line, column, message, rule);
}

// ---------------------------------------------------------------------------------------------
// Field

std::vector<std::string_view> Field::Lines() const {
  std::vector<std::string_view> lines;
  std::string_view rest = value_;
  bool first = true;
  while (true) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!first) {
      if (!line.empty() && IsBlank(line[0])) line.remove_prefix(1);
      if (line == ".") line = {};
    }
    lines.push_back(line);
    first = false;
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return lines;
}

std::string Field::Folded() const {
  std::string out;
  out.reserve(value_.size());
  bool gap = false;
  for (char c : value_) {
    if (c == ' ' || c == '\t' || c == '\n') {
      gap = !out.empty();
    } else {
      if (gap) out.push_back(' ');
      gap = false;
      out.push_back(c);
    }
  }
  return out;
}

bool Field::Is(std::string_view name) const { return EqualsIgnoreAsciiCase(name_, name); }

// ---------------------------------------------------------------------------------------------
// Validation of what the writer may emit

bool IsValidFieldName(std::string_view name) {
  if (name.empty() || name[0] == '-' || name[0] == '#') return false;
  return std::all_of(name.begin(), name.end(), internal::IsFieldNameByte);
}

namespace {

Status NameError(std::string_view name) {
  return Status::InvalidArgument(fmt::format(
      "invalid field name '{}': expected US-ASCII characters '!' to '~' other than ':', not "
      "starting with '-' or '#' [F-021, F-022]",
      name));
}

// Checks the bytes of `text` for [W-011]: valid UTF-8, no NUL, no CR.
Status CheckValueBytes(std::string_view text) {
  internal::EncodingIssue issue;
  if (internal::FindEncodingIssue(text, 0, /*allow_crlf=*/false, &issue)) {
    return Status::InvalidArgument(
        fmt::format("value cannot be written: byte {} is not allowed in a field value ({}) [W-011]",
                    issue.offset, issue.message));
  }
  return Status::Ok();
}

}  // namespace

Status CheckRawValue(std::string_view raw) {
  TEXTDB_RETURN_IF_ERROR(CheckValueBytes(raw));
  if (!raw.empty() && IsBlank(raw.front())) {
    return Status::InvalidArgument(
        "value cannot be written: it starts with a space or tab, which reading strips [W-012]");
  }
  if (!raw.empty() && IsBlank(raw.back())) {
    return Status::InvalidArgument(
        "value cannot be written: it ends with a space or tab, which reading strips [W-013]");
  }
  std::size_t pos = raw.find('\n');
  std::size_t line = 2;
  while (pos != std::string_view::npos) {
    const std::size_t next = raw.find('\n', pos + 1);
    const std::string_view cont =
        raw.substr(pos + 1, (next == std::string_view::npos ? raw.size() : next) - pos - 1);
    if (cont.empty() || !IsBlank(cont[0])) {
      return Status::InvalidArgument(fmt::format(
          "value cannot be written: its line {} does not start with a space or tab, so it would "
          "not read back as a continuation line [W-015]",
          line));
    }
    if (cont.find_first_not_of(" \t") == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "value cannot be written: its line {} holds only spaces or tabs [W-015]", line));
    }
    pos = next;
    ++line;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Stanza

const Field* Stanza::Find(std::string_view name) const {
  for (const Field& field : fields_) {
    if (field.Is(name)) return &field;
  }
  return nullptr;
}

std::optional<std::string_view> Stanza::Get(std::string_view name) const {
  const Field* field = Find(name);
  if (field == nullptr) return std::nullopt;
  return field->value();
}

Status Stanza::SetRaw(std::string_view name, std::string_view raw) {
  TEXTDB_RETURN_IF_ERROR(CheckRawValue(raw));
  if (!IsValidFieldName(name)) return NameError(name);
  auto owned = std::make_shared<Field::Owned>();
  Field* existing = nullptr;
  for (Field& field : fields_) {
    if (field.Is(name)) existing = &field;
  }
  owned->name = existing != nullptr ? std::string(existing->name()) : std::string(name);
  owned->value = std::string(raw);
  Field field;
  field.name_ = owned->name;
  field.value_ = owned->value;
  field.owned_ = std::move(owned);
  if (existing != nullptr) {
    *existing = std::move(field);
  } else {
    fields_.push_back(std::move(field));
  }
  modified_ = true;
  return Status::Ok();
}

Status Stanza::SetLines(std::string_view name, const std::vector<std::string>& lines) {
  assert(!lines.empty());
  std::string raw;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    TEXTDB_RETURN_IF_ERROR(CheckValueBytes(line));
    if (line.find('\n') != std::string::npos) {
      return Status::InvalidArgument(
          fmt::format("value cannot be written: line {} contains a line feed [W-011]", i + 1));
    }
    if (!line.empty() && IsBlank(line.back())) {
      return Status::InvalidArgument(
          fmt::format("value cannot be written: line {} ends with a space or tab [W-013]", i + 1));
    }
    if (i == 0) {
      if (!line.empty() && IsBlank(line.front())) {
        return Status::InvalidArgument(
            "value cannot be written: the first line starts with a space or tab [W-012]");
      }
      raw = line;
      continue;
    }
    if (line == ".") {
      return Status::InvalidArgument(fmt::format(
          "value cannot be written: line {} is a lone '.', which reads back as an empty line "
          "[W-014]",
          i + 1));
    }
    raw += line.empty() ? "\n ." : "\n " + line;
  }
  return SetRaw(name, raw);
}

bool Stanza::Remove(std::string_view name) {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (!fields_[i].Is(name)) continue;
    fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(i));
    for (PlacedComment& placed : comments_) {
      if (placed.before_field > i) --placed.before_field;
    }
    modified_ = true;
    return true;
  }
  return false;
}

std::vector<Comment> Stanza::Comments() const {
  std::vector<Comment> out;
  std::size_t next_placed = 0;
  for (std::size_t i = 0; i <= fields_.size(); ++i) {
    while (next_placed < comments_.size() && comments_[next_placed].before_field == i) {
      out.push_back(comments_[next_placed++].comment);
    }
    if (i < fields_.size() && fields_[i].owned_ != nullptr) {
      for (const auto& [after, comment] : fields_[i].owned_->interior) out.push_back(comment);
    }
  }
  return out;
}

namespace {

void EnsureLineEnd(std::string* out) {
  if (!out->empty() && out->back() != '\n') out->push_back('\n');
}

// [W-001..W-003]: "Name: first line", continuation lines as stored in the raw value, a final
// newline; comment lines inside the value go back after the value line they followed.
}  // namespace

void Stanza::WriteField(const Field& field, std::string* out) {
  const Field::Owned* owned = field.owned_.get();
  out->append(field.name());
  out->push_back(':');
  const std::string_view value = field.value();
  if (!value.empty() && value.front() != '\n') out->push_back(' ');
  if (owned == nullptr || owned->interior.empty()) {
    out->append(value);
    out->push_back('\n');
    return;
  }
  std::size_t next_comment = 0;
  std::uint32_t line = 0;
  std::size_t pos = 0;
  while (true) {
    const std::size_t nl = value.find('\n', pos);
    out->append(value.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    out->push_back('\n');
    while (next_comment < owned->interior.size() && owned->interior[next_comment].first == line) {
      out->append(owned->interior[next_comment++].second.text);
      out->push_back('\n');
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line;
  }
}

void Stanza::WriteCanonical(std::string* out) const {
  std::size_t next_placed = 0;
  for (std::size_t i = 0; i <= fields_.size(); ++i) {
    while (next_placed < comments_.size() && comments_[next_placed].before_field == i) {
      out->append(comments_[next_placed++].comment.text);
      out->push_back('\n');
    }
    if (i < fields_.size()) WriteField(fields_[i], out);
  }
}

void Stanza::Write(std::string* out) const {
  if (!modified_ && source_ != nullptr) {
    out->append(*source_, source_begin_, source_end_ - source_begin_);
    return;
  }
  std::size_t next_placed = 0;
  for (std::size_t i = 0; i <= fields_.size(); ++i) {
    while (next_placed < comments_.size() && comments_[next_placed].before_field == i) {
      EnsureLineEnd(out);
      out->append(comments_[next_placed++].comment.text);
      out->push_back('\n');
    }
    if (i == fields_.size()) break;
    const Field& field = fields_[i];
    EnsureLineEnd(out);
    if (field.from_source_) {
      out->append(*source_, field.source_begin_, field.source_end_ - field.source_begin_);
    } else {
      WriteField(field, out);
    }
  }
  EnsureLineEnd(out);
}

// ---------------------------------------------------------------------------------------------
// Document

void Document::Append(Stanza stanza) {
  stanzas_.push_back(std::move(stanza));
  gaps_.emplace_back();
}

void Document::Insert(std::size_t i, Stanza stanza) {
  stanzas_.insert(stanzas_.begin() + static_cast<std::ptrdiff_t>(i), std::move(stanza));
  gaps_.insert(gaps_.begin() + static_cast<std::ptrdiff_t>(i), Gap{});
  // The text before the first stanza (a file header comment) stays first.
  if (i == 0 && gaps_.size() > 1) std::swap(gaps_[0].text, gaps_[1].text);
}

void Document::Erase(std::size_t i) {
  // [L-004]: the blank lines (and comment paragraphs) before the stanza go with it; for the first
  // stanza the text before it stays and the text after it (before the next one) goes.
  // The input's trailing text follows the last input stanza; when that one goes, the one before.
  if (gaps_[i].from_input && i > 0) {
    bool later_input = false;
    for (std::size_t k = i + 1; k < gaps_.size(); ++k) later_input |= gaps_[k].from_input;
    if (!later_input) gaps_[i - 1].from_input = true;
  }
  if (i == 0 && stanzas_.size() > 1) {
    gaps_[1].text = gaps_[0].text;
  }
  stanzas_.erase(stanzas_.begin() + static_cast<std::ptrdiff_t>(i));
  gaps_.erase(gaps_.begin() + static_cast<std::ptrdiff_t>(i));
}

void Document::Edit(const std::vector<bool>& erase,
                    std::vector<std::pair<std::size_t, Stanza>> inserts) {
  assert(erase.size() == stanzas_.size());
  const std::size_t n = stanzas_.size();
  const std::string_view header = n > 0 ? gaps_[0].text : std::string_view();
  std::vector<Stanza> out;
  std::vector<Gap> gaps;
  out.reserve(n + inserts.size());
  gaps.reserve(n + inserts.size());
  std::size_t next = 0;
  std::size_t anchor = 0;  // the input's trailing text goes after out[anchor - 1] (the last kept
                           // input stanza), or first when none is kept
  bool kept_any = false;
  for (std::size_t i = 0; i <= n; ++i) {
    while (next < inserts.size() && inserts[next].first == i) {
      out.push_back(std::move(inserts[next++].second));
      gaps.emplace_back();
    }
    if (i == n) break;
    if (erase[i]) continue;  // [L-004]: its text before it goes with it
    // The first kept stanza takes the place of the first one: the header text (below) instead of
    // its own text before it [L-004].
    out.push_back(std::move(stanzas_[i]));
    gaps.push_back({kept_any ? gaps_[i].text : std::string_view(), false});
    kept_any = true;
    anchor = out.size();
  }
  // The text before the first stanza stays first, unless no input stanza is left [L-004].
  if (kept_any) gaps[0].text = header;
  if (anchor > 0 && n > 0) gaps[anchor - 1].from_input = true;
  stanzas_ = std::move(out);
  gaps_ = std::move(gaps);
}

std::string Document::Write() const {
  // PERF: reserved up front; stanzas not read from this document's input (a bulk import) would
  // otherwise make `out` grow, and copy itself, about log2(size) times. (Stanzas parsed from
  // another input count too: estimating only those without an input left an import of parsed
  // stanzas a third of its formatting time in these copies.)
  std::size_t estimate = source_ != nullptr ? source_->size() : 0;
  for (const Stanza& stanza : stanzas_) {
    if (source_ != nullptr && stanza.source_ == source_) continue;
    if (!stanza.modified_ && stanza.source_ != nullptr) {
      estimate += stanza.source_end_ - stanza.source_begin_;  // what Stanza::Write copies
    } else {
      for (const Field& field : stanza.fields_) {
        estimate += field.name_.size() + field.value_.size() + 3;
      }
    }
    ++estimate;  // the blank line before it
  }
  std::string out;
  out.reserve(estimate);
  // The input's text after its last stanza stays right after that stanza [L-003].
  std::size_t after_last_input = 0;  // index + 1 of the last stanza read from the input
  for (std::size_t i = 0; i < stanzas_.size(); ++i) {
    if (gaps_[i].from_input) after_last_input = i + 1;
  }
  if (after_last_input == 0) out.append(trailing_);
  for (std::size_t i = 0; i < stanzas_.size(); ++i) {
    if (gaps_[i].text.empty() && !out.empty()) {  // an inserted stanza or its neighbour
      EnsureLineEnd(&out);
      if (!out.ends_with("\n\n")) out.push_back('\n');
    }
    out.append(gaps_[i].text);
    stanzas_[i].Write(&out);
    if (i + 1 == after_last_input) out.append(trailing_);
  }
  return out;
}

namespace {

// Appends the comment paragraphs found in inter-stanza text `gap` [W-006], each followed by
// `separator` handling done by the caller through `emit`.
template <typename Emit>
void ForEachCommentParagraph(std::string_view gap, Emit&& emit) {
  if (gap.starts_with("\xEF\xBB\xBF")) gap.remove_prefix(3);  // [W-006] no BOM
  std::string paragraph;
  std::size_t pos = 0;
  while (pos < gap.size()) {
    std::size_t nl = gap.find('\n', pos);
    if (nl == std::string_view::npos) nl = gap.size();
    std::string_view line = gap.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '#') {
      paragraph.append(line);
      paragraph.push_back('\n');
    } else if (!paragraph.empty()) {
      emit(paragraph);
      paragraph.clear();
    }
    pos = nl + 1;
  }
  if (!paragraph.empty()) emit(paragraph);
}

}  // namespace

std::string Document::WriteCanonical() const {
  std::string out;
  if (source_ != nullptr) out.reserve(source_->size());
  const auto separate = [&out] {
    if (!out.empty()) out.push_back('\n');  // [W-005] one blank line between paragraphs
  };
  const auto emit_comments = [&](const std::string& paragraph) {
    separate();
    out.append(paragraph);
  };
  for (std::size_t i = 0; i < stanzas_.size(); ++i) {
    ForEachCommentParagraph(gaps_[i].text, emit_comments);
    separate();
    stanzas_[i].WriteCanonical(&out);
  }
  ForEachCommentParagraph(trailing_, emit_comments);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

namespace {

constexpr std::string_view kArmourBegin = "-----BEGIN PGP SIGNED MESSAGE-----";
constexpr std::string_view kSignatureBegin = "-----BEGIN PGP SIGNATURE-----";
constexpr std::string_view kSignatureEnd = "-----END PGP SIGNATURE-----";

// Maps byte offsets to lines, for errors found outside the line scanner. Offsets must be asked
// for in increasing order.
class LineTracker {
 public:
  explicit LineTracker(std::string_view text) : text_(text) {}
  // Returns the 1-based line of `offset` and sets *line_begin to the offset where it starts.
  std::uint32_t LineOf(std::size_t offset, std::size_t* line_begin) {
    while (true) {
      const std::size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos || nl >= offset) break;
      ++line_;
      pos_ = nl + 1;
    }
    *line_begin = pos_;
    return line_;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
};

}  // namespace

// Collects errors and builds the Document from the scanner's events.
class DocumentBuilder {
 public:
  DocumentBuilder(std::shared_ptr<const std::string> source, const ParseOptions& options,
                  std::vector<Diagnostic>* diagnostics)
      : source_(std::move(source)), text_(*source_), options_(options), diagnostics_(diagnostics) {}

  // Scanner visitor interface (see scanner.h).
  bool Error(std::uint32_t offset, std::uint32_t line, std::uint32_t line_begin, const char* rule,
             std::string message) {
    Diagnostic d;
    d.file = options_.file_name;
    d.line = line;
    d.column = static_cast<std::uint32_t>(
                   internal::CountCodePoints(text_.substr(line_begin, offset - line_begin))) +
               1;
    d.rule = rule;
    d.message = std::move(message);
    ++errors_;
    if (first_error_.ok()) first_error_ = Status::InvalidData(d.ToString());
    if (diagnostics_ == nullptr) return false;
    diagnostics_->push_back(std::move(d));
    return errors_ < std::max<std::size_t>(options_.max_errors, 1);
  }

  void StanzaBegin(std::uint32_t begin, std::uint32_t line) {
    stanza_ = Stanza();
    stanza_.source_ = source_;
    stanza_.line_ = line;
    stanza_.source_begin_ = begin;
    stanza_.modified_ = false;
    gaps_.push_back({text_.substr(last_end_, begin - last_end_), /*from_input=*/true});
  }

  void Comment(const internal::CommentSpan& span, bool inside_field) {
    const deb822::Comment comment{text_.substr(span.begin, span.end - span.begin), span.line};
    if (inside_field) {
      interior_.push_back(comment);
    } else {
      stanza_.comments_.push_back({comment, static_cast<std::uint32_t>(fields_.size())});
    }
  }

  void Field(const internal::FieldSpan& span) {
    deb822::Field field;
    field.name_ = text_.substr(span.name_begin, span.name_end - span.name_begin);
    field.line_ = span.line;
    field.source_begin_ = span.begin;
    field.source_end_ = span.end;
    field.from_source_ = true;
    if (span.contiguous) {
      field.value_ = text_.substr(span.value_begin, span.value_end - span.value_begin);
    } else {
      field.owned_ = AssembleValue(span, &field.value_);
    }
    fields_.push_back(std::move(field));
  }

  void StanzaEnd(std::uint32_t end) {
    stanza_.source_end_ = end;
    stanza_.fields_.assign(fields_.begin(), fields_.end());
    fields_.clear();
    stanzas_.push_back(std::move(stanza_));
    last_end_ = end;
  }

  Status first_error() const { return first_error_; }
  std::size_t errors() const { return errors_; }

  void Finish(Document* doc, std::uint32_t content_end) {
    doc->trailing_ = text_.substr(last_end_, content_end - last_end_);
    doc->stanzas_ = std::move(stanzas_);
    doc->gaps_ = std::move(gaps_);
    doc->source_ = source_;
  }

  void set_last_end(std::uint32_t offset) { last_end_ = offset; }

 private:
  // Builds the raw value of a field whose value has comment lines or CRLF inside [F-030]:
  // continuation lines are appended as "\n" + line, comment lines are kept aside.
  std::shared_ptr<const Field::Owned> AssembleValue(const internal::FieldSpan& span,
                                                    std::string_view* value) {
    auto owned = std::make_shared<Field::Owned>();
    std::uint32_t value_line = 0;
    std::size_t next_interior = 0;
    std::size_t pos = span.value_begin;
    bool first = true;
    while (pos < span.end) {
      std::size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos || nl > span.end) nl = span.end;
      std::string_view line = text_.substr(pos, nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!first && !line.empty() && line.front() == '#') {
        owned->interior.emplace_back(value_line, interior_[next_interior++]);
      } else {
        if (!first) {
          owned->value.push_back('\n');
          ++value_line;
        }
        owned->value.append(line);
      }
      first = false;
      pos = nl + 1;
    }
    while (!owned->value.empty() && IsBlank(owned->value.back())) owned->value.pop_back();
    interior_.clear();
    *value = owned->value;
    return owned;
  }

  std::shared_ptr<const std::string> source_;
  std::string_view text_;
  const ParseOptions& options_;
  std::vector<Diagnostic>* diagnostics_;
  Status first_error_;
  std::size_t errors_ = 0;

  std::vector<Stanza> stanzas_;
  std::vector<Document::Gap> gaps_;
  std::uint32_t last_end_ = 0;
  Stanza stanza_;
  std::vector<deb822::Field> fields_;
  std::vector<deb822::Comment> interior_;
};

namespace {

// Reports an armour error at byte `offset` of `text` [F-042].
bool ArmourError(std::string_view text, std::size_t offset, std::string message,
                 DocumentBuilder* builder) {
  LineTracker lines(text);
  std::size_t line_begin = 0;
  const std::uint32_t line = lines.LineOf(offset, &line_begin);
  return builder->Error(static_cast<std::uint32_t>(offset), line,
                        static_cast<std::uint32_t>(line_begin), "F-042", std::move(message));
}

// Locates the signed content inside an OpenPGP clear-signature armour [F-042]. On success sets
// [*begin, *end) to the content and *first_line to its first line. Returns false (after
// reporting through `builder`) when the armour is malformed.
bool FindSignedContent(std::string_view text, std::uint32_t* begin, std::uint32_t* end,
                       std::uint32_t* first_line, DocumentBuilder* builder) {
  std::size_t pos = *begin;
  std::uint32_t line = 1;  // the line next_line reads next
  const auto next_line = [&](std::string_view* out) {
    if (pos >= text.size()) return false;
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    *out = text.substr(pos, nl - pos);
    if (!out->empty() && out->back() == '\r') out->remove_suffix(1);
    pos = nl + 1;
    ++line;
    return true;
  };
  std::string_view l;
  if (!next_line(&l) || l != kArmourBegin) return true;  // not signed: parse it all
  // Armour headers ("Hash: SHA256") up to the first empty line.
  while (true) {
    if (!next_line(&l)) {
      ArmourError(text, text.size(), "OpenPGP armour without an empty line after its headers",
                  builder);
      return false;
    }
    if (l.empty()) break;
  }
  *first_line = line;
  *begin = static_cast<std::uint32_t>(std::min(pos, text.size()));
  std::size_t content_end = std::string_view::npos;
  while (true) {
    const std::size_t line_start = pos;
    if (!next_line(&l)) break;
    if (l == kSignatureBegin) {
      content_end = line_start;
      break;
    }
  }
  if (content_end == std::string_view::npos) {
    ArmourError(text, text.size(),
                "OpenPGP armour without '-----BEGIN PGP SIGNATURE-----'; the file is cut", builder);
    return false;
  }
  bool ended = false;
  while (next_line(&l)) {
    if (!ended) {
      ended = l == kSignatureEnd;
    } else if (!l.empty()) {
      ArmourError(text, static_cast<std::size_t>(l.data() - text.data()),
                  "text after the OpenPGP signature", builder);
      return false;
    }
  }
  if (!ended) {
    ArmourError(text, text.size(),
                "OpenPGP signature without '-----END PGP SIGNATURE-----'; the file is cut",
                builder);
    return false;
  }
  *end = static_cast<std::uint32_t>(content_end);
  return true;
}

}  // namespace

Result<Document> Parse(std::string text, const ParseOptions& options,
                       std::vector<Diagnostic>* diagnostics) {
  if (text.size() > kMaxInputBytes) {
    return Status::InvalidData(
        fmt::format("{}: error: input of {} bytes exceeds the limit of {} bytes [F-050]",
                    options.file_name, text.size(), kMaxInputBytes));
  }
  const bool compat = options.profile == Profile::kCompat;
  if (options.strip_signature && !compat) {
    return Status::InvalidArgument("stripping an OpenPGP signature requires the compat profile");
  }
  const std::size_t diagnostics_before = diagnostics != nullptr ? diagnostics->size() : 0;
  auto source = std::make_shared<const std::string>(std::move(text));
  const std::string_view view(*source);
  DocumentBuilder builder(source, options, diagnostics);
  auto begin = std::uint32_t{0};
  auto end = static_cast<std::uint32_t>(view.size());
  std::uint32_t first_line = 1;
  bool go_on = true;
  bool signed_content = false;

  if (view.starts_with("\xEF\xBB\xBF")) {  // byte-order mark [F-004]
    begin = 3;  // strict: reported, then skipped so that it causes no further errors
    if (!compat) {
      go_on = builder.Error(0, 1, 0, "F-004",
                            "byte-order mark; the strict profile expects UTF-8 without a BOM "
                            "(the compat profile skips it)");
    }
  }
  if (go_on && options.strip_signature) {
    const std::uint32_t before = begin;
    go_on = FindSignedContent(view, &begin, &end, &first_line, &builder);
    signed_content = go_on && begin != before;
  }
  if (go_on) {  // encoding [F-001..F-003]
    LineTracker lines(view);
    internal::EncodingIssue issue;
    std::size_t from = begin;
    while (go_on && from < end &&
           internal::FindEncodingIssue(view.substr(0, end), from, compat, &issue)) {
      std::size_t line_begin = 0;
      const std::uint32_t line = lines.LineOf(issue.offset, &line_begin);
      go_on = builder.Error(static_cast<std::uint32_t>(issue.offset), line,
                            static_cast<std::uint32_t>(line_begin), issue.rule, issue.message);
      from = issue.offset + 1;
    }
  }
  if (go_on) {
    // Lossless [L-001]: a skipped BOM stays in the text before the first stanza; signed content
    // starts after the armour, which is not kept.
    builder.set_last_end(signed_content ? begin : 0);
    internal::Scanner<DocumentBuilder> scanner(view, internal::ScanOptions{compat}, &builder);
    scanner.Scan(begin, end, first_line);
  }
  if (builder.errors() > 0) {
    if (diagnostics == nullptr) return builder.first_error();
    // [D-002]: sorted by position; the status reports the earliest.
    const auto first = diagnostics->begin() + static_cast<std::ptrdiff_t>(diagnostics_before);
    std::stable_sort(first, diagnostics->end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    return Status::InvalidData(first->ToString());
  }
  Document doc;
  builder.Finish(&doc, end);
  doc.signature_stripped_ = signed_content;
  return doc;
}

}  // namespace textdb::deb822
