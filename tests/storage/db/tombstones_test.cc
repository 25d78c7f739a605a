// delete_series and clean_tombstones in the DB (storage/db/tombstones.h,
// docs/format/tombstones.md).
#include "storage/db/tombstones.h"

#include <string>
#include <vector>

#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/block/compactor.h"
#include "storage/db/db.h"
#include "tests/storage/db/db_test_util.h"

namespace promlet::storage::db {
namespace {

using testutil::All;
using testutil::ScopedTempDir;

constexpr int64_t kEnd = 1LL << 40;

DBOptions TestOptions() {
  DBOptions o;
  o.compaction_interval = absl::ZeroDuration();
  o.wal.sync_interval = absl::ZeroDuration();
  o.block_range_ms = 10000;
  o.retention_ms = 0;
  return o;
}

Labels Series(int i) { return Labels::FromPairs({{"__name__", "m"}, {"i", std::to_string(i)}}); }

// `series` series with a sample every second in [from, to).
void Fill(DB* db, int series, int64_t from, int64_t to) {
  auto app = db->NewAppender();
  for (int64_t t = from; t < to; t += 1000) {
    for (int i = 0; i < series; ++i) ASSERT_TRUE(app->Append(0, Series(i), t, i).ok());
  }
  ASSERT_TRUE(app->Commit().ok());
}

// The timestamps of series i, in seconds.
std::vector<int64_t> Seconds(DB* db, int i, int64_t mint = 0, int64_t maxt = kEnd) {
  auto q = db->NewQuerier();
  EXPECT_TRUE(q.ok());
  auto set = (*q)->Select(mint, maxt, {Matcher::Equal("__name__", "m"),
                                       Matcher::Equal("i", std::to_string(i))});
  std::vector<int64_t> out;
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next()) out.push_back(it->At().t_ms / 1000);
    EXPECT_TRUE(it->status().ok());
  }
  EXPECT_TRUE(set->status().ok());
  return out;
}

std::vector<int64_t> Range(int64_t from, int64_t to) {  // [from, to) in seconds
  std::vector<int64_t> out;
  for (int64_t s = from; s < to; ++s) out.push_back(s);
  return out;
}

