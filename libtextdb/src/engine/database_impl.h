// Private to the engine: the state behind a Database handle (see database.cc and
// transaction.cc, which share it).
#ifndef TEXTDB_ENGINE_DATABASE_IMPL_H_
#define TEXTDB_ENGINE_DATABASE_IMPL_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/crc32c.h"
#include "cache/lru_cache.h"
#include "format/encoding.h"
#include "format/scanner.h"
#include "storage/commit.h"
#include "text/partition.h"
#include "text/unicode.h"
#include "textdb/db.h"

namespace textdb {
namespace internal {

inline constexpr std::string_view kMarkerFile = "textdb.conf";
inline constexpr std::string_view kMarkerText = "Format: textdb 1\n";
inline constexpr std::string_view kStateDir = ".textdb";
inline constexpr std::string_view kLockFile = ".textdb/LOCK";
inline constexpr std::string_view kSchemaFile = "schema.deb822";
// A file modified this close to when it was indexed may change again without its size or
// mtime changing (git's "racy timestamp" problem): its content is compared too.
inline constexpr std::int64_t kRacyWindowNs = 2'000'000'000;

inline std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline bool SameStamp(const FileInfo& a, const FileInfo& b) {
  return a.type == b.type && a.size == b.size && a.mtime_ns == b.mtime_ns && a.inode == b.inode &&
         a.device == b.device;
}

// The index of one data file: key -> where its stanza is.
struct PartitionIndex {
  // PERF: 20 bytes per record; the key bytes live once, in `keys`.
  struct Entry {
    std::uint32_t key_offset = 0;  // the encoded composite key [S-120] is
    std::uint32_t key_size = 0;    // keys.substr(key_offset, key_size)
    std::uint32_t offset = 0;      // the stanza's byte range in the file
    std::uint32_t length = 0;
    std::uint32_t line = 0;
  };
  std::string path;  // relative to the database directory
  bool exists = false;
  FileInfo stamp;
  bool racy = false;      // indexed within kRacyWindowNs of its mtime: compare content too
  std::uint32_t crc = 0;  // of the content, when racy
  std::uint64_t generation = 0;
  std::uint64_t bytes = 0;
  // INVARIANT: sorted by key bytes, keys unique (else `problem` says where).
  std::vector<Entry> entries;
  std::string keys;  // the keys of `entries`, back to back
  Status problem;    // why the partition cannot be used: parse error, duplicate or misplaced key

  std::string_view KeyAt(const Entry& e) const {
    return std::string_view(keys).substr(e.key_offset, e.key_size);
  }
  void Add(std::string_view key, std::uint32_t offset, std::uint32_t length, std::uint32_t line) {
    entries.push_back({static_cast<std::uint32_t>(keys.size()),
                       static_cast<std::uint32_t>(key.size()), offset, length, line});
    keys.append(key);
  }
  // Sorts the entries by key and gives back the arena's spare capacity (the index is final).
  void Sort() {
    keys.shrink_to_fit();
    entries.shrink_to_fit();
    std::sort(entries.begin(), entries.end(),
              [this](const Entry& a, const Entry& b) { return KeyAt(a) < KeyAt(b); });
  }
  const Entry* Find(std::string_view key) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [this](const Entry& e, std::string_view k) { return KeyAt(e) < k; });
    return (it != entries.end() && KeyAt(*it) == key) ? &*it : nullptr;
  }
  std::uint64_t MemoryBytes() const {
    return sizeof(*this) + entries.capacity() * sizeof(Entry) + keys.capacity() + path.capacity();
  }
};

struct TableState {
  // Shared, so that a read holds it without copying or locking (a Schema is immutable).
  std::shared_ptr<const Schema> schema;
  // Indexed partitions by path relative to the database directory.
  std::map<std::string, std::shared_ptr<const PartitionIndex>, std::less<>> partitions;
};

inline std::string KeyForMessages(const std::vector<std::string>& components) {
  std::string out;
  for (const std::string& c : components) {
    if (!out.empty()) out += ' ';
    out += c;
  }
  return out;
}

}  // namespace internal

using internal::KeyForMessages;
using internal::kLockFile;
using internal::kRacyWindowNs;
using internal::kSchemaFile;
using internal::NowNs;
using internal::PartitionIndex;
using internal::SameStamp;
using internal::TableState;

struct Database::Impl {
  Impl(std::string dir_in, const Options& options_in)
      : dir(std::move(dir_in)),
        env(options_in.env != nullptr ? options_in.env : Env::Default()),
        options(options_in),
        cache(options_in.cache_bytes) {}

