// Structured, leveled logging to stderr in Prometheus's two formats
// (--log.format=logfmt|json). Thread-safe.
//
//   LOG_INFO("wal replay done", "segments", 12, "duration", "1.2s");
//   LOG_WARN("wal tail truncated", "segment", seg, "offset", off);
//
// Key/value pairs follow the message; values are anything absl::StrCat takes.
#ifndef PROMLET_BASE_LOGGING_H_
#define PROMLET_BASE_LOGGING_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace promlet::base {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

// Parses "debug"/"info"/"warn"/"error"; false if unknown.
bool ParseLogLevel(std::string_view s, LogLevel* level);
void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
bool LogEnabled(LogLevel level);

// Writes one record; `kvs` alternates keys and values.
void LogRecord(LogLevel level, std::string_view msg,
               const std::vector<std::pair<std::string, std::string>>& kvs);

namespace internal {
inline void CollectKv(std::vector<std::pair<std::string, std::string>>*) {}
template <typename K, typename V, typename... Rest>
void CollectKv(std::vector<std::pair<std::string, std::string>>* out,
               const K& k, const V& v, const Rest&... rest) {
  out->emplace_back(absl::StrCat(k), absl::StrCat(v));
  CollectKv(out, rest...);
}
}  // namespace internal

template <typename... KV>
void Log(LogLevel level, std::string_view msg, const KV&... kv) {
  static_assert(sizeof...(KV) % 2 == 0, "log fields come in key/value pairs");
  if (!LogEnabled(level)) return;
  std::vector<std::pair<std::string, std::string>> kvs;
  internal::CollectKv(&kvs, kv...);
  LogRecord(level, msg, kvs);
}

}  // namespace promlet::base

#define LOG_DEBUG(...) ::promlet::base::Log(::promlet::base::LogLevel::kDebug, __VA_ARGS__)
#define LOG_INFO(...) ::promlet::base::Log(::promlet::base::LogLevel::kInfo, __VA_ARGS__)
#define LOG_WARN(...) ::promlet::base::Log(::promlet::base::LogLevel::kWarn, __VA_ARGS__)
#define LOG_ERROR(...) ::promlet::base::Log(::promlet::base::LogLevel::kError, __VA_ARGS__)

#endif  // PROMLET_BASE_LOGGING_H_
