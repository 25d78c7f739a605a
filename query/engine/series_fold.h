// Series-major folding for the simple aggregations (sum, avg, count, min,
// max, group, stddev, stdvar) of a range evaluation: each input series is
// walked once and its points are folded into per-(group, step) slots laid
// out group-major, so no step touches every series. The operations per
// slot happen in input order, exactly as Prometheus folds a step's vector,
// so results are bit-identical to the step-major path.
//
//   SeriesMajorFold fold(op, start, interval, steps);
//   if (!fold.Reserve(groups)) ... too many slots, use the step-major path
//   fold.Add(group, drop_name, points);   // series by series, in input order
//   Matrix out = fold.Finish(group_labels, &samples);
#ifndef PROMLET_QUERY_ENGINE_SERIES_FOLD_H_
#define PROMLET_QUERY_ENGINE_SERIES_FOLD_H_

#include <cstdint>
#include <span>
#include <vector>

#include "query/engine/value.h"
#include "query/parser/ast.h"

namespace promlet::query::internal {

class SeriesMajorFold {
 public:
  // Upper bound on groups x steps; past it the slots would cost more memory
  // than the step-major path's per-group state.
  static constexpr size_t kMaxSlots = size_t{1} << 22;

  static bool Supports(AggregateOp op);

  SeriesMajorFold(AggregateOp op, int64_t start, int64_t interval, size_t steps)
      : op_(op), start_(start), interval_(interval), steps_(steps) {}

  // Makes room for `groups` groups; false when that exceeds kMaxSlots.
  bool Reserve(size_t groups);
  // Folds a series whose points lie on step times, ascending.
  // REQUIRES: group < the last Reserve()d count.
  void Add(size_t group, bool drop_name, std::span<const Point> points);
  // Folds values[i] of a series at step index steps[i] (ascending), like
  // Add. A series' values are made first and folded here in one tight
  // pass over the group's slots, which then stream through the cache.
  void AddSteps(size_t group, bool drop_name, std::span<const uint32_t> steps,
                std::span<const double> values);
  // One series per group with any point, in group order; adds the number
  // of points made to *samples. group_labels[g] names group g.
  Matrix Finish(const std::vector<const storage::Labels*>& group_labels, int64_t* samples) const;

 private:
  struct Slot {
    double value = 0, mean = 0, kahan_c = 0, count = 0;
    bool seen = false, drop_name = false, incremental_mean = false;
  };

  AggregateOp op_;
  int64_t start_;
  int64_t interval_;
  size_t steps_;
  std::vector<Slot> slots_;
};

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_ENGINE_SERIES_FOLD_H_
