// End-to-end tests of the promlet server (issue 6): the real binary,
// scraping itself, node_exporter and a fixture target, queried through
// promtool and the HTTP API; restarts after SIGTERM and SIGKILL; TLS and
// basic auth; the web UI in headless Chromium.
#include <crypt.h>
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/server/server_harness.h"

namespace promlet::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string ScrapeConfig(const std::vector<std::pair<std::string, int>>& jobs) {
  std::string yaml = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n";
  for (const auto& [job, port] : jobs) {
    absl::StrAppend(&yaml, "  - job_name: ", job, "\n    static_configs:\n      - targets: ['127.0.0.1:",
                    port, "']\n");
  }
  return yaml;
}

// Polls until pred() or the deadline.
template <typename F>
bool Eventually(F pred, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return pred();
}

int CountOccurrences(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1)) ++n;
  return n;
}

// (timestamp, value) pairs of every series in a matrix JSON answer.
std::set<std::pair<std::string, std::string>> MatrixPoints(const std::string& json) {
  std::set<std::pair<std::string, std::string>> out;
  static const std::regex re(R"re(\[([0-9.]+),"([^"]+)"\])re");
  for (std::sregex_iterator it(json.begin(), json.end(), re), end; it != end; ++it) {
    out.emplace((*it)[1].str(), (*it)[2].str());
  }
  return out;
}

TEST(ServerE2ETest, ScrapesSelfNodeExporterAndFixture) {
  std::string missing;
  ASSERT_TRUE(RequireBinary("/usr/bin/prometheus-node-exporter", &missing)) << missing;
  ASSERT_TRUE(RequireBinary("/usr/bin/promtool", &missing)) << missing;
  FixtureTarget fixture;
  const int node_port = FreePort();
  Subprocess node({"/usr/bin/prometheus-node-exporter",
                   absl::StrCat("--web.listen-address=127.0.0.1:", node_port)});
  ASSERT_TRUE(node.Start().ok());
  ASSERT_TRUE(WaitForHttp("127.0.0.1", node_port, "/metrics", absl::Seconds(30))) << node.Log();

  PromletProcess p;
  p.port = FreePort();
  p.data_dir = MakeTempDir("promlet-e2e");
  const std::string config = p.data_dir + "-prometheus.yml";
  WriteFile(config, ScrapeConfig({{"promlet", p.port}, {"node", node_port}, {"fixture", fixture.port()}}));
  ASSERT_TRUE(StartPromlet(&p, {"--config.file=" + config})) << p.process->Log();

  int status;
  ASSERT_TRUE(Eventually(
      [&] {
        std::string t = HttpGet(p.port, "/api/v1/targets", &status);
        return CountOccurrences(t, "\"health\":\"up\"") == 3 && fixture.scrapes() >= 5;
      },
      absl::Seconds(40)))
      << HttpGet(p.port, "/api/v1/targets", &status) << "\n" << p.process->Log();

  const std::string url = absl::StrCat("http://127.0.0.1:", p.port);
  std::string out;
  ASSERT_EQ(RunCommand("/usr/bin/promtool query instant " + url + " 'up == 1'", &out), 0) << out;
  EXPECT_EQ(CountOccurrences(out, "=> 1 @"), 3) << out;
  for (const char* job : {"job=\"promlet\"", "job=\"node\"", "job=\"fixture\""}) {
    EXPECT_NE(out.find(job), std::string::npos) << out;
  }

  ASSERT_EQ(RunCommand("/usr/bin/promtool query instant " + url +
                           " 'histogram_quantile(0.5, rate(fixture_request_duration_seconds_bucket[30s]))'",
                       &out),
            0)
      << out;
  // 0.1 + 0.4 * (20 - 10) / (30 - 10) in floating point, like Prometheus.
  const size_t at = out.find("=> ");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_NEAR(std::stod(out.substr(at + 3)), 0.3, 1e-9) << out;

  // /metrics passes promtool's exposition checks.
  const std::string metrics = HttpGet(p.port, "/metrics", &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(metrics.find("promlet_tsdb_head_samples_appended_total"), std::string::npos);
  EXPECT_NE(metrics.find("promlet_tsdb_head_series"), std::string::npos);
  WriteFile(p.data_dir + "-metrics.txt", metrics);
  EXPECT_EQ(RunCommand("/usr/bin/promtool check metrics < " + p.data_dir + "-metrics.txt", &out), 0) << out;

  p.process->Stop();
  node.Stop();
  RemoveTree(p.data_dir);
}

// Samples served before the stop are served again after a restart.
void RestartKeepsSamples(int sig) {
  FixtureTarget fixture;
  PromletProcess p;
  p.port = FreePort();
  p.data_dir = MakeTempDir("promlet-restart");
  const std::string config = p.data_dir + "-prometheus.yml";
  WriteFile(config, ScrapeConfig({{"fixture", fixture.port()}}));
  ASSERT_TRUE(StartPromlet(&p, {"--config.file=" + config})) << p.process->Log();
  ASSERT_TRUE(Eventually([&] { return fixture.scrapes() >= 6; }, absl::Seconds(30)));

  int status;
  const std::string query = "/api/v1/query?query=fixture_requests_total%5B1h%5D";
  std::string before = HttpGet(p.port, query, &status);
  ASSERT_EQ(status, 200) << before;
  auto points_before = MatrixPoints(before);
  ASSERT_GE(points_before.size(), 4u) << before;

  p.process->Signal(sig);
  auto exit = p.process->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit.has_value());
  if (sig == SIGTERM) {
    EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0) << p.process->Log();
  }

  ASSERT_TRUE(StartPromlet(&p, {"--config.file=" + config})) << p.process->Log();
  std::string after = HttpGet(p.port, query, &status);
  ASSERT_EQ(status, 200) << after;
  auto points_after = MatrixPoints(after);
  for (const auto& pt : points_before) {
    EXPECT_TRUE(points_after.count(pt)) << "lost sample @" << pt.first << " = " << pt.second;
  }
  p.process->Stop();
  RemoveTree(p.data_dir);
}

