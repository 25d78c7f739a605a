#include "tests/query/engine/promqltest.h"

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "query/engine/engine.h"
#include "query/parser/literals.h"
#include "query/parser/parser.h"
#include "query/parser/series_desc.h"
#include "storage/api/mem_storage.h"

namespace promlet::query::testing {
namespace {

using storage::Labels;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits off the first whitespace-separated word.
std::string_view NextWord(std::string_view* s) {
  *s = Trim(*s);
  size_t i = 0;
  while (i < s->size() && (*s)[i] != ' ' && (*s)[i] != '\t') ++i;
  std::string_view w = s->substr(0, i);
  s->remove_prefix(i);
  *s = Trim(*s);
  return w;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// FORMAT.md §5.1.
bool AlmostEqual(double a, double e) {
  constexpr double kMinNormal = 2.2250738585072014e-308;
  const bool sa = storage::IsStaleNaN(a), se = storage::IsStaleNaN(e);
  if (sa || se) return sa && se;
  if (std::isnan(a) && std::isnan(e)) return true;
  if (a == e) return true;
  const double abs_sum = std::fabs(a) + std::fabs(e);
  const double diff = std::fabs(a - e);
  if (a == 0 || e == 0 || abs_sum < kMinNormal) return diff < 1e-6 * kMinNormal;
  return diff / std::fmin(abs_sum, std::numeric_limits<double>::max()) < 1e-6;
}

struct Eval {
  int line = 0;
  bool range = false;
  int64_t at = 0, start = 0, end = 0, step = 0;
  std::string expr;
  bool expect_fail = false;
  bool ordered = false;
  bool has_range_vector = false;
  int64_t rv_start = 0, rv_end = 0, rv_step = 0;
  std::optional<std::string> expect_string;
  std::optional<double> scalar;
  std::vector<std::pair<Labels, std::vector<std::optional<double>>>> series;
};

std::string Fmt(double v) { return FormatFloat(v); }

std::string CheckResult(const Eval& ev, const QueryResult& r) {
  if (ev.expect_string) {
    if (r.type != ValueType::kString) return "expected string result";
    if (r.string != *ev.expect_string) return absl::StrCat("string ", r.string, " != ", *ev.expect_string);
    return "";
  }
  if (ev.scalar) {
    if (r.type != ValueType::kScalar) return absl::StrCat("expected scalar ", Fmt(*ev.scalar), ", got ", DocumentedType(r.type));
    if (!AlmostEqual(r.scalar, *ev.scalar)) return absl::StrCat("scalar ", Fmt(r.scalar), " != ", Fmt(*ev.scalar));
    return "";
  }
  // Expected series, keyed by labels; later duplicates win.
  std::map<Labels, const std::vector<std::optional<double>>*> want;
  std::vector<const Labels*> order;
  for (const auto& [l, v] : ev.series) {
    if (want.emplace(l, &v).second) order.push_back(&l);
    else want[l] = &v;
  }
  if (r.type == ValueType::kScalar) return absl::StrCat("expected series, got scalar ", Fmt(r.scalar));
  if (r.type == ValueType::kString) return "expected series, got string";
  if (r.type == ValueType::kVector) {
    if (ev.has_range_vector) return "expected range vector, got instant vector";
    if (r.vector.size() != want.size()) {
      std::string got;
      for (const VectorElem& e : r.vector) absl::StrAppend(&got, " ", e.metric.ToString(), "=", Fmt(e.value));
      return absl::StrCat("got ", r.vector.size(), " series, want ", want.size(), ":", got);
    }
    for (size_t i = 0; i < r.vector.size(); ++i) {
      const VectorElem& e = r.vector[i];
      auto it = want.find(e.metric);
      if (it == want.end()) return absl::StrCat("unexpected series ", e.metric.ToString());
      const auto& vals = *it->second;
      if (vals.size() != 1 || !vals[0]) return absl::StrCat("bad expectation for ", e.metric.ToString());
      if (!AlmostEqual(e.value, *vals[0])) {
        return absl::StrCat(e.metric.ToString(), ": got ", Fmt(e.value), " want ", Fmt(*vals[0]));
      }
      if (ev.ordered && !(*order[i] == e.metric)) {
        return absl::StrCat("order: position ", i, " got ", e.metric.ToString(), " want ", order[i]->ToString());
      }
    }
    return "";
  }
  // Matrix.
  int64_t t0 = ev.range ? ev.start : ev.rv_start;
  int64_t step = ev.range ? ev.step : ev.rv_step;
  if (r.matrix.size() != want.size()) {
    std::string got;
    for (const Series& s : r.matrix) absl::StrAppend(&got, " ", s.metric.ToString());
    return absl::StrCat("got ", r.matrix.size(), " series, want ", want.size(), ":", got);
  }
  for (const Series& s : r.matrix) {
    auto it = want.find(s.metric);
    if (it == want.end()) return absl::StrCat("unexpected series ", s.metric.ToString());
    const auto& vals = *it->second;
    std::vector<Point> exp;
    for (size_t i = 0; i < vals.size(); ++i) {
      if (vals[i]) exp.push_back(Point{t0 + static_cast<int64_t>(i) * step, *vals[i]});
    }
    bool by_index = !ev.range && !ev.has_range_vector;
    std::string got;
    for (const Point& p : s.points) absl::StrAppend(&got, " ", Fmt(p.value), "@", p.t_ms);
    if (exp.size() != s.points.size()) {
      return absl::StrCat(s.metric.ToString(), ": got ", s.points.size(), " points, want ", exp.size(), ":", got);
    }
    for (size_t i = 0; i < exp.size(); ++i) {
      if ((!by_index && exp[i].t_ms != s.points[i].t_ms) || !AlmostEqual(s.points[i].value, exp[i].value)) {
        return absl::StrCat(s.metric.ToString(), ": point ", i, " got ", Fmt(s.points[i].value), "@",
                            s.points[i].t_ms, " want ", Fmt(exp[i].value), "@", exp[i].t_ms, " all:", got);
      }
    }
  }
  return "";
}

// FORMAT.md §6.3.1: attaches `@ t_ms` to every selector and subquery that
// has none (not descending into subqueries that get one).
void AddAt(Expr* e, int64_t t_ms) {
  std::visit(Overloaded{
                 [&](VectorSelector& vs) {
                   if (vs.at.kind == AtModifier::Kind::kNone) {
                     vs.at.kind = AtModifier::Kind::kTimestamp;
                     vs.at.timestamp_ms = t_ms;
                   }
                 },
                 [&](MatrixSelector& ms) { AddAt(ms.vector_selector.get(), t_ms); },
                 [&](SubqueryExpr& sq) {
                   if (sq.at.kind == AtModifier::Kind::kNone) {
                     sq.at.kind = AtModifier::Kind::kTimestamp;
                     sq.at.timestamp_ms = t_ms;
                   } else {
                     AddAt(sq.expr.get(), t_ms);
                   }
                 },
                 [&](ParenExpr& p) { AddAt(p.expr.get(), t_ms); },
                 [&](UnaryExpr& u) { AddAt(u.expr.get(), t_ms); },
                 [&](BinaryExpr& b) {
                   AddAt(b.lhs.get(), t_ms);
                   AddAt(b.rhs.get(), t_ms);
                 },
                 [&](AggregateExpr& a) {
                   AddAt(a.expr.get(), t_ms);
                   if (a.param) AddAt(a.param.get(), t_ms);
                 },
                 [&](Call& c) {
                   for (ExprPtr& x : c.args) AddAt(x.get(), t_ms);
                 },
                 [](auto&) {},
             },
             e->node);
}

bool TimeDependent(const std::string& expr) {
  for (const char* f : {"time(", "timestamp(", "hour(", "minute(", "month(", "year(", "day_of_",
                        "days_in_month(", "predict_linear(", "start()", "end()", "range()",
                        "step()"}) {
    if (expr.find(f) != std::string::npos) return true;
  }
  return false;
}

CaseResult RunEval(const Eval& ev, storage::MemStorage* db, const Engine& engine) {
  CaseResult c;
  c.line = ev.line;
  c.expr = ev.expr;
  absl::StatusOr<ExprPtr> e = ParseExpr(ev.expr);
  absl::StatusOr<QueryResult> r;
  if (!e.ok()) {
    r = e.status();
  } else if (ev.range) {
    r = engine.RangeQuery(db, **e, ev.start, ev.end, ev.step);
  } else {
    r = engine.InstantQuery(db, **e, ev.has_range_vector ? ev.rv_end : ev.at);
  }
  if (!r.ok()) {
    c.ok = ev.expect_fail;
    if (!c.ok) c.message = absl::StrCat("unexpected error: ", r.status().ToString());
    return c;
  }
  if (ev.expect_fail) {
    c.message = "expected an error, query succeeded";
    return c;
  }
  c.message = CheckResult(ev, *r);
  c.ok = c.message.empty();
  if (!c.ok || ev.range || ev.has_range_vector || ev.expect_string) return c;
  // FORMAT.md §6.3.1 step invariance: with `@ t` on every selector the
  // result must not depend on the evaluation time.
  if (!TimeDependent(ev.expr)) {
    ExprPtr pinned = CloneExpr(**e);
    AddAt(pinned.get(), ev.at);
    std::vector<int64_t> times = {-10 * ev.at, 0, ev.at / 5, ev.at, 10 * ev.at};
    if (ev.at == 0) times = {-1000, 0, 1000};
    for (int64_t t : times) {
      absl::StatusOr<QueryResult> pr = engine.InstantQuery(db, *pinned, t);
      std::string m = pr.ok() ? CheckResult(ev, *pr) : pr.status().ToString();
      if (!m.empty()) {
        c.ok = false;
        c.message = absl::StrCat("@ variant at ", t, "ms: ", m);
        return c;
      }
    }
  }
  if (ev.ordered) return c;
  // FORMAT.md §6.3 range-mode check: the same query as a range query from
  // t-1m to t+1m at 1m must give the same value at t.
  for (const char* f : {"start()", "end()", "range()", "step()"}) {
    if (ev.expr.find(f) != std::string::npos) return c;
  }
  const ValueType type = ExprType(**e);
  if (type != ValueType::kVector && type != ValueType::kScalar) return c;
  absl::StatusOr<QueryResult> rr = engine.RangeQuery(db, **e, ev.at - 60000, ev.at + 60000, 60000);
  if (!rr.ok()) {
    c.ok = false;
    c.message = absl::StrCat("range mode: unexpected error: ", rr.status().ToString());
    return c;
  }
  QueryResult at_t;
  at_t.type = type;
  for (const Series& s : rr->matrix) {
    for (const Point& p : s.points) {
      if (p.t_ms != ev.at) continue;
      if (type == ValueType::kScalar) at_t.scalar = p.value;
      else at_t.vector.push_back(VectorElem{s.metric, p.value, p.t_ms});
    }
  }
  Eval unordered = ev;
  unordered.ordered = false;
  std::string m = CheckResult(unordered, at_t);
  if (!m.empty()) {
    c.ok = false;
    c.message = "range mode: " + m;
  }
  return c;
}

}  // namespace

absl::StatusOr<FileResult> RunTestFile(const std::string& path, const RunOptions& opts) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return RunTestScript(ss.str(), opts);
}

absl::StatusOr<FileResult> RunTestScript(const std::string& content, const RunOptions& opts) {
  std::vector<std::string> lines = absl::StrSplit(content, '\n');
  for (std::string& l : lines) {
    l = std::string(Trim(l));
    if (!l.empty() && l[0] == '#') l.clear();
  }
  EngineOptions eo;
  eo.max_samples = 10000;
  eo.timeout = absl::Seconds(100);
  if (opts.parallel_min_steps > 0) {
    eo.parallel_min_steps = opts.parallel_min_steps;
    eo.range_query_threads = 3;
  } else {
    eo.range_query_threads = 1;
  }
  Engine engine(eo);
  auto db = std::make_unique<storage::MemStorage>();
  FileResult res;
  size_t i = 0;
  while (i < lines.size()) {
    std::string_view line = lines[i];
    const int lineno = static_cast<int>(i) + 1;
    if (line.empty()) {
      ++i;
      continue;
    }
    std::string_view rest = line;
    std::string_view cmd = NextWord(&rest);
    if (cmd == "clear") {
      db = std::make_unique<storage::MemStorage>();
      ++i;
      continue;
    }
    if (StartsWith(cmd, "load")) {
      absl::StatusOr<int64_t> interval = ParseDuration(NextWord(&rest));
      if (!interval.ok()) return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": ", interval.status().message()));
      ++i;
      std::vector<SeriesDesc> descs;
      std::map<Labels, size_t> pos;
      for (; i < lines.size() && !lines[i].empty(); ++i) {
        std::string_view l = lines[i];
        std::string_view metric = l.substr(0, l.find_first_of(" \t"));
        if (metric.size() >= 3 && metric.substr(metric.size() - 3) == "@st") continue;
        absl::StatusOr<SeriesDesc> d = ParseSeriesDesc(l);
        if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("line ", i + 1, ": ", d.status().message()));
        auto [it, inserted] = pos.emplace(d->labels, descs.size());
        if (inserted) descs.push_back(std::move(*d));
        else descs[it->second] = std::move(*d);
      }
      std::unique_ptr<storage::Appender> app = db->NewAppender();
      for (const SeriesDesc& d : descs) {
        for (size_t k = 0; k < d.values.size(); ++k) {
          if (!d.values[k]) continue;
          absl::StatusOr<storage::SeriesRef> ref =
              app->Append(0, d.labels, static_cast<int64_t>(k) * *interval, *d.values[k]);
          if (!ref.ok()) {
            return absl::InvalidArgumentError(absl::StrCat("load before line ", i + 1, ": ", d.labels.ToString(), ": ", ref.status().ToString()));
          }
        }
      }
      RETURN_IF_ERROR(app->Commit());
      continue;
    }
    if (!StartsWith(cmd, "eval")) {
      return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": invalid command ", std::string(cmd)));
    }
    Eval ev;
    ev.line = lineno;
    ev.expect_fail = cmd == "eval_fail";
    ev.ordered = cmd == "eval_ordered";
    std::string_view kind = NextWord(&rest);
    auto dur = [&](std::string_view w) -> absl::StatusOr<int64_t> { return ParseDuration(w); };
    if (kind == "instant") {
      if (NextWord(&rest) != "at") return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": want 'at'"));
      ASSIGN_OR_RETURN(ev.at, dur(NextWord(&rest)));
    } else if (kind == "range") {
      ev.range = true;
      if (NextWord(&rest) != "from") return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": want 'from'"));
      ASSIGN_OR_RETURN(ev.start, dur(NextWord(&rest)));
      if (NextWord(&rest) != "to") return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": want 'to'"));
      ASSIGN_OR_RETURN(ev.end, dur(NextWord(&rest)));
      if (NextWord(&rest) != "step") return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": want 'step'"));
      ASSIGN_OR_RETURN(ev.step, dur(NextWord(&rest)));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("line ", lineno, ": bad eval kind"));
    }
    ev.expr = std::string(rest);
    ++i;
    for (; i < lines.size() && !lines[i].empty(); ++i) {
      std::string_view l = lines[i];
      if (StartsWith(l, "expect range vector")) {
        std::string_view r = l.substr(std::string_view("expect range vector").size());
        NextWord(&r);  // from
        ASSIGN_OR_RETURN(ev.rv_start, dur(NextWord(&r)));
        NextWord(&r);  // to
        ASSIGN_OR_RETURN(ev.rv_end, dur(NextWord(&r)));
        NextWord(&r);  // step
        ASSIGN_OR_RETURN(ev.rv_step, dur(NextWord(&r)));
        ev.has_range_vector = true;
        continue;
      }
      if (StartsWith(l, "expect string")) {
        std::string s;
        internal::UnquoteString(Trim(l.substr(13)), &s);
        ev.expect_string = s;
        continue;
      }
      if (StartsWith(l, "expect ")) {
        std::string_view r = l.substr(7);
        std::string_view what = NextWord(&r);
        if (what == "fail") ev.expect_fail = true;
        if (what == "ordered") ev.ordered = true;
        continue;  // warn/info annotations are not checked
      }
      if (StartsWith(l, "expected_fail_message") || StartsWith(l, "expected_fail_regexp")) {
        ++i;
        break;
      }
      double num;
      std::string err;
      if (internal::ParseGoNumber(l, &num, &err)) {
        ev.scalar = num;
        ++i;
        break;
      }
      absl::StatusOr<SeriesDesc> d = ParseSeriesDesc(l);
      if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("line ", i + 1, ": ", d.status().message()));
      ev.series.emplace_back(std::move(d->labels), std::move(d->values));
    }
    if (opts.only_lines != nullptr && opts.only_lines->count(ev.line) == 0) {
      ++res.skipped;
      continue;
    }
    res.cases.push_back(RunEval(ev, db.get(), engine));
  }
  return res;
}

}  // namespace promlet::query::testing
