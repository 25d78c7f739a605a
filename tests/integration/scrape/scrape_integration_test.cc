// promlet's scraper and Prometheus 2.42 scrape the same targets with the
// same config in one run; per target the live series, `up` and
// scrape_samples_scraped must agree, failures must be up=0 with a clear
// error, and a dead target's series must go stale when Prometheus's do.
// Waits are bounded polls (scrape interval 1s); the test never sleeps.
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/scrape/scrape_env.h"

namespace promlet::scrape::itest {
namespace {

using ::testing::HasSubstr;

ScrapeEnv* env = nullptr;

class ScrapeIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env = new ScrapeEnv();
    start_status_ = new absl::Status(env->Start());
  }
  static void TearDownTestSuite() {
    env->Stop();
    delete env;
    delete start_status_;
  }
  void SetUp() override { ASSERT_TRUE(start_status_->ok()) << *start_status_; }
  static absl::Status* start_status_;
};
absl::Status* ScrapeIntegrationTest::start_status_ = nullptr;

// Polls `f` (returns "" when satisfied, else what is still wrong) until the
// deadline; returns the last complaint.
std::string PollUntil(absl::Duration limit, const std::function<std::string()>& f) {
  const absl::Time deadline = absl::Now() + limit;
  std::string why;
  while (absl::Now() < deadline) {
    why = f();
    if (why.empty()) return "";
    absl::SleepFor(absl::Milliseconds(100));  // polling interval, not a timed assertion
  }
  return why;
}

std::string Describe(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::string out;
  for (const auto& s : a) {
    if (!b.count(s)) absl::StrAppend(&out, "\n    only promlet:    ", s);
  }
  for (const auto& s : b) {
    if (!a.count(s)) absl::StrAppend(&out, "\n    only prometheus: ", s);
  }
  return out;
}

// "" when the two views agree on `jobs`.
std::string Compare(const View& promlet, const View& prom, const std::vector<std::string>& jobs) {
  for (const std::string& job : jobs) {
    auto pj = promlet.find(job);
    auto qj = prom.find(job);
    if (pj == promlet.end() || qj == prom.end()) return absl::StrCat("job ", job, " missing on one side");
    for (const auto& [inst, q] : qj->second) {
      auto pit = pj->second.find(inst);
      if (pit == pj->second.end()) return absl::StrCat(job, "/", inst, ": not scraped by promlet");
      const TargetView& p = pit->second;
      if (p.series != q.series) return absl::StrCat(job, "/", inst, ": series differ:", Describe(p.series, q.series));
      if (p.up != q.up) return absl::StrCat(job, "/", inst, ": up promlet=", p.up, " prometheus=", q.up);
      if (p.samples_scraped != q.samples_scraped) {
        return absl::StrCat(job, "/", inst, ": scrape_samples_scraped promlet=", p.samples_scraped,
                            " prometheus=", q.samples_scraped);
      }
    }
    if (pj->second.size() != qj->second.size()) return absl::StrCat(job, ": number of targets differs");
  }
  return "";
}

const std::vector<std::string> kAllJobs = {"good", "mortal", "file", "node", "dns", "dnsa", "refused", "http500",
                                           "garbage", "bodylimit", "samplelimit", "duplabels", "badutf8", "timeout"};

TEST_F(ScrapeIntegrationTest, PromtoolAcceptsTheSameConfig) {
  for (const std::string& f : {env->promlet_config_path, env->prometheus_config_path}) {
    std::string out;
    EXPECT_EQ(testing::RunCommand("/usr/bin/promtool check config " + f + " 2>&1", &out), 0) << out;
  }
}

TEST_F(ScrapeIntegrationTest, SeriesUpAndSamplesScrapedMatchPrometheus) {
  std::string why = PollUntil(absl::Seconds(30), [] {
    absl::StatusOr<View> prom = env->PrometheusView();
    if (!prom.ok()) return std::string(prom.status().message());
    return Compare(env->PromletView(), *prom, kAllJobs);
  });
  EXPECT_EQ(why, "");
  // Spot checks of what "the same" means here.
  View v = env->PromletView();
  const TargetView& good = v["good"][env->fixtures["good"]->addr()];
  EXPECT_EQ(good.up, 1);
  EXPECT_EQ(good.samples_scraped, 8);
  EXPECT_TRUE(good.series.count(absl::StrCat(R"({__name__="inner_info", env="test", exported_instance="elsewhere", )",
                                             R"(exported_job="inner", instance=")", env->fixtures["good"]->addr(),
                                             R"(", job="good"})")));
  EXPECT_EQ(v["dns"].size(), 2u);
}

