// Tests for typed values (include/textdb/schema.h: CheckValue, CompareValues, CanonicalValue).
// Each test names the rule of format-spec/schema.md it checks.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "schema/value_types.h"
#include "textdb/schema.h"

namespace textdb {
namespace {

FieldSpec Spec(FieldType type, std::string name = "F") {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  return spec;
}

// The message of CheckValue, or "" when the value is valid.
std::string ErrorOf(const FieldSpec& spec, std::string_view raw) {
  Status status = CheckValue(spec, raw);
  return status.ok() ? "" : status.message();
}

void ExpectValid(FieldType type, const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    EXPECT_EQ(ErrorOf(Spec(type), value), "") << FieldTypeName(type) << " '" << value << "'";
  }
}

void ExpectInvalid(FieldType type, const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    Status status = CheckValue(Spec(type), value);
    EXPECT_FALSE(status.ok()) << FieldTypeName(type) << " '" << value << "'";
    EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  }
}

struct Ordered {
  std::string a;
  std::string b;
  int expected;  // -1, 0 or 1
};

void ExpectOrder(FieldType type, const std::vector<Ordered>& table) {
  for (const Ordered& row : table) {
    const int forward = CompareValues(type, row.a, row.b);
    const int backward = CompareValues(type, row.b, row.a);
    EXPECT_EQ((forward > 0) - (forward < 0), row.expected)
        << FieldTypeName(type) << " " << row.a << " vs " << row.b;
    EXPECT_EQ((backward > 0) - (backward < 0), -row.expected)
        << FieldTypeName(type) << " " << row.b << " vs " << row.a;
    // Equal values, and only those, have equal canonical forms.
    EXPECT_EQ(CanonicalValue(type, row.a) == CanonicalValue(type, row.b), row.expected == 0)
        << FieldTypeName(type) << " " << row.a << " vs " << row.b;
  }
}

void ExpectCanonical(FieldType type,
                     const std::vector<std::pair<std::string, std::string>>& table) {
  for (const auto& [raw, canonical] : table) {
    EXPECT_EQ(CanonicalValue(type, raw), canonical) << FieldTypeName(type) << " '" << raw << "'";
    // The canonical form is valid, equal to the value and its own canonical form.
    EXPECT_EQ(ErrorOf(Spec(type), canonical), "") << canonical;
    EXPECT_EQ(CompareValues(type, raw, canonical), 0) << raw << " vs " << canonical;
    EXPECT_EQ(CanonicalValue(type, canonical), canonical) << canonical;
  }
}

// ---------------------------------------------------------------------------------------------
// string [S-100]

TEST(ValueTypesTest, S100_StringAcceptsAnyTextAndOrdersByBytes) {
  ExpectValid(FieldType::kString, {"", "x", "two\n lines", "\xC3\xA9t\xC3\xA9"});
  ExpectOrder(FieldType::kString, {{"a", "b", -1},
                                   {"a", "a", 0},
                                   {"B", "a", -1},
                                   {"a", "ab", -1},
                                   {"z", "\xC3\xA9", -1},                     // U+00E9 after 'z'
                                   {"\xEF\xBF\xBD", "\xF0\x9F\x98\x80", -1}}  // U+FFFD < U+1F600
  );
  EXPECT_EQ(CanonicalValue(FieldType::kString, "01"), "01");
}

TEST(ValueTypesTest, S100_StringPatternMustMatchTheWholeValue) {
  FieldSpec spec = Spec(FieldType::kString, "Package");
  spec.pattern = "[a-z0-9][a-z0-9.+-]+";
  EXPECT_EQ(ErrorOf(spec, "libfoo1"), "");
  EXPECT_EQ(ErrorOf(spec, "Libfoo"),
            "field 'Package': 'Libfoo' does not match the pattern '[a-z0-9][a-z0-9.+-]+' "
            "[S-100]");
  EXPECT_NE(ErrorOf(spec, "libfoo bar"), "");  // a partial match is not enough
}

