// scale_bench: how the storage engine (textdb/db.h) scales from 10,000 to 1,000,000 records, with
// SQLite (libsqlite3: the same records, primary key, WAL, synchronous=FULL) measured in the same
// program and run as the peer. Figures and commands: RESULTS.md; tests/bench/engine_table.sh
// turns a JSON report into its table.
//
// Records are synthetic, about 300 bytes each (nine fields of realistic text, one a two-line
// description), generated from their index alone. Keys are built so that every partition holds
// kPerPartition records at every size: the table has `Partition-Depth: 3`, and record i of a
// database of n records is in partition i mod (n / kPerPartition), named by a distinct 3-character
// prefix. So the partition a get or an update touches has the same size at every n, and any growth
// of their cost with n is the engine's, not the data's.
//
// Each size's databases are built once, by the first benchmark that needs them (the import
// benchmarks keep their first import), in a scratch directory under $TMPDIR (default /tmp) that is
// removed at the end. A benchmark filter that leaves out a size never builds it:
//   --benchmark_filter='/(10000|100000)$'   skips the 1,000,000-record case.
// The program prints its whole wall time on stderr when it ends.
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "sqlite_peer.h"
#include "textdb/db.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using textdb::bench::SqliteDb;
using textdb::bench::SqliteStmt;
using textdb::bench::SqliteSync;

constexpr char kTable[] = "items";
constexpr char kSchema[] =
    "Table: items\n"
    "Key: Name\n"
    "Partition-Depth: 3\n"
    "\n"
    "Field: Size\n"
    "Type: integer\n"
    "\n"
    "Field: Revision\n"
    "Type: integer\n";
constexpr char kCreateSql[] =
    "CREATE TABLE items (name TEXT PRIMARY KEY, stanza TEXT) WITHOUT ROWID";
constexpr char kInsertSql[] = "INSERT INTO items VALUES (?, ?)";
constexpr char kSelectSql[] = "SELECT stanza FROM items WHERE name = ?";
constexpr char kUpdateSql[] = "UPDATE items SET stanza = ? WHERE name = ?";

// The sizes measured (records); each a multiple of kPerPartition.
constexpr std::array<std::int64_t, 3> kSizes = {10'000, 100'000, 1'000'000};
constexpr std::size_t kPerPartition = 100;
// Partition prefixes: 3 characters of kAlphabet. Partition p gets prefix number
// p * kPrefixStride mod kPrefixes (a bijection, as the stride is coprime with 36), which spreads
// consecutive partitions over the directories of the table.
constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kPrefixes = 36 * 36 * 36;
constexpr std::size_t kPrefixStride = 7919;
// Keys visited by the gets and updates: a uniform random sample of the records (all of them at
// 10,000), of which the first kHotKeys are the cached gets' working set and the first
// kUpdateKeys the updates' keys.
constexpr std::size_t kSampleKeys = 100'000;
constexpr std::size_t kHotKeys = 10'000;
constexpr std::size_t kUpdateKeys = 1'000;
// Revision values written by the updates start above every generated one (< 1000), so no update
// leaves its record as it was (textdb would then skip the write).
constexpr std::uint64_t kFirstUpdateRevision = 1'000'000;

constexpr std::array<std::string_view, 64> kWords = {
    "harbor",  "lantern", "meadow",  "copper",  "signal",  "garden",   "thunder", "velvet",
    "marble",  "falcon",  "orchard", "pepper",  "canyon",  "silver",   "timber",  "ember",
    "glacier", "willow",  "prairie", "cobalt",  "saffron", "quartz",   "harvest", "beacon",
    "river",   "summit",  "meteor",  "violet",  "anchor",  "cedar",    "dune",    "fable",
    "parser",  "buffer",  "socket",  "kernel",  "schema",  "cursor",   "packet",  "vector",
    "daemon",  "widget",  "render",  "codec",   "filter",  "tensor",   "ledger",  "router",
    "compact", "fast",    "simple",  "secure",  "modern",  "tiny",     "robust",  "native",
    "tools",   "library", "utility", "support", "plugin",  "bindings", "data",    "engine"};
constexpr std::array<std::string_view, 12> kSections = {"admin",   "devel", "doc",   "editors",
                                                        "games",   "libs",  "mail",  "net",
                                                        "science", "text",  "utils", "web"};
