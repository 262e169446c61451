// deb822_bench: throughput of the deb822 format layer (format/encoding.h, format/scanner.h,
// textdb/deb822.h) over the shared Debian bookworm Packages file, with apt's own parser
// (libapt-pkg's pkgTagFile / pkgTagSection) measured in the same program and run as the peer.
// Figures, commands and the reading of the results are in tests/bench/RESULTS.md.
//
// Input: the file named by the environment variable TEXTDB_PACKAGES; otherwise
// <source>/../shared/data/debian-bookworm-main-amd64-Packages.xz decompressed with `xz -dc` into
// a temporary file (removed at exit). The program fails with a message when neither exists.
//
// Every benchmark is single-threaded and reports bytes/s over the input size via
// SetBytesProcessed, and checks its stanza/field counts against the known ones, so a benchmark
// that silently does less work fails instead of looking fast.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apt-pkg/fileutl.h>
#include <apt-pkg/tagfile.h>
#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "format/encoding.h"
#include "format/scanner.h"
#include "packages_input.h"
#include "textdb/deb822.h"

namespace {

// Known shape of the shared file (see shared/data/README.md): the benchmarks check these.
constexpr std::uint64_t kExpectedStanzas = 63440;
constexpr std::uint64_t kExpectedFields = 1090783;

using textdb::bench::Input;
using textdb::bench::LoadInput;
using textdb::bench::ReadWholeFile;
Input* g_input = nullptr;

// Marks the run as failed unless the counts are those of the shared Packages file.
void CheckCounts(benchmark::State& state, std::uint64_t stanzas, std::uint64_t fields) {
  if (stanzas != kExpectedStanzas || fields != kExpectedFields) {
    state.SkipWithError("unexpected stanza/field count: not the shared Packages file?");
  }
  state.counters["stanzas"] = static_cast<double>(stanzas);
  state.counters["fields"] = static_cast<double>(fields);
}

void SetBytes(benchmark::State& state, std::size_t bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes_per_iteration));
}

// A scanner visitor that only counts: what "stanza and field boundaries" costs on its own. It
// touches each boundary (sums stanza sizes) so that nothing can be optimised away.
struct CountingVisitor {
  std::uint64_t stanzas = 0;
  std::uint64_t fields = 0;
  std::uint64_t comments = 0;
  std::uint64_t stanza_bytes = 0;
  std::uint64_t errors = 0;
  std::uint32_t stanza_begin = 0;

  bool Error(std::uint32_t, std::uint32_t, std::uint32_t, const char*, std::string) {
    ++errors;
    return false;
  }
  void StanzaBegin(std::uint32_t begin, std::uint32_t) {
    ++stanzas;
    stanza_begin = begin;
  }
  void Comment(const textdb::internal::CommentSpan&, bool) { ++comments; }
  void Field(const textdb::internal::FieldSpan&) { ++fields; }
  void StanzaEnd(std::uint32_t end) { stanza_bytes += end - stanza_begin; }
};

bool HasEncodingIssue(std::string_view text) {
  textdb::internal::EncodingIssue issue;
  return textdb::internal::FindEncodingIssue(text, 0, /*allow_crlf=*/false, &issue);
}

// Runs the Scanner (strict profile) over all of `text`.
CountingVisitor ScanAll(std::string_view text) {
  CountingVisitor visitor;
  textdb::internal::Scanner<CountingVisitor> scanner(text, textdb::internal::ScanOptions{},
                                                     &visitor);
  scanner.Scan(0, static_cast<std::uint32_t>(text.size()), 1);
  return visitor;
}

// 1. The encoding check alone [F-001..F-003]: UTF-8, NUL, CR.
void BM_EncodingCheck(benchmark::State& state) {
  const std::string_view text = g_input->text;
  for (auto _ : state) {
    const bool issue = HasEncodingIssue(text);
    benchmark::DoNotOptimize(issue);
    if (issue) state.SkipWithError("encoding issue in the input");
  }
  SetBytes(state, text.size());
}
BENCHMARK(BM_EncodingCheck)->Unit(benchmark::kMillisecond);

