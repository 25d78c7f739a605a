#include "query/engine/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/base/optimization.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "query/engine/engine.h"
#include "query/engine/extrapolated_rate.h"
#include "query/engine/sample_window.h"
#include "query/engine/series_fold.h"
#include "query/parser/function_table.h"
#include "storage/api/appender.h"

namespace promlet::query::internal {
namespace {

using storage::Labels;

// Iterates a vector of points through the SeriesIterator interface, so
// subquery results and stored series share the window code.
class PointsIterator : public storage::SeriesIterator {
 public:
  explicit PointsIterator(const std::vector<Point>& p) : p_(p) {}
  bool Next() override { return ++i_ < p_.size(); }
  bool Seek(int64_t t) override {
    if (i_ == static_cast<size_t>(-1)) i_ = 0;
    while (i_ < p_.size() && p_[i_].t_ms < t) ++i_;
    return i_ < p_.size();
  }
  Point At() const override { return p_[i_]; }

 private:
  const std::vector<Point>& p_;
  size_t i_ = static_cast<size_t>(-1);
};

const std::string& StringArg(const Expr& e) {
  static const std::string kEmpty;
  const auto* s = std::get_if<StringLiteral>(&Unparen(e).node);
  return s ? s->value : kEmpty;
}

// Prometheus 3.x accepts any non-empty valid UTF-8 label name.
bool IsValidLabelName(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

// rate/increase/delta of one series at every step (no @): the windows
// move over the read-ahead buffer and the extrapolation is inlined; the
// same doubles as the table functions. Writes the step index and value of
// each output to out_steps/out_values (room for `steps`), returns how many;
// raises *peak to the widest window.
template <bool kCounter, bool kRate>
ABSL_ATTRIBUTE_NOINLINE size_t ExtrapolatedRateSteps(SampleWindow& wb, int64_t first_ref, int64_t interval, size_t steps,
                             int64_t range_ms, RateGeometry& g, size_t* peak,
                             uint32_t* out_steps, double* out_values) {
  size_t widest = *peak;
  size_t made = 0;
  RateGeometry geometry = g;  // a local the compiler can keep in registers
  // The shortcut below only compares the per-window shape.
  if (geometry.range_ms != range_ms || geometry.is_rate != kRate) geometry.samples = 0;
  double rhs_coef = 1.01 * geometry.duration_to_start;  // as ExtrapolatedRateWindow's rhs
  wb.ForEachWindow(
      first_ref, interval, steps, range_ms,
      [&](size_t k, int64_t ref, std::span<const Point> w, bool has_decrease) {
        const size_t n = w.size();
        if (n > widest) widest = n;
        // Shortcut for a window of the memoized shape without resets whose
        // zero point provably lies before it: ExtrapolatedRateWindow's
        // result without its branches; anything else takes it.
        if (n == geometry.samples && !(kCounter && has_decrease)) {
          const Point& first = w.front();
          const Point& last = w.back();
          if (first.t_ms - (ref - range_ms) == geometry.to_start_ms &&
              ref - last.t_ms == geometry.to_end_ms &&
              last.t_ms - first.t_ms == geometry.sampled_ms) {
            const double result = last.value - first.value;
            bool plain = true;
            if (kCounter && result > 0 && first.value >= 0) {
              const double lhs = first.value * geometry.sampled;
              const double rhs = rhs_coef * result;
              plain = lhs > rhs && rhs >= std::numeric_limits<double>::min() &&
                      lhs < std::numeric_limits<double>::infinity();
            }
            if (plain) {
              out_values[made] = result * geometry.factor;
              out_steps[made++] = static_cast<uint32_t>(k);
              return true;
            }
          }
        }
        if (ExtrapolatedRateWindow<kCounter, kRate>(w, kCounter && has_decrease, ref - range_ms,
                                                    ref, range_ms, geometry,
                                                    &out_values[made])) {
          out_steps[made++] = static_cast<uint32_t>(k);
          rhs_coef = 1.01 * geometry.duration_to_start;
        }
        return true;
      });
  g = geometry;
  *peak = widest;
  return made;
}

}  // namespace

// Labels for absent()/absent_over_time(): the equality matchers' labels
// (Prometheus createLabelsForAbsentFunction).
Labels AbsentLabels(const Expr& arg) {
  const Expr& e = Unparen(arg);
  const VectorSelector* vs = std::get_if<VectorSelector>(&e.node);
  if (const auto* ms = std::get_if<MatrixSelector>(&e.node)) {
    vs = std::get_if<VectorSelector>(&ms->vector_selector->node);
  }
  if (vs == nullptr) return Labels();
  storage::LabelsBuilder b;
  std::vector<std::string> seen;
  for (const storage::Matcher& m : vs->matchers) {
    if (m.name() == storage::kMetricName) continue;
    bool has = std::find(seen.begin(), seen.end(), m.name()) != seen.end();
    if (m.type() == storage::MatchType::kEqual && !has) {
      b.Set(m.name(), m.value());
      seen.push_back(m.name());
    } else {
      b.Del(m.name());
    }
  }
  return b.Build();
}

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (const auto* paren = std::get_if<ParenExpr>(&p->node)) p = paren->expr.get();
  return *p;
}

const Labels& EmptyLabels() {
  static const Labels* kEmpty = new Labels();
  return *kEmpty;
}

absl::Status QueryContext::CheckInterrupt() {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
    return absl::CancelledError("query was canceled in expression evaluation");
  }
  // Reading the clock is cheap but not free; look every 16 calls.
  if ((++interrupt_counter & 15) == 1 && absl::Now() > deadline) {
    return absl::DeadlineExceededError("query timed out in expression evaluation");
  }
  return absl::OkStatus();
}

