// Flags of `promlet serve` (and of bare `promlet`), named like Prometheus's.
#ifndef PROMLET_TOOLS_SERVER_SERVE_OPTIONS_H_
#define PROMLET_TOOLS_SERVER_SERVE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace promlet::tools {

struct ServeOptions {
  std::string config_file;  // empty: the embedded default (scrape itself)
  std::string tsdb_path = "data";
  std::string listen_address = "127.0.0.1:9090";
  std::string retention_time = "15d";
  std::string retention_size = "0";
  bool enable_lifecycle = false;
  bool enable_admin_api = false;
  std::string web_config_file;
  std::string lookback_delta = "5m";
  std::string query_timeout = "2m";
  int64_t max_samples = 50'000'000;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string dns_server;  // --discovery.dns-server HOST:PORT

  // Name/value pairs for /api/v1/status/flags, as given or defaulted.
  std::vector<std::pair<std::string, std::string>> AsFlags() const;
};

// The configuration used when no --config.file is given: promlet scrapes
// its own /metrics every 15 s.
std::string DefaultConfigYaml(const std::string& listen_address);

// Runs the server until SIGTERM/SIGINT or /-/quit; returns the exit code.
int RunServer(const ServeOptions& options);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_SERVE_OPTIONS_H_
