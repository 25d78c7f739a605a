// Print(): canonical PromQL like Prometheus 3.x Expr.String()
// (printer.go / printer_test.go), also for trees built by hand.
#include "query/parser/printer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>

#include "query/parser/ast.h"
#include "query/parser/function_table.h"
#include "query/parser/parser.h"

namespace promlet::query {
namespace {

TEST(PrinterTest, PrometheusPrinterCases) {
  auto check = [](std::string_view in, std::string_view out) {
    SCOPED_TRACE(in);
    absl::StatusOr<ExprPtr> e = ParseExpr(in);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(Print(**e), out.empty() ? in : out);
  };
  check("sum by() (task:errors:rate10s{job=\"s\"})", "sum(task:errors:rate10s{job=\"s\"})");
  check("sum by(code) (task:errors:rate10s{job=\"s\"})",
        "sum by (code) (task:errors:rate10s{job=\"s\"})");
  check("sum without() (task:errors:rate10s{job=\"s\"})",
        "sum without () (task:errors:rate10s{job=\"s\"})");
  check("sum without(instance) (task:errors:rate10s{job=\"s\"})",
        "sum without (instance) (task:errors:rate10s{job=\"s\"})");
  check("topk(5, task:errors:rate10s{job=\"s\"})", "");
  check("count_values(\"value\", task:errors:rate10s{job=\"s\"})", "");
  check("a - on() c", "a - on () c");
  check("a - on(b) c", "a - on (b) c");
  check("a - on(b) group_left(x) c", "a - on (b) group_left (x) c");
  check("a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c");
  check("a - on(b) group_left c", "a - on (b) group_left () c");
  check("a - on(b) group_left() (c)", "a - on (b) group_left () (c)");
  check("a - ignoring(b) c", "a - ignoring (b) c");
  check("a - ignoring() c", "a - c");
  check("up > bool 0", "");
  check("a offset 1m", "");
  check("a offset -7m", "");
  check("a{c=\"d\"}[5m] offset 1m", "");
  check("a[5m] offset 1m", "");
  check("a[12m] offset -3m", "");
  check("a[1h:5m] offset 1m", "");
  check("{__name__=\"a\"}", "");
  check("a{b!=\"c\"}[1m]", "");
  check("a{b=~\"c\"}[1m]", "");
  check("a{b!~\"c\"}[1m]", "");
  check("a @ 10", "a @ 10.000");
  check("a[1m] @ 10", "a[1m] @ 10.000");
  check("a @ start()", "");
  check("a @ end()", "");
  check("a[1m] @ start()", "");
  check("a[1m] @ end()", "");
  check("a{b=\"c\\\"d\\n\"}", "");
  check("{\"a.b\"=\"c\",x=\"y\"}", "");
}

ExprPtr Selector(std::string name, storage::Matchers extra = {}) {
  auto e = std::make_unique<Expr>();
  VectorSelector vs;
  vs.name = name;
  vs.matchers = std::move(extra);
  if (!name.empty()) vs.matchers.push_back(storage::Matcher::Equal("__name__", name));
  e->node = std::move(vs);
  return e;
}

TEST(PrinterTest, HandBuiltTrees) {
  // A metric name that is not a legacy name goes inside the braces, quoted.
  EXPECT_EQ(Print(*Selector("my.metric")), "{\"my.metric\"}");
  EXPECT_EQ(Print(*Selector("my.metric", {storage::Matcher::Equal("a", "b")})),
            "{\"my.metric\",a=\"b\"}");

  auto call = std::make_unique<Expr>();
  Call c;
  c.func = LookupFunction("rate");
  auto ms = std::make_unique<Expr>();
  ms->node = MatrixSelector{Selector("x"), 90 * 1000};
  c.args.push_back(std::move(ms));
  call->node = std::move(c);

  auto agg = std::make_unique<Expr>();
  AggregateExpr a;
  a.op = AggregateOp::kQuantile;
  auto param = std::make_unique<Expr>();
  param->node = NumberLiteral{0.99};
  a.param = std::move(param);
  a.expr = std::move(call);
  a.grouping = {"le", "service.name"};
  agg->node = std::move(a);
  EXPECT_EQ(Print(*agg), "quantile by (le, \"service.name\") (0.99, rate(x[1m30s]))");

  auto sq = std::make_unique<Expr>();
  SubqueryExpr s;
  s.expr = std::move(agg);
  s.range_ms = 3600 * 1000;
  s.step_ms = 0;
  s.offset_ms = -1500;
  s.at.kind = AtModifier::Kind::kTimestamp;
  s.at.timestamp_ms = -1;
  sq->node = std::move(s);
  const std::string printed = Print(*sq);
  EXPECT_EQ(
      printed,
      "quantile by (le, \"service.name\") (0.99, rate(x[1m30s]))[1h:] @ -0.001 offset -1s500ms");
  absl::StatusOr<ExprPtr> again = ParseExpr(printed);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Print(**again), printed);
}

TEST(PrinterTest, CloneExprPrintsTheSame) {
  for (std::string_view q : {"sum by (job) (rate(x{a=~\"b.*\"}[5m] offset 1m @ 10))",
                             "topk(3, -foo) + on (a) group_left (b) (bar > bool 1)",
                             "max_over_time((-foo)[10m:1m] @ end() offset -5m)",
                             "label_join(x, \"d\", \",\", \"a\", \"b\")", "\"str\"", "-(1)"}) {
    absl::StatusOr<ExprPtr> e = ParseExpr(q);
    ASSERT_TRUE(e.ok()) << q << ": " << e.status();
    ExprPtr copy = CloneExpr(**e);
    EXPECT_EQ(Print(*copy), Print(**e));
    EXPECT_EQ(copy->pos.end, (*e)->pos.end);
    EXPECT_EQ(copy->Type(), (*e)->Type());
  }
}

TEST(PrinterTest, SignedNumberLeftOfPow) {
  auto pow = [](double lhs) {
    auto e = std::make_unique<Expr>();
    BinaryExpr b;
    b.op = BinaryOp::kPow;
    b.lhs = std::make_unique<Expr>();
    b.lhs->node = NumberLiteral{lhs};
    b.rhs = std::make_unique<Expr>();
    b.rhs->node = NumberLiteral{3};
    e->node = std::move(b);
    return Print(*e);
  };
  EXPECT_EQ(pow(2), "2 ^ 3");
  EXPECT_EQ(pow(-2), "(-2) ^ 3");
  EXPECT_EQ(pow(INFINITY), "Inf ^ 3");
  EXPECT_EQ(pow(-INFINITY), "(-Inf) ^ 3");
}

TEST(PrinterTest, FormatHelpers) {
  auto dur = [](int64_t ms, std::string_view want) { EXPECT_EQ(FormatDuration(ms), want) << ms; };
  dur(0, "0s");
  dur(1, "1ms");
  dur(1000, "1s");
  dur(61000, "1m1s");
  dur(3600000, "1h");
  dur(86400000, "1d");
  dur(90 * 86400000LL, "90d");  // not 12w6d
  dur(14 * 86400000LL, "2w");
  dur(366 * 86400000LL, "366d");
  dur(730 * 86400000LL, "2y");
  dur(86400000LL + 3600000 + 60000 + 1000 + 1, "1d1h1m1s1ms");
  dur(-5400000, "-1h30m");

  auto num = [](double v, std::string_view want) { EXPECT_EQ(FormatNumber(v), want) << v; };
  num(0, "0");
  num(-0.0, "-0");
  num(1.5, "1.5");
  num(0.1, "0.1");
  num(1e-10, "0.0000000001");
  num(123456789012, "123456789012");
  num(1.7976931348623157e308, "179769313486231570" + std::string(291, '0'));

  auto quote = [](std::string_view s, std::string_view want) { EXPECT_EQ(GoQuote(s), want); };
  quote("", "\"\"");
  quote("abc", "\"abc\"");
  quote("a\"b", "\"a\\\"b\"");
  quote("\a\b\f\n\r\t\v\\", "\"\\a\\b\\f\\n\\r\\t\\v\\\\\"");
  quote("\x01\x7f", "\"\\x01\\x7f\"");
  quote("\xff\xfe", "\"\\xff\\xfe\"");
  quote("\u00e4\u70ac\u263a", "\"\u00e4\u70ac\u263a\"");
  quote("\u0085", "\"\\u0085\"");
}

}  // namespace
}  // namespace promlet::query
