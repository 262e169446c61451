// An Env held in memory (see env.h): a map from path to node. Used by tests and as the base of
// the fault-injecting and crash-simulating Envs of the test suite.
#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "env/lock_file_handle.h"
#include "textdb/env.h"

namespace textdb {
namespace {

struct Node {
  bool is_dir = false;
  std::string data;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
};

std::string ParentOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class MemEnv;

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  Status Append(std::string_view data) override;
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

 private:
  MemEnv* env_;
  std::string path_;
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(MemEnv* env, std::string path, bool exclusive)
      : env_(env), path_(std::move(path)), exclusive_(exclusive) {}
  ~MemFileLock() override;

 private:
  MemEnv* env_;
  std::string path_;
  bool exclusive_;
};

class MemEnv final : public Env {
 public:
  MemEnv() {
    nodes_["."] = Node{true, {}, 0, NextInode()};
    nodes_["/"] = Node{true, {}, 0, NextInode()};
  }

  Result<std::string> ReadFile(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return Status::NotFound(fmt::format("{}: no such file", path));
    if (it->second.is_dir) return Status::IOError(fmt::format("{}: not a regular file", path));
    return it->second.data;
  }

  Result<std::string> ReadFileRange(const std::string& path, std::uint64_t offset,
                                    std::size_t length) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return Status::NotFound(fmt::format("{}: no such file", path));
    if (it->second.is_dir) return Status::IOError(fmt::format("{}: not a regular file", path));
    const std::string& data = it->second.data;
    if (offset >= data.size()) return std::string();
    return data.substr(static_cast<std::size_t>(offset), length);
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        bool exclusive) override {
    std::lock_guard<std::mutex> guard(mu_);
    TEXTDB_RETURN_IF_ERROR(ParentIsDir(path));
    auto it = nodes_.find(path);
    if (it != nodes_.end()) {
      if (exclusive) return Status::Conflict(fmt::format("{}: file exists", path));
      if (it->second.is_dir) return Status::IOError(fmt::format("{}: is a directory", path));
    }
    nodes_[path] = Node{false, {}, Tick(), NextInode()};
    return std::unique_ptr<WritableFile>(std::make_unique<MemWritableFile>(this, path));
  }

  Status Rename(const std::string& from, const std::string& to) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(from);
    if (it == nodes_.end()) return Status::NotFound(fmt::format("{}: no such file", from));
    TEXTDB_RETURN_IF_ERROR(ParentIsDir(to));
    if (it->second.is_dir) return Status::NotSupported("MemEnv renames files only");
    Node node = std::move(it->second);
    nodes_.erase(it);
    nodes_[to] = std::move(node);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return Status::NotFound(fmt::format("{}: no such file", path));
    if (it->second.is_dir) return Status::IOError(fmt::format("{}: is a directory", path));
    nodes_.erase(it);
    return Status::Ok();
  }

  Status CreateDir(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it != nodes_.end()) {
      return it->second.is_dir ? Status::Ok()
                               : Status::Conflict(fmt::format("{}: file exists", path));
    }
    TEXTDB_RETURN_IF_ERROR(ParentIsDir(path));
    nodes_[path] = Node{true, {}, Tick(), NextInode()};
    return Status::Ok();
  }

  Status RemoveDir(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end() || !it->second.is_dir) {
      return Status::NotFound(fmt::format("{}: no such directory", path));
    }
    if (!ChildrenOf(path).empty()) {
      return Status::IOError(fmt::format("{}: directory not empty", path));
    }
    nodes_.erase(it);
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end() || !it->second.is_dir) {
      return Status::NotFound(fmt::format("{}: no such directory", path));
    }
    return Status::Ok();
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end() || !it->second.is_dir) {
      return Status::NotFound(fmt::format("{}: no such directory", path));
    }
    return ChildrenOf(path);
  }

  Result<FileInfo> Stat(const std::string& path) override {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = nodes_.find(path);
    if (it == nodes_.end()) return Status::NotFound(fmt::format("{}: no such file", path));
    FileInfo info;
    info.type = it->second.is_dir ? FileInfo::Type::kDirectory : FileInfo::Type::kRegular;
    info.size = it->second.data.size();
    info.mtime_ns = it->second.mtime_ns;
    info.inode = it->second.inode;
    return info;
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, bool exclusive,
                                             bool wait) override {
    std::unique_lock<std::mutex> guard(mu_);
    TEXTDB_RETURN_IF_ERROR(ParentIsDir(path));
    if (nodes_.find(path) == nodes_.end()) nodes_[path] = Node{false, {}, Tick(), NextInode()};
    auto granted = [&] {
      const LockState& s = locks_[path];
      return exclusive ? (!s.exclusive && s.shared == 0) : !s.exclusive;
    };
    if (!granted()) {
      if (!wait) return Status::Conflict(fmt::format("{}: locked by another holder", path));
      lock_released_.wait(guard, granted);
    }
    LockState& s = locks_[path];
    if (exclusive) {
      s.exclusive = true;
    } else {
      ++s.shared;
    }
    return std::unique_ptr<FileLock>(std::make_unique<MemFileLock>(this, path, exclusive));
  }

  Result<std::unique_ptr<LockFileHandle>> OpenLockFile(const std::string& path) override {
    std::uint64_t* counter = nullptr;
    {
      std::lock_guard<std::mutex> guard(mu_);
      TEXTDB_RETURN_IF_ERROR(ParentIsDir(path));
      if (nodes_.find(path) == nodes_.end()) nodes_[path] = Node{false, {}, Tick(), NextInode()};
      counter = &locks_[path].counter;
    }
    return internal::NewLockFileHandleOverLockFile(this, path, counter);
  }

  void AppendTo(const std::string& path, std::string_view data) {
    std::lock_guard<std::mutex> guard(mu_);
    Node& node = nodes_[path];
    node.data.append(data);
    node.mtime_ns = Tick();
  }

  void Unlock(const std::string& path, bool exclusive) {
    std::lock_guard<std::mutex> guard(mu_);
    LockState& s = locks_[path];
    if (exclusive) {
      s.exclusive = false;
    } else {
      --s.shared;
    }
    lock_released_.notify_all();
  }

 private:
  struct LockState {
    bool exclusive = false;
    int shared = 0;
    // LockFileHandle::SharedCounter of the path: a map node never moves, and none is erased.
    alignas(8) std::uint64_t counter = 0;
  };

  // REQUIRES: mu_ held.
  Status ParentIsDir(const std::string& path) const {
    auto it = nodes_.find(ParentOf(path));
    if (it == nodes_.end() || !it->second.is_dir) {
      return Status::NotFound(fmt::format("{}: parent directory does not exist", path));
    }
    return Status::Ok();
  }

  // REQUIRES: mu_ held. Sorted names of the direct children of `dir`.
  std::vector<std::string> ChildrenOf(const std::string& dir) const {
    std::vector<std::string> names;
    for (const auto& [path, node] : nodes_) {
      if (path != dir && ParentOf(path) == dir) names.push_back(path.substr(path.rfind('/') + 1));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::int64_t Tick() { return ++clock_; }
  std::uint64_t NextInode() { return ++inodes_; }

  std::mutex mu_;
  std::condition_variable lock_released_;
  std::map<std::string, Node> nodes_;
  std::map<std::string, LockState> locks_;
  std::int64_t clock_ = 0;
  std::uint64_t inodes_ = 0;
};

Status MemWritableFile::Append(std::string_view data) {
  env_->AppendTo(path_, data);
  return Status::Ok();
}

MemFileLock::~MemFileLock() { env_->Unlock(path_, exclusive_); }

}  // namespace

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

}  // namespace textdb
