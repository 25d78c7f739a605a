#include "tools/server/status_api.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "query/api/json_writer.h"
#include "query/parser/parser.h"
#include "scrape/config/duration.h"
#include "tools/version.h"

namespace promlet::tools {
namespace {

using query::JsonWriter;

// Writes {"status":"success","data":<body(w)>}.
template <typename F>
void Success(httplib::Response& res, F&& body) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("status");
  w.String("success");
  w.Key("data");
  body(w);
  w.EndObject();
  res.set_content(out, "application/json");
}

void Error(httplib::Response& res, int http_status, const char* type, std::string_view msg) {
  WriteApiError(res, http_status, type, msg);
}

void WriteLabels(JsonWriter& w, const storage::Labels& labels) {
  w.BeginObject();
  for (storage::Label l : labels) {
    w.Key(l.name);
    w.String(l.value);
  }
  w.EndObject();
}

void WriteNumber(JsonWriter& w, double v) {
  std::string s;
  AppendMetricValue(&s, v);
  w.Raw(s);
}

// Prometheus returns 0 for "no limit"; negative is bad_data.
bool ParseLimit(const httplib::Request& req, httplib::Response& res, size_t* limit) {
  *limit = SIZE_MAX;
  if (!req.has_param("limit")) return true;
  int64_t n;
  if (!absl::SimpleAtoi(req.get_param_value("limit"), &n) || n < 0) {
    Error(res, 400, "bad_data", "limit must be a non-negative integer");
    return false;
  }
  if (n > 0) *limit = static_cast<size_t>(n);
  return true;
}

void HandleTargets(ServerContext* ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string state = req.has_param("state") ? req.get_param_value("state") : "any";
  const std::string pool = req.get_param_value("scrapePool");
  const bool active = state == "any" || state == "active" || state.empty();
  const bool dropped = state == "any" || state == "dropped" || state.empty();
  Success(res, [&](JsonWriter& w) {
    w.BeginObject();
    w.Key("activeTargets");
    w.BeginArray();
    if (active) {
      for (const scrape::TargetSnapshot& t : ctx->scraper->ActiveTargets()) {
        if (!pool.empty() && t.job != pool) continue;
        w.BeginObject();
        w.Key("discoveredLabels");
        WriteLabels(w, t.discovered_labels);
        w.Key("labels");
        WriteLabels(w, t.labels);
        w.Key("scrapePool");
        w.String(t.job);
        w.Key("scrapeUrl");
        w.String(t.scrape_url);
        w.Key("globalUrl");
        w.String(t.scrape_url);
        w.Key("lastError");
        w.String(t.last_error);
        w.Key("lastScrape");
        w.String(FormatRfc3339Nano(t.last_scrape));
        w.Key("lastScrapeDuration");
        WriteNumber(w, absl::ToDoubleSeconds(t.last_scrape_duration));
        w.Key("health");
        w.String(scrape::TargetHealthName(t.health));
        w.Key("scrapeInterval");
        w.String(scrape::FormatPromDuration(t.scrape_interval));
        w.Key("scrapeTimeout");
        w.String(scrape::FormatPromDuration(t.scrape_timeout));
        w.EndObject();
      }
    }
    w.EndArray();
    w.Key("droppedTargets");
    w.BeginArray();
    std::map<std::string, uint64_t> dropped_counts;
    for (const scrape::DroppedTarget& t : ctx->scraper->DroppedTargets()) {
      if (!pool.empty() && t.job != pool) continue;
      ++dropped_counts[t.job];
      if (!dropped) continue;
      w.BeginObject();
      w.Key("discoveredLabels");
      WriteLabels(w, t.discovered_labels);
      w.EndObject();
    }
    w.EndArray();
    w.Key("droppedTargetCounts");
    w.BeginObject();
    for (const auto& [job, n] : dropped_counts) {
      w.Key(job);
      w.Raw(std::to_string(n));
    }
    w.EndObject();
    w.EndObject();
  });
}

void HandleTargetsMetadata(ServerContext* ctx, const httplib::Request& req, httplib::Response& res) {
  size_t limit;
  if (!ParseLimit(req, res, &limit)) return;
  storage::Matchers match_target;
  if (req.has_param("match_target")) {
    auto m = query::ParseMetricSelector(req.get_param_value("match_target"));
    if (!m.ok()) {
      Error(res, 400, "bad_data", std::string(m.status().message()));
      return;
    }
    match_target = *std::move(m);
  }
  const std::string metric = req.get_param_value("metric");
  Success(res, [&](JsonWriter& w) {
    w.BeginArray();
    size_t n = 0;
    for (const scrape::TargetMetadata& md : ctx->scraper->Metadata(metric)) {
      if (!storage::MatchesAll(match_target, md.target)) continue;
      if (n++ >= limit) break;
      w.BeginObject();
      w.Key("target");
      WriteLabels(w, md.target);
      w.Key("metric");
      w.String(md.metric);
      w.Key("type");
      w.String(md.metadata.type);
      w.Key("help");
      w.String(md.metadata.help);
      w.Key("unit");
      w.String(md.metadata.unit);
      w.EndObject();
    }
    w.EndArray();
  });
}

void HandleMetadata(ServerContext* ctx, const httplib::Request& req, httplib::Response& res) {
  size_t limit, limit_per_metric = SIZE_MAX;
  if (!ParseLimit(req, res, &limit)) return;
  if (req.has_param("limit_per_metric")) {
    int64_t n;
    if (!absl::SimpleAtoi(req.get_param_value("limit_per_metric"), &n) || n < 0) {
      Error(res, 400, "bad_data", "limit_per_metric must be a non-negative integer");
      return;
    }
    if (n > 0) limit_per_metric = static_cast<size_t>(n);
  }
  // metric -> distinct metadata, in first-seen order like Prometheus.
  std::map<std::string, std::vector<scrape::MetricMetadata>> by_metric;
  for (const scrape::TargetMetadata& md : ctx->scraper->Metadata(req.get_param_value("metric"))) {
    auto& v = by_metric[md.metric];
    if (std::find(v.begin(), v.end(), md.metadata) == v.end()) v.push_back(md.metadata);
  }
  Success(res, [&](JsonWriter& w) {
    w.BeginObject();
    size_t n = 0;
    for (const auto& [metric, mds] : by_metric) {
      if (n++ >= limit) break;
      w.Key(metric);
      w.BeginArray();
      size_t k = 0;
      for (const auto& md : mds) {
        if (k++ >= limit_per_metric) break;
        w.BeginObject();
        w.Key("type");
        w.String(md.type);
        w.Key("help");
        w.String(md.help);
        w.Key("unit");
        w.String(md.unit);
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  });
}

void WriteEntries(JsonWriter& w, std::string_view key,
                  const std::vector<storage::index::CardinalityStats::Entry>& entries) {
  w.Key(key);
  w.BeginArray();
  for (const auto& e : entries) {
    w.BeginObject();
    w.Key("name");
    w.String(e.name);
    w.Key("value");
    w.Raw(std::to_string(e.value));
    w.EndObject();
  }
  w.EndArray();
}

void HandleTsdbStatus(ServerContext* ctx, const httplib::Request& req, httplib::Response& res) {
  size_t limit = 10;
  if (req.has_param("limit")) {
    int64_t n;
    if (!absl::SimpleAtoi(req.get_param_value("limit"), &n) || n <= 0) {
      Error(res, 400, "bad_data", "limit must be a positive number");
      return;
    }
    limit = static_cast<size_t>(n);
  }
  storage::index::CardinalityStats card = ctx->db->HeadCardinality(limit);
  storage::db::DBStats stats = ctx->db->Stats();
  Success(res, [&](JsonWriter& w) {
    w.BeginObject();
    w.Key("headStats");
    w.BeginObject();
    w.Key("numSeries");
    w.Raw(std::to_string(stats.head.num_series));
    w.Key("numLabelPairs");
    w.Raw(std::to_string(card.num_label_pairs));
    w.Key("chunkCount");
    w.Raw(std::to_string(stats.head.chunks_cut + stats.head.num_series));
    w.Key("minTime");
    w.Raw(std::to_string(stats.head.min_t));
    w.Key("maxTime");
    w.Raw(std::to_string(stats.head.max_t));
    w.EndObject();
    WriteEntries(w, "seriesCountByMetricName", card.series_count_by_metric_name);
    WriteEntries(w, "labelValueCountByLabelName", card.label_value_count_by_label_name);
    WriteEntries(w, "memoryInBytesByLabelName", card.memory_in_bytes_by_label_name);
    WriteEntries(w, "seriesCountByLabelValuePair", card.series_count_by_label_value_pair);
    w.EndObject();
  });
}

void HandleRuntimeInfo(ServerContext* ctx, const httplib::Request&, httplib::Response& res) {
  std::error_code ec;
  const std::string cwd = std::filesystem::current_path(ec).string();
  absl::Time last_config;
  {
    absl::MutexLock lock(&ctx->mu);
    last_config = ctx->last_config_time;
  }
  storage::db::DBStats stats = ctx->db->Stats();
  Success(res, [&](JsonWriter& w) {
    w.BeginObject();
    w.Key("startTime");
    w.String(FormatRfc3339Nano(ctx->start_time));
    w.Key("CWD");
    w.String(cwd);
    w.Key("reloadConfigSuccess");
    w.Raw(ctx->scraper->last_reload_successful() ? "true" : "false");
    w.Key("lastConfigTime");
    w.String(FormatRfc3339Nano(last_config));
    w.Key("corruptionCount");
    w.Raw(std::to_string(stats.replay.corruptions));
    w.Key("goroutineCount");
    w.Raw(std::to_string(std::filesystem::exists("/proc/self/task")
                             ? std::distance(std::filesystem::directory_iterator("/proc/self/task", ec),
                                             std::filesystem::directory_iterator())
                             : 0));
    w.Key("GOMAXPROCS");
    w.Raw(std::to_string(std::thread::hardware_concurrency()));
    w.Key("GOMEMLIMIT");
    w.Raw("0");
    w.Key("GOGC");
    w.String("");
    w.Key("GODEBUG");
    w.String("");
    w.Key("storageRetention");
    std::string retention = ctx->options.retention_time;
    if (ctx->options.retention_size != "0") absl::StrAppend(&retention, " or ", ctx->options.retention_size);
    w.String(retention);
    w.EndObject();
  });
}

}  // namespace

void WriteApiError(httplib::Response& res, int http_status, const char* error_type,
                   std::string_view message) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("status");
  w.String("error");
  w.Key("errorType");
  w.String(error_type);
  w.Key("error");
  w.String(message);
  w.EndObject();
  res.status = http_status;
  res.set_content(out, "application/json");
}

std::string FormatRfc3339Nano(absl::Time t) {
  if (t == absl::InfinitePast()) return "0001-01-01T00:00:00Z";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

void RegisterStatusApi(httplib::Server* server, ServerContext* ctx) {
  server->Get("/api/v1/targets", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleTargets(ctx, req, res);
  });
  server->Get("/api/v1/targets/metadata", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleTargetsMetadata(ctx, req, res);
  });
  server->Get("/api/v1/metadata", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleMetadata(ctx, req, res);
  });
  server->Get("/api/v1/status/tsdb", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleTsdbStatus(ctx, req, res);
  });
  server->Get("/api/v1/status/runtimeinfo", [ctx](const httplib::Request& req, httplib::Response& res) {
    HandleRuntimeInfo(ctx, req, res);
  });
  server->Get("/api/v1/status/config", [ctx](const httplib::Request&, httplib::Response& res) {
    std::string yaml;
    {
      absl::MutexLock lock(&ctx->mu);
      yaml = ctx->config_yaml;
    }
    Success(res, [&](JsonWriter& w) {
      w.BeginObject();
      w.Key("yaml");
      w.String(yaml);
      w.EndObject();
    });
  });
  server->Get("/api/v1/status/flags", [ctx](const httplib::Request&, httplib::Response& res) {
    Success(res, [&](JsonWriter& w) {
      w.BeginObject();
      for (const auto& [k, v] : ctx->options.AsFlags()) {
        w.Key(k);
        w.String(v);
      }
      w.EndObject();
    });
  });
  server->Get("/api/v1/status/buildinfo", [](const httplib::Request&, httplib::Response& res) {
    Success(res, [&](JsonWriter& w) {
      w.BeginObject();
      for (const auto& [k, v] : std::vector<std::pair<const char*, std::string>>{
               {"version", kVersion}, {"revision", "unknown"}, {"branch", "main"},
               {"buildUser", ""}, {"buildDate", __DATE__}, {"goVersion", "c++20 (g++ " __VERSION__ ")"}}) {
        w.Key(k);
        w.String(v);
      }
      w.EndObject();
    });
  });
  server->Get("/metrics", [ctx](const httplib::Request&, httplib::Response& res) {
    res.set_content(ctx->registry->Render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace promlet::tools
