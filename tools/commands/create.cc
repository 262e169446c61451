// `textdb create`: creates a table, from options (--key, --type, ...) or from a schema file
// written by hand (--schema FILE; format-spec/schema.md).
//
// The options are turned into a schema file's text, which is checked with ParseSchema while the
// command line is validated: a mistake in them is a usage error (exit 2), reported without the
// line numbers of a file the user never saw. A --schema file is checked as written, with its
// own name, lines and columns in the messages (exit 3).
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/schema.h"

namespace textdb::cli {
namespace {

constexpr FieldType kFieldTypes[] = {
    FieldType::kString,  FieldType::kInteger, FieldType::kDecimal,
    FieldType::kBoolean, FieldType::kDate,    FieldType::kDateTime,
    FieldType::kEnum,    FieldType::kList,    FieldType::kDebVersion,
};

struct CreateOptions {
  // As given on the command line.
  std::string db;
  std::string table;
  std::vector<std::string> key;
  std::vector<std::string> types;   // FIELD=TYPE
  std::vector<std::string> values;  // FIELD=V1,V2,...
  std::vector<std::string> indexed;
  std::vector<std::string> mandatory;
  std::vector<std::string> unique;
  int partition_depth = -1;  // -1 = the default [S-012]
  std::string schema_file;
  // Built by Resolve() from the options above when --schema is not given.
  std::string schema_text;
};

// What the options say about one field.
struct FieldAttributes {
  std::string name;
  std::string type;
  std::string values;
  bool mandatory = false;
  bool unique = false;
  bool indexed = false;
};

std::string Trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

// The attributes of field `name` (ASCII case-insensitive), added in order of first mention.
FieldAttributes& Attributes(std::vector<FieldAttributes>* fields, const std::string& name) {
  for (FieldAttributes& field : *fields) {
    if (EqualsIgnoreAsciiCase(field.name, name)) return field;
  }
  fields->push_back({name, "", "", false, false, false});
  return fields->back();
}

// Splits "FIELD=VALUE" of option `option` at the first '='. Throws CLI::ValidationError.
std::pair<std::string, std::string> SplitAssignment(const std::string& option,
                                                    const std::string& text,
                                                    std::string_view what) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw CLI::ValidationError(option, fmt::format("expected FIELD={}, got '{}'", what, text));
  }
  return {Trim(text.substr(0, equals)), Trim(text.substr(equals + 1))};
}

// The schema file text the options describe; throws CLI::ValidationError.
std::string BuildSchemaText(const CreateOptions& options) {
  if (options.table.empty()) throw CLI::ValidationError("TABLE", "a table name is required");
  if (options.key.empty()) {
    throw CLI::ValidationError("--key", "the key fields are required (or give --schema FILE)");
  }
  std::vector<std::string> type_names;
  for (const FieldType type : kFieldTypes) type_names.emplace_back(FieldTypeName(type));

  std::vector<FieldAttributes> fields;
  std::vector<std::string> key;
  for (const std::string& name : options.key) {
    key.push_back(Trim(name));
    Attributes(&fields, key.back());
  }
  for (const std::string& assignment : options.types) {
    auto [name, type] = SplitAssignment("--type", assignment, "TYPE");
    if (std::find(type_names.begin(), type_names.end(), type) == type_names.end()) {
      throw CLI::ValidationError(
          "--type", fmt::format("unknown type '{}' for field '{}'; expected one of: {} [S-022]",
                                type, name, fmt::join(type_names, ", ")));
    }
    FieldAttributes& field = Attributes(&fields, name);
    if (!field.type.empty()) {
      throw CLI::ValidationError("--type", fmt::format("field '{}' is given twice", name));
    }
    field.type = std::move(type);
  }
  for (const std::string& assignment : options.values) {
    auto [name, values] = SplitAssignment("--values", assignment, "VALUE,VALUE...");
    FieldAttributes& field = Attributes(&fields, name);
    if (!field.values.empty()) {
      throw CLI::ValidationError("--values", fmt::format("field '{}' is given twice", name));
    }
    field.values = std::move(values);
  }
  for (const std::string& name : options.mandatory) {
    Attributes(&fields, Trim(name)).mandatory = true;
  }
  for (const std::string& name : options.unique) {
    Attributes(&fields, Trim(name)).unique = true;
  }
  for (const std::string& name : options.indexed) {
    Attributes(&fields, Trim(name)).indexed = true;
  }

  std::string text = fmt::format("Table: {}\nKey: {}\n", options.table, fmt::join(key, ", "));
  if (options.partition_depth >= 0) {
    text += fmt::format("Partition-Depth: {}\n", options.partition_depth);
  }
  for (const FieldAttributes& field : fields) {
    const bool is_key = std::any_of(key.begin(), key.end(), [&](const std::string& k) {
      return EqualsIgnoreAsciiCase(k, field.name);
    });
    std::string stanza;
    if (!field.type.empty()) stanza += fmt::format("Type: {}\n", field.type);
    if (!field.values.empty()) stanza += fmt::format("Values: {}\n", field.values);
    if (field.mandatory && !is_key) stanza += "Mandatory: yes\n";
    if (field.unique) stanza += "Unique: yes\n";
    if (field.indexed) stanza += "Index: yes\n";
    if (!stanza.empty()) text += fmt::format("\nField: {}\n{}", field.name, stanza);
  }
  return text;
}

