// PromQL engine benchmarks on 10k series (Release build):
//   500 counters c_total{instance} and a classic histogram
//   h_bucket{route (50), instance (19), le (10)}, 2 h of samples at 15 s,
// held in storage::MemStorage. Each query runs as an instant query at the
// end of the data and as a 1 h range query at a 15 s step.
//
//   build-h6/bench/query/engine/query_engine_bench --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "query/engine/engine.h"
#include "query/parser/parser.h"
#include "storage/api/mem_storage.h"

namespace promlet::query {
namespace {

constexpr int64_t kStep = 15'000;
constexpr int64_t kEnd = 2 * 3600 * 1000;

storage::MemStorage* Db() {
  static storage::MemStorage* db = [] {
    auto* d = new storage::MemStorage();
    auto app = d->NewAppender();
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
    std::vector<storage::Labels> series;
    std::vector<double> rates;
    for (int i = 0; i < 500; ++i) {
      series.push_back(storage::Labels::FromPairs(
          {{"__name__", "c_total"}, {"instance", "i" + std::to_string(i)}}));
      rates.push_back(1 + i % 7);
    }
    for (int r = 0; r < 50; ++r) {
      for (int in = 0; in < 19; ++in) {
        for (int b = 0; b < 10; ++b) {
          series.push_back(storage::Labels::FromPairs({{"__name__", "h_bucket"},
                                                       {"route", "/r" + std::to_string(r)},
                                                       {"instance", "i" + std::to_string(in)},
                                                       {"le", les[b]}}));
          rates.push_back(1 + b * (1 + (r + in) % 3));
        }
      }
    }
    std::vector<storage::SeriesRef> refs(series.size(), 0);
    for (int64_t t = 0; t <= kEnd; t += kStep) {
      for (size_t s = 0; s < series.size(); ++s) {
        auto ref = app->Append(refs[s], series[s], t, rates[s] * static_cast<double>(t / kStep));
        if (ref.ok()) refs[s] = *ref;
      }
    }
    (void)app->Commit();
    return d;
  }();
  return db;
}

void Run(benchmark::State& state, const char* query, bool range) {
  storage::MemStorage* db = Db();
  Engine engine(EngineOptions{});
  absl::StatusOr<ExprPtr> e = ParseExpr(query);
  if (!e.ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  size_t points = 0;
  for (auto _ : state) {
    absl::StatusOr<QueryResult> r =
        range ? engine.RangeQuery(db, **e, kEnd - 3600 * 1000, kEnd, kStep)
              : engine.InstantQuery(db, **e, kEnd);
    if (!r.ok()) {
      state.SkipWithError("query failed");
      return;
    }
    points = range ? r->matrix.size() : r->vector.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["series"] = static_cast<double>(points);
}

void BM_Engine_RateCounters_Instant(benchmark::State& s) { Run(s, "rate(c_total[5m])", false); }
void BM_Engine_RateCounters_Range1h(benchmark::State& s) { Run(s, "rate(c_total[5m])", true); }
void BM_Engine_SumByLeRate_Instant(benchmark::State& s) {
  Run(s, "sum by (le) (rate(h_bucket[5m]))", false);
}
void BM_Engine_SumByLeRate_Range1h(benchmark::State& s) {
  Run(s, "sum by (le) (rate(h_bucket[5m]))", true);
}
void BM_Engine_HistogramQuantile_Instant(benchmark::State& s) {
  Run(s, "histogram_quantile(0.99, sum by (le, route) (rate(h_bucket[5m])))", false);
}
void BM_Engine_HistogramQuantile_Range1h(benchmark::State& s) {
  Run(s, "histogram_quantile(0.99, sum by (le, route) (rate(h_bucket[5m])))", true);
}

BENCHMARK(BM_Engine_RateCounters_Instant)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_RateCounters_Range1h)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_SumByLeRate_Instant)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_SumByLeRate_Range1h)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_HistogramQuantile_Instant)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Engine_HistogramQuantile_Range1h)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace promlet::query

BENCHMARK_MAIN();
