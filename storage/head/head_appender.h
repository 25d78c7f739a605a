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
#include <vector>

#include "storage/api/appender.h"
#include "storage/head/head.h"

namespace promlet::storage::head {

struct PendingSample {
  MemSeries* series;
  int64_t t;
  double v;
};

// Thread-compatible.
class HeadAppender : public Appender {
 public:
  HeadAppender(Head* head, uint32_t tag) : head_(head), tag_(tag) {}
  ~HeadAppender() override;

  absl::StatusOr<SeriesRef> Append(SeriesRef ref, const Labels& labels, int64_t t_ms,
                                   double value) override;
  absl::Status Commit() override;
  absl::Status Rollback() override;

  // For the DB: what Commit() will apply, to log it first.
  const std::vector<PendingSample>& pending() const { return samples_; }

 private:
  void Release();

  Head* const head_;
  const uint32_t tag_;
  bool registered_ = false;  // with head_->EnterReader()
  std::vector<PendingSample> samples_;
};

}  // namespace promlet::storage::head

#endif  // PROMLET_STORAGE_HEAD_HEAD_APPENDER_H_
