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

// A record's share of the layout, for choosing split partitions.
struct Sized {
  std::vector<std::string> units;  // of its key, up to kMaxPartitionUnits [P-012]
  std::uint64_t bytes = 0;         // what it adds to a data file, with one blank line
};

// Appends to *splits the split partitions [P-074] from the partition of `items` [begin, end)
// down: records whose first `level` units are equal (and that have at least `level` units),
// sorted by units. A partition is split when it is in `kept`, or when its records would make a
// file of more than `limit` bytes, there are two or more of them, some key goes beyond it, and
// its prefix can be listed (its units read back as themselves); then each of its parts is
// considered in turn, one unit deeper.
void ChooseSplits(const std::vector<Sized>& items, std::size_t begin, std::size_t end,
                  std::size_t level, std::uint64_t limit, const std::vector<std::string>& kept,
                  std::vector<std::string>* splits) {
  if (level >= static_cast<std::size_t>(internal::kMaxPartitionUnits)) return;
  std::uint64_t file_bytes = 0;  // no blank line after the last record
  for (std::size_t i = begin; i < end; ++i) file_bytes += items[i].bytes;
  file_bytes -= 1;
  std::size_t longer = begin;  // records with exactly `level` units sort first
  while (longer < end && items[longer].units.size() == level) ++longer;
  std::string prefix;
  for (std::size_t u = 0; u < level; ++u) prefix += items[begin].units[u];
  if (!std::binary_search(kept.begin(), kept.end(), prefix)) {
    if (file_bytes <= limit || end - begin < 2 || longer == end) return;
    Result<internal::Partition> reread =
        internal::PartitionOfKey(prefix, internal::kMaxPartitionUnits);
    if (!reread.ok() || reread->units.size() != level || reread->Prefix() != prefix) return;
  }
  splits->push_back(std::move(prefix));
  for (std::size_t run = longer; run < end;) {
    std::size_t run_end = run + 1;
    while (run_end < end && items[run_end].units[level] == items[run].units[level]) ++run_end;
    ChooseSplits(items, run, run_end, level + 1, limit, kept, splits);
    run = run_end;
  }
}

}  // namespace

Status Database::Repartition(std::string_view table, int depth, std::uint64_t split_above_bytes) {
  if (depth < 0 || depth > internal::kMaxPartitionDepth) {
    return Status::InvalidArgument(fmt::format("partition depth must be 0 to {}, not {} [P-003]",
                                               internal::kMaxPartitionDepth, depth));
  }
  return impl_->RewriteTable(table, depth, split_above_bytes, /*keep_splits=*/false,
                             /*canonical=*/false, /*dry_run=*/false, nullptr);
}

Status Database::SplitLargePartitions(std::string_view table, std::uint64_t max_bytes) {
  if (max_bytes == 0) return Status::InvalidArgument("the largest file size must be positive");
  {
    Result<std::unique_ptr<FileLock>> lock = impl_->Lock(/*exclusive=*/false);
    if (!lock.ok()) return lock.status();
    Result<std::shared_ptr<const Schema>> schema = impl_->SchemaOf(table);
    if (!schema.ok()) return schema.status();
    if ((*schema)->partition_depth() == 0) return Status::Ok();  // one file: nothing to split
    std::vector<std::string> paths;
    std::vector<FileInfo> stamps;
    TEXTDB_RETURN_IF_ERROR(impl_->WalkTable(std::string(table), "", Impl::DataFilesOf(**schema),
                                            &paths, nullptr, &stamps));
    if (std::none_of(stamps.begin(), stamps.end(),
                     [&](const FileInfo& info) { return info.size > max_bytes; })) {
      return Status::Ok();
    }
  }
  return impl_->RewriteTable(table, std::nullopt, max_bytes, /*keep_splits=*/true,
                             /*canonical=*/false, /*dry_run=*/false, nullptr);
}

