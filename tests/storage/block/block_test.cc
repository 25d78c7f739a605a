#include <bit>
#include <cmath>
#include <fstream>
#include <random>

#include "gtest/gtest.h"
#include "storage/block/block_format.h"
#include "storage/block/block_reader.h"
#include "storage/block/block_writer.h"
#include "storage/block/compactor.h"
#include "storage/block/file_util.h"
#include "tests/storage/block/test_util.h"

namespace promlet::storage::block {
namespace {

using testing::AllSeries;
using testing::Collect;
using testing::ExpectSame;
using testing::TempDir;

constexpr int64_t kT0 = 1700000000000;
constexpr int64_t kHour = 3600 * 1000;

std::string Write(const std::string& dir, MemStorage* m, int64_t mint, int64_t maxt) {
  auto q = *m->NewQuerier();
  auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
  auto meta = WriteBlock(dir, set.get(), mint, maxt);
  EXPECT_TRUE(meta.ok()) << meta.status();
  return meta.ok() ? meta->ulid : "";
}

std::vector<testing::SeriesData> ModelSelect(MemStorage* m, int64_t mint, int64_t maxt,
                                             const Matchers& ms) {
  auto q = *m->NewQuerier();
  auto set = q->Select(mint, maxt, ms);
  return Collect(set.get());
}

TEST(BlockTest, RoundTripMatchesModel) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 11, 3, 12, kT0, 700);  // ~2.9 h: spans chunk cuts
  std::string ulid = Write(dir.path(), &model, kT0, kT0 + 3 * kHour);
  ASSERT_FALSE(ulid.empty());
  auto b = BlockReader::Open(dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok()) << b.status();
  BlockReader& r = **b;
  EXPECT_EQ(r.meta().stats.num_series, 36u);
  EXPECT_EQ(r.meta().stats.num_samples, 36u * 700);
  EXPECT_TRUE(r.VerifyChunks().ok());

  auto check = [&](int64_t mint, int64_t maxt, const Matchers& ms) {
    auto set = r.Select(mint, maxt, ms);
    ExpectSame(Collect(set.get()), ModelSelect(&model, mint, maxt, ms));
  };
  check(INT64_MIN, INT64_MAX, AllSeries());
  check(kT0 + kHour, kT0 + kHour + 60000, AllSeries());
  check(kT0 + 2 * kHour, INT64_MAX, {Matcher::Equal("job", "odd")});
  check(INT64_MIN, INT64_MAX, {Matcher::Equal("__name__", "counter_total"), Matcher::NotEqual("instance", "host-1")});
  check(INT64_MIN, INT64_MAX, {*Matcher::Make(MatchType::kRegexMatch, "idx", "1|3|5"),
                               *Matcher::Make(MatchType::kRegexNoMatch, "job", "ev.*")});
  check(INT64_MIN, INT64_MAX, {Matcher::Equal("job", "odd"), Matcher::Equal("nope", "")});
  check(INT64_MIN, INT64_MAX, {Matcher::Equal("job", "none")});

