// Planning, sorting, joining, grouping and output of the query subcommands (see
// query_support.h).
#include "query_support.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "db_support.h"
#include "textdb/deb822.h"
#include "textdb/interchange.h"

namespace textdb::cli {
namespace {

// The fraction digits an average has beyond those of the values averaged (then rounded half
// away from zero, trailing zeros dropped).
constexpr std::size_t kAverageExtraDigits = 6;
// Columns of the table format are never truncated below this many characters.
constexpr std::size_t kMinColumnWidth = 4;
// The width the table format is fitted to when a terminal does not say.
constexpr std::size_t kDefaultTerminalWidth = 80;
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

constexpr OutputFormat kOutputFormats[] = {OutputFormat::kDeb822, OutputFormat::kJson,
                                           OutputFormat::kNdjson, OutputFormat::kCsv,
                                           OutputFormat::kTable};

std::string_view OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kDeb822:
      return "deb822";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kNdjson:
      return "ndjson";
    case OutputFormat::kCsv:
      return "csv";
    case OutputFormat::kTable:
      return "table";
  }
  return "deb822";
}

bool StartsWithIgnoreAsciiCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         EqualsIgnoreAsciiCase(text.substr(0, prefix.size()), prefix);
}

bool IsNumericType(FieldType type) {
  return type == FieldType::kInteger || type == FieldType::kDecimal;
}

// ---------------------------------------------------------------------------------------------
// Exact decimal arithmetic for sum() and avg(): the integer and decimal types have no length
// limit [S-101, S-102], so neither has the arithmetic.

// INVARIANT: `digits` is the magnitude times 10^scale, most significant digit first, without
// leading zeros ("0" for zero); zero is never negative.
struct Decimal {
  bool negative = false;
  std::string digits = "0";
  std::size_t scale = 0;
};

std::string StripLeadingZeros(std::string digits) {
  const std::size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

// Parses [+-]digits[.digits]. REQUIRES: `text` is a valid integer or decimal value.
Decimal ParseDecimal(std::string_view text) {
  Decimal out;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    out.negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  std::string digits(text.substr(0, dot));
  if (dot != std::string_view::npos) {
    digits.append(text.substr(dot + 1));
    out.scale = text.size() - dot - 1;
  }
  out.digits = StripLeadingZeros(std::move(digits));
  if (out.digits == "0") out.negative = false;
  return out;
}

// Magnitudes as digit strings without leading zeros.
int CompareMagnitudes(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
}

std::string AddMagnitudes(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry != 0; ++i) {
    int sum = carry;
    if (i < a.size()) sum += a[a.size() - 1 - i] - '0';
    if (i < b.size()) sum += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + sum % 10));
    carry = sum / 10;
  }
  std::reverse(out.begin(), out.end());
  return StripLeadingZeros(std::move(out));
}

// REQUIRES: a >= b
std::string SubtractMagnitudes(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    int difference = a[a.size() - 1 - i] - '0' - borrow;
    if (i < b.size()) difference -= b[b.size() - 1 - i] - '0';
    borrow = difference < 0 ? 1 : 0;
    out.push_back(static_cast<char>('0' + difference + 10 * borrow));
  }
  std::reverse(out.begin(), out.end());
  return StripLeadingZeros(std::move(out));
}

void Rescale(Decimal* value, std::size_t scale) {
  if (value->digits != "0") value->digits.append(scale - value->scale, '0');
  value->scale = scale;
}

Decimal Add(Decimal a, Decimal b) {
  const std::size_t scale = std::max(a.scale, b.scale);
  Rescale(&a, scale);
  Rescale(&b, scale);
  Decimal out;
  out.scale = scale;
  if (a.negative == b.negative) {
    out.digits = AddMagnitudes(a.digits, b.digits);
    out.negative = a.negative;
  } else if (CompareMagnitudes(a.digits, b.digits) >= 0) {
    out.digits = SubtractMagnitudes(a.digits, b.digits);
    out.negative = a.negative;
  } else {
    out.digits = SubtractMagnitudes(b.digits, a.digits);
    out.negative = b.negative;
  }
  if (out.digits == "0") out.negative = false;
  return out;
}

// `value` / `divisor`, with kAverageExtraDigits more fraction digits, rounded half away from
// zero. REQUIRES: 0 < divisor < 2^59 (so the running remainder times 10 fits).
Decimal Divide(Decimal value, std::uint64_t divisor) {
  const std::size_t scale = value.scale + kAverageExtraDigits;
  Rescale(&value, scale + 1);  // one more digit to round with
  std::string quotient;
  std::uint64_t remainder = 0;
  for (const char digit : value.digits) {
    remainder = remainder * 10 + static_cast<std::uint64_t>(digit - '0');
    quotient.push_back(static_cast<char>('0' + remainder / divisor));
    remainder %= divisor;
  }
  const bool round_up = quotient.back() >= '5';
  quotient.pop_back();
  Decimal out;
  out.negative = value.negative;
  out.scale = scale;
  out.digits = StripLeadingZeros(quotient);
  if (round_up) out.digits = AddMagnitudes(out.digits, "1");
  if (out.digits == "0") out.negative = false;
  return out;
}

// The canonical decimal text of `value` [S-102].
std::string DecimalText(const Decimal& value) {
  std::string digits = value.digits;
  if (digits.size() <= value.scale) digits.insert(0, value.scale - digits.size() + 1, '0');
  std::string text = value.negative ? "-" : "";
  text += digits.substr(0, digits.size() - value.scale);
  if (value.scale > 0) text += "." + digits.substr(digits.size() - value.scale);
  return CanonicalValue(FieldType::kDecimal, text);
}

