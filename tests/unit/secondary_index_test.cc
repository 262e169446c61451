// Tests for the engine's secondary indexes (Database::Lookup) and key-range scans
// (Database::ScanRange, and the key order of Database::Scan): format-spec/storage.md
// [I-001..I-013]. Lookups by every value type, list elements, invalid values, hand edits and
// commits seen through change detection, many partitions at depths 1 and 2; range scans with
// unbounded sides, partial and composite keys, integer keys spread over partitions, empty ranges,
// early stops, and partition pruning proven by counting the files read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fault_env.h"
#include "textdb/db.h"

namespace textdb {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// An Env that records the path of every file read (ReadFile and ReadFileRange), and can run a
// hook before each ReadFileRange (to edit a file while the engine reads it).
class CountingEnv : public testing::FaultEnv {
 public:
  using FaultEnv::FaultEnv;
  std::function<void(const std::string& path)> before_range_read;
  Result<std::string> ReadFile(const std::string& path) override {
    Record(path);
    return FaultEnv::ReadFile(path);
  }
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    Record(path);
    if (before_range_read) before_range_read(path);
    return FaultEnv::ReadFileRange(path, offset, length);
  }
  // The data files read since the last call (schema files and the marker excluded).
  std::set<std::string> TakeDataReads() {
    std::lock_guard<std::mutex> guard(mu_);
    std::set<std::string> out;
    for (const std::string& path : reads_) {
      if (path.ends_with(".deb822") && !path.ends_with("/schema.deb822")) out.insert(path);
    }
    reads_.clear();
    return out;
  }

 private:
  void Record(const std::string& path) {
    std::lock_guard<std::mutex> guard(mu_);
    reads_.push_back(path);
  }
  std::mutex mu_;
  std::vector<std::string> reads_;
};

deb822::Stanza Make(std::initializer_list<std::pair<std::string, std::string>> fields) {
  deb822::Stanza stanza;
  for (const auto& [name, value] : fields) EXPECT_TRUE(stanza.SetRaw(name, value).ok()) << name;
  return stanza;
}

constexpr char kThingsSchema[] =
    "Table: things\n"
    "Key: Name\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Name\n"
    "\n"
    "Field: Count\n"
    "Type: integer\n"
    "Index: yes\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n"
    "Index: yes\n"
    "\n"
    "Field: Tags\n"
    "Type: list\n"
    "Index: yes\n"
    "\n"
    "Field: Color\n"
    "Index: yes\n"
    "\n"
    "Field: Serial\n"
    "Unique: yes\n"
    "\n"
    "Field: Flag\n"
    "Type: boolean\n"
    "Index: yes\n"
    "\n"
    "Field: When\n"
    "Type: date-time\n"
    "Index: yes\n"
    "\n"
    "Field: Price\n"
    "Type: decimal\n"
    "Index: yes\n"
    "\n"
    "Field: Day\n"
    "Type: date\n"
    "Index: yes\n"
    "\n"
    "Field: Kind\n"
    "Type: enum\n"
    "Values: small, large\n"
    "Index: yes\n"
    "\n"
    "Field: Notes\n";

// A database in memory, behind an Env that counts reads.
class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    mem_ = NewMemEnv();
    env_ = std::make_unique<CountingEnv>(mem_.get());
    ASSERT_TRUE(Database::Create("/db", env_.get()).ok());
    Reopen();
  }

  void Reopen(Options options = {}) {
    db_.reset();
    options.env = env_.get();
    auto db = Database::Open("/db", options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    env_->TakeDataReads();
  }

  void Put(const std::string& table, std::vector<deb822::Stanza> records) {
    Transaction txn = db_->Begin();
    for (deb822::Stanza& record : records) txn.Put(table, std::move(record));
    Status status = txn.Commit();
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Writes `text` to the file `rel` of the database as a text editor would.
  void HandWrite(const std::string& rel, const std::string& text) {
    auto file = mem_->NewWritableFile("/db/" + rel, /*exclusive=*/false);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(text).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string HandRead(const std::string& rel) {
    Result<std::string> text = mem_->ReadFile("/db/" + rel);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : "";
  }

  // The value of `key_field` of every record Lookup visits; the status goes to *status.
  std::vector<std::string> LookupKeys(const std::string& table, const std::string& field,
                                      const std::string& value, Status* status = nullptr,
                                      const std::string& key_field = "Name") {
    std::vector<std::string> out;
    Status s = db_->Lookup(table, field, value, [&](const Record& r) {
      out.emplace_back(r.Get(key_field).value_or("<missing>"));
      return true;
    });
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return out;
  }

  // Each visited record's key fields joined by ' ', in visit order.
  std::vector<std::string> Range(const std::string& table, const std::vector<std::string>& begin,
                                 const std::vector<std::string>& end,
                                 const std::vector<std::string>& key_fields,
                                 Status* status = nullptr) {
    std::vector<std::string> out;
    Status s = db_->ScanRange(table, begin, end, [&](const Record& r) {
      std::string key;
      for (const std::string& f : key_fields) {
        key += (key.empty() ? "" : " ") + std::string(r.Get(f).value_or("<missing>"));
      }
      out.push_back(key);
      return true;
    });
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return out;
  }

  std::unique_ptr<Env> mem_;
  std::unique_ptr<CountingEnv> env_;
  std::unique_ptr<Database> db_;
};

class SecondaryIndexTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    ASSERT_TRUE(db_->CreateTable(kThingsSchema).ok());
  }
};

