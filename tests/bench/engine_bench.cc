// engine_bench: the storage engine (textdb/db.h) on the shared Debian Packages index, with SQLite
// (libsqlite3: the same records, a primary key on (Package, Version), WAL) measured in the same
// program and run as the peer. Figures and commands: RESULTS.md; tests/bench/engine_table.sh
// turns a JSON report into its tables.
//
// Each SQLite row holds the key columns and the stanza's canonical text, so a get returns the same
// thing on both sides: the whole record. Sync levels: textdb safe and batch against SQLite
// synchronous=FULL (durable when the commit returns), textdb fast against synchronous=OFF (no
// fsync). Group commit (batch) has no SQLite equivalent; it is compared with FULL. The peer's
// import gets a page cache large enough for the whole database, its cached gets a 64 MiB page
// cache (the size of textdb's cache); see sqlite_peer.h.
//
// Honesty: every benchmark checks its result (records found and equal to the key asked for, row
// and field counts, one changed row per SQLite write, a failed textdb commit stops the benchmark
// with its error), so none can do less work than it claims. Writes leave the databases as they
// found them (a put's record is deleted, a deleted record put back, with the timer paused), except
// that updates change the Priority field of the records they touch.
#include <fcntl.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "packages_input.h"
#include "sqlite_peer.h"
#include "textdb/db.h"