constexpr std::array<std::string_view, 16> kFirstNames = {
    "Ada",   "Alan", "Grace",    "Linus",   "Barbara", "Donald", "Edsger", "Frances",
    "Guido", "Ken",  "Margaret", "Niklaus", "Radia",   "Sophie", "Tim",    "Yukihiro"};
constexpr std::array<std::string_view, 16> kLastNames = {
    "Lovelace", "Turing",   "Hopper",   "Torvalds", "Liskov",  "Knuth",  "Dijkstra", "Allen",
    "Rossum",   "Thompson", "Hamilton", "Wirth",    "Perlman", "Wilson", "Berners",  "Matsumoto"};

// SplitMix64: a small deterministic generator, seeded per record.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t bound) { return static_cast<std::size_t>(Next() % bound); }
  template <std::size_t N>
  std::string_view Pick(const std::array<std::string_view, N>& words) {
    return words[Below(N)];
  }

 private:
  std::uint64_t state_;
};

// The key of record `i` of a database of `n` records.
// REQUIRES: n % kPerPartition == 0, n / kPerPartition <= kPrefixes, i < n
std::string RecordKey(std::size_t n, std::size_t i) {
  const std::size_t partitions = n / kPerPartition;
  const std::size_t prefix = i % partitions * kPrefixStride % kPrefixes;
  Rng rng(i);
  std::string key = {kAlphabet[prefix / (36 * 36)], kAlphabet[prefix / 36 % 36],
                     kAlphabet[prefix % 36], '-'};
  key.append(rng.Pick(kWords)).append("-").append(std::to_string(i / partitions));
  return key;
}

// Appends record `i` of a database of `n` records, as a stanza without the blank line after it.
// `revision` 0 keeps the generated Revision value; otherwise it replaces it.
void AppendRecord(std::size_t n, std::size_t i, std::uint64_t revision, std::string* out) {
  const std::string key = RecordKey(n, i);
  Rng rng(i ^ 0x5DEECE66Dull);
  const std::string_view first = rng.Pick(kFirstNames);
  const std::string_view last = rng.Pick(kLastNames);
  const std::string_view word = rng.Pick(kWords);
  // One call of `rng` per statement (or per link of an append chain, which C++17 sequences), so
  // that every compiler generates the same records.
  std::string text = "Name: " + key + "\nVersion: ";
  text.append(std::to_string(rng.Below(20))).append(".");
  text.append(std::to_string(rng.Below(100))).append(".");
  text.append(std::to_string(rng.Below(10))).append("-");
  text.append(std::to_string(1 + rng.Below(5))).append("\nMaintainer: ");
  text.append(first).append(" ").append(last).append(" <");
  for (const char c : first) text += static_cast<char>(c | 0x20);
  text += '.';
  for (const char c : last) text += static_cast<char>(c | 0x20);
  text.append("@example.org>\nSection: ").append(rng.Pick(kSections));
  text.append("\nSize: ").append(std::to_string(1000 + rng.Below(5'000'000)));
  text.append("\nHomepage: https://").append(word).append(".example.org/").append(key);
  const std::uint64_t generated = 1 + rng.Below(999);
  text.append("\nRevision: ").append(std::to_string(revision == 0 ? generated : revision));
  text.append("\nDescription: ").append(word).append(" ").append(rng.Pick(kWords));
  text.append(" for ").append(rng.Pick(kWords)).append(" ").append(rng.Pick(kWords));
  text.append("\n ");
  for (int w = 0; w < 11; ++w) text.append(rng.Pick(kWords)).append(" ");
  text.append(rng.Pick(kWords)).append(".\n");
  out->append(text);
}

// The whole data set of one size: its deb822 text and that text parsed.
struct Data {
  std::string text;
  textdb::deb822::Document doc;
};

textdb::Result<std::unique_ptr<Data>> Generate(std::size_t n) {
  auto data = std::make_unique<Data>();
  data->text.reserve(n * 320);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) data->text += '\n';
    AppendRecord(n, i, 0, &data->text);
  }
  textdb::Result<textdb::deb822::Document> doc = textdb::deb822::Parse(data->text);
  if (!doc.ok()) return doc.status();
  if (doc->stanzas().size() != n) {
    return textdb::Status::InvalidData("generated " + std::to_string(doc->stanzas().size()) +
                                       " records instead of " + std::to_string(n));
  }
  data->doc = std::move(doc).value();
  return data;
}

