#include "base/arena.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace promlet::base {
namespace {

TEST(ArenaTest, CopiesSurviveGrowth) {
  Arena arena(128);
  std::vector<std::string_view> views;
  for (int i = 0; i < 1000; ++i) views.push_back(arena.Copy("value-" + std::to_string(i)));
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(views[i], "value-" + std::to_string(i));
  EXPECT_GE(arena.MemoryUsageBytes(), 1000u * 9);
}

TEST(ArenaTest, Alignment) {
  Arena arena;
  arena.Allocate(3);
  char* p = arena.Allocate(8, 8);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
}

TEST(ArenaTest, LargeAllocation) {
  Arena arena(1024);
  char* p = arena.Allocate(100000);
  p[99999] = 'x';
  EXPECT_EQ(p[99999], 'x');
}

}  // namespace
}  // namespace promlet::base