// [I-004] Values compare by type, as canonical values.
TEST_F(SecondaryIndexTest, I004_LookupsCompareValuesByType) {
  Put("things", {
                    Make({{"Name", "a1"},
                          {"Count", "1"},
                          {"Version", "1.0"},
                          {"Color", "red"},
                          {"Flag", "yes"},
                          {"When", "2024-01-01T10:00:00+01:00"},
                          {"Price", "1.50"},
                          {"Day", "2024-02-29"},
                          {"Kind", "small"}}),
                    Make({{"Name", "b1"},
                          {"Count", "01"},
                          {"Version", "1.0-0"},
                          {"Color", "Red"},
                          {"Flag", "TRUE"},
                          {"When", "2024-01-01T09:00:00Z"},
                          {"Price", "1.5"},
                          {"Kind", "large"}}),
                    Make({{"Name", "c1"},
                          {"Count", "+1"},
                          {"Version", "0:1.0"},
                          {"Color", "RED"},
                          {"Flag", "0"},
                          {"When", "2024-01-01T09:00:00.000Z"},
                          {"Price", "1.500"}}),
                    Make({{"Name", "a2"},
                          {"Count", "10"},
                          {"Version", "1.0.0"},
                          {"Color", "red"},
                          {"Flag", "no"},
                          {"When", "2024-01-01T09:00:00.5Z"},
                          {"Price", "-1.5"},
                          {"Day", "2024-03-01"}}),
                });
  EXPECT_THAT(LookupKeys("things", "Count", "001"), ElementsAre("a1", "b1", "c1"));
  EXPECT_THAT(LookupKeys("things", "count", "10"), ElementsAre("a2"));  // names ignore case
  EXPECT_THAT(LookupKeys("things", "Count", "-0"), ElementsAre());
  EXPECT_THAT(LookupKeys("things", "Version", "1.0"), ElementsAre("a1", "b1", "c1"));
  EXPECT_THAT(LookupKeys("things", "Version", "1.0.0"), ElementsAre("a2"));
  // Strings match bytes, case included.
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("a1", "a2"));
  EXPECT_THAT(LookupKeys("things", "Color", "Red"), ElementsAre("b1"));
  EXPECT_THAT(LookupKeys("things", "Flag", "true"), ElementsAre("a1", "b1"));
  EXPECT_THAT(LookupKeys("things", "Flag", "No"), ElementsAre("a2", "c1"));
  EXPECT_THAT(LookupKeys("things", "When", "2024-01-01T11:00:00+02:00"),
              ElementsAre("a1", "b1", "c1"));
  EXPECT_THAT(LookupKeys("things", "Price", "1.5000"), ElementsAre("a1", "b1", "c1"));
  EXPECT_THAT(LookupKeys("things", "Price", "-1.50"), ElementsAre("a2"));
  EXPECT_THAT(LookupKeys("things", "Day", "2024-02-29"), ElementsAre("a1"));
  EXPECT_THAT(LookupKeys("things", "Kind", "large"), ElementsAre("b1"));
  // A Unique field has an index too.
  Put("things", {Make({{"Name", "d1"}, {"Serial", "S-1"}})});
  EXPECT_THAT(LookupKeys("things", "Serial", "S-1"), ElementsAre("d1"));
}

