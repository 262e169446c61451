// Tests for Database::Repartition and SplitLargePartitions (format-spec/partitioning.md
// [P-014], [P-070..P-074]).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "fault_env.h"
#include "textdb/db.h"

namespace textdb {
namespace {

using ::testing::HasSubstr;

constexpr char kSchema[] =
    "# People we know.\n"
    "Table: people\n"
    "Key: Name\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Name\n"
    "Description: what they are called\n";

// A database in memory at /db, and helpers that write and list its files as an editor would.
class MemDatabaseTest : public ::testing::Test {
 protected:
  // `table_dir`: the directory Files() lists.
  explicit MemDatabaseTest(std::string table_dir) : table_dir_(std::move(table_dir)) {}

  // Creates the database, opens db_ and creates the table of `schema`, whose schema file then
  // holds `schema` as written (CreateTable writes the canonical form; a file edited by hand
  // keeps its comments).
  void CreateTable(const std::string& schema) {
    ASSERT_TRUE(Database::Create("/db", mem_.get()).ok());
    db_ = Open();
    ASSERT_TRUE(db_->CreateTable(schema).ok());
    Write(table_dir_ + "/schema.deb822", schema);
  }

  std::unique_ptr<Database> Open(Env* env = nullptr) {
    Options options;
    options.env = env != nullptr ? env : mem_.get();
    auto db = Database::Open("/db", options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Writes `text` to `path`, creating the directories on the way.
  void Write(const std::string& path, const std::string& text) {
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      ASSERT_TRUE(mem_->CreateDir(path.substr(0, slash)).ok());
    }
    auto file = mem_->NewWritableFile(path, false);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(text).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string Read(const std::string& path) {
    Result<std::string> text = mem_->ReadFile(path);
    return text.ok() ? *text : "<" + text.status().ToString() + ">";
  }

  // Every file and directory (with a trailing '/') below the table directory, relative, with
  // its content.
  std::map<std::string, std::string> Files() { return FilesBelow(table_dir_, ""); }

  std::unique_ptr<Env> mem_ = NewMemEnv();
  std::unique_ptr<Database> db_;

 private:
  std::map<std::string, std::string> FilesBelow(const std::string& dir, const std::string& rel) {
    std::map<std::string, std::string> out;
    const Result<std::vector<std::string>> names = mem_->ListDir(dir);
    for (const std::string& name : *names) {
      const std::string path = dir + "/" + name;
      const std::string child = rel.empty() ? name : rel + "/" + name;
      if (mem_->Stat(path)->type == FileInfo::Type::kDirectory) {
        out[child + "/"] = "";
        out.merge(FilesBelow(path, child));
      } else {
        out[child] = Read(path);
      }
    }
    return out;
  }

  const std::string table_dir_;
};

class RepartitionTest : public MemDatabaseTest {
 protected:
  RepartitionTest() : MemDatabaseTest("/db/people") {}

  void SetUp() override {
    CreateTable(kSchema);
    // Files written by hand: comments inside and between stanzas, keys of several lengths
    // (including one shorter than the new depth) and non-ASCII ones.
    Write("/db/people/j.deb822",
          "# Header comment of j.\n"
          "\n"
          "Name: jane\n"
          "# about Jane\n"
          "Age: 41\n"
          "\n"
          "Name: J\n"
          "\n"
          "# Before John.\n"
          "\n"
          "Name: john\n"
          "Note: multi\n"
          " line\n"
          "\n"
          "# Trailing comment of j.\n");
    Write("/db/people/z.deb822", "Name: zoe\n");
    Transaction txn = db_->Begin();
    for (const char* name : {"Émile", "éa"}) {
      deb822::Stanza record;
      ASSERT_TRUE(record.SetRaw("Name", name).ok());
      txn.Put("people", record);
    }
    ASSERT_TRUE(txn.Commit().ok());
  }

  // The stanza text of every record by name.
  std::map<std::string, std::string> Records(Database* db) {
    std::map<std::string, std::string> out;
    EXPECT_TRUE(db->Scan("people", "", [&](const Record& record) {
                    std::string text;
                    record.stanza().Write(&text);
                    out[std::string(*record.Get("Name"))] = text;
                    return true;
                  }).ok());
    return out;
  }
};

TEST_F(RepartitionTest, P070_MovesEveryRecordKeepingItsBytesAndComments) {
  const auto before = Records(db_.get());
  ASSERT_EQ(before.size(), 6u);
  ASSERT_TRUE(db_->Repartition("people", 2).ok());
  EXPECT_EQ(Records(db_.get()), before);
  EXPECT_EQ(Files(), (std::map<std::string, std::string>{
                         {"schema.deb822",
                          "# People we know.\n"
                          "Table: people\n"
                          "Key: Name\n"
                          "Partition-Depth: 2\n"
                          "\n"
                          "Field: Name\n"
                          "Description: what they are called\n"},
                         {"j.deb822", "Name: J\n"},
                         {"j/", ""},
                         {"j/ja.deb822",
                          "# Header comment of j.\n"
                          "\n"
                          "Name: jane\n"
                          "# about Jane\n"
                          "Age: 41\n"},
                         {"j/jo.deb822",
                          "# Before John.\n"
                          "\n"
                          "Name: john\n"
                          "Note: multi\n"
                          " line\n"
                          "\n"
                          "# Trailing comment of j.\n"},
                         {"é/", ""},
                         {"é/éa.deb822", "Name: éa\n"},
                         {"é/ém.deb822", "Name: Émile\n"},
                         {"z/", ""},
                         {"z/zo.deb822", "Name: zoe\n"},
                     }));
  std::vector<std::string> problems;
  EXPECT_TRUE(db_->Check(&problems).ok()) << ::testing::PrintToString(problems);
  EXPECT_EQ(db_->GetSchema("people")->partition_depth(), 2);
  // A new handle reads the new layout.
  db_.reset();
  db_ = Open();
  EXPECT_EQ(Records(db_.get()), before);
  EXPECT_TRUE(db_->Get("people", {"Émile"}).ok());
}

TEST_F(RepartitionTest, P072_DepthZeroKeepsOneFileInKeyOrderAndRemovesEmptyDirectories) {
  ASSERT_TRUE(db_->Repartition("people", 2).ok());
  const auto before = Records(db_.get());
  ASSERT_TRUE(db_->Repartition("people", 0).ok());
  const auto files = Files();
  EXPECT_THAT(
      files, ::testing::ElementsAre(::testing::Key("all.deb822"), ::testing::Key("schema.deb822")));
  EXPECT_EQ(files.at("all.deb822"),
            "Name: J\n"
            "\n"
            "# Header comment of j.\n"
            "\n"
            "Name: jane\n"
            "# about Jane\n"
            "Age: 41\n"
            "\n"
            "# Before John.\n"
            "\n"
            "Name: john\n"
            "Note: multi\n"
            " line\n"
            "\n"
            "# Trailing comment of j.\n"
            "\n"
            "Name: zoe\n"
            "\n"
            "Name: Émile\n"  // string keys order by code point: É (U+00C9) < é (U+00E9)
            "\n"
            "Name: éa\n");
  EXPECT_EQ(Records(db_.get()), before);
}

TEST_F(RepartitionTest, P071_AtTheSameDepthItMovesMisplacedRecordsHome) {
  Write("/db/people/z.deb822", "Name: zoe\n\nName: adam\n");  // adam belongs in a.deb822
  std::vector<std::string> problems;
  EXPECT_FALSE(db_->Check(&problems).ok());
  ASSERT_TRUE(db_->Repartition("people", 1).ok());
  EXPECT_EQ(Read("/db/people/a.deb822"), "Name: adam\n");
  EXPECT_EQ(Read("/db/people/z.deb822"), "Name: zoe\n");
  problems.clear();
  EXPECT_TRUE(db_->Check(&problems).ok()) << ::testing::PrintToString(problems);
}

TEST_F(RepartitionTest, P071_RefusesDuplicateKeysAndUnreadableFilesChangingNothing) {
  Write("/db/people/z.deb822", "Name: zoe\n\nName: jane\n");  // "jane" is in j.deb822
  auto before = Files();
  Status status = db_->Repartition("people", 2);
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_THAT(status.message(), HasSubstr("stored twice"));
  EXPECT_THAT(status.message(), HasSubstr("people/j.deb822:3"));
  EXPECT_THAT(status.message(), HasSubstr("people/z.deb822:3"));
  EXPECT_EQ(Files(), before);

  Write("/db/people/z.deb822", "Name: zoe\nbroken line\n");
  before = Files();
  status = db_->Repartition("people", 2);
  EXPECT_EQ(status.code(), StatusCode::kInvalidData);
  EXPECT_THAT(status.message(), HasSubstr("people/z.deb822:2:"));
  EXPECT_EQ(Files(), before);

  EXPECT_EQ(db_->Repartition("people", 5).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->Repartition("nobody", 1).code(), StatusCode::kNotFound);
}

TEST_F(RepartitionTest, P070_AnotherHandleSeesTheNewLayout) {
  std::unique_ptr<Database> other = Open();
  const auto before = Records(other.get());
  ASSERT_TRUE(db_->Get("people", {"john"}).ok());
  ASSERT_TRUE(other->Get("people", {"john"}).ok());  // indexed under depth 1
  ASSERT_TRUE(db_->Repartition("people", 2).ok());
  EXPECT_TRUE(other->Get("people", {"john"}).ok());
  EXPECT_TRUE(other->Get("people", {"jane"}).ok());
  EXPECT_EQ(Records(other.get()), before);
  // And writes through the other handle land where the new depth says.
  Transaction txn = other->Begin();
  deb822::Stanza record;
  ASSERT_TRUE(record.SetRaw("Name", "jill").ok());
  txn.Put("people", record);
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(Read("/db/people/j/ji.deb822"), "Name: jill\n");
  std::vector<std::string> problems;
  EXPECT_TRUE(db_->Check(&problems).ok()) << ::testing::PrintToString(problems);
}

TEST_F(RepartitionTest, B030_FormatWritesCanonicalFilesInKeyOrderAndIsIdempotent) {
  Write("/db/people/z.deb822",
        "Name:   zoe\n"
        "Note:\tx\n"
        "\n\n\n"
        "# two\n"
        "\n"
        "\n"
        "# paragraphs\n"
        "\n"
        "Name: zack\n");
  const auto before = Records(db_.get());
  std::vector<std::string> changed;
  ASSERT_TRUE(db_->Format("people", /*check_only=*/true, &changed).ok());
  EXPECT_THAT(changed, ::testing::ElementsAre("people/j.deb822", "people/z.deb822"));
  EXPECT_EQ(Read("/db/people/z.deb822").substr(0, 12), "Name:   zoe\n");  // unchanged
  changed.clear();
  ASSERT_TRUE(db_->Format("people", /*check_only=*/false, &changed).ok());
  EXPECT_THAT(changed, ::testing::ElementsAre("people/j.deb822", "people/z.deb822"));
  EXPECT_EQ(Read("/db/people/z.deb822"),
            "# two\n"
            "\n"
            "# paragraphs\n"
            "\n"
            "Name: zack\n"
            "\n"
            "Name: zoe\n"
            "Note: x\n");
  EXPECT_EQ(Read("/db/people/j.deb822"),
            "Name: J\n"
            "\n"
            "# Header comment of j.\n"
            "\n"
            "Name: jane\n"
            "# about Jane\n"
            "Age: 41\n"
            "\n"
            "# Before John.\n"
            "\n"
            "Name: john\n"
            "Note: multi\n"
            " line\n"
            "\n"
            "# Trailing comment of j.\n");
  EXPECT_EQ(Records(db_.get()).size(), before.size());
  changed.clear();
  ASSERT_TRUE(db_->Format("people", /*check_only=*/true, &changed).ok());
  EXPECT_THAT(changed, ::testing::IsEmpty());  // idempotent
}

// Fail each Env call of a re-partition in turn: afterwards (reopened) the table is wholly in the
// old layout or wholly in the new one, with every record readable.
TEST_F(RepartitionTest, P070_EveryFailedCallLeavesTheOldOrTheNewLayout) {
  // Start from files in key order (the hand-written j.deb822 is not), so that a round trip
  // through depth 2 gives them back byte for byte.
  ASSERT_TRUE(db_->Repartition("people", 2).ok());
  ASSERT_TRUE(db_->Repartition("people", 1).ok());
  db_.reset();
  const auto original = Files();
  int faults = 0;
  for (long n = 1;; ++n) {
    SCOPED_TRACE(n);
    testing::FaultEnv env(mem_.get());
    std::unique_ptr<Database> db = Open(&env);
    ASSERT_NE(db, nullptr);
    env.FailAt(n, /*persistent=*/false);
    const Status status = db->Repartition("people", 2);
    const bool hit = env.hit();
    env.FailAt(0, false);
    db.reset();
    db = Open();
    ASSERT_NE(db, nullptr);
    const int depth = db->GetSchema("people")->partition_depth();
    EXPECT_TRUE(depth == 1 || depth == 2);
    if (status.ok()) {
      EXPECT_EQ(depth, 2);
    }
    EXPECT_EQ(Records(db.get()).size(), 6u);
    std::vector<std::string> problems;
    EXPECT_TRUE(db->Check(&problems).ok()) << ::testing::PrintToString(problems);
    if (depth == 2) {  // back to the original files for the next round
      ASSERT_TRUE(db->Repartition("people", 1).ok());
      auto files = Files();
      EXPECT_EQ(files.erase("j/"), 0u);  // empty directories went too
      // The comments followed their records; the file contents are the originals.
      EXPECT_EQ(files, original);
    }
    if (!hit) break;
    ++faults;
  }
  EXPECT_GT(faults, 10);
}

// ---------------------------------------------------------------------------------------------
// Split partitions (format-spec/partitioning.md [P-014], [P-074]; schema.md [S-016]).

// An Env that records the data-file reads and every call that changes the file system.
class RecordingEnv : public testing::FaultEnv {
 public:
  using FaultEnv::FaultEnv;
  Result<std::string> ReadFile(const std::string& path) override {
    Note("read", path);
    return FaultEnv::ReadFile(path);
  }
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    Note("read", path);
    return FaultEnv::ReadFileRange(path, offset, length);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    Note("write", path);
    return FaultEnv::NewWritableFile(path, exclusive);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    Note("rename", from + " -> " + to);
    return FaultEnv::Rename(from, to);
  }
  Status RemoveFile(const std::string& path) override {
    Note("unlink", path);
    return FaultEnv::RemoveFile(path);
  }
  Status CreateDir(const std::string& path) override {
    Note("mkdir", path);
    return FaultEnv::CreateDir(path);
  }
  Status RemoveDir(const std::string& path) override {
    Note("rmdir", path);
    return FaultEnv::RemoveDir(path);
  }

  // The data files of table pkgs read since the last Clear (relative to the table directory).
  std::set<std::string> DataFilesRead() {
    std::lock_guard<std::mutex> guard(mu_);
    std::set<std::string> out;
    for (const std::string& call : calls_) {
      const std::string prefix = "read /db/pkgs/";
      if (call.starts_with(prefix) && call != prefix + "schema.deb822") {
        out.insert(call.substr(prefix.size()));
      }
    }
    return out;
  }
  // The calls since the last Clear that change the file system.
  std::vector<std::string> Changes() {
    std::lock_guard<std::mutex> guard(mu_);
    std::vector<std::string> out;
    for (const std::string& call : calls_) {
      if (!call.starts_with("read ")) out.push_back(call);
    }
    return out;
  }
  void Clear() {
    std::lock_guard<std::mutex> guard(mu_);
    calls_.clear();
  }

 private:
  void Note(const std::string& what, const std::string& path) {
    std::lock_guard<std::mutex> guard(mu_);
    calls_.push_back(what + " " + path);
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

constexpr char kPkgsSchema[] =
    "# Debian packages.\n"
    "Table: pkgs\n"
    "Key: Package\n"
    "Partition-Depth: 2\n"
    "Description: Packages\n"
    " of a Debian archive.\n"
    "\n"
    "# The key.\n"
    "Field: Package\n"
    "Description: the package name\n";

constexpr std::uint64_t kLimit = 200;

// A record of `name` whose Description is `size` x's: 24 + name.size() + size bytes.
std::string Pkg(const std::string& name, std::size_t size = 40) {
  return "Package: " + name + "\nDescription: " + std::string(size, 'x') + "\n";
}

// libc-bin as written by hand: extra spaces and a comment inside the stanza.
const std::string kLibcBin =
    "Package:   libc-bin\n# inside libc-bin\nDescription: " + std::string(40, 'x') + "\n";

class SplitPartitionTest : public MemDatabaseTest {
 protected:
  SplitPartitionTest() : MemDatabaseTest("/db/pkgs") {}

  void SetUp() override {
    CreateTable(kPkgsSchema);
    // Depth 2, no split partitions: every li... key in l/li.deb822, out of key order, with a
    // comment paragraph before the first stanza and one after the last.
    Write("/db/pkgs/l.deb822", Pkg("l"));
    Write("/db/pkgs/l/li.deb822", "# Packages starting with li.\n\n" + Pkg("linux") + "\n" +
                                      Pkg("libc6") + "\n" + kLibcBin + "\n" + Pkg("li") + "\n" +
                                      Pkg("lib") + "\n" + Pkg("libssl3") + "\n" + Pkg("LibX11") +
                                      "\n" + Pkg("lintian") + "\n# End of li.\n");
    Write("/db/pkgs/l/lx.deb822", Pkg("lx"));
    Write("/db/pkgs/a/ap.deb822", Pkg("apt"));
    Write("/db/pkgs/b/bx.deb822", Pkg("bx", 300));  // 327 bytes, and its key is its partition
  }

  // Files() without the directories.
  std::map<std::string, std::string> DataAndSchema() {
    std::map<std::string, std::string> out = Files();
    std::erase_if(out, [](const auto& entry) { return entry.first.ends_with("/"); });
    return out;
  }

  // The Package of every record `prefix` selects, in scan order.
  std::vector<std::string> Scan(Database* db, std::string_view prefix) {
    std::vector<std::string> out;
    const Status status = db->Scan("pkgs", prefix, [&](const Record& record) {
      out.emplace_back(*record.Get("Package"));
      return true;
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  // The file (relative to the table directory) that Get finds `name` in, or the error.
  std::string FileOf(Database* db, const std::string& name) {
    Result<Record> record = db->Get("pkgs", {name});
    if (!record.ok()) return "<" + record.status().ToString() + ">";
    return record->file().substr(std::string("pkgs/").size());
  }

  Status Put(const std::string& text) {
    Result<deb822::Document> doc = deb822::Parse(text);
    if (!doc.ok()) return doc.status();
    Transaction txn = db_->Begin();
    for (const deb822::Stanza& stanza : doc->stanzas()) txn.Put("pkgs", stanza);
    return txn.Commit();
  }

  Status Delete(const std::vector<std::string>& names) {
    Transaction txn = db_->Begin();
    for (const std::string& name : names) txn.Delete("pkgs", {name});
    return txn.Commit();
  }

  std::vector<std::string> Problems(Database* db) {
    std::vector<std::string> problems;
    (void)db->Check(&problems);
    return problems;
  }
};

// The schema file of the split layout: the original with Partition-Split added.
const std::string kSplitSchema =
    "# Debian packages.\n"
    "Table: pkgs\n"
    "Key: Package\n"
    "Partition-Depth: 2\n"
    "Description: Packages\n"
    " of a Debian archive.\n"
    "Partition-Split:\n"
    " li\n"
    " lib\n"
    "\n"
    "# The key.\n"
    "Field: Package\n"
    "Description: the package name\n";

// The files of SetUp's records after Repartition("pkgs", 2, kLimit).
std::map<std::string, std::string> SplitLayout() {
  return {
      {"schema.deb822", kSplitSchema},
      {"a/", ""},
      {"a/ap.deb822", Pkg("apt")},
      {"b/", ""},
      {"b/bx.deb822", Pkg("bx", 300)},
      {"l.deb822", Pkg("l")},
      {"l/", ""},
      {"l/li.deb822", Pkg("li")},
      {"l/li/", ""},
      {"l/li/lib.deb822", Pkg("lib")},
      {"l/li/lib/", ""},
      {"l/li/lib/libc.deb822", kLibcBin + "\n" + Pkg("libc6")},  // "libc-bin" < "libc6"
      {"l/li/lib/libs.deb822", Pkg("libssl3")},
      {"l/li/lib/libx.deb822", Pkg("LibX11")},  // folded: libx11
      {"l/li/lin.deb822",
       Pkg("lintian") + "\n# End of li.\n\n# Packages starting with li.\n\n" + Pkg("linux")},
      {"l/lx.deb822", Pkg("lx")},
  };
}

// The key order [S-121]: by code point, so "LibX11" first.
const std::vector<std::string> kAllKeys = {"LibX11",  "apt",     "bx",       "l",
                                           "li",      "lib",     "libc-bin", "libc6",
                                           "libssl3", "lintian", "linux",    "lx"};

TEST_F(SplitPartitionTest, P074_SplitAboveSplitsLargePartitionsAndKeepsEveryRecordsBytes) {
  ASSERT_EQ(Scan(db_.get(), ""), kAllKeys);
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  EXPECT_EQ(Files(), SplitLayout());
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(), (std::vector<std::string>{"li", "lib"}));
  // No data file is above the limit but b/bx.deb822, whose one key is its partition's prefix.
  for (const auto& [path, content] : Files()) {
    if (path.ends_with(".deb822") && path != "schema.deb822" && path != "b/bx.deb822") {
      EXPECT_LE(content.size(), kLimit) << path;
    }
  }
  EXPECT_GT(Read("/db/pkgs/b/bx.deb822").size(), kLimit);
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());

  // Reads, through this handle and a new one that has never seen the old layout.
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    if (round == 1) {
      db_.reset();
      db_ = Open();
    }
    EXPECT_EQ(Scan(db_.get(), ""), kAllKeys);
    EXPECT_EQ(FileOf(db_.get(), "l"), "l.deb822");
    EXPECT_EQ(FileOf(db_.get(), "li"), "l/li.deb822");
    EXPECT_EQ(FileOf(db_.get(), "lib"), "l/li/lib.deb822");
    EXPECT_EQ(FileOf(db_.get(), "libc6"), "l/li/lib/libc.deb822");
    EXPECT_EQ(FileOf(db_.get(), "libc-bin"), "l/li/lib/libc.deb822");
    EXPECT_EQ(FileOf(db_.get(), "LibX11"), "l/li/lib/libx.deb822");
    EXPECT_EQ(FileOf(db_.get(), "lintian"), "l/li/lin.deb822");
    EXPECT_EQ(FileOf(db_.get(), "lx"), "l/lx.deb822");
    Result<Record> libc6 = db_->Get("pkgs", {"libc6"});
    ASSERT_TRUE(libc6.ok());
    EXPECT_EQ(libc6->line(), 5u);
    std::string text;
    libc6->stanza().Write(&text);
    EXPECT_EQ(text, Pkg("libc6"));
    EXPECT_EQ(db_->Get("pkgs", {"libc"}).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(db_->Get("pkgs", {"LIBC6"}).status().code(), StatusCode::kNotFound);
  }

  // Prefix scans read only the files that may hold a match [P-051].
  RecordingEnv env(mem_.get());
  std::unique_ptr<Database> db = Open(&env);
  const auto scan = [&](std::string_view prefix) {
    env.Clear();
    std::vector<std::string> names = Scan(db.get(), prefix);
    return std::make_pair(names, env.DataFilesRead());
  };
  using Names = std::vector<std::string>;
  using Paths = std::set<std::string>;
  EXPECT_EQ(scan("li"),
            std::make_pair(
                Names{"LibX11", "li", "lib", "libc-bin", "libc6", "libssl3", "lintian", "linux"},
                Paths{"l/li.deb822", "l/li/lib.deb822", "l/li/lib/libc.deb822",
                      "l/li/lib/libs.deb822", "l/li/lib/libx.deb822", "l/li/lin.deb822"}));
  EXPECT_EQ(scan("lib"), std::make_pair(Names{"LibX11", "lib", "libc-bin", "libc6", "libssl3"},
                                        Paths{"l/li/lib.deb822", "l/li/lib/libc.deb822",
                                              "l/li/lib/libs.deb822", "l/li/lib/libx.deb822"}));
  EXPECT_EQ(scan("libc"),
            std::make_pair(Names{"libc-bin", "libc6"}, Paths{"l/li/lib/libc.deb822"}));
  EXPECT_EQ(scan("LIBC"),
            std::make_pair(Names{"libc-bin", "libc6"}, Paths{"l/li/lib/libc.deb822"}));
  EXPECT_EQ(scan("libc6"), std::make_pair(Names{"libc6"}, Paths{"l/li/lib/libc.deb822"}));
  EXPECT_EQ(scan("libx1"), std::make_pair(Names{"LibX11"}, Paths{"l/li/lib/libx.deb822"}));
  EXPECT_EQ(scan("libz"), std::make_pair(Names{}, Paths{}));
  EXPECT_EQ(scan("lin"), std::make_pair(Names{"lintian", "linux"}, Paths{"l/li/lin.deb822"}));
  EXPECT_EQ(scan("lx"), std::make_pair(Names{"lx"}, Paths{"l/lx.deb822"}));
  EXPECT_EQ(scan("l").second, (Paths{"l.deb822", "l/li.deb822", "l/li/lib.deb822",
                                     "l/li/lib/libc.deb822", "l/li/lib/libs.deb822",
                                     "l/li/lib/libx.deb822", "l/li/lin.deb822", "l/lx.deb822"}));
  env.Clear();
  EXPECT_EQ(FileOf(db.get(), "libc6"), "l/li/lib/libc.deb822");
  EXPECT_EQ(env.DataFilesRead(), Paths{"l/li/lib/libc.deb822"});  // a get reads one file
  db.reset();

  // Writes go to the files of the split layout.
  ASSERT_TRUE(Put(Pkg("libfoo") + "\n" + Pkg("lia") + "\n" + Pkg("libc-dev") + "\n" + Pkg("Li") +
                  "\n" + Pkg("lxde"))
                  .ok());
  EXPECT_EQ(Read("/db/pkgs/l/li/lib/libf.deb822"), Pkg("libfoo"));
  EXPECT_EQ(Read("/db/pkgs/l/li/lia.deb822"), Pkg("lia"));
  EXPECT_EQ(FileOf(db_.get(), "libc-dev"), "l/li/lib/libc.deb822");
  EXPECT_EQ(FileOf(db_.get(), "Li"), "l/li.deb822");  // a short key of the split partition
  EXPECT_EQ(FileOf(db_.get(), "lxde"), "l/lx.deb822");
  EXPECT_EQ(Scan(db_.get(), "libc"), (std::vector<std::string>{"libc-bin", "libc-dev", "libc6"}));
  ASSERT_TRUE(Delete({"libssl3", "libc6", "Li"}).ok());
  EXPECT_EQ(mem_->Stat("/db/pkgs/l/li/lib/libs.deb822").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Get("pkgs", {"libc6"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Read("/db/pkgs/l/li.deb822"), Pkg("li"));
  EXPECT_EQ(Scan(db_.get(), "lib"),
            (std::vector<std::string>{"LibX11", "lib", "libc-bin", "libc-dev", "libfoo"}));
  EXPECT_EQ(Read("/db/pkgs/schema.deb822"), kSplitSchema);  // writes never change the splits
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  db_.reset();
  db_ = Open();
  EXPECT_EQ(Scan(db_.get(), "lib"),
            (std::vector<std::string>{"LibX11", "lib", "libc-bin", "libc-dev", "libfoo"}));
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
}

TEST_F(SplitPartitionTest, P074_NoSplitPutsTheRecordsBackAndANewDepthDropsTheSplits) {
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  ASSERT_EQ(Files(), SplitLayout());
  ASSERT_TRUE(db_->Repartition("pkgs", 2, UINT64_MAX).ok());
  // The plain layout; its files in key order, comment paragraphs with the stanza after them.
  const std::map<std::string, std::string> plain = {
      {"schema.deb822", kPkgsSchema},
      {"a/", ""},
      {"a/ap.deb822", Pkg("apt")},
      {"b/", ""},
      {"b/bx.deb822", Pkg("bx", 300)},
      {"l.deb822", Pkg("l")},
      {"l/", ""},
      {"l/li.deb822", Pkg("LibX11") + "\n" + Pkg("li") + "\n" + Pkg("lib") + "\n" + kLibcBin +
                          "\n" + Pkg("libc6") + "\n" + Pkg("libssl3") + "\n" + Pkg("lintian") +
                          "\n# End of li.\n\n# Packages starting with li.\n\n" + Pkg("linux")},
      {"l/lx.deb822", Pkg("lx")},
  };
  EXPECT_EQ(Files(), plain);  // l/li/ and l/li/lib/ are gone
  EXPECT_TRUE(db_->GetSchema("pkgs")->partition_splits().empty());
  EXPECT_EQ(FileOf(db_.get(), "libc6"), "l/li.deb822");
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  // Without splits, UINT64_MAX changes nothing.
  ASSERT_TRUE(db_->Repartition("pkgs", 2, UINT64_MAX).ok());
  EXPECT_EQ(Files(), plain);

  // Split again, then a new depth without a limit: no split partitions at depth 3.
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  ASSERT_EQ(db_->GetSchema("pkgs")->partition_splits().size(), 2u);
  ASSERT_TRUE(db_->Repartition("pkgs", 3).ok());
  std::string depth3 = kPkgsSchema;
  depth3.replace(depth3.find("Partition-Depth: 2"), 18, "Partition-Depth: 3");
  EXPECT_EQ(Files(), (std::map<std::string, std::string>{
                         {"schema.deb822", depth3},
                         {"a/", ""},
                         {"a/ap/", ""},
                         {"a/ap/apt.deb822", Pkg("apt")},
                         {"b/", ""},
                         {"b/bx.deb822", Pkg("bx", 300)},
                         {"l.deb822", Pkg("l")},
                         {"l/", ""},
                         {"l/li.deb822", Pkg("li")},
                         {"l/li/", ""},
                         {"l/li/lib.deb822", Pkg("LibX11") + "\n" + Pkg("lib") + "\n" + kLibcBin +
                                                 "\n" + Pkg("libc6") + "\n" + Pkg("libssl3")},
                         {"l/li/lin.deb822", Pkg("lintian") +
                                                 "\n# End of li.\n\n# Packages starting with "
                                                 "li.\n\n" +
                                                 Pkg("linux")},
                         {"l/lx.deb822", Pkg("lx")},
                     }));
  EXPECT_TRUE(db_->GetSchema("pkgs")->partition_splits().empty());
  EXPECT_EQ(Scan(db_.get(), ""), kAllKeys);
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());

  // A new depth with a limit chooses splits for that depth: at depth 1, "l" itself is split.
  // (So is "b", whose one record is above the limit: whether a partition of one record should
  // be split is left open here.)
  ASSERT_TRUE(db_->Repartition("pkgs", 1, kLimit).ok());
  std::vector<std::string> splits = db_->GetSchema("pkgs")->partition_splits();
  std::erase(splits, "b");
  EXPECT_EQ(splits, (std::vector<std::string>{"l", "li", "lib"}));
  EXPECT_THAT(Read("/db/pkgs/schema.deb822"),
              HasSubstr("Partition-Depth: 1\nDescription: Packages\n of a Debian archive.\n"
                        "Partition-Split:\n"));
  EXPECT_THAT(Read("/db/pkgs/schema.deb822"), HasSubstr(" l\n li\n lib\n\n# The key.\n"));
  EXPECT_EQ(Read("/db/pkgs/a.deb822"), Pkg("apt"));
  EXPECT_EQ(Read("/db/pkgs/l.deb822"), Pkg("l"));
  EXPECT_EQ(Read("/db/pkgs/l/li.deb822"), Pkg("li"));
  EXPECT_EQ(Read("/db/pkgs/l/lx.deb822"), Pkg("lx"));
  EXPECT_EQ(Read("/db/pkgs/l/li/lib/libc.deb822"), kLibcBin + "\n" + Pkg("libc6"));
  EXPECT_EQ(mem_->Stat("/db/pkgs/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Scan(db_.get(), ""), kAllKeys);
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
}

TEST_F(SplitPartitionTest, P074_SplitLargePartitionsDoesNothingWhenEveryFileIsSmall) {
  const auto before = Files();
  RecordingEnv env(mem_.get());
  db_ = Open(&env);
  env.Clear();
  // The largest file is l/li.deb822; a limit of its size splits nothing.
  const std::size_t largest = Read("/db/pkgs/l/li.deb822").size();
  for (const auto& [path, content] : before) EXPECT_LE(content.size(), largest) << path;
  ASSERT_TRUE(db_->SplitLargePartitions("pkgs", largest).ok());
  EXPECT_THAT(env.Changes(), ::testing::IsEmpty());
  EXPECT_THAT(env.DataFilesRead(), ::testing::IsEmpty());  // only listed
  EXPECT_EQ(Files(), before);

  EXPECT_EQ(db_->SplitLargePartitions("pkgs", 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(db_->SplitLargePartitions("nobody", 1).code(), StatusCode::kNotFound);

  // Split: then only b/bx.deb822 is larger than the limit, and it cannot be split. The table
  // is read again (a file is too large), but no file of it is written.
  ASSERT_TRUE(db_->SplitLargePartitions("pkgs", kLimit).ok());
  EXPECT_EQ(Files(), SplitLayout());
  env.Clear();
  ASSERT_TRUE(db_->SplitLargePartitions("pkgs", kLimit).ok());
  for (const std::string& change : env.Changes()) {  // no commit
    EXPECT_THAT(change, ::testing::Not(HasSubstr("/db/pkgs"))) << change;
    EXPECT_THAT(change, ::testing::Not(::testing::StartsWith("write "))) << change;
    EXPECT_THAT(change, ::testing::Not(::testing::StartsWith("rename "))) << change;
  }
  EXPECT_EQ(Files(), SplitLayout());
}

TEST_F(SplitPartitionTest, P074_SplitLargePartitionsKeepsTheTablesSplits) {
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  // li and lib hold little now, but stay split.
  ASSERT_TRUE(Delete({"libc6", "libc-bin", "libssl3", "LibX11", "lintian", "linux"}).ok());
  // a/ap.deb822 grows to 299 bytes: apport and appstream (115 bytes), apt, apt-utils and
  // aptitude (185 bytes).
  ASSERT_TRUE(Put(Pkg("apport", 25) + "\n" + Pkg("appstream", 25) + "\n" + Pkg("apt-utils", 25) +
                  "\n" + Pkg("aptitude", 25))
                  .ok());
  ASSERT_GT(Read("/db/pkgs/a/ap.deb822").size(), kLimit);
  RecordingEnv env(mem_.get());
  db_ = Open(&env);
  ASSERT_TRUE(db_->SplitLargePartitions("pkgs", kLimit).ok());
  auto files = DataAndSchema();
  EXPECT_EQ(files, (std::map<std::string, std::string>{
                       {"schema.deb822",
                        "# Debian packages.\n"
                        "Table: pkgs\n"
                        "Key: Package\n"
                        "Partition-Depth: 2\n"
                        "Description: Packages\n"
                        " of a Debian archive.\n"
                        "Partition-Split:\n"
                        " ap\n"
                        " li\n"
                        " lib\n"
                        "\n"
                        "# The key.\n"
                        "Field: Package\n"
                        "Description: the package name\n"},
                       {"a/ap/app.deb822", Pkg("apport", 25) + "\n" + Pkg("appstream", 25)},
                       {"a/ap/apt.deb822",
                        Pkg("apt") + "\n" + Pkg("apt-utils", 25) + "\n" + Pkg("aptitude", 25)},
                       {"b/bx.deb822", Pkg("bx", 300)},
                       {"l.deb822", Pkg("l")},
                       {"l/li.deb822", Pkg("li")},
                       {"l/li/lib.deb822", Pkg("lib")},
                       {"l/lx.deb822", Pkg("lx")},
                   }));
  // Only the ap partition's files were written (and the schema file).
  for (const std::string& change : env.Changes()) {
    EXPECT_THAT(change, ::testing::Not(HasSubstr("/db/pkgs/l"))) << change;
    EXPECT_THAT(change, ::testing::Not(HasSubstr("/db/pkgs/b"))) << change;
  }
  EXPECT_EQ(FileOf(db_.get(), "lib"), "l/li/lib.deb822");
  EXPECT_EQ(FileOf(db_.get(), "aptitude"), "a/ap/apt.deb822");
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  // Repartition with a limit chooses afresh: li and lib are no longer split.
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(), (std::vector<std::string>{"ap"}));
  EXPECT_EQ(Read("/db/pkgs/l/li.deb822"), Pkg("li") + "\n" + Pkg("lib"));
  EXPECT_EQ(mem_->Stat("/db/pkgs/l/li/lib.deb822").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FileOf(db_.get(), "lib"), "l/li.deb822");
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
}

TEST_F(SplitPartitionTest, B011_MisplacedRecordsOfASplitLayoutAreReportedAndMovedHome) {
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  db_.reset();
  // By hand: libc6 into the split partition's own file, li into a file below it.
  Write("/db/pkgs/l/li.deb822", Pkg("libc6"));
  Write("/db/pkgs/l/li/lib/libc.deb822", kLibcBin);
  Write("/db/pkgs/l/li/lin.deb822", Pkg("lintian") +
                                        "\n# End of li.\n\n# Packages starting with "
                                        "li.\n\n" +
                                        Pkg("linux") + "\n" + Pkg("li"));
  db_ = Open();
  Result<Record> record = db_->Get("pkgs", {"libc6"});
  EXPECT_EQ(record.status().code(), StatusCode::kNotFound);  // it looks in l/li/lib/libc.deb822
  record = db_->Get("pkgs", {"li"});
  EXPECT_EQ(record.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(record.status().message(),
              HasSubstr("pkgs/l/li.deb822:1:1: error: record 'libc6' belongs in "
                        "pkgs/l/li/lib/libc.deb822"));
  record = db_->Get("pkgs", {"linux"});
  EXPECT_EQ(record.status().code(), StatusCode::kInvalidData);
  EXPECT_THAT(record.status().message(),
              HasSubstr("pkgs/l/li/lin.deb822:11:1: error: record 'li' belongs in "
                        "pkgs/l/li.deb822"));
  EXPECT_THAT(Problems(db_.get()),
              ::testing::UnorderedElementsAre(
                  HasSubstr("pkgs/l/li.deb822:1:1: error: record 'libc6' belongs in "
                            "pkgs/l/li/lib/libc.deb822"),
                  HasSubstr("pkgs/l/li/lin.deb822:11:1: error: record 'li' belongs in "
                            "pkgs/l/li.deb822")));
  // At the same depth, keeping the split partitions: both go home.
  ASSERT_TRUE(db_->Repartition("pkgs", 2, 0).ok());
  EXPECT_EQ(Files(), SplitLayout());
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  EXPECT_EQ(FileOf(db_.get(), "libc6"), "l/li/lib/libc.deb822");
}

TEST_F(SplitPartitionTest, P050_FilesThatAreNotDataFilesOfTheSplitLayoutAreNotRead) {
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  db_.reset();
  // Data files of other layouts: below lx and libc, which are not split.
  Write("/db/pkgs/l/lx/lxy.deb822", Pkg("lxyz"));
  Write("/db/pkgs/l/li/lib/libc/libc6.deb822", Pkg("libc6-dev"));
  // And no data file of any layout.
  Write("/db/pkgs/l/li/LIB.deb822", Pkg("libnope"));
  db_ = Open();
  EXPECT_EQ(db_->Get("pkgs", {"lxyz"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Get("pkgs", {"libc6-dev"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Get("pkgs", {"libnope"}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Scan(db_.get(), ""), kAllKeys);
  EXPECT_EQ(Scan(db_.get(), "lx"), std::vector<std::string>{"lx"});
  EXPECT_EQ(Scan(db_.get(), "libc"), (std::vector<std::string>{"libc-bin", "libc6"}));
  Result<std::uint64_t> count = db_->Count("pkgs");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kAllKeys.size());
  // Check ignores them as it ignores every file that is not a data file (but temporary files).
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  // Repartition gathers records from data files of any layout [P-071]: the first two come
  // home; the other file stays where it is, and so does its directory.
  ASSERT_TRUE(db_->Repartition("pkgs", 2, 0).ok());
  EXPECT_EQ(Read("/db/pkgs/l/lx.deb822"), Pkg("lx") + "\n" + Pkg("lxyz"));
  EXPECT_EQ(Read("/db/pkgs/l/li/lib/libc.deb822"),
            kLibcBin + "\n" + Pkg("libc6") + "\n" + Pkg("libc6-dev"));
  EXPECT_EQ(mem_->Stat("/db/pkgs/l/lx").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(mem_->Stat("/db/pkgs/l/li/lib/libc").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Read("/db/pkgs/l/li/LIB.deb822"), Pkg("libnope"));
  EXPECT_EQ(Read("/db/pkgs/schema.deb822"), kSplitSchema);
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
}

TEST_F(SplitPartitionTest, P074_KeysAlikeForSixteenUnitsStayInOneFile) {
  const std::string z16(16, 'z');
  ASSERT_TRUE(Put(Pkg(z16 + "1", 60) + "\n" + Pkg(z16 + "2", 60) + "\n" + Pkg(z16 + "3", 60) +
                  "\n" + Pkg(z16, 60) + "\n" + Pkg(std::string(15, 'z')) + "\n" + Pkg("zz"))
                  .ok());
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  std::vector<std::string> splits = {"li", "lib"};  // and zz .. 15 z's
  std::string split_lines;
  for (std::size_t n = 2; n <= 15; ++n) {
    splits.push_back(std::string(n, 'z'));
    split_lines += " " + std::string(n, 'z') + "\n";
  }
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(), splits);
  EXPECT_THAT(Read("/db/pkgs/schema.deb822"),
              HasSubstr(" of a Debian archive.\nPartition-Split:\n li\n lib\n" + split_lines +
                        "\n# The key.\n"));
  // z/zz/zzz/.../zzzzzzzzzzzzzzz: the directory of 15 z's.
  std::string dir15 = "/db/pkgs/z";
  for (std::size_t n = 2; n <= 15; ++n) dir15 += "/" + std::string(n, 'z');
  EXPECT_EQ(Read("/db/pkgs/z/zz.deb822"), Pkg("zz"));
  EXPECT_EQ(Read(dir15 + ".deb822"), Pkg(std::string(15, 'z')));
  const std::string deepest = dir15 + "/" + z16 + ".deb822";
  EXPECT_EQ(Read(deepest), Pkg(z16, 60) + "\n" + Pkg(z16 + "1", 60) + "\n" + Pkg(z16 + "2", 60) +
                               "\n" + Pkg(z16 + "3", 60));
  EXPECT_GT(Read(deepest).size(), kLimit);
  EXPECT_EQ(FileOf(db_.get(), z16 + "2"), deepest.substr(std::string("/db/pkgs/").size()));
  EXPECT_EQ(Scan(db_.get(), z16 + "3"), std::vector<std::string>{z16 + "3"});
  EXPECT_EQ(Scan(db_.get(), "zz").size(), 6u);
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  db_.reset();
  db_ = Open();
  EXPECT_EQ(Scan(db_.get(), "zzz").size(), 5u);
}

TEST_F(SplitPartitionTest, S016_PrefixesThatNeedEncodingAreListedAsPathComponents) {
  ASSERT_TRUE(Put(Pkg("a:one", 60) + "\n" + Pkg("a:two", 60) + "\n" + Pkg("a:three", 60) + "\n" +
                  Pkg("Émile") + "\n" + Pkg("émilie") + "\n" + Pkg("émir"))
                  .ok());
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(),
            (std::vector<std::string>{"a:", "li", "lib", "ém", "émi"}));
  EXPECT_THAT(Read("/db/pkgs/schema.deb822"),
              HasSubstr("Partition-Split:\n a%3A\n li\n lib\n ém\n émi\n\n"));
  EXPECT_EQ(Read("/db/pkgs/a/a%3A/a%3Ao.deb822"), Pkg("a:one", 60));
  EXPECT_EQ(Read("/db/pkgs/a/a%3A/a%3At.deb822"), Pkg("a:three", 60) + "\n" + Pkg("a:two", 60));
  EXPECT_EQ(Read("/db/pkgs/é/ém/émi/émil.deb822"), Pkg("Émile") + "\n" + Pkg("émilie"));
  EXPECT_EQ(Read("/db/pkgs/é/ém/émi/émir.deb822"), Pkg("émir"));
  EXPECT_EQ(FileOf(db_.get(), "Émile"), "é/ém/émi/émil.deb822");
  EXPECT_EQ(Scan(db_.get(), "ÉMI"), (std::vector<std::string>{"Émile", "émilie", "émir"}));
  EXPECT_EQ(Scan(db_.get(), "a:t"), (std::vector<std::string>{"a:three", "a:two"}));
  EXPECT_THAT(Problems(db_.get()), ::testing::IsEmpty());
  db_.reset();
  db_ = Open();  // the schema file reads back
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits().size(), 5u);
  EXPECT_EQ(FileOf(db_.get(), "a:two"), "a/a%3A/a%3At.deb822");
}

// [P-074] "split when its records would make a file larger than L": a partition whose file
// holds exactly L bytes is not split, by Repartition as by SplitLargePartitions.
TEST_F(SplitPartitionTest, P074_AFileOfExactlyTheLimitIsNotSplit) {
  ASSERT_TRUE(db_->Repartition("pkgs", 2, UINT64_MAX).ok());  // l/li.deb822 in key order
  const auto plain = Files();
  const std::uint64_t size = Read("/db/pkgs/l/li.deb822").size();  // the largest file
  ASSERT_TRUE(db_->SplitLargePartitions("pkgs", size).ok());
  EXPECT_EQ(Files(), plain);
  ASSERT_TRUE(db_->Repartition("pkgs", 2, size).ok());
  EXPECT_THAT(db_->GetSchema("pkgs")->partition_splits(), ::testing::IsEmpty());
  EXPECT_EQ(Files(), plain);
  ASSERT_TRUE(db_->Repartition("pkgs", 2, size - 1).ok());
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(), std::vector<std::string>{"li"});
}

// Splitting cannot make the file of one record smaller, so a partition of one record is not
// split, however large it is and however long its key [P-074]. (It was split down its whole key:
// b/bi/big/bigo/bigon/bigone.deb822.)
TEST_F(SplitPartitionTest, P074_APartitionOfOneRecordIsNotSplit) {
  ASSERT_TRUE(Put(Pkg("bigone", 300)).ok());
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(), (std::vector<std::string>{"li", "lib"}));
  EXPECT_EQ(FileOf(db_.get(), "bigone"), "b/bi.deb822");
  EXPECT_GT(Read("/db/pkgs/b/bi.deb822").size(), kLimit);
  // Two records: split until each file holds one.
  ASSERT_TRUE(Put(Pkg("bigtwo", 300)).ok());
  ASSERT_TRUE(db_->SplitLargePartitions("pkgs", kLimit).ok());
  EXPECT_EQ(db_->GetSchema("pkgs")->partition_splits(),
            (std::vector<std::string>{"bi", "big", "li", "lib"}));
  EXPECT_EQ(FileOf(db_.get(), "bigone"), "b/bi/big/bigo.deb822");
}

// Prefix and range scans prune by the split layout [P-051], [I-012]: whatever the bounds, they
// find exactly the records a full scan filtered by hand finds.
TEST_F(SplitPartitionTest, P051_I012_ScansOfASplitLayoutAgreeWithAFullScan) {
  ASSERT_TRUE(Put(Pkg("lia") + "\n" + Pkg("Lib") + "\n" + Pkg("libz1") + "\n" + Pkg("LIN")).ok());
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  // "lin" too: LIN is the only record of its own file l/li/lin.deb822.
  ASSERT_EQ(db_->GetSchema("pkgs")->partition_splits(),
            (std::vector<std::string>{"li", "lib", "lin"}));
  ASSERT_EQ(FileOf(db_.get(), "LIN"), "l/li/lin.deb822");
  ASSERT_EQ(FileOf(db_.get(), "linux"), "l/li/lin/linu.deb822");
  const std::vector<std::string> all = Scan(db_.get(), "");
  ASSERT_EQ(all.size(), kAllKeys.size() + 4);
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  const std::vector<std::string> bounds = {
      "",     "L",    "LI",    "Lib",  "a",       "bx",    "l",     "l0",   "li",
      "lia",  "lib",  "lib0",  "libc", "libc-",   "libc6", "libc7", "libd", "libssl3",
      "libx", "libz", "libz1", "lin",  "lintian", "lio",   "lx",    "lxa",  "m"};
  for (const std::string& prefix : bounds) {
    SCOPED_TRACE("prefix '" + prefix + "'");
    std::vector<std::string> want;
    for (const std::string& key : all) {
      if (lower(key).starts_with(lower(prefix))) want.push_back(key);
    }
    EXPECT_EQ(Scan(db_.get(), prefix), want);
  }
  for (const std::string& begin : bounds) {
    for (const std::string& end : bounds) {
      SCOPED_TRACE("range '" + begin + "' to '" + end + "'");
      std::vector<std::string> want;
      for (const std::string& key : all) {  // string keys compare by code point [S-121]
        if ((begin.empty() || key >= begin) && (end.empty() || key < end)) want.push_back(key);
      }
      std::vector<std::string> got;
      const Status status = db_->ScanRange(
          "pkgs", begin.empty() ? std::vector<std::string>{} : std::vector<std::string>{begin},
          end.empty() ? std::vector<std::string>{} : std::vector<std::string>{end},
          [&](const Record& record) {
            got.emplace_back(*record.Get("Package"));
            return true;
          });
      ASSERT_TRUE(status.ok()) << status.ToString();
      EXPECT_EQ(got, want);
    }
  }
  for (const std::string& key : all) EXPECT_TRUE(db_->Get("pkgs", {key}).ok()) << key;
}

// A handle that read the table before another one split it sees the split layout [B-021].
TEST_F(SplitPartitionTest, B021_AnotherHandleSeesTheSplitPartitions) {
  std::unique_ptr<Database> other = Open();
  ASSERT_EQ(FileOf(other.get(), "libc6"), "l/li.deb822");
  ASSERT_EQ(Scan(other.get(), "lib").size(), 5u);
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  EXPECT_EQ(FileOf(other.get(), "libc6"), "l/li/lib/libc.deb822");
  EXPECT_EQ(Scan(other.get(), ""), kAllKeys);
  EXPECT_EQ(other->GetSchema("pkgs")->partition_splits(), (std::vector<std::string>{"li", "lib"}));
  Transaction txn = other->Begin();
  Result<deb822::Document> doc = deb822::Parse(Pkg("libfoo"));
  ASSERT_TRUE(doc.ok());
  txn.Put("pkgs", doc->stanzas()[0]);
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(Read("/db/pkgs/l/li/lib/libf.deb822"), Pkg("libfoo"));
  // And back: the first handle writes into the plain layout after the other unsplit it.
  ASSERT_EQ(FileOf(db_.get(), "libfoo"), "l/li/lib/libf.deb822");
  ASSERT_TRUE(other->Repartition("pkgs", 2, UINT64_MAX).ok());
  ASSERT_TRUE(Put(Pkg("libbar")).ok());
  EXPECT_EQ(FileOf(db_.get(), "libbar"), "l/li.deb822");
  EXPECT_EQ(FileOf(db_.get(), "libfoo"), "l/li.deb822");
  EXPECT_EQ(mem_->Stat("/db/pkgs/l/li").status().code(), StatusCode::kNotFound);
  EXPECT_THAT(Problems(other.get()), ::testing::IsEmpty());
}

// Fail each Env call of a split and of an unsplit in turn: afterwards (reopened) the table's
// files are wholly the old ones or wholly the new ones, byte for byte.
TEST_F(SplitPartitionTest, P070_EveryFailedCallLeavesTheOldOrTheNewSplitLayout) {
  // Files in key order (the hand-written l/li.deb822 is not), so that a round trip gives them
  // back byte for byte.
  ASSERT_TRUE(db_->Repartition("pkgs", 2, UINT64_MAX).ok());
  const auto plain = DataAndSchema();
  ASSERT_TRUE(db_->Repartition("pkgs", 2, kLimit).ok());
  const auto split = DataAndSchema();
  ASSERT_TRUE(db_->Repartition("pkgs", 2, UINT64_MAX).ok());
  ASSERT_EQ(DataAndSchema(), plain);
  db_.reset();
  int faults = 0;
  for (const std::uint64_t limit : {kLimit, std::uint64_t{UINT64_MAX}}) {
    const auto& from = limit == kLimit ? plain : split;
    const auto& to = limit == kLimit ? split : plain;
    for (long n = 1;; ++n) {
      SCOPED_TRACE(::testing::Message() << "limit " << limit << ", failing call " << n);
      testing::FaultEnv env(mem_.get());
      std::unique_ptr<Database> db = Open(&env);
      ASSERT_NE(db, nullptr);
      env.FailAt(n, /*persistent=*/false);
      const Status status = db->Repartition("pkgs", 2, limit);
      const bool hit = env.hit();
      env.FailAt(0, false);
      db.reset();
      db = Open();
      ASSERT_NE(db, nullptr);
      const auto files = DataAndSchema();
      const bool old_layout = files == from;
      const bool new_layout = files == to;
      EXPECT_TRUE(old_layout || new_layout);
      if (status.ok()) {
        EXPECT_TRUE(new_layout);
      }
      EXPECT_EQ(Scan(db.get(), ""), kAllKeys);
      EXPECT_EQ(Scan(db.get(), "libc"), (std::vector<std::string>{"libc-bin", "libc6"}));
      EXPECT_THAT(Problems(db.get()), ::testing::IsEmpty());
      if (new_layout) {  // back to the old files for the next round
        ASSERT_TRUE(db->Repartition("pkgs", 2, limit == kLimit ? UINT64_MAX : kLimit).ok());
        ASSERT_EQ(DataAndSchema(), from);
      }
      if (!hit) break;
      ++faults;
    }
  }
  EXPECT_GT(faults, 40);
}

}  // namespace
}  // namespace textdb
