// `promlet serve` (also what bare `promlet` runs): the server, with
// Prometheus's flag names.
#include "CLI/CLI.hpp"
#include "tools/commands.h"
#include "tools/server/serve_options.h"

namespace promlet::tools {
namespace {

void AddServeFlags(CLI::App* app, ServeOptions* o) {
  app->add_option("--config.file", o->config_file,
                  "Prometheus configuration file (default: scrape promlet itself every 15s)");
  app->add_option("--storage.tsdb.path", o->tsdb_path, "Base path for metrics storage")
      ->capture_default_str();
  app->add_option("--web.listen-address", o->listen_address, "Address to listen on for UI and API")
      ->capture_default_str();
  app->add_option("--storage.tsdb.retention.time", o->retention_time,
                  "How long to retain samples in storage")
      ->capture_default_str();
  app->add_option("--storage.tsdb.retention.size", o->retention_size,
                  "Maximum bytes of blocks to retain, e.g. 512MB (0: no limit)")
      ->capture_default_str();
  app->add_flag("--web.enable-lifecycle", o->enable_lifecycle,
                "Enable shutdown and reload via HTTP request");
  app->add_flag("--web.enable-admin-api", o->enable_admin_api, "Enable API endpoints for admin control actions");
  app->add_option("--web.config.file", o->web_config_file,
                  "Path to configuration file that can enable TLS or authentication");
  app->add_option("--query.lookback-delta", o->lookback_delta,
                  "The maximum lookback duration for retrieving metrics during expression evaluations")
      ->capture_default_str();
  app->add_option("--query.timeout", o->query_timeout, "Maximum time a query may take before being aborted")
      ->capture_default_str();
  app->add_option("--query.max-samples", o->max_samples,
                  "Maximum number of samples a single query can load into memory")
      ->capture_default_str();
  app->add_option("--log.level", o->log_level, "Only log messages with the given severity or above")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  app->add_option("--log.format", o->log_format, "Output format of log messages")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
  app->add_option("--discovery.dns-server", o->dns_server,
                  "HOST:PORT of the DNS server for dns_sd_configs (default: the system resolver)");
}

}  // namespace

void RegisterServeCommand(CLI::App* app, CommandAction* action) {
  // Bare `promlet --flags` and `promlet serve --flags` both work, like
  // Prometheus's single command; each gets its own copy of the flags.
  static ServeOptions top_level;
  static ServeOptions sub;
  AddServeFlags(app, &top_level);
  default_action = [] { return RunServer(top_level); };
  CLI::App* cmd = app->add_subcommand("serve", "Run the server (the default)");
  AddServeFlags(cmd, &sub);
  cmd->callback([action] { *action = [] { return RunServer(sub); }; });
}

}  // namespace promlet::tools
