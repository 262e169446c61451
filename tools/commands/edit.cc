// `textdb edit TABLE KEY...` and `textdb edit TABLE --new`: opens one record (or a template for
// a new one) in the user's editor and stores it once it is valid, as `crontab -e` and `visudo`
// do.
//
// The record goes to a temporary file in $TMPDIR (default /tmp), and the editor runs as
// `sh -c '$EDITOR "$@"' FILE` (git's way; $VISUAL first, then $EDITOR, then vi). After it exits:
//   - the file is empty (nothing but blank and comment lines): nothing is written, exit 1;
//   - the record is unchanged: "no change", exit 0 (with --new: nothing is written, exit 1);
//     so is a change of comments or spacing alone, which Transaction::Put cannot store (it keeps
//     the stored bytes of the fields that did not change);
//   - the record is invalid (deb822 syntax, schema, constraints, a key that is taken, or what the
//     engine refuses at commit): the errors are written as "# error: ..." comment lines at the
//     top of the file and the editor opens again; saved again without any change, the edit
//     stops there, the errors are printed and nothing is written (exit 3);
//   - otherwise the record is stored: replaced (Transaction::Put), or inserted (--new), or, when
//     a key field was changed, the old record deleted and the new one inserted in one commit.
// Nothing is written before the record is valid. When the stored record was changed by someone
// else during the edit, nothing is written, the edited file is kept and its path printed (exit 4).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "query_support.h"
#include "textdb/deb822.h"
#include "textdb/query.h"

extern char** environ;  // NOLINT: POSIX, for posix_spawn

namespace textdb::cli {
namespace {

// The comment lines textdb puts at the top of the file: errors, then the hint. They are removed
// before the file is read again.
constexpr std::string_view kErrorPrefix = "# error: ";
constexpr std::string_view kHintPrefix = "# textdb: ";
// Used when neither $VISUAL nor $EDITOR is set.
constexpr const char* kDefaultEditor = "vi";

struct EditOptions {
  std::string db;
  std::string table;
  std::vector<std::string> key;
  bool new_record = false;
};

// The temporary file of an edit; removed on destruction unless kept.
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty() && !keep_) ::unlink(path_.c_str());
  }

  // Creates a new empty file (mode 0600) in $TMPDIR or /tmp. Fails with kIOError.
  Status Create() {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern =
        fmt::format("{}/textdb-edit-XXXXXX.deb822", dir != nullptr && *dir != '\0' ? dir : "/tmp");
    const int fd = ::mkstemps(pattern.data(), static_cast<int>(std::string_view(".deb822").size()));
    if (fd < 0) {
      return Status::IOError(fmt::format("{}: error: cannot create the file to edit: {}", pattern,
                                         std::strerror(errno)));
    }
    ::close(fd);
    path_ = std::move(pattern);
    return Status::Ok();
  }
  const std::string& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// Runs the editor on `path` and waits for it. SIGINT and SIGQUIT reach the editor only (the
// terminal sends them to both). Fails with kIOError when it cannot be run or does not exit 0.
Status RunEditor(const std::string& path) {
  const char* visual = std::getenv("VISUAL");
  const char* editor = std::getenv("EDITOR");
  const std::string command = visual != nullptr && *visual != '\0'   ? visual
                              : editor != nullptr && *editor != '\0' ? editor
                                                                     : kDefaultEditor;
  const std::string script = command + " \"$@\"";
  std::vector<char*> argv = {const_cast<char*>("sh"),           const_cast<char*>("-c"),
                             const_cast<char*>(script.c_str()), const_cast<char*>(command.c_str()),
                             const_cast<char*>(path.c_str()),   nullptr};
  struct sigaction ignore {};
  struct sigaction old_int {};
  struct sigaction old_quit {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGQUIT);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, "/bin/sh", nullptr, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  int wait_status = 0;
  int waited = 0;
  if (spawned == 0) {
    while ((waited = ::waitpid(pid, &wait_status, 0)) < 0 && errno == EINTR) {
    }
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGQUIT, &old_quit, nullptr);
  if (spawned != 0) {
    return Status::IOError(
        fmt::format("error: cannot run the editor '{}': {}", command, std::strerror(spawned)));
  }
  if (waited < 0) {
    return Status::IOError(
        fmt::format("error: waiting for the editor '{}': {}", command, std::strerror(errno)));
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) return Status::Ok();
  return Status::IOError(fmt::format(
      "error: the editor '{}' {}; nothing was written", command,
      WIFEXITED(wait_status) ? fmt::format("exited with status {}", WEXITSTATUS(wait_status))
                             : fmt::format("was killed by signal {}", WTERMSIG(wait_status))));
}