// Builds and checks the schema of the options; throws CLI::ValidationError.
void Resolve(const CLI::App& command, CreateOptions* options) {
  if (!options->schema_file.empty()) {
    for (const char* name : {"--key", "--type", "--values", "--mandatory", "--unique", "--index",
                             "--partition-depth"}) {
      if (command.count(name) > 0) {
        throw CLI::ValidationError("--schema", fmt::format("cannot be combined with {}", name));
      }
    }
    return;
  }
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& value : option->results()) {
      if (value.find_first_of("\r\n") != std::string::npos) {
        throw CLI::ValidationError(option->get_name(), "a value must be on one line");
      }
    }
  }
  options->schema_text = BuildSchemaText(*options);
  Result<Schema> schema = ParseSchema(options->schema_text, "<options>");
  if (!schema.ok()) {
    // The message is located in the text built above, which the user never saw: drop that.
    const std::string& message = schema.status().message();
    const std::size_t at = message.find(": error: ");
    throw CLI::ValidationError(
        at == std::string::npos ? message : message.substr(at + sizeof(": error: ") - 1));
  }
}

ExitCode RunCreate(const CreateOptions& options) {
  Result<std::unique_ptr<Database>> db =
      OpenDatabase(options.db, /*preload=*/false, Access::kWrite);
  if (!db.ok()) return ReportDbError(db.status());
  std::string text = options.schema_text;
  if (!options.schema_file.empty()) {
    Result<std::string> read = ReadInput(options.schema_file);
    if (!read.ok()) return ReportError(read.status());
    Result<Schema> schema = ParseSchema(*read, InputDisplayName(options.schema_file));
    if (!schema.ok()) return ReportDbError(schema.status());
    if (!options.table.empty() && schema->table() != options.table) {
      PrintError(fmt::format("error: {}: the schema file is for table '{}', not '{}'",
                             InputDisplayName(options.schema_file), schema->table(),
                             options.table));
      return kExitUsage;
    }
    text = std::move(read).value();
  }
  const Status created = (*db)->CreateTable(text);
  return created.ok() ? kExitOk : ReportDbError(created);
}

}  // namespace

Command SetupCreate(CLI::App& root) {
  auto options = std::make_shared<CreateOptions>();
  CLI::App* command = root.add_subcommand("create", "Create a table");
  command->footer(
      "Creates TABLE with the key fields of --key (a record is named by their values, in\n"
      "that order) and the field declarations of the other options; undeclared fields are\n"
      "strings. Types: string, integer, decimal, boolean, date, date-time, enum (needs\n"
      "--values), list, debversion. A key field cannot be a list or a boolean [S-031].\n"
      "Or give a schema file written by hand with --schema (format-spec/schema.md); it is\n"
      "stored in canonical form, without its comments.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb create packages --key Package,Version --type Version=debversion\n"
      "  textdb create items --key Item --type Count=integer --mandatory Name --index Location\n"
      "  textdb create tasks --key Id --type State=enum --values State=open,done\n"
      "  textdb create --schema packages.schema");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table name (letters, digits, '-', '_')")
      ->type_name("");
  command->add_option("-k,--key", options->key, "The key fields, in key order")
      ->delimiter(',')
      ->type_name("FIELD[,...]");
  command->add_option("--type", options->types, "Declare FIELD of type TYPE (repeatable)")
      ->type_name("FIELD=TYPE");
  command->add_option("--values", options->values, "The allowed values of enum FIELD")
      ->type_name("FIELD=V1,V2...");
  command
      ->add_option("--mandatory", options->mandatory,
                   "Every record must have FIELD, not empty (repeatable)")
      ->type_name("FIELD");
  command->add_option("--unique", options->unique, "No two records share a FIELD value")
      ->type_name("FIELD");
  command->add_option("--index", options->indexed, "Keep a secondary index on FIELD")
      ->type_name("FIELD");
  command
      ->add_option("--partition-depth", options->partition_depth,
                   "Key characters that name the data files, 0-4 (default 2; 0 = one file)")
      ->check(CLI::Range(0, 4).description(""))
      ->type_name("N");
  command
      ->add_option("--schema", options->schema_file,
                   "Create the table from a schema file ('-' = standard input)")
      ->type_name("FILE");
  command->callback([command, options] { Resolve(*command, options.get()); });
  return {command, [options] { return RunCreate(*options); }};
}

}  // namespace textdb::cli
