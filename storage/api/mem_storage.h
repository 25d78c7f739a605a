// A naive in-memory storage: every series a sorted vector of samples under
// one mutex. It is the reference model for storage property tests and the
// backing store of PromQL script tests and scraper tests; it is not fast.
// It applies the same per-sample rules as the head (out-of-order and
// duplicate rejection) so it can stand in for it.
#ifndef PROMLET_STORAGE_API_MEM_STORAGE_H_
#define PROMLET_STORAGE_API_MEM_STORAGE_H_

#include <map>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "storage/api/appender.h"
#include "storage/api/querier.h"

namespace promlet::storage {

// A Series over samples it owns.
class VectorSeries : public Series {
 public:
  VectorSeries(Labels labels, std::vector<Sample> samples)
      : labels_(std::move(labels)), samples_(std::move(samples)) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SeriesIterator> NewIterator() const override;
  const std::vector<Sample>& samples() const { return samples_; }

 private:
  Labels labels_;
  std::vector<Sample> samples_;
};

// A SeriesSet over owned series, already sorted by the caller.
class VectorSeriesSet : public SeriesSet {
 public:
  explicit VectorSeriesSet(std::vector<std::unique_ptr<Series>> series)
      : series_(std::move(series)) {}
  bool Next() override { return ++pos_ < series_.size(); }
  const Series& At() const override { return *series_[pos_]; }

 private:
  std::vector<std::unique_ptr<Series>> series_;
  size_t pos_ = static_cast<size_t>(-1);
};

// Thread-safe.
class MemStorage : public Appendable, public Queryable {
 public:
  std::unique_ptr<Appender> NewAppender() override;
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier() override;

  size_t NumSeries() const;
  size_t NumSamples() const;

 private:
  class MemAppender;
  class MemQuerier;

  mutable absl::Mutex mu_;
  // Keyed by labels; the ref is index+1 into refs_.
  std::map<Labels, std::vector<Sample>> series_ ABSL_GUARDED_BY(mu_);
  std::vector<const Labels*> refs_ ABSL_GUARDED_BY(mu_);
  std::map<Labels, SeriesRef> ref_of_ ABSL_GUARDED_BY(mu_);
};

}  // namespace promlet::storage

#endif  // PROMLET_STORAGE_API_MEM_STORAGE_H_
