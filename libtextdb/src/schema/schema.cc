// Schema files (include/textdb/schema.h): parsing, canonical writing, composite keys and record
// checks, format-spec/schema.md. The deb822 layer (format/) does the syntax; this file reads
// the stanzas as a table stanza and field stanzas and locates every error to line and column.
#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/encoding.h"
#include "schema/value_types.h"
#include "text/partition.h"
#include "textdb/deb822.h"
#include "textdb/schema.h"

namespace textdb {
namespace internal {
namespace {

constexpr std::size_t kMaxTableNameBytes = 64;

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// [S-010]: an ASCII letter, then letters, digits, '-' or '_'; at most 64 bytes.
bool IsValidTableName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTableNameBytes || !IsAsciiAlpha(name[0])) return false;
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

// [S-020]: an ASCII letter or digit, then letters, digits, '-' or '_'.
bool IsValidSchemaFieldName(std::string_view name) {
  if (name.empty() || !IsAsciiAlnum(name[0])) return false;
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

constexpr std::string_view kTypeNames =
    "string, integer, decimal, boolean, date, date-time, enum, list or debversion";

std::optional<FieldType> ParseTypeName(std::string_view name) {
  for (FieldType type : {FieldType::kString, FieldType::kInteger, FieldType::kDecimal,
                         FieldType::kBoolean, FieldType::kDate, FieldType::kDateTime,
                         FieldType::kEnum, FieldType::kList, FieldType::kDebVersion}) {
    if (name == FieldTypeName(type)) return type;
  }
  return std::nullopt;
}

std::string_view AutoFillName(AutoFill fill) {
  switch (fill) {
    case AutoFill::kNone:
      return "";
    case AutoFill::kNextInteger:
      return "next-integer";
    case AutoFill::kUuid:
      return "uuid";
    case AutoFill::kCreated:
      return "created";
    case AutoFill::kModified:
      return "modified";
  }
  return "";
}

std::optional<AutoFill> ParseAutoFillName(std::string_view name) {
  for (AutoFill fill :
       {AutoFill::kNextInteger, AutoFill::kUuid, AutoFill::kCreated, AutoFill::kModified}) {
    if (name == AutoFillName(fill)) return fill;
  }
  return std::nullopt;
}

// The type an automatic fill produces [S-027].
FieldType AutoFillType(AutoFill fill) {
  switch (fill) {
    case AutoFill::kNextInteger:
      return FieldType::kInteger;
    case AutoFill::kNone:
    case AutoFill::kUuid:
      return FieldType::kString;
    case AutoFill::kCreated:
    case AutoFill::kModified:
      return FieldType::kDateTime;
  }
  return FieldType::kString;
}

std::string Quoted(std::string_view text) { return QuoteForMessage(text); }

}  // namespace

// Reads a parsed deb822 document as a schema [S-002..S-032]. Errors carry the location of the
// offending attribute name or value byte in the schema file.
class SchemaParser {
 public:
  SchemaParser(std::string_view source, std::string_view file_name) : file_name_(file_name) {
    std::size_t begin = 0;
    while (begin <= source.size()) {
      std::size_t end = source.find('\n', begin);
      if (end == std::string_view::npos) end = source.size();
      lines_.push_back(source.substr(begin, end - begin));
      begin = end + 1;
    }
  }

  Result<Schema> Run(const deb822::Document& doc) {
    if (doc.stanzas().empty()) {
      return ErrorAt(1, 1,
                     "the schema has no stanza; expected a table stanza with 'Table' and 'Key'",
                     "S-002");
    }
    TEXTDB_RETURN_IF_ERROR(ReadTableStanza(doc.stanzas()[0]));
    for (std::size_t i = 1; i < doc.stanzas().size(); ++i) {
      TEXTDB_RETURN_IF_ERROR(ReadFieldStanza(doc.stanzas()[i]));
    }
    TEXTDB_RETURN_IF_ERROR(ResolveKey());
    for (Declared& declared : declared_) schema_.fields_.push_back(std::move(declared.spec));
    return std::move(schema_);
  }

 private:
  // A field stanza's spec and where its attributes were, for checks across stanzas.
  struct Declared {
    FieldSpec spec;
    const deb822::Field* name_field = nullptr;
    const deb822::Field* type_field = nullptr;
    const deb822::Field* mandatory_field = nullptr;
    const deb822::Field* auto_field = nullptr;
  };

