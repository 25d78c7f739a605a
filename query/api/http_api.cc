#include "query/api/http_api.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "query/api/json_writer.h"
#include "query/parser/parser.h"

namespace promlet::query {
namespace {

using storage::Labels;

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

struct State {
  storage::Queryable* db;
  Engine engine;
  ApiOptions options;
};

// Values of `key` from the URL query and a form-encoded body.
std::vector<std::string> Values(const httplib::Request& req, const std::string& key) {
  std::vector<std::string> out;
  auto range = req.params.equal_range(key);
  for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
  return out;
}

std::optional<std::string> Value(const httplib::Request& req, const std::string& key) {
  auto it = req.params.find(key);
  if (it == req.params.end()) return std::nullopt;
  return it->second;
}

absl::Status InvalidParam(std::string_view name, const absl::Status& err) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid parameter \"", base::Absl(name), "\": ", err.message()));
}

void WriteLabels(JsonWriter& w, const Labels& l) {
  w.BeginObject();
  for (const storage::Label& x : l) {
    w.Key(x.name);
    w.String(x.value);
  }
  w.EndObject();
}

// Go encoding/json float64 (used by Scalar/String MarshalJSON).
std::string GoJsonFloat(double f) {
  const double a = std::fabs(f);
  if (a != 0 && (a < 1e-6 || a >= 1e21)) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
    std::string s(buf, r.ptr);
    // Go writes e-07 as e-07 and e+21 as e+21: two-digit exponents.
    size_t e = s.find('e');
    if (e != std::string::npos && e + 2 < s.size() + 1) {
      std::string mant = s.substr(0, e);
      std::string exp = s.substr(e + 1);
      char sign = exp[0] == '-' ? '-' : '+';
      if (exp[0] == '-' || exp[0] == '+') exp = exp.substr(1);
      if (exp.size() < 2) exp = "0" + exp;
      s = mant + "e" + sign + exp;
    }
    return s;
  }
  return FormatFloat(f);
}

void WriteSamplePair(JsonWriter& w, int64_t t, double v) {
  // One append of `[t,"v"]`, the bytes BeginArray, TimestampMs, a quoted
  // value and EndArray would write; a formatted float needs no escaping.
  char buf[JsonWriter::kTimestampMax + kFormatFloatMax + 8];
  char* end = buf;
  *end++ = '[';
  end = JsonWriter::TimestampMsTo(t, end);
  *end++ = ',';
  *end++ = '"';
  end = FormatFloatTo(v, end);
  *end++ = '"';
  *end++ = ']';
  w.Raw(std::string_view(buf, static_cast<size_t>(end - buf)));
}

// Moves the body in: a range query's can be megabytes.
void Respond(httplib::Response& res, int code, std::string body) {
  res.status = code;
  res.set_content("", 0, "application/json");
  res.body = std::move(body);
}

void RespondError(httplib::Response& res, const absl::Status& st) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject();
  w.Key("status");
  w.String("error");
  w.Key("errorType");
  w.String(ErrorTypeFor(st.code()));
  w.Key("error");
  w.String(base::Std(st.message()));
  w.EndObject();
  Respond(res, HttpStatusFor(st.code()), std::move(body));
}

// Wraps a data writer into the success envelope.
template <typename F>
void RespondOk(httplib::Response& res, F&& write_data, const std::vector<std::string>& warnings,
               const std::vector<std::string>& infos) {
  std::string body;
  body.reserve(4096);
  JsonWriter w(&body);
  w.BeginObject();
  w.Key("status");
  w.String("success");
  w.Key("data");
  write_data(w);
  if (!warnings.empty()) {
    w.Key("warnings");
    w.BeginArray();
    for (const std::string& s : warnings) w.String(s);
    w.EndArray();
  }
  if (!infos.empty()) {
    w.Key("infos");
    w.BeginArray();
    for (const std::string& s : infos) w.String(s);
    w.EndArray();
  }
  w.EndObject();
  Respond(res, 200, std::move(body));
}

