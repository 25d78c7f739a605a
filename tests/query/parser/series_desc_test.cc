// ParseSeriesDesc: the promqltest series notation (FORMAT.md §3; cases from
// Prometheus parse_test.go TestParseSeries / TestParseSeriesDesc).
#include "query/parser/series_desc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/api/appender.h"
#include "storage/api/labels.h"

namespace promlet::query {
namespace {

constexpr std::optional<double> kGap = std::nullopt;

void Check(std::string_view input, const storage::Labels& labels,
           const std::vector<std::optional<double>>& values) {
  SCOPED_TRACE(input);
  absl::StatusOr<SeriesDesc> d = ParseSeriesDesc(input);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->labels.ToString(), labels.ToString());
  ASSERT_EQ(d->values.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(d->values[i].has_value(), values[i].has_value()) << i;
    if (!values[i]) continue;
    if (std::isnan(*values[i])) {
      EXPECT_TRUE(std::isnan(*d->values[i])) << i;
      EXPECT_EQ(storage::IsStaleNaN(*d->values[i]), storage::IsStaleNaN(*values[i])) << i;
    } else {
      EXPECT_EQ(*d->values[i], *values[i]) << i;
    }
  }
}

TEST(SeriesDescTest, Values) {
  using L = storage::Labels;
  const L my = L::FromPairs({{"__name__", "my_metric"}, {"a", "b"}});
  Check("", L(), {});
  Check("{} 1 2 3", L(), {1, 2, 3});
  Check("{a=\"b\"} -1 2 3", L::FromPairs({{"a", "b"}}), {-1, 2, 3});
  Check("my_metric 1 2 3", L::FromPairs({{"__name__", "my_metric"}}), {1, 2, 3});
  Check("my_metric{} 1 2 3", L::FromPairs({{"__name__", "my_metric"}}), {1, 2, 3});
  Check("my_metric{a=\"b\"} 1 2 3", my, {1, 2, 3});
  Check("my_metric{a=\"b\"} 1 2 3-10x4", my, {1, 2, 3, -7, -17, -27, -37});
  Check("my_metric{a=\"b\"} 1 2 3-0x4", my, {1, 2, 3, 3, 3, 3, 3});
  Check("{} 1x0", L(), {1});
  Check("{} 1+1x0", L(), {1});
  Check("{} 7x2", L(), {7, 7, 7});
  Check("{} 0+10x3", L(), {0, 10, 20, 30});
  Check("{} -2+4x3", L(), {-2, 2, 6, 10});
  Check("{} 1-1x3", L(), {1, 0, -1, -2});
  Check("my_metric{a=\"b\"} 1 3 _ 5 _x4", my, {1, 3, kGap, 5, kGap, kGap, kGap, kGap});
  Check("my_metric{a=\"b\"} 1 -1", my, {1, -1});
  Check("my_metric{a=\"b\"} 1 +1", my, {1, 1});
  Check("my_metric{a=\"b\"} 1 -1 -3-10x4 7 9 +5", my, {1, -1, -3, -13, -23, -33, -43, 7, 9, 5});
  Check("my_metric{a=\"b\"} 1 +1 +4 -6 -2 8", my, {1, 1, 4, -6, -2, 8});
  Check("my_metric{a=\"b\"} 1 2 3    ", my, {1, 2, 3});
  Check("my_metric{a=\"\\u70ac\"} 1 2 3",
        L::FromPairs({{"__name__", "my_metric"}, {"a", "\u70ac"}}), {1, 2, 3});
  Check("metric 0 1 stale 2", L::FromPairs({{"__name__", "metric"}}),
        {0, 1, storage::StaleNaN(), 2});
  Check("m Inf -Inf +Inf NaN nan 1e3 .5 1.7560473e+06", L::FromPairs({{"__name__", "m"}}),
        {INFINITY, -INFINITY, INFINITY, NAN, NAN, 1000, 0.5, 1756047.3});
  // No hex here: "0x3" is 0 repeated (the x is the repetition operator).
  Check("m 0x3", L::FromPairs({{"__name__", "m"}}), {0, 0, 0, 0});
  Check("m\t1\t\t2", L::FromPairs({{"__name__", "m"}}), {1, 2});
  Check(
      "{\"http.requests\", \"service.name\"=\"api-server\", instance=\"0\", "
      "group=\"canary\"}\t\t0+50x2",
      L::FromPairs({{"__name__", "http.requests"},
                    {"group", "canary"},
                    {"instance", "0"},
                    {"service.name", "api-server"}}),
      {0, 50, 100});
  Check("sum{job='a',} 1", L::FromPairs({{"__name__", "sum"}, {"job", "a"}}), {1});
  Check("{a=\"\"} 1", L(), {1});  // an empty value means no label
}

TEST(SeriesDescTest, HistogramsKeepTheirSlots) {
  absl::StatusOr<SeriesDesc> d = ParseSeriesDesc(
      "h {{schema:1 sum:0.3 count:3 buckets:[5 10 7] offset:3}} 1 "
      "{{sum:1}}x2 {{buckets:[5] schema:0}}+{{buckets:[1 2] schema:1}}x2 4");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->values.size(), 9u);
  EXPECT_EQ(d->histograms, 7);
  EXPECT_FALSE(d->values[0].has_value());
  EXPECT_EQ(d->values[1], 1);
  EXPECT_EQ(d->values[8], 4);
}

TEST(SeriesDescTest, Errors) {
  auto bad = [](std::string_view input, std::string_view want_substr) {
    SCOPED_TRACE(input);
    absl::StatusOr<SeriesDesc> d = ParseSeriesDesc(input);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find(std::string(want_substr)), absl::string_view::npos)
        << d.status();
  };
  bad("{} 1+1", "parse error");
  bad("my_metric{a=\"b\"} 1 3 _ 5 _a4", "parse error");
  bad("my_metric{a=\"b\"} -3-3 -3", "parse error");
  bad("my_metric{a=\"b\"} -3 -3-3", "parse error");
  bad("my_metric{a=\"b\"} -3 _-2", "parse error");
  bad("my_metric{a=\"b\"} -3 3+3x4-4", "invalid repetition");
  bad("m foo", "parse error");
  bad("m 1x", "invalid repetition");
  bad("{\"http.requests\"xx}\t\t0+50x2",
      "parse error: unexpected identifier \"xx\" in label set, expected \",\" or \"}\"");
  bad("{\"http.requests\"=, x=\"y\"}\t\t0+50x2",
      "parse error: unexpected \",\" in label set, expected string");
  bad("{\"http.requests}\t\t0+50x2", "parse error: unterminated quoted string");
  bad("m{a=~\"b\"} 1", "parse error");
  bad("m{a} 1", "parse error");
  bad("m{a=\"b\"}1", "parse error");
  bad("m 1x100000000", "too many values");
  bad("m _x100000000", "too many values");
}

}  // namespace
}  // namespace promlet::query
