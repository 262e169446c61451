// Tests for the Env seam (include/textdb/env.h): the same contract checked against the POSIX Env
// (in a temporary directory) and the in-memory Env.
#include "textdb/env.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "fault_env.h"

namespace textdb {
namespace {

enum class Kind { kPosix, kMem };

class EnvTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kPosix) {
      env_ = Env::Default();
      char tmpl[] = "/tmp/textdb-env-XXXXXX";
      ASSERT_NE(::mkdtemp(tmpl), nullptr);
      root_ = tmpl;
    } else {
      mem_ = NewMemEnv();
      env_ = mem_.get();
      root_ = "/db";
      ASSERT_TRUE(env_->CreateDir(root_).ok());
    }
  }
  void TearDown() override {
    if (GetParam() == Kind::kPosix) std::filesystem::remove_all(root_);
  }

  std::string Path(const std::string& name) const { return root_ + "/" + name; }

  void Write(const std::string& name, const std::string& data) {
    auto file = env_->NewWritableFile(Path(name), /*exclusive=*/false);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::unique_ptr<Env> mem_;
  Env* env_ = nullptr;
  std::string root_;
};

TEST_P(EnvTest, WriteReadRoundTrip) {
  Write("a.txt", "hello\n");
  auto data = env_->ReadFile(Path("a.txt"));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "hello\n");
  Write("a.txt", "x");  // non-exclusive truncates
  EXPECT_EQ(*env_->ReadFile(Path("a.txt")), "x");
}

TEST_P(EnvTest, ReadFileRange) {
  Write("r", "0123456789");
  EXPECT_EQ(*env_->ReadFileRange(Path("r"), 2, 3), "234");
  EXPECT_EQ(*env_->ReadFileRange(Path("r"), 8, 10), "89");
  EXPECT_EQ(*env_->ReadFileRange(Path("r"), 20, 5), "");
  EXPECT_EQ(env_->ReadFileRange(Path("none"), 0, 1).status().code(), StatusCode::kNotFound);
}

TEST_P(EnvTest, LargeFileRoundTrip) {
  std::string big(3 * 1024 * 1024 + 7, 'q');
  Write("big", big);
  EXPECT_EQ(*env_->ReadFile(Path("big")), big);
}

// Reads `file` to its end in pieces of `piece` bytes.
std::string ReadAll(SequentialFile* file, std::size_t piece) {
  std::string out;
  std::string scratch(piece, '\0');
  while (true) {
    Result<std::size_t> got = file->Read(scratch.data(), piece);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || *got == 0) return out;
    out.append(scratch, 0, *got);
    if (*got < piece) {  // fewer only at the end: the next read gives nothing
      EXPECT_EQ(*file->Read(scratch.data(), piece), 0u);
      return out;
    }
  }
}

