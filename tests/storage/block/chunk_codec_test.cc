#include "storage/block/chunk_codec.h"

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "storage/api/appender.h"
#include "storage/block/block_format.h"

namespace promlet::storage::block {
namespace {

// Non-empty [from, to) ranges of a chunk of n: head, tail, middle, single.
std::vector<std::pair<size_t, size_t>> SubRanges(size_t n) {
  std::vector<std::pair<size_t, size_t>> out;
  for (auto [from, to] : {std::pair{size_t{0}, size_t{1}}, std::pair{size_t{1}, n}, std::pair{size_t{2}, n},
                          std::pair{n / 2, n}, std::pair{n - 1, n}, std::pair{size_t{1}, n / 2 + 1},
                          std::pair{n / 3, n - 1}}) {
    if (from < to && to <= n) out.emplace_back(from, to);
  }
  return out;
}

void RoundTripInts(const std::vector<int64_t>& v) {
  std::string buf;
  EncodeInts(v.data(), v.size(), &buf);
  buf.append("tail");
  std::string_view in = buf;
  std::vector<int64_t> out(v.size());
  ASSERT_TRUE(DecodeInts(&in, v.size(), out.data()));
  EXPECT_EQ(out, v);
  EXPECT_EQ(in, "tail");
  // A range decodes to the same elements and consumes the same bytes.
  const size_t n = v.size();
  for (auto [from, to] : SubRanges(n)) {
    SCOPED_TRACE(testing::Message() << "from=" << from << " to=" << to);
    in = buf;
    std::vector<int64_t> part(to - from);
    ASSERT_TRUE(DecodeIntsRange(&in, n, from, to, part.data()));
    EXPECT_EQ(part, std::vector<int64_t>(v.begin() + static_cast<ptrdiff_t>(from), v.begin() + static_cast<ptrdiff_t>(to)));
    EXPECT_EQ(in, "tail");
  }
}

void RoundTripValues(const std::vector<double>& v, int want_kind = -1) {
  std::string buf;
  EncodeValues(v.data(), v.size(), &buf);
  if (want_kind >= 0) {
    EXPECT_EQ(ValuesKind(buf), want_kind);
  }
  buf.append("tail");
  std::string_view in = buf;
  std::vector<double> out(v.size());
  ASSERT_TRUE(DecodeValues(&in, v.size(), out.data()));
  for (size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(std::bit_cast<uint64_t>(out[i]), std::bit_cast<uint64_t>(v[i])) << "i=" << i;
  }
  EXPECT_EQ(in, "tail");
  const size_t n = v.size();
  for (auto [from, to] : SubRanges(n)) {
    SCOPED_TRACE(testing::Message() << "from=" << from << " to=" << to);
    in = buf;
    std::vector<double> part(to - from);
    ASSERT_TRUE(DecodeValuesRange(&in, n, from, to, part.data()));
    for (size_t i = from; i < to; ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(part[i - from]), std::bit_cast<uint64_t>(v[i])) << "i=" << i;
    }
    EXPECT_EQ(in, "tail");
  }
}

TEST(ChunkCodecTest, IntsRoundTrip) {
  const uint32_t seed = 42;
  SCOPED_TRACE(seed);
  std::mt19937_64 rng(seed);
  RoundTripInts({7});
  RoundTripInts({7, 7});
  RoundTripInts({1, 2, 3, 4});
  RoundTripInts({-5, 1000000, -3000000000000, 4});
  RoundTripInts({INT64_MIN / 2, 0, INT64_MAX / 2});
  for (size_t n = 1; n <= kMaxChunkSamples; n += 37) {
    std::vector<int64_t> v(n);
    int64_t t = 1700000000000;
    for (auto& x : v) x = (t += 15000 + static_cast<int64_t>(rng() % 20) - 10);
    RoundTripInts(v);
    for (auto& x : v) x = static_cast<int64_t>(rng()) >> 2;
    RoundTripInts(v);
  }
}

// The decoder reads packed values with 8-byte loads except near the end of
// the packed bytes: every width, with counts that end the stream at every
// byte offset, round-trips.
TEST(ChunkCodecTest, IntsRoundTripEveryWidth) {
  std::mt19937_64 rng(7);
  for (int width = 0; width <= 62; ++width) {
    for (size_t n : {size_t{2}, size_t{3}, size_t{5}, size_t{9}, size_t{17}, size_t{64}, size_t{129}}) {
      SCOPED_TRACE(testing::Message() << "width=" << width << " n=" << n);
      std::vector<int64_t> v(n);
      // Values spread over 2^(width-1): deltas need about `width` bits.
      const uint64_t mask = width == 0 ? 0 : (uint64_t{1} << width) - 1;
      for (auto& x : v) x = -12345 + static_cast<int64_t>((rng() & mask) / 2);
      RoundTripInts(v);
    }
  }
  RoundTripInts({INT64_MIN / 2, INT64_MAX / 2, INT64_MIN / 2, INT64_MAX / 2, 0});
}

TEST(ChunkCodecTest, RegressRoundTrip) {
  std::mt19937_64 rng(9);
  for (size_t n : {size_t{3}, size_t{10}, size_t{120}, size_t{480}}) {
    std::vector<int64_t> ref(n), y(n), out(n);
    int64_t c = 1000000, b = 900000;
    for (size_t i = 0; i < n; ++i) {
      int64_t inc = 100 + static_cast<int64_t>(rng() % 200);
      ref[i] = (c += inc);
      y[i] = (b += inc * 9 / 10 + static_cast<int64_t>(rng() % 7));
    }
    std::string buf;
    ASSERT_TRUE(EncodeRegress(y.data(), ref.data(), n, &buf));
    buf.append("tail");
    std::string_view in = buf;
    ASSERT_TRUE(DecodeRegress(&in, ref.data(), n, out.data()));
    EXPECT_EQ(out, y);
    EXPECT_EQ(in, "tail");
    for (auto [from, to] : {std::pair{size_t{1}, n}, std::pair{size_t{2}, n}, std::pair{n / 2, n},
                            std::pair{n - 1, n}, std::pair{size_t{0}, n / 2}, std::pair{n / 3, n - 1}}) {
      if (from >= to) continue;
      in = buf;
      std::vector<int64_t> part(to - from);
      ASSERT_TRUE(DecodeRegressRange(&in, ref.data(), n, from, to, part.data()));
      EXPECT_EQ(part, std::vector<int64_t>(y.begin() + static_cast<ptrdiff_t>(from), y.begin() + static_cast<ptrdiff_t>(to)));
      EXPECT_EQ(in, "tail");
    }
  }
}

TEST(ChunkCodecTest, GoldenTimestamps) {
  std::vector<int64_t> ts = {1000, 16000, 31000};
  std::string buf;
  EncodeInts(ts.data(), ts.size(), &buf);
  EXPECT_EQ(buf, std::string("\x00\xd0\x0f\xb0\xea\x01\x00", 7));
}

TEST(ChunkCodecTest, ValuesRoundTripAndKinds) {
  std::mt19937_64 rng(7);
  RoundTripValues({1.5}, kValuesConst);
  RoundTripValues({StaleNaN(), StaleNaN()}, kValuesConst);
  RoundTripValues({1, 2, 3, 1000000, 5}, kValuesInt);
  RoundTripValues({0.001, 0.25, 12.125, 7}, kValuesInt);
  RoundTripValues({1, 2, StaleNaN(), 4});
  RoundTripValues({0.0, -0.0, 1});
  RoundTripValues({std::numeric_limits<double>::infinity(), 1, -std::numeric_limits<double>::infinity()});
  RoundTripValues({std::numeric_limits<double>::quiet_NaN(), 1e300, -1e-300, 5e-324});
  RoundTripValues({9007199254740992.0, 9007199254740993.0 * 4, 1});
  for (size_t n : {2, 3, 120, 480, 512}) {
    std::vector<double> v(n);
    double c = 0;
    for (auto& x : v) x = (c += static_cast<double>(rng() % 1000));
    RoundTripValues(v, kValuesInt);
    for (auto& x : v) x = 0.1 + std::ldexp(static_cast<double>(rng() >> 11), -53);
    RoundTripValues(v);
    for (auto& x : v) x = std::bit_cast<double>(rng());
    RoundTripValues(v);
  }
}

TEST(ChunkCodecTest, CountersPackSmall) {
  // A counter growing by ~100 per step with jitter packs to about a byte per sample.
  std::vector<double> v(480);
  double c = 1e6;
  std::mt19937_64 rng(1);
  for (auto& x : v) x = (c += 100 + static_cast<double>(rng() % 50));
  std::string buf;
  EncodeValues(v.data(), v.size(), &buf);
  EXPECT_LE(buf.size(), 480u * 6 / 8 + 32);
}

TEST(ChunkCodecTest, MalformedNeverCrashes) {
  std::vector<double> v = {1, 2.5, StaleNaN(), 1e10, 3};
  std::vector<int64_t> t = {1, 100, 200, 305, 400};
  std::string vb, tb;
  EncodeValues(v.data(), v.size(), &vb);
  EncodeInts(t.data(), t.size(), &tb);
  std::vector<double> out(kMaxChunkSamples);
  std::vector<int64_t> outi(kMaxChunkSamples);
  for (size_t cut = 0; cut < vb.size(); ++cut) {
    std::string_view in(vb.data(), cut);
    EXPECT_FALSE(DecodeValues(&in, v.size(), out.data())) << cut;
  }
  for (size_t cut = 0; cut < tb.size(); ++cut) {
    std::string_view in(tb.data(), cut);
    EXPECT_FALSE(DecodeInts(&in, t.size(), outi.data())) << cut;
  }
  // Unknown kinds and modes.
  std::string bad = "\x09\x00\x00";
  std::string_view in = bad;
  EXPECT_FALSE(DecodeValues(&in, 2, out.data()));
  in = bad;
  EXPECT_FALSE(DecodeInts(&in, 2, outi.data()));
  // Random garbage: only must not crash.
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string g(rng() % 64, '\0');
    for (auto& c : g) c = static_cast<char>(rng());
    std::string_view a = g, b = g;
    DecodeValues(&a, 1 + rng() % kMaxChunkSamples, out.data());
    DecodeInts(&b, 1 + rng() % kMaxChunkSamples, outi.data());
  }
}

}  // namespace
}  // namespace promlet::storage::block
