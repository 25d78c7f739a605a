// Steady-state cost of ingesting a scrape, per sample: parse the body, hit
// the scrape cache, append (and, for the DB variant, commit into the head
// and its WAL). Bodies come from the synthetic web-service generator (12
// bucket histograms, counters, gauges); values change between bodies.
//
//   build/bench/scrape/loop/scrape_loop_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "scrape/config/config.h"
#include "scrape/loop/scrape_loop.h"
#include "scrape/relabel/target_labels.h"
#include "scrape/synth/synth.h"
#include "storage/api/appender.h"
#ifdef PROMLET_BENCH_HAVE_DB
#include <sys/resource.h>

#include "base/env.h"
#include "storage/db/db.h"
#endif

namespace promlet::scrape {
namespace {

// Counts appends; refs are 1..n so the cache holds real-looking refs.
class CountingAppender : public storage::Appender {
 public:
  absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const storage::Labels&, int64_t,
                                            double v) override {
    ++n_;
    benchmark::DoNotOptimize(v);
    return ref != 0 ? ref : ++next_;
  }
  absl::Status Commit() override { return absl::OkStatus(); }
  absl::Status Rollback() override { return absl::OkStatus(); }
  uint64_t n_ = 0, next_ = 0;
};

class CountingAppendable : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override { return std::make_unique<CountingAppender>(); }
};

struct Setup {
  std::shared_ptr<const ScrapeConfig> cfg;
  std::shared_ptr<Target> target;
  std::vector<std::string> bodies;
};

Setup MakeSetup(int series) {
  Setup s;
  absl::StatusOr<Config> cfg = ParseConfig("scrape_configs: [{job_name: bench, scrape_interval: 1s}]");
  s.cfg = std::make_shared<const ScrapeConfig>(cfg->scrape_configs[0]);
  absl::StatusOr<TargetLabels> tl =
      PopulateLabels(storage::Labels::FromPairs({{"__address__", "127.0.0.1:9100"}}), *s.cfg);
  s.target = std::make_shared<Target>("bench", TargetUrl(tl->labels, *s.cfg), tl->labels, PublicLabels(tl->labels),
                                      tl->discovered, absl::Seconds(1), absl::Seconds(1));
  SynthTarget gen(0, {.series = series, .seed = 42});
  for (int i = 0; i < 4; ++i) s.bodies.push_back(gen.NextBody());
  return s;
}

constexpr char kContentType[] = "text/plain; version=0.0.4";

void BM_Scrape_SteadyStateNoopAppender(benchmark::State& state) {
  Setup s = MakeSetup(static_cast<int>(state.range(0)));
  CountingAppendable appendable;
  ScrapeLoop loop(s.cfg, s.target, nullptr, &appendable, base::Clock::Real());
  ScrapeScratch scratch;
  CountingAppender app;
  int64_t t = 1'700'000'000'000;
  loop.Append(&app, s.bodies[0], kContentType, t, &scratch);  // warm the cache
  size_t i = 1;
  uint64_t added = 0;
  for (auto _ : state) {
    t += 1000;
    AppendStats st = loop.Append(&app, s.bodies[i++ & 3], kContentType, t, &scratch);
    added += st.series_added;
    benchmark::DoNotOptimize(st.total);
  }
  state.counters["series_added"] = static_cast<double>(added);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Scrape_SteadyStateNoopAppender)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// The parser alone over the same bodies, for comparison.
void BM_Scrape_ParseOnly(benchmark::State& state) {
  Setup s = MakeSetup(static_cast<int>(state.range(0)));
  ScrapeScratch scratch;
  size_t i = 0;
  for (auto _ : state) {
    textparse::Parser& p = scratch.text;
    p.Reset(s.bodies[i++ & 3]);
    for (textparse::Entry e = p.Next(); e != textparse::Entry::kEof && e != textparse::Entry::kError; e = p.Next()) {
      benchmark::DoNotOptimize(p.value());
      benchmark::DoNotOptimize(p.series().size());
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Scrape_ParseOnly)->Arg(10000)->Unit(benchmark::kMicrosecond);

// Every sample a cache miss: label decoding, target labels, Labels build.
void BM_Scrape_FirstScrapeNoopAppender(benchmark::State& state) {
  Setup s = MakeSetup(static_cast<int>(state.range(0)));
  CountingAppendable appendable;
  ScrapeScratch scratch;
  CountingAppender app;
  for (auto _ : state) {
    state.PauseTiming();
    auto loop = std::make_unique<ScrapeLoop>(s.cfg, s.target, nullptr, &appendable, base::Clock::Real());
    state.ResumeTiming();
    loop->Append(&app, s.bodies[0], kContentType, 1'700'000'000'000, &scratch);
    state.PauseTiming();
    loop.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Scrape_FirstScrapeNoopAppender)->Arg(10000)->Unit(benchmark::kMicrosecond);

#ifdef PROMLET_BENCH_HAVE_DB
// User + system CPU of the whole process (every thread), in ns.
double ProcessCpuNs() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto ns = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) * 1e9 + static_cast<double>(tv.tv_usec) * 1e3; };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

// Body to committed samples in the real DB: head append + WAL record per
// commit. ns_per_sample is this thread's CPU; process_cpu_ns_per_sample
// adds every other thread of the process (the WAL's background fdatasync,
// and any work a change might move off the appending thread), so that is
// the figure to quote for the whole cost of ingesting.
void BM_Scrape_SteadyStateDB(benchmark::State& state) {
  Setup s = MakeSetup(static_cast<int>(state.range(0)));
  const std::string dir = (std::filesystem::temp_directory_path() / "promlet-scrape-bench-db").string();
  std::filesystem::remove_all(dir);
  storage::db::DBOptions opts;
  opts.compaction_interval = absl::ZeroDuration();
  auto db = storage::db::DB::Open(base::Env::Default(), dir, opts);
  if (!db.ok()) {
    state.SkipWithError(std::string(db.status().message()).c_str());
    return;
  }
  ScrapeLoop loop(s.cfg, s.target, nullptr, db->get(), base::Clock::Real());
  ScrapeScratch scratch;
  int64_t t = 1'700'000'000'000;
  {
    auto app = (*db)->NewAppender();
    loop.Append(app.get(), s.bodies[0], kContentType, t, &scratch);
    (void)app->Commit();
  }
  size_t i = 1;
  const double cpu_start = ProcessCpuNs();
  for (auto _ : state) {
    t += 1000;
    auto app = (*db)->NewAppender();
    AppendStats st = loop.Append(app.get(), s.bodies[i++ & 3], kContentType, t, &scratch);
    absl::Status c = app->Commit();
    if (!c.ok() || !st.status.ok()) state.SkipWithError("append/commit failed");
  }
  const double process_cpu_ns = ProcessCpuNs() - cpu_start;
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["process_cpu_ns_per_sample"] =
      process_cpu_ns / static_cast<double>(state.iterations() * state.range(0));
  state.counters["ns_per_sample"] = benchmark::Counter(
      static_cast<double>(state.iterations() * state.range(0)), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["body_bytes_per_sample"] = static_cast<double>(s.bodies[1].size()) / static_cast<double>(state.range(0));
  (void)(*db)->Close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Scrape_SteadyStateDB)->Arg(10000)->Unit(benchmark::kMicrosecond);
#endif

}  // namespace
}  // namespace promlet::scrape

BENCHMARK_MAIN();
