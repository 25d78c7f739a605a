// Registers promlet's own metrics on /metrics: storage (named like
// Prometheus's prometheus_tsdb_* with a promlet_ prefix), scraping, config
// reloads, HTTP requests, PromQL queries, build info and the process.
#ifndef PROMLET_TOOLS_SERVER_SELF_METRICS_H_
#define PROMLET_TOOLS_SERVER_SELF_METRICS_H_

#include <atomic>

#include "query/api/http_api.h"
#include "tools/server/metrics_registry.h"
#include "tools/server/server_context.h"

namespace httplib {
class Server;
}

namespace promlet::tools {

// Prometheus's prometheus_engine_* metrics, fed by the query API.
// Thread-safe.
class EngineMetrics : public query::QueryObserver {
 public:
  // `concurrent_max`: how many queries can run at once (the HTTP worker
  // threads: promlet has no query queue of its own).
  explicit EngineMetrics(int concurrent_max) : concurrent_max_(concurrent_max) {}
  void QueryStarted() override;
  void QueryFinished(const query::QueryTimings& timings) override;
  void Collect(MetricsWriter& w) const;

 private:
  const int concurrent_max_;
  std::atomic<int64_t> in_flight_{0};
  Summary prepare_time_, inner_eval_;
};

// `ctx`, `http` and `engine` are borrowed and must outlive the registry's use.
void RegisterSelfMetrics(MetricsRegistry* registry, ServerContext* ctx, HttpMetrics* http,
                         const EngineMetrics* engine);

// /api/v1/admin/tsdb/* (answers 403-style errors unless --web.enable-admin-api).
void RegisterAdminApi(httplib::Server* server, ServerContext* ctx);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_SELF_METRICS_H_