TEST(ValueTypesTest, S025_HostilePatternIsLinear) {
  FieldSpec spec = Spec(FieldType::kString);
  spec.pattern = "(a+)+$";  // catastrophic for backtracking engines
  EXPECT_NE(ErrorOf(spec, std::string(100000, 'a') + "!"), "");
}

TEST(ValueTypesTest, S025_UncompilablePatternOfAHandMadeSpecIsInvalidArgument) {
  FieldSpec spec = Spec(FieldType::kString, "X");
  spec.pattern = "(";
  Status status = CheckValue(spec, "x");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "field 'X': invalid pattern '(': missing ): ( [S-025]");
}

// ---------------------------------------------------------------------------------------------
// integer [S-101]

TEST(ValueTypesTest, S101_IntegerAcceptReject) {
  ExpectValid(FieldType::kInteger, {"0", "-0", "+0", "7", "-7", "+7", "007", std::string(4000, '9'),
                                    "-" + std::string(40, '1')});
  ExpectInvalid(FieldType::kInteger, {"", "-", "+", "1.0", "1e3", " 1", "1 ", "12x", "0x10", "--1",
                                      "+-1", "1_000", "\xD9\xA1", "1\n 2"});
}

TEST(ValueTypesTest, S101_IntegerMessageNamesFieldValueAndExpectation) {
  EXPECT_EQ(ErrorOf(Spec(FieldType::kInteger, "Count"), "12x"),
            "field 'Count': '12x' is not an integer; expected decimal digits with an optional "
            "sign, e.g. -42 [S-101]");
}

TEST(ValueTypesTest, S101_IntegerOrderIsNumericWithoutOverflow) {
  const std::string big40 = "1" + std::string(39, '0');
  ExpectOrder(FieldType::kInteger, {{"1", "01", 0},
                                    {"-0", "0", 0},
                                    {"+5", "5", 0},
                                    {"2", "10", -1},
                                    {"-2", "-10", 1},
                                    {"-1", "0", -1},
                                    {"-1", "1", -1},
                                    {big40, "9" + std::string(38, '9'), 1},
                                    {big40, "00" + big40, 0},
                                    {"-" + big40, "-" + std::string(39, '9'), -1},
                                    {"99999999999999999999999999999999999999999", big40, 1}});
}

TEST(ValueTypesTest, S101_IntegerCanonical) {
  ExpectCanonical(FieldType::kInteger,
                  {{"01", "1"},
                   {"-0", "0"},
                   {"+0", "0"},
                   {"000", "0"},
                   {"+12", "12"},
                   {"-007", "-7"},
                   {"123456789012345678901234567890", "123456789012345678901234567890"}});
}

// ---------------------------------------------------------------------------------------------
// decimal [S-102]

TEST(ValueTypesTest, S102_DecimalAcceptReject) {
  ExpectValid(FieldType::kDecimal, {"0", "1.5", "-1.50", "+0.0", "10", "007.100"});
  ExpectInvalid(FieldType::kDecimal,
                {"", ".5", "5.", "1.2.3", "1,5", "1e5", "-", "-.5", "NaN", "inf", " 1.5"});
  EXPECT_EQ(ErrorOf(Spec(FieldType::kDecimal, "Price"), "1,5"),
            "field 'Price': '1,5' is not a decimal; expected decimal digits with an optional sign "
            "and fraction, e.g. -3.25 [S-102]");
}

TEST(ValueTypesTest, S102_DecimalOrderIsExact) {
  ExpectOrder(FieldType::kDecimal,
              {{"1.5", "1.50", 0},
               {"0.1", "0.10000000000000000000000001", -1},
               {"0.5", "0.45", 1},
               {"-0.5", "-0.45", -1},
               {"-0.0", "0", 0},
               {"2", "1.99999999999999999999999999", 1},
               {"10.1", "9.99", 1},
               {"-10.1", "-9.99", -1},
               {"0.3", "0.30", 0},
               {"1" + std::string(40, '0') + ".5", "1" + std::string(40, '0') + ".49", 1}});
}

