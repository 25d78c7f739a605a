// PromQL function implementations over float samples (Prometheus
// `promql/functions.go`, `quantile.go`).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "query/engine/evaluator.h"
#include "query/engine/extrapolated_rate.h"
#include "query/parser/function_table.h"
#include "re2/re2.h"

namespace promlet::query::internal {
namespace {

using storage::Labels;

const Expr& Unparen(const Expr& e) {
  const Expr* p = &e;
  while (const auto* paren = std::get_if<ParenExpr>(&p->node)) p = paren->expr.get();
  return *p;
}

// ---- Instant-vector functions --------------------------------------------

template <double (*F)(double)>
void Simple(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  for (const Sample& s : args[0]) out->push_back(Sample{s.metric, F(s.f), s.t, true});
}

double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
double Log2(double v) { return std::log2(v); }
double Log10(double v) { return std::log10(v); }
double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }
double Rad(double v) { return v * M_PI / 180; }
double Deg(double v) { return v * 180 / M_PI; }
double Sgn(double v) { return v < 0 ? -1 : (v > 0 ? 1 : v); }

void Round(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  double to_nearest = 1;
  if (env.call->args.size() >= 2) {
    if (args[1].empty()) return;
    to_nearest = args[1][0].f;
  }
  const double inv = 1.0 / to_nearest;
  for (const Sample& s : args[0]) {
    out->push_back(Sample{s.metric, std::floor(s.f * inv + 0.5) / inv, s.t, true});
  }
}

// Go math.Max/Min propagate NaN; std::fmax does not.
double GoMax(double a, double b) {
  if (std::isinf(a) && a > 0) return a;
  if (std::isinf(b) && b > 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  return a > b ? a : b;
}
double GoMin(double a, double b) {
  if (std::isinf(a) && a < 0) return a;
  if (std::isinf(b) && b < 0) return b;
  if (std::isnan(a) || std::isnan(b)) return std::nan("");
  return a < b ? a : b;
}
void ClampGo(const Vector& v, double lo, double hi, Vector* out) {
  if (hi < lo) return;
  for (const Sample& s : v) out->push_back(Sample{s.metric, GoMax(lo, GoMin(hi, s.f)), s.t, true});
}
void Clamp(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  if (args[1].empty() || args[2].empty()) return;
  ClampGo(args[0], args[1][0].f, args[2][0].f, out);
}
void ClampMin(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  if (args[1].empty()) return;
  ClampGo(args[0], args[1][0].f, INFINITY, out);
}
void ClampMax(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  if (args[1].empty()) return;
  ClampGo(args[0], -INFINITY, args[1][0].f, out);
}

void Pi(FuncEnv& env, std::vector<Vector>&, Vector* out) {
  out->push_back(Sample{&EmptyLabels(), M_PI, env.ts, false});
}
void Time(FuncEnv& env, std::vector<Vector>&, Vector* out) {
  out->push_back(Sample{&EmptyLabels(), static_cast<double>(env.ts) / 1000, env.ts, false});
}
void VectorFn(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  if (args[0].empty()) return;
  out->push_back(Sample{&EmptyLabels(), args[0][0].f, env.ts, false});
}
void ScalarFn(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  double v = args[0].size() == 1 ? args[0][0].f : std::nan("");
  out->push_back(Sample{&EmptyLabels(), v, env.ts, false});
}
void Timestamp(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  for (const Sample& s : args[0]) {
    out->push_back(Sample{s.metric, static_cast<double>(s.t) / 1000, s.t, true});
  }
}

const Labels* CachedLabels(FuncEnv& env, const std::string& key, Labels (*make)(const Expr&),
                           const Expr& arg) {
  auto it = env.label_cache->find(key);
  if (it != env.label_cache->end()) return it->second;
  const Labels* l = env.arena->Add(make(arg));
  env.label_cache->emplace(key, l);
  return l;
}

void Absent(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  if (!args[0].empty()) return;
  out->push_back(Sample{CachedLabels(env, "absent", AbsentLabels, *env.call->args[0]), 1,
                        env.ts, false});
}

bool NanLastLess(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a < b;
}
void Sort(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  *out = args[0];
  std::stable_sort(out->begin(), out->end(),
                   [](const Sample& a, const Sample& b) { return NanLastLess(a.f, b.f); });
}
void SortDesc(FuncEnv&, std::vector<Vector>& args, Vector* out) {
  *out = args[0];
  std::stable_sort(out->begin(), out->end(), [](const Sample& a, const Sample& b) {
    if (std::isnan(a.f)) return false;
    if (std::isnan(b.f)) return true;
    return a.f > b.f;
  });
}

// facette/natsort Compare: digit runs compare as integers.
std::vector<std::string_view> Chunks(std::string_view s) {
  std::vector<std::string_view> c;
  size_t i = 0;
  while (i < s.size()) {
    bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) != 0) == digit) ++j;
    c.push_back(s.substr(i, j - i));
    i = j;
  }
  return c;
}
bool NatLess(std::string_view a, std::string_view b) {
  std::vector<std::string_view> ca = Chunks(a), cb = Chunks(b);
  for (size_t i = 0; i < ca.size(); ++i) {
    if (i >= cb.size()) return false;
    long long ai, bi;
    auto ra = std::from_chars(ca[i].data(), ca[i].data() + ca[i].size(), ai);
    auto rb = std::from_chars(cb[i].data(), cb[i].data() + cb[i].size(), bi);
    bool an = ra.ec == std::errc() && ra.ptr == ca[i].data() + ca[i].size();
    bool bn = rb.ec == std::errc() && rb.ptr == cb[i].data() + cb[i].size();
    if (an && bn) {
      if (ai == bi) {
        if (i == ca.size() - 1) return true;
        if (i == cb.size() - 1) return false;
        continue;
      }
      return ai < bi;
    }
    if (ca[i] == cb[i]) {
      if (i == ca.size() - 1) return true;
      if (i == cb.size() - 1) return false;
      continue;
    }
    return ca[i] < cb[i];
  }
  return false;
}
void SortByLabelImpl(FuncEnv& env, std::vector<Vector>& args, Vector* out, bool desc) {
  std::vector<std::string> names;
  for (size_t i = 1; i < env.call->args.size(); ++i) {
    const auto* s = std::get_if<StringLiteral>(&Unparen(*env.call->args[i]).node);
    if (s) names.push_back(s->value);
  }
  *out = args[0];
  std::stable_sort(out->begin(), out->end(), [&](const Sample& a, const Sample& b) {
    for (const std::string& n : names) {
      std::string_view x = a.metric->Get(n), y = b.metric->Get(n);
      if (x == y) continue;
      return desc ? !NatLess(x, y) : NatLess(x, y);
    }
    int c = Labels::Compare(*a.metric, *b.metric);
    return desc ? c > 0 : c < 0;
  });
}
void SortByLabel(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  SortByLabelImpl(env, args, out, false);
}
void SortByLabelDesc(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  SortByLabelImpl(env, args, out, true);
}

