// Valid PromQL: each query parses, prints canonically like Prometheus's
// String(), and the printed form parses back to the same text. Cases follow
// Prometheus promql/parser/parse_test.go and printer_test.go.
#include "query/parser/parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "query/parser/ast.h"
#include "query/parser/function_table.h"
#include "query/parser/printer.h"

namespace promlet::query {
namespace {

void CheckRoundTrip(std::string_view input, std::string_view want) {
  SCOPED_TRACE(input);
  absl::StatusOr<ExprPtr> e = ParseExpr(input);
  ASSERT_TRUE(e.ok()) << e.status();
  const std::string printed = Print(**e);
  EXPECT_EQ(printed, want);
  absl::StatusOr<ExprPtr> again = ParseExpr(printed);
  ASSERT_TRUE(again.ok()) << printed << ": " << again.status();
  EXPECT_EQ(Print(**again), printed);
}

TEST(ParseExprTest, NumberLiterals) {
  auto check = [](std::string_view input, double want) {
    SCOPED_TRACE(input);
    absl::StatusOr<ExprPtr> e = ParseExpr(input);
    ASSERT_TRUE(e.ok()) << e.status();
    const auto* n = std::get_if<NumberLiteral>(&(*e)->node);
    ASSERT_NE(n, nullptr);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(n->value));
    } else {
      EXPECT_EQ(n->value, want);
    }
  };
  check("1", 1);
  check("+Inf", INFINITY);
  check("-Inf", -INFINITY);
  check("inf", INFINITY);
  check("NaN", NAN);
  check("nan", NAN);
  check(".5", 0.5);
  check("5.", 5);
  check("123.4567", 123.4567);
  check("5e-3", 0.005);
  check("5e3", 5000);
  check("0xc", 12);
  check("0x1F", 31);
  check("0755", 493);
  check("08", 8);
  check("+5.5e-3", 0.0055);
  check("-0755", -493);
  check("1_000", 1000);
  check("1e-400", 0);
  check("- - 1", 1);
  check("1h30m", 5400);
  check("500ms", 0.5);
  check("1y", 31536000);
  check("1w", 604800);
  check("1d", 86400);
  check("5m # comment", 300);
}

TEST(ParseExprTest, Structure) {
  absl::StatusOr<ExprPtr> e =
      ParseExpr("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m] offset -1m))");
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& agg = std::get<AggregateExpr>((*e)->node);
  EXPECT_EQ(agg.op, AggregateOp::kSum);
  EXPECT_EQ(agg.grouping, std::vector<std::string>{"job"});
  EXPECT_FALSE(agg.without);
  const auto& call = std::get<Call>(agg.expr->node);
  EXPECT_EQ(call.func->name, "rate");
  const auto& ms = std::get<MatrixSelector>(call.args[0]->node);
  EXPECT_EQ(ms.range_ms, 300000);
  const auto& vs = std::get<VectorSelector>(ms.vector_selector->node);
  EXPECT_EQ(vs.name, "http_requests_total");
  EXPECT_EQ(vs.offset_ms, -60000);
  ASSERT_EQ(vs.matchers.size(), 2u);
  EXPECT_EQ(vs.matchers[0].name(), "code");
  EXPECT_EQ(vs.matchers[0].type(), storage::MatchType::kRegexMatch);
  EXPECT_EQ(vs.matchers[1].name(), "__name__");  // the name comes last
  EXPECT_EQ(vs.matchers[1].value(), "http_requests_total");
  EXPECT_EQ((*e)->Type(), ValueType::kVector);
  EXPECT_EQ((*e)->pos.start, 0);
}

// Duration literals are exact integers of milliseconds: a detour through
// float seconds would read 1001ms as 1000.9999 ms and truncate it to 1000.
TEST(ParseExprTest, DurationLiteralsAreExactMilliseconds) {
  for (int64_t ms : {1001, 1003, 2002, 4099, 86400001}) {
    const std::string q = "sum_over_time(m[" + std::to_string(ms) + "ms] offset " +
                          std::to_string(ms) + "ms)[" + std::to_string(ms) + "ms:" +
                          std::to_string(ms) + "ms]";
    absl::StatusOr<ExprPtr> e = ParseExpr(q);
    ASSERT_TRUE(e.ok()) << q << ": " << e.status();
    const auto& sq = std::get<SubqueryExpr>((*e)->node);
    EXPECT_EQ(sq.range_ms, ms) << q;
    EXPECT_EQ(sq.step_ms, ms) << q;
    const auto& call = std::get<Call>(sq.expr->node);
    const auto& range = std::get<MatrixSelector>(call.args[0]->node);
    EXPECT_EQ(range.range_ms, ms) << q;
    EXPECT_EQ(std::get<VectorSelector>(range.vector_selector->node).offset_ms, ms) << q;
  }
  // Numbers stay float seconds, as in Prometheus.
  absl::StatusOr<ExprPtr> e = ParseExpr("m[1.5]");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(std::get<MatrixSelector>((*e)->node).range_ms, 1500);
}

