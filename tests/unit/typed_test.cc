// Tests for the typed-record API (textdb/typed.h, textdb/field_codec.h), the query builder
// (textdb/query_builder.h) and the result iterators (Database::Select, ForEachMatch). Every
// conversion is checked both ways (a round trip, and hand-written text in each spelling the
// schema rule allows, [S-101..S-107]); every conversion error is checked to name the record, the
// field and the text; builder output is compared with the parsed text [Q-003..Q-006]; typed
// selects are shown to use the key (a broken other partition is never read).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "textdb/db.h"
#include "textdb/env.h"
#include "textdb/field_codec.h"
#include "textdb/query.h"
#include "textdb/query_builder.h"
#include "textdb/typed.h"

namespace typed_test {

enum class Colour { kRed, kGreen, kBlue, kUnnamed };

struct Contact {
  std::string name;
  std::optional<std::string> email;
  int age = 0;
  bool vip = false;
  std::chrono::year_month_day born{};
  Colour colour = Colour::kRed;
  std::vector<std::string> tags;
  double score = 0;
  std::optional<std::chrono::sys_seconds> seen;
  std::int8_t level = 0;

  bool operator==(const Contact&) const = default;
};

// Every integer width and a float, read from a table without types (so any text is stored).
struct Numbers {
  std::string name;
  std::int8_t i8 = 0;
  std::uint8_t u8 = 0;
  std::int16_t i16 = 0;
  std::uint16_t u16 = 0;
  std::int32_t i32 = 0;
  std::uint32_t u32 = 0;
  std::int64_t i64 = 0;
  std::uint64_t u64 = 0;
  float f = 0;

  bool operator==(const Numbers&) const = default;
};

}  // namespace typed_test

template <>
struct textdb::EnumNames<typed_test::Colour> {
  static constexpr std::pair<typed_test::Colour, std::string_view> kNames[] = {
      {typed_test::Colour::kRed, "red"},
      {typed_test::Colour::kGreen, "green"},
      {typed_test::Colour::kBlue, "blue"}};
};

TEXTDB_RECORD(typed_test::Contact, TEXTDB_FIELD(name, "Name"), TEXTDB_FIELD(email, "Email"),
              TEXTDB_FIELD(age, "Age"), TEXTDB_FIELD(vip, "VIP"), TEXTDB_FIELD(born, "Born"),
              TEXTDB_FIELD(colour, "Colour"), TEXTDB_FIELD(tags, "Tags"),
              TEXTDB_FIELD(score, "Score"), TEXTDB_FIELD(seen, "Seen"),
              TEXTDB_FIELD(level, "Level"));

// The specialisation written by hand, as the header allows.
template <>
struct textdb::RecordTraits<typed_test::Numbers> {
  using N = typed_test::Numbers;
  static constexpr auto kFields =
      std::make_tuple(MapField("Name", &N::name), MapField("I8", &N::i8), MapField("U8", &N::u8),
                      MapField("I16", &N::i16), MapField("U16", &N::u16), MapField("I32", &N::i32),
                      MapField("U32", &N::u32), MapField("I64", &N::i64), MapField("U64", &N::u64),
                      MapField("F", &N::f));
};

namespace textdb {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using typed_test::Colour;
using typed_test::Contact;
using typed_test::Numbers;
namespace chr = std::chrono;

constexpr char kContactsSchema[] =
    "Table: contacts\n"
    "Key: Name\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Name\n"
    "\n"
    "Field: Email\n"
    "\n"
    "Field: Age\n"
    "Type: integer\n"
    "\n"
    "Field: VIP\n"
    "Type: boolean\n"
    "\n"
    "Field: Born\n"
    "Type: date\n"
    "\n"
    "Field: Colour\n"
    "Type: enum\n"
    "Values: red, green, blue\n"
    "\n"
    "Field: Tags\n"
    "Type: list\n"
    "\n"
    "Field: Score\n"
    "Type: decimal\n"
    "\n"
    "Field: Seen\n"
    "Type: date-time\n"
    "\n"
    "Field: Level\n"
    "Type: integer\n"
    "Index: yes\n";

// Only a key: every other field is an undeclared string, so any text can be stored.
constexpr char kLooseSchema[] =
    "Table: loose\n"
    "Key: Name\n"
    "Partition-Depth: 1\n";

Contact Ada() {
  Contact c;
  c.name = "Ada";
  c.email = "ada@example.org";
  c.age = 36;
  c.vip = true;
  c.born = chr::year(1815) / chr::December / 10;
  c.colour = Colour::kGreen;
  c.tags = {"maths", "engines"};
  c.score = 0.1;
  c.seen = chr::sys_days(chr::year(2024) / chr::February / 29) + chr::hours(13) + chr::minutes(5) +
           chr::seconds(7);
  c.level = -7;
  return c;
}

Contact Zed() {
  Contact c;
  c.name = "Zed";
  c.age = 5;
  c.born = chr::year(2019) / chr::January / 1;
  c.score = -2.5;
  c.level = 3;
  return c;
}

class TypedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = NewMemEnv();
    ASSERT_TRUE(Database::Create("/db", env_.get()).ok());
    Reopen();
    ASSERT_TRUE(db_->CreateTable(kContactsSchema).ok());
    ASSERT_TRUE(db_->CreateTable(kLooseSchema).ok());
  }

  void Reopen() {
    db_.reset();
    Options options;
    options.env = env_.get();
    auto db = Database::Open("/db", options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  // Stores a record of the untyped table `loose` with these fields, as text.
  void PutLoose(std::vector<std::pair<std::string, std::string>> fields) {
    deb822::Stanza stanza;
    for (const auto& [name, value] : fields) ASSERT_TRUE(stanza.SetRaw(name, value).ok()) << name;
    Transaction txn = db_->Begin();
    txn.Put("loose", std::move(stanza));
    const Status committed = txn.Commit();
    ASSERT_TRUE(committed.ok()) << committed.ToString();
  }

  // "FILE:LINE: record Name='NAME'" of the stored record `name` of `loose`.
  std::string LoosePrefix(const std::string& name) {
    Result<Record> record = db_->Get("loose", {name});
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    if (!record.ok()) return "?";
    return record->file() + ":" + std::to_string(record->line()) + ": record Name='" + name + "'";
  }

  // Reads `name` from `loose` as T, expecting a conversion error of field `field` for `text`.
  template <typename T>
  std::string ExpectConversionError(const std::string& name, const std::string& field,
                                    const std::string& quoted_text, const std::string& type) {
    Result<T> read = Get<T>(*db_, "loose", {name});
    EXPECT_FALSE(read.ok());
    if (read.ok()) return "";
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidData);
    const std::string& message = read.status().message();
    EXPECT_THAT(message, StartsWith(LoosePrefix(name) + " field '" + field + "': cannot convert " +
                                    quoted_text + " to " + type + ": "));
    return message;
  }

  std::unique_ptr<Env> env_;
  std::unique_ptr<Database> db_;
};

