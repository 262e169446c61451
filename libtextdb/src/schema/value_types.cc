// Typed values of the schema module (include/textdb/schema.h): validity, total order and
// canonical form of every field type, format-spec/schema.md section 5 [S-100..S-109].
//
// Every type is parsed by one function that returns its parts (or nothing when the value is
// invalid); checking, comparing and canonicalising all go through it, so the three agree:
// compare(a, b) == 0 exactly when canonical(a) == canonical(b).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/value_types.h"
#include "textdb/schema.h"

namespace textdb {
namespace internal {

CompiledPattern::CompiledPattern(std::string_view pattern, const RE2::Options& options)
    : re_(re2::StringPiece(pattern.data(), pattern.size()), options) {}

std::shared_ptr<const CompiledPattern> CompiledPattern::Compile(std::string_view pattern,
                                                                std::string* error) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_max_mem(kMaxMemory);
  // CompiledPattern's constructor is private, so make_shared cannot reach it.
  std::shared_ptr<const CompiledPattern> compiled(new CompiledPattern(pattern, options));
  if (!compiled->re_.ok()) {
    *error = compiled->re_.error();
    return nullptr;
  }
  return compiled;
}

bool CompiledPattern::FullMatch(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), re_);
}

std::string QuoteEscaped(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += '\'';
  return out;
}

std::string QuoteForMessage(std::string_view value) {
  if (value.size() <= kMaxQuotedBytes) return QuoteEscaped(value);
  std::size_t end = kMaxQuotedBytes;
  // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
  while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
  std::string out = QuoteEscaped(value.substr(0, end));
  out.insert(out.size() - 1, "...");
  return out;
}

std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return text.substr(text.size());  // empty, positioned
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

std::vector<std::string_view> SplitList(std::string_view raw) {
  std::vector<std::string_view> elements;
  if (TrimSpace(raw).empty()) return elements;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = raw.find(',', begin);
    elements.push_back(TrimSpace(raw.substr(begin, comma - begin)));
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return elements;
}

namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return !text.empty();
}

std::string_view StripLeadingZeros(std::string_view digits) {
  const std::size_t first = digits.find_first_not_of('0');
  return first == std::string_view::npos ? std::string_view() : digits.substr(first);
}

int Sign(int value) { return (value > 0) - (value < 0); }

int CompareBytes(std::string_view a, std::string_view b) { return Sign(a.compare(b)); }

// ---- integer and decimal [S-101, S-102] ----------------------------------------------------

// An exact number: sign, integer digits without leading zeros, fraction digits without trailing
// zeros. INVARIANT: zero has negative == false and both digit strings empty.
struct Number {
  bool negative = false;
  std::string_view integer;
  std::string_view fraction;
};

std::optional<Number> ParseNumber(std::string_view raw, bool allow_fraction) {
  Number number;
  std::string_view rest = raw;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    number.negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  const std::size_t dot = allow_fraction ? rest.find('.') : std::string_view::npos;
  std::string_view integer = rest.substr(0, dot);
  if (!AllDigits(integer)) return std::nullopt;
  number.integer = StripLeadingZeros(integer);
  if (dot != std::string_view::npos) {
    std::string_view fraction = rest.substr(dot + 1);
    if (!AllDigits(fraction)) return std::nullopt;
    const std::size_t last = fraction.find_last_not_of('0');
    number.fraction =
        last == std::string_view::npos ? std::string_view() : fraction.substr(0, last + 1);
  }
  if (number.integer.empty() && number.fraction.empty()) number.negative = false;
  return number;
}

int CompareNumbers(const Number& a, const Number& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  int magnitude = 0;
  if (a.integer.size() != b.integer.size()) {
    magnitude = a.integer.size() < b.integer.size() ? -1 : 1;
  } else {
    magnitude = CompareBytes(a.integer, b.integer);
    // Without trailing zeros, fraction digits order as strings: "5" (.5) > "45" (.45).
    if (magnitude == 0) magnitude = CompareBytes(a.fraction, b.fraction);
  }
  return a.negative ? -magnitude : magnitude;
}

