// The crash-simulating Env: see crash_env.h and format-spec/durability.md.
#include "crash_env.h"

#include <algorithm>
#include <limits>

namespace textdb::testing {

constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();

// One log entry. Operations name inodes, not paths, so that replaying a subset of the log
// applies each one to the object it touched [K-001].
struct CrashEnv::Op {
  enum class Kind {
    kLink,
    kMkdir,
    kData,
    kTruncate,
    kRename,
    kUnlink,
    kRmdir,
    kSyncFile,
    kSyncDir
  };
  Kind kind;
  std::uint64_t dir = 0;   // directory of `name` (namespace operations), the synced directory
  std::string name = {};   // kLink, kMkdir, kRename (source), kUnlink, kRmdir
  std::uint64_t dir2 = 0;  // kRename: the destination directory
  std::string name2 = {};  // kRename: the destination name
  std::uint64_t ino = 0;   // the inode created, written, truncated or synced
  std::uint64_t offset = 0;
  std::string data = {};
  std::int64_t mtime_ns = 0;
  // The log index of the sync that made the operation durable, kNever before it [K-002..K-004].
  std::size_t persisted_at = kNever;
  bool from_synced = false;  // kRename: which of its two directories have been synced
  bool to_synced = false;
  bool lost = false;  // a failed sync dropped it: it never becomes durable [K-010]

