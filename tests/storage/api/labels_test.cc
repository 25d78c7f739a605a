#include "storage/api/labels.h"

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace promlet::storage {
namespace {

TEST(LabelsTest, SortedDeduplicatedAndEmptyValuesDropped) {
  Labels l = Labels::FromPairs({{"job", "a"}, {"__name__", "up"}, {"job", "b"}, {"x", ""}});
  EXPECT_EQ(l.ToString(), R"({__name__="up", job="b"})");
  EXPECT_EQ(l.size(), 2u);
  EXPECT_EQ(l.MetricName(), "up");
  EXPECT_EQ(l.Get("job"), "b");
  EXPECT_EQ(l.Get("missing"), "");
  EXPECT_FALSE(l.Has("x"));
}

TEST(LabelsTest, CompareIsLabelByLabel) {
  auto l = [](std::initializer_list<std::pair<std::string_view, std::string_view>> p) {
    return Labels::FromPairs(p);
  };
  EXPECT_LT(Labels::Compare(l({{"a", "1"}}), l({{"a", "2"}})), 0);
  EXPECT_LT(Labels::Compare(l({{"a", "1"}}), l({{"a", "1"}, {"b", "1"}})), 0);
  EXPECT_GT(Labels::Compare(l({{"b", "1"}}), l({{"a", "9"}, {"b", "1"}})), 0);
  // Byte order of the encoding would put a long name after a short one with
  // a larger first byte; label order must not.
  EXPECT_LT(Labels::Compare(l({{"aaaa", "1"}}), l({{"b", "1"}})), 0);
  EXPECT_EQ(Labels::Compare(l({{"a", "1"}}), l({{"a", "1"}})), 0);
}

TEST(LabelsTest, EscapingInToString) {
  Labels l = Labels::FromPairs({{"a", "q\"b\\n\nx"}});
  EXPECT_EQ(l.ToString(), R"({a="q\"b\\n\nx"})");
}

TEST(LabelsTest, HashEqualForEqualSets) {
  Labels a = Labels::FromPairs({{"a", "1"}, {"b", "2"}});
  Labels b = Labels::FromPairs({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_EQ(a.StableHash(), b.StableHash());
  absl::flat_hash_set<Labels> set{a};
  EXPECT_TRUE(set.contains(b));
}

TEST(LabelsBuilderTest, SetDelBuild) {
  LabelsBuilder b(Labels::FromPairs({{"a", "1"}, {"c", "3"}}));
  b.Set("b", "2").Del("a").Set("c", "");
  EXPECT_EQ(b.Build().ToString(), R"({b="2"})");
  b.Set("a", "x");
  EXPECT_EQ(b.Get("a"), "x");
  EXPECT_EQ(b.Build().ToString(), R"({a="x", b="2"})");
}

}  // namespace
}  // namespace promlet::storage
