#include "tools/server/metrics_registry.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace promlet::tools {
namespace {

void AppendEscaped(std::string* out, std::string_view s, bool quote_escape) {
  for (char c : s) {
    if (c == '\\') out->append("\\\\");
    else if (c == '\n') out->append("\\n");
    else if (c == '"' && quote_escape) out->append("\\\"");
    else out->push_back(c);
  }
}

}  // namespace

void AppendMetricValue(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, r.ptr);
  }
}

void MetricsWriter::Family(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).push_back(' ');
  AppendEscaped(&out_, help, /*quote_escape=*/false);
  out_.append("\n# TYPE ").append(name).push_back(' ');
  out_.append(type).push_back('\n');
}

void MetricsWriter::Sample(std::string_view name, const MetricLabels& labels, double value) {
  out_.append(name);
  if (!labels.empty()) {
    out_.push_back('{');
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out_.push_back(',');
      out_.append(labels[i].first).append("=\"");
      AppendEscaped(&out_, labels[i].second, /*quote_escape=*/true);
      out_.push_back('"');
    }
    out_.push_back('}');
  }
  out_.push_back(' ');
  AppendMetricValue(&out_, value);
  out_.push_back('\n');
}

void HttpMetrics::Observe(const std::string& handler, int code, double seconds) {
  absl::MutexLock lock(&mu_);
  ++requests_[{handler, code}];
  Histogram& h = durations_[handler];
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void HttpMetrics::Collect(MetricsWriter& w) const {
  absl::MutexLock lock(&mu_);
  w.Family("promlet_http_requests_total", "Counter of HTTP requests.", "counter");
  for (const auto& [key, n] : requests_) {
    w.Sample("promlet_http_requests_total", {{"code", std::to_string(key.second)}, {"handler", key.first}},
             static_cast<double>(n));
  }
  w.Family("promlet_http_request_duration_seconds", "Histogram of latencies for HTTP requests.",
           "histogram");
  for (const auto& [handler, h] : durations_) {
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      std::string le;
      AppendMetricValue(&le, kBuckets[i]);
      w.Sample("promlet_http_request_duration_seconds_bucket", {{"handler", handler}, {"le", le}},
               static_cast<double>(h.buckets[i]));
    }
    w.Sample("promlet_http_request_duration_seconds_bucket", {{"handler", handler}, {"le", "+Inf"}},
             static_cast<double>(h.count));
    w.Sample("promlet_http_request_duration_seconds_sum", {{"handler", handler}}, h.sum);
    w.Sample("promlet_http_request_duration_seconds_count", {{"handler", handler}},
             static_cast<double>(h.count));
  }
}

void Summary::Observe(double v, absl::Time now) {
  absl::MutexLock lock(&mu_);
  sum_ += v;
  ++count_;
  recent_.emplace_back(now, v);
  if (recent_.size() > max_kept_) recent_.pop_front();
}

void Summary::Collect(MetricsWriter& w, std::string_view name, const MetricLabels& labels,
                      absl::Time now) const {
  std::vector<double> values;
  double sum;
  uint64_t count;
  {
    absl::MutexLock lock(&mu_);
    while (!recent_.empty() && recent_.front().first < now - window_) recent_.pop_front();
    values.reserve(recent_.size());
    for (const auto& [t, v] : recent_) values.push_back(v);
    sum = sum_;
    count = count_;
  }
  std::sort(values.begin(), values.end());
  for (const auto& [q, text] : {std::pair{0.5, "0.5"}, {0.9, "0.9"}, {0.99, "0.99"}}) {
    double v = std::nan("");
    if (!values.empty()) {
      // Nearest rank: the smallest value with at least q of them <= it.
      size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
      v = values[std::clamp<size_t>(rank, 1, values.size()) - 1];
    }
    MetricLabels with_q = labels;
    with_q.emplace_back("quantile", text);
    w.Sample(name, with_q, v);
  }
  w.Sample(std::string(name) + "_sum", labels, sum);
  w.Sample(std::string(name) + "_count", labels, static_cast<double>(count));
}

void MetricsRegistry::AddCollector(std::function<void(MetricsWriter&)> collector) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::Render() const {
  MetricsWriter w;
  absl::MutexLock lock(&mu_);
  for (const auto& c : collectors_) c(w);
  return w.body();
}

void CollectProcessMetrics(MetricsWriter& w, double start_time_seconds) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double utime = 0, stime = 0, vsize = 0, rss = 0;
  {
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the parenthesised command name, which may hold spaces.
    size_t close = stat.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(stat.substr(close + 2));
      std::vector<std::string> f;
      for (std::string x; rest >> x;) f.push_back(x);
      // f[0] is field 3 (state); utime=14, stime=15, vsize=23, rss=24.
      if (f.size() > 22) {
        utime = std::stod(f[11]) / ticks;
        stime = std::stod(f[12]) / ticks;
        vsize = std::stod(f[20]);
        rss = std::stod(f[21]) * page;
      }
    }
  }
  int fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++fds;
    }
    closedir(d);
    --fds;  // the DIR's own descriptor
  }
  struct rlimit lim {};
  getrlimit(RLIMIT_NOFILE, &lim);
  w.Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
  w.Sample("process_cpu_seconds_total", {}, utime + stime);
  w.Family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
  w.Sample("process_resident_memory_bytes", {}, rss);
  w.Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge");
  w.Sample("process_virtual_memory_bytes", {}, vsize);
  w.Family("process_open_fds", "Number of open file descriptors.", "gauge");
  w.Sample("process_open_fds", {}, fds);
  w.Family("process_max_fds", "Maximum number of open file descriptors.", "gauge");
  w.Sample("process_max_fds", {}, static_cast<double>(lim.rlim_cur));
  w.Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
           "gauge");
  w.Sample("process_start_time_seconds", {}, start_time_seconds);
}

}  // namespace promlet::tools
