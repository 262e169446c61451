// What the git subcommands of `textdb` share (git-setup, merge-driver, diff, diff-driver): running
// git and other programs, telling a textdb data or schema file from any other file, and the keys
// its records are merged and diffed by (format-spec/merge.md).
//
// Deviation from CONVENTIONS.md rule 6 (one I/O seam), on purpose: child processes are not file
// I/O and the Env has no notion of them; the files read here (git's temporary files) are named by
// git on the command line, like the inputs of cli_support.h.
#ifndef TEXTDB_TOOLS_GIT_SUPPORT_H_
#define TEXTDB_TOOLS_GIT_SUPPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "textdb/merge.h"
#include "textdb/status.h"

namespace textdb::cli {

// The file of a table that holds its schema [B-004].
inline constexpr std::string_view kSchemaFileName = "schema.deb822";

struct ProcessResult {
  int exit_code = 0;  // the exit status; 128 + N when killed by signal N
  std::string out;    // all of its standard output
  std::string err;    // all of its standard error
};

// Runs `argv` (argv[0] looked up in PATH) in the directory `dir` (the current one when empty),
// feeding `input` to its standard input and collecting its output; waits for it to end. Fails
// with kIOError "PROGRAM: error: <strerror>" when it cannot be started (exit 127 of the child
// is reported the same way: "PROGRAM: error: not found").
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, std::string_view input = {},
                                 const std::string& dir = "");

// Runs `git ARGS...` in `dir` and returns its standard output. Fails with kInvalidArgument and
// git's own message ("git ARGS: MESSAGE") when git exits non-zero.
Result<std::string> Git(const std::vector<std::string>& args, const std::string& dir = "");

// What a file is to textdb, found from its path alone plus the files next to it.
struct TextdbFile {
  enum class Kind { kOther, kData, kSchema };
  Kind kind = Kind::kOther;
  std::string db_dir;  // the database directory (holding textdb.conf), as a path from `path`'s base
  std::string table;   // the table's directory name
};

// Classifies `path` (relative to the current directory, or absolute; the file itself need not
// exist): a `.deb822` file below a table directory of a database is kData, the table's
// `schema.deb822` is kSchema [B-004, P-020, P-021]; anything else is kOther.
TextdbFile ClassifyFile(const std::string& path);

// The keys the records of `file` are merged and diffed by [M-001]: the table's key for a data
// file (read from the table's schema file in the working tree), SchemaFileKeys() for a schema
// file. Fails as ParseSchema when the schema file does not parse, or with kIOError.
// REQUIRES: file.kind != kOther
Result<RecordKeys> KeysForFile(const TextdbFile& file);

}  // namespace textdb::cli

#endif  // TEXTDB_TOOLS_GIT_SUPPORT_H_