  Status ErrorAt(std::size_t line, std::size_t column, std::string_view message,
                 std::string_view rule) const {
    deb822::Diagnostic diagnostic;
    diagnostic.file = std::string(file_name_);
    diagnostic.line = static_cast<std::uint32_t>(line);
    diagnostic.column = static_cast<std::uint32_t>(column);
    diagnostic.rule = std::string(rule);
    diagnostic.message = std::string(message);
    return Status::InvalidData(diagnostic.ToString());
  }

  // The line of a stanza's first field (comments may come before it in the paragraph). A parsed
  // stanza has at least one field [F-014].
  static std::size_t FirstFieldLine(const deb822::Stanza& stanza) {
    return stanza.empty() ? stanza.line() : stanza.fields()[0].line();
  }

  // An error at the start of `field`'s name.
  Status ErrorAtName(const deb822::Field& field, std::string_view message,
                     std::string_view rule) const {
    return ErrorAt(field.line(), 1, message, rule);
  }

  // An error at byte `offset` of `field`'s raw value [F-030].
  Status ErrorAtValue(const deb822::Field& field, std::size_t offset, std::string_view message,
                      std::string_view rule) const {
    const std::string_view raw = field.value();
    std::size_t line_index = field.line() - 1;
    const std::size_t newline = offset == 0 ? std::string_view::npos : raw.rfind('\n', offset - 1);
    if (newline == std::string_view::npos) {
      // First line: the value starts after the colon and the spaces and tabs after it.
      const std::string_view line = line_index < lines_.size() ? lines_[line_index] : "";
      std::size_t start = line.find(':');
      start = start == std::string_view::npos ? 0 : start + 1;
      while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
      return ErrorAt(
          line_index + 1,
          CountCodePoints(line.substr(0, start)) + CountCodePoints(raw.substr(0, offset)) + 1,
          message, rule);
    }
    // A continuation line: the raw value holds it verbatim. Comment lines are not in the value.
    std::size_t to_skip = 0;
    for (std::size_t i = 0; i < offset; ++i) {
      if (raw[i] == '\n') ++to_skip;
    }
    while (to_skip > 0 && line_index + 1 < lines_.size()) {
      ++line_index;
      if (lines_[line_index].empty() || lines_[line_index][0] != '#') --to_skip;
    }
    return ErrorAt(line_index + 1,
                   CountCodePoints(raw.substr(newline + 1, offset - newline - 1)) + 1, message,
                   rule);
  }

  // Offset of `part` (a view into field.value()) in the raw value.
  static std::size_t OffsetIn(const deb822::Field& field, std::string_view part) {
    return static_cast<std::size_t>(part.data() - field.value().data());
  }

  // [S-003]: attributes other than Description, Constraint, Key and Values are one line.
  Status CheckSingleLine(const deb822::Field& field) const {
    const std::size_t newline = field.value().find('\n');
    if (newline == std::string_view::npos) return Status::Ok();
    return ErrorAtValue(field, newline + 1,
                        "'" + std::string(field.name()) + "' takes a one-line value", "S-003");
  }

  // [S-004]: "yes" or "no".
  Status ReadYesNo(const deb822::Field& field, bool* value) const {
    if (field.value() == "yes" || field.value() == "no") {
      *value = field.value() == "yes";
      return Status::Ok();
    }
    return ErrorAtValue(field, 0,
                        "invalid value " + Quoted(field.value()) + " for '" +
                            std::string(field.name()) + "'; expected yes or no",
                        "S-004");
  }

