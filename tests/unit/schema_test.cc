// Tests for schema files, keys and record checks (include/textdb/schema.h). Each test names the
// rule of format-spec/schema.md it checks; the last tests walk format-spec/examples/schema/.
#include "textdb/schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "schema/value_types.h"
#include "textdb/deb822.h"

namespace textdb {
namespace {

constexpr const char* kPackages =
    "Table: packages\n"
    "Key: Package, Version\n"
    "Partition-Depth: 1\n"
    "Unknown-Fields: reject\n"
    "Constraint:\n"
    " Installed-Size >= 0\n"
    " Package != \"\"\n"
    "Description: Binary packages\n"
    " One record per package version.\n"
    "\n"
    "# the key\n"
    "Field: Package\n"
    "Pattern: [a-z0-9][a-z0-9.+-]+\n"
    "Index: yes\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n"
    "\n"
    "Field: Installed-Size\n"
    "Type: integer\n"
    "Mandatory: yes\n"
    "\n"
    "Field: Priority\n"
    "Type: enum\n"
    "Values: required, important,\n"
    " standard, optional\n"
    "\n"
    "Field: Architecture\n"
    "Type: list\n"
    "\n"
    "Field: Source\n"
    "References: sources.Package\n"
    "\n"
    "Field: Id\n"
    "Type: integer\n"
    "Unique: yes\n"
    "Auto: next-integer\n"
    "Description: Internal number\n";

Schema MustParse(std::string text) {
  Result<Schema> schema = ParseSchema(std::move(text), "t.schema");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (schema.ok()) return std::move(schema).value();
  return std::move(ParseSchema("Table: x\nKey: K\n", "fallback")).value();
}

// The error message of ParseSchema, or "" when it succeeded.
std::string ErrorOf(std::string text) {
  Result<Schema> schema = ParseSchema(std::move(text), "t.schema");
  if (schema.ok()) return "";
  EXPECT_EQ(schema.status().code(), StatusCode::kInvalidData);
  return schema.status().message();
}

deb822::Stanza Record(std::string text) {
  Result<deb822::Document> doc = deb822::Parse(std::move(text));
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  if (!doc.ok() || doc->stanzas().empty()) return deb822::Stanza();
  return doc->stanzas()[0];
}

std::string RecordError(const Schema& schema, std::string text) {
  Status status = CheckRecord(schema, Record(std::move(text)));
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  return status.message();
}

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(SchemaParseTest, S010_S030_ReadsTheTableAndFieldStanzas) {
  Schema schema = MustParse(kPackages);
  EXPECT_EQ(schema.table(), "packages");
  EXPECT_EQ(schema.partition_depth(), 1);
  EXPECT_FALSE(schema.allow_unknown_fields());
  EXPECT_EQ(schema.constraints(),
            (std::vector<std::string>{"Installed-Size >= 0", "Package != \"\""}));
  EXPECT_EQ(schema.description(), "Binary packages\n One record per package version.");
  ASSERT_EQ(schema.fields().size(), 7u);
  ASSERT_EQ(schema.key().size(), 2u);
  EXPECT_EQ(schema.fields()[schema.key()[0]].name, "Package");
  EXPECT_EQ(schema.fields()[schema.key()[1]].name, "Version");

  const FieldSpec* package = schema.Find("PACKAGE");
  ASSERT_NE(package, nullptr);
  EXPECT_TRUE(package->mandatory);  // [S-030]
  EXPECT_TRUE(package->indexed);
  EXPECT_EQ(package->pattern, "[a-z0-9][a-z0-9.+-]+");
  EXPECT_EQ(schema.Find("version")->type, FieldType::kDebVersion);
  EXPECT_TRUE(schema.Find("Installed-Size")->mandatory);
  EXPECT_EQ(schema.Find("Priority")->values,
            (std::vector<std::string>{"required", "important", "standard", "optional"}));
  EXPECT_EQ(schema.Find("Architecture")->type, FieldType::kList);
  EXPECT_EQ(schema.Find("Source")->references_table, "sources");
  EXPECT_EQ(schema.Find("Source")->references_field, "Package");
  const FieldSpec* id = schema.Find("id");
  EXPECT_TRUE(id->unique);
  EXPECT_EQ(id->auto_fill, AutoFill::kNextInteger);
  EXPECT_EQ(id->description, "Internal number");
  EXPECT_EQ(schema.Find("Nope"), nullptr);
  EXPECT_TRUE(schema.IsKey("version"));
  EXPECT_FALSE(schema.IsKey("Id"));
}

TEST(SchemaParseTest, S012_S013_Defaults) {
  Schema schema = MustParse("Table: t\nKey: Name\n");
  EXPECT_EQ(schema.partition_depth(), 2);
  EXPECT_TRUE(schema.allow_unknown_fields());
  EXPECT_TRUE(schema.constraints().empty());
  EXPECT_EQ(schema.description(), "");
}

TEST(SchemaParseTest, S030_UndeclaredKeyFieldsAreMandatoryStrings) {
  Schema schema = MustParse("Table: t\nKey: Name, Rank\n\nField: Rank\nType: integer\n");
  ASSERT_EQ(schema.fields().size(), 2u);
  EXPECT_EQ(schema.fields()[0].name, "Rank");
  EXPECT_EQ(schema.fields()[1].name, "Name");  // appended after the declared fields
  EXPECT_EQ(schema.fields()[1].type, FieldType::kString);
  EXPECT_TRUE(schema.fields()[1].mandatory);
  EXPECT_EQ(schema.key(), (std::vector<std::size_t>{1, 0}));
}

TEST(SchemaParseTest, S001_SyntaxErrorsPassThroughFromDeb822) {
  EXPECT_EQ(ErrorOf("Table: t\nKey\n"),
            "t.schema:2:1: error: line is not a field: expected 'Name: value', a continuation "
            "line starting with a space or tab, a comment starting with '#', or an empty line "
            "[F-020]");
  EXPECT_EQ(ErrorOf("Table: t\r\nKey: K\n").substr(0, 14), "t.schema:1:9: ");
}

struct ErrorCase {
  const char* name;
  const char* text;
  const char* message;
};

// Every schema error: its exact message, line and column.
TEST(SchemaParseTest, EveryRuleHasAnExactLocatedMessage) {
  const std::vector<ErrorCase> cases = {
      {"S-002 empty", "",
       "t.schema:1:1: error: the schema has no stanza; expected a table stanza "
       "with 'Table' and 'Key' [S-002]"},
      {"S-002 no table", "# c\nField: A\n",
       "t.schema:2:1: error: the first stanza must describe the table; expected a 'Table' "
       "attribute [S-002]"},
      {"S-002 no field", "Table: t\nKey: A\n\nType: integer\n",
       "t.schema:4:1: error: a stanza after the table stanza must declare a field; expected a "
       "'Field' attribute [S-002]"},
      {"S-003 table attribute", "Table: t\nKey: A\nKind: x\n",
       "t.schema:3:1: error: unknown table attribute 'Kind'; expected Table, Key, "
       "Partition-Depth, Partition-Split, Unknown-Fields, Constraint or Description [S-003]"},
      {"S-003 field attribute", "Table: t\nKey: A\n\nField: A\nRequired: yes\n",
       "t.schema:5:1: error: unknown field attribute 'Required'; expected Field, Type, Mandatory, "
       "Unique, Index, Values, Pattern, References, Auto or Description [S-003]"},
      {"S-003 one line", "Table: t\nKey: A\n\nField: A\nType: integer\n string\n",
       "t.schema:6:1: error: 'Type' takes a one-line value [S-003]"},
      {"S-004 yes/no", "Table: t\nKey: A\n\nField: B\nUnique:  true\n",
       "t.schema:5:10: error: invalid value 'true' for 'Unique'; expected yes or no [S-004]"},
      {"S-010 table name", "Table: my table\nKey: A\n",
       "t.schema:1:8: error: invalid table name 'my table'; expected 1 to 64 ASCII letters, "
       "digits, '-' or '_', starting with a letter [S-010]"},
      {"S-011 no key", "Table: t\n",
       "t.schema:1:1: error: the table stanza has no 'Key'; expected the key field names, e.g. "
       "'Key: Package, Version' [S-011]"},
      {"S-011 empty key", "Table: t\nKey:\n",
       "t.schema:2:5: error: empty 'Key'; expected one or more field names [S-011]"},
      {"S-011 bad key name", "Table: t\nKey: A, B.C\n",
       "t.schema:2:9: error: invalid key field name 'B.C'; expected ASCII letters, digits, '-' "
       "or '_', starting with a letter or digit [S-011]"},
      {"S-011 empty key element", "Table: t\nKey: A,,B\n",
       "t.schema:2:8: error: invalid key field name ''; expected ASCII letters, digits, '-' or "
       "'_', starting with a letter or digit [S-011]"},
      {"S-011 key twice", "Table: t\nKey: A,\n a\n",
       "t.schema:3:2: error: key field 'a' is listed twice [S-011]"},
      {"S-014 lone dot", "Table: t\nKey: A\nConstraint:.\n",
       "t.schema:3:1: error: a constraint line that cannot be written back (value cannot be "
       "written: line 2 is a lone '.', which reads back as an empty line [W-014]); expected one "
       "expression per line [S-014]"},
      {"S-012 depth", "Table: t\nKey: A\nPartition-Depth: 5\n",
       "t.schema:3:18: error: invalid partition depth '5'; expected 0, 1, 2, 3 or 4 [S-012]"},
      {"S-013 unknown fields", "Table: t\nKey: A\nUnknown-Fields: yes\n",
       "t.schema:3:17: error: invalid value 'yes' for 'Unknown-Fields'; expected allow or reject "
       "[S-013]"},
      {"S-020 field name", "Table: t\nKey: A\n\nField: -x\n",
       "t.schema:4:8: error: invalid field name '-x'; expected ASCII letters, digits, '-' or '_', "
       "starting with a letter or digit [S-020]"},
      {"S-021 duplicate", "Table: t\nKey: A\n\nField: Size\n\nField: size\n",
       "t.schema:6:8: error: field 'size' is declared twice; first at line 4 [S-021]"},
      {"S-022 type", "Table: t\nKey: A\n\nField: N\nType: int\n",
       "t.schema:5:7: error: unknown type 'int'; expected string, integer, decimal, boolean, date, "
       "date-time, enum, list or debversion [S-022]"},
      {"S-024 enum without values", "Table: t\nKey: A\n\nField: P\nType: enum\n",
       "t.schema:5:7: error: type enum needs a 'Values' attribute listing the allowed values "
       "[S-024]"},
      {"S-024 values without enum", "Table: t\nKey: A\n\nField: P\nValues: a, b\n",
       "t.schema:5:1: error: 'Values' is only allowed with 'Type: enum' [S-024]"},
      {"S-024 empty values", "Table: t\nKey: A\n\nField: P\nType: enum\nValues:\n",
       "t.schema:6:8: error: empty 'Values'; expected allowed values separated by ',' [S-024]"},
      {"S-024 empty element", "Table: t\nKey: A\n\nField: P\nType: enum\nValues: a, , b\n",
       "t.schema:6:12: error: empty element in 'Values'; expected allowed values separated by ',' "
       "[S-024]"},
      {"S-024 duplicate value", "Table: t\nKey: A\n\nField: P\nType: enum\nValues: a,\n b, a\n",
       "t.schema:7:5: error: value 'a' is listed twice in 'Values' [S-024]"},
      {"S-024 missing comma", "Table: t\nKey: A\n\nField: P\nType: enum\nValues: a, b\n c\n",
       "t.schema:6:12: error: value 'b\\n c' spans lines; expected ',' between allowed values "
       "[S-024]"},
      {"S-025 bad pattern", "Table: t\nKey: A\n\nField: P\nPattern: a(b\n",
       "t.schema:5:10: error: invalid pattern 'a(b': missing ): a(b; expected an RE2 regular "
       "expression [S-025]"},
      {"S-025 empty pattern", "Table: t\nKey: A\n\nField: P\nPattern:\n",
       "t.schema:5:9: error: invalid pattern '': empty; expected an RE2 regular expression "
       "[S-025]"},
      {"S-025 backreference", "Table: t\nKey: A\n\nField: P\nPattern: (a)\\1\n",
       "t.schema:5:10: error: invalid pattern '(a)\\\\1': invalid escape sequence: \\1; expected "
       "an RE2 regular expression [S-025]"},
      {"S-025 pattern type", "Table: t\nKey: A\n\nField: P\nType: integer\nPattern: [0-9]+\n",
       "t.schema:6:1: error: 'Pattern' is only allowed with types string and list [S-025]"},
      {"S-026 reference", "Table: t\nKey: A\n\nField: P\nReferences: other.\n",
       "t.schema:5:13: error: invalid reference 'other.'; expected TABLE or TABLE.FIELD, e.g. "
       "packages.Package [S-026]"},
      {"S-027 auto name", "Table: t\nKey: A\n\nField: P\nAuto: serial\n",
       "t.schema:5:7: error: unknown automatic fill 'serial'; expected next-integer, uuid, "
       "created or modified [S-027]"},
      {"S-027 auto type", "Table: t\nKey: A\n\nField: P\nAuto: created\nType: date\n",
       "t.schema:5:7: error: 'Auto: created' needs 'Type: date-time' [S-027]"},
      {"S-030 key not mandatory", "Table: t\nKey: A\n\nField: A\nMandatory: no\n",
       "t.schema:5:12: error: key field 'A' is always mandatory; expected 'Mandatory: yes' or no "
       "'Mandatory' [S-030]"},
      {"S-031 list key", "Table: t\nKey: A, B\n\nField: B\nType: list\n",
       "t.schema:5:7: error: key field 'B' cannot have type list; expected string, integer, "
       "decimal, date, date-time, enum or debversion [S-031]"},
      {"S-031 boolean key", "Table: t\nKey: B\n\nField: B\nType: boolean\n",
       "t.schema:5:7: error: key field 'B' cannot have type boolean; expected string, integer, "
       "decimal, date, date-time, enum or debversion [S-031]"},
      {"S-032 modified key", "Table: t\nKey: T\n\nField: T\nType: date-time\nAuto: modified\n",
       "t.schema:6:7: error: key field 'T' cannot be filled on modification; expected "
       "next-integer, uuid or created [S-032]"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(ErrorOf(c.text), c.message) << c.name;
  }
}

TEST(SchemaParseTest, S003_ColumnsCountCodePointsAndSkipCommentsInsideAField) {
  // The error is on the third physical line of 'Values' (a comment line in between).
  EXPECT_EQ(
      ErrorOf("Table: t\nKey: A\n\nField: P\nType: enum\nValues: \xC3\xA9,\n# c\n \xC3\xA9\n"),
      "t.schema:8:2: error: value '\xC3\xA9' is listed twice in 'Values' [S-024]");
  EXPECT_EQ(ErrorOf("Table: t\nKey: A\n\nField: P\nType: enum\nValues: \xC3\xA9, \xC3\xA9\n"),
            "t.schema:6:12: error: value '\xC3\xA9' is listed twice in 'Values' [S-024]");
}

TEST(SchemaParseTest, S003_AttributeNamesIgnoreCaseKeywordsDoNot) {
  EXPECT_EQ(ErrorOf("TABLE: t\nkey: A\n\nfield: A\ntype: integer\n"), "");
  EXPECT_NE(ErrorOf("Table: t\nKey: A\n\nField: A\nType: Integer\n"), "");
  EXPECT_NE(ErrorOf("Table: t\nKey: A\n\nField: B\nMandatory: Yes\n"), "");
}

// ---------------------------------------------------------------------------------------------
// Split partitions [S-016]

TEST(SchemaParseTest, S016_PartitionSplitIsReadSorted) {
  Schema schema = MustParse(
      "Table: t\n"
      "Key: Name\n"
      "Partition-Split:\n"
      " lib\n"
      " %2Ex\n"
      "# the libraries\n"
      "\tlx\n"
      "   li  \n"
      " \xC3\xA9m\n"
      "Partition-Depth: 2\n");
  EXPECT_EQ(schema.partition_depth(), 2);
  // Sorted by byte value of the prefix (decoded: ".x", not "%2Ex").
  EXPECT_EQ(schema.partition_splits(),
            (std::vector<std::string>{".x", "li", "lib", "lx", "\xC3\xA9m"}));
  EXPECT_EQ(
      schema.partition_split_dirs(),
      (std::vector<std::string>{"%2E/%2Ex", "l/li", "l/li/lib", "l/lx", "\xC3\xA9/\xC3\xA9m"}));
  // On the first line too, and the attribute name ignores case.
  Schema first = MustParse("Table: t\nKey: Name\npartition-split: li\n lib\n");
  EXPECT_EQ(first.partition_splits(), (std::vector<std::string>{"li", "lib"}));
  EXPECT_EQ(first.partition_split_dirs(), (std::vector<std::string>{"l/li", "l/li/lib"}));
  // Partition-Depth may come after Partition-Split: the splits are checked against it.
  Schema shallow =
      MustParse("Table: t\nKey: Name\nPartition-Split:\n l\n li\nPartition-Depth: 1\n");
  EXPECT_EQ(shallow.partition_depth(), 1);
  EXPECT_EQ(shallow.partition_split_dirs(), (std::vector<std::string>{"l", "l/li"}));
  // " ." is an empty line of the value [F-031], ignored like one.
  Schema dotted = MustParse("Table: t\nKey: Name\nPartition-Split:\n li\n .\n lib\n");
  EXPECT_EQ(dotted.partition_splits(), (std::vector<std::string>{"li", "lib"}));
  // None by default; an empty attribute lists none, at any depth.
  EXPECT_TRUE(MustParse("Table: t\nKey: Name\n").partition_splits().empty());
  for (const char* text : {"Table: t\nKey: Name\nPartition-Split:\n",
                           "Table: t\nKey: Name\nPartition-Depth: 0\nPartition-Split:\n"}) {
    Schema none = MustParse(text);
    EXPECT_TRUE(none.partition_splits().empty()) << text;
    EXPECT_TRUE(none.partition_split_dirs().empty()) << text;
  }
}

TEST(SchemaWriteTest, S016_S040_PartitionSplitIsWrittenBackAndRoundTrips) {
  Schema schema =
      MustParse("Table: t\nKey: Name\nPartition-Split:\n lib\n %2Ex\n\tlx\n li\n \xC3\xA9m\n");
  const std::string written = WriteSchema(schema);
  EXPECT_EQ(written,
            "Table: t\n"
            "Key: Name\n"
            "Partition-Depth: 2\n"
            "Partition-Split:\n"
            " %2Ex\n"
            " li\n"
            " lib\n"
            " lx\n"
            " \xC3\xA9m\n"
            "Unknown-Fields: allow\n"
            "\n"
            "Field: Name\n");
  Schema again = MustParse(written);
  EXPECT_EQ(again, schema);
  EXPECT_EQ(again.partition_splits(), schema.partition_splits());
  EXPECT_EQ(again.partition_split_dirs(), schema.partition_split_dirs());
  EXPECT_EQ(WriteSchema(again), written);
  // Splits are part of the schema's value; an empty list is not written.
  EXPECT_FALSE(MustParse("Table: t\nKey: Name\nPartition-Split: li\n") ==
               MustParse("Table: t\nKey: Name\n"));
  EXPECT_FALSE(MustParse("Table: t\nKey: Name\nPartition-Split: li\n") ==
               MustParse("Table: t\nKey: Name\nPartition-Split: lx\n"));
  Schema empty = MustParse("Table: t\nKey: Name\nPartition-Split:\n");
  EXPECT_EQ(WriteSchema(empty),
            "Table: t\nKey: Name\nPartition-Depth: 2\nUnknown-Fields: allow\n\nField: Name\n");
  EXPECT_EQ(empty, MustParse("Table: t\nKey: Name\n"));
  // Prefixes whose path components need escapes ([P-031], [P-033], [P-030]), at depth 1.
  Schema odd = MustParse(
      "Table: t\nKey: Name\nPartition-Depth: 1\nPartition-Split:\n %2F\n %2F%2F\n c\n co\n"
      " %63on\n %2E\n %2E%2E\n");
  EXPECT_EQ(odd.partition_splits(),
            (std::vector<std::string>{".", "..", "/", "//", "c", "co", "con"}));
  EXPECT_EQ(odd.partition_split_dirs(),
            (std::vector<std::string>{"%2E", "%2E/%2E%2E", "%2F", "%2F/%2F%2F", "c", "c/co",
                                      "c/co/%63on"}));
  Schema odd_again = MustParse(WriteSchema(odd));
  EXPECT_EQ(odd_again, odd);
}

TEST(SchemaParseTest, S016_PartitionSplitErrorsPointAtTheEntry) {
  const std::vector<ErrorCase> cases = {
      {"bad escape", "Table: t\nKey: A\nPartition-Split:\n li\n l%2\n",
       "t.schema:5:2: error: invalid split partition 'l%2' (path component has a bad escape at "
       "offset 1; expected '%' and two uppercase hex digits [P-035]); expected a key prefix "
       "written as a path component [S-016]"},
      {"lowercase escape on the first line", "Table: t\nKey: A\nPartition-Split: %2ex\n",
       "t.schema:3:18: error: invalid split partition '%2ex' (path component has a bad escape "
       "at offset 0; expected '%' and two uppercase hex digits [P-035]); expected a key prefix "
       "written as a path component [S-016]"},
      {"not canonical", "Table: t\nKey: A\nPartition-Split:\n li\n %41\n",
       "t.schema:5:2: error: invalid split partition '%41' (path component is not in canonical "
       "encoding (a byte is escaped that need not be, or one is not escaped that must be) "
       "[P-035]); expected a key prefix written as a path component [S-016]"},
      {"raw leading dot", "Table: t\nKey: A\nPartition-Split:\n .x\n",
       "t.schema:4:2: error: invalid split partition '.x' (path component is not in canonical "
       "encoding (a byte is escaped that need not be, or one is not escaped that must be) "
       "[P-035]); expected a key prefix written as a path component [S-016]"},
      {"missing parent", "Table: t\nKey: A\nPartition-Split:\n lx\n lib\n",
       "t.schema:5:2: error: split partition 'lib' lies below a partition that is not split; "
       "expected 'li' to be split as well [S-016]"},
      {"missing parent after a comment", "Table: t\nKey: A\nPartition-Split:\n li\n# c\n lixy\n",
       "t.schema:6:2: error: split partition 'lixy' lies below a partition that is not split; "
       "expected 'lix' to be split as well [S-016]"},
      {"too few units", "Table: t\nKey: A\nPartition-Depth: 3\nPartition-Split:\n abc\n li\n",
       "t.schema:6:2: error: split partition 'li' has 2 units; expected 3 (the table's depth) "
       "to 15 [S-016]"},
      {"too few units, depth after",
       "Table: t\nKey: A\nPartition-Split:\n abc\n li\n"
       "Partition-Depth: 3\n",
       "t.schema:5:2: error: split partition 'li' has 2 units; expected 3 (the table's depth) "
       "to 15 [S-016]"},
      {"too few units, first line, depth after",
       "Table: t\nKey: A\nPartition-Split: li\nPartition-Depth: 3\n",
       "t.schema:3:18: error: split partition 'li' has 2 units; expected 3 (the table's depth) "
       "to 15 [S-016]"},
      {"too many units", "Table: t\nKey: A\nPartition-Split:\n aaaaaaaaaaaaaaaa\n",
       "t.schema:4:2: error: split partition 'aaaaaaaaaaaaaaaa' has 16 units; expected 2 (the "
       "table's depth) to 15 [S-016]"},
      {"depth 0", "Table: t\nKey: A\nPartition-Depth: 0\nPartition-Split:\n a\n",
       "t.schema:5:2: error: split partition 'a' is not possible at depth 0; expected a depth "
       "of 1 to 4 [S-016]"},
      {"depth 0 after", "Table: t\nKey: A\nPartition-Split: ab\nPartition-Depth: 0\n",
       "t.schema:3:18: error: split partition 'ab' is not possible at depth 0; expected a depth "
       "of 1 to 4 [S-016]"},
      {"duplicate", "Table: t\nKey: A\nPartition-Split:\n li\n lx\n li\n",
       "t.schema:6:2: error: split partition 'li' is listed twice [S-016]"},
      {"duplicate on the first line", "Table: t\nKey: A\nPartition-Split: li\n lx\n li\n",
       "t.schema:5:2: error: split partition 'li' is listed twice [S-016]"},
      {"not folded", "Table: t\nKey: A\nPartition-Split:\n li\n Lx\n",
       "t.schema:5:2: error: split partition 'Lx' is not a folded key prefix made of whole "
       "units; expected 'lx' or a prefix of it [S-016]"},
      {"indented", "Table: t\nKey: A\nPartition-Split:\n li\n   %41\n",
       "t.schema:5:4: error: invalid split partition '%41' (path component is not in canonical "
       "encoding (a byte is escaped that need not be, or one is not escaped that must be) "
       "[P-035]); expected a key prefix written as a path component [S-016]"},
      {"after a tab and a non-ASCII entry",
       "Table: t\nKey: A\nPartition-Split:\n \xC3\xA9m\n\t \xC3\xA9m\n",
       "t.schema:5:3: error: split partition '\xC3\xA9m' is listed twice [S-016]"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(ErrorOf(c.text), c.message) << c.name;
  }
  // A prefix that is not UTF-8 is located too.
  EXPECT_EQ(ErrorOf("Table: t\nKey: A\nPartition-Split:\n li\n %FF\n"),
            "t.schema:5:2: error: split partition '%FF' is not a key prefix (it is empty or not "
            "valid UTF-8) [S-016]");
}

// ---------------------------------------------------------------------------------------------
// Writing [S-040]

TEST(SchemaWriteTest, S040_CanonicalFormRoundTrips) {
  Schema schema = MustParse(kPackages);
  const std::string written = WriteSchema(schema);
  EXPECT_EQ(written,
            "Table: packages\n"
            "Key: Package, Version\n"
            "Partition-Depth: 1\n"
            "Unknown-Fields: reject\n"
            "Constraint:\n"
            " Installed-Size >= 0\n"
            " Package != \"\"\n"
            "Description: Binary packages\n"
            " One record per package version.\n"
            "\n"
            "Field: Package\n"
            "Pattern: [a-z0-9][a-z0-9.+-]+\n"
            "Index: yes\n"
            "\n"
            "Field: Version\n"
            "Type: debversion\n"
            "\n"
            "Field: Installed-Size\n"
            "Type: integer\n"
            "Mandatory: yes\n"
            "\n"
            "Field: Priority\n"
            "Type: enum\n"
            "Values: required, important, standard, optional\n"
            "\n"
            "Field: Architecture\n"
            "Type: list\n"
            "\n"
            "Field: Source\n"
            "References: sources.Package\n"
            "\n"
            "Field: Id\n"
            "Type: integer\n"
            "Unique: yes\n"
            "Auto: next-integer\n"
            "Description: Internal number\n");
  Schema again = MustParse(written);
  EXPECT_EQ(again, schema);
  EXPECT_EQ(WriteSchema(again), written);
}

TEST(SchemaWriteTest, S040_ImplicitKeyFieldsAndDefaultsAreWrittenExplicitly) {
  Schema schema = MustParse("table: t\nkey: Name\n");
  EXPECT_EQ(WriteSchema(schema),
            "Table: t\nKey: Name\nPartition-Depth: 2\nUnknown-Fields: allow\n\nField: Name\n");
  EXPECT_EQ(MustParse(WriteSchema(schema)), schema);
}

TEST(SchemaWriteTest, S040_EqualityIgnoresTheCompiledPatternButNotThePattern) {
  Schema a = MustParse("Table: t\nKey: A\nUnknown-Fields: allow\n\nField: A\nPattern: x+\n");
  Schema b = MustParse("Table: t\nKey: A\n\nField: A\nPattern: x+\n");
  Schema c = MustParse("Table: t\nKey: A\n\nField: A\nPattern: x*\n");
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == c);
}

// ---------------------------------------------------------------------------------------------
// Keys [S-120, S-121]

TEST(SchemaKeyTest, S120_KeyIsLengthPrefixedCanonicalComponents) {
  Schema schema = MustParse("Table: t\nKey: Name, N\n\nField: N\nType: integer\n");
  Result<std::string> key = KeyOf(schema, Record("Name: libfoo1\nN: 007\nOther: x\n"));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(*key, "7:libfoo11:7");
  Result<std::vector<std::string>> parts = DecodeKey(*key);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(*parts, (std::vector<std::string>{"libfoo1", "7"}));
  // Integer key 1 and 01 are the same key.
  EXPECT_EQ(*KeyOf(schema, Record("Name: a\nN: 1\n")), *KeyOf(schema, Record("Name: a\nN: 01\n")));
}

// [S-130] before a value's type: a key field missing after one with a bad value is what KeyOf
// reports (it looks each key field up once, and checks presence again only on an error).
TEST(SchemaKeyTest, S130_AMissingKeyFieldIsReportedBeforeABadKeyValue) {
  Schema schema = MustParse("Table: t\nKey: N, Name\n\nField: N\nType: integer\n");
  EXPECT_EQ(KeyOf(schema, Record("N: x\n")).status().message(),
            "record at line 1: missing key field 'Name' [S-130]");
  EXPECT_EQ(KeyOf(schema, Record("N: x\nName:\n")).status().message(),
            "record at line 1: key field 'Name' is empty [S-130]");
  EXPECT_EQ(KeyOf(schema, Record("Name: a\n")).status().message(),
            "record at line 1: missing key field 'N' [S-130]");
  EXPECT_NE(KeyOf(schema, Record("N: x\nName: a\n"))
                .status()
                .message()
                .find("'x' is not an "
                      "integer"),
            std::string::npos);
}

TEST(SchemaKeyTest, S120_HostileComponentsRoundTrip) {
  Schema schema = MustParse("Table: t\nKey: A, B\n");
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"1:x", "2:yy"},
      {"a:b", "c"},
      {"12", "3:4"},
      {"x\n y", ":"},
      {"::", "0:"},
      {std::string(4096, 'k'), "\xC3\xA9"},
      {"a, b", std::string(5000, ':')}};
  std::vector<std::string> keys;
  for (const auto& [a, b] : pairs) {
    deb822::Stanza record;
    ASSERT_TRUE(record.SetRaw("A", a).ok());
    ASSERT_TRUE(record.SetRaw("B", b).ok());
    Result<std::string> key = KeyOf(schema, record);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Result<std::vector<std::string>> parts = DecodeKey(*key);
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(*parts, (std::vector<std::string>{a, b}));
    keys.push_back(*key);
  }
  // Distinct component pairs give distinct keys (no ambiguity).
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

TEST(SchemaKeyTest, S120_DecodeRejectsMalformedKeys) {
  for (const char* bad :
       {"1", "1:", "2:a", ":a", "01:a", "a:b", "1:a1", "99999999999999999999:a", "-1:a"}) {
    Result<std::vector<std::string>> parts = DecodeKey(bad);
    EXPECT_FALSE(parts.ok()) << bad;
  }
  EXPECT_EQ(DecodeKey("1:a1").status().message(),
            "malformed key '1:a1'; expected LENGTH:BYTES components [S-120]");
  EXPECT_TRUE(DecodeKey("").ok());
  EXPECT_EQ(*DecodeKey("0:1:x"), (std::vector<std::string>{"", "x"}));
}

TEST(SchemaKeyTest, S121_KeysOrderComponentWiseByType) {
  Schema schema = MustParse(
      "Table: t\nKey: Package, Version, N\n\nField: Version\nType: debversion\n\n"
      "Field: N\nType: integer\n");
  auto key = [&](const char* package, const char* version, const char* n) {
    deb822::Stanza record;
    EXPECT_TRUE(record.SetRaw("Package", package).ok());
    EXPECT_TRUE(record.SetRaw("Version", version).ok());
    EXPECT_TRUE(record.SetRaw("N", n).ok());
    Result<std::string> k = KeyOf(schema, record);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? *k : std::string();
  };
  // In the expected order; a byte comparison of the encoded keys would get most of these wrong.
  const std::vector<std::string> ordered = {key("a", "1.0~rc1", "5"), key("a", "1.0", "2"),
                                            key("a", "1.0", "10"),    key("a", "1.0-1", "1"),
                                            key("a", "1.10", "1"),    key("a", "1:0.1", "1"),
                                            key("a\n b", "1", "1"),   key("ab", "1", "-100"),
                                            key("ab", "1", "-99"),    key("b", "1", "1")};
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    for (std::size_t j = 0; j < ordered.size(); ++j) {
      const int c = CompareKeys(schema, ordered[i], ordered[j]);
      EXPECT_EQ((c > 0) - (c < 0), (i > j) - (i < j)) << i << " vs " << j;
    }
  }
  EXPECT_EQ(CompareKeys(schema, key("a", "1.0", "2"), key("a", "1.00-0", "02")), 0);
  // Malformed keys and keys with the wrong number of components sort last, as bytes.
  EXPECT_LT(CompareKeys(schema, ordered.back(), "garbage"), 0);
  EXPECT_LT(CompareKeys(schema, ordered.back(), "1:a"), 0);
  EXPECT_LT(CompareKeys(schema, "1:a", "garbage"), 0);
}

// ---------------------------------------------------------------------------------------------
// Records [S-130, S-131]

TEST(SchemaRecordTest, S130_ValidRecordPasses) {
  Schema schema = MustParse(kPackages);
  EXPECT_EQ(RecordError(schema,
                        "Package: libfoo1\nVersion: 1.0-1\nInstalled-Size: 12\nPriority: optional\n"
                        "Architecture: amd64, arm64\nSource: foo\nId: 3\n"),
            "");
}

TEST(SchemaRecordTest, S130_ErrorsNameTheRecordAndTheField) {
  Schema schema = MustParse(kPackages);
  EXPECT_EQ(RecordError(schema, "Package: libfoo1\nInstalled-Size: 1\n"),
            "record at line 1: missing key field 'Version' [S-130]");
  EXPECT_EQ(RecordError(schema, "Package: libfoo1\nVersion:\nInstalled-Size: 1\n"),
            "record at line 1: key field 'Version' is empty [S-130]");
  EXPECT_EQ(RecordError(schema, "Package: libfoo1\nVersion: 1.0\nInstalled-Size: 12x\n"),
            "record Package='libfoo1', Version='1.0': field 'Installed-Size': '12x' is not an "
            "integer; expected decimal digits with an optional sign, e.g. -42 [S-101]");
  EXPECT_EQ(RecordError(schema, "Package: libfoo1\nVersion: a1\nInstalled-Size: 1\n"),
            "record Package='libfoo1', Version='a1': field 'Version': 'a1' is not a Debian "
            "version: version number does not start with digit [S-108]");
  EXPECT_EQ(RecordError(schema, "Package: libfoo1\nVersion: 1.0\n"),
            "record Package='libfoo1', Version='1.0': missing mandatory field 'Installed-Size' "
            "[S-130]");
  EXPECT_EQ(RecordError(schema, "Package: Foo\nVersion: 1.0\nInstalled-Size: 1\n"),
            "record Package='Foo', Version='1.0': field 'Package': 'Foo' does not match the "
            "pattern '[a-z0-9][a-z0-9.+-]+' [S-100]");
}

TEST(SchemaRecordTest, S130_MandatoryMeansPresentAndNotEmpty) {
  Schema schema = MustParse("Table: t\nKey: K\n\nField: M\nMandatory: yes\n");
  EXPECT_EQ(RecordError(schema, "K: k\nM:\n"),
            "record K='k': mandatory field 'M' is empty [S-130]");
  EXPECT_EQ(RecordError(schema, "K: k\nm: x\n"), "");
}

TEST(SchemaRecordTest, S131_UnknownFields) {
  Schema strict = MustParse(kPackages);
  EXPECT_EQ(RecordError(strict, "Package: ab\nVersion: 1\nInstalled-Size: 1\nHomepage: x\n"),
            "record Package='ab', Version='1': unknown field 'Homepage'; table 'packages' does not "
            "allow undeclared fields [S-131]");
  Schema open = MustParse("Table: t\nKey: K\n");
  EXPECT_EQ(RecordError(open, "K: k\nAnything: goes\n"), "");
}

// Whether unknown fields are allowed or not (two ways of walking the fields), the first invalid
// value in record order is reported, before any missing mandatory field.
TEST(SchemaRecordTest, S130_TheFirstInvalidValueInRecordOrderIsReported) {
  for (const char* unknown : {"allow", "reject"}) {
    SCOPED_TRACE(unknown);
    Schema schema = MustParse(
        std::string("Table: t\nKey: K\nUnknown-Fields: ") + unknown +
        "\n\nField: A\nType: integer\n\nField: M\nMandatory: yes\n\nField: B\nType: boolean\n");
    EXPECT_EQ(RecordError(schema, "K: k\nB: maybe\nA: x\n"),
              "record K='k': field 'B': 'maybe' is not a boolean; expected yes, no, true, false, "
              "1 or 0 [S-103]");
    EXPECT_EQ(RecordError(schema, "K: k\nA: x\nB: maybe\n"),
              "record K='k': field 'A': 'x' is not an integer; expected decimal digits with an "
              "optional sign, e.g. -42 [S-101]");
    EXPECT_EQ(RecordError(schema, "K: k\nB: yes\nA: 1\n"),
              "record K='k': missing mandatory field 'M' [S-130]");
    EXPECT_EQ(RecordError(schema, "K: k\nM: m\nB: yes\nA: 1\n"), "");
  }
}

// The engine checks the key fields once, when it makes the key: a put with an invalid key value
// or a non-key value is refused either way, naming the record and the field.
TEST(SchemaRecordTest, S130_CheckFieldsWithoutKeyFieldsChecksTheOthers) {
  Schema schema = MustParse(
      "Table: t\nKey: K\n\nField: K\nType: integer\n\nField: A\nType: "
      "integer\nMandatory: yes\n");
  deb822::Stanza record;
  ASSERT_TRUE(record.SetRaw("K", "7").ok());
  ASSERT_TRUE(record.SetRaw("A", "x").ok());
  ASSERT_TRUE(KeyOf(schema, record).ok());
  EXPECT_EQ(internal::CheckFields(schema, record, /*key_fields=*/false).message(),
            "record K='7': field 'A': 'x' is not an integer; expected decimal digits with an "
            "optional sign, e.g. -42 [S-101]");
  ASSERT_TRUE(record.SetRaw("A", "1").ok());
  EXPECT_TRUE(internal::CheckFields(schema, record, /*key_fields=*/false).ok());
  ASSERT_TRUE(record.Remove("A"));
  EXPECT_EQ(internal::CheckFields(schema, record, /*key_fields=*/false).message(),
            "record K='7': missing mandatory field 'A' [S-130]");
}

TEST(SchemaRecordTest, S130_ProgramBuiltRecordHasNoLine) {
  Schema schema = MustParse("Table: t\nKey: K\n");
  deb822::Stanza record;
  ASSERT_TRUE(record.SetRaw("Other", "x").ok());
  EXPECT_EQ(CheckRecord(schema, record).message(), "record: missing key field 'K' [S-130]");
  EXPECT_EQ(KeyOf(schema, record).status().message(), "record: missing key field 'K' [S-130]");
}

// ---------------------------------------------------------------------------------------------
// format-spec/examples/schema/ (see its README.md)

namespace fs = std::filesystem;

fs::path ExamplesDir() { return TEXTDB_SCHEMA_EXAMPLES_DIR; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<fs::path> SchemaFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".schema") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(SchemaExamplesTest, ValidExamplesParseAndRoundTrip) {
  const std::vector<fs::path> files = SchemaFiles(ExamplesDir() / "valid");
  EXPECT_GE(files.size(), 2u);
  for (const fs::path& file : files) {
    Result<Schema> schema = ParseSchema(ReadFile(file), file.filename().string());
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    Result<Schema> again = ParseSchema(WriteSchema(*schema), "written");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(*again, *schema) << file;
  }
}

TEST(SchemaExamplesTest, InvalidExamplesFailWithTheirRule) {
  const std::vector<fs::path> files = SchemaFiles(ExamplesDir() / "invalid");
  EXPECT_GE(files.size(), 3u);
  for (const fs::path& file : files) {
    fs::path expected_file = file;
    expected_file.replace_extension(".error");
    std::string expected = ReadFile(expected_file);
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    Result<Schema> schema = ParseSchema(ReadFile(file), file.filename().string());
    ASSERT_FALSE(schema.ok()) << file;
    EXPECT_EQ(schema.status().message(), expected) << file;
    // A file named after a rule (S-022-...) reports that rule.
    const std::string rule = file.filename().string().substr(0, 5);
    EXPECT_NE(expected.find("[" + rule + "]"), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace textdb