// 2. Stanza and field boundaries: the Scanner with a counting visitor (line syntax rules
// [F-010..F-025] included, encoding not).
void BM_Boundaries(benchmark::State& state) {
  const std::string_view text = g_input->text;
  CountingVisitor v;
  for (auto _ : state) {
    v = ScanAll(text);
    benchmark::DoNotOptimize(v);
  }
  if (v.errors != 0) state.SkipWithError("scanner reported an error");
  CheckCounts(state, v.stanzas, v.fields);
  SetBytes(state, text.size());
}
BENCHMARK(BM_Boundaries)->Unit(benchmark::kMillisecond);

// 3. Encoding + boundaries: everything a full validation of the file costs, without building a
// Document.
void BM_EncodingAndBoundaries(benchmark::State& state) {
  const std::string_view text = g_input->text;
  CountingVisitor v;
  for (auto _ : state) {
    if (HasEncodingIssue(text)) state.SkipWithError("encoding issue in the input");
    v = ScanAll(text);
    benchmark::DoNotOptimize(v);
  }
  CheckCounts(state, v.stanzas, v.fields);
  SetBytes(state, text.size());
}
BENCHMARK(BM_EncodingAndBoundaries)->Unit(benchmark::kMillisecond);

// 3b. The same from the file: read(2) of the (page-cached) file into a string, then encoding +
// boundaries. This is the like-for-like figure for whole-file peers that read the file
// themselves (apt's pkgTagFile, grep-dctrl).
void BM_FileReadEncodingAndBoundaries(benchmark::State& state) {
  const std::string& path = g_input->path;
  CountingVisitor v;
  for (auto _ : state) {
    std::string text;
    if (!ReadWholeFile(path, &text)) state.SkipWithError("cannot read the input file");
    if (HasEncodingIssue(text)) state.SkipWithError("encoding issue in the input");
    v = ScanAll(text);
    benchmark::DoNotOptimize(v);
  }
  CheckCounts(state, v.stanzas, v.fields);
  SetBytes(state, g_input->text.size());
}
BENCHMARK(BM_FileReadEncodingAndBoundaries)->Unit(benchmark::kMillisecond);

// 4. Full deb822::Parse into a Document (encoding, scanning, Stanza/Field objects).
// Parse takes its input by value and keeps it; each iteration gets a fresh copy made while the
// timer is paused and moved in (no copy inside the timed region). The Document is destroyed
// while the timer is paused too, so the figure is parsing only.
void BM_Parse(benchmark::State& state) {
  const std::string& text = g_input->text;
  std::uint64_t stanzas = 0;
  std::uint64_t fields = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string copy = text;
    state.ResumeTiming();
    textdb::Result<textdb::deb822::Document> doc = textdb::deb822::Parse(std::move(copy));
    benchmark::DoNotOptimize(doc);
    state.PauseTiming();
    if (!doc.ok()) {
      state.SkipWithError("Parse failed");
    } else {
      stanzas = doc->stanzas().size();
      fields = 0;
      for (const auto& stanza : doc->stanzas()) fields += stanza.size();
    }
    doc = textdb::Status::InvalidData("released");  // destroy the Document untimed
    state.ResumeTiming();
  }
  CheckCounts(state, stanzas, fields);
  SetBytes(state, text.size());
}
BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond);

// A Document parsed once for the writer benchmarks; null when parsing failed.
const textdb::deb822::Document* ParsedDocument() {
  static const textdb::Result<textdb::deb822::Document> parsed =
      textdb::deb822::Parse(g_input->text);
  return parsed.ok() ? &parsed.value() : nullptr;
}

