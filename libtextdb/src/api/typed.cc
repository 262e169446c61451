// The non-template helpers of include/textdb/typed.h: the messages of failed conversions, which
// name the record (file, line and key values, as the schema module names records [S-130]), the
// field and the text.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "schema/value_types.h"
#include "textdb/typed.h"

namespace textdb::internal {
namespace {

// "FILE:LINE: record Name='Ada'" for a stored record; "record Name='Ada'" for one without a
// place; "record at line N" or "record" when the key fields are missing.
std::string RecordPrefix(const Record& record, const Schema& schema) {
  std::string out;
  if (!record.file().empty()) {
    out = record.file() + ":" + std::to_string(record.line()) + ": ";
  }
  std::string key;
  for (const std::size_t index : schema.key()) {
    const std::string& name = schema.fields()[index].name;
    const std::optional<std::string_view> value = record.Get(name);
    if (!value) {
      key.clear();
      break;
    }
    if (!key.empty()) key += ", ";
    key += name + "=" + QuoteForMessage(*value);
  }
  out += key.empty() ? "record" : "record " + key;
  return out;
}

}  // namespace

Status ConversionError(const Record& record, const Schema& schema, std::string_view field,
                       std::string_view text, std::string_view type, const Status& why) {
  return Status::InvalidData(RecordPrefix(record, schema) + " field '" + std::string(field) +
                             "': cannot convert " + QuoteForMessage(text) + " to " +
                             std::string(type) + ": " + why.message());
}

Status MissingFieldError(const Record& record, const Schema& schema, std::string_view field) {
  return Status::InvalidData(RecordPrefix(record, schema) + " field '" + std::string(field) +
                             "': missing (the member is not a std::optional)");
}

Status FormatError(std::string_view field, std::string_view type, const Status& why) {
  return Status::InvalidArgument("field '" + std::string(field) + "': cannot write the " +
                                 std::string(type) + " value: " + why.message());
}

Status SetField(deb822::Stanza* stanza, std::string_view field, std::string_view text) {
  Status set = stanza->SetRaw(field, text);
  if (set.ok()) return set;
  return Status::InvalidArgument("field '" + std::string(field) + "': " + set.message());
}

}  // namespace textdb::internal
