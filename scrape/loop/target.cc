#include "scrape/loop/target.h"

namespace promlet::scrape {

std::string_view TargetHealthName(TargetHealth h) {
  switch (h) {
    case TargetHealth::kUp: return "up";
    case TargetHealth::kDown: return "down";
    case TargetHealth::kUnknown: break;
  }
  return "unknown";
}

namespace {
uint64_t Fnv(std::string_view s, uint64_t h) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}
}  // namespace

Target::Target(std::string job, std::string url, storage::Labels labels, storage::Labels public_labels,
               storage::Labels discovered, absl::Duration interval, absl::Duration timeout)
    : job_(std::move(job)),
      url_(std::move(url)),
      labels_(std::move(labels)),
      public_labels_(std::move(public_labels)),
      discovered_(std::move(discovered)),
      interval_(interval),
      timeout_(timeout),
      hash_(Fnv(url_, labels_.StableHash())) {}

void Target::Report(absl::Time start, absl::Duration took, const std::string& error, uint64_t samples) {
  absl::MutexLock l(&mu_);
  health_ = error.empty() ? TargetHealth::kUp : TargetHealth::kDown;
  last_error_ = error;
  last_scrape_ = start;
  last_duration_ = took;
  last_samples_ = samples;
}

TargetSnapshot Target::Snapshot() const {
  TargetSnapshot s;
  s.job = job_;
  s.scrape_url = url_;
  s.labels = public_labels_;
  s.discovered_labels = discovered_;
  s.scrape_interval = interval_;
  s.scrape_timeout = timeout_;
  absl::MutexLock l(&mu_);
  s.health = health_;
  s.last_error = last_error_;
  s.last_scrape = last_scrape_;
  s.last_scrape_duration = last_duration_;
  s.last_samples = last_samples_;
  return s;
}

void Target::SetMetadata(std::map<std::string, MetricMetadata> m) {
  absl::MutexLock l(&mu_);
  metadata_ = std::move(m);
}

std::map<std::string, MetricMetadata> Target::Metadata() const {
  absl::MutexLock l(&mu_);
  return metadata_;
}

}  // namespace promlet::scrape
