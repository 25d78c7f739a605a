// The read seam. PromQL and the HTTP API read only through Querier; the head
// and every block implement it and DB merges them.
//
//   ASSIGN_OR_RETURN(auto q, db->NewQuerier());
//   auto set = q->Select(mint, maxt, matchers);
//   while (set->Next()) {
//     const Series& s = set->At();
//     auto it = s.NewIterator();
//     for (bool ok = it->Seek(t0); ok; ok = it->Next()) use(it->At());
//     RETURN_IF_ERROR(it->status());
//   }
//   RETURN_IF_ERROR(set->status());
#ifndef PROMLET_STORAGE_API_QUERIER_H_
#define PROMLET_STORAGE_API_QUERIER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/api/labels.h"
#include "storage/api/matcher.h"

namespace promlet::storage {

struct Sample {
  int64_t t_ms = 0;
  double value = 0;
};

// Iterates one series' samples in ascending time within the Select range.
// Thread-compatible. Sticky error: loop on Next()/Seek(), then check status().
class SeriesIterator {
 public:
  virtual ~SeriesIterator() = default;
  // Advances to the next sample; false at the end or on error.
  virtual bool Next() = 0;
  // Advances to the first sample with t >= t_ms (never moves backwards; if
  // the current sample already qualifies it stays). False if none.
  virtual bool Seek(int64_t t_ms) = 0;
  // REQUIRES: the last Next()/Seek() returned true.
  virtual Sample At() const = 0;
  // Advances like up to `max` calls of Next(), copying each sample into
  // `out`; returns how many, 0 only at the end. Afterwards the iterator is
  // positioned on the last sample copied (or at the end), so Next() and
  // Seek() continue from there. Readers that decode into arrays override
  // it to save two virtual calls per sample.
  virtual size_t NextBatch(Sample* out, size_t max) {
    size_t n = 0;
    while (n < max && Next()) out[n++] = At();
    return n;
  }
  virtual absl::Status status() const { return absl::OkStatus(); }
};

// One series: immutable labels and a way to read its samples.
class Series {
 public:
  virtual ~Series() = default;
  virtual const Labels& labels() const = 0;
  // A fresh iterator positioned before the first sample.
  virtual std::unique_ptr<SeriesIterator> NewIterator() const = 0;
};

// Series in ascending label order (Labels::Compare). The Series returned by
// At() stays valid until the set is destroyed.
class SeriesSet {
 public:
  virtual ~SeriesSet() = default;
  virtual bool Next() = 0;
  virtual const Series& At() const = 0;
  virtual absl::Status status() const { return absl::OkStatus(); }
};

// A consistent read view. Thread-compatible; cheap to create, hold it only
// for the duration of one query.
class Querier {
 public:
  virtual ~Querier() = default;

  // Series matching all matchers with at least one sample in [mint, maxt]
  // (both inclusive), sorted by labels. REQUIRES: at least one matcher
  // that does not match the empty string, like Prometheus.
  virtual std::unique_ptr<SeriesSet> Select(int64_t mint_ms, int64_t maxt_ms,
                                            const Matchers& matchers) = 0;

  // Sorted label names of series matching `matchers` (all series if empty).
  virtual absl::StatusOr<std::vector<std::string>> LabelNames(
      int64_t mint_ms, int64_t maxt_ms, const Matchers& matchers) = 0;
  // Sorted values of `name` among series matching `matchers`.
  virtual absl::StatusOr<std::vector<std::string>> LabelValues(
      const std::string& name, int64_t mint_ms, int64_t maxt_ms,
      const Matchers& matchers) = 0;
};

// Thread-safe factory of queriers.
class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual absl::StatusOr<std::unique_ptr<Querier>> NewQuerier() = 0;
};

// An empty set with an error; for Select failures.
std::unique_ptr<SeriesSet> ErrorSeriesSet(absl::Status status);
std::unique_ptr<SeriesSet> EmptySeriesSet();

}  // namespace promlet::storage

#endif  // PROMLET_STORAGE_API_QUERIER_H_
