// Fetching one target's exposition: the Scraper seam (so loops can be tested
// without sockets) and its HTTP implementation over cpp-httplib with
// Prometheus's request shape: the Accept header from textparse, gzip,
// X-Prometheus-Scrape-Timeout-Seconds, a whole-request deadline,
// body_size_limit, TLS and basic/bearer auth.
#ifndef PROMLET_SCRAPE_LOOP_SCRAPER_H_
#define PROMLET_SCRAPE_LOOP_SCRAPER_H_

#include <memory>
#include <string>
#include <string_view>

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

// Fetches `url`: http with PlainHttpClient, following http redirects itself
// (up to 10, like Go's http.Client); https, and a redirect to https, with
// cpp-httplib.
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
  struct Endpoint;
  void BuildRequest(const Endpoint& e, absl::Duration timeout);
  absl::Status RefusedError() const;
  static absl::Status RefusedError(const Endpoint& e);
  static std::string ResolveRedirect(const Endpoint& base, std::string_view location);

 public:
  // The URL a redirect's `location` refers to from a request for
  // `base_url` (RFC 3986 resolution, like Go). Public for tests.
  static std::string ResolveRedirect(std::string_view base_url, std::string_view location);

 private:

  const std::string url_;
  const HttpClientConfig http_;
  const int64_t body_size_limit_;
  const HostMap* hosts_;
  std::unique_ptr<Endpoint> target_;
  std::unique_ptr<PlainHttpClient> plain_;  // set for http:// URLs
  std::string request_;                     // reused between scrapes
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_SCRAPER_H_
