// Binary operators (Prometheus engine.go VectorBinop, VectorAnd/Or/Unless,
// VectorscalarBinop, scalarBinop).
#include <algorithm>
#include <cmath>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "query/engine/engine.h"
#include "query/engine/evaluator.h"

namespace promlet::query::internal {
namespace {

using storage::Labels;

bool IsArithmetic(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
    case BinaryOp::kPow:
    case BinaryOp::kAtan2:
      return true;
    default:
      return false;
  }
}

// Returns the value and whether to keep the element (comparisons filter).
double ElemBinop(BinaryOp op, double l, double r, bool* keep) {
  *keep = true;
  switch (op) {
    case BinaryOp::kAdd: return l + r;
    case BinaryOp::kSub: return l - r;
    case BinaryOp::kMul: return l * r;
    case BinaryOp::kDiv: return l / r;
    case BinaryOp::kPow: return std::pow(l, r);
    case BinaryOp::kMod: return std::fmod(l, r);
    case BinaryOp::kAtan2: return std::atan2(l, r);
    case BinaryOp::kEql: *keep = l == r; return l;
    case BinaryOp::kNeq: *keep = l != r; return l;
    case BinaryOp::kGtr: *keep = l > r; return l;
    case BinaryOp::kLss: *keep = l < r; return l;
    case BinaryOp::kGte: *keep = l >= r; return l;
    case BinaryOp::kLte: *keep = l <= r; return l;
    default: *keep = false; return 0;
  }
}

double ScalarBinop(BinaryOp op, double l, double r) {
  bool keep;
  double v = ElemBinop(op, l, r, &keep);
  if (IsComparisonOp(op)) return keep ? 1 : 0;
  return v;
}

// Join signature of a label set: the `on` labels, or all but the
// `ignoring` labels and __name__.
std::string Signature(const Labels& l, const VectorMatching& m) {
  std::string key;
  for (const storage::Label& x : l) {
    bool listed = std::find(m.matching_labels.begin(), m.matching_labels.end(), x.name) !=
                  m.matching_labels.end();
    bool use = m.on ? listed : (!listed && x.name != storage::kMetricName);
    if (!use) continue;
    key.append(x.name);
    key.push_back('\xff');
    key.append(x.value);
    key.push_back('\xff');
  }
  return key;
}

// Prometheus Labels.MatchLabels.
Labels MatchLabels(const Labels& l, const VectorMatching& m) {
  storage::LabelsBuilder b(l);
  if (m.on) {
    b.Filter([&](std::string_view n, std::string_view) {
      return std::find(m.matching_labels.begin(), m.matching_labels.end(), n) !=
             m.matching_labels.end();
    });
  } else {
    b.Del(storage::kMetricName);
    for (const std::string& n : m.matching_labels) b.Del(n);
  }
  return b.Build();
}

struct PairHash {
  size_t operator()(const std::pair<const Labels*, const Labels*>& p) const {
    return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
  }
};

}  // namespace

