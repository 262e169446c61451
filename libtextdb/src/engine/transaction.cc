// Transactions: applying a set of record changes to the data files all or nothing. See
// include/textdb/db.h; the durable part is storage/commit.h.
//
// A commit re-reads every partition it changes under the exclusive lock and applies its
// operations to that current text (so a hand edit or another process's commit made meanwhile is
// never overwritten unseen), edits only the stanzas concerned (the lossless writer keeps every
// other byte), checks the schema, uniqueness and references, and hands the new file contents to
// CommitFiles.
#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <unordered_map>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "engine/database_impl.h"
#include "schema/value_types.h"
#include "textdb/query.h"

namespace textdb {

void Transaction::Put(std::string table, deb822::Stanza record) {
  ops_.push_back({Op::Kind::kPut, std::move(table), std::move(record), {}, {}});
}

void Transaction::Insert(std::string table, deb822::Stanza record) {
  ops_.push_back({Op::Kind::kInsert, std::move(table), std::move(record), {}, {}});
}

void Transaction::Update(std::string table, std::vector<std::string> key,
                         std::vector<std::pair<std::string, std::optional<std::string>>> fields) {
  ops_.push_back({Op::Kind::kUpdate, std::move(table), {}, std::move(key), std::move(fields)});
}

void Transaction::Delete(std::string table, std::vector<std::string> key) {
  ops_.push_back({Op::Kind::kDelete, std::move(table), {}, std::move(key), {}});
}

Status Transaction::Commit() {
  std::vector<Op> ops = std::move(ops_);
  ops_.clear();
  return db_->Commit(std::move(ops));
}

namespace {

std::string NowDateTime() {
  const auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(now));
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uint64_t hi = rng();
  std::uint64_t lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull);
}

}  // namespace

namespace internal {

// `records` (encoded key, record) sorted in the key order of `schema` [S-121]. PERF: each key is
// split once (into views, allocating nothing per key), not at each of the n log n comparisons of
// the sort.
void SortInKeyOrder(const Schema& schema,
                    std::vector<std::pair<const std::string*, deb822::Stanza*>>* records) {
  struct Item {
    const std::string* key;
    deb822::Stanza* record;
    const std::string_view* components;  // `width` of them; null when the key does not split
  };
  const std::size_t width = schema.key().size();
  std::vector<std::string_view> components(records->size() * width);
  std::vector<Item> items;
  items.reserve(records->size());
  for (const auto& [key, record] : *records) {
    std::string_view* out = components.data() + items.size() * width;
    const bool split = SplitKeyInto(*key, std::span(out, width));
    items.push_back({key, record, split ? out : nullptr});
  }
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    if (a.components == nullptr || b.components == nullptr) {
      return CompareKeys(schema, *a.key, *b.key) < 0;
    }
    for (std::size_t i = 0; i < width; ++i) {
      const FieldType type = schema.fields()[schema.key()[i]].type;
      if (const int c = CompareValues(type, a.components[i], b.components[i]); c != 0) {
        return c < 0;
      }
    }
    return false;
  });
  for (std::size_t i = 0; i < items.size(); ++i) (*records)[i] = {items[i].key, items[i].record};
}

// One partition file as the commit sees it: its current text plus the commit's edits. Inserts
// and removals are collected and applied in one pass at the end (Finish), so a bulk import into
// one partition costs O(n log n), not O(n^2).
class Work {
 private:
  static constexpr std::size_t kAdded = static_cast<std::size_t>(-1);
  struct Entry {
    std::size_t position = kAdded;  // index in doc_ of a record of the file, or kAdded
    deb822::Stanza added;           // for kAdded: the record, when added_present
    bool added_present = false;
    std::uint64_t changed_by = 0;  // the transaction that last changed it (0: none)
  };
  using Node = std::pair<const std::string, Entry>;
  // The entries one transaction changed. A copy of a Work is made between transactions (to undo
  // the next one) and starts with none: the pointers would name the original's entries.
  struct ChangedList {
    std::uint64_t transaction = 0;
    std::vector<Node*> nodes;