TEST(ParseExprTest, PrecedenceAndAssociativity) {
  auto check = [](std::string_view input, std::string_view want_tree) {
    SCOPED_TRACE(input);
    absl::StatusOr<ExprPtr> e = ParseExpr(input);
    ASSERT_TRUE(e.ok()) << e.status();
    // Render with explicit parentheses around every binary node.
    std::function<std::string(const Expr&)> tree = [&](const Expr& x) -> std::string {
      if (const auto* b = std::get_if<BinaryExpr>(&x.node)) {
        return absl::StrCat("(", tree(*b->lhs), " ", BinaryOpString(b->op), " ", tree(*b->rhs),
                            ")");
      }
      if (const auto* u = std::get_if<UnaryExpr>(&x.node)) {
        return absl::StrCat(std::string(1, u->op), tree(*u->expr));
      }
      return Print(x);
    };
    EXPECT_EQ(tree(**e), want_tree);
  };
  check("1 + 2 * 3", "(1 + (2 * 3))");
  check("1 * 2 + 3", "((1 * 2) + 3)");
  check("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))");
  check("1 - 2 - 3", "((1 - 2) - 3)");
  check("-1 ^ 2", "-(1 ^ 2)");
  check("-1 * 2", "(-1 * 2)");
  check("-1^-2", "-(1 ^ -2)");
  check("+1 + -2 * 1", "(1 + (-2 * 1))");
  check("1 < bool 2 - 1 * 2", "(1 < (2 - (1 * 2)))");
  check("a or b and c", "(a or (b and c))");
  check("a and b unless c", "((a and b) unless c)");
  check("a or b unless c == d + e * f ^ g", "(a or (b unless (c == (d + (e * (f ^ g))))))");
  check("a atan2 b * c", "((a atan2 b) * c)");
  check("-a * b", "(-a * b)");
  check("-a ^ b", "-(a ^ b)");
  check("a + b offset 5m", "(a + b offset 5m)");
  check("1 + 2 / (3 * 1)", "(1 + (2 / (3 * 1)))");
}