// One size: where its databases are and the keys its benchmarks visit.
struct Scale {
  std::size_t n = 0;
  std::string dir;
  std::string textdb_dir;   // exists once textdb_ready
  std::string sqlite_path;  // exists once sqlite_ready
  bool textdb_ready = false;
  bool sqlite_ready = false;
  Clock::time_point written;  // when the textdb files were last written
  std::vector<std::size_t> sample;
  std::vector<std::string> sample_keys;
};
std::string g_root;  // scratch directory of the whole run
std::map<std::size_t, Scale> g_scales;
std::uint64_t g_revision = kFirstUpdateRevision;

Scale& GetScale(std::size_t n) {
  Scale& scale = g_scales[n];
  if (scale.n == n) return scale;
  scale.n = n;
  scale.dir = g_root + "/" + std::to_string(n);
  fs::create_directories(scale.dir);
  scale.textdb_dir = scale.dir + "/textdb";
  scale.sqlite_path = scale.dir + "/items.sqlite";
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  std::shuffle(all.begin(), all.end(), std::mt19937_64(n));
  all.resize(std::min(n, kSampleKeys));
  scale.sample = std::move(all);
  for (std::size_t i : scale.sample) scale.sample_keys.push_back(RecordKey(n, i));
  return scale;
}

textdb::Status ImportTextdb(const std::string& dir, const Data& data) {
  TEXTDB_RETURN_IF_ERROR(textdb::Database::Create(dir));
  auto db = textdb::Database::Open(dir, {});
  if (!db.ok()) return db.status();
  TEXTDB_RETURN_IF_ERROR((*db)->CreateTable(kSchema));
  textdb::Transaction txn = (*db)->Begin();
  for (const auto& stanza : data.doc.stanzas()) txn.Put(kTable, stanza);
  return txn.Commit();
}

// Returns an empty string on success, else what failed.
std::string ImportSqlite(const std::string& path, const Data& data) {
  SqliteDb db(path, SqliteSync::kFull);
  if (!db.ok() || !db.Exec(textdb::bench::kSqliteImportCache) || !db.Exec(kCreateSql) ||
      !db.Exec("BEGIN")) {
    return "sqlite setup: " + db.error();
  }
  SqliteStmt insert(db.get(), kInsertSql);
  for (const auto& stanza : data.doc.stanzas()) {
    insert.Bind(1, *stanza.Get("Name"));
    insert.Bind(2,
                std::string_view(data.text).substr(stanza.source_offset(), stanza.source_length()));
    if (!insert.Run(db.get(), 1)) return "sqlite insert: " + db.error();
  }
  return db.Exec("COMMIT") ? std::string() : "sqlite commit: " + db.error();
}

// Records a fresh textdb import holds, from a preloaded open, or an error.
textdb::Result<std::uint64_t> CountTextdb(const std::string& dir) {
  textdb::Options options;
  options.preload = true;
  auto db = textdb::Database::Open(dir, options);
  if (!db.ok()) return db.status();
  return (*db)->Stats().records;
}

// Files written less than 2 s ago are "racy": textdb compares their content on every read (git's
// racy-timestamp rule). Waits until the steady state.
void WaitUntilSettled(const Scale& scale) {
  std::this_thread::sleep_until(scale.written + std::chrono::milliseconds(2100));
}

textdb::Status EnsureTextdb(Scale& scale) {
  if (!scale.textdb_ready) {
    textdb::Result<std::unique_ptr<Data>> data = Generate(scale.n);
    if (!data.ok()) return data.status();
    TEXTDB_RETURN_IF_ERROR(ImportTextdb(scale.textdb_dir, **data));
    scale.textdb_ready = true;
    scale.written = Clock::now();
  }
  WaitUntilSettled(scale);
  return textdb::Status::Ok();
}

