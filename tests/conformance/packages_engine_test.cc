// The storage engine on real data: imports the shared Debian Packages index (63,440 stanzas)
// into a table keyed by Package + Version, then checks that every record reads back field for
// field equal, and that every data file is valid deb822 for an independent parser (python3-apt's
// apt_pkg.TagFile), which must count the same number of stanzas.
//
// The data is <source>/../shared/data/debian-bookworm-main-amd64-Packages.xz. Without it the
// test is skipped, unless TEXTDB_REQUIRE_SHARED_DATA=1, in which case it fails.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "textdb/db.h"

namespace textdb {
namespace {

namespace fs = std::filesystem;

constexpr char kSchema[] =
    "Table: packages\n"
    "Key: Package, Version\n"
    "Partition-Depth: 2\n"
    "\n"
    "Field: Version\n"
    "Type: debversion\n";

// Runs `command` and returns its standard output; sets *status to its exit status.
std::string RunCommand(const std::string& command, int* status) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *status = -1;
    return out;
  }
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  *status = ::pclose(pipe);
  return out;
}

TEST(PackagesEngineTest, ImportReadsBackAndFilesParseWithApt) {
  const fs::path xz =
      fs::path(TEXTDB_SOURCE_DIR) / "../shared/data/debian-bookworm-main-amd64-Packages.xz";
  if (!fs::exists(xz)) {
    const char* require = std::getenv("TEXTDB_REQUIRE_SHARED_DATA");
    ASSERT_FALSE(require != nullptr && std::string(require) == "1") << xz << " is missing";
    GTEST_SKIP() << xz << " is absent";
  }
  int status = 0;
  std::string text = RunCommand("xz -dc '" + xz.string() + "'", &status);
  ASSERT_EQ(status, 0);
  Result<deb822::Document> source = deb822::Parse(text);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_EQ(source->stanzas().size(), 63440u);

  char tmpl[] = "/tmp/textdb-packages-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/db";
  ASSERT_TRUE(Database::Create(dir).ok());
  {
    auto db = Database::Open(dir, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->CreateTable(kSchema).ok());
    Transaction txn = (*db)->Begin();
    for (const deb822::Stanza& stanza : source->stanzas()) txn.Put("packages", stanza);
    ASSERT_TRUE(txn.Commit().ok());
  }
  Options options;
  options.preload = true;
  auto db = Database::Open(dir, options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->Stats().records, 63440u);
  std::size_t checked = 0;
  for (const deb822::Stanza& stanza : source->stanzas()) {
    const std::string package(*stanza.Get("Package"));
    const std::string version(*stanza.Get("Version"));
    Result<Record> record = (*db)->Get("packages", {package, version});
    ASSERT_TRUE(record.ok()) << package << " " << version << ": " << record.status().ToString();
    ASSERT_EQ(record->stanza().size(), stanza.size()) << package;
    for (std::size_t i = 0; i < stanza.size(); ++i) {
      ASSERT_EQ(record->stanza().fields()[i].name(), stanza.fields()[i].name()) << package;
      ASSERT_EQ(record->stanza().fields()[i].value(), stanza.fields()[i].value()) << package;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 63440u);
  std::vector<std::string> problems;
  EXPECT_TRUE((*db)->Check(&problems).ok()) << ::testing::PrintToString(problems);

  // The independent parser: every data file through apt_pkg.TagFile.
  const std::string script =
      "import apt_pkg, pathlib, sys\n"
      "n = 0\n"
      "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.deb822')):\n"
      "    if p.name == 'schema.deb822': continue\n"
      "    with open(p) as f:\n"
      "        for section in apt_pkg.TagFile(f):\n"
      "            assert section['Package'] and section['Version'], p\n"
      "            n += 1\n"
      "print(n)\n";
  const std::string script_path = std::string(tmpl) + "/count.py";
  std::ofstream(script_path) << script;
  const std::string count =
      RunCommand("/usr/bin/python3 " + script_path + " " + dir + "/packages", &status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(count, "63440\n");
  fs::remove_all(tmpl);
}

}  // namespace
}  // namespace textdb
