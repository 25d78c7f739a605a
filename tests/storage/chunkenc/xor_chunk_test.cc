#include "storage/chunkenc/xor_chunk.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace promlet::storage::chunkenc {
namespace {

struct S {
  int64_t t;
  uint64_t bits;
};

std::string Encode(const std::vector<S>& samples) {
  std::string buf;
  XorAppender app;
  app.Reset(&buf);
  for (const S& s : samples) app.Append(&buf, s.t, std::bit_cast<double>(s.bits));
  return buf;
}

void ExpectRoundTrip(const std::vector<S>& samples) {
  const std::string chunk = Encode(samples);
  XorIterator it(chunk);
  EXPECT_EQ(it.num_samples(), static_cast<int>(samples.size()));
  size_t i = 0;
  while (it.Next()) {
    ASSERT_LT(i, samples.size());
    EXPECT_EQ(it.t(), samples[i].t) << "sample " << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(it.v()), samples[i].bits) << "sample " << i;
    ++i;
  }
  EXPECT_TRUE(it.status().ok()) << it.status();
  EXPECT_EQ(i, samples.size());
}

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

TEST(XorChunk, EmptyChunk) {
  ExpectRoundTrip({});
  XorIterator it{std::string_view()};
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.status().ok());
}

TEST(XorChunk, GeneratedSeriesRoundTrip) {
  const uint64_t seed = std::random_device{}();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  auto make = [&](int kind, int n) {
    std::vector<S> out;
    int64_t t = 1700000000000;
    for (int i = 0; i < n; ++i) {
      double v = 0;
      switch (kind) {
        case 0: v = 42; t += 15000; break;                          // constant
        case 1: v = i; t += 15000 + static_cast<int>(rng() % 20); break;  // counter, jitter
        case 2: v = (i % 2) ? std::numeric_limits<double>::max()
                            : std::numeric_limits<double>::lowest();
                t += 1; break;                                       // extremes
        case 3: v = std::bit_cast<double>(rng());                    // random bits
                t += static_cast<int64_t>(rng() % (int64_t{1} << (rng() % 40)));
                break;
        case 4: v = std::sin(i * 0.1) * 1000; t += 1000; break;     // gauge
      }
      out.push_back({t, std::bit_cast<uint64_t>(v)});
    }
    return out;
  };
  for (int kind = 0; kind < 5; ++kind) {
    for (int n : {0, 1, 2, 3, 4, 10, 119, 120, 121, 500}) {
      SCOPED_TRACE(testing::Message() << "kind=" << kind << " n=" << n);
      ExpectRoundTrip(make(kind, n));
    }
  }
}

TEST(XorChunk, SpecialValuesBitExact) {
  const uint64_t kStale = 0x7ff0000000000002ull;
  std::vector<S> s = {
      {0, kStale},
      {1, Bits(1.0)},
      {2, kStale},
      {3, 0x7ff8000000000001ull},  // normal NaN
      {4, 0xfff8000000000000ull},  // negative quiet NaN
      {5, 0x7ff0000000000001ull},  // signalling NaN payload
      {6, Bits(std::numeric_limits<double>::infinity())},
      {7, Bits(-std::numeric_limits<double>::infinity())},
      {8, Bits(-0.0)},
      {9, Bits(0.0)},
      {10, Bits(std::numeric_limits<double>::denorm_min())},
      {11, ~uint64_t{0}},
      {12, 0},
  };
  ExpectRoundTrip(s);
}

TEST(XorChunk, TimestampExtremes) {
  const int64_t kMin = std::numeric_limits<int64_t>::min() / 4;
  const int64_t kMax = std::numeric_limits<int64_t>::max() / 4;
  ExpectRoundTrip({{kMin, 1}, {kMin + 1, 2}, {0, 3}, {kMax, 4}});
  ExpectRoundTrip({{-5000, 1}, {-4000, 1}, {-3000, 1}});
  // Each delta-of-delta bucket edge (14, 17, 20, 64 bits) and beyond.
  std::vector<S> s;
  int64_t t = 0, d = 0;
  s.push_back({t, 1});
  for (int64_t dod : {0LL, 8192LL, -8191LL, 8193LL, -8192LL, 65536LL, -65535LL, 65537LL,
                      524288LL, -524287LL, 524289LL, -524288LL, 1LL << 40, -(1LL << 40)}) {
    d += dod;
    if (d < 0) d = 0;
    t += d;
    s.push_back({t, 2});
  }
  ExpectRoundTrip(s);
}

