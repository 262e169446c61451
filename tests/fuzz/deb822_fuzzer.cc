// deb822_fuzzer: a libFuzzer target for deb822::Parse and the two writers (textdb/deb822.h).
//
// For each profile (strict; compat; compat with strip_signature) it parses the input with and
// without a diagnostics vector and checks the contracts of Parse, the writers and
// format-spec/deb822.md:
//   - both calls agree on success or failure; failure is kInvalidData;
//   - diagnostics are appended to the caller's vector, at most max_errors of them, each with the
//     file name, a rule id, a message, and a line and column >= 1 inside the input [D-001];
//   - they are sorted by position and the status carries the earliest; the parse without
//     diagnostics reports the first error found, the same one unless it is an encoding error
//     and a syntax error comes earlier; with max_errors = 1 that first error is the one
//     diagnostic [D-002];
//   - an accepted input gives no diagnostics; Write() returns the input unchanged (with a
//     stripped signature: the signed content, a part of the input) [L-001]; Parse(Write()) and
//     Parse(WriteCanonical()) give the same stanzas (field names, raw values and comments, in
//     order); WriteCanonical() output parses in the strict profile and is a fixed point [W-006];
//   - the strict profile accepts a subset of what compat accepts, read the same way, and
//     signature stripping changes nothing for input that does not start with an armour.
// A violated check prints what failed and aborts: a crash for libFuzzer, a failed test for the
// corpus replayer (replay_main.cc).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "textdb/deb822.h"

