#include "scrape/config/duration.h"

#include "gtest/gtest.h"

namespace promlet::scrape {
namespace {

TEST(DurationTest, ParseAndFormat) {
  auto check = [](std::string_view in, absl::Duration want, std::string_view formatted) {
    SCOPED_TRACE(in);
    absl::StatusOr<absl::Duration> d = ParseDuration(in);
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, want);
    EXPECT_EQ(FormatPromDuration(*d), formatted);
  };
  check("0", absl::ZeroDuration(), "0s");
  check("15s", absl::Seconds(15), "15s");
  check("1m30s", absl::Seconds(90), "1m30s");
  check("90s", absl::Seconds(90), "1m30s");
  check("500ms", absl::Milliseconds(500), "500ms");
  check("1h", absl::Hours(1), "1h");
  check("14d", absl::Hours(24 * 14), "2w");
  check("1y", absl::Hours(24 * 365), "1y");
  check("1d2h", absl::Hours(26), "1d2h");
}

TEST(DurationTest, Rejects) {
  for (std::string_view bad : {"", "1", "s", "1.5s", "1s1m", "10x", "-1s", "1m1m"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(SizeTest, Base2Units) {
  EXPECT_EQ(*ParseSize("0"), 0);
  EXPECT_EQ(*ParseSize("512B"), 512);
  EXPECT_EQ(*ParseSize("1KB"), 1024);
  EXPECT_EQ(*ParseSize("10MB"), 10 << 20);
  EXPECT_EQ(*ParseSize("2MiB"), 2 << 20);
  EXPECT_EQ(*ParseSize("1GB"), int64_t{1} << 30);
  EXPECT_FALSE(ParseSize("10").ok());
  EXPECT_FALSE(ParseSize("1XB").ok());
  EXPECT_FALSE(ParseSize("MB").ok());
}

}  // namespace
}  // namespace promlet::scrape