  Status ReadTableStanza(const deb822::Stanza& stanza) {
    if (stanza.Find("Table") == nullptr) {
      return ErrorAt(FirstFieldLine(stanza), 1,
                     "the first stanza must describe the table; expected a 'Table' attribute",
                     "S-002");
    }
    for (const deb822::Field& field : stanza.fields()) {
      const std::string_view value = field.value();
      if (field.Is("Table") || field.Is("Partition-Depth") || field.Is("Unknown-Fields")) {
        TEXTDB_RETURN_IF_ERROR(CheckSingleLine(field));
      }
      if (field.Is("Table")) {
        if (!IsValidTableName(value)) {
          return ErrorAtValue(field, 0,
                              "invalid table name " + Quoted(value) +
                                  "; expected 1 to 64 ASCII letters, digits, '-' or '_', "
                                  "starting with a letter",
                              "S-010");
        }
        schema_.table_ = std::string(value);
      } else if (field.Is("Key")) {
        key_field_ = &field;
        TEXTDB_RETURN_IF_ERROR(ReadKey(field));
      } else if (field.Is("Partition-Depth")) {
        if (value.size() != 1 || value[0] < '0' || value[0] > '4') {
          return ErrorAtValue(
              field, 0, "invalid partition depth " + Quoted(value) + "; expected 0, 1, 2, 3 or 4",
              "S-012");
        }
        schema_.partition_depth_ = value[0] - '0';
      } else if (field.Is("Partition-Split")) {
        split_field_ = &field;  // read below: it depends on Partition-Depth
      } else if (field.Is("Unknown-Fields")) {
        if (value != "allow" && value != "reject") {
          return ErrorAtValue(
              field, 0,
              "invalid value " + Quoted(value) + " for 'Unknown-Fields'; expected allow or reject",
              "S-013");
        }
        schema_.allow_unknown_fields_ = value == "allow";
      } else if (field.Is("Constraint")) {
        for (std::string_view line : field.Lines()) {
          const std::size_t begin = line.find_first_not_of(" \t");
          if (begin == std::string_view::npos) continue;
          schema_.constraints_.emplace_back(
              line.substr(begin, line.find_last_not_of(" \t") - begin + 1));
        }
        // WriteSchema writes one constraint per continuation line [S-040]; a line it cannot
        // write (a lone "." reads back as an empty line [F-031]) is no expression either.
        std::vector<std::string> lines = {""};
        lines.insert(lines.end(), schema_.constraints_.begin(), schema_.constraints_.end());
        deb822::Stanza probe;
        if (Status writable = probe.SetLines("Constraint", lines); !writable.ok()) {
          return ErrorAtName(field,
                             "a constraint line that cannot be written back (" +
                                 writable.message() + "); expected one expression per line",
                             "S-014");
        }
      } else if (field.Is("Description")) {
        schema_.description_ = std::string(value);
      } else {
        return ErrorAtName(field,
                           "unknown table attribute '" + std::string(field.name()) +
                               "'; expected Table, Key, Partition-Depth, Partition-Split, "
                               "Unknown-Fields, Constraint or Description",
                           "S-003");
      }
    }
    if (key_field_ == nullptr) {
      return ErrorAt(FirstFieldLine(stanza), 1,
                     "the table stanza has no 'Key'; expected the key field names, e.g. "
                     "'Key: Package, Version'",
                     "S-011");
    }
    if (split_field_ != nullptr) TEXTDB_RETURN_IF_ERROR(ReadPartitionSplit(*split_field_));
    return Status::Ok();
  }

  // [S-016]: one split partition per line, its key prefix written as a path component [P-035].
  Status ReadPartitionSplit(const deb822::Field& field) {
    const std::string_view raw = field.value();
    std::vector<std::string> prefixes;
    std::vector<std::size_t> offsets;  // of each prefix in the raw value
    for (std::size_t begin = 0; begin <= raw.size();) {
      std::size_t end = raw.find('\n', begin);
      if (end == std::string_view::npos) end = raw.size();
      const std::string_view line = raw.substr(begin, end - begin);
      const std::size_t first = line.find_first_not_of(" \t");
      // " ." is how deb822 writes an empty line inside a value [F-031]: ignored like one.
      if (first != std::string_view::npos && line.substr(first) != ".") {
        const std::string_view entry = line.substr(first, line.find_last_not_of(" \t") - first + 1);
        Result<std::string> prefix = internal::DecodePathComponent(entry);
        if (!prefix.ok()) {
          return ErrorAtValue(field, begin + first,
                              "invalid split partition " + Quoted(entry) + " (" +
                                  prefix.status().message() +
                                  "); expected a key prefix written as a path component",
                              "S-016");
        }
        prefixes.push_back(std::move(prefix).value());
        offsets.push_back(begin + first);
      }
      begin = end + 1;
    }
    std::size_t bad = 0;
    Result<std::vector<std::string>> dirs =
        internal::SplitDirectories(schema_.partition_depth_, prefixes, &bad);
    if (!dirs.ok()) return ErrorAtValue(field, offsets[bad], dirs.status().message(), "S-016");
    std::sort(prefixes.begin(), prefixes.end());
    schema_.partition_splits_ = std::move(prefixes);
    schema_.partition_split_dirs_ = std::move(dirs).value();
    return Status::Ok();
  }

