// Host name -> address, filled by DNS discovery when it resolves SRV
// targets through its own resolver (--discovery.dns-server), and read by the
// scrape client so `backend1.example.local:3001` connects where discovery
// said, even when the system resolver does not know that name.
#ifndef PROMLET_SCRAPE_DISCOVERY_HOST_MAP_H_
#define PROMLET_SCRAPE_DISCOVERY_HOST_MAP_H_

#include <map>
#include <string>

#include "absl/synchronization/mutex.h"

namespace promlet::scrape {

// Thread-safe.
class HostMap {
 public:
  void Set(const std::string& host, const std::string& addr) {
    absl::MutexLock l(&mu_);
    map_[host] = addr;
  }
  // "" when unknown.
  std::string Get(const std::string& host) const {
    absl::MutexLock l(&mu_);
    auto it = map_.find(host);
    return it == map_.end() ? "" : it->second;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::string> map_ ABSL_GUARDED_BY(mu_);
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_DISCOVERY_HOST_MAP_H_
