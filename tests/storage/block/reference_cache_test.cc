// ReferenceCache: decoded regression references shared by every query of a
// chunk file. Checks the cache itself, that queries fill and reuse it, and
// that concurrent queries sharing it read exactly what was written.
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "storage/block/block_reader.h"
#include "storage/block/block_writer.h"
#include "storage/block/chunk_file.h"
#include "tests/storage/block/test_util.h"

namespace promlet::storage::block {
namespace {

using testing::AllSeries;
using testing::Collect;
using testing::ExpectSame;
using testing::SeriesData;
using testing::TempDir;

constexpr int64_t kT0 = 1700000000000;
constexpr int64_t kHour = 3600 * 1000;

ReferenceCache::Ints MakeInts(std::vector<int64_t> v) {
  return std::make_shared<const std::vector<int64_t>>(std::move(v));
}

TEST(ReferenceCacheTest, FindMissesThenReturnsTheInsertedInts) {
  ReferenceCache cache;
  EXPECT_EQ(cache.Find(42), nullptr);
  ReferenceCache::Ints ints = MakeInts({1, 2, 3});
  cache.Insert(42, ints);
  EXPECT_EQ(cache.Find(42), ints);  // the same shared decode, not a copy
  EXPECT_EQ(cache.Find(43), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ReferenceCacheTest, StaysBounded) {
  ReferenceCache cache;
  const uint64_t n = 3 * ReferenceCache::kMaxEntries + 7;
  for (uint64_t ref = 0; ref < n; ++ref) {
    cache.Insert(ref, MakeInts({static_cast<int64_t>(ref)}));
    ASSERT_LE(cache.size(), ReferenceCache::kMaxEntries) << ref;
  }
  // The newest entry is always kept; evicted ones are simply decoded again.
  ASSERT_NE(cache.Find(n - 1), nullptr);
  EXPECT_EQ((*cache.Find(n - 1))[0], static_cast<int64_t>(n - 1));
}

TEST(ReferenceCacheTest, EntriesOutliveEviction) {
  ReferenceCache cache;
  cache.Insert(0, MakeInts({7, 8}));
  ReferenceCache::Ints held = cache.Find(0);
  for (uint64_t ref = 1; ref <= ReferenceCache::kMaxEntries; ++ref) cache.Insert(ref, MakeInts({0}));
  EXPECT_EQ(cache.Find(0), nullptr);  // cleared at the bound...
  EXPECT_EQ(*held, (std::vector<int64_t>{7, 8}));  // ...while a reader still holds it
}

class ReferenceCacheBlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::FillHistogramGroups(&model_, 29, 12, kT0);
    auto q = *model_.NewQuerier();
    auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
    auto meta = WriteBlock(dir_.path(), set.get(), kT0, kT0 + 2 * kHour);
    ASSERT_TRUE(meta.ok()) << meta.status();
    auto b = BlockReader::Open(dir_.path() + "/" + meta->ulid);
    ASSERT_TRUE(b.ok()) << b.status();
    block_ = std::move(*b);
  }

  std::vector<SeriesData> Model(int64_t mint, int64_t maxt) {
    auto q = *model_.NewQuerier();
    auto set = q->Select(mint, maxt, AllSeries());
    return Collect(set.get());
  }

  std::vector<SeriesData> Read(int64_t mint, int64_t maxt) {
    auto set = block_->Select(mint, maxt, AllSeries());
    return Collect(set.get());
  }

  size_t CachedReferences() const { return block_->chunks().references()->size(); }

  TempDir dir_;
  MemStorage model_;
  std::unique_ptr<BlockReader> block_;
};

TEST_F(ReferenceCacheBlockTest, FirstQueryFillsItAndLaterQueriesReuseIt) {
  ASSERT_EQ(CachedReferences(), 0u);
  const std::vector<SeriesData> want = Model(INT64_MIN, INT64_MAX);
  ExpectSame(Read(INT64_MIN, INT64_MAX), want);
  const size_t filled = CachedReferences();
  EXPECT_GT(filled, 0u) << "histogram groups should be regression-coded";
  // A second query (a new Select, so a new PageCache) decodes nothing new.
  ExpectSame(Read(INT64_MIN, INT64_MAX), want);
  ExpectSame(Read(kT0 + kHour, kT0 + kHour + 300000), Model(kT0 + kHour, kT0 + kHour + 300000));
  EXPECT_EQ(CachedReferences(), filled);
}

// Threads start cold on the same block, so they race to decode and insert
// the same references; every one must still read exactly the written data.
TEST_F(ReferenceCacheBlockTest, ConcurrentQueriesShareItSafely) {
  struct Window {
    int64_t mint, maxt;
    std::vector<SeriesData> want;
  };
  std::vector<Window> windows;
  for (int64_t from : {INT64_MIN, kT0 + 15001, kT0 + kHour, kT0 + 470 * 15000}) {
    int64_t to = from == INT64_MIN ? INT64_MAX : from + 20 * 15000;
    windows.push_back({from, to, Model(from, to)});
  }
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 3; ++round) {
        const Window& w = windows[(i + round) % windows.size()];
        ExpectSame(Read(w.mint, w.maxt), w.want);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(CachedReferences(), 0u);
  EXPECT_LE(CachedReferences(), ReferenceCache::kMaxEntries);
}

}  // namespace
}  // namespace promlet::storage::block
