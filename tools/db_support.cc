// Finding and opening the database, table and key arguments, record output, the progress line,
// and the record reading and writing behind `import` and `put` (see db_support.h).
#include "db_support.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "textdb/env.h"

namespace textdb::cli {
namespace {

using interchange::Format;

// The current directory, or nullopt (errno set) when it cannot be had.
std::optional<std::string> CurrentDirectory() {
  std::string buffer(256, '\0');
  while (::getcwd(buffer.data(), buffer.size()) == nullptr) {
    if (errno != ERANGE) return std::nullopt;
    buffer.resize(buffer.size() * 2);
  }
  buffer.resize(std::strlen(buffer.c_str()));
  return buffer;
}

// `relative` below directory `dir`.
std::string JoinPath(std::string_view dir, std::string_view relative) {
  return fmt::format("{}{}{}", dir, dir.ends_with('/') ? "" : "/", relative);
}

// The names of the key fields of `schema`, in key order.
std::vector<std::string> KeyNames(const Schema& schema) {
  std::vector<std::string> names;
  for (const std::size_t index : schema.key()) names.push_back(schema.fields()[index].name);
  return names;
}

// The raw key values of a record whose key fields are present (KeyOf succeeded).
std::vector<std::string> KeyValues(const Schema& schema, const deb822::Stanza& stanza) {
  std::vector<std::string> values;
  for (const std::size_t index : schema.key()) {
    values.emplace_back(stanza.Get(schema.fields()[index].name).value_or(""));
  }
  return values;
}

// The line to report a schema problem of `stanza` at: the first field that breaks its
// declaration when every key field is present (CheckRecord's order [S-130]), else 0 (the
// stanza's own line).
std::uint32_t ProblemLine(const Schema& schema, const deb822::Stanza& stanza) {
  for (const std::size_t index : schema.key()) {
    const std::optional<std::string_view> value = stanza.Get(schema.fields()[index].name);
    if (!value || value->empty()) return 0;
  }
  for (const deb822::Field& field : stanza.fields()) {
    const FieldSpec* spec = schema.Find(field.name());
    if (spec == nullptr ? !schema.allow_unknown_fields() : !CheckValue(*spec, field.value()).ok()) {
      return field.line();
    }
  }
  return 0;
}

// A copy of `stanza` built field by field, so that it is written in canonical form: used for
// compat-profile input, whose bytes (CR, BOM) must not reach a data file.
Result<deb822::Stanza> Canonical(const deb822::Stanza& stanza) {
  deb822::Stanza out;
  for (const deb822::Field& field : stanza.fields()) {
    TEXTDB_RETURN_IF_ERROR(out.SetRaw(field.name(), field.value()));
  }
  return out;
}

// Counts problems and prints the first kMaxReported, erasing the progress line first.
class Problems {
 public:
  explicit Problems(Progress* progress) : progress_(progress) {}

  void Add(std::string_view location, std::string_view message) {
    if (count_ < kMaxReported) {
      progress_->Done();
      PrintErrorAt(location, message);
    }
    ++count_;
  }
  std::size_t count() const { return count_; }
  // Prints the closing line; returns `code`. REQUIRES: count() > 0
  ExitCode Finish(ExitCode code) const {
    const std::size_t hidden = count_ > kMaxReported ? count_ - kMaxReported : 0;
    PrintError(fmt::format("error: {} problem(s) found{}; nothing was written", count_,
                           hidden == 0 ? "" : fmt::format(" ({} not shown)", hidden)));
    return code;
  }

