// Private to the engine: the state behind a Database handle (see database.cc and
// transaction.cc, which share it).
#ifndef TEXTDB_ENGINE_DATABASE_IMPL_H_
#define TEXTDB_ENGINE_DATABASE_IMPL_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <span>
#include <thread>

#include <fmt/format.h>

#include "base/crc32c.h"
#include "cache/lru_cache.h"
#include "engine/process_lock.h"
#include "env/confined_env.h"
#include "format/encoding.h"
#include "format/scanner.h"
#include "schema/value_types.h"
#include "storage/commit.h"
#include "text/partition.h"
#include "text/unicode.h"
#include "textdb/db.h"

namespace textdb {
namespace internal {

struct CommitContext;  // transaction.cc

inline constexpr std::string_view kMarkerFile = "textdb.conf";
inline constexpr std::string_view kMarkerText = "Format: textdb 1\n";
inline constexpr std::string_view kStateDir = ".textdb";
inline constexpr std::string_view kLockFile = ".textdb/LOCK";
inline constexpr std::string_view kSchemaFile = "schema.deb822";
// The error of every write to a handle that stopped writing [C-006], [C-007].
inline constexpr char kBrokenHandle[] =
    "an earlier commit failed after its commit point or on a sync (the file system may have "
    "dropped written data); reopen the database to recover";
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

// The values of the indexed fields of one partition's records, gathered while the partition is
// indexed (FastIndexer or IndexSlow); PartitionIndex::Finish turns them into its secondary indexes.
struct IndexedValues {
  struct Item {
    std::uint32_t slot;    // which secondary index: a position in IndexedFields(schema)
    std::uint32_t record;  // the record's position in PartitionIndex::entries before Finish
    std::uint32_t offset;  // the canonical value is arena.substr(offset, size)
    std::uint32_t size;
  };
  std::string arena;
  std::vector<Item> items;
  bool too_large = false;  // the arena would pass 4 GiB: the partition cannot be indexed

  // Adds what record `record` indexes of `field` (slot `slot`), whose raw value is `raw` [I-002]:
  // its canonical value, or each element of a list (Finish drops an element repeated in one
  // record); nothing when `raw` is not a valid value of the field [I-003]. Defined in
  // database.cc.
  void Add(const FieldSpec& field, std::uint32_t slot, std::uint32_t record, std::string_view raw);
  void Clear() {
    arena.clear();
    items.clear();
    too_large = false;
  }
};

// The LRU cache's key of a stanza: the generation of the index that located it (unique per
// loading of a file by the handle, so an edited file never serves a stale stanza) and the
// stanza's byte offset in that file.
struct StanzaCacheKey {
  std::uint64_t generation = 0;
  std::uint32_t offset = 0;
  bool operator==(const StanzaCacheKey&) const = default;
};
struct StanzaCacheKeyHash {
  // Two multiplications mix both integers (the buckets are taken modulo a prime).
  std::size_t operator()(const StanzaCacheKey& k) const {
    std::uint64_t h = k.generation * 0x9E3779B97F4A7C15ull + k.offset;
    h = (h ^ (h >> 32)) * 0xD6E8FEB86659FD93ull;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};

// The index of one data file: key -> where its stanza is, plus its secondary indexes.
struct PartitionIndex {
  // PERF: 20 bytes per record; the key bytes live once, in `keys`.
  struct Entry {
    std::uint32_t key_offset = 0;  // the encoded composite key [S-120] is
    std::uint32_t key_size = 0;    // keys.substr(key_offset, key_size)
    std::uint32_t offset = 0;      // the stanza's byte range in the file
    std::uint32_t length = 0;
    std::uint32_t line = 0;
  };
  // The secondary index of one field over this partition [I-002]: its distinct canonical values
  // and, for each, the records holding it.
  // PERF: 4 bytes per indexed value of a record, plus 8 bytes and the value's bytes once per
  // distinct value of the partition, however many records share it.
  struct Secondary {
    struct Value {
      std::uint32_t offset = 0;  // the canonical value is values[offset, the next Value's offset)
      std::uint32_t first = 0;   // its records are records[first, the next Value's first)
    };
    std::string values;                  // the distinct values, back to back
    std::vector<Value> distinct;         // INVARIANT: sorted by value bytes, no two equal
    std::vector<std::uint32_t> records;  // positions in `entries`, ascending for each value

    // The canonical value of distinct[i]. REQUIRES: i < distinct.size()
    std::string_view ValueAt(std::size_t i) const {
      const std::size_t end = i + 1 < distinct.size() ? distinct[i + 1].offset : values.size();
      return std::string_view(values).substr(distinct[i].offset, end - distinct[i].offset);
    }
    // Positions in `entries` of the records holding the canonical value `canonical`.
    std::span<const std::uint32_t> Find(std::string_view canonical) const {
      std::size_t lo = 0;
      std::size_t hi = distinct.size();
      while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (ValueAt(mid) < canonical) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      if (lo == distinct.size() || ValueAt(lo) != canonical) return {};
      const std::size_t end = lo + 1 < distinct.size() ? distinct[lo + 1].first : records.size();
      return std::span<const std::uint32_t>(records).subspan(distinct[lo].first,
                                                             end - distinct[lo].first);
    }
    std::uint64_t MemoryBytes() const {
      return values.capacity() + distinct.capacity() * sizeof(Value) +
             records.capacity() * sizeof(std::uint32_t);
    }
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
  // One per IndexedFields(schema), in that order; empty when the table has none.
  std::vector<Secondary> secondary;
  Status problem;  // why the partition cannot be used: parse error, duplicate or misplaced key