TEST(ServerE2ETest, SigtermRestartLosesNothing) { RestartKeepsSamples(SIGTERM); }
TEST(ServerE2ETest, SigkillRestartKeepsEveryCommittedSample) { RestartKeepsSamples(SIGKILL); }

std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  crypt_gensalt_rn("$2y$", 5, nullptr, 0, salt, sizeof(salt));
  struct crypt_data data;
  data.initialized = 0;
  return crypt_r(password.c_str(), salt, &data);
}

TEST(ServerE2ETest, TlsAndBasicAuthGuardEveryEndpoint) {
  PromletProcess p;
  p.port = FreePort();
  p.data_dir = MakeTempDir("promlet-auth");
  std::string out;
  ASSERT_EQ(RunCommand("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
                           p.data_dir + "-key.pem -out " + p.data_dir + "-cert.pem",
                       &out),
            0)
      << out;
  const std::string web_config = p.data_dir + "-web.yml";
  WriteFile(web_config, absl::StrCat("tls_server_config:\n  cert_file: ", p.data_dir, "-cert.pem\n  key_file: ",
                                     p.data_dir, "-key.pem\nbasic_auth_users:\n  admin: ",
                                     BcryptHash("hunter2"), "\n"));
  ASSERT_TRUE(StartPromlet(&p, {"--web.config.file=" + web_config, "--web.enable-lifecycle"}, "https"));
  httplib::SSLClient c("127.0.0.1", p.port);
  c.enable_server_certificate_verification(false);
  ASSERT_TRUE(Eventually([&] { auto r = c.Get("/-/ready"); return r && r->status == 401; },
                         absl::Seconds(60)))
      << p.process->Log();
  const std::vector<std::string> endpoints = {
      "/", "/graph", "/static/app.js", "/-/healthy", "/-/ready", "/metrics",
      "/api/v1/query?query=up", "/api/v1/query_range?query=up&start=0&end=60&step=15",
      "/api/v1/series?match[]=up", "/api/v1/labels", "/api/v1/label/job/values",
      "/api/v1/targets", "/api/v1/metadata", "/api/v1/status/tsdb", "/api/v1/status/config",
      "/api/v1/status/flags", "/api/v1/status/buildinfo", "/api/v1/status/runtimeinfo",
      "/federate?match[]=up"};
  for (const std::string& path : endpoints) {
    auto r = c.Get(path.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  c.set_basic_auth("admin", "wrong");
  EXPECT_EQ(c.Get("/api/v1/labels")->status, 401);
  c.set_basic_auth("admin", "hunter2");
  for (const std::string& path : endpoints) {
    auto r = c.Get(path.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
  // Plain HTTP gets nothing from the TLS port.
  httplib::Client plain("127.0.0.1", p.port);
  auto r = plain.Get("/-/healthy");
  EXPECT_TRUE(!r || r->status != 200);
  p.process->Stop();
  RemoveTree(p.data_dir);
}

TEST(ServerE2ETest, BrowserRunsQueryDrawsGraphAndShowsTargets) {
  std::string missing;
  ASSERT_TRUE(RequireBinary("/usr/bin/chromium", &missing)) << missing;
  ASSERT_TRUE(RequireBinary("/usr/bin/node", &missing)) << missing;
  PromletProcess p;
  p.port = FreePort();
  p.data_dir = MakeTempDir("promlet-ui");
  const std::string config = p.data_dir + "-prometheus.yml";
  WriteFile(config, ScrapeConfig({{"promlet", p.port}}));
  ASSERT_TRUE(StartPromlet(&p, {"--config.file=" + config})) << p.process->Log();
  int status;
  ASSERT_TRUE(Eventually(
      [&] {
        return MatrixPoints(HttpGet(p.port, "/api/v1/query?query=up%5B1m%5D", &status)).size() >= 8;
      },
      absl::Seconds(30)));
  const std::string artifacts = std::string(PROMLET_BINARY_DIR) + "/test-artifacts";
  std::string out;
  RunCommand("mkdir -p " + artifacts, &out);
  const int rc = RunCommand(absl::StrCat("PROMLET_WEB_DIR=", PROMLET_WEB_DIR, " node ", PROMLET_SOURCE_DIR,
                                         "/tests/integration/server/ui_browser_test.mjs http://127.0.0.1:",
                                         p.port, " ", artifacts),
                            &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("ui test: ok"), std::string::npos) << out;
  std::ifstream png(artifacts + "/query-graph.png", std::ios::binary);
  EXPECT_TRUE(png.good()) << "screenshot missing";
  p.process->Stop();
  RemoveTree(p.data_dir);
}

}  // namespace
}  // namespace promlet::testing
