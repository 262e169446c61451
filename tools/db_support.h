// What the database subcommands of `textdb` share: finding and opening the database, naming a
// table and a key on the command line, printing stored records, a progress line, and reading and
// writing records for `import` and `put`.
//
// Exit codes (cli_support.h) follow one rule here: 1 only ever means "the record named does not
// exist", so a script can tell it apart from a mistake. A missing database, an unknown table or a
// wrong number of key values is a usage error (2), never 1.
#ifndef TEXTDB_TOOLS_DB_SUPPORT_H_
#define TEXTDB_TOOLS_DB_SUPPORT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_support.h"
#include "textdb/db.h"
#include "textdb/deb822.h"
#include "textdb/interchange.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb::cli {

// The environment variable that names the database directory when --db is not given.
inline constexpr const char* kDatabaseEnvVar = "TEXTDB_DIR";
// The file that marks a database directory [B-001].
inline constexpr std::string_view kMarkerFileName = "textdb.conf";

// How --db and the discovery rules read in every database subcommand's --help: a paragraph
// of its own, after the subcommand's.
inline constexpr std::string_view kDatabaseHelp =
    "\nThe database is the directory given with --db, else $TEXTDB_DIR, else the nearest of the\n"
    "current directory and its parents that holds a textdb.conf file.";

// Adds "-d,--db DIR" to `command`, bound to *dir.
void AddDatabaseOption(CLI::App* command, std::string* dir);

// Adds "--split-above SIZE" (a byte count of at least 1, with an optional suffix k, K, KiB, M,
// MiB, G or GiB: powers of 1024), bound to *bytes, and the flag "--no-split", bound to
// *no_split, to `command` (format-spec/partitioning.md [P-074]).
void AddSplitOptions(CLI::App* command, std::uint64_t* bytes, bool* no_split,
                     const std::string& split_help, const std::string& no_split_help);

// Throws CLI::ValidationError when `command` was given both --split-above and --no-split.
void CheckSplitOptions(const CLI::App& command);

// True when `dir` holds a database marker file (a regular file textdb.conf).
bool IsDatabaseDir(const std::string& dir);

// The database directory: `flag` when not empty, else $TEXTDB_DIR when set and not empty, else
// the nearest of the current directory and its ancestors that IsDatabaseDir, as a relative path
// ("." , "..", "../..", ...) so that messages stay short. Fails with kInvalidArgument (exit 2)
// when there is none.
Result<std::string> FindDatabase(const std::string& flag);

// What a command does with the database it opens.
enum class Access {
  kRead,   // reads only: the open skips the sweep of temporary files (Options::sweep_temp_files)
  kWrite,  // may commit
};

// Opens the database FindDatabase(flag) names (Options::preload as given; a single lookup is
// fastest without it, since only the partition holding the key is read). Fails with
// kInvalidArgument when the directory is not a database, else as Database::Open (a file named in
// the message is named from the current directory).
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& flag, bool preload,
                                               Access access);

// `relative` (a path relative to the database directory, as Record::file() gives) as a path
// that works from the current directory.
std::string DatabasePath(const Database& db, std::string_view relative);

// The schema of `table`. Fails with kInvalidArgument (exit 2) naming the tables there are when
// the database has no such table.
Result<Schema> TableSchema(const Database& db, const std::string& table);

// A database opened for one table.
struct OpenedTable {
  std::unique_ptr<Database> db;
  Schema schema;
};

// OpenDatabase(db_flag, preload, access), then TableSchema(table).
Result<OpenedTable> OpenTable(const std::string& db_flag, const std::string& table, bool preload,
                              Access access);

// OK when `values` holds exactly one value per key field of `schema`; otherwise kInvalidArgument
// naming the key fields.
Status CheckKeyCount(const Schema& schema, const std::vector<std::string>& values);

// Key values as messages show them: space-separated, as the engine does.
std::string KeyText(const std::vector<std::string>& values);

// True when the engine will fill a field that `record` lacks (Auto [S-027]): such a record is
// checked against the schema by the engine at commit, once the value exists.
bool LacksAutoField(const Schema& schema, const deb822::Stanza& record);

// Prints a library error: its message as is when it carries "error:" after its location,
// else "error: MESSAGE". Returns ExitCodeFor(status). REQUIRES: !status.ok()
ExitCode ReportDbError(const Status& status);