void WriteQueryData(JsonWriter& w, const QueryResult& r) {
  w.BeginObject();
  w.Key("resultType");
  switch (r.type) {
    case ValueType::kScalar:
      w.String("scalar");
      w.Key("result");
      w.BeginArray();
      w.Raw(GoJsonFloat(static_cast<double>(r.t_ms) / 1000));
      w.String(FormatFloat(r.scalar));
      w.EndArray();
      break;
    case ValueType::kString:
      w.String("string");
      w.Key("result");
      w.BeginArray();
      w.Raw(GoJsonFloat(static_cast<double>(r.t_ms) / 1000));
      w.String(r.string);
      w.EndArray();
      break;
    case ValueType::kVector:
      w.String("vector");
      w.Key("result");
      w.BeginArray();
      for (const VectorElem& e : r.vector) {
        w.BeginObject();
        w.Key("metric");
        WriteLabels(w, e.metric);
        w.Key("value");
        WriteSamplePair(w, e.t_ms, e.value);
        w.EndObject();
      }
      w.EndArray();
      break;
    default: {
      w.String("matrix");
      w.Key("result");
      size_t points = 0;
      for (const Series& s : r.matrix) points += s.points.size();
      // `[t,"v"],` is at most ~50 bytes: no regrowth copies of a large body.
      w.Reserve(points * 48 + r.matrix.size() * 256);
      w.BeginArray();
      for (const Series& s : r.matrix) {
        w.BeginObject();
        w.Key("metric");
        WriteLabels(w, s.metric);
        w.Key("values");
        w.BeginArray();
        for (const Point& p : s.points) WriteSamplePair(w, p.t_ms, p.value);
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
      break;
    }
  }
  w.EndObject();
}

absl::StatusOr<int64_t> TimeParam(const httplib::Request& req, const std::string& name,
                                  int64_t def) {
  std::optional<std::string> v = Value(req, name);
  if (!v || v->empty()) return def;  // Prometheus: an empty value means absent
  absl::StatusOr<int64_t> t = ParseApiTime(*v);
  if (!t.ok()) return InvalidParam(name, t.status());
  return *t;
}

absl::StatusOr<QueryOptions> QueryOpts(const httplib::Request& req) {
  QueryOptions qo;
  if (std::optional<std::string> t = Value(req, "timeout"); t && !t->empty()) {
    absl::StatusOr<int64_t> d = ParseApiDuration(*t);
    if (!d.ok()) return InvalidParam("timeout", d.status());
    qo.timeout = absl::Milliseconds(*d);
  }
  if (std::optional<std::string> l = Value(req, "lookback_delta"); l && !l->empty()) {
    absl::StatusOr<int64_t> d = ParseApiDuration(*l);
    if (!d.ok()) return InvalidParam("lookback_delta", d.status());
    qo.lookback_delta_ms = *d;
  }
  return qo;
}

absl::StatusOr<int> LimitParam(const httplib::Request& req) {
  std::optional<std::string> v = Value(req, "limit");
  if (!v || v->empty()) return 0;
  int limit = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), limit);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size()) {
    return InvalidParam("limit", absl::InvalidArgumentError(
                                     absl::StrCat("cannot parse \"", *v, "\" to a valid limit")));
  }
  if (limit < 0) {
    return InvalidParam("limit", absl::InvalidArgumentError("limit must be non-negative"));
  }
  return limit;
}

absl::StatusOr<std::vector<storage::Matchers>> MatcherSets(const httplib::Request& req) {
  std::vector<storage::Matchers> sets;
  for (const std::string& m : Values(req, "match[]")) {
    absl::StatusOr<storage::Matchers> ms = ParseMetricSelector(m);
    if (!ms.ok()) return InvalidParam("match[]", ms.status());
    bool non_empty = false;
    for (const storage::Matcher& x : *ms) non_empty |= !x.MatchesEmpty();
    if (!non_empty) {
      return absl::InvalidArgumentError("match[] must contain at least one non-empty matcher");
    }
    sets.push_back(std::move(*ms));
  }
  return sets;
}

// Times what the engine spends in storage (opening the querier and
// Select), Prometheus's prepare_time. One per query; the engine may call it
// from several threads, hence the atomic.
class TimedQueryable : public storage::Queryable {
 public:
  explicit TimedQueryable(storage::Queryable* db) : db_(db) {}
  double prepare_seconds() const { return static_cast<double>(ns_.load()) / 1e9; }

  absl::StatusOr<std::unique_ptr<storage::Querier>> NewQuerier() override {
    Timer t(this);
    ASSIGN_OR_RETURN(std::unique_ptr<storage::Querier> q, db_->NewQuerier());
    return std::unique_ptr<storage::Querier>(std::make_unique<Forward>(this, std::move(q)));
  }