// True when every line of `text` is blank or a comment.
bool IsEmptyFile(std::string_view text) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    if (!line.starts_with('#') && line.find_first_not_of(" \t\r") != std::string_view::npos) {
      return false;
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return true;
}

// `text` without the error and hint lines textdb put at its top (and the blank line after them).
std::string_view StripHeader(std::string_view text) {
  bool stripped = false;
  while (text.starts_with(kErrorPrefix) || text.starts_with(kHintPrefix)) {
    const std::size_t end = text.find('\n');
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    stripped = true;
  }
  if (stripped && text.starts_with('\n')) text.remove_prefix(1);
  return text;
}

// A problem found in the edited record; `line` (0 = none) counts from the top of the record.
struct Problem {
  std::uint32_t line = 0;
  std::uint32_t column = 0;  // 0 = none
  std::string message;
};

// The problems as comment lines at the top of a file whose record starts `offset` lines down.
std::string ErrorLines(const std::vector<Problem>& problems, std::uint32_t offset) {
  std::string out;
  for (const Problem& problem : problems) {
    std::string line(kErrorPrefix);
    if (problem.line != 0) line += fmt::format("line {}", problem.line + offset);
    if (problem.column != 0) line += fmt::format(", column {}", problem.column);
    if (problem.line != 0) line += ": ";
    line += problem.message;
    for (std::size_t at = line.find('\n'); at != std::string::npos; at = line.find('\n', at + 3)) {
      line.replace(at, 1, "\n# ");
    }
    out += line + "\n";
  }
  return out;
}

// The error lines and the hint, then a blank line, then `body`.
std::string WithErrors(const std::vector<Problem>& problems, std::string_view body) {
  const std::string unplaced = ErrorLines(problems, 0);
  const auto header_lines =
      static_cast<std::uint32_t>(std::count(unplaced.begin(), unplaced.end(), '\n') + 2);
  return fmt::format(
      "{}{}fix the record below and save it again, or save an empty file to cancel\n\n{}",
      ErrorLines(problems, header_lines), kHintPrefix, body);
}

// The first line of a raw value, for a one-line comment.
std::string_view FirstLine(std::string_view raw) { return raw.substr(0, raw.find('\n')); }

// The text --new opens: the table's fields with their types and descriptions as comments, then
// an empty field line for each field the engine does not fill.
std::string Template(const Schema& schema) {
  std::string key_names;
  for (const std::size_t index : schema.key()) {
    if (!key_names.empty()) key_names += ", ";
    key_names += schema.fields()[index].name;
  }
  std::string out = fmt::format("# A new record of table '{}'", schema.table());
  if (!schema.description().empty()) out += fmt::format(" ({})", FirstLine(schema.description()));
  out += fmt::format(
      ", keyed by {}.\n"
      "# Fill in the values; a field left empty is left out. Comment lines are not stored.\n"
      "# Save the file unchanged or empty to add nothing.\n#\n",
      key_names);
  std::string fields;
  // The key fields first, in key order, then the others in the schema's order.
  std::vector<const FieldSpec*> order;
  for (const std::size_t index : schema.key()) order.push_back(&schema.fields()[index]);
  for (const FieldSpec& field : schema.fields()) {
    if (!schema.IsKey(field.name)) order.push_back(&field);
  }
  for (const FieldSpec* spec : order) {
    const FieldSpec& field = *spec;
    std::string what(FieldTypeName(field.type));
    if (field.type == FieldType::kEnum) {
      what += " (";
      for (std::size_t i = 0; i < field.values.size(); ++i) {
        what += (i == 0 ? "" : ", ") + field.values[i];
      }
      what += ")";
    }
    if (schema.IsKey(field.name)) {
      what += ", key";
    } else if (field.mandatory) {
      what += ", mandatory";
    }
    if (field.auto_fill != AutoFill::kNone) what += ", filled in by textdb when left out";
    if (!field.references_table.empty()) {
      what += fmt::format(", names a record of table '{}'", field.references_table);
    }
    out += fmt::format("# {}: {}", field.name, what);
    if (!field.description.empty()) out += fmt::format(". {}", FirstLine(field.description));
    out += "\n";
    if (field.auto_fill == AutoFill::kNone) fields += field.name + ":\n";
  }
  return out + "\n" + fields;
}

