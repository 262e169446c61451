// JSON and NDJSON conversion of stanzas: the writers, and a strict RFC 8259
// reader for exactly the shape the writers produce (format-spec/interchange.md, [X-010..X-023]).
//
// The reader is one forward pass without recursion: the only nesting it accepts is a record
// object inside the top-level array, so deeper structure ('[[[...' or an array as a member value)
// is an error where it starts, in constant stack space. Strings without escapes are not copied.
#include <array>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "format/encoding.h"
#include "interchange/common.h"
#include "textdb/interchange.h"

namespace textdb::interchange {

namespace {

using internal::AppendJsonString;
using internal::DescribeAt;
using internal::DisplayName;

// ---------------------------------------------------------------------------------------------
// Writers

// An upper bound of the output size when no value needs escapes, to reserve once.
std::size_t EstimateSize(const std::vector<deb822::Stanza>& stanzas) {
  std::size_t size = 4;
  for (const deb822::Stanza& stanza : stanzas) {
    size += 4;
    for (const deb822::Field& field : stanza.fields()) {
      // "name":"value", plus slack for escaped line feeds in multi-line values.
      size += field.name().size() + field.value().size() + field.value().size() / 16 + 6;
    }
  }
  return size;
}

// Appends `stanza` as one JSON object on one line, without a line end.
void AppendObject(const deb822::Stanza& stanza, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const deb822::Field& field : stanza.fields()) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(field.name(), out);
    out->push_back(':');
    AppendJsonString(field.value(), out);
  }
  out->push_back('}');
}

// ---------------------------------------------------------------------------------------------
// Reader

enum class Mode {
  kJson,    // FromJson: one array of record objects
  kNdjson,  // FromNdjson: one record object per line
};

// Bytes a string copies without a second look: printable ASCII other than '"' and '\\' [X-021].
constexpr std::array<bool, 256> kPlainStringByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c) table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return table;
}();

// The short escape that writes control character `c`, or \u00xx.
std::string EscapeFor(unsigned char c) {
  const char byte = static_cast<char>(c);
  std::string escaped;
  AppendJsonString(std::string_view(&byte, 1), &escaped);
  return escaped.substr(1, escaped.size() - 2);
}

