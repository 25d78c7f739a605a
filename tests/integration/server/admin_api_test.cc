// The admin API of the real promlet binary: delete_series (Prometheus 2.42
// semantics) and clean_tombstones over imported blocks, across restarts,
// plus the engine metrics on /metrics.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/integration/server/server_harness.h"

namespace promlet::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kPoints = 180;  // one a minute

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// demo{i="0"}, demo{i="1"} and other: value k at t0 + 60k, k < kPoints.
std::string OpenMetrics(int64_t t0) {
  std::string out = "# TYPE demo gauge\n";
  for (const char* i : {"0", "1"}) {
    for (int k = 0; k < kPoints; ++k) absl::StrAppend(&out, "demo{i=\"", i, "\"} ", k, " ", t0 + 60 * k, "\n");
  }
  absl::StrAppend(&out, "# TYPE other gauge\n");
  for (int k = 0; k < kPoints; ++k) absl::StrAppend(&out, "other ", k, " ", t0 + 60 * k, "\n");
  absl::StrAppend(&out, "# EOF\n");
  return out;
}

std::set<std::string> BlockDirs(const std::string& data_dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(data_dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.size() == 26) out.insert(name);
  }
  return out;
}

std::string Get(int port, const std::string& path) {
  int status;
  std::string body = HttpGet(port, path, &status);
  EXPECT_EQ(status, 200) << path << "\n" << body;
  return body;
}

// Everything a reader sees after demo{i="0"} was deleted entirely and
// other in [t0+3600, t0+7199] s.
void ExpectDeleted(int port, int64_t t0) {
  SCOPED_TRACE(absl::StrCat("port ", port));
  const int64_t last = t0 + 60 * (kPoints - 1);
  const std::string series = Get(port, "/api/v1/series?match[]=demo");
  EXPECT_NE(series.find(R"("i":"1")"), std::string::npos) << series;
  EXPECT_EQ(series.find(R"("i":"0")"), std::string::npos) << series;
  EXPECT_EQ(Get(port, "/api/v1/label/i/values"), R"({"status":"success","data":["1"]})");
  const std::string count =
      Get(port, absl::StrCat("/api/v1/query?query=count_over_time(other[4h])&time=", last));
  EXPECT_NE(count.find(R"("120"])"), std::string::npos) << count;  // 180 - 60 deleted
  const std::string range = Get(port, absl::StrCat("/api/v1/query_range?query=demo&start=", t0,
                                                   "&end=", last, "&step=60"));
  EXPECT_NE(range.find(R"("i":"1")"), std::string::npos) << range;
  EXPECT_EQ(range.find(R"("i":"0")"), std::string::npos) << range;
  const std::string fed = Get(port, "/federate?match[]=demo");
  EXPECT_NE(fed.find("demo{i=\"1\""), std::string::npos) << fed;
  EXPECT_EQ(fed.find("demo{i=\"0\""), std::string::npos) << fed;
}

