// Internal: the evaluator behind Engine (Prometheus `promql/engine.go`
// evaluator). Every expression is evaluated over the steps start, start +
// interval, ..., end and yields a Matrix whose series have at most one point
// per step; an instant query is a range evaluation with one step. Scalars
// are a Matrix with one label-less series.
//
// Inside a step, instant vectors are std::vector<Sample> whose labels are
// borrowed pointers (into input matrices or a LabelArena), so gathering a
// vector per step allocates nothing per sample.
#ifndef PROMLET_QUERY_ENGINE_EVALUATOR_H_
#define PROMLET_QUERY_ENGINE_EVALUATOR_H_

#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/engine/value.h"
#include "query/parser/ast.h"
#include "storage/api/querier.h"

namespace re2 {
class RE2;
}

namespace promlet::query::internal {

class SeriesMajorFold;

// An element of an instant vector during one step.
struct Sample {
  const storage::Labels* metric = nullptr;
  double f = 0;
  int64_t t = 0;
  bool drop_name = false;
  int sig = 0;  // join-signature ordinal for binary operators
};
using Vector = std::vector<Sample>;

// Stable storage for label sets made during evaluation; pointers stay
// valid until the arena is destroyed.
class LabelArena {
 public:
  const storage::Labels* Add(storage::Labels l) {
    items_.push_back(std::move(l));
    return &items_.back();
  }

 private:
  std::deque<storage::Labels> items_;
};

const storage::Labels& EmptyLabels();

// The expression inside any parentheses.
const Expr& Unparen(const Expr& e);

// Labels for absent()/absent_over_time() of a (range) vector selector: the
// labels of its equality matchers (Prometheus createLabelsForAbsentFunction).
storage::Labels AbsentLabels(const Expr& arg);

// State shared by the evaluators of one query (nested evaluators of
// subqueries included). Thread-compatible.
struct QueryContext {
  storage::Querier* querier = nullptr;
  int64_t lookback_ms = 0;
  int64_t max_samples = 0;
  int64_t current_samples = 0;
  int64_t default_subquery_step_ms = 60000;
  int64_t query_start_ms = 0;  // for @ start()
  int64_t query_end_ms = 0;    // for @ end()
  absl::Time deadline = absl::InfiniteFuture();
  const std::atomic<bool>* cancel = nullptr;
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
  int interrupt_counter = 0;

  // DeadlineExceeded/Cancelled once the query must stop.
  absl::Status CheckInterrupt();
  // ResourceExhausted when adding n samples exceeds the limit.
  absl::Status AddSamples(int64_t n);
  void Warn(std::string w);
  void Info(std::string i);
};

// The time arithmetic of rate/increase/delta for one window shape (sample
// timestamps relative to the window), kept between calls: series sampled in
// step with the query have the same shape at every step, and the divisions
// then run once instead of per window. Same doubles either way.
struct RateGeometry {
  bool is_rate = false;
  int64_t to_start_ms = 0;  // first sample - window start
  int64_t to_end_ms = 0;    // window end - last sample
  int64_t sampled_ms = 0;   // last sample - first sample
  int64_t range_ms = 0;
  size_t samples = 0;  // 0: nothing memoized yet (windows have two or more)
  double duration_to_start = 0;  // after the 1.1 x average-gap rule
  double duration_to_end = 0;
  double sampled = 0;
  double factor = 0;  // when the zero point does not shorten the start
};

// Per-call environment of a function implementation.
struct FuncEnv {
  int64_t ts = 0;            // step time
  const Call* call = nullptr;
  LabelArena* arena = nullptr;
  QueryContext* ctx = nullptr;
  absl::Status status;       // set to fail the query
  // Labels made by the function, by content key, reused across steps so
  // output series keep one pointer (histogram_quantile, absent).
  absl::flat_hash_map<std::string, const storage::Labels*>* label_cache = nullptr;
  RateGeometry rate_geometry;
  // histogram_quantile: what each input series' labels give (its `le` and
  // its group), worked out on the first step that sees it. Input series
  // keep their label pointers for the whole evaluation.
  struct BucketSeries {
    bool le_ok = false;
    double upper = 0;
    size_t group = 0;  // into bucket_groups
  };
  absl::flat_hash_map<const storage::Labels*, BucketSeries> bucket_series;
  std::vector<const storage::Labels*> bucket_groups;  // labels without `le`
  absl::flat_hash_map<std::string, size_t> bucket_group_index;
};

// A function over instant vectors/scalars (one Vector per argument; a
// string argument is an empty Vector, read it from env.call->args).
using VectorFunc = void (*)(FuncEnv& env, std::vector<Vector>& args, Vector* out);

// A function over the window of one series. Returns false for no output.
struct RangeArgs {
  std::span<const Point> window;
  int64_t ts = 0;           // step time (predict_linear's intercept)
  int64_t range_start = 0;  // window is (range_start, range_end]
  int64_t range_end = 0;
  int64_t range_ms = 0;
  double param0 = 0;        // scalar args in order (quantile q, predict t, sf)
  double param1 = 0;
  const storage::Labels* metric = nullptr;
  // False when no value decreases inside the window (no counter resets).
  bool may_decrease = true;
};
using RangeFunc = bool (*)(FuncEnv& env, const RangeArgs& a, double* out);

struct FunctionImpl {
  VectorFunc vector_fn = nullptr;
  RangeFunc range_fn = nullptr;
};
// nullptr when the engine does not implement the function.
const FunctionImpl* LookupImpl(std::string_view name);

// Prometheus quantile() over values (sorts them).
double Quantile(double q, std::vector<double>& values);
// Kahan-Neumaier increment (Prometheus util/kahansum).
inline void KahanInc(double inc, double* sum, double* c);
// Matches `input` against the anchored `re` and expands `tmpl` Go-style
// ($1, ${1}, $name, ${name}, $$) into *out. False when there is no match.
bool RegexExpand(const re2::RE2& re, std::string_view tmpl, std::string_view input,
                 std::string* out);

class Evaluator {
 public:
  Evaluator(QueryContext* ctx, int64_t start, int64_t end, int64_t interval)
      : ctx_(ctx), start_(start), end_(end), interval_(interval) {}

