#include "scrape/loop/scrape_loop.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/logging.h"
#include "base/strings.h"
#include "scrape/relabel/relabel.h"

namespace promlet::scrape {
namespace {

using base::Absl;
using textparse::Entry;

constexpr std::string_view kReportNames[5] = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                                              "scrape_samples_post_metric_relabeling", "scrape_series_added"};

bool PerSampleRejection(const absl::Status& s) {
  return absl::IsOutOfRange(s) || absl::IsAlreadyExists(s);
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

void MergeTargetLabels(const storage::Labels& target, bool honor_labels, storage::LabelsBuilder* lb) {
  if (honor_labels) {
    for (const storage::Label& l : target) {
      if (!lb->Has(l.name)) lb->Set(l.name, l.value);
    }
    return;
  }
  std::vector<std::pair<std::string, std::string>> conflicts;
  for (const storage::Label& l : target) {
    if (std::string_view v = lb->Get(l.name); !v.empty()) conflicts.emplace_back(l.name, v);
  }
  if (conflicts.empty()) {
    for (const storage::Label& l : target) lb->Set(l.name, l.value);
    return;
  }
  // Prometheus resolveConflictingExposedLabels: shortest names first, each
  // gets "exported_" prepended until it clashes with nothing.
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const auto& a, const auto& b) { return a.first.size() < b.first.size(); });
  const storage::Labels exposed = lb->Build();
  for (size_t i = 0; i < conflicts.size(); ++i) {
    std::string name = conflicts[i].first;
    for (;;) {
      name = "exported_" + name;
      bool taken = exposed.Has(name) || target.Has(name);
      for (size_t j = 0; j < i && !taken; ++j) taken = conflicts[j].first == name;
      if (!taken) break;
    }
    conflicts[i].first = name;
  }
  for (const storage::Label& l : target) lb->Set(l.name, l.value);
  for (const auto& [n, v] : conflicts) lb->Set(n, v);
}

ScrapeLoop::ScrapeLoop(std::shared_ptr<const ScrapeConfig> cfg, std::shared_ptr<Target> target,
                       std::unique_ptr<Scraper> scraper, storage::Appendable* appendable, base::Clock* clock)
    : cfg_(std::move(cfg)),
      target_(std::move(target)),
      scraper_(std::move(scraper)),
      appendable_(appendable),
      clock_(clock) {
  for (size_t i = 0; i < report_labels_.size(); ++i) {
    storage::LabelsBuilder b;
    b.Set(storage::kMetricName, kReportNames[i]);
    // Report series: target labels win, like Prometheus mutateReportSampleLabels.
    for (const storage::Label& l : target_->public_labels()) b.Set(l.name, l.value);
    report_labels_[i] = b.Build();
  }
}

absl::StatusOr<storage::Labels> ScrapeLoop::SampleLabels(textparse::Parser* p, ScrapeScratch* scratch) {
  std::span<const storage::Label> ls = p->labels();
  // Duplicate label names fail the scrape (Prometheus: the head rejects
  // them with `label name "x" is not unique`).
  scratch->names.clear();
  for (const storage::Label& l : ls) scratch->names.push_back(l.name);
  std::sort(scratch->names.begin(), scratch->names.end());
  for (size_t i = 1; i < scratch->names.size(); ++i) {
    if (scratch->names[i] == scratch->names[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat("label name \"", Absl(scratch->names[i]), "\" is not unique"));
    }
  }
  storage::LabelsBuilder lb;
  lb.Set(storage::kMetricName, p->metric_name());
  for (const storage::Label& l : ls) {
    if (!IsValidUtf8(l.value)) return absl::InvalidArgumentError("invalid UTF-8 label value");
    lb.Set(l.name, l.value);
  }
  MergeTargetLabels(target_->public_labels(), cfg_->honor_labels, &lb);
  if (!cfg_->metric_relabel_configs.empty() && !Relabel(cfg_->metric_relabel_configs, &lb)) {
    return storage::Labels();
  }
  storage::Labels lset = lb.Build();
  if (lset.empty()) return lset;
  const std::string_view name = lset.MetricName();
  if (name.empty()) return absl::InvalidArgumentError("__name__ label is missing");
  bool valid = IsValidMetricName(name);
  for (const storage::Label& l : lset) valid = valid && (l.name == storage::kMetricName || IsValidLabelName(l.name));
  if (!valid) return absl::InvalidArgumentError(absl::StrCat("invalid metric name or label names: ", lset.ToString()));
  if (cfg_->label_limit > 0 && lset.size() > cfg_->label_limit) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "label_limit exceeded (metric: %.50s, number of labels: %d, limit: %d)", Absl(name), lset.size(), cfg_->label_limit));
  }
  for (const storage::Label& l : lset) {
    if (cfg_->label_name_length_limit > 0 && l.name.size() > cfg_->label_name_length_limit) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "label_name_length_limit exceeded (metric: %.50s, label name: %.50s, length: %d, limit: %d)", Absl(name),
          Absl(l.name), l.name.size(), cfg_->label_name_length_limit));
    }
    if (cfg_->label_value_length_limit > 0 && RuneCount(l.value) > cfg_->label_value_length_limit) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "label_value_length_limit exceeded (metric: %.50s, label name: %.50s, value: \"%.50s\", length: %d, limit: %d)",
          Absl(name), Absl(l.name), Absl(l.value), RuneCount(l.value), cfg_->label_value_length_limit));
    }
  }
  return lset;
}

