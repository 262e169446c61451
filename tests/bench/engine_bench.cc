// engine_bench: the storage engine (textdb/db.h) on the shared Debian Packages index, with SQLite
// (libsqlite3: the same records, a primary key on (Package, Version), WAL, synchronous=FULL so
// that a commit is durable when it returns, like textdb's safe mode) measured in the same
// program and run as the peer. Figures and commands: RESULTS.md.
//
// Each SQLite row holds the key columns and the stanza's text, so a get returns the same thing
// on both sides: the whole record.
#include <sqlite3.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "packages_input.h"
#include "textdb/db.h"

namespace {

namespace fs = std::filesystem;

constexpr char kSchema[] =
    "Table: packages\n"
    "Key: Package, Version\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n";

struct Fixture {
  std::string dir;  // scratch directory holding both databases
  textdb::deb822::Document doc;
  std::vector<std::pair<std::string, std::string>> keys;  // Package, Version of every stanza
  std::string textdb_dir;
  std::string sqlite_path;
};
Fixture* g_fixture = nullptr;

void Fail(benchmark::State& state, const textdb::Status& status) {
  state.SkipWithError(status.ToString().c_str());
}

bool Exec(sqlite3* db, const char* sql) {
  return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

sqlite3* OpenSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return nullptr;
  Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "PRAGMA synchronous=FULL");
  return db;
}