TEST(ParseExprTest, RoundTrip) {
  auto check = CheckRoundTrip;
  // Selectors.
  check("foo", "foo");
  check("foo:bar", "foo:bar");
  check("foo{bar=\"baz\"}", "foo{bar=\"baz\"}");
  check("foo{bar='baz'}", "foo{bar=\"baz\"}");
  check("foo{bar=`baz\\n`}", "foo{bar=\"baz\\\\n\"}");
  check("foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~\"h|i\",}",
        "foo{a=\"b\",c!=\"d\",e=~\"f.*\",g!~\"h|i\"}");
  check("{__name__=~\"foo.+\"}", "{__name__=~\"foo.+\"}");
  check("{__name__=\"foo\"}", "{__name__=\"foo\"}");
  check("{\"foo\"}", "{__name__=\"foo\"}");
  check("{\"some.metric\", \"label.x\"=\"v\"}", "{\"label.x\"=\"v\",__name__=\"some.metric\"}");
  check("foo{z=\"1\",a=\"2\"}", "foo{a=\"2\",z=\"1\"}");
  check("foo{NaN='b'}", "foo{NaN=\"b\"}");
  check("foo{bar=\"\\u00e4\\x41\\101\"}", "foo{bar=\"\u00e4AA\"}");
  check("sum", "sum");
  check("by + offset", "by + offset");
  check("start", "start");
  check("foo @ 1603774568", "foo @ 1603774568.000");
  check("foo @ -100", "foo @ -100.000");
  check("foo @ .3", "foo @ 0.300");
  check("foo @ 3.", "foo @ 3.000");
  check("foo @ 3.33", "foo @ 3.330");
  check("foo @ 3.3333", "foo @ 3.333");
  check("foo @ 3.3335", "foo @ 3.334");
  check("foo @ 3e2", "foo @ 300.000");
  check("foo @ 1m", "foo @ 60.000");
  check("foo @ start()", "foo @ start()");
  check("foo @ end()", "foo @ end()");
  check("foo offset 5m", "foo offset 5m");
  check("foo offset -7m", "foo offset -7m");
  check("foo OFFSET 1h30m", "foo offset 1h30m");
  check("foo offset 1m30ms", "foo offset 1m30ms");
  check("foo offset 90", "foo offset 1m30s");
  check("foo offset 1.5", "foo offset 1s500ms");
  check("foo offset 5m @ 10", "foo @ 10.000 offset 5m");
  check("foo @ 10 offset 5m", "foo @ 10.000 offset 5m");
  // Range vectors and subqueries.
  check("foo[5m]", "foo[5m]");
  check("foo[5m30s]", "foo[5m30s]");
  check("foo[5]", "foo[5s]");
  check("foo[1.5]", "foo[1s500ms]");
  check("foo[ 5m]", "foo[5m]");
  check("test[5y]", "test[5y]");
  check("test[14d]", "test[2w]");
  check("test[90d]", "test[90d]");
  check("foo[5m] offset 1w", "foo[5m] offset 1w");
  check("foo[5m] @ 10 offset -1h", "foo[5m] @ 10.000 offset -1h");
  check("some_metric{a=\"b\"}[5m] @ end()", "some_metric{a=\"b\"}[5m] @ end()");
  check("foo[10m:]", "foo[10m:]");
  check("foo[10m:6s]", "foo[10m:6s]");
  check("foo[10m5s:1h6ms]", "foo[10m5s:1h6ms]");
  check("rate(foo[5m])[10m:1m]", "rate(foo[5m])[10m:1m]");
  check("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s] offset 4m)[4m:3s]",
        "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s] offset 4m)[4m:3s]");
  check("(foo + bar{nm=\"val\"})[5m:] offset 10m", "(foo + bar{nm=\"val\"})[5m:] offset 10m");
  check("(foo + bar{nm=\"val\"})[5m:] @ 1603775091",
        "(foo + bar{nm=\"val\"})[5m:] @ 1603775091.000");
  check("sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]",
        "sum without (and, by, avg, count, alert, annotations) (some_metric)[30m:10s]");
  // Literals.
  check("\"double-quoted string \\\" with escaped quote\"",
        "\"double-quoted string \\\" with escaped quote\"");
  check("'single-quoted string \\' with escaped quote'",
        "\"single-quoted string ' with escaped quote\"");
  check("`backtick-quoted string`", "\"backtick-quoted string\"");
  check("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111☺\"",
        "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xff\\xff\u1234\U00010111\U0001011111☺\"");
  check("1", "1");
  check("-1", "-1");
  check("0.5", "0.5");
  check("1e20", "100000000000000000000");
  check("1e-7", "0.0000001");
  check("+Inf", "+Inf");
  check("-Inf", "-Inf");
  check("NaN", "NaN");
  // Operators.
  check("1 + 1", "1 + 1");
  check("1 == bool 1", "1 == bool 1");
  check("foo * bar", "foo * bar");
  check("foo == 1", "foo == 1");
  check("foo == bool 1", "foo == bool 1");
  check("2.5 / bar", "2.5 / bar");
  check("foo and bar", "foo and bar");
  check("foo AND bar", "foo and bar");
  check("foo or bar", "foo or bar");
  check("foo unless bar", "foo unless bar");
  check("foo atan2 bar", "foo atan2 bar");
  check("foo + bar or bla and blub", "foo + bar or bla and blub");
  check("foo and bar unless baz or qux", "foo and bar unless baz or qux");
  check("bar + on(foo) bla / on(baz, buz) group_right(test) blub",
        "bar + on (foo) bla / on (baz, buz) group_right (test) blub");
  check("foo * on(test,blub) bar", "foo * on (test, blub) bar");
  check("foo * on(test,blub) group_left bar", "foo * on (test, blub) group_left () bar");
  check("foo and on(test,blub) bar", "foo and on (test, blub) bar");
  check("foo and on() bar", "foo and on () bar");
  check("foo and ignoring(test,blub) bar", "foo and ignoring (test, blub) bar");
  check("foo and ignoring() bar", "foo and bar");
  check("foo unless on(bar) baz", "foo unless on (bar) baz");
  check("foo / on(test,blub) group_left(bar) bar", "foo / on (test, blub) group_left (bar) bar");
  check("foo / ignoring(test,blub) group_left(blub) bar",
        "foo / ignoring (test, blub) group_left (blub) bar");
  check("foo - on(test,blub) group_right(bar,foo) bar",
        "foo - on (test, blub) group_right (bar, foo) bar");
  check("foo - ignoring(test,blub) group_right(bar,foo) bar",
        "foo - ignoring (test, blub) group_right (bar, foo) bar");
  check("a > bool on(b) c", "a > bool on (b) c");
  check("foo * on(\"a.b\") bar", "foo * on (\"a.b\") bar");
  check("-some_metric", "-some_metric");
  check("+some_metric", "+some_metric");
  check(" +{\"some_metric\"}", "+{__name__=\"some_metric\"}");
  check("-(1)", "-(1)");
  check("- -foo", "--foo");
  check("-1 ^ 2", "-1 ^ 2");
  check("(-1) ^ 2", "(-1) ^ 2");
  check("2 ^ -1 ^ 2", "2 ^ -1 ^ 2");
  check("Inf ^ foo", "Inf ^ foo");  // "+Inf ^ foo" would read back as +(Inf ^ foo)
  check("-Inf ^ foo", "-Inf ^ foo");
  check("foo ^ Inf + Inf", "foo ^ +Inf + +Inf");
  check("(1 + 2) * 3", "(1 + 2) * 3");
  check("1 + 2/(3*1)", "1 + 2 / (3 * 1)");
  check("((foo))", "((foo))");
  // Aggregations.
  check("sum by (foo) (some_metric)", "sum by (foo) (some_metric)");
  check("sum (some_metric) by (foo)", "sum by (foo) (some_metric)");
  check("avg by (foo)(some_metric)", "avg by (foo) (some_metric)");
  check("max by (foo)(some_metric)", "max by (foo) (some_metric)");
  check("sum without (foo) (some_metric)", "sum without (foo) (some_metric)");
  check("sum (some_metric) without (foo)", "sum without (foo) (some_metric)");
  check("stddev(some_metric)", "stddev(some_metric)");
  check("stdvar by (foo)(some_metric)", "stdvar by (foo) (some_metric)");
  check("sum by ()(some_metric)", "sum(some_metric)");
  check("sum by (foo,bar,)(some_metric)", "sum by (foo, bar) (some_metric)");
  check("sum by (foo,)(some_metric)", "sum by (foo) (some_metric)");
  check("sum without () (some_metric)", "sum without () (some_metric)");
  check("topk(5, some_metric)", "topk(5, some_metric)");
  check("bottomk by (job) (3, x)", "bottomk by (job) (3, x)");
  check("count_values(\"value\", some_metric)", "count_values(\"value\", some_metric)");
  check("sum without(and, by, avg, count, alert, annotations)(some_metric)",
        "sum without (and, by, avg, count, alert, annotations) (some_metric)");
  check("sum by (\"foo.bar\") (x)", "sum by (\"foo.bar\") (x)");
  check("sum by (a:b) (x)", "sum by (\"a:b\") (x)");
  check("sum by (\"inf\", \"NaN\", bool, \"without\") (x)",
        "sum by (\"inf\", \"NaN\", bool, \"without\") (x)");
  check("foo @ 9223372036854775.807", "foo @ 9223372036854775.807");
  check("foo @ -9223372036854775.808", "foo @ -9223372036854775.808");
  check("foo @ 1e18", "foo @ 9223372036854775.807");
  check("quantile(0.9, x) by (le)", "quantile by (le) (0.9, x)");
  check("limitk(5, x)", "limitk(5, x)");
  check("limit_ratio(0.5, x)", "limit_ratio(0.5, x)");
  check("group(x)", "group(x)");
  check("SUM(x) BY (job)", "sum by (job) (x)");
  check("sum(sum)", "sum(sum)");
  check("count by (by) (by)", "count by (by) (by)");
  // Functions.
  check("time()", "time()");
  check("floor(some_metric{foo!=\"bar\"})", "floor(some_metric{foo!=\"bar\"})");
  check("rate(some_metric[5m])", "rate(some_metric[5m])");
  check("round(some_metric)", "round(some_metric)");
  check("round(some_metric, 5)", "round(some_metric, 5)");
  check("label_join(x, \"dst\", \",\", \"a\", \"b\", \"c\")",
        "label_join(x, \"dst\", \",\", \"a\", \"b\", \"c\")");
  check("label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")",
        "label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")");
  check("histogram_quantile(0.99, sum by (le, route) (rate(h_bucket[5m])))",
        "histogram_quantile(0.99, sum by (le, route) (rate(h_bucket[5m])))");
  check("sort_by_label(x, \"a\", \"b\")", "sort_by_label(x, \"a\", \"b\")");
  check("double_exponential_smoothing(x[5m], 0.5, 0.5)",
        "double_exponential_smoothing(x[5m], 0.5, 0.5)");
  check("quantile_over_time(0.5, x[5m:1m])", "quantile_over_time(0.5, x[5m:1m])");
  check("day_of_month()", "day_of_month()");
  check("vector(1)", "vector(1)");
  check("scalar(x) + 1", "scalar(x) + 1");
  check("abs(x) # a comment\n + 1", "abs(x) + 1");
  check("foo\n# comment\n+\nbar", "foo + bar");
}