  // [S-011]: one or more distinct field names separated by commas.
  Status ReadKey(const deb822::Field& field) {
    const std::vector<std::string_view> names = SplitList(field.value());
    if (names.empty()) {
      return ErrorAtValue(field, 0, "empty 'Key'; expected one or more field names", "S-011");
    }
    for (std::string_view name : names) {
      if (!IsValidSchemaFieldName(name)) {
        return ErrorAtValue(field, OffsetIn(field, name),
                            "invalid key field name " + Quoted(name) +
                                "; expected ASCII letters, digits, '-' or '_', starting with a "
                                "letter or digit",
                            "S-011");
      }
      for (const std::string& earlier : key_names_) {
        if (EqualsIgnoreCase(earlier, name)) {
          return ErrorAtValue(field, OffsetIn(field, name),
                              "key field '" + std::string(name) + "' is listed twice", "S-011");
        }
      }
      key_names_.emplace_back(name);
    }
    return Status::Ok();
  }

  Status ReadFieldStanza(const deb822::Stanza& stanza) {
    if (stanza.Find("Field") == nullptr) {
      return ErrorAt(FirstFieldLine(stanza), 1,
                     "a stanza after the table stanza must declare a field; expected a 'Field' "
                     "attribute",
                     "S-002");
    }
    Declared declared;
    FieldSpec& spec = declared.spec;
    const deb822::Field* values_field = nullptr;
    const deb822::Field* pattern_field = nullptr;
    for (const deb822::Field& field : stanza.fields()) {
      const std::string_view value = field.value();
      const bool multi_line = field.Is("Description") || field.Is("Values");
      if (!multi_line) TEXTDB_RETURN_IF_ERROR(CheckSingleLine(field));
      if (field.Is("Field")) {
        TEXTDB_RETURN_IF_ERROR(ReadFieldName(field));
        declared.name_field = &field;
        spec.name = std::string(value);
      } else if (field.Is("Type")) {
        std::optional<FieldType> type = ParseTypeName(value);
        if (!type) {
          return ErrorAtValue(
              field, 0, "unknown type " + Quoted(value) + "; expected " + std::string(kTypeNames),
              "S-022");
        }
        spec.type = *type;
        declared.type_field = &field;
      } else if (field.Is("Mandatory")) {
        TEXTDB_RETURN_IF_ERROR(ReadYesNo(field, &spec.mandatory));
        declared.mandatory_field = &field;
      } else if (field.Is("Unique")) {
        TEXTDB_RETURN_IF_ERROR(ReadYesNo(field, &spec.unique));
      } else if (field.Is("Index")) {
        TEXTDB_RETURN_IF_ERROR(ReadYesNo(field, &spec.indexed));
      } else if (field.Is("Values")) {
        TEXTDB_RETURN_IF_ERROR(ReadValues(field, &spec.values));
        values_field = &field;
      } else if (field.Is("Pattern")) {
        std::string error;
        spec.compiled_pattern = CompiledPattern::Compile(value, &error);
        if (value.empty() || spec.compiled_pattern == nullptr) {
          return ErrorAtValue(field, 0,
                              "invalid pattern " + Quoted(value) + ": " +
                                  (value.empty() ? std::string("empty") : error) +
                                  "; expected an RE2 regular expression",
                              "S-025");
        }
        spec.pattern = std::string(value);
        pattern_field = &field;
      } else if (field.Is("References")) {
        TEXTDB_RETURN_IF_ERROR(ReadReferences(field, &spec));
      } else if (field.Is("Auto")) {
        std::optional<AutoFill> fill = ParseAutoFillName(value);
        if (!fill) {
          return ErrorAtValue(field, 0,
                              "unknown automatic fill " + Quoted(value) +
                                  "; expected next-integer, uuid, created or modified",
                              "S-027");
        }
        spec.auto_fill = *fill;
        declared.auto_field = &field;
      } else if (field.Is("Description")) {
        spec.description = std::string(value);
      } else {
        return ErrorAtName(field,
                           "unknown field attribute '" + std::string(field.name()) +
                               "'; expected Field, Type, Mandatory, Unique, Index, Values, "
                               "Pattern, References, Auto or Description",
                           "S-003");
      }
    }
    if (values_field != nullptr && spec.type != FieldType::kEnum) {
      return ErrorAtName(*values_field, "'Values' is only allowed with 'Type: enum'", "S-024");
    }
    if (spec.type == FieldType::kEnum && values_field == nullptr) {
      return ErrorAtValue(*declared.type_field, 0,
                          "type enum needs a 'Values' attribute listing the allowed values",
                          "S-024");
    }
    if (pattern_field != nullptr && spec.type != FieldType::kString &&
        spec.type != FieldType::kList) {
      return ErrorAtName(*pattern_field, "'Pattern' is only allowed with types string and list",
                         "S-025");
    }
    if (spec.auto_fill != AutoFill::kNone && spec.type != AutoFillType(spec.auto_fill)) {
      return ErrorAtValue(
          *declared.auto_field, 0,
          "'Auto: " + std::string(AutoFillName(spec.auto_fill)) +
              "' needs 'Type: " + std::string(FieldTypeName(AutoFillType(spec.auto_fill))) + "'",
          "S-027");
    }
    declared_.push_back(std::move(declared));
    return Status::Ok();
  }