namespace {

using textdb::Result;
using textdb::StatusCode;
using textdb::deb822::Diagnostic;
using textdb::deb822::Document;
using textdb::deb822::ParseOptions;
using textdb::deb822::Profile;

constexpr std::string_view kFileName = "fuzz-input";

[[noreturn]] void Fail(const char* check, int line, const char* profile, std::string_view detail) {
  std::fprintf(stderr, "deb822_fuzzer: check failed (line %d, profile %s): %s\n", line, profile,
               check);
  if (!detail.empty()) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

// Aborts with the failed condition when `cond` is false; `detail` (evaluated only then) is
// printed with it. Uses the `profile_name` of the enclosing scope.
#define TEXTDB_FUZZ_CHECK(cond, detail)                                    \
  do {                                                                     \
    if (!(cond)) Fail(#cond, __LINE__, profile_name, std::string(detail)); \
  } while (0)

// The comparable content of a document: per stanza, its fields (name, raw value) and comments.
struct StanzaContent {
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::string> comments;
  bool operator==(const StanzaContent&) const = default;
};

std::vector<StanzaContent> ContentOf(const Document& doc) {
  std::vector<StanzaContent> out;
  for (const auto& stanza : doc.stanzas()) {
    StanzaContent content;
    for (const auto& field : stanza.fields()) {
      content.fields.emplace_back(std::string(field.name()), std::string(field.value()));
    }
    for (const auto& comment : stanza.Comments()) content.comments.emplace_back(comment.text);
    out.push_back(std::move(content));
  }
  return out;
}

// Number of lines of `text` as the parser counts them (a last line without a terminator counts).
std::uint32_t LineCount(std::string_view text) {
  const auto newlines = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + 1;
}

// Code points of line `line` (1-based) of `text`, terminator excluded: what a column may reach
// (a column one past the end points at the terminator or the end of the input).
std::size_t LineCodePoints(std::string_view text, std::uint32_t line) {
  std::size_t begin = 0;
  for (std::uint32_t i = 1; i < line; ++i) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) return 0;
    ++begin;
  }
  std::size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  std::size_t n = 0;
  for (std::size_t i = begin; i < end; ++i) {
    n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  }
  return n;
}

// True when the first line of `input` (after a BOM, without CR) is the clear-signature armour.
bool StartsWithArmour(std::string_view input) {
  if (input.starts_with("\xEF\xBB\xBF")) input.remove_prefix(3);
  std::string_view first = input.substr(0, input.find('\n'));
  if (first.ends_with('\r')) first.remove_suffix(1);
  return first == "-----BEGIN PGP SIGNED MESSAGE-----";
}

// True for a rule id of format-spec/deb822.md: "F-nnn", "W-nnn", "L-nnn" or "D-nnn".
bool IsRuleId(std::string_view rule) {
  return rule.size() == 5 && std::string_view("FWLD").find(rule[0]) != std::string_view::npos &&
         rule[1] == '-' &&
         std::all_of(rule.begin() + 2, rule.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Position of a diagnostic, for the ordering rules of [D-002].
bool Before(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.line, a.column) < std::tie(b.line, b.column);
}

// True when `message` reports one of the encoding rules [F-001..F-004].
bool IsEncodingError(std::string_view message) {
  return message.ends_with("[F-001]") || message.ends_with("[F-002]") ||
         message.ends_with("[F-003]") || message.ends_with("[F-004]");
}

// Parses `input` with `options` in every way the checks need; returns the Document of the
// parse without diagnostics (or its error).
Result<Document> CheckParse(const std::string& input, const ParseOptions& options,
                            const char* profile_name) {
  Result<Document> plain = textdb::deb822::Parse(input, options);
  // Diagnostics are appended: an entry already in the vector stays first and unchanged.
  Diagnostic sentinel;
  sentinel.file = "sentinel";
  sentinel.line = 0xFFFFFFFFu;
  std::vector<Diagnostic> diagnostics{sentinel};
  Result<Document> collected = textdb::deb822::Parse(input, options, &diagnostics);
  TEXTDB_FUZZ_CHECK(plain.ok() == collected.ok(),
                    plain.status().ToString() + " vs " + collected.status().ToString());
  TEXTDB_FUZZ_CHECK(
      diagnostics.front().file == "sentinel" && diagnostics.front().line == 0xFFFFFFFFu,
      diagnostics.front().ToString());
  diagnostics.erase(diagnostics.begin());
  if (plain.ok()) {
    TEXTDB_FUZZ_CHECK(diagnostics.empty(), diagnostics.front().ToString());
    return plain;
  }
  const std::string message = plain.status().message();
  const std::string earliest = collected.status().message();
  TEXTDB_FUZZ_CHECK(plain.status().code() == StatusCode::kInvalidData, plain.status().ToString());
  TEXTDB_FUZZ_CHECK(collected.status().code() == StatusCode::kInvalidData,
                    collected.status().ToString());
  TEXTDB_FUZZ_CHECK(!diagnostics.empty(), earliest);
  TEXTDB_FUZZ_CHECK(diagnostics.size() <= options.max_errors, earliest);

  const Diagnostic* first_found = nullptr;  // the diagnostic the plain parse reported
  for (const Diagnostic& d : diagnostics) {
    const std::string shown = d.ToString();
    TEXTDB_FUZZ_CHECK(d.file == options.file_name, shown);
    TEXTDB_FUZZ_CHECK(d.line >= 1 && d.column >= 1, shown);
    TEXTDB_FUZZ_CHECK(IsRuleId(d.rule), shown);
    TEXTDB_FUZZ_CHECK(!d.message.empty(), shown);
    // [D-001]: the position of the offending byte, so inside the input (a column one past the
    // end of a line points at its terminator or at the end of the input).
    TEXTDB_FUZZ_CHECK(d.line <= LineCount(input), shown);
    TEXTDB_FUZZ_CHECK(d.column <= LineCodePoints(input, d.line) + 1, shown);
    if (first_found == nullptr && shown == message) first_found = &d;
  }
  // [D-002]: sorted by position, the status carries the earliest; without diagnostics parsing
  // stops at the first error found, which differs only when that is an encoding error found
  // in the first pass although a syntax error comes earlier.
  TEXTDB_FUZZ_CHECK(std::is_sorted(diagnostics.begin(), diagnostics.end(), Before), earliest);
  TEXTDB_FUZZ_CHECK(
      diagnostics.front().ToString() == earliest,
      "first diagnostic: " + diagnostics.front().ToString() + "; returned: " + earliest);
  TEXTDB_FUZZ_CHECK(first_found != nullptr, "not among the diagnostics: " + message);
  TEXTDB_FUZZ_CHECK(message == earliest ||
                        (IsEncodingError(message) && Before(diagnostics.front(), *first_found)),
                    "without diagnostics: " + message + "; with: " + earliest);

  // With max_errors = 1 the one diagnostic is the first error found, as without diagnostics.
  ParseOptions one = options;
  one.max_errors = 1;
  std::vector<Diagnostic> single;
  Result<Document> first_only = textdb::deb822::Parse(input, one, &single);
  TEXTDB_FUZZ_CHECK(!first_only.ok() && first_only.status().message() == message,
                    first_only.status().ToString() + " vs " + message);
  TEXTDB_FUZZ_CHECK(single.size() == 1 && single.front().ToString() == message, message);
  return plain;
}

// Checks the writers on an accepted document `doc` parsed from `input` with `options`.
void CheckWriters(const std::string& input, const ParseOptions& options, const Document& doc,
                  const char* profile_name) {
  const std::vector<StanzaContent> content = ContentOf(doc);
  const std::string lossless = doc.Write();
  ParseOptions reread = options;
  if (doc.signature_stripped()) {
    // The armour is not kept: Write() is the signed content, read back without stripping.
    TEXTDB_FUZZ_CHECK(input.find(lossless) != std::string::npos, lossless);
    reread.strip_signature = false;
  } else {
    TEXTDB_FUZZ_CHECK(lossless == input, lossless);
  }
  Result<Document> again = textdb::deb822::Parse(lossless, reread);
  TEXTDB_FUZZ_CHECK(again.ok(), again.status().ToString());
  TEXTDB_FUZZ_CHECK(ContentOf(*again) == content, lossless);
  TEXTDB_FUZZ_CHECK(again->Write() == lossless, lossless);

  const std::string canonical = doc.WriteCanonical();
  ParseOptions strict;
  strict.file_name = options.file_name;
  Result<Document> canonical_doc = textdb::deb822::Parse(canonical, strict);
  TEXTDB_FUZZ_CHECK(canonical_doc.ok(), canonical_doc.status().ToString() + "\n" + canonical);
  TEXTDB_FUZZ_CHECK(ContentOf(*canonical_doc) == content, canonical);
  // Canonical form is a fixed point.
  TEXTDB_FUZZ_CHECK(canonical_doc->WriteCanonical() == canonical, canonical);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  ParseOptions strict;
  strict.file_name = std::string(kFileName);
  ParseOptions compat = strict;
  compat.profile = Profile::kCompat;
  ParseOptions compat_strip = compat;
  compat_strip.strip_signature = true;

  const Result<Document> strict_doc = CheckParse(input, strict, "strict");
  const Result<Document> compat_doc = CheckParse(input, compat, "compat");
  const Result<Document> strip_doc = CheckParse(input, compat_strip, "compat+strip");
  if (strict_doc.ok()) CheckWriters(input, strict, *strict_doc, "strict");
  if (compat_doc.ok()) CheckWriters(input, compat, *compat_doc, "compat");
  if (strip_doc.ok()) CheckWriters(input, compat_strip, *strip_doc, "compat+strip");

  // The strict profile accepts a subset of the compat language, read the same way; input the
  // strict profile accepts cannot start with an armour line, so stripping changes nothing.
  const char* profile_name = "strict vs compat";
  if (strict_doc.ok()) {
    TEXTDB_FUZZ_CHECK(compat_doc.ok(), compat_doc.status().ToString());
    TEXTDB_FUZZ_CHECK(ContentOf(*compat_doc) == ContentOf(*strict_doc), input);
    TEXTDB_FUZZ_CHECK(strip_doc.ok() && !strip_doc->signature_stripped(), input);
    TEXTDB_FUZZ_CHECK(ContentOf(*strip_doc) == ContentOf(*strict_doc), input);
  }
  // Without an armour line first, stripping is a no-op: the same result either way.
  if (!StartsWithArmour(input)) {
    TEXTDB_FUZZ_CHECK(compat_doc.ok() == strip_doc.ok(), input);
    if (compat_doc.ok()) {
      TEXTDB_FUZZ_CHECK(!strip_doc->signature_stripped(), input);
      TEXTDB_FUZZ_CHECK(ContentOf(*compat_doc) == ContentOf(*strip_doc), input);
    } else {
      TEXTDB_FUZZ_CHECK(compat_doc.status().message() == strip_doc.status().message(),
                        compat_doc.status().message() + " vs " + strip_doc.status().message());
    }
  }
  return 0;
}
