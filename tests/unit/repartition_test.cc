// Tests for Database::Repartition (format-spec/partitioning.md [P-070..P-073]).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

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

class RepartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Database::Create("/db", mem_.get()).ok());
    db_ = Open();
    ASSERT_TRUE(db_->CreateTable(kSchema).ok());
    // CreateTable writes the canonical form; a schema file edited by hand keeps its comments.
    Write("/db/people/schema.deb822", kSchema);
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

  std::unique_ptr<Database> Open(Env* env = nullptr) {
    Options options;
    options.env = env != nullptr ? env : mem_.get();
    auto db = Database::Open("/db", options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  void Write(const std::string& path, const std::string& text) {
    auto file = mem_->NewWritableFile(path, false);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(text).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string Read(const std::string& path) {
    Result<std::string> text = mem_->ReadFile(path);
    return text.ok() ? *text : "<" + text.status().ToString() + ">";
  }

  // Every file below /db/people (relative), with its content.
  std::map<std::string, std::string> Files(const std::string& dir = "/db/people",
                                           const std::string& rel = "") {
    std::map<std::string, std::string> out;
    const Result<std::vector<std::string>> names = mem_->ListDir(dir);
    for (const std::string& name : *names) {
      const std::string path = dir + "/" + name;
      const std::string child = rel.empty() ? name : rel + "/" + name;
      if (mem_->Stat(path)->type == FileInfo::Type::kDirectory) {
        out[child + "/"] = "";
        out.merge(Files(path, child));
      } else {
        out[child] = Read(path);
      }
    }
    return out;
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

  std::unique_ptr<Env> mem_ = NewMemEnv();
  std::unique_ptr<Database> db_;
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

}  // namespace
}  // namespace textdb
