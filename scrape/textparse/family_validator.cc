#include "scrape/textparse/family_validator.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "scrape/textparse/lex_util.h"

namespace promlet::scrape::textparse::internal {
namespace {

using base::Absl;

// Suffixes the samples of a family of type t may carry.
std::vector<std::string_view> Suffixes(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return {"_total", "_created"};
    case MetricType::kHistogram: return {"_bucket", "_count", "_sum", "_created"};
    case MetricType::kGaugeHistogram: return {"_bucket", "_gcount", "_gsum"};
    case MetricType::kSummary: return {"", "_count", "_sum", "_created"};
    case MetricType::kInfo: return {"_info"};
    default: return {""};
  }
}

bool Belongs(std::string_view family, MetricType t, std::string_view name, std::string_view* suffix) {
  if (!name.starts_with(family)) return false;
  std::string_view s = name.substr(family.size());
  for (std::string_view allowed : Suffixes(t)) {
    if (s == allowed) {
      *suffix = s;
      return true;
    }
  }
  return false;
}

std::string_view Find(std::span<const storage::Label> ls, std::string_view name, bool* found) {
  for (const storage::Label& l : ls) {
    if (l.name == name) {
      *found = true;
      return l.value;
    }
  }
  *found = false;
  return {};
}

// Label set key without `skip`, independent of the written order.
std::string Key(std::span<const storage::Label> ls, std::string_view skip) {
  std::vector<storage::Label> v;
  for (const storage::Label& l : ls) {
    if (l.name != skip) v.push_back(l);
  }
  std::sort(v.begin(), v.end(), [](const storage::Label& a, const storage::Label& b) {
    return a.name < b.name;
  });
  std::string k;
  for (const storage::Label& l : v) {
    absl::StrAppend(&k, Absl(l.name), "\xff", Absl(l.value), "\xff");
  }
  return k;
}

bool ParseF(std::string_view s, double* out) { return ParseGoFloat(s.data(), s.data() + s.size(), out); }

}  // namespace

void FamilyValidator::Reset() {
  have_family_ = false;
  fam_ = Family();
  family_names_.clear();
  claimed_.clear();
  group_ = Group();
  done_groups_.clear();
  text_.clear();
}

std::string FamilyValidator::StartFamily(std::string_view name) {
  if (std::string err = FinishGroup(); !err.empty()) return err;
  if (have_family_) {
    for (std::string_view s : Suffixes(fam_.type)) claimed_.insert(absl::StrCat(fam_.name, Absl(s)));
  }
  done_groups_.clear();
  if (family_names_.contains(name)) {
    return absl::StrCat("metric family \"", Absl(name),
                        "\" appears twice (families must be contiguous)");
  }
  if (claimed_.contains(name)) {
    return absl::StrCat("metric family \"", Absl(name), "\" clashes with an earlier family's samples");
  }
  family_names_.insert(std::string(name));
  fam_ = Family();
  fam_.name = std::string(name);
  have_family_ = true;
  return "";
}

std::string FamilyValidator::OnMetadata(Entry kind, std::string_view name, MetricType type,
                                        std::string_view unit) {
  if (!om_) {
    TextFamily& f = text_[name];
    if (kind == Entry::kHelp) {
      if (f.has_help) return absl::StrCat("second HELP line for metric name \"", Absl(name), "\"");
      f.has_help = true;
    } else if (kind == Entry::kType) {
      if (f.has_type || f.has_samples) {
        return absl::StrCat("second TYPE line for metric name \"", Absl(name),
                            "\", or TYPE reported after samples");
      }
      f.has_type = true;
      f.type = type;
    }
    return "";
  }
  if (!have_family_ || name != fam_.name) {
    if (std::string err = StartFamily(name); !err.empty()) return err;
  } else if (fam_.has_samples) {
    return absl::StrCat("metadata for \"", Absl(name), "\" after its samples");
  }
  switch (kind) {
    case Entry::kType:
      if (fam_.has_type) return absl::StrCat("second TYPE line for \"", Absl(name), "\"");
      fam_.has_type = true;
      fam_.type = type;
      for (std::string_view s : Suffixes(type)) {
        std::string n = absl::StrCat(fam_.name, Absl(s));
        if (claimed_.contains(n) || (!s.empty() && family_names_.contains(n))) {
          return absl::StrCat("samples of \"", Absl(name), "\" would clash with an earlier family (\"",
                              n, "\")");
        }
      }
      if (fam_.unit_set && (type == MetricType::kInfo || type == MetricType::kStateset)) {
        return absl::StrCat("UNIT not allowed for a ", Absl(MetricTypeName(type)));
      }
      break;
    case Entry::kHelp:
      if (fam_.has_help) return absl::StrCat("second HELP line for \"", Absl(name), "\"");
      fam_.has_help = true;
      break;
    default:
      if (fam_.has_unit) return absl::StrCat("second UNIT line for \"", Absl(name), "\"");
      fam_.has_unit = true;
      fam_.unit_set = !unit.empty();
      if (fam_.unit_set && (fam_.type == MetricType::kInfo || fam_.type == MetricType::kStateset)) {
        return absl::StrCat("UNIT not allowed for a ", Absl(MetricTypeName(fam_.type)));
      }
      break;
  }
  return "";
}

