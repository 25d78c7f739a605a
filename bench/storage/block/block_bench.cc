// Block write, Select + iterate, and codec throughput over scrape-like data
// (integer counters, coarse gauges, histogram buckets, 15 s with ms jitter,
// one timestamp column per target).
#include <unistd.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "storage/block/backfill.h"
#include "storage/block/block_reader.h"
#include "storage/block/chunk_codec.h"
#include "storage/block/compactor.h"
#include "storage/block/file_util.h"

namespace promlet::storage::block {
namespace {

constexpr int64_t kT0 = 1700006400000;
constexpr int64_t kBlockMs = 2 * 3600 * 1000;
constexpr int kPerTarget = 100;
constexpr int kSteps = 480;  // 2 h at 15 s

// `series` series in targets of 100, one 2 h block of samples each.
void Fill(Backfill* bf, int series, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (int tg = 0; tg < series / kPerTarget; ++tg) {
    std::vector<uint32_t> ids;
    for (int i = 0; i < kPerTarget; ++i) {
      std::string name = i % 5 == 4 ? "gauge" : "http_request_duration_seconds_bucket";
      Labels l = Labels::FromPairs({{"__name__", name},
                                    {"instance", "host-" + std::to_string(tg)},
                                    {"job", "bench"},
                                    {"le", std::to_string(i)}});
      ids.push_back(bf->AddSeries(l.bytes(), l));
    }
    std::vector<double> c(kPerTarget, 1000);
    int64_t t = kT0 + static_cast<int64_t>(rng() % 15000);
    for (int s = 0; s < kSteps; ++s) {
      t += 15000 + static_cast<int64_t>(rng() % 5) - 2;
      if (t >= kT0 + kBlockMs) break;
      for (int i = 0; i < kPerTarget; ++i) {
        double v = i % 5 == 4 ? std::round(20 + 10 * std::sin(s / 20.0 + i))
                              : (c[i] += static_cast<double>(rng() % (1 + i)));
        bf->Append(ids[i], t, v);
      }
    }
  }
}

std::string MakeBlock(int series, std::string* dir) {
  char tmpl[] = "/tmp/promlet_block_bench_XXXXXX";
  *dir = ::mkdtemp(tmpl);
  Backfill bf;
  Fill(&bf, series, 42);
  auto metas = bf.WriteBlocks(*dir, kBlockMs);
  return *dir + "/" + (*metas)[0].ulid;
}

void BM_Block_Write(benchmark::State& state) {
  Backfill bf;
  Fill(&bf, static_cast<int>(state.range(0)), 42);
  char tmpl[] = "/tmp/promlet_block_bench_XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto metas = bf.WriteBlocks(dir, kBlockMs);
    state.PauseTiming();
    bytes = DirSizeBytes(dir + "/" + (*metas)[0].ulid);
    RemoveAll(dir + "/" + (*metas)[0].ulid).IgnoreError();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(bf.num_samples()));
  state.counters["bytes_per_sample"] = static_cast<double>(bytes) / static_cast<double>(bf.num_samples());
  RemoveAll(dir).IgnoreError();
}
BENCHMARK(BM_Block_Write)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Block_SelectIterate(benchmark::State& state) {
  std::string dir;
  auto block = *BlockReader::Open(MakeBlock(static_cast<int>(state.range(0)), &dir));
  Matchers all = {*Matcher::Make(MatchType::kRegexMatch, "__name__", ".+")};
  int64_t n = 0;
  for (auto _ : state) {
    auto set = block->Select(INT64_MIN, INT64_MAX, all);
    double sum = 0;
    while (set->Next()) {
      auto it = set->At().NewIterator();
      while (it->Next()) {
        sum += it->At().value;
        ++n;
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(n);
  RemoveAll(dir).IgnoreError();
}
BENCHMARK(BM_Block_SelectIterate)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_Block_SelectOneMetric(benchmark::State& state) {
  std::string dir;
  auto block = *BlockReader::Open(MakeBlock(10000, &dir));
  Matchers m = {Matcher::Equal("__name__", "gauge"), Matcher::Equal("instance", "host-7")};
  int64_t n = 0;
  for (auto _ : state) {
    auto set = block->Select(INT64_MIN, INT64_MAX, m);
    while (set->Next()) {
      auto it = set->At().NewIterator();
      while (it->Next()) ++n;
    }
  }
  state.SetItemsProcessed(n);
  RemoveAll(dir).IgnoreError();
}
BENCHMARK(BM_Block_SelectOneMetric)->Unit(benchmark::kMicrosecond);

void BM_Block_EncodeValues(benchmark::State& state) {
  std::vector<double> v(480);
  double c = 1e6;
  std::mt19937_64 rng(1);
  for (auto& x : v) x = (c += static_cast<double>(rng() % 200));
  std::string buf;
  for (auto _ : state) {
    buf.clear();
    EncodeValues(v.data(), v.size(), &buf);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations() * 480);
  state.counters["bytes_per_sample"] = static_cast<double>(buf.size()) / 480;
}
BENCHMARK(BM_Block_EncodeValues);

void BM_Block_DecodeValues(benchmark::State& state) {
  std::vector<double> v(480), out(480);
  double c = 1e6;
  std::mt19937_64 rng(1);
  for (auto& x : v) x = (c += static_cast<double>(rng() % 200));
  std::string buf;
  EncodeValues(v.data(), v.size(), &buf);
  for (auto _ : state) {
    std::string_view in = buf;
    DecodeValues(&in, 480, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 480);
}
BENCHMARK(BM_Block_DecodeValues);

// A histogram bucket predicted from its +Inf bucket (the cross-series
// encoding of classic histograms): what selecting h_bucket decodes.
void BM_Block_DecodeRegress(benchmark::State& state) {
  std::vector<int64_t> ref(480), y(480), out(480);
  std::mt19937_64 rng(2);
  int64_t c = 1000000, b = 900000;
  for (size_t i = 0; i < ref.size(); ++i) {
    int64_t inc = 100 + static_cast<int64_t>(rng() % 200);
    ref[i] = (c += inc);
    y[i] = (b += inc * 9 / 10 + static_cast<int64_t>(rng() % 7));
  }
  std::string buf;
  EncodeRegress(y.data(), ref.data(), y.size(), &buf);
  for (auto _ : state) {
    std::string_view in = buf;
    DecodeRegress(&in, ref.data(), out.size(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 480);
  state.counters["bytes_per_sample"] = static_cast<double>(buf.size()) / 480;
}
BENCHMARK(BM_Block_DecodeRegress);

void BM_Block_DecodeInts(benchmark::State& state) {
  std::vector<int64_t> v(480), out(480);
  std::mt19937_64 rng(3);
  int64_t t = 1700000000000;
  for (auto& x : v) x = (t += 15000 + static_cast<int64_t>(rng() % 20) - 10);
  std::string buf;
  EncodeInts(v.data(), v.size(), &buf);
  for (auto _ : state) {
    std::string_view in = buf;
    DecodeInts(&in, out.size(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 480);
}
BENCHMARK(BM_Block_DecodeInts);

}  // namespace
}  // namespace promlet::storage::block

BENCHMARK_MAIN();
