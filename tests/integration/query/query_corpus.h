// The PromQL corpus of query_differential_test: every float function,
// aggregation and operator of issue 4 that Prometheus 2.42 shares with 3.x,
// on the generated data (http_requests_total, temperature, mem_bytes, h_*).
#ifndef PROMLET_TESTS_INTEGRATION_QUERY_QUERY_CORPUS_H_
#define PROMLET_TESTS_INTEGRATION_QUERY_QUERY_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace promlet::testing {

inline std::vector<std::string> QueryCorpus(int64_t start_s, int64_t end_s) {
  // @ times: inside the window, never on a whole minute.
  const std::string at1 = absl::StrCat(start_s + 2467, ".5");
  const std::string at2 = absl::StrCat(end_s - 1513);
  std::vector<std::string> q = {
      // Literals and scalar arithmetic.
      "1.5", "\"hello\"", "(1 + 2) * 3", "-2 ^ 2", "2 ^ 3 ^ 2", "10 % 3", "1 / 0", "-1 / 0",
      "0 / 0", "1 < bool 2", "2 == bool 2", "pi()", "time()", "vector(1)", "vector(time())",
      // Selectors, offset, @.
      "http_requests_total", "temperature{job=\"api\"}", "temperature{job!=\"api\"}",
      "temperature{instance=~\"a|c\"}", "temperature{instance!~\"a|c\"}",
      "{__name__=~\"temp.*|mem_bytes\"}", "temperature offset 10m", "temperature offset -5m",
      "temperature @ " + at1, "mem_bytes @ " + at2 + " offset 3m",
      "rate(http_requests_total[5m] offset 30m)", "rate(http_requests_total[5m] @ " + at2 + ")",
      "sum(temperature @ start())", "sum(temperature @ end())",
      // Counter functions.
      "rate(http_requests_total[5m])", "rate(http_requests_total[1m])",
      "rate(http_requests_total[20m])", "irate(http_requests_total[5m])",
      "increase(http_requests_total[10m])", "increase(h_count[1h])",
      "resets(http_requests_total[30m])", "resets(h_bucket[1h])",
      // Gauge functions.
      "delta(temperature[10m])", "idelta(temperature[5m])", "deriv(temperature[10m])",
      "deriv(mem_bytes[30m])", "predict_linear(temperature[15m], 600)",
      "predict_linear(mem_bytes[30m], 3600)", "changes(temperature[10m])",
      "changes(http_requests_total[1h])",
      // *_over_time.
      "avg_over_time(temperature[10m])", "min_over_time(temperature[10m])",
      "max_over_time(temperature[10m])", "sum_over_time(temperature[10m])",
      "count_over_time(http_requests_total[7m])", "last_over_time(temperature[3m])",
      "present_over_time(http_requests_total[2m])", "quantile_over_time(0.9, temperature[20m])",
      "quantile_over_time(0.25, mem_bytes[20m])", "quantile_over_time(0, temperature[5m])",
      "stddev_over_time(temperature[20m])", "stdvar_over_time(temperature[20m])",
      "absent_over_time(nonexistent[5m])", "absent_over_time(http_requests_total{instance=\"d\"}[5m])",
      "absent_over_time(temperature{job=\"x\",instance=\"y\"}[5m])",
      // Histograms.
      "histogram_quantile(0.99, sum by (le, route) (rate(h_bucket[5m])))",
      "histogram_quantile(0.5, rate(h_bucket[10m]))",
      "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
      "histogram_quantile(0, sum by (le) (rate(h_bucket[5m])))",
      "histogram_quantile(1, sum by (le) (rate(h_bucket[5m])))",
      "histogram_quantile(0.75, sum by (le, route) (increase(h_bucket[30m])))",
      "sum(rate(h_sum[5m])) / sum(rate(h_count[5m]))", "sum by (le) (rate(h_bucket[5m]))",
      // Math.
      "abs(temperature)", "ceil(temperature)", "floor(temperature)", "round(temperature)",
      "round(temperature, 0.5)", "clamp(temperature, -5, 5)", "clamp(temperature, 5, -5)",
      "clamp_min(temperature, 0)", "clamp_max(temperature, 0)", "sqrt(mem_bytes)",
      "sqrt(temperature)", "exp(temperature / 10)", "ln(mem_bytes)", "log2(mem_bytes)",
      "log10(mem_bytes)", "ln(temperature)", "sgn(temperature)",
      // Trigonometry and angles.
      "sin(temperature)", "cos(temperature)", "tan(temperature)",
      "asin(clamp(temperature / 30, -1, 1))", "acos(clamp(temperature / 30, -1, 1))",
      "atan(temperature)", "sinh(temperature / 10)", "cosh(temperature / 10)",
      "tanh(temperature / 10)", "asinh(temperature)", "acosh(abs(temperature) + 1)",
      "atanh(clamp(temperature / 40, -0.99, 0.99))", "temperature atan2 10",
      "deg(temperature)", "rad(temperature)", "deg(pi())",
      // Time functions.
      "timestamp(temperature)", "timestamp(http_requests_total offset 5m)", "day_of_month()",
      "day_of_week()", "day_of_year()", "days_in_month()", "hour()", "minute()", "month()",
      "year()", "hour(timestamp(temperature))", "minute(vector(1700000000))",
      "day_of_week(vector(1709251200))", "days_in_month(vector(1709251200))",
      "day_of_year(vector(1735603200))", "month(timestamp(mem_bytes))",
      "year(vector(1700000000))", "day_of_month(timestamp(mem_bytes))",
      // Misc functions.
      "scalar(sum(temperature))", "scalar(temperature)", "absent(nonexistent)",
      "absent(nonexistent{job=\"x\", instance=~\"y\"})", "absent(temperature)",
      "sort(temperature)", "sort_desc(mem_bytes)",
      "label_replace(temperature, \"host\", \"$1-x\", \"instance\", \"(.*)\")",
      "label_replace(temperature, \"host\", \"$1\", \"instance\", \"z(.*)\")",
      "label_replace(temperature, \"instance\", \"\", \"instance\", \"a\")",
      "label_join(temperature, \"id\", \"-\", \"job\", \"instance\")",
      "label_join(mem_bytes, \"instance\", \",\")",
      // Aggregations.
      "sum(temperature)", "sum by (job) (temperature)", "sum without (instance) (temperature)",
      "sum(temperature) by (job)", "avg by (job) (temperature)", "min(temperature)",
      "max by (instance) (temperature)", "count(temperature)", "count by (job) (http_requests_total)",
      "group by (job) (temperature)", "group(mem_bytes)", "stddev(temperature)",
      "stdvar by (job) (temperature)", "topk(3, temperature)", "bottomk(2, temperature)",
      "topk by (job) (1, temperature)", "bottomk without (job) (1, temperature)",
      "quantile(0.5, temperature)", "quantile by (job) (0.9, temperature)",
      "quantile(1.5, temperature)", "count_values(\"v\", round(temperature))",
      "count_values by (job) (\"bucket\", ceil(temperature / 10))",
      "sum by (route) (rate(h_count[5m]))", "max without () (mem_bytes)",
      // Binary operators: arithmetic.
      "temperature + 1", "2 * temperature", "temperature - temperature", "temperature / 3",
      "temperature % 7", "temperature ^ 2", "-temperature", "mem_bytes / on(instance) group_left sum by (instance) (temperature)",
      "temperature * on(instance, job) group_left rate(http_requests_total[5m])",
      "temperature / on(job) group_left sum by (job) (temperature)",
      "sum by (job) (temperature) - on(job) group_right temperature",
      "rate(h_count[5m]) / ignoring(route) group_left sum(rate(h_count[5m]))",
      "temperature + ignoring(job) temperature", "mem_bytes + on(instance) group_left temperature",
      "temperature + on(instance) group_left(foo) mem_bytes",
      "mem_bytes * on(instance) group_right(job) temperature",
      // Comparisons, bool.
      "temperature > 10", "temperature > bool 10", "temperature == bool temperature",
      "temperature != 0", "temperature >= 0", "temperature <= 5", "temperature < -5",
      "temperature == temperature offset 1m", "5 < temperature", "temperature > bool on(instance, job) temperature offset 10m",
      // Set operators.
      "rate(http_requests_total[5m]) > 0.5 or temperature", "http_requests_total and temperature > 0",
      "temperature unless temperature > 0", "temperature and on(instance) mem_bytes",
      "mem_bytes unless ignoring(job) temperature{job=\"api\"}",
      "temperature or on(job) vector(1)",
      // Subqueries.
      "max_over_time(rate(http_requests_total[5m])[30m:1m])",
      "avg_over_time(temperature[20m:30s])", "deriv(sum(temperature)[20m:2m])",
      "min_over_time(temperature[1h:5m] offset 10m)",
      "rate(http_requests_total[5m])[10m:1m]",
      "quantile_over_time(0.5, sum by (route) (rate(h_count[5m]))[30m:1m])",
      "sum_over_time(temperature[10m:] @ " + at1 + ")",
      // Errors on both sides.
      "rate(temperature)", "sum(", "label_replace(temperature, \"1x\", \"\", \"job\", \"(.*)\")",
  };
  return q;
}

}  // namespace promlet::testing

#endif  // PROMLET_TESTS_INTEGRATION_QUERY_QUERY_CORPUS_H_
