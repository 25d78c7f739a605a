// Prometheus text 0.0.4 in strict mode: the spec as prometheus/common expfmt
// enforces it (../shared/conformance/textformat-edge-cases.md §2).
#include <string_view>

#include "gtest/gtest.h"
#include "tests/scrape/textparse/test_util.h"

namespace promlet::scrape::textparse {
namespace {

void Accepts(std::string_view body, std::string_view want = "") {
  SCOPED_TRACE(body);
  ParseResult r = TextStrict(body);
  ASSERT_TRUE(r.ok) << r.error;
  if (!want.empty()) {
    EXPECT_EQ(Join(r.entries), want);
  }
}

void Rejects(std::string_view body, std::string_view want_error = "") {
  SCOPED_TRACE(body);
  ParseResult r = TextStrict(body);
  EXPECT_FALSE(r.ok) << Join(r.entries);
  if (!want_error.empty()) {
    EXPECT_EQ(r.error, want_error);
  }
}

TEST(TextStrict, Accepted) {
  Accepts("\n\n");
  Accepts("minimal_metric 1.234\nanother_metric -3e3 103948\n# Even that:\nno_labels{} 3\n"
          "# HELP line for non-existing metric will be ignored.\n");
  Accepts("# HELP name two-line\\n doc  str\\\\ing\n# TYPE name counter\n"
          "name{labelname=\"val1\",basename=\"basevalue\"} NaN\n"
          "name {labelname=\"val2\",basename=\"base\\\"v\\\\al\\nue\"} 0.23 1234567890\n",
          "HELP name two-line\n doc  str\\ing\nTYPE name counter\n"
          "name{labelname=\"val1\",basename=\"basevalue\"} NaN\n"
          "name{labelname=\"val2\",basename=\"base\"v\\al\nue\"} 0.23 @1234567890\n");
  Accepts("a{b=\"c\", d=\"e\" , }-Inf\n");  // blanks, trailing comma, no blank before value
  Accepts("m 1\n# HELP m help after the samples\n");
  Accepts("# TYPE x  gauge \nx 1\n", "TYPE x gauge\nx 1.0\n");
  Accepts("# TYPE g gauge_histogram\n# TYPE h GAUGEHISTOGRAM\n");
  Accepts("# HELP\n# HELP \n# TYPE name\n#HELP x  y\n", "COMMENT # HELP\nCOMMENT # HELP \nCOMMENT # TYPE name\nHELP x y\n");
  Accepts("decoy -1 -2\n", "decoy -1.0 @-2\n");  // negative timestamps are fine here
  Accepts("# TYPE s summary\ns{quantile=\".3\"} 1\ns{quantile=\"-12.34\"} 1\n");
  Accepts("# TYPE h histogram\nh_bucket{le=\"100\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n");
  Accepts("{\"my.noncompliant.metric\",\"label.name\"=\"value\"} 1\n",
          "my.noncompliant.metric{label.name=\"value\"} 1.0\n");
  Accepts("{\"my\\\"noncompliant\\nmetric\\\\\"} 1\n", "my\"noncompliant\nmetric\\ 1.0\n");
  Accepts("# TYPE \"a.b\" counter\n{\"a.b\",\"x*y\"=\"Björn\\n\"} 1\n");
  // Interleaved summary lines are fine; expfmt groups by name.
  Accepts("# TYPE s summary\ns{quantile=\"0.5\"} 1\nother 2\ns_sum 3\ns_count 4\nfake_sum 5\n");
  // The float histograms of §2.1 item 12 are plain floats here.
  Accepts("# TYPE h histogram\nh_bucket{le=\"1\"} 1.5\nh_bucket{le=\"+Inf\"} 123.5\nh_count 123.5\n");
}

TEST(TextStrict, Rejected) {
  Rejects("bla 3.14", "line 1, column 9: expected newline at end of line, got end of input");
  Rejects("metric{label=\"\\t\"} 3.14\n");
  Rejects("metric{label=\"new\nline\"} 3.14\n");
  Rejects("metric{@=\"bla\"} 3.14\n");
  Rejects("metric{__name__=\"bla\"} 3.14\n", "line 1, column 8: label name \"__name__\" is reserved");
  Rejects("metric{label+=\"bla\"} 3.14\n");
  Rejects("metric{label=bla} 3.14\n");
  Rejects("# TYPE metric summary\nmetric{quantile=\"bla\"} 3.14\n");
  Rejects("metric{label=\"bla\"+} 3.14\n");
  Rejects("metric{label=\"bla\"} 3.14 2.72\n");
  Rejects("metric{label=\"bla\"} 3.14 2 3\n");
  Rejects("metric{label=\"bla\"} blubb\n");
  Rejects("# HELP metric one\n# HELP metric two\n");
  Rejects("# TYPE metric counter\n# TYPE metric untyped\n");
  Rejects("metric 4.12\n# TYPE metric counter\n");
  Rejects("# TYPE metric bla\n");
  Rejects("# TYPE met-ric\n");
  Rejects("@invalidmetric{label=\"bla\"} 3.14 2\n");
  Rejects("{label=\"bla\"} 3.14 2\n");
  Rejects("# TYPE metric histogram\nmetric_bucket{le=\"bla\"} 3.14\n");
  Rejects("metric{label=\"\xff\"} 1\n");
  for (std::string_view v : {"1_2", "0x1p-3", "0x1P-3", "0B1", "0O1", "0X1", "0x1", "0b1", "0o1"}) {
    Rejects(std::string("a ") + std::string(v) + "\n");
  }
  Rejects("# TYPE m histogram\nm_bucket{le=\"0x1p-3\"} 1\n");
  Rejects("# TYPE m summary\nm{quantile=\"0x1p-3\"} 1\n");
  Rejects("a{label=\"a\",label=\"a\"} 1\n");
  Rejects("{\"a.b\",\"c.d\"} 1\n");
  Rejects("{\"a\\tb\"} 1\n");
  Rejects("{\"a.b\".} 1\n");
  Rejects("# TYPE \"a\\tb\" counter\n");
  Rejects("{\"a\nb\"} 1\n");
  Rejects("a{\"l\nx\"=\"v\"} 1\n");
  Rejects("# TYPE h histogram\nh_count -1\n");
  Rejects("# TYPE h histogram\nh_count -1.5\n");
  Rejects("# TYPE h histogram\nh_bucket{le=\"1\"} -1\n");
  Rejects("# TYPE h histogram\nh_bucket{le=\"1\"} -0.5\n");
  Rejects("{} 3.14\n");
  Rejects("a{b=\"1\" c=\"2\"} 1\n");  // blanks without a comma
  Rejects("# HELP a bad \\t escape\n");
}

}  // namespace
}  // namespace promlet::scrape::textparse