// [I-003] A list field indexes each element; a lookup gives one element.
TEST_F(SecondaryIndexTest, I003_ListFieldsIndexEveryElement) {
  Put("things",
      {Make({{"Name", "one"}, {"Tags", "web, db"}}), Make({{"Name", "two"}, {"Tags", "db"}}),
       Make({{"Name", "three"}, {"Tags", "cli,web ,\n web"}}),
       Make({{"Name", "four"}, {"Tags", ""}}), Make({{"Name", "five"}, {"Tags", "Web"}})});
  // "three" names web twice and is visited once.
  EXPECT_THAT(LookupKeys("things", "Tags", "web"), ElementsAre("one", "three"));
  EXPECT_THAT(LookupKeys("things", "Tags", " db "), ElementsAre("one", "two"));
  EXPECT_THAT(LookupKeys("things", "Tags", "cli"), ElementsAre("three"));
  EXPECT_THAT(LookupKeys("things", "Tags", "Web"), ElementsAre("five"));
  Status status;
  LookupKeys("things", "Tags", "web, db", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("expected exactly one"));
  LookupKeys("things", "Tags", "", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

TEST_F(SecondaryIndexTest, FieldsWithoutAnIndexAndBadValuesAreErrors) {
  Put("things", {Make({{"Name", "a"}, {"Count", "1"}, {"Notes", "x"}})});
  Status status;
  LookupKeys("things", "Notes", "x", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("'Notes' has no secondary index; add 'Index: yes'"));
  EXPECT_THAT(status.message(), HasSubstr("things/schema.deb822"));
  LookupKeys("things", "Undeclared", "x", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("declares no field 'Undeclared'"));
  LookupKeys("things", "Count", "1x", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("is not an integer"));
  LookupKeys("things", "Kind", "medium", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  LookupKeys("nothing", "Count", "1", &status);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  // The key field has no secondary index unless declared with one.
  LookupKeys("things", "Name", "a", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

// [I-003] A value that is not valid for its type is not indexed; scans still see the record
// and Check reports it.
TEST_F(SecondaryIndexTest, I003_InvalidValuesAreNotIndexed) {
  Put("things", {Make({{"Name", "ant"}, {"Count", "12"}})});
  HandWrite("things/a.deb822",
            "Name: ant\nCount: 12\n\nName: apple\nCount: 12x\n\nName: axe\nCount: 012\n");
  EXPECT_THAT(LookupKeys("things", "Count", "12"), ElementsAre("ant", "axe"));
  std::vector<std::string> all;
  ASSERT_TRUE(db_->Scan("things", "",
                        [&](const Record& r) {
                          all.emplace_back(*r.Get("Name"));
                          return true;
                        })
                  .ok());
  EXPECT_THAT(all, ElementsAre("ant", "apple", "axe"));
  std::vector<std::string> problems;
  EXPECT_EQ(db_->Check(&problems).code(), StatusCode::kInvalidData);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("things/a.deb822:4:1: error:"));
  EXPECT_THAT(problems[0], HasSubstr("'12x' is not an integer"));
}

// [I-001] Change detection refreshes the secondary index after a hand edit, a new file and a
// removed file.
TEST_F(SecondaryIndexTest, I001_HandEditsRefreshTheIndex) {
  Put("things",
      {Make({{"Name", "ant"}, {"Color", "red"}}), Make({{"Name", "bee"}, {"Color", "red"}})});
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("ant", "bee"));
  const std::string a = HandRead("things/a.deb822");
  ASSERT_EQ(a, "Name: ant\nColor: red\n");
  HandWrite("things/a.deb822", "Name: ant\nColor: blue\n\nName: asp\nColor: red\n");
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("asp", "bee"));
  EXPECT_THAT(LookupKeys("things", "Color", "blue"), ElementsAre("ant"));
  // A partition file created by hand is found, one removed by hand is forgotten.
  HandWrite("things/c.deb822", "Name: cat\nColor: red\n");
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("asp", "bee", "cat"));
  ASSERT_TRUE(mem_->RemoveFile("/db/things/b.deb822").ok());
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("asp", "cat"));
  EXPECT_EQ(db_->Stats().partitions, 2u);
  // A hand edit that breaks a file fails the lookup with the file and line.
  HandWrite("things/c.deb822", "Name: cat\nColor red\n");
  Status status;
  LookupKeys("things", "Color", "red", &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_THAT(status.message(), HasSubstr("things/c.deb822:2:1: error:"));
}

// The same on the POSIX Env, where a file rewritten within the same clock tick is caught by its
// checksum (the racy window of change detection).
TEST(SecondaryIndexPosixTest, I001_HandEditsOnDiskRefreshTheIndex) {
  char tmpl[] = "/tmp/textdb-sidx-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/db";
  ASSERT_TRUE(Database::Create(dir).ok());
  auto db = Database::Open(dir, {});
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->CreateTable(kThingsSchema).ok());
  Transaction txn = (*db)->Begin();
  txn.Put("things", Make({{"Name", "ant"}, {"Count", "1"}}));
  ASSERT_TRUE(txn.Commit().ok());
  const auto lookup = [&](const char* value) {
    std::vector<std::string> out;
    EXPECT_TRUE((*db)
                    ->Lookup("things", "Count", value,
                             [&](const Record& r) {
                               out.emplace_back(*r.Get("Name"));
                               return true;
                             })
                    .ok());
    return out;
  };
  EXPECT_THAT(lookup("1"), ElementsAre("ant"));
  for (int round = 2; round <= 4; ++round) {
    // Same size, possibly the same mtime: only the content tells.
    std::ofstream(dir + "/things/a.deb822", std::ios::trunc)
        << "Name: ant\nCount: " << round << "\n";
    EXPECT_THAT(lookup(std::to_string(round).c_str()), ElementsAre("ant")) << round;
    EXPECT_THAT(lookup(std::to_string(round - 1).c_str()), ElementsAre()) << round;
  }
  db->reset();
  fs::remove_all(tmpl);
}

// [I-001] Commits through Transaction are seen by the next lookup.
TEST_F(SecondaryIndexTest, I001_CommitsRefreshTheIndex) {
  Put("things", {Make({{"Name", "ant"}, {"Color", "red"}, {"Tags", "x, y"}}),
                 Make({{"Name", "bee"}, {"Color", "red"}, {"Tags", "y"}})});
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("ant", "bee"));
  Transaction txn = db_->Begin();
  txn.Update("things", {"ant"}, {{"Color", "green"}, {"Tags", std::nullopt}});
  txn.Insert("things", Make({{"Name", "cow"}, {"Color", "red"}, {"Tags", "y, z"}}));
  txn.Delete("things", {"bee"});
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("cow"));
  EXPECT_THAT(LookupKeys("things", "Color", "green"), ElementsAre("ant"));
  EXPECT_THAT(LookupKeys("things", "Tags", "y"), ElementsAre("cow"));
  EXPECT_THAT(LookupKeys("things", "Tags", "x"), ElementsAre());
  EXPECT_EQ(db_->Stats().partitions, 2u);  // a/ and c/; b.deb822 was removed
}

