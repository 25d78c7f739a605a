#include "scrape/config/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace promlet::scrape {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, DefaultsLikePrometheus) {
  absl::StatusOr<Config> cfg = ParseConfig(R"(
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['localhost:9100', 'localhost:9101']
        labels: {env: prod}
)", "p.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->global.scrape_interval, absl::Minutes(1));
  EXPECT_EQ(cfg->global.scrape_timeout, absl::Seconds(10));
  ASSERT_EQ(cfg->scrape_configs.size(), 1u);
  const ScrapeConfig& sc = cfg->scrape_configs[0];
  EXPECT_EQ(sc.scrape_interval, absl::Minutes(1));
  EXPECT_EQ(sc.scrape_timeout, absl::Seconds(10));
  EXPECT_EQ(sc.metrics_path, "/metrics");
  EXPECT_EQ(sc.scheme, "http");
  EXPECT_TRUE(sc.honor_timestamps);
  EXPECT_FALSE(sc.honor_labels);
  EXPECT_EQ(sc.sample_limit, 0u);
  EXPECT_EQ(sc.body_size_limit, 0);
  ASSERT_EQ(sc.static_configs.size(), 1u);
  ASSERT_EQ(sc.static_configs[0].targets.size(), 2u);
  EXPECT_EQ(sc.static_configs[0].targets[1].Get("__address__"), "localhost:9101");
  EXPECT_EQ(sc.static_configs[0].labels.Get("env"), "prod");
}

TEST(ConfigTest, EveryField) {
  absl::StatusOr<Config> cfg = ParseConfig(R"(
global:
  scrape_interval: 15s
  evaluation_interval: 30s
  external_labels: {cluster: a}
scrape_configs:
  - job_name: api
    scrape_interval: 5s
    scrape_timeout: 2s
    metrics_path: /api/metrics
    scheme: https
    params: {module: [http_2xx]}
    honor_labels: true
    honor_timestamps: false
    sample_limit: 1000
    label_limit: 30
    label_name_length_limit: 100
    label_value_length_limit: 200
    body_size_limit: 10MB
    target_limit: 50
    basic_auth: {username: u, password: p}
    tls_config: {ca_file: ca.pem, cert_file: c.pem, key_file: k.pem, insecure_skip_verify: true}
    file_sd_configs:
      - files: ['targets/*.json']
        refresh_interval: 10s
    dns_sd_configs:
      - names: [backend.example.local]
      - names: [web.example.local]
        type: A
        port: 8080
    relabel_configs:
      - source_labels: [__address__]
        target_label: host
    metric_relabel_configs:
      - action: labeldrop
        regex: tmp_.*
  - job_name: bearer
    bearer_token: secret
)", "/etc/p/prometheus.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->global.scrape_interval, absl::Seconds(15));
  EXPECT_EQ(cfg->global.scrape_timeout, absl::Seconds(10));
  EXPECT_EQ(cfg->global.external_labels.Get("cluster"), "a");
  const ScrapeConfig& sc = cfg->scrape_configs[0];
  EXPECT_EQ(sc.scrape_interval, absl::Seconds(5));
  EXPECT_EQ(sc.scrape_timeout, absl::Seconds(2));
  EXPECT_EQ(sc.metrics_path, "/api/metrics");
  EXPECT_EQ(sc.scheme, "https");
  EXPECT_EQ(sc.params.at("module")[0], "http_2xx");
  EXPECT_TRUE(sc.honor_labels);
  EXPECT_FALSE(sc.honor_timestamps);
  EXPECT_EQ(sc.sample_limit, 1000u);
  EXPECT_EQ(sc.label_limit, 30u);
  EXPECT_EQ(sc.label_name_length_limit, 100u);
  EXPECT_EQ(sc.label_value_length_limit, 200u);
  EXPECT_EQ(sc.body_size_limit, 10 << 20);
  EXPECT_EQ(sc.target_limit, 50u);
  EXPECT_TRUE(sc.http.has_basic_auth);
  EXPECT_EQ(sc.http.basic_auth_username, "u");
  EXPECT_EQ(sc.http.tls.ca_file, "/etc/p/ca.pem");
  EXPECT_TRUE(sc.http.tls.insecure_skip_verify);
  ASSERT_EQ(sc.file_sd_configs.size(), 1u);
  EXPECT_EQ(sc.file_sd_configs[0].files[0], "/etc/p/targets/*.json");
  EXPECT_EQ(sc.file_sd_configs[0].refresh_interval, absl::Seconds(10));
  ASSERT_EQ(sc.dns_sd_configs.size(), 2u);
  EXPECT_EQ(sc.dns_sd_configs[0].type, "SRV");
  EXPECT_EQ(sc.dns_sd_configs[0].refresh_interval, absl::Seconds(30));
  EXPECT_EQ(sc.dns_sd_configs[1].port, 8080);
  ASSERT_EQ(sc.relabel_configs.size(), 1u);
  EXPECT_EQ(sc.relabel_configs[0].action, RelabelAction::kReplace);
  EXPECT_EQ(sc.relabel_configs[0].replacement, "$1");
  EXPECT_EQ(sc.relabel_configs[0].separator, ";");
  EXPECT_EQ(sc.metric_relabel_configs[0].action, RelabelAction::kLabelDrop);
  const ScrapeConfig& b = cfg->scrape_configs[1];
  EXPECT_EQ(b.scrape_interval, absl::Seconds(15));
  EXPECT_EQ(b.http.authorization_type, "Bearer");
  EXPECT_EQ(b.http.authorization_credentials, "secret");
  EXPECT_THAT(DescribeConfig(*cfg), HasSubstr("job \"api\": every 5s (timeout 2s), https://<target>/api/metrics"));
}

