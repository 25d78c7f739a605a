#include "storage/head/head.h"

#include <algorithm>

#include "storage/head/head_appender.h"
#include "storage/head/head_querier.h"

namespace promlet::storage::head {
namespace {

bool ValidLabels(const Labels& labels) {
  if (labels.empty() || labels.MetricName().empty()) return false;
  std::string_view prev;
  bool first = true;
  for (Label l : labels) {
    if (l.name.empty() || l.value.empty()) return false;
    if (!first && l.name <= prev) return false;
    prev = l.name;
    first = false;
  }
  return true;
}

}  // namespace

Head::Head(HeadOptions options)
    : options_(options), series_(&symbols_), arena_(options_.chunk_dir) {}

Head::~Head() {
  absl::MutexLock lock(&reclaim_mu_);
  for (auto& f : retired_) f();
  retired_.clear();
}

std::unique_ptr<Appender> Head::NewAppender() { return NewHeadAppender(); }

std::unique_ptr<HeadAppender> Head::NewHeadAppender() {
  return std::make_unique<HeadAppender>(this);
}

absl::StatusOr<std::unique_ptr<Querier>> Head::NewQuerier() {
  return std::unique_ptr<Querier>(std::make_unique<HeadQuerier>(this));
}

std::vector<Label> Head::LabelViews(const MemSeries* s) const {
  std::vector<uint32_t> ids(2 * s->num_labels());
  s->LabelSyms(ids.data());
  std::vector<std::string_view> strs(ids.size());
  symbols_.GetMany(ids.data(), strs.size(), strs.data());
  std::vector<Label> out(s->num_labels());
  for (size_t i = 0; i < out.size(); ++i) out[i] = {strs[2 * i], strs[2 * i + 1]};
  return out;
}

MemSeries* Head::GetOrCreate(const Labels& labels, absl::Status* status) {
  if (!ValidLabels(labels)) {
    counters_.invalid_labels.fetch_add(1, std::memory_order_relaxed);
    *status = absl::InvalidArgumentError("");
    return nullptr;
  }
  bool created = false;
  MemSeries* s = series_.GetOrCreate(labels, labels.Hash(), 0, &created);
  if (created) {
    postings_.Add(s->id(), LabelViews(s));
    counters_.series_created.fetch_add(1, std::memory_order_relaxed);
  }
  return s;
}

absl::Status Head::ReplaySeries(uint32_t id, const Labels& labels) {
  if (!ValidLabels(labels)) return absl::InvalidArgumentError("wal series record: bad labels");
  if (MemSeries* existing = series_.ById(id)) {
    if (existing->LabelsEqual(symbols_, labels)) return absl::OkStatus();
    return absl::AlreadyExistsError("wal series record: ref taken by other labels");
  }
  bool created = false;
  MemSeries* s = series_.GetOrCreate(labels, labels.Hash(), id, &created);
  if (!created) {
    // Same labels logged under two refs (a series re-created after being
    // truncated away). Not expected from our writer; keep the first.
    return absl::AlreadyExistsError("wal series record: labels logged under two refs");
  }
  s->set_wal_logged(true);
  postings_.Add(s->id(), LabelViews(s));
  counters_.series_created.fetch_add(1, std::memory_order_relaxed);
  return absl::OkStatus();
}

absl::Status Head::ReplaySample(uint32_t id, int64_t t, double v) {
  MemSeries* s = series_.ById(id);
  if (s == nullptr) return absl::NotFoundError("wal sample for unknown series");
  bool cut;
  {
    SpinLockHolder lock(series_.SeriesLock(s));
    if (t < min_valid_t_.load(std::memory_order_relaxed) ||
        (s->has_samples() && t <= s->last_t())) {
      return absl::OutOfRangeError("");
    }
    cut = s->Append(t, v, options_.samples_per_chunk, options_.chunk_range_ms, &arena_);
    series_.SetLastTBound(id, t);  // appenders accept what follows without the lock
  }
  if (cut) counters_.chunks_cut.fetch_add(1, std::memory_order_relaxed);
  counters_.samples_appended.fetch_add(1, std::memory_order_relaxed);
  UpdateTimeRange(t, t);
  return absl::OkStatus();
}

int64_t Head::MinValidTime() const {
  const int64_t floor = min_valid_t_.load(std::memory_order_acquire);
  const int64_t maxt = max_t_.load(std::memory_order_acquire);
  if (maxt == std::numeric_limits<int64_t>::min()) return floor;
  // Like Prometheus: at most half a block range behind the newest sample.
  return std::max(floor, maxt - options_.chunk_range_ms / 2);
}

void Head::UpdateTimeRange(int64_t mint, int64_t maxt) {
  int64_t cur = min_t_.load(std::memory_order_relaxed);
  while (mint < cur && !min_t_.compare_exchange_weak(cur, mint, std::memory_order_acq_rel)) {
  }
  cur = max_t_.load(std::memory_order_relaxed);
  while (maxt > cur && !max_t_.compare_exchange_weak(cur, maxt, std::memory_order_acq_rel)) {
  }
}

void Head::Truncate(int64_t mint) {
  absl::MutexLock tlock(&truncate_mu_);
  int64_t cur = min_valid_t_.load(std::memory_order_relaxed);
  while (mint > cur && !min_valid_t_.compare_exchange_weak(cur, mint)) {
  }
  std::vector<MemSeries*> dead;
  int64_t new_min = std::numeric_limits<int64_t>::max();
  series_.ForEach([&](MemSeries* s) {
    SpinLockHolder lock(series_.SeriesLock(s));
    // A series with uncommitted samples stays (Prometheus pendingCommit).
    if (s->TruncateBefore(mint, &arena_) && !series_.HasPending(s->id())) {
      dead.push_back(s);
    } else if (s->has_samples()) {
      new_min = std::min(new_min, s->min_t());
    }
  });
  for (MemSeries* s : dead) {
    const Labels labels = s->BuildLabels(symbols_);
    postings_.Remove(s->id(), LabelViews(s));
    series_.Remove(s, labels.Hash());
  }
  counters_.series_removed.fetch_add(dead.size(), std::memory_order_relaxed);
  // Samples may have been appended concurrently; only move min_t forward.
  cur = min_t_.load(std::memory_order_relaxed);
  if (new_min == std::numeric_limits<int64_t>::max()) new_min = mint;
  while (cur < new_min && !min_t_.compare_exchange_weak(cur, new_min)) {
  }
  // The chain walks above read arena pages; keep them out of RSS.
  arena_.DropResident();
  std::vector<ChunkArena::Page> pages = arena_.DetachBefore(mint);
  Retire([dead = std::move(dead), pages = std::move(pages)] {
    for (MemSeries* s : dead) MemSeries::Destroy(s);
    ChunkArena::Release(pages);
  });
}

void Head::EnterReader() {
  absl::MutexLock lock(&reclaim_mu_);
  ++active_readers_;
}

void Head::ExitReader() {
  std::vector<std::function<void()>> run;
  {
    absl::MutexLock lock(&reclaim_mu_);
    if (--active_readers_ == 0) run.swap(retired_);
  }
  for (auto& f : run) f();
}

void Head::Retire(std::function<void()> free_fn) {
  {
    absl::MutexLock lock(&reclaim_mu_);
    if (active_readers_ > 0) {
      retired_.push_back(std::move(free_fn));
      return;
    }
  }
  free_fn();
}

HeadStats Head::Stats() const {
  HeadStats s;
  s.samples_appended = counters_.samples_appended.load(std::memory_order_relaxed);
  s.series_created = counters_.series_created.load(std::memory_order_relaxed);
  s.series_removed = counters_.series_removed.load(std::memory_order_relaxed);
  s.chunks_cut = counters_.chunks_cut.load(std::memory_order_relaxed);
  s.out_of_order = counters_.out_of_order.load(std::memory_order_relaxed);
  s.out_of_bounds = counters_.out_of_bounds.load(std::memory_order_relaxed);
  s.duplicate = counters_.duplicate.load(std::memory_order_relaxed);
  s.invalid_labels = counters_.invalid_labels.load(std::memory_order_relaxed);
  s.unknown_ref = counters_.unknown_ref.load(std::memory_order_relaxed);
  s.num_series = series_.size();
  if (MinTime() <= MaxTime()) {
    s.min_t = MinTime();
    s.max_t = MaxTime();
  }
  s.arena_bytes = arena_.MappedBytes();
  return s;
}

index::CardinalityStats Head::Cardinality(size_t top_n) const {
  index::CardinalityBuilder b;
  postings_.ForEachPair(
      [&](std::string_view n, std::string_view v, uint32_t c) { b.AddPair(n, v, c); });
  return b.Build(top_n, series_.size());
}

}  // namespace promlet::storage::head
