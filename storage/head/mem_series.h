// One series in the head: its labels as interned symbol ids, the open head
// chunk being appended to, and the full chunks cut from it (stored in the
// ChunkArena). ~80 bytes plus 8 per label pair, in one allocation.
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

// An immutable chunk in the arena.
struct ChunkMeta {
  int64_t min_t;
  int64_t max_t;
  const char* data;
  uint32_t size;
  std::string_view bytes() const { return {data, size}; }
};

// Thread-compatible: the head guards each series with the lock stripe of
// its id (Head::SeriesLock).
class MemSeries {
 public:
  // Creates a series with `num_labels` (name id, value id) pairs, sorted by
  // name. Free with Destroy().
  static MemSeries* Create(uint32_t id, const uint32_t* label_syms, uint16_t num_labels);
  static void Destroy(MemSeries* s);

  uint32_t id() const { return id_; }
  uint16_t num_labels() const { return num_labels_; }
  // 2*num_labels() ids: name0, value0, name1, value1, ...
  const uint32_t* label_syms() const { return syms_; }
  Labels BuildLabels(const SymbolTable& symbols) const;
  // True if labels are exactly this series' labels.
  bool LabelsEqual(const SymbolTable& symbols, const Labels& labels) const;

  bool has_samples() const { return !head_.empty(); }
  // REQUIRES: has_samples().
  int64_t last_t() const { return app_.last_t(); }
  double last_v() const { return app_.last_v(); }
  int64_t min_t() const { return full_ != nullptr && !full_->empty() ? full_->front().min_t : head_min_t_; }

  // Appends a sample after the caller checked ordering. Cuts the head chunk
  // into the arena when it holds `samples_per_chunk` samples or t crosses a
  // multiple of chunk_range_ms. Returns whether a chunk was cut.
  bool Append(int64_t t, double v, int samples_per_chunk, int64_t chunk_range_ms,
              ChunkArena* arena);

  // Drops chunks whose samples all lie before t. Returns whether the series
  // is now empty.
  bool TruncateBefore(int64_t t);

  // Appends (min_t, max_t, bytes) of every chunk overlapping [mint, maxt],
  // oldest first; the head chunk is copied into *head_copy (kept stable by
  // the caller) and its view appended last.
  void Snapshot(int64_t mint, int64_t maxt, std::vector<ChunkMeta>* out,
                std::string* head_copy) const;

  size_t num_full_chunks() const { return full_ == nullptr ? 0 : full_->size(); }

  // Per-series flags, guarded like the rest of the series.
  bool wal_logged() const { return wal_logged_; }
  void set_wal_logged(bool v) { wal_logged_ = v; }
  // Latest appender with uncommitted samples here, and the index of its last
  // pending sample; lets an appender reject in-batch out-of-order samples
  // without a map lookup. pending_tag 0 = none.
  uint32_t pending_tag() const { return pending_tag_; }
  uint32_t pending_idx() const { return pending_idx_; }
  void set_pending(uint32_t tag, uint32_t idx) {
    pending_tag_ = tag;
    pending_idx_ = idx;
  }

 private:
  MemSeries() = default;
  ~MemSeries() = default;
  void CutHeadChunk(ChunkArena* arena);

  uint32_t id_ = 0;
  uint16_t num_labels_ = 0;
  bool wal_logged_ = false;
  uint32_t pending_tag_ = 0;
  uint32_t pending_idx_ = 0;
  chunkenc::XorAppender app_;
  ChunkBuf head_;
  int64_t head_min_t_ = 0;
  std::vector<ChunkMeta>* full_ = nullptr;  // nullptr until the first cut
  uint32_t syms_[];                         // 2 * num_labels_
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_MEM_SERIES_H_