// ---- codecs: hand-written text and round trips --------------------------------------------

template <typename T>
T MustParse(std::string_view text) {
  T value{};
  const Status parsed = FieldCodec<T>::Parse(text, &value);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.ToString();
  return value;
}

template <typename T>
std::string MustFormat(const T& value) {
  std::string text;
  const Status formatted = FieldCodec<T>::Format(value, &text);
  EXPECT_TRUE(formatted.ok()) << formatted.ToString();
  return text;
}

template <typename T>
void ExpectIntegerLimitsRoundTrip() {
  for (const T value : {std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), T{0}, T{1}}) {
    EXPECT_EQ(MustParse<T>(MustFormat(value)), value) << FieldCodec<T>::kTypeName;
  }
}

TEST(FieldCodecTest, S101_IntegersRoundTripAtTheirLimits) {
  ExpectIntegerLimitsRoundTrip<std::int8_t>();
  ExpectIntegerLimitsRoundTrip<std::uint8_t>();
  ExpectIntegerLimitsRoundTrip<std::int16_t>();
  ExpectIntegerLimitsRoundTrip<std::uint16_t>();
  ExpectIntegerLimitsRoundTrip<std::int32_t>();
  ExpectIntegerLimitsRoundTrip<std::uint32_t>();
  ExpectIntegerLimitsRoundTrip<std::int64_t>();
  ExpectIntegerLimitsRoundTrip<std::uint64_t>();
  ExpectIntegerLimitsRoundTrip<long long>();
  ExpectIntegerLimitsRoundTrip<unsigned long>();
  EXPECT_EQ(MustFormat<std::int64_t>(std::numeric_limits<std::int64_t>::min()),
            "-9223372036854775808");
  EXPECT_EQ(MustFormat<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()),
            "18446744073709551615");
  EXPECT_EQ(FieldCodec<std::int8_t>::kTypeName, "int8");
  EXPECT_EQ(FieldCodec<std::uint64_t>::kTypeName, "uint64");
}

TEST(FieldCodecTest, S101_IntegersAcceptSignsAndLeadingZeros) {
  EXPECT_EQ(MustParse<int>("007"), 7);
  EXPECT_EQ(MustParse<int>("+5"), 5);
  EXPECT_EQ(MustParse<int>("-0"), 0);
  EXPECT_EQ(MustParse<int>("-000042"), -42);
  EXPECT_EQ(MustParse<unsigned>("-0"), 0u);
  EXPECT_EQ(MustParse<unsigned>("+00"), 0u);
  EXPECT_EQ(MustParse<std::int8_t>("-128"), -128);
  EXPECT_EQ(MustParse<std::uint64_t>("0018446744073709551615"),
            std::numeric_limits<std::uint64_t>::max());
}

TEST(FieldCodecTest, S101_IntegerErrorsSayWhy) {
  std::int8_t small = 0;
  Status status = FieldCodec<std::int8_t>::Parse("128", &small);
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_EQ(status.message(), "out of range; the type holds -128 to 127");
  std::uint32_t u = 0;
  EXPECT_EQ(FieldCodec<std::uint32_t>::Parse("-1", &u).message(),
            "out of range; the type holds 0 to 4294967295");
  std::int64_t big = 0;
  EXPECT_THAT(FieldCodec<std::int64_t>::Parse("9223372036854775808", &big).message(),
              HasSubstr("out of range"));
  for (const char* bad : {"", " 1", "1 ", "1.0", "0x10", "1e3", "--1", "+", "12x"}) {
    int value = 0;
    const Status not_number = FieldCodec<int>::Parse(bad, &value);
    EXPECT_EQ(not_number.code(), StatusCode::kInvalidData) << bad;
    EXPECT_THAT(not_number.message(), StartsWith("not an integer; expected")) << bad;
    EXPECT_THAT(not_number.message(), HasSubstr("[S-101]")) << bad;
  }
}

