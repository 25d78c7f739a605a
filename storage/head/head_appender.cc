#include "storage/head/head_appender.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace promlet::storage::head {
namespace {

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// How far ahead Append and Commit fetch. A scrape parses a line (~100+ ns)
// between two Appends, so a few ids ahead hides a miss on the page-table
// slot that leads to a series. Commit's loop is tighter: it fetches series
// kCommitAhead samples ahead, and, once those are in, the tail of their open
// chunk kHintAhead samples ahead.
constexpr uint32_t kAppendAhead = 8;
constexpr size_t kCommitAhead = 16;
constexpr size_t kHintAhead = 8;
// Commit keeps a series lock (StripeSeries::SeriesLock) over a run of
// samples whose series share it, but for at most this many, so a query
// waiting on one of those series waits for a few microseconds at most.
constexpr int kMaxSamplesPerLock = 64;

// The pending buffers of this thread's last appender. A scrape makes a new
// appender each time; without these its buffers would regrow from empty
// (copying, and mmap'ing once past malloc's threshold) on every scrape.
thread_local std::vector<PendingSample> tls_spare_samples;
thread_local PendingIds tls_spare_pending_ids;

}  // namespace

HeadAppender::HeadAppender(Head* head) : head_(head) {
  samples_.swap(tls_spare_samples);
  pending_ids_.Swap(tls_spare_pending_ids);
}

HeadAppender::~HeadAppender() {
  if (!samples_.empty()) (void)Rollback();
  Release();
  if (samples_.capacity() > tls_spare_samples.capacity()) samples_.swap(tls_spare_samples);
  if (pending_ids_.capacity() > tls_spare_pending_ids.capacity()) pending_ids_.Swap(tls_spare_pending_ids);
}

void HeadAppender::Release() {
  if (registered_) {
    registered_ = false;
    head_->series_.UnregisterPending(&pending_ids_);
    head_->ExitReader();
  }
}

void HeadAppender::ClearBatch() {
  if (!samples_.empty()) {
    // A target's series mostly have neighbouring ids: clear their words in
    // one sweep. One whose ids lie far apart (series created long apart on
    // a churning head) gets its own words cleared, so that a commit costs
    // O(samples), not O(ids the head ever had).
    if ((max_pending_id_ - min_pending_id_) / 64 <= samples_.size()) {
      pending_ids_.ClearRange(min_pending_id_, max_pending_id_);
    } else {
      for (const PendingSample& p : samples_) pending_ids_.ClearRange(p.id, p.id);
    }
  }
  min_pending_id_ = UINT32_MAX;
  max_pending_id_ = 0;
  samples_.clear();
  if (track_repeats_) {
    repeats_.clear();
    track_repeats_ = false;
  }
}

inline void HeadAppender::AddPending(MemSeries* s, uint32_t id, bool had_samples, int64_t t_ms,
                                     double value) {
  pending_ids_.Set(id);
  min_pending_id_ = std::min(min_pending_id_, id);
  max_pending_id_ = std::max(max_pending_id_, id);
  if (ABSL_PREDICT_FALSE(track_repeats_)) repeats_[id] = static_cast<uint32_t>(samples_.size());
  samples_.push_back({s, id, had_samples, t_ms, value});
}

uint32_t HeadAppender::LastPendingIndex(uint32_t id) {
  if (!track_repeats_) {
    for (size_t i = 0; i < samples_.size(); ++i) repeats_[samples_[i].id] = static_cast<uint32_t>(i);
    track_repeats_ = true;
  }
  return repeats_.at(id);
}

absl::StatusOr<SeriesRef> HeadAppender::Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                               double value) {
  auto& c = head_->counters_;
  StripeSeries& series = head_->series_;
  if (!registered_) {
    // Series pointers we hold until Commit must not be reclaimed, nor,
    // while they have pending samples, truncated away.
    head_->EnterReader();
    series.RegisterPending(&pending_ids_);
    registered_ = true;
  }
  MemSeries* s = nullptr;
  uint32_t id = 0;  // s->id(), which lies outside the series' first bytes
  if (ref != 0 && ref <= std::numeric_limits<uint32_t>::max()) {
    id = static_cast<uint32_t>(ref);
    s = series.ById(id);
  }
  if (s == nullptr) {
    if (ref != 0 && labels.empty()) {
      c.unknown_ref.fetch_add(1, std::memory_order_relaxed);
      return absl::NotFoundError("");
    }
    absl::Status st;
    s = head_->GetOrCreate(labels, &st);
    if (s == nullptr) return st;
    id = s->id();
  }
  if (t_ms < head_->MinValidTime()) {
    c.out_of_bounds.fetch_add(1, std::memory_order_relaxed);
    return absl::OutOfRangeError("");
  }
  // A scrape appends a target's series in the order they were created, so
  // ids mostly ascend by one: fetch the page-table slot (which leads to the
  // series) and the LastTBound word a few ids ahead while the caller parses
  // the next lines.
  if (id == last_id_ + 1) {
    series.PrefetchSlot(id + kAppendAhead);
    series.PrefetchLastTBound(id + kAppendAhead);
  }
  last_id_ = id;
  if (ABSL_PREDICT_FALSE(id >= pending_ids_.capacity())) series.GrowPending(&pending_ids_, id);
  if (!pending_ids_.Test(id)) {
    // Committed samples only grow a series' newest timestamp (under its
    // lock, after the bound), so a sample after the bound is after them
    // all. Neither the series nor its lock is touched here: Commit loads
    // the series once.
    const int64_t bound = series.LastTBound(id);
    if (t_ms > bound) {
      AddPending(s, id, bound != std::numeric_limits<int64_t>::min(), t_ms, value);
      return static_cast<SeriesRef>(id);
    }
  }
  return AppendChecked(s, id, t_ms, value);
}

