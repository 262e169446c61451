// `textdb merge-driver BASE OURS THEIRS PATH [MARKER_SIZE]`: git's merge driver for textdb files
// (format-spec/merge.md §7, [M-050..M-054]). git runs it as `textdb merge-driver %O %A %B %P %L`
// (`textdb git-setup` registers it); it merges the three versions by record key and field
// (MergeRecords) and writes the result over OURS, where git takes it from.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli_support.h"
#include "commands/commands.h"
#include "git_support.h"
#include "textdb/merge.h"

namespace textdb::cli {
namespace {

struct MergeDriverOptions {
  std::string base;
  std::string ours;
  std::string theirs;
  std::string path;
  int marker_size = 7;
  std::string ours_label = "ours";
  std::string theirs_label = "theirs";
};

// [M-052]: a line merge by `git merge-file`, which writes its result over OURS.
ExitCode LineMerge(const MergeDriverOptions& options) {
  Result<ProcessResult> run =
      RunProcess({"git", "merge-file", "-L", options.ours_label, "-L", "base", "-L",
                  options.theirs_label, fmt::format("--marker-size={}", options.marker_size),
                  options.ours, options.base, options.theirs});
  if (!run.ok()) return ReportError(run.status());
  if (run->exit_code == 0) return kExitOk;
  if (run->exit_code < 128) return kExitNotFound;  // conflicts: the count, capped by git
  PrintError(fmt::format("{}: error: git merge-file failed: {}", options.path, run->err));
  return kExitIOError;
}

ExitCode RunMergeDriver(const MergeDriverOptions& options) {
  const TextdbFile file = ClassifyFile(options.path);
  if (file.kind == TextdbFile::Kind::kOther) return LineMerge(options);
  Result<RecordKeys> keys = KeysForFile(file);
  if (!keys.ok()) {
    PrintWarning(options.path,
                 fmt::format("merged by line: the table's schema does not load: {} [M-052]",
                             keys.status().message()));
    return LineMerge(options);
  }
  Result<std::string> base = ReadInput(options.base);
  if (!base.ok()) return ReportError(base.status());
  Result<std::string> ours = ReadInput(options.ours);
  if (!ours.ok()) return ReportError(ours.status());
  Result<std::string> theirs = ReadInput(options.theirs);
  if (!theirs.ok()) return ReportError(theirs.status());
  MergeOptions merge_options;
  merge_options.file_name = options.path;
  merge_options.ours_label = options.ours_label;
  merge_options.theirs_label = options.theirs_label;
  merge_options.marker_size = options.marker_size;
  Result<MergeResult> merged = MergeRecords(*base, *ours, *theirs, *keys, merge_options);
  if (!merged.ok()) {
    PrintWarning(options.path,
                 fmt::format("merged by line: {} [M-052]", merged.status().message()));
    return LineMerge(options);
  }
  const Status written = WriteFileAtomically(options.ours, merged->text);
  if (!written.ok()) return ReportError(written);
  if (merged->conflicts == 0) return kExitOk;
  PrintError(
      fmt::format("{}: error: {} conflict(s) left between markers; resolve them, then "
                  "'textdb check' [M-051]",
                  options.path, merged->conflicts));
  return kExitNotFound;
}

}  // namespace

Command SetupMergeDriver(CLI::App& root) {
  auto options = std::make_shared<MergeDriverOptions>();
  CLI::App* command =
      root.add_subcommand("merge-driver", "git merge driver: merge a data file by record");
  command->footer(
      "git runs this as 'textdb merge-driver %O %A %B %P %L' (see git-setup): BASE, OURS and\n"
      "THEIRS are the three versions of the file PATH; the result replaces OURS. A data or\n"
      "schema file of a database is merged by record key and field: changes to different\n"
      "records, or to different fields of one record, merge cleanly; comments and formatting\n"
      "of untouched records keep their bytes; a field changed two ways (or a record changed on\n"
      "one side and removed on the other) is left between git-style markers labelled 'ours'\n"
      "and 'theirs', around that field (or record) only. Any other file, or a version that does\n"
      "not parse, is merged by line with 'git merge-file'.\n"
      "Exit status 0 merged, 1 conflicts left in OURS, 2 usage error, 5 I/O error.\n"
      "\n"
      "Example:\n"
      "  textdb merge-driver base.deb822 ours.deb822 theirs.deb822 items/b/bo.deb822");
  command->add_option("BASE", options->base, "The common ancestor's version (%O)")
      ->required()
      ->type_name("");
  command->add_option("OURS", options->ours, "Our version; replaced by the result (%A)")
      ->required()
      ->type_name("");
  command->add_option("THEIRS", options->theirs, "Their version (%B)")->required()->type_name("");
  command->add_option("PATH", options->path, "The file's path in the repository (%P)")
      ->required()
      ->type_name("");
  command
      ->add_option("MARKER_SIZE", options->marker_size,
                   "Length of the conflict markers (%L, default 7)")
      ->check(CLI::Range(7, 1024))
      ->type_name("");
  command->add_option("--ours-label", options->ours_label, "Label of our side's markers")
      ->type_name("TEXT");
  command->add_option("--theirs-label", options->theirs_label, "Label of their side's markers")
      ->type_name("TEXT");
  return {command, [options] { return RunMergeDriver(*options); }};
}

}  // namespace textdb::cli