TEST(FieldCodecTest, S102_FloatingPointRoundTripsExactly) {
  for (const double value :
       {0.1, -2.5, 1.0 / 3.0, 123456.789, 1e-300, 5e-324, std::numeric_limits<double>::max(),
        std::numeric_limits<double>::lowest(), 0.0, 1e22}) {
    const std::string text = MustFormat(value);
    EXPECT_EQ(text.find_first_of("eE"), std::string::npos) << text;  // no exponent [S-102]
    EXPECT_EQ(MustParse<double>(text), value) << text;
  }
  EXPECT_EQ(MustFormat(0.1), "0.1");
  EXPECT_EQ(MustFormat(-2.5), "-2.5");
  EXPECT_EQ(MustFormat(1e22), "10000000000000000000000");
  EXPECT_TRUE(std::signbit(MustParse<double>(MustFormat(-0.0))));
  for (const float value : {0.1f, -3.75f, std::numeric_limits<float>::max(), 1e-45f}) {
    EXPECT_EQ(MustParse<float>(MustFormat(value)), value);
  }
  EXPECT_EQ(MustFormat(0.1f), "0.1");
}

TEST(FieldCodecTest, S102_FloatingPointReadsHandWrittenDecimals) {
  EXPECT_EQ(MustParse<double>("007.50"), 7.5);
  EXPECT_EQ(MustParse<double>("+3"), 3.0);
  EXPECT_EQ(MustParse<double>("-0.25"), -0.25);
  EXPECT_EQ(MustParse<float>("2.5"), 2.5f);
}

TEST(FieldCodecTest, S102_FloatingPointErrors) {
  double value = 0;
  for (const char* bad : {"1e3", ".5", "5.", "nan", "inf", "1,5", "", "0x1p3"}) {
    const Status status = FieldCodec<double>::Parse(bad, &value);
    EXPECT_EQ(status.code(), StatusCode::kInvalidData) << bad;
    EXPECT_THAT(status.message(), StartsWith("not a decimal; expected")) << bad;
  }
  float small = 0;
  EXPECT_EQ(FieldCodec<float>::Parse("1" + std::string(40, '0'), &small).message(),
            "out of range; the magnitude exceeds what float holds");
  EXPECT_EQ(FieldCodec<double>::Parse("1" + std::string(400, '0'), &value).message(),
            "out of range; the magnitude exceeds what double holds");
  std::string text;
  EXPECT_EQ(FieldCodec<double>::Format(std::nan(""), &text).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldCodec<double>::Format(std::numeric_limits<double>::infinity(), &text).code(),
            StatusCode::kInvalidArgument);
}

TEST(FieldCodecTest, S103_BooleansReadEverySpellingAndWriteYesNo) {
  for (const char* yes : {"yes", "YES", "True", "true", "1"}) EXPECT_TRUE(MustParse<bool>(yes));
  for (const char* no : {"no", "No", "FALSE", "false", "0"}) EXPECT_FALSE(MustParse<bool>(no));
  EXPECT_EQ(MustFormat(true), "yes");
  EXPECT_EQ(MustFormat(false), "no");
  bool value = false;
  for (const char* bad : {"maybe", "y", "", "2", " yes"}) {
    const Status status = FieldCodec<bool>::Parse(bad, &value);
    EXPECT_EQ(status.code(), StatusCode::kInvalidData) << bad;
    EXPECT_THAT(status.message(), StartsWith("not a boolean; expected")) << bad;
  }
}

TEST(FieldCodecTest, S104_DatesRoundTripAndRejectUnrealDays) {
  for (const char* text : {"2024-02-29", "0000-01-01", "9999-12-31", "1815-12-10"}) {
    EXPECT_EQ(MustFormat(MustParse<chr::year_month_day>(text)), text);
  }
  EXPECT_EQ(MustParse<chr::year_month_day>("2024-02-29"), chr::year(2024) / chr::February / 29);
  chr::year_month_day date;
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-01-01Z", ""}) {
    const Status status = FieldCodec<chr::year_month_day>::Parse(bad, &date);
    EXPECT_EQ(status.code(), StatusCode::kInvalidData) << bad;
    EXPECT_THAT(status.message(), StartsWith("not a date; expected YYYY-MM-DD")) << bad;
  }
  std::string text;
  EXPECT_EQ(FieldCodec<chr::year_month_day>::Format(chr::year(2023) / 2 / 29, &text).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldCodec<chr::year_month_day>::Format(chr::year(10000) / 1 / 1, &text).code(),
            StatusCode::kInvalidArgument);
}

TEST(FieldCodecTest, S105_DateTimesRoundTripInUtcAndApplyOffsets) {
  const chr::sys_seconds noon =
      chr::sys_days(chr::year(2024) / chr::February / 29) + chr::hours(12) + chr::minutes(5);
  EXPECT_EQ(MustFormat(noon), "2024-02-29T12:05:00Z");
  EXPECT_EQ(MustParse<chr::sys_seconds>("2024-02-29T12:05:00Z"), noon);
  EXPECT_EQ(MustParse<chr::sys_seconds>("2024-02-29T13:05:00+01:00"), noon);
  EXPECT_EQ(MustParse<chr::sys_seconds>("2024-02-29T07:35:00-04:30"), noon);
  EXPECT_EQ(MustParse<chr::sys_seconds>("2024-02-29T12:05:00.000Z"), noon);
  const chr::sys_seconds first = chr::sys_days(chr::year(0) / 1 / 1);
  EXPECT_EQ(MustParse<chr::sys_seconds>(MustFormat(first)), first);
  chr::sys_seconds value;
  for (const char* bad : {"2024-02-29T12:05:00", "2024-02-29 12:05:00Z", "2024-02-29T24:00:00Z",
                          "2024-02-30T12:00:00Z", "2024-02-29t12:05:00z"}) {
    const Status status = FieldCodec<chr::sys_seconds>::Parse(bad, &value);
    EXPECT_EQ(status.code(), StatusCode::kInvalidData) << bad;
    EXPECT_THAT(status.message(), StartsWith("not a date-time; expected")) << bad;
  }
  EXPECT_EQ(FieldCodec<chr::sys_seconds>::Parse("2024-02-29T12:05:00.5Z", &value).message(),
            "has a fraction of a second, which std::chrono::sys_seconds cannot hold");
  std::string text;
  EXPECT_EQ(
      FieldCodec<chr::sys_seconds>::Format(chr::sys_days(chr::year(-1) / 12 / 31), &text).code(),
      StatusCode::kInvalidArgument);
}

