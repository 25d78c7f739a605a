#include "tools/server/web_server.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "tools/server/web_assets.h"

namespace promlet::tools {
namespace {

// Pages of the UI; all are the same document, routed client-side.
constexpr const char* kUiPages[] = {"/", "/graph", "/targets", "/tsdb-status", "/query"};

// cpp-httplib runs the pre-routing handler, the route and the logger of one
// request on the same worker thread, so the start time can live here.
thread_local std::chrono::steady_clock::time_point request_start;

}  // namespace

absl::Status SplitHostPort(const std::string& address, std::string* host, int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\": missing port"));
  }
  *host = address.substr(0, colon);
  if (absl::StartsWith(*host, "[") && absl::EndsWith(*host, "]")) {
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty()) *host = "0.0.0.0";
  if (!absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\": invalid port"));
  }
  return absl::OkStatus();
}

std::string HandlerLabel(const std::string& path) {
  if (absl::StartsWith(path, "/api/v1/label/") && absl::EndsWith(path, "/values")) {
    return "/api/v1/label/:name/values";
  }
  if (absl::StartsWith(path, "/static/")) return "/static/*filepath";
  for (const char* page : kUiPages) {
    if (path == page) return path;
  }
  if (absl::StartsWith(path, "/api/") || absl::StartsWith(path, "/-/") || path == "/metrics" ||
      path == "/federate") {
    return path;
  }
  return "other";
}

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Create(const WebServerOptions& options,
                                                             HttpMetrics* metrics) {
  std::unique_ptr<WebServer> ws(new WebServer());
  ws->metrics_ = metrics;
  absl::Status split = SplitHostPort(options.listen_address, &ws->host_, &ws->requested_port_);
  if (!split.ok()) return split;
  const WebConfig& wc = options.web_config;
  if (wc.tls_enabled()) {
    auto ssl = std::make_unique<httplib::SSLServer>(wc.tls_cert_file.c_str(), wc.tls_key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("web config: cannot load TLS certificate ",
                                                     wc.tls_cert_file, " / key ", wc.tls_key_file));
    }
    ws->server_ = std::move(ssl);
    ws->tls_ = true;
  } else {
    ws->server_ = std::make_unique<httplib::Server>();
  }
  if (wc.auth_enabled()) ws->auth_ = std::make_unique<BasicAuthChecker>(wc.basic_auth_users);

  httplib::Server& s = *ws->server_;
  // Headers and body go out in separate writes: without TCP_NODELAY, Nagle
  // plus the client's delayed ACK add ~40 ms to keep-alive responses.
  s.set_tcp_nodelay(true);
  BasicAuthChecker* auth = ws->auth_.get();
  s.set_pre_routing_handler([auth](const httplib::Request& req, httplib::Response& res) {
    request_start = std::chrono::steady_clock::now();
    if (auth != nullptr && !auth->Check(req.get_header_value("Authorization"))) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Basic");
      res.set_content("Unauthorized\n", "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_logger([metrics](const httplib::Request& req, const httplib::Response& res) {
    if (metrics == nullptr) return;
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - request_start;
    metrics->Observe(HandlerLabel(req.path), res.status, elapsed.count());
  });

  const WebAsset* page = FindWebAsset("/");
  for (const char* p : kUiPages) {
    s.Get(p, [page](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(page->body), std::string(page->content_type).c_str());
    });
  }
  s.Get("/static/(.*)", [](const httplib::Request& req, httplib::Response& res) {
    const WebAsset* a = FindWebAsset(req.path);
    if (a == nullptr) {
      res.status = 404;
      res.set_content("404 page not found\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(a->body), std::string(a->content_type).c_str());
  });
  return ws;
}

WebServer::~WebServer() { Stop(); }

absl::Status WebServer::Start() {
  if (requested_port_ == 0) {
    port_ = server_->bind_to_any_port(host_);
    if (port_ < 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", host_));
  } else {
    if (!server_->bind_to_port(host_.c_str(), requested_port_)) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", host_, ":", requested_port_, " (address in use?)"));
    }
    port_ = requested_port_;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void WebServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace promlet::tools
