#include "storage/index/mem_postings.h"

#include <deque>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace promlet::storage::index {
namespace {

class MemPostingsTest : public testing::Test {
 protected:
  void SetUp() override {
    // Strings owned by the fixture outlive the index, as interned symbols do.
    add({{"__name__", "up"}, {"job", "api"}, {"instance", "a"}});               // 1
    add({{"__name__", "up"}, {"job", "web"}, {"instance", "b"}});               // 2
    add({{"__name__", "up"}, {"job", "db"}});                                   // 3
    add({{"__name__", "http_requests"}, {"job", "api"}, {"code", "200"}});      // 4
    add({{"__name__", "http_requests"}, {"job", "api"}, {"code", "500"}});      // 5
    add({{"__name__", "http_requests"}, {"job", "apix"}, {"instance", "a"}});   // 6
  }
  void add(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    labels_.push_back(Labels::FromPairs(pairs));
    const uint32_t id = labels_.size();
    p_.Add(id, labels_.back().ToVector());
  }
  // Brute force: ids whose labels match all matchers.
  std::vector<SeriesRef> Want(const Matchers& ms) {
    std::vector<SeriesRef> out;
    for (size_t i = 0; i < labels_.size(); ++i) {
      if (MatchesAll(ms, labels_[i])) out.push_back(i + 1);
    }
    return out;
  }
  std::vector<SeriesRef> Got(const Matchers& ms) {
    std::vector<SeriesRef> out;
    auto p = PostingsForMatchers(&p_, ms);
    EXPECT_TRUE(ExpandPostings(p.get(), &out).ok());
    return out;
  }
  static Matcher M(MatchType t, std::string n, std::string v) {
    return *Matcher::Make(t, std::move(n), std::move(v));
  }

  std::deque<Labels> labels_;
  MemPostings p_;
};

TEST_F(MemPostingsTest, MatchersLikePrometheus) {
  using MT = MatchType;
  const std::vector<Matchers> cases = {
      {M(MT::kEqual, "__name__", "up")},
      {M(MT::kEqual, "job", "api")},
      {M(MT::kEqual, "job", "nope")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kNotEqual, "job", "api")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kEqual, "instance", "")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kNotEqual, "instance", "")},
      {M(MT::kRegexMatch, "job", "api|db")},
      {M(MT::kRegexMatch, "job", "ap.*")},
      {M(MT::kRegexMatch, "job", ".*")},
      {M(MT::kRegexMatch, "job", ".+")},
      {M(MT::kRegexMatch, "instance", "a|")},
      {M(MT::kEqual, "__name__", "up"), M(MT::kRegexNoMatch, "job", "api|web")},
      {M(MT::kEqual, "__name__", "http_requests"), M(MT::kRegexNoMatch, "code", "2..")},
      {M(MT::kEqual, "__name__", "http_requests"), M(MT::kRegexNoMatch, "code", "")},
      {M(MT::kEqual, "__name__", "http_requests"), M(MT::kRegexMatch, "code", "")},
      {M(MT::kNotEqual, "job", "api")},
      {M(MT::kRegexMatch, "job", "a.*"), M(MT::kRegexMatch, "instance", "a")},
      {M(MT::kRegexNoMatch, "__name__", "up"), M(MT::kRegexMatch, "job", "api.*")},
      {M(MT::kEqual, "job", "api"), M(MT::kRegexMatch, "job", "a.*")},
  };
  for (const Matchers& ms : cases) {
    std::string desc;
    for (const Matcher& m : ms) desc += m.ToString() + " ";
    SCOPED_TRACE(desc);
    EXPECT_EQ(Got(ms), Want(ms));
  }
}

TEST_F(MemPostingsTest, NamesValuesAndRemove) {
  EXPECT_EQ(p_.LabelNames(), (std::vector<std::string>{"__name__", "code", "instance", "job"}));
  EXPECT_EQ(p_.LabelValues("job"), (std::vector<std::string>{"api", "apix", "db", "web"}));
  EXPECT_EQ(p_.NumSeries(), 6u);
  p_.Remove(3, labels_[2].ToVector());
  EXPECT_EQ(p_.LabelValues("job"), (std::vector<std::string>{"api", "apix", "web"}));
  EXPECT_EQ(p_.NumSeries(), 5u);
  EXPECT_GT(p_.MemoryBytes(), 0u);
  int pairs = 0;
  p_.ForEachPair([&](std::string_view, std::string_view, uint32_t n) { pairs += n; });
  EXPECT_EQ(pairs, 15);  // 17 label pairs minus series 3's two
}

}  // namespace
}  // namespace promlet::storage::index
