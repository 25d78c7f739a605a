#include "storage/api/matcher.h"

#include "gtest/gtest.h"
#include "storage/api/labels.h"

namespace promlet::storage {
namespace {

TEST(MatcherTest, AllTypesAnchored) {
  auto check = [](MatchType t, std::string re, std::string_view v, bool want) {
    SCOPED_TRACE(re + " vs " + std::string(v));
    absl::StatusOr<Matcher> m = Matcher::Make(t, "l", re);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->Matches(v), want);
  };
  check(MatchType::kEqual, "a", "a", true);
  check(MatchType::kEqual, "a", "ab", false);
  check(MatchType::kNotEqual, "a", "b", true);
  check(MatchType::kRegexMatch, "a|b", "a", true);
  check(MatchType::kRegexMatch, "a|b", "ab", false);
  check(MatchType::kRegexMatch, "a.*", "abc", true);
  check(MatchType::kRegexMatch, "a.*", "xabc", false);
  check(MatchType::kRegexMatch, "b", "abc", false);  // anchored, not a search
  check(MatchType::kRegexMatch, "ab?c", "ac", true);
  check(MatchType::kRegexMatch, "abc*", "ab", true);
  check(MatchType::kRegexMatch, "a{2}x", "aax", true);
  check(MatchType::kRegexMatch, ".*", "line1\nline2", true);  // (?s) like Go
  check(MatchType::kRegexMatch, "(?i)ABC", "abc", true);
  check(MatchType::kRegexNoMatch, "a|b", "c", true);
  check(MatchType::kRegexNoMatch, "a|b", "a", false);
  check(MatchType::kRegexMatch, "", "", true);
  check(MatchType::kRegexMatch, "", "x", false);
}

TEST(MatcherTest, LiteralAlternationBecomesSet) {
  Matcher m = *Matcher::Make(MatchType::kRegexMatch, "job", "web|api|web");
  ASSERT_NE(m.set_values(), nullptr);
  EXPECT_EQ(*m.set_values(), (std::vector<std::string>{"api", "web"}));
  Matcher p = *Matcher::Make(MatchType::kRegexMatch, "job", "api_.*");
  EXPECT_EQ(p.set_values(), nullptr);
  EXPECT_EQ(p.literal_prefix(), "api_");
}

TEST(MatcherTest, MatchesEmpty) {
  EXPECT_TRUE(Matcher::Make(MatchType::kRegexMatch, "a", ".*")->MatchesEmpty());
  EXPECT_FALSE(Matcher::Make(MatchType::kRegexMatch, "a", ".+")->MatchesEmpty());
  EXPECT_TRUE(Matcher::NotEqual("a", "x").MatchesEmpty());
  EXPECT_FALSE(Matcher::Equal("a", "x").MatchesEmpty());
}

TEST(MatcherTest, BadRegexIsInvalidArgument) {
  absl::StatusOr<Matcher> m = Matcher::Make(MatchType::kRegexMatch, "a", "(");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MatcherTest, ToString) {
  EXPECT_EQ(Matcher::Make(MatchType::kRegexNoMatch, "a", "x\"y")->ToString(), R"(a!~"x\"y")");
}

TEST(MatcherTest, MatchesAllTreatsMissingAsEmpty) {
  Labels l = Labels::FromPairs({{"__name__", "up"}});
  EXPECT_TRUE(MatchesAll({Matcher::Equal("job", "")}, l));
  EXPECT_FALSE(MatchesAll({Matcher::Equal("job", "x")}, l));
}

}  // namespace
}  // namespace promlet::storage
