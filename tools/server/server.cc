// RunServer: opens the DB, starts the scraper and the HTTP server, and runs
// until SIGTERM/SIGINT or /-/quit; SIGHUP and /-/reload reload the config.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/env.h"
#include "base/status_macros.h"
#include "base/logging.h"
#include "httplib.h"
#include "query/api/http_api.h"
#include "scrape/config/config.h"
#include "scrape/config/duration.h"
#include "tools/server/self_metrics.h"
#include "tools/server/server_context.h"
#include "tools/server/signals.h"
#include "tools/server/status_api.h"
#include "tools/server/web_server.h"
#include "tools/version.h"

namespace promlet::tools {
namespace {

// Reads the config (or builds the default) and parses it.
absl::StatusOr<scrape::Config> LoadConfig(const ServeOptions& o, std::string* yaml) {
  if (o.config_file.empty()) {
    *yaml = DefaultConfigYaml(o.listen_address);
    return scrape::ParseConfig(*yaml, "<embedded default>");
  }
  std::ifstream in(o.config_file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", o.config_file));
  std::stringstream ss;
  ss << in.rdbuf();
  *yaml = ss.str();
  return scrape::ParseConfig(*yaml, o.config_file);
}

absl::StatusOr<int64_t> DurationMs(std::string_view flag, const std::string& value) {
  absl::StatusOr<absl::Duration> d = scrape::ParseDuration(value);
  if (!d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", base::Absl(flag), "=", value, ": ", d.status().message()));
  }
  return absl::ToInt64Milliseconds(*d);
}

int Fail(const absl::Status& s) {
  LOG_ERROR("error starting promlet", "err", s.message());
  return 1;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ServeOptions::AsFlags() const {
  return {{"config.file", config_file},
          {"storage.tsdb.path", tsdb_path},
          {"web.listen-address", listen_address},
          {"storage.tsdb.retention.time", retention_time},
          {"storage.tsdb.retention.size", retention_size},
          {"web.enable-lifecycle", enable_lifecycle ? "true" : "false"},
          {"web.enable-admin-api", enable_admin_api ? "true" : "false"},
          {"web.config.file", web_config_file},
          {"query.lookback-delta", lookback_delta},
          {"query.timeout", query_timeout},
          {"query.max-samples", std::to_string(max_samples)},
          {"log.level", log_level},
          {"log.format", log_format},
          {"discovery.dns-server", dns_server}};
}

std::string DefaultConfigYaml(const std::string& listen_address) {
  std::string target = listen_address;
  if (!target.empty() && target[0] == ':') target = "127.0.0.1" + target;
  if (target.rfind("0.0.0.0:", 0) == 0) target = "127.0.0.1" + target.substr(7);
  return absl::StrCat(
      "# promlet's embedded default: scrape promlet itself.\n"
      "global:\n"
      "  scrape_interval: 15s\n"
      "  evaluation_interval: 15s\n"
      "scrape_configs:\n"
      "  - job_name: promlet\n"
      "    static_configs:\n"
      "      - targets: ['",
      target, "']\n");
}

int RunServer(const ServeOptions& o) {
  BlockServerSignals();
  base::LogLevel level;
  if (!base::ParseLogLevel(o.log_level, &level)) return Fail(absl::InvalidArgumentError("bad --log.level"));
  base::SetLogLevel(level);
  base::SetLogFormat(o.log_format == "json" ? base::LogFormat::kJson : base::LogFormat::kLogfmt);

  ServerContext ctx;
  ctx.options = o;
  ctx.start_time = absl::Now();
  LOG_INFO("starting promlet", "version", kVersion, "storage", o.tsdb_path, "config",
           o.config_file.empty() ? "<embedded default>" : o.config_file);

  // Flags.
  storage::db::DBOptions db_options;
  query::ApiOptions api_options;
  {
    auto retention = DurationMs("storage.tsdb.retention.time", o.retention_time);
    if (!retention.ok()) return Fail(retention.status());
    db_options.retention_ms = *retention;
    auto size = scrape::ParseSize(o.retention_size);
    if (!size.ok()) return Fail(absl::InvalidArgumentError(
        absl::StrCat("--storage.tsdb.retention.size=", o.retention_size, ": ", size.status().message())));
    db_options.retention_bytes = static_cast<uint64_t>(*size);
    auto lookback = DurationMs("query.lookback-delta", o.lookback_delta);
    if (!lookback.ok()) return Fail(lookback.status());
    api_options.engine.lookback_delta_ms = *lookback;
    auto timeout = DurationMs("query.timeout", o.query_timeout);
    if (!timeout.ok()) return Fail(timeout.status());
    api_options.engine.timeout = absl::Milliseconds(*timeout);
    api_options.engine.max_samples = o.max_samples;
  }
  WebServerOptions web_options;
  web_options.listen_address = o.listen_address;
  if (!o.web_config_file.empty()) {
    auto wc = LoadWebConfig(o.web_config_file);
    if (!wc.ok()) return Fail(wc.status());
    web_options.web_config = *std::move(wc);
  }

  // The configuration: an invalid one at start-up is fatal, like Prometheus.
  std::string yaml;
  absl::StatusOr<scrape::Config> cfg = LoadConfig(o, &yaml);
  if (!cfg.ok()) return Fail(cfg.status());
  ctx.config_yaml = yaml;
  ctx.last_config_time = absl::Now();
  ctx.external_labels = cfg->global.external_labels;

  // Storage: replays the WAL (a torn tail is repaired, never fatal).
  absl::Time open_start = absl::Now();
  auto db = storage::db::DB::Open(base::Env::Default(), o.tsdb_path, db_options);
  if (!db.ok()) return Fail(db.status());
  ctx.db = db->get();
  LOG_INFO("TSDB started", "duration", absl::FormatDuration(absl::Now() - open_start));

  // Scraper.
  scrape::ScrapeManagerOptions scrape_options;
  scrape_options.appendable = db->get();
  scrape_options.dns_server = o.dns_server;
  auto scraper = scrape::ScrapeManager::Create(scrape_options);
  if (!scraper.ok()) return Fail(scraper.status());
  ctx.scraper = scraper->get();
  if (absl::Status s = (*scraper)->ApplyConfig(*cfg); !s.ok()) return Fail(s);

  // HTTP.
  HttpMetrics http_metrics;
  MetricsRegistry registry;
  ctx.registry = &registry;
  // cpp-httplib's worker pool bounds how many queries run at once.
  EngineMetrics engine_metrics(static_cast<int>(CPPHTTPLIB_THREAD_POOL_COUNT));
  api_options.observer = &engine_metrics;
  RegisterSelfMetrics(&registry, &ctx, &http_metrics, &engine_metrics);
  auto web = WebServer::Create(web_options, &http_metrics);
  if (!web.ok()) return Fail(web.status());
  query::RegisterQueryApi(&(*web)->http(), db->get(), api_options);
  RegisterStatusApi(&(*web)->http(), &ctx);
  RegisterLifecycleApi(&(*web)->http(), &ctx);
  RegisterFederateApi(&(*web)->http(), &ctx);
  RegisterAdminApi(&(*web)->http(), &ctx);

  absl::Notification stop;
  absl::Mutex reload_mu;
  ctx.quit = [&stop] {
    if (!stop.HasBeenNotified()) stop.Notify();
  };
  ctx.reload = [&]() -> absl::Status {
    absl::MutexLock lock(&reload_mu);
    // The embedded default never changes; nothing to reload.
    if (o.config_file.empty()) return absl::OkStatus();
    // ReloadFile keeps the running config on error and records the outcome
    // for promlet_config_last_reload_successful.
    RETURN_IF_ERROR((*scraper)->ReloadFile(o.config_file));
    std::string new_yaml;
    absl::StatusOr<scrape::Config> next = LoadConfig(o, &new_yaml);
    if (!next.ok()) return next.status();
    absl::MutexLock ctx_lock(&ctx.mu);
    ctx.config_yaml = new_yaml;
    ctx.last_config_time = absl::Now();
    ctx.external_labels = next->global.external_labels;
    LOG_INFO("completed loading of configuration file", "filename", o.config_file);
    return absl::OkStatus();
  };
  SignalWaiter signals([&ctx] { LOG_WARN("received shutdown signal"); ctx.quit(); },
                       [&ctx] { ctx.reload().IgnoreError(); });
  signals.Start();

  if (absl::Status s = (*web)->Start(); !s.ok()) return Fail(s);
  ctx.ready.store(true, std::memory_order_release);
  LOG_INFO("server is ready to receive web requests", "address", o.listen_address, "port",
           (*web)->port(), "tls", (*web)->tls() ? "true" : "false");

  stop.WaitForNotification();
  ctx.ready.store(false, std::memory_order_release);
  LOG_INFO("stopping scrape manager");
  (*scraper)->Stop();
  LOG_INFO("stopping web server");
  (*web)->Stop();
  signals.Stop();
  LOG_INFO("closing storage (flushing the WAL)");
  if (absl::Status s = (*db)->Close(); !s.ok()) {
    LOG_ERROR("error closing storage", "err", s.message());
    return 1;
  }
  LOG_INFO("see you next time!");
  return 0;
}

}  // namespace promlet::tools
