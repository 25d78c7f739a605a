// promlet's own /metrics: a registry of collectors that write the Prometheus
// text format at scrape time. Components keep plain counters in their own
// stats structs; the server registers one collector per component that reads
// them, so storage/scrape/query never depend on a metrics library.
//
//   registry.AddCollector([&](MetricsWriter& w) {
//     w.Family("promlet_tsdb_head_series", "Total number of series in the head block.", "gauge");
//     w.Sample("promlet_tsdb_head_series", {}, db->stats().series);
//   });
//   std::string body = registry.Render();
#ifndef PROMLET_TOOLS_SERVER_METRICS_REGISTRY_H_
#define PROMLET_TOOLS_SERVER_METRICS_REGISTRY_H_

#include <atomic>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace promlet::tools {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Writes text format 0.0.4. Thread-compatible.
class MetricsWriter {
 public:
  void Family(std::string_view name, std::string_view help, std::string_view type);
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  const std::string& body() const { return out_; }

 private:
  std::string out_;
};

// Appends v formatted like Go's strconv.FormatFloat(v, 'g', -1, 64) as the
// Prometheus client libraries write it (+Inf, -Inf, NaN).
void AppendMetricValue(std::string* out, double v);

// Counts and times HTTP requests by handler and code. Thread-safe.
class HttpMetrics {
 public:
  void Observe(const std::string& handler, int code, double seconds);
  void Collect(MetricsWriter& w) const;

 private:
  static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60};
  struct Histogram {
    std::vector<uint64_t> buckets = std::vector<uint64_t>(std::size(kBuckets), 0);
    uint64_t count = 0;
    double sum = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> durations_ ABSL_GUARDED_BY(mu_);
};

// A Prometheus summary: the 0.5, 0.9 and 0.99 quantiles of the
// observations of the last `window` (client_golang's MaxAge, 10 min by
// default; at most `max_kept` of them, the newest), plus _sum and _count
// over all time. Quantiles are NaN when the window is empty, like Go's.
// Thread-safe.
class Summary {
 public:
  explicit Summary(absl::Duration window = absl::Minutes(10), size_t max_kept = 4096)
      : window_(window), max_kept_(max_kept) {}
  void Observe(double v, absl::Time now = absl::Now());
  // name{labels...,quantile="q"}, name_sum{labels}, name_count{labels};
  // the caller writes the family header.
  void Collect(MetricsWriter& w, std::string_view name, const MetricLabels& labels,
               absl::Time now = absl::Now()) const;

 private:
  const absl::Duration window_;
  const size_t max_kept_;
  mutable absl::Mutex mu_;
  mutable std::deque<std::pair<absl::Time, double>> recent_ ABSL_GUARDED_BY(mu_);
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
};

// Thread-safe.
class MetricsRegistry {
 public:
  void AddCollector(std::function<void(MetricsWriter&)> collector);
  std::string Render() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::function<void(MetricsWriter&)>> collectors_ ABSL_GUARDED_BY(mu_);
};

// process_* metrics from /proc/self, like the Go client's process collector.
void CollectProcessMetrics(MetricsWriter& w, double start_time_seconds);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_METRICS_REGISTRY_H_
