#include "base/logging.h"

#include <atomic>
#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace promlet::base {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kLogfmt)};
absl::Mutex g_write_mu;

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

void AppendQuotedLogfmt(std::string* out, std::string_view v) {
  bool needs_quotes = v.empty();
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
      continue;
    }
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendJsonString(std::string* out, std::string_view v) {
  out->push_back('"');
  for (char c : v) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

bool ParseLogLevel(std::string_view s, LogLevel* level) {
  if (s == "debug") *level = LogLevel::kDebug;
  else if (s == "info") *level = LogLevel::kInfo;
  else if (s == "warn") *level = LogLevel::kWarn;
  else if (s == "error") *level = LogLevel::kError;
  else return false;
  return true;
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format), std::memory_order_relaxed); }
bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void LogRecord(LogLevel level, std::string_view msg,
               const std::vector<std::pair<std::string, std::string>>& kvs) {
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (static_cast<LogFormat>(g_format.load(std::memory_order_relaxed)) == LogFormat::kJson) {
    line = "{\"ts\":";
    AppendJsonString(&line, ts);
    line += ",\"level\":";
    AppendJsonString(&line, LevelName(level));
    line += ",\"msg\":";
    AppendJsonString(&line, msg);
    for (const auto& [k, v] : kvs) {
      line.push_back(',');
      AppendJsonString(&line, k);
      line.push_back(':');
      AppendJsonString(&line, v);
    }
    line += "}\n";
  } else {
    absl::StrAppend(&line, "ts=", ts, " level=", LevelName(level), " msg=");
    AppendQuotedLogfmt(&line, msg);
    for (const auto& [k, v] : kvs) {
      absl::StrAppend(&line, " ", k, "=");
      AppendQuotedLogfmt(&line, v);
    }
    line.push_back('\n');
  }
  absl::MutexLock lock(&g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace promlet::base
