// The scrape loop driven synchronously: a fake fetcher, MemStorage and a
// FakeClock; no sockets, no sleeps.
#include "scrape/loop/scrape_loop.h"

#include <bit>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scrape/relabel/target_labels.h"
#include "storage/api/mem_storage.h"

namespace promlet::scrape {
namespace {

using ::testing::HasSubstr;
using storage::Labels;

class FakeScraper : public Scraper {
 public:
  absl::Status Scrape(absl::Duration, std::string* body, std::string* ct) override {
    *body = body_;
    *ct = content_type_;
    return status_;
  }
  std::string body_;
  std::string content_type_ = "text/plain; version=0.0.4";
  absl::Status status_;
};

using Dump = std::map<std::string, std::vector<storage::Sample>>;

Dump Read(storage::MemStorage* db) {
  Dump out;
  auto q = db->NewQuerier();
  auto m = storage::Matcher::Make(storage::MatchType::kRegexMatch, "__name__", ".+");
  auto set = (*q)->Select(INT64_MIN, INT64_MAX, {*m});
  while (set->Next()) {
    auto it = set->At().NewIterator();
    auto& v = out[set->At().labels().ToString()];
    while (it->Next()) v.push_back(it->At());
  }
  return out;
}

class ScrapeLoopTest : public ::testing::Test {
 protected:
  void Init(const std::string& job_yaml = "") {
    absl::StatusOr<Config> cfg = ParseConfig("scrape_configs: [{job_name: j, scrape_interval: 10s" + job_yaml + "}]");
    ASSERT_TRUE(cfg.ok()) << cfg.status();
    cfg_ = std::make_shared<const ScrapeConfig>(cfg->scrape_configs[0]);
    absl::StatusOr<TargetLabels> tl = PopulateLabels(Labels::FromPairs({{"__address__", "h:1"}}), *cfg_);
    ASSERT_TRUE(tl.ok());
    target_ = std::make_shared<Target>("j", TargetUrl(tl->labels, *cfg_), tl->labels, PublicLabels(tl->labels),
                                       tl->discovered, absl::Seconds(10), absl::Seconds(10));
    auto s = std::make_unique<FakeScraper>();
    scraper_ = s.get();
    loop_ = std::make_unique<ScrapeLoop>(cfg_, target_, std::move(s), &db_, &clock_);
  }
  // Scrapes `body` at the current fake time, then advances 10s.
  void Scrape(const std::string& body, absl::Status err = absl::OkStatus()) {
    scraper_->body_ = body;
    scraper_->status_ = err;
    loop_->ScrapeAndReport(&scratch_);
    clock_.Advance(absl::Seconds(10));
  }
  std::vector<storage::Sample> Series(const std::string& s) { return Read(&db_)[s]; }
  double Last(const std::string& s) {
    auto v = Series(s);
    return v.empty() ? -12345 : v.back().value;
  }
  int64_t t0() const { return 1'700'000'000'000; }