template <double (*F)(absl::CivilSecond)>
void DateFn(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  if (args.empty()) {
    absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixSeconds(env.ts / 1000), utc);
    out->push_back(Sample{&EmptyLabels(), F(cs), env.ts, false});
    return;
  }
  for (const Sample& s : args[0]) {
    int64_t secs = (std::isnan(s.f) || std::isinf(s.f) || std::fabs(s.f) > 9.2e18)
                       ? std::numeric_limits<int64_t>::min()
                       : static_cast<int64_t>(s.f);
    absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixSeconds(secs), utc);
    out->push_back(Sample{s.metric, F(cs), s.t, true});
  }
}
double DaysInMonth(absl::CivilSecond c) {
  absl::CivilMonth m(c);
  return static_cast<double>(absl::CivilDay(m + 1) - absl::CivilDay(m));
}
double DayOfMonth(absl::CivilSecond c) { return c.day(); }
double DayOfWeek(absl::CivilSecond c) {
  switch (absl::GetWeekday(absl::CivilDay(c))) {
    case absl::Weekday::sunday: return 0;
    case absl::Weekday::monday: return 1;
    case absl::Weekday::tuesday: return 2;
    case absl::Weekday::wednesday: return 3;
    case absl::Weekday::thursday: return 4;
    case absl::Weekday::friday: return 5;
    case absl::Weekday::saturday: return 6;
  }
  return 0;
}
double DayOfYear(absl::CivilSecond c) { return absl::GetYearDay(absl::CivilDay(c)); }
double Hour(absl::CivilSecond c) { return c.hour(); }
double Minute(absl::CivilSecond c) { return c.minute(); }
double Month(absl::CivilSecond c) { return c.month(); }
double Year(absl::CivilSecond c) { return static_cast<double>(c.year()); }

