// Table schemas: the format of a table's schema file, typed values, typed comparison and keys.
//
// Every table of a database has a human-editable schema file, a deb822 file in the strict profile
// whose format is specified normatively in format-spec/schema.md; rule ids ([S-nnn]) are cited
// below. This module parses and writes schema files and gives the storage engine and the query
// language the typed operations they share:
//
//   textdb::Result<textdb::Schema> schema = textdb::ParseSchema(text, "packages.schema");
//   if (!schema.ok()) return schema.status();   // "packages.schema:4:7: error: ... [S-022]"
//   TEXTDB_RETURN_IF_ERROR(textdb::CheckRecord(*schema, stanza));
//   textdb::Result<std::string> key = textdb::KeyOf(*schema, stanza);
//
// Uniqueness, references and the automatic fill of fields need the database: they are parsed
// here and applied by the engine. Constraint expressions are stored verbatim and evaluated by the
// query module.
//
// Thread-safety: all types here are values; const methods and the free functions may be called
// from several threads at once (a compiled pattern is immutable and shared by reference count).
// Lifetime: results are values owned by the caller; a pointer from Schema::Find and the
// references of its accessors are valid while that Schema lives and is not assigned to.
#ifndef TEXTDB_SCHEMA_H_
#define TEXTDB_SCHEMA_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/status.h"

namespace textdb {

namespace internal {
class CompiledPattern;  // a compiled RE2 pattern; private to the schema module
class SchemaParser;     // builds Schema objects; private to the schema module
}  // namespace internal

// The type of a field's values [S-022]. Each type defines which raw values [F-030] are valid, a
// total order and a canonical form [S-101..S-109].
enum class FieldType {
  kString,      // "string": any text, optionally restricted by a Pattern [S-100]
  kInteger,     // "integer": [+-]digits, any length [S-101]
  kDecimal,     // "decimal": [+-]digits[.digits], exact [S-102]
  kBoolean,     // "boolean": yes/no, true/false, 1/0 [S-103]
  kDate,        // "date": YYYY-MM-DD [S-104]
  kDateTime,    // "date-time": YYYY-MM-DDTHH:MM:SS[.f](Z|+HH:MM|-HH:MM) [S-105]
  kEnum,        // "enum": one of the field's Values [S-106]
  kList,        // "list": comma-separated non-empty strings [S-107]
  kDebVersion,  // "debversion": a Debian version, in dpkg order [S-108, S-109]
};

// The name of `type` as written in a schema file, e.g. "date-time".
std::string_view FieldTypeName(FieldType type);

// How the engine fills a field on insert or update [S-027].
enum class AutoFill {
  kNone,
  kNextInteger,  // "next-integer": one more than the largest value in the table (integer)
  kUuid,         // "uuid": a new random UUID (string)
  kCreated,      // "created": the time of insertion (date-time)
  kModified,     // "modified": the time of the last change (date-time)
};

// The declaration of one field: what a field stanza of the schema file says [S-020..S-028].
struct FieldSpec {
  std::string name;                      // as declared; lookups ignore ASCII case [S-020]
  FieldType type = FieldType::kString;   // [S-022]
  bool mandatory = false;                // present with a non-empty value; true for keys [S-030]
  bool unique = false;                   // no two records share the canonical value [S-023]
  bool indexed = false;                  // the engine keeps a secondary index [S-023]
  std::vector<std::string> values;       // kEnum only: the allowed values, in order [S-024]
  std::string pattern;                   // kString/kList: RE2 pattern, "" = none [S-025]
  std::string references_table;          // "" = no reference [S-026]
  std::string references_field;          // "" = the referenced table's key [S-026]
  AutoFill auto_fill = AutoFill::kNone;  // [S-027]
  std::string description;               // raw value [F-030], "" = none [S-028]
  // The compiled `pattern`; set by ParseSchema. When null and `pattern` is not empty,
  // CheckValue compiles the pattern on each call.
  std::shared_ptr<const internal::CompiledPattern> compiled_pattern;

  // Compares every member except compiled_pattern (which follows from `pattern`).
  bool operator==(const FieldSpec& other) const;
};

// A parsed schema. Only ParseSchema fills one in, so every non-empty Schema is valid and
// WriteSchema can always write it. INVARIANT (of a schema from ParseSchema): key() is not empty
// and every key field has a FieldSpec in fields(), with mandatory == true.
class Schema {
 public:
  // An empty placeholder to assign a parsed schema to: no table, no fields, no key.
  Schema() = default;

