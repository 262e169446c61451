// Key-prefix partitioning: see partition.h and format-spec/partitioning.md.
#include "text/partition.h"

#include <algorithm>
#include <array>
#include <functional>
#include <utility>

#include "format/encoding.h"
#include "text/unicode.h"

namespace textdb::internal {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
// U+034F COMBINING GRAPHEME JOINER: Grapheme_Cluster_Break=Extend, canonical combining class 0,
// composes with nothing, folds to itself. Used to rebuild a key from units in PartitionPrefixOf.
constexpr std::string_view kCgj = "\xCD\x8F";

// [P-030] The code points that are always percent-encoded. A fixed list (not a Unicode property)
// so that the encoding does not change with the Unicode version.
bool IsEncodedCodePoint(char32_t c) {
  if (c < 0x80) {
    switch (c) {
      case '"':
      case '%':
      case '*':
      case '/':
      case ':':
      case '<':
      case '>':
      case '?':
      case '\\':
      case '|':
        return true;
      default:
        return c < 0x20 || c == 0x7F;
    }
  }
  if (c <= 0xA0) return true;  // C1 controls (NEL included) and NO-BREAK SPACE
  switch (c) {
    case 0x00AD:  // SOFT HYPHEN
    case 0x0131:  // LATIN SMALL LETTER DOTLESS I: uppercases to 'I' like 'i' [P-042]
    case 0x061C:  // ARABIC LETTER MARK
    case 0x115F:  // HANGUL CHOSEONG FILLER
    case 0x1160:  // HANGUL JUNGSEONG FILLER
    case 0x180E:  // MONGOLIAN VOWEL SEPARATOR
    case 0x3000:  // IDEOGRAPHIC SPACE
    case 0x3164:  // HANGUL FILLER
    case 0xFEFF:  // ZERO WIDTH NO-BREAK SPACE (BOM)
    case 0xFFA0:  // HALFWIDTH HANGUL FILLER
      return true;
    default:
      break;
  }
  return (c >= 0x2000 && c <= 0x200F) ||  // spaces, ZWSP, ZWNJ, ZWJ, LRM, RLM
         (c >= 0x2028 && c <= 0x202F) ||  // line/paragraph separators, bidi embeddings, NNBSP
         (c >= 0x205F && c <= 0x206F) ||  // MMSP, word joiner, invisible operators, isolates
         (c >= 0xFFF0 && c <= 0xFFFF) ||  // specials and the noncharacters U+FFFE, U+FFFF
         (c >= 0xE0000 && c <= 0xE0FFF);  // tags and variation selectors supplement
}

void AppendEscape(unsigned char byte, std::string* out) {
  out->push_back('%');
  out->push_back(kHexDigits[byte >> 4]);
  out->push_back(kHexDigits[byte & 0x0F]);
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// [P-033] Device names Windows reserves in every directory, with or without an extension.
bool IsWindowsReservedName(std::string_view base) {
  static constexpr std::array<std::string_view, 6> kNames = {"con", "prn",    "aux",
                                                             "nul", "conin$", "conout$"};
  for (std::string_view name : kNames) {
    if (EqualsIgnoreAsciiCase(base, name)) return true;
  }
  if (base.size() < 4) return false;
  const std::string_view stem = base.substr(0, 3);
  if (!EqualsIgnoreAsciiCase(stem, "com") && !EqualsIgnoreAsciiCase(stem, "lpt")) return false;
  const std::string_view digit = base.substr(3);
  if (digit.size() == 1) return digit[0] >= '0' && digit[0] <= '9';
  // Windows treats superscript one, two and three as digits here too.
  return digit == "\xC2\xB9" || digit == "\xC2\xB2" || digit == "\xC2\xB3";
}

// [P-012] The number of bytes `text` takes after the code-point rule of [P-030].
// REQUIRES: valid UTF-8.
std::size_t EncodedWeight(std::string_view text) {
  std::size_t weight = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    const char32_t c = DecodeUtf8(text, &i);
    weight += (i - start) * (IsEncodedCodePoint(c) ? 3 : 1);
  }
  return weight;
}

// [P-012] The unit a grapheme cluster contributes: itself, or its first code point when its
// encoded weight exceeds kMaxUnitWeight.
std::string_view UnitOfCluster(std::string_view cluster) {
  if (EncodedWeight(cluster) <= kMaxUnitWeight) return cluster;
  std::size_t end = 0;
  DecodeUtf8(cluster, &end);
  return cluster.substr(0, end);
}

Status CheckDepth(int depth) {
  if (depth < 0 || depth > kMaxPartitionUnits) {
    return Status::InvalidArgument("partition depth " + std::to_string(depth) + " is outside 0.." +
                                   std::to_string(kMaxPartitionUnits) + " [P-003]");
  }
  return Status::Ok();
}

Status CheckKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("key is empty [P-002]");
  Status status = ValidateUtf8(key, "key");
  if (!status.ok()) return Status::InvalidArgument(status.message() + " [P-002]");
  return Status::Ok();
}

