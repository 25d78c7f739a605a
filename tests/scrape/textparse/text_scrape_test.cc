// Prometheus text 0.0.4 in scrape mode: what the Prometheus server's
// promparse accepts and rejects (../shared/conformance/textformat-edge-cases.md
// §3 and §4, checked against model/textparse/promlex.l and promparse.go).
#include <cstring>
#include <string_view>

#include "gtest/gtest.h"
#include "tests/scrape/textparse/test_util.h"

namespace promlet::scrape::textparse {
namespace {

using namespace std::string_view_literals;

void Accepts(std::string_view body, std::string_view want) {
  SCOPED_TRACE(body);
  ParseResult r = Text(body);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(Join(r.entries), want);
}

void Rejects(std::string_view body, std::string_view want_error = "") {
  SCOPED_TRACE(body);
  ParseResult r = Text(body);
  EXPECT_FALSE(r.ok) << Join(r.entries);
  if (!want_error.empty()) {
    EXPECT_EQ(r.error, want_error);
  }
}

TEST(TextScrape, BlankAndComments) {
  Accepts("", "");
  Accepts("\n\n  \n\t\n", "");
  Accepts("# Hrandom comment starting with prefix of HELP\n#\n",
          "COMMENT # Hrandom comment starting with prefix of HELP\nCOMMENT #\n");
  Accepts("# comment with \\escape and \\n kept\n",
          "COMMENT # comment with \\escape and \\n kept\n");
  Accepts("# \tTYPE x summary\n", "TYPE x summary\n");
  Accepts("#\tHELP x some help\n", "HELP x some help\n");
  Accepts("#HELP x y\n", "COMMENT #HELP x y\n");  // `#` needs a blank for metadata
  Accepts("  # HELP x y\n", "HELP x y\n");
  Accepts("# HELP\n", "COMMENT # HELP\n");  // no blank after the keyword: comment
}

TEST(TextScrape, Metadata) {
  Accepts("# HELP name\n", "HELP name \n");
  Accepts("# HELP name \n", "HELP name \n");
  Accepts("# HELP name   \n", "HELP name \n");
  Accepts("# HELP x   text\n", "HELP x " "  text\n");  // one blank dropped, two kept
  Accepts("# HELP x two-line\\n doc  str\\\\ing \\\"q\\\"\n",
          "HELP x two-line\n doc  str\\ing \\\"q\\\"\n");
  Accepts("# TYPE x counter\n# HELP x h\n", "TYPE x counter\nHELP x h\n");
  Accepts("# HELP x h\n# TYPE x untyped\n", "HELP x h\nTYPE x unknown\n");
  Accepts("# HELP x h\n# HELP x h\n# TYPE x gauge\n# TYPE x gauge\n",
          "HELP x h\nHELP x h\nTYPE x gauge\nTYPE x gauge\n");  // no cross-line checks
  Accepts("# HELP \"my.metric\" h\n# TYPE \"my.metric\" counter\n",
          "HELP my.metric h\nTYPE my.metric counter\n");
  Accepts("# HELP x he\0lp\n"sv, "HELP x he\0lp\n"sv);
  Rejects("# TYPE #\n", "line 1, column 8: expected metric name after TYPE, got \"#\"");
  Rejects("# HELP #\n");
  Rejects("# HELP \n");
  Rejects("# TYPE x  gauge\n");
  Rejects("# TYPE x gauge \n");
  Rejects("# TYPE x gaugehistogram\n", "line 1, column 10: invalid metric type \"gaugehistogram\"");
  Rejects("# TYPE x bla\n");
  Rejects("# HELP x \xff\n");
}

TEST(TextScrape, NamesAndLabels) {
  Accepts("a 1\n", "a 1.0\n");
  Accepts("some:aggregate:rate5m{a_b=\"c\"} 1\n", "some:aggregate:rate5m{a_b=\"c\"} 1.0\n");
  Accepts("_under{_l=\"v\"} 2\n", "_under{_l=\"v\"} 2.0\n");
  Accepts("no_labels{} 3\n", "no_labels 3.0\n");
  Accepts("x{quantile=\"0.25\",} 1\n", "x{quantile=\"0.25\"} 1.0\n");
  Accepts("x{ quantile = \"1.0\" } 1\n", "x{quantile=\"1.0\"} 1.0\n");
  Accepts("x {a=\"b\"} 1\n", "x{a=\"b\"} 1.0\n");
  Accepts("x{ quantile = \"2.0\" a = \"b\" } 1\n", "x{quantile=\"2.0\",a=\"b\"} 1.0\n");
  Accepts("x{a=\"b\",\tc=\"d\" ,}-Inf\n", "x{a=\"b\",c=\"d\"} -Inf\n");
  Accepts("x{label=\"\\\"bar\\\"\"} 1\n", "x{label=\"\"bar\"\"} 1.0\n");
  Accepts("x{a=\"\\\\ \\n \\\"\"} 1\n", "x{a=\"\\ \n \"\"} 1.0\n");
  Accepts("x{a=\"\\t\"} 1\n", "x{a=\"\\t\"} 1.0\n");   // unknown escape kept as written
  Accepts("x{a=\"line\nbreak\"} 1\n", "x{a=\"line\nbreak\"} 1.0\n");  // raw newline
  Accepts("x{a=\"Björn 日本\"} 1\n", "x{a=\"Björn 日本\"} 1.0\n");
  Accepts("x{a=\"nul\0in\"} 1\n"sv, "x{a=\"nul\0in\"} 1.0\n"sv);
  Accepts("x{a=\"\"} 1\n", "x{a=\"\"} 1.0\n");  // kept here; storage drops it
  Rejects("a\n", "line 1, column 2: expected value after metric, got \"\\n\"");
  Rejects("a{b='c'} 1\n", "line 1, column 5: expected label value, got \"'c'\"");
  Rejects("a{b=\n");
  Rejects("a{\xff=\"1\"} 1\n");
  Rejects("a{b=\"\xff\"} 1\n");
  Rejects("a{b=\"\xc0\xaf\"} 1\n");  // overlong
  Rejects("a{b\\c=\"d\"} 1\n");
  Rejects("something_weird{problem=\"");
  Rejects("a{=\"\"} 1\n");
  Rejects("{A}0\n");
  Rejects("{a=\"ok\"} 1\n", "line 1, column 1: metric name not set");
  Rejects("{} 3.14\n");
  Rejects("a{l=\"a\",l=\"b\"} 1\n", "line 1, column 1: duplicate label name \"l\"");
  Rejects("a{__name__=\"b\"} 1\n");
  Rejects("a{b=\"c\",,} 1\n");
  Rejects("a{,} 1\n");
}

TEST(TextScrape, QuotedUtf8Names) {
  Accepts("{\"my.metric\", \"label.x\"=\"v\"} 1\n", "my.metric{label.x=\"v\"} 1.0\n");
  Accepts("{\"name.with.dots\"} 42.0\n", "name.with.dots 42.0\n");
  Accepts("{labelname=\"value\", \"my.metric\"} 1\n", "my.metric{labelname=\"value\"} 1.0\n");
  Accepts("{ \"sp ace€{}\\\"q\\n\" } 1\n", "sp ace€{}\"q\n 1.0\n");
  Accepts("a{\"l©™\\n'\"=\"v\"} 1\n", "a{l©™\n'=\"v\"} 1.0\n");
  Rejects("{\"a\", \"b = \"c\"} 1\n");
  Rejects("{\"a\",\"b\"} 1\n");
}

TEST(TextScrape, Values) {
  auto value = [](std::string_view v, std::string_view want) {
    std::string body = std::string("a ") + std::string(v) + "\n";
    ParseResult r = Text(body);
    ASSERT_TRUE(r.ok) << v << ": " << r.error;
    EXPECT_EQ(r.entries[0], std::string("a ") + std::string(want)) << v;
  };
  value("1", "1.0");
  value("-3e3", "-3000.0");
  value("1.7560473e+06", "1.7560473e+06");
  value("08", "8.0");
  value(".5", "0.5");
  value("5.", "5.0");
  value("+7", "7.0");
  value("NaN", "NaN");
  value("nan", "NaN");
  value("+Inf", "+Inf");
  value("-Inf", "-Inf");
  value("Inf", "+Inf");
  value("-infinity", "-Inf");
  value("9223372036854775808", "9.223372036854776e+18");
  value("1e-400", "0.0");  // underflow is not an error in Go
  for (std::string_view bad : {"true", "1_2", "0x1p-3", "0x1P-3", "0x1", "0b1", "0o1", "+NaN",
                               "1e400", "-", ".", "1e", "--1", "1.2.3", "in"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Text(std::string("a ") + std::string(bad) + "\n").ok);
  }
}

TEST(TextScrape, NaNIsNormalised) {
  Parser p;
  p.Reset("a NaN\n");
  ASSERT_EQ(p.Next(), Entry::kSeries);
  uint64_t bits;
  double v = p.value();
  std::memcpy(&bits, &v, 8);
  EXPECT_EQ(bits, 0x7ff8000000000001ull);  // Prometheus value.NormalNaN
}

TEST(TextScrape, Timestamps) {
  Accepts("a 1 123\n", "a 1.0 @123\n");
  Accepts("a\t1\n", "a 1.0\n");
  Accepts("a 33  \t123123\n", "a 33.0 @123123\n");
  Accepts("a 1 0\nb 2\n", "a 1.0 @0\nb 2.0\n");
  Accepts("a 1 123 \t\n", "a 1.0 @123\n");
  Rejects("a 1 -2\n", "line 1, column 5: expected timestamp or new record, got \"-2\"");
  Rejects("a 1 2.72\n");
  Rejects("a 1 1_2\n");
  Rejects("a 3.14 2 3\n", "line 1, column 10: expected next entry after timestamp, got \"3\"");
  Rejects("a 1 99999999999999999999\n");
}

TEST(TextScrape, NulBytes) {
  Rejects("a{\0b=\"c\"} 1\n"sv);
  Rejects("a{b=\0\"c\"} 1\n"sv);
  Rejects("a{b\0=\"c\"} 1\n"sv);
  Rejects("a\0 1\n"sv);
  Rejects("a 1 2\0\n"sv);
  // promlex.l `\0 return tEOF`: a NUL at the start of a line ends the input.
  Accepts("a 1\n\0garbage\n"sv, "a 1.0\n");
}

TEST(TextScrape, NoFinalNewline) {
  Accepts("a 1", "a 1.0\n");
  Accepts("a 1 5", "a 1.0 @5\n");
  Accepts("# HELP a x", "HELP a x\n");
  Accepts("# comment", "COMMENT # comment\n");
}

TEST(TextScrape, LeAndQuantileNormalisation) {
  Accepts(
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 1\nh_bucket{le=\"1e6\"} 1\nh_bucket{le=\"100000\"} 1\n"
      "h_bucket{le=\"0.00001\"} 1\nh_bucket{le=\"bla\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
      "h_sum 3\nh_count 2\n",
      "TYPE h histogram\n"
      "h_bucket{le=\"1.0\"} 1.0\nh_bucket{le=\"1e+06\"} 1.0\nh_bucket{le=\"100000.0\"} 1.0\n"
      "h_bucket{le=\"1e-05\"} 1.0\nh_bucket{le=\"bla\"} 1.0\nh_bucket{le=\"+Inf\"} 2.0\n"
      "h_sum 3.0\nh_count 2.0\n");
  Accepts("# TYPE s summary\ns{quantile=\"0\"} 1\ns{quantile=\".5\"} 1\n",
          "TYPE s summary\ns{quantile=\"0.0\"} 1.0\ns{quantile=\"0.5\"} 1.0\n");
  Accepts("u{le=\"10\"} 1\n", "u{le=\"10\"} 1.0\n");  // untyped: left alone
  // Off by option; series() is never rewritten.
  ParserOptions o;
  o.normalize_le_quantile = false;
  ParseResult r = ParseAll("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n", Format::kPrometheusText,
                           Strictness::kScrape, o);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.entries[1], "h_bucket{le=\"1\"} 1.0");
  Parser p;
  p.Reset("# TYPE h histogram\nh_bucket{le=\"1\"} 1\n");
  ASSERT_EQ(p.Next(), Entry::kType);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.labels()[0].value, "1.0");
  EXPECT_EQ(p.series(), "h_bucket{le=\"1\"}");
  EXPECT_EQ(p.family_name(), "h");
  EXPECT_EQ(p.family_type(), MetricType::kHistogram);
}

TEST(TextScrape, SampleAccessors) {
  Parser p;
  p.Reset("# TYPE http_requests counter\nhttp_requests_total{code=\"200\",method=\"get\"} 1027 1395066363000\n");
  ASSERT_EQ(p.Next(), Entry::kType);
  EXPECT_EQ(p.metadata_name(), "http_requests");
  EXPECT_EQ(p.type(), MetricType::kCounter);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.series(), "http_requests_total{code=\"200\",method=\"get\"}");
  EXPECT_EQ(p.metric_name(), "http_requests_total");
  EXPECT_EQ(p.family_name(), "http_requests");
  EXPECT_EQ(p.value(), 1027);
  ASSERT_TRUE(p.has_timestamp());
  EXPECT_EQ(p.timestamp_ms(), 1395066363000);
  storage::LabelsBuilder b;
  p.LabelsTo(&b);
  EXPECT_EQ(b.Build().ToString(), "{__name__=\"http_requests_total\", code=\"200\", method=\"get\"}");
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_TRUE(p.status().ok());
}

