// Constants of the on-disk block format; docs/format/block.md and
// docs/format/index.md describe the layout they belong to.
#ifndef PROMLET_STORAGE_BLOCK_BLOCK_FORMAT_H_
#define PROMLET_STORAGE_BLOCK_BLOCK_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace promlet::storage::block {

inline constexpr uint32_t kChunkFileMagic = 0x4B434C50;  // "PLCK" little-endian
inline constexpr uint32_t kIndexMagic = 0x58494C50;      // "PLIX" little-endian
inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kFileHeaderSize = 8;  // magic u32, version u8, pad 3

// Page header: raw_len u32, stored_len u32, codec u8, crc32c u32.
inline constexpr size_t kPageHeaderSize = 13;
inline constexpr uint8_t kPageRaw = 0;
inline constexpr uint8_t kPageLz4 = 1;
inline constexpr size_t kPageTargetBytes = 32 * 1024;
inline constexpr size_t kMaxPageRawBytes = 64 * 1024 * 1024;
inline constexpr size_t kMaxEntriesPerPage = 65535;

// Page entry types.
inline constexpr uint8_t kEntryTimestamps = 1;
inline constexpr uint8_t kEntrySeriesChunk = 2;

// Samples per series chunk; 2 h at 15 s (480) fits one chunk.
inline constexpr size_t kMaxChunkSamples = 512;

// Value encodings (values(n) in block.md).
inline constexpr uint8_t kValuesConst = 0;
inline constexpr uint8_t kValuesInt = 1;
inline constexpr uint8_t kValuesFloatFor = 2;
inline constexpr uint8_t kValuesXor = 3;
inline constexpr uint8_t kValuesRegress = 4;  // vs. a reference chunk
inline constexpr int kMaxDecimalScale = 6;
// Regression references kept per block writer (each holds one chunk of ints).
inline constexpr size_t kMaxReferences = 16384;  // groups
inline constexpr size_t kReferencesPerGroup = 3;

// ints(n) modes.
inline constexpr uint8_t kIntsDelta = 0;
inline constexpr uint8_t kIntsLinear = 1;

inline constexpr char kChunksDir[] = "chunks";
inline constexpr char kChunkFileName[] = "chunks/000001";
inline constexpr char kIndexFileName[] = "index";
inline constexpr char kMetaFileName[] = "meta.json";
inline constexpr char kTmpSuffix[] = ".tmp";
inline constexpr char kCorruptSuffix[] = ".corrupt";
inline constexpr char kDeletedSuffix[] = ".deleted";

inline uint64_t MakeChunkRef(uint64_t page_offset, uint32_t entry) {
  return page_offset << 16 | entry;
}
inline uint64_t ChunkRefPage(uint64_t ref) { return ref >> 16; }
inline uint32_t ChunkRefEntry(uint64_t ref) { return static_cast<uint32_t>(ref & 0xffff); }

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_BLOCK_FORMAT_H_
