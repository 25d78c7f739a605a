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