 private:
  Progress* progress_;
  std::size_t count_ = 0;
};

}  // namespace

void AddDatabaseOption(CLI::App* command, std::string* dir) {
  command->add_option("-d,--db", *dir, "The database directory (see below)")->type_name("DIR");
}

void AddSplitOptions(CLI::App* command, std::uint64_t* bytes, bool* no_split,
                     const std::string& split_help, const std::string& no_split_help) {
  const CLI::Validator size(
      [](std::string& value) -> std::string {
        static constexpr std::pair<std::string_view, int> kSuffixes[] = {
            {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"k", 10}, {"K", 10}, {"M", 20}, {"G", 30}};
        std::string_view digits = value;
        int shift = 0;
        for (const auto& [suffix, bits] : kSuffixes) {
          if (digits.ends_with(suffix)) {
            digits.remove_suffix(suffix.size());
            shift = bits;
            break;
          }
        }
        std::uint64_t count = 0;
        const char* end = digits.data() + digits.size();
        const auto [stop, error] = std::from_chars(digits.data(), end, count);
        if (!digits.empty() && digits[0] != '+' && digits[0] != '-' && error == std::errc() &&
            stop == end && count > 0 && count <= (UINT64_MAX >> shift)) {
          value = std::to_string(count << shift);
          return "";
        }
        return fmt::format(
            "expected a size of at least 1 byte, such as 200, 512KiB or 1MiB (k, M and G are "
            "powers of 1024), got '{}'",
            value);
      },
      "");
  command->add_option("--split-above", *bytes, split_help)->transform(size)->type_name("SIZE");
  command->add_flag("--no-split", *no_split, no_split_help);
}

void CheckSplitOptions(const CLI::App& command) {
  if (command.count("--split-above") > 0 && command.count("--no-split") > 0) {
    throw CLI::ValidationError("--no-split", "cannot be combined with --split-above");
  }
}

bool IsDatabaseDir(const std::string& dir) {
  Result<FileInfo> info = Env::Default()->Stat(JoinPath(dir, kMarkerFileName));
  return info.ok() && info->type == FileInfo::Type::kRegular;
}

Result<std::string> FindDatabase(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv(kDatabaseEnvVar); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const std::optional<std::string> cwd = CurrentDirectory();
  if (!cwd) {
    return Status::IOError(
        fmt::format("error: cannot get the current directory: {}", std::strerror(errno)));
  }
  std::string dir = *cwd;
  std::string relative = ".";
  while (true) {
    if (IsDatabaseDir(dir)) return relative;
    const std::size_t slash = dir.rfind('/');
    if (slash == std::string::npos || dir == "/") break;
    dir = slash == 0 ? "/" : dir.substr(0, slash);
    relative = relative == "." ? ".." : relative + "/..";
  }
  return Status::InvalidArgument(fmt::format(
      "no textdb database in the current directory or any parent directory; name one with "
      "--db DIR or {}=DIR, or create one with 'textdb init'",
      kDatabaseEnvVar));
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& flag, bool preload,
                                               Access access) {
  Result<std::string> dir = FindDatabase(flag);
  if (!dir.ok()) return dir.status();
  if (!IsDatabaseDir(*dir)) {
    return Status::InvalidArgument(
        fmt::format("{}: not a textdb database (no {} file); create one with 'textdb init {}'",
                    *dir, kMarkerFileName, *dir));
  }
  Options options;
  options.preload = preload;
  options.sweep_temp_files = access == Access::kWrite;
  Result<std::unique_ptr<Database>> db = Database::Open(*dir, options);
  if (db.ok() || *dir == ".") return db;
  // A table's invalid schema file is named relative to the database directory
  // ("items/schema.deb822:4:7: error: ..."): name it from the current directory.
  const std::string& message = db.status().message();
  const std::size_t slash = message.find('/');
  const std::size_t colon = message.find(':');
  if (slash != std::string::npos && slash < colon) {
    Result<FileInfo> info = Env::Default()->Stat(JoinPath(*dir, message.substr(0, slash)));
    if (info.ok() && info->type == FileInfo::Type::kDirectory) {
      return Status(db.status().code(), JoinPath(*dir, message));
    }
  }
  return db;
}

std::string DatabasePath(const Database& db, std::string_view relative) {
  return db.dir() == "." ? std::string(relative) : JoinPath(db.dir(), relative);
}

Result<Schema> TableSchema(const Database& db, const std::string& table) {
  Result<Schema> schema = db.GetSchema(table);
  if (schema.ok() || schema.status().code() != StatusCode::kNotFound) return schema;
  const std::vector<std::string> tables = db.Tables();
  return Status::InvalidArgument(
      fmt::format("no table '{}' in database {}{}", table, db.dir(),
                  tables.empty() ? " (it has no tables yet; 'textdb create' makes one)"
                                 : fmt::format("; its tables: {}", Join(tables, ", "))));
}

Result<OpenedTable> OpenTable(const std::string& db_flag, const std::string& table, bool preload,
                              Access access) {
  Result<std::unique_ptr<Database>> db = OpenDatabase(db_flag, preload, access);
  if (!db.ok()) return db.status();
  Result<Schema> schema = TableSchema(**db, table);
  if (!schema.ok()) return schema.status();
  return OpenedTable{std::move(db).value(), std::move(schema).value()};
}

Status CheckKeyCount(const Schema& schema, const std::vector<std::string>& values) {
  const std::size_t expected = schema.key().size();
  if (values.size() == expected) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "table '{}' is keyed by {}: expected {} key value{} (one per key field, in that order), "
      "got {}",
      schema.table(), Join(KeyNames(schema), ", "), expected, expected == 1 ? "" : "s",
      values.size()));
}

