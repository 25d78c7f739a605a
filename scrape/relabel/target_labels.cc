#include "scrape/relabel/target_labels.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "scrape/config/duration.h"
#include "scrape/relabel/relabel.h"

namespace promlet::scrape {
namespace {

using base::Absl;

void QueryEscape(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out->push_back(c);
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
}

}  // namespace

absl::StatusOr<TargetLabels> PopulateLabels(const storage::Labels& lset, const ScrapeConfig& cfg) {
  storage::LabelsBuilder lb(lset);
  const std::string interval = FormatPromDuration(cfg.scrape_interval);
  const std::string timeout = FormatPromDuration(cfg.scrape_timeout);
  const std::pair<std::string_view, std::string_view> defaults[] = {
      {"job", cfg.job_name},
      {"__scrape_interval__", interval},
      {"__scrape_timeout__", timeout},
      {"__metrics_path__", cfg.metrics_path},
      {"__scheme__", cfg.scheme}};
  for (const auto& [name, value] : defaults) {
    if (lset.Get(name).empty()) lb.Set(name, value);
  }
  for (const auto& [name, values] : cfg.params) {
    if (!values.empty()) lb.Set(absl::StrCat("__param_", name), values[0]);
  }
  TargetLabels out;
  out.discovered = lb.Build();
  if (!Relabel(cfg.relabel_configs, &lb)) return out;  // dropped

  const std::string addr(lb.Get("__address__"));
  if (addr.empty()) return absl::InvalidArgumentError("no address");
  if (addr.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("\"", addr, "\" is not a valid hostname"));
  }
  absl::StatusOr<absl::Duration> iv = ParseDuration(lb.Get("__scrape_interval__"));
  if (!iv.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("error parsing scrape interval: ", iv.status().message()));
  }
  if (*iv == absl::ZeroDuration()) return absl::InvalidArgumentError("scrape interval cannot be 0");
  absl::StatusOr<absl::Duration> to = ParseDuration(lb.Get("__scrape_timeout__"));
  if (!to.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("error parsing scrape timeout: ", to.status().message()));
  }
  if (*to == absl::ZeroDuration()) return absl::InvalidArgumentError("scrape timeout cannot be 0");
  if (*to > *iv) {
    return absl::InvalidArgumentError(absl::StrCat("scrape timeout cannot be greater than scrape interval (\"",
                                                   FormatPromDuration(*to), "\" > \"", FormatPromDuration(*iv), "\")"));
  }
  lb.Filter([](std::string_view name, std::string_view) { return !name.starts_with("__meta_"); });
  if (lb.Get("instance").empty()) lb.Set("instance", addr);
  storage::Labels res = lb.Build();
  for (const storage::Label& l : res) {
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid label value for \"", Absl(l.name), "\": \"",
                                                     Absl(l.value), "\""));
    }
  }
  out.labels = std::move(res);
  return out;
}

void TargetsFromGroup(const TargetGroup& group, const ScrapeConfig& cfg,
                      std::vector<TargetLabels>* out, std::vector<std::string>* errors) {
  for (size_t i = 0; i < group.targets.size(); ++i) {
    storage::LabelsBuilder b(group.targets[i]);
    for (const storage::Label& l : group.labels) {
      if (!b.Has(l.name)) b.Set(l.name, l.value);
    }
    absl::StatusOr<TargetLabels> t = PopulateLabels(b.Build(), cfg);
    if (!t.ok()) {
      errors->push_back(absl::StrCat("instance ", i, " in group ", group.source, ": ", t.status().message()));
      continue;
    }
    out->push_back(*std::move(t));
  }
}

storage::Labels PublicLabels(const storage::Labels& labels) {
  std::vector<storage::Label> v;
  for (const storage::Label& l : labels) {
    if (!l.name.starts_with("__")) v.push_back(l);
  }
  return storage::Labels::FromVector(std::move(v));
}

std::string TargetUrl(const storage::Labels& labels, const ScrapeConfig& cfg) {
  std::map<std::string, std::vector<std::string>> params = cfg.params;
  for (const storage::Label& l : labels) {
    if (l.name.starts_with("__param_")) {
      params[std::string(l.name.substr(8))] = {std::string(l.value)};
    }
  }
  std::string url = absl::StrCat(Absl(labels.Get("__scheme__")), "://", Absl(labels.Get("__address__")),
                                 Absl(labels.Get("__metrics_path__")));
  char sep = '?';
  for (const auto& [k, vs] : params) {
    for (const std::string& v : vs) {
      url.push_back(sep);
      sep = '&';
      QueryEscape(k, &url);
      url.push_back('=');
      QueryEscape(v, &url);
    }
  }
  return url;
}

}  // namespace promlet::scrape
