#include "storage/head/head_appender.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace promlet::storage::head {
namespace {

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// How far ahead Append and Commit fetch series. A scrape parses a line
// (~100+ ns) between two Appends, so a few series ahead hides a memory
// miss; Commit's loop is tighter and looks further.
constexpr uint32_t kAppendAhead = 4;
constexpr size_t kCommitAhead = 16;
// Commit keeps a series lock (StripeSeries::SeriesLock) over a run of
// samples whose series share it, but for at most this many, so a query
// waiting on one of those series waits for a few microseconds at most.
constexpr int kMaxSamplesPerLock = 64;

// The pending buffer of this thread's last appender. A scrape makes a new
// appender each time; without this its buffer would regrow from empty
// (copying, and mmap'ing once past malloc's threshold) on every scrape.
thread_local std::vector<PendingSample> tls_spare_samples;

}  // namespace

HeadAppender::HeadAppender(Head* head, uint32_t tag) : head_(head), tag_(tag) {
  samples_.swap(tls_spare_samples);
}

HeadAppender::~HeadAppender() {
  if (!samples_.empty()) (void)Rollback();
  Release();
  if (samples_.capacity() > tls_spare_samples.capacity()) samples_.swap(tls_spare_samples);
}

void HeadAppender::Release() {
  if (registered_) {
    registered_ = false;
    head_->ExitReader();
  }
}

void HeadAppender::PrefetchSeries(uint32_t id) const {
  const MemSeries* s = head_->series_.ById(id);
  if (s == nullptr) return;
  PrefetchMemSeriesHot(s);
}

absl::StatusOr<SeriesRef> HeadAppender::Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                               double value) {
  auto& c = head_->counters_;
  if (!registered_) {
    // Series pointers we hold until Commit must not be reclaimed.
    head_->EnterReader();
    registered_ = true;
  }
  MemSeries* s = nullptr;
  uint32_t id = 0;  // s->id(), which lies outside the series' first bytes
  if (ref != 0 && ref <= std::numeric_limits<uint32_t>::max()) {
    id = static_cast<uint32_t>(ref);
    s = head_->series_.ById(id);
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
  // With 10k+ series each Append would otherwise wait on a memory miss
  // (or two: the series' first bytes may span two lines). A scrape appends a target's series in
  // the order they were created, so ids mostly ascend by one: fetch the
  // series a few ids ahead while the caller parses the next lines.
  // Two stages: the page-table slot that leads to a series is a miss of its
  // own, so it is fetched further ahead than the series.
  if (id == last_id_ + 1) {
    PrefetchSeries(id + kAppendAhead);
    head_->series_.PrefetchSlot(id + 2 * kAppendAhead);
  }
  last_id_ = id;
  bool had_samples;
  const char* chunk_hint;
  {
    SpinLockHolder lock(head_->series_.SeriesLockById(id));
    bool have_prev = false;
    int64_t prev_t = 0;
    double prev_v = 0;
    if (s->pending_tag() == tag_) {
      const PendingSample& p = samples_[s->pending_idx()];
      have_prev = true;
      prev_t = p.t;
      prev_v = p.v;
    } else if (s->has_samples()) {
      have_prev = true;
      prev_t = s->last_t();
      prev_v = s->last_v();
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
    s->set_pending(tag_, static_cast<uint32_t>(samples_.size()));
    had_samples = s->has_samples();
    chunk_hint = s->open_chunk_tail();
  }
  samples_.push_back({s, id, had_samples, t_ms, value, chunk_hint});
  return static_cast<SeriesRef>(id);
}

absl::Status HeadAppender::Commit() {
  auto& c = head_->counters_;
  const HeadOptions& opts = head_->options_;
  int64_t mint = std::numeric_limits<int64_t>::max();
  int64_t maxt = std::numeric_limits<int64_t>::min();
  uint64_t appended = 0, cuts = 0;
  SpinLock* held = nullptr;
  int held_for = 0;
  for (size_t i = 0; i < samples_.size(); ++i) {
    if (i + kCommitAhead < samples_.size()) {
      // The series and its open chunk buffer: a miss each per sample
      // otherwise.
      const PendingSample& ahead = samples_[i + kCommitAhead];
      PrefetchMemSeriesHot(ahead.series);
      if (ahead.chunk_hint != nullptr) {
        // The append writes from the tail on, a few bytes at most.
        __builtin_prefetch(ahead.chunk_hint, 1);
        __builtin_prefetch(ahead.chunk_hint + 8, 1);
      }
    }
    const PendingSample& p = samples_[i];
    MemSeries* s = p.series;
    SpinLock* lock = head_->series_.SeriesLockById(p.id);
    if (lock != held || held_for == kMaxSamplesPerLock) {
      if (held != nullptr) held->unlock();
      lock->lock();
      held = lock;
      held_for = 0;
    }
    ++held_for;
    if (s->pending_tag() == tag_) s->set_pending(0, 0);
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
  samples_.clear();
  Release();
  return absl::OkStatus();
}

absl::Status HeadAppender::Rollback() {
  for (const PendingSample& p : samples_) {
    SpinLockHolder lock(head_->series_.SeriesLockById(p.id));
    if (p.series->pending_tag() == tag_) p.series->set_pending(0, 0);
  }
  samples_.clear();
  Release();
  return absl::OkStatus();
}

}  // namespace promlet::storage::head
