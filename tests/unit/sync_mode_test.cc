// Tests for the sync modes of Options::sync (format-spec/storage.md [C-030..C-033]): which
// fsyncs a commit issues in each mode, and group commit in batch mode.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "fault_env.h"
#include "textdb/db.h"

namespace textdb {
namespace {

using ::testing::HasSubstr;

constexpr char kItemsSchema[] =
    "Table: items\n"
    "Key: Item\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Item\n"
    "\n"
    "Field: Count\n"
    "Type: integer\n";

deb822::Stanza Item(const std::string& name, const std::string& count = "1") {
  deb822::Stanza stanza;
  EXPECT_TRUE(stanza.SetRaw("Item", name).ok());
  EXPECT_TRUE(stanza.SetRaw("Count", count).ok());
  return stanza;
}

// Counts file and directory syncs and exclusive locks; can hold the first exclusive lock request
// until Release(), so that other commits queue up behind it.
class CountingEnv : public testing::FaultEnv {
 public:
  explicit CountingEnv(Env* base) : FaultEnv(base) {}

  std::atomic<int> file_syncs{0};
  std::atomic<int> dir_syncs{0};
  std::atomic<int> exclusive_locks{0};

  void HoldFirstExclusiveLock() { hold_ = true; }
  // Waits until a commit is held in LockFile.
  void AwaitHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = false;
    cv_.notify_all();
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    if (exclusive) {
      ++exclusive_locks;
      std::unique_lock<std::mutex> lock(mu_);
      if (hold_) {
        held_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !hold_; });
      }
    }
    return FaultEnv::LockFile(path, exclusive, wait);
  }
  Status SyncDir(const std::string& path) override {
    ++dir_syncs;
    return FaultEnv::SyncDir(path);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    Result<std::unique_ptr<WritableFile>> file = FaultEnv::NewWritableFile(path, exclusive);
    if (!file.ok()) return file.status();
    return std::unique_ptr<WritableFile>(new CountingFile(this, std::move(file).value()));
  }

 private:
  class CountingFile : public WritableFile {
   public:
    CountingFile(CountingEnv* env, std::unique_ptr<WritableFile> base)
        : env_(env), base_(std::move(base)) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Sync() override {
      ++env_->file_syncs;
      return base_->Sync();
    }
    Status Close() override { return base_->Close(); }

   private:
    CountingEnv* env_;
    std::unique_ptr<WritableFile> base_;
  };

  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool held_ = false;
};

class SyncModeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Database::Create("/db", mem_.get()).ok());
    auto db = Database::Open("/db", Options{.env = mem_.get()});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->CreateTable(kItemsSchema).ok());
  }

  std::unique_ptr<Database> Open(SyncMode mode) {
    Options options;
    options.env = &env_;
    options.sync = mode;
    auto db = Database::Open("/db", options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Commits a two-partition transaction (a journal commit, [C-004]).
  static Status PutTwo(Database* db) {
    Transaction txn = db->Begin();
    txn.Put("items", Item("apple"));
    txn.Put("items", Item("pear"));
    return txn.Commit();
  }

  // Files left in .textdb/ besides the lock file.
  std::vector<std::string> StateLeftovers() {
    Result<std::vector<std::string>> names = mem_->ListDir("/db/.textdb");
    std::vector<std::string> out;
    for (const std::string& name : *names) {
      if (name != "LOCK") out.push_back(name);
    }
    return out;
  }

  std::unique_ptr<Env> mem_ = NewMemEnv();
  CountingEnv env_{mem_.get()};
};

TEST_F(SyncModeTest, C031_SafeModeSyncsEveryFileAndDirectory) {
  std::unique_ptr<Database> db = Open(SyncMode::kSafe);
  ASSERT_TRUE(PutTwo(db.get()).ok());
  EXPECT_EQ(env_.file_syncs, 3);  // two temporary files and the journal [C-002, C-004]
  // Both files are in items/ (depth 1 names files, not directories): items/ after the temporary
  // files, .textdb/ at the commit point, items/ after the renames, .textdb/ after the journal is
  // gone [C-002, C-004, C-005].
  EXPECT_EQ(env_.dir_syncs, 4);
}

TEST_F(SyncModeTest, C033_FastModeNeverSyncsAndLeavesAConsistentDatabase) {
  std::unique_ptr<Database> db = Open(SyncMode::kFast);
  ASSERT_TRUE(PutTwo(db.get()).ok());
  Transaction txn = db->Begin();
  txn.Update("items", {"apple"}, {{"Count", "2"}});
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(env_.file_syncs, 0);
  EXPECT_EQ(env_.dir_syncs, 0);
  EXPECT_THAT(StateLeftovers(), ::testing::IsEmpty());  // the journal went as in [C-005]
  db.reset();
  std::unique_ptr<Database> reopened = Open(SyncMode::kSafe);
  EXPECT_EQ(reopened->Get("items", {"apple"})->Get("Count"), "2");
  EXPECT_EQ(reopened->Get("items", {"pear"})->Get("Count"), "1");
  std::vector<std::string> problems;
  EXPECT_TRUE(reopened->Check(&problems).ok()) << ::testing::PrintToString(problems);
}

TEST_F(SyncModeTest, C033_FastModeKeepsTheRecoveryProtocol) {
  // A fast commit that fails after its journal is in place is finished by the next open, like a
  // safe one: the journal protects against a process crash in every mode.
  std::unique_ptr<Database> db = Open(SyncMode::kFast);
  ASSERT_TRUE(PutTwo(db.get()).ok());
  int recovered = 0;
  for (long n = 1; n < 100; ++n) {
    env_.FailAt(n, /*persistent=*/true);
    Transaction txn = db->Begin();
    txn.Update("items", {"apple"}, {{"Count", std::to_string(n + 10)}});
    txn.Update("items", {"pear"}, {{"Count", std::to_string(n + 10)}});
    const Status status = txn.Commit();
    const bool hit = env_.hit();
    env_.FailAt(0, false);
    db.reset();
    db = Open(SyncMode::kFast);
    ASSERT_NE(db, nullptr);
    const auto apple = db->Get("items", {"apple"});
    const auto pear = db->Get("items", {"pear"});
    ASSERT_TRUE(apple.ok() && pear.ok());
    EXPECT_EQ(apple->Get("Count"), pear->Get("Count")) << n;  // never a mix
    if (!status.ok() && apple->Get("Count") == std::to_string(n + 10)) ++recovered;
    if (!hit) break;
  }
  EXPECT_GT(recovered, 0);  // some failures came after the commit point and were rolled forward
}

// Runs `commits` in threads while the first of them holds the exclusive lock, so that the rest
// queue up behind it; returns their statuses in order.
std::vector<Status> RunQueued(CountingEnv* env, std::vector<std::function<Status()>> commits) {
  std::vector<Status> statuses(commits.size());
  env->HoldFirstExclusiveLock();
  std::vector<std::thread> threads;
  threads.emplace_back([&] { statuses[0] = commits[0](); });
  env->AwaitHeld();
  for (std::size_t i = 1; i < commits.size(); ++i) {
    threads.emplace_back([&, i] { statuses[i] = commits[i](); });
  }
  // The queued commits only need to reach Database::Commit; give them ample time.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  env->Release();
  for (std::thread& thread : threads) thread.join();
  return statuses;
}

std::vector<std::function<Status()>> Inserts(Database* db, int n) {
  std::vector<std::function<Status()>> commits;
  for (int i = 0; i < n; ++i) {
    commits.push_back([db, i] {
      Transaction txn = db->Begin();
      txn.Insert("items", Item("item-" + std::to_string(i)));
      return txn.Commit();
    });
  }
  return commits;
}

TEST_F(SyncModeTest, C032_BatchModeWritesQueuedCommitsTogether) {
  std::unique_ptr<Database> db = Open(SyncMode::kBatch);
  const int before = env_.exclusive_locks;
  for (const Status& status : RunQueued(&env_, Inserts(db.get(), 7))) {
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  // The first commit alone, then the six queued behind it as one group.
  EXPECT_EQ(env_.exclusive_locks - before, 2);
  for (int i = 0; i < 7; ++i) EXPECT_TRUE(db->Get("items", {"item-" + std::to_string(i)}).ok());
}

TEST_F(SyncModeTest, C031_SafeModeWritesEachCommitOnItsOwn) {
  std::unique_ptr<Database> db = Open(SyncMode::kSafe);
  const int before = env_.exclusive_locks;
  for (const Status& status : RunQueued(&env_, Inserts(db.get(), 7))) {
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  EXPECT_EQ(env_.exclusive_locks - before, 7);
}

TEST_F(SyncModeTest, C032_AFailedTransactionInAGroupLeavesNoTrace) {
  std::unique_ptr<Database> db = Open(SyncMode::kBatch);
  {
    Transaction txn = db->Begin();
    txn.Put("items", Item("apple"));
    ASSERT_TRUE(txn.Commit().ok());
  }
  Database* handle = db.get();
  const std::vector<Status> statuses =
      RunQueued(&env_, {[handle] {
                          Transaction txn = handle->Begin();
                          txn.Put("items", Item("fig"));
                          return txn.Commit();
                        },
                        [handle] {  // fails on its second operation: its first must not be written
                          Transaction txn = handle->Begin();
                          txn.Insert("items", Item("banana"));
                          txn.Insert("items", Item("apple"));
                          return txn.Commit();
                        },
                        [handle] {  // breaks the schema
                          Transaction txn = handle->Begin();
                          txn.Update("items", {"apple"}, {{"Count", "many"}});
                          return txn.Commit();
                        },
                        [handle] {
                          Transaction txn = handle->Begin();
                          txn.Insert("items", Item("cherry"));
                          txn.Update("items", {"apple"}, {{"Count", "5"}});
                          return txn.Commit();
                        }});
  EXPECT_TRUE(statuses[0].ok());
  EXPECT_EQ(statuses[1].code(), StatusCode::kConflict);
  EXPECT_EQ(statuses[2].code(), StatusCode::kInvalidData);
  EXPECT_THAT(statuses[2].message(), HasSubstr("Count"));
  EXPECT_TRUE(statuses[3].ok()) << statuses[3].ToString();
  EXPECT_EQ(db->Get("items", {"banana"}).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(db->Get("items", {"cherry"}).ok());
  EXPECT_TRUE(db->Get("items", {"fig"}).ok());
  EXPECT_EQ(db->Get("items", {"apple"})->Get("Count"), "5");
}

TEST_F(SyncModeTest, C032_EveryCommitOfAFailedGroupGetsTheError) {
  std::unique_ptr<Database> db = Open(SyncMode::kBatch);
  env_.HoldFirstExclusiveLock();
  std::vector<Status> statuses(4);
  std::vector<std::thread> threads;
  const auto insert = [&](int i) {
    Transaction txn = db->Begin();
    txn.Insert("items", Item("item-" + std::to_string(i)));
    statuses[static_cast<std::size_t>(i)] = txn.Commit();
  };
  threads.emplace_back(insert, 0);
  env_.AwaitHeld();
  for (int i = 1; i < 4; ++i) threads.emplace_back(insert, i);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  env_.FailAt(1, /*persistent=*/true);  // every I/O call fails from now on
  env_.Release();
  for (std::thread& thread : threads) thread.join();
  env_.FailAt(0, false);
  for (const Status& status : statuses) EXPECT_EQ(status.code(), StatusCode::kIOError);
  db.reset();
  db = Open(SyncMode::kSafe);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(db->Get("items", {"item-" + std::to_string(i)}).status().code(),
              StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace textdb
