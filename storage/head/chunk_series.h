// Reading a series as a list of XOR chunks clamped to [mint, maxt]: the
// iterator the head's (and the DB's) Select hands out. One virtual call per
// sample through the storage::SeriesIterator seam; the chunk decoding below
// it is non-virtual and allocation-free.
#ifndef PROMLET_STORAGE_HEAD_CHUNK_SERIES_H_
#define PROMLET_STORAGE_HEAD_CHUNK_SERIES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "storage/api/querier.h"
#include "storage/chunkenc/xor_chunk.h"
#include "storage/head/mem_series.h"

namespace promlet::storage::head {

// Iterates chunks (oldest first, non-overlapping, ascending) within
// [mint, maxt]. The chunk bytes must outlive the iterator.
class ChunkSeriesIterator : public SeriesIterator {
 public:
  ChunkSeriesIterator(const std::vector<ChunkMeta>* chunks, int64_t mint, int64_t maxt)
      : chunks_(chunks), mint_(mint), maxt_(maxt) {}

  bool Next() override;
  bool Seek(int64_t t_ms) override;
  Sample At() const override { return {it_.t(), it_.v()}; }
  absl::Status status() const override { return status_; }

 private:
  bool OpenNext();

  const std::vector<ChunkMeta>* chunks_;
  const int64_t mint_;
  const int64_t maxt_;
  size_t next_chunk_ = 0;
  bool open_ = false;
  bool done_ = false;
  bool positioned_ = false;
  chunkenc::XorIterator it_;
  absl::Status status_;
};

// A series whose chunks were snapshotted by a querier. Not movable: the
// head chunk's copy is referenced by its ChunkMeta.
class ChunkSeries : public Series {
 public:
  ChunkSeries(Labels labels, int64_t mint, int64_t maxt)
      : labels_(std::move(labels)), mint_(mint), maxt_(maxt) {}
  ChunkSeries(const ChunkSeries&) = delete;
  ChunkSeries& operator=(const ChunkSeries&) = delete;

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> NewIterator() const override {
    return std::make_unique<ChunkSeriesIterator>(&chunks_, mint_, maxt_);
  }

  std::vector<ChunkMeta>* mutable_chunks() { return &chunks_; }
  std::string* mutable_head_copy() { return &head_copy_; }
  const std::vector<ChunkMeta>& chunks() const { return chunks_; }

 private:
  Labels labels_;
  const int64_t mint_;
  const int64_t maxt_;
  std::vector<ChunkMeta> chunks_;
  std::string head_copy_;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_CHUNK_SERIES_H_
