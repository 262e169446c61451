// Record-level three-way merge and diff: see include/textdb/merge.h and format-spec/merge.md.
#include "textdb/merge.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "format/paragraphs.h"

namespace textdb {
namespace {

using internal::CommentParagraphs;

// One version of the file, parsed and keyed.
struct Version {
  std::shared_ptr<const std::string> text;
  deb822::Document doc;
  std::vector<std::string> keys;             // of doc.stanzas()[i]
  std::vector<std::string_view> gaps;        // the text before stanza i, after stanza i - 1
  std::string_view trailing;                 // the text after the last stanza
  std::map<std::string, std::size_t> index;  // key -> i

  const deb822::Stanza* Find(const std::string& key) const {
    auto it = index.find(key);
    return it == index.end() ? nullptr : &doc.stanzas()[it->second];
  }
  std::optional<std::size_t> At(const std::string& key) const {
    auto it = index.find(key);
    return it == index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }
  // The stanza's bytes as they stand in the file, ending with a newline.
  std::string Bytes(std::size_t i) const {
    const deb822::Stanza& stanza = doc.stanzas()[i];
    std::string out = text->substr(stanza.source_offset(), stanza.source_length());
    if (!out.ends_with('\n')) out += '\n';
    return out;
  }
};

Result<Version> Load(std::string_view text, std::string_view label, const RecordKeys& keys,
                     std::string_view file_name) {
  Version version;
  version.text = std::make_shared<const std::string>(text);
  deb822::ParseOptions options;
  options.file_name = fmt::format("{} ({})", file_name, label);
  Result<deb822::Document> doc = deb822::Parse(*version.text, options);
  if (!doc.ok()) return doc.status();
  version.doc = std::move(doc).value();
  std::size_t previous_end = 0;
  for (const deb822::Stanza& stanza : version.doc.stanzas()) {
    Result<std::string> key = keys.key_of(stanza);
    if (!key.ok()) {
      return Status::InvalidData(fmt::format("{}:{}:1: error: {} [M-002]", options.file_name,
                                             stanza.line(), key.status().message()));
    }
    auto [it, inserted] = version.index.emplace(*key, version.keys.size());
    if (!inserted) {
      return Status::InvalidData(fmt::format(
          "{}:{}:1: error: record '{}' appears twice (also at line {}) [M-002]", options.file_name,
          stanza.line(), keys.display(*key), version.doc.stanzas()[it->second].line()));
    }
    version.keys.push_back(std::move(key).value());
    version.gaps.push_back(std::string_view(*version.text)
                               .substr(previous_end, stanza.source_offset() - previous_end));
    previous_end = stanza.source_offset() + stanza.source_length();
  }
  version.trailing = std::string_view(*version.text).substr(previous_end);
  return version;
}

// The fields of a stanza as (name, raw value) in order.
std::vector<std::pair<std::string, std::string>> FieldsOf(const deb822::Stanza& stanza) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const deb822::Field& field : stanza.fields()) {
    out.emplace_back(std::string(field.name()), std::string(field.value()));
  }
  return out;
}

// Same names (case-insensitively, in order) and the same raw values.
bool SameRecord(const deb822::Stanza& a, const deb822::Stanza& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const deb822::Field& x = a.fields()[i];
    const deb822::Field& y = b.fields()[i];
    if (x.value() != y.value() || x.name().size() != y.name().size()) return false;
    for (std::size_t c = 0; c < x.name().size(); ++c) {
      if (std::tolower(static_cast<unsigned char>(x.name()[c])) !=
          std::tolower(static_cast<unsigned char>(y.name()[c]))) {
        return false;
      }
    }
  }
  return true;
}

// "Name: value" lines of a raw value [W-001, W-002].
std::string FieldText(std::string_view name, std::string_view raw) {
  std::string out(name);
  out += ':';
  if (!raw.empty() && raw.front() != '\n') out += ' ';
  out.append(raw);
  out += '\n';
  return out;
}

class Merger {
 public:
  Merger(const RecordKeys& keys, const MergeOptions& options) : keys_(keys), options_(options) {}