  bool IsSync() const { return kind == Kind::kSyncFile || kind == Kind::kSyncDir; }
  bool IsData() const { return kind == Kind::kData || kind == Kind::kTruncate; }
};

namespace {

using Inode = CrashImage::Inode;
using Op = CrashEnv::Op;

// How an unsynced append is torn [K-005].
enum class Tear { kNone, kSplit, kSizeOnly, kZeroFill, kGarbage };

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

std::uint64_t LookupIn(const CrashImage& image, const std::string& path) {
  std::uint64_t ino = 1;
  for (const std::string& part : Components(path)) {
    auto it = image.inodes.find(ino);
    if (it == image.inodes.end() || !it->second.is_dir) return 0;
    auto entry = it->second.entries.find(part);
    if (entry == it->second.entries.end()) return 0;
    ino = entry->second;
  }
  return ino;
}

// Splits an absolute path into its parent directory's path and its last component.
std::pair<std::string, std::string> SplitPath(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"/", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

void Write(std::string& data, std::uint64_t offset, std::string_view bytes) {
  if (data.size() < offset + bytes.size()) data.resize(offset + bytes.size(), '\0');
  std::copy(bytes.begin(), bytes.end(), data.begin() + static_cast<std::ptrdiff_t>(offset));
}

// Applies `op` to `image`; an operation whose object is absent there (its creation was lost) is
// skipped, as the file system would never have seen it succeed on that object.
void Apply(CrashImage& image, const Op& op, Tear tear) {
  auto dir_of = [&](std::uint64_t ino) -> Inode* {
    auto it = image.inodes.find(ino);
    return it != image.inodes.end() && it->second.is_dir ? &it->second : nullptr;
  };
  switch (op.kind) {
    case Op::Kind::kLink:
    case Op::Kind::kMkdir: {
      Inode* dir = dir_of(op.dir);
      if (dir == nullptr) return;
      Inode& node = image.inodes[op.ino];
      node.is_dir = op.kind == Op::Kind::kMkdir;
      node.mtime_ns = op.mtime_ns;
      dir->entries[op.name] = op.ino;
      return;
    }
    case Op::Kind::kData: {
      auto it = image.inodes.find(op.ino);
      if (it == image.inodes.end()) return;
      std::string& data = it->second.data;
      it->second.mtime_ns = op.mtime_ns;
      const std::size_t half = op.data.size() / 2;
      switch (tear) {
        case Tear::kNone:
          Write(data, op.offset, op.data);
          return;
        case Tear::kSplit:
          Write(data, op.offset, std::string_view(op.data).substr(0, half));
          return;
        case Tear::kSizeOnly:
          Write(data, op.offset, std::string(op.data.size(), '\0'));
          return;
        case Tear::kZeroFill:
          Write(data, op.offset,
                std::string(op.data, 0, half) + std::string(op.data.size() - half, '\0'));
          return;
        case Tear::kGarbage: {
          std::string garbage(op.data.size(), '\0');
          for (std::size_t i = 0; i < garbage.size(); ++i) {
            garbage[i] = static_cast<char>(0xA5 ^ (i * 131));
          }
          Write(data, op.offset, garbage);
          return;
        }
      }
      return;
    }
    case Op::Kind::kTruncate: {
      auto it = image.inodes.find(op.ino);
      if (it != image.inodes.end()) {
        it->second.data.clear();
        it->second.mtime_ns = op.mtime_ns;
      }
      return;
    }
    case Op::Kind::kRename: {
      Inode* from = dir_of(op.dir);
      Inode* to = dir_of(op.dir2);
      if (from == nullptr || to == nullptr) return;
      auto it = from->entries.find(op.name);
      if (it == from->entries.end()) return;
      const std::uint64_t ino = it->second;
      from->entries.erase(it);
      to->entries[op.name2] = ino;
      return;
    }
    case Op::Kind::kUnlink:
    case Op::Kind::kRmdir: {
      Inode* dir = dir_of(op.dir);
      if (dir != nullptr) dir->entries.erase(op.name);
      return;
    }
    case Op::Kind::kSyncFile:
    case Op::Kind::kSyncDir:
      return;
  }
}

std::string KindName(Op::Kind kind) {
  switch (kind) {
    case Op::Kind::kLink:
      return "create";
    case Op::Kind::kMkdir:
      return "mkdir";
    case Op::Kind::kData:
      return "append";
    case Op::Kind::kTruncate:
      return "truncate";
    case Op::Kind::kRename:
      return "rename";
    case Op::Kind::kUnlink:
      return "unlink";
    case Op::Kind::kRmdir:
      return "rmdir";
    case Op::Kind::kSyncFile:
      return "fdatasync";
    case Op::Kind::kSyncDir:
      return "fsync dir";
  }
  return "?";
}

void CollectFiles(const CrashImage& image, std::uint64_t ino, const std::string& prefix,
                  std::map<std::string, std::string>* files, std::vector<std::string>* dirs) {
  const Inode& dir = image.inodes.at(ino);
  for (const auto& [name, child] : dir.entries) {
    const Inode& node = image.inodes.at(child);
    const std::string rel = prefix.empty() ? name : prefix + "/" + name;
    if (node.is_dir) {
      if (dirs != nullptr) dirs->push_back(rel + "/");
      CollectFiles(image, child, rel, files, dirs);
    } else if (files != nullptr) {
      (*files)[rel] = node.data;
    }
  }
}

class CrashWritableFile final : public WritableFile {
 public:
  CrashWritableFile(CrashEnv* env, std::uint64_t ino, std::string path)
      : env_(env), ino_(ino), path_(std::move(path)) {}
  ~CrashWritableFile() override { env_->FileDestroyed(); }
  Status Append(std::string_view data) override { return env_->FileAppend(ino_, path_, data); }
  Status Sync() override { return env_->FileSync(ino_, path_); }
  Status Close() override { return env_->FileClose(path_); }

 private:
  CrashEnv* env_;
  std::uint64_t ino_;
  std::string path_;
};

class CrashFileLock final : public FileLock {
 public:
  CrashFileLock(CrashEnv* env, std::string path, bool exclusive)
      : env_(env), path_(std::move(path)), exclusive_(exclusive) {}
  ~CrashFileLock() override { env_->LockReleased(path_, exclusive_); }

 private:
  CrashEnv* env_;
  std::string path_;
  bool exclusive_;
};

}  // namespace

CrashImage::CrashImage() { inodes[1].is_dir = true; }

std::map<std::string, std::string> CrashImage::Files(const std::string& root) const {
  std::map<std::string, std::string> files;
  const std::uint64_t ino = LookupIn(*this, root);
  if (ino != 0 && inodes.at(ino).is_dir) CollectFiles(*this, ino, "", &files, nullptr);
  return files;
}

std::vector<std::string> CrashImage::Dirs(const std::string& root) const {
  std::vector<std::string> dirs;
  const std::uint64_t ino = LookupIn(*this, root);
  if (ino != 0 && inodes.at(ino).is_dir) CollectFiles(*this, ino, "", nullptr, &dirs);
  return dirs;
}

std::uint64_t CrashImage::Digest() const {
  std::map<std::string, std::string> files;
  std::vector<std::string> dirs;
  CollectFiles(*this, 1, "", &files, &dirs);
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
  const auto mix = [&](std::string_view bytes) {
    for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    hash = (hash ^ 0xFF) * 1099511628211ull;
  };
  for (const std::string& dir : dirs) mix(dir);
  for (const auto& [path, data] : files) {
    mix(path);
    mix(data);
  }
  return hash;
}

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kEIO:
      return "EIO";
    case FaultKind::kENOSPC:
      return "ENOSPC";
    case FaultKind::kEDQUOT:
      return "EDQUOT";
    case FaultKind::kEINTR:
      return "EINTR";
    case FaultKind::kShortWrite:
      return "short write";
    case FaultKind::kSyncLosesData:
      return "failed sync drops data";
  }
  return "?";
}

