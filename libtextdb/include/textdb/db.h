// The textdb storage engine: a database directory of tables whose records are deb822 stanzas in
// key-prefix partition files (format-spec/storage.md, schema.md, partitioning.md).
//
//   textdb::Options options;
//   auto db = textdb::Database::Open("inventory", options);
//   if (!db.ok()) return db.status();
//   textdb::Result<textdb::Record> item = (*db)->Get("items", {"bolt-m6"});
//   textdb::Transaction txn = (*db)->Begin();
//   TEXTDB_RETURN_IF_ERROR(txn.Update("items", {"bolt-m6"}, {{"Count", "119"}}));
//   TEXTDB_RETURN_IF_ERROR(txn.Commit());
//
// Thread-safety: a Database may be used from several threads at once. A Transaction is used by
// one thread. Several processes may open the same database: reads take a shared lock, commits an
// exclusive one, so a reader never sees half of a commit.
//
// Lifetime: Open returns a Database the caller owns; the Env in Options must outlive it, and
// every Transaction must be destroyed (or at least not used) before it. Everything else returned
// (Record, ResultSet, Schema, table names, DatabaseStats) is a value that stays valid after the
// Database is closed. A visitor's `const Record&` refers to a Record valid during the call only;
// copy it (cheaply) to keep it.
#ifndef TEXTDB_DB_H_
#define TEXTDB_DB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/env.h"
#include "textdb/query.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb {

// What a successful Commit() promises (format-spec/storage.md [C-030..C-033]).
enum class SyncMode {
  // Durable when Commit() returns: survives a process crash and a power failure. Default.
  kSafe,
  // As kSafe, but commits from several threads of one Database that wait at the same time are
  // written together by one of them, with one set of fsyncs (group commit).
  kBatch,
  // No fsync: a process crash loses nothing, a power failure may lose recent commits; see
  // [C-033] for what the database is then guaranteed to be.
  kFast,
};

struct Options {
  // File-system seam; null = Env::Default(). Not owned; must outlive the Database.
  Env* env = nullptr;
  // Bound on the bytes of parsed records kept by the LRU cache. Default 64 MiB.
  std::size_t cache_bytes = std::size_t{64} << 20;
  // Index every partition of every table at open, in parallel; otherwise a partition is
  // indexed when first used (a single get reads only its own partition). Default false.
  bool preload = false;
  // Threads used by preload; 0 = the number of cores.
  unsigned threads = 0;
  SyncMode sync = SyncMode::kSafe;
  // Open removes the temporary files an interrupted commit left behind. That walks
  // every directory of the database, which costs in proportion to their number (8,000 files at
  // Partition-Depth 4 take 135 ms), so a handle that only reads may skip it: reads ignore those
  // files, and the next handle that sweeps removes them. Committing through a handle that
  // skipped it is allowed and safe (it needs no sweep). Default true.
  bool sweep_temp_files = true;
};

// An immutable record: a stanza and where it is stored. Cheap to copy; stays valid after the
// cache evicts it and after the database is closed. Its fields keep their stored order, and Get
// finds a field by name ignoring ASCII case ("package" finds "Package") [F-024].
// Thread-safety: an immutable value; copies share the stanza (reference-counted), so Records may
// be read and copied from several threads at once.
class Record {
 public:
  Record() = default;
  // Valid as long as this Record or a copy of it lives.
  const deb822::Stanza& stanza() const { return *stanza_; }
  // The raw value [F-030] of `field` (ASCII case-insensitive), if present; the view is valid as
  // long as this Record or a copy of it lives.
  std::optional<std::string_view> Get(std::string_view field) const { return stanza_->Get(field); }
  // The data file (relative to the database directory) and 1-based line of the stanza.
  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }

 private:
  friend class Database;
  // PERF: the engine's records are built with their stanza, without the default's empty one.
  Record(std::shared_ptr<const deb822::Stanza> stanza, std::string file, std::uint32_t line)
      : stanza_(std::move(stanza)), file_(std::move(file)), line_(line) {}
  std::shared_ptr<const deb822::Stanza> stanza_ = std::make_shared<const deb822::Stanza>();
  std::string file_;
  std::uint32_t line_ = 0;
};