// [I-002] Values written over several lines, with the fast indexer (a contiguous value) and the
// slow one (comment lines inside the value send the file through the full parser): both index
// the raw value [F-030].
TEST_F(SecondaryIndexTest, I002_MultiLineValuesOnBothIndexingPaths) {
  HandWrite("things/a.deb822", "Name: ant\nColor: dark\n red\n");
  HandWrite("things/b.deb822", "Name: bee\nColor: dark\n# a comment inside the value\n red\n");
  EXPECT_THAT(LookupKeys("things", "Color", "dark\n red"), ElementsAre("ant", "bee"));
  EXPECT_THAT(LookupKeys("things", "Color", "dark"), ElementsAre());
  // Comments between fields keep the fast path; the result is the same either way.
  HandWrite("things/c.deb822", "# header\nName: cow\n# note\nColor: dark\n red\n");
  EXPECT_THAT(LookupKeys("things", "Color", "dark\n red"), ElementsAre("ant", "bee", "cow"));
}

// [I-013] A file edited by hand between indexing and reading fails the read with kConflict; no
// record is visited from bytes that are not the indexed record.
TEST_F(SecondaryIndexTest, I013_AFileEditedDuringAReadIsAConflict) {
  Put("things",
      {Make({{"Name", "ant"}, {"Color", "red"}}), Make({{"Name", "asp"}, {"Color", "red"}})});
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("ant", "asp"));
  Reopen();  // an empty cache: the records are read from the file
  int edits = 0;
  env_->before_range_read = [&](const std::string& path) {
    if (edits++ == 0) {
      HandWrite(path.substr(std::string("/db/").size()),
                "Name: ant\nColor: red\nNotes: the stanzas move\n\nName: asp\nColor: red\n");
    }
  };
  std::vector<std::string> seen;
  for (const bool lookup : {true, false}) {
    edits = 0;
    const auto visit = [&](const Record& r) {
      seen.emplace_back(*r.Get("Name"));
      return true;
    };
    Status status = lookup ? db_->Lookup("things", "Color", "red", visit)
                           : db_->ScanRange("things", {"asp"}, {}, visit);
    EXPECT_EQ(status.code(), StatusCode::kConflict) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr("/db/things/a.deb822: the file changed while it was"));
    EXPECT_THAT(seen, ElementsAre());
    HandWrite("things/a.deb822", "Name: ant\nColor: red\n\nName: asp\nColor: red\n");
  }
  env_->before_range_read = nullptr;
  EXPECT_THAT(LookupKeys("things", "Color", "red"), ElementsAre("ant", "asp"));
}

// Records stay valid after the cache evicts them and after the database is closed; a lookup
// stops when the visitor returns false.
TEST_F(SecondaryIndexTest, EarlyStopAndRecordsOutliveTheCache) {
  std::vector<deb822::Stanza> records;
  for (int i = 0; i < 30; ++i) {
    records.push_back(Make({{"Name", "n" + std::to_string(100 + i)}, {"Color", "red"}}));
  }
  Put("things", std::move(records));
  Options options;
  options.cache_bytes = 200;  // room for about one record
  Reopen(options);
  std::vector<Record> kept;
  ASSERT_TRUE(db_->Lookup("things", "Color", "red",
                          [&](const Record& r) {
                            kept.push_back(r);
                            return kept.size() < 3;
                          })
                  .ok());
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_GT(db_->Stats().cache_evictions, 0u);
  db_.reset();
  EXPECT_EQ(*kept[0].Get("Name"), "n100");
  EXPECT_EQ(*kept[2].Get("Name"), "n102");
  EXPECT_EQ(kept[2].file(), "things/n.deb822");
  EXPECT_EQ(kept[2].line(), 7u);
}

// [I-002] index_bytes counts the secondary indexes.
TEST_F(SecondaryIndexTest, I002_IndexBytesIncludeSecondaryIndexes) {
  ASSERT_TRUE(db_->CreateTable("Table: plain\nKey: Name\nPartition-Depth: 1\n").ok());
  std::vector<deb822::Stanza> things, plain;
  for (int i = 0; i < 200; ++i) {
    const std::string name = "n" + std::to_string(i);
    const std::string color = "color-number-" + std::to_string(i % 50);
    things.push_back(Make({{"Name", name}, {"Color", color}}));
    plain.push_back(Make({{"Name", name}, {"Color", color}}));
  }
  Put("things", std::move(things));
  Put("plain", std::move(plain));
  Reopen();
  ASSERT_TRUE(db_->Scan("plain", "", [](const Record&) { return true; }).ok());
  const std::uint64_t plain_bytes = db_->Stats().index_bytes;
  ASSERT_TRUE(db_->Scan("things", "", [](const Record&) { return true; }).ok());
  const std::uint64_t both_bytes = db_->Stats().index_bytes;
  // Both tables have the same keys in one partition each; the things index adds 4 bytes per
  // record and, once each, the 50 values (at least 14 bytes each) with their 12-byte entries.
  EXPECT_GE(both_bytes + 16, 2 * plain_bytes + 200 * 4 + 50 * (14 + 12));
}