  // The LRU cache's key of the stanza of `e`.
  // PERF: not the path and encoded key, which cost 15% of a get to build, hash and compare.
  StanzaCacheKey CacheKey(const Entry& e) const { return StanzaCacheKey{generation, e.offset}; }
  std::string_view KeyAt(const Entry& e) const {
    return std::string_view(keys).substr(e.key_offset, e.key_size);
  }
  void Add(std::string_view key, std::uint32_t offset, std::uint32_t length, std::uint32_t line) {
    entries.push_back({static_cast<std::uint32_t>(keys.size()),
                       static_cast<std::uint32_t>(key.size()), offset, length, line});
    keys.append(key);
  }
  // Sorts the entries by key, builds the `slots` secondary indexes from `values` (gathered for
  // the entries in the order they were added) and gives back spare capacity (the index is final).
  void Finish(IndexedValues values, std::size_t slots) {
    keys.shrink_to_fit();
    // order[i] is the position before sorting of the entry that ends up at i.
    const std::vector<std::uint32_t> order = KeyOrder();
    std::vector<Entry> sorted;
    sorted.reserve(entries.size());
    for (const std::uint32_t i : order) sorted.push_back(entries[i]);
    entries = std::move(sorted);
    if (slots == 0) return;
    std::vector<std::uint32_t> position(entries.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) position[order[i]] = i;
    const std::string_view arena = values.arena;
    const auto value_of = [arena](const IndexedValues::Item& item) {
      return arena.substr(item.offset, item.size);
    };
    std::vector<IndexedValues::Item>& items = values.items;
    for (IndexedValues::Item& item : items) item.record = position[item.record];
    std::sort(items.begin(), items.end(),
              [&](const IndexedValues::Item& a, const IndexedValues::Item& b) {
                if (a.slot != b.slot) return a.slot < b.slot;
                const int c = value_of(a).compare(value_of(b));
                return c != 0 ? c < 0 : a.record < b.record;
              });
    secondary.assign(slots, Secondary{});
    for (std::size_t i = 0; i < items.size();) {
      Secondary& index = secondary[items[i].slot];
      const std::string_view value = value_of(items[i]);
      index.distinct.push_back({static_cast<std::uint32_t>(index.values.size()),
                                static_cast<std::uint32_t>(index.records.size())});
      index.values.append(value);
      std::size_t j = i;
      for (; j < items.size() && items[j].slot == items[i].slot && value_of(items[j]) == value;
           ++j) {
        // A list naming an element twice indexes its record once.
        if (j == i || items[j].record != items[j - 1].record) {
          index.records.push_back(items[j].record);
        }
      }
      i = j;
    }
    for (Secondary& index : secondary) {
      index.values.shrink_to_fit();
      index.distinct.shrink_to_fit();
      index.records.shrink_to_fit();
    }
  }
  // The positions of `entries` in the order of their keys' bytes.
  // PERF: sorts the keys' first 8 bytes, packed into integers next to the positions, and
  // compares whole keys only where those are equal: comparing keys in `keys` at each step
  // reached into the arena at random, and the sort was a tenth of an open of the Packages data.
  std::vector<std::uint32_t> KeyOrder() const {
    struct Item {
      std::uint64_t prefix;  // the key's first 8 bytes, big-endian, zero-padded
      std::uint32_t index;
    };
    std::vector<Item> items(entries.size());
    for (std::uint32_t i = 0; i < items.size(); ++i) {
      const std::string_view key = KeyAt(entries[i]);
      std::uint64_t prefix = 0;
      for (std::size_t b = 0; b < 8; ++b) {
        prefix = (prefix << 8) | (b < key.size() ? static_cast<unsigned char>(key[b]) : 0u);
      }
      items[i] = {prefix, i};
    }
    // A shorter key padded with zeros compares as its bytes would (a prefix of a key sorts
    // before it), and equal prefixes fall back to the keys: the order is the keys' byte order.
    std::sort(items.begin(), items.end(), [this](const Item& a, const Item& b) {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return KeyAt(entries[a.index]) < KeyAt(entries[b.index]);
    });
    std::vector<std::uint32_t> order(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) order[i] = items[i].index;
    return order;
  }
  const Entry* Find(std::string_view key) const {
    auto it = std::lower_bound(entries.begin(), entries.end(), key,
                               [this](const Entry& e, std::string_view k) { return KeyAt(e) < k; });
    return (it != entries.end() && KeyAt(*it) == key) ? &*it : nullptr;
  }
  // Memory held by this index, secondary indexes included [I-002].
  std::uint64_t MemoryBytes() const {
    std::uint64_t total = sizeof(*this) + entries.capacity() * sizeof(Entry) + keys.capacity() +
                          path.capacity() + secondary.capacity() * sizeof(Secondary);
    for (const Secondary& index : secondary) total += index.MemoryBytes();
    return total;
  }
};

// Records picked by a read of several partitions (a scan, a key range, a secondary index
// lookup) before they are read: their partitions, entries and decoded keys.
struct Selection {
  struct Hit {
    std::uint32_t part;                  // index into `parts`
    const PartitionIndex::Entry* entry;  // owned by *parts[part]
  };
  explicit Selection(std::size_t key_width) : width(key_width) {}

  // Adds entry `entry` of parts[part] and returns its key's components [S-120] (views into the
  // partition's key arena, empty when the key is malformed), valid until the next Add.
  std::span<const std::string_view> Add(std::uint32_t part, const PartitionIndex::Entry* entry) {
    hits.push_back({part, entry});
    const std::size_t at = components.size();
    components.resize(at + width);
    std::string_view key = parts[part]->KeyAt(*entry);
    for (std::size_t k = 0; k < width; ++k) {
      const std::size_t colon = key.find(':');
      std::size_t size = 0;
      bool digits = colon != 0 && colon != std::string_view::npos;
      for (std::size_t i = 0; digits && i < colon; ++i) {
        digits = key[i] >= '0' && key[i] <= '9' && size <= key.size();
        size = size * 10 + static_cast<std::size_t>(key[i] - '0');
      }
      if (!digits || key.size() - colon - 1 < size) break;
      components[at + k] = key.substr(colon + 1, size);
      key.remove_prefix(colon + 1 + size);
    }
    return std::span<const std::string_view>(components).subspan(at, width);
  }
  // Removes the last hit added.
  void Pop() {
    hits.pop_back();
    components.resize(components.size() - width);
  }
  std::span<const std::string_view> KeyOf(std::size_t hit) const {
    return std::span<const std::string_view>(components).subspan(hit * width, width);
  }

