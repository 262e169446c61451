// CRC-32C (Castagnoli), as used by the journal [C-020] to detect corruption and by change
// detection to compare a racy file's content with what was indexed.
#ifndef TEXTDB_BASE_CRC32C_H_
#define TEXTDB_BASE_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace textdb::internal {

// The CRC-32C of `data`, continuing from `crc` (0 to start). Uses the CPU's CRC32 instruction
// when it has one (x86-64 with SSE 4.2), otherwise Crc32cPortable.
std::uint32_t Crc32c(std::string_view data, std::uint32_t crc = 0);

// The same value computed with a table, one byte at a time; for the tests, which compare it
// with the hardware path.
std::uint32_t Crc32cPortable(std::string_view data, std::uint32_t crc = 0);

}  // namespace textdb::internal

#endif  // TEXTDB_BASE_CRC32C_H_