// [I-001] Many partitions at depths 1 and 2: the first lookup indexes every partition, later
// ones read no file that did not change; results agree with a brute-force filter.
class SecondaryIndexDepthTest : public EngineFixture, public ::testing::WithParamInterface<int> {};

TEST_P(SecondaryIndexDepthTest, I001_ManyPartitions) {
  const std::string schema =
      "Table: pkgs\nKey: Package\nPartition-Depth: " + std::to_string(GetParam()) +
      "\n\nField: Section\nIndex: yes\n\nField: Size\nType: integer\n"
      "Index: yes\n";
  ASSERT_TRUE(db_->CreateTable(schema).ok());
  std::mt19937 rng(42);
  const std::vector<std::string> sections = {"libs", "devel", "Libs", "web", "x11"};
  std::map<std::string, std::vector<std::string>> by_section;  // in byte order = key order
  std::map<std::string, std::vector<std::string>> by_size;
  std::vector<deb822::Stanza> records;
  for (int i = 0; i < 400; ++i) {
    std::string name;
    name += static_cast<char>('a' + rng() % 26);
    name += static_cast<char>('a' + rng() % 26);
    name += std::to_string(i);
    const std::string& section = sections[rng() % sections.size()];
    const std::string size = std::to_string(rng() % 7);
    by_section[section].push_back(name);
    by_size[size].push_back(name);
    records.push_back(Make({{"Package", name}, {"Section", section}, {"Size", "0" + size}}));
  }
  Put("pkgs", std::move(records));
  for (auto& [value, names] : by_section) std::sort(names.begin(), names.end());
  for (auto& [value, names] : by_size) std::sort(names.begin(), names.end());
  Options options;
  options.threads = 3;
  Reopen(options);
  EXPECT_EQ(db_->Stats().partitions, 0u);
  EXPECT_EQ(LookupKeys("pkgs", "Section", "libs", nullptr, "Package"), by_section["libs"]);
  const std::uint64_t partitions = db_->Stats().partitions;
  EXPECT_GT(partitions, GetParam() == 1 ? 20u : 200u);  // every partition is indexed
  EXPECT_EQ(db_->Stats().records, 400u);
  env_->TakeDataReads();
  for (const auto& [value, names] : by_section) {
    EXPECT_EQ(LookupKeys("pkgs", "Section", value, nullptr, "Package"), names) << value;
  }
  for (const auto& [value, names] : by_size) {
    EXPECT_EQ(LookupKeys("pkgs", "Size", value, nullptr, "Package"), names) << value;
  }
  // Only the records themselves were read: every read was a range of a data file, and the
  // second round of lookups finds them in the cache.
  const std::set<std::string> first_round = env_->TakeDataReads();
  EXPECT_FALSE(first_round.empty());
  for (const auto& [value, names] : by_section) {
    EXPECT_EQ(LookupKeys("pkgs", "Section", value, nullptr, "Package"), names) << value;
  }
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre());
  EXPECT_EQ(db_->Stats().partitions, partitions);
}

INSTANTIATE_TEST_SUITE_P(SecondaryIndexDepths, SecondaryIndexDepthTest, ::testing::Values(1, 2));

// --- Key-range scans -------------------------------------------------------------------------

class RangeScanTest : public EngineFixture {
 protected:
  std::vector<std::string> Numbers(const std::vector<std::string>& begin,
                                   const std::vector<std::string>& end) {
    return Range("numbers", begin, end, {"N"});
  }
  void MakeNumbers(int depth, const std::vector<int>& values) {
    ASSERT_TRUE(db_->CreateTable("Table: numbers\nKey: N\nPartition-Depth: " +
                                 std::to_string(depth) + "\n\nField: N\nType: integer\n")
                    .ok());
    std::vector<deb822::Stanza> records;
    for (int v : values) records.push_back(Make({{"N", std::to_string(v)}}));
    Put("numbers", std::move(records));
  }
};

std::vector<std::string> Iota(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(std::to_string(i));
  return out;
}

