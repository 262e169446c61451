// The field codecs of include/textdb/field_codec.h. Validity is decided by the schema module's
// own checks (CheckValue, CanonicalValue), so a typed field accepts exactly the text the matching
// schema type accepts, and a reason reads like the schema's message for that type.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "schema/value_types.h"
#include "textdb/field_codec.h"
#include "textdb/schema.h"

namespace textdb {
namespace {

// OK when `text` is a valid value of `type` [S-100..S-107]; otherwise kInvalidData whose message
// is CheckValue's without its "field '': 'TEXT' " prefix and a leading "is ": "not an integer;
// expected ... [S-101]", "has an empty element; ... [S-107]".
Status CheckAs(FieldType type, std::string_view text) {
  FieldSpec spec;
  spec.type = type;
  Status status = CheckValue(spec, text);
  if (status.ok()) return status;
  const std::string prefix = "field '': " + internal::QuoteForMessage(text) + " ";
  std::string message = status.message();
  if (message.starts_with(prefix)) message.erase(0, prefix.size());
  if (message.starts_with("is ")) message.erase(0, 3);
  return Status::InvalidData(std::move(message));
}

Status OutOfRange(std::string_view type, std::string_view min, std::string_view max) {
  return Status::InvalidData("out of range; " + std::string(type) + " holds " + std::string(min) +
                             " to " + std::string(max));
}

// Two digits (or four) of a canonical date or date-time; REQUIRES: they are digits.
int Digits(std::string_view text, std::size_t pos, std::size_t width) {
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

void AppendPadded(long long value, std::size_t width, std::string* out) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) out->append(width - digits.size(), '0');
  *out += digits;
}

template <typename F>
Status ParseFloating(std::string_view text, std::string_view type, F* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kDecimal, text));
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), *out, std::chars_format::fixed);
  if (error == std::errc::result_out_of_range) {
    return Status::InvalidData("out of range; the magnitude exceeds what " + std::string(type) +
                               " holds");
  }
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidData("not a decimal [S-102]");
  }
  return Status::Ok();
}

template <typename F>
Status FormatFloating(F value, std::string* out) {
  if (value != value || value == std::numeric_limits<F>::infinity() ||
      value == -std::numeric_limits<F>::infinity()) {
    return Status::InvalidArgument(
        "NaN and infinities have no decimal form; a decimal is digits with an optional sign and "
        "fraction [S-102]");
  }
  char buffer[400];  // fixed notation of the largest double: 309 digits, sign, point, fraction
  const auto [end, error] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  if (error != std::errc()) return Status::InvalidArgument("the value does not fit the buffer");
  out->assign(buffer, end);
  return Status::Ok();
}

}  // namespace

namespace internal {

Status ParseSigned(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kInteger, text));
  if (text.starts_with('+')) text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (error != std::errc() || end != text.data() + text.size() || *out < min || *out > max) {
    return OutOfRange("the type", std::to_string(min), std::to_string(max));
  }
  return Status::Ok();
}

Status ParseUnsigned(std::string_view text, std::uint64_t max, std::uint64_t* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kInteger, text));
  const std::string canonical = CanonicalValue(FieldType::kInteger, text);
  const char* begin = canonical.data();
  const char* stop = begin + canonical.size();
  const auto [end, error] = std::from_chars(begin, stop, *out);  // fails on a leading '-'
  if (error != std::errc() || end != stop || *out > max) {
    return OutOfRange("the type", "0", std::to_string(max));
  }
  return Status::Ok();
}

std::string FormatSigned(std::int64_t value) { return std::to_string(value); }
std::string FormatUnsigned(std::uint64_t value) { return std::to_string(value); }

Status UnknownEnumName(const std::vector<std::string_view>& names) {
  std::string message = "not one of the names:";
  for (std::size_t i = 0; i < names.size(); ++i) {
    message += i == 0 ? " " : ", ";
    message.append(names[i]);
  }
  message += " [S-106]";
  return Status::InvalidData(std::move(message));
}

Status UnnamedEnumValue(long long value) {
  return Status::InvalidArgument("the enum value " + std::to_string(value) +
                                 " has no name in its EnumNames specialisation");
}

}  // namespace internal

Status FieldCodec<std::string>::Parse(std::string_view text, std::string* out) {
  out->assign(text);
  return Status::Ok();
}

Status FieldCodec<std::string>::Format(const std::string& value, std::string* out) {
  *out = value;
  return Status::Ok();
}

Status FieldCodec<double>::Parse(std::string_view text, double* out) {
  return ParseFloating(text, kTypeName, out);
}