absl::Status QueryContext::AddSamples(int64_t n) {
  current_samples += n;
  if (current_samples > max_samples) {
    return absl::ResourceExhaustedError(
        "query processing would load too many samples into memory in query execution");
  }
  return absl::OkStatus();
}

void QueryContext::Warn(std::string w) {
  if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) {
    warnings.push_back(std::move(w));
  }
}
void QueryContext::Info(std::string i) {
  if (std::find(infos.begin(), infos.end(), i) == infos.end()) infos.push_back(std::move(i));
}

Labels DropMetricName(const Labels& l) {
  // Usual case, once per output series: __name__ is the first label and
  // neither __type__ nor __unit__ follows, so the rest of the encoding is
  // the answer (values are views into it).
  auto first = l.begin();
  if (first != l.end() && (*first).name == storage::kMetricName) {
    bool more = false;
    for (auto it = ++l.begin(); it != l.end() && !more; ++it) {
      more = (*it).name == "__type__" || (*it).name == "__unit__";
    }
    if (!more) {
      const std::string_view name_value = (*first).value;
      const size_t skip = static_cast<size_t>(name_value.data() + name_value.size() - l.bytes().data());
      return Labels::FromEncoded(std::string(l.bytes().substr(skip)));
    }
  }
  storage::LabelsBuilder b(l);
  b.Del(storage::kMetricName).Del("__type__").Del("__unit__");
  return b.Build();
}

absl::Status MergeSameLabelsets(Matrix* m) {
  if (m->size() <= 1) return absl::OkStatus();
  absl::flat_hash_map<std::string_view, size_t> first;
  first.reserve(m->size());
  bool dup = false;
  for (size_t i = 0; i < m->size(); ++i) {
    if (!first.emplace((*m)[i].metric.bytes(), i).second) {
      dup = true;
      break;
    }
  }
  if (!dup) return absl::OkStatus();
  absl::flat_hash_map<std::string, size_t> index;
  Matrix out;
  for (Series& s : *m) {
    auto [it, inserted] = index.emplace(std::string(s.metric.bytes()), out.size());
    if (inserted) {
      out.push_back(std::move(s));
      continue;
    }
    Series& base = out[it->second];
    base.points.insert(base.points.end(), s.points.begin(), s.points.end());
    std::sort(base.points.begin(), base.points.end(),
              [](const Point& a, const Point& b) { return a.t_ms < b.t_ms; });
    for (size_t j = 1; j < base.points.size(); ++j) {
      if (base.points[j].t_ms == base.points[j - 1].t_ms) {
        return absl::FailedPreconditionError(
            "vector cannot contain metrics with the same labelset");
      }
    }
  }
  *m = std::move(out);
  return absl::OkStatus();
}