  base::FakeClock clock_;
  storage::MemStorage db_;
  std::shared_ptr<const ScrapeConfig> cfg_;
  std::shared_ptr<Target> target_;
  FakeScraper* scraper_ = nullptr;
  std::unique_ptr<ScrapeLoop> loop_;
  ScrapeScratch scratch_;
};

constexpr char kUp[] = R"({__name__="up", instance="h:1", job="j"})";

TEST_F(ScrapeLoopTest, SamplesGetTargetLabelsAndReportSeries) {
  Init();
  Scrape("# HELP a_total Requests.\n# TYPE a_total counter\na_total{code=\"200\"} 3\nb 1.5\n");
  Dump d = Read(&db_);
  ASSERT_EQ(d[R"({__name__="a_total", code="200", instance="h:1", job="j"})"].size(), 1u);
  EXPECT_EQ(d[R"({__name__="a_total", code="200", instance="h:1", job="j"})"][0].t_ms, t0());
  EXPECT_EQ(Last(R"({__name__="b", instance="h:1", job="j"})"), 1.5);
  EXPECT_EQ(Last(kUp), 1);
  EXPECT_EQ(Last(R"({__name__="scrape_samples_scraped", instance="h:1", job="j"})"), 2);
  EXPECT_EQ(Last(R"({__name__="scrape_samples_post_metric_relabeling", instance="h:1", job="j"})"), 2);
  EXPECT_EQ(Last(R"({__name__="scrape_series_added", instance="h:1", job="j"})"), 2);
  EXPECT_EQ(Series(R"({__name__="scrape_duration_seconds", instance="h:1", job="j"})").size(), 1u);
  TargetSnapshot s = target_->Snapshot();
  EXPECT_EQ(s.health, TargetHealth::kUp);
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(s.scrape_url, "http://h:1/metrics");
  auto md = target_->Metadata();
  EXPECT_EQ(md["a_total"].type, "counter");
  EXPECT_EQ(md["a_total"].help, "Requests.");

  // Steady state: the cache answers, no new series.
  Scrape("a_total{code=\"200\"} 4\nb 1.5\n");
  EXPECT_EQ(Last(R"({__name__="scrape_series_added", instance="h:1", job="j"})"), 0);
  EXPECT_EQ(loop_->cache().size(), 2u);
  EXPECT_EQ(Last(R"({__name__="a_total", code="200", instance="h:1", job="j"})"), 4);
}

TEST_F(ScrapeLoopTest, VanishedSeriesGetStaleMarkers) {
  Init();
  Scrape("a 1\nb 2\n");
  Scrape("a 1\n");
  auto b = Series(R"({__name__="b", instance="h:1", job="j"})");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(storage::IsStaleNaN(b[1].value));
  EXPECT_EQ(b[1].t_ms, t0() + 10'000);
  Scrape("a 1\n");
  EXPECT_EQ(Series(R"({__name__="b", instance="h:1", job="j"})").size(), 2u);  // only once
}

TEST_F(ScrapeLoopTest, FailedScrapeMarksEverythingStaleAndUpZero) {
  Init();
  Scrape("a 1\nb 2\n");
  Scrape("", absl::UnavailableError("connection refused"));
  EXPECT_TRUE(storage::IsStaleNaN(Last(R"({__name__="a", instance="h:1", job="j"})")));
  EXPECT_TRUE(storage::IsStaleNaN(Last(R"({__name__="b", instance="h:1", job="j"})")));
  EXPECT_EQ(Last(kUp), 0);
  EXPECT_EQ(Last(R"({__name__="scrape_samples_scraped", instance="h:1", job="j"})"), 0);
  TargetSnapshot s = target_->Snapshot();
  EXPECT_EQ(s.health, TargetHealth::kDown);
  EXPECT_EQ(s.last_error, "connection refused");
  // Back up: samples flow again.
  Scrape("a 5\n");
  EXPECT_EQ(Last(R"({__name__="a", instance="h:1", job="j"})"), 5);
  EXPECT_EQ(Last(kUp), 1);
}

TEST_F(ScrapeLoopTest, FailuresThatFailTheWholeScrape) {
  auto check = [&](const std::string& yaml, const std::string& body, const std::string& want_err) {
    SCOPED_TRACE(body);
    db_.~MemStorage();
    new (&db_) storage::MemStorage();
    Init(yaml);
    Scrape(body);
    EXPECT_EQ(Last(kUp), 0);
    EXPECT_THAT(target_->Snapshot().last_error, HasSubstr(want_err));
    // Nothing of the failed body was committed.
    EXPECT_TRUE(Series(R"({__name__="a", instance="h:1", job="j"})").empty());
  };
  check(", sample_limit: 2", "a 1\nb 1\nc 1\n", "sample limit exceeded");
  check(", label_limit: 3", "a{x=\"1\"} 1\n", "label_limit exceeded (metric: a, number of labels: 4, limit: 3)");
  check(", label_name_length_limit: 3", "a{long=\"1\"} 1\n", "label_name_length_limit exceeded");
  check(", label_value_length_limit: 3", "a{x=\"long\"} 1\n", "label_value_length_limit exceeded");
  check("", "a 1\nc{x=\"1\",x=\"2\"} 1\n", "duplicate label name");
  check("", "a 1\nc{x=\"\xff\"} 1\n", "UTF-8");
  check("", "a 1\n{{{ garbage\n", "line 2");
}

TEST_F(ScrapeLoopTest, SampleLimitReportsCounts) {
  Init(", sample_limit: 2");
  Scrape("a 1\nb 1\nc 1\n");
  EXPECT_EQ(Last(R"({__name__="scrape_samples_scraped", instance="h:1", job="j"})"), 3);
  EXPECT_EQ(Last(R"({__name__="scrape_samples_post_metric_relabeling", instance="h:1", job="j"})"), 3);
  Scrape("a 1\nb 1\n");
  EXPECT_EQ(Last(kUp), 1);
}

TEST_F(ScrapeLoopTest, HonorLabelsAndExportedRule) {
  Init();
  Scrape("a{job=\"x\",instance=\"y\",exported_job=\"z\"} 1\n");
  EXPECT_EQ(Series(R"({__name__="a", exported_exported_job="x", exported_instance="y", exported_job="z", instance="h:1", job="j"})").size(), 1u)
      << ::testing::PrintToString(Read(&db_));
  db_.~MemStorage();
  new (&db_) storage::MemStorage();
  Init(", honor_labels: true");
  Scrape("a{job=\"x\"} 1\n");
  EXPECT_EQ(Series(R"({__name__="a", instance="h:1", job="x"})").size(), 1u) << ::testing::PrintToString(Read(&db_))
      << target_->Snapshot().last_error;
}

TEST_F(ScrapeLoopTest, HonorTimestamps) {
  Init();
  Scrape("a 1 1600000000000\n");
  EXPECT_EQ(Series(R"({__name__="a", instance="h:1", job="j"})")[0].t_ms, 1600000000000);
  // Explicit timestamps are not tracked for staleness.
  Scrape("b 1\n");
  EXPECT_EQ(Series(R"({__name__="a", instance="h:1", job="j"})").size(), 1u);
  db_.~MemStorage();
  new (&db_) storage::MemStorage();
  Init(", honor_timestamps: false");
  const int64_t now = clock_.NowMs();
  Scrape("a 1 1600000000000\n");
  EXPECT_EQ(Series(R"({__name__="a", instance="h:1", job="j"})")[0].t_ms, now);
}

TEST_F(ScrapeLoopTest, MetricRelabelingDropsAndRewrites) {
  Init(", metric_relabel_configs: [{source_labels: [__name__], regex: 'drop_.*', action: drop},"
       " {source_labels: [__name__], regex: 'a', target_label: k, replacement: v}]");
  Scrape("a 1\ndrop_me 2\ndrop_too 3\n");
  EXPECT_EQ(Last(R"({__name__="a", instance="h:1", job="j", k="v"})"), 1);
  EXPECT_EQ(Last(R"({__name__="scrape_samples_scraped", instance="h:1", job="j"})"), 3);
  EXPECT_EQ(Last(R"({__name__="scrape_samples_post_metric_relabeling", instance="h:1", job="j"})"), 1);
  Scrape("a 1\ndrop_me 2\n");
  EXPECT_EQ(Last(R"({__name__="scrape_samples_post_metric_relabeling", instance="h:1", job="j"})"), 1);
}

TEST_F(ScrapeLoopTest, NaNIsNormalNaNNotStale) {
  Init();
  Scrape("a NaN\n");
  double v = Last(R"({__name__="a", instance="h:1", job="j"})");
  EXPECT_EQ(std::bit_cast<uint64_t>(v), storage::kNormalNaNBits);
}

TEST_F(ScrapeLoopTest, OpenMetricsBody) {
  Init();
  scraper_->content_type_ = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  Scrape("# TYPE a_seconds counter\n# UNIT a_seconds seconds\na_seconds_total 1\n# EOF\n");
  EXPECT_EQ(Last(R"({__name__="a_seconds_total", instance="h:1", job="j"})"), 1)
      << target_->Snapshot().last_error << ::testing::PrintToString(Read(&db_));
  EXPECT_EQ(target_->Metadata()["a_seconds"].unit, "seconds");
}

// Steady scrapes go through the parser's ExpectSeries() hints (the
// previous order); format switches, look-alike lines, a re-ordered body and
// a bad value after matched lines must give what a full parse gives.
TEST_F(ScrapeLoopTest, OrderedHintsKeepSemanticsAcrossFormatsAndLookalikes) {
  Init();
  const std::string foo = R"({__name__="foo", instance="h:1", job="j"})";
  const std::string foo_a = R"({__name__="foo", a="b", instance="h:1", job="j"})";
  const std::string foo_bar = R"({__name__="foo_bar", instance="h:1", job="j"})";
  const std::string bar = R"({__name__="bar_total", instance="h:1", job="j"})";
  auto values = [&](const std::string& s) {
    std::vector<double> v;
    for (const storage::Sample& x : Series(s)) v.push_back(storage::IsStaleNaN(x.value) ? -1 : x.value);
    return v;
  };
  Scrape("foo 1\nfoo{a=\"b\"} 2\nbar_total 3\n");
  scraper_->content_type_ = "application/openmetrics-text; version=1.0.0";
  Scrape("foo 4\nfoo{a=\"b\"} 5\nbar_total 6\n# EOF\n");
  scraper_->content_type_ = "text/plain; version=0.0.4";
  Scrape("foo_bar 7\nfoo 8 \nfoo {a=\"c\"} 9\nbar_total 10\n");
  EXPECT_EQ(target_->Snapshot().last_error, "");
  // Fails: stale markers, except for the series the failed pass saw before
  // the error (Prometheus's seriesCur keeps them).
  Scrape("foo_bar 7\nfoo 11\nfoo {a=\"c\"} x\nbar_total 10\n");
  EXPECT_EQ(Last(kUp), 0);
  EXPECT_THAT(target_->Snapshot().last_error, HasSubstr("invalid value"));
  Scrape("bar_total 12 1700000045000\nfoo1 13\nfoo 14\n");
  Scrape("bar_total 15\nfoo1 16\nfoo 17 1700000049000\n");
  EXPECT_EQ(Last(kUp), 1);
  EXPECT_EQ(values(foo), (std::vector<double>{1, 4, 8, 14, 17, -1}));  // 17 explicit: stale after
  EXPECT_EQ(values(foo_a), (std::vector<double>{2, 5, -1}));
  EXPECT_EQ(values(R"({__name__="foo", a="c", instance="h:1", job="j"})"), (std::vector<double>{9, -1}));
  EXPECT_EQ(values(foo_bar), (std::vector<double>{7, -1}));
  EXPECT_EQ(Series(foo_bar)[1].t_ms, t0() + 40'000);
  EXPECT_EQ(values(bar), (std::vector<double>{3, 6, 10, -1, 12, 15}));
  EXPECT_EQ(Series(bar)[4].t_ms, 1700000045000);
  EXPECT_EQ(values(R"({__name__="foo1", instance="h:1", job="j"})"), (std::vector<double>{13, 16}));
  EXPECT_EQ(Series(foo)[4].t_ms, 1700000049000);
}

TEST_F(ScrapeLoopTest, EndOfRunStaleness) {
  Init();
  Scrape("a 1\n");
  loop_->WriteEndOfRunStaleness(clock_.Now());
  EXPECT_TRUE(storage::IsStaleNaN(Last(R"({__name__="a", instance="h:1", job="j"})")));
  EXPECT_TRUE(storage::IsStaleNaN(Last(kUp)));
}

TEST(MergeTargetLabelsTest, Table) {
  auto check = [](const Labels& sample, bool honor, const std::string& want) {
    SCOPED_TRACE(sample.ToString());
    storage::LabelsBuilder b(sample);
    MergeTargetLabels(Labels::FromPairs({{"job", "j"}, {"instance", "i"}}), honor, &b);
    EXPECT_EQ(b.Build().ToString(), want);
  };
  check(Labels::FromPairs({{"__name__", "m"}}), false, R"({__name__="m", instance="i", job="j"})");
  check(Labels::FromPairs({{"__name__", "m"}, {"job", "x"}}), false, R"({__name__="m", exported_job="x", instance="i", job="j"})");
  check(Labels::FromPairs({{"__name__", "m"}, {"job", "x"}}), true, R"({__name__="m", instance="i", job="x"})");
  check(Labels::FromPairs({{"__name__", "m"}, {"job", "x"}, {"exported_job", "y"}}), false,
        R"({__name__="m", exported_exported_job="x", exported_job="y", instance="i", job="j"})");
}

}  // namespace
}  // namespace promlet::scrape
