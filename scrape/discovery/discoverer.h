// Target discovery providers. A provider is polled: Refresh() returns the
// provider's complete current set of target groups, keeping the last good
// groups of any source that failed this time (a broken file, a failed DNS
// lookup) and listing what failed in `errors`. The scrape manager runs the
// providers on its discovery thread; tests call Refresh() directly.
//
//   FileSd sd(file_sd_config);
//   DiscoveryResult r = sd.Refresh();   // r.groups, r.errors
//   if (sd.Changed()) ...               // cheap mtime check between refreshes
#ifndef PROMLET_SCRAPE_DISCOVERY_DISCOVERER_H_
#define PROMLET_SCRAPE_DISCOVERY_DISCOVERER_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scrape/config/target_group.h"

namespace promlet::scrape {

struct DiscoveryResult {
  std::vector<TargetGroup> groups;
  std::vector<std::string> errors;
};

// Thread-compatible: one thread drives a provider.
class Discoverer {
 public:
  virtual ~Discoverer() = default;
  virtual DiscoveryResult Refresh() = 0;
  // How often Refresh() must run even when nothing signals a change;
  // InfiniteDuration for static groups.
  virtual absl::Duration refresh_interval() const = 0;
  // True when a refresh is worth doing now (file_sd: a watched file changed).
  virtual bool Changed() { return false; }
  // Short description for logs and errors, e.g. "file_sd[targets/*.json]".
  virtual std::string name() const = 0;
};

// static_configs: the groups never change.
class StaticDiscoverer : public Discoverer {
 public:
  explicit StaticDiscoverer(std::vector<TargetGroup> groups) : groups_(std::move(groups)) {}
  DiscoveryResult Refresh() override { return {groups_, {}}; }
  absl::Duration refresh_interval() const override { return absl::InfiniteDuration(); }
  std::string name() const override { return "static"; }

 private:
  std::vector<TargetGroup> groups_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_DISCOVERY_DISCOVERER_H_
