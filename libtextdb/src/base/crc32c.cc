// CRC-32C: a table-driven software implementation (polynomial 0x82F63B78, reflected). The
// journal is small, so speed does not matter here.
#include "base/crc32c.h"

#include <array>

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

}  // namespace

std::uint32_t Crc32c(std::string_view data, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

}  // namespace textdb::internal