// ---- histogram_quantile over classic buckets -------------------------------

struct Bucket {
  double upper;
  double count;
};

bool AlmostEqual(double a, double b, double eps) {
  constexpr double kMinNormal = 2.2250738585072014e-308;
  if (a == b) return true;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < eps * kMinNormal;
  return diff / std::fmin(abs_sum, std::numeric_limits<double>::max()) < eps;
}

double BucketQuantile(double q, std::vector<Bucket>& b) {
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::stable_sort(b.begin(), b.end(), [](const Bucket& x, const Bucket& y) { return x.upper < y.upper; });
  if (!(std::isinf(b.back().upper) && b.back().upper > 0)) return std::nan("");
  // coalesce equal bounds
  size_t w = 0;
  for (size_t i = 1; i < b.size(); ++i) {
    if (b[i].upper == b[w].upper) {
      b[w].count += b[i].count;
    } else {
      b[++w] = b[i];
    }
  }
  b.resize(w + 1);
  // monotonicity, ignoring tiny deltas (Prometheus smallDeltaTolerance 1e-12)
  double prev = b[0].count;
  for (size_t i = 1; i < b.size(); ++i) {
    double curr = b[i].count;
    if (curr == prev) continue;
    if (AlmostEqual(prev, curr, 1e-12)) {
      b[i].count = prev;
      continue;
    }
    if (curr < prev) {
      b[i].count = prev;
      continue;
    }
    prev = curr;
  }
  if (b.size() < 2) return std::nan("");
  double observations = b.back().count;
  if (observations == 0) return std::nan("");
  double rank = q * observations;
  size_t idx = 0;
  {
    size_t lo = 0, hi = b.size() - 1;  // search in [0, n-1)
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (b[mid].count >= rank) hi = mid; else lo = mid + 1;
    }
    idx = lo;
  }
  if (idx == b.size() - 1) return b[b.size() - 2].upper;
  if (idx == 0 && b[0].upper <= 0) return b[0].upper;
  double start = 0, end = b[idx].upper, count = b[idx].count;
  if (idx > 0) {
    start = b[idx - 1].upper;
    count -= b[idx - 1].count;
    rank -= b[idx - 1].count;
  }
  return start + (end - start) * (rank / count);
}

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string str(s);
  std::string lower;
  for (char c : str) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::string_view l = lower;
  bool neg = false;
  if (!l.empty() && (l[0] == '+' || l[0] == '-')) {
    neg = l[0] == '-';
    l.remove_prefix(1);
  }
  if (l == "inf" || l == "infinity") {
    *out = neg ? -INFINITY : INFINITY;
    return true;
  }
  if (l == "nan") {
    *out = std::nan("");
    return true;
  }
  char* end = nullptr;
  *out = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size();
}

