// The storage engine: see include/textdb/db.h and format-spec/storage.md.
//
// Data flows one way: files (Env) -> deb822 parsing (format/) -> per-partition offset index
// (here) -> LRU cache of parsed records (cache/) -> Record. Writes go the other way through the
// commit protocol (storage/commit.h). The partition of a key is computed by text/partition.h.
#include "textdb/db.h"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <span>

#include "engine/database_impl.h"
#include "format/stanza_views.h"
#include "schema/value_types.h"
#include "textdb/query.h"

namespace textdb {

using internal::kMarkerFile;
using internal::kMarkerText;
using internal::kStateDir;

namespace {

// The types of the key fields of `schema`, in key order.
std::vector<FieldType> KeyTypes(const Schema& schema) {
  std::vector<FieldType> types;
  for (std::size_t index : schema.key()) types.push_back(schema.fields()[index].type);
  return types;
}

// The slot of the secondary index of `field` [I-002], or kInvalidArgument saying how to add one.
Result<std::size_t> IndexSlot(std::string_view table, const Schema& schema,
                              std::string_view field) {
  const FieldSpec* spec = schema.Find(field);
  if (spec == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "table '{}' declares no field '{}'; to look records up by it, add a field stanza "
        "'Field: {}' with 'Index: yes' to {}/{} and reopen the database [S-023]",
        table, field, field, table, kSchemaFile));
  }
  const std::vector<std::size_t> indexed = internal::IndexedFields(schema);
  for (std::size_t slot = 0; slot < indexed.size(); ++slot) {
    if (&schema.fields()[indexed[slot]] == spec) return slot;
  }
  return Status::InvalidArgument(fmt::format(
      "table '{}': field '{}' has no secondary index; add 'Index: yes' to its field stanza in "
      "{}/{} and reopen the database [S-023]",
      table, spec->name, table, kSchemaFile));
}

// What a lookup of `value` searches the index of `field` for [I-004]: its canonical value, or
// for a list field the one element it holds. kInvalidArgument when it is not a valid value.
Result<std::string> LookupValue(std::string_view table, const FieldSpec& field,
                                std::string_view value) {
  Status valid = CheckValue(field, value);
  if (!valid.ok()) {
    return Status::InvalidArgument(fmt::format("table '{}': lookup: {}", table, valid.message()));
  }
  if (field.type != FieldType::kList) return CanonicalValue(field.type, value);
  const std::vector<std::string_view> elements = internal::SplitList(value);
  if (elements.size() != 1) {
    return Status::InvalidArgument(fmt::format(
        "table '{}': lookup: field '{}': {} holds {} list elements; expected exactly one, as the "
        "index of a list field holds its elements one by one [I-003]",
        table, field.name, internal::QuoteForMessage(value), elements.size()));
  }
  return std::string(elements.front());
}

// The canonical values of a range bound [I-010]; kInvalidArgument when it has more values than
// the key has fields or a value is not valid for its field's type. `which` is "begin" or "end".
Result<std::vector<std::string>> RangeBound(std::string_view table, const Schema& schema,
                                            std::string_view which,
                                            const std::vector<std::string>& raw) {
  if (raw.size() > schema.key().size()) {
    return Status::InvalidArgument(
        fmt::format("table '{}': range {} has {} values; expected at most {}, one per key field",
                    table, which, raw.size(), schema.key().size()));
  }
  std::vector<std::string> out;
  for (std::size_t k = 0; k < raw.size(); ++k) {
    const FieldSpec& spec = schema.fields()[schema.key()[k]];
    // Order needs a valid value of the type only: a Pattern or an enum's Values do not matter.
    FieldSpec type_only;
    type_only.name = spec.name;
    type_only.type = spec.type == FieldType::kEnum ? FieldType::kString : spec.type;
    Status valid = CheckValue(type_only, raw[k]);
    if (!valid.ok()) {
      return Status::InvalidArgument(
          fmt::format("table '{}': range {}: {}", table, which, valid.message()));
    }
    out.push_back(CanonicalValue(spec.type, raw[k]));
  }
  return out;
}

// Compares a key (its canonical components) with a range bound [I-011]: the bound's n values
// with the key's first n components, by type. So a key that starts with a bound is not before
// `begin` and not before `end` either.
int CompareWithBound(const std::vector<FieldType>& types, std::span<const std::string_view> key,
                     const std::vector<std::string>& bound) {
  for (std::size_t k = 0; k < bound.size(); ++k) {
    const int c = CompareValues(types[k], key[k], bound[k]);
    if (c != 0) return c;
  }
  return 0;
}

