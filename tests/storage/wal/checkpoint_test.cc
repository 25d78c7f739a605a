// Checkpoints: what is kept and dropped, replay of checkpoint + later
// segments, chained checkpoints, leftovers of a crash, corrupt input.
#include "storage/wal/checkpoint.h"

#include <map>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/status_macros.h"
#include "base/fault_injection_env.h"
#include "gtest/gtest.h"
#include "storage/wal/record.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_reader.h"
#include "tests/storage/wal/wal_test_util.h"

namespace promlet::storage::wal {
namespace {

using testing::TempDir;

WalOptions NoSync() {
  WalOptions o;
  o.segment_size_bytes = kPageSize;
  o.sync_interval = absl::ZeroDuration();
  return o;
}

// What replay yields, decoded: series labels by ref, samples by ref.
struct Contents {
  std::map<SeriesRef, std::string> series;
  std::map<SeriesRef, std::vector<int64_t>> samples;
  std::vector<RefTombstone> tombstones;
  int64_t unknown_samples = 0;
};

Contents Replay(base::Env* env, const std::string& dir, ReplayStats* stats) {
  Contents c;
  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  std::vector<RefTombstone> tombs;
  absl::Status s = ReplayWal(
      env, dir,
      [&](std::string_view rec) -> absl::Status {
        switch (GetRecordType(rec)) {
          case RecordType::kSeries:
            RETURN_IF_ERROR(DecodeSeries(rec, &series));
            for (const RefSeries& x : series) c.series[x.ref] = x.labels.ToString();
            break;
          case RecordType::kSamples:
            RETURN_IF_ERROR(DecodeSamples(rec, &samples));
            for (const RefSample& x : samples) {
              // Like the head: samples of unknown series are skipped, so a
              // checkpoint must put series before their samples.
              if (!c.series.contains(x.ref)) {
                ++c.unknown_samples;
                continue;
              }
              c.samples[x.ref].push_back(x.t_ms);
            }
            break;
          case RecordType::kTombstones:
            RETURN_IF_ERROR(DecodeTombstones(rec, &tombs));
            c.tombstones.insert(c.tombstones.end(), tombs.begin(), tombs.end());
            break;
          default:
            return absl::DataLossError("unknown record");
        }
        return absl::OkStatus();
      },
      stats);
  EXPECT_TRUE(s.ok()) << s;
  return c;
}

// Logs series 1..10 and, per commit, one sample for each at t.
void WriteHistory(Wal* wal, int64_t t_from, int64_t t_to, bool with_series) {
  std::string rec;
  if (with_series) {
    std::vector<RefSeries> series;
    for (SeriesRef r = 1; r <= 10; ++r) {
      series.push_back({r, Labels::FromPairs({{"__name__", "m"}, {"i", std::to_string(r)}})});
    }
    EncodeSeries(series, &rec);
    ASSERT_TRUE(wal->Log(rec).ok());
  }
  for (int64_t t = t_from; t < t_to; ++t) {
    std::vector<RefSample> samples;
    for (SeriesRef r = 1; r <= 10; ++r) samples.push_back({r, t, static_cast<double>(t)});
    rec.clear();
    EncodeSamples(samples, &rec);
    ASSERT_TRUE(wal->Log(rec).ok());
  }
}

TEST(WalCheckpointTest, KeepsLiveSeriesAndRecentSamplesThenReplays) {
  TempDir dir;
  base::FaultInjectionEnv env(base::Env::Default());
  env.SetSkipDiskSync(true);
  auto wal = Wal::Open(&env, dir.path(), NoSync());
  ASSERT_TRUE(wal.ok());
  WriteHistory(wal->get(), 0, 50, true);
  ASSERT_TRUE((*wal)->NextSegment().ok());
  WriteHistory(wal->get(), 50, 100, false);
  {
    std::string rec;
    EncodeTombstones(std::vector<RefTombstone>{{2, 0, 10}, {4, 40, 60}, {3, 0, 99}}, &rec);
    ASSERT_TRUE((*wal)->Log(rec).ok());
  }
  auto next = (*wal)->NextSegment();
  ASSERT_TRUE(next.ok());
  const int to = *next - 1;
  ASSERT_EQ(to, 1);
  WriteHistory(wal->get(), 100, 110, false);  // after the checkpoint

  auto even = [](SeriesRef r) { return r % 2 == 0; };
  auto cs = Checkpoint(&env, dir.path(), 0, to, even, 50);
  ASSERT_TRUE(cs.ok()) << cs.status();
  EXPECT_EQ(cs->index, to);
  EXPECT_EQ(cs->series_kept, 5);
  EXPECT_EQ(cs->series_dropped, 5);
  EXPECT_EQ(cs->samples_kept, 5 * 50);
  EXPECT_EQ(cs->samples_dropped, 1000 - 250);
  EXPECT_EQ(cs->tombstones_kept, 1);  // {4, 40, 60}; {2, 0, 10} ends before 50
  EXPECT_EQ(cs->tombstones_dropped, 2);
  ASSERT_TRUE(RemoveSegmentsUpTo(&env, dir.path(), to).ok());
  ASSERT_TRUE(RemoveCheckpointsBefore(&env, dir.path(), to).ok());
  ASSERT_TRUE((*wal)->Close().ok());

  ReplayStats stats;
  Contents c = Replay(&env, dir.path(), &stats);
  EXPECT_EQ(stats.checkpoint, to);
  EXPECT_EQ(stats.first_segment, to + 1);
  EXPECT_EQ(stats.corruptions, 0);
  ASSERT_EQ(c.series.size(), 5u);
  EXPECT_EQ(c.series[4], "{__name__=\"m\", i=\"4\"}");
  EXPECT_EQ(c.tombstones, (std::vector<RefTombstone>{{4, 40, 60}}));
  for (SeriesRef r = 2; r <= 10; r += 2) {
    std::vector<int64_t> want;
    for (int64_t t = 50; t < 110; ++t) want.push_back(t);
    EXPECT_EQ(c.samples[r], want) << r << " got " << c.samples[r].size();
  }
  // Samples of dropped series logged after the checkpoint are still there.
  EXPECT_EQ(c.unknown_samples, 5 * 10);

  // A second checkpoint builds on the first; the Wal opened afterwards
  // continues after the highest segment.
  auto wal2 = Wal::Open(&env, dir.path(), NoSync());
  ASSERT_TRUE(wal2.ok());
  const int to2 = (*wal2)->current_segment() - 1;
  auto keep_4 = [](SeriesRef r) { return r == 4; };
  auto cs2 = Checkpoint(&env, dir.path(), to + 1, to2, keep_4, 105);
  ASSERT_TRUE(cs2.ok()) << cs2.status();
  EXPECT_EQ(cs2->samples_kept, 5);  // t = 105..109 of series 4
  ASSERT_TRUE(RemoveSegmentsUpTo(&env, dir.path(), to2).ok());
  ASSERT_TRUE(RemoveCheckpointsBefore(&env, dir.path(), to2).ok());
  ASSERT_TRUE((*wal2)->Close().ok());
  c = Replay(&env, dir.path(), &stats);
  EXPECT_EQ(stats.checkpoint, to2);
  EXPECT_EQ(c.series.size(), 1u);
  EXPECT_EQ(c.samples[4], (std::vector<int64_t>{105, 106, 107, 108, 109}));
  auto names = env.ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->back(), CheckpointName(to2));
  EXPECT_EQ(names->size(), 2u);  // the checkpoint and the empty segment of wal2
}

TEST(WalCheckpointTest, CrashLeftoversAndCorruptInput) {
  TempDir dir;
  base::FaultInjectionEnv env(base::Env::Default());
  env.SetSkipDiskSync(true);
  {
    auto wal = Wal::Open(&env, dir.path(), NoSync());
    ASSERT_TRUE(wal.ok());
    WriteHistory(wal->get(), 0, 10, true);
  }
  // A checkpoint that a crash interrupted: replay removes it, ignores it.
  ASSERT_TRUE(env.CreateDirs(dir.Sub("checkpoint.00000000.tmp")).ok());
  ReplayStats stats;
  Contents c = Replay(&env, dir.path(), &stats);
  EXPECT_EQ(stats.checkpoint, -1);
  EXPECT_EQ(c.samples[1].size(), 10u);
  EXPECT_FALSE(env.FileExists(dir.Sub("checkpoint.00000000.tmp")));

  // Corrupt input: DataLoss, and no checkpoint left behind.
  ASSERT_TRUE(env.FlipBit(dir.Sub("00000000"), 20, 1).ok());
  auto cs = Checkpoint(&env, dir.path(), 0, 0, [](SeriesRef) { return true; }, 0);
  EXPECT_EQ(cs.status().code(), absl::StatusCode::kDataLoss) << cs.status();
  auto names = env.ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"00000000"}));

  // A full disk while writing it: ResourceExhausted, nothing left behind.
  ASSERT_TRUE(env.FlipBit(dir.Sub("00000000"), 20, 1).ok());  // heal
  env.SetWriteBudget(100);
  cs = Checkpoint(&env, dir.path(), 0, 0, [](SeriesRef) { return true; }, 0);
  EXPECT_EQ(cs.status().code(), absl::StatusCode::kResourceExhausted) << cs.status();
  env.SetWriteBudget(-1);
  names = env.ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"00000000"}));
  cs = Checkpoint(&env, dir.path(), 0, 0, [](SeriesRef) { return true; }, 0);
  ASSERT_TRUE(cs.ok()) << cs.status();
  EXPECT_EQ(cs->samples_kept, 100);
  EXPECT_EQ(Checkpoint(&env, dir.path(), 0, 0, [](SeriesRef) { return true; }, 0)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace promlet::storage::wal
