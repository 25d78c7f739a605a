// A full disk while blocks are written: block writes, compactions and the
// DB's head -> block cuts go through a base::Env, here a FaultInjectionEnv
// whose write budget runs out at every stage of the write (chunk file,
// index, meta.json, checkpoint). Each failure must leave no partial or
// corrupt block behind and lose nothing; once space is back the write
// succeeds.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "base/env.h"
#include "base/fault_injection_env.h"
#include "base/logging.h"
#include "gtest/gtest.h"
#include "storage/api/mem_storage.h"
#include "storage/block/block_reader.h"
#include "storage/block/block_format.h"
#include "storage/block/block_writer.h"
#include "storage/block/compactor.h"
#include "storage/block/merge.h"
#include "storage/block/meta.h"
#include "storage/db/db.h"
#include "storage/wal/wal_format.h"
#include "tests/storage/block/test_util.h"
#include "tests/storage/db/db_test_util.h"

namespace promlet::storage::block {
namespace {

using testing::AllSeries;
using testing::Collect;
using testing::ExpectSame;
using testing::TempDir;

constexpr int64_t kT0 = 1700006400000;  // 2 h aligned
constexpr int64_t kH = 3600 * 1000;

// Every entry of `dir` is a complete block that opens (no *.tmp, nothing
// moved aside); returns how many there are.
size_t ExpectOnlyCompleteBlocks(const std::string& dir) {
  auto names = ListDir(dir);
  EXPECT_TRUE(names.ok()) << names.status();
  size_t blocks = 0;
  for (const std::string& n : names.ok() ? *names : std::vector<std::string>{}) {
    if (!IsUlid(n)) continue;
    auto r = BlockReader::Open(dir + "/" + n);
    EXPECT_TRUE(r.ok()) << n << ": " << r.status();
    ++blocks;
  }
  for (const std::string& n : names.ok() ? *names : std::vector<std::string>{}) {
    EXPECT_FALSE(absl::EndsWith(n, kTmpSuffix) || absl::EndsWith(n, kCorruptSuffix) ||
                 absl::EndsWith(n, kDeletedSuffix))
        << "left behind: " << n;
  }
  return blocks;
}

TEST(BlockDiskFullTest, WriteBlockFailsCleanlyAtEveryBudget) {
  base::SetLogLevel(base::LogLevel::kError);
  MemStorage model;
  testing::FillModel(&model, 3, 4, 12, kT0, 400);
  auto select = [&] { return (*model.NewQuerier())->Select(INT64_MIN, INT64_MAX, AllSeries()); };
  base::FaultInjectionEnv env(base::Env::Default());
  env.SetSkipDiskSync(true);
  int64_t needed = 0;
  {
    TempDir dir;
    WriteBlockOptions o;
    o.env = &env;
    auto set = select();
    ASSERT_TRUE(WriteBlock(dir.path(), set.get(), kT0, kT0 + 2 * kH, o).ok());
    needed = env.bytes_written();
  }
  ASSERT_GT(needed, 1000);
  // Budgets across the whole write, and byte by byte near its end (index
  // and meta.json are the last files).
  std::vector<int64_t> budgets;
  for (int64_t b = 0; b < needed; b += needed / 40 + 1) budgets.push_back(b);
  for (int64_t b = std::max<int64_t>(0, needed - 400); b < needed; b += 13) budgets.push_back(b);
  budgets.push_back(needed - 1);
  TempDir dir;
  for (int64_t budget : budgets) {
    SCOPED_TRACE(budget);
    env.SetWriteBudget(budget);
    WriteBlockOptions o;
    o.env = &env;
    auto set = select();
    absl::StatusOr<BlockMeta> m = WriteBlock(dir.path(), set.get(), kT0, kT0 + 2 * kH, o);
    ASSERT_EQ(m.status().code(), absl::StatusCode::kResourceExhausted) << m.status();
    ASSERT_EQ(ExpectOnlyCompleteBlocks(dir.path()), 0u);
  }
  env.SetWriteBudget(-1);  // space is back
  WriteBlockOptions o;
  o.env = &env;
  auto set = select();
  absl::StatusOr<BlockMeta> m = WriteBlock(dir.path(), set.get(), kT0, kT0 + 2 * kH, o);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(ExpectOnlyCompleteBlocks(dir.path()), 1u);
  auto r = BlockReader::Open(dir.path() + "/" + m->ulid);
  ASSERT_TRUE(r.ok()) << r.status();
  auto got = (*r)->Select(INT64_MIN, INT64_MAX, AllSeries());
  auto want = select();
  ExpectSame(Collect(got.get()), Collect(want.get()));
}

TEST(BlockDiskFullTest, CompactionFailsCleanlyAndSourcesKeepServing) {
  base::SetLogLevel(base::LogLevel::kError);
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 5, 3, 8, kT0, 1400);  // ~5.8 h: three 2 h blocks
  auto select = [&] { return (*model.NewQuerier())->Select(INT64_MIN, INT64_MAX, AllSeries()); };
  std::vector<std::string> dirs;
  for (int i = 0; i < 3; ++i) {
    auto set = select();
    auto m = WriteBlock(dir.path(), set.get(), kT0 + i * 2 * kH, kT0 + (i + 1) * 2 * kH);
    ASSERT_TRUE(m.ok()) << m.status();
    dirs.push_back(dir.path() + "/" + m->ulid);
  }
  base::FaultInjectionEnv env(base::Env::Default());
  env.SetSkipDiskSync(true);
  Compactor compactor(CompactionRanges(2 * kH, 30 * 24 * kH), &env);
  int failures = 0;
  absl::StatusOr<BlockMeta> merged;
  for (int64_t budget = 0;; budget += 4000) {
    SCOPED_TRACE(budget);
    env.SetWriteBudget(budget);
    merged = compactor.Compact(dir.path(), dirs);
    if (merged.ok()) break;
    ++failures;
    ASSERT_EQ(merged.status().code(), absl::StatusCode::kResourceExhausted) << merged.status();
    ASSERT_EQ(ExpectOnlyCompleteBlocks(dir.path()), 3u);
    // The sources still hold every sample.
    std::vector<std::unique_ptr<SeriesSet>> sets;
    std::vector<std::unique_ptr<BlockReader>> readers;
    for (const std::string& d : dirs) {
      readers.push_back(*BlockReader::Open(d));
      sets.push_back(readers.back()->SelectAll(INT64_MIN, INT64_MAX));
    }
    auto got = MergeSeriesSets(std::move(sets));
    auto want = select();
    ExpectSame(Collect(got.get()), Collect(want.get()));
  }
  std::cout << "compaction failed cleanly " << failures << " times" << std::endl;
  EXPECT_GT(failures, 3);
  for (const std::string& d : dirs) ASSERT_TRUE(DeleteBlock(d, &env).ok());
  ASSERT_EQ(ExpectOnlyCompleteBlocks(dir.path()), 1u);
  auto r = BlockReader::Open(dir.path() + "/" + merged->ulid);
  ASSERT_TRUE(r.ok()) << r.status();
  auto got = (*r)->Select(INT64_MIN, INT64_MAX, AllSeries());
  auto want = select();
  ExpectSame(Collect(got.get()), Collect(want.get()));
}

// The DB: the disk fills after the samples were committed; every Compact()
// (head -> block cuts, WAL checkpoint, block compaction) runs out of space
// somewhere else. The DB keeps serving every sample, leaves only complete
// blocks, and cuts them once space is back; a reopen finds the same data.
TEST(DBDiskFullTest, BlockCutAndCompactionOnFullDiskLoseNothing) {
  base::SetLogLevel(base::LogLevel::kError);
  TempDir dir;
  base::FaultInjectionEnv env(base::Env::Default());
  env.SetSkipDiskSync(true);
  db::DBOptions opts;
  opts.block_range_ms = 1000;
  opts.retention_ms = 0;
  opts.compaction_interval = absl::ZeroDuration();
  opts.wal.sync_interval = absl::ZeroDuration();
  opts.wal.segment_size_bytes = wal::kPageSize * 2;
  MemStorage model;
  auto db = db::DB::Open(&env, dir.path(), opts);
  ASSERT_TRUE(db.ok()) << db.status();
  {
    // 20 series, a sample every 10 ms for 8 s: 8 block ranges.
    auto app = (*db)->NewAppender();
    auto mapp = model.NewAppender();
    for (int64_t t = 0; t < 8000; t += 10) {
      for (int i = 0; i < 20; ++i) {
        Labels l = Labels::FromPairs({{"__name__", i % 2 ? "a" : "b"}, {"i", std::to_string(i)}});
        const double v = i % 3 == 0 ? static_cast<double>(t / 10 * i) : t * 0.25 + i;
        ASSERT_TRUE(app->Append(0, l, t, v).ok());
        ASSERT_TRUE(mapp->Append(0, l, t, v).ok());
      }
      ASSERT_TRUE(app->Commit().ok());
      ASSERT_TRUE(mapp->Commit().ok());
    }
  }
  const auto want = db::testutil::Dump(&model, INT64_MIN, INT64_MAX, AllSeries());
  env.SetNoSpace(true);
  EXPECT_EQ((*db)->Compact().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ExpectOnlyCompleteBlocks(dir.path()), 0u);
  EXPECT_EQ(db::testutil::Dump(db->get(), INT64_MIN, INT64_MAX, AllSeries()), want);
  env.SetNoSpace(false);
  // Growing budgets: each Compact() gets further (some cuts and checkpoints
  // succeed) before the disk is full again.
  int failures = 0;
  for (int64_t budget = 0; failures < 500; budget += 60) {
    SCOPED_TRACE(budget);
    env.SetWriteBudget(budget);
    absl::Status st = (*db)->Compact();
    ASSERT_EQ(ExpectOnlyCompleteBlocks(dir.path()), (*db)->Stats().num_blocks);
    ASSERT_EQ(db::testutil::Dump(db->get(), INT64_MIN, INT64_MAX, AllSeries()), want);
    if (st.ok()) break;
    ASSERT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
    ++failures;
  }
  std::cout << "DB Compact() failed cleanly " << failures << " times" << std::endl;
  EXPECT_GT(failures, 3);
  env.SetWriteBudget(-1);
  ASSERT_TRUE((*db)->Compact().ok());
  const db::DBStats stats = (*db)->Stats();
  EXPECT_GT(stats.head_blocks_written, 0u);
  EXPECT_GT(stats.compactions, 0u);
  EXPECT_GT(stats.compaction_failures, 3u);
  ASSERT_TRUE((*db)->Close().ok());
  db->reset();
  // What the failed attempts left (WAL, checkpoints, blocks) reopens to the same data.
  auto reopened = db::DB::Open(base::Env::Default(), dir.path(), opts);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(ExpectOnlyCompleteBlocks(dir.path()), (*reopened)->Stats().num_blocks);
  EXPECT_EQ(db::testutil::Dump(reopened->get(), INT64_MIN, INT64_MAX, AllSeries()), want);
  base::SetLogLevel(base::LogLevel::kInfo);
}

}  // namespace
}  // namespace promlet::storage::block