  // [S-020, S-021]
  Status ReadFieldName(const deb822::Field& field) const {
    const std::string_view name = field.value();
    if (!IsValidSchemaFieldName(name)) {
      return ErrorAtValue(field, 0,
                          "invalid field name " + Quoted(name) +
                              "; expected ASCII letters, digits, '-' or '_', starting with a "
                              "letter or digit",
                          "S-020");
    }
    for (const Declared& earlier : declared_) {
      if (EqualsIgnoreCase(earlier.spec.name, name)) {
        return ErrorAtValue(field, 0,
                            "field '" + std::string(name) + "' is declared twice; first at line " +
                                std::to_string(earlier.name_field->line()),
                            "S-021");
      }
    }
    return Status::Ok();
  }

  // [S-024]: one or more distinct non-empty values separated by commas.
  Status ReadValues(const deb822::Field& field, std::vector<std::string>* values) const {
    const std::vector<std::string_view> elements = SplitList(field.value());
    if (elements.empty()) {
      return ErrorAtValue(field, 0, "empty 'Values'; expected allowed values separated by ','",
                          "S-024");
    }
    for (std::string_view element : elements) {
      if (element.empty()) {
        return ErrorAtValue(field, OffsetIn(field, element),
                            "empty element in 'Values'; expected allowed values separated by ','",
                            "S-024");
      }
      if (element.find('\n') != std::string_view::npos) {
        return ErrorAtValue(
            field, OffsetIn(field, element),
            "value " + Quoted(element) + " spans lines; expected ',' between allowed values",
            "S-024");
      }
      for (const std::string& earlier : *values) {
        if (earlier == element) {
          return ErrorAtValue(field, OffsetIn(field, element),
                              "value " + Quoted(element) + " is listed twice in 'Values'", "S-024");
        }
      }
      values->emplace_back(element);
    }
    return Status::Ok();
  }

  // [S-026]: TABLE or TABLE.FIELD.
  Status ReadReferences(const deb822::Field& field, FieldSpec* spec) const {
    const std::string_view value = field.value();
    const std::size_t dot = value.find('.');
    const std::string_view table = value.substr(0, dot);
    const std::string_view target =
        dot == std::string_view::npos ? std::string_view() : value.substr(dot + 1);
    if (!IsValidTableName(table) ||
        (dot != std::string_view::npos && !IsValidSchemaFieldName(target))) {
      return ErrorAtValue(field, 0,
                          "invalid reference " + Quoted(value) +
                              "; expected TABLE or TABLE.FIELD, e.g. packages.Package",
                          "S-026");
    }
    spec->references_table = std::string(table);
    spec->references_field = std::string(target);
    return Status::Ok();
  }

  // [S-030..S-032]: every key field has a spec (a string field when undeclared), is mandatory,
  // has a key type and is not filled on modification.
  Status ResolveKey() {
    for (const std::string& name : key_names_) {
      Declared* found = nullptr;
      for (Declared& declared : declared_) {
        if (EqualsIgnoreCase(declared.spec.name, name)) found = &declared;
      }
      if (found == nullptr) {
        Declared implicit;
        implicit.spec.name = name;
        implicit.spec.mandatory = true;
        schema_.key_.push_back(declared_.size() + implicit_.size());
        implicit_.push_back(std::move(implicit));
        continue;
      }
      FieldSpec& spec = found->spec;
      if (spec.type == FieldType::kList || spec.type == FieldType::kBoolean) {
        return ErrorAtValue(*found->type_field, 0,
                            "key field '" + spec.name + "' cannot have type " +
                                std::string(FieldTypeName(spec.type)) +
                                "; expected string, integer, decimal, date, date-time, enum or "
                                "debversion",
                            "S-031");
      }
      if (found->mandatory_field != nullptr && !spec.mandatory) {
        return ErrorAtValue(*found->mandatory_field, 0,
                            "key field '" + spec.name +
                                "' is always mandatory; expected "
                                "'Mandatory: yes' or no 'Mandatory'",
                            "S-030");
      }
      if (spec.auto_fill == AutoFill::kModified) {
        return ErrorAtValue(*found->auto_field, 0,
                            "key field '" + spec.name +
                                "' cannot be filled on modification; expected next-integer, "
                                "uuid or created",
                            "S-032");
      }
      spec.mandatory = true;
      schema_.key_.push_back(static_cast<std::size_t>(found - declared_.data()));
    }
    for (Declared& implicit : implicit_) declared_.push_back(std::move(implicit));
    return Status::Ok();
  }