namespace {

namespace fs = std::filesystem;
using textdb::SyncMode;
using textdb::bench::SqliteDb;
using textdb::bench::SqliteStmt;
using textdb::bench::SqliteSync;

constexpr char kTable[] = "packages";
constexpr char kSchema[] =
    "Table: packages\n"
    "Key: Package, Version\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n";

constexpr char kCreateSql[] =
    "CREATE TABLE packages (package TEXT, version TEXT, stanza TEXT, "
    "PRIMARY KEY (package, version)) WITHOUT ROWID";
constexpr char kInsertSql[] = "INSERT INTO packages VALUES (?, ?, ?)";
constexpr char kSelectSql[] = "SELECT stanza FROM packages WHERE package = ? AND version = ?";
constexpr char kUpdateSql[] = "UPDATE packages SET stanza = ? WHERE package = ? AND version = ?";
constexpr char kDeleteSql[] = "DELETE FROM packages WHERE package = ? AND version = ?";
constexpr char kScanSql[] = "SELECT stanza FROM packages";

// The put/update/delete benchmarks change records of partition files of at most this size, so that
// they measure what a commit costs in each sync mode rather than the rewrite of a large file;
// BM_TextdbUpdateInPartition measures how the cost grows with the partition.
constexpr std::uint64_t kSmallPartition = 64 * 1024;
// Appended to a record's Version to make the key of a new record in the same partition.
constexpr char kNewVersionSuffix[] = "+textdb.bench";
// Commits per thread per iteration of the multi-threaded benchmarks.
constexpr std::size_t kCommitsPerThread = 8;

struct Fixture {
  std::string dir;  // scratch directory holding both databases
  textdb::deb822::Document doc;
  std::vector<std::pair<std::string, std::string>> keys;  // Package, Version of every stanza
  std::vector<std::string> texts;      // canonical text of every stanza: SQLite's stanza column
  std::uint64_t fields = 0;            // in all stanzas
  std::vector<std::string> partition;  // data file of record i (relative to textdb_dir)
  std::vector<std::uint64_t> partition_bytes;  // its size when the fixture was built
  std::vector<std::size_t> order;              // every record index, in a fixed pseudo-random order
  std::vector<std::size_t> small;    // those in partitions <= kSmallPartition, in the same order
  std::vector<std::size_t> crowded;  // those of the small partition with the most records
  std::string textdb_dir;
  std::string sqlite_path;
};
Fixture* g_fixture = nullptr;
// When a benchmark last wrote the fixture's textdb files. Files written less than 2 s ago are
// "racy": textdb compares their content on every read (git's racy-timestamp rule), so the read
// benchmarks wait for the steady state (WaitUntilSettled) and the write benchmarks say when they
// wrote (Written). This matters with --benchmark_enable_random_interleaving.
std::chrono::steady_clock::time_point g_written;
void Written() { g_written = std::chrono::steady_clock::now(); }
void WaitUntilSettled() {
  std::this_thread::sleep_until(g_written + std::chrono::milliseconds(2100));
}
// Makes every value an update writes unique, across benchmarks and repetitions, so that no update
// leaves its record as it was (textdb would then skip the write).
std::atomic<std::uint64_t> g_serial{0};

void Fail(benchmark::State& state, const textdb::Status& status) {
  state.SkipWithError(status.ToString().c_str());
}
void Fail(benchmark::State& state, const SqliteDb& db, const char* what) {
  state.SkipWithError((std::string(what) + ": " + db.error()).c_str());
}

textdb::Result<std::unique_ptr<textdb::Database>> OpenTextdb(SyncMode sync, bool preload = false) {
  textdb::Options options;
  options.sync = sync;
  options.preload = preload;
  return textdb::Database::Open(g_fixture->textdb_dir, options);
}

// A new record in the partition of record `i`: its stanza with kNewVersionSuffix on the Version.
textdb::Result<textdb::deb822::Stanza> NewRecord(std::size_t i) {
  textdb::deb822::Stanza stanza = g_fixture->doc.stanzas()[i];
  TEXTDB_RETURN_IF_ERROR(stanza.SetRaw("Version", g_fixture->keys[i].second + kNewVersionSuffix));
  return stanza;
}

std::string NextPriority() { return "bench-" + std::to_string(g_serial++); }

// Record `i`'s canonical text with its Priority field set to `priority` (what SQLite stores for
// the update textdb makes).
std::string WithPriority(std::size_t i, std::string_view priority) {
  const std::string& text = g_fixture->texts[i];
  constexpr std::string_view kField = "\nPriority: ";
  const std::size_t begin = text.find(kField) + kField.size();  // Prepare checked it is there
  const std::size_t end = text.find('\n', begin);
  std::string out;
  out.reserve(text.size() + priority.size());
  out.append(text, 0, begin).append(priority).append(text, end, std::string::npos);
  return out;
}

// True when `text` is the canonical text of a stanza of `package` (its first field).
bool IsStanzaOf(std::string_view text, std::string_view package) {
  constexpr std::string_view kField = "Package: ";
  return text.starts_with(kField) && text.substr(kField.size()).starts_with(package) &&
         text.substr(kField.size() + package.size()).starts_with('\n');
}

// Import of all records in one transaction, into a fresh database each iteration.
void BM_TextdbImport(benchmark::State& state, SyncMode sync) {
  static int round = 0;  // across repetitions too: each round needs a new directory
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    // Each round imports into a new directory, all of them removed with the fixture at exit:
    // ext4 without a journal (the file system of RESULTS.md's machine) avoids reusing an inode
    // freed in the last minute, and after the deletion of an earlier round's 1,128 files its
    // search for a free inode took up to a fifth of a round, which an import into a new
    // database does not pay.
    const std::string dir = g_fixture->dir + "/import-" + std::to_string(static_cast<int>(sync)) +
                            "-" + std::to_string(round++);
    textdb::Status status = textdb::Database::Create(dir);
    textdb::Options open_options;
    open_options.sync = sync;
    auto db = textdb::Database::Open(dir, open_options);
    if (!status.ok() || !db.ok()) return Fail(state, status.ok() ? db.status() : status);
    if (status = (*db)->CreateTable(kSchema); !status.ok()) return Fail(state, status);
    textdb::Transaction txn = (*db)->Begin();
    for (const auto& stanza : g_fixture->doc.stanzas()) txn.Put(kTable, stanza);
    if (status = txn.Commit(); !status.ok()) return Fail(state, status);
    state.PauseTiming();
    textdb::Options options;
    options.preload = true;
    auto reopened = textdb::Database::Open(dir, options);
    if (!reopened.ok()) return Fail(state, reopened.status());
    if ((*reopened)->Stats().records != g_fixture->keys.size()) {
      return state.SkipWithError("the import did not store every record");
    }
    bytes = (*reopened)->Stats().bytes;
    reopened->reset();
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(g_fixture->keys.size());
  state.counters["disk_bytes_per_record"] =
      static_cast<double>(bytes) / static_cast<double>(g_fixture->keys.size());
}
BENCHMARK_CAPTURE(BM_TextdbImport, safe, SyncMode::kSafe)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
// The same without a single fsync ([C-033]): what the durability of a bulk import costs.
BENCHMARK_CAPTURE(BM_TextdbImport, fast, SyncMode::kFast)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_SqliteImport(benchmark::State& state) {
  static int round = 0;  // across repetitions too: each round needs a new file
  std::uintmax_t bytes = 0;
  for (auto _ : state) {
    const std::string path = g_fixture->dir + "/import-" + std::to_string(round++) + ".sqlite";
    {
      SqliteDb db(path, SqliteSync::kFull);
      if (!db.ok() || !db.Exec(textdb::bench::kSqliteImportCache) || !db.Exec(kCreateSql) ||
          !db.Exec("BEGIN")) {
        return Fail(state, db, "sqlite setup");
      }
      SqliteStmt insert(db.get(), kInsertSql);
      for (std::size_t i = 0; i < g_fixture->keys.size(); ++i) {
        insert.Bind(1, g_fixture->keys[i].first);
        insert.Bind(2, g_fixture->keys[i].second);
        insert.Bind(3, g_fixture->texts[i]);
        if (!insert.Run(db.get(), 1)) return Fail(state, db, "sqlite insert");
      }
      if (!db.Exec("COMMIT")) return Fail(state, db, "sqlite commit");
    }
    state.PauseTiming();
    {
      SqliteDb db(path, SqliteSync::kFull);
      if (db.QueryText("SELECT count(*) FROM packages") != std::to_string(g_fixture->keys.size())) {
        return state.SkipWithError("the import did not store every row");
      }
    }
    bytes = fs::file_size(path);  // the last connection's close checkpointed the WAL into it
    fs::remove(path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(g_fixture->keys.size());
  state.counters["disk_bytes_per_record"] =
      static_cast<double>(bytes) / static_cast<double>(g_fixture->keys.size());
}
BENCHMARK(BM_SqliteImport)->Unit(benchmark::kMillisecond)->Iterations(3);

// Open with every partition indexed (what a long-running application does). Counters: the index
// memory per record, the memory goal of the engine.
void BM_TextdbOpenPreload(benchmark::State& state) {
  WaitUntilSettled();
  textdb::DatabaseStats stats;
  for (auto _ : state) {
    auto db = OpenTextdb(SyncMode::kSafe, /*preload=*/true);
    if (!db.ok()) return Fail(state, db.status());
    stats = (*db)->Stats();
    if (stats.records != g_fixture->keys.size()) {
      return state.SkipWithError("not every record was indexed");
    }
  }
  state.counters["records"] = static_cast<double>(stats.records);
  state.counters["index_bytes_per_record"] =
      static_cast<double>(stats.index_bytes) / static_cast<double>(stats.records);
}
BENCHMARK(BM_TextdbOpenPreload)->Unit(benchmark::kMillisecond)->UseRealTime();

// Get by key from an open handle, keys in a fixed pseudo-random order over all records. cached:
// every record is got once before the timing, so that the LRU cache (default size, 64 MiB: the
// 63,440 parsed records take 54 MB) answers; nocache: no cache, every get reads and parses its
// stanza. The hit_ratio counter says how many timed gets the cache answered.
void BM_TextdbGet(benchmark::State& state, bool cached) {
  WaitUntilSettled();
  textdb::Options options;
  options.preload = true;
  if (!cached) options.cache_bytes = 0;
  auto db = textdb::Database::Open(g_fixture->textdb_dir, options);
  if (!db.ok()) return Fail(state, db.status());
  if (cached) {  // warm-up: one get of every record
    for (const auto& [package, version] : g_fixture->keys) {
      if (auto record = (*db)->Get(kTable, {package, version}); !record.ok()) {
        return Fail(state, record.status());
      }
    }
  }
  const textdb::DatabaseStats before = (*db)->Stats();
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [package, version] =
        g_fixture->keys[g_fixture->order[next++ % g_fixture->order.size()]];
    auto record = (*db)->Get(kTable, {package, version});
    if (!record.ok()) return Fail(state, record.status());
    if (record->Get("Package") != std::string_view(package)) {
      return state.SkipWithError("get returned another record");
    }
  }
  const textdb::DatabaseStats after = (*db)->Stats();
  const auto hits = static_cast<double>(after.cache_hits - before.cache_hits);
  const auto misses = static_cast<double>(after.cache_misses - before.cache_misses);
  state.counters["hit_ratio"] = hits + misses > 0 ? hits / (hits + misses) : 0;
}
BENCHMARK_CAPTURE(BM_TextdbGet, cached, true);
BENCHMARK_CAPTURE(BM_TextdbGet, nocache, false);

// SQLite's prepared primary-key lookup, the same keys in the same order. cached: a 64 MiB page
// cache (the memory textdb's cache gets), warmed by one lookup of every record, holds the whole
// database; default: the default 2 MB page cache, pages read from the OS page cache.
void BM_SqliteGet(benchmark::State& state, bool cached) {
  SqliteDb db(g_fixture->sqlite_path, SqliteSync::kFull);
  if (cached && !db.Exec(textdb::bench::kSqliteCache64MiB))
    return Fail(state, db, "sqlite cache_size");
  SqliteStmt select(db.get(), kSelectSql);
  if (!db.ok() || !select.ok()) return Fail(state, db, "sqlite prepare");
  for (std::size_t i = 0; cached && i < g_fixture->keys.size(); ++i) {
    select.Bind(1, g_fixture->keys[i].first);
    select.Bind(2, g_fixture->keys[i].second);
    if (select.Step() != SQLITE_ROW) return state.SkipWithError("sqlite: no row");
    select.Reset();
  }
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [package, version] =
        g_fixture->keys[g_fixture->order[next++ % g_fixture->order.size()]];
    select.Bind(1, package);
    select.Bind(2, version);
    if (select.Step() != SQLITE_ROW) return state.SkipWithError("sqlite: no row");
    if (!IsStanzaOf(select.ColumnText(0), package)) {
      return state.SkipWithError("sqlite returned another row");
    }
    select.Reset();
  }
}
BENCHMARK_CAPTURE(BM_SqliteGet, cached, true);
BENCHMARK_CAPTURE(BM_SqliteGet, default, false);

// What a command-line `get` costs inside the process: open a fresh handle (no preload), get one
// key, close. Keys in the fixed pseudo-random order.
void BM_TextdbOpenGet(benchmark::State& state) {
  WaitUntilSettled();
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [package, version] =
        g_fixture->keys[g_fixture->order[next++ % g_fixture->order.size()]];
    auto db = OpenTextdb(SyncMode::kSafe);
    if (!db.ok()) return Fail(state, db.status());
    auto record = (*db)->Get(kTable, {package, version});
    if (!record.ok()) return Fail(state, record.status());
    if (record->Get("Package") != std::string_view(package)) {
      return state.SkipWithError("get returned another record");
    }
  }
}
BENCHMARK(BM_TextdbOpenGet)->Unit(benchmark::kMicrosecond);

