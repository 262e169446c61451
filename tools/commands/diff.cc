// `textdb diff [REV [REV]] [TABLE...]` and `textdb diff-driver`: record-level diffs of a database
// kept in git (format-spec/merge.md [M-040], [M-060..M-063]).
//
// `diff` compares two versions of the whole database: the working tree with HEAD by default, the
// working tree with REV, or REV with REV. Old versions are read from git (ls-tree, then every
// blob through one `git cat-file --batch`); the records of a table are matched by key across all
// of its files, so a record that moved to another file (a re-partition) is no change.
// `diff-driver` is git's external diff command (diff.textdb.command) for one file.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "git_support.h"
#include "textdb/deb822.h"
#include "textdb/env.h"
#include "textdb/merge.h"
#include "textdb/schema.h"

namespace textdb::cli {
namespace {

// One table's files in one version of the database.
struct TableFiles {
  std::optional<std::string> schema;        // the schema file's text
  std::map<std::string, std::string> data;  // data file path (from the database) -> text
};

// One version of the database: table name -> its files.
using Tree = std::map<std::string, TableFiles>;

// A change as printed: a record's or a schema stanza's.
struct Change {
  std::string table;
  bool schema = false;   // a change of the table's schema file
  std::string file;      // where the record is now (where it was, when removed)
  std::string old_file;  // where it was (empty when added)
  RecordChange change;
};

void AppendJsonString(std::string_view text, std::string* out) {
  *out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          *out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          *out += c;
        }
    }
  }
  *out += '"';
}

// A field as deb822 lines ("Name: value", continuation lines as stored), each line prefixed.
std::string FieldLines(std::string_view prefix, std::string_view name, std::string_view raw) {
  std::string out = fmt::format("{}{}:", prefix, name);
  if (!raw.empty() && raw.front() != '\n') out += ' ';
  for (const char c : raw) {
    out += c;
    if (c == '\n') out.append(prefix);
  }
  return out + "\n";
}

const char* KindName(RecordChange::Kind kind) {
  switch (kind) {
    case RecordChange::Kind::kAdded:
      return "added";
    case RecordChange::Kind::kRemoved:
      return "removed";
    case RecordChange::Kind::kChanged:
      break;
  }
  return "changed";
}

// [M-061]: the text form.
std::string FormatText(const std::vector<Change>& changes) {
  std::string out;
  for (const Change& c : changes) {
    out += fmt::format("{}: {} {}{}", c.file, KindName(c.change.kind),
                       c.schema ? "schema stanza " : "", c.change.key);
    if (!c.old_file.empty() && c.old_file != c.file) out += fmt::format(" (was in {})", c.old_file);
    out += '\n';
    if (c.change.kind != RecordChange::Kind::kChanged) {
      const std::string_view sign = c.change.kind == RecordChange::Kind::kAdded ? "  + " : "  - ";
      for (const deb822::Field& field : c.change.record.fields()) {
        out += FieldLines(sign, field.name(), field.value());
      }
      continue;
    }
    for (const FieldChange& field : c.change.fields) {
      const bool one_line = field.old_value && field.new_value &&
                            field.old_value->find('\n') == std::string::npos &&
                            field.new_value->find('\n') == std::string::npos;
      if (one_line) {
        out += fmt::format("  {}: {} -> {}\n", field.field, *field.old_value, *field.new_value);
        continue;
      }
      if (field.old_value) out += FieldLines("  - ", field.field, *field.old_value);
      if (field.new_value) out += FieldLines("  + ", field.field, *field.new_value);
    }
  }
  return out;
}

