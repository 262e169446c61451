// Field codecs: how a C++ value is read from and written as the raw value [F-030] of one field.
//
// The typed-record API (textdb/typed.h) and the query builder (textdb/query_builder.h) convert
// through FieldCodec<T>. The text each codec reads and writes is the text a schema type of
// format-spec/schema.md accepts, so a typed struct and a table schema agree:
//
//   C++ type                               reads                      writes        schema type
//   std::string                            any raw value              the value     string [S-100]
//   integers (not bool, not char types)    [S-101], range-checked     "-42"         integer
//   float, double                          [S-102] (no exponent)      shortest exact decimal
//   bool                                   [S-103] yes/no/true/false/1/0, any case  "yes", "no"
//   std::chrono::year_month_day            [S-104] YYYY-MM-DD         YYYY-MM-DD    date
//   std::chrono::sys_seconds               [S-105], whole seconds     ...THH:MM:SSZ date-time
//   enums with an EnumNames<E>             one of the names (bytes)   the name      enum [S-106]
//   std::vector<std::string>               [S-107] comma-separated    "a, b"        list
//
// Integers and decimals keep leading zeros and signs as [S-101]/[S-102] allow ("007", "+5");
// a value out of the C++ type's range is an error, never wrapped or clamped. float and double
// are written with std::to_chars in fixed notation, the shortest text that reads back to the
// same value, and read with std::from_chars: locale-independent and exact round trips (the sign
// of -0.0 is kept; NaN and infinities cannot be written). A date-time with a non-zero fraction
// of a second does not fit sys_seconds and is an error; offsets are applied (the instant is
// kept). The empty raw value is the empty list [S-107]; a list element that is empty, holds ','
// or starts or ends with white space cannot be written.
//
// Customisation point: specialise FieldCodec for your own type with the same three members:
//
//   template <> struct textdb::FieldCodec<Money> {
//     static constexpr std::string_view kTypeName = "money";
//     static Status Parse(std::string_view text, Money* out);  // kInvalidData: the reason
//     static Status Format(const Money& value, std::string* out);  // kInvalidArgument: why not
//   };
//
// A failed Parse returns kInvalidData whose message is only the reason ("not an integer; ...
// [S-101]"); the caller adds the record, the field and the text. Parse leaves *out unspecified
// on failure.
//
// Thread-safety: every function here is reentrant and may be called from any thread.
#ifndef TEXTDB_FIELD_CODEC_H_
#define TEXTDB_FIELD_CODEC_H_

#include <chrono>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "textdb/status.h"