int64_t Evaluator::AtOr(const AtModifier& at, int64_t ts) const {
  switch (at.kind) {
    case AtModifier::Kind::kTimestamp:
      return at.timestamp_ms;
    case AtModifier::Kind::kStart:
      return ctx_->query_start_ms;
    case AtModifier::Kind::kEnd:
      return ctx_->query_end_ms;
    case AtModifier::Kind::kNone:
      break;
  }
  return ts;
}

absl::StatusOr<Matrix> Evaluator::Eval(const Expr& e) {
  RETURN_IF_ERROR(ctx_->CheckInterrupt());
  if (end_ < start_) return Matrix();
  return std::visit(
      Overloaded{
          [&](const NumberLiteral& n) -> absl::StatusOr<Matrix> {
            Matrix m(1);
            m[0].points.reserve(NumSteps());
            for (int64_t ts = start_; ts <= end_; ts += interval_) {
              m[0].points.push_back(Point{ts, n.value});
            }
            RETURN_IF_ERROR(ctx_->AddSamples(NumSteps()));
            return m;
          },
          [&](const StringLiteral&) -> absl::StatusOr<Matrix> {
            return absl::InvalidArgumentError("unexpected string in expression");
          },
          [&](const VectorSelector& vs) { return EvalVectorSelector(vs, false); },
          [&](const MatrixSelector& ms) -> absl::StatusOr<Matrix> {
            if (start_ != end_) {
              return absl::InvalidArgumentError("cannot do range evaluation of matrix selector");
            }
            return EvalMatrixSelectorRaw(ms);
          },
          [&](const SubqueryExpr& sq) -> absl::StatusOr<Matrix> {
            int64_t at = 0;
            bool has_at = false;
            return EvalSubqueryRaw(sq, &at, &has_at);
          },
          [&](const ParenExpr& p) { return Eval(*p.expr); },
          [&](const UnaryExpr& u) -> absl::StatusOr<Matrix> {
            ASSIGN_OR_RETURN(Matrix m, Eval(*u.expr));
            if (u.op == '-') {
              for (Series& s : m) {
                s.drop_name = true;
                for (Point& p : s.points) p.value = -p.value;
              }
            }
            return m;
          },
          [&](const BinaryExpr& b) { return EvalBinary(b); },
          [&](const AggregateExpr& a) { return EvalAggregate(a); },
          [&](const Call& c) { return EvalCall(e, c); },
      },
      e.node);
}