TEST(ValueTypesTest, S102_DecimalCanonical) {
  ExpectCanonical(FieldType::kDecimal, {{"1.50", "1.5"},
                                        {"1.0", "1"},
                                        {"-0.0", "0"},
                                        {"+00.500", "0.5"},
                                        {"-007.010", "-7.01"},
                                        {"42", "42"}});
}

// ---------------------------------------------------------------------------------------------
// boolean [S-103]

TEST(ValueTypesTest, S103_BooleanAcceptRejectOrderCanonical) {
  ExpectValid(FieldType::kBoolean, {"yes", "no", "true", "false", "1", "0", "Yes", "TRUE", "No"});
  ExpectInvalid(FieldType::kBoolean, {"", "y", "n", "on", "off", "2", "yes ", "01", "truee"});
  ExpectOrder(FieldType::kBoolean, {{"no", "yes", -1}, {"true", "1", 0}, {"0", "FALSE", 0}});
  ExpectCanonical(FieldType::kBoolean,
                  {{"true", "yes"}, {"1", "yes"}, {"YES", "yes"}, {"false", "no"}, {"0", "no"}});
  EXPECT_EQ(ErrorOf(Spec(FieldType::kBoolean, "Essential"), "on"),
            "field 'Essential': 'on' is not a boolean; expected yes, no, true, false, 1 or 0 "
            "[S-103]");
}

// ---------------------------------------------------------------------------------------------
// date [S-104]

TEST(ValueTypesTest, S104_DateAcceptRejectOrder) {
  ExpectValid(FieldType::kDate,
              {"2024-02-29", "2000-02-29", "0000-01-01", "9999-12-31", "2023-12-31", "1970-01-01"});
  ExpectInvalid(FieldType::kDate,
                {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
                 "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01T00:00:00Z", "", "20240101",
                 "+2024-01-01"});
  ExpectOrder(FieldType::kDate, {{"2024-01-02", "2024-01-10", -1},
                                 {"0999-12-31", "1000-01-01", -1},
                                 {"2024-02-29", "2024-02-29", 0}});
  EXPECT_EQ(CanonicalValue(FieldType::kDate, "2024-02-29"), "2024-02-29");
  EXPECT_EQ(ErrorOf(Spec(FieldType::kDate, "Released"), "2023-02-29"),
            "field 'Released': '2023-02-29' is not a date; expected YYYY-MM-DD, e.g. 2024-02-29 "
            "[S-104]");
}

// ---------------------------------------------------------------------------------------------
// date-time [S-105]

TEST(ValueTypesTest, S105_DateTimeAcceptReject) {
  ExpectValid(FieldType::kDateTime,
              {"2024-02-29T13:05:00Z", "2024-02-29T13:05:00+01:00", "2024-02-29T13:05:00-23:59",
               "2024-02-29T13:05:00.5Z", "2024-02-29T23:59:59.123456789123+05:30",
               "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-01-01T00:00:00-00:00"});
  ExpectInvalid(FieldType::kDateTime,
                {"2024-02-29T13:05:00", "2024-02-29 13:05:00Z", "2024-02-29t13:05:00Z",
                 "2024-02-29T13:05:00z", "2024-02-29T13:05Z", "2024-02-29T24:00:00Z",
                 "2024-02-29T23:60:00Z", "2024-02-29T23:59:60Z", "2024-02-29T13:05:00.Z",
                 "2024-02-29T13:05:00+0100", "2024-02-29T13:05:00+24:00", "2024-02-29T13:05:00+01",
                 "2023-02-29T13:05:00Z", "2024-02-29", "", "2024-02-29T13:05:00Z "});
  EXPECT_EQ(ErrorOf(Spec(FieldType::kDateTime, "Updated"), "2024-02-29T13:05:00"),
            "field 'Updated': '2024-02-29T13:05:00' is not a date-time; expected "
            "YYYY-MM-DDTHH:MM:SS[.fraction] and Z or +HH:MM or -HH:MM, e.g. "
            "2024-02-29T13:05:00+01:00 [S-105]");
}