namespace textdb {

// The codec of T; only the specialisations below and the user's exist.
template <typename T>
struct FieldCodec;

// The names of an enum's values, for FieldCodec<E>. Specialise it:
//   template <> struct textdb::EnumNames<Colour> {
//     static constexpr std::pair<Colour, std::string_view> kNames[] = {
//         {Colour::kRed, "red"}, {Colour::kGreen, "green"}};
//   };
// A name is matched exactly (bytes, case-sensitive), as an enum schema field's Values [S-106].
template <typename E>
struct EnumNames;

namespace internal {

// The integer of `text` [S-101] if it lies in [min, max]; otherwise kInvalidData with the reason.
Status ParseSigned(std::string_view text, std::int64_t min, std::int64_t max, std::int64_t* out);
// As ParseSigned for an unsigned target ("-0" is 0; any other negative value is out of range).
Status ParseUnsigned(std::string_view text, std::uint64_t max, std::uint64_t* out);
std::string FormatSigned(std::int64_t value);
std::string FormatUnsigned(std::uint64_t value);
// Reason for an enum text that names no value: "not one of the names: a, b [S-106]".
Status UnknownEnumName(const std::vector<std::string_view>& names);
// Reason for an enum value without a name in EnumNames.
Status UnnamedEnumValue(long long value);

template <typename T>
inline constexpr bool kIsCharType =
    std::is_same_v<std::remove_cv_t<T>, char> || std::is_same_v<std::remove_cv_t<T>, wchar_t> ||
    std::is_same_v<std::remove_cv_t<T>, char8_t> || std::is_same_v<std::remove_cv_t<T>, char16_t> ||
    std::is_same_v<std::remove_cv_t<T>, char32_t>;

}  // namespace internal

// Integer types other than bool and the character types.
template <typename T>
concept CodecInteger =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !internal::kIsCharType<T>;

// Enums with an EnumNames specialisation.
template <typename E>
concept NamedEnum = std::is_enum_v<E> && requires {
  EnumNames<E>::kNames;
};

template <>
struct FieldCodec<std::string> {
  static constexpr std::string_view kTypeName = "string";
  static Status Parse(std::string_view text, std::string* out);
  static Status Format(const std::string& value, std::string* out);
};

template <CodecInteger T>
struct FieldCodec<T> {
  static constexpr std::string_view kTypeName = std::is_signed_v<T> ? (sizeof(T) == 1   ? "int8"
                                                                       : sizeof(T) == 2 ? "int16"
                                                                       : sizeof(T) == 4 ? "int32"
                                                                                        : "int64")
                                                                    : (sizeof(T) == 1   ? "uint8"
                                                                       : sizeof(T) == 2 ? "uint16"
                                                                       : sizeof(T) == 4 ? "uint32"
                                                                                        : "uint64");
  static Status Parse(std::string_view text, T* out) {
    if constexpr (std::is_signed_v<T>) {
      std::int64_t value = 0;
      TEXTDB_RETURN_IF_ERROR(internal::ParseSigned(text, std::numeric_limits<T>::min(),
                                                   std::numeric_limits<T>::max(), &value));
      *out = static_cast<T>(value);
    } else {
      std::uint64_t value = 0;
      TEXTDB_RETURN_IF_ERROR(internal::ParseUnsigned(text, std::numeric_limits<T>::max(), &value));
      *out = static_cast<T>(value);
    }
    return Status::Ok();
  }
  static Status Format(T value, std::string* out) {
    if constexpr (std::is_signed_v<T>) {
      *out = internal::FormatSigned(value);
    } else {
      *out = internal::FormatUnsigned(value);
    }
    return Status::Ok();
  }
};

template <>
struct FieldCodec<double> {
  static constexpr std::string_view kTypeName = "double";
  static Status Parse(std::string_view text, double* out);
  static Status Format(double value, std::string* out);
};

template <>
struct FieldCodec<float> {
  static constexpr std::string_view kTypeName = "float";
  static Status Parse(std::string_view text, float* out);
  static Status Format(float value, std::string* out);
};

template <>
struct FieldCodec<bool> {
  static constexpr std::string_view kTypeName = "bool";
  static Status Parse(std::string_view text, bool* out);
  static Status Format(bool value, std::string* out);
};

template <>
struct FieldCodec<std::chrono::year_month_day> {
  static constexpr std::string_view kTypeName = "date";
  static Status Parse(std::string_view text, std::chrono::year_month_day* out);
  // Fails for a date that is not ok() or lies outside the years 0000 to 9999 [S-104].
  static Status Format(const std::chrono::year_month_day& value, std::string* out);
};

template <>
struct FieldCodec<std::chrono::sys_seconds> {
  static constexpr std::string_view kTypeName = "date-time";
  static Status Parse(std::string_view text, std::chrono::sys_seconds* out);
  // Writes UTC with `Z`; fails outside the years 0000 to 9999 [S-105].
  static Status Format(const std::chrono::sys_seconds& value, std::string* out);
};

template <>
struct FieldCodec<std::vector<std::string>> {
  static constexpr std::string_view kTypeName = "list";
  static Status Parse(std::string_view text, std::vector<std::string>* out);
  static Status Format(const std::vector<std::string>& value, std::string* out);
};

template <NamedEnum E>
struct FieldCodec<E> {
  static constexpr std::string_view kTypeName = "enum";
  static Status Parse(std::string_view text, E* out) {
    for (const auto& [value, name] : EnumNames<E>::kNames) {
      if (name == text) {
        *out = value;
        return Status::Ok();
      }
    }
    std::vector<std::string_view> names;
    for (const auto& entry : EnumNames<E>::kNames) names.push_back(entry.second);
    return internal::UnknownEnumName(names);
  }
  static Status Format(E value, std::string* out) {
    for (const auto& [candidate, name] : EnumNames<E>::kNames) {
      if (candidate == value) {
        *out = std::string(name);
        return Status::Ok();
      }
    }
    return internal::UnnamedEnumValue(static_cast<long long>(value));
  }
};

// Types with a codec.
template <typename T>
concept HasFieldCodec = requires(std::string_view text, T* out, const T& value, std::string* s) {
  { FieldCodec<T>::kTypeName } -> std::convertible_to<std::string_view>;
  { FieldCodec<T>::Parse(text, out) } -> std::same_as<Status>;
  { FieldCodec<T>::Format(value, s) } -> std::same_as<Status>;
};

}  // namespace textdb

#endif  // TEXTDB_FIELD_CODEC_H_
