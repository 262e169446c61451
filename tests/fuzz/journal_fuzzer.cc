// journal_fuzzer: a libFuzzer target for journal decoding and recovery (src/storage/commit.h,
// format-spec/storage.md [C-020], [C-021], [R-001..R-003]).
//
// The input is written as `.textdb/journal` of an in-memory database that holds two data files
// and one temporary file (the names the seed journals use), then recovery runs. Contracts:
//   - DecodeJournal either fails with kInvalidData naming "journal:LINE" or returns entries whose
//     paths are all safe [C-021];
//   - when decoding fails, Recover fails with kInvalidData and changes nothing;
//   - when it succeeds, Recover either succeeds, leaving no journal, no journal.tmp and no
//     temporary file, with every replaced target holding the journal's size and CRC, every
//     removed target gone, and a second Recover changing nothing (idempotent) - or fails with
//     kInvalidData (a target not matching its entry) changing nothing;
//   - no file is ever created outside the database directory.
// A violated check prints what failed and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "base/crc32c.h"
#include "storage/commit.h"
#include "textdb/env.h"

namespace {

using Files = std::map<std::string, std::string>;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "journal_fuzzer: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void Put(textdb::Env* env, const std::string& path, const std::string& content) {
  auto file = env->NewWritableFile(path, false);
  if (!file.ok() || !(*file)->Append(content).ok() || !(*file)->Close().ok()) {
    Fail("setup", path);
  }
}

// Every file and directory below `dir` ("/" for the whole Env), with contents.
void Snapshot(textdb::Env* env, const std::string& dir, Files* out) {
  auto names = env->ListDir(dir);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    const std::string path = (dir == "/" ? "" : dir) + "/" + name;
    auto info = env->Stat(path);
    if (!info.ok()) continue;
    if (info->type == textdb::FileInfo::Type::kDirectory) {
      (*out)[path + "/"] = "";
      Snapshot(env, path, out);
    } else {
      auto content = env->ReadFile(path);
      (*out)[path] = content.ok() ? *content : "<unreadable>";
    }
  }
}

Files Snapshot(textdb::Env* env) {
  Files files;
  Snapshot(env, "/", &files);
  return files;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string journal(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<textdb::Env> env = textdb::NewMemEnv();
  for (const char* dir : {"/db", "/db/.textdb", "/db/t", "/db/t/a", "/outside"}) {
    if (!env->CreateDir(dir).ok()) Fail("setup", dir);
  }
  Put(env.get(), "/db/t/a.deb822", "Id: a\nValue: old\n");
  Put(env.get(), "/db/t/b.deb822", "Id: b\nValue: old\n");
  Put(env.get(), "/db/t/.a.deb822.textdb-tmp-1", "Id: a\nValue: new\n");
  Put(env.get(), "/db/t/a/.ab.deb822.textdb-tmp-2", "Id: ab\n");
  Put(env.get(), "/outside/victim.deb822", "Id: victim\n");
  Put(env.get(), "/db/.textdb/journal", journal);

  auto entries = textdb::internal::DecodeJournal(journal, "journal");
  if (entries.ok()) {
    for (const auto& entry : *entries) {
      if (!textdb::internal::IsSafeRelativePath(entry.target) ||
          (!entry.remove && !textdb::internal::IsSafeRelativePath(entry.temp))) {
        Fail("decoded an unsafe path", entry.target + " / " + entry.temp);
      }
    }
  } else if (entries.status().code() != textdb::StatusCode::kInvalidData ||
             entries.status().message().find("journal:") == std::string::npos) {
    Fail("a decoding error without FILE:LINE", entries.status().ToString());
  }

  const Files before = Snapshot(env.get());
  const textdb::Status status = textdb::internal::Recover(env.get(), "/db", true);
  const Files after = Snapshot(env.get());
  for (const auto& [path, content] : after) {
    if (!path.starts_with("/db/") && before.count(path) == 0) Fail("created outside", path);
  }
  if (after.at("/outside/victim.deb822") != "Id: victim\n") Fail("changed outside", "victim");
  if (!entries.ok() || !status.ok()) {
    if (status.ok()) Fail("recovered from a journal that does not decode", journal);
    if (status.code() != textdb::StatusCode::kInvalidData)
      Fail("not kInvalidData", status.ToString());
    if (after != before) Fail("a failed recovery changed files", status.ToString());
    return 0;
  }
  for (const auto& [path, content] : after) {
    if (path == "/db/.textdb/journal" || path == "/db/.textdb/journal.tmp" ||
        textdb::internal::IsTempFileName(path.substr(path.rfind('/') + 1))) {
      Fail("left after recovery", path);
    }
  }
  // Applied in order, the last entry naming a target decides what it holds.
  std::map<std::string, const textdb::internal::JournalEntry*> last;
  for (const auto& entry : *entries) last[entry.target] = &entry;
  for (const auto& [target, entry] : last) {
    auto it = after.find("/db/" + target);
    if (entry->remove) {
      if (it != after.end()) Fail("a removed target is still there", target);
    } else if (it == after.end() || it->second.size() != entry->size ||
               textdb::internal::Crc32c(it->second) != entry->crc32c) {
      Fail("a replaced target does not hold the journal's content", target);
    }
  }
  if (!textdb::internal::Recover(env.get(), "/db", true).ok() || Snapshot(env.get()) != after) {
    Fail("recovery is not idempotent", journal);
  }
  return 0;
}
