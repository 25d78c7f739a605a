#include "storage/api/mem_storage.h"

#include <cmath>

#include "gtest/gtest.h"

namespace promlet::storage {
namespace {

std::vector<Sample> ReadAll(Queryable& q, const Matchers& m) {
  auto querier = *q.NewQuerier();
  auto set = querier->Select(INT64_MIN, INT64_MAX, m);
  std::vector<Sample> out;
  while (set->Next()) {
    auto it = set->At().NewIterator();
    while (it->Next()) out.push_back(it->At());
  }
  return out;
}

TEST(MemStorageTest, AppendCommitSelect) {
  MemStorage db;
  auto app = db.NewAppender();
  Labels l = Labels::FromPairs({{"__name__", "x"}});
  SeriesRef ref = *app->Append(0, l, 1000, 1);
  ASSERT_TRUE(app->Append(ref, {}, 2000, 2).ok());
  EXPECT_TRUE(ReadAll(db, {Matcher::Equal("__name__", "x")}).empty());  // not committed
  ASSERT_TRUE(app->Commit().ok());
  auto got = ReadAll(db, {Matcher::Equal("__name__", "x")});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].t_ms, 2000);
}

TEST(MemStorageTest, RejectsOutOfOrderAndDuplicatesWholeBatch) {
  MemStorage db;
  Labels l = Labels::FromPairs({{"__name__", "x"}});
  auto app = db.NewAppender();
  ASSERT_TRUE(app->Append(0, l, 2000, 1).ok());
  ASSERT_TRUE(app->Commit().ok());
  ASSERT_TRUE(app->Append(0, l, 3000, 1).ok());
  ASSERT_TRUE(app->Append(0, l, 1000, 1).ok());
  EXPECT_EQ(app->Commit().code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(app->Rollback().ok());
  ASSERT_TRUE(app->Append(0, l, 2000, 5).ok());
  EXPECT_EQ(app->Commit().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(app->Rollback().ok());
  EXPECT_EQ(db.NumSamples(), 1u);
}

TEST(MemStorageTest, StaleNaNKeepsItsBits) {
  MemStorage db;
  auto app = db.NewAppender();
  ASSERT_TRUE(app->Append(0, Labels::FromPairs({{"__name__", "x"}}), 1, StaleNaN()).ok());
  ASSERT_TRUE(app->Commit().ok());
  auto got = ReadAll(db, {Matcher::Equal("__name__", "x")});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(IsStaleNaN(got[0].value));
}

}  // namespace
}  // namespace promlet::storage