absl::StatusOr<SeriesRef> HeadAppender::AppendChecked(MemSeries* s, uint32_t id, int64_t t_ms,
                                                      double value) {
  auto& c = head_->counters_;
  StripeSeries& series = head_->series_;
  bool have_prev = false;
  int64_t prev_t = 0;
  double prev_v = 0;
  bool had_samples;
  if (pending_ids_.Test(id)) {
    // Later than this batch's newest sample of the series is later than its
    // committed ones (that sample was checked against them).
    const PendingSample& p = samples_[LastPendingIndex(id)];
    have_prev = true;
    prev_t = p.t;
    prev_v = p.v;
    had_samples = p.had_samples;
  } else {
    SpinLockHolder lock(series.SeriesLockById(id));
    had_samples = s->has_samples();
    if (had_samples) {
      have_prev = true;
      prev_t = s->last_t();
      prev_v = s->last_v();
    }
    // The bound was stale or unknown: the next Append need not come here.
    series.SetLastTBound(id, had_samples ? prev_t : std::numeric_limits<int64_t>::min());
  }
  if (have_prev) {
    if (t_ms < prev_t) {
      c.out_of_order.fetch_add(1, std::memory_order_relaxed);
      return absl::OutOfRangeError("");
    }
    if (t_ms == prev_t) {
      if (SameBits(value, prev_v)) return static_cast<SeriesRef>(id);  // exact duplicate
      c.duplicate.fetch_add(1, std::memory_order_relaxed);
      return absl::AlreadyExistsError("");
    }
  }
  AddPending(s, id, had_samples, t_ms, value);
  return static_cast<SeriesRef>(id);
}

absl::Status HeadAppender::Commit() {
  auto& c = head_->counters_;
  StripeSeries& series = head_->series_;
  const HeadOptions& opts = head_->options_;
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  uint64_t appended = 0, cuts = 0;
  SpinLock* held = nullptr;
  int held_for = 0;
  const size_t n = samples_.size();
  for (size_t i = 0; i < n; ++i) {
    const PendingSample& p = samples_[i];
    MemSeries* s = p.series;
    SpinLock* lock = series.SeriesLockById(p.id);
    if (lock != held || held_for == kMaxSamplesPerLock) {
      if (held != nullptr) held->unlock();
      lock->lock();
      held = lock;
      held_for = 0;
    }
    ++held_for;
    // Fetch ahead: a series, then, once it is in, its open chunk's tail
    // (where its append reads and writes a few bytes). Reading where that
    // tail is needs the series' lock: only when the held lock is its.
    if (i + kCommitAhead < n) PrefetchMemSeriesHot(samples_[i + kCommitAhead].series);
    if (i + kHintAhead < n) {
      const PendingSample& ahead = samples_[i + kHintAhead];
      if (series.SeriesLockById(ahead.id) == held) {
        if (const char* tail = ahead.series->open_chunk_tail()) {
          __builtin_prefetch(tail, 1);
          __builtin_prefetch(tail + 8, 1);
        }
      }
    }
    // Another appender may have committed to this series since Append.
    if (s->has_samples() && p.t <= s->last_t()) {
      if (p.t < s->last_t()) {
        c.out_of_order.fetch_add(1, std::memory_order_relaxed);
      } else if (!SameBits(p.v, s->last_v())) {
        c.duplicate.fetch_add(1, std::memory_order_relaxed);
      }
      continue;
    }
    if (s->Append(p.t, p.v, opts.samples_per_chunk, opts.chunk_range_ms, &head_->arena_)) ++cuts;
    series.SetLastTBound(p.id, p.t);
    ++appended;
    mint = std::min(mint, p.t);
    maxt = std::max(maxt, p.t);
  }
  if (held != nullptr) held->unlock();
  if (appended > 0) {
    head_->UpdateTimeRange(mint, maxt);
    c.samples_appended.fetch_add(appended, std::memory_order_relaxed);
  }
  if (cuts > 0) c.chunks_cut.fetch_add(cuts, std::memory_order_relaxed);
  ClearBatch();
  Release();
  return absl::OkStatus();
}

absl::Status HeadAppender::Rollback() {
  ClearBatch();
  Release();
  return absl::OkStatus();
}

}  // namespace promlet::storage::head