// [M-062]: the JSON form, an array of changes.
std::string FormatJson(const std::vector<Change>& changes) {
  std::string out = "[";
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    out += i == 0 ? "\n  {" : ",\n  {";
    out += "\"table\": ";
    AppendJsonString(c.table, &out);
    out += fmt::format(", \"what\": \"{}\", \"change\": \"{}\", \"key\": ",
                       c.schema ? "schema" : "record", KindName(c.change.kind));
    AppendJsonString(c.change.key, &out);
    out += ", \"file\": ";
    AppendJsonString(c.file, &out);
    if (!c.old_file.empty()) {
      out += ", \"old_file\": ";
      AppendJsonString(c.old_file, &out);
    }
    if (c.change.kind == RecordChange::Kind::kChanged) {
      out += ", \"fields\": [";
      for (std::size_t f = 0; f < c.change.fields.size(); ++f) {
        const FieldChange& field = c.change.fields[f];
        out += f == 0 ? "{\"field\": " : ", {\"field\": ";
        AppendJsonString(field.field, &out);
        out += ", \"old\": ";
        if (field.old_value) {
          AppendJsonString(*field.old_value, &out);
        } else {
          out += "null";
        }
        out += ", \"new\": ";
        if (field.new_value) {
          AppendJsonString(*field.new_value, &out);
        } else {
          out += "null";
        }
        out += '}';
      }
      out += ']';
    } else {
      out += ", \"record\": {";
      bool first = true;
      for (const deb822::Field& field : c.change.record.fields()) {
        if (!first) out += ", ";
        first = false;
        AppendJsonString(field.name(), &out);
        out += ": ";
        AppendJsonString(field.value(), &out);
      }
      out += '}';
    }
    out += '}';
  }
  out += changes.empty() ? "]\n" : "\n]\n";
  return out;
}

// Each file's text, checked to parse (so an error names the file and its line), joined into
// one text whose records DiffRecords matches by key across files; *where gets, for each record's
// displayed key, the file holding it.
Result<std::string> JoinFiles(const std::map<std::string, std::string>& files,
                              std::string_view version, const Schema& schema,
                              const RecordKeys& keys, std::map<std::string, std::string>* where) {
  std::string joined;
  for (const auto& [path, text] : files) {
    deb822::ParseOptions options;
    options.file_name = version.empty() ? path : fmt::format("{}:{}", version, path);
    Result<deb822::Document> doc = deb822::Parse(text, options);
    if (!doc.ok()) return doc.status();
    for (const deb822::Stanza& stanza : doc->stanzas()) {
      Result<std::string> key = KeyOf(schema, stanza);
      if (key.ok()) (*where)[keys.display(*key)] = path;
      joined += joined.empty() ? "" : "\n";
      joined.append(text, stanza.source_offset(), stanza.source_length());
      if (!joined.ends_with('\n')) joined += '\n';
    }
  }
  return joined;
}

// The changes of one table from `before` to `after` (either may be absent).
Status DiffTable(const std::string& table, const TableFiles* before, const TableFiles* after,
                 std::string_view old_version, std::vector<Change>* out) {
  const TableFiles empty;
  if (before == nullptr) before = &empty;
  if (after == nullptr) after = &empty;
  const std::string schema_path = table + "/" + std::string(kSchemaFileName);
  const std::string& schema_text = after->schema ? *after->schema : *before->schema;
  Result<Schema> schema = ParseSchema(schema_text, schema_path);
  if (!schema.ok()) return schema.status();
  Result<std::vector<RecordChange>> schema_changes = DiffRecords(
      before->schema.value_or(""), after->schema.value_or(""), SchemaFileKeys(), schema_path);
  if (!schema_changes.ok()) return schema_changes.status();
  for (RecordChange& change : *schema_changes) {
    out->push_back(
        {table, true, schema_path, before->schema ? schema_path : "", std::move(change)});
  }
  const RecordKeys keys = KeysOf(*schema);
  std::map<std::string, std::string> old_where;
  std::map<std::string, std::string> new_where;
  Result<std::string> old_text = JoinFiles(before->data, old_version, *schema, keys, &old_where);
  if (!old_text.ok()) return old_text.status();
  Result<std::string> new_text = JoinFiles(after->data, "", *schema, keys, &new_where);
  if (!new_text.ok()) return new_text.status();
  Result<std::vector<RecordChange>> changes = DiffRecords(*old_text, *new_text, keys, table);
  if (!changes.ok()) return changes.status();
  for (RecordChange& change : *changes) {
    const std::string old_file = old_where.count(change.key) ? old_where[change.key] : "";
    const std::string new_file = new_where.count(change.key) ? new_where[change.key] : old_file;
    out->push_back({table, false, new_file, old_file, std::move(change)});
  }
  return Status::Ok();
}