  // The table name [S-010].
  const std::string& table() const { return table_; }
  // The table's description, a raw value; "" when there is none [S-015].
  const std::string& description() const { return description_; }
  // Number of key characters that name the partition files, 0..4; 0 = one file [S-012].
  int partition_depth() const { return partition_depth_; }
  // The split partitions: folded key prefixes whose keys are stored one key character deeper
  // (format-spec/partitioning.md [P-014]), sorted by byte value; empty when none [S-016].
  const std::vector<std::string>& partition_splits() const { return partition_splits_; }
  // The directories of the split partitions, relative to the table directory ("l/li" for "li"),
  // sorted by byte value: one per partition_splits() entry.
  const std::vector<std::string>& partition_split_dirs() const { return partition_split_dirs_; }
  // False when records may only contain declared fields [S-013].
  bool allow_unknown_fields() const { return allow_unknown_fields_; }
  // Record constraint expressions, verbatim (trimmed), in file order [S-014].
  const std::vector<std::string>& constraints() const { return constraints_; }
  // Every field in file order, then undeclared key fields in key order [S-030].
  const std::vector<FieldSpec>& fields() const { return fields_; }
  // Indices into fields() of the key fields, in key order [S-011].
  const std::vector<std::size_t>& key() const { return key_; }

  // The field called `name` (ASCII case-insensitive), or nullptr. Valid while the Schema lives.
  const FieldSpec* Find(std::string_view name) const;
  // True when `name` (ASCII case-insensitive) is a key field.
  bool IsKey(std::string_view name) const;

  bool operator==(const Schema& other) const = default;

 private:
  friend class internal::SchemaParser;

  std::string table_;
  std::string description_;
  int partition_depth_ = 2;
  std::vector<std::string> partition_splits_;
  std::vector<std::string> partition_split_dirs_;
  bool allow_unknown_fields_ = true;
  std::vector<std::string> constraints_;
  std::vector<FieldSpec> fields_;
  std::vector<std::size_t> key_;
};

// Parses the schema file `text`; `file_name` is used in messages.
// Fails with kInvalidData; the message is "FILE:LINE:COL: error: MESSAGE [RULE]" for the first
// error found: a deb822 syntax error (passed through from deb822::Parse [S-001]) or a schema rule
// broken (format-spec/schema.md, [S-002..S-032]), saying what was expected.
Result<Schema> ParseSchema(std::string text, std::string_view file_name);

// The canonical schema file of `schema` [S-040]: ParseSchema(WriteSchema(s)) == s. Comments and
// attribute spellings of the file `schema` was parsed from are not kept.
// REQUIRES: `schema` came from ParseSchema (an empty placeholder writes a file that does not
// parse).
std::string WriteSchema(const Schema& schema);

// OK when `raw` (a raw value [F-030]) is a valid value of `field` [S-100..S-108]. Otherwise
// kInvalidData naming the field, the value (quoted, escaped, shortened to 60 bytes) and what was
// expected, e.g. "field 'Count': '12x' is not an integer; expected ... [S-101]". Fails with
// kInvalidArgument when field.pattern cannot be compiled (only possible for a FieldSpec that did
// not come from ParseSchema).
Status CheckValue(const FieldSpec& field, std::string_view raw);

// Total order of the raw values of `type`: <0, 0 or >0 [S-101..S-109]. Equal values have equal
// canonical forms. Enum values and strings compare as bytes (= code point order of UTF-8).
// Values that are not valid for `type` sort after all valid values, among themselves as bytes
// [S-110].
int CompareValues(FieldType type, std::string_view a, std::string_view b);

// The canonical form of a valid value [S-101..S-109]: two values compare equal exactly when their
// canonical forms are byte-equal (integer "01" -> "1", boolean "true" -> "yes"). A value that is
// not valid for `type` is returned unchanged.
std::string CanonicalValue(FieldType type, std::string_view raw);

// The encoded composite key of `record` [S-120]: for each key field in key order, the byte length
// of its canonical value in decimal, ':', and the canonical value ("7:libfoo1" "5:1.2-3").
// Fails with kInvalidData when a key field is missing, empty or invalid (message as CheckRecord).
Result<std::string> KeyOf(const Schema& schema, const deb822::Stanza& record);

// The components (canonical values) of an encoded key. Fails with kInvalidData when `encoded` is
// not a concatenation of "LENGTH:BYTES" components [S-120].
Result<std::vector<std::string>> DecodeKey(std::string_view encoded);

// Orders encoded keys of `schema` component by component, each by its field's type [S-121].
// Keys that do not decode into one component per key field sort after all others, as bytes.
int CompareKeys(const Schema& schema, std::string_view a, std::string_view b);

// OK when `record` satisfies the schema [S-130, S-131]: key and mandatory fields present and
// non-empty, every declared field's value valid for its type, no undeclared field unless allowed.
// Otherwise kInvalidData for the first problem, naming the record (by its key values, or its line
// when a key field is missing) and the field, e.g. "record Package=foo: field 'Count': '12x' is
// not an integer; ... [S-101]". Uniqueness and references are the engine's job.
Status CheckRecord(const Schema& schema, const deb822::Stanza& record);

}  // namespace textdb

#endif  // TEXTDB_SCHEMA_H_
