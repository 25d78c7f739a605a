#include "scrape/synth/synth.h"

#include <array>
#include <cstdio>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "httplib.h"

namespace promlet::scrape {
namespace {

constexpr int kValueWidth = 20;  // zero-padded; Prometheus parses "000123" as 123
constexpr int kPodWidth = 6;
constexpr const char* kMethods[] = {"GET", "POST", "PUT", "DELETE"};
constexpr const char* kRoutes[] = {"/", "/api/v1/users", "/api/v1/orders", "/api/v1/items", "/login",
                                   "/logout", "/search", "/static", "/health", "/api/v1/cart"};
constexpr const char* kStatus[] = {"200", "201", "204", "301", "400", "404", "500", "503"};
constexpr double kBounds[11] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr int kSeriesPerGroup = 1 + 14 + 1;  // counter, histogram (12 buckets + sum + count), gauge

void WriteFixed(char* dst, uint64_t v) {
  for (int i = kValueWidth - 1; i >= 0; --i) {
    dst[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

void WriteFixedFloat(char* dst, double v) {
  // %020.6f: 13 integer digits, 6 decimals, zero padded.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%020.6f", v);
  std::memcpy(dst, buf, kValueWidth);
}

}  // namespace

SynthTarget::SynthTarget(int index, SynthOptions opts)
    : index_(index), opts_(opts), rng_(opts.seed * 1000003u + static_cast<uint64_t>(index)) {
  Render();
}

void SynthTarget::Render() {
  groups_ = opts_.series / kSeriesPerGroup;
  const int extra_gauges = opts_.series - groups_ * kSeriesPerGroup;
  counts_.assign(groups_, 0);
  buckets_.assign(groups_, {});
  sums_.assign(groups_, 0);
  pods_.assign(groups_, 0);
  for (int g = 0; g < groups_; ++g) pods_[g] = static_cast<uint32_t>(g);
  body_.clear();
  fields_.clear();
  pod_offsets_.clear();
  pod_group_.clear();
  const std::string zeros(kValueWidth, '0');
  auto labels = [&](int g, std::string* out) {
    const int m = g % 4, r = (g / 4) % 10, s = (g / 40) % 8;
    absl::StrAppend(out, "method=\"", kMethods[m], "\",route=\"", kRoutes[r], "\",status=\"", kStatus[s], "\",pod=\"p");
    pod_offsets_.push_back(static_cast<uint32_t>(out->size()));
    pod_group_.push_back(static_cast<uint32_t>(g));
    absl::StrAppend(out, absl::StrFormat("%0*d", kPodWidth, g), "\"");
  };
  auto field = [&](int g, Kind k, int b) {
    fields_.push_back({static_cast<uint32_t>(body_.size()), static_cast<uint32_t>(g), k, static_cast<uint8_t>(b)});
    absl::StrAppend(&body_, zeros, "\n");
  };
  if (groups_ > 0) {
    absl::StrAppend(&body_, "# HELP http_requests_total Total HTTP requests.\n# TYPE http_requests_total counter\n");
    for (int g = 0; g < groups_; ++g) {
      body_ += "http_requests_total{";
      labels(g, &body_);
      body_ += "} ";
      field(g, Kind::kCounter, 0);
    }
    absl::StrAppend(&body_, "# HELP http_request_duration_seconds Request latency.\n",
                    "# TYPE http_request_duration_seconds histogram\n");
    for (int g = 0; g < groups_; ++g) {
      for (int b = 0; b < 12; ++b) {
        body_ += "http_request_duration_seconds_bucket{";
        labels(g, &body_);
        body_ += b < 11 ? absl::StrCat(",le=\"", kBounds[b], "\"} ") : std::string(",le=\"+Inf\"} ");
        field(g, Kind::kBucket, b);
      }
      body_ += "http_request_duration_seconds_sum{";
      labels(g, &body_);
      body_ += "} ";
      field(g, Kind::kSum, 0);
      body_ += "http_request_duration_seconds_count{";
      labels(g, &body_);
      body_ += "} ";
      field(g, Kind::kCount, 0);
    }
    absl::StrAppend(&body_, "# HELP http_requests_in_flight Requests being served.\n# TYPE http_requests_in_flight gauge\n");
    for (int g = 0; g < groups_; ++g) {
      body_ += "http_requests_in_flight{";
      labels(g, &body_);
      body_ += "} ";
      field(g, Kind::kGauge, 0);
    }
  }
  if (extra_gauges > 0) {
    absl::StrAppend(&body_, "# HELP synth_gauge Filler gauges.\n# TYPE synth_gauge gauge\n");
    for (int i = 0; i < extra_gauges; ++i) {
      absl::StrAppend(&body_, "synth_gauge{target=\"", index_, "\",i=\"", i, "\"} ");
      field(-1 + 0 * i, Kind::kGauge, 0);
      fields_.back().group = UINT32_MAX;
    }
  }
}

void SynthTarget::Churn() {
  if (opts_.churn <= 0 || groups_ == 0) return;
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<bool> renamed(groups_, false);
  for (int g = 0; g < groups_; ++g) {
    if (u(rng_) < opts_.churn) {
      renamed[g] = true;
      pods_[g] = (pods_[g] + static_cast<uint32_t>(groups_)) % 1000000;
      counts_[g] = 0;
      buckets_[g] = {};
      sums_[g] = 0;
    }
  }
  char buf[16];
  for (size_t i = 0; i < pod_offsets_.size(); ++i) {
    const uint32_t g = pod_group_[i];
    if (!renamed[g]) continue;
    std::snprintf(buf, sizeof(buf), "%0*u", kPodWidth, pods_[g]);
    std::memcpy(&body_[pod_offsets_[i]], buf, kPodWidth);
  }
}

const std::string& SynthTarget::NextBody() {
  ++scrapes_;
  Churn();
  // Per group: some new requests, spread over the buckets.
  std::uniform_int_distribution<int> reqs(0, 20);
  std::uniform_real_distribution<double> lat(0, 1);
  for (int g = 0; g < groups_; ++g) {
    const int n = reqs(rng_);
    for (int i = 0; i < n; ++i) {
      const double l = lat(rng_) * lat(rng_) * 3;
      sums_[g] += l;
      for (int b = 0; b < 11; ++b) {
        if (l <= kBounds[b]) ++buckets_[g][b];
      }
      ++buckets_[g][11];
    }
    counts_[g] += static_cast<uint64_t>(n);
  }
  std::uniform_int_distribution<int> gauge(0, 100);
  for (const Field& f : fields_) {
    char* dst = &body_[f.value_offset];
    switch (f.kind) {
      case Kind::kCounter:
      case Kind::kCount:
        WriteFixed(dst, counts_[f.group]);
        break;
      case Kind::kBucket:
        WriteFixed(dst, buckets_[f.group][f.bucket]);
        break;
      case Kind::kSum:
        WriteFixedFloat(dst, sums_[f.group]);
        break;
      case Kind::kGauge:
        WriteFixed(dst, static_cast<uint64_t>(gauge(rng_)));
        break;
    }
  }
  return body_;
}

struct SynthServer::Instance {
  explicit Instance(int index, SynthOptions o) : target(index, o) {}
  absl::Mutex mu;
  SynthTarget target ABSL_GUARDED_BY(mu);
  httplib::Server server;
  std::thread thread;
};

absl::StatusOr<std::unique_ptr<SynthServer>> SynthServer::Start(const std::string& host, int first_port,
                                                                int targets, SynthOptions opts) {
  std::unique_ptr<SynthServer> s(new SynthServer());
  for (int i = 0; i < targets; ++i) {
    auto inst = std::make_unique<Instance>(i, opts);
    Instance* raw = inst.get();
    raw->server.new_task_queue = [] { return new httplib::ThreadPool(1); };
    raw->server.Get("/metrics", [raw](const httplib::Request&, httplib::Response& res) {
      absl::MutexLock l(&raw->mu);
      res.set_content(raw->target.NextBody(), "text/plain; version=0.0.4; charset=utf-8");
    });
    int port = first_port == 0 ? raw->server.bind_to_any_port(host) : first_port + i;
    if (first_port != 0 && !raw->server.bind_to_port(host, port)) {
      s->Stop();
      return absl::UnavailableError(absl::StrCat("synth: cannot listen on ", host, ":", port));
    }
    if (port <= 0) return absl::UnavailableError(absl::StrCat("synth: cannot bind ", host));
    raw->thread = std::thread([raw] { raw->server.listen_after_bind(); });
    s->ports_.push_back(port);
    s->instances_.push_back(std::move(inst));
  }
  // listen_after_bind only accepts; the socket is already bound and queues
  // connections, so clients can connect as soon as Start returns.
  return s;
}

SynthServer::~SynthServer() { Stop(); }

void SynthServer::Stop() {
  for (auto& inst : instances_) {
    // stop() is a no-op until listen has started; wait for it (bounded).
    for (int i = 0; i < 2000 && inst->thread.joinable() && !inst->server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    inst->server.stop();
  }
  for (auto& inst : instances_) {
    if (inst->thread.joinable()) inst->thread.join();
  }
}

}  // namespace promlet::scrape
