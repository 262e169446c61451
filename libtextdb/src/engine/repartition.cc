// Rewriting a whole table in one journaled commit: re-partitioning (moving every record to the
// data file its key maps to at a new depth, format-spec/partitioning.md [P-070..P-073]) and
// formatting (canonical form in key order, [B-030..B-031]).
#include <map>
#include <set>

#include <fmt/format.h>

#include "engine/database_impl.h"
#include "format/paragraphs.h"

namespace textdb {
namespace {

using internal::CommentParagraphs;

// One record as it moves: its stanza's bytes and the comment paragraphs that preceded it.
struct Moving {
  std::string key;    // encoded [S-120]
  std::string lead;   // comment paragraphs before the stanza in its old file, or ""
  std::string text;   // the stanza's bytes, ending with a newline
  std::string trail;  // comment paragraphs after the last stanza of its old file, or ""
  std::string file;   // where it was, for messages
  std::uint32_t line = 0;
};

}  // namespace

Status Database::Repartition(std::string_view table, int depth) {
  if (depth < 0 || depth > internal::kMaxPartitionDepth) {
    return Status::InvalidArgument(fmt::format("partition depth must be 0 to {}, not {} [P-003]",
                                               internal::kMaxPartitionDepth, depth));
  }
  return impl_->RewriteTable(table, depth, /*canonical=*/false, /*dry_run=*/false, nullptr);
}

Status Database::Format(std::string_view table, bool check_only,
                        std::vector<std::string>* changed) {
  return impl_->RewriteTable(table, std::nullopt, /*canonical=*/true, check_only, changed);
}

Status Database::Impl::RewriteTable(std::string_view table, std::optional<int> new_depth,
                                    bool canonical, bool dry_run,
                                    std::vector<std::string>* changed) {
  if (broken) {
    return Status::IOError(internal::kBrokenHandle);
  }
  Result<std::unique_ptr<FileLock>> lock = Lock(/*exclusive=*/true);
  if (!lock.ok()) return lock.status();
  TEXTDB_RETURN_IF_ERROR(internal::Recover(env, dir, /*sweep_temp_files=*/false));
  Result<std::shared_ptr<const Schema>> old_schema = SchemaOf(table);
  if (!old_schema.ok()) return old_schema.status();
  const std::string table_name(table);
  const int depth = new_depth.value_or((*old_schema)->partition_depth());

  // The new schema: the schema file with its Partition-Depth field set, everything else kept.
  const std::string schema_path = table_name + "/" + std::string(kSchemaFile);
  Result<std::string> schema_text = env->ReadFile(Abs(schema_path));
  if (!schema_text.ok()) return schema_text.status();
  deb822::ParseOptions parse_options;
  parse_options.file_name = schema_path;
  Result<deb822::Document> schema_doc = deb822::Parse(*schema_text, parse_options);
  if (!schema_doc.ok()) return schema_doc.status();
  if (schema_doc->stanzas().empty()) {
    return Status::InvalidData(fmt::format("{}: error: the schema file is empty", schema_path));
  }
  if (depth != (*old_schema)->partition_depth()) {
    TEXTDB_RETURN_IF_ERROR(schema_doc->stanza(0).SetRaw("Partition-Depth", std::to_string(depth)));
  }
  const std::string new_schema_text = schema_doc->Write();
  Result<Schema> new_schema = ParseSchema(new_schema_text, schema_path);
  if (!new_schema.ok()) return new_schema.status();

  // Every record of every data file, whatever depth the file was written for [P-071].
  std::vector<std::string> data_files;
  for (int d = 0; d <= internal::kMaxPartitionDepth; ++d) {
    std::vector<std::string> found;
    TEXTDB_RETURN_IF_ERROR(WalkTable(table_name, "", d, &found, nullptr));
    data_files.insert(data_files.end(), found.begin(), found.end());
  }
  std::sort(data_files.begin(), data_files.end());
  data_files.erase(std::unique(data_files.begin(), data_files.end()), data_files.end());
  std::map<std::string, Moving> records;  // by encoded key
  for (const std::string& path : data_files) {
    Result<std::string> content = env->ReadFile(Abs(path));
    if (!content.ok()) return content.status();
    const auto shared = std::make_shared<const std::string>(std::move(content).value());
    parse_options.file_name = path;
    Result<deb822::Document> doc = deb822::Parse(*shared, parse_options);
    if (!doc.ok()) {
      return Status::InvalidData(
          fmt::format("{} (fix the file first; nothing was changed)", doc.status().message()));
    }
    std::size_t previous_end = 0;
    Moving* last = nullptr;
    for (const deb822::Stanza& stanza : doc->stanzas()) {
      Result<std::string> key = KeyOf(*new_schema, stanza);
      if (!key.ok()) {
        return Status::InvalidData(
            fmt::format("{}:{}:1: error: {}", path, stanza.line(), key.status().message()));
      }
      const std::string_view source(*shared);
      Moving moving;
      moving.key = *key;
      moving.lead = CommentParagraphs(
          source.substr(previous_end, stanza.source_offset() - previous_end), canonical);
      if (canonical) {
        stanza.WriteCanonical(&moving.text);
      } else {
        moving.text = std::string(source.substr(stanza.source_offset(), stanza.source_length()));
        if (!moving.text.ends_with('\n')) moving.text += '\n';
      }
      moving.file = path;
      moving.line = stanza.line();
      previous_end = stanza.source_offset() + stanza.source_length();
      auto [it, inserted] = records.emplace(*key, std::move(moving));
      if (!inserted) {
        Result<std::vector<std::string>> parts = DecodeKey(*key);
        return Status::InvalidData(fmt::format(
            "{}:{}:1: error: key '{}' is stored twice, here and at {}:{}; remove or rename one "
            "first; nothing was changed [B-010]",
            path, stanza.line(), KeyForMessages(*parts), it->second.file, it->second.line));
      }
      last = &it->second;
    }
    const std::string trailing =
        CommentParagraphs(std::string_view(*shared).substr(previous_end), canonical);
    if (!trailing.empty()) {
      if (last == nullptr) {
        return Status::InvalidData(fmt::format(
            "{}: error: the file holds comments but no record; move or delete them before "
            "rewriting the table [P-072]",
            path));
      }
      last->trail = trailing;
    }
  }

  // The new files, each in key order [P-072].
  std::map<std::string, std::vector<const Moving*>> layout;  // path -> records
  for (const auto& [key, moving] : records) {
    Result<std::vector<std::string>> parts = DecodeKey(key);
    Result<std::string> rel = internal::PartitionPath(parts->front(), depth);
    if (!rel.ok()) return rel.status();
    layout[table_name + "/" + *rel].push_back(&moving);
  }
  std::vector<internal::FileChange> changes;
  for (auto& [path, moving] : layout) {
    std::sort(moving.begin(), moving.end(), [&](const Moving* a, const Moving* b) {
      return CompareKeys(*new_schema, a->key, b->key) < 0;
    });
    std::string content;
    for (const Moving* record : moving) {
      if (!content.empty()) content += '\n';
      if (!record->lead.empty()) content += record->lead + "\n";
      content += record->text;
      if (!record->trail.empty()) content += "\n" + record->trail;
    }
    // The new file must read back as exactly these records before anything is written.
    parse_options.file_name = path;
    Result<deb822::Document> check = deb822::Parse(content, parse_options);
    if (!check.ok() || check->stanzas().size() != moving.size()) {
      return Status::InvalidData(fmt::format(
          "{}: re-partitioning produced a file that does not read back ({}); nothing was "
          "changed (a bug in textdb: please report it)",
          path, check.ok() ? "wrong record count" : check.status().message()));
    }
    Result<std::string> existing = env->ReadFile(Abs(path));
    if (!existing.ok() || *existing != content) changes.push_back({path, std::move(content)});
  }
  for (const std::string& path : data_files) {
    if (layout.count(path) == 0) changes.push_back({path, std::nullopt});
  }
  if (new_schema_text != *schema_text) changes.push_back({schema_path, new_schema_text});
  if (changed != nullptr) {
    for (const internal::FileChange& change : changes) changed->push_back(change.path);
    std::sort(changed->begin(), changed->end());
  }

  if (!changes.empty() && !dry_run) {
    internal::CommitOutcome outcome;
    const Status status = CommitFiles(changes, &outcome);
    if (!status.ok() && (outcome == internal::CommitOutcome::kNotCommitted ||
                         outcome == internal::CommitOutcome::kSyncFailed)) {
      return status;
    }
    {
      std::lock_guard<std::mutex> guard(mu);
      TableState& state = tables.find(table)->second;
      state.schema = std::make_shared<const Schema>(std::move(new_schema).value());
      state.partitions.clear();
      state.schema_stamp = FileInfo{};  // the schema file was rewritten: stat it again [B-021]
    }
    TEXTDB_RETURN_IF_ERROR(status);
  }
  // Directories the old layout needed and the new one does not; best effort [P-073].
  std::set<std::string, std::greater<>> dirs;  // deepest first
  for (const std::string& path : data_files) {
    for (std::size_t slash = path.rfind('/'); slash != std::string::npos && slash > table.size();
         slash = path.rfind('/', slash - 1)) {
      dirs.insert(path.substr(0, slash));
    }
  }
  for (const std::string& old_dir : dirs) {
    Result<std::vector<std::string>> names = env->ListDir(Abs(old_dir));
    if (names.ok() && names->empty()) (void)env->RemoveDir(Abs(old_dir));
  }
  return Status::Ok();
}

}  // namespace textdb
