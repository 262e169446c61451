// Typed records: your own structs stored as textdb records, with one declaration per struct.
//
//   enum class Colour { kRed, kGreen };
//   template <> struct textdb::EnumNames<Colour> {
//     static constexpr std::pair<Colour, std::string_view> kNames[] = {{Colour::kRed, "red"},
//                                                                       {Colour::kGreen, "green"}};
//   };
//   struct Contact {
//     std::string name;
//     std::optional<std::string> email;
//     int age = 0;
//     Colour colour = Colour::kRed;
//     std::vector<std::string> tags;
//   };
//   TEXTDB_RECORD(Contact, TEXTDB_FIELD(name, "Name"), TEXTDB_FIELD(email, "Email"),
//                 TEXTDB_FIELD(age, "Age"), TEXTDB_FIELD(colour, "Colour"),
//                 TEXTDB_FIELD(tags, "Tags"));
//
//   textdb::Database& db = ...;  // Database::Open (textdb/db.h)
//   TEXTDB_RETURN_IF_ERROR(
//       textdb::Put(db, "contacts", Contact{"Ada", {}, 36, Colour::kRed, {"maths"}}));
//   textdb::Result<Contact> ada = textdb::Get<Contact>(db, "contacts", {"Ada"});
//   textdb::Result<std::vector<Contact>> adults =
//       textdb::Select<Contact>(db, "contacts", "Age >= 18");
//
// The mapping: RecordTraits<T>::kFields is a tuple of MapField(name, &T::member), one per field,
// in the order the fields are written. TEXTDB_RECORD(T, TEXTDB_FIELD(member, "Name"), ...)
// defines that specialisation; use it at global scope (outside any namespace). Each member's type
// needs a FieldCodec (textdb/field_codec.h: strings, integers, float, double, bool, dates,
// date-times, named enums, lists of strings, or your own specialisation), or is a std::optional
// of such a type. Field names are matched ignoring ASCII case [F-024]; fields of the record that
// the struct does not map are ignored on read.
//
// Absent fields: a std::optional member is nullopt when its field is absent and is left out of
// the record when nullopt; any other member requires its field (an empty value is a value: ""
// for a string, the empty list for a vector).
//
// Errors: a value that does not convert fails with kInvalidData naming the record, the field and
// the text: "items/b/bo.deb822:12: record Name='bolt' field 'Count': cannot convert '12x' to
// int32: not an integer; expected ... [S-101]"; a missing required field: "...: record
// Name='bolt' field 'Count': missing (the member is not a std::optional)". A value that cannot
// be written (NaN, a list element holding ',', an enum value without a name, a text a deb822
// value cannot hold) fails with kInvalidArgument naming the field. Typed calls never throw.
//
// Thread-safety: these are free functions with no state of their own; they may be called from
// several threads at once as far as the Database allows (see textdb/db.h). Lifetime: results are
// values owned by the caller; nothing refers back to the Database.
#ifndef TEXTDB_TYPED_H_
#define TEXTDB_TYPED_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "textdb/db.h"
#include "textdb/deb822.h"
#include "textdb/field_codec.h"
#include "textdb/query.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb {

// One mapped field: the member `member` of T is stored as the field called `name`.
template <typename T, typename M>
struct FieldMapping {
  std::string_view name;
  M T::*member;
};

template <typename T, typename M>
constexpr FieldMapping<T, M> MapField(std::string_view name, M T::*member) {
  return {name, member};
}

// Specialise for each stored struct T (or use TEXTDB_RECORD):
//   template <> struct textdb::RecordTraits<T> {
//     static constexpr auto kFields = std::make_tuple(textdb::MapField("Name", &T::name), ...);
//   };
// REQUIRES: T is default-constructible and movable; field names are distinct (ignoring case).
template <typename T>
struct RecordTraits;

template <typename T>
concept TypedRecord = requires {
  RecordTraits<T>::kFields;
};

namespace internal {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// The value type a member of type M converts: M, or T for std::optional<T>.
template <typename M>
struct CodecTypeOf {
  using type = M;
};
template <typename T>
struct CodecTypeOf<std::optional<T>> {
  using type = T;
};

// kInvalidData: "FILE:LINE: record KEY field 'FIELD': cannot convert 'TEXT' to TYPE: WHY".
// The record is named by its key fields' values as `schema` declares them.
Status ConversionError(const Record& record, const Schema& schema, std::string_view field,
                       std::string_view text, std::string_view type, const Status& why);
// kInvalidData: "FILE:LINE: record KEY field 'FIELD': missing (the member is not a
// std::optional)".
Status MissingFieldError(const Record& record, const Schema& schema, std::string_view field);
// kInvalidArgument: "field 'FIELD': cannot write the TYPE value: WHY".
Status FormatError(std::string_view field, std::string_view type, const Status& why);
// Sets `field` of `stanza` to `text`; kInvalidArgument naming the field when deb822 cannot hold
// the text [W-010..W-015].
Status SetField(deb822::Stanza* stanza, std::string_view field, std::string_view text);

template <typename T, typename M>
Status DecodeField(const Record& record, const Schema& schema, const FieldMapping<T, M>& mapping,
                   T* out) {
  using V = typename CodecTypeOf<M>::type;
  static_assert(HasFieldCodec<V>,
                "a mapped member's type (or its std::optional's value type) needs a FieldCodec");
  const std::optional<std::string_view> text = record.Get(mapping.name);
  M& member = out->*mapping.member;
  if (!text) {
    if constexpr (IsOptional<M>::value) {
      member.reset();
      return Status::Ok();
    } else {
      return MissingFieldError(record, schema, mapping.name);
    }
  }
  V value{};
  if (Status parsed = FieldCodec<V>::Parse(*text, &value); !parsed.ok()) {
    return ConversionError(record, schema, mapping.name, *text, FieldCodec<V>::kTypeName, parsed);
  }
  member = std::move(value);
  return Status::Ok();
}

template <typename T, typename M>
Status EncodeField(const T& in, const FieldMapping<T, M>& mapping, deb822::Stanza* out) {
  using V = typename CodecTypeOf<M>::type;
  static_assert(HasFieldCodec<V>,
                "a mapped member's type (or its std::optional's value type) needs a FieldCodec");
  const M& member = in.*mapping.member;
  const V* value = nullptr;
  if constexpr (IsOptional<M>::value) {
    if (!member.has_value()) return Status::Ok();
    value = &*member;
  } else {
    value = &member;
  }
  std::string text;
  if (Status formatted = FieldCodec<V>::Format(*value, &text); !formatted.ok()) {
    return FormatError(mapping.name, FieldCodec<V>::kTypeName, formatted);
  }
  return SetField(out, mapping.name, text);
}

}  // namespace internal