  std::string_view file_name_;
  std::vector<std::string_view> lines_;  // the schema file's lines, for error columns
  Schema schema_;
  const deb822::Field* key_field_ = nullptr;
  const deb822::Field* split_field_ = nullptr;
  std::vector<std::string> key_names_;  // as spelled in 'Key'
  std::vector<Declared> declared_;      // field stanzas in file order
  std::vector<Declared> implicit_;      // undeclared key fields, in key order
};

namespace {

// Sets a field the writer produced from a valid Schema.
// REQUIRES: the value reads back identically [W-010..W-015]; every Schema value does (it was
// read from a deb822 file, or is built of validated one-line parts).
void Put(deb822::Stanza* stanza, std::string_view name, std::string_view raw) {
  const Status status = stanza->SetRaw(name, raw);
  assert(status.ok());
  static_cast<void>(status);
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += ", ";
    out += part;
  }
  return out;
}

// The key values of `record` as "Name='value', Name='value'", or "" when one is missing or
// empty.
std::string KeyDescription(const Schema& schema, const deb822::Stanza& record) {
  std::string out;
  for (std::size_t index : schema.key()) {
    const FieldSpec& spec = schema.fields()[index];
    std::optional<std::string_view> value = record.Get(spec.name);
    if (!value || value->empty()) return "";
    if (!out.empty()) out += ", ";
    out += spec.name + "=" + QuoteForMessage(*value);
  }
  return out;
}

// How messages name `record`: by its key values, else by its line [S-130].
std::string RecordName(const Schema& schema, const deb822::Stanza& record) {
  std::string key = KeyDescription(schema, record);
  if (!key.empty()) return "record " + key;
  if (record.line() != 0) return "record at line " + std::to_string(record.line());
  return "record";
}

Status RecordError(const Schema& schema, const deb822::Stanza& record, std::string_view message) {
  return Status::InvalidData(RecordName(schema, record) + ": " + std::string(message));
}

// [S-130]: the key fields are present and not empty.
Status CheckKeyPresent(const Schema& schema, const deb822::Stanza& record) {
  for (std::size_t index : schema.key()) {
    const FieldSpec& spec = schema.fields()[index];
    std::optional<std::string_view> value = record.Get(spec.name);
    if (!value) return RecordError(schema, record, "missing key field '" + spec.name + "' [S-130]");
    if (value->empty()) {
      return RecordError(schema, record, "key field '" + spec.name + "' is empty [S-130]");
    }
  }
  return Status::Ok();
}

// Reads the component of encoded key `encoded` [S-120] that starts at *pos into *component and
// moves *pos past it; false when it is malformed. REQUIRES: *pos < encoded.size().
bool NextKeyComponent(std::string_view encoded, std::size_t* pos, std::string_view* component) {
  const std::size_t colon = encoded.find(':', *pos);
  if (colon == std::string_view::npos || colon == *pos) return false;
  const std::string_view digits = encoded.substr(*pos, colon - *pos);
  if (digits.size() > 1 && digits[0] == '0') return false;  // no leading zeros
  std::size_t length = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    if (length > (encoded.size() - colon) / 10 + 1) return false;  // longer than input
    length = length * 10 + static_cast<std::size_t>(c - '0');
  }
  if (length > encoded.size() - colon - 1) return false;
  *component = encoded.substr(colon + 1, length);
  *pos = colon + 1 + length;
  return true;
}

// Splits an encoded key into component views [S-120]; nullopt when it is malformed.
std::optional<std::vector<std::string_view>> SplitKey(std::string_view encoded) {
  std::vector<std::string_view> components;
  std::size_t pos = 0;
  while (pos < encoded.size()) {
    if (!NextKeyComponent(encoded, &pos, &components.emplace_back())) return std::nullopt;
  }
  return components;
}

}  // namespace

bool SplitKeyInto(std::string_view encoded, std::span<std::string_view> out) {
  std::size_t pos = 0;
  for (std::string_view& component : out) {
    if (pos >= encoded.size() || !NextKeyComponent(encoded, &pos, &component)) return false;
  }
  return pos == encoded.size();
}

