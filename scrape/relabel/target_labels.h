// From discovered label sets to scrape targets (Prometheus scrape/target.go
// PopulateLabels and TargetsFromGroup): job/interval/timeout/path/scheme and
// __param_* defaults, relabel_configs, address checks, `instance` from
// __address__, __meta_* labels removed.
//
//   std::vector<TargetLabels> ts;
//   std::vector<std::string> errs;
//   TargetsFromGroup(group, scrape_config, &ts, &errs);
#ifndef PROMLET_SCRAPE_RELABEL_TARGET_LABELS_H_
#define PROMLET_SCRAPE_RELABEL_TARGET_LABELS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scrape/config/config.h"
#include "storage/api/labels.h"

namespace promlet::scrape {

struct TargetLabels {
  // Final labels, still holding __address__, __scheme__, __metrics_path__,
  // __param_*, __scrape_interval__, __scrape_timeout__; empty when dropped.
  storage::Labels labels;
  // What discovery produced plus the job defaults, before relabeling.
  storage::Labels discovered;
};

// One target. A dropped target has empty `labels`. Errors are
// InvalidArgument ("no address", "invalid label value ...").
absl::StatusOr<TargetLabels> PopulateLabels(const storage::Labels& lset, const ScrapeConfig& cfg);

// All targets of a group, kept and dropped; one message per bad target in *errors.
void TargetsFromGroup(const TargetGroup& group, const ScrapeConfig& cfg,
                      std::vector<TargetLabels>* out, std::vector<std::string>* errors);

// The labels a target attaches to its samples: `labels` without the
// "__"-prefixed ones.
storage::Labels PublicLabels(const storage::Labels& labels);

// The scrape URL: __scheme__://__address____metrics_path__?params, where
// __param_<name> labels override the config's first value of that param.
std::string TargetUrl(const storage::Labels& labels, const ScrapeConfig& cfg);

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_RELABEL_TARGET_LABELS_H_
