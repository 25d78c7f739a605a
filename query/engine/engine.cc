#include "query/engine/engine.h"

#include <algorithm>
#include <charconv>
#include <cmath>

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
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> q, db->NewQuerier());
  QueryContext ctx;
  SetupContext(options_, opts, q.get(), start_ms, end_ms, &ctx);
  Evaluator ev(&ctx, start_ms, end_ms, step_ms);
  ASSIGN_OR_RETURN(Matrix m, ev.Eval(expr));
  RETURN_IF_ERROR(Cleanup(&m));
  SortMatrix(&m);
  QueryResult res;
  res.type = ValueType::kMatrix;
  res.t_ms = end_ms;
  res.matrix = std::move(m);
  res.warnings = std::move(ctx.warnings);
  res.infos = std::move(ctx.infos);
  return res;
}

}  // namespace promlet::query