    ChangedList() = default;
    ChangedList(const ChangedList&) {}
    ChangedList(ChangedList&&) = default;  // the nodes move with the map
    ChangedList& operator=(const ChangedList&) {
      transaction = 0;
      nodes.clear();
      return *this;
    }
    ChangedList& operator=(ChangedList&&) = default;
    ~ChangedList() = default;
  };

 public:
  // A record of the partition, by encoded key: one of the file, or one the commit adds.
  // PERF: one hashed lookup per operation finds the record, adds it and marks it changed (a
  // put of a new record made four lookups and a tree insertion of its key).
  class Slot {
   public:
    // The record as it stands in this commit, or null when it is absent.
    deb822::Stanza* record() const { return record_; }
    // REQUIRES: record() == nullptr. Makes `record` the record with this key.
    void Add(deb822::Stanza record) {
      Entry& entry = node_->second;
      if (entry.position != kAdded) {  // re-inserting a record this commit removed
        work_->erased_[entry.position] = false;
        record_ = &work_->doc_.stanza(entry.position);
      } else {
        record_ = &entry.added;
        entry.added_present = true;
      }
      *record_ = std::move(record);
    }
    // REQUIRES: record() != nullptr.
    void Remove() {
      Entry& entry = node_->second;
      if (entry.position != kAdded) {
        work_->erased_[entry.position] = true;
      } else {
        entry.added = deb822::Stanza();
        entry.added_present = false;
      }
      record_ = nullptr;
    }
    // Marks the record changed by transaction `transaction` (see Changed).
    void MarkChanged(std::uint64_t transaction) {
      ChangedList& changed = work_->changed_;
      if (changed.transaction != transaction) {
        changed.transaction = transaction;
        changed.nodes.clear();
      }
      if (node_->second.changed_by == transaction) return;
      node_->second.changed_by = transaction;
      changed.nodes.push_back(node_);
    }

   private:
    friend class Work;
    Work* work_ = nullptr;
    Node* node_ = nullptr;
    deb822::Stanza* record_ = nullptr;
  };

  Work(std::string table, const Schema* schema) : table_(std::move(table)), schema_(schema) {}

  const std::string& table() const { return table_; }
  const Schema& schema() const { return *schema_; }
  bool existed() const { return existed_; }

  // Takes the current file content. Fails when it does not parse or a record has no valid key
  // or a duplicate one: a commit never writes over a file it cannot read exactly.
  Status Read(std::string path, std::string content) {
    existed_ = true;
    original_ = content;
    deb822::ParseOptions options;
    options.file_name = path;
    Result<deb822::Document> doc = deb822::Parse(std::move(content), options);
    if (!doc.ok()) {
      return Status::InvalidData(
          fmt::format("{} (fix the file before writing to it)", doc.status().message()));
    }
    doc_ = std::move(doc).value();
    for (const deb822::Stanza& stanza : doc_.stanzas()) {
      Result<std::string> key = KeyOf(*schema_, stanza);
      if (!key.ok()) {
        return Status::InvalidData(
            fmt::format("{}:{}:1: error: {}", path, stanza.line(), key.status().message()));
      }
      Entry entry;
      entry.position = keys_.size();
      if (!entries_.emplace(*key, std::move(entry)).second) {
        return Status::InvalidData(fmt::format(
            "{}:{}:1: error: key stored twice in this file; fix it before writing [B-010]", path,
            stanza.line()));
      }
      keys_.push_back(std::move(key).value());
    }
    erased_.assign(keys_.size(), false);
    return Status::Ok();
  }

  // The slot of `key`, made (absent) when the key is new. It stays valid until Finish (the
  // entries are hashed nodes, the file's records a vector that only Finish resizes).
  Slot SlotOf(const std::string& key) {
    Slot slot;
    slot.work_ = this;
    slot.node_ = &*entries_.try_emplace(key).first;
    Entry& entry = slot.node_->second;
    if (entry.position != kAdded) {
      if (!erased_[entry.position]) slot.record_ = &doc_.stanza(entry.position);
    } else if (entry.added_present) {
      slot.record_ = &entry.added;
    }
    return slot;
  }

