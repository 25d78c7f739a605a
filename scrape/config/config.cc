#include "scrape/config/config.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "scrape/config/duration.h"
#include "scrape/config/yaml_fields.h"

namespace promlet::scrape {
namespace {

using internal::Fields;
using internal::YamlError;

// Real Prometheus fields promlet rejects with "not supported yet".
const std::vector<std::string_view> kUnsupportedScrape = {
    "oauth2", "proxy_url", "no_proxy", "proxy_from_environment", "proxy_connect_header",
    "enable_http2", "http_headers", "scrape_classic_histograms", "native_histogram_bucket_limit",
    "native_histogram_min_bucket_factor", "always_scrape_classic_histograms",
    "convert_classic_histograms_to_nhcb", "enable_compression", "track_timestamps_staleness",
    "keep_dropped_targets", "scrape_protocols", "fallback_scrape_protocol",
    "scrape_failure_log_file", "metric_name_validation_scheme", "metric_name_escaping_scheme",
    "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs",
    "dockerswarm_sd_configs", "ec2_sd_configs", "eureka_sd_configs", "gce_sd_configs",
    "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs", "kubernetes_sd_configs",
    "kuma_sd_configs", "lightsail_sd_configs", "linode_sd_configs", "marathon_sd_configs",
    "nerve_sd_configs", "nomad_sd_configs", "openstack_sd_configs", "ovhcloud_sd_configs",
    "puppetdb_sd_configs", "scaleway_sd_configs", "serverset_sd_configs", "triton_sd_configs",
    "uyuni_sd_configs", "vultr_sd_configs", "stackit_sd_configs"};

struct Ctx {
  std::string file;
  std::filesystem::path dir;  // for relative paths
  std::string Resolve(const std::string& p) const {
    if (p.empty() || dir.empty() || std::filesystem::path(p).is_absolute()) return p;
    return (dir / p).string();
  }
};

absl::Status ParseLabelSet(const YAML::Node& n, const Ctx& ctx, storage::Labels* out) {
  if (!n.IsDefined() || n.IsNull()) return absl::OkStatus();
  if (!n.IsMap()) return YamlError(ctx.file, n.Mark(), "labels must be a mapping");
  storage::LabelsBuilder b;
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string name = it->first.Scalar();
    if (!IsValidLabelName(name)) {
      return YamlError(ctx.file, it->first.Mark(), absl::StrCat("\"", name, "\" is not a valid label name"));
    }
    if (!it->second.IsScalar() && !it->second.IsNull()) {
      return YamlError(ctx.file, it->second.Mark(), "label values must be strings");
    }
    b.Set(name, it->second.IsNull() ? "" : it->second.Scalar());
  }
  *out = b.Build();
  return absl::OkStatus();
}

absl::Status ParseRelabelConfigs(const YAML::Node& list, const Ctx& ctx,
                                 std::vector<RelabelConfig>* out) {
  if (!list.IsDefined() || list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return YamlError(ctx.file, list.Mark(), "relabel configs must be a list");
  for (const YAML::Node& n : list) {
    Fields f(n, "relabel.Config", ctx.file);
    RelabelConfig rc;
    f.StringList("source_labels", &rc.source_labels);
    f.String("separator", &rc.separator);
    f.String("regex", &rc.regex_text);
    f.Uint("modulus", &rc.modulus);
    f.String("target_label", &rc.target_label);
    f.String("replacement", &rc.replacement);
    std::string action = "replace";
    f.String("action", &action);
    RETURN_IF_ERROR(f.Finish());
    action = absl::AsciiStrToLower(action);
    bool found = false;
    for (int a = 0; a <= static_cast<int>(RelabelAction::kUppercase); ++a) {
      if (RelabelActionName(static_cast<RelabelAction>(a)) == action) {
        rc.action = static_cast<RelabelAction>(a);
        found = true;
      }
    }
    if (!found) return YamlError(ctx.file, f.MarkOf("action"), absl::StrCat("unknown relabel action \"", action, "\""));
    for (const std::string& l : rc.source_labels) {
      if (!IsValidLabelName(l)) {
        return YamlError(ctx.file, f.MarkOf("source_labels"), absl::StrCat("\"", l, "\" is not a valid label name"));
      }
    }
    absl::StatusOr<std::shared_ptr<const RE2>> re = CompileRelabelRegex(rc.regex_text);
    if (!re.ok()) return YamlError(ctx.file, f.MarkOf("regex"), re.status().message());
    rc.regex = *std::move(re);
    if (absl::Status s = ValidateRelabelConfig(rc); !s.ok()) {
      return YamlError(ctx.file, n.Mark(), s.message());
    }
    out->push_back(std::move(rc));
  }
  return absl::OkStatus();
}

absl::Status ParseHttpClient(Fields& f, const Ctx& ctx, HttpClientConfig* h) {
  if (YAML::Node ba = f.Node("basic_auth"); ba.IsDefined() && !ba.IsNull()) {
    Fields b(ba, "basic_auth", ctx.file, {"username_file"});
    b.String("username", &h->basic_auth_username);
    b.String("password", &h->basic_auth_password);
    b.String("password_file", &h->basic_auth_password_file);
    RETURN_IF_ERROR(b.Finish());
    if (!h->basic_auth_password.empty() && !h->basic_auth_password_file.empty()) {
      return YamlError(ctx.file, ba.Mark(), "at most one of basic_auth password & password_file must be configured");
    }
    h->basic_auth_password_file = ctx.Resolve(h->basic_auth_password_file);
    h->has_basic_auth = true;
  }
  std::string bearer, bearer_file;
  f.String("bearer_token", &bearer);
  f.String("bearer_token_file", &bearer_file);
  const YAML::Node authz = f.Node("authorization");
  if (authz.IsDefined() && !authz.IsNull()) {
    Fields a(authz, "authorization", ctx.file);
    a.String("type", &h->authorization_type);
    a.String("credentials", &h->authorization_credentials);
    a.String("credentials_file", &h->authorization_credentials_file);
    RETURN_IF_ERROR(a.Finish());
    if (!bearer.empty() || !bearer_file.empty()) {
      return YamlError(ctx.file, authz.Mark(), "authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (absl::AsciiStrToLower(h->authorization_type) == "basic") {
      return YamlError(ctx.file, authz.Mark(), "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    if (!h->authorization_credentials.empty() && !h->authorization_credentials_file.empty()) {
      return YamlError(ctx.file, authz.Mark(), "at most one of authorization credentials & credentials_file must be configured");
    }
    if (h->authorization_type.empty()) h->authorization_type = "Bearer";
  }
  if (!bearer.empty() && !bearer_file.empty()) {
    return YamlError(ctx.file, f.MarkOf("bearer_token"), "at most one of bearer_token & bearer_token_file must be configured");
  }
  if (h->has_basic_auth && (!bearer.empty() || !bearer_file.empty() || authz.IsDefined())) {
    return YamlError(ctx.file, f.MarkOf("basic_auth"),
                     "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured");
  }
  if (!bearer.empty() || !bearer_file.empty()) {
    h->authorization_type = "Bearer";
    h->authorization_credentials = bearer;
    h->authorization_credentials_file = bearer_file;
  }
  h->authorization_credentials_file = ctx.Resolve(h->authorization_credentials_file);
  if (YAML::Node tls = f.Node("tls_config"); tls.IsDefined() && !tls.IsNull()) {
    Fields t(tls, "tls_config", ctx.file, {"min_version", "max_version", "ca", "cert", "key"});
    t.String("ca_file", &h->tls.ca_file);
    t.String("cert_file", &h->tls.cert_file);
    t.String("key_file", &h->tls.key_file);
    t.String("server_name", &h->tls.server_name);
    t.Bool("insecure_skip_verify", &h->tls.insecure_skip_verify);
    RETURN_IF_ERROR(t.Finish());
    if (h->tls.cert_file.empty() != h->tls.key_file.empty()) {
      return YamlError(ctx.file, tls.Mark(), "exactly one of key or key_file must be configured when a client certificate is configured");
    }
    h->tls.ca_file = ctx.Resolve(h->tls.ca_file);
    h->tls.cert_file = ctx.Resolve(h->tls.cert_file);
    h->tls.key_file = ctx.Resolve(h->tls.key_file);
  }
  f.Bool("follow_redirects", &h->follow_redirects);
  return absl::OkStatus();
}

absl::Status ParseStaticConfigs(const YAML::Node& list, const Ctx& ctx, ScrapeConfig* sc) {
  if (!list.IsDefined() || list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return YamlError(ctx.file, list.Mark(), "static_configs must be a list");
  int i = 0;
  for (const YAML::Node& n : list) {
    Fields f(n, "targetgroup.Group", ctx.file);
    std::vector<std::string> targets;
    f.StringList("targets", &targets);
    TargetGroup g;
    RETURN_IF_ERROR(f.status());
    RETURN_IF_ERROR(ParseLabelSet(f.Node("labels"), ctx, &g.labels));
    RETURN_IF_ERROR(f.Finish());
    for (const std::string& t : targets) {
      if (t.find('/') != std::string::npos) {
        return YamlError(ctx.file, f.MarkOf("targets"), absl::StrCat("\"", t, "\" is not a valid hostname"));
      }
      g.targets.push_back(storage::Labels::FromPairs({{"__address__", t}}));
    }
    g.source = std::to_string(i++);
    sc->static_configs.push_back(std::move(g));
  }
  return absl::OkStatus();
}

absl::Status ParseFileSd(const YAML::Node& list, const Ctx& ctx, ScrapeConfig* sc) {
  if (!list.IsDefined() || list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return YamlError(ctx.file, list.Mark(), "file_sd_configs must be a list");
  static const RE2 kPattern(R"(^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$)");
  for (const YAML::Node& n : list) {
    Fields f(n, "file_sd_config", ctx.file);
    FileSdConfig c;
    f.StringList("files", &c.files);
    f.Duration("refresh_interval", &c.refresh_interval);
    RETURN_IF_ERROR(f.Finish());
    if (c.files.empty()) return YamlError(ctx.file, n.Mark(), "file service discovery config must contain at least one path name");
    for (std::string& p : c.files) {
      if (!RE2::FullMatch(p, kPattern)) {
        return YamlError(ctx.file, f.MarkOf("files"), absl::StrCat("path name \"", p, "\" is not valid for file discovery"));
      }
      p = ctx.Resolve(p);
    }
    sc->file_sd_configs.push_back(std::move(c));
  }
  return absl::OkStatus();
}

absl::Status ParseDnsSd(const YAML::Node& list, const Ctx& ctx, ScrapeConfig* sc) {
  if (!list.IsDefined() || list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return YamlError(ctx.file, list.Mark(), "dns_sd_configs must be a list");
  for (const YAML::Node& n : list) {
    Fields f(n, "dns_sd_config", ctx.file);
    DnsSdConfig c;
    f.StringList("names", &c.names);
    f.String("type", &c.type);
    f.Int("port", &c.port);
    f.Duration("refresh_interval", &c.refresh_interval);
    RETURN_IF_ERROR(f.Finish());
    if (c.names.empty()) return YamlError(ctx.file, n.Mark(), "DNS-SD config must contain at least one SRV record name");
    c.type = absl::AsciiStrToUpper(c.type);
    if (c.type != "SRV" && c.type != "A" && c.type != "AAAA") {
      if (c.type == "MX" || c.type == "NS") {
        return YamlError(ctx.file, f.MarkOf("type"), absl::StrCat("DNS-SD type ", c.type, " is not supported by promlet yet"));
      }
      return YamlError(ctx.file, f.MarkOf("type"), absl::StrCat("invalid DNS-SD records type ", c.type));
    }
    if (c.type != "SRV" && c.port == 0) {
      return YamlError(ctx.file, n.Mark(), "a port is required in DNS-SD configs for all record types except SRV");
    }
    sc->dns_sd_configs.push_back(std::move(c));
  }
  return absl::OkStatus();
}

absl::Status ParseScrapeConfig(const YAML::Node& n, const Ctx& ctx, const GlobalConfig& g,
                               ScrapeConfig* sc) {
  Fields f(n, "config.ScrapeConfig", ctx.file, kUnsupportedScrape);
  f.String("job_name", &sc->job_name);
  absl::Duration interval = absl::ZeroDuration(), timeout = absl::ZeroDuration();
  f.Duration("scrape_interval", &interval);
  f.Duration("scrape_timeout", &timeout);
  f.String("metrics_path", &sc->metrics_path);
  f.String("scheme", &sc->scheme);
  f.Bool("honor_labels", &sc->honor_labels);
  f.Bool("honor_timestamps", &sc->honor_timestamps);
  f.Uint("sample_limit", &sc->sample_limit);
  f.Uint("label_limit", &sc->label_limit);
  f.Uint("label_name_length_limit", &sc->label_name_length_limit);
  f.Uint("label_value_length_limit", &sc->label_value_length_limit);
  f.Uint("target_limit", &sc->target_limit);
  std::string body_limit;
  f.String("body_size_limit", &body_limit);
  if (YAML::Node p = f.Node("params"); p.IsDefined() && !p.IsNull()) {
    if (!p.IsMap()) return YamlError(ctx.file, p.Mark(), "params must be a mapping of lists");
    for (auto it = p.begin(); it != p.end(); ++it) {
      auto& vals = sc->params[it->first.Scalar()];
      if (!it->second.IsSequence()) return YamlError(ctx.file, it->second.Mark(), "param values must be a list of strings");
      const YAML::Node list = it->second;  // keep yaml-cpp's proxy alive for the loop
      for (const YAML::Node& v : list) vals.push_back(v.Scalar());
    }
  }
  RETURN_IF_ERROR(f.status());
  RETURN_IF_ERROR(ParseHttpClient(f, ctx, &sc->http));
  RETURN_IF_ERROR(ParseStaticConfigs(f.Node("static_configs"), ctx, sc));
  RETURN_IF_ERROR(ParseFileSd(f.Node("file_sd_configs"), ctx, sc));
  RETURN_IF_ERROR(ParseDnsSd(f.Node("dns_sd_configs"), ctx, sc));
  RETURN_IF_ERROR(ParseRelabelConfigs(f.Node("relabel_configs"), ctx, &sc->relabel_configs));
  RETURN_IF_ERROR(ParseRelabelConfigs(f.Node("metric_relabel_configs"), ctx, &sc->metric_relabel_configs));
  RETURN_IF_ERROR(f.Finish());

  if (sc->job_name.empty()) return YamlError(ctx.file, n.Mark(), "job_name is empty");
  if (!body_limit.empty()) {
    absl::StatusOr<int64_t> sz = ParseSize(body_limit);
    if (!sz.ok()) return YamlError(ctx.file, f.MarkOf("body_size_limit"), sz.status().message());
    sc->body_size_limit = *sz;
  }
  if (sc->scheme != "http" && sc->scheme != "https") {
    return YamlError(ctx.file, f.MarkOf("scheme"), absl::StrCat("unknown scrape scheme ", sc->scheme));
  }
  sc->scrape_interval = interval == absl::ZeroDuration() ? g.scrape_interval : interval;
  if (timeout == absl::ZeroDuration()) {
    timeout = g.scrape_timeout > sc->scrape_interval ? sc->scrape_interval : g.scrape_timeout;
  }
  sc->scrape_timeout = timeout;
  if (sc->scrape_timeout > sc->scrape_interval) {
    return YamlError(ctx.file, n.Mark(),
                     absl::StrCat("scrape timeout greater than scrape interval for scrape config with job name \"",
                                  sc->job_name, "\""));
  }
  YAML::Emitter e;
  e << n;
  sc->fingerprint = absl::StrCat(e.c_str(), "|", FormatPromDuration(sc->scrape_interval), "|",
                                 FormatPromDuration(sc->scrape_timeout));
  return absl::OkStatus();
}

absl::Status ParseGlobal(const YAML::Node& n, const Ctx& ctx, GlobalConfig* g) {
  Fields f(n, "config.GlobalConfig", ctx.file, {"query_log_file", "scrape_failure_log_file", "body_size_limit",
      "sample_limit", "label_limit", "label_name_length_limit", "label_value_length_limit", "target_limit",
      "keep_dropped_targets", "scrape_protocols", "metric_name_validation_scheme", "rule_query_offset"});
  absl::Duration timeout = absl::ZeroDuration();
  f.Duration("scrape_interval", &g->scrape_interval);
  f.Duration("scrape_timeout", &timeout);
  f.Duration("evaluation_interval", &g->evaluation_interval);
  RETURN_IF_ERROR(f.status());
  RETURN_IF_ERROR(ParseLabelSet(f.Node("external_labels"), ctx, &g->external_labels));
  RETURN_IF_ERROR(f.Finish());
  if (g->scrape_interval == absl::ZeroDuration()) g->scrape_interval = absl::Minutes(1);
  if (timeout > g->scrape_interval) {
    return YamlError(ctx.file, f.MarkOf("scrape_timeout"), "global scrape timeout greater than scrape interval");
  }
  if (timeout == absl::ZeroDuration()) {
    timeout = absl::Seconds(10) > g->scrape_interval ? g->scrape_interval : absl::Seconds(10);
  }
  g->scrape_timeout = timeout;
  return absl::OkStatus();
}

absl::StatusOr<Config> ParseRoot(const YAML::Node& root, const Ctx& ctx) {
  Config cfg;
  Fields f(root, "config.plain", ctx.file,
           {"alerting", "remote_write", "remote_read", "storage", "tracing", "scrape_config_files",
            "otlp", "runtime"});
  YAML::Node global = f.Node("global");
  RETURN_IF_ERROR(ParseGlobal(global, ctx, &cfg.global));
  // rule_files: promlet has no rule evaluation; an empty list is harmless.
  if (YAML::Node rules = f.Node("rule_files"); rules.IsDefined() && !rules.IsNull() && rules.size() > 0) {
    return YamlError(ctx.file, f.MarkOf("rule_files"),
                     "rule_files is a Prometheus field that promlet does not support yet");
  }
  YAML::Node scs = f.Node("scrape_configs");
  RETURN_IF_ERROR(f.Finish());
  if (scs.IsDefined() && !scs.IsNull()) {
    if (!scs.IsSequence()) return YamlError(ctx.file, scs.Mark(), "scrape_configs must be a list");
    std::set<std::string> jobs;
    for (const YAML::Node& n : scs) {
      ScrapeConfig sc;
      RETURN_IF_ERROR(ParseScrapeConfig(n, ctx, cfg.global, &sc));
      if (!jobs.insert(sc.job_name).second) {
        return YamlError(ctx.file, n.Mark(),
                         absl::StrCat("found multiple scrape configs with job name \"", sc.job_name, "\""));
      }
      cfg.scrape_configs.push_back(std::move(sc));
    }
  }
  return cfg;
}

}  // namespace

absl::StatusOr<Config> ParseConfig(std::string_view yaml, std::string_view filename) {
  Ctx ctx;
  ctx.file = std::string(filename);
  if (!filename.empty()) ctx.dir = std::filesystem::path(std::string(filename)).parent_path();
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsDefined() || root.IsNull()) return Config{};
    return ParseRoot(root, ctx);
  } catch (const YAML::Exception& e) {
    return YamlError(ctx.file, e.mark, e.msg);
  }
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

std::string DescribeConfig(const Config& cfg) {
  std::string out = absl::StrCat("global: scrape_interval=", FormatPromDuration(cfg.global.scrape_interval),
                                 " scrape_timeout=", FormatPromDuration(cfg.global.scrape_timeout));
  if (!cfg.global.external_labels.empty()) {
    absl::StrAppend(&out, " external_labels=", cfg.global.external_labels.ToString());
  }
  absl::StrAppend(&out, "\n", cfg.scrape_configs.size(), " scrape config(s):\n");
  for (const ScrapeConfig& sc : cfg.scrape_configs) {
    size_t static_targets = 0;
    for (const TargetGroup& g : sc.static_configs) static_targets += g.targets.size();
    absl::StrAppend(&out, "  job \"", sc.job_name, "\": every ", FormatPromDuration(sc.scrape_interval),
                    " (timeout ", FormatPromDuration(sc.scrape_timeout), "), ", sc.scheme, "://<target>",
                    sc.metrics_path);
    if (static_targets > 0) absl::StrAppend(&out, "; ", static_targets, " static target(s)");
    for (const FileSdConfig& f : sc.file_sd_configs) {
      absl::StrAppend(&out, "; file_sd ", absl::StrJoin(f.files, ","), " every ", FormatPromDuration(f.refresh_interval));
    }
    for (const DnsSdConfig& d : sc.dns_sd_configs) {
      absl::StrAppend(&out, "; dns_sd ", d.type, " ", absl::StrJoin(d.names, ","), d.port ? absl::StrCat(" port ", d.port) : "",
                      " every ", FormatPromDuration(d.refresh_interval));
    }
    if (!sc.relabel_configs.empty()) absl::StrAppend(&out, "; ", sc.relabel_configs.size(), " relabel rule(s)");
    if (!sc.metric_relabel_configs.empty()) {
      absl::StrAppend(&out, "; ", sc.metric_relabel_configs.size(), " metric relabel rule(s)");
    }
    if (sc.honor_labels) absl::StrAppend(&out, "; honor_labels");
    if (!sc.honor_timestamps) absl::StrAppend(&out, "; honor_timestamps=false");
    if (sc.sample_limit) absl::StrAppend(&out, "; sample_limit=", sc.sample_limit);
    if (sc.body_size_limit) absl::StrAppend(&out, "; body_size_limit=", sc.body_size_limit, "B");
    absl::StrAppend(&out, "\n");
    for (const TargetGroup& g : sc.static_configs) {
      for (const storage::Labels& t : g.targets) {
        absl::StrAppend(&out, "    target ", base::Absl(t.Get("__address__")));
        if (!g.labels.empty()) absl::StrAppend(&out, " ", g.labels.ToString());
        absl::StrAppend(&out, "\n");
      }
    }
  }
  return out;
}

}  // namespace promlet::scrape