TEST_P(EnvTest, SequentialFileReadsFromStartToEnd) {
  std::string data;
  for (int i = 0; i < 100000; ++i) data += static_cast<char>('a' + i % 26);
  Write("seq", data);
  for (const std::size_t piece :
       {std::size_t{1}, std::size_t{4096}, std::size_t{7919}, data.size(), data.size() + 1}) {
    auto file = env_->NewSequentialFile(Path("seq"));
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    if (piece == 1) {  // byte by byte would be slow: the first bytes, one at a time
      char c = 0;
      for (int i = 0; i < 30; ++i) {
        ASSERT_EQ(*(*file)->Read(&c, 1), 1u);
        EXPECT_EQ(c, data[static_cast<std::size_t>(i)]);
      }
      continue;
    }
    EXPECT_EQ(ReadAll(file->get(), piece), data) << "piece " << piece;
  }
  Write("empty", "");
  auto empty = env_->NewSequentialFile(Path("empty"));
  ASSERT_TRUE(empty.ok());
  char c = 0;
  EXPECT_EQ(*(*empty)->Read(&c, 1), 0u);
  EXPECT_EQ(env_->NewSequentialFile(Path("none")).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(env_->CreateDir(Path("dir")).ok());
  EXPECT_FALSE(env_->NewSequentialFile(Path("dir")).ok());
}

// The default NewSequentialFile, over ReadFileRange, as an Env that does not override it gets.
TEST_P(EnvTest, DefaultSequentialFileReadsThroughReadFileRange) {
  // FaultEnv forwards every call and overrides no NewSequentialFile.
  class RangeOnly final : public testing::FaultEnv {
   public:
    using FaultEnv::FaultEnv;
    Result<std::string> ReadFileRange(const std::string& p, std::uint64_t o,
                                      std::size_t n) override {
      ++ranges;
      return FaultEnv::ReadFileRange(p, o, n);
    }
    int ranges = 0;
  };
  RangeOnly env(env_);
  const std::string data(10000, 'z');
  Write("seq", data);
  auto file = env.NewSequentialFile(Path("seq"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(ReadAll(file->get(), 4096), data);
  EXPECT_EQ(env.ranges, 1 + 4);  // the check at open, then 4096 + 4096 + 1808 + 0
  EXPECT_EQ(env.NewSequentialFile(Path("none")).status().code(), StatusCode::kNotFound);
}

TEST_P(EnvTest, MissingFileIsNotFound) {
  EXPECT_EQ(env_->ReadFile(Path("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env_->RemoveFile(Path("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(env_->Stat(Path("nope")).status().code(), StatusCode::kNotFound);
}

TEST_P(EnvTest, ExclusiveCreateFailsWhenFileExists) {
  Write("t", "1");
  auto again = env_->NewWritableFile(Path("t"), /*exclusive=*/true);
  EXPECT_EQ(again.status().code(), StatusCode::kConflict);
  EXPECT_EQ(*env_->ReadFile(Path("t")), "1");
}

TEST_P(EnvTest, RenameReplacesAtomically) {
  Write("new", "new");
  Write("old", "old");
  ASSERT_TRUE(env_->Rename(Path("new"), Path("old")).ok());
  EXPECT_EQ(*env_->ReadFile(Path("old")), "new");
  EXPECT_EQ(env_->ReadFile(Path("new")).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(env_->SyncDir(root_).ok());
}

TEST_P(EnvTest, DirectoriesListAndRemove) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());  // already there: fine
  Write("d/b", "");
  Write("d/a", "");
  auto names = env_->ListDir(Path("d"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(env_->RemoveDir(Path("d")).ok());  // not empty
  ASSERT_TRUE(env_->RemoveFile(Path("d/a")).ok());
  ASSERT_TRUE(env_->RemoveFile(Path("d/b")).ok());
  EXPECT_TRUE(env_->RemoveDir(Path("d")).ok());
  EXPECT_FALSE(env_->CreateDir(Path("x/y")).ok());  // parent missing
}

TEST_P(EnvTest, ListDirEntriesGivesSortedNamesWithTypes) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  ASSERT_TRUE(env_->CreateDir(Path("d/sub")).ok());
  Write("d/b", "");
  Write("d/a", "");
  auto entries = env_->ListDirEntries(Path("d"));
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "a");
  EXPECT_EQ((*entries)[0].type, FileInfo::Type::kRegular);
  EXPECT_EQ((*entries)[1].name, "b");
  EXPECT_EQ((*entries)[2].name, "sub");
  EXPECT_EQ((*entries)[2].type, FileInfo::Type::kDirectory);
  EXPECT_EQ(env_->ListDirEntries(Path("none")).status().code(), StatusCode::kNotFound);
}

TEST_P(EnvTest, StatReportsTypeSizeAndChange) {
  Write("f", "12345");
  auto info = env_->Stat(Path("f"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->type, FileInfo::Type::kRegular);
  EXPECT_EQ(info->size, 5u);
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  EXPECT_EQ(env_->Stat(Path("d"))->type, FileInfo::Type::kDirectory);
  const auto inode = info->inode;
  Write("g", "other");
  ASSERT_TRUE(env_->Rename(Path("g"), Path("f")).ok());
  EXPECT_NE(env_->Stat(Path("f"))->inode, inode);  // replaced files are told apart by inode
}

TEST_P(EnvTest, DirectoryStatsPathsBelowIt) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  Write("d/f", "12345");
  auto dir = env_->OpenDirectory(root_);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto info = (*dir)->Stat("d/f");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->type, FileInfo::Type::kRegular);
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ((*dir)->Stat("d")->type, FileInfo::Type::kDirectory);
  // It sees the directory as it is now: a replaced file, a removed one.
  Write("g", "other!");
  ASSERT_TRUE(env_->Rename(Path("g"), Path("d/f")).ok());
  EXPECT_EQ((*dir)->Stat("d/f")->size, 6u);
  EXPECT_NE((*dir)->Stat("d/f")->inode, info->inode);
  ASSERT_TRUE(env_->RemoveFile(Path("d/f")).ok());
  const Status missing = (*dir)->Stat("d/f").status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find(Path("d/f")), std::string::npos) << missing.ToString();
  // Only directories open.
  EXPECT_EQ(env_->OpenDirectory(Path("none")).status().code(), StatusCode::kNotFound);
  Write("file", "");
  EXPECT_EQ(env_->OpenDirectory(Path("file")).status().code(), StatusCode::kIOError);
}

// Directory::ReadFileRange: PosixDirectory reads below the directory with no link followed
// (openat2); a link or a way out of the directory is left to the Env (kNotSupported). The
// default Directory does not read.
TEST_P(EnvTest, DirectoryReadsRangesWithoutFollowingLinks) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  Write("d/f", "0123456789");
  auto dir = env_->OpenDirectory(root_);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  if (GetParam() == Kind::kMem) {
    EXPECT_EQ((*dir)->ReadFileRange("d/f", 2, 3).status().code(), StatusCode::kNotSupported);
    return;
  }
  Result<std::string> middle = (*dir)->ReadFileRange("d/f", 2, 3);
  ASSERT_TRUE(middle.ok()) << middle.status().ToString();
  EXPECT_EQ(*middle, "234");
  Result<std::string> end = (*dir)->ReadFileRange("d/f", 8, 5);
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(*end, "89");
  const Status missing = (*dir)->ReadFileRange("d/none", 0, 1).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find(Path("d/none")), std::string::npos) << missing.ToString();
  Write("outside", "secret");
  std::filesystem::create_symlink(Path("d/f"), Path("link"));
  std::filesystem::create_directory_symlink(Path("d"), Path("dirlink"));
  for (const char* rel : {"link", "dirlink/f", "../outside", "d/../../outside"}) {
    EXPECT_EQ((*dir)->ReadFileRange(rel, 0, 3).status().code(), StatusCode::kNotSupported) << rel;
  }
  // Not regular: an error, and no wait for a writer on a FIFO.
  ASSERT_EQ(::mkfifo(Path("fifo").c_str(), 0600), 0);
  EXPECT_EQ((*dir)->ReadFileRange("fifo", 0, 3).status().code(), StatusCode::kIOError);
  EXPECT_EQ((*dir)->ReadFileRange("d", 0, 3).status().code(), StatusCode::kIOError);
}

// The default OpenDirectory, over Stat, as an Env that does not override it gets.
TEST_P(EnvTest, DefaultDirectoryStatsThroughStat) {
  // FaultEnv forwards every call and overrides no OpenDirectory.
  class CountingStats final : public testing::FaultEnv {
   public:
    using FaultEnv::FaultEnv;
    Result<FileInfo> Stat(const std::string& p) override {
      stats.push_back(p);
      return FaultEnv::Stat(p);
    }
    std::vector<std::string> stats;
  };
  CountingStats env(env_);
  Write("f", "abc");
  auto dir = env.OpenDirectory(root_);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ((*dir)->Stat("f")->size, 3u);
  EXPECT_EQ((*dir)->Stat("none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.stats, (std::vector<std::string>{root_, Path("f"), Path("none")}));
}

TEST_P(EnvTest, ExclusiveLockExcludesOthers) {
  auto lock = env_->LockFile(Path("LOCK"), /*exclusive=*/true, /*wait=*/false);
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  if (GetParam() == Kind::kMem) {  // OFD locks conflict between open file descriptions
    auto second = env_->LockFile(Path("LOCK"), true, false);
    EXPECT_EQ(second.status().code(), StatusCode::kConflict);
  }
  lock->reset();
  auto again = env_->LockFile(Path("LOCK"), true, false);
  EXPECT_TRUE(again.ok());
}

TEST_P(EnvTest, LockFileHandleLocksAndUnlocksRepeatedly) {
  auto handle = env_->OpenLockFile(Path("LOCK"));
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE((*handle)->Lock(/*exclusive=*/true, /*wait=*/false).ok());
    if (GetParam() == Kind::kMem) {  // POSIX: a second description conflicts only across processes
      EXPECT_EQ(env_->LockFile(Path("LOCK"), false, false).status().code(), StatusCode::kConflict);
    }
    (*handle)->Unlock();
    EXPECT_TRUE(env_->LockFile(Path("LOCK"), true, false).ok());
    ASSERT_TRUE((*handle)->Lock(/*exclusive=*/false, /*wait=*/false).ok());
    EXPECT_TRUE(env_->LockFile(Path("LOCK"), false, false).ok());  // shared with shared
    (*handle)->Unlock();
  }
}

// [C-012]: one counter per lock file, shared by its handles, starting at 0.
TEST_P(EnvTest, LockFileHandlesOfOneFileShareACounter) {
  auto first = env_->OpenLockFile(Path("LOCK"));
  auto second = env_->OpenLockFile(Path("LOCK"));
  auto other = env_->OpenLockFile(Path("OTHER"));
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  std::uint64_t* a = (*first)->SharedCounter();
  std::uint64_t* b = (*second)->SharedCounter();
  std::uint64_t* c = (*other)->SharedCounter();
  ASSERT_TRUE(a != nullptr && b != nullptr && c != nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 8, 0u);
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(*a).load(), 0u);
  std::atomic_ref<std::uint64_t>(*a).store(41);
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(*b).load(), 41u);
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(*c).load(), 0u);
  first->reset();
  second->reset();
  auto again = env_->OpenLockFile(Path("LOCK"));  // the count outlives its handles
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(*(*again)->SharedCounter()).load(), 41u);
}

