// Hygiene of the public headers (libtextdb/include/textdb/, CONVENTIONS.md 1): none includes a
// Boost, ICU, fmt or RE2 header, so those stay private link dependencies. That each header
// compiles on its own is checked by the build itself: tests/unit/CMakeLists.txt compiles one
// generated source per header that includes only that header (target textdb_header_check).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace textdb {
namespace {

namespace fs = std::filesystem;

// The #include lines of `path` that name a header of a private dependency.
std::vector<std::string> PrivateIncludes(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> found;
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t hash = line.find_first_not_of(" \t");
    if (hash == std::string::npos || line[hash] != '#') continue;
    if (line.find("include", hash) == std::string::npos) continue;
    for (const char* prefix : {"boost/", "unicode/", "fmt/", "re2/"}) {
      if (line.find(std::string("<") + prefix) != std::string::npos ||
          line.find(std::string("\"") + prefix) != std::string::npos) {
        found.push_back(path.filename().string() + ": " + line);
      }
    }
  }
  return found;
}

TEST(PublicHeadersTest, NoneIncludesBoostIcuFmtOrRe2) {
  std::vector<std::string> headers;
  std::vector<std::string> offending;
  for (const fs::directory_entry& entry : fs::directory_iterator(TEXTDB_PUBLIC_HEADERS_DIR)) {
    if (entry.path().extension() != ".h") continue;
    headers.push_back(entry.path().filename().string());
    for (std::string& line : PrivateIncludes(entry.path())) offending.push_back(std::move(line));
  }
  // The directory really holds the public headers (a wrong path must not pass vacuously).
  EXPECT_THAT(headers, ::testing::IsSupersetOf({"db.h", "status.h", "typed.h", "field_codec.h",
                                                "query_builder.h", "query.h", "deb822.h"}));
  EXPECT_THAT(offending, ::testing::IsEmpty());
}

TEST(PublicHeadersTest, TheScanFindsAPrivateInclude) {
  const fs::path probe = fs::temp_directory_path() / "textdb_public_headers_probe.h";
  {
    std::ofstream out(probe);
    out << "#include <string>\n#  include <fmt/format.h>\n#include \"boost/x.hpp\"\n";
  }
  EXPECT_EQ(PrivateIncludes(probe).size(), 2u);
  fs::remove(probe);
}

}  // namespace
}  // namespace textdb
