// schema_fuzzer: a libFuzzer target for the schema parser (textdb/schema.h,
// format-spec/schema.md). Contracts checked:
//   - a rejected input fails with kInvalidData whose message starts with
//     "fuzz.schema:LINE:COL: error: " and ends with a rule id "]" [S-001];
//   - an accepted schema writes a canonical file [S-040] that parses to an equal schema and
//     writes back byte-identical (WriteSchema is a fixed point);
//   - every record-checking entry point accepts or rejects a value without crashing.
// A violated check prints what failed and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include "textdb/schema.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "schema_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  textdb::Result<textdb::Schema> schema = textdb::ParseSchema(text, "fuzz.schema");
  if (!schema.ok()) {
    static const std::regex kLocated("^fuzz\\.schema:[0-9]+:[0-9]+: error: [^]*\\]$");
    if (schema.status().code() != textdb::StatusCode::kInvalidData ||
        !std::regex_match(schema.status().message(), kLocated)) {
      Fail("an error without FILE:LINE:COL or rule", schema.status().ToString());
    }
    return 0;
  }
  const std::string written = textdb::WriteSchema(*schema);
  textdb::Result<textdb::Schema> again = textdb::ParseSchema(written, "canonical.schema");
  if (!again.ok()) Fail("the canonical form does not parse", again.status().ToString());
  if (!(*again == *schema)) Fail("the canonical form parses to another schema", written);
  if (textdb::WriteSchema(*again) != written) Fail("WriteSchema is not a fixed point", written);
  for (const textdb::FieldSpec& field : schema->fields()) {
    for (const char* value : {"", "0", "-1", "x", "2024-01-01", "1.0-1", "a, b", "yes"}) {
      (void)textdb::CheckValue(field, value);
    }
  }
  return 0;
}