  // The record with `key` as it stands in this commit, or null.
  const deb822::Stanza* Find(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    const Entry& entry = it->second;
    if (entry.position != kAdded) {
      return erased_[entry.position] ? nullptr : &doc_.stanzas()[entry.position];
    }
    return entry.added_present ? &entry.added : nullptr;
  }

  // The records present that transaction `transaction` changed, in the order of their first
  // change. REQUIRES: `transaction` is the last one to change this Work, or none did since it
  // was made or copied.
  std::vector<std::pair<const std::string*, const deb822::Stanza*>> Changed(
      std::uint64_t transaction) const {
    std::vector<std::pair<const std::string*, const deb822::Stanza*>> out;
    if (changed_.transaction != transaction) return out;
    for (const Node* node : changed_.nodes) {
      const auto& [key, entry] = *node;
      if (entry.position != kAdded) {
        if (!erased_[entry.position]) out.emplace_back(&key, &doc_.stanzas()[entry.position]);
      } else if (entry.added_present) {
        out.emplace_back(&key, &entry.added);
      }
    }
    return out;
  }

  // Visits every record as it stands in this commit: the file's in file order, then those the
  // commit adds in key order (sorted at each call: O(m log m) for m of them).
  Status ForEach(const std::function<Status(const deb822::Stanza&, std::string_view)>& visit) {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (!erased_[i]) TEXTDB_RETURN_IF_ERROR(visit(doc_.stanzas()[i], keys_[i]));
    }
    for (const auto& [key, record] : Added()) TEXTDB_RETURN_IF_ERROR(visit(*record, *key));
    return Status::Ok();
  }

  // The new file content: nullopt to remove the file, the original when nothing changed.
  std::optional<std::string> Finish() {
    std::vector<std::pair<std::size_t, deb822::Stanza>> inserts;
    std::size_t at = 0;  // keep the file in key order
    for (const auto& [key, record] : Added()) {
      while (at < keys_.size() && CompareKeys(*schema_, keys_[at], *key) < 0) ++at;
      inserts.emplace_back(at, std::move(*record));
    }
    entries_.clear();
    changed_ = ChangedList();
    doc_.Edit(erased_, std::move(inserts));
    keys_.clear();
    erased_.assign(doc_.stanzas().size(), false);
    if (doc_.stanzas().empty()) return std::nullopt;
    return doc_.Write();
  }

  const std::string& original() const { return original_; }

 private:
  // The records this commit adds, in key order.
  std::vector<std::pair<const std::string*, deb822::Stanza*>> Added() {
    std::vector<std::pair<const std::string*, deb822::Stanza*>> out;
    for (auto& [key, entry] : entries_) {
      if (entry.position == kAdded && entry.added_present) out.emplace_back(&key, &entry.added);
    }
    SortInKeyOrder(*schema_, &out);
    return out;
  }

  std::string table_;
  const Schema* schema_;
  bool existed_ = false;
  std::string original_;
  deb822::Document doc_;
  std::vector<std::string> keys_;  // keys_[i] is the encoded key of doc_.stanzas()[i]
  std::vector<bool> erased_;       // erased_[i]: doc_.stanzas()[i] is removed by this commit
  // Every key the commit looked at: those of the file and those it adds. Hashed: canonical
  // encoded keys are equal exactly when their bytes are [S-120]; ordered only where order
  // matters (Added).
  std::unordered_map<std::string, Entry> entries_;
  ChangedList changed_;
};

// The partitions a commit reads and edits.
struct CommitContext {
  Env* env;
  const std::string& dir;
  const std::map<std::string, Schema, std::less<>>& schemas;
  std::map<std::string, Work> works;  // by path relative to the database directory
  std::uint64_t transactions = 0;     // how many ApplyTransaction began (each one's number)

  Result<const Schema*> SchemaOf(std::string_view table) const {
    auto it = schemas.find(table);
    if (it == schemas.end()) return Status::NotFound(fmt::format("no table '{}'", table));
    return &it->second;
  }

