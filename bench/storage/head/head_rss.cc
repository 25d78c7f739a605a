// RSS per active series in the head, marginal between 100k and 1M series,
// each with 10 label pairs (node_exporter-like: 500 metric names x 2000
// targets, with job/env/region/zone/cluster/namespace/team/shard labels).
//
//   storage_head_rss [samples_per_series=1] [max_series=1000000] [chunk_dir]
//
// With chunk_dir, full chunks go to page files there (as in the DB, whose
// default is <data>/chunks_head), without it to anonymous memory.
// Prints RSS (from /proc/self/statm) after 100k and after max series and the
// marginal bytes per series.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "storage/head/head.h"
#include "storage/head/head_appender.h"

using promlet::storage::Labels;
using promlet::storage::SeriesRef;

namespace {

size_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages_total = 0, pages_rss = 0;
  f >> pages_total >> pages_rss;
  return pages_rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

Labels SeriesLabels(int i) {
  const int metric = i % 500, target = i / 500;
  return Labels::FromPairs({
      {"__name__", "node_metric_family_" + std::to_string(metric) + "_total"},
      {"instance", "10.1." + std::to_string(target / 250) + "." + std::to_string(target % 250) + ":9100"},
      {"job", "node-" + std::to_string(target % 5)},
      {"env", target % 2 ? "prod" : "staging"},
      {"region", "eu-west-" + std::to_string(target % 3)},
      {"zone", "eu-west-" + std::to_string(target % 3) + "abc"[target % 3]},
      {"cluster", "k8s-" + std::to_string(target % 8)},
      {"namespace", "ns-" + std::to_string(target % 40)},
      {"team", "team-" + std::to_string(target % 12)},
      {"shard", std::to_string(metric % 16)},
  });
}

}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::atoi(argv[1]) : 1;
  const int max_series = argc > 2 ? std::atoi(argv[2]) : 1000000;
  const int first = std::min(100000, max_series);
  promlet::storage::head::HeadOptions opts;
  if (argc > 3) opts.chunk_dir = argv[3];
  promlet::storage::head::Head head(opts);
  std::vector<SeriesRef> refs;
  refs.reserve(max_series);
  const size_t rss0 = RssBytes();
  auto app = head.NewAppender();
  auto populate = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      refs.push_back(*app->Append(0, SeriesLabels(i), 0, static_cast<double>(i % 100)));
      if (i % 1000 == 999) (void)app->Commit();
    }
    (void)app->Commit();
    for (int s = 1; s < samples; ++s) {
      for (int i = from; i < to; ++i) {
        (void)app->Append(refs[i], {}, s * 15000 + i % 7, static_cast<double>(i % 100 + s));
        if (i % 1000 == 999) (void)app->Commit();
      }
      (void)app->Commit();
    }
  };
  populate(0, first);
  const size_t rss1 = RssBytes();
  populate(first, max_series);
  const size_t rss2 = RssBytes();
  // refs is the caller's cache, not the head's: 8 bytes per series.
  const double marginal =
      (static_cast<double>(rss2) - rss1) / (max_series - first) - sizeof(SeriesRef);
  std::printf("samples_per_series=%d\n", samples);
  std::printf("rss_start=%zu rss_%d=%zu rss_%d=%zu\n", rss0, first, rss1, max_series, rss2);
  std::printf("rss_bytes_per_series_marginal=%.1f (excluding the bench's 8-byte ref cache)\n",
              marginal);
  std::printf("head_series=%zu symbols=%zu\n", head.NumSeries(), head.symbols().size());
  return 0;
}
