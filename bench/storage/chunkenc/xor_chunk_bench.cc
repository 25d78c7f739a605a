#include <bit>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/chunkenc/xor_chunk.h"

namespace promlet::storage::chunkenc {
namespace {

// A scrape-like series: 15 s interval with ms jitter; kind 0 integer
// counter, 1 gauge with random decimals.
std::vector<std::pair<int64_t, double>> MakeSeries(int n, int kind) {
  std::mt19937_64 rng(42);
  std::vector<std::pair<int64_t, double>> out;
  int64_t t = 1700000000000;
  double v = 0;
  for (int i = 0; i < n; ++i) {
    t += 15000 + static_cast<int64_t>(rng() % 5);
    v = kind == 0 ? v + static_cast<double>(rng() % 100) : std::round((rng() % 100000) / 7.0) / 100;
    out.emplace_back(t, v);
  }
  return out;
}

void BM_XorChunk_Append(benchmark::State& state) {
  const auto series = MakeSeries(120, static_cast<int>(state.range(0)));
  std::string buf;
  buf.reserve(512);
  XorAppender app;
  for (auto _ : state) {
    app.Reset(&buf);
    for (auto [t, v] : series) app.Append(&buf, t, v);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(series.size()));
  state.counters["bytes_per_sample"] = static_cast<double>(buf.size()) / series.size();
}
BENCHMARK(BM_XorChunk_Append)->Arg(0)->Arg(1);

void BM_XorChunk_Iterate(benchmark::State& state) {
  const auto series = MakeSeries(120, static_cast<int>(state.range(0)));
  std::string buf;
  XorAppender app;
  app.Reset(&buf);
  for (auto [t, v] : series) app.Append(&buf, t, v);
  XorIterator it;
  for (auto _ : state) {
    it.Reset(buf);
    double sum = 0;
    while (it.Next()) sum += it.v();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(series.size()));
}
BENCHMARK(BM_XorChunk_Iterate)->Arg(0)->Arg(1);

}  // namespace
}  // namespace promlet::storage::chunkenc

BENCHMARK_MAIN();
