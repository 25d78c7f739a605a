#include "storage/index/cardinality.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "storage/api/labels.h"

namespace promlet::storage::index {
namespace {

using Entry = CardinalityStats::Entry;

std::vector<Entry> Top(std::vector<Entry> v, size_t n) {
  auto cmp = [](const Entry& a, const Entry& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  };
  if (v.size() > n) {
    std::partial_sort(v.begin(), v.begin() + n, v.end(), cmp);
    v.resize(n);
  } else {
    std::sort(v.begin(), v.end(), cmp);
  }
  return v;
}

}  // namespace

void CardinalityBuilder::AddPair(std::string_view name, std::string_view value,
                                 uint64_t num_series) {
  ++num_pairs_;
  auto it = names_.find(name);
  if (it == names_.end()) it = names_.emplace(std::string(name), NameAgg{}).first;
  it->second.values++;
  it->second.bytes += value.size() * num_series;
  if (name == kMetricName) metrics_.push_back({std::string(value), num_series});
  pairs_.push_back({absl::StrCat(base::Absl(name), "=", base::Absl(value)), num_series});
}

CardinalityStats CardinalityBuilder::Build(size_t top_n, uint64_t num_series) const {
  CardinalityStats s;
  s.num_series = num_series;
  s.num_label_pairs = num_pairs_;
  std::vector<Entry> values, bytes;
  for (const auto& [n, agg] : names_) {
    values.push_back({n, agg.values});
    bytes.push_back({n, agg.bytes});
  }
  s.series_count_by_metric_name = Top(metrics_, top_n);
  s.label_value_count_by_label_name = Top(std::move(values), top_n);
  s.memory_in_bytes_by_label_name = Top(std::move(bytes), top_n);
  s.series_count_by_label_value_pair = Top(pairs_, top_n);
  return s;
}

}  // namespace promlet::storage::index
