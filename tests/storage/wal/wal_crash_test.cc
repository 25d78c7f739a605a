// Crash test: a child process commits WAL batches continuously (with segment
// switches and checkpoints) and reports each committed batch id; the parent
// SIGKILLs it at random points, replays, and checks that every reported
// batch is there exactly once and every record decodes. Seeded; the seed is
// printed (rerun with PROMLET_CRASH_SEED=<seed>).
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/env.h"
#include "base/logging.h"
#include "base/status_macros.h"
#include "gtest/gtest.h"
#include "storage/wal/checkpoint.h"
#include "storage/wal/record.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_reader.h"
#include "tests/storage/wal/crash_harness.h"
#include "tests/storage/wal/wal_test_util.h"

namespace promlet::storage::wal {
namespace {

using promlet::testing::ChildFail;
using promlet::testing::CommitReporter;
using promlet::testing::CrashRound;
using promlet::testing::RunChildAndKill;

// Batch `id` holds Samples(id) samples: ref id*8192+k, t id, value Bits(id,k).
// Every 20th batch is ~30 KiB, a multi-page write(2) a kill can cut short.
uint64_t Samples(uint64_t id) { return id % 20 == 0 ? 3000 : 1 + id % 40; }
uint64_t Bits(uint64_t id, uint64_t k) { return (id * 0x9E3779B97F4A7C15ull) ^ (k << 1) ^ 0x7ff0000000000002ull; }

// The child: recover, then commit forever, checkpointing now and then.
void ChildBody(const std::string& dir, CommitReporter& reporter) {
  base::Env* env = base::Env::Default();
  base::SetLogLevel(base::LogLevel::kError);
  uint64_t max_id = 0;
  std::vector<RefSample> samples;
  ReplayStats rs;
  absl::Status s = ReplayWal(
      env, dir,
      [&](std::string_view rec) {
        if (GetRecordType(rec) == RecordType::kSamples && DecodeSamples(rec, &samples).ok()) {
          for (const RefSample& x : samples) max_id = std::max(max_id, static_cast<uint64_t>(x.t_ms));
        }
        return absl::OkStatus();
      },
      &rs);
  if (!s.ok()) ChildFail(2);
  WalOptions opts;
  opts.segment_size_bytes = 64 * 1024;
  opts.sync_interval = absl::Milliseconds(2);
  auto wal = Wal::Open(env, dir, opts);
  if (!wal.ok()) ChildFail(3);
  std::string series_rec, samples_rec;
  for (uint64_t id = max_id + 1;; ++id) {
    series_rec.clear();
    samples_rec.clear();
    EncodeOneSeries(id, Labels::FromPairs({{"batch", std::to_string(id)}}), &series_rec);
    samples.clear();
    for (uint64_t k = 0; k < Samples(id); ++k) {
      samples.push_back({id * 8192 + k, static_cast<int64_t>(id), std::bit_cast<double>(Bits(id, k))});
    }
    EncodeSamples(samples, &samples_rec);
    if (!(*wal)->Log({series_rec, samples_rec}).ok()) ChildFail(4);
    reporter.Report(id);
    if (id % 150 == 0) {
      auto next = (*wal)->NextSegment();
      if (!next.ok()) ChildFail(5);
      auto last_cp = LastCheckpoint(env, dir);
      if (!last_cp.ok()) ChildFail(6);
      const int to = *next - 1;
      if (to <= *last_cp) continue;
      auto cs = Checkpoint(env, dir, *last_cp + 1, to, [](SeriesRef) { return true; }, 0);
      if (!cs.ok()) ChildFail(7);
      if (!RemoveSegmentsUpTo(env, dir, to).ok()) ChildFail(8);
      if (!RemoveCheckpointsBefore(env, dir, to).ok()) ChildFail(9);
    }
  }
}

// Replays (repairing) and checks every batch found; returns ids found.
std::map<uint64_t, uint64_t> Verify(const std::string& dir, int64_t* corruptions) {
  std::map<uint64_t, uint64_t> count;  // id -> samples seen
  std::map<uint64_t, std::vector<bool>> seen;
  std::vector<RefSample> samples;
  std::vector<RefSeries> series;
  ReplayStats stats;
  absl::Status s = ReplayWal(
      base::Env::Default(), dir,
      [&](std::string_view rec) -> absl::Status {
        switch (GetRecordType(rec)) {
          case RecordType::kSeries:
            return DecodeSeries(rec, &series);
          case RecordType::kSamples:
            break;
          default:
            return absl::DataLossError("unknown record type");
        }
        RETURN_IF_ERROR(DecodeSamples(rec, &samples));
        for (const RefSample& x : samples) {
          const uint64_t id = static_cast<uint64_t>(x.t_ms);
          const uint64_t k = x.ref - id * 8192;
          if (k >= Samples(id) || std::bit_cast<uint64_t>(x.value) != Bits(id, k)) {
            return absl::DataLossError(absl::StrCat("bad sample in batch ", id));
          }
          std::vector<bool>& v = seen[id];
          v.resize(Samples(id));
          if (v[k]) return absl::DataLossError(absl::StrCat("duplicate sample in batch ", id));
          v[k] = true;
          ++count[id];
        }
        return absl::OkStatus();
      },
      &stats);
  EXPECT_TRUE(s.ok()) << s;
  *corruptions += stats.corruptions;
  for (const auto& [id, n] : count) EXPECT_EQ(n, Samples(id)) << "batch " << id << " incomplete";
  return count;
}

TEST(WalCrashTest, SigkillAtRandomPointsLosesNoCommittedBatch) {
  uint64_t seed = std::random_device{}();
  if (const char* env_seed = std::getenv("PROMLET_CRASH_SEED")) seed = std::strtoull(env_seed, nullptr, 10);
  std::cout << "wal crash test seed " << seed << " (PROMLET_CRASH_SEED to rerun)" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  const std::string wal_dir = dir.Sub("wal");
  base::SetLogLevel(base::LogLevel::kError);

  constexpr int kRounds = 50;
  std::vector<uint64_t> acknowledged;
  int64_t corruptions = 0;
  size_t verified_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    // Some rounds kill the child during its own recovery.
    const int kill_after = rng() % 8 == 0 ? 0 : static_cast<int>(rng() % 200);
    CrashRound r = RunChildAndKill([&](CommitReporter& rep) { ChildBody(wal_dir, rep); },
                                   kill_after);
    ASSERT_TRUE(r.killed) << "round " << round << ": child " << r.exit_description;
    acknowledged.insert(acknowledged.end(), r.acknowledged.begin(), r.acknowledged.end());
    // Half the rounds leave the torn tail for the next child to repair.
    if (rng() % 2 == 0 && round + 1 < kRounds) continue;
    ++verified_rounds;
    std::map<uint64_t, uint64_t> found = Verify(wal_dir, &corruptions);
    for (uint64_t id : acknowledged) {
      ASSERT_TRUE(found.contains(id)) << "round " << round << ": committed batch " << id
                                      << " lost (seed " << seed << ")";
    }
  }
  base::SetLogLevel(base::LogLevel::kInfo);
  std::cout << "rounds " << kRounds << ", verified " << verified_rounds << ", committed batches "
            << acknowledged.size() << ", torn tails repaired by the parent " << corruptions
            << std::endl;
  EXPECT_GT(acknowledged.size(), 500u);
  auto segs = ListSegments(base::Env::Default(), wal_dir);
  ASSERT_TRUE(segs.ok());
  auto cp = LastCheckpoint(base::Env::Default(), wal_dir);
  ASSERT_TRUE(cp.ok());
  EXPECT_GE(*cp, 0) << "no checkpoint was ever written";
}

}  // namespace
}  // namespace promlet::storage::wal