TEST_F(ScrapeIntegrationTest, FailuresAreUpZeroWithClearErrorsAndIsolated) {
  const std::map<std::string, std::string> want = {
      {"refused", "connection refused"},
      {"timeout", "context deadline exceeded"},
      {"http500", "server returned HTTP status 500 Internal Server Error"},
      {"garbage", "line 2"},
      {"bodylimit", "body size limit exceeded"},
      {"samplelimit", "sample limit exceeded"},
      {"duplabels", "duplicate label name"},
      {"badutf8", "UTF-8"},
  };
  std::string why = PollUntil(absl::Seconds(20), [&] {
    for (const TargetSnapshot& t : env->manager->ActiveTargets()) {
      auto it = want.find(t.job);
      if (t.health == TargetHealth::kUnknown) return absl::StrCat(t.job, " not scraped yet");
      if (it == want.end()) {
        if (t.health != TargetHealth::kUp) return absl::StrCat(t.job, " should be up: ", t.last_error);
      } else if (t.health != TargetHealth::kDown || t.last_error.find(it->second) == std::string::npos) {
        return absl::StrCat(t.job, ": health ", base::Absl(TargetHealthName(t.health)), ", error \"", t.last_error,
                            "\", want \"", it->second, "\"");
      }
    }
    return std::string();
  });
  EXPECT_EQ(why, "");
  for (const TargetSnapshot& t : env->manager->ActiveTargets()) {
    EXPECT_FALSE(t.scrape_url.empty());
    EXPECT_FALSE(t.discovered_labels.empty());
    EXPECT_GT(t.last_scrape, absl::InfinitePast());
  }
}

// ctest runs every test in a process of its own, so a test cannot count on
// the scrapes an earlier test waited for: wait here for the history it needs.
void WaitForPromletSamples(const std::string& metric, const std::string& job, const std::string& inst,
                           size_t n) {
  std::string why = PollUntil(absl::Seconds(30), [&] {
    if (env->PromletSamples(metric, job, inst).size() >= n) return std::string();
    return absl::StrCat(metric, " of ", job, "/", inst, ": fewer than ", n, " samples");
  });
  ASSERT_EQ(why, "");
}

TEST_F(ScrapeIntegrationTest, FileSdRewriteMovesTargetsOnBothSides) {
  const std::string a = env->fixtures["fileA"]->addr(), b = env->fixtures["fileB"]->addr();
  WaitForPromletSamples("file_a", "file", a, 2);
  env->WriteFileSd({b});
  std::string why = PollUntil(absl::Seconds(20), [&] {
    View p = env->PromletView();
    if (!p["file"].count(b) || p["file"][b].up != 1) return std::string("promlet has not scraped the new target");
    if (p["file"].count(a)) return std::string("promlet still has live series of the removed target");
    absl::StatusOr<View> q = env->PrometheusView();
    if (!q.ok()) return std::string(q.status().message());
    return Compare(p, *q, {"file"});
  });
  EXPECT_EQ(why, "");
  // The removed target's series ended with a staleness marker.
  std::vector<storage::Sample> s = env->PromletSamples("file_a", "file", a);
  ASSERT_FALSE(s.empty());
  EXPECT_TRUE(storage::IsStaleNaN(s.back().value));
}

