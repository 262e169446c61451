// The storage engine: see include/textdb/db.h and format-spec/storage.md.
//
// Data flows one way: files (Env) -> deb822 parsing (format/) -> per-partition offset index
// (here) -> LRU cache of parsed records (cache/) -> Record. Writes go the other way through the
// commit protocol (storage/commit.h). The partition of a key is computed by text/partition.h.
#include "textdb/db.h"

#include "engine/database_impl.h"

namespace textdb {

using internal::kMarkerFile;
using internal::kMarkerText;
using internal::kStateDir;

// ---------------------------------------------------------------------------------------------
// Opening

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

const std::string& Database::dir() const { return impl_->dir; }

Status Database::Create(const std::string& dir, Env* env) {
  if (env == nullptr) env = Env::Default();
  TEXTDB_RETURN_IF_ERROR(env->CreateDir(dir));
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok()) return names.status();
  if (!names->empty()) {
    return Status::Conflict(fmt::format("{}: directory is not empty", dir));
  }
  TEXTDB_RETURN_IF_ERROR(env->CreateDir(dir + "/" + std::string(kStateDir)));
  TEXTDB_RETURN_IF_ERROR(env->SyncDir(dir));
  internal::CommitOutcome outcome;
  return internal::CommitFiles(
      env, dir,
      {{std::string(kMarkerFile), std::string(kMarkerText)}, {".gitignore", "/.textdb/\n"}},
      &outcome);
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
  TEXTDB_RETURN_IF_ERROR(env->CreateDir(impl->Abs(kStateDir)));
  {
    // finish or discard an interrupted commit before anything is read.
    Result<std::unique_ptr<FileLock>> lock = impl->Lock(/*exclusive=*/true);
    if (!lock.ok()) return lock.status();
    TEXTDB_RETURN_IF_ERROR(internal::Recover(env, dir, /*sweep_temp_files=*/true));
  }
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (name.starts_with('.')) continue;
    Result<FileInfo> info = env->Stat(impl->Abs(name));
    if (!info.ok()) return info.status();
    if (info->type != FileInfo::Type::kDirectory) continue;
    const std::string schema_path = name + "/" + std::string(kSchemaFile);
    Result<std::string> text = env->ReadFile(impl->Abs(schema_path));
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;  // not a table
      return text.status();
    }
    Result<Schema> schema = ParseSchema(std::move(text).value(), schema_path);
    if (!schema.ok()) return schema.status();
    if (schema->table() != name) {
      return Status::InvalidData(fmt::format(
          "{}:1:1: error: the schema names table '{}' but lives in directory '{}' [B-004]",
          schema_path, schema->table(), name));
    }
    impl->tables.emplace(name,
                         TableState{std::make_shared<const Schema>(std::move(schema).value()), {}});
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
  std::lock_guard<std::mutex> guard(impl_->mu);
  Result<const TableState*> state = impl_->Table(table);
  if (!state.ok()) return state.status();
  return *(*state)->schema;
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
  internal::CommitOutcome outcome;
  TEXTDB_RETURN_IF_ERROR(internal::CommitFiles(
      impl_->env, impl_->dir, {{name + "/" + std::string(kSchemaFile), WriteSchema(*schema)}},
      &outcome));
  std::lock_guard<std::mutex> guard(impl_->mu);
  impl_->tables.emplace(name,
                        TableState{std::make_shared<const Schema>(std::move(schema).value()), {}});
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Reading

