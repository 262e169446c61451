// address_book: a small contact list kept in a textdb database, through the typed-record API
// (textdb/typed.h) and the query builder; usage in kUsage below. DIR is created on first use.
// Exit status: 0 done, 1 nothing found, 2 usage error, 3 any other error.
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "textdb/db.h"
#include "textdb/query_builder.h"
#include "textdb/typed.h"

enum class Circle { kFamily, kFriend, kWork };

template <>
struct textdb::EnumNames<Circle> {
  static constexpr std::pair<Circle, std::string_view> kNames[] = {
      {Circle::kFamily, "family"}, {Circle::kFriend, "friend"}, {Circle::kWork, "work"}};
};

struct Contact {
  std::string name;
  std::optional<std::string> email;
  std::optional<std::chrono::year_month_day> born;
  Circle circle = Circle::kFriend;
  std::vector<std::string> tags;
};

TEXTDB_RECORD(Contact, TEXTDB_FIELD(name, "Name"), TEXTDB_FIELD(email, "Email"),
              TEXTDB_FIELD(born, "Born"), TEXTDB_FIELD(circle, "Circle"),
              TEXTDB_FIELD(tags, "Tags"));

namespace {

constexpr char kSchema[] =
    "Table: contacts\nKey: Name\n\nField: Name\n\nField: Email\n\nField: Born\nType: date\n\n"
    "Field: Circle\nType: enum\nValues: family, friend, work\n\nField: Tags\nType: list\n"
    "Index: yes\n";

constexpr char kUsage[] =
    "usage: address_book DIR add NAME [--email E] [--born YYYY-MM-DD] "
    "[--circle family|friend|work] [--tag T]...\n"
    "       address_book DIR list | find TAG | get NAME | remove NAME\n";

int Fail(const textdb::Status& status) {
  std::cerr << "address_book: " << status.message() << "\n";
  if (status.code() == textdb::StatusCode::kNotFound) return 1;
  if (status.code() != textdb::StatusCode::kInvalidArgument) return 3;
  std::cerr << kUsage;
  return 2;
}

// Opens DIR, creating the database and its table on first use.
textdb::Result<std::unique_ptr<textdb::Database>> OpenBook(const std::string& dir) {
  auto db = textdb::Database::Open(dir, {});
  if (!db.ok() && db.status().code() == textdb::StatusCode::kNotFound) {
    TEXTDB_RETURN_IF_ERROR(textdb::Database::Create(dir));
    db = textdb::Database::Open(dir, {});
  }
  if (db.ok() && (*db)->Tables().empty()) TEXTDB_RETURN_IF_ERROR((*db)->CreateTable(kSchema));
  return db;
}

void Print(const Contact& c) {
  std::string born;
  if (c.born) (void)textdb::FieldCodec<std::chrono::year_month_day>::Format(*c.born, &born);
  std::string circle;
  (void)textdb::FieldCodec<Circle>::Format(c.circle, &circle);
  std::cout << c.name << (c.email ? " <" + *c.email + ">" : "")
            << (born.empty() ? "" : " born " + born) << " (" << circle << ")";
  for (const std::string& tag : c.tags) std::cout << " #" << tag;
  std::cout << "\n";
}

// Reads the options of `add` into *c: kInvalidArgument for a bad option or value.
textdb::Status ParseAdd(const std::vector<std::string>& args, Contact* c) {
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const std::string& option = args[i];
    const std::string value = i + 1 < args.size() ? args[i + 1] : "";
    textdb::Status parsed;
    if (i + 1 == args.size()) {
      parsed = textdb::Status::InvalidArgument("a value is missing");
    } else if (option == "--email") {
      c->email = value;
    } else if (option == "--tag") {
      c->tags.push_back(value);
    } else if (option == "--born") {
      parsed = textdb::FieldCodec<std::chrono::year_month_day>::Parse(value, &c->born.emplace());
    } else if (option == "--circle") {
      parsed = textdb::FieldCodec<Circle>::Parse(value, &c->circle);
    } else {
      parsed = textdb::Status::InvalidArgument("unknown option");
    }
    if (!parsed.ok()) return textdb::Status::InvalidArgument(option + ": " + parsed.message());
  }
  return textdb::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const std::string command = args.size() >= 2 ? args[1] : "";
  const bool takes_value =
      command == "add" || command == "find" || command == "get" || command == "remove";
  if (command != "list" && (!takes_value || args.size() < 3)) {
    std::cerr << kUsage;
    return 2;
  }
  auto db = OpenBook(args[0]);
  if (!db.ok()) return Fail(db.status());
  textdb::Database& book = **db;
  if (command == "add") {
    Contact contact{args[2], {}, {}, Circle::kFriend, {}};
    if (textdb::Status bad = ParseAdd({args.begin() + 3, args.end()}, &contact); !bad.ok()) {
      return Fail(bad);
    }
    if (textdb::Status put = textdb::Put(book, "contacts", contact); !put.ok()) return Fail(put);
    std::cout << "added " << contact.name << "\n";
    return 0;
  }
  if (command == "get") {
    textdb::Result<Contact> contact = textdb::Get<Contact>(book, "contacts", {args[2]});
    if (!contact.ok()) return Fail(contact.status());
    Print(*contact);
    return 0;
  }
  if (command == "remove") {
    textdb::Transaction txn = book.Begin();
    txn.Delete("contacts", {args[2]});
    if (textdb::Status done = txn.Commit(); !done.ok()) return Fail(done);
    std::cout << "removed " << args[2] << "\n";
    return 0;
  }
  // list: every contact (in key order); find: those tagged TAG (a list field equals one of its
  // elements [Q-035]; the Tags index finds them).
  textdb::Result<textdb::Expression> where =
      command == "list" ? (textdb::q::Exists(textdb::q::Field("Name"))).Build()
                        : (textdb::q::Field("Tags") == args[2]).Build();
  if (!where.ok()) return Fail(where.status());
  textdb::Result<std::vector<Contact>> found = textdb::Select<Contact>(book, "contacts", *where);
  if (!found.ok()) return Fail(found.status());
  for (const Contact& contact : *found) Print(contact);
  return found->empty() ? 1 : 0;
}
