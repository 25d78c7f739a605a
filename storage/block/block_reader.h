// Reads one block directory: a storage::Querier over its index and chunk
// file (both mapped read-only), plus what `tsdb analyze` reports.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<BlockReader> b, BlockReader::Open(dir));
//   auto set = b->Select(mint, maxt, matchers);  // b must outlive set
//
// A block that fails validation at open is DataLoss; the DB then calls
// MoveAsideCorrupt(dir) and keeps serving the others.
#ifndef PROMLET_STORAGE_BLOCK_BLOCK_READER_H_
#define PROMLET_STORAGE_BLOCK_BLOCK_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/env.h"
#include "storage/api/querier.h"
#include "storage/block/chunk_file.h"
#include "storage/block/file_util.h"
#include "storage/block/index.h"
#include "storage/block/meta.h"

namespace promlet::storage::block {

// Immutable; thread-safe (each Select owns its decoding state).
// SeriesSets it returns borrow the reader: it must outlive them.
class BlockReader : public Querier {
 public:
  // DataLoss when meta.json, the index or the chunk file header is bad.
  static absl::StatusOr<std::unique_ptr<BlockReader>> Open(const std::string& dir);

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const IndexReader& index() const { return index_; }
  const ChunkFileReader& chunks() const { return chunks_; }
  uint64_t size_bytes() const { return size_bytes_; }

  // Checks every chunk page's CRC and framing (slow: reads everything).
  absl::Status VerifyChunks() const { return chunks_.Verify(); }

  // Sorted ids of the series matching all matchers (all series if none).
  void PostingsForMatchers(const Matchers& matchers, std::vector<uint32_t>* out) const;

  // Querier. Times are inclusive; the block covers [minTime, maxTime).
  std::unique_ptr<SeriesSet> Select(int64_t mint_ms, int64_t maxt_ms,
                                    const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelNames(int64_t mint_ms, int64_t maxt_ms,
                                                      const Matchers& matchers) override;
  absl::StatusOr<std::vector<std::string>> LabelValues(const std::string& name, int64_t mint_ms,
                                                       int64_t maxt_ms,
                                                       const Matchers& matchers) override;

  // Like Select but const and over every series; for compaction and analysis.
  std::unique_ptr<SeriesSet> SelectAll(int64_t mint_ms, int64_t maxt_ms) const;

 private:
  BlockReader(std::string dir, BlockMeta meta, std::unique_ptr<MappedFile> index_file,
              std::unique_ptr<MappedFile> chunk_file, IndexReader index, ChunkFileReader chunks)
      : dir_(std::move(dir)),
        meta_(std::move(meta)),
        index_file_(std::move(index_file)),
        chunk_file_(std::move(chunk_file)),
        index_(std::move(index)),
        chunks_(chunks) {}
  bool Overlaps(int64_t mint_ms, int64_t maxt_ms) const {
    return mint_ms < meta_.max_time_ms && maxt_ms >= meta_.min_time_ms;
  }
  std::unique_ptr<SeriesSet> SelectIds(std::vector<uint32_t> ids, int64_t mint_ms,
                                       int64_t maxt_ms) const;

  std::string dir_;
  BlockMeta meta_;
  std::unique_ptr<MappedFile> index_file_;
  std::unique_ptr<MappedFile> chunk_file_;
  IndexReader index_;
  ChunkFileReader chunks_;
  uint64_t size_bytes_ = 0;
};

// Renames `dir` to `dir`.corrupt and logs why; returns the new path.
absl::StatusOr<std::string> MoveAsideCorrupt(const std::string& dir, const absl::Status& why,
                                             base::Env* env = base::Env::Default());

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_BLOCK_READER_H_
