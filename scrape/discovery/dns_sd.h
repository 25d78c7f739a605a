// dns_sd_configs: SRV records (address = target:port, like Prometheus) or
// A/AAAA records (address = ip:port from the config). Labels
// __meta_dns_name, __meta_dns_srv_record_target, __meta_dns_srv_record_port.
// A failed lookup keeps that name's last good group; NXDOMAIN is an empty
// group (Prometheus does the same). With a HostMap, SRV target names are
// also resolved through the same resolver and recorded for the scraper.
#ifndef PROMLET_SCRAPE_DISCOVERY_DNS_SD_H_
#define PROMLET_SCRAPE_DISCOVERY_DNS_SD_H_

#include <map>
#include <string>

#include "scrape/config/config.h"
#include "scrape/discovery/discoverer.h"
#include "scrape/discovery/host_map.h"
#include "scrape/discovery/resolver.h"

namespace promlet::scrape {

// Thread-compatible. `resolver` and `hosts` (may be null) are borrowed and
// outlive this object.
class DnsSd : public Discoverer {
 public:
  DnsSd(DnsSdConfig cfg, const Resolver* resolver, HostMap* hosts)
      : cfg_(std::move(cfg)), resolver_(resolver), hosts_(hosts) {}
  DiscoveryResult Refresh() override;
  absl::Duration refresh_interval() const override { return cfg_.refresh_interval; }
  std::string name() const override;

 private:
  DnsSdConfig cfg_;
  const Resolver* resolver_;
  HostMap* hosts_;
  std::map<std::string, TargetGroup> last_good_;  // by name
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_DISCOVERY_DNS_SD_H_
