// Tombstones: "the samples of series S in [mint, maxt] are deleted", for
// delete_series (docs/format/tombstones.md). DB keeps one immutable
// TombstoneSet behind a shared_ptr; readers wrap their SeriesSets with
// ApplyTombstones so deleted samples, and series left without samples,
// are never seen.
//
//   TombstoneSet ts;
//   ts.Add(labels, {1000, 2000});
//   RETURN_IF_ERROR(WriteTombstoneFile(env, TombstonePath(dir), ts));
//   auto filtered = ApplyTombstones(std::move(set), shared_ts);
#ifndef PROMLET_STORAGE_DB_TOMBSTONES_H_
#define PROMLET_STORAGE_DB_TOMBSTONES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/env.h"
#include "storage/api/labels.h"
#include "storage/api/querier.h"

namespace promlet::storage::db {

// Inclusive on both ends, like Prometheus's tombstones.Interval.
struct Interval {
  int64_t mint_ms = 0;
  int64_t maxt_ms = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// Sorted, disjoint, non-adjacent.
using Intervals = std::vector<Interval>;

// Adds `iv` (mint <= maxt), merging it with the intervals it overlaps or
// touches.
void AddInterval(Intervals* intervals, Interval iv);
// True if t lies in one of the intervals.
bool IntervalsContain(const Intervals& intervals, int64_t t_ms);

// Deleted intervals by series. Thread-compatible; shared read-only once
// published.
class TombstoneSet {
 public:
  void Add(const Labels& series, Interval iv);
  // The series' deleted intervals, or null if none.
  const Intervals* Find(const Labels& series) const;
  // Replaces the series' intervals; an empty list removes the series.
  void Set(const Labels& series, Intervals intervals);

  bool empty() const { return by_series_.empty(); }
  size_t size() const { return by_series_.size(); }
  const absl::flat_hash_map<Labels, Intervals>& entries() const { return by_series_; }
  // The series, sorted by labels.
  std::vector<Labels> SortedSeries() const;

  friend bool operator==(const TombstoneSet& a, const TombstoneSet& b) {
    return a.by_series_ == b.by_series_;
  }

 private:
  absl::flat_hash_map<Labels, Intervals> by_series_;
};

// The file format of docs/format/tombstones.md.
std::string EncodeTombstones(const TombstoneSet& set);
// DataLoss when `data` is not a well-formed tombstones file.
absl::StatusOr<TombstoneSet> DecodeTombstones(std::string_view data);

// `dir`/tombstones.
std::string TombstonePath(std::string_view dir);
// Reads the file; an absent file is an empty set. Errors: DataLoss (bad
// contents), I/O.
absl::StatusOr<TombstoneSet> ReadTombstoneFile(base::Env* env, const std::string& path);
// Replaces the file atomically (tmp + fsync + rename + fsync dir); removes
// it when the set is empty.
absl::Status WriteTombstoneFile(base::Env* env, const std::string& path,
                                const TombstoneSet& set);

// `set` without the samples under `tombstones`, and without the series
// left with no sample. Returns `set` itself when there are no tombstones.
std::unique_ptr<SeriesSet> ApplyTombstones(std::unique_ptr<SeriesSet> set,
                                           std::shared_ptr<const TombstoneSet> tombstones);

}  // namespace promlet::storage::db

#endif  // PROMLET_STORAGE_DB_TOMBSTONES_H_
