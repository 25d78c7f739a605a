// CRC32C (Castagnoli), the checksum of every WAL record and on-disk block
// section. Uses the SSE4.2 instruction when the CPU has it (checked once at
// start-up), a slicing table otherwise.
#ifndef PROMLET_BASE_CRC32C_H_
#define PROMLET_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace promlet::base {

// Returns the CRC32C of data, continuing from a previous crc (0 to start).
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);

inline uint32_t Crc32c(std::string_view data) {
  return Crc32cExtend(0, data.data(), data.size());
}

}  // namespace promlet::base

#endif  // PROMLET_BASE_CRC32C_H_
