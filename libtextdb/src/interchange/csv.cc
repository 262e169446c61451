// CSV conversion of stanzas: an RFC 4180 writer (CRLF record ends, a header row of the
// union of field names) and a strict reader [X-030..X-033] (format-spec/interchange.md).
//
// An absent field is an empty unquoted cell and an empty value is a quoted empty cell "", as in
// PostgreSQL's COPY ... CSV, so absence survives the round trip.
#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "format/encoding.h"
#include "format/scanner.h"
#include "interchange/common.h"
#include "textdb/interchange.h"

namespace textdb::interchange {

namespace {

// ---------------------------------------------------------------------------------------------
// Writer

// Appends `cell`: quoted (with '"' doubled) when it is empty or contains ',' '"' CR or
// LF, as is otherwise.
void AppendCell(std::string_view cell, std::string* out) {
  if (!cell.empty() && cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  std::size_t run_begin = 0;
  for (std::size_t quote = cell.find('"'); quote != std::string_view::npos;
       quote = cell.find('"', quote + 1)) {
    out->append(cell, run_begin, quote + 1 - run_begin);
    out->push_back('"');
    run_begin = quote + 1;
  }
  out->append(cell, run_begin);
  out->push_back('"');
}

// ---------------------------------------------------------------------------------------------
// Reader

// Bytes an unquoted cell holds without a second look: anything but ',' '"' CR LF and non-ASCII.
constexpr std::array<bool, 256> kPlainUnquotedByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x80; ++c) {
    table[static_cast<std::size_t>(c)] = c != ',' && c != '"' && c != '\r' && c != '\n';
  }
  return table;
}();

// Bytes a quoted cell holds without a second look: anything but '"' CR and non-ASCII.
constexpr std::array<bool, 256> kPlainQuotedByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x80; ++c) table[static_cast<std::size_t>(c)] = c != '"' && c != '\r';
  return table;
}();

struct Cell {
  std::size_t begin = 0;  // offset of the cell's first byte (its opening quote, if quoted)
  bool quoted = false;
  std::string_view value;  // the content: a view of the input or of CsvReader::buffer_
};

