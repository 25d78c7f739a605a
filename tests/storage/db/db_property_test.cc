// Property test: random append sequences (seeded, printed) go to the DB and
// to MemStorage, the naive model; every Select answer must match across the
// head, WAL replay (reopen), block cuts and compaction.
#include <random>

#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/api/mem_storage.h"
#include "storage/db/db.h"
#include "tests/storage/db/db_test_util.h"

namespace promlet::storage::db {
namespace {

using testutil::Dump;
using testutil::ScopedTempDir;

TEST(DBProperty, RandomAppendsMatchModel) {
  const char* env_seed = std::getenv("PROMLET_SEED");
  const unsigned seed = env_seed ? std::atoi(env_seed) : std::random_device{}();
  std::printf("seed=%u (rerun with PROMLET_SEED=%u)\n", seed, seed);
  std::mt19937 rng(seed);
  ScopedTempDir dir;
  DBOptions opts;
  opts.compaction_interval = absl::ZeroDuration();
  opts.wal.sync_interval = absl::ZeroDuration();
  opts.wal.segment_size_bytes = 64 * 1024;
  opts.block_range_ms = 20000;
  opts.retention_ms = 0;
  opts.samples_per_chunk = 1 + rng() % 40;
  MemStorage model;
  auto db = DB::Open(base::Env::Default(), dir.path(), opts);
  ASSERT_TRUE(db.ok());

  std::vector<Labels> series;
  for (int i = 0; i < 16; ++i) {
    series.push_back(Labels::FromPairs({{"__name__", i % 3 ? "m" : "n"},
                                        {"i", std::to_string(i)},
                                        {"g", std::to_string(i % 4)}}));
  }
  std::vector<SeriesRef> refs(series.size(), 0);
  std::vector<int64_t> clock(series.size(), 0);
  const std::vector<Matchers> queries = {
      testutil::All(),
      {Matcher::Equal("__name__", "n")},
      {Matcher::Equal("g", "1"), Matcher::NotEqual("i", "5")},
      {*Matcher::Make(MatchType::kRegexMatch, "i", "1.|3")},
  };
  auto check = [&](const char* stage) {
    SCOPED_TRACE(stage);
    for (const Matchers& ms : queries) {
      for (int k = 0; k < 3; ++k) {
        int64_t a = rng() % 200000, b = rng() % 200000;
        if (k == 0) a = 0, b = 1LL << 40;
        if (a > b) std::swap(a, b);
        ASSERT_EQ(Dump(db->get(), a, b, ms), Dump(&model, a, b, ms))
            << "seed=" << seed << " range [" << a << "," << b << "]";
      }
    }
  };

  for (int round = 0; round < 12; ++round) {
    for (int batch = 0; batch < 25; ++batch) {
      auto app = (*db)->NewAppender();
      for (int k = 0, n = rng() % 40; k < n; ++k) {
        const size_t i = rng() % series.size();
        const int64_t t = clock[i] + static_cast<int64_t>(rng() % 1500) - 100;
        const uint32_t r = rng() % 20;
        const double v = r == 0 ? StaleNaN() : r == 1 ? std::nan("") : static_cast<double>(rng() % 7);
        // Half the appends use the cached ref, like a scrape cache.
        const bool use_ref = refs[i] != 0 && rng() % 2;
        auto res = app->Append(use_ref ? refs[i] : 0, use_ref ? Labels() : series[i], t, v);
        if (!res.ok()) continue;  // rejected: the model must not get it
        refs[i] = *res;
        auto mapp = model.NewAppender();
        ASSERT_TRUE(mapp->Append(0, series[i], t, v).ok());
        ASSERT_TRUE(mapp->Commit().ok()) << "DB accepted a sample the model rejects, seed=" << seed;
        clock[i] = std::max(clock[i], t);
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    check("head");
    switch (rng() % 3) {
      case 0:
        ASSERT_TRUE((*db)->Compact().ok());
        check("after compact");
        break;
      case 1:
        db->reset();
        db = DB::Open(base::Env::Default(), dir.path(), opts);
        ASSERT_TRUE(db.ok());
        std::fill(refs.begin(), refs.end(), 0);
        check("after reopen");
        break;
      default:
        ASSERT_TRUE((*db)->Compact().ok());
        db->reset();
        db = DB::Open(base::Env::Default(), dir.path(), opts);
        ASSERT_TRUE(db.ok());
        check("after compact + reopen");
        break;
    }
  }
  EXPECT_GT((*db)->Stats().num_blocks + (*db)->Stats().head_blocks_written, 0u);
}

}  // namespace
}  // namespace promlet::storage::db
