// The shared world of the scrape integration test: in-process fixture
// targets, node_exporter, dnsmasq, a Prometheus 2.42 and promlet's
// ScrapeManager over MemStorage, all scraping the same targets every second.
#ifndef PROMLET_TESTS_INTEGRATION_SCRAPE_SCRAPE_ENV_H_
#define PROMLET_TESTS_INTEGRATION_SCRAPE_SCRAPE_ENV_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "httplib.h"
#include "scrape/loop/scrape_manager.h"
#include "storage/api/mem_storage.h"
#include "tests/testing/subprocess.h"

namespace promlet::scrape::itest {

// An HTTP target on a free loopback port serving /metrics and /api/metrics.
class Fixture {
 public:
  using Handler = std::function<void(httplib::Response&)>;
  explicit Fixture(Handler h);
  ~Fixture() { Stop(); }
  void Stop();
  int port() const { return port_; }
  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server srv_;
  std::thread thread_;
  int port_ = 0;
};

// What one side (promlet or Prometheus) holds for one target right now.
struct TargetView {
  std::set<std::string> series;  // canonical label sets of live series
  double up = -1;
  double samples_scraped = -1;
};
// job -> instance -> view.
using View = std::map<std::string, std::map<std::string, TargetView>>;

// Canonical text of a label set: le/quantile values in OpenMetrics float
// form (the Prometheus 3.x normalisation promlet follows; 2.42 keeps them
// as written).
std::string Canonical(const storage::Labels& l);

class ScrapeEnv {
 public:
  // Starts everything; returns an error naming what failed (a missing
  // binary fails loudly: CI installs them through scripts/setup.sh).
  absl::Status Start();
  void Stop();

  View PromletView();
  absl::StatusOr<View> PrometheusView();
  // Prometheus instant query; the raw JSON.
  absl::StatusOr<std::string> PrometheusQuery(const std::string& q, double time_s = 0);
  // Every sample promlet stored for series matching job/instance/name.
  std::vector<storage::Sample> PromletSamples(const std::string& name, const std::string& job,
                                              const std::string& instance);

  // Writes the file_sd file atomically with these addresses.
  void WriteFileSd(const std::vector<std::string>& addrs);
  std::string PromletConfigYaml(bool without_timeout_job = false) const;

  std::string dir;
  std::string promlet_config_path, prometheus_config_path;
  std::map<std::string, std::unique_ptr<Fixture>> fixtures;  // by name
  int refused_port = 0, node_port = 0, dns_port = 0, prom_port = 0;
  std::unique_ptr<testing::Subprocess> node, dnsmasq, prometheus;
  storage::MemStorage db;
  std::unique_ptr<ScrapeManager> manager;
};

}  // namespace promlet::scrape::itest

#endif  // PROMLET_TESTS_INTEGRATION_SCRAPE_SCRAPE_ENV_H_