// [I-013] Integer keys land in partitions by their text (9 in 9.deb822, 10 and 100 in
// 1.deb822) but come back in numeric order, from Scan and ScanRange alike.
TEST_F(RangeScanTest, I013_IntegerKeysAcrossPartitionsInNumericOrder) {
  std::vector<int> values;
  for (int i = -15; i <= 120; ++i) values.push_back(i);
  std::shuffle(values.begin(), values.end(), std::mt19937(7));
  MakeNumbers(1, values);
  EXPECT_EQ(Numbers({}, {}), Iota(-15, 121));
  EXPECT_EQ(Numbers({"9"}, {"101"}), Iota(9, 101));
  EXPECT_EQ(Numbers({"-3"}, {"+0003"}), Iota(-3, 3));
  EXPECT_EQ(Numbers({"100"}, {}), Iota(100, 121));
  EXPECT_EQ(Numbers({}, {"-10"}), Iota(-15, -10));
  std::vector<std::string> scanned;
  ASSERT_TRUE(db_->Scan("numbers", "",
                        [&](const Record& r) {
                          scanned.emplace_back(*r.Get("N"));
                          return true;
                        })
                  .ok());
  EXPECT_EQ(scanned, Iota(-15, 121));
  scanned.clear();
  ASSERT_TRUE(db_->Scan("numbers", "1",
                        [&](const Record& r) {
                          scanned.emplace_back(*r.Get("N"));
                          return true;
                        })
                  .ok());
  std::vector<std::string> expected = {"1",  "10", "11", "12", "13", "14",
                                       "15", "16", "17", "18", "19"};
  for (int i = 100; i <= 120; ++i) expected.push_back(std::to_string(i));
  EXPECT_EQ(scanned, expected);  // a prefix scan, in numeric order too
}

// [I-010] Empty bounds leave a side open; string keys order as bytes across partitions.
TEST_F(RangeScanTest, I010_UnboundedSides) {
  ASSERT_TRUE(db_->CreateTable("Table: words\nKey: W\nPartition-Depth: 2\n").ok());
  std::vector<deb822::Stanza> records;
  for (const char* w : {"pear", "Apple", "apple", "apricot", "banana", "Zebra", "zoo", "émile"}) {
    records.push_back(Make({{"W", w}}));
  }
  Put("words", std::move(records));
  EXPECT_THAT(Range("words", {}, {}, {"W"}),
              ElementsAre("Apple", "Zebra", "apple", "apricot", "banana", "pear", "zoo", "émile"));
  EXPECT_THAT(Range("words", {"b"}, {}, {"W"}), ElementsAre("banana", "pear", "zoo", "émile"));
  EXPECT_THAT(Range("words", {}, {"apricot"}, {"W"}), ElementsAre("Apple", "Zebra", "apple"));
  EXPECT_THAT(Range("words", {"apple"}, {"apricot"}, {"W"}), ElementsAre("apple"));
  EXPECT_THAT(Range("words", {"Apple"}, {"apricots"}, {"W"}),
              ElementsAre("Apple", "Zebra", "apple", "apricot"));
}

// [I-011] Composite keys and partial bounds: a bound of n fields compares with a key's first n,
// and a key longer than the bound sorts after it.
TEST_F(RangeScanTest, I011_CompositeKeysAndPartialBounds) {
  ASSERT_TRUE(db_->CreateTable("Table: packages\nKey: Package, Version\nPartition-Depth: 2\n\n"
                               "Field: Version\nType: debversion\n")
                  .ok());
  std::vector<deb822::Stanza> records;
  for (const auto& [p, v] : std::vector<std::pair<const char*, const char*>>{{"foo", "1.0"},
                                                                             {"foo", "1.0~rc1"},
                                                                             {"foo", "2.0"},
                                                                             {"foo", "10.0"},
                                                                             {"foo", "1:0.1"},
                                                                             {"foobar", "1"},
                                                                             {"fop", "1"},
                                                                             {"bar", "1"},
                                                                             {"Foo", "3"}}) {
    records.push_back(Make({{"Package", p}, {"Version", v}}));
  }
  Put("packages", std::move(records));
  const std::vector<std::string> key = {"Package", "Version"};
  EXPECT_THAT(Range("packages", {"foo"}, {"foo", "2.0"}, key),
              ElementsAre("foo 1.0~rc1", "foo 1.0"));
  EXPECT_THAT(Range("packages", {"foo", "1.0"}, {"fop"}, key),
              ElementsAre("foo 1.0", "foo 2.0", "foo 10.0", "foo 1:0.1", "foobar 1"));
  EXPECT_THAT(Range("packages", {"foo", "2.0"}, {"foo", "1:0"}, key),
              ElementsAre("foo 2.0", "foo 10.0"));
  EXPECT_THAT(Range("packages", {"foo"}, {"foobar"}, key),
              ElementsAre("foo 1.0~rc1", "foo 1.0", "foo 2.0", "foo 10.0", "foo 1:0.1"));
  EXPECT_THAT(Range("packages", {}, {"bar", "1"}, key), ElementsAre("Foo 3"));
  EXPECT_THAT(Range("packages", {"fop"}, {}, key), ElementsAre("fop 1"));
  // {"foo"} to {"foo"} is empty, and so is any range whose begin is not before its end.
  EXPECT_THAT(Range("packages", {"foo"}, {"foo"}, key), ElementsAre());
  EXPECT_THAT(Range("packages", {"foo", "5"}, {"foo"}, key), ElementsAre());
  EXPECT_THAT(Range("packages", {"fop"}, {"foo"}, key), ElementsAre());
  Status status;
  Range("packages", {"foo", "1", "x"}, {}, key, &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("range begin has 3 values; expected at most 2"));
  Range("packages", {}, {"foo", "not a version"}, key, &status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("range end: field 'Version'"));
  Range("nothing", {}, {}, key, &status);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
}