AppendStats ScrapeLoop::Append(storage::Appender* app, std::string_view body, std::string_view content_type,
                               int64_t t_ms, ScrapeScratch* scratch) {
  AppendStats st;
  uint64_t limited_appends = 0;
  bool over_limit = false;
  scratch->meta.clear();
  cache_.BeginScrape();
  if (!body.empty()) {
    absl::StatusOr<textparse::Format> fmt =
        textparse::FormatFromContentType(content_type, textparse::Format::kPrometheusText);
    if (!fmt.ok()) {
      st.status = fmt.status();
      return st;
    }
    textparse::Parser* p = *fmt == textparse::Format::kOpenMetrics ? &scratch->openmetrics : &scratch->text;
    p->Reset(body);
    const bool hints = order_from_text_ && *fmt == textparse::Format::kPrometheusText;
    // Read once: the appender's virtual calls would make the compiler reload
    // them per sample.
    const bool honor_timestamps = cfg_->honor_timestamps;
    const uint64_t sample_limit = cfg_->sample_limit;
    static const storage::Labels kNoLabels;  // a cache hit appends by ref
    bool done = false;
    while (!done) {
      if (hints) p->ExpectSeries(cache_.ExpectedKey());
      switch (p->Next()) {
        case Entry::kSeries: {
          ++st.total;
          const std::string_view key = p->series();
          ScrapeCache::Entry* e = p->matched_expected() ? cache_.TakeExpected(key) : cache_.Find(key);
          if (e != nullptr && e->dropped) break;
          const bool explicit_ts = honor_timestamps && p->has_timestamp();
          const int64_t t = explicit_ts ? p->timestamp_ms() : t_ms;
          double v = p->value();
          if (ABSL_PREDICT_FALSE(std::isnan(v)) && !storage::IsStaleNaN(v)) {
            v = std::bit_cast<double>(storage::kNormalNaNBits);
          }
          std::optional<storage::Labels> fresh;  // a miss's labels; a hit builds none
          if (e == nullptr) {
            absl::StatusOr<storage::Labels> ls = SampleLabels(p, scratch);
            if (!ls.ok()) {
              st.status = ls.status();
              done = true;
              break;
            }
            if (ls->empty()) {
              cache_.Add(key, 0, storage::Labels(), /*dropped=*/true);
              break;
            }
            fresh.emplace(*std::move(ls));
          }
          ++st.added;
          // sample_limit counts appends like Prometheus's limitAppender;
          // once over, the rest are skipped and the scrape fails at the end.
          if (sample_limit > 0 && !storage::IsStaleNaN(v) && ++limited_appends > sample_limit) {
            over_limit = true;
            break;
          }
          absl::StatusOr<storage::SeriesRef> ref =
              e != nullptr ? app->Append(e->ref, kNoLabels, t, v) : app->Append(0, *fresh, t, v);
          if (e != nullptr && !ref.ok() && absl::IsNotFound(ref.status())) {
            ref = app->Append(0, e->labels, t, v);  // storage forgot the ref (head GC)
            if (ref.ok()) e->ref = *ref;
          }
          if (!ref.ok()) {
            if (absl::IsOutOfRange(ref.status())) {
              ++st.out_of_order;
            } else if (absl::IsAlreadyExists(ref.status())) {
              ++st.duplicates;
            } else {
              st.status = ref.status().message().empty()
                              ? absl::Status(ref.status().code(), absl::StrCat("append failed for ", Absl(key)))
                              : ref.status();
              done = true;
            }
            break;
          }
          if (e == nullptr) {
            e = cache_.Add(key, *ref, *std::move(fresh));
            if (!over_limit) ++st.series_added;
          }
          if (!explicit_ts) cache_.TrackStaleness(e);
          break;
        }
        case Entry::kHelp:
          scratch->meta.push_back({p->metadata_name(), Entry::kHelp, p->help(), textparse::MetricType::kUnknown});
          break;
        case Entry::kType:
          scratch->meta.push_back({p->metadata_name(), Entry::kType, {}, p->type()});
          break;
        case Entry::kUnit:
          scratch->meta.push_back({p->metadata_name(), Entry::kUnit, p->unit(), textparse::MetricType::kUnknown});
          break;
        case Entry::kComment:
          break;
        case Entry::kEof:
          done = true;
          break;
        case Entry::kError:
          st.status = p->status();
          // Prometheus's parser passes duplicate label names and the append
          // rejects them, so that sample still counts in
          // scrape_samples_scraped; promlet's parser stops on the line.
          if (absl::StrContains(st.status.message(), "duplicate label name")) ++st.total;
          done = true;
          break;
      }
    }
    if (st.status.ok() && over_limit) st.status = absl::ResourceExhaustedError("sample limit exceeded");
    if (!st.status.ok()) return st;
    UpdateMetadata(scratch);
    order_from_text_ = *fmt == textparse::Format::kPrometheusText;  // IterDone(true) below learns the order
  }
  // Series of the previous scrape not seen now: stale (Prometheus forEachStale).
  cache_.ForEachStale([&](ScrapeCache::Entry& e) {
    absl::StatusOr<storage::SeriesRef> r = app->Append(e.ref, storage::Labels(), t_ms, storage::StaleNaN());
    if (absl::IsNotFound(r.status())) r = app->Append(0, e.labels, t_ms, storage::StaleNaN());
    if (!r.ok() && !PerSampleRejection(r.status())) st.status = r.status();
  });
  cache_.IterDone(!body.empty());
  return st;
}