TEST(FieldCodecTest, S106_EnumsByName) {
  EXPECT_EQ(MustParse<Colour>("green"), Colour::kGreen);
  EXPECT_EQ(MustFormat(Colour::kBlue), "blue");
  Colour colour = Colour::kRed;
  const Status status = FieldCodec<Colour>::Parse("Green", &colour);  // case-sensitive
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_EQ(status.message(), "not one of the names: red, green, blue [S-106]");
  std::string text;
  EXPECT_EQ(FieldCodec<Colour>::Format(Colour::kUnnamed, &text).code(),
            StatusCode::kInvalidArgument);
}

TEST(FieldCodecTest, S107_ListsSplitTrimAndJoin) {
  using List = std::vector<std::string>;
  EXPECT_EQ(MustParse<List>("a, b,c"), (List{"a", "b", "c"}));
  EXPECT_EQ(MustParse<List>(" x ,\ty\n, z"), (List{"x", "y", "z"}));
  EXPECT_EQ(MustParse<List>("a\n b, c"), (List{"a\n b", "c"}));  // trimmed at the ends only
  EXPECT_EQ(MustParse<List>(""), List{});
  EXPECT_EQ(MustFormat(List{"maths", "engines"}), "maths, engines");
  EXPECT_EQ(MustFormat(List{}), "");
  const List words{"one word", "two", "ünïcödé"};
  EXPECT_EQ(MustParse<List>(MustFormat(words)), words);
  List list;
  for (const char* bad : {"a,,b", "a,", ",a", " , "}) {
    const Status status = FieldCodec<List>::Parse(bad, &list);
    EXPECT_EQ(status.code(), StatusCode::kInvalidData) << bad;
    EXPECT_THAT(status.message(), StartsWith("has an empty element")) << bad;
  }
  std::string text;
  for (const List& bad : {List{"a,b"}, List{""}, List{" a"}, List{"a\t"}}) {
    EXPECT_EQ(FieldCodec<List>::Format(bad, &text).code(), StatusCode::kInvalidArgument);
  }
}

TEST(FieldCodecTest, S100_StringsAreTheRawValue) {
  EXPECT_EQ(MustParse<std::string>("two\n lines"), "two\n lines");
  EXPECT_EQ(MustFormat(std::string("x: y")), "x: y");
}

// ---- typed records through the database ---------------------------------------------------

TEST_F(TypedTest, PutThenGetRoundTripsEveryMemberAndWritesSchemaValidText) {
  // The contacts table declares every field's type, so Commit's schema check proves the text
  // written is what the schema rules accept.
  ASSERT_TRUE(Put(*db_, "contacts", Ada()).ok());
  ASSERT_TRUE(Put(*db_, "contacts", Zed()).ok());
  Result<Contact> ada = Get<Contact>(*db_, "contacts", {"Ada"});
  ASSERT_TRUE(ada.ok()) << ada.status().ToString();
  EXPECT_EQ(*ada, Ada());
  Result<Contact> zed = Get<Contact>(*db_, "contacts", {"Zed"});
  ASSERT_TRUE(zed.ok()) << zed.status().ToString();
  EXPECT_EQ(*zed, Zed());
  EXPECT_FALSE(zed->email.has_value());

  Result<Record> raw = db_->Get("contacts", {"Ada"});
  ASSERT_TRUE(raw.ok());
  std::string text;
  raw->stanza().WriteCanonical(&text);
  EXPECT_EQ(text,
            "Name: Ada\nEmail: ada@example.org\nAge: 36\nVIP: yes\nBorn: 1815-12-10\n"
            "Colour: green\nTags: maths, engines\nScore: 0.1\nSeen: 2024-02-29T13:05:07Z\n"
            "Level: -7\n");
  Result<Record> zed_raw = db_->Get("contacts", {"Zed"});
  ASSERT_TRUE(zed_raw.ok());
  EXPECT_FALSE(zed_raw->Get("Email").has_value());  // nullopt is left out
  EXPECT_FALSE(zed_raw->Get("Seen").has_value());
  EXPECT_EQ(zed_raw->Get("Tags"), "");  // the empty list [S-107]
}

