// Constants of the WAL framing (docs/format/wal.md). Shared by the writer,
// the reader and tests; nothing here allocates.
#ifndef PROMLET_STORAGE_WAL_WAL_FORMAT_H_
#define PROMLET_STORAGE_WAL_WAL_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace promlet::storage::wal {

inline constexpr size_t kPageSize = 32 * 1024;
// type (1) + length (2, LE) + CRC32C (4, LE) over type and payload.
inline constexpr size_t kHeaderSize = 7;
inline constexpr size_t kMaxFragmentPayload = kPageSize - kHeaderSize;
inline constexpr uint64_t kDefaultSegmentSize = 128ull << 20;

enum class FragmentType : uint8_t {
  kFull = 1,
  kFirst = 2,
  kMiddle = 3,
  kLast = 4,
};

// "00000012" for 12.
std::string SegmentName(int index);
// Parses an 8-digit segment name; false for anything else.
bool ParseSegmentName(std::string_view name, int* index);
// "checkpoint.00000012" for 12.
std::string CheckpointName(int index);
// Parses "checkpoint.NNNNNNNN" (not ".tmp"); false for anything else.
bool ParseCheckpointName(std::string_view name, int* index);

}  // namespace promlet::storage::wal

#endif  // PROMLET_STORAGE_WAL_WAL_FORMAT_H_