std::string KeyText(const std::vector<std::string>& values) { return Join(values, " "); }

bool LacksAutoField(const Schema& schema, const deb822::Stanza& record) {
  return std::any_of(schema.fields().begin(), schema.fields().end(), [&](const FieldSpec& field) {
    return field.auto_fill != AutoFill::kNone && record.Find(field.name) == nullptr;
  });
}

ExitCode ReportDbError(const Status& status) {
  const std::string& message = status.message();
  if (message.starts_with("error: ") || message.find(" error: ") != std::string::npos) {
    PrintError(message);
  } else {
    PrintError(fmt::format("error: {}", message));
  }
  return ExitCodeFor(status);
}

std::string LocateInDatabase(const Database& db, const std::string& message) {
  if (db.dir() == ".") return message;
  for (const std::string& table : db.Tables()) {
    if (message.starts_with(table + "/")) return DatabasePath(db, message);
  }
  return message;
}

ExitCode ReportDbError(const Database& db, const Status& status) {
  return ReportDbError(Status(status.code(), LocateInDatabase(db, status.message())));
}

void PrintErrorAt(std::string_view location, std::string_view message) {
  PrintError(fmt::format("{}: error: {}", location, message));
}

void AppendStoredStanza(const deb822::Stanza& stanza, std::string* out) {
  const std::size_t before = out->size();
  stanza.Write(out);
  if (out->size() > before && out->back() != '\n') out->push_back('\n');
}

// ---------------------------------------------------------------------------------------------
// Progress

Progress::Progress(std::string label)
    : label_(std::move(label)), enabled_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { Done(); }

void Progress::Update(std::string_view step, std::size_t done, std::size_t total) {
  if (!enabled_) return;
  constexpr auto kInterval = std::chrono::milliseconds(100);
  if (drawn_ && done != total && std::chrono::steady_clock::now() - last_draw_ < kInterval) {
    return;
  }
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = total == 0 ? kWidth : done * kWidth / total;
  Draw(fmt::format("{}: {} [{}{}] {}/{}", label_, step, std::string(filled, '#'),
                   std::string(kWidth - filled, '.'), done, total));
}

void Progress::Show(std::string_view text) {
  if (enabled_) Draw(fmt::format("{}: {}", label_, text));
}

