// Fetching one target's exposition: the Scraper seam (so loops can be tested
// without sockets) and its HTTP implementation over cpp-httplib with
// Prometheus's request shape: the Accept header from textparse, gzip,
// X-Prometheus-Scrape-Timeout-Seconds, a whole-request deadline,
// body_size_limit, TLS and basic/bearer auth.
#ifndef PROMLET_SCRAPE_LOOP_SCRAPER_H_
#define PROMLET_SCRAPE_LOOP_SCRAPER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "scrape/config/config.h"
#include "scrape/discovery/host_map.h"

namespace httplib {
class Client;
}

namespace promlet::scrape {

// Thread-compatible: one per target, used by one scrape at a time.
class Scraper {
 public:
  virtual ~Scraper() = default;
  // Replaces *body (keeping its capacity) and *content_type. Errors are
  // Unavailable/DeadlineExceeded/ResourceExhausted with Prometheus-like text:
  // "server returned HTTP status 500 Internal Server Error",
  // "body size limit exceeded", "context deadline exceeded", ...
  virtual absl::Status Scrape(absl::Duration timeout, std::string* body, std::string* content_type) = 0;
};

class PlainHttpClient;

// Fetches `url`: http with PlainHttpClient (falling back to cpp-httplib to
// follow a redirect), https with cpp-httplib.
class HttpScraper : public Scraper {
 public:
  // `hosts` (may be null, borrowed) maps host names found by DNS discovery to
  // addresses.
  HttpScraper(std::string url, const HttpClientConfig& http, int64_t body_size_limit, const HostMap* hosts);
  ~HttpScraper() override;
  absl::Status Scrape(absl::Duration timeout, std::string* body, std::string* content_type) override;

 private:
  absl::Status Setup();
  absl::Status ScrapeWithHttplib(absl::Duration timeout, std::string* body, std::string* content_type);
  absl::Status ScrapePlain(absl::Duration timeout, std::string* body, std::string* content_type);
  absl::Status RefusedError() const;

  const std::string url_;
  const HttpClientConfig http_;
  const int64_t body_size_limit_;
  const HostMap* hosts_;
  std::string scheme_host_port_, host_, host_port_, path_;
  int port_ = 80;
  std::unique_ptr<PlainHttpClient> plain_;  // set for http:// URLs
  std::string request_;                     // reused between scrapes
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_SCRAPER_H_
