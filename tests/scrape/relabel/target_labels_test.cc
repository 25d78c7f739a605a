#include "scrape/relabel/target_labels.h"

#include "gtest/gtest.h"

namespace promlet::scrape {
namespace {

using storage::Labels;

ScrapeConfig Job(const std::string& extra = "") {
  absl::StatusOr<Config> cfg = ParseConfig(
      "scrape_configs: [{job_name: api, scrape_interval: 15s, params: {module: [x y]}" + extra + "}]");
  EXPECT_TRUE(cfg.ok()) << cfg.status();
  return cfg->scrape_configs[0];
}

TEST(TargetLabelsTest, DefaultsAndInstance) {
  absl::StatusOr<TargetLabels> t =
      PopulateLabels(Labels::FromPairs({{"__address__", "h:1"}, {"__meta_x", "m"}, {"env", "a"}}), Job());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->labels.ToString(),
            R"({__address__="h:1", __metrics_path__="/metrics", __param_module="x y", __scheme__="http", )"
            R"(__scrape_interval__="15s", __scrape_timeout__="10s", env="a", instance="h:1", job="api"})");
  EXPECT_EQ(t->discovered.Get("__meta_x"), "m");
  EXPECT_EQ(PublicLabels(t->labels).ToString(), R"({env="a", instance="h:1", job="api"})");
  EXPECT_EQ(TargetUrl(t->labels, Job()), "http://h:1/metrics?module=x+y");
}

TEST(TargetLabelsTest, RelabelSpecialLabels) {
  ScrapeConfig sc = Job(R"(, relabel_configs: [
      {source_labels: [__meta_port], target_label: __address__, replacement: 'h:$1'},
      {target_label: __metrics_path__, replacement: /api/metrics},
      {target_label: __scheme__, replacement: https},
      {target_label: __param_module, replacement: z},
      {target_label: instance, replacement: mine}])");
  absl::StatusOr<TargetLabels> t = PopulateLabels(Labels::FromPairs({{"__address__", "x"}, {"__meta_port", "9"}}), sc);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->labels.Get("instance"), "mine");
  EXPECT_EQ(TargetUrl(t->labels, sc), "https://h:9/api/metrics?module=z");
  EXPECT_FALSE(t->labels.Has("__meta_port"));
}

TEST(TargetLabelsTest, DroppedAndErrors) {
  absl::StatusOr<TargetLabels> t = PopulateLabels(
      Labels::FromPairs({{"__address__", "x:1"}}), Job(", relabel_configs: [{action: drop, source_labels: [job]}]"));
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->labels.empty());
  EXPECT_FALSE(t->discovered.empty());
  EXPECT_FALSE(PopulateLabels(Labels::FromPairs({{"env", "a"}}), Job()).ok());
  EXPECT_FALSE(PopulateLabels(
      Labels::FromPairs({{"__address__", "x:1"}, {"__scrape_timeout__", "1m"}}), Job()).ok());
  EXPECT_FALSE(PopulateLabels(
      Labels::FromPairs({{"__address__", "x:1"}, {"__scrape_interval__", "0s"}}), Job()).ok());
}

TEST(TargetLabelsTest, GroupLabelsDoNotOverrideTargetLabels) {
  TargetGroup g;
  g.source = "g";
  g.targets = {Labels::FromPairs({{"__address__", "a:1"}, {"env", "own"}}), Labels::FromPairs({{"__address__", "b:1"}}),
               Labels::FromPairs({{"foo", "no-address"}})};
  g.labels = Labels::FromPairs({{"env", "group"}});
  std::vector<TargetLabels> out;
  std::vector<std::string> errs;
  TargetsFromGroup(g, Job(), &out, &errs);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].labels.Get("env"), "own");
  EXPECT_EQ(out[1].labels.Get("env"), "group");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], "instance 2 in group g: no address");
}

}  // namespace
}  // namespace promlet::scrape