Status Database::Format(std::string_view table, bool check_only,
                        std::vector<std::string>* changed) {
  return impl_->RewriteTable(table, std::nullopt, /*split_above_bytes=*/0, /*keep_splits=*/true,
                             /*canonical=*/true, check_only, changed);
}

Status Database::Impl::RewriteTable(std::string_view table, std::optional<int> new_depth,
                                    std::uint64_t split_above_bytes, bool keep_splits,
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
  // A new depth drops the split partitions (they may not fit it); new ones are chosen below.
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
    schema_doc->stanza(0).Remove("Partition-Split");
  }
  std::string new_schema_text = schema_doc->Write();
  Result<Schema> new_schema = ParseSchema(new_schema_text, schema_path);
  if (!new_schema.ok()) return new_schema.status();

  // Every record of every data file, whatever layout the file was written for [P-071].
  std::vector<std::string> data_files;
  TEXTDB_RETURN_IF_ERROR(
      WalkTable(table_name, "", internal::IsDataFileOfSomeLayout, &data_files, nullptr));
  std::sort(data_files.begin(), data_files.end());
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

  // The split partitions, chosen from the records' sizes [P-074].
  if (split_above_bytes != 0 && depth > 0) {
    std::vector<Sized> sized;
    sized.reserve(records.size());
    for (const auto& [key, moving] : records) {
      Result<std::vector<std::string>> parts = DecodeKey(key);
      Result<internal::Partition> partition =
          internal::PartitionOfKey(parts->front(), internal::kMaxPartitionUnits);
      if (!partition.ok()) return partition.status();
      // As the file is written below: the stanza, its comments, one blank line between.
      const std::uint64_t bytes = moving.text.size() + 1 +
                                  (moving.lead.empty() ? 0 : moving.lead.size() + 1) +
                                  (moving.trail.empty() ? 0 : moving.trail.size() + 1);
      sized.push_back({std::move(partition->units), bytes});
    }
    std::sort(sized.begin(), sized.end(),
              [](const Sized& a, const Sized& b) { return a.units < b.units; });
    const std::vector<std::string> kept =
        keep_splits ? new_schema->partition_splits() : std::vector<std::string>();
    std::vector<std::string> splits;
    const auto level = static_cast<std::size_t>(depth);
    for (std::size_t run = 0; run < sized.size();) {
      std::size_t run_end = run + 1;
      if (sized[run].units.size() >= level) {
        const auto same_partition = [&](const Sized& other) {
          return other.units.size() >= level &&
                 std::equal(other.units.begin(), other.units.begin() + depth,
                            sized[run].units.begin());
        };
        while (run_end < sized.size() && same_partition(sized[run_end])) ++run_end;
        ChooseSplits(sized, run, run_end, level, split_above_bytes, kept, &splits);
      }
      run = run_end;
    }
    splits.insert(splits.end(), kept.begin(), kept.end());  // those no record reached as well
    std::sort(splits.begin(), splits.end());
    splits.erase(std::unique(splits.begin(), splits.end()), splits.end());
    if (splits != new_schema->partition_splits()) {
      if (splits.empty()) {
        schema_doc->stanza(0).Remove("Partition-Split");
      } else {
        std::vector<std::string> lines = {""};
        for (const std::string& prefix : splits) {
          lines.push_back(internal::EncodePathComponent(prefix));
        }
        TEXTDB_RETURN_IF_ERROR(schema_doc->stanza(0).SetLines("Partition-Split", lines));
      }
      new_schema_text = schema_doc->Write();
      new_schema = ParseSchema(new_schema_text, schema_path);
      if (!new_schema.ok()) return new_schema.status();
    }
  }

  // The new files, each in key order [P-072].
  std::map<std::string, std::vector<const Moving*>> layout;  // path -> records
  for (const auto& [key, moving] : records) {
    Result<std::vector<std::string>> parts = DecodeKey(key);
    Result<std::string> rel =
        internal::PartitionPath(parts->front(), internal::SchemeOf(*new_schema));
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
