// Tests for the storage engine (include/textdb/db.h): reads, writes, the offset index, hand
// edits, hostile keys, schema enforcement, recovery, fault injection and several processes.
#include "textdb/db.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "fault_env.h"
#include "storage/commit.h"

namespace textdb {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kItemsSchema[] =
    "Table: items\n"
    "Key: Item\n"
    "Unknown-Fields: reject\n"
    "\n"
    "Field: Item\n"
    "\n"
    "Field: Count\n"
    "Type: integer\n"
    "Mandatory: yes\n"
    "\n"
    "Field: Location\n"
    "References: places\n"
    "\n"
    "Field: Serial\n"
    "Unique: yes\n"
    "\n"
    "Field: Notes\n";

constexpr char kPlacesSchema[] =
    "Table: places\n"
    "Key: Place\n"
    "\n"
    "Field: Place\n";

constexpr char kNumbersSchema[] =
    "Table: numbers\n"
    "Key: N\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: N\n"
    "Type: integer\n";

constexpr char kPackagesSchema[] =
    "Table: packages\n"
    "Key: Package, Version\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n";

deb822::Stanza Make(std::initializer_list<std::pair<const char*, const char*>> fields) {
  deb822::Stanza stanza;
  for (const auto& [name, value] : fields) EXPECT_TRUE(stanza.SetRaw(name, value).ok());
  return stanza;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteAll(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/textdb-db-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    top_ = tmpl;
    dir_ = top_ + "/db";
    ASSERT_TRUE(Database::Create(dir_).ok());
    Reopen();
    ASSERT_TRUE(db_->CreateTable(kPlacesSchema).ok());
    ASSERT_TRUE(db_->CreateTable(kItemsSchema).ok());
    Transaction txn = db_->Begin();
    txn.Put("places", Make({{"Place", "shelf"}}));
    txn.Put("places", Make({{"Place", "drawer"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(top_);
  }

  void Reopen(Options options = {}) {
    db_.reset();
    auto db = Database::Open(dir_, options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  Status PutItem(const char* item, const char* count, const char* location = "shelf") {
    Transaction txn = db_->Begin();
    txn.Put("items", Make({{"Item", item}, {"Count", count}, {"Location", location}}));
    return txn.Commit();
  }

  std::string CountOf(const std::string& item) {
    Result<Record> record = db_->Get("items", {item});
    if (!record.ok()) return record.status().ToString();
    return std::string(record->Get("Count").value_or("<none>"));
  }

  // Every regular file below the top directory, relative to it.
  std::set<std::string> AllFiles() const {
    std::set<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(top_)) {
      if (entry.is_regular_file()) out.insert(fs::relative(entry.path(), top_).string());
    }
    return out;
  }

  std::string top_;
  std::string dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, B001_CreateWritesTheLayout) {
  EXPECT_EQ(ReadAll(dir_ + "/textdb.conf"), "Format: textdb 1\n");
  EXPECT_EQ(ReadAll(dir_ + "/.gitignore"), "/.textdb/\n.*.textdb-tmp-*\n");
  EXPECT_EQ(ReadAll(dir_ + "/.gitattributes"), "*.deb822 merge=textdb diff=textdb\n");
  EXPECT_TRUE(fs::is_directory(dir_ + "/.textdb"));
  EXPECT_TRUE(fs::exists(dir_ + "/items/schema.deb822"));
  EXPECT_EQ(db_->Tables(), (std::vector<std::string>{"items", "places"}));
  EXPECT_EQ(Database::Create(dir_).code(), StatusCode::kConflict);
  EXPECT_EQ(Database::Open(top_ + "/nothing", {}).status().code(), StatusCode::kNotFound);
}

// [B-005, B-006]: `git init` first, then `textdb init`: the git files are kept and only the
// missing lines are appended; anything else in the directory is refused.
TEST_F(DatabaseTest, B005_CreateInAGitRepositoryKeepsItsFiles) {
  const std::string repo = top_ + "/repo";
  fs::create_directories(repo + "/.git/objects");
  WriteAll(repo + "/.gitignore", "*.o\n/.textdb/");
  WriteAll(repo + "/.gitattributes", "*.deb822 merge=textdb diff=textdb\n");
  ASSERT_TRUE(Database::Create(repo).ok());
  EXPECT_EQ(ReadAll(repo + "/.gitignore"), "*.o\n/.textdb/\n.*.textdb-tmp-*\n");
  EXPECT_EQ(ReadAll(repo + "/.gitattributes"), "*.deb822 merge=textdb diff=textdb\n");
  EXPECT_TRUE(fs::is_directory(repo + "/.git/objects"));
  EXPECT_TRUE(Database::Open(repo, {}).ok());

  const std::string other = top_ + "/other";
  fs::create_directories(other + "/.git");
  WriteAll(other + "/notes.txt", "x\n");
  EXPECT_EQ(Database::Create(other).code(), StatusCode::kConflict);
  EXPECT_FALSE(fs::exists(other + "/textdb.conf"));
}

TEST_F(DatabaseTest, PutGetUpdateDelete) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  EXPECT_EQ(CountOf("bolt"), "12");
  Result<Record> record = db_->Get("items", {"bolt"});
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->file(), "items/b/bo.deb822");
  EXPECT_EQ(record->line(), 1u);

  Transaction txn = db_->Begin();
  txn.Update("items", {"bolt"}, {{"Count", "13"}, {"Notes", "recounted"}});
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(CountOf("bolt"), "13");
  EXPECT_EQ(db_->Get("items", {"bolt"})->Get("Notes"), "recounted");

  txn.Delete("items", {"bolt"});
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(db_->Get("items", {"bolt"}).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ + "/items/b/bo.deb822"));  // an empty partition is removed
  txn.Delete("items", {"bolt"});
  EXPECT_EQ(txn.Commit().code(), StatusCode::kNotFound);
}

TEST_F(DatabaseTest, InsertRefusesAnExistingKey) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  Transaction txn = db_->Begin();
  txn.Insert("items", Make({{"Item", "bolt"}, {"Count", "1"}}));
  Status status = txn.Commit();
  EXPECT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_THAT(status.message(), HasSubstr("record 'bolt' exists already"));
  EXPECT_EQ(CountOf("bolt"), "12");
}

TEST_F(DatabaseTest, RecordsStayValidAfterEvictionAndClose) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  Result<Record> record = db_->Get("items", {"bolt"});
  ASSERT_TRUE(record.ok());
  db_.reset();
  EXPECT_EQ(record->Get("Count"), "12");
}

TEST_F(DatabaseTest, L002_AnUpdateChangesOnlyThatFieldsBytes) {
  const std::string path = dir_ + "/items/b/bo.deb822";
  fs::create_directories(dir_ + "/items/b");
  const std::string text =
      "# hand-kept list\n"
      "\n"
      "Item: bolt\n"
      "Count:   12\n"
      "# checked monthly\n"
      "Location: shelf\n"
      "\n"
      "Item: bottle\n"
      "Count: 3\n"
      "Notes: glass,\n"
      " fragile\n";
  WriteAll(path, text);
  Transaction txn = db_->Begin();
  txn.Update("items", {"bottle"}, {{"Count", "4"}});
  ASSERT_TRUE(txn.Commit().ok());
  std::string expected = text;
  expected.replace(expected.find("Count: 3"), 8, "Count: 4");
  EXPECT_EQ(ReadAll(path), expected);
}

TEST_F(DatabaseTest, RecordsAreKeptInKeyOrderWithinAFile) {
  for (const char* item : {"bot", "bob", "boz", "boa"}) ASSERT_TRUE(PutItem(item, "1").ok());
  EXPECT_EQ(ReadAll(dir_ + "/items/b/bo.deb822"),
            "Item: boa\nCount: 1\nLocation: shelf\n\n"
            "Item: bob\nCount: 1\nLocation: shelf\n\n"
            "Item: bot\nCount: 1\nLocation: shelf\n\n"
            "Item: boz\nCount: 1\nLocation: shelf\n");
}

TEST_F(DatabaseTest, KeysCompareByTypeAndOrderNumerically) {
  ASSERT_TRUE(db_->CreateTable(kNumbersSchema).ok());
  Transaction txn = db_->Begin();
  for (const char* n : {"10", "9", "100", "1"}) txn.Put("numbers", Make({{"N", n}}));
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(ReadAll(dir_ + "/numbers/1.deb822"), "N: 1\n\nN: 10\n\nN: 100\n");
  ASSERT_TRUE(db_->Get("numbers", {"01"}).ok());  // integer key 1 and 01 are the same key
  txn.Insert("numbers", Make({{"N", "+9"}}));
  EXPECT_EQ(txn.Commit().code(), StatusCode::kConflict);
}

TEST_F(DatabaseTest, CompositeKeys) {
  ASSERT_TRUE(db_->CreateTable(kPackagesSchema).ok());
  Transaction txn = db_->Begin();
  txn.Put("packages", Make({{"Package", "zsh"}, {"Version", "5.9-4"}}));
  txn.Put("packages", Make({{"Package", "zsh"}, {"Version", "5.9-4+b1"}}));
  txn.Put("packages", Make({{"Package", "zsh"}, {"Version", "5.8~rc1-1"}}));
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_TRUE(db_->Get("packages", {"zsh", "5.9-4+b1"}).ok());
  EXPECT_EQ(db_->Get("packages", {"zsh", "5.9"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Get("packages", {"zsh"}).status().code(), StatusCode::kInvalidArgument);
  const std::string text = ReadAll(dir_ + "/packages/z/zs.deb822");
  EXPECT_LT(text.find("5.8~rc1-1"), text.find("5.9-4\n"));  // dpkg order within the file
  EXPECT_LT(text.find("5.9-4\n"), text.find("5.9-4+b1"));
}

TEST_F(DatabaseTest, HandEditsAreSeenByTheNextRead) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  EXPECT_EQ(CountOf("bolt"), "12");
  const std::string path = dir_ + "/items/b/bo.deb822";
  // Same size, written within the racy window: only the content tells the change.
  WriteAll(path, "Item: bolt\nCount: 99\nLocation: shelf\n");
  EXPECT_EQ(CountOf("bolt"), "99");
  WriteAll(path, "Item: bolt\nCount: 100\nLocation: shelf\n\nItem: box\nCount: 1\n");
  EXPECT_EQ(CountOf("box"), "1");
  EXPECT_EQ(CountOf("bolt"), "100");
}

// A file written within the racy window is compared by content on each read; once the window
// has passed it must stop being racy, or every read would re-read the whole file.
TEST_F(DatabaseTest, RacyFilesStopBeingRacyAfterTheWindow) {
  class CountingEnv : public testing::FaultEnv {
   public:
    using FaultEnv::FaultEnv;
    Result<std::string> ReadFile(const std::string& path) override {
      ++whole_reads;
      return FaultEnv::ReadFile(path);
    }
    Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
      ++whole_reads;
      return FaultEnv::NewSequentialFile(path);
    }
    int whole_reads = 0;
  };
  CountingEnv env(Env::Default());
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  auto db = Database::Open(dir_, Options{.env = &env});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Get("items", {"bolt"}).ok());  // indexed while racy
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  ASSERT_TRUE((*db)->Get("items", {"bolt"}).ok());  // re-indexed once, no longer racy
  const int before = env.whole_reads;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*db)->Get("items", {"bolt"}).ok());
  EXPECT_EQ(env.whole_reads, before);
}