void AppendUtf8(std::uint32_t code_point, std::string* out) {
  const auto put = [out](std::uint32_t byte) { out->push_back(static_cast<char>(byte)); };
  if (code_point < 0x80) {
    put(code_point);
  } else if (code_point < 0x800) {
    put(0xC0 | (code_point >> 6));
    put(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    put(0xE0 | (code_point >> 12));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  } else {
    put(0xF0 | (code_point >> 18));
    put(0x80 | ((code_point >> 12) & 0x3F));
    put(0x80 | ((code_point >> 6) & 0x3F));
    put(0x80 | (code_point & 0x3F));
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class JsonReader {
 public:
  JsonReader(std::string_view text, std::string_view file_name, Mode mode)
      : text_(text), file_name_(file_name), mode_(mode) {}

  Result<std::vector<deb822::Stanza>> Read() {
    std::vector<deb822::Stanza> stanzas;
    if (text_.starts_with("\xEF\xBB\xBF")) {
      return Error(0, "X-010", "byte-order mark; expected JSON text without one (RFC 8259 8.1)");
    }
    Status status = mode_ == Mode::kJson ? ReadArray(&stanzas) : ReadLines(&stanzas);
    if (!status.ok()) return status;
    return stanzas;
  }

 private:
  Status ReadArray(std::vector<deb822::Stanza>* stanzas);
  Status ReadLines(std::vector<deb822::Stanza>* stanzas);
  Status ReadObject(deb822::Stanza* stanza);
  Status ReadString(std::string* buffer, std::string_view* out);
  Status ReadEscape(std::size_t* i, std::string* buffer);
  Status ReadHex4(std::size_t at, std::uint32_t* unit);

  // Skips JSON whitespace; in NDJSON a line feed ends the record, so it is not skipped.
  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\r' && (c != '\n' || mode_ == Mode::kNdjson)) return;
      ++pos_;
    }
  }
  bool At(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  Status Error(std::size_t offset, std::string_view rule, std::string_view message) const {
    return internal::DataError(text_, file_name_, offset, rule, message);
  }
  // "expected `expected`, found ..." at pos_ under `rule`; invalid UTF-8 there is reported as
  // such, a line end inside an NDJSON record under.
  Status Unexpected(std::string_view expected, std::string_view rule) const;
  // Like Unexpected where a JSON value may stand: a value of the wrong kind is reported under
  // `shape_rule` ("expected '{' ..., found an array").
  Status UnexpectedValue(std::string_view expected, std::string_view shape_rule) const;
  // "an object", "an array", "a string", "a number", "true", "false", "null" for the JSON value
  // starting at pos_, or "" when none does.
  std::string_view ValueKind() const;

  std::string_view text_;
  std::string_view file_name_;
  Mode mode_;
  std::size_t pos_ = 0;
  // INVARIANT: ReadObject's current name and value views point into text_ or these buffers.
  std::string name_buffer_;
  std::string value_buffer_;
};

std::string_view JsonReader::ValueKind() const {
  if (pos_ >= text_.size()) return {};
  const std::string_view rest = text_.substr(pos_);
  switch (rest[0]) {
    case '{':
      return "an object";
    case '[':
      return "an array";
    case '"':
      return "a string";
    case '-':
      return rest.size() > 1 && IsDigit(rest[1]) ? "a number" : "";
    default:
      break;
  }
  if (IsDigit(rest[0])) return "a number";
  for (std::string_view literal : {"true", "false", "null"}) {
    if (rest.starts_with(literal)) return literal;
  }
  return {};
}

Status JsonReader::Unexpected(std::string_view expected, std::string_view rule) const {
  if (pos_ < text_.size()) {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c >= 0x80 && ::textdb::internal::Utf8SequenceLength(text_, pos_) == 0) {
      return internal::EncodingError(text_, file_name_, pos_);
    }
    if (c == '\n' && mode_ == Mode::kNdjson) {
      return Error(pos_, "X-023",
                   fmt::format("expected {}, found end of line; an NDJSON record must be on one "
                               "line",
                               expected));
    }
  }
  return Error(pos_, rule, fmt::format("expected {}, found {}", expected, DescribeAt(text_, pos_)));
}

Status JsonReader::UnexpectedValue(std::string_view expected, std::string_view shape_rule) const {
  const std::string_view kind = ValueKind();
  if (kind.empty()) return Unexpected(expected, "X-020");
  return Error(pos_, shape_rule, fmt::format("expected {}, found {}", expected, kind));
}

// ws '[' ws ( object ( ws ',' ws object )* ws )? ']' ws, and nothing after it.
Status JsonReader::ReadArray(std::vector<deb822::Stanza>* stanzas) {
  SkipWhitespace();
  if (!At('[')) return UnexpectedValue("'[' to start the array of records", "X-022");
  ++pos_;
  SkipWhitespace();
  if (At(']')) {
    ++pos_;
  } else {
    while (true) {
      if (!At('{')) {
        return UnexpectedValue(stanzas->empty() ? "'{' to start a record or ']' to end the array"
                                                : "'{' to start a record",
                               "X-022");
      }
      deb822::Stanza stanza;
      TEXTDB_RETURN_IF_ERROR(ReadObject(&stanza));
      stanzas->push_back(std::move(stanza));
      SkipWhitespace();
      if (At(']')) {
        ++pos_;
        break;
      }
      if (!At(',')) return Unexpected("',' or ']' after a record", "X-020");
      ++pos_;
      SkipWhitespace();
      if (At(']')) {
        return Error(pos_, "X-020",
                     "expected '{' to start a record after ',', found ']'; JSON does not allow a "
                     "trailing comma");
      }
    }
  }
  SkipWhitespace();
  if (pos_ < text_.size()) return Unexpected("end of input after the array", "X-020");
  return Status::Ok();
}

// every line holds one record object, surrounded by optional spaces, tabs and CRs; no
// blank lines; the last line end is optional.
Status JsonReader::ReadLines(std::vector<deb822::Stanza>* stanzas) {
  while (pos_ < text_.size()) {
    const std::size_t line_begin = pos_;
    SkipWhitespace();
    if (pos_ == text_.size() || text_[pos_] == '\n') {
      return Error(line_begin, "X-023",
                   "blank line; expected a JSON object (NDJSON has exactly one record on every "
                   "line)");
    }
    if (!At('{')) return UnexpectedValue("'{' to start a record", "X-023");
    deb822::Stanza stanza;
    TEXTDB_RETURN_IF_ERROR(ReadObject(&stanza));
    stanzas->push_back(std::move(stanza));
    SkipWhitespace();
    if (pos_ == text_.size()) break;
    if (!At('\n')) return Unexpected("end of line after the record", "X-023");
    ++pos_;
  }
  return Status::Ok();
}

// '{' ws member ( ws ',' ws member )* ws '}' where member is string ws ':' ws string;
// at least one member. Names are checked as they are read, values
// by Stanza::SetRaw.
// REQUIRES: At('{')
Status JsonReader::ReadObject(deb822::Stanza* stanza) {
  const std::size_t open = pos_;
  ++pos_;
  SkipWhitespace();
  if (At('}')) {
    return Error(open, "X-014", "empty object; expected a record with at least one field");
  }
  while (true) {
    if (!At('"')) return Unexpected("'\"' to start a member name", "X-020");
    const std::size_t name_at = pos_;
    std::string_view name;
    TEXTDB_RETURN_IF_ERROR(ReadString(&name_buffer_, &name));
    if (!deb822::IsValidFieldName(name)) {
      return internal::NameError(text_, file_name_, name_at, name);
    }
    if (const deb822::Field* field = stanza->Find(name)) {
      return Error(name_at, "X-013",
                   fmt::format("duplicate member {}: the record already has field {} (field "
                               "names ignore ASCII case)",
                               DisplayName(name), DisplayName(field->name())));
    }
    if (stanza->size() == internal::kMaxFieldsPerRecord) {
      return Error(name_at, "X-015",
                   fmt::format("record has more than {} fields; expected at most {}",
                               internal::kMaxFieldsPerRecord, internal::kMaxFieldsPerRecord));
    }
    SkipWhitespace();
    if (!At(':')) return Unexpected("':' after the member name", "X-020");
    ++pos_;
    SkipWhitespace();
    const std::size_t value_at = pos_;
    if (!At('"')) {
      const std::string_view kind = ValueKind();
      if (kind.empty()) {
        return Unexpected(fmt::format("a string value for member {}", DisplayName(name)), "X-020");
      }
      return Error(value_at, "X-022",
                   fmt::format("value of member {} is {}; expected a JSON string (the raw field "
                               "value)",
                               DisplayName(name), kind));
    }
    std::string_view value;
    TEXTDB_RETURN_IF_ERROR(ReadString(&value_buffer_, &value));
    if (Status set = stanza->SetRaw(name, value); !set.ok()) {
      return internal::ValueError(text_, file_name_, value_at, name, set);
    }
    SkipWhitespace();
    if (At('}')) {
      ++pos_;
      return Status::Ok();
    }
    if (!At(',')) return Unexpected("',' or '}' after a member", "X-020");
    ++pos_;
    SkipWhitespace();
    if (At('}')) {
      return Error(pos_, "X-020",
                   "expected '\"' to start a member name after ',', found '}'; JSON does not "
                   "allow a trailing comma");
    }
  }
}

// Reads the string at pos_ and moves pos_ past its closing quote. *out is a view of
// text_ when the string has no escapes, else of *buffer (which is overwritten).
// REQUIRES: At('"')
Status JsonReader::ReadString(std::string* buffer, std::string_view* out) {
  const std::size_t size = text_.size();
  std::size_t i = pos_ + 1;
  std::size_t run_begin = i;  // start of the bytes not yet copied to *buffer
  bool buffered = false;
  while (true) {
    // PERF: one table look-up per byte for the common printable ASCII.
    while (i < size && kPlainStringByte[static_cast<unsigned char>(text_[i])]) ++i;
    if (i == size) {
      return Error(size, "X-020", "unexpected end of input inside a string; expected '\"'");
    }
    const auto c = static_cast<unsigned char>(text_[i]);
    if (c == '"') {
      if (buffered) {
        buffer->append(text_, run_begin, i - run_begin);
        *out = *buffer;
      } else {
        *out = text_.substr(run_begin, i - run_begin);
      }
      pos_ = i + 1;
      return Status::Ok();
    }
    if (c == '\\') {
      if (!buffered) {
        buffer->clear();
        buffered = true;
      }
      buffer->append(text_, run_begin, i - run_begin);
      TEXTDB_RETURN_IF_ERROR(ReadEscape(&i, buffer));
      run_begin = i;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t length = ::textdb::internal::Utf8SequenceLength(text_, i);
      if (length == 0) return internal::EncodingError(text_, file_name_, i);
      i += length;
      continue;
    }
    if (c == '\n' && mode_ == Mode::kNdjson) {
      return Error(i, "X-023",
                   "end of line inside a string; expected '\"' (an NDJSON record must be on one "
                   "line; a line feed in a value is written \\n)");
    }
    return Error(i, "X-021",
                 fmt::format("unescaped control character U+{:04X} in a string; expected {}", c,
                             EscapeFor(c)));
  }
}

// Decodes the escape sequence at text_[*i] (a backslash) into *buffer and moves *i past it
// . A high surrogate must be followed by an escaped low surrogate; lone surrogates are
// errors.
Status JsonReader::ReadEscape(std::size_t* i, std::string* buffer) {
  const std::size_t at = *i;
  if (at + 1 == text_.size()) {
    return Error(at + 1, "X-020",
                 "unexpected end of input after '\\'; expected an escape sequence");
  }
  char decoded;
  switch (text_[at + 1]) {
    case '"':
      decoded = '"';
      break;
    case '\\':
      decoded = '\\';
      break;
    case '/':
      decoded = '/';
      break;
    case 'b':
      decoded = '\b';
      break;
    case 'f':
      decoded = '\f';
      break;
    case 'n':
      decoded = '\n';
      break;
    case 'r':
      decoded = '\r';
      break;
    case 't':
      decoded = '\t';
      break;
    case 'u': {
      std::uint32_t unit = 0;
      TEXTDB_RETURN_IF_ERROR(ReadHex4(at + 2, &unit));
      *i = at + 6;
      if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return Error(at, "X-021",
                     fmt::format("lone low surrogate {}; expected it only after a high surrogate "
                                 "\\uD800..\\uDBFF",
                                 text_.substr(at, 6)));
      }
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        std::uint32_t low = 0;
        const bool escaped_next = text_.substr(*i).starts_with("\\u");
        if (escaped_next) TEXTDB_RETURN_IF_ERROR(ReadHex4(*i + 2, &low));
        if (!escaped_next || low < 0xDC00 || low > 0xDFFF) {
          return Error(at, "X-021",
                       fmt::format("lone high surrogate {}; expected a low surrogate "
                                   "\\uDC00..\\uDFFF to follow it",
                                   text_.substr(at, 6)));
        }
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        *i += 6;
      }
      AppendUtf8(unit, buffer);
      return Status::Ok();
    }
    default:
      if (static_cast<unsigned char>(text_[at + 1]) >= 0x80 &&
          ::textdb::internal::Utf8SequenceLength(text_, at + 1) == 0) {
        return internal::EncodingError(text_, file_name_, at + 1);
      }
      return Error(at, "X-021",
                   fmt::format("invalid escape sequence: '\\' followed by {}; expected one of "
                               "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                               DescribeAt(text_, at + 1)));
  }
  buffer->push_back(decoded);
  *i = at + 2;
  return Status::Ok();
}

// Reads the 4 hex digits at text_[at] of a \u escape.
Status JsonReader::ReadHex4(std::size_t at, std::uint32_t* unit) {
  *unit = 0;
  for (std::size_t k = at; k < at + 4; ++k) {
    if (k == text_.size()) {
      return Error(k, "X-020",
                   "unexpected end of input inside a \\u escape; expected 4 hex digits");
    }
    const char c = text_[k];
    std::uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      if (static_cast<unsigned char>(c) >= 0x80 &&
          ::textdb::internal::Utf8SequenceLength(text_, k) == 0) {
        return internal::EncodingError(text_, file_name_, k);
      }
      return Error(k, "X-021",
                   fmt::format("expected 4 hex digits after \\u, found {}", DescribeAt(text_, k)));
    }
    *unit = (*unit << 4) | digit;
  }
  return Status::Ok();
}

}  // namespace

std::string ToJson(const std::vector<deb822::Stanza>& stanzas) {
  if (stanzas.empty()) return "[]\n";
  std::string out;
  out.reserve(EstimateSize(stanzas));
  out.append("[\n");
  for (std::size_t i = 0; i < stanzas.size(); ++i) {
    if (i > 0) out.append(",\n");
    AppendObject(stanzas[i], &out);
  }
  out.append("\n]\n");
  return out;
}

std::string ToNdjson(const std::vector<deb822::Stanza>& stanzas) {
  std::string out;
  out.reserve(EstimateSize(stanzas));
  for (const deb822::Stanza& stanza : stanzas) {
    AppendObject(stanza, &out);
    out.push_back('\n');
  }
  return out;
}

Result<std::vector<deb822::Stanza>> FromJson(std::string_view text, std::string_view file_name) {
  return JsonReader(text, file_name, Mode::kJson).Read();
}

Result<std::vector<deb822::Stanza>> FromNdjson(std::string_view text, std::string_view file_name) {
  return JsonReader(text, file_name, Mode::kNdjson).Read();
}

}  // namespace textdb::interchange
