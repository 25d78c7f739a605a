// The commit path allocates nothing in steady state: encoding a samples
// record into a reused buffer, Log() of it, and decoding into a reused
// vector. Counted by replacing the global operator new in this binary.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "base/env.h"
#include "gtest/gtest.h"
#include "storage/wal/record.h"
#include "storage/wal/wal.h"
#include "tests/storage/wal/wal_test_util.h"

namespace {
std::atomic<int64_t> g_allocs{0};
}  // namespace

// GCC pairs the replaced operator new with free() after inlining and warns;
// both sides here are malloc/free, which is the point of the replacement.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Every non-aligned form, so that each new/delete pair stays malloc/free
// (ASan checks the pairing; the aligned forms stay ASan's on both sides).
void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace promlet::storage::wal {
namespace {

TEST(WalAllocTest, CommitPathAllocatesNothingInSteadyState) {
  testing::TempDir dir;
  WalOptions o;
  o.sync_interval = absl::ZeroDuration();
  auto wal = Wal::Open(base::Env::Default(), dir.path(), o);
  ASSERT_TRUE(wal.ok());
  std::vector<RefSample> batch(1000);
  for (size_t i = 0; i < batch.size(); ++i) batch[i] = {100 + i, 0, 1.5 * i};
  std::string rec;
  std::vector<RefSample> decoded;
  auto commit = [&](int64_t t) {
    for (RefSample& s : batch) s.t_ms = t;
    rec.clear();
    EncodeSamples(batch, &rec);
    ASSERT_TRUE((*wal)->Log(rec).ok());
    ASSERT_TRUE(DecodeSamples(rec, &decoded).ok());
  };
  // Warm-up: timestamps of the same varint length as below, and enough
  // commits to meet the largest framing (a record split across a page
  // boundary, plus a trailer), so the buffers reach their steady capacity.
  for (int64_t t = 0; t < 20; ++t) commit(1'600'000'000'000 + t);
  const int64_t before = g_allocs.load();
  for (int64_t t = 2; t < 102; ++t) commit(1'700'000'000'000 + t * 15000);
  EXPECT_EQ(g_allocs.load() - before, 0) << "allocations in 100 commits of 1000 samples";
}

}  // namespace
}  // namespace promlet::storage::wal