  // A conflict block: `ours` and `theirs` are whole lines (possibly none).
  std::string Conflict(const std::string& ours, const std::string& theirs) {
    ++conflicts_;
    const auto marker = [&](char c) {
      return std::string(static_cast<std::size_t>(options_.marker_size), c);
    };
    return fmt::format("{} {}\n{}{}\n{}{} {}\n", marker('<'), options_.ours_label, ours,
                       marker('='), theirs, marker('>'), options_.theirs_label);
  }

  // Three-way merge of one text value: the merged value, or nullopt when both sides changed it
  // differently [M-010].
  template <typename T>
  static std::optional<T> Merge3(const T& base, const T& ours, const T& theirs) {
    if (ours == theirs || theirs == base) return ours;
    if (ours == base) return theirs;
    return std::nullopt;
  }

  // The merged text of record `i` of ours, which theirs has as record `t`; `b` is its index in
  // base, nullopt when both sides added it [M-011, M-013].
  std::string MergeRecord(const Version& base_version, std::optional<std::size_t> b,
                          const Version& ours, std::size_t i, const Version& theirs_version,
                          std::size_t t) {
    const deb822::Stanza* base = b ? &base_version.doc.stanzas()[*b] : nullptr;
    const deb822::Stanza& mine = ours.doc.stanzas()[i];
    const deb822::Stanza& theirs = theirs_version.doc.stanzas()[t];
    // A record only one side touched is that side's, byte for byte (comments included).
    if (b) {
      const std::string original = base_version.Bytes(*b);
      if (ours.Bytes(i) == original) return theirs_version.Bytes(t);
      if (theirs_version.Bytes(t) == original) return ours.Bytes(i);
    }
    if (SameRecord(mine, theirs) || (base != nullptr && SameRecord(*base, theirs))) {
      return ours.Bytes(i);
    }
    // Field names: ours' order, then those only theirs has.
    std::vector<std::string> names;
    for (const deb822::Field& field : mine.fields()) names.emplace_back(field.name());
    for (const deb822::Field& field : theirs.fields()) {
      if (mine.Find(field.name()) == nullptr) names.emplace_back(field.name());
    }
    deb822::Stanza merged = mine;
    struct Clash {
      std::optional<std::string> ours, theirs;
    };
    std::map<std::string, Clash> clashes;
    for (const std::string& name : names) {
      const auto get = [&](const deb822::Stanza* s) -> std::optional<std::string> {
        if (s == nullptr) return std::nullopt;
        std::optional<std::string_view> v = s->Get(name);
        return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
      };
      const std::optional<std::string> ours_value = get(&mine);
      const std::optional<std::string> theirs_value = get(&theirs);
      if (ours_value == theirs_value) continue;
      // Both added the record: any field they disagree on is a conflict [M-013].
      std::optional<std::optional<std::string>> result =
          base == nullptr ? std::nullopt : Merge3(get(base), ours_value, theirs_value);
      if (!result.has_value()) {
        clashes[name] = {ours_value, theirs_value};
        continue;
      }
      if (*result == ours_value) continue;
      if (!result->has_value()) {
        merged.Remove(name);
      } else if (!merged.SetRaw(name, **result).ok()) {
        // Theirs' value cannot be written canonically: let a human look.
        clashes[name] = {ours_value, theirs_value};
      }
    }
    // Each clash is written between markers in place of its field [M-012]: the field first
    // gets a placeholder value, then the placeholder's line is replaced by the block, so every
    // other line of the record keeps its bytes.
    std::vector<std::pair<std::string, std::string>> blocks;  // placeholder line, block
    for (const auto& [name, clash] : clashes) {
      const std::string placeholder = fmt::format("\x01textdb-conflict-{}\x01", blocks.size());
      if (!merged.SetRaw(name, placeholder).ok()) return "";  // not reached: a valid name
      blocks.emplace_back(FieldText(name, placeholder),
                          Conflict(clash.ours ? FieldText(name, *clash.ours) : "",
                                   clash.theirs ? FieldText(name, *clash.theirs) : ""));
    }
    std::string out;
    merged.Write(&out);
    for (const auto& [line, block] : blocks) {
      const std::size_t at = out.find(line);
      if (at != std::string::npos && (at == 0 || out[at - 1] == '\n')) {
        out.replace(at, line.size(), block);
      }
    }
    return out;
  }

