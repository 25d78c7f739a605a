// Failure as the subject: torn tails at every byte, flipped bits at the tail
// and in the middle of old segments, a full disk, and a power loss.
#include <atomic>
#include <cstdint>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/env.h"
#include "base/fault_injection_env.h"
#include "base/logging.h"
#include "gtest/gtest.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_format.h"
#include "storage/wal/wal_reader.h"
#include "tests/storage/wal/wal_test_util.h"

namespace promlet::storage::wal {
namespace {

using testing::MakeRecord;
using testing::ReplayAll;
using testing::TempDir;

WalOptions NoSync(uint64_t segment_size = kDefaultSegmentSize) {
  WalOptions o;
  o.segment_size_bytes = segment_size;
  o.sync_interval = absl::ZeroDuration();
  return o;
}

std::string ReadFile(const std::string& path) {
  std::string s;
  EXPECT_TRUE(base::Env::Default()->ReadFileToString(path, &s).ok());
  return s;
}

void WriteFile(const std::string& path, std::string_view data) {
  auto f = base::Env::Default()->NewWritableFile(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append(data).ok());
  ASSERT_TRUE((*f)->Close().ok());
}

// Writes `earlier` records, then one last commit; returns the segment bytes
// and the offset where the last commit starts.
struct Written {
  std::vector<std::string> earlier;
  std::string last;
  std::string bytes;
  uint64_t last_start = 0;
};

Written WriteSegment(const std::string& dir) {
  Written w;
  auto wal = Wal::Open(base::Env::Default(), dir, NoSync());
  EXPECT_TRUE(wal.ok());
  // The earlier records end 300 bytes before a page boundary, so the last
  // record (700 bytes) is split FIRST/LAST across the boundary.
  w.earlier = {MakeRecord(1000, 1), MakeRecord(kPageSize - 1000 - 2 * kHeaderSize - 300, 2)};
  for (const std::string& r : w.earlier) EXPECT_TRUE((*wal)->Log(r).ok());
  w.last_start = kPageSize - 300;
  w.last = MakeRecord(700, 3);
  EXPECT_TRUE((*wal)->Log(w.last).ok());
  EXPECT_TRUE((*wal)->Close().ok());
  w.bytes = ReadFile(base::JoinPath(dir, "00000000"));
  return w;
}

// Repairs fsync; skip the disk part to keep hundreds of rounds fast.
class FastEnv {
 public:
  FastEnv() : env_(base::Env::Default()) {
    env_.SetSkipDiskSync(true);
    base::SetLogLevel(base::LogLevel::kError);  // hundreds of repair warnings
  }
  ~FastEnv() { base::SetLogLevel(base::LogLevel::kInfo); }
  base::FaultInjectionEnv* get() { return &env_; }

