#include "query/engine/series_fold.h"

#include <cmath>

#include "absl/base/optimization.h"
#include "query/engine/evaluator.h"
#include "query/engine/float_fold.h"

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
      g.seen = true;
      g.drop_name = drop_name;
      StartFloatFold(op, f, g);
      continue;
    }
    if (drop_name) g.drop_name = true;
    AddFloatFold(op, f, g);
  }
}

void SeriesMajorFold::AddSteps(size_t group, bool drop_name, std::span<const uint32_t> steps,
                               std::span<const double> values) {
  Slot* base = &slots_[group * steps_];
  const AggregateOp op = op_;
  if (op == AggregateOp::kSum) {  // the common case, without the switch
    for (size_t i = 0; i < steps.size(); ++i) {
      Slot& g = base[steps[i]];
      const double f = values[i];
      if (ABSL_PREDICT_FALSE(!g.seen)) {
        g.seen = true;
        g.drop_name = drop_name;
        StartFloatFold(op, f, g);
        continue;
      }
      g.drop_name |= drop_name;
      KahanInc(f, &g.value, &g.kahan_c);  // AddFloatFold's sum
    }
    return;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    Slot& g = base[steps[i]];
    const double f = values[i];
    if (ABSL_PREDICT_FALSE(!g.seen)) {
      g.seen = true;
      g.drop_name = drop_name;
      StartFloatFold(op, f, g);
      continue;
    }
    if (drop_name) g.drop_name = true;
    AddFloatFold(op, f, g);
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
      const double val = FinishFloatFold(op_, g);
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