void ScrapeLoop::UpdateMetadata(ScrapeScratch* scratch) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const ScrapeScratch::Meta& m : scratch->meta) {
    mix(m.name);
    mix(m.text);
    h ^= static_cast<uint64_t>(m.kind) * 31 + static_cast<uint64_t>(m.type);
  }
  if (h == meta_hash_) return;
  meta_hash_ = h;
  std::map<std::string, MetricMetadata> md;
  for (const ScrapeScratch::Meta& m : scratch->meta) {
    MetricMetadata& x = md[std::string(m.name)];
    if (m.kind == Entry::kHelp) x.help = std::string(m.text);
    if (m.kind == Entry::kUnit) x.unit = std::string(m.text);
    if (m.kind == Entry::kType) x.type = std::string(textparse::MetricTypeName(m.type));
  }
  target_->SetMetadata(std::move(md));
}

void ScrapeLoop::Report(storage::Appender* app, int64_t t_ms, absl::Duration took, const AppendStats& s, bool up) {
  const double values[5] = {up ? 1.0 : 0.0, absl::ToDoubleSeconds(took), static_cast<double>(s.total),
                            static_cast<double>(s.added), static_cast<double>(s.series_added)};
  for (size_t i = 0; i < 5; ++i) {
    absl::StatusOr<storage::SeriesRef> r = app->Append(report_refs_[i], report_labels_[i], t_ms, values[i]);
    if (absl::IsNotFound(r.status())) r = app->Append(0, report_labels_[i], t_ms, values[i]);
    report_refs_[i] = r.ok() ? *r : 0;
  }
}

void ScrapeLoop::ReportStale(storage::Appender* app, int64_t t_ms) {
  for (size_t i = 0; i < 5; ++i) {
    (void)app->Append(0, report_labels_[i], t_ms, storage::StaleNaN());
  }
}

void ScrapeLoop::ScrapeAndReport(ScrapeScratch* scratch) {
  const absl::Time start = clock_->Now();
  const int64_t t_ms = absl::ToUnixMillis(start);
  absl::Status err = scraper_->Scrape(target_->timeout(), &scratch->body, &scratch->content_type);
  std::unique_ptr<storage::Appender> app = appendable_->NewAppender();
  AppendStats st;
  if (err.ok()) {
    st = Append(app.get(), scratch->body, scratch->content_type, t_ms, scratch);
    if (!st.status.ok()) {
      err = st.status;
      (void)app->Rollback();
      // Like Prometheus: an empty append writes the staleness markers.
      AppendStats empty = Append(app.get(), {}, {}, t_ms, scratch);
      (void)empty;
    }
  } else {
    (void)Append(app.get(), {}, {}, t_ms, scratch);
  }
  const absl::Duration took = clock_->Now() - start;
  Report(app.get(), t_ms, took, st, err.ok());
  if (absl::Status c = app->Commit(); !c.ok()) {
    LOG_WARN("scrape commit failed", "target", target_->url(), "err", c.ToString());
    (void)app->Rollback();
  }
  if (st.out_of_order + st.duplicates > 0) {
    LOG_DEBUG("samples rejected", "target", target_->url(), "out_of_order", st.out_of_order, "duplicates",
              st.duplicates);
  }
  last_scrape_ = start;
  target_->Report(start, took, err.ok() ? "" : std::string(err.message()), st.total);
}

void ScrapeLoop::WriteEndOfRunStaleness(absl::Time t) {
  if (last_scrape_ == absl::InfinitePast()) return;
  const int64_t t_ms = absl::ToUnixMillis(t);
  std::unique_ptr<storage::Appender> app = appendable_->NewAppender();
  ScrapeScratch local;  // an empty append touches only scratch metadata
  (void)Append(app.get(), {}, {}, t_ms, &local);
  ReportStale(app.get(), t_ms);
  if (!app->Commit().ok()) (void)app->Rollback();
}

}  // namespace promlet::scrape