// SQLite's equivalent: open, prepare, bind, step, finalize, close.
void BM_SqliteOpenGet(benchmark::State& state) {
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [package, version] =
        g_fixture->keys[g_fixture->order[next++ % g_fixture->order.size()]];
    sqlite3* db = nullptr;
    sqlite3_stmt* select = nullptr;
    bool found = sqlite3_open_v2(g_fixture->sqlite_path.c_str(), &db, SQLITE_OPEN_READWRITE,
                                 nullptr) == SQLITE_OK &&
                 sqlite3_prepare_v2(db, kSelectSql, -1, &select, nullptr) == SQLITE_OK;
    if (found) {
      sqlite3_bind_text(select, 1, package.data(), static_cast<int>(package.size()), SQLITE_STATIC);
      sqlite3_bind_text(select, 2, version.data(), static_cast<int>(version.size()), SQLITE_STATIC);
      found =
          sqlite3_step(select) == SQLITE_ROW &&
          IsStanzaOf(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)),
                                      static_cast<std::size_t>(sqlite3_column_bytes(select, 0))),
                     package);
    }
    sqlite3_finalize(select);
    sqlite3_close(db);
    if (!found) return state.SkipWithError("sqlite: open, prepare or step failed");
  }
}
BENCHMARK(BM_SqliteOpenGet)->Unit(benchmark::kMicrosecond);