TEST(ParseExprTest, TypeAndMatching) {
  auto matching = [](std::string_view input) {
    absl::StatusOr<ExprPtr> e = ParseExpr(input);
    EXPECT_TRUE(e.ok()) << e.status();
    return std::get<BinaryExpr>((*e)->node).matching;
  };
  EXPECT_FALSE(matching("1 + foo").has_value());
  EXPECT_FALSE(matching("foo + 1").has_value());
  EXPECT_EQ(matching("foo + bar")->card, VectorMatching::Card::kOneToOne);
  EXPECT_EQ(matching("foo and bar")->card, VectorMatching::Card::kManyToMany);
  EXPECT_EQ(matching("foo or on (a) bar")->card, VectorMatching::Card::kManyToMany);
  EXPECT_EQ(matching("foo * on (a) group_left (b) bar")->card, VectorMatching::Card::kManyToOne);
  EXPECT_EQ(matching("foo * on (a) group_right bar")->card, VectorMatching::Card::kOneToMany);
  EXPECT_TRUE(matching("foo * on (a) group_right bar")->on);
  EXPECT_FALSE(matching("foo * ignoring (a) bar")->on);

  auto type = [](std::string_view input) {
    absl::StatusOr<ExprPtr> e = ParseExpr(input);
    EXPECT_TRUE(e.ok()) << e.status();
    return (*e)->Type();
  };
  EXPECT_EQ(type("1 + 1"), ValueType::kScalar);
  EXPECT_EQ(type("foo"), ValueType::kVector);
  EXPECT_EQ(type("foo[5m]"), ValueType::kMatrix);
  EXPECT_EQ(type("foo[5m:]"), ValueType::kMatrix);
  EXPECT_EQ(type("\"a\""), ValueType::kString);
  EXPECT_EQ(type("time()"), ValueType::kScalar);
  EXPECT_EQ(type("(1)"), ValueType::kScalar);
  EXPECT_EQ(type("-foo"), ValueType::kVector);
}