// ---------------------------------------------------------------------------------------------
// Output: a grid of named columns, or whole records.

struct Grid {
  std::vector<std::string> names;
  std::vector<bool> numeric;  // right-aligned in the table format
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// The rows of `grid` as stanzas: one field per present cell, in column order.
Result<std::vector<deb822::Stanza>> GridStanzas(const Grid& grid) {
  std::vector<deb822::Stanza> stanzas;
  stanzas.reserve(grid.rows.size());
  for (const auto& row : grid.rows) {
    deb822::Stanza stanza;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (!row[c]) continue;
      if (Status set = stanza.SetRaw(grid.names[c], *row[c]); !set.ok()) {
        return Status::InvalidData(fmt::format("column '{}': {}", grid.names[c], set.message()));
      }
    }
    stanzas.push_back(std::move(stanza));
  }
  return stanzas;
}

// One CSV cell [X-003]: quoted when empty or holding ',', '"', CR or LF.
void AppendCsvCell(std::string_view cell, std::string* out) {
  if (!cell.empty() && cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  for (const char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// CSV with exactly the grid's columns, written as interchange::ToCsv writes [X-003] (an absent
// cell is empty and unquoted).
std::string GridCsv(const Grid& grid) {
  if (grid.rows.empty()) return "";
  std::string out;
  for (std::size_t c = 0; c < grid.names.size(); ++c) {
    if (c != 0) out.push_back(',');
    AppendCsvCell(grid.names[c], &out);
  }
  out += "\r\n";
  for (const auto& row : grid.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c != 0) out.push_back(',');
      if (row[c]) AppendCsvCell(*row[c], &out);
    }
    out += "\r\n";
  }
  return out;
}

// Display width of UTF-8 text: its code points (wide characters count one).
std::size_t DisplayWidth(std::string_view text) {
  std::size_t width = 0;
  for (const char c : text) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return width;
}

// `text` cut to at most `width` code points, the last replaced by '…' when cut.
std::string Truncate(std::string_view text, std::size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  std::size_t kept = 0;
  std::size_t end = 0;
  while (end < text.size()) {
    std::size_t next = end + 1;
    while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) ++next;
    if (kept + 1 >= width) break;
    ++kept;
    end = next;
  }
  return std::string(text.substr(0, end)) + std::string(width > 0 ? kEllipsis : "");
}