// Every record of the table, each one's fields touched (names and values summed), counted against
// the input.
void BM_TextdbScan(benchmark::State& state) {
  WaitUntilSettled();
  auto db = OpenTextdb(SyncMode::kSafe, /*preload=*/true);
  if (!db.ok()) return Fail(state, db.status());
  for (auto _ : state) {
    std::uint64_t records = 0;
    std::uint64_t fields = 0;
    std::uint64_t bytes = 0;
    const textdb::Status status = (*db)->Scan(kTable, "", [&](const textdb::Record& record) {
      ++records;
      for (const textdb::deb822::Field& field : record.stanza().fields()) {
        ++fields;
        bytes += field.name().size() + field.value().size();
      }
      return true;
    });
    if (!status.ok()) return Fail(state, status);
    if (records != g_fixture->keys.size() || fields != g_fixture->fields) {
      return state.SkipWithError("the scan did not visit every record and field");
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(g_fixture->keys.size()));
}
BENCHMARK(BM_TextdbScan)->Unit(benchmark::kMillisecond)->UseRealTime();

// SQLite: every row's stanza text (not parsed into fields), rows counted.
void BM_SqliteScan(benchmark::State& state) {
  SqliteDb db(g_fixture->sqlite_path, SqliteSync::kFull);
  SqliteStmt scan(db.get(), kScanSql);
  if (!db.ok() || !scan.ok()) return Fail(state, db, "sqlite prepare");
  for (auto _ : state) {
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
    int step = SQLITE_ROW;
    while ((step = scan.Step()) == SQLITE_ROW) {
      ++rows;
      bytes += scan.ColumnText(0).size();
    }
    scan.Reset();
    if (step != SQLITE_DONE || rows != g_fixture->keys.size()) {
      return state.SkipWithError("the scan did not visit every row");
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(g_fixture->keys.size()));
}
BENCHMARK(BM_SqliteScan)->Unit(benchmark::kMillisecond)->UseRealTime();

// Counters of the single-record write benchmarks: the mean size of the partition files written.
void CountPartitionBytes(benchmark::State& state, std::uint64_t total) {
  state.counters["partition_bytes"] =
      state.iterations() > 0 ? static_cast<double>(total) / static_cast<double>(state.iterations())
                             : 0;
}

// Put: Insert of a new record (a new key in a small partition; Commit fails if the key exists),
// one commit. The record is deleted again with the timer paused.
void BM_TextdbPut(benchmark::State& state, SyncMode sync) {
  auto db = OpenTextdb(sync);
  if (!db.ok()) return Fail(state, db.status());
  const std::vector<std::size_t>& keys = g_fixture->small;
  std::size_t next = 0;
  std::uint64_t partition_bytes = 0;
  std::size_t i = keys[next++ % keys.size()];
  textdb::Result<textdb::deb822::Stanza> record = NewRecord(i);
  if (!record.ok()) return Fail(state, record.status());
  for (auto _ : state) {
    textdb::Transaction txn = (*db)->Begin();
    txn.Insert(kTable, std::move(record).value());
    if (textdb::Status status = txn.Commit(); !status.ok()) return Fail(state, status);
    state.PauseTiming();
    partition_bytes += g_fixture->partition_bytes[i];
    textdb::Transaction undo = (*db)->Begin();
    undo.Delete(kTable, {g_fixture->keys[i].first, g_fixture->keys[i].second + kNewVersionSuffix});
    if (textdb::Status status = undo.Commit(); !status.ok()) return Fail(state, status);
    i = keys[next++ % keys.size()];
    record = NewRecord(i);
    if (!record.ok()) return Fail(state, record.status());
    state.ResumeTiming();
  }
  Written();
  CountPartitionBytes(state, partition_bytes);
}
BENCHMARK_CAPTURE(BM_TextdbPut, safe, SyncMode::kSafe)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbPut, batch, SyncMode::kBatch)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbPut, fast, SyncMode::kFast)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_SqlitePut(benchmark::State& state, SqliteSync sync) {
  SqliteDb db(g_fixture->sqlite_path, sync);
  SqliteStmt insert(db.get(), kInsertSql);
  SqliteStmt remove(db.get(), kDeleteSql);
  if (!db.ok() || !insert.ok() || !remove.ok()) return Fail(state, db, "sqlite prepare");
  const std::vector<std::size_t>& keys = g_fixture->small;
  std::size_t next = 0;
  // The new record's Version and canonical text.
  const auto make = [&](std::size_t i, std::string* version, std::string* text) {
    textdb::Result<textdb::deb822::Stanza> record = NewRecord(i);
    if (!record.ok()) return false;
    *version = g_fixture->keys[i].second + kNewVersionSuffix;
    text->clear();
    record->WriteCanonical(text);
    return true;
  };
  std::size_t i = keys[next++ % keys.size()];
  std::string version;
  std::string text;
  if (!make(i, &version, &text)) return state.SkipWithError("no new record");
  for (auto _ : state) {
    insert.Bind(1, g_fixture->keys[i].first);
    insert.Bind(2, version);
    insert.Bind(3, text);
    if (!insert.Run(db.get(), 1)) return Fail(state, db, "sqlite insert");
    state.PauseTiming();
    remove.Bind(1, g_fixture->keys[i].first);
    remove.Bind(2, version);
    if (!remove.Run(db.get(), 1)) return Fail(state, db, "sqlite delete");
    i = keys[next++ % keys.size()];
    if (!make(i, &version, &text)) return state.SkipWithError("no new record");
    state.ResumeTiming();
  }
}
BENCHMARK_CAPTURE(BM_SqlitePut, full, SqliteSync::kFull)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SqlitePut, off, SqliteSync::kOff)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Update of one field (Priority, a new value each time) of an existing record, one commit.
void BM_TextdbUpdate(benchmark::State& state, SyncMode sync) {
  auto db = OpenTextdb(sync);
  if (!db.ok()) return Fail(state, db.status());
  const std::vector<std::size_t>& keys = g_fixture->small;
  std::size_t next = 0;
  std::uint64_t partition_bytes = 0;
  std::size_t i = 0;
  std::string priority;
  for (auto _ : state) {
    i = keys[next++ % keys.size()];
    priority = NextPriority();
    textdb::Transaction txn = (*db)->Begin();
    txn.Update(kTable, {g_fixture->keys[i].first, g_fixture->keys[i].second},
               {{"Priority", priority}});
    if (textdb::Status status = txn.Commit(); !status.ok()) return Fail(state, status);
    partition_bytes += g_fixture->partition_bytes[i];
  }
  Written();
  auto record = (*db)->Get(kTable, {g_fixture->keys[i].first, g_fixture->keys[i].second});
  if (!record.ok() || record->Get("Priority") != std::string_view(priority)) {
    return state.SkipWithError("the last update is not visible");
  }
  CountPartitionBytes(state, partition_bytes);
}
BENCHMARK_CAPTURE(BM_TextdbUpdate, safe, SyncMode::kSafe)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbUpdate, batch, SyncMode::kBatch)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbUpdate, fast, SyncMode::kFast)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// SQLite rewrites the row's stanza text with the new Priority (built from the canonical text:
// less work than reading the row first).
void BM_SqliteUpdate(benchmark::State& state, SqliteSync sync) {
  SqliteDb db(g_fixture->sqlite_path, sync);
  SqliteStmt update(db.get(), kUpdateSql);
  if (!db.ok() || !update.ok()) return Fail(state, db, "sqlite prepare");
  const std::vector<std::size_t>& keys = g_fixture->small;
  std::size_t next = 0;
  for (auto _ : state) {
    const std::size_t i = keys[next++ % keys.size()];
    const std::string text = WithPriority(i, NextPriority());
    update.Bind(1, text);
    update.Bind(2, g_fixture->keys[i].first);
    update.Bind(3, g_fixture->keys[i].second);
    if (!update.Run(db.get(), 1)) return Fail(state, db, "sqlite update");
  }
}
BENCHMARK_CAPTURE(BM_SqliteUpdate, full, SqliteSync::kFull)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SqliteUpdate, off, SqliteSync::kOff)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// Delete of an existing record (Commit fails if it is absent), one commit; the record is put back
// with the timer paused.
void BM_TextdbDelete(benchmark::State& state, SyncMode sync) {
  auto db = OpenTextdb(sync);
  if (!db.ok()) return Fail(state, db.status());
  const std::vector<std::size_t>& keys = g_fixture->small;
  std::size_t next = 0;
  std::uint64_t partition_bytes = 0;
  for (auto _ : state) {
    const std::size_t i = keys[next++ % keys.size()];
    textdb::Transaction txn = (*db)->Begin();
    txn.Delete(kTable, {g_fixture->keys[i].first, g_fixture->keys[i].second});
    if (textdb::Status status = txn.Commit(); !status.ok()) return Fail(state, status);
    state.PauseTiming();
    partition_bytes += g_fixture->partition_bytes[i];
    textdb::Transaction undo = (*db)->Begin();
    undo.Insert(kTable, g_fixture->doc.stanzas()[i]);
    if (textdb::Status status = undo.Commit(); !status.ok()) return Fail(state, status);
    state.ResumeTiming();
  }
  Written();
  CountPartitionBytes(state, partition_bytes);
}
BENCHMARK_CAPTURE(BM_TextdbDelete, safe, SyncMode::kSafe)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbDelete, batch, SyncMode::kBatch)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbDelete, fast, SyncMode::kFast)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_SqliteDelete(benchmark::State& state, SqliteSync sync) {
  SqliteDb db(g_fixture->sqlite_path, sync);
  SqliteStmt remove(db.get(), kDeleteSql);
  SqliteStmt insert(db.get(), kInsertSql);
  if (!db.ok() || !remove.ok() || !insert.ok()) return Fail(state, db, "sqlite prepare");
  const std::vector<std::size_t>& keys = g_fixture->small;
  std::size_t next = 0;
  for (auto _ : state) {
    const std::size_t i = keys[next++ % keys.size()];
    remove.Bind(1, g_fixture->keys[i].first);
    remove.Bind(2, g_fixture->keys[i].second);
    if (!remove.Run(db.get(), 1)) return Fail(state, db, "sqlite delete");
    state.PauseTiming();
    insert.Bind(1, g_fixture->keys[i].first);
    insert.Bind(2, g_fixture->keys[i].second);
    insert.Bind(3, g_fixture->texts[i]);
    if (!insert.Run(db.get(), 1)) return Fail(state, db, "sqlite insert");
    state.ResumeTiming();
  }
}
BENCHMARK_CAPTURE(BM_SqliteDelete, full, SqliteSync::kFull)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SqliteDelete, off, SqliteSync::kOff)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// A safe single-field update of the records of one partition: the one whose size is closest (by
// ratio) to `target` bytes, or the largest for target 0. Shows that an update costs in proportion
// to its partition.
void BM_TextdbUpdateInPartition(benchmark::State& state, std::uint64_t target) {
  std::map<std::string, std::vector<std::size_t>> members;
  for (std::size_t i : g_fixture->order) members[g_fixture->partition[i]].push_back(i);
  const std::vector<std::size_t>* keys = nullptr;
  double best = 0;
  for (const auto& [path, records] : members) {
    const auto size = static_cast<double>(g_fixture->partition_bytes[records.front()]);
    const double distance =
        target == 0 ? -size : std::abs(std::log(size / static_cast<double>(target)));
    if (keys == nullptr || distance < best) {
      keys = &records;
      best = distance;
    }
  }
  auto db = OpenTextdb(SyncMode::kSafe);
  if (!db.ok()) return Fail(state, db.status());
  std::size_t next = 0;
  for (auto _ : state) {
    const std::size_t i = (*keys)[next++ % keys->size()];
    textdb::Transaction txn = (*db)->Begin();
    txn.Update(kTable, {g_fixture->keys[i].first, g_fixture->keys[i].second},
               {{"Priority", NextPriority()}});
    if (textdb::Status status = txn.Commit(); !status.ok()) return Fail(state, status);
  }
  Written();
  state.counters["partition_bytes"] =
      static_cast<double>(g_fixture->partition_bytes[keys->front()]);
  state.counters["partition_records"] = static_cast<double>(keys->size());
}
BENCHMARK_CAPTURE(BM_TextdbUpdateInPartition, 10kB, 10'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbUpdateInPartition, 100kB, 100'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbUpdateInPartition, 1MB, 1'000'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbUpdateInPartition, largest, 0)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The keys of the multi-threaded benchmarks: onepart 0, records of the small partitions (so
// mostly of different partitions); onepart 1, records of one small partition.
const std::vector<std::size_t>& ThreadKeys(const benchmark::State& state) {
  return state.range(1) == 0 ? g_fixture->small : g_fixture->crowded;
}

// Commit throughput of range(0) threads, each committing kCommitsPerThread single-record updates
// of different keys (ThreadKeys) through one Database handle per iteration. items_per_second is
// commits per second.
void BM_TextdbCommitThreads(benchmark::State& state, SyncMode sync) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  auto db = OpenTextdb(sync);
  if (!db.ok()) return Fail(state, db.status());
  const std::vector<std::size_t>& keys = ThreadKeys(state);
  std::size_t base = 0;
  for (auto _ : state) {
    std::mutex mu;
    textdb::Status failure;
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t j = 0; j < kCommitsPerThread; ++j) {
          const std::size_t i = keys[(base + t + threads * j) % keys.size()];
          textdb::Transaction txn = (*db)->Begin();
          txn.Update(kTable, {g_fixture->keys[i].first, g_fixture->keys[i].second},
                     {{"Priority", NextPriority()}});
          if (textdb::Status status = txn.Commit(); !status.ok()) {
            std::lock_guard<std::mutex> guard(mu);
            failure = std::move(status);
            return;
          }
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    if (!failure.ok()) return Fail(state, failure);
    base += threads * kCommitsPerThread;
  }
  Written();
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(threads * kCommitsPerThread));
}
BENCHMARK_CAPTURE(BM_TextdbCommitThreads, safe, SyncMode::kSafe)
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->ArgNames({"threads", "onepart"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_TextdbCommitThreads, batch, SyncMode::kBatch)
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->ArgNames({"threads", "onepart"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// SQLite: one connection per thread (FULL), the same updates; writers take turns on the WAL lock.
void BM_SqliteCommitThreads(benchmark::State& state, SqliteSync sync) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  std::vector<std::unique_ptr<SqliteDb>> dbs;
  std::vector<std::unique_ptr<SqliteStmt>> updates;
  for (std::size_t t = 0; t < threads; ++t) {
    dbs.push_back(std::make_unique<SqliteDb>(g_fixture->sqlite_path, sync));
    if (!dbs.back()->ok()) return Fail(state, *dbs.back(), "sqlite open");
    dbs.back()->RetryWhenBusy();
    updates.push_back(std::make_unique<SqliteStmt>(dbs.back()->get(), kUpdateSql));
    if (!updates.back()->ok()) return Fail(state, *dbs.back(), "sqlite prepare");
  }
  const std::vector<std::size_t>& keys = ThreadKeys(state);
  std::size_t base = 0;
  for (auto _ : state) {
    std::atomic<bool> failed{false};
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t j = 0; j < kCommitsPerThread; ++j) {
          const std::size_t i = keys[(base + t + threads * j) % keys.size()];
          const std::string text = WithPriority(i, NextPriority());
          updates[t]->Bind(1, text);
          updates[t]->Bind(2, g_fixture->keys[i].first);
          updates[t]->Bind(3, g_fixture->keys[i].second);
          if (!updates[t]->Run(dbs[t]->get(), 1)) {
            failed = true;
            return;
          }
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    if (failed) return state.SkipWithError("sqlite update failed");
    base += threads * kCommitsPerThread;
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(threads * kCommitsPerThread));
}
BENCHMARK_CAPTURE(BM_SqliteCommitThreads, full, SqliteSync::kFull)
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->ArgNames({"threads", "onepart"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The floor of each design's durable commit on this machine's file system, measured in the same
// run: what the fsync-bound rows cannot go below. append: overwrite 4 KiB of an existing file and
// fdatasync it (a SQLite WAL commit of one page at synchronous=FULL). replace: what a safe textdb
// commit of one partition does to the file system (format-spec/storage.md [C-002..C-005]):
// create a temporary file, write `bytes` (the mean partition the single-record benchmarks write),
// fdatasync, close, fsync the directory, rename it over the data file, fsync the directory.
void BM_SyncFloor(benchmark::State& state, bool replace) {
  const std::string dir = g_fixture->dir + "/floor";
  const std::string target = dir + "/data";
  const std::string temp = dir + "/.data.tmp";
  const std::string block(replace ? 32 * 1024 : 4096, 'x');
  std::error_code error;
  fs::create_directories(dir, error);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int file_fd = ::open(target.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  const auto fail = [&](const char* what) {
    state.SkipWithError((std::string(what) + ": " + std::strerror(errno)).c_str());
  };
  if (dir_fd < 0 || file_fd < 0) return fail("open");
  for (auto _ : state) {
    if (replace) {
      const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) return fail("open");
      const bool written =
          ::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size()) &&
          ::fdatasync(fd) == 0;
      ::close(fd);
      if (!written || ::fsync(dir_fd) != 0 || ::rename(temp.c_str(), target.c_str()) != 0 ||
          ::fsync(dir_fd) != 0) {
        return fail("write, sync or rename");
      }
    } else if (::pwrite(file_fd, block.data(), block.size(), 0) !=
                   static_cast<ssize_t>(block.size()) ||
               ::fdatasync(file_fd) != 0) {
      return fail("pwrite or fdatasync");
    }
  }
  ::close(file_fd);
  ::close(dir_fd);
  fs::remove_all(dir, error);
}
BENCHMARK_CAPTURE(BM_SyncFloor, append, false)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_SyncFloor, replace, true)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Builds both databases once, outside every measurement, and records which partition holds each
// record.
bool Prepare(const std::string& text, Fixture* fixture) {
  auto doc = textdb::deb822::Parse(text);
  if (!doc.ok()) return false;
  fixture->doc = std::move(doc).value();
  std::unordered_map<std::string, std::size_t> index;  // "Package\nVersion" -> record
  for (const auto& stanza : fixture->doc.stanzas()) {
    const auto package = stanza.Get("Package");
    const auto version = stanza.Get("Version");
    if (!package || !version) return false;
    index.emplace(std::string(*package) + "\n" + std::string(*version), fixture->keys.size());
    fixture->keys.emplace_back(*package, *version);
    fixture->texts.emplace_back();
    stanza.WriteCanonical(&fixture->texts.back());
    if (fixture->texts.back().find("\nPriority: ") == std::string::npos) return false;
    fixture->fields += stanza.size();
  }
  fixture->order.resize(fixture->keys.size());
  for (std::size_t i = 0; i < fixture->order.size(); ++i) fixture->order[i] = i;
  std::shuffle(fixture->order.begin(), fixture->order.end(), std::mt19937(42));

  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/engine_bench_XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return false;
  fixture->dir = tmpl;
  fixture->textdb_dir = fixture->dir + "/textdb";
  if (!textdb::Database::Create(fixture->textdb_dir).ok()) return false;
  auto db = textdb::Database::Open(fixture->textdb_dir, {});
  if (!db.ok() || !(*db)->CreateTable(kSchema).ok()) return false;
  textdb::Transaction txn = (*db)->Begin();
  for (const auto& stanza : fixture->doc.stanzas()) txn.Put(kTable, stanza);
  if (!txn.Commit().ok()) return false;
  fixture->partition.resize(fixture->keys.size());
  fixture->partition_bytes.resize(fixture->keys.size());
  std::size_t visited = 0;
  const textdb::Status scanned = (*db)->Scan(kTable, "", [&](const textdb::Record& record) {
    const auto found = index.find(std::string(*record.Get("Package")) + "\n" +
                                  std::string(*record.Get("Version")));
    if (found == index.end()) return false;
    fixture->partition[found->second] = record.file();
    fixture->partition_bytes[found->second] =
        fs::file_size(fixture->textdb_dir + "/" + record.file());
    ++visited;
    return true;
  });
  if (!scanned.ok() || visited != fixture->keys.size()) return false;
  for (std::size_t i : fixture->order) {
    if (fixture->partition_bytes[i] <= kSmallPartition) fixture->small.push_back(i);
  }
  std::map<std::string, std::vector<std::size_t>> small_partitions;
  for (std::size_t i : fixture->small) small_partitions[fixture->partition[i]].push_back(i);
  for (auto& [path, records] : small_partitions) {
    if (records.size() > fixture->crowded.size()) fixture->crowded = std::move(records);
  }
  if (fixture->crowded.size() < 4 * kCommitsPerThread) return false;

  fixture->sqlite_path = fixture->dir + "/packages.sqlite";
  SqliteDb sqlite(fixture->sqlite_path, SqliteSync::kFull);
  if (!sqlite.ok() || !sqlite.Exec(kCreateSql) || !sqlite.Exec("BEGIN")) return false;
  {
    SqliteStmt insert(sqlite.get(), kInsertSql);
    for (std::size_t i = 0; i < fixture->keys.size(); ++i) {
      insert.Bind(1, fixture->keys[i].first);
      insert.Bind(2, fixture->keys[i].second);
      insert.Bind(3, fixture->texts[i]);
      if (!insert.Run(sqlite.get(), 1)) return false;
    }
  }
  return sqlite.Exec("COMMIT");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  textdb::bench::Input input;
  if (!textdb::bench::LoadInput(&input)) return 1;
  Fixture fixture;
  const bool prepared = Prepare(input.text, &fixture);
  if (!input.temp_path.empty()) ::unlink(input.temp_path.c_str());
  if (!prepared) {
    std::fprintf(stderr, "engine_bench: building the databases in %s failed\n",
                 fixture.dir.c_str());
    if (!fixture.dir.empty()) fs::remove_all(fixture.dir);
    return 1;
  }
  g_fixture = &fixture;
  Written();
  benchmark::AddCustomContext("sqlite", sqlite3_libversion());
  benchmark::AddCustomContext("records", std::to_string(fixture.keys.size()));
  benchmark::AddCustomContext("small_partition_records", std::to_string(fixture.small.size()));
  benchmark::AddCustomContext("crowded_partition",
                              fixture.partition[fixture.crowded.front()] + ", " +
                                  std::to_string(fixture.crowded.size()) + " records, " +
                                  std::to_string(fixture.partition_bytes[fixture.crowded.front()]) +
                                  " bytes");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fs::remove_all(fixture.dir);
  return 0;
}