std::string FamilyValidator::FinishGroup() {
  Group& g = group_;
  if (!g.active) return "";
  g.active = false;
  if (!om_) return "";
  done_groups_.insert(g.key);
  MetricType t = fam_.type;
  if (t == MetricType::kHistogram || t == MetricType::kGaugeHistogram) {
    const char* cnt = t == MetricType::kHistogram ? "_count" : "_gcount";
    const char* sum = t == MetricType::kHistogram ? "_sum" : "_gsum";
    if (!g.saw_inf) return absl::StrCat("histogram \"", fam_.name, "\" has no le=\"+Inf\" bucket");
    if (t == MetricType::kHistogram && g.negative) {
      if (g.has_sum) return absl::StrCat("histogram \"", fam_.name, "\" with negative buckets has a _sum");
    } else if (g.has_count != g.has_sum) {
      return absl::StrCat("histogram \"", fam_.name, "\" needs both ", cnt, " and ", sum);
    }
    if (g.has_count && g.count != g.inf_count) {
      return absl::StrCat(cnt, " of \"", fam_.name, "\" differs from its +Inf bucket");
    }
    if (t == MetricType::kGaugeHistogram && g.has_sum && g.sum < 0 && !g.negative) {
      return absl::StrCat("negative _gsum of \"", fam_.name, "\" without negative buckets");
    }
  }
  return "";
}

std::string FamilyValidator::OnSample(Parser& p) { return om_ ? SampleOm(p) : SampleText(p); }

std::string FamilyValidator::SampleText(Parser& p) {
  std::string_view name = p.metric_name();
  std::string_view family = name;
  MetricType type = MetricType::kUnknown;
  for (std::string_view s : {"_bucket", "_count", "_sum", "_gcount", "_gsum"}) {
    if (!name.ends_with(s)) continue;
    auto it = text_.find(name.substr(0, name.size() - s.size()));
    if (it == text_.end()) continue;
    MetricType ft = it->second.type;
    bool hist = ft == MetricType::kHistogram || ft == MetricType::kGaugeHistogram;
    if ((ft == MetricType::kSummary && (s == "_count" || s == "_sum")) || hist) {
      family = it->first;
      type = ft;
    }
    break;
  }
  TextFamily& f = text_[family];
  if (family == name) type = f.type;
  f.has_samples = true;
  p.DecodeLabels(p.sample_labels_, false, &labels_, &scratch_);
  double v = p.value();
  bool found;
  if (type == MetricType::kSummary && family == name) {
    std::string_view q = Find(labels_, "quantile", &found);
    double d;
    if (found && !ParseF(q, &d)) return "expected float as value for 'quantile' label";
  }
  if (type == MetricType::kHistogram || type == MetricType::kGaugeHistogram) {
    if (name.ends_with("_bucket")) {
      std::string_view le = Find(labels_, "le", &found);
      double d;
      if (found && !ParseF(le, &d)) return "expected float as value for 'le' label";
      if (v < 0) return "negative histogram bucket count";
    } else if (name.ends_with("count") && v < 0) {
      return "negative histogram count";
    }
  }
  return "";
}

