// One target's scrape loop body (Prometheus scrapeLoop): fetch, parse,
// scrape-cache lookup, append through storage::Appender, staleness markers,
// the synthetic report series, and target state. Scheduling lives in
// ScrapeManager; this class runs one scrape when told to, so tests drive it
// synchronously.
//
//   ScrapeLoop loop(cfg, target, std::make_unique<HttpScraper>(...), &db, clock);
//   ScrapeScratch scratch;                      // one per worker thread
//   loop.ScrapeAndReport(clock->Now(), &scratch);
#ifndef PROMLET_SCRAPE_LOOP_SCRAPE_LOOP_H_
#define PROMLET_SCRAPE_LOOP_SCRAPE_LOOP_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "scrape/config/config.h"
#include "scrape/loop/scrape_cache.h"
#include "scrape/loop/scraper.h"
#include "scrape/loop/target.h"
#include "scrape/textparse/parser.h"
#include "storage/api/appender.h"

namespace promlet::scrape {

// Per-worker reusable buffers: body, parsers, builders. Thread-compatible.
struct ScrapeScratch {
  std::string body;
  std::string content_type;
  textparse::Parser text{textparse::ParserOptions{.format = textparse::Format::kPrometheusText}};
  textparse::Parser openmetrics{textparse::ParserOptions{.format = textparse::Format::kOpenMetrics}};
  struct Meta {
    std::string_view name;
    textparse::Entry kind;
    std::string_view text;
    textparse::MetricType type;
  };
  std::vector<Meta> meta;
  std::vector<std::string_view> names;
};

// What one append pass did (Prometheus scrapeLoop.append's return values).
struct AppendStats {
  uint64_t total = 0;         // samples in the body
  uint64_t added = 0;         // samples left after metric relabeling
  uint64_t series_added = 0;  // series new to the cache
  uint64_t out_of_order = 0;  // per-sample rejections (OutOfRange)
  uint64_t duplicates = 0;    // per-sample rejections (AlreadyExists)
  absl::Status status;        // fails the whole scrape
};

// Thread-compatible: the manager never runs one loop on two workers at once.
class ScrapeLoop {
 public:
  // All pointers are borrowed and outlive the loop, except the owned scraper.
  ScrapeLoop(std::shared_ptr<const ScrapeConfig> cfg, std::shared_ptr<Target> target,
             std::unique_ptr<Scraper> scraper, storage::Appendable* appendable, base::Clock* clock);

  // One full scrape starting now: fetch, append (or stale markers on
  // failure), report series, commit, target state.
  void ScrapeAndReport(ScrapeScratch* scratch);

  // Parses `body` and appends its samples at default time t_ms, then writes
  // staleness markers for series that vanished (only when the pass
  // succeeded). An empty body is how a failed scrape marks everything
  // stale. Exposed for tests and benchmarks.
  AppendStats Append(storage::Appender* app, std::string_view body, std::string_view content_type,
                     int64_t t_ms, ScrapeScratch* scratch);

  // The target went away: stale markers for all its series and its report
  // series at t (Prometheus endOfRunStaleness).
  void WriteEndOfRunStaleness(absl::Time t);

  const std::shared_ptr<Target>& target() const { return target_; }
  const std::shared_ptr<const ScrapeConfig>& config() const { return cfg_; }
  const ScrapeCache& cache() const { return cache_; }
  absl::Time last_scrape() const { return last_scrape_; }

 private:
  // Cache miss: labels from the parser, target labels, metric relabeling,
  // validity and limits. Returns an empty Labels when relabeling drops it.
  absl::StatusOr<storage::Labels> SampleLabels(textparse::Parser* p, ScrapeScratch* scratch);
  void Report(storage::Appender* app, int64_t t_ms, absl::Duration took, const AppendStats& s, bool up);
  void ReportStale(storage::Appender* app, int64_t t_ms);
  void UpdateMetadata(ScrapeScratch* scratch);

  const std::shared_ptr<const ScrapeConfig> cfg_;
  const std::shared_ptr<Target> target_;
  const std::unique_ptr<Scraper> scraper_;
  storage::Appendable* const appendable_;
  base::Clock* const clock_;

  ScrapeCache cache_;
  // The cache's scrape order was learnt from a 0.0.4 body, so its keys are
  // valid Parser::ExpectSeries() hints for the 0.0.4 parser.
  bool order_from_text_ = false;
  std::array<storage::SeriesRef, 5> report_refs_{};
  std::array<storage::Labels, 5> report_labels_;
  uint64_t meta_hash_ = 0;
  absl::Time last_scrape_ = absl::InfinitePast();
};

// Prometheus mutateSampleLabels without relabeling: adds the target's
// labels to a sample's; with honor_labels the sample's win, otherwise the
// target's win and clashing sample labels become exported_<name>.
void MergeTargetLabels(const storage::Labels& target, bool honor_labels, storage::LabelsBuilder* lb);

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_LOOP_SCRAPE_LOOP_H_