TEST(ValueTypesTest, S105_DateTimeInstantMustStayInFourDigitYears) {
  EXPECT_EQ(ErrorOf(Spec(FieldType::kDateTime, "T"), "0000-01-01T00:30:00+01:00"),
            "field 'T': '0000-01-01T00:30:00+01:00' is outside the years 0000 to 9999 in UTC "
            "[S-105]");
  EXPECT_NE(ErrorOf(Spec(FieldType::kDateTime, "T"), "9999-12-31T23:30:00-01:00"), "");
  EXPECT_EQ(ErrorOf(Spec(FieldType::kDateTime, "T"), "0000-01-01T00:30:00-01:00"), "");
}

TEST(ValueTypesTest, S105_DateTimeComparesByInstant) {
  ExpectOrder(FieldType::kDateTime, {{"2024-01-01T10:00:00+01:00", "2024-01-01T09:00:00Z", 0},
                                     {"2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00Z", 0},
                                     {"2024-01-01T00:00:00-00:00", "2024-01-01T00:00:00Z", 0},
                                     {"2024-01-01T10:00:00+01:00", "2024-01-01T09:30:00Z", -1},
                                     {"2024-01-01T10:00:00Z", "2024-01-01T10:00:00.000001Z", -1},
                                     {"2024-01-01T10:00:00.5Z", "2024-01-01T10:00:00.50Z", 0},
                                     {"2024-01-01T10:00:00.5Z", "2024-01-01T10:00:00.45Z", 1},
                                     {"1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", -1},
                                     {"2024-03-01T00:00:00+14:00", "2024-02-29T09:59:59Z", 1}});
}

TEST(ValueTypesTest, S105_DateTimeCanonicalIsUtc) {
  ExpectCanonical(FieldType::kDateTime,
                  {{"2024-01-01T10:00:00+01:00", "2024-01-01T09:00:00Z"},
                   {"2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00Z"},
                   {"1969-12-31T20:00:00-05:00", "1970-01-01T01:00:00Z"},
                   {"2024-01-01T00:00:00.500-00:00", "2024-01-01T00:00:00.5Z"},
                   {"2024-01-01T00:00:00.000Z", "2024-01-01T00:00:00Z"},
                   {"0000-03-01T00:00:00+00:01", "0000-02-29T23:59:00Z"},
                   {"9999-12-31T23:59:59.9Z", "9999-12-31T23:59:59.9Z"}});
}

// ---------------------------------------------------------------------------------------------
// enum [S-106]

TEST(ValueTypesTest, S106_EnumAcceptsOnlyDeclaredValuesAndOrdersByBytes) {
  FieldSpec spec = Spec(FieldType::kEnum, "Priority");
  spec.values = {"required", "important", "optional"};
  EXPECT_EQ(ErrorOf(spec, "optional"), "");
  EXPECT_EQ(ErrorOf(spec, "Optional"),
            "field 'Priority': 'Optional' is not one of the allowed values: required, important, "
            "optional [S-106]");
  EXPECT_NE(ErrorOf(spec, ""), "");
  ExpectOrder(FieldType::kEnum, {{"important", "required", -1}, {"optional", "optional", 0}});
}

// ---------------------------------------------------------------------------------------------
// list [S-107]