// Adds `path` (relative to the database) with `text` to `tree` when it is a table's schema or
// data file ([B-004], [P-021]; names starting with '.' are never data, [B-003]).
void AddToTree(const std::string& path, std::string text, Tree* tree) {
  const std::size_t slash = path.find('/');
  if (slash == std::string::npos || path.starts_with('.') || !path.ends_with(".deb822")) return;
  const std::string table = path.substr(0, slash);
  const std::string rest = path.substr(slash + 1);
  if (rest.starts_with('.') || rest.find("/.") != std::string::npos) return;
  if (rest == kSchemaFileName) {
    (*tree)[table].schema = std::move(text);
  } else {
    (*tree)[table].data[path] = std::move(text);
  }
}

// The working tree's tables under `db` (through the Env: regular files only).
Status ReadWorkingTree(const std::string& db, const std::string& sub, Tree* tree) {
  Env* env = Env::Default();
  Result<std::vector<std::string>> names = env->ListDir(sub.empty() ? db : db + "/" + sub);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (name.starts_with('.')) continue;
    const std::string path = sub.empty() ? name : sub + "/" + name;
    Result<FileInfo> info = env->Stat(db + "/" + path);
    if (!info.ok()) return info.status();
    if (info->type == FileInfo::Type::kDirectory) {
      TEXTDB_RETURN_IF_ERROR(ReadWorkingTree(db, path, tree));
    } else if (info->type == FileInfo::Type::kRegular && !sub.empty()) {
      Result<std::string> text = env->ReadFile(db + "/" + path);
      if (!text.ok()) return text.status();
      AddToTree(path, std::move(text).value(), tree);
    }
  }
  // A directory without a schema file is no table.
  if (sub.empty()) std::erase_if(*tree, [](const auto& entry) { return !entry.second.schema; });
  return Status::Ok();
}

// The tables of revision `rev` under `db`: `git ls-tree -r -z REV -- .` run in `db` (paths
// relative to it), then every blob through one `git cat-file --batch` [M-060].
Status ReadRevision(const std::string& db, const std::string& rev, Tree* tree) {
  Result<std::string> listing = Git({"ls-tree", "-r", "-z", rev, "--", "."}, db);
  if (!listing.ok()) return listing.status();
  std::vector<std::string> paths;
  std::string request;
  for (std::string_view rest = *listing; !rest.empty();) {
    const std::size_t end = rest.find('\0');
    const std::string_view entry = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    // "MODE TYPE OBJECT\tPATH"
    const std::size_t tab = entry.find('\t');
    const std::string_view head = entry.substr(0, tab);
    const std::string path(entry.substr(tab + 1));
    if (tab == std::string_view::npos || head.find(" blob ") == std::string_view::npos) continue;
    if (!path.ends_with(".deb822")) continue;
    paths.push_back(path);
    request += std::string(head.substr(head.rfind(' ') + 1)) + "\n";
  }
  if (paths.empty()) return Status::Ok();
  Result<ProcessResult> batch = RunProcess({"git", "cat-file", "--batch"}, request, db);
  if (!batch.ok()) return batch.status();
  if (batch->exit_code != 0) {
    return Status::IOError(fmt::format("git cat-file --batch: {}", batch->err));
  }
  std::string_view rest = batch->out;
  for (const std::string& path : paths) {
    // "<object> blob <size>\n<content>\n"
    const std::size_t eol = rest.find('\n');
    const std::string_view header = rest.substr(0, eol);
    const std::size_t space = header.rfind(' ');
    std::uint64_t size = 0;
    bool valid = eol != std::string_view::npos && space != std::string_view::npos &&
                 header.find(" blob ") != std::string_view::npos;
    for (std::size_t i = space + 1; valid && i < header.size(); ++i) {
      valid = header[i] >= '0' && header[i] <= '9';
      size = size * 10 + static_cast<std::uint64_t>(header[i] - '0');
    }
    if (!valid || rest.size() < eol + 1 + size + 1) {
      return Status::IOError(
          fmt::format("git cat-file --batch: unexpected output for {}:{}", rev, path));
    }
    AddToTree(path, std::string(rest.substr(eol + 1, size)), tree);
    rest.remove_prefix(eol + 1 + size + 1);
  }
  std::erase_if(*tree, [](const auto& entry) { return !entry.second.schema; });
  return Status::Ok();
}