using UnitEnds = std::array<std::size_t, kMaxPartitionUnits + 1>;

// PERF: the ASCII fast path [P-010], [P-011]. In ASCII, folding is A-Z -> a-z, NFC changes
// nothing, and every character is its own grapheme cluster except CR LF. A non-ASCII character
// right after the last unit could extend it (a combining mark) or compose with it under NFC, so
// that character must be ASCII too. Returns false when ICU must decide; otherwise the first
// min(k, depth) units of the folded key are key[ends[u-1], ends[u]) lowercased, u = 1..*units
// (ends[0] = 0). REQUIRES: ascii == AsciiPrefixLength(key), 1 <= depth <= kMaxPartitionUnits.
bool AsciiUnitEnds(std::string_view key, std::size_t ascii, int depth, UnitEnds* ends,
                   std::size_t* units) {
  std::size_t i = 0, n = 0;
  (*ends)[0] = 0;
  while (n < static_cast<std::size_t>(depth) && i < key.size()) {
    if (i >= ascii) return false;
    const bool crlf = key[i] == '\r' && i + 1 < key.size() && key[i + 1] == '\n';
    i += crlf ? 2 : 1;
    (*ends)[++n] = i;
  }
  *units = n;
  return i == key.size() || i < ascii;
}

bool IsSingleCodePoint(std::string_view unit) {
  return !unit.empty() && Utf8SequenceLength(unit, 0) == unit.size();
}

// [P-030..P-034] Appends the encoding of `text` to *out_string.
void AppendEncodedComponent(std::string_view text, std::string* out_string) {
  std::string& out = *out_string;
  const std::size_t size = text.size();
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  // Positions of ASCII bytes that [P-031..P-034] force to be escaped.
  std::size_t force_first = kNone, force_last = kNone, force_suffix_dot = kNone;
  if (size > 0) {
    if (text[0] == '.' || text[0] == ' ') force_first = 0;                      // [P-031]
    if (text[size - 1] == '.' || text[size - 1] == ' ') force_last = size - 1;  // [P-032]
    const std::size_t base_end = text.find_first_of(". ");
    if (IsWindowsReservedName(text.substr(0, base_end))) force_first = 0;  // [P-033]
    if (size >= kPartitionExtension.size() &&
        EqualsIgnoreAsciiCase(text.substr(size - kPartitionExtension.size()),
                              kPartitionExtension)) {
      force_suffix_dot = size - kPartitionExtension.size();  // [P-034]
    }
  }
  for (std::size_t i = 0; i < size;) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (i == force_first || i == force_last || i == force_suffix_dot ||
          IsEncodedCodePoint(byte)) {
        AppendEscape(byte, out_string);
      } else {
        out.push_back(static_cast<char>(byte));
      }
      ++i;
      continue;
    }
    const std::size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {  // not UTF-8: escape the byte so that the mapping stays injective
      AppendEscape(byte, out_string);
      ++i;
      continue;
    }
    std::size_t next = i;
    const char32_t c = DecodeUtf8(text, &next);
    if (IsEncodedCodePoint(c)) {
      for (std::size_t k = i; k < next; ++k) {
        AppendEscape(static_cast<unsigned char>(text[k]), out_string);
      }
    } else {
      out.append(text.substr(i, len));
    }
    i = next;
  }
}

}  // namespace

std::string Partition::Prefix() const {
  std::string prefix;
  for (const std::string& unit : units) prefix += unit;
  return prefix;
}

std::string EncodePathComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  AppendEncodedComponent(text, &out);
  return out;
}

