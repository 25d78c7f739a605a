// The HTTP(S) front of the server: listens on --web.listen-address, applies
// --web.config.file (TLS, basic auth on every endpoint), counts requests by
// handler and code, and serves the embedded web UI. Handlers of the API are
// mounted on http() by their owners (query API, targets, status, admin).
//
//   ASSIGN_OR_RETURN(auto web, WebServer::Create(options, &http_metrics));
//   RegisterQueryApi(&web->http(), db, api_options);
//   RETURN_IF_ERROR(web->Start());   // binds, serves on a thread
//   ...
//   web->Stop();
#ifndef PROMLET_TOOLS_SERVER_WEB_SERVER_H_
#define PROMLET_TOOLS_SERVER_WEB_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "tools/server/metrics_registry.h"
#include "tools/server/web_config.h"

namespace httplib {
class Server;
}

namespace promlet::tools {

struct WebServerOptions {
  std::string listen_address = "127.0.0.1:9090";  // host:port, [v6]:port, or :port
  WebConfig web_config;
};

// Thread-safe for Start/Stop from one controlling thread.
class WebServer {
 public:
  static absl::StatusOr<std::unique_ptr<WebServer>> Create(const WebServerOptions& options,
                                                           HttpMetrics* metrics);
  ~WebServer();

  httplib::Server& http() { return *server_; }

  // Binds (error if the address is taken) and serves on a background thread.
  absl::Status Start();
  void Stop();
  int port() const { return port_; }
  bool tls() const { return tls_; }

 private:
  WebServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<BasicAuthChecker> auth_;
  HttpMetrics* metrics_ = nullptr;
  std::string host_;
  int requested_port_ = 0;
  int port_ = 0;
  bool tls_ = false;
  std::thread thread_;
};

// Splits "host:port", "[::1]:port" or ":port" (host defaults to 0.0.0.0).
absl::Status SplitHostPort(const std::string& address, std::string* host, int* port);

// The handler label for metrics: the route pattern, not the raw path, so
// label values stay bounded (e.g. /api/v1/label/:name/values).
std::string HandlerLabel(const std::string& path);

}  // namespace promlet::tools

#endif  // PROMLET_TOOLS_SERVER_WEB_SERVER_H_