// A raw value [F-030] on one line: its logical lines [F-031] (a continuation line's " ." is an
// empty line) joined, every run of spaces, tabs and line breaks made one space.
std::string OneLine(std::string_view raw) {
  std::string out;
  bool space = false;
  bool line_start = true;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (line_start && i != 0 && c == '.' && (i + 1 == raw.size() || raw[i + 1] == '\n')) {
      continue;  // the empty line " ."
    }
    line_start = c == '\n' || (line_start && i != 0 && (c == ' ' || c == '\t'));
    if (c == ' ' || c == '\t' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// The width of the terminal on standard output.
std::size_t TerminalWidth() {
  struct winsize size {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    char* end = nullptr;
    const unsigned long value = std::strtoul(columns, &end, 10);
    if (end != columns && *end == '\0' && value > 0) return static_cast<std::size_t>(value);
  }
  return kDefaultTerminalWidth;
}

// Shrinks the widest columns until the row fits `total` (two spaces between columns), none
// below kMinColumnWidth.
void FitWidths(std::size_t total, std::vector<std::size_t>* widths) {
  const auto row_width = [&] {
    std::size_t sum = 2 * (widths->size() - 1);
    for (const std::size_t w : *widths) sum += w;
    return sum;
  };
  std::size_t width = row_width();
  while (width > total) {
    const auto widest = std::max_element(widths->begin(), widths->end());
    if (*widest <= kMinColumnWidth) break;
    --*widest;
    --width;
  }
}

// Aligned columns: a header, then one line per row, two spaces between columns, numbers
// right-aligned; multi-line values on one line (OneLine). When standard output is a terminal the
// cells are cut with '…' to fit its width and the header is bold (unless NO_COLOR is set).
std::string GridTable(const Grid& grid) {
  if (grid.rows.empty()) return "";
  const std::size_t n = grid.names.size();
  std::vector<std::vector<std::string>> cells;
  cells.reserve(grid.rows.size());
  std::vector<std::size_t> widths(n, 0);
  for (std::size_t c = 0; c < n; ++c) widths[c] = DisplayWidth(grid.names[c]);
  for (const auto& row : grid.rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < n; ++c) {
      line.push_back(row[c] ? OneLine(*row[c]) : "");
      widths[c] = std::max(widths[c], DisplayWidth(line.back()));
    }
    cells.push_back(std::move(line));
  }
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  if (terminal) FitWidths(TerminalWidth(), &widths);
  const bool colour = ColourEnabled(STDOUT_FILENO);
  std::string out;
  const auto append_line = [&](const std::vector<std::string>& line, bool header) {
    std::string text;
    for (std::size_t c = 0; c < n; ++c) {
      const std::string cell = Truncate(line[c], widths[c]);
      const std::size_t pad = widths[c] - DisplayWidth(cell);
      if (c != 0) text += "  ";
      if (grid.numeric[c]) text.append(pad, ' ');
      text += cell;
      if (!grid.numeric[c] && c + 1 != n) text.append(pad, ' ');
    }
    while (text.ends_with(' ')) text.pop_back();
    if (header && colour) text = fmt::format("{}{}{}", kBold, text, kReset);
    out += text;
    out += '\n';
  };
  append_line(grid.names, true);
  for (const auto& line : cells) append_line(line, false);
  return out;
}

// `stanzas` in `format` (not kTable); deb822 writes each exactly as stored (AppendStoredStanza),
// one empty line between them.
std::string WriteStanzas(OutputFormat format, const std::vector<deb822::Stanza>& stanzas) {
  switch (format) {
    case OutputFormat::kJson:
      return interchange::ToJson(stanzas);
    case OutputFormat::kNdjson:
      return interchange::ToNdjson(stanzas);
    case OutputFormat::kCsv:
      return interchange::ToCsv(stanzas);
    case OutputFormat::kDeb822:
    case OutputFormat::kTable:
      break;
  }
  std::string out;
  for (const deb822::Stanza& stanza : stanzas) {
    if (!out.empty()) out += '\n';
    AppendStoredStanza(stanza, &out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running a query

// A reference field whose target records are joined in (`--join`).
struct JoinSpec {
  std::string field;  // as declared
  FieldType type = FieldType::kString;
  std::string target_table;
  Schema target_schema;
  std::string target_field;  // as declared; "" = the target's key
  bool target_indexed = false;
  // Target records by canonical value of the referenced field; filled as values are met, or
  // (a non-indexed target field) by one scan of the target table.
  std::unordered_map<std::string, std::optional<Record>> targets;
  bool scanned = false;
};

// A matching record and the stanza that represents it in the output (the record's, with the
// joined fields appended when there are joins).
struct Match {
  Record record;
  deb822::Stanza stanza;
};

// A query checked against its table; fields are resolved to their declared spelling.
class QueryRun {
 public:
  QueryRun(Database* db, const Schema& schema, const Query& query)
      : db_(db), schema_(schema), query_(query) {}

  ExitCode Run();
  ExitCode CountOnly();  // --count without grouping, limit, offset or joins

 private:
  // Usage errors of the query; kInvalidArgument.
  Status Resolve();
  Status ResolveJoin(const std::string& name);
  Status ResolveField(const std::string& name, std::string* resolved);
  Status ResolveColumn(OutputColumn* column);
  Status ResolveSortKeys();
  // The type of a field of the output records (own, or joined).
  FieldType TypeOf(std::string_view name) const;
  const FieldSpec* SpecOf(std::string_view name) const;

  Status Collect(std::vector<Match>* matches);
  Status JoinInto(JoinSpec* join, deb822::Stanza* stanza);
  Result<const std::optional<Record>*> Target(JoinSpec* join, std::string_view value);
  void SortMatches(std::vector<Match>* matches) const;
  Grid ProjectionGrid(const std::vector<Match>& matches) const;
  Grid RecordGrid(const std::vector<Match>& matches) const;
  Grid GroupGrid(const std::vector<Match>& matches) const;
  void Slice(std::size_t size, std::size_t* begin, std::size_t* end) const;
  std::string ColumnName(const OutputColumn& column) const;
  FieldType ColumnType(const OutputColumn& column) const;
  void Warn(const Record& record, std::string_view message) const;
  ExitCode Explain() const;
  ExitCode Output(const Grid* grid, const std::vector<deb822::Stanza>& stanzas) const;

  Database* db_;
  const Schema& schema_;
  Query query_;
  std::vector<JoinSpec> joins_;
  // Grouped output: each sort key as a column index, or (>= columns) a grouping field index.
  std::vector<std::pair<std::size_t, bool>> group_sort_;
};

FieldType QueryRun::TypeOf(std::string_view name) const {
  const FieldSpec* spec = SpecOf(name);
  return spec == nullptr ? FieldType::kString : spec->type;
}

const FieldSpec* QueryRun::SpecOf(std::string_view name) const {
  if (const FieldSpec* spec = schema_.Find(name)) return spec;
  for (const JoinSpec& join : joins_) {
    const std::string prefix = join.field + ".";
    if (StartsWithIgnoreAsciiCase(name, prefix)) {
      return join.target_schema.Find(name.substr(prefix.size()));
    }
  }
  return nullptr;
}

Status QueryRun::ResolveJoin(const std::string& name) {
  const FieldSpec* spec = schema_.Find(name);
  if (spec == nullptr || spec->references_table.empty()) {
    return Status::InvalidArgument(fmt::format(
        "--join {}: table '{}' has no field '{}' with References; --join follows a field that "
        "names records of another table [S-026]",
        name, schema_.table(), name));
  }
  for (const JoinSpec& other : joins_) {
    if (other.field == spec->name) {
      return Status::InvalidArgument(fmt::format("--join {}: given twice", name));
    }
  }
  JoinSpec join;
  join.field = spec->name;
  join.type = spec->type;
  join.target_table = spec->references_table;
  Result<Schema> target = TableSchema(*db_, spec->references_table);
  if (!target.ok()) return target.status();
  join.target_schema = std::move(target).value();
  if (spec->references_field.empty()) {
    if (join.target_schema.key().size() != 1) {
      return Status::InvalidArgument(fmt::format(
          "--join {}: table '{}' has a key of {} fields; a reference names a one-field key", name,
          join.target_table, join.target_schema.key().size()));
    }
  } else {
    const FieldSpec* target_field = join.target_schema.Find(spec->references_field);
    if (target_field == nullptr) {
      return Status::InvalidArgument(fmt::format("--join {}: table '{}' has no field '{}'", name,
                                                 join.target_table, spec->references_field));
    }
    join.target_field = target_field->name;
    join.target_indexed = target_field->indexed;
  }
  joins_.push_back(std::move(join));
  return Status::Ok();
}

Status QueryRun::ResolveField(const std::string& name, std::string* resolved) {
  if (const FieldSpec* spec = schema_.Find(name)) {
    *resolved = spec->name;
    return Status::Ok();
  }
  for (const JoinSpec& join : joins_) {
    const std::string prefix = join.field + ".";
    if (!StartsWithIgnoreAsciiCase(name, prefix)) continue;
    const std::string rest = name.substr(prefix.size());
    if (const FieldSpec* spec = join.target_schema.Find(rest)) {
      *resolved = prefix + spec->name;
      return Status::Ok();
    }
    if (join.target_schema.allow_unknown_fields() && deb822::IsValidFieldName(rest)) {
      *resolved = prefix + rest;
      return Status::Ok();
    }
    return Status::InvalidArgument(
        fmt::format("no field '{}' in table '{}' (joined through '{}'; Unknown-Fields: reject)",
                    rest, join.target_table, join.field));
  }
  if (!deb822::IsValidFieldName(name)) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a valid field name; expected printable ASCII characters other than ':' "
        "(no space), not starting with '-' or '#' [F-021, F-022]",
        name));
  }
  if (!schema_.allow_unknown_fields()) {
    std::vector<std::string> names;
    for (const FieldSpec& field : schema_.fields()) names.push_back(field.name);
    return Status::InvalidArgument(
        fmt::format("no field '{}' in table '{}' (Unknown-Fields: reject); its fields: {}", name,
                    schema_.table(), Join(names, ", ")));
  }
  *resolved = name;
  return Status::Ok();
}

std::string QueryRun::ColumnName(const OutputColumn& column) const {
  if (!column.name.empty()) return column.name;
  switch (column.kind) {
    case OutputColumn::Kind::kField:
      return column.field;
    case OutputColumn::Kind::kCount:
      return column.field.empty() ? "count" : fmt::format("count({})", column.field);
    case OutputColumn::Kind::kSum:
      return fmt::format("sum({})", column.field);
    case OutputColumn::Kind::kAvg:
      return fmt::format("avg({})", column.field);
    case OutputColumn::Kind::kMin:
      return fmt::format("min({})", column.field);
    case OutputColumn::Kind::kMax:
      return fmt::format("max({})", column.field);
  }
  return column.field;
}

FieldType QueryRun::ColumnType(const OutputColumn& column) const {
  switch (column.kind) {
    case OutputColumn::Kind::kCount:
      return FieldType::kInteger;
    case OutputColumn::Kind::kSum:
      return TypeOf(column.field);
    case OutputColumn::Kind::kAvg:
      return FieldType::kDecimal;
    case OutputColumn::Kind::kField:
    case OutputColumn::Kind::kMin:
    case OutputColumn::Kind::kMax:
      break;
  }
  return TypeOf(column.field);
}

Status QueryRun::ResolveColumn(OutputColumn* column) {
  const bool counts_all = column->kind == OutputColumn::Kind::kCount && column->field.empty();
  if (!counts_all) TEXTDB_RETURN_IF_ERROR(ResolveField(column->field, &column->field));
  if ((column->kind == OutputColumn::Kind::kSum || column->kind == OutputColumn::Kind::kAvg) &&
      !IsNumericType(TypeOf(column->field))) {
    return Status::InvalidArgument(fmt::format(
        "{}: field '{}' is of type {}; sum and avg take a field of type integer or decimal",
        ColumnName(*column), column->field, FieldTypeName(TypeOf(column->field))));
  }
  if (!column->name.empty() && !deb822::IsValidFieldName(column->name)) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a valid column name; expected printable ASCII characters other than ':' "
        "(no space), not starting with '-' or '#' [F-021, F-022]",
        column->name));
  }
  return Status::Ok();
}