TEST_F(TypedTest, PutInATransactionIsAllOrNothing) {
  Transaction txn = db_->Begin();
  ASSERT_TRUE(Put(txn, "contacts", Ada()).ok());
  Contact bad = Zed();
  bad.score = std::nan("");
  const Status rejected = Put(txn, "contacts", bad);
  EXPECT_EQ(rejected.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(rejected.message(), StartsWith("field 'Score': cannot write the double value: "));
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_TRUE(Get<Contact>(*db_, "contacts", {"Ada"}).ok());
  EXPECT_EQ(Get<Contact>(*db_, "contacts", {"Zed"}).status().code(), StatusCode::kNotFound);
}

TEST_F(TypedTest, WriteErrorsNameTheFieldAndStoreNothing) {
  struct Case {
    Contact contact;
    std::string message;
  };
  std::vector<Case> cases;
  Contact c = Zed();
  c.tags = {"a,b"};
  cases.push_back({c, "field 'Tags': cannot write the list value: the element 'a,b'"});
  c = Zed();
  c.colour = Colour::kUnnamed;
  cases.push_back({c, "field 'Colour': cannot write the enum value: the enum value 3 has no name"});
  c = Zed();
  c.born = chr::year(2023) / 2 / 29;
  cases.push_back({c, "field 'Born': cannot write the date value: not a real day"});
  c = Zed();
  c.email = std::string("\n");  // a value deb822 cannot hold [W-010..W-015]
  cases.push_back({c, "field 'Email': "});
  for (const Case& test : cases) {
    const Status status = Put(*db_, "contacts", test.contact);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_THAT(status.message(), StartsWith(test.message));
  }
  Result<ResultSet> all = db_->SelectAll("contacts");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_F(TypedTest, GetOfAnAbsentKeyIsNotFound) {
  EXPECT_EQ(Get<Contact>(*db_, "contacts", {"Nobody"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Get<Contact>(*db_, "no-such-table", {"Nobody"}).status().code(), StatusCode::kNotFound);
}

TEST_F(TypedTest, FieldNamesMatchIgnoringCaseAndUnmappedFieldsAreIgnored) {
  PutLoose({{"Name", "n"},
            {"i8", "-8"},
            {"U8", "8"},
            {"I16", "-16"},
            {"U16", "16"},
            {"i32", "-32"},
            {"U32", "32"},
            {"I64", "-64"},
            {"U64", "64"},
            {"f", "0.5"},
            {"Other", "ignored"}});
  Result<Numbers> read = Get<Numbers>(*db_, "loose", {"n"});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, (Numbers{"n", -8, 8, -16, 16, -32, 32, -64, 64, 0.5f}));
}

// Every conversion error names the record (file, line, key), the field and the text.
TEST_F(TypedTest, S101_IntegerOverflowNamesRecordFieldAndText) {
  PutLoose({{"Name", "big"}, {"I8", "300"}});
  const std::string message = ExpectConversionError<Numbers>("big", "I8", "'300'", "int8");
  EXPECT_THAT(message, HasSubstr("out of range; the type holds -128 to 127"));
  PutLoose({{"Name", "neg"}, {"I8", "1"}, {"U8", "-1"}});
  ExpectConversionError<Numbers>("neg", "U8", "'-1'", "uint8");
  PutLoose({{"Name", "u64"},
            {"I8", "1"},
            {"U8", "1"},
            {"I16", "1"},
            {"U16", "1"},
            {"I32", "1"},
            {"U32", "1"},
            {"I64", "1"},
            {"U64", "18446744073709551616"}});
  ExpectConversionError<Numbers>("u64", "U64", "'18446744073709551616'", "uint64");
}

TEST_F(TypedTest, S101_NotANumberNamesRecordFieldAndText) {
  PutLoose({{"Name", "x"}, {"Age", "12x"}});
  const std::string message = ExpectConversionError<Contact>("x", "Age", "'12x'", "int32");
  EXPECT_THAT(message, HasSubstr("not an integer; expected"));
  EXPECT_THAT(message, HasSubstr("[S-101]"));
}

TEST_F(TypedTest, S102_BadAndOverflowingDecimalsNameRecordFieldAndText) {
  PutLoose({{"Name", "d"},
            {"I8", "1"},
            {"U8", "1"},
            {"I16", "1"},
            {"U16", "1"},
            {"I32", "1"},
            {"U32", "1"},
            {"I64", "1"},
            {"U64", "1"},
            {"F", "1e5"}});
  ExpectConversionError<Numbers>("d", "F", "'1e5'", "float");
  PutLoose({{"Name", "f"},
            {"I8", "1"},
            {"U8", "1"},
            {"I16", "1"},
            {"U16", "1"},
            {"I32", "1"},
            {"U32", "1"},
            {"I64", "1"},
            {"U64", "1"},
            {"F", "1" + std::string(40, '0')}});
  const std::string message =
      ExpectConversionError<Numbers>("f", "F", "'1" + std::string(40, '0') + "'", "float");
  EXPECT_THAT(message, HasSubstr("out of range"));
}

// The fields before `field` in Contact's order, valid, so that `field` is the one that fails.
std::vector<std::pair<std::string, std::string>> ContactUpTo(
    const std::string& name, std::pair<std::string, std::string> last) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Name", name},    {"Age", "1"},  {"VIP", "no"},    {"Born", "2000-01-01"},
      {"Colour", "red"}, {"Tags", "a"}, {"Score", "1.5"}, {"Level", "1"}};
  for (auto& field : fields) {
    if (field.first == last.first) field.second = last.second;
  }
  return fields;
}

TEST_F(TypedTest, S103_BadBooleanNamesRecordFieldAndText) {
  PutLoose(ContactUpTo("b", {"VIP", "maybe"}));
  const std::string message = ExpectConversionError<Contact>("b", "VIP", "'maybe'", "bool");
  EXPECT_THAT(message, HasSubstr("not a boolean; expected yes, no, true, false, 1 or 0 [S-103]"));
}

TEST_F(TypedTest, S104_BadDateNamesRecordFieldAndText) {
  PutLoose(ContactUpTo("d", {"Born", "2023-02-29"}));
  const std::string message = ExpectConversionError<Contact>("d", "Born", "'2023-02-29'", "date");
  EXPECT_THAT(message, HasSubstr("not a date; expected YYYY-MM-DD"));
}

TEST_F(TypedTest, S105_BadDateTimeNamesRecordFieldAndText) {
  auto fields = ContactUpTo("t", {"", ""});
  fields.emplace_back("Seen", "2024-02-29T12:00:00");
  PutLoose(fields);
  const std::string message =
      ExpectConversionError<Contact>("t", "Seen", "'2024-02-29T12:00:00'", "date-time");
  EXPECT_THAT(message, HasSubstr("not a date-time; expected"));
  fields.back().second = "2024-02-29T12:00:00.25Z";
  PutLoose(fields);
  EXPECT_THAT(ExpectConversionError<Contact>("t", "Seen", "'2024-02-29T12:00:00.25Z'", "date-time"),
              HasSubstr("fraction of a second"));
}

TEST_F(TypedTest, S106_UnknownEnumNameNamesRecordFieldAndText) {
  PutLoose(ContactUpTo("e", {"Colour", "purple"}));
  const std::string message = ExpectConversionError<Contact>("e", "Colour", "'purple'", "enum");
  EXPECT_THAT(message, HasSubstr("not one of the names: red, green, blue [S-106]"));
}

TEST_F(TypedTest, S107_BadListNamesRecordFieldAndText) {
  PutLoose(ContactUpTo("l", {"Tags", "a,,b"}));
  const std::string message = ExpectConversionError<Contact>("l", "Tags", "'a,,b'", "list");
  EXPECT_THAT(message, HasSubstr("has an empty element"));
}

TEST_F(TypedTest, MissingMandatoryFieldNamesRecordAndField) {
  auto fields = ContactUpTo("m", {"", ""});
  std::erase_if(fields, [](const auto& field) { return field.first == "Born"; });
  PutLoose(fields);
  Result<Contact> read = Get<Contact>(*db_, "loose", {"m"});
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidData);
  EXPECT_EQ(read.status().message(),
            LoosePrefix("m") + " field 'Born': missing (the member is not a std::optional)");
}