 private:
  struct Timer {
    explicit Timer(TimedQueryable* q) : q(q), start(std::chrono::steady_clock::now()) {}
    ~Timer() {
      q->ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count());
    }
    TimedQueryable* q;
    std::chrono::steady_clock::time_point start;
  };
  class Forward : public storage::Querier {
   public:
    Forward(TimedQueryable* owner, std::unique_ptr<storage::Querier> inner)
        : owner_(owner), inner_(std::move(inner)) {}
    std::unique_ptr<storage::SeriesSet> Select(int64_t mint, int64_t maxt,
                                               const storage::Matchers& ms) override {
      Timer t(owner_);
      return inner_->Select(mint, maxt, ms);
    }
    absl::StatusOr<std::vector<std::string>> LabelNames(int64_t mint, int64_t maxt,
                                                        const storage::Matchers& ms) override {
      return inner_->LabelNames(mint, maxt, ms);
    }
    absl::StatusOr<std::vector<std::string>> LabelValues(const std::string& name, int64_t mint,
                                                         int64_t maxt,
                                                         const storage::Matchers& ms) override {
      return inner_->LabelValues(name, mint, maxt, ms);
    }

   private:
    TimedQueryable* owner_;
    std::unique_ptr<storage::Querier> inner_;
  };

  storage::Queryable* db_;
  std::atomic<int64_t> ns_{0};
};

// Runs `eval(db)` and reports it to the observer, if any.
template <typename F>
absl::StatusOr<QueryResult> Evaluate(const State& s, F&& eval) {
  QueryObserver* observer = s.options.observer;
  if (observer == nullptr) return eval(s.db);
  observer->QueryStarted();
  TimedQueryable timed(s.db);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<QueryResult> r = eval(static_cast<storage::Queryable*>(&timed));
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  QueryTimings t;
  t.prepare_seconds = timed.prepare_seconds();
  t.inner_eval_seconds = std::max(0.0, total - t.prepare_seconds);
  observer->QueryFinished(t);
  return r;
}

void HandleQuery(const State& s, const httplib::Request& req, httplib::Response& res) {
  const int64_t now = s.options.now_ms ? s.options.now_ms() : absl::ToUnixMillis(absl::Now());
  absl::StatusOr<int64_t> t = TimeParam(req, "time", now);
  if (!t.ok()) return RespondError(res, t.status());
  absl::StatusOr<QueryOptions> qo = QueryOpts(req);
  if (!qo.ok()) return RespondError(res, qo.status());
  absl::StatusOr<ExprPtr> expr = ParseExpr(Value(req, "query").value_or(""));
  if (!expr.ok()) return RespondError(res, InvalidParam("query", expr.status()));
  absl::StatusOr<QueryResult> r = Evaluate(
      s, [&](storage::Queryable* db) { return s.engine.InstantQuery(db, **expr, *t, *qo); });
  if (!r.ok()) return RespondError(res, r.status());
  RespondOk(res, [&](JsonWriter& w) { WriteQueryData(w, *r); }, r->warnings, r->infos);
}

void HandleQueryRange(const State& s, const httplib::Request& req, httplib::Response& res) {
  absl::StatusOr<int64_t> start = ParseApiTime(Value(req, "start").value_or(""));
  if (!start.ok()) return RespondError(res, InvalidParam("start", start.status()));
  absl::StatusOr<int64_t> end = ParseApiTime(Value(req, "end").value_or(""));
  if (!end.ok()) return RespondError(res, InvalidParam("end", end.status()));
  if (*end < *start) {
    return RespondError(res, InvalidParam("end", absl::InvalidArgumentError(
                                                     "end timestamp must not be before start time")));
  }
  absl::StatusOr<int64_t> step = ParseApiDuration(Value(req, "step").value_or(""));
  if (!step.ok()) return RespondError(res, InvalidParam("step", step.status()));
  if (*step <= 0) {
    return RespondError(res, InvalidParam("step", absl::InvalidArgumentError(
        "zero or negative query resolution step widths are not accepted. Try a positive integer")));
  }
  if ((*end - *start) / *step > 11000) {
    return RespondError(res, absl::InvalidArgumentError(
        "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query "
        "resolution (?step=XX)"));
  }
  absl::StatusOr<QueryOptions> qo = QueryOpts(req);
  if (!qo.ok()) return RespondError(res, qo.status());
  absl::StatusOr<ExprPtr> expr = ParseExpr(Value(req, "query").value_or(""));
  if (!expr.ok()) return RespondError(res, InvalidParam("query", expr.status()));
  const ValueType type = ExprType(**expr);
  if (type != ValueType::kVector && type != ValueType::kScalar) {
    return RespondError(res, InvalidParam("query", absl::InvalidArgumentError(absl::StrCat(
        "invalid expression type \"", DocumentedType(type),
        "\" for range query, must be Scalar or instant Vector"))));
  }
  absl::StatusOr<QueryResult> r = Evaluate(s, [&](storage::Queryable* db) {
    return s.engine.RangeQuery(db, **expr, *start, *end, *step, *qo);
  });
  if (!r.ok()) return RespondError(res, r.status());
  RespondOk(res, [&](JsonWriter& w) { WriteQueryData(w, *r); }, r->warnings, r->infos);
}