TEST(ParseMetricSelectorTest, Matchers) {
  absl::StatusOr<storage::Matchers> m = ParseMetricSelector("up{job=\"a\", instance=~\"b.*\"}");
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[2].name(), "__name__");
  EXPECT_EQ((*m)[2].value(), "up");
  EXPECT_EQ((*m)[1].type(), storage::MatchType::kRegexMatch);
  m = ParseMetricSelector("{__name__=~\"x.*\"}");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->size(), 1u);
  m = ParseMetricSelector("{}");  // accepted; the API layer checks emptiness
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->empty());
  EXPECT_EQ(std::string(ParseMetricSelector("up + 1").status().message()),
            "1:4: parse error: unexpected <op:+>");
  EXPECT_EQ(std::string(ParseMetricSelector("rate(x[5m])").status().message()),
            "1:5: parse error: unexpected \"(\"");
  EXPECT_EQ(std::string(ParseMetricSelector("up{").status().message()),
            "1:4: parse error: unexpected end of input inside braces");
}

TEST(ParseDurationTest, GoSyntax) {
  auto check = [](std::string_view s, int64_t want) {
    SCOPED_TRACE(s);
    absl::StatusOr<int64_t> d = ParseDuration(s);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, want);
  };
  check("0", 0);
  check("0s", 0);
  check("1ms", 1);
  check("5m", 300000);
  check("1h30m", 5400000);
  check("10s53ms", 10053);
  check("1y2w3d4h5m6s7ms",
        31536000000 + 2 * 604800000 + 3 * 86400000 + 4 * 3600000 + 5 * 60000 + 6007);
  check("10000s", 10000000);
  auto bad = [](std::string_view s, std::string_view msg) {
    SCOPED_TRACE(s);
    EXPECT_EQ(std::string(ParseDuration(s).status().message()), msg);
  };
  bad("", "empty duration string");
  bad("5", "not a valid duration string: \"5\"");
  bad("1.5h", "unknown unit \".\" in duration \"1.5h\"");
  bad("-5m", "not a valid duration string: \"-5m\"");
  bad("5m1h", "not a valid duration string: \"5m1h\"");
  bad("5m5m", "not a valid duration string: \"5m5m\"");
  bad("5hs", "unknown unit \"hs\" in duration \"5hs\"");
  bad("300y", "duration out of range");
  bad("99999999999999999999s", "not a valid duration string: \"99999999999999999999s\"");
}