// Orders two bounds by type, a bound before the longer ones it starts: when begin >= end in this
// order no key is in [begin, end) [I-011].
int CompareBounds(const std::vector<FieldType>& types, const std::vector<std::string>& a,
                  const std::vector<std::string>& b) {
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k) {
    const int c = CompareValues(types[k], a[k], b[k]);
    if (c != 0) return c;
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

std::string_view CommonPrefix(std::string_view a, std::string_view b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return a.substr(0, n);
}

// [I-012] Range pruning: a folded text that the folded first key component [P-010] of every
// key whose canonical first component c lies in lo <= c <= hi (by `type`) starts with, so that
// a partition for which PartitionMayHold(partition, prefix) is false holds no key of the range;
// "" when nothing is provable (debversion, whose order is not a text order).
std::string RangePrefix(FieldType type, std::string_view lo, std::string_view hi) {
  std::string_view shared;
  switch (type) {
    case FieldType::kString:
    case FieldType::kEnum: {
      // Byte order: every c in [lo, hi] starts with L = CommonPrefix(lo, hi), and its byte after
      // L (if any) is at most hi's. Folding L + x yields Fold(L) + Fold(x) when x is empty or
      // starts with an ASCII character, which neither composes with nor reorders around what
      // precedes it (NFD, case folding and NFC all have a boundary before it). So L serves when
      // hi's byte after L is ASCII (or hi == L, and then c == L); otherwise L is cut before its
      // last ASCII byte, which every c repeats.
      shared = CommonPrefix(lo, hi);
      if (shared.size() < hi.size() && static_cast<unsigned char>(hi[shared.size()]) >= 0x80) {
        std::size_t ascii = shared.size();
        while (ascii > 0 && static_cast<unsigned char>(shared[ascii - 1]) >= 0x80) --ascii;
        shared = shared.substr(0, ascii == 0 ? 0 : ascii - 1);
      }
      break;
    }
    case FieldType::kDate:
      // Fixed-width ASCII whose byte order is chronological [S-104].
      shared = CommonPrefix(lo, hi);
      break;
    case FieldType::kDateTime:
      // Canonically "YYYY-MM-DDTHH:MM:SS" then an optional fraction and "Z" [S-105]: the first
      // 19 bytes order as the instant truncated to the second.
      shared = CommonPrefix(lo.substr(0, 19), hi.substr(0, 19));
      break;
    case FieldType::kInteger:
    case FieldType::kDecimal: {
      // Canonical numbers of one sign whose integer parts have the same number of digits order
      // as those integer parts' bytes (then by fraction), and every number between them has
      // such an integer part too [S-101, S-102].
      const std::string_view lo_int = lo.substr(0, lo.find('.'));
      const std::string_view hi_int = hi.substr(0, hi.find('.'));
      if (lo_int.size() == hi_int.size() && lo_int.starts_with('-') == hi_int.starts_with('-')) {
        shared = CommonPrefix(lo_int, hi_int);
      }
      break;
    }
    case FieldType::kDebVersion:
      // An epoch, "~" and letters make dpkg order unlike any text order [S-109].
      break;
    case FieldType::kBoolean:
    case FieldType::kList:
      break;  // not key types [S-031]
  }
  Result<std::string> folded = internal::FoldKey(shared);
  return folded.ok() ? std::move(folded).value() : std::string();
}

// Positions of the hits of `selection` in key order [S-121].
std::vector<std::uint32_t> KeyOrder(const Schema& schema, const internal::Selection& selection) {
  const std::vector<FieldType> types = KeyTypes(schema);
  std::vector<std::uint32_t> order(selection.hits.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::span<const std::string_view> ka = selection.KeyOf(a);
    const std::span<const std::string_view> kb = selection.KeyOf(b);
    for (std::size_t k = 0; k < types.size(); ++k) {
      const int c = CompareValues(types[k], ka[k], kb[k]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  return order;
}

// Selects the records of selection->parts holding `canonical` in secondary index `slot`.
void SelectByValue(std::size_t slot, std::string_view canonical, internal::Selection* selection) {
  for (std::size_t p = 0; p < selection->parts.size(); ++p) {
    const PartitionIndex& part = *selection->parts[p];
    if (slot >= part.secondary.size()) continue;  // a partition without records
    for (std::uint32_t position : part.secondary[slot].Find(canonical)) {
      selection->Add(static_cast<std::uint32_t>(p), &part.entries[position]);
    }
  }
}

Status ChangedWhileRead(const std::string& path) {
  return Status::Conflict(fmt::format("{}: the file changed while it was read; try again", path));
}

}  // namespace

// [I-002], [I-003]
void internal::IndexedValues::Add(const FieldSpec& field, std::uint32_t slot, std::uint32_t record,
                                  std::string_view raw) {
  if (!CheckValue(field, raw).ok()) return;
  const auto push = [&](std::string_view value) {
    if (arena.size() + value.size() > std::numeric_limits<std::uint32_t>::max()) {
      too_large = true;
      return;
    }
    items.push_back({slot, record, static_cast<std::uint32_t>(arena.size()),
                     static_cast<std::uint32_t>(value.size())});
    arena.append(value);
  };
  switch (field.type) {
    case FieldType::kList:
      for (std::string_view element : SplitList(raw)) push(element);
      break;
    case FieldType::kString:
    case FieldType::kEnum:
      push(raw);  // PERF: the canonical form is the value itself; no copy
      break;
    default:
      push(CanonicalValue(field.type, raw));
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Opening

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

const std::string& Database::dir() const { return impl_->dir; }

namespace {

// The lines `textdb init` makes sure each git file of the database directory holds [B-005].
// Part of the on-disk format; see format-spec/storage.md.
struct GitFile {
  std::string_view name;
  std::string_view lines;  // each ends with '\n'
};
constexpr GitFile kGitFiles[] = {
    {".gitignore", "/.textdb/\n.*.textdb-tmp-*\n"},
    {".gitattributes", "*.deb822 merge=textdb diff=textdb\n"},
};

// `existing` with every line of `wanted` it lacks appended (after a line feed, when `existing`
// does not end with one). Lines compare exactly.
std::string WithLines(std::string existing, std::string_view wanted) {
  std::set<std::string_view> have;
  for (std::string_view rest = existing; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    have.insert(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  std::string missing;
  for (std::string_view rest = wanted; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    if (!have.contains(rest.substr(0, end))) missing.append(rest.substr(0, end + 1));
    rest = rest.substr(end + 1);
  }
  if (!missing.empty() && !existing.empty() && !existing.ends_with('\n')) existing += '\n';
  return existing + missing;
}

}  // namespace

Status Database::Create(const std::string& dir, Env* env) {
  if (env == nullptr) env = Env::Default();
  TEXTDB_RETURN_IF_ERROR(env->CreateDir(dir));
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok()) return names.status();
  // [B-005]: a git repository's own files may be there already (`git init` first).
  for (const std::string& name : *names) {
    if (name != ".git" && name != ".gitignore" && name != ".gitattributes") {
      return Status::Conflict(fmt::format("{}: directory is not empty", dir));
    }
  }
  std::vector<internal::FileChange> files = {{std::string(kMarkerFile), std::string(kMarkerText)}};
  for (const GitFile& git_file : kGitFiles) {
    std::string existing;
    if (std::find(names->begin(), names->end(), git_file.name) != names->end()) {
      Result<std::string> text = env->ReadFile(dir + "/" + std::string(git_file.name));
      if (!text.ok()) return text.status();
      existing = std::move(text).value();
    }
    std::string wanted = WithLines(existing, git_file.lines);
    if (wanted != existing) files.push_back({std::string(git_file.name), std::move(wanted)});
  }
  TEXTDB_RETURN_IF_ERROR(env->CreateDir(dir + "/" + std::string(kStateDir)));
  TEXTDB_RETURN_IF_ERROR(env->SyncDir(dir));
  internal::CommitOutcome outcome;
  return internal::CommitFiles(env, dir, files, &outcome);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, const Options& options) {
  auto impl = std::make_unique<Impl>(dir, options);
  Env* env = impl->env;
  Result<std::string> marker = env->ReadFile(impl->Abs(kMarkerFile));
  if (!marker.ok()) {
    if (marker.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(
          fmt::format("{}: not a textdb database (no {} file)", dir, kMarkerFile));
    }
    return marker.status();
  }
  if (!marker->starts_with(kMarkerText)) {
    return Status::InvalidData(
        fmt::format("{}/{}:1:1: error: expected '{}' as the first line [B-001]", dir, kMarkerFile,
                    kMarkerText.substr(0, kMarkerText.size() - 1)));
  }
  Result<std::unique_ptr<Directory>> root = env->OpenDirectory(dir);
  if (!root.ok()) return root.status();
  impl->root = std::move(root).value();
  TEXTDB_RETURN_IF_ERROR(env->CreateDir(impl->Abs(kStateDir)));
  {
    // finish or discard an interrupted commit before anything is read.
    Result<std::unique_ptr<FileLock>> lock = impl->Lock(/*exclusive=*/true);
    if (!lock.ok()) return lock.status();
    TEXTDB_RETURN_IF_ERROR(internal::Recover(env, dir, options.sweep_temp_files));
  }
  Result<std::vector<DirEntry>> entries = env->ListDirEntries(dir);
  if (!entries.ok()) return entries.status();
  for (const DirEntry& entry : *entries) {
    const std::string& name = entry.name;
    if (name.starts_with('.') || entry.type != FileInfo::Type::kDirectory) continue;
    const std::string schema_path = name + "/" + std::string(kSchemaFile);
    Result<FileInfo> stamp = env->Stat(impl->Abs(schema_path));
    if (!stamp.ok()) {
      if (stamp.status().code() == StatusCode::kNotFound) continue;  // not a table
      return stamp.status();
    }
    Result<std::string> text = env->ReadFile(impl->Abs(schema_path));
    if (!text.ok()) return text.status();
    Result<TableState> table = Impl::LoadTable(name, schema_path, *stamp, std::move(text).value());
    if (!table.ok()) return table.status();
    impl->tables.emplace(name, std::move(table).value());
  }
  if (options.preload) TEXTDB_RETURN_IF_ERROR(impl->Preload(options.threads));
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

std::vector<std::string> Database::Tables() const {
  std::lock_guard<std::mutex> guard(impl_->mu);
  std::vector<std::string> names;
  for (const auto& [name, state] : impl_->tables) names.push_back(name);
  return names;
}

Result<Schema> Database::GetSchema(std::string_view table) const {
  Result<std::shared_ptr<const Schema>> schema = impl_->SchemaOf(table);
  if (!schema.ok()) return schema.status();
  return **schema;
}

Status Database::CreateTable(const std::string& schema_text) {
  Result<Schema> schema = ParseSchema(schema_text, kSchemaFile);
  if (!schema.ok()) return schema.status();
  const std::string name = schema->table();
  if (!internal::IsSafeRelativePath(name) || name.find('/') != std::string::npos ||
      name.starts_with('.')) {
    return Status::InvalidArgument(fmt::format("'{}' cannot name a table directory", name));
  }
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/true);
  if (!lock.ok()) return lock.status();
  {
    std::lock_guard<std::mutex> guard(impl_->mu);
    if (impl_->tables.count(name) != 0) {
      return Status::Conflict(fmt::format("table '{}' exists", name));
    }
  }
  Result<FileInfo> existing = impl_->env->Stat(impl_->Abs(name));
  if (existing.ok()) {
    return Status::Conflict(fmt::format("{}: exists already", impl_->Abs(name)));
  }
  if (impl_->broken) return Status::IOError(internal::kBrokenHandle);
  internal::CommitOutcome outcome;
  const Status committed =
      impl_->CommitFiles({{name + "/" + std::string(kSchemaFile), WriteSchema(*schema)}}, &outcome);
  TEXTDB_RETURN_IF_ERROR(committed);
  TableState state;  // its schema_stamp is unknown: the next use stats the file [B-021]
  state.schema = std::make_shared<const Schema>(std::move(schema).value());
  std::lock_guard<std::mutex> guard(impl_->mu);
  impl_->tables.emplace(name, std::move(state));
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Reading

Result<Record> Database::Get(std::string_view table, const std::vector<std::string>& key) {
  // REQUIRES: the shared lock is held, or an unlocked read is under way [C-012].
  const auto get = [&]() -> Result<Record> {
    Result<std::shared_ptr<const Schema>> found_schema = impl_->SchemaOf(table);
    if (!found_schema.ok()) return found_schema.status();
    const Schema& schema = **found_schema;
    Result<std::pair<std::string, std::string>> where = impl_->Locate(table, schema, key);
    if (!where.ok()) return where.status();
    const auto& [encoded, path] = *where;
    for (int attempt = 0; attempt < 2; ++attempt) {
      Result<std::shared_ptr<const PartitionIndex>> part = impl_->FreshPartition(table, path);
      if (!part.ok()) return part.status();
      if (!(*part)->problem.ok()) return (*part)->problem;
      const PartitionIndex::Entry* entry = (*part)->Find(encoded);
      if (entry == nullptr) {
        return Status::NotFound(
            fmt::format("table '{}': no record with key '{}'", table, KeyForMessages(key)));
      }
      const internal::StanzaCacheKey cache_key = (*part)->CacheKey(*entry);
      if (auto hit = impl_->cache.Lookup(cache_key)) {
        return Record(std::move(hit), path, entry->line);
      }
      Result<std::string> bytes = impl_->ReadRange(path, entry->offset, entry->length);
      if (!bytes.ok()) return bytes.status();
      const std::size_t charge = bytes->size() + 64;
      deb822::ParseOptions parse_options;
      parse_options.file_name = path;
      Result<deb822::Document> doc = deb822::Parse(std::move(bytes).value(), parse_options);
      // The file may have been edited by hand since it was indexed: then look again.
      if (!doc.ok() || doc->stanzas().size() != 1) continue;
      Result<std::string> found_key = KeyOf(schema, doc->stanzas()[0]);
      if (!found_key.ok() || *found_key != encoded) continue;
      Record record(std::make_shared<const deb822::Stanza>(std::move(doc->stanza(0))), path,
                    entry->line);
      impl_->cache.Insert(cache_key, record.stanza_, charge);
      return record;
    }
    return Status::Conflict(
        fmt::format("{}: the file keeps changing while it is read; try again", impl_->Abs(path)));
  };
  // [C-012] First without the lock; what it found stands when no writer ran meanwhile.
  if (std::optional<std::uint64_t> seen = impl_->process_lock.BeginUnlockedRead()) {
    Result<Record> record = get();
    if (impl_->process_lock.UnlockedReadValid(*seen)) return record;
  }
  // The lock first: the schema is checked against its file under it [B-021].
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  return get();
}

Status Database::Scan(std::string_view table, std::string_view prefix,
                      const std::function<bool(const Record&)>& visit) {
  // The lock first: the schema is checked against its file under it [B-021].
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  Result<std::shared_ptr<const Schema>> found = impl_->SchemaOf(table);
  if (!found.ok()) return found.status();
  const Schema& schema = **found;
  std::string folded_prefix;
  if (!prefix.empty()) {
    Result<std::string> folded = internal::FoldKey(prefix);
    if (!folded.ok()) return folded.status();
    folded_prefix = std::move(folded).value();
  }
  const auto may_hold = [&](const internal::Partition& partition) {
    return internal::PartitionMayHold(partition, folded_prefix);
  };
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
      folded_prefix.empty() ? impl_->CurrentPartitions(table, schema, nullptr)
                            : impl_->CurrentPartitions(table, schema, may_hold);
  if (!parts.ok()) return parts.status();
  internal::Selection selection(schema.key().size());
  selection.parts = std::move(parts).value();
  for (std::size_t p = 0; p < selection.parts.size(); ++p) {
    for (const PartitionIndex::Entry& entry : selection.parts[p]->entries) {
      const std::span<const std::string_view> key =
          selection.Add(static_cast<std::uint32_t>(p), &entry);
      if (folded_prefix.empty()) continue;
      Result<std::string> folded = internal::FoldKey(key.front());
      if (!folded.ok() || !folded->starts_with(folded_prefix)) selection.Pop();
    }
  }
  return impl_->VisitInKeyOrder(schema, &selection, /*fill_cache=*/false, visit);
}

Status Database::ScanParallel(std::string_view table,
                              const std::function<bool(const deb822::Stanza&)>& filter,
                              const std::function<bool(const Record&)>& visit) {
  return impl_->ScanParallel(table, nullptr, filter, visit);
}

namespace {

// `fields` without repeats; names compare ignoring ASCII case [F-024].
std::vector<std::string> UniqueFieldNames(const std::vector<std::string>& fields) {
  std::vector<std::string> unique;
  for (const std::string& name : fields) {
    if (std::none_of(unique.begin(), unique.end(), [&](const std::string& seen) {
          return internal::EqualsIgnoreAsciiCase(seen, name);
        })) {
      unique.push_back(name);
    }
  }
  return unique;
}

}  // namespace

Status Database::ScanParallel(std::string_view table, const std::vector<std::string>& fields,
                              const std::function<bool(const deb822::Stanza&)>& filter,
                              const std::function<bool(const Record&)>& visit) {
  const std::vector<std::string> unique = UniqueFieldNames(fields);
  return impl_->ScanParallel(table, &unique, filter, visit);
}

Result<std::uint64_t> Database::Count(std::string_view table,
                                      const std::vector<std::string>& fields,
                                      const std::function<bool(const deb822::Stanza&)>& filter) {
  const std::vector<std::string> unique = UniqueFieldNames(fields);
  std::uint64_t count = 0;
  const Status counted = impl_->ScanParallel(
      table, &unique, filter, [](const Record&) { return true; }, &count);
  if (!counted.ok()) return counted;
  return count;
}

Status Database::Impl::ScanParallel(std::string_view table,
                                    const std::vector<std::string>* projected,
                                    const std::function<bool(const deb822::Stanza&)>& filter,
                                    const std::function<bool(const Record&)>& visit,
                                    std::uint64_t* count) {
  Result<std::unique_ptr<FileLock>> lock = Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  Result<std::shared_ptr<const Schema>> found = SchemaOf(table);
  if (!found.ok()) return found.status();
  const Schema& schema = **found;
  // Each partition is read once, in chunks, indexed when it must be, and parsed chunk by chunk
  // on the loading threads; what `filter` accepts is kept per partition with its encoded key,
  // then everything is visited in key order here. With a projection, the filter sees a stanza of
  // views into the chunk holding the projected fields (PERF: records it rejects are not
  // parsed), and only the records it accepts are parsed.
  struct Accepted {
    std::string key;
    Record record;
  };
  // What `filter` accepted in one partition (`hits`; only their number, `accepted`, when
  // counting), and how many stanzas it saw there. INVARIANT: describes the partition's reading
  // since its last start (`first`), so a file read again from its start is not counted twice.
  struct Partial {
    std::vector<Accepted> hits;
    std::size_t accepted = 0;
    std::size_t stanzas = 0;
  };
  std::mutex partials_mu;
  std::map<std::size_t, Partial> partials;  // by partition position; one thread fills each
  const PartitionConsumer consume = [&](std::size_t c, const std::string& path,
                                        std::string_view chunk, std::uint32_t first_line,
                                        bool first, const ChunkRecords* records) -> Status {
    Partial* partial = nullptr;
    {
      std::lock_guard<std::mutex> guard(partials_mu);
      partial = &partials[c];
    }
    if (first) *partial = Partial();
    deb822::ParseOptions parse_options;
    parse_options.file_name = path;
    // Keeps `stanza`, which `filter` accepted, as a hit; `line` is its line in the file.
    const auto keep = [&](const deb822::Stanza& stanza, std::uint32_t line) -> Status {
      if (count != nullptr) {
        ++partial->accepted;
        return Status::Ok();
      }
      Result<std::string> key = KeyOf(schema, stanza);
      if (!key.ok()) return ChangedWhileRead(Abs(path));
      partial->hits.push_back(
          Accepted{std::move(key).value(),
                   Record(std::make_shared<const deb822::Stanza>(stanza), path, line)});
      return Status::Ok();
    };
    deb822::Stanza view;
    // `filter` on a parsed stanza: on the projected fields alone when there is a projection;
    // `line` is the record's line in the file (the stanza's own is in what was parsed).
    const auto accepts = [&](const deb822::Stanza& stanza, std::uint32_t line) {
      if (projected == nullptr) return filter(stanza);
      deb822::StanzaViews::Reset(&view, line);
      for (const deb822::Field& field : stanza.fields()) {
        if (std::any_of(projected->begin(), projected->end(),
                        [&](const std::string& name) { return field.Is(name); })) {
          deb822::StanzaViews::Add(&view, field.name(), field.value());
        }
      }
      return filter(view);
    };
    if (records == nullptr) {
      Result<deb822::Document> doc = deb822::Parse(std::string(chunk), parse_options);
      // These bytes passed the index's scanner when they were indexed (here or, with the same
      // stamp, before): failing now, they changed meanwhile.
      if (!doc.ok()) return ChangedWhileRead(Abs(path));
      partial->stanzas += doc->stanzas().size();
      for (const deb822::Stanza& stanza : doc->stanzas()) {
        const std::uint32_t line = first_line - 1 + stanza.line();
        if (accepts(stanza, line)) TEXTDB_RETURN_IF_ERROR(keep(stanza, line));
      }
      return Status::Ok();
    }
    partial->stanzas += records->size();
    // What the filter said of each record from its views; a record whose values need a parse
    // is decided on the parsed stanza.
    enum class Verdict : std::uint8_t { kRejected, kAccepted, kOnParse };
    std::vector<Verdict> verdicts(records->size(), Verdict::kRejected);
    std::size_t to_parse = 0;
    for (std::size_t i = 0; i < records->size(); ++i) {
      const FieldCollector::Span& span = records->span(i);
      if (span.needs_parse) {
        verdicts[i] = Verdict::kOnParse;
      } else {
        deb822::StanzaViews::Reset(&view, span.line);
        for (std::size_t j = 0; j < records->count; ++j) {
          const std::string_view value = records->value(i, j);
          if (value.data() != nullptr) deb822::StanzaViews::Add(&view, (*projected)[j], value);
        }
        if (filter(view)) verdicts[i] = Verdict::kAccepted;
      }
      if (verdicts[i] == Verdict::kOnParse ||
          (verdicts[i] == Verdict::kAccepted && count == nullptr)) {
        ++to_parse;
      }
    }
    if (count != nullptr) {  // what the views decided is counted, not parsed
      partial->accepted += static_cast<std::size_t>(
          std::count(verdicts.begin(), verdicts.end(), Verdict::kAccepted));
    }
    if (to_parse == 0) return Status::Ok();
    // PERF: parsing a record alone costs about 2.5 times its share of a parse of the whole
    // chunk, so when more than a third of the chunk is to be parsed, the whole chunk is.
    std::optional<deb822::Document> whole;
    if (to_parse * 3 > records->size()) {
      Result<deb822::Document> doc = deb822::Parse(std::string(chunk), parse_options);
      if (!doc.ok() || doc->stanzas().size() != records->size()) return ChangedWhileRead(Abs(path));
      whole = std::move(doc).value();
    }
    for (std::size_t i = 0; i < records->size(); ++i) {
      if (verdicts[i] == Verdict::kRejected) continue;
      if (verdicts[i] == Verdict::kAccepted && count != nullptr) continue;  // counted above
      const FieldCollector::Span& span = records->span(i);
      std::optional<deb822::Document> alone;
      if (!whole) {
        Result<deb822::Document> doc = deb822::Parse(
            std::string(chunk.substr(span.begin, span.end - span.begin)), parse_options);
        if (!doc.ok() || doc->stanzas().size() != 1) return ChangedWhileRead(Abs(path));
        alone = std::move(doc).value();
      }
      const deb822::Stanza& stanza = whole ? whole->stanzas()[i] : alone->stanzas()[0];
      if (verdicts[i] == Verdict::kOnParse && !accepts(stanza, span.line)) continue;
      TEXTDB_RETURN_IF_ERROR(keep(stanza, span.line));
    }
    return Status::Ok();
  };
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
      CurrentPartitions(table, schema, nullptr, &consume, projected);
  if (!parts.ok()) return parts.status();
  std::vector<Accepted*> order;
  for (std::size_t c = 0; c < parts->size(); ++c) {
    auto it = partials.find(c);
    const std::size_t seen = it == partials.end() ? 0 : it->second.stanzas;
    if (seen != (*parts)[c]->entries.size()) return ChangedWhileRead(Abs((*parts)[c]->path));
    if (it == partials.end()) continue;
    if (count != nullptr) *count += it->second.accepted;
    for (Accepted& hit : it->second.hits) order.push_back(&hit);
  }
  if (count != nullptr) return Status::Ok();
  std::stable_sort(order.begin(), order.end(), [&](const Accepted* a, const Accepted* b) {
    return CompareKeys(schema, a->key, b->key) < 0;
  });
  for (const Accepted* hit : order) {
    if (!visit(hit->record)) break;
  }
  return Status::Ok();
}

Result<std::uint64_t> Database::Count(std::string_view table) {
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  Result<std::shared_ptr<const Schema>> found = impl_->SchemaOf(table);
  if (!found.ok()) return found.status();
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
      impl_->CurrentPartitions(table, **found, nullptr);
  if (!parts.ok()) return parts.status();
  std::uint64_t count = 0;
  for (const std::shared_ptr<const PartitionIndex>& part : *parts) count += part->entries.size();
  return count;
}

Status Database::ScanRange(std::string_view table, const std::vector<std::string>& begin,
                           const std::vector<std::string>& end,
                           const std::function<bool(const Record&)>& visit) {
  // The lock first: the schema is checked against its file under it [B-021].
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  Result<std::shared_ptr<const Schema>> found = impl_->SchemaOf(table);
  if (!found.ok()) return found.status();
  const Schema& schema = **found;
  const std::vector<FieldType> types = KeyTypes(schema);
  Result<std::vector<std::string>> lo = RangeBound(table, schema, "begin", begin);
  if (!lo.ok()) return lo.status();
  Result<std::vector<std::string>> hi = RangeBound(table, schema, "end", end);
  if (!hi.ok()) return hi.status();
  const bool bounded = !lo->empty() && !hi->empty();
  if (bounded && CompareBounds(types, *lo, *hi) >= 0) return Status::Ok();  // empty [I-011]
  const std::string prefix = bounded ? RangePrefix(types[0], lo->front(), hi->front()) : "";
  const auto may_hold = [&](const internal::Partition& partition) {
    return internal::PartitionMayHold(partition, prefix);
  };
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
      prefix.empty() ? impl_->CurrentPartitions(table, schema, nullptr)
                     : impl_->CurrentPartitions(table, schema, may_hold);
  if (!parts.ok()) return parts.status();
  internal::Selection selection(schema.key().size());
  selection.parts = std::move(parts).value();
  for (std::size_t p = 0; p < selection.parts.size(); ++p) {
    for (const PartitionIndex::Entry& entry : selection.parts[p]->entries) {
      const std::span<const std::string_view> key =
          selection.Add(static_cast<std::uint32_t>(p), &entry);
      if ((!lo->empty() && CompareWithBound(types, key, *lo) < 0) ||
          (!hi->empty() && CompareWithBound(types, key, *hi) >= 0)) {
        selection.Pop();
      }
    }
  }
  return impl_->VisitInKeyOrder(schema, &selection, /*fill_cache=*/false, visit);
}

Status Database::Lookup(std::string_view table, std::string_view field, std::string_view value,
                        const std::function<bool(const Record&)>& visit) {
  // The lock first: the schema is checked against its file under it [B-021].
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  Result<std::shared_ptr<const Schema>> found = impl_->SchemaOf(table);
  if (!found.ok()) return found.status();
  const Schema& schema = **found;
  Result<std::size_t> slot = IndexSlot(table, schema, field);
  if (!slot.ok()) return slot.status();
  const FieldSpec& spec = schema.fields()[internal::IndexedFields(schema)[*slot]];
  Result<std::string> canonical = LookupValue(table, spec, value);
  if (!canonical.ok()) return canonical.status();
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
      impl_->CurrentPartitions(table, schema, nullptr);
  if (!parts.ok()) return parts.status();
  internal::Selection selection(schema.key().size());
  selection.parts = std::move(parts).value();
  SelectByValue(*slot, *canonical, &selection);
  return impl_->VisitInKeyOrder(schema, &selection, /*fill_cache=*/true, visit);
}

// ---------------------------------------------------------------------------------------------
// Reading several partitions (Database::Impl; declared in database_impl.h)

Result<std::vector<std::shared_ptr<const PartitionIndex>>> Database::Impl::CurrentPartitions(
    std::string_view table, const Schema& schema,
    const std::function<bool(const internal::Partition&)>& wanted, const PartitionConsumer* consume,
    const std::vector<std::string>* projected) {
  const internal::PartitionScheme scheme = internal::SchemeOf(schema);
  PartitionMap known;  // a snapshot: no file is touched while `mu` is held
  {
    std::lock_guard<std::mutex> guard(mu);
    auto state = tables.find(table);
    if (state == tables.end()) return Status::NotFound(fmt::format("no table '{}'", table));
    known = state->second.partitions;
  }
  std::vector<std::string> paths;
  std::vector<FileInfo> stamps;
  TEXTDB_RETURN_IF_ERROR(
      WalkTable(std::string(table), "", DataFilesOf(schema), &paths, nullptr, &stamps, &known));
  std::vector<std::size_t> chosen(paths.size());  // indices into paths, in path order
  std::iota(chosen.begin(), chosen.end(), std::size_t{0});
  std::sort(chosen.begin(), chosen.end(),
            [&](std::size_t a, std::size_t b) { return paths[a] < paths[b]; });
  std::vector<std::string> listed;  // every data file, sorted
  for (std::size_t i : chosen) listed.push_back(paths[i]);
  if (wanted != nullptr) {
    std::erase_if(chosen, [&](std::size_t i) {
      const std::optional<internal::Partition> partition =
          internal::PartitionPrefixOf(std::string_view(paths[i]).substr(table.size() + 1), scheme);
      return !partition || !wanted(*partition);
    });
  }
  std::vector<std::shared_ptr<const PartitionIndex>> out(chosen.size());
  std::vector<std::size_t> stale;  // indices into chosen and out
  for (std::size_t c = 0; c < chosen.size(); ++c) {
    auto it = known.find(paths[chosen[c]]);
    if (it != known.end()) out[c] = it->second;
    // PERF: a consumer reads the file anyway, so a racy file is indexed again from that read
    // rather than read once more by IsFresh to compare its checksum.
    if (out[c] == nullptr || (consume != nullptr && out[c]->racy) ||
        !IsFresh(*out[c], &stamps[chosen[c]])) {
      stale.push_back(c);
    }
  }
  std::vector<Status> consumed;
  if (consume == nullptr) {
    std::vector<std::uint64_t> sizes;
    for (std::size_t c : stale) sizes.push_back(stamps[chosen[c]].size);
    const std::vector<std::size_t> order = LargestFirst(sizes);
    ParallelFor(stale.size(), options.threads, [&](std::size_t k) {
      const std::size_t s = order[k];
      out[stale[s]] = LoadPartition(table, schema, paths[chosen[stale[s]]]);
    });
  } else {
    std::vector<bool> is_stale(chosen.size(), false);
    for (std::size_t c : stale) is_stale[c] = true;
    consumed.resize(chosen.size());
    std::vector<std::uint64_t> sizes;
    for (std::size_t c = 0; c < chosen.size(); ++c) sizes.push_back(stamps[chosen[c]].size);
    const std::vector<std::size_t> order = LargestFirst(sizes);
    ParallelFor(chosen.size(), options.threads, [&](std::size_t k) {
      const std::size_t c = order[k];
      const std::string& path = paths[chosen[c]];
      const ChunkSink sink = [&](std::string_view chunk, std::uint32_t first_line, bool first,
                                 const ChunkRecords* records) {
        return (*consume)(c, path, chunk, first_line, first, records);
      };
      if (is_stale[c]) {
        out[c] = LoadPartition(table, schema, path, &sink, &consumed[c], projected);
        return;
      }
      const PartitionIndex& part = *out[c];
      if (!part.problem.ok() || !part.exists) return;
      std::uint64_t bytes = 0;
      std::uint32_t crc = 0;
      std::uint32_t line = 1;
      FieldCollector collector;
      if (projected != nullptr) {
        collector.names.assign(projected->begin(), projected->end());
      }
      const Status read = ReadInParagraphs(
          Abs(path),
          [&](std::string_view chunk, std::uint64_t base) {
            internal::EncodingIssue issue;
            const bool collected =
                projected != nullptr &&
                !internal::FindEncodingIssue(chunk, 0, /*allow_crlf=*/false, &issue) &&
                collector.Scan(chunk, line, nullptr);
            const ChunkRecords records{&collector, 0, collector.names.size()};
            consumed[c] = sink(chunk, line, base == 0, collected ? &records : nullptr);
            line += static_cast<std::uint32_t>(std::count(chunk.begin(), chunk.end(), '\n'));
            return consumed[c].ok();
          },
          &bytes, part.racy ? &crc : nullptr);
      if (!read.ok()) consumed[c] = read;
      if (!consumed[c].ok()) return;
      // The bytes read are the indexed ones: same stamp (and checksum, for a racy file).
      Result<FileInfo> stamp = root->Stat(path);
      if (!stamp.ok() || !SameStamp(*stamp, part.stamp) || bytes != part.bytes ||
          (part.racy && crc != part.crc)) {
        consumed[c] = ChangedWhileRead(Abs(path));
      }
    });
  }
  {
    std::lock_guard<std::mutex> guard(mu);
    PartitionMap& current = tables.find(table)->second.partitions;
    for (std::size_t c : stale) current[paths[chosen[c]]] = out[c];
    // Forget the files that are gone (removed by hand or by a commit).
    std::erase_if(current, [&](const auto& entry) {
      return !std::binary_search(listed.begin(), listed.end(), entry.first);
    });
  }
  for (const std::shared_ptr<const PartitionIndex>& part : out) {
    if (!part->problem.ok()) return part->problem;
  }
  for (const Status& failure : consumed) TEXTDB_RETURN_IF_ERROR(failure);
  return out;
}

Status Database::Impl::VisitInKeyOrder(const Schema& schema, internal::Selection* selection,
                                       bool fill_cache,
                                       const std::function<bool(const Record&)>& visit) {
  // What each partition must read: the byte range its selected records span.
  struct Source {
    std::uint64_t begin = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t end = 0;
    std::uint64_t needed = 0;  // bytes of the selected records
    std::size_t left = 0;      // selected records not visited yet
    bool loaded = false;
    std::string text;  // the range [begin, end) once loaded, until the last record is visited
  };
  std::vector<Source> sources(selection->parts.size());
  // The bytes just read are those indexed when the file still has the indexed stamp (it is not
  // racy: a change since would have changed the stamp).
  const auto still_indexed = [this](const PartitionIndex& part) -> Status {
    Result<FileInfo> stamp = root->Stat(part.path);
    if (!stamp.ok() && stamp.status().code() != StatusCode::kNotFound) return stamp.status();
    if (!stamp.ok() || !SameStamp(*stamp, part.stamp)) return ChangedWhileRead(Abs(part.path));
    return Status::Ok();
  };
  for (const internal::Selection::Hit& hit : selection->hits) {
    Source& source = sources[hit.part];
    source.begin = std::min<std::uint64_t>(source.begin, hit.entry->offset);
    source.end =
        std::max<std::uint64_t>(source.end, std::uint64_t{hit.entry->offset} + hit.entry->length);
    source.needed += hit.entry->length;
    ++source.left;
  }
  for (std::uint32_t index : KeyOrder(schema, *selection)) {
    const internal::Selection::Hit& hit = selection->hits[index];
    const PartitionIndex& part = *selection->parts[hit.part];
    const PartitionIndex::Entry& entry = *hit.entry;
    Source& source = sources[hit.part];
    const std::string_view key = part.KeyAt(entry);
    const internal::StanzaCacheKey cache_key = part.CacheKey(entry);
    Record record(nullptr, part.path, entry.line);  // its stanza is set below, from either side
    if (auto cached = cache.Lookup(cache_key)) {
      record.stanza_ = std::move(cached);
    } else {
      std::string bytes;
      if (part.racy) {
        // Same size and mtime prove nothing for a file this recent: read it whole and compare
        // its checksum with the indexed content's.
        if (!source.loaded) {
          Result<std::string> text = env->ReadFile(Abs(part.path));
          if (!text.ok()) return text.status();
          if (text->size() != part.bytes || internal::Crc32c(*text) != part.crc) {
            return ChangedWhileRead(Abs(part.path));
          }
          source.begin = 0;
          source.text = std::move(text).value();
          source.loaded = true;
        }
        bytes = source.text.substr(entry.offset, entry.length);
      } else if (source.end - source.begin <= 4 * source.needed) {
        if (!source.loaded) {
          const std::uint64_t span = source.end - source.begin;
          Result<std::string> text =
              ReadRange(part.path, source.begin, static_cast<std::size_t>(span));
          if (!text.ok()) return text.status();
          if (text->size() != span) return ChangedWhileRead(Abs(part.path));
          TEXTDB_RETURN_IF_ERROR(still_indexed(part));
          source.text = std::move(text).value();
          source.loaded = true;
        }
        bytes = source.text.substr(entry.offset - source.begin, entry.length);
      } else {
        Result<std::string> text = ReadRange(part.path, entry.offset, entry.length);
        if (!text.ok()) return text.status();
        TEXTDB_RETURN_IF_ERROR(still_indexed(part));
        bytes = std::move(text).value();
      }
      const std::size_t charge = bytes.size() + 64;
      deb822::ParseOptions parse_options;
      parse_options.file_name = part.path;
      Result<deb822::Document> doc = deb822::Parse(std::move(bytes), parse_options);
      if (!doc.ok() || doc->stanzas().size() != 1) return ChangedWhileRead(Abs(part.path));
      Result<std::string> found_key = KeyOf(schema, doc->stanzas()[0]);
      if (!found_key.ok() || *found_key != key) return ChangedWhileRead(Abs(part.path));
      record.stanza_ = std::make_shared<const deb822::Stanza>(std::move(doc->stanza(0)));
      if (fill_cache) cache.Insert(cache_key, record.stanza_, charge);
    }
    if (--source.left == 0) source.text = std::string();
    if (!visit(record)) return Status::Ok();
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Database::Impl::KeysWithIndexedValue(std::string_view table,
                                                                      std::string_view field,
                                                                      std::string_view canonical) {
  Result<std::shared_ptr<const Schema>> found = SchemaOf(table);
  if (!found.ok()) return found.status();
  const Schema& schema = **found;
  Result<std::size_t> slot = IndexSlot(table, schema, field);
  if (!slot.ok()) return slot.status();
  Result<std::vector<std::shared_ptr<const PartitionIndex>>> parts =
      CurrentPartitions(table, schema, nullptr);
  if (!parts.ok()) return parts.status();
  internal::Selection selection(schema.key().size());
  selection.parts = std::move(parts).value();
  SelectByValue(*slot, canonical, &selection);
  std::vector<std::string> keys;
  for (std::uint32_t index : KeyOrder(schema, selection)) {
    const internal::Selection::Hit& hit = selection.hits[index];
    keys.emplace_back(selection.parts[hit.part]->KeyAt(*hit.entry));
  }
  return keys;
}

DatabaseStats Database::Stats() const {
  DatabaseStats stats;
  {
    std::lock_guard<std::mutex> guard(impl_->mu);
    for (const auto& [name, state] : impl_->tables) {
      for (const auto& [path, part] : state.partitions) {
        if (!part->exists) continue;
        ++stats.partitions;
        stats.records += part->entries.size();
        stats.bytes += part->bytes;
        stats.index_bytes += part->MemoryBytes();
      }
    }
  }
  const internal::CacheStats cache = impl_->cache.Stats();
  stats.cache_hits = cache.hits;
  stats.cache_misses = cache.misses;
  stats.cache_evictions = cache.evictions;
  stats.cache_bytes = cache.bytes;
  return stats;
}

Status Database::Check(std::vector<std::string>* problems) {
  const std::size_t before = problems->size();
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  if (impl_->env->Stat(impl_->Abs(".textdb/journal")).ok()) {
    problems->push_back(fmt::format(
        "{}/.textdb/journal: error: an interrupted commit is pending; open the database for "
        "writing to finish it [R-001]",
        impl_->dir));
  }
  for (const std::string& table : Tables()) {
    Result<Schema> schema = GetSchema(table);
    if (!schema.ok()) {  // the schema file changed since open and is invalid now [B-021]
      problems->push_back(schema.status().message());
      continue;
    }
    Result<std::vector<Expression>> constraints = CompileConstraints(*schema);
    if (!constraints.ok()) {
      problems->push_back(
          fmt::format("{}/{}: error: {}", table, kSchemaFile, constraints.status().message()));
      constraints = std::vector<Expression>();
    }
    std::vector<std::string> data;
    std::vector<std::string> other;
    Status walked = impl_->WalkTable(table, "", Impl::DataFilesOf(*schema), &data, &other);
    if (!walked.ok()) {
      problems->push_back(walked.message());
      continue;
    }
    for (const std::string& path : other) {
      const std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
      if (internal::IsTempFileName(name)) {
        problems->push_back(fmt::format(
            "{}: error: temporary file left by an interrupted commit; opening the database "
            "for writing removes it [R-002]",
            path));
      }
    }
    for (const std::string& path : data) {
      std::shared_ptr<PartitionIndex> part = impl_->LoadPartition(table, *schema, path);
      Result<std::string> content = impl_->env->ReadFile(impl_->Abs(path));
      if (!content.ok()) {
        problems->push_back(content.status().message());
        continue;
      }
      deb822::ParseOptions parse_options;
      parse_options.file_name = path;
      std::vector<deb822::Diagnostic> diagnostics;
      Result<deb822::Document> doc =
          deb822::Parse(std::move(content).value(), parse_options, &diagnostics);
      if (!doc.ok()) {  // [B-012]: every syntax error of the file, not only the first
        if (diagnostics.empty()) problems->push_back(doc.status().message());
        for (const deb822::Diagnostic& diagnostic : diagnostics) {
          problems->push_back(diagnostic.ToString());
        }
        continue;
      }
      if (!part->problem.ok()) {
        problems->push_back(part->problem.message());
        continue;
      }
      for (const deb822::Stanza& stanza : doc->stanzas()) {
        Status valid = CheckRecord(*schema, stanza);
        if (valid.ok()) valid = CheckConstraints(*constraints, *schema, stanza);
        if (!valid.ok()) {
          problems->push_back(
              fmt::format("{}:{}:1: error: {}", path, stanza.line(), valid.message()));
        }
      }
    }
  }
  if (problems->size() == before) return Status::Ok();
  return Status::InvalidData(fmt::format("{} problem(s) found", problems->size() - before));
}

}  // namespace textdb
