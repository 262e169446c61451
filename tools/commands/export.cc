// `textdb export TABLE`: writes every record of a table, in key order (Database::Scan), as
// deb822 (each stanza exactly as stored), JSON, NDJSON or CSV.
#include <memory>
#include <string>
#include <vector>

#include "cli_support.h"
#include "commands/commands.h"
#include "db_support.h"
#include "textdb/interchange.h"

namespace textdb::cli {
namespace {

using interchange::Format;

struct ExportOptions {
  std::string db;
  std::string table;
  std::string format_name = "deb822";
  std::string output;
};

ExitCode RunExport(const ExportOptions& options) {
  Result<OpenedTable> opened =
      OpenTable(options.db, options.table, /*preload=*/false, Access::kRead);
  if (!opened.ok()) return ReportDbError(opened.status());
  const Format format = interchange::ParseFormatName(options.format_name).value();
  std::string out;
  std::vector<deb822::Stanza> stanzas;
  const Status scanned = opened->db->Scan(options.table, "", [&](const Record& record) {
    if (format == Format::kDeb822) {
      if (!out.empty()) out += '\n';
      AppendStoredStanza(record.stanza(), &out);
    } else {
      stanzas.push_back(record.stanza());
    }
    return true;
  });
  if (!scanned.ok()) return ReportDbError(*opened->db, scanned);
  switch (format) {
    case Format::kJson:
      out = interchange::ToJson(stanzas);
      break;
    case Format::kNdjson:
      out = interchange::ToNdjson(stanzas);
      break;
    case Format::kCsv:
      out = interchange::ToCsv(stanzas);
      break;
    case Format::kDeb822:
      break;
  }
  const Status written = WriteOutput(options.output, out);
  return written.ok() ? kExitOk : ReportError(written);
}

}  // namespace

Command SetupExport(CLI::App& root) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* command = root.add_subcommand("export", "Write every record of a table");
  command->footer(
      "Writes every record of TABLE, in key order, as deb822 (each stanza exactly as stored,\n"
      "comments inside it included, one empty line between stanzas), JSON, NDJSON or CSV\n"
      "(format-spec/interchange.md). Nothing is written when a data file cannot be read.\n" +
      std::string(kDatabaseHelp) +
      "\n"
      "\n"
      "Examples:\n"
      "  textdb export packages > Packages\n"
      "  textdb export items --format csv -o items.csv");
  AddDatabaseOption(command, &options->db);
  command->add_option("TABLE", options->table, "The table")->required()->type_name("");
  command
      ->add_option("--format", options->format_name,
                   "Output format: deb822 (default), json, ndjson or csv")
      ->check(CLI::IsMember(FormatNames()).description(""))
      ->type_name("FORMAT");
  command
      ->add_option("-o,--output", options->output,
                   "Write to FILE (replaced atomically) instead of standard output")
      ->type_name("FILE");
  return {command, [options] { return RunExport(*options); }};
}

}  // namespace textdb::cli
