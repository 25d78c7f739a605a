// Registers promlet's own metrics on /metrics: storage (named like
// Prometheus's prometheus_tsdb_* with a promlet_ prefix), scraping, config
// reloads, HTTP requests, build info and the process.
#ifndef PROMLET_TOOLS_SERVER_SELF_METRICS_H_
#define PROMLET_TOOLS_SERVER_SELF_METRICS_H_

#include "tools/server/metrics_registry.h"
#include "tools/server/server_context.h"

namespace httplib {
class Server;
}

namespace promlet::tools {

// `ctx` and `http` are borrowed and must outlive the registry's use.
void RegisterSelfMetrics(MetricsRegistry* registry, ServerContext* ctx, HttpMetrics* http);

// /api/v1/admin/tsdb/* (answers 403-style errors unless --web.enable-admin-api).
void RegisterAdminApi(httplib::Server* server, ServerContext* ctx);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_SELF_METRICS_H_