// The encoded key of `record` [S-120], or "" when it has none (yet).
std::string EncodedKey(const Schema& schema, const deb822::Stanza& record) {
  Result<std::string> key = KeyOf(schema, record);
  return key.ok() ? std::move(key).value() : std::string();
}

// True when `a` and `b` have the same fields (names as spelt, raw values) in the same order.
bool SameFields(const deb822::Stanza& a, const deb822::Stanza& b) {
  return std::equal(a.fields().begin(), a.fields().end(), b.fields().begin(), b.fields().end(),
                    [](const deb822::Field& x, const deb822::Field& y) {
                      return x.name() == y.name() && x.value() == y.value();
                    });
}

// The line of the first field of `record` that breaks its declaration, or the stanza's line.
std::uint32_t FirstBadFieldLine(const Schema& schema, const deb822::Stanza& record) {
  for (const deb822::Field& field : record.fields()) {
    const FieldSpec* spec = schema.Find(field.name());
    if (spec == nullptr ? !schema.allow_unknown_fields() : !CheckValue(*spec, field.value()).ok()) {
      return field.line();
    }
  }
  return record.line();
}

// One edit session.
class Editing {
 public:
  Editing(const EditOptions& options, OpenedTable* opened)
      : options_(options), db_(opened->db.get()), schema_(opened->schema) {}

  ExitCode Run();

 private:
  // Reads the edited `body` into *record; appends what is wrong to *problems.
  void Check(std::string_view body, deb822::Stanza* record, std::vector<Problem>* problems);
  // Stores `record`. kInvalidData: the engine refused it (the user may fix it); other errors
  // end the edit.
  Status Store(const deb822::Stanza& record);
  ExitCode Finish(std::string_view message) const;

  const EditOptions& options_;
  Database* db_;
  const Schema& schema_;
  std::vector<Expression> constraints_;
  std::optional<Record> original_;  // the stored record (not with --new)
  std::string original_text_;       // what the editor is first given
  TempFile file_;
};

