// Internal: Prometheus extrapolatedRate (promql/functions.go, 3.x) over one
// window, shared by the rate/increase/delta table functions and the
// per-series step loop of range queries (evaluator.cc), so both give the
// same doubles.
#ifndef PROMLET_QUERY_ENGINE_EXTRAPOLATED_RATE_H_
#define PROMLET_QUERY_ENGINE_EXTRAPOLATED_RATE_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "absl/base/optimization.h"
#include "query/engine/evaluator.h"

namespace promlet::query::internal {

// rate: kCounter and kRate; increase: kCounter; delta: neither. The
// window is (range_start, range_end]; `may_decrease` false promises no
// value decreases inside it. The window-shape arithmetic (six divisions)
// is memoized in `g`; per window only the counter's zero point may need a
// division, and a multiplication-only test with a 1 % margin skips it when
// it cannot shorten the start. False (no output) below two points.
template <bool kCounter, bool kRate>
inline bool ExtrapolatedRateWindow(std::span<const Point> w, bool may_decrease,
                                   int64_t range_start, int64_t range_end, int64_t range_ms,
                                   RateGeometry& g, double* out) {
  if (w.size() < 2) return false;
  const double first = w.front().value;
  double result = w.back().value - first;
  if (kCounter && may_decrease) {
    // Prometheus's order of additions, so the sum is bit-identical.
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i].value < w[i - 1].value) result += w[i - 1].value;
    }
  }
  const int64_t to_start_ms = w.front().t_ms - range_start;
  const int64_t to_end_ms = range_end - w.back().t_ms;
  const int64_t sampled_ms = w.back().t_ms - w.front().t_ms;
  // One branch for "same shape as last time" (the common case).
  const uint64_t shape_differs = static_cast<uint64_t>(g.to_start_ms ^ to_start_ms) |
                                 static_cast<uint64_t>(g.to_end_ms ^ to_end_ms) |
                                 static_cast<uint64_t>(g.sampled_ms ^ sampled_ms) |
                                 (g.samples ^ w.size()) |
                                 static_cast<uint64_t>(g.range_ms ^ range_ms) |
                                 static_cast<uint64_t>(g.is_rate != kRate);
  if (ABSL_PREDICT_FALSE(shape_differs != 0)) {
    // Timestamps are below 2^53, so these differences are exact, as are
    // Prometheus's float64(firstT-rangeStart) etc.
    double duration_to_start = static_cast<double>(to_start_ms) / 1000;
    double duration_to_end = static_cast<double>(to_end_ms) / 1000;
    const double sampled = static_cast<double>(sampled_ms) / 1000;
    const double avg = sampled / static_cast<double>(w.size() - 1);
    const double threshold = avg * 1.1;
    if (duration_to_start >= threshold) duration_to_start = avg / 2;
    if (duration_to_end >= threshold) duration_to_end = avg / 2;
    double factor = (sampled + duration_to_start + duration_to_end) / sampled;
    if (kRate) factor /= static_cast<double>(range_ms) / 1000;
    g = RateGeometry{kRate,    to_start_ms,       to_end_ms,       sampled_ms, range_ms,
                     w.size(), duration_to_start, duration_to_end, sampled,    factor};
  }
  double factor = g.factor;
  if (kCounter && result > 0 && first >= 0) {
    // to_zero = sampled * (first / result) matters only below the start
    // gap; first * sampled > 1.01 * gap * result proves it is not.
    // (lhs > rhs already fails for an infinite or NaN rhs, and for a NaN
    // lhs; only lhs = +Inf needs its own test.)
    const double lhs = first * g.sampled;
    const double rhs = 1.01 * g.duration_to_start * result;
    const bool clearly_after = lhs > rhs && rhs >= std::numeric_limits<double>::min() &&
                               lhs < std::numeric_limits<double>::infinity();
    if (!clearly_after) {
      const double to_zero = g.sampled * (first / result);
      if (to_zero < g.duration_to_start) {
        factor = (g.sampled + to_zero + g.duration_to_end) / g.sampled;
        if (kRate) factor /= static_cast<double>(range_ms) / 1000;
      }
    }
  }
  *out = result * factor;
  return true;
}

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_ENGINE_EXTRAPOLATED_RATE_H_