Result<Record> Database::Get(std::string_view table, const std::vector<std::string>& key) {
  Result<std::shared_ptr<const Schema>> found_schema = impl_->SchemaOf(table);
  if (!found_schema.ok()) return found_schema.status();
  const Schema& schema = **found_schema;
  Result<std::pair<std::string, std::string>> where = impl_->Locate(table, schema, key);
  if (!where.ok()) return where.status();
  const auto& [encoded, path] = *where;
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<std::shared_ptr<const PartitionIndex>> part = impl_->FreshPartition(table, path);
    if (!part.ok()) return part.status();
    if (!(*part)->problem.ok()) return (*part)->problem;
    const PartitionIndex::Entry* entry = (*part)->Find(encoded);
    if (entry == nullptr) {
      return Status::NotFound(
          fmt::format("table '{}': no record with key '{}'", table, KeyForMessages(key)));
    }
    const std::string cache_key = fmt::format("{}\n{}\n{}", path, (*part)->generation, encoded);
    Record record;
    record.file_ = path;
    record.line_ = entry->line;
    if (auto hit = impl_->cache.Lookup(cache_key)) {
      record.stanza_ = std::move(hit);
      return record;
    }
    Result<std::string> bytes =
        impl_->env->ReadFileRange(impl_->Abs(path), entry->offset, entry->length);
    if (!bytes.ok()) return bytes.status();
    const std::size_t charge = bytes->size() + 64;
    deb822::ParseOptions parse_options;
    parse_options.file_name = path;
    Result<deb822::Document> doc = deb822::Parse(std::move(bytes).value(), parse_options);
    // The file may have been edited by hand since it was indexed: then look again.
    if (!doc.ok() || doc->stanzas().size() != 1) continue;
    Result<std::string> found_key = KeyOf(schema, doc->stanzas()[0]);
    if (!found_key.ok() || *found_key != encoded) continue;
    record.stanza_ = std::make_shared<const deb822::Stanza>(doc->stanzas()[0]);
    impl_->cache.Insert(cache_key, record.stanza_, charge);
    return record;
  }
  return Status::Conflict(
      fmt::format("{}: the file keeps changing while it is read; try again", impl_->Abs(path)));
}

Status Database::Scan(std::string_view table, std::string_view prefix,
                      const std::function<bool(const Record&)>& visit) {
  Result<Schema> schema = GetSchema(table);
  if (!schema.ok()) return schema.status();
  std::string folded_prefix;
  if (!prefix.empty()) {
    Result<std::string> folded = internal::FoldKey(prefix);
    if (!folded.ok()) return folded.status();
    folded_prefix = std::move(folded).value();
  }
  Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
  if (!lock.ok()) return lock.status();
  Result<std::vector<std::string>> paths = impl_->ListPartitions(table, schema->partition_depth());
  if (!paths.ok()) return paths.status();
  for (const std::string& path : *paths) {
    const std::optional<internal::Partition> partition = internal::PartitionPrefixOf(
        std::string_view(path).substr(table.size() + 1), schema->partition_depth());
    if (!partition || !internal::PartitionMayHold(*partition, folded_prefix)) continue;
    Result<std::shared_ptr<const PartitionIndex>> part = impl_->FreshPartition(table, path);
    if (!part.ok()) return part.status();
    if (!(*part)->problem.ok()) return (*part)->problem;
    Result<std::string> content = impl_->env->ReadFile(impl_->Abs(path));
    if (!content.ok()) return content.status();
    deb822::ParseOptions parse_options;
    parse_options.file_name = path;
    Result<deb822::Document> doc = deb822::Parse(std::move(content).value(), parse_options);
    if (!doc.ok()) return doc.status();
    std::vector<std::pair<std::string, const deb822::Stanza*>> keyed;
    for (const deb822::Stanza& stanza : doc->stanzas()) {
      Result<std::string> key = KeyOf(*schema, stanza);
      if (!key.ok()) return key.status();
      if (!folded_prefix.empty()) {
        Result<std::vector<std::string>> components = DecodeKey(*key);
        Result<std::string> folded = internal::FoldKey(components->front());
        if (!folded.ok() || !folded->starts_with(folded_prefix)) continue;
      }
      keyed.emplace_back(std::move(key).value(), &stanza);
    }
    std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
      return CompareKeys(*schema, a.first, b.first) < 0;
    });
    for (const auto& [key, stanza] : keyed) {
      Record record;
      record.stanza_ = std::make_shared<const deb822::Stanza>(*stanza);
      record.file_ = path;
      record.line_ = stanza->line();
      if (!visit(record)) return Status::Ok();
    }
  }
  return Status::Ok();
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
    std::vector<std::string> data;
    std::vector<std::string> other;
    Status walked = impl_->WalkTable(table, "", schema->partition_depth(), &data, &other);
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
      if (!part->problem.ok()) {
        problems->push_back(part->problem.message());
        continue;
      }
      Result<std::string> content = impl_->env->ReadFile(impl_->Abs(path));
      if (!content.ok()) {
        problems->push_back(content.status().message());
        continue;
      }
      deb822::ParseOptions parse_options;
      parse_options.file_name = path;
      Result<deb822::Document> doc = deb822::Parse(std::move(content).value(), parse_options);
      for (const deb822::Stanza& stanza : doc->stanzas()) {
        Status valid = CheckRecord(*schema, stanza);
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
