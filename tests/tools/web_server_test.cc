#include "tools/server/web_server.h"

#include <crypt.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace promlet::tools {
namespace {

std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2y$", 5, nullptr, 0, salt, sizeof(salt)), nullptr);
  struct crypt_data data;
  data.initialized = 0;
  return crypt_r(password.c_str(), salt, &data);
}

std::unique_ptr<WebServer> StartServer(WebConfig wc, HttpMetrics* metrics) {
  WebServerOptions opts;
  opts.listen_address = "127.0.0.1:0";
  opts.web_config = std::move(wc);
  auto ws = WebServer::Create(opts, metrics);
  EXPECT_TRUE(ws.ok()) << ws.status();
  (*ws)->http().Get("/api/v1/ping", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("pong", "text/plain");
  });
  EXPECT_TRUE((*ws)->Start().ok());
  return std::move(*ws);
}

TEST(WebServerTest, ServesUiAndCountsRequests) {
  HttpMetrics metrics;
  auto ws = StartServer({}, &metrics);
  httplib::Client c("127.0.0.1", ws->port());
  auto res = c.Get("/graph");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("<title>promlet</title>"), std::string::npos);
  res = c.Get("/static/uPlot.iife.min.js");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_GT(res->body.size(), 10000u);
  res = c.Get("/static/nope.js");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  // cpp-httplib calls the logger after the response is on the wire, so the
  // client can see the answer before the count: poll briefly.
  std::string body;
  for (int i = 0; i < 200; ++i) {
    MetricsWriter w;
    metrics.Collect(w);
    body = w.body();
    if (body.find(R"(code="404",handler="/static/*filepath"} 1)") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(body.find(R"(promlet_http_requests_total{code="200",handler="/graph"} 1)"), std::string::npos)
      << body;
  EXPECT_NE(body.find(R"(promlet_http_requests_total{code="404",handler="/static/*filepath"} 1)"),
            std::string::npos)
      << body;
}

TEST(WebServerTest, BasicAuthGuardsEveryEndpoint) {
  WebConfig wc;
  wc.basic_auth_users["alice"] = BcryptHash("s3cret");
  auto ws = StartServer(wc, nullptr);
  httplib::Client c("127.0.0.1", ws->port());
  for (const char* path : {"/", "/api/v1/ping", "/static/app.js", "/metrics", "/nope"}) {
    SCOPED_TRACE(path);
    auto res = c.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Basic");
  }
  c.set_basic_auth("alice", "wrong");
  EXPECT_EQ(c.Get("/api/v1/ping")->status, 401);
  c.set_basic_auth("bob", "s3cret");
  EXPECT_EQ(c.Get("/api/v1/ping")->status, 401);
  c.set_basic_auth("alice", "s3cret");
  auto res = c.Get("/api/v1/ping");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "pong");
  EXPECT_EQ(c.Get("/api/v1/ping")->status, 200);  // cached verification path
}

TEST(WebServerTest, ServesTls) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    FAIL() << "openssl CLI missing: run scripts/setup.sh";
  }
  auto dir = std::filesystem::temp_directory_path() / ("promlet-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
                    (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() +
                    " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string yaml = "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n";
  auto wc = ParseWebConfig(yaml, dir.string());
  ASSERT_TRUE(wc.ok()) << wc.status();
  auto ws = StartServer(*wc, nullptr);
  EXPECT_TRUE(ws->tls());
  httplib::SSLClient c("127.0.0.1", ws->port());
  c.enable_server_certificate_verification(false);
  auto res = c.Get("/api/v1/ping");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // Plain HTTP to a TLS port gets no answer.
  httplib::Client plain("127.0.0.1", ws->port());
  auto bad = plain.Get("/api/v1/ping");
  EXPECT_TRUE(!bad || bad->status != 200);
  ws->Stop();
  std::filesystem::remove_all(dir);
}

TEST(WebConfigTest, ErrorsArePositioned) {
  auto check = [](const std::string& yaml, const std::string& want) {
    SCOPED_TRACE(yaml);
    auto wc = ParseWebConfig(yaml, "");
    ASSERT_FALSE(wc.ok());
    EXPECT_NE(wc.status().message().find(want), std::string::npos) << wc.status();
  };
  check("tls_server_config:\n  cert_file: a\n  bogus: 1\n", "line 3, column 3: field bogus not found");
  check("basic_auth_users:\n  alice: plain\n", "not a bcrypt hash");
  check("tls_server_config:\n  cert_file: a\n", "needs both cert_file and key_file");
  check("nope: 1\n", "line 1, column 1: field nope not found in type web.Config");
}

TEST(SplitHostPortTest, Forms) {
  std::string host;
  int port;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:9090", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9090);
  ASSERT_TRUE(SplitHostPort("[::1]:80", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(SplitHostPort(":9090", &host, &port).ok());
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_FALSE(SplitHostPort("localhost", &host, &port).ok());
  EXPECT_FALSE(SplitHostPort("h:99999", &host, &port).ok());
}

}  // namespace
}  // namespace promlet::tools
