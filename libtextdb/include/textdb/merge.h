// Record-level three-way merge and diff of deb822 data files (format-spec/merge.md): what
// `textdb merge-driver` and `textdb diff` are built on, so that a database kept in git merges by
// record key and field instead of by line.
//
//   textdb::RecordKeys keys = textdb::KeysOf(schema);
//   textdb::Result<textdb::MergeResult> merged = textdb::MergeRecords(base, ours, theirs, keys,
//   {}); if (merged.ok() && merged->conflicts == 0) write(merged->text);
//
// Thread-safety: the functions are pure; call them from any thread. A RecordKeys may be used from
// several threads at once (its functions hold no mutable state).
// Lifetime: results are values owned by the caller; the RecordKeys of KeysOf holds its own copy
// of the schema, so the Schema passed may be destroyed.
#ifndef TEXTDB_MERGE_H_
#define TEXTDB_MERGE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/deb822.h"
#include "textdb/schema.h"
#include "textdb/status.h"

namespace textdb {

// How records of a file are identified and ordered.
struct RecordKeys {
  // The key of a stanza (any text that is equal exactly for the same record), or an error that
  // names what is missing.
  std::function<Result<std::string>(const deb822::Stanza&)> key_of;
  // Strict weak order of keys (the order records are kept in within a file).
  std::function<bool(const std::string&, const std::string&)> less;
  // The key as a user reads it, for diffs and messages.
  std::function<std::string(const std::string&)> display;
};

// The keys of a table's records: KeyOf(schema) ordered by CompareKeys [S-120, S-121].
RecordKeys KeysOf(const Schema& schema);
// The keys of a schema file's stanzas: "Table" for the table stanza, the field name for a field
// stanza (format-spec/merge.md [M-030]).
RecordKeys SchemaFileKeys();

struct MergeOptions {
  std::string file_name;  // for error messages
  std::string ours_label = "ours";
  std::string theirs_label = "theirs";
  int marker_size = 7;  // git's conflict-marker-size
};

struct MergeResult {
  std::string text;   // the merged file; it holds conflict markers exactly when conflicts > 0
  int conflicts = 0;  // conflicted units: fields, whole records or comment paragraphs
};

// Three-way merge of a data file by record key and field (format-spec/merge.md [M-001..M-022]).
// `ours` is the base of the result: its comments and formatting are kept byte for byte except
// where a change from `theirs` applies. Fails with kInvalidData (naming the file, the version and
// the line) when a version does not parse or holds a record without a valid key or a key twice.
Result<MergeResult> MergeRecords(std::string_view base, std::string_view ours,
                                 std::string_view theirs, const RecordKeys& keys,
                                 const MergeOptions& options);

struct FieldChange {
  std::string field;
  std::optional<std::string> old_value;  // nullopt: the field was added
  std::optional<std::string> new_value;  // nullopt: the field was removed
};

struct RecordChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  std::string key;                  // as RecordKeys::display shows it
  deb822::Stanza record;            // the new record (the old one when removed)
  std::vector<FieldChange> fields;  // kChanged only, in the new record's field order
};

// The records added, removed and changed from `old_text` to `new_text`, in key order
// (format-spec/merge.md [M-040]). Errors as MergeRecords.
Result<std::vector<RecordChange>> DiffRecords(std::string_view old_text, std::string_view new_text,
                                              const RecordKeys& keys, std::string_view file_name);

}  // namespace textdb

#endif  // TEXTDB_MERGE_H_