struct DatabaseStats {
  std::uint64_t records = 0;      // in the partitions indexed so far
  std::uint64_t partitions = 0;   // indexed so far
  std::uint64_t bytes = 0;        // of the partitions indexed so far
  std::uint64_t index_bytes = 0;  // memory held by the offset index
  std::uint64_t cache_hits = 0;
  std::uint64_t cache_misses = 0;
  std::uint64_t cache_evictions = 0;
  std::uint64_t cache_bytes = 0;
};

class Database;

// The records a query selected, in key order [S-121], materialised when Database::Select
// returned: a snapshot that later commits do not change. Memory: one Record (a reference-counted
// stanza, shared with the cache while it holds it) per match. Use it in a range-for loop:
//   Result<ResultSet> found = db->Select("items", "Count < 10");
//   for (const Record& record : *found) use(record.Get("Name"));
// Stays valid after the Database is closed. Thread-safety: an immutable value once returned;
// const methods may be called from several threads at once.
class ResultSet {
 public:
  using const_iterator = std::vector<Record>::const_iterator;
  ResultSet() = default;
  // Iterators and references stay valid as long as this ResultSet lives and is not assigned to.
  const_iterator begin() const { return records_.begin(); }
  const_iterator end() const { return records_.end(); }
  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const std::vector<Record>& records() const { return records_; }

 private:
  friend class Database;
  std::vector<Record> records_;
};

// A set of changes applied all or nothing by Commit(). Operations are checked against the
// current files when Commit() runs (under the exclusive lock), so a change made meanwhile by
// another process or a text editor is never overwritten unseen.
// Thread-safety: one thread at a time (it is not synchronised). Lifetime: it keeps a pointer to
// its Database, which must outlive it (committing after the Database is destroyed is undefined).
class Transaction {
 public:
  Transaction(Transaction&&) = default;
  Transaction& operator=(Transaction&&) = default;

  // Inserts `record`, or replaces the record with its key (fields that did not change keep their
  // exact bytes).
  void Put(std::string table, deb822::Stanza record);
  // Inserts `record`; Commit fails with kConflict when its key exists.
  void Insert(std::string table, deb822::Stanza record);
  // Sets (value) or removes (nullopt) fields of the record with key `key` (one raw value per key
  // field, in key order); Commit fails with kNotFound when it does not exist.
  void Update(std::string table, std::vector<std::string> key,
              std::vector<std::pair<std::string, std::optional<std::string>>> fields);
  // Deletes the record with key `key`; Commit fails with kNotFound when it does not exist.
  void Delete(std::string table, std::vector<std::string> key);

  // Applies every operation atomically and durably (format-spec/storage.md [C-001..C-006]).
  // Fails, changing nothing, with kInvalidData when a record breaks its schema (the message names
  // the record and the field) or a data file to change does not parse, kNotFound/kConflict as
  // above, kIOError on I/O errors. After an I/O error past the commit point the Database refuses
  // further commits (kIOError) until it is reopened. The Transaction is empty afterwards.
  Status Commit();

 private:
  friend class Database;
  struct Op {
    enum class Kind { kPut, kInsert, kUpdate, kDelete } kind;
    std::string table;
    deb822::Stanza record;
    std::vector<std::string> key;
    std::vector<std::pair<std::string, std::optional<std::string>>> fields;
  };
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
  std::vector<Op> ops_;
};