  std::string Abs(std::string_view rel) const {
    return rel.empty() ? dir : dir + "/" + std::string(rel);
  }

  Result<std::unique_ptr<FileLock>> Lock(bool exclusive) const {
    return env->LockFile(Abs(kLockFile), exclusive, /*wait=*/true);
  }

  // The schema of `table`, or kNotFound.
  Result<std::shared_ptr<const Schema>> SchemaOf(std::string_view table) const {
    std::lock_guard<std::mutex> guard(mu);
    Result<const TableState*> state = Table(table);
    if (!state.ok()) return state.status();
    return (*state)->schema;
  }

  Result<const TableState*> Table(std::string_view name) const {
    auto it = tables.find(name);
    if (it == tables.end()) return Status::NotFound(fmt::format("no table '{}'", name));
    return &it->second;
  }

  // The encoded key [S-120] and partition path of raw key components.
  Result<std::pair<std::string, std::string>> Locate(std::string_view table, const Schema& schema,
                                                     const std::vector<std::string>& key) const {
    if (key.size() != schema.key().size()) {
      return Status::InvalidArgument(fmt::format("table '{}' has {} key field(s), {} given", table,
                                                 schema.key().size(), key.size()));
    }
    std::string encoded;
    std::string first;
    for (std::size_t i = 0; i < key.size(); ++i) {
      const FieldSpec& spec = schema.fields()[schema.key()[i]];
      TEXTDB_RETURN_IF_ERROR(CheckValue(spec, key[i]));
      const std::string canonical = CanonicalValue(spec.type, key[i]);
      if (i == 0) first = canonical;
      encoded += fmt::format("{}:{}", canonical.size(), canonical);
    }
    Result<std::string> part = internal::PartitionPath(first, schema.partition_depth());
    if (!part.ok()) return part.status();
    return std::make_pair(std::move(encoded), std::string(table) + "/" + *part);
  }

  // Reads and indexes the data file `path` of `table` (which need not exist).
  std::shared_ptr<PartitionIndex> LoadPartition(std::string_view table, const Schema& schema,
                                                const std::string& path) const {
    auto part = std::make_shared<PartitionIndex>();
    part->path = path;
    part->generation = ++generation;
    Result<FileInfo> stamp = env->Stat(Abs(path));
    if (!stamp.ok()) {
      if (stamp.status().code() != StatusCode::kNotFound) part->problem = stamp.status();
      return part;
    }
    if (stamp->type != FileInfo::Type::kRegular) {
      part->problem = Status::InvalidData(fmt::format(
          "{}: error: expected a regular file; textdb never follows symbolic links", path));
      return part;
    }
    Result<std::string> content = env->ReadFile(Abs(path));
    if (!content.ok()) {
      part->problem = content.status();
      return part;
    }
    part->exists = true;
    part->stamp = *stamp;
    part->racy = NowNs() - stamp->mtime_ns < kRacyWindowNs;
    if (part->racy) part->crc = internal::Crc32c(*content);  // PERF: only racy files need it
    part->bytes = content->size();
    const std::string_view table_relative = std::string_view(path).substr(table.size() + 1);
    if (!IndexFast(*content, schema, table_relative, part.get())) {
      part->entries.clear();
      part->keys.clear();
      IndexSlow(table, schema, path, std::move(content).value(), part.get());
      if (!part->problem.ok()) return part;
    }
    part->Sort();
    for (std::size_t i = 1; i < part->entries.size(); ++i) {
      if (part->KeyAt(part->entries[i]) == part->KeyAt(part->entries[i - 1])) {
        const auto [first, second] = std::minmax(part->entries[i - 1].line, part->entries[i].line);
        Result<std::vector<std::string>> components = DecodeKey(part->KeyAt(part->entries[i]));
        part->problem = Status::InvalidData(fmt::format(
            "{}:{}:1: error: key '{}' is stored twice, at lines {} and {}; remove or rename one "
            "[B-010]",
            path, second, KeyForMessages(*components), first, second));
        return part;
      }
    }
    return part;
  }

  // Collects the raw values of the key fields of each stanza, for IndexFast.
  struct KeyCollector {
    struct Span {
      std::uint32_t begin = 0;
      std::uint32_t end = 0;
      std::uint32_t line = 0;
    };
    const char* data;
    const Schema* schema;
    std::vector<Span> spans;
    std::vector<std::string_view> values;  // schema->key().size() per stanza
    bool anomaly = false;

