// The arithmetic of the simple float aggregations (sum, avg, count, min,
// max, group, stddev, stdvar), shared by the step-major fold
// (aggregate.cc) and the series-major fold (series_fold.cc): both must give
// Prometheus's exact floating-point results, so there is one copy of it.
// `Acc` has double value, mean, kahan_c, count and bool incremental_mean.
#ifndef PROMLET_QUERY_ENGINE_FLOAT_FOLD_H_
#define PROMLET_QUERY_ENGINE_FLOAT_FOLD_H_

#include <cmath>

#include "query/engine/evaluator.h"
#include "query/parser/ast.h"

namespace promlet::query::internal {

// The group's first value.
template <typename Acc>
inline void StartFloatFold(AggregateOp op, double f, Acc& g) {
  g.value = f;
  g.mean = f;
  g.kahan_c = 0;
  g.count = 1;
  g.incremental_mean = false;
  if (op == AggregateOp::kStddev || op == AggregateOp::kStdvar) {
    g.value = (std::isnan(f) || std::isinf(f)) ? std::nan("") : 0;
  } else if (op == AggregateOp::kGroup) {
    g.value = 1;
  }
}

// Every later value, in input order (Prometheus's order of operations).
template <typename Acc>
inline void AddFloatFold(AggregateOp op, double f, Acc& g) {
  switch (op) {
    case AggregateOp::kSum:
      KahanInc(f, &g.value, &g.kahan_c);
      break;
    case AggregateOp::kAvg: {
      g.count++;
      if (!g.incremental_mean) {
        double nv = g.value, nc = g.kahan_c;
        KahanInc(f, &nv, &nc);
        if (!std::isinf(nv)) {
          g.value = nv;
          g.kahan_c = nc;
          break;
        }
        // The sum overflowed: continue as an incremental mean.
        g.incremental_mean = true;
        g.mean = g.value / (g.count - 1);
        g.kahan_c /= g.count - 1;
      }
      const double q = (g.count - 1) / g.count;
      double m = q * g.mean, c = q * g.kahan_c;
      KahanInc(f / g.count, &m, &c);
      g.mean = m;
      g.kahan_c = c;
      break;
    }
    case AggregateOp::kMax:
      if (g.value < f || std::isnan(g.value)) g.value = f;
      break;
    case AggregateOp::kMin:
      if (g.value > f || std::isnan(g.value)) g.value = f;
      break;
    case AggregateOp::kCount:
      g.count++;
      break;
    case AggregateOp::kStddev:
    case AggregateOp::kStdvar: {
      g.count++;
      const double delta = f - g.mean;
      g.mean += delta / g.count;
      g.value += delta * (f - g.mean);
      break;
    }
    default:  // group: nothing to add
      break;
  }
}

// The group's result; `value` for the operations with nothing to finish.
template <typename Acc>
inline double FinishFloatFold(AggregateOp op, const Acc& g) {
  switch (op) {
    case AggregateOp::kAvg:
      return g.incremental_mean ? g.mean + g.kahan_c : g.value / g.count + g.kahan_c / g.count;
    case AggregateOp::kCount:
      return g.count;
    case AggregateOp::kStdvar:
      return g.value / g.count;
    case AggregateOp::kStddev:
      return std::sqrt(g.value / g.count);
    case AggregateOp::kSum:
      return g.value + g.kahan_c;
    default:
      return g.value;
  }
}

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_ENGINE_FLOAT_FOLD_H_