 private:
  base::FaultInjectionEnv env_;
};

TEST(WalRepairTest, TornTailAtEveryByteOfTheLastRecord) {
  TempDir dir;
  FastEnv fast;
  base::Env* env = fast.get();
  const Written w = WriteSegment(dir.path());
  ASSERT_EQ(w.bytes.size(), w.last_start + 2 * kHeaderSize + 700);
  // A fresh directory per round: rewriting one file with O_TRUNC makes ext4
  // flush it on close (auto_da_alloc), which is slow.
  for (uint64_t cut = w.last_start; cut < w.bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    const std::string round = dir.Sub(absl::StrCat("r", cut));
    ASSERT_TRUE(env->CreateDir(round).ok());
    const std::string seg = base::JoinPath(round, "00000000");
    WriteFile(seg, std::string_view(w.bytes).substr(0, cut));
    ReplayStats stats;
    std::vector<std::string> got = ReplayAll(env, round, &stats);
    ASSERT_EQ(got, w.earlier);
    EXPECT_EQ(stats.corruptions, cut == w.last_start ? 0 : 1);
    EXPECT_EQ(stats.truncated_bytes, static_cast<int64_t>(cut - w.last_start));
    auto size = env->FileSize(seg);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, w.last_start);  // repaired in place
    if (cut + 1 < w.bytes.size()) {
      ASSERT_TRUE(env->RemoveDirRecursive(round).ok());
    }
  }
  ASSERT_TRUE(env->RemoveFile(dir.Sub("00000000")).ok());
  ASSERT_TRUE(env->Rename(dir.Sub(absl::StrCat("r", w.bytes.size() - 1, "/00000000")),
                          dir.Sub("00000000")).ok());
  // Repaired: a second replay is clean, and writing goes on after it.
  ReplayStats stats;
  EXPECT_EQ(ReplayAll(env, dir.path(), &stats).size(), 2u);
  EXPECT_EQ(stats.corruptions, 0);
  {
    auto wal = Wal::Open(env, dir.path(), NoSync());
    ASSERT_TRUE(wal.ok());
    EXPECT_EQ((*wal)->current_segment(), 1);
    ASSERT_TRUE((*wal)->Log(w.last).ok());
  }
  std::vector<std::string> want = w.earlier;
  want.push_back(w.last);
  EXPECT_EQ(ReplayAll(env, dir.path()), want);
}

TEST(WalRepairTest, BitFlipInTheTailRecord) {
  TempDir dir;
  FastEnv fast;
  base::Env* env = fast.get();
  const Written w = WriteSegment(dir.path());
  base::FaultInjectionEnv& fenv = *fast.get();
  // A spread of bits over both headers and the payload; the page trailer
  // case is in the next test.
  for (uint64_t off = w.last_start; off < w.bytes.size(); off += (off % 7 == 0 ? 1 : 13)) {
    for (int bit : {0, 3, 7}) {
      SCOPED_TRACE(absl::StrCat("offset ", off, " bit ", bit));
      const std::string round = dir.Sub(absl::StrCat("r", off, "_", bit));
      ASSERT_TRUE(env->CreateDir(round).ok());
      std::string bytes = w.bytes;
      bytes[off] = static_cast<char>(bytes[off] ^ (1 << bit));
      WriteFile(base::JoinPath(round, "00000000"), bytes);
      ReplayStats stats;
      ASSERT_EQ(ReplayAll(env, round, &stats), w.earlier);
      EXPECT_EQ(stats.corruptions, 1);
      ASSERT_TRUE(env->RemoveDirRecursive(round).ok());
    }
  }
  // FlipBit of the fault env does the same in place.
  ASSERT_TRUE(fenv.FlipBit(dir.Sub("00000000"), w.last_start + 20, 2).ok());
  ReplayStats stats;
  ASSERT_EQ(ReplayAll(env, dir.path(), &stats), w.earlier);
  EXPECT_EQ(stats.corruptions, 1);
}

TEST(WalRepairTest, BitFlipInTheMiddleOfOldSegmentsStopsAndRepairs) {
  TempDir dir;
  base::Env* env = base::Env::Default();
  std::vector<std::string> want;
  {
    auto wal = Wal::Open(env, dir.path(), NoSync(2 * kPageSize));
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 60; ++i) {
      want.push_back(MakeRecord(5000, i));
      ASSERT_TRUE((*wal)->Log(want.back()).ok());
    }
    ASSERT_GE((*wal)->current_segment(), 4);
  }
  auto segs = ListSegments(env, dir.path());
  ASSERT_TRUE(segs.ok());
  const size_t nsegs = segs->size();
  // Records per segment: 13 records of 5007 bytes fit in 2 pages.
  base::FaultInjectionEnv fenv(env);
  const std::string seg1 = dir.Sub("00000001");
  // Flip a bit in the 3rd record of segment 1.
  ASSERT_TRUE(fenv.FlipBit(seg1, 2 * 5007 + 100, 4).ok());
  ReplayStats stats;
  std::vector<std::string> got = ReplayAll(env, dir.path(), &stats);
  const size_t per_seg = 13;
  ASSERT_EQ(got.size(), per_seg + 2);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin()));
  EXPECT_EQ(stats.corruptions, 1);
  EXPECT_EQ(stats.removed_segments, static_cast<int64_t>(nsegs - 2));
  auto size = env->FileSize(seg1);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 2u * 5007);
  EXPECT_FALSE(env->FileExists(dir.Sub("00000002")));

  // Non-zero bytes in a page trailer are corruption too.
  TempDir dir2;
  {
    auto wal = Wal::Open(env, dir2.path(), NoSync());
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Log(MakeRecord(kPageSize - kHeaderSize - 3, 1)).ok());  // 3-byte trailer
    ASSERT_TRUE((*wal)->Log(MakeRecord(10, 2)).ok());
  }
  ASSERT_TRUE(fenv.FlipBit(base::JoinPath(dir2.path(), "00000000"), kPageSize - 2, 0).ok());
  EXPECT_EQ(ReplayAll(env, dir2.path(), &stats).size(), 1u);
  EXPECT_EQ(stats.corruptions, 1);
}

