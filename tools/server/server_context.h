// What the HTTP handlers of the server share: the storage, the scraper, the
// running configuration and the lifecycle hooks. Owned by RunServer.
#ifndef PROMLET_TOOLS_SERVER_SERVER_CONTEXT_H_
#define PROMLET_TOOLS_SERVER_SERVER_CONTEXT_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scrape/loop/scrape_manager.h"
#include "storage/db/db.h"
#include "tools/server/metrics_registry.h"
#include "tools/server/serve_options.h"

namespace promlet::tools {

// Thread-safe: handlers run on cpp-httplib's pool.
struct ServerContext {
  ServeOptions options;
  absl::Time start_time;
  storage::db::DB* db = nullptr;                 // borrowed
  scrape::ScrapeManager* scraper = nullptr;      // borrowed
  storage::Labels external_labels;
  MetricsRegistry* registry = nullptr;
  std::atomic<bool> ready{false};

  // Reloads the configuration; the error says why when it was rejected.
  std::function<absl::Status()> reload;
  // Asks the server to shut down gracefully.
  std::function<void()> quit;

  absl::Mutex mu;
  std::string config_yaml ABSL_GUARDED_BY(mu);  // shown by /api/v1/status/config
  absl::Time last_config_time ABSL_GUARDED_BY(mu);
};

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_SERVER_CONTEXT_H_