void Editing::Check(std::string_view body, deb822::Stanza* record, std::vector<Problem>* problems) {
  deb822::ParseOptions parse_options;
  parse_options.file_name = file_.path();
  std::vector<deb822::Diagnostic> diagnostics;
  Result<deb822::Document> document = deb822::Parse(std::string(body), parse_options, &diagnostics);
  if (!document.ok()) {
    for (const deb822::Diagnostic& d : diagnostics) {
      problems->push_back({d.line, d.column, fmt::format("{} [{}]", d.message, d.rule)});
    }
    if (diagnostics.empty()) problems->push_back({0, 0, document.status().message()});
    return;
  }
  const std::vector<deb822::Stanza>& stanzas = document->stanzas();
  if (stanzas.empty()) {
    problems->push_back({0, 0, "no record; expected one stanza of fields"});
    return;
  }
  if (stanzas.size() != 1) {
    problems->push_back(
        {stanzas[1].line(), 0,
         fmt::format("a second record; the file holds {} records, expected one (no empty line "
                     "between its fields)",
                     stanzas.size())});
    return;
  }
  if (options_.new_record) {
    // A new record is stored in canonical form: no comments, empty template fields left out.
    for (const deb822::Field& field : stanzas[0].fields()) {
      if (field.value().empty()) continue;
      if (Status set = record->SetRaw(field.name(), field.value()); !set.ok()) {
        problems->push_back({field.line(), 0, set.message()});
        return;
      }
    }
  } else {
    *record = stanzas[0];
  }
  const Status valid = CheckRecord(schema_, *record);
  if (!valid.ok() && !(options_.new_record && LacksAutoField(schema_, *record))) {
    problems->push_back({FirstBadFieldLine(schema_, stanzas[0]), 0, valid.message()});
    return;
  }
  if (Status holds = CheckConstraints(constraints_, schema_, *record); !holds.ok()) {
    problems->push_back({stanzas[0].line(), 0, holds.message()});
    return;
  }
  const std::string key = EncodedKey(schema_, *record);
  if (key.empty()) return;  // filled in by the engine (Auto)
  if (original_ && EncodedKey(schema_, original_->stanza()) == key) return;
  const std::vector<std::string> values = RecordKey(schema_, *record);
  Result<Record> taken = db_->Get(schema_.table(), values);
  if (taken.ok()) {
    problems->push_back(
        {stanzas[0].line(), 0,
         fmt::format("table '{}' has a record with key '{}' already, at {}:{}", schema_.table(),
                     KeyText(values), DatabasePath(*db_, taken->file()), taken->line())});
  }
}

Status Editing::Store(const deb822::Stanza& record) {
  Transaction transaction = db_->Begin();
  if (!original_) {
    transaction.Insert(schema_.table(), record);
    return transaction.Commit();
  }
  // The stored record must still be the one the edit started from.
  const std::vector<std::string> old_key = RecordKey(schema_, original_->stanza());
  Result<Record> current = db_->Get(schema_.table(), old_key);
  std::string current_text;
  if (current.ok()) AppendStoredStanza(current->stanza(), &current_text);
  if (!current.ok() || current_text != original_text_) {
    return Status::Conflict(fmt::format(
        "error: record '{}' of table '{}' was {} while it was being edited; nothing was written",
        KeyText(old_key), schema_.table(), current.ok() ? "changed" : "deleted"));
  }
  if (EncodedKey(schema_, record) == EncodedKey(schema_, original_->stanza())) {
    transaction.Put(schema_.table(), record);
  } else {
    transaction.Delete(schema_.table(), old_key);
    transaction.Insert(schema_.table(), record);
  }
  return transaction.Commit();
}

ExitCode Editing::Finish(std::string_view message) const {
  const Status written = WriteOutput("", fmt::format("{}\n", message));
  return written.ok() ? kExitOk : ReportError(written);
}

