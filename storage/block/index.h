// The block index (docs/format/index.md): symbols, series with their chunk
// metas, series offsets and postings. The writer takes series already
// sorted by labels; the reader validates every section at open (DataLoss on
// any fault) and then serves lookups without further checks failing.
#ifndef PROMLET_STORAGE_BLOCK_INDEX_H_
#define PROMLET_STORAGE_BLOCK_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/api/labels.h"

namespace promlet::storage::block {

struct ChunkMeta {
  int64_t min_time_ms = 0;
  int64_t max_time_ms = 0;  // inclusive: the last sample's time
  uint64_t ref = 0;
};

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;
};

// Encodes the whole index. REQUIRES: series sorted by labels, unique.
std::string EncodeIndex(const std::vector<IndexSeries>& series, int64_t block_min_ms);

// Immutable after Open; thread-safe. The data view must outlive the reader.
class IndexReader {
 public:
  static absl::StatusOr<IndexReader> Open(std::string_view data, int64_t block_min_ms);

  uint32_t num_series() const { return static_cast<uint32_t>(series_offsets_.size()); }
  size_t num_symbols() const { return symbols_.size(); }

  // Labels and chunk metas of series `id` (< num_series()).
  void Series(uint32_t id, Labels* labels, std::vector<ChunkMeta>* chunks) const;

  // Sorted series ids with label name=value (empty when absent).
  void Postings(std::string_view name, std::string_view value, std::vector<uint32_t>* out) const;

  struct ValueEntry {
    std::string_view value;
    uint32_t count;   // series with this pair
    uint32_t offset;  // of the id list inside the postings payload
  };
  struct NameEntry {
    std::string_view name;
    std::vector<ValueEntry> values;  // sorted by value
  };
  // Every label name with its values, sorted.
  const std::vector<NameEntry>& names() const { return names_; }
  const NameEntry* FindName(std::string_view name) const;
  // Appends the ids of one value's postings list.
  void AppendPostings(const ValueEntry& v, std::vector<uint32_t>* out) const;

 private:
  IndexReader() = default;
  absl::Status Validate();

  std::vector<std::string_view> symbols_;
  std::string_view series_;
  std::vector<uint32_t> series_offsets_;
  std::string_view postings_;
  std::vector<NameEntry> names_;
  int64_t block_min_ms_ = 0;
};

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_INDEX_H_
