// Pull parser for the Prometheus text exposition format 0.0.4 and
// OpenMetrics 1.0 text, over one contiguous body. It hands out views into
// the body (or into the parser's own reusable scratch space) that stay valid
// until the next call to Next() or Reset(); after warm-up it allocates
// nothing per sample.
//
// Two strictnesses:
//   Strictness::kScrape  accepts exactly what the Prometheus server accepts
//                        when scraping (model/textparse/promparse.go and
//                        openmetricsparse.go): no cross-line checks, lenient
//                        whitespace and escapes in 0.0.4, and so on.
//   Strictness::kStrict  the format specifications to the letter: expfmt
//                        (prometheus/common) for 0.0.4, the full OpenMetrics
//                        1.0 rules (families, suffixes, bucket order, # EOF).
//
// Scrape loop usage (views die at the next Next()):
//
//   ASSIGN_OR_RETURN(Format f, FormatFromContentType(content_type));
//   Parser p(ParserOptions{.format = f});   // one per worker, reused
//   p.Reset(body);                          // body outlives the loop
//   for (;;) {
//     switch (p.Next()) {
//       case Entry::kSeries: {
//         std::string_view key = p.series();  // raw `name{...}` bytes
//         if (auto* ref = cache.Find(key)) { app->Append(*ref, ts, p.value()); break; }
//         std::span<const storage::Label> ls = p.labels();  // decoded lazily
//         ... p.metric_name(), ls, p.has_timestamp() ? p.timestamp_ms() : now ...
//         break;
//       }
//       case Entry::kHelp: use(p.metadata_name(), p.help()); break;
//       case Entry::kType: use(p.metadata_name(), p.type()); break;
//       case Entry::kUnit: use(p.metadata_name(), p.unit()); break;
//       case Entry::kComment: break;
//       case Entry::kEof: return absl::OkStatus();
//       case Entry::kError: return p.status();  // "line 3, column 14: ..."
//     }
//   }
//
// Thread-compatible: one Parser per thread.
#ifndef PROMLET_SCRAPE_TEXTPARSE_PARSER_H_
#define PROMLET_SCRAPE_TEXTPARSE_PARSER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/api/labels.h"

namespace promlet::scrape::textparse {

enum class Format {
  kPrometheusText,  // text/plain; version=0.0.4
  kOpenMetrics,     // application/openmetrics-text; version=1.0.0
};

// Picks the parser like Prometheus's textparse.New/extractMediaType: the
// media type (parameters ignored, case-insensitive) "text/plain" selects
// 0.0.4 and "application/openmetrics-text" OpenMetrics. A blank, malformed or
// unsupported Content-Type uses `fallback` when given, else InvalidArgument.
// "application/vnd.google.protobuf" is Unimplemented (never requested by
// promlet's Accept header).
absl::StatusOr<Format> FormatFromContentType(std::string_view content_type,
                                             std::optional<Format> fallback = std::nullopt);

// The Accept header the scraper should send (OpenMetrics first, then 0.0.4).
std::string_view ScrapeAcceptHeader();

enum class Strictness { kScrape, kStrict };

enum class Entry { kSeries, kHelp, kType, kUnit, kComment, kEof, kError };

enum class MetricType {
  kUnknown,  // "untyped" in 0.0.4, "unknown" in OpenMetrics, or no TYPE
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
};
// "counter", "gauge", ..., "unknown".
std::string_view MetricTypeName(MetricType t);

struct ParserOptions {
  Format format = Format::kPrometheusText;
  Strictness strictness = Strictness::kScrape;
  // Prometheus 3.x: in a histogram family's `le` and a summary family's
  // `quantile` label, rewrite a float value into canonical OpenMetrics form
  // (le="1" -> "1.0", "1e6" -> "1e+06"; "+Inf" stays) in labels(). series()
  // is never rewritten.
  bool normalize_le_quantile = true;
  // OpenMetrics only: skip `<name>_created` samples of counter, histogram and
  // summary families instead of returning them (Prometheus's
  // OpenMetricsSkipSTSeries; off by default as in Prometheus).
  bool skip_created_series = false;
  // Scrape strictness: sample lines in the common shape go through a SIMD
  // fast path (fast_series.h). It accepts and returns exactly what the
  // general code does; false forces the general code (tests, fuzzing).
  bool fast_path = true;
};

// Canonical OpenMetrics spelling of a float as Prometheus's
// labels.FormatOpenMetricsFloat: Go 'g' shortest, ".0" appended when there is
// neither '.' nor 'e'. Appends to *dst (no allocation once capacity suffices).
void AppendOpenMetricsFloat(double v, std::string* dst);
// Parses a float the way Prometheus does (Go ParseFloat without hex, '_',
// 'p'): "1", "-3e3", ".5", "NaN", "+Inf", "inf". False on anything else,
// including overflow.
bool ParsePromFloat(std::string_view s, double* out);

struct Exemplar {
  std::span<const storage::Label> labels;  // decoded, in written order
  double value = 0;
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;
};

namespace internal {
class FamilyValidator;

// One label as written in the body, quotes stripped (decoded lazily).
struct RawLabel {
  std::string_view name;
  std::string_view value;
  bool name_escaped;  // holds a backslash
  bool value_escaped;
};

using FastSeriesFn = const char* (*)(const char* line, const char* end, RawLabel* out,
                                     size_t capacity, size_t* count, const char** name_end);
}  // namespace internal

class Parser {
 public:
  explicit Parser(ParserOptions options = {});
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Starts over on `body`, which must outlive every view handed out. Keeps
  // all buffer capacity.
  void Reset(std::string_view body);