TEST_F(RangeScanTest, EmptyRangesReadNothing) {
  MakeNumbers(1, {1, 5, 9, 50});
  Reopen();
  EXPECT_THAT(Numbers({"5"}, {"5"}), ElementsAre());
  EXPECT_THAT(Numbers({"9"}, {"1"}), ElementsAre());
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre());  // decided before any partition is read
  EXPECT_THAT(Numbers({"6"}, {"9"}), ElementsAre());
  EXPECT_THAT(Numbers({"51"}, {}), ElementsAre());
  EXPECT_THAT(Numbers({"5"}, {"6"}), ElementsAre("5"));
}

TEST_F(RangeScanTest, EarlyStop) {
  MakeNumbers(1, {3, 1, 2, 30, 20, 10});
  std::vector<std::string> seen;
  ASSERT_TRUE(db_->ScanRange("numbers", {"2"}, {},
                             [&](const Record& r) {
                               seen.emplace_back(*r.Get("N"));
                               return seen.size() < 3;
                             })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("2", "3", "10"));
  seen.clear();
  ASSERT_TRUE(db_->Scan("numbers", "",
                        [&](const Record& r) {
                          seen.emplace_back(*r.Get("N"));
                          return false;
                        })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("1"));
}

// [I-012] A range whose bounds share a prefix reads only the partitions that may hold it.
TEST_F(RangeScanTest, I012_SharedPrefixReadsOnlyMatchingPartitions) {
  ASSERT_TRUE(db_->CreateTable("Table: words\nKey: W\nPartition-Depth: 2\n").ok());
  std::vector<deb822::Stanza> records;
  for (const char* w : {"apple", "apricot", "Apex", "avocado", "banana", "cherry", "ap"}) {
    records.push_back(Make({{"W", w}}));
  }
  Put("words", std::move(records));
  Reopen();
  // Every key from "ap" to "apz" starts with "ap": only a/ap.deb822 may hold one.
  EXPECT_THAT(Range("words", {"ap"}, {"apz"}, {"W"}), ElementsAre("ap", "apple", "apricot"));
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre("/db/words/a/ap.deb822"));
  EXPECT_EQ(db_->Stats().partitions, 1u);
  // "ap" to "aq" share "a": a/ap.deb822 and a/av.deb822.
  EXPECT_THAT(Range("words", {"ap"}, {"aq"}, {"W"}), ElementsAre("ap", "apple", "apricot"));
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre("/db/words/a/ap.deb822", "/db/words/a/av.deb822"));
  EXPECT_EQ(db_->Stats().partitions, 2u);
  // "a" and "b" share nothing: every partition may hold a key of the range.
  EXPECT_THAT(Range("words", {"a"}, {"b"}, {"W"}),
              ElementsAre("ap", "apple", "apricot", "avocado"));
  EXPECT_EQ(db_->Stats().partitions, 4u);

  MakeNumbers(2, {1, 9, 10, 100, 105, 109, 110, 150, 1000, 1050, 2000});
  Reopen();
  // Three digits each, sharing "10": only 1/10.deb822 (not the file of the short key 1, nor
  // 1/11.deb822).
  EXPECT_THAT(Numbers({"100"}, {"109"}), ElementsAre("100", "105"));
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre("/db/numbers/1/10.deb822"));
  EXPECT_THAT(Numbers({"1000"}, {"1060"}), ElementsAre("1000", "1050"));
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre("/db/numbers/1/10.deb822"));
  // 100 to 110 share only "1": 1.deb822, 1/10, 1/11 and 1/15.
  EXPECT_THAT(Numbers({"100"}, {"110"}), ElementsAre("100", "105", "109"));
  EXPECT_EQ(db_->Stats().partitions, 4u);
  // 9 to 101: digit counts differ, nothing is pruned.
  EXPECT_THAT(Numbers({"9"}, {"101"}), ElementsAre("9", "10", "100"));
  EXPECT_EQ(db_->Stats().partitions, 6u);
}

// [I-012] Pruning is safe where folding merges characters: "ae" + U+0301 folds (NFC) to "aé",
// so that key lives in a/aé.deb822, which the prefix "ae" would wrongly rule out.
TEST_F(RangeScanTest, I012_PruningKeepsPartitionsOfComposedCharacters) {
  ASSERT_TRUE(db_->CreateTable("Table: words\nKey: W\nPartition-Depth: 2\n").ok());
  const std::string e_acute = "ae\xCC\x81";       // a, e + U+0301: partition a/aé
  const std::string e_circumflex = "ae\xCC\x82";  // a, e + U+0302
  const std::string ete = "\xC3\xA9t\xC3\xA9";    // été, precomposed
  std::vector<deb822::Stanza> records;
  for (const std::string& w : {std::string("ae"), std::string("aez"), e_acute, std::string("af"),
                               std::string("Ae"), ete, std::string("e\xCC\x81t")}) {
    records.push_back(Make({{"W", w}}));
  }
  Put("words", std::move(records));
  Reopen();
  EXPECT_THAT(Range("words", {"ae"}, {e_circumflex}, {"W"}), ElementsAre("ae", "aez", e_acute));
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre("/db/words/a/ae.deb822", "/db/words/a/af.deb822",
                                                 "/db/words/a/a\xC3\xA9.deb822"));
  EXPECT_THAT(Range("words", {"ae"}, {"ae\xCC\x81z"}, {"W"}), ElementsAre("ae", "aez", e_acute));
  env_->TakeDataReads();
  // A byte after the shared prefix that is ASCII in the end bound keeps the whole prefix.
  EXPECT_THAT(Range("words", {"ae"}, {"aez"}, {"W"}), ElementsAre("ae"));
  EXPECT_THAT(env_->TakeDataReads(), ElementsAre("/db/words/a/ae.deb822"));
  EXPECT_THAT(Range("words", {"e"}, {"f"}, {"W"}), ElementsAre("e\xCC\x81t"));
  EXPECT_THAT(Range("words", {"\xC3\xA9"}, {"\xC3\xAA"}, {"W"}), ElementsAre(ete));
}

