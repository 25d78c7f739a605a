#include "tests/integration/scrape/scrape_env.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "scrape/config/config.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape::itest {

namespace fs = std::filesystem;

Fixture::Fixture(Handler h) {
  auto serve = [h](const httplib::Request&, httplib::Response& res) { h(res); };
  srv_.Get("/metrics", serve);
  srv_.Get("/api/metrics", serve);
  port_ = srv_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { srv_.listen_after_bind(); });
}

void Fixture::Stop() {
  if (!thread_.joinable()) return;
  for (int i = 0; i < 2000 && !srv_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  srv_.stop();
  thread_.join();
}

std::string Canonical(const storage::Labels& l) {
  storage::LabelsBuilder b(l);
  for (std::string_view n : {"le", "quantile"}) {
    double v;
    if (std::string_view s = l.Get(n); !s.empty() && textparse::ParsePromFloat(s, &v)) {
      std::string f;
      textparse::AppendOpenMetricsFloat(v, &f);
      b.Set(n, f);
    }
  }
  return b.Build().ToString();
}

namespace {

constexpr char kWebBody[] = R"(# HELP http_requests_total Total requests.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200"} 10
http_requests_total{method="POST",code="500"} 2
# HELP http_request_duration_seconds Latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.5"} 3
http_request_duration_seconds_bucket{le="1"} 4
http_request_duration_seconds_bucket{le="+Inf"} 6
http_request_duration_seconds_sum 4.2
http_request_duration_seconds_count 6
inner_info{job="inner",instance="elsewhere"} 1
)";

void Body(httplib::Response& r, const std::string& body) { r.set_content(body, "text/plain; version=0.0.4"); }

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) absl::StrAppend(&out, out.empty() ? "" : ", ", "'", s, "'");
  return out;
}

}  // namespace

std::string ScrapeEnv::PromletConfigYaml(bool reloaded) const {
  auto a = [&](const std::string& name) { return fixtures.at(name)->addr(); };
  std::string y = absl::StrCat(R"(global:
  scrape_interval: 1s
  scrape_timeout: 500ms
scrape_configs:
  - job_name: good
    static_configs: [{targets: [')", a("good"), R"('], labels: {env: test}}]
    metric_relabel_configs:
      - {source_labels: [__name__], regex: http_requests_total, target_label: relabeled, replacement: 'yes'}
      - {source_labels: [__name__], regex: 'http_request_duration_seconds_sum', action: drop}
  - job_name: mortal
    static_configs: [{targets: [')", a("mortal"), R"(']}]
  - job_name: file
    file_sd_configs: [{files: [')", dir, R"(/sd/*.json'], refresh_interval: 1s}]
  - job_name: node
    static_configs: [{targets: ['127.0.0.1:)", node_port, R"(']}]
  - job_name: dns
    metrics_path: /api/metrics
    dns_sd_configs: [{names: [_api._tcp.example.local], refresh_interval: 1s}]
  - job_name: dnsa
    dns_sd_configs: [{names: [web.example.local], type: A, port: )", fixtures.at("dnsa")->port(), R"(, refresh_interval: 1s}]
  - job_name: refused
    static_configs: [{targets: ['127.0.0.1:)", refused_port, R"(']}]
  - job_name: http500
    static_configs: [{targets: [')", a("http500"), R"(']}]
  - job_name: garbage
    static_configs: [{targets: [')", a("garbage"), R"(']}]
  - job_name: bodylimit
    body_size_limit: 1KB
    static_configs: [{targets: [')", a("big"), R"(']}]
  - job_name: samplelimit
    sample_limit: 5
    static_configs: [{targets: [')", a("many"), R"(']}]
  - job_name: duplabels
    static_configs: [{targets: [')", a("duplabels"), R"(']}]
  - job_name: badutf8
    static_configs: [{targets: [')", a("badutf8"), R"(']}]
)");
  if (!reloaded) {
    absl::StrAppend(&y, R"(  - job_name: timeout
    static_configs: [{targets: [')", a("slow"), R"(']}]
)");
  }
  return y;
}

