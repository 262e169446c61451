// The SQLite peer of the engine benchmarks (engine_bench.cc, scale_bench.cc): small RAII wrappers
// around libsqlite3 connections and prepared statements. Every connection is in WAL mode with the
// synchronous level that matches the textdb sync mode it is compared with.
//
// Thread-safety: a connection and its statements are used by one thread at a time.
#ifndef TEXTDB_TESTS_BENCH_SQLITE_PEER_H_
#define TEXTDB_TESTS_BENCH_SQLITE_PEER_H_

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace textdb::bench {

// PRAGMA synchronous of a peer connection. kFull: a commit returns after the WAL is fsynced
// (compared with textdb's safe and batch modes); kOff: no fsync (compared with textdb's fast mode).
enum class SqliteSync { kFull, kOff };

// The page cache of the peer's bulk imports: large enough for the whole database (SQLite takes
// the memory only as it needs it), as textdb's import holds every record in memory too.
inline constexpr char kSqliteImportCache[] = "PRAGMA cache_size=-1048576";  // 1 GiB

// The page cache of the peer's cached gets: the size of textdb's default cache.
inline constexpr char kSqliteCache64MiB[] = "PRAGMA cache_size=-65536";

// A connection opened read-write (created when missing) in WAL mode. !ok() when opening or a pragma
// failed; error() says why.
class SqliteDb {
 public:
  SqliteDb(const std::string& path, SqliteSync sync) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
      error_ = db_ == nullptr ? "out of memory" : sqlite3_errmsg(db_);
      return;
    }
    if (QueryText("PRAGMA journal_mode=WAL") != "wal") {
      error_ = path + ": journal_mode=WAL refused";
      return;
    }
    ok_ = Exec(sync == SqliteSync::kFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
  }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  // REQUIRES: every SqliteStmt of this connection was destroyed first.
  ~SqliteDb() { sqlite3_close(db_); }

  bool ok() const { return ok_; }
  std::string error() const { return error_.empty() ? sqlite3_errmsg(db_) : error_; }
  sqlite3* get() const { return db_; }

  // Runs `sql` (no result rows wanted); false on failure (error() says why).
  bool Exec(const char* sql) {
    return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  // The first column of the first row `sql` yields; empty on failure or without rows.
  std::string QueryText(const char* sql) {
    std::string out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  // Makes a writer that finds the database locked by another connection yield the processor and
  // retry at once, instead of sleeping 1, 2, 5, 10, ... ms as sqlite3_busy_timeout does, so that
  // connections of one process taking turns are not slowed down by the sleeps.
  void RetryWhenBusy() { sqlite3_busy_handler(db_, &YieldAndRetry, nullptr); }

 private:
  static int YieldAndRetry(void*, int) {
    std::this_thread::yield();
    return 1;
  }
  sqlite3* db_ = nullptr;
  bool ok_ = false;
  std::string error_;
};

// A prepared statement. !ok() when `sql` did not compile.
class SqliteStmt {
 public:
  SqliteStmt(sqlite3* db, const char* sql) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK;
  }
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  ~SqliteStmt() { sqlite3_finalize(stmt_); }

  bool ok() const { return ok_; }
  sqlite3_stmt* get() const { return stmt_; }
  // Binds parameter `index` (1-based) to `text` without copying it.
  // REQUIRES: `text` stays valid until the next Reset().
  void Bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  int Step() { return sqlite3_step(stmt_); }
  // Steps a statement that returns no rows, then resets it: true when it ran and changed
  // exactly `changes` rows.
  bool Run(sqlite3* db, int changes) {
    const bool done = sqlite3_step(stmt_) == SQLITE_DONE && sqlite3_changes(db) == changes;
    sqlite3_reset(stmt_);
    return done;
  }
  void Reset() { sqlite3_reset(stmt_); }
  std::string_view ColumnText(int column) {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text == nullptr
               ? std::string_view()
               : std::string_view(reinterpret_cast<const char*>(text),
                                  static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

}  // namespace textdb::bench

#endif  // TEXTDB_TESTS_BENCH_SQLITE_PEER_H_