// A commit costs in proportion to the partitions it changes: it must not walk the database
// (the sweep of leftover temporary files belongs to open).
TEST_F(DatabaseTest, ACommitDoesNotWalkTheDatabase) {
  class CountingEnv : public testing::FaultEnv {
   public:
    using FaultEnv::FaultEnv;
    Result<std::vector<std::string>> ListDir(const std::string& path) override {
      ++listings;
      return FaultEnv::ListDir(path);
    }
    int listings = 0;
  };
  for (const char* item : {"bolt", "nut", "washer", "screw"}) ASSERT_TRUE(PutItem(item, "1").ok());
  CountingEnv env(Env::Default());
  auto db = Database::Open(dir_, Options{.env = &env});
  ASSERT_TRUE(db.ok());
  env.listings = 0;
  Transaction txn = (*db)->Begin();
  txn.Put("places", Make({{"Place", "attic"}}));
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(env.listings, 0);
}

TEST_F(DatabaseTest, AWriteNeverOverwritesAHandEditItDidNotSee) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  ASSERT_TRUE(PutItem("box", "1").ok());
  const std::string path = dir_ + "/items/b/bo.deb822";
  std::string text = ReadAll(path);
  text.replace(text.find("Count: 12"), 9, "Count: 13");
  WriteAll(path, text);  // an editor changes bolt; then the program changes box
  Transaction txn = db_->Begin();
  txn.Update("items", {"box"}, {{"Count", "2"}});
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(CountOf("bolt"), "13");
  EXPECT_EQ(CountOf("box"), "2");
}

