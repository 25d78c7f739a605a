// Content-Type negotiation and the float helpers.
#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {
namespace {

TEST(FormatFromContentType, LikePrometheus) {
  auto check = [](std::string_view ct, std::optional<Format> fallback, absl::StatusCode code,
                  Format want = Format::kPrometheusText) {
    SCOPED_TRACE(ct);
    absl::StatusOr<Format> f = FormatFromContentType(ct, fallback);
    ASSERT_EQ(f.status().code(), code) << f.status();
    if (f.ok()) {
      EXPECT_EQ(*f, want);
    }
  };
  const auto kOk = absl::StatusCode::kOk;
  const auto kBad = absl::StatusCode::kInvalidArgument;
  check("text/plain; version=0.0.4; charset=utf-8", {}, kOk, Format::kPrometheusText);
  check("text/plain", {}, kOk, Format::kPrometheusText);
  check("TEXT/Plain ;version=0.0.4", {}, kOk, Format::kPrometheusText);
  check("application/openmetrics-text; version=1.0.0; charset=utf-8", {}, kOk, Format::kOpenMetrics);
  check("application/openmetrics-text;version=0.0.1", {}, kOk, Format::kOpenMetrics);
  check("", {}, kBad);
  check("", Format::kOpenMetrics, kOk, Format::kOpenMetrics);
  check("application/json", {}, kBad);
  check("application/json", Format::kPrometheusText, kOk, Format::kPrometheusText);
  check("text/plain; version", {}, kBad);  // malformed parameter
  check("text", {}, kBad);
  check("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily", {},
        absl::StatusCode::kUnimplemented);
  EXPECT_NE(ScrapeAcceptHeader().find("application/openmetrics-text"), std::string_view::npos);
}

TEST(AppendOpenMetricsFloat, GoFormatting) {
  auto check = [](double v, std::string_view want) {
    std::string s;
    AppendOpenMetricsFloat(v, &s);
    EXPECT_EQ(s, want) << v;
  };
  check(1, "1.0");
  check(0, "0.0");
  check(-0.0, "0.0");
  check(-1, "-1.0");
  check(std::nan(""), "NaN");
  check(std::numeric_limits<double>::infinity(), "+Inf");
  check(-std::numeric_limits<double>::infinity(), "-Inf");
  check(0.25, "0.25");
  check(100000, "100000.0");
  check(1e6, "1e+06");
  check(123456789, "1.23456789e+08");
  check(0.0001, "0.0001");
  check(0.00001, "1e-05");
  check(1.1e-4, "0.00011");
  check(1e-10, "1e-10");
  check(2.5, "2.5");
  check(-12.34, "-12.34");
  check(1e21, "1e+21");
  check(0.1 + 0.2, "0.30000000000000004");
}

TEST(ParsePromFloat, GoParseFloatWithoutHex) {
  auto ok = [](std::string_view s, double want) {
    double v = 0;
    ASSERT_TRUE(ParsePromFloat(s, &v)) << s;
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(v)) << s;
    } else {
      EXPECT_EQ(v, want) << s;
    }
  };
  ok("1", 1);
  ok("-3e3", -3000);
  ok("1.5E-3", 0.0015);
  ok(".5", 0.5);
  ok("+.5", 0.5);
  ok("5.", 5);
  ok("0000000000000000000000000000000000000000001.2e-1", 0.12);
  ok("0.1", 0.1);
  ok("123456.789", 123456.789);
  ok("1234567890123456789", 1234567890123456789.0);
  ok("Inf", INFINITY);
  ok("-INFINITY", -INFINITY);
  ok("NaN", NAN);
  for (std::string_view bad : {"", "+", "-", ".", "e1", "1e", "1e+", "0x10", "0x1p3", "1_000",
                               "+nan", "infin", "1.2.3", " 1", "1 ", "1e999", "--1", "+-1"}) {
    double v;
    EXPECT_FALSE(ParsePromFloat(bad, &v)) << bad;
  }
}

}  // namespace
}  // namespace promlet::scrape::textparse
