// The PromQL evaluation engine. It reads only through storage::Queryable
// and evaluates a parsed expression (query/parser/ast.h) as an instant
// query at one time or as a range query over [start, end] at a step, with
// Prometheus 3.x semantics: left-open windows (t - range, t], lookback
// delta, staleness markers, offset and @, subqueries, delayed __name__
// removal, query timeout and sample limits.
//
//   Engine engine(EngineOptions{});
//   ASSIGN_OR_RETURN(ExprPtr e, ParseExpr("sum(rate(x[5m]))"));
//   ASSIGN_OR_RETURN(QueryResult r, engine.InstantQuery(&db, *e, t_ms));
//
// Errors (one code per caller action, mapped to HTTP in query/api/):
//   InvalidArgument     the query cannot run as asked (bad_data), e.g. a
//                       range query over a range-vector expression
//   FailedPrecondition  evaluation failed (execution), e.g. "many-to-many
//                       matching not allowed", duplicate label sets
//   ResourceExhausted   "query processing would load too many samples into
//                       memory in query execution" (execution)
//   DeadlineExceeded    "query timed out in expression evaluation" (timeout)
//   Cancelled           the caller's cancel flag was raised (canceled)
//   other               storage errors, passed through (internal)
#ifndef PROMLET_QUERY_ENGINE_ENGINE_H_
#define PROMLET_QUERY_ENGINE_ENGINE_H_

#include <atomic>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/engine/value.h"
#include "query/parser/ast.h"
#include "storage/api/querier.h"

namespace promlet::query {

struct EngineOptions {
  // A series is stale this long after its last sample (--query.lookback-delta).
  int64_t lookback_delta_ms = 5 * 60 * 1000;
  // --query.timeout; evaluation past this fails with DeadlineExceeded.
  absl::Duration timeout = absl::Minutes(2);
  // --query.max-samples: samples held in memory at once by one query.
  int64_t max_samples = 50'000'000;
  // Step of a subquery written without one (`x[5m:]`); Prometheus uses the
  // global evaluation interval (1m by default).
  int64_t default_subquery_step_ms = 60 * 1000;
  // A range query of at least parallel_min_steps steps is evaluated as up
  // to range_query_threads consecutive runs of steps, each on its own
  // thread with its own querier, and the results joined. Every step's value
  // depends only on that step, so answers are bit-identical; the sample
  // limit applies to the parts' sum. 1 turns it off; capped by the cores.
  int range_query_threads = 2;
  int64_t parallel_min_steps = 64;
};

// Per-query knobs (Prometheus QueryOpts).
struct QueryOptions {
  // > 0 overrides EngineOptions::lookback_delta_ms for this query.
  int64_t lookback_delta_ms = 0;
  // > 0 shortens the engine's timeout for this query (HTTP `timeout`).
  absl::Duration timeout = absl::ZeroDuration();
  // Optional; when it becomes true the query fails with Cancelled. Borrowed
  // for the duration of the call.
  const std::atomic<bool>* cancel = nullptr;
};

// Thread-safe: queries may run concurrently; the engine holds no state
// besides its options.
class Engine {
 public:
  explicit Engine(EngineOptions options) : options_(options) {}

  const EngineOptions& options() const { return options_; }

  // Evaluates `expr` at t_ms. The result type follows the expression:
  // scalar, string, vector or (for a range selector/subquery) matrix.
  absl::StatusOr<QueryResult> InstantQuery(storage::Queryable* db, const Expr& expr,
                                           int64_t t_ms,
                                           const QueryOptions& opts = {}) const;

  // Evaluates `expr` at start, start+step, ... <= end. REQUIRES: step > 0,
  // end >= start. The result is always a matrix sorted by labels;
  // InvalidArgument unless expr is a scalar or instant vector.
  absl::StatusOr<QueryResult> RangeQuery(storage::Queryable* db, const Expr& expr,
                                         int64_t start_ms, int64_t end_ms, int64_t step_ms,
                                         const QueryOptions& opts = {}) const;

 private:
  EngineOptions options_;
};

// Prometheus parser.DocumentedType: "scalar", "instant vector",
// "range vector", "string".
const char* DocumentedType(ValueType t);

// The static type of an expression (same as Expr::Type(), computed here so
// the engine does not depend on the parser's implementation file).
ValueType ExprType(const Expr& e);

}  // namespace promlet::query

#endif  // PROMLET_QUERY_ENGINE_ENGINE_H_