TEST(WalRepairTest, FullDiskFailsCleanlyAndRecovers) {
  TempDir dir;
  base::FaultInjectionEnv fenv(base::Env::Default());
  std::vector<std::string> want;
  // Budgets that cut the commit in its first header, its middle, its end.
  for (int64_t budget : {0, 1, 6, 7, 500, 40000, 40013}) {
    SCOPED_TRACE(budget);
    auto wal = Wal::Open(&fenv, dir.path(), NoSync(4 * kPageSize));
    ASSERT_TRUE(wal.ok()) << wal.status();
    want.push_back(MakeRecord(123, budget));
    ASSERT_TRUE((*wal)->Log(want.back()).ok());
    const uint64_t size_before = *fenv.FileSize(dir.Sub(SegmentName((*wal)->current_segment())));
    fenv.SetWriteBudget(budget);
    absl::Status s = (*wal)->Log({MakeRecord(20000, 1), MakeRecord(20000, 2)});
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
    EXPECT_EQ(*fenv.FileSize(dir.Sub(SegmentName((*wal)->current_segment()))), size_before);
    // Still full: still failing, still clean.
    EXPECT_EQ((*wal)->Log(MakeRecord(50, 1)).code(), absl::StatusCode::kResourceExhausted);
    fenv.SetWriteBudget(-1);  // space is back
    want.push_back(MakeRecord(30000, budget + 1000));
    ASSERT_TRUE((*wal)->Log(want.back()).ok());
    EXPECT_EQ((*wal)->stats().failed_commits, 2);
  }
  // No space for a new segment file when the commit needs one.
  {
    auto wal = Wal::Open(&fenv, dir.path(), NoSync(kPageSize));
    ASSERT_TRUE(wal.ok());
    want.push_back(MakeRecord(30000, 77));
    ASSERT_TRUE((*wal)->Log(want.back()).ok());
    fenv.SetNoSpace(true);
    EXPECT_EQ((*wal)->Log(MakeRecord(30000, 78)).code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ((*wal)->Log(MakeRecord(30000, 78)).code(), absl::StatusCode::kResourceExhausted);
    fenv.SetNoSpace(false);
    want.push_back(MakeRecord(30000, 79));
    ASSERT_TRUE((*wal)->Log(want.back()).ok());
  }
  ReplayStats stats;
  EXPECT_EQ(ReplayAll(&fenv, dir.path(), &stats), want);
  EXPECT_EQ(stats.corruptions, 0);
}

TEST(WalRepairTest, PowerLossKeepsSyncedAndClosedSegments) {
  TempDir dir;
  base::FaultInjectionEnv fenv(base::Env::Default());
  std::vector<std::string> want;
  auto wal = Wal::Open(&fenv, dir.path(), NoSync(kPageSize));
  ASSERT_TRUE(wal.ok());
  // Segment 0 is sealed (fsynced) by the switch that the 3rd record causes.
  for (int i = 0; i < 3; ++i) {
    want.push_back(MakeRecord(15000, i));
    ASSERT_TRUE((*wal)->Log(want.back()).ok());
  }
  ASSERT_EQ((*wal)->current_segment(), 1);
  ASSERT_TRUE((*wal)->Sync().ok());
  const int64_t syncs = fenv.sync_calls();
  ASSERT_TRUE((*wal)->Sync().ok());  // nothing new: no fsync
  EXPECT_EQ(fenv.sync_calls(), syncs);
  ASSERT_TRUE((*wal)->Log(MakeRecord(15000, 99)).ok());  // never synced
  ASSERT_TRUE(fenv.DropUnsyncedData().ok());
  wal->reset();
  ReplayStats stats;
  EXPECT_EQ(ReplayAll(&fenv, dir.path(), &stats), want);
}

TEST(WalRepairTest, SyncThreadModeDefersSegmentSyncsUntilSync) {
  TempDir dir;
  base::FaultInjectionEnv fenv(base::Env::Default());
  WalOptions o;
  o.segment_size_bytes = kPageSize;
  o.sync_interval = absl::Hours(1);  // the thread exists but never ticks here
  auto wal = Wal::Open(&fenv, dir.path(), o);
  ASSERT_TRUE(wal.ok());
  std::vector<std::string> want;
  for (int i = 0; i < 3; ++i) {  // segment 0 closes, handed to the sync thread
    want.push_back(MakeRecord(15000, i));
    ASSERT_TRUE((*wal)->Log(want.back()).ok());
  }
  ASSERT_EQ((*wal)->current_segment(), 1);
  EXPECT_EQ(fenv.sync_calls(), 0);  // the segment close did not stall Log
  ASSERT_TRUE((*wal)->Sync().ok());
  EXPECT_EQ(fenv.sync_calls(), 2);  // the closed segment and the current one
  ASSERT_TRUE((*wal)->Log(MakeRecord(100, 9)).ok());
  ASSERT_TRUE(fenv.DropUnsyncedData().ok());
  wal->reset();
  EXPECT_EQ(ReplayAll(&fenv, dir.path()), want);
}

TEST(WalRepairTest, ConcurrentLogAndSync) {
  TempDir dir;
  WalOptions o;
  o.segment_size_bytes = 4 * kPageSize;
  o.sync_interval = absl::Milliseconds(1);
  auto wal = Wal::Open(base::Env::Default(), dir.path(), o);
  ASSERT_TRUE(wal.ok());
  constexpr int kThreads = 4, kPerThread = 300;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string rec = absl::StrCat(t, ":", i, ":", std::string(i * 7 % 3000, 'x'));
        if (!(*wal)->Log(rec).ok()) failed = true;
      }
    });
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE((*wal)->Sync().ok());
  for (std::thread& th : threads) th.join();
  ASSERT_FALSE(failed);
  ASSERT_TRUE((*wal)->Close().ok());
  std::vector<int> next(kThreads, 0);
  for (const std::string& rec : ReplayAll(base::Env::Default(), dir.path())) {
    const int t = rec[0] - '0';
    ASSERT_EQ(rec.substr(0, rec.find(':', 2) + 1), absl::StrCat(t, ":", next[t], ":"));
    ++next[t];
  }
  EXPECT_EQ(next, std::vector<int>(kThreads, kPerThread));
}

TEST(WalRepairTest, BackgroundSyncThreadStartsAndStops) {
  TempDir dir;
  WalOptions o;
  o.sync_interval = absl::Milliseconds(1);
  auto wal = Wal::Open(base::Env::Default(), dir.path(), o);
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->Log("x").ok());
  ASSERT_TRUE((*wal)->Close().ok());
  EXPECT_EQ((*wal)->Log("y").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReplayAll(base::Env::Default(), dir.path()).size(), 1u);
}

}  // namespace
}  // namespace promlet::storage::wal