  // Advances to the next entry. After kEof or kError it keeps returning the
  // same. Blank lines (0.0.4) are skipped silently.
  Entry Next();

  // OK until Next() returned kError; then InvalidArgument with a message
  // such as `line 3, column 14: expected label value, got "1"`.
  const absl::Status& status() const { return status_; }

  // Scrape-cache hint (Prometheus text 0.0.4 in scrape mode; ignored
  // otherwise): the series the caller expects on the next sample line. It
  // must be a series() that a Parser with the same options returned before
  // (the scrape cache's previous-scrape order) and stay valid until Next()
  // returns; empty means no hint. When the next sample line starts with
  // exactly these bytes and they end its series, the parser reads only the
  // value and timestamp (no tokenising of the series); every accessor still
  // returns what the full parse gives, metric_name() and labels() decoded on
  // first use. Anything unusual takes the full parse.
  void ExpectSeries(std::string_view key) { expected_ = key; }
  // The last kSeries entry matched the ExpectSeries() hint.
  bool matched_expected() const { return matched_expected_; }

  // --- valid after kSeries ---
  // The raw bytes of the metric name and label set exactly as written
  // (`up{job="a"}`), the scrape-cache key. Excludes value and timestamp.
  std::string_view series() const { return series_; }
  // Decoded metric name (quoted UTF-8 names are unquoted and unescaped).
  std::string_view metric_name() const {
    if (series_pending_) DecodePendingSeries();
    return metric_name_;
  }
  double value() const { return value_; }
  bool has_timestamp() const { return has_timestamp_; }
  // 0.0.4: the integer as written. OpenMetrics: float seconds * 1000,
  // truncated toward zero like Prometheus.
  int64_t timestamp_ms() const { return timestamp_ms_; }
  // The labels without __name__, in written order, values unescaped and
  // (option) le/quantile-normalised. Decoded on first call per sample into
  // parser-owned scratch space; no allocation in steady state. Empty values
  // are included (storage drops them).
  std::span<const storage::Label> labels();
  // Clears *b and fills it with __name__ and labels(). (LabelsBuilder itself
  // copies into std::strings; use labels() on the hot path.)
  void LabelsTo(storage::LabelsBuilder* b);
  // The metric family the sample belongs to, by the most recent TYPE (name
  // with a suffix valid for that type), else the metric name itself.
  // Resolved on first use per sample.
  std::string_view family_name() const {
    if (series_pending_) DecodePendingSeries();
    if (!family_resolved_) ResolveFamily();
    return family_name_;
  }
  MetricType family_type() const {
    if (series_pending_) DecodePendingSeries();
    if (!family_resolved_) ResolveFamily();
    return family_type_;
  }
  // OpenMetrics exemplar (`# {trace_id="x"} 1 123.4`) of this sample.
  bool has_exemplar() const { return has_exemplar_; }
  const Exemplar& exemplar();

  // --- valid after kHelp/kType/kUnit ---
  std::string_view metadata_name() const { return meta_name_; }
  // Unescaped HELP text (`\\`, `\n`; plus `\"` in OpenMetrics).
  std::string_view help();
  MetricType type() const { return meta_type_; }
  std::string_view unit() const { return meta_text_; }
  // --- valid after kComment: the whole line, '#' included ---
  std::string_view comment() const { return meta_text_; }

  const ParserOptions& options() const { return options_; }

 private:
  using RawLabel = internal::RawLabel;