std::string EnsureSqlite(Scale& scale) {
  if (scale.sqlite_ready) return {};
  textdb::Result<std::unique_ptr<Data>> data = Generate(scale.n);
  if (!data.ok()) return data.status().ToString();
  std::string error = ImportSqlite(scale.sqlite_path, **data);
  scale.sqlite_ready = error.empty();
  return error;
}

// True when `text` is the stanza of the record with key `key` (its first field).
bool IsStanzaOf(std::string_view text, std::string_view key) {
  constexpr std::string_view kField = "Name: ";
  return text.starts_with(kField) && text.substr(kField.size()).starts_with(key) &&
         text.substr(kField.size() + key.size()).starts_with('\n');
}

void Fail(benchmark::State& state, const textdb::Status& status) {
  state.SkipWithError(status.ToString().c_str());
}
std::size_t SizeOf(const benchmark::State& state) {
  return static_cast<std::size_t>(state.range(0));
}

// Import of all n records in one transaction (safe sync), into a fresh database each iteration;
// the first one becomes the size's database. Generating and parsing the records is not timed.
void BM_TextdbImport(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  textdb::Result<std::unique_ptr<Data>> data = Generate(scale.n);
  if (!data.ok()) return Fail(state, data.status());
  int round = 0;
  for (auto _ : state) {
    const std::string dir = scale.dir + "/import-" + std::to_string(round++);
    if (textdb::Status status = ImportTextdb(dir, **data); !status.ok()) {
      return Fail(state, status);
    }
    state.PauseTiming();
    textdb::Result<std::uint64_t> records = CountTextdb(dir);
    if (!records.ok()) return Fail(state, records.status());
    if (*records != scale.n) return state.SkipWithError("the import did not store every record");
    if (scale.textdb_ready) {
      fs::remove_all(dir);
    } else {
      fs::rename(dir, scale.textdb_dir);
      scale.textdb_ready = true;
      scale.written = Clock::now();
    }
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(scale.n);
  state.counters["bytes_per_record"] =
      static_cast<double>((*data)->text.size()) / static_cast<double>(scale.n);
}

void BM_SqliteImport(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  textdb::Result<std::unique_ptr<Data>> data = Generate(scale.n);
  if (!data.ok()) return Fail(state, data.status());
  int round = 0;
  for (auto _ : state) {
    const std::string path = scale.dir + "/import-" + std::to_string(round++) + ".sqlite";
    if (std::string error = ImportSqlite(path, **data); !error.empty()) {
      return state.SkipWithError(error.c_str());
    }
    state.PauseTiming();
    {
      SqliteDb db(path, SqliteSync::kFull);
      if (db.QueryText("SELECT count(*) FROM items") != std::to_string(scale.n)) {
        return state.SkipWithError("the import did not store every row");
      }
    }
    if (scale.sqlite_ready) {
      fs::remove(path);
    } else {
      fs::rename(path, scale.sqlite_path);
      scale.sqlite_ready = true;
    }
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(scale.n);
}

// Open with every partition indexed (2 threads on the reference machine). Counters: records and
// the index memory per record.
void BM_TextdbOpenPreload(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  if (textdb::Status status = EnsureTextdb(scale); !status.ok()) return Fail(state, status);
  textdb::DatabaseStats stats;
  for (auto _ : state) {
    textdb::Options options;
    options.preload = true;
    auto db = textdb::Database::Open(scale.textdb_dir, options);
    if (!db.ok()) return Fail(state, db.status());
    stats = (*db)->Stats();
    if (stats.records != scale.n) return state.SkipWithError("not every record was indexed");
  }
  state.counters["records"] = static_cast<double>(stats.records);
  state.counters["index_bytes_per_record"] =
      static_cast<double>(stats.index_bytes) / static_cast<double>(stats.records);
}

// Get by key from an open (preloaded) handle. hot: the first kHotKeys sample keys, each got once
// before the timing so the LRU cache (default size) holds them; hit_ratio says how many timed
// gets it answered. cold: no cache, the whole sample (uniform over all records): every get reads
// and parses its stanza.
void BM_TextdbGet(benchmark::State& state, bool hot) {
  Scale& scale = GetScale(SizeOf(state));
  if (textdb::Status status = EnsureTextdb(scale); !status.ok()) return Fail(state, status);
  textdb::Options options;
  options.preload = true;
  if (!hot) options.cache_bytes = 0;
  auto db = textdb::Database::Open(scale.textdb_dir, options);
  if (!db.ok()) return Fail(state, db.status());
  const std::size_t keys =
      hot ? std::min(kHotKeys, scale.sample_keys.size()) : scale.sample_keys.size();
  for (std::size_t k = 0; hot && k < keys; ++k) {
    if (auto record = (*db)->Get(kTable, {scale.sample_keys[k]}); !record.ok()) {
      return Fail(state, record.status());
    }
  }
  const textdb::DatabaseStats before = (*db)->Stats();
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string& key = scale.sample_keys[next++ % keys];
    auto record = (*db)->Get(kTable, {key});
    if (!record.ok()) return Fail(state, record.status());
    if (record->Get("Name") != std::string_view(key)) {
      return state.SkipWithError("get returned another record");
    }
  }
  const textdb::DatabaseStats after = (*db)->Stats();
  const auto hits = static_cast<double>(after.cache_hits - before.cache_hits);
  const auto misses = static_cast<double>(after.cache_misses - before.cache_misses);
  state.counters["hit_ratio"] = hits + misses > 0 ? hits / (hits + misses) : 0;
}

// SQLite's prepared primary-key lookup over the same keys. hot: a 64 MiB page cache (the memory
// textdb's cache gets), warmed like textdb's; cold: the default 2 MB page cache, pages read from
// the OS page cache.
void BM_SqliteGet(benchmark::State& state, bool hot) {
  Scale& scale = GetScale(SizeOf(state));
  if (std::string error = EnsureSqlite(scale); !error.empty()) {
    return state.SkipWithError(error.c_str());
  }
  SqliteDb db(scale.sqlite_path, SqliteSync::kFull);
  if (hot && !db.Exec(textdb::bench::kSqliteCache64MiB)) {
    return state.SkipWithError(("sqlite: " + db.error()).c_str());
  }
  SqliteStmt select(db.get(), kSelectSql);
  if (!db.ok() || !select.ok()) return state.SkipWithError(("sqlite: " + db.error()).c_str());
  const std::size_t keys =
      hot ? std::min(kHotKeys, scale.sample_keys.size()) : scale.sample_keys.size();
  for (std::size_t k = 0; hot && k < keys; ++k) {
    select.Bind(1, scale.sample_keys[k]);
    if (select.Step() != SQLITE_ROW) return state.SkipWithError("sqlite: no row");
    select.Reset();
  }
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string& key = scale.sample_keys[next++ % keys];
    select.Bind(1, key);
    if (select.Step() != SQLITE_ROW) return state.SkipWithError("sqlite: no row");
    if (!IsStanzaOf(select.ColumnText(0), key)) {
      return state.SkipWithError("sqlite returned another row");
    }
    select.Reset();
  }
}

