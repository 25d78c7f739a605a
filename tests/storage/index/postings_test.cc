#include "storage/index/postings.h"

#include <algorithm>
#include <random>
#include <set>

#include "gtest/gtest.h"
#include "storage/index/ref_list.h"

namespace promlet::storage::index {
namespace {

std::unique_ptr<Postings> L(std::vector<SeriesRef> v) {
  return std::make_unique<ListPostings>(std::move(v));
}
std::vector<SeriesRef> Expand(std::unique_ptr<Postings> p) {
  std::vector<SeriesRef> out;
  EXPECT_TRUE(ExpandPostings(p.get(), &out).ok());
  return out;
}
template <typename... T>
std::vector<std::unique_ptr<Postings>> Ls(T... lists) {
  std::vector<std::unique_ptr<Postings>> v;
  (v.push_back(L(lists)), ...);
  return v;
}
using V = std::vector<SeriesRef>;

TEST(Postings, Table) {
  EXPECT_EQ(Expand(Intersect(Ls(V{1, 2, 3, 5}, V{2, 3, 4, 5}, V{0, 3, 5, 9}))), (V{3, 5}));
  EXPECT_EQ(Expand(Intersect(Ls(V{1, 2}, V{}))), V{});
  EXPECT_EQ(Expand(Intersect({})), V{});
  EXPECT_EQ(Expand(Merge(Ls(V{1, 4}, V{2, 4, 6}, V{}, V{0}))), (V{0, 1, 2, 4, 6}));
  EXPECT_EQ(Expand(Without(L({1, 2, 3, 4, 5}), L({2, 4, 9}))), (V{1, 3, 5}));
  EXPECT_EQ(Expand(Without(L({1, 2}), L({}))), (V{1, 2}));
  EXPECT_EQ(Expand(Without(L({}), L({1}))), V{});
}

TEST(Postings, SeekNeverMovesBack) {
  for (int kind = 0; kind < 3; ++kind) {
    SCOPED_TRACE(kind);
    std::unique_ptr<Postings> p =
        kind == 0 ? Merge(Ls(V{1, 5, 9}, V{3, 7}))
        : kind == 1 ? Intersect(Ls(V{1, 3, 5, 7, 9}, V{1, 3, 5, 7, 9, 11}))
                    : Without(L({1, 3, 5, 7, 9}), L({2}));
    ASSERT_TRUE(p->Seek(4));
    EXPECT_EQ(p->At(), 5u);
    ASSERT_TRUE(p->Seek(2));
    EXPECT_EQ(p->At(), 5u);
    ASSERT_TRUE(p->Next());
    EXPECT_EQ(p->At(), 7u);
    EXPECT_FALSE(p->Seek(10));
  }
}

TEST(Postings, RandomAgainstSets) {
  const unsigned seed = std::random_device{}();
  std::printf("seed=%u\n", seed);
  std::mt19937 rng(seed);
  auto rand_set = [&] {
    std::set<SeriesRef> s;
    const int n = rng() % 50;
    for (int i = 0; i < n; ++i) s.insert(rng() % 100);
    return s;
  };
  for (int round = 0; round < 200; ++round) {
    std::set<SeriesRef> a = rand_set(), b = rand_set(), c = rand_set();
    V inter, uni, diff;
    for (SeriesRef x : a) {
      if (b.count(x) && c.count(x)) inter.push_back(x);
      if (!b.count(x)) diff.push_back(x);
    }
    std::set<SeriesRef> u = a;
    u.insert(b.begin(), b.end());
    u.insert(c.begin(), c.end());
    uni.assign(u.begin(), u.end());
    auto v = [](const std::set<SeriesRef>& s) { return V(s.begin(), s.end()); };
    EXPECT_EQ(Expand(Intersect(Ls(v(a), v(b), v(c)))), inter);
    EXPECT_EQ(Expand(Merge(Ls(v(a), v(b), v(c)))), uni);
    EXPECT_EQ(Expand(Without(L(v(a)), L(v(b)))), diff);
    // Seek through a merge agrees with lower_bound on the union.
    const SeriesRef target = rng() % 110;
    auto m = Merge(Ls(v(a), v(b), v(c)));
    auto lb = std::lower_bound(uni.begin(), uni.end(), target);
    ASSERT_EQ(m->Seek(target), lb != uni.end());
    if (lb != uni.end()) {
      EXPECT_EQ(m->At(), *lb);
    }
  }
}

TEST(RefList, InsertRemoveKeepsSorted) {
  RefList l;
  for (uint32_t id : {5u, 1u, 9u, 5u, 3u, 7u, 2u}) l.Insert(id);
  EXPECT_EQ(std::vector<uint32_t>(l.begin(), l.end()), (std::vector<uint32_t>{1, 2, 3, 5, 7, 9}));
  EXPECT_TRUE(l.Remove(5));
  EXPECT_FALSE(l.Remove(4));
  EXPECT_EQ(std::vector<uint32_t>(l.begin(), l.end()), (std::vector<uint32_t>{1, 2, 3, 7, 9}));
  RefList moved = std::move(l);
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_EQ(l.size(), 0u);
  RefList small;
  small.Insert(4);
  EXPECT_EQ(small.HeapBytes(), 0u);  // inline
}

}  // namespace
}  // namespace promlet::storage::index
