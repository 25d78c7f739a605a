// BM_TextParse_*: throughput of the exposition parser on (a) a ~1 MB
// node_exporter-like body (HELP/TYPE, many label pairs, histograms) and
// (b) a 100k-series high-cardinality body, in both formats. Goal: >= 1 GB/s
// per core. Variants:
//   *_Series  what a steady scrape does: Next() + series() + value()
//             (the scrape cache hit path; labels are not decoded)
//   *_Labels  also decodes every label set (cache miss / import path)
// Every benchmark reports allocs_per_sample, counted by the replaced global
// operator new below over the timed loop; it must read 0.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

#include "benchmark/benchmark.h"
#include "scrape/textparse/parser.h"

#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<int64_t> g_news{0};
}  // namespace

void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace promlet::scrape::textparse {
namespace {

// A node_exporter-shaped exposition of about `target_bytes`: per-CPU mode
// counters, filesystem gauges with device/fstype/mountpoint, network
// counters, disk histograms, Go runtime summaries; HELP/TYPE per family.
// OpenMetrics adds `_total`, float-second timestamps and a final # EOF.
std::string NodeExporterBody(size_t target_bytes, bool om, uint32_t seed) {
  std::mt19937 rng(seed);
  auto num = [&] { return std::to_string(rng() % 100000000) + "." + std::to_string(rng() % 1000); };
  auto ts = [&]() -> std::string { return om ? " 1700000000.123" : ""; };
  std::string b;
  int round = 0;
  while (b.size() < target_bytes) {
    std::string r = std::to_string(round++);
    std::string cpu = "node_cpu_seconds_" + r;
    b += "# HELP " + cpu + " Seconds the CPUs spent in each mode.\n# TYPE " + cpu + " counter\n";
    for (int c = 0; c < 16; ++c) {
      for (const char* mode : {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"}) {
        b += cpu + (om ? "_total" : "") + "{cpu=\"" + std::to_string(c) + "\",mode=\"" + mode + "\"} " + num() + ts() + "\n";
      }
    }
    std::string fs = "node_filesystem_avail_bytes_" + r;
    b += "# HELP " + fs + " Filesystem space available to non-root users in bytes.\n# TYPE " + fs + " gauge\n";
    for (int d = 0; d < 12; ++d) {
      b += fs + "{device=\"/dev/nvme0n1p" + std::to_string(d) + "\",fstype=\"ext4\",mountpoint=\"/var/lib/data" +
           std::to_string(d) + "\"} " + std::to_string(rng() % 1000000000) + "e3" + ts() + "\n";
    }
    std::string net = "node_network_receive_bytes_" + r;
    b += "# HELP " + net + " Network device statistic receive_bytes.\n# TYPE " + net + " counter\n";
    for (const char* dev : {"eth0", "eth1", "lo", "docker0", "veth1a2b3c", "wlan0"}) {
      b += net + (om ? "_total" : "") + "{device=\"" + dev + "\"} " + num() + ts() + "\n";
    }
    std::string h = "node_disk_io_time_seconds_" + r;
    b += "# HELP " + h + " Histogram of disk I/O latency.\n# TYPE " + h + " histogram\n";
    for (const char* dev : {"nvme0n1", "sda", "sdb"}) {
      uint64_t cum = 0;
      for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                             "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}) {
        cum += rng() % 1000;
        b += h + "_bucket{device=\"" + dev + "\",le=\"" + le + "\"} " + std::to_string(cum) + ts() + "\n";
      }
      b += h + "_sum{device=\"" + dev + "\"} " + num() + ts() + "\n";
      b += h + "_count{device=\"" + dev + "\"} " + std::to_string(cum) + ts() + "\n";
    }
    std::string gc = "go_gc_duration_seconds_" + r;
    b += "# HELP " + gc + " A summary of the pause duration of garbage collection cycles.\n# TYPE " + gc + " summary\n";
    for (const char* q : {"0", "0.25", "0.5", "0.75", "1"}) {
      b += gc + "{quantile=\"" + q + "\"} 3.4012e-05" + ts() + "\n";
    }
    b += gc + "_sum 0.123456" + ts() + "\n" + gc + "_count 5678" + ts() + "\n";
    std::string info = "node_uname_info_" + r;
    b += "# HELP " + info + " Labeled system information as provided by the uname system call.\n# TYPE " + info + " gauge\n";
    b += info + "{domainname=\"(none)\",machine=\"x86_64\",nodename=\"host-42\",release=\"6.1.0-13-amd64\","
                "sysname=\"Linux\",version=\"#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)\"} 1" + ts() + "\n";
  }
  if (om) b += "# EOF\n";
  return b;
}

// 100k series of one family, each with six labels of realistic lengths.
std::string HighCardinalityBody(int series, bool om, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string b = "# HELP http_requests Requests served.\n# TYPE http_requests counter\n";
  const char* methods[] = {"GET", "POST", "PUT", "DELETE"};
  for (int i = 0; i < series; ++i) {
    b += om ? "http_requests_total{" : "http_requests_total{";
    b += "method=\"" + std::string(methods[i % 4]) + "\",handler=\"/api/v1/resource/" + std::to_string(i) +
         "\",status=\"" + std::to_string(200 + (i % 5)) + "\",instance=\"10.0." + std::to_string((i / 256) % 256) +
         "." + std::to_string(i % 256) + ":9100\",pod=\"web-7d9c8b" + std::to_string(rng() % 100000) +
         "-x" + std::to_string(i) + "\",namespace=\"prod\"} " + std::to_string(rng() % 10000000);
    b += om ? " 1700000000.5\n" : "\n";
  }
  if (om) b += "# EOF\n";
  return b;
}

void Run(benchmark::State& state, const std::string& body, Format f, bool decode_labels) {
  ParserOptions o;
  o.format = f;
  Parser p(o);
  int64_t samples = 0, allocs = 0;
  // Warm-up: grow the parser's buffers once.
  p.Reset(body);
  for (Entry e; (e = p.Next()) != Entry::kEof && e != Entry::kError;) {
    if (e == Entry::kSeries) p.labels();
  }
  for (auto _ : state) {
    p.Reset(body);
    int64_t before = g_news.load(std::memory_order_relaxed);
    for (;;) {
      Entry e = p.Next();
      if (e == Entry::kSeries) {
        ++samples;
        benchmark::DoNotOptimize(p.series().data());
        benchmark::DoNotOptimize(p.value());
        if (decode_labels) benchmark::DoNotOptimize(p.labels().data());
      } else if (e == Entry::kEof) {
        break;
      } else if (e == Entry::kError) {
        state.SkipWithError(std::string(p.status().message()).c_str());
        return;
      }
    }
    allocs += g_news.load(std::memory_order_relaxed) - before;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(samples);
  state.counters["body_bytes"] = static_cast<double>(body.size());
  state.counters["allocs_per_sample"] = samples ? static_cast<double>(allocs) / samples : 0;
}

const std::string& Node(bool om) {
  static const std::string text = NodeExporterBody(1 << 20, false, 42);
  static const std::string omb = NodeExporterBody(1 << 20, true, 42);
  return om ? omb : text;
}
const std::string& HighCard(bool om) {
  static const std::string text = HighCardinalityBody(100000, false, 7);
  static const std::string omb = HighCardinalityBody(100000, true, 7);
  return om ? omb : text;
}

void BM_TextParse_NodeExporter_Series(benchmark::State& s) { Run(s, Node(false), Format::kPrometheusText, false); }
void BM_TextParse_NodeExporter_Labels(benchmark::State& s) { Run(s, Node(false), Format::kPrometheusText, true); }
void BM_TextParse_HighCardinality_Series(benchmark::State& s) { Run(s, HighCard(false), Format::kPrometheusText, false); }
void BM_TextParse_HighCardinality_Labels(benchmark::State& s) { Run(s, HighCard(false), Format::kPrometheusText, true); }
void BM_TextParse_OpenMetricsNodeExporter_Series(benchmark::State& s) { Run(s, Node(true), Format::kOpenMetrics, false); }
void BM_TextParse_OpenMetricsNodeExporter_Labels(benchmark::State& s) { Run(s, Node(true), Format::kOpenMetrics, true); }
void BM_TextParse_OpenMetricsHighCardinality_Series(benchmark::State& s) { Run(s, HighCard(true), Format::kOpenMetrics, false); }
void BM_TextParse_OpenMetricsHighCardinality_Labels(benchmark::State& s) { Run(s, HighCard(true), Format::kOpenMetrics, true); }

BENCHMARK(BM_TextParse_NodeExporter_Series);
BENCHMARK(BM_TextParse_NodeExporter_Labels);
BENCHMARK(BM_TextParse_HighCardinality_Series);
BENCHMARK(BM_TextParse_HighCardinality_Labels);
BENCHMARK(BM_TextParse_OpenMetricsNodeExporter_Series);
BENCHMARK(BM_TextParse_OpenMetricsNodeExporter_Labels);
BENCHMARK(BM_TextParse_OpenMetricsHighCardinality_Series);
BENCHMARK(BM_TextParse_OpenMetricsHighCardinality_Labels);

}  // namespace
}  // namespace promlet::scrape::textparse

BENCHMARK_MAIN();