  Result<MergeResult> Run(const Version& base, const Version& ours, const Version& theirs) {
    struct Unit {
      std::string key;
      std::string gap;        // exact text before the record, when `ours_gap`; else comments
      bool ours_gap = false;  // `gap` is ours' original text
      std::string body;
    };
    std::vector<Unit> units;
    const auto comments_of = [](const Version& v, std::optional<std::size_t> i) {
      return i ? CommentParagraphs(v.gaps[*i], false) : std::string();
    };
    for (std::size_t i = 0; i < ours.keys.size(); ++i) {
      const std::string& key = ours.keys[i];
      const std::optional<std::size_t> b = base.At(key);
      const std::optional<std::size_t> t = theirs.At(key);
      Unit unit{key, std::string(ours.gaps[i]), true, ""};
      if (b && !t) {  // theirs removed it [M-014]
        if (SameRecord(base.doc.stanzas()[*b], ours.doc.stanzas()[i])) continue;
        unit.body = Conflict(ours.Bytes(i), "");
      } else if (t) {
        unit.body = MergeRecord(base, b, ours, i, theirs, *t);
      } else {
        unit.body = ours.Bytes(i);
      }
      // The comment paragraphs before the record, merged like a value [M-020].
      if (t) {
        const std::string mine = comments_of(ours, i);
        std::optional<std::string> merged =
            Merge3(comments_of(base, b), mine, comments_of(theirs, t));
        if (!merged) {
          unit.gap = Conflict(mine, comments_of(theirs, t));
          unit.ours_gap = false;
        } else if (*merged != mine) {
          unit.gap = *merged;
          unit.ours_gap = false;
        }
      }
      units.push_back(std::move(unit));
    }
    // Records only theirs has, at their place in key order [M-015].
    for (std::size_t i = 0; i < theirs.keys.size(); ++i) {
      const std::string& key = theirs.keys[i];
      if (ours.At(key)) continue;
      const std::optional<std::size_t> b = base.At(key);
      Unit unit{key, comments_of(theirs, i), false, ""};
      if (b) {  // ours removed it [M-014]
        if (SameRecord(base.doc.stanzas()[*b], theirs.doc.stanzas()[i])) continue;
        unit.body = Conflict("", theirs.Bytes(i));
      } else {
        unit.body = theirs.Bytes(i);
      }
      auto at = std::find_if(units.begin(), units.end(),
                             [&](const Unit& u) { return keys_.less(key, u.key); });
      units.insert(at, std::move(unit));
    }

    MergeResult result;
    std::string& out = result.text;
    for (std::size_t u = 0; u < units.size(); ++u) {
      const Unit& unit = units[u];
      if (unit.ours_gap) {
        std::string_view gap = unit.gap;
        if (u == 0) {
          while (gap.starts_with('\n')) gap.remove_prefix(1);
        } else if (!gap.starts_with('\n')) {
          out += '\n';
        }
        out.append(gap);
      } else {
        if (u > 0) out += '\n';
        if (!unit.gap.empty()) out += unit.gap + "\n";
      }
      out += unit.body;
    }
    // What follows the last record [M-021].
    const std::string mine = CommentParagraphs(ours.trailing, false);
    const std::string yours = CommentParagraphs(theirs.trailing, false);
    std::optional<std::string> trailing =
        Merge3(CommentParagraphs(base.trailing, false), mine, yours);
    if (trailing && *trailing == mine) {
      std::string_view text = ours.trailing;
      if (units.empty()) {
        while (text.starts_with('\n')) text.remove_prefix(1);
      }
      out.append(text);
    } else {
      const std::string block = trailing ? *trailing : Conflict(mine, yours);
      if (!block.empty()) out += (units.empty() ? "" : "\n") + block;
    }
    result.conflicts = conflicts_;
    return result;
  }

 private:
  const RecordKeys& keys_;
  const MergeOptions& options_;
  int conflicts_ = 0;
};

}  // namespace

