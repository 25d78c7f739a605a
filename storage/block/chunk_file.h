// The chunk file of a block: LZ4-compressed pages of entries (timestamp
// columns and series chunks), see docs/format/block.md. The writer
// deduplicates timestamp columns so series scraped together share one.
#ifndef PROMLET_STORAGE_BLOCK_CHUNK_FILE_H_
#define PROMLET_STORAGE_BLOCK_CHUNK_FILE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/env.h"
#include "storage/block/file_util.h"

namespace promlet::storage::block {

// Thread-compatible.
class ChunkFileWriter {
 public:
  // Creates `path` through `env` (borrowed, must outlive the writer). Call
  // Finish() to flush, fsync and close.
  static absl::StatusOr<std::unique_ptr<ChunkFileWriter>> Create(base::Env* env,
                                                                  const std::string& path);

  // Returns the ref of a timestamp column equal to ts[0..n), writing it if
  // it is new in this file. REQUIRES: 1 <= n <= kMaxChunkSamples.
  absl::StatusOr<uint64_t> AddTimestamps(const int64_t* ts, size_t n);
  // Writes a series chunk whose timestamps are the column `ts_ref`, or
  // returns the ref of an identical chunk written before.
  // `group` names series likely to move together (same labels apart from
  // __name__, le and quantile, e.g. one histogram's buckets, _sum and
  // _count): the first integer chunk of a group and timestamp column becomes
  // the reference that later ones may be encoded against (values kind 4).
  absl::StatusOr<uint64_t> AddSeriesChunk(uint64_t ts_ref, const double* v, size_t n,
                                          std::string_view group = {});
  absl::Status Finish();

  uint64_t bytes_written() const { return file_->Size(); }

 private:
  explicit ChunkFileWriter(std::unique_ptr<base::WritableFile> file) : file_(std::move(file)) {}
  absl::StatusOr<uint64_t> AddEntry(std::string_view entry);
  absl::Status FlushPage();

  std::unique_ptr<base::WritableFile> file_;
  std::string entries_;
  std::vector<uint32_t> ends_;
  std::string scratch_;
  std::string page_;
  std::string compressed_;
  absl::flat_hash_map<std::string, uint64_t> ts_refs_;
  absl::flat_hash_map<std::string, uint64_t> chunk_refs_;
  struct Reference {
    uint64_t ref;
    uint64_t range;  // max - min of ints
    std::vector<int64_t> ints;
  };
  absl::flat_hash_map<std::string, std::vector<Reference>> references_;
  std::string group_key_;
  std::string alt_;
};

// Decoded integers of regression reference chunks, shared by every query of
// one chunk file: a query that reads a few hundred series would otherwise
// decode the same few references again each time (they are immutable).
// Bounded; thread-safe.
class ReferenceCache {
 public:
  using Ints = std::shared_ptr<const std::vector<int64_t>>;
  Ints Find(uint64_t ref) const;
  void Insert(uint64_t ref, Ints ints);
  size_t size() const;

  static constexpr size_t kMaxEntries = 2048;  // 480-sample chunks: <= ~8 MiB

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Ints> ints_ ABSL_GUARDED_BY(mu_);
};

// Reads entries of an in-memory (mapped) chunk file. The view must outlive
// the reader. Immutable apart from its ReferenceCache; thread-safe. Decoding
// goes through a PageCache, which each reading thread owns.
class ChunkFileReader {
 public:
  // DataLoss when the header is wrong.
  static absl::StatusOr<ChunkFileReader> Open(std::string_view data);

  // Walks every page checking CRCs and entry framing; DataLoss on the first fault.
  absl::Status Verify() const;

  std::string_view data() const { return data_; }
  ReferenceCache* references() const { return references_.get(); }

 private:
  explicit ChunkFileReader(std::string_view data)
      : data_(data), references_(std::make_shared<ReferenceCache>()) {}
  std::string_view data_;
  std::shared_ptr<ReferenceCache> references_;
};

// Decompressed pages, most recently used kept. Thread-compatible.
class PageCache {
 public:
  explicit PageCache(const ChunkFileReader* reader) : reader_(reader) {}

  // Bytes of the entry at `ref`; valid until the next call. DataLoss on corruption.
  absl::StatusOr<std::string_view> Entry(uint64_t ref);

  // Decodes the series chunk at ref (and its timestamp column) into
  // ts/values, each with room for kMaxChunkSamples; *n gets the count.
  absl::Status ReadSeriesChunk(uint64_t ref, int64_t* ts, double* values, size_t* n);

  // The two halves of reading only part of a chunk (a query window usually
  // covers the last minutes of a 2 h chunk, and an emptiness check needs no
  // values). ReadTimestamps copies the timestamps in [from_ms, to_ms] of the
  // chunk at ref into ts (room for kMaxChunkSamples): *n of them, the first
  // being sample *first of the chunk (*n == 0 when none qualifies).
  absl::Status ReadTimestamps(uint64_t ref, int64_t from_ms, int64_t to_ms, int64_t* ts, size_t* n,
                              size_t* first);
  // Decodes values [first, first + n) of the chunk at ref into values.
  absl::Status ReadValues(uint64_t ref, size_t first, size_t n, double* values);

 private:
  struct Page {
    uint64_t offset = UINT64_MAX;
    std::string raw;
    std::vector<uint32_t> ends;
    size_t data_start = 0;
  };
  absl::StatusOr<const Page*> GetPage(uint64_t offset);
  // Decodes the integers of the reference chunk at base_ref (count samples).
  absl::StatusOr<ReferenceCache::Ints> DecodeReference(uint64_t base_ref, size_t count);
  absl::Status ReadRegress(uint64_t ref, std::string_view entry_values, size_t count, size_t first,
                           size_t end, double* values);
  // Parses the series chunk header at ref: sample count, timestamp column
  // ref, and the encoded values.
  absl::Status SeriesChunkHeader(uint64_t ref, size_t* count, uint64_t* ts_ref, std::string_view* values);
  // Makes ts_ the decoded column at ts_ref.
  absl::Status LoadTimestampColumn(uint64_t ts_ref);

  const ChunkFileReader* reader_;
  std::array<Page, 4> pages_;
  size_t next_victim_ = 0;
  // Last decoded timestamp column (series of one target share it).
  uint64_t ts_ref_ = UINT64_MAX;
  size_t ts_n_ = 0;
  std::vector<int64_t> ts_;
  // Decoded reference chunks (integers) of regression-coded chunks, by ref.
  // Series come in label order, for histograms le-major, so consecutive
  // bucket series mostly have different references: keep many, bounded.
  static constexpr size_t kMaxReferences = 512;
  absl::flat_hash_map<uint64_t, ReferenceCache::Ints> ref_ints_;
  std::string body_;
  std::vector<int64_t> ints_;
};

// Parses one page header at `offset`; fills raw page bytes. Used by Verify and PageCache.
absl::Status DecodePage(std::string_view file, uint64_t offset, std::string* raw,
                        std::vector<uint32_t>* ends, size_t* data_start, uint64_t* next_offset);

}  // namespace promlet::storage::block

#endif  // PROMLET_STORAGE_BLOCK_CHUNK_FILE_H_
