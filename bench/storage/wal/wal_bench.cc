// WAL benchmarks: commit throughput for scrape-like batches, sample record
// encode/decode, and replay. The WAL lives in $PROMLET_BENCH_DIR, default
// /dev/shm (so the figures measure our code and write(2), not a shared disk;
// Log never waits for the disk anyway, fsync runs on the sync thread).
//
//   build/bench/storage/wal/storage_wal_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "base/env.h"
#include "benchmark/benchmark.h"
#include "storage/wal/record.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_reader.h"

namespace promlet::storage::wal {
namespace {

std::string BenchDir() {
  const char* d = std::getenv("PROMLET_BENCH_DIR");
  std::string base = d != nullptr ? d : (::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
  std::string tmpl = base + "/promlet_wal_bench.XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

// One scrape: n series with ascending refs, one timestamp, gauge-like values.
std::vector<RefSample> ScrapeBatch(size_t n, int64_t t_ms, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<RefSample> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i] = {static_cast<SeriesRef>(1000 + i), t_ms, static_cast<double>(rng() % 100000) / 8};
  }
  return out;
}

void BM_Wal_LogScrapeCommit(benchmark::State& state) {
  const std::string dir = BenchDir();
  base::Env* env = base::Env::Default();
  WalOptions opts;
  opts.segment_size_bytes = 32 << 20;
  auto wal = Wal::Open(env, dir, opts);
  if (!wal.ok()) std::abort();
  std::vector<RefSample> batch = ScrapeBatch(state.range(0), 1'700'000'000'000, 1);
  std::string rec;
  int64_t bytes = 0;
  int cleaned_to = -1;
  for (auto _ : state) {
    for (RefSample& s : batch) s.t_ms += 15000;
    rec.clear();
    EncodeSamples(batch, &rec);  // the head encodes per commit too
    if (!(*wal)->Log(rec).ok()) std::abort();
    bytes += static_cast<int64_t>(rec.size());
    const int cur = (*wal)->current_segment();
    if (cur - cleaned_to > 4) {  // keep the footprint bounded
      state.PauseTiming();
      (void)RemoveSegmentsUpTo(env, dir, cur - 1);
      cleaned_to = cur - 1;
      state.ResumeTiming();
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["commits/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
  (void)(*wal)->Close();
  (void)env->RemoveDirRecursive(dir);
}
BENCHMARK(BM_Wal_LogScrapeCommit)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime();

void BM_Wal_EncodeSamples(benchmark::State& state) {
  std::vector<RefSample> batch = ScrapeBatch(state.range(0), 1'700'000'000'000, 2);
  std::string rec;
  for (auto _ : state) {
    rec.clear();  // capacity kept: no allocation in steady state
    EncodeSamples(batch, &rec);
    benchmark::DoNotOptimize(rec.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(rec.size()));
}
BENCHMARK(BM_Wal_EncodeSamples)->Arg(1000)->Arg(10000);

void BM_Wal_DecodeSamples(benchmark::State& state) {
  std::vector<RefSample> batch = ScrapeBatch(state.range(0), 1'700'000'000'000, 3);
  std::string rec;
  EncodeSamples(batch, &rec);
  std::vector<RefSample> out;
  for (auto _ : state) {
    if (!DecodeSamples(rec, &out).ok()) std::abort();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(rec.size()));
}
BENCHMARK(BM_Wal_DecodeSamples)->Arg(1000)->Arg(10000);

// Replay (read, CRC, decode) of a WAL of 1000-sample commits, 64 MiB.
void BM_Wal_Replay(benchmark::State& state) {
  const std::string dir = BenchDir();
  base::Env* env = base::Env::Default();
  int64_t samples_total = 0;
  {
    WalOptions opts;
    opts.sync_interval = absl::ZeroDuration();
    auto wal = Wal::Open(env, dir, opts);
    if (!wal.ok()) std::abort();
    std::vector<RefSample> batch = ScrapeBatch(1000, 1'700'000'000'000, 4);
    std::string rec;
    for (int i = 0; i < 6400; ++i) {
      for (RefSample& s : batch) s.t_ms += 15000;
      rec.clear();
      EncodeSamples(batch, &rec);
      if (!(*wal)->Log(rec).ok()) std::abort();
      samples_total += 1000;
    }
  }
  std::vector<RefSample> out;
  int64_t bytes = 0;
  for (auto _ : state) {
    ReplayStats stats;
    absl::Status s = ReplayWal(
        env, dir, [&](std::string_view rec) { return DecodeSamples(rec, &out); }, &stats);
    if (!s.ok()) std::abort();
    bytes += stats.bytes;
  }
  state.SetItemsProcessed(state.iterations() * samples_total);
  state.SetBytesProcessed(bytes);
  (void)env->RemoveDirRecursive(dir);
}
BENCHMARK(BM_Wal_Replay)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace promlet::storage::wal

BENCHMARK_MAIN();