// As ReportDbError, for a Status of an operation on `db`: a message that starts with the path of
// a data file (the engine names them relative to the database directory, "items/b/bo.deb822:3:1:
// error: ...") gets the path from the current directory instead (DatabasePath).
ExitCode ReportDbError(const Database& db, const Status& status);

// `message` with a leading data file path made a path from the current directory (see above).
std::string LocateInDatabase(const Database& db, const std::string& message);

// Prints "textdb: LOCATION: error: MESSAGE".
void PrintErrorAt(std::string_view location, std::string_view message);

// Appends the stanza's paragraph exactly as stored (the lossless writer of an unmodified stanza
// gives its input bytes, comments inside it included), then a line feed if it did not end with
// one (the last stanza of a file without a final newline).
void AppendStoredStanza(const deb822::Stanza& stanza, std::string* out);

// A progress line on stderr, drawn only when stderr is a terminal, redrawn at most 10 times a
// second, and erased by Done() or the destructor.
class Progress {
 public:
  explicit Progress(std::string label);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  // Shows "LABEL: STEP [#####.....] DONE/TOTAL".
  void Update(std::string_view step, std::size_t done, std::size_t total);
  // Shows "LABEL: TEXT" at once (for a step whose length is unknown).
  void Show(std::string_view text);
  // Erases the line.
  void Done();

 private:
  void Draw(const std::string& line);

  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

// A record read for import or put, and where it came from.
struct InputRecord {
  deb822::Stanza stanza;
  std::string file;        // as messages name it (InputDisplayName)
  std::size_t number = 0;  // 1-based position in its file
  bool has_lines = false;  // read from deb822, so stanza and field lines are known

  // "FILE:LINE:1" at `line` (0 = the stanza's first line) when lines are known, else
  // "FILE: record N" (the JSON, NDJSON and CSV readers keep no line numbers).
  std::string Location(std::uint32_t line = 0) const;
};

struct RecordFormat {
  interchange::Format format = interchange::Format::kDeb822;
  // deb822 only. Stanzas read in the compat profile are stored in canonical form (LF line ends,
  // no comments), never with their foreign bytes; strict ones are stored byte for byte.
  deb822::Profile profile = deb822::Profile::kStrict;
};

// The format names the --format options take, in help order.
std::vector<std::string> FormatNames();

// Reads the records of every file ("-" = standard input) into *records, in order. Every input is
// read, and every error in each is printed (FILE:LINE:COL: error: ...). Returns the exit code
// of the first error, or kExitOk.
ExitCode ReadRecords(const std::vector<std::string>& files, const RecordFormat& format,
                     std::vector<InputRecord>* records);

// What to do with a record whose key is already taken, by a stored record or by an earlier
// record of the same input.
enum class OnDuplicate {
  kError,    // fail: nothing is written
  kReplace,  // the later record replaces the earlier
  kSkip,     // the earlier record stays, the later is dropped
};

struct WriteCounts {
  std::size_t inserted = 0;
  std::size_t replaced = 0;
  std::size_t skipped = 0;
};

// Writes `records` into the table of `schema` in one transaction: all or nothing. Records are taken
// in input order as if written one by one with `on_duplicate`. Before anything is written, every
// record is checked against the schema and every duplicate is looked for; each problem found is
// printed with the record's input location (at most kMaxReported). Exit codes: 3 for a record
// breaking the schema or a key repeated within the input (with kError), 4 for a key already stored
// (with kError) or a conflicting change made meanwhile by another process, else as the engine's
// Status. Records whose key is filled by the engine (Auto) are always inserted. `duplicate_hint`
// ends the duplicate messages (say, " (--on-duplicate replace allows this)"). *counts is set on
// success. REQUIRES: `schema` is the table's (TableSchema).
ExitCode WriteRecords(Database* db, const Schema& schema, std::vector<InputRecord> records,
                      OnDuplicate on_duplicate, std::string_view duplicate_hint, Progress* progress,
                      WriteCounts* counts);

// How many problems of one kind are printed before the rest are only counted.
inline constexpr std::size_t kMaxReported = 100;

}  // namespace textdb::cli

#endif  // TEXTDB_TOOLS_DB_SUPPORT_H_
