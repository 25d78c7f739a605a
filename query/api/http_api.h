// Prometheus's query HTTP API on a cpp-httplib server: /api/v1/query,
// /api/v1/query_range, /api/v1/series, /api/v1/labels and
// /api/v1/label/<name>/values, GET and form POST, with Prometheus's exact
// JSON envelope ({"status","data","errorType","error","warnings","infos"}).
//
//   httplib::Server server;
//   ApiOptions opts;                       // engine limits, lookback delta
//   RegisterQueryApi(&server, db, opts);   // db: storage::Queryable*
//   server.listen("127.0.0.1", 9090);
//
// Errors map from absl codes in one place (ErrorTypeFor / HttpStatusFor):
//   InvalidArgument -> bad_data 400, FailedPrecondition/ResourceExhausted ->
//   execution 422, DeadlineExceeded -> timeout 503, Cancelled -> canceled
//   499, NotFound -> not_found 404, anything else -> internal 500.
#ifndef PROMLET_QUERY_API_HTTP_API_H_
#define PROMLET_QUERY_API_HTTP_API_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "query/engine/engine.h"
#include "storage/api/querier.h"

namespace httplib {
class Server;
}

namespace promlet::query {

// One query's time in the engine, in Prometheus's
// prometheus_engine_query_duration_seconds slices.
struct QueryTimings {
  double prepare_seconds = 0;     // "prepare_time": opening the querier, selecting series
  double inner_eval_seconds = 0;  // "inner_eval": the rest of the evaluation
};

// Told about every /api/v1/query and /api/v1/query_range evaluation (the
// server's /metrics). Must be thread-safe: queries run concurrently.
class QueryObserver {
 public:
  virtual ~QueryObserver() = default;
  virtual void QueryStarted() = 0;
  // Once per QueryStarted, failed queries included.
  virtual void QueryFinished(const QueryTimings& timings) = 0;
};

struct ApiOptions {
  // --query.lookback-delta, --query.timeout, --query.max-samples.
  EngineOptions engine;
  // Clock for the default `time` of /api/v1/query (ms since the epoch);
  // tests inject a fixed one. Defaults to the wall clock.
  std::function<int64_t()> now_ms;
  // Optional, borrowed; must outlive the handlers.
  QueryObserver* observer = nullptr;
};

// Mounts the handlers. `db` is borrowed and must outlive the server's use
// of the handlers; the handlers are thread-safe (httplib runs them on a
// thread pool).
void RegisterQueryApi(httplib::Server* server, storage::Queryable* db, const ApiOptions& options);

// The Prometheus errorType ("bad_data", "execution", "timeout",
// "canceled", "not_found", "internal") and HTTP status for a status code.
const char* ErrorTypeFor(absl::StatusCode code);
int HttpStatusFor(absl::StatusCode code);

// Prometheus API time parsing: Unix seconds as a float ("1700000000.5")
// or RFC 3339 ("2023-11-14T22:13:20.5Z"). Returns milliseconds.
absl::StatusOr<int64_t> ParseApiTime(std::string_view s);
// Float seconds ("15", "0.5") or a Prometheus duration ("1m30s").
// Returns milliseconds.
absl::StatusOr<int64_t> ParseApiDuration(std::string_view s);

}  // namespace promlet::query

#endif  // PROMLET_QUERY_API_HTTP_API_H_