TEST(ConfigTest, TimeoutDefaultsToIntervalWhenShorter) {
  absl::StatusOr<Config> cfg = ParseConfig("scrape_configs: [{job_name: a, scrape_interval: 5s}]");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->scrape_configs[0].scrape_timeout, absl::Seconds(5));
}

TEST(ConfigTest, Errors) {
  auto check = [](std::string_view yaml, std::string_view want) {
    SCOPED_TRACE(yaml);
    absl::StatusOr<Config> cfg = ParseConfig(yaml, "p.yml");
    ASSERT_FALSE(cfg.ok());
    EXPECT_THAT(std::string(cfg.status().message()), HasSubstr(std::string(want)));
  };
  check("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n",
        "p.yml:3:5: field scrape_intervall not found in type config.ScrapeConfig");
  check("scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod}]\n",
        "p.yml:3:5: kubernetes_sd_configs (in config.ScrapeConfig) is a Prometheus field that promlet does not support yet");
  check("remote_write:\n  - url: http://x\n", "p.yml:1:1: remote_write (in config.plain) is a Prometheus field");
  check("globall: {}\n", "p.yml:1:1: field globall not found in type config.plain");
  check("scrape_configs: [{job_name: a}, {job_name: a}]", "found multiple scrape configs with job name \"a\"");
  check("scrape_configs: [{job_name: a, scrape_interval: 5s, scrape_timeout: 10s}]",
        "scrape timeout greater than scrape interval for scrape config with job name \"a\"");
  check("scrape_configs: [{job_name: a, scheme: ftp}]", "unknown scrape scheme ftp");
  check("scrape_configs: [{scrape_interval: 5s}]", "job_name is empty");
  check("scrape_configs: [{job_name: a, scrape_interval: 5x}]", "not a valid duration string");
  check("scrape_configs: [{job_name: a, body_size_limit: 10}]", "invalid size");
  check("scrape_configs: [{job_name: a, sample_limit: -1}]", "cannot unmarshal");
  check("scrape_configs: [{job_name: a, bearer_token: x, bearer_token_file: y}]", "at most one of bearer_token");
  check("scrape_configs: [{job_name: a, static_configs: [{targets: ['a/b']}]}]", "is not a valid hostname");
  check("scrape_configs: [{job_name: a, file_sd_configs: [{files: [x.txt]}]}]", "is not valid for file discovery");
  check("scrape_configs: [{job_name: a, dns_sd_configs: [{names: [x], type: A}]}]", "a port is required");
  check("scrape_configs: [{job_name: a, relabel_configs: [{action: replace}]}]", "requires 'target_label' value");
  check("scrape_configs: [{job_name: a, relabel_configs: [{action: hashmod, target_label: x}]}]", "non-zero modulus");
  check("scrape_configs: [{job_name: a, relabel_configs: [{action: foo}]}]", "unknown relabel action \"foo\"");
  check("scrape_configs: [{job_name: a, relabel_configs: [{regex: '(', target_label: x}]}]", "invalid regex");
  check("scrape_configs: [{job_name: a, relabel_configs: [{action: labeldrop, regex: x, target_label: y}]}]",
        "labeldrop action requires only 'regex', and no other fields");
  check("scrape_configs: [{job_name: a, relabel_configs: [{action: keepequal, target_label: y, regex: z}]}]",
        "keepequal action requires only 'source_labels' and `target_label`");
  check("scrape_configs: [{job_name: a, relabel_configs: [{action: lowercase, target_label: '${1}'}]}]",
        "is invalid 'target_label' for lowercase action");
  check("scrape_configs: [{job_name: a\n", "p.yml:");
  check("global: {scrape_interval: 5s, scrape_timeout: 6s}", "global scrape timeout greater than scrape interval");
  check("scrape_configs: [{job_name: a, static_configs: [{targets: [x], labels: {'a-b': c}}]}]",
        "\"a-b\" is not a valid label name");
}

}  // namespace
}  // namespace promlet::scrape