Status QueryRun::ResolveSortKeys() {
  if (!query_.grouped) {
    for (SortKey& key : query_.sort) {
      TEXTDB_RETURN_IF_ERROR(ResolveField(key.field, &key.field));
    }
    return Status::Ok();
  }
  for (const SortKey& key : query_.sort) {
    std::optional<std::size_t> index;
    for (std::size_t c = 0; c < query_.columns.size() && !index; ++c) {
      if (EqualsIgnoreAsciiCase(ColumnName(query_.columns[c]), key.field)) index = c;
    }
    for (std::size_t g = 0; g < query_.group_by.size() && !index; ++g) {
      if (EqualsIgnoreAsciiCase(query_.group_by[g], key.field)) {
        index = query_.columns.size() + g;
      }
    }
    if (!index) {
      std::vector<std::string> names;
      for (const OutputColumn& column : query_.columns) names.push_back(ColumnName(column));
      return Status::InvalidArgument(
          fmt::format("sort key '{}' is not a column of the grouped output; expected one of: {}",
                      key.field, Join(names, ", ")));
    }
    group_sort_.emplace_back(*index, key.descending);
  }
  return Status::Ok();
}

Status QueryRun::Resolve() {
  for (const std::string& name : query_.joins) TEXTDB_RETURN_IF_ERROR(ResolveJoin(name));
  for (std::string& field : query_.group_by) {
    TEXTDB_RETURN_IF_ERROR(ResolveField(field, &field));
  }
  for (OutputColumn& column : query_.columns) {
    TEXTDB_RETURN_IF_ERROR(ResolveColumn(&column));
    if (!query_.grouped || column.kind != OutputColumn::Kind::kField) continue;
    const bool grouping = std::any_of(
        query_.group_by.begin(), query_.group_by.end(),
        [&](const std::string& group) { return EqualsIgnoreAsciiCase(group, column.field); });
    if (!grouping) {
      return Status::InvalidArgument(
          fmt::format("field '{}' is neither grouped nor aggregated", column.field));
    }
  }
  for (std::size_t i = 0; i < query_.columns.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (EqualsIgnoreAsciiCase(ColumnName(query_.columns[i]), ColumnName(query_.columns[j]))) {
        return Status::InvalidArgument(fmt::format(
            "column '{}' is selected twice; name one differently", ColumnName(query_.columns[i])));
      }
    }
  }
  return ResolveSortKeys();
}

