// Cardinality statistics for `promlet tsdb analyze` and /api/v1/status/tsdb
// (Prometheus `index.PostingsStats`): top-N metric names by series, label
// names by distinct values, label names by bytes of values, label pairs by
// series. Feed every label pair once with its series count.
//
//   CardinalityBuilder b;
//   postings.ForEachPair([&](auto n, auto v, uint32_t c) { b.AddPair(n, v, c); });
//   CardinalityStats s = b.Build(/*top_n=*/10, num_series);
#ifndef PROMLET_STORAGE_INDEX_CARDINALITY_H_
#define PROMLET_STORAGE_INDEX_CARDINALITY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/strings.h"

namespace promlet::storage::index {

struct CardinalityStats {
  struct Entry {
    std::string name;
    uint64_t value = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  uint64_t num_series = 0;
  uint64_t num_label_pairs = 0;
  // Each sorted by value descending, then name; at most top_n entries.
  std::vector<Entry> series_count_by_metric_name;
  std::vector<Entry> label_value_count_by_label_name;
  std::vector<Entry> memory_in_bytes_by_label_name;  // sum of len(value) * series
  std::vector<Entry> series_count_by_label_value_pair;  // name "n=v"
};

// Thread-compatible.
class CardinalityBuilder {
 public:
  void AddPair(std::string_view name, std::string_view value, uint64_t num_series);
  CardinalityStats Build(size_t top_n, uint64_t num_series) const;

 private:
  struct NameAgg {
    uint64_t values = 0;
    uint64_t bytes = 0;
  };
  absl::flat_hash_map<std::string, NameAgg, base::StringHash, base::StringEq> names_;
  std::vector<CardinalityStats::Entry> metrics_;
  std::vector<CardinalityStats::Entry> pairs_;
  uint64_t num_pairs_ = 0;
};

}  // namespace promlet::storage::index

#endif  // PROMLET_STORAGE_INDEX_CARDINALITY_H_