// An Env that keeps the default OpenLockFile has no counter, so its handles' reads lock.
TEST_P(EnvTest, DefaultLockFileHandleHasNoCounter) {
  testing::FaultEnv env(env_);  // overrides no OpenLockFile
  auto handle = env.OpenLockFile(Path("LOCK"));
  ASSERT_TRUE(handle.ok());
  EXPECT_EQ((*handle)->SharedCounter(), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Envs, EnvTest, ::testing::Values(Kind::kPosix, Kind::kMem),
                         [](const ::testing::TestParamInfo<Kind>& param_info) {
                           return param_info.param == Kind::kPosix ? std::string("Posix")
                                                                   : std::string("Mem");
                         });

// POSIX only: the lock is an OFD lock, so it conflicts across processes, survives an unrelated
// open/close of the lock file in the holder's process, and a dead holder releases it at once.
class PosixLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/textdb-lock-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/LOCK";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Exit code of a child process that tries to take the lock without waiting: 0 when granted,
  // 1 when refused as locked.
  int ChildTries() const {
    const pid_t pid = ::fork();
    if (pid == 0) {
      auto lock = Env::Default()->LockFile(path_, true, false);
      ::_exit(lock.ok() ? 0 : (lock.status().code() == StatusCode::kConflict ? 1 : 2));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WEXITSTATUS(status);
  }

  std::string dir_;
  std::string path_;
};

TEST_F(PosixLockTest, ConflictsAcrossProcessesAndSurvivesUnrelatedClose) {
  auto lock = Env::Default()->LockFile(path_, true, false);
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(ChildTries(), 1);
  const int fd = ::open(path_.c_str(), O_RDONLY);  // a classic POSIX lock would drop here
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_EQ(ChildTries(), 1);
  lock->reset();
  EXPECT_EQ(ChildTries(), 0);
}

TEST_F(PosixLockTest, LockFileHandleConflictsAcrossProcessesAndSurvivesUnrelatedClose) {
  auto handle = Env::Default()->OpenLockFile(path_);
  ASSERT_TRUE(handle.ok());
  EXPECT_EQ(ChildTries(), 0);  // opening the handle takes no lock
  ASSERT_TRUE((*handle)->Lock(/*exclusive=*/false, /*wait=*/false).ok());
  EXPECT_EQ(ChildTries(), 1);  // the child asks for an exclusive lock
  const int fd = ::open(path_.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_EQ(ChildTries(), 1);
  (*handle)->Unlock();
  EXPECT_EQ(ChildTries(), 0);
  ASSERT_TRUE((*handle)->Lock(/*exclusive=*/true, /*wait=*/false).ok());
  EXPECT_EQ(ChildTries(), 1);
  handle->reset();  // destroying the handle releases it
  EXPECT_EQ(ChildTries(), 0);
}

// [C-012]: the counter is the lock file's first 8 bytes, so other processes see it; an empty
// lock file (made by an older textdb, or by hand) grows to 8 bytes of zeros.
TEST_F(PosixLockTest, CounterIsSharedWithOtherProcessesThroughTheFile) {
  { std::ofstream(path_, std::ios::binary).flush(); }
  auto handle = Env::Default()->OpenLockFile(path_);
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  EXPECT_EQ(std::filesystem::file_size(path_), 8u);
  std::atomic_ref<std::uint64_t> counter(*(*handle)->SharedCounter());
  EXPECT_EQ(counter.load(), 0u);
  counter.store(6);
  const pid_t child = ::fork();
  if (child == 0) {
    auto mine = Env::Default()->OpenLockFile(path_);
    if (!mine.ok()) ::_exit(2);
    std::atomic_ref<std::uint64_t> seen(*(*mine)->SharedCounter());
    if (seen.load() != 6) ::_exit(1);
    seen.store(7);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(counter.load(), 7u);
  std::ifstream file(path_, std::ios::binary);
  std::uint64_t stored = 0;
  file.read(reinterpret_cast<char*>(&stored), sizeof stored);
  EXPECT_EQ(stored, 7u);
}

TEST_F(PosixLockTest, KilledHolderReleasesTheLock) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t holder = ::fork();
  if (holder == 0) {
    auto lock = Env::Default()->LockFile(path_, true, false);
    const char byte = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  EXPECT_EQ(ChildTries(), 1);
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  EXPECT_EQ(ChildTries(), 0);
  ::close(ready[0]);
  ::close(ready[1]);
}

// A file replaced (renamed over) while it is read: the reader goes on with the version it
// opened, so its bytes never mix two versions.
TEST_F(PosixLockTest, SequentialFileKeepsReadingTheVersionItOpened) {
  Env* env = Env::Default();
  const std::string path = dir_ + "/data";
  const auto write = [&](const std::string& name, const std::string& text) {
    auto file = env->NewWritableFile(name, false);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(text).ok());
    ASSERT_TRUE((*file)->Close().ok());
  };
  write(path, std::string(8192, 'o'));
  auto file = env->NewSequentialFile(path);
  ASSERT_TRUE(file.ok());
  std::string first(4096, '\0');
  ASSERT_EQ(*(*file)->Read(first.data(), first.size()), 4096u);
  write(dir_ + "/data.new", std::string(8192, 'n'));
  ASSERT_TRUE(env->Rename(dir_ + "/data.new", path).ok());
  std::string rest(8192, '\0');
  ASSERT_EQ(*(*file)->Read(rest.data(), rest.size()), 4096u);
  EXPECT_EQ(first + rest.substr(0, 4096), std::string(8192, 'o'));
}

TEST_F(PosixLockTest, SymlinksAreNotFollowed) {
  const std::string target = dir_ + "/target";
  {
    auto file = Env::Default()->NewWritableFile(target, false);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append("secret").ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  const std::string link = dir_ + "/link";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_FALSE(Env::Default()->ReadFile(link).ok());
  EXPECT_FALSE(Env::Default()->NewSequentialFile(link).ok());
  EXPECT_FALSE(Env::Default()->NewWritableFile(link, false).ok());
  EXPECT_EQ(Env::Default()->Stat(link)->type, FileInfo::Type::kSymlink);
  auto dir = Env::Default()->OpenDirectory(dir_);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ((*dir)->Stat("link")->type, FileInfo::Type::kSymlink);
  auto entries = Env::Default()->ListDirEntries(dir_);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "link");
  EXPECT_EQ((*entries)[0].type, FileInfo::Type::kSymlink);  // reported, not followed
  EXPECT_EQ(*Env::Default()->ReadFile(target), "secret");
}

}  // namespace
}  // namespace textdb