  absl::StatusOr<Matrix> Eval(const Expr& e);

  int64_t start() const { return start_; }
  int64_t end() const { return end_; }
  int64_t interval() const { return interval_; }
  int NumSteps() const { return static_cast<int>((end_ - start_) / interval_) + 1; }

  // Applies fn at each step to the vectors gathered from `inputs` (one per
  // input; `sigs[i]`, when given, are per-series signature ordinals) and
  // collects the outputs into series.
  using StepFn = std::function<absl::Status(int64_t ts, std::vector<Vector>& in, Vector* out)>;
  absl::StatusOr<Matrix> RangeEval(std::vector<Matrix>& inputs,
                                   const std::vector<std::vector<int>>* sigs,
                                   const StepFn& fn);

 private:
  absl::StatusOr<Matrix> EvalVectorSelector(const VectorSelector& vs, bool timestamps);
  absl::StatusOr<Matrix> EvalMatrixSelectorRaw(const MatrixSelector& ms);
  absl::StatusOr<Matrix> EvalSubqueryRaw(const SubqueryExpr& sq, int64_t* at_ms, bool* has_at);
  absl::StatusOr<Matrix> EvalCall(const Expr& e, const Call& c);
  // Receives each series a range-vector function makes, instead of the
  // result matrix (the points are valid during the call only).
  using SeriesSink = std::function<absl::Status(const storage::Labels& metric, bool drop_name,
                                                std::span<const Point> points)>;
  // rate/increase/delta over a selector fold each series' values into
  // `fold` from two flat arrays (no Point vector, no std::function call);
  // other functions still go through the sink.
  struct FoldTarget {
    SeriesMajorFold* fold = nullptr;
    // The group of a series, asked on its first point; an error stops.
    std::function<absl::StatusOr<size_t>(const storage::Labels& metric)> group_of;
  };
  absl::StatusOr<Matrix> EvalRangeCall(const Call& c, int matrix_arg, const FunctionImpl& impl,
                                       const SeriesSink* sink = nullptr,
                                       const FoldTarget* fold_target = nullptr);
  absl::StatusOr<std::optional<Matrix>> FoldRangeCall(const AggregateExpr& a);
  absl::StatusOr<Matrix> EvalLabelReplace(const Call& c);
  absl::StatusOr<Matrix> EvalLabelJoin(const Call& c);
  absl::StatusOr<Matrix> EvalBinary(const BinaryExpr& b);
  absl::StatusOr<Matrix> EvalAggregate(const AggregateExpr& a);
  absl::StatusOr<Matrix> EvalCountValues(const AggregateExpr& a);
  absl::StatusOr<std::vector<double>> EvalScalarParam(const Expr* e);
  int64_t AtOr(const AtModifier& at, int64_t ts) const;

  QueryContext* ctx_;
  int64_t start_;
  int64_t end_;
  int64_t interval_;
};

// Merges series with equal labels (after name dropping); FailedPrecondition
// "vector cannot contain metrics with the same labelset" on overlapping
// timestamps (Prometheus mergeSeriesWithSameLabelset).
absl::Status MergeSameLabelsets(Matrix* m);
// Removes __name__ (and __type__/__unit__) from series marked drop_name.
storage::Labels DropMetricName(const storage::Labels& l);

inline void KahanInc(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::isinf(t)) {
    *c = 0;
  } else if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

}  // namespace promlet::query::internal

#endif  // PROMLET_QUERY_ENGINE_EVALUATOR_H_
