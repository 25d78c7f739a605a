// Invalid PromQL: the exact error text and position Prometheus reports
// (cases from promql/parser/parse_test.go; line:col is 1-based).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "query/parser/parser.h"

namespace promlet::query {
namespace {

void CheckError(std::string_view input, std::string_view want) {
  SCOPED_TRACE(input);
  absl::StatusOr<ExprPtr> e = ParseExpr(input);
  ASSERT_FALSE(e.ok()) << "parsed unexpectedly";
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(e.status().message()), want);
}

TEST(ParseErrorsTest, LiteralsAndOperators) {
  auto check = CheckError;
  check("", "unknown position: parse error: no expression found in input");
  check("# just a comment\n\n", "1:1: parse error: no expression found in input");
  check("1+", "1:3: parse error: unexpected end of input");
  check(".", "1:1: parse error: unexpected character: '.'");
  check("2.5.", "1:1: parse error: bad number or duration syntax: \"2.5.\"");
  check("100..4", "1:1: parse error: bad number or duration syntax: \"100..\"");
  check("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"");
  check("1 /", "1:4: parse error: unexpected end of input");
  check("*1", "1:1: parse error: unexpected <op:*>");
  check("(1))", "1:5: parse error: unexpected right parenthesis ')'");
  check("((1)", "1:5: parse error: unclosed left parenthesis");
  check("(", "1:2: parse error: unclosed left parenthesis");
  check("9" + std::string(309, '9'),
        "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"" +
            std::string(310, '9') + "\": value out of range");
  check("1 and 1",
        "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  check("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier");
  check("1 or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression");
  check("1 unless 1",
        "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression");
  check("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'");
  check("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'");
  check("-\"string\"",
        "1:1: parse error: unary expression only allowed on expressions of type scalar or "
        "instant vector, got \"string\"");
  check("-test[5m]",
        "1:1: parse error: unary expression only allowed on expressions of type scalar or "
        "instant vector, got \"range vector\"");
  check("*test", "1:1: parse error: unexpected <op:*>");
  check("@@", "1:1: parse error: unexpected <op:@>");
  check("1 offset 1d",
        "1:1: parse error: offset modifier must be preceded by an instant vector selector or "
        "range vector selector or a subquery");
  check("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times");
  check("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>");
  check("foo and 1",
        "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  check("1 and foo",
        "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  check("foo or 1",
        "1:1: parse error: set operator \"or\" not allowed in binary scalar expression");
  check("1 unless foo",
        "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression");
  check("1 or on(bar) foo",
        "1:1: parse error: vector matching only allowed between instant vectors");
  check("foo == on(bar) 10",
        "1:1: parse error: vector matching only allowed between instant vectors");
  check("foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>");
  check("foo and on(bar) group_left(baz) bar",
        "1:1: parse error: no grouping allowed for \"and\" operation");
  check("foo or on(bar) group_right(baz) bar",
        "1:1: parse error: no grouping allowed for \"or\" operation");
  check("foo unless on(bar) group_left(baz) bar",
        "1:1: parse error: no grouping allowed for \"unless\" operation");
  check(
      "http_requests{group=\"production\"} + on(instance) group_left(job,instance) "
      "cpu_count{type=\"smp\"}",
      "1:35: parse error: label \"instance\" must not occur in ON and GROUP clause at once");
  check("foo + bool bar",
        "1:5: parse error: bool modifier can only be used on comparison operators");
  check("foo + bool 10",
        "1:5: parse error: bool modifier can only be used on comparison operators");
  check("foo and bool 10",
        "1:5: parse error: bool modifier can only be used on comparison operators");
  check("-=", "1:2: parse error: unexpected \"=\"");
  check("++-++-+-+-<", "1:11: parse error: unexpected <op:<>");
  check("e-+=/(0)", "1:4: parse error: unexpected \"=\"");
  check("a>b()", "1:3: parse error: unknown function with name \"b\"");
  check("foo bar", "1:5: parse error: unexpected identifier \"bar\"");
  check("1\n+\n", "3:1: parse error: unexpected end of input");
}

TEST(ParseErrorsTest, Selectors) {
  auto check = CheckError;
  check("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf");
  check("foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf");
  check("foo @ 1e30",
        "1:1: parse error: timestamp out of bounds for @ modifier: "
        "1000000000000000019884624838656.000000");
  check("foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN");
  check("foo @ 9223372036854775808.000000",
        "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000");
  check("foo @ -9223372036854775808.000000",
        "1:1: parse error: timestamp out of bounds for @ modifier: -9223372036854775808.000000");
  check("{", "1:2: parse error: unexpected end of input inside braces");
  check("}", "1:1: parse error: unexpected character: '}'");
  check("some{", "1:6: parse error: unexpected end of input inside braces");
  check("some}", "1:5: parse error: unexpected character: '}'");
  check("some_metric{a=b}",
        "1:15: parse error: unexpected identifier \"b\" in label matching, expected string");
  check("some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'");
  check("foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'");
  check("foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'");
  check("some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune");
  check("foo{gibberish}",
        "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator");
  check("foo{1}", "1:5: parse error: unexpected character inside braces: '1'");
  check("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher");
  check("{x=\"\"}",
        "1:1: parse error: vector selector must contain at least one non-empty matcher");
  check("{x=~\".*\"}",
        "1:1: parse error: vector selector must contain at least one non-empty matcher");
  check("{x!~\".+\"}",
        "1:1: parse error: vector selector must contain at least one non-empty matcher");
  check("{x!=\"a\"}",
        "1:1: parse error: vector selector must contain at least one non-empty matcher");
  check("foo{__name__=\"bar\"}",
        "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
  check("foo{__name__= =}",
        "1:15: parse error: unexpected \"=\" in label matching, expected string");
  check("foo{,}",
        "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"");
  check("foo{__name__ == \"bar\"}",
        "1:15: parse error: unexpected \"=\" in label matching, expected string");
  check("foo{__name__=\"bar\" lol}",
        "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or "
        "\"}\"");
  check("foo{\"a\"=}", "1:9: parse error: unexpected \"}\" in label matching, expected string");
  check("foo{a=\"b\" # comment", "1:20: parse error: unexpected end of input inside braces");
  check("foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"");
  check("foo[5m1]", "1:5: parse error: bad number or duration syntax: \"5m1\"");
  check("foo[5m:1m1]", "1:8: parse error: bad number or duration syntax: \"1m1\"");
  check("foo[5y1hs]", "1:5: parse error: unknown unit \"hs\" in duration \"5y1hs\"");
  check("foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"");
  check("foo[5m1m]", "1:5: parse error: not a valid duration string: \"5m1m\"");
  check("foo[0m]", "1:5: parse error: duration must be greater than 0");
  check("foo[]",
        "1:5: parse error: unexpected \"]\" in subquery selector, expected number or duration");
  check("foo[-1]",
        "1:5: parse error: unexpected <op:-> in subquery selector, expected number or duration");
  check("foo[5m", "1:7: parse error: unclosed left bracket");
  check("foo[5m x]", "1:8: parse error: unexpected character: 'x', expected ':'");
  check("foo[5s x 5s]", "1:8: parse error: unexpected character: 'x', expected ':'");
  check("foo[5s s 5s]", "1:8: parse error: unexpected character: 's', expected ':'");
  check(
      "foo[5m 1m]",
      "1:8: parse error: unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\"");
  check("foo[5m:1m 1m]",
        "1:11: parse error: unexpected duration \"1m\" in subquery selector, expected \"]\"");
  check("foo[5m] offset 9.5e10", "1:16: parse error: duration out of range");
  check("foo[9.5e10]", "1:5: parse error: duration out of range");
  check("some_metric[5m] OFFSET 1mm", "1:24: parse error: bad number or duration syntax: \"1mm\"");
  check("some_metric[5m] OFFSET",
        "1:23: parse error: unexpected end of input in offset, expected number or duration");
  check("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range");
  check("some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp");
  check("some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range");
  check("some_metric @ start() [5m]", "1:23: parse error: no @ modifiers allowed before range");
  check("some_metric @ end()[5m]", "1:20: parse error: no @ modifiers allowed before range");
  check("some_metric @ start(", "1:21: parse error: unclosed left parenthesis");
  check("some_metric @ foo",
        "1:15: parse error: unexpected identifier \"foo\" in @, expected timestamp");
  check("foo offset start",
        "1:12: parse error: unexpected \"start\" in offset, expected number or duration");
  check("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times");
  check("foo[5m] @ 1 @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times");
  check("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors");
  check("rate(food[1m])[1h] offset 1h",
        "1:15: parse error: ranges only allowed for vector selectors");
  check("1[5m] smoothed", "1:2: parse error: ranges only allowed for vector selectors");
  check("test[5d] OFFSET 10s [10m:5s]",
        "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
  check("(foo + bar{nm=\"val\"})[5m:][10m:5s]",
        "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
  check("\"x\"[5m:]",
        "1:1: parse error: subquery is only allowed on instant vector, got string instead");
  check("foo{x=~\"(\"}", "1:5: parse error: invalid regular expression \"(\": missing ): ^(?:()$");
}

TEST(ParseErrorsTest, AggregationsAndCalls) {
  auto check = CheckError;
  check("sum without(==)(some_metric)",
        "1:13: parse error: unexpected <op:==> in grouping opts, expected label");
  check("sum without(,)(some_metric)",
        "1:13: parse error: unexpected \",\" in grouping opts, expected label");
  check("sum without(foo,,)(some_metric)",
        "1:17: parse error: unexpected \",\" in grouping opts, expected label");
  check(
      "sum by (foo bar) (x)",
      "1:13: parse error: unexpected identifier \"bar\" in grouping opts, expected \",\" or \")\"");
  check("sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\"");
  check("sum (some_metric) by test",
        "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"");
  check("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided");
  check("MIN keep_common (some_metric)", "1:5: parse error: unexpected identifier \"keep_common\"");
  check("MIN (some_metric) keep_common",
        "1:19: parse error: unexpected identifier \"keep_common\"");
  check("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>");
  check("sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>");
  check("sum by (test) foo", "1:15: parse error: unexpected identifier \"foo\" in aggregation");
  check("sum(1 +)", "1:8: parse error: unexpected \")\" in aggregation");
  check("sum(rate(x[5m] 1))", "1:16: parse error: unexpected number \"1\" in aggregation");
  check("rate(x[5m] 1)", "1:12: parse error: unexpected number \"1\"");
  check("sum by (\"foo)(some_metric{})", "1:9: parse error: unterminated quoted string");
  check("sum by (without) (x)",
        "1:9: parse error: unexpected <without> in grouping opts, expected label");
  check("sum by (\"\") (x)", "1:9: parse error: invalid label name for grouping: \"\"");
  check(
      "topk(some_metric)",
      "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, "
      "got 1");
  check(
      "sum(a, b)",
      "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, "
      "got 2");
  check("topk(some_metric,)",
        "1:17: parse error: trailing commas not allowed in function call args");
  check("topk(some_metric, other_metric)",
        "1:6: parse error: expected type scalar in aggregation parameter, got instant vector");
  check("count_values(5, other_metric)",
        "1:14: parse error: expected type string in aggregation parameter, got scalar");
  check(
      "sum(x[5m])",
      "1:5: parse error: expected type instant vector in aggregation expression, got range vector");
  check("rate(some_metric[5m]) @ 1234",
        "1:1: parse error: @ modifier must be preceded by an instant vector selector or range "
        "vector selector or a subquery");
  check("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0");
  check("floor(some_metric, other_metric)",
        "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2");
  check("floor(1)",
        "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar");
  check("hour(some_metric, some_metric, some_metric)",
        "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3");
  check("label_join(x, \"a\")",
        "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 2");
  check("label_join(x, \"a\", \",\", \"b\", 1)",
        "1:30: parse error: expected type string in call to function \"label_join\", got scalar");
  check("time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1");
  check("non_existent_function_far_bar()",
        "1:1: parse error: unknown function with name \"non_existent_function_far_bar\"");
  check("rate(some_metric)",
        "1:6: parse error: expected type range vector in call to function \"rate\", got instant "
        "vector");
  check("rate(avg)",
        "1:6: parse error: expected type range vector in call to function \"rate\", got instant "
        "vector");
  check("label_replace(a, `b`, `c\xff`, `d`, `.*`)", "1:23: parse error: invalid UTF-8 rune");
  check("sum(", "1:5: parse error: unclosed left parenthesis");
  check("sum(rate(", "1:10: parse error: unclosed left parenthesis");
  check("holt_winters(x[5m], 0.5, 0.5)",
        "1:1: parse error: unknown function with name \"holt_winters\"");
  check("rate(x[5m]) + on(a) group_left", "1:31: parse error: unexpected end of input");
}

TEST(ParseErrorsTest, Strings) {
  auto check = CheckError;
  check("`\\``", "1:4: parse error: unterminated raw string");
  check("\"\\", "1:1: parse error: escape sequence not terminated");
  check("\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'");
  check("\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence");
  check("\"abc\n\"", "1:1: parse error: unterminated quoted string");
  check("\"\\400\"", "1:1: parse error: escape sequence is an invalid Unicode code point");
  check("\"\\uD800\"", "1:1: parse error: escape sequence is an invalid Unicode code point");
}

TEST(ParseErrorsTest, DeepNestingIsRejectedNotCrashing) {
  EXPECT_FALSE(ParseExpr(std::string(100000, '(') + "1" + std::string(100000, ')')).ok());
  EXPECT_FALSE(ParseExpr(std::string(100000, '-') + "foo").ok());
  std::string chain = "a";
  for (int i = 0; i < 50000; ++i) chain += " + a";
  EXPECT_FALSE(ParseExpr(chain).ok());
  std::string pow = "a";
  for (int i = 0; i < 50000; ++i) pow += " ^ a";
  EXPECT_FALSE(ParseExpr(pow).ok());
  // Long but shallow queries are fine.
  std::string wide = "a";
  for (int i = 0; i < 1000; ++i) wide += " + a";
  EXPECT_TRUE(ParseExpr(wide).ok());
}

}  // namespace
}  // namespace promlet::query