  std::size_t width;  // key fields of the table
  std::vector<std::shared_ptr<const PartitionIndex>> parts;
  std::vector<Hit> hits;
  std::vector<std::string_view> components;  // `width` per hit, in hit order
};

// Indexed partitions by path relative to the database directory. INVARIANT: every path is one
// PartitionPath gives, i.e. a data file name [P-050].
using PartitionMap = std::map<std::string, std::shared_ptr<const PartitionIndex>, std::less<>>;

struct TableState {
  // Shared, so that a read holds it without copying or locking (a Schema is immutable).
  std::shared_ptr<const Schema> schema;
  PartitionMap partitions;
  // The schema file as it was read [B-021]; a table whose schema file changes is reloaded.
  FileInfo schema_stamp;
  bool schema_racy = false;      // read within kRacyWindowNs of its mtime: compare content too
  std::uint32_t schema_crc = 0;  // of the schema file's content
};

// The partition scheme of `schema` [P-014]: a view, valid while `schema` lives.
inline internal::PartitionScheme SchemeOf(const Schema& schema) {
  return {schema.partition_depth(), schema.partition_split_dirs(), schema.partition_splits()};
}

inline std::string KeyForMessages(const std::vector<std::string>& components) {
  std::string out;
  for (const std::string& c : components) {
    if (!out.empty()) out += ' ';
    out += c;
  }
  return out;
}

// The fields of `schema` that have a secondary index, those declared Index or Unique [I-002], as
// indices into schema.fields(), in declaration order. A field's position here is its index's
// slot in PartitionIndex::secondary and IndexedValues::Item.
inline std::vector<std::size_t> IndexedFields(const Schema& schema) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < schema.fields().size(); ++i) {
    if (schema.fields()[i].indexed || schema.fields()[i].unique) out.push_back(i);
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
using internal::PartitionMap;
using internal::SameStamp;
using internal::TableState;

struct Database::Impl {
  Impl(std::string dir_in, const Options& options_in)
      : dir(std::move(dir_in)),
        confined_env(internal::NewConfinedEnv(
            options_in.env != nullptr ? options_in.env : Env::Default(), dir)),
        env(confined_env.get()),
        options(options_in),
        cache(options_in.cache_bytes) {}

  std::string Abs(std::string_view rel) const {
    return rel.empty() ? dir : dir + "/" + std::string(rel);
  }

  // Env::ReadFileRange of `rel` (relative to the database directory): through the directory
  // held open when it can read (Directory::ReadFileRange), else through the Env.
  Result<std::string> ReadRange(const std::string& rel, std::uint64_t offset,
                                std::size_t length) const {
    Result<std::string> bytes = root->ReadFileRange(rel, offset, length);
    if (bytes.ok() || bytes.status().code() != StatusCode::kNotSupported) return bytes;
    return env->ReadFileRange(Abs(rel), offset, length);
  }

  // The database lock [C-010], shared for reads, exclusive for commits.
  Result<std::unique_ptr<FileLock>> Lock(bool exclusive) const {
    return process_lock.Acquire(exclusive);
  }

  // The schema of `table` as its schema file says now [B-021]: when the file changed since it was
  // read (a re-partition, a hand edit, a git checkout), it is read again and the table's indexes
  // are dropped; a table created since the database was opened is found too. kNotFound when
  // there is no such table, kInvalidData when its schema file is invalid.
  // REQUIRES: the database lock is held, for the answer to stay true while it is used, or an
  // unlocked get [C-012] checks afterwards that no writer ran.
  Result<std::shared_ptr<const Schema>> SchemaOf(std::string_view table) {
    std::shared_ptr<const Schema> known;
    FileInfo known_stamp;
    bool racy = false;
    std::uint32_t crc = 0;
    {
      std::lock_guard<std::mutex> guard(mu);
      auto it = tables.find(table);
      if (it != tables.end()) {
        known = it->second.schema;
        known_stamp = it->second.schema_stamp;
        racy = it->second.schema_racy;
        crc = it->second.schema_crc;
      }
    }
    const std::string path = std::string(table) + "/" + std::string(kSchemaFile);
    if (known == nullptr && !IsTableName(table)) {
      return Status::NotFound(fmt::format("no table '{}'", table));
    }
    Result<FileInfo> stamp = root->Stat(path);
    if (!stamp.ok()) {
      if (stamp.status().code() == StatusCode::kNotFound) {
        return Status::NotFound(known == nullptr
                                    ? fmt::format("no table '{}'", table)
                                    : fmt::format("no table '{}': {} was removed", table, path));
      }
      return stamp.status();
    }
    if (known != nullptr && SameStamp(*stamp, known_stamp) && !racy) return known;
    Result<std::string> text = env->ReadFile(Abs(path));
    if (!text.ok()) return text.status();
    const std::uint32_t text_crc = internal::Crc32c(*text);
    if (known != nullptr && SameStamp(*stamp, known_stamp) && text_crc == crc &&
        NowNs() - stamp->mtime_ns < kRacyWindowNs) {
      return known;
    }
    Result<TableState> loaded = LoadTable(table, path, *stamp, std::move(text).value());
    if (!loaded.ok()) return loaded.status();
    std::shared_ptr<const Schema> schema = loaded->schema;
    std::lock_guard<std::mutex> guard(mu);
    auto it = tables.find(table);
    if (it != tables.end() && it->second.schema == known) {
      it->second = std::move(loaded).value();
    } else if (it == tables.end()) {
      tables.emplace(std::string(table), std::move(loaded).value());
    }
    return schema;
  }

  // A table's state from its schema file's text: the schema and no indexed partition yet.
  static Result<TableState> LoadTable(std::string_view table, const std::string& path,
                                      const FileInfo& stamp, std::string text) {
    TableState state;
    state.schema_stamp = stamp;
    state.schema_racy = NowNs() - stamp.mtime_ns < kRacyWindowNs;
    state.schema_crc = internal::Crc32c(text);
    Result<Schema> schema = ParseSchema(std::move(text), path);
    if (!schema.ok()) return schema.status();
    if (schema->table() != table) {
      return Status::InvalidData(fmt::format(
          "{}:1:1: error: the schema names table '{}' but lives in directory '{}' [B-004]", path,
          schema->table(), table));
    }
    state.schema = std::make_shared<const Schema>(std::move(schema).value());
    return state;
  }

  // True when `name` can be a table directory: one safe path component, not hidden.
  static bool IsTableName(std::string_view name) {
    return internal::IsSafeRelativePath(name) && name.find('/') == std::string_view::npos &&
           !name.starts_with('.');
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
      internal::AppendKeyComponent(&encoded, canonical);
    }
    Result<std::string> part = internal::PartitionPath(first, internal::SchemeOf(schema));
    if (!part.ok()) return part.status();
    return std::make_pair(std::move(encoded), std::string(table) + "/" + *part);
  }

  // Collects the raw values [F-030] of named fields of each stanza, for FastIndexer (the key
  // fields and the indexed fields, which must be one byte range each: `strict`) and for a
  // projected scan (the fields its filter reads, which may not be: then the stanza is marked).
  struct FieldCollector {
    struct Span {
      std::uint32_t begin = 0;  // the paragraph's bytes in the scanned text
      std::uint32_t end = 0;
      std::uint32_t line = 0;  // of its first line
      // A field after `strict` has comment lines inside its value: only a parse gives it.
      bool needs_parse = false;
    };
    const char* data = nullptr;
    // The fields collected; the first `strict` ones must be contiguous, else `anomaly`.
    // INVARIANT: the bytes of the names outlive the collector.
    std::vector<std::string_view> names;
    std::size_t strict = 0;
    std::vector<Span> spans;
    // names.size() per stanza; a null view (data() == nullptr) for a field the stanza lacks.
    std::vector<std::string_view> values;
    bool anomaly = false;

    void Clear() {
      spans.clear();
      values.clear();
      anomaly = false;
    }
    bool Error(std::uint32_t, std::uint32_t, std::uint32_t, const char*, std::string) {
      anomaly = true;
      return false;
    }
    void StanzaBegin(std::uint32_t begin, std::uint32_t line) {
      spans.push_back({begin, 0, line, false});
      values.resize(values.size() + names.size());
    }
    void Comment(const internal::CommentSpan&, bool) {}
    void Field(const internal::FieldSpan& f) {
      const std::string_view name(data + f.name_begin, f.name_end - f.name_begin);
      const std::size_t base = values.size() - names.size();
      for (std::size_t k = 0; k < names.size(); ++k) {
        if (!internal::EqualsIgnoreAsciiCase(name, names[k])) continue;
        // Comments inside the value (it is then not one byte range).
        if (!f.contiguous) (k < strict ? anomaly : spans.back().needs_parse) = true;
        values[base + k] = std::string_view(data + f.value_begin, f.value_end - f.value_begin);
      }
    }
    void StanzaEnd(std::uint32_t end) { spans.back().end = end; }

    // Scans `text` (whole paragraphs, the first on line `first_line`); false on a syntax error
    // or an anomaly. REQUIRES: `text` passed the encoding checks [F-001..F-003].
    bool Scan(std::string_view text, std::uint32_t first_line, std::uint32_t* next_line) {
      data = text.data();
      Clear();
      internal::Scanner<FieldCollector> scanner(text, internal::ScanOptions{}, this);
      if (!scanner.Scan(0, static_cast<std::uint32_t>(text.size()), first_line) || anomaly) {
        return false;
      }
      if (next_line != nullptr) *next_line = scanner.next_line();
      return true;
    }
  };

  // The records of one chunk of a data file as a projected scan collected them, for the
  // consumer of CurrentPartitions: where each lies and the raw values of the projected fields.
  struct ChunkRecords {
    const FieldCollector* fields;
    std::size_t first;  // the projected fields are fields->names[first, first + count)
    std::size_t count;

    std::size_t size() const { return fields->spans.size(); }
    const FieldCollector::Span& span(std::size_t i) const { return fields->spans[i]; }
    // The raw value of projected field j of record i; a null view when the record lacks it.
    std::string_view value(std::size_t i, std::size_t j) const {
      return fields->values[i * fields->names.size() + first + j];
    }
  };

  // What LoadPartition hands the bytes it indexed to: sink(chunk, first_line, first, records)
  // for consecutive chunks of whole paragraphs, `first_line` the line number of the chunk's first
  // line; `first` is true for the chunk that starts the file, and a chunk with `first` set
  // again (the whole file, after the fast indexer gave up) replaces all that came before.
  // `records` (valid during the call) are the chunk's records with the values of the projected
  // fields, when LoadPartition was given a projection and the fast indexer took the chunk;
  // null otherwise.
  using ChunkSink = std::function<Status(std::string_view chunk, std::uint32_t first_line,
                                         bool first, const ChunkRecords* records)>;

  // Reads and indexes the data file `path` of `table` (which need not exist). The file is read
  // in chunks (ReadInParagraphs), never held in memory whole unless the slow path must parse
  // it. When `sink` is not null, every byte the index was built from is also handed to it (see
  // ChunkSink), until it fails: its failure is stored in *sink_status (the file is still
  // indexed whole); with `projected`, so are the values of those fields.
  // REQUIRES: sink_status is OK when `sink` is not null.
  std::shared_ptr<PartitionIndex> LoadPartition(
      std::string_view table, const Schema& schema, const std::string& path,
      const ChunkSink* sink = nullptr, Status* sink_status = nullptr,
      const std::vector<std::string>* projected = nullptr) const {
    auto part = std::make_shared<PartitionIndex>();
    part->path = path;
    part->generation = ++generation;
    Result<FileInfo> stamp = root->Stat(path);
    if (!stamp.ok()) {
      if (stamp.status().code() != StatusCode::kNotFound) part->problem = stamp.status();
      return part;
    }
    if (stamp->type != FileInfo::Type::kRegular) {
      part->problem = Status::InvalidData(fmt::format(
          "{}: error: expected a regular file; textdb never follows symbolic links", path));
      return part;
    }
    part->stamp = *stamp;
    part->racy = NowNs() - stamp->mtime_ns < kRacyWindowNs;
    const std::string_view table_relative = std::string_view(path).substr(table.size() + 1);
    const std::vector<std::size_t> indexed = internal::IndexedFields(schema);
    internal::IndexedValues values;
    FastIndexer indexer(schema, table_relative, indexed, part.get(), &values, projected);
    bool fast = true;
    const Status read = ReadInParagraphs(
        Abs(path),
        [&](std::string_view chunk, std::uint64_t base) {
          const std::uint32_t first_line = indexer.next_line();
          if (!indexer.Chunk(chunk, base)) {
            fast = false;
            return false;
          }
          if (sink != nullptr && sink_status->ok()) {
            const ChunkRecords records = indexer.records();
            *sink_status =
                (*sink)(chunk, first_line, base == 0, projected != nullptr ? &records : nullptr);
          }
          return true;
        },
        &part->bytes, part->racy ? &part->crc : nullptr);  // PERF: only racy files need a CRC
    if (!read.ok()) {
      part->problem = read;
      return part;
    }
    part->exists = true;
    if (!fast) {  // the chunks are gone: read the file whole
      part->entries.clear();
      part->keys.clear();
      values.Clear();
      Result<std::string> content = env->ReadFile(Abs(path));
      if (!content.ok()) {
        part->problem = content.status();
        return part;
      }
      part->bytes = content->size();
      if (part->racy) part->crc = internal::Crc32c(*content);
      // Before IndexSlow consumes the bytes; if it finds a problem, what the sink took is moot.
      if (sink != nullptr) *sink_status = (*sink)(*content, 1, /*first=*/true, nullptr);
      IndexSlow(table, schema, indexed, path, std::move(content).value(), part.get(), &values);
      if (!part->problem.ok()) return part;
    }
    if (values.too_large) {
      part->problem = Status::InvalidData(fmt::format(
          "{}: error: the values of its indexed fields take more than 4 GiB; split the table "
          "into more partitions (a greater Partition-Depth) [I-002]",
          path));
      return part;
    }
    part->Finish(std::move(values), indexed.size());
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

  // PERF: indexes a data file with the line scanner alone, without building a Document: this is
  // what makes open fast. The file comes in chunks of whole paragraphs, so it need not be in
  // memory at once. Chunk returns false on anything unusual (a syntax or encoding error, a
  // missing, empty or invalid key, a misplaced record, comment lines inside the value of a key
  // or indexed field), leaving the exact diagnosis to IndexSlow. The values of the `indexed`
  // fields (IndexedFields(schema)) go to *values. A contiguous value, one line or several, is
  // exactly the raw value [F-030] IndexSlow gets from the Document, so both paths index alike.
  // The values of the `projected` fields of the last chunk's records are in records().
  class FastIndexer {
   public:
    // REQUIRES: `projected` (when not null) outlives the indexer.
    FastIndexer(const Schema& schema, std::string_view table_relative,
                const std::vector<std::size_t>& indexed, PartitionIndex* part,
                internal::IndexedValues* values, const std::vector<std::string>* projected)
        : schema_(schema),
          table_relative_(table_relative),
          indexed_(indexed),
          part_(part),
          values_(values) {
      for (std::size_t f : schema.key()) collector_.names.push_back(schema.fields()[f].name);
      for (std::size_t f : indexed) collector_.names.push_back(schema.fields()[f].name);
      collector_.strict = collector_.names.size();
      if (projected != nullptr) {
        collector_.names.insert(collector_.names.end(), projected->begin(), projected->end());
      }
    }

    // The records of the last chunk Chunk accepted, with the values of the projected fields.
    ChunkRecords records() const {
      return {&collector_, collector_.strict, collector_.names.size() - collector_.strict};
    }

    // Indexes `chunk`, the bytes of the file from offset `base` on.
    // REQUIRES: the chunks come in file order, none skipped; each holds whole paragraphs: it
    // starts the file or follows an empty line, and ends the file or ends with an empty line.
    bool Chunk(std::string_view chunk, std::uint64_t base) {
      if (base + chunk.size() > deb822::kMaxInputBytes) return false;
      if (base == 0 && chunk.starts_with("\xEF\xBB\xBF")) return false;
      internal::EncodingIssue issue;
      if (internal::FindEncodingIssue(chunk, 0, /*allow_crlf=*/false, &issue)) return false;
      if (!collector_.Scan(chunk, line_, &line_)) return false;
      const std::size_t entries_before = part_->entries.size();
      const std::size_t key_bytes_before = part_->keys.size();
      const std::size_t width = schema_.key().size();
      const std::size_t stride = collector_.names.size();
      for (std::size_t i = 0; i < collector_.spans.size(); ++i) {
        key_.clear();
        for (std::size_t k = 0; k < width; ++k) {
          const std::string_view raw = collector_.values[i * stride + k];
          const FieldSpec& spec = schema_.fields()[schema_.key()[k]];
          if (raw.empty() || !internal::ValidCanonical(spec, raw, &canonical_)) return false;
          internal::AppendKeyComponent(&key_, canonical_);
          if (k == 0) first_.swap(canonical_);
        }
        if (!InThisFile()) return false;
        const auto& span = collector_.spans[i];
        const auto record = static_cast<std::uint32_t>(part_->entries.size());
        part_->Add(key_, static_cast<std::uint32_t>(base + span.begin), span.end - span.begin,
                   span.line);
        for (std::size_t s = 0; s < indexed_.size(); ++s) {
          const std::string_view raw = collector_.values[i * stride + width + s];
          if (raw.data() != nullptr) {
            values_->Add(schema_.fields()[indexed_[s]], static_cast<std::uint32_t>(s), record, raw);
          }
        }
      }
      if (base == 0) ReserveFor(chunk.size(), entries_before, key_bytes_before);
      return true;
    }

    // The line number the next chunk starts at.
    std::uint32_t next_line() const { return line_; }

   private:
    // PERF: after the first chunk (`chunk_bytes` long) of a file that has more, reserves room
    // for the whole file's entries and keys at the first chunk's rate (plus 1/16), instead of
    // growing them by doubling: each doubling copies them and touches new pages.
    void ReserveFor(std::size_t chunk_bytes, std::size_t entries_before,
                    std::size_t key_bytes_before) {
      const std::uint64_t file_bytes = part_->stamp.size;
      if (chunk_bytes == 0 || file_bytes <= chunk_bytes) return;
      const auto scaled = [&](std::size_t n) {
        const std::uint64_t estimate = n * file_bytes / chunk_bytes;
        return static_cast<std::size_t>(estimate + estimate / 16 + 16);
      };
      part_->entries.reserve(scaled(part_->entries.size() - entries_before));
      part_->keys.reserve(scaled(part_->keys.size() - key_bytes_before));
    }

    // True when the record whose first key field's canonical value is first_ belongs in this
    // file [P-020]. PERF: the file's partition is that of the first record found to belong
    // here (not PartitionPrefixOf of the file's name, which would start ICU in every process
    // that reads a record); ASCII keys are then checked against it without ICU.
    bool InThisFile() {
      if (partition_) {
        if (const std::optional<bool> in = internal::AsciiKeyInPartition(first_, *partition_)) {
          return *in;
        }
      }
      Result<internal::Partition> home =
          internal::PartitionOfKey(first_, internal::SchemeOf(schema_));
      if (!home.ok() || internal::PartitionFilePath(*home) != table_relative_) return false;
      if (!partition_) partition_ = std::move(home).value();
      return true;
    }

    const Schema& schema_;
    std::string_view table_relative_;
    // The partition of this file, once a record was found to belong here.
    std::optional<internal::Partition> partition_;
    const std::vector<std::size_t>& indexed_;
    PartitionIndex* part_;
    internal::IndexedValues* values_;
    FieldCollector collector_;
    std::uint32_t line_ = 1;  // the line the next chunk starts at
    std::string key_;         // PERF: reused for every record
    std::string canonical_;   // PERF: reused for every key field
    std::string first_;
  };

  // The offset just after the last empty line of `text`, whose first byte starts a line; 0 when
  // it has none.
  static std::size_t LastParagraphEnd(std::string_view text) {
    std::size_t end = text.size();
    while (end > 0) {
      const void* found = ::memrchr(text.data(), '\n', end);
      if (found == nullptr) return 0;
      const auto at = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
      if (at == 0 || text[at - 1] == '\n') return at + 1;
      end = at;
    }
    return 0;
  }

  // Reads the file `abs` from its start and calls each(chunk, base) for consecutive chunks of
  // whole paragraphs, `base` being the chunk's offset in the file: a chunk starts the file or
  // follows an empty line, and ends the file or ends with an empty line. Stops early when
  // `each` returns false. Sets *bytes to the number of bytes read and, when `crc` is not null,
  // *crc to their CRC-32C.
  // REQUIRES: `each` does not call ReadInParagraphs (the buffer is the thread's).
  // PERF: through one buffer per thread, reused from file to file, rather than one buffer the
  // size of each file: in a fresh process, zeroing and first touching the pages of a new buffer
  // cost more than the indexing itself (55% of the time of a `select --count` over the
  // Packages data). The buffer grows only for a paragraph longer than it, and shrinks back at
  // the next call. 64 KiB, not more: a `get` reads one file, and each page of the buffer that a
  // larger chunk touches is a page fault; for the 129 kB file holding libc6, a fresh-process
  // `get` took 4.35 -> 3.95 ms with 64 instead of 256 KiB, while full scans were no slower
  // (tests/bench/RESULTS.md, session 11).
  Status ReadInParagraphs(const std::string& abs,
                          const std::function<bool(std::string_view, std::uint64_t)>& each,
                          std::uint64_t* bytes, std::uint32_t* crc) const {
    constexpr std::size_t kChunkBytes = std::size_t{64} << 10;
    thread_local std::unique_ptr<char[]> buffer;
    thread_local std::size_t capacity = 0;
    if (capacity != kChunkBytes) {
      buffer = std::make_unique_for_overwrite<char[]>(kChunkBytes);
      capacity = kChunkBytes;
    }
    Result<std::unique_ptr<SequentialFile>> file = env->NewSequentialFile(abs);
    if (!file.ok()) return file.status();
    *bytes = 0;
    if (crc != nullptr) *crc = 0;
    std::size_t filled = 0;  // buffer[0, filled) holds the bytes from file offset `base` on
    std::uint64_t base = 0;
    bool at_end = false;
    while (true) {
      if (!at_end) {
        if (filled == capacity) {  // a paragraph longer than the buffer
          auto bigger = std::make_unique_for_overwrite<char[]>(capacity * 2);
          std::memcpy(bigger.get(), buffer.get(), filled);
          buffer = std::move(bigger);
          capacity *= 2;
        }
        Result<std::size_t> got = (*file)->Read(buffer.get() + filled, capacity - filled);
        if (!got.ok()) return got.status();
        if (crc != nullptr) *crc = internal::Crc32c({buffer.get() + filled, *got}, *crc);
        *bytes += *got;
        at_end = *got < capacity - filled;
        filled += *got;
      }
      // Cut after the last empty line in the buffer; at the end, after everything.
      std::size_t cut = filled;
      if (!at_end) {
        cut = LastParagraphEnd(std::string_view(buffer.get(), filled));
        if (cut == 0) continue;  // no paragraph ends in the full buffer: it grows
      }
      if (!each(std::string_view(buffer.get(), cut), base)) return Status::Ok();
      base += cut;
      std::memmove(buffer.get(), buffer.get() + cut, filled - cut);
      filled -= cut;
      if (at_end) return Status::Ok();
    }
  }

  // Indexes `content` through a full parse, reporting the first problem precisely. The values
  // of the `indexed` fields (IndexedFields(schema)) go to *values.
  static void IndexSlow(std::string_view table, const Schema& schema,
                        const std::vector<std::size_t>& indexed, const std::string& path,
                        std::string content, PartitionIndex* part,
                        internal::IndexedValues* values) {
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
          internal::PartitionPath(components->front(), internal::SchemeOf(schema));
      if (!home.ok() || *home != table_relative) {
        part->problem = Status::InvalidData(fmt::format(
            "{}:{}:1: error: record '{}' belongs in {}/{}, not in this file; move it there "
            "(textdb fmt does) [P-020]",
            path, stanza.line(), KeyForMessages(*components), table,
            home.ok() ? *home : home.status().message()));
        return;
      }
      const auto record = static_cast<std::uint32_t>(part->entries.size());
      part->Add(*key, stanza.source_offset(), stanza.source_length(), stanza.line());
      for (std::size_t s = 0; s < indexed.size(); ++s) {
        const FieldSpec& spec = schema.fields()[indexed[s]];
        if (std::optional<std::string_view> raw = stanza.Get(spec.name)) {
          values->Add(spec, static_cast<std::uint32_t>(s), record, *raw);
        }
      }
    }
  }

  // True when `part` still describes the file on disk [change detection]. `seen`, when given,
  // is what Stat reported for the file a moment ago (WalkTable), which saves calling it again.
  bool IsFresh(const PartitionIndex& part, const FileInfo* seen = nullptr) const {
    FileInfo stamp;
    if (seen != nullptr) {
      stamp = *seen;
    } else {
      Result<FileInfo> stat = root->Stat(part.path);
      if (!stat.ok()) return !part.exists && stat.status().code() == StatusCode::kNotFound;
      stamp = *stat;
    }
    if (!part.exists || !SameStamp(stamp, part.stamp)) return false;
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
    // A copy: a commit or a reload of the schema may replace the table's state once `mu` is
    // released (an unlocked read [C-012] runs beside the handle's own writer).
    std::shared_ptr<const Schema> schema;
    {
      std::lock_guard<std::mutex> guard(mu);
      Result<const TableState*> found = Table(table);
      if (!found.ok()) return found.status();
      schema = (*found)->schema;
      auto it = (*found)->partitions.find(path);
      if (it != (*found)->partitions.end()) known = it->second;
    }
    if (known != nullptr && IsFresh(*known)) return known;
    std::shared_ptr<const PartitionIndex> loaded = LoadPartition(table, *schema, path);
    std::lock_guard<std::mutex> guard(mu);
    if (auto it = tables.find(table); it != tables.end() && it->second.schema == schema) {
      it->second.partitions[path] = loaded;
    }
    return loaded;
  }

  // Every data file of `table`, as paths relative to the database directory, sorted.
  Result<std::vector<std::string>> ListPartitions(std::string_view table,
                                                  const Schema& schema) const {
    std::vector<std::string> out;
    TEXTDB_RETURN_IF_ERROR(WalkTable(std::string(table), "", DataFilesOf(schema), &out, nullptr));
    std::sort(out.begin(), out.end());
    return out;
  }

  // Tells whether a path relative to the table directory names a data file [P-050].
  using DataFileTest = std::function<bool(std::string_view)>;

  // The data files of a table with `schema` [P-050]. REQUIRES: `schema` outlives the result.
  static DataFileTest DataFilesOf(const Schema& schema) {
    return [&schema](std::string_view table_rel) {
      return internal::PartitionPrefixOf(table_rel, internal::SchemeOf(schema)).has_value();
    };
  }

  // Collects data files below `table`/`sub` into *data (and what Stat said of each into *stamps
  // when given); other entries (except the schema file) into *other when given. Symbolic links
  // are never followed. PERF: a path in `known` is a data file name without checking [P-050].
  Status WalkTable(const std::string& table, const std::string& sub, const DataFileTest& is_data,
                   std::vector<std::string>* data, std::vector<std::string>* other,
                   std::vector<FileInfo>* stamps = nullptr,
                   const internal::PartitionMap* known = nullptr) const {
    const std::string rel_dir = sub.empty() ? table : table + "/" + sub;
    Result<std::vector<std::string>> names = env->ListDir(Abs(rel_dir));
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      const std::string table_rel = sub.empty() ? name : sub + "/" + name;
      const std::string rel = table + "/" + table_rel;
      if (sub.empty() && name == kSchemaFile) continue;
      Result<FileInfo> info = root->Stat(rel);
      if (!info.ok()) return info.status();
      if (info->type == FileInfo::Type::kSymlink) {
        // [T-021]: refused, not skipped: the records behind it would silently disappear.
        return Status::InvalidData(fmt::format(
            "{}: error: a symbolic link inside the database; textdb never follows symbolic "
            "links [T-021]",
            Abs(rel)));
      }
      if (info->type == FileInfo::Type::kDirectory) {
        TEXTDB_RETURN_IF_ERROR(WalkTable(table, table_rel, is_data, data, other, stamps, known));
      } else if (info->type == FileInfo::Type::kRegular &&
                 ((known != nullptr && known->count(rel) != 0) || is_data(table_rel))) {
        data->push_back(rel);
        if (stamps != nullptr) stamps->push_back(*info);
      } else if (other != nullptr) {
        other->push_back(rel);
      }
    }
    return Status::Ok();
  }