Status CheckFields(const Schema& schema, const deb822::Stanza& record, bool key_fields) {
  const auto value_error = [&](const Status& status) {
    return Status(status.code(), RecordName(schema, record) + ": " + status.message());
  };
  const FieldSpec* missing = nullptr;  // the first mandatory field missing or empty
  if (schema.allow_unknown_fields()) {
    // PERF: every declared field looked up once, instead of every record field looked for among
    // the declared ones: a record has many fields a schema does not declare (the Packages index:
    // about 20 fields, 2 declared), and a lookup's name comparisons were the checks' largest cost.
    // Of several invalid values, the first in record order is reported [S-130].
    const deb822::Field* first_invalid = nullptr;
    Status invalid;
    for (const FieldSpec& spec : schema.fields()) {
      if (!key_fields && schema.IsKey(spec.name)) continue;
      const deb822::Field* field = record.Find(spec.name);
      if (field == nullptr || field->value().empty()) {
        if (spec.mandatory && missing == nullptr) missing = &spec;
        if (field == nullptr) continue;
      }
      if (first_invalid != nullptr && first_invalid < field) continue;
      if (Status status = CheckValue(spec, field->value()); !status.ok()) {
        first_invalid = field;
        invalid = std::move(status);
      }
    }
    if (first_invalid != nullptr) return value_error(invalid);
  } else {
    for (const deb822::Field& field : record.fields()) {
      const FieldSpec* spec = schema.Find(field.name());
      if (spec == nullptr) {
        return RecordError(schema, record,
                           "unknown field '" + std::string(field.name()) + "'; table '" +
                               schema.table() + "' does not allow undeclared fields [S-131]");
      }
      if (!key_fields && schema.IsKey(spec->name)) continue;
      if (Status status = CheckValue(*spec, field.value()); !status.ok()) {
        return value_error(status);
      }
    }
    for (const FieldSpec& spec : schema.fields()) {
      if (!spec.mandatory) continue;
      std::optional<std::string_view> value = record.Get(spec.name);
      if (!value || value->empty()) {
        missing = &spec;
        break;
      }
    }
  }
  if (missing == nullptr) return Status::Ok();
  return RecordError(schema, record,
                     record.Find(missing->name) == nullptr
                         ? "missing mandatory field '" + missing->name + "' [S-130]"
                         : "mandatory field '" + missing->name + "' is empty [S-130]");
}

}  // namespace internal

bool FieldSpec::operator==(const FieldSpec& other) const {
  return name == other.name && type == other.type && mandatory == other.mandatory &&
         unique == other.unique && indexed == other.indexed && values == other.values &&
         pattern == other.pattern && references_table == other.references_table &&
         references_field == other.references_field && auto_fill == other.auto_fill &&
         description == other.description;
}

const FieldSpec* Schema::Find(std::string_view name) const {
  for (const FieldSpec& field : fields_) {
    if (internal::EqualsIgnoreCase(field.name, name)) return &field;
  }
  return nullptr;
}

bool Schema::IsKey(std::string_view name) const {
  for (std::size_t index : key_) {
    if (internal::EqualsIgnoreCase(fields_[index].name, name)) return true;
  }
  return false;
}

Result<Schema> ParseSchema(std::string text, std::string_view file_name) {
  deb822::ParseOptions options;
  options.profile = deb822::Profile::kStrict;  // [S-001]
  options.file_name = std::string(file_name);
  internal::SchemaParser parser(text, file_name);
  // The parser keeps views into `text` for error columns; the document gets its own copy.
  Result<deb822::Document> doc = deb822::Parse(text, options);
  if (!doc.ok()) return doc.status();
  return parser.Run(*doc);
}

