// OpenMetrics 1.0 text: scrape mode (Prometheus openmetricsparse) and the
// strict rules beyond what the official suite (tests/conformance) covers.
#include <string_view>

#include "gtest/gtest.h"
#include "tests/scrape/textparse/test_util.h"

namespace promlet::scrape::textparse {
namespace {

using namespace std::string_view_literals;

void Accepts(std::string_view body, std::string_view want, bool strict = false) {
  SCOPED_TRACE(body);
  ParseResult r = strict ? OmStrict(body) : Om(body);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(Join(r.entries), want);
}

void Rejects(std::string_view body, std::string_view want_error = "", bool strict = false) {
  SCOPED_TRACE(body);
  ParseResult r = strict ? OmStrict(body) : Om(body);
  EXPECT_FALSE(r.ok) << Join(r.entries);
  if (!want_error.empty()) {
    EXPECT_EQ(r.error, want_error);
  }
}

TEST(OpenMetrics, Basics) {
  Accepts("# TYPE a counter\n# HELP a help \\\"q\\\" \\\\ \\n\n# UNIT a_seconds seconds\n"
          "a_total 1\n# EOF\n",
          "TYPE a counter\nHELP a help \"q\" \\ \n\nUNIT a_seconds seconds\na_total 1.0\n");
  Accepts("a 1\n# EOF", "a 1.0\n");  // no newline after # EOF
  Accepts("a{b=\"c\",} 1\n# EOF\n", "a{b=\"c\"} 1.0\n");  // Prometheus allows the comma
  Accepts("{\"a.b\",c=\"d\"} 1\n# EOF\n", "a.b{c=\"d\"} 1.0\n");
  Accepts("a{b=\"\\z\"} 1\n# EOF\n", "a{b=\"\\z\"} 1.0\n");
  Accepts("# HELP a he\0lp\n# EOF\n"sv, "HELP a he\0lp\n"sv);
}

TEST(OpenMetrics, Timestamps) {
  Accepts("a 1 123.456\nb 1 1.5e3\nc 1 000\nd 1 -1.5\n# EOF\n",
          "a 1.0 @123456\nb 1.0 @1500000\nc 1.0 @0\nd 1.0 @-1500\n");
  // Past the int64 range: clamped (Go leaves the conversion unspecified).
  Accepts("a 1 12345678901234567890.1\n# EOF\n", "a 1.0 @9223372036854775807\n");
  Rejects("a 1 NaN\n# EOF\n");
  Rejects("a 1 +Inf\n# EOF\n");
  Rejects("a 1 1_0\n# EOF\n");
}

TEST(OpenMetrics, Exemplars) {
  Accepts("# TYPE a counter\na_total 1 # {trace_id=\"x\"} 0.5 123.456\n# EOF\n",
          "TYPE a counter\na_total 1.0 # {trace_id=\"x\"} 0.5 @123456\n");
  Accepts("# TYPE a counter\na_total 1 7 # {} 2\n# EOF\n", "TYPE a counter\na_total 1.0 @7000 # {} 2.0\n");
  Accepts("a_bucket{le=\"1\",x=\"# {\"} 1 # {a=\"b # c\"} 1\n# EOF\n",
          "a_bucket{le=\"1\",x=\"# {\"} 1.0 # {a=\"b # c\"} 1.0\n");
  Rejects("a 1 # {a=\"b\"}\n# EOF\n");
  Rejects("a 1 # {a=\"b\"} 1 NaN\n# EOF\n");
  Rejects("a 1 #{a=\"b\"} 1\n# EOF\n");
  Rejects("a 1 # {\"a\"} 1\n# EOF\n");
  Rejects("a 1 # {a=\"b\"}  1\n# EOF\n");
  // Scrape mode accepts what only the storage would drop (length, sample kind).
  Accepts("# TYPE a gauge\na 1 # {a=\"b\"} 1\n# EOF\n", "TYPE a gauge\na 1.0 # {a=\"b\"} 1.0\n");
  Rejects("# TYPE a gauge\na 1 # {a=\"b\"} 1\n# EOF\n", "", /*strict=*/true);
}

TEST(OpenMetrics, CreatedSeries) {
  const char* body =
      "# TYPE a counter\na_total 1\na_created 1.5e9\n# TYPE g gauge\ng_created 1\n# EOF\n";
  Accepts(body, "TYPE a counter\na_total 1.0\na_created 1.5e+09\nTYPE g gauge\ng_created 1.0\n");
  ParserOptions o;
  o.skip_created_series = true;
  ParseResult r = ParseAll(body, Format::kOpenMetrics, Strictness::kScrape, o);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(Join(r.entries), "TYPE a counter\na_total 1.0\nTYPE g gauge\ng_created 1.0\n");
}

TEST(OpenMetrics, SyntaxRejectedInBothModes) {
  for (bool strict : {false, true}) {
    Rejects("", "line 1, column 1: expected \"# EOF\" at the end of the data, got end of input", strict);
    Rejects("a 1\n", "", strict);
    Rejects("a 1\n\n# EOF\n", "line 2, column 1: expected metric name, got \"\\n\"", strict);
    Rejects("# free comment\n# EOF\n", "", strict);
    Rejects("a 1\n# EOF\nx", "line 3, column 1: unexpected data after # EOF", strict);
    Rejects("a  1\n# EOF\n", "", strict);
    Rejects("a\t1\n# EOF\n", "", strict);
    Rejects("a{b=\"c\", d=\"e\"} 1\n# EOF\n", "", strict);
    Rejects("a {b=\"c\"} 1\n# EOF\n", "", strict);
    Rejects("a{b=\"c\"d=\"e\"} 1\n# EOF\n", "", strict);
    Rejects("a{b=\"c\nd\"} 1\n# EOF\n", "", strict);
    Rejects("a{b=\"c\",b=\"d\"} 1\n# EOF\n", "", strict);
    Rejects("a 1 \n# EOF\n", "", strict);
    Rejects("# TYPE a untyped\n# EOF\n", "", strict);
    Rejects("# UNIT a seconds\n# EOF\n", "", strict);
    Rejects("# HELP a\n# EOF\n", "", strict);
  }
}

TEST(OpenMetrics, StrictOnlyRules) {
  const char* cases[] = {
      "a{b=\"c\",} 1\n# EOF\n",
      "{\"a.b\"} 1\n# EOF\n",
      "# TYPE a counter\na_total -1\n# EOF\n",
      "# TYPE a histogram\na_bucket{le=\"1\"} 1\n# EOF\n",
      "# TYPE a gauge\na 1\n# TYPE a gauge\n# EOF\n",
      "a 1\nb 1\na 2\n# EOF\n",
  };
  for (const char* body : cases) {
    SCOPED_TRACE(body);
    EXPECT_TRUE(Om(body).ok) << Om(body).error;
    EXPECT_FALSE(OmStrict(body).ok);
  }
  Accepts("# TYPE a histogram\na_bucket{le=\"1\"} 0\na_bucket{le=\"+Inf\"} 3\na_count 3\na_sum 2\n"
          "a_created 1\n# EOF\n",
          "TYPE a histogram\na_bucket{le=\"1.0\"} 0.0\na_bucket{le=\"+Inf\"} 3.0\na_count 3.0\n"
          "a_sum 2.0\na_created 1.0\n",
          /*strict=*/true);
}

TEST(OpenMetrics, LeNormalisation) {
  Accepts("# TYPE a histogram\na_bucket{le=\"1\"} 0\na_bucket{le=\"+Inf\"} 3\n# EOF\n",
          "TYPE a histogram\na_bucket{le=\"1.0\"} 0.0\na_bucket{le=\"+Inf\"} 3.0\n");
}

}  // namespace
}  // namespace promlet::scrape::textparse
