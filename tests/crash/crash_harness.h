// The harness of the crash and I/O-error suites (format-spec/durability.md): a model of the
// committed states of a scenario, and the checker of the pass criteria [K-020..K-027] for one
// file-system image left by a crash.
#ifndef TEXTDB_TESTS_CRASH_CRASH_HARNESS_H_
#define TEXTDB_TESTS_CRASH_CRASH_HARNESS_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "crash_env.h"
#include "textdb/db.h"

namespace textdb::testing {

inline constexpr char kDbDir[] = "/db";

// Table "items": key Item, depth 2 (so a new key may need a new partition directory), an
// indexed field Tag. Table "people": key Name, depth 1.
inline constexpr char kItemsSchema[] =
    "Table: items\nKey: Item\nPartition-Depth: 2\n\nField: Item\n\nField: Count\nType: integer\n"
    "\nField: Tag\nIndex: yes\n";
inline constexpr char kPeopleSchema[] =
    "Table: people\nKey: Name\nPartition-Depth: 1\n\nField: Name\n\nField: City\n";

// Records by table, then by key, then field name -> value.
using Fields = std::map<std::string, std::string>;
using Records = std::map<std::string, std::map<std::string, Fields>>;
using Files = std::map<std::string, std::string>;

inline deb822::Stanza MakeStanza(const Fields& fields, const std::string& key_field) {
  deb822::Stanza stanza;
  EXPECT_TRUE(stanza.SetRaw(key_field, fields.at(key_field)).ok());
  for (const auto& [name, value] : fields) {
    if (name != key_field) {
      EXPECT_TRUE(stanza.SetRaw(name, value).ok());
    }
  }
  return stanza;
}

inline const char* KeyField(const std::string& table) { return table == "items" ? "Item" : "Name"; }

// Reads an integer environment variable, or `fallback`.
inline long EnvLong(const char* name, long fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtol(value, nullptr, 10) : fallback;
}

// Data and state files of the database in `image`, without the lock file: what must be
// byte-identical to a committed state [K-022].
inline Files DbFiles(const CrashImage& image) {
  Files files = image.Files(kDbDir);
  files.erase(".textdb/LOCK");
  return files;
}

// The states a scenario committed, and where in the Env's log each commit started and was
// acknowledged.
struct History {
  std::vector<Records> records;  // [0] is the state at the checkpoint
  std::vector<Files> files;      // the database's files in each state
  std::vector<std::size_t> started;
  std::vector<std::size_t> acked;
  // The range [lo, hi] of states a crash after `crash_point` log entries may leave [K-021].
  std::pair<std::size_t, std::size_t> Allowed(std::size_t crash_point) const {
    std::size_t lo = 0;
    std::size_t hi = 0;
    for (std::size_t i = 0; i < acked.size(); ++i) {
      if (acked[i] <= crash_point) lo = i + 1;
      if (started[i] < crash_point) hi = i + 1;
    }
    return {lo, std::max(lo, hi)};
  }
};

// Totals of one test, printed at its end.
struct CrashCounts {
  long states = 0;    // crash states enumerated and judged
  long distinct = 0;  // of which distinct (image, allowed range) pairs, each checked in full
};

// Judges crash images against a History. Identical (image, range) pairs are checked once.
class CrashChecker {
 public:
  explicit CrashChecker(const History& history) : history_(history) {}

  // Checks every pass criterion for `image` [K-020..K-027]; on a violation records a test
  // failure naming `how` and returns false.
  bool Check(const CrashImage& image, std::size_t lo, std::size_t hi, const std::string& how) {
    ++counts_.states;
    const std::uint64_t digest = image.Digest() * 1000003u + lo * 1009u + hi;
    if (!seen_.insert(digest).second) return true;
    ++counts_.distinct;
    std::string violation = Violation(image, lo, hi);
    if (violation.empty()) return true;
    ADD_FAILURE() << "crash state " << how << " (allowed states " << lo << ".." << hi
                  << "): " << violation;
    return false;
  }
  const CrashCounts& counts() const { return counts_; }

