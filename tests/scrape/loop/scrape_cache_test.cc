#include "scrape/loop/scrape_cache.h"

#include <set>
#include <string>
#include <vector>

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

// ForEachStale skips its walk when every series of the previous iteration
// was tracked again; random scrapes (series coming and going, failed passes
// followed by an empty one, compactions) against the set difference.
TEST(ScrapeCacheTest, StaleSetMatchesPrevMinusCurOverRandomScrapes) {
  ScrapeCache c;
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back(absl::StrCat("s", i));
  std::set<std::string> prev;
  uint32_t x = 7;
  auto next = [&] { return x = x * 1664525 + 1013904223, x >> 8; };
  for (int iter = 0; iter < 400; ++iter) {
    // Mostly the same set (the steady case), sometimes a change.
    const int mode = static_cast<int>(next() % 8);
    const size_t lo = mode == 0 ? next() % 100 : 0, hi = mode == 1 ? 200 + next() % 100 : 300;
    std::set<std::string> cur;
    c.BeginScrape();
    for (size_t i = lo; i < hi; ++i) {
      if (mode == 2 && next() % 4 == 0) continue;
      ScrapeCache::Entry* e = c.Find(keys[i]);
      if (e == nullptr) e = c.Add(keys[i], i + 1, storage::Labels::FromPairs({{"__name__", keys[i]}}));
      c.TrackStaleness(e);
      cur.insert(keys[i]);
    }
    const bool failed = mode == 3;  // the loop then runs an empty pass in the same iteration
    if (failed) c.BeginScrape();
    std::set<storage::SeriesRef> stale, want;
    c.ForEachStale([&](ScrapeCache::Entry& e) { stale.insert(e.ref); });
    for (const std::string& k : prev) {
      if (!cur.count(k)) want.insert(std::stoul(k.substr(1)) + 1);
    }
    ASSERT_EQ(stale, want) << "iteration " << iter << " mode " << mode;
    c.IterDone(!failed);
    prev = cur;
  }
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

// The order the parser hints are drawn from (ExpectedKey) is re-learnt
// from each complete pass: a prefix, an insert after an in-order stretch, a
// duplicate line (keeps its first place), and TakeExpected mixed with Find.
TEST(ScrapeCacheTest, ExpectedKeysFollowTheLastCompletePass) {
  ScrapeCache c;
  // One pass; returns how many keys were taken as expected.
  auto scrape = [&](const std::vector<std::string>& keys, bool flush = true) {
    size_t taken = 0;
    c.BeginScrape();
    for (const std::string& k : keys) {
      ScrapeCache::Entry* e;
      if (c.ExpectedKey() == k) {
        e = c.TakeExpected(k);
        ++taken;
      } else if ((e = c.Find(k)) == nullptr) {
        e = c.Add(k, 100 + k.size(), storage::Labels::FromPairs({{"__name__", k}}));
      }
      EXPECT_EQ(e->labels.MetricName(), k);
      c.TrackStaleness(e);
    }
    c.IterDone(flush);
    return taken;
  };
  // The order as the next pass will expect it, read without disturbing it.
  auto order = [&] {
    std::vector<std::string> out;
    c.BeginScrape();
    for (std::string_view k; !(k = c.ExpectedKey()).empty();) {
      out.emplace_back(k);
      c.TakeExpected(k);
    }
    return out;
  };
  using V = std::vector<std::string>;
  const V k1 = {"a", "bb", "ccc", "dddd"};
  EXPECT_EQ(scrape(k1), 0u);
  EXPECT_EQ(scrape(k1), 4u);
  const V prefix = {"a", "bb"};
  EXPECT_EQ(scrape(prefix), 2u);
  EXPECT_EQ(order(), prefix);
  c.IterDone(false);
  const V inserted = {"a", "x", "bb", "ccc"};
  EXPECT_EQ(scrape(inserted), 2u);  // "x" misses, "bb" is expected again
  EXPECT_EQ(order(), inserted);
  c.IterDone(false);
  EXPECT_EQ(scrape(inserted), 4u);
  const V duplicate = {"a", "x", "a", "bb", "ccc"};
  EXPECT_EQ(scrape(duplicate), 3u);  // the second "a" resyncs the cursor to "x"
  EXPECT_EQ(order(), (V{"a", "x", "bb", "ccc"}));
  c.IterDone(false);
  // An incomplete pass (flush false) does not re-learn.
  EXPECT_EQ(scrape({"ccc"}, false), 0u);
  EXPECT_EQ(order(), (V{"a", "x", "bb", "ccc"}));
}

}  // namespace
}  // namespace promlet::scrape
