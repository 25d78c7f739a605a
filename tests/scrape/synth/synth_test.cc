#include "scrape/synth/synth.h"

#include <map>

#include "gtest/gtest.h"
#include "scrape/textparse/parser.h"

namespace promlet::scrape {
namespace {

std::map<std::string, double> Parse(const std::string& body) {
  std::map<std::string, double> out;
  textparse::Parser p;
  p.Reset(body);
  for (;;) {
    textparse::Entry e = p.Next();
    if (e == textparse::Entry::kEof) break;
    EXPECT_NE(e, textparse::Entry::kError) << p.status();
    if (e == textparse::Entry::kError) break;
    if (e == textparse::Entry::kSeries) out[std::string(p.series())] = p.value();
  }
  return out;
}

TEST(SynthTest, ShapeDeterminismAndChangingValues) {
  SynthTarget a(0, {.series = 1000, .seed = 7});
  SynthTarget b(0, {.series = 1000, .seed = 7});
  const std::string first = a.NextBody();
  EXPECT_EQ(first, b.NextBody());  // deterministic from the seed
  std::map<std::string, double> s1 = Parse(first);
  EXPECT_EQ(s1.size(), 1000u);
  EXPECT_TRUE(s1.count(R"(http_request_duration_seconds_bucket{method="GET",route="/",status="200",pod="p000000",le="+Inf"})"));
  std::map<std::string, double> s2 = Parse(a.NextBody());
  ASSERT_EQ(s2.size(), 1000u);
  int changed = 0;
  for (const auto& [k, v] : s2) {
    ASSERT_TRUE(s1.count(k)) << k;
    changed += s1[k] != v;
    if (k.starts_with("http_requests_total")) {
      EXPECT_GE(v, s1[k]);  // counters never go down
    }
  }
  EXPECT_GT(changed, 500);
  EXPECT_NE(SynthTarget(1, {.series = 1000, .seed = 7}).NextBody(), first);
}

TEST(SynthTest, ChurnReplacesSeries) {
  SynthTarget t(0, {.series = 1600, .seed = 3, .churn = 0.5});
  std::map<std::string, double> s1 = Parse(t.NextBody());
  std::map<std::string, double> s2 = Parse(t.NextBody());
  EXPECT_EQ(s2.size(), 1600u);
  int fresh = 0;
  for (const auto& [k, v] : s2) fresh += !s1.count(k);
  EXPECT_GT(fresh, 200);
  EXPECT_LT(fresh, 1400);
}

}  // namespace
}  // namespace promlet::scrape