Result<const std::optional<Record>*> QueryRun::Target(JoinSpec* join, std::string_view value) {
  const FieldSpec* target_spec = join->target_schema.Find(
      join->target_field.empty() ? join->target_schema.fields()[join->target_schema.key()[0]].name
                                 : join->target_field);
  const FieldType type = target_spec == nullptr ? FieldType::kString : target_spec->type;
  const std::string canonical = CanonicalValue(type, value);
  if (auto it = join->targets.find(canonical); it != join->targets.end()) return &it->second;
  if (!join->target_field.empty() && !join->target_indexed) {
    // PERF: one scan of the target table serves every value.
    if (!join->scanned) {
      join->scanned = true;
      const Status scanned = db_->Scan(join->target_table, "", [&](const Record& record) {
        if (const auto v = record.Get(join->target_field)) {
          join->targets.emplace(CanonicalValue(type, *v), record);
        }
        return true;
      });
      if (!scanned.ok()) return scanned;
    }
    return &join->targets.emplace(canonical, std::nullopt).first->second;
  }
  std::optional<Record> found;
  if (join->target_field.empty()) {
    Result<Record> record = db_->Get(join->target_table, {std::string(value)});
    if (record.ok()) {
      found = std::move(record).value();
    } else if (record.status().code() != StatusCode::kNotFound &&
               record.status().code() != StatusCode::kInvalidArgument) {
      return record.status();
    }
  } else {
    const Status looked =
        db_->Lookup(join->target_table, join->target_field, value, [&](const Record& record) {
          found = record;
          return false;
        });
    if (!looked.ok() && looked.code() != StatusCode::kInvalidArgument) return looked;
  }
  return &join->targets.emplace(canonical, std::move(found)).first->second;
}

Status QueryRun::JoinInto(JoinSpec* join, deb822::Stanza* stanza) {
  const std::optional<std::string_view> value = stanza->Get(join->field);
  if (!value) return Status::Ok();
  Result<const std::optional<Record>*> target = Target(join, *value);
  if (!target.ok()) return target.status();
  if (!**target) return Status::Ok();
  for (const deb822::Field& field : (**target)->stanza().fields()) {
    TEXTDB_RETURN_IF_ERROR(
        stanza->SetRaw(fmt::format("{}.{}", join->field, field.name()), field.value()));
  }
  return Status::Ok();
}

Status QueryRun::Collect(std::vector<Match>* matches) {
  // Without sorting or grouping the first offset + limit matches are all that is printed.
  std::optional<std::uint64_t> wanted;
  if (!query_.grouped && query_.sort.empty() && query_.limit) {
    wanted = query_.offset + *query_.limit;
    if (*wanted < query_.offset) wanted.reset();  // overflow: no bound
  }
  if (wanted && *wanted == 0) return Status::Ok();
  const Expression* where = query_.where ? &*query_.where : nullptr;
  TEXTDB_RETURN_IF_ERROR(ForEachMatch(db_, schema_, where, [&](const Record& record) {
    matches->push_back({record, record.stanza()});
    return !wanted || matches->size() < *wanted;
  }));
  for (JoinSpec& join : joins_) {
    for (Match& match : *matches) TEXTDB_RETURN_IF_ERROR(JoinInto(&join, &match.stanza));
  }
  return Status::Ok();
}

// Orders two optional values of `type`, absent last (whatever the direction).
int CompareOptional(FieldType type, const std::optional<std::string_view>& a,
                    const std::optional<std::string_view>& b, bool descending) {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  const int order = CompareValues(type, *a, *b);
  return descending ? -order : order;
}

void QueryRun::SortMatches(std::vector<Match>* matches) const {
  if (query_.sort.empty()) return;
  std::vector<FieldType> types;
  for (const SortKey& key : query_.sort) types.push_back(TypeOf(key.field));
  std::stable_sort(matches->begin(), matches->end(), [&](const Match& a, const Match& b) {
    for (std::size_t k = 0; k < query_.sort.size(); ++k) {
      const SortKey& key = query_.sort[k];
      const int order = CompareOptional(types[k], a.stanza.Get(key.field), b.stanza.Get(key.field),
                                        key.descending);
      if (order != 0) return order < 0;
    }
    return false;
  });
}

void QueryRun::Slice(std::size_t size, std::size_t* begin, std::size_t* end) const {
  *begin = static_cast<std::size_t>(std::min<std::uint64_t>(query_.offset, size));
  *end = size;
  if (query_.limit && *query_.limit < *end - *begin) {
    *end = *begin + static_cast<std::size_t>(*query_.limit);
  }
}

