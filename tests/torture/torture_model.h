// Shared by the process-level torture tests (format-spec/durability-process.md): a database
// layout of two tables over several partitions, a deterministic generator of random
// transactions, the in-memory model those transactions are checked against, and helpers to run
// a transaction against a Database and to read a worker's records back.
//
// Each worker process owns the keys that contain "w<worker>n", so several workers share one
// database without touching each other's records, and each worker's part of the database can be
// checked against its own model.
#ifndef TEXTDB_TESTS_TORTURE_TORTURE_MODEL_H_
#define TEXTDB_TESTS_TORTURE_TORTURE_MODEL_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "textdb/db.h"

namespace textdb::torture {

// Table `alpha`: depth 2 (partition directories appear and are created by commits); `beta`:
// depth 1. Keys start with one of four letters, so both spread over several partitions.
inline constexpr char kAlphaSchema[] =
    "Table: alpha\n"
    "Key: Id\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Count\n"
    "Type: integer\n"
    "\n"
    "Field: Note\n";
inline constexpr char kBetaSchema[] =
    "Table: beta\n"
    "Key: Id\n"
    "Partition-Depth: 1\n"
    "\n"
    "Field: Id\n"
    "\n"
    "Field: Count\n"
    "Type: integer\n"
    "\n"
    "Field: Note\n";
inline const std::vector<std::string> kTables = {"alpha", "beta"};

// table -> key -> (field -> raw value)
using Record = std::map<std::string, std::string>;
using Model = std::map<std::string, std::map<std::string, Record>>;

struct Op {
  enum class Kind { kInsert, kUpdate, kDelete } kind;
  std::string table;
  std::string key;
  Record fields;  // kInsert: the whole record; kUpdate: the fields set
};
using Txn = std::vector<Op>;

// The worker's records of `model` (keys containing "w<worker>n").
inline std::string WorkerTag(int worker) { return fmt::format("w{}n", worker); }

// Transaction number `t` of worker `worker`: 1 to 6 operations over both tables, chosen from
// `seed`, `worker`, `t` and the worker's current records (so the same call in the worker and in
// the checking parent gives the same transaction). Updates and deletes name existing keys;
// inserts new ones; no key is touched twice in one transaction.
inline Txn GenerateTxn(std::uint64_t seed, int worker, std::uint64_t t, const Model& model) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(worker) * 7919 +
                      t * 104729);
  const std::string tag = WorkerTag(worker);
  Txn txn;
  std::map<std::string, std::vector<std::string>> touched;
  const int n_ops = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < n_ops; ++i) {
    const std::string& table = kTables[rng() % kTables.size()];
    std::vector<std::string> existing;
    if (auto it = model.find(table); it != model.end()) {
      for (const auto& [key, record] : it->second) {
        if (key.find(tag) != std::string::npos) existing.push_back(key);
      }
    }
    auto is_touched = [&](const std::string& key) {
      for (const std::string& k : touched[table]) {
        if (k == key) return true;
      }
      return false;
    };
    const unsigned choice = static_cast<unsigned>(rng() % 10);
    // Keep about 16 records per worker and table: above that, delete more than insert.
    const bool many = existing.size() > 16;
    if (existing.empty() || choice < (many ? 2U : 5U)) {
      const char letter = static_cast<char>('a' + rng() % 4);
      const char second = static_cast<char>('a' + rng() % 2);
      std::string key =
          fmt::format("{}{}-{}{}", letter, second, tag, t * 8 + static_cast<std::uint64_t>(i));
      Op op{Op::Kind::kInsert, table, key, {}};
      op.fields["Id"] = key;
      op.fields["Count"] = std::to_string(rng() % 1000);
      op.fields["Note"] = fmt::format("inserted by txn {} of worker {}", t, worker);
      touched[table].push_back(key);
      txn.push_back(std::move(op));
      continue;
    }
    const std::string& key = existing[rng() % existing.size()];
    if (is_touched(key)) continue;
    touched[table].push_back(key);
    if (choice < (many ? 6U : 8U)) {
      Op op{Op::Kind::kUpdate, table, key, {}};
      op.fields["Count"] = std::to_string(rng() % 100000);
      if (rng() % 2 == 0) op.fields["Note"] = fmt::format("updated by txn {}", t);
      txn.push_back(std::move(op));
    } else {
      txn.push_back(Op{Op::Kind::kDelete, table, key, {}});
    }
  }
  return txn;
}

inline void Apply(const Txn& txn, Model* model) {
  for (const Op& op : txn) {
    auto& table = (*model)[op.table];
    switch (op.kind) {
      case Op::Kind::kInsert:
        table[op.key] = op.fields;
        break;
      case Op::Kind::kUpdate:
        for (const auto& [name, value] : op.fields) table[op.key][name] = value;
        break;
      case Op::Kind::kDelete:
        table.erase(op.key);
        break;
    }
  }
}

// Commits `txn` through `db`.
inline Status CommitTxn(Database* db, const Txn& txn) {
  Transaction transaction = db->Begin();
  for (const Op& op : txn) {
    switch (op.kind) {
      case Op::Kind::kInsert: {
        deb822::Stanza stanza;
        for (const char* name : {"Id", "Count", "Note"}) {
          TEXTDB_RETURN_IF_ERROR(stanza.SetRaw(name, op.fields.at(name)));
        }
        transaction.Insert(op.table, std::move(stanza));
        break;
      }
      case Op::Kind::kUpdate: {
        std::vector<std::pair<std::string, std::optional<std::string>>> fields;
        for (const auto& [name, value] : op.fields) fields.emplace_back(name, value);
        transaction.Update(op.table, {op.key}, std::move(fields));
        break;
      }
      case Op::Kind::kDelete:
        transaction.Delete(op.table, {op.key});
        break;
    }
  }
  return transaction.Commit();
}

// Every record of the database, as the model represents it.
inline Result<Model> ReadAll(Database* db) {
  Model model;
  for (const std::string& table : kTables) {
    auto& records = model[table];
    TEXTDB_RETURN_IF_ERROR(db->Scan(table, "", [&](const textdb::Record& record) {
      Record fields;
      for (const deb822::Field& field : record.stanza().fields()) {
        fields[std::string(field.name())] = std::string(field.value());
      }
      records[fields["Id"]] = std::move(fields);
      return true;
    }));
  }
  return model;
}

// The records of `worker` in `model`.
inline Model WorkerPart(const Model& model, int worker) {
  const std::string tag = WorkerTag(worker);
  Model part;
  for (const std::string& table : kTables) {
    auto& out = part[table];
    if (auto it = model.find(table); it != model.end()) {
      for (const auto& [key, record] : it->second) {
        if (key.find(tag) != std::string::npos) out[key] = record;
      }
    }
  }
  return part;
}

}  // namespace textdb::torture

#endif  // TEXTDB_TESTS_TORTURE_TORTURE_MODEL_H_