// 5a. Document::Write (lossless) of the unmodified Document [L-001]. Bytes = input size (the
// output is byte-identical to it; checked).
void BM_Write(benchmark::State& state) {
  const textdb::deb822::Document* doc = ParsedDocument();
  if (doc == nullptr) {
    state.SkipWithError("Parse failed");
    return;
  }
  std::size_t out_size = 0;
  for (auto _ : state) {
    std::string out = doc->Write();
    benchmark::DoNotOptimize(out.data());
    out_size = out.size();
  }
  if (doc->Write() != g_input->text) state.SkipWithError("Write() is not lossless");
  state.counters["out_bytes"] = static_cast<double>(out_size);
  SetBytes(state, g_input->text.size());
}
BENCHMARK(BM_Write)->Unit(benchmark::kMillisecond);

// 5b. Document::WriteCanonical [W-001..W-006]. Bytes = input size (for this file the canonical
// form has the same size; out_bytes shows it).
void BM_WriteCanonical(benchmark::State& state) {
  const textdb::deb822::Document* doc = ParsedDocument();
  if (doc == nullptr) {
    state.SkipWithError("Parse failed");
    return;
  }
  std::size_t out_size = 0;
  for (auto _ : state) {
    std::string out = doc->WriteCanonical();
    benchmark::DoNotOptimize(out.data());
    out_size = out.size();
  }
  state.counters["out_bytes"] = static_cast<double>(out_size);
  SetBytes(state, g_input->text.size());
}
BENCHMARK(BM_WriteCanonical)->Unit(benchmark::kMillisecond);

// 6a. PEER: apt's pkgTagFile over the file, as apt itself reads Packages files: opens the file
// with FileFd, Step()s through every section (reading it in chunks into its own buffer), and
// touches each section's boundaries and field count (pkgTagSection::Count()).
void BM_AptPkgTagFile(benchmark::State& state) {
  std::uint64_t stanzas = 0;
  std::uint64_t fields = 0;
  std::uint64_t section_bytes = 0;
  for (auto _ : state) {
    FileFd fd(g_input->path, FileFd::ReadOnly);
    pkgTagFile tags(&fd);
    pkgTagSection section;
    stanzas = fields = section_bytes = 0;
    while (tags.Step(section)) {
      const char* begin = nullptr;
      const char* end = nullptr;
      section.GetSection(begin, end);
      section_bytes += static_cast<std::uint64_t>(end - begin);
      fields += section.Count();
      ++stanzas;
    }
    benchmark::DoNotOptimize(section_bytes);
  }
  CheckCounts(state, stanzas, fields);
  SetBytes(state, g_input->text.size());
}
BENCHMARK(BM_AptPkgTagFile)->Unit(benchmark::kMillisecond);

// 6b. PEER, in memory: pkgTagSection::Scan (the section scanner pkgTagFile::Step calls) run
// directly over the same in-memory buffer our Scanner gets, so no file reading on either side.
// This is the like-for-like figure for BM_Boundaries.
void BM_AptTagSectionScan(benchmark::State& state) {
  const std::string_view text = g_input->text;
  std::uint64_t stanzas = 0;
  std::uint64_t fields = 0;
  std::uint64_t section_bytes = 0;
  for (auto _ : state) {
    pkgTagSection section;
    stanzas = fields = section_bytes = 0;
    std::size_t pos = 0;
    while (pos < text.size() && section.Scan(text.data() + pos, text.size() - pos)) {
      section_bytes += section.size();
      fields += section.Count();
      ++stanzas;
      pos += section.size();
    }
    benchmark::DoNotOptimize(section_bytes);
  }
  CheckCounts(state, stanzas, fields);
  SetBytes(state, text.size());
}
BENCHMARK(BM_AptTagSectionScan)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Input input;
  if (!LoadInput(&input)) return 1;
  g_input = &input;
  const std::string file_context =
      input.path + " (" + std::to_string(input.text.size()) + " bytes)";
  benchmark::AddCustomContext("input", file_context);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!input.temp_path.empty()) ::unlink(input.temp_path.c_str());
  return 0;
}