void HistogramQuantile(FuncEnv& env, std::vector<Vector>& args, Vector* out) {
  if (args[0].empty()) return;
  const double q = args[0][0].f;
  if (std::isnan(q) || q < 0 || q > 1) {
    env.ctx->Warn(absl::StrCat("PromQL warning: quantile value should be between 0 and 1, got ",
                               FormatFloat(q)));
  }
  struct Group {
    const Labels* labels;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;  // in order of first appearance in this step
  // Per-step position of each known group (bucket_groups ordinal), or -1.
  std::vector<int> position(env.bucket_groups.size(), -1);
  for (const Sample& s : args[1]) {
    auto [bs, fresh] = env.bucket_series.try_emplace(s.metric);
    if (fresh) {
      FuncEnv::BucketSeries& info = bs->second;
      info.le_ok = ParseGoFloat(s.metric->Get("le"), &info.upper);
      if (info.le_ok) {
        std::string key;
        for (const storage::Label& l : *s.metric) {
          if (l.name == "le") continue;
          key.append(l.name);
          key.push_back('\xff');
          key.append(l.value);
          key.push_back('\xff');
        }
        auto [gi, new_group] = env.bucket_group_index.try_emplace(key, env.bucket_groups.size());
        if (new_group) {
          auto lc = env.label_cache->find(key);
          const Labels* gl;
          if (lc == env.label_cache->end()) {
            storage::LabelsBuilder b(*s.metric);
            b.Del("le");
            gl = env.arena->Add(b.Build());
            env.label_cache->emplace(key, gl);
          } else {
            gl = lc->second;
          }
          env.bucket_groups.push_back(gl);
        }
        info.group = gi->second;
      }
    }
    const FuncEnv::BucketSeries& info = bs->second;
    if (!info.le_ok) {
      env.ctx->Warn(absl::StrCat("PromQL warning: bucket label \"le\" is missing or has a malformed value of \"",
                                 std::string(s.metric->Get("le")), "\""));
      continue;
    }
    if (info.group >= position.size()) position.resize(env.bucket_groups.size(), -1);
    int& pos = position[info.group];
    if (pos < 0) {
      pos = static_cast<int>(groups.size());
      groups.push_back(Group{env.bucket_groups[info.group], {}});
    }
    groups[static_cast<size_t>(pos)].buckets.push_back(Bucket{info.upper, s.f});
  }
  for (Group& g : groups) {
    out->push_back(Sample{g.labels, BucketQuantile(q, g.buckets), env.ts, true});
  }
}

// ---- Range-vector functions -------------------------------------------------

// Prometheus extrapolatedRate (extrapolated_rate.h).
bool Rate(FuncEnv& env, const RangeArgs& a, double* out) {
  return ExtrapolatedRateWindow<true, true>(a.window, a.may_decrease, a.range_start, a.range_end,
                                            a.range_ms, env.rate_geometry, out);
}
bool Increase(FuncEnv& env, const RangeArgs& a, double* out) {
  return ExtrapolatedRateWindow<true, false>(a.window, a.may_decrease, a.range_start, a.range_end,
                                             a.range_ms, env.rate_geometry, out);
}
bool Delta(FuncEnv& env, const RangeArgs& a, double* out) {
  return ExtrapolatedRateWindow<false, false>(a.window, a.may_decrease, a.range_start,
                                              a.range_end, a.range_ms, env.rate_geometry, out);
}

bool InstantValue(const RangeArgs& a, bool is_rate, double* out) {
  const auto& w = a.window;
  if (w.size() < 2) return false;
  const Point& p0 = w[w.size() - 2];
  const Point& p1 = w[w.size() - 1];
  const int64_t dt = p1.t_ms - p0.t_ms;
  if (dt == 0) return false;
  double r = p1.value;
  if (!is_rate || !(p1.value < p0.value)) r = p1.value - p0.value;
  if (is_rate) r /= static_cast<double>(dt) / 1000;
  *out = r;
  return true;
}
bool Irate(FuncEnv&, const RangeArgs& a, double* out) { return InstantValue(a, true, out); }
bool Idelta(FuncEnv&, const RangeArgs& a, double* out) { return InstantValue(a, false, out); }

void LinearRegression(std::span<const Point> s, int64_t intercept_t, double* slope, double* intercept) {
  double n = 0, sx = 0, cx = 0, sy = 0, cy = 0, sxy = 0, cxy = 0, sx2 = 0, cx2 = 0;
  const double init_y = s[0].value;
  bool const_y = true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (const_y && i > 0 && s[i].value != init_y) const_y = false;
    n += 1;
    double x = static_cast<double>(s[i].t_ms - intercept_t) / 1e3;
    KahanInc(x, &sx, &cx);
    KahanInc(s[i].value, &sy, &cy);
    KahanInc(x * s[i].value, &sxy, &cxy);
    KahanInc(x * x, &sx2, &cx2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = *intercept = std::nan("");
      return;
    }
    *slope = 0;
    *intercept = init_y;
    return;
  }
  sx += cx;
  sy += cy;
  sxy += cxy;
  sx2 += cx2;
  double cov = sxy - sx * sy / n;
  double var = sx2 - sx * sx / n;
  *slope = cov / var;
  *intercept = sy / n - *slope * sx / n;
}
bool Deriv(FuncEnv&, const RangeArgs& a, double* out) {
  if (a.window.size() < 2) return false;
  double slope, intercept;
  LinearRegression(a.window, a.window[0].t_ms, &slope, &intercept);
  *out = slope;
  return true;
}
bool PredictLinear(FuncEnv&, const RangeArgs& a, double* out) {
  if (a.window.size() < 2) return false;
  double slope, intercept;
  LinearRegression(a.window, a.ts, &slope, &intercept);
  *out = slope * a.param0 + intercept;
  return true;
}

