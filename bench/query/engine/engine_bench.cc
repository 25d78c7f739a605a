// PromQL engine benchmarks on 10k series (Release build):
//   500 counters c_total{instance} and a classic histogram
//   h_bucket{route (50), instance (19), le (10)}, 2 h of samples at 15 s,
// held in an in-memory Queryable whose Select does a binary search and hands
// out spans (no copies), so the numbers are the engine's own cost.
// storage::MemStorage copies every selected sample per Select; its variant
// (BM_Engine_MemStorage_*) shows that cost. Each query runs as an instant
// query at the end of the data and as a 1 h range query at a 15 s step.
// A range query of >= 64 steps runs on two threads, so CPU is the whole
// process's (MeasureProcessCPUTime) and time is wall time.
//
//   query_engine_bench --benchmark_repetitions=5
//                      --benchmark_report_aggregates_only=true
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "query/engine/engine.h"
#include "query/parser/parser.h"
#include "storage/api/mem_storage.h"

namespace promlet::query {
namespace {

using storage::Labels;
using storage::Sample;

// Read-only in-memory store for benchmarks: sorted series, zero-copy reads.
class SpanStorage : public storage::Queryable {
 public:
  void Add(Labels l, std::vector<Sample> s) { series_.emplace_back(std::move(l), std::move(s)); }
  void Sort() {
    std::sort(series_.begin(), series_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier() override {
    return std::unique_ptr<storage::Querier>(new Q(this));
  }

 private:
  class It : public storage::SeriesIterator {
   public:
    It(const Sample* b, const Sample* e) : p_(b - 1), b_(b), e_(e) {}
    bool Next() override { return ++p_ < e_; }
    bool Seek(int64_t t) override {
      if (p_ < b_) p_ = b_;
      if (p_ < e_ && p_->t_ms >= t) return true;
      p_ = std::lower_bound(p_, e_, t, [](const Sample& s, int64_t v) { return s.t_ms < v; });
      return p_ < e_;
    }
    Sample At() const override { return *p_; }
    size_t NextBatch(Sample* out, size_t max) override {
      if (p_ + 1 >= e_) {
        p_ = e_;
        return 0;
      }
      const size_t n = std::min<size_t>(max, static_cast<size_t>(e_ - (p_ + 1)));
      std::copy(p_ + 1, p_ + 1 + n, out);
      p_ += n;
      return n;
    }

   private:
    const Sample* p_;
    const Sample* b_;
    const Sample* e_;
  };
  class S : public storage::Series {
   public:
    S(const Labels* l, const Sample* b, const Sample* e) : l_(l), b_(b), e_(e) {}
    const Labels& labels() const override { return *l_; }
    std::unique_ptr<storage::SeriesIterator> NewIterator() const override {
      return std::make_unique<It>(b_, e_);
    }

   private:
    const Labels* l_;
    const Sample* b_;
    const Sample* e_;
  };
  class Set : public storage::SeriesSet {
   public:
    explicit Set(std::vector<S> s) : s_(std::move(s)) {}
    bool Next() override { return ++i_ < s_.size(); }
    const storage::Series& At() const override { return s_[i_]; }

   private:
    std::vector<S> s_;
    size_t i_ = static_cast<size_t>(-1);
  };
  class Q : public storage::Querier {
   public:
    explicit Q(SpanStorage* s) : s_(s) {}
    std::unique_ptr<storage::SeriesSet> Select(int64_t mint, int64_t maxt,
                                               const storage::Matchers& m) override {
      std::vector<S> out;
      for (const auto& [l, samples] : s_->series_) {
        if (!storage::MatchesAll(m, l)) continue;
        auto lo = std::lower_bound(samples.begin(), samples.end(), mint,
                                   [](const Sample& x, int64_t v) { return x.t_ms < v; });
        auto hi = std::upper_bound(lo, samples.end(), maxt,
                                   [](int64_t v, const Sample& x) { return v < x.t_ms; });
        if (lo == hi) continue;
        out.emplace_back(&l, &*lo, &*lo + (hi - lo));
      }
      return std::make_unique<Set>(std::move(out));
    }
    absl::StatusOr<std::vector<std::string>> LabelNames(int64_t, int64_t,
                                                        const storage::Matchers&) override {
      return std::vector<std::string>{};
    }
    absl::StatusOr<std::vector<std::string>> LabelValues(const std::string&, int64_t, int64_t,
                                                         const storage::Matchers&) override {
      return std::vector<std::string>{};
    }

   private:
    SpanStorage* s_;
  };
  std::vector<std::pair<Labels, std::vector<Sample>>> series_;
};

constexpr int64_t kStep = 15'000;
constexpr int64_t kEnd = 2 * 3600 * 1000;

// Fills `app` (MemStorage) or `span` with the data set.
void Generate(storage::Appender* app, SpanStorage* span) {
  {
    const char* les[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};
    std::vector<storage::Labels> series;
    std::vector<double> rates;
    for (int i = 0; i < 500; ++i) {
      series.push_back(storage::Labels::FromPairs(
          {{"__name__", "c_total"}, {"instance", absl::StrCat("i", i)}}));
      rates.push_back(1 + i % 7);
    }
    for (int r = 0; r < 50; ++r) {
      for (int in = 0; in < 19; ++in) {
        for (int b = 0; b < 10; ++b) {
          series.push_back(storage::Labels::FromPairs({{"__name__", "h_bucket"},
                                                       {"route", absl::StrCat("/r", r)},
                                                       {"instance", absl::StrCat("i", in)},
                                                       {"le", les[b]}}));
          rates.push_back(1 + b * (1 + (r + in) % 3));
        }
      }
    }
    if (span != nullptr) {
      for (size_t s = 0; s < series.size(); ++s) {
        std::vector<Sample> samples;
        for (int64_t t = 0; t <= kEnd; t += kStep) {
          samples.push_back(Sample{t, rates[s] * static_cast<double>(t / kStep)});
        }
        span->Add(series[s], std::move(samples));
      }
      span->Sort();
      return;
    }
    std::vector<storage::SeriesRef> refs(series.size(), 0);
    for (int64_t t = 0; t <= kEnd; t += kStep) {
      for (size_t s = 0; s < series.size(); ++s) {
        auto ref = app->Append(refs[s], series[s], t, rates[s] * static_cast<double>(t / kStep));
        if (ref.ok()) refs[s] = *ref;
      }
    }
    (void)app->Commit();
  }
}

storage::Queryable* Db(bool mem) {
  static SpanStorage* span = [] {
    auto* s = new SpanStorage();
    Generate(nullptr, s);
    return s;
  }();
  if (!mem) return span;
  static storage::MemStorage* db = [] {
    auto* d = new storage::MemStorage();
    auto app = d->NewAppender();
    Generate(app.get(), nullptr);
    return d;
  }();
  return db;
}

void Run(benchmark::State& state, const char* query, bool range, bool mem = false) {
  storage::Queryable* db = Db(mem);
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

void BM_Engine_MemStorage_HistogramQuantile_Range1h(benchmark::State& s) {
  Run(s, "histogram_quantile(0.99, sum by (le, route) (rate(h_bucket[5m])))", true, true);
}

// Both threads' CPU in milliseconds, against wall time.
void ProcessCpuMs(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime();
}

BENCHMARK(BM_Engine_RateCounters_Instant)->Apply(ProcessCpuMs);
BENCHMARK(BM_Engine_RateCounters_Range1h)->Apply(ProcessCpuMs);
BENCHMARK(BM_Engine_SumByLeRate_Instant)->Apply(ProcessCpuMs);
BENCHMARK(BM_Engine_SumByLeRate_Range1h)->Apply(ProcessCpuMs);
BENCHMARK(BM_Engine_HistogramQuantile_Instant)->Apply(ProcessCpuMs);
BENCHMARK(BM_Engine_HistogramQuantile_Range1h)->Apply(ProcessCpuMs);
BENCHMARK(BM_Engine_MemStorage_HistogramQuantile_Range1h)->Apply(ProcessCpuMs);

}  // namespace
}  // namespace promlet::query

BENCHMARK_MAIN();