CrashEnv::CrashEnv() = default;

CrashEnv::CrashEnv(const CrashImage& image) : base_(image), live_(image) {
  for (const auto& [ino, node] : image.inodes) {
    next_ino_ = std::max(next_ino_, ino + 1);
    clock_ns_ = std::max(clock_ns_, node.mtime_ns + 1);
  }
}

CrashEnv::~CrashEnv() = default;

void CrashEnv::Checkpoint() {
  std::lock_guard<std::mutex> guard(mu_);
  base_ = live_;
  log_.clear();
}

std::size_t CrashEnv::LogSize() const {
  std::lock_guard<std::mutex> guard(mu_);
  return log_.size();
}

CrashImage CrashEnv::LiveImage() const {
  std::lock_guard<std::mutex> guard(mu_);
  return live_;
}

std::string CrashEnv::DescribeOp(std::size_t i) const {
  std::lock_guard<std::mutex> guard(mu_);
  const Op& op = log_.at(i);
  std::string text = "#" + std::to_string(i) + " " + KindName(op.kind);
  if (!op.name.empty()) text += " " + op.name;
  if (!op.name2.empty()) text += " -> " + op.name2;
  if (op.kind == Op::Kind::kData) text += " " + std::to_string(op.data.size()) + " bytes";
  if (!op.IsSync()) {
    text += op.persisted_at == kNever ? " (never synced)"
                                      : " (durable at #" + std::to_string(op.persisted_at) + ")";
  }
  return text;
}

CrashImage CrashEnv::DurableImage(std::size_t crash_point) const {
  std::lock_guard<std::mutex> guard(mu_);
  CrashImage image = base_;
  for (std::size_t i = 0; i < crash_point; ++i) {
    const Op& op = log_[i];
    if (!op.lost && op.persisted_at < crash_point) Apply(image, op, Tear::kNone);
  }
  return image;
}

void CrashEnv::CrashStates(
    std::size_t crash_point,
    const std::function<void(const CrashImage&, const std::string&)>& fn) const {
  std::vector<std::size_t> unsynced;  // [K-005]: the operations a power loss may lose
  CrashImage base;
  std::vector<Op> log;
  {
    std::lock_guard<std::mutex> guard(mu_);
    base = base_;
    log.assign(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(crash_point));
  }
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (!log[i].IsSync() && !log[i].lost && log[i].persisted_at >= crash_point) {
      unsynced.push_back(i);
    }
  }
  // `keep(j)` says whether unsynced operation number j is applied; `torn` is the one torn.
  const auto build = [&](const std::function<bool(std::size_t)>& keep, std::size_t torn,
                         Tear tear) {
    CrashImage image = base;
    std::size_t j = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
      const Op& op = log[i];
      if (op.IsSync() || op.lost) continue;
      if (j < unsynced.size() && unsynced[j] == i) {
        if (j == torn) {
          Apply(image, op, tear);
        } else if (keep(j)) {
          Apply(image, op, Tear::kNone);
        }
        ++j;
      } else {
        Apply(image, op, Tear::kNone);
      }
    }
    return image;
  };
  const std::size_t n = unsynced.size();
  const std::string of = " of " + std::to_string(n) + " unsynced";
  for (std::size_t p = 0; p <= n; ++p) {  // [K-006] every prefix
    fn(build([p](std::size_t j) { return j < p; }, kNever, Tear::kNone),
       "prefix " + std::to_string(p) + of);
  }
  for (std::size_t d = 0; d < n; ++d) {  // [K-007] each single one dropped
    fn(build([d](std::size_t j) { return j != d; }, kNever, Tear::kNone),
       "all but " + KindName(log[unsynced[d]].kind) + " #" + std::to_string(unsynced[d]) + of);
  }
  for (std::size_t p = 0; p < n; ++p) {  // [K-008] torn appends after a prefix
    if (log[unsynced[p]].kind != Op::Kind::kData || log[unsynced[p]].data.size() < 2) continue;
    static constexpr std::pair<Tear, const char*> kTears[] = {{Tear::kSplit, "split"},
                                                              {Tear::kSizeOnly, "size-only"},
                                                              {Tear::kZeroFill, "zero-fill"},
                                                              {Tear::kGarbage, "garbage"}};
    for (const auto& [tear, name] : kTears) {
      fn(build([p](std::size_t j) { return j < p; }, p, tear),
         "prefix " + std::to_string(p) + of + ", append #" + std::to_string(unsynced[p]) +
             " torn (" + name + ")");
    }
  }
}