Grid QueryRun::ProjectionGrid(const std::vector<Match>& matches) const {
  Grid grid;
  for (const OutputColumn& column : query_.columns) {
    grid.names.push_back(ColumnName(column));
    grid.numeric.push_back(IsNumericType(ColumnType(column)));
  }
  for (const Match& match : matches) {
    std::vector<std::optional<std::string>> row;
    for (const OutputColumn& column : query_.columns) {
      const std::optional<std::string_view> value = match.stanza.Get(column.field);
      row.push_back(value ? std::optional<std::string>(*value) : std::nullopt);
    }
    grid.rows.push_back(std::move(row));
  }
  return grid;
}

// Whole records as a table: the key fields, then the declared fields some record has (in the
// schema's order), then the others in first-seen order.
Grid QueryRun::RecordGrid(const std::vector<Match>& matches) const {
  std::vector<std::string> names;
  const auto seen = [&](std::string_view name) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& other) {
      return EqualsIgnoreAsciiCase(other, name);
    });
  };
  for (const std::size_t index : schema_.key()) names.push_back(schema_.fields()[index].name);
  for (const FieldSpec& field : schema_.fields()) {
    if (seen(field.name)) continue;
    if (std::any_of(matches.begin(), matches.end(),
                    [&](const Match& match) { return match.stanza.Find(field.name) != nullptr; })) {
      names.push_back(field.name);
    }
  }
  for (const Match& match : matches) {
    for (const deb822::Field& field : match.stanza.fields()) {
      if (!seen(field.name())) names.emplace_back(field.name());
    }
  }
  Grid grid;
  for (const std::string& name : names) {
    grid.names.push_back(name);
    grid.numeric.push_back(IsNumericType(TypeOf(name)));
  }
  for (const Match& match : matches) {
    std::vector<std::optional<std::string>> row;
    for (const std::string& name : names) {
      const std::optional<std::string_view> value = match.stanza.Get(name);
      row.push_back(value ? std::optional<std::string>(*value) : std::nullopt);
    }
    grid.rows.push_back(std::move(row));
  }
  return grid;
}

void QueryRun::Warn(const Record& record, std::string_view message) const {
  PrintWarning(fmt::format("{}:{}", DatabasePath(*db_, record.file()), record.line()), message);
}

// The accumulated value of one aggregate column over one group.
struct Accumulator {
  std::uint64_t count = 0;
  Decimal sum;
  std::optional<std::string> best;  // min/max: canonical value
};

Grid QueryRun::GroupGrid(const std::vector<Match>& matches) const {
  struct Group {
    std::vector<std::optional<std::string>> values;  // canonical, per grouping field
    std::vector<Accumulator> columns;
  };
  const std::vector<OutputColumn>& columns = query_.columns;
  std::vector<FieldType> group_types;
  for (const std::string& field : query_.group_by) group_types.push_back(TypeOf(field));
  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> group_of;  // encoded values -> index
  // Without grouping fields there is one group, even over no record (SQL's aggregates).
  if (query_.group_by.empty()) {
    groups.push_back({{}, std::vector<Accumulator>(columns.size())});
    group_of.emplace("", 0);
  }
  for (const Match& match : matches) {
    std::vector<std::optional<std::string>> values;
    std::string encoded;
    for (std::size_t g = 0; g < query_.group_by.size(); ++g) {
      const std::optional<std::string_view> value = match.stanza.Get(query_.group_by[g]);
      if (value) {
        values.emplace_back(CanonicalValue(group_types[g], *value));
        encoded += fmt::format("+{}:{}", values.back()->size(), *values.back());
      } else {
        values.emplace_back(std::nullopt);
        encoded += "-";
      }
    }
    const auto [it, inserted] = group_of.emplace(encoded, groups.size());
    if (inserted) groups.push_back({std::move(values), std::vector<Accumulator>(columns.size())});
    Group& group = groups[it->second];
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const OutputColumn& column = columns[c];
      Accumulator& acc = group.columns[c];
      if (column.kind == OutputColumn::Kind::kField) continue;
      if (column.kind == OutputColumn::Kind::kCount && column.field.empty()) {
        ++acc.count;
        continue;
      }
      const std::optional<std::string_view> value = match.stanza.Get(column.field);
      if (!value) continue;
      if (column.kind == OutputColumn::Kind::kCount) {
        ++acc.count;
        continue;
      }
      if (const FieldSpec* spec = SpecOf(column.field)) {
        if (Status valid = CheckValue(*spec, *value); !valid.ok()) {
          Warn(match.record,
               fmt::format("{}; left out of {}", valid.message(), ColumnName(column)));
          continue;
        }
      }
      ++acc.count;
      const FieldType type = TypeOf(column.field);
      switch (column.kind) {
        case OutputColumn::Kind::kSum:
        case OutputColumn::Kind::kAvg:
          acc.sum = Add(acc.sum, ParseDecimal(*value));
          break;
        case OutputColumn::Kind::kMin:
        case OutputColumn::Kind::kMax: {
          std::string canonical = CanonicalValue(type, *value);
          const int order = acc.best ? CompareValues(type, canonical, *acc.best) : 0;
          if (!acc.best || (column.kind == OutputColumn::Kind::kMin ? order < 0 : order > 0)) {
            acc.best = std::move(canonical);
          }
          break;
        }
        case OutputColumn::Kind::kField:
        case OutputColumn::Kind::kCount:
          break;
      }
    }
  }

  Grid grid;
  std::vector<FieldType> column_types;
  for (const OutputColumn& column : columns) {
    grid.names.push_back(ColumnName(column));
    column_types.push_back(ColumnType(column));
    grid.numeric.push_back(IsNumericType(column_types.back()));
  }
  struct Row {
    std::vector<std::optional<std::string>> cells;
    const Group* group;
  };
  std::vector<Row> rows;
  for (const Group& group : groups) {
    Row row{{}, &group};
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const Accumulator& acc = group.columns[c];
      std::optional<std::string> cell;
      switch (columns[c].kind) {
        case OutputColumn::Kind::kField:
          for (std::size_t g = 0; g < query_.group_by.size(); ++g) {
            if (EqualsIgnoreAsciiCase(query_.group_by[g], columns[c].field)) cell = group.values[g];
          }
          break;
        case OutputColumn::Kind::kCount:
          cell = fmt::format("{}", acc.count);
          break;
        case OutputColumn::Kind::kSum:
          cell = DecimalText(acc.sum);
          break;
        case OutputColumn::Kind::kAvg:
          if (acc.count > 0) cell = DecimalText(Divide(acc.sum, acc.count));
          break;
        case OutputColumn::Kind::kMin:
        case OutputColumn::Kind::kMax:
          cell = acc.best;
          break;
      }
      row.cells.push_back(std::move(cell));
    }
    rows.push_back(std::move(row));
  }
  // Default order: by the grouping values; then the sort keys, stably.
  const auto optional_view = [](const std::optional<std::string>& value) {
    return value ? std::optional<std::string_view>(*value) : std::nullopt;
  };
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    for (std::size_t g = 0; g < group_types.size(); ++g) {
      const int order = CompareOptional(group_types[g], optional_view(a.group->values[g]),
                                        optional_view(b.group->values[g]), false);
      if (order != 0) return order < 0;
    }
    return false;
  });
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    for (const auto& [index, descending] : group_sort_) {
      const bool is_column = index < columns.size();
      const FieldType type = is_column ? column_types[index] : group_types[index - columns.size()];
      const auto& va = is_column ? a.cells[index] : a.group->values[index - columns.size()];
      const auto& vb = is_column ? b.cells[index] : b.group->values[index - columns.size()];
      const int order = CompareOptional(type, optional_view(va), optional_view(vb), descending);
      if (order != 0) return order < 0;
    }
    return false;
  });
  std::size_t begin = 0;
  std::size_t end = 0;
  Slice(rows.size(), &begin, &end);
  for (std::size_t i = begin; i < end; ++i) grid.rows.push_back(std::move(rows[i].cells));
  return grid;
}

