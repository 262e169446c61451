// Hostile and broken input against the engine on the real file system
// (format-spec/durability-process.md [T-020..T-025]): keys that look like paths or reserved names,
// symbolic links planted inside the database, damaged data files and journals, and pathological
// expressions. Everything happens below a sentinel directory whose other content must never
// change: nothing is created, read through, written or deleted outside the database directory.
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "storage/commit.h"
#include "textdb/db.h"
#include "textdb/query.h"

namespace textdb {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

constexpr char kDeepSchema[] =
    "Table: deep\n"
    "Key: Id\n"
    "Partition-Depth: 4\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Value\n";
constexpr char kFlatSchema[] =
    "Table: flat\n"
    "Key: Id\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Value\n";
constexpr char kTwoSchema[] =
    "Table: two\n"
    "Key: Id\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Value\n";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "textdb-hostile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    sentinel_ = tmpl;
    outside_ = sentinel_ / "outside";
    fs::create_directories(outside_ / "a-dir");
    WriteText(outside_ / "victim.deb822", "Id: apple\nValue: outside\n");
    WriteText(outside_ / "a-dir" / "ap.deb822", "Id: apple\nValue: outside\n");
    dir_ = (sentinel_ / "db").string();
    ASSERT_TRUE(Database::Create(dir_).ok());
    auto db = Open();
    for (const char* schema : {kDeepSchema, kFlatSchema, kTwoSchema}) {
      ASSERT_TRUE(db->CreateTable(schema).ok());
    }
    before_ = Outside();
  }
  void TearDown() override {
    // [T-020]: whatever the test did, the sentinel directory holds only the database and the
    // untouched `outside` tree.
    EXPECT_EQ(Outside(), before_);
    fs::remove_all(sentinel_);
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(dir_, Options{});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Every entry of the sentinel directory outside the database, with file contents.
  std::map<std::string, std::string> Outside() const {
    std::map<std::string, std::string> entries;
    for (auto it = fs::recursive_directory_iterator(sentinel_);
         it != fs::recursive_directory_iterator(); ++it) {
      const std::string rel = fs::relative(it->path(), sentinel_).string();
      if (rel == "db") {
        it.disable_recursion_pending();
        continue;
      }
      entries[rel] = it->is_regular_file() && !it->is_symlink() ? ReadText(it->path()) : "<dir>";
    }
    return entries;
  }

  static Status InsertOne(Database* db, const std::string& table, const std::string& id,
                          const std::string& value) {
    deb822::Stanza stanza;
    TEXTDB_RETURN_IF_ERROR(stanza.SetRaw("Id", id));
    TEXTDB_RETURN_IF_ERROR(stanza.SetRaw("Value", value));
    Transaction txn = db->Begin();
    txn.Insert(table, std::move(stanza));
    return txn.Commit();
  }

  fs::path sentinel_;
  fs::path outside_;
  std::string dir_;
  std::map<std::string, std::string> before_;
};

// [T-020], [P-040]: keys shaped like paths, reserved names and oddities are stored inside the
// table directory (and read back) or refused; no key creates anything elsewhere.
TEST_F(HostileTest, T020_HostileKeysStayInsideTheDatabase) {
  const std::vector<std::string> keys = {"../x",
                                         "../../../../etc/passwd",
                                         "/etc/passwd",
                                         "/",
                                         ".",
                                         "..",
                                         "...",
                                         "a/../../b",
                                         "..\\..\\windows",
                                         "C:\\x",
                                         "con",
                                         "CON",
                                         "aux",
                                         "Aux.txt",
                                         "COM1",
                                         "lpt9",
                                         "nul.deb822",
                                         "x.deb822",
                                         ".hidden",
                                         "trailing.",
                                         "%2E%2E",
                                         "%",
                                         "a%2Fb",
                                         "a:b|c?d*e<f>g\"h",
                                         "\u202Eevil",
                                         "\uFEFFbom",
                                         "ctl\x01\x1b[31m\x7f",
                                         std::string(4096, 'k'),
                                         "e" + [] {
                                           std::string marks;
                                           for (int i = 0; i < 1000; ++i) marks += "\u0301";
                                           return marks;
                                         }()};
  // Keys that are not valid keys [P-002] or not writable as a deb822 value: refused.
  const std::vector<std::string> invalid = {
      "", std::string("nul\0inside", 10), "\xff\xfe", "\xc0\xaf..", "line\nbreak", "trailing "};
  auto db = Open();
  ASSERT_NE(db, nullptr);
  std::vector<std::string> stored;
  for (const std::string& key : keys) {
    for (const char* table : {"deep", "flat"}) {
      const Status status =
          InsertOne(db.get(), table, key, "value of ../" + std::to_string(key.size()));
      ASSERT_TRUE(status.ok()) << table << " key '" << key.substr(0, 40)
                               << "': " << status.ToString();
    }
    stored.push_back(key);
  }
  for (const std::string& key : invalid) {
    const Status status = InsertOne(db.get(), "deep", key, "x");
    EXPECT_FALSE(status.ok()) << "key '" << key << "' was accepted";
  }
  // Values with the same shapes are plain data.
  EXPECT_TRUE(InsertOne(db.get(), "flat", "values", "../../etc/passwd /abs . .. CON").ok());

  db = Open();  // a fresh handle reads everything from disk
  ASSERT_NE(db, nullptr);
  for (const std::string& key : stored) {
    for (const char* table : {"deep", "flat"}) {
      Result<Record> record = db->Get(table, {key});
      ASSERT_TRUE(record.ok()) << table << " '" << key.substr(0, 40)
                               << "': " << record.status().ToString();
      EXPECT_EQ(*record->Get("Value"), "value of ../" + std::to_string(key.size()));
    }
  }
  std::vector<std::string> problems;
  EXPECT_TRUE(db->Check(&problems).ok()) << ::testing::PrintToString(problems);
  // Every entry below the database is a plain directory or file whose name is safe [P-040].
  for (auto it = fs::recursive_directory_iterator(dir_); it != fs::recursive_directory_iterator();
       ++it) {
    EXPECT_FALSE(it->is_symlink()) << it->path();
    const std::string name = it->path().filename().string();
    EXPECT_NE(name, "..");
    EXPECT_LE(name.size(), 64u) << name;
    EXPECT_EQ(name.find_first_of(std::string("\\:*?\"<>|\0", 9)), std::string::npos) << name;
  }
}