// Runs `git ARGS` in `dir` with a fixed identity and no user configuration; true when it exits 0.
bool Git(const std::string& dir, const std::string& args) {
  const std::string command = "cd '" + dir +
                              "' && HOME=/nonexistent GIT_CONFIG_NOSYSTEM=1 git -c user.name=t "
                              "-c user.email=t@example.org " +
                              args + " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

// [B-020] with real git: checkout, stash and a fast-forward pull replace data files (new inode,
// often the same size and second) under an open handle. The next read sees git's version, and a
// transaction begun before git ran, committed after, changes only its own record.
TEST_F(DatabaseTest, B020_GitCheckoutStashAndPullUnderAnOpenHandle) {
  if (!Git(top_, "--version")) GTEST_SKIP() << "git is not installed";
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  ASSERT_TRUE(PutItem("box", "1").ok());
  ASSERT_TRUE(Git(dir_, "init -q -b main"));
  ASSERT_TRUE(Git(dir_, "add -A"));
  ASSERT_TRUE(Git(dir_, "commit -q -m base"));
  ASSERT_TRUE(Git(dir_, "checkout -q -b other"));
  Transaction edit = db_->Begin();
  edit.Update("items", {"bolt"}, {{"Count", "13"}});
  ASSERT_TRUE(edit.Commit().ok());
  ASSERT_TRUE(Git(dir_, "commit -q -a -m other"));
  EXPECT_EQ(CountOf("bolt"), "13");

  // checkout: the file goes back to main's bytes under the open handle.
  ASSERT_TRUE(Git(dir_, "checkout -q main"));
  EXPECT_EQ(CountOf("bolt"), "12");
  // A pending write, begun before git changes the file, committed after it.
  Transaction pending = db_->Begin();
  pending.Update("items", {"box"}, {{"Count", "2"}});
  ASSERT_TRUE(Git(dir_, "merge -q --ff-only other"));  // what a fast-forward pull does
  ASSERT_TRUE(pending.Commit().ok());
  EXPECT_EQ(CountOf("bolt"), "13");  // git's change is kept
  EXPECT_EQ(CountOf("box"), "2");

  // stash: the uncommitted change disappears, then comes back.
  ASSERT_TRUE(Git(dir_, "stash -q"));
  EXPECT_EQ(CountOf("box"), "1");
  Transaction during = db_->Begin();
  during.Update("items", {"bolt"}, {{"Count", "14"}});
  ASSERT_TRUE(during.Commit().ok());
  ASSERT_TRUE(Git(dir_, "checkout -q -- ."));  // drop it again, so the pop applies cleanly
  EXPECT_EQ(CountOf("bolt"), "13");
  ASSERT_TRUE(Git(dir_, "stash pop -q"));
  EXPECT_EQ(CountOf("box"), "2");
  EXPECT_EQ(CountOf("bolt"), "13");
  std::vector<std::string> problems;
  EXPECT_TRUE(db_->Check(&problems).ok());
  EXPECT_TRUE(problems.empty());
}

// [B-012]: git's conflict markers in a data file: reads and writes of that partition fail with
// the marker's location, other partitions work, and Check names every marker line.
TEST_F(DatabaseTest, B012_ConflictMarkersBlockThePartitionAndCheckNamesEveryLine) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  ASSERT_TRUE(PutItem("nut", "3").ok());
  const std::string path = dir_ + "/items/b/bo.deb822";
  const std::string marked =
      "Item: bolt\n<<<<<<< HEAD\nCount: 30\n=======\nCount: 20\n>>>>>>> other\n"
      "Location: shelf\n";
  WriteAll(path, marked);
  Result<Record> read = db_->Get("items", {"bolt"});
  EXPECT_EQ(read.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(read.status().message(), HasSubstr("items/b/bo.deb822:2:1: error:"));
  EXPECT_THAT(read.status().message(), HasSubstr("[F-026]"));
  Transaction txn = db_->Begin();
  txn.Update("items", {"bolt"}, {{"Count", "1"}});
  EXPECT_EQ(txn.Commit().code(), StatusCode::kInvalidData);
  EXPECT_EQ(ReadAll(path), marked);
  EXPECT_EQ(CountOf("nut"), "3");
  std::vector<std::string> problems;
  EXPECT_EQ(db_->Check(&problems).code(), StatusCode::kInvalidData);
  ASSERT_EQ(problems.size(), 4u);  // before the fix: only the first marker, line 2
  EXPECT_THAT(problems[0], HasSubstr("items/b/bo.deb822:2:1: error:"));
  EXPECT_THAT(problems[1], HasSubstr("items/b/bo.deb822:4:1: error:"));
  EXPECT_THAT(problems[2], HasSubstr("items/b/bo.deb822:5:1: error: duplicate field 'Count'"));
  EXPECT_THAT(problems[3], HasSubstr("items/b/bo.deb822:6:1: error:"));
}

TEST_F(DatabaseTest, B010_DuplicateKeysFromHandEditsAreReportedNotShadowed) {
  fs::create_directories(dir_ + "/items/b");
  WriteAll(dir_ + "/items/b/bo.deb822",
           "Item: bolt\nCount: 1\n\nItem: box\nCount: 2\n\nItem: bolt\nCount: 3\n");
  Result<Record> record = db_->Get("items", {"bolt"});
  EXPECT_EQ(record.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(record.status().message(),
              HasSubstr("items/b/bo.deb822:7:1: error: key 'bolt' is stored twice, at lines 1 "
                        "and 7"));
  std::vector<std::string> problems;
  EXPECT_FALSE(db_->Check(&problems).ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("stored twice"));
  Transaction txn = db_->Begin();
  txn.Update("items", {"box"}, {{"Count", "5"}});
  EXPECT_EQ(txn.Commit().code(), StatusCode::kInvalidData);  // refuses to write over it
}

TEST_F(DatabaseTest, MisplacedRecordsAreReported) {
  fs::create_directories(dir_ + "/items/b");
  WriteAll(dir_ + "/items/b/bo.deb822", "Item: bolt\nCount: 1\n\nItem: nut\nCount: 2\n");
  Result<Record> record = db_->Get("items", {"bolt"});
  EXPECT_THAT(record.status().message(),
              HasSubstr("items/b/bo.deb822:4:1: error: record 'nut' belongs in items/n/nu.deb822"));
}

TEST_F(DatabaseTest, ParseErrorsNameFileAndLine) {
  fs::create_directories(dir_ + "/items/b");
  WriteAll(dir_ + "/items/b/bo.deb822", "Item: bolt\nCount 1\n");
  Result<Record> record = db_->Get("items", {"bolt"});
  EXPECT_EQ(record.status().message(),
            "items/b/bo.deb822:2:1: error: line is not a field: expected 'Name: value', a "
            "continuation line starting with a space or tab, a comment starting with '#', or an "
            "empty line [F-020]");
}

TEST_F(DatabaseTest, SchemaViolationsAreRejectedAndNothingIsWritten) {
  ASSERT_TRUE(PutItem("bolt", "12").ok());
  const std::set<std::string> before = AllFiles();
  const std::string bolt = ReadAll(dir_ + "/items/b/bo.deb822");
  const std::vector<std::pair<deb822::Stanza, std::string>> cases = {
      {Make({{"Item", "nut"}}), "Count"},                                      // mandatory missing
      {Make({{"Item", "nut"}, {"Count", "many"}}), "not an integer"},          // wrong type
      {Make({{"Item", "nut"}, {"Count", "1"}, {"Colour", "red"}}), "Colour"},  // unknown field
      {Make({{"Count", "1"}}), "Item"},                                        // key missing
      {Make({{"Item", "nut"}, {"Count", "1"}, {"Location", "attic"}}), "names no record"},
  };
  for (const auto& [record, expected] : cases) {
    Transaction txn = db_->Begin();
    txn.Update("items", {"bolt"}, {{"Count", "13"}});  // a valid change in the same commit
    txn.Put("items", record);
    Status status = txn.Commit();
    EXPECT_FALSE(status.ok()) << expected;
    EXPECT_THAT(status.message(), HasSubstr(expected));
    EXPECT_EQ(AllFiles(), before);
    EXPECT_EQ(ReadAll(dir_ + "/items/b/bo.deb822"), bolt);
  }
}

TEST_F(DatabaseTest, UniqueFieldsAndReferences) {
  Transaction txn = db_->Begin();
  txn.Put("items", Make({{"Item", "bolt"}, {"Count", "1"}, {"Serial", "S1"}}));
  txn.Put("items", Make({{"Item", "nut"}, {"Count", "1"}, {"Serial", "S1"}}));
  Status status = txn.Commit();
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_THAT(status.message(), HasSubstr("value 'S1' is not unique"));
  ASSERT_TRUE(PutItem("bolt", "1", "drawer").ok());
  txn.Delete("places", {"drawer"});
  status = txn.Commit();
  EXPECT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_THAT(status.message(), HasSubstr("still referenced by table 'items'"));
  EXPECT_TRUE(db_->Get("places", {"drawer"}).ok());
}

// Uniqueness is checked against the secondary index for the files a commit does not change
// [I-005] and against the commit's own edits for those it does, after hand edits too.
TEST_F(DatabaseTest, UniqueChecksUseTheIndexAndTheCommitsOwnChanges) {
  const auto put = [&](std::vector<std::pair<const char*, const char*>> items) {
    Transaction txn = db_->Begin();
    for (const auto& [item, serial] : items) {
      txn.Put("items", Make({{"Item", item}, {"Count", "1"}, {"Serial", serial}}));
    }
    return txn.Commit();
  };
  ASSERT_TRUE(put({{"apple", "S1"}}).ok());
  EXPECT_THAT(put({{"zebra", "S1"}}).message(), HasSubstr("value 'S1' is not unique"));
  // A hand edit frees S1: the index notices.
  std::string text = ReadAll(top_ + "/db/items/a/ap.deb822");
  text.replace(text.find("S1"), 2, "S9");
  WriteAll(top_ + "/db/items/a/ap.deb822", text);
  EXPECT_TRUE(put({{"zebra", "S1"}}).ok());
  // Two records of one commit, in two files, with one value.
  EXPECT_THAT(put({{"kiwi", "S2"}, {"lime", "S2"}}).message(), HasSubstr("'S2' is not unique"));
  // One commit moves S9 from apple to mango: apple's file is the commit's, not the index's.
  EXPECT_TRUE(put({{"apple", "S3"}, {"mango", "S9"}}).ok());
  EXPECT_THAT(put({{"melon", "S3"}}).message(), HasSubstr("'S3' is not unique"));
}

// Record constraints of the schema [S-014] are checked on every write and by Check.
TEST_F(DatabaseTest, Q060_ConstraintsAreCheckedOnWriteAndByCheck) {
  ASSERT_TRUE(db_->CreateTable("Table: spans\n"
                               "Key: Id\n"
                               "Constraint: End >= Start\n"
                               "\n"
                               "Field: Id\n"
                               "\n"
                               "Field: Start\n"
                               "Type: integer\n"
                               "\n"
                               "Field: End\n"
                               "Type: integer\n")
                  .ok());
  Transaction txn = db_->Begin();
  txn.Put("spans", Make({{"Id", "a"}, {"Start", "2"}, {"End", "10"}}));
  ASSERT_TRUE(txn.Commit().ok());
  txn.Put("spans", Make({{"Id", "b"}, {"Start", "5"}, {"End", "3"}}));
  Status status = txn.Commit();
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_THAT(status.message(), HasSubstr("End >= Start"));
  EXPECT_EQ(db_->Get("spans", {"b"}).status().code(), StatusCode::kNotFound);
  // A hand edit that breaks it is reported by Check with file and line.
  WriteAll(top_ + "/db/spans/a.deb822", "Id: a\nStart: 20\nEnd: 10\n");
  std::vector<std::string> problems;
  EXPECT_FALSE(db_->Check(&problems).ok());
  EXPECT_THAT(problems, ::testing::ElementsAre(HasSubstr("spans/a.deb822:1:1: error:")));
}

// ScanParallel visits what a filtered Scan visits, in the same (key) order, with any number of
// threads [I-014].
TEST_F(DatabaseTest, I014_ScanParallelEqualsAFilteredScan) {
  Transaction txn = db_->Begin();
  for (int i = 0; i < 300; ++i) {
    const std::string item =
        std::string(1, static_cast<char>('a' + i % 26)) + "item" + std::to_string(i * 7919 % 1000);
    txn.Put("items", Make({{"Item", item.c_str()}, {"Count", std::to_string(i).c_str()}}));
  }
  ASSERT_TRUE(txn.Commit().ok());
  const auto filter = [](const deb822::Stanza& record) {
    return std::stoi(std::string(*record.Get("Count"))) % 3 == 0;
  };
  std::vector<std::string> expected;
  ASSERT_TRUE(db_->Scan("items", "",
                        [&](const Record& record) {
                          if (filter(record.stanza())) expected.emplace_back(*record.Get("Item"));
                          return true;
                        })
                  .ok());
  ASSERT_EQ(expected.size(), 100u);
  for (unsigned threads : {1u, 2u, 5u}) {
    Options options;
    options.threads = threads;
    Reopen(options);
    std::vector<std::string> got;
    ASSERT_TRUE(db_->ScanParallel("items", filter,
                                  [&](const Record& record) {
                                    EXPECT_THAT(record.file(), ::testing::StartsWith("items/"));
                                    got.emplace_back(*record.Get("Item"));
                                    return true;
                                  })
                    .ok());
    EXPECT_EQ(got, expected) << threads << " threads";
    int visited = 0;
    ASSERT_TRUE(
        db_->ScanParallel("items", filter, [&](const Record&) { return ++visited < 3; }).ok());
    EXPECT_EQ(visited, 3);  // stops early
  }
  EXPECT_EQ(db_->ScanParallel("nothing", filter, [](const Record&) { return true; }).code(),
            StatusCode::kNotFound);
}

// A projected scan (ScanParallel with the fields the filter reads) accepts what the filter
// accepts on whole records and visits the same whole records, in the same order and at the same
// lines, whether the files are indexed during the scan or were before, with any number of
// threads; its filter sees only the projected fields the record has [I-014]. Records it cannot
// take from the indexer's scan are parsed first: a comment inside a projected value (that record
// alone) or inside a key (the whole file, the indexer's slow path).
TEST_F(DatabaseTest, I014_ProjectedScanEqualsTheFullFilter) {
  Transaction txn = db_->Begin();
  for (int i = 0; i < 300; ++i) {
    const std::string item =
        std::string(1, static_cast<char>('a' + i % 26)) + "item" + std::to_string(i * 7919 % 1000);
    const std::string count = std::to_string(i);
    const std::string serial = "s" + std::to_string(i);
    const std::string notes = i % 4 == 0 ? "first\n more " + std::to_string(i) : "";
    deb822::Stanza stanza = Make({{"Item", item.c_str()}, {"Count", count.c_str()}});
    if (i % 5 != 0) {
      ASSERT_TRUE(stanza.SetRaw("Serial", serial).ok());
    }
    if (!notes.empty()) {
      ASSERT_TRUE(stanza.SetRaw("Notes", notes).ok());
    }
    txn.Put("items", stanza);
  }
  ASSERT_TRUE(txn.Commit().ok());
  // Reads Count, Serial (an indexed field) and Notes; the names are spelt as no file does.
  const std::vector<std::string> fields = {"COUNT", "serial", "nOtEs"};
  // Filter calls that saw a field not in `fields`, or a comment as part of a value.
  std::atomic<int> unprojected{0};
  int modulus = 3;
  const auto filter = [&](const deb822::Stanza& record) {
    for (const deb822::Field& field : record.fields()) {
      if (!field.Is("Count") && !field.Is("Serial") && !field.Is("Notes")) ++unprojected;
    }
    const std::optional<std::string_view> count = record.Get("count");
    const std::optional<std::string_view> notes = record.Get("notes");
    if (notes && notes->find('#') != std::string_view::npos) ++unprojected;  // not the value
    // With modulus 3 about half the records pass (the consumer parses whole chunks), with 37
    // a few (it parses them one by one).
    return (count && std::stoi(std::string(*count)) % modulus == 0) ||
           (modulus == 3 && notes && notes->find("more 1") != std::string_view::npos) ||
           (modulus == 3 && record.Find("serial") == nullptr);
  };
  // What a scan visits: "file:line:" and the record's text, per record.
  const auto scan = [&](const std::vector<std::string>* projected) {
    std::vector<std::string> seen;
    const auto visit = [&](const Record& record) {
      std::string text = fmt::format("{}:{}:", record.file(), record.line());
      record.stanza().Write(&text);
      seen.push_back(text);
      return true;
    };
    const Status status = projected == nullptr
                              ? db_->ScanParallel("items", filter, visit)
                              : db_->ScanParallel("items", *projected, filter, visit);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return seen;
  };
  const auto expect_same = [&](const std::string& when) {
    for (const auto& [threads, m] : {std::pair{1u, 3}, std::pair{2u, 3}, std::pair{2u, 37}}) {
      modulus = m;
      Options options;
      options.threads = threads;
      Reopen(options);
      const std::vector<std::string> whole = scan(nullptr);
      EXPECT_GT(unprojected.exchange(0), 0) << "the full filter sees every field";
      ASSERT_GT(whole.size(), modulus == 3 ? 100u : 7u);
      Reopen(options);
      EXPECT_EQ(scan(&fields), whole) << when << ", indexed by the scan, " << threads << ", " << m;
      EXPECT_EQ(scan(&fields), whole) << when << ", indexed before, " << threads << ", " << m;
      EXPECT_EQ(unprojected.load(), 0) << when;
    }
  };
  expect_same("as written");
  // A comment inside a projected value: that record is parsed, the value assembled [F-030].
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string file = top_ + "/db/items/a/ai.deb822";
  std::string text = ReadAll(file);
  const std::size_t notes = text.find("Notes: first\n more ");
  ASSERT_NE(notes, std::string::npos);
  text.insert(text.find('\n', notes) + 1, "# a note inside the value\n");
  WriteAll(file, text);
  expect_same("a comment inside Notes");
  std::vector<std::string> assembled;
  ASSERT_TRUE(db_->ScanParallel(
                     "items", {"Notes"},
                     [](const deb822::Stanza& record) { return record.Find("Notes") != nullptr; },
                     [&](const Record& record) {
                       if (record.file() == "items/a/ai.deb822") {
                         assembled.emplace_back(*record.Get("Notes"));
                       }
                       return true;
                     })
                  .ok());
  EXPECT_THAT(assembled, ::testing::Contains(::testing::StartsWith("first\n more ")));
  // A comment inside a key's value: the indexer's slow path, the file parsed whole.
  text.insert(text.find("Item: "), "Item: aitem999\n# inside the key\n x\nCount: 3\n\n");
  WriteAll(file, text);
  expect_same("a comment inside a key");
  // Stops early, and fails as ScanParallel does.
  int visited = 0;
  ASSERT_TRUE(
      db_->ScanParallel("items", fields, filter, [&](const Record&) { return ++visited < 3; })
          .ok());
  EXPECT_EQ(visited, 3);
  EXPECT_EQ(db_->ScanParallel("nothing", fields, filter, [](const Record&) { return true; }).code(),
            StatusCode::kNotFound);
}

// Counts the reads of whole files (ReadFile, or NewSequentialFile to read one from start to
// end), per path.
class ReadCountingEnv : public testing::FaultEnv {
 public:
  using FaultEnv::FaultEnv;
  Result<std::string> ReadFile(const std::string& path) override {
    Count(path);
    return FaultEnv::ReadFile(path);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    Count(path);
    return FaultEnv::NewSequentialFile(path);
  }
  // The reads of data files (*.deb822 but schema files) since the last call.
  std::map<std::string, int> TakeDataReads() {
    std::lock_guard<std::mutex> guard(mu_);
    std::map<std::string, int> out;
    for (const auto& [path, n] : reads_) {
      if (path.ends_with(".deb822") && !path.ends_with("/schema.deb822")) {
        out[fs::path(path).filename().string()] = n;
      }
    }
    reads_.clear();
    return out;
  }

 private:
  void Count(const std::string& path) {
    std::lock_guard<std::mutex> guard(mu_);
    ++reads_[path];
  }

  std::mutex mu_;
  std::map<std::string, int> reads_;
};

// A parallel scan reads each data file once: one not indexed yet (or changed since) is indexed
// and parsed from the same bytes [I-014].
TEST_F(DatabaseTest, I014_ScanParallelReadsEachFileOnce) {
  Transaction txn = db_->Begin();
  for (const char* item : {"apple", "bolt", "box", "cable", "drill"}) {
    txn.Put("items", Make({{"Item", item}, {"Count", "1"}}));
  }
  ASSERT_TRUE(txn.Commit().ok());
  ReadCountingEnv env(Env::Default());
  Options options;
  options.env = &env;
  options.threads = 2;
  Reopen(options);
  const auto all = [](const deb822::Stanza&) { return true; };
  std::vector<std::string> got;
  const auto collect = [&](const Record& record) {
    got.emplace_back(*record.Get("Item"));
    return true;
  };
  const std::map<std::string, int> once = {
      {"ap.deb822", 1}, {"bo.deb822", 1}, {"ca.deb822", 1}, {"dr.deb822", 1}};
  ASSERT_TRUE(db_->ScanParallel("items", all, collect).ok());
  EXPECT_EQ(env.TakeDataReads(), once) << "fresh handle: index and parse from one read";
  ASSERT_TRUE(db_->ScanParallel("items", all, collect).ok());
  EXPECT_EQ(env.TakeDataReads(), once) << "indexed (racy) files: one read each";
  // A hand edit: the changed file is indexed again, still from one read, and its new record
  // is visited.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  WriteAll(top_ + "/db/items/b/bo.deb822",
           "Item: bolt\nCount: 1\n\nItem: box\nCount: 1\n\nItem: bottle\nCount: 2\n");
  got.clear();
  const Status edited = db_->ScanParallel("items", all, collect);
  ASSERT_TRUE(edited.ok()) << edited.ToString();
  EXPECT_EQ(env.TakeDataReads(), once);
  EXPECT_EQ(got, (std::vector<std::string>{"apple", "bolt", "bottle", "box", "cable", "drill"}));
  db_.reset();  // before `env` goes
}

// Count is the offset index's record count, and fails as a scan does [I-015].
TEST_F(DatabaseTest, I015_CountComesFromTheIndex) {
  Result<std::uint64_t> count = db_->Count("items");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 0u);
  ASSERT_TRUE(PutItem("bolt", "1").ok());
  ASSERT_TRUE(PutItem("cable", "2").ok());
  ASSERT_TRUE(PutItem("box", "3").ok());
  EXPECT_EQ(db_->Count("items").value(), 3u);
  EXPECT_EQ(db_->Count("places").value(), 2u);
  // A record added by hand is counted; a file that does not parse fails the count with its
  // file and line, and so does a key stored twice.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  fs::create_directories(top_ + "/db/items/d");
  WriteAll(top_ + "/db/items/d/dr.deb822", "Item: drill\nCount: 4\n");
  EXPECT_EQ(db_->Count("items").value(), 4u);
  WriteAll(top_ + "/db/items/d/dr.deb822", "Item: drill\nCount: 4\n\nItem drill2\n");
  Status broken = db_->Count("items").status();
  EXPECT_EQ(broken.code(), StatusCode::kInvalidData);
  EXPECT_THAT(broken.message(), HasSubstr("items/d/dr.deb822:4:"));
  WriteAll(top_ + "/db/items/d/dr.deb822", "Item: drill\nCount: 4\n\nItem: drill\nCount: 5\n");
  broken = db_->Count("items").status();
  EXPECT_EQ(broken.code(), StatusCode::kInvalidData);
  EXPECT_THAT(broken.message(), HasSubstr("stored twice"));
  EXPECT_EQ(db_->Count("nothing").status().code(), StatusCode::kNotFound);
}