  auto names = r.LabelNames(INT64_MIN, INT64_MAX, {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__name__", "idx", "instance", "job"}));
  auto values = r.LabelValues("job", INT64_MIN, INT64_MAX, {Matcher::Equal("instance", "host-1")});
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, std::vector<std::string>{"odd"});
}

// Most chunks of histogram groups are regression-coded.
TEST(BlockTest, HistogramGroupsRoundTripAndShrink) {
  TempDir dir;
  MemStorage model;
  testing::FillHistogramGroups(&model, 17, 20, kT0);
  std::string ulid = Write(dir.path(), &model, kT0, kT0 + 2 * kHour);
  auto b = BlockReader::Open(dir.path() + "/" + ulid);
  ASSERT_TRUE(b.ok()) << b.status();
  auto set = (*b)->Select(INT64_MIN, INT64_MAX, AllSeries());
  ExpectSame(Collect(set.get()), ModelSelect(&model, INT64_MIN, INT64_MAX, AllSeries()));
  // Windows starting inside a chunk decode only its tail (regression
  // residuals included): same samples.
  for (int64_t from : {kT0 + 15000, kT0 + 15001, kT0 + kHour, kT0 + 478 * 15000, kT0 + 479 * 15000}) {
    for (int64_t to : {kT0 + 2 * kHour, kT0 + 479 * 15000 - 1, from + 15000, from + 20 * 15000}) {
      if (to < from) continue;
      SCOPED_TRACE(::testing::Message() << from << " " << to);
      auto part = (*b)->Select(from, to, AllSeries());
      ExpectSame(Collect(part.get()), ModelSelect(&model, from, to, AllSeries()));
    }
  }
  // 20 groups x 6 series x 480 samples: ~0.2 B/sample (without regression ~0.5).
  uint64_t chunk_bytes = DirSizeBytes(dir.path() + "/" + ulid + "/chunks");
  EXPECT_LT(chunk_bytes, 20u * 6 * 480 / 4) << chunk_bytes;
}

TEST(BlockTest, SeekAcrossChunks) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 5, 1, 2, kT0, 1500);
  std::string ulid = Write(dir.path(), &model, INT64_MIN, INT64_MAX);
  auto b = *BlockReader::Open(dir.path() + "/" + ulid);
  auto set = b->Select(INT64_MIN, INT64_MAX, {Matcher::Equal("idx", "0")});
  ASSERT_TRUE(set->Next());
  auto want = ModelSelect(&model, INT64_MIN, INT64_MAX, {Matcher::Equal("idx", "0")});
  auto it = set->At().NewIterator();
  for (size_t j : {0, 5, 511, 512, 513, 1200, 1499}) {
    ASSERT_TRUE(it->Seek(want[0].samples[j].t_ms)) << j;
    EXPECT_EQ(it->At().t_ms, want[0].samples[j].t_ms);
    ASSERT_TRUE(it->Seek(want[0].samples[j].t_ms - 5));  // never backwards
    EXPECT_EQ(it->At().t_ms, want[0].samples[j].t_ms);
  }
  EXPECT_FALSE(it->Seek(want[0].samples.back().t_ms + 1));
}

// NextBatch reads exactly what Next/At read, in batches of any size, over
// chunk ends and window bounds, mixed with Next and Seek.
TEST(BlockTest, NextBatchMatchesNextAndAt) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 9, 1, 4, kT0, 1500);  // idx 3 has stale markers
  testing::FillHistogramGroups(&model, 9, 2, kT0);  // regression-coded values
  std::string ulid = Write(dir.path(), &model, INT64_MIN, INT64_MAX);
  auto b = *BlockReader::Open(dir.path() + "/" + ulid);
  const int64_t mid = kT0 + 700 * 15000;
  for (auto [mint, maxt] : {std::pair{INT64_MIN, INT64_MAX}, std::pair{kT0 + 15001, mid},
                            std::pair{mid, mid + 300000}}) {
    const std::vector<testing::SeriesData> want = ModelSelect(&model, mint, maxt, AllSeries());
    for (size_t max : {1, 3, 64, 1000}) {
      SCOPED_TRACE(::testing::Message() << mint << " " << maxt << " max " << max);
      auto set = b->Select(mint, maxt, AllSeries());
      size_t s = 0;
      while (set->Next()) {
        ASSERT_LT(s, want.size());
        const std::vector<Sample>& w = want[s++].samples;
        auto it = set->At().NewIterator();
        std::vector<Sample> got;
        std::vector<Sample> batch(max);
        for (int round = 0;; ++round) {
          if (round % 3 == 2) {  // a plain Next between batches
            if (!it->Next()) break;
            got.push_back(it->At());
            continue;
          }
          size_t n = it->NextBatch(batch.data(), max);
          if (n == 0) break;
          ASSERT_LE(n, max);
          got.insert(got.end(), batch.begin(), batch.begin() + n);
          EXPECT_EQ(it->At().t_ms, got.back().t_ms);  // positioned on the last copied
        }
        EXPECT_TRUE(it->status().ok()) << it->status();
        ASSERT_EQ(got.size(), w.size());
        for (size_t j = 0; j < w.size(); ++j) {
          ASSERT_EQ(got[j].t_ms, w[j].t_ms) << j;
          ASSERT_EQ(std::bit_cast<uint64_t>(got[j].value), std::bit_cast<uint64_t>(w[j].value)) << j;
        }
        if (w.size() > 2) {  // Seek after a batch continues from the batch's position
          auto it2 = set->At().NewIterator();
          ASSERT_EQ(it2->NextBatch(batch.data(), 1), 1u);
          ASSERT_TRUE(it2->Seek(w[2].t_ms));
          EXPECT_EQ(it2->At().t_ms, w[2].t_ms);
        }
      }
      EXPECT_EQ(s, want.size());
    }
  }
}