std::string CanonicalNumber(const Number& number) {
  std::string out;
  if (number.negative) out += '-';
  if (number.integer.empty()) {
    out += '0';
  } else {
    out.append(number.integer);
  }
  if (!number.fraction.empty()) {
    out += '.';
    out.append(number.fraction);
  }
  return out;
}

// ---- boolean [S-103] ------------------------------------------------------------------------

std::optional<bool> ParseBoolean(std::string_view raw) {
  for (std::string_view yes : {"yes", "true", "1"}) {
    if (EqualsIgnoreCase(raw, yes)) return true;
  }
  for (std::string_view no : {"no", "false", "0"}) {
    if (EqualsIgnoreCase(raw, no)) return false;
  }
  return std::nullopt;
}

// ---- date and date-time [S-104, S-105] ------------------------------------------------------

// Parses exactly `width` digits at text[pos..].
std::optional<int> ParseDigits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysInMonth(int64_t year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

struct CivilDate {
  int64_t year = 0;
  int month = 0;
  int day = 0;
};

// "YYYY-MM-DD" at the start of `text` (proleptic Gregorian, years 0000..9999).
std::optional<CivilDate> ParseDatePrefix(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::optional<int> year = ParseDigits(text, 0, 4);
  std::optional<int> month = ParseDigits(text, 5, 2);
  std::optional<int> day = ParseDigits(text, 8, 2);
  if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1 ||
      *day > DaysInMonth(*year, *month)) {
    return std::nullopt;
  }
  return CivilDate{*year, *month, *day};
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(const CivilDate& date) {
  const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (date.month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

constexpr int64_t kSecondsPerDay = 86400;

// An instant: whole seconds since 1970-01-01T00:00:00Z and the fraction digits without trailing
// zeros.
struct Instant {
  int64_t seconds = 0;
  std::string_view fraction;
};

enum class DateTimeIssue { kNone, kSyntax, kRange };

// YYYY-MM-DDTHH:MM:SS[.digits](Z|+HH:MM|-HH:MM); the instant must lie in years 0000..9999 UTC.
std::optional<Instant> ParseDateTime(std::string_view raw, DateTimeIssue* issue) {
  *issue = DateTimeIssue::kSyntax;
  std::optional<CivilDate> date = ParseDatePrefix(raw);
  if (!date || raw.size() < 19 || raw[10] != 'T' || raw[13] != ':' || raw[16] != ':') {
    return std::nullopt;
  }
  std::optional<int> hour = ParseDigits(raw, 11, 2);
  std::optional<int> minute = ParseDigits(raw, 14, 2);
  std::optional<int> second = ParseDigits(raw, 17, 2);
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  Instant instant;
  std::size_t pos = 19;
  if (pos < raw.size() && raw[pos] == '.') {
    const std::size_t begin = ++pos;
    while (pos < raw.size() && IsDigit(raw[pos])) ++pos;
    if (pos == begin) return std::nullopt;
    std::string_view fraction = raw.substr(begin, pos - begin);
    const std::size_t last = fraction.find_last_not_of('0');
    instant.fraction =
        last == std::string_view::npos ? std::string_view() : fraction.substr(0, last + 1);
  }
  int64_t offset = 0;
  std::string_view zone = raw.substr(pos);
  if (zone == "Z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    std::optional<int> offset_hours = ParseDigits(zone, 1, 2);
    std::optional<int> offset_minutes = ParseDigits(zone, 4, 2);
    if (!offset_hours || !offset_minutes || *offset_hours > 23 || *offset_minutes > 59) {
      return std::nullopt;
    }
    offset = (*offset_hours * 3600 + *offset_minutes * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  instant.seconds =
      DaysFromCivil(*date) * kSecondsPerDay + *hour * 3600 + *minute * 60 + *second - offset;
  const int64_t first = DaysFromCivil(CivilDate{0, 1, 1}) * kSecondsPerDay;
  const int64_t last = (DaysFromCivil(CivilDate{9999, 12, 31}) + 1) * kSecondsPerDay - 1;
  if (instant.seconds < first || instant.seconds > last) {
    *issue = DateTimeIssue::kRange;
    return std::nullopt;
  }
  *issue = DateTimeIssue::kNone;
  return instant;
}

void AppendPadded(int64_t value, std::size_t width, std::string* out) {
  const std::string digits = std::to_string(value);
  if (digits.size() < width) out->append(width - digits.size(), '0');
  out->append(digits);
}

std::string CanonicalDateTime(const Instant& instant) {
  const int64_t days = instant.seconds >= 0
                           ? instant.seconds / kSecondsPerDay
                           : -((-instant.seconds + kSecondsPerDay - 1) / kSecondsPerDay);
  const int64_t second_of_day = instant.seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  std::string out;
  AppendPadded(date.year, 4, &out);
  out += '-';
  AppendPadded(date.month, 2, &out);
  out += '-';
  AppendPadded(date.day, 2, &out);
  out += 'T';
  AppendPadded(second_of_day / 3600, 2, &out);
  out += ':';
  AppendPadded(second_of_day / 60 % 60, 2, &out);
  out += ':';
  AppendPadded(second_of_day % 60, 2, &out);
  if (!instant.fraction.empty()) {
    out += '.';
    out.append(instant.fraction);
  }
  out += 'Z';
  return out;
}

// ---- list [S-107] ---------------------------------------------------------------------------

std::optional<std::vector<std::string_view>> ParseList(std::string_view raw) {
  std::vector<std::string_view> elements = SplitList(raw);
  for (std::string_view element : elements) {
    if (element.empty()) return std::nullopt;
  }
  return elements;
}

// ---- debversion [S-108, S-109] --------------------------------------------------------------

struct DebVersion {
  int64_t epoch = 0;
  std::string_view upstream;
  std::string_view revision;  // "" when absent
};

// Parses like dpkg's parseversion(), with its warnings treated as errors. Sets `*error` (when not
// null) to dpkg's message for the first problem.
std::optional<DebVersion> ParseDebVersion(std::string_view raw, std::string* error) {
  auto fail = [error](const char* message) -> std::optional<DebVersion> {
    if (error != nullptr) *error = message;
    return std::nullopt;
  };
  if (raw.empty()) return fail("version string is empty");
  // PERF: plain loops, not find_first_of and find on a set of characters, which call memchr
  // once per character of `raw`: those calls were a tenth of the indexing of the Packages data
  // (a version is parsed to check it, to make its canonical value, and at each comparison).
  for (char c : raw) {
    if (c == ' ' || c == '\t' || c == '\n') return fail("version string has embedded spaces");
  }
  DebVersion version;
  std::string_view rest = raw;
  const std::size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    std::string_view epoch = rest.substr(0, colon);
    if (epoch.empty()) return fail("epoch in version is empty");
    if (!AllDigits(epoch)) return fail("epoch in version is not number");
    std::string_view digits = StripLeadingZeros(epoch);
    if (digits.size() > 10 || (digits.size() == 10 && digits > "2147483647")) {
      return fail("epoch in version is too big");
    }
    for (char c : digits) version.epoch = version.epoch * 10 + (c - '0');
    rest.remove_prefix(colon + 1);
    if (rest.empty()) return fail("nothing after colon in version number");
  }
  const std::size_t hyphen = rest.rfind('-');
  if (hyphen != std::string_view::npos) {
    version.revision = rest.substr(hyphen + 1);
    if (version.revision.empty()) return fail("revision number is empty");
    rest = rest.substr(0, hyphen);
  }
  version.upstream = rest;
  if (version.upstream.empty()) return fail("version number is empty");
  if (!IsDigit(version.upstream[0])) return fail("version number does not start with digit");
  for (char c : version.upstream) {
    if (!IsDigit(c) && !IsAlpha(c) && c != '.' && c != '-' && c != '+' && c != '~' && c != ':') {
      return fail("invalid character in version number");
    }
  }
  for (char c : version.revision) {
    if (!IsDigit(c) && !IsAlpha(c) && c != '.' && c != '+' && c != '~') {
      return fail("invalid character in revision number");
    }
  }
  return version;
}

int CompareDebVersions(const DebVersion& a, const DebVersion& b) {
  if (a.epoch != b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const int upstream = VerRevCmp(a.upstream, b.upstream);
  if (upstream != 0) return upstream;
  return VerRevCmp(a.revision, b.revision);
}

// The canonical spelling of a version part [S-109]: digit runs without leading zeros ("0" for
// zero); a zero digit run at the end (equal to no digit run there) is dropped, except after a
// '.', where it is written "0" ("1." -> "1.0", "1a0" -> "1a"). A part equal to "0" becomes "".
std::string CanonicalVersionPart(std::string_view part) {
  std::string out;
  std::size_t i = 0;
  bool last_was_zero_run = false;
  std::size_t zero_run_start = 0;
  while (i < part.size()) {
    if (IsDigit(part[i])) {
      std::size_t end = i;
      while (end < part.size() && IsDigit(part[end])) ++end;
      std::string_view digits = StripLeadingZeros(part.substr(i, end - i));
      zero_run_start = out.size();
      last_was_zero_run = digits.empty();
      out.append(digits.empty() ? std::string_view("0") : digits);
      i = end;
    } else {
      out += part[i++];
      last_was_zero_run = false;
    }
  }
  if (last_was_zero_run) {
    out.resize(zero_run_start);  // a trailing zero run equals no run at all
  }
  if (!out.empty() && out.back() == '.') out += '0';
  return out;
}

std::string CanonicalDebVersion(const DebVersion& version) {
  std::string upstream = CanonicalVersionPart(version.upstream);
  if (upstream.empty()) upstream = "0";  // the upstream part starts with a digit
  std::string revision = CanonicalVersionPart(version.revision);
  std::string out;
  if (version.epoch != 0 || upstream.find(':') != std::string::npos) {
    out += std::to_string(version.epoch);
    out += ':';
  }
  out += upstream;
  if (revision.empty() && upstream.find('-') != std::string::npos) revision = "0";
  if (!revision.empty()) {
    out += '-';
    out += revision;
  }
  return out;
}

// ---- dispatch -------------------------------------------------------------------------------

bool IsValid(FieldType type, std::string_view raw) {
  DateTimeIssue issue = DateTimeIssue::kNone;
  switch (type) {
    case FieldType::kString:
    case FieldType::kEnum:
      return true;
    case FieldType::kInteger:
      return ParseNumber(raw, false).has_value();
    case FieldType::kDecimal:
      return ParseNumber(raw, true).has_value();
    case FieldType::kBoolean:
      return ParseBoolean(raw).has_value();
    case FieldType::kDate:
      return raw.size() == 10 && ParseDatePrefix(raw).has_value();
    case FieldType::kDateTime:
      return ParseDateTime(raw, &issue).has_value();
    case FieldType::kList:
      return ParseList(raw).has_value();
    case FieldType::kDebVersion:
      return ParseDebVersion(raw, nullptr).has_value();
  }
  return false;
}

// Compares two values that are both valid for `type`.
int CompareValid(FieldType type, std::string_view a, std::string_view b) {
  DateTimeIssue issue = DateTimeIssue::kNone;
  switch (type) {
    case FieldType::kString:
    case FieldType::kEnum:
    case FieldType::kDate:  // YYYY-MM-DD orders as bytes
      return CompareBytes(a, b);
    case FieldType::kInteger:
      return CompareNumbers(*ParseNumber(a, false), *ParseNumber(b, false));
    case FieldType::kDecimal:
      return CompareNumbers(*ParseNumber(a, true), *ParseNumber(b, true));
    case FieldType::kBoolean:
      return static_cast<int>(*ParseBoolean(a)) - static_cast<int>(*ParseBoolean(b));
    case FieldType::kDateTime: {
      const Instant x = *ParseDateTime(a, &issue);
      const Instant y = *ParseDateTime(b, &issue);
      if (x.seconds != y.seconds) return x.seconds < y.seconds ? -1 : 1;
      return CompareBytes(x.fraction, y.fraction);
    }
    case FieldType::kList: {
      const std::vector<std::string_view> x = *ParseList(a);
      const std::vector<std::string_view> y = *ParseList(b);
      for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
        if (const int c = CompareBytes(x[i], y[i]); c != 0) return c;
      }
      return (x.size() > y.size()) - (x.size() < y.size());
    }
    case FieldType::kDebVersion:
      return CompareDebVersions(*ParseDebVersion(a, nullptr), *ParseDebVersion(b, nullptr));
  }
  return 0;
}

Status ValueError(const FieldSpec& field, std::string_view raw, std::string_view what,
                  std::string_view rule) {
  std::string message = "field '" + field.name + "': " + QuoteForMessage(raw) + " ";
  message.append(what);
  message += " [";
  message.append(rule);
  message += ']';
  return Status::InvalidData(std::move(message));
}

// Checks `text` (the whole raw value, or one element of a list when `is_element`) against the
// field's pattern.
Status CheckPattern(const FieldSpec& field, std::string_view raw, std::string_view text,
                    bool is_element, std::string_view rule) {
  if (field.pattern.empty()) return Status::Ok();
  std::shared_ptr<const CompiledPattern> pattern = field.compiled_pattern;
  if (pattern == nullptr) {
    std::string error;
    pattern = CompiledPattern::Compile(field.pattern, &error);
    if (pattern == nullptr) {
      return Status::InvalidArgument("field '" + field.name + "': invalid pattern " +
                                     QuoteForMessage(field.pattern) + ": " + error + " [S-025]");
    }
  }
  if (pattern->FullMatch(text)) return Status::Ok();
  std::string what = is_element ? "has an element " + QuoteForMessage(text) + " that does not match"
                                : "does not match";
  return ValueError(field, raw, what + " the pattern " + QuoteForMessage(field.pattern), rule);
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string DebVersionError(std::string_view raw) {
  std::string error;
  ParseDebVersion(raw, &error);
  return error;
}

// Exactly dpkg's verrevcmp (lib/dpkg/version.c), over string_view instead of NUL-terminated
// strings: the end of the part reads as '\0'.
int VerRevCmp(std::string_view a, std::string_view b) {
  auto at = [](std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; };
  // dpkg's order(): digits and the end 0, letters their code, '~' -1, anything else code + 256.
  auto order = [](char c) {
    if (IsDigit(c)) return 0;
    if (IsAlpha(c)) return static_cast<int>(c);
    if (c == '~') return -1;
    if (c != '\0') return static_cast<int>(static_cast<unsigned char>(c)) + 256;
    return 0;
  };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      const int ac = order(at(a, i));
      const int bc = order(at(b, j));
      if (ac != bc) return ac - bc;
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (IsDigit(at(a, i)) && IsDigit(at(b, j))) {
      if (first_diff == 0) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (IsDigit(at(a, i))) return 1;
    if (IsDigit(at(b, j))) return -1;
    if (first_diff != 0) return first_diff;
  }
  return 0;
}

}  // namespace internal

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kDecimal:
      return "decimal";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "date-time";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kList:
      return "list";
    case FieldType::kDebVersion:
      return "debversion";
  }
  return "string";
}

Status CheckValue(const FieldSpec& field, std::string_view raw) {
  using internal::ValueError;
  internal::DateTimeIssue issue = internal::DateTimeIssue::kNone;
  switch (field.type) {
    case FieldType::kString:
      return internal::CheckPattern(field, raw, raw, false, "S-100");
    case FieldType::kInteger:
      if (internal::ParseNumber(raw, false)) return Status::Ok();
      return ValueError(field, raw,
                        "is not an integer; expected decimal digits with an optional sign, "
                        "e.g. -42",
                        "S-101");
    case FieldType::kDecimal:
      if (internal::ParseNumber(raw, true)) return Status::Ok();
      return ValueError(field, raw,
                        "is not a decimal; expected decimal digits with an optional sign and "
                        "fraction, e.g. -3.25",
                        "S-102");
    case FieldType::kBoolean:
      if (internal::ParseBoolean(raw)) return Status::Ok();
      return ValueError(field, raw, "is not a boolean; expected yes, no, true, false, 1 or 0",
                        "S-103");
    case FieldType::kDate:
      if (raw.size() == 10 && internal::ParseDatePrefix(raw)) return Status::Ok();
      return ValueError(field, raw, "is not a date; expected YYYY-MM-DD, e.g. 2024-02-29", "S-104");
    case FieldType::kDateTime:
      if (internal::ParseDateTime(raw, &issue)) return Status::Ok();
      if (issue == internal::DateTimeIssue::kRange) {
        return ValueError(field, raw, "is outside the years 0000 to 9999 in UTC", "S-105");
      }
      return ValueError(field, raw,
                        "is not a date-time; expected YYYY-MM-DDTHH:MM:SS[.fraction] and Z or "
                        "+HH:MM or -HH:MM, e.g. 2024-02-29T13:05:00+01:00",
                        "S-105");
    case FieldType::kEnum:
      for (const std::string& value : field.values) {
        if (raw == value) return Status::Ok();
      }
      {
        std::string allowed;
        for (const std::string& value : field.values) {
          if (!allowed.empty()) allowed += ", ";
          allowed += value;
        }
        return ValueError(field, raw, "is not one of the allowed values: " + allowed, "S-106");
      }
    case FieldType::kList: {
      std::optional<std::vector<std::string_view>> elements = internal::ParseList(raw);
      if (!elements) {
        return ValueError(field, raw,
                          "has an empty element; expected non-empty elements separated by ','",
                          "S-107");
      }
      for (std::string_view element : *elements) {
        TEXTDB_RETURN_IF_ERROR(internal::CheckPattern(field, raw, element, true, "S-107"));
      }
      return Status::Ok();
    }
    case FieldType::kDebVersion: {
      std::string error = internal::DebVersionError(raw);
      if (error.empty()) return Status::Ok();
      return ValueError(field, raw, "is not a Debian version: " + error, "S-108");
    }
  }
  return Status::Ok();
}

int CompareValues(FieldType type, std::string_view a, std::string_view b) {
  if (type == FieldType::kDebVersion) {  // PERF: each parsed once, not to check then to compare
    const std::optional<internal::DebVersion> x = internal::ParseDebVersion(a, nullptr);
    const std::optional<internal::DebVersion> y = internal::ParseDebVersion(b, nullptr);
    if (x && y) return internal::CompareDebVersions(*x, *y);
    if (x.has_value() != y.has_value()) return x ? -1 : 1;
    return internal::CompareBytes(a, b);
  }
  const bool a_valid = internal::IsValid(type, a);
  const bool b_valid = internal::IsValid(type, b);
  if (a_valid && b_valid) return internal::CompareValid(type, a, b);
  if (a_valid != b_valid) return a_valid ? -1 : 1;
  return internal::CompareBytes(a, b);
}

std::string CanonicalValue(FieldType type, std::string_view raw) {
  internal::DateTimeIssue issue = internal::DateTimeIssue::kNone;
  switch (type) {
    case FieldType::kString:
    case FieldType::kEnum:
    case FieldType::kDate:
      break;
    case FieldType::kInteger:
    case FieldType::kDecimal:
      if (auto number = internal::ParseNumber(raw, type == FieldType::kDecimal)) {
        return internal::CanonicalNumber(*number);
      }
      break;
    case FieldType::kBoolean:
      if (auto value = internal::ParseBoolean(raw)) return *value ? "yes" : "no";
      break;
    case FieldType::kDateTime:
      if (auto instant = internal::ParseDateTime(raw, &issue)) {
        return internal::CanonicalDateTime(*instant);
      }
      break;
    case FieldType::kList:
      if (auto elements = internal::ParseList(raw)) {
        std::string out;
        for (std::string_view element : *elements) {
          if (!out.empty()) out += ", ";
          out.append(element);
        }
        return out;
      }
      break;
    case FieldType::kDebVersion:
      if (auto version = internal::ParseDebVersion(raw, nullptr)) {
        return internal::CanonicalDebVersion(*version);
      }
      break;
  }
  return std::string(raw);
}

namespace internal {

bool ValidCanonical(const FieldSpec& field, std::string_view raw, std::string* canonical) {
  if (field.type == FieldType::kDebVersion) {
    const std::optional<DebVersion> version = ParseDebVersion(raw, nullptr);
    if (!version) return false;
    *canonical = CanonicalDebVersion(*version);
    return true;
  }
  if (!CheckValue(field, raw).ok()) return false;
  *canonical = CanonicalValue(field.type, raw);
  return true;
}

}  // namespace internal

}  // namespace textdb