// A command-line `get` inside the process: open a fresh handle (no preload), get one key, close.
void BM_TextdbOpenGet(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  if (textdb::Status status = EnsureTextdb(scale); !status.ok()) return Fail(state, status);
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string& key = scale.sample_keys[next++ % scale.sample_keys.size()];
    auto db = textdb::Database::Open(scale.textdb_dir, {});
    if (!db.ok()) return Fail(state, db.status());
    auto record = (*db)->Get(kTable, {key});
    if (!record.ok()) return Fail(state, record.status());
    if (record->Get("Name") != std::string_view(key)) {
      return state.SkipWithError("get returned another record");
    }
  }
}

void BM_SqliteOpenGet(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  if (std::string error = EnsureSqlite(scale); !error.empty()) {
    return state.SkipWithError(error.c_str());
  }
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string& key = scale.sample_keys[next++ % scale.sample_keys.size()];
    sqlite3* db = nullptr;
    sqlite3_stmt* select = nullptr;
    bool found = sqlite3_open_v2(scale.sqlite_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) ==
                     SQLITE_OK &&
                 sqlite3_prepare_v2(db, kSelectSql, -1, &select, nullptr) == SQLITE_OK;
    if (found) {
      sqlite3_bind_text(select, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
      found =
          sqlite3_step(select) == SQLITE_ROW &&
          IsStanzaOf(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)),
                                      static_cast<std::size_t>(sqlite3_column_bytes(select, 0))),
                     key);
    }
    sqlite3_finalize(select);
    sqlite3_close(db);
    if (!found) return state.SkipWithError("sqlite: open, prepare or step failed");
  }
}