TEST(ValueTypesTest, S107_ListAcceptRejectCanonicalOrder) {
  ExpectValid(FieldType::kList, {"", "a", "a, b", "a,b", " a ,\n b", "a b, c"});
  ExpectInvalid(FieldType::kList, {",", "a,", ",a", "a,,b", "a, ,b", "a,\n ,b"});
  EXPECT_EQ(ErrorOf(Spec(FieldType::kList, "Tags"), "a,,b"),
            "field 'Tags': 'a,,b' has an empty element; expected non-empty elements separated by "
            "',' [S-107]");
  ExpectCanonical(FieldType::kList, {{"a,b", "a, b"}, {"a ,\n b", "a, b"}, {"x", "x"}, {"", ""}});
  ExpectOrder(FieldType::kList, {{"a, b", "a,b", 0},
                                 {"a", "a, b", -1},
                                 {"a, c", "a, b, z", 1},
                                 {"", "a", -1},
                                 {"ab", "a, c", 1}});
}

TEST(ValueTypesTest, S107_ListPatternAppliesToEachElement) {
  FieldSpec spec = Spec(FieldType::kList, "Architecture");
  spec.pattern = "[a-z0-9-]+";
  EXPECT_EQ(ErrorOf(spec, "amd64, arm64"), "");
  EXPECT_EQ(ErrorOf(spec, "amd64, ARM64"),
            "field 'Architecture': 'amd64, ARM64' has an element 'ARM64' that does not match the "
            "pattern '[a-z0-9-]+' [S-107]");
}

// ---------------------------------------------------------------------------------------------
// debversion [S-108, S-109]

TEST(ValueTypesTest, S108_DebVersionAcceptReject) {
  ExpectValid(FieldType::kDebVersion,
              {"0", "1.0", "1:1.0-1", "1.0~rc1+dfsg-2ubuntu1~bpo12+1", "1-2-3", "1:2:3",
               "2147483647:1", "1.0-a", "1.", "007:1.0-01"});
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "version string is empty"},
      {"1.0 1", "version string has embedded spaces"},
      {"1.0\n 1", "version string has embedded spaces"},
      {":1.0", "epoch in version is empty"},
      {"a:1.0", "epoch in version is not number"},
      {"-1:1.0", "epoch in version is not number"},
      {"2147483648:1.0", "epoch in version is too big"},
      {"99999999999999999999:1.0", "epoch in version is too big"},
      {"1:", "nothing after colon in version number"},
      {"1.0-", "revision number is empty"},
      {"-1", "version number is empty"},
      {"1:-1", "version number is empty"},
      {"a1.0", "version number does not start with digit"},
      {"~1", "version number does not start with digit"},
      {"1.0_1", "invalid character in version number"},
      {"1.0\xC3\xA9", "invalid character in version number"},
      {"1:1.0-a:b", "invalid character in revision number"},
      {"1.0-1_2", "invalid character in revision number"},
  };
  for (const auto& [raw, reason] : bad) {
    EXPECT_EQ(internal::DebVersionError(raw), reason) << raw;
    EXPECT_FALSE(CheckValue(Spec(FieldType::kDebVersion), raw).ok()) << raw;
  }
  EXPECT_EQ(ErrorOf(Spec(FieldType::kDebVersion, "Version"), "1.0-"),
            "field 'Version': '1.0-' is not a Debian version: revision number is empty [S-108]");
}