void CrashEnv::InjectFault(long n, FaultKind kind, bool persistent) {
  std::lock_guard<std::mutex> guard(mu_);
  calls_ = 0;
  fail_at_ = n;
  fault_kind_ = kind;
  persistent_ = persistent;
  hit_ = false;
  first_fault_.clear();
}

bool CrashEnv::fault_hit() const {
  std::lock_guard<std::mutex> guard(mu_);
  return hit_;
}

std::string CrashEnv::first_fault() const {
  std::lock_guard<std::mutex> guard(mu_);
  return first_fault_;
}

long CrashEnv::calls() const {
  std::lock_guard<std::mutex> guard(mu_);
  return calls_;
}

int CrashEnv::open_files() const {
  std::lock_guard<std::mutex> guard(mu_);
  return open_files_;
}

int CrashEnv::held_locks() const {
  std::lock_guard<std::mutex> guard(mu_);
  return held_locks_;
}

void CrashEnv::SetLockHook(std::function<void(bool)> hook) {
  std::lock_guard<std::mutex> guard(mu_);
  lock_hook_ = std::move(hook);
}

Status CrashEnv::MaybeFault(std::string_view what, const std::string& path, bool is_append,
                            bool* short_write, bool* lose_data) {
  const long n = ++calls_;
  if (fail_at_ <= 0 || !(n == fail_at_ || (persistent_ && n > fail_at_))) return Status::Ok();
  if (!hit_) first_fault_ = std::string(what);
  hit_ = true;
  const char* error = "EIO";
  switch (fault_kind_) {
    case FaultKind::kENOSPC:
      error = "ENOSPC";
      break;
    case FaultKind::kEDQUOT:
      error = "EDQUOT";
      break;
    case FaultKind::kEINTR:
      error = "EINTR";
      break;
    case FaultKind::kShortWrite:
      if (is_append && short_write != nullptr) *short_write = true;
      break;
    case FaultKind::kSyncLosesData:
      if (lose_data != nullptr) *lose_data = true;
      break;
    case FaultKind::kEIO:
      break;
  }
  return Status::IOError(path + ": " + std::string(what) + ": injected fault (" + error + ")");
}

std::uint64_t CrashEnv::Lookup(const std::string& path) const { return LookupIn(live_, path); }

void CrashEnv::Record(Op op) {
  op.mtime_ns = ++clock_ns_;
  Apply(live_, op, Tear::kNone);
  log_.push_back(std::move(op));
}

void CrashEnv::MarkPersisted(std::uint64_t ino, bool directory, std::size_t at, bool lost) {
  for (std::size_t i = 0; i < at; ++i) {
    Op& op = log_[i];
    if (op.IsSync() || op.lost || op.persisted_at != kNever) continue;
    bool covered = false;
    if (!directory) {
      covered = op.IsData() && op.ino == ino;   // [K-002]
    } else if (op.kind == Op::Kind::kRename) {  // [K-004]
      if (op.dir == ino) op.from_synced = true;
      if (op.dir2 == ino) op.to_synced = true;
      covered = (op.dir == ino || op.dir2 == ino) && op.from_synced && op.to_synced;
    } else {
      covered = !op.IsData() && op.dir == ino;  // [K-003]
    }
    if (!covered) continue;
    if (lost) {
      op.lost = true;
    } else {
      op.persisted_at = at;
    }
  }
}

