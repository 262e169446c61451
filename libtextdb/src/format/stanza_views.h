// Private to the library: a Stanza whose fields are views into bytes it does not own. The engine's
// projected scans (Database::ScanParallel with `fields`) hand one to the caller's filter, built
// from the raw values the offset indexer's scanner collected, so that a record the filter rejects
// is never parsed into a Document.
#ifndef TEXTDB_FORMAT_STANZA_VIEWS_H_
#define TEXTDB_FORMAT_STANZA_VIEWS_H_

#include <cstdint>
#include <string_view>

#include "textdb/deb822.h"

namespace textdb::deb822 {

class StanzaViews {
 public:
  // Empties *stanza, keeping the capacity of its field list, and sets its line. The result
  // holds no input buffer: source_offset() and source_length() are 0 and Write() writes fields
  // from their values.
  static void Reset(Stanza* stanza, std::uint32_t line) {
    stanza->source_.reset();
    stanza->fields_.clear();
    stanza->comments_.clear();
    stanza->line_ = line;
    stanza->source_begin_ = 0;
    stanza->source_end_ = 0;
    stanza->modified_ = false;
  }

  // Appends the field `name` with the raw value [F-030] `value` (its line() is 0).
  // REQUIRES: the bytes of `name` and `value` outlive every use of *stanza (it does not copy
  // them); no field of *stanza has the same name ignoring ASCII case [F-024].
  static void Add(Stanza* stanza, std::string_view name, std::string_view value) {
    Field field;
    field.name_ = name;
    field.value_ = value;
    stanza->fields_.push_back(field);
  }
};

}  // namespace textdb::deb822

#endif  // TEXTDB_FORMAT_STANZA_VIEWS_H_