TEST_F(TypedTest, ConversionTextIsQuotedEscapedAndShortened) {
  PutLoose(ContactUpTo("q", {"Age", "it's\n " + std::string(80, '9') + "x"}));
  const std::string message = ExpectConversionError<Contact>(
      "q", "Age", "'it\\'s\\n " + std::string(54, '9') + "...'", "int32");
  EXPECT_FALSE(message.empty());
}

// A Record's fields keep their stored order and are found ignoring ASCII case [F-024].
TEST_F(TypedTest, F024_RecordFieldsAreOrderedAndFoundIgnoringCase) {
  PutLoose({{"Name", "r"}, {"Zeta", "1"}, {"alpha", "2"}, {"Mid-Dle", "3"}});
  Result<ResultSet> found = db_->Select("loose", "name = 'r'");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 1u);
  const Record& record = found->records()[0];
  std::vector<std::string> names;
  for (const deb822::Field& field : record.stanza().fields()) names.emplace_back(field.name());
  EXPECT_THAT(names, ElementsAre("Name", "Zeta", "alpha", "Mid-Dle"));
  EXPECT_EQ(record.Get("ZETA"), "1");
  EXPECT_EQ(record.Get("Alpha"), "2");
  EXPECT_EQ(record.Get("mid-dle"), "3");
  EXPECT_EQ(record.Get("Mid_Dle"), std::nullopt);
}

// ---- result sets and typed selects --------------------------------------------------------

TEST_F(TypedTest, SelectOverAnEmptyTableYieldsNothing) {
  Result<ResultSet> none = db_->Select("contacts", "Age > 0");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  int visited = 0;
  for (const Record& record : *none) {
    (void)record;
    ++visited;
  }
  EXPECT_EQ(visited, 0);
  Result<std::vector<Contact>> typed = Select<Contact>(*db_, "contacts", "Age > 0");
  ASSERT_TRUE(typed.ok());
  EXPECT_TRUE(typed->empty());
  Result<ResultSet> all = db_->SelectAll("contacts");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 0u);
}

TEST_F(TypedTest, SelectYieldsMatchesInKeyOrderAsASnapshot) {
  for (const char* name : {"Mia", "Ada", "Zed", "Bob"}) {
    Contact c = Zed();
    c.name = name;
    c.age = static_cast<int>(std::string_view(name).front());
    ASSERT_TRUE(Put(*db_, "contacts", c).ok());
  }
  Result<ResultSet> found = db_->Select("contacts", "Age >= 66");  // 'B'
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  std::vector<std::string> names;
  for (const Record& record : *found) names.emplace_back(*record.Get("name"));
  EXPECT_THAT(names, ElementsAre("Bob", "Mia", "Zed"));
  // Later commits do not change a ResultSet taken before them.
  Transaction txn = db_->Begin();
  txn.Delete("contacts", {"Mia"});
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(found->size(), 3u);
  EXPECT_EQ(found->records()[1].Get("Name"), "Mia");

  Result<std::vector<Contact>> typed = Select<Contact>(*db_, "contacts", "Age < 90");
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  ASSERT_EQ(typed->size(), 2u);
  EXPECT_EQ((*typed)[0].name, "Ada");
  EXPECT_EQ((*typed)[1].name, "Bob");
}