void HandleSeries(const State& s, const httplib::Request& req, httplib::Response& res) {
  if (Values(req, "match[]").empty()) {
    return RespondError(res, absl::InvalidArgumentError("no match[] parameter provided"));
  }
  absl::StatusOr<int64_t> start = TimeParam(req, "start", kMinTime);
  if (!start.ok()) return RespondError(res, start.status());
  absl::StatusOr<int64_t> end = TimeParam(req, "end", kMaxTime);
  if (!end.ok()) return RespondError(res, end.status());
  absl::StatusOr<int> limit = LimitParam(req);
  if (!limit.ok()) return RespondError(res, limit.status());
  absl::StatusOr<std::vector<storage::Matchers>> sets = MatcherSets(req);
  if (!sets.ok()) return RespondError(res, sets.status());
  absl::StatusOr<std::unique_ptr<storage::Querier>> q = s.db->NewQuerier();
  if (!q.ok()) return RespondError(res, q.status());
  std::set<Labels> all;
  for (const storage::Matchers& m : *sets) {
    std::unique_ptr<storage::SeriesSet> set = (*q)->Select(*start, *end, m);
    while (set->Next()) all.insert(set->At().labels());
    if (absl::Status st = set->status(); !st.ok()) return RespondError(res, st);
  }
  std::vector<std::string> warnings;
  if (*limit > 0 && all.size() > static_cast<size_t>(*limit)) {
    warnings.push_back("results truncated due to limit");
  }
  RespondOk(res, [&](JsonWriter& w) {
    w.BeginArray();
    int n = 0;
    for (const Labels& l : all) {
      if (*limit > 0 && n++ >= *limit) break;
      WriteLabels(w, l);
    }
    w.EndArray();
  }, warnings, {});
}

// Shared by /labels and /label/<name>/values.
void RespondStrings(httplib::Response& res, const std::set<std::string>& values, int limit) {
  std::vector<std::string> warnings;
  if (limit > 0 && values.size() > static_cast<size_t>(limit)) {
    warnings.push_back("results truncated due to limit");
  }
  RespondOk(res, [&](JsonWriter& w) {
    w.BeginArray();
    int n = 0;
    for (const std::string& v : values) {
      if (limit > 0 && n++ >= limit) break;
      w.String(v);
    }
    w.EndArray();
  }, warnings, {});
}

void HandleLabels(const State& s, const httplib::Request& req, httplib::Response& res,
                  const std::string* name) {
  if (name != nullptr && (name->empty())) {
    return RespondError(res, absl::InvalidArgumentError(absl::StrCat("invalid label name: \"", *name, "\"")));
  }
  absl::StatusOr<int64_t> start = TimeParam(req, "start", kMinTime);
  if (!start.ok()) return RespondError(res, start.status());
  absl::StatusOr<int64_t> end = TimeParam(req, "end", kMaxTime);
  if (!end.ok()) return RespondError(res, end.status());
  absl::StatusOr<int> limit = LimitParam(req);
  if (!limit.ok()) return RespondError(res, limit.status());
  absl::StatusOr<std::vector<storage::Matchers>> sets = MatcherSets(req);
  if (!sets.ok()) return RespondError(res, sets.status());
  if (sets->empty()) sets->emplace_back();
  absl::StatusOr<std::unique_ptr<storage::Querier>> q = s.db->NewQuerier();
  if (!q.ok()) return RespondError(res, q.status());
  std::set<std::string> all;
  for (const storage::Matchers& m : *sets) {
    absl::StatusOr<std::vector<std::string>> v =
        name == nullptr ? (*q)->LabelNames(*start, *end, m) : (*q)->LabelValues(*name, *start, *end, m);
    if (!v.ok()) return RespondError(res, v.status());
    all.insert(v->begin(), v->end());
  }
  RespondStrings(res, all, *limit);
}