// A durable (safe) update of one field (Revision, a new value each time) of one record, one
// commit; keys: the first kUpdateKeys of the sample. The partition written holds kPerPartition
// records at every size.
void BM_TextdbUpdate(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  if (textdb::Status status = EnsureTextdb(scale); !status.ok()) return Fail(state, status);
  auto db = textdb::Database::Open(scale.textdb_dir, {});
  if (!db.ok()) return Fail(state, db.status());
  const std::size_t keys = std::min(kUpdateKeys, scale.sample_keys.size());
  std::size_t next = 0;
  std::size_t k = 0;
  std::string revision;
  for (auto _ : state) {
    k = next++ % keys;
    revision = std::to_string(g_revision++);
    textdb::Transaction txn = (*db)->Begin();
    txn.Update(kTable, {scale.sample_keys[k]}, {{"Revision", revision}});
    if (textdb::Status status = txn.Commit(); !status.ok()) return Fail(state, status);
  }
  scale.written = Clock::now();
  auto record = (*db)->Get(kTable, {scale.sample_keys[k]});
  if (!record.ok() || record->Get("Revision") != std::string_view(revision)) {
    return state.SkipWithError("the last update is not visible");
  }
}

// SQLite (FULL) rewrites the row's stanza text with the new Revision, the same keys.
void BM_SqliteUpdate(benchmark::State& state) {
  Scale& scale = GetScale(SizeOf(state));
  if (std::string error = EnsureSqlite(scale); !error.empty()) {
    return state.SkipWithError(error.c_str());
  }
  SqliteDb db(scale.sqlite_path, SqliteSync::kFull);
  SqliteStmt update(db.get(), kUpdateSql);
  if (!db.ok() || !update.ok()) return state.SkipWithError(("sqlite: " + db.error()).c_str());
  const std::size_t keys = std::min(kUpdateKeys, scale.sample_keys.size());
  std::size_t next = 0;
  std::string text;
  for (auto _ : state) {
    const std::size_t k = next++ % keys;
    text.clear();
    AppendRecord(scale.n, scale.sample[k], g_revision++, &text);
    update.Bind(1, text);
    update.Bind(2, scale.sample_keys[k]);
    if (!update.Run(db.get(), 1)) return state.SkipWithError(("sqlite: " + db.error()).c_str());
  }
}

// Runs `benchmark` once per size of kSizes (named NAME/SIZE), in wall time.
void ForEachSize(benchmark::internal::Benchmark* benchmark, benchmark::TimeUnit unit) {
  for (std::int64_t n : kSizes) benchmark->Arg(n);
  benchmark->Unit(unit)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  const Clock::time_point start = Clock::now();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/scale_bench_XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("scale_bench: mkdtemp");
    return 1;
  }
  g_root = tmpl;
  using benchmark::kMicrosecond;
  using benchmark::kMillisecond;
  ForEachSize(benchmark::RegisterBenchmark("BM_TextdbImport", BM_TextdbImport), kMillisecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_SqliteImport", BM_SqliteImport), kMillisecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_TextdbOpenPreload", BM_TextdbOpenPreload),
              kMillisecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_TextdbGet/hot", BM_TextdbGet, true), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_SqliteGet/hot", BM_SqliteGet, true), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_TextdbGet/cold", BM_TextdbGet, false), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_SqliteGet/cold", BM_SqliteGet, false), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_TextdbOpenGet", BM_TextdbOpenGet), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_SqliteOpenGet", BM_SqliteOpenGet), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_TextdbUpdate", BM_TextdbUpdate), kMicrosecond);
  ForEachSize(benchmark::RegisterBenchmark("BM_SqliteUpdate", BM_SqliteUpdate), kMicrosecond);
  benchmark::AddCustomContext("sqlite", sqlite3_libversion());
  benchmark::AddCustomContext("records_per_partition", std::to_string(kPerPartition));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fs::remove_all(g_root);
  std::fprintf(stderr, "scale_bench: whole program %.1f s\n",
               std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}