// References compare by the referenced key's type: "01" names the integer key 1, so that
// record cannot be deleted while it is referenced that way.
// A data file far larger than the buffer it is read through [I-016]: it is indexed and
// scanned chunk by chunk, and every record keeps its line; a stanza longer than the buffer, runs
// of empty lines and comment paragraphs fall anywhere relative to the chunk boundaries.
class LargePartitionTest : public DatabaseTest {
 protected:
  static constexpr int kRecords = 6000;
  static constexpr int kGiant = 3000;  // the record whose Notes take 800 kB

  void SetUp() override {
    DatabaseTest::SetUp();
    path_ = dir_ + "/items/b/bo.deb822";
    fs::create_directories(dir_ + "/items/b");
    std::uint32_t line = 1;
    const auto add = [&](const std::string& text) {
      text_ += text;
      line += static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n'));
    };
    for (int i = 0; i < kRecords; ++i) {
      const std::string key = fmt::format("bo{:05}", i);
      if (i % 500 == 7) add("# a comment paragraph\n\n");
      if (i % 300 == 11) add("\n\n");  // a run of empty lines
      line_of_[key] = line;
      std::string stanza = fmt::format("Item: {}\nCount: {}\nSerial: s{}\nNotes: {}\n", key, i, i,
                                       std::string(static_cast<std::size_t>(150 + i % 97), 'n'));
      if (i == kGiant) {
        for (int k = 0; k < 20000; ++k) stanza += " " + std::string(39, 'g') + "\n";
      }
      add(stanza + "\n");
    }
    WriteAll(path_, text_);
    ASSERT_GT(text_.size(), std::size_t{2} << 20);
  }