// The T that `record` holds. Fails with kInvalidData as described at the top of this file;
// `schema` (the record's table's) only names the record in messages.
template <TypedRecord T>
Result<T> FromRecord(const Record& record, const Schema& schema) {
  T out{};
  Status status;
  std::apply(
      [&](const auto&... mapping) {
        // Stops at the first field that fails (&& short-circuits).
        (void)((status = internal::DecodeField(record, schema, mapping, &out), status.ok()) && ...);
      },
      RecordTraits<T>::kFields);
  if (!status.ok()) return status;
  return out;
}

// The stanza storing `value`: its mapped fields in RecordTraits order (nullopt members left out).
// Fails with kInvalidArgument as described at the top of this file.
template <TypedRecord T>
Result<deb822::Stanza> ToStanza(const T& value) {
  deb822::Stanza stanza;
  Status status;
  std::apply(
      [&](const auto&... mapping) {
        (void)((status = internal::EncodeField(value, mapping, &stanza), status.ok()) && ...);
      },
      RecordTraits<T>::kFields);
  if (!status.ok()) return status;
  return stanza;
}

// The record of `table` whose key is `key` (one raw value per key field, in key order), as a T.
// Fails as Database::Get (kNotFound when absent), or as FromRecord.
template <TypedRecord T>
Result<T> Get(Database& db, std::string_view table, const std::vector<std::string>& key) {
  Result<Record> record = db.Get(table, key);
  if (!record.ok()) return record.status();
  Result<Schema> schema = db.GetSchema(table);
  if (!schema.ok()) return schema.status();
  return FromRecord<T>(*record, *schema);
}

// Adds to `txn` the Put (insert or replace by key) of `value` into `table`. Fails with
// kInvalidArgument, adding nothing, as ToStanza; schema errors surface at Commit.
template <TypedRecord T>
Status Put(Transaction& txn, std::string table, const T& value) {
  Result<deb822::Stanza> stanza = ToStanza(value);
  if (!stanza.ok()) return stanza.status();
  txn.Put(std::move(table), std::move(stanza).value());
  return Status::Ok();
}

// Puts `value` into `table` in a transaction of its own. Fails as ToStanza or Transaction::Commit.
template <TypedRecord T>
Status Put(Database& db, std::string table, const T& value) {
  Transaction txn = db.Begin();
  TEXTDB_RETURN_IF_ERROR(Put(txn, std::move(table), value));
  return txn.Commit();
}

// The records of `table` that `where` matches, as T, in key order: found as Database::Select
// finds them (key lookup, secondary index or partition scan when the expression allows), all
// converted before it returns (the vector holds every match). Fails as Database::ForEachMatch,
// or as FromRecord for the first record that does not convert.
template <TypedRecord T>
Result<std::vector<T>> Select(Database& db, std::string_view table, const Expression& where) {
  Result<Schema> schema = db.GetSchema(table);
  if (!schema.ok()) return schema.status();
  std::vector<T> out;
  Status converted;
  TEXTDB_RETURN_IF_ERROR(db.ForEachMatch(table, where, [&](const Record& record) {
    Result<T> value = FromRecord<T>(record, *schema);
    if (!value.ok()) {
      converted = value.status();
      return false;
    }
    out.push_back(std::move(value).value());
    return true;
  }));
  if (!converted.ok()) return converted;
  return out;
}

// As above, parsing `where` first; a malformed expression fails as Expression::Parse.
template <TypedRecord T>
Result<std::vector<T>> Select(Database& db, std::string_view table, std::string_view where,
                              const ExpressionOptions& options = {}) {
  Result<Expression> expression = Expression::Parse(where, options);
  if (!expression.ok()) return expression.status();
  return Select<T>(db, table, *expression);
}

}  // namespace textdb

// Defines textdb::RecordTraits<Type> from TEXTDB_FIELD(member, "Name") arguments, in field order.
// Use at global scope.
#define TEXTDB_RECORD(Type, ...)                                  \
  template <>                                                     \
  struct textdb::RecordTraits<Type> {                             \
    using MappedType = Type;                                      \
    static constexpr auto kFields = std::make_tuple(__VA_ARGS__); \
  }
// One field of TEXTDB_RECORD: the member `member` stored as the field called `name`.
#define TEXTDB_FIELD(member, name) ::textdb::MapField(name, &MappedType::member)

#endif  // TEXTDB_TYPED_H_