TEST(TextScrape, EmptyLabelValueDroppedByBuilder) {
  Parser p;
  p.Reset("a{b=\"\",c=\"d\"} 1\n");
  ASSERT_EQ(p.Next(), Entry::kSeries);
  storage::LabelsBuilder b;
  p.LabelsTo(&b);
  EXPECT_EQ(b.Build().ToString(), "{__name__=\"a\", c=\"d\"}");
}

TEST(TextScrape, ErrorPositions) {
  Rejects("# HELP a x\n# TYPE a gauge\na{b=\"c\",d=1} 2\n",
          "line 3, column 11: expected label value, got \"1\"");
  Rejects("a 1\nb{c=\"d\"} x\n", "line 2, column 10: invalid value \"x\"");
  Parser p;
  p.Reset("ok 1\nbad{\n");
  EXPECT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Next(), Entry::kError);  // sticky
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TextScrape, ResetReusesParser) {
  Parser p;
  for (int i = 0; i < 3; ++i) {
    p.Reset("bad{\n");
    EXPECT_EQ(p.Next(), Entry::kError);
    p.Reset("a 1\n");
    EXPECT_EQ(p.Next(), Entry::kSeries);
    EXPECT_EQ(p.Next(), Entry::kEof);
    EXPECT_TRUE(p.status().ok());
  }
}

}  // namespace
}  // namespace promlet::scrape::textparse

