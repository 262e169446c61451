// Tests for the engine's per-handle database lock (engine/process_lock.h): threads of one handle
// exclude each other although they share one open file description, and other processes see the
// file lock.
#include "engine/process_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
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

}  // namespace
}  // namespace textdb::internal
