#include "scrape/discovery/dns_sd.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace promlet::scrape {
namespace {

std::string JoinHostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

}  // namespace

DiscoveryResult DnsSd::Refresh() {
  DiscoveryResult r;
  for (const std::string& name : cfg_.names) {
    TargetGroup g;
    g.source = name;
    absl::Status status;
    if (cfg_.type == "SRV") {
      absl::StatusOr<std::vector<SrvRecord>> recs = resolver_->LookupSrv(name);
      status = recs.status();
      if (recs.ok()) {
        for (const SrvRecord& s : *recs) {
          g.targets.push_back(storage::Labels::FromPairs({{"__address__", JoinHostPort(s.target, s.port)},
                                                          {"__meta_dns_name", name},
                                                          {"__meta_dns_srv_record_target", s.target},
                                                          {"__meta_dns_srv_record_port", std::to_string(s.port)}}));
          if (hosts_ != nullptr && !resolver_->server().empty()) {
            absl::StatusOr<std::vector<std::string>> addrs = resolver_->LookupAddrs(s.target, false);
            if (addrs.ok() && !addrs->empty()) {
              hosts_->Set(s.target, addrs->front());
            } else if (!addrs.ok()) {
              r.errors.push_back(absl::StrCat("dns_sd resolving SRV target ", s.target, ": ", addrs.status().message()));
            }
          }
        }
      }
    } else {
      absl::StatusOr<std::vector<std::string>> addrs = resolver_->LookupAddrs(name, cfg_.type == "AAAA");
      status = addrs.status();
      if (addrs.ok()) {
        for (const std::string& a : *addrs) {
          g.targets.push_back(storage::Labels::FromPairs(
              {{"__address__", JoinHostPort(a, cfg_.port)}, {"__meta_dns_name", name}}));
        }
      }
    }
    if (status.ok()) {
      last_good_[name] = g;
    } else {
      r.errors.push_back(absl::StrCat("dns_sd ", name, ": ", status.message()));
    }
    if (auto it = last_good_.find(name); it != last_good_.end()) r.groups.push_back(it->second);
  }
  return r;
}

std::string DnsSd::name() const {
  return absl::StrCat("dns_sd[", cfg_.type, " ", absl::StrJoin(cfg_.names, ","), "]");
}

}  // namespace promlet::scrape