std::string WriteSchema(const Schema& schema) {
  using internal::Put;
  deb822::Document doc;
  deb822::Stanza table;
  Put(&table, "Table", schema.table());
  std::vector<std::string> key_names;
  for (std::size_t index : schema.key()) key_names.push_back(schema.fields()[index].name);
  Put(&table, "Key", internal::Join(key_names));
  Put(&table, "Partition-Depth", std::to_string(schema.partition_depth()));
  if (!schema.partition_splits().empty()) {
    std::vector<std::string> lines = {""};
    for (const std::string& prefix : schema.partition_splits()) {
      lines.push_back(internal::EncodePathComponent(prefix));
    }
    const Status status = table.SetLines("Partition-Split", lines);
    assert(status.ok());
    static_cast<void>(status);
  }
  Put(&table, "Unknown-Fields", schema.allow_unknown_fields() ? "allow" : "reject");
  if (!schema.constraints().empty()) {
    std::vector<std::string> lines = {""};
    lines.insert(lines.end(), schema.constraints().begin(), schema.constraints().end());
    const Status status = table.SetLines("Constraint", lines);
    assert(status.ok());
    static_cast<void>(status);
  }
  if (!schema.description().empty()) Put(&table, "Description", schema.description());
  doc.Append(std::move(table));

  for (const FieldSpec& field : schema.fields()) {
    deb822::Stanza stanza;
    Put(&stanza, "Field", field.name);
    if (field.type != FieldType::kString) Put(&stanza, "Type", FieldTypeName(field.type));
    if (!field.values.empty()) Put(&stanza, "Values", internal::Join(field.values));
    if (!field.pattern.empty()) Put(&stanza, "Pattern", field.pattern);
    if (field.mandatory && !schema.IsKey(field.name)) Put(&stanza, "Mandatory", "yes");
    if (field.unique) Put(&stanza, "Unique", "yes");
    if (field.indexed) Put(&stanza, "Index", "yes");
    if (!field.references_table.empty()) {
      Put(&stanza, "References",
          field.references_field.empty() ? field.references_table
                                         : field.references_table + "." + field.references_field);
    }
    if (field.auto_fill != AutoFill::kNone) {
      Put(&stanza, "Auto", internal::AutoFillName(field.auto_fill));
    }
    if (!field.description.empty()) Put(&stanza, "Description", field.description);
    doc.Append(std::move(stanza));
  }
  return doc.WriteCanonical();
}

Result<std::string> KeyOf(const Schema& schema, const deb822::Stanza& record) {
  // PERF: each key field is looked up once (a lookup walks the stanza's fields, and lookups
  // took a fifth of an import's checks); CheckKeyPresent runs only when something is wrong, so
  // that a missing key field is reported before a bad value, whichever comes first.
  std::string key;
  std::string canonical;
  for (std::size_t index : schema.key()) {
    const FieldSpec& spec = schema.fields()[index];
    const std::optional<std::string_view> raw = record.Get(spec.name);
    if (!raw || raw->empty()) return internal::CheckKeyPresent(schema, record);
    if (!internal::ValidCanonical(spec, *raw, &canonical)) {
      TEXTDB_RETURN_IF_ERROR(internal::CheckKeyPresent(schema, record));
      const Status status = CheckValue(spec, *raw);
      return Status(status.code(), internal::RecordName(schema, record) + ": " + status.message());
    }
    internal::AppendKeyComponent(&key, canonical);
  }
  return key;
}

Result<std::vector<std::string>> DecodeKey(std::string_view encoded) {
  std::optional<std::vector<std::string_view>> components = internal::SplitKey(encoded);
  if (!components) {
    return Status::InvalidData("malformed key " + internal::QuoteForMessage(encoded) +
                               "; expected LENGTH:BYTES components [S-120]");
  }
  return std::vector<std::string>(components->begin(), components->end());
}

int CompareKeys(const Schema& schema, std::string_view a, std::string_view b) {
  const std::size_t width = schema.key().size();
  constexpr std::size_t kInline = 8;  // more key fields than this take the allocating path
  std::array<std::string_view, kInline> x_inline;
  std::array<std::string_view, kInline> y_inline;
  std::vector<std::string_view> x_heap;
  std::vector<std::string_view> y_heap;
  if (width > kInline) {
    x_heap.resize(width);
    y_heap.resize(width);
  }
  const std::span<std::string_view> x =
      width > kInline ? std::span<std::string_view>(x_heap) : std::span(x_inline).first(width);
  const std::span<std::string_view> y =
      width > kInline ? std::span<std::string_view>(y_heap) : std::span(y_inline).first(width);
  const bool x_valid = internal::SplitKeyInto(a, x);
  const bool y_valid = internal::SplitKeyInto(b, y);
  if (x_valid && y_valid) {
    for (std::size_t i = 0; i < width; ++i) {
      const FieldType type = schema.fields()[schema.key()[i]].type;
      if (const int c = CompareValues(type, x[i], y[i]); c != 0) return c;
    }
    return 0;
  }
  if (x_valid != y_valid) return x_valid ? -1 : 1;
  const int c = a.compare(b);
  return (c > 0) - (c < 0);
}

Status CheckRecord(const Schema& schema, const deb822::Stanza& record) {
  TEXTDB_RETURN_IF_ERROR(internal::CheckKeyPresent(schema, record));
  return internal::CheckFields(schema, record, /*key_fields=*/true);
}

}  // namespace textdb
