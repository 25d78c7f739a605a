// A small blocking DNS client over c-ares: SRV and A/AAAA lookups, either
// through the system's resolver configuration or through one server given
// as "HOST:PORT" (the --discovery.dns-server flag).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Resolver> r, Resolver::Create("127.0.0.1:5353"));
//   ASSIGN_OR_RETURN(std::vector<SrvRecord> srv, r->LookupSrv("_api._tcp.example.local"));
#ifndef PROMLET_SCRAPE_DISCOVERY_RESOLVER_H_
#define PROMLET_SCRAPE_DISCOVERY_RESOLVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace promlet::scrape {

struct SrvRecord {
  std::string target;  // without the trailing dot
  uint16_t port = 0;
  uint16_t priority = 0;
  uint16_t weight = 0;
};

// Thread-safe: every lookup uses its own c-ares channel.
class Resolver {
 public:
  // `server` is "" (system resolver) or "HOST:PORT"/"HOST" (IPv6 as
  // "[::1]:53"). `timeout` bounds one lookup attempt; two attempts are made.
  static absl::StatusOr<std::unique_ptr<Resolver>> Create(std::string server,
                                                          absl::Duration timeout = absl::Seconds(2));

  // A name that does not exist (NXDOMAIN) or has no such records gives an
  // empty list, like Prometheus; timeouts and refusals are Unavailable.
  absl::StatusOr<std::vector<SrvRecord>> LookupSrv(const std::string& name) const;
  // Addresses as text ("10.0.0.1", "::1"); ipv6 selects AAAA.
  absl::StatusOr<std::vector<std::string>> LookupAddrs(const std::string& name, bool ipv6) const;

  const std::string& server() const { return server_; }

 private:
  Resolver(std::string server, absl::Duration timeout) : server_(std::move(server)), timeout_(timeout) {}
  struct Answer;
  absl::Status Query(const std::string& name, int type, Answer* out) const;

  const std::string server_;
  const absl::Duration timeout_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_DISCOVERY_RESOLVER_H_