std::vector<int64_t> Concat(std::vector<int64_t> a, const std::vector<int64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> LabelValuesOfI(DB* db) {
  auto q = *db->NewQuerier();
  return *q->LabelValues("i", 0, kEnd, {});
}

Matchers SeriesMatcher(int i) { return {Matcher::Equal("i", std::to_string(i))}; }

std::unique_ptr<DB> OpenDb(const std::string& dir) {
  auto db = DB::Open(base::Env::Default(), dir, TestOptions());
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? *std::move(db) : nullptr;
}

TEST(Intervals, AddMergesOverlappingAndTouching) {
  Intervals iv;
  AddInterval(&iv, {10, 20});
  AddInterval(&iv, {30, 40});
  AddInterval(&iv, {50, 60});
  EXPECT_EQ(iv, (Intervals{{10, 20}, {30, 40}, {50, 60}}));
  AddInterval(&iv, {21, 25});  // touches [10, 20]
  EXPECT_EQ(iv, (Intervals{{10, 25}, {30, 40}, {50, 60}}));
  AddInterval(&iv, {35, 55});
  EXPECT_EQ(iv, (Intervals{{10, 25}, {30, 60}}));
  AddInterval(&iv, {INT64_MIN, 0});
  AddInterval(&iv, {100, INT64_MAX});
  EXPECT_EQ(iv, (Intervals{{INT64_MIN, 0}, {10, 25}, {30, 60}, {100, INT64_MAX}}));
  EXPECT_TRUE(IntervalsContain(iv, 25));
  EXPECT_FALSE(IntervalsContain(iv, 26));
  EXPECT_TRUE(IntervalsContain(iv, INT64_MAX));
  AddInterval(&iv, {INT64_MIN, INT64_MAX});
  EXPECT_EQ(iv, (Intervals{{INT64_MIN, INT64_MAX}}));
}

TEST(TombstoneFile, RoundTripsAndDetectsCorruption) {
  TombstoneSet set;
  set.Add(Series(2), {5, 9});
  set.Add(Series(1), {-3, 4});
  set.Add(Series(1), {100, INT64_MAX});
  const std::string enc = EncodeTombstones(set);
  auto back = DecodeTombstones(enc);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, set);
  for (size_t i = 0; i < enc.size(); ++i) {
    std::string bad = enc;
    bad[i] ^= 0x20;
    EXPECT_EQ(DecodeTombstones(bad).status().code(), absl::StatusCode::kDataLoss) << i;
  }
  EXPECT_EQ(DecodeTombstones(enc.substr(0, enc.size() - 1)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(Tombstones, DeleteInHeadPartialInterval) {
  ScopedTempDir dir;
  auto db = OpenDb(dir.path());
  Fill(db.get(), 3, 0, 10000);
  ASSERT_TRUE(db->DeleteSeries(SeriesMatcher(1), 3000, 5500).ok());
  EXPECT_EQ(Seconds(db.get(), 1), Concat(Range(0, 3), Range(6, 10)));
  EXPECT_EQ(Seconds(db.get(), 0), Range(0, 10));
  EXPECT_EQ(Seconds(db.get(), 2), Range(0, 10));
  // Seek lands past the deleted range.
  EXPECT_EQ(Seconds(db.get(), 1, 4000, 7000), Range(6, 8));
  EXPECT_EQ(db->Stats().tombstoned_series, 1u);
}

TEST(Tombstones, FullyDeletedSeriesDisappearFromSeriesAndLabels) {
  ScopedTempDir dir;
  auto db = OpenDb(dir.path());
  Fill(db.get(), 3, 0, 10000);
  ASSERT_TRUE(db->DeleteSeries({Matcher::Equal("i", "2")}, INT64_MIN, INT64_MAX).ok());
  EXPECT_TRUE(Seconds(db.get(), 2).empty());
  EXPECT_EQ(testutil::Dump(db.get(), 0, kEnd, All()).size(), 2u);
  EXPECT_EQ(LabelValuesOfI(db.get()), (std::vector<std::string>{"0", "1"}));
  // A label only the deleted series had disappears from the label names.
  {
    auto app = db->NewAppender();
    ASSERT_TRUE(app->Append(0, Labels::FromPairs({{"__name__", "x"}, {"only", "y"}}), 9000, 1).ok());
    ASSERT_TRUE(app->Commit().ok());
  }
  auto names = [&] { return *(*db->NewQuerier())->LabelNames(0, kEnd, {}); };
  EXPECT_EQ(names(), (std::vector<std::string>{"__name__", "i", "only"}));
  ASSERT_TRUE(db->DeleteSeries({Matcher::Equal("only", "y")}, 0, 20000).ok());
  EXPECT_EQ(names(), (std::vector<std::string>{"__name__", "i"}));
}

TEST(Tombstones, DeleteInBlocksAndHeadSurvivesRestart) {
  ScopedTempDir dir;
  {
    auto db = OpenDb(dir.path());
    Fill(db.get(), 3, 0, 60000);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_GT(db->Stats().num_blocks, 0u);
    ASSERT_GT(db->head()->MinTime(), 20000);
    // Spans blocks and the head.
    ASSERT_TRUE(db->DeleteSeries(SeriesMatcher(0), 5000, 55000).ok());
    ASSERT_TRUE(db->DeleteSeries(SeriesMatcher(1), 12000, 12000).ok());
    EXPECT_EQ(Seconds(db.get(), 0), Concat(Range(0, 5), Range(56, 60)));
    EXPECT_EQ(Seconds(db.get(), 1), Concat(Range(0, 12), Range(13, 60)));
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb(dir.path());
  EXPECT_EQ(Seconds(db.get(), 0), Concat(Range(0, 5), Range(56, 60)));
  EXPECT_EQ(Seconds(db.get(), 1), Concat(Range(0, 12), Range(13, 60)));
  EXPECT_EQ(Seconds(db.get(), 2), Range(0, 60));
  EXPECT_EQ(db->Stats().tombstoned_series, 2u);
}

TEST(Tombstones, LaterSeriesAndLaterSamplesAreNotDeleted) {
  ScopedTempDir dir;
  auto db = OpenDb(dir.path());
  Fill(db.get(), 2, 0, 10000);
  ASSERT_TRUE(db->DeleteSeries({Matcher::Equal("__name__", "m")}, INT64_MIN, INT64_MAX).ok());
  EXPECT_TRUE(testutil::Dump(db.get(), 0, kEnd, All()).empty());
  Fill(db.get(), 3, 10000, 12000);  // series 0 and 1 continue, series 2 is new
  EXPECT_EQ(Seconds(db.get(), 0), Range(10, 12));
  EXPECT_EQ(Seconds(db.get(), 1), Range(10, 12));
  EXPECT_EQ(Seconds(db.get(), 2), Range(10, 12));
}

TEST(Tombstones, CleanRewritesBlocksAndHeadCutDropsTheRest) {
  ScopedTempDir dir;
  const auto expected0 = Concat(Range(0, 5), Range(56, 60));
  {
    auto db = OpenDb(dir.path());
    Fill(db.get(), 3, 0, 60000);
    ASSERT_TRUE(db->Compact().ok());
    const DBStats before = db->Stats();
    ASSERT_TRUE(db->DeleteSeries(SeriesMatcher(0), 5000, 55000).ok());
    auto blocks_before = block::ListBlockDirs(dir.path());
    ASSERT_TRUE(db->CleanTombstones().ok());
    const DBStats after = db->Stats();
    EXPECT_GT(after.tombstone_blocks_rewritten, 0u);
    auto blocks_after = block::ListBlockDirs(dir.path());
    EXPECT_NE(*blocks_before, *blocks_after);
    EXPECT_EQ(after.num_blocks, before.num_blocks);
    EXPECT_LT(after.blocks_bytes, before.blocks_bytes);
    EXPECT_EQ(Seconds(db.get(), 0), expected0);
    EXPECT_EQ(Seconds(db.get(), 1), Range(0, 60));
    // Only the head part of the deletion is left to hide.
    auto ts = db->Tombstones();
    ASSERT_EQ(ts->size(), 1u);
    const Intervals& iv = *ts->Find(Series(0));
    ASSERT_EQ(iv.size(), 1u);
    EXPECT_GE(iv[0].mint_ms, db->head()->MinTime());
    EXPECT_EQ(iv[0].maxt_ms, 55000);
    // Cleaning again rewrites nothing.
    ASSERT_TRUE(db->CleanTombstones().ok());
    EXPECT_EQ(db->Stats().tombstone_blocks_rewritten, after.tombstone_blocks_rewritten);
    // The head moves on: the cut leaves the deleted samples out, and the
    // next clean drops the last tombstone.
    Fill(db.get(), 3, 60000, 100000);
    ASSERT_TRUE(db->Compact().ok());
    ASSERT_GT(db->head()->MinTime(), 55000);
    ASSERT_TRUE(db->CleanTombstones().ok());
    EXPECT_TRUE(db->Tombstones()->empty());
    EXPECT_FALSE(base::Env::Default()->FileExists(TombstonePath(dir.path())));
    EXPECT_EQ(Seconds(db.get(), 0), Concat(expected0, Range(60, 100)));
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenDb(dir.path());
  EXPECT_TRUE(db->Tombstones()->empty());
  EXPECT_EQ(Seconds(db.get(), 0), Concat(expected0, Range(60, 100)));
  EXPECT_EQ(Seconds(db.get(), 2), Range(0, 100));
}

TEST(Tombstones, CleanDropsBlocksLeftEmpty) {
  ScopedTempDir dir;
  auto db = OpenDb(dir.path());
  Fill(db.get(), 1, 0, 60000);
  ASSERT_TRUE(db->Compact().ok());
  const uint64_t blocks = db->Stats().num_blocks;
  ASSERT_GT(blocks, 0u);
  ASSERT_TRUE(db->DeleteSeries(SeriesMatcher(0), 0, db->head()->MinTime() - 1).ok());
  ASSERT_TRUE(db->CleanTombstones().ok());
  EXPECT_EQ(db->Stats().num_blocks, 0u);
  EXPECT_TRUE(db->Tombstones()->empty());
  EXPECT_EQ(Seconds(db.get(), 0), Range(db->head()->MinTime() / 1000, 60));
}

TEST(Tombstones, CorruptFileIsMovedAside) {
  ScopedTempDir dir;
  {
    auto db = OpenDb(dir.path());
    Fill(db.get(), 2, 0, 5000);
    ASSERT_TRUE(db->DeleteSeries(SeriesMatcher(0), 0, 1000).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::string data;
  ASSERT_TRUE(base::Env::Default()->ReadFileToString(TombstonePath(dir.path()), &data).ok());
  data[data.size() / 2] ^= 1;
  ASSERT_TRUE(base::Env::Default()->WriteFileAtomically(TombstonePath(dir.path()), data).ok());
  auto db = OpenDb(dir.path());
  EXPECT_TRUE(db->Tombstones()->empty());
  EXPECT_TRUE(base::Env::Default()->FileExists(TombstonePath(dir.path()) + ".corrupt"));
}

TEST(Tombstones, InvalidRequests) {
  ScopedTempDir dir;
  auto db = OpenDb(dir.path());
  EXPECT_EQ(db->DeleteSeries(SeriesMatcher(0), 10, 5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->DeleteSeries({Matcher::Equal("i", "")}, 0, 5).code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing matched: nothing written.
  EXPECT_TRUE(db->DeleteSeries(SeriesMatcher(0), 0, 5).ok());
  EXPECT_FALSE(base::Env::Default()->FileExists(TombstonePath(dir.path())));
}

}  // namespace
}  // namespace promlet::storage::db