// [T-021]: a data file replaced by a symbolic link to a file outside is refused by every read and
// write; the outside file is neither read, written nor deleted.
TEST_F(HostileTest, T021_SymlinkedDataFileIsRefused) {
  {
    auto db = Open();
    ASSERT_TRUE(InsertOne(db.get(), "flat", "apple", "inside").ok());
  }
  const fs::path file = fs::path(dir_) / "flat" / "a.deb822";
  ASSERT_TRUE(fs::exists(file));
  fs::remove(file);
  fs::create_symlink(outside_ / "victim.deb822", file);
  auto db = Open();
  ASSERT_NE(db, nullptr);
  Result<Record> got = db->Get("flat", {"apple"});
  EXPECT_FALSE(got.ok()) << "read through a symlink: " << *got->Get("Value");
  EXPECT_FALSE(db->Scan("flat", "", [](const Record&) { return true; }).ok());
  EXPECT_FALSE(InsertOne(db.get(), "flat", "avocado", "x").ok());
  {
    Transaction txn = db->Begin();
    txn.Delete("flat", {"apple"});
    EXPECT_FALSE(txn.Commit().ok());
  }
  {
    Transaction txn = db->Begin();
    txn.Update("flat", {"apple"}, {{"Value", "written"}});
    EXPECT_FALSE(txn.Commit().ok());
  }
  std::vector<std::string> problems;
  EXPECT_FALSE(db->Check(&problems).ok());
  EXPECT_THAT(::testing::PrintToString(problems), HasSubstr("a.deb822"));
  EXPECT_TRUE(fs::is_symlink(file));
}

// [T-022]: a partition directory replaced by a symbolic link to a directory outside is refused:
// no read of the files behind it, no file created or replaced in it.
TEST_F(HostileTest, T022_SymlinkedPartitionDirectoryIsRefused) {
  {
    auto db = Open();
    ASSERT_TRUE(InsertOne(db.get(), "two", "apple", "inside").ok());
  }
  const fs::path partition_dir = fs::path(dir_) / "two" / "a";
  ASSERT_TRUE(fs::exists(partition_dir / "ap.deb822"));
  fs::remove_all(partition_dir);
  fs::create_directory_symlink(outside_ / "a-dir", partition_dir);
  auto db = Open();
  ASSERT_NE(db, nullptr);
  Result<Record> got = db->Get("two", {"apple"});
  EXPECT_FALSE(got.ok()) << "read through a symlinked directory: " << *got->Get("Value");
  EXPECT_FALSE(db->Scan("two", "", [](const Record&) { return true; }).ok());
  EXPECT_FALSE(db->Scan("two", "ap", [](const Record&) { return true; }).ok());
  EXPECT_FALSE(InsertOne(db.get(), "two", "apricot", "x").ok());  // the existing file
  EXPECT_FALSE(InsertOne(db.get(), "two", "avocado", "x").ok());  // a new file in it
  {
    Transaction txn = db->Begin();
    txn.Delete("two", {"apple"});
    EXPECT_FALSE(txn.Commit().ok());
  }
  std::vector<std::string> problems;
  EXPECT_FALSE(db->Check(&problems).ok());
  EXPECT_TRUE(fs::is_symlink(partition_dir));
}