struct DiffOptions {
  std::string db;
  std::vector<std::string> args;
  std::string format = "text";
};

ExitCode RunDiff(const DiffOptions& options) {
  Result<std::string> db = FindDatabase(options.db);
  if (!db.ok()) return ReportDbError(db.status());
  Result<ProcessResult> inside = RunProcess({"git", "rev-parse", "--git-dir"}, {}, *db);
  if (!inside.ok()) return ReportError(inside.status());
  if (inside->exit_code != 0) {
    PrintError(fmt::format("error: {}: the database is not in a git repository", *db));
    return kExitUsage;
  }
  Tree work;
  if (Status read = ReadWorkingTree(*db, "", &work); !read.ok()) return ReportDbError(read);
  std::vector<std::string> revisions;
  std::vector<std::string> tables;
  for (const std::string& arg : options.args) {
    if (work.count(arg)) {
      tables.push_back(arg);
      continue;
    }
    Result<ProcessResult> rev =
        RunProcess({"git", "rev-parse", "--verify", "--quiet", arg + "^{commit}"}, {}, *db);
    if (!rev.ok()) return ReportError(rev.status());
    if (rev->exit_code != 0 || !tables.empty() || revisions.size() == 2) {
      PrintError(fmt::format(
          "error: '{}' is neither a table of {} nor a revision (at most two revisions, before "
          "any table)",
          arg, *db));
      PrintError("run 'textdb diff --help' for usage");
      return kExitUsage;
    }
    revisions.push_back(arg);
  }
  Tree before;
  const std::string old_rev = revisions.empty() ? "HEAD" : revisions[0];
  if (Status read = ReadRevision(*db, old_rev, &before); !read.ok()) return ReportDbError(read);
  Tree after_rev;
  if (revisions.size() == 2) {
    if (Status read = ReadRevision(*db, revisions[1], &after_rev); !read.ok()) {
      return ReportDbError(read);
    }
  }
  const Tree& after = revisions.size() == 2 ? after_rev : work;
  std::map<std::string, bool> names;
  for (const auto& [name, files] : before) names[name] = true;
  for (const auto& [name, files] : after) names[name] = true;
  std::vector<Change> changes;
  for (const auto& [name, unused] : names) {
    if (!tables.empty() && std::find(tables.begin(), tables.end(), name) == tables.end()) continue;
    auto b = before.find(name);
    auto a = after.find(name);
    const Status diffed = DiffTable(name, b == before.end() ? nullptr : &b->second,
                                    a == after.end() ? nullptr : &a->second, old_rev, &changes);
    if (!diffed.ok()) return ReportDbError(diffed);
  }
  const std::string out = options.format == "json" ? FormatJson(changes) : FormatText(changes);
  const Status written = WriteOutput("", out);
  return written.ok() ? kExitOk : ReportError(written);
}

struct DiffDriverOptions {
  std::vector<std::string> args;
};

// [M-063]: `diff -u` of the two files, for a file that is not textdb data or does not parse.
ExitCode LineDiff(const std::string& path, const std::string& old_file,
                  const std::string& new_file) {
  Result<ProcessResult> run = RunProcess(
      {"diff", "-u", "--label", "a/" + path, "--label", "b/" + path, old_file, new_file});
  if (!run.ok()) return ReportError(run.status());
  if (run->exit_code > 1) {
    PrintError(fmt::format("{}: error: diff failed: {}", path, run->err));
    return kExitIOError;
  }
  const Status written = WriteOutput("", fmt::format("diff a/{} b/{}\n{}", path, path, run->out));
  return written.ok() ? kExitOk : ReportError(written);
}

