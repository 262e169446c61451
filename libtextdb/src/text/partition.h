// Key-prefix partitioning: which data file of a table holds a record key, and the inverse for
// the engine's directory scan. Normative rules: format-spec/partitioning.md ([P-001]..[P-060]).
//
// A table of depth d keeps each record in the file named by the first d *units* of its folded
// key (a unit is a grapheme cluster, shortened to its first code point when long):
//   d=0 -> all.deb822;  d=1 -> j.deb822;  d=2 -> j/jo.deb822;  d=3 -> j/jo/joh.deb822
// Keys with fewer than d units use what they have (d=2: "J" -> j.deb822). A table may also *split*
// some partitions of d or more units one unit deeper (d=2, "li" split: "libc6" ->
// l/li/lib.deb822, "li" itself -> l/li.deb822) [P-014]. Path components are
// percent-encoded so that no key can name a path outside the table directory and every name is
// portable (Windows, case-insensitive file systems).
//
// Part of the text layer (uses unicode.h, hence ICU). All paths are relative to the table
// directory and use '/' as the separator; this file never touches the file system.
// Thread-safety: every function may be called from any thread at the same time.
#ifndef TEXTDB_TEXT_PARTITION_H_
#define TEXTDB_TEXT_PARTITION_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "textdb/status.h"

namespace textdb::internal {

// Part of the on-disk format; see format-spec/partitioning.md.
inline constexpr int kMaxPartitionDepth = 4;                            // [P-003]
inline constexpr int kMaxPartitionUnits = 16;                           // [P-014]
inline constexpr std::size_t kMaxUnitWeight = 12;                       // [P-012]
inline constexpr std::size_t kMaxPathComponentBytes = 208;              // [P-040]
inline constexpr std::string_view kPartitionExtension = ".deb822";      // [P-021]
inline constexpr std::string_view kSinglePartitionFile = "all.deb822";  // [P-020], depth 0

// A partition: the units of the folded key prefix that name one data file.
struct Partition {
  // The number of units that name the partitions of keys starting with `units`: the table's
  // depth, or more below a split partition [P-014]. 0..kMaxPartitionUnits.
  int depth = 0;
  // 0..depth units [P-013]; each is one grapheme cluster of a folded key, or the first code point
  // of a long one [P-012]. Empty exactly when depth == 0.
  std::vector<std::string> units;

  // True when the partition is the file of short keys: keys with exactly units.size() < depth
  // units, i.e. whose whole folded key is named by the units [P-013] (a split partition's own
  // file [P-014] is short too).
  bool IsShort() const { return units.size() < static_cast<std::size_t>(depth); }
  // The units concatenated (for messages; not necessarily a prefix of any folded key when a
  // unit was shortened).
  std::string Prefix() const;

