// Head micro-benchmarks: steady scrape-like appends through cached refs
// (no WAL; see bench/storage/db for the WAL-on figure).
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/head/head.h"
#include "storage/head/head_appender.h"

namespace promlet::storage::head {
namespace {

Labels SeriesLabels(int i) {
  return Labels::FromPairs({{"__name__", "metric_" + std::to_string(i % 200)},
                            {"instance", "host-" + std::to_string(i / 200) + ":9100"},
                            {"job", "node"},
                            {"env", "prod"}});
}

// One iteration = one scrape of state.range(0) series committed at once.
void BM_Head_AppendCachedRefs(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Head head;
  std::vector<SeriesRef> refs(n);
  auto app = head.NewAppender();
  for (int i = 0; i < n; ++i) refs[i] = *app->Append(0, SeriesLabels(i), 0, 0);
  (void)app->Commit();
  int64_t t = 0;
  double v = 0;
  for (auto _ : state) {
    t += 15000;
    v += 1;
    for (int i = 0; i < n; ++i) benchmark::DoNotOptimize(app->Append(refs[i], {}, t, v + i % 7));
    (void)app->Commit();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Head_AppendCachedRefs)->Arg(1000)->Arg(10000);

void BM_Head_Select(benchmark::State& state) {
  const int n = 10000;
  Head head;
  std::vector<SeriesRef> refs(n);
  auto app = head.NewAppender();
  for (int i = 0; i < n; ++i) refs[i] = *app->Append(0, SeriesLabels(i), 0, 0);
  for (int r = 1; r < 240; ++r) {
    for (int i = 0; i < n; ++i) (void)app->Append(refs[i], {}, r * 15000, r + i % 3);
    (void)app->Commit();
  }
  const Matchers ms = {Matcher::Equal("__name__", "metric_7")};
  for (auto _ : state) {
    auto q = *head.NewQuerier();
    auto set = q->Select(0, 1LL << 40, ms);
    int64_t samples = 0;
    while (set->Next()) {
      auto it = set->At().NewIterator();
      while (it->Next()) ++samples;
    }
    benchmark::DoNotOptimize(samples);
    state.SetItemsProcessed(state.items_processed() + samples);
  }
}
BENCHMARK(BM_Head_Select);

}  // namespace
}  // namespace promlet::storage::head

BENCHMARK_MAIN();