TEST(FormatTest, DurationsAndNumbers) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(5400000), "1h30m");
  EXPECT_EQ(FormatDuration(500), "500ms");
  EXPECT_EQ(FormatDuration(7 * 86400000LL), "1w");
  EXPECT_EQ(FormatDuration(8 * 86400000LL), "8d");
  EXPECT_EQ(FormatDuration(365 * 86400000LL), "1y");
  EXPECT_EQ(FormatDuration(-60000), "-1m");
  EXPECT_EQ(FormatNumber(1), "1");
  EXPECT_EQ(FormatNumber(-0.25), "-0.25");
  EXPECT_EQ(FormatNumber(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatNumber(INFINITY), "+Inf");
  EXPECT_EQ(FormatNumber(NAN), "NaN");
  EXPECT_EQ(GoQuote("a\"b\\c\n\x01\xff"), "\"a\\\"b\\\\c\\n\\x01\\xff\"");
}

TEST(FunctionTableTest, Signatures) {
  const FunctionInfo* f = LookupFunction("label_join");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->variadic, -1);
  EXPECT_EQ(LookupFunction("holt_winters"), nullptr);  // removed in 3.0
  EXPECT_EQ(LookupFunction("nope"), nullptr);
  EXPECT_EQ(LookupFunction("pi")->return_type, ValueType::kScalar);
  for (std::string_view name : {"rate",
                                "irate",
                                "increase",
                                "delta",
                                "idelta",
                                "deriv",
                                "predict_linear",
                                "resets",
                                "changes",
                                "avg_over_time",
                                "min_over_time",
                                "max_over_time",
                                "sum_over_time",
                                "count_over_time",
                                "last_over_time",
                                "present_over_time",
                                "quantile_over_time",
                                "stddev_over_time",
                                "stdvar_over_time",
                                "absent_over_time",
                                "histogram_quantile",
                                "abs",
                                "ceil",
                                "floor",
                                "round",
                                "clamp",
                                "clamp_min",
                                "clamp_max",
                                "sqrt",
                                "exp",
                                "ln",
                                "log2",
                                "log10",
                                "sgn",
                                "sin",
                                "cos",
                                "tan",
                                "asin",
                                "acos",
                                "atan",
                                "sinh",
                                "cosh",
                                "tanh",
                                "asinh",
                                "acosh",
                                "atanh",
                                "deg",
                                "rad",
                                "pi",
                                "time",
                                "timestamp",
                                "vector",
                                "scalar",
                                "absent",
                                "sort",
                                "sort_desc",
                                "sort_by_label",
                                "sort_by_label_desc",
                                "label_replace",
                                "label_join",
                                "day_of_month",
                                "day_of_week",
                                "day_of_year",
                                "days_in_month",
                                "hour",
                                "minute",
                                "month",
                                "year",
                                "double_exponential_smoothing"}) {
    EXPECT_NE(LookupFunction(name), nullptr) << name;
  }
  const auto& all = AllFunctions();
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
}

}  // namespace
}  // namespace promlet::query
