#include "storage/block/backfill.h"

#include "gtest/gtest.h"
#include "storage/block/block_reader.h"
#include "storage/block/compactor.h"
#include "tests/storage/block/test_util.h"

namespace promlet::storage::block {
namespace {

using testing::AllSeries;
using testing::Collect;
using testing::TempDir;

constexpr int64_t kH = 3600 * 1000;
constexpr int64_t kT0 = 1700006400000;  // 2h aligned

TEST(BackfillTest, AlignedBlocksSortedDeduped) {
  TempDir dir;
  Backfill bf;
  Labels a = Labels::FromPairs({{"__name__", "a"}, {"x", "1"}});
  uint32_t ia = bf.AddSeries("a{x=\"1\"}", a);
  EXPECT_EQ(bf.Find("a{x=\"1\"}"), ia);
  EXPECT_FALSE(bf.Find("b").has_value());
  // Same labels written in another order share the series.
  Labels b = Labels::FromPairs({{"__name__", "b"}, {"x", "1"}, {"y", "2"}});
  uint32_t ib = bf.AddSeries("b{x=\"1\",y=\"2\"}", b);
  EXPECT_EQ(bf.AddSeries("b{y=\"2\",x=\"1\"}", b), ib);
  // Out of order and across three 2h ranges, with a gap range.
  bf.Append(ia, kT0 + 5 * kH, 3);
  bf.Append(ia, kT0 + 1000, 1);
  bf.Append(ia, kT0 + 1000, 9);  // repeated timestamp: first kept after stable sort
  bf.Append(ia, kT0 + 2 * kH, 2);
  bf.Append(ib, kT0 + 2 * kH + 1, 7);
  auto metas = bf.WriteBlocks(dir.path(), 2 * kH);
  ASSERT_TRUE(metas.ok()) << metas.status();
  ASSERT_EQ(metas->size(), 3u);
  auto blocks = OpenBlocks(dir.path());
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 3u);
  EXPECT_EQ((*blocks)[0]->meta().min_time_ms, kT0);
  EXPECT_EQ((*blocks)[1]->meta().min_time_ms, kT0 + 2 * kH);
  EXPECT_EQ((*blocks)[2]->meta().min_time_ms, kT0 + 4 * kH);
  EXPECT_EQ((*blocks)[2]->meta().max_time_ms, kT0 + 6 * kH);
  auto first = (*blocks)[0]->Select(INT64_MIN, INT64_MAX, AllSeries());
  auto got = Collect(first.get());
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].samples.size(), 1u);
  EXPECT_EQ(got[0].samples[0].value, 1);
  auto second = (*blocks)[1]->Select(INT64_MIN, INT64_MAX, AllSeries());
  got = Collect(second.get());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].labels, a);
  EXPECT_EQ(got[1].labels, b);
}

TEST(BackfillTest, FindAfterPredictsAndFallsBack) {
  Backfill bf;
  Labels a = Labels::FromPairs({{"__name__", "a"}});
  Labels b = Labels::FromPairs({{"__name__", "b"}});
  Labels c = Labels::FromPairs({{"__name__", "c"}});
  uint32_t ia = bf.AddSeries("a", a);
  uint32_t ib = bf.AddSeries("b", b);
  uint32_t ic = bf.AddSeries("c", c);
  EXPECT_EQ(bf.FindAfter(Backfill::kNoSeries, "a"), ia);
  EXPECT_EQ(bf.FindAfter(ia, "b"), ib);  // learns b after a
  EXPECT_EQ(bf.FindAfter(ia, "b"), ib);  // predicted
  EXPECT_EQ(bf.FindAfter(ia, "c"), ic);  // mispredicted: looked up
  EXPECT_EQ(bf.FindAfter(ia, "a"), ia);
  EXPECT_FALSE(bf.FindAfter(ia, "d").has_value());
  EXPECT_EQ(bf.FindAfter(ia, "a"), ia);  // a miss keeps the last prediction
  // A second key of a series predicts it too; merged parts keep working.
  EXPECT_EQ(bf.AddSeries("a{}", a), ia);
  EXPECT_EQ(bf.FindAfter(ib, "a{}"), ia);
  Backfill other;
  uint32_t oc = other.AddSeries("c", c);
  uint32_t od = other.AddSeries("d", Labels::FromPairs({{"__name__", "d"}}));
  EXPECT_EQ(other.FindAfter(oc, "d"), od);
  bf.MergeFrom(std::move(other));
  std::optional<uint32_t> id = bf.Find("d");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(bf.FindAfter(ic, "d"), id);
  EXPECT_EQ(bf.FindAfter(ic, "d"), id);
  EXPECT_EQ(bf.FindAfter(*id, "c"), ic);
  EXPECT_EQ(bf.num_series(), 4u);
}

}  // namespace
}  // namespace promlet::storage::block
