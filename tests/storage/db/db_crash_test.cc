// DB-level crash test: a forked child opens the DB, commits batches over
// many series and reports each committed batch id; the parent SIGKILLs it at
// random points, 60 rounds on the same data directory (the damage of one
// crash is the next child's start-up state, as in a real crash loop). Tiny
// block ranges, small WAL segments and a Compact() every few commits make
// kills land in WAL rotation, head -> block cuts, checkpoints and block
// compaction too. Then the parent reopens the DB and checks through Select
// that every acknowledged sample is there with its exact value, once, in
// order, and nothing else but the one batch in flight at each kill.
// Seeded; the seed is printed (rerun with PROMLET_CRASH_SEED=<seed>).
#include <unistd.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/logging.h"
#include "gtest/gtest.h"
#include "storage/db/db.h"
#include "storage/wal/wal_format.h"
#include "tests/storage/wal/crash_harness.h"

namespace promlet::storage::db {
namespace {

using promlet::testing::ChildFail;
using promlet::testing::CommitReporter;
using promlet::testing::CrashRound;
using promlet::testing::RunChildAndKill;

// Series 0..kSteady-1 get a sample in most batches; the kBurst "burst"
// series only every kBurstEvery-th batch (new series in the middle of the
// WAL, many of them dropped from the head again by the next cut).
constexpr int kSteady = 12;
constexpr int kBurst = 100;
constexpr int kSeries = kSteady + kBurst;
constexpr uint64_t kBurstEvery = 50;
constexpr int64_t kStepMs = 10;         // batch id -> time
constexpr int64_t kBlockRangeMs = 1000;  // a block every 100 batches
constexpr uint64_t kCompactEvery = 25;   // commits between Compact() calls
// Besides committed batch ids the child reports, tagged: its first batch id
// before committing it, and each Compact() call before making it (a kill
// right after that report most likely lands inside the compaction).
constexpr uint64_t kStartTag = 1ull << 63;
constexpr uint64_t kCompactTag = 1ull << 62;

bool InBatch(uint64_t id, int s) {
  if (s >= kSteady) return id % kBurstEvery == 0;
  return s < 4 || (id + static_cast<uint64_t>(s)) % 3 != 0;
}
int64_t Time(uint64_t id, int s) { return static_cast<int64_t>(id) * kStepMs + s % 5; }
uint64_t IdOfTime(int64_t t) { return static_cast<uint64_t>(t / kStepMs); }
// Integer counters, coarse gauges, staleness markers and arbitrary bit
// patterns (NaN payloads included), all derivable from (id, series).
uint64_t Bits(uint64_t id, int s) {
  switch (s % 4) {
    case 0:
      return std::bit_cast<uint64_t>(static_cast<double>(id * (s + 1)));
    case 1:
      return std::bit_cast<uint64_t>(static_cast<double>((id / 7) % 11) * 0.5);
    case 2:
      if (id % 9 == 0) return kStaleNaNBits;
      return std::bit_cast<uint64_t>(1e6 + static_cast<double>(id) * 0.001);
    default:
      return (id * 0x9E3779B97F4A7C15ull) ^ (static_cast<uint64_t>(s) << 52);
  }
}
int BatchSize(uint64_t id) {
  int n = 0;
  for (int s = 0; s < kSeries; ++s) n += InBatch(id, s);
  return n;
}
Labels SeriesLabels(int s) {
  return Labels::FromPairs(
      {{"__name__", s < kSteady ? "steady" : "burst"}, {"s", std::to_string(s)}});
}

DBOptions CrashOptions() {
  DBOptions o;
  o.block_range_ms = kBlockRangeMs;
  o.retention_ms = 0;  // keep everything: every acknowledged sample is checked
  o.samples_per_chunk = 40;
  o.compaction_interval = absl::ZeroDuration();  // the child calls Compact()
  o.wal.segment_size_bytes = wal::kPageSize * 2;
  o.wal.sync_interval = absl::Milliseconds(50);
  return o;
}

// The child: open (replaying what the last crash left), continue after the
// newest batch found, commit forever, compacting every kCompactEvery commits.
void ChildBody(const std::string& dir, CommitReporter& reporter) {
  base::SetLogLevel(base::LogLevel::kError);
  auto db = DB::Open(base::Env::Default(), dir, CrashOptions());
  if (!db.ok()) ChildFail(2);
  uint64_t id = 1;
  if ((*db)->MinTime() <= (*db)->MaxTime()) id = IdOfTime((*db)->MaxTime()) + 1;
  reporter.Report(kStartTag | id);
  std::vector<SeriesRef> refs(kSeries, 0);
  auto app = (*db)->NewAppender();
  for (;; ++id) {
    for (int s = 0; s < kSeries; ++s) {
      if (!InBatch(id, s)) continue;
      absl::StatusOr<SeriesRef> ref =
          app->Append(refs[s], refs[s] == 0 ? SeriesLabels(s) : Labels(), Time(id, s),
                      std::bit_cast<double>(Bits(id, s)));
      if (!ref.ok()) ChildFail(3);
      refs[s] = *ref;
    }
    if (!app->Commit().ok()) ChildFail(4);
    reporter.Report(id);
    if (id % kCompactEvery == 0) {
      reporter.Report(kCompactTag | id);
      if (!(*db)->Compact().ok()) ChildFail(5);
    }
  }
}

struct Found {
  std::map<uint64_t, int> samples_per_batch;
  DBStats stats;
};

// Reopens the DB (repairing the torn tail, as the next child would) and
// checks every sample Select returns; returns the batches found.
Found Verify(const std::string& dir, uint64_t seed) {
  Found found;
  auto db = DB::Open(base::Env::Default(), dir, CrashOptions());
  EXPECT_TRUE(db.ok()) << db.status() << " (seed " << seed << ")";
  if (!db.ok()) return found;
  found.stats = (*db)->Stats();
  auto querier = (*db)->NewQuerier();
  EXPECT_TRUE(querier.ok()) << querier.status();
  if (!querier.ok()) return found;
  std::set<int> series_seen;
  auto set = (*querier)->Select(0, std::numeric_limits<int64_t>::max(),
                                {*Matcher::Make(MatchType::kRegexMatch, "__name__", ".+")});
  while (set->Next()) {
    const Labels& labels = set->At().labels();
    const std::string_view sv = labels.Get("s");
    int s = -1;
    std::from_chars(sv.data(), sv.data() + sv.size(), s);
    EXPECT_TRUE(s >= 0 && s < kSeries && series_seen.insert(s).second)
        << "unexpected or repeated series " << labels.ToString() << " (seed " << seed << ")";
    EXPECT_EQ(labels, SeriesLabels(s));
    int64_t prev = std::numeric_limits<int64_t>::min();
    auto it = set->At().NewIterator();
    while (it->Next()) {
      const Sample x = it->At();
      EXPECT_GT(x.t_ms, prev) << labels.ToString() << ": not strictly increasing (seed " << seed
                              << ")";
      prev = x.t_ms;
      const uint64_t id = IdOfTime(x.t_ms);
      if (x.t_ms != Time(id, s) || !InBatch(id, s)) {
        ADD_FAILURE() << labels.ToString() << ": sample at " << x.t_ms
                      << " was never appended (seed " << seed << ")";
        continue;
      }
      EXPECT_EQ(std::bit_cast<uint64_t>(x.value), Bits(id, s))
          << labels.ToString() << " batch " << id << " (seed " << seed << ")";
      ++found.samples_per_batch[id];
    }
    EXPECT_TRUE(it->status().ok()) << it->status();
  }
  EXPECT_TRUE(set->status().ok()) << set->status();
  for (const auto& [id, n] : found.samples_per_batch) {
    EXPECT_EQ(n, BatchSize(id)) << "batch " << id << " partly there (seed " << seed << ")";
  }
  EXPECT_TRUE((*db)->Close().ok());
  return found;
}

TEST(DBCrashTest, SigkillAtRandomPointsLosesNoAcknowledgedSample) {
  uint64_t seed = std::random_device{}();
  if (const char* env_seed = std::getenv("PROMLET_CRASH_SEED")) {
    seed = std::strtoull(env_seed, nullptr, 10);
  }
  std::cout << "db crash test seed " << seed << " (PROMLET_CRASH_SEED to rerun)" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::string dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm/promlet_db_crash.XXXXXX"
                                                     : "/tmp/promlet_db_crash.XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  base::SetLogLevel(base::LogLevel::kError);

  constexpr int kRounds = 60;
  std::set<uint64_t> acknowledged;
  std::set<uint64_t> in_flight;  // the batch each kill may have caught mid-commit
  size_t verified_rounds = 0, batches_found = 0, kills_in_compaction = 0;
  Found last;
  for (int round = 0; round < kRounds; ++round) {
    // Some rounds kill the child during its own recovery.
    const int kill_after = rng() % 8 == 0 ? 0 : 1 + static_cast<int>(rng() % 300);
    CrashRound r = RunChildAndKill([&](CommitReporter& rep) { ChildBody(dir, rep); }, kill_after);
    ASSERT_TRUE(r.killed) << "round " << round << ": child " << r.exit_description << " (seed "
                          << seed << ")";
    uint64_t next = 0;
    if (!r.acknowledged.empty() && (r.acknowledged.back() & kCompactTag)) ++kills_in_compaction;
    for (uint64_t id : r.acknowledged) {
      if (id & kCompactTag) continue;
      if (id & kStartTag) {
        next = id & ~kStartTag;
        continue;
      }
      ASSERT_EQ(id, next) << "round " << round << ": batch ids not consecutive";
      acknowledged.insert(id);
      ++next;
    }
    if (next != 0) in_flight.insert(next);
    // Most rounds leave the damage for the next child to repair.
    if (rng() % 3 != 0 && round + 1 < kRounds) continue;
    ++verified_rounds;
    last = Verify(dir, seed);
    if (::testing::Test::HasFailure()) break;
    for (uint64_t id : acknowledged) {
      ASSERT_TRUE(last.samples_per_batch.contains(id))
          << "round " << round << ": acknowledged batch " << id << " lost (seed " << seed << ")";
    }
    for (const auto& [id, n] : last.samples_per_batch) {
      ASSERT_TRUE(acknowledged.contains(id) || in_flight.contains(id))
          << "round " << round << ": batch " << id << " found but never committed (seed " << seed
          << ")";
    }
    batches_found = last.samples_per_batch.size();
  }
  base::SetLogLevel(base::LogLevel::kInfo);
  std::cout << "rounds " << kRounds << ", verified " << verified_rounds << ", acknowledged batches "
            << acknowledged.size() << ", found " << batches_found << ", blocks "
            << last.stats.num_blocks << ", kills after a Compact() began " << kills_in_compaction
            << ", wal corruptions repaired by the parent "
            << last.stats.replay.corruptions << std::endl;
  EXPECT_GT(acknowledged.size(), 2000u);
  EXPECT_GT(last.stats.num_blocks, 0u) << "no block was ever cut";
  EXPECT_EQ(last.stats.replay_bad_records, 0u);
  EXPECT_EQ(last.stats.replay_unknown_refs, 0u);
  (void)base::Env::Default()->RemoveDirRecursive(dir);
}

}  // namespace
}  // namespace promlet::storage::db