RecordKeys KeysOf(const Schema& schema) {
  auto shared = std::make_shared<const Schema>(schema);
  RecordKeys keys;
  keys.key_of = [shared](const deb822::Stanza& stanza) { return KeyOf(*shared, stanza); };
  keys.less = [shared](const std::string& a, const std::string& b) {
    return CompareKeys(*shared, a, b) < 0;
  };
  keys.display = [](const std::string& key) {
    Result<std::vector<std::string>> parts = DecodeKey(key);
    if (!parts.ok()) return key;
    std::string out;
    for (const std::string& part : *parts) out += (out.empty() ? "" : " ") + part;
    return out;
  };
  return keys;
}

RecordKeys SchemaFileKeys() {
  RecordKeys keys;
  keys.key_of = [](const deb822::Stanza& stanza) -> Result<std::string> {
    if (stanza.Find("Table") != nullptr) return std::string("\x01Table");  // sorts first
    if (auto field = stanza.Get("Field")) return std::string(*field);
    return Status::InvalidData("a schema stanza needs a 'Table' or a 'Field' field");
  };
  keys.less = [](const std::string& a, const std::string& b) { return a < b; };
  keys.display = [](const std::string& key) {
    return key == "\x01Table" ? std::string("(table)") : key;
  };
  return keys;
}

Result<MergeResult> MergeRecords(std::string_view base, std::string_view ours,
                                 std::string_view theirs, const RecordKeys& keys,
                                 const MergeOptions& options) {
  Result<Version> b = Load(base, "base", keys, options.file_name);
  if (!b.ok()) return b.status();
  Result<Version> o = Load(ours, options.ours_label, keys, options.file_name);
  if (!o.ok()) return o.status();
  Result<Version> t = Load(theirs, options.theirs_label, keys, options.file_name);
  if (!t.ok()) return t.status();
  Merger merger(keys, options);
  return merger.Run(*b, *o, *t);
}

Result<std::vector<RecordChange>> DiffRecords(std::string_view old_text, std::string_view new_text,
                                              const RecordKeys& keys, std::string_view file_name) {
  Result<Version> before = Load(old_text, "old", keys, file_name);
  if (!before.ok()) return before.status();
  Result<Version> after = Load(new_text, "new", keys, file_name);
  if (!after.ok()) return after.status();
  std::vector<std::pair<std::string, RecordChange>> changes;
  for (std::size_t i = 0; i < after->keys.size(); ++i) {
    const std::string& key = after->keys[i];
    const deb822::Stanza& now = after->doc.stanzas()[i];
    const deb822::Stanza* was = before->Find(key);
    RecordChange change;
    change.key = keys.display(key);
    change.record = now;
    if (was == nullptr) {
      change.kind = RecordChange::Kind::kAdded;
    } else if (SameRecord(*was, now)) {
      continue;
    } else {
      change.kind = RecordChange::Kind::kChanged;
      for (const auto& [name, value] : FieldsOf(now)) {
        std::optional<std::string_view> old_value = was->Get(name);
        if (old_value == std::optional<std::string_view>(value)) continue;
        change.fields.push_back(
            {name, old_value ? std::optional<std::string>(*old_value) : std::nullopt, value});
      }
      for (const auto& [name, value] : FieldsOf(*was)) {
        if (now.Find(name) == nullptr) change.fields.push_back({name, value, std::nullopt});
      }
      if (change.fields.empty()) continue;  // only the order of fields changed
    }
    changes.emplace_back(key, std::move(change));
  }
  for (std::size_t i = 0; i < before->keys.size(); ++i) {
    if (after->At(before->keys[i])) continue;
    RecordChange change;
    change.kind = RecordChange::Kind::kRemoved;
    change.key = keys.display(before->keys[i]);
    change.record = before->doc.stanzas()[i];
    changes.emplace_back(before->keys[i], std::move(change));
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [&](const auto& a, const auto& b) { return keys.less(a.first, b.first); });
  std::vector<RecordChange> out;
  for (auto& [key, change] : changes) out.push_back(std::move(change));
  return out;
}

}  // namespace textdb