  // The first violated criterion for `image`, or "".
  std::string Violation(const CrashImage& image, std::size_t lo, std::size_t hi) {
    CrashEnv env(image);
    Options options;
    options.env = &env;
    std::size_t state = 0;
    CrashImage recovered;
    {
      Result<std::unique_ptr<Database>> db = Database::Open(kDbDir, options);
      if (!db.ok()) return "[K-020] open failed: " + db.status().ToString();
      recovered = env.LiveImage();
      const Files files = DbFiles(recovered);
      // [K-023] nothing of an unfinished commit remains.
      for (const auto& [path, content] : files) {
        if (path.starts_with(".textdb/") || path.find(".textdb-tmp-") != std::string::npos) {
          return "[K-023] left after open: " + path;
        }
      }
      // [K-021], [K-022] the files are byte for byte those of one allowed state.
      state = hi + 1;
      for (std::size_t i = lo; i <= hi; ++i) {
        if (files == history_.files[i]) state = i;
      }
      if (state > hi) return "[K-021]/[K-022] files match no allowed state: " + Diff(files, lo);
      // [K-024] what the engine reads (scans, gets, the secondary index) equals the model.
      std::string wrong = Compare(**db, history_.records[state]);
      if (!wrong.empty()) return "[K-024] state " + std::to_string(state) + ": " + wrong;
    }
    if (env.open_files() != 0 || env.held_locks() != 0) return "[K-011] leaked a file or lock";
    // [K-025] recovery is idempotent: opening again changes nothing.
    {
      Result<std::unique_ptr<Database>> again = Database::Open(kDbDir, options);
      if (!again.ok()) return "[K-025] second open failed: " + again.status().ToString();
      if (DbFiles(env.LiveImage()) != DbFiles(recovered))
        return "[K-025] second open changed files";
      // [K-026] a write afterwards succeeds and reads back.
      Transaction txn = (*again)->Begin();
      txn.Put("people", MakeStanza({{"Name", "zz-after"}, {"City", "x"}}, "Name"));
      Status status = txn.Commit();
      if (!status.ok()) return "[K-026] write after recovery failed: " + status.ToString();
      Result<Record> back = (*again)->Get("people", {"zz-after"});
      if (!back.ok()) return "[K-026] write after recovery not read back";
    }
    return "";
  }

  // "" when `db` holds exactly `model` through Scan, Get and Lookup.
  static std::string Compare(Database& db, const Records& model) {
    for (const std::string table : {"items", "people"}) {
      const auto it = model.find(table);
      const std::map<std::string, Fields> empty;
      const std::map<std::string, Fields>& want = it == model.end() ? empty : it->second;
      std::map<std::string, Fields> got;
      Status status = db.Scan(table, "", [&](const Record& record) {
        Fields fields;
        for (const deb822::Field& field : record.stanza().fields()) {
          fields[std::string(field.name())] = std::string(field.value());
        }
        got[fields[KeyField(table)]] = fields;
        return true;
      });
      if (!status.ok() && !(status.code() == StatusCode::kNotFound && want.empty())) {
        return "scan " + table + ": " + status.ToString();
      }
      if (got != want) return "scan of " + table + " differs from the model";
      for (const auto& [key, fields] : want) {
        Result<Record> record = db.Get(table, {key});
        if (!record.ok()) return "get " + table + "/" + key + ": " + record.status().ToString();
      }
      if (table != "items") continue;
      std::map<std::string, std::set<std::string>> by_tag;
      for (const auto& [key, fields] : want) {
        if (fields.count("Tag") != 0) by_tag[fields.at("Tag")].insert(key);
      }
      for (const char* tag : {"red", "blue"}) {
        std::set<std::string> found;
        status = db.Lookup("items", "Tag", tag, [&](const Record& record) {
          found.insert(std::string(*record.Get("Item")));
          return true;
        });
        if (!status.ok() && !want.empty()) return "lookup: " + status.ToString();
        if (found != by_tag[tag]) return std::string("lookup Tag=") + tag + " differs";
      }
    }
    return "";
  }

 private:
  std::string Diff(const Files& files, std::size_t lo) const {
    const Files& want = history_.files[lo];
    std::string out;
    for (const auto& [path, content] : files) {
      auto it = want.find(path);
      if (it == want.end()) {
        out += " extra " + path + ";";
      } else if (it->second != content) {
        out += " differs " + path + " (" + std::to_string(content.size()) + " bytes);";
      }
    }
    for (const auto& [path, content] : want) {
      if (files.count(path) == 0) out += " missing " + path + ";";
    }
    return "vs state " + std::to_string(lo) + ":" + out;
  }