TEST_F(TypedTest, ForEachMatchStopsWhenTheVisitorSaysSo) {
  for (const char* name : {"A1", "A2", "A3", "B1"}) {
    Contact c = Zed();
    c.name = name;
    ASSERT_TRUE(Put(*db_, "contacts", c).ok());
  }
  Result<Expression> every = Expression::Parse("Age = 5");
  ASSERT_TRUE(every.ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(db_->ForEachMatch("contacts", *every,
                                [&](const Record& record) {
                                  seen.emplace_back(*record.Get("Name"));
                                  return seen.size() < 2;
                                })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("A1", "A2"));
  // A range-for over a ResultSet may break early too.
  Result<ResultSet> all = db_->Select("contacts", *every);
  ASSERT_TRUE(all.ok());
  int visited = 0;
  for (const Record& record : *all) {
    ++visited;
    if (record.Get("Name") == "A2") break;
  }
  EXPECT_EQ(visited, 2);
}

TEST_F(TypedTest, SelectRejectsMalformedAndInvalidExpressions) {
  Result<ResultSet> malformed = db_->Select("contacts", "Age > && 1");
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(malformed.status().message(), StartsWith("1:"));
  Result<std::vector<Contact>> invalid = Select<Contact>(*db_, "contacts", "Age > 'ten'");
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Select("nope", "Age > 1").status().code(), StatusCode::kNotFound);
}