std::string FamilyValidator::SampleOm(Parser& p) {
  std::string_view name = p.metric_name();
  std::string_view suffix;
  if (!have_family_ || !Belongs(fam_.name, fam_.type, name, &suffix)) {
    if (std::string err = StartFamily(name); !err.empty()) return err;
    suffix = "";
  }
  fam_.has_samples = true;
  p.DecodeLabels(p.sample_labels_, false, &labels_, &scratch_);
  const MetricType t = fam_.type;
  const double v = p.value();
  const bool hist = t == MetricType::kHistogram || t == MetricType::kGaugeHistogram;
  bool found;

  // Which metric (group) of the family, and is it contiguous?
  std::string_view skip = (hist && suffix == "_bucket") ? "le"
                          : (t == MetricType::kSummary && suffix.empty()) ? "quantile"
                                                                           : "";
  std::string key = Key(labels_, skip);
  if (!group_.active || group_.key != key) {
    if (std::string err = FinishGroup(); !err.empty()) return err;
    if (done_groups_.contains(key)) {
      return absl::StrCat("samples of one metric of \"", fam_.name, "\" are not contiguous");
    }
    group_ = Group();
    group_.key = key;
    group_.active = true;
  }
  Group& g = group_;
  {
    std::string series = absl::StrCat(Absl(name), "\xfe", Key(labels_, ""));
    auto [it, inserted] = g.series.try_emplace(series, p.has_timestamp(), p.ts_seconds_);
    if (!inserted) {
      if (!p.has_timestamp() || !it->second.first) {
        return absl::StrCat("repeated sample of \"", Absl(name), "\" without timestamps");
      }
      if (p.ts_seconds_ < it->second.second) {
        return absl::StrCat("timestamps of \"", Absl(name), "\" go backwards");
      }
      it->second.second = p.ts_seconds_;
    }
  }

  auto non_negative = [&](const char* what) -> std::string {
    if (std::isnan(v) || v < 0) {
      return absl::StrCat(what, " of \"", Absl(name), "\" must not be NaN or negative");
    }
    return "";
  };
  switch (t) {
    case MetricType::kCounter:
      if (suffix == "_total") {
        if (auto e = non_negative("counter value"); !e.empty()) return e;
      }
      break;
    case MetricType::kHistogram:
    case MetricType::kGaugeHistogram:
      if (suffix == "_bucket") {
        std::string_view le = Find(labels_, "le", &found);
        double d;
        if (!found) return absl::StrCat("bucket of \"", fam_.name, "\" has no le label");
        if (!ParseF(le, &d) || std::isnan(d)) return absl::StrCat("invalid le \"", Absl(le), "\"");
        if (std::isinf(d) && le != "+Inf") return absl::StrCat("invalid le \"", Absl(le), "\"");
        if (auto e = non_negative("bucket count"); !e.empty()) return e;
        if (g.saw_inf) return "bucket after the le=\"+Inf\" bucket";
        if (g.saw_bucket && d <= g.last_le) return "bucket le values must increase";
        if (g.saw_bucket && v < g.last_bucket) return "bucket counts must be cumulative";
        g.saw_bucket = true;
        g.last_le = d;
        g.last_bucket = v;
        if (d < 0) g.negative = true;
        if (std::isinf(d)) {
          g.saw_inf = true;
          g.inf_count = v;
        }
      } else if (suffix == "_count" || suffix == "_gcount") {
        if (auto e = non_negative("count"); !e.empty()) return e;
        g.has_count = true;
        g.count = v;
      } else if (suffix == "_sum" || suffix == "_gsum") {
        if (std::isnan(v)) return absl::StrCat("sum of \"", fam_.name, "\" is NaN");
        if (t == MetricType::kHistogram && v < 0) {
          return absl::StrCat("sum of \"", fam_.name, "\" is negative");
        }
        g.has_sum = true;
        g.sum = v;
      }
      break;
    case MetricType::kSummary:
      if (suffix.empty()) {
        std::string_view q = Find(labels_, "quantile", &found);
        double d;
        if (!found) return absl::StrCat("summary \"", fam_.name, "\" sample without quantile");
        if (!ParseF(q, &d) || std::isnan(d) || d < 0 || d > 1) {
          return absl::StrCat("invalid quantile \"", Absl(q), "\"");
        }
        if (v < 0) return absl::StrCat("quantile value of \"", fam_.name, "\" is negative");
      } else if (suffix == "_count" || suffix == "_sum") {
        if (auto e = non_negative(suffix == "_count" ? "count" : "sum"); !e.empty()) return e;
      }
      break;
    case MetricType::kInfo:
      if (v != 1) return absl::StrCat("info value of \"", fam_.name, "\" must be 1");
      break;
    case MetricType::kStateset:
      Find(labels_, fam_.name, &found);
      if (!found) return absl::StrCat("stateset \"", fam_.name, "\" sample without its state label");
      if (v != 0 && v != 1) return absl::StrCat("stateset value of \"", fam_.name, "\" must be 0 or 1");
      break;
    default:
      break;
  }

  if (p.has_exemplar()) {
    bool allowed = (t == MetricType::kCounter && suffix == "_total") || (hist && suffix == "_bucket");
    if (!allowed) return absl::StrCat("exemplar not allowed on \"", Absl(name), "\"");
    size_t runes = 0;
    for (const storage::Label& l : p.exemplar().labels) runes += RuneCount(l.name) + RuneCount(l.value);
    if (runes > 128) return "exemplar labels longer than 128 characters";
  }
  return "";
}

std::string FamilyValidator::OnEof() { return FinishGroup(); }

}  // namespace promlet::scrape::textparse::internal
