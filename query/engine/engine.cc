#include "query/engine/engine.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "query/engine/evaluator.h"
#include "query/parser/function_table.h"

namespace promlet::query {
namespace {

using internal::Evaluator;
using internal::QueryContext;

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (const auto* paren = std::get_if<ParenExpr>(&p->node)) p = paren->expr.get();
  return *p;
}

void SetupContext(const EngineOptions& eo, const QueryOptions& qo, storage::Querier* q,
                  int64_t start, int64_t end, QueryContext* ctx) {
  ctx->querier = q;
  ctx->lookback_ms = qo.lookback_delta_ms > 0 ? qo.lookback_delta_ms : eo.lookback_delta_ms;
  ctx->max_samples = eo.max_samples;
  ctx->default_subquery_step_ms = eo.default_subquery_step_ms;
  ctx->query_start_ms = start;
  ctx->query_end_ms = end;
  absl::Duration timeout = eo.timeout;
  if (qo.timeout > absl::ZeroDuration() && qo.timeout < timeout) timeout = qo.timeout;
  ctx->deadline = absl::Now() + timeout;
  ctx->cancel = qo.cancel;
}

// Delayed __name__ removal, then the duplicate check (Prometheus
// evaluator.cleanupMetricLabels).
absl::Status Cleanup(Matrix* m) {
  for (Series& s : *m) {
    if (s.drop_name) {
      s.metric = internal::DropMetricName(s.metric);
      s.drop_name = false;
    }
  }
  return internal::MergeSameLabelsets(m);
}

void SortMatrix(Matrix* m) {
  std::sort(m->begin(), m->end(),
            [](const Series& a, const Series& b) { return a.metric < b.metric; });
}

}  // namespace

char* FormatFloatTo(double v, char* buf) {
  auto put = [buf](std::string_view s) { return std::copy(s.begin(), s.end(), buf); };
  if (std::isnan(v)) return put("NaN");
  if (std::isinf(v)) return put(v > 0 ? "+Inf" : "-Inf");
  return std::to_chars(buf, buf + kFormatFloatMax, v, std::chars_format::fixed).ptr;
}

std::string FormatFloat(double v) {
  char buf[kFormatFloatMax];
  return std::string(buf, FormatFloatTo(v, buf));
}

const char* DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
    case ValueType::kNone: break;
  }
  return "none";
}

ValueType ExprType(const Expr& e) {
  return std::visit(
      Overloaded{
          [](const NumberLiteral&) { return ValueType::kScalar; },
          [](const StringLiteral&) { return ValueType::kString; },
          [](const VectorSelector&) { return ValueType::kVector; },
          [](const MatrixSelector&) { return ValueType::kMatrix; },
          [](const SubqueryExpr&) { return ValueType::kMatrix; },
          [](const ParenExpr& p) { return ExprType(*p.expr); },
          [](const UnaryExpr& u) { return ExprType(*u.expr); },
          [](const BinaryExpr& b) {
            return ExprType(*b.lhs) == ValueType::kScalar && ExprType(*b.rhs) == ValueType::kScalar
                       ? ValueType::kScalar
                       : ValueType::kVector;
          },
          [](const AggregateExpr&) { return ValueType::kVector; },
          [](const Call& c) { return c.func ? c.func->return_type : ValueType::kNone; },
      },
      e.node);
}

absl::StatusOr<QueryResult> Engine::InstantQuery(storage::Queryable* db, const Expr& expr,
                                                 int64_t t_ms, const QueryOptions& opts) const {
  QueryResult res;
  res.t_ms = t_ms;
  const ValueType type = ExprType(expr);
  if (type == ValueType::kString) {
    res.type = ValueType::kString;
    const auto* s = std::get_if<StringLiteral>(&Unparen(expr).node);
    if (s != nullptr) res.string = s->value;
    return res;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> q, db->NewQuerier());
  QueryContext ctx;
  SetupContext(options_, opts, q.get(), t_ms, t_ms, &ctx);
  Evaluator ev(&ctx, t_ms, t_ms, 1);
  ASSIGN_OR_RETURN(Matrix m, ev.Eval(expr));
  RETURN_IF_ERROR(Cleanup(&m));
  res.type = type;
  res.warnings = std::move(ctx.warnings);
  res.infos = std::move(ctx.infos);
  switch (type) {
    case ValueType::kVector:
      res.vector.reserve(m.size());
      for (Series& s : m) {
        if (s.points.empty()) continue;
        res.vector.push_back(VectorElem{std::move(s.metric), s.points[0].value, t_ms});
      }
      break;
    case ValueType::kScalar:
      res.scalar = (!m.empty() && !m[0].points.empty()) ? m[0].points[0].value : std::nan("");
      break;
    case ValueType::kMatrix:
      SortMatrix(&m);
      res.matrix = std::move(m);
      break;
    default:
      return absl::InternalError("unexpected expression type");
  }
  return res;
}

