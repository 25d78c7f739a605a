// A scrape target and its state for the HTTP API (/api/v1/targets and
// /api/v1/targets/metadata): health, labels, discovered labels, last scrape
// time and duration, last error, scrape URL, and the HELP/TYPE/UNIT
// metadata of the metric families it exposes.
#ifndef PROMLET_SCRAPE_LOOP_TARGET_H_
#define PROMLET_SCRAPE_LOOP_TARGET_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/api/labels.h"

namespace promlet::scrape {

enum class TargetHealth { kUnknown, kUp, kDown };
std::string_view TargetHealthName(TargetHealth h);  // "unknown", "up", "down"

struct MetricMetadata {
  std::string type = "unknown";  // counter, gauge, histogram, summary, ...
  std::string help;
  std::string unit;
  friend bool operator==(const MetricMetadata&, const MetricMetadata&) = default;
};

// A copy of a target's state at one moment.
struct TargetSnapshot {
  std::string job;
  std::string scrape_url;
  storage::Labels labels;             // public labels (no "__" names)
  storage::Labels discovered_labels;  // before relabeling
  absl::Duration scrape_interval;
  absl::Duration scrape_timeout;
  TargetHealth health = TargetHealth::kUnknown;
  std::string last_error;
  absl::Time last_scrape = absl::InfinitePast();
  absl::Duration last_scrape_duration;
  uint64_t last_samples = 0;
};

// Thread-safe: the scrape loop writes, the API reads.
class Target {
 public:
  Target(std::string job, std::string url, storage::Labels labels, storage::Labels public_labels,
         storage::Labels discovered, absl::Duration interval, absl::Duration timeout);

  const std::string& job() const { return job_; }
  const std::string& url() const { return url_; }
  // Full labels including __address__, __scheme__, ... (immutable).
  const storage::Labels& labels() const { return labels_; }
  // What samples get: labels() without "__" names (immutable).
  const storage::Labels& public_labels() const { return public_labels_; }
  const storage::Labels& discovered_labels() const { return discovered_; }
  absl::Duration interval() const { return interval_; }
  absl::Duration timeout() const { return timeout_; }
  // Identity within a job: hash of labels and URL (Prometheus Target.hash).
  uint64_t hash() const { return hash_; }

  void Report(absl::Time start, absl::Duration took, const std::string& error, uint64_t samples);
  TargetSnapshot Snapshot() const;

  // Metadata by metric family name.
  void SetMetadata(std::map<std::string, MetricMetadata> m);
  std::map<std::string, MetricMetadata> Metadata() const;

 private:
  const std::string job_;
  const std::string url_;
  const storage::Labels labels_;
  const storage::Labels public_labels_;
  const storage::Labels discovered_;
  const absl::Duration interval_;
  const absl::Duration timeout_;
  const uint64_t hash_;

  mutable absl::Mutex mu_;
  TargetHealth health_ ABSL_GUARDED_BY(mu_) = TargetHealth::kUnknown;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  absl::Time last_scrape_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Duration last_duration_ ABSL_GUARDED_BY(mu_);
  uint64_t last_samples_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, MetricMetadata> metadata_ ABSL_GUARDED_BY(mu_);
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_TARGET_H_