namespace promlet::scrape::textparse {
namespace {

// The fast path for already-canonical bounds must agree with the float
// round trip on every shape.
TEST(TextScrape, LeNormalisationFastPathAgrees) {
  for (const char* le : {"0", "1", "10", "999999", "1000000", "-1", "-0", "0.0", "0.5", "0.005",
                         "0.0001", "0.00001", "0.00011", "1.50", "01", "-2.5", "123456.7",
                         "0.1234567890123456", "1.000000000000001", "+Inf", "-Inf", "NaN", "1e3",
                         ".5", "5.", "+5"}) {
    SCOPED_TRACE(le);
    std::string body = std::string("# TYPE h histogram\nh_bucket{le=\"") + le + "\"} 1\n";
    ParseResult r = Text(body);
    ASSERT_TRUE(r.ok) << r.error;
    double f;
    ASSERT_TRUE(ParsePromFloat(le, &f));
    std::string want;
    AppendOpenMetricsFloat(f, &want);
    EXPECT_EQ(r.entries[1], std::string("h_bucket{le=\"") + want + "\"} 1.0");
  }
}

}  // namespace
}  // namespace promlet::scrape::textparse

namespace promlet::scrape::textparse {
namespace {

// Found by textparse_fuzz: a lone '#' as the last byte of the body.
TEST(TextScrape, HashAtEndOfBody) {
  EXPECT_TRUE(Text("#").ok);
  EXPECT_TRUE(Text("a 1\n#").ok);
  EXPECT_FALSE(TextStrict("#").ok);
}

}  // namespace
}  // namespace promlet::scrape::textparse
