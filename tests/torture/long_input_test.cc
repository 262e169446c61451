// Large inputs (format-spec/durability-process.md [T-026]): a 100 MB single value and a million
// tiny records, written, reopened and read back on the real file system, with the time and the
// peak resident memory printed. Label `long`: left out of CI (.ci/test runs ctest -LE '^long$');
// run with `ctest --preset dev -L '^long$' --output-on-failure` (tests/README.md).
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "textdb/db.h"

namespace textdb {
namespace {

constexpr char kSchema[] =
    "Table: t\n"
    "Key: Id\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Value\n";

long PeakRssMiB() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

class LongInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "textdb-long-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/db";
    ASSERT_TRUE(Database::Create(dir_).ok());
    auto db = Database::Open(dir_, Options{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->CreateTable(kSchema).ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string root_;
  std::string dir_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// [T-026]: a 100 MB value (one line) is stored and read back byte for byte.
TEST_F(LongInputTest, T026_HundredMegabyteValue) {
  std::string value(100u << 20, 'x');
  for (std::size_t i = 0; i < value.size(); i += 97) value[i] = static_cast<char>('a' + i % 26);
  const auto start = std::chrono::steady_clock::now();
  {
    auto db = Database::Open(dir_, Options{});
    ASSERT_TRUE(db.ok());
    deb822::Stanza stanza;
    ASSERT_TRUE(stanza.SetRaw("Id", "big").ok());
    ASSERT_TRUE(stanza.SetRaw("Value", value).ok());
    Transaction txn = (*db)->Begin();
    txn.Put("t", std::move(stanza));
    ASSERT_TRUE(txn.Commit().ok());
  }
  const double write_s = SecondsSince(start);
  auto db = Database::Open(dir_, Options{});
  ASSERT_TRUE(db.ok());
  Result<Record> record = (*db)->Get("t", {"big"});
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_TRUE(*record->Get("Value") == value);
  std::vector<std::string> problems;
  EXPECT_TRUE((*db)->Check(&problems).ok());
  std::printf(
      "100 MB value: write %.1f s, reopen+get+check %.1f s total %.1f s, peak RSS %ld MiB\n",
      write_s, SecondsSince(start) - write_s, SecondsSince(start), PeakRssMiB());
}

// [T-026]: a million tiny records in one table (10 commits of 100,000), reopened, scanned and
// checked.
TEST_F(LongInputTest, T026_MillionTinyRecords) {
  constexpr int kRecords = 1000000;
  constexpr int kPerCommit = 100000;
  const auto start = std::chrono::steady_clock::now();
  {
    auto db = Database::Open(dir_, Options{});
    ASSERT_TRUE(db.ok());
    for (int base = 0; base < kRecords; base += kPerCommit) {
      Transaction txn = (*db)->Begin();
      for (int i = base; i < base + kPerCommit; ++i) {
        deb822::Stanza stanza;
        // A permutation of 0..kRecords-1 (7919 is prime to 10^6); 64-bit, as i * 7919 is not int.
        const std::int64_t id = std::int64_t{i} * 7919 % kRecords;
        ASSERT_TRUE(stanza.SetRaw("Id", "k" + std::to_string(id)).ok());
        ASSERT_TRUE(stanza.SetRaw("Value", std::to_string(i)).ok());
        txn.Insert("t", std::move(stanza));
      }
      const Status committed = txn.Commit();
      ASSERT_TRUE(committed.ok()) << committed.ToString();
    }
  }
  const double write_s = SecondsSince(start);
  auto db = Database::Open(dir_, Options{});
  ASSERT_TRUE(db.ok());
  long count = 0;
  std::string previous;
  ASSERT_TRUE((*db)
                  ->Scan("t", "",
                         [&](const Record& record) {
                           const std::string id(*record.Get("Id"));
                           EXPECT_LT(previous, id);
                           previous = id;
                           ++count;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(count, kRecords);
  Result<Record> one = (*db)->Get("t", {"k7919"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one->Get("Value"), "1");
  std::vector<std::string> problems;
  EXPECT_TRUE((*db)->Check(&problems).ok());
  std::printf("1,000,000 records: write %.1f s, reopen+scan+check %.1f s, peak RSS %ld MiB\n",
              write_s, SecondsSince(start) - write_s, PeakRssMiB());
}

}  // namespace
}  // namespace textdb