Result<std::string> DecodePathComponent(std::string_view component) {
  const auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;  // lowercase hex is not canonical [P-035]
  };
  std::string text;
  text.reserve(component.size());
  for (std::size_t i = 0; i < component.size(); ++i) {
    if (component[i] != '%') {
      text.push_back(component[i]);
      continue;
    }
    const bool complete = i + 2 < component.size();
    const int hi = complete ? hex_value(component[i + 1]) : -1;
    const int lo = complete ? hex_value(component[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("path component has a bad escape at offset " +
                                     std::to_string(i) +
                                     "; expected '%' and two uppercase hex "
                                     "digits [P-035]");
    }
    text.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (EncodePathComponent(text) != component) {
    return Status::InvalidArgument(
        "path component is not in canonical encoding (a byte is escaped that need not be, or "
        "one is not escaped that must be) [P-035]");
  }
  return text;
}

Result<Partition> PartitionOfKeyWithIcu(std::string_view key, int depth) {
  TEXTDB_RETURN_IF_ERROR(CheckDepth(depth));
  Partition partition;
  partition.depth = depth;
  if (depth == 0 || key.empty()) {
    TEXTDB_RETURN_IF_ERROR(CheckKey(key));
    return partition;
  }
  Result<std::string> folded = FoldKeyPrefix(key, static_cast<std::size_t>(depth));
  if (!folded.ok()) {
    if (folded.status().code() != StatusCode::kInvalidArgument) return folded.status();
    return Status::InvalidArgument(folded.status().message() + " [P-002]");
  }
  Result<std::vector<std::string_view>> clusters =
      LeadingGraphemes(*folded, static_cast<std::size_t>(depth));
  if (!clusters.ok()) return clusters.status();
  partition.units.reserve(clusters->size());
  for (std::string_view cluster : *clusters) {
    partition.units.emplace_back(UnitOfCluster(cluster));  // [P-012]
  }
  return partition;
}

Result<Partition> PartitionOfKey(std::string_view key, int depth) {
  TEXTDB_RETURN_IF_ERROR(CheckDepth(depth));
  const std::size_t ascii = AsciiPrefixLength(key);
  UnitEnds ends{};
  std::size_t units = 0;
  if (depth == 0 || key.empty() || !AsciiUnitEnds(key, ascii, depth, &ends, &units)) {
    return PartitionOfKeyWithIcu(key, depth);
  }
  if (ascii < key.size()) TEXTDB_RETURN_IF_ERROR(CheckKey(key));  // a non-ASCII tail
  Partition partition;
  partition.depth = depth;
  partition.units.reserve(units);
  for (std::size_t u = 1; u <= units; ++u) {
    std::string unit(key.substr(ends[u - 1], ends[u] - ends[u - 1]));
    for (char& c : unit) c = AsciiLower(c);
    partition.units.push_back(std::move(unit));
  }
  return partition;
}

namespace {

// The directory of the partition named by the first `count` units: PartitionFilePath without the
// extension ("l/li" for l, i) [P-020]. REQUIRES: 1 <= count <= units.size().
std::string PartitionDirectory(const std::vector<std::string>& units, std::size_t count) {
  std::string path;
  std::string prefix;
  for (std::size_t i = 0; i < count; ++i) {
    prefix += units[i];
    if (i > 0) path.push_back('/');
    AppendEncodedComponent(prefix, &path);
  }
  return path;
}

}  // namespace

std::string PartitionFilePath(const Partition& partition) {
  if (partition.units.empty()) return std::string(kSinglePartitionFile);
  return PartitionDirectory(partition.units, partition.units.size()) +
         std::string(kPartitionExtension);
}

Result<std::string> PartitionPath(std::string_view key, int depth) {
  return PartitionPath(key, PartitionScheme{depth, {}, {}});
}

std::optional<Partition> PartitionPrefixOf(std::string_view relative_path, int depth) {
  if (!CheckDepth(depth).ok()) return std::nullopt;
  if (depth == 0) {
    if (relative_path != kSinglePartitionFile) return std::nullopt;
    return Partition{};
  }
  // Cheap syntactic checks first [P-040]: 1..depth non-empty components of bounded length, the
  // last one a file name with the extension [P-021].
  const std::size_t max_size = static_cast<std::size_t>(depth) * (kMaxPathComponentBytes + 1);
  if (relative_path.empty() || relative_path.size() > max_size) return std::nullopt;
  std::vector<std::string_view> components;
  for (std::size_t start = 0;;) {
    const std::size_t slash = relative_path.find('/', start);
    const std::string_view component = relative_path.substr(start, slash - start);
    if (component.empty() || component.size() > kMaxPathComponentBytes) return std::nullopt;
    components.push_back(component);
    if (components.size() > static_cast<std::size_t>(depth)) return std::nullopt;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string_view& last = components.back();
  if (last.size() <= kPartitionExtension.size() ||
      last.substr(last.size() - kPartitionExtension.size()) != kPartitionExtension) {
    return std::nullopt;
  }
  last.remove_suffix(kPartitionExtension.size());
  // [P-050] Decode the cumulative prefixes and split them into units.
  std::vector<std::string> units;
  std::string previous;
  for (std::string_view component : components) {
    Result<std::string> decoded = DecodePathComponent(component);
    if (!decoded.ok()) return std::nullopt;
    if (decoded->size() <= previous.size() || decoded->compare(0, previous.size(), previous) != 0) {
      return std::nullopt;
    }
    units.push_back(decoded->substr(previous.size()));
    previous = std::move(*decoded);
  }
  // PERF: when every unit is one ASCII character other than CR, the key made of the units is a
  // key of this path if any is: look it up without ICU (ICU's answer was a third of the walk
  // over the Packages table's 720 files at open). Any other answer is left to ICU.
  const bool ascii_units = std::all_of(units.begin(), units.end(), [](const std::string& unit) {
    return unit.size() == 1 && static_cast<unsigned char>(unit[0]) < 0x80 && unit[0] != '\r';
  });
  if (ascii_units) {
    std::string key;
    for (const std::string& unit : units) key += unit;
    Result<Partition> partition = PartitionOfKey(key, depth);
    if (partition.ok() && PartitionFilePath(*partition) == relative_path) {
      return std::move(*partition);
    }
  }
  // Rebuild a key with these units: a single code point may be a shortened long cluster
  // [P-012], so pad it with grapheme joiners into a long cluster that shortens back to it (a
  // control character is always a cluster of its own and is not padded). Then the path is a
  // data file exactly when that key maps back to it byte for byte.
  std::string key;
  for (const std::string& unit : units) {
    if (!ValidateUtf8(unit, "unit").ok()) return std::nullopt;
    key += unit;
    if (IsSingleCodePoint(unit)) {
      std::size_t end = 0;
      if (!IsGraphemeControl(DecodeUtf8(unit, &end))) {
        for (std::size_t k = 0; k <= kMaxUnitWeight / kCgj.size(); ++k) key += kCgj;
      }
    }
  }
  Result<Partition> partition = PartitionOfKeyWithIcu(key, depth);
  if (!partition.ok() || PartitionFilePath(*partition) != relative_path) return std::nullopt;
  return std::move(*partition);
}

bool PartitionMayHold(const Partition& partition, std::string_view folded_query_prefix) {
  if (partition.depth == 0 || folded_query_prefix.empty()) return true;
  if (!ValidateUtf8(folded_query_prefix, "query").ok()) return true;
  const std::vector<std::string>& units = partition.units;
  const std::size_t m = units.size();
  // One cluster more than the partition has units tells whether the query goes beyond them.
  Result<std::vector<std::string_view>> clusters = LeadingGraphemes(folded_query_prefix, m + 1);
  if (!clusters.ok()) return true;
  const std::vector<std::string_view>& q = *clusters;
  // A grapheme boundary depends only on the text before it and the next code point, so every
  // boundary inside the query is one of a matching key, at the same place; the query's last
  // cluster may be a part of the key's cluster there [P-051].
  if (q.size() > m) {
    // The key has more than m clusters, of which the first m are complete query clusters.
    if (partition.IsShort()) return false;
    for (std::size_t i = 0; i < m; ++i) {
      if (UnitOfCluster(q[i]) != units[i]) return false;
    }
    return true;
  }
  for (std::size_t i = 0; i + 1 < q.size(); ++i) {
    if (UnitOfCluster(q[i]) != units[i]) return false;
  }
  // The key's cluster number q.size() starts with the query's last cluster. Its unit is that
  // whole cluster (which then starts with the query's part) or, when the cluster is long, its
  // first code point.
  const std::string_view part = q.back();
  const std::string& unit = units[q.size() - 1];
  if (unit.size() >= part.size() && unit.compare(0, part.size(), part) == 0) return true;
  return IsSingleCodePoint(unit) && part.compare(0, unit.size(), unit) == 0;
}

namespace {

bool IsSplit(const PartitionScheme& scheme, std::string_view dir) {
  return std::binary_search(scheme.split_dirs.begin(), scheme.split_dirs.end(), dir, std::less<>());
}

}  // namespace

Result<std::vector<std::string>> SplitDirectories(int depth, std::span<const std::string> prefixes,
                                                  std::size_t* bad_index) {
  std::vector<std::pair<std::string, std::size_t>> dirs;  // directory, index into prefixes
  const auto fail = [&](std::size_t index, const std::string& message) {
    if (bad_index != nullptr) *bad_index = index;
    return Status::InvalidArgument("split partition '" + EncodePathComponent(prefixes[index]) +
                                   "' " + message);
  };
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    if (depth < 1 || depth > kMaxPartitionDepth) {
      return fail(i, "is not possible at depth " + std::to_string(depth) +
                         "; expected a depth of 1 to " + std::to_string(kMaxPartitionDepth));
    }
    Result<Partition> partition = PartitionOfKey(prefixes[i], kMaxPartitionUnits);
    if (!partition.ok()) return fail(i, "is not a key prefix (it is empty or not valid UTF-8)");
    const std::size_t units = partition->units.size();
    const std::string expected_units = "; expected " + std::to_string(depth) +
                                       " (the table's depth) to " +
                                       std::to_string(kMaxPartitionUnits - 1);
    if (partition->Prefix() != prefixes[i]) {
      if (units == static_cast<std::size_t>(kMaxPartitionUnits)) {  // cut at kMaxPartitionUnits
        return fail(
            i, "has more than " + std::to_string(kMaxPartitionUnits) + " units" + expected_units);
      }
      return fail(i, "is not a folded key prefix made of whole units; expected '" +
                         EncodePathComponent(partition->Prefix()) + "' or a prefix of it");
    }
    if (units < static_cast<std::size_t>(depth) ||
        units >= static_cast<std::size_t>(kMaxPartitionUnits)) {
      return fail(i, "has " + std::to_string(units) + " units" + expected_units);
    }
    dirs.emplace_back(PartitionDirectory(partition->units, units), i);
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::string> out;
  out.reserve(dirs.size());
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (i > 0 && dirs[i].first == dirs[i - 1].first) return fail(dirs[i].second, "is listed twice");
    out.push_back(dirs[i].first);
  }
  for (const auto& [dir, index] : dirs) {
    const std::size_t components =
        1 + static_cast<std::size_t>(std::count(dir.begin(), dir.end(), '/'));
    if (components == static_cast<std::size_t>(depth)) continue;
    const std::string_view parent = std::string_view(dir).substr(0, dir.rfind('/'));
    if (!std::binary_search(out.begin(), out.end(), parent, std::less<>())) {
      return fail(index, "lies below a partition that is not split; expected '" +
                             std::string(parent.substr(parent.rfind('/') + 1)) +
                             "' to be split as well");
    }
  }
  return out;
}

Result<Partition> PartitionOfKey(std::string_view key, const PartitionScheme& scheme) {
  if (scheme.split_dirs.empty()) return PartitionOfKey(key, scheme.depth);
  Result<Partition> full = PartitionOfKey(key, kMaxPartitionUnits);
  if (!full.ok()) return full.status();
  Partition& partition = *full;
  std::size_t units = static_cast<std::size_t>(scheme.depth);
  if (partition.units.size() < units) {  // a short key at the table's depth [P-013]
    partition.depth = scheme.depth;
    return partition;
  }
  std::string dir = PartitionDirectory(partition.units, units);
  std::string prefix;
  for (std::size_t i = 0; i < units; ++i) prefix += partition.units[i];
  while (IsSplit(scheme, dir)) {
    if (units == partition.units.size()) {  // the split partition's own file: a short key
      partition.depth = static_cast<int>(units) + 1;
      return partition;
    }
    prefix += partition.units[units++];
    dir.push_back('/');
    AppendEncodedComponent(prefix, &dir);
  }
  partition.units.resize(units);
  partition.depth = static_cast<int>(units);
  return partition;
}

Result<std::string> PartitionPath(std::string_view key, const PartitionScheme& scheme) {
  TEXTDB_RETURN_IF_ERROR(CheckDepth(scheme.depth));
  const bool split = !scheme.split_dirs.empty();
  // PERF: called for every get and put, and for every record an index build reads. The ASCII
  // fast path of PartitionOfKey without building a Partition: the folded prefix (at most 2
  // bytes per unit) goes to a stack buffer, the path is the only allocation (none for paths of
  // up to 15 bytes). The key is validated once, here or by FoldKeyPrefix.
  const std::size_t ascii = AsciiPrefixLength(key);
  UnitEnds ends{};
  std::size_t units = 0;
  if (scheme.depth == 0 || key.empty() ||
      !AsciiUnitEnds(key, ascii, split ? kMaxPartitionUnits : scheme.depth, &ends, &units)) {
    Result<Partition> partition =
        split ? PartitionOfKey(key, scheme) : PartitionOfKeyWithIcu(key, scheme.depth);
    if (!partition.ok()) return partition.status();
    return PartitionFilePath(*partition);
  }
  if (ascii < key.size()) TEXTDB_RETURN_IF_ERROR(CheckKey(key));  // a non-ASCII tail
  std::array<char, 2 * kMaxPartitionUnits> folded;
  for (std::size_t k = 0; k < ends[units]; ++k) folded[k] = AsciiLower(key[k]);
  std::string path;
  path.reserve(units * 8 + kPartitionExtension.size());
  const std::size_t depth = static_cast<std::size_t>(scheme.depth);
  std::size_t u = 1;
  for (; u <= std::min(units, depth); ++u) {
    if (u > 1) path.push_back('/');
    AppendEncodedComponent(std::string_view(folded.data(), ends[u]), &path);
  }
  // [P-014] Below a split partition, one unit more (a key with no more stays in its file). In
  // ASCII a folded prefix cut at unit ends determines its units, so the prefixes can be
  // compared instead of the directories.
  const auto is_split = [&](std::size_t count) {
    return std::binary_search(scheme.split_prefixes.begin(), scheme.split_prefixes.end(),
                              std::string_view(folded.data(), ends[count]), std::less<>());
  };
  for (; u <= units && is_split(u - 1); ++u) {
    path.push_back('/');
    AppendEncodedComponent(std::string_view(folded.data(), ends[u]), &path);
  }
  path += kPartitionExtension;
  return path;
}

std::optional<bool> AsciiKeyInPartition(std::string_view key, const Partition& partition) {
  if (key.empty() || std::any_of(key.begin(), key.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || c == '\r';
      })) {
    return std::nullopt;
  }
  // In ASCII without CR each byte is a unit and folds to its lowercase. The key's path has the
  // partition's units when its first units are those; a short partition's file holds only the
  // keys of exactly that many units [P-013], [P-014]; any other partition is not split (it
  // would be short), so it holds every longer key too.
  const std::vector<std::string>& units = partition.units;
  if (key.size() < units.size() || (partition.IsShort() && key.size() != units.size())) {
    return false;
  }
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i].size() != 1 || units[i][0] != AsciiLower(key[i])) return false;
  }
  return true;
}