  // The partition `path` of `table`, read once per commit.
  Result<Work*> Load(const std::string& table, const Schema& schema, const std::string& path) {
    auto it = works.find(path);
    if (it != works.end()) return &it->second;
    Work work(table, &schema);
    Result<std::string> content = env->ReadFile(dir + "/" + path);
    if (content.ok()) {
      TEXTDB_RETURN_IF_ERROR(work.Read(path, std::move(content).value()));
    } else if (content.status().code() != StatusCode::kNotFound) {
      return content.status();
    }
    return &works.emplace(path, std::move(work)).first->second;
  }

  // Path of the partition holding encoded key `key` of `table`.
  Result<std::string> PathOf(const std::string& table, const Schema& schema,
                             std::string_view key) const {
    Result<std::vector<std::string>> components = DecodeKey(key);
    if (!components.ok()) return components.status();
    Result<std::string> rel =
        internal::PartitionPath(components->front(), internal::SchemeOf(schema));
    if (!rel.ok()) return rel.status();
    return table + "/" + *rel;
  }

  // Every record of `table` as it will be after this commit.
  Status ForEachRecord(
      const std::string& table, const Schema& schema,
      const std::function<Status(const deb822::Stanza&, std::string_view key)>& visit,
      const std::function<Result<std::vector<std::string>>()>& list) {
    Result<std::vector<std::string>> paths = list();
    if (!paths.ok()) return paths.status();
    std::set<std::string> all(paths->begin(), paths->end());
    for (const auto& [path, work] : works) {
      if (work.table() == table) all.insert(path);
    }
    for (const std::string& path : all) {
      Result<Work*> work = Load(table, schema, path);
      if (!work.ok()) return work.status();
      TEXTDB_RETURN_IF_ERROR((*work)->ForEach(visit));
    }
    return Status::Ok();
  }
};

}  // namespace internal

using internal::CommitContext;
using internal::Work;

// A commit waiting in Impl::commit_queue.
struct Database::Impl::PendingCommit {
  std::vector<Transaction::Op> ops;
  Status status;
  bool done = false;  // written (or failed) by the leader of its group
  std::condition_variable cv;
};

Status Database::Commit(std::vector<Transaction::Op> ops) {
  if (ops.empty()) return Status::Ok();
  Impl::PendingCommit me;
  me.ops = std::move(ops);
  std::unique_lock<std::mutex> queue_lock(impl_->commit_mu);
  impl_->commit_queue.push_back(&me);
  me.cv.wait(queue_lock, [&] { return me.done || impl_->commit_queue.front() == &me; });
  if (me.done) return me.status;
  // At the front: this thread writes its own commit and, in batch mode, those queued behind it.
  const std::size_t size =
      impl_->options.sync == SyncMode::kBatch ? impl_->commit_queue.size() : std::size_t{1};
  const std::vector<Impl::PendingCommit*> group(
      impl_->commit_queue.begin(), impl_->commit_queue.begin() + static_cast<std::ptrdiff_t>(size));
  queue_lock.unlock();
  impl_->CommitGroup(group);
  queue_lock.lock();
  for (Impl::PendingCommit* pending : group) {
    impl_->commit_queue.pop_front();
    if (pending != &me) {
      pending->done = true;
      pending->cv.notify_one();
    }
  }
  if (!impl_->commit_queue.empty()) impl_->commit_queue.front()->cv.notify_one();
  return me.status;
}