// Times of Prometheus's `up` samples for a job over the last minute, from
// the JSON of a range-vector query: [[1700000000.123,"1"],...].
std::vector<std::pair<double, std::string>> PromUpHistory(const std::string& job) {
  absl::StatusOr<std::string> j = env->PrometheusQuery(absl::StrCat("up{job=\"", job, "\"}[1m]"));
  std::vector<std::pair<double, std::string>> out;
  if (!j.ok()) return out;
  static const std::regex kPair(R"re(\[([0-9.]+),"([^"]*)"\])re");
  for (std::sregex_iterator it(j->begin(), j->end(), kPair), end; it != end; ++it) {
    out.emplace_back(std::stod((*it)[1]), (*it)[2]);
  }
  return out;
}

TEST_F(ScrapeIntegrationTest, DeadTargetGoesStaleWhenPrometheusDoes) {
  const std::string inst = env->fixtures["mortal"]->addr();
  WaitForPromletSamples("mortal_gauge", "mortal", inst, 2);
  std::string seen = PollUntil(absl::Seconds(30), [&] {
    auto h = PromUpHistory("mortal");
    return !h.empty() && h.back().second == "1" ? std::string() : std::string("prometheus: mortal not up yet");
  });
  ASSERT_EQ(seen, "");
  env->fixtures["mortal"]->Stop();
  std::string why = PollUntil(absl::Seconds(20), [&] {
    std::vector<storage::Sample> up = env->PromletSamples("up", "mortal", inst);
    if (up.empty() || up.back().value != 0) return std::string("promlet: up not 0 yet");
    auto h = PromUpHistory("mortal");
    if (h.empty() || h.back().second != "0") return std::string("prometheus: up not 0 yet");
    return std::string();
  });
  ASSERT_EQ(why, "");
  // promlet: the series end with a staleness marker stamped with the first failed scrape.
  std::vector<storage::Sample> up = env->PromletSamples("up", "mortal", inst);
  int64_t first_down = 0;
  for (const storage::Sample& s : up) {
    if (s.value == 0) {
      first_down = s.t_ms;
      break;
    }
  }
  for (const char* name : {"mortal_gauge", "mortal_total"}) {
    std::vector<storage::Sample> s = env->PromletSamples(name, "mortal", inst);
    ASSERT_GE(s.size(), 2u);
    EXPECT_TRUE(storage::IsStaleNaN(s.back().value)) << name;
    EXPECT_EQ(s.back().t_ms, first_down) << name;
    EXPECT_FALSE(storage::IsStaleNaN(s[s.size() - 2].value));
  }
  // Prometheus: present just before its first failed scrape, gone at it.
  auto h = PromUpHistory("mortal");
  double prom_first_down = 0;
  for (const auto& [t, v] : h) {
    if (v == "0") {
      prom_first_down = t;
      break;
    }
  }
  ASSERT_GT(prom_first_down, 0);
  absl::StatusOr<std::string> before = env->PrometheusQuery("mortal_gauge", prom_first_down - 0.001);
  absl::StatusOr<std::string> at = env->PrometheusQuery("mortal_gauge", prom_first_down);
  ASSERT_TRUE(before.ok() && at.ok());
  EXPECT_THAT(*before, HasSubstr("mortal_gauge"));
  EXPECT_THAT(*at, HasSubstr("\"result\":[]"));
}

TEST_F(ScrapeIntegrationTest, ReloadKeepsUnchangedLoopsAndStalesRemovedOnes) {
  const std::string good = env->fixtures["good"]->addr();
  const std::string slow = env->fixtures["slow"]->addr();
  const std::string path = env->dir + "/reloaded.yml";
  WaitForPromletSamples("up", "timeout", slow, 2);
  WaitForPromletSamples("up", "good", good, 2);
  std::ofstream(path) << env->PromletConfigYaml(/*reloaded=*/true);
  const size_t before = env->PromletSamples("up", "good", good).size();
  ASSERT_TRUE(env->manager->ReloadFile(path).ok());
  EXPECT_TRUE(env->manager->last_reload_successful());
  // The removed job's series get staleness markers (just over 2 intervals).
  std::string why = PollUntil(absl::Seconds(15), [&] {
    std::vector<storage::Sample> up = env->PromletSamples("up", "timeout", slow);
    if (up.empty() || !storage::IsStaleNaN(up.back().value)) return std::string("timeout job's up not stale yet");
    if (env->PromletSamples("up", "good", good).size() < before + 3) return std::string("good job not scraped 3 more times");
    return std::string();
  });
  ASSERT_EQ(why, "");
  // The unchanged target never missed a beat: consecutive `up` samples stay
  // one interval apart across the reload.
  std::vector<storage::Sample> up = env->PromletSamples("up", "good", good);
  for (size_t i = 1; i < up.size(); ++i) EXPECT_LE(up[i].t_ms - up[i - 1].t_ms, 1500) << i;

  // An invalid config is rejected; the running one stays.
  const size_t targets = env->manager->ActiveTargets().size();
  std::ofstream(env->dir + "/bad.yml") << "scrape_configs: [{job_name: x, scrape_intervall: 1s}]\n";
  absl::Status s = env->manager->ReloadFile(env->dir + "/bad.yml");
  EXPECT_THAT(std::string(s.message()), HasSubstr("bad.yml:1:32: field scrape_intervall not found"));
  EXPECT_FALSE(env->manager->last_reload_successful());
  EXPECT_EQ(env->manager->ActiveTargets().size(), targets);
}

}  // namespace
}  // namespace promlet::scrape::itest
