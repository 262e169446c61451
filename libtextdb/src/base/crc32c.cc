// CRC-32C: the x86-64 CRC32 instruction when the CPU has SSE 4.2 (chosen once, at run time), else
// a table-driven software implementation (polynomial 0x82F63B78, reflected). PERF: every commit
// checksums each file it writes (the journal's Crc32c [C-020]) and a racy file is checksummed
// when read; the table does ~0.4 GB/s, the instruction ~10 GB/s.
#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace textdb::internal {
namespace {

constexpr std::array<std::uint32_t, 256> MakeTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = MakeTable();

#if defined(__x86_64__)
// REQUIRES: the CPU supports SSE 4.2.
__attribute__((target("sse4.2"))) std::uint32_t Crc32cHardware(std::string_view data,
                                                               std::uint32_t crc) {
  const char* p = data.data();
  std::size_t n = data.size();
  std::uint64_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, static_cast<unsigned char>(*p));
  return ~c32;
}

bool HaveHardware() {
  static const bool have = [] {
    __builtin_cpu_init();  // may run before libgcc's constructor has filled in the CPU model
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return have;
}
#endif

}  // namespace

std::uint32_t Crc32cPortable(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t Crc32c(std::string_view data, std::uint32_t crc) {
#if defined(__x86_64__)
  if (HaveHardware()) return Crc32cHardware(data, crc);
#endif
  return Crc32cPortable(data, crc);
}

}  // namespace textdb::internal
