// RSS per active series in the head, marginal between 100k and 1M series,
// each with 10 label pairs (node_exporter-like: 500 metric names x 2000
// targets, with job/env/region/zone/cluster/namespace/team/shard labels).
//
//   storage_head_rss [samples_per_series=1] [max_series=1000000] [chunk_dir]
//
// With chunk_dir, full chunks go to page files there (as in the DB, whose
// default is <data>/chunks_head), without it to anonymous memory.
// Each population (100k, then max_series) is built in a child process of its
// own, scraped like a real head: every series gets a sample at each 15 s step
// (one commit per 1000 series), so a head can hold 3 h (720 samples) without
// the second population falling behind the head's lower time bound. Prints
// each child's RSS (from /proc/self/statm) and the marginal bytes per series.
#include <sys/wait.h>
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

// Builds a head with `num_series` series of `samples` samples each and
// returns the process's RSS growth.
size_t BuildHead(int samples, int num_series, const char* chunk_dir, size_t* num_symbols) {
  promlet::storage::head::HeadOptions opts;
  if (chunk_dir != nullptr) opts.chunk_dir = chunk_dir;
  const size_t rss0 = RssBytes();
  promlet::storage::head::Head head(opts);
  std::vector<SeriesRef> refs;
  refs.reserve(num_series);
  auto app = head.NewAppender();
  for (int i = 0; i < num_series; ++i) {
    refs.push_back(*app->Append(0, SeriesLabels(i), 0, static_cast<double>(i % 100)));
    if (i % 1000 == 999) (void)app->Commit();
  }
  (void)app->Commit();
  for (int s = 1; s < samples; ++s) {
    for (int i = 0; i < num_series; ++i) {
      (void)*app->Append(refs[i], {}, s * 15000 + i % 7, static_cast<double>(i % 100 + s));
      if (i % 1000 == 999) (void)app->Commit();
    }
    (void)app->Commit();
  }
  *num_symbols = head.symbols().size();
  // refs is the caller's cache, not the head's: 8 bytes per series.
  return RssBytes() - rss0 - refs.capacity() * sizeof(SeriesRef);
}

// Runs BuildHead in a child, so each population starts from a fresh heap.
size_t BuildHeadInChild(int samples, int num_series, const char* chunk_dir,
                        size_t* num_symbols) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  const pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    close(fds[0]);
    size_t out[2];
    out[0] = BuildHead(samples, num_series, chunk_dir, &out[1]);
    if (write(fds[1], out, sizeof out) != static_cast<ssize_t>(sizeof out)) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  size_t in[2] = {0, 0};
  const ssize_t n = read(fds[0], in, sizeof in);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof in) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child for %d series failed\n", num_series);
    std::exit(1);
  }
  *num_symbols = in[1];
  return in[0];
}

}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::atoi(argv[1]) : 1;
  const int max_series = argc > 2 ? std::atoi(argv[2]) : 1000000;
  const char* chunk_dir = argc > 3 ? argv[3] : nullptr;
  const int first = std::min(100000, max_series - 1);
  size_t symbols1 = 0, symbols2 = 0;
  const size_t rss1 = BuildHeadInChild(samples, first, chunk_dir, &symbols1);
  const size_t rss2 = BuildHeadInChild(samples, max_series, chunk_dir, &symbols2);
  const double marginal = (static_cast<double>(rss2) - rss1) / (max_series - first);
  std::printf("samples_per_series=%d chunk_dir=%s\n", samples, chunk_dir ? chunk_dir : "(none)");
  std::printf("rss_growth_%d=%zu rss_growth_%d=%zu\n", first, rss1, max_series, rss2);
  std::printf("rss_bytes_per_series_marginal=%.1f (excluding the bench's 8-byte ref cache)\n",
              marginal);
  std::printf("symbols_%d=%zu symbols_%d=%zu\n", first, symbols1, max_series, symbols2);
  return 0;
}
