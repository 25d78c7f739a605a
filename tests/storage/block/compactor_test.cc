#include "storage/block/compactor.h"

#include "gtest/gtest.h"
#include "storage/block/block_writer.h"
#include "storage/block/retention.h"
#include "tests/storage/block/test_util.h"

namespace promlet::storage::block {
namespace {

using testing::AllSeries;
using testing::Collect;
using testing::ExpectSame;
using testing::TempDir;

constexpr int64_t kH = 3600 * 1000;
constexpr int64_t kT0 = 1700006400000;  // 2h aligned

BlockMeta M(std::string ulid, int64_t mint, int64_t maxt) {
  BlockMeta m;
  m.ulid = std::move(ulid);
  m.min_time_ms = mint;
  m.max_time_ms = maxt;
  return m;
}

TEST(CompactorTest, Ranges) {
  EXPECT_EQ(CompactionRanges(2 * kH, 15 * 24 * kH),
            (std::vector<int64_t>{2 * kH, 6 * kH, 18 * kH}));
  EXPECT_EQ(CompactionRanges(2 * kH, 0), std::vector<int64_t>{2 * kH});
}

TEST(CompactorTest, Plan) {
  Compactor c(CompactionRanges(2 * kH, 30 * 24 * kH));
  auto plan = [&](std::vector<BlockMeta> b) { return c.Plan(b); };
  using V = std::vector<std::string>;
  EXPECT_EQ(plan({}), V{});
  EXPECT_EQ(plan({M("a", 0, 2 * kH)}), V{});
  // Three adjacent 2h blocks fill a 6h range, but the newest is left alone.
  EXPECT_EQ(plan({M("a", 0, 2 * kH), M("b", 2 * kH, 4 * kH), M("c", 4 * kH, 6 * kH)}), V{});
  // Once newer data exists, the complete 6h range compacts.
  EXPECT_EQ(plan({M("a", 0, 2 * kH), M("b", 2 * kH, 4 * kH), M("c", 4 * kH, 6 * kH),
                  M("d", 6 * kH, 8 * kH)}),
            (V{"a", "b", "c"}));
  // Overlap first.
  EXPECT_EQ(plan({M("a", 0, 2 * kH), M("b", kH, 3 * kH), M("c", 8 * kH, 10 * kH)}), (V{"a", "b"}));
}

TEST(CompactorTest, CompactMatchesModel) {
  TempDir dir;
  MemStorage all;
  testing::FillModel(&all, 9, 3, 8, kT0, 1400);  // ~5.8 h
  // Three 2h blocks plus one overlapping block duplicating part of the data.
  std::vector<std::string> dirs;
  for (int i = 0; i < 3; ++i) {
    auto q = *all.NewQuerier();
    auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
    auto m = WriteBlock(dir.path(), set.get(), kT0 + i * 2 * kH, kT0 + (i + 1) * 2 * kH);
    ASSERT_TRUE(m.ok()) << m.status();
    dirs.push_back(dir.path() + "/" + m->ulid);
  }
  {
    auto q = *all.NewQuerier();
    auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
    auto m = WriteBlock(dir.path(), set.get(), kT0 + kH, kT0 + 3 * kH);
    ASSERT_TRUE(m.ok());
    dirs.push_back(dir.path() + "/" + m->ulid);
  }
  Compactor c(CompactionRanges(2 * kH, 30 * 24 * kH));
  auto meta = c.Compact(dir.path(), dirs);
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->compaction_level, 2);
  EXPECT_EQ(meta->sources.size(), 4u);
  EXPECT_EQ(meta->min_time_ms, kT0);
  EXPECT_EQ(meta->max_time_ms, kT0 + 6 * kH);
  for (const auto& d : dirs) ASSERT_TRUE(DeleteBlock(d).ok());
  auto blocks = OpenBlocks(dir.path());
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 1u);
  auto got = (*blocks)[0]->Select(INT64_MIN, INT64_MAX, AllSeries());
  auto q = *all.NewQuerier();
  auto want = q->Select(INT64_MIN, INT64_MAX, AllSeries());
  ExpectSame(Collect(got.get()), Collect(want.get()));
  EXPECT_EQ((*blocks)[0]->meta().stats.num_samples, all.NumSamples());
}

TEST(RetentionTest, Plan) {
  auto b = [](std::string u, int64_t mint, int64_t maxt, uint64_t size) {
    return BlockSize{M(std::move(u), mint, maxt), size};
  };
  std::vector<BlockSize> blocks = {b("a", 0, 2 * kH, 100), b("b", 2 * kH, 4 * kH, 100),
                                   b("c", 4 * kH, 6 * kH, 100), b("d", 6 * kH, 8 * kH, 100)};
  using V = std::vector<std::string>;
  RetentionOptions o;
  o.retention_ms = 5 * kH;
  EXPECT_EQ(RetentionPlan(blocks, o), (V{"a"}));  // 8h - 2h > 5h
  o.retention_ms = 0;
  o.max_bytes = 250;
  EXPECT_EQ(RetentionPlan(blocks, o), (V{"a", "b"}));
  o.other_bytes = 100;
  EXPECT_EQ(RetentionPlan(blocks, o), (V{"a", "b", "c"}));
  o = RetentionOptions();
  EXPECT_EQ(RetentionPlan(blocks, o), V{});
}

TEST(RetentionTest, ApplyDeletesOldest) {
  TempDir dir;
  MemStorage all;
  testing::FillModel(&all, 2, 1, 4, kT0, 1400);
  std::vector<std::string> ulids;
  for (int i = 0; i < 3; ++i) {
    auto q = *all.NewQuerier();
    auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
    auto m = WriteBlock(dir.path(), set.get(), kT0 + i * 2 * kH, kT0 + (i + 1) * 2 * kH);
    ASSERT_TRUE(m.ok());
    ulids.push_back(m->ulid);
  }
  RetentionOptions o;
  o.retention_ms = 3 * kH;
  auto deleted = ApplyRetention(dir.path(), o);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, std::vector<std::string>{ulids[0]});
  auto left = ListBlockDirs(dir.path());
  std::sort(ulids.begin(), ulids.end());
  EXPECT_EQ(left->size(), 2u);
}

}  // namespace
}  // namespace promlet::storage::block