  const History& history_;
  CrashCounts counts_;
  std::unordered_set<std::uint64_t> seen_;
};

// Runs a scenario on a CrashEnv: sets up a database with both tables (the checkpoint, state 0),
// then each Commit() records a committed state.
class Scenario {
 public:
  explicit Scenario(SyncMode sync = SyncMode::kSafe) {
    EXPECT_TRUE(Database::Create(kDbDir, &env_).ok());
    options_.env = &env_;
    options_.sync = sync;
    Reopen();
    EXPECT_TRUE(db_->CreateTable(kItemsSchema).ok());
    EXPECT_TRUE(db_->CreateTable(kPeopleSchema).ok());
  }

  CrashEnv& env() { return env_; }
  Database& db() { return *db_; }
  Records& model() { return model_; }
  const History& history() const { return history_; }
  History& mutable_history() { return history_; }
  const Options& options() const { return options_; }

  void Reopen() {
    db_.reset();
    Result<std::unique_ptr<Database>> db = Database::Open(kDbDir, options_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  // Makes the current files state 0 of the history; crash states start from here.
  void Checkpoint() {
    env_.Checkpoint();
    history_ = History{};
    history_.records.push_back(model_);
    history_.files.push_back(DbFiles(env_.LiveImage()));
  }

  // Runs `action` (one commit); when it succeeds, `apply` turns the model into the new state.
  // Returns the action's status.
  Status Commit(const std::function<Status()>& action, const std::function<void(Records&)>& apply) {
    const std::size_t start = env_.LogSize();
    Status status = action();
    if (!status.ok()) return status;
    apply(model_);
    history_.started.push_back(start);
    history_.acked.push_back(env_.LogSize());
    history_.records.push_back(model_);
    history_.files.push_back(DbFiles(env_.LiveImage()));
    return status;
  }

  // One transaction of puts (value) and deletes (nullopt) over both tables.
  Status Apply(
      const std::vector<std::tuple<std::string, std::string, std::optional<Fields>>>& ops) {
    return Commit(
        [&] {
          Transaction txn = db_->Begin();
          for (const auto& [table, key, fields] : ops) {
            if (fields) {
              Fields all = *fields;
              all[KeyField(table)] = key;
              txn.Put(table, MakeStanza(all, KeyField(table)));
            } else {
              txn.Delete(table, {key});
            }
          }
          return txn.Commit();
        },
        [&](Records& model) {
          for (const auto& [table, key, fields] : ops) {
            if (fields) {
              Fields all = *fields;
              all[KeyField(table)] = key;
              model[table][key] = all;
            } else {
              model[table].erase(key);
            }
          }
        });
  }

  // Judges every crash state at every crash point of the log [K-005..K-008].
  CrashCounts CheckAllCrashStates(bool print = true) {
    CrashChecker checker(history_);
    const std::size_t size = env_.LogSize();
    int failures = 0;
    for (std::size_t k = 0; k <= size && failures < 3; ++k) {
      const std::pair<std::size_t, std::size_t> range = history_.Allowed(k);
      const std::size_t lo = range.first;
      const std::size_t hi = range.second;
      env_.CrashStates(k, [&](const CrashImage& image, const std::string& how) {
        if (failures < 3 &&
            !checker.Check(image, lo, hi, "at #" + std::to_string(k) + ", " + how)) {
          ++failures;
        }
      });
    }
    if (print) Print(checker.counts());
    return checker.counts();
  }

  static void Print(const CrashCounts& counts) {
    std::printf("crash states: %ld (distinct checked: %ld)\n", counts.states, counts.distinct);
    ::testing::Test::RecordProperty("crash_states", std::to_string(counts.states));
  }

 private:
  CrashEnv env_;
  Options options_;
  std::unique_ptr<Database> db_;
  Records model_;
  History history_;
};

}  // namespace textdb::testing

#endif  // TEXTDB_TESTS_CRASH_CRASH_HARNESS_H_