namespace {

// One run of consecutive steps of a range query, cleaned up and sorted.
struct RangePart {
  absl::StatusOr<Matrix> matrix;
  std::vector<std::string> warnings;
  std::vector<std::string> infos;
  int64_t samples = 0;
};

RangePart EvalRangePart(const EngineOptions& eo, const QueryOptions& qo, storage::Querier* q,
                        const Expr& expr, int64_t query_start, int64_t query_end, int64_t start,
                        int64_t end, int64_t step, absl::Time deadline) {
  QueryContext ctx;
  // @ start() / @ end() refer to the whole query.
  SetupContext(eo, qo, q, query_start, query_end, &ctx);
  ctx.deadline = deadline;  // the whole query's, also for a rerun
  Evaluator ev(&ctx, start, end, step);
  RangePart part;
  part.matrix = ev.Eval(expr);
  if (part.matrix.ok()) {
    absl::Status st = Cleanup(&*part.matrix);
    if (st.ok()) {
      SortMatrix(&*part.matrix);
    } else {
      part.matrix = st;
    }
  }
  part.warnings = std::move(ctx.warnings);
  part.infos = std::move(ctx.infos);
  part.samples = ctx.current_samples;
  return part;
}

// Joins label-sorted parts of consecutive step runs: a label set present in
// several parts gets their points in part order (ascending time).
Matrix JoinParts(std::vector<Matrix>& parts) {
  Matrix out = std::move(parts[0]);
  for (size_t p = 1; p < parts.size(); ++p) {
    Matrix joined;
    joined.reserve(std::max(out.size(), parts[p].size()));
    size_t i = 0, j = 0;
    Matrix& later = parts[p];
    while (i < out.size() || j < later.size()) {
      const int c = i == out.size()     ? 1
                    : j == later.size() ? -1
                                        : storage::Labels::Compare(out[i].metric, later[j].metric);
      if (c < 0) {
        joined.push_back(std::move(out[i++]));
      } else if (c > 0) {
        joined.push_back(std::move(later[j++]));
      } else {
        Series& s = out[i++];
        const std::vector<Point>& more = later[j++].points;
        s.points.insert(s.points.end(), more.begin(), more.end());
        joined.push_back(std::move(s));
      }
    }
    out = std::move(joined);
  }
  return out;
}

void AppendNew(std::vector<std::string>* to, std::vector<std::string>& from) {
  for (std::string& x : from) {
    if (std::find(to->begin(), to->end(), x) == to->end()) to->push_back(std::move(x));
  }
}

}  // namespace

absl::StatusOr<QueryResult> Engine::RangeQuery(storage::Queryable* db, const Expr& expr,
                                               int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                               const QueryOptions& opts) const {
  const ValueType type = ExprType(expr);
  if (type != ValueType::kVector && type != ValueType::kScalar) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid expression type \"", DocumentedType(type),
                     "\" for range query, must be Scalar or instant Vector"));
  }
  if (step_ms <= 0) return absl::InvalidArgumentError("zero or negative query resolution step widths are not accepted");
  if (end_ms < start_ms) return absl::InvalidArgumentError("end timestamp must not be before start time");
  const int64_t steps = (end_ms - start_ms) / step_ms + 1;
  const int64_t cores = std::max<int64_t>(1, std::thread::hardware_concurrency());
  const int64_t threads =
      steps >= options_.parallel_min_steps
          ? std::min({static_cast<int64_t>(options_.range_query_threads), cores, steps})
          : 1;
  QueryResult res;
  res.type = ValueType::kMatrix;
  res.t_ms = end_ms;
  QueryContext timing;
  SetupContext(options_, opts, nullptr, start_ms, end_ms, &timing);
  const absl::Time deadline = timing.deadline;
  auto unsplit = [&]() -> absl::StatusOr<QueryResult> {
    ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> q, db->NewQuerier());
    RangePart part = EvalRangePart(options_, opts, q.get(), expr, start_ms, end_ms, start_ms,
                                   end_ms, step_ms, deadline);
    RETURN_IF_ERROR(part.matrix.status());
    res.matrix = *std::move(part.matrix);
    res.warnings = std::move(part.warnings);
    res.infos = std::move(part.infos);
    return res;
  };
  if (threads <= 1) return unsplit();
  // Parts of consecutive steps; the first runs on this thread.
  std::vector<std::unique_ptr<storage::Querier>> queriers;
  for (int64_t p = 0; p < threads; ++p) {
    ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> q, db->NewQuerier());
    queriers.push_back(std::move(q));
  }
  std::vector<RangePart> parts(static_cast<size_t>(threads));
  auto run = [&](int64_t p) {
    const int64_t first = steps * p / threads, last = steps * (p + 1) / threads - 1;
    parts[static_cast<size_t>(p)] =
        EvalRangePart(options_, opts, queriers[static_cast<size_t>(p)].get(), expr, start_ms, end_ms,
                      start_ms + first * step_ms, start_ms + last * step_ms, step_ms, deadline);
  };
  std::vector<std::thread> workers;
  for (int64_t p = 1; p < threads; ++p) workers.emplace_back(run, p);
  run(0);
  for (std::thread& w : workers) w.join();
  int64_t samples = 0;
  std::vector<Matrix> matrices;
  for (RangePart& part : parts) {
    RETURN_IF_ERROR(part.matrix.status());  // the earliest failing part's error
    samples += part.samples;
    matrices.push_back(*std::move(part.matrix));
    AppendNew(&res.warnings, part.warnings);
    AppendNew(&res.infos, part.infos);
  }
  if (samples > options_.max_samples) {
    // Each part counts the points of the steps its subqueries evaluate,
    // and the parts' subquery ranges overlap by the subquery range, so the
    // sum can exceed what the unsplit query counts. (No single part counts
    // more than the unsplit query, so a part's own failure stands.) The
    // unsplit run, under the same deadline, decides.
    res.warnings.clear();
    res.infos.clear();
    return unsplit();
  }
  res.matrix = JoinParts(matrices);
  return res;
}

}  // namespace promlet::query