class Database {
 public:
  // Creates an empty database in `dir` [B-001], which must not exist, be empty, or hold nothing
  // but a git repository's `.git`, `.gitignore` and `.gitattributes` [B-005]. Writes the marker
  // file and appends to `.gitignore` and `.gitattributes` the lines they lack [B-006]. Fails with
  // kConflict when `dir` holds anything else.
  static Status Create(const std::string& dir, Env* env = nullptr);
  // Opens the database in `dir`. Fails with kNotFound when it is not a database, kInvalidData
  // when a schema file is invalid or a journal is corrupt, kIOError on I/O errors. Finishes an
  // interrupted commit first ([R-001]).
  static Result<std::unique_ptr<Database>> Open(const std::string& dir, const Options& options);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Names of the tables, sorted.
  std::vector<std::string> Tables() const;
  // The schema of `table`, or kNotFound.
  Result<Schema> GetSchema(std::string_view table) const;
  // Creates a table from a schema file's text (its Table field names it). Fails with kConflict
  // when it exists, kInvalidData when the schema is invalid.
  Status CreateTable(const std::string& schema_text);
  // Moves every record of `table` to the data file its key maps to at partition depth `depth`
  // and records the depth in the table's schema file, in one atomic commit
  // (format-spec/partitioning.md [P-070..P-074]). At the table's current depth it moves back
  // records that are in the wrong file. Split partitions [P-014]: with `split_above_bytes` 0,
  // the table keeps its own (none after a change of depth); otherwise every partition whose
  // file would hold more than that many bytes is split, as deep as its keys allow, and no
  // other (UINT64_MAX: none). Fails, changing nothing, with kInvalidData when a data file does
  // not parse or a key is stored twice, kInvalidArgument for a depth outside 0..4.
  Status Repartition(std::string_view table, int depth, std::uint64_t split_above_bytes = 0);
  // Splits the partitions of `table` whose data files hold more than `max_bytes` bytes, as
  // Repartition with split_above_bytes does, keeping the table's split partitions [P-074]; one
  // atomic commit. When no data file is larger (or the depth is 0), changes nothing and only
  // lists the table's files. Errors: as Repartition; kInvalidArgument when max_bytes is 0.
  Status SplitLargePartitions(std::string_view table, std::uint64_t max_bytes);
  // Rewrites every data file of `table` in canonical form [W-001..W-006] with its records in key
  // order, moving misplaced records home, in one atomic commit (storage.md [B-030]); with
  // `check_only`, changes nothing. Appends to *changed (when not null) the files, relative to
  // the database directory, that are (or were) not so. Fails as Repartition.
  Status Format(std::string_view table, bool check_only, std::vector<std::string>* changed);

  // The record whose key is `key` (one raw value per key field, in key order). kNotFound when
  // absent; kInvalidData when the partition holding it does not parse or holds a duplicate key.
  Result<Record> Get(std::string_view table, const std::vector<std::string>& key);
  // Calls `visit` for every record of `table` whose first key field starts with `prefix` (after
  // the partition folding of format-spec/partitioning.md: "bo" matches "Bolt" and "box"; "" =
  // all), in key order [S-121] across the whole table (not partition by partition), stopping
  // early when it returns false [I-013]. Only partitions that may hold such keys are read
  // [P-051]. Fails with kNotFound for an unknown table, kInvalidData when a partition to read
  // cannot be used (the message names the file and line), kConflict when a file is edited by hand
  // while it is read, kIOError on I/O errors. `visit` runs while the read holds the shared lock:
  // it must not commit to this database (that would wait for the read to end). So for
  // ScanRange and Lookup.
  Status Scan(std::string_view table, std::string_view prefix,
              const std::function<bool(const Record&)>& visit);
  // A full scan with a filter, in parallel [I-014]: calls `filter` on every record of `table`
  // from several threads at once (Options::threads; it must be thread-safe and must not use
  // this Database), then `visit` on the calling thread, in key order [S-121], for each record
  // `filter` accepted, stopping early when it returns false. Fails as Scan. Records accepted
  // are held in memory until they are visited. `filter` may be called more than once for a
  // record: when a file turns out to need a full parse part way through, its reading starts
  // over [I-014]. So it must have no effect but its answer; to count matches, use Count with a
  // filter.
  Status ScanParallel(std::string_view table,
                      const std::function<bool(const deb822::Stanza&)>& filter,
                      const std::function<bool(const Record&)>& visit);
  // As above, for a filter that reads only the fields named in `fields` (compared ignoring
  // ASCII case [F-024]; Expression::Fields() lists those of an expression): `filter` is given a
  // stanza that holds just those of the record's fields, with their raw values [F-030], and the
  // record's line (its fields' line() is 0); only the records it accepts are parsed whole, for
  // `visit`. The stanza `filter` gets and the strings it hands out are valid during the call
  // only. PERF: the values come from the line scanner alone (the offset index's own pass over
  // a file it indexes), so a scan that accepts few records costs little more than building the
  // index.
  Status ScanParallel(std::string_view table, const std::vector<std::string>& fields,
                      const std::function<bool(const deb822::Stanza&)>& filter,
                      const std::function<bool(const Record&)>& visit);
  // The number of records of `table`, counted in the offset index: every data file is indexed
  // (so checked for syntax errors, duplicate and misplaced keys) but no record is parsed. Fails
  // as Scan.
  Result<std::uint64_t> Count(std::string_view table);
  // The number of records of `table` that `filter` accepts, `filter` being called as by the
  // projected ScanParallel (the same `fields`, the same stanza of views, the same threads); a
  // record it accepts is counted once even when its file is read again, and is neither kept nor,
  // when its views decided, parsed. Fails as Scan.
  Result<std::uint64_t> Count(std::string_view table, const std::vector<std::string>& fields,
                              const std::function<bool(const deb822::Stanza&)>& filter);
  // Calls `visit` for every record of `table` with begin <= key < end, in key order [S-121],
  // stopping early when it returns false [I-010..I-013]. A bound holds raw values of the first
  // n key fields (0 <= n <= the number of key fields), each a valid value of its field's type
  // (an enum's Values and a Pattern need not be matched); an empty `begin` or `end` leaves that
  // side unbounded. A bound of n values is compared with the first n fields of a key only:
  // with key (Package, Version), begin {"foo"} starts at foo's first version and end {"foo"}
  // stops before it, so {"foo"} to {"foo"} is empty. Only partitions that may hold keys in the
  // range are read [I-012]. Fails with kInvalidArgument for a bound with too many or invalid
  // values, otherwise as Scan.
  Status ScanRange(std::string_view table, const std::vector<std::string>& begin,
                   const std::vector<std::string>& end,
                   const std::function<bool(const Record&)>& visit);
  // Calls `visit` for every record of `table` whose field `field` equals `value` by type (as
  // canonical values: integer "01" finds "1", a string matches case and all), in key order,
  // stopping early when it returns false, through the field's secondary index [I-001..I-004].
  // For a `list` field, `value` is one element: records listing it are visited. A record whose
  // value of `field` is not valid for its type is not indexed, so never visited (Check reports
  // it). The first lookup in a table indexes all its partitions (in parallel); later ones only
  // stat() them and index again the files that changed. Fails with kInvalidArgument when the
  // field has no secondary index (the message says how to add one) or `value` is not a valid
  // value of the field, otherwise as Scan.
  Status Lookup(std::string_view table, std::string_view field, std::string_view value,
                const std::function<bool(const Record&)>& visit);

