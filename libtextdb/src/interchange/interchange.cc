// Format names, the deb822 writer of the interchange API, and the helpers shared by the JSON and
// CSV modules (common.h). See include/textdb/interchange.h and format-spec/interchange.md.
#include "textdb/interchange.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <fmt/format.h>

#include "format/encoding.h"
#include "format/scanner.h"
#include "interchange/common.h"

namespace textdb::interchange {

namespace {

// Indexed by Format.
constexpr std::array<std::string_view, 4> kFormatNames = {"deb822", "json", "ndjson", "csv"};
constexpr std::array<Format, 4> kFormats = {Format::kDeb822, Format::kJson, Format::kNdjson,
                                            Format::kCsv};

}  // namespace

Result<Format> ParseFormatName(std::string_view name) {
  for (std::size_t i = 0; i < kFormats.size(); ++i) {
    if (kFormatNames[i] == name) return kFormats[i];
  }
  return Status::InvalidArgument(
      fmt::format("unknown format '{}'; expected deb822, json, ndjson or csv [X-005]", name));
}

std::string_view FormatName(Format format) {
  return kFormatNames[static_cast<std::size_t>(format)];
}

// each stanza canonically [W-001..W-004], one blank line between stanzas [W-005].
std::string ToDeb822(const std::vector<deb822::Stanza>& stanzas) {
  std::size_t estimate = 0;
  for (const deb822::Stanza& stanza : stanzas) {
    for (const deb822::Field& field : stanza.fields()) {
      estimate += field.name().size() + field.value().size() + 3;
    }
    ++estimate;
  }
  std::string out;
  out.reserve(estimate);
  for (std::size_t i = 0; i < stanzas.size(); ++i) {
    if (i > 0) out.push_back('\n');
    stanzas[i].WriteCanonical(&out);
  }
  return out;
}

namespace internal {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// The code point of the valid UTF-8 sequence of `length` bytes at text[i].
std::uint32_t DecodeUtf8(std::string_view text, std::size_t i, std::size_t length) {
  const auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(text[i + k]));
  };
  static constexpr std::array<std::uint32_t, 5> kLeadMask = {0, 0x7F, 0x1F, 0x0F, 0x07};
  std::uint32_t code_point = byte(0) & kLeadMask[length];
  for (std::size_t k = 1; k < length; ++k) code_point = (code_point << 6) | (byte(k) & 0x3F);
  return code_point;
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  std::size_t run_begin = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + run_begin, i - run_begin);
    run_begin = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default: {
        const char escape[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
        out->append(escape, sizeof(escape));
        break;
      }
    }
  }
  out->append(text.data() + run_begin, text.size() - run_begin);
  out->push_back('"');
}

std::string DisplayName(std::string_view name) {
  constexpr std::size_t kMaxBytes = 64;
  std::string out;
  if (name.size() <= kMaxBytes) {
    AppendJsonString(name, &out);
    return out;
  }
  std::size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  AppendJsonString(name.substr(0, cut), &out);
  out.insert(out.size() - 1, "...");
  return out;
}

std::string DescribeAt(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return "end of input";
  const auto c = static_cast<unsigned char>(text[offset]);
  if (c == '\n') return "end of line";
  if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", static_cast<char>(c));
  if (c < 0x80) return fmt::format("control character U+{:04X}", c);
  const std::size_t length = ::textdb::internal::Utf8SequenceLength(text, offset);
  if (length == 0) return fmt::format("invalid UTF-8 byte 0x{:02X}", c);
  return fmt::format("'{}' (U+{:04X})", text.substr(offset, length),
                     DecodeUtf8(text, offset, length));
}

Status DataError(std::string_view text, std::string_view file_name, std::size_t offset,
                 std::string_view rule, std::string_view message) {
  const std::string_view before = text.substr(0, offset);
  const std::size_t line =
      1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t newline = before.rfind('\n');
  const std::size_t line_begin = newline == std::string_view::npos ? 0 : newline + 1;
  const std::size_t column = ::textdb::internal::CountCodePoints(before.substr(line_begin)) + 1;
  return Status::InvalidData(
      fmt::format("{}:{}:{}: error: {} [{}]", file_name, line, column, message, rule));
}

Status NameError(std::string_view text, std::string_view file_name, std::size_t offset,
                 std::string_view name) {
  return DataError(text, file_name, offset, "X-011, F-021, F-022",
                   fmt::format("invalid field name {}: expected one or more US-ASCII characters "
                               "'!' to '~' other than ':', not starting with '-' or '#'",
                               DisplayName(name)));
}

Status ValueError(std::string_view text, std::string_view file_name, std::size_t offset,
                  std::string_view name, const Status& cause) {
  // cause: "value cannot be written: REASON [W-nnn]" (deb822::CheckRawValue).
  constexpr std::string_view kPrefix = "value cannot be written: ";
  std::string_view reason = cause.message();
  if (reason.starts_with(kPrefix)) reason.remove_prefix(kPrefix.size());
  std::string rule = "X-012";
  const std::size_t open = reason.rfind(" [");
  if (reason.ends_with(']') && open != std::string_view::npos) {
    rule.append(", ").append(reason.substr(open + 2, reason.size() - open - 3));
    reason = reason.substr(0, open);
  }
  return DataError(
      text, file_name, offset, rule,
      fmt::format("value of field {} cannot be written as deb822: {}", DisplayName(name), reason));
}

Status EncodingError(std::string_view text, std::string_view file_name, std::size_t offset) {
  return DataError(text, file_name, offset, "X-010",
                   fmt::format("invalid UTF-8 byte 0x{:02X}; expected UTF-8 text",
                               static_cast<unsigned char>(text[offset])));
}

std::size_t NameHash::operator()(std::string_view name) const {
  // FNV-1a over the ASCII-lower-cased bytes.
  std::uint64_t hash = 14695981039346656037u;
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(::textdb::internal::AsciiLower(c));
    hash *= 1099511628211u;
  }
  return static_cast<std::size_t>(hash);
}

bool NameEqual::operator()(std::string_view a, std::string_view b) const {
  return ::textdb::internal::EqualsIgnoreAsciiCase(a, b);
}

}  // namespace internal
}  // namespace textdb::interchange