absl::StatusOr<Matrix> Evaluator::EvalVectorSelector(const VectorSelector& vs, bool timestamps) {
  const bool has_at = vs.at.kind != AtModifier::Kind::kNone;
  const int64_t first_ref = AtOr(vs.at, start_) - vs.offset_ms;
  const int64_t last_ref = AtOr(vs.at, end_) - vs.offset_ms;
  const int64_t lookback = ctx_->lookback_ms;
  std::unique_ptr<storage::SeriesSet> set =
      ctx_->querier->Select(first_ref - lookback + 1, last_ref, vs.matchers);
  Matrix out;
  const int steps = NumSteps();
  while (set->Next()) {
    RETURN_IF_ERROR(ctx_->CheckInterrupt());
    const storage::Series& series = set->At();
    std::unique_ptr<storage::SeriesIterator> it = series.NewIterator();
    Series s;
    bool has_cur = false;
    bool started = false;
    Point cur;
    Point last;
    bool has_last = false;
    for (int64_t ts = start_; ts <= end_; ts += interval_) {
      const int64_t ref = has_at ? first_ref : ts - vs.offset_ms;
      if (!started) {
        started = true;
        has_cur = it->Seek(ref - lookback + 1);
        if (has_cur) cur = it->At();
      } else if (has_cur && cur.t_ms <= ref - lookback) {
        has_last = false;
        has_cur = it->Seek(ref - lookback + 1);
        if (has_cur) cur = it->At();
      }
      while (has_cur && cur.t_ms <= ref) {
        last = cur;
        has_last = true;
        has_cur = it->Next();
        if (has_cur) cur = it->At();
      }
      if (!has_last || last.t_ms <= ref - lookback || storage::IsStaleNaN(last.value)) continue;
      if (s.points.empty()) s.points.reserve(static_cast<size_t>(steps));
      s.points.push_back(Point{ts, timestamps ? static_cast<double>(last.t_ms) / 1000 : last.value});
    }
    RETURN_IF_ERROR(it->status());
    if (s.points.empty()) continue;
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(s.points.size())));
    s.metric = series.labels();
    s.drop_name = timestamps;
    out.push_back(std::move(s));
  }
  RETURN_IF_ERROR(set->status());
  return out;
}

absl::StatusOr<Matrix> Evaluator::EvalMatrixSelectorRaw(const MatrixSelector& ms) {
  const auto& vs = std::get<VectorSelector>(ms.vector_selector->node);
  const int64_t ref = AtOr(vs.at, start_) - vs.offset_ms;
  std::unique_ptr<storage::SeriesSet> set =
      ctx_->querier->Select(ref - ms.range_ms + 1, ref, vs.matchers);
  Matrix out;
  SampleWindow wb;
  while (set->Next()) {
    RETURN_IF_ERROR(ctx_->CheckInterrupt());
    std::unique_ptr<storage::SeriesIterator> it = set->At().NewIterator();
    wb.Reset(it.get(), 0);
    std::span<const Point> w = wb.Slide(ref - ms.range_ms, ref);
    RETURN_IF_ERROR(it->status());
    if (w.empty()) continue;
    RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(w.size())));
    out.push_back(Series{set->At().labels(), std::vector<Point>(w.begin(), w.end()), false});
  }
  RETURN_IF_ERROR(set->status());
  return out;
}

absl::StatusOr<Matrix> Evaluator::EvalSubqueryRaw(const SubqueryExpr& sq, int64_t* at_ms,
                                                  bool* has_at) {
  *has_at = sq.at.kind != AtModifier::Kind::kNone;
  *at_ms = AtOr(sq.at, start_);
  const int64_t step = sq.step_ms > 0 ? sq.step_ms : ctx_->default_subquery_step_ms;
  const int64_t outer_start = *has_at ? *at_ms : start_;
  const int64_t outer_end = *has_at ? *at_ms : end_;
  const int64_t lo = outer_start - sq.offset_ms - sq.range_ms;
  // First step-aligned time after lo (Go integer division truncates).
  int64_t inner_start = step * (lo / step);
  if (inner_start <= lo) inner_start += step;
  Evaluator inner(ctx_, inner_start, outer_end - sq.offset_ms, step);
  return inner.Eval(*sq.expr);
}

