// ops_fuzzer: a structure-aware libFuzzer target for the storage engine (textdb/db.h): the input
// is read as a sequence of operations on an in-memory database, checked after each one against
// a simple model (key -> value). Operations (first byte of each, modulo 6):
//   0 put KEY VALUE          a transaction with one Put
//   1 delete KEY             a transaction with one Delete (kNotFound, changing nothing, when
//                            the key is absent)
//   2 transaction N (KEY VALUE|delete)...  1-4 operations on distinct keys, all or nothing
//   3 reopen                 a new handle (recovery runs)
//   4 hand edit KEY VALUE    the data file holding KEY rewritten directly, as an editor would,
//                            with KEY's value changed (or KEY added); the handle must see it
//                            [B-020]
//   5 crash N KEY VALUE      a put whose Nth I/O operation and all later ones fail (the process
//                            "dies" there), then a new handle: the state is the old one or the
//                            new one, never a mix, and the new one when the commit returned OK
//                            [C-006], [R-001]
// Contracts: the model and a full scan agree after every operation; every error is a Status (no
// crash, no hang); Check finds nothing at the end. A violated check prints what failed and
// aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "fault_env.h"
#include "textdb/db.h"

namespace {

using Model = std::map<std::string, std::string>;

// The partition "a" is split [P-014]: "a" is in a.deb822, "a1" in a/a1.deb822.
constexpr const char* kKeys[] = {"a", "a1", "a2", "b1", "b2", "c1", "c2", "d1"};
constexpr char kSchema[] =
    "Table: t\n"
    "Key: Id\n"
    "Partition-Depth: 1\n"
    "Partition-Split: a\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Value\n";

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "ops_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string Key() { return kKeys[Byte() % 8]; }
  std::string Value() { return "v" + std::to_string(Byte()); }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

std::string Describe(const Model& model) {
  std::string text;
  for (const auto& [key, value] : model) text += key + "=" + value + " ";
  return text;
}

class Harness {
 public:
  Harness() : base_(textdb::NewMemEnv()), fault_(base_.get()) {
    if (!textdb::Database::Create("/db", &fault_).ok()) Fail("setup", "create");
    Reopen();
    if (!db_->CreateTable(kSchema).ok()) Fail("setup", "create table");
  }

  void Reopen() {
    db_.reset();
    textdb::Options options;
    options.env = &fault_;
    auto db = textdb::Database::Open("/db", options);
    if (!db.ok()) Fail("open failed", db.status().ToString());
    db_ = std::move(db).value();
  }

  Model Stored() {
    Model stored;
    const textdb::Status status = db_->Scan("t", "", [&](const textdb::Record& record) {
      stored[std::string(*record.Get("Id"))] = std::string(*record.Get("Value"));
      return true;
    });
    if (!status.ok()) Fail("scan failed", status.ToString());
    return stored;
  }

  void Expect(const Model& model, const char* after) {
    const Model stored = Stored();
    if (stored != model)
      Fail(after, "stored: " + Describe(stored) + "\nmodel:  " + Describe(model));
  }

  // One transaction of (key, value or delete) on distinct keys; applies it to *model when it
  // must succeed. Returns the commit's status.
  textdb::Status Commit(const std::vector<std::pair<std::string, std::optional<std::string>>>& ops,
                        Model* model) {
    textdb::Transaction txn = db_->Begin();
    Model next = *model;
    bool must_fail = false;
    for (const auto& [key, value] : ops) {
      if (value) {
        textdb::deb822::Stanza stanza;
        if (!stanza.SetRaw("Id", key).ok() || !stanza.SetRaw("Value", *value).ok()) {
          Fail("setup", key);
        }
        txn.Put("t", std::move(stanza));
        next[key] = *value;
      } else {
        txn.Delete("t", {key});
        if (next.erase(key) == 0) must_fail = true;
      }
    }
    const textdb::Status status = txn.Commit();
    if (must_fail) {
      if (status.code() != textdb::StatusCode::kNotFound) {
        Fail("deleting an absent key did not fail with kNotFound", status.ToString());
      }
    } else if (!status.ok()) {
      Fail("a valid transaction failed", status.ToString());
    } else {
      *model = std::move(next);
    }
    return status;
  }