// [T-023]: damaged data files give an error naming the file and the line, from every read and
// from Check; never a crash or a hang.
TEST_F(HostileTest, T023_DamagedDataFilesGivePreciseErrors) {
  {
    auto db = Open();
    for (const char* id : {"apple", "avocado", "apricot"}) {
      ASSERT_TRUE(InsertOne(db.get(), "flat", id, std::string("value of ") + id).ok());
    }
  }
  const fs::path file = fs::path(dir_) / "flat" / "a.deb822";
  const std::string good = ReadText(file);
  const std::string line2 = good.substr(0, good.find('\n') + 1);
  const std::map<std::string, std::string> damaged = {
      {"truncated inside a field name", good.substr(0, line2.size() + 3)},
      {"zero-filled", std::string(good.size(), '\0')},
      {"conflict markers",
       "<<<<<<< HEAD\n" + good + "=======\nId: apple\nValue: theirs\n" + ">>>>>>> branch\n"},
      {"not UTF-8", line2 + "Value: caf\xe9\n"},
      {"a NUL inside", line2 + std::string("Value: a\0b\n", 11)},
  };
  for (const auto& [what, text] : damaged) {
    SCOPED_TRACE(what);
    WriteText(file, text);
    auto db = Open();
    ASSERT_NE(db, nullptr);
    Result<Record> got = db->Get("flat", {"apple"});
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidData);
    EXPECT_THAT(got.status().message(), ContainsRegex("flat/a\\.deb822:[0-9]+:[0-9]+: error"));
    std::vector<std::string> problems;
    EXPECT_FALSE(db->Check(&problems).ok());
    ASSERT_FALSE(problems.empty());
    EXPECT_THAT(problems.front(), ContainsRegex("flat/a\\.deb822:[0-9]+:[0-9]+: error"));
  }
  // Every single bit flipped in turn: an error naming the file, or a file that still parses.
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string flipped = good;
    flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
    WriteText(file, flipped);
    auto db = Open();
    ASSERT_NE(db, nullptr);
    std::vector<std::string> problems;
    if (!db->Check(&problems).ok()) {
      ASSERT_FALSE(problems.empty()) << "byte " << i;
      EXPECT_THAT(problems.front(), ContainsRegex("\\.deb822:[0-9]+:[0-9]+: error")) << i;
    }
    (void)db->Scan("flat", "", [](const Record&) { return true; });
  }
}

// [T-024], [R-003]: a journal whose checksum does not match stops the open with an error naming
// the journal and its line, and changes nothing.
TEST_F(HostileTest, T024_JournalWithBadChecksumChangesNothing) {
  {
    auto db = Open();
    ASSERT_TRUE(InsertOne(db.get(), "flat", "apple", "kept").ok());
  }
  const fs::path data = fs::path(dir_) / "flat" / "a.deb822";
  const std::string before = ReadText(data);
  std::string journal = internal::EncodeJournal(
      {{"flat/a.deb822", "Id: apple\nValue: replaced\n"}, {"flat/b.deb822", std::nullopt}},
      {"flat/.a.deb822.textdb-tmp-1", ""});
  journal[journal.find("replace")] = 'R';
  WriteText(fs::path(dir_) / ".textdb" / "journal", journal);
  auto db = Database::Open(dir_, Options{});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(db.status().message(), ContainsRegex("\\.textdb/journal:[0-9]+"));
  EXPECT_EQ(ReadText(data), before);
  EXPECT_TRUE(fs::exists(fs::path(dir_) / ".textdb" / "journal"));
}

// [T-025]: pathological expressions and SQL fail with an error in bounded time and memory.
TEST(HostileQueryTest, T025_PathologicalExpressionsFailFast) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::string deep = std::string(100000, '(') + "a = 1" + std::string(100000, ')');
  std::string nots(100000, '!');
  nots += "a = 1";
  std::string ands = "a = 1";
  for (int i = 0; i < 20000; ++i) ands += " && a = 1";  // long, but not deep: parses
  std::string huge_regex = "a ~ \"";
  for (int i = 0; i < 1000; ++i) huge_regex += "(x{1000}|y)";
  huge_regex += "\"";
  for (const std::string& text :
       {deep, nots, std::string("a ~ \"((x{1000}){1000}){1000}\""), huge_regex}) {
    Result<Expression> parsed = Expression::Parse(text);
    EXPECT_FALSE(parsed.ok()) << text.substr(0, 40);
    if (!parsed.ok()) {
      EXPECT_THAT(parsed.status().message(), ContainsRegex("^1:[0-9]+: error"));
    }
  }
  EXPECT_TRUE(Expression::Parse(ands).ok());
  EXPECT_FALSE(ParseSql("SELECT a FROM t WHERE " + deep).ok());
  EXPECT_FALSE(ParseSql("SELECT a FROM t WHERE " + nots).ok());
  EXPECT_FALSE(ParseSql(std::string(100000, '(')).ok());
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(20));
}

}  // namespace
}  // namespace textdb
