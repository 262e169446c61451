// Concurrency on one database (format-spec/durability-process.md [T-010..T-014]): several
// processes and several threads of one process commit and read at once. Runs on the real file
// system (/dev/shm when writable). The thread tests are the ones the `tsan` preset builds and runs
// under ThreadSanitizer.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "textdb/db.h"

namespace textdb {
namespace {

constexpr char kCounterSchema[] =
    "Table: counters\n"
    "Key: Name\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Name\n"
    "\n"
    "Field: Value\n"
    "Type: integer\n";
// Keys spread over partitions by their first letter; `Version` records the counter's history.
constexpr char kItemsSchema[] =
    "Table: items\n"
    "Key: Id\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Value\n"
    "Type: integer\n";

deb822::Stanza Make(std::initializer_list<std::pair<const char*, std::string>> fields) {
  deb822::Stanza stanza;
  for (const auto& [name, value] : fields) EXPECT_TRUE(stanza.SetRaw(name, value).ok());
  return stanza;
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string parent = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = parent + "/textdb-conc-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/db";
    ASSERT_TRUE(Database::Create(dir_).ok());
    auto db = Database::Open(dir_, Options{});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->CreateTable(kCounterSchema).ok());
    ASSERT_TRUE((*db)->CreateTable(kItemsSchema).ok());
    Transaction txn = (*db)->Begin();
    txn.Insert("counters", Make({{"Name", "hits"}, {"Value", "0"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Database> OpenDb(SyncMode mode = SyncMode::kSafe, Env* env = nullptr) {
    Options options;
    options.sync = mode;
    options.env = env;
    auto db = Database::Open(dir_, options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Runs `body` in a child process and returns its exit code (-1 when it died of a signal).
  static pid_t Spawn(const std::function<int()>& body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    return pid;
  }
  static int Wait(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string root_;
  std::string dir_;
};

// Increments counter `hits` by one and inserts `unique_key` in one transaction, optimistically:
// the transaction also inserts the record "v<new value>", which fails with kConflict when another
// writer got that value first, and then nothing of it is applied; it is retried from a fresh read.
// Returns the number of attempts, or 0 on an unexpected error.
int Increment(Database* db, const std::string& unique_key) {
  for (int attempt = 1; attempt < 100000; ++attempt) {
    Result<Record> counter = db->Get("counters", {"hits"});
    if (!counter.ok()) return 0;
    const long value = std::strtol(std::string(*counter->Get("Value")).c_str(), nullptr, 10);
    const std::string next = std::to_string(value + 1);
    Transaction txn = db->Begin();
    txn.Update("counters", {"hits"}, {{"Value", next}});
    txn.Insert("items", Make({{"Id", "v" + next}, {"Value", next}}));
    txn.Insert("items", Make({{"Id", unique_key}, {"Value", next}}));
    const Status status = txn.Commit();
    if (status.ok()) return attempt;
    if (status.code() != StatusCode::kConflict) {
      ADD_FAILURE() << status.ToString();
      return 0;
    }
  }
  return 0;
}

// Checks the state after `increments` acknowledged increments with keys `keys`: the counter
// equals their number, every version 1..n and every unique key is present, nothing else.
void ExpectCounterState(Database* db, long increments, const std::set<std::string>& keys) {
  Result<Record> counter = db->Get("counters", {"hits"});
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(*counter->Get("Value"), std::to_string(increments));
  std::set<std::string> stored;
  ASSERT_TRUE(db->Scan("items", "", [&](const Record& record) {
                  stored.insert(std::string(*record.Get("Id")));
                  return true;
                }).ok());
  std::set<std::string> expected = keys;
  for (long v = 1; v <= increments; ++v) expected.insert("v" + std::to_string(v));
  EXPECT_EQ(stored, expected);
}

// [T-010]: processes incrementing one counter lose no increment and no key.
TEST_F(ConcurrencyTest, T010_ProcessesIncrementASharedCounter) {
  constexpr int kProcesses = 4;
  constexpr int kIncrements = 25;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcesses; ++p) {
    pids.push_back(Spawn([&, p] {
      ::close(fds[0]);
      auto db = OpenDb(p % 2 == 0 ? SyncMode::kSafe : SyncMode::kFast);
      if (db == nullptr) return 2;
      for (int i = 0; i < kIncrements; ++i) {
        const int attempts = Increment(db.get(), fmt::format("p{}-{}", p, i));
        if (attempts == 0) return 3;
        // Acknowledge the increment and the attempts it needed.
        if (::write(fds[1], &attempts, sizeof attempts) != sizeof attempts) return 4;
      }
      return 0;
    }));
  }
  ::close(fds[1]);
  long acknowledged = 0;
  long retries = 0;
  int attempts = 0;
  while (::read(fds[0], &attempts, sizeof attempts) == sizeof attempts) {
    ++acknowledged;
    retries += attempts - 1;
  }
  ::close(fds[0]);
  for (pid_t pid : pids) EXPECT_EQ(Wait(pid), 0);
  EXPECT_EQ(acknowledged, kProcesses * kIncrements);
  std::set<std::string> keys;
  for (int p = 0; p < kProcesses; ++p) {
    for (int i = 0; i < kIncrements; ++i) keys.insert(fmt::format("p{}-{}", p, i));
  }
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ExpectCounterState(db.get(), acknowledged, keys);
  RecordProperty("retries", static_cast<int>(retries));
  std::printf("%ld increments by %d processes, %ld conflicts retried\n", acknowledged, kProcesses,
              retries);
}

// The values of records `a-pair` and `z-pair` (two partitions) as one read sees them.
std::optional<std::pair<std::string, std::string>> ReadPair(Database* db) {
  std::string a;
  std::string z;
  const Status status = db->Scan("items", "", [&](const Record& record) {
    const std::string_view id = *record.Get("Id");
    if (id == "a-pair") a = std::string(*record.Get("Value"));
    if (id == "z-pair") z = std::string(*record.Get("Value"));
    return true;
  });
  if (!status.ok()) return std::nullopt;
  return std::make_pair(a, z);
}

// [T-011]: a writer updates two partitions together while readers loop: no reader sees half.
TEST_F(ConcurrencyTest, T011_ReadersNeverSeeHalfACommit) {
  constexpr int kCommits = 150;
  constexpr int kReaders = 2;
  {
    auto db = OpenDb();
    Transaction txn = db->Begin();
    txn.Insert("items", Make({{"Id", "a-pair"}, {"Value", "0"}}));
    txn.Insert("items", Make({{"Id", "z-pair"}, {"Value", "0"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::vector<pid_t> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.push_back(Spawn([&] {
      ::close(fds[0]);
      auto db = OpenDb();
      if (db == nullptr) return 2;
      long reads = 0;
      std::set<std::string> seen;
      while (true) {
        auto pair = ReadPair(db.get());
        if (!pair) return 3;
        ++reads;
        if (pair->first != pair->second) {
          std::fprintf(stderr, "half a commit: a-pair=%s z-pair=%s\n", pair->first.c_str(),
                       pair->second.c_str());
          return 1;
        }
        seen.insert(pair->first);
        if (pair->first == std::to_string(kCommits)) break;
      }
      const long counts[2] = {reads, static_cast<long>(seen.size())};
      return ::write(fds[1], counts, sizeof counts) == sizeof counts ? 0 : 4;
    }));
  }
  ::close(fds[1]);
  const pid_t writer = Spawn([&] {
    auto db = OpenDb();
    if (db == nullptr) return 2;
    for (int i = 1; i <= kCommits; ++i) {
      Transaction txn = db->Begin();
      txn.Update("items", {"a-pair"}, {{"Value", std::to_string(i)}});
      txn.Update("items", {"z-pair"}, {{"Value", std::to_string(i)}});
      if (!txn.Commit().ok()) return 3;
    }
    return 0;
  });
  EXPECT_EQ(Wait(writer), 0);
  long counts[2];
  long reads = 0;
  long states = 0;
  while (::read(fds[0], counts, sizeof counts) == sizeof counts) {
    reads += counts[0];
    states += counts[1];
  }
  ::close(fds[0]);
  for (pid_t pid : readers) EXPECT_EQ(Wait(pid), 0);
  // The readers saw the writer's progress, not only its end.
  EXPECT_GT(states, kReaders);
  std::printf("%d two-partition commits, %ld reads by %d readers saw %ld distinct states\n",
              kCommits, reads, kReaders, states);
}

// Forwards to the POSIX Env and calls `hook` (once) just before the first Rename, and the hook
// given to OnStat (once) just before the first Stat of its path.
class HookEnv final : public Env {
 public:
  explicit HookEnv(std::function<void()> hook) : hook_(std::move(hook)) {}
  void OnStat(std::string path, std::function<void()> hook) {
    stat_path_ = std::move(path);
    stat_hook_ = std::move(hook);
  }
  Result<std::string> ReadFile(const std::string& path) override { return base_->ReadFile(path); }
  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    return base_->ReadFileRange(path, offset, length);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    return base_->NewWritableFile(path, exclusive);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (hook_) std::exchange(hook_, nullptr)();
    return base_->Rename(from, to);
  }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  Status RemoveDir(const std::string& path) override { return base_->RemoveDir(path); }
  Status SyncDir(const std::string& path) override { return base_->SyncDir(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return base_->ListDir(path);
  }
  Result<FileInfo> Stat(const std::string& path) override {
    if (stat_hook_ && path == stat_path_) std::exchange(stat_hook_, nullptr)();
    return base_->Stat(path);
  }
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    return base_->LockFile(path, exclusive, wait);
  }
  Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& path) override {
    return base_->OpenLockFile(path);
  }

 private:
  Env* base_ = Env::Default();
  std::function<void()> hook_;
  std::string stat_path_;
  std::function<void()> stat_hook_;
};

// [C-012]: a get runs without the lock, and is made again under it when a writer ran meanwhile.
// Here another handle re-partitions the table in the middle of the get, after the get has
// checked the schema and just before it looks at the data file, which the re-partition removes:
// taken alone, the unlocked get would report the record missing.
TEST_F(ConcurrencyTest, C012_AGetThatAWriterOverlappedIsMadeAgainUnderTheLock) {
  {
    auto db = OpenDb();
    ASSERT_NE(db, nullptr);
    Transaction txn = db->Begin();
    txn.Insert("items", Make({{"Id", "apple"}, {"Value", "1"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  HookEnv env(nullptr);
  auto reader = OpenDb(SyncMode::kSafe, &env);
  auto writer = OpenDb();
  ASSERT_TRUE(reader != nullptr && writer != nullptr);
  ASSERT_TRUE(reader->Get("items", {"apple"}).ok());  // indexes items/a.deb822
  int overlapped = 0;
  env.OnStat(dir_ + "/items/a.deb822", [&] {
    ++overlapped;
    EXPECT_TRUE(writer->Repartition("items", 2).ok());  // would deadlock if the get held the lock
  });
  Result<Record> record = reader->Get("items", {"apple"});
  EXPECT_EQ(overlapped, 1);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(*record->Get("Value"), "1");
  EXPECT_EQ(record->file(), "items/a/ap.deb822");
}

// [C-012] across processes: while a writer re-partitions the table back and forth (commits that
// rewrite the schema and move every record), gets in other processes, which take no lock unless
// a writer is seen, always find every record with its value.
TEST_F(ConcurrencyTest, T015_GetsDuringRepartitionsAlwaysFindTheirRecords) {
  constexpr int kRepartitions = 300;
  constexpr int kReaders = 2;
  const std::vector<std::string> ids = {"apple", "banana", "cherry", "damson", "elder", "fig"};
  {
    auto db = OpenDb();
    ASSERT_NE(db, nullptr);
    Transaction txn = db->Begin();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      txn.Insert("items", Make({{"Id", ids[i]}, {"Value", std::to_string(i)}}));
    }
    ASSERT_TRUE(txn.Commit().ok());
  }
  const std::string done = root_ + "/done";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  std::vector<pid_t> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.push_back(Spawn([&] {
      ::close(ready[0]);
      auto db = OpenDb();
      if (db == nullptr) return 2;
      ::close(ready[1]);  // the writer starts once every reader has opened the database
      for (long round = 0; !std::filesystem::exists(done) || round == 0; ++round) {
        for (std::size_t i = 0; i < ids.size(); ++i) {
          Result<Record> record = db->Get("items", {ids[i]});
          if (!record.ok() || *record->Get("Value") != std::to_string(i)) {
            std::fprintf(stderr, "round %ld, %s: %s\n", round, ids[i].c_str(),
                         record.ok() ? "wrong value" : record.status().ToString().c_str());
            return 1;
          }
        }
      }
      return 0;
    }));
  }
  ::close(ready[1]);
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 0);  // end of file: every reader closed its end
  ::close(ready[0]);
  const pid_t writer = Spawn([&] {
    auto db = OpenDb();
    if (db == nullptr) return 2;
    for (int i = 1; i <= kRepartitions; ++i) {
      if (!db->Repartition("items", i % 2 == 1 ? 2 : 1).ok()) return 3;
    }
    return 0;
  });
  EXPECT_EQ(Wait(writer), 0);
  { std::ofstream(done).flush(); }
  for (pid_t pid : readers) EXPECT_EQ(Wait(pid), 0);
}

// Exit code of a child that tries the database lock without waiting: 0 granted, 1 refused.
int ChildTriesLock(const std::string& lock_path, bool exclusive) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto lock = Env::Default()->LockFile(lock_path, exclusive, false);
    ::_exit(lock.ok() ? 0 : (lock.status().code() == StatusCode::kConflict ? 1 : 2));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Opens and closes the lock file the way an unrelated part of the program could (a backup
// tool, a `stat` helper): with a classic POSIX lock this close would drop the database lock.
void UnrelatedOpenClose(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char byte;
  (void)::read(fd, &byte, 1);
  ::close(fd);
}

// [T-012], [C-010]: the lock survives an unrelated open and close of LOCK in the holder's
// process, both the shared lock of a read and the exclusive lock of a commit.
TEST_F(ConcurrencyTest, T012_LockSurvivesUnrelatedCloseOfTheLockFile) {
  const std::string lock_path = dir_ + "/.textdb/LOCK";
  int during_commit = -1;
  int during_commit_shared = -1;
  HookEnv env([&] {
    UnrelatedOpenClose(lock_path);
    during_commit = ChildTriesLock(lock_path, /*exclusive=*/true);
    during_commit_shared = ChildTriesLock(lock_path, /*exclusive=*/false);
  });
  auto db = OpenDb(SyncMode::kSafe, &env);
  ASSERT_NE(db, nullptr);
  Transaction txn = db->Begin();
  txn.Insert("items", Make({{"Id", "a-1"}, {"Value", "1"}}));
  txn.Insert("items", Make({{"Id", "z-1"}, {"Value", "1"}}));
  ASSERT_TRUE(txn.Commit().ok());
  EXPECT_EQ(during_commit, 1) << "another process got the exclusive lock during a commit";
  EXPECT_EQ(during_commit_shared, 1) << "another process got the shared lock during a commit";

  int during_read = -1;
  ASSERT_TRUE(db->Scan("items", "", [&](const Record&) {
                  if (during_read == -1) {
                    UnrelatedOpenClose(lock_path);
                    during_read = ChildTriesLock(lock_path, /*exclusive=*/true);
                  }
                  return true;
                }).ok());
  EXPECT_EQ(during_read, 1) << "another process got the exclusive lock during a read";
  EXPECT_EQ(ChildTriesLock(lock_path, true), 0) << "the lock was not released after the read";
}

// [T-013]: a holder killed inside a commit, after its commit point, releases the lock at once;
// the next handle takes it and recovery finishes the commit.
TEST_F(ConcurrencyTest, T013_KilledHolderIsTakenOverAndRecovered) {
  const pid_t holder = Spawn([&] {
    // The first Rename is journal.tmp -> journal; die just before the second (the first
    // temporary file over its target): after the commit point, with the journal in place.
    int renames = 0;
    class KillAtSecondRename final : public Env {
     public:
      explicit KillAtSecondRename(int* renames) : renames_(renames) {}
      Result<std::string> ReadFile(const std::string& p) override { return b_->ReadFile(p); }
      Result<std::string> ReadFileRange(const std::string& p, std::uint64_t o,
                                        std::size_t n) override {
        return b_->ReadFileRange(p, o, n);
      }
      Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p, bool e) override {
        return b_->NewWritableFile(p, e);
      }
      Status Rename(const std::string& from, const std::string& to) override {
        if (++*renames_ == 2) ::raise(SIGKILL);
        return b_->Rename(from, to);
      }
      Status RemoveFile(const std::string& p) override { return b_->RemoveFile(p); }
      Status CreateDir(const std::string& p) override { return b_->CreateDir(p); }
      Status RemoveDir(const std::string& p) override { return b_->RemoveDir(p); }
      Status SyncDir(const std::string& p) override { return b_->SyncDir(p); }
      Result<std::vector<std::string>> ListDir(const std::string& p) override {
        return b_->ListDir(p);
      }
      Result<FileInfo> Stat(const std::string& p) override { return b_->Stat(p); }
      Result<std::unique_ptr<FileLock>> LockFile(const std::string& p, bool x, bool w) override {
        return b_->LockFile(p, x, w);
      }
      Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& p) override {
        return b_->OpenLockFile(p);
      }

     private:
      Env* b_ = Env::Default();
      int* renames_;
    } kill_env(&renames);
    auto db = OpenDb(SyncMode::kSafe, &kill_env);
    if (db == nullptr) return 2;
    Transaction txn = db->Begin();
    txn.Insert("items", Make({{"Id", "a-killed"}, {"Value", "7"}}));
    txn.Insert("items", Make({{"Id", "z-killed"}, {"Value", "7"}}));
    (void)txn.Commit();
    return 3;  // not reached: killed at the second rename
  });
  EXPECT_EQ(Wait(holder), -1);
  ASSERT_TRUE(std::filesystem::exists(dir_ + "/.textdb/journal"));
  const auto start = std::chrono::steady_clock::now();
  auto lock = Env::Default()->LockFile(dir_ + "/.textdb/LOCK", true, /*wait=*/false);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(lock.ok()) << "the dead holder's lock was not released: " << lock.status().ToString();
  EXPECT_LT(waited, std::chrono::milliseconds(100));
  lock->reset();
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/.textdb/journal"));
  for (const char* id : {"a-killed", "z-killed"}) {
    Result<Record> record = db->Get("items", {id});
    ASSERT_TRUE(record.ok()) << id << ": the commit past its commit point was not recovered";
    EXPECT_EQ(*record->Get("Value"), "7");
  }
  std::vector<std::string> problems;
  EXPECT_TRUE(db->Check(&problems).ok());
}

// [T-014]: threads of one process share a handle in each sync mode: increments from every thread
// are all applied, readers see whole commits. This is the test the `tsan` preset runs.
class ThreadsTest : public ConcurrencyTest, public ::testing::WithParamInterface<SyncMode> {};

TEST_P(ThreadsTest, T014_ThreadsShareOneHandle) {
  constexpr int kWriters = 4;
  constexpr int kIncrements = 15;
  auto db = OpenDb(GetParam());
  ASSERT_NE(db, nullptr);
  {
    Transaction txn = db->Begin();
    txn.Insert("items", Make({{"Id", "a-pair"}, {"Value", "0"}}));
    txn.Insert("items", Make({{"Id", "z-pair"}, {"Value", "0"}}));
    ASSERT_TRUE(txn.Commit().ok());
  }
  std::atomic<bool> done{false};
  std::atomic<long> half_seen{0};
  std::atomic<long> reads{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!done) {
        auto pair = ReadPair(db.get());
        if (!pair || pair->first != pair->second) ++half_seen;
        ++reads;
      }
    });
  }
  std::atomic<long> failed_gets{0};
  threads.emplace_back([&] {  // gets run unlocked [C-012], beside the handle's own writers
    while (!done) {
      Result<Record> record = db->Get("items", {"z-pair"});
      if (!record.ok()) ++failed_gets;
      ++reads;
    }
  });
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kIncrements; ++i) {
        if (Increment(db.get(), fmt::format("t{}-{}", w, i)) == 0) ++failures;
        Transaction txn = db->Begin();
        txn.Update("items", {"a-pair"}, {{"Value", std::to_string(w * 1000 + i)}});
        txn.Update("items", {"z-pair"}, {{"Value", std::to_string(w * 1000 + i)}});
        if (!txn.Commit().ok()) ++failures;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  done = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(half_seen, 0);
  EXPECT_EQ(failed_gets, 0);
  EXPECT_GT(reads, 0);
  std::set<std::string> keys;
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kIncrements; ++i) keys.insert(fmt::format("t{}-{}", w, i));
  }
  keys.insert("a-pair");
  keys.insert("z-pair");
  ExpectCounterState(db.get(), kWriters * kIncrements, keys);
}

INSTANTIATE_TEST_SUITE_P(SyncModes, ThreadsTest,
                         ::testing::Values(SyncMode::kSafe, SyncMode::kBatch, SyncMode::kFast),
                         [](const ::testing::TestParamInfo<SyncMode>& mode) -> std::string {
                           return mode.param == SyncMode::kSafe    ? "safe"
                                  : mode.param == SyncMode::kBatch ? "batch"
                                                                   : "fast";
                         });

}  // namespace
}  // namespace textdb