TEST(BlockTest, GoldenFileHeaders) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 1, 1, 1, kT0, 3);
  std::string ulid = Write(dir.path(), &model, kT0, kT0 + 2 * kHour);
  std::string bd = dir.path() + "/" + ulid;
  auto chunks = *ReadFile(bd + "/" + kChunkFileName);
  auto index = *ReadFile(bd + "/" + kIndexFileName);
  EXPECT_EQ(chunks.substr(0, 8), std::string("PLCK\x01\x00\x00\x00", 8));
  EXPECT_EQ(index.substr(0, 8), std::string("PLIX\x01\x00\x00\x00", 8));
  auto meta = *ReadMetaFile(bd);
  EXPECT_EQ(meta.min_time_ms, kT0);
  EXPECT_EQ(meta.max_time_ms, kT0 + 2 * kHour);
  EXPECT_EQ(meta.sources, std::vector<std::string>{ulid});
  auto again = MetaFromJson(MetaToJson(meta));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(MetaToJson(*again), MetaToJson(meta));
}

TEST(BlockTest, CorruptionIsDataLoss) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 3, 2, 8, kT0, 200);
  std::string ulid = Write(dir.path(), &model, kT0, kT0 + 2 * kHour);
  std::string bd = dir.path() + "/" + ulid;
  const std::string index = *ReadFile(bd + "/" + kIndexFileName);
  const std::string chunks = *ReadFile(bd + "/" + kChunkFileName);
  // Every flipped bit of the index, and every truncation, fails at open.
  for (size_t i = 0; i < index.size(); i += 7) {
    std::string bad = index;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    auto r = IndexReader::Open(bad, kT0);
    EXPECT_TRUE(absl::IsDataLoss(r.status())) << i;
  }
  for (size_t cut : {size_t{0}, size_t{5}, index.size() / 2, index.size() - 1}) {
    EXPECT_TRUE(absl::IsDataLoss(IndexReader::Open(index.substr(0, cut), kT0).status())) << cut;
  }
  // A flipped bit in a chunk page is found by Verify and by reading.
  std::string bad = chunks;
  bad[kFileHeaderSize + kPageHeaderSize + 3] ^= 0x10;
  ASSERT_TRUE(WriteFileSync(base::Env::Default(), bd + "/" + kChunkFileName, bad).ok());
  auto b = BlockReader::Open(bd);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(absl::IsDataLoss((*b)->VerifyChunks()));
  auto set = (*b)->Select(INT64_MIN, INT64_MAX, AllSeries());
  ASSERT_TRUE(set->Next());
  auto it = set->At().NewIterator();
  EXPECT_FALSE(it->Next());
  EXPECT_TRUE(absl::IsDataLoss(it->status()));
  // Corrupt index on disk: Open fails with DataLoss, OpenBlocks moves it aside.
  std::string bad_index = index;
  bad_index[20] ^= 1;
  ASSERT_TRUE(WriteFileSync(base::Env::Default(), bd + "/" + kIndexFileName, bad_index).ok());
  EXPECT_TRUE(absl::IsDataLoss(BlockReader::Open(bd).status()));
  auto opened = OpenBlocks(dir.path());
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(opened->empty());
  EXPECT_TRUE(PathExists(bd + kCorruptSuffix));
  // Missing files are DataLoss too.
  EXPECT_TRUE(absl::IsDataLoss(BlockReader::Open(bd + kCorruptSuffix + "/chunks").status()));
}

TEST(BlockTest, CrashBeforeRenameLeavesNoBlock) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 4, 1, 4, kT0, 50);
  auto q = *model.NewQuerier();
  auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
  WriteBlockOptions opts;
  opts.crash_before_rename_for_test = true;
  auto meta = WriteBlock(dir.path(), set.get(), kT0, kT0 + 2 * kHour, opts);
  EXPECT_TRUE(absl::IsAborted(meta.status()));
  EXPECT_TRUE(ListBlockDirs(dir.path())->empty());
  EXPECT_EQ(ListDir(dir.path())->size(), 1u);  // only the .tmp
  auto opened = OpenBlocks(dir.path());
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
  EXPECT_TRUE(ListDir(dir.path())->empty());  // tmp removed
}

TEST(BlockTest, EmptyRangeWritesNothing) {
  TempDir dir;
  MemStorage model;
  testing::FillModel(&model, 4, 1, 4, kT0, 5);
  auto q = *model.NewQuerier();
  auto set = q->Select(INT64_MIN, INT64_MAX, AllSeries());
  auto meta = WriteBlock(dir.path(), set.get(), 0, 1000);
  ASSERT_TRUE(meta.ok());
  EXPECT_TRUE(meta->ulid.empty());
  EXPECT_TRUE(ListDir(dir.path())->empty());
}

}  // namespace
}  // namespace promlet::storage::block