// Verified with `dpkg --compare-versions A lt|eq|gt B` (dpkg 1.21.22); hard-coded here.
TEST(ValueTypesTest, S109_DebVersionOrderMatchesDpkg) {
  ExpectOrder(FieldType::kDebVersion,
              {{"1.0", "1.0", 0},
               {"1.0", "1.1", -1},
               {"1.0", "1.0-1", -1},
               {"1.0-1", "1.0-2", -1},
               {"1.0~rc1", "1.0", -1},
               {"1.0~rc1", "1.0~rc2", -1},
               {"1.0~~", "1.0~", -1},
               {"1.0~", "1.0", -1},
               {"1.0", "1.0+b1", -1},
               {"1.0", "1.0.1", -1},
               {"1.0", "1.0a", -1},
               {"1.0a", "1.0+", -1},
               {"1.0a", "1.0.", -1},
               {"1.0", "1:0.9", -1},
               {"0:1.0", "1.0", 0},
               {"1.0-0", "1.0", 0},
               {"1.0", "1.00", 0},
               {"01.0", "1.0", 0},
               {"1.0.", "1.0.0", 0},
               {"1.", "1.0", 0},
               {"1.0", "1", 1},
               {"1a", "1a0", 0},
               {"1.2.3", "1.2.10", -1},
               {"1.2.10", "1.2.9", 1},
               {"2.0", "10.0", -1},
               {"1.0-1ubuntu1", "1.0-1", 1},
               {"1.0-1", "1.0-1.1", -1},
               {"1.0-1+deb12u1", "1.0-1", 1},
               {"1.0-1~bpo12+1", "1.0-1", -1},
               {"1:1.0", "2:0.1", -1},
               {"10:1", "9:2", 1},
               {"1.0-a", "1.0-0a", 1},
               {"1-2-3", "1-2-4", -1},
               {"1-2-3", "1-3", 1},
               {"1:2:3", "1:2:4", -1},
               {"1:2:3", "2:1", -1},
               {"7.6p2-4", "7.6-0", 1},
               {"1.0.3-3", "1.0-1", 1},
               {"1.3", "1.2.2-2", 1},
               {"1.3", "1.2.2", 1},
               {"0", "0", 0},
               {"0-0", "0", 0},
               {"1.0~beta", "1.0~alpha", 1},
               {"1.0+dfsg-1", "1.0-1", 1},
               {"1.0+dfsg", "1.0+dfsg0", 0},
               {"2.30-1", "2.4-1", 1},
               {"1.0~rc1-1", "1.0-1~", -1},
               {"1.18.10", "1.18.4", 1},
               {"2.36.1-8+deb11u1", "2.36.1-8", 1},
               {"1.2+", "1.2~", 1},
               {"1.2z", "1.2+", -1},
               {"0.1", "0.01", 0},
               {"1.001", "1.1", 0},
               {"1.0.0", "1.0.00", 0},
               {"999999999999999999999999", "1000000000000000000000000", -1},
               {"1.999999999999999999999", "1.1000000000000000000000", -1}});
}

// Each pair verified equal with `dpkg --compare-versions A eq B`.
TEST(ValueTypesTest, S109_DebVersionCanonical) {
  ExpectCanonical(FieldType::kDebVersion, {{"0:1.0", "1.0"},
                                           {"1.0-0", "1.0"},
                                           {"1.00", "1.0"},
                                           {"01.0", "1.0"},
                                           {"1.", "1.0"},
                                           {"1.0.", "1.0.0"},
                                           {"1a0", "1a"},
                                           {"1.0+dfsg0", "1.0+dfsg"},
                                           {"0-0", "0"},
                                           {"000", "0"},
                                           {"0.0", "0.0"},
                                           {"00:1.0", "1.0"},
                                           {"1-2-00", "1-2-0"},
                                           {"0:1:2", "0:1:2"},
                                           {"007:1.0-01", "7:1.0-1"},
                                           {"1.0~rc01", "1.0~rc1"},
                                           {"1.0-0a", "1.0-0a"},
                                           {"1.0-a0", "1.0-a"},
                                           {"1.0-.", "1.0-.0"},
                                           {"1.0~0", "1.0~"},
                                           {"1.0-1.", "1.0-1.0"},
                                           {"2:1.2.3-4", "2:1.2.3-4"}});
}

TEST(ValueTypesTest, S109_VerRevCmpTildeSortsBeforeEverythingAndLettersBeforeNonLetters) {
  EXPECT_LT(internal::VerRevCmp("~", ""), 0);
  EXPECT_LT(internal::VerRevCmp("", "a"), 0);
  EXPECT_LT(internal::VerRevCmp("a", "+"), 0);
  EXPECT_LT(internal::VerRevCmp("Z", "a"), 0);
  EXPECT_LT(internal::VerRevCmp("~~", "~~a"), 0);
  EXPECT_EQ(internal::VerRevCmp("", "0"), 0);
}