// Applies the transactions of `group` in order to one view of the files, each all or nothing
// (one that fails leaves no trace), and writes the result as one commit [C-032].
void Database::Impl::CommitGroup(const std::vector<PendingCommit*>& group) {
  const auto fail_all = [&](const Status& status) {
    for (PendingCommit* pending : group) pending->status = status;
  };
  if (broken) {
    return fail_all(Status::IOError(internal::kBrokenHandle));
  }
  Result<std::unique_ptr<FileLock>> lock = Lock(/*exclusive=*/true);
  if (!lock.ok()) return fail_all(lock.status());
  // Only a journal left by a writer that died needs finishing here; leftover temporary files
  // are swept at open, so a commit costs in proportion to its partitions, not the database.
  Status recovered = internal::Recover(env, dir, /*sweep_temp_files=*/false);
  if (!recovered.ok()) return fail_all(recovered);

  // Every table's schema as its file says now [B-021].
  std::set<std::string> names;  // those opened, and those the transactions name
  {
    std::lock_guard<std::mutex> guard(mu);
    for (const auto& [name, state] : tables) names.insert(name);
  }
  for (const PendingCommit* pending : group) {
    for (const Transaction::Op& op : pending->ops) names.insert(op.table);
  }
  std::map<std::string, Schema, std::less<>> schemas;
  for (const std::string& name : names) {
    Result<std::shared_ptr<const Schema>> schema = SchemaOf(name);
    if (!schema.ok()) {
      // A table whose schema file was removed is gone; one whose schema is invalid stops every
      // commit until it is fixed (its records could not be checked).
      if (schema.status().code() == StatusCode::kNotFound) continue;
      return fail_all(schema.status());
    }
    schemas.emplace(name, **schema);
  }
  CommitContext ctx{env, dir, schemas, {}};
  std::vector<PendingCommit*> applied;
  for (PendingCommit* pending : group) {
    std::map<std::string, Work> before;  // to undo a failed transaction of a group
    if (group.size() > 1) before = ctx.works;
    pending->status = ApplyTransaction(ctx, pending->ops);
    if (pending->status.ok()) {
      applied.push_back(pending);
    } else if (group.size() > 1) {
      ctx.works = std::move(before);
    }
  }
  if (applied.empty()) return;

  std::vector<internal::FileChange> changes;
  for (auto& [path, work] : ctx.works) {
    std::optional<std::string> content = work.Finish();
    if (!content.has_value()) {
      if (work.existed()) changes.push_back({path, std::nullopt});
    } else if (!work.existed() || *content != work.original()) {
      changes.push_back({path, std::move(content)});
    }
  }
  if (changes.empty()) return;
  internal::CommitOutcome outcome;
  const Status status = CommitFiles(changes, &outcome,
                                    options.sync == SyncMode::kFast ? internal::Durability::kNoSync
                                                                    : internal::Durability::kSync);
  {
    std::lock_guard<std::mutex> guard(mu);
    for (const internal::FileChange& change : changes) {
      const std::string table = change.path.substr(0, change.path.find('/'));
      auto it = tables.find(table);
      if (it != tables.end()) it->second.partitions.erase(change.path);
    }
  }
  for (PendingCommit* pending : applied) pending->status = status;
}