void Progress::Done() {
  if (!drawn_) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::Draw(const std::string& line) {
  fmt::print(stderr, "\r{}\x1b[K", line);
  std::fflush(stderr);
  drawn_ = true;
  last_draw_ = std::chrono::steady_clock::now();
}

// ---------------------------------------------------------------------------------------------
// Reading records

std::string InputRecord::Location(std::uint32_t line) const {
  if (!has_lines) return fmt::format("{}: record {}", file, number);
  return fmt::format("{}:{}:1", file, line != 0 ? line : stanza.line());
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> names;
  for (const Format format : {Format::kDeb822, Format::kJson, Format::kNdjson, Format::kCsv}) {
    names.emplace_back(interchange::FormatName(format));
  }
  return names;
}

ExitCode ReadRecords(const std::vector<std::string>& files, const RecordFormat& format,
                     std::vector<InputRecord>* records) {
  const std::vector<std::string> inputs =
      files.empty() ? std::vector<std::string>{std::string(kStdioArgument)} : files;
  ExitCode first_failure = kExitOk;
  const auto note = [&first_failure](ExitCode code) {
    if (first_failure == kExitOk) first_failure = code;
  };
  for (const std::string& file : inputs) {
    const std::string name = InputDisplayName(file);
    Result<std::string> text = ReadInput(file);
    if (!text.ok()) {
      note(ReportError(text.status()));
      continue;
    }
    if (format.format != Format::kDeb822) {
      Result<std::vector<deb822::Stanza>> stanzas =
          format.format == Format::kJson     ? interchange::FromJson(*text, name)
          : format.format == Format::kNdjson ? interchange::FromNdjson(*text, name)
                                             : interchange::FromCsv(*text, name);
      if (!stanzas.ok()) {
        note(ReportError(stanzas.status()));
        continue;
      }
      for (std::size_t i = 0; i < stanzas->size(); ++i) {
        records->push_back({std::move((*stanzas)[i]), name, i + 1, false});
      }
      continue;
    }
    deb822::ParseOptions options;
    options.profile = format.profile;
    options.file_name = name;
    std::vector<deb822::Diagnostic> diagnostics;
    Result<deb822::Document> document =
        deb822::Parse(std::move(text).value(), options, &diagnostics);
    if (!document.ok()) {
      // Errors found before the line scan (the input size limit) come without diagnostics.
      if (diagnostics.empty()) PrintError(document.status().message());
      for (const deb822::Diagnostic& diagnostic : diagnostics) PrintError(diagnostic.ToString());
      note(ExitCodeFor(document.status()));
      continue;
    }
    for (std::size_t i = 0; i < document->stanzas().size(); ++i) {
      InputRecord record{{}, name, i + 1, true};
      if (format.profile == deb822::Profile::kCompat) {
        Result<deb822::Stanza> canonical = Canonical(document->stanzas()[i]);
        if (!canonical.ok()) {
          PrintErrorAt(InputRecord{document->stanzas()[i], name, i + 1, true}.Location(),
                       canonical.status().message());
          note(kExitInvalidData);
          continue;
        }
        record.stanza = std::move(canonical).value();
      } else {
        // PERF: a moved stanza keeps sharing the input buffer; nothing is copied.
        record.stanza = std::move(document->stanza(i));
      }
      records->push_back(std::move(record));
    }
  }
  return first_failure;
}

// ---------------------------------------------------------------------------------------------
// Writing records

ExitCode WriteRecords(Database* db, const Schema& schema, std::vector<InputRecord> records,
                      OnDuplicate on_duplicate, std::string_view duplicate_hint, Progress* progress,
                      WriteCounts* counts) {
  const std::string& table = schema.table();
  const std::size_t n = records.size();
  // keys[i]: the encoded key [S-120] of record i; empty when the engine fills it (Auto).
  std::vector<std::string> keys(n);
  std::vector<bool> write(n, true);
  // True for the first record of the input with its key, the one that meets a stored record.
  std::vector<bool> first_of_key(n, false);

  // 1. Every record against the schema, located in its input.
  Problems invalid(progress);
  for (std::size_t i = 0; i < n; ++i) {
    progress->Update("checking records", i, n);
    const deb822::Stanza& stanza = records[i].stanza;
    const bool filled_by_engine = LacksAutoField(schema, stanza);
    const Status valid = CheckRecord(schema, stanza);
    if (!valid.ok() && !filled_by_engine) {
      invalid.Add(records[i].Location(ProblemLine(schema, stanza)), valid.message());
      continue;
    }
    Result<std::string> key = KeyOf(schema, stanza);
    if (key.ok()) {
      keys[i] = std::move(key).value();
    } else if (!filled_by_engine) {
      invalid.Add(records[i].Location(), key.status().message());
    }
  }
  if (invalid.count() > 0) return invalid.Finish(kExitInvalidData);

  // 2. Keys repeated within the input.
  Problems repeated(progress);
  std::unordered_map<std::string, std::size_t> holder;  // key -> the record that holds it now
  for (std::size_t i = 0; i < n; ++i) {
    if (keys[i].empty()) continue;
    const auto [it, inserted] = holder.emplace(keys[i], i);
    if (inserted) {
      first_of_key[i] = true;
      continue;
    }
    switch (on_duplicate) {
      case OnDuplicate::kError:
        repeated.Add(records[i].Location(),
                     fmt::format("record '{}' repeats the key of the record at {}; a key names "
                                 "one record [S-011]{}",
                                 KeyText(KeyValues(schema, records[i].stanza)),
                                 records[it->second].Location(), duplicate_hint));
        break;
      case OnDuplicate::kReplace:
        write[it->second] = false;
        it->second = i;
        ++counts->replaced;
        break;
      case OnDuplicate::kSkip:
        write[i] = false;
        ++counts->skipped;
        break;
    }
  }
  if (repeated.count() > 0) return repeated.Finish(kExitInvalidData);

  // 3. Keys already stored. PERF: one indexed lookup per distinct key; only the partitions
  // those keys fall in are read.
  Problems stored(progress);
  for (std::size_t i = 0; i < n; ++i) {
    progress->Update("looking up keys", i, n);
    if (keys[i].empty()) {
      ++counts->inserted;
      continue;
    }
    if (!first_of_key[i]) continue;
    Result<Record> found = db->Get(table, KeyValues(schema, records[i].stanza));
    if (!found.ok()) {
      if (found.status().code() != StatusCode::kNotFound) {
        progress->Done();
        return ReportDbError(*db, found.status());
      }
      ++counts->inserted;
      continue;
    }
    switch (on_duplicate) {
      case OnDuplicate::kError:
        stored.Add(records[i].Location(),
                   fmt::format("table '{}' has a record with key '{}' already, at {}:{}{}", table,
                               KeyText(KeyValues(schema, records[i].stanza)),
                               DatabasePath(*db, found->file()), found->line(), duplicate_hint));
        break;
      case OnDuplicate::kReplace:
        ++counts->replaced;
        break;
      case OnDuplicate::kSkip:
        write[i] = false;
        ++counts->skipped;
        break;
    }
  }
  if (stored.count() > 0) return stored.Finish(kExitConflict);

  // 4. One transaction. Insert (not Put) unless replacing, so that a record stored meanwhile by
  // another process makes the commit fail (kConflict) instead of being overwritten unseen.
  Transaction transaction = db->Begin();
  std::size_t written = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!write[i]) continue;
    ++written;
    if (on_duplicate == OnDuplicate::kReplace) {
      transaction.Put(table, std::move(records[i].stanza));
    } else {
      transaction.Insert(table, std::move(records[i].stanza));
    }
  }
  progress->Show(fmt::format("writing {} record(s)", written));
  const Status committed = transaction.Commit();
  progress->Done();
  if (!committed.ok()) return ReportDbError(*db, committed);
  return kExitOk;
}

}  // namespace textdb::cli