// ---------------------------------------------------------------------------------------------
// Values that are not valid for the type

TEST(ValueTypesTest, S110_InvalidValuesSortAfterValidOnesAndAreNotCanonicalised) {
  EXPECT_LT(CompareValues(FieldType::kInteger, "99", "x"), 0);
  EXPECT_GT(CompareValues(FieldType::kInteger, "x", "-5"), 0);
  EXPECT_LT(CompareValues(FieldType::kInteger, "x", "y"), 0);
  EXPECT_EQ(CompareValues(FieldType::kInteger, "x", "x"), 0);
  EXPECT_GT(CompareValues(FieldType::kDebVersion, "a1", "1"), 0);
  EXPECT_EQ(CanonicalValue(FieldType::kInteger, "0x1"), "0x1");
  EXPECT_EQ(CanonicalValue(FieldType::kDateTime, "tomorrow"), "tomorrow");
  EXPECT_LT(CompareValues(FieldType::kDebVersion, "1:1.0", "a1"), 0);
  EXPECT_LT(CompareValues(FieldType::kDebVersion, "a1", "b1"), 0);
  EXPECT_EQ(CompareValues(FieldType::kDebVersion, "1 0", "1 0"), 0);
}

// The indexer's and KeyOf's shortcut agrees with CheckValue and CanonicalValue for every type.
TEST(ValueTypesTest, S110_ValidCanonicalIsCheckValueThenCanonicalValue) {
  const std::vector<std::pair<FieldType, std::vector<std::string>>> cases = {
      {FieldType::kString, {"x", "", "a b"}},
      {FieldType::kInteger, {"007", "-0", "1.5", "x"}},
      {FieldType::kDecimal, {"1.50", "-0.0", "1e3"}},
      {FieldType::kBoolean, {"Yes", "0", "maybe"}},
      {FieldType::kDate, {"2024-02-29", "2023-02-29"}},
      {FieldType::kDateTime, {"2024-01-01T10:00:00+01:00", "tomorrow"}},
      {FieldType::kList, {"a ,b", "a,,b"}},
      {FieldType::kDebVersion,
       {"1:01.0-1", "0:1.0", "1.0-", "a1", "1 0", "1.00~rc1-0", "1:", "2147483648:1"}},
  };
  for (const auto& [type, values] : cases) {
    for (const std::string& value : values) {
      SCOPED_TRACE(std::string(FieldTypeName(type)) + " '" + value + "'");
      std::string canonical = "unchanged";
      const bool valid = internal::ValidCanonical(Spec(type), value, &canonical);
      EXPECT_EQ(valid, CheckValue(Spec(type), value).ok());
      EXPECT_EQ(canonical, valid ? CanonicalValue(type, value) : "unchanged");
    }
  }
}

TEST(ValueTypesTest, MessagesQuoteEscapeAndShortenValues) {
  EXPECT_EQ(internal::QuoteForMessage("a'b\\c\nd\te"), "'a\\'b\\\\c\\nd\\te'");
  const std::string long_value = std::string(59, 'x') + "\xC3\xA9" + std::string(100, 'y');
  EXPECT_EQ(internal::QuoteForMessage(long_value), "'" + std::string(59, 'x') + "...'");
  EXPECT_EQ(ErrorOf(Spec(FieldType::kInteger, "N"), std::string(4096, '7') + "x"),
            "field 'N': '" + std::string(60, '7') +
                "...' is not an integer; expected decimal digits with an optional sign, e.g. -42 "
                "[S-101]");
}

TEST(ValueTypesTest, FieldTypeNamesAreTheSchemaSpellings) {
  EXPECT_EQ(FieldTypeName(FieldType::kDateTime), "date-time");
  EXPECT_EQ(FieldTypeName(FieldType::kDebVersion), "debversion");
  EXPECT_EQ(FieldTypeName(FieldType::kString), "string");
}

}  // namespace
}  // namespace textdb