Result<std::string> CrashEnv::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("read", path));
  const std::uint64_t ino = Lookup(path);
  if (ino == 0) return Status::NotFound(path + ": no such file");
  const Inode& node = live_.inodes.at(ino);
  if (node.is_dir) return Status::IOError(path + ": is a directory");
  return node.data;
}

Result<std::string> CrashEnv::ReadFileRange(const std::string& path, std::uint64_t offset,
                                            std::size_t length) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("pread", path));
  const std::uint64_t ino = Lookup(path);
  if (ino == 0) return Status::NotFound(path + ": no such file");
  const Inode& node = live_.inodes.at(ino);
  if (node.is_dir) return Status::IOError(path + ": is a directory");
  if (offset >= node.data.size()) return std::string();
  return node.data.substr(offset, length);
}

Result<std::unique_ptr<WritableFile>> CrashEnv::NewWritableFile(const std::string& path,
                                                                bool exclusive) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("open", path));
  const auto [parent, name] = SplitPath(path);
  const std::uint64_t dir = Lookup(parent);
  if (dir == 0 || !live_.inodes.at(dir).is_dir) {
    return Status::NotFound(path + ": no such directory");
  }
  std::uint64_t ino = Lookup(path);
  if (ino != 0) {
    if (exclusive) return Status::Conflict(path + ": exists");
    if (live_.inodes.at(ino).is_dir) return Status::IOError(path + ": is a directory");
    Record(Op{.kind = Op::Kind::kTruncate, .ino = ino});
  } else {
    ino = next_ino_++;
    Record(Op{.kind = Op::Kind::kLink, .dir = dir, .name = name, .ino = ino});
  }
  ++open_files_;
  return std::unique_ptr<WritableFile>(std::make_unique<CrashWritableFile>(this, ino, path));
}

Status CrashEnv::FileAppend(std::uint64_t ino, const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> guard(mu_);
  bool short_write = false;
  Status status = MaybeFault("write", path, /*is_append=*/true, &short_write);
  if (!status.ok() && !short_write) return status;
  if (short_write) data = data.substr(0, data.size() / 2);
  if (!data.empty()) {
    Record(Op{.kind = Op::Kind::kData,
              .ino = ino,
              .offset = live_.inodes.at(ino).data.size(),
              .data = std::string(data)});
  }
  return status;
}

Status CrashEnv::FileSync(std::uint64_t ino, const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  bool lose_data = false;
  Status status = MaybeFault("fdatasync", path, false, nullptr, &lose_data);
  if (lose_data) MarkPersisted(ino, /*directory=*/false, log_.size(), /*lost=*/true);
  if (!status.ok()) return status;
  Record(Op{.kind = Op::Kind::kSyncFile, .ino = ino});
  MarkPersisted(ino, /*directory=*/false, log_.size() - 1, /*lost=*/false);
  return Status::Ok();
}

Status CrashEnv::FileClose(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  return MaybeFault("close", path);
}

void CrashEnv::FileDestroyed() {
  std::lock_guard<std::mutex> guard(mu_);
  --open_files_;
}

Status CrashEnv::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("rename", from));
  const std::uint64_t ino = Lookup(from);
  if (ino == 0) return Status::NotFound(from + ": no such file");
  const auto [from_parent, from_name] = SplitPath(from);
  const auto [to_parent, to_name] = SplitPath(to);
  const std::uint64_t to_dir = Lookup(to_parent);
  if (to_dir == 0) return Status::NotFound(to + ": no such directory");
  const std::uint64_t existing = Lookup(to);
  if (existing != 0 && live_.inodes.at(existing).is_dir) {
    return Status::IOError(to + ": is a directory");
  }
  Record(Op{.kind = Op::Kind::kRename,
            .dir = Lookup(from_parent),
            .name = from_name,
            .dir2 = to_dir,
            .name2 = to_name});
  return Status::Ok();
}

Status CrashEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("unlink", path));
  const std::uint64_t ino = Lookup(path);
  if (ino == 0) return Status::NotFound(path + ": no such file");
  if (live_.inodes.at(ino).is_dir) return Status::IOError(path + ": is a directory");
  const auto [parent, name] = SplitPath(path);
  Record(Op{.kind = Op::Kind::kUnlink, .dir = Lookup(parent), .name = name});
  return Status::Ok();
}

