// Tests for the engine's per-handle database lock (engine/process_lock.h): threads of one handle
// exclude each other although they share one open file description, and other processes see the
// file lock.
#include "engine/process_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

namespace textdb::internal {
namespace {

class ProcessLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/textdb-plock-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/LOCK";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Exit code of a child process that tries to take the file lock without waiting: 0 when
  // granted, 1 when refused.
  int ChildTries(bool exclusive) const {
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto lock = Env::Default()->LockFile(path_, exclusive, false);
      ::_exit(lock.ok() ? 0 : (lock.status().code() == StatusCode::kConflict ? 1 : 2));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WEXITSTATUS(status);
  }

  // True when `acquire` is still blocked after a pause; then joins it after `release`.
  static bool StaysBlocked(const std::function<void()>& acquire,
                           const std::function<void()>& release) {
    std::atomic<bool> acquired{false};
    std::thread thread([&] {
      acquire();
      acquired = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const bool blocked = !acquired;
    release();
    thread.join();
    return blocked && acquired;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(ProcessLockTest, C010_AWriterThreadWaitsForReaderThreadsOfTheSameHandle) {
  ProcessLock lock(Env::Default(), path_);
  auto reader = lock.Acquire(/*exclusive=*/false);
  ASSERT_TRUE(reader.ok());
  std::unique_ptr<FileLock> writer;
  EXPECT_TRUE(StaysBlocked([&] { writer = std::move(lock.Acquire(true)).value(); },
                           [&] { reader->reset(); }));
  EXPECT_EQ(ChildTries(/*exclusive=*/false), 1);  // the exclusive file lock is held
  writer.reset();
  EXPECT_EQ(ChildTries(/*exclusive=*/true), 0);
}

TEST_F(ProcessLockTest, C010_ReadersShareAndWaitForAWriter) {
  ProcessLock lock(Env::Default(), path_);
  auto first = lock.Acquire(/*exclusive=*/false);
  auto second = lock.Acquire(/*exclusive=*/false);  // does not wait for the first
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(ChildTries(/*exclusive=*/true), 1);
  EXPECT_EQ(ChildTries(/*exclusive=*/false), 0);
  first->reset();
  EXPECT_EQ(ChildTries(/*exclusive=*/true), 1);  // the second reader still holds it
  second->reset();
  EXPECT_EQ(ChildTries(/*exclusive=*/true), 0);

  auto writer = lock.Acquire(/*exclusive=*/true);
  ASSERT_TRUE(writer.ok());
  std::unique_ptr<FileLock> reader;
  EXPECT_TRUE(StaysBlocked([&] { reader = std::move(lock.Acquire(false)).value(); },
                           [&] { writer->reset(); }));
}

TEST_F(ProcessLockTest, C010_AWaitingWriterHoldsNewReadersBack) {
  ProcessLock lock(Env::Default(), path_);
  auto reader = lock.Acquire(/*exclusive=*/false);
  ASSERT_TRUE(reader.ok());
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    auto held = lock.Acquire(/*exclusive=*/true);
    writer_done = held.ok();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the writer is waiting now
  std::unique_ptr<FileLock> late_reader;
  EXPECT_TRUE(StaysBlocked(
      [&] {
        late_reader = std::move(lock.Acquire(false)).value();
        EXPECT_TRUE(writer_done);  // granted only after the writer had its turn
      },
      [&] { reader->reset(); }));
  writer.join();
}

TEST_F(ProcessLockTest, AFailedFileLockIsReportedAndLeavesNothingHeld) {
  // The lock file's directory does not exist: opening it fails.
  ProcessLock lock(Env::Default(), dir_ + "/missing/LOCK");
  auto failed = lock.Acquire(/*exclusive=*/true);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("missing/LOCK"), std::string::npos)
      << failed.status().ToString();
  std::filesystem::create_directory(dir_ + "/missing");
  auto reader = lock.Acquire(/*exclusive=*/false);  // not held back by the failed writer
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
}

// [C-012]: a writer makes the counter odd while it holds the lock, and an unlocked read that a
// writer overlapped, even one that came and went, is not valid.
TEST_F(ProcessLockTest, C012_AnUnlockedReadIsValidOnlyWhenNoWriterRanMeanwhile) {
  ProcessLock lock(Env::Default(), path_);
  EXPECT_FALSE(lock.BeginUnlockedRead());  // the lock file is not open yet: reads must lock
  lock.Acquire(/*exclusive=*/false)->reset();
  const std::optional<std::uint64_t> quiet = lock.BeginUnlockedRead();
  ASSERT_TRUE(quiet);
  EXPECT_TRUE(lock.UnlockedReadValid(*quiet));
  lock.Acquire(/*exclusive=*/false)->reset();  // readers do not count
  EXPECT_TRUE(lock.UnlockedReadValid(*quiet));

  const std::optional<std::uint64_t> before = lock.BeginUnlockedRead();
  auto writer = lock.Acquire(/*exclusive=*/true);
  ASSERT_TRUE(writer.ok());
  EXPECT_FALSE(lock.BeginUnlockedRead());  // held: reads must lock
  EXPECT_FALSE(lock.UnlockedReadValid(*before));
  writer->reset();
  EXPECT_FALSE(lock.UnlockedReadValid(*before));  // the writer came and went
  const std::optional<std::uint64_t> after = lock.BeginUnlockedRead();
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *before + 2);
}

// [C-012]: another process's writer is seen through the lock file; one that died holding the
// lock leaves the counter odd, so reads lock until the next writer is done.
TEST_F(ProcessLockTest, C012_WritersOfOtherProcessesAndDeadWritersAreSeen) {
  ProcessLock lock(Env::Default(), path_);
  lock.Acquire(/*exclusive=*/false)->reset();
  const std::optional<std::uint64_t> before = lock.BeginUnlockedRead();
  ASSERT_TRUE(before);
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    ProcessLock theirs(Env::Default(), path_);
    auto held = theirs.Acquire(/*exclusive=*/true);
    if (!held.ok()) ::_exit(2);
    ::_exit(0);  // dies holding it: `held` is never released
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(lock.UnlockedReadValid(*before));
  EXPECT_FALSE(lock.BeginUnlockedRead());
  auto reader = lock.Acquire(/*exclusive=*/false);  // the dead writer's file lock is gone
  ASSERT_TRUE(reader.ok());
  reader->reset();
  EXPECT_FALSE(lock.BeginUnlockedRead());  // a reader does not repair the counter
  lock.Acquire(/*exclusive=*/true)->reset();
  const std::optional<std::uint64_t> after = lock.BeginUnlockedRead();
  ASSERT_TRUE(after);
  EXPECT_EQ(*after, *before + 2);
}

}  // namespace
}  // namespace textdb::internal