  Entry Fail(const char* at, std::string_view expected);
  // `prefix` and the token [b, e) quoted (Go %q when go_quote); cold.
  [[gnu::noinline, gnu::cold]] Entry FailToken(const char* at, const char* prefix, const char* b,
                                               const char* e, bool go_quote);
  Entry FailMsg(const char* at, std::string message);
  Entry ParseText();
  Entry ParseOpenMetrics();
  Entry TextComment(const char* line);
  Entry TextSample(const char* line);
  // The sample line at `line` through the ExpectSeries() hint: true (a
  // sample emitted) when it matched and its value parsed, else false with
  // nothing changed.
  [[gnu::always_inline]] inline bool TextExpected(const char* line);
  // A hint-matched sample's metric name and labels, parsed from series_ on
  // first use. The series parse is pure in its bytes, so mutating the
  // lazily-filled fields behind const is safe (a Parser is never const
  // while it parses).
  void DecodePendingSeries() const;
  const char* TextSeries(const char* line);
  [[gnu::always_inline]] inline Entry TextValue(const char* line, const char* p);
  Entry OmComment(const char* line);
  Entry OmSample(const char* line);
  const char* OmSeries(const char* line);
  bool TextLabels(const char*& p);
  bool OmLabels(const char*& p, std::vector<RawLabel>* out, bool exemplar);
  bool CheckLabelSet(const char* at, std::span<const RawLabel> ls);
  // The series of a sample line through the fast path (fast_series.h):
  // sets metric_name_, series_ and sample_labels_ (free of duplicate names)
  // and returns the byte after the series; null (nothing set) when the
  // general code must parse the line.
  const char* FastSeries(const char* line) {
    if (fast_series_ == nullptr) return nullptr;
    size_t n;
    const char* name_end;
    const char* p = fast_series_(line, end_, fast_labels_.data(), kFastLabels, &n, &name_end);
    if (p == nullptr) return nullptr;
    metric_name_ = std::string_view(line, name_end - line);
    series_ = std::string_view(line, p - line);
    sample_labels_ = std::span<const RawLabel>(fast_labels_.data(), n);
    return p;
  }
  void ResolveFamily() const;
  void DecodeLabels(std::span<const RawLabel> raw, bool normalise,
                    std::vector<storage::Label>* out, std::string* scratch);
  // A sample is complete: NaN normalised, family resolution reset.
  Entry EmitSample() {
    if (value_ != value_) NormaliseNaN();  // NaN
    family_resolved_ = false;
    return Entry::kSeries;
  }
  void NormaliseNaN();

  friend class internal::FamilyValidator;

  ParserOptions options_;
  std::unique_ptr<internal::FamilyValidator> validator_;  // strict mode only

  const char* begin_ = nullptr;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  absl::Status status_;
  bool done_ = false;

  // Current sample.
  std::string_view series_;
  std::string_view metric_name_;
  mutable bool family_resolved_ = false;
  mutable std::string_view family_name_;
  mutable MetricType family_type_ = MetricType::kUnknown;
  double value_ = 0;
  int64_t timestamp_ms_ = 0;
  double ts_seconds_ = 0;  // OpenMetrics timestamp as written
  bool has_timestamp_ = false;
  bool labels_decoded_ = false;
  // ExpectSeries() hint, whether the sample matched it, and whether its
  // metric name and labels are still to be parsed from series_.
  std::string_view expected_;
  bool matched_expected_ = false;
  mutable bool series_pending_ = false;
  // The sample's labels as written: raw_labels_ (general code) or
  // fast_labels_ (fast path).
  std::span<const RawLabel> sample_labels_;
  std::vector<RawLabel> raw_labels_;
  static constexpr size_t kFastLabels = 64;  // more labels: general code
  std::vector<RawLabel> fast_labels_;        // kFastLabels long
  internal::FastSeriesFn fast_series_ = nullptr;  // null: general code only
  std::vector<storage::Label> labels_;
  std::string label_scratch_;
  std::string name_scratch_;

  bool has_exemplar_ = false;
  bool exemplar_decoded_ = false;
  std::string_view exemplar_text_;  // `{...} value [ts]`
  std::vector<RawLabel> raw_exemplar_labels_;
  std::vector<storage::Label> exemplar_labels_;
  std::string exemplar_scratch_;
  Exemplar exemplar_;

  // Current metadata / comment, and the last TYPE seen (for family_name()).
  std::string_view meta_name_;
  std::string_view meta_text_;
  MetricType meta_type_ = MetricType::kUnknown;
  bool help_escaped_ = false;
  std::string help_scratch_;
  std::string_view type_name_;
  MetricType type_type_ = MetricType::kUnknown;
};

}  // namespace promlet::scrape::textparse

#endif  // PROMLET_SCRAPE_TEXTPARSE_PARSER_H_
