// SampleWindow against a direct scan: the same points (lo, hi] with stale
// markers dropped, the same decrease flag, for dense and sparse steps,
// gaps, reads with and without a NextBatch override.
#include "query/engine/sample_window.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "storage/api/appender.h"

namespace promlet::query::internal {
namespace {

using storage::Sample;

// Over a vector; NextBatch overridden or not.
class VecIterator : public storage::SeriesIterator {
 public:
  VecIterator(const std::vector<Sample>& s, bool batch) : s_(s), batch_(batch) {}
  bool Next() override { return ++i_ < s_.size(); }
  bool Seek(int64_t t) override {
    if (i_ == static_cast<size_t>(-1)) i_ = 0;
    while (i_ < s_.size() && s_[i_].t_ms < t) ++i_;
    return i_ < s_.size();
  }
  Sample At() const override { return s_[i_]; }
  size_t NextBatch(Sample* out, size_t max) override {
    if (!batch_) return SeriesIterator::NextBatch(out, max);
    size_t n = 0;
    while (n < max && i_ + 1 < s_.size()) out[n++] = s_[++i_];
    if (n == 0) i_ = s_.size();
    return n;
  }

 private:
  const std::vector<Sample>& s_;
  bool batch_;
  size_t i_ = static_cast<size_t>(-1);
};

std::vector<Sample> Expected(const std::vector<Sample>& s, int64_t lo, int64_t hi) {
  std::vector<Sample> out;
  for (const Sample& p : s) {
    if (p.t_ms > lo && p.t_ms <= hi && !storage::IsStaleNaN(p.value)) out.push_back(p);
  }
  return out;
}

bool HasDecrease(const std::vector<Sample>& w) {
  for (size_t i = 1; i < w.size(); ++i) {
    if (w[i].value < w[i - 1].value) return true;
  }
  return false;
}

void ExpectSame(const std::vector<Sample>& want, std::span<const Point> got, int64_t hi) {
  ASSERT_EQ(want.size(), got.size()) << "hi " << hi;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].t_ms, got[i].t_ms);
    EXPECT_EQ(want[i].value, got[i].value);
  }
}

TEST(SampleWindowTest, MatchesDirectScan) {
  std::mt19937 rng(7);
  for (int round = 0; round < 60; ++round) {
    std::vector<Sample> s;
    int64_t t = static_cast<int64_t>(rng() % 1000);
    double v = 0;
    const int n = static_cast<int>(rng() % 2000);
    for (int i = 0; i < n; ++i) {
      t += 1 + static_cast<int64_t>(rng() % 30) + (rng() % 50 == 0 ? 5000 : 0);  // some gaps
      v = rng() % 20 == 0 ? 0 : v + static_cast<double>(rng() % 10);           // some resets
      s.push_back(Sample{t, rng() % 40 == 0 ? storage::StaleNaN() : v});
    }
    const int64_t range = 1 + static_cast<int64_t>(rng() % 400);
    const int64_t interval = 1 + static_cast<int64_t>(rng() % 300);
    const int64_t start = static_cast<int64_t>(rng() % 2000);
    const size_t steps = 1 + rng() % 300;
    for (bool batch : {false, true}) {
      for (bool each : {false, true}) {
        SCOPED_TRACE(testing::Message() << "round " << round << " batch " << batch << " each " << each
                                        << " range " << range << " interval " << interval);
        VecIterator it(s, batch);
        SampleWindow w;
        w.Reset(&it, interval <= range ? 16 * interval : 0);
        if (each) {
          size_t next = 0;
          w.ForEachWindow(start, interval, steps, range,
                          [&](size_t k, int64_t hi, std::span<const Point> win, bool dec) {
                            for (; next < k; ++next) {  // skipped steps had empty windows
                              const int64_t h = start + static_cast<int64_t>(next) * interval;
                              EXPECT_TRUE(Expected(s, h - range, h).empty()) << h;
                            }
                            ++next;
                            const std::vector<Sample> want = Expected(s, hi - range, hi);
                            ExpectSame(want, win, hi);
                            EXPECT_EQ(HasDecrease(want), dec) << hi;
                            return true;
                          });
        } else {
          for (size_t k = 0; k < steps; ++k) {
            const int64_t hi = start + static_cast<int64_t>(k) * interval;
            const std::vector<Sample> want = Expected(s, hi - range, hi);
            ExpectSame(want, w.Slide(hi - range, hi), hi);
            EXPECT_EQ(HasDecrease(want), w.WindowHasDecrease()) << hi;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace promlet::query::internal
