#include "base/crc32c.h"

#include <string>

#include "gtest/gtest.h"

namespace promlet::base {
namespace {

// Vectors from RFC 3720 B.4 and the usual "123456789" check value.
TEST(Crc32cTest, KnownVectors) {
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);
  std::string inc;
  for (int i = 0; i < 32; ++i) inc.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(inc), 0x46dd794eu);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data = "hello, write-ahead log with a few more bytes";
  for (size_t split = 0; split <= data.size(); ++split) {
    uint32_t a = Crc32cExtend(0, data.data(), split);
    a = Crc32cExtend(a, data.data() + split, data.size() - split);
    EXPECT_EQ(a, Crc32c(data)) << split;
  }
}

}  // namespace
}  // namespace promlet::base