  friend bool operator==(const Partition&, const Partition&) = default;
};

// How a table's keys map to partitions: its depth and its split partitions [P-003], [P-014].
// A view: `split_dirs` must outlive every call it is passed to.
struct PartitionScheme {
  int depth = 0;  // 0..kMaxPartitionDepth
  // The directories of the split partitions (PartitionFilePath without the extension, e.g.
  // "l/li"), sorted. INVARIANT: as SplitDirectories returns them.
  std::span<const std::string> split_dirs;
  // The same partitions' prefixes ("li"), sorted by byte value (for the ASCII fast path).
  std::span<const std::string> split_prefixes;
};

// Checks the split partitions of a table of depth `depth` [P-014] and returns their directories
// (e.g. "l/li/lib" for the prefix "lib"), sorted. Each prefix is a folded key prefix: the
// concatenated units of the partition.
// Errors: kInvalidArgument naming the prefix (and no rule id: the caller cites its own) when:
// depth is 0; the prefix is not the exact
// concatenation of the units PartitionOfKey finds in it; it has fewer than `depth` or more than
// kMaxPartitionUnits - 1 units; it is listed twice; or its parent (its first n-1 units, when
// n - 1 >= depth) is not listed. Then *bad_index (when given) is the index of that prefix.
Result<std::vector<std::string>> SplitDirectories(int depth, std::span<const std::string> prefixes,
                                                  std::size_t* bad_index = nullptr);

// Percent-encodes `text` into one path component [P-030..P-034]: characters of the encoded set,
// a leading or trailing '.' or space, the first byte of a Windows reserved name and the '.' of a
// ".deb822" suffix become %XX (uppercase hex) per byte; bytes that are not valid UTF-8 are
// encoded too, so the function is total and injective. The empty string encodes to itself.
std::string EncodePathComponent(std::string_view text);

// The inverse of EncodePathComponent [P-035]: returns the text `component` encodes.
// Errors: kInvalidArgument when `component` is not exactly what EncodePathComponent produces for
// some text (bad or lowercase escape, a byte that should have been escaped or an escape that
// should not be there).
Result<std::string> DecodePathComponent(std::string_view component);

// The partition of `key` in a table of depth `depth` without split partitions: FoldKey, then the
// first min(k, depth) units [P-010..P-013]. Depths above kMaxPartitionDepth (up to
// kMaxPartitionUnits) give the units a split layout needs.
// Errors: kInvalidArgument when depth is outside 0..kMaxPartitionUnits, the key is empty or not
// valid UTF-8 [P-002]; kNotSupported when ICU fails.
// PERF: keys whose first depth units (and the character after them) are ASCII skip ICU.
Result<Partition> PartitionOfKey(std::string_view key, int depth);

// The partition of `key` under `scheme` [P-014]: as PartitionOfKey(key, scheme.depth), then one
// unit more for as long as the partition so far is split. Errors: as PartitionOfKey.
Result<Partition> PartitionOfKey(std::string_view key, const PartitionScheme& scheme);

// As PartitionOfKey but always through ICU; the reference the ASCII fast path must agree with.
// For tests and benchmarks.
Result<Partition> PartitionOfKeyWithIcu(std::string_view key, int depth);

// The data file of `partition`, relative to the table directory [P-020]: e.g. "j/jo.deb822".
// REQUIRES: `partition` came from PartitionOfKey or PartitionPrefixOf.
std::string PartitionFilePath(const Partition& partition);

// PartitionFilePath(PartitionOfKey(key, depth)): the relative path of the file that holds `key`.
// Every component of the result is non-empty, at most kMaxPathComponentBytes bytes, not "." or
// "..", and contains no '/', '\\' or NUL [P-040]. Errors: as PartitionOfKey.
// PERF: called for every get and put. ASCII keys take the fast path (no ICU, one allocation at
// most): about 80 ns; other keys about 1 us, 4 KB keys about 3.5 us (-O2, shared 2-core machine,
// measured once by hand; a benchmark in tests/bench/ is to record it).
Result<std::string> PartitionPath(std::string_view key, int depth);

// PartitionFilePath(PartitionOfKey(key, scheme)); as the above when nothing is split.
Result<std::string> PartitionPath(std::string_view key, const PartitionScheme& scheme);

// Whether `key` is stored in `partition` when the key is all ASCII without CR, where
// PartitionPath needs no ICU: true exactly when PartitionPath(key, scheme) is the file of
// `partition`; nullopt for any other key (call PartitionPath). REQUIRES: `partition` is what
// PartitionOfKey(some key, scheme) or PartitionPrefixOf(a file's path, scheme) returned.
// PERF: an index build checks that each record of a file belongs in it [P-020]; computing each
// path took 8% of the time of indexing the Packages data, comparing a few bytes does not.
std::optional<bool> AsciiKeyInPartition(std::string_view key, const Partition& partition);

// Decides whether `relative_path` (as found when scanning a table directory, '/'-separated) is
// a data file of a table of depth `depth`, and which partition it is [P-050]. Returns the
// partition exactly when PartitionPath of some key returns `relative_path` byte for byte;
// nullopt for anything else ("notes.txt", "jo.deb822~", ".#jo.deb822", "j/JO.deb822", a file at
// the wrong level, or a depth outside 0..kMaxPartitionUnits). Never fails otherwise.
std::optional<Partition> PartitionPrefixOf(std::string_view relative_path, int depth);

// As above for a table with split partitions [P-014]: the path must be what PartitionPath(key,
// scheme) returns for some key.
std::optional<Partition> PartitionPrefixOf(std::string_view relative_path,
                                           const PartitionScheme& scheme);

// True when `relative_path` is a data file of some layout: of some depth and some split
// partitions [P-071] (all.deb822, or a path of n components that is a data file at depth n).
bool IsDataFileOfSomeLayout(std::string_view relative_path);

// Prefix-scan pruning [P-051]: false only when no key whose folded form starts with
// `folded_query_prefix` (byte for byte) can be stored in `partition`. True for the empty prefix
// and at depth 0. Conservative: on invalid UTF-8 or an ICU failure it returns true.
// REQUIRES: `folded_query_prefix` is FoldKey output (or a byte prefix of one, cut at a code
// point boundary).
bool PartitionMayHold(const Partition& partition, std::string_view folded_query_prefix);

}  // namespace textdb::internal

#endif  // TEXTDB_TEXT_PARTITION_H_