Status CrashEnv::CreateDir(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("mkdir", path));
  const std::uint64_t existing = Lookup(path);
  if (existing != 0) {
    return live_.inodes.at(existing).is_dir ? Status::Ok()
                                            : Status::IOError(path + ": exists, not a directory");
  }
  const auto [parent, name] = SplitPath(path);
  const std::uint64_t dir = Lookup(parent);
  if (dir == 0) return Status::NotFound(path + ": no parent directory");
  Record(Op{.kind = Op::Kind::kMkdir, .dir = dir, .name = name, .ino = next_ino_++});
  return Status::Ok();
}

Status CrashEnv::RemoveDir(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("rmdir", path));
  const std::uint64_t ino = Lookup(path);
  if (ino == 0) return Status::NotFound(path + ": no such directory");
  if (!live_.inodes.at(ino).entries.empty()) return Status::IOError(path + ": not empty");
  const auto [parent, name] = SplitPath(path);
  Record(Op{.kind = Op::Kind::kRmdir, .dir = Lookup(parent), .name = name});
  return Status::Ok();
}

Status CrashEnv::SyncDir(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  bool lose_data = false;
  Status status = MaybeFault("fsync dir", path, false, nullptr, &lose_data);
  const std::uint64_t ino = Lookup(path);
  if (lose_data && ino != 0) MarkPersisted(ino, /*directory=*/true, log_.size(), /*lost=*/true);
  if (!status.ok()) return status;
  if (ino == 0) return Status::NotFound(path + ": no such directory");
  Record(Op{.kind = Op::Kind::kSyncDir, .dir = ino});
  MarkPersisted(ino, /*directory=*/true, log_.size() - 1, /*lost=*/false);
  return Status::Ok();
}

Result<std::vector<std::string>> CrashEnv::ListDir(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("list", path));
  const std::uint64_t ino = Lookup(path);
  if (ino == 0) return Status::NotFound(path + ": no such directory");
  const Inode& node = live_.inodes.at(ino);
  if (!node.is_dir) return Status::IOError(path + ": not a directory");
  std::vector<std::string> names;
  for (const auto& [name, child] : node.entries) names.push_back(name);
  return names;
}

Result<FileInfo> CrashEnv::Stat(const std::string& path) {
  std::lock_guard<std::mutex> guard(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("stat", path));
  const std::uint64_t ino = Lookup(path);
  if (ino == 0) return Status::NotFound(path + ": no such file");
  const Inode& node = live_.inodes.at(ino);
  FileInfo info;
  info.type = node.is_dir ? FileInfo::Type::kDirectory : FileInfo::Type::kRegular;
  info.size = node.data.size();
  info.mtime_ns = node.mtime_ns;
  info.inode = ino;
  info.device = 1;
  return info;
}

Result<std::unique_ptr<FileLock>> CrashEnv::LockFile(const std::string& path, bool exclusive,
                                                     bool wait) {
  std::function<void(bool)> hook;
  {
    std::lock_guard<std::mutex> guard(mu_);
    hook = lock_hook_;
  }
  if (hook) hook(exclusive);
  std::unique_lock<std::mutex> lock(mu_);
  TEXTDB_RETURN_IF_ERROR(MaybeFault("lock", path));
  if (Lookup(path) == 0) {
    const auto [parent, name] = SplitPath(path);
    const std::uint64_t dir = Lookup(parent);
    if (dir == 0) return Status::NotFound(path + ": no such directory");
    Record(Op{.kind = Op::Kind::kLink, .dir = dir, .name = name, .ino = next_ino_++});
  }
  const auto blocked = [&] {
    return exclusive_locks_[path] || (exclusive && shared_locks_[path] > 0);
  };
  if (blocked()) {
    if (!wait) return Status::Conflict(path + ": locked");
    lock_cv_.wait(lock, [&] { return !blocked(); });
  }
  if (exclusive) {
    exclusive_locks_[path] = true;
  } else {
    ++shared_locks_[path];
  }
  ++held_locks_;
  return std::unique_ptr<FileLock>(std::make_unique<CrashFileLock>(this, path, exclusive));
}

void CrashEnv::LockReleased(const std::string& path, bool exclusive) {
  std::lock_guard<std::mutex> guard(mu_);
  if (exclusive) {
    exclusive_locks_[path] = false;
  } else {
    --shared_locks_[path];
  }
  --held_locks_;
  lock_cv_.notify_all();
}

}  // namespace textdb::testing