TEST(ServerAdminTest, DeleteSeriesAndCleanTombstones) {
  std::string missing;
  ASSERT_TRUE(RequireBinary("/usr/bin/promtool", &missing)) << missing;
  PromletProcess p;
  p.port = FreePort();
  p.data_dir = MakeTempDir("promlet-admin");
  // The newest sample 30 s ago: within the lookback of /federate.
  const int64_t t0 = absl::ToUnixSeconds(absl::Now()) - 60 * (kPoints - 1) - 30;
  WriteFile(p.data_dir + "-data.om", OpenMetrics(t0));
  std::string out;
  ASSERT_EQ(RunCommand(absl::StrCat(PROMLET_BINARY, " import openmetrics ", p.data_dir,
                                    "-data.om ", p.data_dir),
                       &out),
            0)
      << out;
  const std::set<std::string> imported = BlockDirs(p.data_dir);
  ASSERT_FALSE(imported.empty());
  const std::string config = p.data_dir + "-prometheus.yml";
  WriteFile(config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
  const std::vector<std::string> args = {"--config.file=" + config, "--web.enable-admin-api"};
  ASSERT_TRUE(StartPromlet(&p, args)) << p.process->Log();

  httplib::Client c("127.0.0.1", p.port);
  const char* kDelete = "/api/v1/admin/tsdb/delete_series";
  auto post = [&](const char* path, const httplib::Params& params) {
    auto r = c.Post(path, params);
    EXPECT_TRUE(r) << path;
    return r ? std::pair<int, std::string>{r->status, r->body} : std::pair<int, std::string>{-1, ""};
  };
  // Bad requests delete nothing.
  EXPECT_EQ(post(kDelete, {}), (std::pair<int, std::string>{
      400, R"({"status":"error","errorType":"bad_data","error":"no match[] parameter provided"})"}));
  auto [st, body] = post(kDelete, {{"match[]", "demo{"}});
  EXPECT_EQ(st, 400) << body;
  EXPECT_NE(body.find("bad_data"), std::string::npos) << body;
  std::tie(st, body) = post(kDelete, {{"match[]", "demo"}, {"start", "yesterday"}});
  EXPECT_EQ(st, 400) << body;
  EXPECT_NE(body.find(R"(invalid parameter \"start\")"), std::string::npos) << body;
  EXPECT_NE(Get(p.port, "/api/v1/series?match[]=demo").find(R"("i":"0")"), std::string::npos);

  // All of demo{i="0"}; the second hour of `other` (unix seconds, then
  // RFC 3339, both inclusive).
  EXPECT_EQ(post(kDelete, {{"match[]", R"(demo{i="0"})"}}).first, 204);
  EXPECT_EQ(post(kDelete, {{"match[]", "other"},
                           {"start", absl::StrCat(t0 + 3600)},
                           {"end", absl::FormatTime(absl::RFC3339_full, absl::FromUnixSeconds(t0 + 7199),
                                                    absl::UTCTimeZone())}})
                .first,
            204);
  ExpectDeleted(p.port, t0);

  // Tombstones survive a restart.
  p.process->Stop();
  ASSERT_TRUE(StartPromlet(&p, args)) << p.process->Log();
  ExpectDeleted(p.port, t0);

  // clean_tombstones rewrites the blocks; the data stays deleted.
  httplib::Client c2("127.0.0.1", p.port);
  auto clean = c2.Post("/api/v1/admin/tsdb/clean_tombstones");
  ASSERT_TRUE(clean);
  EXPECT_EQ(clean->status, 204) << clean->body;
  const std::set<std::string> cleaned = BlockDirs(p.data_dir);
  EXPECT_FALSE(cleaned.empty());
  for (const std::string& b : imported) EXPECT_EQ(cleaned.count(b), 0u) << b << " not rewritten";
  EXPECT_FALSE(fs::exists(p.data_dir + "/tombstones"));
  ExpectDeleted(p.port, t0);

  // The queries above are in the engine metrics, and /metrics still lints.
  const std::string metrics = Get(p.port, "/metrics");
  for (const char* want :
       {R"(promlet_engine_query_duration_seconds{slice="inner_eval",quantile="0.5"} )",
        R"(promlet_engine_query_duration_seconds{slice="prepare_time",quantile="0.99"} )",
        "# TYPE promlet_engine_query_duration_seconds summary", "\npromlet_engine_queries ",
        "\npromlet_engine_queries_concurrent_max "}) {
    EXPECT_NE(metrics.find(want), std::string::npos) << want << "\n" << metrics;
  }
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      metrics, m, std::regex(R"(promlet_engine_query_duration_seconds_count\{slice="inner_eval"\} (\d+))")))
      << metrics;
  EXPECT_GE(std::stoi(m[1].str()), 4);  // two query, two query_range
  WriteFile(p.data_dir + "-metrics.txt", metrics);
  EXPECT_EQ(RunCommand("/usr/bin/promtool check metrics < " + p.data_dir + "-metrics.txt", &out), 0)
      << out;

  // And after one more restart, from the rewritten blocks alone.
  p.process->Stop();
  ASSERT_TRUE(StartPromlet(&p, args)) << p.process->Log();
  ExpectDeleted(p.port, t0);
  p.process->Stop();
  RemoveTree(p.data_dir);
}

TEST(ServerAdminTest, DeleteNeedsTheAdminFlag) {
  PromletProcess p;
  const std::string dir = MakeTempDir("promlet-admin-off");
  const std::string config = dir + "/prometheus.yml";
  WriteFile(config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
  ASSERT_TRUE(StartPromlet(&p, {"--config.file=" + config})) << p.process->Log();
  httplib::Client c("127.0.0.1", p.port);
  auto r = c.Post("/api/v1/admin/tsdb/delete_series", httplib::Params{{"match[]", "up"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_NE(r->body.find("admin APIs disabled"), std::string::npos) << r->body;
  p.process->Stop();
  RemoveTree(p.data_dir);
  RemoveTree(dir);
}

}  // namespace
}  // namespace promlet::testing