Status FieldCodec<double>::Format(double value, std::string* out) {
  return FormatFloating(value, out);
}

Status FieldCodec<float>::Parse(std::string_view text, float* out) {
  return ParseFloating(text, kTypeName, out);
}

Status FieldCodec<float>::Format(float value, std::string* out) {
  return FormatFloating(value, out);
}

Status FieldCodec<bool>::Parse(std::string_view text, bool* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kBoolean, text));
  *out = CanonicalValue(FieldType::kBoolean, text) == "yes";
  return Status::Ok();
}

Status FieldCodec<bool>::Format(bool value, std::string* out) {
  *out = value ? "yes" : "no";
  return Status::Ok();
}

Status FieldCodec<std::chrono::year_month_day>::Parse(std::string_view text,
                                                      std::chrono::year_month_day* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kDate, text));
  *out = std::chrono::year_month_day(std::chrono::year(Digits(text, 0, 4)),
                                     std::chrono::month(static_cast<unsigned>(Digits(text, 5, 2))),
                                     std::chrono::day(static_cast<unsigned>(Digits(text, 8, 2))));
  return Status::Ok();
}

Status FieldCodec<std::chrono::year_month_day>::Format(const std::chrono::year_month_day& value,
                                                       std::string* out) {
  const int year = static_cast<int>(value.year());
  if (!value.ok() || year < 0 || year > 9999) {
    return Status::InvalidArgument(
        "not a real day of the years 0000 to 9999, as a date must be [S-104]");
  }
  out->clear();
  AppendPadded(year, 4, out);
  *out += '-';
  AppendPadded(static_cast<unsigned>(value.month()), 2, out);
  *out += '-';
  AppendPadded(static_cast<unsigned>(value.day()), 2, out);
  return Status::Ok();
}

Status FieldCodec<std::chrono::sys_seconds>::Parse(std::string_view text,
                                                   std::chrono::sys_seconds* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kDateTime, text));
  // The canonical form is the instant in UTC: YYYY-MM-DDTHH:MM:SS[.fraction]Z [S-105].
  const std::string utc = CanonicalValue(FieldType::kDateTime, text);
  if (utc.size() != 20) {
    return Status::InvalidData(
        "has a fraction of a second, which std::chrono::sys_seconds cannot hold");
  }
  const std::chrono::year_month_day date(
      std::chrono::year(Digits(utc, 0, 4)),
      std::chrono::month(static_cast<unsigned>(Digits(utc, 5, 2))),
      std::chrono::day(static_cast<unsigned>(Digits(utc, 8, 2))));
  *out = std::chrono::sys_days(date) + std::chrono::hours(Digits(utc, 11, 2)) +
         std::chrono::minutes(Digits(utc, 14, 2)) + std::chrono::seconds(Digits(utc, 17, 2));
  return Status::Ok();
}

Status FieldCodec<std::chrono::sys_seconds>::Format(const std::chrono::sys_seconds& value,
                                                    std::string* out) {
  const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(value);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss<std::chrono::seconds> time(value - day);
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {
    return Status::InvalidArgument(
        "outside the years 0000 to 9999 in UTC, where a date-time must lie [S-105]");
  }
  out->clear();
  AppendPadded(year, 4, out);
  *out += '-';
  AppendPadded(static_cast<unsigned>(date.month()), 2, out);
  *out += '-';
  AppendPadded(static_cast<unsigned>(date.day()), 2, out);
  *out += 'T';
  AppendPadded(time.hours().count(), 2, out);
  *out += ':';
  AppendPadded(time.minutes().count(), 2, out);
  *out += ':';
  AppendPadded(time.seconds().count(), 2, out);
  *out += 'Z';
  return Status::Ok();
}

Status FieldCodec<std::vector<std::string>>::Parse(std::string_view text,
                                                   std::vector<std::string>* out) {
  TEXTDB_RETURN_IF_ERROR(CheckAs(FieldType::kList, text));
  out->clear();
  for (std::string_view element : internal::SplitList(text)) out->emplace_back(element);
  return Status::Ok();
}

Status FieldCodec<std::vector<std::string>>::Format(const std::vector<std::string>& value,
                                                    std::string* out) {
  out->clear();
  for (const std::string& element : value) {
    if (element.empty() || element.find(',') != std::string::npos ||
        internal::TrimSpace(element).size() != element.size()) {
      return Status::InvalidArgument(
          "the element " + internal::QuoteForMessage(element) +
          " would not read back: list elements are non-empty, hold no ',' and do not start or "
          "end with white space [S-107]");
    }
    if (!out->empty()) *out += ", ";
    *out += element;
  }
  return Status::Ok();
}

}  // namespace textdb