  // The data file of `key`, relative to the table directory.
  static std::string FileOf(const std::string& key) {
    return key.size() > 1 && key[0] == 'a' ? "a/" + key.substr(0, 2) + ".deb822"
                                           : key.substr(0, 1) + ".deb822";
  }

  // Rewrites the data file of `key`'s partition from *model, with `key` set to `value`.
  void HandEdit(const std::string& key, const std::string& value, Model* model) {
    (*model)[key] = value;
    std::string text;
    for (const auto& [k, v] : *model) {
      if (FileOf(k) != FileOf(key)) continue;
      if (!text.empty()) text += "\n";
      text += "Id: " + k + "\nValue: " + v + "\n";
    }
    if (FileOf(key).find('/') != std::string::npos) {
      (void)base_->CreateDir("/db/t/a");  // fails when it exists, which is fine
    }
    auto file = base_->NewWritableFile("/db/t/" + FileOf(key), false);
    if (!file.ok() || !(*file)->Append(text).ok() || !(*file)->Close().ok()) {
      Fail("hand edit", key);
    }
  }

  void Crash(long fail_at, const std::string& key, const std::string& value, Model* model) {
    Model next = *model;
    next[key] = value;
    fault_.FailAt(fail_at, /*persistent=*/true);
    textdb::Transaction txn = db_->Begin();
    textdb::deb822::Stanza stanza;
    if (!stanza.SetRaw("Id", key).ok() || !stanza.SetRaw("Value", value).ok()) Fail("setup", key);
    txn.Put("t", std::move(stanza));
    const textdb::Status status = txn.Commit();
    db_.reset();  // the process "dies": nothing more reaches the files
    fault_.FailAt(0, false);
    Reopen();
    const Model stored = Stored();
    if (stored == next) {
      *model = std::move(next);
    } else if (status.ok() || stored != *model) {
      Fail(status.ok() ? "an acknowledged commit was lost" : "a crash left a mix",
           "stored: " + Describe(stored) + "\nold: " + Describe(*model) +
               "\nnew: " + Describe(next) + "\nstatus: " + status.ToString());
    }
  }

  textdb::Database* db() { return db_.get(); }

 private:
  std::unique_ptr<textdb::Env> base_;
  textdb::testing::FaultEnv fault_;
  std::unique_ptr<textdb::Database> db_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input input(data, size);
  Harness harness;
  Model model;
  for (int steps = 0; !input.empty() && steps < 64; ++steps) {
    switch (input.Byte() % 6) {
      case 0: {
        const std::string key = input.Key();
        (void)harness.Commit({{key, input.Value()}}, &model);
        break;
      }
      case 1:
        (void)harness.Commit({{input.Key(), std::nullopt}}, &model);
        break;
      case 2: {
        std::vector<std::pair<std::string, std::optional<std::string>>> ops;
        std::set<std::string> used;
        const int n = 1 + input.Byte() % 4;
        for (int i = 0; i < n; ++i) {
          const std::string key = input.Key();
          const bool remove = input.Byte() % 3 == 0;
          if (!used.insert(key).second) continue;
          ops.emplace_back(key, remove ? std::nullopt : std::optional(input.Value()));
        }
        (void)harness.Commit(ops, &model);
        break;
      }
      case 3:
        harness.Reopen();
        break;
      case 4: {
        const std::string key = input.Key();
        harness.HandEdit(key, input.Value(), &model);
        break;
      }
      case 5: {
        const long fail_at = 1 + input.Byte() % 64;
        const std::string key = input.Key();
        harness.Crash(fail_at, key, input.Value(), &model);
        break;
      }
    }
    harness.Expect(model, "the database and the model differ");
  }
  std::vector<std::string> problems;
  if (!harness.db()->Check(&problems).ok()) {
    Fail("Check failed", problems.empty() ? "" : problems.front());
  }
  return 0;
}
