// Tests of the power-loss model itself (tests/util/crash_env.h, format-spec/durability.md
// [K-001..K-010]): which states CrashStates produces before and after each kind of sync.
#include "crash_env.h"

#include <gtest/gtest.h>

#include <set>

namespace textdb::testing {
namespace {

using FileSet = std::map<std::string, std::string>;

// Every distinct file set of "/d" a crash after `k` log entries may leave.
std::set<FileSet> States(const CrashEnv& env, std::size_t k) {
  std::set<FileSet> states;
  env.CrashStates(
      k, [&](const CrashImage& image, const std::string&) { states.insert(image.Files("/d")); });
  return states;
}

void Write(CrashEnv& env, const std::string& path, const std::string& data, bool sync) {
  Result<std::unique_ptr<WritableFile>> file = env.NewWritableFile(path, false);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(data).ok());
  if (sync) {
    ASSERT_TRUE((*file)->Sync().ok());
  }
  ASSERT_TRUE((*file)->Close().ok());
}

class CrashEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDir("/d").ok());
    env_.Checkpoint();
  }
  CrashEnv env_;
};

TEST_F(CrashEnvTest, K003_AFileNameNeedsTheDirectorySync) {
  Write(env_, "/d/a", "data", /*sync=*/true);
  // The data is durable, the name is not: the file may be missing.
  EXPECT_TRUE(States(env_, env_.LogSize()).count(FileSet{}));
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  EXPECT_EQ(States(env_, env_.LogSize()), (std::set<FileSet>{{{"a", "data"}}}));
}

TEST_F(CrashEnvTest, K002_DataNeedsTheFileSyncAndAppendsTearFourWays) {
  Write(env_, "/d/a", "abcd", /*sync=*/false);
  ASSERT_TRUE(env_.SyncDir("/d").ok());  // the name is durable, the data is not
  const std::set<FileSet> states = States(env_, env_.LogSize());
  EXPECT_TRUE(states.count({{"a", ""}}));                           // lost
  EXPECT_TRUE(states.count({{"a", "abcd"}}));                       // written
  EXPECT_TRUE(states.count({{"a", "ab"}}));                         // split
  EXPECT_TRUE(states.count({{"a", std::string(4, '\0')}}));         // size-only
  EXPECT_TRUE(states.count({{"a", "ab" + std::string(2, '\0')}}));  // zero-fill
  EXPECT_EQ(states.size(), 6u);                                     // and garbage
}

TEST_F(CrashEnvTest, K004_K007_ARenameMayOvertakeUnsyncedData) {
  Write(env_, "/d/a", "old", /*sync=*/true);
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  env_.Checkpoint();
  Write(env_, "/d/t", "new", /*sync=*/false);
  ASSERT_TRUE(env_.Rename("/d/t", "/d/a").ok());
  const std::set<FileSet> states = States(env_, env_.LogSize());
  EXPECT_TRUE(states.count({{"a", "old"}}));
  EXPECT_TRUE(states.count({{"a", "new"}}));
  EXPECT_TRUE(states.count({{"a", ""}}));  // the rename kept, the data dropped
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  // The rename is durable now; the data still is not.
  EXPECT_FALSE(States(env_, env_.LogSize()).count({{"a", "old"}}));
  EXPECT_TRUE(States(env_, env_.LogSize()).count({{"a", ""}}));
}

TEST_F(CrashEnvTest, K003_ANewDirectoryNeedsItsParentsSync) {
  ASSERT_TRUE(env_.CreateDir("/d/sub").ok());
  Write(env_, "/d/sub/f", "x", /*sync=*/true);
  ASSERT_TRUE(env_.SyncDir("/d/sub").ok());
  EXPECT_TRUE(States(env_, env_.LogSize()).count(FileSet{}));  // "sub" itself may be lost
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  EXPECT_EQ(States(env_, env_.LogSize()), (std::set<FileSet>{{{"sub/f", "x"}}}));
}

TEST_F(CrashEnvTest, K010_ALossySyncFailsAndItsDataNeverBecomesDurable) {
  Result<std::unique_ptr<WritableFile>> file = env_.NewWritableFile("/d/a", false);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("data").ok());
  env_.InjectFault(1, FaultKind::kSyncLosesData, /*persistent=*/false);
  EXPECT_EQ((*file)->Sync().code(), StatusCode::kIOError);
  EXPECT_EQ(env_.first_fault(), "fdatasync");
  EXPECT_TRUE((*file)->Sync().ok());  // a retry "succeeds" ...
  ASSERT_TRUE(env_.SyncDir("/d").ok());
  // ... but the data it would have covered is gone for good, while reads still see it.
  EXPECT_EQ(States(env_, env_.LogSize()), (std::set<FileSet>{{{"a", ""}}}));
  EXPECT_EQ(*env_.ReadFile("/d/a"), "data");
  file->reset();
  EXPECT_EQ(env_.open_files(), 0);
}

TEST_F(CrashEnvTest, K010_AShortWriteWritesHalf) {
  Result<std::unique_ptr<WritableFile>> file = env_.NewWritableFile("/d/a", false);
  ASSERT_TRUE(file.ok());
  env_.InjectFault(1, FaultKind::kShortWrite, /*persistent=*/false);
  EXPECT_EQ((*file)->Append("abcdef").code(), StatusCode::kIOError);
  EXPECT_EQ(*env_.ReadFile("/d/a"), "abc");
  EXPECT_EQ(env_.open_files(), 1);
  file->reset();
  EXPECT_EQ(env_.open_files(), 0);
}

}  // namespace
}  // namespace textdb::testing
