// Starts the real promlet binary for end-to-end tests, plus the fixture
// target they scrape: an HTTP server whose counters and classic histogram
// grow by fixed steps on every scrape, so rates and quantiles are exact.
#ifndef PROMLET_TESTS_INTEGRATION_SERVER_SERVER_HARNESS_H_
#define PROMLET_TESTS_INTEGRATION_SERVER_SERVER_HARNESS_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/subprocess.h"

namespace httplib {
class Server;
}

namespace promlet::testing {

// Serves /metrics: fixture_requests_total and fixture_request_duration_seconds
// (buckets 0.1, 0.5, 1, +Inf growing by 10, 30, 40, 40 per scrape), so
// histogram_quantile(0.5, rate(..._bucket[..])) is exactly 0.3.
class FixtureTarget {
 public:
  FixtureTarget();
  ~FixtureTarget();
  int port() const { return port_; }
  int scrapes() const { return scrapes_.load(); }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> scrapes_{0};
};

struct PromletProcess {
  std::string data_dir;
  int port = 0;
  std::unique_ptr<Subprocess> process;
};

// Starts promlet with `extra_args`; waits for /-/ready (false on timeout).
bool StartPromlet(PromletProcess* p, const std::vector<std::string>& extra_args,
                  const std::string& scheme = "http");

// GET http://127.0.0.1:port<path>; the body, or "" with *status = -1.
std::string HttpGet(int port, const std::string& path, int* status);

}  // namespace promlet::testing

#endif  // PROMLET_TESTS_INTEGRATION_SERVER_SERVER_HARNESS_H_