absl::Status ScrapeEnv::Start() {
  for (const char* bin : {"/usr/bin/prometheus", "/usr/bin/promtool", "/usr/bin/prometheus-node-exporter",
                          "/usr/sbin/dnsmasq"}) {
    std::string msg;
    if (!testing::RequireBinary(bin, &msg)) return absl::FailedPreconditionError(msg);
  }
  dir = testing::MakeTempDir("promlet-scrape-itest");
  fs::create_directories(dir + "/sd");
  fixtures["good"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, kWebBody); });
  fixtures["mortal"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "mortal_gauge 1\nmortal_total 5\n"); });
  fixtures["fileA"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "file_a 1\n"); });
  fixtures["fileB"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "file_b{x=\"y\"} 2\n"); });
  fixtures["srv1"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, kWebBody); });
  fixtures["srv2"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, kWebBody); });
  fixtures["dnsa"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "a_record_target 1\n"); });
  fixtures["http500"] = std::make_unique<Fixture>([](httplib::Response& r) {
    r.status = 500;
    r.set_content("boom", "text/plain");
  });
  fixtures["garbage"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "ok 1\n{{{ this is not an exposition\n"); });
  fixtures["big"] = std::make_unique<Fixture>([](httplib::Response& r) {
    std::string b;
    for (int i = 0; i < 200; ++i) absl::StrAppend(&b, "big_series{i=\"", i, "\"} ", i, "\n");
    Body(r, b);
  });
  fixtures["many"] = std::make_unique<Fixture>([](httplib::Response& r) {
    std::string b;
    for (int i = 0; i < 10; ++i) absl::StrAppend(&b, "many_series{i=\"", i, "\"} ", i, "\n");
    Body(r, b);
  });
  fixtures["duplabels"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "ok 1\ndup{a=\"1\",a=\"2\"} 1\n"); });
  fixtures["badutf8"] = std::make_unique<Fixture>([](httplib::Response& r) { Body(r, "ok 1\nbad{a=\"\xff\xfe\"} 1\n"); });
  // A target slower than scrape_timeout (500ms). The fixture's own thread
  // waits; the test itself never sleeps.
  fixtures["slow"] = std::make_unique<Fixture>([](httplib::Response& r) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    Body(r, "slow 1\n");
  });
  refused_port = testing::FreePort();
  node_port = testing::FreePort();
  dns_port = testing::FreePort();
  prom_port = testing::FreePort();

  node = std::make_unique<testing::Subprocess>(std::vector<std::string>{
      "/usr/bin/prometheus-node-exporter", absl::StrCat("--web.listen-address=127.0.0.1:", node_port),
      "--collector.disable-defaults", "--collector.loadavg", "--collector.meminfo", "--collector.time"});
  if (absl::Status s = node->Start(); !s.ok()) return s;

  std::vector<std::string> dns_args = {
      "/usr/sbin/dnsmasq", "--no-daemon", absl::StrCat("--port=", dns_port), "--listen-address=127.0.0.1",
      "--bind-interfaces", "--no-resolv", "--no-hosts", "-C", "/dev/null", "--local=/example.local/", "--pid-file=",
      absl::StrCat("--srv-host=_api._tcp.example.local,localhost,", fixtures["srv1"]->port(), ",0,10"),
      absl::StrCat("--srv-host=_api._tcp.example.local,localhost,", fixtures["srv2"]->port(), ",0,10"),
      "--host-record=localhost,127.0.0.1", "--host-record=web.example.local,127.0.0.1"};
  if (geteuid() == 0) dns_args.push_back("--user=root");
  dnsmasq = std::make_unique<testing::Subprocess>(dns_args);
  if (absl::Status s = dnsmasq->Start(); !s.ok()) return s;

  WriteFileSd({fixtures["fileA"]->addr()});
  promlet_config_path = dir + "/promlet.yml";
  std::ofstream(promlet_config_path) << PromletConfigYaml();
  // Prometheus cannot use dnsmasq on a custom port: the DNS jobs become the
  // static targets the records name (same job, same instance labels).
  std::string prom_yaml = PromletConfigYaml();
  prom_yaml = absl::StrReplaceAll(
      prom_yaml,
      {{"dns_sd_configs: [{names: [_api._tcp.example.local], refresh_interval: 1s}]",
        absl::StrCat("static_configs: [{targets: ['localhost:", fixtures["srv1"]->port(), "', 'localhost:",
                     fixtures["srv2"]->port(), "']}]")},
       {absl::StrCat("dns_sd_configs: [{names: [web.example.local], type: A, port: ", fixtures["dnsa"]->port(),
                     ", refresh_interval: 1s}]"),
        absl::StrCat("static_configs: [{targets: ['127.0.0.1:", fixtures["dnsa"]->port(), "']}]")}});
  prometheus_config_path = dir + "/prometheus.yml";
  std::ofstream(prometheus_config_path) << prom_yaml;

  prometheus = std::make_unique<testing::Subprocess>(std::vector<std::string>{
      "/usr/bin/prometheus", "--config.file=" + prometheus_config_path, "--storage.tsdb.path=" + dir + "/prom-data",
      absl::StrCat("--web.listen-address=127.0.0.1:", prom_port), "--log.level=warn"});
  if (absl::Status s = prometheus->Start(); !s.ok()) return s;

  absl::StatusOr<Config> cfg = LoadConfigFile(promlet_config_path);
  if (!cfg.ok()) return cfg.status();
  ScrapeManagerOptions opts;
  opts.appendable = &db;
  opts.dns_server = absl::StrCat("127.0.0.1:", dns_port);
  absl::StatusOr<std::unique_ptr<ScrapeManager>> m = ScrapeManager::Create(opts);
  if (!m.ok()) return m.status();
  manager = *std::move(m);
  if (absl::Status s = manager->ApplyConfig(*cfg); !s.ok()) return s;
  if (!testing::WaitForHttp("127.0.0.1", prom_port, "/-/ready", absl::Seconds(30))) {
    return absl::UnavailableError("prometheus did not become ready:\n" + prometheus->Log());
  }
  return absl::OkStatus();
}