// Applies one transaction's operations to `ctx` and checks every record it changes (schema,
// uniqueness, references); on failure `ctx` may hold part of them (the caller discards it).
Status Database::Impl::ApplyTransaction(CommitContext& ctx, std::vector<Transaction::Op>& ops) {
  const std::uint64_t transaction = ++ctx.transactions;
  const std::map<std::string, Schema, std::less<>>& schemas = ctx.schemas;
  const auto lister = [this](const std::string& table, const Schema& schema) {
    return [this, table, &schema] { return ListPartitions(table, schema); };
  };
  // Largest integer value of `field` in `table` (after this commit's changes so far), for
  // AutoFill::kNextInteger.
  const auto next_integer = [&](const std::string& table, const Schema& schema,
                                const FieldSpec& field) -> Result<std::string> {
    std::string best;
    Status status = ctx.ForEachRecord(
        table, schema,
        [&](const deb822::Stanza& stanza, std::string_view) {
          std::optional<std::string_view> value = stanza.Get(field.name);
          if (value && CheckValue(field, *value).ok() &&
              (best.empty() || CompareValues(FieldType::kInteger, *value, best) > 0)) {
            best = std::string(*value);
          }
          return Status::Ok();
        },
        lister(table, schema));
    if (!status.ok()) return status;
    if (best.empty()) return std::string("1");
    // Decimal increment of a canonical integer of any length.
    std::string value = CanonicalValue(FieldType::kInteger, best);
    if (value.starts_with('-')) {
      return value == "-1" ? std::string("0") : std::string(value);  // not reached in practice
    }
    std::size_t i = value.size();
    while (i > 0 && value[i - 1] == '9') value[--i] = '0';
    if (i == 0) {
      value.insert(value.begin(), '1');
    } else {
      ++value[i - 1];
    }
    return value;
  };
  const auto fill = [&](const std::string& table, const Schema& schema, deb822::Stanza* record,
                        const deb822::Stanza* existing, bool key_only) -> Status {
    for (const FieldSpec& field : schema.fields()) {
      if (field.auto_fill == AutoFill::kNone) continue;
      if (key_only && !schema.IsKey(field.name)) continue;
      if (field.auto_fill == AutoFill::kModified) {
        if (!key_only) TEXTDB_RETURN_IF_ERROR(record->SetRaw(field.name, NowDateTime()));
        continue;
      }
      if (record->Find(field.name) != nullptr) continue;
      if (existing != nullptr) {
        if (auto kept = existing->Get(field.name)) {
          TEXTDB_RETURN_IF_ERROR(record->SetRaw(field.name, *kept));
        }
        continue;
      }
      std::string value;
      if (field.auto_fill == AutoFill::kUuid) {
        value = NewUuid();
      } else if (field.auto_fill == AutoFill::kCreated) {
        value = NowDateTime();
      } else {
        Result<std::string> next = next_integer(table, schema, field);
        if (!next.ok()) return next.status();
        value = std::move(next).value();
      }
      TEXTDB_RETURN_IF_ERROR(record->SetRaw(field.name, value));
    }
    return Status::Ok();
  };

  std::vector<std::pair<std::string, std::string>> deleted;  // table, encoded key
  for (Transaction::Op& op : ops) {
    Result<const Schema*> found = ctx.SchemaOf(op.table);
    if (!found.ok()) return found.status();
    const Schema& schema = **found;
    std::string key;
    if (op.kind == Transaction::Op::Kind::kPut || op.kind == Transaction::Op::Kind::kInsert) {
      TEXTDB_RETURN_IF_ERROR(fill(op.table, schema, &op.record, nullptr, /*key_only=*/true));
      Result<std::string> encoded = KeyOf(schema, op.record);
      if (!encoded.ok()) return encoded.status();
      key = std::move(encoded).value();
    } else {
      Result<std::pair<std::string, std::string>> where = Locate(op.table, schema, op.key);
      if (!where.ok()) return where.status();
      key = where->first;
    }
    Result<std::string> path = ctx.PathOf(op.table, schema, key);
    if (!path.ok()) return path.status();
    Result<Work*> loaded = ctx.Load(op.table, schema, *path);
    if (!loaded.ok()) return loaded.status();
    Work& work = **loaded;
    Work::Slot slot = work.SlotOf(key);
    deb822::Stanza* current = slot.record();
    const auto describe = [&] {
      Result<std::vector<std::string>> parts = DecodeKey(key);
      std::string out;
      for (const std::string& part : *parts) out += (out.empty() ? "" : " ") + part;
      return fmt::format("table '{}': record '{}'", op.table, out);
    };
    switch (op.kind) {
      case Transaction::Op::Kind::kInsert:
      case Transaction::Op::Kind::kPut: {
        if (current != nullptr && op.kind == Transaction::Op::Kind::kInsert) {
          return Status::Conflict(describe() + " exists already");
        }
        TEXTDB_RETURN_IF_ERROR(fill(op.table, schema, &op.record, current, false));
        if (current != nullptr) {
          // Replace field by field, so unchanged fields keep their exact bytes [L-002].
          for (const deb822::Field& field : op.record.fields()) {
            if (current->Get(field.name()) != field.value()) {
              TEXTDB_RETURN_IF_ERROR(current->SetRaw(field.name(), field.value()));
            }
          }
          std::vector<std::string> gone;
          for (const deb822::Field& field : current->fields()) {
            if (op.record.Find(field.name()) == nullptr) gone.emplace_back(field.name());
          }
          for (const std::string& name : gone) current->Remove(name);
        } else {
          slot.Add(std::move(op.record));
        }
        slot.MarkChanged(transaction);
        break;
      }
      case Transaction::Op::Kind::kUpdate: {
        if (current == nullptr) return Status::NotFound(describe() + " does not exist");
        for (const auto& [name, value] : op.fields) {
          if (schema.IsKey(name)) {
            return Status::InvalidArgument(fmt::format(
                "{}: field '{}' is part of the key; delete the record and insert it anew",
                describe(), name));
          }
          if (value.has_value()) {
            Status set = current->SetRaw(name, *value);
            if (!set.ok()) {
              return Status::InvalidData(
                  fmt::format("{}: field '{}': {}", describe(), name, set.message()));
            }
          } else {
            current->Remove(name);
          }
        }
        for (const FieldSpec& field : schema.fields()) {
          if (field.auto_fill == AutoFill::kModified) {
            TEXTDB_RETURN_IF_ERROR(current->SetRaw(field.name, NowDateTime()));
          }
        }
        slot.MarkChanged(transaction);
        break;
      }
      case Transaction::Op::Kind::kDelete: {
        if (current == nullptr) return Status::NotFound(describe() + " does not exist");
        slot.Remove();
        deleted.emplace_back(op.table, key);
        break;
      }
    }
  }

  // Schema, uniqueness and references of every changed record; nothing is written on failure.
  // The values of a field over a whole table are gathered once per commit (the commit's edits
  // are all applied by now), so these checks cost O(table + changes), not O(table * changes).
  std::map<std::tuple<std::string, std::string, FieldType>, std::multimap<std::string, std::string>>
      value_index;
  // Canonical values (as `type`) of field `name` over every record of `table` -> their keys.
  const auto values_of =
      [&](const std::string& table, const Schema& schema, const std::string& name,
          FieldType type) -> Result<const std::multimap<std::string, std::string>*> {
    const auto id = std::make_tuple(table, name, type);
    auto found = value_index.find(id);
    if (found != value_index.end()) return &found->second;
    std::multimap<std::string, std::string> values;
    // PERF: when the field has a secondary index of this type [I-005], the files this commit
    // does not change are not read: their values come from the index. (A list's index holds
    // elements, a unique list compares whole values, so lists are read.)
    const FieldSpec* spec = schema.Find(name);
    const std::vector<std::size_t> indexed = internal::IndexedFields(schema);
    std::optional<std::size_t> slot;
    for (std::size_t i = 0; i < indexed.size(); ++i) {
      if (spec != nullptr && &schema.fields()[indexed[i]] == spec && spec->type == type &&
          type != FieldType::kList) {
        slot = i;
      }
    }
    if (!slot) {
      TEXTDB_RETURN_IF_ERROR(ctx.ForEachRecord(
          table, schema,
          [&](const deb822::Stanza& record, std::string_view key) {
            if (auto v = record.Get(name)) {
              values.emplace(CanonicalValue(type, *v), std::string(key));
            }
            return Status::Ok();
          },
          lister(table, schema)));
      return &value_index.emplace(id, std::move(values)).first->second;
    }
    Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
        CurrentPartitions(table, schema, nullptr);
    if (!parts.ok()) return parts.status();
    for (const std::shared_ptr<const PartitionIndex>& part : *parts) {
      if (ctx.works.count(part->path) != 0) continue;
      const PartitionIndex::Secondary& secondary = part->secondary[*slot];
      for (std::size_t i = 0; i < secondary.distinct.size(); ++i) {
        const std::size_t end = i + 1 < secondary.distinct.size() ? secondary.distinct[i + 1].first
                                                                  : secondary.records.size();
        for (std::size_t r = secondary.distinct[i].first; r < end; ++r) {
          values.emplace(secondary.ValueAt(i), part->KeyAt(part->entries[secondary.records[r]]));
        }
      }
    }
    for (auto& [path, work] : ctx.works) {
      if (work.table() != table) continue;
      TEXTDB_RETURN_IF_ERROR(work.ForEach([&](const deb822::Stanza& record, std::string_view key) {
        std::optional<std::string_view> v = record.Get(name);
        if (v && CheckValue(*spec, *v).ok()) {
          values.emplace(CanonicalValue(type, *v), std::string(key));
        }
        return Status::Ok();
      }));
    }
    return &value_index.emplace(id, std::move(values)).first->second;
  };
  std::map<std::string, std::vector<Expression>> constraints;  // by table
  // Every record the transaction changed. Loading more partitions below (references) adds
  // works with nothing changed, and a std::map's iterators stay valid.
  for (auto& [path, work] : ctx.works) {
    for (const auto& [changed_key, changed_record] : work.Changed(transaction)) {
      const std::string& key = *changed_key;
      const deb822::Stanza& record = *changed_record;
      const Schema& schema = work.schema();
      const std::string& table = work.table();
      // Its key fields were checked when the key was made (KeyOf, for a put or a record read
      // from its file), and an update cannot change them.
      TEXTDB_RETURN_IF_ERROR(internal::CheckFields(schema, record, /*key_fields=*/false));
      // Record constraints, compiled once per table and commit.
      auto compiled = constraints.find(table);
      if (compiled == constraints.end()) {
        Result<std::vector<Expression>> made = CompileConstraints(schema);
        if (!made.ok()) return made.status();
        compiled = constraints.emplace(table, std::move(made).value()).first;
      }
      TEXTDB_RETURN_IF_ERROR(CheckConstraints(compiled->second, schema, record));
      for (const FieldSpec& field : schema.fields()) {
        if (!field.unique && field.references_table.empty()) continue;  // PERF: no lookup
        std::optional<std::string_view> value = record.Get(field.name);
        if (!value) continue;
        if (field.unique) {
          Result<const std::multimap<std::string, std::string>*> values =
              values_of(table, schema, field.name, field.type);
          if (!values.ok()) return values.status();
          const auto [first, last] = (*values)->equal_range(CanonicalValue(field.type, *value));
          for (auto it = first; it != last; ++it) {
            if (it->second == key) continue;
            return Status::InvalidData(fmt::format(
                "table '{}': field '{}': value '{}' is not unique (record {} has it too) [S-023]",
                table, field.name, *value, it->second));
          }
        }
        if (!field.references_table.empty()) {
          Result<const Schema*> target = ctx.SchemaOf(field.references_table);
          if (!target.ok()) return target.status();
          bool present = false;
          if (field.references_field.empty()) {
            Result<std::pair<std::string, std::string>> where =
                Locate(field.references_table, **target, {std::string(*value)});
            if (where.ok()) {
              Result<Work*> other = ctx.Load(field.references_table, **target, where->second);
              if (!other.ok()) return other.status();
              present = (*other)->Find(where->first) != nullptr;
            }
          } else if (const FieldSpec* target_field = (*target)->Find(field.references_field)) {
            Result<const std::multimap<std::string, std::string>*> values =
                values_of(field.references_table, **target, target_field->name, target_field->type);
            if (!values.ok()) return values.status();
            present = (*values)->count(CanonicalValue(target_field->type, *value)) > 0;
          }
          if (!present) {
            return Status::InvalidData(
                fmt::format("table '{}': field '{}': '{}' names no record of table '{}' [S-026]",
                            table, field.name, *value, field.references_table));
          }
        }
      }
    }
  }
  // A deleted record must not be referenced by a key reference of any table [S-026].
  for (const auto& [table, key] : deleted) {
    Result<std::vector<std::string>> parts = DecodeKey(key);
    if (parts->size() != 1) continue;
    const Schema& deleted_schema = schemas.at(table);
    const FieldType key_type = deleted_schema.fields()[deleted_schema.key()[0]].type;
    for (const auto& [other_table, other_schema] : schemas) {
      for (const FieldSpec& field : other_schema.fields()) {
        if (field.references_table != table || !field.references_field.empty()) continue;
        Result<const std::multimap<std::string, std::string>*> values =
            values_of(other_table, other_schema, field.name, key_type);
        if (!values.ok()) return values.status();
        auto referrer = (*values)->find(parts->front());
        if (referrer != (*values)->end()) {
          return Status::Conflict(fmt::format(
              "table '{}': record '{}' is still referenced by table '{}' field '{}' (record {}) "
              "[S-026]",
              table, parts->front(), other_table, field.name, referrer->second));
        }
      }
    }
  }

  return Status::Ok();
}

}  // namespace textdb