  // Moves the file's modification time out of the racy window, so that an index of it is
  // current without a checksum.
  void AgeFile() {
    fs::last_write_time(path_, fs::file_time_type::clock::now() - std::chrono::seconds(10));
  }

  // Rewrites the file with a comment inside the last record's key value, which the fast indexer
  // cannot take, so it reads the file again whole [I-016]; the file is aged.
  void PutACommentInTheLastKey() {
    const std::string last = fmt::format("Item: bo{:05}\n", kRecords - 1);
    const std::size_t at = text_.rfind(last);
    ASSERT_NE(at, std::string::npos);
    std::string edited = text_;
    edited.replace(at, last.size(), last + "# a note\n more\n");
    WriteAll(path_, edited);
    AgeFile();
  }

  // A fresh handle; with `indexed_first`, one whose index of the file is built (by a get)
  // before the test goes on, so a scan reads a file already indexed.
  void ReopenIndexed(bool indexed_first) {
    Reopen();
    if (indexed_first) {
      ASSERT_TRUE(db_->Get("items", {"bo00000"}).ok());
    }
  }

  // Every record of the table through ScanParallel, checked against what was written; with
  // `projected`, through a projected scan whose filter reads Count (and the giant Notes).
  void ExpectScanFindsEveryRecord(bool projected = false) {
    std::vector<std::string> keys;
    const auto visit = [&](const Record& record) {
      const std::string key(*record.Get("Item"));
      EXPECT_EQ(record.line(), line_of_[key]) << key;
      EXPECT_EQ(record.file(), "items/b/bo.deb822");
      keys.push_back(key);
      return true;
    };
    const Status scanned =
        projected ? db_->ScanParallel(
                        "items", {"Count", "Notes"},
                        [](const deb822::Stanza& record) {
                          return record.Get("Count").has_value() && !record.Get("Item");
                        },
                        visit)
                  : db_->ScanParallel(
                        "items", [](const deb822::Stanza&) { return true; }, visit);
    ASSERT_TRUE(scanned.ok()) << scanned.ToString();
    ASSERT_EQ(keys.size(), std::size_t{kRecords});
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  }

  std::string path_;
  std::string text_;
  std::map<std::string, std::uint32_t> line_of_;
};

TEST_F(LargePartitionTest, I016_IndexedAndScannedInChunksWithTheirLines) {
  for (const unsigned threads : {1u, 2u}) {
    Options options;
    options.threads = threads;
    Reopen(options);
    EXPECT_EQ(*db_->Count("items"), std::uint64_t{kRecords});
    for (const int i : {0, 1, kGiant - 1, kGiant, kGiant + 1, kRecords - 1}) {
      const std::string key = fmt::format("bo{:05}", i);
      Result<Record> record = db_->Get("items", {key});
      ASSERT_TRUE(record.ok()) << key << ": " << record.status().ToString();
      EXPECT_EQ(record->line(), line_of_[key]) << key;
      EXPECT_EQ(*record->Get("Count"), std::to_string(i));
      const auto notes = static_cast<std::size_t>(150 + i % 97 + (i == kGiant ? 20000 * 41 : 0));
      EXPECT_EQ(record->Get("Notes")->size(), notes);
    }
    std::vector<std::string> by_serial;
    ASSERT_TRUE(db_->Lookup("items", "Serial", "s4321",
                            [&](const Record& record) {
                              by_serial.emplace_back(*record.Get("Item"));
                              return true;
                            })
                    .ok());
    EXPECT_EQ(by_serial, std::vector<std::string>{"bo04321"});
    ExpectScanFindsEveryRecord();  // the index is current (racy: checked by checksum)
    AgeFile();
    Reopen(options);
    ExpectScanFindsEveryRecord();  // indexed and parsed from the same chunks
    ExpectScanFindsEveryRecord();  // read again, checked against the index
    for (const bool projected_first : {true, false}) {
      Reopen(options);
      if (!projected_first) ExpectScanFindsEveryRecord();
      ExpectScanFindsEveryRecord(/*projected=*/true);  // from the indexer's scan, or its own
    }
  }
}