void ScrapeEnv::Stop() {
  if (manager) manager->Stop();
  if (prometheus) prometheus->Stop();
  if (node) node->Stop();
  if (dnsmasq) dnsmasq->Stop();
  for (auto& [n, f] : fixtures) f->Stop();
  if (!dir.empty()) testing::RemoveTree(dir);
}

void ScrapeEnv::WriteFileSd(const std::vector<std::string>& addrs) {
  const std::string tmp = dir + "/sd/.targets.tmp";
  std::ofstream(tmp) << "[{\"targets\": [" << absl::StrReplaceAll(Join(addrs), {{"'", "\""}})
                     << "], \"labels\": {\"team\": \"files\"}}]\n";
  fs::rename(tmp, dir + "/sd/targets.json");
}

View ScrapeEnv::PromletView() {
  View v;
  auto q = db.NewQuerier();
  auto m = storage::Matcher::Make(storage::MatchType::kRegexMatch, "job", ".+");
  auto set = (*q)->Select(INT64_MIN, INT64_MAX, {*m});
  while (set->Next()) {
    const storage::Labels& l = set->At().labels();
    auto it = set->At().NewIterator();
    storage::Sample last;
    bool any = false;
    while (it->Next()) {
      last = it->At();
      any = true;
    }
    if (!any || storage::IsStaleNaN(last.value)) continue;
    TargetView& t = v[std::string(l.Get("job"))][std::string(l.Get("instance"))];
    t.series.insert(Canonical(l));
    if (l.MetricName() == "up") t.up = last.value;
    if (l.MetricName() == "scrape_samples_scraped") t.samples_scraped = last.value;
  }
  return v;
}

absl::StatusOr<View> ScrapeEnv::PrometheusView() {
  httplib::Client c("127.0.0.1", prom_port);
  auto res = c.Get("/federate?match[]=%7Bjob%3D~%22.%2B%22%7D");
  if (!res || res->status != 200) return absl::UnavailableError("federate failed");
  View v;
  textparse::Parser p;
  p.Reset(res->body);
  storage::LabelsBuilder b;
  for (;;) {
    textparse::Entry e = p.Next();
    if (e == textparse::Entry::kEof) break;
    if (e == textparse::Entry::kError) return p.status();
    if (e != textparse::Entry::kSeries) continue;
    p.LabelsTo(&b);
    storage::Labels l = b.Build();
    TargetView& t = v[std::string(l.Get("job"))][std::string(l.Get("instance"))];
    t.series.insert(Canonical(l));
    if (l.MetricName() == "up") t.up = p.value();
    if (l.MetricName() == "scrape_samples_scraped") t.samples_scraped = p.value();
  }
  return v;
}

absl::StatusOr<std::string> ScrapeEnv::PrometheusQuery(const std::string& q, double time_s) {
  httplib::Client c("127.0.0.1", prom_port);
  httplib::Params params = {{"query", q}};
  if (time_s > 0) params.emplace("time", absl::StrFormat("%.3f", time_s));
  auto res = c.Get("/api/v1/query", params, httplib::Headers{});
  if (!res || res->status != 200) return absl::UnavailableError("query failed: " + q);
  return res->body;
}

std::vector<storage::Sample> ScrapeEnv::PromletSamples(const std::string& name, const std::string& job,
                                                       const std::string& instance) {
  std::vector<storage::Sample> out;
  auto q = db.NewQuerier();
  auto set = (*q)->Select(INT64_MIN, INT64_MAX,
                          {storage::Matcher::Equal("__name__", name), storage::Matcher::Equal("job", job),
                           storage::Matcher::Equal("instance", instance)});
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next()) out.push_back(it->At());
  }
  return out;
}

}  // namespace promlet::scrape::itest