ExitCode QueryRun::Explain() const {
  const AccessPlan plan = PlanAccess(query_.where ? &*query_.where : nullptr, schema_);
  std::string out =
      fmt::format("table: {}\naccess: {}\nfilter: {}\n", schema_.table(), plan.Explain(),
                  query_.where ? std::string(query_.where->text()) : "none");
  for (const JoinSpec& join : joins_) {
    out += fmt::format("join: {} -> {} by {}\n", join.field, join.target_table,
                       join.target_field.empty() ? std::string("key lookup")
                       : join.target_indexed     ? "secondary index on " + join.target_field
                                                 : "one scan, matching " + join.target_field);
  }
  const Status written = WriteOutput("", out);
  return written.ok() ? kExitOk : ReportError(written);
}

ExitCode QueryRun::Output(const Grid* grid, const std::vector<deb822::Stanza>& stanzas) const {
  const OutputFormat format =
      query_.format.value_or(query_.grouped ? OutputFormat::kTable : OutputFormat::kDeb822);
  const std::size_t rows = grid != nullptr ? grid->rows.size() : stanzas.size();
  std::string out;
  if (format == OutputFormat::kTable) {
    out = GridTable(*grid);
  } else if (format == OutputFormat::kCsv && grid != nullptr) {
    out = GridCsv(*grid);
  } else if (grid != nullptr) {
    Result<std::vector<deb822::Stanza>> built = GridStanzas(*grid);
    if (!built.ok()) return ReportDbError(built.status());
    out = WriteStanzas(format, *built);
  } else {
    out = WriteStanzas(format, stanzas);
  }
  const Status written = WriteOutput("", out);
  if (!written.ok()) return ReportError(written);
  return rows == 0 ? kExitNotFound : kExitOk;
}

// PERF: a count keeps, copies and sorts no record: without --where it is the offset index's;
// a full scan is counted by the engine's filter threads [I-015] and hands nothing back.
ExitCode QueryRun::CountOnly() {
  const Expression* where = query_.where ? &*query_.where : nullptr;
  std::uint64_t count = 0;
  Status counted;
  if (where == nullptr) {
    Result<std::uint64_t> all = db_->Count(schema_.table());
    counted = all.status();
    if (all.ok()) count = *all;
  } else if (PlanAccess(where, schema_).kind == AccessPlan::Kind::kFullScan) {
    // Not counted in a ScanParallel filter: that may see a record twice [I-014].
    Result<std::uint64_t> matching =
        db_->Count(schema_.table(), where->Fields(),
                   [&](const deb822::Stanza& record) { return where->Matches(record, &schema_); });
    counted = matching.status();
    if (matching.ok()) count = *matching;
  } else {
    counted = ForEachMatch(db_, schema_, where, [&](const Record&) {
      ++count;
      return true;
    });
  }
  if (!counted.ok()) return ReportDbError(*db_, counted);
  const Status written = WriteOutput("", fmt::format("{}\n", count));
  if (!written.ok()) return ReportError(written);
  return count == 0 ? kExitNotFound : kExitOk;
}