// Problems found past the first chunk are reported at their exact line, as the whole-file
// parse reports them.
TEST_F(LargePartitionTest, I016_ProblemsInLaterChunksNameTheirLine) {
  const auto line_count = static_cast<std::uint32_t>(std::count(text_.begin(), text_.end(), '\n'));
  WriteAll(path_, text_ + "Item: bo99999\nCount 1\n");
  Reopen();
  EXPECT_EQ(db_->Get("items", {"bo00001"}).status().message(),
            fmt::format("items/b/bo.deb822:{}:1: error: line is not a field: expected 'Name: "
                        "value', a continuation line starting with a space or tab, a comment "
                        "starting with '#', or an empty line [F-020]",
                        line_count + 2));
  WriteAll(path_, text_ + "Item: bo00001\nCount: 5\n");
  Reopen();
  EXPECT_THAT(db_->Get("items", {"bo00002"}).status().message(),
              HasSubstr(fmt::format("items/b/bo.deb822:{}:1: error: key 'bo00001' is stored "
                                    "twice, at lines {} and {}",
                                    line_count + 1, line_of_["bo00001"], line_count + 1)));
  EXPECT_EQ(db_->Count("items").status().code(), StatusCode::kInvalidData);
}

// A record the fast indexer cannot take (a comment inside its key's value) in the last chunk:
// the file is indexed again whole, and a scan that had taken the earlier chunks starts over,
// so no record is visited twice.
TEST_F(LargePartitionTest, I016_TheSlowPathStartsTheScanOver) {
  ASSERT_NO_FATAL_FAILURE(PutACommentInTheLastKey());
  for (const bool indexed_first : {false, true}) {
    ASSERT_NO_FATAL_FAILURE(ReopenIndexed(indexed_first));
    for (const bool projected : {false, true}) {
      std::size_t seen = 0;
      std::string last_key;
      const auto visit = [&](const Record& record) {
        ++seen;
        last_key = *record.Get("Item");
        return true;
      };
      const auto all = [](const deb822::Stanza&) { return true; };
      ASSERT_TRUE((projected ? db_->ScanParallel("items", {"Item"}, all, visit)
                             : db_->ScanParallel("items", all, visit))
                      .ok());
      EXPECT_EQ(seen, std::size_t{kRecords});
      EXPECT_EQ(last_key, fmt::format("bo{:05}\n more", kRecords - 1));  // the raw value [F-030]
    }
    Result<Record> record = db_->Get("items", {fmt::format("bo{:05}", kRecords - 2)});
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(record->line(), line_of_[fmt::format("bo{:05}", kRecords - 2)]);
  }
}

// A filter may see a record twice when its file is read again from the start [I-014]; Count
// with a filter counts each accepted record once all the same [I-015]. (The command's count
// used to count in a ScanParallel filter, so the records before the chunk the indexer gave up
// on were counted twice.)
TEST_F(LargePartitionTest, I015_CountWithAFilterCountsEachRecordOnce) {
  ASSERT_NO_FATAL_FAILURE(PutACommentInTheLastKey());
  // Even Counts (records 0, 2, ..., 5998), decided from the views of Count alone.
  const auto even = [](const deb822::Stanza& record) {
    const std::optional<std::string_view> count = record.Get("Count");
    return count.has_value() && (count->back() - '0') % 2 == 0;
  };
  for (const bool indexed_first : {false, true}) {
    ASSERT_NO_FATAL_FAILURE(ReopenIndexed(indexed_first));
    std::atomic<int> calls{0};
    Result<std::uint64_t> counted =
        db_->Count("items", {"count", "COUNT"}, [&](const deb822::Stanza& record) {
          ++calls;
          return even(record);
        });
    ASSERT_TRUE(counted.ok()) << counted.status().ToString();
    EXPECT_EQ(*counted, std::uint64_t{kRecords / 2}) << "indexed first: " << indexed_first;
    // Not indexed first, the file was read twice, and the filter saw records again.
    EXPECT_EQ(calls.load() > kRecords, !indexed_first);
  }
  EXPECT_EQ(db_->Count("nothing", {"Count"}, even).status().code(), StatusCode::kNotFound);
}

// A record whose projected field holds a comment is parsed before the filter sees it; the
// filter's stanza still has the record's line in the file, not its line in what was parsed.
TEST_F(LargePartitionTest, I014_AParsedRecordKeepsItsLineForTheFilter) {
  const std::string target = fmt::format("bo{:05}", kRecords - 10);
  const std::string notes = fmt::format("Item: {}\nCount: {}\nSerial: s{}\nNotes: ", target,
                                        kRecords - 10, kRecords - 10);
  const std::size_t at = text_.find(notes);
  ASSERT_NE(at, std::string::npos);
  std::string edited = text_;
  edited.insert(at + notes.size(), "first\n# a note inside the value\n ");
  WriteAll(path_, edited);
  AgeFile();
  for (const bool indexed_first : {false, true}) {
    ASSERT_NO_FATAL_FAILURE(ReopenIndexed(indexed_first));
    std::mutex mu;
    std::map<std::string, std::uint32_t> lines;
    const Status scanned = db_->ScanParallel(
        "items", {"Item", "Notes"},
        [&](const deb822::Stanza& record) {
          const std::string item(*record.Get("Item"));
          if (item == target || item == "bo00001") {
            std::lock_guard<std::mutex> guard(mu);
            lines[item] = record.line();
          }
          return false;
        },
        [](const Record&) { return true; });
    ASSERT_TRUE(scanned.ok()) << scanned.ToString();
    EXPECT_EQ(lines[target], line_of_[target]) << "indexed first: " << indexed_first;
    EXPECT_EQ(lines["bo00001"], line_of_["bo00001"]);
  }
}

TEST_F(DatabaseTest, ReferencesCompareByTheKeysType) {
  ASSERT_TRUE(db_->CreateTable(kNumbersSchema).ok());
  ASSERT_TRUE(db_->CreateTable("Table: uses\nKey: Id\n\nField: N\nReferences: numbers\n").ok());
  Transaction txn = db_->Begin();
  txn.Put("numbers", Make({{"N", "1"}}));
  txn.Put("uses", Make({{"Id", "a"}, {"N", "01"}}));
  ASSERT_TRUE(txn.Commit().ok());
  txn.Delete("numbers", {"1"});
  EXPECT_EQ(txn.Commit().code(), StatusCode::kConflict);
  EXPECT_TRUE(db_->Get("numbers", {"1"}).ok());
}

TEST_F(DatabaseTest, HostileKeysStayInsideTheTableDirectory) {
  const std::vector<std::string> keys = {
      "../x",
      "/etc/passwd",
      ".",
      "..",
      "a/b",
      "\\x",
      "CON",
      "aux.c",
      "nul",
      " x",
      "x ",
      "\xC3\x89mile",
      "%41",
      "a:b",
      "*?<>|",
      std::string(4096, 'k'),
      "e\xCC\x81" + std::string(300, '\xCC') + "",
  };
  Transaction txn = db_->Begin();
  int valid = 0;
  for (const std::string& key : keys) {
    if (!deb822::CheckRawValue(key).ok()) continue;  // not representable as a value at all
    txn.Put("items", Make({{"Item", key.c_str()}, {"Count", "1"}}));
    ++valid;
  }
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_GT(valid, 12);
  for (const std::string& file : AllFiles()) {
    EXPECT_TRUE(file.starts_with("db/")) << file;
  }
  for (const std::string& key : keys) {
    if (!deb822::CheckRawValue(key).ok()) continue;
    Result<Record> record = db_->Get("items", {key});
    ASSERT_TRUE(record.ok()) << key << ": " << record.status().ToString();
    EXPECT_EQ(record->Get("Item"), key);
  }
  std::vector<std::string> problems;
  EXPECT_TRUE(db_->Check(&problems).ok()) << ::testing::PrintToString(problems);
}