absl::StatusOr<Matrix> Evaluator::RangeEval(std::vector<Matrix>& inputs,
                                            const std::vector<std::vector<int>>* sigs,
                                            const StepFn& fn) {
  const size_t n = inputs.size();
  std::vector<Vector> vectors(n);
  std::vector<std::vector<size_t>> cursors(n);
  size_t biggest = 1;
  for (size_t i = 0; i < n; ++i) {
    cursors[i].assign(inputs[i].size(), 0);
    vectors[i].reserve(inputs[i].size());
    biggest = std::max(biggest, inputs[i].size());
  }
  Matrix out;
  struct OutInfo {
    size_t index;
    int64_t last_ts;
  };
  absl::flat_hash_map<std::string_view, OutInfo> by_labels;
  absl::flat_hash_map<const Labels*, size_t> by_ptr;
  // Out labels are kept in a deque so string_view keys stay valid.
  std::deque<Labels> out_labels;
  Vector result;
  result.reserve(biggest);
  const int steps = NumSteps();
  int64_t held = 0;  // samples of previous steps' outputs
  for (int64_t ts = start_; ts <= end_; ts += interval_) {
    RETURN_IF_ERROR(ctx_->CheckInterrupt());
    int64_t gathered = 0;
    for (size_t i = 0; i < n; ++i) {
      Vector& v = vectors[i];
      v.clear();
      Matrix& m = inputs[i];
      for (size_t si = 0; si < m.size(); ++si) {
        const Series& s = m[si];
        size_t& c = cursors[i][si];
        if (c < s.points.size() && s.points[c].t_ms == ts) {
          v.push_back(Sample{&s.metric, s.points[c].value, ts, s.drop_name,
                             sigs ? (*sigs)[i][si] : 0});
          ++c;
        }
      }
      gathered += static_cast<int64_t>(v.size());
    }
    result.clear();
    RETURN_IF_ERROR(fn(ts, vectors, &result));
    if (ctx_->current_samples + gathered + held + static_cast<int64_t>(result.size()) >
        ctx_->max_samples) {
      return absl::ResourceExhaustedError(
          "query processing would load too many samples into memory in query execution");
    }
    held += static_cast<int64_t>(result.size());
    for (const Sample& smp : result) {
      size_t idx;
      auto pit = by_ptr.find(smp.metric);
      if (pit != by_ptr.end()) {
        idx = pit->second;
      } else {
        auto lit = by_labels.find(smp.metric->bytes());
        if (lit == by_labels.end()) {
          out_labels.push_back(*smp.metric);
          idx = out.size();
          by_labels.emplace(out_labels.back().bytes(), OutInfo{idx, std::numeric_limits<int64_t>::min()});
          out.push_back(Series{*smp.metric, {}, smp.drop_name});
          out.back().points.reserve(static_cast<size_t>(steps));
        } else {
          idx = lit->second.index;
        }
        by_ptr.emplace(smp.metric, idx);
      }
      Series& os = out[idx];
      if (!os.points.empty() && os.points.back().t_ms == ts) {
        return absl::FailedPreconditionError(
            "vector cannot contain metrics with the same labelset");
      }
      os.points.push_back(Point{ts, smp.f});
    }
  }
  RETURN_IF_ERROR(ctx_->AddSamples(held));
  return out;
}

absl::StatusOr<std::vector<double>> Evaluator::EvalScalarParam(const Expr* e) {
  std::vector<double> vals(static_cast<size_t>(NumSteps()), std::nan(""));
  if (e == nullptr || ExprType(*e) != ValueType::kScalar) return vals;
  ASSIGN_OR_RETURN(Matrix m, Eval(*e));
  if (!m.empty()) {
    for (const Point& p : m[0].points) {
      vals[static_cast<size_t>((p.t_ms - start_) / interval_)] = p.value;
    }
  }
  return vals;
}

absl::StatusOr<Matrix> Evaluator::EvalCall(const Expr& e, const Call& c) {
  (void)e;
  const std::string_view name = c.func->name;
  if (name == "timestamp") {
    const Expr& arg = Unparen(*c.args[0]);
    if (const auto* vs = std::get_if<VectorSelector>(&arg.node)) {
      return EvalVectorSelector(*vs, true);
    }
  }
  if (name == "label_replace") return EvalLabelReplace(c);
  if (name == "label_join") return EvalLabelJoin(c);
  const FunctionImpl* impl = LookupImpl(name);
  if (impl == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("function \"", base::Absl(name), "\" is not supported"));
  }
  for (size_t i = 0; i < c.args.size(); ++i) {
    const Expr& a = Unparen(*c.args[i]);
    if (std::holds_alternative<MatrixSelector>(a.node) ||
        std::holds_alternative<SubqueryExpr>(a.node)) {
      return EvalRangeCall(c, static_cast<int>(i), *impl);
    }
  }
  std::vector<Matrix> inputs(c.args.size());
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (ExprType(*c.args[i]) == ValueType::kString) continue;
    ASSIGN_OR_RETURN(inputs[i], Eval(*c.args[i]));
  }
  LabelArena arena;
  absl::flat_hash_map<std::string, const Labels*> label_cache;
  FuncEnv env;
  env.call = &c;
  env.arena = &arena;
  env.ctx = ctx_;
  env.label_cache = &label_cache;
  return RangeEval(inputs, nullptr,
                   [&](int64_t ts, std::vector<Vector>& in, Vector* out) -> absl::Status {
                     env.ts = ts;
                     impl->vector_fn(env, in, out);
                     return env.status;
                   });
}