class CsvReader {
 public:
  CsvReader(std::string_view text, std::string_view file_name)
      : text_(text), file_name_(file_name) {
    // one leading byte-order mark is skipped; positions count from after it.
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  Result<std::vector<deb822::Stanza>> Read() {
    std::vector<deb822::Stanza> stanzas;
    if (text_.empty()) return stanzas;
    TEXTDB_RETURN_IF_ERROR(ReadHeader());
    while (pos_ < text_.size()) {
      deb822::Stanza stanza;
      TEXTDB_RETURN_IF_ERROR(ReadRecord(&stanza));
      stanzas.push_back(std::move(stanza));
    }
    return stanzas;
  }

 private:
  Status ReadHeader();
  Status ReadRecord(deb822::Stanza* stanza);
  Status ReadCell(Cell* cell, bool* last);
  Status ReadQuoted(Cell* cell);
  Status ReadUnquoted(Cell* cell);
  Status ReadSeparator(bool* last);

  Status Error(std::size_t offset, std::string_view rule, std::string_view message) const {
    return internal::DataError(text_, file_name_, offset, rule, message);
  }

  std::string_view text_;
  std::string_view file_name_;
  std::size_t pos_ = 0;
  std::size_t record_end_ = 0;       // offset of the last record end read (CR, LF or end)
  std::vector<std::string> header_;  // the field names, in column order
  std::string buffer_;               // content of the current cell when it cannot be a view
};

// the first record names the columns: valid, distinct ignoring ASCII case
// at most kMaxFieldsPerRecord.
Status CsvReader::ReadHeader() {
  bool last = false;
  while (!last) {
    if (header_.size() == internal::kMaxFieldsPerRecord) {
      return Error(pos_, "X-015",
                   fmt::format("header has more than {} columns; expected at most {}",
                               internal::kMaxFieldsPerRecord, internal::kMaxFieldsPerRecord));
    }
    Cell cell;
    TEXTDB_RETURN_IF_ERROR(ReadCell(&cell, &last));
    if (!deb822::IsValidFieldName(cell.value)) {
      return internal::NameError(text_, file_name_, cell.begin, cell.value);
    }
    for (const std::string& name : header_) {
      if (::textdb::internal::EqualsIgnoreAsciiCase(name, cell.value)) {
        return Error(cell.begin, "X-013",
                     fmt::format("duplicate column {}: the header already has {} (field names "
                                 "ignore ASCII case)",
                                 internal::DisplayName(cell.value), internal::DisplayName(name)));
      }
    }
    header_.emplace_back(cell.value);
  }
  return Status::Ok();
}

// One record: exactly one cell per column; an unquoted empty cell is an absent
// field, any other cell the raw value of its column's field; at least one field.
Status CsvReader::ReadRecord(deb822::Stanza* stanza) {
  const std::size_t record_begin = pos_;
  std::size_t count = 0;
  bool last = false;
  while (!last) {
    if (count == header_.size()) {
      return Error(pos_, "X-032",
                   fmt::format("record has more than {} cells; expected {}, one per header column",
                               header_.size(), header_.size()));
    }
    Cell cell;
    TEXTDB_RETURN_IF_ERROR(ReadCell(&cell, &last));
    const std::string& name = header_[count++];
    if (!cell.quoted && cell.value.empty()) continue;
    if (Status set = stanza->SetRaw(name, cell.value); !set.ok()) {
      return internal::ValueError(text_, file_name_, cell.begin, name, set);
    }
  }
  if (count < header_.size()) {
    return Error(record_end_, "X-032",
                 fmt::format("record has {} {}; expected {}, one per header column", count,
                             count == 1 ? "cell" : "cells", header_.size()));
  }
  if (stanza->empty()) {
    return Error(record_begin, "X-014",
                 "record without fields: every cell is empty and unquoted (absent); expected at "
                 "least one field");
  }
  return Status::Ok();
}

// Reads the cell at pos_ and the ',' or record end after it; *last tells a record end.
Status CsvReader::ReadCell(Cell* cell, bool* last) {
  cell->begin = pos_;
  if (pos_ < text_.size() && text_[pos_] == '"') {
    TEXTDB_RETURN_IF_ERROR(ReadQuoted(cell));
  } else {
    TEXTDB_RETURN_IF_ERROR(ReadUnquoted(cell));
  }
  return ReadSeparator(last);
}

// A quoted cell [X-030, X-033]: '""' stands for '"', CRLF for LF; any other byte is content.
// REQUIRES: text_[pos_] == '"'
Status CsvReader::ReadQuoted(Cell* cell) {
  cell->quoted = true;
  const std::size_t size = text_.size();
  std::size_t i = pos_ + 1;
  std::size_t run_begin = i;  // start of the bytes not yet copied to buffer_
  bool buffered = false;
  const auto flush = [&](std::size_t end) {
    if (!buffered) {
      buffer_.clear();
      buffered = true;
    }
    buffer_.append(text_, run_begin, end - run_begin);
  };
  while (true) {
    // PERF: one table look-up per byte for the common ASCII content.
    while (i < size && kPlainQuotedByte[static_cast<unsigned char>(text_[i])]) ++i;
    if (i == size) {
      return Error(cell->begin, "X-030",
                   "quoted cell is not closed; expected '\"' before the end of input");
    }
    const char c = text_[i];
    if (c == '"') {
      if (i + 1 < size && text_[i + 1] == '"') {  // '""' -> '"'
        flush(i + 1);
        i += 2;
        run_begin = i;
        continue;
      }
      if (buffered) {
        flush(i);
        cell->value = buffer_;
      } else {
        cell->value = text_.substr(run_begin, i - run_begin);
      }
      pos_ = i + 1;
      return Status::Ok();
    }
    if (c == '\r') {
      if (i + 1 < size && text_[i + 1] == '\n') {  // CRLF -> LF
        flush(i);
        run_begin = i + 1;
      }
      ++i;  // a lone CR stays and makes the value unwritable [W-011]
      continue;
    }
    const std::size_t length = ::textdb::internal::Utf8SequenceLength(text_, i);
    if (length == 0) return internal::EncodingError(text_, file_name_, i);
    i += length;
  }
}

// An unquoted cell [X-030]: no '"', CR or LF in it; it ends at ',' or a record end.
Status CsvReader::ReadUnquoted(Cell* cell) {
  cell->quoted = false;
  const std::size_t size = text_.size();
  std::size_t i = pos_;
  while (true) {
    while (i < size && kPlainUnquotedByte[static_cast<unsigned char>(text_[i])]) ++i;
    if (i == size || text_[i] == ',' || text_[i] == '\r' || text_[i] == '\n') break;
    if (text_[i] == '"') {
      return Error(i, "X-030",
                   "'\"' inside an unquoted cell; expected the whole cell in quotes, with each "
                   "'\"' written '\"\"'");
    }
    const std::size_t length = ::textdb::internal::Utf8SequenceLength(text_, i);
    if (length == 0) return internal::EncodingError(text_, file_name_, i);
    i += length;
  }
  cell->value = text_.substr(pos_, i - pos_);
  pos_ = i;
  return Status::Ok();
}

// After a cell: ',' (*last = false), or a record end CRLF, LF or end of input (*last = true)
//
Status CsvReader::ReadSeparator(bool* last) {
  *last = true;
  record_end_ = pos_;
  if (pos_ == text_.size()) return Status::Ok();
  const char c = text_[pos_];
  if (c == '\n') {
    ++pos_;
    return Status::Ok();
  }
  if (c == '\r') {
    if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      pos_ += 2;
      return Status::Ok();
    }
    return Error(pos_, "X-030",
                 "carriage return not followed by a line feed; expected CRLF or LF to end the "
                 "record, or the cell in quotes");
  }
  if (c == ',') {
    ++pos_;
    *last = false;
    return Status::Ok();
  }
  // Only a quoted cell stops elsewhere.
  if (static_cast<unsigned char>(c) >= 0x80 &&
      ::textdb::internal::Utf8SequenceLength(text_, pos_) == 0) {
    return internal::EncodingError(text_, file_name_, pos_);
  }
  return Error(
      pos_, "X-030",
      fmt::format("expected ',' or the end of the record after the closing quote, found {}",
                  internal::DescribeAt(text_, pos_)));
}

}  // namespace

