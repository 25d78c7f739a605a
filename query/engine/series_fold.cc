#include "query/engine/series_fold.h"

#include <cmath>

#include "query/engine/evaluator.h"

namespace promlet::query::internal {

bool SeriesMajorFold::Supports(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
    case AggregateOp::kAvg:
    case AggregateOp::kCount:
    case AggregateOp::kMin:
    case AggregateOp::kMax:
    case AggregateOp::kGroup:
    case AggregateOp::kStddev:
    case AggregateOp::kStdvar:
      return true;
    default:
      return false;
  }
}

bool SeriesMajorFold::Reserve(size_t groups) {
  if (groups > kMaxSlots / steps_) return false;
  if (groups * steps_ > slots_.size()) slots_.resize(groups * steps_);
  return true;
}

void SeriesMajorFold::Add(size_t group, bool drop_name, std::span<const Point> points) {
  Slot* base = &slots_[group * steps_];
  const AggregateOp op = op_;
  // Advance the step index along the points instead of dividing per point.
  size_t step = 0;
  int64_t step_t = start_;
  for (const Point& p : points) {
    while (step_t < p.t_ms) {
      step_t += interval_;
      ++step;
    }
    Slot& g = base[step];
    const double f = p.value;
    if (!g.seen) {
      g = Slot{f, f, 0, 1, true, drop_name, false};
      if (op == AggregateOp::kStddev || op == AggregateOp::kStdvar) {
        g.value = (std::isnan(f) || std::isinf(f)) ? std::nan("") : 0;
      } else if (op == AggregateOp::kGroup) {
        g.value = 1;
      }
      continue;
    }
    if (drop_name) g.drop_name = true;
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
      default:
        break;
    }
  }
}

Matrix SeriesMajorFold::Finish(const std::vector<const storage::Labels*>& group_labels,
                               int64_t* samples) const {
  Matrix out;
  for (size_t gi = 0; gi < group_labels.size(); ++gi) {
    Series s;
    const Slot* base = &slots_[gi * steps_];
    for (size_t k = 0; k < steps_; ++k) {
      const Slot& g = base[k];
      if (!g.seen) continue;
      double val = g.value;
      switch (op_) {
        case AggregateOp::kAvg:
          val = g.incremental_mean ? g.mean + g.kahan_c : g.value / g.count + g.kahan_c / g.count;
          break;
        case AggregateOp::kCount:
          val = g.count;
          break;
        case AggregateOp::kStdvar:
          val = g.value / g.count;
          break;
        case AggregateOp::kStddev:
          val = std::sqrt(g.value / g.count);
          break;
        case AggregateOp::kSum:
          val = g.value + g.kahan_c;
          break;
        default:
          break;
      }
      if (s.points.empty()) s.points.reserve(steps_ - k);
      s.points.push_back(Point{start_ + static_cast<int64_t>(k) * interval_, val});
      s.drop_name = g.drop_name;
    }
    if (s.points.empty()) continue;
    *samples += static_cast<int64_t>(s.points.size());
    s.metric = *group_labels[gi];
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace promlet::query::internal
