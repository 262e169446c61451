// `textdb convert`: reads stanzas from deb822, JSON, NDJSON or CSV files (or standard input) and
// writes them, concatenated in order, in one of those formats.
//
// Everything is read and converted before anything is written, so on any error standard output
// stays empty and an --output file is neither created nor changed. Every input is checked even
// after an error, so one run reports every problem; the exit code is that of the first error.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "textdb/deb822.h"
#include "textdb/interchange.h"

namespace textdb::cli {
namespace {

using interchange::Format;

constexpr Format kFormats[] = {Format::kDeb822, Format::kJson, Format::kNdjson, Format::kCsv};

struct ConvertOptions {
  // As given on the command line.
  std::vector<std::string> files;
  std::string from_name = "deb822";
  std::string to_name;
  std::string profile_name = "strict";
  // Resolved from the names by Resolve().
  Format from = Format::kDeb822;
  Format to = Format::kDeb822;
  deb822::Profile profile = deb822::Profile::kStrict;
  bool strip_signature = false;
  bool canonical = false;
  std::string output;
};

// What the inputs held, in input order: documents for deb822 input, else stanzas.
struct Inputs {
  std::vector<deb822::Document> documents;
  std::vector<deb822::Stanza> stanzas;
};

// Records the first failure's exit code.
void NoteFailure(ExitCode code, ExitCode* first) {
  if (*first == kExitOk) *first = code;
}

// Parses one deb822 input, printing every error found (up to ParseOptions::max_errors).
void ParseDeb822(std::string text, const std::string& name, const ConvertOptions& options,
                 Inputs* inputs, ExitCode* first_failure) {
  deb822::ParseOptions parse_options;
  parse_options.profile = options.profile;
  parse_options.strip_signature = options.strip_signature;
  parse_options.file_name = name;
  std::vector<deb822::Diagnostic> diagnostics;
  Result<deb822::Document> document = deb822::Parse(std::move(text), parse_options, &diagnostics);
  if (!document.ok()) {
    // Errors found before the line scan (the input size limit) come without diagnostics.
    if (diagnostics.empty()) PrintError(document.status().message());
    for (const deb822::Diagnostic& diagnostic : diagnostics) PrintError(diagnostic.ToString());
    NoteFailure(ExitCodeFor(document.status()), first_failure);
    return;
  }
  if (document->signature_stripped()) {
    PrintWarning(name, "OpenPGP signature stripped and NOT verified");
  }
  inputs->documents.push_back(std::move(document).value());
}

// Reads one interchange-format input.
void ParseInterchange(std::string_view text, const std::string& name, Format from, Inputs* inputs,
                      ExitCode* first_failure) {
  Result<std::vector<deb822::Stanza>> stanzas =
      from == Format::kJson     ? interchange::FromJson(text, name)
      : from == Format::kNdjson ? interchange::FromNdjson(text, name)
                                : interchange::FromCsv(text, name);
  if (!stanzas.ok()) {
    NoteFailure(ReportError(stanzas.status()), first_failure);
    return;
  }
  for (deb822::Stanza& stanza : *stanzas) inputs->stanzas.push_back(std::move(stanza));
}

// Appends the deb822 text of a whole document to `out` so that the concatenation stays one valid
// deb822 file: unless one side already has it, an empty line goes between the last line of `out`
// and the first line of `text`, so that neither paragraph runs into the other.
void AppendDocument(std::string_view text, std::string* out) {
  if (text.empty()) return;
  if (!out->empty()) {
    if (out->back() != '\n') out->push_back('\n');
    const bool out_ends_empty_line = *out == "\n" || out->ends_with("\n\n");
    if (!out_ends_empty_line && text.front() != '\n') out->push_back('\n');
  }
  out->append(text);
}

// The stanzas of all inputs in order. PERF: no copy for a single deb822 input (copies of a
// Stanza share the input buffer, but each copies its field list).
const std::vector<deb822::Stanza>& AllStanzas(const Inputs& inputs,
                                              std::vector<deb822::Stanza>* storage) {
  if (inputs.documents.empty()) return inputs.stanzas;
  if (inputs.documents.size() == 1) return inputs.documents.front().stanzas();
  for (const deb822::Document& document : inputs.documents) {
    storage->insert(storage->end(), document.stanzas().begin(), document.stanzas().end());
  }
  return *storage;
}

// The output text.
std::string Render(const ConvertOptions& options, const Inputs& inputs) {
  std::vector<deb822::Stanza> storage;
  switch (options.to) {
    case Format::kJson:
      return interchange::ToJson(AllStanzas(inputs, &storage));
    case Format::kNdjson:
      return interchange::ToNdjson(AllStanzas(inputs, &storage));
    case Format::kCsv:
      return interchange::ToCsv(AllStanzas(inputs, &storage));
    case Format::kDeb822:
      break;
  }
  if (options.from != Format::kDeb822) return interchange::ToDeb822(inputs.stanzas);
  // Lossless for strict input, so that an unmodified file is reproduced byte for byte (the
  // canonical form would drop, e.g., trailing spaces inside values) [L-001]; canonical for compat
  // input (no BOM, CR or armour) or on request [W-001..W-006]. Comments are kept either way.
  const bool lossless = options.profile == deb822::Profile::kStrict && !options.canonical;
  std::string out;
  for (const deb822::Document& document : inputs.documents) {
    AppendDocument(lossless ? document.Write() : document.WriteCanonical(), &out);
  }
  return out;
}

ExitCode RunConvert(const ConvertOptions& options) {
  const std::vector<std::string> files =
      options.files.empty() ? std::vector<std::string>{std::string(kStdioArgument)} : options.files;
  Inputs inputs;
  ExitCode first_failure = kExitOk;
  for (const std::string& file : files) {
    const std::string name = InputDisplayName(file);
    Result<std::string> text = ReadInput(file);
    if (!text.ok()) {
      NoteFailure(ReportError(text.status()), &first_failure);
      continue;
    }
    if (options.from == Format::kDeb822) {
      ParseDeb822(std::move(text).value(), name, options, &inputs, &first_failure);
    } else {
      ParseInterchange(*text, name, options.from, &inputs, &first_failure);
    }
  }
  if (first_failure != kExitOk) return first_failure;
  const Status written = WriteOutput(options.output, Render(options, inputs));
  return written.ok() ? kExitOk : ReportError(written);
}

// Sets the enum options from their names (which CLI11 checked), then checks the option
// combinations CLI11 cannot express; throws CLI::ValidationError.
void Resolve(const CLI::App& command, ConvertOptions* options_out) {
  ConvertOptions& options = *options_out;
  options.from = interchange::ParseFormatName(options.from_name).value();
  options.to = interchange::ParseFormatName(options.to_name).value();
  options.profile =
      options.profile_name == "compat" ? deb822::Profile::kCompat : deb822::Profile::kStrict;
  if (options.from != Format::kDeb822 && command.count("--profile") > 0) {
    throw CLI::ValidationError("--profile", "applies to --from deb822 only");
  }
  if (options.strip_signature && options.profile != deb822::Profile::kCompat) {
    throw CLI::ValidationError("--strip-signature", "requires --profile compat");
  }
  if (options.canonical && options.to != Format::kDeb822) {
    throw CLI::ValidationError("--canonical", "applies to --to deb822 only");
  }
  if (std::count(options.files.begin(), options.files.end(), kStdioArgument) > 1) {
    throw CLI::ValidationError("FILE", "'-' (standard input) may be given only once");
  }
}

}  // namespace

Command SetupConvert(CLI::App& root) {
  auto options = std::make_shared<ConvertOptions>();
  CLI::App* command =
      root.add_subcommand("convert", "Convert stanzas between deb822, JSON, NDJSON and CSV");
  command->footer(
      "Reads every FILE (standard input when none is given, or for '-') and writes all their\n"
      "stanzas, in order, as one output. Nothing is written when any input is invalid: errors\n"
      "go to stderr as FILE:LINE:COL: error: MESSAGE [RULE].\n"
      "deb822 output of strict deb822 input is lossless (an unchanged file is reproduced byte\n"
      "for byte); otherwise, and with --canonical, it is in canonical form.\n"
      "\n"
      "Examples:\n"
      "  textdb convert Packages --to json -o packages.json\n"
      "  textdb convert --from json --to deb822 < records.json\n"
      "  textdb convert a.deb822 b.deb822 --to csv\n"
      "  textdb convert --profile compat --strip-signature --to deb822 foo.dsc");

  // Names of the formats and profiles, as the options take them.
  std::vector<std::string> format_names;
  for (const Format format : kFormats) {
    format_names.emplace_back(interchange::FormatName(format));
  }
  const std::vector<std::string> profile_names = {"strict", "compat"};

  command->add_option("FILE", options->files, "Input files; '-' is standard input")->type_name("");
  command
      ->add_option("--from", options->from_name,
                   "Input format: deb822 (default), json, ndjson or csv")
      ->check(CLI::IsMember(format_names).description(""))
      ->type_name("FORMAT");
  command->add_option("--to", options->to_name, "Output format: deb822, json, ndjson or csv")
      ->required()
      ->check(CLI::IsMember(format_names).description(""))
      ->type_name("FORMAT");
  command
      ->add_option("--profile", options->profile_name,
                   "deb822 input syntax: strict (default) or compat")
      ->check(CLI::IsMember(profile_names).description(""))
      ->type_name("PROFILE");
  command->add_flag("--strip-signature", options->strip_signature,
                    "Strip an OpenPGP clear-signature armour (compat only; NOT verified)");
  command->add_flag("--canonical", options->canonical,
                    "Write deb822 in canonical form even when the input could be kept as is");
  command
      ->add_option("-o,--output", options->output,
                   "Write to FILE (replaced atomically) instead of standard output")
      ->type_name("FILE");
  command->callback([command, options] { Resolve(*command, options.get()); });
  return {command, [options] { return RunConvert(*options); }};
}

}  // namespace textdb::cli