  // Calls `visit` for every record of `table` that `where` matches, in key order [S-121],
  // stopping early when it returns false. The records are found the way ChooseAccess(where,
  // schema) plans: by one Get for a key lookup, Lookup for a secondary index, Scan of
  // the partitions a key prefix selects, nothing when no record can match, otherwise a parallel
  // full scan that evaluates `where` on the engine's threads [I-014]; every candidate is checked
  // with Matches. `where` is first validated against the table's schema. Fails with
  // kInvalidArgument when it does not validate (located as Expression::Validate), otherwise as
  // Scan. `visit` runs under the shared lock (see Scan).
  Status ForEachMatch(std::string_view table, const Expression& where,
                      const std::function<bool(const Record&)>& visit);
  // The records of `table` that `where` matches, found as ForEachMatch finds them and collected
  // into a ResultSet. Fails as ForEachMatch.
  Result<ResultSet> Select(std::string_view table, const Expression& where);
  // As above, parsing `where` first (Expression::Parse with `options`); a malformed expression
  // fails with its kInvalidArgument "LINE:COL: error: ...".
  Result<ResultSet> Select(std::string_view table, std::string_view where,
                           const ExpressionOptions& options = {});
  // Every record of `table`, in key order. Fails as Scan.
  Result<ResultSet> SelectAll(std::string_view table);

  // Checks the whole database: every file parses, every record holds its schema, no key is
  // stored twice or in the wrong partition, no temporary files are left. Appends one message per
  // problem ("FILE:LINE:COL: error: ...") and returns kInvalidData when there is any.
  Status Check(std::vector<std::string>* problems);

  // A new, empty transaction on this database; see Transaction for its lifetime.
  Transaction Begin() { return Transaction(this); }
  DatabaseStats Stats() const;
  // The directory given to Open; valid while the Database lives.
  const std::string& dir() const;

 private:
  friend class Transaction;
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  Status Commit(std::vector<Transaction::Op> ops);
  std::unique_ptr<Impl> impl_;
};

}  // namespace textdb

#endif  // TEXTDB_DB_H_