bool Resets(FuncEnv&, const RangeArgs& a, double* out) {
  int n = 0;
  for (size_t i = 1; i < a.window.size(); ++i) {
    if (a.window[i].value < a.window[i - 1].value) ++n;
  }
  *out = n;
  return true;
}
bool Changes(FuncEnv&, const RangeArgs& a, double* out) {
  int n = 0;
  for (size_t i = 1; i < a.window.size(); ++i) {
    double c = a.window[i].value, p = a.window[i - 1].value;
    if (c != p && !(std::isnan(c) && std::isnan(p))) ++n;
  }
  *out = n;
  return true;
}

bool AvgOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  const auto& w = a.window;
  double sum = w[0].value, count = 1, mean = 0, c = 0;
  bool incremental = false;
  for (size_t i = 1; i < w.size(); ++i) {
    count = static_cast<double>(i + 1);
    if (!incremental) {
      double ns = sum, nc = c;
      KahanInc(w[i].value, &ns, &nc);
      if (!std::isinf(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    double q = (count - 1) / count;
    double m = q * mean, cc = q * c;
    KahanInc(w[i].value / count, &m, &cc);
    mean = m;
    c = cc;
  }
  *out = incremental ? mean + c : sum / count + c / count;
  return true;
}
bool CountOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = static_cast<double>(a.window.size());
  return true;
}
bool FirstOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = a.window.front().value;
  return true;
}
bool LastOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = a.window.back().value;
  return true;
}
bool PresentOverTime(FuncEnv&, const RangeArgs&, double* out) {
  *out = 1;
  return true;
}
bool AbsentOverTime(FuncEnv&, const RangeArgs&, double* out) {
  *out = 1;
  return true;
}
template <bool kMax, bool kTs>
bool CompareOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  double best = a.window[0].value;
  int64_t best_t = a.window[0].t_ms;
  for (const Point& p : a.window) {
    bool take;
    if (kTs) {
      take = kMax ? (p.value >= best || std::isnan(best)) : (p.value <= best || std::isnan(best));
    } else {
      take = kMax ? (p.value > best || std::isnan(best)) : (p.value < best || std::isnan(best));
    }
    if (take) {
      best = p.value;
      best_t = p.t_ms;
    }
  }
  *out = kTs ? static_cast<double>(best_t) / 1000 : best;
  return true;
}
bool TsOfFirstOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = static_cast<double>(a.window.front().t_ms) / 1000;
  return true;
}
bool TsOfLastOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = static_cast<double>(a.window.back().t_ms) / 1000;
  return true;
}
bool SumOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  double sum = 0, c = 0;
  for (const Point& p : a.window) KahanInc(p.value, &sum, &c);
  *out = std::isinf(sum) ? sum : sum + c;
  return true;
}
thread_local std::vector<double> tl_values;
bool QuantileOverTime(FuncEnv& env, const RangeArgs& a, double* out) {
  const double q = a.param0;
  if (std::isnan(q) || q < 0 || q > 1) {
    env.ctx->Warn(absl::StrCat("PromQL warning: quantile value should be between 0 and 1, got ",
                               FormatFloat(q)));
  }
  tl_values.clear();
  for (const Point& p : a.window) tl_values.push_back(p.value);
  *out = Quantile(q, tl_values);
  return true;
}
bool MadOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  tl_values.clear();
  for (const Point& p : a.window) {
    if (std::isnan(p.value)) {  // a NaN sample makes the result NaN
      *out = std::nan("");
      return true;
    }
    tl_values.push_back(p.value);
  }
  double median = Quantile(0.5, tl_values);
  tl_values.clear();
  for (const Point& p : a.window) tl_values.push_back(std::fabs(p.value - median));
  *out = Quantile(0.5, tl_values);
  return true;
}
double Variance(std::span<const Point> w) {
  double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
  for (const Point& p : w) {
    count++;
    double delta = p.value - (mean + cmean);
    KahanInc(delta / count, &mean, &cmean);
    KahanInc(delta * (p.value - (mean + cmean)), &aux, &caux);
  }
  return (aux + caux) / count;
}
bool StddevOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = std::sqrt(Variance(a.window));
  return true;
}
bool StdvarOverTime(FuncEnv&, const RangeArgs& a, double* out) {
  *out = Variance(a.window);
  return true;
}
bool DoubleExponentialSmoothing(FuncEnv& env, const RangeArgs& a, double* out) {
  const double sf = a.param0, tf = a.param1;
  if (sf <= 0 || sf >= 1) {
    env.status = absl::FailedPreconditionError(
        absl::StrFormat("invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf));
    return false;
  }
  if (tf <= 0 || tf >= 1) {
    env.status = absl::FailedPreconditionError(
        absl::StrFormat("invalid trend factor. Expected: 0 < tf < 1, got: %f", tf));
    return false;
  }
  const auto& w = a.window;
  if (w.size() < 2) return false;
  double s0 = 0, s1 = w[0].value, b = w[1].value - w[0].value;
  for (size_t i = 1; i < w.size(); ++i) {
    double x = sf * w[i].value;
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  *out = s1;
  return true;
}

const absl::flat_hash_map<std::string_view, FunctionImpl>& Table() {
  static const auto* t = new absl::flat_hash_map<std::string_view, FunctionImpl>{
      {"abs", {Simple<Abs>, nullptr}},
      {"ceil", {Simple<Ceil>, nullptr}},
      {"floor", {Simple<Floor>, nullptr}},
      {"exp", {Simple<Exp>, nullptr}},
      {"sqrt", {Simple<Sqrt>, nullptr}},
      {"ln", {Simple<Ln>, nullptr}},
      {"log2", {Simple<Log2>, nullptr}},
      {"log10", {Simple<Log10>, nullptr}},
      {"sin", {Simple<Sin>, nullptr}},
      {"cos", {Simple<Cos>, nullptr}},
      {"tan", {Simple<Tan>, nullptr}},
      {"asin", {Simple<Asin>, nullptr}},
      {"acos", {Simple<Acos>, nullptr}},
      {"atan", {Simple<Atan>, nullptr}},
      {"sinh", {Simple<Sinh>, nullptr}},
      {"cosh", {Simple<Cosh>, nullptr}},
      {"tanh", {Simple<Tanh>, nullptr}},
      {"asinh", {Simple<Asinh>, nullptr}},
      {"acosh", {Simple<Acosh>, nullptr}},
      {"atanh", {Simple<Atanh>, nullptr}},
      {"rad", {Simple<Rad>, nullptr}},
      {"deg", {Simple<Deg>, nullptr}},
      {"sgn", {Simple<Sgn>, nullptr}},
      {"round", {Round, nullptr}},
      {"clamp", {Clamp, nullptr}},
      {"clamp_min", {ClampMin, nullptr}},
      {"clamp_max", {ClampMax, nullptr}},
      {"pi", {Pi, nullptr}},
      {"time", {Time, nullptr}},
      {"vector", {VectorFn, nullptr}},
      {"scalar", {ScalarFn, nullptr}},
      {"timestamp", {Timestamp, nullptr}},
      {"absent", {Absent, nullptr}},
      {"sort", {Sort, nullptr}},
      {"sort_desc", {SortDesc, nullptr}},
      {"sort_by_label", {SortByLabel, nullptr}},
      {"sort_by_label_desc", {SortByLabelDesc, nullptr}},
      {"days_in_month", {DateFn<DaysInMonth>, nullptr}},
      {"day_of_month", {DateFn<DayOfMonth>, nullptr}},
      {"day_of_week", {DateFn<DayOfWeek>, nullptr}},
      {"day_of_year", {DateFn<DayOfYear>, nullptr}},
      {"hour", {DateFn<Hour>, nullptr}},
      {"minute", {DateFn<Minute>, nullptr}},
      {"month", {DateFn<Month>, nullptr}},
      {"year", {DateFn<Year>, nullptr}},
      {"histogram_quantile", {HistogramQuantile, nullptr}},
      {"rate", {nullptr, Rate}},
      {"increase", {nullptr, Increase}},
      {"delta", {nullptr, Delta}},
      {"irate", {nullptr, Irate}},
      {"idelta", {nullptr, Idelta}},
      {"deriv", {nullptr, Deriv}},
      {"predict_linear", {nullptr, PredictLinear}},
      {"resets", {nullptr, Resets}},
      {"changes", {nullptr, Changes}},
      {"avg_over_time", {nullptr, AvgOverTime}},
      {"count_over_time", {nullptr, CountOverTime}},
      {"first_over_time", {nullptr, FirstOverTime}},
      {"last_over_time", {nullptr, LastOverTime}},
      {"present_over_time", {nullptr, PresentOverTime}},
      {"absent_over_time", {nullptr, AbsentOverTime}},
      {"max_over_time", {nullptr, CompareOverTime<true, false>}},
      {"min_over_time", {nullptr, CompareOverTime<false, false>}},
      {"ts_of_max_over_time", {nullptr, CompareOverTime<true, true>}},
      {"ts_of_min_over_time", {nullptr, CompareOverTime<false, true>}},
      {"ts_of_first_over_time", {nullptr, TsOfFirstOverTime}},
      {"ts_of_last_over_time", {nullptr, TsOfLastOverTime}},
      {"sum_over_time", {nullptr, SumOverTime}},
      {"quantile_over_time", {nullptr, QuantileOverTime}},
      {"mad_over_time", {nullptr, MadOverTime}},
      {"stddev_over_time", {nullptr, StddevOverTime}},
      {"stdvar_over_time", {nullptr, StdvarOverTime}},
      {"double_exponential_smoothing", {nullptr, DoubleExponentialSmoothing}},
      {"holt_winters", {nullptr, DoubleExponentialSmoothing}},
  };
  return *t;
}

}  // namespace

const FunctionImpl* LookupImpl(std::string_view name) {
  auto it = Table().find(name);
  return it == Table().end() ? nullptr : &it->second;
}

double Quantile(double q, std::vector<double>& values) {
  if (values.empty() || std::isnan(q)) return std::nan("");
  if (q < 0) return -INFINITY;
  if (q > 1) return INFINITY;
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values.size());
  const double rank = q * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) + values[static_cast<size_t>(upper)] * weight;
}