ExitCode RunDiffDriver(const DiffDriverOptions& options) {
  // PATH OLD-FILE OLD-HEX OLD-MODE NEW-FILE NEW-HEX NEW-MODE [NEW-PATH RENAME-INFO]
  const std::string& path = options.args.size() == 9 ? options.args[7] : options.args[0];
  const std::string& old_file = options.args[1];
  const std::string& new_file = options.args[4];
  // git runs the driver in the top directory of the working tree or, for some commands, in the
  // current one; PATH is relative to the top.
  TextdbFile file = ClassifyFile(path);
  if (file.kind == TextdbFile::Kind::kOther) {
    Result<std::string> top = Git({"rev-parse", "--show-toplevel"});
    if (top.ok()) {
      std::string dir = *top;
      while (dir.ends_with('\n')) dir.pop_back();
      file = ClassifyFile(dir + "/" + path);
    }
  }
  if (file.kind == TextdbFile::Kind::kOther) return LineDiff(path, old_file, new_file);
  Result<RecordKeys> keys = KeysForFile(file);
  if (!keys.ok()) return LineDiff(path, old_file, new_file);
  Result<std::string> old_text = ReadInput(old_file);
  if (!old_text.ok()) return ReportError(old_text.status());
  Result<std::string> new_text = ReadInput(new_file);
  if (!new_text.ok()) return ReportError(new_text.status());
  Result<std::vector<RecordChange>> diff = DiffRecords(*old_text, *new_text, *keys, path);
  if (!diff.ok()) return LineDiff(path, old_file, new_file);
  std::vector<Change> changes;
  for (RecordChange& change : *diff) {
    changes.push_back(
        {file.table, file.kind == TextdbFile::Kind::kSchema, path, path, std::move(change)});
  }
  const Status written =
      WriteOutput("", fmt::format("diff --textdb a/{} b/{}\n{}", path, path, FormatText(changes)));
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupDiff(CLI::App& root) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* command =
      root.add_subcommand("diff", "Records added, removed and changed between versions in git");
  command->footer(
      "Compares two versions of the database by record key: the working tree with HEAD (no\n"
      "REV), the working tree with REV, or the first REV with the second. An argument that\n"
      "names a table of the working tree limits the diff to it; any other is a revision.\n"
      "Records are matched by key across the files of a table, so a record moved to another\n"
      "file is no change; comments, formatting and field order alone are no change. Text form,\n"
      "one block per record:\n"
      "  FILE: added KEY          and its fields, '  + Field: value'\n"
      "  FILE: removed KEY        and its fields, '  - Field: value'\n"
      "  FILE: changed KEY        and per field '  Field: OLD -> NEW', '  + Field: NEW' (added)\n"
      "                           or '  - Field: OLD' (removed); multi-line values as - and +\n"
      "Changes of a table's schema file show as 'changed schema stanza NAME'. --format json\n"
      "prints an array of {table, what, change, key, file, old_file, fields | record}.\n"
      "Exit status 0 (with or without differences), 2 outside a git repository or for an\n"
      "unknown revision, 3 when a version of a file does not parse.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb diff\n"
      "  textdb diff HEAD~3 HEAD packages --format json");
  AddDatabaseOption(command, &options->db);
  command->add_option("REV_OR_TABLE", options->args, "Up to two revisions, then tables")
      ->type_name("");
  command->add_option("--format", options->format, "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  return {command, [options] { return RunDiff(*options); }};
}

Command SetupDiffDriver(CLI::App& root) {
  auto options = std::make_shared<DiffDriverOptions>();
  CLI::App* command =
      root.add_subcommand("diff-driver", "git diff driver: a data file's diff by record");
  command->footer(
      "git runs this as diff.textdb.command (see git-setup) with PATH OLD-FILE OLD-HEX\n"
      "OLD-MODE NEW-FILE NEW-HEX NEW-MODE (and NEW-PATH and a rename note for a rename). For\n"
      "a data or schema file of a database it prints 'diff --textdb a/PATH b/PATH' and the\n"
      "records added, removed and changed in the text form of 'textdb diff'; for any other\n"
      "file, or a version that does not parse, a unified line diff. 'git diff' uses it by\n"
      "default; 'git log -p' and 'git show' with --ext-diff.\n"
      "\n"
      "Example:\n"
      "  git -c diff.textdb.command='textdb diff-driver' log -p --ext-diff -- items/");
  command->add_option("ARGS", options->args, "The 7 (or 9) arguments git passes")
      ->required()
      ->expected(7, 9)
      ->type_name("");
  command->callback([options] {
    if (options->args.size() != 7 && options->args.size() != 9) {
      throw CLI::ValidationError(
          "ARGS", fmt::format("expected 7 or 9 arguments, got {}", options->args.size()));
    }
  });
  return {command, [options] { return RunDiffDriver(*options); }};
}

}  // namespace textdb::cli