// Keys visited by the get benchmarks: a fixed pseudo-random order over all records.
std::vector<std::size_t> Order() {
  std::vector<std::size_t> order(g_fixture->keys.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  return order;
}

// Import of all records in one transaction, into a fresh database each iteration.
void BM_TextdbImport(benchmark::State& state) {
  int round = 0;
  for (auto _ : state) {
    const std::string dir = g_fixture->dir + "/import-" + std::to_string(round++);
    textdb::Status status = textdb::Database::Create(dir);
    auto db = textdb::Database::Open(dir, {});
    if (!status.ok() || !db.ok()) return Fail(state, status.ok() ? db.status() : status);
    if (status = (*db)->CreateTable(kSchema); !status.ok()) return Fail(state, status);
    textdb::Transaction txn = (*db)->Begin();
    for (const auto& stanza : g_fixture->doc.stanzas()) txn.Put("packages", stanza);
    if (status = txn.Commit(); !status.ok()) return Fail(state, status);
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(g_fixture->keys.size());
}
BENCHMARK(BM_TextdbImport)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_SqliteImport(benchmark::State& state) {
  int round = 0;
  for (auto _ : state) {
    const std::string path = g_fixture->dir + "/import-" + std::to_string(round++) + ".sqlite";
    sqlite3* db = OpenSqlite(path);
    if (db == nullptr ||
        !Exec(db,
              "CREATE TABLE packages (package TEXT, version TEXT, stanza TEXT, "
              "PRIMARY KEY (package, version)) WITHOUT ROWID") ||
        !Exec(db, "BEGIN")) {
      return state.SkipWithError("sqlite setup failed");
    }
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO packages VALUES (?, ?, ?)", -1, &insert, nullptr);
    std::string text;
    for (std::size_t i = 0; i < g_fixture->keys.size(); ++i) {
      text.clear();
      g_fixture->doc.stanzas()[i].WriteCanonical(&text);
      sqlite3_bind_text(insert, 1, g_fixture->keys[i].first.data(),
                        static_cast<int>(g_fixture->keys[i].first.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert, 2, g_fixture->keys[i].second.data(),
                        static_cast<int>(g_fixture->keys[i].second.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert, 3, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(insert) != SQLITE_DONE) return state.SkipWithError("sqlite insert");
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    if (!Exec(db, "COMMIT")) return state.SkipWithError("sqlite commit");
    sqlite3_close(db);
    state.PauseTiming();
    fs::remove(path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
    state.ResumeTiming();
  }
  state.counters["records"] = static_cast<double>(g_fixture->keys.size());
}
BENCHMARK(BM_SqliteImport)->Unit(benchmark::kMillisecond)->Iterations(3);

// Open with every partition indexed (what a long-running application does).
void BM_TextdbOpenPreload(benchmark::State& state) {
  for (auto _ : state) {
    textdb::Options options;
    options.preload = true;
    auto db = textdb::Database::Open(g_fixture->textdb_dir, options);
    if (!db.ok()) return Fail(state, db.status());
    if ((*db)->Stats().records != g_fixture->keys.size()) {
      return state.SkipWithError("not every record was indexed");
    }
  }
}
BENCHMARK(BM_TextdbOpenPreload)->Unit(benchmark::kMillisecond)->UseRealTime();

// Get by key. Arg 1: records stay in the LRU cache (all fit); arg 0: no cache, every get reads
// and parses its stanza.
void BM_TextdbGet(benchmark::State& state) {
  textdb::Options options;
  options.preload = true;
  if (state.range(0) == 0) options.cache_bytes = 0;
  auto db = textdb::Database::Open(g_fixture->textdb_dir, options);
  if (!db.ok()) return Fail(state, db.status());
  const std::vector<std::size_t> order = Order();
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [package, version] = g_fixture->keys[order[next++ % order.size()]];
    auto record = (*db)->Get("packages", {package, version});
    if (!record.ok()) return Fail(state, record.status());
    benchmark::DoNotOptimize(record->stanza().size());
  }
}
BENCHMARK(BM_TextdbGet)->Arg(1)->Arg(0);

void BM_SqliteGet(benchmark::State& state) {
  sqlite3* db = OpenSqlite(g_fixture->sqlite_path);
  sqlite3_stmt* select = nullptr;
  if (db == nullptr ||
      sqlite3_prepare_v2(db, "SELECT stanza FROM packages WHERE package = ? AND version = ?", -1,
                         &select, nullptr) != SQLITE_OK) {
    return state.SkipWithError("sqlite prepare");
  }
  const std::vector<std::size_t> order = Order();
  std::size_t next = 0;
  for (auto _ : state) {
    const auto& [package, version] = g_fixture->keys[order[next++ % order.size()]];
    sqlite3_bind_text(select, 1, package.data(), static_cast<int>(package.size()), SQLITE_STATIC);
    sqlite3_bind_text(select, 2, version.data(), static_cast<int>(version.size()), SQLITE_STATIC);
    if (sqlite3_step(select) != SQLITE_ROW) return state.SkipWithError("sqlite: no row");
    benchmark::DoNotOptimize(sqlite3_column_bytes(select, 0));
    sqlite3_reset(select);
  }
  sqlite3_finalize(select);
  sqlite3_close(db);
}
BENCHMARK(BM_SqliteGet);

// A durable single-record update (one field), alternating between two values.
void BM_TextdbUpdate(benchmark::State& state) {
  auto db = textdb::Database::Open(g_fixture->textdb_dir, {});
  if (!db.ok()) return Fail(state, db.status());
  const auto& [package, version] = g_fixture->keys[Order()[0]];
  int i = 0;
  for (auto _ : state) {
    textdb::Transaction txn = (*db)->Begin();
    txn.Update("packages", {package, version}, {{"Priority", (i++ % 2) ? "optional" : "extra"}});
    if (textdb::Status status = txn.Commit(); !status.ok()) return Fail(state, status);
  }
}
BENCHMARK(BM_TextdbUpdate)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SqliteUpdate(benchmark::State& state) {
  sqlite3* db = OpenSqlite(g_fixture->sqlite_path);
  sqlite3_stmt* update = nullptr;
  if (db == nullptr ||
      sqlite3_prepare_v2(db, "UPDATE packages SET stanza = ? WHERE package = ? AND version = ?", -1,
                         &update, nullptr) != SQLITE_OK) {
    return state.SkipWithError("sqlite prepare");
  }
  const auto& [package, version] = g_fixture->keys[Order()[0]];
  int i = 0;
  for (auto _ : state) {
    const std::string stanza = (i++ % 2) ? "Priority: optional\n" : "Priority: extra\n";
    sqlite3_bind_text(update, 1, stanza.data(), static_cast<int>(stanza.size()), SQLITE_STATIC);
    sqlite3_bind_text(update, 2, package.data(), static_cast<int>(package.size()), SQLITE_STATIC);
    sqlite3_bind_text(update, 3, version.data(), static_cast<int>(version.size()), SQLITE_STATIC);
    if (sqlite3_step(update) != SQLITE_DONE) return state.SkipWithError("sqlite update");
    sqlite3_reset(update);
  }
  sqlite3_finalize(update);
  sqlite3_close(db);
}
BENCHMARK(BM_SqliteUpdate)->Unit(benchmark::kMillisecond)->UseRealTime();

// Builds both databases once, outside every measurement.
bool Prepare(const std::string& text, Fixture* fixture) {
  auto doc = textdb::deb822::Parse(text);
  if (!doc.ok()) return false;
  fixture->doc = std::move(doc).value();
  for (const auto& stanza : fixture->doc.stanzas()) {
    fixture->keys.emplace_back(*stanza.Get("Package"), *stanza.Get("Version"));
  }
  char tmpl[] = "/tmp/engine_bench_XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return false;
  fixture->dir = tmpl;
  fixture->textdb_dir = fixture->dir + "/textdb";
  if (!textdb::Database::Create(fixture->textdb_dir).ok()) return false;
  auto db = textdb::Database::Open(fixture->textdb_dir, {});
  if (!db.ok() || !(*db)->CreateTable(kSchema).ok()) return false;
  textdb::Transaction txn = (*db)->Begin();
  for (const auto& stanza : fixture->doc.stanzas()) txn.Put("packages", stanza);
  if (!txn.Commit().ok()) return false;
  fixture->sqlite_path = fixture->dir + "/packages.sqlite";
  sqlite3* sqlite = OpenSqlite(fixture->sqlite_path);
  if (sqlite == nullptr ||
      !Exec(sqlite,
            "CREATE TABLE packages (package TEXT, version TEXT, stanza TEXT, "
            "PRIMARY KEY (package, version)) WITHOUT ROWID") ||
      !Exec(sqlite, "BEGIN")) {
    return false;
  }
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(sqlite, "INSERT INTO packages VALUES (?, ?, ?)", -1, &insert, nullptr);
  std::string stanza_text;
  for (std::size_t i = 0; i < fixture->keys.size(); ++i) {
    stanza_text.clear();
    fixture->doc.stanzas()[i].WriteCanonical(&stanza_text);
    sqlite3_bind_text(insert, 1, fixture->keys[i].first.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, fixture->keys[i].second.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 3, stanza_text.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(insert) != SQLITE_DONE) return false;
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  const bool committed = Exec(sqlite, "COMMIT");
  sqlite3_close(sqlite);
  return committed;
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
    return 1;
  }
  g_fixture = &fixture;
  // Files written less than 2 s ago are "racy": textdb compares their content on every read
  // (git's racy-timestamp rule). Measure the steady state, not the first two seconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  benchmark::AddCustomContext("sqlite", sqlite3_libversion());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fs::remove_all(fixture.dir);
  return 0;
}
