// The server's HTTP endpoints beside the query API: targets, metadata,
// status pages, /federate, /metrics, lifecycle (/-/healthy, /-/ready,
// /-/reload, /-/quit) and the admin API. JSON shapes are Prometheus's.
#ifndef PROMLET_TOOLS_SERVER_STATUS_API_H_
#define PROMLET_TOOLS_SERVER_STATUS_API_H_

#include <string>
#include <string_view>

#include "tools/server/server_context.h"

namespace httplib {
class Server;
struct Response;
}

namespace promlet::tools {

// `ctx` is borrowed and must outlive the server.
void RegisterStatusApi(httplib::Server* server, ServerContext* ctx);
void RegisterLifecycleApi(httplib::Server* server, ServerContext* ctx);
void RegisterFederateApi(httplib::Server* server, ServerContext* ctx);

// Writes Prometheus's error envelope {"status":"error","errorType":...}.
void WriteApiError(httplib::Response& res, int http_status, const char* error_type,
                   std::string_view message);

// Go time.RFC3339Nano in UTC, "0001-01-01T00:00:00Z" for the zero time.
std::string FormatRfc3339Nano(absl::Time t);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_STATUS_API_H_
