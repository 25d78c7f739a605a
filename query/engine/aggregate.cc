// Aggregation operators (Prometheus engine.go rangeEvalAgg, aggregation,
// aggregationK, aggregationCountValues).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "query/engine/engine.h"
#include "query/engine/evaluator.h"
#include "query/engine/float_fold.h"
#include "query/engine/series_fold.h"
#include "query/parser/function_table.h"

namespace promlet::query::internal {
namespace {

using storage::Labels;

bool Listed(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

std::string GroupKey(const Labels& l, const std::vector<std::string>& grouping, bool without) {
  std::string key;
  for (const storage::Label& x : l) {
    bool listed = Listed(grouping, x.name);
    bool use = without ? (!listed && x.name != storage::kMetricName) : listed;
    if (!use) continue;
    key.append(x.name);
    key.push_back('\xff');
    key.append(x.value);
    key.push_back('\xff');
  }
  return key;
}

Labels GroupLabels(const Labels& l, const std::vector<std::string>& grouping, bool without) {
  if (!without && grouping.empty()) return Labels();
  storage::LabelsBuilder b(l);
  b.Filter([&](std::string_view n, std::string_view) {
    bool listed = Listed(grouping, n);
    return without ? (!listed && n != storage::kMetricName) : listed;
  });
  return b.Build();
}

struct Group {
  bool seen = false;
  bool drop_name = false;
  bool incremental_mean = false;
  double value = 0;
  double mean = 0;
  double kahan_c = 0;
  double count = 0;
  std::vector<double> values;  // quantile
  std::vector<Sample> heap;    // topk/bottomk/limitk
};

// Go container/heap over `less`, so ties break like Prometheus.
template <typename Less>
void HeapUp(std::vector<Sample>& h, size_t j, Less less) {
  while (j > 0) {
    size_t i = (j - 1) / 2;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    j = i;
  }
}
template <typename Less>
void HeapDown(std::vector<Sample>& h, size_t i, Less less) {
  const size_t n = h.size();
  for (;;) {
    size_t j1 = 2 * i + 1;
    if (j1 >= n) break;
    size_t j = j1;
    if (j1 + 1 < n && less(h[j1 + 1], h[j1])) j = j1 + 1;
    if (!less(h[j], h[i])) break;
    std::swap(h[i], h[j]);
    i = j;
  }
}

}  // namespace

// sum/avg/... over a range-vector function such as rate(m[5m]): each
// series the function makes is folded as soon as it is made, so the
// function's output matrix (series x steps points) never exists. nullopt
// when the argument is not such a call or the groups outgrow the slots;
// the caller then evaluates the plain way.
absl::StatusOr<std::optional<Matrix>> Evaluator::FoldRangeCall(const AggregateExpr& a) {
  const auto* call = std::get_if<Call>(&Unparen(*a.expr).node);
  if (call == nullptr || call->func->name == "absent_over_time") return std::nullopt;
  const FunctionImpl* impl = LookupImpl(call->func->name);
  if (impl == nullptr || impl->range_fn == nullptr) return std::nullopt;
  int matrix_arg = -1;
  for (size_t i = 0; i < call->args.size(); ++i) {
    const Expr& arg = Unparen(*call->args[i]);
    if (std::holds_alternative<MatrixSelector>(arg.node) ||
        std::holds_alternative<SubqueryExpr>(arg.node)) {
      matrix_arg = static_cast<int>(i);
      break;
    }
  }
  if (matrix_arg < 0) return std::nullopt;

  SeriesMajorFold fold(a.op, start_, interval_, static_cast<size_t>(NumSteps()));
  LabelArena arena;
  std::vector<const Labels*> group_labels;
  absl::flat_hash_map<std::string, size_t> group_index;
  bool too_many_groups = false;
  // The group of a series, made on its first point.
  auto group_of = [&](const Labels& metric) -> absl::StatusOr<size_t> {
    auto [it, inserted] =
        group_index.try_emplace(GroupKey(metric, a.grouping, a.without), group_labels.size());
    if (inserted) {
      if (!fold.Reserve(group_labels.size() + 1)) {
        too_many_groups = true;
        return absl::AbortedError("too many groups for series-major folding");
      }
      group_labels.push_back(arena.Add(GroupLabels(metric, a.grouping, a.without)));
    }
    return it->second;
  };
  const SeriesSink sink = [&](const Labels& metric, bool drop_name,
                              std::span<const Point> points) -> absl::Status {
    ASSIGN_OR_RETURN(size_t group, group_of(metric));
    fold.Add(group, drop_name, points);
    return absl::OkStatus();
  };
  const FoldTarget target{&fold, group_of};
  const int64_t samples_before = ctx_->current_samples;
  absl::StatusOr<Matrix> none = EvalRangeCall(*call, matrix_arg, *impl, &sink, &target);
  if (!none.ok()) {
    if (!too_many_groups) return none.status();
    ctx_->current_samples = samples_before;  // the plain path counts again
    return std::nullopt;
  }
  int64_t total = 0;
  Matrix out = fold.Finish(group_labels, &total);
  RETURN_IF_ERROR(ctx_->AddSamples(total));
  return out;
}

absl::StatusOr<Matrix> Evaluator::EvalAggregate(const AggregateExpr& a) {
  if (a.op == AggregateOp::kCountValues) return EvalCountValues(a);
  if (a.op == AggregateOp::kLimitRatio) {
    return absl::InvalidArgumentError("limit_ratio is not supported");
  }
  if (SeriesMajorFold::Supports(a.op) && NumSteps() > 1) {
    ASSIGN_OR_RETURN(std::optional<Matrix> folded, FoldRangeCall(a));
    if (folded.has_value()) return std::move(*folded);
  }
  ASSIGN_OR_RETURN(std::vector<double> params, EvalScalarParam(a.param.get()));
  std::vector<Matrix> in(1);
  ASSIGN_OR_RETURN(in[0], Eval(*a.expr));
  const Matrix& input = in[0];

  // Map input series to groups once.
  LabelArena arena;
  std::vector<const Labels*> group_labels;
  std::vector<std::vector<int>> sigs(1);
  sigs[0].reserve(input.size());
  absl::flat_hash_map<std::string, int> group_index;
  for (const Series& s : input) {
    auto [it, inserted] = group_index.emplace(GroupKey(s.metric, a.grouping, a.without),
                                              static_cast<int>(group_labels.size()));
    if (inserted) group_labels.push_back(arena.Add(GroupLabels(s.metric, a.grouping, a.without)));
    sigs[0].push_back(it->second);
  }
  std::vector<Group> groups(group_labels.size());
  const AggregateOp op = a.op;
  const bool k_op = op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kLimitk;

  if (k_op) {
    double pmax = -std::numeric_limits<double>::infinity();
    bool any_nan = false;
    for (double p : params) {
      if (std::isnan(p)) any_nan = true;
      else pmax = std::max(pmax, p);
    }
    if (!any_nan && pmax < 1) return Matrix();
    if (any_nan) return absl::FailedPreconditionError("Parameter value is NaN");
    for (double p : params) {
      if (p >= 9223372036854774784.0) {
        return absl::FailedPreconditionError(absl::StrCat("Scalar value ", FormatFloat(p), " overflows int64"));
      }
      if (p <= -9223372036854775808.0) {
        return absl::FailedPreconditionError(absl::StrCat("Scalar value ", FormatFloat(p), " underflows int64"));
      }
    }
  }
  if (op == AggregateOp::kQuantile) {
    for (double p : params) {
      if (std::isnan(p) || p < 0 || p > 1) {
        ctx_->Warn(absl::StrCat("PromQL warning: quantile value should be between 0 and 1, got ",
                                FormatFloat(p)));
      }
    }
  }
  // Series-major evaluation for the simple aggregations (series_fold.h);
  // it avoids touching every series at every step.
  const size_t steps = static_cast<size_t>(NumSteps());
  if (SeriesMajorFold::Supports(op) && steps > 1) {
    SeriesMajorFold fold(op, start_, interval_, steps);
    if (fold.Reserve(group_labels.size())) {
      for (size_t si = 0; si < input.size(); ++si) {
        RETURN_IF_ERROR(ctx_->CheckInterrupt());
        fold.Add(static_cast<size_t>(sigs[0][si]), input[si].drop_name, input[si].points);
      }
      int64_t total = 0;
      Matrix out = fold.Finish(group_labels, &total);
      RETURN_IF_ERROR(ctx_->AddSamples(total));
      return out;
    }
  }

  auto top_less = [](const Sample& x, const Sample& y) {
    if (std::isnan(x.f)) return true;
    return x.f < y.f;
  };
  auto bottom_less = [](const Sample& x, const Sample& y) {
    if (std::isnan(x.f)) return true;
    return x.f > y.f;
  };

  return RangeEval(in, &sigs, [&](int64_t ts, std::vector<Vector>& v, Vector* out) -> absl::Status {
    const double param = params[static_cast<size_t>((ts - start_) / interval_)];
    for (Group& g : groups) g.seen = false;
    if (k_op) {
      const int64_t k = std::min<int64_t>(static_cast<int64_t>(param), static_cast<int64_t>(input.size()));
      if (k < 1) return absl::OkStatus();
      for (const Sample& s : v[0]) {
        Group& g = groups[static_cast<size_t>(s.sig)];
        if (!g.seen) {
          g.seen = true;
          g.heap.clear();
          g.heap.push_back(s);
          continue;
        }
        if (op == AggregateOp::kTopk) {
          if (static_cast<int64_t>(g.heap.size()) < k) {
            g.heap.push_back(s);
            HeapUp(g.heap, g.heap.size() - 1, top_less);
          } else if (g.heap[0].f < s.f || (std::isnan(g.heap[0].f) && !std::isnan(s.f))) {
            g.heap[0] = s;
            if (k > 1) HeapDown(g.heap, 0, top_less);
          }
        } else if (op == AggregateOp::kBottomk) {
          if (static_cast<int64_t>(g.heap.size()) < k) {
            g.heap.push_back(s);
            HeapUp(g.heap, g.heap.size() - 1, bottom_less);
          } else if (g.heap[0].f > s.f || (std::isnan(g.heap[0].f) && !std::isnan(s.f))) {
            g.heap[0] = s;
            if (k > 1) HeapDown(g.heap, 0, bottom_less);
          }
        } else if (static_cast<int64_t>(g.heap.size()) < k) {
          g.heap.push_back(s);
        }
      }
      for (Group& g : groups) {
        if (!g.seen) continue;
        if (op == AggregateOp::kTopk) {
          std::sort(g.heap.begin(), g.heap.end(),
                    [&](const Sample& x, const Sample& y) { return top_less(y, x); });
        } else if (op == AggregateOp::kBottomk) {
          std::sort(g.heap.begin(), g.heap.end(),
                    [&](const Sample& x, const Sample& y) { return bottom_less(y, x); });
        }
        for (const Sample& s : g.heap) out->push_back(s);
      }
      return absl::OkStatus();
    }
    for (const Sample& s : v[0]) {
      Group& g = groups[static_cast<size_t>(s.sig)];
      const double f = s.f;
      if (!g.seen) {
        g.seen = true;
        g.drop_name = s.drop_name;
        StartFloatFold(op, f, g);
        if (op == AggregateOp::kQuantile) {
          g.values.clear();
          g.values.push_back(f);
        }
        continue;
      }
      if (s.drop_name) g.drop_name = true;
      if (op == AggregateOp::kQuantile) {
        g.values.push_back(f);
      } else {
        AddFloatFold(op, f, g);
      }
    }
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      Group& g = groups[gi];
      if (!g.seen) continue;
      const double val = op == AggregateOp::kQuantile ? Quantile(param, g.values) : FinishFloatFold(op, g);
      out->push_back(Sample{group_labels[gi], val, ts, g.drop_name});
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Matrix> Evaluator::EvalCountValues(const AggregateExpr& a) {
  const auto* lit = a.param ? std::get_if<StringLiteral>(&a.param->node) : nullptr;
  if (lit == nullptr) return absl::InvalidArgumentError("count_values requires a string parameter");
  const std::string& value_label = lit->value;
  if (value_label.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("invalid label name \"", value_label, "\""));
  }
  std::vector<std::string> grouping = a.grouping;
  if (!a.without) grouping.push_back(value_label);
  std::vector<Matrix> in(1);
  ASSIGN_OR_RETURN(in[0], Eval(*a.expr));
  LabelArena arena;
  absl::flat_hash_map<std::string, const Labels*> label_cache;
  struct Count {
    const Labels* labels;
    double n;
  };
  std::vector<Count> counts;
  absl::flat_hash_map<std::string, size_t> index;
  return RangeEval(in, nullptr, [&](int64_t ts, std::vector<Vector>& v, Vector* out) {
    counts.clear();
    index.clear();
    for (const Sample& s : v[0]) {
      storage::LabelsBuilder b(*s.metric);
      b.Set(value_label, FormatFloat(s.f));
      Labels metric = b.Build();
      std::string key = GroupKey(metric, grouping, a.without);
      auto [it, inserted] = index.emplace(key, counts.size());
      if (inserted) {
        auto lc = label_cache.find(key);
        const Labels* gl;
        if (lc == label_cache.end()) {
          gl = arena.Add(GroupLabels(metric, grouping, a.without));
          label_cache.emplace(key, gl);
        } else {
          gl = lc->second;
        }
        counts.push_back(Count{gl, 1});
      } else {
        counts[it->second].n++;
      }
    }
    for (const Count& c : counts) out->push_back(Sample{c.labels, c.n, ts, false});
    return absl::OkStatus();
  });
}

}  // namespace promlet::query::internal
