// DB append throughput with the WAL on: a steady scrape-like workload
// (cached refs, one commit per scrape of N series, every commit written to
// the WAL with write(2); fdatasync in the WAL's background thread every 1 s).
#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/env.h"
#include "benchmark/benchmark.h"
#include "storage/db/db.h"

namespace promlet::storage::db {
namespace {

Labels SeriesLabels(int i) {
  return Labels::FromPairs({{"__name__", absl::StrCat("metric_", i % 200)},
                            {"instance", absl::StrCat("host-", i / 200, ":9100")},
                            {"job", "node"},
                            {"env", "prod"}});
}

std::string TempDir() {
  std::string tmpl = "/tmp/promlet_db_bench_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) abort();
  return tmpl;
}

// One iteration = one scrape of state.range(0) series, committed at once.
void BM_DB_AppendCachedRefs(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string dir = TempDir();
  DBOptions opts;
  opts.compaction_interval = absl::ZeroDuration();
  auto db = DB::Open(base::Env::Default(), dir, opts);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  std::vector<SeriesRef> refs(n);
  auto app = (*db)->NewAppender();
  for (int i = 0; i < n; ++i) refs[i] = *app->Append(0, SeriesLabels(i), 0, 0);
  (void)app->Commit();
  int64_t t = 0;
  double v = 0;
  for (auto _ : state) {
    t += 15000;
    v += 1;
    for (int i = 0; i < n; ++i) benchmark::DoNotOptimize(app->Append(refs[i], {}, t, v + i % 7));
    if (!app->Commit().ok()) state.SkipWithError("commit failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["wal_bytes_per_sample"] =
      static_cast<double>((*db)->Stats().wal.bytes_written) / (state.iterations() * n + n);
  db->reset();
  (void)base::Env::Default()->RemoveDirRecursive(dir);
}
BENCHMARK(BM_DB_AppendCachedRefs)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace promlet::storage::db

BENCHMARK_MAIN();
