// The head: the in-memory, appendable part of the database holding the most
// recent samples. Series are found by label hash in striped maps, indexed by
// label pair in MemPostings, and hold Gorilla chunks (open chunk in a small
// heap buffer, full chunks packed into mmap'd arena pages).
//
//   Head head(HeadOptions{});
//   auto app = head.NewAppender();
//   ASSIGN_OR_RETURN(SeriesRef ref, app->Append(0, labels, t, v));
//   RETURN_IF_ERROR(app->Commit());
//   ASSIGN_OR_RETURN(auto q, head.NewQuerier());
//
// The DB (storage/db/) adds the WAL around HeadAppender::Commit.
#ifndef PROMLET_STORAGE_HEAD_HEAD_H_
#define PROMLET_STORAGE_HEAD_HEAD_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "storage/api/appender.h"
#include "storage/api/querier.h"
#include "storage/head/chunk_arena.h"
#include "storage/head/stripe_series.h"
#include "storage/head/symbol_table.h"
#include "storage/index/cardinality.h"
#include "storage/index/mem_postings.h"

namespace promlet::storage::head {

class HeadAppender;

struct HeadOptions {
  // Chunks never span a multiple of this (the block range), so a block cut
  // at such a boundary takes whole chunks.
  int64_t chunk_range_ms = 2 * 3600 * 1000;
  int samples_per_chunk = 120;
  // Directory for full-chunk page files (ChunkArena); empty keeps full
  // chunks in anonymous memory. Must exist.
  std::string chunk_dir;
};

// Counters for /metrics; a consistent-enough snapshot of atomics.
struct HeadStats {
  uint64_t samples_appended = 0;
  uint64_t series_created = 0;
  uint64_t series_removed = 0;
  uint64_t chunks_cut = 0;
  uint64_t out_of_order = 0;     // OutOfRange: older than the series' last sample
  uint64_t out_of_bounds = 0;    // OutOfRange: older than the head accepts
  uint64_t duplicate = 0;        // AlreadyExists: same t, other value
  uint64_t invalid_labels = 0;   // InvalidArgument
  uint64_t unknown_ref = 0;      // NotFound
  uint64_t num_series = 0;
  int64_t min_t = 0;             // 0/0 when empty
  int64_t max_t = 0;
  uint64_t arena_bytes = 0;      // mapped full-chunk pages
};

// Thread-safe.
class Head : public Appendable, public Queryable {
 public:
  explicit Head(HeadOptions options = {});
  ~Head() override;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  std::unique_ptr<Appender> NewAppender() override;
  std::unique_ptr<HeadAppender> NewHeadAppender();
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier() override;

  // Drops every chunk that ends before mint and every series left empty, and
  // refuses samples older than mint from now on. Memory is freed once no
  // querier or appender that could see it is alive.
  void Truncate(int64_t mint);

  // WAL replay: creates the series with the id the WAL recorded.
  // InvalidArgument for bad labels, AlreadyExists when the id is taken by
  // other labels.
  absl::Status ReplaySeries(uint32_t id, const Labels& labels);
  // WAL replay: appends a committed sample. OutOfRange (sample skipped) when
  // it is older than the truncation point (already in a block) or not after
  // the series' last sample; NotFound for an unknown id.
  absl::Status ReplaySample(uint32_t id, int64_t t, double v);

  // Series lookup/creation shared by appenders. Returns nullptr with
  // InvalidArgument in *status for empty, unsorted or nameless labels.
  MemSeries* GetOrCreate(const Labels& labels, absl::Status* status);

  // Lower bound of timestamps an appender accepts now.
  int64_t MinValidTime() const;
  // Range of committed samples; min > max when empty.
  int64_t MinTime() const { return min_t_.load(std::memory_order_acquire); }
  int64_t MaxTime() const { return max_t_.load(std::memory_order_acquire); }

  HeadStats Stats() const;
  index::CardinalityStats Cardinality(size_t top_n) const;
  size_t NumSeries() const { return series_.size(); }

  const HeadOptions& options() const { return options_; }
  SymbolTable& symbols() { return symbols_; }
  StripeSeries& series() { return series_; }
  index::MemPostings& postings() { return postings_; }
  const ChunkArena& arena() const { return arena_; }

  // Reclamation of truncated series and arena pages: memory retired by
  // Truncate is freed only when no reader is registered. Queriers, series
  // sets and appenders with pending samples register.
  void EnterReader();
  void ExitReader();

 private:
  friend class HeadAppender;

  void UpdateTimeRange(int64_t mint, int64_t maxt);
  void Retire(std::function<void()> free_fn);
  std::vector<Label> LabelViews(const MemSeries* s) const;

  const HeadOptions options_;
  SymbolTable symbols_;
  StripeSeries series_;
  index::MemPostings postings_;
  ChunkArena arena_;

  std::atomic<int64_t> min_t_{std::numeric_limits<int64_t>::max()};
  std::atomic<int64_t> max_t_{std::numeric_limits<int64_t>::min()};
  std::atomic<int64_t> min_valid_t_{std::numeric_limits<int64_t>::min()};
  absl::Mutex truncate_mu_;  // one Truncate at a time

  // Counters (relaxed: statistics only).
  struct Counters {
    std::atomic<uint64_t> samples_appended{0}, series_created{0}, series_removed{0},
        chunks_cut{0}, out_of_order{0}, out_of_bounds{0}, duplicate{0}, invalid_labels{0},
        unknown_ref{0};
  };
  mutable Counters counters_;

  absl::Mutex reclaim_mu_;
  int active_readers_ ABSL_GUARDED_BY(reclaim_mu_) = 0;
  std::vector<std::function<void()>> retired_ ABSL_GUARDED_BY(reclaim_mu_);
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_HEAD_H_