absl::StatusOr<Matrix> Evaluator::EvalBinary(const BinaryExpr& b) {
  const ValueType lt = ExprType(*b.lhs);
  const ValueType rt = ExprType(*b.rhs);
  std::vector<Matrix> in(2);
  ASSIGN_OR_RETURN(in[0], Eval(*b.lhs));
  ASSIGN_OR_RETURN(in[1], Eval(*b.rhs));
  const BinaryOp op = b.op;

  if (lt == ValueType::kScalar && rt == ValueType::kScalar) {
    return RangeEval(in, nullptr, [&](int64_t, std::vector<Vector>& v, Vector* out) {
      if (!v[0].empty() && !v[1].empty()) {
        out->push_back(Sample{&EmptyLabels(), ScalarBinop(op, v[0][0].f, v[1][0].f)});
      }
      return absl::OkStatus();
    });
  }

  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    const bool swap = lt == ValueType::kScalar;
    const bool drop = IsArithmetic(op) || b.return_bool;
    return RangeEval(in, nullptr, [&](int64_t, std::vector<Vector>& v, Vector* out) {
      const Vector& vec = swap ? v[1] : v[0];
      const Vector& sc = swap ? v[0] : v[1];
      if (sc.empty()) return absl::OkStatus();
      const double s = sc[0].f;
      for (const Sample& e : vec) {
        double l = e.f, r = s;
        if (swap) std::swap(l, r);
        bool keep;
        double val = ElemBinop(op, l, r, &keep);
        if (IsComparisonOp(op) && swap) val = r;
        if (b.return_bool) {
          val = keep ? 1 : 0;
          keep = true;
        }
        if (!keep) continue;
        out->push_back(Sample{e.metric, val, e.t, e.drop_name || drop});
      }
      return absl::OkStatus();
    });
  }

  // Vector op vector.
  VectorMatching matching;
  if (b.matching.has_value()) {
    matching = *b.matching;
  } else if (op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless) {
    matching.card = VectorMatching::Card::kManyToMany;
  }
  std::vector<std::vector<int>> sigs(2);
  absl::flat_hash_map<std::string, int> ordinal;
  for (int i = 0; i < 2; ++i) {
    sigs[static_cast<size_t>(i)].reserve(in[static_cast<size_t>(i)].size());
    for (const Series& s : in[static_cast<size_t>(i)]) {
      auto [it, ins] = ordinal.emplace(Signature(s.metric, matching), static_cast<int>(ordinal.size()));
      sigs[static_cast<size_t>(i)].push_back(it->second);
    }
  }
  const size_t num_sigs = ordinal.size();
  std::vector<char> present(num_sigs, 0);

  if (op == BinaryOp::kAnd || op == BinaryOp::kOr || op == BinaryOp::kUnless) {
    return RangeEval(in, &sigs, [&](int64_t, std::vector<Vector>& v, Vector* out) {
      const Vector& lhs = v[0];
      const Vector& rhs = v[1];
      if (op == BinaryOp::kAnd) {
        if (lhs.empty() || rhs.empty()) return absl::OkStatus();
        for (const Sample& r : rhs) present[static_cast<size_t>(r.sig)] = 1;
        for (const Sample& l : lhs) {
          if (present[static_cast<size_t>(l.sig)]) out->push_back(l);
        }
        for (const Sample& r : rhs) present[static_cast<size_t>(r.sig)] = 0;
      } else if (op == BinaryOp::kOr) {
        for (const Sample& l : lhs) {
          present[static_cast<size_t>(l.sig)] = 1;
          out->push_back(l);
        }
        for (const Sample& r : rhs) {
          if (!present[static_cast<size_t>(r.sig)]) out->push_back(r);
        }
        for (const Sample& l : lhs) present[static_cast<size_t>(l.sig)] = 0;
      } else {
        for (const Sample& r : rhs) present[static_cast<size_t>(r.sig)] = 1;
        for (const Sample& l : lhs) {
          if (!present[static_cast<size_t>(l.sig)]) out->push_back(l);
        }
        for (const Sample& r : rhs) present[static_cast<size_t>(r.sig)] = 0;
      }
      return absl::OkStatus();
    });
  }

  if (matching.card == VectorMatching::Card::kManyToMany) {
    return absl::FailedPreconditionError("many-to-many only allowed for set operators");
  }
  const bool one_to_many = matching.card == VectorMatching::Card::kOneToMany;
  LabelArena arena;
  absl::flat_hash_map<std::pair<const Labels*, const Labels*>, const Labels*, PairHash> cache;
  auto result_metric = [&](const Labels* l, const Labels* r) -> const Labels* {
    auto it = cache.find(std::make_pair(l, r));
    if (it != cache.end()) return it->second;
    storage::LabelsBuilder lb(*l);
    if (IsArithmetic(op)) lb.Del(storage::kMetricName).Del("__type__").Del("__unit__");
    if (matching.card == VectorMatching::Card::kOneToOne) {
      if (matching.on) {
        lb.Filter([&](std::string_view n, std::string_view) {
          return std::find(matching.matching_labels.begin(), matching.matching_labels.end(), n) !=
                 matching.matching_labels.end();
        });
      } else {
        for (const std::string& n : matching.matching_labels) lb.Del(n);
      }
    }
    for (const std::string& n : matching.include) {
      std::string_view v = r->Get(n);
      if (!v.empty()) {
        lb.Set(n, v);
      } else {
        lb.Del(n);
      }
    }
    const Labels* res = arena.Add(lb.Build());
    cache.emplace(std::make_pair(l, r), res);
    return res;
  };
  std::vector<int> right(num_sigs, -1);
  std::vector<char> matched(num_sigs, 0);
  absl::flat_hash_map<int, absl::flat_hash_set<uint64_t>> inserted;
  return RangeEval(in, &sigs, [&](int64_t, std::vector<Vector>& v, Vector* out) -> absl::Status {
    const Vector* lhs = &v[0];
    const Vector* rhs = &v[1];
    if (lhs->empty() || rhs->empty()) return absl::OkStatus();
    if (one_to_many) std::swap(lhs, rhs);
    absl::Status st;
    for (size_t i = 0; i < rhs->size(); ++i) {
      const Sample& rs = (*rhs)[i];
      int& slot = right[static_cast<size_t>(rs.sig)];
      if (slot != -1) {
        const Sample& dup = (*rhs)[static_cast<size_t>(slot)];
        st = absl::FailedPreconditionError(absl::StrCat(
            "found duplicate series for the match group ", MatchLabels(*rs.metric, matching).ToString(),
            " on the ", one_to_many ? "left" : "right", " hand-side of the operation: [",
            rs.metric->ToString(), ", ", dup.metric->ToString(),
            "];many-to-many matching not allowed: matching labels must be unique on one side"));
        break;
      }
      slot = static_cast<int>(i);
    }
    if (st.ok()) {
      for (const Sample& ls : *lhs) {
        const int ri = right[static_cast<size_t>(ls.sig)];
        if (ri < 0) continue;
        const Sample& rs = (*rhs)[static_cast<size_t>(ri)];
        double fl = ls.f, fr = rs.f;
        if (one_to_many) std::swap(fl, fr);
        bool keep;
        double val = ElemBinop(op, fl, fr, &keep);
        if (b.return_bool) val = keep ? 1 : 0;
        const Labels* metric = result_metric(ls.metric, rs.metric);
        if (matching.card == VectorMatching::Card::kOneToOne) {
          if (matched[static_cast<size_t>(ls.sig)]) {
            st = absl::FailedPreconditionError(
                "multiple matches for labels: many-to-one matching must be explicit "
                "(group_left/group_right)");
            break;
          }
          matched[static_cast<size_t>(ls.sig)] = 1;
        } else if (!inserted[ls.sig].insert(metric->Hash()).second) {
          st = absl::FailedPreconditionError(
              "multiple matches for labels: grouping labels must ensure unique matches");
          break;
        }
        if (!keep && !b.return_bool) continue;
        out->push_back(Sample{metric, val, 0, b.return_bool});
      }
    }
    for (const Sample& rs : *rhs) right[static_cast<size_t>(rs.sig)] = -1;
    for (const Sample& ls : *lhs) matched[static_cast<size_t>(ls.sig)] = 0;
    inserted.clear();
    return st;
  });
}

}  // namespace promlet::query::internal
