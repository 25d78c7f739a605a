// Prometheus's duration and size syntaxes for prometheus.yml.
//
//   ParseDuration("1m30s")  -> absl::Seconds(90)
//   FormatPromDuration(absl::Seconds(90)) -> "1m30s"   (model.Duration.String)
//   ParseSize("10MB")       -> 10 << 20            (units.Base2Bytes)
#ifndef PROMLET_SCRAPE_CONFIG_DURATION_H_
#define PROMLET_SCRAPE_CONFIG_DURATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace promlet::scrape {

// Accepts `[0-9]+(y|w|d|h|m|s|ms)` units in that order, or "0".
absl::StatusOr<absl::Duration> ParseDuration(std::string_view s);
// Prometheus model.Duration.String(): "0s", "15s", "1m30s", "500ms", "2w".
std::string FormatPromDuration(absl::Duration d);
// Base-2 byte sizes: "0", "512B", "1KB" (=1024), "10MiB", "1GB".
absl::StatusOr<int64_t> ParseSize(std::string_view s);

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_CONFIG_DURATION_H_
