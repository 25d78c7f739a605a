#include "scrape/loop/scrape_cache.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace promlet::scrape {
namespace {

TEST(ScrapeCacheTest, StalenessFollowsPrometheusPrevCur) {
  ScrapeCache c;
  auto lbl = [](std::string_view n) { return storage::Labels::FromPairs({{"__name__", n}}); };
  c.TrackStaleness(c.Add("a", 1, lbl("a")));
  c.TrackStaleness(c.Add("b", 2, lbl("b")));
  c.IterDone(true);
  // Next scrape sees only a.
  c.TrackStaleness(c.Find("a"));
  std::vector<storage::SeriesRef> stale;
  c.ForEachStale([&](ScrapeCache::Entry& e) { stale.push_back(e.ref); });
  EXPECT_EQ(stale, std::vector<storage::SeriesRef>{2});
  c.IterDone(true);
  // b is no longer in prev: nothing more is stale for it.
  stale.clear();
  c.ForEachStale([&](ScrapeCache::Entry& e) { stale.push_back(e.ref); });
  EXPECT_EQ(stale, std::vector<storage::SeriesRef>{1});
  EXPECT_EQ(c.Find("zz"), nullptr);
  c.Add("d", 0, storage::Labels(), /*dropped=*/true);
  EXPECT_TRUE(c.Find("d")->dropped);
  EXPECT_FALSE(c.Find("a")->dropped);
}

TEST(ScrapeCacheTest, CompactsEntriesNotSeenLately) {
  ScrapeCache c;
  // Keys outlive each pass, as the body does in a scrape.
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back(absl::StrCat("s", i));
  c.BeginScrape();
  for (int i = 0; i < 200; ++i) {
    c.TrackStaleness(c.Add(keys[i], i + 1, storage::Labels::FromPairs({{"__name__", keys[i]}})));
  }
  c.IterDone(true);
  for (int iter = 0; iter < 3; ++iter) {
    c.BeginScrape();
    for (int i = 0; i < 10; ++i) c.TrackStaleness(c.Find(keys[i]));
    c.IterDone(true);
  }
  EXPECT_LT(c.size(), 200u);
  c.BeginScrape();
  ASSERT_NE(c.Find(keys[3]), nullptr);
  EXPECT_EQ(c.Find(keys[3])->ref, 4u);
}

TEST(ScrapeCacheTest, OrderedFastPathSurvivesInsertsAndRemovals) {
  ScrapeCache c;
  auto scrape = [&](const std::vector<std::string>& keys, std::vector<std::string>* missing) {
    c.BeginScrape();
    for (const std::string& k : keys) {
      ScrapeCache::Entry* e = c.Find(k);
      if (e == nullptr) {
        missing->push_back(k);
        e = c.Add(k, 100 + k.size(), storage::Labels::FromPairs({{"__name__", k}}));
      }
      EXPECT_EQ(e->labels.MetricName(), k);
      c.TrackStaleness(e);
    }
    c.IterDone(true);
  };
  // Keys live in this vector across the pass, like a body.
  std::vector<std::string> k1 = {"a", "bb", "ccc", "dddd"};
  std::vector<std::string> missing;
  scrape(k1, &missing);
  EXPECT_EQ(missing.size(), 4u);
  missing.clear();
  scrape(k1, &missing);
  EXPECT_TRUE(missing.empty());
  std::vector<std::string> k2 = {"a", "x", "ccc", "dddd", "bb"};  // insert, move
  scrape(k2, &missing);
  EXPECT_EQ(missing, std::vector<std::string>{"x"});
  missing.clear();
  std::vector<std::string> k3 = {"dddd", "a"};
  scrape(k3, &missing);
  EXPECT_TRUE(missing.empty());
  scrape(k3, &missing);
  EXPECT_TRUE(missing.empty());
}

}  // namespace
}  // namespace promlet::scrape
