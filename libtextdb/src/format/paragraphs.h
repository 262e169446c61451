// Private: the text between stanzas of a deb822 file, as the engine's whole-table rewrites and
// the record-level merge move it around.
#ifndef TEXTDB_FORMAT_PARAGRAPHS_H_
#define TEXTDB_FORMAT_PARAGRAPHS_H_

#include <algorithm>
#include <string>
#include <string_view>

namespace textdb::internal {

// The comment lines of `gap` (text between two stanzas: blank lines and comment paragraphs),
// without the blank lines around them and ending with a newline; "" when there are none. With
// `canonical`, paragraphs are separated by exactly one empty line [W-005] and whitespace-only
// lines count as empty.
inline std::string CommentParagraphs(std::string_view gap, bool canonical) {
  const std::size_t first = gap.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return "";
  const std::size_t line_start = gap.rfind('\n', first);
  gap.remove_prefix(line_start == std::string_view::npos ? 0 : line_start + 1);
  const std::size_t last = gap.find_last_not_of(" \t\n");
  const std::size_t line_end = gap.find('\n', last);
  gap = gap.substr(0, line_end == std::string_view::npos ? gap.size() : line_end);
  if (!canonical) return std::string(gap) + "\n";
  std::string out;
  bool blank_pending = false;
  while (!gap.empty()) {
    const std::size_t end = std::min(gap.find('\n'), gap.size());
    const std::string_view line = gap.substr(0, end);
    gap.remove_prefix(std::min(end + 1, gap.size()));
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      blank_pending = true;
      continue;
    }
    if (blank_pending) out += '\n';
    blank_pending = false;
    out.append(line);
    out += '\n';
  }
  return out;
}

}  // namespace textdb::internal

#endif  // TEXTDB_FORMAT_PARAGRAPHS_H_
