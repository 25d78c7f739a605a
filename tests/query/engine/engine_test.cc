// Engine behaviour that scripts cannot express: options (lookback delta,
// sample limit, timeout), error codes and result shapes.
#include "query/engine/engine.h"

#include <cmath>

#include "gtest/gtest.h"
#include "query/parser/parser.h"
#include "storage/api/mem_storage.h"

namespace promlet::query {
namespace {

using storage::Labels;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = db_.NewAppender();
    for (int s = 0; s < 10; ++s) {
      Labels l = Labels::FromPairs({{"__name__", "m"}, {"i", std::to_string(s)}});
      for (int64_t t = 0; t <= 600'000; t += 15'000) {
        ASSERT_TRUE(app->Append(0, l, t, static_cast<double>(t / 1000 + s)).ok());
      }
    }
    ASSERT_TRUE(app->Commit().ok());
  }

  absl::StatusOr<QueryResult> Instant(const Engine& e, std::string_view q, int64_t t) {
    absl::StatusOr<ExprPtr> expr = ParseExpr(q);
    if (!expr.ok()) return expr.status();
    return e.InstantQuery(&db_, **expr, t);
  }

  storage::MemStorage db_;
};

TEST_F(EngineTest, LookbackDeltaOption) {
  EngineOptions o;
  Engine def(o);
  // Last sample at 600s; default lookback 5m sees it until 899.999s.
  auto r = Instant(def, "m", 899'000);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->vector.size(), 10u);
  r = Instant(def, "m", 900'000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->vector.size(), 0u);
  o.lookback_delta_ms = 60'000;
  Engine short_lb(o);
  r = Instant(short_lb, "m", 661'000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->vector.size(), 0u);
}

TEST_F(EngineTest, MaxSamplesFailsCleanly) {
  EngineOptions o;
  o.max_samples = 30;
  Engine e(o);
  auto r = Instant(e, "sum_over_time(m[10m])", 600'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "query processing would load too many samples into memory in query execution");
  // A query under the limit still works on the same engine.
  r = Instant(e, "sum(m)", 600'000);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->vector.size(), 1u);
  EXPECT_EQ(r->vector[0].value, 6045);
}

// A range query split over threads has the unsplit query's sample limit,
// although the parts' subquery ranges overlap.
TEST_F(EngineTest, MaxSamplesSameWhenSplit) {
  absl::StatusOr<ExprPtr> expr = ParseExpr("max_over_time(sum(m)[5m:15s])");
  ASSERT_TRUE(expr.ok());
  auto run = [&](int64_t limit, bool split) {
    EngineOptions o;
    o.max_samples = limit;
    o.range_query_threads = split ? 2 : 1;
    o.parallel_min_steps = 2;
    return Engine(o).RangeQuery(&db_, **expr, 300'000, 600'000, 15'000);
  };
  // The smallest limit the unsplit query passes.
  int64_t lo = 1, hi = 1'000'000;
  while (lo < hi) {
    const int64_t mid = (lo + hi) / 2;
    if (run(mid, false).ok()) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  auto r = run(lo, true);
  ASSERT_TRUE(r.ok()) << r.status() << " limit " << lo;
  auto unsplit = run(lo, false);
  ASSERT_TRUE(unsplit.ok());
  ASSERT_EQ(r->matrix.size(), unsplit->matrix.size());
  EXPECT_EQ(r->matrix[0].points.size(), unsplit->matrix[0].points.size());
  r = run(lo - 1, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(EngineTest, TimeoutFailsCleanly) {
  EngineOptions o;
  o.timeout = absl::ZeroDuration() - absl::Seconds(1);  // already expired
  Engine e(o);
  absl::StatusOr<ExprPtr> expr = ParseExpr("rate(m[5m])");
  ASSERT_TRUE(expr.ok());
  auto r = e.RangeQuery(&db_, **expr, 0, 600'000, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), "query timed out in expression evaluation");
}

TEST_F(EngineTest, RangeQueryRejectsRangeVector) {
  Engine e(EngineOptions{});
  absl::StatusOr<ExprPtr> expr = ParseExpr("m[5m]");
  ASSERT_TRUE(expr.ok());
  auto r = e.RangeQuery(&db_, **expr, 0, 60'000, 15'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
}

TEST_F(EngineTest, ResultShapes) {
  Engine e(EngineOptions{});
  auto r = Instant(e, "1 + 2", 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kScalar);
  EXPECT_EQ(r->scalar, 3);
  r = Instant(e, "\"hi\"", 5000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, ValueType::kString);
  EXPECT_EQ(r->string, "hi");
  r = Instant(e, "m{i=\"3\"}[1m]", 600'000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->type, ValueType::kMatrix);
  ASSERT_EQ(r->matrix.size(), 1u);
  EXPECT_EQ(r->matrix[0].points.size(), 4u);  // (540s, 600s]
  EXPECT_EQ(r->matrix[0].points.front().t_ms, 555'000);
}

TEST_F(EngineTest, ManyToManyIsExecutionError) {
  Engine e(EngineOptions{});
  auto r = Instant(e, "m + on() m", 600'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("many-to-many matching not allowed"), std::string::npos);
}

TEST(FormatFloatTest, GoShortestFixed) {
  auto check = [](double v, const char* want) {
    SCOPED_TRACE(want);
    EXPECT_EQ(FormatFloat(v), want);
  };
  check(1.5, "1.5");
  check(100, "100");
  check(0.0001, "0.0001");
  check(1e21, "1000000000000000000000");
  check(-2.5e-7, "-0.00000025");
  check(std::nan(""), "NaN");
  check(INFINITY, "+Inf");
  check(-INFINITY, "-Inf");
  check(0.1 + 0.2, "0.30000000000000004");
}

}  // namespace
}  // namespace promlet::query
