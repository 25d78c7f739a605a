// Shared helpers for block tests: temp dirs, model data, set comparison.
#ifndef PROMLET_TESTS_STORAGE_BLOCK_TEST_UTIL_H_
#define PROMLET_TESTS_STORAGE_BLOCK_TEST_UTIL_H_

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/api/mem_storage.h"
#include "storage/block/file_util.h"

namespace promlet::storage::block::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/promlet_block_test_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { RemoveAll(path_).IgnoreError(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct SeriesData {
  Labels labels;
  std::vector<Sample> samples;
};

// Reads a whole set into memory (labels and samples), checking status.
inline std::vector<SeriesData> Collect(SeriesSet* set) {
  std::vector<SeriesData> out;
  while (set->Next()) {
    SeriesData d{set->At().labels(), {}};
    auto it = set->At().NewIterator();
    while (it->Next()) d.samples.push_back(it->At());
    EXPECT_TRUE(it->status().ok()) << it->status();
    out.push_back(std::move(d));
  }
  EXPECT_TRUE(set->status().ok()) << set->status();
  return out;
}

inline void ExpectSame(const std::vector<SeriesData>& got, const std::vector<SeriesData>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].labels, want[i].labels) << i;
    ASSERT_EQ(got[i].samples.size(), want[i].samples.size()) << got[i].labels.ToString();
    for (size_t j = 0; j < got[i].samples.size(); ++j) {
      ASSERT_EQ(got[i].samples[j].t_ms, want[i].samples[j].t_ms);
      ASSERT_EQ(std::bit_cast<uint64_t>(got[i].samples[j].value),
                std::bit_cast<uint64_t>(want[i].samples[j].value));
    }
  }
}

// Scrape-like data: `targets` × `per_target` series sharing timestamps per
// target (15 s with ms jitter), counters, gauges and a few odd values.
inline void FillModel(MemStorage* m, uint64_t seed, int targets, int per_target, int64_t t0,
                      int steps) {
  std::mt19937_64 rng(seed);
  auto app = m->NewAppender();
  for (int tg = 0; tg < targets; ++tg) {
    int64_t t = t0 + static_cast<int64_t>(rng() % 1000);
    std::vector<double> counters(per_target, 0);
    for (int s = 0; s < steps; ++s) {
      t += 15000 + static_cast<int64_t>(rng() % 7) - 3;
      for (int i = 0; i < per_target; ++i) {
        double v;
        switch (i % 4) {
          case 0: v = (counters[i] += static_cast<double>(rng() % 100)); break;
          case 1: v = static_cast<double>(rng() % 5); break;
          case 2: v = 0.001 * static_cast<double>(rng() % 100000); break;
          default: v = (s % 50 == 49) ? StaleNaN() : std::ldexp(static_cast<double>(rng() >> 11), -50);
        }
        Labels l = Labels::FromPairs({{"__name__", i % 2 ? "gauge_" + std::to_string(i % 3) : "counter_total"},
                                      {"instance", "host-" + std::to_string(tg)},
                                      {"idx", std::to_string(i)},
                                      {"job", tg % 2 ? "odd" : "even"}});
        auto r = app->Append(0, l, t, v);
        EXPECT_TRUE(r.ok()) << r.status();
      }
    }
  }
  EXPECT_TRUE(app->Commit().ok());
}

// Histogram-like groups (`combos` of them): buckets, _sum and _count
// proportional to one counter, 480 samples at 15 s from t0, so most chunks
// are regression-coded against a reference chunk.
inline void FillHistogramGroups(MemStorage* m, uint64_t seed, int combos, int64_t t0) {
  std::mt19937_64 rng(seed);
  auto app = m->NewAppender();
  const char* les[] = {"0.1", "1", "10", "+Inf"};
  const double frac[] = {0.2, 0.6, 0.95, 1};
  for (int combo = 0; combo < combos; ++combo) {
    std::string c = std::to_string(combo);
    double cnt = 1000;
    for (int s = 0; s < 480; ++s) {
      int64_t t = t0 + s * 15000;
      cnt += static_cast<double>(10 + rng() % 40);
      for (int b = 0; b < 4; ++b) {
        EXPECT_TRUE(app->Append(0, Labels::FromPairs({{"__name__", "h_bucket"}, {"c", c}, {"le", les[b]}}), t,
                                std::floor(frac[b] * cnt)).ok());
      }
      EXPECT_TRUE(app->Append(0, Labels::FromPairs({{"__name__", "h_sum"}, {"c", c}}), t,
                              std::round(0.123 * cnt * 1000) / 1000).ok());
      EXPECT_TRUE(app->Append(0, Labels::FromPairs({{"__name__", "h_count"}, {"c", c}}), t, cnt).ok());
    }
  }
  EXPECT_TRUE(app->Commit().ok());
}

inline Matchers AllSeries() { return {*Matcher::Make(MatchType::kRegexMatch, "__name__", ".+")}; }

}  // namespace promlet::storage::block::testing

#endif  // PROMLET_TESTS_STORAGE_BLOCK_TEST_UTIL_H_