std::string ToCsv(const std::vector<deb822::Stanza>& stanzas) {
  if (stanzas.empty()) return {};
  // Pass 1: the header, and the column of every field in input order.
  std::unordered_map<std::string_view, std::uint32_t, internal::NameHash, internal::NameEqual>
      column_of;
  std::vector<std::string_view> header;
  std::vector<std::uint32_t> columns;
  std::size_t estimate = 0;
  for (const deb822::Stanza& stanza : stanzas) {
    for (const deb822::Field& field : stanza.fields()) {
      const auto [it, added] =
          column_of.try_emplace(field.name(), static_cast<std::uint32_t>(header.size()));
      if (added) header.push_back(field.name());
      columns.push_back(it->second);
      estimate += field.value().size() + 3;
    }
  }
  estimate += stanzas.size() * (header.size() + 2);
  std::string out;
  out.reserve(estimate);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCell(header[i], &out);
  }
  out.append("\r\n");
  // Pass 2: one row per stanza.
  // INVARIANT: the names of one stanza are distinct ignoring case, so no cell is set twice.
  std::vector<const deb822::Field*> row(header.size());
  std::size_t next_column = 0;
  for (const deb822::Stanza& stanza : stanzas) {
    std::fill(row.begin(), row.end(), nullptr);
    for (const deb822::Field& field : stanza.fields()) row[columns[next_column++]] = &field;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out.push_back(',');
      if (row[i] != nullptr) AppendCell(row[i]->value(), &out);
    }
    out.append("\r\n");
  }
  return out;
}

Result<std::vector<deb822::Stanza>> FromCsv(std::string_view text, std::string_view file_name) {
  return CsvReader(text, file_name).Read();
}

}  // namespace textdb::interchange
