// Appender into the head (Prometheus `headAppender`): samples are checked
// against the series' last committed sample and this batch's pending ones
// when appended, buffered, and applied at Commit.
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

#include "storage/api/appender.h"
#include "storage/head/head.h"

namespace promlet::storage::head {

struct PendingSample {
  MemSeries* series;
  uint32_t id;  // series->id(), kept so Commit and the WAL need not load the series for it
  // The series held committed samples when this was appended. The DB
  // applies samples only after logging their series, so such a series is
  // in the WAL already and its commit need not load it to check.
  bool had_samples;
  int64_t t;
  double v;
  // series->open_chunk_tail() at Append time, for Commit to prefetch (a
  // hint only: another appender may have moved the buffer since).
  const char* chunk_hint;
};

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
  HeadAppender(Head* head, uint32_t tag);
  ~HeadAppender() override;

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double value) override;
  absl::Status Commit() override;
  absl::Status Rollback() override;

  // For the DB: what Commit() will apply, to log it first.
  const std::vector<PendingSample>& pending() const { return samples_; }

 private:
  void Release();
  // Pulls series `id`'s first bytes towards the core;
  // a hint only, harmless for ids that do not exist.
  void PrefetchSeries(uint32_t id) const;

  Head* const head_;
  const uint32_t tag_;
  bool registered_ = false;  // with head_->EnterReader()
  std::vector<PendingSample> samples_;
  uint32_t last_id_ = 0;  // of the previous Append, to spot ascending runs
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_HEAD_APPENDER_H_
