// One series in the head: its labels as interned symbol ids, the open head
// chunk being appended to, and the address of its newest full chunk in the
// ChunkArena (older ones are linked from there). 96 bytes plus the symbol
// ids as varints (2-6 bytes per label pair), in one allocation, plus a heap
// buffer of at most ~88 bytes with the open chunk's newest bytes: once it
// holds kSpillBytes, the older bytes move to a file-backed arena as a piece
// of the open chunk, joined into the chunk's record when it is cut
// (ChunkArena::Spill).
#ifndef PROMLET_STORAGE_HEAD_MEM_SERIES_H_
#define PROMLET_STORAGE_HEAD_MEM_SERIES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/api/labels.h"
#include "storage/chunkenc/xor_chunk.h"
#include "storage/head/chunk_arena.h"
#include "storage/head/chunk_buf.h"

namespace promlet::storage::head {

class SymbolTable;

// An immutable chunk (in the arena, or a querier's copy of the head chunk).
struct ChunkMeta {
  int64_t min_t;
  int64_t max_t;
  const char* data;
  uint32_t size;
  std::string_view bytes() const { return {data, size}; }
};

// Thread-compatible: the head guards each series with a lock of its id's
// stripe (StripeSeries::SeriesLock).
class MemSeries {
 public:
  // The leading bytes of the object that an Append reads and writes (lock
  // included), to prefetch: one or two cache lines.
  static constexpr size_t kAppendHotBytes = 64;

  // Creates a series with `num_labels` (name id, value id) pairs, sorted by
  // name. Free with Destroy().
  static MemSeries* Create(uint32_t id, const uint32_t* label_syms, uint16_t num_labels);
  static void Destroy(MemSeries* s);

  uint32_t id() const { return id_; }
  uint16_t num_labels() const { return num_labels_; }
  // Writes the 2*num_labels() ids name0, value0, name1, value1, ... to out.
  void LabelSyms(uint32_t* out) const;
  Labels BuildLabels(const SymbolTable& symbols) const;
  // True if labels are exactly this series' labels.
  bool LabelsEqual(const SymbolTable& symbols, const Labels& labels) const;

  bool has_samples() const { return !head_.empty(); }
  // The last byte of the open chunk's heap buffer (nullptr when none),
  // where the next Append reads and writes: an appender notes it to
  // prefetch it before Commit.
  const char* open_chunk_tail() const {
    return head_.empty() ? nullptr : head_.data() + head_.size() - 1;
  }
  // REQUIRES: has_samples().
  int64_t last_t() const { return app_.last_t(); }
  double last_v() const { return app_.last_v(); }
  // REQUIRES: has_samples().
  int64_t min_t() const { return last_full_ != nullptr ? oldest_min_t_ : head_min_t_; }

  // Appends a sample after the caller checked ordering. Cuts the head chunk
  // into the arena when it holds `samples_per_chunk` samples or t crosses a
  // multiple of chunk_range_ms. Returns whether a chunk was cut.
  bool Append(int64_t t, double v, int samples_per_chunk, int64_t chunk_range_ms,
              ChunkArena* arena);

  // Drops chunks whose samples all lie before t. Returns whether the series
  // is now empty.
  bool TruncateBefore(int64_t t, ChunkArena* arena);

  // Appends (min_t, max_t, bytes) of every chunk overlapping [mint, maxt],
  // oldest first; the head chunk is copied into *head_copy (kept stable by
  // the caller) and its view appended last.
  void Snapshot(int64_t mint, int64_t maxt, const ChunkArena& arena, std::vector<ChunkMeta>* out,
                std::string* head_copy) const;

  // Walks the chain of full chunks (reads arena pages).
  size_t num_full_chunks() const;

  // Per-series flags, guarded like the rest of the series.
  bool wal_logged() const { return wal_logged_; }
  void set_wal_logged(bool v) { wal_logged_ = v; }

 private:
  // The heap buffer's bytes that trigger a spill into the arena: a buffer
  // of 72-88 bytes, and ~2 spills per 120-sample chunk of scrape data.
  static constexpr size_t kSpillBytes = 64;

  MemSeries() = default;
  ~MemSeries() = default;
  static const size_t kSymsOffset;
  void CutHeadChunk(ChunkArena* arena);
  void Spill(ChunkArena* arena);

  // The first 64 bytes hold all that a steady append reads and writes, at
  // Append and at Commit: the rest of the series is not loaded. (Aligning
  // the object to a cache line would save one more line but costs ~80
  // bytes per series in glibc's memalign.) Everything but id_, num_labels_
  // and syms_ is guarded by StripeSeries::SeriesLock(id_).
  bool wal_logged_ = false;
  uint16_t num_labels_ = 0;
  // A lower bound of NextBoundary(head_min_t_) - last_t() (capped at
  // UINT32_MAX): while a sample is fewer ms after the last one, it cannot
  // cross the chunk range boundary, and Append need not load head_min_t_
  // (nor divide) to know it.
  uint32_t ms_to_boundary_ = 0;
  chunkenc::XorAppender app_;
  // The open chunk's 2 header bytes, then its bytes after the spilled ones.
  ChunkBuf head_;
  // The rest of the chunk state.
  int64_t head_min_t_ = 0;
  // The newest arena piece of the open chunk's bytes [2, 2 + spilled_);
  // nullptr until the first spill.
  const char* last_piece_ = nullptr;
  // Newest full chunk's record in the arena, nullptr when none; the chain
  // through ChunkRecord::prev ends at the record whose min_t is
  // oldest_min_t_ (older records may be freed already).
  const char* last_full_ = nullptr;
  int64_t oldest_min_t_ = 0;
  uint32_t spilled_ = 0;
  uint32_t id_ = 0;
  uint8_t syms_[];  // 2 * num_labels_ varints, allocated past kSymsOffset
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_MEM_SERIES_H_