absl::StatusOr<Matrix> Evaluator::EvalRangeCall(const Call& c, int matrix_arg,
                                                const FunctionImpl& impl, const SeriesSink* sink,
                                                const FoldTarget* fold_target) {
  const std::string_view name = c.func->name;
  if (impl.range_fn == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("function \"", base::Absl(name), "\" does not take a range vector"));
  }
  // Scalar arguments, one value per step.
  std::vector<std::vector<double>> params;
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (static_cast<int>(i) == matrix_arg) continue;
    ASSIGN_OR_RETURN(std::vector<double> p, EvalScalarParam(c.args[i].get()));
    params.push_back(std::move(p));
  }
  const Expr& arg = Unparen(*c.args[static_cast<size_t>(matrix_arg)]);
  int64_t range_ms = 0;
  int64_t offset_ms = 0;
  bool has_at = false;
  int64_t at_ms = 0;
  std::unique_ptr<storage::SeriesSet> set;
  Matrix sub;  // subquery result, when the argument is a subquery
  if (const auto* ms = std::get_if<MatrixSelector>(&arg.node)) {
    const auto& vs = std::get<VectorSelector>(ms->vector_selector->node);
    range_ms = ms->range_ms;
    offset_ms = vs.offset_ms;
    has_at = vs.at.kind != AtModifier::Kind::kNone;
    at_ms = AtOr(vs.at, start_);
    const int64_t first_ref = AtOr(vs.at, start_) - offset_ms;
    const int64_t last_ref = AtOr(vs.at, end_) - offset_ms;
    set = ctx_->querier->Select(first_ref - range_ms + 1, last_ref, vs.matchers);
  } else {
    const auto& sq = std::get<SubqueryExpr>(arg.node);
    range_ms = sq.range_ms;
    offset_ms = sq.offset_ms;
    ASSIGN_OR_RETURN(sub, EvalSubqueryRaw(sq, &at_ms, &has_at));
  }
  const bool drop_name = name != "last_over_time" && name != "first_over_time";
  LabelArena arena;
  FuncEnv env;
  env.call = &c;
  env.arena = &arena;
  env.ctx = ctx_;
  Matrix out;
  SampleWindow wb;
  const int steps = NumSteps();
  // Successive windows overlap: read several steps' samples per batch.
  const int64_t read_ahead_ms =
      !has_at && interval_ <= range_ms
          ? 16 * std::min(interval_, std::numeric_limits<int64_t>::max() / 16)
          : 0;
  const double* param0 = params.size() > 0 ? params[0].data() : nullptr;
  const double* param1 = params.size() > 1 ? params[1].data() : nullptr;
  const RangeFunc range_fn = impl.range_fn;
  // rate/increase/delta of a plain selector take the inlined step loop.
  using RateStepsFn = size_t (*)(SampleWindow&, int64_t, int64_t, size_t, int64_t, RateGeometry&,
                                 size_t*, uint32_t*, double*);
  RateStepsFn rate_steps = nullptr;
  if (set != nullptr && !has_at && params.empty()) {
    if (name == "rate") rate_steps = &ExtrapolatedRateSteps<true, true>;
    if (name == "increase") rate_steps = &ExtrapolatedRateSteps<true, false>;
    if (name == "delta") rate_steps = &ExtrapolatedRateSteps<false, false>;
  }
  RateGeometry rate_geometry;
  size_t sub_i = 0;
  RangeArgs ra;
  ra.range_ms = range_ms;
  std::vector<Point> sink_points;  // reused for every series handed to `sink`
  // A series' outputs of the rate/increase/delta step loop.
  const size_t out_room = rate_steps != nullptr ? static_cast<size_t>(NumSteps()) : 0;
  std::vector<uint32_t> fold_steps(out_room);
  std::vector<double> fold_values(fold_steps.size());
  for (;;) {
    const Labels* metric;
    std::unique_ptr<storage::SeriesIterator> it;
    bool source_drops_name = false;
    if (set != nullptr) {
      if (!set->Next()) break;
      metric = &set->At().labels();
      it = set->At().NewIterator();
    } else {
      if (sub_i >= sub.size()) break;
      metric = &sub[sub_i].metric;
      source_drops_name = sub[sub_i].drop_name;
      it = std::make_unique<PointsIterator>(sub[sub_i].points);
      ++sub_i;
    }
    RETURN_IF_ERROR(ctx_->CheckInterrupt());
    wb.Reset(it.get(), read_ahead_ms);
    Series s;
    if (sink != nullptr) s.points.swap(sink_points);
    s.drop_name = drop_name || source_drops_name;
    ra.metric = metric;
    size_t peak = 0;
    const size_t n_steps = static_cast<size_t>(steps);
    size_t made = 0;  // points folded straight into fold_target
    if (rate_steps != nullptr) {
      uint32_t* const out_steps = fold_steps.data();
      double* const out_values = fold_values.data();
      made = rate_steps(wb, start_ - offset_ms, interval_, n_steps, range_ms, rate_geometry, &peak,
                        out_steps, out_values);
      if (fold_target == nullptr && made > 0) {
        s.points.resize(made);
        for (size_t i = 0; i < made; ++i) {
          const int64_t t = start_ + static_cast<int64_t>(out_steps[i]) * interval_;
          s.points[i] = Point{t, out_values[i]};
        }
        made = 0;  // counted from s.points below
      }
    }
    int64_t ts = start_;
    for (size_t step = 0; rate_steps == nullptr && step < n_steps; ++step, ts += interval_) {
      const int64_t ref = (has_at ? at_ms : ts) - offset_ms;
      ra.window = wb.Slide(ref - range_ms, ref);
      if (ra.window.empty()) continue;
      peak = std::max(peak, ra.window.size());
      ra.may_decrease = wb.WindowHasDecrease();
      ra.ts = ts;
      ra.range_start = ref - range_ms;
      ra.range_end = ref;
      if (param0 != nullptr) ra.param0 = param0[step];
      if (param1 != nullptr) ra.param1 = param1[step];
      double v;
      if (range_fn(env, ra, &v)) {
        if (s.points.empty()) s.points.reserve(static_cast<size_t>(steps));
        s.points.push_back(Point{ts, v});
      }
      if (ABSL_PREDICT_FALSE(!env.status.ok())) return env.status;
    }
    RETURN_IF_ERROR(it->status());
    made += s.points.size();
    if (ctx_->current_samples + static_cast<int64_t>(peak + made) > ctx_->max_samples) {
      return absl::ResourceExhaustedError(
          "query processing would load too many samples into memory in query execution");
    }
    const bool made_points = made > 0;
    if (made_points) {
      RETURN_IF_ERROR(ctx_->AddSamples(static_cast<int64_t>(made)));
      if (s.points.empty()) {  // rate/increase/delta into fold_target
        ASSIGN_OR_RETURN(size_t group, fold_target->group_of(*metric));
        fold_target->fold->AddSteps(group, s.drop_name,
                                    std::span<const uint32_t>(fold_steps.data(), made),
                                    std::span<const double>(fold_values.data(), made));
      } else if (sink != nullptr) {
        RETURN_IF_ERROR((*sink)(*metric, s.drop_name, s.points));
      } else {
        s.metric = *metric;
        out.push_back(std::move(s));
      }
    }
    if (sink != nullptr) {
      sink_points.swap(s.points);
      sink_points.clear();
    }
    if (made_points && (name == "rate" || name == "increase")) {
      std::string_view mn = metric->MetricName();
      auto ends_with = [&](std::string_view suf) {
        return mn.size() >= suf.size() && mn.substr(mn.size() - suf.size()) == suf;
      };
      if (!mn.empty() && !ends_with("_total") && !ends_with("_sum") && !ends_with("_count") &&
          !ends_with("_bucket")) {
        ctx_->Info(absl::StrCat("PromQL info: metric might not be a counter, name does not end "
                                "in _total/_sum/_count/_bucket: \"",
                                base::Absl(mn), "\""));
      }
    }
  }
  if (set != nullptr) RETURN_IF_ERROR(set->status());
  if (name == "absent_over_time") {
    const int64_t n = NumSteps();
    std::vector<bool> found(static_cast<size_t>(n), false);
    for (const Series& s : out) {
      for (const Point& p : s.points) found[static_cast<size_t>((p.t_ms - start_) / interval_)] = true;
    }
    Series r;
    r.metric = AbsentLabels(arg);
    r.drop_name = true;
    for (int64_t i = 0; i < n; ++i) {
      if (!found[static_cast<size_t>(i)]) r.points.push_back(Point{start_ + i * interval_, 1});
    }
    Matrix res;
    if (!r.points.empty()) res.push_back(std::move(r));
    return res;
  }
  return out;
}