TEST_F(DatabaseTest, CaseAndNormalisationVariantsShareAPartition) {
  ASSERT_TRUE(PutItem("\xC3\x89mile", "1").ok());   // É (precomposed)
  ASSERT_TRUE(PutItem("e\xCC\x81mile", "2").ok());  // e + combining acute
  const std::set<std::string> files = AllFiles();
  int data_files = 0;
  for (const std::string& f : files)
    data_files += f.starts_with("db/items/") && !f.ends_with("schema.deb822");
  EXPECT_EQ(data_files, 1);
}

TEST_F(DatabaseTest, ScanVisitsRecordsByPrefixInKeyOrder) {
  for (const char* item : {"bolt", "box", "nut", "Bottle", "washer"}) {
    ASSERT_TRUE(PutItem(item, "1").ok());
  }
  std::vector<std::string> seen;
  ASSERT_TRUE(db_->Scan("items", "bo",
                        [&](const Record& r) {
                          seen.emplace_back(*r.Get("Item"));
                          return true;
                        })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"Bottle", "bolt", "box"}));
  seen.clear();
  ASSERT_TRUE(db_->Scan("items", "",
                        [&](const Record& r) {
                          seen.emplace_back(*r.Get("Item"));
                          return seen.size() < 4;
                        })
                  .ok());
  EXPECT_EQ(seen.size(), 4u);
}

