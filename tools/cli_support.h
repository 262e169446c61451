// What every `textdb` subcommand shares: exit codes, the error and warning lines on stderr,
// reading an input (a file or standard input) and writing the output (standard output, or a file
// replaced atomically).
//
// The library is quiet (it returns Status values); this is the layer that turns them into text on
// stderr and an exit code. Every line the tool prints on stderr starts with "textdb: ".
//
// Deviation from CONVENTIONS.md rule 6 (one I/O seam), on purpose: the files a user names on the
// command line are read and written here with POSIX calls, not through textdb::Env. They may be
// symbolic links, pipes (/dev/fd/N, process substitution), devices (/dev/null) or standard
// input, which Env::ReadFile refuses by design (regular files only, links never followed); the
// messages must carry the bare strerror() text; and a replaced output keeps its permission bits,
// which the Env cannot do. Database files (later subcommands) go through the Env.
#ifndef TEXTDB_TOOLS_CLI_SUPPORT_H_
#define TEXTDB_TOOLS_CLI_SUPPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "textdb/status.h"

namespace textdb::cli {

// The process exit codes, listed in `textdb --help`. Scripts rely on them: never renumber.
enum ExitCode : int {
  kExitOk = 0,
  kExitNotFound = 1,     // nothing matched, or a named record does not exist
  kExitUsage = 2,        // bad command line, or an operation not available here
  kExitInvalidData = 3,  // an input breaks its format, or a record breaks its schema
  kExitConflict = 4,     // the database is locked or a concurrent change prevented the operation
  kExitIOError = 5,      // the operating system failed a read or a write
  kExitInternal = 70,    // an unexpected failure: out of memory, or a bug (sysexits EX_SOFTWARE)
};

// The exit codes as `textdb --help` lists them after the subcommands.
inline constexpr std::string_view kExitCodeHelp =
    "Exit status: 0 success, 1 nothing matched or not found, 2 usage error, 3 invalid data,\n"
    "4 locked or conflicting change, 5 I/O error, 70 internal error.";

// The exit code for a failed Status (kExitOk for an OK one).
ExitCode ExitCodeFor(const Status& status);

// ANSI SGR sequences, for output where ColourEnabled.
inline constexpr std::string_view kBold = "\x1b[1m";
inline constexpr std::string_view kBoldRed = "\x1b[1;31m";
inline constexpr std::string_view kBoldMagenta = "\x1b[1;35m";
inline constexpr std::string_view kReset = "\x1b[0m";

// True when output to file descriptor `fd` may be coloured: it is a terminal and the
// environment variable NO_COLOR is unset or empty (https://no-color.org).
bool ColourEnabled(int fd);

// Prints "textdb: MESSAGE" on stderr. Library error messages already start with their location
// ("FILE:LINE:COL: error: ..."), so `message` is printed unchanged, except that on a terminal
// (ColourEnabled) its first "error:" is shown in bold red.
void PrintError(std::string_view message);
// Prints "textdb: FILE: warning: MESSAGE" on stderr ("warning:" in bold magenta on a terminal).
void PrintWarning(std::string_view file, std::string_view message);
// Prints "textdb: error: MESSAGE" on stderr and returns kExitUsage: for a usage error that a
// subcommand finds after the command line has been parsed.
ExitCode UsageError(std::string_view message);

// Prints status.message() with PrintError and returns ExitCodeFor(status).
// REQUIRES: !status.ok()
ExitCode ReportError(const Status& status);

// The argument naming standard input or standard output.
inline constexpr std::string_view kStdioArgument = "-";
// The name standard input has in messages.
inline constexpr std::string_view kStdinName = "<stdin>";
// The name standard output has in messages.
inline constexpr std::string_view kStdoutName = "<stdout>";

// The name `path` has in messages: kStdinName for "-", else the path as given.
std::string InputDisplayName(std::string_view path);

// Reads all of file `path`, or of standard input when `path` is "-". Fails with kIOError and the
// message "NAME: error: <strerror>" (NAME as InputDisplayName) when the input cannot be read.
Result<std::string> ReadInput(const std::string& path);

// Writes `data` to standard output when `path` is empty or "-", else to the file `path` with
// WriteFileAtomically. Fails with kIOError and the message "NAME: error: <strerror>".
Status WriteOutput(const std::string& path, std::string_view data);

// Replaces the file `path` with `data` so that no reader, and no crash, ever sees a partial file:
// writes a temporary file created with O_EXCL in the same directory, fsyncs it, renames it over
// `path` and fsyncs the directory. A replaced file keeps its permission bits; a new one gets
// 0666 minus the umask. On failure the temporary file is removed and `path` is unchanged.
// An existing `path` that is not a regular file (a device such as /dev/null, a FIFO, or a
// symbolic link, which stays a link) is written in place instead, since it cannot be replaced.
// Fails with kIOError and the message "PATH: error: <strerror>"; only when the final directory
// fsync fails is the new content already in place (but perhaps not yet durable).
Status WriteFileAtomically(const std::string& path, std::string_view data);

// True when `a` and `b` are equal but for the case of ASCII letters (field and column names).
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

// `parts` with `separator` between each two.
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace textdb::cli

#endif  // TEXTDB_TOOLS_CLI_SUPPORT_H_