absl::StatusOr<Matrix> Evaluator::EvalLabelReplace(const Call& c) {
  const std::string& dst = StringArg(*c.args[1]);
  const std::string& repl = StringArg(*c.args[2]);
  const std::string& src = StringArg(*c.args[3]);
  const std::string& regex = StringArg(*c.args[4]);
  re2::RE2 re("^(?s:" + regex + ")$", re2::RE2::Quiet);
  if (!re.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid regular expression in label_replace(): ", regex));
  }
  if (!IsValidLabelName(dst)) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid destination label name in label_replace(): ", dst));
  }
  ASSIGN_OR_RETURN(Matrix m, Eval(*c.args[0]));
  for (Series& s : m) {
    std::string_view sv = s.metric.Get(src);
    std::string out;
    if (!RegexExpand(re, repl, sv, &out)) continue;
    storage::LabelsBuilder b(s.metric);
    b.Set(dst, out);
    s.metric = b.Build();
    if (dst == storage::kMetricName) s.drop_name = false;
  }
  RETURN_IF_ERROR(MergeSameLabelsets(&m));
  return m;
}

absl::StatusOr<Matrix> Evaluator::EvalLabelJoin(const Call& c) {
  const std::string& dst = StringArg(*c.args[1]);
  const std::string& sep = StringArg(*c.args[2]);
  std::vector<std::string> srcs;
  for (size_t i = 3; i < c.args.size(); ++i) {
    const std::string& s = StringArg(*c.args[i]);
    if (!IsValidLabelName(s)) {
      return absl::FailedPreconditionError(
          absl::StrCat("invalid source label name in label_join(): ", s));
    }
    srcs.push_back(s);
  }
  if (!IsValidLabelName(dst)) {
    return absl::FailedPreconditionError(
        absl::StrCat("invalid destination label name in label_join(): ", dst));
  }
  ASSIGN_OR_RETURN(Matrix m, Eval(*c.args[0]));
  for (Series& s : m) {
    std::string v;
    for (size_t i = 0; i < srcs.size(); ++i) {
      if (i > 0) v += sep;
      v += s.metric.Get(srcs[i]);
    }
    storage::LabelsBuilder b(s.metric);
    b.Set(dst, v);
    s.metric = b.Build();
    if (dst == storage::kMetricName) s.drop_name = false;
  }
  RETURN_IF_ERROR(MergeSameLabelsets(&m));
  return m;
}

}  // namespace promlet::query::internal
