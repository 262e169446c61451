// packages_browser: a Debian Packages index kept in a textdb database, browsed from the shell.
//
//   packages_browser DB import FILE...   create DB (if needed) and add the stanzas of FILEs
//   packages_browser DB show PKG         every version of PKG, as stored
//   packages_browser DB search EXPR      packages matching EXPR (format-spec/query.md)
//   packages_browser DB depends PKG      PKG's dependencies, and which are in DB
//   packages_browser DB rdepends PKG     packages that depend on PKG
//
// Exit status: 0 done, 1 nothing found, 2 usage, 3 error. Uses only <textdb/...> headers.
#include <textdb/db.h>
#include <textdb/query.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kSchema =
    "Table: packages\nKey: Package, Version\n\nField: Version\nType: debversion\n\n"
    "Field: Installed-Size\nType: integer\n\nField: Section\nIndex: yes\n";

int Fail(const textdb::Status& status) {
  std::cerr << "packages_browser: " << status.ToString() << "\n";
  return status.code() == textdb::StatusCode::kNotFound ? 1 : 3;
}

textdb::Status Import(textdb::Database& db, const std::vector<std::string>& files,
                      std::size_t* count) {
  if (db.Tables().empty()) TEXTDB_RETURN_IF_ERROR(db.CreateTable(kSchema));
  textdb::Transaction txn = db.Begin();  // every file or none
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return textdb::Status::IOError(file + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    auto doc = textdb::deb822::Parse(std::move(text).str(), {.file_name = file});
    if (!doc.ok()) return doc.status();
    for (const textdb::deb822::Stanza& stanza : doc->stanzas()) txn.Put("packages", stanza);
    *count += doc->stanzas().size();
  }
  return txn.Commit();
}

// Every version of `package`, oldest first [S-108]; kNotFound when there is none.
textdb::Result<std::vector<textdb::Record>> Versions(textdb::Database& db,
                                                     const std::string& package) {
  std::vector<textdb::Record> versions;
  TEXTDB_RETURN_IF_ERROR(db.ScanRange("packages", {package}, {}, [&](const textdb::Record& r) {
    if (r.Get("Package") != package) return false;
    versions.push_back(r);
    return true;
  }));
  if (versions.empty()) return textdb::Status::NotFound("no package '" + package + "'");
  return versions;
}

// The package names a relationship field lists: "a (>= 1) | b:any, c" -> a, b, c.
std::vector<std::string> Relations(std::string_view value) {
  std::vector<std::string> names;
  for (std::size_t pos = 0; (pos = value.find_first_not_of(" \n\t,|", pos)) != value.npos;) {
    names.emplace_back(value.substr(pos, value.find_first_of(" \n\t,|(:[<", pos) - pos));
    pos = value.find_first_of(",|", pos);  // the next relation or alternative
  }
  return names;
}

int Run(textdb::Database& db, const std::string& command, const std::string& arg) {
  std::size_t count = 0;
  auto print = [&count](const textdb::Record& r) {
    std::cout << *r.Get("Package") << " " << *r.Get("Version") << " "
              << r.Get("Installed-Size").value_or("?") << " KiB\n";
    ++count;
    return true;
  };
  textdb::Status status;
  if (command == "show") {
    auto versions = Versions(db, arg);
    if (!versions.ok()) return Fail(versions.status());
    for (const textdb::Record& r : *versions) {
      std::string text;
      r.stanza().Write(&text);
      std::cout << (count++ ? "\n" : "") << text;
    }
  } else if (command == "depends") {
    auto versions = Versions(db, arg);
    if (!versions.ok()) return Fail(versions.status());
    for (const char* field : {"Pre-Depends", "Depends"}) {
      for (const std::string& name : Relations(versions->back().Get(field).value_or(""))) {
        auto dependency = Versions(db, name);  // newest last
        std::cout << field << ": " << name << " -> ";
        if (dependency.ok()) print(dependency->back());
        if (!dependency.ok()) std::cout << dependency.status().message() << "\n";
      }
    }
  } else if (command == "search") {
    auto schema = db.GetSchema("packages");
    if (!schema.ok()) return Fail(schema.status());
    auto where = textdb::Expression::Parse(arg);
    const textdb::Status valid = where.ok() ? where->Validate(*schema) : where.status();
    if (!valid.ok()) {
      std::cerr << valid.message() << "\n" << textdb::Caret(arg, valid);
      return 2;
    }
    status = db.ScanParallel(
        "packages", [&](const textdb::deb822::Stanza& s) { return where->Matches(s, &*schema); },
        print);
  } else {  // rdepends
    auto depends_on_arg = [&](const textdb::deb822::Stanza& s) {
      for (const std::string& name : Relations(s.Get("Depends").value_or(""))) {
        if (name == arg) return true;
      }
      return false;
    };
    status = db.ScanParallel("packages", depends_on_arg, print);
  }
  if (!status.ok()) return Fail(status);
  return count == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const std::string commands = " import show search depends rdepends ";
  if (args.size() < 3 || commands.find(" " + args[1] + " ") == std::string::npos ||
      (args[1] != "import" && args.size() != 3)) {
    std::cerr << "usage: packages_browser DB (import FILE...|show PKG|search EXPR|depends PKG|"
                 "rdepends PKG)\n";
    return 2;
  }
  if (args[1] == "import") {
    const textdb::Status created = textdb::Database::Create(args[0]);
    if (!created.ok() && created.code() != textdb::StatusCode::kConflict) return Fail(created);
  }
  auto db = textdb::Database::Open(args[0], textdb::Options{});
  if (!db.ok()) return Fail(db.status());
  if (args[1] == "import") {
    std::size_t count = 0;
    const textdb::Status imported = Import(**db, {args.begin() + 2, args.end()}, &count);
    if (!imported.ok()) return Fail(imported);
    std::cout << "imported " << count << " packages\n";
    return 0;
  }
  return Run(**db, args[1], args[2]);
}
