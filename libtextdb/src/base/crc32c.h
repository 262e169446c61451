// CRC-32C (Castagnoli), as used by the journal [C-020] to detect corruption.
#ifndef TEXTDB_BASE_CRC32C_H_
#define TEXTDB_BASE_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace textdb::internal {

// The CRC-32C of `data`, continuing from `crc` (0 to start).
std::uint32_t Crc32c(std::string_view data, std::uint32_t crc = 0);

}  // namespace textdb::internal

#endif  // TEXTDB_BASE_CRC32C_H_