ExitCode Editing::Run() {
  Result<std::vector<Expression>> constraints = CompileConstraints(schema_);
  if (!constraints.ok()) return ReportDbError(constraints.status());
  constraints_ = std::move(constraints).value();
  if (options_.new_record) {
    original_text_ = Template(schema_);
  } else {
    if (Status count = CheckKeyCount(schema_, options_.key); !count.ok()) {
      return ReportDbError(count);
    }
    Result<Record> record = db_->Get(schema_.table(), options_.key);
    if (!record.ok()) return ReportDbError(*db_, record.status());
    AppendStoredStanza(record->stanza(), &original_text_);
    original_ = std::move(record).value();
  }
  if (Status created = file_.Create(); !created.ok()) return ReportError(created);

  std::string shown = original_text_;  // what the editor is given this round
  bool invalid = false;                // `shown` carries error lines
  while (true) {
    if (Status written = WriteFileAtomically(file_.path(), shown); !written.ok()) {
      return ReportError(written);
    }
    if (Status edited = RunEditor(file_.path()); !edited.ok()) return ReportError(edited);
    Result<std::string> text = ReadInput(file_.path());
    if (!text.ok()) return ReportError(text.status());
    if (IsEmptyFile(*text)) {
      PrintError("error: the file was saved empty; nothing was written");
      return kExitNotFound;
    }
    if (*text == shown && invalid) {
      for (std::string_view rest = shown; rest.starts_with(kErrorPrefix);) {
        const std::size_t end = rest.find('\n');
        PrintError(
            fmt::format("error: {}", rest.substr(kErrorPrefix.size(), end - kErrorPrefix.size())));
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      }
      PrintError("error: the record was saved again unchanged; nothing was written");
      return kExitInvalidData;
    }
    if (*text == shown && options_.new_record) {
      PrintError("error: the template was saved unchanged; nothing was written");
      return kExitNotFound;
    }
    const std::string_view body = StripHeader(*text);
    if (!options_.new_record && body == original_text_) return Finish("no change");
    std::vector<Problem> problems;
    deb822::Stanza record;
    Check(body, &record, &problems);
    if (problems.empty() && original_ && SameFields(record, original_->stanza())) {
      // Transaction::Put keeps the stored bytes of unchanged fields: a change of comments or
      // spacing alone cannot be stored.
      return Finish("no change to the fields (comments and spacing stay as stored)");
    }
    if (problems.empty()) {
      const Status stored = Store(record);
      if (stored.ok()) {
        const std::string key = KeyText(RecordKey(schema_, record));
        if (!original_) return Finish(fmt::format("inserted record '{}'", key));
        const std::string old_key = KeyText(RecordKey(schema_, original_->stanza()));
        return Finish(key == old_key
                          ? fmt::format("updated record '{}'", key)
                          : fmt::format("updated record '{}' (moved from '{}')", key, old_key));
      }
      if (stored.code() != StatusCode::kInvalidData) {
        file_.Keep();
        const ExitCode code = ReportDbError(*db_, stored);
        PrintError(fmt::format("error: the edited record is kept in {}", file_.path()));
        return code;
      }
      problems.push_back({0, 0, LocateInDatabase(*db_, stored.message())});
    }
    shown = WithErrors(problems, body);
    invalid = true;
  }
}

ExitCode RunEdit(const EditOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kWrite);
  if (!opened.ok()) return ReportDbError(opened.status());
  return Editing(options, &*opened).Run();
}

}  // namespace

Command SetupEdit(CLI::App& root) {
  auto options = std::make_shared<EditOptions>();
  CLI::App* command = root.add_subcommand("edit", "Edit a record (or a new one) in a text editor");
  command->footer(
      "Opens the record with the given key, exactly as stored, or with --new a template\n"
      "listing the table's fields, in $VISUAL, else $EDITOR, else vi (run as\n"
      "sh -c '$EDITOR \"$@\"' FILE, on a file in $TMPDIR). When the editor exits, the record\n"
      "is checked: deb822 syntax, the schema, the table's constraints and the key. If it is\n"
      "invalid the editor opens again with the errors as '# error:' lines at the top; nothing\n"
      "is written until the record is valid. Saving the file empty cancels (exit status 1);\n"
      "saving it unchanged prints 'no change' (with --new it cancels, exit status 1); saving\n"
      "it again unchanged after an error stops with the errors (exit status 3). Changing a\n"
      "key field moves the record to its new key. Exit status 4, and the edited file kept,\n"
      "when someone else changed the record meanwhile; 5 when the editor fails.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb edit items bolt-m6\n"
      "  EDITOR=nano textdb edit packages zsh 5.9-4+b15\n"
      "  textdb edit items --new");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command->add_option("KEY", options->key, "The key values, one per key field")->type_name("");
  command->add_flag("--new", options->new_record, "Add a new record, from a template");
  command->callback([options] {
    if (options->new_record && !options->key.empty()) {
      throw CLI::ValidationError("--new", "cannot be combined with KEY values");
    }
    if (!options->new_record && options->key.empty()) {
      throw CLI::ValidationError("KEY", "give the key values of the record, or --new");
    }
  });
  return {command, [options] { return RunEdit(*options); }};
}

}  // namespace textdb::cli