// The offset index is sorted by key bytes (first by the keys' first 8 bytes packed into
// integers): keys that are prefixes of others, share 8 or more bytes, or differ only past them
// are all found after a fresh open.
TEST_F(DatabaseTest, I001_KeysSharingLongPrefixesAreAllFound) {
  std::vector<std::string> items = {"b",          "bo",           "bolt",         "bolt-",
                                    "bolt-m",     "bolt-m1",      "bolt-m10",     "bolt-m100",
                                    "bolt-m1000", "bolt-m10000",  "bolt-m9",      "bolt-n",
                                    "bolt~",      "bolt\xC3\xA9", "bolt\xC3\xA8x"};
  for (int i = 0; i < 40; ++i) items.push_back(fmt::format("bolt-m1-{:02}", 39 - i));
  Transaction txn = db_->Begin();
  for (const std::string& item : items) {
    txn.Put("items", Make({{"Item", item.c_str()}, {"Count", "1"}, {"Location", "shelf"}}));
  }
  ASSERT_TRUE(txn.Commit().ok());
  for (const bool preload : {true, false}) {
    Reopen(Options{.preload = preload});
    for (const std::string& item : items) {
      EXPECT_EQ(CountOf(item), "1") << item << (preload ? " (preloaded)" : "");
    }
    EXPECT_EQ(db_->Get("items", {"bolt-m1-4"}).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(db_->Get("items", {"bolt-m1000000"}).status().code(), StatusCode::kNotFound);
  }
}

// One transaction may change a record several times: each operation sees the ones before it,
// and the checks see the record as it ends.
TEST_F(DatabaseTest, OperationsOnOneRecordInOneTransactionApplyInOrder) {
  ASSERT_TRUE(PutItem("bolt", "1").ok());
  ASSERT_TRUE(PutItem("nut", "1").ok());
  const auto item = [](const char* name, const char* count) {
    return Make({{"Item", name}, {"Count", count}, {"Location", "shelf"}});
  };
  {
    Transaction txn = db_->Begin();
    txn.Delete("items", {"bolt"});           // a record of the file, removed
    txn.Insert("items", item("bolt", "7"));  // and inserted again
    txn.Put("items", item("washer", "1"));   // a new record
    txn.Delete("items", {"washer"});         // removed again
    txn.Put("items", item("screw", "1"));
    txn.Put("items", item("screw", "2"));  // replaced
    txn.Update("items", {"nut"}, {{"Count", "3"}});
    txn.Update("items", {"nut"}, {{"Count", "4"}});
    ASSERT_TRUE(txn.Commit().ok());
  }
  EXPECT_EQ(CountOf("bolt"), "7");
  EXPECT_EQ(db_->Get("items", {"washer"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountOf("screw"), "2");
  EXPECT_EQ(CountOf("nut"), "4");
  // The record as it ends is checked: a re-inserted record with a bad value fails the commit.
  {
    Transaction txn = db_->Begin();
    txn.Delete("items", {"bolt"});
    txn.Insert("items", item("bolt", "x"));
    const Status status = txn.Commit();
    EXPECT_EQ(status.code(), StatusCode::kInvalidData) << status.ToString();
  }
  {
    Transaction txn = db_->Begin();
    txn.Delete("items", {"nut"});
    txn.Update("items", {"nut"}, {{"Count", "5"}});
    EXPECT_EQ(txn.Commit().code(), StatusCode::kNotFound);
  }
  Reopen();
  EXPECT_EQ(CountOf("bolt"), "7");
  EXPECT_EQ(CountOf("nut"), "4");
  std::vector<std::string> problems;
  EXPECT_TRUE(db_->Check(&problems).ok()) << ::testing::PrintToString(problems);
}

TEST_F(DatabaseTest, AutoFilledFields) {
  constexpr char kNotes[] =
      "Table: notes\nKey: Id\n\nField: Id\nType: integer\nAuto: next-integer\n\n"
      "Field: Uid\nUnique: yes\nAuto: uuid\n\nField: Created\nType: date-time\nAuto: created\n";
  ASSERT_TRUE(db_->CreateTable(kNotes).ok());
  for (int i = 0; i < 3; ++i) {
    Transaction txn = db_->Begin();
    txn.Insert("notes", Make({{"Text", "hello"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  Result<Record> third = db_->Get("notes", {"3"});
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->Get("Uid")->size(), 36u);
  EXPECT_TRUE(third->Get("Created").has_value());
  EXPECT_NE(*db_->Get("notes", {"1"})->Get("Uid"), *third->Get("Uid"));
}

TEST_F(DatabaseTest, StatsCountTheIndexAndTheCache) {
  ASSERT_TRUE(PutItem("bolt", "1").ok());
  ASSERT_TRUE(PutItem("nut", "1").ok());
  Reopen();
  ASSERT_TRUE(db_->Get("items", {"bolt"}).ok());
  ASSERT_TRUE(db_->Get("items", {"bolt"}).ok());
  DatabaseStats stats = db_->Stats();
  EXPECT_EQ(stats.partitions, 1u);  // only bolt's partition was read
  EXPECT_EQ(stats.records, 1u);
  EXPECT_EQ(stats.cache_hits, 1u);
  EXPECT_EQ(stats.cache_misses, 1u);
  Reopen(Options{.preload = true});
  EXPECT_EQ(db_->Stats().records, 4u);  // two items, two places
  EXPECT_EQ(db_->Stats().partitions, 4u);
}

TEST_F(DatabaseTest, R001_OpenRecoversAJournalLeftBehind) {
  ASSERT_TRUE(PutItem("bolt", "1").ok());
  ASSERT_TRUE(PutItem("nut", "1").ok());
  // A writer died after its commit point: the journal and one temporary file are there.
  const std::string bolt_new = "Item: bolt\nCount: 2\nLocation: shelf\n";
  WriteAll(dir_ + "/items/b/.bo.deb822.textdb-tmp-1", bolt_new);
  WriteAll(dir_ + "/.textdb/journal",
           internal::EncodeJournal(
               {{"items/b/bo.deb822", bolt_new}, {"items/n/nu.deb822", std::nullopt}},
               {"items/b/.bo.deb822.textdb-tmp-1", ""}));
  Reopen();
  EXPECT_EQ(CountOf("bolt"), "2");
  EXPECT_EQ(db_->Get("items", {"nut"}).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ + "/.textdb/journal"));
  EXPECT_FALSE(fs::exists(dir_ + "/items/b/.bo.deb822.textdb-tmp-1"));
}

// open sweeps the temporary files of commits that never reached their commit point,
// unless the handle skips the sweep (Options::sweep_temp_files); a journal left behind is
// recovered either way, and reads and commits through such a handle are unaffected.
TEST_F(DatabaseTest, R002_OpenSweepsStrayTemporaryFilesUnlessTold) {
  ASSERT_TRUE(PutItem("bolt", "1").ok());
  const std::string stray = dir_ + "/items/b/.bo.deb822.textdb-tmp-feed-1";
  WriteAll(stray, "Item: bolt\nCount: 7\nLocation: shelf\n");
  Options options;
  options.sweep_temp_files = false;
  Reopen(options);
  EXPECT_TRUE(fs::exists(stray));
  EXPECT_EQ(CountOf("bolt"), "1");
  ASSERT_TRUE(PutItem("bolt", "2").ok());
  EXPECT_EQ(CountOf("bolt"), "2");
  EXPECT_TRUE(fs::exists(stray));
  // A journal left behind is still rolled forward.
  const std::string nut = "Item: nut\nCount: 3\nLocation: shelf\n";
  fs::create_directories(dir_ + "/items/n");
  WriteAll(dir_ + "/items/n/.nu.deb822.textdb-tmp-1", nut);
  WriteAll(dir_ + "/.textdb/journal", internal::EncodeJournal({{"items/n/nu.deb822", nut}},
                                                              {"items/n/.nu.deb822.textdb-tmp-1"}));
  Reopen(options);
  EXPECT_EQ(CountOf("nut"), "3");
  EXPECT_FALSE(fs::exists(dir_ + "/.textdb/journal"));
  EXPECT_TRUE(fs::exists(stray));
  Reopen();  // the default sweeps
  EXPECT_FALSE(fs::exists(stray));
  EXPECT_EQ(CountOf("bolt"), "2");
}

TEST_F(DatabaseTest, R003_CorruptJournalStopsOpen) {
  WriteAll(dir_ + "/.textdb/journal", "Journal: textdb 1\n\n# end crc32c=00000000\n");
  db_.reset();
  auto db = Database::Open(dir_, {});
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(db.status().message(), HasSubstr("journal checksum mismatch"));
}

// Two processes insert disjoint keys into the same partitions at the same time: every
// acknowledged insert is present afterwards.
TEST_F(DatabaseTest, TwoWriterProcesses) {
  constexpr int kPerProcess = 25;
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto db = Database::Open(dir_, {});
      if (!db.ok()) ::_exit(2);
      for (int i = 0; i < kPerProcess; ++i) {
        Transaction txn = (*db)->Begin();
        const std::string item = "item-" + std::to_string(p) + "-" + std::to_string(i);
        txn.Insert("items", Make({{"Item", item.c_str()}, {"Count", "1"}}));
        if (!txn.Commit().ok()) ::_exit(3);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < kPerProcess; ++i) {
      EXPECT_TRUE(db_->Get("items", {"item-" + std::to_string(p) + "-" + std::to_string(i)}).ok());
    }
  }
}

TEST_F(DatabaseTest, B021_SchemaChangesAreSeenByOpenHandles) {
  std::unique_ptr<Database> other = std::move(Database::Open(dir_, {})).value();
  // A schema edited by hand: Notes becomes mandatory.
  std::string schema = ReadAll(top_ + "/db/items/schema.deb822");
  const std::size_t notes = schema.find("Field: Notes\n");
  ASSERT_NE(notes, std::string::npos);
  schema.insert(notes + 13, "Mandatory: yes\n");
  WriteAll(top_ + "/db/items/schema.deb822", schema);
  EXPECT_TRUE(db_->GetSchema("items")->Find("Notes")->mandatory);
  Status status = PutItem("bolt", "3");
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_THAT(status.message(), HasSubstr("Notes"));
  // A table created by another handle.
  ASSERT_TRUE(other->CreateTable(kNumbersSchema).ok());
  Transaction txn = db_->Begin();
  txn.Put("numbers", Make({{"N", "7"}}));
  EXPECT_TRUE(txn.Commit().ok());
  EXPECT_TRUE(other->Get("numbers", {"07"}).ok());
  // An invalid schema file stops reads of its table with its error.
  WriteAll(top_ + "/db/numbers/schema.deb822", "Table: numbers\n");
  EXPECT_THAT(db_->Get("numbers", {"7"}).status().message(), HasSubstr("numbers/schema.deb822"));
}

// A writer process updates two records in two partition files in each commit while reader
// processes scan the table in a loop: no reader ever sees one file's new state with the other's
// old one, and every reader sees the writer's last commit once it has been acknowledged.
TEST_F(DatabaseTest, ReaderProcessesNeverSeeHalfOfAMultiFileCommit) {
  constexpr int kCommits = 150;
  {
    Transaction txn = db_->Begin();
    txn.Put("places", Make({{"Place", "attic"}, {"Round", "0"}}));
    txn.Put("places", Make({{"Place", "cellar"}, {"Round", "0"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  int done_pipe[2];
  ASSERT_EQ(::pipe(done_pipe), 0);
  const pid_t writer = ::fork();
  if (writer == 0) {
    ::close(done_pipe[0]);
    auto db = Database::Open(dir_, {});
    if (!db.ok()) ::_exit(2);
    for (int i = 1; i <= kCommits; ++i) {
      Transaction txn = (*db)->Begin();
      txn.Update("places", {"attic"}, {{"Round", std::to_string(i)}});
      txn.Update("places", {"cellar"}, {{"Round", std::to_string(i)}});
      if (!txn.Commit().ok()) ::_exit(3);
    }
    const char done = 'd';
    if (::write(done_pipe[1], &done, 1) != 1) ::_exit(4);
    ::_exit(0);
  }
  ::close(done_pipe[1]);
  std::vector<pid_t> readers;
  for (int r = 0; r < 2; ++r) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto db = Database::Open(dir_, {});
      if (!db.ok()) ::_exit(2);
      int scans = 0;
      for (;;) {
        // Poll whether the writer has finished before the scan, so that the final scan starts
        // after its last acknowledged commit.
        pollfd poll_fd{done_pipe[0], POLLIN, 0};
        const bool writer_done = ::poll(&poll_fd, 1, 0) == 1;
        std::set<std::string> rounds;
        Status status = (*db)->Scan("places", "", [&](const Record& record) {
          if (auto round = record.Get("Round")) rounds.insert(std::string(*round));
          return true;
        });
        if (!status.ok()) ::_exit(5);
        if (rounds.size() != 1) ::_exit(6);  // a mix of two commits
        ++scans;
        if (writer_done) {
          ::_exit(*rounds.begin() == std::to_string(kCommits) && scans > 1 ? 0 : 7);
        }
      }
    }
    readers.push_back(pid);
  }
  ::close(done_pipe[0]);
  int status = 0;
  ::waitpid(writer, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  for (pid_t pid : readers) {
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "reader exit " << WEXITSTATUS(status) << " (6: saw a mix, 7: missed the last commit)";
  }
}

// Fail each Env call of a two-partition commit in turn: afterwards (reopened) the database holds
// exactly the old or the new state of both records.
TEST(DatabaseFaultTest, EveryFailedCallLeavesOldOrNewState) {
  std::unique_ptr<Env> mem = NewMemEnv();
  ASSERT_TRUE(Database::Create("/db", mem.get()).ok());
  {
    auto db = Database::Open("/db", Options{.env = mem.get()});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->CreateTable(kPlacesSchema).ok());
    Transaction txn = (*db)->Begin();
    txn.Put("places", Make({{"Place", "attic"}, {"Note", "old"}}));
    txn.Put("places", Make({{"Place", "cellar"}, {"Note", "old"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  int faults = 0;
  for (long n = 1;; ++n) {
    SCOPED_TRACE(n);
    testing::FaultEnv env(mem.get());
    auto db = Database::Open("/db", Options{.env = &env});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    env.FailAt(n, /*persistent=*/false);
    Transaction txn = (*db)->Begin();
    txn.Update("places", {"attic"}, {{"Note", "new"}});
    txn.Update("places", {"cellar"}, {{"Note", "new"}});
    Status status = txn.Commit();
    const bool hit = env.hit();
    env.FailAt(0, false);
    db->reset();
    auto reopened = Database::Open("/db", Options{.env = mem.get()});
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    const auto attic = (*reopened)->Get("places", {"attic"});
    const auto cellar = (*reopened)->Get("places", {"cellar"});
    ASSERT_TRUE(attic.ok() && cellar.ok());
    EXPECT_EQ(attic->Get("Note"), cellar->Get("Note"));  // never a mix
    if (status.ok()) {
      EXPECT_EQ(attic->Get("Note"), "new");
    }
    // Put the old state back for the next round.
    Transaction undo = (*reopened)->Begin();
    undo.Update("places", {"attic"}, {{"Note", "old"}});
    undo.Update("places", {"cellar"}, {{"Note", "old"}});
    ASSERT_TRUE(undo.Commit().ok());
    if (!hit) break;
    ++faults;
  }
  EXPECT_GT(faults, 10);
}

}  // namespace
}  // namespace textdb
