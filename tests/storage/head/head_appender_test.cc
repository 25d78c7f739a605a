// HeadAppender's lock-free acceptance (StripeSeries::LastTBound, PendingIds):
// whatever path a sample takes, the outcome is the locked check's.
#include "storage/head/head_appender.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/head/head.h"

namespace promlet::storage::head {
namespace {

Labels L(std::initializer_list<std::pair<std::string_view, std::string_view>> p) {
  return Labels::FromPairs(p);
}

std::vector<Sample> SamplesOf(Head* head, const std::string& name) {
  std::vector<Sample> out;
  auto q = head->NewQuerier();
  EXPECT_TRUE(q.ok());
  auto set = (*q)->Select(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                          {Matcher::Equal("__name__", name)});
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next()) out.push_back(it->At());
  }
  return out;
}

SeriesRef Create(Head* head, const std::string& name, int64_t t) {
  auto app = head->NewAppender();
  auto r = app->Append(0, L({{"__name__", name}}), t, 1.0);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(app->Commit().ok());
  return r.ok() ? *r : 0;
}

// A batch holding series twice, interleaved with others: the repeats are
// checked against the batch's newest sample of their series.
TEST(HeadAppender, RepeatedSeriesInABatch) {
  Head head;
  const SeriesRef a = Create(&head, "a", 1000);
  const SeriesRef b = Create(&head, "b", 1000);
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(a, {}, 2000, 2).ok());
  ASSERT_TRUE(app->Append(b, {}, 2000, 2).ok());
  EXPECT_EQ(app->Append(a, {}, 1500, 3).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(app->Append(a, {}, 2000, 3).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(app->Append(a, {}, 2000, 2).ok());  // exact duplicate: ignored
  ASSERT_TRUE(app->Append(b, {}, 3000, 3).ok());
  ASSERT_TRUE(app->Append(a, {}, 2500, 4).ok());
  EXPECT_EQ(app->Append(b, {}, 2999, 5).status().code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(&head, "a").size(), 3u);
  EXPECT_EQ(SamplesOf(&head, "b").size(), 3u);
  EXPECT_EQ(head.Stats().out_of_order, 2u);
  EXPECT_EQ(head.Stats().duplicate, 1u);
  // The next batch starts with no pending ids: a is checked against its
  // committed samples again.
  auto next = head.NewAppender();
  EXPECT_EQ(next->Append(a, {}, 2500, 9).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(next->Append(a, {}, 2600, 9).ok());
  ASSERT_TRUE(next->Commit().ok());
}

// Samples another appender committed after this one's first sample are seen
// by its next ones, and by its Commit.
TEST(HeadAppender, ConcurrentCommitsAreSeen) {
  Head head;
  const SeriesRef a = Create(&head, "a", 1000);
  const SeriesRef b = Create(&head, "b", 1000);
  auto first = head.NewAppender();
  ASSERT_TRUE(first->Append(b, {}, 2000, 1).ok());
  {
    auto other = head.NewAppender();
    ASSERT_TRUE(other->Append(a, {}, 5000, 1).ok());
    ASSERT_TRUE(other->Append(b, {}, 5000, 1).ok());
    ASSERT_TRUE(other->Commit().ok());
  }
  EXPECT_EQ(first->Append(a, {}, 4000, 1).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(first->Append(a, {}, 5000, 2).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(first->Append(a, {}, 6000, 1).ok());
  // b's pending sample is behind the other appender's now: dropped at Commit.
  ASSERT_TRUE(first->Commit().ok());
  const std::vector<Sample> got = SamplesOf(&head, "b");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].t_ms, 5000);
  EXPECT_EQ(SamplesOf(&head, "a").size(), 3u);
}

// WAL replay appends without an appender: appenders must still see it.
TEST(HeadAppender, ReplayedSamplesAreSeen) {
  Head head;
  const SeriesRef a = Create(&head, "a", 1000);
  ASSERT_TRUE(head.ReplaySample(static_cast<uint32_t>(a), 3000, 1).ok());
  auto app = head.NewAppender();
  EXPECT_EQ(app->Append(a, {}, 2000, 1).status().code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(app->Append(a, {}, 4000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_EQ(SamplesOf(&head, "a").size(), 3u);
}

// A series truncated empty stays while an appender holds a sample for it
// (Prometheus pendingCommit), even when another appender committed to it
// since, and goes at the next Truncate once nothing is pending.
TEST(HeadAppender, TruncateKeepsSeriesWithPendingSamples) {
  Head head;
  const SeriesRef a = Create(&head, "a", 1000);
  const SeriesRef b = Create(&head, "b", 1000);
  const SeriesRef c = Create(&head, "c", 1000);
  auto holder = head.NewAppender();
  ASSERT_TRUE(holder->Append(a, {}, 3000, 1).ok());
  {
    auto other = head.NewAppender();
    ASSERT_TRUE(other->Append(a, {}, 2000, 1).ok());
    ASSERT_TRUE(other->Append(b, {}, 2000, 1).ok());
    ASSERT_TRUE(other->Commit().ok());
  }
  head.Truncate(5000);
  EXPECT_EQ(head.NumSeries(), 1u);  // b and c are gone
  auto gone = head.NewAppender();
  EXPECT_EQ(gone->Append(c, {}, 6000, 1).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(gone->Rollback().ok());
  ASSERT_TRUE(holder->Commit().ok());
  const std::vector<Sample> got = SamplesOf(&head, "a");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].t_ms, 3000);
  head.Truncate(6000);
  EXPECT_EQ(head.NumSeries(), 0u);
  (void)b;
}

// A rolled-back batch leaves nothing pending: Truncate removes the series.
TEST(HeadAppender, RollbackReleasesPendingSeries) {
  Head head;
  const SeriesRef a = Create(&head, "a", 1000);
  auto app = head.NewAppender();
  ASSERT_TRUE(app->Append(a, {}, 3000, 1).ok());
  ASSERT_TRUE(app->Rollback().ok());
  head.Truncate(5000);
  EXPECT_EQ(head.NumSeries(), 0u);
}

// Ids past the pending set's first size (it grows while pending ids stay).
TEST(HeadAppender, ManySeriesInOneBatch) {
  Head head;
  constexpr int kSeries = 20000;
  std::vector<SeriesRef> refs;
  {
    auto app = head.NewAppender();
    for (int i = 0; i < kSeries; ++i) {
      auto r = app->Append(0, L({{"__name__", "m"}, {"i", std::to_string(i)}}), 1000, i);
      ASSERT_TRUE(r.ok());
      refs.push_back(*r);
    }
    // Each id's first sample is pending: a repeat is checked against it.
    EXPECT_EQ(app->Append(refs[0], {}, 999, 0).status().code(), absl::StatusCode::kOutOfRange);
    EXPECT_EQ(app->Append(refs.back(), {}, 1000, 1).status().code(), absl::StatusCode::kAlreadyExists);
    ASSERT_TRUE(app->Commit().ok());
  }
  auto app = head.NewAppender();
  for (int i = kSeries - 1; i >= 0; --i) ASSERT_TRUE(app->Append(refs[i], {}, 2000, i).ok());
  ASSERT_TRUE(app->Commit().ok());
  // Batches of two far-apart ids (their pending words are cleared one by
  // one): each next batch finds them not pending.
  for (int64_t t = 3000; t <= 5000; t += 1000) {
    auto sparse = head.NewAppender();
    ASSERT_TRUE(sparse->Append(refs.back(), {}, t, 1).ok());
    ASSERT_TRUE(sparse->Append(refs[0], {}, t, 1).ok());
    EXPECT_EQ(sparse->Append(refs[0], {}, t - 1, 1).status().code(), absl::StatusCode::kOutOfRange);
    ASSERT_TRUE(sparse->Commit().ok());
  }
  EXPECT_EQ(head.Stats().samples_appended, 2u * kSeries + 6);
}

}  // namespace
}  // namespace promlet::storage::head
