// Conformance: walks format-spec/examples/ (see its README.md).
//
// valid/NAME.deb822    must parse; NAME.fields lists the expected stanzas and raw values; the
//                      lossless writer must reproduce the file, and the canonical form must parse
//                      in the strict profile to the same stanzas.
// invalid/NAME.deb822  must fail; NAME.errors lists every diagnostic (diagnostics mode), one
//                      Diagnostic::ToString() per line.
// NAME.options         optional parse options: "profile=compat", "strip_signature=true".
//
// TEXTDB_UPDATE_GOLDEN=1 rewrites the .fields and .errors files from the current behaviour;
// review the diff before committing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "textdb/deb822.h"

namespace textdb::deb822 {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

bool UpdateGolden() {
  const char* env = std::getenv("TEXTDB_UPDATE_GOLDEN");
  return env != nullptr && std::string(env) == "1";
}

ParseOptions OptionsFor(const fs::path& example) {
  ParseOptions options;
  options.file_name = example.filename().string();
  fs::path options_file = example;
  options_file.replace_extension(".options");
  if (!fs::exists(options_file)) return options;
  std::istringstream lines(ReadFile(options_file));
  std::string line;
  while (std::getline(lines, line)) {
    if (line == "profile=compat") options.profile = Profile::kCompat;
    if (line == "strip_signature=true") options.strip_signature = true;
  }
  return options;
}

// One line per field, "Name=value" with \n, \t and \\ escaped; "--" between stanzas.
std::string DescribeFields(const Document& doc) {
  std::string out;
  for (std::size_t i = 0; i < doc.stanzas().size(); ++i) {
    if (i > 0) out += "--\n";
    for (const Field& field : doc.stanzas()[i].fields()) {
      out.append(field.name());
      out += '=';
      for (char c : field.value()) {
        if (c == '\n') {
          out += "\\n";
        } else if (c == '\t') {
          out += "\\t";
        } else if (c == '\\') {
          out += "\\\\";
        } else {
          out += c;
        }
      }
      out += '\n';
    }
  }
  return out;
}

std::vector<fs::path> Examples(const char* folder) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(fs::path(TEXTDB_EXAMPLES_DIR) / folder)) {
    if (entry.path().extension() == ".deb822") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ConformanceTest, ValidExamples) {
  const std::vector<fs::path> examples = Examples("valid");
  ASSERT_GE(examples.size(), 8u);
  for (const fs::path& example : examples) {
    SCOPED_TRACE(example.string());
    const std::string text = ReadFile(example);
    const ParseOptions options = OptionsFor(example);
    Result<Document> doc = Parse(text, options);
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();

    fs::path fields_file = example;
    fields_file.replace_extension(".fields");
    const std::string described = DescribeFields(*doc);
    if (UpdateGolden()) WriteFile(fields_file, described);
    ASSERT_TRUE(fs::exists(fields_file));
    EXPECT_EQ(described, ReadFile(fields_file));

    // [L-001]: lossless (the signed content, when an armour was stripped).
    if (!doc->signature_stripped()) {
      EXPECT_EQ(doc->Write(), text);
    }
    // [W-006]: the canonical form is strict deb822 with the same content.
    ParseOptions strict;
    Result<Document> canonical = Parse(doc->WriteCanonical(), strict);
    ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
    EXPECT_EQ(DescribeFields(*canonical), described);
  }
}

TEST(ConformanceTest, InvalidExamples) {
  const std::vector<fs::path> examples = Examples("invalid");
  ASSERT_GE(examples.size(), 10u);
  for (const fs::path& example : examples) {
    SCOPED_TRACE(example.string());
    std::vector<Diagnostic> diagnostics;
    Result<Document> doc = Parse(ReadFile(example), OptionsFor(example), &diagnostics);
    ASSERT_FALSE(doc.ok());
    ASSERT_FALSE(diagnostics.empty());
    EXPECT_EQ(doc.status().message(), diagnostics.front().ToString());
    std::string described;
    for (const Diagnostic& d : diagnostics) described += d.ToString() + "\n";
    fs::path errors_file = example;
    errors_file.replace_extension(".errors");
    if (UpdateGolden()) WriteFile(errors_file, described);
    ASSERT_TRUE(fs::exists(errors_file));
    EXPECT_EQ(described, ReadFile(errors_file));
    // The rule named in the file name is the one reported first.
    const std::string name = example.filename().string();
    if (name.starts_with("F-")) {
      EXPECT_EQ(diagnostics.front().rule, name.substr(0, 5));
    }
  }
}

}  // namespace
}  // namespace textdb::deb822
