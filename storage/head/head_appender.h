// Appender into the head (Prometheus `headAppender`): samples are checked
// against the series' last committed sample and this batch's pending ones
// when appended, buffered, and applied at Commit.
//
// A sample after the series' committed ones (StripeSeries::LastTBound) and
// the first of its series in the batch (PendingIds) is accepted without
// loading the series or taking its lock; anything else is checked under the
// series lock as it always was. Commit re-checks ordering under the lock.
//
// Rejections (each counted in HeadStats, returned with no message):
//   OutOfRange       t older than the series' last sample, or than
//                    Head::MinValidTime() ("out of bounds")
//   AlreadyExists    same t as the last sample, different value bits
//   InvalidArgument  empty labels or no __name__
//   NotFound         unknown ref and no labels given
// An exact duplicate (same t, same bits) is accepted and ignored.
#ifndef PROMLET_STORAGE_HEAD_HEAD_APPENDER_H_
#define PROMLET_STORAGE_HEAD_HEAD_APPENDER_H_

#include <cstdint>
#include <cstddef>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "storage/api/appender.h"
#include "storage/head/head.h"

namespace promlet::storage::head {

struct PendingSample {
  MemSeries* series;
  uint32_t id;  // series->id(), kept so Commit and the WAL need not load the series for it
  // The series held committed samples when this was appended (false when
  // unsure). The DB applies samples only after logging their series, so
  // such a series is in the WAL already and its commit need not load it to
  // check.
  bool had_samples;
  int64_t t;
  double v;
};
static_assert(sizeof(PendingSample) == 32);

// Pulls the first MemSeries::kAppendHotBytes of *s, all a
// steady append touches, towards the core (a hint: the series may be gone
// by the time it is used). For loops over many series, a few iterations
// ahead, so each does not wait on a memory miss.
inline void PrefetchMemSeriesHot(const MemSeries* s) {
  __builtin_prefetch(s, 1);
  __builtin_prefetch(reinterpret_cast<const char*>(s) + MemSeries::kAppendHotBytes - 1, 1);
}

// The same for every cache line of *s's fixed fields.
inline void PrefetchMemSeries(const MemSeries* s) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(s) & ~uintptr_t{63};
  const uintptr_t end = reinterpret_cast<uintptr_t>(s) + sizeof(MemSeries);
  for (uintptr_t line = begin; line < end; line += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
  }
}

// Thread-compatible.
class HeadAppender final : public Appender {
 public:
  explicit HeadAppender(Head* head);
  ~HeadAppender() override;

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double value) override;
  absl::Status Commit() override;
  absl::Status Rollback() override;

  // For the DB: what Commit() will apply, to log it first.
  const std::vector<PendingSample>& pending() const { return samples_; }

 private:
  void Release();
  // Append for a sample the lock-free check could not accept: a repeated
  // series of this batch, or t not after LastTBound.
  absl::StatusOr<SeriesRef> AppendChecked(MemSeries* s, uint32_t id, int64_t t_ms, double value);
  void AddPending(MemSeries* s, uint32_t id, bool had_samples, int64_t t_ms, double value);
  // Index in samples_ of the newest pending sample of id. REQUIRES:
  // pending_ids_.Test(id).
  uint32_t LastPendingIndex(uint32_t id);
  // Forgets the batch: pending ids, repeats, samples.
  void ClearBatch();

  Head* const head_;
  // With head_->EnterReader() and pending_ids_ with the series map, from
  // the batch's first Append to its Commit or Rollback.
  bool registered_ = false;
  std::vector<PendingSample> samples_;
  // The ids in samples_ (which Truncate keeps), and their range.
  PendingIds pending_ids_;
  uint32_t min_pending_id_ = UINT32_MAX, max_pending_id_ = 0;
  // id -> index of its newest pending sample, kept only once a batch holds
  // a series twice (built then from samples_): most batches never need it.
  absl::flat_hash_map<uint32_t, uint32_t> repeats_;
  bool track_repeats_ = false;
  uint32_t last_id_ = 0;  // of the previous Append, to spot ascending runs
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_HEAD_APPENDER_H_