// a typed select whose expression fixes the key reads only the key's partition. The
// partition of "Zed" is broken by hand: a full scan fails on it, the key lookup never reads it.
TEST_F(TypedTest, Q071_TypedSelectByKeyDoesNotScan) {
  ASSERT_TRUE(Put(*db_, "contacts", Ada()).ok());
  ASSERT_TRUE(Put(*db_, "contacts", Zed()).ok());
  Result<Record> zed = db_->Get("contacts", {"Zed"});
  ASSERT_TRUE(zed.ok());
  Result<Record> ada = db_->Get("contacts", {"Ada"});
  ASSERT_TRUE(ada.ok());
  ASSERT_NE(zed->file(), ada->file());
  {
    auto file = env_->NewWritableFile("/db/" + zed->file(), /*exclusive=*/false);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append("Name: Zed\nName: twice\n").ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  Reopen();
  Result<std::vector<Contact>> by_key =
      Select<Contact>(*db_, "contacts", "Name = 'Ada' && Age > 1");
  ASSERT_TRUE(by_key.ok()) << by_key.status().ToString();
  ASSERT_EQ(by_key->size(), 1u);
  EXPECT_EQ((*by_key)[0], Ada());
  EXPECT_EQ(db_->Stats().partitions, 1u);
  Result<Expression> built = (q::Field("Name") == "Ada").Build();
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(ChooseAccess(*built, *db_->GetSchema("contacts")).kind, AccessPlan::Kind::kKeyLookup);
  EXPECT_TRUE(Select<Contact>(*db_, "contacts", *built).ok());
  // The same query without the key scans, and so meets the broken partition.
  Result<std::vector<Contact>> scanned = Select<Contact>(*db_, "contacts", "Age > 1");
  EXPECT_EQ(scanned.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(scanned.status().message(), HasSubstr(zed->file()));
}

TEST_F(TypedTest, TypedSelectStopsAtTheFirstRecordThatDoesNotConvert) {
  PutLoose(ContactUpTo("a", {"", ""}));
  PutLoose(ContactUpTo("b", {"Age", "old"}));
  Result<std::vector<Contact>> read = Select<Contact>(*db_, "loose", "Name ~ '.'");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(),
              StartsWith(LoosePrefix("b") + " field 'Age': cannot convert 'old' to int32: "));
}

// ---- the query builder --------------------------------------------------------------------

// The stanzas the builder tests evaluate expressions on.
std::vector<deb822::Stanza> Samples() {
  std::vector<std::vector<std::pair<std::string, std::string>>> rows = {
      {{"Package", "a"}, {"Installed-Size", "900"}, {"Section", "net"}},
      {{"Package", "b"}, {"Installed-Size", "1001"}, {"Section", "net"}},
      {{"Package", "c"}, {"Installed-Size", "5000"}, {"Section", "web"}},
      {{"Package", "d"}, {"Section", "net"}, {"2nd`x", "yes"}},
      {{"Package", "e"}, {"Installed-Size", "-3"}, {"Note", "it's \"quoted\" \\ here\n\tnext"}}};
  std::vector<deb822::Stanza> out;
  for (const auto& row : rows) {
    deb822::Stanza stanza;
    for (const auto& [name, value] : row) EXPECT_TRUE(stanza.SetRaw(name, value).ok()) << value;
    out.push_back(stanza);
  }
  return out;
}

// `built` has the text `text` and matches exactly the samples the parsed `text` matches.
void ExpectSameAsParsed(const q::Condition& built, const std::string& text) {
  EXPECT_EQ(built.text(), text);
  Result<Expression> from_builder = built.Build();
  ASSERT_TRUE(from_builder.ok()) << from_builder.status().ToString();
  Result<Expression> parsed = Expression::Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  for (const deb822::Stanza& sample : Samples()) {
    EXPECT_EQ(from_builder->Matches(sample, nullptr), parsed->Matches(sample, nullptr))
        << text << " on " << *sample.Get("Package");
  }
}

TEST(QueryBuilderTest, Q010_ComparisonsAndConnectivesMatchTheParsedText) {
  using q::Field;
  ExpectSameAsParsed(Field("Installed-Size") > 1000 && Field("Section") == "net",
                     "Installed-Size > 1000 && Section = 'net'");
  ExpectSameAsParsed(Field("Section") != "net" || Field("Installed-Size") <= 900,
                     "Section != 'net' || Installed-Size <= 900");
  ExpectSameAsParsed(
      (Field("Package") == "a" || Field("Package") == "c") && Field("Installed-Size") >= 900,
      "(Package = 'a' || Package = 'c') && Installed-Size >= 900");
  ExpectSameAsParsed(!(Field("Section") == "net" && Field("Installed-Size") < 1000),
                     "!(Section = 'net' && Installed-Size < 1000)");
  ExpectSameAsParsed(!(Field("Section") == "net"), "!Section = 'net'");
  ExpectSameAsParsed(Field("Package").Matches("^[ab]$"), "Package ~ '^[ab]$'");
  ExpectSameAsParsed(q::Exists(Field("Installed-Size")) && !q::Has(Field("Note")),
                     "Installed-Size && !Note");
  ExpectSameAsParsed(Field("Installed-Size") > -5, "Installed-Size > -5");
  ExpectSameAsParsed(Field("Installed-Size") < 1000.5, "Installed-Size < 1000.5");
  ExpectSameAsParsed(Field("Installed-Size") > Field("Package"), "Installed-Size > Package");
  // Numbers compare numerically even with undeclared fields: 1001 > 900 but '1001' < '900'.
  Result<Expression> numeric = (Field("Installed-Size") > 950).Build();
  ASSERT_TRUE(numeric.ok());
  EXPECT_TRUE(numeric->Matches(Samples()[1], nullptr));
}

TEST(QueryBuilderTest, Q005_LiteralsWithQuotesAndBackslashesRoundTrip) {
  const std::string note = "it's \"quoted\" \\ here\n\tnext";
  const q::Condition condition = q::Field("Note") == note;
  EXPECT_EQ(condition.text(), "Note = 'it\\'s \"quoted\" \\\\ here\\n\\tnext'");
  Result<Expression> built = condition.Build();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_EQ(built->Conjuncts().size(), 1u);
  EXPECT_EQ(built->Conjuncts()[0].value, note);
  EXPECT_TRUE(built->Matches(Samples()[4], nullptr));
  EXPECT_FALSE(built->Matches(Samples()[0], nullptr));
  // A regular expression keeps its backslashes.
  Result<Expression> regex = q::Field("Note").Matches("\\\\ here\\n").Build();
  ASSERT_TRUE(regex.ok()) << regex.status().ToString();
  EXPECT_TRUE(regex->Matches(Samples()[4], nullptr));
}

TEST(QueryBuilderTest, Q004_NamesThatAreNotBareAreBackquoted) {
  EXPECT_EQ(q::Field("Installed-Size").Text(), "Installed-Size");
  EXPECT_EQ(q::Field("_x9").Text(), "_x9");
  EXPECT_EQ(q::Field("2nd`x").Text(), "`2nd``x`");
  EXPECT_EQ(q::Field("a-").Text(), "`a-`");
  EXPECT_EQ(q::Field("X.Y").Text(), "`X.Y`");
  EXPECT_EQ(q::Field("and").Text(), "`and`");
  ExpectSameAsParsed(q::Field("2nd`x") == true, "`2nd``x` = 'yes'");
}

TEST(QueryBuilderTest, Q006_ValuesOfEveryKindAreWrittenAsTheirText) {
  using q::Field;
  EXPECT_EQ((Field("N") == std::numeric_limits<std::int64_t>::min()).text(),
            "N = -9223372036854775808");
  EXPECT_EQ((Field("N") == std::numeric_limits<std::uint64_t>::max()).text(),
            "N = 18446744073709551615");
  EXPECT_EQ((Field("D") == 0.1).text(), "D = 0.1");
  EXPECT_EQ((Field("D") == 0.1f).text(), "D = 0.1");  // float's own shortest text
  EXPECT_EQ((Field("D") < -2.5).text(), "D < -2.5");
  EXPECT_EQ((Field("B") == false).text(), "B = 'no'");
  EXPECT_EQ((Field("Day") == chr::year_month_day(chr::year(2024) / 2 / 29)).text(),
            "Day = '2024-02-29'");
  EXPECT_EQ((Field("At") == chr::sys_seconds(chr::sys_days(chr::year(2024) / 2 / 29))).text(),
            "At = '2024-02-29T00:00:00Z'");
  EXPECT_EQ((Field("S") == std::string("x")).text(), "S = 'x'");
  EXPECT_EQ((Field("S") == std::string_view("y")).text(), "S = 'y'");
  for (const q::Condition& bad :
       {Field("D") == std::nan(""), Field("F") == std::numeric_limits<float>::infinity(),
        Field("Day") == chr::year_month_day(chr::year(2023) / 2 / 29)}) {
    Result<Expression> built = (Field("ok") == 1 && bad).Build();
    EXPECT_EQ(built.status().code(), StatusCode::kInvalidArgument) << bad.text();
    EXPECT_THAT(built.status().message(), HasSubstr("has no expression text"));
  }
  EXPECT_EQ(Field("P").Matches("(").Build().status().code(), StatusCode::kInvalidArgument);
}

TEST(QueryBuilderTest, Q013_LongChainsDoNotNest) {
  q::Condition chain = q::Field("Package") == "x0";
  for (int i = 1; i < 400; ++i) chain = chain || q::Field("Package") == "x" + std::to_string(i);
  q::Condition conjunction = q::Field("Section") == "net";
  for (int i = 0; i < 400; ++i) conjunction = conjunction && q::Field("Package") != "y";
  Result<Expression> built = (chain && conjunction).Build();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
}

}  // namespace
}  // namespace textdb