// cpp-httplib may throw (std::bad_alloc and friends); keep it at the edge.
template <typename F>
httplib::Server::Handler Guard(std::shared_ptr<State> state, F f) {
  return [state, f](const httplib::Request& req, httplib::Response& res) {
    try {
      f(*state, req, res);
    } catch (const std::exception& e) {
      RespondError(res, absl::InternalError(e.what()));
    }
  };
}

}  // namespace

const char* ErrorTypeFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return "bad_data";
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted: return "execution";
    case absl::StatusCode::kDeadlineExceeded: return "timeout";
    case absl::StatusCode::kCancelled: return "canceled";
    case absl::StatusCode::kNotFound: return "not_found";
    default: return "internal";
  }
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted: return 422;
    case absl::StatusCode::kDeadlineExceeded: return 503;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kNotFound: return 404;
    default: return 500;
  }
}

absl::StatusOr<int64_t> ParseApiTime(std::string_view s) {
  std::string str(s);
  char* end = nullptr;
  errno = 0;
  const double f = str.empty() ? 0 : std::strtod(str.c_str(), &end);
  const bool hex_or_word = str.find_first_of("xXpP") != std::string::npos;
  if (!str.empty() && end == str.c_str() + str.size() && !hex_or_word && std::isfinite(f) &&
      std::fabs(f) < 9.2e15) {
    double ip;
    double frac = std::modf(f, &ip);
    frac = std::round(frac * 1000) / 1000;
    int64_t sec = static_cast<int64_t>(ip);
    int64_t nanos = static_cast<int64_t>(frac * 1e9);
    if (nanos < 0) {
      sec -= 1;
      nanos += 1000000000;
    }
    return sec * 1000 + nanos / 1000000;
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, str, &t, &err)) {
    return absl::ToUnixMillis(t);
  }
  return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", str, "\" to a valid timestamp"));
}

absl::StatusOr<int64_t> ParseApiDuration(std::string_view s) {
  std::string str(s);
  char* end = nullptr;
  const double f = str.empty() ? 0 : std::strtod(str.c_str(), &end);
  const bool hex_or_word = str.find_first_of("xXpPnNiI") != std::string::npos;
  if (!str.empty() && end == str.c_str() + str.size() && !hex_or_word) {
    const double ns = f * 1e9;
    if (ns > 9.2233720368547758e18 || ns < -9.2233720368547758e18) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot parse \"", str, "\" to a valid duration. It overflows int64"));
    }
    return static_cast<int64_t>(ns) / 1000000;
  }
  absl::StatusOr<int64_t> d = ParseDuration(str);
  if (d.ok()) return *d;
  return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", str, "\" to a valid duration"));
}

void RegisterQueryApi(httplib::Server* server, storage::Queryable* db, const ApiOptions& options) {
  auto state = std::make_shared<State>(State{db, Engine(options.engine), options});
  auto query = Guard(state, HandleQuery);
  auto range = Guard(state, HandleQueryRange);
  auto series = Guard(state, HandleSeries);
  auto labels = Guard(state, [](const State& s, const httplib::Request& req, httplib::Response& res) {
    HandleLabels(s, req, res, nullptr);
  });
  auto values = Guard(state, [](const State& s, const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
    HandleLabels(s, req, res, &name);
  });
  server->Get("/api/v1/query", query);
  server->Post("/api/v1/query", query);
  server->Get("/api/v1/query_range", range);
  server->Post("/api/v1/query_range", range);
  server->Get("/api/v1/series", series);
  server->Post("/api/v1/series", series);
  server->Get("/api/v1/labels", labels);
  server->Post("/api/v1/labels", labels);
  server->Get(R"(/api/v1/label/([^/]+)/values)", values);
}

}  // namespace promlet::query
