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

namespace {

// Folds `f` into its step slot; `add` folds into a slot already started.
template <class Slot, class AddFn>
inline void FoldValue(Slot& g, AggregateOp op, bool drop_name, double f, AddFn add) {
  if (ABSL_PREDICT_FALSE(!g.seen)) {
    g.seen = true;
    g.drop_name = drop_name;
    StartFloatFold(op, f, g);
    return;
  }
  g.drop_name |= drop_name;
  add(f, g);
}

}  // namespace

void SeriesMajorFold::Add(size_t group, bool drop_name, std::span<const Point> points) {
  Slot* base = &slots_[group * steps_];
  const AggregateOp op = op_;
  const auto add = [op](double f, Slot& g) { AddFloatFold(op, f, g); };
  // Advance the step index along the points instead of dividing per point.
  size_t step = 0;
  int64_t step_t = start_;
  for (const Point& p : points) {
    while (step_t < p.t_ms) {
      step_t += interval_;
      ++step;
    }
    FoldValue(base[step], op, drop_name, p.value, add);
  }
}

void SeriesMajorFold::AddSteps(size_t group, bool drop_name, std::span<const uint32_t> steps,
                               std::span<const double> values) {
  Slot* base = &slots_[group * steps_];
  const AggregateOp op = op_;
  const auto fold = [&](auto add) {
    for (size_t i = 0; i < steps.size(); ++i) FoldValue(base[steps[i]], op, drop_name, values[i], add);
  };
  if (op == AggregateOp::kSum) {  // the common case, without AddFloatFold's switch
    fold([](double f, Slot& g) { KahanInc(f, &g.value, &g.kahan_c); });
  } else {
    fold([op](double f, Slot& g) { AddFloatFold(op, f, g); });
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
