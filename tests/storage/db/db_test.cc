#include "storage/db/db.h"

#include <string>
#include <vector>

#include "base/env.h"
#include "base/fault_injection_env.h"
#include "gtest/gtest.h"
#include "storage/api/mem_storage.h"
#include "storage/wal/wal.h"
#include "storage/wal/wal_format.h"
#include "tests/storage/db/db_test_util.h"

namespace promlet::storage::db {
namespace {

using testutil::All;
using testutil::Dump;
using testutil::ScopedTempDir;

DBOptions TestOptions() {
  DBOptions o;
  o.compaction_interval = absl::ZeroDuration();
  o.wal.sync_interval = absl::ZeroDuration();
  o.wal.segment_size_bytes = wal::kPageSize * 4;
  return o;
}

Labels Series(int i) {
  return Labels::FromPairs({{"__name__", i % 2 ? "odd" : "even"}, {"i", std::to_string(i)}});
}

// Appends n rounds of `series` samples at t = start + r*step, one commit per round.
void Fill(Appendable* db, Appendable* model, int series, int rounds, int64_t start, int64_t step) {
  auto app = db->NewAppender();
  auto mapp = model->NewAppender();
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < series; ++i) {
      const double v = (r + i) % 5 == 0 ? StaleNaN() : r * 1.5 + i;
      ASSERT_TRUE(app->Append(0, Series(i), start + r * step, v).ok());
      ASSERT_TRUE(mapp->Append(0, Series(i), start + r * step, v).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    ASSERT_TRUE(mapp->Commit().ok());
  }
}

TEST(DB, ReopenReplaysWal) {
  ScopedTempDir dir;
  MemStorage model;
  {
    auto db = DB::Open(base::Env::Default(), dir.path(), TestOptions());
    ASSERT_TRUE(db.ok()) << db.status();
    Fill(db->get(), &model, 20, 50, 1000, 15000);
    EXPECT_EQ(Dump(db->get(), 0, 1LL << 40, All()), Dump(&model, 0, 1LL << 40, All()));
    const DBStats s = (*db)->Stats();
    EXPECT_EQ(s.commits, 50u);
    EXPECT_EQ(s.head.samples_appended, 1000u);
    EXPECT_GT(s.wal.bytes_written, 0);
  }
  auto db = DB::Open(base::Env::Default(), dir.path(), TestOptions());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->Stats().replay_samples, 1000u);
  EXPECT_EQ((*db)->Stats().replay_series, 20u);
  EXPECT_EQ(Dump(db->get(), 0, 1LL << 40, All()), Dump(&model, 0, 1LL << 40, All()));
  // Appending continues where replay left off, with refs from the WAL.
  auto app = (*db)->NewAppender();
  EXPECT_EQ(app->Append(0, Series(3), 1000, 1).status().code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(app->Append(0, Series(3), 1000 + 50 * 15000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
}

TEST(DB, TornAndCorruptWalTailIsRepaired) {
  for (int mode = 0; mode < 2; ++mode) {
    SCOPED_TRACE(mode == 0 ? "truncated" : "bit flip");
    ScopedTempDir dir;
    MemStorage model;
    {
      auto db = DB::Open(base::Env::Default(), dir.path(), TestOptions());
      ASSERT_TRUE(db.ok());
      Fill(db->get(), &model, 5, 10, 0, 1000);
    }
    const std::string wal_dir = base::JoinPath(dir.path(), "wal");
    auto segs = wal::ListSegments(base::Env::Default(), wal_dir);
    ASSERT_TRUE(segs.ok() && !segs->empty());
    const std::string last = base::JoinPath(wal_dir, wal::SegmentName(segs->back()));
    const uint64_t size = *base::Env::Default()->FileSize(last);
    ASSERT_GT(size, 20u);
    if (mode == 0) {
      ASSERT_TRUE(base::Env::Default()->Truncate(last, size - 5).ok());
    } else {
      base::FaultInjectionEnv fenv(base::Env::Default());
      ASSERT_TRUE(fenv.FlipBit(last, size - 3, 1).ok());
    }
    auto db = DB::Open(base::Env::Default(), dir.path(), TestOptions());
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ((*db)->Stats().replay.corruptions, 1);
    // The last commit (5 samples) is lost, the rest is there.
    EXPECT_EQ((*db)->Stats().replay_samples, 45u);
    auto got = Dump(db->get(), 0, 1LL << 40, All());
    auto want = Dump(&model, 0, 8999, All());
    EXPECT_EQ(got, want);
    // And the repaired DB keeps working across another reopen.
    auto app = (*db)->NewAppender();
    ASSERT_TRUE(app->Append(0, Series(0), 20000, 7).ok());
    ASSERT_TRUE(app->Commit().ok());
    db->reset();
    db = DB::Open(base::Env::Default(), dir.path(), TestOptions());
    ASSERT_TRUE(db.ok());
    EXPECT_EQ((*db)->Stats().replay_samples, 46u);
  }
}

TEST(DB, HeadIsCutIntoBlocksAndCompacted) {
  ScopedTempDir dir;
  MemStorage model;
  DBOptions opts = TestOptions();
  opts.block_range_ms = 10000;
  opts.retention_ms = 0;
  {
    auto db = DB::Open(base::Env::Default(), dir.path(), opts);
    ASSERT_TRUE(db.ok());
    for (int step = 0; step < 10; ++step) {
      Fill(db->get(), &model, 6, 10, step * 10000, 1000);
      ASSERT_TRUE((*db)->Compact().ok());
    }
    const DBStats s = (*db)->Stats();
    EXPECT_GE(s.head_blocks_written, 8u);
    EXPECT_GE(s.compactions, 1u);
    EXPECT_GE(s.checkpoints, 1u);
    EXPECT_LT((*db)->head()->MaxTime() - (*db)->head()->MinTime(), 15000);
    EXPECT_EQ(Dump(db->get(), 0, 1LL << 40, All()), Dump(&model, 0, 1LL << 40, All()));
    EXPECT_EQ(Dump(db->get(), 25000, 47000, {Matcher::Equal("__name__", "odd")}),
              Dump(&model, 25000, 47000, {Matcher::Equal("__name__", "odd")}));
    auto q = *(*db)->NewQuerier();
    EXPECT_EQ(*q->LabelValues("i", 0, 1LL << 40, {}),
              (std::vector<std::string>{"0", "1", "2", "3", "4", "5"}));
    EXPECT_EQ(*q->LabelNames(0, 1LL << 40, {}), (std::vector<std::string>{"__name__", "i"}));
  }
  auto db = DB::Open(base::Env::Default(), dir.path(), opts);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Dump(db->get(), 0, 1LL << 40, All()), Dump(&model, 0, 1LL << 40, All()));
  // Samples the blocks already cover are not accepted into the head again.
  auto app = (*db)->NewAppender();
  EXPECT_EQ(app->Append(0, Series(0), 5000, 1).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(DB, RetentionDeletesOldBlocks) {
  ScopedTempDir dir;
  MemStorage model;
  DBOptions opts = TestOptions();
  opts.block_range_ms = 10000;
  opts.retention_ms = 30000;
  auto db = DB::Open(base::Env::Default(), dir.path(), opts);
  ASSERT_TRUE(db.ok());
  for (int step = 0; step < 10; ++step) {
    Fill(db->get(), &model, 3, 10, step * 10000, 1000);
    ASSERT_TRUE((*db)->Compact().ok());
  }
  EXPECT_GT((*db)->Stats().retention_deleted_blocks, 0u);
  EXPECT_GE((*db)->MinTime(), 40000);
  EXPECT_EQ(Dump(db->get(), 70000, 1LL << 40, All()), Dump(&model, 70000, 1LL << 40, All()));
}

TEST(DB, FullDiskTurnsReadOnlyAndResumes) {
  ScopedTempDir dir;
  base::FaultInjectionEnv env(base::Env::Default());
  MemStorage model;
  {
    auto db = DB::Open(&env, dir.path(), TestOptions());
    ASSERT_TRUE(db.ok());
    Fill(db->get(), &model, 4, 3, 0, 1000);
    env.SetNoSpace(true);
    auto app = (*db)->NewAppender();
    ASSERT_TRUE(app->Append(0, Series(0), 10000, 1).ok());
    ASSERT_TRUE(app->Append(0, Series(99), 10000, 1).ok());  // a new series, too
    absl::Status st = app->Commit();
    EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted) << st;
    EXPECT_NE(st.message().find("read-only"), std::string_view::npos);
    EXPECT_TRUE((*db)->read_only());
    EXPECT_EQ((*db)->Stats().disk_full_errors, 1u);
    EXPECT_TRUE((*db)->Compact().ok());  // skipped while read-only
    // The failed batch is not visible.
    EXPECT_EQ(Dump(db->get(), 0, 1LL << 40, All()), Dump(&model, 0, 1LL << 40, All()));
    env.SetNoSpace(false);
    Fill(db->get(), &model, 4, 1, 20000, 1000);
    ASSERT_TRUE(app->Append(0, Series(99), 20000, 2).ok());
    ASSERT_TRUE(app->Commit().ok());
    auto mapp = model.NewAppender();
    ASSERT_TRUE(mapp->Append(0, Series(99), 20000, 2).ok());
    ASSERT_TRUE(mapp->Commit().ok());
    EXPECT_FALSE((*db)->read_only());
  }
  auto db = DB::Open(&env, dir.path(), TestOptions());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->Stats().replay_unknown_refs, 0u);
  EXPECT_EQ(Dump(db->get(), 0, 1LL << 40, All()), Dump(&model, 0, 1LL << 40, All()));
}

TEST(DB, ClosedDbRefusesCommits) {
  ScopedTempDir dir;
  auto db = DB::Open(base::Env::Default(), dir.path(), TestOptions());
  ASSERT_TRUE(db.ok());
  auto app = (*db)->NewAppender();
  ASSERT_TRUE(app->Append(0, Series(0), 1, 1).ok());
  ASSERT_TRUE((*db)->Close().ok());
  EXPECT_EQ(app->Commit().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace promlet::storage::db
