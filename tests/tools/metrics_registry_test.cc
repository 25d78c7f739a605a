#include "tools/server/metrics_registry.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace promlet::tools {
namespace {

TEST(MetricsRegistryTest, RendersTextFormat) {
  MetricsRegistry r;
  r.AddCollector([](MetricsWriter& w) {
    w.Family("promlet_x_total", "Help with \\ and\nnewline.", "counter");
    w.Sample("promlet_x_total", {{"a", "q\"v"}}, 3);
    w.Family("promlet_g", "A gauge.", "gauge");
    w.Sample("promlet_g", {}, 0.5);
    w.Sample("promlet_g", {{"k", "inf"}}, std::numeric_limits<double>::infinity());
    w.Sample("promlet_g", {{"k", "nan"}}, std::nan(""));
  });
  EXPECT_EQ(r.Render(),
            "# HELP promlet_x_total Help with \\\\ and\\nnewline.\n"
            "# TYPE promlet_x_total counter\n"
            "promlet_x_total{a=\"q\\\"v\"} 3\n"
            "# HELP promlet_g A gauge.\n"
            "# TYPE promlet_g gauge\n"
            "promlet_g 0.5\n"
            "promlet_g{k=\"inf\"} +Inf\n"
            "promlet_g{k=\"nan\"} NaN\n");
}

TEST(MetricsRegistryTest, SummaryQuantilesOverAWindow) {
  Summary s(absl::Minutes(10));
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  MetricsWriter empty;
  s.Collect(empty, "promlet_q", {{"slice", "x"}}, t0);
  EXPECT_EQ(empty.body(),
            "promlet_q{slice=\"x\",quantile=\"0.5\"} NaN\n"
            "promlet_q{slice=\"x\",quantile=\"0.9\"} NaN\n"
            "promlet_q{slice=\"x\",quantile=\"0.99\"} NaN\n"
            "promlet_q_sum{slice=\"x\"} 0\n"
            "promlet_q_count{slice=\"x\"} 0\n");
  for (int i = 100; i >= 1; --i) s.Observe(i, t0);
  MetricsWriter w;
  s.Collect(w, "promlet_q", {{"slice", "x"}}, t0 + absl::Minutes(1));
  EXPECT_EQ(w.body(),
            "promlet_q{slice=\"x\",quantile=\"0.5\"} 50\n"
            "promlet_q{slice=\"x\",quantile=\"0.9\"} 90\n"
            "promlet_q{slice=\"x\",quantile=\"0.99\"} 99\n"
            "promlet_q_sum{slice=\"x\"} 5050\n"
            "promlet_q_count{slice=\"x\"} 100\n");
  // Out of the window: quantiles forget, sum and count do not.
  s.Observe(7, t0 + absl::Minutes(15));
  MetricsWriter later;
  s.Collect(later, "promlet_q", {}, t0 + absl::Minutes(15));
  EXPECT_EQ(later.body(),
            "promlet_q{quantile=\"0.5\"} 7\n"
            "promlet_q{quantile=\"0.9\"} 7\n"
            "promlet_q{quantile=\"0.99\"} 7\n"
            "promlet_q_sum 5057\n"
            "promlet_q_count 101\n");
}

TEST(MetricsRegistryTest, ProcessMetricsPresent) {
  MetricsWriter w;
  CollectProcessMetrics(w, 1.7e9);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_open_fds", "process_max_fds", "process_start_time_seconds 1.7e+09"}) {
    EXPECT_NE(w.body().find(name), std::string::npos) << name << "\n" << w.body();
  }
}

}  // namespace
}  // namespace promlet::tools