    bool Error(std::uint32_t, std::uint32_t, std::uint32_t, const char*, std::string) {
      anomaly = true;
      return false;
    }
    void StanzaBegin(std::uint32_t begin, std::uint32_t line) {
      spans.push_back({begin, 0, line});
      values.resize(values.size() + schema->key().size());
    }
    void Comment(const internal::CommentSpan&, bool) {}
    void Field(const internal::FieldSpan& f) {
      const std::string_view name(data + f.name_begin, f.name_end - f.name_begin);
      const std::size_t base = values.size() - schema->key().size();
      for (std::size_t k = 0; k < schema->key().size(); ++k) {
        if (!internal::EqualsIgnoreAsciiCase(name, schema->fields()[schema->key()[k]].name)) {
          continue;
        }
        if (!f.contiguous) anomaly = true;  // comments inside a key value: the slow path
        values[base + k] = std::string_view(data + f.value_begin, f.value_end - f.value_begin);
      }
    }
    void StanzaEnd(std::uint32_t end) { spans.back().end = end; }
  };

  // PERF: indexes `content` with the line scanner alone, without building a Document: this is
  // what makes open fast. Returns false on anything unusual (a syntax or encoding error, a
  // missing, empty or invalid key, a misplaced record), leaving the exact diagnosis to IndexSlow.
  static bool IndexFast(std::string_view content, const Schema& schema,
                        std::string_view table_relative, PartitionIndex* part) {
    if (content.size() > deb822::kMaxInputBytes) return false;
    internal::EncodingIssue issue;
    if (internal::FindEncodingIssue(content, 0, /*allow_crlf=*/false, &issue)) return false;
    if (content.starts_with("\xEF\xBB\xBF")) return false;
    KeyCollector collector{content.data(), &schema, {}, {}, false};
    internal::Scanner<KeyCollector> scanner(content, internal::ScanOptions{}, &collector);
    if (!scanner.Scan(0, static_cast<std::uint32_t>(content.size()), 1) || collector.anomaly) {
      return false;
    }
    const std::size_t width = schema.key().size();
    part->entries.reserve(collector.spans.size());
    std::string first;
    for (std::size_t i = 0; i < collector.spans.size(); ++i) {
      std::string key;
      for (std::size_t k = 0; k < width; ++k) {
        const std::string_view raw = collector.values[i * width + k];
        const FieldSpec& spec = schema.fields()[schema.key()[k]];
        if (raw.empty() || !CheckValue(spec, raw).ok()) return false;
        std::string canonical = CanonicalValue(spec.type, raw);
        key += std::to_string(canonical.size());
        key += ':';
        key += canonical;
        if (k == 0) first = std::move(canonical);
      }
      Result<std::string> home = internal::PartitionPath(first, schema.partition_depth());
      if (!home.ok() || *home != table_relative) return false;
      const auto& span = collector.spans[i];
      part->Add(key, span.begin, span.end - span.begin, span.line);
    }
    return true;
  }

  // Indexes `content` through a full parse, reporting the first problem precisely.
  static void IndexSlow(std::string_view table, const Schema& schema, const std::string& path,
                        std::string content, PartitionIndex* part) {
    deb822::ParseOptions parse_options;
    parse_options.file_name = path;
    Result<deb822::Document> doc = deb822::Parse(std::move(content), parse_options);
    if (!doc.ok()) {
      part->problem = doc.status();
      return;
    }
    const std::string_view table_relative = std::string_view(path).substr(table.size() + 1);
    part->entries.reserve(doc->stanzas().size());
    for (const deb822::Stanza& stanza : doc->stanzas()) {
      Result<std::string> key = KeyOf(schema, stanza);
      if (!key.ok()) {
        part->problem = Status::InvalidData(
            fmt::format("{}:{}:1: error: {}", path, stanza.line(), key.status().message()));
        return;
      }
      Result<std::vector<std::string>> components = DecodeKey(*key);
      Result<std::string> home =
          internal::PartitionPath(components->front(), schema.partition_depth());
      if (!home.ok() || *home != table_relative) {
        part->problem = Status::InvalidData(fmt::format(
            "{}:{}:1: error: record '{}' belongs in {}/{}, not in this file; move it there "
            "(textdb fmt does) [P-020]",
            path, stanza.line(), KeyForMessages(*components), table,
            home.ok() ? *home : home.status().message()));
        return;
      }
      part->Add(*key, stanza.source_offset(), stanza.source_length(), stanza.line());
    }
  }