  // Runs fn(i) for every i in [0, n) on up to `threads` threads (0 = the number of cores), the
  // calling thread included. REQUIRES: fn may be called from several threads at once.
  static void ParallelFor(std::size_t n, unsigned threads,
                          const std::function<void(std::size_t)>& fn) {
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
      for (std::size_t i = next++; i < n; i = next++) fn(i);
    };
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, n); ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& thread : pool) thread.join();
  }

  // The positions 0..sizes.size()-1, largest size first (equal sizes in position order).
  // PERF: ParallelFor over files in this order starts the largest first (longest processing
  // time first), so no thread is left alone with a large file at the end: in path order, the
  // file of the Packages data that holds 43% of its bytes came halfway and kept one of two
  // threads busy long after the other was done.
  static std::vector<std::size_t> LargestFirst(const std::vector<std::uint64_t>& sizes) {
    std::vector<std::size_t> order(sizes.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });
    return order;
  }

  // Preload: indexes every partition of every table with `threads` threads.
  Status Preload(unsigned threads) {
    std::vector<std::pair<std::string, std::string>> work;  // table, path
    std::vector<std::uint64_t> sizes;
    for (const auto& [name, state] : tables) {
      std::vector<std::string> paths;
      std::vector<FileInfo> stamps;
      TEXTDB_RETURN_IF_ERROR(
          WalkTable(name, "", DataFilesOf(*state.schema), &paths, nullptr, &stamps));
      for (std::size_t i = 0; i < paths.size(); ++i) {
        work.emplace_back(name, std::move(paths[i]));
        sizes.push_back(stamps[i].size);
      }
    }
    std::vector<std::shared_ptr<const PartitionIndex>> loaded(work.size());
    const std::vector<std::size_t> order = LargestFirst(sizes);
    ParallelFor(work.size(), threads, [&](std::size_t k) {
      const std::size_t i = order[k];
      loaded[i] = LoadPartition(work[i].first, *tables.at(work[i].first).schema, work[i].second);
    });
    for (std::size_t i = 0; i < work.size(); ++i) {
      tables.at(work[i].first).partitions[work[i].second] = loaded[i];
    }
    return Status::Ok();
  }

  // --- Reads of several partitions: scans, key ranges, secondary indexes (database.cc) ---
  // REQUIRES of each: the caller holds the database lock, shared or exclusive (none is taken).

  // The current indexes of the data files of `table` whose partition satisfies `wanted` (every
  // data file when `wanted` is null), in path order [I-001]: a file indexed before is only
  // stat()ed; a file not indexed yet or changed since is indexed (again), those in parallel
  // with options.threads threads. Indexes of files that are gone are dropped. Fails with the
  // problem of the first unusable partition (a parse error, a duplicate or misplaced key).
  //
  // With `consume`, the bytes of every chosen usable partition are also handed, on the loading
  // threads, to consume(c, path, chunk, first_line, first), with c its position in the result
  // and the rest as for a ChunkSink: read once for a file (re)indexed here; read, then checked
  // against the index's stamp (and checksum, for a racy file) otherwise, kConflict when it
  // changed. The calls for one c come from one thread, in file order. Then the first failure of
  // `consume`, in path order, is returned. PERF: a full scan reads each file once, not once to
  // index and again to parse; `consume` must be thread-safe across partitions.
  // With `projected` (and `consume`), the consumer also gets the chunk's records with the values
  // of those fields (ChunkSink's `records`), collected by the indexer's own scan of the chunk
  // for a file indexed here, by a scan of the chunk for the others; null when the chunk has an
  // anomaly (FieldCollector) or comes whole from the slow path, so the consumer parses it.
  using PartitionConsumer =
      std::function<Status(std::size_t c, const std::string& path, std::string_view chunk,
                           std::uint32_t first_line, bool first, const ChunkRecords* records)>;
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> CurrentPartitions(
      std::string_view table, const Schema& schema,
      const std::function<bool(const internal::Partition&)>& wanted,
      const PartitionConsumer* consume = nullptr,
      const std::vector<std::string>* projected = nullptr);

  // Database::ScanParallel, with the fields its filter reads when `projected` is not null.
  // With `count` not null, Database::Count with a filter instead: the number of records
  // accepted is added to *count, they are neither kept nor (when their views decided) parsed,
  // and `visit` is not called.
  // REQUIRES: no two names of *projected are equal ignoring ASCII case.
  Status ScanParallel(std::string_view table, const std::vector<std::string>* projected,
                      const std::function<bool(const deb822::Stanza&)>& filter,
                      const std::function<bool(const Record&)>& visit,
                      std::uint64_t* count = nullptr);

  // Sorts the records of `selection` by key [S-121] (global order across its partitions) and
  // calls `visit` for each until it returns false. A partition's records are read with one
  // read of the byte range they span (each on its own when they fill less than a quarter of
  // it); records found in the cache are not read. With `fill_cache`, records read are added to
  // the cache (a lookup), otherwise not (a scan would evict everything). Fails with kConflict
  // when a file changed since it was indexed (its stamp after a read differs, a racy file's CRC
  // differs, or a record's key is not the indexed one): no record is visited from bytes its
  // index does not describe. kIOError on I/O errors.
  Status VisitInKeyOrder(const Schema& schema, internal::Selection* selection, bool fill_cache,
                         const std::function<bool(const Record&)>& visit);

  // [I-005] For the write path's uniqueness checks [S-023]: the encoded keys [S-120] of the
  // records of `table` whose field `field` (declared Index or Unique) has the canonical value
  // `canonical` (CanonicalValue of the field's type; for a `list` field, one element, trimmed:
  // the records having it as an element), in key order [S-121], as the data files hold them
  // now (an uncommitted transaction's changes are not seen). Uses and refreshes the secondary
  // index [I-001]. Fails with kNotFound for an unknown table, kInvalidArgument when the field
  // has no secondary index, kInvalidData when a partition of the table cannot be used,
  // kIOError on I/O errors.
  Result<std::vector<std::string>> KeysWithIndexedValue(std::string_view table,
                                                        std::string_view field,
                                                        std::string_view canonical);

  const std::string dir;
  // The Options' Env (or the default), confined to `dir`: no path below it is used through a
  // symbolic link [T-021], [T-022]. Every file operation of the handle goes through `env`.
  const std::unique_ptr<Env> confined_env;
  Env* const env;
  // `dir`, held open from Open on: change detection ([B-020], [B-021]) stats paths relative to
  // the database directory through it.
  std::unique_ptr<Directory> root;
  const Options options;
  mutable std::mutex mu;  // guards `tables` (the map and each partitions map)
  std::map<std::string, TableState, std::less<>> tables;
  internal::LruCache<internal::StanzaCacheKey, deb822::Stanza, internal::StanzaCacheKeyHash> cache;
  mutable std::atomic<std::uint64_t> generation{0};
  // A commit failed after its commit point [C-006] or on a sync [C-007]: writes are refused.
  std::atomic<bool> broken{false};

  // internal::CommitFiles, noting in `broken` an outcome after which this handle must refuse
  // writes until it is reopened [C-006], [C-007]. Every commit of the handle goes through here.
  Status CommitFiles(const std::vector<internal::FileChange>& changes,
                     internal::CommitOutcome* outcome,
                     internal::Durability durability = internal::Durability::kSync) {
    const Status status = internal::CommitFiles(env, dir, changes, outcome, durability);
    if (*outcome == internal::CommitOutcome::kNeedsRecovery ||
        *outcome == internal::CommitOutcome::kSyncFailed) {
      broken = true;
    }
    return status;
  }

  // The write path (transaction.cc). Commits of this handle queue up in commit_queue; the one at
  // the front writes itself and, in SyncMode::kBatch, every commit queued behind it [C-032].
  struct PendingCommit;
  void CommitGroup(const std::vector<PendingCommit*>& group);
  Status ApplyTransaction(internal::CommitContext& ctx, std::vector<Transaction::Op>& ops);
  std::mutex commit_mu;  // guards commit_queue
  std::deque<PendingCommit*> commit_queue;
  mutable internal::ProcessLock process_lock{env, Abs(kLockFile)};

  // Rewrites every data file of `table` in one commit (repartition.cc): at `new_depth` (or the
  // current depth; a new depth drops the split partitions), with the split partitions chosen
  // for `split_above_bytes` when not 0 [P-074] (with `keep_splits`, the table's own stay split
  // as well), each record's bytes kept or, with `canonical`, in canonical form; with `dry_run`,
  // only reports. Appends the files that change (or would) to *changed when given.
  Status RewriteTable(std::string_view table, std::optional<int> new_depth,
                      std::uint64_t split_above_bytes, bool keep_splits, bool canonical,
                      bool dry_run, std::vector<std::string>* changed);
};

}  // namespace textdb

#endif  // TEXTDB_ENGINE_DATABASE_IMPL_H_
