#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {

absl::StatusOr<Format> FormatFromContentType(std::string_view content_type,
                                             std::optional<Format> fallback) {
  if (content_type.starts_with("application/openmetrics-text")) return Format::kOpenMetrics;
  if (content_type.starts_with("text/plain")) return Format::kPrometheusText;
  if (fallback) return *fallback;
  return absl::InvalidArgumentError("unsupported Content-Type");
}

std::string_view ScrapeAcceptHeader() {
  return "application/openmetrics-text;version=1.0.0;q=0.5,"
         "text/plain;version=0.0.4;q=0.4,*/*;q=0.1";
}

std::string_view MetricTypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
    case MetricType::kUnknown: break;
  }
  return "unknown";
}

}  // namespace promlet::scrape::textparse