TEST(XorChunk, Seek) {
  std::vector<S> s;
  for (int i = 0; i < 100; ++i) s.push_back({i * 10, Bits(i)});
  const std::string chunk = Encode(s);
  XorIterator it(chunk);
  ASSERT_TRUE(it.Seek(55));
  EXPECT_EQ(it.t(), 60);
  ASSERT_TRUE(it.Seek(10));  // never moves backwards
  EXPECT_EQ(it.t(), 60);
  ASSERT_TRUE(it.Seek(60));
  EXPECT_EQ(it.t(), 60);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.t(), 70);
  EXPECT_FALSE(it.Seek(991));
  EXPECT_TRUE(it.status().ok());
  it.Reset(chunk);  // reusable
  ASSERT_TRUE(it.Seek(0));
  EXPECT_EQ(it.t(), 0);
}

TEST(XorChunk, GoldenBytes) {
  // The worked example in docs/format/chunks.md.
  const std::string chunk = Encode({{1000, Bits(1.0)}, {2000, Bits(1.0)}, {3000, Bits(2.0)}});
  const std::string want("\x00\x03\xd0\x0f\x3f\xf0\x00\x00\x00\x00\x00\x00\xe8\x07\x30\x97\xff\xc0", 18);
  EXPECT_EQ(chunk, want);
  // Stale marker after a value, then a reused window and dod buckets.
  const std::string chunk2 = Encode({{0, Bits(1.0)},
                                     {15000, 0x7ff0000000000002ull},
                                     {30000, 0x7ff0000000000003ull},
                                     {45100, Bits(1.0)}});
  std::string hex;
  for (unsigned char c : chunk2) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  EXPECT_EQ(hex, "0004003ff00000000000009875c3f4000000000000002ff080000000601930ff000000000000000c");
}

TEST(XorChunk, MalformedInputIsDataLoss) {
  std::vector<S> s;
  for (int i = 0; i < 50; ++i) s.push_back({i * 15000 + (i % 3), Bits(i * 1.5)});
  const std::string chunk = Encode(s);
  auto decode = [](std::string_view bytes) {
    XorIterator it(bytes);
    int n = 0;
    while (it.Next()) ++n;
    return std::make_pair(n, it.status());
  };
  // Every truncation of a well-formed chunk either decodes fewer samples
  // than announced with DataLoss, or (only the full length) decodes all.
  for (size_t len = 1; len < chunk.size(); ++len) {
    SCOPED_TRACE(len);
    auto [n, st] = decode(std::string_view(chunk).substr(0, len));
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
    EXPECT_LT(n, 50);
  }
  // A count larger than the stream holds.
  std::string more = chunk;
  more[0] = '\x7f';
  EXPECT_EQ(decode(more).second.code(), absl::StatusCode::kDataLoss);
  // An impossible value window: leading=31, sig=63 (> 64 bits).
  std::string bad("\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\xff\xfe\xff", 15);
  EXPECT_EQ(decode(bad).second.code(), absl::StatusCode::kDataLoss);
  // An endless varint.
  std::string varint("\x00\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 14);
  EXPECT_EQ(decode(varint).second.code(), absl::StatusCode::kDataLoss);
  // A lone header byte.
  EXPECT_EQ(decode(std::string_view("\x00", 1)).second.code(), absl::StatusCode::kDataLoss);
  // Random garbage never crashes (run under ASan in CI).
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string g(rng() % 40, '\0');
    for (char& c : g) c = static_cast<char>(rng());
    decode(g);
  }
}

}  // namespace
}  // namespace promlet::storage::chunkenc
