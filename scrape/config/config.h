// prometheus.yml: the subset promlet supports, parsed with yaml-cpp, with
// Prometheus's defaults and validation. A field Prometheus knows but promlet
// does not support is an error that says so; an unknown field is an error
// with its line and column. No invented fields: every file accepted here
// also passes `promtool check config`.
//
//   ASSIGN_OR_RETURN(Config cfg, LoadConfigFile("prometheus.yml"));
//   for (const ScrapeConfig& sc : cfg.scrape_configs) ...
#ifndef PROMLET_SCRAPE_CONFIG_CONFIG_H_
#define PROMLET_SCRAPE_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "re2/re2.h"
#include "scrape/config/target_group.h"
#include "storage/api/labels.h"

namespace promlet::scrape {

enum class RelabelAction {
  kReplace, kKeep, kDrop, kKeepEqual, kDropEqual, kHashMod,
  kLabelMap, kLabelDrop, kLabelKeep, kLowercase, kUppercase,
};
std::string_view RelabelActionName(RelabelAction a);

// One relabel_configs / metric_relabel_configs entry. Immutable after
// parsing; the compiled regex is shared between copies.
struct RelabelConfig {
  std::vector<std::string> source_labels;
  std::string separator = ";";
  std::string regex_text = "(.*)";          // as written
  std::shared_ptr<const RE2> regex;         // anchored: ^(?:regex_text)$
  uint64_t modulus = 0;
  std::string target_label;
  std::string replacement = "$1";
  RelabelAction action = RelabelAction::kReplace;
};
// Compiles `text` anchored like Prometheus; InvalidArgument when it is not RE2.
absl::StatusOr<std::shared_ptr<const RE2>> CompileRelabelRegex(std::string_view text);
// Checks the per-action rules of Prometheus relabel.Config.Validate.
absl::Status ValidateRelabelConfig(const RelabelConfig& rc);

struct TlsConfig {
  std::string ca_file, cert_file, key_file, server_name;
  bool insecure_skip_verify = false;
};

struct HttpClientConfig {
  std::string basic_auth_username, basic_auth_password, basic_auth_password_file;
  bool has_basic_auth = false;
  std::string authorization_type;  // "Bearer" when credentials are set
  std::string authorization_credentials, authorization_credentials_file;
  TlsConfig tls;
  bool follow_redirects = true;
};

struct FileSdConfig {
  std::vector<std::string> files;  // globs allowed in the last path element
  absl::Duration refresh_interval = absl::Minutes(5);
};

struct DnsSdConfig {
  std::vector<std::string> names;
  std::string type = "SRV";  // SRV, A or AAAA
  int port = 0;              // required for A/AAAA
  absl::Duration refresh_interval = absl::Seconds(30);
};

struct ScrapeConfig {
  std::string job_name;
  absl::Duration scrape_interval;  // defaults from global
  absl::Duration scrape_timeout;
  std::string metrics_path = "/metrics";
  std::string scheme = "http";
  std::map<std::string, std::vector<std::string>> params;
  bool honor_labels = false;
  bool honor_timestamps = true;
  uint64_t sample_limit = 0;  // 0 = no limit
  uint64_t label_limit = 0;
  uint64_t label_name_length_limit = 0;
  uint64_t label_value_length_limit = 0;
  int64_t body_size_limit = 0;  // bytes; 0 = no limit
  uint64_t target_limit = 0;
  HttpClientConfig http;
  std::vector<TargetGroup> static_configs;
  std::vector<FileSdConfig> file_sd_configs;
  std::vector<DnsSdConfig> dns_sd_configs;
  std::vector<RelabelConfig> relabel_configs;
  std::vector<RelabelConfig> metric_relabel_configs;
  // The YAML text of this job's entry, to tell a changed job from an
  // unchanged one on reload.
  std::string fingerprint;
};

struct GlobalConfig {
  absl::Duration scrape_interval = absl::Minutes(1);
  absl::Duration scrape_timeout = absl::Seconds(10);
  absl::Duration evaluation_interval = absl::Minutes(1);
  storage::Labels external_labels;
};

struct Config {
  GlobalConfig global;
  std::vector<ScrapeConfig> scrape_configs;
};

// Parses YAML text. `filename` is used in messages and to resolve relative
// file paths (file_sd files, credentials, TLS files) against its directory.
// Errors are InvalidArgument: "prometheus.yml:12:5: field foo not found in
// type scrape_config" or "...: kubernetes_sd_configs is not supported by promlet".
absl::StatusOr<Config> ParseConfig(std::string_view yaml, std::string_view filename = "");
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// A short human summary: one line per job with interval, timeout and its
// target sources (for `promlet check config`).
std::string DescribeConfig(const Config& cfg);

// Label name rules of the classic (pre-UTF-8) Prometheus model.
bool IsValidLabelName(std::string_view name);
bool IsValidMetricName(std::string_view name);
bool IsValidUtf8(std::string_view s);

}  // namespace promlet::scrape

#endif  // PROMLET_SCRAPE_CONFIG_CONFIG_H_
