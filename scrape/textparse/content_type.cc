// Content-Type negotiation, as Prometheus's textparse.New/extractMediaType.
#include <cctype>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/strings.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::textparse {
namespace {

bool IsTokenChar(char c) {
  // RFC 2045 token: printable ASCII except tspecials.
  if (c <= ' ' || c >= 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Go mime.ParseMediaType, reduced to what decides success: a type/subtype
// of tokens and well-formed `; key=value` parameters. Returns the lower-cased
// media type or "" when malformed.
std::string ParseMediaType(std::string_view v) {
  size_t semi = v.find(';');
  std::string_view mt = Trim(v.substr(0, semi));
  size_t slash = mt.find('/');
  if (slash == std::string_view::npos || !IsToken(mt.substr(0, slash)) ||
      !IsToken(mt.substr(slash + 1))) {
    return "";
  }
  std::string out(mt);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = semi == std::string_view::npos ? "" : v.substr(semi + 1);
  while (!Trim(rest).empty()) {
    size_t next = rest.find(';');
    std::string_view param = Trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos || !IsToken(Trim(param.substr(0, eq)))) return "";
    std::string_view val = Trim(param.substr(eq + 1));
    if (val.size() >= 2 && val.front() == '"' && val.back() == '"') continue;
    if (!IsToken(val)) return "";
  }
  return out;
}

}  // namespace

absl::StatusOr<Format> FormatFromContentType(std::string_view content_type,
                                             std::optional<Format> fallback) {
  std::string_view why;
  std::string mt;
  if (Trim(content_type).empty()) {
    why = "blank Content-Type";
  } else {
    mt = ParseMediaType(content_type);
    if (mt == "application/openmetrics-text") return Format::kOpenMetrics;
    if (mt == "text/plain") return Format::kPrometheusText;
    if (mt == "application/vnd.google.protobuf" && !fallback) {
      return absl::UnimplementedError("protobuf exposition is not supported");
    }
    why = mt.empty() ? "cannot parse Content-Type" : "unsupported Content-Type";
  }
  if (fallback) return *fallback;
  return absl::InvalidArgumentError(absl::StrCat(base::Absl(why), " \"", base::Absl(content_type),
                                                 "\" and no fallback scrape protocol"));
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