bool RegexExpand(const re2::RE2& re, std::string_view tmpl, std::string_view input,
                 std::string* out) {
  const int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(n));
  if (!re.Match(re2::StringPiece(input.data(), input.size()), 0, input.size(),
                re2::RE2::ANCHOR_BOTH, groups.data(), n)) {
    return false;
  }
  const std::map<std::string, int>& named = re.NamedCapturingGroups();
  out->clear();
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    out->append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // Go regexp extract().
    std::string_view str = tmpl;
    bool brace = false;
    if (!str.empty() && str[0] == '{') {
      brace = true;
      str.remove_prefix(1);
    }
    size_t i = 0;
    while (i < str.size() && (std::isalnum(static_cast<unsigned char>(str[i])) || str[i] == '_' ||
                              static_cast<unsigned char>(str[i]) >= 0x80)) {
      ++i;
    }
    if (i == 0 || (brace && (i >= str.size() || str[i] != '}'))) {
      out->push_back('$');
      continue;
    }
    std::string_view name = str.substr(0, i);
    if (brace) ++i;
    tmpl = str.substr(i);
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    if (num < 0) {
      auto it = named.find(std::string(name));
      if (it != named.end()) num = it->second;
      else continue;
    }
    if (num < n && groups[static_cast<size_t>(num)].data() != nullptr) {
      out->append(groups[static_cast<size_t>(num)].data(), groups[static_cast<size_t>(num)].size());
    }
  }
  out->append(tmpl);
  return true;
}

}  // namespace promlet::query::internal