ExitCode QueryRun::Run() {
  if (Status resolved = Resolve(); !resolved.ok()) return ReportDbError(resolved);
  if (query_.explain) return Explain();
  if (query_.count_only && !query_.grouped && !query_.limit && query_.offset == 0 &&
      joins_.empty()) {
    return CountOnly();
  }
  std::vector<Match> matches;
  if (Status collected = Collect(&matches); !collected.ok()) {
    return ReportDbError(*db_, collected);
  }
  if (query_.grouped) {
    const Grid grid = GroupGrid(matches);
    const ExitCode code = Output(&grid, {});
    // Aggregates without grouping fields give one row even over no record.
    return code == kExitOk && matches.empty() ? kExitNotFound : code;
  }
  SortMatches(&matches);
  std::size_t begin = 0;
  std::size_t end = 0;
  Slice(matches.size(), &begin, &end);
  const std::vector<Match> shown(matches.begin() + static_cast<std::ptrdiff_t>(begin),
                                 matches.begin() + static_cast<std::ptrdiff_t>(end));
  if (query_.count_only) {
    const Status written = WriteOutput("", fmt::format("{}\n", shown.size()));
    if (!written.ok()) return ReportError(written);
    return shown.empty() ? kExitNotFound : kExitOk;
  }
  const OutputFormat format = query_.format.value_or(OutputFormat::kDeb822);
  if (!query_.columns.empty()) {
    const Grid grid = ProjectionGrid(shown);
    return Output(&grid, {});
  }
  if (format == OutputFormat::kTable) {
    const Grid grid = RecordGrid(shown);
    return Output(&grid, {});
  }
  std::vector<deb822::Stanza> stanzas;
  stanzas.reserve(shown.size());
  for (const Match& match : shown) stanzas.push_back(match.stanza);
  return Output(nullptr, stanzas);
}

}  // namespace

std::vector<std::string> OutputFormatNames() {
  std::vector<std::string> names;
  for (const OutputFormat format : kOutputFormats) names.emplace_back(OutputFormatName(format));
  return names;
}

OutputFormat OutputFormatFromName(std::string_view name) {
  for (const OutputFormat format : kOutputFormats) {
    if (OutputFormatName(format) == name) return format;
  }
  return OutputFormat::kDeb822;
}

ExitCode ReportQueryError(std::string_view source, std::string_view text, const Status& status) {
  if (ErrorPositionOf(status).line == 0) return ReportDbError(status);
  PrintError(fmt::format("{}:{}", source, status.message()));
  const std::string caret = Caret(text, status);
  std::string_view rest = caret;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    while (line.ends_with(' ')) line.remove_suffix(1);
    fmt::print(stderr, "textdb:{}{}\n", line.empty() ? "" : "   ", line);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
  }
  return ExitCodeFor(status);
}

Result<Expression> ParseWhere(std::string_view text, bool case_insensitive, const Schema& schema) {
  ExpressionOptions options;
  options.case_insensitive = case_insensitive;
  Result<Expression> where = Expression::Parse(text, options);
  if (!where.ok()) return where;
  TEXTDB_RETURN_IF_ERROR(where->Validate(schema));
  return where;
}

AccessPlan PlanAccess(const Expression* where, const Schema& schema) {
  return where == nullptr ? AccessPlan() : ChooseAccess(*where, schema);
}

Status ForEachMatch(Database* db, const Schema& schema, const Expression* where,
                    const std::function<bool(const Record&)>& visit) {
  if (where == nullptr) return db->Scan(schema.table(), "", visit);
  return db->ForEachMatch(schema.table(), *where, visit);
}

std::vector<std::string> RecordKey(const Schema& schema, const deb822::Stanza& record) {
  std::vector<std::string> key;
  for (const std::size_t index : schema.key()) {
    key.emplace_back(record.Get(schema.fields()[index].name).value_or(""));
  }
  return key;
}

Status CheckRecordToWrite(const Schema& schema, const std::vector<Expression>& constraints,
                          const deb822::Stanza& record) {
  if (!LacksAutoField(schema, record)) TEXTDB_RETURN_IF_ERROR(CheckRecord(schema, record));
  return CheckConstraints(constraints, schema, record);
}

ExitCode RunQuery(Database* db, const Schema& schema, const Query& query) {
  return QueryRun(db, schema, query).Run();
}

ExitCode DeleteMatching(Database* db, const Schema& schema, const Expression& where, bool dry_run) {
  std::vector<std::vector<std::string>> keys;
  const Status found = ForEachMatch(db, schema, &where, [&](const Record& record) {
    keys.push_back(RecordKey(schema, record.stanza()));
    return true;
  });
  if (!found.ok()) return ReportDbError(*db, found);
  std::string out;
  if (dry_run) {
    for (const std::vector<std::string>& key : keys) out += KeyText(key) + "\n";
  } else if (!keys.empty()) {
    Transaction transaction = db->Begin();
    for (std::vector<std::string>& key : keys) transaction.Delete(schema.table(), std::move(key));
    if (Status committed = transaction.Commit(); !committed.ok()) {
      return ReportDbError(*db, committed);
    }
  }
  if (!dry_run) out = fmt::format("deleted {} record(s)\n", keys.size());
  const Status written = WriteOutput("", out);
  if (!written.ok()) return ReportError(written);
  return keys.empty() ? kExitNotFound : kExitOk;
}

}  // namespace textdb::cli