  // True when `part` still describes the file on disk [change detection].
  bool IsFresh(const PartitionIndex& part) const {
    Result<FileInfo> stamp = env->Stat(Abs(part.path));
    if (!stamp.ok()) return !part.exists && stamp.status().code() == StatusCode::kNotFound;
    if (!part.exists || !SameStamp(*stamp, part.stamp)) return false;
    if (!part.racy) return true;
    // Once the racy window has passed, index the file again so that it stops being racy
    // (otherwise every later read would compare the whole content).
    if (NowNs() - part.stamp.mtime_ns >= kRacyWindowNs) return false;
    Result<std::string> content = env->ReadFile(Abs(part.path));
    return content.ok() && internal::Crc32c(*content) == part.crc;
  }

  // The index of `path`, reloaded when the file changed since it was indexed.
  Result<std::shared_ptr<const PartitionIndex>> FreshPartition(std::string_view table,
                                                               const std::string& path) {
    std::shared_ptr<const PartitionIndex> known;
    const TableState* state = nullptr;
    {
      std::lock_guard<std::mutex> guard(mu);
      Result<const TableState*> found = Table(table);
      if (!found.ok()) return found.status();
      state = *found;
      auto it = state->partitions.find(path);
      if (it != state->partitions.end()) known = it->second;
    }
    if (known != nullptr && IsFresh(*known)) return known;
    std::shared_ptr<const PartitionIndex> loaded = LoadPartition(table, *state->schema, path);
    std::lock_guard<std::mutex> guard(mu);
    tables.find(table)->second.partitions[path] = loaded;
    return loaded;
  }

  // Every data file of `table`, as paths relative to the database directory, sorted.
  Result<std::vector<std::string>> ListPartitions(std::string_view table, int depth) const {
    std::vector<std::string> out;
    TEXTDB_RETURN_IF_ERROR(WalkTable(std::string(table), "", depth, &out, nullptr));
    std::sort(out.begin(), out.end());
    return out;
  }

  // Collects data files below `table`/`sub` into *data; other entries (except the schema file)
  // into *other when given. Symbolic links are never followed.
  Status WalkTable(const std::string& table, const std::string& sub, int depth,
                   std::vector<std::string>* data, std::vector<std::string>* other) const {
    const std::string rel_dir = sub.empty() ? table : table + "/" + sub;
    Result<std::vector<std::string>> names = env->ListDir(Abs(rel_dir));
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      const std::string table_rel = sub.empty() ? name : sub + "/" + name;
      const std::string rel = table + "/" + table_rel;
      if (sub.empty() && name == kSchemaFile) continue;
      Result<FileInfo> info = env->Stat(Abs(rel));
      if (!info.ok()) return info.status();
      if (info->type == FileInfo::Type::kDirectory) {
        TEXTDB_RETURN_IF_ERROR(WalkTable(table, table_rel, depth, data, other));
      } else if (info->type == FileInfo::Type::kRegular &&
                 internal::PartitionPrefixOf(table_rel, depth).has_value()) {
        data->push_back(rel);
      } else if (other != nullptr) {
        other->push_back(rel);
      }
    }
    return Status::Ok();
  }

  // Preload: indexes every partition of every table with `threads` threads.
  Status Preload(unsigned threads) {
    std::vector<std::pair<std::string, std::string>> work;  // table, path
    for (const auto& [name, state] : tables) {
      Result<std::vector<std::string>> paths =
          ListPartitions(name, state.schema->partition_depth());
      if (!paths.ok()) return paths.status();
      for (std::string& path : *paths) work.emplace_back(name, std::move(path));
    }
    std::vector<std::shared_ptr<const PartitionIndex>> loaded(work.size());
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
      for (std::size_t i = next++; i < work.size(); i = next++) {
        loaded[i] = LoadPartition(work[i].first, *tables.at(work[i].first).schema, work[i].second);
      }
    };
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, work.size()); ++t) {
      pool.emplace_back(worker);
    }
    worker();
    for (std::thread& thread : pool) thread.join();
    for (std::size_t i = 0; i < work.size(); ++i) {
      tables.at(work[i].first).partitions[work[i].second] = loaded[i];
    }
    return Status::Ok();
  }

  const std::string dir;
  Env* const env;
  const Options options;
  mutable std::mutex mu;  // guards `tables` (the map and each partitions map)
  std::map<std::string, TableState, std::less<>> tables;
  internal::LruCache<deb822::Stanza> cache;
  mutable std::atomic<std::uint64_t> generation{0};
  std::atomic<bool> broken{false};  // a commit failed after its commit point [C-006]
};

}  // namespace textdb

#endif  // TEXTDB_ENGINE_DATABASE_IMPL_H_
