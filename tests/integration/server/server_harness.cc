#include "tests/integration/server/server_harness.h"

#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace promlet::testing {

FixtureTarget::FixtureTarget() : server_(std::make_unique<httplib::Server>()) {
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    const int n = ++scrapes_;
    std::string body = absl::StrCat(
        "# HELP fixture_requests_total Requests served.\n"
        "# TYPE fixture_requests_total counter\n"
        "fixture_requests_total{route=\"/api\"} ", 5 * n, "\n",
        "# HELP fixture_request_duration_seconds Request latency.\n"
        "# TYPE fixture_request_duration_seconds histogram\n"
        "fixture_request_duration_seconds_bucket{le=\"0.1\"} ", 10 * n, "\n",
        "fixture_request_duration_seconds_bucket{le=\"0.5\"} ", 30 * n, "\n",
        "fixture_request_duration_seconds_bucket{le=\"1\"} ", 40 * n, "\n",
        "fixture_request_duration_seconds_bucket{le=\"+Inf\"} ", 40 * n, "\n",
        "fixture_request_duration_seconds_sum ", 12 * n, "\n",
        "fixture_request_duration_seconds_count ", 40 * n, "\n");
    res.set_content(body, "text/plain; version=0.0.4");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

FixtureTarget::~FixtureTarget() {
  server_->stop();
  thread_.join();
}

bool StartPromlet(PromletProcess* p, const std::vector<std::string>& extra_args,
                  const std::string& scheme) {
  if (p->port == 0) p->port = FreePort();
  if (p->data_dir.empty()) p->data_dir = MakeTempDir("promlet-e2e");
  std::vector<std::string> argv = {PROMLET_BINARY,
                                   "--storage.tsdb.path=" + p->data_dir,
                                   absl::StrCat("--web.listen-address=127.0.0.1:", p->port)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  p->process = std::make_unique<Subprocess>(argv, p->data_dir + ".log");
  if (!p->process->Start().ok()) return false;
  if (scheme == "https") return true;  // the caller polls with its own client
  return WaitForHttp("127.0.0.1", p->port, "/-/ready", absl::Seconds(60));
}

std::string HttpGet(int port, const std::string& path, int* status) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  auto res = c.Get(path.c_str());
  if (!res) {
    *status = -1;
    return "";
  }
  *status = res->status;
  return res->body;
}

}  // namespace promlet::testing
