#include "base/coding.h"

#include <limits>

#include "gtest/gtest.h"

namespace promlet::base {
namespace {

TEST(CodingTest, VarintRoundTrip) {
  for (uint64_t v : std::initializer_list<uint64_t>{0, 1, 127, 128, 300, uint64_t{1} << 35,
                                                    std::numeric_limits<uint64_t>::max()}) {
    std::string buf;
    PutVarint64(&buf, v);
    std::string_view in = buf;
    uint64_t got;
    ASSERT_TRUE(GetVarint64(&in, &got)) << v;
    EXPECT_EQ(got, v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(CodingTest, SignedVarintRoundTrip) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{-64}, int64_t{64},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    std::string buf;
    PutVarsint64(&buf, v);
    std::string_view in = buf;
    int64_t got;
    ASSERT_TRUE(GetVarsint64(&in, &got));
    EXPECT_EQ(got, v);
  }
}

TEST(CodingTest, TruncatedVarintFails) {
  std::string buf;
  PutVarint64(&buf, 1ull << 40);
  buf.pop_back();
  std::string_view in = buf;
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  std::string eleven(11, '\xff');
  in = eleven;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, FixedIsLittleEndian) {
  std::string buf;
  PutFixed32(&buf, 0x01020304);
  EXPECT_EQ(buf, std::string("\x04\x03\x02\x01", 4));
  std::string_view in = buf;
  uint32_t v;
  ASSERT_TRUE(GetFixed32(&in, &v));
  EXPECT_EQ(v, 0x01020304u);
}

TEST(CodingTest, LengthPrefixedRejectsOverlongLength) {
  std::string buf;
  PutVarint64(&buf, 10);
  buf += "abc";
  std::string_view in = buf, out;
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
}

}  // namespace
}  // namespace promlet::base