// [I-012] Pruning never loses a record: for keys of every key type (text with case and
// combining variants, numbers of both signs, dates, times with offsets, Debian versions), every
// range between two of the keys, or a key and a nearby value, returns exactly the keys a
// brute-force filter keeps.
TEST_F(RangeScanTest, I012_PruningAgreesWithBruteForceForEveryKeyType) {
  struct Case {
    const char* type;
    std::vector<std::string> keys;
    std::vector<std::string> extra_bounds;  // valid values that are not keys
  };
  const std::vector<Case> cases = {
      {"string",
       {"a",
        "ab",
        "abc",
        "ab\xCC\x81",
        "ae",
        "ae\xCC\x81",
        "aez",
        "aB",
        "Ab",
        "b",
        "ba",
        "\xC3\xA9mile",
        "e\xCC\x81mile",
        "Emile",
        "stra\xC3\x9F",
        "STRASSE",
        "\xE1\x84\x80\xE1\x85\xA1",
        "\xEA\xB0\x80",
        "\xEA\xB0\x81",
        "z",
        "\xC4\xB1stanbul",
        "\xC4\xB0stanbul",
        "istanbul"},
       {"a\xCC\x81", "ab\xCC\x80", "\xE1\x84\x80", "\xEA\xB0\x80\xCC\x81", "~", "ae\xCC\x82"}},
      {"integer",
       {"-120", "-15", "-12", "-1", "0", "1", "9", "10", "12", "15", "99", "100", "105", "1000"},
       {"-13", "-0", "+11", "011", "-100", "101", "999"}},
      {"decimal",
       {"-1.5", "-1.25", "-0.5", "0", "0.25", "1", "1.5", "1.75", "10.5", "12", "12.01"},
       {"-1.3", "-0.05", "1.50", "11", "12.0"}},
      {"date",
       {"2023-12-31", "2024-01-01", "2024-01-15", "2024-02-29", "2025-01-01"},
       {"2024-01-10", "2024-12-31"}},
      {"date-time",
       {"2024-01-01T00:00:00Z", "2024-01-01T09:00:00.5Z", "2024-01-01T10:00:00+01:00",
        "2024-01-01T09:30:00Z", "2024-01-02T00:00:00-05:00", "2023-12-31T23:59:59.999Z"},
       {"2024-01-01T09:00:00Z", "2024-01-01T09:00:00.25Z", "2024-01-01T12:00:00+03:00"}},
      {"debversion",
       {"1.0", "1.0~rc1", "1.0-1", "1.0a", "1.0+b1", "1:0.5", "2:0.1", "2.0", "10.0", "1.5", "1a",
        "1.0.0"},
       {"1.0-0", "1.4", "1", "1~"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.type);
    const std::string table = "t" + std::to_string(i);
    ASSERT_TRUE(db_->CreateTable("Table: " + table + "\nKey: K\nPartition-Depth: 3\n\nField: K\n" +
                                 "Type: " + c.type + "\n")
                    .ok());
    std::vector<deb822::Stanza> records;
    for (const std::string& k : c.keys) records.push_back(Make({{"K", k}}));
    Put(table, std::move(records));
    Result<Schema> schema = db_->GetSchema(table);
    ASSERT_TRUE(schema.ok());
    const FieldType type = schema->fields()[schema->key()[0]].type;
    std::vector<std::string> bounds = c.keys;
    bounds.insert(bounds.end(), c.extra_bounds.begin(), c.extra_bounds.end());
    for (const std::string& lo : bounds) {
      for (const std::string& hi : bounds) {
        std::vector<std::string> expected;
        for (const std::string& k : c.keys) {
          if (CompareValues(type, k, lo) >= 0 && CompareValues(type, k, hi) < 0) {
            expected.push_back(k);
          }
        }
        std::sort(expected.begin(), expected.end(),
                  [&](const std::string& a, const std::string& b) {
                    return CompareValues(type, a, b) < 0;
                  });
        EXPECT_EQ(Range(table, {lo}, {hi}, {"K"}), expected) << "[" << lo << ", " << hi << ")";
      }
    }
  }
}

}  // namespace
}  // namespace textdb