std::optional<Partition> PartitionPrefixOf(std::string_view relative_path,
                                           const PartitionScheme& scheme) {
  if (scheme.split_dirs.empty()) return PartitionPrefixOf(relative_path, scheme.depth);
  const std::size_t components =
      1 + static_cast<std::size_t>(std::count(relative_path.begin(), relative_path.end(), '/'));
  if (components > static_cast<std::size_t>(kMaxPartitionUnits)) return std::nullopt;
  std::optional<Partition> partition =
      PartitionPrefixOf(relative_path, static_cast<int>(components));
  if (!partition) return std::nullopt;
  const std::size_t depth = static_cast<std::size_t>(scheme.depth);
  if (components < depth) {  // a short key's file at the table's depth [P-013]
    partition->depth = scheme.depth;
    return partition;
  }
  // Every partition on the way down from the table's depth must be split [P-014].
  std::size_t end = relative_path.find('/');  // the end of the first `level` components
  for (std::size_t level = 1; level < components; ++level, end = relative_path.find('/', end + 1)) {
    if (level >= depth && !IsSplit(scheme, relative_path.substr(0, end))) return std::nullopt;
  }
  const std::string_view own =
      relative_path.substr(0, relative_path.size() - kPartitionExtension.size());
  partition->depth = static_cast<int>(components) + (IsSplit(scheme, own) ? 1 : 0);
  return partition;
}

bool IsDataFileOfSomeLayout(std::string_view relative_path) {
  if (relative_path == kSinglePartitionFile) return true;
  const std::size_t components =
      1 + static_cast<std::size_t>(std::count(relative_path.begin(), relative_path.end(), '/'));
  return components <= static_cast<std::size_t>(kMaxPartitionUnits) &&
         PartitionPrefixOf(relative_path, static_cast<int>(components)).has_value();
}

}  // namespace textdb::internal
